/* ds_number.h: the exact fast path for decimal numbers.
 *
 * Most numbers in a deal are short decimals ("0.734", "250000"). glibc's strtod
 * converts them exactly but slowly (multi-precision arithmetic, ~500
 * instructions each); when the digits fit in 2^53 and the power of ten in
 * 10^22, one IEEE multiplication or division of two exact doubles gives the
 * same, correctly rounded, double (Clinger's fast path). ds_number_fast takes
 * exactly those texts and declines everything else, for strtod to convert. */
#ifndef DS_NUMBER_H
#define DS_NUMBER_H

#include <stdbool.h>

/* When s starts with a decimal number the fast path converts exactly
 * (-?D+(.D+)?([eE][+-]?D+)?, at most 2^53 as digits, the power of ten within
 * 10^22, the locale's radix '.', nothing after it that strtod would read on),
 * sets *out and *end (NULL allowed) as strtod would and returns true. Otherwise
 * returns false and touches nothing. */
bool ds_number_fast(const char *s, char **end, double *out);

/* The same for a caller that knows the locale's radix is '.' (the program's
 * strtod, while it runs in the C locale): without asking nl_langinfo. */
bool ds_number_fast_c(const char *s, char **end, double *out);

#endif
