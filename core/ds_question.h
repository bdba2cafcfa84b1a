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
#include "ds_score.h"

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

/* The screen's stand-in for viability: SCORING.md section 4 before its rules,
 * value x (1 - friction_scale friction / 100) x (support_base + support_push_back B),
 * with the weights of the model's "policy" section (its defaults without one). */
typedef struct ds_question_screen {
    double value[3];    /* capability, strategic, measurable ROI */
    double friction[2]; /* IT resistance, user threat */
    double friction_scale, support_base, support_push_back;
} ds_question_screen;

/* the model's optional "questions" section */
typedef struct ds_question_settings {
    double min_swing; /* a question is asked only when its swing is above this */
    int max_questions;
    int max_candidates; /* questions answered per deal at most (ds_question_prune) */
    /* questions.exact: every answer decided by the policy, however many runs
     * that takes; false (the default): at most as many runs as next best
     * actions make on the deal (ds_question_run_budget) */
    bool exact;
    ds_action_settings actions; /* the catalogue the budget is counted from */
    ds_question_screen screen;
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
 * max_candidates, exact); without one, the defaults above. Unless exact, also
 * the "actions" section (the budget is what actions spend) and the screen's
 * weights. Returns -1 with a message naming a key of the wrong type. */
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
 * asks about (weight[who]), ties in list order; what is kept stays in list order. Returns the
 * number kept, or -1 when the arena is exhausted. */
int ds_question_prune(ds_question *qs, int n, const ds_deal *d, const double *weight, int max,
                      ds_arena *a);

/* How many policy runs the questions of a deal may make without questions.exact
 * (docs/questions.md, "Cost"): what next best actions spend on it, one run per
 * action of the catalogue within actions.max_candidates, less what the questions
 * spent already: the run that noted what the policy reads, and `analysed` copies
 * analysed (and compared) at DS_QUESTION_ANALYSES_PER_RUN a run; at least
 * DS_QUESTION_MIN_RUNS. Returns -1 when the arena is exhausted. */
int ds_question_run_budget(const ds_deal *d, const ds_question_settings *s, int analysed,
                           ds_arena *a);

/* Measured with callgrind on 200 deals thinned like a CRM export: a run of the
 * default policy costs about 74,000 instructions, the analysis of a question's
 * copy and its comparison with the deal about 5,000, and with the rest of the
 * questions' own work (the list, the screen, the budget) a tenth of a run per
 * copy is what keeps --questions within --actions (benchmarks/README.md). When
 * policy runs get cheaper, measure this again. */
#define DS_QUESTION_ANALYSES_PER_RUN 10
/* two questions' two ends: a deal with few actions (a small committee) still
 * gets the screen's best two questions answered */
#define DS_QUESTION_MIN_RUNS 4

/* The screen's estimate of an analysis' viability (ds_question_screen): the core
 * scores only, no policy. */
double ds_question_screen_viability(const ds_analysis *an, const ds_question_screen *w);

/* An answer that leaves the core scores as they were and still needs a run of
 * the policy changes a value a rule reads (a decision maker's benefits, a
 * champion's conviction): the screen counts it as moving viability by this
 * share, as the default policy's rules multiply it by 0.8 to 1.05. */
#define DS_QUESTION_SCREEN_RULE 0.1

/* How far the screen estimates an answer's copy moves viability from its deal's
 * (base_viability: the screen's viability of the deal): the difference of the
 * two screen viabilities, or DS_QUESTION_SCREEN_RULE of the deal's when the
 * copy's core scores are the deal's own. Answers that need a run of the policy
 * are tried in the order of their two ends' moves added up. */
double ds_question_screen_move(const ds_analysis *copy, const ds_analysis *base,
                               double base_viability, const ds_question_screen *w);

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
