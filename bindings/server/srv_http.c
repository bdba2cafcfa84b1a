/* srv_http.c: HTTP/1.1 on the service's port, beside the request lines.
 *
 * A connection whose first bytes are an HTTP method speaks HTTP (srv_conn.c
 * tells). Requests are parsed by Debian's libhttp-parser (the parser of libuv's
 * own examples and of Node.js before llhttp; bookworm packages no C llhttp, see
 * docs/protocol.md), keep-alive and pipelining included: requests are answered
 * one after the other, in order, by the same operations table (srv_ops.c) the
 * request lines use, so results and error bodies are the same bytes.
 *
 * The scoring endpoints take a deal, NDJSON of deals or a JSON array of deals
 * (srv_split_next cuts the body into values as it streams in). One deal is
 * answered with its result line as the body; several are answered as NDJSON,
 * streamed with chunked encoding as they are scored: the first answer is held
 * until a second deal shows the body has more than one.
 *
 * Bounds are the request lines': a deal over --max-line is answered
 * line_too_long and skipped, responses over the high watermark pause the
 * connection (srv_conn_must_pause), and headers are bounded in size (431) and
 * in time (408 after --idle-timeout without a complete header). The parser is
 * paused after every piece of body, so the body held is at most one deal. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <http_parser.h>

#include "ds_json.h" /* ds_utf8_invalid_at, ds_utf8_scrub */
#include "srv_int.h"

#define MAX_HEADER_BYTES (16 * 1024) /* request line and headers, of one request */
#define MAX_URL 2048

enum { R_SCORE, R_OP, R_BODY_OP, R_HEALTH, R_READY, R_METRICS };

typedef struct route {
    const char *method, *path;
    int kind, op;
} route;

static const route routes[] = {
    {"POST", "/v1/score", R_SCORE, SRV_OP_SCORE},
    {"POST", "/v1/explain", R_SCORE, SRV_OP_EXPLAIN},
    {"POST", "/v1/actions", R_SCORE, SRV_OP_ACTIONS},
    {"POST", "/v1/questions", R_SCORE, SRV_OP_QUESTIONS},
    {"POST", "/v1/check", R_SCORE, SRV_OP_CHECK},
    {"POST", "/v1/diff", R_BODY_OP, SRV_OP_DIFF},
    {"GET", "/v1/policies", R_OP, SRV_OP_POLICIES},
    {"POST", "/v1/reload", R_OP, SRV_OP_RELOAD},
    {"GET", "/v1/stats", R_OP, SRV_OP_STATS},
    {"GET", "/v1/ping", R_OP, SRV_OP_PING},
    {"GET", "/healthz", R_HEALTH, -1},
    {"GET", "/readyz", R_READY, -1},
    {"GET", "/metrics", R_METRICS, -1},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

/* The headers read, and those that must come at most once: a second
 * Authorization, Host, Content-Length or Transfer-Encoding is how requests are
 * smuggled past a proxy that reads the other one (RFC 9112, 6.3 and 11.2). */
enum {
    H_OTHER,
    H_AUTHORIZATION,
    H_EXPECT,
    H_CONTENT_TYPE,
    H_HOST,
    H_CONTENT_LENGTH,
    H_TRANSFER_ENCODING,
    H_KINDS
};
static const char *const header_names[H_KINDS] = {
    NULL, "Authorization", "Expect", "Content-Type", "Host", "Content-Length", "Transfer-Encoding"};
#define H_ONCE(kind) ((kind) == H_AUTHORIZATION || (kind) >= H_HOST)

typedef struct srv_http {
    http_parser parser;
    srv_conn *conn;
    /* the request being read */
    bool in_message, headers_done, message_done, keep_alive;
    uint64_t started; /* uv_now() at its first byte, for the header timeout */
    size_t header_bytes;
    char url[MAX_URL + 1];
    size_t url_len;
    char field[32];
    size_t field_len;
    bool in_value;
    int header; /* H_*, of the header whose value is being read */
    char auth[512];
    size_t auth_len;
    char ctype[64];
    size_t ctype_len;
    bool expect_continue, error_closes;
    unsigned char seen[H_KINDS]; /* how many of each header, up to 2 */
    char te[32];                 /* Transfer-Encoding, as sent (cut) */
    size_t te_len;
    const char *bad_header; /* why the headers are refused (400), or NULL */
    bool in_trailers;       /* a header after the headers: the trailer section */
    bool ndjson;            /* Content-Type of NDJSON: the body is lines, the answer NDJSON */
    const route *route;
    int error_status; /* answered before its body: what is left of it is dropped */
    char policy[64];
    size_t policy_len;
    int format;    /* ?format=: SRV_FORMAT_* */
    ds_buf report; /* one deal's report (?format=text...), answered as the body */
    /* its body, cut into deals */
    ds_buf body; /* body[body_off..len) is not cut into deals yet */
    size_t body_off;
    srv_splitter split;
    srv_framer frame; /* for an NDJSON body */
    uint64_t frame_lines;
    uint64_t deals;
    bool streaming; /* NDJSON answer under way, in chunks */
    ds_buf first;   /* the first deal's answer, until a second deal or the end */
    int first_status;
    uint64_t requests; /* on this connection, for messages */
} srv_http;

static const http_parser_settings *settings(void);

/* ---- telling HTTP from request lines ---- */

int srv_http_detect(const char *p, size_t n, bool eof) {
    static const char *const methods[] = {"GET ",     "POST ",  "PUT ",     "HEAD ", "DELETE ",
                                          "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "};
    bool maybe = false;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        size_t m = strlen(methods[i]), k = n < m ? n : m;
        if (memcmp(p, methods[i], k) != 0) continue;
        if (k == m) return 1;
        maybe = true;
    }
    return maybe && !eof ? -1 : 0;
}

/* ---- the state of a connection ---- */

static void reset_message(srv_http *h) {
    h->in_message = h->headers_done = h->message_done = false;
    h->header_bytes = h->url_len = h->field_len = h->auth_len = h->policy_len = h->ctype_len = 0;
    memset(h->seen, 0, sizeof h->seen);
    h->te_len = 0;
    h->bad_header = NULL;
    h->in_trailers = false;
    h->in_value = h->expect_continue = h->error_closes = h->streaming = false;
    h->header = H_OTHER;
    h->route = NULL;
    h->error_status = 0;
    h->deals = 0;
    h->first_status = 0;
    h->format = SRV_FORMAT_JSON;
    ds_buf_clear(&h->report);
    memset(&h->split, 0, sizeof h->split);
    memset(&h->frame, 0, sizeof h->frame);
    h->frame_lines = 0;
    h->ndjson = false;
    ds_buf_clear(&h->body);
    h->body_off = 0;
    ds_buf_clear(&h->first);
}

int srv_http_open(srv_conn *c) {
    srv_http *h = calloc(1, sizeof *h);
    if (!h) return -1;
    http_parser_init(&h->parser, HTTP_REQUEST);
    h->parser.data = h;
    h->conn = c;
    ds_buf_init(&h->body);
    ds_buf_init(&h->first);
    ds_buf_init(&h->report);
    c->http = h;
    return 0;
}

void srv_http_free(srv_conn *c) {
    srv_http *h = c->http;
    if (!h) return;
    ds_buf_free(&h->body);
    ds_buf_free(&h->first);
    ds_buf_free(&h->report);
    free(h);
    c->http = NULL;
}

/* ---- responses ---- */

static const char *reason(int status) {
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 422:
        return "Unprocessable Content";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Error";
    }
}

/* The status of an answer with this error code (docs/protocol.md, "HTTP"). */
static int status_of(const char *code) {
    static const struct {
        const char *code;
        int status;
    } map[] = {{"bad_json", 400},          {"bad_request", 400},   {"unknown_policy", 400},
               {"unauthorized", 401},      {"not_found", 404},     {"method_not_allowed", 405},
               {"request_timeout", 408},   {"line_too_long", 413}, {"uri_too_long", 414},
               {"headers_too_large", 431}, {"unsupported", 501},   {"out_of_memory", 503},
               {"shutting_down", 503},     {"reload_failed", 500}, {"policy_error", 500},
               {"policy_timeout", 500},    {"policy_memory", 500}, {"deadline_exceeded", 504},
               {"worker_replaced", 503}};
    if (!code || !code[0]) return 200;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].code, code) == 0) return map[i].status;
    return 422; /* the deal's own errors: bad_type, out_of_range, missing_field, ... */
}

static void write_status(ds_buf *b, int status, unsigned generation) {
    char date[40];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    ds_buf_printf(b,
                  "HTTP/1.1 %d %s\r\nServer: dealscore/%s (policies generation %u)\r\nDate: %s\r\n",
                  status, reason(status), DEALSCORE_VERSION, generation, date);
}

static void write_head(srv_http *h, ds_buf *b, int status, const char *type, long length,
                       const char *extra) {
    srv_worker *w = h->conn->worker;
    write_status(b, status, w->policies->generation);
    if (type) ds_buf_printf(b, "Content-Type: %s\r\n", type);
    if (length >= 0)
        ds_buf_printf(b, "Content-Length: %ld\r\n", length);
    else
        ds_buf_puts(b, "Transfer-Encoding: chunked\r\n");
    if (extra) ds_buf_puts(b, extra);
    if (!h->keep_alive) ds_buf_puts(b, "Connection: close\r\n");
    ds_buf_puts(b, "\r\n");
    srv_stats_add(&w->stats.http_status[status / 100 < 6 ? status / 100 : 0], 1);
}

static void respond(srv_http *h, int status, const char *type, const char *body, size_t len,
                    const char *extra) {
    ds_buf *out = &h->conn->out;
    write_head(h, out, status, type, (long)len, extra);
    ds_buf_add(out, body, len);
}

/* An error of the service itself, as a request line's error: {"id":null,"error":..} */
static void respond_error(srv_http *h, int status, const char *code, const char *extra,
                          const char *fmt, const char *arg) {
    if (h->headers_done && !h->message_done && h->error_closes) {
        h->keep_alive = false;
        srv_conn_close_after(h->conn);
    }
    ds_buf line;
    ds_buf_init(&line);
    char message[400];
    snprintf(message, sizeof message, fmt, arg);
    srv_write_error(&line, (srv_span){NULL, 0}, code, "$", "request %llu: %s",
                    (unsigned long long)h->requests, message);
    srv_stats_add(&h->conn->worker->stats.errors, 1);
    srv_stats_named(&h->conn->worker->stats.error_codes, code, strlen(code));
    respond(h, status, "application/json", line.data, line.len, extra);
    ds_buf_free(&line);
}

/* A failure that leaves the connection unusable: answered, then closed. */
static void fail_connection(srv_http *h, int status, const char *code, const char *fmt,
                            const char *arg) {
    h->keep_alive = false;
    if (!h->streaming) respond_error(h, status, code, NULL, fmt, arg);
    srv_conn_close_after(h->conn);
}

static void add_chunk(ds_buf *out, const char *data, size_t len) {
    if (len == 0) return;
    ds_buf_printf(out, "%zx\r\n", len);
    ds_buf_add(out, data, len);
    ds_buf_puts(out, "\r\n");
}

static void start_stream(srv_http *h) {
    h->streaming = true;
    write_head(h, &h->conn->out, 200, "application/x-ndjson", -1, NULL);
    add_chunk(&h->conn->out, h->first.data, h->first.len);
    ds_buf_clear(&h->first);
}

/* ---- operations ---- */

static srv_request request_for(srv_http *h, int op) {
    srv_request rq = {.envelope = false, .op = op};
    if (h->policy_len) rq.policy = (srv_span){h->policy, h->policy_len};
    rq.format = h->format;
    if (h->auth_len > 7 && strncasecmp(h->auth, "Bearer ", 7) == 0) {
        const char *t = h->auth + 7;
        while (*t == ' ') t++;
        rq.token = (srv_span){t, strlen(t)};
    }
    return rq;
}

/* A call of the route's op on this connection, answered into out (initialised
 * here; the caller frees it); where names the request in errors. Counted. */
static srv_call begin_call(srv_http *h, srv_request *rq, ds_buf *out, const char *where) {
    srv_call call = {.worker = h->conn->worker,
                     .conn = h->conn,
                     .rq = rq,
                     .out = out,
                     .where = where,
                     .token_hint = "an Authorization: Bearer header"};
    ds_buf_init(out);
    srv_stats_add(&h->conn->worker->stats.requests, 1);
    return call;
}

/* The answer of a whole-request op: its status from the error code, JSON body
 * (or the report, for a text format), and the bearer challenge on 401. */
static void respond_call(srv_http *h, const srv_call *call, const ds_buf *answer) {
    int status = status_of(call->error);
    if (status == 200 && (h->report.len || h->format == SRV_FORMAT_JSONL)) /* no change: empty */
        respond(h, 200,
                h->format == SRV_FORMAT_JSONL ? "application/x-ndjson"
                                              : "text/plain; charset=utf-8",
                h->report.data, h->report.len, NULL);
    else
        respond(h, status, "application/json", answer->data, answer->len,
                status == 401 ? "WWW-Authenticate: Bearer\r\n" : NULL);
}

/* One deal of the body, answered into the held first answer or the stream. */
static bool blank(const char *p, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
    return true;
}

static void score_deal(srv_http *h, const char *deal, size_t len, uint64_t line, bool too_long) {
    srv_conn *c = h->conn;
    srv_worker *w = c->worker;
    uint64_t start = uv_hrtime();
    char where[48];
    snprintf(where, sizeof where, "line %llu", (unsigned long long)line);
    srv_request rq = request_for(h, h->route->op);
    rq.deal = (srv_span){deal, len};
    ds_buf answer;
    srv_call call = begin_call(h, &rq, &answer, where);
    /* the first deal's report, raw: the body when it stays the only one */
    if (h->format != SRV_FORMAT_JSON && h->deals == 0 && !h->streaming) call.report = &h->report;
    if (too_long) {
        char message[160];
        snprintf(message, sizeof message,
                 h->ndjson
                     ? "the request is longer than the %zu-byte limit (--max-line); it was "
                       "skipped up to its newline"
                     : "the deal is longer than the %zu-byte limit (--max-line); it was skipped",
                 w->server->cfg->max_line);
        srv_ops_fail(&call, (srv_span){NULL, 0}, "line_too_long", "$", message);
    } else {
        srv_ops_run(&call);
    }
    if (w->abandoned) { /* the watchdog answered and took the connection */
        ds_buf_free(&answer);
        return;
    }
    srv_ops_count(&call, uv_hrtime() - start);
    if (++h->deals == 2 && !h->streaming) start_stream(h);
    if (h->streaming) {
        add_chunk(&c->out, answer.data, answer.len);
    } else {
        ds_buf_add(&h->first, answer.data, answer.len);
        h->first_status = status_of(call.error);
    }
    ds_buf_free(&answer);
}

/* Cuts the next deal out of the body held; false when it needs more body. */
static bool next_deal(srv_http *h) {
    size_t max = h->conn->worker->server->cfg->max_line;
    for (;;) {
        size_t used, len, avail = h->body.len - h->body_off;
        const char *base = h->body.data ? h->body.data + h->body_off : ""; /* none yet */
        if (avail == 0 && (!h->message_done || h->ndjson)) break;
        int what;
        uint64_t line;
        if (h->ndjson) { /* lines, exactly as the request lines are cut */
            what = srv_frame_next(&h->frame, base, avail, max, h->message_done, &used, &len);
            line = h->frame_lines += what == SRV_FRAME_LINE || what == SRV_FRAME_TOO_LONG;
            if (what == SRV_FRAME_LINE && blank(base, len)) what = SRV_FRAME_SKIP;
        } else { /* JSON values: a deal, an array of deals, deals one after another */
            what = srv_split_next(&h->split, base, avail, max, h->message_done, &used, &len);
            line = h->split.start_line + 1;
            if (h->split.array == 1 && !h->streaming) start_stream(h);
        }
        if (what == SRV_FRAME_MORE) break;
        if (what == SRV_FRAME_LINE || what == SRV_FRAME_TOO_LONG)
            score_deal(h, base, len, line, what == SRV_FRAME_TOO_LONG);
        h->body_off += used;
        if (what != SRV_FRAME_SKIP) return true;
    }
    if (h->body_off > 0) { /* what is left is the start of a deal: keep only it */
        memmove(h->body.data, h->body.data + h->body_off, h->body.len - h->body_off);
        h->body.len -= h->body_off;
        h->body_off = 0;
    }
    return false;
}

/* A whole-request op being answered (not a deal of a body): its request, the
 * name errors give it, its answer and its call; on the caller's stack. */
typedef struct {
    uint64_t start;
    char where[48];
    srv_request rq;
    ds_buf answer;
    srv_call call;
} http_call;

static void begin_request(srv_http *h, http_call *hc) {
    hc->start = uv_hrtime();
    snprintf(hc->where, sizeof hc->where, "request %llu", (unsigned long long)h->requests);
    hc->rq = request_for(h, h->route->op);
    hc->rq.envelope = true;
    hc->call = begin_call(h, &hc->rq, &hc->answer, hc->where);
}

static void answer_op(srv_http *h) {
    http_call hc;
    begin_request(h, &hc);
    if (srv_ops_run(&hc.call) == SRV_CALL_WAITING) {
        h->conn->waiting = hc.call.waiting; /* answered by srv_http_answer_reload */
        ds_buf_free(&hc.answer);
        return;
    }
    srv_ops_count(&hc.call, uv_hrtime() - hc.start);
    respond_call(h, &hc.call, &hc.answer);
    ds_buf_free(&hc.answer);
}

/* An op whose request is the body's one JSON object (diff: {"old", "new",
 * "min_move"}), held whole up to --max-line (else 413, the rest dropped). */
static int take_body(srv_http *h, const char *at, size_t len) {
    size_t max = h->conn->worker->server->cfg->max_line;
    if (h->body.len + len <= max) {
        ds_buf_add(&h->body, at, len);
        return 0;
    }
    char limit[32];
    snprintf(limit, sizeof limit, "%zu", max);
    h->error_status = 413;
    respond_error(h, 413, "line_too_long", NULL,
                  "the body is longer than the %s-byte limit (--max-line)", limit);
    return 0;
}

static void answer_body_op(srv_http *h) {
    http_call hc;
    begin_request(h, &hc);
    if (h->format != SRV_FORMAT_JSON) hc.call.report = &h->report;
    const char *body = h->body.data ? h->body.data : "";
    srv_request *rq = &hc.rq;
    if (srv_json_member(body, h->body.len, "old", &rq->old) < 0 || rq->old.p[0] != '[' ||
        srv_json_member(body, h->body.len, "new", &rq->new_) < 0 || rq->new_.p[0] != '[') {
        srv_ops_fail(&hc.call, (srv_span){NULL, 0}, "bad_request", "$",
                     "the body is a JSON object with two arrays, \"old\" and \"new\", of deals "
                     "or result lines (and maybe \"min_move\")");
    } else {
        srv_json_member(body, h->body.len, "min_move", &rq->min_move);
        srv_ops_run(&hc.call);
    }
    if (h->conn->worker->abandoned) { /* the watchdog answered and took the connection */
        ds_buf_free(&hc.answer);
        return;
    }
    srv_ops_count(&hc.call, uv_hrtime() - hc.start);
    respond_call(h, &hc.call, &hc.answer);
    ds_buf_free(&hc.answer);
}

void srv_http_answer_reload(srv_conn *c, const srv_reload_req *req) {
    srv_http *h = c->http;
    ds_buf answer;
    ds_buf_init(&answer);
    srv_ops_reload_answer(c->worker, &answer, req);
    const char *code = req->error[0] ? (req->generation ? "reload_failed" : "shutting_down") : "";
    respond(h, status_of(code), "application/json", answer.data, answer.len, NULL);
    ds_buf_free(&answer);
    if (!h->keep_alive) srv_conn_close_after(c);
    reset_message(h);
}

static void answer_health(srv_http *h) {
    static const char ok[] = "{\"status\":\"ok\"}\n";
    srv_stats_add(&h->conn->worker->stats.health[0], 1);
    respond(h, 200, "application/json", ok, sizeof ok - 1, NULL);
}

static void answer_ready(srv_http *h) {
    ds_buf body;
    ds_buf_init(&body);
    bool ready = srv_worker_write_ready(h->conn->worker, &body);
    srv_stats_add(&h->conn->worker->stats.health[1], 1);
    respond(h, ready ? 200 : 503, "application/json", body.data, body.len, NULL);
    ds_buf_free(&body);
}

static void answer_metrics(srv_http *h) {
    ds_buf body;
    ds_buf_init(&body);
    srv_worker_write_metrics(h->conn->worker, &body);
    respond(h, 200, "text/plain; version=0.0.4; charset=utf-8", body.data, body.len, NULL);
    ds_buf_free(&body);
}

/* The whole request is in: answers what was not answered as it came. */
static void finish_message(srv_http *h) {
    if (h->error_status) {
        /* answered when its headers ended */
    } else if (h->route->kind == R_SCORE) {
        if (h->streaming) {
            ds_buf_puts(&h->conn->out, "0\r\n\r\n");
        } else if (h->deals == 0) {
            respond_error(h, 400, "bad_request", NULL, "%s",
                          "the body holds no deal: send a deal, NDJSON of deals or a JSON array");
        } else if (h->first_status == 200 && h->report.len) { /* ?format=text, one deal */
            respond(h, 200,
                    h->format == SRV_FORMAT_MARKDOWN ? "text/markdown; charset=utf-8"
                                                     : "text/plain; charset=utf-8",
                    h->report.data, h->report.len, NULL);
        } else {
            respond(h, h->first_status, "application/json", h->first.data, h->first.len, NULL);
        }
    } else if (h->route->kind == R_BODY_OP) {
        answer_body_op(h);
    } else if (h->route->kind == R_OP) {
        answer_op(h);
        if (h->conn->waiting) return; /* the reload answers, then resets */
    } else if (h->route->kind == R_HEALTH) {
        answer_health(h);
    } else if (h->route->kind == R_READY) {
        answer_ready(h);
    } else {
        answer_metrics(h);
    }
    if (!h->keep_alive) srv_conn_close_after(h->conn);
    reset_message(h);
}

/* ---- parser callbacks ---- */

static int on_message_begin(http_parser *p) {
    srv_http *h = p->data;
    reset_message(h);
    h->in_message = true;
    h->started = uv_now(&h->conn->worker->loop);
    h->requests++;
    return 0;
}

static int count_header(srv_http *h, size_t len) {
    h->header_bytes += len;
    return h->header_bytes > MAX_HEADER_BYTES ? -1 : 0;
}

static int on_url(http_parser *p, const char *at, size_t len) {
    srv_http *h = p->data;
    if (count_header(h, len) < 0) return -1;
    if (h->url_len + len > MAX_URL) {
        h->error_status = 414;
        return 0;
    }
    memcpy(h->url + h->url_len, at, len);
    h->url_len += len;
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len) {
    srv_http *h = p->data;
    if (count_header(h, len) < 0) return -1;
    if (h->in_value) h->in_value = false, h->field_len = 0;
    h->in_trailers = h->headers_done;
    if (memchr(at, ' ', len) || memchr(at, '\t', len))
        h->bad_header = "whitespace between a header's name and its colon (RFC 9112, 5.1)";
    size_t room = sizeof h->field - 1 - h->field_len, n = len < room ? len : room;
    memcpy(h->field + h->field_len, at, n);
    h->field_len += n;
    h->field[h->field_len] = '\0';
    return 0;
}

/* Content types of newline-delimited JSON: the body is cut into lines. */
static bool is_ndjson(const char *type, size_t len) {
    static const char *const types[] = {"application/x-ndjson", "application/ndjson",
                                        "application/jsonl", "application/x-jsonlines",
                                        "application/jsonlines"};
    while (len > 0 && (*type == ' ' || *type == '\t')) type++, len--;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t n = strlen(types[i]);
        if (len >= n && strncasecmp(type, types[i], n) == 0 &&
            (len == n || type[n] == ';' || type[n] == ' '))
            return true;
    }
    return false;
}

static int on_header_value(http_parser *p, const char *at, size_t len) {
    srv_http *h = p->data;
    if (count_header(h, len) < 0) return -1;
    if (!h->in_value) {
        h->in_value = true;
        h->header = H_OTHER;
        for (int k = 1; k < H_KINDS; k++)
            if (strcasecmp(h->field, header_names[k]) == 0) h->header = k;
        if (h->in_trailers) h->header = H_OTHER; /* trailers are read and dropped */
        if (h->seen[h->header] < 2) h->seen[h->header]++;
    }
    if (h->header == H_AUTHORIZATION) {
        size_t room = sizeof h->auth - 1 - h->auth_len, n = len < room ? len : room;
        memcpy(h->auth + h->auth_len, at, n);
        h->auth_len += n;
        h->auth[h->auth_len] = '\0';
    } else if (h->header == H_EXPECT && len >= 12 && strncasecmp(at, "100-continue", 12) == 0) {
        h->expect_continue = true;
    } else if (h->header == H_CONTENT_TYPE) { /* kept whole, however it arrives */
        size_t room = sizeof h->ctype - 1 - h->ctype_len, n = len < room ? len : room;
        memcpy(h->ctype + h->ctype_len, at, n);
        h->ctype_len += n;
        h->ndjson = is_ndjson(h->ctype, h->ctype_len);
    } else if (h->header == H_TRANSFER_ENCODING) {
        size_t room = sizeof h->te - 1 - h->te_len, n = len < room ? len : room;
        memcpy(h->te + h->te_len, at, n);
        h->te_len += n;
        h->te[h->te_len] = '\0';
    }
    return 0;
}

/* Why the headers cannot be served, with the status: 400 for what a proxy
 * could read otherwise, 501 for a transfer coding other than chunked (the
 * only one here; RFC 9112, 6.1). 0 when they can. */
static int check_headers(srv_http *h, const char **why, char *buf, size_t size) {
    if (h->bad_header) {
        *why = h->bad_header;
        return 400;
    }
    for (int k = 1; k < H_KINDS; k++)
        if (H_ONCE(k) && h->seen[k] > 1) {
            snprintf(buf, size, "more than one %s header", header_names[k]);
            *why = buf;
            return 400;
        }
    if (h->seen[H_TRANSFER_ENCODING] && strcasecmp(h->te, "chunked") != 0) {
        snprintf(buf, size, "Transfer-Encoding \"%s\" is not supported: only \"chunked\"", h->te);
        ds_utf8_scrub(buf);
        *why = buf;
        return 501;
    }
    return 0;
}

/* Decodes the %XX escapes of a query's key or value into out (size bytes, NUL
 * ended). -1 for a bad escape, a result too long, or one that is not UTF-8
 * text (a name quoted in messages must stay valid JSON). */
static int percent_decode(const char *p, size_t len, char *out, size_t size, size_t *out_len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '%') {
            if (i + 2 >= len || !isxdigit((unsigned char)p[i + 1]) ||
                !isxdigit((unsigned char)p[i + 2]))
                return -1;
            char hex[3] = {p[i + 1], p[i + 2], 0};
            c = (unsigned char)strtoul(hex, NULL, 16);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c < 0x20 || c == 0x7f || n + 1 >= size) return -1;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    *out_len = n;
    return ds_utf8_invalid_at(out, n) == n ? 0 : -1;
}

/* ?policy=NAME and ?format=FORMAT (op explain's), the query parameters,
 * percent-decoded (?policy=%64efault is "default"). Returns 0, or -1 with what
 * is wrong in why. */
static int read_query(srv_http *h, const char *query, size_t len, const char **why) {
    while (len > 0) {
        const char *amp = memchr(query, '&', len);
        size_t n = amp ? (size_t)(amp - query) : len;
        const char *eq = memchr(query, '=', n);
        char key[16], value[sizeof h->policy];
        size_t key_len = 0, value_len = 0;
        /* a parameter of another name (or none) is not ours: ignored */
        bool ours = eq &&
                    percent_decode(query, (size_t)(eq - query), key, sizeof key, &key_len) == 0 &&
                    (strcmp(key, "policy") == 0 || strcmp(key, "format") == 0);
        if (ours && percent_decode(eq + 1, n - (size_t)(eq - query) - 1, value, sizeof value,
                                   &value_len) < 0) {
            *why = key[0] == 'p' ? "?policy= takes a policy name: at most 63 bytes of UTF-8 "
                                   "text, %-escapes of two hex digits"
                                 : "?format= takes json, text, ansi or markdown";
            return -1;
        }
        if (!ours) key[0] = '\0';
        if (strcmp(key, "policy") == 0 && value_len > 0) {
            memcpy(h->policy, value, value_len);
            h->policy_len = value_len;
        } else if (strcmp(key, "format") == 0) {
            *why = "?format= takes json, text, ansi or markdown on /v1/explain, json, text or "
                   "jsonl on /v1/diff";
            h->format = srv_format_find(value, value_len);
            bool diff = h->format == SRV_FORMAT_TEXT || h->format == SRV_FORMAT_JSONL;
            if (h->format < 0 ||
                (h->format != SRV_FORMAT_JSON &&
                 (h->route->op == SRV_OP_DIFF
                      ? !diff
                      : h->route->op != SRV_OP_EXPLAIN || h->format == SRV_FORMAT_JSONL))) {
                h->format = SRV_FORMAT_JSON;
                return -1;
            }
        }
        if (!amp) break;
        len -= n + 1;
        query = amp + 1;
    }
    return 0;
}

/* Finds the route; answers at once what cannot go on (its body is dropped). */
static void route_request(srv_http *h) {
    const char *method = http_method_str((enum http_method)h->parser.method);
    char *q = memchr(h->url, '?', h->url_len);
    size_t path_len = q ? (size_t)(q - h->url) : h->url_len;
    bool path_known = false;
    char allow[64] = "";
    const char *why = "";
    for (size_t i = 0; i < N_ROUTES; i++) {
        if (strlen(routes[i].path) != path_len || memcmp(routes[i].path, h->url, path_len) != 0)
            continue;
        path_known = true;
        snprintf(allow, sizeof allow, "Allow: %s\r\n", routes[i].method);
        if (strcmp(routes[i].method, method) == 0) h->route = &routes[i];
    }
    h->url[h->url_len] = '\0';
    if (h->error_status == 414) {
        respond_error(h, 414, "uri_too_long", NULL, "the URL is longer than %s bytes", "2048");
    } else if (!path_known) {
        h->error_status = 404;
        respond_error(h, 404, "not_found", NULL,
                      "no endpoint %s: see docs/openapi.json (POST /v1/score, GET /healthz, ...)",
                      h->url);
    } else if (!h->route) {
        h->error_status = 405;
        respond_error(h, 405, "method_not_allowed", allow, "%s is not allowed here", method);
    } else if (q && read_query(h, q + 1, h->url_len - path_len - 1, &why) < 0) {
        h->error_status = 400;
        respond_error(h, 400, "bad_request", NULL, "%s", why);
    }
}

static int on_headers_complete(http_parser *p) {
    srv_http *h = p->data;
    h->headers_done = true;
    h->keep_alive = http_should_keep_alive(p);
    if (p->upgrade) {
        h->error_status = 501;
        h->keep_alive = false;
        respond_error(h, 501, "unsupported", NULL, "%s", "no protocol upgrades here");
        return 0;
    }
    /* answered at once, a request's body is read and dropped; one of unknown or
     * large size (or one the client waits to send) is not worth it: closed */
    bool huge = p->content_length != ULLONG_MAX && p->content_length > (1u << 20);
    h->error_closes = h->expect_continue || huge || (p->flags & F_CHUNKED);
    char buf[160];
    const char *why = NULL;
    int refused = check_headers(h, &why, buf, sizeof buf);
    if (refused) { /* its body cannot be framed safely: answered, then closed */
        h->error_status = refused;
        h->keep_alive = false;
        h->error_closes = true;
        respond_error(h, refused, refused == 501 ? "unsupported" : "bad_request", NULL, "%s", why);
        srv_conn_close_after(h->conn);
        return 0;
    }
    route_request(h);
    if (!h->error_status && h->expect_continue)
        ds_buf_puts(&h->conn->out, "HTTP/1.1 100 Continue\r\n\r\n");
    if (!h->error_status && h->route->kind == R_SCORE && h->ndjson)
        start_stream(h); /* NDJSON in, NDJSON out, whatever the deals say */
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len) {
    srv_http *h = p->data;
    if (!h->error_status && h->route->kind == R_BODY_OP) return take_body(h, at, len);
    if (h->error_status || h->route->kind != R_SCORE) return 0; /* not wanted: dropped */
    ds_buf_add(&h->body, at, len);
    http_parser_pause(p, 1); /* the deals in it are scored before more is read */
    return 0;
}

static int on_message_complete(http_parser *p) {
    srv_http *h = p->data;
    h->message_done = true;
    h->keep_alive = h->keep_alive && http_should_keep_alive(p);
    http_parser_pause(p, 1); /* answered before the next request is read */
    return 0;
}

static const http_parser_settings *settings(void) {
    static const http_parser_settings s = {
        .on_message_begin = on_message_begin,
        .on_url = on_url,
        .on_header_field = on_header_field,
        .on_header_value = on_header_value,
        .on_headers_complete = on_headers_complete,
        .on_body = on_body,
        .on_message_complete = on_message_complete,
    };
    return &s;
}

/* ---- the loop ---- */

static void parse_error(srv_http *h) {
    enum http_errno e = HTTP_PARSER_ERRNO(&h->parser);
    bool chunked = h->headers_done && (h->parser.flags & F_CHUNKED);
    if (h->in_trailers && (e == HPE_HEADER_OVERFLOW || h->header_bytes > MAX_HEADER_BYTES))
        fail_connection(h, 431, "headers_too_large",
                        "the request line, headers and trailers pass %s bytes", "16384");
    else if (e == HPE_HEADER_OVERFLOW && chunked)
        /* http_parser counts a chunk's size line as a header */
        fail_connection(h, 400, "bad_request",
                        "a chunk-size line (its extension included) passes %s bytes", "16384");
    else if (e == HPE_HEADER_OVERFLOW || (h->header_bytes > MAX_HEADER_BYTES && !h->headers_done))
        fail_connection(h, 431, "headers_too_large", "the request line and headers pass %s bytes",
                        "16384");
    else if (e == HPE_INVALID_CONTENT_LENGTH && chunked) /* says so of a chunk size too */
        fail_connection(h, 400, "bad_request", "%s",
                        "a chunk size is too large or not a hexadecimal number");
    else if (e == HPE_INVALID_CHUNK_SIZE)
        fail_connection(h, 400, "bad_request", "%s", "a chunk size is not a hexadecimal number");
    else
        fail_connection(h, 400, "bad_request", "not a valid HTTP/1.1 request: %s",
                        http_errno_description(e));
}

void srv_http_process(srv_conn *c) {
    srv_http *h = c->http;
    while (!c->closing && !c->waiting && !c->close_after && !c->worker->abandoned) {
        if (srv_conn_must_pause(c)) break;
        if (h->headers_done && !h->error_status && h->route->kind == R_SCORE && next_deal(h))
            continue;
        if (h->message_done) {
            finish_message(h);
            continue;
        }
        size_t avail = c->in_len - c->in_start;
        if (avail == 0 && !c->eof) break;
        if (HTTP_PARSER_ERRNO(&h->parser) == HPE_PAUSED) http_parser_pause(&h->parser, 0);
        if (avail == 0) { /* the client closed its side: a request cut short is dropped */
            if (h->in_message) http_parser_execute(&h->parser, settings(), NULL, 0);
            if (!h->message_done) break;
            continue;
        }
        size_t n = http_parser_execute(&h->parser, settings(), c->in + c->in_start, avail);
        c->in_start += n;
        enum http_errno e = HTTP_PARSER_ERRNO(&h->parser);
        if (e != HPE_OK && e != HPE_PAUSED) {
            parse_error(h);
            c->in_start = c->in_len;
            break;
        }
    }
}

/* ---- health checks answered by the acceptor ----
 *
 * A probe must not wait behind a slow deal: a connection queued on a worker busy
 * in one deal is looked at by the acceptor (srv_server.c), and a whole GET
 * /healthz or /readyz request at its start is answered there, by the same
 * parser, and the connection closed. */

typedef struct health_peek {
    char url[64];
    size_t url_len;
    bool too_long, complete;
} health_peek;

static int peek_url(http_parser *p, const char *at, size_t len) {
    health_peek *k = p->data;
    if (k->url_len + len >= sizeof k->url) {
        k->too_long = true;
        return 1;
    }
    memcpy(k->url + k->url_len, at, len);
    k->url_len += len;
    return 0;
}

static int peek_complete(http_parser *p) {
    health_peek *k = p->data;
    k->complete = true;
    http_parser_pause(p, 1); /* what follows is not ours to read */
    return 0;
}

int srv_http_health_request(const char *p, size_t n, size_t *head) {
    static const http_parser_settings peek = {.on_url = peek_url,
                                              .on_message_complete = peek_complete};
    health_peek k = {0};
    http_parser parser;
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = &k;
    size_t used = http_parser_execute(&parser, &peek, p, n);
    enum http_errno e = HTTP_PARSER_ERRNO(&parser);
    if (k.too_long || (e != HPE_OK && e != HPE_PAUSED)) return -1;
    if (!k.complete) return -2; /* a request begun: maybe one */
    if (parser.method != HTTP_GET) return -1;
    char *q = memchr(k.url, '?', k.url_len);
    size_t path = q ? (size_t)(q - k.url) : k.url_len;
    *head = used;
    if (path == 8 && memcmp(k.url, "/healthz", 8) == 0) return R_HEALTH;
    if (path == 7 && memcmp(k.url, "/readyz", 7) == 0) return R_READY;
    return -1;
}

void srv_http_health_answer(srv_server *s, int kind, ds_buf *out) {
    static const char ok[] = "{\"status\":\"ok\"}\n";
    ds_buf body;
    ds_buf_init(&body);
    int status = 200;
    if (kind == R_READY && !srv_server_write_ready(s, &body)) status = 503;
    if (kind != R_READY) ds_buf_add(&body, ok, sizeof ok - 1);
    atomic_fetch_add(&s->global.health[kind == R_READY], 1); /* several threads may answer */
    atomic_fetch_add(&s->global.http_status[status / 100], 1);
    write_status(out, status, atomic_load(&s->global.generation));
    ds_buf_printf(out,
                  "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: "
                  "close\r\n\r\n",
                  body.len);
    ds_buf_add(out, body.data, body.len);
    ds_buf_free(&body);
}

/* ---- time and the watchdog ---- */

bool srv_http_tick(srv_conn *c, uint64_t now) {
    srv_http *h = c->http;
    double limit = c->worker->server->cfg->idle_timeout * 1000.0;
    if (!h || !h->in_message || h->headers_done || limit <= 0 || c->close_after) return false;
    if ((double)(now - h->started) < limit) return false;
    fail_connection(h, 408, "request_timeout", "the headers did not arrive within %s",
                    "--idle-timeout");
    c->in_start = c->in_len;
    srv_conn_send(c);
    return true;
}

bool srv_http_in_message(const srv_conn *c) {
    return c->http && c->http->in_message;
}

void srv_http_abandon(srv_conn *c, const ds_buf *line, ds_buf *bytes, int status) {
    srv_http *h = c->http;
    h->keep_alive = false;
    if (h->streaming) {
        add_chunk(bytes, line->data, line->len);
        ds_buf_puts(bytes, "0\r\n\r\n");
    } else {
        write_head(h, bytes, status, "application/json", (long)line->len, NULL);
        ds_buf_add(bytes, line->data, line->len);
    }
}
