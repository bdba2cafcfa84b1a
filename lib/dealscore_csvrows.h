/* dealscore_csvrows.h: the rows of a CSV file, streamed through libcsv, with the line
 * each field starts on, so that every message can name file, line and column.
 *
 * RFC 4180 and what the tools people use write on top of it: quoted fields with
 * delimiters, quotes and line breaks inside, CRLF or LF line ends, blank lines
 * (skipped); `,` `;` tab or `|` as the delimiter (European Excel writes `;`),
 * sniffed from the header line unless given; UTF-8 with or without a byte order
 * mark, UTF-16 with a BOM (Excel's "Unicode text"), or any encoding iconv knows
 * (windows-1252, latin1) when named. A byte order mark wins over the encoding
 * named; each row says when it did (bom_over), so messages can say so. Bytes that are not UTF-8 are
 * replaced by U+FFFD so that nothing downstream sees them, and the row says where the first one
 * was, for an error naming file, line and column.
 *
 * Memory holds one row at a time, and at most max_row_bytes of it: a longer row
 * is not buffered (neither by libcsv nor here) but skipped to its end and handed
 * on as too_large with the fields completed before the limit (the id, usually). */
#ifndef DEALSCORE_CSVROWS_H
#define DEALSCORE_CSVROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dealscore.h"

/* dscsv_: the CSV import's internals (lib/dealscore_csvrows.c, _mapping.c, _crm.c,
 * _csv.c), behind dealscore_csv_* of dealscore.h. */

/* Where the import's messages go: the caller's dealscore_csv_message_fn, with
 * kind DEALSCORE_CSV_ERROR or DEALSCORE_CSV_NOTE; fn NULL drops them. */
typedef struct dscsv_say {
    dealscore_csv_message_fn fn;
    void *ctx;
} dscsv_say;
/* Formats one message (no trailing newline) and hands it on. */
void dscsv_sayf(const dscsv_say *s, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A CSV row may be this share of the memory one deal may use
 * (dealscore_csv_options.max_deal_memory): a row's text is held about four times
 * over while it becomes a deal (benchmarks/README.md measures it). */
#define DSCSV_ROW_SHARE 4

typedef struct dscsv_dialect {
    char delimiter;       /* 0: sniffed from the first line */
    const char *encoding; /* NULL: UTF-8 (a UTF-16 BOM is recognised) */
    size_t max_row_bytes; /* 0: no limit */
} dscsv_dialect;

typedef struct dscsv_row {
    int n;              /* fields */
    char *const *field; /* NUL-terminated; an empty field is "" */
    const long *line;   /* the line each field starts on (1-based) */
    long long offset;   /* bytes of the file read so far (for progress) */
    bool too_large;     /* longer than max_row_bytes: only the first n fields are here */
    long first_line;    /* the line the row starts on */
    int bad_field;      /* the first field that was not UTF-8, or -1 */
    size_t bad_byte;    /* its first byte that was not (0-based, before replacing) */
    /* the encoding the dialect named when the file's byte order mark said
     * another one, which won (a file says best what it is), else NULL */
    const char *bom_over;
    const char *bom; /* "UTF-8", "UTF-16LE", "UTF-16BE": the byte order mark, or NULL */
    int nul_field;   /* the first field holding a NUL byte (replaced by U+FFFD), or -1 */
    size_t nul_byte; /* its first NUL (0-based) */
    /* the single-byte encoding the dialect named (windows-1252, latin1) when the
     * file is UTF-8 throughout, with text past ASCII: read as UTF-8 (reading it
     * as named would make mojibake of every accented letter: "é" as "Ã©"), else
     * NULL; utf8_whole: the whole file was checked (else, on a pipe, the first
     * 64 KiB) */
    const char *utf8_over;
    bool utf8_whole;
    int utf8_field; /* the file's first field past ASCII, on its row only, or -1 */
} dscsv_row;

/* Called for each row, the header included; return non-zero to stop. */
typedef int (*dscsv_row_fn)(void *ctx, const dscsv_row *row);

/* Reads every row of f. Returns 0; -1 on a read error (errno set); -2 when the
 * file ends inside a quoted field (*open_line then names the line of the last
 * complete row, after which the quote was opened); -3 when the encoding is not
 * one iconv knows. *delimiter (when not NULL) gets the delimiter used. */
int dscsv_rows(FILE *f, const dscsv_dialect *d, dscsv_row_fn fn, void *ctx, long *open_line,
               char *delimiter);

/* The note that the file's byte order mark won over the encoding named (said
 * once per file, with its header row); nothing when it did not. */
void dscsv_note_bom(const dscsv_say *say, const dscsv_row *header, const char *file);

/* The warning that the file was read as UTF-8 over the encoding named, said
 * with the row holding its first text past ASCII (file, line, column and its
 * header when known: both readings of the cell); nothing for other rows. */
void dscsv_note_utf8(const dscsv_say *say, const dscsv_row *row, const char *file,
                     const char *header);

/* dealscore_csv_encoding_known and dealscore_csv_delimiter (dealscore.h) are
 * defined in dealscore_csvrows.c. */

#endif
