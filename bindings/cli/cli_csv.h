/* cli_csv.h: deals from CRM CSV exports: a deals file, a stakeholders (contacts)
 * file and a relationships file, joined into one deal JSON object per deal.
 *
 * A mapping (models/mappings/NAME.json) names the columns and translates values.
 * The stakeholders and relationships files are read first into an index keyed by
 * deal id (memory grows with those two files); the deals file is then streamed
 * and each joined deal is handed to a sink as JSON text, so validation and
 * errors are the same as for JSONL input. Every command that reads deals reads
 * them through here (score, check, explain, map, diff, backtest, convert). See
 * docs/csv.md. */
#ifndef CLI_CSV_H
#define CLI_CSV_H

#include "cli_csvrows.h"
#include "dealscore.h"
#include "ds_core.h"

typedef struct cli_origin cli_origin; /* cli_pipeline.h */

typedef struct cli_csv cli_csv;

/* A CSV row may be this share of the memory one deal may use (dialect's
 * max_row_bytes in the options: --max-deal-memory): see cli_csv_open. */
#define CLI_CSV_ROW_SHARE 4

/* What the CSV options of a command say. */
typedef struct cli_csv_options {
    const char *deals; /* "-": standard input */
    const char *stakeholders, *relationships, *mapping;
    const char *contacts, *titles; /* --contacts FILE, --titles FILE (cli_crm.h) */
    cli_csv_dialect dialect;       /* --delimiter, --encoding; max_row_bytes */
    char decimal, thousands;       /* --decimal, --thousands (0: the mapping's) */
    const char *date_format;       /* --date-format (NULL: the mapping's) */
    bool verbose;                  /* --verbose: the column report even when complete */
} cli_csv_options;

/* The CSV options every command takes, for getopt_long, their --help text, and
 * the function that takes them (1 taken, 0 not one of them, -1 bad value). */
enum {
    CLI_OPT_CSV = 1200,
    CLI_OPT_STAKEHOLDERS,
    CLI_OPT_RELATIONSHIPS,
    CLI_OPT_MAPPING,
    CLI_OPT_DELIMITER,
    CLI_OPT_ENCODING,
    CLI_OPT_DECIMAL,
    CLI_OPT_THOUSANDS,
    CLI_OPT_VERBOSE,
    CLI_OPT_CONTACTS,
    CLI_OPT_TITLES,
    CLI_OPT_DATE_FORMAT
};
/* clang-format off */
#define CLI_CSV_LONGOPTS                                                       \
    {"csv", required_argument, NULL, CLI_OPT_CSV},                             \
    {"stakeholders", required_argument, NULL, CLI_OPT_STAKEHOLDERS},           \
    {"relationships", required_argument, NULL, CLI_OPT_RELATIONSHIPS},         \
    {"mapping", required_argument, NULL, CLI_OPT_MAPPING},                     \
    {"delimiter", required_argument, NULL, CLI_OPT_DELIMITER},                 \
    {"encoding", required_argument, NULL, CLI_OPT_ENCODING},                   \
    {"decimal", required_argument, NULL, CLI_OPT_DECIMAL},                     \
    {"thousands", required_argument, NULL, CLI_OPT_THOUSANDS},                 \
    {"verbose", no_argument, NULL, CLI_OPT_VERBOSE},                           \
    {"contacts", required_argument, NULL, CLI_OPT_CONTACTS},                   \
    {"titles", required_argument, NULL, CLI_OPT_TITLES},                       \
    {"date-format", required_argument, NULL, CLI_OPT_DATE_FORMAT}
/* clang-format on */
#define CLI_CSV_HELP                                                                               \
    "      --csv FILE            deals, one row per deal ('-': standard input)\n"                  \
    "      --stakeholders FILE   contacts, one row per stakeholder of a deal\n"                    \
    "      --relationships FILE  ties between two stakeholders of a deal\n"                        \
    "      --contacts FILE       contact records joined to the stakeholder rows on the\n"          \
    "                            contact id (a Salesforce Data Loader export of Contact)\n"        \
    "      --titles FILE         more title rules, over models/titles.json (function and\n"        \
    "                            level read from job titles; see docs/csv.md)\n"                   \
    "      --mapping FILE        column names and value translations (default:\n"                  \
    "                            plain; a bare name such as salesforce,\n"                         \
    "                            salesforce_api or hubspot is looked up in\n"                      \
    "                            models/mappings)\n"                                               \
    "      --delimiter C         , ; tab or | (default: sniffed from the header)\n"                \
    "      --encoding NAME       the files' encoding when not UTF-8: windows-1252\n"               \
    "                            (Excel), latin1, utf-16 (a UTF-16 BOM is recognised)\n"           \
    "      --decimal C           the decimal mark of numbers: . (default) or ,\n"                  \
    "      --thousands C         a thousands separator to drop from numbers\n"                     \
    "      --date-format FMT     how the files write dates, e.g. DD.MM.YYYY (a German\n"           \
    "                            Excel) or D/M/YYYY (default: the mapping's; ISO\n"                \
    "                            YYYY-MM-DD is always read too)\n"                                 \
    "      --verbose             list the mapped columns found and the file columns\n"             \
    "                            left unmapped (always listed when a mapped one is\n"              \
    "                            missing)\n"

/* Takes one CSV option into o; "dealscore CMD: ..." on a bad value. A file
 * option given twice is an error. */
int cli_csv_option(cli_csv_options *o, const char *command, int c, const char *arg);
/* After parsing: the options that need --csv have it (or FILE ends in .csv or
 * .tsv, which then becomes the deals file: path is the operand). Returns 1 when
 * the input is CSV, 0 when not, -1 on a usage error (printed). */
int cli_csv_finish(cli_csv_options *o, const char *command, const char *path);

/* Where the joined deals go. */
typedef struct cli_csv_sink {
    /* a deal's JSON text; where is "deals.csv:17"; origin says where its parts
     * came from. Return non-zero to stop. */
    int (*deal)(void *ctx, const char *text, size_t len, const char *where, long long src_bytes,
                const cli_origin *origin);
    /* a deal row that cannot be a deal: its id (may be NULL) and the error */
    int (*error)(void *ctx, const char *id, const ds_error *err, long long src_bytes);
    void *ctx;
} cli_csv_sink;

/* What a run found besides the deals. */
typedef struct cli_csv_counts {
    long row_errors; /* rows that could not be used (exit status 1) */
    long orphans;    /* stakeholder/relationship rows of deals not in the deals file */
    long footers;    /* report footers and empty rows skipped */
    long merged;     /* stakeholder rows merged into an earlier one (two roles) */
} cli_csv_counts;

/* Loads the mapping (NULL: models/mappings/plain.json), opens the files and
 * indexes stakeholders and relationships (either may be NULL). Prints the error
 * and returns NULL on a setup error (unreadable file, bad mapping, a header
 * without the deal id column). command names the messages' origin. */
cli_csv *cli_csv_open(const cli_csv_options *o, const char *command);
/* Size in bytes of the deals file when it is a regular file, else 0. */
long long cli_csv_size(const cli_csv *c);
/* Streams the deals file into the sink. Rows of the stakeholders and
 * relationships files that cannot be used are reported on stderr and counted.
 * Returns 0, or -1 on a read or setup error (printed). */
int cli_csv_run(cli_csv *c, const cli_csv_sink *sink, cli_csv_counts *counts);
void cli_csv_close(cli_csv *c);

/* Whether a deals path is read as CSV: --csv was given, or it ends in .csv or
 * .tsv. */
bool cli_csv_wanted(const cli_csv_options *o, const char *path);

/* For the commands that look at one deal at a time (explain, map, diff, check,
 * backtest): reads path ("-": standard input) as the deals file of the options'
 * CSV trio into dealscore_input.h's callbacks. A row that cannot be a deal reaches
 * reject with its code and message ("deal \"D7\": deals.csv:9 column 3 ...").
 * Returns 0, or -1 on a setup or read error (printed). */
int cli_csv_read(const cli_csv_options *o, const char *command, const char *path,
                 size_t max_row_bytes, const dealscore_input *in, cli_csv_counts *counts);

/* The summary's words for the counts: " (and 2 unusable CSV rows; 3 contact
 * rows of deals not in deals.csv, ignored)", or "" (buf is the caller's). */
const char *cli_csv_summary(const cli_csv_counts *n, char *buf, size_t len);

#endif
