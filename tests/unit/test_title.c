/* test_title.c: function and level from job titles (core/ds_title.h) with the
 * bundled table models/titles.json: several hundred real-world titles in five
 * languages (tests/data/titles.tsv), folding, precedence, tables a team adds,
 * bad tables, and what ds_titles_infer() records as inferred. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ds_buf.h"
#include "ds_deal.h"
#include "ds_title.h"

static ds_titles *bundled(void) {
    ds_titles *t = ds_titles_new();
    char err[500] = "";
    assert_non_null(t);
    if (ds_titles_add_file(t, DEALSCORE_DATADIR "/models/titles.json", err, sizeof err) < 0)
        fail_msg("%s", err);
    return t;
}

static const char *name_or_dash(const char *const *names, int i) {
    return i < 0 ? "-" : names[i];
}

/* Every line of tests/data/titles.tsv: function, level, title. All mismatches are
 * printed before the test fails, so a rule change shows everything it moved. */
static void real_world_titles(void **state) {
    (void)state;
    ds_titles *t = bundled();
    FILE *f = fopen(DEALSCORE_DATADIR "/tests/data/titles.tsv", "r");
    assert_non_null(f);
    char line[600];
    int n = 0, wrong = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0') continue;
        char *function = line, *level = strchr(line, '\t');
        assert_non_null(level);
        *level++ = '\0';
        char *title = strchr(level, '\t');
        assert_non_null(title);
        *title++ = '\0';
        ds_title_guess g = ds_titles_match(t, title);
        const char *gf = name_or_dash(ds_function_names, g.function);
        const char *gl = name_or_dash(ds_level_names, g.level);
        if (strcmp(gf, function) != 0 || strcmp(gl, level) != 0) {
            print_error("titles.tsv:%d \"%s\": got %s/%s, expected %s/%s\n", lineno, title, gf, gl,
                        function, level);
            wrong++;
        }
        n++;
    }
    fclose(f);
    ds_titles_free(t);
    assert_true(n >= 300);
    assert_int_equal(wrong, 0);
}

static void check_fold(const char *in, const char *out) {
    char buf[256];
    ds_title_fold(in, buf, sizeof buf);
    if (strcmp(buf, out) != 0) fail_msg("fold \"%s\": got \"%s\", expected \"%s\"", in, buf, out);
}

static void folding(void **state) {
    (void)state;
    check_fold("VP, IT Infrastructure", "vp it infrastructure");
    check_fold("  Head of Data & Analytics ", "head of data analytics");
    check_fold("Geschäftsführer", "geschaftsfuhrer");
    check_fold("GESCHÄFTSFÜHRERIN", "geschaftsfuhrerin");
    check_fold("Leiter Großkunden", "leiter grosskunden");
    check_fold("Directeur des systèmes d'information", "directeur des systemes d information");
    check_fold("Directrice des Systèmes d\xe2\x80\x99Information",
               "directrice des systemes d information");
    check_fold("Jefa de Atención al Cliente", "jefa de atencion al cliente");
    check_fold("Afdelingshoofd Financiën", "afdelingshoofd financien");
    check_fold("Dyrektor Łódź", "dyrektor lodz"); /* Latin Extended-A */
    check_fold("C.E.O.", "ceo");
    check_fold("Sr.Mgr. IT-Ops", "sr mgr it ops");
    check_fold("Director \xe2\x80\x94 IT", "director it"); /* em dash */
    check_fold("Head\xc2\xa0of\xc2\xa0IT", "head of it");  /* no-break spaces */
    check_fold("Директор ИТ", "Директор ИТ");              /* another script: as it is */
    check_fold("a\xff"
               "b",
               "a\xff"
               "b"); /* a stray byte stays in its word */
    check_fold("", "");
    char small[6];
    ds_title_fold("Chief Information Officer", small, sizeof small);
    assert_string_equal(small, "chief");
}

static ds_title_guess guess(const ds_titles *t, const char *title) {
    return ds_titles_match(t, title);
}

static void assert_guess(const ds_titles *t, const char *title, const char *function,
                         const char *level) {
    ds_title_guess g = guess(t, title);
    const char *gf = name_or_dash(ds_function_names, g.function);
    const char *gl = name_or_dash(ds_level_names, g.level);
    if (strcmp(gf, function) != 0 || strcmp(gl, level) != 0)
        fail_msg("\"%s\": got %s/%s, expected %s/%s", title, gf, gl, function, level);
}

static int add_json(ds_titles *t, const char *json, char *err, size_t errlen) {
    cJSON *j = cJSON_Parse(json);
    assert_non_null(j);
    int rc = ds_titles_add(t, j, err, errlen);
    cJSON_Delete(j);
    return rc;
}

/* The first phrase in the title wins; at the same start the longer one. */
static void precedence(void **state) {
    (void)state;
    ds_titles *t = bundled();
    assert_guess(t, "Director, Office of the CIO", "it", "director");
    assert_guess(t, "Vice President", "-", "vp");
    assert_guess(t, "President", "exec", "c_level");
    assert_guess(t, "Managing Director", "exec", "c_level");
    assert_guess(t, "Teamleiter", "-", "manager"); /* the literal word beats "*leiter" */
    assert_guess(t, "Abteilungsleiter", "-", "head");
    ds_titles_free(t);
}

/* A team's table, added after the bundled one, wins where both match the same
 * words, and adds words the bundled one does not know. */
static void team_tables(void **state) {
    (void)state;
    ds_titles *t = bundled();
    char err[300];
    assert_guess(t, "Director", "-", "director");
    assert_guess(t, "Bereichsdirektor Schadenregulierung", "-", "director");
    assert_int_equal(
        add_json(t,
                 "{\"name\": \"ours\", \"rules\": ["
                 "{\"match\": [\"director\"], \"level\": \"vp\", \"why\": \"our VPs\"},"
                 "{\"match\": [\"schaden*\"], \"function\": \"business\"}]}",
                 err, sizeof err),
        0);
    assert_guess(t, "Director", "-", "vp");
    assert_guess(t, "Director of IT", "it", "vp");
    assert_guess(t, "Managing Director", "exec", "c_level"); /* longer bundled phrase */
    assert_guess(t, "Bereichsdirektor Schadenregulierung", "business", "director");
    /* replace: only the new table counts */
    assert_int_equal(add_json(t,
                              "{\"replace\": true, \"rules\": [{\"match\": [\"boss\"], "
                              "\"level\": \"c_level\"}]}",
                              err, sizeof err),
                     0);
    assert_guess(t, "Director of IT", "-", "-");
    assert_guess(t, "The Boss", "-", "c_level");
    ds_titles_free(t);
}

static void bad_tables(void **state) {
    (void)state;
    static const struct {
        const char *json, *message;
    } cases[] = {
        {"[]", "a title table must be a JSON object"},
        {"{\"rulez\": []}", "rulez: unknown key"},
        {"{\"rules\": {}}", "rules: must be a list"},
        {"{\"replace\": 1, \"rules\": []}", "replace: must be a boolean"},
        {"{\"rules\": [3]}", "rules[0]: must be an object"},
        {"{\"rules\": [{\"match\": [\"x\"], \"levle\": \"vp\"}]}", "rules[0].levle: unknown key"},
        {"{\"rules\": [{\"match\": [\"x\"], \"level\": \"boss\"}]}",
         "rules[0].level: must be one of c_level, vp, director, head, manager, individual"},
        {"{\"rules\": [{\"match\": [\"x\"], \"function\": \"sales\"}]}",
         "rules[0].function: must be one of business, exec, it, user, finance"},
        {"{\"rules\": [{\"match\": [\"x\"]}]}", "rules[0]: names neither a function nor a level"},
        {"{\"replace\": true, \"rules\": [{\"match\": [\"x\"]}]}",
         "rules[0]: names neither a function nor a level"},
        {"{\"rules\": [{\"match\": \"x\", \"level\": \"vp\"}]}",
         "rules[0].match: must be a list of phrases"},
        {"{\"rules\": [{\"match\": [], \"level\": \"vp\"}]}",
         "rules[0].match: must be a list of phrases"},
        {"{\"rules\": [{\"level\": \"vp\", \"match\": [\"ok\", \" - \"]}]}",
         "rules[0].match[1]: \" - \" has no words"},
        {"{\"rules\": [{\"level\": \"vp\", \"match\": [7]}]}",
         "rules[0].match[0]: must be a string"},
        {"{\"rules\": [{\"level\": \"vp\", \"match\": [\"* officer\"]}]}",
         "a \"*\" word must stand between two words"},
        {"{\"rules\": [{\"level\": \"vp\", \"match\": [\"vi*ce\"]}]}",
         "\"*\" only at the start or end of a word"},
        {"{\"rules\": [{\"level\": \"vp\", \"match\": [\"a b c d e f g h i\"]}]}",
         "has more than 8 words"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ds_titles *t = bundled();
        char err[300] = "";
        if (add_json(t, cases[i].json, err, sizeof err) != -1)
            fail_msg("%s: accepted", cases[i].json);
        if (!strstr(err, cases[i].message))
            fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].json, err, cases[i].message);
        /* nothing of a failed table stays; the bundled rules still work */
        assert_guess(t, "VP, IT Infrastructure", "it", "vp");
        ds_titles_free(t);
    }
    /* a rule that fails after good ones leaves none of them behind */
    ds_titles *t = bundled();
    char err[300];
    assert_int_equal(add_json(t,
                              "{\"rules\": [{\"match\": [\"director\"], \"level\": \"vp\"}, "
                              "{\"match\": [\"x\"]}]}",
                              err, sizeof err),
                     -1);
    assert_guess(t, "Director", "-", "director");
    ds_titles_free(t);
    /* files: missing, not JSON, a bad table, each named */
    t = ds_titles_new();
    assert_int_equal(ds_titles_add_file(t, "/nonexistent/titles.json", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/titles.json: No such file"));
    FILE *f = fopen("test_title_bad.json", "w");
    assert_non_null(f);
    fputs("{\"rules\": [", f);
    fclose(f);
    assert_int_equal(ds_titles_add_file(t, "test_title_bad.json", err, sizeof err), -1);
    assert_string_equal(err, "test_title_bad.json: not valid JSON");
    remove("test_title_bad.json");
    ds_titles_free(t);
}

static cJSON *infer(const ds_titles *t, const char *json, int expect_set) {
    cJSON *s = cJSON_Parse(json);
    assert_non_null(s);
    assert_int_equal(ds_titles_infer(t, s), expect_set);
    return s;
}

static void expect_json(cJSON *s, const char *json) {
    char *text = cJSON_PrintUnformatted(s);
    if (strcmp(text, json) != 0) fail_msg("got %s\nexpected %s", text, json);
    free(text);
    cJSON_Delete(s);
}

static void inference(void **state) {
    (void)state;
    ds_titles *t = bundled();
    expect_json(infer(t, "{\"id\":\"a\",\"title\":\"VP, IT Infrastructure\"}", 2),
                "{\"id\":\"a\",\"title\":\"VP, IT Infrastructure\",\"function\":\"it\","
                "\"inferred\":{\"function\":\"title \\\"VP, IT Infrastructure\\\"\",\"level\":"
                "\"title \\\"VP, IT Infrastructure\\\"\"},\"level\":\"vp\"}");
    /* what the CRM said is never overwritten */
    expect_json(infer(t, "{\"id\":\"a\",\"title\":\"CFO\",\"function\":\"exec\"}", 1),
                "{\"id\":\"a\",\"title\":\"CFO\",\"function\":\"exec\",\"level\":\"c_level\","
                "\"inferred\":{\"level\":\"title \\\"CFO\\\"\"}}");
    /* the department when the title names no function */
    expect_json(infer(t,
                      "{\"id\":\"a\",\"title\":\"Director\",\"department\":\"Information "
                      "Technology\"}",
                      2),
                "{\"id\":\"a\",\"title\":\"Director\",\"department\":\"Information Technology\","
                "\"level\":\"director\",\"inferred\":{\"level\":\"title \\\"Director\\\"\","
                "\"function\":\"department \\\"Information Technology\\\"\"},\"function\":"
                "\"it\"}");
    /* the title wins over the department */
    expect_json(infer(t,
                      "{\"id\":\"a\",\"title\":\"Head of Procurement\",\"department\":"
                      "\"Finance\"}",
                      2),
                "{\"id\":\"a\",\"title\":\"Head of Procurement\",\"department\":\"Finance\","
                "\"function\":\"procurement\",\"inferred\":{\"function\":\"title \\\"Head of "
                "Procurement\\\"\",\"level\":\"title \\\"Head of Procurement\\\"\"},\"level\":"
                "\"head\"}");
    /* nothing to read: nothing added, not even an empty "inferred" */
    expect_json(infer(t, "{\"id\":\"a\",\"title\":\"Jonas\"}", 0),
                "{\"id\":\"a\",\"title\":\"Jonas\"}");
    expect_json(infer(t, "{\"id\":\"a\",\"title\":7}", 0), "{\"id\":\"a\",\"title\":7}");
    /* an "inferred" that is not an object is the input's: left alone */
    expect_json(infer(t, "{\"id\":\"a\",\"title\":\"CIO\",\"inferred\":[]}", 2),
                "{\"id\":\"a\",\"title\":\"CIO\",\"inferred\":[],\"function\":\"it\",\"level\":"
                "\"c_level\"}");
    /* a long title is cut in the record, not in the match */
    ds_buf long_title;
    ds_buf_init(&long_title);
    ds_buf_puts(&long_title, "{\"id\":\"a\",\"title\":\"CIO");
    for (int i = 0; i < 50; i++) ds_buf_puts(&long_title, " and more");
    ds_buf_puts(&long_title, "\"}");
    cJSON *s = infer(t, long_title.data, 2);
    const char *rec =
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "inferred"), "function"));
    assert_non_null(rec);
    assert_true(strlen(rec) < 140);
    assert_non_null(strstr(rec, "...\""));
    cJSON_Delete(s);
    ds_buf_free(&long_title);
    /* the cut never splits a UTF-8 character */
    for (int shift = 0; shift < 2; shift++) {
        ds_buf t8;
        ds_buf_init(&t8);
        ds_buf_puts(&t8,
                    shift ? "{\"id\":\"a\",\"title\":\"CIO x" : "{\"id\":\"a\",\"title\":\"CIO ");
        for (int i = 0; i < 80; i++) ds_buf_puts(&t8, "\xc3\xa9");
        ds_buf_puts(&t8, "\"}");
        s = infer(t, t8.data, 2);
        rec =
            cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "inferred"), "level"));
        assert_non_null(rec);
        for (const unsigned char *p = (const unsigned char *)rec; *p; p++)
            if (*p == 0xc3)
                assert_int_equal(p[1] & 0xC0, 0x80), p++;
            else
                assert_true(*p < 0x80);
        cJSON_Delete(s);
        ds_buf_free(&t8);
    }
    ds_titles_free(t);
    assert_int_equal(ds_titles_infer(NULL, NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_world_titles), cmocka_unit_test(folding),
        cmocka_unit_test(precedence),        cmocka_unit_test(team_tables),
        cmocka_unit_test(bad_tables),        cmocka_unit_test(inference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
