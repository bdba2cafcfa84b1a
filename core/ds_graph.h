/* ds_graph.h: the stakeholder graph (SCORING.md section 2).
 *
 * From the relationships: the sway matrix, each stakeholder's predicted stance
 * (Friedkin-Johnsen opinion dynamics), effective influence (stated influence blended
 * with PageRank on who listens to whom), and reach (widest path of tie strengths).
 *
 * Everything is held sparse, as lists of the relationships that exist, never as
 * n x n matrices: a committee has far fewer ties than pairs, and a hostile deal of
 * thousands of members must cost time and memory in proportion to its size
 * (docs/reliability.md). Reach is a widest-path search with a binary heap; reach
 * to a group (the decision makers) is one search from the whole group at once,
 * which gives every member's reach to it in one pass. All memory comes from the
 * deal's arena. */
#ifndef DS_GRAPH_H
#define DS_GRAPH_H

#include "ds_arena.h"
#include "ds_deal.h"
#include "ds_model.h"

/* one search's work area, kept so repeated searches allocate nothing */
typedef struct ds_graph_work {
    unsigned char *done;
    struct ds_graph_item *heap;
    double *scratch; /* a result row that is not cached */
} ds_graph_work;

typedef struct ds_graph {
    int n;
    /* the sway matrix A (A[i][j]: how much j's stance moves i), row by row: row
     * i's nonzero entries are sway_col/sway_val[sway_start[i] .. sway_start[i+1]),
     * in column order */
    int *sway_start, *sway_col;
    double *sway_val;
    /* ties: tie(a,b) is the largest non-conflict strength between a and b, either
     * way; a's neighbours are tie_to/tie_w[tie_start[a] .. tie_start[a+1]) */
    int *tie_start, *tie_to;
    double *tie_w;
    double *predicted;                  /* x*: predicted stance */
    double *pagerank;                   /* pr */
    double *effective;                  /* w: effective influence */
    double **widest;                    /* widest[a]: widest-path row from a, on demand */
    int n_widest;                       /* rows cached in widest (bounded) */
    double *by_set[16];                 /* reach to each set of ds_set bits, on demand */
    ds_graph_work *work;                /* on demand */
    int stance_rounds, pagerank_rounds; /* iterations used, for tests and explain */
    ds_arena *arena;
} ds_graph;

/* Returns 0, or -1 when the arena is exhausted. */
int ds_graph_build(ds_graph *g, const ds_deal *d, const ds_params *p, ds_arena *a);

/* A graph for a changed copy of the deal whose relationships and roles are the
 * base's: sway, ties, PageRank, effective influence and reach are shared with
 * base; predicted stances are computed again when the stated stances changed. */
int ds_graph_derive(ds_graph *g, const ds_graph *base, const ds_deal *d, const ds_params *p,
                    ds_arena *a, bool stances_changed);

/* A[i][j], for tests and explanations. */
double ds_graph_sway(const ds_graph *g, int i, int j);

/* Effective influence again, into an array of the copy's own, after the stated
 * influence changed (a graph from ds_graph_derive; PageRank still holds). */
int ds_graph_reblend(ds_graph *g, const ds_deal *d, const ds_params *p, ds_arena *a);

/* Widest-path strength from a to b: 1 for a == b, 0 without a path; -1 on no memory. */
double ds_graph_reach_to(ds_graph *g, int a, int b);
/* Reach(a, B) = max over b in B of the widest path; B given as set bits of the
 * deal's stakeholders (ds_set). */
double ds_graph_reach(ds_graph *g, const ds_deal *d, int a, unsigned sets);

/* Rows of reach for every stakeholder at once (row[a] = Reach(a, B)), NULL on no
 * memory. ds_graph_reach_row_set is one search for the whole set, cached for the
 * deal; ds_graph_reach_row_one is b's own row (cached for a bounded number of b);
 * ds_graph_reach_row_group takes membership flags and is not cached: its row is
 * valid until the next call on this graph. */
const double *ds_graph_reach_row_set(ds_graph *g, const ds_deal *d, unsigned sets);
const double *ds_graph_reach_row_one(ds_graph *g, int b);
const double *ds_graph_reach_row_group(ds_graph *g, const unsigned char *member);

/* The widest path itself from a to b, as stakeholder indexes from a to b, into
 * path (room for n). Returns its length in nodes (1 for a == b), 0 without a
 * path, -1 on no memory. */
int ds_graph_widest_path(ds_graph *g, int a, int b, int *path);

#endif
