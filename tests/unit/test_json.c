/* test_json.c: the input's byte checks and number conversion around cJSON
 * (ds_json.h, dealscore_number_fast of dealscore.h): the eight-bytes-at-a-time UTF-8 check finds
 * the same byte as a plain one, and the fast number path gives exactly strtod's double (this test
 * runs against glibc's strtod: it does not link the program's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ds_json.h"
#include "dealscore.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) { /* xorshift64 */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* ---- UTF-8 ---- */

/* The plain byte-at-a-time check, as ds_json.c had it before the word loop. */
static size_t plain_invalid_at(const unsigned char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = c >= 0xc2 && c <= 0xdf   ? 1
                   : c >= 0xe0 && c <= 0xef ? 2
                   : c >= 0xf0 && c <= 0xf4 ? 3
                                            : 0;
        if (n == 0 || i + n >= len) return i;
        unsigned char c1 = s[i + 1];
        if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) ||
            (c == 0xf4 && c1 > 0x8f))
            return i;
        for (size_t k = 1; k <= n; k++)
            if ((s[i + k] & 0xc0) != 0x80) return i;
        i += n + 1;
    }
    return len;
}

static void utf8_same_as_plain(void **state) {
    (void)state;
    static const char *const pieces[] = {"abcdefgh",
                                         "x",
                                         "Zo\xc3\xab",
                                         "\xe2\x82\xac",
                                         "\xf0\x9f\x98\x80",
                                         "\xc3",
                                         "\x80",
                                         "\xed\xa0\x80",
                                         "\xf4\x90\x80\x80",
                                         "\xff",
                                         "0123456789abcdef"};
    unsigned char buf[256];
    for (int round = 0; round < 200000; round++) {
        size_t len = 0;
        int parts = (int)(next() % 12);
        for (int k = 0; k < parts; k++) {
            const char *p = pieces[next() % (sizeof pieces / sizeof *pieces)];
            /* mostly valid text, now and then a bad piece */
            if ((p[0] & 0x80) && next() % 4 && strcmp(p, "Zo\xc3\xab") != 0) p = "ok";
            size_t n = strlen(p);
            memcpy(buf + len, p, n);
            len += n;
        }
        size_t cut = len ? (size_t)(next() % (len + 1)) : 0; /* cut anywhere, mid-character too */
        assert_int_equal(ds_utf8_invalid_at((const char *)buf, cut), plain_invalid_at(buf, cut));
    }
}

static void utf8_examples(void **state) {
    (void)state;
    assert_int_equal(ds_utf8_invalid_at("plain ascii text, long enough", 29), 29);
    assert_int_equal(ds_utf8_invalid_at("0123456789\xff", 11), 10);
    assert_int_equal(ds_utf8_invalid_at("01234567Zo\xc3\xab", 12), 12);
    assert_int_equal(ds_utf8_invalid_at("01234567\xc3", 9), 8); /* cut short */
}

/* A raw NUL byte stops the parse at its offset, before or after eight clean bytes. */
static void nul_byte_refused(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 0);
    ds_json_init();
    for (size_t at = 1; at < 30; at++) {
        char text[40];
        memset(text, ' ', sizeof text);
        text[0] = '"';
        text[38] = '"';
        text[at] = '\0';
        size_t off = 0;
        assert_null(ds_json_parse(&a, text, 39, &off));
        assert_int_equal(off, at);
        ds_arena_reset(&a);
    }
    ds_arena_free(&a);
}

/* ---- numbers ---- */

/* dealscore_number_fast, when it takes s, agrees with strtod to the bit and the byte. */
static int check(const char *s) {
    char *end_fast = NULL, *end_libc = NULL;
    double fast = 0, libc = strtod(s, &end_libc);
    if (!dealscore_number_fast(s, &end_fast, &fast)) return 0;
    if (memcmp(&fast, &libc, sizeof fast) != 0 || end_fast != end_libc)
        fail_msg("\"%s\": fast %.17g (end +%td), strtod %.17g (end +%td)", s, fast, end_fast - s,
                 libc, end_libc - s);
    return 1;
}

static void number_edges(void **state) {
    (void)state;
    static const char *const taken[] = {"0",
                                        "-0",
                                        "0.0",
                                        "-0.000",
                                        "1",
                                        "250000",
                                        "0.734",
                                        "-0.5",
                                        "1e5",
                                        "1E-5",
                                        "2.5e+3",
                                        "9007199254740992",
                                        "1e22",
                                        "1e-22",
                                        "4.35e22",
                                        "0.1",
                                        "0.3",
                                        "123.456,",
                                        "3.14abc",
                                        "1e0",
                                        "1e-0",
                                        "007",
                                        "1.5]",
                                        "-1}",
                                        "0.999999999999999"};
    for (size_t i = 0; i < sizeof taken / sizeof *taken; i++)
        if (!check(taken[i])) fail_msg("\"%s\" not taken by the fast path", taken[i]);
    /* strtod's business: each is declined (and would read differently) */
    static const char *const declined[] = {"",
                                           "-",
                                           "+1",
                                           " 1",
                                           ".5",
                                           "1.",
                                           "1.e3",
                                           "1e",
                                           "1e+",
                                           "1e-",
                                           "1e23",
                                           "1e-23",
                                           "1e00001",
                                           "9007199254740993",
                                           "123456789012345678901",
                                           "0x10",
                                           "0X1p3",
                                           "inf",
                                           "-inf",
                                           "nan",
                                           "infinity",
                                           "1.5.3",
                                           "-.5",
                                           "1.2345678901234567890"};
    for (size_t i = 0; i < sizeof declined / sizeof *declined; i++) {
        double v = 42;
        char *end = NULL;
        if (dealscore_number_fast(declined[i], &end, &v)) fail_msg("\"%s\" taken", declined[i]);
        assert_true(v == 42 && end == NULL); /* untouched */
    }
}

/* The numbers a CRM export holds: fractions to three places, amounts. */
static void number_export_shapes(void **state) {
    (void)state;
    char s[64];
    for (int i = 0; i < 200000; i++) {
        double x = (double)(next() >> 11) / 9007199254740992.0 * 2 - 1;
        snprintf(s, sizeof s, "%.3f", x);
        assert_true(check(s));
        snprintf(s, sizeof s, "%.0f", (double)(next() % 100000000));
        assert_true(check(s));
        snprintf(s, sizeof s, "%.*f", (int)(next() % 10), x * (double)(next() % 1000000));
        assert_true(check(s));
    }
}

/* Random decimal texts of every shape: whatever the fast path takes is exact. */
static void number_random(void **state) {
    (void)state;
    char s[96];
    int taken = 0, rounds = 1000000;
    for (int i = 0; i < rounds; i++) {
        char *p = s;
        if (next() % 2) *p++ = '-';
        int whole = 1 + (int)(next() % 19), frac = (int)(next() % 19);
        for (int k = 0; k < whole; k++) *p++ = (char)('0' + next() % 10);
        if (frac) *p++ = '.';
        for (int k = 0; k < frac; k++) *p++ = (char)('0' + next() % 10);
        if (next() % 3 == 0) p += sprintf(p, "e%d", (int)(next() % 61) - 30);
        *p = '\0';
        taken += check(s);
    }
    assert_true(taken > rounds / 10); /* the fast path is exercised, not declining all */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_same_as_plain),   cmocka_unit_test(utf8_examples),
        cmocka_unit_test(nul_byte_refused),     cmocka_unit_test(number_edges),
        cmocka_unit_test(number_export_shapes), cmocka_unit_test(number_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
