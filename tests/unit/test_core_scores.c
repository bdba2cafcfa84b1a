/* test_core_scores.c: each core score's formula (SCORING.md section 3) on a deal
 * worked by hand, warnings, and, on thousands of generated deals, factors that
 * add up to their score. */
#include "core_fixture.h"

#include <math.h>

/* One champion, capability 0.8, convinced of capability, last contact 90 days
 * before as_of: e = 0.5^(90/90) = 0.5, C_cap = w e / w = 0.5.
 * Capability ROI = 100 x 0.8 x (0.4 + 0.6 x 0.5) = 56. Not stale at 90 days. */
static void capability_with_decay(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text(
        "{\"id\":\"c\",\"as_of\":\"2024-04-01\",\"solution\":{\"capability\":0.8},"
        "\"stakeholders\":[{\"id\":\"h\",\"roles\":[\"champion\"],\"last_contact\":\"2024-01-02\","
        "\"convinced\":{\"capability\":true}}]}",
        &d, &an);
    assert_near(an.engagement[0], 0.5, 1e-12);
    assert_near(an.scores[DS_CAPABILITY_ROI].value, 56.0, 1e-9);
    assert_near(factor_sum(&an, DS_CAPABILITY_ROI), 56.0, 1e-9);
    assert_false(has_warning(&an, "stale:h"));
    /* one more day: stale */
    analyse_text("{\"id\":\"c\",\"as_of\":\"2024-04-02\",\"stakeholders\":[{\"id\":\"h\","
                 "\"roles\":[\"champion\"],\"last_contact\":\"2024-01-02\"},{\"id\":\"x\","
                 "\"last_contact\":\"2020-01-01\"}]}",
                 &d, &an);
    assert_true(has_warning(&an, "stale:h"));
    assert_false(has_warning(&an, "stale:x")); /* not a key person */
}

/* Strategic 0.5, a VP sponsor in favour (0.6) convinced of strategy, no dates:
 * C = 1, E = 0.6: 100 x 0.5 x (0.3 + 0.5 + 0.2 x 0.6) = 46. */
static void strategic_with_executive(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text("{\"id\":\"s\",\"solution\":{\"strategic\":0.5},\"stakeholders\":[{\"id\":\"v\","
                 "\"level\":\"vp\",\"roles\":[\"sponsor\"],\"stance\":0.6,\"convinced\":{"
                 "\"strategic\":true}}]}",
                 &d, &an);
    assert_near(an.scores[DS_STRATEGIC_ROI].value, 46.0, 1e-9);
    assert_near(factor_sum(&an, DS_STRATEGIC_ROI), 46.0, 1e-9);
}

/* benefit 100/yr, cost 100, payback 48 months, confidence 0.8:
 * r = (300 - 100) / 100 = 2, g = 2/3, payback factor 24/48, m = 0.8 x 2/3 x 0.5;
 * nobody convinced: 100 m x 0.6 = 16. */
static void measurable_case(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text("{\"id\":\"m\",\"solution\":{\"measurable\":{\"annual_benefit\":100,\"cost\":100,"
                 "\"payback_months\":48,\"confidence\":0.8}}}",
                 &d, &an);
    assert_near(an.scores[DS_MEASURABLE_ROI].value, 16.0, 1e-9);
    /* a loss-making case scores 0 */
    analyse_text("{\"id\":\"m\",\"solution\":{\"measurable\":{\"annual_benefit\":10,\"cost\":100,"
                 "\"confidence\":1}}}",
                 &d, &an);
    assert_near(an.scores[DS_MEASURABLE_ROI].value, 0.0, 0);
}

/* Two IT people, no ties: PageRank equal, w = 0.6 influence + 0.4 = 1.0 and 0.4.
 * in_house 1, workload 0.4, data 0.2, security 0.6: concern = 0.4 + 0.3 = 0.7.
 * t1 (credibility 0.8, burden 1): 0.3(0.8) + 0.25(0.4) + 0.2(0.7) = 0.48.
 * t2 (defaults 0.5, 0.5; stance -0.5): 0.3(0.5) + 0.25(0.2) + 0.14 + 0.25(0.5) = 0.465.
 * R0 = 100 (0.48 + 0.4 x 0.465) / 1.4; career 0.5: M = 0.05; IT = R0 x 0.95.
 * With t1 contacted before the buyer: x 1.15 on top. */
#define TWO_IT                                                                                     \
    "\"solution\":{\"in_house_alternative\":1,\"it_workload\":0.4,\"data_readiness\":0.2,"         \
    "\"security_risk\":0.6,\"it_career\":0.5},\"stakeholders\":[{\"id\":\"t1\",\"function\":"      \
    "\"it\","                                                                                      \
    "\"influence\":1,\"credibility_threat\":0.8,\"burden\":1,\"first_contact\":\"2024-01-01\"},"   \
    "{\"id\":\"t2\",\"roles\":[\"it_operations\"],\"influence\":0,\"stance\":-0.5}"

static void it_resistance_base_and_sequencing(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    double r0 = 100 * (0.48 + 0.4 * 0.465) / 1.4;
    analyse_text("{\"id\":\"i\"," TWO_IT "]}", &d, &an);
    assert_near(an.scores[DS_IT_RESISTANCE].value, r0 * 0.95, 1e-9);
    assert_near(factor_sum(&an, DS_IT_RESISTANCE), r0 * 0.95, 1e-9);
    analyse_text("{\"id\":\"i\"," TWO_IT
                 ",{\"id\":\"b\",\"can_buy\":true,\"first_contact\":\"2024-03-01\"}]}",
                 &d, &an);
    assert_near(an.scores[DS_IT_RESISTANCE].value, r0 * 0.95 * 1.15, 1e-9);
    assert_near(factor_sum(&an, DS_IT_RESISTANCE), r0 * 0.95 * 1.15, 1e-9);
}

/* Every mitigation at once is capped at 0.8. One IT champion t (ai 0.9, stance 1,
 * trusts the buyer d at 1: reach 1) -> m1 = 0.35; workload -1 framed -> m2 = 0.2;
 * career 1 -> m3 = 0.1; strategic and measurable ROI near 100 with the buyer in
 * favour (B = 1) -> m4 = 0.3. Sum 0.95 -> M = 0.8.
 * R0 for t (defaults): 0.3 x 0.5 x 0.75 + 0 + 0.2 x 0.5 + 0 = 0.2125 -> 21.25. */
static void mitigations_are_capped(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text(
        "{\"id\":\"x\",\"solution\":{\"strategic\":1,\"it_workload\":-1,\"it_burden_framed\":true,"
        "\"it_career\":1,\"measurable\":{\"annual_benefit\":1000,\"cost\":1,\"confidence\":1}},"
        "\"stakeholders\":[{\"id\":\"d\",\"level\":\"c_level\",\"can_buy\":true,\"stance\":1,"
        "\"convinced\":{\"strategic\":true,\"measurable\":true}},{\"id\":\"t\",\"function\":\"it\","
        "\"ai_interest\":0.9,\"stance\":1}],"
        "\"relationships\":[{\"from\":\"t\",\"to\":\"d\",\"type\":\"trusts\",\"strength\":1}]}",
        &d, &an);
    assert_true(an.scores[DS_STRATEGIC_ROI].value >= 60 &&
                an.scores[DS_MEASURABLE_ROI].value >= 60);
    assert_near(an.push_back, 1.0, 1e-12);
    assert_near(an.scores[DS_IT_RESISTANCE].value, 21.25 * 0.2, 1e-9);
    const ds_score *s = &an.scores[DS_IT_RESISTANCE];
    for (int i = 0; i < s->n_factors; i++)
        if (strcmp(s->factors[i].factor, "it_champion") == 0)
            assert_near(s->factors[i].effect, -21.25 * 0.35 * 0.8 / 0.95, 1e-9);
}

/* No IT mapped: R0 = 100 x 0.2 x concern (defaults: 0.5), and a warning. */
static void it_unmapped(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text("{\"id\":\"u\"}", &d, &an);
    assert_near(an.scores[DS_IT_RESISTANCE].value, 10.0, 1e-9);
    assert_true(has_warning(&an, "it_unmapped"));
    assert_true(has_warning(&an, "users_unmapped"));
}

/* Two users, equal weights (0.7). transparency 0.4, change 0.6, benefit 0.2:
 * u1 (stance -0.4, work benefit 0.5): 0.14 + 0.15 + 0.2 (0.5) + 0.2 (0.4) = 0.47;
 * u2 (influencer, stance 0.5): 0.14 + 0.15 + 0.2 (0.8) = 0.45. U0 = 46.
 * Consulted: -11.5; a user influencer in favour (> 0.3): -6.9. Total 27.6. */
static void user_threat(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text(
        "{\"id\":\"u\",\"solution\":{\"user_transparency\":0.4,\"user_change\":0.6,"
        "\"user_benefit\":0.2,\"users_consulted\":true},\"stakeholders\":["
        "{\"id\":\"u1\",\"function\":\"user\",\"stance\":-0.4,\"benefits\":{\"work\":0.5}},"
        "{\"id\":\"u2\",\"roles\":[\"end_user\",\"influencer\"],\"stance\":0.5}]}",
        &d, &an);
    assert_near(an.scores[DS_USER_THREAT].value, 27.6, 1e-9);
    assert_near(factor_sum(&an, DS_USER_THREAT), 27.6, 1e-9);
    analyse_text("{\"id\":\"u\",\"solution\":{\"user_transparency\":0.4,\"user_change\":0.6,"
                 "\"user_benefit\":0.2}}",
                 &d, &an);
    assert_near(an.scores[DS_USER_THREAT].value, 45.0, 1e-9);
}

/* ---- generated deals ---- */

static unsigned long long rng_state = 42;
static double rnd(void) { /* xorshift64*, in [0, 1) */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}
static int pick(int n) {
    return (int)(rnd() * n);
}

static void random_deal(ds_buf *b) {
    static const char *const roles[] = {"economic_buyer", "champion",      "sponsor",  "influencer",
                                        "it_strategic",   "it_operations", "end_user", "blocker"};
    static const char *const types[] = {"influences", "reports_to", "trusts", "peer", "conflict"};
    static const char *const functions[] = {"business", "exec", "it", "user", "finance"};
    int n = pick(10);
    ds_buf_clear(b);
    ds_buf_printf(
        b,
        "{\"id\":\"g\",\"as_of\":\"2024-06-01\",\"solution\":{\"for_it\":%s,"
        "\"capability\":%.3f,\"strategic\":%.3f,\"it_workload\":%.3f,\"it_career\":%.3f,"
        "\"it_burden_framed\":%s,\"users_consulted\":%s,\"measurable\":{\"annual_benefit\":%.0f,"
        "\"cost\":%.0f,\"payback_months\":%d,\"confidence\":%.2f}},\"stakeholders\":[",
        rnd() < 0.3 ? "true" : "false", rnd(), rnd(), rnd() * 2 - 1, rnd(),
        rnd() < 0.5 ? "true" : "false", rnd() < 0.5 ? "true" : "false", rnd() * 900,
        1 + rnd() * 500, pick(40), rnd());
    for (int i = 0; i < n; i++)
        ds_buf_printf(b,
                      "%s{\"id\":\"s%d\",\"function\":\"%s\",\"level\":\"%s\",\"roles\":[\"%s\"],"
                      "\"can_buy\":%s,\"influence\":%.2f,\"stance\":%.2f,\"ai_interest\":%.2f,"
                      "\"convinced\":{\"capability\":%s,\"strategic\":%s,\"measurable\":%s},"
                      "\"first_contact\":\"2024-0%d-1%d\",\"last_contact\":\"2024-0%d-2%d\"}",
                      i ? "," : "", i, functions[pick(5)], ds_level_names[pick(6)], roles[pick(8)],
                      rnd() < 0.3 ? "true" : "false", rnd(), rnd() * 2 - 1, rnd(),
                      rnd() < 0.5 ? "true" : "false", rnd() < 0.5 ? "true" : "false",
                      rnd() < 0.5 ? "true" : "false", 1 + pick(5), pick(10), 1 + pick(5), pick(10));
    ds_buf_puts(b, "],\"relationships\":[");
    int links = n > 1 ? pick(2 * n) : 0;
    for (int k = 0; k < links; k++) {
        int a = pick(n), c = (a + 1 + pick(n - 1)) % n;
        ds_buf_printf(b, "%s{\"from\":\"s%d\",\"to\":\"s%d\",\"type\":\"%s\",\"strength\":%.2f}",
                      k ? "," : "", a, c, types[pick(5)], rnd());
    }
    ds_buf_puts(b, "]}");
}

/* On 5,000 generated deals every score's factors add up to it (to 1e-6), every
 * score is within 0..100, and a second analysis gives the same numbers. */
static void factors_add_up(void **state) {
    (void)state;
    ds_buf b;
    ds_buf_init(&b);
    for (int k = 0; k < 5000; k++) {
        random_deal(&b);
        ds_deal d;
        ds_analysis an;
        analyse_text(b.data, &d, &an);
        double first[DS_NSCORES];
        for (int s = 0; s < DS_NSCORES; s++) {
            double v = an.scores[s].value;
            first[s] = v;
            if (fabs(factor_sum(&an, s) - v) > 1e-6 || v < 0 || v > 100)
                fail_msg("deal %d %s: %g vs factors %g: %s", k, ds_score_names[s], v,
                         factor_sum(&an, s), b.data);
        }
        analyse_text(b.data, &d, &an);
        for (int s = 0; s < DS_NSCORES; s++) assert_true(an.scores[s].value == first[s]);
    }
    ds_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(capability_with_decay),
        cmocka_unit_test(strategic_with_executive),
        cmocka_unit_test(measurable_case),
        cmocka_unit_test(it_resistance_base_and_sequencing),
        cmocka_unit_test(mitigations_are_capped),
        cmocka_unit_test(it_unmapped),
        cmocka_unit_test(user_threat),
        cmocka_unit_test(factors_add_up),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
