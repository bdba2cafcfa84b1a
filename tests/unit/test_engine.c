/* test_engine.c: the public engine API (lib/dealscore.h).
 *
 * The example pipeline is scored through the API and compared with what the
 * program writes for it, byte for byte, with every flag; each typed field is
 * checked against the JSON line it is written as. Then the API's edges: errors
 * and where they were, duplicates, rejects, misuse with NULL. The program to
 * compare with is argv[1]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore.h"

static const char *program;

#define PIPELINE DEALSCORE_DATADIR "/models/examples/pipeline.jsonl"

static dealscore_model *model(void) {
    char err[256];
    dealscore_model *m = dealscore_model_load(NULL, err, sizeof err);
    if (!m) fail_msg("model: %s", err);
    return m;
}

static dealscore_engine *engine(const dealscore_model *m, unsigned flags) {
    dealscore_options o;
    dealscore_options_init(&o);
    o.flags = flags;
    char err[256];
    dealscore_engine *e = dealscore_engine_new(m, &o, err, sizeof err);
    if (!e) fail_msg("engine: %s", err);
    return e;
}

/* Every line the program writes for the pipeline with these options. */
static char **program_lines(const char *options, int *n) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' score --quiet %s '%s'", program, options, PIPELINE);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char **lines = NULL;
    *n = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, p)) > 0) {
        if (line[len - 1] == '\n') line[len - 1] = '\0';
        lines = realloc(lines, (size_t)(*n + 1) * sizeof *lines);
        lines[(*n)++] = strdup(line);
    }
    free(line);
    assert_int_equal(pclose(p) >> 8, 0);
    return lines;
}

static void near(double typed, const cJSON *json, int decimals) {
    assert_true(cJSON_IsNumber(json));
    double scale = pow(10, decimals);
    if (fabs(round(typed * scale) / scale - json->valuedouble) > 0.6 / scale)
        fail_msg("typed %.6f, JSON %.6f", typed, json->valuedouble);
}

static void same_string(const char *typed, const cJSON *json) {
    if (cJSON_IsNull(json) || !json) {
        assert_null(typed);
        return;
    }
    assert_true(cJSON_IsString(json));
    assert_non_null(typed);
    assert_string_equal(typed, json->valuestring);
}

static void same_strings(const char *const *typed, int n, const cJSON *json) {
    assert_int_equal(n, cJSON_GetArraySize(json));
    for (int i = 0; i < n; i++) same_string(typed[i], cJSON_GetArrayItem(json, i));
}

static const cJSON *get(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static void same_factors(const dealscore_factor *f, int n, const cJSON *json) {
    assert_int_equal(n, cJSON_GetArraySize(json));
    for (int i = 0; i < n; i++) {
        const cJSON *j = cJSON_GetArrayItem(json, i);
        same_string(f[i].factor, get(j, "factor"));
        near(f[i].effect, get(j, "effect"), 4);
        same_string(f[i].stakeholder, get(j, "stakeholder"));
        same_string(f[i].detail, get(j, "detail"));
    }
}

static void same_explain(const dealscore_result *r, const cJSON *j) {
    const cJSON *factors = get(j, "factors");
    for (int k = 0; k < DEALSCORE_NSCORES; k++)
        same_factors(r->factors[k], r->n_factors[k], get(factors, dealscore_score_name(k)));
    if (r->n_viability_factors)
        same_factors(r->viability_factors, r->n_viability_factors, get(factors, "viability"));
    else
        assert_null(get(factors, "viability"));
    const cJSON *people = get(j, "stakeholders");
    assert_int_equal(r->n_stakeholders, cJSON_GetArraySize(people));
    for (int i = 0; i < r->n_stakeholders; i++) {
        const cJSON *p = cJSON_GetArrayItem(people, i);
        same_string(r->stakeholders[i].id, get(p, "id"));
        near(r->stakeholders[i].effective_influence, get(p, "effective_influence"), 4);
        near(r->stakeholders[i].predicted_stance, get(p, "predicted_stance"), 4);
        assert_int_equal(r->stakeholders[i].n_inferred, cJSON_GetArraySize(get(p, "inferred")));
    }
}

static void same_actions(const dealscore_result *r, const cJSON *j) {
    const cJSON *a = get(j, "actions");
    assert_int_equal(r->n_actions, cJSON_GetArraySize(a));
    for (int i = 0; i < r->n_actions; i++) {
        const cJSON *x = cJSON_GetArrayItem(a, i);
        same_string(r->actions[i].action, get(x, "action"));
        same_string(r->actions[i].target, get(x, "target"));
        near(r->actions[i].gain, get(x, "gain"), 2);
    }
}

static void same_questions(const dealscore_result *r, const cJSON *j) {
    const cJSON *qs = get(j, "questions");
    assert_int_equal(r->n_questions, cJSON_GetArraySize(qs));
    for (int i = 0; i < r->n_questions; i++) {
        const cJSON *x = cJSON_GetArrayItem(qs, i);
        const dealscore_question *q = &r->questions[i];
        same_string(q->field, get(x, "field"));
        same_string(q->stakeholder, get(x, "stakeholder"));
        same_string(q->question, get(x, "question"));
        near(q->low, get(x, "low"), 1);
        near(q->high, get(x, "high"), 1);
        near(q->swing, get(x, "swing"), 2);
        for (int e = 0; e < 2; e++) {
            same_string(q->verdicts[e], cJSON_GetArrayItem(get(x, "verdicts"), e));
            char *answer = cJSON_PrintUnformatted(cJSON_GetArrayItem(get(x, "answers"), e));
            cJSON *typed = cJSON_Parse(q->answers[e]);
            char *again = cJSON_PrintUnformatted(typed);
            assert_string_equal(again, answer);
            free(answer);
            free(again);
            cJSON_Delete(typed);
        }
    }
}

/* Every typed field against the JSON line it is written as. */
static void same_result(const dealscore_result *r, const char *line) {
    cJSON *j = cJSON_Parse(line);
    assert_non_null(j);
    same_string(r->id, get(j, "id"));
    const cJSON *error = get(j, "error");
    if (r->error.code) {
        assert_non_null(error);
        same_string(r->error.code, get(error, "code"));
        same_string(r->error.message, get(error, "message"));
        same_string(r->error.path, get(error, "path"));
        cJSON_Delete(j);
        return;
    }
    assert_null(error);
    same_string(r->policy, get(j, "policy"));
    same_string(r->model, get(j, "model"));
    const cJSON *scores = get(j, "scores");
    for (int k = 0; k < DEALSCORE_NSCORES; k++)
        near(r->scores[k], get(scores, dealscore_score_name(k)), 1);
    near(r->viability, get(scores, "viability"), 1);
    assert_int_equal(r->has_win_probability, get(scores, "win_probability") != NULL);
    if (r->has_win_probability) near(r->win_probability, get(scores, "win_probability"), 4);
    assert_int_equal(r->overridden, get(scores, "computed_viability") != NULL);
    if (r->overridden) near(r->computed_viability, get(scores, "computed_viability"), 1);
    same_string(r->verdict, get(j, "verdict"));
    same_strings(r->reasons, r->n_reasons, get(j, "reasons"));
    same_strings(r->warnings, r->n_warnings, get(j, "warnings"));
    near(r->coverage, get(j, "coverage"), 4);
    assert_int_equal((r->flags & DEALSCORE_EXPLAIN) != 0, get(j, "factors") != NULL);
    if (r->flags & DEALSCORE_EXPLAIN) same_explain(r, j);
    assert_int_equal((r->flags & DEALSCORE_ACTIONS) != 0, get(j, "actions") != NULL);
    if (r->flags & DEALSCORE_ACTIONS) same_actions(r, j);
    assert_int_equal((r->flags & DEALSCORE_QUESTIONS) != 0, get(j, "questions") != NULL);
    if (r->flags & DEALSCORE_QUESTIONS) same_questions(r, j);
    cJSON_Delete(j);
}

/* Scores the pipeline through the API with `flags` and compares with the
 * program run with `options`. */
static void compare_with_program(unsigned flags, const char *options) {
    int n;
    char **lines = program_lines(options, &n);
    assert_int_equal(n, 12);
    dealscore_model *m = model();
    dealscore_engine *e = engine(m, flags | DEALSCORE_UNIQUE_IDS);
    FILE *f = fopen(PIPELINE, "rb");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int i = 0;
    long scored = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        char where[64];
        snprintf(where, sizeof where, "pipeline.jsonl:%d", i + 1);
        const dealscore_result *r = dealscore_score(e, line, (size_t)len, where);
        assert_non_null(r);
        size_t json_len;
        const char *json = dealscore_result_json(e, r, &json_len);
        assert_non_null(json);
        assert_int_equal(json_len, strlen(json));
        assert_true(i < n);
        assert_string_equal(json, lines[i]);
        same_result(r, json);
        scored += r->error.code == NULL;
        free(lines[i++]);
    }
    assert_int_equal(i, n);
    assert_true(scored >= 10); /* the pipeline is mostly valid deals */
    free(line);
    free(lines);
    fclose(f);
    dealscore_engine_free(e);
    dealscore_model_free(m);
}

static void test_plain(void **state) {
    (void)state;
    compare_with_program(0, "");
}

static void test_explain(void **state) {
    (void)state;
    compare_with_program(DEALSCORE_EXPLAIN, "--explain");
}

static void test_actions_questions(void **state) {
    (void)state;
    compare_with_program(DEALSCORE_EXPLAIN | DEALSCORE_ACTIONS | DEALSCORE_QUESTIONS,
                         "--explain --actions --questions");
}

static void test_errors_and_where(void **state) {
    (void)state;
    dealscore_model *m = model();
    dealscore_engine *e = engine(m, DEALSCORE_UNIQUE_IDS);
    const dealscore_result *r = dealscore_score(e, "{not json", 9, "deals.jsonl:17");
    assert_string_equal(r->error.code, "bad_json");
    assert_string_equal(r->error.path, "$");
    assert_string_equal(r->error.where, "deals.jsonl:17");
    assert_int_equal(r->error.line, 17);
    assert_null(r->id);
    assert_false(r->validated);
    assert_non_null(strstr(r->error.message, "deals.jsonl:17"));

    const char *bad = "{\"id\":\"d1\",\"amount\":\"lots\",\"stakeholders\":[]}";
    r = dealscore_score(e, bad, strlen(bad), "x.jsonl:3 element 2");
    assert_string_equal(r->id, "d1");
    assert_non_null(r->error.code);
    assert_int_equal(r->error.line, 3);
    assert_string_equal(r->error.path, "$.amount");

    const char *deal = "{\"id\":\"d2\",\"stakeholders\":[{\"id\":\"a\",\"roles\":[\"champion\"]}]}";
    r = dealscore_score(e, deal, strlen(deal), "line 4");
    assert_null(r->error.code);
    assert_string_equal(r->id, "d2");
    assert_true(r->validated);
    assert_int_equal(r->n_stakeholders, 0); /* not asked for */
    r = dealscore_score(e, deal, strlen(deal), "elsewhere");
    assert_string_equal(r->error.code, "duplicate_id");
    assert_int_equal(r->error.line, 0);
    assert_string_equal(r->error.message,
                        "elsewhere: deal id \"d2\" was already scored in this batch "
                        "(first on line 4)");
    dealscore_engine_new_batch(e);
    r = dealscore_score(e, deal, strlen(deal), NULL);
    assert_null(r->error.code);
    assert_null(r->error.where); /* a scored deal has no error at all */

    r = dealscore_reject(e, "too_large", "deals.jsonl:9: a deal over 1 MiB");
    assert_string_equal(r->error.code, "too_large");
    size_t len;
    const char *json = dealscore_result_json(e, r, &len);
    assert_string_equal(json, "{\"id\":null,\"error\":{\"code\":\"too_large\",\"message\":"
                              "\"deals.jsonl:9: a deal over 1 MiB\",\"path\":\"$\"}}");
    dealscore_engine_free(e);
    dealscore_model_free(m);
}

/* The batch's duplicate check of a front end (dealscore score --jobs N): the
 * error names the line, and the file when another, where the id came first. */
static void test_ids(void **state) {
    (void)state;
    dealscore_ids *ids = dealscore_ids_new();
    dealscore_error dup;
    char message[256];
    assert_int_equal(dealscore_ids_add(ids, "d1", "a.jsonl:3", &dup, message, sizeof message), 0);
    assert_int_equal(dealscore_ids_add(ids, "d2", "a.jsonl:4 element 2", &dup, message, 256), 0);
    assert_int_equal(dealscore_ids_add(ids, "d3", "somewhere", &dup, message, 256), 0);
    assert_int_equal(dealscore_ids_add(ids, "d1", "a.jsonl:9", &dup, message, sizeof message), 1);
    assert_string_equal(dup.code, "duplicate_id");
    assert_string_equal(dup.path, "$.id");
    assert_string_equal(dup.where, "a.jsonl:9");
    assert_int_equal(dup.line, 9);
    assert_string_equal(message, "a.jsonl:9: deal id \"d1\" was already scored in this batch "
                                 "(first on line 3)");
    assert_ptr_equal(dup.message, message);
    assert_int_equal(dealscore_ids_add(ids, "d2", "b:1.jsonl:2", &dup, message, 256), 1);
    assert_string_equal(message, "b:1.jsonl:2: deal id \"d2\" was already scored in this batch "
                                 "(first at a.jsonl:4)");
    assert_int_equal(dealscore_ids_add(ids, "d3", "b:1.jsonl:5", &dup, message, 256), 1);
    assert_string_equal(message, "b:1.jsonl:5: deal id \"d3\" was already scored in this batch");
    assert_int_equal(dealscore_ids_add(ids, "d1", "x.jsonl:1", &dup, message, 12), 1);
    assert_string_equal(message, "x.jsonl:1: "); /* cut to the room given */
    assert_int_equal(dealscore_ids_add(NULL, "d1", "x", &dup, message, 256), -1);
    assert_int_equal(dealscore_ids_add(ids, NULL, "x", &dup, message, 256), -1);
    /* thousands of ids: the set grows and still knows every first line */
    char id[32], where[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "g%d", i);
        snprintf(where, sizeof where, "big.jsonl:%d", i + 1);
        assert_int_equal(dealscore_ids_add(ids, id, where, &dup, message, 256), 0);
    }
    assert_int_equal(dealscore_ids_add(ids, "g4321", "big.jsonl:9999", &dup, message, 256), 1);
    assert_non_null(strstr(message, "(first on line 4322)"));
    dealscore_ids_free(ids);
    dealscore_ids_free(NULL);
}

/* Numbers as the JSON line writes them, for the CSV format. */
static void test_number_text(void **state) {
    (void)state;
    char out[64];
    assert_int_equal(dealscore_number_text(72.25, 1, out, sizeof out), 4);
    assert_string_equal(out, "72.3"); /* half away from zero, as the line */
    assert_int_equal(dealscore_number_text(-0.04, 1, out, sizeof out), 3);
    assert_string_equal(out, "0.0"); /* never -0.0 */
    assert_int_equal(dealscore_number_text(-3.14159, 4, out, sizeof out), 7);
    assert_string_equal(out, "-3.1416");
    assert_int_equal(dealscore_number_text(7, 0, out, sizeof out), 1);
    assert_string_equal(out, "7");
    assert_int_equal(dealscore_number_text(NAN, 2, out, sizeof out), 4);
    assert_string_equal(out, "null");
    assert_int_equal(dealscore_number_text(1e300, 1, out, sizeof out), 303);
    assert_int_equal(strlen(out), sizeof out - 1); /* cut, as snprintf */
    assert_int_equal(dealscore_number_text(12345.678, 2, out, 4), 8);
    assert_string_equal(out, "123");
    assert_int_equal(dealscore_number_text(1, 10, out, sizeof out), -1);
    assert_string_equal(out, "");
}

static void test_error_json(void **state) {
    (void)state;
    dealscore_error err = {.code = "bad_row", .message = "a \"quoted\" cell", .path = "$.x"};
    size_t len;
    char *json = dealscore_error_json("d\n1", &err, &len);
    assert_string_equal(json, "{\"id\":\"d\\n1\",\"error\":{\"code\":\"bad_row\",\"message\":"
                              "\"a \\\"quoted\\\" cell\",\"path\":\"$.x\"}}");
    assert_int_equal(len, strlen(json));
    free(json);
    err.code = NULL;
    assert_null(dealscore_error_json(NULL, &err, &len));
    assert_null(dealscore_error_json(NULL, NULL, &len));
}

/* NULL where an object belongs is refused, never a crash. */
static void test_misuse(void **state) {
    (void)state;
    char err[128];
    assert_null(dealscore_score(NULL, "{}", 2, NULL));
    assert_null(dealscore_reject(NULL, "x", "y"));
    assert_null(dealscore_engine_new(NULL, NULL, err, sizeof err));
    assert_string_equal(err, "no model");
    assert_null(dealscore_model_load("/nonexistent/model.json", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/model.json"));
    assert_null(dealscore_model_parse("{", 1, "inline", err, sizeof err));
    dealscore_engine_free(NULL);
    dealscore_model_free(NULL);
    assert_string_equal(dealscore_model_label(NULL), "");
    assert_null(dealscore_score_name(DEALSCORE_NSCORES));
    assert_null(dealscore_score_name(-1));
    assert_int_equal(dealscore_engine_set_flags(NULL, 0, err, sizeof err), -1);

    dealscore_model *m = model();
    dealscore_options o;
    dealscore_options_init(&o);
    o.as_of = "yesterday";
    assert_null(dealscore_engine_new(m, &o, err, sizeof err));
    assert_non_null(strstr(err, "yesterday"));
    dealscore_options_init(&o);
    assert_int_equal(dealscore_options_policy(&o, NULL, "/nonexistent.lua", err, sizeof err), 0);
    assert_null(dealscore_engine_new(m, &o, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent.lua"));

    dealscore_engine *e = engine(m, 0);
    dealscore_engine *other = engine(m, 0);
    const dealscore_result *r = dealscore_score(e, NULL, 0, NULL);
    assert_string_equal(r->error.code, "bad_json");
    assert_null(dealscore_result_json(other, r, NULL)); /* not this engine's */
    assert_null(dealscore_result_json(e, NULL, NULL));
    assert_non_null(dealscore_result_json(e, r, NULL));
    assert_string_equal(dealscore_engine_policy_label(e, NULL), "default@1");
    assert_null(dealscore_engine_policy_label(e, "nobody"));
    assert_int_equal(dealscore_engine_use_policy(e, "nobody"), -1);
    dealscore_engine_free(other);
    dealscore_engine_free(e);
    dealscore_model_free(m);
}

/* dealscore_explain gives the report `dealscore explain` prints, text and Markdown. */
static void test_explain_text(void **state) {
    (void)state;
    dealscore_model *m = model();
    dealscore_engine *e = engine(m, DEALSCORE_EXPLAIN | DEALSCORE_ACTIONS | DEALSCORE_QUESTIONS);
    FILE *f = fopen(PIPELINE, "rb");
    char *line = NULL;
    size_t cap = 0;
    assert_true(getline(&line, &cap, f) > 0);
    fclose(f);
    const dealscore_result *r = dealscore_score(e, line, strlen(line), "pipeline.jsonl:1");
    assert_null(r->error.code);
    for (int markdown = 0; markdown < 2; markdown++) {
        dealscore_explain_style style = {
            markdown ? DEALSCORE_EXPLAIN_MARKDOWN : DEALSCORE_EXPLAIN_TEXT, false};
        size_t len;
        char *text = dealscore_explain(e, r, &style, &len);
        assert_non_null(text);
        assert_int_equal(len, strlen(text));
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "'%s' explain --no-color --format %s --id '%s' '%s'", program,
                 markdown ? "markdown" : "text", r->id, PIPELINE);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char *expected = calloc(1, 1 << 20);
        size_t n = fread(expected, 1, (1 << 20) - 1, p);
        assert_int_equal(pclose(p) >> 8, 0);
        assert_true(n > 100);
        assert_string_equal(text, expected);
        free(expected);
        free(text);
    }
    dealscore_explain_style style = {DEALSCORE_EXPLAIN_TEXT, false};
    assert_null(dealscore_explain(e, NULL, &style, NULL));
    r = dealscore_score(e, "{", 1, "x");
    assert_null(dealscore_explain(e, r, &style, NULL)); /* an error result has no report */
    free(line);
    dealscore_engine_free(e);
    dealscore_model_free(m);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_engine PROGRAM\n");
        return 2;
    }
    program = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_actions_questions),
        cmocka_unit_test(test_errors_and_where),
        cmocka_unit_test(test_error_json),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_number_text),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_explain_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
