/* cli_csvrows.h: the rows of a CSV file, streamed through libcsv, with the line
 * each field starts on, so that every message can name file, line and column.
 *
 * RFC 4180 and what the tools people use write on top of it: quoted fields with
 * delimiters, quotes and line breaks inside, CRLF or LF line ends, blank lines
 * (skipped); `,` `;` tab or `|` as the delimiter (European Excel writes `;`),
 * sniffed from the header line unless given; UTF-8 with or without a byte order
 * mark, UTF-16 with a BOM (Excel's "Unicode text"), or any encoding iconv knows
 * (windows-1252, latin1) when named. Bytes that are not UTF-8 are replaced by
 * U+FFFD so that nothing downstream sees them, and the row says where the first
 * one was, for an error naming file, line and column.
 *
 * Memory holds one row at a time, and at most max_row_bytes of it: a longer row
 * is not buffered (neither by libcsv nor here) but skipped to its end and handed
 * on as too_large with the fields completed before the limit (the id, usually). */
#ifndef CLI_CSVROWS_H
#define CLI_CSVROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct cli_csv_dialect {
    char delimiter;       /* 0: sniffed from the first line */
    const char *encoding; /* NULL: UTF-8 (a UTF-16 BOM is recognised) */
    size_t max_row_bytes; /* 0: no limit */
} cli_csv_dialect;

typedef struct cli_csv_row {
    int n;              /* fields */
    char *const *field; /* NUL-terminated; an empty field is "" */
    const long *line;   /* the line each field starts on (1-based) */
    long long offset;   /* bytes of the file read so far (for progress) */
    bool too_large;     /* longer than max_row_bytes: only the first n fields are here */
    long first_line;    /* the line the row starts on */
    int bad_field;      /* the first field that was not UTF-8, or -1 */
    size_t bad_byte;    /* its first byte that was not (0-based, before replacing) */
} cli_csv_row;

/* Called for each row, the header included; return non-zero to stop. */
typedef int (*cli_csv_row_fn)(void *ctx, const cli_csv_row *row);

/* Reads every row of f. Returns 0; -1 on a read error (errno set); -2 when the
 * file ends inside a quoted field (*open_line then names the line of the last
 * complete row, after which the quote was opened); -3 when the encoding is not
 * one iconv knows. *delimiter (when not NULL) gets the delimiter used. */
int cli_csv_rows(FILE *f, const cli_csv_dialect *d, cli_csv_row_fn fn, void *ctx, long *open_line,
                 char *delimiter);

/* Whether iconv can read name into UTF-8 ("windows-1252", "latin1", "utf-16"). */
bool cli_csv_encoding_known(const char *name);
/* The delimiter an option names: one character, or "tab"; 0 when it is not one
 * of , ; tab | (or another single printable character). */
char cli_csv_delimiter(const char *name);

#endif
