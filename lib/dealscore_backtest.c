/* dealscore_backtest.c: policies measured on the team's closed deals (dealscore.h,
 * "backtest").
 *
 * A deal's outcome is read from its text (won, lost, open, none); each closed
 * deal's result under each policy is measured by its viability as printed, and
 * the rules and factors it fired are counted. Per policy: AUC with its bootstrap
 * interval and Hanley-McNeil error, the paired difference to the first policy,
 * the win probability (the model's calibration for that policy, else a Platt fit
 * on the same deals, labelled in-sample), its Brier score and log loss, and the
 * reliability table. With --calibrate: the held-out check, the final fit and the
 * model file that carries it. The maths is in core/ds_stats.c; the definitions
 * are in docs/backtest.md. The front end (`dealscore backtest`) prints. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dealscore_internal.h"
#include "ds_json.h"
#include "ds_stats.h"

#define RIDGE 1e-3 /* on the standardised slope: keeps separable data finite */
#define Z95 1.959963984540054

typedef struct feature {
    char *name; /* "no_champion", or "it_resistance.m1_it_champion" */
    bool is_rule;
    long fired_won, fired_lost;
    long last_deal; /* the deal that last counted it, so a deal counts once */
} feature;

typedef struct policy {
    char *name, *label;
    /* per measured closed deal */
    double *viability;
    unsigned char *won;
    long *deal; /* which closed deal (0, 1, ...), to pair policies on the same deals */
    size_t n, cap;
    long n_won, n_lost, errors, insufficient_won, insufficient_lost;
    feature *features;
    size_t n_features, cap_features;
    /* what the latest _stats / _calibrate handed out */
    ds_bin *bins, *cal_bins;
    dealscore_backtest_bin *out_bins, *out_cal_bins;
    dealscore_backtest_feature *out_features;
} policy;

struct dealscore_backtest {
    const ds_params *params;
    dealscore_backtest_options opt;
    dealscore_backtest_counts counts;
    policy *policies;
    int n_policies;
};

/* ---- the object ---- */

void dealscore_backtest_options_init(dealscore_backtest_options *o) {
    memset(o, 0, sizeof *o);
    o->outcome_field = "stage";
    o->won[o->n_won++] = "closed_won";
    o->lost[o->n_lost++] = "closed_lost";
    o->bootstrap = 2000;
    o->seed = 1;
    o->bins = 10;
    o->holdout = 0.3;
}

static const char *check_options(const dealscore_backtest_options *o, int n_policies) {
    if (n_policies < 1 || n_policies > DEALSCORE_MAX_POLICIES) return "1 to 32 policies";
    if (!o->outcome_field || !*o->outcome_field) return "an outcome field";
    if (o->n_won < 1 || o->n_won > DEALSCORE_BACKTEST_MAX_VALUES || o->n_lost < 1 ||
        o->n_lost > DEALSCORE_BACKTEST_MAX_VALUES)
        return "1 to 16 won and lost values";
    if (o->bins < 2 || o->bins > 100) return "2 to 100 bins";
    if (o->bootstrap < 0) return "a bootstrap count of 0 or more";
    if (!(o->holdout > 0 && o->holdout < 1)) return "a holdout share between 0 and 1";
    return NULL;
}

dealscore_backtest *dealscore_backtest_new(const dealscore_model *m,
                                           const dealscore_backtest_options *o, int n_policies,
                                           char *err, size_t errlen) {
    const char *wrong = !m ? "a model" : !o ? "options" : check_options(o, n_policies);
    if (wrong) {
        snprintf(err, errlen, "backtest: needs %s", wrong);
        return NULL;
    }
    dealscore_backtest *b = calloc(1, sizeof *b);
    policy *p = calloc((size_t)n_policies, sizeof *p);
    if (!b || !p) {
        free(b);
        free(p);
        snprintf(err, errlen, "backtest: out of memory");
        return NULL;
    }
    b->params = dealscore_model_params(m);
    b->opt = *o;
    b->policies = p;
    b->n_policies = n_policies;
    return b;
}

static void policy_free(policy *p) {
    for (size_t i = 0; i < p->n_features; i++) free(p->features[i].name);
    free(p->features);
    free(p->name);
    free(p->label);
    free(p->viability);
    free(p->won);
    free(p->deal);
    free(p->bins);
    free(p->cal_bins);
    free(p->out_bins);
    free(p->out_cal_bins);
    free(p->out_features);
}

void dealscore_backtest_free(dealscore_backtest *b) {
    if (!b) return;
    for (int i = 0; i < b->n_policies; i++) policy_free(&b->policies[i]);
    free(b->policies);
    free(b);
}

static policy *policy_at(const dealscore_backtest *b, int i) {
    return b && i >= 0 && i < b->n_policies ? &b->policies[i] : NULL;
}

int dealscore_backtest_name(dealscore_backtest *b, int i, const char *name, const char *label) {
    policy *p = policy_at(b, i);
    if (!p || !name || !label) return -1;
    free(p->name);
    free(p->label);
    p->name = strdup(name);
    p->label = strdup(label);
    return p->name && p->label ? 0 : -1;
}

dealscore_backtest_counts dealscore_backtest_count(const dealscore_backtest *b) {
    dealscore_backtest_counts none = {0};
    return b ? b->counts : none;
}

/* ---- outcomes ---- */

/* Follows a dotted path through objects. */
static const cJSON *field_at(const cJSON *deal, const char *path) {
    const cJSON *node = deal;
    char part[128];
    while (node && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof part || !cJSON_IsObject(node)) return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, part);
        path += n + (path[n] == '.');
    }
    return node;
}

/* Ignoring case, as the deal's stage is read ("Closed Won" is closed_won's
 * label in a CRM, "CLOSED_WON" a typed value). */
static bool in_list(const char *const *list, int n, const char *value) {
    for (int i = 0; i < n; i++)
        if (strcasecmp(list[i], value) == 0) return true;
    return false;
}

/* A string compares as itself; true/false and numbers by their JSON text, so a
 * boolean "won" field maps with --won true --lost false. */
static int outcome_of(const dealscore_backtest_options *o, const cJSON *deal) {
    const cJSON *v = field_at(deal, o->outcome_field);
    char text[64];
    if (!v || cJSON_IsNull(v)) return DEALSCORE_OUTCOME_NONE;
    if (cJSON_IsString(v))
        snprintf(text, sizeof text, "%s", v->valuestring);
    else if (cJSON_IsBool(v))
        snprintf(text, sizeof text, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNumber(v))
        snprintf(text, sizeof text, "%.17g", v->valuedouble);
    else
        return DEALSCORE_OUTCOME_OPEN;
    if (in_list(o->won, o->n_won, text)) return DEALSCORE_OUTCOME_WON;
    if (in_list(o->lost, o->n_lost, text)) return DEALSCORE_OUTCOME_LOST;
    return DEALSCORE_OUTCOME_OPEN;
}

int dealscore_backtest_outcome(dealscore_backtest *b, const char *text, size_t len) {
    if (!b) return DEALSCORE_OUTCOME_UNREADABLE;
    dealscore_backtest_counts *c = &b->counts;
    c->read++;
    cJSON *deal = text ? cJSON_ParseWithLength(text, len) : NULL;
    if (!deal) {
        c->unreadable++;
        return DEALSCORE_OUTCOME_UNREADABLE;
    }
    int o = outcome_of(&b->opt, deal);
    cJSON_Delete(deal);
    if (o == DEALSCORE_OUTCOME_NONE) c->no_outcome++;
    if (o == DEALSCORE_OUTCOME_OPEN) c->open++;
    if (o == DEALSCORE_OUTCOME_WON || o == DEALSCORE_OUTCOME_LOST) c->closed++;
    return o;
}

void dealscore_backtest_unreadable(dealscore_backtest *b) {
    if (!b) return;
    b->counts.read++;
    b->counts.unreadable++;
}

/* ---- measuring one result ---- */

static feature *find_feature(policy *p, const char *name, bool is_rule) {
    for (size_t i = 0; i < p->n_features; i++)
        if (p->features[i].is_rule == is_rule && strcmp(p->features[i].name, name) == 0)
            return &p->features[i];
    if (p->n_features == p->cap_features) {
        size_t cap = p->cap_features ? 2 * p->cap_features : 32;
        feature *f = realloc(p->features, cap * sizeof *f);
        if (!f) return NULL;
        p->features = f;
        p->cap_features = cap;
    }
    char *copy = strdup(name);
    if (!copy) return NULL;
    feature *f = &p->features[p->n_features++];
    *f = (feature){.name = copy, .is_rule = is_rule, .last_deal = -1};
    return f;
}

static void fired(policy *p, const char *name, bool is_rule, bool won) {
    feature *f = find_feature(p, name, is_rule);
    long deal = (long)p->n - 1; /* the deal just appended */
    if (!f || f->last_deal == deal) return;
    f->last_deal = deal;
    if (won)
        f->fired_won++;
    else
        f->fired_lost++;
}

/* Counts every factor with a non-zero effect ("score.factor"), the effect
 * rounded as results write it (four decimals). */
static void count_factors(policy *p, const char *score, const dealscore_factor *f, int n,
                          bool won) {
    for (int i = 0; i < n; i++) {
        char key[160];
        if (!(ds_round(f[i].effect, 4) != 0)) continue;
        snprintf(key, sizeof key, "%s.%s", score, f[i].factor);
        fired(p, key, false, won);
    }
}

static void count_features(policy *p, const dealscore_result *r, bool won) {
    for (int i = 0; i < r->n_reasons; i++) fired(p, r->reasons[i], true, won);
    if (!(r->flags & DEALSCORE_EXPLAIN)) return;
    for (int k = 0; k < DEALSCORE_NSCORES; k++)
        count_factors(p, dealscore_score_name(k), r->factors[k], r->n_factors[k], won);
    count_factors(p, "viability", r->viability_factors, r->n_viability_factors, won);
}

static int append(policy *p, double viability, bool won, long deal) {
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 1024;
        double *v = realloc(p->viability, cap * sizeof *v);
        if (v) p->viability = v;
        unsigned char *w = v ? realloc(p->won, cap) : NULL;
        if (w) p->won = w;
        long *d = w ? realloc(p->deal, cap * sizeof *d) : NULL;
        if (!d) return -1;
        p->deal = d;
        p->cap = cap;
    }
    p->viability[p->n] = viability;
    p->won[p->n] = won;
    p->deal[p->n] = deal;
    p->n++;
    return 0;
}

int dealscore_backtest_add(dealscore_backtest *b, int i, const dealscore_result *r, int outcome) {
    policy *p = policy_at(b, i);
    if (!p || !r || (outcome != DEALSCORE_OUTCOME_WON && outcome != DEALSCORE_OUTCOME_LOST))
        return DEALSCORE_BACKTEST_ERROR;
    bool won = outcome == DEALSCORE_OUTCOME_WON;
    if (r->error.code || !isfinite(r->viability)) {
        p->errors++;
        return DEALSCORE_BACKTEST_ERROR;
    }
    bool insufficient = r->verdict && strcmp(r->verdict, "insufficient_data") == 0;
    if (insufficient) (*(won ? &p->insufficient_won : &p->insufficient_lost))++;
    /* unless asked, a deal the policy declined to judge is not measured: its
     * viability mostly measures the model's defaults */
    if (insufficient && !b->opt.measure_insufficient) return DEALSCORE_BACKTEST_APART;
    /* the viability as the result line has it (one decimal) */
    if (append(p, ds_round(r->viability, 1), won, b->counts.closed - 1) < 0) {
        p->errors++;
        return DEALSCORE_BACKTEST_NO_MEMORY;
    }
    (*(won ? &p->n_won : &p->n_lost))++;
    count_features(p, r, won);
    return DEALSCORE_BACKTEST_MEASURED;
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

/* The bins handed out: ds_bin as the public struct. */
static const dealscore_backtest_bin *bins_out(const ds_bin *in, int n,
                                              dealscore_backtest_bin **out) {
    free(*out);
    *out = malloc((size_t)n * sizeof **out);
    if (!*out) return NULL;
    for (int k = 0; k < n; k++)
        (*out)[k] =
            (dealscore_backtest_bin){in[k].n,      in[k].won,  in[k].score_lo, in[k].score_hi,
                                     in[k].mean_p, in[k].rate, in[k].rate_lo,  in[k].rate_hi};
    return *out;
}

static int by_kind_and_name(const void *pa, const void *pb) {
    const feature *a = pa, *b = pb;
    if (a->is_rule != b->is_rule) return a->is_rule ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* lift = P(won | fired) / P(won) */
static double lift(const feature *f, const policy *p) {
    long fired = f->fired_won + f->fired_lost, n = p->n_won + p->n_lost;
    if (!fired || !p->n_won) return NAN;
    return ((double)f->fired_won / (double)fired) / ((double)p->n_won / (double)n);
}

static int features_out(policy *p, dealscore_backtest_policy_stats *st) {
    if (p->n_features) qsort(p->features, p->n_features, sizeof *p->features, by_kind_and_name);
    free(p->out_features);
    p->out_features = malloc((p->n_features ? p->n_features : 1) * sizeof *p->out_features);
    if (!p->out_features) return -1;
    for (size_t i = 0; i < p->n_features; i++) {
        const feature *f = &p->features[i];
        long fired = f->fired_won + f->fired_lost;
        p->out_features[i] = (dealscore_backtest_feature){
            f->name,
            f->is_rule,
            f->fired_won,
            f->fired_lost,
            fired ? (double)f->fired_won / (double)fired : NAN,
            lift(f, p),
            ds_fisher_exact(f->fired_won, f->fired_lost, p->n_won - f->fired_won,
                            p->n_lost - f->fired_lost)};
    }
    st->n_features = (int)p->n_features;
    st->features = p->out_features;
    return 0;
}

/* The win probability of each measured deal: the model's calibration, else the
 * in-sample fit. */
static void probabilities(const dealscore_backtest *b, const policy *p,
                          dealscore_backtest_policy_stats *st, ds_platt *platt, double *prob) {
    double probe;
    bool from_model = ds_params_win_probability(b->params, p->label, 50, &probe);
    st->probability = from_model ? DEALSCORE_PROBABILITY_MODEL
                      : p->n     ? DEALSCORE_PROBABILITY_IN_SAMPLE
                                 : DEALSCORE_PROBABILITY_NONE;
    if (!from_model && p->n) ds_platt_fit(p->viability, p->won, p->n, RIDGE, platt);
    st->platt_a = platt->a;
    st->platt_b = platt->b;
    for (size_t i = 0; i < p->n; i++) {
        if (from_model)
            ds_params_win_probability(b->params, p->label, p->viability[i], &prob[i]);
        else
            prob[i] = ds_platt_apply(platt, p->viability[i]);
    }
}

static int policy_stats(dealscore_backtest *b, policy *p, dealscore_backtest_policy_stats *st) {
    size_t n = p->n;
    const dealscore_backtest_options *o = &b->opt;
    st->auc = ds_auc(p->viability, p->won, n);
    st->auc_se = ds_auc_hanley_se(st->auc, (size_t)p->n_won, (size_t)p->n_lost);
    ds_interval ci = {NAN, NAN};
    if (o->bootstrap > 0)
        ds_auc_bootstrap(p->viability, p->won, n, o->bootstrap, o->seed, 0.95, &ci);
    st->auc_lo = ci.lo;
    st->auc_hi = ci.hi;
    double *prob = malloc((n ? n : 1) * sizeof *prob);
    free(p->bins);
    p->bins = malloc((size_t)o->bins * sizeof *p->bins);
    if (!prob || !p->bins) {
        free(prob);
        return -1;
    }
    ds_platt platt = {0};
    probabilities(b, p, st, &platt, prob);
    st->win_rate = n ? (double)p->n_won / (double)n : NAN;
    st->brier = ds_brier(prob, p->won, n);
    st->brier_base = base_brier(p->won, n, st->win_rate);
    st->log_loss = ds_log_loss(prob, p->won, n);
    int rc = ds_reliability(p->viability, prob, p->won, n, o->bins, p->bins);
    free(prob);
    st->n_bins = o->bins;
    st->bins = bins_out(p->bins, o->bins, &p->out_bins);
    return rc == 0 && st->bins ? 0 : -1;
}

/* AUC of p minus AUC of the first policy, on the deals both measured, with a
 * paired bootstrap interval: whether an edit of the policy helped. */
static int compare_with_first(const dealscore_backtest *b, const policy *p,
                              dealscore_backtest_policy_stats *st) {
    const policy *first = &b->policies[0];
    size_t cap = p->n < first->n ? p->n : first->n, n = 0;
    double *x = malloc((cap ? cap : 1) * sizeof *x), *y = malloc((cap ? cap : 1) * sizeof *y);
    unsigned char *w = malloc(cap ? cap : 1);
    if (!x || !y || !w) {
        free(x);
        free(y);
        free(w);
        return -1;
    }
    /* both lists are in deal order: merge them */
    for (size_t i = 0, j = 0; i < p->n && j < first->n;) {
        if (p->deal[i] < first->deal[j]) {
            i++;
        } else if (p->deal[i] > first->deal[j]) {
            j++;
        } else {
            x[n] = p->viability[i];
            y[n] = first->viability[j];
            w[n++] = p->won[i];
            i++;
            j++;
        }
    }
    st->paired = n;
    st->auc_diff = ds_auc(x, w, n) - ds_auc(y, w, n);
    ds_interval ci = {NAN, NAN};
    if (b->opt.bootstrap > 0)
        ds_auc_diff_bootstrap(x, y, w, n, b->opt.bootstrap, b->opt.seed, 0.95, &ci);
    st->auc_diff_lo = ci.lo;
    st->auc_diff_hi = ci.hi;
    free(x);
    free(y);
    free(w);
    return 0;
}

int dealscore_backtest_stats(dealscore_backtest *b, int i, dealscore_backtest_policy_stats *st) {
    policy *p = policy_at(b, i);
    if (!p || !st) return -1;
    *st = (dealscore_backtest_policy_stats){.name = p->name ? p->name : "",
                                            .label = p->label ? p->label : "",
                                            .won = p->n_won,
                                            .lost = p->n_lost,
                                            .errors = p->errors,
                                            .insufficient_won = p->insufficient_won,
                                            .insufficient_lost = p->insufficient_lost,
                                            .measured = p->n,
                                            .auc_diff = NAN,
                                            .auc_diff_lo = NAN,
                                            .auc_diff_hi = NAN};
    if (policy_stats(b, p, st) < 0) return -1;
    if (i > 0 && compare_with_first(b, p, st) < 0) return -1;
    return features_out(p, st);
}

/* ---- calibration ---- */

/* Splits the deals, stratified by outcome: test[i] marks the held-out ones. */
static size_t holdout_split(const policy *p, double share, uint64_t seed, unsigned char *test) {
    size_t n = p->n, held = 0;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx) return 0;
    ds_rng rng;
    ds_rng_seed(&rng, seed);
    for (int cls = 1; cls >= 0; cls--) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (p->won[i] == cls) idx[m++] = i;
        ds_rng_shuffle(&rng, idx, m);
        size_t k = (size_t)llround(share * (double)m);
        for (size_t i = 0; i < m; i++) test[idx[i]] = i < k;
        held += k;
    }
    free(idx);
    return held;
}

/* The held-out part's figures, from x, w (training part first) and the fit on
 * the training part. */
static int holdout_figures(const dealscore_backtest *b, policy *p,
                           dealscore_backtest_calibration *c, const double *x,
                           const unsigned char *w, double *prob, const ds_platt *train_fit) {
    const double *xt = x + c->train;
    const unsigned char *wt = w + c->train;
    double *pt = prob + c->train;
    size_t train_won = 0;
    for (size_t i = 0; i < c->train; i++) train_won += w[i];
    c->test_won = 0;
    for (size_t i = 0; i < c->test; i++) {
        pt[i] = ds_platt_apply(train_fit, xt[i]);
        c->test_won += wt[i];
    }
    c->auc = ds_auc(xt, wt, c->test);
    ds_interval ci = {NAN, NAN};
    if (b->opt.bootstrap > 0)
        ds_auc_bootstrap(xt, wt, c->test, b->opt.bootstrap, b->opt.seed, 0.95, &ci);
    c->auc_lo = ci.lo;
    c->auc_hi = ci.hi;
    c->brier = ds_brier(pt, wt, c->test);
    c->brier_base = base_brier(wt, c->test, (double)train_won / (double)c->train);
    c->log_loss = ds_log_loss(pt, wt, c->test);
    c->mean_p = mean(pt, c->test);
    c->rate = (double)c->test_won / (double)c->test;
    ds_wilson(c->test_won, c->test, Z95, &c->rate_lo, &c->rate_hi);
    return ds_reliability(xt, pt, wt, c->test, b->opt.bins, p->cal_bins);
}

static int holdout_check(const dealscore_backtest *b, policy *p,
                         dealscore_backtest_calibration *c) {
    size_t n = p->n;
    unsigned char *test = calloc(n, 1), *w = malloc(n);
    double *x = malloc(n * sizeof *x), *prob = malloc(n * sizeof *prob);
    free(p->cal_bins);
    p->cal_bins = malloc((size_t)b->opt.bins * sizeof *p->cal_bins);
    int rc = -1;
    if (test && w && x && prob && p->cal_bins) {
        c->test = holdout_split(p, b->opt.holdout, b->opt.seed, test);
        c->train = n - c->test;
        /* training part first, then the held-out part */
        size_t at_train = 0, at_test = c->train;
        for (size_t i = 0; i < n; i++) {
            size_t at = test[i] ? at_test++ : at_train++;
            x[at] = p->viability[i];
            w[at] = p->won[i];
        }
        ds_platt train_fit;
        ds_platt_fit(x, w, c->train, RIDGE, &train_fit);
        rc = holdout_figures(b, p, c, x, w, prob, &train_fit);
    }
    ds_platt fit = {0};
    if (rc == 0) rc = ds_platt_fit(p->viability, p->won, n, RIDGE, &fit);
    c->a = fit.a;
    c->b = fit.b;
    free(prob);
    free(x);
    free(w);
    free(test);
    return rc;
}

int dealscore_backtest_calibrate(dealscore_backtest *b, int i, dealscore_backtest_calibration *c) {
    policy *p = policy_at(b, i);
    if (!p || !c) return -1;
    *c = (dealscore_backtest_calibration){
        .fitted_on = p->n, .won = (size_t)p->n_won, .lost = (size_t)p->n_lost};
    if (p->n_won < DEALSCORE_BACKTEST_MIN_CLASS || p->n_lost < DEALSCORE_BACKTEST_MIN_CLASS) {
        c->refused = true;
        return 0;
    }
    if (holdout_check(b, p, c) < 0) return -1;
    c->n_bins = b->opt.bins;
    c->bins = bins_out(p->cal_bins, b->opt.bins, &p->out_cal_bins);
    return c->bins ? 0 : -1;
}

/* ---- the model file with its calibration ---- */

static cJSON *rounded(double x, int decimals) {
    if (!isfinite(x)) return cJSON_CreateNull();
    double scale = pow(10, decimals);
    return cJSON_CreateNumber(round(x * scale) / scale);
}

char *dealscore_backtest_model_json(const dealscore_backtest *b, int i,
                                    const dealscore_backtest_calibration *c) {
    const policy *p = policy_at(b, i);
    if (!p || !c || c->refused) return NULL;
    cJSON *model = cJSON_Duplicate(b->params->json, 1);
    cJSON *cal = cJSON_CreateObject();
    if (!model || !cal) {
        cJSON_Delete(model);
        cJSON_Delete(cal);
        return NULL;
    }
    /* full precision: the written fit is the one that is used */
    cJSON_AddNumberToObject(cal, "a", c->a);
    cJSON_AddNumberToObject(cal, "b", c->b);
    cJSON_AddStringToObject(cal, "policy", p->label ? p->label : "");
    cJSON_AddStringToObject(cal, "maps", "win_probability = 1 / (1 + exp(-(a * viability + b)))");
    cJSON_AddNumberToObject(cal, "fitted_on", (double)c->fitted_on);
    cJSON_AddNumberToObject(cal, "won", (double)c->won);
    cJSON_AddNumberToObject(cal, "lost", (double)c->lost);
    cJSON *h = cJSON_AddObjectToObject(cal, "holdout");
    cJSON_AddItemToObject(h, "share", rounded(b->opt.holdout, 4));
    cJSON_AddNumberToObject(h, "seed", (double)b->opt.seed);
    cJSON_AddNumberToObject(h, "deals", (double)c->test);
    cJSON_AddItemToObject(h, "auc", rounded(c->auc, 4));
    cJSON_AddItemToObject(h, "brier", rounded(c->brier, 4));
    cJSON_AddItemToObject(h, "log_loss", rounded(c->log_loss, 4));
    cJSON_DeleteItemFromObjectCaseSensitive(model, "calibration");
    cJSON_AddItemToObject(model, "calibration", cal);
    char *text = cJSON_Print(model);
    cJSON_Delete(model);
    return text;
}
