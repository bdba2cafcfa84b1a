/* cli_csv.h: the CSV options of the commands (--csv, --stakeholders, --mapping,
 * ...) and how the CLI says the CSV import's messages.
 *
 * The import itself (the CSV trio joined into deals through a mapping, CRM
 * contacts and title inference) is the library's: dealscore_csv_* in
 * dealscore.h, docs/csv.md. Every command that reads deals reads CSV through it
 * (score, check, explain, map, diff, backtest, convert). */
#ifndef CLI_CSV_H
#define CLI_CSV_H

#include "dealscore.h"

/* What the CSV options of a command say: the library's options, filled by
 * cli_csv_option and cli_csv_finish (max_deal_memory by the command). */
typedef dealscore_csv_options cli_csv_options;

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
    "                            contact id (a Salesforce Data Loader export of Contact),\n"       \
    "                            or to the deals that list them (HubSpot's Associated\n"           \
    "                            Contact IDs)\n"                                                   \
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

/* Whether a deals path is read as CSV: --csv was given, or it ends in .csv or
 * .tsv. */
bool cli_csv_wanted(const cli_csv_options *o, const char *path);

/* Messages of the import on standard error ("dealscore: TEXT"); notes are left
 * out when quiet. cli_csv_finish sets this up, not quiet. */
void cli_csv_messages(cli_csv_options *o, bool quiet);

/* For the commands that look at one deal at a time (explain, map, diff, check,
 * backtest): reads path ("-": standard input) as the deals file of the options'
 * CSV trio into dealscore_input's callbacks (dealscore_csv_read), each row
 * limited by max_deal_memory. Returns 0, or -1 on a setup or read error (said). */
int cli_csv_read(const cli_csv_options *o, const char *path, size_t max_deal_memory,
                 const dealscore_input *in, dealscore_csv_counts *counts);

/* The summary's words for the counts: " (and 2 unusable CSV rows; 3 contact
 * rows of deals not in deals.csv, ignored)", or "" (buf is the caller's). */
const char *cli_csv_summary(const dealscore_csv_counts *n, char *buf, size_t len);

#endif
