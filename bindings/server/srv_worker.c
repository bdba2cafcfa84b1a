/* srv_worker.c: a worker thread: its own libuv loop, policies and deal arena.
 *
 * Other threads talk to a worker only through its inbox (under a mutex) and its
 * uv_async wake-up: the acceptor hands it sockets, the reload coordinator hands it
 * a new policy set or the answer to a reload one of its connections asked for, and
 * shutdown tells it to stop. Everything else a worker touches is its own, so the
 * request path takes one uncontended lock per deal: the watchdog's (deal_end). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srv_int.h"

#define DRAIN_MS 10000 /* how long a shutdown waits for connections to drain */
#define DRAIN_TICK_MS 10

/* ---- called from other threads ---- */

static bool post(srv_worker *w) {
    return uv_async_send(&w->wake) == 0;
}

void srv_worker_give_fd(srv_worker *w, int fd) {
    uv_mutex_lock(&w->lock);
    if (w->n_fds == w->cap_fds) {
        int cap = w->cap_fds ? w->cap_fds * 2 : 16;
        int *fds = realloc(w->fds, sizeof *fds * (size_t)cap);
        if (!fds) {
            uv_mutex_unlock(&w->lock);
            close(fd);
            atomic_fetch_sub(&w->n_conns, 1);
            atomic_fetch_sub(&w->server->global.open, 1);
            return;
        }
        w->fds = fds;
        w->cap_fds = cap;
    }
    w->fds[w->n_fds++] = fd;
    uv_mutex_unlock(&w->lock);
    post(w);
}

void srv_worker_give_handoff(srv_worker *w, srv_handoff *h) {
    uv_mutex_lock(&w->lock);
    h->next = w->handoffs;
    w->handoffs = h;
    w->n_handoffs++;
    uv_mutex_unlock(&w->lock);
    post(w);
}

void srv_worker_give_policies(srv_worker *w, srv_policyset *set) {
    uv_mutex_lock(&w->lock);
    bool closed = w->closed;
    if (!closed) {
        srv_policies_close(w->incoming); /* never happens: reloads are one at a time */
        w->incoming = set;
    }
    uv_mutex_unlock(&w->lock);
    if (!closed) {
        post(w);
        return;
    }
    srv_policies_close(set); /* the worker is gone: nothing to swap, still counts */
    srv_server_ack(w->server, w);
}

static void free_reply(srv_reload_req *req) {
    free(req->id);
    free(req);
}

void srv_worker_give_reply(srv_worker *w, srv_reload_req *req) {
    uv_mutex_lock(&w->lock);
    bool closed = w->closed;
    if (!closed) {
        req->next = w->replies;
        w->replies = req;
    }
    uv_mutex_unlock(&w->lock);
    if (closed)
        free_reply(req);
    else
        post(w);
}

void srv_worker_stop(srv_worker *w) {
    uv_mutex_lock(&w->lock);
    w->stop = true;
    bool closed = w->closed;
    uv_mutex_unlock(&w->lock);
    if (!closed) post(w);
}

/* ---- asked by the worker's own connections ---- */

srv_reload_req *srv_worker_reload(srv_worker *w, srv_conn *c, srv_span id) {
    srv_reload_req *req = calloc(1, sizeof *req);
    if (req && id.len && !(req->id = malloc(id.len))) {
        free(req);
        req = NULL;
    }
    if (!req) return NULL;
    if (id.len) memcpy(req->id, id.p, id.len);
    req->id_len = id.len;
    req->worker = w;
    req->conn = c;
    srv_server_reload(w->server, req);
    return req;
}

void srv_worker_write_stats(srv_worker *w, ds_buf *out) {
    srv_server_write_stats(w->server, out);
}

void srv_worker_write_metrics(srv_worker *w, ds_buf *out) {
    srv_server_write_metrics(w->server, out);
}

srv_tls *srv_worker_tls_new(srv_worker *w) {
    return srv_server_tls_new(w->server);
}

bool srv_worker_write_ready(srv_worker *w, ds_buf *out) {
    return srv_server_write_ready(w->server, out);
}

/* ---- deals under the watchdog ---- */

/* From the acceptor's thread, with w->lock held and w stuck in its deal: the
 * busy connection gets the deadline_exceeded line after what it was owed, and
 * every connection is shut down. */
void srv_worker_abandon_conns(srv_worker *w, const char *reason) {
    ds_buf line, notice;
    ds_buf_init(&line);
    ds_buf_init(&notice);
    srv_write_error(&line, (srv_span){w->busy_id, w->busy_id_len}, "deadline_exceeded", "$", "%s",
                    reason);
    srv_write_error(&notice, (srv_span){NULL, 0}, "worker_replaced", "$", "%s",
                    "a deal on another connection ran past --deal-timeout and this connection's "
                    "worker was replaced: the requests sent on it and not answered above were not "
                    "run; send them again on a new connection");
    for (srv_conn *c = w->conns; c; c = c->next) {
        if (c->waiting) { /* the reload goes on; its answer finds nobody */
            c->waiting->conn = NULL;
            c->waiting = NULL;
        }
        srv_conn_abandon(c, c == w->busy_conn ? &line : NULL, &notice);
    }
    ds_buf_free(&line);
    ds_buf_free(&notice);
}

void srv_worker_deal_begin(srv_worker *w, srv_conn *c, const char *id, size_t id_len) {
    w->busy_conn = c;
    w->busy_id_len = id_len < sizeof w->busy_id ? id_len : 0; /* too long: answered as null */
    if (w->busy_id_len) memcpy(w->busy_id, id, w->busy_id_len);
    atomic_store(&w->busy_since, uv_hrtime());
}

/* From the acceptor's thread, with w->lock held: the sockets handed to w that its
 * loop has not opened yet, taken away (a stuck worker never would). Returns how
 * many were copied into fds (at most max; the rest stay). */
int srv_worker_take_fds(srv_worker *w, int *fds, int max) {
    int n = w->n_fds < max ? w->n_fds : max;
    memcpy(fds, w->fds, sizeof *fds * (size_t)n);
    memmove(w->fds, w->fds + n, sizeof *fds * (size_t)(w->n_fds - n));
    w->n_fds -= n;
    atomic_fetch_sub(&w->n_conns, n);
    return n;
}

srv_handoff *srv_worker_take_handoffs(srv_worker *w, int *n) {
    srv_handoff *list = w->handoffs;
    *n = w->n_handoffs;
    w->handoffs = NULL;
    w->n_handoffs = 0;
    atomic_fetch_sub(&w->n_conns, *n);
    return list;
}

bool srv_worker_deal_end(srv_worker *w) {
    uv_mutex_lock(&w->lock);
    atomic_store(&w->busy_since, 0);
    bool abandoned = w->abandoned;
    uv_mutex_unlock(&w->lock);
    if (abandoned) uv_stop(&w->loop); /* its connections are gone; run() leaves quietly */
    return !abandoned;
}

/* ---- the worker thread ---- */

static void on_tick(uv_timer_t *t) {
    srv_worker *w = t->data;
    if (w->abandoned) return; /* its loop is ending: release() closes what is left */
    uint64_t now = uv_now(&w->loop);
    for (srv_conn *c = w->conns, *next; c; c = next) {
        next = c->next;
        srv_conn_tick(c, now);
    }
    if (w->stopping && !w->conns) {
        uv_mutex_lock(&w->lock);
        w->closed = true;
        uv_mutex_unlock(&w->lock);
        uv_close((uv_handle_t *)&w->wake, NULL);
        uv_close((uv_handle_t *)&w->tick, NULL);
    }
}

static void begin_stop(srv_worker *w) {
    w->stopping = true;
    w->drain_deadline = uv_now(&w->loop) + DRAIN_MS;
    uv_timer_start(&w->tick, on_tick, 0, DRAIN_TICK_MS);
}

static void swap_policies(srv_worker *w, srv_policyset *set) {
    srv_policyset *old = w->policies;
    w->policies = set;
    srv_policies_close(old);
    srv_server_ack(w->server, w);
}

static void on_wake(uv_async_t *a) {
    srv_worker *w = a->data;
    uv_mutex_lock(&w->lock);
    if (w->abandoned) { /* given up: the acceptor took its sockets; release() ends the rest */
        uv_mutex_unlock(&w->lock);
        return;
    }
    int n = w->n_fds, fds[n > 0 ? n : 1];
    for (int i = 0; i < n; i++) fds[i] = w->fds[i];
    w->n_fds = 0;
    srv_handoff *handoffs = w->handoffs;
    w->handoffs = NULL;
    w->n_handoffs = 0;
    srv_policyset *incoming = w->incoming;
    w->incoming = NULL;
    srv_reload_req *replies = w->replies;
    w->replies = NULL;
    bool stop = w->stop;
    uv_mutex_unlock(&w->lock);

    for (int i = 0; i < n; i++) srv_conn_open(w, fds[i]);
    while (handoffs) {
        srv_handoff *h = handoffs;
        handoffs = h->next;
        srv_conn_adopt(w, h);
    }
    /* replies first: each answers a reload this worker has swapped in, and
     * says its generation and policies, before a later reload's set (queued
     * after it) replaces them; then the new set, between two requests */
    while (replies) {
        srv_reload_req *req = replies;
        replies = req->next;
        if (req->conn) srv_conn_answer_reload(req->conn, req);
        free_reply(req);
    }
    if (incoming) swap_policies(w, incoming);
    if (stop && !w->stopping) begin_stop(w);
}

static void drop_inbox(srv_worker *w);

/* A given-up worker whose deal returned at last: its connections were answered
 * and shut down (or handed to another worker) by the watchdog, so what is left is
 * to close their descriptors, its loop's handles and its policies, without
 * counting them again (take_over did). The thread is never joined: it detaches. */
static void release(srv_worker *w) {
    for (srv_conn *c = w->conns, *next; c; c = next) {
        next = c->next;
        srv_conn_release(c);
    }
    uv_close((uv_handle_t *)&w->wake, NULL);
    uv_close((uv_handle_t *)&w->tick, NULL);
    uv_run(&w->loop, UV_RUN_DEFAULT); /* until every close has completed */
    srv_policies_close(w->policies);
    w->policies = NULL;
    drop_inbox(w);
    uv_loop_close(&w->loop);
    srv_log(SRV_LOG_INFO, "worker %d: its stuck deal returned; its connections are closed",
            w->index);
    pthread_detach(pthread_self());
}

static void run(void *arg) {
    srv_worker *w = arg;
    uv_run(&w->loop, UV_RUN_DEFAULT);
    uv_mutex_lock(&w->lock);
    bool abandoned = w->abandoned;
    uv_mutex_unlock(&w->lock);
    if (abandoned) { /* replaced: the server counts it no more */
        release(w);
        return;
    }
    srv_policies_close(w->policies);
    w->policies = NULL;
    drop_inbox(w);
    srv_server_worker_done(w->server);
}

/* What arrived after the loop's last wake-up: nobody is left to use it. */
static void drop_inbox(srv_worker *w) {
    uv_mutex_lock(&w->lock);
    for (int i = 0; i < w->n_fds; i++) close(w->fds[i]);
    atomic_fetch_sub(&w->server->global.open, (uint64_t)(w->n_fds + w->n_handoffs));
    w->n_fds = 0;
    while (w->handoffs) {
        srv_handoff *h = w->handoffs;
        w->handoffs = h->next;
        srv_handoff_drop(h);
    }
    w->n_handoffs = 0;
    srv_policyset *incoming = w->incoming;
    srv_reload_req *replies = w->replies;
    w->incoming = NULL;
    w->replies = NULL;
    uv_mutex_unlock(&w->lock);
    if (incoming) {
        srv_policies_close(incoming);
        srv_server_ack(w->server, w); /* the reload must not wait for this worker */
    }
    while (replies) {
        srv_reload_req *req = replies;
        replies = req->next;
        free_reply(req);
    }
}

int srv_worker_start(srv_worker *w, srv_server *s, int index, srv_policyset *set) {
    w->server = s;
    w->index = index;
    w->policies = set;
    if (uv_loop_init(&w->loop) < 0 || uv_mutex_init(&w->lock) < 0) return -1;
    uv_async_init(&w->loop, &w->wake, on_wake);
    w->wake.data = w;
    uv_timer_init(&w->loop, &w->tick);
    w->tick.data = w;
    /* the tick also ends lingering HTTP connections: it always runs */
    double idle_ms = s->cfg->idle_timeout * 1000.0;
    uint64_t every = idle_ms <= 0 || idle_ms >= 4000 ? 1000 : (uint64_t)(idle_ms / 4) + 1;
    uv_timer_start(&w->tick, on_tick, every, every);
    return uv_thread_create(&w->thread, run, w) == 0 ? 0 : -1;
}

/* After the thread has ended. */
void srv_worker_free(srv_worker *w) {
    uv_loop_close(&w->loop);
    uv_mutex_destroy(&w->lock);
    free(w->fds);
}
