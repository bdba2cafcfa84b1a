/* test_faults.c: every allocation of a deal's scoring fails in turn.
 *
 * Lua's own test suite runs under an allocator that fails on purpose; this is the
 * same for the core. For each deal (the examples, generated-like edge cases and
 * invalid deals), allocation k of parse, decode, analysis, policy and result
 * writing is refused, for every k until the deal needs no more: each run must end
 * in an out_of_memory error line (valid JSON), never a crash or a half-written
 * result, and the next run without a fault must give the same result as before.
 * With next best actions, the refusals also fall inside the copies that are
 * tried and given back (ds_arena_release) one after the other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ds_json.h"
#include "dsl.h"
#include "test_alloc.h"

typedef struct fixture {
    ds_params params;
    dsl_policy *policy;
    dsl_scorer scorer;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    char err[1024];
    assert_non_null(f);
    assert_int_equal(
        ds_params_load_file(&f->params, DEALSCORE_DATADIR "/models/default.json", err, sizeof err),
        0);
    ds_json_init();
    f->policy =
        dsl_policy_open(DEALSCORE_DATADIR "/scripts/default.lua", &f->params, err, sizeof err);
    assert_non_null(f->policy);
    dsl_scorer_init(&f->scorer, &f->params, dsl_policy_set(f->policy));
    f->scorer.flags = DS_OUT_EXPLAIN; /* the longest result: every factor */
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    dsl_scorer_free(&f->scorer);
    dsl_policy_close(f->policy);
    ds_params_free(&f->params);
    free(f);
    return 0;
}

/* The error code of a result line, or "" for a result. */
static void error_code(const char *line, char *code, size_t len) {
    cJSON *r = cJSON_Parse(line);
    assert_non_null(r); /* valid JSON, whatever happened */
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");
    const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code"));
    snprintf(code, len, "%s", c ? c : "");
    cJSON_Delete(r);
}

/* Fails each allocation of one deal in turn; returns how many were failed. */
static unsigned long fail_each_allocation(fixture *f, const char *text) {
    dsl_scorer *s = &f->scorer;
    int base_rc = dsl_scorer_run(s, text, strlen(text), "deal");
    char *baseline = strdup(s->out.data);
    assert_non_null(baseline);
    unsigned long k;
    test_alloc t = {0};
    size_t block_size = s->arena.block_size;
    test_alloc_install(&t, &s->arena);
    for (k = 1; k < 1000000; k++) {
        t.countdown = k;
        int rc = dsl_scorer_run(s, text, strlen(text), "deal");
        if (t.countdown != 0) break; /* the deal needed fewer than k */
        char code[64];
        error_code(s->out.data, code, sizeof code);
        if (rc != 1 || strcmp(code, "out_of_memory") != 0)
            fail_msg("allocation %lu refused: rc %d, got %s", k, rc, s->out.data);
        /* nothing is left broken: the same deal scores as before */
        assert_int_equal(dsl_scorer_run(s, text, strlen(text), "deal"), base_rc);
        assert_string_equal(s->out.data, baseline);
    }
    test_alloc_remove(&t, &s->arena, block_size);
    free(baseline);
    return k - 1;
}

static void test_examples(void **state) {
    fixture *f = *state;
    FILE *in = fopen(DEALSCORE_DATADIR "/models/examples/pipeline.jsonl", "r");
    assert_non_null(in);
    char *line = NULL;
    size_t cap = 0;
    unsigned long deals = 0, faults = 0;
    while (getline(&line, &cap, in) > 0) {
        if (line[0] != '{') continue;
        faults += fail_each_allocation(f, line);
        deals++;
    }
    free(line);
    fclose(in);
    assert_true(deals >= 10);
    assert_true(faults > deals * 20); /* every deal allocates many times */
    printf("faults: %lu allocations refused over %lu example deals\n", faults, deals);
}

/* Next best actions: many copies of the deal, each released before the next. */
static void test_actions(void **state) {
    fixture *f = *state;
    char err[256];
    unsigned flags = f->scorer.flags;
    assert_int_equal(dsl_scorer_enable_actions(&f->scorer, -1, err, sizeof err), 0);
    FILE *in = fopen(DEALSCORE_DATADIR "/models/examples/pipeline.jsonl", "r");
    assert_non_null(in);
    char *line = NULL;
    size_t cap = 0;
    unsigned long faults = 0, deals = 0;
    while (getline(&line, &cap, in) > 0) {
        if (line[0] != '{') continue;
        faults += fail_each_allocation(f, line);
        assert_non_null(strstr(f->scorer.out.data, "\"actions\":["));
        deals++;
    }
    free(line);
    fclose(in);
    f->scorer.flags = flags;
    assert_true(deals >= 10);
    printf("faults: %lu allocations refused while trying actions on %lu deals\n", faults, deals);
}

/* Error paths allocate too: messages, paths, the id of the error line. */
static void test_invalid_deals(void **state) {
    static const char *const deals[] = {
        "{\"id\":\"e1\",\"stakeholders\":[{\"id\":\"a\",\"influence\":2}]}",
        "{\"id\":\"e2\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"a\"}]}",
        "{\"id\":\"e3\",\"stakeholders\":[{\"id\":\"a\"}],\"relationships\":[{\"from\":\"a\","
        "\"to\":\"zz\",\"type\":\"peer\"}]}",
        "[1, 2, {\"id\": \"not a deal\"}]",
        "{\"id\": \"cut",
        "{\"id\":\"e4\",\"stage\":\"won\"}",
    };
    unsigned long faults = 0;
    for (size_t i = 0; i < sizeof deals / sizeof *deals; i++)
        faults += fail_each_allocation(*state, deals[i]);
    assert_true(faults > 0);
}

/* A deal that needs more than the limit is out_of_memory; the next one scores. */
static void test_limit(void **state) {
    fixture *f = *state;
    dsl_scorer *s = &f->scorer;
    cJSON *deal = cJSON_CreateObject(), *people = cJSON_AddArrayToObject(deal, "stakeholders");
    cJSON_AddStringToObject(deal, "id", "wide");
    for (int i = 0; i < 2000; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "id", id);
        cJSON_AddItemToArray(people, p);
    }
    char *text = cJSON_PrintUnformatted(deal);
    cJSON_Delete(deal);
    size_t saved = s->arena.limit;
    s->arena.limit = 1 << 20; /* 2,000 stakeholders need more than 1 MiB */
    char code[64];
    assert_int_equal(dsl_scorer_run(s, text, strlen(text), "wide"), 1);
    error_code(s->out.data, code, sizeof code);
    assert_string_equal(code, "out_of_memory");
    assert_non_null(strstr(s->out.data, "limit of 1 MiB"));
    const char *small = "{\"id\":\"small\",\"stakeholders\":[{\"id\":\"a\"}]}";
    assert_int_equal(dsl_scorer_run(s, small, strlen(small), "small"), 0);
    s->arena.limit = saved;
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_invalid_deals),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
