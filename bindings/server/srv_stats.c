/* srv_stats.c: the service's counters and latency histograms.
 *
 * Every worker owns one srv_stats and is its only writer, so a count is a relaxed
 * load and store (no locked instruction on the request path); `stats` reads every
 * worker's counters and sums them. Latencies go into a fixed log-scale histogram
 * (8 buckets per power of two, so a percentile is within about 6% of the truth),
 * which merges by adding buckets: percentiles over all workers cost nothing until
 * someone asks. */
#include <stddef.h>
#include <string.h>
#include <uv.h>

#include "srv_int.h"

void srv_stats_add(atomic_uint_fast64_t *c, uint64_t n) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

int srv_stats_bucket(uint64_t ns) {
    if (ns < 8) return (int)ns;
    int top = 63 - __builtin_clzll(ns); /* >= 3 */
    int b = (top - 2) * 8 + (int)((ns >> (top - 3)) & 7);
    return b < SRV_HIST_BUCKETS ? b : SRV_HIST_BUCKETS - 1;
}

static uint64_t bucket_low(int b) {
    if (b < 8) return (uint64_t)b;
    int top = b / 8 + 2;
    return (uint64_t)(8 + b % 8) << (top - 3);
}

uint64_t srv_stats_bucket_mid(int b) {
    if (b < 8) return (uint64_t)b;
    uint64_t low = bucket_low(b), high = bucket_low(b + 1);
    return low + (high - low) / 2;
}

void srv_stats_latency(srv_stats *s, uint64_t ns) {
    srv_stats_add(&s->latency[srv_stats_bucket(ns)], 1);
    if (ns > atomic_load_explicit(&s->latency_max_ns, memory_order_relaxed))
        atomic_store_explicit(&s->latency_max_ns, ns, memory_order_relaxed);
}

void srv_stats_named(srv_named_counters *t, const char *name, size_t len) {
    int n = atomic_load_explicit(&t->n, memory_order_relaxed);
    if (len >= sizeof t->items[0].name) len = sizeof t->items[0].name - 1;
    for (int i = 0; i < n; i++)
        if (strncmp(t->items[i].name, name, len) == 0 && t->items[i].name[len] == '\0') {
            srv_stats_add(&t->items[i].count, 1);
            return;
        }
    if (n == SRV_NAMED_MAX) return; /* full: names are a small fixed vocabulary */
    memcpy(t->items[n].name, name, len);
    t->items[n].name[len] = '\0';
    atomic_store_explicit(&t->items[n].count, 1, memory_order_relaxed);
    atomic_store_explicit(&t->n, n + 1, memory_order_release); /* publish the name */
}

static uint64_t get(const atomic_uint_fast64_t *c) {
    return atomic_load_explicit(c, memory_order_relaxed);
}

/* Sums the counter at offset over every worker. */
static uint64_t sum_at(srv_stats *const *workers, int n, size_t offset) {
    uint64_t sum = 0;
    for (int i = 0; i < n; i++)
        sum += get((const atomic_uint_fast64_t *)((const char *)workers[i] + offset));
    return sum;
}
#define SUM(field) sum_at(workers, n, offsetof(srv_stats, field))
#define SUM_AT(field, k)                                                                           \
    sum_at(workers, n, offsetof(srv_stats, field) + (size_t)(k) * sizeof(atomic_uint_fast64_t))

/* Counters by name merged over workers: fills names and counts, returns how many. */
#define NAMED_ALL (SRV_NAMED_MAX * 4)
static int merge_named(srv_stats *const *workers, int n, size_t offset, char (*names)[40],
                       uint64_t *counts) {
    int used = 0;
    for (int w = 0; w < n; w++) {
        srv_named_counters *t = (srv_named_counters *)((char *)workers[w] + offset);
        int items = atomic_load_explicit(&t->n, memory_order_acquire);
        for (int i = 0; i < items; i++) {
            int k = 0;
            while (k < used && strcmp(names[k], t->items[i].name) != 0) k++;
            if (k == used) {
                if (used == NAMED_ALL) continue;
                memcpy(names[used++], t->items[i].name, sizeof names[0]);
                counts[k] = 0;
            }
            counts[k] += get(&t->items[i].count);
        }
    }
    return used;
}

/* {"name": count, ...} merged over workers by name */
static void write_named(ds_buf *b, srv_stats *const *workers, int n, size_t offset) {
    char names[NAMED_ALL][40];
    uint64_t counts[NAMED_ALL];
    int used = merge_named(workers, n, offset, names, counts);
    ds_buf_putc(b, '{');
    for (int k = 0; k < used; k++) {
        if (k) ds_buf_putc(b, ',');
        ds_buf_json_string(b, names[k]);
        ds_buf_printf(b, ":%llu", (unsigned long long)counts[k]);
    }
    ds_buf_putc(b, '}');
}

static void write_latency(ds_buf *b, srv_stats *const *workers, int n) {
    static const double wanted[] = {0.5, 0.9, 0.99, 0.999};
    static const char *const names[] = {"p50", "p90", "p99", "p999"};
    uint64_t hist[SRV_HIST_BUCKETS], total = 0, max = 0;
    for (int k = 0; k < SRV_HIST_BUCKETS; k++) {
        hist[k] = SUM_AT(latency, k);
        total += hist[k];
    }
    for (int i = 0; i < n; i++)
        if (get(&workers[i]->latency_max_ns) > max) max = get(&workers[i]->latency_max_ns);
    ds_buf_printf(b, "{\"count\":%llu", (unsigned long long)total);
    for (int q = 0; q < 4; q++) {
        uint64_t rank = (uint64_t)(wanted[q] * (double)total), seen = 0;
        int k = 0;
        while (k < SRV_HIST_BUCKETS - 1 && seen + hist[k] <= rank) seen += hist[k++];
        ds_buf_printf(b, ",\"%s\":", names[q]);
        ds_buf_json_number(b, total ? (double)srv_stats_bucket_mid(k) / 1000.0 : 0.0, 1);
    }
    ds_buf_puts(b, ",\"max\":");
    ds_buf_json_number(b, (double)max / 1000.0, 1);
    ds_buf_putc(b, '}');
}

void srv_stats_write(ds_buf *b, const srv_global *g, srv_stats *const *workers, int n) {
    double uptime = (double)(uv_hrtime() - g->started_ns) / 1e9;
    ds_buf_puts(b, "{\"uptime_s\":");
    ds_buf_json_number(b, uptime, 1);
    ds_buf_printf(b, ",\"version\":\"%s\",\"workers\":%d,\"generation\":%u", DEALSCORE_VERSION,
                  g->workers, atomic_load(&g->generation));
    ds_buf_printf(b,
                  ",\"connections\":{\"open\":%llu,\"accepted\":%llu,\"refused\":%llu,"
                  "\"idle_closed\":%llu,\"backpressure_pauses\":%llu}",
                  (unsigned long long)get(&g->open), (unsigned long long)get(&g->accepted),
                  (unsigned long long)get(&g->refused), (unsigned long long)SUM(idle_closed),
                  (unsigned long long)SUM(backpressure_pauses));
    ds_buf_printf(b, ",\"requests\":{\"total\":%llu,\"errors\":%llu",
                  (unsigned long long)SUM(requests), (unsigned long long)SUM(errors));
    for (int op = 0; op < SRV_NOPS; op++)
        ds_buf_printf(b, ",\"%s\":%llu", srv_ops[op].name, (unsigned long long)SUM_AT(ops, op));
    ds_buf_puts(b, "},\"errors\":");
    write_named(b, workers, n, offsetof(srv_stats, error_codes));
    ds_buf_puts(b, ",\"policies\":");
    write_named(b, workers, n, offsetof(srv_stats, policies));
    ds_buf_puts(b, ",\"latency_us\":");
    write_latency(b, workers, n);
    ds_buf_printf(b, ",\"bytes\":{\"in\":%llu,\"out\":%llu}", (unsigned long long)SUM(bytes_in),
                  (unsigned long long)SUM(bytes_out));
    ds_buf_printf(b, ",\"reloads\":{\"ok\":%llu,\"failed\":%llu}",
                  (unsigned long long)get(&g->reloads),
                  (unsigned long long)get(&g->reloads_failed));
    ds_buf_printf(b, ",\"deadline_exceeded\":%llu}",
                  (unsigned long long)get(&g->deadline_exceeded));
}

/* ---- the Prometheus text format (GET /metrics) ----
 *
 * https://prometheus.io/docs/instrumenting/exposition_formats/: a # HELP and a
 * # TYPE line per family, then one sample per line. Counters end in _total;
 * histograms give cumulative _bucket{le=...} samples, _sum and _count. */

static void family(ds_buf *b, const char *name, const char *type, const char *help) {
    ds_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *op_label(int op) {
    return op < SRV_NOPS ? srv_ops[op].name : "none";
}

static void write_ops(ds_buf *b, srv_stats *const *workers, int n) {
    family(b, "dealscore_requests_total", "counter",
           "Requests answered, by op (none: rejected before an op was known) and outcome.");
    for (int op = 0; op <= SRV_NOPS; op++) {
        ds_buf_printf(b, "dealscore_requests_total{op=\"%s\",outcome=\"ok\"} %llu\n", op_label(op),
                      (unsigned long long)SUM_AT(op_ok, op));
        ds_buf_printf(b, "dealscore_requests_total{op=\"%s\",outcome=\"error\"} %llu\n",
                      op_label(op), (unsigned long long)SUM_AT(op_errors, op));
    }
    family(b, "dealscore_request_duration_seconds", "histogram",
           "Service time of a request in the server, from its last byte to its answer.");
    for (int op = 0; op <= SRV_NOPS; op++) {
        uint64_t cumulative = 0;
        size_t row = offsetof(srv_stats, op_buckets) +
                     (size_t)op * SRV_PROM_BUCKETS * sizeof(atomic_uint_fast64_t);
        for (int k = 0; k < SRV_PROM_BUCKETS; k++) {
            cumulative += sum_at(workers, n, row + (size_t)k * sizeof(atomic_uint_fast64_t));
            ds_buf_printf(
                b, "dealscore_request_duration_seconds_bucket{op=\"%s\",le=\"%g\"} %llu\n",
                op_label(op), (double)srv_ops_bound_ns(k) / 1e9, (unsigned long long)cumulative);
        }
        uint64_t count = SUM_AT(op_ok, op) + SUM_AT(op_errors, op);
        ds_buf_printf(b, "dealscore_request_duration_seconds_bucket{op=\"%s\",le=\"+Inf\"} %llu\n",
                      op_label(op), (unsigned long long)count);
        ds_buf_printf(b, "dealscore_request_duration_seconds_sum{op=\"%s\"} %.9f\n", op_label(op),
                      (double)SUM_AT(op_latency_ns, op) / 1e9);
        ds_buf_printf(b, "dealscore_request_duration_seconds_count{op=\"%s\"} %llu\n", op_label(op),
                      (unsigned long long)count);
    }
}

/* metric{label="name"} count, one sample per name, merged over workers; a label
 * value escapes \\, " and newlines, as the format says. */
static void write_named_samples(ds_buf *b, const char *metric, const char *label,
                                srv_stats *const *workers, int n, size_t offset) {
    char names[NAMED_ALL][40];
    uint64_t counts[NAMED_ALL];
    int used = merge_named(workers, n, offset, names, counts);
    for (int k = 0; k < used; k++) {
        ds_buf_printf(b, "%s{%s=\"", metric, label);
        for (const char *p = names[k]; *p; p++) {
            if (*p == '\\' || *p == '"') ds_buf_putc(b, '\\');
            if (*p == '\n')
                ds_buf_puts(b, "\\n");
            else
                ds_buf_putc(b, *p);
        }
        ds_buf_printf(b, "\"} %llu\n", (unsigned long long)counts[k]);
    }
}

static uint64_t named_count(srv_stats *const *workers, int n, size_t offset, const char *name) {
    char names[NAMED_ALL][40];
    uint64_t counts[NAMED_ALL];
    int used = merge_named(workers, n, offset, names, counts);
    for (int k = 0; k < used; k++)
        if (strcmp(names[k], name) == 0) return counts[k];
    return 0;
}

void srv_stats_write_metrics(ds_buf *b, const srv_global *g, srv_stats *const *workers, int n) {
    family(b, "dealscore_build_info", "gauge", "The version, and the policy generation loaded.");
    ds_buf_printf(b, "dealscore_build_info{version=\"%s\",generation=\"%u\"} 1\n",
                  DEALSCORE_VERSION, atomic_load(&g->generation));
    family(b, "dealscore_uptime_seconds", "gauge", "Seconds since the server started.");
    ds_buf_printf(b, "dealscore_uptime_seconds %.3f\n",
                  (double)(uv_hrtime() - g->started_ns) / 1e9);
    write_ops(b, workers, n);
    family(b, "dealscore_deals_scored_total", "counter",
           "Deals scored without an error, by policy.");
    write_named_samples(b, "dealscore_deals_scored_total", "policy", workers, n,
                        offsetof(srv_stats, scored));
    family(b, "dealscore_errors_total", "counter", "Error answers, by code.");
    write_named_samples(b, "dealscore_errors_total", "code", workers, n,
                        offsetof(srv_stats, error_codes));
    family(b, "dealscore_policy_timeouts_total", "counter",
           "Deals whose policy ran out of its instruction budget (policy_timeout).");
    ds_buf_printf(b, "dealscore_policy_timeouts_total %llu\n",
                  (unsigned long long)named_count(workers, n, offsetof(srv_stats, error_codes),
                                                  "policy_timeout"));
    family(b, "dealscore_policy_memory_errors_total", "counter",
           "Deals whose policy ran out of its memory budget (policy_memory).");
    ds_buf_printf(b, "dealscore_policy_memory_errors_total %llu\n",
                  (unsigned long long)named_count(workers, n, offsetof(srv_stats, error_codes),
                                                  "policy_memory"));
    family(b, "dealscore_deadline_exceeded_total", "counter",
           "Deals given up by the watchdog (--deal-timeout).");
    ds_buf_printf(b, "dealscore_deadline_exceeded_total %llu\n",
                  (unsigned long long)get(&g->deadline_exceeded));
    family(b, "dealscore_connections_open", "gauge", "Connections open now.");
    ds_buf_printf(b, "dealscore_connections_open %llu\n", (unsigned long long)get(&g->open));
    family(b, "dealscore_connections_total", "counter",
           "Connections by what became of them: accepted, refused (--max-connections), "
           "idle_closed (--idle-timeout).");
    ds_buf_printf(b, "dealscore_connections_total{event=\"accepted\"} %llu\n",
                  (unsigned long long)get(&g->accepted));
    ds_buf_printf(b, "dealscore_connections_total{event=\"refused\"} %llu\n",
                  (unsigned long long)get(&g->refused));
    ds_buf_printf(b, "dealscore_connections_total{event=\"idle_closed\"} %llu\n",
                  (unsigned long long)SUM(idle_closed));
    family(b, "dealscore_backpressure_pauses_total", "counter",
           "Times a connection stopped being read because its client did not read answers.");
    ds_buf_printf(b, "dealscore_backpressure_pauses_total %llu\n",
                  (unsigned long long)SUM(backpressure_pauses));
    family(b, "dealscore_http_responses_total", "counter",
           "HTTP responses, by status class (those of the acceptor thread included).");
    for (int k = 1; k < 6; k++)
        ds_buf_printf(b, "dealscore_http_responses_total{code=\"%dxx\"} %llu\n", k,
                      (unsigned long long)(SUM_AT(http_status, k) + get(&g->http_status[k])));
    family(b, "dealscore_health_checks_total", "counter",
           "GET /healthz and /readyz answered, by check and by who answered: a worker, or the "
           "acceptor thread (for a worker busy in a long deal).");
    static const char *const checks[2] = {"healthz", "readyz"};
    for (int k = 0; k < 2; k++) {
        ds_buf_printf(b,
                      "dealscore_health_checks_total{check=\"%s\",answered_by=\"worker\"} %llu\n",
                      checks[k], (unsigned long long)SUM_AT(health, k));
        ds_buf_printf(b,
                      "dealscore_health_checks_total{check=\"%s\",answered_by=\"acceptor\"} %llu\n",
                      checks[k], (unsigned long long)get(&g->health[k]));
    }
    family(b, "dealscore_bytes_total", "counter", "Bytes read from and written to clients.");
    ds_buf_printf(b, "dealscore_bytes_total{direction=\"in\"} %llu\n",
                  (unsigned long long)SUM(bytes_in));
    ds_buf_printf(b, "dealscore_bytes_total{direction=\"out\"} %llu\n",
                  (unsigned long long)SUM(bytes_out));
    family(b, "dealscore_reloads_total", "counter", "Policy reloads, by outcome.");
    ds_buf_printf(b, "dealscore_reloads_total{outcome=\"ok\"} %llu\n",
                  (unsigned long long)get(&g->reloads));
    ds_buf_printf(b, "dealscore_reloads_total{outcome=\"failed\"} %llu\n",
                  (unsigned long long)get(&g->reloads_failed));
    family(b, "dealscore_worker_queue_depth", "gauge",
           "Per worker: connections holding received requests it cannot answer yet (their "
           "client does not read its answers, or they wait for a reload).");
    for (int i = 0; i < n; i++)
        ds_buf_printf(b, "dealscore_worker_queue_depth{worker=\"%d\"} %d\n", i,
                      atomic_load(&workers[i]->backlog));
}
