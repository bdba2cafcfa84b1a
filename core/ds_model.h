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

typedef struct ds_params {
    char name[64];
    int version;
    char label[80]; /* "name@version", as results print it */

    /* defaults for missing optional fields (SCORING.md section 1) */
    double d_influence, d_stance, d_benefits, d_ai_interest, d_burden;
    double d_credibility_threat_it, d_credibility_threat_other;
    double d_capability, d_strategic, d_it_workload, d_it_career, d_in_house_alternative;
    double d_data_readiness, d_security_risk, d_user_change, d_user_transparency;
    double d_user_benefit, d_strength;

    /* below this coverage a deal gets the warning low_coverage (SCORING.md v1.1) */
    double coverage_min;

    /* graph (section 2) */
    double upward_voice, susceptibility[DS_NLEVELS];
    double stance_tolerance, stance_max_rounds;
    double influence_blend, pagerank_damping, pagerank_tolerance, pagerank_max_rounds;

    /* engagement and the scores (section 3) */
    double stale_half_life_days, stale_warning_days;
    double cap_base, cap_conviction;
    double strat_base, strat_conviction, strat_executive;
    double meas_base, meas_conviction, horizon_years, payback_limit_months;
    double it_threat, it_load, it_concern, it_opposition, threat_base, threat_in_house;
    double concern_data, concern_security, unmapped_concern;
    double mit_it_champion, it_champion_ai_interest, mit_workload_relief, relief_framed;
    double relief_unframed, mit_career, mit_push_back, push_back_strategic;
    double push_back_measurable, mitigation_max, it_first, it_strategic_first;
    double ut_transparency, ut_change, ut_benefit, ut_opposition, ut_consulted;
    double ut_user_champion, ut_user_champion_stance;

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
