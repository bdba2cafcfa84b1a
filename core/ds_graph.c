/* ds_graph.c: sway matrix, Friedkin-Johnsen, PageRank and widest paths; see ds_graph.h. */
#include "ds_graph.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#define AT(m, n, i, j) ((m)[(size_t)(i) * (size_t)(n) + (size_t)(j)])

static double *alloc_doubles(ds_arena *a, size_t count) {
    return ds_arena_alloc(a, sizeof(double) * (count ? count : 1));
}

/* A[i][j]: how much j's stance moves i (the table of section 2). */
static void build_sway(ds_graph *g, const ds_deal *d, const ds_params *p) {
    int n = g->n;
    for (int k = 0; k < d->n_relationships; k++) {
        const ds_relationship *r = &d->relationships[k];
        int a = r->from, b = r->to;
        double w = r->strength;
        switch (r->type) {
        case DS_REL_INFLUENCES:
            AT(g->sway, n, b, a) += w;
            break;
        case DS_REL_REPORTS_TO:
            AT(g->sway, n, a, b) += w;
            AT(g->sway, n, b, a) += p->upward_voice * w;
            break;
        case DS_REL_TRUSTS:
            AT(g->sway, n, a, b) += w;
            break;
        case DS_REL_PEER:
            AT(g->sway, n, a, b) += w / 2;
            AT(g->sway, n, b, a) += w / 2;
            break;
        case DS_REL_CONFLICT:
            AT(g->sway, n, a, b) -= w;
            AT(g->sway, n, b, a) -= w;
            break;
        }
        if (r->type != DS_REL_CONFLICT) {
            if (w > AT(g->tie, n, a, b)) AT(g->tie, n, a, b) = AT(g->tie, n, b, a) = w;
        }
    }
}

/* The nonzero entries of a matrix, for iterations that would otherwise walk all
 * n x n cells each round: a committee has far fewer ties than pairs. */
typedef struct edge {
    int from, to;
    double weight;
} edge;

/* Entries of A that are nonzero (or positive): the edges an iteration walks. */
static size_t count_nonzero(const ds_graph *g, bool positive) {
    size_t count = 0, cells = (size_t)g->n * (size_t)g->n;
    for (size_t k = 0; k < cells; k++) count += positive ? g->sway[k] > 0 : g->sway[k] != 0;
    return count;
}

/* Friedkin-Johnsen: x(t+1) = (1 - s) x(0) + s W x(t), Jacobi updates, with
 * W[i][j] = A[i][j] / sum_j |A[i][j]| held as a list of its nonzero entries. */
static int predict_stances(ds_graph *g, const ds_deal *d, const ds_params *p) {
    int n = g->n;
    double *s = alloc_doubles(g->arena, n), *next = alloc_doubles(g->arena, n);
    edge *w = ds_arena_alloc(g->arena, sizeof(edge) * (count_nonzero(g, false) + 1));
    if (!s || !next || !w) return -1;
    int edges = 0;
    for (int i = 0; i < n; i++) {
        double row = 0;
        for (int j = 0; j < n; j++) row += fabs(AT(g->sway, n, i, j));
        for (int j = 0; row > 0 && j < n; j++)
            if (AT(g->sway, n, i, j) != 0) w[edges++] = (edge){i, j, AT(g->sway, n, i, j) / row};
        if (row > 0) s[i] = p->susceptibility[d->stakeholders[i].level];
        g->predicted[i] = d->stakeholders[i].stance;
    }
    int max_rounds = (int)p->stance_max_rounds;
    for (g->stance_rounds = 0; g->stance_rounds < max_rounds;) {
        memset(next, 0, sizeof(double) * (size_t)n);
        for (int e = 0; e < edges; e++) next[w[e].from] += w[e].weight * g->predicted[w[e].to];
        double change = 0;
        for (int i = 0; i < n; i++) {
            next[i] = (1 - s[i]) * d->stakeholders[i].stance + s[i] * next[i];
            change = fmax(change, fabs(next[i] - g->predicted[i]));
        }
        memcpy(g->predicted, next, sizeof(double) * (size_t)n);
        g->stance_rounds++;
        if (change < p->stance_tolerance) break;
    }
    for (int i = 0; i < n; i++) g->predicted[i] = fmax(-1.0, fmin(1.0, g->predicted[i]));
    return 0;
}

/* Weighted PageRank on i -> j with weight max(0, A[i][j]): rank flows to the one
 * listened to. Dangling mass is spread evenly. */
static int rank_listeners(ds_graph *g, const ds_params *p) {
    int n = g->n;
    double *out = alloc_doubles(g->arena, n), *next = alloc_doubles(g->arena, n);
    edge *links = ds_arena_alloc(g->arena, sizeof(edge) * (count_nonzero(g, true) + 1));
    if (!out || !next || !links) return -1;
    int count = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) out[i] += fmax(0.0, AT(g->sway, n, i, j));
        for (int j = 0; j < n; j++)
            if (AT(g->sway, n, i, j) > 0)
                links[count++] = (edge){i, j, AT(g->sway, n, i, j) / out[i]};
        g->pagerank[i] = 1.0 / n;
    }
    double damping = p->pagerank_damping;
    int max_rounds = (int)p->pagerank_max_rounds;
    for (g->pagerank_rounds = 0; g->pagerank_rounds < max_rounds;) {
        double dangling = 0;
        for (int i = 0; i < n; i++)
            if (out[i] <= 0) dangling += g->pagerank[i];
        for (int j = 0; j < n; j++) next[j] = (1 - damping) / n + damping * dangling / n;
        for (int e = 0; e < count; e++)
            next[links[e].to] += damping * g->pagerank[links[e].from] * links[e].weight;
        double change = 0;
        for (int i = 0; i < n; i++) change += fabs(next[i] - g->pagerank[i]);
        memcpy(g->pagerank, next, sizeof(double) * (size_t)n);
        g->pagerank_rounds++;
        if (change < p->pagerank_tolerance) break;
    }
    return 0;
}

static void blend_influence(ds_graph *g, const ds_deal *d, const ds_params *p) {
    double top = 0;
    for (int i = 0; i < g->n; i++) top = fmax(top, g->pagerank[i]);
    for (int i = 0; i < g->n; i++) {
        double rank = top > 0 ? g->pagerank[i] / top : 0;
        g->effective[i] =
            p->influence_blend * d->stakeholders[i].influence + (1 - p->influence_blend) * rank;
    }
}

int ds_graph_build(ds_graph *g, const ds_deal *d, const ds_params *p, ds_arena *a) {
    memset(g, 0, sizeof *g);
    int n = g->n = d->n_stakeholders;
    g->arena = a;
    g->sway = alloc_doubles(a, (size_t)n * n);
    g->tie = alloc_doubles(a, (size_t)n * n);
    g->predicted = alloc_doubles(a, n);
    g->pagerank = alloc_doubles(a, n);
    g->effective = alloc_doubles(a, n);
    g->widest = ds_arena_alloc(a, sizeof(double *) * (size_t)(n ? n : 1));
    if (!g->sway || !g->tie || !g->predicted || !g->pagerank || !g->effective || !g->widest)
        return -1;
    if (n == 0) return 0;
    build_sway(g, d, p);
    if (predict_stances(g, d, p) < 0 || rank_listeners(g, p) < 0) return -1;
    blend_influence(g, d, p);
    return 0;
}

int ds_graph_derive(ds_graph *g, const ds_graph *base, const ds_deal *d, const ds_params *p,
                    ds_arena *a, bool stances_changed) {
    *g = *base;
    g->arena = a;
    int n = g->n;
    /* a private cache: rows computed for the copy must not outlive it in the base */
    g->widest = ds_arena_alloc(a, sizeof(double *) * (size_t)(n ? n : 1));
    if (!g->widest) return -1;
    memcpy(g->widest, base->widest, sizeof(double *) * (size_t)n);
    if (!stances_changed || n == 0) return 0;
    g->predicted = alloc_doubles(a, n);
    if (!g->predicted) return -1;
    return predict_stances(g, d, p);
}

int ds_graph_reblend(ds_graph *g, const ds_deal *d, const ds_params *p, ds_arena *a) {
    g->effective = alloc_doubles(a, g->n);
    if (!g->effective) return -1;
    blend_influence(g, d, p);
    return 0;
}

/* Widest paths from a (a maximum-product variant of Dijkstra: ties are <= 1, so a
 * path never gets wider by growing). prev, when given, gets each node's
 * predecessor on its widest path (-1 for a and for nodes out of reach). */
static void widest_search(const ds_graph *g, int a, double *best, unsigned char *done, int *prev) {
    int n = g->n;
    best[a] = 1.0;
    if (prev)
        for (int i = 0; i < n; i++) prev[i] = -1;
    for (;;) {
        int u = -1;
        for (int i = 0; i < n; i++)
            if (!done[i] && best[i] > 0 && (u < 0 || best[i] > best[u])) u = i;
        if (u < 0) break;
        done[u] = 1;
        for (int v = 0; v < n; v++) {
            double through = best[u] * AT(g->tie, n, u, v);
            if (!done[v] && through > best[v]) {
                best[v] = through;
                if (prev) prev[v] = u;
            }
        }
    }
}

static const double *widest_from(ds_graph *g, int a) {
    if (g->widest[a]) return g->widest[a];
    double *best = alloc_doubles(g->arena, g->n);
    unsigned char *done = ds_arena_alloc(g->arena, (size_t)g->n);
    if (!best || !done) return NULL;
    widest_search(g, a, best, done, NULL);
    g->widest[a] = best;
    return best;
}

int ds_graph_widest_path(ds_graph *g, int a, int b, int *path) {
    int n = g->n;
    double *best = alloc_doubles(g->arena, n);
    unsigned char *done = ds_arena_alloc(g->arena, (size_t)n);
    int *prev = ds_arena_alloc(g->arena, sizeof(int) * (size_t)n);
    if (!best || !done || !prev) return -1;
    widest_search(g, a, best, done, prev);
    if (a != b && prev[b] < 0) return 0;
    int len = 0;
    for (int v = b; v >= 0 && len < n; v = prev[v]) path[len++] = v;
    for (int i = 0; i < len / 2; i++) {
        int t = path[i];
        path[i] = path[len - 1 - i];
        path[len - 1 - i] = t;
    }
    return len;
}

double ds_graph_reach_to(ds_graph *g, int a, int b) {
    const double *row = widest_from(g, a);
    return row ? row[b] : -1;
}

double ds_graph_reach(ds_graph *g, const ds_deal *d, int a, unsigned sets) {
    const double *row = widest_from(g, a);
    if (!row) return -1;
    double best = 0;
    for (int b = 0; b < g->n; b++)
        if (d->stakeholders[b].sets & sets) best = fmax(best, row[b]);
    return best;
}

double ds_graph_reach_members(ds_graph *g, int a, const unsigned char *member) {
    const double *row = widest_from(g, a);
    if (!row) return -1;
    double best = 0;
    for (int b = 0; b < g->n; b++)
        if (member[b]) best = fmax(best, row[b]);
    return best;
}
