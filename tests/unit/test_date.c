/* test_date.c: calendar dates (ds_date.h): what parses, and day numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static void valid_dates(void **state) {
    (void)state;
    int d = 12345;
    assert_true(ds_date_parse("1970-01-01", &d));
    assert_int_equal(d, 0);
    assert_true(ds_date_parse("1970-01-02", &d));
    assert_int_equal(d, 1);
    assert_true(ds_date_parse("1969-12-31", &d));
    assert_int_equal(d, -1);
    /* 30 years of 365 days plus the leap days 1972..1996 (7) */
    assert_true(ds_date_parse("2000-01-01", &d));
    assert_int_equal(d, 30 * 365 + 7);
    assert_true(ds_date_parse("2024-02-29", &d)); /* leap year */
    assert_true(ds_date_parse("2000-02-29", &d)); /* divisible by 400 */
    assert_true(ds_date_parse("2024-04-30", &d));
    assert_true(ds_date_parse("2024-12-31", &d));
    /* 2024-02-28 to 2024-03-01 is two days in a leap year */
    assert_int_equal(h_day("2024-03-01") - h_day("2024-02-28"), 2);
    assert_int_equal(h_day("2023-03-01") - h_day("2023-02-28"), 1);
}

static void invalid_dates(void **state) {
    (void)state;
    static const char *const bad[] = {"2023-02-29", /* not a leap year */
                                      "1900-02-29", /* divisible by 100, not by 400 */
                                      "2024-13-01",
                                      "2024-00-10",
                                      "2024-01-00",
                                      "2024-04-31",
                                      "2024-01-32",
                                      "2024-1-01",
                                      "2024-01-1",
                                      "24-01-01",
                                      "2024-01-01x",
                                      "2024-01-01 ",
                                      " 2024-01-01",
                                      "2024/01/01",
                                      "2024-01",
                                      "",
                                      "+024-01-01",
                                      "2024-0a-01",
                                      "2024-01-01T00:00:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int d = 777;
        if (ds_date_parse(bad[i], &d)) fail_msg("\"%s\" parsed as a date", bad[i]);
        assert_int_equal(d, 777); /* untouched */
    }
}

static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Walks the calendar day by day from 1900-01-01, which is day -25567 (70 years
 * of 365 days plus the 17 leap days 1904..1968), to 2100-12-31: each date's
 * text parses to the running count, and formatting the count gives the text. */
static void calendar_walk(void **state) {
    (void)state;
    int expected = -(70 * 365 + 17);
    for (int y = 1900; y <= 2100; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= mdays[m - 1] + (m == 2 && leap(y)); d++, expected++) {
                char text[48], back[11];
                snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
                int got = 0;
                if (!ds_date_parse(text, &got) || got != expected)
                    fail_msg("%s: got %d, expected %d", text, got, expected);
                ds_date_format(expected, back);
                assert_string_equal(back, text);
            }
}

/* format then parse is the identity over years 0000..9999 */
static void format_round_trip(void **state) {
    (void)state;
    int first = h_day("0000-01-01"), last = h_day("9999-12-31");
    for (int z = first; z <= last; z++) {
        char s[11];
        int back = 0;
        ds_date_format(z, s);
        if (!ds_date_parse(s, &back) || back != z) fail_msg("day %d formats as %s", z, s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_dates),
        cmocka_unit_test(invalid_dates),
        cmocka_unit_test(calendar_walk),
        cmocka_unit_test(format_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
