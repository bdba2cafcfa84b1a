/* ds_question.c: questions about the fields a deal does not give; see ds_question.h.
 *
 * One table says, per field, where it lives, the ends of its range, what an answer
 * changes in the analysis and the words of the question. The measurable case is
 * one question: its four numbers multiply (m = confidence x g x payback factor),
 * so one of them alone moves nothing while another is unknown; a seller finds
 * them out in one conversation anyway. Ranges are documented in docs/questions.md. */
#include "ds_question.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Best plausible measurable case: an annual benefit of this many times the cost;
 * worst: a payback this many times the model's payback limit. */
#define BENEFIT_TIMES_COST 10.0
#define PAYBACK_TIMES_LIMIT 5.0

typedef struct field_info {
    const char *key; /* "benefits.work": where it is in its object */
    double lo, hi;   /* the ends of its range; booleans 0 and 1 */
    bool boolean;    /* written as false/true */
    int touch;       /* ds_action_touch */
    const char *before, *after;
} field_info;

static const field_info fields[DS_Q_NFIELDS] = {
    [DS_Q_INFLUENCE] = {"influence", 0, 1, false, DS_TOUCH_INFLUENCE, "Find out how much say ",
                        " has in the decision"},
    [DS_Q_STANCE] = {"stance", -1, 1, false, DS_TOUCH_STANCE, "Find out where ", " stands"},
    [DS_Q_BENEFIT_WORK] = {"benefits.work", 0, 1, false, DS_TOUCH_FACTS, "Find out what ",
                           " gains from it in their work"},
    [DS_Q_BENEFIT_CAREER] = {"benefits.career", 0, 1, false, DS_TOUCH_FACTS, "Find out what ",
                             " gains from it for their career"},
    [DS_Q_CONVINCED_CAPABILITY] = {"convinced.capability", 0, 1, true, DS_TOUCH_FACTS,
                                   "Find out whether ", " is convinced of the capability case"},
    [DS_Q_CONVINCED_STRATEGIC] = {"convinced.strategic", 0, 1, true, DS_TOUCH_FACTS,
                                  "Find out whether ", " is convinced of the strategic case"},
    [DS_Q_CONVINCED_MEASURABLE] = {"convinced.measurable", 0, 1, true, DS_TOUCH_FACTS,
                                   "Find out whether ", " is convinced of the measurable case"},
    [DS_Q_AI_INTEREST] = {"ai_interest", 0, 1, false, DS_TOUCH_FACTS, "Find out how keen ",
                          " is on AI and change"},
    [DS_Q_BURDEN] = {"burden", 0, 1, false, DS_TOUCH_FACTS, "Find out how overloaded ",
                     " already is"},
    [DS_Q_CREDIBILITY_THREAT] = {"credibility_threat", 0, 1, false, DS_TOUCH_FACTS,
                                 "Find out whether ", " sees it as a threat to IT's credibility"},
    [DS_Q_FOR_IT] = {"for_it", 0, 1, true, DS_TOUCH_FACTS,
                     "Find out whether it is built to solve IT's own problems", ""},
    [DS_Q_CAPABILITY] = {"capability", 0, 1, false, DS_TOUCH_FACTS,
                         "Find out how strong the case for the new capability is", ""},
    [DS_Q_STRATEGIC] = {"strategic", 0, 1, false, DS_TOUCH_FACTS,
                        "Find out how well it fits the account's stated strategy", ""},
    [DS_Q_MEASURABLE] = {"measurable", 0, 1, false, DS_TOUCH_FACTS, NULL, ""},
    [DS_Q_IT_WORKLOAD] = {"it_workload", -1, 1, false, DS_TOUCH_FACTS,
                          "Find out whether it adds work for IT or takes work off IT", ""},
    [DS_Q_IT_BURDEN_FRAMED] = {"it_burden_framed", 0, 1, true, DS_TOUCH_FACTS,
                               "Find out whether IT was told it takes work off IT", ""},
    [DS_Q_IT_CAREER] = {"it_career", 0, 1, false, DS_TOUCH_FACTS,
                        "Find out what it does for IT's skills and careers", ""},
    [DS_Q_IN_HOUSE_ALTERNATIVE] = {"in_house_alternative", 0, 1, false, DS_TOUCH_FACTS,
                                   "Find out whether IT could say it can build this in-house", ""},
    [DS_Q_DATA_READINESS] = {"data_readiness", 0, 1, false, DS_TOUCH_FACTS,
                             "Find out how ready the account's data and data infrastructure are",
                             ""},
    [DS_Q_SECURITY_RISK] = {"security_risk", 0, 1, false, DS_TOUCH_FACTS,
                            "Find out what security concerns are open", ""},
    [DS_Q_USER_CHANGE] = {"user_change", 0, 1, false, DS_TOUCH_FACTS,
                          "Find out how much it changes the users' daily work", ""},
    [DS_Q_USER_TRANSPARENCY] = {"user_transparency", 0, 1, false, DS_TOUCH_FACTS,
                                "Find out how much it exposes individual users' performance", ""},
    [DS_Q_USER_BENEFIT] = {"user_benefit", 0, 1, false, DS_TOUCH_FACTS,
                           "Find out what is in it for the users", ""},
    [DS_Q_USERS_CONSULTED] = {"users_consulted", 0, 1, true, DS_TOUCH_FACTS,
                              "Find out whether the users were involved before the purchase", ""},
    [DS_Q_PROTOTYPE] = {"prototype", 0, 1, true, DS_TOUCH_FACTS,
                        "Find out whether a working prototype exists", ""},
};

static const char *const measurable_keys[4] = {"annual_benefit", "cost", "payback_months",
                                               "confidence"};
static const char *const measurable_words[4] = {"annual benefit", "cost", "payback", "confidence"};

/* ---- settings ---- */

static int section_load(ds_question_settings *s, const ds_params *p, char *err, size_t errlen) {
    s->min_swing = DS_QUESTION_MIN_SWING;
    s->max_questions = DS_QUESTION_MAX;
    s->max_candidates = DS_QUESTION_MAX_CANDIDATES;
    const cJSON *section = cJSON_GetObjectItemCaseSensitive(p->json, "questions");
    if (!section) return 0;
    if (!cJSON_IsObject(section)) {
        snprintf(err, errlen, "model key questions: not an object");
        return -1;
    }
    const cJSON *min = cJSON_GetObjectItemCaseSensitive(section, "min_swing");
    if (min) {
        if (!cJSON_IsNumber(min) || !isfinite(min->valuedouble)) {
            snprintf(err, errlen, "model key questions.min_swing: not a number");
            return -1;
        }
        s->min_swing = min->valuedouble;
    }
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(section, "max_questions");
    if (max) {
        if (!cJSON_IsNumber(max) || max->valuedouble < 0 || max->valuedouble > 1000) {
            snprintf(err, errlen, "model key questions.max_questions: not a number in 0..1000");
            return -1;
        }
        s->max_questions = (int)max->valuedouble;
    }
    const cJSON *cand = cJSON_GetObjectItemCaseSensitive(section, "max_candidates");
    if (cand) {
        if (!cJSON_IsNumber(cand) || cand->valuedouble < 0 || cand->valuedouble > 100000) {
            snprintf(err, errlen, "model key questions.max_candidates: not a number in 0..100000");
            return -1;
        }
        s->max_candidates = (int)cand->valuedouble;
    }
    const cJSON *exact = cJSON_GetObjectItemCaseSensitive(section, "exact");
    if (exact) {
        if (!cJSON_IsBool(exact)) {
            snprintf(err, errlen, "model key questions.exact: not true or false");
            return -1;
        }
        s->exact = cJSON_IsTrue(exact);
    }
    return 0;
}

/* The weights of the screen: the model's "policy" section where it has them (a
 * team's policy may weigh otherwise; the screen only orders the answers). */
static void screen_load(ds_question_screen *w, const ds_params *p) {
    static const struct {
        const char *key;
        double fallback; /* SCORING.md section 4 */
        size_t offset;
    } keys[] = {
        {"value_capability", 0.35, offsetof(ds_question_screen, value[0])},
        {"value_strategic", 0.35, offsetof(ds_question_screen, value[1])},
        {"value_measurable", 0.30, offsetof(ds_question_screen, value[2])},
        {"friction_it_resistance", 0.6, offsetof(ds_question_screen, friction[0])},
        {"friction_user_threat", 0.4, offsetof(ds_question_screen, friction[1])},
        {"friction_scale", 0.5, offsetof(ds_question_screen, friction_scale)},
        {"support_base", 0.6, offsetof(ds_question_screen, support_base)},
        {"support_push_back", 0.25, offsetof(ds_question_screen, support_push_back)},
    };
    const cJSON *policy = cJSON_GetObjectItemCaseSensitive(p->json, "policy");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(policy, keys[i].key);
        *(double *)((char *)w + keys[i].offset) =
            cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : keys[i].fallback;
    }
}

int ds_question_settings_load(ds_question_settings *s, const ds_params *p, char *err,
                              size_t errlen) {
    memset(s, 0, sizeof *s);
    if (section_load(s, p, err, errlen) < 0) return -1;
    screen_load(&s->screen, p);
    return s->exact ? 0 : ds_action_settings_load(&s->actions, p, err, errlen);
}

/* ---- the budget and the screen ---- */

int ds_question_run_budget(const ds_deal *d, const ds_question_settings *s, int analysed,
                           ds_arena *a) {
    ds_arena_mark mark = ds_arena_mark_now(a);
    ds_action *items;
    int n = ds_action_catalogue(d, &s->actions, a, &items);
    ds_arena_release(a, mark);
    if (n < 0) return -1;
    if (n > s->actions.max_candidates) n = s->actions.max_candidates;
    /* less the run that noted the policy's reads, and the analyses of the copies */
    n -= 1 + (analysed + DS_QUESTION_ANALYSES_PER_RUN - 1) / DS_QUESTION_ANALYSES_PER_RUN;
    return n > DS_QUESTION_MIN_RUNS ? n : DS_QUESTION_MIN_RUNS;
}

double ds_question_screen_viability(const ds_analysis *an, const ds_question_screen *w) {
    const ds_score *sc = an->scores;
    double value = w->value[0] * sc[DS_CAPABILITY_ROI].value +
                   w->value[1] * sc[DS_STRATEGIC_ROI].value +
                   w->value[2] * sc[DS_MEASURABLE_ROI].value;
    double friction =
        w->friction[0] * sc[DS_IT_RESISTANCE].value + w->friction[1] * sc[DS_USER_THREAT].value;
    return value * (1 - w->friction_scale * friction / 100) *
           (w->support_base + w->support_push_back * an->push_back);
}

double ds_question_screen_move(const ds_analysis *copy, const ds_analysis *base,
                               double base_viability, const ds_question_screen *w) {
    for (int k = 0; k < DS_NSCORES; k++)
        if (copy->scores[k].value != base->scores[k].value)
            return fabs(ds_question_screen_viability(copy, w) - base_viability);
    return DS_QUESTION_SCREEN_RULE * fabs(base_viability);
}

/* ---- what the deal gives ---- */

/* The member at a dotted key ("benefits.work") of obj, or NULL. */
static const cJSON *member_at(const cJSON *obj, const char *key) {
    const char *dot = strchr(key, '.');
    if (!dot) return cJSON_GetObjectItemCaseSensitive(obj, key);
    char head[32];
    size_t n = (size_t)(dot - key);
    if (n >= sizeof head) return NULL;
    memcpy(head, key, n);
    head[n] = '\0';
    const cJSON *inner = cJSON_GetObjectItemCaseSensitive(obj, head);
    return cJSON_IsObject(inner) ? cJSON_GetObjectItemCaseSensitive(inner, dot + 1) : NULL;
}

/* Whether owner (a stakeholder's or the solution's JSON, NULL when absent) gives
 * the field. A value the input marks as inferred is a guess: not given. */
static bool given(const cJSON *owner, const ds_inferred *inferred, int n_inferred,
                  const char *key) {
    return owner && member_at(owner, key) != NULL && !ds_inferred_source(inferred, n_inferred, key);
}

/* ---- the list ---- */

typedef struct list {
    ds_question *items;
    int n;
    ds_arena *arena;
} list;

static ds_question *push(list *l, int field, int who) {
    const field_info *f = &fields[field];
    ds_question *q = &l->items[l->n++];
    *q = (ds_question){.field = field,
                       .who = who,
                       .touch = f->touch,
                       .before = f->before,
                       .after = f->after,
                       .ends = {{f->lo}, {f->hi}}};
    return q;
}

/* The measurable case at both ends: the parts not given at their worst and their
 * best plausible values, the parts given as they are. */
static void measurable_ends(ds_question *q, const ds_deal *d, const ds_params *p) {
    const ds_solution *s = &d->solution;
    double benefit = s->annual_benefit, cost = s->cost;
    for (int e = 0; e < 2; e++) {
        double *v = q->ends[e];
        v[1] = cost;
        if ((q->parts & DS_Q_COST) && (q->parts & DS_Q_ANNUAL_BENEFIT))
            v[1] = d->has_amount && d->amount > 0 ? d->amount : 1;
        else if (q->parts & DS_Q_COST) /* break even over the horizon, or a tenth */
            v[1] = benefit <= 0 ? 1 : e ? benefit / BENEFIT_TIMES_COST : benefit * p->horizon_years;
        v[0] = (q->parts & DS_Q_ANNUAL_BENEFIT) ? e * BENEFIT_TIMES_COST * v[1] : benefit;
        v[2] = (q->parts & DS_Q_PAYBACK_MONTHS)
                   ? (e ? p->payback_limit_months : PAYBACK_TIMES_LIMIT * p->payback_limit_months)
                   : s->payback_months;
        v[3] = (q->parts & DS_Q_CONFIDENCE) ? e : s->confidence;
    }
}

/* "Find out the measurable case (annual benefit, cost)": the parts not given. */
static const char *measurable_before(ds_arena *a, unsigned parts) {
    char text[128] = "Find out the measurable case (";
    const char *sep = "";
    for (int k = 0; k < 4; k++) {
        if (!(parts & (1u << k))) continue;
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", sep, measurable_words[k]);
        sep = ", ";
    }
    return ds_arena_printf(a, "%s)", text);
}

static void list_solution(list *l, const ds_deal *d, const ds_params *p) {
    static const char *const parts_at[4] = {"measurable.annual_benefit", "measurable.cost",
                                            "measurable.payback_months", "measurable.confidence"};
    const cJSON *sol = cJSON_GetObjectItemCaseSensitive(d->json, "solution");
    if (!cJSON_IsObject(sol)) sol = NULL;
    const ds_inferred *inf = d->solution.inferred;
    int n_inf = d->solution.n_inferred;
    for (int f = DS_Q_FOR_IT; f < DS_Q_NFIELDS; f++) {
        if (f != DS_Q_MEASURABLE) {
            if (!given(sol, inf, n_inf, fields[f].key)) push(l, f, -1);
            continue;
        }
        unsigned parts = 0;
        for (int k = 0; k < 4; k++)
            if (!given(sol, inf, n_inf, parts_at[k])) parts |= 1u << k;
        if (!parts) continue;
        ds_question *q = push(l, f, -1);
        q->parts = parts;
        q->before = measurable_before(l->arena, parts);
        measurable_ends(q, d, p);
    }
}

static void list_stakeholder(list *l, const ds_stakeholder *s, int i, const cJSON *json) {
    for (int f = 0; f < DS_Q_FOR_IT; f++)
        if (!given(json, s->inferred, s->n_inferred, fields[f].key)) push(l, f, i);
}

int ds_question_list(const ds_deal *d, const ds_params *p, ds_arena *a, ds_question **out) {
    *out = NULL;
    if (!d->json) return 0;
    int cap = DS_Q_NFIELDS - DS_Q_FOR_IT + DS_Q_FOR_IT * d->n_stakeholders;
    list l = {ds_arena_alloc(a, sizeof(ds_question) * (size_t)cap), 0, a};
    if (!l.items) return -1;
    list_solution(&l, d, p);
    const cJSON *people = cJSON_GetObjectItemCaseSensitive(d->json, "stakeholders");
    const cJSON *json = cJSON_IsArray(people) ? people->child : NULL;
    for (int i = 0; i < d->n_stakeholders; i++, json = json ? json->next : NULL)
        list_stakeholder(&l, &d->stakeholders[i], i, json);
    for (int k = 0; k < l.n; k++)
        if (!l.items[k].before) return -1; /* a refused allocation */
    *out = l.items;
    return l.n;
}

/* ---- a bound, for large committees ---- */

typedef struct ranked {
    int tier; /* 3 the solution, 2 a decision maker, 1 another key stakeholder
               * (champions, sponsors), 0 anyone else: whom policies' rules read */
    double weight;
    int at;
} ranked;

static int by_tier_weight(const void *x, const void *y) {
    const ranked *a = x, *b = y;
    if (a->tier != b->tier) return b->tier - a->tier;
    if (a->weight != b->weight) return a->weight > b->weight ? -1 : 1;
    return a->at - b->at;
}

int ds_question_prune(ds_question *qs, int n, const ds_deal *d, const double *weight, int max,
                      ds_arena *a) {
    if (n <= max) return n;
    ranked *order = ds_arena_alloc_raw(a, sizeof(ranked) * (size_t)n);
    unsigned char *keep = ds_arena_alloc(a, (size_t)n);
    if (!order || !keep) return -1;
    for (int i = 0; i < n; i++) {
        int who = qs[i].who;
        unsigned sets = who < 0 ? 0 : d->stakeholders[who].sets;
        int tier = who < 0 ? 3 : sets & DS_SET_DECIDERS ? 2 : sets & DS_SET_KEY ? 1 : 0;
        order[i] = (ranked){tier, who < 0 ? 0 : weight[who], i};
    }
    qsort(order, (size_t)n, sizeof *order, by_tier_weight);
    for (int i = 0; i < max; i++) keep[order[i].at] = 1;
    int kept = 0;
    for (int i = 0; i < n; i++)
        if (keep[i]) qs[kept++] = qs[i];
    return kept;
}

/* ---- answers ---- */

static void set_stakeholder(ds_stakeholder *s, int field, double v) {
    switch (field) {
    case DS_Q_INFLUENCE:
        s->influence = v;
        break;
    case DS_Q_STANCE:
        s->stance = v;
        break;
    case DS_Q_BENEFIT_WORK:
        s->benefit_work = v;
        break;
    case DS_Q_BENEFIT_CAREER:
        s->benefit_career = v;
        break;
    case DS_Q_CONVINCED_CAPABILITY:
        s->convinced[DS_CAPABILITY_CASE] = v != 0;
        break;
    case DS_Q_CONVINCED_STRATEGIC:
        s->convinced[DS_STRATEGIC_CASE] = v != 0;
        break;
    case DS_Q_CONVINCED_MEASURABLE:
        s->convinced[DS_MEASURABLE_CASE] = v != 0;
        break;
    case DS_Q_AI_INTEREST:
        s->ai_interest = v;
        break;
    case DS_Q_BURDEN:
        s->burden = v;
        break;
    case DS_Q_CREDIBILITY_THREAT:
        s->credibility_threat = v;
        break;
    }
}

static void set_solution(ds_solution *s, int field, double v) {
    switch (field) {
    case DS_Q_FOR_IT:
        s->for_it = v != 0;
        break;
    case DS_Q_CAPABILITY:
        s->capability = v;
        break;
    case DS_Q_STRATEGIC:
        s->strategic = v;
        break;
    case DS_Q_IT_WORKLOAD:
        s->it_workload = v;
        break;
    case DS_Q_IT_BURDEN_FRAMED:
        s->it_burden_framed = v != 0;
        break;
    case DS_Q_IT_CAREER:
        s->it_career = v;
        break;
    case DS_Q_IN_HOUSE_ALTERNATIVE:
        s->in_house_alternative = v;
        break;
    case DS_Q_DATA_READINESS:
        s->data_readiness = v;
        break;
    case DS_Q_SECURITY_RISK:
        s->security_risk = v;
        break;
    case DS_Q_USER_CHANGE:
        s->user_change = v;
        break;
    case DS_Q_USER_TRANSPARENCY:
        s->user_transparency = v;
        break;
    case DS_Q_USER_BENEFIT:
        s->user_benefit = v;
        break;
    case DS_Q_USERS_CONSULTED:
        s->users_consulted = v != 0;
        break;
    case DS_Q_PROTOTYPE:
        s->prototype = v != 0;
        break;
    }
}

static void set_measurable(ds_solution *s, const ds_question *q, int end) {
    const double *v = q->ends[end];
    s->has_measurable = true;
    s->annual_benefit = v[0];
    s->cost = v[1];
    s->payback_months = v[2];
    s->confidence = v[3];
    if (q->parts & DS_Q_COST) s->has_cost = true;
    if (q->parts & DS_Q_PAYBACK_MONTHS) s->has_payback = true;
}

int ds_question_apply(const ds_deal *base, const ds_question *q, int end, ds_arena *a,
                      ds_deal *copy) {
    *copy = *base;
    if (q->who < 0) {
        if (q->field == DS_Q_MEASURABLE)
            set_measurable(&copy->solution, q, end);
        else
            set_solution(&copy->solution, q->field, q->ends[end][0]);
        return memcmp(&copy->solution, &base->solution, sizeof base->solution) != 0;
    }
    ds_stakeholder changed = base->stakeholders[q->who];
    set_stakeholder(&changed, q->field, q->ends[end][0]);
    if (memcmp(&changed, &base->stakeholders[q->who], sizeof changed) == 0) return 0;
    size_t size = sizeof(ds_stakeholder) * (size_t)base->n_stakeholders;
    ds_stakeholder *people = ds_arena_alloc_raw(a, size);
    if (!people) return -1;
    memcpy(people, base->stakeholders, size);
    people[q->who] = changed;
    copy->stakeholders = people;
    return 1;
}

/* The shortest text that reads back as the same double. */
static void write_double(ds_buf *b, double v) {
    char text[32];
    if (v == floor(v) && fabs(v) < 1e15) { /* amounts: 800000, not 8e+05 */
        ds_buf_printf(b, "%.0f", v == 0 ? 0.0 : v);
        return;
    }
    /* A value with a shortest form of up to 15 digits prints as that form at 15
     * (%g drops the trailing zeros): one try for almost every answer. */
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, v);
        if (strtod(text, NULL) == v) break;
    }
    ds_buf_puts(b, text);
}

void ds_question_write_answer(ds_buf *b, const ds_deal *d, const ds_question *q, int end) {
    (void)d;
    if (q->field != DS_Q_MEASURABLE) {
        if (fields[q->field].boolean)
            ds_buf_puts(b, q->ends[end][0] != 0 ? "true" : "false");
        else
            write_double(b, q->ends[end][0]);
        return;
    }
    const char *sep = "{";
    for (int k = 0; k < 4; k++) {
        if (!(q->parts & (1u << k))) continue;
        ds_buf_puts(b, sep);
        ds_buf_json_string(b, measurable_keys[k]);
        ds_buf_putc(b, ':');
        write_double(b, q->ends[end][k]);
        sep = ",";
    }
    ds_buf_putc(b, '}');
}

void ds_question_path(const ds_question *q, char *out, size_t len) {
    if (q->who < 0)
        snprintf(out, len, "$.solution.%s", fields[q->field].key);
    else
        snprintf(out, len, "$.stakeholders[%d].%s", q->who, fields[q->field].key);
}

void ds_question_write_words(ds_buf *b, const ds_deal *d, const ds_question *q) {
    ds_buf_puts(b, q->before);
    if (q->who >= 0) {
        const ds_stakeholder *s = &d->stakeholders[q->who];
        ds_buf_puts(b, s->name ? s->name : s->id);
        if (s->title) ds_buf_printf(b, " (%s)", s->title);
    }
    ds_buf_puts(b, q->after);
}

int ds_question_worse_end(const ds_question *q) {
    return q->viability[1] < q->viability[0] ? 1 : 0;
}

/* ---- ranking ---- */

static int by_swing(const void *x, const void *y) {
    const ds_question *a = x, *b = y;
    /* by the swing shown (two decimals), so that the list reads as sorted */
    double sa = ds_round(a->swing, 2), sb = ds_round(b->swing, 2);
    if (sa != sb) return sa > sb ? -1 : 1;
    if (a->who != b->who) return a->who < b->who ? -1 : 1;
    return a->field < b->field ? -1 : a->field > b->field;
}

int ds_question_rank(ds_question *qs, int n, double min_swing, int max) {
    if (n <= 0) return 0;
    qsort(qs, (size_t)n, sizeof *qs, by_swing);
    int kept = 0;
    while (kept < n && kept < max && qs[kept].swing > min_swing) kept++;
    return kept;
}
