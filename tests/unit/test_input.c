/* test_input.c: reading deal streams (dealscore_input.h): JSONL, JSON arrays, a BOM,
 * and the positions reported for each deal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dealscore.h"
#include "helpers.h"

#define MAX_ITEMS 16

typedef struct items {
    int n;
    char *text[MAX_ITEMS], *where[MAX_ITEMS];
} items;

static int collect(void *ctx, const char *text, size_t len, const char *where) {
    items *it = ctx;
    assert_true(it->n < MAX_ITEMS);
    it->text[it->n] = strndup(text, len);
    it->where[it->n] = strdup(where);
    it->n++;
    return 0;
}

static void items_free(items *it) {
    for (int i = 0; i < it->n; i++) free(it->text[i]), free(it->where[i]);
}

/* Writes content to a temporary file and reads it back as a deal stream. */
static void read_file(const char *content, size_t len, items *out) {
    char path[] = "/tmp/dsl-input-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    memset(out, 0, sizeof *out);
    assert_int_equal(dealscore_read_deals(f, "deals.in", collect, out), 0);
    fclose(f);
    unlink(path);
}

/* The deal's "id", parsing its text as one JSON value. */
static void assert_deal(const items *it, int i, const char *id, const char *where) {
    cJSON *deal = cJSON_Parse(it->text[i]);
    if (!deal) fail_msg("item %d is not JSON: [%s]", i, it->text[i]);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(deal, "id")), id);
    assert_string_equal(it->where[i], where);
    cJSON_Delete(deal);
}

static void jsonl_blank_lines_crlf(void **state) {
    (void)state;
    static const char text[] = "{\"id\":\"a\"}\r\n"
                               "\r\n"
                               "\n"
                               "{\"id\":\"b\",\"x\":[1,2]}\r\n"
                               "   \t \r\n"
                               "{\"id\":\"c\"}"; /* no final newline */
    items it;
    read_file(text, sizeof text - 1, &it);
    assert_int_equal(it.n, 3);
    assert_deal(&it, 0, "a", "deals.in:1");
    assert_deal(&it, 1, "b", "deals.in:4");
    assert_deal(&it, 2, "c", "deals.in:6");
    assert_string_equal(it.text[0], "{\"id\":\"a\"}"); /* the \r is gone */
    items_free(&it);
}

/* A pretty-printed array whose strings hold brackets, commas, braces and
 * escaped quotes and backslashes. */
static void json_array(void **state) {
    (void)state;
    static const char text[] = "[\n"                                           /* 1 */
                               "  {\n"                                         /* 2 */
                               "    \"id\": \"a\",\n"                          /* 3 */
                               "    \"name\": \"x], [y, \\\"z\\\" {\"\n"       /* 4 */
                               "  },\n"                                        /* 5 */
                               "  {\"id\": \"b\", \"note\": \"\\\\\\\"]\"},\n" /* 6 */
                               "  {\n"                                         /* 7 */
                               "    \"id\": \"c\", \"list\": [\"]\", \",\", {\"k\": \"}\"}]\n"
                               "  }\n"
                               "]\n";
    items it;
    read_file(text, sizeof text - 1, &it);
    assert_int_equal(it.n, 3);
    assert_deal(&it, 0, "a", "deals.in:2 element 1");
    assert_deal(&it, 1, "b", "deals.in:6 element 2");
    assert_deal(&it, 2, "c", "deals.in:7 element 3");
    cJSON *a = cJSON_Parse(it.text[0]), *b = cJSON_Parse(it.text[1]);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a, "name")), "x], [y, \"z\" {");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(b, "note")), "\\\"]");
    cJSON_Delete(a);
    cJSON_Delete(b);
    items_free(&it);
}

static void utf8_bom(void **state) {
    (void)state;
    static const char jsonl[] = "\xEF\xBB\xBF{\"id\":\"a\",\"name\":\"caf\xC3\xA9\"}\n"
                                "{\"id\":\"b\"}\n";
    items it;
    read_file(jsonl, sizeof jsonl - 1, &it);
    assert_int_equal(it.n, 2);
    assert_deal(&it, 0, "a", "deals.in:1");
    assert_deal(&it, 1, "b", "deals.in:2");
    assert_int_equal(it.text[0][0], '{');
    assert_non_null(strstr(it.text[0], "caf\xC3\xA9")); /* other UTF-8 passes through */
    items_free(&it);

    static const char array[] = "\xEF\xBB\xBF[{\"id\":\"a\"},\n{\"id\":\"b\"}]";
    read_file(array, sizeof array - 1, &it);
    assert_int_equal(it.n, 2);
    assert_deal(&it, 0, "a", "deals.in:1 element 1");
    assert_deal(&it, 1, "b", "deals.in:2 element 2");
    items_free(&it);
}

/* After the array's ']' the rest is read as JSONL, with its own line numbers;
 * a broken line reaches the callback as an empty text naming its line. */
static void after_array_and_rejects(void **state) {
    (void)state;
    static const char text[] = "[{\"id\":\"a\"}]\n"
                               "{\"id\":\"b\"}\n"
                               "\n"
                               "{\"id\":\"c\"}\n";
    items it;
    read_file(text, sizeof text - 1, &it);
    assert_int_equal(it.n, 3);
    assert_deal(&it, 0, "a", "deals.in:1 element 1");
    assert_deal(&it, 1, "b", "deals.in:2");
    assert_deal(&it, 2, "c", "deals.in:4");
    items_free(&it);

    /* a line ends inside a string: the element is rejected, the array abandoned,
     * and the lines after the element's first line are salvaged as JSONL */
    static const char broken[] = "[{\"id\":\"a\"},\n"
                                 "{\"id\":\"b\",\"name\":\"no end\n"
                                 "{\"id\":\"c\"},\n"
                                 "]\n";
    read_file(broken, sizeof broken - 1, &it);
    assert_int_equal(it.n, 3);
    assert_deal(&it, 0, "a", "deals.in:1 element 1");
    assert_string_equal(it.text[1], "");
    if (strncmp(it.where[1], "deals.in:2 element 2:", 21) != 0) fail_msg("%s", it.where[1]);
    assert_deal(&it, 2, "c", "deals.in:3");
    assert_string_equal(it.text[2], "{\"id\":\"c\"}"); /* the array's ',' is not part of it */
    items_free(&it);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jsonl_blank_lines_crlf),
        cmocka_unit_test(json_array),
        cmocka_unit_test(utf8_bom),
        cmocka_unit_test(after_array_and_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
