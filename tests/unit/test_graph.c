/* test_graph.c: the stakeholder graph (SCORING.md section 2) on small graphs
 * solved by hand: sway, Friedkin-Johnsen fixed points, PageRank, reach. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

#define SWAY(h, i, j) ds_graph_sway(&(h)->an.graph, (i), (j))

/* a (c_level, stance 0.8) influences b (manager, stance -0.4) with strength 1.
 * A[b][a] = 1, so W[b][a] = 1; a has no incoming sway (s_a = 0) and keeps 0.8.
 * x_b = (1 - 0.6)(-0.4) + 0.6 x 0.8 = -0.16 + 0.48 = 0.32.
 * PageRank: one edge b -> a (b listens to a); a is dangling. With d = 0.85, n = 2:
 *   pr_b = 0.075 + 0.85 pr_a / 2,  pr_a = 1 - pr_b
 *   => pr_b = 0.5 / 1.425, pr_a = 0.925 / 1.425, pr_b / pr_a = 0.5 / 0.925.
 * Effective: w_a = 0.6 x 0.9 + 0.4 x 1 = 0.94, w_b = 0.6 x 0.2 + 0.4 x 0.5 / 0.925. */
static void influences_two_nodes(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"stakeholders\":["
                  "{\"id\":\"a\",\"level\":\"c_level\",\"stance\":0.8,\"influence\":0.9},"
                  "{\"id\":\"b\",\"level\":\"manager\",\"stance\":-0.4,\"influence\":0.2}],"
                  "\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":\"influences\","
                  "\"strength\":1}]}");
    const ds_graph *g = &h.an.graph;
    assert_near(SWAY(&h, 1, 0), 1.0, 0);
    assert_near(SWAY(&h, 0, 1), 0.0, 0);
    assert_near(g->predicted[0], 0.8, 1e-12);
    assert_near(g->predicted[1], 0.32, 1e-9);
    assert_near(g->pagerank[0], 0.925 / 1.425, 1e-10);
    assert_near(g->pagerank[1], 0.5 / 1.425, 1e-10);
    assert_near(g->effective[0], 0.94, 1e-9);
    assert_near(g->effective[1], 0.12 + 0.4 * 0.5 / 0.925, 1e-9);
    h_free(&h);
}

/* a (individual, 0.5) reports_to b (vp, -0.5), w = 0.8: A[a][b] = 0.8 and
 * A[b][a] = 0.25 x 0.8 = 0.2 (upward voice). Each row has one entry: W = 1 both ways.
 *   x_a = 0.3 x 0.5 + 0.7 x_b,  x_b = 0.6 x (-0.5) + 0.4 x_a
 *   => x_a = 0.15 + 0.7 (-0.3 + 0.4 x_a) => 0.72 x_a = -0.06 => x_a = -1/12,
 *      x_b = -0.3 - 0.4 / 12 = -1/3. */
static void reports_to_two_nodes(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"stakeholders\":["
                  "{\"id\":\"a\",\"level\":\"individual\",\"stance\":0.5},"
                  "{\"id\":\"b\",\"level\":\"vp\",\"stance\":-0.5}],"
                  "\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":\"reports_to\","
                  "\"strength\":0.8}]}");
    assert_near(SWAY(&h, 0, 1), 0.8, 1e-15);
    assert_near(SWAY(&h, 1, 0), 0.2, 1e-15);
    assert_near(h.an.graph.predicted[0], -1.0 / 12, 1e-8);
    assert_near(h.an.graph.predicted[1], -1.0 / 3, 1e-8);
    h_free(&h);
}

/* The upward voice shows once b hears someone else too. a (individual, 1)
 * reports_to b (vp, 0) w = 1; c (c_level, -1) influences b w = 1.
 * Row b: A[b][a] = 0.25, A[b][c] = 1, so W[b][a] = 0.2, W[b][c] = 0.8; c keeps -1.
 *   x_a = 0.3 + 0.7 x_b,  x_b = 0.4 (0.2 x_a - 0.8) = 0.08 x_a - 0.32
 *   => x_a = 0.3 + 0.056 x_a - 0.224 => x_a = 0.076 / 0.944. */
static void reports_to_upward_voice(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"stakeholders\":["
                  "{\"id\":\"a\",\"level\":\"individual\",\"stance\":1},"
                  "{\"id\":\"b\",\"level\":\"vp\",\"stance\":0},"
                  "{\"id\":\"c\",\"level\":\"c_level\",\"stance\":-1}],"
                  "\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":\"reports_to\","
                  "\"strength\":1},{\"from\":\"c\",\"to\":\"b\",\"type\":\"influences\","
                  "\"strength\":1}]}");
    double xa = 0.076 / 0.944;
    assert_near(SWAY(&h, 1, 0), 0.25, 1e-15);
    assert_near(h.an.graph.predicted[0], xa, 1e-8);
    assert_near(h.an.graph.predicted[1], 0.08 * xa - 0.32, 1e-8);
    assert_near(h.an.graph.predicted[2], -1, 1e-12);
    h_free(&h);
}

/* a (director, 0.6) conflict b (head, -0.2), w = 0.5; c (c_level, 0.9) influences a, w = 1.
 * A[a][b] = -0.5, A[b][a] = -0.5, A[a][c] = 1. Row a: |-0.5| + |1| = 1.5, so
 * W[a][b] = -1/3, W[a][c] = 2/3; row b: W[b][a] = -1.
 *   x_a = 0.3 + 0.5 (-x_b / 3 + 0.6) = 0.6 - x_b / 6,  x_b = -0.1 - 0.5 x_a
 *   => x_a = 0.6 + 1/60 + x_a / 12 => x_a = 37/55, x_b = -0.1 - 37/110 = -24/55.
 * PageRank: the only positive entry is A[a][c]: edge a -> c; b and c dangle.
 *   p = pr_a = pr_b = 0.05 + 0.85 (p + q) / 3, q = pr_c = 1 - 2p
 *   => 3p = 0.15 + 0.85 (1 - p) => p = 1 / 3.85, q = 1.85 / 3.85.
 * Ties: the conflict carries none; tie(a, c) = 1. */
static void conflict_three_nodes(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"stakeholders\":["
                  "{\"id\":\"a\",\"level\":\"director\",\"stance\":0.6,\"influence\":0.5},"
                  "{\"id\":\"b\",\"level\":\"head\",\"stance\":-0.2,\"influence\":0.5},"
                  "{\"id\":\"c\",\"level\":\"c_level\",\"stance\":0.9,\"influence\":1}],"
                  "\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":\"conflict\","
                  "\"strength\":0.5},{\"from\":\"c\",\"to\":\"a\",\"type\":\"influences\","
                  "\"strength\":1}]}");
    const ds_graph *g = &h.an.graph;
    assert_near(SWAY(&h, 0, 1), -0.5, 0);
    assert_near(SWAY(&h, 1, 0), -0.5, 0);
    assert_near(g->predicted[0], 37.0 / 55, 1e-8);
    assert_near(g->predicted[1], -24.0 / 55, 1e-8);
    assert_near(g->predicted[2], 0.9, 1e-12);
    double p = 1 / 3.85, q = 1.85 / 3.85;
    assert_near(g->pagerank[0], p, 1e-10);
    assert_near(g->pagerank[1], p, 1e-10);
    assert_near(g->pagerank[2], q, 1e-10);
    assert_near(g->effective[0], 0.6 * 0.5 + 0.4 * p / q, 1e-9);
    assert_near(g->effective[2], 0.6 * 1 + 0.4, 1e-9);
    assert_near(ds_graph_reach_to(&h.an.graph, 0, 1), 0, 0);
    assert_near(ds_graph_reach_to(&h.an.graph, 1, 2), 0, 0);
    assert_near(ds_graph_reach_to(&h.an.graph, 0, 2), 1, 0);
    h_free(&h);
}

/* Two opposite stances pulling each other (peer, both manager, s = 0.6):
 * x_a = 0.4 x 1 + 0.6 x_b, x_b = 0.4 x (-1) + 0.6 x_a => x_a = 0.4 - 0.24 + 0.36 x_a
 * => x_a = 0.16 / 0.64 = 0.25, x_b = -0.25. Peer sway is w/2 each way, and two
 * relationships between one pair add up: 0.3 + 0.4 peers give A = 0.35. */
static void peers_add_up(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"stakeholders\":["
                  "{\"id\":\"a\",\"level\":\"manager\",\"stance\":1},"
                  "{\"id\":\"b\",\"level\":\"manager\",\"stance\":-1}],"
                  "\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":\"peer\","
                  "\"strength\":0.3},{\"from\":\"b\",\"to\":\"a\",\"type\":\"peer\","
                  "\"strength\":0.4}]}");
    assert_near(SWAY(&h, 0, 1), 0.35, 1e-15);
    assert_near(SWAY(&h, 1, 0), 0.35, 1e-15);
    assert_near(h.an.graph.predicted[0], 0.25, 1e-8);
    assert_near(h.an.graph.predicted[1], -0.25, 1e-8);
    /* symmetric: PageRank is uniform, both effective 0.6 x 0.5 + 0.4 */
    assert_near(h.an.graph.pagerank[0], 0.5, 1e-12);
    assert_near(h.an.graph.effective[1], 0.7, 1e-12);
    h_free(&h);
}

/* trusts from a to b: A[a][b] += w (a listens to b). Stakeholders with no
 * relationships at all: every node dangles, PageRank is uniform (1/n) and
 * everyone's effective influence is 0.6 influence + 0.4. */
static void trusts_and_isolated(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"stance\":0.2,\"level\":"
                  "\"head\"},{\"id\":\"b\",\"stance\":1},{\"id\":\"c\",\"influence\":0.1}],"
                  "\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":\"trusts\","
                  "\"strength\":0.6}]}");
    assert_near(SWAY(&h, 0, 1), 0.6, 0);
    assert_near(SWAY(&h, 1, 0), 0, 0);
    /* x_a = 0.5 x 0.2 + 0.5 x 1 = 0.6 */
    assert_near(h.an.graph.predicted[0], 0.6, 1e-9);
    h_free(&h);

    h_analyse(&h, "{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"influence\":1},"
                  "{\"id\":\"b\",\"influence\":0},{\"id\":\"c\",\"stance\":-0.7}]}");
    for (int i = 0; i < 3; i++) assert_near(h.an.graph.pagerank[i], 1.0 / 3, 1e-12);
    assert_near(h.an.graph.effective[0], 1.0, 1e-12);
    assert_near(h.an.graph.effective[1], 0.4, 1e-12);
    assert_near(h.an.graph.predicted[2], -0.7, 0);
    h_free(&h);
}

/* Reach: a-b trusts 0.8, b-c peer 0.5, a-c influences 0.3: the widest path a..c
 * is 0.8 x 0.5 = 0.4 > 0.3. d is in conflict with a only: no path. e has no
 * relationship. The larger of two strengths between a pair is the tie. */
static void reach(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\"},"
                  "{\"id\":\"c\",\"can_buy\":true},{\"id\":\"d\"},{\"id\":\"e\"}],"
                  "\"relationships\":["
                  "{\"from\":\"a\",\"to\":\"b\",\"type\":\"trusts\",\"strength\":0.8},"
                  "{\"from\":\"b\",\"to\":\"c\",\"type\":\"peer\",\"strength\":0.5},"
                  "{\"from\":\"a\",\"to\":\"c\",\"type\":\"influences\",\"strength\":0.3},"
                  "{\"from\":\"c\",\"to\":\"b\",\"type\":\"reports_to\",\"strength\":0.2},"
                  "{\"from\":\"d\",\"to\":\"a\",\"type\":\"conflict\",\"strength\":0.9}]}");
    ds_graph *g = &h.an.graph;
    assert_near(ds_graph_reach_to(g, 0, 2), 0.4, 1e-15);
    assert_near(ds_graph_reach_to(g, 2, 0), 0.4, 1e-15); /* either direction */
    assert_near(ds_graph_reach_to(g, 1, 2), 0.5, 0);     /* max(0.5, 0.2) */
    assert_near(ds_graph_reach_to(g, 0, 0), 1, 0);
    assert_near(ds_graph_reach_to(g, 4, 4), 1, 0);
    assert_near(ds_graph_reach_to(g, 0, 3), 0, 0); /* conflict only */
    assert_near(ds_graph_reach_to(g, 3, 2), 0, 0);
    assert_near(ds_graph_reach_to(g, 0, 4), 0, 0);
    /* Reach(a, D): D = {c} */
    assert_near(ds_graph_reach(g, &h.deal, 0, DS_SET_DECIDERS), 0.4, 1e-15);
    assert_near(ds_graph_reach(g, &h.deal, 2, DS_SET_DECIDERS), 1, 0);
    assert_near(ds_graph_reach(g, &h.deal, 4, DS_SET_DECIDERS), 0, 0);
    assert_near(ds_graph_reach(g, &h.deal, 0, DS_SET_USERS), 0, 0); /* empty set */
    h_free(&h);
}

/* Widest paths by brute force (a max-product closure over all n^3 triples)
 * against the heap search, the one-pass reach to a set and the path itself, on
 * random graphs with parallel ties, conflicts and isolated members. */
static void reach_matches_brute_force(void **state) {
    (void)state;
    enum { N = 60, R = 150 };
    static const char *const types[] = {"influences", "reports_to", "trusts", "peer", "conflict"};
    static double tie[N][N];
    h_rng rng = {7};
    for (int round = 0; round < 5; round++) {
        ds_buf b = {0};
        ds_buf_puts(&b, "{\"id\":\"d\",\"stakeholders\":[");
        for (int i = 0; i < N; i++)
            ds_buf_printf(&b, "%s{\"id\":\"s%d\",\"can_buy\":%s}", i ? "," : "", i,
                          h_rng_chance(&rng, 0.1) ? "true" : "false");
        ds_buf_puts(&b, "],\"relationships\":[");
        memset(tie, 0, sizeof tie);
        for (int k = 0; k < R; k++) {
            int a = h_rng_below(&rng, N), c = h_rng_below(&rng, N);
            if (a == c) c = (c + 1) % N;
            int t = h_rng_below(&rng, 5);
            double w = 0.05 + 0.95 * h_rng_unit(&rng);
            ds_buf_printf(&b,
                          "%s{\"from\":\"s%d\",\"to\":\"s%d\",\"type\":\"%s\",\"strength\":%.17g}",
                          k ? "," : "", a, c, types[t], w);
            if (t != 4 && w > tie[a][c]) tie[a][c] = tie[c][a] = w;
        }
        ds_buf_puts(&b, "]}");
        static double best[N][N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) best[i][j] = i == j ? 1 : tie[i][j];
        for (int k = 0; k < N; k++)
            for (int i = 0; i < N; i++)
                for (int j = 0; j < N; j++)
                    if (best[i][k] * best[k][j] > best[i][j]) best[i][j] = best[i][k] * best[k][j];
        h_deal h;
        h_analyse(&h, b.data);
        ds_graph *g = &h.an.graph;
        int path[N];
        for (int a = 0; a < N; a++) {
            double to_set = 0;
            for (int c = 0; c < N; c++) {
                assert_near(ds_graph_reach_to(g, a, c), best[a][c], 1e-12);
                if (h.deal.stakeholders[c].sets & DS_SET_DECIDERS)
                    to_set = fmax(to_set, best[a][c]);
            }
            assert_near(ds_graph_reach(g, &h.deal, a, DS_SET_DECIDERS), to_set, 1e-12);
            int c = (a * 7 + round) % N, len = ds_graph_widest_path(g, a, c, path);
            if (best[a][c] == 0) {
                assert_int_equal(len, 0);
                continue;
            }
            assert_true(len >= 1 && path[0] == a && path[len - 1] == c);
            double product = 1;
            for (int k = 1; k < len; k++) product *= tie[path[k - 1]][path[k]];
            assert_near(product, best[a][c], 1e-12);
        }
        h_free(&h);
        ds_buf_free(&b);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(influences_two_nodes),
        cmocka_unit_test(reports_to_two_nodes),
        cmocka_unit_test(reports_to_upward_voice),
        cmocka_unit_test(conflict_three_nodes),
        cmocka_unit_test(peers_add_up),
        cmocka_unit_test(trusts_and_isolated),
        cmocka_unit_test(reach),
        cmocka_unit_test(reach_matches_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
