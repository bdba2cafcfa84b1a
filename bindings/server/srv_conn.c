/* srv_conn.c: one client connection: request lines in, responses out, in order.
 *
 * Bytes are read straight into the connection's input buffer; every complete line
 * is answered at once (scoring is synchronous on the worker), so responses leave
 * in request order and a pipelined batch is answered with one write. Everything
 * is bounded:
 *   - a line longer than --max-line gets a line_too_long error and is discarded
 *     up to its newline, so the input buffer never holds more than one limit;
 *   - when the responses waiting for the socket pass HIGH_WATER, the connection
 *     stops reading and answering until they drain below LOW_WATER: a client that
 *     never reads costs at most about HIGH_WATER of memory;
 *   - a connection without traffic for --idle-timeout is closed.
 * The only request that waits is `reload`: the connection holds its later
 * requests (and stops reading) until every worker has swapped policies. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "srv_int.h"

#define READ_CHUNK (64 * 1024)
#define HIGH_WATER (1024 * 1024)
#define LOW_WATER (256 * 1024)
#define BUFFER_KEEP (4 * READ_CHUNK) /* larger idle buffers are given back */
#define LINGER_MS 2000               /* after the last answer, for the client to close */

typedef struct write_req {
    uv_write_t req;
    srv_conn *conn;
    size_t len;
    char data[];
} write_req;

static void process(srv_conn *c);
static void update_reading(srv_conn *c);
static void flush(srv_conn *c);
static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static const srv_config *config(const srv_conn *c) {
    return c->worker->server->cfg;
}

static size_t pending_out(const srv_conn *c) {
    return c->queued + c->out.len + c->sealed.len;
}

/* ---- closing ---- */

/* For /metrics' queue depth: connections holding requests they cannot answer. */
static void count_backlog(srv_conn *c, bool held) {
    if (held == c->in_backlog) return;
    c->in_backlog = held;
    atomic_fetch_add(&c->worker->stats.backlog, held ? 1 : -1);
}

static void on_closed(uv_handle_t *h) {
    srv_conn *c = h->data;
    srv_worker *w = c->worker;
    count_backlog(c, false);
    atomic_fetch_sub(&w->n_conns, 1);
    if (!w->abandoned) /* else the watchdog counted it closed when it gave w up */
        atomic_fetch_sub(&w->server->global.open, 1);
    srv_http_free(c);
    srv_tls_free(c->tls);
    free(c->in);
    free(c->raw);
    ds_buf_free(&c->out);
    ds_buf_free(&c->sealed);
    free(c);
}

void srv_conn_close(srv_conn *c) {
    if (c->closing) return;
    c->closing = true;
    if (c->waiting) c->waiting->conn = NULL; /* the reload answer finds nobody */
    srv_worker *w = c->worker;
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    srv_log(SRV_LOG_DEBUG, "worker %d: %s closed after %llu lines", w->index, c->peer,
            (unsigned long long)c->line_no);
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

void srv_conn_release(srv_conn *c) {
    c->waiting = NULL; /* its reload answer, if any, was dropped with the worker's inbox */
    srv_conn_close(c);
}

static void on_shut(uv_shutdown_t *req, int status) {
    (void)status;
    srv_conn *c = req->data;
    if (c->closing) return;
    c->lingering = true;
    if (c->eof) {
        srv_conn_close(c);
        return;
    }
    update_reading(c); /* reads and drops until the client closes */
}

/* Closes a connection that has said goodbye once everything is answered. One
 * that must end after its answers (an HTTP error, "Connection: close") first
 * shuts its sending side and drops what the client still sends until it
 * closes: closing with unread bytes would reset the connection, and the client
 * could lose the answer before reading it. */
static void finish_if_done(srv_conn *c) {
    if (c->closing || c->waiting || pending_out(c) > 0) return;
    if (c->close_after) {
        if (c->lingering && c->eof) srv_conn_close(c);
        if (c->shutting) return;
        c->shutting = true;
        if (c->tls) { /* TLS says goodbye before TCP does */
            srv_tls_close_notify(c->tls);
            flush(c);
            if (c->closing) return;
        }
        c->shut.data = c;
        if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, on_shut) < 0) srv_conn_close(c);
        return;
    }
    if (c->eof && c->in_start == c->in_len) srv_conn_close(c);
}

void srv_conn_close_after(srv_conn *c) {
    c->close_after = true;
}

void srv_conn_send(srv_conn *c) {
    flush(c);
    if (!c->closing) update_reading(c);
    finish_if_done(c);
}

/* ---- writing ---- */

static void on_written(uv_write_t *req, int status) {
    write_req *r = (write_req *)req;
    srv_conn *c = r->conn;
    c->queued -= r->len;
    free(r);
    if (c->closing) return;
    if (status < 0) {
        srv_log(SRV_LOG_DEBUG, "worker %d: %s: write failed: %s", c->worker->index, c->peer,
                uv_strerror(status));
        srv_conn_close(c);
        return;
    }
    c->last_active = uv_now(&c->worker->loop);
    if (c->paused && c->queued <= LOW_WATER) {
        c->paused = false;
        process(c);
    }
    finish_if_done(c);
}

/* Hands the responses gathered so far to the socket: written at once when the
 * socket takes them, else queued. */
/* With TLS, the answers are sealed first: what goes to the socket is the
 * ciphertext, handshake messages included. */
static ds_buf *to_send(srv_conn *c) {
    if (!c->tls) return &c->out;
    if (c->out.len > 0) {
        if (srv_tls_write(c->tls, c->out.data, c->out.len) < 0) {
            srv_conn_close(c);
            return NULL;
        }
        ds_buf_clear(&c->out);
    }
    srv_tls_take(c->tls, &c->sealed);
    return &c->sealed;
}

static void flush(srv_conn *c) {
    if (c->closing) return;
    ds_buf *src = to_send(c);
    if (!src || src->len == 0) return;
    srv_worker *w = c->worker;
    uv_buf_t buf = uv_buf_init(src->data, (unsigned)src->len);
    if (c->queued == 0) {
        int n = uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
        if (n < 0 && n != UV_EAGAIN) {
            srv_log(SRV_LOG_DEBUG, "worker %d: %s: write failed: %s", w->index, c->peer,
                    uv_strerror(n));
            srv_conn_close(c);
            return;
        }
        if (n > 0) {
            srv_stats_add(&w->stats.bytes_out, (uint64_t)n);
            buf.base += n;
            buf.len -= (unsigned)n;
            /* a byte written is activity, and the loop's clock is as old as
             * the deal that ran since it last ticked: read it afresh */
            uv_update_time(&w->loop);
            c->last_active = uv_now(&w->loop);
        }
    }
    if (buf.len > 0) {
        write_req *r = malloc(sizeof *r + buf.len);
        if (!r) {
            srv_log(SRV_LOG_ERROR, "worker %d: %s: out of memory for a response; closing", w->index,
                    c->peer);
            srv_conn_close(c);
            return;
        }
        r->conn = c;
        r->len = buf.len;
        memcpy(r->data, buf.base, buf.len);
        uv_buf_t queued = uv_buf_init(r->data, (unsigned)r->len);
        int rc = uv_write(&r->req, (uv_stream_t *)&c->tcp, &queued, 1, on_written);
        if (rc < 0) {
            free(r);
            srv_conn_close(c);
            return;
        }
        c->queued += r->len;
        srv_stats_add(&w->stats.bytes_out, r->len);
    }
    if (src->cap > BUFFER_KEEP)
        ds_buf_free(src);
    else
        ds_buf_clear(src);
}

/* ---- answering: each request goes to the operations table, with the worker ---- */

void srv_conn_answer_reload(srv_conn *c, srv_reload_req *req) {
    c->waiting = NULL;
    if (c->proto == SRV_PROTO_HTTP)
        srv_http_answer_reload(c, req);
    else
        srv_ops_reload_answer(c->worker, &c->out, req);
    process(c);
}

static bool is_blank(const char *p, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
    return true;
}

static srv_call call_for(srv_conn *c, const srv_request *rq, char *where, size_t size) {
    snprintf(where, size, "line %llu", (unsigned long long)c->line_no);
    return (srv_call){.worker = c->worker, .conn = c, .rq = rq, .out = &c->out, .where = where};
}

static void handle_line(srv_conn *c, const char *line, size_t len) {
    if (is_blank(line, len)) return; /* not a request: no answer */
    srv_worker *w = c->worker;
    uint64_t start = uv_hrtime();
    srv_request rq;
    ds_error err = {0};
    char where[48];
    srv_stats_add(&w->stats.requests, 1);
    int rc = srv_request_parse(line, len, &rq, &err);
    srv_call call = call_for(c, &rq, where, sizeof where);
    if (rc < 0)
        srv_ops_fail(&call, rq.id, err.code, err.path, err.message);
    else if (srv_ops_run(&call) == SRV_CALL_WAITING)
        c->waiting = call.waiting; /* a reload: later requests wait for its answer */
    if (!c->waiting) srv_ops_count(&call, uv_hrtime() - start);
}

static void too_long(srv_conn *c) {
    char message[160], where[48];
    snprintf(message, sizeof message,
             "the request is longer than the %zu-byte limit (--max-line); it was skipped up "
             "to its newline",
             config(c)->max_line);
    srv_stats_add(&c->worker->stats.requests, 1);
    srv_call call = call_for(c, NULL, where, sizeof where);
    uint64_t start = uv_hrtime();
    srv_ops_fail(&call, (srv_span){NULL, 0}, "line_too_long", "$", message);
    srv_ops_count(&call, uv_hrtime() - start);
}

/* ---- reading ---- */

/* Room at the end of the input buffer for one read (or one TLS record). */
static void make_room(srv_conn *c) {
    if (c->in_start > 0) { /* move the partial line to the front */
        memmove(c->in, c->in + c->in_start, c->in_len - c->in_start);
        c->in_len -= c->in_start;
        c->in_start = 0;
    }
    if (c->in_cap - c->in_len < READ_CHUNK) {
        char *grown = realloc(c->in, c->in_len + READ_CHUNK);
        if (grown) {
            c->in = grown;
            c->in_cap = c->in_len + READ_CHUNK;
        }
    }
}

/* Room for n more bytes of input (the acceptor's read, handed over). */
static void make_room_for(srv_conn *c, size_t n) {
    if (c->in_cap - c->in_len >= n) return;
    char *grown = realloc(c->in, c->in_len + n);
    if (grown) {
        c->in = grown;
        c->in_cap = c->in_len + n;
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    (void)suggested;
    srv_conn *c = h->data;
    if (c->worker->abandoned) { /* no more reads: the socket may be another worker's now */
        *buf = uv_buf_init(NULL, 0);
        return;
    }
    if (c->tls) { /* ciphertext: decrypted into c->in by tls_read */
        if (!c->raw) c->raw = malloc(READ_CHUNK);
        *buf = uv_buf_init(c->raw, c->raw ? READ_CHUNK : 0);
        return;
    }
    make_room(c);
    *buf = uv_buf_init(c->in + c->in_len, (unsigned)(c->in_cap - c->in_len));
}

/* Feeds ciphertext to TLS and decrypts what it can into the input buffer;
 * -1 when the connection must end. */
static int tls_read(srv_conn *c, const char *data, size_t len) {
    if (srv_tls_feed(c->tls, data, len) < 0) return -1;
    for (;;) {
        make_room(c);
        if (c->in_cap == c->in_len) return -1; /* no memory */
        long n = srv_tls_read(c->tls, c->in + c->in_len, c->in_cap - c->in_len);
        if (n < 0) return -1;
        if (n == 0) return 0;
        c->in_len += (size_t)n;
    }
}

static void update_reading(srv_conn *c) {
    bool want =
        !c->eof && !c->closing && !c->paused && !c->waiting && (!c->close_after || c->lingering);
    if (want == c->reading) return;
    if (!want) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = false;
    } else if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0) {
        c->reading = true;
    } else {
        srv_conn_close(c);
    }
}

bool srv_conn_must_pause(srv_conn *c) {
    if (pending_out(c) <= HIGH_WATER) return false;
    flush(c);
    if (!c->closing && c->queued <= LOW_WATER) return false;
    if (!c->paused) srv_stats_add(&c->worker->stats.backpressure_pauses, 1);
    c->paused = true;
    return true;
}

/* Answers every complete line in the input buffer, unless the connection must
 * wait (responses over the high watermark, or a reload). */
static void process_lines(srv_conn *c) {
    size_t max = config(c)->max_line;
    while (!c->closing && !c->waiting && !c->worker->abandoned) {
        if (srv_conn_must_pause(c)) break;
        size_t avail = c->in_len - c->in_start;
        if (avail == 0) break;
        char *base = c->in + c->in_start;
        size_t used, len;
        int what = srv_frame_next(&c->frame, base, avail, max, c->eof, &used, &len);
        c->in_start += used;
        if (what == SRV_FRAME_MORE) break;
        if (what == SRV_FRAME_SKIP) continue;
        c->line_no++;
        if (what == SRV_FRAME_TOO_LONG)
            too_long(c);
        else
            handle_line(c, base, len);
    }
}

/* The protocol is told by the first bytes: an HTTP method, else request lines. */
static void detect(srv_conn *c) {
    int http = srv_http_detect(c->in + c->in_start, c->in_len - c->in_start, c->eof);
    if (http < 0) return; /* a method's first letters: wait for the rest */
    c->proto = SRV_PROTO_LINES;
    if (http && srv_http_open(c) == 0) c->proto = SRV_PROTO_HTTP;
    srv_log(SRV_LOG_DEBUG, "worker %d: %s speaks %s", c->worker->index, c->peer,
            c->proto == SRV_PROTO_HTTP ? "HTTP" : "request lines");
}

static void process(srv_conn *c) {
    if (c->lingering) { /* everything was answered: what comes now is dropped */
        c->in_start = c->in_len;
    } else {
        if (c->proto == SRV_PROTO_UNKNOWN && c->in_len > c->in_start) detect(c);
        if (c->proto == SRV_PROTO_LINES) process_lines(c);
        if (c->proto == SRV_PROTO_HTTP) srv_http_process(c);
    }
    if (c->in_start == c->in_len) {
        c->in_start = c->in_len = 0;
        if (c->in_cap > BUFFER_KEEP) { /* after a long line: do not keep its memory */
            free(c->in);
            c->in = NULL;
            c->in_cap = 0;
        }
    }
    if (c->worker->abandoned) return; /* the watchdog wrote what was pending */
    flush(c);
    if (c->closing) return;
    count_backlog(c, c->paused || c->waiting);
    update_reading(c);
    finish_if_done(c);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    srv_conn *c = stream->data;
    if (nread == 0 || c->closing || c->worker->abandoned) return;
    if (nread < 0) {
        if (nread != UV_EOF) {
            srv_log(SRV_LOG_DEBUG, "worker %d: %s: read failed: %s", c->worker->index, c->peer,
                    uv_strerror((int)nread));
            srv_conn_close(c);
            return;
        }
        c->eof = true; /* answer what was sent, then close */
        process(c);
        return;
    }
    c->last_active = uv_now(&c->worker->loop);
    srv_stats_add(&c->worker->stats.bytes_in, (uint64_t)nread);
    if (!c->tls) {
        c->in_len += (size_t)nread;
    } else if (tls_read(c, buf->base, (size_t)nread) < 0) {
        flush(c); /* a TLS alert may say why */
        srv_conn_close(c);
        return;
    }
    process(c);
}

/* ---- opening, idle and drain ---- */

static void name_peer(srv_conn *c) {
    struct sockaddr_storage addr;
    int len = sizeof addr;
    char host[48] = "?";
    int port = 0;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&addr, &len) == 0) {
        if (addr.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&addr, host, sizeof host);
            port = ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
        } else {
            uv_ip4_name((struct sockaddr_in *)&addr, host, sizeof host);
            port = ntohs(((struct sockaddr_in *)&addr)->sin_port);
        }
    }
    snprintf(c->peer, sizeof c->peer, "%s:%d", host, port);
}

/* A connection on fd with the TLS state tls (NULL: a new one when the server
 * has a certificate); NULL when it could not be opened (fd closed, counted). */
static srv_conn *open_conn(srv_worker *w, int fd, srv_tls *tls) {
    srv_conn *c = calloc(1, sizeof *c);
    if (!c || uv_tcp_init(&w->loop, &c->tcp) < 0) {
        srv_log(SRV_LOG_ERROR, "worker %d: out of memory for a connection", w->index);
        free(c);
        srv_tls_free(tls);
        close(fd);
        atomic_fetch_sub(&w->n_conns, 1);
        atomic_fetch_sub(&w->server->global.open, 1);
        return NULL;
    }
    c->tcp.data = c;
    c->worker = w;
    ds_buf_init(&c->out);
    ds_buf_init(&c->sealed);
    c->tls = tls;
    if (!tls && w->server->cfg->tls_cert && !(c->tls = srv_worker_tls_new(w))) {
        srv_log(SRV_LOG_ERROR, "worker %d: out of memory for a TLS connection", w->index);
        close(fd);
        c->closing = true;
        uv_close((uv_handle_t *)&c->tcp, on_closed);
        return NULL;
    }
    if (uv_tcp_open(&c->tcp, fd) < 0) {
        close(fd);
        c->closing = true;
        uv_close((uv_handle_t *)&c->tcp, on_closed);
        return NULL;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    name_peer(c);
    c->last_active = uv_now(&w->loop);
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    srv_log(SRV_LOG_DEBUG, "worker %d: connection from %s", w->index, c->peer);
    return c;
}

void srv_conn_open(srv_worker *w, int fd) {
    srv_conn *c = open_conn(w, fd, NULL);
    if (c) update_reading(c);
}

void srv_conn_adopt(srv_worker *w, srv_handoff *h) {
    srv_conn *c = open_conn(w, h->fd, h->tls);
    h->fd = -1;
    h->tls = NULL;
    if (c && h->plain.len > 0) { /* what the acceptor read: as if read here */
        make_room_for(c, h->plain.len);
        if (c->in_cap - c->in_len < h->plain.len) {
            srv_conn_close(c);
            c = NULL;
        } else {
            memcpy(c->in + c->in_len, h->plain.data, h->plain.len);
            c->in_len += h->plain.len;
        }
    }
    if (c) {
        ds_buf_add(&c->sealed, h->sealed.data, h->sealed.len); /* owed first */
        srv_log(SRV_LOG_DEBUG, "worker %d: %s taken over from the acceptor (%zu bytes read)",
                w->index, c->peer, h->plain.len);
        process(c); /* answers what was read, sends what is owed, then reads */
    }
    srv_handoff_drop(h);
}

/* Everything received is answered and written, and nothing waits unread. */
static bool drained(srv_conn *c) {
    if (c->waiting || pending_out(c) > 0 || c->in_start != c->in_len) return false;
    int fd = -1, unread = 0;
    if (c->eof) return true;
    if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0 && ioctl(fd, FIONREAD, &unread) == 0)
        return unread == 0;
    return true;
}

void srv_conn_tick(srv_conn *c, uint64_t now) {
    srv_worker *w = c->worker;
    if (c->closing) return;
    if (w->stopping) {
        if (drained(c) || now >= w->drain_deadline) srv_conn_close(c);
        return;
    }
    if (c->lingering && now - c->last_active >= LINGER_MS) {
        srv_conn_close(c);
        return;
    }
    if (c->proto == SRV_PROTO_HTTP && srv_http_tick(c, now)) return;
    double idle = config(c)->idle_timeout * 1000.0;
    if (idle > 0 && !c->waiting && (double)(now - c->last_active) >= idle) {
        srv_log(SRV_LOG_DEBUG, "worker %d: %s idle for %.0f s: closing", w->index, c->peer,
                config(c)->idle_timeout);
        srv_stats_add(&w->stats.idle_closed, 1);
        srv_conn_close(c);
    }
}

/* ---- given up by the watchdog ---- */

/* Writes all of buf to a non-blocking socket or gives up: best effort. */
static void write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0) return;
        buf += n, len -= (size_t)n;
    }
}

/* Requests received and not answered: bytes not yet parsed (in the buffer or
 * the socket), or an HTTP request begun. */
static bool owes_answers(srv_conn *c, int fd) {
    int unread = 0;
    if (c->in_start < c->in_len || (c->http && srv_http_in_message(c))) return true;
    return ioctl(fd, FIONREAD, &unread) == 0 && unread > 0;
}

void srv_conn_abandon(srv_conn *c, const ds_buf *last, const ds_buf *notice) {
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&c->tcp, &fd) != 0) return;
    bool busy = last != NULL;
    if (!busy && owes_answers(c, fd)) last = notice; /* requests it will never answer */
    if (last && c->queued == 0) { /* in order: what was answered before the stuck deal */
        ds_buf plain;
        ds_buf_init(&plain);
        ds_buf_add(&plain, c->out.data, c->out.len);
        if (c->proto == SRV_PROTO_HTTP)
            srv_http_abandon(c, last, &plain, busy ? 504 : 503);
        else
            ds_buf_add(&plain, last->data, last->len);
        write_all(fd, c->sealed.data, c->sealed.len); /* ciphertext already sealed */
        if (c->tls && srv_tls_ready(c->tls) && srv_tls_write(c->tls, plain.data, plain.len) == 0) {
            ds_buf sealed;
            ds_buf_init(&sealed);
            srv_tls_take(c->tls, &sealed);
            write_all(fd, sealed.data, sealed.len);
            ds_buf_free(&sealed);
        } else if (!c->tls) {
            write_all(fd, plain.data, plain.len);
        }
        ds_buf_free(&plain);
    }
    shutdown(fd, SHUT_RDWR); /* not closed: the stuck loop still holds the number */
}
