/* cli_strtod.c: the program's strtod and localeconv, fast paths in front of
 * glibc's for what cJSON asks of every number.
 *
 * cJSON converts every number of a deal with strtod, and glibc's exact
 * conversion was an eighth of the instructions of a scoring (issue 18); before
 * each number it also asks localeconv() for the decimal point, and glibc fills
 * the whole structure for that (about 100 instructions, 76 times on a small
 * deal). cJSON stays the JSON library; these definitions in the program take
 * the place of libc's for the whole process (ELF symbol interposition, as an
 * allocator replaces malloc), cJSON's calls included.
 *
 * strtod: the short decimals of a deal take the engine's exact fast path
 * (dealscore_number_fast, lib/dealscore_number.c), which gives the same double strtod gives
 * (tests/unit/test_json.c compares them); everything else (hex, inf, nan, long
 * digit strings, big exponents) goes to glibc's strtod, found with
 * dlsym(RTLD_NEXT).
 *
 * The locale: a C program starts in the "C" locale, and this one never changes
 * it. While nothing has called setlocale or uselocale (both pass through here
 * and note the call), localeconv answers with the C locale's values (C11
 * 7.11.2.1: "." and empty strings, CHAR_MAX) and strtod's fast path skips its
 * radix check; after such a call, both ask glibc as before (tests/unit/
 * test_strtod.c). Only the program has these: the library never replaces a
 * libc function in a process that embeds it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <locale.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "dealscore.h"

/* glibc's definition of a function this file replaces (never NULL) */
static void *libc_function(_Atomic(void *) *cache, const char *name) {
    void *f = atomic_load_explicit(cache, memory_order_relaxed);
    if (!f) {
        f = dlsym(RTLD_NEXT, name);
        if (!f) abort(); /* no libc below us: nothing sensible to return */
        atomic_store_explicit(cache, f, memory_order_relaxed);
    }
    return f;
}

typedef double (*strtod_fn)(const char *, char **);
typedef char *(*setlocale_fn)(int, const char *);
typedef locale_t (*uselocale_fn)(locale_t);
typedef struct lconv *(*localeconv_fn)(void);
static _Atomic(void *) libc_strtod, libc_setlocale, libc_uselocale, libc_localeconv;

/* set once the program changes its locale; never cleared */
static atomic_bool locale_changed;

static bool c_locale(void) {
    return !atomic_load_explicit(&locale_changed, memory_order_relaxed);
}

__attribute__((visibility("default"))) double strtod(const char *restrict s, char **restrict end) {
    double v;
    if (c_locale() ? dealscore_number_fast_c(s, end, &v) : dealscore_number_fast(s, end, &v))
        return v;
    return ((strtod_fn)libc_function(&libc_strtod, "strtod"))(s, end);
}

__attribute__((visibility("default"))) char *setlocale(int category, const char *locale) {
    if (locale) atomic_store(&locale_changed, true); /* NULL only asks */
    return ((setlocale_fn)libc_function(&libc_setlocale, "setlocale"))(category, locale);
}

__attribute__((visibility("default"))) locale_t uselocale(locale_t locale) {
    if (locale) atomic_store(&locale_changed, true); /* (locale_t)0 only asks */
    return ((uselocale_fn)libc_function(&libc_uselocale, "uselocale"))(locale);
}

/* The C locale's conventions; callers may not modify them (C11 7.11.2.1). */
static struct lconv c_conventions = {.decimal_point = ".",
                                     .thousands_sep = "",
                                     .grouping = "",
                                     .int_curr_symbol = "",
                                     .currency_symbol = "",
                                     .mon_decimal_point = "",
                                     .mon_thousands_sep = "",
                                     .mon_grouping = "",
                                     .positive_sign = "",
                                     .negative_sign = "",
                                     .int_frac_digits = CHAR_MAX,
                                     .frac_digits = CHAR_MAX,
                                     .p_cs_precedes = CHAR_MAX,
                                     .p_sep_by_space = CHAR_MAX,
                                     .n_cs_precedes = CHAR_MAX,
                                     .n_sep_by_space = CHAR_MAX,
                                     .p_sign_posn = CHAR_MAX,
                                     .n_sign_posn = CHAR_MAX,
                                     .int_p_cs_precedes = CHAR_MAX,
                                     .int_p_sep_by_space = CHAR_MAX,
                                     .int_n_cs_precedes = CHAR_MAX,
                                     .int_n_sep_by_space = CHAR_MAX,
                                     .int_p_sign_posn = CHAR_MAX,
                                     .int_n_sign_posn = CHAR_MAX};

__attribute__((visibility("default"))) struct lconv *localeconv(void) {
    if (c_locale()) return &c_conventions;
    return ((localeconv_fn)libc_function(&libc_localeconv, "localeconv"))();
}
