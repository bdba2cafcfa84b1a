/* test_policy.c: the default policy (SCORING.md section 4) through the Lua
 * runtime, and how the runtime reports broken policies. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dsl.h"
#include "helpers.h"

#define DEFAULT_POLICY DEALSCORE_DATADIR "/scripts/default.lua"

static dsl_policy *policy;
static char dir[64];

static int setup(void **state) {
    (void)state;
    char err[512];
    policy = dsl_policy_open(DEFAULT_POLICY, h_params(), err, sizeof err);
    if (!policy) fail_msg("%s", err);
    snprintf(dir, sizeof dir, "/tmp/dsl-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state) {
    (void)state;
    dsl_policy_close(policy);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- the default policy's formula, computed here from the core scores ---- */

/* B: weighted mean of max(0, x*) over D; c: best Reach(champion, D). */
static double support(h_deal *h) {
    const ds_deal *d = &h->deal;
    ds_graph *g = &h->an.graph;
    double sum = 0, weight = 0, c = 0;
    for (int i = 0; i < d->n_stakeholders; i++) {
        if (d->stakeholders[i].sets & DS_SET_DECIDERS) {
            sum += g->effective[i] * fmax(0, g->predicted[i]);
            weight += g->effective[i];
        }
        if (d->stakeholders[i].roles & DS_ROLE_CHAMPION)
            c = fmax(c, ds_graph_reach(g, d, i, DS_SET_DECIDERS));
    }
    double b = weight > 0 ? sum / weight : 0;
    assert_near(h->an.push_back, b, 1e-12);
    return 0.6 + 0.25 * b + 0.15 * c;
}

/* value x (1 - 0.5 friction / 100) x support x the rules' multipliers */
static double formula(h_deal *h, double multipliers) {
    const ds_score *s = h->an.scores;
    double value = 0.35 * s[DS_CAPABILITY_ROI].value + 0.35 * s[DS_STRATEGIC_ROI].value +
                   0.30 * s[DS_MEASURABLE_ROI].value;
    double friction = 0.6 * s[DS_IT_RESISTANCE].value + 0.4 * s[DS_USER_THREAT].value;
    return value * (1 - 0.5 * friction / 100) * support(h) * multipliers;
}

static const char *verdict_for(double v) {
    return v >= 70 ? "pursue" : v >= 50 ? "shape" : v >= 30 ? "at_risk" : "walk_away";
}

static void decide(h_deal *h, const char *json, ds_outcome *out) {
    h_analyse(h, json);
    if (dsl_policy_decide(policy, &h->an, &h->arena, out, &h->err) != 0)
        fail_msg("policy: %s %s", h->err.code, h->err.message);
}

static void assert_reasons(const ds_outcome *o, const char *const *expected, int n) {
    if (o->n_reasons != n) fail_msg("%d reasons, expected %d", o->n_reasons, n);
    for (int i = 0; i < n; i++) assert_string_equal(o->reasons[i], expected[i]);
}

/* A healthy deal: a champion convinced of capability and strategy who trusts the
 * buyer, an IT and a user stakeholder, a prototype (x 1.05). */
static const char *const good_deal =
    "{\"id\":\"p1\",%s\"solution\":{\"capability\":0.9,\"strategic\":0.8,\"measurable\":{"
    "\"annual_benefit\":200,\"cost\":100,\"payback_months\":12,\"confidence\":0.8},"
    "\"prototype\":true,\"it_workload\":-0.3},\"stakeholders\":["
    "{\"id\":\"h\",\"roles\":[\"champion\"],\"level\":\"director\",\"stance\":0.8,"
    "\"convinced\":{\"capability\":true,\"strategic\":true},\"benefits\":{\"work\":0.6}},"
    "{\"id\":\"d\",\"can_buy\":true,\"level\":\"vp\",\"stance\":0.7,\"influence\":0.9,"
    "\"benefits\":{\"work\":0.8,\"career\":0.5}},"
    "{\"id\":\"t\",\"function\":\"it\",\"stance\":-0.2,\"ai_interest\":0.7},"
    "{\"id\":\"u\",\"function\":\"user\",\"stance\":0.1}],"
    "\"relationships\":[{\"from\":\"h\",\"to\":\"d\",\"type\":\"trusts\",\"strength\":0.9},"
    "{\"from\":\"t\",\"to\":\"h\",\"type\":\"peer\",\"strength\":0.4}]}";

static void viability_formula(void **state) {
    (void)state;
    char json[2048];
    snprintf(json, sizeof json, good_deal, "");
    h_deal h;
    ds_outcome o;
    decide(&h, json, &o);
    double expected = formula(&h, 1.05);
    assert_near(o.viability, expected, 1e-9);
    assert_string_equal(o.verdict, verdict_for(expected));
    assert_string_equal(o.policy, "default@1");
    assert_false(o.overridden);
    static const char *const reasons[] = {"prototype"};
    assert_reasons(&o, reasons, 1);
    h_free(&h);
}

/* Every multiplying rule at once: the only champion is convinced of measurable ROI
 * only (x 0.85); the buyer gains little (x 0.90) and has drifted (x 0.90); an
 * influential blocker is against (w = 0.6 + 0.4 pr/max >= 0.5, x* = -0.5: x 0.85). */
static void rules(void **state) {
    (void)state;
    h_deal h;
    ds_outcome o;
    decide(&h,
           "{\"id\":\"p2\",\"solution\":{\"capability\":0.7,\"strategic\":0.6,\"measurable\":{"
           "\"annual_benefit\":300,\"cost\":100,\"confidence\":1}},\"stakeholders\":["
           "{\"id\":\"h\",\"roles\":[\"champion\"],\"stance\":0.5,\"convinced\":{\"measurable\":"
           "true}},{\"id\":\"d\",\"can_buy\":true,\"stance\":0.4,\"benefits\":{\"work\":0.29,"
           "\"career\":0.1},\"expectation_gap\":0.5},{\"id\":\"x\",\"roles\":[\"blocker\"],"
           "\"influence\":1,\"stance\":-0.5}],\"relationships\":[{\"from\":\"h\",\"to\":\"d\","
           "\"type\":\"peer\",\"strength\":0.7}]}",
           &o);
    static const char *const reasons[] = {"short_term_case", "no_direct_benefit", "blocker",
                                          "expectation_gap"};
    assert_reasons(&o, reasons, 4);
    assert_near(o.viability, formula(&h, 0.85 * 0.90 * 0.85 * 0.90), 1e-9);
    h_free(&h);
}

/* No buyer: a convinced c_level champion gives capability 100 and strategic 100;
 * IT unmapped 100 x 0.2 x 0.5 = 10, users unmapped 100 x (0.175 + 0.125 + 0.1) = 40:
 * 70 x (1 - 0.5 x 22 / 100) x 0.6 = 37.38, capped at 35. */
static void no_buyer_cap(void **state) {
    (void)state;
    h_deal h;
    ds_outcome o;
    decide(&h,
           "{\"id\":\"p3\",\"solution\":{\"capability\":1,\"strategic\":1},\"stakeholders\":["
           "{\"id\":\"h\",\"roles\":[\"champion\"],\"level\":\"c_level\",\"stance\":1,"
           "\"convinced\":{\"capability\":true,\"strategic\":true}}]}",
           &o);
    assert_near(formula(&h, 1), 37.38, 1e-9);
    assert_near(o.viability, 35, 1e-12);
    /* at_risk by its value, but 5 fields of 28 are too few to judge it */
    assert_true(h_has_warning(&h.an, "low_coverage"));
    assert_string_equal(o.verdict, "insufficient_data");
    static const char *const reasons[] = {"no_buyer"};
    assert_reasons(&o, reasons, 1);
    h_free(&h);
    /* no champion either: x 0.8 and the reason, and under the cap nothing changes */
    decide(&h, "{\"id\":\"p4\",\"solution\":{\"capability\":0.5}}", &o);
    static const char *const both[] = {"no_buyer", "no_champion"};
    assert_reasons(&o, both, 2);
    assert_near(o.viability, formula(&h, 0.8), 1e-9);
    h_free(&h);
}

/* The verdict follows the override value: the thresholds 70, 50, 30. */
static void verdicts(void **state) {
    (void)state;
    static const struct {
        const char *value, *verdict;
    } cases[] = {{"100", "pursue"},      {"70", "pursue"},     {"69.99", "shape"},
                 {"50", "shape"},        {"49.99", "at_risk"}, {"30", "at_risk"},
                 {"29.99", "walk_away"}, {"0", "walk_away"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[128];
        snprintf(json, sizeof json, "{\"id\":\"v\",\"override\":{\"viability\":%s}}",
                 cases[i].value);
        h_deal h;
        ds_outcome o;
        decide(&h, json, &o);
        assert_near(o.viability, atof(cases[i].value), 0);
        if (strcmp(o.verdict, cases[i].verdict) != 0)
            fail_msg("%s: %s, expected %s", cases[i].value, o.verdict, cases[i].verdict);
        h_free(&h);
    }
}

static void override(void **state) {
    (void)state;
    char json[2048];
    snprintf(json, sizeof json, good_deal, "\"override\":{\"viability\":12.5},");
    h_deal h;
    ds_outcome o;
    decide(&h, json, &o);
    assert_true(o.overridden);
    assert_near(o.viability, 12.5, 0);
    assert_near(o.computed_viability, formula(&h, 1.05), 1e-9);
    assert_string_equal(o.verdict, "walk_away");
    static const char *const reasons[] = {"prototype", "override"};
    assert_reasons(&o, reasons, 2);
    h_free(&h);
}

/* SCORING.md v1.1: low_coverage gives insufficient_data, the value still computed;
 * an override sets the verdict from its own value. */
static void insufficient_data(void **state) {
    (void)state;
    h_deal h;
    ds_outcome o;
    char json[2048];
    snprintf(json, sizeof json, good_deal, "");
    decide(&h, json, &o);
    assert_false(h_has_warning(&h.an, "low_coverage"));
    assert_string_equal(o.verdict, verdict_for(o.viability));
    h_free(&h);
    /* a vanilla CRM deal: roles and titles, no judgements; a high computed value */
    static const char *const thin =
        "{\"id\":\"t\",\"solution\":{\"capability\":1,\"strategic\":1},%s"
        "\"stakeholders\":[{\"id\":\"h\",\"roles\":[\"champion\",\"economic_buyer\"],"
        "\"title\":\"COO\"},{\"id\":\"t\",\"function\":\"it\"},{\"id\":\"u\","
        "\"function\":\"user\"}]}";
    snprintf(json, sizeof json, thin, "");
    decide(&h, json, &o);
    assert_true(h_has_warning(&h.an, "low_coverage"));
    assert_string_equal(o.verdict, "insufficient_data");
    assert_near(o.viability, formula(&h, 0.9), 1e-9);
    assert_true(o.viability > 0);
    static const char *const none[] = {"no_direct_benefit"};
    assert_reasons(&o, none, 1); /* no reason of its own: the warning says it */
    h_free(&h);
    snprintf(json, sizeof json, thin, "\"override\":{\"viability\":72},");
    decide(&h, json, &o);
    assert_true(h_has_warning(&h.an, "low_coverage"));
    assert_string_equal(o.verdict, "pursue");
    h_free(&h);
}

/* ---- broken policies ---- */

static const char *write_policy(const char *name, const char *text) {
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#define HEAD "local p = { name = \"t\", version = 1 }\n"
#define TAIL "return p\n"

/* Opens the policy, decides on a small deal `times` times; returns the last rc. */
static int run_policy(const char *name, const char *text, int times, ds_error *err) {
    char msg[512];
    dsl_policy *p = dsl_policy_open(write_policy(name, text), h_params(), msg, sizeof msg);
    if (!p) fail_msg("%s", msg);
    int rc = 0;
    for (int i = 0; i < times; i++) {
        h_deal h;
        ds_outcome o;
        h_analyse(&h, "{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"}]}");
        rc = dsl_policy_decide(p, &h.an, &h.arena, &o, &h.err);
        *err = h.err;
        h_free(&h);
        if (i < times - 1) assert_int_equal(rc, 0);
    }
    dsl_policy_close(p);
    return rc;
}

static void assert_policy_error(int rc, const ds_error *err, const char *needle) {
    assert_int_equal(rc, -1);
    assert_string_equal(err->code, "policy_error");
    assert_string_equal(err->path, "$");
    if (!strstr(err->message, needle)) fail_msg("\"%s\" lacks \"%s\"", err->message, needle);
}

static void policy_errors(void **state) {
    (void)state;
    ds_error err;
    int rc = run_policy("boom.lua", HEAD "function p.score(deal, s)\n  error(\"boom\")\nend\n" TAIL,
                        1, &err);
    assert_policy_error(rc, &err, "boom.lua:3:");
    assert_policy_error(rc, &err, "boom");
    rc = run_policy("big.lua",
                    HEAD "function p.score() return { viability = 150, verdict = \"pursue\" } "
                         "end\n" TAIL,
                    1, &err);
    assert_policy_error(rc, &err, "big.lua");
    rc = run_policy("maybe.lua",
                    HEAD "function p.score() return { viability = 50, verdict = \"maybe\" } "
                         "end\n" TAIL,
                    1, &err);
    assert_policy_error(rc, &err, "maybe.lua");
    rc = run_policy("nan.lua",
                    HEAD "function p.score() return { viability = 0/0, verdict = \"shape\" } "
                         "end\n" TAIL,
                    1, &err);
    assert_policy_error(rc, &err, "nan.lua");
}

/* A view kept past its deal raises an error on the next deal, not a crash. */
static void view_used_after(void **state) {
    (void)state;
    ds_error err;
    int rc = run_policy("keep.lua",
                        HEAD "local kept = {}\n"
                             "function p.score(deal, s)\n"
                             "  if kept.deal then local _ = kept.deal.id end\n"
                             "  kept.deal = deal\n"
                             "  return { viability = 10, verdict = \"walk_away\" }\n"
                             "end\n" TAIL,
                        2, &err);
    assert_policy_error(rc, &err, "used after");
    rc = run_policy("keep2.lua",
                    HEAD "local kept = {}\n"
                         "function p.score(deal, s)\n"
                         "  if kept.h then local _ = kept.h.influence end\n"
                         "  kept.h = deal:stakeholder(\"a\")\n"
                         "  return { viability = 10, verdict = \"walk_away\" }\n"
                         "end\n" TAIL,
                    2, &err);
    assert_policy_error(rc, &err, "used after");
    /* the views a call keeps for reuse (list, solution, stakeholders) die with it */
    const char *kept[] = {"deal.stakeholders", "deal.stakeholders[1]", "deal.solution"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 HEAD "local kept\n"
                      "function p.score(deal, s)\n"
                      "  if kept then local _ = tostring(kept) end\n"
                      "  kept = %s\n"
                      "  return { viability = 10, verdict = \"walk_away\" }\n"
                      "end\n" TAIL,
                 kept[i]);
        rc = run_policy("keep3.lua", text, 2, &err);
        assert_policy_error(rc, &err, "used after");
    }
}

/* Within a call, a stakeholder (and the solution, and the list) has one view:
 * however a policy reaches it, it gets the same value, usable as a table key.
 * The next call's views are new ones. */
static void views_shared_within_a_deal(void **state) {
    (void)state;
    ds_error err;
    int rc = run_policy(
        "same.lua",
        HEAD "local last\n"
             "function p.score(deal, s)\n"
             "  local a = deal:stakeholder(\"a\")\n"
             "  assert(rawequal(a, deal.stakeholders[1]), \"list and id differ\")\n"
             "  assert(rawequal(a, deal:stakeholder(\"a\")), \"two lookups differ\")\n"
             "  assert(rawequal(deal.solution, deal.solution), \"solution differs\")\n"
             "  assert(rawequal(deal.stakeholders, deal.stakeholders), \"list differs\")\n"
             "  local seen = { [a] = true }\n"
             "  assert(seen[deal.stakeholders[1]], \"not the same table key\")\n"
             "  assert(not rawequal(last, a), \"the last deal's view came back\")\n"
             "  last = a\n"
             "  return { viability = 10, verdict = \"walk_away\" }\n"
             "end\n" TAIL,
        3, &err);
    if (rc != 0) fail_msg("%s", err.message);
}

static void view_is_read_only(void **state) {
    (void)state;
    ds_error err;
    int rc = run_policy("write.lua",
                        HEAD "function p.score(deal, s)\n  deal.id = \"x\"\n"
                             "  return { viability = 10, verdict = \"walk_away\" }\nend\n" TAIL,
                        1, &err);
    assert_policy_error(rc, &err, "read-only");
    /* globals are read-only too: state must live in locals */
    rc = run_policy("global.lua",
                    HEAD "function p.score(deal, s)\n  KEPT = deal\n"
                         "  return { viability = 10, verdict = \"walk_away\" }\nend\n" TAIL,
                    1, &err);
    assert_policy_error(rc, &err, "global.lua:3:");
}

static void syntax_error(void **state) {
    (void)state;
    char err[512];
    const char *path =
        write_policy("syntax.lua", HEAD "function p.score(deal, s) return {} end end\n" TAIL);
    dsl_policy *p = dsl_policy_open(path, h_params(), err, sizeof err);
    assert_null(p);
    if (!strstr(err, "syntax.lua:2:")) fail_msg("\"%s\" lacks syntax.lua:2:", err);
}

/* init(model) of the default policy names a missing key of the model */
static void bad_model_section(void **state) {
    (void)state;
    FILE *f = fopen(DEALSCORE_DATADIR "/models/default.json", "rb");
    assert_non_null(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *model = cJSON_Parse(text);
    assert_non_null(model);
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(model, "policy"), "no_champion");
    char *edited = cJSON_PrintUnformatted(model);
    ds_params params;
    char err[512];
    assert_int_equal(ds_params_load(&params, edited, "edited", err, sizeof err), 0);
    dsl_policy *p = dsl_policy_open(DEFAULT_POLICY, &params, err, sizeof err);
    assert_null(p);
    if (!strstr(err, "policy.no_champion")) fail_msg("\"%s\" does not name the key", err);
    ds_params_free(&params);
    cJSON_free(edited);
    cJSON_Delete(model);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(viability_formula),
        cmocka_unit_test(rules),
        cmocka_unit_test(no_buyer_cap),
        cmocka_unit_test(verdicts),
        cmocka_unit_test(insufficient_data),
        cmocka_unit_test(override),
        cmocka_unit_test(policy_errors),
        cmocka_unit_test(view_used_after),
        cmocka_unit_test(views_shared_within_a_deal),
        cmocka_unit_test(view_is_read_only),
        cmocka_unit_test(syntax_error),
        cmocka_unit_test(bad_model_section),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
