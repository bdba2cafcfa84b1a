/* ds_stats.c: backtest statistics; see ds_stats.h and docs/backtest.md.
 *
 * Everything works on ranks: deals are sorted by score once, tied scores form one
 * group, and the AUC, its bootstrap and the reliability bins are sweeps over the
 * groups. That keeps a 2000-resample bootstrap linear in the number of deals. */
#include "ds_stats.h"

#include <math.h>
#include <stdlib.h>

/* ---- generator ---- */

void ds_rng_seed(ds_rng *r, uint64_t seed) {
    r->state = seed;
}

uint64_t ds_rng_next(ds_rng *r) {
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

size_t ds_rng_below(ds_rng *r, size_t n) {
    /* reject the top partial block so every value is equally likely */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = ds_rng_next(r);
    while (x >= limit);
    return (size_t)(x % n);
}

void ds_rng_shuffle(ds_rng *r, size_t *idx, size_t n) {
    for (size_t i = n; i > 1; i--) {
        size_t j = ds_rng_below(r, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

/* ---- ranking ---- */

typedef struct ranked {
    double score;
    size_t index;
} ranked;

static int by_score(const void *pa, const void *pb) {
    const ranked *a = pa, *b = pb;
    if (a->score != b->score) return a->score < b->score ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Sorts the deals by score; group[i] = the tie group of deal i (0 = lowest).
 * Returns the number of groups, or -1 on memory failure. *order_out (optional)
 * receives the sorted array, to be freed by the caller. */
static long rank_groups(const double *score, size_t n, size_t *group, ranked **order_out) {
    ranked *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) return -1;
    for (size_t i = 0; i < n; i++) order[i] = (ranked){score[i], i};
    qsort(order, n, sizeof *order, by_score);
    long g = -1;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || order[i].score != order[i - 1].score) g++;
        group[order[i].index] = (size_t)g;
    }
    if (order_out)
        *order_out = order;
    else
        free(order);
    return g + 1;
}

/* AUC from per-group counts of won and lost deals, groups in ascending score. */
static double auc_from_counts(const size_t *cw, const size_t *cl, size_t groups, size_t nw,
                              size_t nl) {
    double lost_below = 0, sum = 0;
    for (size_t g = 0; g < groups; g++) {
        sum += (double)cw[g] * (lost_below + 0.5 * (double)cl[g]);
        lost_below += (double)cl[g];
    }
    return sum / ((double)nw * (double)nl);
}

static void count_classes(const unsigned char *won, size_t n, size_t *nw, size_t *nl) {
    *nw = *nl = 0;
    for (size_t i = 0; i < n; i++) {
        if (won[i])
            (*nw)++;
        else
            (*nl)++;
    }
}

double ds_auc(const double *score, const unsigned char *won, size_t n) {
    size_t nw, nl;
    count_classes(won, n, &nw, &nl);
    if (!nw || !nl) return NAN;
    size_t *group = malloc(n * sizeof *group);
    long groups = group ? rank_groups(score, n, group, NULL) : -1;
    size_t *cw = groups > 0 ? calloc(2 * (size_t)groups, sizeof *cw) : NULL;
    double auc = NAN;
    if (cw) {
        size_t *cl = cw + groups;
        for (size_t i = 0; i < n; i++) (won[i] ? cw : cl)[group[i]]++;
        auc = auc_from_counts(cw, cl, (size_t)groups, nw, nl);
    }
    free(cw);
    free(group);
    return auc;
}

double ds_auc_hanley_se(double auc, size_t n_won, size_t n_lost) {
    if (!n_won || !n_lost || isnan(auc)) return NAN;
    double q1 = auc / (2 - auc), q2 = 2 * auc * auc / (1 + auc), a2 = auc * auc;
    double var =
        (auc * (1 - auc) + ((double)n_won - 1) * (q1 - a2) + ((double)n_lost - 1) * (q2 - a2)) /
        ((double)n_won * (double)n_lost);
    return sqrt(var > 0 ? var : 0);
}

static int by_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Linear-interpolation quantile of sorted values (Hyndman & Fan type 7). */
static double quantile(const double *sorted, size_t n, double q) {
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    return sorted[lo] + (h - (double)lo) * (sorted[hi] - sorted[lo]);
}

/* Per-group won/lost counts of one score vector, refilled for each resample. */
typedef struct auc_counter {
    size_t *group; /* per deal: its tie group */
    size_t *cw, *cl;
    size_t groups;
} auc_counter;

static int counter_init(auc_counter *c, const double *score, size_t n) {
    c->cw = NULL;
    c->group = malloc(n * sizeof *c->group);
    long groups = c->group ? rank_groups(score, n, c->group, NULL) : -1;
    if (groups > 0) c->cw = malloc(2 * (size_t)groups * sizeof *c->cw);
    if (!c->cw) return -1;
    c->groups = (size_t)groups;
    c->cl = c->cw + groups;
    return 0;
}

static void counter_free(auc_counter *c) {
    free(c->cw);
    free(c->group);
}

/* The bootstrap behind both intervals: k = 1 resamples AUC(score[0]); k = 2
 * resamples AUC(score[0]) - AUC(score[1]) on the same deals (paired). */
static int bootstrap(const double *const *score, int k, const unsigned char *won, size_t n,
                     int resamples, uint64_t seed, double level, ds_interval *out) {
    out->lo = out->hi = NAN;
    size_t nw, nl;
    count_classes(won, n, &nw, &nl);
    if (!nw || !nl || resamples < 1) return -1;
    auc_counter c[2] = {{0}, {0}};
    size_t *idx = malloc(n * sizeof *idx); /* won deals, then lost deals */
    double *stat = malloc((size_t)resamples * sizeof *stat);
    int ok = idx && stat;
    for (int j = 0; j < k; j++) ok = ok && counter_init(&c[j], score[j], n) == 0;
    if (ok) {
        size_t iw = 0, il = nw;
        for (size_t i = 0; i < n; i++) idx[won[i] ? iw++ : il++] = i;
        ds_rng rng;
        ds_rng_seed(&rng, seed);
        for (int r = 0; r < resamples; r++) {
            for (int j = 0; j < k; j++)
                for (size_t g = 0; g < 2 * c[j].groups; g++) c[j].cw[g] = 0;
            for (size_t m = 0; m < nw; m++) {
                size_t i = idx[ds_rng_below(&rng, nw)];
                for (int j = 0; j < k; j++) c[j].cw[c[j].group[i]]++;
            }
            for (size_t m = 0; m < nl; m++) {
                size_t i = idx[nw + ds_rng_below(&rng, nl)];
                for (int j = 0; j < k; j++) c[j].cl[c[j].group[i]]++;
            }
            stat[r] = auc_from_counts(c[0].cw, c[0].cl, c[0].groups, nw, nl);
            if (k == 2) stat[r] -= auc_from_counts(c[1].cw, c[1].cl, c[1].groups, nw, nl);
        }
        qsort(stat, (size_t)resamples, sizeof *stat, by_double);
        double tail = (1 - level) / 2;
        out->lo = quantile(stat, (size_t)resamples, tail);
        out->hi = quantile(stat, (size_t)resamples, 1 - tail);
    }
    for (int j = 0; j < k; j++) counter_free(&c[j]);
    free(stat);
    free(idx);
    return ok ? 0 : -1;
}

int ds_auc_bootstrap(const double *score, const unsigned char *won, size_t n, int resamples,
                     uint64_t seed, double level, ds_interval *out) {
    const double *scores[1] = {score};
    return bootstrap(scores, 1, won, n, resamples, seed, level, out);
}

int ds_auc_diff_bootstrap(const double *a, const double *b, const unsigned char *won, size_t n,
                          int resamples, uint64_t seed, double level, ds_interval *out) {
    const double *scores[2] = {a, b};
    return bootstrap(scores, 2, won, n, resamples, seed, level, out);
}

/* ---- calibration ---- */

double ds_brier(const double *p, const unsigned char *won, size_t n) {
    if (!n) return NAN;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double e = p[i] - (won[i] ? 1.0 : 0.0);
        sum += e * e;
    }
    return sum / (double)n;
}

double ds_log_loss(const double *p, const unsigned char *won, size_t n) {
    if (!n) return NAN;
    const double eps = 1e-15;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double q = fmin(fmax(p[i], eps), 1 - eps);
        sum -= won[i] ? log(q) : log1p(-q);
    }
    return sum / (double)n;
}

/* log(1 + exp(t)) without overflow */
static double softplus(double t) {
    return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

static double sigmoid(double t) {
    if (t >= 0) return 1 / (1 + exp(-t));
    double e = exp(t);
    return e / (1 + e);
}

typedef struct platt_data {
    const double *z; /* standardised x */
    const double *t; /* smoothed targets */
    size_t n;
    double ridge;
} platt_data;

/* Penalised negative log-likelihood with soft targets. */
static double platt_objective(const platt_data *d, double a, double b) {
    double f = 0.5 * d->ridge * a * a;
    for (size_t i = 0; i < d->n; i++) {
        double s = a * d->z[i] + b;
        /* -t log(sigmoid(s)) - (1-t) log(1 - sigmoid(s)) */
        f += d->t[i] * softplus(-s) + (1 - d->t[i]) * softplus(s);
    }
    return f;
}

/* One Newton step with backtracking; returns false when converged. */
static bool platt_step(const platt_data *d, double *a, double *b) {
    double ga = d->ridge * *a, gb = 0, haa = d->ridge + 1e-12, hab = 0, hbb = 1e-12;
    for (size_t i = 0; i < d->n; i++) {
        double p = sigmoid(*a * d->z[i] + *b), r = p - d->t[i], w = p * (1 - p);
        ga += r * d->z[i];
        gb += r;
        haa += w * d->z[i] * d->z[i];
        hab += w * d->z[i];
        hbb += w;
    }
    if (fabs(ga) + fabs(gb) < 1e-10 * (double)d->n) return false;
    double det = haa * hbb - hab * hab;
    if (!(det > 0)) return false;
    double da = -(hbb * ga - hab * gb) / det, db = -(haa * gb - hab * ga) / det;
    double f0 = platt_objective(d, *a, *b), step = 1;
    while (step > 1e-10) {
        double f = platt_objective(d, *a + step * da, *b + step * db);
        if (f <= f0 + 1e-4 * step * (ga * da + gb * db)) break;
        step /= 2;
    }
    if (step <= 1e-10) return false;
    *a += step * da;
    *b += step * db;
    return fabs(step * da) + fabs(step * db) > 1e-12;
}

int ds_platt_fit(const double *x, const unsigned char *won, size_t n, double ridge, ds_platt *out) {
    *out = (ds_platt){0};
    if (!n) return -1;
    size_t nw, nl;
    count_classes(won, n, &nw, &nl);
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++) mean += x[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) var += (x[i] - mean) * (x[i] - mean);
    double sd = sqrt(var / (double)n);
    if (!(sd > 0)) sd = 1; /* constant x: only the intercept carries information */
    double *z = malloc(2 * n * sizeof *z);
    if (!z) return -1;
    double *t = z + n;
    double t_won = ((double)nw + 1) / ((double)nw + 2), t_lost = 1 / ((double)nl + 2);
    for (size_t i = 0; i < n; i++) {
        z[i] = (x[i] - mean) / sd;
        t[i] = won[i] ? t_won : t_lost;
    }
    platt_data d = {z, t, n, ridge};
    double a = 0, b = log(((double)nw + 1) / ((double)nl + 1)); /* start: the base rate */
    int it = 0;
    bool moving = true;
    while (moving && it < 100) {
        moving = platt_step(&d, &a, &b);
        it++;
    }
    free(z);
    out->a = a / sd;
    out->b = b - a * mean / sd;
    out->iterations = it;
    out->converged = !moving;
    return 0;
}

double ds_platt_apply(const ds_platt *m, double x) {
    return sigmoid(m->a * x + m->b);
}

void ds_wilson(size_t k, size_t n, double z, double *lo, double *hi) {
    if (!n) {
        *lo = *hi = NAN;
        return;
    }
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = fmax(0, centre - half);
    *hi = fmin(1, centre + half);
}

int ds_reliability(const double *score, const double *p, const unsigned char *won, size_t n,
                   int bins, ds_bin *out) {
    for (int k = 0; k < bins; k++) out[k] = (ds_bin){0, 0, NAN, NAN, NAN, NAN, NAN, NAN};
    if (!n) return 0;
    size_t *group = malloc(n * sizeof *group);
    ranked *order = NULL;
    if (!group || rank_groups(score, n, group, &order) < 0) {
        free(group);
        return -1;
    }
    double *sum_p = calloc((size_t)bins, sizeof *sum_p);
    if (!sum_p) {
        free(order);
        free(group);
        return -1;
    }
    /* walk tie groups in ascending order; each group's midrank picks its bin */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && order[j].score == order[i].score) j++;
        double midrank = ((double)i + 1 + (double)j) / 2; /* ranks i+1 .. j */
        int k = (int)floor((midrank - 0.5) * bins / (double)n);
        if (k >= bins) k = bins - 1;
        ds_bin *bin = &out[k];
        for (size_t m = i; m < j; m++) {
            size_t d = order[m].index;
            if (!bin->n) bin->score_lo = score[d];
            bin->score_hi = score[d];
            bin->n++;
            bin->won += won[d] != 0;
            if (p) sum_p[k] += p[d];
        }
        i = j;
    }
    for (int k = 0; k < bins; k++) {
        ds_bin *bin = &out[k];
        if (!bin->n) continue;
        bin->rate = (double)bin->won / (double)bin->n;
        ds_wilson(bin->won, bin->n, 1.959963984540054, &bin->rate_lo, &bin->rate_hi);
        if (p) bin->mean_p = sum_p[k] / (double)bin->n;
    }
    free(sum_p);
    free(order);
    free(group);
    return 0;
}

/* ---- Fisher exact test ---- */

/* log of the hypergeometric probability of a table with first cell x */
static double log_table(long x, long row1, long col1, long total) {
    long row2 = total - row1;
    return lgamma((double)row1 + 1) + lgamma((double)row2 + 1) + lgamma((double)col1 + 1) +
           lgamma((double)(total - col1) + 1) - lgamma((double)total + 1) - lgamma((double)x + 1) -
           lgamma((double)(row1 - x) + 1) - lgamma((double)(col1 - x) + 1) -
           lgamma((double)(row2 - col1 + x) + 1);
}

double ds_fisher_exact(long a, long b, long c, long d) {
    if (a < 0 || b < 0 || c < 0 || d < 0) return NAN;
    long row1 = a + b, col1 = a + c, total = a + b + c + d;
    if (!total) return 1;
    long lo = col1 - (total - row1) > 0 ? col1 - (total - row1) : 0;
    long hi = row1 < col1 ? row1 : col1;
    double observed = log_table(a, row1, col1, total), sum = 0;
    for (long x = lo; x <= hi; x++) {
        double lp = log_table(x, row1, col1, total);
        /* relative tolerance, as R's fisher.test, so equal tables are not lost to rounding */
        if (lp <= observed + 1e-7) sum += exp(lp);
    }
    return sum > 1 ? 1 : sum;
}
