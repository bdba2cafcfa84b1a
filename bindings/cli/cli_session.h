/* cli_session.h: what the per-deal commands (explain, map, diff) share.
 *
 * A session loads the model and the policy once, then scores the deals of a file
 * one at a time through the same dsl_scorer as `dealscore score`, and hands each
 * scored deal (its analysis and the policy's outcome) to a callback. */
#ifndef CLI_SESSION_H
#define CLI_SESSION_H

#include "cli.h"
#include "ds_idset.h"

typedef struct cli_session {
    const char *command; /* "explain", for messages */
    ds_params params;
    dsl_policy *policy;
    dsl_scorer scorer;
    ds_idset seen;
    bool open;
} cli_session;

typedef struct cli_session_options {
    const char *model, *policy, *as_of;
    bool actions;
    int max_actions; /* -1: the model's */
} cli_session_options;

/* Prints what went wrong and returns -1 (a setup error, exit status 2). */
int cli_session_open(cli_session *s, const char *command, const cli_session_options *o);
void cli_session_close(cli_session *s);

/* Called per deal: the scorer's last deal is valid (s->scorer.scored) or its error
 * line is in s->scorer.out. Return non-zero to stop. */
typedef int (*cli_session_fn)(cli_session *s, void *ctx, const char *where);

/* Scores each deal of path ("-": standard input), or only the deal whose id is
 * `id` when not NULL. Returns the number of deals handed to fn, or -1 when the
 * file cannot be read (message printed). */
long cli_session_each(cli_session *s, const char *path, const char *id, cli_session_fn fn,
                      void *ctx);

#endif
