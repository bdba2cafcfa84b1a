/* ds_score.h: the five core scores (SCORING.md section 3), with their factors.
 *
 * ds_analyse() runs the graph and computes capability ROI, strategic ROI,
 * measurable ROI, IT resistance and user threat. Each score carries a list of
 * additive factors whose effects sum to the score exactly (a clamp is a factor of
 * its own), so every number can be explained. Coverage and warnings come with it. */
#ifndef DS_SCORE_H
#define DS_SCORE_H

#include "ds_deal.h"
#include "ds_graph.h"

enum ds_score_id {
    DS_CAPABILITY_ROI,
    DS_STRATEGIC_ROI,
    DS_MEASURABLE_ROI,
    DS_IT_RESISTANCE,
    DS_USER_THREAT,
    DS_NSCORES
};

extern const char *const ds_score_names[DS_NSCORES];

typedef struct ds_factor {
    const char *factor; /* a stable name, e.g. "champion_conviction" */
    double effect;
    int stakeholder; /* index, or -1 */
    const char *detail;
} ds_factor;

typedef struct ds_score {
    double value;
    int n_factors, cap_factors;
    ds_factor *factors;
} ds_score;

typedef struct ds_analysis {
    const ds_deal *deal;
    const ds_params *params;
    ds_graph graph;
    double *engagement;   /* e_s per stakeholder */
    double conviction[3]; /* C_d, d = ds_conviction */
    double push_back;     /* B: weighted mean of max(0, x*) over D */
    ds_score scores[DS_NSCORES];
    double coverage;
    int n_warnings;
    const char **warnings;
    ds_arena *arena;
} ds_analysis;

/* Returns 0, or -1 when the arena is exhausted (err filled). */
int ds_analyse(ds_analysis *an, const ds_deal *d, const ds_params *p, ds_arena *a, ds_error *err);

/* Analyses a changed copy of base's deal, reusing what the change (ds_action_touch)
 * leaves as it was: the whole graph for changed facts, everything but predicted
 * stances for changed stated stances. Same result as ds_analyse, less work. */
int ds_analyse_derived(ds_analysis *an, const ds_deal *d, const ds_analysis *base, int touch,
                       ds_arena *a, ds_error *err);

/* Sum of a score's factor effects (equals value to rounding error). */
double ds_score_factor_sum(const ds_score *s);

#endif
