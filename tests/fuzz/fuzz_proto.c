/* fuzz_proto.c: libFuzzer harness for the service's line framing and requests
 * (bindings/server/srv_proto.c), the code every connection runs, without sockets.
 *
 * The input is what a client sends, cut into reads of varying sizes (from the
 * first bytes), with a small --max-line so the line_too_long paths are reached:
 *   - framing: the lines and line_too_long events must be exactly those of the
 *     bytes split on '\n' (a reference model here), whatever the read sizes,
 *     and the bytes held unconsumed never exceed the limit;
 *   - requests: srv_request_parse must classify every line with spans inside
 *     it, and an envelope it accepts must be JSON that cJSON reads too, with the
 *     same id;
 *   - responses: every error and scored response written for a line must be one
 *     JSON line that cJSON reads, start with the request's id verbatim, and be
 *     valid UTF-8 whenever the request line was;
 *   - HTTP bodies: the same bytes as a body cut into deals by srv_split_next
 *     give the same values whole or in pieces, hold no more than the limit, and
 *     are consumed to the last byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "srv_int.h"

static const char *current_line; /* the request being checked, for the report */
static size_t current_len;

static void require(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "fuzz_proto: %s\n", what);
        if (current_line) fprintf(stderr, "request line: %.*s\n", (int)current_len, current_line);
        abort();
    }
}

/* Lead bytes and continuation bytes only (no overlong or surrogate checks):
 * enough to see a multi-byte character cut in half. */
static bool valid_utf8(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t k = c < 0x80             ? 0
                   : (c & 0xE0) == 0xC0 ? 1
                   : (c & 0xF0) == 0xE0 ? 2
                   : (c & 0xF8) == 0xF0 ? 3
                                        : 4;
        if (k == 4 || n - i <= k) return false;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return false;
        i += k + 1;
    }
    return true;
}

static bool within(srv_span s, const char *line, size_t len) {
    return !s.len || (s.p >= line && s.p + s.len <= line + len);
}

/* One response in b: a single JSON line that echoes the request's id. */
static void check_response(ds_buf *b, const char *line, size_t len, srv_span id) {
    require(!b->failed && b->len > 0 && b->data[b->len - 1] == '\n', "response not one line");
    require(memchr(b->data, '\n', b->len - 1) == NULL, "newline inside a response");
    if (valid_utf8((const unsigned char *)line, len))
        require(valid_utf8((const unsigned char *)b->data, b->len), "response not valid UTF-8");
    /* the id verbatim: {"id":ID, or null when there was none */
    require(strncmp(b->data, "{\"id\":", 6) == 0, "response does not start with its id");
    if (id.len)
        require(b->len > 6 + id.len && memcmp(b->data + 6, id.p, id.len) == 0,
                "response does not echo the id verbatim");
    else
        require(strncmp(b->data + 6, "null,", 5) == 0, "response without id does not say null");
    cJSON *id_json = id.len ? cJSON_ParseWithLength(id.p, id.len) : cJSON_CreateNull();
    if (id_json) { /* cJSON refuses a few valid texts (lone surrogates): skip those */
        cJSON *r = cJSON_ParseWithLength(b->data, b->len - 1);
        require(r && cJSON_IsObject(r), "response is not a JSON object");
        cJSON_Delete(r);
        cJSON_Delete(id_json);
    }
    ds_buf_clear(b);
}

static void check_request(const char *line, size_t len) {
    current_line = line;
    current_len = len;
    srv_request rq;
    ds_error err = {0};
    int rc = srv_request_parse(line, len, &rq, &err);
    require(within(rq.id, line, len) && within(rq.deal, line, len) &&
                within(rq.policy, line, len) && within(rq.token, line, len),
            "a span outside the line");
    require(rc < 0 || (rq.op >= 0 && rq.op < SRV_NOPS), "op out of range");
    ds_buf b;
    ds_buf_init(&b);
    if (rc < 0) {
        require(err.code[0] != '\0', "refused without an error code");
        srv_write_error(&b, rq.id, err.code, err.path, "line 1: %s", err.message);
        check_response(&b, line, len, rq.id);
    } else if (rq.envelope) {
        require(srv_json_skip(line, line + len, 0) != NULL, "an envelope the scanner refuses");
        if (rq.id.len)
            require(srv_json_skip(rq.id.p, rq.id.p + rq.id.len, 1) == rq.id.p + rq.id.len,
                    "id span is not one JSON value");
        if (srv_ops[rq.op].needs_deal && !rq.text.p)
            require(rq.deal.len && rq.deal.p[0] == '{', "a deal that is not an object");
        /* as the scorer would answer: a result, an error with a path, one without */
        static const char result[] = "{\"id\":\"d\",\"verdict\":\"shape\"}";
        static const dealscore_error error = {.code = "bad_type", .message = "m", .path = "$.x"};
        static const dealscore_error bare = {.code = "bad_json", .message = "m", .path = ""};
        srv_write_scored(&b, rq.id, result, sizeof result - 1, NULL);
        check_response(&b, line, len, rq.id);
        srv_write_scored(&b, rq.id, NULL, 0, &error);
        check_response(&b, line, len, rq.id);
        srv_write_scored(&b, rq.id, NULL, 0, &bare);
        check_response(&b, line, len, rq.id);
    } else {
        require(rq.deal.p == line && rq.deal.len == len, "a bare deal that is not the line");
    }
    ds_buf_free(&b);
    current_line = NULL;
}

/* The reference: the events the bytes must give, one per '\n'-ended line and
 * one for a last line without its newline. */
typedef struct expect {
    const char *data;
    size_t size, at;
    size_t max;
} expect;

static void next_expected(expect *e, int *what, const char **line, size_t *len) {
    require(e->at < e->size, "an event past the end of the input");
    const char *start = e->data + e->at;
    const char *nl = memchr(start, '\n', e->size - e->at);
    *len = nl ? (size_t)(nl - start) : e->size - e->at;
    e->at += *len + (nl != NULL);
    *line = start;
    *what = *len > e->max ? SRV_FRAME_TOO_LONG : SRV_FRAME_LINE;
}

static bool expect_more(const expect *e) {
    return e->at < e->size;
}

/* ---- the HTTP body splitter: the values must not depend on how the body
 * arrives, nothing past the limit is held, and every byte is consumed ---- */

#define MAX_VALUES 4096

typedef struct split_run {
    size_t at[MAX_VALUES], len[MAX_VALUES];
    int kind[MAX_VALUES];
    int n;
} split_run;

static void split_body(const char *data, size_t size, size_t max, unsigned seed, split_run *r) {
    char *buf = malloc(size + 1);
    require(buf != NULL, "no memory");
    srv_splitter s;
    memset(&s, 0, sizeof s);
    size_t held = 0, fed = 0, consumed = 0; /* buf holds data[consumed..consumed+held) */
    r->n = 0;
    for (;;) {
        bool eof = fed == size;
        size_t used, len;
        int what = srv_split_next(&s, buf, held, max, eof, &used, &len);
        require(used <= held && len <= used, "consumed more than there is");
        if (what == SRV_FRAME_MORE) {
            require(used == 0, "more asked for with bytes used");
            require(!s.in_value || held <= max, "more than the limit held");
            if (eof) break;
            size_t chunk = seed ? 1 + (seed = seed * 1103515245u + 12345u) % 97 : size;
            if (chunk > size - fed) chunk = size - fed;
            memcpy(buf + held, data + fed, chunk);
            held += chunk;
            fed += chunk;
            continue;
        }
        if (what != SRV_FRAME_SKIP && r->n < MAX_VALUES) {
            r->at[r->n] = consumed, r->len[r->n] = len, r->kind[r->n] = what;
            r->n++;
        }
        memmove(buf, buf + used, held - used);
        held -= used;
        consumed += used;
    }
    require(consumed == size && held == 0, "bytes of the body never consumed");
    free(buf);
}

static void check_split(const char *data, size_t size, size_t max, unsigned seed) {
    static split_run whole, pieces;
    split_body(data, size, max, 0, &whole);
    split_body(data, size, max, seed | 1, &pieces);
    require(whole.n == pieces.n, "the values depend on how the body arrives");
    for (int i = 0; i < whole.n; i++)
        require(whole.kind[i] == pieces.kind[i] &&
                    (whole.kind[i] == SRV_FRAME_TOO_LONG ||
                     (whole.at[i] == pieces.at[i] && whole.len[i] == pieces.len[i])),
                "a value other than when the body came whole");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    size_t max = 1 + data[0] % 64;
    unsigned seed = data[1];
    data += 2;
    size -= 2;
    expect e = {(const char *)data, size, 0, max};
    char *buf = malloc(size + 1);
    require(buf != NULL, "no memory");
    srv_framer f = {0};
    size_t start = 0, filled = 0, fed = 0;
    bool eof = false;
    while (!eof) {
        size_t chunk = 1 + (seed = seed * 1103515245u + 12345u) % 97; /* one read */
        if (chunk > size - fed) chunk = size - fed;
        memcpy(buf + filled, data + fed, chunk);
        filled += chunk;
        fed += chunk;
        eof = fed == size;
        while (start < filled) {
            size_t used, len;
            int what = srv_frame_next(&f, buf + start, filled - start, max, eof, &used, &len);
            require(used <= filled - start, "consumed more than there is");
            const char *line = buf + start;
            start += used;
            if (what == SRV_FRAME_MORE) {
                require(used == 0 && !eof, "more asked for at the end, or with bytes used");
                require(filled - start <= max, "more than the limit held");
                break;
            }
            if (what == SRV_FRAME_SKIP) continue;
            int want;
            const char *want_line;
            size_t want_len;
            next_expected(&e, &want, &want_line, &want_len);
            require(what == want, "a line where line_too_long was due, or the reverse");
            if (what == SRV_FRAME_LINE) {
                require(len == want_len && memcmp(line, want_line, len) == 0,
                        "a line other than the input's");
                check_request(line, len);
            }
        }
        if (start == filled)
            start = filled = 0; /* as the connection does */
        else if (start > 0) {   /* keep the partial line at the front */
            memmove(buf, buf + start, filled - start);
            filled -= start;
            start = 0;
        }
    }
    require(!expect_more(&e), "a line of the input never came out");
    free(buf);
    check_split((const char *)data, size, max, seed);
    return 0;
}
