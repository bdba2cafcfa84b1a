/* test_core_graph.c: the stakeholder graph on small committees worked by hand:
 * Friedkin-Johnsen fixed points, PageRank in closed form, effective influence,
 * tie strength and widest-path reach (SCORING.md section 2). */
#include "core_fixture.h"

#include <math.h>

/* a (c_level, stance 0.8) influences b (vp, stance -0.5), strength 1.
 * A[b][a] = 1, so W[b][a] = 1; a has no incoming sway and keeps 0.8.
 * x_b = (1 - 0.4) (-0.5) + 0.4 (0.8) = -0.3 + 0.32 = 0.02.
 * PageRank: b -> a (b listens to a), a dangling, d = 0.85:
 *   pr_b = 0.075 + 0.425 pr_a, pr_a + pr_b = 1  =>  pr_a = 0.925 / 1.425.
 * Effective (influence 0.5): w_a = 0.3 + 0.4 = 0.7, w_b = 0.3 + 0.4 pr_b / pr_a. */
static void influence_pair(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text(
        "{\"id\":\"g\",\"stakeholders\":[{\"id\":\"a\",\"level\":\"c_level\",\"stance\":0.8},"
        "{\"id\":\"b\",\"level\":\"vp\",\"stance\":-0.5}],"
        "\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":\"influences\",\"strength\":1}]}",
        &d, &an);
    int a = index_of(&d, "a"), b = index_of(&d, "b");
    assert_near(an.graph.predicted[a], 0.8, 1e-12);
    assert_near(an.graph.predicted[b], 0.02, 1e-12);
    double pr_a = 0.925 / 1.425, pr_b = 1 - pr_a;
    assert_near(an.graph.pagerank[a], pr_a, 1e-10);
    assert_near(an.graph.pagerank[b], pr_b, 1e-10);
    assert_near(an.graph.effective[a], 0.7, 1e-10);
    assert_near(an.graph.effective[b], 0.3 + 0.4 * pr_b / pr_a, 1e-10);
}

/* a (manager, -1) reports_to b (director, 1), strength 0.8: A[a][b] = 0.8 and
 * A[b][a] = 0.25 x 0.8; both rows normalise to 1.
 * x_a = 0.4 (-1) + 0.6 x_b, x_b = 0.5 (1) + 0.5 x_a  =>  x_a = -1/7, x_b = 3/7. */
static void reports_to_pair(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text(
        "{\"id\":\"g\",\"stakeholders\":[{\"id\":\"a\",\"level\":\"manager\",\"stance\":-1},"
        "{\"id\":\"b\",\"level\":\"director\",\"stance\":1}],"
        "\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":\"reports_to\",\"strength\":0.8}]"
        "}",
        &d, &an);
    int n = an.graph.n, a = index_of(&d, "a"), b = index_of(&d, "b");
    assert_near(an.graph.sway[a * n + b], 0.8, 1e-15);
    assert_near(an.graph.sway[b * n + a], 0.2, 1e-15);
    assert_near(an.graph.predicted[a], -1.0 / 7, 1e-8);
    assert_near(an.graph.predicted[b], 3.0 / 7, 1e-8);
}

/* a conflict b (0.5) and c influences a (0.5); levels missing (s = 0.5).
 * Row a: A = {b: -0.5, c: 0.5}, |sum| = 1. Row b: {a: -0.5} -> W = -1. c: no sway.
 * x_a = 0.5 (0) + 0.5 (-0.5 x_b + 0.5 x_c), x_b = 0.5 (0.6) + 0.5 (-x_a), x_c = 1
 *  =>  x_a = 0.2, x_b = 0.2. */
static void conflict_normalises_by_absolute_values(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text(
        "{\"id\":\"g\",\"stakeholders\":[{\"id\":\"a\",\"stance\":0},{\"id\":\"b\",\"stance\":0.6},"
        "{\"id\":\"c\",\"stance\":1}],\"relationships\":["
        "{\"from\":\"a\",\"to\":\"b\",\"type\":\"conflict\",\"strength\":0.5},"
        "{\"from\":\"c\",\"to\":\"a\",\"type\":\"influences\",\"strength\":0.5}]}",
        &d, &an);
    assert_near(an.graph.predicted[index_of(&d, "a")], 0.2, 1e-8);
    assert_near(an.graph.predicted[index_of(&d, "b")], 0.2, 1e-8);
    assert_near(an.graph.predicted[index_of(&d, "c")], 1.0, 1e-15);
}

/* A peer tie and a conflict of the same strength cancel: no incoming sway, so
 * the stated stance stays (docs/model.md). */
static void cancelled_sway_keeps_stance(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text(
        "{\"id\":\"g\",\"stakeholders\":[{\"id\":\"a\",\"stance\":-0.6},{\"id\":\"b\",\"stance\":0."
        "9}],"
        "\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":\"peer\",\"strength\":1},"
        "{\"from\":\"a\",\"to\":\"b\",\"type\":\"conflict\",\"strength\":0.5}]}",
        &d, &an);
    assert_near(an.graph.predicted[index_of(&d, "a")], -0.6, 1e-15);
    assert_near(an.graph.predicted[index_of(&d, "b")], 0.9, 1e-15);
}

/* Three peers in a ring are symmetric: PageRank 1/3 each; effective influence
 * 0.6 x influence + 0.4. */
static void symmetric_ring(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text("{\"id\":\"g\",\"stakeholders\":[{\"id\":\"a\",\"influence\":0.1},{\"id\":\"b\","
                 "\"influence\":0.5},"
                 "{\"id\":\"c\",\"influence\":1}],\"relationships\":["
                 "{\"from\":\"a\",\"to\":\"b\",\"type\":\"peer\"},{\"from\":\"b\",\"to\":\"c\","
                 "\"type\":\"peer\"},"
                 "{\"from\":\"c\",\"to\":\"a\",\"type\":\"peer\"}]}",
                 &d, &an);
    for (int i = 0; i < 3; i++) assert_near(an.graph.pagerank[i], 1.0 / 3, 1e-12);
    assert_near(an.graph.effective[index_of(&d, "a")], 0.46, 1e-12);
    assert_near(an.graph.effective[index_of(&d, "c")], 1.0, 1e-12);
}

/* Reach is the widest path: a-b 0.8 then b-c 0.5 (0.4) beats a-c 0.3; conflicts
 * carry nothing; ties between a pair take the largest strength; self is 1. */
static void widest_path_reach(void **state) {
    (void)state;
    ds_deal d;
    ds_analysis an;
    analyse_text("{\"id\":\"g\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"},{"
                 "\"id\":\"d\"},"
                 "{\"id\":\"e\"}],\"relationships\":["
                 "{\"from\":\"a\",\"to\":\"b\",\"type\":\"trusts\",\"strength\":0.8},"
                 "{\"from\":\"b\",\"to\":\"a\",\"type\":\"influences\",\"strength\":0.6},"
                 "{\"from\":\"c\",\"to\":\"b\",\"type\":\"peer\",\"strength\":0.5},"
                 "{\"from\":\"a\",\"to\":\"c\",\"type\":\"influences\",\"strength\":0.3},"
                 "{\"from\":\"a\",\"to\":\"d\",\"type\":\"conflict\",\"strength\":0.9}]}",
                 &d, &an);
    int a = index_of(&d, "a"), b = index_of(&d, "b"), c = index_of(&d, "c");
    int dd = index_of(&d, "d"), e = index_of(&d, "e");
    assert_near(an.graph.tie[a * 5 + b], 0.8, 1e-15);
    assert_near(ds_graph_reach_to(&an.graph, a, c), 0.4, 1e-15);
    assert_near(ds_graph_reach_to(&an.graph, c, a), 0.4, 1e-15);
    assert_near(ds_graph_reach_to(&an.graph, a, dd), 0.0, 0);
    assert_near(ds_graph_reach_to(&an.graph, a, e), 0.0, 0);
    assert_near(ds_graph_reach_to(&an.graph, e, e), 1.0, 0);
    unsigned char set[5] = {0, 0, 1, 1, 0}; /* {c, d} */
    assert_near(ds_graph_reach_members(&an.graph, a, set), 0.4, 1e-15);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(influence_pair),
        cmocka_unit_test(reports_to_pair),
        cmocka_unit_test(conflict_normalises_by_absolute_values),
        cmocka_unit_test(cancelled_sway_keeps_stance),
        cmocka_unit_test(symmetric_ring),
        cmocka_unit_test(widest_path_reach),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
