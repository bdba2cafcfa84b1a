/* ds_graph.c: sway matrix, Friedkin-Johnsen, PageRank and widest paths; see ds_graph.h. */
#include "ds_graph.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "ds_assert.h"

static double *alloc_doubles(ds_arena *a, size_t count) {
    return ds_arena_alloc(a, sizeof(double) * (count ? count : 1));
}

/* ---- the sway matrix and the ties, as sorted lists ---- */

/* one contribution of a relationship to a cell of a matrix */
typedef struct cell {
    int row, col;
    double value;
} cell;

/* Stable counting sort of cells by one key (row or column), from src into dst. */
static int sort_cells(const cell *src, cell *dst, int count, int n, bool by_row, ds_arena *a) {
    int *start = ds_arena_alloc(a, sizeof(int) * ((size_t)n + 1));
    if (!start) return -1;
    for (int k = 0; k < count; k++) start[(by_row ? src[k].row : src[k].col) + 1]++;
    for (int i = 0; i < n; i++) start[i + 1] += start[i];
    for (int k = 0; k < count; k++) dst[start[by_row ? src[k].row : src[k].col]++] = src[k];
    return 0;
}

/* Sorts cells by (row, column), keeping input order within a cell: the sums come
 * out exactly as adding the contributions one relationship after another. */
static cell *sort_by_cell(cell *cells, int count, int n, ds_arena *a) {
    cell *tmp = ds_arena_alloc_raw(a, sizeof(cell) * ((size_t)count + 1));
    if (!tmp || sort_cells(cells, tmp, count, n, false, a) < 0 ||
        sort_cells(tmp, cells, count, n, true, a) < 0)
        return NULL;
    return cells;
}

/* The contributions to A of the table of section 2, in relationship order. */
static int sway_cells(const ds_deal *d, const ds_params *p, cell *out) {
    int count = 0;
    for (int k = 0; k < d->n_relationships; k++) {
        const ds_relationship *r = &d->relationships[k];
        int a = r->from, b = r->to;
        double w = r->strength;
        switch (r->type) {
        case DS_REL_INFLUENCES:
            out[count++] = (cell){b, a, w};
            break;
        case DS_REL_REPORTS_TO:
            out[count++] = (cell){a, b, w};
            out[count++] = (cell){b, a, p->upward_voice * w};
            break;
        case DS_REL_TRUSTS:
            out[count++] = (cell){a, b, w};
            break;
        case DS_REL_PEER:
            out[count++] = (cell){a, b, w / 2};
            out[count++] = (cell){b, a, w / 2};
            break;
        case DS_REL_CONFLICT:
            out[count++] = (cell){a, b, -w};
            out[count++] = (cell){b, a, -w};
            break;
        }
    }
    return count;
}

/* Sums sorted cells into rows (start, col, val), dropping cells that sum to 0;
 * with `largest`, a cell keeps its largest contribution instead of the sum. */
static int compress(const cell *c, int count, int n, bool largest, ds_arena *a, int **start_out,
                    int **col_out, double **val_out) {
    int *start = ds_arena_alloc(a, sizeof(int) * ((size_t)n + 1));
    int *col = ds_arena_alloc_raw(a, sizeof(int) * ((size_t)count + 1));
    double *val = ds_arena_alloc_raw(a, sizeof(double) * ((size_t)count + 1));
    if (!start || !col || !val) return -1;
    int kept = 0;
    for (int k = 0; k < count;) {
        int row = c[k].row, column = c[k].col;
        double sum = 0;
        for (; k < count && c[k].row == row && c[k].col == column; k++)
            sum = largest ? (c[k].value > sum ? c[k].value : sum) : sum + c[k].value;
        if (sum == 0) continue;
        col[kept] = column;
        val[kept++] = sum;
        start[row + 1] = kept;
    }
    for (int i = 0; i < n; i++)
        if (start[i + 1] < start[i]) start[i + 1] = start[i];
    *start_out = start;
    *col_out = col;
    *val_out = val;
    return 0;
}

static int build_sway(ds_graph *g, const ds_deal *d, const ds_params *p) {
    cell *cells = ds_arena_alloc_raw(g->arena, sizeof(cell) * (2 * (size_t)d->n_relationships + 1));
    if (!cells) return -1;
    int count = sway_cells(d, p, cells);
    DS_ASSERT(count <= 2 * d->n_relationships); /* two cells per relationship at most */
    if (!sort_by_cell(cells, count, g->n, g->arena)) return -1;
    return compress(cells, count, g->n, false, g->arena, &g->sway_start, &g->sway_col,
                    &g->sway_val);
}

/* tie(a,b): the largest non-conflict strength between a and b, both ways. */
static int build_ties(ds_graph *g, const ds_deal *d) {
    cell *cells = ds_arena_alloc_raw(g->arena, sizeof(cell) * (2 * (size_t)d->n_relationships + 1));
    if (!cells) return -1;
    int count = 0;
    for (int k = 0; k < d->n_relationships; k++) {
        const ds_relationship *r = &d->relationships[k];
        if (r->type == DS_REL_CONFLICT || r->from == r->to || !(r->strength > 0)) continue;
        cells[count++] = (cell){r->from, r->to, r->strength};
        cells[count++] = (cell){r->to, r->from, r->strength};
    }
    if (!sort_by_cell(cells, count, g->n, g->arena)) return -1;
    return compress(cells, count, g->n, true, g->arena, &g->tie_start, &g->tie_to, &g->tie_w);
}

double ds_graph_sway(const ds_graph *g, int i, int j) {
    for (int k = g->sway_start[i]; k < g->sway_start[i + 1]; k++)
        if (g->sway_col[k] == j) return g->sway_val[k];
    return 0;
}

/* A non-zero entry of a matrix, for the iterations. */
typedef struct edge {
    int from, to;
    double weight;
} edge;

/* Friedkin-Johnsen: x(t+1) = (1 - s) x(0) + s W x(t), Jacobi updates, with
 * W[i][j] = A[i][j] / sum_j |A[i][j]| held as a list of its nonzero entries. */
static int predict_stances(ds_graph *g, const ds_deal *d, const ds_params *p) {
    int n = g->n, nonzero = g->sway_start[n];
    double *s = alloc_doubles(g->arena, n), *next = alloc_doubles(g->arena, n);
    edge *w = ds_arena_alloc(g->arena, sizeof(edge) * ((size_t)nonzero + 1));
    if (!s || !next || !w) return -1;
    int edges = 0;
    for (int i = 0; i < n; i++) {
        double row = 0;
        for (int k = g->sway_start[i]; k < g->sway_start[i + 1]; k++) row += fabs(g->sway_val[k]);
        for (int k = g->sway_start[i]; row > 0 && k < g->sway_start[i + 1]; k++)
            w[edges++] = (edge){i, g->sway_col[k], g->sway_val[k] / row};
        DS_ASSERT(edges <= nonzero);
        if (row > 0) s[i] = p->susceptibility[d->stakeholders[i].level];
        g->predicted[i] = d->stakeholders[i].stance;
    }
    /* the stances of the last round in cur, the next in next: the two swap
     * rather than being copied, and the result lands in g->predicted */
    double *cur = g->predicted, *keep = g->predicted;
    int max_rounds = (int)p->stance_max_rounds;
    for (g->stance_rounds = 0; g->stance_rounds < max_rounds;) {
        memset(next, 0, sizeof(double) * (size_t)n);
        for (int e = 0; e < edges; e++) next[w[e].from] += w[e].weight * cur[w[e].to];
        double change = 0;
        for (int i = 0; i < n; i++) {
            next[i] = (1 - s[i]) * d->stakeholders[i].stance + s[i] * next[i];
            double moved = fabs(next[i] - cur[i]);
            if (moved > change) change = moved; /* fmax without NaN cases: none here */
        }
        double *t = cur;
        cur = next, next = t;
        g->stance_rounds++;
        if (change < p->stance_tolerance) break;
    }
    for (int i = 0; i < n; i++) keep[i] = fmax(-1.0, fmin(1.0, cur[i]));
    return 0;
}

/* Weighted PageRank on i -> j with weight max(0, A[i][j]): rank flows to the one
 * listened to. Dangling mass is spread evenly. */
static int rank_listeners(ds_graph *g, const ds_params *p) {
    int n = g->n, nonzero = g->sway_start[n];
    double *out = alloc_doubles(g->arena, n), *next = alloc_doubles(g->arena, n);
    edge *links = ds_arena_alloc(g->arena, sizeof(edge) * ((size_t)nonzero + 1));
    if (!out || !next || !links) return -1;
    int count = 0;
    for (int i = 0; i < n; i++) {
        for (int k = g->sway_start[i]; k < g->sway_start[i + 1]; k++)
            out[i] += fmax(0.0, g->sway_val[k]);
        for (int k = g->sway_start[i]; k < g->sway_start[i + 1]; k++)
            if (g->sway_val[k] > 0)
                links[count++] = (edge){i, g->sway_col[k], g->sway_val[k] / out[i]};
        DS_ASSERT(count <= nonzero);
        g->pagerank[i] = 1.0 / n;
    }
    /* the nodes without links, in order: their rank is spread evenly each round */
    int *dangling_at = ds_arena_alloc_raw(g->arena, sizeof(int) * (size_t)n), n_dangling = 0;
    double *cur = g->pagerank, *scaled = alloc_doubles(g->arena, n);
    if (!dangling_at || !scaled) return -1;
    for (int i = 0; i < n; i++)
        if (out[i] <= 0) dangling_at[n_dangling++] = i;
    double damping = p->pagerank_damping;
    int max_rounds = (int)p->pagerank_max_rounds;
    for (g->pagerank_rounds = 0; g->pagerank_rounds < max_rounds;) {
        double dangling = 0;
        for (int k = 0; k < n_dangling; k++) dangling += cur[dangling_at[k]];
        double base = (1 - damping) / n + damping * dangling / n;
        for (int j = 0; j < n; j++) {
            next[j] = base;
            scaled[j] = damping * cur[j]; /* the same product for every link from j */
        }
        for (int e = 0; e < count; e++)
            next[links[e].to] += scaled[links[e].from] * links[e].weight;
        /* the round's total change, added in node order; its terms are never
         * negative, so once the running sum reaches the tolerance the total
         * would too, whatever the rest adds: the round is not the last, and
         * the rest need not be added */
        double change = 0;
        for (int i = 0; i < n && !(change >= p->pagerank_tolerance); i++)
            change += fabs(next[i] - cur[i]);
        double *t = cur;
        cur = next, next = t; /* swapped, not copied */
        g->pagerank_rounds++;
        if (change < p->pagerank_tolerance) break;
    }
    if (cur != g->pagerank) memcpy(g->pagerank, cur, sizeof(double) * (size_t)n);
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
    g->predicted = alloc_doubles(a, n);
    g->pagerank = alloc_doubles(a, n);
    g->effective = alloc_doubles(a, n);
    g->widest = ds_arena_alloc(a, sizeof(double *) * (size_t)(n ? n : 1));
    if (!g->predicted || !g->pagerank || !g->effective || !g->widest) return -1;
    if (build_sway(g, d, p) < 0 || build_ties(g, d) < 0) return -1;
    if (n == 0) return 0;
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
    if (base->work) { /* shared buffers, but a scratch row set for the copy stays its own */
        g->work = ds_arena_alloc(a, sizeof *g->work);
        if (!g->work) return -1;
        *g->work = *base->work;
    }
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

/* ---- widest paths ---- */

/* A heap entry: a node and the width it had when pushed. Entries go stale when
 * the node gets wider later; a stale entry is skipped when popped. */
typedef struct ds_graph_item {
    double best;
    int node;
} ds_graph_item;

static void heap_push(ds_graph_item *h, int *len, double best, int node) {
    int i = (*len)++;
    while (i > 0 && h[(i - 1) / 2].best < best) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = (ds_graph_item){best, node};
}

static ds_graph_item heap_pop(ds_graph_item *h, int *len) {
    ds_graph_item top = h[0], last = h[--*len];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *len) break;
        if (c + 1 < *len && h[c + 1].best > h[c].best) c++;
        if (h[c].best <= last.best) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = last;
    return top;
}

static ds_graph_work *work_area(ds_graph *g) {
    if (g->work) return g->work;
    int n = g->n, ties = g->tie_start[n];
    ds_graph_work *w = ds_arena_alloc(g->arena, sizeof *w);
    if (!w) return NULL;
    w->done = ds_arena_alloc_raw(g->arena, (size_t)n + 1);
    w->heap = ds_arena_alloc_raw(g->arena, sizeof(ds_graph_item) * ((size_t)n + ties + 1));
    if (!w->done || !w->heap) return NULL;
    return g->work = w;
}

/* Widest paths from every node with seed[i] set at once, into best: best[v] is
 * the widest path from any seed to v (a maximum-product variant of Dijkstra: ties
 * are <= 1, so a path never gets wider by growing). Ties are symmetric, so this
 * is also every node's reach to the seeds. prev, when given, gets each node's
 * predecessor on its widest path (-1 for seeds and nodes out of reach). One pass
 * costs O((n + ties) log n). */
static int widest_search(ds_graph *g, const unsigned char *seed, int one, double *best, int *prev) {
    ds_graph_work *w = work_area(g);
    if (!w) return -1;
    int n = g->n, len = 0;
    memset(w->done, 0, (size_t)n);
    for (int i = 0; i < n; i++) {
        best[i] = (seed ? seed[i] : i == one) ? 1.0 : 0.0;
        if (prev) prev[i] = -1;
        if (best[i] > 0) heap_push(w->heap, &len, 1.0, i);
    }
    while (len > 0) {
        ds_graph_item top = heap_pop(w->heap, &len);
        int u = top.node;
        if (w->done[u] || top.best < best[u]) continue;
        w->done[u] = 1;
        for (int k = g->tie_start[u]; k < g->tie_start[u + 1]; k++) {
            int v = g->tie_to[k];
            double through = best[u] * g->tie_w[k];
            if (!w->done[v] && through > best[v]) {
                best[v] = through;
                if (prev) prev[v] = u;
                heap_push(w->heap, &len, through, v);
                DS_ASSERT(len <= n + g->tie_start[n]); /* one push per seed and per tie */
            }
        }
    }
    return 0;
}

/* rows cached per source at most: a policy asking for every pair must not hold
 * n x n doubles */
#define CACHED_ROWS 256

const double *ds_graph_reach_row_one(ds_graph *g, int b) {
    if (g->widest[b]) return g->widest[b];
    double *row;
    if (g->n_widest < CACHED_ROWS) {
        row = alloc_doubles(g->arena, g->n);
        if (!row || widest_search(g, NULL, b, row, NULL) < 0) return NULL;
        g->widest[b] = row;
        g->n_widest++;
        return row;
    }
    ds_graph_work *w = work_area(g);
    if (!w || (!w->scratch && !(w->scratch = alloc_doubles(g->arena, g->n)))) return NULL;
    return widest_search(g, NULL, b, w->scratch, NULL) < 0 ? NULL : w->scratch;
}

const double *ds_graph_reach_row_group(ds_graph *g, const unsigned char *member) {
    ds_graph_work *w = work_area(g);
    if (!w || (!w->scratch && !(w->scratch = alloc_doubles(g->arena, g->n)))) return NULL;
    return widest_search(g, member, -1, w->scratch, NULL) < 0 ? NULL : w->scratch;
}

const double *ds_graph_reach_row_set(ds_graph *g, const ds_deal *d, unsigned sets) {
    sets &= 15;
    if (g->by_set[sets]) return g->by_set[sets];
    double *row = alloc_doubles(g->arena, g->n);
    unsigned char *member = ds_arena_alloc_raw(g->arena, (size_t)g->n + 1);
    if (!row || !member) return NULL;
    for (int i = 0; i < g->n; i++) member[i] = (d->stakeholders[i].sets & sets) != 0;
    if (widest_search(g, member, -1, row, NULL) < 0) return NULL;
    return g->by_set[sets] = row;
}

int ds_graph_widest_path(ds_graph *g, int a, int b, int *path) {
    int n = g->n;
    double *best = alloc_doubles(g->arena, n);
    int *prev = ds_arena_alloc(g->arena, sizeof(int) * (size_t)n);
    if (!best || !prev || widest_search(g, NULL, a, best, prev) < 0) return -1;
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
    const double *row = ds_graph_reach_row_one(g, a);
    return row ? row[b] : -1;
}

double ds_graph_reach(ds_graph *g, const ds_deal *d, int a, unsigned sets) {
    const double *row = ds_graph_reach_row_set(g, d, sets);
    return row ? row[a] : -1;
}
