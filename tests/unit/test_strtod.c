/* test_strtod.c: the program's strtod and localeconv (bindings/cli/cli_strtod.c),
 * linked in here as in the program. In the C locale localeconv answers the C
 * locale's values without glibc, field by field what glibc answers; strtod
 * gives glibc's doubles; once the locale is changed (setlocale or uselocale)
 * both hand over to glibc: localeconv returns glibc's own structure. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef struct lconv *(*localeconv_fn)(void);
typedef double (*strtod_fn)(const char *, char **);

static localeconv_fn libc_localeconv(void) {
    localeconv_fn f = (localeconv_fn)dlsym(RTLD_NEXT, "localeconv");
    assert_non_null(f);
    return f;
}

static void same_text(const char *a, const char *b) {
    assert_string_equal(a, b);
}

/* every field, as glibc has them in the C locale */
static void c_locale_values(void **state) {
    (void)state;
    struct lconv *ours = localeconv(), *glibc = libc_localeconv()();
    assert_ptr_not_equal(ours, glibc); /* answered here, not by glibc */
    same_text(ours->decimal_point, glibc->decimal_point);
    same_text(ours->thousands_sep, glibc->thousands_sep);
    same_text(ours->grouping, glibc->grouping);
    same_text(ours->int_curr_symbol, glibc->int_curr_symbol);
    same_text(ours->currency_symbol, glibc->currency_symbol);
    same_text(ours->mon_decimal_point, glibc->mon_decimal_point);
    same_text(ours->mon_thousands_sep, glibc->mon_thousands_sep);
    same_text(ours->mon_grouping, glibc->mon_grouping);
    same_text(ours->positive_sign, glibc->positive_sign);
    same_text(ours->negative_sign, glibc->negative_sign);
    const char *a[] = {
        &ours->int_frac_digits,    &ours->frac_digits,       &ours->p_cs_precedes,
        &ours->p_sep_by_space,     &ours->n_cs_precedes,     &ours->n_sep_by_space,
        &ours->p_sign_posn,        &ours->n_sign_posn,       &ours->int_p_cs_precedes,
        &ours->int_p_sep_by_space, &ours->int_n_cs_precedes, &ours->int_n_sep_by_space,
        &ours->int_p_sign_posn,    &ours->int_n_sign_posn};
    const char *b[] = {
        &glibc->int_frac_digits,    &glibc->frac_digits,       &glibc->p_cs_precedes,
        &glibc->p_sep_by_space,     &glibc->n_cs_precedes,     &glibc->n_sep_by_space,
        &glibc->p_sign_posn,        &glibc->n_sign_posn,       &glibc->int_p_cs_precedes,
        &glibc->int_p_sep_by_space, &glibc->int_n_cs_precedes, &glibc->int_n_sep_by_space,
        &glibc->int_p_sign_posn,    &glibc->int_n_sign_posn};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) assert_int_equal(*a[i], *b[i]);
}

/* fast path and glibc's alike: the same double, the same end */
static void strtod_as_glibc(void **state) {
    (void)state;
    strtod_fn glibc = (strtod_fn)dlsym(RTLD_NEXT, "strtod");
    assert_non_null(glibc);
    const char *texts[] = {"0.734", "250000", "-1.5e3", "1e400",
                           "0x1p3", "nan",    "12.",    "3.14159265358979323846264338327950288",
                           "1,5",   " 7",     ""};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *e1, *e2;
        double x = strtod(texts[i], &e1), y = glibc(texts[i], &e2);
        assert_memory_equal(&x, &y, sizeof x);
        assert_ptr_equal(e1, e2);
    }
}

/* setlocale (not a query) hands localeconv over to glibc for good */
static void setlocale_hands_over(void **state) {
    (void)state;
    assert_non_null(setlocale(LC_ALL, NULL)); /* a query changes nothing */
    assert_ptr_not_equal(localeconv(), libc_localeconv()());
    assert_non_null(setlocale(LC_NUMERIC, "C"));
    assert_ptr_equal(localeconv(), libc_localeconv()());
    char *end;
    assert_true(strtod("2.5", &end) == 2.5 && *end == '\0');
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(c_locale_values),
        cmocka_unit_test(strtod_as_glibc),
        cmocka_unit_test(setlocale_hands_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
