/* test_result_copy.c: dealscore_result_copy, dealscore_round and
 * dealscore_duplicate_error and dealscore_ids (lib/dealscore.h).
 *
 * Every deal of the example pipeline is scored with every part (factors,
 * stakeholders, actions, questions); its result is copied, the engine goes on
 * to other deals, and the copy must still say what the deal's JSON line says:
 * each string the same, and each number, rounded by dealscore_round with its
 * field's DEALSCORE_DECIMALS_*, exactly the number a JSON reader gets from the
 * line (the one rounding rule the bindings rely on). */
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

#define PIPELINE DEALSCORE_DATADIR "/models/examples/pipeline.jsonl"

static const cJSON *get(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Exactly the line's number, or null for a value that is not finite. */
static void same_number(double typed, int decimals, const cJSON *json) {
    if (!isfinite(typed)) {
        assert_true(cJSON_IsNull(json));
        return;
    }
    assert_true(cJSON_IsNumber(json));
    if (dealscore_round(typed, decimals) != json->valuedouble)
        fail_msg("%.17g rounds to %.17g, the line has %.17g", typed,
                 dealscore_round(typed, decimals), json->valuedouble);
}

static void same_string(const char *typed, const cJSON *json) {
    if (!json || cJSON_IsNull(json)) {
        assert_null(typed);
        return;
    }
    assert_non_null(typed);
    assert_string_equal(typed, cJSON_GetStringValue(json));
}

static void same_factors(const dealscore_factor *f, int n, const cJSON *json) {
    assert_int_equal(n, cJSON_GetArraySize(json));
    for (int i = 0; i < n; i++) {
        const cJSON *j = cJSON_GetArrayItem(json, i);
        same_string(f[i].factor, get(j, "factor"));
        same_number(f[i].effect, DEALSCORE_DECIMALS_SHARE, get(j, "effect"));
        same_string(f[i].stakeholder, get(j, "stakeholder"));
        same_string(f[i].detail, get(j, "detail"));
    }
}

static void same_parts(const dealscore_result *r, const cJSON *j) {
    const cJSON *factors = get(j, "factors");
    for (int k = 0; k < DEALSCORE_NSCORES; k++)
        same_factors(r->factors[k], r->n_factors[k], get(factors, dealscore_score_name(k)));
    same_factors(r->viability_factors, r->n_viability_factors, get(factors, "viability"));
    assert_int_equal(r->n_stakeholders, cJSON_GetArraySize(get(j, "stakeholders")));
    for (int i = 0; i < r->n_stakeholders; i++) {
        const cJSON *p = cJSON_GetArrayItem(get(j, "stakeholders"), i);
        same_string(r->stakeholders[i].id, get(p, "id"));
        same_number(r->stakeholders[i].effective_influence, DEALSCORE_DECIMALS_SHARE,
                    get(p, "effective_influence"));
        same_number(r->stakeholders[i].predicted_stance, DEALSCORE_DECIMALS_SHARE,
                    get(p, "predicted_stance"));
        for (int k = 0; k < r->stakeholders[i].n_inferred; k++)
            same_string(r->stakeholders[i].inferred[k].source,
                        get(get(p, "inferred"), r->stakeholders[i].inferred[k].field));
    }
    assert_int_equal(r->n_actions, cJSON_GetArraySize(get(j, "actions")));
    for (int i = 0; i < r->n_actions; i++) {
        const cJSON *a = cJSON_GetArrayItem(get(j, "actions"), i);
        same_string(r->actions[i].action, get(a, "action"));
        same_string(r->actions[i].target, get(a, "target"));
        same_number(r->actions[i].gain, DEALSCORE_DECIMALS_GAIN, get(a, "gain"));
    }
    assert_int_equal(r->n_questions, cJSON_GetArraySize(get(j, "questions")));
    for (int i = 0; i < r->n_questions; i++) {
        const cJSON *q = cJSON_GetArrayItem(get(j, "questions"), i);
        same_string(r->questions[i].question, get(q, "question"));
        same_string(r->questions[i].stakeholder, get(q, "stakeholder"));
        same_number(r->questions[i].low, DEALSCORE_DECIMALS_SCORE, get(q, "low"));
        same_number(r->questions[i].high, DEALSCORE_DECIMALS_SCORE, get(q, "high"));
        same_number(r->questions[i].swing, DEALSCORE_DECIMALS_GAIN, get(q, "swing"));
        same_string(r->questions[i].verdicts[1], cJSON_GetArrayItem(get(q, "verdicts"), 1));
        char *answer = cJSON_PrintUnformatted(cJSON_GetArrayItem(get(q, "answers"), 0));
        cJSON *typed = cJSON_Parse(r->questions[i].answers[0]);
        char *typed_text = cJSON_PrintUnformatted(typed);
        assert_string_equal(typed_text, answer);
        free(answer);
        free(typed_text);
        cJSON_Delete(typed);
    }
}

/* The copy against the line the engine wrote for the same result. */
static void same_as_line(const dealscore_result *r, const char *line) {
    cJSON *j = cJSON_Parse(line);
    assert_non_null(j);
    same_string(r->id, get(j, "id"));
    if (r->error.code) {
        same_string(r->error.code, get(get(j, "error"), "code"));
        same_string(r->error.message, get(get(j, "error"), "message"));
        cJSON_Delete(j);
        return;
    }
    const cJSON *scores = get(j, "scores");
    for (int k = 0; k < DEALSCORE_NSCORES; k++)
        same_number(r->scores[k], DEALSCORE_DECIMALS_SCORE, get(scores, dealscore_score_name(k)));
    same_number(r->viability, DEALSCORE_DECIMALS_SCORE, get(scores, "viability"));
    same_number(r->coverage, DEALSCORE_DECIMALS_SHARE, get(j, "coverage"));
    same_string(r->verdict, get(j, "verdict"));
    same_string(r->policy, get(j, "policy"));
    assert_int_equal(r->n_warnings, cJSON_GetArraySize(get(j, "warnings")));
    for (int i = 0; i < r->n_warnings; i++)
        same_string(r->warnings[i], cJSON_GetArrayItem(get(j, "warnings"), i));
    assert_int_equal(r->n_reasons, cJSON_GetArraySize(get(j, "reasons")));
    same_parts(r, j);
    cJSON_Delete(j);
}

static void test_copies_outlive_the_engine(void **state) {
    (void)state;
    char err[256];
    dealscore_model *m = dealscore_model_load(NULL, err, sizeof err);
    assert_non_null(m);
    dealscore_options o;
    dealscore_options_init(&o);
    o.flags = DEALSCORE_EXPLAIN | DEALSCORE_ACTIONS | DEALSCORE_QUESTIONS;
    dealscore_engine *e = dealscore_engine_new(m, &o, err, sizeof err);
    assert_non_null(e);
    FILE *f = fopen(PIPELINE, "rb");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    dealscore_result *copies[64];
    char *lines[64];
    int n = 0, with_questions = 0;
    while (n < 62 && getline(&line, &cap, f) > 0) {
        const dealscore_result *r = dealscore_score(e, line, strlen(line), "pipeline");
        copies[n] = dealscore_result_copy(r);
        lines[n++] = strdup(dealscore_result_json(e, r, NULL));
        with_questions += r->n_questions > 0;
    }
    fclose(f);
    free(line);
    const dealscore_result *r = dealscore_score(e, "{\"id\":\"x\",\"solution\":3}", 24, "bad");
    copies[n] = dealscore_result_copy(r);
    lines[n++] = strdup(dealscore_result_json(e, r, NULL));
    assert_true(n > 10 && with_questions > 0);
    dealscore_engine_free(e); /* the copies are the caller's */
    for (int i = 0; i < n; i++) {
        assert_non_null(copies[i]);
        same_as_line(copies[i], lines[i]);
        dealscore_result_free(copies[i]);
        free(lines[i]);
    }
    assert_null(dealscore_result_copy(NULL));
    dealscore_result_free(NULL);
    dealscore_model_free(m);
}

static void test_round(void **state) {
    (void)state;
    assert_true(dealscore_round(42.25, 1) == 42.3); /* halves away from zero */
    assert_true(dealscore_round(-42.25, 1) == -42.3);
    assert_true(dealscore_round(0.123456, 4) == 0.1235);
    double z = dealscore_round(-0.01, 1); /* "0.0", never "-0.0" */
    assert_true(z == 0 && !signbit(z));
    assert_true(isnan(dealscore_round(NAN, 1)));
    assert_true(isinf(dealscore_round(INFINITY, 4)));
}

/* A front end's own duplicate check says what the engine's would. */
static void test_duplicate_error(void **state) {
    (void)state;
    char err[256], message[256];
    dealscore_model *m = dealscore_model_load(NULL, err, sizeof err);
    dealscore_options o;
    dealscore_options_init(&o);
    o.flags = DEALSCORE_UNIQUE_IDS;
    dealscore_engine *e = dealscore_engine_new(m, &o, err, sizeof err);
    assert_non_null(e);
    const char *deal = "{\"id\":\"a\",\"solution\":{}}";
    assert_null(dealscore_score(e, deal, strlen(deal), "d.jsonl:1")->error.code);
    const dealscore_result *r = dealscore_score(e, deal, strlen(deal), "d.jsonl:2");
    /* a front end's own check (dealscore_ids) says what the engine's says */
    dealscore_ids *ids = dealscore_ids_new();
    dealscore_error own;
    assert_int_equal(dealscore_ids_add(ids, "a", "d.jsonl:1", &own, message, sizeof message), 0);
    assert_int_equal(dealscore_ids_add(ids, "a", "d.jsonl:2", &own, message, sizeof message), 1);
    assert_string_equal(own.code, r->error.code);
    assert_string_equal(own.message, r->error.message);
    assert_string_equal(own.path, r->error.path);
    assert_int_equal(own.line, 2);
    assert_int_equal(r->error.line, 2);
    assert_string_equal(
        r->error.message,
        "d.jsonl:2: deal id \"a\" was already scored in this batch (first on line 1)");
    dealscore_ids_free(ids);
    /* without a set, where the id came first is not known */
    own = dealscore_duplicate_error("a", "d.jsonl:2", message, sizeof message);
    assert_string_equal(message, "d.jsonl:2: deal id \"a\" was already scored in this batch");
    assert_string_equal(own.path, "$.id");
    dealscore_engine_free(e);
    dealscore_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copies_outlive_the_engine),
        cmocka_unit_test(test_round),
        cmocka_unit_test(test_duplicate_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
