/* dealscore_mapping.h: CSV columns to deal JSON, as a mapping file says.
 *
 * A mapping (models/mappings/NAME.json, described in docs/csv.md) names, for each
 * of the three files, which column holds which deal field and how cell values
 * translate ("Decision Maker" -> roles economic_buyer, can_buy true). Bound to a
 * file's header, it turns each row into a cJSON object: mapped columns become
 * typed fields, columns it does not name are kept as strings under their header
 * name (custom fields for policies), empty cells are left out. */
#ifndef DEALSCORE_MAPPING_H
#define DEALSCORE_MAPPING_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include "dealscore_csvrows.h"
#include "ds_deal.h"

/* DSCSV_CONTACTS: a contacts file joined to stakeholder rows (dealscore_crm.h); its key
 * is the contact's id. */
typedef enum { DSCSV_DEALS, DSCSV_STAKEHOLDERS, DSCSV_RELATIONSHIPS, DSCSV_CONTACTS } dscsv_table;

typedef struct dscsv_mapping dscsv_mapping;
typedef struct dscsv_columns dscsv_columns;

/* Loads and checks a mapping file: every key known, every target a field of
 * its table (a typo is an error naming it, with the key or field meant). NULL
 * with the message on error. */
dscsv_mapping *dscsv_mapping_load(const char *path, char *err, size_t errlen);
/* The number format the options give (0: the mapping's): decimal '.' or ',',
 * and an explicit thousands separator. */
void dscsv_mapping_numbers(dscsv_mapping *m, char decimal, char thousands);
/* --date-format: how every date column writes its dates (over the mapping's
 * date_format and each column's own); NULL leaves the mapping's. */
void dscsv_mapping_dates(dscsv_mapping *m, const char *date_format);
/* (dealscore_csv_date_format_ok of dealscore.h is defined in dealscore_mapping.c.) */
void dscsv_mapping_free(dscsv_mapping *m);
/* The mapping file's JSON, for the keys dealscore_crm.h reads. */
const cJSON *dscsv_mapping_json(const dscsv_mapping *m);

/* Binds a table's columns to a file's header row. A header cell matches a
 * mapped column by its exact name, else ignoring case and surrounding spaces.
 * The key column (the deal id for every table) must be there; NULL with a
 * message otherwise (naming the column meant when one is close). */
dscsv_columns *dscsv_columns_bind(const dscsv_mapping *m, dscsv_table t, const dscsv_row *header,
                                  const char *file, char *err, size_t errlen);
/* Says (notes) which mapped columns the header has, which it lacks (with the header
 * cell meant, when one is close) and which file columns no mapping names:
 * always when a mapped column is missing, else only when verbose. Returns the
 * number of mapped columns missing. */
int dscsv_columns_report(const dscsv_columns *c, const dscsv_say *say, bool verbose);
/* The row limit, for the message of a too_large row. */
void dscsv_columns_set_limit(dscsv_columns *c, size_t max_row);
/* Whether a row is a report's footer (Salesforce's "Grand Totals (12 records)",
 * "Confidential Information - Do Not Distribute", a copyright line) or a row of
 * empty cells: a row without a deal id whose first text says so, or with one
 * text cell only. Such rows are skipped, not errors. */
bool dscsv_columns_footer(const dscsv_columns *c, const dscsv_row *row);
void dscsv_columns_free(dscsv_columns *c);

/* The row's deal id(s), from the key column: NULL when the cell is empty. For a
 * stakeholder or relationship row the cell may list several deals, separated by
 * the mapping's deal_separator; *count gets their number, out the ids (the
 * returned buffer is the caller's to free). */
char **dscsv_columns_deal_ids(const dscsv_columns *c, const dscsv_row *row, int *count);
/* The header of column i (0-based), or NULL past the header's columns. */
const char *dscsv_columns_header(const dscsv_columns *c, int i);
/* The header of the key (deal id) column, and its index (0-based) in *index. */
const char *dscsv_columns_key(const dscsv_columns *c, int *index);
/* The row as a JSON object, or NULL with err set: a cell that cannot be read as
 * its field's type (code bad_type or bad_date), a row with more (non-empty)
 * fields than the header (bad_csv; missing trailing cells are empty), a row
 * longer than the limit (too_large) or with bytes that are not UTF-8
 * (bad_encoding). Messages name file, line and column; every bad cell of the
 * row is named in the one message (err's code and path are the first one's);
 * paths start with `path` ("$" or "$.stakeholders[2]"). */
cJSON *dscsv_columns_row(const dscsv_columns *c, const dscsv_row *row, const char *path,
                         ds_error *err);

#endif
