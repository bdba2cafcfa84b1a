/* srv_ops.c: the service's operations, one table of {name, handler, needs_token}.
 *
 * A transport (the request lines of srv_conn.c) turns bytes into an srv_request
 * and hands it here with its worker; what comes back is appended to the call's
 * output buffer. Nothing here knows about sockets, and nothing in a connection
 * knows what an operation does: a new operation is a handler and a row.
 *
 * Scoring is synchronous on the worker's thread, under its watchdog. The only
 * operation that waits is reload: it is handed to the worker, which asks the
 * acceptor, and answered through srv_ops_reload_answer once every worker swapped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "srv_int.h"

static int op_score(srv_call *call);
static int op_ping(srv_call *call);
static int op_stats(srv_call *call);
static int op_reload(srv_call *call);
static int op_policies(srv_call *call);
static int op_diff(srv_call *call);

/* In the order of SRV_OP_* (the counters are indexed by it). */
const srv_op srv_ops[SRV_NOPS] = {
    [SRV_OP_SCORE] = {"score", op_score, false, true},
    [SRV_OP_EXPLAIN] = {"explain", op_score, false, true},
    [SRV_OP_ACTIONS] = {"actions", op_score, false, true},
    [SRV_OP_PING] = {"ping", op_ping, false, false},
    [SRV_OP_STATS] = {"stats", op_stats, true, false},
    [SRV_OP_RELOAD] = {"reload", op_reload, true, false},
    [SRV_OP_POLICIES] = {"policies", op_policies, false, false},
    [SRV_OP_QUESTIONS] = {"questions", op_score, false, true},
    [SRV_OP_CHECK] = {"check", op_score, false, true},
    [SRV_OP_DIFF] = {"diff", op_diff, false, false},
};

int srv_ops_find(const char *name, size_t len) {
    for (int i = 0; i < SRV_NOPS; i++)
        if (strlen(srv_ops[i].name) == len && memcmp(srv_ops[i].name, name, len) == 0) return i;
    return -1;
}

static void count_error(srv_worker *w, const char *code, size_t len) {
    srv_stats_add(&w->stats.errors, 1);
    srv_stats_named(&w->stats.error_codes, code, len);
}

static void set_error(srv_call *call, const char *code, size_t len) {
    if (len >= sizeof call->error) len = sizeof call->error - 1;
    memcpy(call->error, code, len);
    call->error[len] = '\0';
    count_error(call->worker, code, len);
}

void srv_ops_fail(srv_call *call, srv_span id, const char *code, const char *path,
                  const char *message) {
    srv_write_error(call->out, id, code, path, "%s: %s", call->where, message);
    set_error(call, code, strlen(code));
}

/* Prometheus' default bounds, in ns, and one more for slow policies. */
static const uint64_t bounds_ns[SRV_PROM_BUCKETS] = {
    5000,    10000,   25000,    50000,    100000,   250000,    500000,     1000000,
    2500000, 5000000, 10000000, 25000000, 50000000, 100000000, 1000000000, 10000000000};

void srv_ops_count(const srv_call *call, uint64_t ns) {
    srv_stats *st = &call->worker->stats;
    int op = call->ran ? call->rq->op : SRV_NOPS;
    srv_stats_latency(st, ns);
    srv_stats_add(call->error[0] ? &st->op_errors[op] : &st->op_ok[op], 1);
    srv_stats_add(&st->op_latency_ns[op], ns);
    for (int b = 0; b < SRV_PROM_BUCKETS; b++)
        if (ns <= bounds_ns[b]) { /* one bucket; /metrics makes them cumulative */
            srv_stats_add(&st->op_buckets[op][b], 1);
            break;
        }
}

uint64_t srv_ops_bound_ns(int bucket) {
    return bounds_ns[bucket];
}

static bool authorized(srv_call *call) {
    const srv_request *rq = call->rq;
    const char *token = call->worker->server->cfg->token;
    if (!token) return true;
    size_t n = strlen(token);
    unsigned char diff = rq->token.len != n;
    for (size_t i = 0; i < rq->token.len && i < n; i++) /* constant time in the token */
        diff |= (unsigned char)(rq->token.p[i] ^ token[i]);
    if (diff == 0) return true;
    char message[128];
    snprintf(message, sizeof message, "op %s needs the server's token in %s%s",
             srv_ops[rq->op].name, call->token_hint ? call->token_hint : "\"token\"",
             rq->token.p ? " (this one does not match)" : "");
    srv_ops_fail(call, rq->id, "unauthorized", "$.token", message);
    return false;
}

int srv_ops_run(srv_call *call) {
    const srv_op *op = &srv_ops[call->rq->op];
    call->ran = true;
    srv_stats_add(&call->worker->stats.ops[call->rq->op], 1);
    if ((op->needs_token || call->worker->server->cfg->token_all) && !authorized(call))
        return SRV_CALL_DONE;
    return op->handler(call);
}

/* ---- scoring ---- */

/* For the watchdog's tests only: a deal holding the text of the environment
 * variable DEALSCORE_TEST_STALL never finishes, as a C call that loops would. */
/* Test-only: a deal holding the text of DEALSCORE_TEST_STALL stalls in the worker
 * as a stuck C call would: for ever, or until the file DEALSCORE_TEST_STALL_UNTIL
 * exists (a slow call that returns at last, past the watchdog). */
static void stall_for_tests(const srv_worker *w, const srv_request *rq) {
    static const char *marker, *until;
    static bool read;
    if (!read)
        marker = getenv("DEALSCORE_TEST_STALL"), until = getenv("DEALSCORE_TEST_STALL_UNTIL"),
        read = true;
    size_t n = marker ? strlen(marker) : 0;
    for (size_t i = 0; n && i + n <= rq->deal.len; i++)
        if (memcmp(rq->deal.p + i, marker, n) == 0) {
            srv_log(SRV_LOG_WARN, "worker %d: stalled on purpose (DEALSCORE_TEST_STALL)", w->index);
            while (!until || access(until, F_OK) != 0) {
                if (!until) pause();
                struct timespec tick = {0, 10 * 1000000}; /* polls the file, as a test hook */
                nanosleep(&tick, NULL);
            }
            return;
        }
}

/* What a result holds for each scoring op: an explain report holds what
 * `dealscore explain` shows (next best actions and questions), a check what
 * `dealscore check` tries (the policy's own actions, through the actions engine
 * when it has some and the model allows). */
static unsigned op_flags(const srv_policyset *set, const srv_policy *p, const srv_request *rq) {
    switch (rq->op) {
    case SRV_OP_EXPLAIN:
        return rq->format == SRV_FORMAT_JSON
                   ? DEALSCORE_EXPLAIN
                   : DEALSCORE_EXPLAIN | DEALSCORE_ACTIONS | DEALSCORE_QUESTIONS;
    case SRV_OP_ACTIONS:
        return DEALSCORE_ACTIONS;
    case SRV_OP_QUESTIONS:
        return DEALSCORE_QUESTIONS;
    case SRV_OP_CHECK:
        return !set->actions_error[0] && dealscore_engine_policy_has_actions(set->engine, p->name)
                   ? DEALSCORE_PROPOSALS | DEALSCORE_ACTIONS
                   : DEALSCORE_PROPOSALS;
    default:
        return 0;
    }
}

/* Why the worker cannot give what `flags` asks (its model lacks a section), or NULL. */
static const char *unsupported(const srv_worker *w, unsigned flags) {
    if ((flags & DEALSCORE_ACTIONS) && w->policies->actions_error[0])
        return w->policies->actions_error;
    if ((flags & DEALSCORE_QUESTIONS) && w->policies->questions_error[0])
        return w->policies->questions_error;
    return NULL;
}

/* The contents of a JSON string (span with its quotes), NUL-terminated, as
 * cJSON decodes it; NULL when it is not one. Freed with cJSON_Delete(*item). */
static const char *decode_string(srv_span json, cJSON **item) {
    *item = cJSON_ParseWithLength(json.p, json.len);
    if (cJSON_IsString(*item)) return (*item)->valuestring;
    cJSON_Delete(*item);
    *item = NULL;
    return NULL;
}

/* A request with "text" (the deal's bytes in a JSON string, from a client that
 * forwards what it has not parsed: dealscore score --server) and maybe "where"
 * (how the client names the deal): scored from those bytes, with messages
 * naming the deal as the client does, and answered as a bare deal is. */
static int score_text(srv_call *call) {
    const srv_request *rq = call->rq;
    cJSON *text = NULL, *where = NULL;
    const char *bytes = decode_string(rq->text, &text);
    const char *named = rq->where.p ? decode_string(rq->where, &where) : call->where;
    if (!bytes || !named) {
        srv_ops_fail(call, rq->id, "bad_request", bytes ? "$.where" : "$.text",
                     "text and where must be JSON strings");
    } else {
        srv_request bare = *rq;
        bare.envelope = false;
        bare.text = (srv_span){NULL, 0};
        bare.deal = (srv_span){bytes, strlen(bytes)};
        char where_buf[512]; /* cut between two characters: it is quoted in messages */
        srv_span w = {named, strlen(named)};
        snprintf(where_buf, sizeof where_buf, "%.*s", srv_utf8_cut(w, sizeof where_buf - 1), named);
        srv_call inner = *call;
        inner.rq = &bare;
        inner.where = where_buf;
        op_score(&inner);
        memcpy(call->error, inner.error, sizeof call->error);
    }
    cJSON_Delete(text);
    cJSON_Delete(where);
    return SRV_CALL_DONE;
}

/* The id a report or check answer carries: the request's, or for a bare deal
 * (and a "text" request) the deal's own, as its result line would. */
static void write_answer_id(srv_call *call, const dealscore_result *r) {
    if (call->rq->envelope) {
        srv_write_id(call->out, call->rq->id);
    } else {
        ds_buf_puts(call->out, "{\"id\":");
        if (r->id)
            ds_buf_json_string(call->out, r->id);
        else
            ds_buf_puts(call->out, "null");
    }
}

/* {"id":ID,"text":REPORT[,"undated":true]}: the report `dealscore explain`
 * prints for the deal (lib: dealscore_explain), in the request's format. */
static int write_report(srv_call *call, dealscore_engine *e, const dealscore_result *r,
                        bool undated) {
    int f = call->rq->format;
    dealscore_explain_style style = {f == SRV_FORMAT_MARKDOWN ? DEALSCORE_EXPLAIN_MARKDOWN
                                                              : DEALSCORE_EXPLAIN_TEXT,
                                     f == SRV_FORMAT_ANSI};
    size_t len;
    char *text = dealscore_explain(e, r, &style, &len);
    if (!text) {
        srv_ops_fail(call, call->rq->id, "out_of_memory", "$", "no memory to write the report");
        return SRV_CALL_DONE;
    }
    write_answer_id(call, r);
    ds_buf_puts(call->out, ",\"text\":");
    ds_buf_json_string(call->out, text);
    ds_buf_puts(call->out, undated ? ",\"undated\":true}\n" : "}\n");
    if (call->report) ds_buf_add(call->report, text, len);
    free(text);
    return SRV_CALL_DONE;
}

/* A check answers the result with what `dealscore check` also looks at: the
 * policy's own actions as it returned them, and the Lua state's size:
 * {"id":ID,"result":LINE,"check":{"proposals":[...],"lua_memory":N[,"undated":true]}}
 * (ID: the request's, or the deal's for a bare deal). */
static int write_check(srv_call *call, dealscore_engine *e, const dealscore_result *r,
                       bool undated) {
    size_t len;
    const char *line = dealscore_result_json(e, r, &len);
    if (!line) {
        srv_ops_fail(call, call->rq->id, "out_of_memory", "$", "no memory to write the result");
        return SRV_CALL_DONE;
    }
    ds_buf *b = call->out;
    write_answer_id(call, r);
    ds_buf_puts(b, ",\"result\":");
    ds_buf_add(b, line, len);
    ds_buf_puts(b, ",\"check\":{\"proposals\":[");
    for (int i = 0; i < r->n_proposals; i++) {
        const dealscore_proposal *p = &r->proposals[i];
        ds_buf_puts(b, i ? ",{\"action\":" : "{\"action\":");
        ds_buf_json_string(b, p->action);
        ds_buf_puts(b, ",\"target\":");
        if (p->target)
            ds_buf_json_string(b, p->target);
        else
            ds_buf_puts(b, "null");
        ds_buf_puts(b, ",\"patch\":"); /* its text, as dealscore check prints it */
        ds_buf_json_string(b, p->patch ? p->patch : "{}");
        ds_buf_putc(b, '}');
    }
    ds_buf_printf(b, "],\"lua_memory\":%zu%s}}\n", dealscore_engine_lua_memory(e),
                  undated ? ",\"undated\":true" : "");
    return SRV_CALL_DONE;
}

static int op_score(srv_call *call) {
    srv_worker *w = call->worker;
    const srv_request *rq = call->rq;
    if (rq->text.p) return score_text(call);
    srv_policy *policy = srv_policies_find(w->policies, rq->policy.p, rq->policy.len);
    if (!policy) {
        char message[160];
        snprintf(message, sizeof message, "no policy named \"%.*s\" (the op policies lists them)",
                 srv_utf8_cut(rq->policy, 64), rq->policy.p);
        srv_ops_fail(call, rq->id, "unknown_policy", "$.policy", message);
        return SRV_CALL_DONE;
    }
    unsigned flags = op_flags(w->policies, policy, rq);
    const char *why = unsupported(w, flags);
    if (why) {
        srv_ops_fail(call, rq->id, "unsupported", "$.op", why);
        return SRV_CALL_DONE;
    }
    if (srv_policies_use(w->policies, policy, flags) < 0) {
        srv_ops_fail(call, rq->id, "unsupported", "$.op", "the engine refused the op");
        return SRV_CALL_DONE;
    }
    dealscore_engine *e = w->policies->engine;
    long undated = dealscore_engine_undated(e);
    srv_worker_deal_begin(w, call->conn, rq->id.p, rq->id.len);
    stall_for_tests(w, rq);
    const dealscore_result *r = dealscore_score(e, rq->deal.p, rq->deal.len, call->where);
    if (!srv_worker_deal_end(w)) return SRV_CALL_DONE; /* the watchdog answered it */
    srv_stats_named(&w->stats.policies, policy->name, strlen(policy->name));
    if (!r->error.code) srv_stats_named(&w->stats.scored, policy->name, strlen(policy->name));
    bool is_undated = dealscore_engine_undated(e) != undated;
    if (!r->error.code && rq->format != SRV_FORMAT_JSON)
        return write_report(call, e, r, is_undated);
    if (!r->error.code && rq->op == SRV_OP_CHECK) return write_check(call, e, r, is_undated);
    size_t len;
    const char *line = dealscore_result_json(e, r, &len);
    if (!line) {
        srv_ops_fail(call, rq->id, "out_of_memory", "$", "no memory to write the result");
        return SRV_CALL_DONE;
    }
    if (rq->envelope) {
        srv_write_scored(call->out, rq->id, line, len, r->error.code ? &r->error : NULL);
    } else {
        ds_buf_add(call->out, line, len);
        ds_buf_putc(call->out, '\n');
    }
    if (r->error.code) set_error(call, r->error.code, strlen(r->error.code)); /* typed */
    return SRV_CALL_DONE;
}

/* ---- diff: two exports compared (lib: dealscore_diff) ---- */

static const char *skip_space(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    return p;
}

/* One note, whole, as `dealscore diff` says it on standard error. */
static int diff_note(ds_buf *notes, const char *fmt, const char *where, const char *id,
                     const char *error) {
    ds_buf note;
    ds_buf_init(&note);
    ds_buf_printf(&note, fmt, where, id, error);
    ds_buf_putc(&note, '\0');
    ds_buf_putc(notes, notes->len ? ',' : '[');
    ds_buf_json_string(notes, note.failed ? "out of memory" : note.data);
    ds_buf_free(&note);
    return notes->failed ? -1 : 0;
}

/* The next string of a where list (old_where, new_where), decoded and cut to
 * fit where (between two characters), moving *at past it; false when the list
 * has no more. The request parser checked each is a string of UTF-8 text. */
static bool next_where(const char **at, const char *end, char *where, size_t size) {
    const char *p = *at;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == ',')) p++;
    const char *q = p < end && *p == '"' ? srv_json_skip(p, end, 1) : NULL;
    if (!q) return false;
    *at = q;
    cJSON *item = NULL;
    const char *text = decode_string((srv_span){p, (size_t)(q - p)}, &item);
    if (text) {
        srv_span t = {text, strlen(text)};
        snprintf(where, size, "%.*s", srv_utf8_cut(t, size - 1), text);
    }
    cJSON_Delete(item);
    return text != NULL;
}

/* Hands each element of one side's array (a deal or a result line) to the
 * diff; what `dealscore diff` says on standard error goes into notes, each
 * naming its deal by the side's where list (a client's "old.jsonl:3") or as
 * "line N old[i]". Returns -1 when out of memory. */
static int diff_side(srv_call *call, dealscore_diff *d, int side, srv_span array, srv_span wheres,
                     ds_buf *notes) {
    const char *name = side == DEALSCORE_DIFF_OLD ? "old" : "new";
    const char *p = array.p + 1, *end = array.p + array.len - 1; /* inside [ ] */
    const char *w = wheres.p ? wheres.p + 1 : NULL;
    const char *w_end =
        wheres.p ? wheres.p + wheres.len - 1 : NULL; /* no list: no pointer math on NULL */
    for (int i = 0;; i++) {
        p = skip_space(p, end);
        if (p >= end) return 0;
        const char *q = srv_json_skip(p, end, 1); /* the envelope scan validated it */
        if (!q) return 0;
        char where[320];
        if (!w || !next_where(&w, w_end, where, sizeof where)) {
            w = NULL; /* the list ran out: the rest are named by their place */
            snprintf(where, sizeof where, "%s %s[%d]", call->where, name, i);
        }
        const dealscore_diff_deal *deal;
        /* a string is a deal's bytes as the client read them (dealscore diff
         * --server), scored as they are: bytes that are not JSON are its error */
        cJSON *item = NULL;
        const char *text = *p == '"' ? decode_string((srv_span){p, (size_t)(q - p)}, &item) : NULL;
        int rc = text ? dealscore_diff_add(d, side, text, strlen(text), where, &deal)
                      : dealscore_diff_add(d, side, p, (size_t)(q - p), where, &deal);
        cJSON_Delete(item);
        if (rc < 0) return -1;
        if (deal->error && diff_note(notes, "%s: deal %s cannot be scored (%s)", where,
                                     deal->id ? deal->id : "without an id", deal->error) < 0)
            return -1;
        if (rc == DEALSCORE_DIFF_REPEATED && /* both, as `dealscore diff` says */
            diff_note(notes, "%s: deal id %s repeats an earlier one: the first is kept", where,
                      deal->id, "") < 0)
            return -1;
        p = skip_space(q, end);
        if (p < end && *p == ',') p++;
    }
}

/* {"id","changes":[...],"counts":{...},"notes":[...]}, or with format text
 * {"id","text","notes"}: what `dealscore diff` prints (jsonl or text) and says. */
static void write_diff(srv_call *call, dealscore_diff *d, ds_buf *notes, long undated, ds_buf *b) {
    /* text and jsonl: what `dealscore diff` prints, whole, in a string */
    bool jsonl = call->rq->format == SRV_FORMAT_JSONL;
    bool text = call->rq->format == SRV_FORMAT_TEXT || jsonl;
    srv_write_id(b, call->rq->id);
    ds_buf_puts(b, text ? ",\"text\":\"" : ",\"changes\":[");
    ds_buf raw;
    ds_buf_init(&raw);
    const dealscore_diff_change *c;
    for (int n = 0; (c = dealscore_diff_next(d)); n++) {
        size_t len;
        const char *out =
            text && !jsonl ? dealscore_diff_text(d, c, &len) : dealscore_diff_json(d, c, &len);
        if (!out) break;
        if (text) {
            ds_buf_add(&raw, out, len);
            if (jsonl) ds_buf_putc(&raw, '\n');
        } else {
            if (n) ds_buf_putc(b, ',');
            ds_buf_add(b, out, len);
        }
    }
    if (text) {
        size_t len;
        const char *out = jsonl ? NULL : dealscore_diff_summary(d, &len);
        if (out) ds_buf_add(&raw, out, len);
        ds_buf_putc(&raw, '\0');
        b->len -= 1; /* the opening quote: the string is written whole */
        ds_buf_json_string(b, raw.failed ? "" : raw.data);
        if (call->report && !raw.failed) ds_buf_add(call->report, raw.data, raw.len - 1);
    } else {
        dealscore_diff_counts k = dealscore_diff_count(d);
        ds_buf_printf(b,
                      "],\"counts\":{\"changed\":%ld,\"unchanged\":%ld,\"added\":%ld,"
                      "\"removed\":%ld}",
                      k.changed, k.unchanged, k.added, k.removed);
    }
    ds_buf_free(&raw);
    ds_buf_puts(b, ",\"notes\":");
    if (notes->len) {
        ds_buf_add(b, notes->data, notes->len);
        ds_buf_putc(b, ']');
    } else {
        ds_buf_puts(b, "[]");
    }
    if (undated) ds_buf_printf(b, ",\"undated\":%ld", undated);
    ds_buf_puts(b, "}\n");
}

/* min_move from its raw JSON number, 0..2; -1 when it is not one. */
static double min_move_of(srv_span v) {
    char text[40];
    if (!v.p) return 0.1; /* dealscore diff's default */
    if (v.len >= sizeof text) return -1;
    memcpy(text, v.p, v.len);
    text[v.len] = '\0';
    char *end;
    double x = strtod(text, &end);
    return *end == '\0' && x >= 0 && x <= 2 ? x : -1;
}

static int op_diff(srv_call *call) {
    srv_worker *w = call->worker;
    const srv_request *rq = call->rq;
    srv_policy *policy = srv_policies_find(w->policies, rq->policy.p, rq->policy.len);
    double min_move = min_move_of(rq->min_move);
    if (!policy) {
        srv_ops_fail(call, rq->id, "unknown_policy", "$.policy",
                     "no policy of that name (the op policies lists them)");
        return SRV_CALL_DONE;
    }
    if (min_move < 0) {
        srv_ops_fail(call, rq->id, "bad_request", "$.min_move", "min_move is a number in 0..2");
        return SRV_CALL_DONE;
    }
    dealscore_diff *d = NULL;
    if (srv_policies_use(w->policies, policy, 0) < 0 ||
        !(d = dealscore_diff_new(w->policies->engine, min_move))) {
        srv_ops_fail(call, rq->id, "out_of_memory", "$", "no memory for a diff");
        return SRV_CALL_DONE;
    }
    ds_buf notes, answer; /* the connection's buffer is the watchdog's while a deal runs */
    ds_buf_init(&notes);
    ds_buf_init(&answer);
    /* the watchdog bounds the whole comparison: every deal of both sides */
    srv_worker_deal_begin(w, call->conn, rq->id.p, rq->id.len);
    long undated = dealscore_engine_undated(w->policies->engine);
    int rc = diff_side(call, d, DEALSCORE_DIFF_OLD, rq->old, rq->old_where, &notes) < 0 ||
                     diff_side(call, d, DEALSCORE_DIFF_NEW, rq->new_, rq->new_where, &notes) < 0
                 ? -1
                 : 0;
    undated = dealscore_engine_undated(w->policies->engine) - undated;
    if (rc == 0) write_diff(call, d, &notes, undated, &answer);
    bool alive = srv_worker_deal_end(w);
    dealscore_diff_free(d);
    ds_buf_free(&notes);
    if (alive && (rc < 0 || answer.failed))
        srv_ops_fail(call, rq->id, "out_of_memory", "$", "no memory to compare these sides");
    else if (alive)
        ds_buf_add(call->out, answer.data, answer.len);
    ds_buf_free(&answer);
    return SRV_CALL_DONE;
}

/* ---- the others ---- */

static int op_ping(srv_call *call) {
    srv_write_id(call->out, call->rq->id);
    ds_buf_printf(call->out, ",\"pong\":true,\"version\":\"%s\",\"generation\":%u}\n",
                  DEALSCORE_VERSION, call->worker->policies->generation);
    return SRV_CALL_DONE;
}

static int op_policies(srv_call *call) {
    srv_worker *w = call->worker;
    srv_write_id(call->out, call->rq->id);
    ds_buf_printf(call->out, ",\"generation\":%u,\"policies\":", w->policies->generation);
    srv_policies_write(call->out, w->policies);
    ds_buf_puts(call->out, "}\n");
    return SRV_CALL_DONE;
}

static int op_stats(srv_call *call) {
    srv_write_id(call->out, call->rq->id);
    ds_buf_puts(call->out, ",\"stats\":");
    srv_worker_write_stats(call->worker, call->out);
    ds_buf_puts(call->out, "}\n");
    return SRV_CALL_DONE;
}

static int op_reload(srv_call *call) {
    if (!(call->waiting = srv_worker_reload(call->worker, call->conn, call->rq->id))) {
        srv_ops_fail(call, call->rq->id, "out_of_memory", "$", "no memory to start a reload");
        return SRV_CALL_DONE;
    }
    return SRV_CALL_WAITING;
}

void srv_ops_reload_answer(srv_worker *w, ds_buf *out, const srv_reload_req *req) {
    srv_span id = {req->id, req->id_len};
    if (req->error[0]) {
        const char *code = req->generation ? "reload_failed" : "shutting_down";
        srv_write_error(out, id, code, "$", "%s", req->error);
        count_error(w, code, strlen(code));
        srv_stats_add(&w->stats.op_errors[SRV_OP_RELOAD], 1);
        return;
    }
    srv_stats_add(&w->stats.op_ok[SRV_OP_RELOAD], 1);
    srv_write_id(out, id);
    ds_buf_printf(out, ",\"reloaded\":{\"generation\":%u,\"policies\":", w->policies->generation);
    srv_policies_write(out, w->policies);
    ds_buf_puts(out, "}}\n");
}
