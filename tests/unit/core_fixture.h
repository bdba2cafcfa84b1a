/* core_fixture.h: what the core's unit tests share: the default model, and a deal
 * decoded (and analysed) from JSON text in an arena. Header-only: each test is one
 * program. */
#ifndef CORE_FIXTURE_H
#define CORE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

/* cmocka 1.1 on Debian 12 has no assert_double_equal */
#define assert_near(actual, expected, epsilon)                                                     \
    check_near((actual), (expected), (epsilon), #actual, __FILE__, __LINE__)
static inline void check_near(double actual, double expected, double epsilon, const char *what,
                              const char *file, int line) {
    if (!(fabs(actual - expected) <= epsilon))
        fail_msg("%s:%d: %s = %.15g, expected %.15g (within %g)", file, line, what, actual,
                 expected, epsilon);
}

#include "dealscore.h"
#include "ds_json.h"

static ds_params fixture_params;
static ds_arena fixture_arena;

static int fixture_setup(void **state) {
    (void)state;
    char err[512];
    if (ds_params_load_file(&fixture_params, DEALSCORE_DATADIR "/models/default.json", err,
                            sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    ds_json_init();
    ds_arena_init(&fixture_arena, 1 << 16);
    return 0;
}

static int fixture_teardown(void **state) {
    (void)state;
    ds_arena_free(&fixture_arena);
    ds_params_free(&fixture_params);
    return 0;
}

/* Decodes text; returns 0 or -1 with err filled. The arena is reset first. */
static inline int decode_text(const char *text, ds_deal *deal, ds_error *err) {
    ds_arena_reset(&fixture_arena);
    size_t at;
    cJSON *json = ds_json_parse(&fixture_arena, text, strlen(text), &at);
    if (!json) {
        ds_error_set(err, "bad_json", "$", "not JSON at %zu", at);
        return -1;
    }
    return ds_deal_decode(json, &fixture_params, DS_NO_DATE, &fixture_arena, deal, err);
}

/* Decodes and analyses text, failing the test on any error. */
static inline void analyse_text(const char *text, ds_deal *deal, ds_analysis *an) {
    ds_error err = {0};
    if (decode_text(text, deal, &err) < 0) fail_msg("%s: %s (%s)", err.code, err.message, text);
    assert_int_equal(ds_analyse(an, deal, &fixture_params, &fixture_arena, &err), 0);
}

static inline int index_of(const ds_deal *d, const char *id) {
    int i = ds_deal_find(d, id);
    if (i < 0) fail_msg("no stakeholder %s", id);
    return i;
}

static inline double factor_sum(const ds_analysis *an, int score) {
    return ds_score_factor_sum(&an->scores[score]);
}

static inline bool has_warning(const ds_analysis *an, const char *w) {
    for (int i = 0; i < an->n_warnings; i++)
        if (strcmp(an->warnings[i], w) == 0) return true;
    return false;
}

#endif
