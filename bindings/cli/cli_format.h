/* cli_format.h: result rows in the output formats of `dealscore score`.
 *
 * Workers score into result JSON lines (models/result.schema.json); these turn a
 * line into the row of the chosen format, so that formatting runs on the workers
 * and the in-order writer only copies bytes. */
#ifndef CLI_FORMAT_H
#define CLI_FORMAT_H

#include <stdio.h>

#include "ds_core.h"

enum cli_format { CLI_FORMAT_JSONL, CLI_FORMAT_TABLE, CLI_FORMAT_CSV };

/* "jsonl", "table", "csv": the format, or -1. */
int cli_format_parse(const char *name);
/* The header line of the format (nothing for JSONL). */
void cli_format_header(FILE *out, int format);
/* Appends the row (ending in a newline) for one result line, which must be a
 * result written by ds_result_write or ds_result_write_error. The arena holds the
 * parsed line until its next reset. */
void cli_format_row(ds_buf *row, int format, const char *line, size_t len, ds_arena *a);
/* Appends one CSV field, quoted when it holds a comma, quote, CR or LF, or starts
 * or ends with a space (RFC 4180: quotes doubled inside). */
void cli_csv_field(ds_buf *b, const char *s);

#endif
