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

#include "ds_json.h"
#include "dsl.h"

struct dsl_policy {
    dsl_policies *set;
    lua_State *L;  /* the policy's own sandbox */
    int table_ref; /* {score, actions, init}, read from the policy's table at load */
    bool has_actions;
    bool explain;  /* deal.explain for the coming calls (dsl_policy_explain) */
    char name[64]; /* as deals name it */
    char label[128];
    char path[PATH_MAX];
};

struct dsl_policies {
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

/* And the most text one result may hold in all, its reasons, factor names and
 * details together: 10,000 reasons of 4096 bytes each would be 40 MB a deal,
 * copied into every result line and answer (an honest explanation is a few
 * KB). The actions of one call are held to MAX_PATCH in all (names, targets
 * and patches), for the same reason. */
#define MAX_RESULT_TEXT (64 * 1024)

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
    if (n == 0 || n >= DSL_POLICY_NAME) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '=' || s[i] == ',' || (unsigned char)s[i] <= ' ') return false;
    return true;
}

int dsl_policy_spec(const char *spec, const char *lone, char name[DSL_POLICY_NAME],
                    const char **path, char *err, size_t errlen) {
    const char *eq = strchr(spec, '=');
    if (eq && memchr(spec, '/', (size_t)(eq - spec))) eq = NULL; /* a path with '=' in it */
    const char *file = eq ? eq + 1 : spec;
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    const char *from = eq ? spec : lone ? lone : base;
    size_t len = eq ? (size_t)(eq - spec) : lone ? strlen(lone) : strcspn(base, ".");
    if (!valid_name(from, len) || !*file) {
        snprintf(err, errlen, "'%s': expected FILE or NAME=FILE (NAME without spaces, '=' or ',')",
                 spec);
        return -1;
    }
    snprintf(name, DSL_POLICY_NAME, "%.*s", (int)len, from);
    *path = file;
    return 0;
}

int dsl_config_put(dsl_config *c, const char *name, const char *path, char *err, size_t errlen) {
    size_t n = strlen(name);
    bool ok = n > 0 && n < sizeof c->policies[0].name && path && *path;
    for (size_t i = 0; ok && i < n; i++)
        ok = name[i] != '=' && name[i] != ',' && (unsigned char)name[i] > ' ';
    if (!ok) {
        snprintf(err, errlen,
                 "policy '%.64s' (%.200s): a name is 1-63 bytes without spaces, '=' or ',', "
                 "and a file is needed",
                 name, path ? path : "no file");
        return -1;
    }
    int i = 0;
    while (i < c->n && strcmp(c->policies[i].name, name) != 0) i++;
    if (i == DSL_MAX_POLICIES) {
        snprintf(err, errlen, "at most %d policies", DSL_MAX_POLICIES);
        return -1;
    }
    if (i == c->n) snprintf(c->policies[c->n++].name, sizeof c->policies[0].name, "%s", name);
    c->policies[i].path = path;
    return 0;
}

int dsl_config_add(dsl_config *c, const char *spec, char *err, size_t errlen) {
    char name[DSL_POLICY_NAME];
    const char *path;
    if (dsl_policy_spec(spec, "default", name, &path, err, errlen) < 0) return -1;
    return dsl_config_put(c, name, path, err, errlen);
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

/* Raises "FILE: the policy table needs WHAT" from a loading body. */
static int needs(lua_State *L, const dsl_policy *p, const char *what) {
    lua_pushfstring(L, "%s: the policy table needs %s", p->path, what);
    return lua_error(L);
}

/* Why the string at idx cannot name a policy or its version, or NULL: both
 * end up in every result line and in log lines. */
static const char *label_problem(lua_State *L, int idx) {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (len == 0 || len > 60) return "of 1 to 60 bytes";
    if (ds_utf8_invalid_at(s, len) < len) return "in UTF-8";
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return "without control characters";
    return NULL;
}

/* The protected body of loading (argument 1: the policy): compiles and runs the
 * file, then reads what it returned. Every read of the policy's table happens
 * here, under the budgets, so a metamethod on it that raises, loops or eats
 * memory fails the load with a message; none runs anywhere else. What the
 * runtime keeps is a plain table of its own, {score, actions, init}, in the
 * registry: later calls read it raw. */
static int load_body(lua_State *L) {
    dsl_policy *p = lua_touserdata(L, 1);
    char dir[PATH_MAX];
    folder_of(p->path, dir, sizeof dir);
    dsl_sandbox_push_env(L, dir);
    if (dsl_sandbox_load(L, p->path, -1) < 0) return lua_error(L);
    lua_call(L, 0, 1);
    int t = lua_gettop(L);
    if (!lua_istable(L, t)) {
        lua_pushfstring(L, "%s: a policy returns a table {name, version, score}", p->path);
        return lua_error(L);
    }
    lua_getfield(L, t, "name");    /* t + 1 */
    lua_getfield(L, t, "version"); /* t + 2 */
    lua_getfield(L, t, "score");   /* t + 3 */
    lua_getfield(L, t, "actions"); /* t + 4 */
    lua_getfield(L, t, "init");    /* t + 5 */
    if (lua_type(L, t + 1) != LUA_TSTRING) return needs(L, p, "name, a string");
    int vt = lua_type(L, t + 2);
    if (vt != LUA_TSTRING && vt != LUA_TNUMBER) return needs(L, p, "version, a string or a number");
    if (vt == LUA_TNUMBER && !isfinite(lua_tonumber(L, t + 2))) /* "nan" or "-nan", by libc */
        return needs(L, p, "version, a finite number or a string");
    if (!lua_isfunction(L, t + 3)) return needs(L, p, "score, a function(deal, scores)");
    if (!lua_isnil(L, t + 4) && !lua_isfunction(L, t + 4))
        return needs(L, p, "actions to be a function(deal, scores) or nil");
    if (!lua_isnil(L, t + 5) && !lua_isfunction(L, t + 5))
        return needs(L, p, "init to be a function(model) or nil");
    const char *problem = label_problem(L, t + 1);
    if (problem) {
        lua_pushfstring(L, "name, a string %s", problem);
        return needs(L, p, lua_tostring(L, -1));
    }
    if ((problem = label_problem(L, t + 2))) { /* a number becomes its text here */
        lua_pushfstring(L, "version, a number or a string %s", problem);
        return needs(L, p, lua_tostring(L, -1));
    }
    snprintf(p->label, sizeof p->label, "%s@%s", lua_tostring(L, t + 1), lua_tostring(L, t + 2));
    p->has_actions = lua_isfunction(L, t + 4);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, t + 3);
    lua_setfield(L, -2, "score");
    lua_pushvalue(L, t + 4);
    lua_setfield(L, -2, "actions");
    lua_pushvalue(L, t + 5);
    lua_setfield(L, -2, "init");
    p->table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

typedef struct init_args {
    dsl_policy *p;
    const ds_params *params;
} init_args;

/* The protected body of init(model): the model is built inside the budgets too. */
static int init_body(lua_State *L) {
    init_args *a = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->p->table_ref);
    if (lua_getfield(L, -1, "init") != LUA_TFUNCTION) return 0;
    dsl_push_json(L, a->params->json);
    lua_call(L, 1, 0);
    return 0;
}

/* A message from a failed load or init: the policy's own text, cleaned of
 * what would break a log line or a JSON answer. */
static void failure_message(lua_State *L, int rc, const dsl_policy *p, const char *stage, char *err,
                            size_t errlen) {
    const char *why = call_failure(rc);
    size_t len = 0;
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    char clean[512];
    if (msg) dsl_text_clean(clean, sizeof clean, msg, len);
    if (why)
        snprintf(err, errlen, "%s: %s%s", p->path, stage, why);
    else if (msg && *stage)
        snprintf(err, errlen, "%s: %s%s", p->path, stage, clean);
    else if (msg)
        snprintf(err, errlen, "%s", clean);
    else
        snprintf(err, errlen, "%s: %sraised an error that is not a string", p->path, stage);
}

/* Opens the policy's own sandbox (its own memory cap: a policy that fills its
 * cap fails only its own deals), loads the file and runs init(model). */
static int open_policy(dsl_policy *p, const dsl_limits *limits, const ds_params *params, char *err,
                       size_t errlen) {
    lua_State *L = p->L = dsl_sandbox_open(limits);
    if (!L) {
        snprintf(err, errlen, "%s: out of memory", p->path);
        return -1;
    }
    dsl_sandbox_set_name(L, p->name);
    lua_pushcfunction(L, load_body);
    lua_pushlightuserdata(L, p);
    int rc = dsl_sandbox_call(L, 1, 0);
    if (rc != DSL_CALL_OK) {
        failure_message(L, rc, p, call_failure(rc) ? "loading " : "", err, errlen);
        return -1;
    }
    init_args a = {p, params};
    lua_pushcfunction(L, init_body);
    lua_pushlightuserdata(L, &a);
    rc = dsl_sandbox_call(L, 1, 0);
    if (rc != DSL_CALL_OK) {
        failure_message(L, rc, p, "init(model): ", err, errlen);
        return -1;
    }
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}

dsl_policies *dsl_policies_open(const dsl_config *c, const ds_params *params, char *err,
                                size_t errlen) {
    dsl_policies *set = calloc(1, sizeof *set);
    if (!set) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    set->field = c->field;
    for (int i = 0; i < c->n; i++) {
        dsl_policy *p = &set->policies[set->n++];
        p->set = set;
        snprintf(p->name, sizeof p->name, "%s", c->policies[i].name);
        snprintf(p->path, sizeof p->path, "%s", c->policies[i].path);
        p->explain = true;
        if (strcmp(p->name, "default") == 0) set->default_index = i;
        if (open_policy(p, &c->limits, params, err, errlen) < 0) {
            dsl_policies_close(set);
            return NULL;
        }
    }
    if (set->n == 0) {
        snprintf(err, errlen, "no policy configured");
        dsl_policies_close(set);
        return NULL;
    }
    return set;
}

void dsl_policies_close(dsl_policies *set) {
    if (!set) return;
    for (int i = 0; i < set->n; i++) dsl_sandbox_close(set->policies[i].L);
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

size_t dsl_policies_memory(const dsl_policies *set) {
    size_t sum = 0;
    for (int i = 0; i < set->n; i++) sum += dsl_sandbox_memory(set->policies[i].L);
    return sum;
}

lua_State *dsl_policy_state(dsl_policy *p) {
    return p->L;
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

void dsl_policy_explain(dsl_policy *p, bool explain) {
    p->explain = explain;
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
    size_t text;      /* bytes of text read from the result so far */
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

/* Results are read raw, and their tables must be plain: no metatable, so no
 * policy code runs while the runtime reads them, and what is read is what the
 * table holds (a proxy would read as empty). */
static bool plain_table(lua_State *L, int idx) {
    if (!lua_istable(L, idx)) return false;
    if (!lua_getmetatable(L, idx)) return true;
    lua_pop(L, 1);
    return false;
}

/* Pushes t[key], raw. */
static int raw_field(lua_State *L, int t, const char *key) {
    t = lua_absindex(L, t);
    lua_pushstring(L, key);
    return lua_rawget(L, t);
}

/* Why the value at idx cannot be a text of the result (a reason, a factor, an
 * action's name or target), or NULL. A NUL byte would cut it short without a
 * word, and bytes that are not UTF-8 would make the result line unreadable to
 * a JSON client. */
static const char *text_problem(lua_State *L, int idx) {
    size_t len;
    if (lua_type(L, idx) != LUA_TSTRING) return "that is not a string";
    const char *s = lua_tolstring(L, idx, &len);
    if (len > MAX_TEXT) return "longer than 4096 bytes";
    if (memchr(s, '\0', len)) return "with a NUL byte";
    if (ds_utf8_invalid_at(s, len) < len) return "that is not valid UTF-8";
    return NULL;
}

/* Counts the string at idx into the result's text, or says why it does not
 * fit (MAX_RESULT_TEXT). */
static const char *over_total(lua_State *L, int idx, call *c) {
    c->text += lua_rawlen(L, idx);
    return c->text > MAX_RESULT_TEXT ? "past 65536 bytes of text in all (a result's reasons, "
                                       "factors and details hold at most 64 KB)"
                                     : NULL;
}

/* Returns NULL, or what is wrong with the reasons (in why when it is built). */
static const char *read_reasons(lua_State *L, call *c, char *why, size_t why_len) {
    if (raw_field(L, -1, "reasons") == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    if (!lua_istable(L, -1)) return "reasons that are not a list of strings";
    if (!plain_table(L, -1))
        return "reasons in a table with a metatable (results are plain tables)";
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (n > 10000) return "reasons that are not a list of at most 10000 strings";
    ds_outcome *out = c->out;
    out->reasons = ds_arena_alloc(c->a, sizeof(char *) * (size_t)(n > 0 ? n : 1));
    if (!out->reasons) luaL_error(L, "not enough memory");
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        if (lua_type(L, -1) != LUA_TSTRING) return "reasons that are not a list of strings";
        const char *problem = text_problem(L, -1);
        if (!problem) problem = over_total(L, -1, c);
        if (problem) {
            snprintf(why, why_len, "reasons[%lld] %s", (long long)i, problem);
            return why;
        }
        out->reasons[out->n_reasons++] = arena_string(c->a, L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return NULL;
}

/* The largest effect a factor may claim. A viability is 0..100 and its
 * factors add up to it; a step may overshoot before a clamp takes it back, but
 * never by millions: such an effect is a bug (1/0.0001, math.maxinteger), and
 * would print as a number of hundreds of digits. */
#define MAX_EFFECT 1e6

/* Why the number at idx cannot be a number of the result, or NULL: NaN and
 * +-inf would be written as null in JSON, as "inf" in text, or dropped. */
static const char *number_problem(lua_State *L, int idx, double lo, double hi,
                                  const char *outside) {
    double v = lua_tonumber(L, idx);
    if (isnan(v)) return "that is NaN";
    if (isinf(v)) return v > 0 ? "that is infinite (inf)" : "that is infinite (-inf)";
    return v < lo || v > hi ? outside : NULL;
}

/* Optional viability factors: {{factor=, effect=, detail=}, ...}. An entry
 * without a factor name and a numeric effect is left out, as documented; one
 * whose texts are not valid UTF-8, or whose numbers are not finite, is an
 * error naming it. */
static const char *read_factors(lua_State *L, call *c, char *why, size_t why_len) {
    if (raw_field(L, -1, "factors") != LUA_TTABLE) {
        lua_pop(L, 1);
        return NULL;
    }
    if (!plain_table(L, -1))
        return "factors in a table with a metatable (results are plain tables)";
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (n > 10000) return "factors that are not a list of at most 10000 entries";
    ds_outcome *out = c->out;
    out->factors = ds_arena_alloc(c->a, sizeof(ds_factor) * (size_t)(n > 0 ? n : 1));
    if (!out->factors) luaL_error(L, "not enough memory");
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, -1, i) == LUA_TTABLE) {
            if (!plain_table(L, -1)) {
                snprintf(why, why_len, "factors[%lld] with a metatable (results are plain tables)",
                         (long long)i);
                return why;
            }
            raw_field(L, -1, "factor");
            raw_field(L, -2, "effect");
            raw_field(L, -3, "detail");
            const char *name_problem = text_problem(L, -3);
            bool is_text = lua_type(L, -1) == LUA_TSTRING;
            const char *detail_problem = is_text ? text_problem(L, -1) : NULL;
            if (!name_problem && !(name_problem = over_total(L, -3, c)) && is_text &&
                !detail_problem)
                detail_problem = over_total(L, -1, c);
            const char *bad = name_problem && lua_type(L, -3) == LUA_TSTRING ? "factor"
                              : detail_problem                               ? "detail"
                                                                             : NULL;
            if (bad) {
                snprintf(why, why_len, "factors[%lld].%s %s", (long long)i, bad,
                         bad[0] == 'f' ? name_problem : detail_problem);
                return why;
            }
            bool has_detail = is_text || lua_type(L, -1) == LUA_TNUMBER;
            bool counted = !name_problem && lua_type(L, -2) == LUA_TNUMBER;
            const char *field = NULL, *number = NULL;
            if (counted &&
                (number = number_problem(L, -2, -MAX_EFFECT, MAX_EFFECT, "beyond +-1000000")))
                field = "effect";
            else if (counted && lua_type(L, -1) == LUA_TNUMBER &&
                     (number = number_problem(L, -1, -HUGE_VAL, HUGE_VAL, NULL)))
                field = "detail";
            if (field) {
                snprintf(why, why_len, "factors[%lld].%s %s", (long long)i, field, number);
                return why;
            }
            if (counted) /* + 0.0: -0.0 is 0 */
                out->factors[out->n_factors++] =
                    (ds_factor){arena_string(c->a, L, -3), lua_tonumber(L, -2) + 0.0, -1,
                                has_detail ? arena_string(c->a, L, -1) : ""};
            lua_pop(L, 3);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return NULL;
}

/* Checks score()'s table (on top of the stack) against the contract. */
static int read_outcome(lua_State *L, call *c) {
    ds_outcome *out = c->out;
    if (!lua_istable(L, -1)) return broken(c, "no table");
    if (!plain_table(L, -1))
        return broken(c, "a table with a metatable (results are plain tables, read raw)");
    raw_field(L, -1, "viability");
    out->viability = lua_tonumber(L, -1);
    bool isnum = lua_type(L, -1) == LUA_TNUMBER;
    lua_pop(L, 1);
    if (!isnum || !isfinite(out->viability) || out->viability < 0 || out->viability > 100) {
        char why[128];
        const char *what = isnan(out->viability)   ? "NaN"
                           : isinf(out->viability) ? (out->viability > 0 ? "inf" : "-inf")
                                                   : NULL;
        if (!isnum) return broken(c, "a viability that is not a number in 0..100");
        if (what)
            snprintf(why, sizeof why, "a viability that is not a number in 0..100 (it is %s)",
                     what);
        else
            snprintf(why, sizeof why, "a viability that is not a number in 0..100 (it is %.6g)",
                     out->viability);
        return broken(c, why);
    }
    out->viability += 0.0; /* -0.0 is 0 */
    raw_field(L, -1, "verdict");
    size_t verdict_len = 0;
    const char *verdict =
        lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &verdict_len) : NULL;
    int v = verdict && strlen(verdict) == verdict_len ? ds_enum_lookup(verdicts, verdict) : -1;
    lua_pop(L, 1);
    if (v < 0)
        return broken(
            c, "a verdict that is not pursue, shape, at_risk, walk_away or insufficient_data");
    out->verdict = verdicts[v];
    char why[128];
    int computed = raw_field(L, -1, "computed_viability");
    const char *number =
        computed == LUA_TNUMBER ? number_problem(L, -1, 0, 100, "outside 0..100") : NULL;
    if (computed != LUA_TNIL && (computed != LUA_TNUMBER || number)) {
        snprintf(why, sizeof why, "a computed_viability %s",
                 number ? number : "that is not a number (0..100, or nil)");
        return broken(c, why);
    }
    if (computed == LUA_TNUMBER) {
        out->computed_viability = lua_tonumber(L, -1) + 0.0;
        out->overridden = true;
    }
    lua_pop(L, 1);
    const char *problem = read_reasons(L, c, why, sizeof why);
    if (!problem) problem = read_factors(L, c, why, sizeof why);
    if (problem) return broken(c, problem);
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
    if (raw_field(L, patch, "stakeholders") == LUA_TTABLE) {
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
                char id[80] = "";
                if (lua_type(L, -1) == LUA_TSTRING) {
                    size_t n;
                    const char *s = lua_tolstring(L, -1, &n);
                    dsl_text_clean(id, sizeof id, s, n);
                }
                snprintf(why, len,
                         "patch.stakeholders naming %s%s%s, not a stakeholder id of this deal",
                         lua_type(L, -1) == LUA_TSTRING ? "\"" : "a key that is not a string", id,
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

/* A patch may be large (it can add stakeholders) but not without end: it is
 * copied into the deal's memory for every action. */
#define MAX_PATCH ((size_t)1 << 20)

static int free_buffer(lua_State *L) {
    ds_buf_free(lua_touserdata(L, 1));
    return 0;
}

/* A ds_buf owned by a userdata on the stack: writing a patch charges the
 * budget, which may raise, and the collector then frees what was written. */
static ds_buf *new_buffer(lua_State *L) {
    ds_buf *b = lua_newuserdatauv(L, sizeof(ds_buf), 0);
    ds_buf_init(b);
    if (luaL_newmetatable(L, "dealscore.buffer")) {
        lua_pushcfunction(L, free_buffer);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

/* One entry {action = "name", target = "id", patch = {...}} into *act. */
static int read_action(lua_State *L, call *c, dsl_action *act) {
    if (!lua_istable(L, -1)) return broken(c, "an action that is not a table");
    if (!plain_table(L, -1))
        return broken(c, "an action with a metatable (results are plain tables, read raw)");
    int t = lua_gettop(L);
    raw_field(L, t, "action");
    raw_field(L, t, "target");
    raw_field(L, t, "patch");
    if (lua_type(L, t + 1) != LUA_TSTRING || !*lua_tostring(L, t + 1))
        return broken(c, "an action without a name (action = \"...\")");
    const char *problem = text_problem(L, t + 1);
    char why[200];
    if (problem) {
        snprintf(why, sizeof why, "an action name %s", problem);
        return broken(c, why);
    }
    if (!lua_isnil(L, t + 2) && lua_type(L, t + 2) != LUA_TSTRING)
        return broken(c, "an action whose target is not a string");
    if (!lua_isnil(L, t + 2) && (problem = text_problem(L, t + 2))) {
        snprintf(why, sizeof why, "an action target %s", problem);
        return broken(c, why);
    }
    if (!lua_istable(L, t + 3)) return broken(c, "an action without a patch table");
    problem = patch_problem(L, t + 3, c->an->deal, why, sizeof why);
    if (problem) return broken(c, problem);
    ds_buf *json = new_buffer(L);
    dsl_json_opts opts = {.max = MAX_PATCH, .plain = true};
    int rc = dsl_write_json_opts(L, t + 3, json, &opts, why, sizeof why);
    c->text += json->len + lua_rawlen(L, t + 1) + (lua_isnil(L, t + 2) ? 0 : lua_rawlen(L, t + 2));
    if (rc == 0 && c->text > MAX_PATCH) {
        ds_buf_free(json);
        return broken(c, "actions past 1 MiB in all (names, targets and patches' JSON)");
    }
    if (rc == 0 && !json->failed) act->patch = ds_arena_strdup(c->a, json->data);
    ds_buf_free(json);
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
    if (!plain_table(L, -1))
        return broken(c, "a list with a metatable (results are plain tables, read raw)");
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (n > 1000) return broken(c, "more than 1000 actions");
    *c->actions = ds_arena_alloc(c->a, sizeof(dsl_action) * (size_t)(n > 0 ? n : 1));
    if (!*c->actions) return luaL_error(L, "not enough memory");
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        c->item = i;
        if (read_action(L, c, &(*c->actions)[*c->n_actions]) == 0) return 0;
        (*c->n_actions)++;
        lua_pop(L, 1);
    }
    return 0;
}

/* math.random starts each deal from a seed made of the deal's id: a policy that
 * draws random numbers gives the same result for the same deal, whatever
 * deals came before it, in whichever worker (--jobs) it ran. */
static void reseed(lua_State *L, const char *id) {
    unsigned long long h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *s = (const unsigned char *)id; s && *s; s++)
        h = (h ^ *s) * 1099511628211ull;
    dsl_sandbox_seed(L, h);
}

/* The policy table's name@version, read inside the protection (the dealscore
 * module hands over a table of its own, metamethods and all). */
static void label_of_table(lua_State *L, int policy, call *c) {
    lua_getfield(L, policy, "name");
    lua_getfield(L, policy, "version");
    const char *name = lua_tostring(L, -2), *version = lua_tostring(L, -1);
    c->out->policy =
        ds_arena_printf(c->a, "%s@%s", name ? name : "policy", version ? version : "0");
    if (!c->out->policy) luaL_error(L, "not enough memory");
    lua_pop(L, 2);
}

/* The protected body of a call: everything that touches Lua. */
static int run_policy(lua_State *L) {
    call *c = lua_touserdata(L, 1);
    if (c->p) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->p->table_ref);
        raw_field(L, -1, c->function);
        reseed(L, c->an->deal->id);
    } else { /* the policy table is argument 2 */
        label_of_table(L, 2, c);
        lua_getfield(L, 2, c->function);
    }
    dsl_view_push(L, c->an, c->p ? c->p->explain : true);
    push_scores(L, c->an);
    lua_call(L, 2, 1);
    return c->out ? read_outcome(L, c) : read_actions(L, c);
}

/* An error the policy raised: its message carries file:line unless the policy
 * raised it without a position (error(msg, 0)) or raised a non-string value;
 * then the policy's file is named instead. The message is the policy's text:
 * it is cleaned to valid UTF-8 without control characters. */
static void set_raised(call *c, lua_State *L) {
    size_t len = 0;
    const char *raw = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    char msg[400];
    if (raw) dsl_text_clean(msg, sizeof msg, raw, len);
    if (!raw)
        ds_error_set(c->err, "policy_error", "$", "%s: %s() raised an error that is not a string",
                     c->source, c->function);
    else if (!strstr(msg, ".lua:"))
        ds_error_set(c->err, "policy_error", "$", "%s: %s(): %s", c->source, c->function, msg);
    else
        ds_error_set(c->err, "policy_error", "$", "%s", msg);
}

static int run(dsl_policy *p, call *c) {
    lua_State *L = p->L;
    lua_settop(L, 0);
    lua_pushcfunction(L, run_policy);
    lua_pushlightuserdata(L, c);
    int rc = dsl_sandbox_call(L, 1, 0);
    dsl_view_release(L);
    const dsl_limits *l = dsl_sandbox_limits(L);
    const char *why = dsl_sandbox_why(L);
    if (rc == DSL_CALL_TIMEOUT && *why)
        ds_error_set(c->err, "policy_timeout", "$", "%s: %s() %s (budget: %lld instructions)",
                     p->path, c->function, why, l->instructions);
    else if (rc == DSL_CALL_TIMEOUT)
        ds_error_set(c->err, "policy_timeout", "$",
                     "%s: %s() ran past its budget of %lld instructions (runtime."
                     "instruction_budget, --policy-instructions)",
                     p->path, c->function, l->instructions);
    else if (rc == DSL_CALL_MEMORY && *why)
        ds_error_set(c->err, "policy_memory", "$", "%s: %s() %s", p->path, c->function, why);
    else if (rc == DSL_CALL_MEMORY)
        ds_error_set(c->err, "policy_memory", "$",
                     "%s: %s() ran out of memory: the policy's Lua state may hold %zu MB "
                     "(runtime.memory_limit_mb, --policy-memory)",
                     p->path, c->function, l->memory >> 20);
    else if (rc != DSL_CALL_OK)
        set_raised(c, L);
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
    call c = {.source = source, .an = an, .a = a, .err = err, .function = "score", .out = out};
    int top = lua_gettop(L);
    lua_pushcfunction(L, run_policy);
    lua_pushlightuserdata(L, &c);
    lua_pushvalue(L, policy);
    int rc = lua_pcall(L, 2, 0, 0);
    dsl_view_release(L);
    if (rc != LUA_OK) set_raised(&c, L);
    lua_settop(L, top);
    if (!out->policy) out->policy = "policy@0";
    return rc == LUA_OK && !c.contract_broken ? 0 : -1;
}
