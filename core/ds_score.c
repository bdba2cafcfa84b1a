/* ds_score.c: the five core scores with additive factors; see ds_score.h.
 *
 * Each score is built factor by factor: a factor is added with its effect, and the
 * score is the sum of its factors. A final clamp to [0, 100] is a factor of its
 * own, so the explanation always adds up to the number shown. */
#include "ds_score.h"

#include <math.h>
#include <string.h>

#include "ds_action.h"
#include "ds_assert.h"
#include "ds_date.h"

const char *const ds_score_names[DS_NSCORES] = {"capability_roi", "strategic_roi", "measurable_roi",
                                                "it_resistance", "user_threat"};

/* ---- factor lists ---- */

static void add(ds_score *s, const char *factor, double effect, int stakeholder,
                const char *detail) {
    DS_ASSERT(s->n_factors < s->cap_factors); /* analyse() sized the list for every factor */
    if (effect == 0 || s->n_factors == s->cap_factors) return;
    s->factors[s->n_factors++] = (ds_factor){factor, effect, stakeholder, detail};
}

double ds_score_factor_sum(const ds_score *s) {
    double sum = 0;
    for (int i = 0; i < s->n_factors; i++) sum += s->factors[i].effect;
    return sum;
}

/* Sets the score to value, clamped to [0, 100]; the clamp is a factor. */
static void finish(ds_score *s, double value) {
    /* the factors add up to the score (before the clamp, which is one more) */
    DS_ASSERT(fabs(ds_score_factor_sum(s) - value) <= 1e-9 * (1 + fabs(value)));
    double clamped = fmin(100.0, fmax(0.0, value));
    add(s, "clamp", clamped - value, -1, "scores stay within 0..100");
    s->value = clamped;
}

/* ---- sets and weights ---- */

static bool in_set(const ds_analysis *an, int i, unsigned set) {
    return (an->deal->stakeholders[i].sets & set) != 0;
}

static double set_weight(const ds_analysis *an, unsigned set) {
    double sum = 0;
    for (int i = 0; i < an->deal->n_stakeholders; i++)
        if (in_set(an, i, set)) sum += an->graph.effective[i];
    return sum;
}

/* e_s = 0.5 ^ (days since last contact / half-life); 1 when a date is unknown. */
static void compute_engagement(ds_analysis *an) {
    const ds_deal *d = an->deal;
    for (int i = 0; i < d->n_stakeholders; i++) {
        const ds_stakeholder *s = &d->stakeholders[i];
        an->engagement[i] = 1.0;
        if (d->as_of == DS_NO_DATE || s->last_contact == DS_NO_DATE) continue;
        double days = fmax(0, (double)d->as_of - s->last_contact);
        an->engagement[i] = pow(0.5, days / an->params->stale_half_life_days);
    }
}

static void compute_conviction(ds_analysis *an) {
    const ds_deal *d = an->deal;
    double total = set_weight(an, DS_SET_KEY);
    for (int c = 0; c < 3; c++) {
        double sum = 0;
        for (int i = 0; i < d->n_stakeholders; i++)
            if (in_set(an, i, DS_SET_KEY) && d->stakeholders[i].convinced[c])
                sum += an->graph.effective[i] * an->engagement[i];
        an->conviction[c] = total > 0 ? sum / total : 0;
    }
}

static void compute_push_back(ds_analysis *an) {
    double total = set_weight(an, DS_SET_DECIDERS), sum = 0;
    for (int i = 0; i < an->deal->n_stakeholders; i++)
        if (in_set(an, i, DS_SET_DECIDERS))
            sum += an->graph.effective[i] * fmax(0, an->graph.predicted[i]);
    an->push_back = total > 0 ? sum / total : 0;
}

/* Adds, for each convinced key stakeholder, its share of `scale` x C_d. */
static void add_conviction(ds_analysis *an, ds_score *s, int c, double scale) {
    const ds_deal *d = an->deal;
    double total = set_weight(an, DS_SET_KEY);
    if (total <= 0) return;
    static const char *const names[3] = {"convinced_capability", "convinced_strategic",
                                         "convinced_measurable"};
    static const char *const details[3] = {"convinced of the capability case",
                                           "convinced of the strategic case",
                                           "convinced of the measurable case"};
    for (int i = 0; i < d->n_stakeholders; i++) {
        if (!in_set(an, i, DS_SET_KEY) || !d->stakeholders[i].convinced[c]) continue;
        add(s, names[c], scale * an->graph.effective[i] * an->engagement[i] / total, i, details[c]);
    }
}

/* ---- the value scores ---- */

static void score_capability(ds_analysis *an) {
    const ds_params *p = an->params;
    ds_score *s = &an->scores[DS_CAPABILITY_ROI];
    double cap = an->deal->solution.capability;
    double value = 100 * cap * (p->cap_base + p->cap_conviction * an->conviction[0]);
    add(s, "capability_case", 100 * cap * p->cap_base, -1, "strength of the new-capability case");
    add_conviction(an, s, DS_CAPABILITY_CASE, 100 * cap * p->cap_conviction);
    finish(s, value);
}

/* E: the largest positive predicted stance among key executives (c_level, vp). */
static double executive_support(const ds_analysis *an, int *who) {
    double best = 0;
    *who = -1;
    for (int i = 0; i < an->deal->n_stakeholders; i++) {
        int level = an->deal->stakeholders[i].level;
        if (!in_set(an, i, DS_SET_KEY) || (level != DS_LEVEL_C && level != DS_LEVEL_VP)) continue;
        double x = fmax(0, an->graph.predicted[i]);
        if (x > best) best = x, *who = i;
    }
    return best;
}

static void score_strategic(ds_analysis *an) {
    const ds_params *p = an->params;
    ds_score *s = &an->scores[DS_STRATEGIC_ROI];
    double strat = an->deal->solution.strategic;
    int exec;
    double e = executive_support(an, &exec);
    double value =
        100 * strat *
        (p->strat_base + p->strat_conviction * an->conviction[1] + p->strat_executive * e);
    add(s, "strategic_case", 100 * strat * p->strat_base, -1, "fit with the account's strategy");
    add_conviction(an, s, DS_STRATEGIC_CASE, 100 * strat * p->strat_conviction);
    add(s, "executive_sponsor", 100 * strat * p->strat_executive * e, exec,
        "an executive in favour");
    finish(s, value);
}

/* m = confidence x g x payback factor, g = r / (1 + r) for a positive return r. */
static double measurable_case(const ds_solution *sol, const ds_params *p) {
    if (!sol->has_measurable || !sol->has_cost) return 0;
    double r = (sol->annual_benefit * p->horizon_years - sol->cost) / sol->cost;
    /* a return too large for a double (annual_benefit 1e308) is still a return:
     * g's limit, 1, never inf / inf (docs/model.md) */
    double g = r > 0 ? (isinf(r) ? 1.0 : r / (1 + r)) : 0;
    double payback = 1;
    if (sol->has_payback && sol->payback_months > 0)
        payback = fmin(1, p->payback_limit_months / sol->payback_months);
    return sol->confidence * g * payback;
}

static void score_measurable(ds_analysis *an) {
    const ds_params *p = an->params;
    ds_score *s = &an->scores[DS_MEASURABLE_ROI];
    double m = measurable_case(&an->deal->solution, p);
    double value = 100 * m * (p->meas_base + p->meas_conviction * an->conviction[2]);
    add(s, "measurable_case", 100 * m * p->meas_base, -1,
        "return, confidence and payback of the business case");
    add_conviction(an, s, DS_MEASURABLE_CASE, 100 * m * p->meas_conviction);
    finish(s, value);
}

/* ---- IT resistance ---- */

static double it_concern(const ds_solution *sol, const ds_params *p) {
    return p->concern_data * (1 - sol->data_readiness) + p->concern_security * sol->security_risk;
}

/* R0 with one factor per IT stakeholder and cause; returns R0. */
static double it_base(ds_analysis *an, ds_score *s) {
    const ds_params *p = an->params;
    const ds_deal *d = an->deal;
    const ds_solution *sol = &d->solution;
    double concern = it_concern(sol, p);
    double total = set_weight(an, DS_SET_IT);
    bool mapped = false;
    for (int i = 0; i < d->n_stakeholders; i++) mapped |= in_set(an, i, DS_SET_IT);
    if (!mapped) {
        double r0 = 100 * p->unmapped_concern * concern;
        add(s, "it_unmapped", r0, -1,
            "no IT stakeholder mapped: data and security concerns assumed");
        return r0;
    }
    double r0 = 0;
    for (int t = 0; t < d->n_stakeholders; t++) {
        if (!in_set(an, t, DS_SET_IT) || total <= 0) continue;
        const ds_stakeholder *st = &d->stakeholders[t];
        double share = 100 * an->graph.effective[t] / total;
        double parts[4] = {
            p->it_threat * st->credibility_threat *
                (p->threat_base + p->threat_in_house * sol->in_house_alternative),
            p->it_load * st->burden * fmax(0, sol->it_workload),
            p->it_concern * concern,
            p->it_opposition * fmax(0, -an->graph.predicted[t]),
        };
        static const char *const names[4] = {"credibility_threat", "it_overload",
                                             "data_security_concern", "it_opposition"};
        static const char *const details[4] = {
            "fears for IT's credibility (\"we can build that in-house\")",
            "already overloaded, and the solution adds work",
            "concerned about data readiness and security", "predicted to oppose"};
        for (int k = 0; k < 4; k++) {
            add(s, names[k], share * parts[k], t, details[k]);
            r0 += share * parts[k];
        }
    }
    return r0;
}

/* m1: the best IT champion: interested in AI, in favour, close to a decision maker. */
static double it_champion(ds_analysis *an, int *who) {
    const ds_deal *d = an->deal;
    double best = 0;
    *who = -1;
    for (int t = 0; t < d->n_stakeholders; t++) {
        if (!in_set(an, t, DS_SET_IT) ||
            d->stakeholders[t].ai_interest < an->params->it_champion_ai_interest)
            continue;
        double stance = fmax(0, an->graph.predicted[t]);
        if (stance <= 0) continue;
        double v = stance * fmax(0, ds_graph_reach(&an->graph, d, t, DS_SET_DECIDERS));
        if (v > best) best = v, *who = t;
    }
    return best;
}

/* Earliest first contact in a set; on a tie, the first in input order. */
static int earliest_contact(const ds_analysis *an, unsigned set) {
    int who = -1;
    for (int i = 0; i < an->deal->n_stakeholders; i++) {
        const ds_stakeholder *s = &an->deal->stakeholders[i];
        if (!in_set(an, i, set) || s->first_contact == DS_NO_DATE) continue;
        if (who < 0 || s->first_contact < an->deal->stakeholders[who].first_contact) who = i;
    }
    return who;
}

static void it_sequencing(ds_analysis *an, ds_score *s, double rest) {
    const ds_deal *d = an->deal;
    const ds_params *p = an->params;
    int it = earliest_contact(an, DS_SET_IT);
    if (it < 0) return;
    if (!d->solution.for_it) {
        int buyer = earliest_contact(an, DS_SET_DECIDERS);
        if (buyer >= 0 && d->stakeholders[it].first_contact < d->stakeholders[buyer].first_contact)
            add(s, "it_first", rest * p->it_first, it,
                "IT was approached before anyone who can buy");
    } else if (d->stakeholders[it].roles & DS_ROLE_IT_STRATEGIC) {
        add(s, "it_strategic_first", -rest * p->it_strategic_first, it,
            "IT's strategic leadership was approached first");
    }
}

static void score_it_resistance(ds_analysis *an) {
    const ds_params *p = an->params;
    const ds_solution *sol = &an->deal->solution;
    ds_score *s = &an->scores[DS_IT_RESISTANCE];
    double r0 = it_base(an, s);
    int champion;
    double m[4] = {
        p->mit_it_champion * it_champion(an, &champion),
        p->mit_workload_relief * fmax(0, -sol->it_workload) *
            (sol->it_burden_framed ? p->relief_framed : p->relief_unframed),
        p->mit_career * sol->it_career,
        0,
    };
    if (an->scores[DS_STRATEGIC_ROI].value >= p->push_back_strategic &&
        an->scores[DS_MEASURABLE_ROI].value >= p->push_back_measurable)
        m[3] = p->mit_push_back * an->push_back;
    double sum = m[0] + m[1] + m[2] + m[3];
    double total = fmin(p->mitigation_max, sum);
    static const char *const names[4] = {"it_champion", "workload_relief", "it_career",
                                         "business_push_back"};
    static const char *const details[4] = {
        "an IT champion close to the buyer", "the solution relieves IT's workload",
        "a career opportunity for IT", "buyers push back on IT's resistance themselves"};
    for (int k = 0; k < 4 && sum > 0; k++)
        add(s, names[k], -r0 * m[k] * total / sum, k == 0 ? champion : -1, details[k]);
    double rest = r0 * (1 - total);
    int before = s->n_factors;
    it_sequencing(an, s, rest);
    double value = rest;
    for (int i = before; i < s->n_factors; i++) value += s->factors[i].effect;
    finish(s, value);
}

/* ---- user threat ---- */

static double user_base(ds_analysis *an, ds_score *s) {
    const ds_params *p = an->params;
    const ds_deal *d = an->deal;
    const ds_solution *sol = &d->solution;
    double transparency = 100 * p->ut_transparency * sol->user_transparency;
    double change = 100 * p->ut_change * sol->user_change;
    add(s, "transparency", transparency, -1, "exposes individual users' performance");
    add(s, "daily_work_change", change, -1, "changes users' daily work");
    double total = set_weight(an, DS_SET_USERS);
    bool mapped = false;
    for (int i = 0; i < d->n_stakeholders; i++) mapped |= in_set(an, i, DS_SET_USERS);
    if (!mapped) {
        double missing = 100 * p->ut_benefit * (1 - sol->user_benefit);
        add(s, "no_user_benefit", missing, -1, "no users mapped: little in it for them assumed");
        return transparency + change + missing;
    }
    double u0 = transparency + change;
    for (int u = 0; u < d->n_stakeholders; u++) {
        if (!in_set(an, u, DS_SET_USERS) || total <= 0) continue;
        double share = 100 * an->graph.effective[u] / total;
        double benefit = fmax(sol->user_benefit, d->stakeholders[u].benefit_work);
        double missing = share * p->ut_benefit * (1 - benefit);
        double against = share * p->ut_opposition * fmax(0, -an->graph.predicted[u]);
        add(s, "no_user_benefit", missing, u, "sees little in it for them");
        add(s, "user_opposition", against, u, "predicted to oppose");
        u0 += missing + against;
    }
    return u0;
}

static int user_champion(const ds_analysis *an) {
    for (int u = 0; u < an->deal->n_stakeholders; u++) {
        unsigned roles = an->deal->stakeholders[u].roles;
        if (in_set(an, u, DS_SET_USERS) && (roles & (DS_ROLE_CHAMPION | DS_ROLE_INFLUENCER)) &&
            an->graph.predicted[u] > an->params->ut_user_champion_stance)
            return u;
    }
    return -1;
}

static void score_user_threat(ds_analysis *an) {
    const ds_params *p = an->params;
    ds_score *s = &an->scores[DS_USER_THREAT];
    double u0 = user_base(an, s), value = u0;
    if (an->deal->solution.users_consulted) {
        add(s, "users_consulted", -p->ut_consulted * u0, -1, "users were involved before buying");
        value -= p->ut_consulted * u0;
    }
    int champion = user_champion(an);
    if (champion >= 0) {
        add(s, "user_champion", -p->ut_user_champion * u0, champion, "a user speaks for it");
        value -= p->ut_user_champion * u0;
    }
    finish(s, value);
}

/* ---- warnings and coverage ---- */

static void add_warning(ds_analysis *an, const char *w) {
    DS_ASSERT(an->n_warnings < an->deal->n_stakeholders + 5); /* analyse() sized the list */
    if (w) an->warnings[an->n_warnings++] = w;
}

/* "stale:<id>": the base analysis' text when it has it (a copy of the deal for
 * next best actions or questions keeps its ids), else a new one. */
static const char *stale_warning(ds_analysis *an, const ds_analysis *base, const char *id) {
    for (int k = 0; base && k < base->n_warnings; k++)
        if (strncmp(base->warnings[k], "stale:", 6) == 0 && strcmp(base->warnings[k] + 6, id) == 0)
            return base->warnings[k];
    return ds_arena_strcat(an->arena, "stale:", id); /* vsnprintf cost ~1,300 */
}

static void collect_warnings(ds_analysis *an, const ds_analysis *base) {
    const ds_deal *d = an->deal;
    for (int i = 0; i < d->n_stakeholders; i++) {
        const ds_stakeholder *s = &d->stakeholders[i];
        if (!in_set(an, i, DS_SET_KEY) || d->as_of == DS_NO_DATE || s->last_contact == DS_NO_DATE)
            continue;
        if (d->as_of - s->last_contact > an->params->stale_warning_days)
            add_warning(an, stale_warning(an, base, s->id));
    }
    bool it = false, users = false;
    for (int i = 0; i < d->n_stakeholders; i++) {
        it |= in_set(an, i, DS_SET_IT);
        users |= in_set(an, i, DS_SET_USERS);
    }
    if (!it) add_warning(an, "it_unmapped");
    if (!users) add_warning(an, "users_unmapped");
    if (d->unknown_stage) add_warning(an, "unknown_stage");
    /* last of all: too little is known to judge the deal (SCORING.md v1.1) */
    if (an->coverage < an->params->coverage_min) add_warning(an, "low_coverage");
}

/* Allocates the analysis; the graph comes from build_graph (a fresh one, or one
 * derived from a base analysis). */
static int analyse(ds_analysis *an, const ds_deal *d, const ds_params *p, ds_arena *a,
                   const ds_analysis *base, int touch, ds_error *err) {
    memset(an, 0, sizeof *an);
    an->deal = d;
    an->params = p;
    an->arena = a;
    int n = d->n_stakeholders;
    /* written before they are read (engagement for every stakeholder, warnings
     * and factors up to their counts): not cleared, as a deal's copies are many */
    /* engagement depends on contact dates alone, which a derived copy keeps */
    an->engagement =
        base ? base->engagement : ds_arena_alloc_raw(a, sizeof(double) * (size_t)(n ? n : 1));
    an->warnings = ds_arena_alloc_raw(a, sizeof(char *) * (size_t)(n + 5));
    bool ok = an->engagement && an->warnings;
    if (ok && base)
        ok = ds_graph_derive(&an->graph, &base->graph, d, p, a, touch == DS_TOUCH_STANCE) == 0 &&
             (touch != DS_TOUCH_INFLUENCE || ds_graph_reblend(&an->graph, d, p, a) == 0);
    else if (ok)
        ok = ds_graph_build(&an->graph, d, p, a) == 0;
    for (int k = 0; ok && k < DS_NSCORES; k++) {
        an->scores[k].cap_factors = 4 * n + 12;
        an->scores[k].factors = ds_arena_alloc_raw(a, sizeof(ds_factor) * (size_t)(4 * n + 12));
        ok = an->scores[k].factors != NULL;
    }
    if (!ok) {
        ds_error_set(err, "out_of_memory", "$", "deal too large to score");
        return -1;
    }
    if (!base) compute_engagement(an);
    compute_conviction(an);
    compute_push_back(an);
    score_capability(an);
    score_strategic(an);
    score_measurable(an);
    score_it_resistance(an);
    score_user_threat(an);
    an->coverage = d->coverage_total ? (double)d->coverage_given / d->coverage_total : 0;
    collect_warnings(an, base);
    return 0;
}

int ds_analyse(ds_analysis *an, const ds_deal *d, const ds_params *p, ds_arena *a, ds_error *err) {
    return analyse(an, d, p, a, NULL, DS_TOUCH_GRAPH, err);
}

int ds_analyse_derived(ds_analysis *an, const ds_deal *d, const ds_analysis *base, int touch,
                       ds_arena *a, ds_error *err) {
    if (touch == DS_TOUCH_GRAPH || d->n_stakeholders != base->deal->n_stakeholders)
        return analyse(an, d, base->params, a, NULL, touch, err);
    return analyse(an, d, base->params, a, base, touch, err);
}
