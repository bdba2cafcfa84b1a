/* ds_json.c: cJSON with per-thread arena allocation; see ds_json.h. */
#include "ds_json.h"
#include "ds_buf.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* While a deal is parsed, cJSON's allocations (a node per value, a copy per
 * string, a scratch copy per number: hundreds a deal) are carved from the rest
 * of the arena's current block by a pointer bump; the unused end is given back
 * when the parse is done. */
typedef struct parse_heap {
    ds_arena *a; /* NULL: no parse running, cJSON gets malloc */
    char *at, *end;
} parse_heap;

/* initial-exec: the engine's objects are position-independent (they also make
 * libdealscore.so), and the default model would reach this through
 * __tls_get_addr on every cJSON allocation (1.2% of a scoring's instructions);
 * 24 bytes fit the static TLS glibc keeps for libraries loaded later (the Lua
 * and Python modules). */
static _Thread_local parse_heap heap __attribute__((tls_model("initial-exec")));

#define PIECE_ALIGN 8 /* cJSON's nodes hold pointers and doubles; its strings bytes */

/* A new piece of block for a request that does not fit the rest of this one;
 * kept out of hook_malloc so that its fast path saves no registers. */
static __attribute__((noinline)) void *carve_new_piece(size_t size) {
    size_t need = (size + PIECE_ALIGN - 1) & ~(size_t)(PIECE_ALIGN - 1);
    if (need < size) return NULL; /* a size from hostile input that wraps */
    size_t got;
    char *p = ds_arena_alloc_rest(heap.a, need, &got); /* the old rest is left behind */
    if (!p) return NULL;
    heap.at = p + need;
    heap.end = p + got;
    return p;
}

/* About 600 calls a small deal: a leaf that bumps a pointer, or a tail call. */
static void *hook_malloc(size_t size) {
    if (!heap.a) return malloc(size); /* cJSON zeroes nodes */
    size_t need = (size + PIECE_ALIGN - 1) & ~(size_t)(PIECE_ALIGN - 1);
    char *p = heap.at;
    if (need >= size && (size_t)(heap.end - p) >= need) {
        heap.at = p + need;
        return p;
    }
    return carve_new_piece(size);
}

static void hook_free(void *p) {
    if (!heap.a) free(p); /* arena memory goes with ds_arena_reset() */
}

/* Gives the unused end of the last piece of block back to the arena. */
static void end_parse(void) {
    ds_arena_mark m = ds_arena_mark_now(heap.a);
    size_t unused = (size_t)(heap.end - heap.at) & ~(size_t)15; /* the arena's alignment */
    if (heap.end && unused <= m.used) {
        m.used -= unused;
        ds_arena_release(heap.a, m);
    }
    heap = (parse_heap){0};
}

void ds_json_init(void) {
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);
}

/* Offset of the first byte that is not well-formed UTF-8 (or, with stop_at_nul,
 * the first NUL byte), or len. JSON text is UTF-8 (RFC 8259), and results must
 * stay valid JSON when they echo strings. Eight bytes at a time while they are
 * ASCII (and not NUL): a deal's text is mostly ASCII, and this runs over every
 * byte of it before cJSON does. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len, bool stop_at_nul) {
    const uint64_t high = 0x8080808080808080ull, low = 0x0101010101010101ull;
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            bool zero = ((w - low) & ~w & high) != 0; /* some byte is 0 */
            if (!(w & high) && !(stop_at_nul && zero)) {
                i += 8;
                continue;
            }
        }
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c == 0 && stop_at_nul) return i;
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

/* ---- U+0000 in strings ----
 *
 * cJSON decodes "\u0000" into a NUL byte and keeps strings NUL-terminated, so
 * "a\u0000x" would read as "a": two ids differing after the NUL would collide.
 * Such strings are decoded again here into Modified UTF-8, U+0000 as the bytes
 * C0 80 (never valid UTF-8, so never in the input: no collision with any other
 * string), which every C string function keeps whole; ds_buf_json_string writes
 * C0 80 back as \u0000. Only texts holding "\u0000" pay for this. */

static int hex_value(const char *p) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static char *put_utf8(char *o, unsigned cp) {
    if (cp == 0) {
        *o++ = (char)0xc0, *o++ = (char)0x80;
    } else if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6), *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | cp >> 12), *o++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | cp >> 18), *o++ = (char)(0x80 | (cp >> 12 & 0x3f));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3f)), *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* Decodes the string whose text (after its opening quote) starts at p, which
 * cJSON has already accepted, into the arena. NULL on no memory. */
static char *decode_string(ds_arena *a, const char *p, const char *stop) {
    char *out = ds_arena_alloc_raw(a, (size_t)(stop - p) + 2), *o = out;
    if (!out) return NULL;
    while (p < stop && *p != '"') {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        char e = p[1];
        p += 2;
        if (e != 'u') {
            *o++ = e == 'b'   ? '\b'
                   : e == 'f' ? '\f'
                   : e == 'n' ? '\n'
                   : e == 'r' ? '\r'
                   : e == 't' ? '\t'
                              : e;
            continue;
        }
        unsigned cp = (unsigned)hex_value(p);
        p += 4;
        if (cp >= 0xd800 && cp <= 0xdbff && p + 6 <= stop && p[0] == '\\' && p[1] == 'u') {
            cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned)hex_value(p + 2) - 0xdc00);
            p += 6;
        }
        o = put_utf8(o, cp);
    }
    *o = '\0';
    return out;
}

typedef struct string_walk {
    const char *p, *stop;
    ds_arena *a;
    bool failed;
} string_walk;

/* The next string of the text (a key or a value), in document order: its start
 * after the quote, and whether it holds a \u0000 escape. */
static const char *next_string(string_walk *w, bool *has_nul) {
    while (w->p < w->stop && *w->p != '"') w->p++;
    if (w->p >= w->stop) return NULL;
    const char *start = ++w->p;
    *has_nul = false;
    while (w->p < w->stop && *w->p != '"') {
        if (*w->p == '\\') {
            if (w->p + 5 < w->stop && memcmp(w->p + 1, "u0000", 5) == 0) *has_nul = true;
            w->p++;
        }
        w->p++;
    }
    w->p++; /* the closing quote */
    return start;
}

/* Walks the tree in document order alongside the text's strings. */
static void keep_nuls(cJSON *node, string_walk *w) {
    for (; node && !w->failed; node = node->next) {
        bool nul;
        if (node->string) {
            const char *at = next_string(w, &nul);
            if (at && nul && !(node->string = decode_string(w->a, at, w->stop))) w->failed = true;
        }
        if (cJSON_IsString(node)) {
            const char *at = next_string(w, &nul);
            if (at && nul && !(node->valuestring = decode_string(w->a, at, w->stop)))
                w->failed = true;
        } else if (node->child) {
            keep_nuls(node->child, w);
        }
    }
}

static bool holds_nul_escape(const char *text, size_t len) {
    const char *p = text, *stop = text + len;
    while (p < stop && (p = memchr(p, '\\', (size_t)(stop - p))) != NULL) {
        if (stop - p >= 6 && memcmp(p + 1, "u0000", 5) == 0) return true;
        p += 2; /* past the escaped character: "\\\\u0000" is no NUL */
    }
    return false;
}

cJSON *ds_json_parse(ds_arena *a, const char *text, size_t len, size_t *error_offset) {
    const char *end = NULL;
    /* a raw NUL byte is not JSON anywhere; cJSON would take it for the end */
    size_t bad = utf8_invalid_at((const unsigned char *)text, len, true);
    if (bad < len) {
        *error_offset = bad;
        return NULL;
    }
    heap = (parse_heap){a, NULL, NULL};
    cJSON *json = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    end_parse();
    if (json) {
        /* one value only: anything but whitespace after it is an error */
        const char *p = end, *stop = text + len;
        while (p < stop && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
        if (p < stop) {
            *error_offset = (size_t)(p - text);
            return NULL;
        }
        if (holds_nul_escape(text, len)) {
            string_walk w = {text, text + len, a, false};
            keep_nuls(json, &w);
            if (w.failed) return NULL; /* the arena is exhausted: out_of_memory */
        }
        return json;
    }
    /* cJSON points return_parse_end at the error too; unlike cJSON_GetErrorPtr()
     * it is not shared between threads */
    *error_offset = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
    return NULL;
}

void ds_json_describe_error(const char *text, size_t len, size_t at, char *out, size_t outlen) {
    long line = 1;
    for (size_t i = 0; i < at && i < len; i++) line += text[i] == '\n';
    char on_line[48] = "";
    if (line > 1 || (at < len && memchr(text + at, '\n', len - at)))
        snprintf(on_line, sizeof on_line, ", line %ld of the deal", line);
    unsigned char c = at < len ? (unsigned char)text[at] : 0;
    if (at < len && c == 0)
        snprintf(out, outlen,
                 "not valid JSON: byte %zu%s is a NUL byte, which JSON text cannot hold", at + 1,
                 on_line);
    else if (at < len && ds_utf8_invalid_at(text + at, len - at) == 0)
        snprintf(out, outlen,
                 "not valid JSON: byte %zu%s (0x%02X) is not UTF-8; JSON text is UTF-8 (is the "
                 "file Latin-1 or Windows-1252? convert it: iconv -f windows-1252 -t utf-8)",
                 at + 1, on_line, c);
    else
        snprintf(out, outlen, "not valid JSON (at byte %zu%s)", at + 1, on_line);
}

const char *ds_json_salvage_id(ds_arena *a, const char *text, size_t len) {
    static const char mark[] = "\xEF\xBF\xBD"; /* U+FFFD for each byte that is not UTF-8 */
    ds_buf fixed;
    ds_buf_init(&fixed);
    size_t at = 0, bad;
    while ((bad = ds_utf8_invalid_at(text + at, len - at)) < len - at) {
        if (text[at + bad] == 0) break; /* a NUL: no salvage */
        ds_buf_add(&fixed, text + at, bad);
        ds_buf_add(&fixed, mark, 3);
        at += bad + 1;
    }
    const char *id = NULL;
    if (at < len && bad < len - at) { /* stopped at a NUL */
        ds_buf_free(&fixed);
        return NULL;
    }
    ds_buf_add(&fixed, text + at, len - at);
    size_t ignored;
    cJSON *json = fixed.failed ? NULL : ds_json_parse(a, fixed.data, fixed.len, &ignored);
    const cJSON *v = cJSON_IsObject(json) ? cJSON_GetObjectItemCaseSensitive(json, "id") : NULL;
    if (cJSON_IsString(v) && !strstr(v->valuestring, mark))
        id = v->valuestring;
    else if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
             fabs(v->valuedouble) <= 9007199254740992.0) /* as the decoder reads ids */
        id = ds_arena_printf(a, "%.0f", v->valuedouble == 0 ? 0.0 : v->valuedouble);
    ds_buf_free(&fixed);
    return id;
}

size_t ds_utf8_invalid_at(const char *s, size_t len) {
    return utf8_invalid_at((const unsigned char *)s, len, false);
}

void ds_utf8_scrub(char *s) {
    size_t len = strlen(s), at;
    while ((at = ds_utf8_invalid_at(s, len)) < len) { /* drop the byte, look again */
        memmove(s + at, s + at + 1, len - at);        /* the terminator moves too */
        len--;
    }
}
