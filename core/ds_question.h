/* ds_question.h: the questions whose answers would move the verdict (the value of
 * information of discovery; docs/questions.md).
 *
 * A CRM export rarely says where a buyer stands or whether the champion is
 * convinced; those fields are defaulted, and the score is only as good as the
 * defaults. For every field counted in coverage that the input does not give
 * (absent, or marked as inferred), a question asks for it: the field is set to the
 * low and to the high end of its range on two copies of the deal, and the caller
 * re-scores both copies through the same model and policy
 * (bindings/lua/dsl_questions.c). The questions whose answers move viability most
 * are what the next meeting should find out. Copies share every array the
 * answer does not change, as next best actions do (ds_action.h). */
#ifndef DS_QUESTION_H
#define DS_QUESTION_H

#include "ds_action.h"
#include "ds_buf.h"
#include "ds_deal.h"

/* What a question asks for. Stakeholder fields first, then the solution's. */
enum ds_question_field {
    DS_Q_INFLUENCE,
    DS_Q_STANCE,
    DS_Q_BENEFIT_WORK,
    DS_Q_BENEFIT_CAREER,
    DS_Q_CONVINCED_CAPABILITY,
    DS_Q_CONVINCED_STRATEGIC,
    DS_Q_CONVINCED_MEASURABLE,
    DS_Q_AI_INTEREST,
    DS_Q_BURDEN,
    DS_Q_CREDIBILITY_THREAT,
    DS_Q_FOR_IT, /* the first solution field */
    DS_Q_CAPABILITY,
    DS_Q_STRATEGIC,
    DS_Q_MEASURABLE, /* the measurable case, its fields not given asked together */
    DS_Q_IT_WORKLOAD,
    DS_Q_IT_BURDEN_FRAMED,
    DS_Q_IT_CAREER,
    DS_Q_IN_HOUSE_ALTERNATIVE,
    DS_Q_DATA_READINESS,
    DS_Q_SECURITY_RISK,
    DS_Q_USER_CHANGE,
    DS_Q_USER_TRANSPARENCY,
    DS_Q_USER_BENEFIT,
    DS_Q_USERS_CONSULTED,
    DS_Q_PROTOTYPE,
    DS_Q_NFIELDS
};

/* the parts of the measurable case, as bits of ds_question.parts */
enum {
    DS_Q_ANNUAL_BENEFIT = 1,
    DS_Q_COST = 2,
    DS_Q_PAYBACK_MONTHS = 4,
    DS_Q_CONFIDENCE = 8,
};

/* the model's optional "questions" section */
typedef struct ds_question_settings {
    double min_swing; /* a question is asked only when its swing is above this */
    int max_questions;
    int max_candidates; /* questions answered per deal at most (ds_question_prune) */
} ds_question_settings;

#define DS_QUESTION_MIN_SWING 0.05
#define DS_QUESTION_MAX 5
/* A deal of eleven people of whom nothing is known has 125 questions: typical
 * deals are never pruned, a committee of hundreds is (docs/questions.md, "Cost"). */
#define DS_QUESTION_MAX_CANDIDATES 128

typedef struct ds_question {
    int field;      /* ds_question_field */
    int who;        /* stakeholder index, -1 for the solution */
    unsigned parts; /* DS_Q_MEASURABLE: the parts not given (DS_Q_ANNUAL_BENEFIT...) */
    int touch;      /* ds_action_touch: what of the analysis an answer changes */
    /* the answer at each end (0 low, 1 high): ends[e][0] for a one-field question
     * (booleans as 0 and 1); annual_benefit, cost, payback_months and confidence
     * for the measurable case (only its parts are written) */
    double ends[2][4];
    /* the question in words a seller acts on: before + the stakeholder ("Name
     * (Title)", written by the caller, who knows how to show it) + after; a
     * solution question has no stakeholder and after is "" */
    const char *before, *after;
    /* filled in by the caller, per end of the range (0 low, 1 high) */
    double viability[2]; /* computed viability, before any override */
    const char *verdict[2];
    double swing; /* |viability[1] - viability[0]| */
} ds_question;

/* Reads the model's "questions" section (min_swing, max_questions,
 * max_candidates); without one,
 * the defaults above. Returns -1 with a message naming a key of the wrong type. */
int ds_question_settings_load(ds_question_settings *s, const ds_params *p, char *err,
                              size_t errlen);

/* Lists a question for every field counted in coverage that the deal does not give:
 * the solution's first, then each stakeholder's, in the order of ds_question_field.
 * A deal without its JSON gets none (what it gave is unknown). Returns the count,
 * or -1 when the arena is exhausted. */
int ds_question_list(const ds_deal *d, const ds_params *p, ds_arena *a, ds_question **out);

/* Keeps at most max questions, as next best actions keep their candidates
 * (ds_action_prune): those about the solution, then those about decision makers,
 * then other key stakeholders (champions, sponsors), then the rest (the people a
 * policy's rules read first), each group by the effective influence of whom it
 * asks about (weight[who]), ties in list order; what is kept stays in list order. Returns the number kept, or -1
 * when the arena is exhausted. */
int ds_question_prune(ds_question *qs, int n, const ds_deal *d, const double *weight, int max,
                      ds_arena *a);

/* Applies the answer at one end (0 low, 1 high) of the question's range to a copy
 * of base. The copy keeps base's coverage: an answer is hypothetical, and what is
 * known about the deal (coverage, low_coverage, insufficient_data) stays what the
 * input says. Returns 1, 0 when the answer is what the deal holds already (the
 * copy equals base), or -1 when the arena is exhausted. */
int ds_question_apply(const ds_deal *base, const ds_question *q, int end, ds_arena *a,
                      ds_deal *copy);

/* Where the answer goes, as a JSON path: "$.stakeholders[2].stance". */
void ds_question_path(const ds_question *q, char *out, size_t len);

/* Writes the answer at one end as the JSON value to put at the question's path: a number, a
 * boolean, or for the measurable case an object of the parts not given. */
void ds_question_write_answer(ds_buf *b, const ds_deal *d, const ds_question *q, int end);

/* The question in words, with the stakeholder as "Name (Title)" (or the id). */
void ds_question_write_words(ds_buf *b, const ds_deal *d, const ds_question *q);

/* The end (0 or 1) whose answer gives the lower viability (the low end on a tie). */
int ds_question_worse_end(const ds_question *q);

/* Sorts by swing to two decimals, as written (largest first; ties in the order of
 * ds_question_list), keeps
 * swings above min_swing, at most max. Returns the number kept. */
int ds_question_rank(ds_question *qs, int n, double min_swing, int max);

#endif
