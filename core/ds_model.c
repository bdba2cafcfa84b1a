/* ds_model.c: loads model parameters by name from the model JSON; see ds_model.h.
 *
 * One table maps each dotted key to its slot in ds_params, made from the list of
 * ds_model.h (DS_MODEL_CONSTANTS): adding a constant is one line there and one in
 * models/default.json. */
#include "ds_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *key;
    size_t offset;
} param_slot;

#define SLOT(field, key, meaning) {key, offsetof(ds_params, field)},
#define SLOT_AT(array, index, key, meaning) {key, offsetof(ds_params, array[index])},
static const param_slot slots[] = {DS_MODEL_CONSTANTS(SLOT, SLOT_AT)};
#undef SLOT
#undef SLOT_AT

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
