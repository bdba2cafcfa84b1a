/* dealscore_input.c: JSONL and JSON-array deal streams; see lib/dealscore.h
 * ("reading deals"). Every front end reads deals here: the CLI's commands and
 * the Lua module's read_deals.
 *
 * The reader keeps its own buffer over the file descriptor (read(2), so a pipe's
 * deals are handled as they arrive) and, in front of it, the text of a broken
 * array element that is read again line by line ("again"). Arrays are split by
 * tracking strings and nesting with a counter, never recursion, so any depth of
 * nesting costs no stack. */
#include "dealscore.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ds_buf.h"

typedef struct reader {
    FILE *f;
    int fd; /* -1 for a stream without one (fmemopen) */
    const char *name;
    const dealscore_input *in;
    char io[1 << 16];
    size_t at, end;
    bool eof, error, stop;
    bool broken;     /* an array was abandoned: salvage the deals that follow */
    long line;       /* line of the next byte from the file */
    ds_buf again;    /* text read again before the file */
    size_t again_at; /* next byte of again */
    long again_line; /* line of the next byte of again */
    ds_buf text;     /* the deal being read */
    char where[640];
} reader;

static bool is_space(int c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool fill(reader *r) {
    if (r->eof) return false;
    ssize_t n;
    if (r->fd >= 0) {
        do n = read(r->fd, r->io, sizeof r->io);
        while (n < 0 && errno == EINTR);
    } else {
        n = (ssize_t)fread(r->io, 1, sizeof r->io, r->f);
        if (n == 0 && ferror(r->f)) n = -1;
    }
    r->at = 0;
    r->end = n > 0 ? (size_t)n : 0;
    if (n <= 0) {
        r->eof = true;
        r->error = n < 0;
        return false;
    }
    return true;
}

static bool again_left(const reader *r) {
    return r->again_at < r->again.len;
}

static long line_now(const reader *r) {
    return again_left(r) ? r->again_line : r->line;
}

static int peek(reader *r) {
    if (again_left(r)) return (unsigned char)r->again.data[r->again_at];
    if (r->at == r->end && !fill(r)) return EOF;
    return (unsigned char)r->io[r->at];
}

static int next(reader *r) {
    int c = peek(r);
    if (c == EOF) return c;
    if (again_left(r)) {
        r->again_at++;
        r->again_line += c == '\n';
    } else {
        r->at++;
        r->line += c == '\n';
    }
    return c;
}

/* Appends to b while it holds fewer than max bytes (0 = no limit). */
static void keep(ds_buf *b, const char *s, size_t n, size_t max) {
    if (max && b->len + n > max) n = b->len < max ? max - b->len : 0;
    if (n) ds_buf_add(b, s, n);
}

/* Reads the rest of the current line, without its '\n', onto r->text (keeping at
 * most max bytes in all). Returns the line's length, or -1 at the end of the input. */
static long long read_line(reader *r, size_t max) {
    size_t total = r->text.len; /* the line's leading blanks */
    bool any = false;
    for (;;) {
        bool from_again = again_left(r);
        const char *p;
        size_t n;
        if (from_again) {
            p = r->again.data + r->again_at;
            n = r->again.len - r->again_at;
        } else {
            if (r->at == r->end && !fill(r)) break;
            p = r->io + r->at;
            n = r->end - r->at;
        }
        any = true;
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        keep(&r->text, p, take, max);
        total += take;
        size_t used = take + (nl != NULL);
        if (from_again) {
            r->again_at += used;
            r->again_line += nl != NULL;
        } else {
            r->at += used;
            r->line += nl != NULL;
        }
        if (nl) break;
    }
    while (r->text.len && is_space((unsigned char)r->text.data[r->text.len - 1]))
        r->text.data[--r->text.len] = '\0';
    return any ? (long long)total : -1;
}

static void reject(reader *r, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reject(reader *r, const char *code, const char *fmt, ...) {
    char message[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (r->in->reject(r->in->ctx, code, message)) r->stop = true;
}

static void deal(reader *r, const char *text, size_t len, const char *where) {
    if (r->in->deal(r->in->ctx, text ? text : "", len, where)) r->stop = true;
}

/* r->where = "NAME:LINE", what snprintf("%s:%ld") gives, cut the same way:
 * once a deal, without printf's machinery (vfprintf's code was a few percent
 * of a scoring's instruction-cache misses). */
static void where_line(reader *r, long line) {
    char digits[24];
    int n = 0;
    unsigned long v = line < 0 ? 0 - (unsigned long)line : (unsigned long)line;
    do digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    if (line < 0) digits[n++] = '-';
    size_t cap = sizeof r->where - 1, at = strlen(r->name);
    if (at > cap) at = cap;
    memcpy(r->where, r->name, at);
    if (at < cap) r->where[at++] = ':';
    while (n > 0 && at < cap) r->where[at++] = digits[--n];
    r->where[at] = '\0';
}

/* ---- a deal over several lines ----
 *
 * A pretty-printed deal (`jq . deal.json`, json.dumps(indent=2), a deal pasted
 * from the docs) opens its object on a line of its own and closes it lines
 * later; read line by line it would be one bad_json row per line. A line that
 * opens an object and does not close it (it does not end in '}', and its
 * brackets outside strings stay open) is read on, line by line, while the next
 * line starts as a pretty printer writes the inside of a value: with a blank or
 * a closing bracket. So one deal spread over lines is one deal (or one error),
 * and a JSONL line cut short still costs only itself: the next deal's line
 * starts with '{' and is read on its own. Only lines that do not end in '}' are
 * looked at: valid JSONL pays one byte comparison a line. */

typedef struct nesting {
    long depth;
    bool in_string, escaped;
} nesting;

static void nest(nesting *n, const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (n->in_string) {
            if (n->escaped)
                n->escaped = false;
            else if (c == '\\')
                n->escaped = true;
            else if (c == '"')
                n->in_string = false;
        } else if (c == '"') {
            n->in_string = true;
        } else if (c == '{' || c == '[') {
            n->depth++;
        } else if (c == '}' || c == ']') {
            n->depth--;
        }
    }
}

/* Appends the lines that continue the value opened at r->text[lead]; returns the
 * bytes read in all (the first line's *len included). */
static long long read_on(reader *r, size_t lead, long long len, size_t max) {
    nesting n = {0};
    nest(&n, r->text.data + lead, r->text.len - lead);
    while (n.depth > 0 && !n.in_string) {
        int c = peek(r);
        if (c == EOF || !(is_space(c) || c == '}' || c == ']')) break;
        size_t from = r->text.len;
        keep(&r->text, "\n", 1, max);
        long long more = read_line(r, max);
        if (more < 0) break;
        len += more + 1;
        if (r->text.len > from) nest(&n, r->text.data + from, r->text.len - from);
    }
    return len;
}

/* One deal per line, or one over several (above). A deal longer than the limit
 * is skipped, not held. */
static void read_jsonl_item(reader *r, bool salvage) {
    long line = line_now(r);
    size_t max = r->in->max_deal_bytes;
    long long len = read_line(r, max);
    if (len <= 0 && r->text.len == 0) return;
    size_t lead = 0;
    while (lead < r->text.len && is_space((unsigned char)r->text.data[lead])) lead++;
    if (!salvage && lead < r->text.len && r->text.data[lead] == '{' &&
        r->text.data[r->text.len - 1] != '}')
        len = read_on(r, lead, len, max);
    if (salvage) {
        if (r->text.data[lead] != '{') return; /* part of the broken array */
        /* array punctuation after a deal: "{...}," or "{...}]" */
        while (r->text.len > lead && strchr(",] \t", r->text.data[r->text.len - 1]))
            r->text.data[--r->text.len] = '\0';
    }
    if (max && (size_t)len > max) {
        reject(r, "too_large", "%s:%ld: deal of %lld bytes, over the limit of %zu bytes", r->name,
               line, len, max);
        return;
    }
    where_line(r, line);
    deal(r, r->text.data, r->text.len, r->where);
}

/* ---- arrays ---- */

enum { EXPECT, INSIDE, AFTER }; /* where the splitter is at depth 0 */

typedef struct splitter {
    long depth;
    bool in_string, escaped, after_comma;
    int state, element;
    long elem_line;
    size_t elem_bytes; /* the element's size, bytes not kept included */
} splitter;

static void put(reader *r, splitter *s, int c) {
    char ch = (char)c;
    keep(&r->text, &ch, 1, r->in->max_deal_bytes);
    s->elem_bytes++;
}

static void emit(reader *r, splitter *s) {
    size_t max = r->in->max_deal_bytes;
    if (max && s->elem_bytes > max) {
        reject(r, "too_large", "%s:%ld element %d: deal of %zu bytes, over the limit of %zu bytes",
               r->name, s->elem_line, s->element, s->elem_bytes, max);
        return;
    }
    snprintf(r->where, sizeof r->where, "%s:%ld element %d", r->name, s->elem_line, s->element);
    deal(r, r->text.data, r->text.len, r->where);
}

/* The array is abandoned: the element is rejected, and the lines after its first
 * line are read again (see dealscore_input.h); if it had one line, the rest of that
 * line is skipped. */
static void broken(reader *r, splitter *s, const char *why) {
    reject(r, "bad_json", "%s:%ld element %d: not valid JSON: %s; the array is abandoned", r->name,
           s->elem_line, s->element, why);
    r->broken = true;
    const char *nl = r->text.len ? memchr(r->text.data, '\n', r->text.len) : NULL;
    if (nl) {
        size_t from = (size_t)(nl + 1 - r->text.data);
        ds_buf rest;
        ds_buf_init(&rest);
        ds_buf_add(&rest, r->text.data + from, r->text.len - from);
        if (again_left(r))
            ds_buf_add(&rest, r->again.data + r->again_at, r->again.len - r->again_at);
        ds_buf_free(&r->again);
        r->again = rest;
        r->again_at = 0;
        r->again_line = s->elem_line + 1;
    } else {
        int c;
        while ((c = next(r)) != EOF && c != '\n') continue;
    }
}

/* A byte at depth 0 once an element is complete: ',' or ']' or whitespace. */
static bool after_element(reader *r, splitter *s, int c, bool *closed) {
    if (is_space(c)) {
        put(r, s, c);
        return true;
    }
    if (c == ',' || c == ']') {
        emit(r, s);
        ds_buf_clear(&r->text);
        s->state = EXPECT;
        s->after_comma = c == ',';
        *closed = c == ']';
        return true;
    }
    put(r, s, c);
    char why[80];
    snprintf(why, sizeof why, "'%c' where ',' or ']' should follow the element",
             c >= 0x20 && c < 0x7f ? c : '?');
    broken(r, s, why);
    return false;
}

/* Returns false when the array was abandoned, true when it was closed. */
static bool split_byte(reader *r, splitter *s, int c, long here, bool *closed) {
    if (s->in_string) {
        if (c == '\n') {
            put(r, s, c);
            broken(r, s, "a line ends inside a string");
            return false;
        }
        if (s->escaped)
            s->escaped = false;
        else if (c == '\\')
            s->escaped = true;
        else if (c == '"') {
            s->in_string = false;
            if (s->depth == 0) s->state = AFTER;
        }
        put(r, s, c);
        return true;
    }
    if (s->state == EXPECT) {
        if (is_space(c)) return true;
        if (c == ',' || (c == ']' && s->after_comma)) {
            s->element++;
            s->elem_line = here;
            reject(r, "bad_json", "%s:%ld element %d: not valid JSON: no element before '%c'",
                   r->name, here, s->element, c);
            *closed = c == ']';
            return true;
        }
        if (c == ']') {
            *closed = true;
            return true;
        }
        s->state = INSIDE;
        s->element++;
        s->elem_line = here;
        s->elem_bytes = 0;
        ds_buf_clear(&r->text);
    }
    if (s->state == AFTER) return after_element(r, s, c, closed);
    if (s->depth == 0 && (c == ',' || c == ']' || is_space(c))) {
        s->state = AFTER; /* a number or literal ended */
        return after_element(r, s, c, closed);
    }
    if (c == '"')
        s->in_string = true;
    else if (c == '[' || c == '{')
        s->depth++;
    else if ((c == ']' || c == '}') && s->depth > 0 && --s->depth == 0)
        s->state = AFTER;
    put(r, s, c);
    return true;
}

static void read_array(reader *r) {
    splitter s = {.state = EXPECT, .elem_line = line_now(r)};
    ds_buf_clear(&r->text);
    next(r); /* the opening '[' */
    bool closed = false;
    while (!closed && !r->stop) {
        long here = line_now(r);
        int c = next(r);
        if (c == EOF) {
            /* a truncated export: its last complete element still counts */
            if (s.state == AFTER && !s.in_string) {
                emit(r, &s);
                reject(r, "bad_json",
                       "%s:%ld: not valid JSON: the input ends before the ']' of "
                       "the array",
                       r->name, here);
            } else {
                if (s.state == EXPECT) s.element++, s.elem_line = here;
                broken(r, &s, "the input ends before the ']' of the array");
            }
            return;
        }
        if (!split_byte(r, &s, c, here, &closed)) return;
    }
}

/* Skips a UTF-8 byte order mark at the very start of the stream. */
static void skip_bom(reader *r) {
    if (peek(r) != 0xEF || r->end - r->at < 3) return;
    if ((unsigned char)r->io[r->at + 1] == 0xBB && (unsigned char)r->io[r->at + 2] == 0xBF)
        r->at += 3;
}

int dealscore_input_read(FILE *f, const char *name, const dealscore_input *in) {
    reader *r = calloc(1, sizeof *r);
    if (!r) return -1;
    r->f = f;
    r->fd = fileno(f);
    r->name = name;
    r->in = in;
    r->line = 1;
    ds_buf_init(&r->again);
    ds_buf_init(&r->text);
    skip_bom(r);
    bool first = true;
    ds_buf_clear(&r->text);
    while (!r->stop) {
        bool salvage = r->broken;
        int c = peek(r);
        if (c == EOF) break;
        if (is_space(c)) {
            /* a line's leading blanks stay part of it: error offsets count them */
            if (c == '\n')
                ds_buf_clear(&r->text);
            else
                keep(&r->text, (const char *)&(char){(char)c}, 1, r->in->max_deal_bytes);
            next(r);
            continue;
        }
        if (c == '[' && first && !salvage)
            read_array(r);
        else
            read_jsonl_item(r, salvage);
        first = false;
        ds_buf_clear(&r->text);
    }
    int rc = r->error ? -1 : 0;
    ds_buf_free(&r->again);
    ds_buf_free(&r->text);
    free(r);
    return rc;
}

/* ---- without a limit, for callers that take texts only ---- */

typedef struct plain {
    dealscore_deal_fn fn;
    void *ctx;
} plain;

static int plain_deal(void *ctx, const char *text, size_t len, const char *where) {
    plain *p = ctx;
    return p->fn(p->ctx, text, len, where);
}

static int plain_reject(void *ctx, const char *code, const char *message) {
    (void)code;
    plain *p = ctx;
    return p->fn(p->ctx, "", 0, message);
}

int dealscore_read_deals(FILE *f, const char *name, dealscore_deal_fn fn, void *ctx) {
    plain p = {fn, ctx};
    dealscore_input in = {.deal = plain_deal, .reject = plain_reject, .ctx = &p};
    return dealscore_input_read(f, name, &in);
}
