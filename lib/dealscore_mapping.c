/* dealscore_mapping.c: mapping files and rows to JSON; see dealscore_mapping.h.
 *
 * A mapping is checked when it is loaded (every key, every column spec), so a
 * typo in a mapping is a setup error naming the key, not a surprise per row. */
#include "dealscore_mapping.h"
#include "ds_fields.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ds_buf.h"
#include "ds_date.h"
#include "ds_idset.h"
#include "ds_json.h"

enum kind { K_STRING, K_NUMBER, K_BOOL, K_DATE, K_LIST };

typedef struct field_type {
    const char *path;
    enum kind kind;
} field_type;

/* The fields of deal.schema.json a column may fill, with their types: the
 * deal's vocabulary (core/ds_fields.h), objects flattened to dotted paths. */
#define CSV_KIND_ID K_STRING
#define CSV_KIND_STRING K_STRING
#define CSV_KIND_ENUM K_STRING
#define CSV_KIND_SELECT K_STRING
#define CSV_KIND_HINT K_STRING
#define CSV_KIND_NUMBER K_NUMBER
#define CSV_KIND_BOOL K_BOOL
#define CSV_KIND_DATE K_DATE
#define CSV_KIND_LIST K_LIST
/* CSV_FIELDn(prefix, name, key, kind): a value, or the fields of the object
 * `name`; one family per depth of nesting, as a macro is not expanded again
 * inside its own expansion */
#define CSV_FIELD1(prefix, name, key, kind) CSV_FIELD1_##kind(prefix, name, key, kind)
#define CSV_FIELD1_ID CSV_VALUE
#define CSV_FIELD1_STRING CSV_VALUE
#define CSV_FIELD1_ENUM CSV_VALUE
#define CSV_FIELD1_SELECT CSV_VALUE
#define CSV_FIELD1_HINT CSV_VALUE
#define CSV_FIELD1_NUMBER CSV_VALUE
#define CSV_FIELD1_BOOL CSV_VALUE
#define CSV_FIELD1_DATE CSV_VALUE
#define CSV_FIELD1_LIST(prefix, name, key, kind) CSV_LIST_##prefix##name
#define CSV_FIELD1_OBJECT(prefix, name, key, kind) CSV_OBJECT_##prefix##name
#define CSV_FIELD2(prefix, name, key, kind) CSV_FIELD2_##kind(prefix, name, key, kind)
#define CSV_FIELD2_ID CSV_VALUE
#define CSV_FIELD2_STRING CSV_VALUE
#define CSV_FIELD2_ENUM CSV_VALUE
#define CSV_FIELD2_SELECT CSV_VALUE
#define CSV_FIELD2_HINT CSV_VALUE
#define CSV_FIELD2_NUMBER CSV_VALUE
#define CSV_FIELD2_BOOL CSV_VALUE
#define CSV_FIELD2_DATE CSV_VALUE
#define CSV_FIELD2_LIST(prefix, name, key, kind) CSV_LIST_##prefix##name
#define CSV_FIELD2_OBJECT(prefix, name, key, kind) CSV_OBJECT_##prefix##name
#define CSV_FIELD3(prefix, name, key, kind) CSV_FIELD3_##kind(prefix, name, key, kind)
#define CSV_FIELD3_ID CSV_VALUE
#define CSV_FIELD3_STRING CSV_VALUE
#define CSV_FIELD3_ENUM CSV_VALUE
#define CSV_FIELD3_SELECT CSV_VALUE
#define CSV_FIELD3_HINT CSV_VALUE
#define CSV_FIELD3_NUMBER CSV_VALUE
#define CSV_FIELD3_BOOL CSV_VALUE
#define CSV_FIELD3_DATE CSV_VALUE
#define CSV_FIELD3_LIST(prefix, name, key, kind) CSV_LIST_##prefix##name
#define CSV_FIELD3_OBJECT(prefix, name, key, kind) CSV_OBJECT_##prefix##name
#define CSV_VALUE(prefix, name, key, kind) {CSV_PATH_##prefix key, CSV_KIND_##kind},
#define CSV_PATH_DEAL_
#define CSV_PATH_SOL_ "solution."
#define CSV_PATH_MEAS_ "solution.measurable."
#define CSV_PATH_OVR_ "override."
#define CSV_PATH_SH_
#define CSV_PATH_BEN_ "benefits."
#define CSV_PATH_CONV_ "convinced."
#define CSV_PATH_REL_
#define CSV_DEAL(name, key, kind) CSV_FIELD1(DEAL_, name, key, kind)
#define CSV_SOL(name, key, kind) CSV_FIELD2(SOL_, name, key, kind)
#define CSV_MEAS(name, key, kind) CSV_FIELD3(MEAS_, name, key, kind)
#define CSV_OVR(name, key, kind) CSV_FIELD2(OVR_, name, key, kind)
#define CSV_SH(name, key, kind) CSV_FIELD1(SH_, name, key, kind)
#define CSV_BEN(name, key, kind) CSV_FIELD2(BEN_, name, key, kind)
#define CSV_CONV(name, key, kind) CSV_FIELD2(CONV_, name, key, kind)
#define CSV_REL(name, key, kind) CSV_FIELD1(REL_, name, key, kind)
#define CSV_OBJECT_DEAL_SOLUTION DS_SOLUTION_KEYS(CSV_SOL)
#define CSV_OBJECT_DEAL_OVERRIDE DS_OVERRIDE_KEYS(CSV_OVR)
#define CSV_OBJECT_SOL_MEASURABLE DS_MEASURABLE_KEYS(CSV_MEAS)
#define CSV_OBJECT_SOL_INFERRED /* any inferred.* path: known_field */
#define CSV_OBJECT_SH_BENEFITS DS_BENEFITS_KEYS(CSV_BEN)
#define CSV_OBJECT_SH_CONVINCED DS_CONVINCED_KEYS(CSV_CONV)
#define CSV_OBJECT_SH_INFERRED
#define CSV_LIST_DEAL_STAKEHOLDERS /* tables of their own */
#define CSV_LIST_DEAL_RELATIONSHIPS
#define CSV_LIST_SH_ROLES {"roles", K_LIST},

static const field_type deal_fields[] = {DS_DEAL_KEYS(CSV_DEAL){NULL, K_STRING}};
static const field_type stakeholder_fields[] = {DS_STAKEHOLDER_KEYS(CSV_SH){NULL, K_STRING}};
static const field_type relationship_fields[] = {DS_RELATIONSHIP_KEYS(CSV_REL){NULL, K_STRING}};

static const field_type *const table_fields[] = {deal_fields, stakeholder_fields,
                                                 relationship_fields, stakeholder_fields};
static const char *const table_names[] = {"deals", "stakeholders", "relationships", "contacts"};

static enum kind kind_of(dscsv_table t, const char *path) {
    for (const field_type *f = table_fields[t]; f->path; f++)
        if (strcmp(f->path, path) == 0) return f->kind;
    return K_STRING;
}

/* Whether a column may fill path: a field of the table, or a member of an
 * `inferred` object (docs/model.md: which value was inferred from what). */
static bool known_field(dscsv_table t, const char *path) {
    for (const field_type *f = table_fields[t]; f->path; f++)
        if (strcmp(f->path, path) == 0) return true;
    return strncmp(path, "inferred.", 9) == 0 ||
           (t == DSCSV_DEALS && strncmp(path, "solution.inferred.", 18) == 0);
}

/* Edit distance of a and b, ignoring case (short strings: names of keys and
 * columns): insertions, deletions, substitutions and swaps of two neighbours
 * ("levle" is one from "level"); 99 for long strings. */
static int distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return 99;
    int rows[3][65], *prev2 = rows[0], *prev = rows[1], *row = rows[2];
    for (size_t j = 0; j <= m; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
            int best = prev[j - 1] + (ai != bj);
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == bj && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            row[j] = best;
        }
        int *t = prev2;
        prev2 = prev, prev = row, row = t;
    }
    return prev[m];
}

/* The candidate closest to s, when close enough to be a typo of it: one edit in
 * a name of up to six letters (two would make "Stance" of "Stage", "Role" of
 * "Rule"), else a third of its length, at most three. */
static const char *closest(const char *s, const char *const *candidates, int n) {
    const char *best = NULL;
    size_t len = strlen(s);
    int best_d = 99, limit = len <= 6 ? 1 : (int)len / 3 + 1;
    if (limit > 3) limit = 3;
    for (int i = 0; i < n; i++) {
        int d = distance(s, candidates[i]);
        if (d < best_d) best_d = d, best = candidates[i];
    }
    return best_d <= limit ? best : NULL;
}

static void did_you_mean(char *out, size_t len, const char *s, const char *const *candidates,
                         int n) {
    const char *c = closest(s, candidates, n);
    if (c)
        snprintf(out, len, " (did you mean \"%s\"?)", c);
    else
        out[0] = '\0';
}

static int field_names(dscsv_table t, const char **out, int max) {
    int n = 0;
    for (const field_type *f = table_fields[t]; f->path && n < max; f++) out[n++] = f->path;
    return n;
}

struct dscsv_mapping {
    cJSON *json;
    const cJSON *empty; /* cell values read as empty, e.g. "#N/A" */
    char thousands;     /* thousands separator to drop from numbers, or 0 */
    char decimal;       /* the decimal mark: '.' (default) or ',' */
    bool optional;      /* all_columns_optional: a missing column is no news */
    const char *date_format;
    bool date_forced; /* --date-format: over every column's own date_format too */
};

/* One column as the mapping says, bound to its place in the header. */
typedef struct column {
    const char *header;
    int index;
    bool custom;       /* not in the mapping: kept under its header name */
    const char *field; /* target path, or NULL for value fragments only */
    enum kind kind;
    const cJSON *values;   /* translations, or NULL */
    const cJSON *fallback; /* the translation of values not listed, or NULL */
    const char *split;     /* list separator */
    const char *join;      /* appended to what the field holds, with this between */
    const char *date_format;
    bool repeated; /* a custom column whose header an earlier column has */
    int dup_of;    /* a mapped column's second copy: the first's index + 1, else 0 */
    bool unnamed;  /* an empty header cell: kept as custom field "column N" */
} column;

/* A column the mapping names, in a hash table keyed by its name as a person
 * means it (see normalise_name), so binding a header of a million columns costs
 * a million lookups of constant time. */
typedef struct named {
    const char *name; /* as the mapping spells it */
    char *norm;
    uint64_t hash;
    const cJSON *spec;
    int found; /* the header column bound to it, or -1 */
} named;

struct dscsv_columns {
    const dscsv_mapping *mapping;
    dscsv_table table;
    const char *file;
    column *columns;
    int n;
    int key;                    /* the deal id column */
    const char *deal_separator; /* several deal ids in one key cell */
    char **headers;             /* owned copies of the header cells */
    named *named;               /* the mapping's columns */
    int n_named;
    size_t *slots, mask; /* hash table of named: index + 1, 0 = empty */
    size_t max_row;      /* the row limit, for too_large messages */
};

/* ---- loading ---- */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A key that is none of keys: an error naming it, and the key meant. */
static int unknown_key(char *err, size_t errlen, const char *where, const char *key,
                       const char *const *keys) {
    int n = 0;
    while (keys[n]) n++;
    char hint[100];
    did_you_mean(hint, sizeof hint, key, keys, n);
    return fail(err, errlen, "%s%s\"%s\": unknown key%s", where, where[0] ? "." : "", key, hint);
}

/* A target must be a field of the table: a typo would silently drop the value. */
static int check_target(dscsv_table t, const char *path, const char *where, char *err,
                        size_t errlen) {
    if (known_field(t, path)) return 0;
    const char *names[64];
    int n = field_names(t, names, 64);
    char hint[100];
    did_you_mean(hint, sizeof hint, path, names, n);
    return fail(err, errlen, "%s: \"%s\" is not a field of %s%s (docs/csv.md lists them)", where,
                path,
                t == DSCSV_DEALS           ? "a deal"
                : t == DSCSV_RELATIONSHIPS ? "a relationship"
                                           : "a stakeholder",
                hint);
}

/* A translation that is an object sets fields of the row: each must be one. */
static int check_fragment(dscsv_table t, const cJSON *fragment, const char *where, char *err,
                          size_t errlen) {
    if (!cJSON_IsObject(fragment)) return 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, fragment) {
        if (check_target(t, item->string, where, err, errlen) < 0) return -1;
    }
    return 0;
}

static int check_spec(dscsv_table t, const cJSON *spec, const char *where, char *err,
                      size_t errlen) {
    if (cJSON_IsString(spec)) return check_target(t, spec->valuestring, where, err, errlen);
    if (!cJSON_IsObject(spec))
        return fail(err, errlen, "%s: a column takes a field name or an object", where);
    static const char *const keys[] = {"field",       "values",  "split", "join",
                                       "date_format", "default", NULL};
    const cJSON *item;
    cJSON_ArrayForEach(item, spec) {
        int k = ds_enum_lookup(keys, item->string);
        if (k < 0) return unknown_key(err, errlen, where, item->string, keys);
        if (k == 5) { /* default: any value a translation could give */
            if (check_fragment(t, item, where, err, errlen) < 0) return -1;
            continue;
        }
        if (k == 1 ? !cJSON_IsObject(item) : !cJSON_IsString(item))
            return fail(err, errlen, "%s.%s: must be %s", where, item->string,
                        k == 1 ? "an object" : "a string");
        if (k == 0 && check_target(t, item->valuestring, where, err, errlen) < 0) return -1;
        if (k == 1) {
            const cJSON *v;
            cJSON_ArrayForEach(v, item) {
                if (check_fragment(t, v, where, err, errlen) < 0) return -1;
            }
        }
    }
    if (!cJSON_GetObjectItemCaseSensitive(spec, "field") &&
        !cJSON_GetObjectItemCaseSensitive(spec, "values"))
        return fail(err, errlen, "%s: names neither a field nor values", where);
    return 0;
}

static int check_table(const cJSON *table, dscsv_table t, char *err, size_t errlen) {
    const char *name = table_names[t];
    if (!table) return 0;
    if (!cJSON_IsObject(table)) return fail(err, errlen, "%s: must be an object", name);
    /* inferred, lookups, evidence: read and checked by dealscore_crm.c */
    /* contact_ids, contact_separator: read and checked by dealscore_crm.c too */
    static const char *const keys[] = {"key",         "deal_separator",    "columns",
                                       "inferred",    "lookups",           "evidence",
                                       "contact_ids", "contact_separator", NULL};
    const cJSON *item;
    cJSON_ArrayForEach(item, table) {
        if (ds_enum_lookup(keys, item->string) < 0)
            return unknown_key(err, errlen, name, item->string, keys);
    }
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(table, "key");
    if (!cJSON_IsString(key))
        return fail(err, errlen, "%s.key: the column holding the deal id is missing", name);
    const cJSON *sep = cJSON_GetObjectItemCaseSensitive(table, "deal_separator");
    if (sep && (!cJSON_IsString(sep) || !sep->valuestring[0]))
        return fail(err, errlen, "%s.deal_separator: must be a non-empty string", name);
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive(table, "columns");
    if (!cJSON_IsObject(columns)) return fail(err, errlen, "%s.columns: must be an object", name);
    const cJSON *spec;
    char where[300];
    cJSON_ArrayForEach(spec, columns) {
        snprintf(where, sizeof where, "%s.columns.\"%s\"", name, spec->string);
        if (check_spec(t, spec, where, err, errlen) < 0) return -1;
    }
    return 0;
}

static const char *const top_keys[] = {"name",          "description",
                                       "empty",         "thousands",
                                       "decimal",       "date_format",
                                       "deals",         "stakeholders",
                                       "relationships", "all_columns_optional",
                                       "contacts",      "titles",
                                       "report_footer", NULL};

/* The top level; "" when it is sound, else the message in inner. */
static void check_top(dscsv_mapping *m, const cJSON *json, char *inner, size_t len) {
    const cJSON *item;
    cJSON_ArrayForEach(item, json) {
        if (ds_enum_lookup(top_keys, item->string) < 0) {
            unknown_key(inner, len, "", item->string, top_keys);
            return;
        }
    }
    m->empty = cJSON_GetObjectItemCaseSensitive(json, "empty");
    const cJSON *th = cJSON_GetObjectItemCaseSensitive(json, "thousands");
    const cJSON *dec = cJSON_GetObjectItemCaseSensitive(json, "decimal");
    const cJSON *df = cJSON_GetObjectItemCaseSensitive(json, "date_format");
    m->date_format = cJSON_IsString(df) ? df->valuestring : "YYYY-MM-DD";
    if (m->empty && !cJSON_IsArray(m->empty))
        fail(inner, len, "empty: must be an array of strings");
    else if (th && (!cJSON_IsString(th) || strlen(th->valuestring) != 1))
        fail(inner, len, "thousands: must be one character");
    else if (dec && (!cJSON_IsString(dec) ||
                     (strcmp(dec->valuestring, ".") != 0 && strcmp(dec->valuestring, ",") != 0)))
        fail(inner, len, "decimal: must be \".\" or \",\"");
    else if (df && !cJSON_IsString(df))
        fail(inner, len, "date_format: must be a string");
    else if (cJSON_GetObjectItemCaseSensitive(json, "all_columns_optional") &&
             !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(json, "all_columns_optional")))
        fail(inner, len, "all_columns_optional: must be true or false");
    else {
        m->thousands = th ? th->valuestring[0] : 0;
        m->decimal = dec ? dec->valuestring[0] : '.';
        m->optional = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "all_columns_optional"));
        if (m->thousands == m->decimal) fail(inner, len, "thousands and decimal are the same");
        for (int t = 0; t < 4 && !inner[0]; t++)
            check_table(cJSON_GetObjectItemCaseSensitive(json, table_names[t]), (dscsv_table)t,
                        inner, len);
    }
}

dscsv_mapping *dscsv_mapping_load(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, errlen, "mapping %s: %s", path, strerror(errno));
        return NULL;
    }
    ds_buf text;
    ds_buf_init(&text);
    ds_buf_read_file(&text, f);
    fclose(f);
    cJSON *json = cJSON_Parse(text.data);
    ds_buf_free(&text);
    dscsv_mapping *m = calloc(1, sizeof *m);
    char inner[400] = "";
    if (!m || !cJSON_IsObject(json)) {
        fail(inner, sizeof inner, "not a JSON object");
    } else {
        m->json = json;
        check_top(m, json, inner, sizeof inner);
    }
    if (inner[0]) {
        fail(err, errlen, "mapping %s: %s", path, inner);
        cJSON_Delete(json);
        free(m);
        return NULL;
    }
    return m;
}

bool dealscore_csv_date_format_ok(const char *fmt) {
    int y = 0, m = 0, d = 0;
    for (const char *p = fmt; *p;) {
        if (strncmp(p, "YYYY", 4) == 0)
            y++, p += 4;
        else if (*p == 'M')
            m++, p += strncmp(p, "MM", 2) == 0 ? 2 : 1;
        else if (*p == 'D')
            d++, p += strncmp(p, "DD", 2) == 0 ? 2 : 1;
        else if (isalnum((unsigned char)*p))
            return false;
        else
            p++;
    }
    return y == 1 && m == 1 && d == 1;
}

void dscsv_mapping_dates(dscsv_mapping *m, const char *date_format) {
    if (!date_format) return;
    m->date_format = date_format;
    m->date_forced = true;
}

void dscsv_mapping_numbers(dscsv_mapping *m, char decimal, char thousands) {
    if (decimal) m->decimal = decimal;
    if (thousands) m->thousands = thousands;
    if (decimal && !thousands && m->thousands == decimal) /* "," decimal, "," thousands */
        m->thousands = decimal == ',' ? '.' : ',';
}

const cJSON *dscsv_mapping_json(const dscsv_mapping *m) {
    return m->json;
}

void dscsv_mapping_free(dscsv_mapping *m) {
    if (!m) return;
    cJSON_Delete(m->json);
    free(m);
}

/* ---- binding to a header ---- */

static void bind_spec(column *c, dscsv_table t, const cJSON *spec, const dscsv_mapping *m) {
    c->date_format = m->date_format;
    if (cJSON_IsString(spec)) {
        c->field = spec->valuestring;
    } else {
        c->field = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "field"));
        c->values = cJSON_GetObjectItemCaseSensitive(spec, "values");
        c->fallback = cJSON_GetObjectItemCaseSensitive(spec, "default");
        c->split = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "split"));
        c->join = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "join"));
        const char *df =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "date_format"));
        if (df && !m->date_forced) c->date_format = df;
    }
    c->kind = c->field ? kind_of(t, c->field) : K_STRING;
    if (c->kind == K_LIST && !c->split) c->split = ";";
}

/* A name as a person means it: surrounding spaces dropped, case ignored, inner
 * runs of spaces as one ("  Close  date " is "close date"). */
static char *normalise_name(const char *s) {
    char *out = malloc(strlen(s) + 1);
    if (!out) return NULL;
    size_t o = 0;
    bool space = false;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
            space = o > 0;
            continue;
        }
        if (space) out[o++] = ' ';
        space = false;
        out[o++] = (char)tolower((unsigned char)*s);
    }
    out[o] = '\0';
    return out;
}

static int index_names(dscsv_columns *c, const cJSON *specs) {
    int n = cJSON_GetArraySize(specs);
    c->named = calloc((size_t)(n ? n : 1), sizeof *c->named);
    size_t cap = 16;
    while (cap < (size_t)n * 2) cap *= 2;
    c->slots = calloc(cap, sizeof *c->slots);
    c->mask = cap - 1;
    if (!c->named || !c->slots) return -1;
    const cJSON *spec;
    cJSON_ArrayForEach(spec, specs) {
        named *e = &c->named[c->n_named];
        e->name = spec->string;
        e->spec = spec;
        e->found = -1;
        if (!(e->norm = normalise_name(spec->string))) return -1;
        e->hash = ds_idset_hash(e->norm);
        size_t j = e->hash & c->mask;
        while (c->slots[j]) j = (j + 1) & c->mask;
        c->slots[j] = (size_t)++c->n_named;
    }
    return 0;
}

/* The mapping's column for a header cell: its exact name first, else the same
 * name as a person means it. NULL when the mapping does not name it. */
static named *lookup_name(const dscsv_columns *c, const char *header, const char *norm,
                          uint64_t hash) {
    named *loose = NULL;
    for (size_t j = hash & c->mask; c->slots[j]; j = (j + 1) & c->mask) {
        named *e = &c->named[c->slots[j] - 1];
        if (e->hash != hash || strcmp(e->norm, norm) != 0) continue;
        if (strcmp(e->name, header) == 0) return e;
        if (!loose) loose = e;
    }
    return loose;
}

static void columns_fail(dscsv_columns *c, char *err, size_t errlen, const char *message) {
    fail(err, errlen, "%s", message);
    dscsv_columns_free(c);
}

/* The header names, for "did you mean" (only for headers of a sane width). */
static int header_candidates(const dscsv_columns *c, const char **out, int max, bool unmapped) {
    int n = 0;
    for (int i = 0; i < c->n && n < max; i++)
        if (!unmapped || c->columns[i].custom) out[n++] = c->columns[i].header;
    return n;
}

static void missing_key(dscsv_columns *c, const char *key, const dscsv_row *header, char *err,
                        size_t errlen) {
    const char *names[2000];
    int n = header_candidates(c, names, 2000, false);
    char hint[200];
    did_you_mean(hint, sizeof hint, key, names, n);
    char message[1200];
    int len = snprintf(message, sizeof message,
                       "%s:%ld: no column \"%s\" (the deal id, as the mapping's %s.key says)%s; "
                       "the header has %d column%s, the first \"%.60s\"",
                       c->file, header->n ? header->line[0] : 1L, key, table_names[c->table], hint,
                       header->n, header->n == 1 ? "" : "s", header->n ? header->field[0] : "");
    /* a contacts export given as the stakeholders, where the deals list their
     * contacts (HubSpot's Associated Contact IDs): say which option takes it */
    const cJSON *deals = cJSON_GetObjectItemCaseSensitive(c->mapping->json, "deals");
    const char *ids = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(deals, "contact_ids"));
    const cJSON *contacts = cJSON_GetObjectItemCaseSensitive(c->mapping->json, "contacts");
    const char *contact_key =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(contacts, "key"));
    bool contact_file = false;
    for (int i = 0; contact_key && i < header->n && !contact_file; i++) {
        char *norm = normalise_name(header->field[i]), *want = normalise_name(contact_key);
        contact_file = norm && want && strcmp(norm, want) == 0;
        free(norm);
        free(want);
    }
    if (c->table == DSCSV_STAKEHOLDERS && ids && contact_file && len > 0 &&
        (size_t)len < sizeof message)
        snprintf(message + len, sizeof message - len,
                 ". Is it a contacts export without deal ids? When the deals file lists each "
                 "deal's contacts (\"%.60s\"), give the contacts with --contacts instead",
                 ids);
    columns_fail(c, err, errlen, message);
}

/* What to do about bytes that are not UTF-8: name the encoding, or, when the
 * file's UTF-8 byte order mark won over the one named, say that the mark is
 * wrong (the bytes are not UTF-8 after all). */
static void encoding_fix(char *out, size_t len, const dscsv_row *row) {
    if (row->utf8_over)
        snprintf(out, len,
                 "the input was read as UTF-8, not as --encoding %.40s, because its first "
                 "64 KiB are UTF-8 (see the warning above): it mixes encodings; save it in one",
                 row->utf8_over);
    else if (row->bom_over)
        snprintf(out, len,
                 "the file begins with a UTF-8 byte order mark, which wins over --encoding "
                 "%.40s: remove the mark or save as UTF-8",
                 row->bom_over);
    else
        snprintf(out, len,
                 "give the file's encoding, e.g. --encoding windows-1252 (Excel) or "
                 "latin1");
}

static void name_unnamed(dscsv_columns *c, int i);

dscsv_columns *dscsv_columns_bind(const dscsv_mapping *m, dscsv_table t, const dscsv_row *header,
                                  const char *file, char *err, size_t errlen) {
    const cJSON *table = cJSON_GetObjectItemCaseSensitive(m->json, table_names[t]);
    if (!table) {
        fail(err, errlen, "%s: the mapping has no \"%s\" section", file, table_names[t]);
        return NULL;
    }
    const char *key = cJSON_GetObjectItemCaseSensitive(table, "key")->valuestring;
    const cJSON *specs = cJSON_GetObjectItemCaseSensitive(table, "columns");
    dscsv_columns *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->mapping = m;
    c->table = t;
    c->file = file;
    c->n = header->n;
    c->key = -1;
    c->deal_separator =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(table, "deal_separator"));
    c->columns = calloc((size_t)header->n + 1, sizeof *c->columns);
    c->headers = calloc((size_t)header->n + 1, sizeof *c->headers);
    char *key_norm = normalise_name(key);
    ds_idset seen;
    ds_idset_init(&seen);
    if (!c->columns || !c->headers || !key_norm || index_names(c, specs) < 0) {
        free(key_norm);
        ds_idset_free(&seen);
        columns_fail(c, err, errlen, "out of memory");
        return NULL;
    }
    if (header->bad_field >= 0) {
        char message[600];
        char fix[300];
        encoding_fix(fix, sizeof fix, header);
        snprintf(message, sizeof message,
                 "%s:%ld column %d: the header is not UTF-8 (byte %zu); %s", file,
                 header->line[header->bad_field], header->bad_field + 1, header->bad_byte + 1, fix);
        free(key_norm);
        ds_idset_free(&seen);
        columns_fail(c, err, errlen, message);
        return NULL;
    }
    int key_loose = -1;
    for (int i = 0; i < header->n; i++) {
        column *col = &c->columns[i];
        c->headers[i] = strdup(header->field[i]);
        col->header = c->headers[i] ? c->headers[i] : "";
        col->index = i;
        char *norm = normalise_name(col->header);
        if (!norm) continue;
        uint64_t hash = ds_idset_hash(norm);
        if (strcmp(col->header, key) == 0 && c->key < 0) c->key = i;
        if (strcmp(norm, key_norm) == 0 && key_loose < 0) key_loose = i;
        named *e = lookup_name(c, col->header, norm, hash);
        if (e && e->found < 0) e->found = i;
        if (e) {
            /* a second column the mapping names (two "Close Date"): read with the
             * same field, the one not empty on each row (dscsv_columns_row) */
            bind_spec(col, t, e->spec, m);
            if (e->found != i) col->dup_of = e->found + 1;
        } else if (!col->header[0]) {
            name_unnamed(c, i);
        } else {
            col->custom = true;
            /* a second column of one name: one custom field, the first value not empty */
            col->repeated = ds_idset_add(&seen, ds_idset_hash(col->header));
        }
        free(norm);
    }
    free(key_norm);
    ds_idset_free(&seen);
    if (c->key < 0) c->key = key_loose;
    if (c->key < 0) {
        missing_key(c, key, header, err, errlen);
        return NULL;
    }
    column *kc = &c->columns[c->key];
    if (t == DSCSV_DEALS) {
        if (kc->custom) kc->custom = false, kc->repeated = false;
        if (!kc->field) kc->field = "id";
    } else {
        kc->custom = false;
    }
    return c;
}

/* An empty header cell: its cells are kept as the custom field "column N"
 * (a field named "" would be nobody's to read). */
static void name_unnamed(dscsv_columns *c, int i) {
    char name[32];
    snprintf(name, sizeof name, "column %d", i + 1);
    char *copy = strdup(name);
    if (!copy) return; /* left out: "" is not kept (dscsv_columns_row) */
    free(c->headers[i]);
    c->headers[i] = copy;
    c->columns[i].header = copy;
    c->columns[i].custom = c->columns[i].unnamed = true;
}

/* Says which header cells repeat a name (each pair once) or are empty. Empty
 * ones at the end of the header (a spreadsheet's trailing delimiters) are not
 * named. */
static void report_header(const dscsv_columns *c, const dscsv_say *say) {
    int last_named = -1;
    for (int i = 0; i < c->n; i++)
        if (!c->columns[i].unnamed) last_named = i;
    for (int i = 0; i < c->n; i++) {
        const column *col = &c->columns[i];
        if (col->unnamed && i < last_named)
            dscsv_sayf(say, DEALSCORE_CSV_WARNING,
                       "%s: column %d has no header; its cells are kept as the custom field "
                       "\"%s\"",
                       c->file, i + 1, col->header);
        if (col->dup_of)
            dscsv_sayf(say, DEALSCORE_CSV_WARNING,
                       "%s: columns %d and %d are both \"%s\"%s%s%s: each row's value is the "
                       "one of them that is not empty (a row where they differ is an error)",
                       c->file, col->dup_of, i + 1, col->header, col->field ? " (" : "",
                       col->field ? col->field : "", col->field ? ")" : "");
        for (int k = 0; col->repeated && k < i; k++)
            if (c->columns[k].custom && !c->columns[k].repeated &&
                strcmp(c->columns[k].header, col->header) == 0) {
                dscsv_sayf(say, DEALSCORE_CSV_WARNING,
                           "%s: columns %d and %d are both \"%s\": one custom field, the first "
                           "of them that is not empty on each row",
                           c->file, k + 1, i + 1, col->header);
                break;
            }
    }
}

/* Names up to 20 columns, then how many more. */
static void list_names(ds_buf *out, const char *const *names, int n) {
    for (int i = 0; i < n && i < 20; i++) ds_buf_printf(out, "%s\"%s\"", i ? ", " : "", names[i]);
    if (n > 20) ds_buf_printf(out, ", and %d more", n - 20);
}

int dscsv_columns_report(const dscsv_columns *c, const dscsv_say *say, bool verbose) {
    report_header(c, say);
    int missing = 0;
    for (int i = 0; i < c->n_named; i++) missing += c->named[i].found < 0;
    if (c->mapping->optional && !verbose) return missing;
    if (!missing && !verbose) return 0;
    const char **names = calloc((size_t)c->n + (size_t)c->n_named + 1, sizeof *names);
    if (!names) return missing;
    ds_buf line;
    ds_buf_init(&line);
    int n = 0;
    for (int i = 0; i < c->n_named; i++)
        if (c->named[i].found >= 0) names[n++] = c->columns[c->named[i].found].header;
    ds_buf_printf(&line, "%s: %d of the mapping's %d %s columns found: ", c->file, n, c->n_named,
                  table_names[c->table]);
    list_names(&line, names, n);
    if (!line.failed) dscsv_sayf(say, DEALSCORE_CSV_NOTE, "%s", line.data);
    /* the missing ones are listed by dscsv_crm_header(); here, the cell meant */
    const char *unmapped[2000];
    int u = missing ? header_candidates(c, unmapped, 2000, true) : 0;
    for (int i = 0; i < c->n_named && u; i++) {
        const named *e = &c->named[i];
        const char *meant = e->found < 0 ? closest(e->name, unmapped, u) : NULL;
        if (!meant) continue;
        const char *field =
            cJSON_IsString(e->spec)
                ? e->spec->valuestring
                : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e->spec, "field"));
        dscsv_sayf(say, DEALSCORE_CSV_NOTE,
                   "%s: mapped column \"%s\"%s%s%s is not in the file; did you mean \"%s\"?",
                   c->file, e->name, field ? " (" : "", field ? field : "", field ? ")" : "",
                   meant);
    }
    n = 0;
    int last_named = -1; /* trailing empty header cells are not listed */
    for (int i = 0; i < c->n; i++)
        if (!c->columns[i].unnamed) last_named = i;
    /* the deals' contact ids column is named (deals.contact_ids), though kept as a custom
     * field too */
    const cJSON *table = cJSON_GetObjectItemCaseSensitive(c->mapping->json, table_names[c->table]);
    const char *ids = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(table, "contact_ids"));
    char *ids_norm = ids ? normalise_name(ids) : NULL;
    for (int i = 0; i <= last_named; i++) {
        if (!c->columns[i].custom || c->columns[i].repeated) continue;
        char *norm = ids_norm ? normalise_name(c->columns[i].header) : NULL;
        bool named_ids = norm && strcmp(norm, ids_norm) == 0;
        free(norm);
        if (!named_ids) names[n++] = c->columns[i].header;
    }
    free(ids_norm);
    if (n) {
        ds_buf_clear(&line);
        ds_buf_printf(
            &line, "%s: file columns the mapping does not name (kept as custom fields): ", c->file);
        list_names(&line, names, n);
        if (!line.failed) dscsv_sayf(say, DEALSCORE_CSV_NOTE, "%s", line.data);
    }
    ds_buf_free(&line);
    free(names);
    return missing;
}

void dscsv_columns_set_limit(dscsv_columns *c, size_t max_row) {
    c->max_row = max_row;
}

void dscsv_columns_free(dscsv_columns *c) {
    if (!c) return;
    for (int i = 0; c->headers && i < c->n; i++) free(c->headers[i]);
    for (int i = 0; i < c->n_named; i++) free(c->named[i].norm);
    free(c->named);
    free(c->slots);
    free(c->headers);
    free(c->columns);
    free(c);
}

static const char *const footer_starts[] = {"total",        "grand total", "subtotal",
                                            "confidential", "copyright",   "generated",
                                            "filtered by",  "report",      NULL};

static bool footer_text(const char *s) {
    while (*s == ' ' || *s == '"') s++;
    for (int i = 0; footer_starts[i]; i++)
        if (strncasecmp(s, footer_starts[i], strlen(footer_starts[i])) == 0) return true;
    return false;
}

static bool blank(const char *s) {
    return s[strspn(s, " \t\r\n")] == '\0';
}

bool dscsv_columns_footer(const dscsv_columns *c, const dscsv_row *row) {
    if (row->too_large) return false;
    int nonempty = 0, first = -1;
    for (int i = 0; i < row->n; i++) {
        if (blank(row->field[i])) continue;
        if (first < 0) first = i;
        nonempty++;
    }
    if (nonempty == 0) return true; /* a row of delimiters only */
    bool key_empty = c->key >= row->n || blank(row->field[c->key]);
    if (!key_empty && c->key != first) return false; /* a deal id: a row to read */
    if (footer_text(row->field[first])) return true;
    return nonempty == 1 && key_empty && c->n > 1;
}

/* ---- cells ---- */

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

static bool is_empty(const dscsv_mapping *m, const char *s) {
    if (!*s) return true;
    const cJSON *e;
    cJSON_ArrayForEach(e, m->empty) if (cJSON_IsString(e) &&
                                        strcmp(e->valuestring, s) == 0) return true;
    return false;
}

char **dscsv_columns_deal_ids(const dscsv_columns *c, const dscsv_row *row, int *count) {
    *count = 0;
    if (c->key >= row->n) return NULL;
    char *cell = trim(row->field[c->key]);
    if (is_empty(c->mapping, cell)) return NULL;
    int cap = 1;
    for (const char *s = cell; c->deal_separator && (s = strstr(s, c->deal_separator)); s++) cap++;
    char **ids = calloc((size_t)cap, sizeof *ids);
    if (!ids) return NULL;
    char *rest = cell;
    for (;;) {
        char *sep = c->deal_separator ? strstr(rest, c->deal_separator) : NULL;
        if (sep) *sep = '\0';
        char *id = trim(rest);
        if (!is_empty(c->mapping, id)) ids[(*count)++] = id;
        if (!sep) break;
        rest = sep + strlen(c->deal_separator);
    }
    return ids;
}

const char *dscsv_columns_header(const dscsv_columns *c, int i) {
    return c && i >= 0 && i < c->n ? c->columns[i].header : NULL;
}

const char *dscsv_columns_key(const dscsv_columns *c, int *index) {
    *index = c->key;
    return c->columns[c->key].header;
}

/* Whether s is a number as JSON writes it (RFC 8259 section 6). */
static bool json_number(const char *s) {
    if (*s == '-') s++;
    if (*s == '0')
        s++;
    else if (isdigit((unsigned char)*s))
        while (isdigit((unsigned char)*s)) s++;
    else
        return false;
    if (*s == '.') {
        if (!isdigit((unsigned char)*++s)) return false;
        while (isdigit((unsigned char)*s)) s++;
    }
    if (*s == 'e' || *s == 'E') {
        if (*++s == '+' || *s == '-') s++;
        if (!isdigit((unsigned char)*s)) return false;
        while (isdigit((unsigned char)*s)) s++;
    }
    return *s == '\0';
}

/* The currency around an amount: "$", "US$", "€", "£", "¥", "₹", "CHF", "USD ",
 * " EUR". Returns the bytes of s it takes from the front (front) or the back. */
static size_t currency_len(const char *s, size_t n, bool front) {
    static const char *const symbols[] = {"US$",
                                          "A$",
                                          "C$",
                                          "R$",
                                          "$",
                                          "\xE2\x82\xAC" /* € */,
                                          "\xC2\xA3" /* £ */,
                                          "\xC2\xA5" /* ¥ */,
                                          "\xE2\x82\xB9" /* ₹ */,
                                          "\xE2\x82\xA9" /* ₩ */,
                                          "\xE2\x82\xBD" /* ₽ */,
                                          NULL};
    for (int i = 0; symbols[i]; i++) {
        size_t k = strlen(symbols[i]);
        if (k <= n && memcmp(front ? s : s + n - k, symbols[i], k) == 0) return k;
    }
    /* an ISO 4217 code: three capitals, apart from the digits */
    const char *c = front ? s : s + n - 3;
    if (n >= 4 && isupper((unsigned char)c[0]) && isupper((unsigned char)c[1]) &&
        isupper((unsigned char)c[2]))
        return 3;
    return 0;
}

/* A space between groups of digits: ASCII, no-break (U+00A0), narrow no-break
 * (U+202F), as French and Nordic locales write thousands. */
static size_t space_len(const char *s) {
    if (*s == ' ') return 1;
    if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0) return 2;
    if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0xAF)
        return 3;
    return 0;
}

/* A number as CRM exports and spreadsheets write it, into JSON number text:
 * a currency symbol or ISO code before or after it, a sign, thousands
 * separators, the decimal mark of the mapping ('.' or ','). An explicit
 * `thousands` character is dropped wherever it is; the other separators (the
 * mark that is not the decimal one, spaces, an apostrophe) only between groups
 * of three digits, so "1,5" with a decimal point is an error, not 15. */
static bool normalise_number(const char *s, const dscsv_mapping *m, char *out, size_t cap) {
    size_t n = strlen(s), k;
    while ((k = currency_len(s, n, true)) > 0 || (n && (k = space_len(s)) > 0)) s += k, n -= k;
    while (n && ((k = currency_len(s, n, false)) > 0 || s[n - 1] == ' ')) n -= k ? k : 1;
    while (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xA0) n -= 2;
    char decimal = m->decimal ? m->decimal : '.';
    char other = decimal == '.' ? ',' : '.';
    size_t o = 0;
    int group = -1; /* digits since the last separator; -1 before any */
    bool seen_decimal = false, exponent = false;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        char c = s[i];
        size_t sp = space_len(s + i);
        if (isdigit((unsigned char)c)) {
            out[o++] = c;
            if (group >= 0) group++;
            continue;
        }
        if (m->thousands && c == m->thousands && !seen_decimal && !exponent) continue;
        if (!seen_decimal && !exponent && (c == other || c == '\'' || sp)) {
            /* a grouping separator: the digits before it form a group */
            bool lead = o > 0 && isdigit((unsigned char)out[o - 1]);
            if (!lead || (group >= 0 && group != 3)) return false;
            if (group < 0) { /* the first group: 1 to 3 digits */
                size_t d = 0;
                while (d < o && isdigit((unsigned char)out[o - 1 - d])) d++;
                if (d > 3) return false;
            }
            group = 0;
            if (sp) i += sp - 1;
            continue;
        }
        if (group >= 0 && group != 3) return false; /* "1,23" is no grouping */
        group = -1;
        if (c == decimal && !seen_decimal && !exponent) {
            out[o++] = '.', seen_decimal = true;
        } else if ((c == 'e' || c == 'E') && o && !exponent) {
            out[o++] = 'e', exponent = true;
        } else if ((c == '-' || c == '+') && (o == 0 || out[o - 1] == 'e')) {
            out[o++] = c;
        } else {
            return false;
        }
    }
    if (group >= 0 && group != 3) return false;
    out[o] = '\0';
    return o > 0 && o + 2 < cap;
}

/* Most cells are already JSON numbers and go into the deal as their own text
 * (cJSON would print a double back with printf and check it with sscanf, which
 * costs more than scoring the stakeholder); others are converted. */
static cJSON *read_number(const char *s, const dscsv_mapping *m) {
    char buf[128];
    if (!normalise_number(s, m, buf, sizeof buf)) return NULL;
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    if (*end != '\0' || end == buf || !isfinite(d)) return NULL;
    return json_number(buf) ? cJSON_CreateRaw(buf) : cJSON_CreateNumber(d);
}

/* Whether a cell that is not a number looks like one with a decimal comma
 * ("607.000,00", "12,5"), for the hint in the error. */
static bool looks_decimal_comma(const char *s) {
    const char *comma = strrchr(s, ',');
    if (!comma || !isdigit((unsigned char)comma[1])) return false;
    size_t after = strspn(comma + 1, "0123456789");
    return after != 3 || strchr(s, '.') != NULL;
}

/* Excel writes its booleans in the language it runs in: WAHR/FALSCH (German),
 * VRAI/FAUX (French), VERDADERO/FALSO (Spanish), WAAR/ONWAAR (Dutch), and
 * people write Ja/Nein, Oui/Non. */
static int read_bool(const char *s) {
    static const char *const yes[] = {"true", "yes",  "y",         "1",    "x",   "wahr",
                                      "ja",   "vrai", "verdadero", "waar", "oui", NULL};
    static const char *const no[] = {"false", "no",    "n",   "0",      "falsch", "nein",
                                     "faux",  "falso", "non", "onwaar", NULL};
    for (int i = 0; yes[i]; i++)
        if (strcasecmp(s, yes[i]) == 0) return 1;
    for (int i = 0; no[i]; i++)
        if (strcasecmp(s, no[i]) == 0) return 0;
    return -1;
}

/* Reads s by a date format of YYYY, MM or M, DD or D and literal characters
 * into "YYYY-MM-DD"; a time after the date (" 09:30", "T09:30") is ignored. */
static bool read_date(const char *s, const char *fmt, char out[11]) {
    int y = -1, m = -1, d = -1;
    while (*fmt) {
        int *target = NULL, max = 2;
        size_t skip = 1;
        if (strncmp(fmt, "YYYY", 4) == 0)
            target = &y, max = 4, skip = 4;
        else if (strncmp(fmt, "MM", 2) == 0)
            target = &m, skip = 2;
        else if (strncmp(fmt, "DD", 2) == 0)
            target = &d, skip = 2;
        else if (*fmt == 'M')
            target = &m;
        else if (*fmt == 'D')
            target = &d;
        if (!target) {
            if (*s++ != *fmt++) return false;
            continue;
        }
        int v = 0, digits = 0;
        while (digits < max && isdigit((unsigned char)*s)) v = v * 10 + (*s++ - '0'), digits++;
        if (digits == 0 || (max == 4 && digits != 4)) return false;
        *target = v;
        fmt += skip;
    }
    if (*s && *s != ' ' && *s != 'T') return false;
    if (y < 0 || m < 0 || d < 0) return false;
    char text[32];
    int n = snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
    int days;
    if (n != 10 || !ds_date_parse(text, &days)) return false;
    memcpy(out, text, 11);
    return true;
}

/* ---- building the object ---- */

/* The object a dotted path's last part goes into, made on the way. */
static cJSON *parent_of(cJSON *obj, const char *path, const char **leaf) {
    char part[128];
    const char *dot;
    while ((dot = strchr(path, '.'))) {
        snprintf(part, sizeof part, "%.*s", (int)(dot - path), path);
        cJSON *next = cJSON_GetObjectItemCaseSensitive(obj, part);
        if (!cJSON_IsObject(next)) {
            cJSON_DeleteItemFromObjectCaseSensitive(obj, part);
            next = cJSON_AddObjectToObject(obj, part);
        }
        obj = next;
        path = dot + 1;
    }
    *leaf = path;
    return obj;
}

/* Sets path to v (taking it); arrays add to an array already there. */
static void set_path(cJSON *obj, const char *path, cJSON *v) {
    const char *leaf;
    cJSON *parent = parent_of(obj, path, &leaf);
    cJSON *old = cJSON_GetObjectItemCaseSensitive(parent, leaf);
    if (cJSON_IsArray(old) && cJSON_IsArray(v)) { /* lists add up, each item once */
        cJSON *item;
        while ((item = cJSON_DetachItemFromArray(v, 0))) {
            bool had = false;
            const cJSON *o;
            cJSON_ArrayForEach(o, old) had |= cJSON_Compare(o, item, true);
            if (had)
                cJSON_Delete(item);
            else
                cJSON_AddItemToArray(old, item);
        }
        cJSON_Delete(v);
    } else if (old) {
        cJSON_ReplaceItemInObjectCaseSensitive(parent, leaf, v);
    } else {
        cJSON_AddItemToObject(parent, leaf, v);
    }
}

/* Merges a translation's fragment {"roles": [...], "can_buy": true} into obj. */
static void merge_fragment(cJSON *obj, const cJSON *fragment) {
    const cJSON *item;
    cJSON_ArrayForEach(item, fragment) set_path(obj, item->string, cJSON_Duplicate(item, 1));
}

static const cJSON *translate(const cJSON *values, const char *cell) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, cell);
    return v ? v : cJSON_GetObjectItem(values, cell); /* then without case */
}

typedef struct cell_ctx {
    const dscsv_columns *c;
    const column *col;
    const dscsv_row *row;
    const char *path; /* of the row's object */
    ds_error *err;
    int bad;  /* cells of the row that could not be read so far */
    int left; /* of those, not named in err's message (it was full) */
} cell_ctx;

/* The first bad cell of a row sets err (its code and path; the message names
 * file, line, column); every later one is added to the message (line and
 * column), so that one error row names all that is wrong with the row. What
 * does not fit the message is counted, and the count said at the end. */
static void cell_errorv(cell_ctx *x, const char *code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void cell_errorv(cell_ctx *x, const char *code, const char *path, const char *fmt, ...) {
    char part[sizeof x->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(part, sizeof part, fmt, ap);
    va_end(ap);
    if (x->bad++ == 0) {
        ds_error_set(x->err, code, path, "%s:%s", x->c->file, part);
        return;
    }
    size_t len = strlen(x->err->message), n = strlen(part);
    if (x->left || len + 2 + n + 40 >= sizeof x->err->message) { /* room for the count */
        x->left++;
        return;
    }
    snprintf(x->err->message + len, sizeof x->err->message - len, "; line %s", part);
}

/* The end of a row's errors: how many were not named. */
static void cell_errors_end(cell_ctx *x) {
    size_t len = strlen(x->err->message);
    if (x->left)
        snprintf(x->err->message + len, sizeof x->err->message - len,
                 "; and %d more bad cell%s in the row", x->left, x->left == 1 ? "" : "s");
    ds_utf8_scrub(x->err->message);
}

static int cell_error(cell_ctx *x, const char *code, const char *cell, const char *what) {
    char path[256];
    snprintf(path, sizeof path, "%s%s%s", x->path, x->col->field ? "." : "",
             x->col->field ? x->col->field : "");
    cell_errorv(x, code, path, "%ld column %d (%.60s): '%.60s' is not %s",
                x->row->line[x->col->index], x->col->index + 1, x->col->header, cell, what);
    return -1;
}

/* The date format a cell that is not a date seems to be written in, when it is
 * day first (31.12.2026, 15/4/2027: what Excel and Salesforce write in most
 * locales outside the US) and the format read is not: for the hint in the error.
 * NULL when the cell does not say. */
static const char *day_first(const char *s, const char *fmt) {
    int a = 0, b = 0, na = 0, nb = 0, ny = 0;
    while (isdigit((unsigned char)*s)) a = a * 10 + (*s++ - '0'), na++;
    char sep = *s;
    if (na == 0 || na > 2 || (sep != '.' && sep != '/' && sep != '-')) return NULL;
    s++;
    while (isdigit((unsigned char)*s)) b = b * 10 + (*s++ - '0'), nb++;
    if (nb == 0 || nb > 2 || *s++ != sep) return NULL;
    while (isdigit((unsigned char)*s)) s++, ny++;
    if (ny != 4 || (*s && *s != ' ' && *s != 'T') || b < 1 || b > 12 || a < 1 || a > 31)
        return NULL;
    if (fmt[0] == 'D') return NULL;         /* the format is day first already: a bad date */
    if (sep == '/' && a <= 12) return NULL; /* may be month first: only the value is wrong */
    return sep == '.' ? "DD.MM.YYYY" : sep == '/' ? "DD/MM/YYYY" : "DD-MM-YYYY";
}

static void bad_date(cell_ctx *x, const char *cell) {
    const char *fmt = x->col->date_format, *hint = day_first(cell, fmt);
    char what[160];
    int n = strcmp(fmt, "YYYY-MM-DD") == 0
                ? snprintf(what, sizeof what, "a date (YYYY-MM-DD")
                : snprintf(what, sizeof what, "a date (%s, or YYYY-MM-DD", fmt);
    if (hint)
        snprintf(what + n, sizeof what - n, "; day first? give --date-format %s)", hint);
    else
        snprintf(what + n, sizeof what - n, ")");
    cell_error(x, "bad_date", cell, what);
}

/* A cell as the JSON value of its field's type; NULL with the error set. */
static cJSON *typed(cell_ctx *x, const char *cell) {
    cJSON *number;
    char date[11];
    int b;
    switch (x->col->kind) {
    case K_NUMBER:
        if (!(number = read_number(cell, x->c->mapping)))
            cell_error(x, "bad_type", cell,
                       cell[0] && cell[strlen(cell) - 1] == '%'
                           ? "a number, without a % sign (a share from 0 to 1: 80% is 0.8)"
                       : x->c->mapping->decimal != ',' && looks_decimal_comma(cell)
                           ? "a number (a decimal comma? give --decimal ',')"
                           : "a number");
        return number;
    case K_BOOL:
        if ((b = read_bool(cell)) < 0) {
            cell_error(x, "bad_type", cell, "true or false (yes/no, 1/0)");
            return NULL;
        }
        return cJSON_CreateBool(b);
    case K_DATE:
        if (!read_date(cell, x->col->date_format, date) && !read_date(cell, "YYYY-MM-DD", date)) {
            bad_date(x, cell);
            return NULL;
        }
        return cJSON_CreateString(date);
    default:
        return cJSON_CreateString(cell);
    }
}

/* One value (a whole cell, or one item of a list): translated, then typed. */
static int put_value(cell_ctx *x, cJSON *obj, char *cell) {
    const column *col = x->col;
    const cJSON *t = col->values ? translate(col->values, cell) : NULL;
    if (!t) t = col->fallback;
    if (cJSON_IsObject(t)) {
        merge_fragment(obj, t);
        return 0;
    }
    if (t && !cJSON_IsString(t)) { /* a number, boolean or list as it should be */
        if (col->field) set_path(obj, col->field, cJSON_Duplicate(t, 1));
        return 0;
    }
    const char *text = t ? t->valuestring : cell;
    if (!col->field) { /* a value the translations do not know: keep it, visibly */
        if (!cJSON_GetObjectItemCaseSensitive(obj, col->header))
            cJSON_AddStringToObject(obj, col->header, cell);
        return 0;
    }
    if (col->kind == K_LIST) {
        cJSON *list = cJSON_CreateArray();
        cJSON_AddItemToArray(list, cJSON_CreateString(text));
        set_path(obj, col->field, list);
        return 0;
    }
    cJSON *v = typed(x, text);
    if (!v) return -1;
    if (col->join) {
        const char *leaf;
        cJSON *parent = parent_of(obj, col->field, &leaf);
        const char *old = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(parent, leaf));
        if (old && cJSON_IsString(v)) {
            ds_buf b;
            ds_buf_init(&b);
            ds_buf_printf(&b, "%s%s%s", old, col->join, v->valuestring);
            cJSON_Delete(v);
            v = cJSON_CreateString(b.data);
            ds_buf_free(&b);
        }
    }
    set_path(obj, col->field, v);
    return 0;
}

static int put_cell(cell_ctx *x, cJSON *obj, char *cell) {
    if (!x->col->split) return put_value(x, obj, cell);
    if (x->col->kind == K_LIST && !cJSON_GetObjectItemCaseSensitive(obj, x->col->field))
        set_path(obj, x->col->field, cJSON_CreateArray()); /* "roles": [] even when unknown */
    char *rest = cell;
    for (;;) {
        char *sep = strstr(rest, x->col->split);
        if (sep) *sep = '\0';
        char *item = trim(rest);
        if (!is_empty(x->c->mapping, item) && put_value(x, obj, item) < 0) return -1;
        if (!sep) return 0;
        rest = sep + strlen(x->col->split);
    }
}

/* A row that cannot be read at all: too long, not UTF-8, too many fields. */
static bool row_unusable(const dscsv_columns *c, const dscsv_row *row, const char *path,
                         ds_error *err) {
    if (row->too_large) {
        bool mib = c->max_row >= (1u << 20);
        ds_error_set(err, "too_large", path,
                     "%s:%ld: the row is longer than %zu %s, a quarter of the memory one deal "
                     "may use (--max-deal-memory): it was skipped",
                     c->file, row->first_line, c->max_row >> (mib ? 20 : 10), mib ? "MiB" : "KiB");
        return true;
    }
    if (row->bad_field >= 0) {
        int i = row->bad_field;
        char fix[300];
        encoding_fix(fix, sizeof fix, row);
        ds_error_set(err, "bad_encoding", path,
                     "%s:%ld column %d (%.60s): byte %zu of the cell is not UTF-8; %s", c->file,
                     row->line[i], i + 1, i < c->n ? c->columns[i].header : "", row->bad_byte + 1,
                     fix);
        return true;
    }
    if (row->nul_field >= 0) { /* binary data, or a file cut and pasted together */
        int i = row->nul_field;
        ds_error_set(err, "bad_csv", path,
                     "%s:%ld column %d (%.60s): byte %zu of the cell is a NUL byte, which "
                     "text does not hold; the row is not read (is the file binary, or cut?)",
                     c->file, row->line[i], i + 1, i < c->n ? c->columns[i].header : "",
                     row->nul_byte + 1);
        return true;
    }
    /* more fields than the header: data with no column to go to, unless the extra
     * fields are empty (a spreadsheet's trailing delimiters) */
    for (int i = c->n; i < row->n; i++) {
        if (blank(row->field[i])) continue;
        ds_error_set(err, "bad_csv", path,
                     "%s:%ld column %d: the row has %d fields where the header has %d; "
                     "'%.40s' has no column",
                     c->file, row->line[i], i + 1, row->n, c->n, row->field[i]);
        return true;
    }
    return false;
}

/* Appends the custom fields after the mapped ones, in one step: a row of a
 * million custom columns costs linear time (no lookup per cell). */
static void append_list(cJSON *obj, cJSON *custom) {
    cJSON *first = custom->child;
    if (!first) return;
    cJSON *last = first->prev;
    custom->child = NULL;
    if (!obj->child) {
        obj->child = first;
    } else {
        cJSON *tail = obj->child->prev;
        tail->next = first;
        first->prev = tail;
        obj->child->prev = last;
    }
}

/* The currency an amount cell names: an ISO 4217 code before or after the digits
 * ("USD 1,353,000.00", as Salesforce writes amounts in a multi-currency org;
 * "90 CHF"), or a symbol that names one currency ("607.000,00 €", "£12"). "$"
 * and "¥" name several, so they say nothing. */
static bool amount_currency(const char *cell, char code[4]) {
    size_t n = strlen(cell);
    const char *end = cell + n;
    if (n >= 4 && isupper((unsigned char)cell[0]) && isupper((unsigned char)cell[1]) &&
        isupper((unsigned char)cell[2]) && !isalpha((unsigned char)cell[3])) {
        memcpy(code, cell, 3);
    } else if (n >= 4 && isupper((unsigned char)end[-3]) && isupper((unsigned char)end[-2]) &&
               isupper((unsigned char)end[-1]) && !isalpha((unsigned char)end[-4])) {
        memcpy(code, end - 3, 3);
    } else if (strstr(cell, "\xE2\x82\xAC")) { /* € */
        memcpy(code, "EUR", 3);
    } else if (strstr(cell, "\xC2\xA3")) { /* £ */
        memcpy(code, "GBP", 3);
    } else {
        return false;
    }
    code[3] = '\0';
    return true;
}

cJSON *dscsv_columns_row(const dscsv_columns *c, const dscsv_row *row, const char *path,
                         ds_error *err) {
    if (row_unusable(c, row, path, err)) return NULL;
    cJSON *obj = cJSON_CreateObject(), *custom = cJSON_CreateObject();
    int n = row->n < c->n ? row->n : c->n; /* missing trailing cells are empty */
    char code[4];
    bool has_code = false;
    cell_ctx x = {c, NULL, row, path, err, 0, 0};
    for (int i = 0; obj && custom && i < n; i++) {
        const column *col = &c->columns[i];
        if (i == c->key && c->table != DSCSV_DEALS) continue;
        char *cell = trim(row->field[i]);
        if (is_empty(c->mapping, cell)) continue;
        if (col->custom) {
            if (!col->repeated || !cJSON_GetObjectItemCaseSensitive(custom, col->header))
                cJSON_AddItemToObject(custom, col->header, cJSON_CreateString(cell));
            continue;
        }
        if (col->dup_of) {
            int f = col->dup_of - 1;
            char *first = f < n ? trim(row->field[f]) : "";
            if (!is_empty(c->mapping, first) && strcmp(first, cell) != 0) {
                cell_errorv(&x, "bad_csv", path,
                            "%ld columns %d and %d are both \"%.60s\" and differ ('%.40s' "
                            "and '%.40s'): which one holds the value is not known",
                            row->line[i], f + 1, i + 1, col->header, first, cell);
                continue;
            }
            if (!is_empty(c->mapping, first) || (f == c->key && c->table != DSCSV_DEALS)) continue;
        }
        if (c->table == DSCSV_DEALS && col->field && strcmp(col->field, "amount") == 0)
            has_code = amount_currency(cell, code);
        x.col = col;
        put_cell(&x, obj, cell); /* a bad cell is named; the next ones are read all the same */
    }
    if (x.bad) {
        cell_errors_end(&x);
        cJSON_Delete(obj);
        cJSON_Delete(custom);
        return NULL;
    }
    /* the amount's currency, when no currency column gives one: amounts in
     * several currencies are not one number */
    if (obj && has_code && !cJSON_GetObjectItemCaseSensitive(obj, "currency"))
        cJSON_AddStringToObject(obj, "currency", code);
    if (obj && custom) append_list(obj, custom);
    cJSON_Delete(custom);
    return obj;
}
