/* test_scores.c: the five core scores (SCORING.md section 3) on worked examples
 * computed by hand, the warnings, and properties over random deals.
 *
 * With no relationships every node dangles, PageRank is uniform and effective
 * influence is w = 0.6 influence + 0.4; stances are not moved (x* = stance). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

#define SCORE(h, k) ((h)->an.scores[k].value)

static void assert_factors_add_up(const h_deal *h) {
    for (int k = 0; k < DS_NSCORES; k++)
        assert_near(ds_score_factor_sum(&h->an.scores[k]), h->an.scores[k].value, 1e-9);
}

static double factor(const h_deal *h, int score, const char *name, const char *who) {
    const ds_factor *f = h_factor(&h->an.scores[score], name, who ? h_index(h, who) : -1);
    if (!f) fail_msg("no factor %s of %s", name, ds_score_names[score]);
    return f->effect;
}

/* ---- capability ROI ---- */

/* cap = 0.8; K = {h (champion, influence 0.5, convinced), d (can_buy, influence 1)}.
 * w_h = 0.7, w_d = 1.0. h's last contact is 90 days before as_of (2024-01-02 to
 * 2024-04-01: 29 + 29 + 31 + 1), so e_h = 0.5 ^ (90 / 90) = 0.5.
 * C_cap = 0.7 x 0.5 / 1.7; capability = 100 x 0.8 x (0.4 + 0.6 C_cap). */
static void capability_with_decay(void **state) {
    (void)state;
    static const char *const fmt =
        "{\"id\":\"d\",%s\"solution\":{\"capability\":0.8},\"stakeholders\":["
        "{\"id\":\"h\",\"roles\":[\"champion\"],\"influence\":0.5,\"convinced\":"
        "{\"capability\":true},\"last_contact\":\"%s\"},"
        "{\"id\":\"d\",\"can_buy\":true,\"influence\":1}]}";
    static const struct {
        const char *as_of, *last;
        double e;
    } cases[] = {
        {"\"as_of\":\"2024-04-01\",", "2024-01-02", 0.5},
        {"\"as_of\":\"2024-04-01\",", "2024-02-16", 0.70710678118654752}, /* 45 days: sqrt(.5) */
        {"\"as_of\":\"2024-04-01\",", "2024-05-01", 1},                   /* after as_of: 0 days */
        {"", "2023-01-01", 1},                                            /* no as_of: no decay */
    };
    assert_int_equal(h_day("2024-04-01") - h_day("2024-01-02"), 90);
    assert_int_equal(h_day("2024-04-01") - h_day("2024-02-16"), 45);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[512];
        snprintf(json, sizeof json, fmt, cases[i].as_of, cases[i].last);
        h_deal h;
        h_analyse(&h, json);
        double c = 0.7 * cases[i].e / 1.7;
        assert_near(h.an.engagement[0], cases[i].e, 1e-12);
        assert_near(h.an.engagement[1], 1, 0);
        assert_near(h.an.conviction[DS_CAPABILITY_CASE], c, 1e-9);
        assert_near(SCORE(&h, DS_CAPABILITY_ROI), 80 * (0.4 + 0.6 * c), 1e-9);
        assert_near(factor(&h, DS_CAPABILITY_ROI, "capability_case", NULL), 32, 1e-9);
        assert_near(factor(&h, DS_CAPABILITY_ROI, "convinced_capability", "h"), 48 * c, 1e-9);
        assert_int_equal(h.an.scores[DS_CAPABILITY_ROI].n_factors, 2);
        assert_false(h_has_warning(&h.an, "stale:h")); /* 90 days is not more than 90 */
        h_free(&h);
    }
}

/* ---- strategic ROI ---- */

/* strat = 0.5; K = {s (sponsor, vp, 0.6, convinced), d (can_buy, c_level, -0.2)};
 * x is a c_level at 0.9 but not in K. All w = 0.7: C_strat = 0.5, E = 0.6.
 * strategic = 50 x (0.3 + 0.5 x 0.5 + 0.2 x 0.6) = 50 x 0.67 = 33.5. */
static void strategic_with_sponsor(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"solution\":{\"strategic\":0.5},\"stakeholders\":["
                  "{\"id\":\"s\",\"roles\":[\"sponsor\"],\"level\":\"vp\",\"stance\":0.6,"
                  "\"convinced\":{\"strategic\":true}},"
                  "{\"id\":\"d\",\"can_buy\":true,\"level\":\"c_level\",\"stance\":-0.2},"
                  "{\"id\":\"x\",\"roles\":[\"influencer\"],\"level\":\"c_level\",\"stance\":0.9},"
                  "{\"id\":\"m\",\"roles\":[\"champion\"],\"level\":\"manager\",\"stance\":1}]}");
    /* m is in K too (w 0.7): C_strat = 0.7 / 2.1 = 1/3; m's stance does not count
     * for E (a manager). strategic = 50 x (0.3 + 0.5 / 3 + 0.12) */
    assert_near(SCORE(&h, DS_STRATEGIC_ROI), 50 * (0.3 + 0.5 / 3 + 0.12), 1e-9);
    assert_near(factor(&h, DS_STRATEGIC_ROI, "strategic_case", NULL), 15, 1e-9);
    assert_near(factor(&h, DS_STRATEGIC_ROI, "convinced_strategic", "s"), 25.0 / 3, 1e-9);
    assert_near(factor(&h, DS_STRATEGIC_ROI, "executive_sponsor", "s"), 6, 1e-9);
    h_free(&h);

    h_analyse(&h,
              "{\"id\":\"d\",\"solution\":{\"strategic\":0.5},\"stakeholders\":["
              "{\"id\":\"s\",\"roles\":[\"sponsor\"],\"level\":\"vp\",\"stance\":0.6,"
              "\"convinced\":{\"strategic\":true}},"
              "{\"id\":\"d\",\"can_buy\":true,\"level\":\"c_level\",\"stance\":-0.2},"
              "{\"id\":\"x\",\"roles\":[\"influencer\"],\"level\":\"c_level\",\"stance\":0.9}]}");
    assert_near(SCORE(&h, DS_STRATEGIC_ROI), 33.5, 1e-9);
    h_free(&h);

    /* E uses the predicted stance: the vp sponsor (stance 0) is influenced by a
     * c_level outside K (stance 1): x* = 0.6 x 0 + 0.4 x 1 = 0.4, C_strat = 0.
     * strategic = 100 x (0.3 + 0.2 x 0.4) = 38 */
    h_analyse(&h, "{\"id\":\"d\",\"solution\":{\"strategic\":1},\"stakeholders\":["
                  "{\"id\":\"s\",\"roles\":[\"sponsor\"],\"level\":\"vp\",\"stance\":0},"
                  "{\"id\":\"c\",\"level\":\"c_level\",\"stance\":1}],\"relationships\":["
                  "{\"from\":\"c\",\"to\":\"s\",\"type\":\"influences\",\"strength\":1}]}");
    assert_near(SCORE(&h, DS_STRATEGIC_ROI), 38, 1e-7);
    h_free(&h);
}

/* ---- measurable ROI ---- */

static double measurable(const char *solution, const char *stakeholders) {
    char json[512];
    snprintf(json, sizeof json, "{\"id\":\"d\",\"solution\":%s,\"stakeholders\":[%s]}", solution,
             stakeholders);
    h_deal h;
    h_analyse(&h, json);
    double v = SCORE(&h, DS_MEASURABLE_ROI);
    assert_factors_add_up(&h);
    h_free(&h);
    return v;
}

static void measurable_cases(void **state) {
    (void)state;
    const char *convinced = "{\"id\":\"k\",\"can_buy\":true,\"convinced\":{\"measurable\":true}}";
    /* r = (100 x 3 - 120) / 120 = 1.5, g = 1.5 / 2.5 = 0.6, payback min(1, 24/36) = 2/3,
     * m = 0.9 x 0.6 x 2/3 = 0.36; one convinced key person: C = 1 -> 100 x 0.36 x 1 */
    const char *a = "{\"measurable\":{\"annual_benefit\":100,\"cost\":120,\"payback_months\":36,"
                    "\"confidence\":0.9}}";
    assert_near(measurable(a, convinced), 36, 1e-9);
    assert_near(measurable(a, ""), 100 * 0.36 * 0.6, 1e-9); /* nobody in K: C = 0 */
    /* r = (100 x 3 - 100) / 100 = 2, g = 2/3; payback 0 or under 24 months: factor 1 */
    assert_near(measurable("{\"measurable\":{\"annual_benefit\":100,\"cost\":100,"
                           "\"payback_months\":0,\"confidence\":1}}",
                           ""),
                40, 1e-9);
    assert_near(measurable("{\"measurable\":{\"annual_benefit\":100,\"cost\":100,"
                           "\"payback_months\":12,\"confidence\":1}}",
                           ""),
                40, 1e-9);
    assert_near(measurable("{\"measurable\":{\"annual_benefit\":100,\"cost\":100,"
                           "\"confidence\":1}}",
                           ""),
                40, 1e-9);
    /* r = (30 x 3 - 100) / 100 < 0: g = 0 */
    assert_near(measurable("{\"measurable\":{\"annual_benefit\":30,\"cost\":100,"
                           "\"confidence\":1}}",
                           convinced),
                0, 0);
    /* a missing cost, confidence or annual_benefit gives 0 */
    assert_near(measurable("{\"measurable\":{\"annual_benefit\":100,\"confidence\":1}}", ""), 0, 0);
    assert_near(measurable("{\"measurable\":{\"annual_benefit\":100,\"cost\":10}}", ""), 0, 0);
    assert_near(measurable("{\"measurable\":{\"cost\":10,\"confidence\":1}}", ""), 0, 0);
    assert_near(measurable("{}", convinced), 0, 0);
}

/* ---- IT resistance ---- */

/* t1 (it, w = 0.6 + 0.4/1.85), t2 (it_operations, w = 0.3 + 0.4/1.85), d (can_buy);
 * t2 trusts d (0.6): x_t2 = 0.5 x 0.2 + 0.5 x 0 = 0.1; PageRank as in test_graph's
 * three-node case (t2 -> d; t1, d dangle): pr_t / pr_d = 1 / 1.85.
 * concern = 0.5 (1 - 0.3) + 0.5 x 0.2 = 0.45
 * raw_t1 = 0.3 x 0.8 (0.5 + 0.3) + 0.25 x 0.5 x 0.4 + 0.2 x 0.45 + 0.25 x 0.4 = 0.432
 * raw_t2 = 0.3 x 0.5 x 0.8 (default threat 0.5) + 0.25 x 0.9 x 0.4 + 0.09 + 0 = 0.30
 * m1 = 0.35 x 0.1 x Reach(t2, D) = 0.35 x 0.1 x 0.6 = 0.021 (t1's ai_interest < 0.6)
 * m3 = 0.1 x 0.5; M = 0.071. */
static void it_resistance_two_it(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"solution\":{\"in_house_alternative\":0.6,\"it_workload\":0.4,"
                  "\"data_readiness\":0.3,\"security_risk\":0.2,\"it_career\":0.5},"
                  "\"stakeholders\":["
                  "{\"id\":\"t1\",\"function\":\"it\",\"influence\":1,\"credibility_threat\":0.8,"
                  "\"burden\":0.5,\"stance\":-0.4,\"ai_interest\":0.3},"
                  "{\"id\":\"t2\",\"roles\":[\"it_operations\"],\"influence\":0.5,\"burden\":0.9,"
                  "\"stance\":0.2,\"ai_interest\":0.8},"
                  "{\"id\":\"d\",\"can_buy\":true,\"influence\":0.5}],"
                  "\"relationships\":[{\"from\":\"t2\",\"to\":\"d\",\"type\":\"trusts\","
                  "\"strength\":0.6}]}");
    double w1 = 0.6 + 0.4 / 1.85, w2 = 0.3 + 0.4 / 1.85;
    double r0 = 100 * (w1 * 0.432 + w2 * 0.30) / (w1 + w2);
    assert_near(h.an.graph.predicted[1], 0.1, 1e-9);
    assert_near(SCORE(&h, DS_IT_RESISTANCE), r0 * (1 - 0.071), 1e-7);
    assert_near(factor(&h, DS_IT_RESISTANCE, "credibility_threat", "t1"),
                100 * w1 / (w1 + w2) * 0.192, 1e-7);
    assert_near(factor(&h, DS_IT_RESISTANCE, "it_opposition", "t1"), 100 * w1 / (w1 + w2) * 0.1,
                1e-7);
    assert_near(factor(&h, DS_IT_RESISTANCE, "it_champion", "t2"), -r0 * 0.021, 1e-7);
    assert_near(factor(&h, DS_IT_RESISTANCE, "it_career", NULL), -r0 * 0.05, 1e-7);
    assert_null(h_factor(&h.an.scores[DS_IT_RESISTANCE], "it_opposition", 1)); /* t2 in favour */
    assert_false(h_has_warning(&h.an, "it_unmapped"));
    assert_factors_add_up(&h);
    h_free(&h);
}

/* Mitigations capped: one IT stakeholder t who can buy (Reach(t, D) = 1), vp,
 * stance 1, ai_interest 0.9, convinced of both cases. strategic = 100 (C = 1,
 * E = 1) and measurable = 100 x 29/30 >= 60, B = 1.
 * m1 = 0.35, m2 = 0.2 x 1 x 1 (framed), m3 = 0.1, m4 = 0.3: sum 0.95, M = 0.8.
 * raw_t = 0.3 x 0.5 x 0.75 + 0 (workload < 0) + 0.2 x 0.5 + 0 = 0.2125: R0 = 21.25.
 * IT = 21.25 x 0.2 = 4.25; each mitigation's factor is -R0 m_k 0.8 / 0.95. */
static void it_mitigations_capped(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"solution\":{\"strategic\":1,\"it_workload\":-1,"
                  "\"it_burden_framed\":true,\"it_career\":1,\"measurable\":{\"annual_benefit\":"
                  "1000,\"cost\":100,\"confidence\":1}},\"stakeholders\":[{\"id\":\"t\","
                  "\"function\":\"it\",\"can_buy\":true,\"level\":\"vp\",\"stance\":1,"
                  "\"ai_interest\":0.9,\"convinced\":{\"strategic\":true,\"measurable\":true}}]}");
    assert_near(SCORE(&h, DS_STRATEGIC_ROI), 100, 1e-9);
    assert_near(SCORE(&h, DS_MEASURABLE_ROI), 100 * 29.0 / 30, 1e-9);
    assert_near(SCORE(&h, DS_IT_RESISTANCE), 4.25, 1e-9);
    double k = -21.25 * 0.8 / 0.95;
    assert_near(factor(&h, DS_IT_RESISTANCE, "it_champion", "t"), k * 0.35, 1e-9);
    assert_near(factor(&h, DS_IT_RESISTANCE, "workload_relief", NULL), k * 0.2, 1e-9);
    assert_near(factor(&h, DS_IT_RESISTANCE, "it_career", NULL), k * 0.1, 1e-9);
    assert_near(factor(&h, DS_IT_RESISTANCE, "business_push_back", NULL), k * 0.3, 1e-9);
    assert_factors_add_up(&h);
    h_free(&h);
}

static double it_score(const char *json) {
    h_deal h;
    h_analyse(&h, json);
    double v = SCORE(&h, DS_IT_RESISTANCE);
    assert_factors_add_up(&h);
    h_free(&h);
    return v;
}

/* Workload relief: one default IT stakeholder (R0 = 21.25 as above), it_workload
 * -0.6: m2 = 0.2 x 0.6 x 0.5 unframed = 0.06, x 1 framed = 0.12. */
static void it_workload_relief(void **state) {
    (void)state;
    assert_near(it_score("{\"id\":\"d\",\"solution\":{\"it_workload\":-0.6},"
                         "\"stakeholders\":[{\"id\":\"t\",\"function\":\"it\"}]}"),
                21.25 * 0.94, 1e-9);
    assert_near(it_score("{\"id\":\"d\",\"solution\":{\"it_workload\":-0.6,\"it_burden_framed\":"
                         "true},\"stakeholders\":[{\"id\":\"t\",\"function\":\"it\"}]}"),
                21.25 * 0.88, 1e-9);
    /* a load instead: raw = 0.2125 + 0.25 x 0.5 x 0.6 = 0.2875 */
    assert_near(it_score("{\"id\":\"d\",\"solution\":{\"it_workload\":0.6},"
                         "\"stakeholders\":[{\"id\":\"t\",\"function\":\"it\"}]}"),
                28.75, 1e-9);
}

/* Sequencing, with one default IT stakeholder t (R0 = 21.25) and a buyer b. */
static void it_sequencing(void **state) {
    (void)state;
    static const char *const fmt =
        "{\"id\":\"d\",\"solution\":{\"for_it\":%s,\"it_career\":%s},\"stakeholders\":["
        "{\"id\":\"b\",\"can_buy\":true%s},{\"id\":\"t\",%s%s},{\"id\":\"t2\",\"function\":"
        "\"it\"%s}]}";
    static const struct {
        const char *for_it, *career, *b_first, *t_kind, *t_first, *t2_first;
        double expected;
    } cases[] = {
        /* IT first: + R0 x (1 - M) x 0.15, with M = 0 and with M = 0.1 x 0.4 */
        {"false", "0", ",\"first_contact\":\"2024-03-01\"", "\"function\":\"it\"",
         ",\"first_contact\":\"2024-02-01\"", "", 21.25 * 1.15},
        {"false", "0.4", ",\"first_contact\":\"2024-03-01\"", "\"function\":\"it\"",
         ",\"first_contact\":\"2024-02-01\"", "", 21.25 * 0.96 * 1.15},
        /* the same day is not earlier; nor is later; nor without a buyer's date */
        {"false", "0", ",\"first_contact\":\"2024-03-01\"", "\"function\":\"it\"",
         ",\"first_contact\":\"2024-03-01\"", "", 21.25},
        {"false", "0", ",\"first_contact\":\"2024-03-01\"", "\"function\":\"it\"",
         ",\"first_contact\":\"2024-03-02\"", "", 21.25},
        {"false", "0", "", "\"function\":\"it\"", ",\"first_contact\":\"2024-02-01\"", "", 21.25},
        /* for IT: no it_first; IT's strategic leadership first: - R0 x (1 - M) x 0.10 */
        {"true", "0", ",\"first_contact\":\"2024-03-01\"", "\"function\":\"it\"",
         ",\"first_contact\":\"2024-02-01\"", "", 21.25},
        {"true", "0", "", "\"roles\":[\"it_strategic\"]", ",\"first_contact\":\"2024-02-01\"",
         ",\"first_contact\":\"2024-02-02\"", 21.25 * 0.9},
        {"true", "0.4", "", "\"roles\":[\"it_strategic\"]", ",\"first_contact\":\"2024-02-01\"", "",
         21.25 * 0.96 * 0.9},
        /* the earliest IT contact is not the strategic one */
        {"true", "0", "", "\"roles\":[\"it_strategic\"]", ",\"first_contact\":\"2024-02-01\"",
         ",\"first_contact\":\"2024-01-31\"", 21.25},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[512];
        snprintf(json, sizeof json, fmt, cases[i].for_it, cases[i].career, cases[i].b_first,
                 cases[i].t_kind, cases[i].t_first, cases[i].t2_first);
        double got = it_score(json);
        if (fabs(got - cases[i].expected) > 1e-9)
            fail_msg("case %zu: %s\n  got %.10g, expected %.10g", i, json, got, cases[i].expected);
    }
}

/* No IT: R0 = 100 x 0.2 x concern, concern = 0.5 x 0.8 + 0.5 x 0.6 = 0.7 -> 14;
 * m3 = 0.1 x 0.4: IT = 14 x 0.96 = 13.44, warning it_unmapped. */
static void it_unmapped(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"solution\":{\"data_readiness\":0.2,\"security_risk\":0.6,"
                  "\"it_career\":0.4},\"stakeholders\":[{\"id\":\"b\",\"function\":\"business\","
                  "\"can_buy\":true}]}");
    assert_near(SCORE(&h, DS_IT_RESISTANCE), 13.44, 1e-9);
    assert_near(factor(&h, DS_IT_RESISTANCE, "it_unmapped", NULL), 14, 1e-9);
    assert_true(h_has_warning(&h.an, "it_unmapped"));
    assert_factors_add_up(&h);
    h_free(&h);
}

/* ---- user threat ---- */

/* u1 (user, w 1.0, stance 0.5, champion, work 0.7), u2 (end_user, w 0.7, -0.6, 0.1);
 * transparency 0.6, change 0.4, user_benefit 0.3.
 * raw_u1 = 0.21 + 0.1 + 0.2 (1 - 0.7) + 0 = 0.37
 * raw_u2 = 0.21 + 0.1 + 0.2 (1 - 0.3) + 0.2 x 0.6 = 0.57
 * U0 = 100 (0.37 + 0.7 x 0.57) / 1.7 = 76.9 / 1.7; consulted -0.25 U0, u1 a user
 * champion (0.5 > 0.3) -0.15 U0: user threat = 0.6 U0. */
static const char *const users_fmt =
    "{\"id\":\"d\",\"solution\":{\"user_transparency\":0.6,\"user_change\":0.4,"
    "\"user_benefit\":0.3,\"users_consulted\":%s},\"stakeholders\":["
    "{\"id\":\"u1\",\"function\":\"user\",\"influence\":1,\"stance\":%s,\"roles\":[\"%s\"],"
    "\"benefits\":{\"work\":0.7}},"
    "{\"id\":\"u2\",\"roles\":[\"end_user\"],\"influence\":0.5,\"stance\":-0.6,"
    "\"benefits\":{\"work\":0.1}}]}";

static void user_threat(void **state) {
    (void)state;
    double u0 = 76.9 / 1.7;
    static const struct {
        const char *consulted, *stance, *role;
        double share;
    } cases[] = {
        {"true", "0.5", "champion", 0.6},
        {"false", "0.5", "champion", 0.85},
        {"false", "0.31", "influencer", 0.85},
        {"true", "0.3", "champion", 0.75}, /* 0.3 is not above 0.3 */
        {"false", "0.5", "coach", 1.0},    /* neither champion nor influencer */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[640];
        snprintf(json, sizeof json, users_fmt, cases[i].consulted, cases[i].stance, cases[i].role);
        h_deal h;
        h_analyse(&h, json);
        if (fabs(SCORE(&h, DS_USER_THREAT) - u0 * cases[i].share) > 1e-9)
            fail_msg("case %zu: got %.10g, expected %.10g", i, SCORE(&h, DS_USER_THREAT),
                     u0 * cases[i].share);
        assert_false(h_has_warning(&h.an, "users_unmapped"));
        assert_factors_add_up(&h);
        h_free(&h);
    }
    char json[640];
    snprintf(json, sizeof json, users_fmt, "true", "0.5", "champion");
    h_deal h;
    h_analyse(&h, json);
    assert_near(factor(&h, DS_USER_THREAT, "users_consulted", NULL), -0.25 * u0, 1e-9);
    assert_near(factor(&h, DS_USER_THREAT, "user_champion", "u1"), -0.15 * u0, 1e-9);
    assert_near(factor(&h, DS_USER_THREAT, "user_opposition", "u2"), 100 * 0.7 / 1.7 * 0.12, 1e-9);
    h_free(&h);
}

/* No users: U0 = 100 (0.35 x 0.6 + 0.25 x 0.4 + 0.2 x 0.7) = 45; consulted: x 0.75 */
static void users_unmapped(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"solution\":{\"user_transparency\":0.6,\"user_change\":0.4,"
                  "\"user_benefit\":0.3,\"users_consulted\":true},\"stakeholders\":[{\"id\":\"b\","
                  "\"can_buy\":true}]}");
    assert_near(SCORE(&h, DS_USER_THREAT), 45 * 0.75, 1e-9);
    assert_true(h_has_warning(&h.an, "users_unmapped"));
    assert_factors_add_up(&h);
    h_free(&h);
}

/* ---- warnings ---- */

static void assert_warnings(const h_deal *h, const char *const *expected, int n) {
    if (h->an.n_warnings != n) fail_msg("%d warnings, expected %d", h->an.n_warnings, n);
    for (int i = 0; i < n; i++) assert_string_equal(h->an.warnings[i], expected[i]);
}

static void stale_warnings(void **state) {
    (void)state;
    /* as_of 2024-06-30: 2024-03-31 is 91 days before (30 + 31 + 30), 2024-04-01 is 90 */
    assert_int_equal(h_day("2024-06-30") - h_day("2024-03-31"), 91);
    static const char *const people =
        "\"stakeholders\":["
        "{\"id\":\"k1\",\"roles\":[\"champion\"],\"last_contact\":\"2024-03-31\"},"
        "{\"id\":\"k2\",\"can_buy\":true,\"last_contact\":\"2024-04-01\"},"
        "{\"id\":\"n\",\"roles\":[\"coach\"],\"last_contact\":\"2023-01-01\"},"
        "{\"id\":\"k3\",\"roles\":[\"sponsor\"],\"last_contact\":\"2023-06-30\"},"
        "{\"id\":\"k4\",\"roles\":[\"economic_buyer\"],\"first_contact\":\"2020-01-01\"},"
        "{\"id\":\"t\",\"function\":\"it\"},{\"id\":\"u\",\"function\":\"user\"}]";
    char json[1024];
    h_deal h;
    snprintf(json, sizeof json, "{\"id\":\"d\",\"as_of\":\"2024-06-30\",%s}", people);
    h_analyse(&h, json);
    /* (no judgement is given, so the deal also has too little data) */
    static const char *const stale[] = {"stale:k1", "stale:k3", "low_coverage"};
    assert_warnings(&h, stale, 3);
    h_free(&h);
    /* without as_of nothing is stale */
    snprintf(json, sizeof json, "{\"id\":\"d\",%s}", people);
    h_analyse(&h, json);
    assert_warnings(&h, stale + 2, 1);
    h_free(&h);
}

/* order: stale first, then it_unmapped, then users_unmapped, then low_coverage
 * (SCORING.md v1.1): after every other warning, when coverage is below
 * the model's coverage_min; a coverage equal to it is enough. */
static void low_coverage_warning(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"as_of\":\"2024-06-30\",\"stakeholders\":[{\"id\":\"b\","
                  "\"can_buy\":true,\"last_contact\":\"2023-06-30\"}]}");
    static const char *const all[] = {"stale:b", "it_unmapped", "users_unmapped", "low_coverage"};
    assert_warnings(&h, all, 4);
    h_free(&h);
    /* 8 of 28 given: 0.2857 < 0.3 */
    static const char *const json =
        "{\"id\":\"d\",\"solution\":{\"capability\":0.7,\"strategic\":0.5,\"for_it\":false,"
        "\"prototype\":false%s},\"stakeholders\":[{\"id\":\"t\",\"function\":\"it\","
        "\"roles\":[\"end_user\"],\"influence\":0.4,\"stance\":0.1,\"burden\":0.2,"
        "\"ai_interest\":0.3}]}";
    char text[1024];
    snprintf(text, sizeof text, json, "");
    h_analyse(&h, text);
    assert_near(h.an.coverage, 8.0 / 28.0, 1e-12);
    static const char *const low[] = {"low_coverage"};
    assert_warnings(&h, low, 1);
    /* the same deal judged with coverage_min at its coverage, then just above */
    ds_params p = *h_params();
    ds_analysis an;
    ds_error err;
    p.coverage_min = 8.0 / 28.0;
    assert_int_equal(ds_analyse(&an, &h.deal, &p, &h.arena, &err), 0);
    assert_int_equal(an.n_warnings, 0);
    p.coverage_min = nextafter(8.0 / 28.0, 1);
    assert_int_equal(ds_analyse(&an, &h.deal, &p, &h.arena, &err), 0);
    assert_int_equal(an.n_warnings, 1);
    h_free(&h);
    /* one field more: 9 of 28 = 0.3214, no warning */
    snprintf(text, sizeof text, json, ",\"users_consulted\":true");
    h_analyse(&h, text);
    assert_warnings(&h, NULL, 0);
    h_free(&h);
}

/* ---- properties over random deals ---- */

static bool same_analysis(const ds_analysis *a, const ds_analysis *b) {
    int n = a->deal->n_stakeholders;
    if (n != b->deal->n_stakeholders || a->n_warnings != b->n_warnings) return false;
    for (int k = 0; k < DS_NSCORES; k++) {
        const ds_score *x = &a->scores[k], *y = &b->scores[k];
        if (memcmp(&x->value, &y->value, sizeof(double)) != 0 || x->n_factors != y->n_factors)
            return false;
        for (int f = 0; f < x->n_factors; f++)
            if (memcmp(&x->factors[f].effect, &y->factors[f].effect, sizeof(double)) != 0 ||
                strcmp(x->factors[f].factor, y->factors[f].factor) != 0)
                return false;
    }
    for (int w = 0; w < a->n_warnings; w++)
        if (strcmp(a->warnings[w], b->warnings[w]) != 0) return false;
    size_t bytes = sizeof(double) * (size_t)n;
    return memcmp(a->graph.predicted, b->graph.predicted, bytes) == 0 &&
           memcmp(a->graph.effective, b->graph.effective, bytes) == 0 &&
           memcmp(&a->coverage, &b->coverage, sizeof(double)) == 0;
}

static void random_deals(void **state) {
    (void)state;
    h_rng rng = {20240630};
    int relationship_types[5] = {0};
    for (int n = 0; n < 5000; n++) {
        ds_buf json;
        h_random_deal(&rng, n, &json);
        h_deal a, b;
        h_analyse(&a, json.data);
        h_analyse(&b, json.data);
        for (int k = 0; k < DS_NSCORES; k++) {
            const ds_score *s = &a.an.scores[k];
            double sum = ds_score_factor_sum(s);
            if (!(s->value >= 0 && s->value <= 100) || fabs(sum - s->value) > 1e-6)
                fail_msg("deal %d: %s = %.10g, factors add to %.10g\n%s", n, ds_score_names[k],
                         s->value, sum, json.data);
        }
        for (int i = 0; i < a.deal.n_stakeholders; i++)
            if (!(fabs(a.an.graph.predicted[i]) <= 1) || !(a.an.graph.effective[i] >= 0) ||
                !(a.an.graph.effective[i] <= 1))
                fail_msg("deal %d: stakeholder %d out of range\n%s", n, i, json.data);
        if (!(a.an.coverage >= 0 && a.an.coverage <= 1)) fail_msg("deal %d: coverage", n);
        if (!same_analysis(&a.an, &b.an)) fail_msg("deal %d: not deterministic\n%s", n, json.data);
        for (int k = 0; k < a.deal.n_relationships; k++)
            relationship_types[a.deal.relationships[k].type]++;
        h_free(&a);
        h_free(&b);
        ds_buf_free(&json);
    }
    for (int t = 0; t < 5; t++) assert_true(relationship_types[t] > 100); /* all five used */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(capability_with_decay), cmocka_unit_test(strategic_with_sponsor),
        cmocka_unit_test(measurable_cases),      cmocka_unit_test(it_resistance_two_it),
        cmocka_unit_test(it_mitigations_capped), cmocka_unit_test(it_workload_relief),
        cmocka_unit_test(it_sequencing),         cmocka_unit_test(it_unmapped),
        cmocka_unit_test(user_threat),           cmocka_unit_test(users_unmapped),
        cmocka_unit_test(stale_warnings),        cmocka_unit_test(low_coverage_warning),
        cmocka_unit_test(random_deals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
