/* ds_decode.c: validates a parsed deal and fills ds_deal (SCORING.md section 1).
 *
 * The walk visits fields in the order docs/model.md lists and stops at the first
 * error, so every deal yields exactly one error code and a JSON path such as
 * $.stakeholders[3].influence. Defaults are applied as fields are read, and every
 * defaultable field given is counted for coverage. Cross-reference checks
 * (duplicate ids, unknown ids, self relationships) run after the walk. */
#include "ds_deal.h"
#include "ds_assert.h"
#include "ds_date.h"
#include "ds_fields.h"
#include "ds_json.h"
#include "ds_nearkey.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <threads.h>

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
    for (int i = 0; names[i]; i++) /* the first byte settles most misses without a call */
        if (names[i][0] == s[0] && strcmp(names[i], s) == 0) return i;
    return -1;
}

const char *const ds_stakeholder_inferable[] = {"function",
                                                "level",
                                                "roles",
                                                "can_buy",
                                                "influence",
                                                "stance",
                                                "benefits.work",
                                                "benefits.career",
                                                "convinced.capability",
                                                "convinced.strategic",
                                                "convinced.measurable",
                                                "ai_interest",
                                                "burden",
                                                "credibility_threat",
                                                "first_contact",
                                                "last_contact",
                                                "expectation_gap",
                                                NULL};
const char *const ds_solution_inferable[] = {"for_it",
                                             "capability",
                                             "strategic",
                                             "measurable.annual_benefit",
                                             "measurable.cost",
                                             "measurable.payback_months",
                                             "measurable.confidence",
                                             "it_workload",
                                             "it_burden_framed",
                                             "it_career",
                                             "in_house_alternative",
                                             "data_readiness",
                                             "security_risk",
                                             "user_change",
                                             "user_transparency",
                                             "user_benefit",
                                             "users_consulted",
                                             "prototype",
                                             NULL};

/* the stakeholder fields counted in coverage (every inferable solution field is) */
const char *const ds_stakeholder_counted[] = {"influence",
                                              "stance",
                                              "benefits.work",
                                              "benefits.career",
                                              "convinced.capability",
                                              "convinced.strategic",
                                              "convinced.measurable",
                                              "ai_interest",
                                              "burden",
                                              "credibility_threat",
                                              NULL};

const char *ds_inferred_source(const ds_inferred *list, int n, const char *field) {
    for (int i = 0; i < n; i++)
        if (strcmp(list[i].field, field) == 0) return list[i].source;
    return NULL;
}

void ds_error_set(ds_error *err, const char *code, const char *path, const char *fmt, ...) {
    err->code = code;
    snprintf(err->path, sizeof err->path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    /* a value quoted at a byte limit, or a message cut by the buffer, may end
     * inside a character: results must stay UTF-8 */
    ds_utf8_scrub(err->path);
    ds_utf8_scrub(err->message);
}

/* ---- the walk ----
 *
 * The JSON path of the field being read is kept as a stack of segments and only
 * formatted when an error is reported: valid deals (almost all of them) never pay
 * for it. Each object's fields are collected in one pass over its members, so a
 * deal is read in time linear in its size. */

typedef struct seg {
    const char *key; /* NULL for an array index */
    int index;
} seg;

typedef struct walk {
    ds_error *err;
    ds_arena *arena;
    ds_deal *deal; /* its key notes */
    seg segs[8];
    int depth;
} walk;

static void enter_key(walk *w, const char *key) {
    if (w->depth < 8) w->segs[w->depth] = (seg){key, 0};
    w->depth++;
}

static void enter_index(walk *w, int index) {
    if (w->depth < 8) w->segs[w->depth] = (seg){NULL, index};
    w->depth++;
}

static void leave(walk *w) {
    w->depth--;
}

static void format_path(const walk *w, char *out, size_t len) {
    size_t at = (size_t)snprintf(out, len, "$");
    for (int i = 0; i < w->depth && i < 8 && at < len; i++) {
        int n = w->segs[i].key ? snprintf(out + at, len - at, ".%s", w->segs[i].key)
                               : snprintf(out + at, len - at, "[%d]", w->segs[i].index);
        if (n < 0) break;
        at += (size_t)n;
    }
}

/* Reports an error at the current path; the message starts with the path. */
static int fail(walk *w, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(walk *w, const char *code, const char *fmt, ...) {
    char path[sizeof w->err->path], text[200];
    format_path(w, path, sizeof path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    ds_error_set(w->err, code, path, "%s %s", path, text);
    return -1;
}

#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((x) < 0) return -1;                                                                    \
    } while (0)

/* ---- the key switch ----
 *
 * A member's key is matched to its field by a table, not compared with each
 * name in turn: each object's names (ds_fields.h, the one list) sit in a table
 * of 64 slots at a hash of their first three bytes, made once per process, so a
 * member costs one probe (rarely two) and one strcmp that confirms it. Unknown
 * keys (CRM custom fields) end at an empty slot. Every name has two bytes at
 * least, so a shorter key names no field, and the hash never reads past a
 * key's NUL. */
#define KEY_SLOTS 64

typedef struct keymap {
    const char *const *names;
    int count;
    unsigned char slot[KEY_SLOTS]; /* index in names + 1; 0: empty */
    ds_nearkey_set near;           /* the names folded, for unknown keys */
} keymap;

/* k[0] and k[1] are not NUL, so k[2] is within the string */
static unsigned key_hash(const char *k) {
    const unsigned char *u = (const unsigned char *)k;
    return (u[0] * 31u + u[1] * 7u + u[2]) & (KEY_SLOTS - 1);
}

static void keymap_build(keymap *m) {
    for (int i = 0; i < m->count; i++) {
        DS_ASSERT(m->names[i][0] && m->names[i][1]);
        unsigned h = key_hash(m->names[i]);
        while (m->slot[h]) h = (h + 1) & (KEY_SLOTS - 1);
        m->slot[h] = (unsigned char)(i + 1);
    }
    ds_nearkey_prepare(&m->near, m->names, m->count);
}

/* ---- key notes: near misses and repeated keys (docs/model.md) ----
 *
 * Kept on the deal for front ends to report beside the result, never in it.
 * Only keys that name no field, or name one again, get here: reading a deal of
 * known keys, each once, costs nothing more. */

/* key written after the current path: .key, or ["key"] when it is no name */
static void path_with_key(const walk *w, const char *key, char *out, size_t len) {
    format_path(w, out, len);
    size_t at = strlen(out);
    bool plain = (key[0] < '0' || key[0] > '9');
    for (const char *p = key; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                *p == '_' || (unsigned char)*p >= 0x80;
    snprintf(out + at, len - at, plain ? ".%s" : "[\"%s\"]", key);
    ds_utf8_scrub(out);
}

static __attribute__((noinline)) void key_note(walk *w, const char *key, const char *field) {
    ds_deal *d = w->deal;
    if (d->n_key_notes >= DS_KEY_NOTES_MAX) return;
    if (!d->key_notes &&
        !(d->key_notes = ds_arena_alloc_raw(w->arena, sizeof(ds_key_note) * DS_KEY_NOTES_MAX)))
        return; /* a note is no reason to fail the deal */
    char path[sizeof w->err->path];
    path_with_key(w, key, path, sizeof path);
    const char *copy = ds_arena_strdup(w->arena, path);
    if (copy) d->key_notes[d->n_key_notes++] = (ds_key_note){copy, field};
}

/* An earlier member of obj with the key of c is dropped: the last one is read
 * (as Python's json, jq and JavaScript read JSON), by the decoder and by every
 * reader of the tree after it. */
static __attribute__((noinline)) void key_repeated(walk *w, const cJSON *obj, const cJSON *earlier,
                                                   const char *key) {
    /* the tree is the caller's to change (ds_deal_decode takes it so) */
    cJSON_DetachItemViaPointer((cJSON *)obj, (cJSON *)earlier);
    key_note(w, key, NULL);
}

/* A key that names no field of m: a near miss, or a custom field given twice. */
static __attribute__((noinline)) void key_unknown(walk *w, const keymap *m, const cJSON *obj,
                                                  const cJSON *c) {
    const char *k = c->string;
    for (const cJSON *e = obj->child; e && e != c; e = e->next)
        if (e->string && e->string[0] == k[0] && strcmp(e->string, k) == 0) {
            key_repeated(w, obj, e, k);
            return; /* the first time was noted already */
        }
    const char *near = ds_near_key(&m->near, k);
    /* beside the field itself it is a custom field of its own (a CRM's "ID"
     * column next to the id dealscore reads): no default was taken */
    if (near && !cJSON_GetObjectItemCaseSensitive(obj, near)) key_note(w, k, near);
}

/* The index in m of key k, or -1. */
static inline int key_index(const keymap *m, const char *k) {
    if (!k[0] || !k[1]) return -1;
    for (unsigned h = key_hash(k);; h = (h + 1) & (KEY_SLOTS - 1)) {
        int at = m->slot[h];
        if (at == 0) return -1;
        if (strcmp(m->names[at - 1], k) == 0) return at - 1;
    }
}

/* The members collect() passed over, noted in document order: keys of no
 * field, and earlier copies of repeated keys (out holds the last). Only for an
 * object that has such keys. */
static __attribute__((noinline)) void collect_notes(walk *w, const cJSON *obj, const keymap *m,
                                                    const cJSON **out) {
    const cJSON *next;
    for (const cJSON *c = obj->child; c; c = next) {
        next = c->next; /* c may be dropped */
        if (!c->string) continue;
        int at = key_index(m, c->string);
        if (at < 0)
            key_unknown(w, m, obj, c);
        else if (out[at] != c)
            key_repeated(w, obj, c, c->string);
    }
}

/* Finds each named member of obj in one pass; of repeated keys the last is read.
 * Returns whether obj has keys of no field or repeated ones. */
static bool collect_fields(const cJSON *obj, const keymap *m, const cJSON **out) {
    memset(out, 0, sizeof(*out) * (size_t)m->count);
    bool odd = false;
    for (const cJSON *c = obj->child; c; c = c->next) {
        const char *k = c->string;
        if (!k || !k[0] || !k[1]) {
            odd |= k != NULL;
            continue;
        }
        for (unsigned h = key_hash(k);; h = (h + 1) & (KEY_SLOTS - 1)) {
            int at = m->slot[h];
            if (at == 0) {
                odd = true;
                break;
            }
            if (strcmp(m->names[at - 1], k) == 0) {
                if (out[at - 1]) odd = true;
                out[at - 1] = c;
                break;
            }
        }
    }
    return odd;
}

/* collect_fields, then an object with keys of no field, or repeated ones, is
 * walked again for its notes (and the earlier copies dropped): one of known
 * keys, each once, never is. */
static inline void collect(walk *w, const cJSON *obj, const keymap *m, const cJSON **out) {
    if (collect_fields(obj, m, out)) collect_notes(w, obj, m, out);
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

static int bad_type(walk *w, const cJSON *v, const char *expected) {
    return fail(w, "bad_type", "must be %s, got %s", expected, type_name(v));
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

/* Each getter takes the member (NULL when absent) and returns 1 when it was given,
 * 0 when absent, -1 on error. */

static int get_number(walk *w, const char *key, const cJSON *v, range r, double *out) {
    if (!v) return 0;
    enter_key(w, key);
    if (!cJSON_IsNumber(v)) return bad_type(w, v, "a number");
    double x = v->valuedouble;
    if (isinf(x)) /* cJSON reads 1e400 as infinity: say what was written */
        return fail(w, "out_of_range", "is a number beyond the range of a double (about %s1.8e308)",
                    x > 0 ? "" : "-");
    if (!isfinite(x) || x > r.hi || (r.lo_open ? x <= r.lo : x < r.lo)) {
        if (isinf(r.hi))
            return fail(w, "out_of_range", "must be %s 0, got %g", r.lo_open ? ">" : ">=", x);
        return fail(w, "out_of_range", "must be between %g and %g, got %g", r.lo, r.hi, x);
    }
    *out = x;
    leave(w);
    return 1;
}

static int get_bool(walk *w, const char *key, const cJSON *v, bool *out) {
    if (!v) return 0;
    enter_key(w, key);
    if (!cJSON_IsBool(v)) return bad_type(w, v, "true or false");
    *out = cJSON_IsTrue(v);
    leave(w);
    return 1;
}

static int get_string(walk *w, const char *key, const cJSON *v, bool required, const char **out) {
    enter_key(w, key);
    if (!v) {
        if (required) return fail(w, "missing_field", "is required");
        leave(w);
        return 0;
    }
    if (!cJSON_IsString(v)) return bad_type(w, v, "a string");
    *out = v->valuestring;
    leave(w);
    return 1;
}

/* An id: a string, or an integer (CRM APIs give numeric ids) read as its
 * decimal text, so 42 and "42" are the same id. */
static int get_id(walk *w, const char *key, const cJSON *v, const char **out) {
    if (!cJSON_IsNumber(v)) return get_string(w, key, v, true, out);
    enter_key(w, key);
    double x = v->valuedouble;
    if (!(x == floor(x) && fabs(x) <= 9007199254740992.0)) /* 2^53: exact in a double */
        return fail(w, "bad_type", "must be a string or a whole number, got %g", x);
    char *text = ds_arena_printf(w->arena, "%.0f", x == 0 ? 0.0 : x); /* not "-0" */
    if (!text) return fail(w, "out_of_memory", "no memory for the id");
    *out = text;
    leave(w);
    return 1;
}

/* Like ds_enum_lookup, then ignoring case ("Discovery" is discovery). */
static int enum_lookup_nocase(const char *const *names, const char *s) {
    int i = ds_enum_lookup(names, s);
    for (int k = 0; i < 0 && names[k]; k++)
        if (strcasecmp(names[k], s) == 0) i = k;
    return i;
}

/* the current path's value must be one of names */
static int check_enum(walk *w, const char *s, const char *const *names, int *out) {
    int i = enum_lookup_nocase(names, s);
    if (i >= 0) {
        *out = i;
        return 1;
    }
    char allowed[200] = "";
    for (int k = 0; names[k]; k++)
        snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s%s", k ? ", " : "",
                 names[k]);
    return fail(w, "bad_enum", "is \"%.40s\", not one of %s", s, allowed);
}

static int get_enum(walk *w, const char *key, const cJSON *v, bool required,
                    const char *const *names, int *out) {
    const char *s = NULL;
    int rc = get_string(w, key, v, required, &s);
    if (rc <= 0) return rc;
    enter_key(w, key);
    TRY(check_enum(w, s, names, out));
    leave(w);
    return 1;
}

static int get_date(walk *w, const char *key, const cJSON *v, int *out) {
    const char *s = NULL;
    int rc = get_string(w, key, v, false, &s);
    if (rc <= 0) return rc;
    enter_key(w, key);
    if (!ds_date_parse(s, out))
        return fail(w, "bad_date", "is \"%.40s\", not a date (YYYY-MM-DD)", s);
    leave(w);
    return 1;
}

/* An optional nested object or array: 1 when given, 0 absent, -1 wrong type. */
static int get_container(walk *w, const char *key, const cJSON *v, bool array) {
    if (!v) return 0;
    enter_key(w, key);
    if (array ? !cJSON_IsArray(v) : !cJSON_IsObject(v))
        return bad_type(w, v, array ? "an array" : "an object");
    leave(w);
    return 1;
}

/* counts a given field for coverage */
#define COUNT(given, rc)                                                                           \
    do {                                                                                           \
        int rc_ = (rc);                                                                            \
        if (rc_ < 0) return -1;                                                                    \
        (given) += rc_;                                                                            \
    } while (0)

/* ---- inferred values ----
 *
 * "inferred": {"function": "title \"VP, IT Infrastructure\"", ...} on a
 * stakeholder or the solution names fields whose values a mapping inferred rather
 * than read. The values are used as given, but a counted field listed there is
 * defaulted for coverage: coverage measures what the input knows, not what was
 * guessed. */

/* The member at a dotted field name ("benefits.work") of obj, or NULL. */
static const cJSON *member_at(const cJSON *obj, const char *field) {
    const char *dot = strchr(field, '.');
    if (!dot) return cJSON_GetObjectItemCaseSensitive(obj, field);
    char head[32];
    size_t n = (size_t)(dot - field);
    if (n >= sizeof head) return NULL;
    memcpy(head, field, n);
    head[n] = '\0';
    const cJSON *inner = cJSON_GetObjectItemCaseSensitive(obj, head);
    return cJSON_IsObject(inner) ? cJSON_GetObjectItemCaseSensitive(inner, dot + 1) : NULL;
}

/* Reads owner's "inferred" object into *out; lowers *given by the counted fields
 * (counted == NULL: all inferable ones are) that owner gives and marks inferred. */
static int decode_inferred(walk *w, const cJSON *owner, const cJSON *v,
                           const char *const *inferable, const char *const *counted, int *given,
                           const ds_inferred **out, int *n_out) {
    int rc;
    TRY(rc = get_container(w, "inferred", v, false));
    if (rc == 0) return 0;
    int n = cJSON_GetArraySize(v);
    ds_inferred *list = ds_arena_alloc(w->arena, sizeof(ds_inferred) * (size_t)(n ? n : 1));
    if (!list) return fail(w, "out_of_memory", "deal too large to score");
    enter_key(w, "inferred");
    int k = 0;
    for (const cJSON *c = v->child; c; c = c->next) {
        enter_key(w, c->string);
        if (!cJSON_IsString(c)) return bad_type(w, c, "a string saying what it was inferred from");
        if (ds_enum_lookup(inferable, c->string) < 0)
            return fail(w, "bad_enum", "names no field that can be inferred");
        leave(w);
        int was = 0;
        while (was < k && strcmp(list[was].field, c->string) != 0) was++;
        if (was < k) { /* a repeated key: the last is read, as everywhere */
            const cJSON *e = v->child;
            while (e != c && strcmp(e->string, c->string) != 0) e = e->next;
            key_repeated(w, v, e, c->string);
        }
        list[was] = (ds_inferred){c->string, c->valuestring};
        if (was == k) k++;
    }
    leave(w);
    for (int i = 0; i < k; i++)
        if ((!counted || ds_enum_lookup(counted, list[i].field) >= 0) &&
            member_at(owner, list[i].field))
            (*given)--;
    *out = list;
    *n_out = k;
    return 0;
}

/* ---- the solution ---- */

#define M_ENUM(name, key, kind) M_##name,
enum { DS_MEASURABLE_KEYS(M_ENUM) M_COUNT };
static const char *const measurable_keys[] = {DS_MEASURABLE_KEYS(DS_FIELD_KEY)};
static keymap measurable_map = {.names = measurable_keys, .count = M_COUNT};

static int decode_measurable(walk *w, const cJSON *m, ds_solution *s) {
    const cJSON *f[M_COUNT];
    enter_key(w, "measurable");
    collect(w, m, &measurable_map, f);
    s->has_measurable = true;
    int rc;
    COUNT(s->given,
          get_number(w, "annual_benefit", f[M_ANNUAL_BENEFIT], NON_NEGATIVE, &s->annual_benefit));
    COUNT(s->given, rc = get_number(w, "cost", f[M_COST], POSITIVE, &s->cost));
    s->has_cost = rc == 1;
    COUNT(s->given, rc = get_number(w, "payback_months", f[M_PAYBACK_MONTHS], NON_NEGATIVE,
                                    &s->payback_months));
    s->has_payback = rc == 1;
    COUNT(s->given, get_number(w, "confidence", f[M_CONFIDENCE], UNIT, &s->confidence));
    leave(w);
    return 0;
}

#define SO_ENUM(name, key, kind) SO_##name,
enum { DS_SOLUTION_KEYS(SO_ENUM) SO_COUNT };
static const char *const solution_keys[] = {DS_SOLUTION_KEYS(DS_FIELD_KEY)};
static keymap solution_map = {.names = solution_keys, .count = SO_COUNT};

static void solution_defaults(ds_solution *s, const ds_params *p) {
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
}

static int decode_solution(walk *w, const cJSON *sol, const ds_params *p, ds_solution *s) {
    solution_defaults(s, p);
    int rc;
    TRY(rc = get_container(w, "solution", sol, false));
    if (rc == 0) return 0;
    const cJSON *f[SO_COUNT];
    enter_key(w, "solution");
    collect(w, sol, &solution_map, f);
    COUNT(s->given, get_bool(w, "for_it", f[SO_FOR_IT], &s->for_it));
    COUNT(s->given, get_number(w, "capability", f[SO_CAPABILITY], UNIT, &s->capability));
    COUNT(s->given, get_number(w, "strategic", f[SO_STRATEGIC], UNIT, &s->strategic));
    TRY(rc = get_container(w, "measurable", f[SO_MEASURABLE], false));
    if (rc == 1) TRY(decode_measurable(w, f[SO_MEASURABLE], s));
    COUNT(s->given, get_number(w, "it_workload", f[SO_IT_WORKLOAD], SIGNED_UNIT, &s->it_workload));
    COUNT(s->given, get_bool(w, "it_burden_framed", f[SO_IT_BURDEN_FRAMED], &s->it_burden_framed));
    COUNT(s->given, get_number(w, "it_career", f[SO_IT_CAREER], UNIT, &s->it_career));
    COUNT(s->given, get_number(w, "in_house_alternative", f[SO_IN_HOUSE_ALTERNATIVE], UNIT,
                               &s->in_house_alternative));
    COUNT(s->given,
          get_number(w, "data_readiness", f[SO_DATA_READINESS], UNIT, &s->data_readiness));
    COUNT(s->given, get_number(w, "security_risk", f[SO_SECURITY_RISK], UNIT, &s->security_risk));
    COUNT(s->given, get_number(w, "user_change", f[SO_USER_CHANGE], UNIT, &s->user_change));
    COUNT(s->given,
          get_number(w, "user_transparency", f[SO_USER_TRANSPARENCY], UNIT, &s->user_transparency));
    COUNT(s->given, get_number(w, "user_benefit", f[SO_USER_BENEFIT], UNIT, &s->user_benefit));
    COUNT(s->given, get_bool(w, "users_consulted", f[SO_USERS_CONSULTED], &s->users_consulted));
    COUNT(s->given, get_bool(w, "prototype", f[SO_PROTOTYPE], &s->prototype));
    TRY(decode_inferred(w, sol, f[SO_INFERRED], ds_solution_inferable, NULL, &s->given,
                        &s->inferred, &s->n_inferred));
    leave(w);
    return 0;
}

/* ---- stakeholders ---- */

static int decode_roles(walk *w, const cJSON *arr, unsigned *roles) {
    int rc;
    TRY(rc = get_container(w, "roles", arr, true));
    if (rc == 0) return 0;
    enter_key(w, "roles");
    int j = 0;
    for (const cJSON *r = arr->child; r; r = r->next, j++) {
        enter_index(w, j);
        int role = 0;
        if (!cJSON_IsString(r)) return bad_type(w, r, "a string");
        TRY(check_enum(w, r->valuestring, ds_role_names, &role));
        *roles |= 1u << role;
        leave(w);
    }
    leave(w);
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

static const char *const benefit_keys[] = {DS_BENEFITS_KEYS(DS_FIELD_KEY)};
static const char *const conviction_keys[] = {DS_CONVINCED_KEYS(DS_FIELD_KEY)};
static keymap benefit_map = {.names = benefit_keys, .count = 2};
static keymap conviction_map = {.names = conviction_keys, .count = 3};

static int decode_benefits(walk *w, const cJSON *v, ds_stakeholder *s) {
    int rc;
    TRY(rc = get_container(w, "benefits", v, false));
    if (rc == 0) return 0;
    const cJSON *f[2];
    enter_key(w, "benefits");
    collect(w, v, &benefit_map, f);
    COUNT(s->given, get_number(w, "work", f[0], UNIT, &s->benefit_work));
    COUNT(s->given, get_number(w, "career", f[1], UNIT, &s->benefit_career));
    leave(w);
    return 0;
}

static int decode_convinced(walk *w, const cJSON *v, ds_stakeholder *s) {
    int rc;
    TRY(rc = get_container(w, "convinced", v, false));
    if (rc == 0) return 0;
    const cJSON *f[3];
    enter_key(w, "convinced");
    collect(w, v, &conviction_map, f);
    for (int d = 0; d < 3; d++)
        COUNT(s->given, get_bool(w, conviction_keys[d], f[d], &s->convinced[d]));
    leave(w);
    return 0;
}

#define SH_ENUM(name, key, kind) SH_##name,
enum { DS_STAKEHOLDER_KEYS(SH_ENUM) SH_COUNT };
static const char *const stakeholder_keys[] = {DS_STAKEHOLDER_KEYS(DS_FIELD_KEY)};
static keymap stakeholder_map = {.names = stakeholder_keys, .count = SH_COUNT};

static void stakeholder_defaults(ds_stakeholder *s, const ds_params *p) {
    s->function = DS_FN_NONE;
    s->level = DS_LEVEL_MISSING;
    s->influence = p->d_influence;
    s->stance = p->d_stance;
    s->benefit_work = s->benefit_career = p->d_benefits;
    s->ai_interest = p->d_ai_interest;
    s->burden = p->d_burden;
    s->first_contact = s->last_contact = DS_NO_DATE;
}

static int decode_stakeholder(walk *w, const cJSON *obj, const ds_params *p, ds_stakeholder *s) {
    if (!cJSON_IsObject(obj)) return bad_type(w, obj, "an object");
    stakeholder_defaults(s, p);
    const cJSON *f[SH_COUNT];
    collect(w, obj, &stakeholder_map, f);
    TRY(get_id(w, "id", f[SH_ID], &s->id));
    TRY(get_string(w, "name", f[SH_NAME], false, &s->name));
    TRY(get_string(w, "title", f[SH_TITLE], false, &s->title));
    TRY(get_enum(w, "function", f[SH_FUNCTION], false, ds_function_names, &s->function));
    TRY(get_enum(w, "level", f[SH_LEVEL], false, ds_level_names, &s->level));
    TRY(decode_roles(w, f[SH_ROLES], &s->roles));
    TRY(get_bool(w, "can_buy", f[SH_CAN_BUY], &s->can_buy));
    s->sets = derive_sets(s);
    s->credibility_threat =
        (s->sets & DS_SET_IT) ? p->d_credibility_threat_it : p->d_credibility_threat_other;
    int rc;
    COUNT(s->given, rc = get_number(w, "influence", f[SH_INFLUENCE], UNIT, &s->influence));
    s->has_influence = rc == 1;
    COUNT(s->given, rc = get_number(w, "stance", f[SH_STANCE], SIGNED_UNIT, &s->stance));
    s->has_stance = rc == 1;
    TRY(decode_benefits(w, f[SH_BENEFITS], s));
    TRY(decode_convinced(w, f[SH_CONVINCED], s));
    COUNT(s->given, get_number(w, "ai_interest", f[SH_AI_INTEREST], UNIT, &s->ai_interest));
    COUNT(s->given, get_number(w, "burden", f[SH_BURDEN], UNIT, &s->burden));
    COUNT(s->given, get_number(w, "credibility_threat", f[SH_CREDIBILITY_THREAT], UNIT,
                               &s->credibility_threat));
    TRY(get_date(w, "first_contact", f[SH_FIRST_CONTACT], &s->first_contact));
    TRY(get_date(w, "last_contact", f[SH_LAST_CONTACT], &s->last_contact));
    TRY(get_number(w, "expectation_gap", f[SH_EXPECTATION_GAP], UNIT, &s->expectation_gap));
    TRY(decode_inferred(w, obj, f[SH_INFERRED], ds_stakeholder_inferable, ds_stakeholder_counted,
                        &s->given, &s->inferred, &s->n_inferred));
    return 0;
}

static int decode_stakeholders(walk *w, const cJSON *arr, const ds_params *p, ds_deal *d) {
    int rc;
    TRY(rc = get_container(w, "stakeholders", arr, true));
    if (rc == 0) return 0;
    int n = cJSON_GetArraySize(arr);
    d->stakeholders = ds_arena_alloc(w->arena, sizeof(ds_stakeholder) * (size_t)(n ? n : 1));
    if (!d->stakeholders) return fail(w, "out_of_memory", "deal too large to score");
    enter_key(w, "stakeholders");
    int i = 0;
    for (const cJSON *s = arr->child; s; s = s->next, i++) {
        enter_index(w, i);
        TRY(decode_stakeholder(w, s, p, &d->stakeholders[i]));
        leave(w);
    }
    d->n_stakeholders = n;
    leave(w);
    return 0;
}

/* ---- relationships: ids are resolved after the walk ---- */

/* The stage: a custom pipeline stage is no error but the warning unknown_stage
 * (the deal is scored as one without a stage); a stage that is not a string is. */
static int get_stage(walk *w, const cJSON *v, ds_deal *d) {
    const char *s = NULL;
    int rc = get_string(w, "stage", v, false, &s);
    if (rc <= 0) return rc;
    d->stage = enum_lookup_nocase(ds_stage_names, s);
    if (d->stage < 0) d->unknown_stage = s;
    return 1;
}

typedef struct rel_ids {
    const char *from, *to;
} rel_ids;

#define R_ENUM(name, key, kind) R_##name,
enum { DS_RELATIONSHIP_KEYS(R_ENUM) R_COUNT };
static const char *const relationship_keys[] = {DS_RELATIONSHIP_KEYS(DS_FIELD_KEY)};
static keymap relationship_map = {.names = relationship_keys, .count = R_COUNT};

static int decode_relationship(walk *w, const cJSON *r, const ds_params *p, ds_relationship *rel,
                               rel_ids *ids) {
    if (!cJSON_IsObject(r)) return bad_type(w, r, "an object");
    const cJSON *f[R_COUNT];
    collect(w, r, &relationship_map, f);
    rel->strength = p->d_strength;
    TRY(get_id(w, "from", f[R_FROM], &ids->from));
    TRY(get_id(w, "to", f[R_TO], &ids->to));
    TRY(get_enum(w, "type", f[R_TYPE], true, ds_rel_type_names, &rel->type));
    TRY(get_number(w, "strength", f[R_STRENGTH], UNIT, &rel->strength));
    return 0;
}

static int decode_relationships(walk *w, const cJSON *arr, const ds_params *p, ds_deal *d,
                                rel_ids **ids) {
    int rc;
    TRY(rc = get_container(w, "relationships", arr, true));
    if (rc == 0) return 0;
    int n = cJSON_GetArraySize(arr);
    size_t count = (size_t)(n ? n : 1);
    d->relationships = ds_arena_alloc(w->arena, sizeof(ds_relationship) * count);
    *ids = ds_arena_alloc(w->arena, sizeof(rel_ids) * count);
    if (!d->relationships || !*ids) return fail(w, "out_of_memory", "deal too large to score");
    enter_key(w, "relationships");
    int k = 0;
    for (const cJSON *r = arr->child; r; r = r->next, k++) {
        enter_index(w, k);
        TRY(decode_relationship(w, r, p, &d->relationships[k], &(*ids)[k]));
        leave(w);
    }
    d->n_relationships = n;
    leave(w);
    return 0;
}

static const char *const override_keys[] = {DS_OVERRIDE_KEYS(DS_FIELD_KEY)};
static keymap override_map = {.names = override_keys, .count = 1};

static int decode_override(walk *w, const cJSON *o, ds_deal *d) {
    int rc;
    TRY(rc = get_container(w, "override", o, false));
    if (rc == 0) return 0;
    enter_key(w, "override");
    const cJSON *f[1];
    collect(w, o, &override_map, f);
    TRY(rc = get_number(w, "viability", f[0], PERCENT, &d->override_viability));
    d->has_override = rc == 1;
    leave(w);
    return 0;
}

/* ---- cross references ---- */

bool ds_deal_given(const ds_deal *deal, int stakeholder, const char *field) {
    const cJSON *owner = cJSON_GetObjectItemCaseSensitive(deal->json, "solution");
    const ds_inferred *inferred = deal->solution.inferred;
    int n = deal->solution.n_inferred;
    if (stakeholder >= 0) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(deal->json, "stakeholders");
        owner = cJSON_GetArrayItem(list, stakeholder);
        inferred = deal->stakeholders[stakeholder].inferred;
        n = deal->stakeholders[stakeholder].n_inferred;
    }
    return owner && member_at(owner, field) && !ds_inferred_source(inferred, n, field);
}

bool ds_deal_undated_contacts(const ds_deal *deal) {
    if (deal->as_of != DS_NO_DATE) return false;
    for (int i = 0; i < deal->n_stakeholders; i++)
        if (deal->stakeholders[i].last_contact != DS_NO_DATE ||
            deal->stakeholders[i].first_contact != DS_NO_DATE)
            return true;
    return false;
}

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

/* Sets the path to $.<array>[index].<key> for a cross-reference error. */
static void at_member(walk *w, const char *array, int index, const char *key) {
    w->depth = 0;
    enter_key(w, array);
    enter_index(w, index);
    enter_key(w, key);
}

static int check_references(walk *w, ds_deal *d, const rel_ids *ids) {
    id_table t;
    int dup;
    if (table_build(&t, d, w->arena, &dup) < 0)
        return fail(w, "out_of_memory", "deal too large to score");
    if (dup >= 0) {
        at_member(w, "stakeholders", dup, "id");
        return fail(w, "duplicate_id", "repeats \"%.60s\", the id of an earlier stakeholder",
                    d->stakeholders[dup].id);
    }
    for (int k = 0; k < d->n_relationships; k++) {
        const char *ends[2] = {ids[k].from, ids[k].to};
        int *idx[2] = {&d->relationships[k].from, &d->relationships[k].to};
        for (int e = 0; e < 2; e++) {
            *idx[e] = table_find(&t, d, ends[e]);
            if (*idx[e] < 0) {
                at_member(w, "relationships", k, e ? "to" : "from");
                return fail(w, "unknown_id", "is \"%.60s\", the id of no stakeholder", ends[e]);
            }
        }
    }
    for (int k = 0; k < d->n_relationships; k++) {
        if (d->relationships[k].from != d->relationships[k].to) continue;
        at_member(w, "relationships", k, "to");
        return fail(w, "self_relationship", "is \"%.60s\", the same as from", ids[k].to);
    }
    return 0;
}

static void count_coverage(ds_deal *d) {
    d->coverage_given = d->solution.given;
    d->coverage_total = DS_COVERAGE_SOLUTION + DS_COVERAGE_STAKEHOLDER * d->n_stakeholders;
    for (int i = 0; i < d->n_stakeholders; i++) d->coverage_given += d->stakeholders[i].given;
}

#define D_ENUM(name, key, kind) D_##name,
enum { DS_DEAL_KEYS(D_ENUM) D_COUNT };
static const char *const deal_keys[] = {DS_DEAL_KEYS(DS_FIELD_KEY)};
static keymap deal_map = {.names = deal_keys, .count = D_COUNT};

static void keymaps_build(void) {
    keymap *maps[] = {&deal_map,    &solution_map,   &measurable_map,   &stakeholder_map,
                      &benefit_map, &conviction_map, &relationship_map, &override_map};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) keymap_build(maps[i]);
}

static once_flag keymaps_once = ONCE_FLAG_INIT;

int ds_deal_decode(cJSON *json, const ds_params *p, int default_as_of, ds_arena *a, ds_deal *d,
                   ds_error *err) {
    walk w = {.err = err, .arena = a, .deal = d};
    call_once(&keymaps_once, keymaps_build);
    memset(d, 0, sizeof *d);
    d->json = json;
    d->stage = DS_STAGE_NONE;
    d->close_date = d->as_of = DS_NO_DATE;
    rel_ids *ids = NULL;
    if (!cJSON_IsObject(json)) return bad_type(&w, json, "an object");
    const cJSON *f[D_COUNT];
    collect(&w, json, &deal_map, f);
    TRY(get_id(&w, "id", f[D_ID], &d->id));
    TRY(get_string(&w, "name", f[D_NAME], false, &d->name));
    TRY(get_string(&w, "account", f[D_ACCOUNT], false, &d->account));
    TRY(get_string(&w, "currency", f[D_CURRENCY], false, &d->currency));
    TRY(get_stage(&w, f[D_STAGE], d));
    int rc = get_number(&w, "amount", f[D_AMOUNT], NON_NEGATIVE, &d->amount);
    TRY(rc);
    d->has_amount = rc == 1;
    TRY(get_date(&w, "close_date", f[D_CLOSE_DATE], &d->close_date));
    TRY(rc = get_date(&w, "as_of", f[D_AS_OF], &d->as_of));
    if (rc == 0) d->as_of = default_as_of;
    TRY(decode_solution(&w, f[D_SOLUTION], p, &d->solution));
    TRY(decode_stakeholders(&w, f[D_STAKEHOLDERS], p, d));
    TRY(decode_relationships(&w, f[D_RELATIONSHIPS], p, d, &ids));
    TRY(decode_override(&w, f[D_OVERRIDE], d));
    TRY(check_references(&w, d, ids));
    count_coverage(d);
    return 0;
}
