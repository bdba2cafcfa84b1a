/* test_runtime.c: the policy runtime's C interface, as workers and the server
 * use it: configs, one policy set per thread, reloading, budgets, JSON from Lua. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lauxlib.h>

#include "ds_json.h"
#include "dsl.h"

#define SRC DEALSCORE_DATADIR

static ds_params params;
static char *pipeline[64];
static int n_pipeline;

static int setup(void **state) {
    (void)state;
    char err[512];
    if (ds_params_load_file(&params, SRC "/models/default.json", err, sizeof err) < 0) return -1;
    ds_json_init();
    FILE *f = fopen(SRC "/models/examples/pipeline.jsonl", "r");
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    while (n_pipeline < 64 && getline(&line, &cap, f) > 1) pipeline[n_pipeline++] = strdup(line);
    free(line);
    fclose(f);
    return n_pipeline > 0 ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    for (int i = 0; i < n_pipeline; i++) free(pipeline[i]);
    ds_params_free(&params);
    return 0;
}

static dsl_config config_of(const char *spec) {
    dsl_config c = {0};
    char err[256];
    dsl_limits_from_model(&c.limits, &params, err, sizeof err);
    assert_int_equal(dsl_config_add(&c, spec, err, sizeof err), 0);
    return c;
}

static void config_names(void **state) {
    (void)state;
    dsl_config c = {0};
    char err[256];
    assert_int_equal(dsl_config_add(&c, "a.lua", err, sizeof err), 0);
    assert_int_equal(dsl_config_add(&c, "gold=g.lua", err, sizeof err), 0);
    assert_int_equal(dsl_config_add(&c, "gold=g2.lua", err, sizeof err), 0);
    assert_int_equal(dsl_config_add(&c, "dir/x=y.lua", err, sizeof err), 0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.policies[0].name, "default");
    assert_string_equal(c.policies[0].path, "dir/x=y.lua"); /* a path with '=' */
    assert_string_equal(c.policies[1].name, "gold");
    assert_string_equal(c.policies[1].path, "g2.lua"); /* a repeated name replaces */
    assert_int_equal(dsl_config_add(&c, "=x.lua", err, sizeof err), -1);
    assert_int_equal(dsl_config_add(&c, "a b=x.lua", err, sizeof err), -1);
    assert_int_equal(dsl_config_add(&c, "gold=", err, sizeof err), -1);
    assert_non_null(strstr(err, "NAME=FILE"));
}

static void limits_default_and_model(void **state) {
    (void)state;
    dsl_limits l;
    char err[256];
    assert_int_equal(dsl_limits_from_model(&l, &params, err, sizeof err), 0);
    assert_true(l.instructions > 0 && l.memory > 0);
    ds_params p;
    assert_int_equal(ds_params_load_file(&p, SRC "/models/default.json", err, sizeof err), 0);
    cJSON_DeleteItemFromObject(p.json, "runtime");
    assert_int_equal(dsl_limits_from_model(&l, &p, err, sizeof err), 0);
    assert_int_equal(l.instructions, DSL_DEFAULT_INSTRUCTIONS);
    assert_int_equal(l.memory, (size_t)DSL_DEFAULT_MEMORY_MB << 20);
    cJSON_AddItemToObject(p.json, "runtime", cJSON_CreateString("fast"));
    assert_int_equal(dsl_limits_from_model(&l, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "runtime"));
    ds_params_free(&p);
}

/* A reload that fails leaves the old set serving. */
static void reload_keeps_old_set(void **state) {
    (void)state;
    char err[512];
    dsl_config good = config_of(SRC "/scripts/default.lua");
    dsl_scorer s;
    assert_int_equal(dsl_scorer_open(&s, &params, &good, err, sizeof err), 0);
    assert_int_equal(dsl_scorer_run(&s, pipeline[0], strlen(pipeline[0]), "t:1"), 0);
    dsl_config broken = config_of(SRC "/tests/policy/sandbox/syntax.lua");
    dsl_policies *next = dsl_policies_open(&broken, &params, err, sizeof err);
    assert_null(next);
    assert_non_null(strstr(err, "syntax.lua:4:"));
    assert_int_equal(dsl_scorer_run(&s, pipeline[1], strlen(pipeline[1]), "t:2"), 0);
    assert_non_null(strstr(s.out.data, "\"policy\":\"default@1\""));
    /* and a reload that works swaps */
    dsl_config other = config_of(SRC "/scripts/examples/it_first.lua");
    next = dsl_policies_open(&other, &params, err, sizeof err);
    assert_non_null(next);
    dsl_policies_close(s.policies);
    s.policies = next;
    assert_int_equal(dsl_scorer_run(&s, pipeline[2], strlen(pipeline[2]), "t:3"), 0);
    assert_non_null(strstr(s.out.data, "\"policy\":\"it_first@1\""));
    dsl_scorer_free(&s);
}

/* The deal text with a "misbehave" key added. */
static char *misbehaving(const char *deal, const char *how) {
    cJSON *d = cJSON_Parse(deal);
    cJSON_AddStringToObject(d, "misbehave", how);
    char *text = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    return text;
}

static void budgets_end_one_deal(void **state) {
    (void)state;
    char err[512];
    dsl_config c = config_of(SRC "/tests/policy/sandbox/budget.lua");
    c.limits.instructions = 1000000;
    c.limits.memory = 8u << 20;
    dsl_scorer s;
    assert_int_equal(dsl_scorer_open(&s, &params, &c, err, sizeof err), 0);
    const char *hows[] = {"loop", "memory", "memory_pcall", "string", "loop_pcall"};
    const char *codes[] = {"policy_timeout", "policy_memory", "policy_memory", "policy_memory",
                           "policy_timeout"};
    for (int round = 0; round < 3; round++) /* the state stays usable, round after round */
        for (size_t i = 0; i < sizeof hows / sizeof hows[0]; i++) {
            char *bad = misbehaving(pipeline[i], hows[i]);
            assert_int_equal(dsl_scorer_run(&s, bad, strlen(bad), "t"), 1);
            if (!strstr(s.out.data, codes[i])) fail_msg("%s: %s", hows[i], s.out.data);
            free(bad);
            assert_int_equal(dsl_scorer_run(&s, pipeline[i], strlen(pipeline[i]), "t"), 0);
            assert_non_null(strstr(s.out.data, "\"reasons\":[\"normal\"]"));
            assert_true(dsl_policies_memory(s.policies) < c.limits.memory);
        }
    dsl_scorer_free(&s);
}

/* A view kept for a later deal is stale, even 2^32 deals later (a 32-bit
 * generation would meet itself again and read a freed deal). */
static void view_generation_does_not_wrap(void **state) {
    (void)state;
    char err[512];
    dsl_config c = config_of(SRC "/tests/policy/sandbox/keep_view.lua");
    dsl_scorer s;
    assert_int_equal(dsl_scorer_open(&s, &params, &c, err, sizeof err), 0);
    assert_int_equal(dsl_scorer_run(&s, pipeline[0], strlen(pipeline[0]), "t:1"), 0);
    dsl_view_skip(dsl_policy_state(dsl_policies_get(s.policies, NULL)), (1ull << 32) - 1);
    assert_int_equal(dsl_scorer_run(&s, pipeline[1], strlen(pipeline[1]), "t:2"), 1);
    assert_non_null(strstr(s.out.data, "deal view used after its deal was scored"));
    dsl_scorer_free(&s);
}

/* Each policy has its own memory cap: one that fills its cap fails its own
 * deals only (a shared state would fail the other policy's deals too). */
static void memory_cap_per_policy(void **state) {
    (void)state;
    char err[512];
    dsl_config c = config_of(SRC "/scripts/default.lua");
    assert_int_equal(dsl_config_add(&c, "fill=" SRC "/tests/reliability/policies/fill_memory.lua",
                                    err, sizeof err),
                     0);
    c.field = "policy";
    c.limits.memory = 8u << 20;
    dsl_scorer s;
    assert_int_equal(dsl_scorer_open(&s, &params, &c, err, sizeof err), 0);
    for (int round = 0; round < 3; round++) {
        char *filler = misbehaving(pipeline[0], "x");
        cJSON *d = cJSON_Parse(filler);
        cJSON_AddStringToObject(d, "policy", "fill");
        char *text = cJSON_PrintUnformatted(d);
        assert_int_equal(dsl_scorer_run(&s, text, strlen(text), "t"), 1);
        assert_non_null(strstr(s.out.data, "policy_memory"));
        assert_int_equal(dsl_scorer_run(&s, pipeline[1], strlen(pipeline[1]), "t"), 0);
        assert_non_null(strstr(s.out.data, "\"policy\":\"default@1\""));
        cJSON_Delete(d);
        free(text);
        free(filler);
    }
    dsl_scorer_free(&s);
}

/* ---- one set per thread ---- */

typedef struct worker {
    const dsl_config *config;
    ds_buf results;
    int failures;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    char err[512];
    dsl_scorer s;
    if (dsl_scorer_open(&s, &params, w->config, err, sizeof err) < 0) {
        w->failures++;
        return NULL;
    }
    for (int round = 0; round < 20; round++)
        for (int i = 0; i < n_pipeline; i++) {
            if (dsl_scorer_run(&s, pipeline[i], strlen(pipeline[i]), "t") != 0 && !w->failures++)
                fprintf(stderr, "%s\n", s.out.data);
            if (round == 19) ds_buf_add(&w->results, s.out.data, s.out.len);
        }
    dsl_scorer_free(&s);
    return NULL;
}

static void threads_each_own_set(void **state) {
    (void)state;
    dsl_config c = config_of(SRC "/scripts/default.lua");
    char err[256];
    assert_int_equal(
        dsl_config_add(&c, "it=" SRC "/scripts/examples/it_first.lua", err, sizeof err), 0);
    c.field = "policy";
    enum { N = 4 };
    worker w[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        w[i] = (worker){.config = &c};
        ds_buf_init(&w[i].results);
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        ds_buf_putc(&w[i].results, '\0');
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(w[i].failures, 0);
        assert_int_equal(w[i].results.len, w[0].results.len);
        assert_memory_equal(w[i].results.data, w[0].results.data, w[0].results.len);
    }
    assert_non_null(strstr(w[0].results.data, "\"policy\":\"default@1\""));
    for (int i = 0; i < N; i++) ds_buf_free(&w[i].results);
}

/* ---- Lua values as JSON ---- */

static ds_buf b;

static const char *json_of(lua_State *L, const char *lua, char *err) {
    ds_buf_free(&b);
    ds_buf_init(&b);
    luaL_dostring(L, lua);
    int rc = dsl_write_json(L, -1, &b, err, 160);
    lua_settop(L, 0);
    ds_buf_putc(&b, '\0');
    return rc == 0 ? b.data : NULL;
}

static void write_json(void **state) {
    (void)state;
    lua_State *L = luaL_newstate();
    char err[160];
    assert_string_equal(json_of(L, "return {1, 2.5, 'x', true}", err), "[1,2.5,\"x\",true]");
    assert_string_equal(json_of(L, "return {a = {b = {}}}", err), "{\"a\":{\"b\":[]}}");
    assert_string_equal(json_of(L, "return 'q\"\\n'", err), "\"q\\\"\\n\"");
    assert_null(json_of(L, "return {1, x = 2}", err));
    assert_non_null(strstr(err, "mixing"));
    assert_null(json_of(L, "return {f = function() end}", err));
    assert_non_null(strstr(err, "function"));
    assert_null(json_of(L, "return {0/0}", err));
    assert_null(json_of(L, "local t = {} t.t = t return t", err));
    assert_non_null(strstr(err, "deeper"));
    ds_buf_free(&b);
    lua_close(L);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_names),
        cmocka_unit_test(limits_default_and_model),
        cmocka_unit_test(reload_keeps_old_set),
        cmocka_unit_test(budgets_end_one_deal),
        cmocka_unit_test(threads_each_own_set),
        cmocka_unit_test(write_json),
        cmocka_unit_test(view_generation_does_not_wrap),
        cmocka_unit_test(memory_cap_per_policy),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
