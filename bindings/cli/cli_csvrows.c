/* cli_csvrows.c: libcsv with line numbers; see cli_csvrows.h.
 *
 * libcsv does not count lines, so the file is handed to it one line at a time
 * (split at each LF): when libcsv completes a field, the current line minus the
 * line breaks inside the field is the line the field started on. */
#include "cli_csvrows.h"

#include <csv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ds_buf.h"

typedef struct reader {
    cli_csv_row_fn fn;
    void *ctx;
    long line;          /* the line being fed to libcsv */
    long last_row_line; /* where the last complete row ended */
    long long offset;
    ds_buf text;    /* the row's fields, each NUL-terminated */
    size_t *starts; /* offsets of the fields in text */
    long *lines;
    char **fields;
    int n, cap;
    bool stop;
} reader;

static int grow(reader *r) {
    int cap = r->cap ? r->cap * 2 : 32;
    size_t *starts = realloc(r->starts, (size_t)cap * sizeof *starts);
    if (starts) r->starts = starts;
    long *lines = realloc(r->lines, (size_t)cap * sizeof *lines);
    if (lines) r->lines = lines;
    char **fields = realloc(r->fields, (size_t)cap * sizeof *fields);
    if (fields) r->fields = fields;
    if (!starts || !lines || !fields) return -1;
    r->cap = cap;
    return 0;
}

static void on_field(void *data, size_t len, void *arg) {
    reader *r = arg;
    if (r->stop || (r->n == r->cap && grow(r) < 0)) {
        r->stop = true;
        return;
    }
    long breaks = 0;
    for (size_t i = 0; i < len; i++) breaks += ((const char *)data)[i] == '\n';
    r->starts[r->n] = r->text.len;
    r->lines[r->n] = r->line - breaks;
    ds_buf_add(&r->text, data ? data : "", len);
    ds_buf_putc(&r->text, '\0');
    r->n++;
}

static void on_row(int terminator, void *arg) {
    (void)terminator;
    reader *r = arg;
    if (!r->stop && r->n > 0 && !r->text.failed) {
        for (int i = 0; i < r->n; i++) r->fields[i] = r->text.data + r->starts[i];
        cli_csv_row row = {r->n, r->fields, r->lines, r->offset};
        if (r->fn(r->ctx, &row)) r->stop = true;
    }
    r->last_row_line = r->line;
    r->n = 0;
    ds_buf_clear(&r->text);
}

/* Feeds one chunk to libcsv, a line at a time. */
static int feed(struct csv_parser *p, reader *r, const char *buf, size_t len, long long base) {
    size_t at = 0;
    while (at < len && !r->stop) {
        const char *nl = memchr(buf + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        r->offset = base + (long long)end;
        if (csv_parse(p, buf + at, end - at, on_field, on_row, r) != end - at) return -1;
        if (nl) r->line++;
        at = end;
    }
    return 0;
}

int cli_csv_rows(FILE *f, cli_csv_row_fn fn, void *ctx, long *open_line) {
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL) != 0) return -1;
    reader r = {.fn = fn, .ctx = ctx, .line = 1};
    ds_buf_init(&r.text);
    static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    char buf[1 << 16];
    long long base = 0;
    int rc = 0;
    size_t n;
    while (!r.stop && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        size_t skip = base == 0 && n >= 3 && memcmp(buf, bom, 3) == 0 ? 3 : 0;
        if (feed(&p, &r, buf + skip, n - skip, base + (long long)skip) < 0) {
            rc = -1;
            break;
        }
        base += (long long)n;
    }
    if (ferror(f)) rc = -1;
    /* libcsv reports a quoted field left open at the end only in its strict mode,
     * which stops at the first stray quote anywhere; its state says it as well:
     * a field begun (pstate 2, FIELD_BEGUN in libcsv.c) that was quoted. */
    bool open_quote = p.quoted && p.pstate == 2;
    if (rc == 0 && open_quote) { /* the unfinished row is not handed on */
        *open_line = r.last_row_line;
        rc = -2;
    } else if (rc == 0 && !r.stop) {
        csv_fini(&p, on_field, on_row, &r);
    }
    csv_free(&p);
    ds_buf_free(&r.text);
    free(r.starts);
    free(r.lines);
    free(r.fields);
    return rc;
}
