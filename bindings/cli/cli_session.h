/* cli_session.h: what the per-deal commands (explain, map, diff) share.
 *
 * A session loads the model and opens the policy set once (--policy [NAME=]FILE,
 * with the sandbox and budgets of `dealscore score`), then reads a file through
 * the bounded input reader (dealscore_input.h) and scores its deals one at a time
 * through an engine as `dealscore score` does, handing each result to a
 * callback. */
#ifndef CLI_SESSION_H
#define CLI_SESSION_H

#include "cli.h"
#include "cli_csv.h"
#include "cli_remote.h"
#include "dealscore.h"

typedef struct cli_session {
    const char *command; /* "explain", for messages */
    dealscore_model *model;
    dealscore_engine *engine;       /* with its own policy set */
    const dealscore_result *result; /* the latest deal's, the engine's */
    long rejected;                  /* input that never became a deal (too long, broken JSON) */
    bool open, quiet;               /* quiet: no as_of notice */
    const cli_csv_options *csv;     /* how CSV deals are read */
    dealscore_csv_counts rows;      /* what CSV reading skipped or could not use */
    /* with --server (cli_session_open_remote): the service scores, engine is NULL */
    cli_remote *remote;
    dealscore_result remote_result; /* result points here */
    const char *line;               /* the latest answer line (NULL for a duplicate) */
    size_t line_len;
    dealscore_ids *seen; /* the ids of the deals validated: the batch's duplicate check */
    long undated;        /* answers marked undated */
    char dup_message[256];
} cli_session;

typedef struct cli_session_options {
    cli_shared sh; /* --model, --as-of, --policy and its budgets, -q, the CSV trio */
    bool actions;
    int max_actions; /* -1: the model's */
    bool questions;
    int max_questions;    /* -1: the model's */
    bool questions_exact; /* every answer through the policy (docs/questions.md) */
} cli_session_options;

/* The shared options every session command takes (cli_opts.h), and the
 * matching part of the --help text. */
#define CLI_SESSION_SHARED                                                                         \
    (CLI_SH_MODEL | CLI_SH_AS_OF | CLI_SH_POLICY | CLI_SH_POLICY_FIELD | CLI_SH_BUDGETS |          \
     CLI_SH_QUIET | CLI_SH_CSV)
#define CLI_SESSION_HELP                                                                           \
    CLI_HELP_MODEL CLI_POLICY_HELP CLI_HELP_AS_OF                                                  \
        "  -q, --quiet         no notices on standard error (deals without as_of, a CSV\n"         \
        "                      export's columns); errors are still reported\n"                     \
        "\n"                                                                                       \
        "CSV deals (a FILE ending in .csv or .tsv, or --csv FILE; see "                            \
        "docs/csv.md):\n" CLI_CSV_HELP

/* Parses argv: the shared options into o->sh, the command's own through
 * spec->own (spec->shared is CLI_SESSION_SHARED, maybe with CLI_SH_FORMAT);
 * -h prints the usage and exits 0. `files` operands are needed (files_said:
 * "one FILE", for the message). Returns 0, or -1 on a usage error (message
 * printed); the files are then argv[optind...]. */
int cli_session_parse(const cli_spec *spec, int files, const char *files_said, int argc,
                      char **argv, cli_session_options *o);

/* Prints what went wrong and returns -1 (a setup error, exit status 2). */
int cli_session_open(cli_session *s, const char *command, cli_session_options *o);
/* The same with --server: deals go to the service as op `op` (with `format`);
 * the callback finds each answer in s->result (typed), s->line and, for a
 * report, cli_remote_report(s->remote). Ids repeated in the input are
 * duplicate_id errors, as the local engine gives them. */
int cli_session_open_remote(cli_session *s, const char *command, cli_session_options *o,
                            const char *op, const char *format);
void cli_session_close(cli_session *s);

/* Called per deal, with its result in s->result. Return non-zero to stop. */
typedef int (*cli_session_fn)(cli_session *s, void *ctx, const char *where);

/* Scores each deal of path ("-": standard input), or only the deal whose id is
 * `id` when not NULL. Input that never became a deal is named on standard error
 * and counted in s->rejected (the caller's exit status should say so).
 * Returns the number of deals handed to fn, or -1 when the file cannot be read
 * (message printed). */
long cli_session_each(cli_session *s, const char *path, const char *id, cli_session_fn fn,
                      void *ctx);

/* Reads path ("-": standard input) through dealscore_input_read with the session's
 * limit of one deal's size, for a command that looks at each text itself.
 * Returns 0, or -1 when the file cannot be read (message printed). */
int cli_session_read(cli_session *s, const char *path, dealscore_deal_fn deal,
                     dealscore_reject_fn reject, void *ctx);

#endif
