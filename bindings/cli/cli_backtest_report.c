/* cli_backtest_report.c: the report of `dealscore backtest`, as text or JSON.
 *
 * The text report puts the policies side by side (one column each), then gives
 * per policy the reliability table and the rule and factor tables, then the
 * calibration's held-out check. The JSON report carries the same figures. The
 * figures come from cli_backtest_stats.c; docs/backtest.md says how to read them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_backtest.h"

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
    snprintf(b, n, "%s", bp->label);
}
static void c_counts(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)st;
    snprintf(b, n, "%ld / %ld", bp->n_won, bp->n_lost);
}
static void c_insufficient(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)st;
    snprintf(b, n, "%ld / %ld", bp->insufficient_won, bp->insufficient_lost);
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
    row(out, run, st,
        run->opt.measure_insufficient ? "won / lost deals" : "won / lost deals judged", c_counts);
    row(out, run, st,
        run->opt.measure_insufficient ? "  insufficient_data" : "insufficient_data (apart)",
        c_insufficient);
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
            bp->name, bp->label, run->opt.bins);
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
        cJSON_AddItemToObject(o, "viability_min", bt_num(bin->score_lo, 1));
        cJSON_AddItemToObject(o, "viability_max", bt_num(bin->score_hi, 1));
        cJSON_AddNumberToObject(o, "deals", (double)bin->n);
        cJSON_AddNumberToObject(o, "won", (double)bin->won);
        cJSON_AddItemToObject(o, "win_rate", bt_num(bin->rate, 4));
        cJSON *ci = cJSON_AddArrayToObject(o, "win_rate_interval");
        cJSON_AddItemToArray(ci, bt_num(bin->rate_lo, 4));
        cJSON_AddItemToArray(ci, bt_num(bin->rate_hi, 4));
        cJSON_AddItemToObject(o, "win_probability", bt_num(bin->mean_p, 4));
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
        cJSON_AddItemToObject(o, "win_rate", bt_num(fired ? (double)f->fired_won / fired : NAN, 4));
        cJSON_AddItemToObject(o, "lift", bt_num(lift(f, bp), 4));
        cJSON_AddItemToObject(o, "p_value", bt_num(fisher(f, bp), 6));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *interval_json(double lo, double hi) {
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, bt_num(lo, 4));
    cJSON_AddItemToArray(arr, bt_num(hi, 4));
    return arr;
}

static cJSON *policy_json(const bt_run *run, bt_policy *bp, const bt_stats *st) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", bp->name);
    cJSON_AddStringToObject(o, "policy", bp->label);
    cJSON_AddNumberToObject(o, "won", (double)bp->n_won);
    cJSON_AddNumberToObject(o, "lost", (double)bp->n_lost);
    cJSON_AddNumberToObject(o, "errors", (double)bp->errors);
    cJSON *insufficient = cJSON_AddObjectToObject(o, "insufficient_data");
    cJSON_AddNumberToObject(insufficient, "won", (double)bp->insufficient_won);
    cJSON_AddNumberToObject(insufficient, "lost", (double)bp->insufficient_lost);
    cJSON_AddBoolToObject(insufficient, "measured", run->opt.measure_insufficient);
    cJSON_AddItemToObject(o, "auc", bt_num(st->auc, 4));
    cJSON_AddItemToObject(o, "auc_interval", interval_json(st->auc_ci.lo, st->auc_ci.hi));
    cJSON_AddItemToObject(o, "auc_se", bt_num(st->auc_se, 4));
    if (bp != &run->policies[0]) {
        cJSON *d = cJSON_AddObjectToObject(o, "auc_vs_first");
        cJSON_AddStringToObject(d, "policy", run->policies[0].name);
        cJSON_AddNumberToObject(d, "deals", (double)st->paired);
        cJSON_AddItemToObject(d, "difference", bt_num(st->auc_diff, 4));
        cJSON_AddItemToObject(d, "interval", interval_json(st->auc_diff_ci.lo, st->auc_diff_ci.hi));
    }
    cJSON *cal = cJSON_AddObjectToObject(o, "win_probability");
    cJSON_AddStringToObject(cal, "source", st->from_model ? "model" : bp->n ? "in_sample" : "none");
    if (!st->from_model && bp->n) {
        cJSON_AddItemToObject(cal, "a", bt_num(st->platt.a, 6));
        cJSON_AddItemToObject(cal, "b", bt_num(st->platt.b, 6));
    }
    cJSON_AddItemToObject(o, "win_rate", bt_num(st->rate, 4));
    cJSON_AddItemToObject(o, "brier", bt_num(st->brier, 4));
    cJSON_AddItemToObject(o, "brier_base_rate", bt_num(st->brier_base, 4));
    cJSON_AddItemToObject(o, "log_loss", bt_num(st->log_loss, 4));
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
    cJSON_AddItemToObject(h, "share", bt_num(run->opt.holdout, 4));
    cJSON_AddNumberToObject(h, "train", (double)c->train);
    cJSON_AddNumberToObject(h, "test", (double)c->test);
    cJSON_AddItemToObject(h, "auc", bt_num(c->auc, 4));
    cJSON_AddItemToObject(h, "auc_interval", interval_json(c->auc_ci.lo, c->auc_ci.hi));
    cJSON_AddItemToObject(h, "brier", bt_num(c->brier, 4));
    cJSON_AddItemToObject(h, "brier_base_rate", bt_num(c->brier_base, 4));
    cJSON_AddItemToObject(h, "log_loss", bt_num(c->log_loss, 4));
    cJSON_AddItemToObject(h, "mean_win_probability", bt_num(c->mean_p, 4));
    cJSON_AddItemToObject(h, "win_rate", bt_num(c->rate, 4));
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

int bt_report(bt_run *run, FILE *out) {
    bt_stats st[BT_MAX_POLICIES];
    memset(st, 0, sizeof st);
    bt_calibration cal = {0};
    int rc = CLI_OK;
    for (int i = 0; i < run->n_policies && rc == CLI_OK; i++)
        if (bt_policy_stats(run, &run->policies[i], &st[i]) < 0 ||
            (i > 0 && bt_compare_with_first(run, &run->policies[i], &st[i]) < 0))
            rc = CLI_USAGE;
    if (rc == CLI_OK && bt_prepare_calibration(run, &cal) < 0) rc = CLI_USAGE;
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
        } else if (cal.bp && bt_write_model(run, &cal) < 0) {
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
