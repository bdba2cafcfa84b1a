/* ds_model.h: the model's parameters (models/default.json).
 *
 * Every constant of SCORING.md is a named key of the model file, so a team can tune
 * the model without recompiling. The C core reads the keys it uses into ds_params;
 * the whole JSON document is kept so that policies can read the rest (the
 * "policy" and "actions" sections). A missing or mistyped key is an error that
 * names the key. */
#ifndef DS_MODEL_H
#define DS_MODEL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

enum {
    DS_LEVEL_C,
    DS_LEVEL_VP,
    DS_LEVEL_DIRECTOR,
    DS_LEVEL_HEAD,
    DS_LEVEL_MANAGER,
    DS_LEVEL_INDIVIDUAL,
    DS_LEVEL_MISSING,
    DS_NLEVELS
};

/* The model's constants, one line each: X(field, "json.key", "meaning"), and
 * XA(array, index, "json.key", "meaning") for an element of an array field. The
 * one list the ds_params fields, the loader's key table (ds_model.c) and the
 * table of docs/model-constants.md (tests/unit/gen_model_table.c, checked by a
 * test) are made from: adding a constant is a line here and its value in
 * models/default.json. */
#define DS_MODEL_CONSTANTS(X, XA)                                                                  \
    X(d_influence, "defaults.stakeholder.influence",                                               \
      "a stakeholder's influence when not given (0..1)")                                           \
    X(d_stance, "defaults.stakeholder.stance", "a stakeholder's stance when not given (-1..1)")    \
    X(d_benefits, "defaults.stakeholder.benefits",                                                 \
      "benefits.work and benefits.career when not given")                                          \
    X(d_ai_interest, "defaults.stakeholder.ai_interest", "ai_interest when not given")             \
    X(d_burden, "defaults.stakeholder.burden", "burden when not given")                            \
    X(d_credibility_threat_it, "defaults.stakeholder.credibility_threat_it",                       \
      "credibility_threat of an IT stakeholder when not given")                                    \
    X(d_credibility_threat_other, "defaults.stakeholder.credibility_threat_other",                 \
      "credibility_threat of anyone else when not given")                                          \
    X(d_capability, "defaults.solution.capability", "solution.capability when not given")          \
    X(d_strategic, "defaults.solution.strategic", "solution.strategic when not given")             \
    X(d_it_workload, "defaults.solution.it_workload",                                              \
      "solution.it_workload when not given (-1..1)")                                               \
    X(d_it_career, "defaults.solution.it_career", "solution.it_career when not given")             \
    X(d_in_house_alternative, "defaults.solution.in_house_alternative",                            \
      "solution.in_house_alternative when not given")                                              \
    X(d_data_readiness, "defaults.solution.data_readiness",                                        \
      "solution.data_readiness when not given")                                                    \
    X(d_security_risk, "defaults.solution.security_risk", "solution.security_risk when not given") \
    X(d_user_change, "defaults.solution.user_change", "solution.user_change when not given")       \
    X(d_user_transparency, "defaults.solution.user_transparency",                                  \
      "solution.user_transparency when not given")                                                 \
    X(d_user_benefit, "defaults.solution.user_benefit", "solution.user_benefit when not given")    \
    X(d_strength, "defaults.relationship_strength", "a relationship's strength when not given")    \
    X(coverage_min, "coverage_min", "below this coverage a deal gets the warning low_coverage")    \
    X(upward_voice, "graph.upward_voice",                                                          \
      "how much a manager listens to a report (reports_to, the other way)")                        \
    XA(susceptibility, DS_LEVEL_C, "graph.susceptibility.c_level",                                 \
       "Friedkin-Johnsen: how far a C-level's stance moves towards those they listen to")          \
    XA(susceptibility, DS_LEVEL_VP, "graph.susceptibility.vp", "susceptibility of a VP")           \
    XA(susceptibility, DS_LEVEL_DIRECTOR, "graph.susceptibility.director",                         \
       "susceptibility of a director")                                                             \
    XA(susceptibility, DS_LEVEL_HEAD, "graph.susceptibility.head", "susceptibility of a head")     \
    XA(susceptibility, DS_LEVEL_MANAGER, "graph.susceptibility.manager",                           \
       "susceptibility of a manager")                                                              \
    XA(susceptibility, DS_LEVEL_INDIVIDUAL, "graph.susceptibility.individual",                     \
       "susceptibility of an individual contributor")                                              \
    XA(susceptibility, DS_LEVEL_MISSING, "graph.susceptibility.missing",                           \
       "susceptibility when the level is not given")                                               \
    X(stance_tolerance, "graph.stance_tolerance",                                                  \
      "Friedkin-Johnsen stops when no stance moves by more")                                       \
    X(stance_max_rounds, "graph.stance_max_rounds", "Friedkin-Johnsen rounds at most")             \
    X(influence_blend, "graph.influence_blend",                                                    \
      "effective influence: this share of the given influence, the rest PageRank")                 \
    X(pagerank_damping, "graph.pagerank_damping", "PageRank's damping factor")                     \
    X(pagerank_tolerance, "graph.pagerank_tolerance",                                              \
      "PageRank stops when the ranks move by less in all")                                         \
    X(pagerank_max_rounds, "graph.pagerank_max_rounds", "PageRank rounds at most")                 \
    X(stale_half_life_days, "engagement.stale_half_life_days",                                     \
      "days after the last contact at which engagement halves")                                    \
    X(stale_warning_days, "engagement.stale_warning_days",                                         \
      "days without contact that give the warning stale:<id>")                                     \
    X(cap_base, "capability_roi.base", "capability ROI: weight of the solution's capability")      \
    X(cap_conviction, "capability_roi.conviction",                                                 \
      "capability ROI: weight of the key people convinced of it")                                  \
    X(strat_base, "strategic_roi.base", "strategic ROI: weight of the solution's strategic fit")   \
    X(strat_conviction, "strategic_roi.conviction",                                                \
      "strategic ROI: weight of the key people convinced of it")                                   \
    X(strat_executive, "strategic_roi.executive", "strategic ROI: weight of executive backing")    \
    X(meas_base, "measurable_roi.base", "measurable ROI: weight of the business case")             \
    X(meas_conviction, "measurable_roi.conviction",                                                \
      "measurable ROI: weight of the key people convinced of it")                                  \
    X(horizon_years, "measurable_roi.horizon_years",                                               \
      "years of annual benefit set against the cost")                                              \
    X(payback_limit_months, "measurable_roi.payback_limit_months",                                 \
      "a payback within this many months counts fully, a longer one scales the case down")         \
    X(it_threat, "it_resistance.threat",                                                           \
      "IT resistance: weight of IT's threat (credibility_threat)")                                 \
    X(it_load, "it_resistance.load",                                                               \
      "IT resistance: weight of the workload on IT (burden, it_workload)")                         \
    X(it_concern, "it_resistance.concern",                                                         \
      "IT resistance: weight of the concern (data readiness, security risk)")                      \
    X(it_opposition, "it_resistance.opposition",                                                   \
      "IT resistance: weight of IT stakeholders' predicted opposition")                            \
    X(threat_base, "it_resistance.threat_base", "IT's threat: the share that is there anyway")     \
    X(threat_in_house, "it_resistance.threat_in_house",                                            \
      "IT's threat: weight of solution.in_house_alternative")                                      \
    X(concern_data, "it_resistance.concern_data",                                                  \
      "concern: weight of 1 - solution.data_readiness")                                            \
    X(concern_security, "it_resistance.concern_security",                                          \
      "concern: weight of solution.security_risk")                                                 \
    X(unmapped_concern, "it_resistance.unmapped_concern",                                          \
      "IT resistance from the concern alone when no IT stakeholder is known")                      \
    X(mit_it_champion, "it_resistance.it_champion", "mitigation: an IT champion")                  \
    X(it_champion_ai_interest, "it_resistance.it_champion_ai_interest",                            \
      "an IT champion counts only with this ai_interest or more")                                  \
    X(mit_workload_relief, "it_resistance.workload_relief",                                        \
      "mitigation: weight of workload relief (a negative it_workload)")                            \
    X(relief_framed, "it_resistance.relief_framed",                                                \
      "workload relief counted when framed for IT (it_burden_framed)")                             \
    X(relief_unframed, "it_resistance.relief_unframed",                                            \
      "workload relief counted when not framed for IT")                                            \
    X(mit_career, "it_resistance.career", "mitigation: weight of solution.it_career")              \
    X(mit_push_back, "it_resistance.push_back",                                                    \
      "mitigation: weight of the buyers' push-back on IT")                                         \
    X(push_back_strategic, "it_resistance.push_back_strategic",                                    \
      "the buyers' push-back mitigates only at this strategic ROI or above")                       \
    X(push_back_measurable, "it_resistance.push_back_measurable",                                  \
      "... and at this measurable ROI or above")                                                   \
    X(mitigation_max, "it_resistance.mitigation_max",                                              \
      "mitigations together remove at most this share")                                            \
    X(it_first, "it_resistance.it_first",                                                          \
      "IT resistance added, as a share of the rest, when IT was approached before anyone who can " \
      "buy")                                                                                       \
    X(it_strategic_first, "it_resistance.it_strategic_first",                                      \
      "IT resistance taken off, as a share of the rest, when IT's strategic lead was approached "  \
      "first on a solution for IT")                                                                \
    X(ut_transparency, "user_threat.transparency",                                                 \
      "user threat: weight of solution.user_transparency")                                         \
    X(ut_change, "user_threat.change", "user threat: weight of solution.user_change")              \
    X(ut_benefit, "user_threat.benefit", "user threat: weight of the users' missing benefit")      \
    X(ut_opposition, "user_threat.opposition",                                                     \
      "user threat: weight of users' predicted opposition")                                        \
    X(ut_consulted, "user_threat.consulted",                                                       \
      "user threat taken off, as a share, when users were consulted")                              \
    X(ut_user_champion, "user_threat.user_champion",                                               \
      "user threat taken off, as a share, by a user champion")                                     \
    X(ut_user_champion_stance, "user_threat.user_champion_stance",                                 \
      "a user champion needs a predicted stance above this")

typedef struct ds_params {
    char name[64];
    int version;
    char label[80]; /* "name@version", as results print it */

    /* the constants: defaults of section 1 (d_*), coverage_min (v1.1), the graph
     * (section 2), engagement and the scores (section 3) */
#define DS_PARAM_FIELD(field, key, meaning) double field;
#define DS_PARAM_ELEMENT(array, index, key, meaning)
    DS_MODEL_CONSTANTS(DS_PARAM_FIELD, DS_PARAM_ELEMENT)
#undef DS_PARAM_FIELD
#undef DS_PARAM_ELEMENT
    double susceptibility[DS_NLEVELS]; /* by ds_level: XA(susceptibility, ...) */

    /* optional "calibration" section, written by `dealscore backtest --calibrate`:
     * win probability = 1 / (1 + exp(-(a x viability + b))), for the policy named */
    bool has_calibration;
    double cal_a, cal_b;
    char cal_policy[128]; /* "name@version" it was fitted for; "" applies to any */

    cJSON *json; /* the whole model document, owned */
} ds_params;

/* Loads a model from JSON text. On error returns -1 and writes a message naming
 * the key (e.g. "model key graph.upward_voice: missing") into err. */
int ds_params_load(ds_params *p, const char *text, const char *source, char *err, size_t errlen);
int ds_params_load_file(ds_params *p, const char *path, char *err, size_t errlen);
void ds_params_free(ds_params *p);

/* The calibrated win probability of a viability scored by `policy` ("name@version").
 * Returns false when the model has no calibration or it was fitted for another
 * policy (a mapping fitted on one policy's viability means nothing for another's). */
bool ds_params_win_probability(const ds_params *p, const char *policy, double viability,
                               double *out);

#endif
