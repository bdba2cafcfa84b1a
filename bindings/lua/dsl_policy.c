/* dsl_policy.c: loads a policy into its own Lua state and asks it for verdicts.
 *
 * The state gets a reduced standard library (no io, no debug, no package loading,
 * no dofile/loadfile, text chunks only; print goes to stderr so it can never
 * corrupt the result stream). The policy's table is kept in the registry; each
 * deal is one protected call of its score() function with a fresh deal view. */
#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"

struct dsl_policy {
    lua_State *L;
    int table_ref; /* the policy's table */
    char label[128];
    char path[512];
};

static const char *const verdicts[] = {"pursue", "shape", "at_risk", "walk_away", NULL};

/* print(...) on stderr, prefixed, so policy debugging never mixes with results */
static int safe_print(lua_State *L) {
    int n = lua_gettop(L);
    fputs("policy: ", stderr);
    for (int i = 1; i <= n; i++) {
        fputs(luaL_tolstring(L, i, NULL), stderr);
        lua_pop(L, 1);
        if (i < n) fputc('\t', stderr);
    }
    fputc('\n', stderr);
    return 0;
}

/* load(chunk, name, mode, env) restricted to text chunks */
static int safe_load(lua_State *L) {
    lua_settop(L, 4);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_getglobal(L, "dealscore_load");
    lua_insert(L, 1);
    lua_call(L, 4, LUA_MULTRET);
    return lua_gettop(L);
}

static void open_libraries(lua_State *L) {
    static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},
                                    {LUA_TABLIBNAME, luaopen_table},
                                    {LUA_STRLIBNAME, luaopen_string},
                                    {LUA_MATHLIBNAME, luaopen_math},
                                    {LUA_UTF8LIBNAME, luaopen_utf8},
                                    {LUA_OSLIBNAME, luaopen_os},
                                    {NULL, NULL}};
    for (const luaL_Reg *lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    /* os: only the clock and the calendar */
    lua_getglobal(L, LUA_OSLIBNAME);
    lua_newtable(L);
    static const char *const os_keep[] = {"time", "clock", "date", NULL};
    for (int i = 0; os_keep[i]; i++) {
        lua_getfield(L, -2, os_keep[i]);
        lua_setfield(L, -2, os_keep[i]);
    }
    lua_setglobal(L, LUA_OSLIBNAME);
    lua_pop(L, 1);
    static const char *const removed[] = {"dofile", "loadfile", "collectgarbage", NULL};
    for (int i = 0; removed[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
    lua_getglobal(L, "load");
    lua_setfield(L, LUA_REGISTRYINDEX, "dealscore_load");
    lua_pushcfunction(L, safe_load);
    lua_setglobal(L, "load");
    lua_pushcfunction(L, safe_print);
    lua_setglobal(L, "print");
}

static int registry_load_original(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, "dealscore_load");
    lua_setglobal(L, "dealscore_load");
    return 0;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    ds_buf b;
    ds_buf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ds_buf_add(&b, chunk, n);
    fclose(f);
    if (b.failed) {
        ds_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    if (!b.data) return calloc(1, 1);
    return b.data;
}

/* Loads the chunk, runs it, checks the returned table; leaves it on the stack. */
static int load_policy(dsl_policy *p, char *err, size_t errlen) {
    lua_State *L = p->L;
    size_t len = 0;
    char *text = read_file(p->path, &len);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read policy file", p->path);
        return -1;
    }
    char chunkname[520];
    snprintf(chunkname, sizeof chunkname, "@%s", p->path);
    int rc = luaL_loadbufferx(L, text, len, chunkname, "t");
    free(text);
    if (rc == LUA_OK) rc = lua_pcall(L, 0, 1, 0);
    if (rc != LUA_OK) {
        snprintf(err, errlen, "%s", lua_tostring(L, -1));
        return -1;
    }
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "%s: a policy returns a table {name, version, score}", p->path);
        return -1;
    }
    if (lua_getfield(L, -1, "score") != LUA_TFUNCTION) {
        snprintf(err, errlen, "%s: the policy table has no score(deal, scores) function", p->path);
        return -1;
    }
    lua_pop(L, 1);
    lua_getfield(L, -1, "name");
    lua_getfield(L, -2, "version");
    const char *name = lua_tostring(L, -2);
    const char *version = lua_tostring(L, -1);
    snprintf(p->label, sizeof p->label, "%s@%s", name ? name : "policy", version ? version : "0");
    lua_pop(L, 2);
    return 0;
}

static int init_policy(dsl_policy *p, const ds_params *params, char *err, size_t errlen) {
    lua_State *L = p->L;
    if (lua_getfield(L, -1, "init") != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return 0;
    }
    dsl_push_json(L, params->json);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        snprintf(err, errlen, "%s", lua_tostring(L, -1));
        return -1;
    }
    return 0;
}

dsl_policy *dsl_policy_open(const char *path, const ds_params *params, char *err, size_t errlen) {
    dsl_policy *p = calloc(1, sizeof *p);
    if (!p || !(p->L = luaL_newstate())) {
        free(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(p->path, sizeof p->path, "%s", path);
    lua_State *L = p->L;
    open_libraries(L);
    registry_load_original(L);
    dsl_view_register(L);
    if (load_policy(p, err, errlen) < 0 || init_policy(p, params, err, errlen) < 0) {
        dsl_policy_close(p);
        return NULL;
    }
    p->table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_settop(L, 0);
    return p;
}

void dsl_policy_close(dsl_policy *p) {
    if (!p) return;
    if (p->L) lua_close(p->L);
    free(p);
}

const char *dsl_policy_label(const dsl_policy *p) {
    return p->label;
}

static void push_scores(lua_State *L, const ds_analysis *an) {
    lua_createtable(L, 0, DS_NSCORES);
    for (int k = 0; k < DS_NSCORES; k++) {
        lua_pushnumber(L, an->scores[k].value);
        lua_setfield(L, -2, ds_score_names[k]);
    }
}

static int contract_error(dsl_policy *p, ds_error *err, const char *what) {
    ds_error_set(err, "policy_error", "$", "%s: score() returned %s", p->path, what);
    return -1;
}

static int read_reasons(lua_State *L, ds_arena *a, ds_outcome *out) {
    if (lua_getfield(L, -1, "reasons") == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (!lua_istable(L, -1)) return -1;
    lua_Integer n = luaL_len(L, -1);
    out->reasons = ds_arena_alloc(a, sizeof(char *) * (size_t)(n > 0 ? n : 1));
    for (lua_Integer i = 1; i <= n && out->reasons; i++) {
        lua_geti(L, -1, i);
        if (lua_type(L, -1) != LUA_TSTRING) return -1;
        out->reasons[out->n_reasons++] = ds_arena_strdup(a, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 0;
}

/* optional viability factors: {{factor=, effect=, detail=}, ...} */
static void read_factors(lua_State *L, ds_arena *a, ds_outcome *out) {
    if (lua_getfield(L, -1, "factors") != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    lua_Integer n = luaL_len(L, -1);
    out->factors = ds_arena_alloc(a, sizeof(ds_factor) * (size_t)(n > 0 ? n : 1));
    for (lua_Integer i = 1; i <= n && out->factors; i++) {
        if (lua_geti(L, -1, i) == LUA_TTABLE) {
            lua_getfield(L, -1, "factor");
            lua_getfield(L, -2, "effect");
            lua_getfield(L, -3, "detail");
            const char *name = lua_tostring(L, -3), *detail = lua_tostring(L, -1);
            if (name && lua_isnumber(L, -2))
                out->factors[out->n_factors++] =
                    (ds_factor){ds_arena_strdup(a, name), lua_tonumber(L, -2), -1,
                                detail ? ds_arena_strdup(a, detail) : ""};
            lua_pop(L, 3);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* Checks the returned table (on top of the stack) against the contract. */
static int read_outcome(dsl_policy *p, ds_arena *a, ds_outcome *out, ds_error *err) {
    lua_State *L = p->L;
    if (!lua_istable(L, -1)) return contract_error(p, err, "no table");
    lua_getfield(L, -1, "viability");
    int isnum;
    out->viability = lua_tonumberx(L, -1, &isnum);
    lua_pop(L, 1);
    if (!isnum || !isfinite(out->viability) || out->viability < 0 || out->viability > 100)
        return contract_error(p, err, "a viability that is not a number in 0..100");
    lua_getfield(L, -1, "verdict");
    const char *verdict = lua_tostring(L, -1);
    int v = verdict ? ds_enum_lookup(verdicts, verdict) : -1;
    lua_pop(L, 1);
    if (v < 0)
        return contract_error(p, err, "a verdict that is not pursue, shape, at_risk or walk_away");
    out->verdict = verdicts[v];
    if (lua_getfield(L, -1, "computed_viability") != LUA_TNIL) {
        out->computed_viability = lua_tonumberx(L, -1, &isnum);
        out->overridden = isnum && isfinite(out->computed_viability);
    }
    lua_pop(L, 1);
    if (read_reasons(L, a, out) < 0)
        return contract_error(p, err, "reasons that are not a list of strings");
    read_factors(L, a, out);
    return 0;
}

lua_State *dsl_policy_state(dsl_policy *p) {
    return p->L;
}

const char *dsl_policy_path(const dsl_policy *p) {
    return p->path;
}

int dsl_policy_call(dsl_policy *p, const char *name, ds_analysis *an, ds_error *err) {
    lua_State *L = p->L;
    lua_settop(L, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->table_ref);
    if (lua_getfield(L, 1, name) != LUA_TFUNCTION) {
        lua_settop(L, 0);
        return 0;
    }
    dsl_view_push(L, an);
    push_scores(L, an);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        ds_error_set(err, "policy_error", "$", "%s",
                     msg ? msg : "policy raised a non-string error");
        dsl_policy_call_end(p);
        return -1;
    }
    return 1;
}

void dsl_policy_call_end(dsl_policy *p) {
    dsl_view_release(p->L);
    lua_settop(p->L, 0);
}

int dsl_policy_decide(dsl_policy *p, ds_analysis *an, ds_arena *a, ds_outcome *out, ds_error *err) {
    lua_State *L = p->L;
    memset(out, 0, sizeof *out);
    out->policy = p->label;
    lua_settop(L, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->table_ref);
    lua_getfield(L, 1, "score");
    dsl_view_push(L, an);
    push_scores(L, an);
    int rc = lua_pcall(L, 2, 1, 0);
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        ds_error_set(err, "policy_error", "$", "%s",
                     msg ? msg : "policy raised a non-string error");
    } else {
        rc = read_outcome(p, a, out, err);
    }
    dsl_view_release(L);
    lua_settop(L, 0);
    return rc == LUA_OK ? 0 : -1;
}
