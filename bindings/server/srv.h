/* srv.h: the scoring service, `dealscore serve`: what a front end needs to run it
 * (its configuration, srv_run and the log). The internals are in srv_int.h.
 *
 * One acceptor (the main thread's libuv loop, which also handles signals and
 * coordinates reloads) hands accepted sockets to N worker threads. Each worker runs
 * its own libuv loop, its own Lua policies and its own deal arena, and answers the
 * newline-delimited JSON protocol of docs/protocol.md on the connections it owns.
 * Nothing on the request path is shared between workers; statistics are per-worker
 * counters that only their worker writes and that `stats` sums on demand.
 *
 * Files: srv_server.c (acceptor, signals, reload, shutdown), srv_worker.c (worker
 * threads), srv_conn.c (one connection: transport only, bytes in, responses out,
 * bounds), srv_ops.c (the table of operations a request names), srv_proto.c
 * (request lines and responses), srv_policies.c (policy sets), srv_stats.c
 * (counters and latency histograms), srv_log.c (one-line leveled logs). */
#ifndef SRV_H
#define SRV_H

#include <stdbool.h>
#include <stddef.h>

#include "dealscore.h"

/* ---- configuration and entry point ---- */

typedef struct srv_policy_spec {
    const char *name; /* what requests name in "policy" */
    const char *file; /* the Lua file */
} srv_policy_spec;

typedef struct srv_config {
    const char *host; /* numeric IPv4 or IPv6 address */
    int port;         /* 0: any free port (the log says which) */
    int workers;
    const srv_policy_spec *policies; /* at least one; the first named "default", else
                                        the first, scores bare deals */
    int n_policies;
    size_t max_line;     /* bytes per request line */
    int max_connections; /* open at once, all workers together */
    double idle_timeout; /* seconds without traffic before a close; 0 = never */
    double deal_timeout; /* seconds one deal may run before its worker is replaced; 0 = never */
    const char *token;   /* required by stats and reload when not NULL */
    bool token_all;      /* the token is required by every op */
    const char *tls_cert, *tls_key; /* PEM files: every connection speaks TLS; NULL: none */
    const dealscore_model *model;   /* its budgets (runtime section) bound every policy */
} srv_config;

enum { SRV_EXIT_OK = 0, SRV_EXIT_FORCED = 1, SRV_EXIT_SETUP = 2 };

/* Runs the service until SIGTERM/SIGINT. Returns an SRV_EXIT_* code. */
int srv_run(const srv_config *cfg);

/* ---- logs (srv_log.c): "2026-11-23T19:50:47.123Z info message" on stderr, or
 * {"time":"2026-11-23T19:50:47.123Z","level":"info","msg":"message"} ---- */

enum { SRV_LOG_ERROR, SRV_LOG_WARN, SRV_LOG_INFO, SRV_LOG_DEBUG };
extern int srv_log_level;
extern bool srv_log_json; /* --log-format json: {"time","level","msg"} per line */
/* Parses "error", "warn", "info", "debug"; -1 for anything else. */
int srv_log_parse_level(const char *name);
/* A policy's print() line, logged as the service's other lines with the
 * policy's name (dealscore_set_print). */
void srv_log_policy(const char *policy, const char *line);
void srv_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
