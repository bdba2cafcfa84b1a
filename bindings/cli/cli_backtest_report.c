/* cli_backtest_report.c: the report of `dealscore backtest`, as text or JSON.
 *
 * The text report puts the policies side by side (one column each), then gives
 * per policy the reliability table and the rule and factor tables, then the
 * calibration's held-out check. The JSON report carries the same figures. The
 * figures come from the library's backtest (dealscore_backtest_stats and
 * dealscore_backtest_calibrate); docs/backtest.md says how to read them. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_backtest.h"
#include "cli_output.h"

typedef dealscore_backtest_policy_stats bt_stats;
typedef dealscore_backtest_calibration bt_calibration;
typedef dealscore_backtest_bin bt_bin;
typedef dealscore_backtest_feature bt_feature;

/* A rounded JSON number, or null when not finite. */
static cJSON *bt_num(double x, int decimals) {
    if (!isfinite(x)) return cJSON_CreateNull();
    double scale = pow(10, decimals);
    return cJSON_CreateNumber(round(x * scale) / scale);
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
    snprintf(b, n, "%s", bp->label);
}
static void c_counts(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    snprintf(b, n, "%ld / %ld", st->won, st->lost);
}
static void c_insufficient(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    snprintf(b, n, "%ld / %ld", st->insufficient_won, st->insufficient_lost);
}
static void c_errors(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    snprintf(b, n, "%ld", st->errors);
}
static void c_auc(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    fmt(b, n, st->auc, 3);
}
static void c_auc_ci(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    fmt_interval(b, n, st->auc_lo, st->auc_hi, 3);
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
    if (!isfinite(st->auc_diff_lo))
        snprintf(b, n, "-");
    else
        snprintf(b, n, "%+.3f..%+.3f", st->auc_diff_lo, st->auc_diff_hi);
}
static void c_source(char *b, size_t n, const bt_policy *bp, const bt_stats *st) {
    (void)bp;
    snprintf(b, n, "%s",
             st->probability == DEALSCORE_PROBABILITY_MODEL       ? "model calibration"
             : st->probability == DEALSCORE_PROBABILITY_IN_SAMPLE ? "in-sample fit"
                                                                  : "-");
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
    dealscore_backtest_counts n = dealscore_backtest_count(run->measured);
    const dealscore_backtest_options *m = &run->opt.measure;
    fprintf(out,
            "dealscore backtest: %ld deals read: %ld closed, %ld open and %ld without an "
            "outcome (ignored), %ld unreadable\n",
            n.read, n.closed, n.open, n.no_outcome, n.unreadable);
    fprintf(out, "outcome field %s", m->outcome_field);
    print_outcome_values(out, "won", m->won, m->n_won);
    print_outcome_values(out, "lost", m->lost, m->n_lost);
    fprintf(out, "\n\n");
}

static void print_summary(FILE *out, const bt_run *run, const bt_stats *st) {
    char ci[80];
    snprintf(ci, sizeof ci, "  95%% interval (bootstrap)");
    row(out, run, st, "policy", c_name);
    row(out, run, st, "  name@version", c_label);
    row(out, run, st,
        run->opt.measure.measure_insufficient ? "won / lost deals" : "won / lost deals judged",
        c_counts);
    row(out, run, st,
        run->opt.measure.measure_insufficient ? "  insufficient_data" : "insufficient_data (apart)",
        c_insufficient);
    row(out, run, st, "errors", c_errors);
    row(out, run, st, "ROC AUC of viability", c_auc);
    if (run->opt.measure.bootstrap > 0) row(out, run, st, ci, c_auc_ci);
    row(out, run, st, "  standard error (H&M)", c_auc_se);
    if (run->n_policies > 1) {
        char label[96];
        snprintf(label, sizeof label, "AUC minus %s's", run->policies[0].name);
        row(out, run, st, label, c_diff);
        if (run->opt.measure.bootstrap > 0) row(out, run, st, "  95% interval (paired)", c_diff_ci);
    }
    row(out, run, st, "win probability from", c_source);
    row(out, run, st, "Brier score", c_brier);
    row(out, run, st, "  base-rate Brier", c_brier_base);
    row(out, run, st, "log loss", c_log_loss);
    fprintf(out,
            "\nAUC interval: %d stratified bootstrap resamples, seed %llu. An in-sample fit is\n"
            "a Platt fit on these same deals: its Brier score and log loss are optimistic.\n",
            run->opt.measure.bootstrap, (unsigned long long)run->opt.measure.seed);
}

static void print_bins(FILE *out, const bt_bin *bins, int n_bins) {
    char a[32], b[32], c[32];
    fprintf(out, "%4s  %-13s %7s %6s  %8s  %-13s  %s\n", "bin", "viability", "deals", "won",
            "win rate", "95% interval", "win probability");
    for (int k = 0; k < n_bins; k++) {
        const bt_bin *bin = &bins[k];
        if (!bin->n) continue;
        char range[32];
        snprintf(range, sizeof range, "%.1f-%.1f", bin->viability_lo, bin->viability_hi);
        fprintf(out, "%4d  %-13s %7zu %6zu  %8s  %-13s  %s\n", k + 1, range, bin->n, bin->won,
                fmt(a, sizeof a, bin->rate, 3),
                fmt_interval(b, sizeof b, bin->rate_lo, bin->rate_hi, 3),
                fmt(c, sizeof c, bin->mean_p, 3));
    }
}

static void print_features(FILE *out, const bt_stats *st, bool rules) {
    char a[32], b[32], c[32], d[32], e[32];
    fprintf(out, "%-44s %13s %13s %8s %6s %8s\n", rules ? "rule" : "factor (score.factor)",
            "fired in won", "fired in lost", "win rate", "lift", "p");
    for (int i = 0; i < st->n_features; i++) {
        const bt_feature *f = &st->features[i];
        if (f->is_rule != rules) continue;
        snprintf(a, sizeof a, "%ld (%.0f%%)", f->fired_won,
                 st->won ? 100.0 * (double)f->fired_won / (double)st->won : 0.0);
        snprintf(b, sizeof b, "%ld (%.0f%%)", f->fired_lost,
                 st->lost ? 100.0 * (double)f->fired_lost / (double)st->lost : 0.0);
        fprintf(out, "%-44s %13s %13s %8s %6s %8s\n", f->name, a, b,
                fmt(c, sizeof c, f->win_rate, 3), fmt(d, sizeof d, f->lift, 2),
                fmt_p(e, sizeof e, f->p_value));
    }
}

static void print_policy_details(FILE *out, const bt_run *run, const bt_policy *bp,
                                 const bt_stats *st) {
    fprintf(out, "\n== %s (%s): reliability, viability in %d bins of near-equal size ==\n",
            bp->name, bp->label, run->opt.measure.bins);
    print_bins(out, st->bins, st->n_bins);
    fprintf(out, "\n== %s: rules (reasons) among won and lost deals ==\n", bp->name);
    print_features(out, st, true);
    fprintf(out, "\n== %s: factors (non-zero effect) among won and lost deals ==\n", bp->name);
    print_features(out, st, false);
}

static void print_calibration(FILE *out, const bt_run *run, const bt_policy *bp,
                              const bt_calibration *c) {
    char a[32], b[32], d[32];
    const dealscore_backtest_options *m = &run->opt.measure;
    fprintf(out, "\n== calibration of %s (--calibrate %s) ==\n", bp->name, run->opt.calibrate);
    fprintf(out,
            "held-out check: fitted on %zu deals, measured on the other %zu (%.0f%%, "
            "stratified, seed %llu)\n",
            c->train, c->test, 100 * m->holdout, (unsigned long long)m->seed);
    fprintf(out, "  ROC AUC %s (95%% interval %s)\n", fmt(a, sizeof a, c->auc, 3),
            fmt_interval(b, sizeof b, c->auc_lo, c->auc_hi, 3));
    fprintf(out, "  Brier score %s (predicting the training win rate: %s)\n",
            fmt(a, sizeof a, c->brier, 4), fmt(b, sizeof b, c->brier_base, 4));
    fprintf(out, "  log loss %s\n", fmt(a, sizeof a, c->log_loss, 4));
    fprintf(out, "  mean win probability %s, observed win rate %s (95%% interval %s)\n",
            fmt(a, sizeof a, c->mean_p, 3), fmt(b, sizeof b, c->rate, 3),
            fmt_interval(d, sizeof d, c->rate_lo, c->rate_hi, 3));
    print_bins(out, c->bins, c->n_bins);
    fprintf(out,
            "written: win probability = 1 / (1 + exp(-(%.6g x viability %c %.6g))), fitted "
            "on all %zu deals\n",
            c->a, c->b < 0 ? '-' : '+', fabs(c->b), c->fitted_on);
}

/* ---- JSON report ---- */

static cJSON *bins_json(const bt_bin *bins, int n_bins) {
    cJSON *arr = cJSON_CreateArray();
    for (int k = 0; k < n_bins; k++) {
        const bt_bin *bin = &bins[k];
        if (!bin->n) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "bin", k + 1);
        cJSON_AddItemToObject(o, "viability_min", bt_num(bin->viability_lo, 1));
        cJSON_AddItemToObject(o, "viability_max", bt_num(bin->viability_hi, 1));
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

static cJSON *features_json(const bt_stats *st, bool rules) {
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < st->n_features; i++) {
        const bt_feature *f = &st->features[i];
        if (f->is_rule != rules) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, rules ? "rule" : "factor", f->name);
        cJSON_AddNumberToObject(o, "fired_won", (double)f->fired_won);
        cJSON_AddNumberToObject(o, "fired_lost", (double)f->fired_lost);
        cJSON_AddItemToObject(o, "win_rate", bt_num(f->win_rate, 4));
        cJSON_AddItemToObject(o, "lift", bt_num(f->lift, 4));
        cJSON_AddItemToObject(o, "p_value", bt_num(f->p_value, 6));
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

static const char *const sources[] = {"none", "model", "in_sample"};

static cJSON *policy_json(const bt_run *run, const bt_policy *bp, const bt_stats *st) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", bp->name);
    cJSON_AddStringToObject(o, "policy", bp->label);
    cJSON_AddNumberToObject(o, "won", (double)st->won);
    cJSON_AddNumberToObject(o, "lost", (double)st->lost);
    cJSON_AddNumberToObject(o, "errors", (double)st->errors);
    cJSON *insufficient = cJSON_AddObjectToObject(o, "insufficient_data");
    cJSON_AddNumberToObject(insufficient, "won", (double)st->insufficient_won);
    cJSON_AddNumberToObject(insufficient, "lost", (double)st->insufficient_lost);
    cJSON_AddBoolToObject(insufficient, "measured", run->opt.measure.measure_insufficient);
    cJSON_AddItemToObject(o, "auc", bt_num(st->auc, 4));
    cJSON_AddItemToObject(o, "auc_interval", interval_json(st->auc_lo, st->auc_hi));
    cJSON_AddItemToObject(o, "auc_se", bt_num(st->auc_se, 4));
    if (bp != &run->policies[0]) {
        cJSON *d = cJSON_AddObjectToObject(o, "auc_vs_first");
        cJSON_AddStringToObject(d, "policy", run->policies[0].name);
        cJSON_AddNumberToObject(d, "deals", (double)st->paired);
        cJSON_AddItemToObject(d, "difference", bt_num(st->auc_diff, 4));
        cJSON_AddItemToObject(d, "interval", interval_json(st->auc_diff_lo, st->auc_diff_hi));
    }
    cJSON *cal = cJSON_AddObjectToObject(o, "win_probability");
    cJSON_AddStringToObject(cal, "source", sources[st->probability]);
    if (st->probability == DEALSCORE_PROBABILITY_IN_SAMPLE) {
        cJSON_AddItemToObject(cal, "a", bt_num(st->platt_a, 6));
        cJSON_AddItemToObject(cal, "b", bt_num(st->platt_b, 6));
    }
    cJSON_AddItemToObject(o, "win_rate", bt_num(st->win_rate, 4));
    cJSON_AddItemToObject(o, "brier", bt_num(st->brier, 4));
    cJSON_AddItemToObject(o, "brier_base_rate", bt_num(st->brier_base, 4));
    cJSON_AddItemToObject(o, "log_loss", bt_num(st->log_loss, 4));
    cJSON_AddItemToObject(o, "reliability", bins_json(st->bins, st->n_bins));
    cJSON_AddItemToObject(o, "rules", features_json(st, true));
    cJSON_AddItemToObject(o, "factors", features_json(st, false));
    return o;
}

static cJSON *calibration_json(const bt_run *run, const bt_policy *bp, const bt_calibration *c) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "policy", bp->name);
    cJSON_AddStringToObject(o, "output", run->opt.calibrate);
    cJSON_AddNumberToObject(o, "a", c->a);
    cJSON_AddNumberToObject(o, "b", c->b);
    cJSON_AddNumberToObject(o, "fitted_on", (double)c->fitted_on);
    cJSON *h = cJSON_AddObjectToObject(o, "holdout");
    cJSON_AddItemToObject(h, "share", bt_num(run->opt.measure.holdout, 4));
    cJSON_AddNumberToObject(h, "train", (double)c->train);
    cJSON_AddNumberToObject(h, "test", (double)c->test);
    cJSON_AddItemToObject(h, "auc", bt_num(c->auc, 4));
    cJSON_AddItemToObject(h, "auc_interval", interval_json(c->auc_lo, c->auc_hi));
    cJSON_AddItemToObject(h, "brier", bt_num(c->brier, 4));
    cJSON_AddItemToObject(h, "brier_base_rate", bt_num(c->brier_base, 4));
    cJSON_AddItemToObject(h, "log_loss", bt_num(c->log_loss, 4));
    cJSON_AddItemToObject(h, "mean_win_probability", bt_num(c->mean_p, 4));
    cJSON_AddItemToObject(h, "win_rate", bt_num(c->rate, 4));
    cJSON_AddItemToObject(h, "win_rate_interval", interval_json(c->rate_lo, c->rate_hi));
    cJSON_AddItemToObject(h, "reliability", bins_json(c->bins, c->n_bins));
    return o;
}

/* --calibrate: which policy, and what its calibration came to */
typedef struct bt_calibrating {
    const bt_policy *bp; /* NULL without --calibrate */
    bt_calibration c;
} bt_calibrating;

static void print_json(FILE *out, const bt_run *run, const bt_stats *st,
                       const bt_calibrating *cal) {
    dealscore_backtest_counts n = dealscore_backtest_count(run->measured);
    const dealscore_backtest_options *m = &run->opt.measure;
    cJSON *root = cJSON_CreateObject();
    cJSON *deals = cJSON_AddObjectToObject(root, "deals");
    cJSON_AddNumberToObject(deals, "read", (double)n.read);
    cJSON_AddNumberToObject(deals, "closed", (double)n.closed);
    cJSON_AddNumberToObject(deals, "open", (double)n.open);
    cJSON_AddNumberToObject(deals, "no_outcome", (double)n.no_outcome);
    cJSON_AddNumberToObject(deals, "unreadable", (double)n.unreadable);
    cJSON *oc = cJSON_AddObjectToObject(root, "outcome");
    cJSON_AddStringToObject(oc, "field", m->outcome_field);
    cJSON_AddItemToObject(oc, "won", cJSON_CreateStringArray(m->won, m->n_won));
    cJSON_AddItemToObject(oc, "lost", cJSON_CreateStringArray(m->lost, m->n_lost));
    cJSON_AddNumberToObject(root, "seed", (double)m->seed);
    cJSON_AddNumberToObject(root, "bootstrap", m->bootstrap);
    cJSON *arr = cJSON_AddArrayToObject(root, "policies");
    for (int i = 0; i < run->n_policies; i++)
        cJSON_AddItemToArray(arr, policy_json(run, &run->policies[i], &st[i]));
    if (cal->bp && !cal->c.refused)
        cJSON_AddItemToObject(root, "calibration", calibration_json(run, cal->bp, &cal->c));
    if (cal->bp && cal->c.refused) {
        cJSON *r = cJSON_AddObjectToObject(root, "calibration");
        cJSON_AddStringToObject(r, "policy", cal->bp->name);
        cJSON_AddBoolToObject(r, "refused", 1);
        cJSON_AddNumberToObject(r, "minimum_per_class", DEALSCORE_BACKTEST_MIN_CLASS);
    }
    char *text = cJSON_PrintUnformatted(root);
    if (text) fprintf(out, "%s\n", text);
    free(text);
    cJSON_Delete(root);
}

/* ---- the report ---- */

static void print_text(FILE *out, const bt_run *run, const bt_stats *st,
                       const bt_calibrating *cal) {
    print_header(out, run);
    print_summary(out, run, st);
    for (int i = 0; i < run->n_policies; i++)
        print_policy_details(out, run, &run->policies[i], &st[i]);
    if (cal->bp && !cal->c.refused) print_calibration(out, run, cal->bp, &cal->c);
}

/* --calibrate -: the model on standard output (the report went to -o FILE). */
static int print_model(const char *text) {
    if (fputs(text, stdout) >= 0 && putchar('\n') != EOF && fflush(stdout) == 0) return 0;
    fprintf(stderr, "dealscore backtest: --calibrate -: writing the model: %s\n", strerror(errno));
    return -1;
}

/* Writes --calibrate's file: the model in use with its calibration section,
 * through a temporary file, so a failed write never damages an existing model. */
static int write_model(const bt_run *run, const bt_calibrating *cal) {
    char *text =
        dealscore_backtest_model_json(run->measured, (int)(cal->bp - run->policies), &cal->c);
    if (!text) {
        fprintf(stderr, "dealscore backtest: --calibrate %s: out of memory\n", run->opt.calibrate);
        return -1;
    }
    if (strcmp(run->opt.calibrate, "-") == 0) {
        int rc = print_model(text);
        free(text);
        return rc;
    }
    cli_output out;
    int rc = cli_output_open(&out, "backtest", run->opt.calibrate);
    if (rc == 0) {
        if (fputs(text, out.f) >= 0 && putc('\n', out.f) != EOF)
            rc = cli_output_commit(&out, "backtest");
        else {
            fprintf(stderr, "dealscore backtest: --calibrate %s: %s\n", run->opt.calibrate,
                    strerror(errno));
            cli_output_abort(&out);
            rc = -1;
        }
    }
    free(text);
    return rc;
}

/* The figures of every policy, and --calibrate's. -1 when memory runs out. */
static int compute(bt_run *run, bt_stats *st, bt_calibrating *cal) {
    for (int i = 0; i < run->n_policies; i++)
        if (dealscore_backtest_stats(run->measured, i, &st[i]) < 0) return -1;
    if (!run->opt.calibrate) return 0;
    cal->bp = run->opt.calibrate_policy ? bt_find_policy(run, run->opt.calibrate_policy)
                                        : &run->policies[0];
    return dealscore_backtest_calibrate(run->measured, (int)(cal->bp - run->policies), &cal->c);
}

/* What the report cannot show: a refused calibration, no closed deal at all.
 * Returns CLI_USAGE when one is so. */
static int complain(const bt_run *run, const bt_stats *st, const bt_calibrating *cal) {
    int rc = CLI_OK;
    if (cal->bp && cal->c.refused) {
        const bt_stats *s = &st[cal->bp - run->policies];
        fprintf(stderr,
                "dealscore backtest: --calibrate refused: policy %s has %ld won and %ld "
                "lost closed deals; a calibration needs at least %d of each, or it "
                "follows noise. %s was not written.\n",
                cal->bp->name, s->won, s->lost, DEALSCORE_BACKTEST_MIN_CLASS,
                strcmp(run->opt.calibrate, "-") == 0 ? "The model" : run->opt.calibrate);
        rc = CLI_USAGE;
    } else if (cal->bp && write_model(run, cal) < 0) {
        rc = CLI_USAGE;
    }
    dealscore_backtest_counts n = dealscore_backtest_count(run->measured);
    if (!n.closed) {
        fprintf(stderr,
                "dealscore backtest: no closed deals to measure on (%ld read, %ld open, %ld "
                "without the field %s): check --outcome-field, --won and --lost\n",
                n.read, n.open, n.no_outcome, run->opt.measure.outcome_field);
        rc = CLI_USAGE;
    }
    return rc;
}

int bt_report(bt_run *run, FILE *out) {
    bt_stats st[BT_MAX_POLICIES];
    memset(st, 0, sizeof st);
    bt_calibrating cal = {0};
    if (compute(run, st, &cal) < 0) {
        fprintf(stderr, "dealscore backtest: out of memory computing the report\n");
        return CLI_USAGE;
    }
    if (run->opt.json)
        print_json(out, run, st, &cal);
    else
        print_text(out, run, st, &cal);
    return complain(run, st, &cal);
}
