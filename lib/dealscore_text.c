/* dealscore_text.c: safe text for reports; see dealscore_text.h. */
#include "dealscore_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, or 0 when
 * it is not valid UTF-8 (overlong, surrogate, out of range or cut short). */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    if (s[0] < 0x80) return *cp = s[0], 1;
    int len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || s[0] > 0xF4 || (size_t)len > n) return 0;
    uint32_t v = s[0] & (0x7F >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

/* Characters that change how a terminal shows what follows, rather than showing. */
static bool is_hostile(uint32_t cp) {
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0xFEFF;
}

static bool needs_backslash(char c, int mode) {
    if (mode == DEALSCORE_TEXT_DOT) return c == '"' || c == '\\';
    if (mode == DEALSCORE_TEXT_MARKDOWN) return c && strchr("\\`*_[]<>|~#", c) != NULL;
    return false;
}

void dealscore_text_safe(ds_buf *b, const char *s, int mode) {
    if (!s) return;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n > 0) {
        uint32_t cp;
        int len = utf8_decode(p, n, &cp);
        if (len == 0) {
            ds_buf_printf(b, "%s\\x%02x", mode == DEALSCORE_TEXT_DOT ? "\\" : "", p[0]);
            p++, n--;
            continue;
        }
        if (is_hostile(cp)) {
            const char *bs = mode == DEALSCORE_TEXT_DOT ? "\\\\" : "\\";
            if (cp < 0x80)
                ds_buf_printf(b, "%sx%02x", bs, (unsigned)cp);
            else
                ds_buf_printf(b, "%su{%04x}", bs, (unsigned)cp);
        } else {
            if (len == 1 && needs_backslash((char)cp, mode)) ds_buf_putc(b, '\\');
            ds_buf_add(b, (const char *)p, (size_t)len);
        }
        p += len, n -= (size_t)len;
    }
}

int dealscore_text_width(const char *s, int len) {
    int w = 0;
    for (int i = 0; i < len; i++) w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

void dealscore_text_cell(ds_buf *b, const char *s, int width, int mode) {
    ds_buf safe;
    ds_buf_init(&safe);
    dealscore_text_safe(&safe, s ? s : "", mode);
    const char *t = safe.data ? safe.data : "";
    int w = dealscore_text_width(t, (int)safe.len);
    if (w > width) {
        /* cut at a code point boundary, leaving a column for the mark */
        int cols = 0, i = 0;
        while (i < (int)safe.len) {
            int next = i + 1;
            while (next < (int)safe.len && ((unsigned char)t[next] & 0xC0) == 0x80) next++;
            if (cols + 1 > width - 1) break;
            cols++;
            i = next;
        }
        ds_buf_add(b, t, (size_t)i);
        ds_buf_putc(b, '~');
        w = cols + 1;
    } else {
        ds_buf_add(b, t, safe.len);
    }
    for (; w < width; w++) ds_buf_putc(b, ' ');
    ds_buf_free(&safe);
}

void dealscore_text_repeat(ds_buf *b, const char *s, int n) {
    for (int i = 0; i < n; i++) ds_buf_puts(b, s);
}

dealscore_colours dealscore_text_colours(bool on) {
    if (!on) return (dealscore_colours){"", "", "", "", "", "", ""};
    return (dealscore_colours){"\033[0m",  "\033[1m",  "\033[2m", "\033[31m",
                               "\033[32m", "\033[33m", "\033[36m"};
}
