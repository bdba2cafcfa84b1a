/* ds_graph.h: the stakeholder graph (SCORING.md section 2).
 *
 * From the relationships: the sway matrix, each stakeholder's predicted stance
 * (Friedkin-Johnsen opinion dynamics), effective influence (stated influence blended
 * with PageRank on who listens to whom), and reach (widest path of tie strengths).
 * Matrices are n x n, row-major, in the deal's arena. */
#ifndef DS_GRAPH_H
#define DS_GRAPH_H

#include "ds_arena.h"
#include "ds_deal.h"
#include "ds_model.h"

typedef struct ds_graph {
    int n;
    double *sway;                       /* A[i][j]: how much j's stance moves i */
    double *predicted;                  /* x*: predicted stance */
    double *pagerank;                   /* pr */
    double *effective;                  /* w: effective influence */
    double *tie;                        /* tie(a,b): largest non-conflict strength, 0 for none */
    double **widest;                    /* widest[a]: widest-path row from a, computed on demand */
    int stance_rounds, pagerank_rounds; /* iterations used, for tests and explain */
    ds_arena *arena;
} ds_graph;

/* Returns 0, or -1 when the arena is exhausted. */
int ds_graph_build(ds_graph *g, const ds_deal *d, const ds_params *p, ds_arena *a);

/* A graph for a changed copy of the deal whose relationships are the base's:
 * sway, ties, PageRank and effective influence are shared with base; predicted
 * stances are computed again when the stated stances changed. */
int ds_graph_derive(ds_graph *g, const ds_graph *base, const ds_deal *d, const ds_params *p,
                    ds_arena *a, bool stances_changed);

/* Effective influence again, into an array of the copy's own, after the stated
 * influence changed (a graph from ds_graph_derive; PageRank still holds). */
int ds_graph_reblend(ds_graph *g, const ds_deal *d, const ds_params *p, ds_arena *a);

/* Widest-path strength from a to b: 1 for a == b, 0 without a path; -1 on no memory. */
double ds_graph_reach_to(ds_graph *g, int a, int b);
/* Reach(a, B) = max over b in B of the widest path; B given as set bits of the
 * deal's stakeholders (ds_set), or by a membership array when sets == 0. */
double ds_graph_reach(ds_graph *g, const ds_deal *d, int a, unsigned sets);
double ds_graph_reach_members(ds_graph *g, int a, const unsigned char *member);
/* The widest path itself from a to b, as stakeholder indexes from a to b, into
 * path (room for n). Returns its length in nodes (1 for a == b), 0 without a
 * path, -1 on no memory. */
int ds_graph_widest_path(ds_graph *g, int a, int b, int *path);

#endif
