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

/* CLI_FORMAT_CSV_SHEET: the CSV rows for a spreadsheet. A text cell starting
 * with = + - @, a tab or a CR (a formula to Excel, LibreOffice, Google Sheets:
 * OWASP's "CSV injection") is written quoted with a ' before it, which the
 * spreadsheet shows as text. Plain CSV keeps every cell as it is: it is loaded
 * back into the CRM, where the ' would become part of an id or a reason. */
enum cli_format { CLI_FORMAT_JSONL, CLI_FORMAT_TABLE, CLI_FORMAT_CSV, CLI_FORMAT_CSV_SHEET };

/* "jsonl", "table", "csv", "csv-sheet": the format, or -1. */
int cli_format_parse(const char *name);
/* The header line of the format (nothing for JSONL). */
void cli_format_header(FILE *out, int format);
/* Writes the row (ending in a newline) for one result: the latest result of
 * engine e, or (e NULL) an error result the caller made, with id and error set.
 * The pipeline writes into a memory stream of the worker's (open_memstream). */
void cli_format_row(FILE *row, int format, dealscore_engine *e, const dealscore_result *r);
/* How many text cells of plain CSV rows written so far start as a formula would
 * (see CLI_FORMAT_CSV_SHEET): the run says so once at its end. */
long cli_format_formula_cells(void);

/* Says on f why a deal was not scored, for a person: "dealscore COMMAND: WHERE:
 * cannot be scored: CODE: MESSAGE", the message without the WHERE it starts
 * with, control characters (C0, DEL, C1) shown as \xNN: a deal's strings reach
 * a terminal. */
void cli_print_unscored(FILE *f, const char *command, const char *where, const dealscore_error *e);

#endif
