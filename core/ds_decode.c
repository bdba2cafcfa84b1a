/* ds_decode.c: validates a parsed deal and fills ds_deal (SCORING.md section 1).
 *
 * The walk visits fields in the order docs/model.md lists and stops at the first
 * error, so every deal yields exactly one error code and a JSON path such as
 * $.stakeholders[3].influence. Defaults are applied as fields are read, and every
 * defaultable field given is counted for coverage. Cross-reference checks
 * (duplicate ids, unknown ids, self relationships) run after the walk. */
#include "ds_deal.h"
#include "ds_date.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const ds_stage_names[] = {"prospect",    "discovery",  "qualification", "proposal",
                                      "negotiation", "closed_won", "closed_lost",   NULL};
const char *const ds_function_names[] = {"business",    "exec",  "it",    "user", "finance",
                                         "procurement", "legal", "other", NULL};
const char *const ds_level_names[] = {"c_level", "vp",         "director", "head",
                                      "manager", "individual", NULL};
const char *const ds_role_names[] = {
    "economic_buyer", "champion", "sponsor", "influencer", "it_strategic",
    "it_operations",  "end_user", "blocker", "coach",      NULL};
const char *const ds_rel_type_names[] = {"influences", "reports_to", "trusts",
                                         "peer",       "conflict",   NULL};

int ds_enum_lookup(const char *const *names, const char *s) {
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

void ds_error_set(ds_error *err, const char *code, const char *path, const char *fmt, ...) {
    err->code = code;
    snprintf(err->path, sizeof err->path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* ---- the walk: a JSON path that grows and shrinks as fields are visited ---- */

typedef struct walk {
    ds_error *err;
    ds_arena *arena;
    char path[200];
    size_t len;
} walk;

static size_t push_key(walk *w, const char *key) {
    size_t old = w->len;
    int n = snprintf(w->path + w->len, sizeof w->path - w->len, ".%s", key);
    if (n > 0)
        w->len += (size_t)n < sizeof w->path - w->len ? (size_t)n : sizeof w->path - w->len - 1;
    return old;
}

static size_t push_index(walk *w, int i) {
    size_t old = w->len;
    int n = snprintf(w->path + w->len, sizeof w->path - w->len, "[%d]", i);
    if (n > 0)
        w->len += (size_t)n < sizeof w->path - w->len ? (size_t)n : sizeof w->path - w->len - 1;
    return old;
}

static void pop(walk *w, size_t old) {
    w->len = old;
    w->path[old] = '\0';
}

static const char *type_name(const cJSON *v) {
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "an invalid value";
}

#define FAIL(w, code, ...) (ds_error_set((w)->err, code, (w)->path, __VA_ARGS__), -1)
#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((x) < 0) return -1;                                                                    \
    } while (0)

/* Each getter returns 1 when the field was given, 0 when absent, -1 on error. */

static int expect_type(walk *w, const cJSON *v, int (*is)(const cJSON *), const char *what) {
    if (is(v)) return 0;
    return FAIL(w, "bad_type", "%s must be %s, got %s", w->path, what, type_name(v));
}

static cJSON_bool is_number(const cJSON *v) {
    return cJSON_IsNumber(v);
}
static cJSON_bool is_bool(const cJSON *v) {
    return cJSON_IsBool(v);
}
static cJSON_bool is_string(const cJSON *v) {
    return cJSON_IsString(v);
}
static cJSON_bool is_object(const cJSON *v) {
    return cJSON_IsObject(v);
}
static cJSON_bool is_array(const cJSON *v) {
    return cJSON_IsArray(v);
}

typedef struct range {
    double lo, hi;
    bool lo_open; /* lo itself is out of range */
} range;

static const range UNIT = {0, 1, false};
static const range SIGNED_UNIT = {-1, 1, false};
static const range NON_NEGATIVE = {0, INFINITY, false};
static const range POSITIVE = {0, INFINITY, true};
static const range PERCENT = {0, 100, false};

static int get_number(walk *w, const cJSON *obj, const char *key, range r, double *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return 0;
    size_t old = push_key(w, key);
    TRY(expect_type(w, v, is_number, "a number"));
    double x = v->valuedouble;
    bool bad = !isfinite(x) || x > r.hi || (r.lo_open ? x <= r.lo : x < r.lo);
    if (bad) {
        if (isinf(r.hi))
            return FAIL(w, "out_of_range", "%s must be %s 0, got %g", w->path,
                        r.lo_open ? ">" : ">=", x);
        return FAIL(w, "out_of_range", "%s must be between %g and %g, got %g", w->path, r.lo, r.hi,
                    x);
    }
    *out = x;
    pop(w, old);
    return 1;
}

static int get_bool(walk *w, const cJSON *obj, const char *key, bool *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return 0;
    size_t old = push_key(w, key);
    TRY(expect_type(w, v, is_bool, "true or false"));
    *out = cJSON_IsTrue(v);
    pop(w, old);
    return 1;
}

static int get_string(walk *w, const cJSON *obj, const char *key, bool required, const char **out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    size_t old = push_key(w, key);
    if (!v) {
        if (required) return FAIL(w, "missing_field", "%s is required", w->path);
        pop(w, old);
        return 0;
    }
    TRY(expect_type(w, v, is_string, "a string"));
    *out = v->valuestring;
    pop(w, old);
    return 1;
}

static int check_enum(walk *w, const char *s, const char *const *names, int *out) {
    int i = ds_enum_lookup(names, s);
    if (i < 0) {
        char allowed[200] = "";
        for (int k = 0; names[k]; k++)
            snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s%s",
                     k ? ", " : "", names[k]);
        return FAIL(w, "bad_enum", "%s: \"%.40s\" is not one of %s", w->path, s, allowed);
    }
    *out = i;
    return 1;
}

static int get_enum(walk *w, const cJSON *obj, const char *key, bool required,
                    const char *const *names, int *out) {
    const char *s = NULL;
    int rc = get_string(w, obj, key, required, &s);
    if (rc <= 0) return rc;
    size_t old = push_key(w, key);
    TRY(check_enum(w, s, names, out));
    pop(w, old);
    return 1;
}

static int get_date(walk *w, const cJSON *obj, const char *key, int *out) {
    const char *s = NULL;
    int rc = get_string(w, obj, key, false, &s);
    if (rc <= 0) return rc;
    size_t old = push_key(w, key);
    if (!ds_date_parse(s, out))
        return FAIL(w, "bad_date", "%s: \"%.40s\" is not a date (YYYY-MM-DD)", w->path, s);
    pop(w, old);
    return 1;
}

/* An optional nested object: NULL when absent, error when not an object. */
static int get_object(walk *w, const cJSON *obj, const char *key, const cJSON **out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v) return 0;
    size_t old = push_key(w, key);
    TRY(expect_type(w, v, is_object, "an object"));
    pop(w, old);
    *out = v;
    return 1;
}

static int get_array(walk *w, const cJSON *obj, const char *key, const cJSON **out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v) return 0;
    size_t old = push_key(w, key);
    TRY(expect_type(w, v, is_array, "an array"));
    pop(w, old);
    *out = v;
    return 1;
}

/* ---- the solution ---- */

/* counts a given field for coverage */
#define COUNT(given, rc)                                                                           \
    do {                                                                                           \
        int rc_ = (rc);                                                                            \
        if (rc_ < 0) return -1;                                                                    \
        (given) += rc_;                                                                            \
    } while (0)

static int decode_measurable(walk *w, const cJSON *sol, ds_solution *s) {
    const cJSON *m;
    TRY(get_object(w, sol, "measurable", &m));
    if (!m) return 0;
    size_t old = push_key(w, "measurable");
    s->has_measurable = true;
    int rc;
    COUNT(s->given, get_number(w, m, "annual_benefit", NON_NEGATIVE, &s->annual_benefit));
    COUNT(s->given, rc = get_number(w, m, "cost", POSITIVE, &s->cost));
    s->has_cost = rc == 1;
    COUNT(s->given, rc = get_number(w, m, "payback_months", NON_NEGATIVE, &s->payback_months));
    s->has_payback = rc == 1;
    COUNT(s->given, get_number(w, m, "confidence", UNIT, &s->confidence));
    pop(w, old);
    return 0;
}

static int decode_solution(walk *w, const cJSON *deal, const ds_params *p, ds_solution *s) {
    s->capability = p->d_capability;
    s->strategic = p->d_strategic;
    s->it_workload = p->d_it_workload;
    s->it_career = p->d_it_career;
    s->in_house_alternative = p->d_in_house_alternative;
    s->data_readiness = p->d_data_readiness;
    s->security_risk = p->d_security_risk;
    s->user_change = p->d_user_change;
    s->user_transparency = p->d_user_transparency;
    s->user_benefit = p->d_user_benefit;
    const cJSON *sol;
    TRY(get_object(w, deal, "solution", &sol));
    if (!sol) return 0;
    size_t old = push_key(w, "solution");
    COUNT(s->given, get_bool(w, sol, "for_it", &s->for_it));
    COUNT(s->given, get_number(w, sol, "capability", UNIT, &s->capability));
    COUNT(s->given, get_number(w, sol, "strategic", UNIT, &s->strategic));
    TRY(decode_measurable(w, sol, s));
    COUNT(s->given, get_number(w, sol, "it_workload", SIGNED_UNIT, &s->it_workload));
    COUNT(s->given, get_bool(w, sol, "it_burden_framed", &s->it_burden_framed));
    COUNT(s->given, get_number(w, sol, "it_career", UNIT, &s->it_career));
    COUNT(s->given, get_number(w, sol, "in_house_alternative", UNIT, &s->in_house_alternative));
    COUNT(s->given, get_number(w, sol, "data_readiness", UNIT, &s->data_readiness));
    COUNT(s->given, get_number(w, sol, "security_risk", UNIT, &s->security_risk));
    COUNT(s->given, get_number(w, sol, "user_change", UNIT, &s->user_change));
    COUNT(s->given, get_number(w, sol, "user_transparency", UNIT, &s->user_transparency));
    COUNT(s->given, get_number(w, sol, "user_benefit", UNIT, &s->user_benefit));
    COUNT(s->given, get_bool(w, sol, "users_consulted", &s->users_consulted));
    COUNT(s->given, get_bool(w, sol, "prototype", &s->prototype));
    pop(w, old);
    return 0;
}

/* ---- stakeholders ---- */

static int decode_roles(walk *w, const cJSON *obj, unsigned *roles) {
    const cJSON *arr;
    TRY(get_array(w, obj, "roles", &arr));
    if (!arr) return 0;
    size_t old = push_key(w, "roles");
    int j = 0;
    for (const cJSON *r = arr->child; r; r = r->next, j++) {
        size_t at = push_index(w, j);
        int role;
        TRY(expect_type(w, r, is_string, "a string"));
        TRY(check_enum(w, r->valuestring, ds_role_names, &role));
        *roles |= 1u << role;
        pop(w, at);
    }
    pop(w, old);
    return 0;
}

static unsigned derive_sets(const ds_stakeholder *s) {
    unsigned sets = 0;
    if (s->function == DS_FN_IT || (s->roles & (DS_ROLE_IT_STRATEGIC | DS_ROLE_IT_OPERATIONS)))
        sets |= DS_SET_IT;
    if (s->function == DS_FN_USER || (s->roles & DS_ROLE_END_USER)) sets |= DS_SET_USERS;
    if (s->can_buy || (s->roles & DS_ROLE_ECONOMIC_BUYER)) sets |= DS_SET_DECIDERS | DS_SET_KEY;
    if (s->roles & (DS_ROLE_CHAMPION | DS_ROLE_SPONSOR)) sets |= DS_SET_KEY;
    return sets;
}

static int decode_pair(walk *w, const cJSON *obj, const char *key, const char *a, double *va,
                       const char *b, double *vb, int *given) {
    const cJSON *sub;
    TRY(get_object(w, obj, key, &sub));
    if (!sub) return 0;
    size_t old = push_key(w, key);
    COUNT(*given, get_number(w, sub, a, UNIT, va));
    COUNT(*given, get_number(w, sub, b, UNIT, vb));
    pop(w, old);
    return 0;
}

static int decode_convinced(walk *w, const cJSON *obj, ds_stakeholder *s) {
    static const char *const cases[] = {"capability", "strategic", "measurable"};
    const cJSON *sub;
    TRY(get_object(w, obj, "convinced", &sub));
    if (!sub) return 0;
    size_t old = push_key(w, "convinced");
    for (int d = 0; d < 3; d++) COUNT(s->given, get_bool(w, sub, cases[d], &s->convinced[d]));
    pop(w, old);
    return 0;
}

static int decode_stakeholder(walk *w, const cJSON *obj, const ds_params *p, ds_stakeholder *s) {
    TRY(expect_type(w, obj, is_object, "an object"));
    s->function = DS_FN_NONE;
    s->level = DS_LEVEL_MISSING;
    s->influence = p->d_influence;
    s->stance = p->d_stance;
    s->benefit_work = s->benefit_career = p->d_benefits;
    s->ai_interest = p->d_ai_interest;
    s->burden = p->d_burden;
    s->first_contact = s->last_contact = DS_NO_DATE;
    TRY(get_string(w, obj, "id", true, &s->id));
    TRY(get_string(w, obj, "name", false, &s->name));
    TRY(get_string(w, obj, "title", false, &s->title));
    TRY(get_enum(w, obj, "function", false, ds_function_names, &s->function));
    TRY(get_enum(w, obj, "level", false, ds_level_names, &s->level));
    TRY(decode_roles(w, obj, &s->roles));
    TRY(get_bool(w, obj, "can_buy", &s->can_buy));
    s->sets = derive_sets(s);
    s->credibility_threat =
        (s->sets & DS_SET_IT) ? p->d_credibility_threat_it : p->d_credibility_threat_other;
    COUNT(s->given, get_number(w, obj, "influence", UNIT, &s->influence));
    COUNT(s->given, get_number(w, obj, "stance", SIGNED_UNIT, &s->stance));
    TRY(decode_pair(w, obj, "benefits", "work", &s->benefit_work, "career", &s->benefit_career,
                    &s->given));
    TRY(decode_convinced(w, obj, s));
    COUNT(s->given, get_number(w, obj, "ai_interest", UNIT, &s->ai_interest));
    COUNT(s->given, get_number(w, obj, "burden", UNIT, &s->burden));
    COUNT(s->given, get_number(w, obj, "credibility_threat", UNIT, &s->credibility_threat));
    TRY(get_date(w, obj, "first_contact", &s->first_contact));
    TRY(get_date(w, obj, "last_contact", &s->last_contact));
    TRY(get_number(w, obj, "expectation_gap", UNIT, &s->expectation_gap));
    return 0;
}

static int decode_stakeholders(walk *w, const cJSON *deal, const ds_params *p, ds_deal *d) {
    const cJSON *arr;
    TRY(get_array(w, deal, "stakeholders", &arr));
    if (!arr) return 0;
    int n = cJSON_GetArraySize(arr);
    d->stakeholders = ds_arena_alloc(w->arena, sizeof(ds_stakeholder) * (size_t)(n ? n : 1));
    if (!d->stakeholders) return FAIL(w, "out_of_memory", "deal too large to score");
    size_t old = push_key(w, "stakeholders");
    int i = 0;
    for (const cJSON *s = arr->child; s; s = s->next, i++) {
        size_t at = push_index(w, i);
        TRY(decode_stakeholder(w, s, p, &d->stakeholders[i]));
        pop(w, at);
    }
    d->n_stakeholders = n;
    pop(w, old);
    return 0;
}

/* ---- relationships: ids are resolved after the walk ---- */

typedef struct rel_ids {
    const char *from, *to;
} rel_ids;

static int decode_relationships(walk *w, const cJSON *deal, const ds_params *p, ds_deal *d,
                                rel_ids **ids) {
    const cJSON *arr;
    TRY(get_array(w, deal, "relationships", &arr));
    if (!arr) return 0;
    int n = cJSON_GetArraySize(arr);
    size_t count = (size_t)(n ? n : 1);
    d->relationships = ds_arena_alloc(w->arena, sizeof(ds_relationship) * count);
    *ids = ds_arena_alloc(w->arena, sizeof(rel_ids) * count);
    if (!d->relationships || !*ids) return FAIL(w, "out_of_memory", "deal too large to score");
    size_t old = push_key(w, "relationships");
    int k = 0;
    for (const cJSON *r = arr->child; r; r = r->next, k++) {
        size_t at = push_index(w, k);
        ds_relationship *rel = &d->relationships[k];
        rel->strength = p->d_strength;
        TRY(expect_type(w, r, is_object, "an object"));
        TRY(get_string(w, r, "from", true, &(*ids)[k].from));
        TRY(get_string(w, r, "to", true, &(*ids)[k].to));
        TRY(get_enum(w, r, "type", true, ds_rel_type_names, &rel->type));
        TRY(get_number(w, r, "strength", UNIT, &rel->strength));
        pop(w, at);
    }
    d->n_relationships = n;
    pop(w, old);
    return 0;
}

static int decode_override(walk *w, const cJSON *deal, ds_deal *d) {
    const cJSON *o;
    TRY(get_object(w, deal, "override", &o));
    if (!o) return 0;
    size_t old = push_key(w, "override");
    int rc = get_number(w, o, "viability", PERCENT, &d->override_viability);
    TRY(rc);
    d->has_override = rc == 1;
    pop(w, old);
    return 0;
}

/* ---- cross references ---- */

int ds_deal_find(const ds_deal *deal, const char *id) {
    for (int i = 0; i < deal->n_stakeholders; i++)
        if (strcmp(deal->stakeholders[i].id, id) == 0) return i;
    return -1;
}

/* First index with the same id as stakeholder i, before it; -1 if none. Uses a
 * small open-addressing table so large committees stay linear. */
typedef struct id_table {
    int *slots; /* stakeholder index + 1; 0 = empty */
    unsigned mask;
} id_table;

static unsigned hash_id(const char *s) {
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int table_build(id_table *t, const ds_deal *d, ds_arena *a, int *dup) {
    unsigned cap = 16;
    while (cap < (unsigned)d->n_stakeholders * 2) cap *= 2;
    t->slots = ds_arena_alloc(a, sizeof(int) * cap);
    t->mask = cap - 1;
    *dup = -1;
    if (!t->slots) return -1;
    for (int i = 0; i < d->n_stakeholders; i++) {
        const char *id = d->stakeholders[i].id;
        unsigned h = hash_id(id) & t->mask;
        for (;; h = (h + 1) & t->mask) {
            int at = t->slots[h];
            if (at == 0) {
                t->slots[h] = i + 1;
                break;
            }
            if (strcmp(d->stakeholders[at - 1].id, id) == 0) {
                *dup = i;
                return 0;
            }
        }
    }
    return 0;
}

static int table_find(const id_table *t, const ds_deal *d, const char *id) {
    for (unsigned h = hash_id(id) & t->mask;; h = (h + 1) & t->mask) {
        int at = t->slots[h];
        if (at == 0) return -1;
        if (strcmp(d->stakeholders[at - 1].id, id) == 0) return at - 1;
    }
}

static int check_references(walk *w, ds_deal *d, const rel_ids *ids) {
    id_table t;
    int dup;
    if (table_build(&t, d, w->arena, &dup) < 0)
        return FAIL(w, "out_of_memory", "deal too large to score");
    if (dup >= 0) {
        snprintf(w->path, sizeof w->path, "$.stakeholders[%d].id", dup);
        return FAIL(w, "duplicate_id", "stakeholder id \"%.60s\" is used twice",
                    d->stakeholders[dup].id);
    }
    for (int k = 0; k < d->n_relationships; k++) {
        const char *ends[2] = {ids[k].from, ids[k].to};
        int *idx[2] = {&d->relationships[k].from, &d->relationships[k].to};
        for (int e = 0; e < 2; e++) {
            *idx[e] = table_find(&t, d, ends[e]);
            if (*idx[e] < 0) {
                snprintf(w->path, sizeof w->path, "$.relationships[%d].%s", k, e ? "to" : "from");
                return FAIL(w, "unknown_id", "no stakeholder has the id \"%.60s\"", ends[e]);
            }
        }
    }
    for (int k = 0; k < d->n_relationships; k++) {
        if (d->relationships[k].from != d->relationships[k].to) continue;
        snprintf(w->path, sizeof w->path, "$.relationships[%d].to", k);
        return FAIL(w, "self_relationship", "a relationship joins \"%.60s\" to itself", ids[k].to);
    }
    return 0;
}

static void count_coverage(ds_deal *d) {
    d->coverage_given = d->solution.given;
    d->coverage_total = DS_COVERAGE_SOLUTION + DS_COVERAGE_STAKEHOLDER * d->n_stakeholders;
    for (int i = 0; i < d->n_stakeholders; i++) d->coverage_given += d->stakeholders[i].given;
}

int ds_deal_decode(const cJSON *json, const ds_params *p, int default_as_of, ds_arena *a,
                   ds_deal *d, ds_error *err) {
    walk w = {.err = err, .arena = a, .path = "$", .len = 1};
    memset(d, 0, sizeof *d);
    d->json = json;
    d->stage = DS_STAGE_NONE;
    d->close_date = d->as_of = DS_NO_DATE;
    rel_ids *ids = NULL;
    TRY(expect_type(&w, json, is_object, "an object"));
    TRY(get_string(&w, json, "id", true, &d->id));
    TRY(get_string(&w, json, "name", false, &d->name));
    TRY(get_string(&w, json, "account", false, &d->account));
    TRY(get_string(&w, json, "currency", false, &d->currency));
    TRY(get_enum(&w, json, "stage", false, ds_stage_names, &d->stage));
    int rc = get_number(&w, json, "amount", NON_NEGATIVE, &d->amount);
    TRY(rc);
    d->has_amount = rc == 1;
    TRY(get_date(&w, json, "close_date", &d->close_date));
    TRY(rc = get_date(&w, json, "as_of", &d->as_of));
    if (rc == 0) d->as_of = default_as_of;
    TRY(decode_solution(&w, json, p, &d->solution));
    TRY(decode_stakeholders(&w, json, p, d));
    TRY(decode_relationships(&w, json, p, d, &ids));
    TRY(decode_override(&w, json, d));
    TRY(check_references(&w, d, ids));
    count_coverage(d);
    return 0;
}
