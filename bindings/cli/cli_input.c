/* cli_input.c: JSONL and JSON-array deal streams; see cli_input.h. */
#include "cli_input.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ds_buf.h"

static bool is_space(int c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!is_space((unsigned char)s[i])) return false;
    return true;
}

/* Skips whitespace and a UTF-8 byte order mark; returns the first other byte
 * (pushed back) or EOF. Counts newlines into *line. */
static int peek_start(FILE *f, long *line) {
    int c = getc(f);
    if (c == 0xEF) {
        int c2 = getc(f), c3 = getc(f);
        if (c2 == 0xBB && c3 == 0xBF)
            c = getc(f);
        else {
            /* not a BOM: push back what we can, the parser reports the rest */
            if (c3 != EOF) ungetc(c3, f);
            return 0xEF;
        }
    }
    while (c != EOF && is_space(c)) {
        if (c == '\n') (*line)++;
        c = getc(f);
    }
    if (c != EOF) ungetc(c, f);
    return c;
}

static int read_jsonl(FILE *f, const char *name, long line, cli_deal_fn fn, void *ctx) {
    char *text = NULL;
    size_t cap = 0;
    ssize_t n;
    char where[600];
    int rc = 0;
    while ((n = getline(&text, &cap, f)) >= 0) {
        line++;
        size_t len = (size_t)n;
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r')) len--;
        if (blank(text, len)) continue;
        snprintf(where, sizeof where, "%s:%ld", name, line);
        if (fn(ctx, text, len, where)) break;
    }
    if (ferror(f)) rc = -1;
    free(text);
    return rc;
}

/* The array form: splits top-level elements by tracking strings and nesting, and
 * hands each element to fn as its own text. */
static int read_array(FILE *f, const char *name, long line, cli_deal_fn fn, void *ctx) {
    ds_buf elem;
    ds_buf_init(&elem);
    char where[600];
    int depth = 0, element = 0;
    bool in_string = false, escaped = false, closed = false;
    long elem_line = line + 1;
    getc(f); /* the opening '[' */
    int c;
    while ((c = getc(f)) != EOF) {
        if (c == '\n') line++;
        if (closed) {
            if (!is_space(c)) {
                snprintf(where, sizeof where, "%s:%ld", name, line + 1);
                fn(ctx, "]x", 2, where); /* reported as bad JSON after the array */
                break;
            }
            continue;
        }
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        } else if (depth == 0 && (c == ',' || c == ']')) {
            if (!blank(elem.data ? elem.data : "", elem.len) || c == ',') {
                snprintf(where, sizeof where, "%s:%ld element %d", name, elem_line, ++element);
                if (fn(ctx, elem.data ? elem.data : "", elem.len, where)) break;
            }
            ds_buf_clear(&elem);
            elem_line = line + (c == '\n');
            if (c == ']') closed = true;
            continue;
        }
        if (elem.len == 0 && is_space(c)) {
            elem_line = line + 1;
            continue;
        }
        ds_buf_putc(&elem, (char)c);
    }
    if (!closed && !blank(elem.data ? elem.data : "", elem.len)) {
        snprintf(where, sizeof where, "%s:%ld element %d (array not closed)", name, elem_line,
                 ++element);
        fn(ctx, elem.data, elem.len, where);
    }
    int rc = ferror(f) ? -1 : 0;
    ds_buf_free(&elem);
    return rc;
}

int cli_read_deals(FILE *f, const char *name, cli_deal_fn fn, void *ctx) {
    long line = 0;
    int first = peek_start(f, &line);
    if (first == EOF) return ferror(f) ? -1 : 0;
    if (first == '[') return read_array(f, name, line, fn, ctx);
    return read_jsonl(f, name, line, fn, ctx);
}
