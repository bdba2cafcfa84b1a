/* ds_buf.c: growable buffer and JSON output helpers; see ds_buf.h. */
#include "ds_buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ds_buf_init(ds_buf *b) {
    memset(b, 0, sizeof *b);
}

void ds_buf_free(ds_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

void ds_buf_clear(ds_buf *b) {
    b->len = 0;
    b->failed = false;
    if (b->data) b->data[0] = '\0';
}

static bool reserve(ds_buf *b, size_t extra) {
    if (b->failed) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void ds_buf_add(ds_buf *b, const char *s, size_t n) {
    if (!reserve(b, n)) return;
    if (n) memcpy(b->data + b->len, s, n); /* s may be NULL when n is 0: an empty buffer */
    b->len += n;
    b->data[b->len] = '\0';
}

bool ds_buf_read_file(ds_buf *b, FILE *f) {
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ds_buf_add(b, chunk, n);
    ds_buf_putc(b, '\0');
    if (!b->failed) b->len--; /* the NUL ends the string, it is not content */
    return !ferror(f) && !b->failed;
}

void ds_buf_puts(ds_buf *b, const char *s) {
    ds_buf_add(b, s, strlen(s));
}

void ds_buf_putc(ds_buf *b, char c) {
    ds_buf_add(b, &c, 1);
}

void ds_buf_printf(ds_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ds_buf_json_string(ds_buf *b, const char *s) {
    if (!s) {
        ds_buf_puts(b, "null");
        return;
    }
    static const char hex[] = "0123456789abcdef";
    ds_buf_putc(b, '"');
    const char *run = s; /* bytes copied as they are, in one go */
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\' && (c != 0xc0 || (unsigned char)s[1] != 0x80))
            continue;
        ds_buf_add(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"':
            ds_buf_puts(b, "\\\"");
            break;
        case '\\':
            ds_buf_puts(b, "\\\\");
            break;
        case '\n':
            ds_buf_puts(b, "\\n");
            break;
        case '\r':
            ds_buf_puts(b, "\\r");
            break;
        case '\t':
            ds_buf_puts(b, "\\t");
            break;
        case '\b':
            ds_buf_puts(b, "\\b");
            break;
        case '\f':
            ds_buf_puts(b, "\\f");
            break;
        case 0xc0: /* C0 80: U+0000 kept in a string (ds_json.c) */
            ds_buf_puts(b, "\\u0000");
            run = ++s + 1;
            break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            ds_buf_add(b, esc, 6);
        }
        }
    }
    ds_buf_add(b, run, (size_t)(s - run));
    ds_buf_putc(b, '"');
}

double ds_round(double v, int decimals) {
    double scale = 1.0;
    for (int i = 0; i < decimals; i++) scale *= 10.0;
    double r = round(v * scale) / scale;
    return r == 0.0 ? 0.0 : r; /* folds -0.0 */
}

/* Fixed-point output without printf: scores and factors are printed millions of
 * times in a batch run, and printf's float path was a tenth of the profile. */
static inline int number_text(char *out, double v, int decimals) {
    if (!isfinite(v) || decimals < 0 || decimals > 9) return 0;
    double scale = 1.0;
    for (int i = 0; i < decimals; i++) scale *= 10.0;
    double scaled = round(fabs(v) * scale);
    if (scaled >= 9e15) return 0; /* beyond exact integers: let printf do it */
    unsigned long long n = (unsigned long long)scaled;
    char digits[32];
    int len = 0;
    do {
        digits[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n || len <= decimals);
    int at = 0;
    if (v < 0 && scaled != 0) out[at++] = '-';
    for (int i = len - 1; i >= 0; i--) {
        out[at++] = digits[i];
        if (i == decimals && decimals > 0) out[at++] = '.';
    }
    out[at] = '\0';
    return at;
}

int ds_number_text_fast(char *out, double v, int decimals) {
    return number_text(out, v, decimals);
}

void ds_buf_json_number(ds_buf *b, double v, int decimals) {
    if (!isfinite(v)) {
        ds_buf_puts(b, "null");
        return;
    }
    char out[DS_NUMBER_TEXT_MAX];
    int len = number_text(out, v, decimals);
    if (len)
        ds_buf_add(b, out, (size_t)len);
    else
        ds_buf_printf(b, "%.*f", decimals, ds_round(v, decimals));
}

char *ds_buf_take(ds_buf *b, size_t *len) {
    ds_buf_putc(b, '\0');
    if (b->failed) {
        ds_buf_free(b);
        return NULL;
    }
    char *s = b->data;
    if (len) *len = b->len - 1;
    ds_buf_init(b);
    return s;
}
