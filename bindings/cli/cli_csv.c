/* cli_csv.c: the CSV trio joined into deals; see cli_csv.h.
 *
 * The join: the stakeholders and relationships files are read first, each row
 * turned into a JSON object (cli_mapping.h) and appended, as compact JSON text, to
 * the entry of its deal id in an index. Memory for that grows with those two
 * files (about their size as compact JSON), not with the deals file, which is then
 * streamed: each deal row becomes a JSON object, its entry's stakeholders and
 * relationships are spliced in, and the text goes to the scoring pipeline like a
 * JSONL line. Rows may come in any order. */
#include "cli_csv.h"
#include "cli_pipeline.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_crm.h"
#include "cli_csvrows.h"
#include "cli_mapping.h"
#include "ds_idset.h"

#define MAX_REPORTED 5  /* rows for unknown deals, footers: named one by one on stderr */
#define MAX_MERGED 5000 /* stakeholders of one deal merged by id at most (quadratic) */

typedef struct entry {
    char *id;
    uint64_t hash;
    ds_buf stakeholders, relationships;           /* JSON objects separated by ',' */
    ds_buf stakeholder_lines, relationship_lines; /* the line of each, as longs */
    int n_stakeholders, n_relationships;
    bool has_error, used;
    bool merge;     /* a contact appears twice (two roles): merged when spliced */
    ds_error error; /* the first row of this deal that could not be used */
    const char *file;
    long line; /* the first row naming this deal */
} entry;

typedef struct deal_index {
    entry **slots;
    size_t mask, count;
} deal_index;

struct cli_csv {
    const cli_csv_options *o;
    const char *command;
    const char *deals_name; /* for messages: the file, or <stdin> */
    cli_mapping *mapping;
    cli_crm *crm; /* CRM export specifics: contacts, titles, footers */
    FILE *deals;
    deal_index index;
    ds_idset contacts;       /* hashes of (deal id, contact id) seen */
    cli_csv_dialect dialect; /* the options', with the row limit (see cli_csv_open) */
    cli_csv_counts counts;
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

static entry *index_add(deal_index *x, const char *id, const char *file, long line) {
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
        ds_buf_free(&e->stakeholders);
        ds_buf_free(&e->relationships);
        ds_buf_free(&e->stakeholder_lines);
        ds_buf_free(&e->relationship_lines);
        free(e);
    }
    free(x->slots);
}

/* ---- stakeholders and relationships ---- */

typedef struct side_read {
    cli_csv *csv;
    cli_table table;
    const char *file;
    cli_columns *columns;
    bool setup_failed;
} side_read;

static void side_path(char *out, size_t len, cli_table t, const entry *e) {
    bool stakeholder = t == CLI_STAKEHOLDERS;
    snprintf(out, len, "$.%s[%d]", stakeholder ? "stakeholders" : "relationships",
             stakeholder ? e->n_stakeholders : e->n_relationships);
}

/* A contact seen before on this deal (a second role): merged when spliced. */
static void note_contact(cli_csv *c, entry *e, const cJSON *obj) {
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "id"));
    if (!id) return;
    uint64_t h = ds_idset_hash(e->id) * 0x9E3779B97F4A7C15ull ^ ds_idset_hash(id);
    if (ds_idset_add(&c->contacts, h ? h : 1)) e->merge = true;
}

/* Adds the row to every deal it names. The row is read once (reading splits
 * list cells in place); an error's path is re-rooted for each deal. */
static void add_side_row(side_read *r, entry **entries, int count, const cli_csv_row *row) {
    char first[64], path[64];
    side_path(first, sizeof first, r->table, entries[0]);
    ds_error err = {0};
    cJSON *obj = cli_columns_row(r->columns, row, first, &err);
    if (obj && r->table == CLI_STAKEHOLDERS) cli_crm_stakeholder(r->csv->crm, obj);
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    for (int i = 0; i < count; i++) {
        entry *e = entries[i];
        bool stakeholder = r->table == CLI_STAKEHOLDERS;
        if (!text) {
            if (!e->has_error) {
                e->error = err;
                side_path(path, sizeof path, r->table, e);
                snprintf(e->error.path, sizeof e->error.path, "%s%s", path,
                         err.path + strlen(first));
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
static void note_footer(cli_csv *c, const char *file, const cli_csv_row *row) {
    const char *text = "";
    for (int i = 0; i < row->n && !text[0]; i++) text = row->field[i];
    if (!text[0]) return;
    if (c->counts.footers++ < MAX_REPORTED)
        fprintf(stderr, "dealscore: %s:%ld: report footer skipped: \"%.60s\"\n", file,
                row->first_line, text);
}

/* Binds a header; prints the error, or the column report. */
static cli_columns *bind(cli_csv *c, cli_table t, const cli_csv_row *row, const char *file) {
    char err[1200];
    cli_columns *cols = cli_columns_bind(c->mapping, t, row, file, err, sizeof err);
    if (!cols) {
        fprintf(stderr, "dealscore: %s\n", err);
        return NULL;
    }
    cli_columns_set_limit(cols, c->dialect.max_row_bytes);
    cli_columns_report(cols, stderr, c->o->verbose);
    return cols;
}

static int on_side_row(void *ctx, const cli_csv_row *row) {
    side_read *r = ctx;
    if (!r->columns) {
        r->columns = bind(r->csv, r->table, row, r->file);
        r->setup_failed = !r->columns;
        if (r->columns) cli_crm_header(r->csv->crm, r->table, row, r->file);
        return r->setup_failed;
    }
    if (cli_crm_footer(r->csv->crm, row)) return 0;
    if (cli_columns_footer(r->columns, row)) {
        note_footer(r->csv, r->file, row);
        return 0;
    }
    int count;
    char **ids = cli_columns_deal_ids(r->columns, row, &count);
    if (count == 0) {
        fprintf(stderr, "dealscore: %s:%ld: no deal id in this row; row skipped\n", r->file,
                row->first_line);
        r->csv->counts.row_errors++;
    }
    entry **entries = count ? calloc((size_t)count, sizeof *entries) : NULL;
    for (int i = 0; i < count; i++) {
        if (!entries ||
            !(entries[i] = index_add(&r->csv->index, ids[i], r->file, row->first_line))) {
            fprintf(stderr, "dealscore: out of memory indexing %s\n", r->file);
            r->setup_failed = true;
            break;
        }
    }
    if (count && !r->setup_failed) add_side_row(r, entries, count, row);
    free(entries);
    free(ids);
    return r->setup_failed;
}

static int read_rows(cli_csv *c, FILE *f, const char *file, cli_csv_row_fn fn, void *ctx) {
    long open_line = 0;
    int rc = cli_csv_rows(f, &c->dialect, fn, ctx, &open_line, NULL);
    if (rc == -1) {
        fprintf(stderr, "dealscore: %s: read error: %s\n", file, strerror(errno));
        return -1;
    }
    if (rc == -3) {
        fprintf(stderr, "dealscore: %s: iconv cannot read the encoding '%s'\n", file,
                c->o->dialect.encoding);
        return -1;
    }
    if (rc == -2) {
        fprintf(stderr,
                "dealscore: %s:%ld: a quoted field opened after this line is never closed; "
                "the rest of the file could not be read\n",
                file, open_line);
        c->counts.row_errors++;
    }
    return 0;
}

static int read_side(cli_csv *c, cli_table table, const char *file) {
    FILE *f = fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "dealscore: %s: %s\n", file, strerror(errno));
        return -1;
    }
    side_read r = {c, table, file, NULL, false};
    int rc = read_rows(c, f, file, on_side_row, &r);
    fclose(f);
    if (!r.columns && !r.setup_failed && rc == 0) {
        fprintf(stderr, "dealscore: %s: the file is empty (not even a header)\n", file);
        r.setup_failed = true;
    }
    cli_columns_free(r.columns);
    return rc < 0 || r.setup_failed ? -1 : 0;
}

/* ---- options ---- */

static int set_once(const char **slot, const char *command, const char *name, const char *v) {
    if (*slot) {
        fprintf(stderr, "dealscore %s: %s given twice ('%s' and '%s'); give it once\n", command,
                name, *slot, v);
        return -1;
    }
    *slot = v;
    return 0;
}

static int separator(char *slot, const char *command, const char *name, const char *v,
                     const char *allowed) {
    char ch = cli_csv_delimiter(v);
    if (!ch || !strchr(allowed, ch)) {
        fprintf(stderr, "dealscore %s: %s takes one of %s, not '%s'\n", command, name,
                strcmp(name, "--delimiter") == 0 ? ", ; tab |" : allowed, v);
        return -1;
    }
    *slot = ch;
    return 0;
}

int cli_csv_option(cli_csv_options *o, const char *command, int c, const char *arg) {
    switch (c) {
    case CLI_OPT_CSV:
        return set_once(&o->deals, command, "--csv", arg) < 0 ? -1 : 1;
    case CLI_OPT_STAKEHOLDERS:
        return set_once(&o->stakeholders, command, "--stakeholders", arg) < 0 ? -1 : 1;
    case CLI_OPT_RELATIONSHIPS:
        return set_once(&o->relationships, command, "--relationships", arg) < 0 ? -1 : 1;
    case CLI_OPT_MAPPING:
        return set_once(&o->mapping, command, "--mapping", arg) < 0 ? -1 : 1;
    case CLI_OPT_CONTACTS:
        return set_once(&o->contacts, command, "--contacts", arg) < 0 ? -1 : 1;
    case CLI_OPT_TITLES:
        return set_once(&o->titles, command, "--titles", arg) < 0 ? -1 : 1;
    case CLI_OPT_DELIMITER:
        return separator(&o->dialect.delimiter, command, "--delimiter", arg, ",;\t|") < 0 ? -1 : 1;
    case CLI_OPT_DECIMAL:
        return separator(&o->decimal, command, "--decimal", arg, ".,") < 0 ? -1 : 1;
    case CLI_OPT_THOUSANDS:
        return separator(&o->thousands, command, "--thousands", arg, ",. '") < 0 ? -1 : 1;
    case CLI_OPT_ENCODING:
        if (set_once(&o->dialect.encoding, command, "--encoding", arg) < 0) return -1;
        if (!cli_csv_encoding_known(arg)) {
            fprintf(stderr,
                    "dealscore %s: --encoding: iconv does not know '%s' (try windows-1252, "
                    "latin1, utf-16; `iconv -l` lists them all)\n",
                    command, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_DATE_FORMAT:
        if (set_once(&o->date_format, command, "--date-format", arg) < 0) return -1;
        if (!cli_mapping_date_format_ok(arg)) {
            fprintf(stderr,
                    "dealscore %s: --date-format: '%s' is not a date format (YYYY, M or MM, D "
                    "or DD, once each, and separators: DD.MM.YYYY, M/D/YYYY, YYYY-MM-DD)\n",
                    command, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_VERBOSE:
        o->verbose = true;
        return 1;
    default:
        return 0;
    }
}

bool cli_csv_wanted(const cli_csv_options *o, const char *path);

static bool csv_name(const char *path) {
    size_t n = path ? strlen(path) : 0;
    return n > 4 &&
           (strcasecmp(path + n - 4, ".csv") == 0 || strcasecmp(path + n - 4, ".tsv") == 0);
}

int cli_csv_finish(cli_csv_options *o, const char *command, const char *path) {
    if (!o->deals && csv_name(path)) o->deals = path;
    bool extra = o->stakeholders || o->relationships || o->mapping || o->dialect.delimiter ||
                 o->dialect.encoding || o->decimal || o->thousands || o->contacts || o->titles ||
                 o->date_format;
    if (!o->deals && extra) {
        fprintf(stderr,
                "dealscore %s: --stakeholders, --relationships, --contacts, --titles, --mapping, "
                "--delimiter, --encoding, --decimal, --thousands and --date-format go with CSV "
                "deals (--csv FILE)\n",
                command);
        return -1;
    }
    if (o->decimal && o->thousands && o->decimal == o->thousands) {
        fprintf(stderr, "dealscore %s: --decimal and --thousands are the same character\n",
                command);
        return -1;
    }
    return o->deals ? 1 : 0;
}

/* ---- setup ---- */

static cli_mapping *load_mapping(const char *name) {
    char path[PATH_MAX], err[800];
    if (!name) name = "plain";
    if (!strchr(name, '/') && !strstr(name, ".json")) {
        char relative[300];
        snprintf(relative, sizeof relative, "models/mappings/%s.json", name);
        cli_bundled(path, sizeof path, relative);
    } else {
        snprintf(path, sizeof path, "%s", name);
    }
    cli_mapping *m = cli_mapping_load(path, err, sizeof err);
    if (!m) fprintf(stderr, "dealscore: %s\n", err);
    return m;
}

cli_csv *cli_csv_open(const cli_csv_options *o, const char *command) {
    cli_csv *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->o = o;
    c->command = command;
    ds_idset_init(&c->contacts);
    /* a row's text is held about four times over while it becomes a deal (the
     * row, the deal object, its JSON text, the scorer's parse): a row may take a
     * quarter of the memory one deal may use (benchmarks/README.md measures it) */
    c->dialect = o->dialect;
    c->dialect.max_row_bytes /= CLI_CSV_ROW_SHARE;
    bool is_stdin = strcmp(o->deals, "-") == 0;
    c->deals_name = is_stdin ? "<stdin>" : o->deals;
    if (!(c->mapping = load_mapping(o->mapping))) goto fail;
    cli_mapping_numbers(c->mapping, o->decimal, o->thousands);
    cli_mapping_dates(c->mapping, o->date_format);
    if (!(c->crm = cli_crm_open(c->mapping, o->contacts, o->titles, &c->dialect))) goto fail;
    if (!(c->deals = is_stdin ? stdin : fopen(o->deals, "rb"))) {
        fprintf(stderr, "dealscore: %s: %s\n", o->deals, strerror(errno));
        goto fail;
    }
    if (o->stakeholders && read_side(c, CLI_STAKEHOLDERS, o->stakeholders) < 0) goto fail;
    if (o->relationships && read_side(c, CLI_RELATIONSHIPS, o->relationships) < 0) goto fail;
    return c;
fail:
    cli_csv_close(c);
    return NULL;
}

long long cli_csv_size(const cli_csv *c) {
    struct stat st;
    return fstat(fileno(c->deals), &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
}

void cli_csv_close(cli_csv *c) {
    if (!c) return;
    if (c->deals && c->deals != stdin) fclose(c->deals);
    cli_crm_close(c->crm);
    cli_mapping_free(c->mapping);
    index_free(&c->index);
    ds_idset_free(&c->contacts);
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
static void merge_contacts(cli_csv *c, entry *e) {
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
    cli_csv *csv;
    const cli_csv_sink *sink;
    cli_columns *columns;
    long long offset; /* bytes of the deals file handed on so far */
    ds_buf text;
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

static int queue_deal(deal_read *r, const cli_csv_row *row, long long bytes) {
    cli_csv *c = r->csv;
    const char *file = c->deals_name;
    ds_error err = {0};
    cJSON *deal = cli_columns_row(r->columns, row, "$", &err);
    int count;
    char **ids = cli_columns_deal_ids(r->columns, row, &count);
    const char *id = count ? ids[0] : NULL;
    if (deal) cli_crm_deal(c->crm, deal);
    if (deal && !id)
        ds_error_set(&err, "missing_field", "$.id", "%s:%ld: the deal id is empty", file,
                     row->first_line);
    entry *e = id ? index_find(&c->index, id) : NULL;
    if (e) e->used = true;
    if (e && e->merge) merge_contacts(c, e);
    int stop;
    if (!deal || !id) {
        stop = r->sink->error(r->sink->ctx, id, &err, bytes);
    } else if (e && e->has_error) {
        stop = r->sink->error(r->sink->ctx, id, &e->error, bytes);
    } else {
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", file, row->first_line);
        splice(&r->text, deal, e);
        cli_crm_lookups(c->crm, deal, &r->text);
        cli_origin origin = {id, c->o->stakeholders, c->o->relationships, NULL, NULL, 0, 0};
        if (e) {
            origin.stakeholder_lines = (const long *)e->stakeholder_lines.data;
            origin.relationship_lines = (const long *)e->relationship_lines.data;
            origin.n_stakeholders = e->n_stakeholders;
            origin.n_relationships = e->n_relationships;
        }
        stop = r->sink->deal(r->sink->ctx, r->text.data, r->text.len, where, bytes, &origin);
    }
    cJSON_Delete(deal);
    free(ids);
    return stop;
}

static int on_deal_row(void *ctx, const cli_csv_row *row) {
    deal_read *r = ctx;
    long long bytes = row->offset - r->offset;
    r->offset = row->offset;
    if (!r->columns) {
        r->columns = bind(r->csv, CLI_DEALS, row, r->csv->deals_name);
        r->setup_failed = !r->columns;
        if (r->columns) cli_crm_header(r->csv->crm, CLI_DEALS, row, r->csv->deals_name);
        return r->setup_failed;
    }
    if (cli_crm_footer(r->csv->crm, row)) return 0;
    if (cli_columns_footer(r->columns, row)) {
        note_footer(r->csv, r->csv->deals_name, row);
        return 0;
    }
    r->stopped = queue_deal(r, row, bytes) != 0;
    return r->stopped;
}

/* Rows of the other files whose deal is not in the deals file: named, counted,
 * not errors (a contacts export covers every deal, a deals report a few). */
static void report_unused(cli_csv *c) {
    long deals = 0, rows = 0;
    for (size_t i = 0; c->index.slots && i <= c->index.mask; i++) {
        const entry *e = c->index.slots[i];
        if (!e || e->used) continue;
        if (deals++ < MAX_REPORTED)
            fprintf(stderr,
                    "dealscore: %s:%ld: deal \"%.60s\" is not in %s; its rows are ignored\n",
                    e->file, e->line, e->id, c->deals_name);
        rows += e->n_stakeholders + e->n_relationships + e->has_error;
    }
    if (deals > MAX_REPORTED)
        fprintf(stderr, "dealscore: ... %ld deals in all, %ld rows, are not in %s\n", deals, rows,
                c->deals_name);
    c->counts.orphans += rows;
}

int cli_csv_run(cli_csv *c, const cli_csv_sink *sink, cli_csv_counts *counts) {
    deal_read r = {.csv = c, .sink = sink};
    ds_buf_init(&r.text);
    int rc = read_rows(c, c->deals, c->deals_name, on_deal_row, &r);
    if (rc == 0 && !r.columns && !r.setup_failed) {
        fprintf(stderr, "dealscore: %s: the file is empty (not even a header)\n", c->deals_name);
        r.setup_failed = true;
    }
    if (rc == 0 && !r.setup_failed && !r.stopped) report_unused(c);
    if (c->counts.footers > MAX_REPORTED)
        fprintf(stderr, "dealscore: %ld report footer rows skipped in all\n", c->counts.footers);
    cli_columns_free(r.columns);
    ds_buf_free(&r.text);
    c->counts.row_errors += cli_crm_errors(c->crm);
    *counts = c->counts;
    return rc < 0 || r.setup_failed ? -1 : 0;
}

const char *cli_csv_summary(const cli_csv_counts *n, char *buf, size_t len) {
    size_t at = 0;
    buf[0] = '\0';
    if (n->row_errors)
        at += (size_t)snprintf(buf + at, len - at, "%s%ld unusable CSV rows", at ? "; " : "",
                               n->row_errors);
    if (n->orphans && at < len)
        at += (size_t)snprintf(buf + at, len - at,
                               "%s%ld rows of deals not in the deals file, "
                               "ignored",
                               at ? "; " : "", n->orphans);
    if (n->merged && at < len)
        at += (size_t)snprintf(buf + at, len - at, "%s%ld contact rows merged (two roles)",
                               at ? "; " : "", n->merged);
    if (n->footers && at < len)
        at += (size_t)snprintf(buf + at, len - at, "%s%ld footer rows skipped", at ? "; " : "",
                               n->footers);
    return buf;
}

bool cli_csv_wanted(const cli_csv_options *o, const char *path) {
    return o && (o->deals || csv_name(path));
}

typedef struct read_adapter {
    const dealscore_input *in;
} read_adapter;

static int adapt_deal(void *ctx, const char *text, size_t len, const char *where, long long bytes,
                      const cli_origin *origin) {
    (void)bytes, (void)origin;
    const dealscore_input *in = ((read_adapter *)ctx)->in;
    return in->deal(in->ctx, text, len, where);
}

static int adapt_error(void *ctx, const char *id, const ds_error *err, long long bytes) {
    (void)bytes;
    const dealscore_input *in = ((read_adapter *)ctx)->in;
    char message[400];
    snprintf(message, sizeof message, "%s%.80s%s%s", id ? "deal \"" : "", id ? id : "",
             id ? "\": " : "", err->message);
    return in->reject ? in->reject(in->ctx, err->code, message) : 0;
}

int cli_csv_read(const cli_csv_options *o, const char *command, const char *path,
                 size_t max_row_bytes, const dealscore_input *in, cli_csv_counts *counts) {
    cli_csv_options opts = *o;
    opts.deals = path;
    opts.dialect.max_row_bytes = max_row_bytes;
    cli_csv *c = cli_csv_open(&opts, command);
    if (!c) return -1;
    read_adapter a = {in};
    cli_csv_sink sink = {adapt_deal, adapt_error, &a};
    cli_csv_counts n = {0};
    int rc = cli_csv_run(c, &sink, &n);
    cli_csv_close(c);
    if (counts) {
        counts->row_errors += n.row_errors;
        counts->orphans += n.orphans;
        counts->footers += n.footers;
        counts->merged += n.merged;
    }
    return rc;
}
