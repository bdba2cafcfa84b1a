/* cli_diff.c: `dealscore diff OLD NEW`, what changed between two pipeline exports.
 *
 * Stakeholder management is tracking: the gap between what was asked and what is
 * now wanted. Each side is a deal export (scored here, with the same model and
 * policy) or a result export of `dealscore score`; a line is recognised by its
 * keys, so both kinds may even be mixed. Deals are matched by id. Per deal: the
 * change of each score and of the verdict, stakeholders who appeared, left or
 * moved in stance, and warnings that are new (stale contacts, expectation gaps)
 * or resolved. Deals on one side only are added or removed. Output is JSONL, one
 * line per deal, NEW's order first, then the removed deals in OLD's order.
 *
 * The comparison and its JSON and text are the library's (dealscore_diff in
 * lib/dealscore.h, which the service's diff operation uses too); this file reads
 * the two files, reports what could not be read and prints. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dealscore.h"
#include "cli_session.h"

static const char usage[] =
    "usage: dealscore diff [OPTIONS] OLD NEW\n"
    "\n"
    "Compares two exports of the same pipeline, deal by deal (matched by id). Each file\n"
    "is a deal export (JSONL or a JSON array; scored here with the model and policy) or\n"
    "the results of `dealscore score` (with --explain, results also carry stakeholders).\n"
    "For each deal: the change of every score and of the verdict, stakeholders who\n"
    "appeared, left or moved in stance, and warnings that are new or resolved: stale\n"
    "contacts (stale:<id>), expectation gaps (expectation_gap:<id>, from deal exports:\n"
    "a stakeholder whose expectation_gap reaches the policy's expectation_gap_min),\n"
    "unmapped IT or users. Deals in one file only are listed as added or removed.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT    jsonl (default: one JSON object per deal) or text (changes\n"
    "                      only, for a person)\n"
    "      --min-move X    smallest change of stated or predicted stance that counts as\n"
    "                      a move (default 0.1)\n"
    "  -h, --help          this text\n"
    "\n"
    "scoring options for deal exports, as for dealscore score:\n" CLI_SESSION_HELP
    "  OLD and NEW CSV deals are joined with the same --stakeholders and --contacts\n"
    "  files: to compare two nights each with its own contacts, `dealscore convert`\n"
    "  each night to JSONL and diff those (docs/csv.md).\n"
    "\n"
    "exit status: 0 compared, 1 some deals could not be scored or read (they are listed\n"
    "with their error), or OLD or NEW holds no deal (nothing is compared then: every\n"
    "deal would show as added or removed), 2 usage or setup error.\n";

typedef struct diff_run {
    cli_session *session;
    dealscore_diff *diff;
    int side; /* DEALSCORE_DIFF_OLD or _NEW, being read */
    double min_move;
    bool text;
    long errors;
    long lines[2]; /* deal lines read on each side (DEALSCORE_DIFF_OLD, _NEW) */
} diff_run;

static int on_line(void *ctx, const char *text, size_t len, const char *where) {
    diff_run *r = ctx;
    const dealscore_diff_deal *deal;
    r->lines[r->side == DEALSCORE_DIFF_NEW]++;
    int rc = dealscore_diff_add(r->diff, r->side, text, len, where, &deal);
    if (rc < 0) {
        fprintf(stderr, "dealscore diff: out of memory\n");
        return 1;
    }
    if (deal->error) {
        r->errors++;
        fprintf(stderr, "dealscore diff: %s: deal %s cannot be scored (%s)\n", where,
                deal->id ? deal->id : "without an id", deal->error);
    }
    if (rc == DEALSCORE_DIFF_REPEATED) {
        r->errors++;
        fprintf(stderr,
                "dealscore diff: %s: deal id %s repeats an earlier one: the first is kept\n", where,
                deal->id);
    }
    return 0;
}

/* Input that never became a deal (too long, broken JSON): it has no id to match. */
static int on_reject(void *ctx, const char *code, const char *message) {
    diff_run *r = ctx;
    r->errors++;
    fprintf(stderr, "dealscore diff: %s (%s)\n", message, code);
    return 0;
}

static int read_side(diff_run *r, int side, const char *path) {
    r->side = side;
    return cli_session_read(r->session, path, on_line, on_reject, r);
}

/* Prints each change as it comes (a deal at a time), in the format asked for. */
static int print_changes(diff_run *r) {
    const dealscore_diff_change *c;
    while ((c = dealscore_diff_next(r->diff))) {
        size_t len;
        const char *out =
            r->text ? dealscore_diff_text(r->diff, c, &len) : dealscore_diff_json(r->diff, c, &len);
        if (!out) break;
        fwrite(out, 1, len, stdout);
        if (!r->text) putchar('\n');
    }
    if (r->text) {
        size_t len;
        const char *out = dealscore_diff_summary(r->diff, &len);
        if (out) fwrite(out, 1, len, stdout);
    }
    return 0;
}

/* A side without a deal (an empty export, a header only) would list every deal
 * of the other as added or removed: a broken export, not a change. */
static int no_deals(const diff_run *r, const char *old, const char *new) {
    for (int i = 0; i < 2; i++)
        if (!r->lines[i])
            fprintf(stderr,
                    "dealscore diff: %s %s holds no deal (an empty export, a header only, or "
                    "no usable row): nothing compared\n",
                    i ? "NEW" : "OLD", i ? new : old);
    return CLI_DEAL_ERRORS;
}

static int diff_option(void *ctx, int c, const char *arg) {
    diff_run *r = ctx;
    if (c != 'v' || cli_number(arg, 0, 0, 2, &r->min_move)) return 0;
    return cli_bad_value("diff", "--min-move", "a number 0..2", arg);
}

static const cli_format_name formats[] = {{"jsonl", 0}, {"text", 1}, {NULL, 0}};

int cli_diff(int argc, char **argv) {
    static const struct option longopts[] = {{"min-move", required_argument, NULL, 'v'},
                                             {NULL, 0, NULL, 0}};
    cli_session_options so = {.max_actions = -1};
    diff_run r = {.min_move = 0.1};
    const cli_spec spec = {.name = "diff",
                           .usage = usage,
                           .shared = CLI_SESSION_SHARED | CLI_SH_FORMAT,
                           .formats = formats,
                           .longopts = longopts,
                           .own = diff_option,
                           .ctx = &r};
    if (cli_session_parse(&spec, 2, "two files, OLD and NEW", argc, argv, &so) < 0)
        return CLI_USAGE;
    r.text = so.sh.format == 1;
    if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0) {
        fprintf(stderr, "dealscore diff: only one of OLD and NEW can be standard input\n");
        return CLI_USAGE;
    }
    cli_session s;
    if (cli_session_open(&s, "diff", &so) < 0) return CLI_USAGE;
    /* ids repeat across the two sides, each side checks its own; no explain */
    dealscore_engine_set_flags(s.engine, 0, NULL, 0);
    r.session = &s;
    r.diff = dealscore_diff_new(s.engine, r.min_move);
    if (!r.diff) {
        fprintf(stderr, "dealscore diff: out of memory\n");
        cli_session_close(&s);
        return CLI_USAGE;
    }
    int rc = CLI_OK;
    if (read_side(&r, DEALSCORE_DIFF_OLD, argv[optind]) < 0 ||
        read_side(&r, DEALSCORE_DIFF_NEW, argv[optind + 1]) < 0)
        rc = CLI_USAGE;
    else if (!r.lines[0] || !r.lines[1])
        rc = no_deals(&r, argv[optind], argv[optind + 1]);
    else
        print_changes(&r);
    if (rc == CLI_OK && r.errors) rc = CLI_DEAL_ERRORS;
    if (fflush(stdout) != 0) rc = CLI_USAGE;
    dealscore_diff_free(r.diff);
    cli_session_close(&s);
    return rc;
}
