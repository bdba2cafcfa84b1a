/* cli_format.c: JSONL, table and CSV result rows; see cli_format.h.
 *
 * CSV rows are meant to be loaded back into a CRM: one row per deal, the six
 * scores, the verdict, reasons and warnings joined with ';', and for a deal that
 * could not be scored the error's code, path and message instead. */
#include "cli_format.h"

#include <string.h>

#include "ds_json.h"

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

static const char *string_of(const cJSON *obj, const char *key) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* The strings of a JSON array joined with ';' (reasons and warnings hold no ';'
 * of their own: they are rule names and stale:<id>). */
static void csv_joined(ds_buf *b, const cJSON *array, ds_buf *tmp) {
    ds_buf_clear(tmp);
    const cJSON *item;
    cJSON_ArrayForEach(item, array) {
        if (tmp->len) ds_buf_putc(tmp, ';');
        if (cJSON_IsString(item)) ds_buf_puts(tmp, item->valuestring);
    }
    ds_buf_putc(tmp, '\0');
    cli_csv_field(b, tmp->data);
}

static void csv_row(ds_buf *row, const cJSON *r) {
    static const char *const scores[] = {"capability_roi", "strategic_roi", "measurable_roi",
                                         "it_resistance",  "user_threat",   "viability"};
    cli_csv_field(row, string_of(r, "id"));
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(r, "error");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "scores");
    for (size_t k = 0; k < sizeof scores / sizeof *scores; k++) {
        ds_buf_putc(row, ',');
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, scores[k]);
        if (cJSON_IsNumber(v)) ds_buf_json_number(row, v->valuedouble, 1);
    }
    ds_buf_putc(row, ',');
    cli_csv_field(row, error ? "error" : string_of(r, "verdict"));
    ds_buf_putc(row, ',');
    const cJSON *win = cJSON_GetObjectItemCaseSensitive(s, "win_probability");
    if (cJSON_IsNumber(win)) ds_buf_json_number(row, win->valuedouble, 4);
    ds_buf_putc(row, ',');
    const cJSON *coverage = cJSON_GetObjectItemCaseSensitive(r, "coverage");
    if (cJSON_IsNumber(coverage)) ds_buf_json_number(row, coverage->valuedouble, 4);
    ds_buf tmp;
    ds_buf_init(&tmp);
    ds_buf_putc(row, ',');
    csv_joined(row, cJSON_GetObjectItemCaseSensitive(r, "reasons"), &tmp);
    ds_buf_putc(row, ',');
    csv_joined(row, cJSON_GetObjectItemCaseSensitive(r, "warnings"), &tmp);
    ds_buf_free(&tmp);
    static const char *const error_keys[] = {"code", "path", "message"};
    for (size_t k = 0; k < 3; k++) {
        ds_buf_putc(row, ',');
        cli_csv_field(row, string_of(error, error_keys[k]));
    }
    ds_buf_puts(row, "\r\n");
}

static void table_row(ds_buf *row, const cJSON *r) {
    const char *id = string_of(r, "id");
    const char *name = id ? id : "(no id)";
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(r, "error");
    if (error) {
        /* the message names file, line and column and says what to do (--encoding,
         * --decimal): a person reading the table needs it more than the path */
        const char *message = string_of(error, "message");
        ds_buf_printf(row, "%-28.28s %9s  %-17s  %s", name, "-", "error", string_of(error, "code"));
        if (message && *message)
            ds_buf_printf(row, ": %s\n", message);
        else
            ds_buf_printf(row, " at %s\n", string_of(error, "path"));
        return;
    }
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(r, "scores");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(scores, "viability");
    const cJSON *reason = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "reasons"), 0);
    const char *verdict = string_of(r, "verdict");
    ds_buf_printf(row, "%-28.28s %9.1f  %-17s  ", name, cJSON_GetNumberValue(v),
                  verdict ? verdict : "-");
    /* insufficient_data: the reason is what is missing, not a rule of the policy */
    const cJSON *coverage = cJSON_GetObjectItemCaseSensitive(r, "coverage");
    if (verdict && strcmp(verdict, "insufficient_data") == 0 && cJSON_IsNumber(coverage))
        ds_buf_printf(row, "too little known: coverage %.0f%%\n", 100 * coverage->valuedouble);
    else
        ds_buf_printf(row, "%s\n", reason ? cJSON_GetStringValue(reason) : "-");
}

void cli_format_row(ds_buf *row, int format, const char *line, size_t len, ds_arena *a) {
    if (format == CLI_FORMAT_JSONL) {
        ds_buf_add(row, line, len);
        ds_buf_putc(row, '\n');
        return;
    }
    size_t at;
    cJSON *r = ds_json_parse(a, line, len, &at);
    if (format == CLI_FORMAT_TABLE)
        table_row(row, r);
    else
        csv_row(row, r);
}
