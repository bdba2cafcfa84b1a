/* dealscore_csv.c: the CSV trio joined into deals: dealscore_csv_* of
 * dealscore.h (the section "CSV import").
 *
 * The join: the stakeholders and relationships files are read first, each row
 * turned into a JSON object (dealscore_mapping.h) and appended, as compact JSON text, to
 * the entry of its deal id in an index. Memory for that grows with those two
 * files (about their size as compact JSON), not with the deals file, which is then
 * streamed: each deal row becomes a JSON object, its entry's stakeholders and
 * relationships are spliced in, and the text goes to the scoring pipeline like a
 * JSONL line. Rows may come in any order. */
#include "dealscore.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "dealscore_crm.h"
#include "dealscore_csvrows.h"
#include "dealscore_mapping.h"
#include "ds_home.h"
#include "ds_idset.h"

#define MAX_REPORTED 5  /* rows for unknown deals, footers: named one by one (notes) */
#define MAX_MERGED 5000 /* stakeholders of one deal merged by id at most (quadratic) */

typedef struct entry {
    char *id;
    uint64_t hash;
    ds_buf stakeholders, relationships;           /* JSON objects separated by ',' */
    ds_buf stakeholder_lines, relationship_lines; /* the line of each, as longs */
    int n_stakeholders, n_relationships;
    bool has_error, used;
    bool merge;      /* a contact appears twice (two roles): merged when spliced */
    ds_error *error; /* the first row of this deal that could not be used, and the
                      * later ones' messages after it */
    int unsaid;      /* later bad rows the message had no room for */
    const char *file;
    long line; /* the first row naming this deal */
    int rank;  /* of that row's file: 0 stakeholders, 1 relationships */
} entry;

typedef struct deal_index {
    entry **slots;
    size_t mask, count;
} deal_index;

/* The deal ids of the deals file, each with the line of its first row. */
typedef struct seen_row {
    uint64_t hash; /* 0: empty */
    long line;
} seen_row;

typedef struct seen_rows {
    seen_row *slots;
    size_t mask, count;
} seen_rows;

struct dealscore_csv {
    dealscore_csv_options o; /* the caller's strings: valid until dealscore_csv_close */
    dscsv_say say;
    const char *deals_name; /* for messages: the file, or <stdin> */
    dscsv_mapping *mapping;
    dscsv_crm *crm; /* CRM export specifics: contacts, titles, footers */
    FILE *deals;
    deal_index index;
    ds_idset contacts;     /* hashes of (deal id, contact id) seen */
    dscsv_dialect dialect; /* the options', with the row limit (see dealscore_csv_open) */
    dealscore_csv_counts counts;
    seen_rows seen;  /* the deals file's ids: a repeated one is an error */
    long rounded;    /* ids Excel wrote in scientific notation */
    char *first_id;  /* the deals file's first deal id, for messages */
    long first_line; /* and its line */
};

/* ---- the index ---- */

static bool index_grow(deal_index *x) {
    size_t cap = x->slots ? (x->mask + 1) * 2 : 1024;
    entry **slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; x->slots && i <= x->mask; i++) {
        if (!x->slots[i]) continue;
        size_t j = x->slots[i]->hash & (cap - 1);
        while (slots[j]) j = (j + 1) & (cap - 1);
        slots[j] = x->slots[i];
    }
    free(x->slots);
    x->slots = slots;
    x->mask = cap - 1;
    return true;
}

static entry *index_find(const deal_index *x, const char *id) {
    if (!x->slots) return NULL;
    uint64_t h = ds_idset_hash(id);
    for (size_t j = h & x->mask; x->slots[j]; j = (j + 1) & x->mask)
        if (x->slots[j]->hash == h && strcmp(x->slots[j]->id, id) == 0) return x->slots[j];
    return NULL;
}

static entry *index_add(deal_index *x, const char *id, const char *file, int rank, long line) {
    entry *e = index_find(x, id);
    if (e) return e;
    if ((!x->slots || (x->count + 1) * 2 > x->mask + 1) && !index_grow(x)) return NULL;
    e = calloc(1, sizeof *e);
    if (!e || !(e->id = strdup(id))) {
        free(e);
        return NULL;
    }
    e->hash = ds_idset_hash(id);
    e->file = file;
    e->rank = rank;
    e->line = line;
    ds_buf_init(&e->stakeholders);
    ds_buf_init(&e->relationships);
    ds_buf_init(&e->stakeholder_lines);
    ds_buf_init(&e->relationship_lines);
    size_t j = e->hash & x->mask;
    while (x->slots[j]) j = (j + 1) & x->mask;
    x->slots[j] = e;
    x->count++;
    return e;
}

static void index_free(deal_index *x) {
    for (size_t i = 0; x->slots && i <= x->mask; i++) {
        entry *e = x->slots[i];
        if (!e) continue;
        free(e->id);
        free(e->error);
        ds_buf_free(&e->stakeholders);
        ds_buf_free(&e->relationships);
        ds_buf_free(&e->stakeholder_lines);
        ds_buf_free(&e->relationship_lines);
        free(e);
    }
    free(x->slots);
}

/* ---- ids ---- */

/* An id Excel read as a number and wrote back in scientific notation
 * ("1,48723E+10" in German, "1.48723E+10"): the digits past the sixth are
 * gone, so two deals may now share one id. Excel writes a digit, a decimal
 * separator and digits, then E and a sign. */
static bool excel_rounded(const char *id) {
    const unsigned char *s = (const unsigned char *)id;
    if (!isdigit(*s++)) return false;
    if (*s == '.' || *s == ',') {
        if (!isdigit(*++s)) return false;
        while (isdigit(*s)) s++;
    }
    if ((*s != 'E' && *s != 'e') || (s[1] != '+' && s[1] != '-') || !isdigit(s[2])) return false;
    for (s += 2; isdigit(*s); s++) continue;
    return *s == '\0';
}

/* Names the first few ids Excel rounded (the file, line and column), counts the rest. */
static void note_rounded(dealscore_csv *c, const char *file, const dscsv_row *row,
                         const dscsv_columns *cols, const char *id) {
    if (!excel_rounded(id) || c->rounded++ >= MAX_REPORTED) return;
    int col;
    const char *name = dscsv_columns_key(cols, &col);
    dscsv_sayf(&c->say, DEALSCORE_CSV_WARNING,
               "%s:%ld column %d (%.60s): the id \"%.60s\" looks rounded by Excel to scientific "
               "notation: its last digits are lost, so deals may share it and rows join the wrong "
               "deal. Export the ids as text (or open the file in Excel with this column as Text)",
               file, col < row->n ? row->line[col] : row->first_line, col + 1, name, id);
}

/* Salesforce ids: a record's id is 15 characters, case-sensitive (what reports
 * show), or the same 15 and 3 more that encode which of them are upper case, so
 * that it survives tools that ignore case (the API, CASESAFEID()): for each
 * group of five, bit i set when character i is an upper-case letter, written as
 * one of A..Z0..5. An 18-character id whose suffix checks joins as its 15
 * characters (the case restored from the suffix), so a report's stakeholders join
 * the API's deals. Returns key, or id itself when it is not such an id. */
static const char *join_key(const char *id, char key[16]) {
    static const char suffix[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    if (strlen(id) != 18) return id;
    for (int k = 0; k < 3; k++) {
        int ch = toupper((unsigned char)id[15 + k]);
        const char *at = isalnum(ch) ? strchr(suffix, ch) : NULL;
        if (!at) return id;
        int bits = (int)(at - suffix);
        for (int i = 0; i < 5; i++) {
            unsigned char x = (unsigned char)id[5 * k + i];
            bool upper = (bits >> i) & 1;
            if (!isalnum(x) || (upper && !isalpha(x))) return id;
            key[5 * k + i] = (char)(isalpha(x) ? (upper ? toupper(x) : tolower(x)) : x);
        }
    }
    key[15] = '\0';
    return key;
}

static bool seen_grow(seen_rows *s) {
    size_t cap = s->slots ? (s->mask + 1) * 2 : 1024;
    seen_row *slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; s->slots && i <= s->mask; i++) {
        if (!s->slots[i].hash) continue;
        size_t j = s->slots[i].hash & (cap - 1);
        while (slots[j].hash) j = (j + 1) & (cap - 1);
        slots[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = slots;
    s->mask = cap - 1;
    return true;
}

/* Adds a deal id read on `line`: the line of its first row when it was read
 * before, else 0 (0 also when memory runs out: the scorer still says
 * duplicate_id, without the line). */
static long seen_add(seen_rows *s, const char *id, long line) {
    if ((!s->slots || (s->count + 1) * 2 > s->mask + 1) && !seen_grow(s)) return 0;
    uint64_t h = ds_idset_hash(id);
    size_t j = h & s->mask;
    for (; s->slots[j].hash; j = (j + 1) & s->mask)
        if (s->slots[j].hash == h) return s->slots[j].line;
    s->slots[j] = (seen_row){h, line};
    s->count++;
    return 0;
}

/* ---- stakeholders and relationships ---- */

typedef struct side_read {
    dealscore_csv *csv;
    dscsv_table table;
    const char *file;
    dscsv_columns *columns;
    bool setup_failed;
} side_read;

static void side_path(char *out, size_t len, dscsv_table t, const entry *e) {
    bool stakeholder = t == DSCSV_STAKEHOLDERS;
    snprintf(out, len, "$.%s[%d]", stakeholder ? "stakeholders" : "relationships",
             stakeholder ? e->n_stakeholders : e->n_relationships);
}

/* A contact seen before on this deal (a second role): merged when spliced. */
static void note_contact(dealscore_csv *c, entry *e, const cJSON *obj) {
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "id"));
    if (!id) return;
    uint64_t h = ds_idset_hash(e->id) * 0x9E3779B97F4A7C15ull ^ ds_idset_hash(id);
    if (ds_idset_add(&c->contacts, h ? h : 1)) e->merge = true;
}

/* Adds the row to every deal it names. The row is read once (reading splits
 * list cells in place); an error's path is re-rooted for each deal. */
static void add_side_row(side_read *r, entry **entries, int count, const dscsv_row *row) {
    char first[64], path[64];
    side_path(first, sizeof first, r->table, entries[0]);
    ds_error err = {0};
    cJSON *obj = dscsv_columns_row(r->columns, row, first, &err);
    if (obj && r->table == DSCSV_STAKEHOLDERS) dscsv_crm_stakeholder(r->csv->crm, obj);
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    for (int i = 0; i < count; i++) {
        entry *e = entries[i];
        bool stakeholder = r->table == DSCSV_STAKEHOLDERS;
        if (!text) {
            if (!e->has_error && (e->error = malloc(sizeof *e->error))) {
                *e->error = err;
                side_path(path, sizeof path, r->table, e);
                snprintf(e->error->path, sizeof e->error->path, "%s%s", path,
                         err.path + strlen(first));
            } else if (e->has_error && e->error) { /* every bad row of the deal is named */
                size_t len = strlen(e->error->message), n = strlen(err.message);
                if (e->unsaid || len + 2 + n + 60 >= sizeof e->error->message)
                    e->unsaid++;
                else
                    snprintf(e->error->message + len, sizeof e->error->message - len, "; %s",
                             err.message);
            }
            e->has_error = true;
            continue;
        }
        if (stakeholder) note_contact(r->csv, e, obj);
        ds_buf *buf = stakeholder ? &e->stakeholders : &e->relationships;
        if (buf->len) ds_buf_putc(buf, ',');
        ds_buf_puts(buf, text);
        long line = row->first_line;
        ds_buf_add(stakeholder ? &e->stakeholder_lines : &e->relationship_lines,
                   (const char *)&line, sizeof line);
        (*(stakeholder ? &e->n_stakeholders : &e->n_relationships))++;
    }
    cJSON_Delete(obj);
    free(text);
}

/* A footer is named (the first few) and counted; a row of empty cells is not. */
static void note_footer(dealscore_csv *c, const char *file, const dscsv_row *row) {
    const char *text = "";
    for (int i = 0; i < row->n && !text[0]; i++) text = row->field[i];
    if (!text[0]) return;
    if (c->counts.footers++ < MAX_REPORTED)
        dscsv_sayf(&c->say, DEALSCORE_CSV_WARNING, "%s:%ld: report footer skipped: \"%.60s\"", file,
                   row->first_line, text);
}

/* Binds a header; says the error, or the column report. */
static dscsv_columns *bind(dealscore_csv *c, dscsv_table t, const dscsv_row *row,
                           const char *file) {
    char err[1200];
    dscsv_note_bom(&c->say, row, file);
    dscsv_columns *cols = dscsv_columns_bind(c->mapping, t, row, file, err, sizeof err);
    if (!cols) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s", err);
        return NULL;
    }
    dscsv_columns_set_limit(cols, c->dialect.max_row_bytes);
    dscsv_columns_report(cols, &c->say, c->o.verbose);
    return cols;
}

static int on_side_row(void *ctx, const dscsv_row *row) {
    side_read *r = ctx;
    dscsv_note_utf8(&r->csv->say, row, r->file, dscsv_columns_header(r->columns, row->utf8_field));
    if (!r->columns) {
        r->columns = bind(r->csv, r->table, row, r->file);
        r->setup_failed = !r->columns;
        if (r->columns) dscsv_crm_header(r->csv->crm, r->table, row, r->file);
        return r->setup_failed;
    }
    if (dscsv_crm_footer(r->csv->crm, row)) return 0;
    if (dscsv_columns_footer(r->columns, row)) {
        note_footer(r->csv, r->file, row);
        return 0;
    }
    int count;
    char **ids = dscsv_columns_deal_ids(r->columns, row, &count);
    if (count == 0) {
        dscsv_sayf(&r->csv->say, DEALSCORE_CSV_ERROR, "%s:%ld: no deal id in this row; row skipped",
                   r->file, row->first_line);
        r->csv->counts.row_errors++;
    }
    entry **entries = count ? calloc((size_t)count, sizeof *entries) : NULL;
    for (int i = 0; i < count; i++) {
        char key[16];
        note_rounded(r->csv, r->file, row, r->columns, ids[i]);
        if (!entries ||
            !(entries[i] = index_add(&r->csv->index, join_key(ids[i], key), r->file,
                                     r->table == DSCSV_RELATIONSHIPS, row->first_line))) {
            dscsv_sayf(&r->csv->say, DEALSCORE_CSV_ERROR, "out of memory indexing %s", r->file);
            r->setup_failed = true;
            break;
        }
    }
    if (count && !r->setup_failed) add_side_row(r, entries, count, row);
    free(entries);
    free(ids);
    return r->setup_failed;
}

static int read_rows(dealscore_csv *c, FILE *f, const char *file, dscsv_row_fn fn, void *ctx) {
    long open_line = 0;
    int rc = dscsv_rows(f, &c->dialect, fn, ctx, &open_line, NULL);
    if (rc == -1) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s: read error: %s", file, strerror(errno));
        return -1;
    }
    if (rc == -3) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s: iconv cannot read the encoding '%s'", file,
                   c->o.encoding);
        return -1;
    }
    if (rc == -2) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR,
                   "%s:%ld: a quoted field opened after this line is never closed; "
                   "the rest of the file could not be read",
                   file, open_line);
        c->counts.row_errors++;
    }
    return 0;
}

static int read_side(dealscore_csv *c, dscsv_table table, const char *file) {
    FILE *f = fopen(file, "rb");
    if (!f) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s: %s", file, strerror(errno));
        return -1;
    }
    side_read r = {c, table, file, NULL, false};
    int rc = read_rows(c, f, file, on_side_row, &r);
    fclose(f);
    if (!r.columns && !r.setup_failed && rc == 0) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s: the file is empty (not even a header)", file);
        r.setup_failed = true;
    }
    dscsv_columns_free(r.columns);
    return rc < 0 || r.setup_failed ? -1 : 0;
}

/* ---- setup ---- */

/* A bare name ("salesforce") is a bundled mapping, anything else a file. */
static dscsv_mapping *load_mapping(dealscore_csv *c, const char *name) {
    char path[PATH_MAX], err[800];
    if (!name) name = "plain";
    int n = !strchr(name, '/') && !strstr(name, ".json")
                ? snprintf(path, sizeof path, "%s/models/mappings/%.300s.json", ds_home(), name)
                : snprintf(path, sizeof path, "%s", name);
    if (n < 0 || (size_t)n >= sizeof path) path[0] = '\0'; /* too long: fails to open, named */
    dscsv_mapping *m = dscsv_mapping_load(path, err, sizeof err);
    if (!m) dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s", err);
    return m;
}

void dealscore_csv_options_init(dealscore_csv_options *o) {
    if (o) memset(o, 0, sizeof *o);
}

dealscore_csv *dealscore_csv_open(const dealscore_csv_options *o) {
    if (!o) return NULL;
    dealscore_csv *c = calloc(1, sizeof *c);
    if (!c) {
        dscsv_say say = {o->message, o->message_ctx};
        dscsv_sayf(&say, DEALSCORE_CSV_ERROR, "out of memory opening the CSV files");
        return NULL;
    }
    c->o = *o;
    c->say = (dscsv_say){o->message, o->message_ctx};
    ds_idset_init(&c->contacts);
    if (!o->deals) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "no deals file given");
        goto fail;
    }
    /* a row's text is held about four times over while it becomes a deal (the
     * row, the deal object, its JSON text, the scorer's parse): a row may take a
     * quarter of the memory one deal may use (benchmarks/README.md measures it) */
    c->dialect = (dscsv_dialect){o->delimiter, o->encoding, o->max_deal_memory / DSCSV_ROW_SHARE};
    bool is_stdin = strcmp(o->deals, "-") == 0;
    c->deals_name = is_stdin ? "<stdin>" : o->deals;
    if (!(c->mapping = load_mapping(c, o->mapping))) goto fail;
    dscsv_mapping_numbers(c->mapping, o->decimal, o->thousands);
    dscsv_mapping_dates(c->mapping, o->date_format);
    if (!(c->crm = dscsv_crm_open(c->mapping, o->contacts, o->titles, &c->dialect, &c->say)))
        goto fail;
    if (!(c->deals = is_stdin ? stdin : fopen(o->deals, "rb"))) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s: %s", o->deals, strerror(errno));
        goto fail;
    }
    if (o->stakeholders && read_side(c, DSCSV_STAKEHOLDERS, o->stakeholders) < 0) goto fail;
    if (o->relationships && read_side(c, DSCSV_RELATIONSHIPS, o->relationships) < 0) goto fail;
    return c;
fail:
    dealscore_csv_close(c);
    return NULL;
}

long long dealscore_csv_size(const dealscore_csv *c) {
    struct stat st;
    if (!c) return 0;
    return fstat(fileno(c->deals), &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
}

void dealscore_csv_close(dealscore_csv *c) {
    if (!c) return;
    if (c->deals && c->deals != stdin) fclose(c->deals);
    dscsv_crm_close(c->crm);
    dscsv_mapping_free(c->mapping);
    index_free(&c->index);
    ds_idset_free(&c->contacts);
    free(c->seen.slots);
    free(c->first_id);
    free(c);
}

/* ---- two roles of one contact ---- */

/* Adds what `later` says that `first` does not: roles are joined, a true
 * boolean wins (can_buy), other fields keep the first row's value. */
static void merge_into(cJSON *first, cJSON *later) {
    cJSON *item = later->child;
    while (item) {
        cJSON *next = item->next;
        cJSON *old = cJSON_GetObjectItemCaseSensitive(first, item->string);
        if (!old) {
            cJSON_AddItemToObject(first, item->string, cJSON_DetachItemViaPointer(later, item));
        } else if (cJSON_IsArray(old) && cJSON_IsArray(item)) {
            const cJSON *v;
            cJSON_ArrayForEach(v, item) {
                bool have = false;
                const cJSON *w;
                cJSON_ArrayForEach(w, old) have |= cJSON_Compare(v, w, true);
                if (!have) cJSON_AddItemToArray(old, cJSON_Duplicate(v, true));
            }
        } else if (cJSON_IsFalse(old) && cJSON_IsTrue(item)) {
            cJSON_ReplaceItemViaPointer(first, old, cJSON_CreateTrue());
        }
        item = next;
    }
}

/* One stakeholder per contact: rows of one contact id are merged into the first,
 * and their lines dropped. */
static void merge_contacts(dealscore_csv *c, entry *e) {
    e->merge = false;
    if (e->n_stakeholders > MAX_MERGED) return; /* validation reports duplicate_id */
    ds_buf text;
    ds_buf_init(&text);
    ds_buf_putc(&text, '[');
    ds_buf_add(&text, e->stakeholders.data, e->stakeholders.len);
    ds_buf_puts(&text, "]");
    cJSON *list = cJSON_Parse(text.data);
    ds_buf_free(&text);
    if (!list) return;
    long *lines = (long *)e->stakeholder_lines.data;
    int kept = 0, i = 0;
    cJSON *s = list->child;
    while (s) {
        cJSON *next = s->next;
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "id"));
        cJSON *first = NULL;
        for (cJSON *k = list->child; id && k != s && !first; k = k->next) {
            const char *kid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "id"));
            if (kid && strcmp(kid, id) == 0) first = k;
        }
        if (first) {
            merge_into(first, s);
            cJSON_Delete(cJSON_DetachItemViaPointer(list, s));
            c->counts.merged++;
        } else {
            lines[kept++] = lines[i];
        }
        i++;
        s = next;
    }
    char *merged = cJSON_PrintUnformatted(list);
    cJSON_Delete(list);
    if (!merged) return;
    size_t n = strlen(merged);
    ds_buf_clear(&e->stakeholders);
    ds_buf_add(&e->stakeholders, merged + 1, n - 2); /* without the brackets */
    free(merged);
    e->n_stakeholders = kept;
    e->stakeholder_lines.len = (size_t)kept * sizeof(long);
}

/* ---- the deals ---- */

typedef struct deal_read {
    dealscore_csv *csv;
    const dealscore_csv_sink *sink;
    dscsv_columns *columns;
    long long offset; /* bytes of the deals file handed on so far */
    ds_buf text;
    ds_buf added; /* the contacts file's line of each stakeholder the deal row named */
    bool setup_failed, stopped;
} deal_read;

/* The deal's JSON text: its own fields, then its stakeholders and relationships. */
static void splice(ds_buf *text, cJSON *deal, const entry *e) {
    cJSON_DeleteItemFromObjectCaseSensitive(deal, "stakeholders"); /* a custom column */
    cJSON_DeleteItemFromObjectCaseSensitive(deal, "relationships");
    char *own = cJSON_PrintUnformatted(deal);
    ds_buf_clear(text);
    if (!own) return;
    size_t len = strlen(own);
    ds_buf_add(text, own, len - 1); /* without the closing brace */
    free(own);
    bool comma = len > 2;
    if (e && e->n_stakeholders) {
        ds_buf_puts(text, comma ? ",\"stakeholders\":[" : "\"stakeholders\":[");
        ds_buf_add(text, e->stakeholders.data, e->stakeholders.len);
        ds_buf_putc(text, ']');
        comma = true;
    }
    if (e && e->n_relationships) {
        ds_buf_puts(text, comma ? ",\"relationships\":[" : "\"relationships\":[");
        ds_buf_add(text, e->relationships.data, e->relationships.len);
        ds_buf_putc(text, ']');
    }
    ds_buf_putc(text, '}');
}

/* Hands a row that cannot be a deal to the sink. */
static int sink_error(deal_read *r, const char *id, const ds_error *err, long long bytes) {
    dealscore_error e = {err->code, err->message, err->path, "", 0};
    return r->sink->error(r->sink->ctx, id, &e, bytes);
}

static int queue_deal(deal_read *r, const dscsv_row *row, long long bytes) {
    dealscore_csv *c = r->csv;
    const char *file = c->deals_name;
    ds_error err = {0};
    cJSON *deal = dscsv_columns_row(r->columns, row, "$", &err);
    int count;
    char **ids = dscsv_columns_deal_ids(r->columns, row, &count);
    const char *id = count ? ids[0] : NULL;
    if (deal) dscsv_crm_deal(c->crm, deal);
    if (deal && !id)
        ds_error_set(&err, "missing_field", "$.id", "%s:%ld: the deal id is empty", file,
                     row->first_line);
    char keybuf[16];
    const char *key = id ? join_key(id, keybuf) : NULL;
    if (id) note_rounded(c, file, row, r->columns, id);
    if (id && !c->first_id) c->first_id = strdup(id), c->first_line = row->first_line;
    long first = deal && id ? seen_add(&c->seen, key, row->first_line) : 0;
    entry *e = key && !first ? index_find(&c->index, key) : NULL;
    if (e) e->used = true;
    if (e && e->merge) merge_contacts(c, e);
    int stop;
    if (!deal || !id) {
        stop = sink_error(r, id, &err, bytes);
    } else if (first) { /* two deals of one id would each get both's stakeholders */
        ds_error_set(&err, "duplicate_id", "$.id",
                     "%s:%ld: deal id \"%.60s\" is also the id of line %ld: a deal id is one "
                     "deal's (this row is not read)%s",
                     file, row->first_line, id, first,
                     excel_rounded(id) ? "; the id looks rounded by Excel, see above" : "");
        stop = sink_error(r, id, &err, bytes);
    } else if (e && e->has_error) {
        static const ds_error no_memory = {"out_of_memory", "no memory for the row's error", "$"};
        if (e->error && e->unsaid) {
            size_t len = strlen(e->error->message);
            snprintf(e->error->message + len, sizeof e->error->message - len,
                     "; and %d more bad row%s of the deal", e->unsaid, e->unsaid == 1 ? "" : "s");
            e->unsaid = 0;
        }
        stop = sink_error(r, id, e->error ? e->error : &no_memory, bytes);
    } else {
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", file, row->first_line);
        splice(&r->text, deal, e);
        ds_buf_clear(&r->added);
        if (dscsv_crm_associated(c->crm, row, file, &r->text, &r->added, &err) < 0) {
            stop = sink_error(r, id, &err, bytes);
            goto done;
        }
        dscsv_crm_lookups(c->crm, deal, &r->text);
        dealscore_csv_origin origin = {id, c->o.stakeholders, c->o.relationships, NULL, NULL, 0, 0};
        if (e) {
            origin.stakeholder_lines = (const long *)e->stakeholder_lines.data;
            origin.relationship_lines = (const long *)e->relationship_lines.data;
            origin.n_stakeholders = e->n_stakeholders;
            origin.n_relationships = e->n_relationships;
        }
        if (r->added.len && !origin.n_stakeholders) { /* every stakeholder from --contacts */
            origin.stakeholders = c->o.contacts;
            origin.stakeholder_lines = (const long *)r->added.data;
            origin.n_stakeholders = (int)(r->added.len / sizeof(long));
        }
        stop = r->sink->deal(r->sink->ctx, r->text.data, r->text.len, where, bytes, &origin);
    }
done:
    cJSON_Delete(deal);
    free(ids);
    return stop;
}

static int on_deal_row(void *ctx, const dscsv_row *row) {
    deal_read *r = ctx;
    long long bytes = row->offset - r->offset;
    r->offset = row->offset;
    dscsv_note_utf8(&r->csv->say, row, r->csv->deals_name,
                    dscsv_columns_header(r->columns, row->utf8_field));
    if (!r->columns) {
        r->columns = bind(r->csv, DSCSV_DEALS, row, r->csv->deals_name);
        r->setup_failed = !r->columns;
        if (r->columns) dscsv_crm_header(r->csv->crm, DSCSV_DEALS, row, r->csv->deals_name);
        return r->setup_failed;
    }
    if (dscsv_crm_footer(r->csv->crm, row)) return 0;
    if (dscsv_columns_footer(r->columns, row)) {
        note_footer(r->csv, r->csv->deals_name, row);
        return 0;
    }
    r->stopped = queue_deal(r, row, bytes) != 0;
    return r->stopped;
}

/* File order: the stakeholders file's rows, then the relationships file's. */
static int file_order(const void *a, const void *b) {
    const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
    if (x->rank != y->rank) return x->rank - y->rank;
    return (x->line > y->line) - (x->line < y->line);
}

/* Rows of the other files whose deal is not in the deals file: named (the
 * first few, in file order), counted, not errors (a contacts export covers every
 * deal, a deals report a few), unless no row joined any deal at all: then the
 * files do not go together (another export, another kind of id), an error. */
static void report_unused(dealscore_csv *c) {
    long deals = 0, rows = 0;
    for (size_t i = 0; c->index.slots && i <= c->index.mask; i++) {
        const entry *e = c->index.slots[i];
        if (!e || e->used) continue;
        deals++;
        rows += e->n_stakeholders + e->n_relationships + e->has_error;
    }
    const entry **list = deals ? malloc((size_t)deals * sizeof *list) : NULL;
    long n = 0;
    for (size_t i = 0; list && i <= c->index.mask; i++)
        if (c->index.slots[i] && !c->index.slots[i]->used) list[n++] = c->index.slots[i];
    if (list) qsort(list, (size_t)n, sizeof *list, file_order);
    for (long k = 0; k < n && k < MAX_REPORTED; k++)
        dscsv_sayf(&c->say, DEALSCORE_CSV_WARNING,
                   "%s:%ld: deal \"%.60s\" is not in %s; its rows are ignored", list[k]->file,
                   list[k]->line, list[k]->id, c->deals_name);
    if (deals > MAX_REPORTED || (deals && !list))
        dscsv_sayf(&c->say, DEALSCORE_CSV_WARNING, "... %ld deals in all, %ld rows, are not in %s",
                   deals, rows, c->deals_name);
    c->counts.orphans += rows;
    if (deals && deals == (long)c->index.count && c->first_id) {
        const entry *e = list ? list[0] : NULL;
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR,
                   "no row of %s joined a deal of %s: none of its %ld deal ids is there "
                   "(%s:%ld has \"%.60s\", %s:%ld \"%.60s\"); are both from one export, "
                   "with the same kind of id in the id columns?",
                   e ? e->file : "the other files", c->deals_name, deals, e ? e->file : "",
                   e ? e->line : 0L, e ? e->id : "", c->deals_name, c->first_line, c->first_id);
        c->counts.orphans -= rows;
        c->counts.row_errors += rows;
    }
    free(list);
}

int dealscore_csv_run(dealscore_csv *c, const dealscore_csv_sink *sink,
                      dealscore_csv_counts *counts) {
    if (!c || !sink || !sink->deal || !sink->error) return -1;
    deal_read r = {.csv = c, .sink = sink};
    ds_buf_init(&r.text);
    ds_buf_init(&r.added);
    int rc = read_rows(c, c->deals, c->deals_name, on_deal_row, &r);
    if (rc == 0 && !r.columns && !r.setup_failed) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s: the file is empty (not even a header)",
                   c->deals_name);
        r.setup_failed = true;
    }
    if (rc == 0 && !r.setup_failed && !r.stopped) report_unused(c);
    if (c->counts.footers > MAX_REPORTED)
        dscsv_sayf(&c->say, DEALSCORE_CSV_WARNING, "%ld report footer rows skipped in all",
                   c->counts.footers);
    if (c->rounded > MAX_REPORTED)
        dscsv_sayf(&c->say, DEALSCORE_CSV_WARNING,
                   "%ld ids in all look rounded by Excel to scientific notation", c->rounded);
    dscsv_columns_free(r.columns);
    ds_buf_free(&r.text);
    ds_buf_free(&r.added);
    c->counts.row_errors += dscsv_crm_errors(c->crm);
    if (counts) *counts = c->counts;
    return rc < 0 || r.setup_failed ? -1 : 0;
}

/* ---- errors of joined deals ---- */

/* The file and line of the stakeholder or relationship row a path points into. */
static long origin_line(const dealscore_csv_origin *o, const char *path, const char **file) {
    int i;
    if (sscanf(path, "$.stakeholders[%d]", &i) == 1 && i >= 0 && i < o->n_stakeholders) {
        *file = o->stakeholders;
        return o->stakeholder_lines[i];
    }
    if (sscanf(path, "$.relationships[%d]", &i) == 1 && i >= 0 && i < o->n_relationships) {
        *file = o->relationships;
        return o->relationship_lines[i];
    }
    return 0;
}

const dealscore_result *dealscore_csv_locate(const dealscore_result *r,
                                             const dealscore_csv_origin *o, const char *where,
                                             dealscore_result *out, char *buf, size_t len) {
    if (!r || !r->error.code || !o || !out || !buf || !len) return r;
    const dealscore_error *e = &r->error;
    const char *file = NULL;
    if (!where) where = "";
    long line = origin_line(o, e->path ? e->path : "", &file);
    bool named = strstr(e->message, where) != NULL;
    if (!file && named && r->id) return r;
    if (file)
        snprintf(buf, len, "%.180s (%.60s:%ld)", e->message, file, line);
    else if (!named)
        snprintf(buf, len, "%.160s (%.80s)", e->message, where);
    else
        snprintf(buf, len, "%s", e->message);
    *out = *r;
    out->error.message = buf;
    if (!r->id && o->id) out->id = o->id;
    return out;
}

typedef struct read_adapter {
    const dealscore_input *in;
} read_adapter;

static int adapt_deal(void *ctx, const char *text, size_t len, const char *where, long long bytes,
                      const dealscore_csv_origin *origin) {
    (void)bytes, (void)origin;
    const dealscore_input *in = ((read_adapter *)ctx)->in;
    return in->deal(in->ctx, text, len, where);
}

static int adapt_error(void *ctx, const char *id, const dealscore_error *err, long long bytes) {
    (void)bytes;
    const dealscore_input *in = ((read_adapter *)ctx)->in;
    char message[400];
    snprintf(message, sizeof message, "%s%.80s%s%s", id ? "deal \"" : "", id ? id : "",
             id ? "\": " : "", err->message);
    return in->reject ? in->reject(in->ctx, err->code, message) : 0;
}

int dealscore_csv_read(const dealscore_csv_options *o, const dealscore_input *in,
                       dealscore_csv_counts *counts) {
    if (!in || !in->deal) return -1;
    dealscore_csv *c = dealscore_csv_open(o);
    if (!c) return -1;
    read_adapter a = {in};
    dealscore_csv_sink sink = {adapt_deal, adapt_error, &a};
    dealscore_csv_counts n = {0};
    int rc = dealscore_csv_run(c, &sink, &n);
    dealscore_csv_close(c);
    if (counts) {
        counts->row_errors += n.row_errors;
        counts->orphans += n.orphans;
        counts->footers += n.footers;
        counts->merged += n.merged;
    }
    return rc;
}
