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

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_crm.h"
#include "cli_csvrows.h"
#include "cli_mapping.h"
#include "ds_idset.h"

#define MAX_REPORTED 5 /* rows for unknown deals named one by one on stderr */

typedef struct entry {
    char *id;
    uint64_t hash;
    ds_buf stakeholders, relationships;           /* JSON objects separated by ',' */
    ds_buf stakeholder_lines, relationship_lines; /* the line of each, as longs */
    int n_stakeholders, n_relationships;
    bool has_error, used;
    ds_error error; /* the first row of this deal that could not be used */
    const char *file;
    long line; /* the first row naming this deal */
} entry;

typedef struct deal_index {
    entry **slots;
    size_t mask, count;
} deal_index;

struct cli_csv {
    const score_options *o;
    cli_mapping *mapping;
    cli_crm *crm; /* CRM export specifics: contacts, titles, footers */
    FILE *deals;
    deal_index index;
    long row_errors;
    bool read_failed;
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

/* Adds the row to every deal it names. The row is read once (reading splits
 * list cells in place); an error's path is re-rooted for each deal. */
static void add_side_row(side_read *r, entry **entries, int count, const cli_csv_row *row) {
    char first[64], path[64];
    side_path(first, sizeof first, r->table, entries[0]);
    ds_error err = {0};
    cJSON *obj = cli_columns_row(r->columns, row, first, &err);
    if (obj && r->table == CLI_STAKEHOLDERS) cli_crm_stakeholder(r->csv->crm, obj);
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
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
        ds_buf *buf = stakeholder ? &e->stakeholders : &e->relationships;
        if (buf->len) ds_buf_putc(buf, ',');
        ds_buf_puts(buf, text);
        long line = row->line[0];
        ds_buf_add(stakeholder ? &e->stakeholder_lines : &e->relationship_lines,
                   (const char *)&line, sizeof line);
        (*(stakeholder ? &e->n_stakeholders : &e->n_relationships))++;
    }
    free(text);
}

static int on_side_row(void *ctx, const cli_csv_row *row) {
    side_read *r = ctx;
    if (!r->columns) {
        char err[600];
        r->columns = cli_columns_bind(r->csv->mapping, r->table, row, r->file, err, sizeof err);
        if (!r->columns) {
            fprintf(stderr, "dealscore: %s\n", err);
            r->setup_failed = true;
            return 1;
        }
        cli_crm_header(r->csv->crm, r->table, row, r->file);
        return 0;
    }
    if (cli_crm_footer(r->csv->crm, row)) return 0;
    int count;
    char **ids = cli_columns_deal_ids(r->columns, row, &count);
    if (count == 0) {
        fprintf(stderr, "dealscore: %s:%ld: no deal id in this row; row skipped\n", r->file,
                row->line[0]);
        r->csv->row_errors++;
    }
    entry **entries = count ? calloc((size_t)count, sizeof *entries) : NULL;
    for (int i = 0; i < count; i++) {
        if (!entries || !(entries[i] = index_add(&r->csv->index, ids[i], r->file, row->line[0]))) {
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

static int read_rows(FILE *f, const char *file, cli_csv_row_fn fn, void *ctx, long *errors) {
    long open_line = 0;
    int rc = cli_csv_rows(f, fn, ctx, &open_line);
    if (rc == -1) {
        fprintf(stderr, "dealscore: %s: read error: %s\n", file, strerror(errno));
        return -1;
    }
    if (rc == -2) {
        fprintf(stderr,
                "dealscore: %s:%ld: a quoted field opened after this line is never closed; "
                "the rest of the file could not be read\n",
                file, open_line);
        (*errors)++;
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
    int rc = read_rows(f, file, on_side_row, &r, &c->row_errors);
    fclose(f);
    cli_columns_free(r.columns);
    return rc < 0 || r.setup_failed ? -1 : 0;
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

cli_csv *cli_csv_open(const score_options *o) {
    cli_csv *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->o = o;
    if (!(c->mapping = load_mapping(o->mapping))) goto fail;
    if (!(c->crm = cli_crm_open(c->mapping, o->contacts, o->titles))) goto fail;
    if (!(c->deals = fopen(o->csv, "rb"))) {
        fprintf(stderr, "dealscore: %s: %s\n", o->csv, strerror(errno));
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
    if (c->deals) fclose(c->deals);
    cli_crm_close(c->crm);
    cli_mapping_free(c->mapping);
    index_free(&c->index);
    free(c);
}

/* ---- the deals ---- */

typedef struct deal_read {
    cli_csv *csv;
    cli_pipeline *pipeline;
    cli_columns *columns;
    long long offset; /* bytes of the deals file queued so far */
    ds_buf text;
    bool setup_failed;
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

static void queue_deal(deal_read *r, const cli_csv_row *row, long long bytes) {
    cli_csv *c = r->csv;
    const char *file = c->o->csv;
    ds_error err = {0};
    cJSON *deal = cli_columns_row(r->columns, row, "$", &err);
    int count;
    char **ids = cli_columns_deal_ids(r->columns, row, &count);
    const char *id = count ? ids[0] : NULL;
    if (deal) cli_crm_deal(c->crm, deal);
    if (deal && !id)
        ds_error_set(&err, "missing_field", "$.id", "%s:%ld: the deal id is empty", file,
                     row->line[0]);
    entry *e = id ? index_find(&c->index, id) : NULL;
    if (e) e->used = true;
    if (!deal || !id) {
        cli_pipeline_put_error(r->pipeline, id, &err, bytes);
    } else if (e && e->has_error) {
        cli_pipeline_put_error(r->pipeline, id, &e->error, bytes);
    } else {
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", file, row->line[0]);
        splice(&r->text, deal, e);
        cli_crm_lookups(c->crm, deal, &r->text);
        cli_origin origin = {id, c->o->stakeholders, c->o->relationships, NULL, NULL, 0, 0};
        if (e) {
            origin.stakeholder_lines = (const long *)e->stakeholder_lines.data;
            origin.relationship_lines = (const long *)e->relationship_lines.data;
            origin.n_stakeholders = e->n_stakeholders;
            origin.n_relationships = e->n_relationships;
        }
        cli_pipeline_put_joined(r->pipeline, r->text.data, r->text.len, where, bytes, &origin);
    }
    cJSON_Delete(deal);
    free(ids);
}

static int on_deal_row(void *ctx, const cli_csv_row *row) {
    deal_read *r = ctx;
    long long bytes = row->offset - r->offset;
    r->offset = row->offset;
    if (!r->columns) {
        char err[600];
        r->columns =
            cli_columns_bind(r->csv->mapping, CLI_DEALS, row, r->csv->o->csv, err, sizeof err);
        if (!r->columns) {
            fprintf(stderr, "dealscore: %s\n", err);
            r->setup_failed = true;
        } else {
            cli_crm_header(r->csv->crm, CLI_DEALS, row, r->csv->o->csv);
        }
        return r->setup_failed;
    }
    if (cli_crm_footer(r->csv->crm, row)) return 0;
    queue_deal(r, row, bytes);
    return 0;
}

/* Rows of the other files whose deal is not in the deals file: named, counted. */
static void report_unused(cli_csv *c) {
    long deals = 0, rows = 0;
    for (size_t i = 0; c->index.slots && i <= c->index.mask; i++) {
        const entry *e = c->index.slots[i];
        if (!e || e->used) continue;
        if (deals++ < MAX_REPORTED)
            fprintf(stderr,
                    "dealscore: %s:%ld: deal \"%.60s\" is not in %s; its rows are not scored\n",
                    e->file, e->line, e->id, c->o->csv);
        rows += e->n_stakeholders + e->n_relationships + e->has_error;
    }
    if (deals > MAX_REPORTED)
        fprintf(stderr, "dealscore: ... %ld deals in all, %ld rows, are not in %s\n", deals, rows,
                c->o->csv);
    c->row_errors += rows;
}

int cli_csv_run(cli_csv *c, cli_pipeline *p, long *row_errors) {
    deal_read r = {.csv = c, .pipeline = p};
    ds_buf_init(&r.text);
    int rc = read_rows(c->deals, c->o->csv, on_deal_row, &r, &c->row_errors);
    if (rc == 0 && !r.setup_failed) report_unused(c);
    cli_columns_free(r.columns);
    ds_buf_free(&r.text);
    *row_errors = c->row_errors + cli_crm_errors(c->crm);
    return rc < 0 || r.setup_failed ? -1 : 0;
}
