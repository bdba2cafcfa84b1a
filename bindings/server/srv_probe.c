/* srv_probe.c: health checks over TLS on a worker busy in a long deal, answered
 * by the acceptor.
 *
 * A plain connection queued on a busy worker is looked into with MSG_PEEK
 * (srv_server.c, answer_health) and left alone unless it holds a whole GET
 * /healthz or /readyz. A TLS connection cannot be peeked at: its request is
 * behind a handshake the server must answer. So the acceptor takes such a
 * connection over (a "probe"): it runs the handshake on its own loop, over the
 * same memory BIOs a worker uses (srv_tls.c), and reads the first plaintext.
 *   - a whole health check: answered there (the same answer a plain one gets),
 *     close_notify, closed;
 *   - anything else (a request line, another HTTP request, more than a health
 *     check can be), or the worker freed meanwhile: the connection is handed to
 *     the least loaded worker with its TLS state, the plaintext read and the
 *     ciphertext not yet sent (srv_handoff), and goes on there as if that
 *     worker had read it all itself.
 * At most MAX_PROBES connections are taken over at once; the others wait for a
 * worker, as before. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "srv_int.h"

#define MAX_PROBES 64
#define MAX_PLAIN 8192 /* more than any health check: not one */

struct srv_probe {
    uv_poll_t poll;
    srv_server *server;
    srv_worker *from;   /* the busy worker it was queued on */
    uint64_t since;     /* that worker's busy_since when it was taken */
    srv_handoff *state; /* fd, TLS, plaintext read, ciphertext owed */
    bool writable;      /* polling for room to send state->sealed */
    struct srv_probe *prev, *next;
};

void srv_handoff_drop(srv_handoff *h) {
    if (!h) return;
    if (h->fd >= 0) close(h->fd);
    srv_tls_free(h->tls);
    ds_buf_free(&h->plain);
    ds_buf_free(&h->sealed);
    free(h);
}

static void probe_closed(uv_handle_t *handle) {
    free(handle->data);
}

/* Stops watching the socket and unlinks the probe; its state is the caller's. */
static srv_handoff *detach(srv_probe *p) {
    srv_server *s = p->server;
    uv_poll_stop(&p->poll); /* off this loop's epoll set before another loop takes it */
    if (p->prev)
        p->prev->next = p->next;
    else
        s->probes = p->next;
    if (p->next) p->next->prev = p->prev;
    s->n_probes--;
    srv_handoff *h = p->state;
    p->state = NULL;
    uv_close((uv_handle_t *)&p->poll, probe_closed);
    return h;
}

/* The connection is over: closed and counted so. */
static void end(srv_probe *p) {
    srv_server *s = p->server;
    srv_handoff_drop(detach(p));
    atomic_fetch_sub(&s->global.open, 1);
}

static void hand_over(srv_probe *p) {
    srv_server_hand_over(p->server, detach(p));
}

/* Sends what TLS has for the client, as far as the socket takes it now;
 * -1 when the client is gone. */
static int send_sealed(srv_probe *p) {
    srv_handoff *h = p->state;
    srv_tls_take(h->tls, &h->sealed);
    size_t sent = 0;
    while (sent < h->sealed.len) {
        ssize_t n =
            send(h->fd, h->sealed.data + sent, h->sealed.len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) return -1;
        sent += (size_t)n;
    }
    memmove(h->sealed.data, h->sealed.data + sent, h->sealed.len - sent);
    h->sealed.len -= sent;
    return 0;
}

static void on_event(uv_poll_t *poll, int status, int events);

static void watch(srv_probe *p) {
    bool want_write = p->state->sealed.len > 0;
    if (want_write == p->writable) return;
    p->writable = want_write;
    uv_poll_start(&p->poll, UV_READABLE | UV_DISCONNECT | (want_write ? UV_WRITABLE : 0), on_event);
}

/* A whole health check at the start of the plaintext: answered, then closed. */
static void answer(srv_probe *p, int kind) {
    srv_handoff *h = p->state;
    ds_buf out;
    ds_buf_init(&out);
    srv_http_health_answer(p->server, kind, &out);
    int rc = srv_tls_write(h->tls, out.data, out.len);
    ds_buf_free(&out);
    if (rc == 0) {
        srv_tls_close_notify(h->tls);
        send_sealed(p); /* a few hundred bytes into an empty socket buffer */
    }
    shutdown(h->fd, SHUT_WR);
    end(p);
}

/* Reads what the client sent, decrypts it, and decides. */
static void on_readable(srv_probe *p) {
    srv_handoff *h = p->state;
    char raw[16384];
    ssize_t n = recv(h->fd, raw, sizeof raw, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0 || srv_tls_feed(h->tls, raw, (size_t)n) < 0) {
        end(p); /* gone before asking anything: nothing is owed */
        return;
    }
    for (;;) {
        char plain[4096];
        long got = srv_tls_read(h->tls, plain, sizeof plain);
        if (got < 0) { /* a failed handshake: its alert, if any, then the end */
            send_sealed(p);
            end(p);
            return;
        }
        if (got == 0) break;
        ds_buf_add(&h->plain, plain, (size_t)got);
    }
    if (send_sealed(p) < 0) {
        end(p);
        return;
    }
    if (h->plain.len > 0) {
        size_t head;
        int kind = srv_http_health_request(h->plain.data, h->plain.len, &head);
        if (kind >= 0 && head == h->plain.len) { /* nothing after it: ours to answer */
            answer(p, kind);
            return;
        }
        if (kind >= 0 || kind == -1 || h->plain.len > MAX_PLAIN) { /* a worker's to answer */
            hand_over(p);
            return;
        }
    }
    watch(p);
}

static void on_event(uv_poll_t *poll, int status, int events) {
    srv_probe *p = poll->data;
    if (status < 0) {
        end(p);
        return;
    }
    if ((events & UV_WRITABLE) && send_sealed(p) < 0) {
        end(p);
        return;
    }
    if (events & (UV_READABLE | UV_DISCONNECT)) {
        on_readable(p);
        return;
    }
    watch(p);
}

static void start(srv_server *s, srv_worker *from, uint64_t since, int fd) {
    srv_probe *p = calloc(1, sizeof *p);
    srv_handoff *h = calloc(1, sizeof *h);
    srv_tls *tls = h && p ? srv_server_tls_new(s) : NULL;
    if (!tls || uv_poll_init(&s->loop, &p->poll, fd) < 0) {
        srv_tls_free(tls);
        free(h);
        free(p);
        srv_server_hand_over_fd(s, fd); /* no memory to look into it: a worker's */
        return;
    }
    h->fd = fd;
    h->tls = tls;
    ds_buf_init(&h->plain);
    ds_buf_init(&h->sealed);
    p->poll.data = p;
    p->server = s;
    p->from = from;
    p->since = since;
    p->state = h;
    p->next = s->probes;
    if (s->probes) s->probes->prev = p;
    s->probes = p;
    s->n_probes++;
    uv_poll_start(&p->poll, UV_READABLE | UV_DISCONNECT, on_event);
}

void srv_probe_take(srv_server *s, srv_worker *w) {
    int room = MAX_PROBES - s->n_probes, fds[MAX_PROBES];
    if (room <= 0) return;
    uint64_t since = atomic_load(&w->busy_since);
    uv_mutex_lock(&w->lock);
    int n = srv_worker_take_fds(w, fds, room);
    uv_mutex_unlock(&w->lock);
    for (int i = 0; i < n; i++) start(s, w, since, fds[i]);
    if (n)
        srv_log(SRV_LOG_DEBUG, "worker %d busy: %d TLS connections looked into by the acceptor",
                w->index, n);
}

/* A probe whose worker is free again (or was given up) goes to a worker: only
 * a busy worker's health checks are the acceptor's to answer. */
void srv_probe_tick(srv_server *s) {
    for (srv_probe *p = s->probes, *next; p; p = next) {
        next = p->next;
        if (p->from->abandoned || atomic_load(&p->from->busy_since) != p->since) hand_over(p);
    }
}

void srv_probe_end_all(srv_server *s) {
    while (s->probes) end(s->probes);
}
