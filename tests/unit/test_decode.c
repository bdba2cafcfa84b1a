/* test_decode.c: validation of a deal (SCORING.md section 1, docs/model.md
 * "Validation order"): every error code with its path, the phase order, the
 * defaults and coverage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ds_fields.h"
#include "ds_nearkey.h"
#include "helpers.h"

typedef struct bad_case {
    const char *json, *code, *path;
} bad_case;

/* two stakeholders a, b for relationship cases */
#define AB "\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\"}]"

static void expect_errors(const bad_case *cases, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h_deal h;
        int rc = h_decode(&h, cases[i].json);
        if (rc != -1 || !h.err.code || strcmp(h.err.code, cases[i].code) != 0 ||
            strcmp(h.err.path, cases[i].path) != 0)
            fail_msg("%s\n  expected %s at %s, got rc %d: %s at %s (%s)", cases[i].json,
                     cases[i].code, cases[i].path, rc, h.err.code ? h.err.code : "-", h.err.path,
                     h.err.message);
        h_free(&h);
    }
}

#define EXPECT(cases) expect_errors(cases, sizeof cases / sizeof cases[0])

static void bad_type(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"null", "bad_type", "$"},
        {"[{\"id\":\"d\"}]", "bad_type", "$"},
        {"\"d\"", "bad_type", "$"},
        {"42", "bad_type", "$"},
        {"{\"id\":null}", "bad_type", "$.id"},
        {"{\"id\":7.5}", "bad_type", "$.id"},
        {"{\"id\":1e300}", "bad_type", "$.id"},
        {"{\"id\":true}", "bad_type", "$.id"},
        {"{\"id\":\"d\",\"name\":null}", "bad_type", "$.name"},
        {"{\"id\":\"d\",\"amount\":\"10\"}", "bad_type", "$.amount"},
        {"{\"id\":\"d\",\"solution\":[]}", "bad_type", "$.solution"},
        {"{\"id\":\"d\",\"solution\":{\"for_it\":\"yes\"}}", "bad_type", "$.solution.for_it"},
        {"{\"id\":\"d\",\"solution\":{\"capability\":null}}", "bad_type", "$.solution.capability"},
        {"{\"id\":\"d\",\"solution\":{\"measurable\":{\"cost\":null}}}", "bad_type",
         "$.solution.measurable.cost"},
        {"{\"id\":\"d\",\"stakeholders\":{}}", "bad_type", "$.stakeholders"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\"},5]}", "bad_type",
         "$.stakeholders[2]"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"roles\":\"champion\"}]}", "bad_type",
         "$.stakeholders[0].roles"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"roles\":[\"champion\",3]}]}", "bad_type",
         "$.stakeholders[0].roles[1]"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"benefits\":{\"work\":null}}]}",
         "bad_type", "$.stakeholders[0].benefits.work"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"can_buy\":1}]}", "bad_type",
         "$.stakeholders[0].can_buy"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"last_contact\":20240101}]}", "bad_type",
         "$.stakeholders[0].last_contact"},
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":"
         "\"peer\",\"strength\":null}]}",
         "bad_type", "$.relationships[0].strength"},
        {"{\"id\":\"d\"," AB ",\"relationships\":[\"a->b\"]}", "bad_type", "$.relationships[0]"},
        {"{\"id\":\"d\",\"override\":{\"viability\":\"50\"}}", "bad_type", "$.override.viability"},
    };
    EXPECT(cases);
}

static void missing_field(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"{}", "missing_field", "$.id"},
        {"{\"name\":\"no id\",\"stage\":\"proposal\"}", "missing_field", "$.id"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"name\":\"Ann\"}]}", "missing_field",
         "$.stakeholders[0].id"},
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"from\":\"a\",\"to\":\"b\"}]}", "missing_field",
         "$.relationships[0].type"},
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"to\":\"b\",\"type\":\"peer\"}]}",
         "missing_field", "$.relationships[0].from"},
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"from\":\"a\",\"type\":\"peer\"}]}",
         "missing_field", "$.relationships[0].to"},
    };
    EXPECT(cases);
}

static void out_of_range(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\",\"influence\":1.5}]}",
         "out_of_range", "$.stakeholders[1].influence"},
        {"{\"id\":\"d\",\"solution\":{\"measurable\":{\"cost\":0}}}", "out_of_range",
         "$.solution.measurable.cost"},
        {"{\"id\":\"d\",\"solution\":{\"it_workload\":-1.5}}", "out_of_range",
         "$.solution.it_workload"},
        {"{\"id\":\"d\",\"override\":{\"viability\":101}}", "out_of_range", "$.override.viability"},
        {"{\"id\":\"d\",\"override\":{\"viability\":-0.5}}", "out_of_range",
         "$.override.viability"},
        {"{\"id\":\"d\",\"amount\":-1}", "out_of_range", "$.amount"},
        {"{\"id\":\"d\",\"amount\":1e400}", "out_of_range", "$.amount"}, /* not finite */
        {"{\"id\":\"d\",\"solution\":{\"capability\":1.0001}}", "out_of_range",
         "$.solution.capability"},
        {"{\"id\":\"d\",\"solution\":{\"measurable\":{\"payback_months\":-1}}}", "out_of_range",
         "$.solution.measurable.payback_months"},
        {"{\"id\":\"d\",\"solution\":{\"measurable\":{\"confidence\":2}}}", "out_of_range",
         "$.solution.measurable.confidence"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"stance\":-1.01}]}", "out_of_range",
         "$.stakeholders[0].stance"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"benefits\":{\"career\":-0.1}}]}",
         "out_of_range", "$.stakeholders[0].benefits.career"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"expectation_gap\":1.2}]}", "out_of_range",
         "$.stakeholders[0].expectation_gap"},
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":"
         "\"peer\",\"strength\":1.5}]}",
         "out_of_range", "$.relationships[0].strength"},
    };
    EXPECT(cases);
}

/* The ends of each range are inside it. */
static void range_ends_are_valid(void **state) {
    (void)state;
    static const char *const ok[] = {
        "{\"id\":\"d\",\"amount\":0,\"override\":{\"viability\":100}}",
        "{\"id\":\"d\",\"override\":{\"viability\":0}}",
        "{\"id\":\"d\",\"solution\":{\"it_workload\":-1,\"capability\":1,\"strategic\":0,"
        "\"measurable\":{\"cost\":0.01,\"annual_benefit\":0,\"payback_months\":0}}}",
        "{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"stance\":-1,\"influence\":0},"
        "{\"id\":\"b\",\"stance\":1,\"influence\":1}]}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        h_deal h;
        if (h_decode(&h, ok[i]) != 0) fail_msg("%s: %s", ok[i], h.err.message);
        h_free(&h);
    }
}

static void bad_enum_and_date(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"roles\":[\"champion\",\"king\"]}]}",
         "bad_enum", "$.stakeholders[0].roles[1]"},
        {"{\"id\":\"d\",\"stage\":5}", "bad_type", "$.stage"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"function\":\"hr\"}]}", "bad_enum",
         "$.stakeholders[0].function"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"level\":\"ceo\"}]}", "bad_enum",
         "$.stakeholders[0].level"},
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":"
         "\"likes\"}]}",
         "bad_enum", "$.relationships[0].type"},
        {"{\"id\":\"d\",\"close_date\":\"2023-02-29\"}", "bad_date", "$.close_date"},
        {"{\"id\":\"d\",\"as_of\":\"2024-13-01\"}", "bad_date", "$.as_of"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"last_contact\":\"2024-1-01\"}]}",
         "bad_date", "$.stakeholders[0].last_contact"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"first_contact\":\"2024-01-01Z\"}]}",
         "bad_date", "$.stakeholders[0].first_contact"},
    };
    EXPECT(cases);
}

static void cross_references(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"a\"}]}",
         "duplicate_id", "$.stakeholders[2].id"},
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"from\":\"a\",\"to\":\"z\",\"type\":"
         "\"peer\"}]}",
         "unknown_id", "$.relationships[0].to"},
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":"
         "\"peer\"},{\"from\":\"y\",\"to\":\"z\",\"type\":\"peer\"}]}",
         "unknown_id", "$.relationships[1].from"},
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"from\":\"b\",\"to\":\"b\",\"type\":"
         "\"trusts\"}]}",
         "self_relationship", "$.relationships[0].to"},
    };
    EXPECT(cases);
}

/* docs/model.md: fields in document order (not JSON order), then duplicate_id,
 * unknown_id, self_relationship as phases over the whole deal. */
static void phase_order(void **state) {
    (void)state;
    static const bad_case cases[] = {
        /* a bad enum anywhere beats an unknown id */
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"from\":\"a\",\"to\":\"z\",\"type\":"
         "\"peer\"},{\"from\":\"a\",\"to\":\"b\",\"type\":\"hates\"}]}",
         "bad_enum", "$.relationships[1].type"},
        /* a duplicate stakeholder beats an unknown relationship end */
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"a\"}],\"relationships\":"
         "[{\"from\":\"a\",\"to\":\"z\",\"type\":\"peer\"}]}",
         "duplicate_id", "$.stakeholders[1].id"},
        /* an unknown id in a later relationship beats a self relationship earlier */
        {"{\"id\":\"d\"," AB ",\"relationships\":[{\"from\":\"a\",\"to\":\"a\",\"type\":"
         "\"peer\"},{\"from\":\"a\",\"to\":\"z\",\"type\":\"peer\"}]}",
         "unknown_id", "$.relationships[1].to"},
        /* document order, whatever the JSON order: stage before stakeholders */
        {"{\"stakeholders\":[{\"id\":\"a\",\"influence\":2}],\"stage\":[],\"id\":\"d\"}",
         "bad_type", "$.stage"},
        /* a missing id is reported before anything after it */
        {"{\"stage\":\"won\",\"amount\":-5}", "missing_field", "$.id"},
        /* amount (out_of_range) comes before close_date (bad_type) */
        {"{\"id\":\"d\",\"close_date\":5,\"amount\":-1}", "out_of_range", "$.amount"},
        /* within a stakeholder: influence before stance, roles before influence */
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"stance\":9,\"influence\":9}]}",
         "out_of_range", "$.stakeholders[0].influence"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"influence\":9,\"roles\":[\"x\"]}]}",
         "bad_enum", "$.stakeholders[0].roles[0]"},
        /* an earlier stakeholder's error beats a later one's, and a later field's
         * error in the solution beats nothing in the stakeholders */
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"burden\":2},{\"id\":\"b\",\"level\":"
         "\"x\"}]}",
         "out_of_range", "$.stakeholders[0].burden"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"level\":\"x\"}],\"solution\":"
         "{\"prototype\":1}}",
         "bad_type", "$.solution.prototype"},
        /* the override comes after the relationships */
        {"{\"id\":\"d\",\"override\":{\"viability\":500}," AB ",\"relationships\":[{\"from\":"
         "\"a\",\"to\":\"b\",\"type\":\"x\"}]}",
         "bad_enum", "$.relationships[0].type"},
    };
    EXPECT(cases);
}

static void defaults(void **state) {
    (void)state;
    h_deal h;
    assert_int_equal(
        h_decode(&h, "{\"id\":\"d\",\"stakeholders\":["
                     "{\"id\":\"it\",\"function\":\"it\"},"
                     "{\"id\":\"ops\",\"function\":\"business\",\"roles\":"
                     "[\"it_operations\"]},"
                     "{\"id\":\"biz\",\"function\":\"business\"},"
                     "{\"id\":\"own\",\"function\":\"it\",\"credibility_threat\":0.1}"
                     "],\"relationships\":[{\"from\":\"it\",\"to\":\"biz\",\"type\":\"peer\"}]}"),
        0);
    const ds_deal *d = &h.deal;
    assert_int_equal(d->n_stakeholders, 4);
    assert_near(d->stakeholders[0].credibility_threat, 0.5, 0);
    assert_near(d->stakeholders[1].credibility_threat, 0.5, 0); /* IT by role */
    assert_near(d->stakeholders[2].credibility_threat, 0.0, 0);
    assert_near(d->stakeholders[3].credibility_threat, 0.1, 0);
    const ds_stakeholder *s = &d->stakeholders[2];
    assert_near(s->influence, 0.5, 0);
    assert_near(s->stance, 0.0, 0);
    assert_near(s->benefit_work, 0.0, 0);
    assert_near(s->benefit_career, 0.0, 0);
    assert_near(s->ai_interest, 0.5, 0);
    assert_near(s->burden, 0.5, 0);
    assert_false(s->convinced[0] || s->convinced[1] || s->convinced[2]);
    assert_int_equal(s->level, DS_LEVEL_MISSING);
    assert_int_equal(s->first_contact, DS_NO_DATE);
    assert_near(d->relationships[0].strength, 0.5, 0);
    const ds_solution *sol = &d->solution;
    assert_near(sol->capability, 0, 0);
    assert_near(sol->strategic, 0, 0);
    assert_near(sol->it_workload, 0, 0);
    assert_near(sol->it_career, 0, 0);
    assert_near(sol->in_house_alternative, 0.5, 0);
    assert_near(sol->data_readiness, 0.5, 0);
    assert_near(sol->security_risk, 0.5, 0);
    assert_near(sol->user_change, 0.5, 0);
    assert_near(sol->user_transparency, 0.5, 0);
    assert_near(sol->user_benefit, 0.5, 0);
    assert_false(sol->for_it || sol->prototype || sol->users_consulted || sol->it_burden_framed);
    assert_false(sol->has_measurable);
    h_free(&h);
}

/* The deal's own as_of wins; the default applies without one. */
static void as_of(void **state) {
    (void)state;
    h_deal h;
    int day = h_day("2024-05-01");
    assert_int_equal(h_decode_as_of(&h, "{\"id\":\"d\",\"as_of\":\"2024-01-01\"}", day), 0);
    assert_int_equal(h.deal.as_of, h_day("2024-01-01"));
    h_free(&h);
    assert_int_equal(h_decode_as_of(&h, "{\"id\":\"d\"}", day), 0);
    assert_int_equal(h.deal.as_of, day);
    h_free(&h);
}

/* CRM APIs give numeric ids: a whole number is read as its decimal text, in the
 * deal, its stakeholders and its relationships' ends. */
static void numeric_ids(void **state) {
    (void)state;
    h_deal h;
    assert_int_equal(h_decode(&h, "{\"id\":42,\"stakeholders\":[{\"id\":7},{\"id\":\"8\"}],"
                                  "\"relationships\":[{\"from\":7,\"to\":8,\"type\":\"peer\"}]}"),
                     0);
    assert_string_equal(h.deal.id, "42");
    assert_string_equal(h.deal.stakeholders[0].id, "7");
    assert_int_equal(h.deal.relationships[0].from, 0);
    assert_int_equal(h.deal.relationships[0].to, 1);
    h_free(&h);
    assert_int_equal(h_decode(&h, "{\"id\":-0}"), 0);
    assert_string_equal(h.deal.id, "0");
    h_free(&h);
}

/* Enum values are matched ignoring case; a stage that is none of the known
 * ones is kept aside (the warning unknown_stage), not an error. */
static void lenient_enums(void **state) {
    (void)state;
    h_deal h;
    assert_int_equal(h_decode(&h, "{\"id\":\"d\",\"stage\":\"Discovery\",\"stakeholders\":"
                                  "[{\"id\":\"a\",\"function\":\"IT\",\"roles\":[\"Champion\"]}]}"),
                     0);
    assert_int_equal(h.deal.stage, DS_STAGE_DISCOVERY);
    assert_null(h.deal.unknown_stage);
    assert_int_equal(h.deal.stakeholders[0].function, DS_FN_IT);
    assert_true(h.deal.stakeholders[0].roles & DS_ROLE_CHAMPION);
    h_free(&h);
    assert_int_equal(h_decode(&h, "{\"id\":\"d\",\"stage\":\"Contract Sent\"}"), 0);
    assert_int_equal(h.deal.stage, DS_STAGE_NONE);
    assert_string_equal(h.deal.unknown_stage, "Contract Sent");
    h_free(&h);
}

static void coverage(void **state) {
    (void)state;
    h_deal h;
    /* 2 given of 18 (solution) + 10 (one stakeholder) */
    assert_int_equal(h_decode(&h, "{\"id\":\"d\",\"solution\":{\"capability\":0.7},"
                                  "\"stakeholders\":[{\"id\":\"a\",\"influence\":0.4}]}"),
                     0);
    assert_int_equal(h.deal.coverage_given, 2);
    assert_int_equal(h.deal.coverage_total, 28);
    h_free(&h);
    /* the four measurable fields and booleans (false counts as given); fields that
     * have no default (function, roles, dates, expectation_gap) do not count */
    assert_int_equal(h_decode(&h, "{\"id\":\"d\",\"solution\":{\"for_it\":false,\"measurable\":"
                                  "{\"annual_benefit\":1,\"cost\":2,\"payback_months\":3,"
                                  "\"confidence\":0.5}},\"stakeholders\":[{\"id\":\"a\","
                                  "\"function\":\"it\",\"roles\":[\"champion\"],\"can_buy\":true,"
                                  "\"last_contact\":\"2024-01-01\",\"expectation_gap\":0.2},"
                                  "{\"id\":\"b\",\"influence\":1,\"stance\":0,\"benefits\":{"
                                  "\"work\":0,\"career\":0},\"convinced\":{\"capability\":false,"
                                  "\"strategic\":true,\"measurable\":false},\"ai_interest\":0,"
                                  "\"burden\":0,\"credibility_threat\":0}]}"),
                     0);
    assert_int_equal(h.deal.coverage_given, 5 + 0 + 10);
    assert_int_equal(h.deal.coverage_total, 18 + 20);
    h_free(&h);
    /* and the analysis reports the share */
    h_analyse(&h, "{\"id\":\"d\",\"solution\":{\"capability\":0.7},"
                  "\"stakeholders\":[{\"id\":\"a\",\"influence\":0.4}]}");
    assert_near(h.an.coverage, 2.0 / 28.0, 1e-12);
    h_free(&h);
}

/* "inferred" (docs/model.md "Inferred values"): the value is used, a counted field
 * counts as defaulted, the sources are kept in order; bad shapes are errors. */
static void inferred(void **state) {
    (void)state;
    h_deal h;
    const char *given = "{\"id\":\"d\",\"solution\":{\"capability\":0.7,\"strategic\":0.2%s},"
                        "\"stakeholders\":[{\"id\":\"a\",\"function\":\"it\",\"level\":\"vp\","
                        "\"stance\":0.4,\"influence\":0.6,\"benefits\":{\"work\":0.5},"
                        "\"last_contact\":\"2024-05-01\"%s}]}";
    char json[1024];
    snprintf(json, sizeof json, given, "", "");
    assert_int_equal(h_decode(&h, json), 0);
    assert_int_equal(h.deal.coverage_given, 5);
    assert_int_equal(h.deal.stakeholders[0].n_inferred, 0);
    h_free(&h);
    snprintf(json, sizeof json, given, ",\"inferred\":{\"capability\":\"Identified Pain\"}",
             ",\"inferred\":{\"function\":\"title \\\"VP, IT\\\"\",\"stance\":\"Contact "
             "Role\",\"benefits.work\":\"Department\",\"last_contact\":\"Last Activity\","
             "\"ai_interest\":\"not given, so nothing to discount\"}");
    assert_int_equal(h_decode(&h, json), 0);
    /* capability, stance and benefits.work no longer count; function, level and
     * last_contact never did; ai_interest was not given */
    assert_int_equal(h.deal.coverage_given, 2);
    const ds_stakeholder *a = &h.deal.stakeholders[0];
    assert_int_equal(a->function, DS_FN_IT);
    assert_near(a->stance, 0.4, 0);
    assert_near(a->benefit_work, 0.5, 0);
    assert_near(h.deal.solution.capability, 0.7, 0);
    assert_int_equal(a->n_inferred, 5);
    assert_string_equal(a->inferred[0].field, "function");
    assert_string_equal(a->inferred[0].source, "title \"VP, IT\"");
    assert_string_equal(ds_inferred_source(a->inferred, a->n_inferred, "last_contact"),
                        "Last Activity");
    assert_null(ds_inferred_source(a->inferred, a->n_inferred, "level"));
    assert_int_equal(h.deal.solution.n_inferred, 1);
    /* what coverage counts as given, field by field */
    assert_false(ds_deal_given(&h.deal, 0, "stance"));        /* inferred */
    assert_true(ds_deal_given(&h.deal, 0, "influence"));      /* given */
    assert_false(ds_deal_given(&h.deal, 0, "ai_interest"));   /* absent */
    assert_false(ds_deal_given(&h.deal, 0, "benefits.work")); /* inferred */
    assert_false(ds_deal_given(&h.deal, -1, "capability"));   /* inferred */
    assert_true(ds_deal_given(&h.deal, -1, "strategic"));
    assert_false(ds_deal_given(&h.deal, -1, "measurable.cost"));
    /* contact dates, no as_of */
    assert_true(ds_deal_undated_contacts(&h.deal));
    h_free(&h);
    assert_int_equal(h_decode_as_of(&h, json, h_day("2024-06-01")), 0);
    assert_false(ds_deal_undated_contacts(&h.deal));
    h_free(&h);
    assert_int_equal(h_decode(&h, "{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"}]}"), 0);
    assert_false(ds_deal_undated_contacts(&h.deal));
    h_free(&h);
    static const bad_case cases[] = {
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"inferred\":[\"function\"]}]}", "bad_type",
         "$.stakeholders[0].inferred"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"inferred\":{\"level\":null}}]}",
         "bad_type", "$.stakeholders[0].inferred.level"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"inferred\":{\"funtion\":\"x\"}}]}",
         "bad_enum", "$.stakeholders[0].inferred.funtion"},
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"inferred\":{\"id\":\"x\"}}]}", "bad_enum",
         "$.stakeholders[0].inferred.id"},
        {"{\"id\":\"d\",\"solution\":{\"inferred\":{\"cost\":\"x\"}}}", "bad_enum",
         "$.solution.inferred.cost"},
        {"{\"id\":\"d\",\"solution\":{\"inferred\":\"capability\"}}", "bad_type",
         "$.solution.inferred"},
        /* checked after the stakeholder's other fields */
        {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"inferred\":{\"x\":1},"
         "\"expectation_gap\":2}]}",
         "out_of_range", "$.stakeholders[0].expectation_gap"},
    };
    EXPECT(cases);
}

/* ---- unknown and repeated keys (docs/model.md "Unknown and repeated keys") ---- */

typedef struct near_case {
    const char *key, *field; /* field NULL: no near miss */
} near_case;

/* A table of real-world keys against the stakeholder's fields: typos and case
 * are near misses; CRM custom fields with other names are not. */
static void near_keys(void **state) {
    (void)state;
    static const char *const names[] = {DS_STAKEHOLDER_KEYS(DS_FIELD_KEY)};
    static const char *const deal_names[] = {DS_DEAL_KEYS(DS_FIELD_KEY)};
    static ds_nearkey_set set, deal_set;
    ds_nearkey_prepare(&set, names, sizeof names / sizeof names[0]);
    ds_nearkey_prepare(&deal_set, deal_names, sizeof deal_names / sizeof deal_names[0]);
    static const near_case cases[] = {
        {"Stance", "stance"},
        {"STANCE", "stance"},
        {"stnace", "stance"},
        {"stanc", "stance"},
        {"Influance", "influence"},
        {"influnce", "influence"},
        {"aiInterest", "ai_interest"},
        {"ai-interest", "ai_interest"},
        {"AI Interest", "ai_interest"},
        {"credibility_treat", "credibility_threat"},
        {"lastContact", "last_contact"},
        {"last_contacted", "last_contact"},
        {"role", "roles"},
        {"Roles", "roles"},
        {"Title", "title"},
        {"ID", "id"},
        {"Name", "name"},
        {"canBuy", "can_buy"},
        {"expectation-gap", "expectation_gap"},
        {"email", NULL},
        {"phone", NULL},
        {"x_crm_id", NULL},
        {"owner", NULL},
        {"team", NULL},
        {"state", NULL},
        {"linkedin", NULL},
        {"seniority", NULL},
        {"dept", NULL},
        {"reports_to", NULL},
        {"notes", NULL},
        {"status", NULL},
        {"", NULL},
        {"s", NULL},
        {"a_key_longer_than_any_field_could_ever_be_and_then_some_more_bytes_x", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = ds_near_key(&set, cases[i].key);
        if (!got != !cases[i].field || (got && strcmp(got, cases[i].field) != 0))
            fail_msg("\"%s\": expected %s, got %s", cases[i].key,
                     cases[i].field ? cases[i].field : "none", got ? got : "none");
    }
    static const near_case deal_cases[] = {
        {"stage", NULL}, /* a field itself is no near miss of another */
        {"Stage", "stage"},
        {"state", NULL}, /* one edit from "stage", but a word of its own */
        {"closeDate", "close_date"},
        {"Close Date", "close_date"},
        {"CLOSEDATE", "close_date"},
        {"Amount", "amount"},
        {"amout", "amount"},
        {"stakeholder", "stakeholders"},
        {"stakholders", "stakeholders"},
        {"relationship", "relationships"},
        {"ACCOUNTID", NULL},
        {"CREATEDDATE", NULL},
        {"PROBABILITY", NULL},
        {"LEADSOURCE", NULL},
        {"TYPE", NULL},
        {"owner_name", NULL},
        {"region", NULL},
        {"amount_eur", NULL},
    };
    for (size_t i = 0; i < sizeof deal_cases / sizeof deal_cases[0]; i++) {
        const char *got = ds_near_key(&deal_set, deal_cases[i].key);
        if (!strcmp(deal_cases[i].key, "stage")) continue; /* known keys never get here */
        if (!got != !deal_cases[i].field || (got && strcmp(got, deal_cases[i].field) != 0))
            fail_msg("\"%s\": expected %s, got %s", deal_cases[i].key,
                     deal_cases[i].field ? deal_cases[i].field : "none", got ? got : "none");
    }
}

static void expect_note(const h_deal *h, int i, const char *path, const char *field) {
    if (i >= h->deal.n_key_notes) fail_msg("no key note %d (want %s)", i, path);
    const ds_key_note *k = &h->deal.key_notes[i];
    if (strcmp(k->path, path) != 0 || !k->field != !field ||
        (field && strcmp(k->field, field) != 0))
        fail_msg("note %d: expected %s (%s), got %s (%s)", i, path, field ? field : "repeated",
                 k->path, k->field ? k->field : "repeated");
}

/* Near misses are noted with their paths, in every object the decoder reads;
 * the field keeps its default (the scores are what the input says). */
static void key_notes_near(void **state) {
    (void)state;
    h_deal h;
    assert_int_equal(h_decode(&h,
                              "{\"id\":\"d\",\"Stage\":\"proposal\",\"x_crm\":1,"
                              "\"solution\":{\"capabilty\":0.9,\"measurable\":{\"Cost\":5}},"
                              "\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\",\"Stance\":0.9,"
                              "\"benefits\":{\"Work\":1},\"convinced\":{\"Capability\":true},"
                              "\"email\":\"b@x\",\"ID\":\"B\"}],"
                              "\"relationships\":[{\"from\":\"a\",\"to\":\"b\",\"type\":\"peer\","
                              "\"Strength\":1}],\"override\":{\"Viability\":10},\"odd key\":1,"
                              "\"Close Date\":\"2026-01-01\"}"),
                     0);
    assert_int_equal(h.deal.n_key_notes, 9);
    expect_note(&h, 0, "$.Stage", "stage");
    expect_note(&h, 1, "$[\"Close Date\"]", "close_date");
    expect_note(&h, 2, "$.solution.capabilty", "capability");
    expect_note(&h, 3, "$.solution.measurable.Cost", "cost");
    expect_note(&h, 4, "$.stakeholders[1].Stance", "stance");
    expect_note(&h, 5, "$.stakeholders[1].benefits.Work", "work");
    expect_note(&h, 6, "$.stakeholders[1].convinced.Capability", "capability");
    expect_note(&h, 7, "$.relationships[0].Strength", "strength");
    expect_note(&h, 8, "$.override.Viability", "viability");
    /* defaults stand: nothing was read from the near misses */
    assert_int_equal(h.deal.stage, DS_STAGE_NONE);
    assert_near(h.deal.solution.capability, h_params()->d_capability, 0);
    assert_near(h.deal.stakeholders[1].stance, h_params()->d_stance, 0);
    assert_false(h.deal.has_override);
    h_free(&h);
    /* a deal of known keys has none; nor has a CRM's "ID" beside the id */
    assert_int_equal(h_decode(&h, "{\"id\":\"d\",\"ID\":\"D\",\"stakeholders\":[{\"id\":\"a\","
                                  "\"stance\":0.5}]}"),
                     0);
    assert_int_equal(h.deal.n_key_notes, 0);
    h_free(&h);
}

/* Of a repeated key the last is read (as Python's json, jq and JavaScript do),
 * the earlier is dropped from the tree (a policy sees the same), and it is
 * noted; custom fields too. */
static void key_notes_repeated(void **state) {
    (void)state;
    h_deal h;
    assert_int_equal(
        h_decode(&h, "{\"id\":\"d\",\"x\":1,\"x\":2,\"stakeholders\":[{\"id\":\"a\",\"stance\":"
                     "0.9,\"influence\":0.2,\"stance\":-1,\"inferred\":{\"stance\":\"first\","
                     "\"stance\":\"second\"}}],\"id\":\"e\"}"),
        0);
    assert_string_equal(h.deal.id, "e");
    assert_near(h.deal.stakeholders[0].stance, -1, 0);
    assert_int_equal(h.deal.stakeholders[0].n_inferred, 1);
    assert_string_equal(h.deal.stakeholders[0].inferred[0].source, "second");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(h.deal.json, "x");
    assert_true(cJSON_IsNumber(x) && x->valueint == 2);
    assert_int_equal(cJSON_GetArraySize(h.deal.json), 3); /* x, stakeholders, id */
    const cJSON *a =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(h.deal.json, "stakeholders"), 0);
    assert_int_equal(cJSON_GetArraySize(a), 4); /* id, influence, stance, inferred */
    assert_int_equal(h.deal.n_key_notes, 4);
    /* in the order read: an object's own keys (in document order) before those
     * inside it */
    expect_note(&h, 0, "$.id", NULL);
    expect_note(&h, 1, "$.x", NULL);
    expect_note(&h, 2, "$.stakeholders[0].stance", NULL);
    expect_note(&h, 3, "$.stakeholders[0].inferred.stance", NULL);
    h_free(&h);
}

/* 1e400 is no infinity the input meant: the message says it is out of range
 * of a double, not "got inf" (which is >= 0). */
static void beyond_double(void **state) {
    (void)state;
    h_deal h;
    assert_int_equal(h_decode(&h, "{\"id\":\"d\",\"amount\":1e400}"), -1);
    assert_string_equal(h.err.code, "out_of_range");
    assert_string_equal(h.err.path, "$.amount");
    assert_non_null(strstr(h.err.message, "beyond the range of a double"));
    assert_null(strstr(h.err.message, "inf"));
    h_free(&h);
    assert_int_equal(h_decode(&h, "{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"stance\":"
                                  "-1e400}]}"),
                     -1);
    assert_string_equal(h.err.path, "$.stakeholders[0].stance");
    assert_non_null(strstr(h.err.message, "about -1.8e308"));
    h_free(&h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_type),
        cmocka_unit_test(missing_field),
        cmocka_unit_test(out_of_range),
        cmocka_unit_test(range_ends_are_valid),
        cmocka_unit_test(bad_enum_and_date),
        cmocka_unit_test(cross_references),
        cmocka_unit_test(phase_order),
        cmocka_unit_test(defaults),
        cmocka_unit_test(as_of),
        cmocka_unit_test(coverage),
        cmocka_unit_test(numeric_ids),
        cmocka_unit_test(lenient_enums),
        cmocka_unit_test(inferred),
        cmocka_unit_test(near_keys),
        cmocka_unit_test(key_notes_near),
        cmocka_unit_test(key_notes_repeated),
        cmocka_unit_test(beyond_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
