/* cli_csvrows.h: the rows of a CSV file, streamed through libcsv, with the line
 * each field starts on, so that every message can name file, line and column.
 *
 * RFC 4180 and what CRM exports add to it: quoted fields with commas, quotes and
 * line breaks inside, CRLF or LF line ends, a UTF-8 byte order mark, blank lines
 * (skipped). Memory holds one row at a time. */
#ifndef CLI_CSVROWS_H
#define CLI_CSVROWS_H

#include <stdio.h>

typedef struct cli_csv_row {
    int n;              /* fields */
    char *const *field; /* NUL-terminated; an empty field is "" */
    const long *line;   /* the line each field starts on (1-based) */
    long long offset;   /* bytes of the file read so far (for progress) */
} cli_csv_row;

/* Called for each row, the header included; return non-zero to stop. */
typedef int (*cli_csv_row_fn)(void *ctx, const cli_csv_row *row);

/* Reads every row of f. Returns 0; -1 on a read error (errno set); -2 when the
 * file ends inside a quoted field (*open_line then names the line of the last
 * complete row, after which the quote was opened). */
int cli_csv_rows(FILE *f, cli_csv_row_fn fn, void *ctx, long *open_line);

#endif
