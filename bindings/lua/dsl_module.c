/* dsl_module.c: `require "dealscore"` from stock lua5.4, to unit-test policies.
 *
 * Teams test their policies with plain Lua tooling: build/lua/dealscore.so on
 * package.cpath gives
 *
 *   dealscore.score(deal, policy [, options]) -> result table
 *       deal: a table (as in the JSONL export) or JSON text;
 *       policy: a file path, scored in the same sandbox and budgets as
 *       `dealscore score`, or a policy table {name, version, score}, run
 *       directly in the caller's state (handy for stubs; no sandbox);
 *       options: {model = "path.json", explain = true, as_of = "YYYY-MM-DD"}.
 *       The result is the result line as a table; a deal that cannot be scored
 *       gives {id = ..., error = {code, message, path}}, as the CLI would.
 *   dealscore.read_deals(path) -> deals, problems: the deal tables of a JSONL
 *       file or JSON array, read as `dealscore score` reads them, and what
 *       could not be read ({code, message, where}), never dropped silently
 *   dealscore.model([path]) -> the model as a table
 *
 * Scoring goes through the engine API (lib/dealscore.h) as `dealscore score`
 * does: the model from dealscore_model_load, an engine per (model, policy)
 * from dealscore_engine_new, cached in the caller's registry, and
 * dealscore_score's typed result pushed as a table, so the module and the
 * program score identically. A policy table cannot be one of the engine's
 * policies (its functions live in the caller's state): it is scored by the
 * same engine, parse, validation and analysis included, with only the decision
 * made in the caller's state (dealscore_score_table, dealscore_internal.h). The
 * module links the library statically and takes the Lua API from the
 * interpreter that loads it. */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore.h"
#include "dealscore_internal.h" /* dealscore_score_table, the model's JSON */

#define CACHE "dealscore.module.cache" /* registry: "model|policy" -> runner */
#define RUNNER "dealscore.module.runner"

/* A loaded model and its engine: with the policy file, or (for policy tables)
 * with the bundled default, whose decision a table replaces. */
typedef struct runner {
    dealscore_model *model;
    dealscore_engine *engine;
} runner;

static int runner_gc(lua_State *L) {
    runner *r = luaL_checkudata(L, 1, RUNNER);
    dealscore_engine_free(r->engine); /* before its model */
    dealscore_model_free(r->model);
    r->engine = NULL;
    r->model = NULL;
    return 0;
}

/* The runner for (model path or NULL: the bundled one, policy path or NULL),
 * created on first use. */
static runner *get_runner(lua_State *L, const char *model, const char *policy) {
    lua_getfield(L, LUA_REGISTRYINDEX, CACHE);
    lua_pushfstring(L, "%s|%s", model ? model : "", policy ? policy : "");
    if (lua_rawget(L, -2) == LUA_TUSERDATA) {
        runner *r = lua_touserdata(L, -1);
        lua_pop(L, 2);
        return r;
    }
    lua_pop(L, 1);
    runner *r = lua_newuserdatauv(L, sizeof *r, 0);
    memset(r, 0, sizeof *r);
    luaL_setmetatable(L, RUNNER);
    char err[1024];
    if (!(r->model = dealscore_model_load(model, err, sizeof err)))
        luaL_error(L, "dealscore: %s", err);
    dealscore_options o;
    dealscore_options_init(&o);
    if ((policy && dealscore_options_policy(&o, NULL, policy, err, sizeof err) < 0) ||
        !(r->engine = dealscore_engine_new(r->model, &o, err, sizeof err)))
        luaL_error(L, "dealscore: policy: %s", err);
    lua_pushfstring(L, "%s|%s", model ? model : "", policy ? policy : "");
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
    lua_pop(L, 2);
    return r;
}

/* ---- a result as a Lua table: what parsing its JSON line gives ---- */

/* t[key] = v rounded as the JSON line writes it; nothing (nil) where the line
 * has null. */
static void set_number(lua_State *L, const char *key, double v, int decimals) {
    if (!isfinite(v)) return;
    lua_pushnumber(L, dealscore_round(v, decimals));
    lua_setfield(L, -2, key);
}

static void set_string(lua_State *L, const char *key, const char *v) {
    if (!v) return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, key);
}

static void push_strings(lua_State *L, const char *const *s, int n) {
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, s[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

static void push_factors(lua_State *L, const dealscore_factor *f, int n) {
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 4);
        set_string(L, "factor", f[i].factor);
        set_number(L, "effect", f[i].effect, DEALSCORE_DECIMALS_SHARE);
        set_string(L, "stakeholder", f[i].stakeholder);
        set_string(L, "detail", f[i].detail);
        lua_rawseti(L, -2, i + 1);
    }
}

static void push_explain(lua_State *L, const dealscore_result *r) {
    lua_createtable(L, 0, DEALSCORE_NSCORES + 1);
    for (int k = 0; k < DEALSCORE_NSCORES; k++) {
        push_factors(L, r->factors[k], r->n_factors[k]);
        lua_setfield(L, -2, dealscore_score_name(k));
    }
    if (r->n_viability_factors) {
        push_factors(L, r->viability_factors, r->n_viability_factors);
        lua_setfield(L, -2, "viability");
    }
    lua_setfield(L, -2, "factors");
    lua_createtable(L, r->n_stakeholders, 0);
    for (int i = 0; i < r->n_stakeholders; i++) {
        const dealscore_stakeholder *p = &r->stakeholders[i];
        lua_createtable(L, 0, 4);
        set_string(L, "id", p->id);
        set_number(L, "effective_influence", p->effective_influence, DEALSCORE_DECIMALS_SHARE);
        set_number(L, "predicted_stance", p->predicted_stance, DEALSCORE_DECIMALS_SHARE);
        if (p->n_inferred) {
            lua_createtable(L, 0, p->n_inferred);
            for (int k = 0; k < p->n_inferred; k++)
                set_string(L, p->inferred[k].field, p->inferred[k].source);
            lua_setfield(L, -2, "inferred");
        }
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "stakeholders");
}

/* The result as the table its JSON line parses to (dsl_push_json). */
static void push_result(lua_State *L, const dealscore_result *r) {
    lua_createtable(L, 0, 10);
    set_string(L, "id", r->id);
    if (r->error.code) {
        lua_createtable(L, 0, 3);
        set_string(L, "code", r->error.code);
        set_string(L, "message", r->error.message);
        set_string(L, "path", r->error.path);
        lua_setfield(L, -2, "error");
        return;
    }
    set_string(L, "policy", r->policy);
    set_string(L, "model", r->model);
    lua_createtable(L, 0, DEALSCORE_NSCORES + 3);
    for (int k = 0; k < DEALSCORE_NSCORES; k++)
        set_number(L, dealscore_score_name(k), r->scores[k], DEALSCORE_DECIMALS_SCORE);
    set_number(L, "viability", r->viability, DEALSCORE_DECIMALS_SCORE);
    if (r->has_win_probability)
        set_number(L, "win_probability", r->win_probability, DEALSCORE_DECIMALS_SHARE);
    if (r->overridden)
        set_number(L, "computed_viability", r->computed_viability, DEALSCORE_DECIMALS_SCORE);
    lua_setfield(L, -2, "scores");
    set_string(L, "verdict", r->verdict);
    push_strings(L, r->reasons, r->n_reasons);
    lua_setfield(L, -2, "reasons");
    push_strings(L, r->warnings, r->n_warnings);
    lua_setfield(L, -2, "warnings");
    set_number(L, "coverage", r->coverage, DEALSCORE_DECIMALS_SHARE);
    if (r->flags & DEALSCORE_EXPLAIN) push_explain(L, r);
}

/* The deal argument as JSON text, pushed as a string. */
static void push_deal_text(lua_State *L, int idx) {
    if (lua_type(L, idx) == LUA_TSTRING) {
        lua_pushvalue(L, idx);
        return;
    }
    luaL_checktype(L, idx, LUA_TTABLE);
    ds_buf b;
    ds_buf_init(&b);
    char err[160];
    int rc = dsl_write_json(L, idx, &b, err, sizeof err);
    if (rc == 0 && !b.failed) lua_pushlstring(L, b.data, b.len);
    ds_buf_free(&b);
    if (rc < 0) luaL_error(L, "dealscore.score: the deal has %s", err);
}

static const char *opt_string(lua_State *L, int opts, const char *key) {
    if (lua_isnoneornil(L, opts)) return NULL;
    lua_getfield(L, opts, key);
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1);
    return s; /* the options table keeps the string alive */
}

static int module_score(lua_State *L) {
    lua_settop(L, 3);
    if (!lua_isnil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
    const char *model = opt_string(L, 3, "model"), *as_of_text = opt_string(L, 3, "as_of");
    bool explain = false;
    if (!lua_isnil(L, 3)) {
        lua_getfield(L, 3, "explain");
        explain = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    bool table = lua_type(L, 2) == LUA_TTABLE;
    runner *r = get_runner(L, model, table ? NULL : luaL_checkstring(L, 2));
    if (dealscore_engine_set_as_of(r->engine, as_of_text) < 0)
        return luaL_error(L, "dealscore.score: as_of takes YYYY-MM-DD, not '%s'", as_of_text);
    dealscore_engine_set_flags(r->engine, explain ? DEALSCORE_EXPLAIN : 0, NULL, 0);
    push_deal_text(L, 1); /* index 4 */
    const char *text = lua_tostring(L, 4);
    size_t len = lua_rawlen(L, 4);
    push_result(L, table ? dealscore_score_table(r->engine, L, 2, "policy table", text, len, "deal")
                         : dealscore_score(r->engine, text, len, "deal"));
    return 1;
}

/* read_deals: the deals at table index 2, what could not be read at index 3. */
typedef struct read_run {
    lua_State *L;
    int deals, problems;
} read_run;

static void add_problem(read_run *r, const char *code, const char *message, const char *where) {
    lua_State *L = r->L;
    lua_createtable(L, 0, 3);
    lua_pushstring(L, code);
    lua_setfield(L, -2, "code");
    lua_pushstring(L, message);
    lua_setfield(L, -2, "message");
    if (where) {
        lua_pushstring(L, where);
        lua_setfield(L, -2, "where");
    }
    lua_rawseti(L, 3, ++r->problems);
}

static int read_deal(void *ctx, const char *text, size_t len, const char *where) {
    read_run *r = ctx;
    cJSON *d = cJSON_ParseWithLength(text, len);
    if (!d) {
        char message[800];
        snprintf(message, sizeof message, "%s: not valid JSON", where);
        add_problem(r, "bad_json", message, where);
        return 0;
    }
    dsl_push_json(r->L, d);
    cJSON_Delete(d);
    lua_rawseti(r->L, 2, ++r->deals);
    return 0;
}

static int read_reject(void *ctx, const char *code, const char *message) {
    add_problem(ctx, code, message, NULL);
    return 0;
}

/* The deals of a JSONL file or JSON array, read by the program's own reader
 * (lib/dealscore_input.c: a BOM, broken arrays recovered line by line), and
 * what could not be read, each {code, message[, where]}: nothing is dropped
 * silently. */
static int module_read_deals(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    FILE *f = fopen(path, "rb");
    if (!f) return luaL_error(L, "dealscore.read_deals: cannot open %s", path);
    lua_newtable(L); /* 2: deals */
    lua_newtable(L); /* 3: problems */
    read_run r = {L, 0, 0};
    dealscore_input in = {.deal = read_deal, .reject = read_reject, .ctx = &r};
    int rc = dealscore_input_read(f, path, &in);
    fclose(f);
    if (rc < 0) return luaL_error(L, "dealscore.read_deals: %s: read error", path);
    return 2;
}

static int module_model(lua_State *L) {
    runner *r = get_runner(L, luaL_optstring(L, 1, NULL), NULL);
    dsl_push_json(L, dealscore_model_params(r->model)->json);
    return 1;
}

int luaopen_dealscore(lua_State *L) {
    static const luaL_Reg functions[] = {{"score", module_score},
                                         {"read_deals", module_read_deals},
                                         {"model", module_model},
                                         {NULL, NULL}};
    dsl_view_register(L); /* views for policy tables run in this state */
    if (luaL_newmetatable(L, RUNNER)) {
        lua_pushcfunction(L, runner_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, CACHE);
    luaL_newlib(L, functions);
    lua_pushliteral(L, DEALSCORE_VERSION);
    lua_setfield(L, -2, "version");
    return 1;
}
