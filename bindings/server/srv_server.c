/* srv_server.c: the service's main thread: acceptor, signals, reloads, shutdown.
 *
 * Why an acceptor rather than SO_REUSEPORT on one socket per worker: with
 * SO_REUSEPORT the kernel spreads connections by a hash of their addresses, so a
 * few long-lived connections (the usual client: a service that keeps one or two
 * open) can all land on one worker while another idles, and a second server
 * started by mistake on the same port silently shares its traffic instead of
 * failing with "address in use". Here the main thread accepts and hands each
 * socket to the worker with the fewest connections; the cost is one wake-up per
 * new connection, nothing per request. It also keeps --max-connections exact and
 * makes "stop accepting" one close().
 *
 * A reload (the `reload` op or SIGHUP) is built here, for every worker, before
 * anything changes: if any policy fails to load, every worker keeps its policies
 * and the error says why. Otherwise each worker swaps its new set between two
 * requests, and the reload is answered once every worker has swapped, so a
 * request sent after the answer is scored by the new policies on any connection.
 *
 * SIGTERM/SIGINT: stop accepting, let every worker answer what it has received,
 * then exit 0. A second signal exits at once. */
#define _GNU_SOURCE /* memmem, accept4 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "srv_int.h"

#define ACCEPTS_PER_WAKE 128
#define ACCEPT_PAUSE_MS 100 /* after running out of file descriptors */

/* ---- listening and accepting ---- */

/* Binds the first address the host resolves to that can be bound (a numeric
 * address is its own; a name may give several, IPv4 and IPv6). */
static int open_listener(srv_server *s) {
    const srv_config *cfg = s->cfg;
    char port[16];
    snprintf(port, sizeof port, "%d", cfg->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_ADDRCONFIG},
                    *list;
    int rc = getaddrinfo(cfg->host, port, &hints, &list);
    if (rc != 0) {
        srv_log(SRV_LOG_ERROR, "--listen: cannot resolve '%s': %s", cfg->host, gai_strerror(rc));
        return -1;
    }
    int fd = -1, why = 0, on = 1;
    for (struct addrinfo *a = list; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
                        bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, 511) < 0)) {
            why = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    if (fd < 0) {
        srv_log(SRV_LOG_ERROR, "cannot listen on %s:%d: %s", cfg->host, cfg->port, strerror(why));
        return -1;
    }
    s->listen_fd = fd;
    return 0;
}

/* "127.0.0.1:7411" or "[::1]:7411": the address bound, numeric. */
static void bound_address(int fd, char *out, size_t len) {
    struct sockaddr_storage addr;
    socklen_t size = sizeof addr;
    char host[64] = "?";
    int port = -1;
    if (getsockname(fd, (struct sockaddr *)&addr, &size) == 0) {
        if (addr.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&addr, host, sizeof host);
            port = ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
        } else {
            uv_ip4_name((struct sockaddr_in *)&addr, host, sizeof host);
            port = ntohs(((struct sockaddr_in *)&addr)->sin_port);
        }
    }
    bool v6 = strchr(host, ':') != NULL;
    snprintf(out, len, "%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

/* Says why in one error line and closes. Best effort, never blocks. */
static void turn_away(int fd, const char *code, const char *message) {
    char line[320];
    int n =
        snprintf(line, sizeof line,
                 "{\"id\":null,\"error\":{\"code\":\"%s\",\"message\":\"%s\",\"path\":\"$\"}}\n",
                 code, message);
    ssize_t sent = send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)sent;
    shutdown(fd, SHUT_WR);
    close(fd);
}

/* Over --max-connections: say why and close, in the connection's protocol
 * when it can be told. An HTTP client gets a 503 with the JSON error body, a
 * request-line client the error line. A client whose first bytes have not
 * arrived yet is watched for them (REFUSE_WAIT_MS at most, never blocking the
 * loop, at most MAX_REFUSING at once; beyond that it gets the line at once). */
#define REFUSE_WAIT_MS 250
#define MAX_REFUSING 64

typedef struct srv_refusal {
    uv_poll_t poll;
    uv_timer_t timer;
    srv_server *server;
    int fd, handles; /* handles still open */
    struct srv_refusal *prev, *next;
} srv_refusal;

static void count_refusal(srv_server *s) {
    uint64_t refused = atomic_fetch_add(&s->global.refused, 1) + 1;
    if ((refused & (refused - 1)) == 0) /* 1, 2, 4, 8...: visible, never a flood */
        srv_log(SRV_LOG_WARN, "refused a connection: %d open (--max-connections); %llu refused",
                s->cfg->max_connections, (unsigned long long)refused);
}

/* Sends the refusal, HTTP when the bytes read so far start a request. Best
 * effort (one non-blocking send), then closed. */
static void refuse_now(srv_server *s, int fd) {
    char peek[16], body[256], answer[512];
    ssize_t n = recv(fd, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
    int len =
        snprintf(body, sizeof body,
                 "{\"id\":null,\"error\":{\"code\":\"too_many_connections\",\"message\":\"the "
                 "server already has %d connections open (--max-connections); try again "
                 "later\",\"path\":\"$\"}}\n",
                 s->cfg->max_connections);
    const char *out = body;
    if (n > 0 && !s->tls && srv_http_detect(peek, (size_t)n, true) == 1) {
        len = snprintf(answer, sizeof answer,
                       "HTTP/1.1 503 Service Unavailable\r\nServer: dealscore/%s\r\n"
                       "Content-Type: application/json\r\nContent-Length: %d\r\n"
                       "Retry-After: 1\r\nConnection: close\r\n\r\n%s",
                       DEALSCORE_VERSION, len, body);
        out = answer;
        atomic_fetch_add(&s->global.http_status[5], 1);
    }
    ssize_t sent = send(fd, out, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)sent;
    shutdown(fd, SHUT_WR);
    close(fd);
}

static void refusal_closed(uv_handle_t *h) {
    srv_refusal *r = h->data;
    if (--r->handles == 0) free(r);
}

static void refusal_end(srv_refusal *r) {
    srv_server *s = r->server;
    if (r->fd < 0) return;  /* ended already */
    uv_poll_stop(&r->poll); /* out of the loop's epoll set before its fd is closed */
    refuse_now(s, r->fd);
    r->fd = -1;
    if (r->prev)
        r->prev->next = r->next;
    else
        s->refusing = r->next;
    if (r->next) r->next->prev = r->prev;
    s->n_refusing--;
    uv_close((uv_handle_t *)&r->poll, refusal_closed);
    uv_close((uv_handle_t *)&r->timer, refusal_closed);
}

static void on_refusal_readable(uv_poll_t *p, int status, int events) {
    (void)status, (void)events;
    refusal_end(p->data);
}

static void on_refusal_timeout(uv_timer_t *t) {
    refusal_end(t->data);
}

static void refuse(srv_server *s, int fd) {
    count_refusal(s);
    char peek[1];
    srv_refusal *r = NULL;
    bool waiting =
        recv(fd, peek, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    if (!waiting || s->stopping || s->n_refusing >= MAX_REFUSING || !(r = calloc(1, sizeof *r)) ||
        uv_poll_init(&s->loop, &r->poll, fd) < 0) {
        free(r);
        refuse_now(s, fd);
        return;
    }
    uv_timer_init(&s->loop, &r->timer);
    r->poll.data = r->timer.data = r;
    r->server = s;
    r->fd = fd;
    r->handles = 2;
    r->next = s->refusing;
    if (r->next) r->next->prev = r;
    s->refusing = r;
    s->n_refusing++;
    uv_poll_start(&r->poll, UV_READABLE | UV_DISCONNECT, on_refusal_readable);
    uv_timer_start(&r->timer, on_refusal_timeout, REFUSE_WAIT_MS, 0);
}

/* At shutdown: every client still being refused gets its answer now. */
static void refusals_end(srv_server *s) {
    while (s->refusing) refusal_end(s->refusing);
}

#define SPARE_WORKERS 16 /* replacements for stuck workers, over a run */

/* Only the acceptor's thread sets abandoned to true, under the worker's lock
 * (other threads read it atomically: /readyz). */
static bool live(const srv_worker *w) {
    return !w->abandoned;
}

/* A worker inside one deal for longer than this is passed over for new
 * connections while another is free, and the sockets queued on it (handed over,
 * not yet opened by its loop) move to a free one: a deal is normally a
 * fraction of a millisecond, and a connection must not wait behind a slow one. */
#define BUSY_NS (100 * 1000000ull)

static bool busy_long(const srv_worker *w, uint64_t now) {
    uint64_t since = atomic_load(&w->busy_since);
    return since && since < now && now - since > BUSY_NS;
}

/* The live worker with the fewest connections, a free one before a busy one. */
static srv_worker *least_loaded(srv_server *s) {
    uint64_t now = uv_hrtime();
    srv_worker *best = NULL;
    bool best_free = false;
    for (int i = 0; i < s->n_slots; i++) {
        srv_worker *w = &s->workers[i];
        if (!live(w)) continue;
        bool free = !busy_long(w, now);
        if (!best || (free && !best_free) ||
            (free == best_free && atomic_load(&w->n_conns) < atomic_load(&best->n_conns))) {
            best = w;
            best_free = free;
        }
    }
    return best;
}

static bool any_free(srv_server *s) {
    uint64_t now = uv_hrtime();
    for (int i = 0; i < s->n_slots; i++)
        if (live(&s->workers[i]) && !busy_long(&s->workers[i], now)) return true;
    return false;
}

static void on_accept(uv_poll_t *poll, int status, int events);

static void on_accept_pause_over(uv_timer_t *t) {
    srv_server *s = t->data;
    if (!s->stopping) uv_poll_start(&s->listener, UV_READABLE, on_accept);
}

static void on_accept(uv_poll_t *poll, int status, int events) {
    (void)events;
    srv_server *s = poll->data;
    if (status < 0) return;
    for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                srv_log(SRV_LOG_WARN, "accept: %s; pausing accepts for %d ms", strerror(errno),
                        ACCEPT_PAUSE_MS);
                uv_poll_stop(&s->listener);
                uv_timer_start(&s->accept_pause, on_accept_pause_over, ACCEPT_PAUSE_MS, 0);
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                srv_log(SRV_LOG_WARN, "accept: %s", strerror(errno));
            }
            return;
        }
        if (atomic_load(&s->global.open) >= (uint64_t)s->cfg->max_connections) {
            refuse(s, fd);
            continue;
        }
        atomic_fetch_add(&s->global.accepted, 1);
        srv_worker *w = least_loaded(s);
        if (!w) { /* every worker stuck and no room for another: say so */
            refuse(s, fd);
            continue;
        }
        atomic_fetch_add(&s->global.open, 1);
        atomic_fetch_add(&w->n_conns, 1);
        srv_worker_give_fd(w, fd);
    }
}

/* ---- reloads ---- */

void srv_server_reload(srv_server *s, srv_reload_req *req) {
    uv_mutex_lock(&s->lock);
    srv_reload_req **tail = &s->reload_queue;
    while (*tail) tail = &(*tail)->next;
    req->next = NULL;
    *tail = req;
    uv_mutex_unlock(&s->lock);
    uv_async_send(&s->wake);
}

void srv_server_ack(srv_server *s, srv_worker *w) {
    uv_mutex_lock(&s->lock);
    w->reload_acked = true;
    s->acks++;
    uv_mutex_unlock(&s->lock);
    uv_async_send(&s->wake);
}

void srv_server_worker_done(srv_server *s) {
    uv_mutex_lock(&s->lock);
    s->workers_done++;
    uv_mutex_unlock(&s->lock);
    uv_async_send(&s->wake);
}

static void answer(srv_reload_req *req) {
    if (req->worker) {
        srv_worker_give_reply(req->worker, req);
    } else {
        free(req->id);
        free(req);
    }
}

static void log_policies(srv_server *s, const char *what, unsigned generation) {
    char list[768] = "";
    size_t used = 0;
    for (int i = 0; i < s->cfg->n_policies && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s=%s", i ? ", " : "",
                                 s->cfg->policies[i].name, s->cfg->policies[i].file);
    srv_log(SRV_LOG_INFO, "%s: generation %u: %s", what, generation, list);
}

/* A connection's TLS state from the current context, which a reload may swap
 * (under the lock: the old context lives on in the connections made from it). */
srv_tls *srv_server_tls_new(srv_server *s) {
    uv_mutex_lock(&s->lock);
    srv_tls *t = srv_tls_new(s->tls);
    uv_mutex_unlock(&s->lock);
    return t;
}

/* The failure of a reload: nothing changed. */
static void reload_failed(srv_server *s, srv_reload_req *req, unsigned generation) {
    req->generation = generation - 1;
    atomic_fetch_add(&s->global.reloads_failed, 1);
    srv_log(SRV_LOG_WARN, "reload failed, still serving generation %u: %s", generation - 1,
            req->error);
    answer(req);
}

/* Builds every worker's new set, and with --tls-cert a new context from the
 * files (a renewed certificate); swaps only when all of them loaded. */
static void start_reload(srv_server *s, srv_reload_req *req) {
    if (s->stopping) {
        snprintf(req->error, sizeof req->error, "the server is shutting down");
        answer(req);
        return;
    }
    unsigned generation = atomic_load(&s->global.generation) + 1;
    void *tls = NULL;
    if (s->cfg->tls_cert && !(tls = srv_tls_context(s->cfg->tls_cert, s->cfg->tls_key, req->error,
                                                    sizeof req->error))) {
        reload_failed(s, req, generation);
        return;
    }
    srv_policyset *sets[s->n_slots];
    for (int i = 0; i < s->n_slots; i++) {
        sets[i] = NULL;
        if (!live(&s->workers[i])) continue;
        sets[i] = srv_policies_open(s->cfg->policies, s->cfg->n_policies, s->cfg->model, generation,
                                    req->error, sizeof req->error);
        if (!sets[i]) {
            while (i-- > 0)
                if (sets[i]) srv_policies_close(sets[i]);
            srv_tls_context_free(tls);
            reload_failed(s, req, generation);
            return;
        }
    }
    if (tls) { /* new connections from now on; open ones keep theirs */
        uv_mutex_lock(&s->lock);
        void *old = s->tls;
        s->tls = tls;
        uv_mutex_unlock(&s->lock);
        srv_tls_context_free(old);
        srv_log(SRV_LOG_INFO, "reloaded --tls-cert %s", s->cfg->tls_cert);
    }
    atomic_store(&s->global.generation, generation);
    req->generation = generation;
    s->reloading = req;
    uv_mutex_lock(&s->lock);
    s->acks = 0;
    for (int i = 0; i < s->n_slots; i++) {
        s->workers[i].in_reload = sets[i] != NULL;
        s->workers[i].reload_acked = false;
    }
    uv_mutex_unlock(&s->lock);
    for (int i = 0; i < s->n_slots; i++)
        if (sets[i]) srv_worker_give_policies(&s->workers[i], sets[i]);
}

/* ---- statistics, for the stats op of any worker ---- */

void srv_server_write_stats(srv_server *s, ds_buf *out) {
    int n = s->n_slots;
    srv_stats *all[n];
    for (int i = 0; i < n; i++) all[i] = &s->workers[i].stats;
    srv_stats_write(out, &s->global, all, n);
}

void srv_server_write_metrics(srv_server *s, ds_buf *out) {
    int n = s->n_slots;
    srv_stats *all[n];
    for (int i = 0; i < n; i++) all[i] = &s->workers[i].stats;
    srv_stats_write_metrics(out, &s->global, all, n);
}

/* Ready: not stopping, and no live worker stuck in one deal for more than half
 * of --deal-timeout (or 5 s without one): a worker that cannot answer now. */
bool srv_server_write_ready(srv_server *s, ds_buf *out) {
    uint64_t now = uv_hrtime(), limit = s->cfg->deal_timeout > 0
                                            ? (uint64_t)(s->cfg->deal_timeout * 0.5e9)
                                            : 5000000000u;
    int live_workers = 0, stuck = 0;
    for (int i = 0; i < s->n_slots; i++) {
        srv_worker *w = &s->workers[i];
        if (w->abandoned) continue;
        live_workers++;
        uint64_t since = atomic_load(&w->busy_since);
        if (since && since < now && now - since > limit) stuck++;
    }
    bool stopping = atomic_load(&s->global.stopping);
    bool ready = !stopping && stuck == 0 && live_workers > 0;
    ds_buf_printf(out,
                  "{\"ready\":%s,\"version\":\"%s\",\"generation\":%u,\"workers\":%d,"
                  "\"stuck\":%d,\"stopping\":%s}\n",
                  ready ? "true" : "false", DEALSCORE_VERSION, atomic_load(&s->global.generation),
                  live_workers, stuck, stopping ? "true" : "false");
    return ready;
}

/* ---- shutdown ---- */

static void close_handles(srv_server *s) {
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sighup, NULL);
    uv_close((uv_handle_t *)&s->wake, NULL);
    uv_close((uv_handle_t *)&s->accept_pause, NULL);
    uv_close((uv_handle_t *)&s->watchdog, NULL);
}

static void on_wake(uv_async_t *a) {
    srv_server *s = a->data;
    uv_mutex_lock(&s->lock);
    srv_reload_req **tail = &s->pending;
    while (*tail) tail = &(*tail)->next;
    *tail = s->reload_queue; /* in the order they were asked for */
    s->reload_queue = NULL;
    /* a reload waits for the live workers it gave policies to, never for a
     * stuck one the watchdog gave up on */
    bool acked = true;
    int done = s->workers_done, alive = 0;
    for (int i = 0; i < s->n_slots; i++) {
        srv_worker *w = &s->workers[i];
        alive += live(w);
        if (live(w) && w->in_reload && !w->reload_acked) acked = false;
    }
    uv_mutex_unlock(&s->lock);
    if (s->reloading && acked) {
        srv_reload_req *req = s->reloading;
        s->reloading = NULL;
        atomic_fetch_add(&s->global.reloads, 1);
        log_policies(s, "reloaded", req->generation);
        answer(req);
    }
    while (!s->reloading && s->pending) { /* one reload at a time */
        srv_reload_req *req = s->pending;
        s->pending = req->next;
        start_reload(s, req);
    }
    if (s->stopping && done >= alive && !s->reloading && !uv_is_closing((uv_handle_t *)a))
        close_handles(s);
}

static void begin_stop(srv_server *s) {
    s->stopping = true;
    atomic_store(&s->global.stopping, true);
    srv_log(SRV_LOG_INFO, "shutting down: no new connections; answering requests in flight");
    uv_poll_stop(&s->listener);
    uv_timer_stop(&s->accept_pause);
    uv_close((uv_handle_t *)&s->listener, NULL);
    close(s->listen_fd);
    refusals_end(s);
    srv_probe_end_all(s);
    for (int i = 0; i < s->n_slots; i++)
        if (live(&s->workers[i])) srv_worker_stop(&s->workers[i]);
    uv_async_send(&s->wake); /* fails queued reloads */
}

static const char *signal_name(int signum) {
    return signum == SIGTERM ? "SIGTERM" : signum == SIGINT ? "SIGINT" : "SIGHUP";
}

static void on_signal(uv_signal_t *h, int signum) {
    srv_server *s = h->data;
    if (signum == SIGHUP) {
        srv_log(SRV_LOG_INFO, "SIGHUP: reloading policies%s",
                s->cfg->tls_cert ? " and the TLS certificate" : "");
        srv_reload_req *req = calloc(1, sizeof *req);
        if (req) srv_server_reload(s, req);
        return;
    }
    if (s->stopping) {
        srv_log(SRV_LOG_WARN, "%s again: exiting now", signal_name(signum));
        _exit(SRV_EXIT_FORCED);
    }
    srv_log(SRV_LOG_INFO, "%s received", signal_name(signum));
    begin_stop(s);
}

/* ---- running ---- */

/* Every worker's policies are opened before any thread starts: a policy that
 * does not load is a setup error, reported once. */
static int start_workers(srv_server *s) {
    char err[1024];
    srv_policyset *sets[s->n_workers];
    s->workers = calloc((size_t)(s->n_workers + SPARE_WORKERS), sizeof *s->workers);
    if (!s->workers) return -1;
    for (int i = 0; i < s->n_workers; i++) {
        sets[i] = srv_policies_open(s->cfg->policies, s->cfg->n_policies, s->cfg->model, 1, err,
                                    sizeof err);
        if (!sets[i]) {
            srv_log(SRV_LOG_ERROR, "%s", err);
            while (i-- > 0) srv_policies_close(sets[i]);
            return -1;
        }
    }
    for (int i = 0; i < s->n_workers; i++) {
        if (srv_worker_start(&s->workers[i], s, i, sets[i]) < 0) {
            srv_log(SRV_LOG_ERROR, "cannot start worker %d", i);
            _exit(SRV_EXIT_SETUP); /* earlier workers run; nothing was served yet */
        }
    }
    s->n_slots = s->n_workers;
    return 0;
}

/* ---- the watchdog ----
 *
 * No budget stops a C call that loops without allocating (docs/reliability.md,
 * "Watchdog"). A worker whose deal runs past --deal-timeout is given up: the
 * deal is answered deadline_exceeded on its connection (after what the worker
 * had queued there), every connection of the worker is shut down, and a fresh
 * worker with the current policies takes its place. Nothing is routed to the
 * stuck one any more, reloads and shutdown no longer wait for it, and its
 * thread is left to run or to end: it checks, when its deal returns, that it
 * was given up, and stops without touching its connections. */

/* Sockets taken from a worker (never opened by it) go to the least loaded live
 * one; with none left, they are refused as a connection over the limit is. */
static void rehome(srv_server *s, const int *fds, int n) {
    for (int i = 0; i < n; i++) {
        srv_worker *w = s->stopping ? NULL : least_loaded(s);
        if (!w) {
            atomic_fetch_sub(&s->global.open, 1);
            if (s->stopping)
                turn_away(fds[i], "shutting_down",
                          "the server is shutting down; this connection was never read");
            else
                refuse(s, fds[i]);
            continue;
        }
        atomic_fetch_add(&w->n_conns, 1);
        srv_worker_give_fd(w, fds[i]);
    }
}

void srv_server_hand_over_fd(srv_server *s, int fd) {
    rehome(s, &fd, 1);
}

void srv_server_hand_over(srv_server *s, srv_handoff *h) {
    srv_worker *w = s->stopping ? NULL : least_loaded(s);
    if (!w) {
        srv_handoff_drop(h);
        atomic_fetch_sub(&s->global.open, 1);
        return;
    }
    atomic_fetch_add(&w->n_conns, 1);
    srv_worker_give_handoff(w, h);
}

#define MOVE_BATCH 64

/* Moves what is queued on a worker busy in a long deal to free workers. */
static void move_queued(srv_server *s, srv_worker *w) {
    int fds[MOVE_BATCH], n, carried;
    do {
        uv_mutex_lock(&w->lock);
        n = srv_worker_take_fds(w, fds, MOVE_BATCH);
        uv_mutex_unlock(&w->lock);
        rehome(s, fds, n);
    } while (n == MOVE_BATCH);
    uv_mutex_lock(&w->lock);
    srv_handoff *list = srv_worker_take_handoffs(w, &carried);
    uv_mutex_unlock(&w->lock);
    while (list) {
        srv_handoff *h = list;
        list = h->next;
        srv_server_hand_over(s, h);
    }
}

/* A health check queued on a busy worker, answered here; false when the
 * connection holds anything else (or not yet a whole request): it stays. */
static bool answer_health(srv_server *s, int fd) {
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    size_t head;
    int kind = n > 0 ? srv_http_health_request(buf, (size_t)n, &head) : -1;
    if (kind < 0) return false;
    ssize_t taken = recv(fd, buf, head, MSG_DONTWAIT); /* the request, read */
    (void)taken;
    ds_buf out;
    ds_buf_init(&out);
    srv_http_health_answer(s, kind, &out);
    ssize_t sent = send(fd, out.data, out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)sent; /* a few hundred bytes into an empty socket buffer */
    ds_buf_free(&out);
    shutdown(fd, SHUT_WR);
    close(fd);
    return true;
}

/* Health checks never wait on a worker: those queued on a worker busy in a long
 * deal (with no free worker to move them to) are answered by this thread. TLS
 * connections are taken over to be looked into (srv_probe.c). */
static void answer_queued_health(srv_server *s, srv_worker *w) {
    if (s->cfg->tls_cert) {
        srv_probe_take(s, w);
        return;
    }
    int answered = 0;
    uv_mutex_lock(&w->lock);
    for (int i = 0; i < w->n_fds;) {
        if (!answer_health(s, w->fds[i])) {
            i++;
            continue;
        }
        memmove(w->fds + i, w->fds + i + 1, sizeof *w->fds * (size_t)(w->n_fds - i - 1));
        w->n_fds--;
        answered++;
    }
    uv_mutex_unlock(&w->lock);
    atomic_fetch_sub(&w->n_conns, answered);
    atomic_fetch_sub(&s->global.open, (uint64_t)answered);
    if (answered)
        srv_log(SRV_LOG_DEBUG, "worker %d busy: %d health checks answered by the acceptor",
                w->index, answered);
}

/* Called with w->lock held and w's thread stuck inside its deal: its
 * connections are not touched by it until it takes that lock. The sockets it
 * was handed but never opened are left in its inbox for the caller to move;
 * the others are answered and shut down, and counted closed now (the thread
 * closes their descriptors if its deal ever returns: srv_worker.c, release). */
static void take_over(srv_server *s, srv_worker *w, double seconds) {
    char reason[160];
    snprintf(reason, sizeof reason,
             "the deal ran past --deal-timeout (%.1f s): its worker was replaced, and this "
             "connection is closed",
             seconds);
    int queued = w->n_fds + w->n_handoffs, closed = atomic_load(&w->n_conns) - queued;
    w->closed = true; /* no policies, reload answers or wake-ups are given to it any more */
    srv_worker_abandon_conns(w, reason);
    atomic_fetch_sub(&s->global.open, (uint64_t)closed);
    atomic_fetch_add(&s->global.deadline_exceeded, 1);
    srv_log(SRV_LOG_WARN,
            "worker %d: a deal ran past --deal-timeout (%.1f s): answered deadline_exceeded, "
            "%d connections closed, %d waiting moved to another worker, the worker replaced",
            w->index, seconds, closed, queued);
}

static void replace(srv_server *s) {
    if (s->stopping) return;
    if (s->n_slots == s->n_workers + SPARE_WORKERS) {
        srv_log(SRV_LOG_ERROR, "no room for another worker: %d given up", s->n_abandoned);
        return;
    }
    char err[1024];
    unsigned generation = atomic_load(&s->global.generation);
    srv_policyset *set = srv_policies_open(s->cfg->policies, s->cfg->n_policies, s->cfg->model,
                                           generation, err, sizeof err);
    int slot = s->n_slots;
    if (!set || srv_worker_start(&s->workers[slot], s, slot, set) < 0) {
        srv_log(SRV_LOG_ERROR, "cannot start a worker to replace a stuck one: %s",
                set ? "thread" : err);
        if (set) srv_policies_close(set);
        return;
    }
    s->n_slots++;
}

/* Runs every 200 ms (at most a tenth of --deal-timeout): moves the connections
 * queued on a worker busy in a long deal to a free one, and gives up a worker
 * whose deal ran past --deal-timeout. */
static void on_watchdog(uv_timer_t *t) {
    srv_server *s = t->data;
    uint64_t now = uv_hrtime(), limit = (uint64_t)(s->cfg->deal_timeout * 1e9);
    srv_probe_tick(s);
    for (int i = 0; i < s->n_slots; i++) {
        srv_worker *w = &s->workers[i];
        uint64_t since = atomic_load(&w->busy_since);
        /* since may be later than now: a deal that began after now was read */
        if (!live(w) || !since || since >= now) continue;
        if (limit == 0 || now - since < limit) {
            if (busy_long(w, now) && any_free(s))
                move_queued(s, w);
            else if (busy_long(w, now))
                answer_queued_health(s, w);
            continue;
        }
        uv_mutex_lock(&w->lock);
        bool stuck = atomic_load(&w->busy_since) == since; /* the same deal, still running */
        if (stuck) {
            w->abandoned = true;
            take_over(s, w, (double)(now - since) / 1e9);
        }
        uv_mutex_unlock(&w->lock);
        if (!stuck) continue;
        s->n_abandoned++;
        replace(s);
        move_queued(s, w);       /* to the new worker, or another live one */
        uv_async_send(&s->wake); /* a reload or a shutdown may wait for it no more */
    }
}

static void init_handles(srv_server *s) {
    uv_poll_init(&s->loop, &s->listener, s->listen_fd);
    s->listener.data = s;
    uv_timer_init(&s->loop, &s->accept_pause);
    s->accept_pause.data = s;
    uv_async_init(&s->loop, &s->wake, on_wake);
    s->wake.data = s;
    uv_signal_t *sigs[] = {&s->sigterm, &s->sigint, &s->sighup};
    int nums[] = {SIGTERM, SIGINT, SIGHUP};
    for (int i = 0; i < 3; i++) {
        uv_signal_init(&s->loop, sigs[i]);
        sigs[i]->data = s;
        uv_signal_start(sigs[i], on_signal, nums[i]);
    }
}

/* Descriptors kept for the listener, the loops, the workers' wake-ups, the log
 * and policy files, over the connections themselves. */
#define FD_RESERVE(workers) (32 + 4 * (workers))

/* Connections past the open-file limit would never be answered: accept() fails
 * and the client waits in the backlog. So the limit is clamped to what the
 * process may open, with a warning at startup. */
static void clamp_connections(srv_config *cfg) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return;
    rlim_t reserve = (rlim_t)FD_RESERVE(cfg->workers);
    if ((rlim_t)cfg->max_connections + reserve <= rl.rlim_cur) return;
    int fit = rl.rlim_cur > reserve + 1 ? (int)(rl.rlim_cur - reserve) : 1;
    srv_log(SRV_LOG_WARN,
            "--max-connections %d is over the open-file limit (ulimit -n %llu, %llu kept for "
            "the server itself): at most %d connections",
            cfg->max_connections, (unsigned long long)rl.rlim_cur, (unsigned long long)reserve,
            fit);
    cfg->max_connections = fit;
}

int srv_run(const srv_config *caller) {
    signal(SIGPIPE, SIG_IGN);            /* a client that goes away is a write error, not our end */
    dealscore_set_print(srv_log_policy); /* policies' prints are log lines too */
    srv_server *s = calloc(1, sizeof *s);
    if (!s || uv_loop_init(&s->loop) < 0 || uv_mutex_init(&s->lock) < 0) return SRV_EXIT_SETUP;
    s->config = *caller;
    const srv_config *cfg = s->cfg = &s->config;
    clamp_connections(&s->config);
    s->n_workers = cfg->workers;
    s->global.workers = cfg->workers;
    s->global.started_ns = uv_hrtime();
    atomic_store(&s->global.generation, 1);
    char err[1024];
    if (cfg->tls_cert && !(s->tls = srv_tls_context(cfg->tls_cert, cfg->tls_key, err, sizeof err)))
        srv_log(SRV_LOG_ERROR, "%s", err);
    if ((cfg->tls_cert && !s->tls) || open_listener(s) < 0) {
        srv_tls_context_free(s->tls);
        uv_loop_close(&s->loop);
        free(s);
        return SRV_EXIT_SETUP;
    }
    if (start_workers(s) < 0) {
        srv_tls_context_free(s->tls);
        close(s->listen_fd);
        free(s->workers);
        uv_loop_close(&s->loop);
        free(s);
        return SRV_EXIT_SETUP;
    }
    init_handles(s);
    uv_timer_init(&s->loop, &s->watchdog);
    s->watchdog.data = s;
    uint64_t every = cfg->deal_timeout > 0 ? (uint64_t)(cfg->deal_timeout * 1000 / 10) + 1 : 200;
    if (every > 200) every = 200;
    uv_timer_start(&s->watchdog, on_watchdog, every, every);
    uv_poll_start(&s->listener, UV_READABLE, on_accept);
    char where[96];
    bound_address(s->listen_fd, where, sizeof where);
    srv_log(SRV_LOG_INFO, "listening on %s%s (%d workers, at most %d connections)", where,
            s->tls ? " with TLS" : "", s->n_workers, cfg->max_connections);
    log_policies(s, "policies", 1);
    uv_run(&s->loop, UV_RUN_DEFAULT);

    uint64_t answered = 0;
    for (int i = 0; i < s->n_slots; i++) {
        if (!live(&s->workers[i])) continue; /* still stuck, maybe: never joined */
        uv_thread_join(&s->workers[i].thread);
        answered += atomic_load(&s->workers[i].stats.requests);
        srv_worker_free(&s->workers[i]);
    }
    srv_log(SRV_LOG_INFO, "stopped after %llu requests", (unsigned long long)answered);
    /* a given-up thread may still run, and its memory cannot be freed: end here,
     * without exit()'s handlers racing it (or a leak checker reporting it) */
    if (s->n_abandoned) _exit(SRV_EXIT_OK);
    free(s->workers);
    srv_tls_context_free(s->tls);
    uv_loop_close(&s->loop);
    uv_mutex_destroy(&s->lock);
    free(s);
    return SRV_EXIT_OK;
}
