/* cli_score.c: `dealscore score`, batch scoring of deal streams.
 *
 * Reads JSONL or JSON arrays from files or stdin (or a CSV export trio, see
 * cli_csv.h), scores the deals on worker threads (cli_pipeline.h) and writes one
 * result per deal in input order. Bad deals become error results; the batch goes
 * on. A summary goes to stderr. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_csv.h"
#include "cli_format.h"
#include "dealscore.h"
#include "cli_output.h"
#include "cli_pipeline.h"
#include "cli_remote.h"

static const char usage[] =
    "usage: dealscore score [OPTIONS] [FILE ...]\n"
    "       dealscore score [OPTIONS] --csv DEALS [--stakeholders FILE]\n"
    "                       [--relationships FILE] [--contacts FILE] [--titles FILE]\n"
    "                       [--mapping FILE]\n"
    "\n"
    "Scores every deal of the pipeline exports FILE ... (JSONL, one deal per line, or a\n"
    "JSON array of deals, which JSONL may follow; '-' or no FILE reads standard input)\n"
    "and writes one result per deal, in input order. A deal that cannot be scored gets\n"
    "an error result naming the code, the JSON path and the input line; the other\n"
    "deals are scored. A broken array (a missing comma or bracket, a line break in a\n"
    "string, the input ending early) gives one bad_json line for the broken element;\n"
    "the deals on the lines after it are still read, a line starting with '{' each.\n"
    "Deals are scored on --jobs threads; the output does not depend on their number,\n"
    "and memory stays bounded by a window of deals in flight, whatever the input size.\n"
    "\n"
    "options:\n"
    "  -m, --model FILE    model parameters (default: models/default.json)\n" CLI_POLICY_HELP
    "  -e, --explain       add each score's factors, effective influence and\n"
    "                      predicted stance per stakeholder (JSONL only)\n"
    "  -A, --actions       add the next best actions (JSONL only): each catalogue\n"
    "                      action, and each one the policy's actions() adds, is\n"
    "                      applied to a copy of the deal and re-scored; the best\n"
    "                      gains in viability are listed (docs/actions.md)\n"
    "      --max-actions N report at most N actions (default: the model's\n"
    "                      actions.max_actions, 5); implies --actions\n"
    "  -Q, --questions     add the questions that would change the verdict (JSONL\n"
    "                      only): each field the deal does not give is set to the\n"
    "                      low and the high end of its range on a copy, re-scored,\n"
    "                      and the largest swings in viability are listed\n"
    "                      (docs/questions.md)\n"
    "      --max-questions N\n"
    "                      report at most N questions (default: the model's\n"
    "                      questions.max_questions, 5); implies --questions\n"
    "      --questions-exact\n"
    "                      answer every question through the policy, whatever it\n"
    "                      costs; without it at most as many policy runs as\n"
    "                      --actions makes are spent per deal, on the answers a\n"
    "                      screen of the core scores ranks first (or the model's\n"
    "                      questions.exact); implies --questions\n"
    "      --as-of DATE    judge deals without an as_of at DATE (YYYY-MM-DD, or today);\n"
    "                      without it, contact dates cannot age: a run whose deals\n"
    "                      have contact dates but no as_of says so once\n"
    "  -f, --format FMT    jsonl (default); table (deal, viability, verdict, reason,\n"
    "                      or an error's code and message);\n"
    "                      csv (one row per deal: id, the six scores, verdict,\n"
    "                      win_probability, coverage, reasons and warnings joined with\n"
    "                      ';', error code, path and message), every cell as it is,\n"
    "                      to load back into the CRM; csv-sheet: the same rows to\n"
    "                      open in a spreadsheet, a text cell starting with = + - @,\n"
    "                      a tab or a CR written as '=... (not run as a formula;\n"
    "                      OWASP, CSV injection). --explain, --actions and\n"
    "                      --questions show in jsonl only (with another format: usage\n"
    "                      error)\n"
    "  -o, --output FILE   write results to FILE instead of standard output: through\n"
    "                      a temporary file beside it, renamed over FILE only when the\n"
    "                      run completed (a setup or read error, or no deal at all,\n"
    "                      leaves FILE as it was); FILE may not be one of the inputs;\n"
    "                      '-' is standard output\n"
    "  -j, --jobs N        worker threads (default: the number of cores)\n"
    "  -q, --quiet         no progress line, summary, notes (the columns a CSV\n"
    "                      export has or lacks) or as_of notice on standard error\n"
    "                      (errors, and rows skipped, are still reported)\n"
    "      --max-deal-memory SIZE\n"
    "                      memory one deal may use, its text included (default\n"
    "                      256M; suffixes K, M, G). A longer deal line is skipped\n"
    "                      with a too_large error, a deal that needs more memory\n"
    "                      (a huge committee) gets an out_of_memory error\n" CLI_HELP_SERVER
    "                      With --server: one of --explain, --actions, --questions;\n"
    "                      --jobs connections (default 8)\n"
    "  -h, --help          this text\n"
    "\n"
    "CSV input (CRM exports; a FILE ending in .csv or .tsv is one too; see "
    "docs/csv.md):\n" CLI_CSV_HELP
    "  Columns the mapping does not name are kept as custom fields that policies read\n"
    "  with deal:custom(key) and stakeholder:custom(key). A row that cannot be used\n"
    "  is an error naming file, line and column; the other rows are scored.\n"
    "\n"
    "On a terminal, a progress line (deals, deals/s, errors, ETA) is shown on standard\n"
    "error while scoring (not when the results go to that same terminal); a summary\n"
    "line follows at the end. A file option (--csv, -o, ...) given twice is an error.\n"
    "\n"
    "A policy that runs past its instruction budget or its memory cap ends that deal\n"
    "with a policy_timeout or policy_memory error; the next deal is scored normally.\n"
    "Writing policies: docs/policies.md; trying one: dealscore check POLICY.\n"
    "\n"
    "exit status:\n"
    "  0    every deal scored\n"
    "  1    some deals or rows had errors; or no deal was scored (an empty input, a\n"
    "       header only, every row skipped or an error: -o FILE is then left as it\n"
    "       was, the first errors are named on standard error)\n"
    "  2    usage or setup error (an unreadable file, a bad model, mapping or policy,\n"
    "       a --server that cannot be reached); -o FILE is left as it was\n"
    "  3    the --server went away mid-run: the run stopped there, saying after how\n"
    "       many deals; -o FILE is left as it was (on standard output, the results\n"
    "       of the deals before it only, no row for the rest)\n"
    "  130, 143  interrupted by SIGINT or SIGTERM (128 + the signal): -o FILE is left\n"
    "       as it was and its temporary file removed\n";

enum { OPT_MAX_DEAL_MEMORY = 256, OPT_MAX_ACTIONS, OPT_MAX_QUESTIONS, OPT_QUESTIONS_EXACT };

#define SERVER_JOBS 8 /* connections to a --server: it answers on its own cores */

static int default_jobs(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > CLI_MAX_JOBS ? CLI_MAX_JOBS : (int)n;
}

/* The options of score alone; the shared ones are cli_parse()'s. */
static int score_option(void *ctx, int c, const char *arg) {
    score_options *o = ctx;
    switch (c) {
    case OPT_MAX_DEAL_MEMORY:
        if ((o->max_deal_memory = cli_parse_size(arg))) return 0;
        return cli_bad_value("score", "--max-deal-memory", "a size of 1M or more (e.g. 512M)", arg);
    case 'e':
        o->explain = true;
        return 0;
    case 'A':
        o->actions = true;
        return 0;
    case OPT_MAX_ACTIONS:
        o->actions = true;
        if ((o->max_actions = cli_parse_count(arg)) >= 0) return 0;
        return cli_bad_value("score", "--max-actions", "a count 0..1000", arg);
    case 'Q':
        o->questions = true;
        return 0;
    case OPT_QUESTIONS_EXACT:
        o->questions = o->questions_exact = true;
        return 0;
    case OPT_MAX_QUESTIONS:
        o->questions = true;
        if ((o->max_questions = cli_parse_count(arg)) >= 0) return 0;
        return cli_bad_value("score", "--max-questions", "a count 0..1000", arg);
    default:
        return -1;
    }
}

/* What a --server run cannot honour: the server scores with its own model,
 * policies and budgets, and answers one of the three additions per request. */
static int server_conflicts(const score_options *o) {
    const char *local = o->max_actions >= 0     ? "--max-actions"
                        : o->max_questions >= 0 ? "--max-questions"
                        : o->questions_exact    ? "--questions-exact"
                        : o->explain + o->actions + o->questions > 1
                            ? "two of --explain, --actions, --questions"
                            : NULL;
    if (!local) return 0;
    fprintf(stderr,
            "dealscore score: --server scores with the server's model, policies and budgets: "
            "%s cannot be given with it\n",
            local);
    return -1;
}

static const cli_format_name formats[] = {{"jsonl", CLI_FORMAT_JSONL},
                                          {"table", CLI_FORMAT_TABLE},
                                          {"csv", CLI_FORMAT_CSV},
                                          {"csv-sheet", CLI_FORMAT_CSV_SHEET},
                                          {NULL, 0}};

static int parse_options(int argc, char **argv, score_options *o, cli_shared *sh) {
    static const struct option longopts[] = {
        {"explain", no_argument, NULL, 'e'},
        {"actions", no_argument, NULL, 'A'},
        {"max-actions", required_argument, NULL, OPT_MAX_ACTIONS},
        {"questions", no_argument, NULL, 'Q'},
        {"max-questions", required_argument, NULL, OPT_MAX_QUESTIONS},
        {"questions-exact", no_argument, NULL, OPT_QUESTIONS_EXACT},
        {"max-deal-memory", required_argument, NULL, OPT_MAX_DEAL_MEMORY},
        {NULL, 0, NULL, 0}};
    const cli_spec spec = {.name = "score",
                           .usage = usage,
                           .shared = CLI_SH_MODEL | CLI_SH_AS_OF | CLI_SH_POLICY |
                                     CLI_SH_POLICY_FIELD | CLI_SH_BUDGETS | CLI_SH_JOBS |
                                     CLI_SH_FORMAT | CLI_SH_OUTPUT | CLI_SH_QUIET | CLI_SH_CSV |
                                     CLI_SH_SERVER,
                           .formats = formats,
                           .shortopts = "eAQ",
                           .longopts = longopts,
                           .own = score_option,
                           .ctx = o};
    if (cli_parse(&spec, argc, argv, sh) < 0) return -1;
    o->policy = sh->policy;
    o->model = sh->model;
    o->output = sh->output;
    o->format = sh->format;
    o->quiet = sh->quiet;
    o->jobs = sh->jobs ? sh->jobs : sh->server ? SERVER_JOBS : default_jobs();
    o->csv = &sh->csv;
    static cli_remote_options remote; /* for the whole run */
    if (sh->server &&
        (server_conflicts(o) < 0 || cli_remote_options_from(sh, "score", "score", &remote) < 0))
        return -1;
    o->remote = sh->server ? &remote : NULL;
    if ((o->explain || o->actions || o->questions) && o->format != CLI_FORMAT_JSONL) {
        fprintf(stderr,
                "dealscore score: %s shows only in --format jsonl; --format %s has no "
                "place for it\n",
                o->explain   ? "--explain"
                : o->actions ? "--actions"
                             : "--questions",
                o->format == CLI_FORMAT_TABLE ? "table"
                : o->format == CLI_FORMAT_CSV ? "csv"
                                              : "csv-sheet");
        return -1;
    }
    bool named = o->csv->deals != NULL;
    int is_csv = cli_csv_finish(o->csv, "score", optind + 1 == argc ? argv[optind] : NULL);
    if (is_csv < 0) return -1;
    cli_csv_messages(o->csv, o->quiet); /* -q: the notes too (the columns an export lacks) */
    if (is_csv && !named) optind++;     /* the operand FILE.csv is the deals file */
    if (!is_csv)
        o->csv = NULL;
    else
        o->csv->max_deal_memory =
            o->max_deal_memory ? o->max_deal_memory : DEALSCORE_DEAL_MEMORY_DEFAULT;
    if (o->csv && optind < argc) {
        fprintf(stderr, "dealscore score: --csv reads its files only; '%s' is one too many\n",
                argv[optind]);
        return -1;
    }
    return 0;
}

/* ---- JSON input ---- */

typedef struct json_input {
    cli_pipeline *pipeline;
} json_input;

static int on_deal(void *ctx, const char *text, size_t len, const char *where) {
    json_input *in = ctx;
    cli_pipeline_put(in->pipeline, text, len, where, (long long)len + 1);
    return 0;
}

/* Input that never became a deal (too long, a broken array): an error result. */
static int on_reject(void *ctx, const char *code, const char *message) {
    json_input *in = ctx;
    char buf[DEALSCORE_MESSAGE_MAX];
    dealscore_error e = dealscore_error_make(code, "$", message, buf, sizeof buf);
    cli_pipeline_put_error(in->pipeline, NULL, &e, 0);
    return 0;
}

static int read_input(cli_pipeline *p, const char *path, size_t max_deal_bytes) {
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "dealscore: %s: %s\n", path, strerror(errno));
        return -1;
    }
    json_input ctx = {p};
    dealscore_input in = {
        .deal = on_deal, .reject = on_reject, .ctx = &ctx, .max_deal_bytes = max_deal_bytes};
    int rc = dealscore_input_read(f, is_stdin ? "<stdin>" : path, &in);
    if (rc < 0) fprintf(stderr, "dealscore: %s: read error: %s\n", path, strerror(errno));
    if (!is_stdin) fclose(f);
    return rc;
}

/* The bytes to read when every input is a regular file (for the ETA), else 0. */
static long long input_size(int argc, char **argv) {
    long long total = 0;
    struct stat st;
    for (int i = optind; i < argc || (i == optind && i == argc); i++) {
        bool is_stdin = i == argc || strcmp(argv[i], "-") == 0;
        int rc = is_stdin ? fstat(STDIN_FILENO, &st) : stat(argv[i], &st);
        if (rc != 0 || !S_ISREG(st.st_mode)) return 0;
        total += st.st_size;
    }
    return total;
}

/* ---- CSV input ---- */

static int csv_deal(void *ctx, const char *text, size_t len, const char *where, long long bytes,
                    const dealscore_csv_origin *origin) {
    cli_pipeline_put_joined(ctx, text, len, where, bytes, origin);
    return 0;
}

static int csv_error(void *ctx, const char *id, const dealscore_error *err, long long bytes) {
    cli_pipeline_put_error(ctx, id, err, bytes);
    return 0;
}

/* ---- the command ---- */

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void summary(const cli_counts *c, const dealscore_csv_counts *rows, double seconds) {
    long total = c->scored + c->errors;
    char words[400];
    fprintf(stderr, "dealscore: %ld deals, %ld scored, %ld errors", total, c->scored, c->errors);
    if (cli_csv_summary(rows, words, sizeof words)[0]) fprintf(stderr, " (%s)", words);
    fprintf(stderr, " in %.2f s (%.0f deals/s)\n", seconds, seconds > 0 ? total / seconds : 0.0);
}

/* The files the run reads: the operands (or standard input), or the CSV files. */
static int inputs(const score_options *o, int argc, char **argv, const char **out, int max) {
    int n = 0;
    if (o->csv) {
        const char *csv[] = {o->csv->deals, o->csv->stakeholders, o->csv->relationships,
                             o->csv->contacts};
        for (int i = 0; i < 4; i++)
            if (csv[i] && n < max) out[n++] = csv[i];
    } else if (optind >= argc) {
        out[n++] = "-";
    }
    for (int i = optind; i < argc && n < max; i++) out[n++] = argv[i];
    return n;
}

/* Before anything is written: every input can be opened, and none is the
 * output, -o FILE or standard output (which would be destroyed while it is
 * read, or a pipe read back for ever). */
static int check_inputs(const score_options *o, int argc, char **argv) {
    const char *files[256];
    int n = inputs(o, argc, argv, files, 256);
    for (int i = 0; i < n; i++) {
        if (strcmp(files[i], "-") != 0 && access(files[i], R_OK) != 0) {
            fprintf(stderr, "dealscore score: %s: %s\n", files[i], strerror(errno));
            return -1;
        }
    }
    return cli_output_check("score", o->output, files, n);
}

/* The progress line is drawn on standard error when it is a terminal, unless
 * the results go to that same terminal, where it would be spliced into them. */
static bool want_progress(const score_options *o) {
    if (o->quiet || !isatty(STDERR_FILENO)) return false;
    if (o->output || !isatty(STDOUT_FILENO)) return true;
    struct stat out, err;
    return fstat(STDOUT_FILENO, &out) == 0 && fstat(STDERR_FILENO, &err) == 0 &&
           out.st_rdev != err.st_rdev;
}

static int score_all(const score_options *o, const dealscore_model *m, const char *as_of, FILE *out,
                     int argc, char **argv, cli_counts *counts, dealscore_csv_counts *rows) {
    dealscore_csv *csv = NULL;
    if (o->csv && !(csv = dealscore_csv_open(o->csv))) return -2;
    long long size = csv ? dealscore_csv_size(csv) : input_size(argc, argv);
    cli_pipeline *p = cli_pipeline_start(o, m, as_of, out, size);
    if (!p) {
        if (csv) dealscore_csv_close(csv);
        return -2;
    }
    if (o->format != CLI_FORMAT_JSONL) cli_format_header(out, o->format);
    int failed = 0;
    if (csv) {
        dealscore_csv_sink sink = {csv_deal, csv_error, p};
        failed |= dealscore_csv_run(csv, &sink, rows) < 0;
        dealscore_csv_close(csv);
    } else {
        size_t limit = o->max_deal_memory ? o->max_deal_memory : DEALSCORE_DEAL_MEMORY_DEFAULT;
        if (optind >= argc) failed |= read_input(p, "-", limit) < 0;
        for (int i = optind; i < argc; i++) failed |= read_input(p, argv[i], limit) < 0;
    }
    cli_pipeline_finish(p, counts);
    return failed ? -1 : 0;
}

/* A broken actions or questions section of the model is a setup error, said once
 * (each worker loads the section again for its own scorer). */
static int check_sections(const score_options *o, const dealscore_model *m) {
    char err[256];
    unsigned flags =
        (o->actions ? DEALSCORE_ACTIONS : 0) | (o->questions ? DEALSCORE_QUESTIONS : 0);
    if (dealscore_model_check(m, flags, err, sizeof err) == 0) return 0;
    fprintf(stderr, "dealscore score: %s\n", err);
    return -1;
}

/* Every deal an error: said even with -q, with the first errors, as -o FILE is
 * left as it was and they are then written nowhere else. */
static void note_all_errors(const score_options *o, const cli_counts *c) {
    const char *which = c->errors == 1  ? "The error:"
                        : c->errors > 5 ? "The first 5:"
                                        : "The errors:";
    if (c->errors == 1)
        fprintf(stderr, "dealscore score: no deal scored: the one deal had an error");
    else
        fprintf(stderr, "dealscore score: no deal scored: all %ld deals had errors", c->errors);
    if (o->output)
        fprintf(stderr, "; %s is left as it was. %s\n", o->output, which);
    else
        fprintf(stderr, " (see the results)\n");
    if (!o->output) return;
    for (const char *l = c->first_errors; *l;) {
        size_t n = strcspn(l, "\n");
        fprintf(stderr, "  %.*s\n", (int)n, l);
        l += n + (l[n] == '\n');
    }
}

/* The --server went away: how far the run got, and what became of the output. */
static void note_stopped(const score_options *o, const cli_counts *c) {
    fprintf(stderr,
            "dealscore score: %s; the run stopped after %ld deals (%ld scored, %ld errors)%s%s%s\n",
            c->stopped_message, c->scored + c->errors, c->scored, c->errors, o->output ? "; " : "",
            o->output ? o->output : "; the results written are theirs only",
            o->output ? " is left as it was" : "");
}

int cli_score(int argc, char **argv) {
    static cli_shared sh; /* the CSV options live as long as the run */
    score_options o = {.max_actions = -1, .max_questions = -1};
    if (parse_options(argc, argv, &o, &sh) < 0) return CLI_USAGE;
    if (check_inputs(&o, argc, argv) < 0) return CLI_USAGE;
    o.progress = want_progress(&o);
    dealscore_model *model = cli_load_model(o.model);
    if (!model) return CLI_USAGE;
    if (!o.remote &&
        (cli_policy_finish(&o.policy, "score", model) < 0 || check_sections(&o, model) < 0)) {
        dealscore_model_free(model);
        return CLI_USAGE;
    }
    cli_output output = {0};
    FILE *out = stdout;
    if (o.output) {
        if (cli_output_open(&output, "score", o.output) < 0) {
            dealscore_model_free(model);
            return CLI_USAGE;
        }
        out = output.f;
    }
    static char outbuf[1 << 16];
    setvbuf(out, outbuf, _IOFBF, sizeof outbuf);
    double start = now_seconds();
    cli_counts counts = {0};
    dealscore_csv_counts rows = {0};
    int rc = score_all(&o, model, sh.as_of_day, out, argc, argv, &counts, &rows);
    /* no deal scored (an empty export, a header only, every row skipped or an
     * error: a wrong --encoding or --date-format): last night's results are worth
     * more than a file that says nothing, or only errors. A run the --server left
     * half done is not a result either. */
    bool none = rc == 0 && !counts.stopped && counts.scored == 0;
    if ((rc < 0 || none || counts.stopped) && o.output) {
        cli_output_abort(&output);
    } else if (o.output) {
        if (cli_output_commit(&output, "score") < 0) rc = -1;
    } else if (fflush(out) != 0) {
        fprintf(stderr, "dealscore score: writing results: %s\n", strerror(errno));
        rc = -1;
    }
    if (rc != -2 && !o.quiet) summary(&counts, &rows, now_seconds() - start);
    if (!o.quiet) cli_note_undated("score", counts.undated);
    if (!o.quiet && counts.key_notes) fputs(counts.key_notes, stderr);
    free(counts.key_notes);
    if (rc < 0 && !o.quiet) /* a deals header without its id column: no result written */
        fprintf(stderr, "dealscore score: the run did not complete (see above)%s%s%s\n",
                o.output ? "; " : "", o.output ? o.output : "",
                o.output                             ? " is left as it was"
                : counts.scored + counts.errors == 0 ? "; no results were written"
                                                     : "; the results written are incomplete");
    if (o.format == CLI_FORMAT_CSV && cli_format_formula_cells() > 0 && !o.quiet)
        fprintf(stderr,
                "dealscore score: note: %ld CSV cells start with = + - @, a tab or a CR, which "
                "a spreadsheet runs as a formula; they are written as they are, for the CRM: "
                "--format csv-sheet writes them as text for a spreadsheet\n",
                cli_format_formula_cells());
    if (none && counts.errors == 0) cli_note_no_deals("score", "score", o.output);
    if (none && counts.errors > 0) note_all_errors(&o, &counts);
    if (rc == 0 && counts.stopped) note_stopped(&o, &counts);
    dealscore_model_free(model);
    if (rc < 0) return CLI_USAGE;
    if (counts.stopped) return CLI_STOPPED;
    return none || counts.errors || rows.row_errors ? CLI_DEAL_ERRORS : CLI_OK;
}
