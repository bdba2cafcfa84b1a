/* cli_mapping.h: CSV columns to deal JSON, as a mapping file says.
 *
 * A mapping (models/mappings/NAME.json, described in docs/csv.md) names, for each
 * of the three files, which column holds which deal field and how cell values
 * translate ("Decision Maker" -> roles economic_buyer, can_buy true). Bound to a
 * file's header, it turns each row into a cJSON object: mapped columns become
 * typed fields, columns it does not name are kept as strings under their header
 * name (custom fields for policies), empty cells are left out. */
#ifndef CLI_MAPPING_H
#define CLI_MAPPING_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli_csvrows.h"
#include "ds_deal.h"

/* CLI_CONTACTS: a contacts file joined to stakeholder rows (cli_crm.h); its key
 * is the contact's id. */
typedef enum { CLI_DEALS, CLI_STAKEHOLDERS, CLI_RELATIONSHIPS, CLI_CONTACTS } cli_table;

typedef struct cli_mapping cli_mapping;
typedef struct cli_columns cli_columns;

/* Loads and checks a mapping file: every key known, every target a field of
 * its table (a typo is an error naming it, with the key or field meant). NULL
 * with the message on error. */
cli_mapping *cli_mapping_load(const char *path, char *err, size_t errlen);
/* The number format the options give (0: the mapping's): decimal '.' or ',',
 * and an explicit thousands separator. */
void cli_mapping_numbers(cli_mapping *m, char decimal, char thousands);
/* --date-format: how every date column writes its dates (over the mapping's
 * date_format and each column's own); NULL leaves the mapping's. */
void cli_mapping_dates(cli_mapping *m, const char *date_format);
/* Whether a date format is made of YYYY, M or MM, D or DD (once each) and
 * characters that are not letters or digits. */
bool cli_mapping_date_format_ok(const char *fmt);
void cli_mapping_free(cli_mapping *m);
/* The mapping file's JSON, for the keys cli_crm.h reads. */
const cJSON *cli_mapping_json(const cli_mapping *m);

/* Binds a table's columns to a file's header row. A header cell matches a
 * mapped column by its exact name, else ignoring case and surrounding spaces.
 * The key column (the deal id for every table) must be there; NULL with a
 * message otherwise (naming the column meant when one is close). */
cli_columns *cli_columns_bind(const cli_mapping *m, cli_table t, const cli_csv_row *header,
                              const char *file, char *err, size_t errlen);
/* Prints which mapped columns the header has, which it lacks (with the header
 * cell meant, when one is close) and which file columns no mapping names:
 * always when a mapped column is missing, else only when verbose. Returns the
 * number of mapped columns missing. */
int cli_columns_report(const cli_columns *c, FILE *out, bool verbose);
/* The row limit, for the message of a too_large row. */
void cli_columns_set_limit(cli_columns *c, size_t max_row);
/* Whether a row is a report's footer (Salesforce's "Grand Totals (12 records)",
 * "Confidential Information - Do Not Distribute", a copyright line) or a row of
 * empty cells: a row without a deal id whose first text says so, or with one
 * text cell only. Such rows are skipped, not errors. */
bool cli_columns_footer(const cli_columns *c, const cli_csv_row *row);
void cli_columns_free(cli_columns *c);

/* The row's deal id(s), from the key column: NULL when the cell is empty. For a
 * stakeholder or relationship row the cell may list several deals, separated by
 * the mapping's deal_separator; *count gets their number, out the ids (the
 * returned buffer is the caller's to free). */
char **cli_columns_deal_ids(const cli_columns *c, const cli_csv_row *row, int *count);
/* The row as a JSON object, or NULL with err set: a cell that cannot be read as
 * its field's type (code bad_type or bad_date), a row with more (non-empty)
 * fields than the header (bad_csv; missing trailing cells are empty), a row
 * longer than the limit (too_large) or with bytes that are not UTF-8
 * (bad_encoding). Messages name file, line and column;
 * paths start with `path` ("$" or "$.stakeholders[2]"). */
cJSON *cli_columns_row(const cli_columns *c, const cli_csv_row *row, const char *path,
                       ds_error *err);

#endif
