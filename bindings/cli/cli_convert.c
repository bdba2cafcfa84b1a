/* cli_convert.c: `dealscore convert`, the deals a mapping makes of CSV files.
 *
 * Writes each joined deal as one JSONL line, exactly the text `score --csv`
 * would score, so a mapping can be checked (and an export converted once to
 * JSONL, which is scored in constant memory). Rows that cannot be a deal are
 * named on standard error with their code and message; the others are written. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_csv.h"
#include "cli_output.h"

static const char usage[] =
    "usage: dealscore convert [OPTIONS] DEALS.csv\n"
    "       dealscore convert [OPTIONS] --csv DEALS [--stakeholders FILE] [--relationships FILE]\n"
    "\n"
    "Joins the CSV files as `dealscore score --csv` does and writes each deal the\n"
    "mapping makes as one line of JSON (the deal format, models/deal.schema.json):\n"
    "to see what a mapping made of an export, or to convert it once to JSONL. A row\n"
    "that cannot be a deal is named on standard error (file, line, column, code);\n"
    "the other deals are written.\n"
    "\n"
    "options:\n" CLI_CSV_HELP
    "  -o, --output FILE   write to FILE (through a temporary file, renamed when done;\n"
    "                      '-' is standard output)\n"
    "  -q, --quiet         no summary line and no notes on standard error (rows\n"
    "                      that cannot be deals and unusable rows are still named)\n"
    "      --max-deal-memory SIZE\n"
    "                      longest row read (default 256M); a longer one is skipped\n"
    "                      with a too_large error\n"
    "  -h, --help          this text\n"
    "\n"
    "exit status: 0 every row made a deal, 1 some rows could not, or there was no\n"
    "deal to write (a header only, or every row skipped: -o FILE is then left as it\n"
    "was), 2 usage or setup error.\n";

typedef struct convert_run {
    FILE *out;
    long deals, errors;
} convert_run;

static int on_deal(void *ctx, const char *text, size_t len, const char *where, long long bytes,
                   const dealscore_csv_origin *origin) {
    (void)where, (void)bytes, (void)origin;
    convert_run *r = ctx;
    fwrite(text, 1, len, r->out);
    fputc('\n', r->out);
    r->deals++;
    return 0;
}

static int on_error(void *ctx, const char *id, const dealscore_error *err, long long bytes) {
    (void)bytes;
    convert_run *r = ctx;
    fprintf(stderr, "dealscore convert: %s%s%s%s (%s at %s)\n", id ? "deal \"" : "", id ? id : "",
            id ? "\": " : "", err->message, err->code, err->path);
    r->errors++;
    return 0;
}

enum { OPT_MAX_DEAL_MEMORY = 1300 };

static int convert_option(void *ctx, int c, const char *arg) {
    size_t *limit = ctx;
    if (c != OPT_MAX_DEAL_MEMORY || (*limit = cli_parse_size(arg))) return 0;
    return cli_bad_value("convert", "--max-deal-memory", "a size of 1M or more", arg);
}

int cli_convert(int argc, char **argv) {
    static const struct option longopts[] = {
        {"max-deal-memory", required_argument, NULL, OPT_MAX_DEAL_MEMORY}, {NULL, 0, NULL, 0}};
    size_t limit = 0;
    const cli_spec spec = {.name = "convert",
                           .usage = usage,
                           .shared = CLI_SH_OUTPUT | CLI_SH_QUIET | CLI_SH_CSV,
                           .longopts = longopts,
                           .own = convert_option,
                           .ctx = &limit};
    static cli_shared sh;
    if (cli_parse(&spec, argc, argv, &sh) < 0) return CLI_USAGE;
    cli_csv_options o = sh.csv;
    const char *output = sh.output;
    if (!o.deals && optind < argc) o.deals = argv[optind++];
    if (!o.deals || optind < argc) {
        fprintf(stderr, "dealscore convert: give one deals file (DEALS.csv or --csv DEALS)\n");
        return CLI_USAGE;
    }
    if (cli_csv_finish(&o, "convert", NULL) < 0) return CLI_USAGE;
    cli_csv_messages(&o, sh.quiet); /* -q: notes too (the columns a file lacks) */
    o.max_deal_memory = limit ? limit : DEALSCORE_DEAL_MEMORY_DEFAULT;
    const char *inputs[] = {o.deals, o.stakeholders, o.relationships, o.contacts};
    if (cli_output_check("convert", output, inputs, 4) < 0) return CLI_USAGE;
    dealscore_csv *csv = dealscore_csv_open(&o);
    if (!csv) return CLI_USAGE;
    cli_output out = {0};
    if (output && cli_output_open(&out, "convert", output) < 0) {
        dealscore_csv_close(csv);
        return CLI_USAGE;
    }
    convert_run run = {output ? out.f : stdout, 0, 0};
    dealscore_csv_sink sink = {on_deal, on_error, &run};
    dealscore_csv_counts counts = {0};
    int rc = dealscore_csv_run(csv, &sink, &counts);
    dealscore_csv_close(csv);
    bool none = rc == 0 && run.deals == 0; /* the old FILE is kept, as score keeps it */
    if (output) {
        if (rc < 0 || none)
            cli_output_abort(&out);
        else if (cli_output_commit(&out, "convert") < 0)
            rc = -1;
    } else if (fflush(stdout) != 0) {
        fprintf(stderr, "dealscore convert: writing: %s\n", strerror(errno));
        rc = -1;
    }
    char words[400];
    cli_csv_summary(&counts, words, sizeof words);
    if (!sh.quiet)
        fprintf(stderr, "dealscore convert: %ld deals written, %ld rows could not be deals%s%s%s\n",
                run.deals, run.errors, words[0] ? " (" : "", words, words[0] ? ")" : "");
    /* rows named as errors already say why nothing was written to standard output */
    if (none && (output || !run.errors)) cli_note_no_deals("convert", "write", output);
    if (rc < 0) return CLI_USAGE;
    return none || run.errors || counts.row_errors ? CLI_DEAL_ERRORS : CLI_OK;
}
