/* cli_explain.c: `dealscore explain`, a deal's score as a report a person reads.
 *
 * The command reads the deals, picks one with --id, and prints for each the
 * report the library writes (lib/dealscore_explain.c: the wording), in colour
 * only on a terminal, plain when piped, Markdown for a deal review document. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_format.h"
#include "cli_session.h"

static const char usage[] =
    "usage: dealscore explain [OPTIONS] FILE\n"
    "\n"
    "Explains the score of each deal of FILE (JSONL or a JSON array; '-' reads standard\n"
    "input), or of one deal with --id: the six scores with a bar each, the verdict and\n"
    "the reasons behind it, each score's largest factors in plain words, warnings with\n"
    "what to do about them, the stakeholders (role, effective influence, stated and\n"
    "predicted stance), the next best actions with their gain in viability, and the\n"
    "questions whose answers would move viability most (docs/questions.md): a deal\n"
    "with too little data (the warning low_coverage) starts with them.\n"
    "\n"
    "options:\n"
    "  -i, --id ID         explain only the deal with this id\n"
    "  -f, --format FMT    text (default) or markdown (for a deal review document)\n"
    "      --no-color      no colour even on a terminal (colour is never used when\n"
    "                      the output is not a terminal, or when NO_COLOR is set)\n"
    "      --max-actions N list at most N next best actions (default: the model's, 5)\n"
    "      --max-questions N\n"
    "                      list at most N questions (default: the model's, 5)\n"
    "      --questions-exact\n"
    "                      answer every question through the policy (as for\n"
    "                      dealscore score)\n"
    "  -h, --help          this text\n"
    "\n"
    "scoring options, as for dealscore score:\n" CLI_SESSION_HELP CLI_HELP_SERVER
    "                      (the service writes the same report; --max-actions and\n"
    "                      --max-questions are the server's model's)\n"
    "\n"
    "exit status: 0 every deal explained, 1 some deal could not be scored (or some input\n"
    "was not a deal), no deal has the id, or FILE holds no deal, 2 usage or setup\n"
    "error.\n";

/* Colour when standard output is a terminal, NO_COLOR is unset or empty and TERM
 * is not "dumb" (no-color.org); --no-color turns it off. */
static bool want_colour(void) {
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    if (no && *no) return false;
    if (term && strcmp(term, "dumb") == 0) return false;
    return isatty(STDOUT_FILENO);
}

typedef struct report {
    dealscore_explain_style style;
    long deals, errors;
} report;

/* ---- the command ---- */

static int explain_one(cli_session *s, void *ctx, const char *where) {
    report *r = ctx;
    if (s->result->error.code) {
        r->errors++;
        cli_print_unscored(stderr, "explain", where, &s->result->error);
        return 0;
    }
    size_t len = 0;
    const char *said = s->remote ? cli_remote_report(s->remote) : NULL;
    char *text = s->remote ? (said ? strdup(said) : NULL)
                           : dealscore_explain(s->engine, s->result, &r->style, &len);
    if (said && text) len = strlen(text);
    if (!text) {
        r->errors++;
        fprintf(stderr, "dealscore explain: %s: out of memory\n", where);
        return 0;
    }
    if (r->deals++)
        fputs(r->style.format == DEALSCORE_EXPLAIN_MARKDOWN ? "\n---\n\n" : "\n\n", stdout);
    fwrite(text, 1, len, stdout);
    free(text);
    return 0;
}

typedef struct explain_options {
    cli_session_options session;
    const char *id;
    int format;
    bool colour;
} explain_options;

static int explain_option(void *ctx, int c, const char *arg) {
    explain_options *o = ctx;
    switch (c) {
    case 'i':
        o->id = arg;
        return 0;
    case 'C':
        o->colour = false;
        return 0;
    case 'M':
        if ((o->session.max_actions = cli_parse_count(arg)) >= 0) return 0;
        return cli_bad_value("explain", "--max-actions", "a count 0..1000", arg);
    case 'X':
        o->session.questions_exact = true;
        return 0;
    case 'Q':
        if ((o->session.max_questions = cli_parse_count(arg)) >= 0) return 0;
        return cli_bad_value("explain", "--max-questions", "a count 0..1000", arg);
    }
    return 0;
}

static const cli_format_name formats[] = {{"text", DEALSCORE_EXPLAIN_TEXT},
                                          {"markdown", DEALSCORE_EXPLAIN_MARKDOWN},
                                          {"md", DEALSCORE_EXPLAIN_MARKDOWN},
                                          {NULL, 0}};

/* --server: the service writes the report, in the style this terminal takes. */
static int open_remote(cli_session *s, explain_options *o, const dealscore_explain_style *style) {
    if (o->session.max_actions >= 0 || o->session.max_questions >= 0) {
        fprintf(stderr, "dealscore explain: --server lists the server's model's count of actions "
                        "and questions: --max-actions and --max-questions cannot be given with "
                        "it\n");
        return -1;
    }
    if (o->session.questions_exact) {
        fprintf(stderr, "dealscore explain: --server answers questions as the server's model "
                        "says (questions.exact): --questions-exact cannot be given with it\n");
        return -1;
    }
    const char *format = style->format == DEALSCORE_EXPLAIN_MARKDOWN ? "markdown"
                         : style->colour                             ? "ansi"
                                                                     : "text";
    return cli_session_open_remote(s, "explain", &o->session, "explain", format);
}

int cli_explain(int argc, char **argv) {
    static const struct option longopts[] = {{"id", required_argument, NULL, 'i'},
                                             {"no-color", no_argument, NULL, 'C'},
                                             {"no-colour", no_argument, NULL, 'C'},
                                             {"max-actions", required_argument, NULL, 'M'},
                                             {"max-questions", required_argument, NULL, 'Q'},
                                             {"questions-exact", no_argument, NULL, 'X'},
                                             {NULL, 0, NULL, 0}};
    explain_options o = {
        .session = {.actions = true, .max_actions = -1, .questions = true, .max_questions = -1},
        .colour = want_colour()};
    const cli_spec spec = {.name = "explain",
                           .usage = usage,
                           .shared = CLI_SESSION_SHARED | CLI_SH_FORMAT | CLI_SH_SERVER,
                           .formats = formats,
                           .shortopts = "i:",
                           .longopts = longopts,
                           .own = explain_option,
                           .ctx = &o};
    if (cli_session_parse(&spec, 1, "one FILE", argc, argv, &o.session) < 0) return CLI_USAGE;
    o.format = o.session.sh.format;
    report r = {{o.format, o.colour && o.format != DEALSCORE_EXPLAIN_MARKDOWN}, 0, 0};
    cli_session s;
    if (o.session.sh.server ? open_remote(&s, &o, &r.style) < 0
                            : cli_session_open(&s, "explain", &o.session) < 0)
        return CLI_USAGE;
    long n = cli_session_each(&s, argv[optind], o.id, explain_one, &r);
    long s_rejected = s.rejected;
    cli_session_close(&s);
    if (n < 0) return CLI_USAGE;
    if (o.id && n == 0) {
        fprintf(stderr, "dealscore explain: no deal with id '%s' in %s\n", o.id, argv[optind]);
        return CLI_DEAL_ERRORS;
    }
    if (n == 0) {
        fprintf(stderr, "dealscore explain: %s holds no deal\n", argv[optind]);
        return CLI_DEAL_ERRORS;
    }
    return r.errors || s_rejected ? CLI_DEAL_ERRORS : CLI_OK;
}
