/* ds_buf.h: a growable byte buffer and the JSON writing helpers built on it.
 *
 * Results are written by hand rather than through cJSON so that the key order and
 * the rounding SCORING.md section 5 asks for are exact, and so that encoding does
 * not build a tree per deal. */
#ifndef DS_BUF_H
#define DS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct ds_buf {
    char *data;
    size_t len, cap;
    bool failed; /* an allocation failed: the content is incomplete */
} ds_buf;

void ds_buf_init(ds_buf *b);
void ds_buf_free(ds_buf *b);
void ds_buf_clear(ds_buf *b);
void ds_buf_add(ds_buf *b, const char *s, size_t n);
void ds_buf_puts(ds_buf *b, const char *s);
void ds_buf_putc(ds_buf *b, char c);
void ds_buf_printf(ds_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the rest of f, then a NUL (not counted in len): a whole file read as one
 * string, for the JSON files of models, mappings and title rules. False on a read
 * error or when out of memory. */
bool ds_buf_read_file(ds_buf *b, FILE *f);
/* Hands the content over as a NUL-terminated string the caller frees, its length
 * (without the NUL) in *len when len is not NULL; b is left empty. NULL, with b
 * freed, when an allocation failed on the way. */
char *ds_buf_take(ds_buf *b, size_t *len);

/* JSON pieces */
void ds_buf_json_string(ds_buf *b, const char *s); /* quoted, escaped; NULL gives null */
/* A number rounded to `decimals` places, half away from zero, never "-0". */
void ds_buf_json_number(ds_buf *b, double v, int decimals);
double ds_round(double v, int decimals);
/* The same text into out (DS_NUMBER_TEXT_MAX bytes), NUL-terminated, without
 * printf; returns its length, or 0 for what ds_buf_json_number gives printf
 * (not finite, beyond 9e15 in units of the last decimal, decimals outside 0..9). */
#define DS_NUMBER_TEXT_MAX 48
int ds_number_text_fast(char *out, double v, int decimals);

#endif
