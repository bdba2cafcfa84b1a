/* srv_proto.c: the protocol's requests and responses (docs/protocol.md).
 *
 * A request line is either a bare deal or an envelope: a JSON object with an "op"
 * or a "deal" member. Telling them apart must not cost a second parse of the deal,
 * so envelopes are read with a small validating scanner that finds the top-level
 * members and their byte spans; the deal's span then goes to the scorer, which
 * parses it once. A bare deal goes to the scorer untouched, so its result line is
 * byte for byte what `dealscore score` prints.
 *
 * The line framing is here too, apart from the sockets of srv_conn.c, so the
 * fuzzer drives the same code the connections run (tests/fuzz/fuzz_proto.c). */
#define _GNU_SOURCE /* memmem, accept4 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_json.h" /* ds_utf8_invalid_at */
#include "srv_int.h"

#define MAX_DEPTH 512

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static int is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* p at the opening quote */
static const char *skip_string(const char *p, const char *end) {
    for (p++; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') return p + 1;
        if (c < 0x20) return NULL;
        if (c != '\\') continue;
        if (++p >= end) return NULL;
        if (*p == 'u') {
            if (end - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]))
                return NULL;
            p += 4;
        } else if (!strchr("\"\\/bfnrt", *p) || *p == '\0') {
            return NULL;
        }
    }
    return NULL;
}

static const char *skip_digits(const char *p, const char *end) {
    const char *start = p;
    while (p < end && *p >= '0' && *p <= '9') p++;
    return p > start ? p : NULL;
}

static const char *skip_number(const char *p, const char *end) {
    if (*p == '-') p++;
    if (p < end && *p == '0')
        p++;
    else if (!(p = skip_digits(p, end)))
        return NULL;
    if (p < end && *p == '.' && !(p = skip_digits(p + 1, end))) return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (!(p = skip_digits(p, end))) return NULL;
    }
    return p;
}

static const char *skip_word(const char *p, const char *end, const char *word) {
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && memcmp(p, word, n) == 0 ? p + n : NULL;
}

/* p just after '[' or '{' */
static const char *skip_container(const char *p, const char *end, int depth, char close) {
    p = skip_ws(p, end);
    if (p < end && *p == close) return p + 1;
    for (;;) {
        if (close == '}') {
            if (p >= end || *p != '"' || !(p = skip_string(p, end))) return NULL;
            p = skip_ws(p, end);
            if (p >= end || *p != ':') return NULL;
            p++;
        }
        if (!(p = srv_json_skip(p, end, depth + 1))) return NULL;
        p = skip_ws(p, end);
        if (p >= end) return NULL;
        if (*p == close) return p + 1;
        if (*p != ',') return NULL;
        p = skip_ws(p + 1, end);
    }
}

const char *srv_json_skip(const char *p, const char *end, int depth) {
    p = skip_ws(p, end);
    if (p >= end || depth > MAX_DEPTH) return NULL;
    switch (*p) {
    case '{':
        return skip_container(p + 1, end, depth, '}');
    case '[':
        return skip_container(p + 1, end, depth, ']');
    case '"':
        return skip_string(p, end);
    case 't':
        return skip_word(p, end, "true");
    case 'f':
        return skip_word(p, end, "false");
    case 'n':
        return skip_word(p, end, "null");
    default:
        return (*p == '-' || (*p >= '0' && *p <= '9')) ? skip_number(p, end) : NULL;
    }
}

typedef int (*member_fn)(void *ctx, srv_span key, srv_span value);

/* Calls fn for each member of the object text (keys without their quotes).
 * Returns 0 when text is exactly one valid object, -1 otherwise. */
static int each_member(const char *text, size_t len, member_fn fn, void *ctx) {
    const char *p = skip_ws(text, text + len), *end = text + len;
    if (p >= end || *p != '{') return -1;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') return skip_ws(p + 1, end) == end ? 0 : -1;
    for (;;) {
        const char *key = p;
        if (p >= end || *p != '"' || !(p = skip_string(p, end))) return -1;
        srv_span k = {key + 1, (size_t)(p - key - 2)};
        p = skip_ws(p, end);
        if (p >= end || *p != ':') return -1;
        const char *value = skip_ws(p + 1, end);
        if (!(p = srv_json_skip(value, end, 1))) return -1;
        if (fn(ctx, k, (srv_span){value, (size_t)(p - value)}) != 0) return 0;
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') return skip_ws(p + 1, end) == end ? 0 : -1;
        return -1;
    }
}

static bool span_is(srv_span s, const char *word) {
    return s.len == strlen(word) && memcmp(s.p, word, s.len) == 0;
}

typedef struct find_ctx {
    const char *key;
    srv_span *value;
} find_ctx;

static int find_member(void *ctx, srv_span key, srv_span value) {
    find_ctx *f = ctx;
    if (!span_is(key, f->key)) return 0;
    *f->value = value;
    return 1; /* stop */
}

int srv_json_member(const char *text, size_t len, const char *key, srv_span *value) {
    *value = (srv_span){NULL, 0};
    find_ctx f = {key, value};
    return each_member(text, len, find_member, &f) == 0 && value->p ? 0 : -1;
}

typedef struct envelope {
    srv_span op, id, deal, policy, token, text, where, format, old, new_, min_move;
    srv_span old_where, new_where;
} envelope;

static int envelope_member(void *ctx, srv_span key, srv_span value) {
    envelope *e = ctx;
    if (span_is(key, "op"))
        e->op = value;
    else if (span_is(key, "id"))
        e->id = value;
    else if (span_is(key, "deal"))
        e->deal = value;
    else if (span_is(key, "policy"))
        e->policy = value;
    else if (span_is(key, "token"))
        e->token = value;
    else if (span_is(key, "text"))
        e->text = value;
    else if (span_is(key, "where"))
        e->where = value;
    else if (span_is(key, "format"))
        e->format = value;
    else if (span_is(key, "old"))
        e->old = value;
    else if (span_is(key, "new"))
        e->new_ = value;
    else if (span_is(key, "min_move"))
        e->min_move = value;
    else if (span_is(key, "old_where"))
        e->old_where = value;
    else if (span_is(key, "new_where"))
        e->new_where = value;
    return 0; /* unknown members are allowed and ignored */
}

static unsigned hex4(const char *p) {
    char digits[5] = {p[0], p[1], p[2], p[3], 0};
    return (unsigned)strtoul(digits, NULL, 16);
}

/* What is wrong with a JSON string (span with its quotes) that is echoed or
 * quoted in answers and logs: bytes that are not well-formed UTF-8, or a \u
 * escape of a surrogate without its pair (no UTF-8 can hold it). NULL when it
 * is text every JSON parser reads back as sent. The scanner checked the syntax. */
static const char *string_problem(srv_span s) {
    const char *p = s.p + 1, *end = s.p + s.len - 1;
    if (ds_utf8_invalid_at(p, (size_t)(end - p)) != (size_t)(end - p))
        return "is not well-formed UTF-8";
    for (; p < end; p++) {
        if (*p != '\\') continue;
        if (*++p != 'u') continue;
        unsigned u = hex4(p + 1);
        p += 4;
        if (u >= 0xDC00 && u <= 0xDFFF) return "holds a lone surrogate escape (\\udc00-\\udfff)";
        if (u < 0xD800 || u > 0xDBFF) continue;
        if (end - p < 7 || p[1] != '\\' || p[2] != 'u' || hex4(p + 3) < 0xDC00 ||
            hex4(p + 3) > 0xDFFF)
            return "holds a lone surrogate escape (\\ud800-\\udbff without its pair)";
        p += 6;
    }
    return NULL;
}

/* The contents of a JSON string value without escapes, for names. */
static int plain_string(srv_span v, const char *what, srv_span *out, ds_error *err) {
    if (v.len < 2 || v.p[0] != '"') {
        ds_error_set(err, "bad_request", what, "%s must be a string", what + 2);
        return -1;
    }
    if (memchr(v.p, '\\', v.len)) {
        ds_error_set(err, "bad_request", what, "%s must not contain escapes", what + 2);
        return -1;
    }
    const char *why = string_problem(v); /* it is quoted in messages */
    if (why) {
        ds_error_set(err, "bad_request", what, "%s %s", what + 2, why);
        return -1;
    }
    *out = (srv_span){v.p + 1, v.len - 2};
    return 0;
}

/* "old_where", "new_where": an array of strings, each UTF-8 text (they are
 * quoted in notes). 0, or -1 with err naming the element at fault. */
static int where_list(srv_span v, const char *path, ds_error *err) {
    const char *p = v.p, *end = v.p + v.len;
    if (*p != '[') {
        ds_error_set(err, "bad_request", path, "%s is an array of strings (op diff)", path + 2);
        return -1;
    }
    for (int i = 0;; i++) {
        while (++p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == ','))
            ;
        if (p >= end || *p == ']') return 0;
        const char *q = srv_json_skip(p, end, 1); /* the envelope scan validated it */
        const char *why =
            *p != '"' ? "is not a string" : string_problem((srv_span){p, (size_t)(q - p)});
        if (why) {
            ds_error_set(err, "bad_request", path, "%s[%d] %s", path + 2, i, why);
            return -1;
        }
        p = q - 1;
    }
}

int srv_utf8_cut(srv_span s, size_t max) {
    if (s.len <= max) return (int)s.len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s.p[n] & 0xC0) == 0x80) n--; /* s.p[n]: inside a character */
    return (int)n;
}

static const char *const format_names[] = {"json", "text", "ansi", "markdown", "jsonl"};

static const char *srv_format_name(int format) {
    return format_names[format];
}

int srv_format_find(const char *name, size_t len) {
    const char *const *names = format_names;
    for (int i = 0; i < (int)(sizeof format_names / sizeof format_names[0]); i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) return i;
    return -1;
}

/* "format": how op explain answers (the other ops have one form only). */
static int parse_format(srv_span v, srv_request *rq, ds_error *err) {
    srv_span f;
    if (plain_string(v, "$.format", &f, err) < 0) return -1;
    if ((rq->format = srv_format_find(f.p, f.len)) < 0) {
        ds_error_set(err, "bad_request", "$.format",
                     "format \"%.*s\" is none of json, text, ansi, markdown and jsonl",
                     srv_utf8_cut(f, 40), f.p);
        return -1;
    }
    bool diff = rq->format == SRV_FORMAT_TEXT || rq->format == SRV_FORMAT_JSONL;
    if (rq->format != SRV_FORMAT_JSON &&
        (rq->op == SRV_OP_DIFF ? !diff
                               : rq->op != SRV_OP_EXPLAIN || rq->format == SRV_FORMAT_JSONL)) {
        ds_error_set(err, "bad_request", "$.format",
                     "format text is for ops explain and diff, ansi and markdown for explain, "
                     "jsonl for diff, not %s for op %s",
                     srv_format_name(rq->format), srv_ops[rq->op].name);
        return -1;
    }
    return 0;
}

/* The id is echoed verbatim, so it must be text every JSON parser reads back as
 * it was sent: a string of well-formed UTF-8 whose \u escapes pair their
 * surrogates, a number a double holds (not 1e999), or null (as JSON-RPC's id).
 * NULL when it is, else what is wrong with it (into buf). */
static const char *id_problem(srv_span id, char *buf, size_t size) {
    if (id.p[0] == 'n') return NULL; /* null */
    if (id.p[0] == '-' || (id.p[0] >= '0' && id.p[0] <= '9')) {
        char copy[400];
        if (id.len >= sizeof copy) return "a number id must have fewer than 400 characters";
        memcpy(copy, id.p, id.len);
        copy[id.len] = '\0';
        return isfinite(strtod(copy, NULL)) ? NULL : "a number id must fit a double (not 1e999)";
    }
    if (id.p[0] != '"') return "id must be a string, a number or null";
    const char *why = string_problem(id);
    if (!why) return NULL;
    snprintf(buf, size, "id %s (a string id must be UTF-8 text)", why);
    return buf;
}

/* Whether needle (n bytes) occurs in text: memchr (vectorised) finds each place
 * of its byte at pivot, one that is rare in deals, and the rest is compared
 * there. */
static bool occurs(const char *text, size_t len, const char *needle, size_t n, size_t pivot) {
    if (len < n) return false;
    const char *end = text + len;
    for (const char *p = text + pivot; (p = memchr(p, needle[pivot], (size_t)(end - p))); p++)
        if ((size_t)(end - p) >= n - pivot && memcmp(p - pivot, needle, n) == 0) return true;
    return false;
}

/* A line that cannot be an envelope needs no scan: neither key occurs in it.
 * The keys are looked for at their 'p' and their 'd' (some 55 of each in a
 * 4.4 KB deal, against 700 quotes): two memmem passes cost 22k instructions a
 * deal, 7% of scoring it (issue 18). */
static bool may_be_envelope(const char *line, size_t len) {
    return occurs(line, len, "\"op\"", 4, 2) || occurs(line, len, "\"deal\"", 6, 1);
}

int srv_request_parse(const char *line, size_t len, srv_request *rq, ds_error *err) {
    memset(rq, 0, sizeof *rq);
    rq->op = SRV_OP_SCORE;
    rq->deal = (srv_span){line, len};
    envelope e = {0};
    if (!may_be_envelope(line, len) || each_member(line, len, envelope_member, &e) < 0 ||
        (!e.op.p && !e.deal.p)) /* "text" goes with an "op" */
        return 0;               /* a bare deal: the scorer checks it and names what is wrong */
    rq->envelope = true;
    rq->deal = e.deal;
    char id_why[160];
    const char *bad_id = e.id.p ? id_problem(e.id, id_why, sizeof id_why) : NULL;
    if (bad_id) { /* answered with id null: what was sent cannot be echoed */
        ds_error_set(err, "bad_request", "$.id", "%s", bad_id);
        return -1;
    }
    rq->id = e.id;
    if (e.op.p) {
        srv_span op;
        if (plain_string(e.op, "$.op", &op, err) < 0) return -1;
        if ((rq->op = srv_ops_find(op.p, op.len)) < 0) {
            ds_error_set(err, "unknown_op", "$.op",
                         "unknown op \"%.*s\"; ops are score, explain, actions, questions, check, "
                         "diff, ping, stats, reload and policies",
                         srv_utf8_cut(op, 40), op.p);
            return -1;
        }
    }
    if (e.policy.p && plain_string(e.policy, "$.policy", &rq->policy, err) < 0) return -1;
    if (e.token.p && plain_string(e.token, "$.token", &rq->token, err) < 0) return -1;
    if (e.format.p && parse_format(e.format, rq, err) < 0) return -1;
    rq->text = e.text;
    rq->where = e.where;
    rq->old = e.old;
    rq->new_ = e.new_;
    rq->min_move = e.min_move;
    rq->old_where = e.old_where;
    rq->new_where = e.new_where;
    if ((e.old_where.p || e.new_where.p) && rq->op != SRV_OP_DIFF) {
        ds_error_set(err, "bad_request", e.old_where.p ? "$.old_where" : "$.new_where",
                     "old_where and new_where name the deals of op diff");
        return -1;
    }
    if ((e.old_where.p && where_list(e.old_where, "$.old_where", err) < 0) ||
        (e.new_where.p && where_list(e.new_where, "$.new_where", err) < 0))
        return -1;
    if (rq->op == SRV_OP_DIFF &&
        (!e.old.p || e.old.p[0] != '[' || !e.new_.p || e.new_.p[0] != '[')) {
        ds_error_set(err, "bad_request", !e.old.p || e.old.p[0] != '[' ? "$.old" : "$.new",
                     "op diff needs two arrays, \"old\" and \"new\", of deals or result lines");
        return -1;
    }
    if (e.min_move.p &&
        (rq->op != SRV_OP_DIFF ||
         !(e.min_move.p[0] == '-' || (e.min_move.p[0] >= '0' && e.min_move.p[0] <= '9')))) {
        ds_error_set(err, "bad_request", "$.min_move", "min_move is a number, for op diff");
        return -1;
    }
    if ((e.text.p && e.text.p[0] != '"') || (e.where.p && e.where.p[0] != '"')) {
        ds_error_set(err, "bad_request", e.text.p && e.text.p[0] != '"' ? "$.text" : "$.where",
                     "%s must be a string", e.text.p && e.text.p[0] != '"' ? "text" : "where");
        return -1;
    }
    const char *why = e.where.p ? string_problem(e.where) : NULL;
    if (why) { /* it names the deal in every message of the answer */
        ds_error_set(err, "bad_request", "$.where", "where %s", why);
        return -1;
    }
    if (srv_ops[rq->op].needs_deal && !e.text.p && (!e.deal.p || e.deal.p[0] != '{')) {
        ds_error_set(err, "bad_request", "$.deal",
                     "op %s needs a deal object in \"deal\" (or its text in \"text\")",
                     srv_ops[rq->op].name);
        return -1;
    }
    return 0;
}

void srv_write_id(ds_buf *b, srv_span id) {
    ds_buf_puts(b, "{\"id\":");
    if (id.len)
        ds_buf_add(b, id.p, id.len);
    else
        ds_buf_puts(b, "null");
}

void srv_write_error(ds_buf *b, srv_span id, const char *code, const char *path, const char *fmt,
                     ...) {
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    /* it may quote a client's bytes (a URL, a name), or be cut inside a
     * character: only well-formed UTF-8 makes a JSON text */
    ds_utf8_scrub(message);
    srv_write_id(b, id);
    ds_buf_puts(b, ",\"error\":{\"code\":");
    ds_buf_json_string(b, code);
    ds_buf_puts(b, ",\"message\":");
    ds_buf_json_string(b, message);
    ds_buf_puts(b, ",\"path\":");
    ds_buf_json_string(b, path);
    ds_buf_puts(b, "}}\n");
}

void srv_write_scored(ds_buf *b, srv_span id, const char *line, size_t len,
                      const dealscore_error *err) {
    srv_write_id(b, id);
    if (!err) {
        ds_buf_puts(b, ",\"result\":");
        ds_buf_add(b, line, len);
        ds_buf_puts(b, "}\n");
        return;
    }
    /* the deal's paths, seen from the request: $.x becomes $.deal.x */
    ds_buf_puts(b, ",\"error\":{\"code\":");
    ds_buf_json_string(b, err->code);
    ds_buf_puts(b, ",\"message\":");
    ds_buf_json_string(b, err->message);
    const char *p = err->path ? err->path : "";
    char path[512];
    snprintf(path, sizeof path, "%s%s", p[0] == '$' ? "$.deal" : "", p + (p[0] == '$'));
    ds_buf_puts(b, ",\"path\":");
    ds_buf_json_string(b, path);
    ds_buf_puts(b, "}}\n");
}

/* ---- line framing ---- */

int srv_frame_next(srv_framer *f, const char *base, size_t avail, size_t max, bool eof,
                   size_t *used, size_t *len) {
    *used = *len = 0;
    const char *nl =
        avail > f->scanned ? memchr(base + f->scanned, '\n', avail - f->scanned) : NULL;
    if (nl) {
        *used = (size_t)(nl - base) + 1;
        *len = (size_t)(nl - base);
        f->scanned = 0;
        if (f->discarding) {
            f->discarding = false;
            return SRV_FRAME_SKIP;
        }
        return *len > max ? SRV_FRAME_TOO_LONG : SRV_FRAME_LINE;
    }
    f->scanned = avail;                 /* the next read is searched from here on */
    if (f->discarding || avail > max) { /* drop what there is: never hold more than max */
        int what = f->discarding ? SRV_FRAME_SKIP : SRV_FRAME_TOO_LONG;
        f->discarding = !eof;
        f->scanned = 0;
        *used = avail;
        return what;
    }
    if (!eof) return SRV_FRAME_MORE;
    f->scanned = 0; /* a last line without its newline */
    *used = *len = avail;
    return SRV_FRAME_LINE;
}

/* ---- splitting an HTTP body into deals ----
 *
 * A body is a deal, NDJSON of deals, or a JSON array of deals; pretty-printed
 * deals over many lines count as one. So values are split by their structure,
 * not by newlines: braces, brackets and strings are tracked byte by byte (this
 * does not validate: the scorer parses each value and names what is wrong). A
 * top-level array is unwrapped into its elements; commas and whitespace between
 * values are skipped. Like the line framer, it never holds more than one limit. */

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Consumes separators before a value; returns how many. */
static size_t skip_separators(srv_splitter *s, const char *base, size_t avail) {
    size_t i = 0;
    for (; i < avail; i++) {
        char c = base[i];
        if (c == '\n') s->line++;
        if (is_space(c)) continue;
        if (s->array == 0) { /* the body's first byte that is not a space */
            s->array = c == '[' ? 1 : -1;
            if (c == '[') continue;
        }
        if (c == ',' || (c == ']' && s->array == 1)) continue;
        break;
    }
    return i;
}

/* Whether c ends a scalar (a NUL byte does not: it is part of the garbage). */
static bool ends_scalar(char c) {
    return is_space(c) || (c != '\0' && strchr(",[]{}\"", c) != NULL);
}

/* Scans the value that starts at base[0] from where the last call stopped;
 * true once it ends, with its length in *end. The length is 0 when a value
 * being discarded ends at the first byte of a new piece (a scalar's separator),
 * which is why the end is not told by the length alone. */
static bool scan_value(srv_splitter *s, const char *base, size_t avail, size_t *end) {
    size_t i = s->scanned;
    if (i == 0 && !s->discarding) {
        char c = base[0];
        s->depth = 0;
        s->in_string = s->escape = false;
        s->scalar = c != '{' && c != '[' && c != '"';
        s->start_line = s->line;
    }
    for (; i < avail; i++) {
        char c = base[i];
        if (s->in_string) {
            if (c == '\n') s->line++; /* not valid JSON, but lines still count */
            if (s->escape)
                s->escape = false;
            else if (c == '\\')
                s->escape = true;
            else if (c == '"') {
                s->in_string = false;
                if (s->depth == 0) return *end = i + 1, true; /* a string alone: not a deal */
            }
        } else if (s->scalar) { /* true, 12, or garbage: up to a separator */
            /* base[0] is the value's first byte only when nothing was dropped
             * before it: a separator at the start of a later piece of a value
             * being discarded still ends it, however the body arrived */
            if ((i > 0 || s->discarding) && ends_scalar(c)) return *end = i, true;
        } else if (c == '"') {
            s->in_string = true;
        } else if (c == '{' || c == '[') {
            s->depth++;
        } else if (c == '}' || c == ']') {
            if (--s->depth <= 0) return *end = i + 1, true;
        } else if (c == '\n') {
            s->line++;
        }
    }
    s->scanned = avail;
    return false;
}

int srv_split_next(srv_splitter *s, const char *base, size_t avail, size_t max, bool eof,
                   size_t *used, size_t *len) {
    *used = *len = 0;
    if (!s->in_value) {
        size_t skipped = skip_separators(s, base, avail);
        if (skipped > 0) {
            *used = skipped;
            return SRV_FRAME_SKIP;
        }
        if (avail == 0) return SRV_FRAME_MORE;
        s->in_value = true;
        s->scanned = 0;
    }
    if (avail == 0) { /* only at the end of a value being discarded */
        if (eof) s->in_value = s->discarding = false;
        return SRV_FRAME_MORE;
    }
    size_t end = 0;
    bool ended = scan_value(s, base, avail, &end);
    if (!ended && eof) ended = true, end = avail; /* cut short: the scorer says what is wrong */
    if (ended) {
        bool discarding = s->discarding;
        s->in_value = s->discarding = false;
        s->scanned = 0;
        *used = end;
        if (discarding) return SRV_FRAME_SKIP;
        *len = end;
        return end > max ? SRV_FRAME_TOO_LONG : SRV_FRAME_LINE;
    }
    if (s->discarding || avail > max) { /* drop what there is: never hold more than max */
        int what = s->discarding ? SRV_FRAME_SKIP : SRV_FRAME_TOO_LONG;
        s->discarding = true;
        s->scanned = 0;
        *used = avail;
        return what;
    }
    return SRV_FRAME_MORE;
}
