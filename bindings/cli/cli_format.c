/* cli_format.c: JSONL, table and CSV result rows; see cli_format.h.
 *
 * CSV rows are meant to be loaded back into a CRM: one row per deal, the six
 * scores, the verdict, reasons and warnings joined with ';', and for a deal that
 * could not be scored the error's code, path and message instead. */
#include "cli_format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cli_format_parse(const char *name) {
    if (strcmp(name, "jsonl") == 0) return CLI_FORMAT_JSONL;
    if (strcmp(name, "table") == 0) return CLI_FORMAT_TABLE;
    if (strcmp(name, "csv") == 0) return CLI_FORMAT_CSV;
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
    } else if (format == CLI_FORMAT_CSV) {
        for (int i = 0; csv_columns[i]; i++) fprintf(out, "%s%s", i ? "," : "", csv_columns[i]);
        fputs("\r\n", out); /* RFC 4180 line ends, what spreadsheet imports expect */
    }
}

void cli_csv_field(ds_buf *b, const char *s) {
    if (!s) return;
    size_t n = strlen(s);
    bool quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        ds_buf_add(b, s, n);
        return;
    }
    ds_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') ds_buf_putc(b, '"');
        ds_buf_putc(b, s[i]);
    }
    ds_buf_putc(b, '"');
}

/* Strings joined with ';' (reasons and warnings hold no ';' of their own: they
 * are rule names and stale:<id>). */
static void csv_joined(ds_buf *b, const char *const *items, int n, ds_buf *tmp) {
    ds_buf_clear(tmp);
    for (int i = 0; i < n; i++) {
        if (tmp->len) ds_buf_putc(tmp, ';');
        ds_buf_puts(tmp, items[i]);
    }
    ds_buf_putc(tmp, '\0');
    cli_csv_field(b, tmp->data);
}

/* A number as the JSON line has it; nothing for one JSON writes as null. */
static void csv_number(ds_buf *row, double v, int decimals) {
    if (isfinite(v)) ds_buf_json_number(row, v, decimals);
}

static void csv_row(ds_buf *row, const dealscore_result *r) {
    const dealscore_error *e = &r->error;
    cli_csv_field(row, r->id);
    for (int k = 0; k <= DEALSCORE_NSCORES; k++) {
        ds_buf_putc(row, ',');
        if (!e->code) csv_number(row, k < DEALSCORE_NSCORES ? r->scores[k] : r->viability, 1);
    }
    ds_buf_putc(row, ',');
    cli_csv_field(row, e->code ? "error" : r->verdict);
    ds_buf_putc(row, ',');
    if (!e->code && r->has_win_probability) csv_number(row, r->win_probability, 4);
    ds_buf_putc(row, ',');
    if (!e->code) csv_number(row, r->coverage, 4);
    ds_buf tmp;
    ds_buf_init(&tmp);
    ds_buf_putc(row, ',');
    csv_joined(row, r->reasons, e->code ? 0 : r->n_reasons, &tmp);
    ds_buf_putc(row, ',');
    csv_joined(row, r->warnings, e->code ? 0 : r->n_warnings, &tmp);
    ds_buf_free(&tmp);
    const char *error_parts[] = {e->code, e->path, e->message};
    for (size_t k = 0; k < 3; k++) {
        ds_buf_putc(row, ',');
        cli_csv_field(row, e->code ? error_parts[k] : NULL);
    }
    ds_buf_puts(row, "\r\n");
}

static void table_row(ds_buf *row, const dealscore_result *r) {
    const char *name = r->id ? r->id : "(no id)";
    const dealscore_error *e = &r->error;
    if (e->code) {
        /* the message names file, line and column and says what to do (--encoding,
         * --decimal): a person reading the table needs it more than the path */
        ds_buf_printf(row, "%-28.28s %9s  %-17s  %s", name, "-", "error", e->code);
        if (e->message && *e->message)
            ds_buf_printf(row, ": %s\n", e->message);
        else
            ds_buf_printf(row, " at %s\n", e->path);
        return;
    }
    /* rounded as the JSON line has them, then printed */
    ds_buf_printf(row, "%-28.28s %9.1f  %-17s  ", name, ds_round(r->viability, 1),
                  r->verdict ? r->verdict : "-");
    /* insufficient_data: the reason is what is missing, not a rule of the policy */
    if (r->verdict && strcmp(r->verdict, "insufficient_data") == 0 && isfinite(r->coverage))
        ds_buf_printf(row, "too little known: coverage %.0f%%\n", 100 * ds_round(r->coverage, 4));
    else
        ds_buf_printf(row, "%s\n", r->n_reasons ? r->reasons[0] : "-");
}

void cli_format_row(ds_buf *row, int format, dealscore_engine *e, const dealscore_result *r) {
    if (format == CLI_FORMAT_TABLE) {
        table_row(row, r);
    } else if (format == CLI_FORMAT_CSV) {
        csv_row(row, r);
    } else if (e) {
        size_t len = 0;
        const char *json = dealscore_result_json(e, r, &len);
        if (json) ds_buf_add(row, json, len);
        ds_buf_putc(row, '\n');
    } else {
        size_t len = 0;
        char *json = dealscore_error_json(r->id, &r->error, &len);
        if (json)
            ds_buf_add(row, json, len);
        else
            row->failed = true;
        free(json);
        ds_buf_putc(row, '\n');
    }
}
