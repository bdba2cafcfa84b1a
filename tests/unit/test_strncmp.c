/* test_strncmp.c: the program's strncmp (bindings/cli/cli_strncmp.c), linked
 * in here as in the program. It must answer as glibc's does: the sign of the
 * result for every pair of a class of short strings (bytes below and above
 * 0x80, a NUL at any place, equal prefixes of every length) and every length
 * up to past both ends; and it must be the strncmp the process calls, cJSON's
 * calls included, or it would speed nothing up. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

int cli_strncmp(const char *a, const char *b, size_t n);

typedef int (*strncmp_fn)(const char *, const char *, size_t);

static strncmp_fn libc_strncmp(void) {
    strncmp_fn f = (strncmp_fn)dlsym(RTLD_NEXT, "strncmp");
    assert_non_null(f);
    return f;
}

static int sign(int x) {
    return (x > 0) - (x < 0);
}

/* every string of up to 3 bytes over an alphabet with a NUL, ASCII letters
 * around the literals cJSON looks for, and bytes with the high bit set (which
 * compare above every ASCII byte: as unsigned char) */
#define ALPHABET 6
static const unsigned char letters[ALPHABET] = {0, 'a', 'n', 'u', 0x7f, 0xe9};

static void make(char *s, int code) {
    for (int i = 0; i < 3; i++, code /= ALPHABET) s[i] = (char)letters[code % ALPHABET];
    s[3] = 'z'; /* past a full-length string: a NUL ends it below */
    s[4] = '\0';
}

static void same_sign_as_glibc(void **state) {
    (void)state;
    strncmp_fn glibc = libc_strncmp();
    int strings = ALPHABET * ALPHABET * ALPHABET, checked = 0;
    for (int i = 0; i < strings; i++)
        for (int j = 0; j < strings; j++) {
            char a[5], b[5];
            make(a, i);
            make(b, j);
            for (size_t n = 0; n <= 5; n++) {
                int want = sign(glibc(a, b, n)), got = sign(cli_strncmp(a, b, n));
                if (want != got)
                    fail_msg("strncmp(%02x %02x %02x, %02x %02x %02x, %zu): %d, glibc %d",
                             (unsigned char)a[0], (unsigned char)a[1], (unsigned char)a[2],
                             (unsigned char)b[0], (unsigned char)b[1], (unsigned char)b[2], n, got,
                             want);
                checked++;
            }
        }
    assert_int_equal(checked, strings * strings * 6);
}

/* the literals as cJSON asks for them, and a string that stops inside one */
static void literals(void **state) {
    (void)state;
    assert_int_equal(cli_strncmp("null,", "null", 4), 0);
    assert_int_equal(cli_strncmp("false]", "false", 5), 0);
    assert_true(cli_strncmp("\"true\"", "true", 4) < 0);
    assert_true(cli_strncmp("nul", "null", 4) < 0);
    assert_true(cli_strncmp("tru\xc3\xa9", "true", 4) > 0);
    assert_int_equal(cli_strncmp("abc", "abd", 2), 0);
    assert_int_equal(cli_strncmp("", "", 3), 0);
}

/* The process calls this strncmp: the name resolves to the program's
 * definition, not glibc's, for the program and for the libraries it loads. */
static void interposed(void **state) {
    (void)state;
    void *seen = dlsym(RTLD_DEFAULT, "strncmp");
    assert_non_null(seen);
    assert_ptr_not_equal(seen, (void *)libc_strncmp());
    /* and cJSON still tells its literals apart through it */
    cJSON *v = cJSON_Parse("[null, false, true, \"null\", 1]");
    assert_non_null(v);
    assert_true(cJSON_IsNull(cJSON_GetArrayItem(v, 0)));
    assert_true(cJSON_IsFalse(cJSON_GetArrayItem(v, 1)));
    assert_true(cJSON_IsTrue(cJSON_GetArrayItem(v, 2)));
    assert_true(cJSON_IsString(cJSON_GetArrayItem(v, 3)));
    assert_null(cJSON_Parse("[nul]"));
    cJSON_Delete(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_sign_as_glibc),
        cmocka_unit_test(literals),
        cmocka_unit_test(interposed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
