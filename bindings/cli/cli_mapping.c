/* cli_mapping.c: mapping files and rows to JSON; see cli_mapping.h.
 *
 * A mapping is checked when it is loaded (every key, every column spec), so a
 * typo in a mapping is a setup error naming the key, not a surprise per row. */
#include "cli_mapping.h"

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

enum kind { K_STRING, K_NUMBER, K_BOOL, K_DATE, K_LIST };

typedef struct field_type {
    const char *path;
    enum kind kind;
} field_type;

/* The deal fields of deal.schema.json that are not strings. */
static const field_type deal_fields[] = {{"amount", K_NUMBER},
                                         {"close_date", K_DATE},
                                         {"as_of", K_DATE},
                                         {"solution.for_it", K_BOOL},
                                         {"solution.capability", K_NUMBER},
                                         {"solution.strategic", K_NUMBER},
                                         {"solution.measurable.annual_benefit", K_NUMBER},
                                         {"solution.measurable.cost", K_NUMBER},
                                         {"solution.measurable.payback_months", K_NUMBER},
                                         {"solution.measurable.confidence", K_NUMBER},
                                         {"solution.it_workload", K_NUMBER},
                                         {"solution.it_burden_framed", K_BOOL},
                                         {"solution.it_career", K_NUMBER},
                                         {"solution.in_house_alternative", K_NUMBER},
                                         {"solution.data_readiness", K_NUMBER},
                                         {"solution.security_risk", K_NUMBER},
                                         {"solution.user_change", K_NUMBER},
                                         {"solution.user_transparency", K_NUMBER},
                                         {"solution.user_benefit", K_NUMBER},
                                         {"solution.users_consulted", K_BOOL},
                                         {"solution.prototype", K_BOOL},
                                         {"override.viability", K_NUMBER},
                                         {NULL, K_STRING}};

static const field_type stakeholder_fields[] = {{"roles", K_LIST},
                                                {"can_buy", K_BOOL},
                                                {"influence", K_NUMBER},
                                                {"stance", K_NUMBER},
                                                {"benefits.work", K_NUMBER},
                                                {"benefits.career", K_NUMBER},
                                                {"convinced.capability", K_BOOL},
                                                {"convinced.strategic", K_BOOL},
                                                {"convinced.measurable", K_BOOL},
                                                {"ai_interest", K_NUMBER},
                                                {"burden", K_NUMBER},
                                                {"credibility_threat", K_NUMBER},
                                                {"first_contact", K_DATE},
                                                {"last_contact", K_DATE},
                                                {"expectation_gap", K_NUMBER},
                                                {NULL, K_STRING}};

static const field_type relationship_fields[] = {{"strength", K_NUMBER}, {NULL, K_STRING}};

static const field_type *const table_fields[] = {deal_fields, stakeholder_fields,
                                                 relationship_fields, stakeholder_fields};
static const char *const table_names[] = {"deals", "stakeholders", "relationships", "contacts"};

static enum kind kind_of(cli_table t, const char *path) {
    for (const field_type *f = table_fields[t]; f->path; f++)
        if (strcmp(f->path, path) == 0) return f->kind;
    return K_STRING;
}

struct cli_mapping {
    cJSON *json;
    const cJSON *empty; /* cell values read as empty, e.g. "#N/A" */
    char thousands;     /* thousands separator to drop from numbers, or 0 */
    const char *date_format;
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
} column;

struct cli_columns {
    const cli_mapping *mapping;
    cli_table table;
    const char *file;
    column *columns;
    int n;
    int key;                    /* the deal id column */
    const char *deal_separator; /* several deal ids in one key cell */
    char **headers;             /* owned copies of the header cells */
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

static int check_spec(const cJSON *spec, const char *where, char *err, size_t errlen) {
    if (cJSON_IsString(spec)) return 0;
    if (!cJSON_IsObject(spec))
        return fail(err, errlen, "%s: a column takes a field name or an object", where);
    static const char *const keys[] = {"field",       "values",  "split", "join",
                                       "date_format", "default", NULL};
    const cJSON *item;
    cJSON_ArrayForEach(item, spec) {
        int k = ds_enum_lookup(keys, item->string);
        if (k < 0) return fail(err, errlen, "%s.%s: unknown key", where, item->string);
        if (k == 5) continue; /* default: any value a translation could give */
        if (k == 1 ? !cJSON_IsObject(item) : !cJSON_IsString(item))
            return fail(err, errlen, "%s.%s: must be %s", where, item->string,
                        k == 1 ? "an object" : "a string");
    }
    if (!cJSON_GetObjectItemCaseSensitive(spec, "field") &&
        !cJSON_GetObjectItemCaseSensitive(spec, "values"))
        return fail(err, errlen, "%s: names neither a field nor values", where);
    return 0;
}

static int check_table(const cJSON *table, const char *name, char *err, size_t errlen) {
    if (!table) return 0;
    if (!cJSON_IsObject(table)) return fail(err, errlen, "%s: must be an object", name);
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(table, "key");
    if (!cJSON_IsString(key))
        return fail(err, errlen, "%s.key: the column holding the deal id is missing", name);
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive(table, "columns");
    if (!cJSON_IsObject(columns)) return fail(err, errlen, "%s.columns: must be an object", name);
    const cJSON *spec;
    char where[300];
    cJSON_ArrayForEach(spec, columns) {
        snprintf(where, sizeof where, "%s.columns.\"%s\"", name, spec->string);
        if (check_spec(spec, where, err, errlen) < 0) return -1;
    }
    return 0;
}

cli_mapping *cli_mapping_load(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, errlen, "mapping %s: %s", path, strerror(errno));
        return NULL;
    }
    ds_buf text;
    ds_buf_init(&text);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) ds_buf_add(&text, buf, n);
    fclose(f);
    ds_buf_putc(&text, '\0');
    cJSON *json = cJSON_Parse(text.data);
    ds_buf_free(&text);
    cli_mapping *m = calloc(1, sizeof *m);
    char inner[400] = "";
    if (!m || !cJSON_IsObject(json)) {
        fail(inner, sizeof inner, "not a JSON object");
    } else {
        m->json = json;
        m->empty = cJSON_GetObjectItemCaseSensitive(json, "empty");
        const cJSON *th = cJSON_GetObjectItemCaseSensitive(json, "thousands");
        const cJSON *df = cJSON_GetObjectItemCaseSensitive(json, "date_format");
        m->date_format = cJSON_IsString(df) ? df->valuestring : "YYYY-MM-DD";
        if (m->empty && !cJSON_IsArray(m->empty))
            fail(inner, sizeof inner, "empty: must be an array of strings");
        else if (th && (!cJSON_IsString(th) || strlen(th->valuestring) != 1))
            fail(inner, sizeof inner, "thousands: must be one character");
        else if (df && !cJSON_IsString(df))
            fail(inner, sizeof inner, "date_format: must be a string");
        else {
            m->thousands = th ? th->valuestring[0] : 0;
            for (int t = 0; t < 4 && !inner[0]; t++)
                check_table(cJSON_GetObjectItemCaseSensitive(json, table_names[t]), table_names[t],
                            inner, sizeof inner);
        }
    }
    if (inner[0]) {
        fail(err, errlen, "mapping %s: %s", path, inner);
        cJSON_Delete(json);
        free(m);
        return NULL;
    }
    return m;
}

const cJSON *cli_mapping_json(const cli_mapping *m) {
    return m->json;
}

void cli_mapping_free(cli_mapping *m) {
    if (!m) return;
    cJSON_Delete(m->json);
    free(m);
}

/* ---- binding to a header ---- */

static void bind_spec(column *c, cli_table t, const cJSON *spec, const cli_mapping *m) {
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
        if (df) c->date_format = df;
    }
    c->kind = c->field ? kind_of(t, c->field) : K_STRING;
    if (c->kind == K_LIST && !c->split) c->split = ";";
}

cli_columns *cli_columns_bind(const cli_mapping *m, cli_table t, const cli_csv_row *header,
                              const char *file, char *err, size_t errlen) {
    const cJSON *table = cJSON_GetObjectItemCaseSensitive(m->json, table_names[t]);
    if (!table) {
        fail(err, errlen, "%s: the mapping has no \"%s\" section", file, table_names[t]);
        return NULL;
    }
    const char *key = cJSON_GetObjectItemCaseSensitive(table, "key")->valuestring;
    const cJSON *specs = cJSON_GetObjectItemCaseSensitive(table, "columns");
    cli_columns *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->mapping = m;
    c->table = t;
    c->file = file;
    c->n = header->n;
    c->key = -1;
    c->deal_separator =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(table, "deal_separator"));
    c->columns = calloc((size_t)header->n, sizeof *c->columns);
    c->headers = calloc((size_t)header->n, sizeof *c->headers);
    for (int i = 0; c->columns && c->headers && i < header->n; i++) {
        column *col = &c->columns[i];
        c->headers[i] = strdup(header->field[i]);
        col->header = c->headers[i] ? c->headers[i] : "";
        col->index = i;
        if (strcasecmp(col->header, key) == 0 && c->key < 0) {
            c->key = i;
            if (t == CLI_DEALS) bind_spec(col, t, cJSON_GetObjectItemCaseSensitive(specs, key), m);
            if (!col->field && t == CLI_DEALS) col->field = "id";
            continue;
        }
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(specs, col->header);
        if (!spec) spec = cJSON_GetObjectItem(specs, col->header); /* Data Loader: ID, NAME */
        if (spec)
            bind_spec(col, t, spec, m);
        else
            col->custom = col->header[0] != '\0';
    }
    if (!c->columns || !c->headers) {
        fail(err, errlen, "out of memory");
        cli_columns_free(c);
        return NULL;
    }
    if (c->key < 0) {
        fail(err, errlen, "%s:%ld: no column \"%s\" (the deal id, as the mapping's %s.key says)",
             file, header->n ? header->line[0] : 1L, key, table_names[t]);
        cli_columns_free(c);
        return NULL;
    }
    return c;
}

void cli_columns_free(cli_columns *c) {
    if (!c) return;
    for (int i = 0; c->headers && i < c->n; i++) free(c->headers[i]);
    free(c->headers);
    free(c->columns);
    free(c);
}

/* ---- cells ---- */

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

static bool is_empty(const cli_mapping *m, const char *s) {
    if (!*s) return true;
    const cJSON *e;
    cJSON_ArrayForEach(e, m->empty) if (cJSON_IsString(e) &&
                                        strcmp(e->valuestring, s) == 0) return true;
    return false;
}

char **cli_columns_deal_ids(const cli_columns *c, const cli_csv_row *row, int *count) {
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

/* A number as CRM exports write it: optional thousands separators, no units.
 * Most cells are already JSON numbers and go into the deal as their own text
 * (cJSON would print a double back with printf and check it with sscanf, which
 * costs more than scoring the stakeholder); others are converted. */
static cJSON *read_number(const char *s, char thousands) {
    char buf[128];
    size_t n = 0;
    for (; *s && n + 1 < sizeof buf; s++) {
        if (thousands && *s == thousands) continue;
        if (!strchr("0123456789+-.eE", *s)) return NULL;
        buf[n++] = *s;
    }
    if (*s || n == 0) return NULL;
    buf[n] = '\0';
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    if (*end != '\0' || !isfinite(d)) return NULL;
    return json_number(buf) ? cJSON_CreateRaw(buf) : cJSON_CreateNumber(d);
}

static int read_bool(const char *s) {
    static const char *const yes[] = {"true", "yes", "y", "1", "x", NULL};
    static const char *const no[] = {"false", "no", "n", "0", NULL};
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
    if (cJSON_IsArray(old) && cJSON_IsArray(v)) {
        cJSON *item;
        while ((item = cJSON_DetachItemFromArray(v, 0))) cJSON_AddItemToArray(old, item);
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
    const cli_columns *c;
    const column *col;
    const cli_csv_row *row;
    const char *path; /* of the row's object */
    ds_error *err;
} cell_ctx;

static int cell_error(cell_ctx *x, const char *code, const char *cell, const char *what) {
    char path[256];
    snprintf(path, sizeof path, "%s%s%s", x->path, x->col->field ? "." : "",
             x->col->field ? x->col->field : "");
    ds_error_set(x->err, code, path, "%s:%ld column %d (%.60s): '%.60s' is not %s", x->c->file,
                 x->row->line[x->col->index], x->col->index + 1, x->col->header, cell, what);
    return -1;
}

/* A cell as the JSON value of its field's type; NULL with the error set. */
static cJSON *typed(cell_ctx *x, const char *cell) {
    cJSON *number;
    char date[11];
    int b;
    switch (x->col->kind) {
    case K_NUMBER:
        if (!(number = read_number(cell, x->c->mapping->thousands)))
            cell_error(x, "bad_type", cell, "a number");
        return number;
    case K_BOOL:
        if ((b = read_bool(cell)) < 0) {
            cell_error(x, "bad_type", cell, "true or false (yes/no, 1/0)");
            return NULL;
        }
        return cJSON_CreateBool(b);
    case K_DATE:
        if (!read_date(cell, x->col->date_format, date)) {
            char what[80];
            snprintf(what, sizeof what, "a date (%s)", x->col->date_format);
            cell_error(x, "bad_date", cell, what);
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

cJSON *cli_columns_row(const cli_columns *c, const cli_csv_row *row, const char *path,
                       ds_error *err) {
    if (row->n != c->n) {
        int at = row->n < c->n ? row->n : c->n; /* the first column missing or extra */
        ds_error_set(err, "bad_csv", path,
                     "%s:%ld column %d: the row has %d fields where the header has %d", c->file,
                     row->line[0], at + 1, row->n, c->n);
        return NULL;
    }
    cJSON *obj = cJSON_CreateObject();
    for (int i = 0; obj && i < row->n; i++) {
        const column *col = &c->columns[i];
        if (i == c->key && c->table != CLI_DEALS) continue;
        char *cell = trim(row->field[i]);
        if (is_empty(c->mapping, cell)) continue;
        if (col->custom) {
            if (!cJSON_GetObjectItemCaseSensitive(obj, col->header))
                cJSON_AddStringToObject(obj, col->header, cell);
            continue;
        }
        cell_ctx x = {c, col, row, path, err};
        if (put_cell(&x, obj, cell) < 0) {
            cJSON_Delete(obj);
            return NULL;
        }
    }
    return obj;
}
