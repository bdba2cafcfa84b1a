/* ds_model.c: loads model parameters by name from the model JSON; see ds_model.h.
 *
 * One table maps each dotted key to its slot in ds_params, so adding a constant is
 * one line here and one in models/default.json. */
#include "ds_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *key;
    size_t offset;
} param_slot;

#define P(key, field)                                                                              \
    { key, offsetof(ds_params, field) }

static const param_slot slots[] = {
    P("defaults.stakeholder.influence", d_influence),
    P("defaults.stakeholder.stance", d_stance),
    P("defaults.stakeholder.benefits", d_benefits),
    P("defaults.stakeholder.ai_interest", d_ai_interest),
    P("defaults.stakeholder.burden", d_burden),
    P("defaults.stakeholder.credibility_threat_it", d_credibility_threat_it),
    P("defaults.stakeholder.credibility_threat_other", d_credibility_threat_other),
    P("defaults.solution.capability", d_capability),
    P("defaults.solution.strategic", d_strategic),
    P("defaults.solution.it_workload", d_it_workload),
    P("defaults.solution.it_career", d_it_career),
    P("defaults.solution.in_house_alternative", d_in_house_alternative),
    P("defaults.solution.data_readiness", d_data_readiness),
    P("defaults.solution.security_risk", d_security_risk),
    P("defaults.solution.user_change", d_user_change),
    P("defaults.solution.user_transparency", d_user_transparency),
    P("defaults.solution.user_benefit", d_user_benefit),
    P("defaults.relationship_strength", d_strength),
    P("coverage_min", coverage_min),
    P("graph.upward_voice", upward_voice),
    P("graph.susceptibility.c_level", susceptibility[DS_LEVEL_C]),
    P("graph.susceptibility.vp", susceptibility[DS_LEVEL_VP]),
    P("graph.susceptibility.director", susceptibility[DS_LEVEL_DIRECTOR]),
    P("graph.susceptibility.head", susceptibility[DS_LEVEL_HEAD]),
    P("graph.susceptibility.manager", susceptibility[DS_LEVEL_MANAGER]),
    P("graph.susceptibility.individual", susceptibility[DS_LEVEL_INDIVIDUAL]),
    P("graph.susceptibility.missing", susceptibility[DS_LEVEL_MISSING]),
    P("graph.stance_tolerance", stance_tolerance),
    P("graph.stance_max_rounds", stance_max_rounds),
    P("graph.influence_blend", influence_blend),
    P("graph.pagerank_damping", pagerank_damping),
    P("graph.pagerank_tolerance", pagerank_tolerance),
    P("graph.pagerank_max_rounds", pagerank_max_rounds),
    P("engagement.stale_half_life_days", stale_half_life_days),
    P("engagement.stale_warning_days", stale_warning_days),
    P("capability_roi.base", cap_base),
    P("capability_roi.conviction", cap_conviction),
    P("strategic_roi.base", strat_base),
    P("strategic_roi.conviction", strat_conviction),
    P("strategic_roi.executive", strat_executive),
    P("measurable_roi.base", meas_base),
    P("measurable_roi.conviction", meas_conviction),
    P("measurable_roi.horizon_years", horizon_years),
    P("measurable_roi.payback_limit_months", payback_limit_months),
    P("it_resistance.threat", it_threat),
    P("it_resistance.load", it_load),
    P("it_resistance.concern", it_concern),
    P("it_resistance.opposition", it_opposition),
    P("it_resistance.threat_base", threat_base),
    P("it_resistance.threat_in_house", threat_in_house),
    P("it_resistance.concern_data", concern_data),
    P("it_resistance.concern_security", concern_security),
    P("it_resistance.unmapped_concern", unmapped_concern),
    P("it_resistance.it_champion", mit_it_champion),
    P("it_resistance.it_champion_ai_interest", it_champion_ai_interest),
    P("it_resistance.workload_relief", mit_workload_relief),
    P("it_resistance.relief_framed", relief_framed),
    P("it_resistance.relief_unframed", relief_unframed),
    P("it_resistance.career", mit_career),
    P("it_resistance.push_back", mit_push_back),
    P("it_resistance.push_back_strategic", push_back_strategic),
    P("it_resistance.push_back_measurable", push_back_measurable),
    P("it_resistance.mitigation_max", mitigation_max),
    P("it_resistance.it_first", it_first),
    P("it_resistance.it_strategic_first", it_strategic_first),
    P("user_threat.transparency", ut_transparency),
    P("user_threat.change", ut_change),
    P("user_threat.benefit", ut_benefit),
    P("user_threat.opposition", ut_opposition),
    P("user_threat.consulted", ut_consulted),
    P("user_threat.user_champion", ut_user_champion),
    P("user_threat.user_champion_stance", ut_user_champion_stance),
};

/* Follows a dotted key through nested objects. */
static const cJSON *lookup(const cJSON *root, const char *key) {
    char part[64];
    const cJSON *node = root;
    while (node && *key) {
        size_t n = strcspn(key, ".");
        if (n >= sizeof part) return NULL;
        memcpy(part, key, n);
        part[n] = '\0';
        node = cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, part) : NULL;
        key += n + (key[n] == '.');
    }
    return node;
}

static int fail(char *err, size_t errlen, const char *source, const char *key, const char *why) {
    snprintf(err, errlen, "%s: model key %s: %s", source, key, why);
    return -1;
}

static int load_slots(ds_params *p, const char *source, char *err, size_t errlen) {
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        const cJSON *v = lookup(p->json, slots[i].key);
        if (!v) return fail(err, errlen, source, slots[i].key, "missing");
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return fail(err, errlen, source, slots[i].key, "not a number");
        *(double *)((char *)p + slots[i].offset) = v->valuedouble;
    }
    return 0;
}

/* The optional "calibration" section: absent is fine, malformed is an error. */
static int load_calibration(ds_params *p, const char *source, char *err, size_t errlen) {
    const cJSON *cal = cJSON_GetObjectItemCaseSensitive(p->json, "calibration");
    if (!cal) return 0;
    if (!cJSON_IsObject(cal)) return fail(err, errlen, source, "calibration", "not an object");
    static const char *const keys[] = {"a", "b"};
    double *dst[] = {&p->cal_a, &p->cal_b};
    for (int i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cal, keys[i]);
        char key[32];
        snprintf(key, sizeof key, "calibration.%s", keys[i]);
        if (!v) return fail(err, errlen, source, key, "missing");
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return fail(err, errlen, source, key, "not a number");
        *dst[i] = v->valuedouble;
    }
    const cJSON *policy = cJSON_GetObjectItemCaseSensitive(cal, "policy");
    if (policy && (!cJSON_IsString(policy) || strlen(policy->valuestring) >= sizeof p->cal_policy))
        return fail(err, errlen, source, "calibration.policy", "not a short string");
    snprintf(p->cal_policy, sizeof p->cal_policy, "%s", policy ? policy->valuestring : "");
    p->has_calibration = true;
    return 0;
}

bool ds_params_win_probability(const ds_params *p, const char *policy, double viability,
                               double *out) {
    if (!p->has_calibration) return false;
    if (p->cal_policy[0] && (!policy || strcmp(p->cal_policy, policy) != 0)) return false;
    double t = p->cal_a * viability + p->cal_b;
    *out = t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t));
    return true;
}

int ds_params_load(ds_params *p, const char *text, const char *source, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    p->json = cJSON_Parse(text);
    if (!p->json) {
        const char *at = cJSON_GetErrorPtr();
        size_t offset = at && at >= text ? (size_t)(at - text) : 0;
        snprintf(err, errlen, "%s: not valid JSON (near byte %zu)", source, offset);
        return -1;
    }
    if (!cJSON_IsObject(p->json)) {
        ds_params_free(p);
        snprintf(err, errlen, "%s: a model is a JSON object", source);
        return -1;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(p->json, "name");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(p->json, "version");
    int rc = 0;
    if (!cJSON_IsString(name) || strlen(name->valuestring) >= sizeof p->name)
        rc = fail(err, errlen, source, "name", name ? "not a short string" : "missing");
    else if (!cJSON_IsNumber(version))
        rc = fail(err, errlen, source, "version", version ? "not a number" : "missing");
    else
        rc = load_slots(p, source, err, errlen);
    if (rc == 0) rc = load_calibration(p, source, err, errlen);
    if (rc < 0) {
        ds_params_free(p);
        return -1;
    }
    snprintf(p->name, sizeof p->name, "%s", name->valuestring);
    p->version = version->valueint;
    snprintf(p->label, sizeof p->label, "%s@%d", p->name, p->version);
    return 0;
}

int ds_params_load_file(ds_params *p, const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open model file", path);
        return -1;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                fclose(f);
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
            }
            text = t;
        }
        size_t n = fread(text + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    fclose(f);
    text[len] = '\0';
    int rc = ds_params_load(p, text, path, err, errlen);
    free(text);
    return rc;
}

void ds_params_free(ds_params *p) {
    cJSON_Delete(p->json);
    p->json = NULL;
}
