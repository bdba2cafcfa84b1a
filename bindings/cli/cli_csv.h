/* cli_csv.h: deals from CRM CSV exports: a deals file, a stakeholders (contacts)
 * file and a relationships file, joined into one deal JSON object per deal.
 *
 * A mapping (models/mappings/NAME.json) names the columns and translates values.
 * The stakeholders and relationships files are read first into an index keyed by
 * deal id (memory grows with those two files); the deals file is then streamed
 * and each joined deal is queued for scoring as JSON text, so validation and
 * errors are the same as for JSONL input. See docs/csv.md. */
#ifndef CLI_CSV_H
#define CLI_CSV_H

#include "cli_pipeline.h"

typedef struct cli_csv cli_csv;

/* Loads the mapping (NULL: models/mappings/plain.json), opens the files and
 * indexes stakeholders and relationships (either may be NULL). Prints the error
 * and returns NULL on a setup error (unreadable file, bad mapping, a header
 * without the deal id column). */
cli_csv *cli_csv_open(const score_options *o);
/* Size in bytes of the deals file when it is a regular file, else 0. */
long long cli_csv_size(const cli_csv *c);
/* Streams the deals file into the pipeline. Rows of the stakeholders and
 * relationships files that cannot be used, or that name no deal of the deals
 * file, are reported on stderr and counted in *row_errors. Returns 0, or -1 on a
 * read error (printed). */
int cli_csv_run(cli_csv *c, cli_pipeline *p, long *row_errors);
void cli_csv_close(cli_csv *c);

#endif
