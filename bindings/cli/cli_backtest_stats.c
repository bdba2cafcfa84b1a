/* cli_backtest_stats.c: the statistics behind `dealscore backtest`'s report.
 *
 * Per policy: AUC with its bootstrap interval and Hanley-McNeil error, the paired
 * difference to the first policy, the win probability (the model's calibration
 * for that policy, else a Platt fit on the same deals, labelled in-sample), its
 * Brier score and log loss, and the reliability table. With --calibrate: the
 * held-out check, the final fit and the model file that carries it. The maths is
 * in core/ds_stats.c; the definitions are in docs/backtest.md. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_backtest.h"
#include "cli_output.h"

#define RIDGE 1e-3 /* on the standardised slope: keeps separable data finite */
#define Z95 1.959963984540054

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

int bt_policy_stats(const bt_run *run, bt_policy *bp, bt_stats *st) {
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
    st->from_model = ds_params_win_probability(run->params, bp->label, 50, &probe);
    if (!st->from_model && n) ds_platt_fit(bp->viability, bp->won, n, RIDGE, &st->platt);
    for (size_t i = 0; i < n; i++) {
        if (st->from_model)
            ds_params_win_probability(run->params, bp->label, bp->viability[i], &p[i]);
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
int bt_compare_with_first(const bt_run *run, const bt_policy *bp, bt_stats *st) {
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

cJSON *bt_num(double x, int decimals) {
    if (!isfinite(x)) return cJSON_CreateNull();
    double scale = pow(10, decimals);
    return cJSON_CreateNumber(round(x * scale) / scale);
}

int bt_write_model(const bt_run *run, const bt_calibration *c) {
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
    cJSON_AddStringToObject(cal, "policy", c->bp->label);
    cJSON_AddStringToObject(cal, "maps", "win_probability = 1 / (1 + exp(-(a * viability + b)))");
    cJSON_AddNumberToObject(cal, "fitted_on", (double)c->bp->n);
    cJSON_AddNumberToObject(cal, "won", (double)c->bp->n_won);
    cJSON_AddNumberToObject(cal, "lost", (double)c->bp->n_lost);
    cJSON *h = cJSON_AddObjectToObject(cal, "holdout");
    cJSON_AddItemToObject(h, "share", bt_num(run->opt.holdout, 4));
    cJSON_AddNumberToObject(h, "seed", (double)run->opt.seed);
    cJSON_AddNumberToObject(h, "deals", (double)c->test);
    cJSON_AddItemToObject(h, "auc", bt_num(c->auc, 4));
    cJSON_AddItemToObject(h, "brier", bt_num(c->brier, 4));
    cJSON_AddItemToObject(h, "log_loss", bt_num(c->log_loss, 4));
    cJSON_DeleteItemFromObjectCaseSensitive(model, "calibration");
    cJSON_AddItemToObject(model, "calibration", cal);
    char *text = cJSON_Print(model);
    cJSON_Delete(model);
    /* through a temporary file: a failed write never damages an existing model */
    cli_output out;
    int rc = text ? cli_output_open(&out, "backtest", run->opt.calibrate) : -1;
    if (rc == 0) {
        if (fputs(text, out.f) >= 0 && putc('\n', out.f) != EOF)
            rc = cli_output_commit(&out, "backtest");
        else {
            fprintf(stderr, "dealscore backtest: --calibrate %s: %s\n", run->opt.calibrate,
                    strerror(errno));
            cli_output_abort(&out);
            rc = -1;
        }
    } else if (!text)
        fprintf(stderr, "dealscore backtest: --calibrate %s: out of memory\n", run->opt.calibrate);
    free(text);
    return rc;
}

/* Chooses the policy to calibrate and checks there is enough to fit on. */
int bt_prepare_calibration(bt_run *run, bt_calibration *c) {
    if (!run->opt.calibrate) return 0;
    c->bp = run->opt.calibrate_policy ? bt_find_policy(run, run->opt.calibrate_policy)
                                      : &run->policies[0];
    if (c->bp->n_won < BT_MIN_CLASS || c->bp->n_lost < BT_MIN_CLASS) {
        c->refused = true;
        return 0;
    }
    return holdout_check(run, c);
}
