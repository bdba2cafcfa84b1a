/* dealscore_number.c: the exact fast path for decimal numbers; see
 * dealscore_number_fast in dealscore.h.
 *
 * Most numbers in a deal are short decimals ("0.734", "250000"). glibc's strtod
 * converts them exactly but slowly (multi-precision arithmetic, ~500
 * instructions each); when the digits fit in 2^53 and the power of ten in
 * 10^22, one IEEE multiplication or division of two exact doubles gives the
 * same, correctly rounded, double (Clinger's fast path). These take exactly
 * those texts and decline everything else, for strtod to convert. Public (the
 * program puts them in front of strtod) and defined here, not wrapped: they run
 * once per number of every deal. */
#include <langinfo.h>
#include <stdint.h>

#include "dealscore.h"

#define MAX_EXACT (1ull << 53) /* every integer up to here is a double */

static const double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static bool digit(char c) {
    return c >= '0' && c <= '9';
}

/* Reads digits into *m while it stays exact; false when it does not. */
static bool read_digits(const char **p, uint64_t *m, int *count) {
    *count = 0;
    for (; digit(**p); (*p)++, (*count)++) {
        *m = *m * 10 + (uint64_t)(**p - '0');
        if (*m > MAX_EXACT) return false;
    }
    return true;
}

bool dealscore_number_fast_c(const char *s, char **end, double *out) {
    const char *p = s;
    bool negative = *p == '-';
    p += negative;
    uint64_t m = 0;
    int n, exp10 = 0;
    if (!read_digits(&p, &m, &n) || n == 0) return false;
    if (*p == '.') {
        p++;
        if (!read_digits(&p, &m, &n) || n == 0) return false; /* "1." is strtod's */
        exp10 -= n;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        bool minus = *p == '-';
        p += *p == '-' || *p == '+';
        int e = 0;
        for (n = 0; digit(*p) && n < 4; p++, n++) e = e * 10 + (*p - '0');
        if (n == 0 || digit(*p)) return false; /* "1e" or a huge exponent */
        exp10 += minus ? -e : e;
    }
    /* "0x1p3" is hexadecimal to strtod; '.' is the radix only in some locales */
    if (*p == 'x' || *p == 'X' || *p == '.') return false;
    if (exp10 < -22 || exp10 > 22) return false;
    double v = (double)m;                                   /* exact */
    v = exp10 < 0 ? v / powers[-exp10] : v * powers[exp10]; /* one rounding */
    *out = negative ? -v : v;
    if (end) *end = (char *)p;
    return true;
}

bool dealscore_number_fast(const char *s, char **end, double *out) {
    return *nl_langinfo(RADIXCHAR) == '.' && dealscore_number_fast_c(s, end, out);
}
