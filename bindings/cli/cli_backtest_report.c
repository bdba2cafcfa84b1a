/* cli_backtest_report.c: the statistics and the report of `dealscore backtest`.
 *
 * For each policy: AUC with its bootstrap interval and Hanley-McNeil error, the
 * win probability (the model's calibration for that policy, else a Platt fit on
 * the same deals, labelled in-sample), its Brier score and log loss, a
 * reliability table and the rule and factor firing table. With --calibrate, a
 * held-out check and the model file with its calibration section. The maths is
 * in core/ds_stats.c; the definitions are in docs/backtest.md. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_backtest.h"

#define RIDGE 1e-3 /* on the standardised slope: keeps separable data finite */
#define Z95 1.959963984540054

typedef struct bt_stats {
    double auc, auc_se;
    ds_interval auc_ci;
    size_t paired;           /* deals the first policy scored too */
    double auc_diff;         /* AUC minus the first policy's, on those deals */
    ds_interval auc_diff_ci; /* paired bootstrap */
    bool from_model;         /* win probability from the model's calibration */
    ds_platt platt;          /* else the in-sample fit */
    double rate, brier, brier_base, log_loss;
    ds_bin *bins;
} bt_stats;

/* --calibrate: the held-out check and the fit written to the model file */
typedef struct bt_calibration {
    bt_policy *bp;
    bool refused;
    size_t train, test, test_won;
    ds_platt train_fit, fit;
    double auc, brier, brier_base, log_loss, mean_p, rate, rate_lo, rate_hi;
    ds_interval auc_ci;
    ds_bin *bins;
} bt_calibration;

bt_policy *bt_find_policy(bt_run *run, const char *name) {
    for (int i = 0; i < run->n_policies; i++)
        if (strcmp(run->policies[i].name, name) == 0) return &run->policies[i];
    return NULL;
}

/* ---- statistics ---- */

static double mean(const double *x, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return n ? s / (double)n : NAN;
}

/* Brier score of always predicting `rate`: the bar a useful probability must beat. */
static double base_brier(const unsigned char *won, size_t n, double rate) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (rate - won[i]) * (rate - won[i]);
    return n ? s / (double)n : NAN;
}

static int policy_stats(const bt_run *run, bt_policy *bp, bt_stats *st) {
    size_t n = bp->n;
    const bt_options *o = &run->opt;
    st->auc = ds_auc(bp->viability, bp->won, n);
    st->auc_se = ds_auc_hanley_se(st->auc, (size_t)bp->n_won, (size_t)bp->n_lost);
    st->auc_ci = st->auc_diff_ci = (ds_interval){NAN, NAN};
    st->auc_diff = NAN; /* set for the second policy on, by compare_with_first */
    if (o->bootstrap > 0)
        ds_auc_bootstrap(bp->viability, bp->won, n, o->bootstrap, o->seed, 0.95, &st->auc_ci);
    double *p = malloc((n ? n : 1) * sizeof *p);
    st->bins = malloc((size_t)o->bins * sizeof *st->bins);
    if (!p || !st->bins) {
        free(p);
        return -1;
    }
    double probe;
    st->from_model =
        ds_params_win_probability(run->params, dsl_policy_label(bp->policy), 50, &probe);
    if (!st->from_model && n) ds_platt_fit(bp->viability, bp->won, n, RIDGE, &st->platt);
    for (size_t i = 0; i < n; i++) {
        if (st->from_model)
            ds_params_win_probability(run->params, dsl_policy_label(bp->policy), bp->viability[i],
                                      &p[i]);
        else
            p[i] = ds_platt_apply(&st->platt, bp->viability[i]);
    }
    st->rate = n ? (double)bp->n_won / (double)n : NAN;
    st->brier = ds_brier(p, bp->won, n);
    st->brier_base = base_brier(bp->won, n, st->rate);
    st->log_loss = ds_log_loss(p, bp->won, n);
    int rc = ds_reliability(bp->viability, p, bp->won, n, o->bins, st->bins);
    free(p);
    return rc;
}

/* AUC of bp minus AUC of the first policy, on the deals both scored, with a paired
 * bootstrap interval: whether an edit of the policy helped. */
static int compare_with_first(const bt_run *run, const bt_policy *bp, bt_stats *st) {
    const bt_policy *first = &run->policies[0];
    size_t cap = bp->n < first->n ? bp->n : first->n, n = 0;
    double *a = malloc((cap ? cap : 1) * sizeof *a), *b = malloc((cap ? cap : 1) * sizeof *b);
    unsigned char *w = malloc(cap ? cap : 1);
    st->auc_diff = NAN;
    st->auc_diff_ci = (ds_interval){NAN, NAN};
    if (!a || !b || !w) {
        free(a);
        free(b);
        free(w);
        return -1;
    }
    /* both lists are in deal order: merge them */
    for (size_t i = 0, j = 0; i < bp->n && j < first->n;) {
        if (bp->deal[i] < first->deal[j]) {
            i++;
        } else if (bp->deal[i] > first->deal[j]) {
            j++;
        } else {
            a[n] = bp->viability[i];
            b[n] = first->viability[j];
            w[n++] = bp->won[i];
            i++;
            j++;
        }
    }
    st->paired = n;
    st->auc_diff = ds_auc(a, w, n) - ds_auc(b, w, n);
    if (run->opt.bootstrap > 0)
        ds_auc_diff_bootstrap(a, b, w, n, run->opt.bootstrap, run->opt.seed, 0.95,
                              &st->auc_diff_ci);
    free(a);
    free(b);
    free(w);
    return 0;
}

/* Splits the deals, stratified by outcome: test[i] marks the held-out ones. */
static size_t holdout_split(const bt_policy *bp, double share, uint64_t seed, unsigned char *test) {
    size_t n = bp->n, held = 0;
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx) return 0;
    ds_rng rng;
    ds_rng_seed(&rng, seed);
    for (int cls = 1; cls >= 0; cls--) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (bp->won[i] == cls) idx[m++] = i;
        ds_rng_shuffle(&rng, idx, m);
        size_t k = (size_t)llround(share * (double)m);
        for (size_t i = 0; i < m; i++) test[idx[i]] = i < k;
        held += k;
    }
    free(idx);
    return held;
}

static int holdout_check(const bt_run *run, bt_calibration *c) {
    const bt_policy *bp = c->bp;
    const bt_options *o = &run->opt;
    size_t n = bp->n;
    unsigned char *test = calloc(n, 1), *w = malloc(n);
    double *x = malloc(n * sizeof *x), *p = malloc(n * sizeof *p);
    c->bins = malloc((size_t)o->bins * sizeof *c->bins);
    int rc = -1;
    if (test && w && x && p && c->bins) {
        c->test = holdout_split(bp, o->holdout, o->seed, test);
        c->train = n - c->test;
        /* training part first, then the held-out part */
        size_t a = 0, b = c->train;
        for (size_t i = 0; i < n; i++) {
            size_t at = test[i] ? b++ : a++;
            x[at] = bp->viability[i];
            w[at] = bp->won[i];
        }
        ds_platt_fit(x, w, c->train, RIDGE, &c->train_fit);
        double *xt = x + c->train, *pt = p + c->train;
        unsigned char *wt = w + c->train;
        size_t train_won = 0;
        for (size_t i = 0; i < c->train; i++) train_won += w[i];
        c->test_won = 0;
        for (size_t i = 0; i < c->test; i++) {
            pt[i] = ds_platt_apply(&c->train_fit, xt[i]);
            c->test_won += wt[i];
        }
        c->auc = ds_auc(xt, wt, c->test);
        c->auc_ci = (ds_interval){NAN, NAN};
        if (o->bootstrap > 0)
            ds_auc_bootstrap(xt, wt, c->test, o->bootstrap, o->seed, 0.95, &c->auc_ci);
        c->brier = ds_brier(pt, wt, c->test);
        c->brier_base = base_brier(wt, c->test, (double)train_won / (double)c->train);
        c->log_loss = ds_log_loss(pt, wt, c->test);
        c->mean_p = mean(pt, c->test);
        c->rate = (double)c->test_won / (double)c->test;
        ds_wilson(c->test_won, c->test, Z95, &c->rate_lo, &c->rate_hi);
        rc = ds_reliability(xt, pt, wt, c->test, o->bins, c->bins);
    }
    if (rc == 0) rc = ds_platt_fit(bp->viability, bp->won, n, RIDGE, &c->fit);
    free(p);
    free(x);
    free(w);
    free(test);
    return rc;
}

/* ---- the model file with its calibration ---- */

static cJSON *num(double x, int decimals) {
    if (!isfinite(x)) return cJSON_CreateNull();
    double scale = pow(10, decimals);
    return cJSON_CreateNumber(round(x * scale) / scale);
}

static int write_model(const bt_run *run, const bt_calibration *c) {
    cJSON *model = cJSON_Duplicate(run->params->json, 1);
    cJSON *cal = cJSON_CreateObject();
    if (!model || !cal) {
        cJSON_Delete(model);
        cJSON_Delete(cal);
        return -1;
    }
    /* full precision: the written fit is the one that is used */
    cJSON_AddNumberToObject(cal, "a", c->fit.a);
    cJSON_AddNumberToObject(cal, "b", c->fit.b);
    cJSON_AddStringToObject(cal, "policy", dsl_policy_label(c->bp->policy));
    cJSON_AddStringToObject(cal, "maps", "win_probability = 1 / (1 + exp(-(a * viability + b)))");
    cJSON_AddNumberToObject(cal, "fitted_on", (double)c->bp->n);
    cJSON_AddNumberToObject(cal, "won", (double)c->bp->n_won);
    cJSON_AddNumberToObject(cal, "lost", (double)c->bp->n_lost);
    cJSON *h = cJSON_AddObjectToObject(cal, "holdout");
    cJSON_AddItemToObject(h, "share", num(run->opt.holdout, 4));
    cJSON_AddNumberToObject(h, "seed", (double)run->opt.seed);
    cJSON_AddNumberToObject(h, "deals", (double)c->test);
    cJSON_AddItemToObject(h, "auc", num(c->auc, 4));
    cJSON_AddItemToObject(h, "brier", num(c->brier, 4));
    cJSON_AddItemToObject(h, "log_loss", num(c->log_loss, 4));
    cJSON_DeleteItemFromObjectCaseSensitive(model, "calibration");
    cJSON_AddItemToObject(model, "calibration", cal);
    char *text = cJSON_Print(model);
    cJSON_Delete(model);
    FILE *f = text ? fopen(run->opt.calibrate, "wb") : NULL;
    int rc = -1;
    if (f) {
        bool ok = fputs(text, f) >= 0 && putc('\n', f) != EOF;
        rc = fclose(f) == 0 && ok ? 0 : -1;
    }
    if (rc < 0)
        fprintf(stderr, "dealscore backtest: --calibrate %s: %s\n", run->opt.calibrate,
                strerror(errno));
    free(text);
    return rc;
}

/* ---- text report ---- */

static const char *fmt(char *buf, size_t len, double x, int decimals) {
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.*f", decimals, x);
    return buf;
}

static const char *fmt_interval(char *buf, size_t len, double lo, double hi, int decimals) {
    if (!isfinite(lo) || !isfinite(hi))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.*f-%.*f", decimals, lo, decimals, hi);
    return buf;
}

static const char *fmt_p(char *buf, size_t len, double p) {
    if (!isfinite(p)) return fmt(buf, len, p, 0);
    if (p < 0.001)
        snprintf(buf, len, "<0.001");
    else
        snprintf(buf, len, "%.3f", p);
    return buf;
}

#define LABEL_W 26
#define COL_W 20

/* One row of the side-by-side table: a label, then one cell per policy. */
static void row(FILE *out, const bt_run *run, const bt_stats *st, const char *label,
                void (*cell)(char *, size_t, const bt_policy *, const bt_stats *)) {
    fprintf(out, "%-*s", LABEL_W, label);
    for (int i = 0; i < run->n_policies; i++) {
        char buf[64];
        cell(buf, sizeof buf, &run->policies[i], &st[i]);
        fprintf(out, " %-*s", COL_W, buf);
    }
    putc('\n', out);
}

static void c_name(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)st;
    snprintf(b, n, "%s", bp->name);
}
static void c_label(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)st;
    snprintf(b, n, "%s", dsl_policy_label(bp->policy));
}
static void c_counts(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)st;
    snprintf(b, n, "%ld / %ld", bp->n_won, bp->n_lost);
}
static void c_errors(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)st;
    snprintf(b, n, "%ld", bp->errors);
}
static void c_auc(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    fmt(b, n, st->auc, 3);
}
static void c_auc_ci(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    fmt_interval(b, n, st->auc_ci.lo, st->auc_ci.hi, 3);
}
static void c_auc_se(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    fmt(b, n, st->auc_se, 3);
}
static void c_diff(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    if (!isfinite(st->auc_diff))
        snprintf(b, n, "-");
    else
        snprintf(b, n, "%+.3f", st->auc_diff);
}
static void c_diff_ci(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    if (!isfinite(st->auc_diff_ci.lo))
        snprintf(b, n, "-");
    else
        snprintf(b, n, "%+.3f..%+.3f", st->auc_diff_ci.lo, st->auc_diff_ci.hi);
}
static void c_source(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    snprintf(b, n, "%s", st->from_model ? "model calibration" : bp->n ? "in-sample fit" : "-");
}
static void c_brier(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    fmt(b, n, st->brier, 4);
}
static void c_brier_base(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    fmt(b, n, st->brier_base, 4);
}
static void c_log_loss(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    fmt(b, n, st->log_loss, 4);
}

static void print_outcome_values(FILE *out, const char *what, const char *const *v, int n) {
    fprintf(out, "; %s = ", what);
    for (int i = 0; i < n; i++) fprintf(out, "%s%s", i ? " or " : "", v[i]);
}

static void print_header(FILE *out, const bt_run *run) {
    fprintf(out,
            "dealscore backtest: %ld deals read: %ld closed, %ld open and %ld without an "
            "outcome (ignored), %ld unreadable\n",
            run->read, run->closed, run->open, run->no_outcome, run->unreadable);
    fprintf(out, "outcome field %s", run->opt.outcome_field);
    print_outcome_values(out, "won", run->opt.won, run->opt.n_won_values);
    print_outcome_values(out, "lost", run->opt.lost, run->opt.n_lost_values);
    fprintf(out, "\n\n");
}

static void print_summary(FILE *out, const bt_run *run, const bt_stats *st) {
    char ci[80];
    snprintf(ci, sizeof ci, "  95%% interval (bootstrap)");
    row(out, run, st, "policy", c_name);
    row(out, run, st, "  name@version", c_label);
    row(out, run, st, "won / lost deals", c_counts);
    row(out, run, st, "errors", c_errors);
    row(out, run, st, "ROC AUC of viability", c_auc);
    if (run->opt.bootstrap > 0) row(out, run, st, ci, c_auc_ci);
    row(out, run, st, "  standard error (H&M)", c_auc_se);
    if (run->n_policies > 1) {
        char label[96];
        snprintf(label, sizeof label, "AUC minus %s's", run->policies[0].name);
        row(out, run, st, label, c_diff);
        if (run->opt.bootstrap > 0) row(out, run, st, "  95% interval (paired)", c_diff_ci);
    }
    row(out, run, st, "win probability from", c_source);
    row(out, run, st, "Brier score", c_brier);
    row(out, run, st, "  base-rate Brier", c_brier_base);
    row(out, run, st, "log loss", c_log_loss);
    fprintf(out,
            "\nAUC interval: %d stratified bootstrap resamples, seed %llu. An in-sample fit is\n"
            "a Platt fit on these same deals: its Brier score and log loss are optimistic.\n",
            run->opt.bootstrap, (unsigned long long)run->opt.seed);
}

static void print_bins(FILE *out, const ds_bin *bins, int n_bins) {
    char a[32], b[32], c[32];
    fprintf(out, "%4s  %-13s %7s %6s  %8s  %-13s  %s\n", "bin", "viability", "deals", "won",
            "win rate", "95% interval", "win probability");
    for (int k = 0; k < n_bins; k++) {
        const ds_bin *bin = &bins[k];
        if (!bin->n) continue;
        char range[32];
        snprintf(range, sizeof range, "%.1f-%.1f", bin->score_lo, bin->score_hi);
        fprintf(out, "%4d  %-13s %7zu %6zu  %8s  %-13s  %s\n", k + 1, range, bin->n, bin->won,
                fmt(a, sizeof a, bin->rate, 3),
                fmt_interval(b, sizeof b, bin->rate_lo, bin->rate_hi, 3),
                fmt(c, sizeof c, bin->mean_p, 3));
    }
}

static int by_kind_and_name(const void *pa, const void *pb) {
    const bt_feature *a = pa, *b = pb;
    if (a->is_rule != b->is_rule) return a->is_rule ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* lift = P(won | fired) / P(won) */
static double lift(const bt_feature *f, const bt_policy *bp) {
    long fired = f->fired_won + f->fired_lost, n = bp->n_won + bp->n_lost;
    if (!fired || !bp->n_won) return NAN;
    return ((double)f->fired_won / (double)fired) / ((double)bp->n_won / (double)n);
}

static double fisher(const bt_feature *f, const bt_policy *bp) {
    return ds_fisher_exact(f->fired_won, f->fired_lost, bp->n_won - f->fired_won,
                           bp->n_lost - f->fired_lost);
}

static void print_features(FILE *out, const bt_policy *bp, bool rules) {
    char a[32], b[32], c[32], d[32], e[32];
    fprintf(out, "%-44s %13s %13s %8s %6s %8s\n", rules ? "rule" : "factor (score.factor)",
            "fired in won", "fired in lost", "win rate", "lift", "p");
    for (size_t i = 0; i < bp->n_features; i++) {
        const bt_feature *f = &bp->features[i];
        if (f->is_rule != rules) continue;
        long fired = f->fired_won + f->fired_lost;
        snprintf(a, sizeof a, "%ld (%.0f%%)", f->fired_won,
                 bp->n_won ? 100.0 * (double)f->fired_won / (double)bp->n_won : 0.0);
        snprintf(b, sizeof b, "%ld (%.0f%%)", f->fired_lost,
                 bp->n_lost ? 100.0 * (double)f->fired_lost / (double)bp->n_lost : 0.0);
        fprintf(out, "%-44s %13s %13s %8s %6s %8s\n", f->name, a, b,
                fmt(c, sizeof c, fired ? (double)f->fired_won / (double)fired : NAN, 3),
                fmt(d, sizeof d, lift(f, bp), 2), fmt_p(e, sizeof e, fisher(f, bp)));
    }
}

static void print_policy_details(FILE *out, const bt_run *run, bt_policy *bp, const bt_stats *st) {
    fprintf(out, "\n== %s (%s): reliability, viability in %d bins of near-equal size ==\n",
            bp->name, dsl_policy_label(bp->policy), run->opt.bins);
    print_bins(out, st->bins, run->opt.bins);
    if (bp->n_features) qsort(bp->features, bp->n_features, sizeof *bp->features, by_kind_and_name);
    fprintf(out, "\n== %s: rules (reasons) among won and lost deals ==\n", bp->name);
    print_features(out, bp, true);
    fprintf(out, "\n== %s: factors (non-zero effect) among won and lost deals ==\n", bp->name);
    print_features(out, bp, false);
}

static void print_calibration(FILE *out, const bt_run *run, const bt_calibration *c) {
    char a[32], b[32], d[32];
    fprintf(out, "\n== calibration of %s (--calibrate %s) ==\n", c->bp->name, run->opt.calibrate);
    fprintf(out,
            "held-out check: fitted on %zu deals, measured on the other %zu (%.0f%%, "
            "stratified, seed %llu)\n",
            c->train, c->test, 100 * run->opt.holdout, (unsigned long long)run->opt.seed);
    fprintf(out, "  ROC AUC %s (95%% interval %s)\n", fmt(a, sizeof a, c->auc, 3),
            fmt_interval(b, sizeof b, c->auc_ci.lo, c->auc_ci.hi, 3));
    fprintf(out, "  Brier score %s (predicting the training win rate: %s)\n",
            fmt(a, sizeof a, c->brier, 4), fmt(b, sizeof b, c->brier_base, 4));
    fprintf(out, "  log loss %s\n", fmt(a, sizeof a, c->log_loss, 4));
    fprintf(out, "  mean win probability %s, observed win rate %s (95%% interval %s)\n",
            fmt(a, sizeof a, c->mean_p, 3), fmt(b, sizeof b, c->rate, 3),
            fmt_interval(d, sizeof d, c->rate_lo, c->rate_hi, 3));
    print_bins(out, c->bins, run->opt.bins);
    fprintf(out,
            "written: win probability = 1 / (1 + exp(-(%.6g x viability %c %.6g))), fitted "
            "on all %zu deals\n",
            c->fit.a, c->fit.b < 0 ? '-' : '+', fabs(c->fit.b), c->bp->n);
}

/* ---- JSON report ---- */

static cJSON *bins_json(const ds_bin *bins, int n_bins) {
    cJSON *arr = cJSON_CreateArray();
    for (int k = 0; k < n_bins; k++) {
        const ds_bin *bin = &bins[k];
        if (!bin->n) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "bin", k + 1);
        cJSON_AddItemToObject(o, "viability_min", num(bin->score_lo, 1));
        cJSON_AddItemToObject(o, "viability_max", num(bin->score_hi, 1));
        cJSON_AddNumberToObject(o, "deals", (double)bin->n);
        cJSON_AddNumberToObject(o, "won", (double)bin->won);
        cJSON_AddItemToObject(o, "win_rate", num(bin->rate, 4));
        cJSON *ci = cJSON_AddArrayToObject(o, "win_rate_interval");
        cJSON_AddItemToArray(ci, num(bin->rate_lo, 4));
        cJSON_AddItemToArray(ci, num(bin->rate_hi, 4));
        cJSON_AddItemToObject(o, "win_probability", num(bin->mean_p, 4));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *features_json(const bt_policy *bp, bool rules) {
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < bp->n_features; i++) {
        const bt_feature *f = &bp->features[i];
        if (f->is_rule != rules) continue;
        long fired = f->fired_won + f->fired_lost;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, rules ? "rule" : "factor", f->name);
        cJSON_AddNumberToObject(o, "fired_won", (double)f->fired_won);
        cJSON_AddNumberToObject(o, "fired_lost", (double)f->fired_lost);
        cJSON_AddItemToObject(o, "win_rate", num(fired ? (double)f->fired_won / fired : NAN, 4));
        cJSON_AddItemToObject(o, "lift", num(lift(f, bp), 4));
        cJSON_AddItemToObject(o, "p_value", num(fisher(f, bp), 6));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *interval_json(double lo, double hi) {
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, num(lo, 4));
    cJSON_AddItemToArray(arr, num(hi, 4));
    return arr;
}

static cJSON *policy_json(const bt_run *run, bt_policy *bp, const bt_stats *st) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", bp->name);
    cJSON_AddStringToObject(o, "policy", dsl_policy_label(bp->policy));
    cJSON_AddNumberToObject(o, "won", (double)bp->n_won);
    cJSON_AddNumberToObject(o, "lost", (double)bp->n_lost);
    cJSON_AddNumberToObject(o, "errors", (double)bp->errors);
    cJSON_AddItemToObject(o, "auc", num(st->auc, 4));
    cJSON_AddItemToObject(o, "auc_interval", interval_json(st->auc_ci.lo, st->auc_ci.hi));
    cJSON_AddItemToObject(o, "auc_se", num(st->auc_se, 4));
    if (bp != &run->policies[0]) {
        cJSON *d = cJSON_AddObjectToObject(o, "auc_vs_first");
        cJSON_AddStringToObject(d, "policy", run->policies[0].name);
        cJSON_AddNumberToObject(d, "deals", (double)st->paired);
        cJSON_AddItemToObject(d, "difference", num(st->auc_diff, 4));
        cJSON_AddItemToObject(d, "interval", interval_json(st->auc_diff_ci.lo, st->auc_diff_ci.hi));
    }
    cJSON *cal = cJSON_AddObjectToObject(o, "win_probability");
    cJSON_AddStringToObject(cal, "source", st->from_model ? "model" : bp->n ? "in_sample" : "none");
    if (!st->from_model && bp->n) {
        cJSON_AddItemToObject(cal, "a", num(st->platt.a, 6));
        cJSON_AddItemToObject(cal, "b", num(st->platt.b, 6));
    }
    cJSON_AddItemToObject(o, "win_rate", num(st->rate, 4));
    cJSON_AddItemToObject(o, "brier", num(st->brier, 4));
    cJSON_AddItemToObject(o, "brier_base_rate", num(st->brier_base, 4));
    cJSON_AddItemToObject(o, "log_loss", num(st->log_loss, 4));
    cJSON_AddItemToObject(o, "reliability", bins_json(st->bins, run->opt.bins));
    if (bp->n_features) qsort(bp->features, bp->n_features, sizeof *bp->features, by_kind_and_name);
    cJSON_AddItemToObject(o, "rules", features_json(bp, true));
    cJSON_AddItemToObject(o, "factors", features_json(bp, false));
    return o;
}

static cJSON *calibration_json(const bt_run *run, const bt_calibration *c) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "policy", c->bp->name);
    cJSON_AddStringToObject(o, "output", run->opt.calibrate);
    cJSON_AddNumberToObject(o, "a", c->fit.a);
    cJSON_AddNumberToObject(o, "b", c->fit.b);
    cJSON_AddNumberToObject(o, "fitted_on", (double)c->bp->n);
    cJSON *h = cJSON_AddObjectToObject(o, "holdout");
    cJSON_AddItemToObject(h, "share", num(run->opt.holdout, 4));
    cJSON_AddNumberToObject(h, "train", (double)c->train);
    cJSON_AddNumberToObject(h, "test", (double)c->test);
    cJSON_AddItemToObject(h, "auc", num(c->auc, 4));
    cJSON_AddItemToObject(h, "auc_interval", interval_json(c->auc_ci.lo, c->auc_ci.hi));
    cJSON_AddItemToObject(h, "brier", num(c->brier, 4));
    cJSON_AddItemToObject(h, "brier_base_rate", num(c->brier_base, 4));
    cJSON_AddItemToObject(h, "log_loss", num(c->log_loss, 4));
    cJSON_AddItemToObject(h, "mean_win_probability", num(c->mean_p, 4));
    cJSON_AddItemToObject(h, "win_rate", num(c->rate, 4));
    cJSON_AddItemToObject(h, "win_rate_interval", interval_json(c->rate_lo, c->rate_hi));
    cJSON_AddItemToObject(h, "reliability", bins_json(c->bins, run->opt.bins));
    return o;
}

static void print_json(FILE *out, const bt_run *run, bt_stats *st, const bt_calibration *c) {
    cJSON *root = cJSON_CreateObject();
    cJSON *deals = cJSON_AddObjectToObject(root, "deals");
    cJSON_AddNumberToObject(deals, "read", (double)run->read);
    cJSON_AddNumberToObject(deals, "closed", (double)run->closed);
    cJSON_AddNumberToObject(deals, "open", (double)run->open);
    cJSON_AddNumberToObject(deals, "no_outcome", (double)run->no_outcome);
    cJSON_AddNumberToObject(deals, "unreadable", (double)run->unreadable);
    cJSON *oc = cJSON_AddObjectToObject(root, "outcome");
    cJSON_AddStringToObject(oc, "field", run->opt.outcome_field);
    cJSON_AddItemToObject(oc, "won", cJSON_CreateStringArray(run->opt.won, run->opt.n_won_values));
    cJSON_AddItemToObject(oc, "lost",
                          cJSON_CreateStringArray(run->opt.lost, run->opt.n_lost_values));
    cJSON_AddNumberToObject(root, "seed", (double)run->opt.seed);
    cJSON_AddNumberToObject(root, "bootstrap", run->opt.bootstrap);
    cJSON *arr = cJSON_AddArrayToObject(root, "policies");
    for (int i = 0; i < run->n_policies; i++)
        cJSON_AddItemToArray(arr, policy_json(run, &run->policies[i], &st[i]));
    if (c->bp && !c->refused) cJSON_AddItemToObject(root, "calibration", calibration_json(run, c));
    if (c->refused) {
        cJSON *r = cJSON_AddObjectToObject(root, "calibration");
        cJSON_AddStringToObject(r, "policy", c->bp->name);
        cJSON_AddBoolToObject(r, "refused", 1);
        cJSON_AddNumberToObject(r, "minimum_per_class", BT_MIN_CLASS);
    }
    char *text = cJSON_PrintUnformatted(root);
    if (text) fprintf(out, "%s\n", text);
    free(text);
    cJSON_Delete(root);
}

/* ---- the report ---- */

static void print_text(FILE *out, bt_run *run, bt_stats *st, const bt_calibration *c) {
    print_header(out, run);
    print_summary(out, run, st);
    for (int i = 0; i < run->n_policies; i++)
        print_policy_details(out, run, &run->policies[i], &st[i]);
    if (c->bp && !c->refused) print_calibration(out, run, c);
}

/* Chooses the policy to calibrate and checks there is enough to fit on. */
static int prepare_calibration(bt_run *run, bt_calibration *c) {
    if (!run->opt.calibrate) return 0;
    c->bp = run->opt.calibrate_policy ? bt_find_policy(run, run->opt.calibrate_policy)
                                      : &run->policies[0];
    if (c->bp->n_won < BT_MIN_CLASS || c->bp->n_lost < BT_MIN_CLASS) {
        c->refused = true;
        return 0;
    }
    return holdout_check(run, c);
}

int bt_report(bt_run *run, FILE *out) {
    bt_stats st[BT_MAX_POLICIES];
    memset(st, 0, sizeof st);
    bt_calibration cal = {0};
    int rc = CLI_OK;
    for (int i = 0; i < run->n_policies && rc == CLI_OK; i++)
        if (policy_stats(run, &run->policies[i], &st[i]) < 0 ||
            (i > 0 && compare_with_first(run, &run->policies[i], &st[i]) < 0))
            rc = CLI_USAGE;
    if (rc == CLI_OK && prepare_calibration(run, &cal) < 0) rc = CLI_USAGE;
    if (rc != CLI_OK) {
        fprintf(stderr, "dealscore backtest: out of memory computing the report\n");
    } else {
        if (run->opt.json)
            print_json(out, run, st, &cal);
        else
            print_text(out, run, st, &cal);
        if (cal.refused) {
            fprintf(stderr,
                    "dealscore backtest: --calibrate refused: policy %s has %ld won and %ld "
                    "lost closed deals; a calibration needs at least %d of each, or it "
                    "follows noise. %s was not written.\n",
                    cal.bp->name, cal.bp->n_won, cal.bp->n_lost, BT_MIN_CLASS, run->opt.calibrate);
            rc = CLI_USAGE;
        } else if (cal.bp && write_model(run, &cal) < 0) {
            rc = CLI_USAGE;
        }
        if (!run->closed) {
            fprintf(stderr,
                    "dealscore backtest: no closed deals to measure on (%ld read, %ld open, %ld "
                    "without the field %s): check --outcome-field, --won and --lost\n",
                    run->read, run->open, run->no_outcome, run->opt.outcome_field);
            rc = CLI_USAGE;
        }
    }
    for (int i = 0; i < run->n_policies; i++) free(st[i].bins);
    free(cal.bins);
    return rc;
}
