/* test_result.c: result lines (SCORING.md section 5, docs/model.md "Rounding"):
 * rounding, numbers, string escaping, key order, the error shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static void rounding(void **state) {
    (void)state;
    /* exact binary halves round away from zero */
    assert_near(ds_round(62.25, 1), 62.3, 1e-12);
    assert_near(ds_round(-62.25, 1), -62.3, 1e-12);
    assert_near(ds_round(0.125, 2), 0.13, 1e-12);
    assert_near(ds_round(-0.125, 2), -0.13, 1e-12);
    assert_near(ds_round(2.5, 0), 3, 0);
    assert_near(ds_round(-2.5, 0), -3, 0);
    assert_near(ds_round(62.24, 1), 62.2, 1e-12);
    assert_near(ds_round(1.23456, 4), 1.2346, 1e-12);
    /* -0.0 folds to +0.0, also when a small negative rounds to zero */
    double z = ds_round(-0.04, 1);
    assert_true(z == 0 && !signbit(z));
    z = ds_round(-0.0, 1);
    assert_true(!signbit(z));
}

static void check_number(double v, int decimals, const char *text) {
    ds_buf b;
    ds_buf_init(&b);
    ds_buf_json_number(&b, v, decimals);
    if (strcmp(b.data, text) != 0)
        fail_msg("%.17g to %d decimals: got %s, expected %s", v, decimals, b.data, text);
    ds_buf_free(&b);
}

static void numbers(void **state) {
    (void)state;
    check_number(62.25, 1, "62.3");
    check_number(-62.25, 1, "-62.3");
    check_number(-0.0, 1, "0.0");
    check_number(-0.04, 1, "0.0");
    check_number(-0.06, 1, "-0.1");
    check_number(0, 1, "0.0");
    check_number(100, 1, "100.0");
    check_number(7, 4, "7.0000");
    check_number(0.05, 4, "0.0500");
    check_number(-0.00004, 4, "0.0000");
    check_number(0.03125, 4, "0.0313"); /* 1/32: an exact half */
    check_number(2.0 / 28, 4, "0.0714");
    check_number(0.125, 2, "0.13");
    check_number(1e20, 1, "100000000000000000000.0");
    check_number(NAN, 1, "null");
}

static void check_string(const char *s, const char *json) {
    ds_buf b;
    ds_buf_init(&b);
    ds_buf_json_string(&b, s);
    if (strcmp(b.data, json) != 0) fail_msg("got %s, expected %s", b.data, json);
    /* and it reads back as the same string */
    cJSON *back = cJSON_Parse(b.data);
    assert_non_null(back);
    assert_string_equal(cJSON_GetStringValue(back), s);
    cJSON_Delete(back);
    ds_buf_free(&b);
}

static void string_escaping(void **state) {
    (void)state;
    check_string("plain", "\"plain\"");
    check_string("say \"hi\"", "\"say \\\"hi\\\"\"");
    check_string("C:\\dir\\", "\"C:\\\\dir\\\\\"");
    check_string("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\"");
    check_string("\x01\x1f", "\"\\u0001\\u001f\"");
    check_string("/ and \x7f", "\"/ and \x7f\"");
    /* UTF-8 passes through as bytes: é, €, 😀 */
    check_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac "
                                                              "\xf0\x9f\x98\x80\"");
    ds_buf b;
    ds_buf_init(&b);
    ds_buf_json_string(&b, NULL);
    assert_string_equal(b.data, "null");
    ds_buf_free(&b);
}

/* capability 0.5 and nobody in K: 100 x 0.5 x 0.4 = 20. IT unmapped with no
 * concern (data_readiness 1, security_risk 0): 0. No users, nothing threatening:
 * 0. Coverage 6 of 18 = 0.3333. */
static const char *const small_deal =
    "{\"id\":\"d\\\"1\",\"solution\":{\"capability\":0.5,\"user_transparency\":0,"
    "\"user_change\":0,\"user_benefit\":1,\"data_readiness\":1,\"security_risk\":0}}";

static void result_line(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, small_deal);
    const char *reasons[] = {"no_buyer", "no_champion"};
    ds_outcome o = {.policy = "default@1",
                    .viability = 42.25,
                    .verdict = "at_risk",
                    .n_reasons = 2,
                    .reasons = reasons};
    ds_buf b;
    ds_buf_init(&b);
    ds_result_write(&b, &h.an, &o, 0);
    assert_string_equal(
        b.data, "{\"id\":\"d\\\"1\",\"policy\":\"default@1\",\"model\":\"default@1\","
                "\"scores\":{\"capability_roi\":20.0,\"strategic_roi\":0.0,\"measurable_roi\":0.0,"
                "\"it_resistance\":0.0,\"user_threat\":0.0,\"viability\":42.3},"
                "\"verdict\":\"at_risk\",\"reasons\":[\"no_buyer\",\"no_champion\"],"
                "\"warnings\":[\"it_unmapped\",\"users_unmapped\"],\"coverage\":0.3333}");
    /* an override: computed_viability follows viability */
    ds_buf_clear(&b);
    o.overridden = true;
    o.viability = 80;
    o.computed_viability = 42.25;
    o.verdict = "pursue";
    o.n_reasons = 0;
    ds_result_write(&b, &h.an, &o, 0);
    const char *scores = strstr(b.data, "\"viability\":");
    assert_non_null(scores);
    assert_true(strncmp(scores,
                        "\"viability\":80.0,\"computed_viability\":42.3},"
                        "\"verdict\":\"pursue\",\"reasons\":[],",
                        strlen("\"viability\":80.0,\"computed_viability\":42.3},"
                               "\"verdict\":\"pursue\",\"reasons\":[],")) == 0);
    ds_buf_free(&b);
    h_free(&h);
}

/* explain adds the factors (4 decimals) and the stakeholders after coverage.
 * Coverage: 6 solution + 4 stakeholder fields of 18 + 10 = 10/28 = 0.3571. */
static void explain(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"x\",\"solution\":{\"capability\":0.5,\"user_transparency\":0,"
                  "\"user_change\":0,\"user_benefit\":1,\"data_readiness\":1,\"security_risk\":0},"
                  "\"stakeholders\":[{\"id\":\"a\",\"influence\":1,\"stance\":-0.5,\"function\":"
                  "\"it\",\"credibility_threat\":0,\"burden\":0}]}");
    ds_outcome o = {.policy = "p@1", .viability = 0, .verdict = "walk_away"};
    ds_buf b;
    ds_buf_init(&b);
    ds_result_write(&b, &h.an, &o, DS_OUT_EXPLAIN);
    /* capability: one factor, 100 x 0.5 x 0.4 = 20; IT: opposition 100 x 0.25 x 0.5 */
    assert_non_null(strstr(b.data, ",\"coverage\":0.3571,\"factors\":{\"capability_roi\":[{"
                                   "\"factor\":\"capability_case\",\"effect\":20.0000,"));
    assert_non_null(strstr(b.data, "\"it_resistance\":[{\"factor\":\"it_opposition\","
                                   "\"effect\":12.5000,\"stakeholder\":\"a\","));
    const char *tail = "\"stakeholders\":[{\"id\":\"a\",\"effective_influence\":1.0000,"
                       "\"predicted_stance\":-0.5000}]}";
    assert_true(b.len > strlen(tail));
    assert_string_equal(b.data + b.len - strlen(tail), tail);
    cJSON *parsed = cJSON_Parse(b.data);
    assert_non_null(parsed);
    cJSON_Delete(parsed);
    ds_buf_free(&b);
    h_free(&h);
}

static void error_result(void **state) {
    (void)state;
    ds_error err;
    ds_error_set(&err, "out_of_range", "$.stakeholders[3].influence", "%s must be %s",
                 "$.stakeholders[3].influence", "in \"0..1\"");
    ds_buf b;
    ds_buf_init(&b);
    ds_result_write_error(&b, "d-7", &err);
    assert_string_equal(b.data, "{\"id\":\"d-7\",\"error\":{\"code\":\"out_of_range\",\"message\":"
                                "\"$.stakeholders[3].influence must be in \\\"0..1\\\"\",\"path\":"
                                "\"$.stakeholders[3].influence\"}}");
    ds_buf_clear(&b);
    ds_result_write_error(&b, NULL, &err);
    assert_true(strncmp(b.data, "{\"id\":null,\"error\":{\"code\":\"out_of_range\",", 42) == 0);
    ds_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rounding),    cmocka_unit_test(numbers), cmocka_unit_test(string_escaping),
        cmocka_unit_test(result_line), cmocka_unit_test(explain), cmocka_unit_test(error_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
