/* ds_stats.h: the statistics of a backtest, as pure functions of arrays.
 *
 * `dealscore backtest` asks how well a policy's viability separates won from lost
 * deals and how well a win probability derived from it is calibrated. The maths
 * lives here, free of Lua, JSON and I/O, so each formula can be unit-tested
 * against a hand computation (docs/backtest.md gives the definitions and the
 * references). Outcomes are arrays of 0 (lost) / 1 (won); scores are any reals.
 * Randomness comes from a seeded generator so every figure is reproducible. */
#ifndef DS_STATS_H
#define DS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- a small seeded generator (splitmix64) ---- */

typedef struct ds_rng {
    uint64_t state;
} ds_rng;

void ds_rng_seed(ds_rng *r, uint64_t seed);
uint64_t ds_rng_next(ds_rng *r);
/* Uniform in [0, n), n > 0, without modulo bias. */
size_t ds_rng_below(ds_rng *r, size_t n);
/* Fisher-Yates shuffle of idx[0..n). */
void ds_rng_shuffle(ds_rng *r, size_t *idx, size_t n);

/* ---- discrimination ---- */

/* ROC AUC by Mann-Whitney with midranks: the probability that a random won deal
 * scores above a random lost one, ties counting one half. NAN without at least one
 * won and one lost deal. */
double ds_auc(const double *score, const unsigned char *won, size_t n);
/* Hanley & McNeil (1982) standard error of an AUC from the class sizes. */
double ds_auc_hanley_se(double auc, size_t n_won, size_t n_lost);

typedef struct ds_interval {
    double lo, hi;
} ds_interval;

/* Stratified percentile bootstrap interval of the AUC at `level` (e.g. 0.95):
 * each resample draws the won and the lost deals with replacement, keeping their
 * counts. The same seed gives the same interval. Returns -1 (interval NAN) when
 * a class is empty, resamples < 1 or memory runs out. */
int ds_auc_bootstrap(const double *score, const unsigned char *won, size_t n, int resamples,
                     uint64_t seed, double level, ds_interval *out);

/* Paired version for comparing two policies on the same deals: the interval of
 * AUC(a) - AUC(b), both computed on each resample. An interval that excludes 0
 * says the difference is more than the luck of the sample. */
int ds_auc_diff_bootstrap(const double *a, const double *b, const unsigned char *won, size_t n,
                          int resamples, uint64_t seed, double level, ds_interval *out);

/* ---- calibration ---- */

/* Brier (1950) score: mean of (p - won)^2. */
double ds_brier(const double *p, const unsigned char *won, size_t n);
/* Mean negative log-likelihood (natural log); p is clipped to [1e-15, 1 - 1e-15]. */
double ds_log_loss(const double *p, const unsigned char *won, size_t n);

/* Platt (1999) scaling: P(won | x) = 1 / (1 + exp(-(a x + b))). */
typedef struct ds_platt {
    double a, b;
    int iterations;
    bool converged;
} ds_platt;

/* Fits a and b by Newton's method with a backtracking line search, on Platt's
 * smoothed targets ((N+ + 1)/(N+ + 2) for won, 1/(N- + 2) for lost) and with a
 * ridge penalty `ridge` x slope^2 / 2 on the standardised x, so that separable or
 * constant data give a finite, stable fit. Returns -1 when n is 0. */
int ds_platt_fit(const double *x, const unsigned char *won, size_t n, double ridge, ds_platt *out);
double ds_platt_apply(const ds_platt *m, double x);

/* Wilson score interval for k successes out of n at normal quantile z (1.96 for
 * 95%). NAN when n is 0. */
void ds_wilson(size_t k, size_t n, double z, double *lo, double *hi);

/* One bin of a reliability table. */
typedef struct ds_bin {
    size_t n, won;
    double score_lo, score_hi;     /* range of the scores in the bin */
    double mean_p;                 /* mean predicted probability (NAN without p) */
    double rate, rate_lo, rate_hi; /* observed win rate and its Wilson 95% interval */
} ds_bin;

/* Reliability table: deals ranked by score into `bins` groups of near-equal size
 * (bin = floor((midrank - 1/2) x bins / n), so tied scores share a bin; a bin may
 * be empty). p may be NULL. Returns -1 when memory runs out. */
int ds_reliability(const double *score, const double *p, const unsigned char *won, size_t n,
                   int bins, ds_bin *out);

/* ---- association of a rule with the outcome ---- */

/* Two-sided Fisher exact test p-value of the 2x2 table [[a, b], [c, d]]: the sum of
 * the probabilities of every table with the same margins that is no more likely
 * than the observed one. */
double ds_fisher_exact(long a, long b, long c, long d);

#endif
