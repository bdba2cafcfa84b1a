/* test_stats.c: the backtest statistics (core/ds_stats.c) against hand computations.
 *
 * Each expected value below is worked out by hand in the comment beside it (or is
 * a textbook value with its source), never copied from the program's output. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ds_stats.h"

#define NEAR(x, want, tol) assert_true(fabs((x) - (want)) <= (tol))

/* won: 0.9, 0.7, 0.5; lost: 0.7, 0.5, 0.3, 0.1. Pairs won-over-lost, ties 1/2:
 * 0.9 beats 4; 0.7 beats 3 and ties 1 (3.5); 0.5 beats 2 and ties 1 (2.5).
 * AUC = (4 + 3.5 + 2.5) / (3 x 4) = 10/12. */
static void auc_with_ties(void **state) {
    (void)state;
    double s[] = {0.7, 0.9, 0.1, 0.5, 0.7, 0.3, 0.5};
    unsigned char w[] = {0, 1, 0, 1, 1, 0, 0};
    NEAR(ds_auc(s, w, 7), 10.0 / 12.0, 1e-12);
    /* reversing the scores mirrors the AUC */
    for (int i = 0; i < 7; i++) s[i] = -s[i];
    NEAR(ds_auc(s, w, 7), 2.0 / 12.0, 1e-12);
}

static void auc_edge_cases(void **state) {
    (void)state;
    double s[] = {1, 2, 3};
    unsigned char all_won[] = {1, 1, 1};
    assert_true(isnan(ds_auc(s, all_won, 3)));
    double same[] = {5, 5, 5, 5};
    unsigned char w[] = {1, 0, 1, 0};
    NEAR(ds_auc(same, w, 4), 0.5, 1e-12); /* all tied: no separation */
    double perfect[] = {1, 2, 3, 4};
    unsigned char w2[] = {0, 0, 1, 1};
    NEAR(ds_auc(perfect, w2, 4), 1.0, 1e-12);
}

/* Hanley & McNeil (1982), table 2 style: A = 0.5 gives Q1 = 1/3, Q2 = 1/3;
 * with 10 and 10: var = (0.25 + 9 (1/3 - 1/4) x 2) / 100 = (0.25 + 1.5) / 100. */
static void hanley_se(void **state) {
    (void)state;
    NEAR(ds_auc_hanley_se(0.5, 10, 10), sqrt(1.75 / 100), 1e-12);
}

static void synthetic(double *s, unsigned char *w, size_t n, uint64_t seed) {
    ds_rng r;
    ds_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        s[i] = (double)ds_rng_below(&r, 1000) / 10.0;
        double p = 1 / (1 + exp(-(0.08 * s[i] - 4)));
        w[i] = (double)(ds_rng_next(&r) >> 11) * 0x1.0p-53 < p;
    }
}

static void bootstrap_is_seeded(void **state) {
    (void)state;
    enum { N = 400 };
    double s[N];
    unsigned char w[N];
    synthetic(s, w, N, 7);
    ds_interval a, b, c;
    assert_int_equal(ds_auc_bootstrap(s, w, N, 500, 42, 0.95, &a), 0);
    assert_int_equal(ds_auc_bootstrap(s, w, N, 500, 42, 0.95, &b), 0);
    assert_int_equal(ds_auc_bootstrap(s, w, N, 500, 43, 0.95, &c), 0);
    assert_true(a.lo == b.lo && a.hi == b.hi); /* same seed, same interval, bit for bit */
    assert_true(a.lo != c.lo || a.hi != c.hi);
    double auc = ds_auc(s, w, N);
    assert_true(a.lo < auc && auc < a.hi);
    /* the percentile interval is close to the normal one from Hanley & McNeil */
    double se = ds_auc_hanley_se(auc, 200, 200);
    assert_true(a.hi - a.lo > 2 * 1.96 * se * 0.6 && a.hi - a.lo < 2 * 1.96 * se * 1.6);
    unsigned char none[N] = {0};
    assert_int_equal(ds_auc_bootstrap(s, none, N, 500, 42, 0.95, &a), -1);
    assert_true(isnan(a.lo));
}

static void paired_difference(void **state) {
    (void)state;
    enum { N = 400 };
    double s[N], noisy[N];
    unsigned char w[N];
    synthetic(s, w, N, 9);
    ds_rng r;
    ds_rng_seed(&r, 3);
    for (int i = 0; i < N; i++) noisy[i] = s[i] + (double)ds_rng_below(&r, 800) / 10.0;
    ds_interval same, better, worse;
    assert_int_equal(ds_auc_diff_bootstrap(s, s, w, N, 300, 1, 0.95, &same), 0);
    assert_true(same.lo == 0 && same.hi == 0); /* a policy against itself: exactly 0 */
    assert_int_equal(ds_auc_diff_bootstrap(s, noisy, w, N, 300, 1, 0.95, &better), 0);
    assert_int_equal(ds_auc_diff_bootstrap(noisy, s, w, N, 300, 1, 0.95, &worse), 0);
    double diff = ds_auc(s, w, N) - ds_auc(noisy, w, N);
    assert_true(diff > 0 && better.lo > 0 && better.lo < diff && diff < better.hi);
    NEAR(worse.lo, -better.hi, 1e-12); /* same resamples, mirrored */
    NEAR(worse.hi, -better.lo, 1e-12);
}

static void rng_below_is_uniform(void **state) {
    (void)state;
    ds_rng r;
    ds_rng_seed(&r, 1);
    int counts[3] = {0};
    for (int i = 0; i < 30000; i++) counts[ds_rng_below(&r, 3)]++;
    for (int k = 0; k < 3; k++) assert_true(abs(counts[k] - 10000) < 400);
    size_t idx[5] = {0, 1, 2, 3, 4}, seen = 0;
    ds_rng_shuffle(&r, idx, 5);
    for (int i = 0; i < 5; i++) seen |= (size_t)1 << idx[i];
    assert_int_equal(seen, 31); /* a permutation */
}

/* p = 0.8, 0.3, 0.6 for won, lost, lost:
 * Brier = (0.2^2 + 0.3^2 + 0.6^2) / 3 = 0.49 / 3;
 * log loss = -(ln 0.8 + ln 0.7 + ln 0.4) / 3. */
static void brier_and_log_loss(void **state) {
    (void)state;
    double p[] = {0.8, 0.3, 0.6};
    unsigned char w[] = {1, 0, 0};
    NEAR(ds_brier(p, w, 3), 0.49 / 3, 1e-12);
    NEAR(ds_log_loss(p, w, 3), -(log(0.8) + log(0.7) + log(0.4)) / 3, 1e-12);
    double sure[] = {0.0};
    unsigned char won[] = {1};
    assert_true(isfinite(ds_log_loss(sure, won, 1))); /* clipped, not infinite */
}

static void platt_recovers_a_known_curve(void **state) {
    (void)state;
    enum { N = 20000 };
    static double s[N];
    static unsigned char w[N];
    synthetic(s, w, N, 11); /* drawn from a = 0.08, b = -4 */
    ds_platt m;
    assert_int_equal(ds_platt_fit(s, w, N, 1e-3, &m), 0);
    assert_true(m.converged);
    NEAR(m.a, 0.08, 0.006);
    NEAR(m.b, -4.0, 0.3);
    NEAR(ds_platt_apply(&m, 50), 0.5, 0.03);
}

static void platt_on_separable_data_stays_finite(void **state) {
    (void)state;
    double s[100];
    unsigned char w[100];
    for (int i = 0; i < 100; i++) {
        s[i] = i;
        w[i] = i >= 50;
    }
    ds_platt m;
    assert_int_equal(ds_platt_fit(s, w, 100, 1e-3, &m), 0);
    assert_true(isfinite(m.a) && isfinite(m.b) && m.a > 0);
    assert_true(ds_platt_apply(&m, 0) < 0.05 && ds_platt_apply(&m, 99) > 0.95);
    /* Platt's targets keep the extremes away from 0 and 1 */
    assert_true(ds_platt_apply(&m, 0) > 1e-6 && ds_platt_apply(&m, 99) < 1 - 1e-6);
    /* constant scores: slope 0, intercept at the smoothed base rate (30 + 1) / (100 + 2) */
    for (int i = 0; i < 100; i++) {
        s[i] = 40;
        w[i] = i < 30;
    }
    assert_int_equal(ds_platt_fit(s, w, 100, 1e-3, &m), 0);
    NEAR(ds_platt_apply(&m, 40), 0.3, 0.01);
}

/* Wilson 95% for 8 of 10: centre (0.8 + 0.19208) / 1.38416 = 0.71682,
 * half 1.96 / 1.38416 x sqrt(0.016 + 0.0096040) = 0.22656 -> [0.4902, 0.9434]. */
static void wilson_interval(void **state) {
    (void)state;
    double lo, hi;
    ds_wilson(8, 10, 1.96, &lo, &hi);
    NEAR(lo, 0.4902, 1e-4);
    NEAR(hi, 0.9434, 1e-4);
    ds_wilson(0, 10, 1.96, &lo, &hi);
    NEAR(lo, 0, 1e-12);
    assert_true(hi > 0.2 && hi < 0.35);
}

/* scores 1, 2, 2, 3 .. 9 in 5 bins: midranks 1, 2.5, 2.5, 4, 5 .. 10;
 * bin = floor((r - 0.5) x 5 / 10): 0 | 1 1 1 | 2 2 | 3 3 | 4 4. */
static void reliability_keeps_ties_together(void **state) {
    (void)state;
    double s[] = {9, 2, 1, 3, 2, 4, 5, 6, 7, 8};
    unsigned char w[] = {1, 1, 0, 0, 0, 0, 1, 1, 0, 1};
    double p[] = {0.9, 0.2, 0.1, 0.3, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8};
    ds_bin b[5];
    assert_int_equal(ds_reliability(s, p, w, 10, 5, b), 0);
    size_t want_n[] = {1, 3, 2, 2, 2}, want_won[] = {0, 1, 1, 1, 2};
    for (int k = 0; k < 5; k++) {
        assert_int_equal(b[k].n, want_n[k]);
        assert_int_equal(b[k].won, want_won[k]);
    }
    NEAR(b[1].score_lo, 2, 0);
    NEAR(b[1].score_hi, 3, 0);
    NEAR(b[1].mean_p, 0.7 / 3, 1e-12);
    NEAR(b[1].rate, 1.0 / 3, 1e-12);
    assert_true(b[1].rate_lo < b[1].rate && b[1].rate < b[1].rate_hi);
}

/* Fisher's tea tasting, [[3,1],[1,3]]: margins all 4, so a table with first cell x
 * has probability C(4,x) C(4,4-x) / 70 = 1, 16, 36, 16, 1 (/70) for x = 0..4. The
 * tables no more likely than the observed (x = 3) are x = 0, 1, 3, 4: 34/70. */
static void fisher_exact(void **state) {
    (void)state;
    NEAR(ds_fisher_exact(3, 1, 1, 3), 34.0 / 70.0, 1e-9);
    NEAR(ds_fisher_exact(2, 2, 2, 2), 1.0, 1e-9);
    /* [[4,0],[0,4]]: only it and its mirror, 2/70 */
    NEAR(ds_fisher_exact(4, 0, 0, 4), 2.0 / 70.0, 1e-9);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(auc_with_ties),
        cmocka_unit_test(auc_edge_cases),
        cmocka_unit_test(hanley_se),
        cmocka_unit_test(bootstrap_is_seeded),
        cmocka_unit_test(paired_difference),
        cmocka_unit_test(rng_below_is_uniform),
        cmocka_unit_test(brier_and_log_loss),
        cmocka_unit_test(platt_recovers_a_known_curve),
        cmocka_unit_test(platt_on_separable_data_stays_finite),
        cmocka_unit_test(wilson_interval),
        cmocka_unit_test(reliability_keeps_ties_together),
        cmocka_unit_test(fisher_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
