/* ds_json.c: cJSON with per-thread arena allocation; see ds_json.h. */
#include "ds_json.h"

#include <stdlib.h>
#include <string.h>

static _Thread_local ds_arena *current;

static void *hook_malloc(size_t size) {
    return current ? ds_arena_alloc_raw(current, size) : malloc(size); /* cJSON zeroes nodes */
}

static void hook_free(void *p) {
    if (!current) free(p); /* arena memory goes with ds_arena_reset() */
}

void ds_json_init(void) {
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);
}

/* Offset of the first byte that is not well-formed UTF-8, or len. JSON text is
 * UTF-8 (RFC 8259), and results must stay valid JSON when they echo strings. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len) {
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
        if (n == 0 || i + n >= len) return i; /* bad lead byte, or cut short */
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

cJSON *ds_json_parse(ds_arena *a, const char *text, size_t len, size_t *error_offset) {
    const char *end = NULL;
    size_t bad = utf8_invalid_at((const unsigned char *)text, len);
    if (bad < len) {
        *error_offset = bad;
        return NULL;
    }
    current = a;
    cJSON *json = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    current = NULL;
    if (json) {
        /* one value only: anything but whitespace after it is an error */
        const char *p = end, *stop = text + len;
        while (p < stop && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
        if (p < stop && *p != '\0') {
            *error_offset = (size_t)(p - text);
            return NULL;
        }
        return json;
    }
    /* cJSON points return_parse_end at the error too; unlike cJSON_GetErrorPtr()
     * it is not shared between threads */
    *error_offset = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
    return NULL;
}

size_t ds_utf8_invalid_at(const char *s, size_t len) {
    return utf8_invalid_at((const unsigned char *)s, len);
}
