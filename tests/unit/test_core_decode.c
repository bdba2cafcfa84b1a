/* test_core_decode.c: validation (SCORING.md section 1 and the order in
 * docs/model.md): every error code with its JSON path, the phase order, the
 * defaults, and the coverage count. */
#include "core_fixture.h"

typedef struct bad_case {
    const char *json, *code, *path;
} bad_case;

static const bad_case cases[] = {
    {"[1]", "bad_type", "$"},
    {"{}", "missing_field", "$.id"},
    {"{\"id\":null}", "bad_type", "$.id"},
    {"{\"id\":7}", "bad_type", "$.id"},
    {"{\"id\":\"d\",\"stage\":\"won\"}", "bad_enum", "$.stage"},
    {"{\"id\":\"d\",\"amount\":-1}", "out_of_range", "$.amount"},
    {"{\"id\":\"d\",\"amount\":1e400}", "out_of_range", "$.amount"},
    {"{\"id\":\"d\",\"close_date\":\"2024-02-30\"}", "bad_date", "$.close_date"},
    {"{\"id\":\"d\",\"as_of\":\"2024-1-05\"}", "bad_date", "$.as_of"},
    {"{\"id\":\"d\",\"solution\":[]}", "bad_type", "$.solution"},
    {"{\"id\":\"d\",\"solution\":{\"for_it\":1}}", "bad_type", "$.solution.for_it"},
    {"{\"id\":\"d\",\"solution\":{\"measurable\":{\"cost\":0}}}", "out_of_range",
     "$.solution.measurable.cost"},
    {"{\"id\":\"d\",\"solution\":{\"it_workload\":-1.5}}", "out_of_range",
     "$.solution.it_workload"},
    {"{\"id\":\"d\",\"solution\":{\"user_benefit\":null}}", "bad_type", "$.solution.user_benefit"},
    {"{\"id\":\"d\",\"stakeholders\":{}}", "bad_type", "$.stakeholders"},
    {"{\"id\":\"d\",\"stakeholders\":[\"a\"]}", "bad_type", "$.stakeholders[0]"},
    {"{\"id\":\"d\",\"stakeholders\":[{}]}", "missing_field", "$.stakeholders[0].id"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\",\"influence\":2}]}",
     "out_of_range", "$.stakeholders[1].influence"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"stance\":-1.01}]}", "out_of_range",
     "$.stakeholders[0].stance"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"roles\":[\"champion\",\"boss\"]}]}",
     "bad_enum", "$.stakeholders[0].roles[1]"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"level\":\"ceo\"}]}", "bad_enum",
     "$.stakeholders[0].level"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"benefits\":{\"work\":true}}]}", "bad_type",
     "$.stakeholders[0].benefits.work"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"convinced\":{\"strategic\":\"yes\"}}]}",
     "bad_type", "$.stakeholders[0].convinced.strategic"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"last_contact\":\"yesterday\"}]}", "bad_date",
     "$.stakeholders[0].last_contact"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"a\"}]}",
     "duplicate_id", "$.stakeholders[2].id"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"}],\"relationships\":[{\"from\":\"a\",\"to\":"
     "\"x\","
     "\"type\":\"trusts\"}]}",
     "unknown_id", "$.relationships[0].to"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"}],\"relationships\":[{\"from\":\"a\",\"to\":"
     "\"a\","
     "\"type\":\"trusts\"}]}",
     "self_relationship", "$.relationships[0].to"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"relationships\":[{\"from\":"
     "\"a\","
     "\"to\":\"b\"}]}",
     "missing_field", "$.relationships[0].type"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"relationships\":[{\"from\":"
     "\"a\","
     "\"to\":\"b\",\"type\":\"likes\"}]}",
     "bad_enum", "$.relationships[0].type"},
    {"{\"id\":\"d\",\"override\":{\"viability\":101}}", "out_of_range", "$.override.viability"},
    /* phase order: a field error beats a cross reference; duplicates beat unknown ids;
     * unknown ids beat self relationships; fields in document order */
    {"{\"id\":\"d\",\"stage\":\"x\",\"stakeholders\":[{\"id\":\"a\"}],\"relationships\":[{\"from\":"
     "\"a\","
     "\"to\":\"zz\",\"type\":\"peer\"}]}",
     "bad_enum", "$.stage"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"},{\"id\":\"a\"}],\"relationships\":[{\"from\":"
     "\"a\","
     "\"to\":\"zz\",\"type\":\"peer\"}]}",
     "duplicate_id", "$.stakeholders[1].id"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\"}],\"relationships\":[{\"from\":\"a\",\"to\":"
     "\"a\","
     "\"type\":\"peer\"},{\"from\":\"a\",\"to\":\"q\",\"type\":\"peer\"}]}",
     "unknown_id", "$.relationships[1].to"},
    {"{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"influence\":5}],\"solution\":{\"capability\":"
     "7}}",
     "out_of_range", "$.solution.capability"},
};

static void every_code_with_its_path(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ds_deal d;
        ds_error err = {0};
        if (decode_text(cases[i].json, &d, &err) == 0) fail_msg("accepted: %s", cases[i].json);
        if (strcmp(err.code, cases[i].code) != 0 || strcmp(err.path, cases[i].path) != 0)
            fail_msg("%s: got %s at %s, expected %s at %s", cases[i].json, err.code, err.path,
                     cases[i].code, cases[i].path);
        /* the message names where, for people reading an error line */
        assert_non_null(strstr(err.message, cases[i].path));
    }
}

/* IT's credibility threat defaults to 0.5, others' to 0; coverage counts the 18
 * solution fields and 10 per stakeholder: here 1 + 1 given of 18 + 2 x 10. */
static void defaults_and_coverage(void **state) {
    (void)state;
    ds_deal d;
    ds_error err = {0};
    assert_int_equal(
        decode_text("{\"id\":\"d\",\"solution\":{\"capability\":0.5,\"extra\":1},"
                    "\"stakeholders\":[{\"id\":\"i\",\"function\":\"it\",\"influence\":0.9},"
                    "{\"id\":\"u\",\"crm_note\":\"x\"}]}",
                    &d, &err),
        0);
    const ds_stakeholder *it = &d.stakeholders[0], *other = &d.stakeholders[1];
    assert_near(it->credibility_threat, 0.5, 0);
    assert_near(other->credibility_threat, 0.0, 0);
    assert_near(other->influence, 0.5, 0);
    assert_near(other->ai_interest, 0.5, 0);
    assert_near(d.solution.data_readiness, 0.5, 0);
    assert_near(d.solution.strategic, 0.0, 0);
    assert_true(it->sets & DS_SET_IT);
    assert_int_equal(d.coverage_given, 2);
    assert_int_equal(d.coverage_total, 38);
}

static void sets_from_roles_and_functions(void **state) {
    (void)state;
    ds_deal d;
    ds_error err = {0};
    assert_int_equal(
        decode_text("{\"id\":\"d\",\"stakeholders\":[{\"id\":\"a\",\"roles\":[\"it_operations\"]},"
                    "{\"id\":\"b\",\"can_buy\":true},{\"id\":\"c\",\"roles\":[\"sponsor\"]},"
                    "{\"id\":\"e\",\"function\":\"user\",\"roles\":[\"economic_buyer\"]}]}",
                    &d, &err),
        0);
    assert_int_equal(d.stakeholders[0].sets, DS_SET_IT);
    assert_int_equal(d.stakeholders[1].sets, DS_SET_DECIDERS | DS_SET_KEY);
    assert_int_equal(d.stakeholders[2].sets, DS_SET_KEY);
    assert_int_equal(d.stakeholders[3].sets, DS_SET_USERS | DS_SET_DECIDERS | DS_SET_KEY);
}

static void dates(void **state) {
    (void)state;
    int day;
    assert_true(ds_date_parse("1970-01-01", &day));
    assert_int_equal(day, 0);
    assert_true(ds_date_parse("2024-02-29", &day));
    assert_false(ds_date_parse("2023-02-29", &day));
    assert_false(ds_date_parse("2024-13-01", &day));
    assert_false(ds_date_parse("2024-01-01T00", &day));
    int a, b;
    assert_true(ds_date_parse("2024-03-01", &a) && ds_date_parse("2024-02-28", &b));
    assert_int_equal(a - b, 2); /* leap day between */
    char text[11];
    for (int z = -700000; z < 2900000; z += 997) { /* years 53 to 9909 */
        ds_date_format(z, text);
        assert_true(ds_date_parse(text, &day));
        assert_int_equal(day, z);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_with_its_path),
        cmocka_unit_test(defaults_and_coverage),
        cmocka_unit_test(sets_from_roles_and_functions),
        cmocka_unit_test(dates),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
