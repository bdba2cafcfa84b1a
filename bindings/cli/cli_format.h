/* cli_format.h: result rows in the output formats of `dealscore score`.
 *
 * Workers score into typed results (lib/dealscore.h); these turn a result into
 * the row of the chosen format (JSONL: the engine's own JSON line,
 * models/result.schema.json), so that formatting runs on the workers and the
 * in-order writer only copies bytes. */
#ifndef CLI_FORMAT_H
#define CLI_FORMAT_H

#include <stdio.h>

#include "dealscore.h"
#include "ds_core.h"

enum cli_format { CLI_FORMAT_JSONL, CLI_FORMAT_TABLE, CLI_FORMAT_CSV };

/* "jsonl", "table", "csv": the format, or -1. */
int cli_format_parse(const char *name);
/* The header line of the format (nothing for JSONL). */
void cli_format_header(FILE *out, int format);
/* Appends the row (ending in a newline) for one result: the latest result of
 * engine e, or (e NULL) an error result the caller made, with id and error set. */
void cli_format_row(ds_buf *row, int format, dealscore_engine *e, const dealscore_result *r);
/* Appends one CSV field, quoted when it holds a comma, quote, CR or LF, or starts
 * or ends with a space (RFC 4180: quotes doubled inside). */
void cli_csv_field(ds_buf *b, const char *s);

#endif
