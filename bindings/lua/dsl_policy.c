/* dsl_policy.c: policy sets, and asking a policy for its verdict.
 *
 * A set opens every configured policy file in one sandboxed Lua state
 * (dsl_sandbox.c), compiles each once, runs its init(model), and keeps its table
 * in the registry. Scoring a deal is one budgeted, protected call that pushes
 * the deal view, calls score(deal, scores) and reads the returned table against
 * the contract, all inside the protection: a policy's metamethods on its result
 * table run under the budget too, and nothing can raise outside a pcall. */
#include <lauxlib.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"

struct dsl_policy {
    dsl_policies *set;
    int table_ref; /* the policy's table */
    bool has_actions;
    char name[64]; /* as deals name it */
    char label[128];
    char path[PATH_MAX];
};

struct dsl_policies {
    lua_State *L;
    int n, default_index;
    bool single; /* opened by dsl_policy_open() */
    const char *field;
    dsl_policy policies[DSL_MAX_POLICIES];
};

static const char *const verdicts[] = {
    "pursue", "shape", "at_risk", "walk_away", "insufficient_data", NULL};

/* Longest reason or factor text a policy may return. Reasons are short codes or
 * sentences; a policy returning megabytes is broken (or hostile), and each byte
 * would be copied into every result line and every service response. */
#define MAX_TEXT 4096

/* ---- configuration ---- */

int dsl_limits_from_model(dsl_limits *l, const ds_params *params, char *err, size_t errlen) {
    l->instructions = DSL_DEFAULT_INSTRUCTIONS;
    l->memory = (size_t)DSL_DEFAULT_MEMORY_MB << 20;
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(params->json, "runtime");
    if (!rt) return 0;
    if (!cJSON_IsObject(rt)) {
        snprintf(err, errlen, "model key runtime: not an object");
        return -1;
    }
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(rt, "instruction_budget");
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(rt, "memory_limit_mb");
    if (ins && (!cJSON_IsNumber(ins) || ins->valuedouble < 0 || ins->valuedouble > 1e15)) {
        snprintf(err, errlen, "model key runtime.instruction_budget: not a number >= 0");
        return -1;
    }
    if (mem && (!cJSON_IsNumber(mem) || mem->valuedouble < 0 || mem->valuedouble > 1e6)) {
        snprintf(err, errlen, "model key runtime.memory_limit_mb: not a number in 0..1000000");
        return -1;
    }
    if (ins) l->instructions = (long long)ins->valuedouble;
    if (mem) l->memory = (size_t)(mem->valuedouble * 1048576.0);
    return 0;
}

static bool valid_name(const char *s, size_t n) {
    if (n == 0 || n >= sizeof((dsl_config *)0)->policies[0].name) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '=' || s[i] == ',' || (unsigned char)s[i] <= ' ') return false;
    return true;
}

int dsl_config_add(dsl_config *c, const char *spec, char *err, size_t errlen) {
    const char *eq = strchr(spec, '=');
    if (eq && memchr(spec, '/', (size_t)(eq - spec))) eq = NULL; /* a path with '=' in it */
    const char *path = eq ? eq + 1 : spec;
    size_t name_len = eq ? (size_t)(eq - spec) : strlen("default");
    const char *name = eq ? spec : "default";
    if (!valid_name(name, name_len) || !*path) {
        snprintf(err, errlen, "'%s': expected FILE or NAME=FILE (NAME without spaces, '=' or ',')",
                 spec);
        return -1;
    }
    int i = 0;
    while (i < c->n && !(strlen(c->policies[i].name) == name_len &&
                         strncmp(c->policies[i].name, name, name_len) == 0))
        i++;
    if (i == DSL_MAX_POLICIES) {
        snprintf(err, errlen, "at most %d policies", DSL_MAX_POLICIES);
        return -1;
    }
    if (i == c->n)
        snprintf(c->policies[c->n++].name, sizeof c->policies[0].name, "%.*s", (int)name_len, name);
    c->policies[i].path = path;
    return 0;
}

/* ---- loading ---- */

static void folder_of(const char *path, char *dir, size_t len) {
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else
        snprintf(dir, len, "%.*s", (int)(slash - path) + (slash == path), path);
}

static const char *call_failure(int rc) {
    return rc == DSL_CALL_TIMEOUT  ? "ran past its instruction budget (policy_timeout)"
           : rc == DSL_CALL_MEMORY ? "ran out of its memory cap (policy_memory)"
                                   : NULL;
}

/* Compiles and runs the file; leaves the policy's table on the stack. */
static int load_policy(lua_State *L, dsl_policy *p, char *err, size_t errlen) {
    char dir[PATH_MAX];
    folder_of(p->path, dir, sizeof dir);
    dsl_sandbox_push_env(L, dir);
    int rc = dsl_sandbox_load(L, p->path, -1);
    if (rc == 0) rc = dsl_sandbox_call(L, 0, 1);
    if (rc != 0) {
        const char *why = call_failure(rc);
        if (why)
            snprintf(err, errlen, "%s: loading %s", p->path, why);
        else
            snprintf(err, errlen, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
        return -1;
    }
    lua_remove(L, -2); /* the environment */
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "%s: a policy returns a table {name, version, score}", p->path);
        return -1;
    }
    lua_getfield(L, -1, "name");
    lua_getfield(L, -2, "version");
    lua_getfield(L, -3, "score");
    lua_getfield(L, -4, "actions");
    bool ok_name = lua_type(L, -4) == LUA_TSTRING;
    bool ok_version = lua_type(L, -3) == LUA_TSTRING || lua_type(L, -3) == LUA_TNUMBER;
    if (!ok_name || !ok_version || !lua_isfunction(L, -2) ||
        !(lua_isnil(L, -1) || lua_isfunction(L, -1))) {
        snprintf(err, errlen, "%s: the policy table needs %s", p->path,
                 !ok_name                 ? "name, a string"
                 : !ok_version            ? "version, a string or a number"
                 : !lua_isfunction(L, -2) ? "score, a function(deal, scores)"
                                          : "actions to be a function(deal, scores) or nil");
        return -1;
    }
    p->has_actions = lua_isfunction(L, -1);
    snprintf(p->label, sizeof p->label, "%s@%s", lua_tostring(L, -4), lua_tostring(L, -3));
    lua_pop(L, 4);
    return 0;
}

static int init_policy(lua_State *L, dsl_policy *p, const ds_params *params, char *err,
                       size_t errlen) {
    if (lua_getfield(L, -1, "init") != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return 0;
    }
    dsl_push_json(L, params->json);
    int rc = dsl_sandbox_call(L, 1, 0);
    if (rc != DSL_CALL_OK) {
        const char *why = call_failure(rc);
        const char *msg = why ? why : lua_tostring(L, -1);
        snprintf(err, errlen, "%s: init(model): %s", p->path, msg ? msg : "error");
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

dsl_policies *dsl_policies_open(const dsl_config *c, const ds_params *params, char *err,
                                size_t errlen) {
    dsl_policies *set = calloc(1, sizeof *set);
    if (!set || !(set->L = dsl_sandbox_open(&c->limits))) {
        free(set);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    set->field = c->field;
    lua_State *L = set->L;
    for (int i = 0; i < c->n; i++) {
        dsl_policy *p = &set->policies[set->n++];
        p->set = set;
        snprintf(p->name, sizeof p->name, "%s", c->policies[i].name);
        snprintf(p->path, sizeof p->path, "%s", c->policies[i].path);
        if (strcmp(p->name, "default") == 0) set->default_index = i;
        if (load_policy(L, p, err, errlen) < 0 || init_policy(L, p, params, err, errlen) < 0) {
            dsl_policies_close(set);
            return NULL;
        }
        p->table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_settop(L, 0);
    }
    if (set->n == 0) {
        snprintf(err, errlen, "no policy configured");
        dsl_policies_close(set);
        return NULL;
    }
    lua_gc(L, LUA_GCCOLLECT);
    return set;
}

void dsl_policies_close(dsl_policies *set) {
    if (!set) return;
    dsl_sandbox_close(set->L);
    free(set);
}

dsl_policy *dsl_policies_get(dsl_policies *set, const char *name) {
    if (!name) return &set->policies[set->default_index];
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->policies[i].name, name) == 0) return &set->policies[i];
    return NULL;
}

void dsl_policies_names(const dsl_policies *set, char *out, size_t len) {
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; i < set->n && at < len; i++)
        at += (size_t)snprintf(out + at, len - at, "%s%s", i ? ", " : "", set->policies[i].name);
}

const char *dsl_policies_field(const dsl_policies *set) {
    return set->field;
}

lua_State *dsl_policies_state(dsl_policies *set) {
    return set->L;
}

dsl_policy *dsl_policy_open(const char *path, const ds_params *params, char *err, size_t errlen) {
    dsl_config c = {.n = 1};
    snprintf(c.policies[0].name, sizeof c.policies[0].name, "default");
    c.policies[0].path = path;
    if (dsl_limits_from_model(&c.limits, params, err, errlen) < 0) return NULL;
    dsl_policies *set = dsl_policies_open(&c, params, err, errlen);
    if (!set) return NULL;
    set->single = true;
    return &set->policies[0];
}

dsl_policies *dsl_policy_set(dsl_policy *p) {
    return p->set;
}

void dsl_policy_close(dsl_policy *p) {
    if (p && p->set->single) dsl_policies_close(p->set);
}

const char *dsl_policy_label(const dsl_policy *p) {
    return p->label;
}

const char *dsl_policy_path(const dsl_policy *p) {
    return p->path;
}

bool dsl_policy_has_actions(const dsl_policy *p) {
    return p->has_actions;
}

/* ---- one call ---- */

typedef struct call {
    dsl_policy *p;      /* NULL for a policy table (dsl_policy_decide_table) */
    const char *source; /* the policy's file, for messages */
    ds_analysis *an;
    ds_arena *a;
    ds_error *err;
    bool contract_broken; /* err is set */
    const char *function; /* "score" or "actions" */
    ds_outcome *out;
    dsl_action **actions;
    int *n_actions;
    lua_Integer item; /* the entry of actions()' list being read, from 1 */
} call;

static void push_scores(lua_State *L, const ds_analysis *an) {
    lua_createtable(L, 0, DS_NSCORES);
    for (int k = 0; k < DS_NSCORES; k++) {
        lua_pushnumber(L, an->scores[k].value);
        lua_setfield(L, -2, ds_score_names[k]);
    }
}

static int broken(call *c, const char *what) {
    if (c->item)
        ds_error_set(c->err, "policy_error", "$", "%s: %s() returned, in item %lld, %s", c->source,
                     c->function, (long long)c->item, what);
    else
        ds_error_set(c->err, "policy_error", "$", "%s: %s() returned %s", c->source, c->function,
                     what);
    c->contract_broken = true;
    return 0;
}

static const char *arena_string(ds_arena *a, lua_State *L, int idx) {
    const char *s = ds_arena_strdup(a, lua_tostring(L, idx));
    if (!s) luaL_error(L, "not enough memory");
    return s;
}

/* Why the string at idx cannot be a reason or factor text, or NULL. A NUL byte
 * would cut it short in the result without a word. */
static const char *text_problem(lua_State *L, int idx) {
    size_t len;
    if (lua_type(L, idx) != LUA_TSTRING) return "that is not a string";
    const char *s = lua_tolstring(L, idx, &len);
    if (len > MAX_TEXT) return "longer than 4096 bytes";
    if (memchr(s, '\0', len)) return "with a NUL byte";
    return NULL;
}

/* Returns NULL, or what is wrong with the reasons (in why when it is built). */
static const char *read_reasons(lua_State *L, call *c, char *why, size_t why_len) {
    if (lua_getfield(L, -1, "reasons") == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    if (!lua_istable(L, -1)) return "reasons that are not a list of strings";
    lua_Integer n = luaL_len(L, -1);
    if (n < 0 || n > 10000) return "reasons that are not a list of at most 10000 strings";
    ds_outcome *out = c->out;
    out->reasons = ds_arena_alloc(c->a, sizeof(char *) * (size_t)(n > 0 ? n : 1));
    if (!out->reasons) luaL_error(L, "not enough memory");
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, -1, i);
        if (lua_type(L, -1) != LUA_TSTRING) return "reasons that are not a list of strings";
        const char *problem = text_problem(L, -1);
        if (problem) {
            snprintf(why, why_len, "a reason %s", problem);
            return why;
        }
        out->reasons[out->n_reasons++] = arena_string(c->a, L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return NULL;
}

/* optional viability factors: {{factor=, effect=, detail=}, ...} */
static void read_factors(lua_State *L, call *c) {
    if (lua_getfield(L, -1, "factors") != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    lua_Integer n = luaL_len(L, -1);
    if (n < 0 || n > 10000) n = 0;
    ds_outcome *out = c->out;
    out->factors = ds_arena_alloc(c->a, sizeof(ds_factor) * (size_t)(n > 0 ? n : 1));
    if (!out->factors) luaL_error(L, "not enough memory");
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, -1, i) == LUA_TTABLE) {
            lua_getfield(L, -1, "factor");
            lua_getfield(L, -2, "effect");
            lua_getfield(L, -3, "detail");
            bool named = !text_problem(L, -3);
            bool has_detail = lua_isstring(L, -1) && (lua_isnumber(L, -1) || !text_problem(L, -1));
            if (named && lua_isnumber(L, -2))
                out->factors[out->n_factors++] =
                    (ds_factor){arena_string(c->a, L, -3), lua_tonumber(L, -2), -1,
                                has_detail ? arena_string(c->a, L, -1) : ""};
            lua_pop(L, 3);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* Checks score()'s table (on top of the stack) against the contract. */
static int read_outcome(lua_State *L, call *c) {
    ds_outcome *out = c->out;
    if (!lua_istable(L, -1)) return broken(c, "no table");
    lua_getfield(L, -1, "viability");
    int isnum;
    out->viability = lua_tonumberx(L, -1, &isnum);
    isnum = isnum && lua_type(L, -1) == LUA_TNUMBER;
    lua_pop(L, 1);
    if (!isnum || !isfinite(out->viability) || out->viability < 0 || out->viability > 100)
        return broken(c, "a viability that is not a number in 0..100");
    lua_getfield(L, -1, "verdict");
    size_t verdict_len = 0;
    const char *verdict =
        lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &verdict_len) : NULL;
    int v = verdict && strlen(verdict) == verdict_len ? ds_enum_lookup(verdicts, verdict) : -1;
    lua_pop(L, 1);
    if (v < 0)
        return broken(
            c, "a verdict that is not pursue, shape, at_risk, walk_away or insufficient_data");
    out->verdict = verdicts[v];
    if (lua_getfield(L, -1, "computed_viability") != LUA_TNIL) {
        out->computed_viability = lua_tonumberx(L, -1, &isnum);
        out->overridden = isnum && isfinite(out->computed_viability);
    }
    lua_pop(L, 1);
    char why[64];
    const char *problem = read_reasons(L, c, why, sizeof why);
    if (problem) return broken(c, problem);
    read_factors(L, c);
    return 0;
}

/* ---- custom actions ---- */

/* The keys a patch may have and what each holds (docs/policies.md, "actions"). */
static const char *const patch_keys[] = {"solution",         "stakeholders", "relationships",
                                         "add_stakeholders", "deal",         NULL};
static const bool patch_key_is_list[] = {false, false, true, true, false};

/* A table whose keys are exactly 1..n, as dsl_write_json writes arrays. */
static bool is_list(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        count++;
    }
    return count == n;
}

/* What is wrong with the patch at index `patch`, or NULL; `why` holds messages
 * that name something of the patch. */
static const char *patch_problem(lua_State *L, int patch, const ds_deal *d, char *why, size_t len) {
    lua_pushnil(L);
    while (lua_next(L, patch)) {
        int k =
            lua_type(L, -2) == LUA_TSTRING ? ds_enum_lookup(patch_keys, lua_tostring(L, -2)) : -1;
        bool ok = k >= 0 && lua_istable(L, -1) && (!patch_key_is_list[k] || is_list(L, -1));
        lua_pop(L, 1);
        if (k < 0) {
            lua_pop(L, 1);
            return "a patch key that is not solution, stakeholders, relationships, "
                   "add_stakeholders or deal";
        }
        if (!ok) {
            lua_pop(L, 1);
            return patch_key_is_list[k] ? "patch.relationships or patch.add_stakeholders that is "
                                          "not a list of tables"
                                        : "patch.solution, patch.stakeholders or patch.deal that "
                                          "is not a table";
        }
    }
    if (lua_getfield(L, patch, "stakeholders") == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            bool known =
                lua_type(L, -2) == LUA_TSTRING && ds_deal_find(d, lua_tostring(L, -2)) >= 0;
            bool table = lua_istable(L, -1);
            lua_pop(L, 1);
            if (known && !table) {
                snprintf(why, len, "patch.stakeholders.%.60s that is not a table of fields",
                         lua_tostring(L, -1));
            } else if (!known) {
                snprintf(why, len,
                         "patch.stakeholders naming %s%.60s%s, not a stakeholder id of this deal",
                         lua_type(L, -1) == LUA_TSTRING ? "\"" : "a key that is not a string",
                         lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "",
                         lua_type(L, -1) == LUA_TSTRING ? "\"" : "");
            }
            if (!known || !table) {
                lua_pop(L, 2);
                return why;
            }
        }
    }
    lua_pop(L, 1);
    return NULL;
}

/* One entry {action = "name", target = "id", patch = {...}} into *act. */
static int read_action(lua_State *L, call *c, dsl_action *act) {
    if (!lua_istable(L, -1)) return broken(c, "an action that is not a table");
    int t = lua_gettop(L);
    lua_getfield(L, t, "action");
    lua_getfield(L, t, "target");
    lua_getfield(L, t, "patch");
    if (lua_type(L, t + 1) != LUA_TSTRING || !*lua_tostring(L, t + 1))
        return broken(c, "an action without a name (action = \"...\")");
    if (!lua_isnil(L, t + 2) && lua_type(L, t + 2) != LUA_TSTRING)
        return broken(c, "an action whose target is not a string");
    if (!lua_istable(L, t + 3)) return broken(c, "an action without a patch table");
    char why[200];
    const char *problem = patch_problem(L, t + 3, c->an->deal, why, sizeof why);
    if (problem) return broken(c, problem);
    ds_buf json;
    ds_buf_init(&json);
    int rc = dsl_write_json(L, t + 3, &json, why, sizeof why);
    if (rc == 0 && !json.failed) act->patch = ds_arena_strdup(c->a, json.data);
    ds_buf_free(&json);
    if (rc < 0) {
        char what[sizeof why + 16];
        snprintf(what, sizeof what, "a patch with %s", why);
        return broken(c, what);
    }
    if (!act->patch) return luaL_error(L, "not enough memory");
    act->action = arena_string(c->a, L, t + 1);
    act->target = lua_isnil(L, t + 2) ? NULL : arena_string(c->a, L, t + 2);
    lua_settop(L, t);
    return 1;
}

static int read_actions(lua_State *L, call *c) {
    *c->n_actions = 0;
    if (!lua_istable(L, -1)) return broken(c, "no list of actions");
    lua_Integer n = luaL_len(L, -1);
    if (n < 0 || n > 1000) return broken(c, "more than 1000 actions");
    *c->actions = ds_arena_alloc(c->a, sizeof(dsl_action) * (size_t)(n > 0 ? n : 1));
    if (!*c->actions) return luaL_error(L, "not enough memory");
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, -1, i);
        c->item = i;
        if (read_action(L, c, &(*c->actions)[*c->n_actions]) == 0) return 0;
        (*c->n_actions)++;
        lua_pop(L, 1);
    }
    return 0;
}

/* The protected body of a call: everything that touches Lua. */
static int run_policy(lua_State *L) {
    call *c = lua_touserdata(L, 1);
    if (c->p) lua_rawgeti(L, LUA_REGISTRYINDEX, c->p->table_ref); /* else it is argument 2 */
    lua_getfield(L, -1, c->function);
    dsl_view_push(L, c->an);
    push_scores(L, c->an);
    lua_call(L, 2, 1);
    return c->out ? read_outcome(L, c) : read_actions(L, c);
}

/* An error the policy raised: its message carries file:line unless the policy
 * raised it without a position (error(msg, 0)) or raised a non-string value;
 * then the policy's file is named instead. */
static void set_raised(call *c, const char *msg) {
    if (!msg)
        ds_error_set(c->err, "policy_error", "$", "%s: %s() raised an error that is not a string",
                     c->source, c->function);
    else if (!strstr(msg, ".lua:"))
        ds_error_set(c->err, "policy_error", "$", "%s: %s(): %s", c->source, c->function, msg);
    else
        ds_error_set(c->err, "policy_error", "$", "%s", msg);
}

static int run(dsl_policy *p, call *c) {
    lua_State *L = p->set->L;
    lua_settop(L, 0);
    lua_pushcfunction(L, run_policy);
    lua_pushlightuserdata(L, c);
    int rc = dsl_sandbox_call(L, 1, 0);
    dsl_view_release(L);
    const dsl_limits *l = dsl_sandbox_limits(L);
    if (rc == DSL_CALL_TIMEOUT)
        ds_error_set(c->err, "policy_timeout", "$",
                     "%s: %s() ran past its budget of %lld instructions (runtime."
                     "instruction_budget, --policy-instructions)",
                     p->path, c->function, l->instructions);
    else if (rc == DSL_CALL_MEMORY)
        ds_error_set(c->err, "policy_memory", "$",
                     "%s: %s() ran out of memory: the policies' Lua state may hold %zu MB "
                     "(runtime.memory_limit_mb, --policy-memory)",
                     p->path, c->function, l->memory >> 20);
    else if (rc != DSL_CALL_OK)
        set_raised(c, lua_tostring(L, -1));
    lua_settop(L, 0);
    return rc == DSL_CALL_OK && !c->contract_broken ? 0 : -1;
}

int dsl_policy_decide(dsl_policy *p, ds_analysis *an, ds_arena *a, ds_outcome *out, ds_error *err) {
    memset(out, 0, sizeof *out);
    out->policy = p->label;
    call c = {
        .p = p, .source = p->path, .an = an, .a = a, .err = err, .function = "score", .out = out};
    return run(p, &c);
}

int dsl_policy_actions(dsl_policy *p, ds_analysis *an, ds_arena *a, dsl_action **out, int *n,
                       ds_error *err) {
    *n = 0;
    *out = NULL;
    if (!p->has_actions) return 0;
    call c = {.p = p,
              .source = p->path,
              .an = an,
              .a = a,
              .err = err,
              .function = "actions",
              .actions = out,
              .n_actions = n};
    return run(p, &c);
}

int dsl_policy_decide_table(lua_State *L, int policy, const char *source, ds_analysis *an,
                            ds_arena *a, ds_outcome *out, ds_error *err) {
    policy = lua_absindex(L, policy);
    memset(out, 0, sizeof *out);
    lua_getfield(L, policy, "name");
    lua_getfield(L, policy, "version");
    out->policy = ds_arena_printf(a, "%s@%s", lua_tostring(L, -2) ? lua_tostring(L, -2) : "policy",
                                  lua_tostring(L, -1) ? lua_tostring(L, -1) : "0");
    lua_pop(L, 2);
    call c = {.source = source, .an = an, .a = a, .err = err, .function = "score", .out = out};
    int top = lua_gettop(L);
    lua_pushcfunction(L, run_policy);
    lua_pushlightuserdata(L, &c);
    lua_pushvalue(L, policy);
    int rc = lua_pcall(L, 2, 0, 0);
    dsl_view_release(L);
    if (rc != LUA_OK) set_raised(&c, lua_tostring(L, -1));
    lua_settop(L, top);
    return rc == LUA_OK && !c.contract_broken ? 0 : -1;
}
