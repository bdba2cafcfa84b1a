/* ds_action.h: next best actions (SCORING.md section 6) as changes to a copy of a deal.
 *
 * The catalogue lists what a seller could do on this deal ("convince the CFO of the
 * strategic case", "recruit the Head of Data as IT champion"); each action is
 * applied to a copy of the decoded deal, never to the deal itself, so the caller
 * can analyse the copy and run the same policy on it. Unchanged arrays are shared
 * with the base deal. An action also says what it touches, so the caller knows
 * which parts of the base analysis still hold (ds_analyse_derived).
 *
 * A policy may add actions of its own as declarative changes (a cJSON patch,
 * docs/policies.md "actions"): those are merged into the deal's JSON and decoded
 * again, so they are validated exactly like input. Ranking keeps the gains above
 * the model's min_gain, best first, ties by name. */
#ifndef DS_ACTION_H
#define DS_ACTION_H

#include <cjson/cJSON.h>

#include "ds_arena.h"
#include "ds_deal.h"
#include "ds_model.h"

/* actions.max_candidates when the model does not say */
#define DS_ACTION_MAX_CANDIDATES 64

/* the model's "actions" section */
typedef struct ds_action_settings {
    double recruit_stance, recruit_ai_interest, relate_strength;
    double engage_buyer_stance, consult_users_benefit, min_gain;
    int max_actions;
    int max_candidates; /* catalogue actions tried per deal at most */
} ds_action_settings;

enum ds_action_kind {
    DS_ACT_CONVINCE,
    DS_ACT_RECRUIT_IT_CHAMPION,
    DS_ACT_RELATE,
    DS_ACT_FRAME_IT_WORKLOAD,
    DS_ACT_CONSULT_USERS,
    DS_ACT_ENGAGE_BUYER,
    DS_ACT_PROTOTYPE,
    DS_ACT_CUSTOM /* from the policy: changes applied to the deal's JSON */
};

/* What an action changes, from least to most of the analysis to redo. */
enum ds_action_touch {
    DS_TOUCH_FACTS,     /* solution or convictions: the whole graph still holds */
    DS_TOUCH_STANCE,    /* stated stances: predicted stances change, ranks and ties hold */
    DS_TOUCH_INFLUENCE, /* stated influence: effective influence changes, the rest holds */
    DS_TOUCH_GRAPH      /* relationships or stakeholders: everything changes */
};

typedef struct ds_action {
    const char *name;     /* "convince:okafor:capability" */
    const char *target;   /* stakeholder id(s), comma separated, or NULL */
    int kind;             /* ds_action_kind */
    int who, other;       /* stakeholder indexes, -1 when unused */
    int aspect;           /* ds_conviction, for convince */
    int touch;            /* ds_action_touch */
    const cJSON *changes; /* DS_ACT_CUSTOM only; not owned */
    double gain;          /* filled in by the caller */
} ds_action;

/* Reads the "actions" section of the model; -1 with a message naming the key. */
int ds_action_settings_load(ds_action_settings *s, const ds_params *p, char *err, size_t errlen);

/* Lists the catalogue actions that change something on this deal, in catalogue
 * order. Returns the count, or -1 when the arena is exhausted. */
int ds_action_catalogue(const ds_deal *d, const ds_action_settings *s, ds_arena *a,
                        ds_action **out);

/* Keeps at most max of the catalogue's n actions, so --actions costs a bounded
 * multiple of a plain scoring whatever the committee's size: the actions about
 * the solution, then those about the stakeholders of most effective influence
 * (weight; for relate, the decision maker's), ties in catalogue order. The kept
 * actions stay in catalogue order. Returns the count kept, -1 on no memory. */
int ds_action_prune(ds_action *items, int n, const double *weight, int max, ds_arena *a);

/* Index of the best IT candidate for relate (highest ai_interest, then stated
 * stance, then the smallest id), or -1 without IT stakeholders. */
int ds_action_best_it(const ds_deal *d);

/* Applies one action to a copy of base. Custom actions are decoded again with p
 * (their errors name the action and the JSON path). Returns 0, or -1 with err. */
int ds_action_apply(const ds_deal *base, const ds_action *act, const ds_action_settings *s,
                    const ds_params *p, ds_arena *a, ds_deal *copy, ds_error *err);

/* Sorts by gain (best first, ties by name), keeps gains above min_gain, at most
 * max. Returns the number kept. */
int ds_action_rank(ds_action *acts, int n, double min_gain, int max);

#endif
