/* srv_int.h: the service's internals, shared by the files of bindings/server (and
 * by the unit tests and fuzzers of its pure parts). Front ends include srv.h.
 *
 * Who talks to whom: the acceptor (srv_server.c) hands sockets, policy sets and
 * reload answers to workers (srv_worker.c); a connection (srv_conn.c) is transport
 * only: it frames requests, hands each to the operations table (srv_ops.c) with
 * its worker, and writes what comes back. A connection never reaches past its
 * worker to the server. */
#ifndef SRV_INT_H
#define SRV_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include <uv.h>

#include "dealscore.h" /* the engine: every deal is scored through its public API */
#include "ds_core.h"   /* ds_buf, ds_error: what the service writes with */
#include "srv.h"

/* ---- policy sets (srv_policies.c) ---- */

/* The policies one worker scores with: one engine (lib/dealscore.h) holding them
 * all. Each worker owns its own set (engines are never shared between threads);
 * a reload builds a whole new set and swaps it in. */
typedef struct srv_policy {
    char name[64];
    char file[512];
} srv_policy;

typedef struct srv_policyset {
    dealscore_engine *engine; /* every policy, in the worker's one Lua state */
    int n;
    int default_index;
    int current; /* the policy the engine scores with now (-1: none chosen yet) */
    unsigned generation;
    char actions_error[320];   /* why the actions op cannot answer, or empty */
    char questions_error[320]; /* why the questions op cannot answer, or empty */
    srv_policy items[];
} srv_policyset;

/* Opens every policy of the specs. All or nothing: on failure returns NULL and err
 * names the policy and the file:line of its error. */
srv_policyset *srv_policies_open(const srv_policy_spec *specs, int n, const dealscore_model *model,
                                 unsigned generation, char *err, size_t errlen);
void srv_policies_close(srv_policyset *set);
/* The policy called name (NULL or "" for the default), or NULL. */
srv_policy *srv_policies_find(srv_policyset *set, const char *name, size_t len);
/* Makes the engine score the next deal with policy p (whatever the deal names)
 * and fill the parts `flags` asks for (DEALSCORE_*); only what changed since
 * the last call costs anything. -1 when the engine refuses (a flag whose model
 * section is broken: the *_error texts say so beforehand). */
int srv_policies_use(srv_policyset *set, const srv_policy *p, unsigned flags);
/* [{"name","label","file","default"}...] */
void srv_policies_write(ds_buf *b, const srv_policyset *set);

/* ---- statistics (srv_stats.c) ---- */

#define SRV_HIST_BUCKETS 320
#define SRV_NAMED_MAX 48
#define SRV_PROM_BUCKETS 16 /* the le= bounds of /metrics' histograms (srv_stats.c) */

/* Counters by name (error codes, policies), appended by one writer thread and
 * read by any: a name is complete before n counts it. */
typedef struct srv_named_counters {
    atomic_int n;
    struct {
        char name[40];
        atomic_uint_fast64_t count;
    } items[SRV_NAMED_MAX];
} srv_named_counters;

/* The operations, in the order of srv_ops[] (srv_ops.c) and of the counters. */
enum {
    SRV_OP_SCORE,
    SRV_OP_EXPLAIN,
    SRV_OP_ACTIONS,
    SRV_OP_PING,
    SRV_OP_STATS,
    SRV_OP_RELOAD,
    SRV_OP_POLICIES,
    SRV_OP_QUESTIONS,
    SRV_OP_CHECK,
    SRV_OP_DIFF,
    SRV_NOPS
};

/* One worker's counters. Written only by that worker (so plain load+store, no
 * locked instructions), read by whichever worker answers `stats`. */
typedef struct srv_stats {
    atomic_uint_fast64_t requests, errors, bytes_in, bytes_out;
    atomic_uint_fast64_t idle_closed, backpressure_pauses;
    atomic_uint_fast64_t ops[SRV_NOPS];
    atomic_uint_fast64_t latency_max_ns;
    atomic_uint_fast64_t latency[SRV_HIST_BUCKETS];
    srv_named_counters error_codes, policies; /* policies: deals given to each */
    srv_named_counters scored;                /* deals each scored without an error */
    /* for /metrics: answers by op (SRV_NOPS: rejected before an op was known)
     * and outcome, their latency on Prometheus' buckets, HTTP answers by class */
    atomic_uint_fast64_t op_errors[SRV_NOPS + 1], op_ok[SRV_NOPS + 1];
    atomic_uint_fast64_t op_buckets[SRV_NOPS + 1][SRV_PROM_BUCKETS];
    atomic_uint_fast64_t op_latency_ns[SRV_NOPS + 1];
    atomic_uint_fast64_t http_status[6]; /* [2]: 2xx ... [5]: 5xx */
    atomic_uint_fast64_t health[2];      /* GET /healthz, GET /readyz answered */
    atomic_int backlog;                  /* its connections holding requests not yet answered */
} srv_stats;

void srv_stats_add(atomic_uint_fast64_t *c, uint64_t n);
void srv_stats_latency(srv_stats *s, uint64_t ns);
void srv_stats_named(srv_named_counters *t, const char *name, size_t len);
/* The bucket of a latency and the middle of a bucket, in ns (exposed for tests). */
int srv_stats_bucket(uint64_t ns);
uint64_t srv_stats_bucket_mid(int bucket);

/* Server-wide figures kept by the acceptor and the reload coordinator. */
typedef struct srv_global {
    atomic_uint_fast64_t open, accepted, refused, reloads, reloads_failed;
    atomic_uint_fast64_t deadline_exceeded; /* deals given up by the watchdog */
    /* answered by the acceptor's thread, not a worker: health checks queued on a
     * busy worker ([0] /healthz, [1] /readyz) and every HTTP answer it wrote */
    atomic_uint_fast64_t health[2], http_status[6];
    atomic_uint generation;
    atomic_bool stopping; /* read by /readyz on any worker */
    uint64_t started_ns;
    int workers;
} srv_global;

/* Writes the `stats` object, summing every worker. */
void srv_stats_write(ds_buf *b, const srv_global *g, srv_stats *const *workers, int n);
/* Writes every counter in the Prometheus text format (GET /metrics). */
void srv_stats_write_metrics(ds_buf *b, const srv_global *g, srv_stats *const *workers, int n);

/* ---- requests and responses (srv_proto.c) ---- */

typedef struct srv_worker srv_worker;
typedef struct srv_conn srv_conn;

/* A reload asked for by a connection (or by SIGHUP: worker NULL). The worker that
 * asked keeps the connection waiting; the answer comes back to that worker. */
typedef struct srv_reload_req {
    srv_worker *worker;
    srv_conn *conn; /* NULL once the connection closed */
    char *id;       /* the request's raw id JSON, or NULL */
    size_t id_len;
    char error[1024]; /* empty: reloaded */
    unsigned generation;
    struct srv_reload_req *next;
} srv_reload_req;

typedef struct srv_span {
    const char *p;
    size_t len; /* 0: absent */
} srv_span;

typedef struct srv_request {
    bool envelope;          /* false: the line is a bare deal, scored with the default */
    int op;                 /* SRV_OP_* */
    srv_span id;            /* raw JSON of "id", echoed verbatim */
    srv_span deal;          /* raw JSON of the deal (the whole line for a bare deal) */
    srv_span policy, token; /* string contents, escapes not allowed */
    srv_span text;          /* raw JSON string holding the deal's bytes: answered as a bare deal */
    srv_span where;         /* raw JSON string naming the deal in messages ("deals.jsonl:3") */
    int format;             /* SRV_FORMAT_*: op explain's answer, data or a report's text */
    srv_span old, new_;     /* op diff: raw JSON arrays of the two sides */
    srv_span min_move;      /* op diff: raw JSON number, or absent */
    srv_span old_where, new_where; /* op diff: raw JSON arrays of strings naming each deal */
} srv_request;

/* How op explain answers: the result with its factors (json), or the report
 * `dealscore explain` prints (lib: dealscore_explain), plain, with colours and
 * bars for a terminal (ansi), or Markdown. */
enum { SRV_FORMAT_JSON, SRV_FORMAT_TEXT, SRV_FORMAT_ANSI, SRV_FORMAT_MARKDOWN, SRV_FORMAT_JSONL };
/* The SRV_FORMAT_* called name, or -1. */
int srv_format_find(const char *name, size_t len);

/* Classifies and checks one request line. Returns 0, or -1 with err set (the id
 * is still filled in when it was readable, so the error can echo it). */
int srv_request_parse(const char *line, size_t len, srv_request *rq, ds_error *err);

/* Skips one JSON value (validating it) starting at p; returns the byte after it
 * or NULL. Exposed for tests. */
const char *srv_json_skip(const char *p, const char *end, int depth);
/* Finds a member of the JSON object text[0..len); returns 0 with its value span. */
int srv_json_member(const char *text, size_t len, const char *key, srv_span *value);

/* The length of s cut to at most max bytes without splitting a UTF-8 character,
 * for quoting a client's text in a message. */
int srv_utf8_cut(srv_span s, size_t max);

/* Starts a response object: {"id":ID (null for an empty span) */
void srv_write_id(ds_buf *b, srv_span id);
/* {"id":ID,"error":{...}}\n */
void srv_write_error(ds_buf *b, srv_span id, const char *code, const char *path, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));
/* Wraps a result line for an envelope: {"id":ID,"result":LINE}\n, or, for a deal
 * the engine's typed error err stands for, {"id":ID,"error":{code, message,
 * "path":"$.deal..."}}\n. */
void srv_write_scored(ds_buf *b, srv_span id, const char *line, size_t len,
                      const dealscore_error *err);

/* ---- operations (srv_ops.c) ---- */

/* One request being answered by a worker, whatever transport brought it. */
typedef struct srv_call {
    srv_worker *worker;
    srv_conn *conn; /* who asked: the watchdog and reload answers find it */
    const srv_request *rq;
    ds_buf *out;             /* the response is appended here */
    ds_buf *report;          /* HTTP: a report's text, raw, besides its JSON answer; or NULL */
    const char *where;       /* how messages name the request: "line 3" */
    srv_reload_req *waiting; /* set by a handler that answers later (reload) */
    const char *token_hint;  /* where the transport takes the token from; NULL: "token" */
    char error[40];          /* the error code answered, empty when none */
    bool ran;                /* the op's handler was called (else rejected before) */
} srv_call;

enum { SRV_CALL_DONE, SRV_CALL_WAITING /* answered later: srv_ops_reload_answer */ };

typedef struct srv_op {
    const char *name;
    int (*handler)(srv_call *call); /* SRV_CALL_* */
    bool needs_token;               /* even without --token-all */
    bool needs_deal;
} srv_op;

extern const srv_op srv_ops[SRV_NOPS];

/* The op called name, or -1. */
int srv_ops_find(const char *name, size_t len);
/* Counts the op, checks the token and runs the handler. Returns SRV_CALL_*. */
int srv_ops_run(srv_call *call);
/* Counts an answered call: its op and outcome, and its latency. */
void srv_ops_count(const srv_call *call, uint64_t ns);
/* The upper bound of /metrics' latency bucket, in ns. */
uint64_t srv_ops_bound_ns(int bucket);
/* Answers an error {"id":..,"error":{..}} ("WHERE: message") and counts it. */
void srv_ops_fail(srv_call *call, srv_span id, const char *code, const char *path,
                  const char *message);
/* Answers a reload the call waited for, with the worker's policies now loaded. */
void srv_ops_reload_answer(srv_worker *w, ds_buf *out, const srv_reload_req *req);

/* ---- line framing (srv_proto.c): pure, so it is tested and fuzzed without sockets ---- */

/* Where a connection is in its input: requests are lines ending in '\n'; a line
 * longer than the limit is answered once and skipped up to its newline, without
 * ever holding more than the limit. */
typedef struct srv_framer {
    size_t scanned;  /* bytes from the line's start known to hold no newline */
    bool discarding; /* inside a line over the limit, skipping to its newline */
} srv_framer;

enum {
    SRV_FRAME_MORE,     /* no complete line yet: read more */
    SRV_FRAME_LINE,     /* a line of *len bytes at base (without its newline) */
    SRV_FRAME_TOO_LONG, /* a line over the limit starts here: answer line_too_long */
    SRV_FRAME_SKIP      /* bytes of a line over the limit, already answered */
};

/* Looks at the bytes not yet consumed, base[0..avail) with avail > 0; eof: no
 * more bytes will come. Returns an SRV_FRAME_* and sets *used to the bytes to
 * consume (0 for SRV_FRAME_MORE, when base must stay where it is). */
int srv_frame_next(srv_framer *f, const char *base, size_t avail, size_t max, bool eof,
                   size_t *used, size_t *len);

/* Where an HTTP body is in its values (srv_proto.c): the deals of a body are
 * split by their JSON structure, not by lines. Returns SRV_FRAME_* as the line
 * framer does, with the value at base[0..*len). */
typedef struct srv_splitter {
    size_t scanned; /* bytes of the current value already scanned */
    int depth;
    int array; /* 0: nothing seen yet; 1: the body is an array; -1: it is not */
    bool in_value, in_string, escape, scalar, discarding;
    uint64_t line, start_line; /* newlines seen; before the current value (0-based) */
} srv_splitter;

int srv_split_next(srv_splitter *s, const char *base, size_t avail, size_t max, bool eof,
                   size_t *used, size_t *len);

/* ---- internals: the acceptor, workers and connections ---- */

typedef struct srv_server srv_server;
typedef struct srv_tls srv_tls;         /* srv_tls.c */
typedef struct srv_handoff srv_handoff; /* srv_probe.c */
typedef struct srv_probe srv_probe;

struct srv_conn {
    uv_tcp_t tcp;
    srv_worker *worker;
    srv_conn *prev, *next;
    char *in;                        /* bytes read, not yet consumed */
    size_t in_start, in_len, in_cap; /* consumed prefix, filled, allocated */
    srv_framer frame;                /* where in_start is in the request lines */
    uint64_t line_no;                /* lines seen, for messages */
    ds_buf out;                      /* responses not yet handed to the socket */
    size_t queued;                   /* bytes in unfinished writes */
    uint64_t last_active;            /* uv_now() of the last read or write, ms */
    bool reading, eof, closing, paused;
    srv_reload_req *waiting; /* a reload this connection waits for */
    char peer[64];
    int proto;                /* SRV_PROTO_*, told by the first bytes */
    struct srv_http *http;    /* srv_http.c's state, for an HTTP connection */
    bool close_after;         /* no more requests: answer, shut down, then close */
    bool shutting, lingering; /* sending side shut (lingering: it is done) */
    bool in_backlog;          /* counted in its worker's stats.backlog */
    srv_tls *tls;             /* with --tls-cert: every byte goes through it */
    ds_buf sealed;            /* ciphertext of c->out, for the socket */
    char *raw;                /* a read of ciphertext, before it is decrypted */
    uv_shutdown_t shut;
};

struct srv_worker {
    srv_server *server;
    int index;
    uv_thread_t thread;
    uv_loop_t loop;
    uv_async_t wake;
    uv_timer_t tick; /* idle sweep, and drain checks while stopping */
    /* handed over by other threads, under lock */
    uv_mutex_t lock;
    int *fds;
    int n_fds, cap_fds;
    srv_handoff *handoffs; /* connections the acceptor looked into first (srv_probe.c) */
    int n_handoffs;
    srv_policyset *incoming;
    srv_reload_req *replies;
    bool stop, closed; /* closed: the loop is ending, nothing more is accepted */
    /* the worker thread's own */
    srv_policyset *policies; /* and the engine that scores with them */
    srv_conn *conns;
    atomic_int n_conns; /* read by the acceptor to balance */
    /* the watchdog (srv_server.c): the deal running now, read from the acceptor */
    _Atomic uint64_t busy_since; /* uv_hrtime() when it started, 0 when idle */
    srv_conn *busy_conn;         /* its connection, and its request id as sent */
    char busy_id[128];
    size_t busy_id_len;
    /* stuck past the deadline, replaced: set by the acceptor under lock (so the
     * worker's deal_end sees it in order), read by any worker's /readyz without
     * it, hence atomic */
    atomic_bool abandoned;
    bool in_reload, reload_acked; /* under the server's lock */
    bool stopping;
    uint64_t drain_deadline;
    srv_stats stats;
};

struct srv_server {
    const srv_config *cfg; /* points at config */
    srv_config config;     /* the caller's, max_connections clamped to the file limit */
    uv_loop_t loop;
    int listen_fd;
    uv_poll_t listener;
    uv_timer_t accept_pause;
    uv_signal_t sigterm, sigint, sighup;
    uv_async_t wake;
    uv_mutex_t lock;
    srv_reload_req *reload_queue; /* under lock */
    int acks, workers_done;       /* under lock */
    srv_reload_req *reloading;    /* main thread: the reload being swapped in */
    srv_reload_req *pending;      /* main thread: reloads waiting for that one */
    srv_worker *workers;          /* room for n_workers + spare replacements, never moved */
    int n_workers;                /* asked for */
    _Atomic int n_slots;          /* started, replacements included; workers read it for stats */
    int n_abandoned;              /* stuck past --deal-timeout and replaced */
    uv_timer_t watchdog;
    srv_global global;
    void
        *tls; /* the SSL_CTX of --tls-cert and --tls-key, or NULL; under lock (a reload swaps it) */
    struct srv_refusal *refusing; /* connections over the limit, waiting for first bytes */
    int n_refusing;
    srv_probe *probes; /* TLS connections of busy workers, looked into (srv_probe.c) */
    int n_probes;
    bool stopping;
    int signals;
};

/* srv_worker.c */
/* What a connection asks of its worker beyond its own requests: a reload (the
 * answer comes back through srv_conn_answer_reload; -1 when out of memory), the
 * statistics of every worker, and the end of a stuck worker's connections. */
srv_reload_req *srv_worker_reload(srv_worker *w, srv_conn *c, srv_span id);
void srv_worker_write_stats(srv_worker *w, ds_buf *out);
void srv_worker_write_metrics(srv_worker *w, ds_buf *out);
/* {"ready":..,...}: policies loaded, not stopping, no worker stuck. */
bool srv_worker_write_ready(srv_worker *w, ds_buf *out);
/* A new connection's TLS state, from the server's current certificate. */
srv_tls *srv_worker_tls_new(srv_worker *w);
void srv_worker_abandon_conns(srv_worker *w, const char *reason);
int srv_worker_take_fds(srv_worker *w, int *fds, int max); /* under w->lock */
/* The handoffs queued on w, taken (a list; *n: how many); under w->lock. */
srv_handoff *srv_worker_take_handoffs(srv_worker *w, int *n);
void srv_worker_give_handoff(srv_worker *w, srv_handoff *h);
int srv_worker_start(srv_worker *w, srv_server *s, int index, srv_policyset *set);
void srv_worker_give_fd(srv_worker *w, int fd);
void srv_worker_give_policies(srv_worker *w, srv_policyset *set);
void srv_worker_give_reply(srv_worker *w, srv_reload_req *req);
void srv_worker_stop(srv_worker *w);
void srv_worker_free(srv_worker *w); /* after its thread ended */
/* srv_server.c: called from workers */
void srv_server_reload(srv_server *s, srv_reload_req *req);
void srv_server_ack(srv_server *s, srv_worker *w);
void srv_server_worker_done(srv_server *s);
void srv_server_write_stats(srv_server *s, ds_buf *out);
void srv_server_write_metrics(srv_server *s, ds_buf *out);
bool srv_server_write_ready(srv_server *s, ds_buf *out);
srv_tls *srv_server_tls_new(srv_server *s);
/* A connection the acceptor held, to the least loaded live worker (closed when
 * none is left or the server stops); the handoff is taken either way. */
void srv_server_hand_over(srv_server *s, srv_handoff *h);
void srv_server_hand_over_fd(srv_server *s, int fd);
/* Around one deal: the watchdog may take the worker's connections over while it
 * runs. srv_worker_deal_end returns false when it did: the thread must stop. */
void srv_worker_deal_begin(srv_worker *w, srv_conn *c, const char *id, size_t id_len);
bool srv_worker_deal_end(srv_worker *w);
/* srv_conn.c */
enum { SRV_PROTO_UNKNOWN, SRV_PROTO_LINES, SRV_PROTO_HTTP };
void srv_conn_open(srv_worker *w, int fd);
/* Opens a connection the acceptor looked into first, and goes on from what it
 * read and owes; frees h. */
void srv_conn_adopt(srv_worker *w, srv_handoff *h);
/* For the transports: true when the answers waiting for the socket are over the
 * high watermark (the connection stops answering and reading until they drain),
 * and the end of a connection once what is pending is answered. */
bool srv_conn_must_pause(srv_conn *c);
void srv_conn_close_after(srv_conn *c);
/* Hands what is answered to the socket, and ends the connection if it is done. */
void srv_conn_send(srv_conn *c);
void srv_conn_close(srv_conn *c);
/* Closes a given-up worker's connection once its deal returned (srv_worker.c). */
void srv_conn_release(srv_conn *c);
void srv_conn_answer_reload(srv_conn *c, srv_reload_req *req);
/* The watchdog gave up on the worker: writes what is pending (and, on the busy
 * connection, the deadline_exceeded line `last`; on another that holds requests
 * not answered yet, the worker_replaced line `notice`) with plain writes and
 * shuts the socket down, from the acceptor's thread while the worker is stuck. */
void srv_conn_abandon(srv_conn *c, const ds_buf *last, const ds_buf *notice);
/* Called every tick: idle timeout, and while stopping, closes when drained. */
void srv_conn_tick(srv_conn *c, uint64_t now);

/* srv_probe.c: TLS health checks on a busy worker, answered by the acceptor.
 * A connection it takes over and then hands to a worker carries what it read
 * and owes (srv_conn_adopt goes on from there). */
struct srv_handoff {
    int fd;
    srv_tls *tls;
    ds_buf plain;  /* decrypted, not yet answered */
    ds_buf sealed; /* ciphertext for the client, not yet sent */
    struct srv_handoff *next;
};
void srv_handoff_drop(srv_handoff *h); /* closes its socket, frees it; NULL is a no-op */
/* Takes over the TLS connections queued on busy worker w (its lock not held). */
void srv_probe_take(srv_server *s, srv_worker *w);
/* Every watchdog tick: hands over the probes whose worker is free again. */
void srv_probe_tick(srv_server *s);
void srv_probe_end_all(srv_server *s); /* at shutdown: closed */

/* srv_tls.c: TLS over memory BIOs (OpenSSL) */
/* The server's context from PEM files; NULL with err set (file and why). */
void *srv_tls_context(const char *cert, const char *key, char *err, size_t errlen);
void srv_tls_context_free(void *ctx);
srv_tls *srv_tls_new(void *ctx); /* one connection's; NULL when out of memory */
void srv_tls_free(srv_tls *t);   /* NULL is a no-op */
/* Ciphertext from the client in; plaintext out (0: none yet; -1: end it). */
int srv_tls_feed(srv_tls *t, const char *data, size_t len);
long srv_tls_read(srv_tls *t, char *buf, size_t cap);
/* Plaintext for the client in (after the handshake); ciphertext to send out. */
int srv_tls_write(srv_tls *t, const char *data, size_t len);
void srv_tls_close_notify(srv_tls *t);
size_t srv_tls_pending(srv_tls *t);
void srv_tls_take(srv_tls *t, ds_buf *out);
bool srv_tls_ready(const srv_tls *t);

/* srv_http.c: HTTP/1.1 on the same port */
/* 1: the bytes start an HTTP request; 0: they do not; -1: too few to tell. */
int srv_http_detect(const char *p, size_t n, bool eof);
int srv_http_open(srv_conn *c); /* -1: out of memory (the connection speaks lines) */
void srv_http_free(srv_conn *c);
/* Parses and answers what the connection's input holds, as process_lines does. */
void srv_http_process(srv_conn *c);
void srv_http_answer_reload(srv_conn *c, const srv_reload_req *req);
/* The header timeout: true when it closed the connection's request. */
bool srv_http_tick(srv_conn *c, uint64_t now);
/* A whole GET /healthz or /readyz request at the start of p[0..n): a kind >= 0
 * with *head set to its length; -1 for anything else; -2 while p may still
 * become one (a request begun, not whole yet). */
int srv_http_health_request(const char *p, size_t n, size_t *head);
/* The whole answer to that request, from the acceptor, closing the connection. */
void srv_http_health_answer(srv_server *s, int kind, ds_buf *out);
/* What the watchdog writes for the stuck request: an HTTP answer around line. */
void srv_http_abandon(srv_conn *c, const ds_buf *line, ds_buf *bytes, int status);
bool srv_http_in_message(const srv_conn *c); /* a request begun, not yet answered */

#endif
