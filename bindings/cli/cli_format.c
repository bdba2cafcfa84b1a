/* cli_format.c: JSONL, table and CSV result rows; see cli_format.h.
 *
 * CSV rows are meant to be loaded back into a CRM: one row per deal, the six
 * scores, the verdict, reasons and warnings joined with ';', and for a deal that
 * could not be scored the error's code, path and message instead. csv-sheet
 * is the same rows for a spreadsheet: formula-like text cells defused. */
#include "cli_format.h"

#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int cli_format_parse(const char *name) {
    if (strcmp(name, "jsonl") == 0) return CLI_FORMAT_JSONL;
    if (strcmp(name, "table") == 0) return CLI_FORMAT_TABLE;
    if (strcmp(name, "csv") == 0) return CLI_FORMAT_CSV;
    if (strcmp(name, "csv-sheet") == 0) return CLI_FORMAT_CSV_SHEET;
    return -1;
}

static const char *const csv_columns[] = {
    "id",          "capability_roi", "strategic_roi", "measurable_roi",  "it_resistance",
    "user_threat", "viability",      "verdict",       "win_probability", "coverage",
    "reasons",     "warnings",       "error_code",    "error_path",      "error_message",
    NULL};

void cli_format_header(FILE *out, int format) {
    if (format == CLI_FORMAT_TABLE) {
        fprintf(out, "%-28s %9s  %-17s  %s\n", "deal", "viability", "verdict", "main reason");
    } else if (format == CLI_FORMAT_CSV || format == CLI_FORMAT_CSV_SHEET) {
        for (int i = 0; csv_columns[i]; i++) fprintf(out, "%s%s", i ? "," : "", csv_columns[i]);
        fputs("\r\n", out); /* RFC 4180 line ends, what spreadsheet imports expect */
    }
}

/* A CSV row is put together in a chunk on the stack and handed to stdio in one
 * call (a few for a long row): a stdio call per field cost more than the row. */
typedef struct chunk {
    FILE *f;
    size_t len;
    char data[2048];
} chunk;

static void chunk_flush(chunk *c) {
    fwrite(c->data, 1, c->len, c->f);
    c->len = 0;
}

static void chunk_add(chunk *c, const char *s, size_t n) {
    if (c->len + n > sizeof c->data) {
        chunk_flush(c);
        if (n > sizeof c->data) {
            fwrite(s, 1, n, c->f);
            return;
        }
    }
    memcpy(c->data + c->len, s, n);
    c->len += n;
}

static void chunk_putc(chunk *c, char ch) {
    if (c->len == sizeof c->data) chunk_flush(c);
    c->data[c->len++] = ch;
}

/* One CSV field, quoted when it holds a comma, quote, CR or LF, or starts or ends
 * with a space (RFC 4180: quotes doubled inside). */
static bool csv_needs_quotes(const char *s, size_t n) {
    if (n && (s[0] == ' ' || s[n - 1] == ' ')) return true;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') return true;
    return false;
}

static void csv_quoted(chunk *c, const char *s) {
    for (; *s; s++) {
        if (*s == '"') chunk_putc(c, '"');
        chunk_putc(c, *s);
    }
}

static void csv_field(chunk *c, const char *s) {
    if (!s) return;
    size_t n = strlen(s);
    if (!csv_needs_quotes(s, n)) {
        chunk_add(c, s, n);
        return;
    }
    chunk_putc(c, '"');
    csv_quoted(c, s);
    chunk_putc(c, '"');
}

/* Text cells a spreadsheet would take for a formula (OWASP, CSV injection). */
static atomic_long formula_cells;

static bool formula_like(const char *s) {
    return s && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                 s[0] == '\r');
}

long cli_format_formula_cells(void) {
    return atomic_load(&formula_cells);
}

/* A text cell: for a spreadsheet (sheet), one that starts as a formula gets a '
 * before it, inside quotes; plain CSV counts it. */
static void csv_text(chunk *c, const char *s, bool sheet) {
    if (!formula_like(s)) {
        csv_field(c, s);
    } else if (!sheet) {
        atomic_fetch_add(&formula_cells, 1);
        csv_field(c, s);
    } else {
        chunk_add(c, "\"'", 2);
        csv_quoted(c, s);
        chunk_putc(c, '"');
    }
}

/* Strings joined with ';' (reasons and warnings hold no ';' of their own: they
 * are rule names and stale:<id>), as one field: quoted as the joined text
 * would be. */
static void csv_joined(chunk *c, const char *const *items, int n, bool sheet) {
    if (n && formula_like(items[0])) { /* a policy's reason: its own text */
        if (!sheet) atomic_fetch_add(&formula_cells, 1);
        if (sheet) {
            chunk_add(c, "\"'", 2);
            for (int i = 0; i < n; i++) {
                if (i) chunk_putc(c, ';');
                csv_quoted(c, items[i]);
            }
            chunk_putc(c, '"');
            return;
        }
    }
    bool quote = false;
    for (int i = 0; i < n && !quote; i++) {
        size_t len = strlen(items[i]);
        quote = strpbrk(items[i], ",\"\r\n") || (i == 0 && len && items[i][0] == ' ') ||
                (i == n - 1 && len && items[i][len - 1] == ' ');
    }
    if (quote) chunk_putc(c, '"');
    for (int i = 0; i < n; i++) {
        if (i) chunk_putc(c, ';');
        if (quote)
            csv_quoted(c, items[i]);
        else
            chunk_add(c, items[i], strlen(items[i]));
    }
    if (quote) chunk_putc(c, '"');
}

/* A number as the JSON line has it; nothing for one JSON writes as null. */
static void csv_number(chunk *c, double v, int decimals) {
    char text[64];
    int n = isfinite(v) ? dealscore_number_text(v, decimals, text, sizeof text) : 0;
    if (n > 0 && (size_t)n < sizeof text) chunk_add(c, text, (size_t)n);
}

static void csv_row(FILE *row, const dealscore_result *r, bool sheet) {
    chunk c = {.f = row, .len = 0};
    const dealscore_error *e = &r->error;
    csv_text(&c, r->id, sheet);
    for (int k = 0; k <= DEALSCORE_NSCORES; k++) {
        chunk_putc(&c, ',');
        if (!e->code) csv_number(&c, k < DEALSCORE_NSCORES ? r->scores[k] : r->viability, 1);
    }
    chunk_putc(&c, ',');
    csv_field(&c, e->code ? "error" : r->verdict);
    chunk_putc(&c, ',');
    if (!e->code && r->has_win_probability) csv_number(&c, r->win_probability, 4);
    chunk_putc(&c, ',');
    if (!e->code) csv_number(&c, r->coverage, 4);
    chunk_putc(&c, ',');
    csv_joined(&c, r->reasons, e->code ? 0 : r->n_reasons, sheet);
    chunk_putc(&c, ',');
    csv_joined(&c, r->warnings, e->code ? 0 : r->n_warnings, sheet);
    const char *error_parts[] = {e->code, e->path, e->message};
    for (size_t k = 0; k < 3; k++) {
        chunk_putc(&c, ',');
        csv_text(&c, e->code ? error_parts[k] : NULL, sheet);
    }
    chunk_add(&c, "\r\n", 2);
    chunk_flush(&c);
}

static void table_row(FILE *row, const dealscore_result *r) {
    const char *name = r->id ? r->id : "(no id)";
    const dealscore_error *e = &r->error;
    if (e->code) {
        /* the message names file, line and column and says what to do (--encoding,
         * --decimal): a person reading the table needs it more than the path */
        fprintf(row, "%-28.28s %9s  %-17s  %s", name, "-", "error", e->code);
        if (e->message && *e->message)
            fprintf(row, ": %s\n", e->message);
        else
            fprintf(row, " at %s\n", e->path);
        return;
    }
    /* rounded as the JSON line has them, then printed */
    fprintf(row, "%-28.28s %9.1f  %-17s  ", name, dealscore_round(r->viability, 1),
            r->verdict ? r->verdict : "-");
    /* insufficient_data: the reason is what is missing, not a rule of the policy */
    if (r->verdict && strcmp(r->verdict, "insufficient_data") == 0 && isfinite(r->coverage))
        fprintf(row, "too little known: coverage %.0f%%\n", 100 * dealscore_round(r->coverage, 4));
    else
        fprintf(row, "%s\n", r->n_reasons ? r->reasons[0] : "-");
}

void cli_format_row(FILE *row, int format, dealscore_engine *e, const dealscore_result *r) {
    if (format == CLI_FORMAT_TABLE) {
        table_row(row, r);
        return;
    }
    if (format == CLI_FORMAT_CSV || format == CLI_FORMAT_CSV_SHEET) {
        csv_row(row, r, format == CLI_FORMAT_CSV_SHEET);
        return;
    }
    size_t len = 0;
    char *made = e ? NULL : dealscore_error_json(r->id, &r->error, &len);
    const char *json = e ? dealscore_result_json(e, r, &len) : made;
    if (json) fwrite(json, 1, len, row);
    free(made);
    putc('\n', row);
}

/* s with control characters as \xNN (C1 ones, U+0080..U+009F, as their two
 * UTF-8 bytes): what a terminal would obey is shown instead. */
static void print_visible(FILE *f, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool c1 = p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;
        if (*p >= 0x20 && *p != 0x7f && !c1) {
            putc(*p, f);
        } else if (c1) {
            fprintf(f, "\\x%02x\\x%02x", p[0], p[1]);
            p++;
        } else {
            fprintf(f, "\\x%02x", *p);
        }
    }
}

void cli_print_unscored(FILE *f, const char *command, const char *where, const dealscore_error *e) {
    const char *message = e->message ? e->message : "";
    size_t n = strlen(where);
    if (n && strncmp(message, where, n) == 0 && message[n] == ':' && message[n + 1] == ' ')
        message += n + 2;
    fprintf(f, "dealscore %s: ", command);
    print_visible(f, where);
    fprintf(f, ": cannot be scored: %s: ", e->code);
    print_visible(f, *message ? message : e->path ? e->path : "");
    putc('\n', f);
}
