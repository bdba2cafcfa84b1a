/* cli_strtod.c: the program's strtod, ds_number_fast in front of glibc's.
 *
 * cJSON converts every number of a deal with strtod, and glibc's exact
 * conversion was an eighth of the instructions of a scoring (issue 18). cJSON
 * stays the JSON library; this definition of strtod in the program takes the
 * place of libc's for the whole process (ELF symbol interposition, as an
 * allocator replaces malloc), cJSON's calls included. The short decimals of a
 * deal take the exact fast path of core/ds_number.c, which gives the same double
 * strtod gives (tests/unit/test_number.c compares them); everything else (hex,
 * inf, nan, long digit strings, big exponents, other locales) goes to glibc's
 * strtod, found with dlsym(RTLD_NEXT). Only the program has it: the library
 * never replaces a libc function in a process that embeds it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "ds_number.h"

typedef double (*strtod_fn)(const char *, char **);

static _Atomic(strtod_fn) libc_strtod;

static strtod_fn find_libc_strtod(void) {
    strtod_fn f = atomic_load_explicit(&libc_strtod, memory_order_relaxed);
    if (!f) {
        f = (strtod_fn)dlsym(RTLD_NEXT, "strtod");
        if (!f) abort(); /* no libc below us: nothing sensible to return */
        atomic_store_explicit(&libc_strtod, f, memory_order_relaxed);
    }
    return f;
}

__attribute__((visibility("default"))) double strtod(const char *restrict s, char **restrict end) {
    double v;
    if (ds_number_fast(s, end, &v)) return v;
    return find_libc_strtod()(s, end);
}
