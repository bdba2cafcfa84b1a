/* test_backtest_api.c: the backtest statistics of the public API (dealscore_backtest_*).
 *
 * With a policy whose viability is the deal's own "v" field (tests/e2e/backtest/
 * given.lua): the hand example of test_backtest.sh (AUC 10/12, a rule's lift 14/9
 * and Fisher p 17/35, counts of every kind of deal), the outcome mapping (dotted
 * paths, booleans, numbers, case), and on 300 deals every figure and the
 * calibrated model file against what `dealscore backtest` writes for the same
 * file. The program to compare with is argv[1]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dealscore.h"

static const char *program;

#define GIVEN DEALSCORE_DATADIR "/tests/e2e/backtest/given.lua"

typedef struct fixture {
    dealscore_model *m;
    dealscore_engine *e;
    dealscore_backtest *b;
} fixture;

static void open_all(fixture *f, const dealscore_backtest_options *o) {
    char err[256];
    f->m = dealscore_model_load(NULL, err, sizeof err);
    assert_non_null(f->m);
    dealscore_options eo;
    dealscore_options_init(&eo);
    eo.flags = DEALSCORE_EXPLAIN;
    assert_int_equal(dealscore_options_policy(&eo, NULL, GIVEN, err, sizeof err), 0);
    f->e = dealscore_engine_new(f->m, &eo, err, sizeof err);
    if (!f->e) fail_msg("engine: %s", err);
    f->b = dealscore_backtest_new(f->m, o, 1, err, sizeof err);
    if (!f->b) fail_msg("backtest: %s", err);
    assert_int_equal(
        dealscore_backtest_name(f->b, 0, "given", dealscore_engine_policy_label(f->e, NULL)), 0);
}

static void close_all(fixture *f) {
    dealscore_backtest_free(f->b);
    dealscore_engine_free(f->e);
    dealscore_model_free(f->m);
}

/* One deal through the backtest as `dealscore backtest` takes it. */
static int feed(fixture *f, const char *text) {
    int o = dealscore_backtest_outcome(f->b, text, strlen(text));
    if (o == DEALSCORE_OUTCOME_WON || o == DEALSCORE_OUTCOME_LOST)
        return dealscore_backtest_add(f->b, 0, dealscore_score(f->e, text, strlen(text), "t"), o);
    return -1;
}

static const char *const hand[] = {
    "{\"id\": \"w1\", \"stage\": \"closed_won\", \"v\": 90, \"flag\": true}",
    "{\"id\": \"w2\", \"stage\": \"Closed_Won\", \"v\": 70, \"flag\": true}",
    "{\"id\": \"w3\", \"stage\": \"CLOSED_WON\", \"v\": 50}",
    "{\"id\": \"l1\", \"stage\": \"closed_lost\", \"v\": 70}",
    "{\"id\": \"l2\", \"stage\": \"closed_lost\", \"v\": 50}",
    "{\"id\": \"l3\", \"stage\": \"closed_lost\", \"v\": 30}",
    "{\"id\": \"l4\", \"stage\": \"closed_lost\", \"v\": 10, \"flag\": true}",
    "{\"id\": \"o1\", \"stage\": \"proposal\", \"v\": 99}",
    "{\"id\": \"n1\", \"v\": 1}",
    "{\"id\": \"f1\", \"stage\": \"closed_won\", \"fail\": true}",
    "{not json",
};

static void test_hand_example(void **state) {
    (void)state;
    dealscore_backtest_options o;
    dealscore_backtest_options_init(&o);
    o.bootstrap = 200;
    fixture f;
    open_all(&f, &o);
    for (size_t i = 0; i < sizeof hand / sizeof *hand; i++) feed(&f, hand[i]);
    dealscore_backtest_unreadable(f.b); /* a CSV row that was no deal */
    dealscore_backtest_counts n = dealscore_backtest_count(f.b);
    assert_int_equal(n.read, 12);
    assert_int_equal(n.closed, 8);
    assert_int_equal(n.open, 1);
    assert_int_equal(n.no_outcome, 1);
    assert_int_equal(n.unreadable, 2);
    dealscore_backtest_policy_stats st;
    assert_int_equal(dealscore_backtest_stats(f.b, 0, &st), 0);
    assert_string_equal(st.name, "given");
    assert_int_equal(st.won, 3);
    assert_int_equal(st.lost, 4);
    assert_int_equal(st.errors, 1);
    assert_true(fabs(st.auc - 10.0 / 12) < 1e-12);
    assert_true(st.auc_lo <= st.auc && st.auc <= st.auc_hi);
    assert_true(isnan(st.auc_diff)); /* the first policy has none */
    assert_int_equal(st.probability, DEALSCORE_PROBABILITY_IN_SAMPLE);
    assert_int_equal(st.n_bins, 10);
    size_t in_bins = 0;
    for (int k = 0; k < st.n_bins; k++) in_bins += st.bins[k].n;
    assert_int_equal(in_bins, 7);
    assert_true(st.n_features >= 1);
    const dealscore_backtest_feature *flag = &st.features[0]; /* rules first */
    assert_true(flag->is_rule);
    assert_string_equal(flag->name, "flag");
    assert_int_equal(flag->fired_won, 2);
    assert_int_equal(flag->fired_lost, 1);
    assert_true(fabs(flag->lift - 14.0 / 9) < 1e-12);
    assert_true(fabs(flag->p_value - 17.0 / 35) < 1e-9);
    dealscore_backtest_calibration c;
    assert_int_equal(dealscore_backtest_calibrate(f.b, 0, &c), 0);
    assert_true(c.refused); /* 3 and 4 deals, not 40 */
    assert_null(dealscore_backtest_model_json(f.b, 0, &c));
    close_all(&f);
}

static void test_outcome_mapping(void **state) {
    (void)state;
    dealscore_backtest_options o;
    dealscore_backtest_options_init(&o);
    o.outcome_field = "crm.won";
    o.won[0] = "true";
    o.lost[0] = "false";
    o.won[1] = "1";
    o.n_won = 2;
    fixture f;
    open_all(&f, &o);
    struct {
        const char *text;
        int outcome;
    } cases[] = {
        {"{\"crm\":{\"won\":true}}", DEALSCORE_OUTCOME_WON},
        {"{\"crm\":{\"won\":false}}", DEALSCORE_OUTCOME_LOST},
        {"{\"crm\":{\"won\":1}}", DEALSCORE_OUTCOME_WON},
        {"{\"crm\":{\"won\":\"TRUE\"}}", DEALSCORE_OUTCOME_WON},
        {"{\"crm\":{\"won\":2}}", DEALSCORE_OUTCOME_OPEN},
        {"{\"crm\":{\"won\":[true]}}", DEALSCORE_OUTCOME_OPEN},
        {"{\"crm\":{\"won\":null}}", DEALSCORE_OUTCOME_NONE},
        {"{\"crm\":true}", DEALSCORE_OUTCOME_NONE},
        {"{\"won\":true}", DEALSCORE_OUTCOME_NONE},
        {"[", DEALSCORE_OUTCOME_UNREADABLE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(dealscore_backtest_outcome(f.b, cases[i].text, strlen(cases[i].text)),
                         cases[i].outcome);
    close_all(&f);
}

/* 300 deals with viabilities 0..99 and outcomes drawn from them. */
static char *write_deals(void) {
    static char path[] = "/tmp/test_backtest_api_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    unsigned x = 12345;
    for (int i = 0; i < 300; i++) {
        x = x * 1103515245u + 12345u;
        int v = i % 100;
        bool won = (int)((x >> 16) % 100) < v;
        fprintf(f, "{\"id\":\"d%d\",\"stage\":\"%s\",\"v\":%d%s}\n", i,
                won ? "closed_won" : "closed_lost", v, i % 3 == 0 ? ",\"flag\":true" : "");
    }
    fclose(f);
    return path;
}

static cJSON *program_report(const char *deals, const char *model_out) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "'%s' backtest -q -p given='%s' --bootstrap 100 --seed 7 --calibrate '%s' -f json "
             "'%s'",
             program, GIVEN, model_out, deals);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *text = calloc(1, 1 << 20);
    fread(text, 1, (1 << 20) - 1, p);
    assert_int_equal(pclose(p) >> 8, 0);
    cJSON *r = cJSON_Parse(text);
    free(text);
    assert_non_null(r);
    return r;
}

static void near4(double typed, const cJSON *json) {
    assert_true(cJSON_IsNumber(json));
    if (fabs(round(typed * 1e4) / 1e4 - json->valuedouble) > 1e-9)
        fail_msg("typed %.6f, report %.6f", typed, json->valuedouble);
}

static const cJSON *get(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *text = calloc(1, 1 << 20);
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    if (n && text[n - 1] == '\n') text[n - 1] = '\0'; /* the program ends the file with one */
    return text;
}

static void test_same_as_program(void **state) {
    (void)state;
    const char *deals = write_deals();
    char model_out[] = "/tmp/test_backtest_model_XXXXXX";
    int fd = mkstemp(model_out);
    assert_true(fd >= 0);
    close(fd);
    cJSON *report = program_report(deals, model_out);
    const cJSON *p = cJSON_GetArrayItem(get(report, "policies"), 0);

    dealscore_backtest_options o;
    dealscore_backtest_options_init(&o);
    o.bootstrap = 100;
    o.seed = 7;
    fixture f;
    open_all(&f, &o);
    FILE *in = fopen(deals, "r");
    char line[256];
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = '\0';
        assert_int_equal(feed(&f, line), DEALSCORE_BACKTEST_MEASURED);
    }
    fclose(in);
    dealscore_backtest_policy_stats st;
    assert_int_equal(dealscore_backtest_stats(f.b, 0, &st), 0);
    assert_int_equal(st.won, (long)get(p, "won")->valuedouble);
    assert_int_equal(st.lost, (long)get(p, "lost")->valuedouble);
    near4(st.auc, get(p, "auc"));
    near4(st.auc_lo, cJSON_GetArrayItem(get(p, "auc_interval"), 0));
    near4(st.auc_hi, cJSON_GetArrayItem(get(p, "auc_interval"), 1));
    near4(st.brier, get(p, "brier"));
    near4(st.brier_base, get(p, "brier_base_rate"));
    near4(st.log_loss, get(p, "log_loss"));
    assert_int_equal(cJSON_GetArraySize(get(p, "reliability")), 10);
    const cJSON *rule = cJSON_GetArrayItem(get(p, "rules"), 0);
    assert_string_equal(st.features[0].name, cJSON_GetStringValue(get(rule, "rule")));
    near4(st.features[0].lift, get(rule, "lift"));

    dealscore_backtest_calibration c;
    assert_int_equal(dealscore_backtest_calibrate(f.b, 0, &c), 0);
    assert_false(c.refused);
    const cJSON *cal = get(report, "calibration");
    /* the report prints 15 significant digits when cJSON finds them close enough */
    assert_true(fabs(c.a - get(cal, "a")->valuedouble) <= 1e-14 * fabs(c.a));
    assert_true(fabs(c.b - get(cal, "b")->valuedouble) <= 1e-14 * fabs(c.b));
    near4(c.auc, get(get(cal, "holdout"), "auc"));
    assert_int_equal(c.test, (size_t)get(get(cal, "holdout"), "test")->valuedouble);
    char *model = dealscore_backtest_model_json(f.b, 0, &c);
    char *written = slurp(model_out);
    assert_string_equal(model, written);
    free(model);
    free(written);
    cJSON_Delete(report);
    close_all(&f);
    unlink(deals);
    unlink(model_out);
}

static void test_misuse(void **state) {
    (void)state;
    char err[256];
    dealscore_backtest_options o;
    dealscore_backtest_options_init(&o);
    dealscore_model *m = dealscore_model_load(NULL, err, sizeof err);
    assert_null(dealscore_backtest_new(NULL, &o, 1, err, sizeof err));
    assert_null(dealscore_backtest_new(m, &o, 0, err, sizeof err));
    o.bins = 1;
    assert_null(dealscore_backtest_new(m, &o, 1, err, sizeof err));
    assert_non_null(strstr(err, "bins"));
    dealscore_backtest_options_init(&o);
    o.holdout = 1;
    assert_null(dealscore_backtest_new(m, &o, 1, err, sizeof err));
    dealscore_backtest_options_init(&o);
    dealscore_backtest *b = dealscore_backtest_new(m, &o, 1, err, sizeof err);
    assert_non_null(b);
    dealscore_backtest_policy_stats st;
    assert_int_equal(dealscore_backtest_stats(b, 1, &st), -1);
    assert_int_equal(dealscore_backtest_name(b, 1, "x", "y"), -1);
    assert_int_equal(dealscore_backtest_add(b, 0, NULL, DEALSCORE_OUTCOME_WON),
                     DEALSCORE_BACKTEST_ERROR);
    assert_int_equal(dealscore_backtest_stats(b, 0, &st), 0); /* nothing measured */
    assert_true(isnan(st.auc));
    assert_int_equal(st.probability, DEALSCORE_PROBABILITY_NONE);
    assert_int_equal(dealscore_backtest_outcome(NULL, "{}", 2), DEALSCORE_OUTCOME_UNREADABLE);
    dealscore_backtest_unreadable(NULL);
    dealscore_backtest_free(NULL);
    dealscore_backtest_free(b);
    dealscore_model_free(m);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_backtest_api PROGRAM\n");
        return 2;
    }
    program = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_example),
        cmocka_unit_test(test_outcome_mapping),
        cmocka_unit_test(test_same_as_program),
        cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
