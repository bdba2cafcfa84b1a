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

/* {"name": count, ...} merged over workers by name */
static void write_named(ds_buf *b, srv_stats *const *workers, int n, size_t offset) {
    char names[SRV_NAMED_MAX * 4][40];
    uint64_t counts[SRV_NAMED_MAX * 4];
    int used = 0;
    for (int w = 0; w < n; w++) {
        srv_named_counters *t = (srv_named_counters *)((char *)workers[w] + offset);
        int items = atomic_load_explicit(&t->n, memory_order_acquire);
        for (int i = 0; i < items; i++) {
            int k = 0;
            while (k < used && strcmp(names[k], t->items[i].name) != 0) k++;
            if (k == used) {
                if (used == SRV_NAMED_MAX * 4) continue;
                memcpy(names[used++], t->items[i].name, sizeof names[0]);
                counts[k] = 0;
            }
            counts[k] += get(&t->items[i].count);
        }
    }
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
    ds_buf_printf(b, ",\"workers\":%d,\"generation\":%u", g->workers, atomic_load(&g->generation));
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
