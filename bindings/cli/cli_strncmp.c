/* cli_strncmp.c: the program's strncmp, for the comparisons cJSON makes of
 * every value it parses.
 *
 * Before it looks at a value's first byte, cJSON compares the text there with
 * "null", "false" and "true" through strncmp: three calls a value, about 650 a
 * small deal, and glibc's vector strncmp spent 5% of the instructions and 6% of
 * the time of a scoring (perf, callgrind; issue 18) setting up for strings it
 * then leaves at their first byte. A byte loop answers those calls in a few
 * instructions. cJSON stays the JSON library; this definition in the program
 * takes the place of libc's for the whole process (ELF symbol interposition, as
 * cli_strtod.c does for strtod), cJSON's calls included, and answers exactly
 * what C11 7.24.4.4 asks of strncmp (tests/unit/test_strncmp.c compares it
 * with glibc's on every pair of a class of short strings). Only the program
 * has it: the library never replaces a libc function in a process that embeds
 * it. */
#include <string.h>

int cli_strncmp(const char *a, const char *b, size_t n);

/* The comparison itself, also called by the test under this name. Bytes
 * compare as unsigned char (C11 7.24.1); the result is their difference, as
 * glibc's is. */
int cli_strncmp(const char *a, const char *b, size_t n) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; n; n--, x++, y++) {
        if (*x != *y) return *x - *y;
        if (!*x) return 0;
    }
    return 0;
}

__attribute__((visibility("default"))) int strncmp(const char *a, const char *b, size_t n) {
    return cli_strncmp(a, b, n);
}
