/* cli_remote.h: scoring on a running `dealscore serve` instead of locally.
 *
 * `dealscore score --server HOST:PORT` keeps everything of a local run (input
 * readers, CSV joins, the in-order writer, the duplicate check, formats, the
 * summary, exit codes) and replaces only the engine call: each pipeline worker
 * holds one connection and sends each deal's bytes as they were read, with the
 * name the local run gives it ("deals.jsonl:17"), so the server's answer is the
 * line local scoring prints (docs/protocol.md, "text" requests). `explain` and
 * `check` do the same with the service's report and check answers. With --tls
 * the connection is TLS (OpenSSL, as the server), the server's certificate
 * checked against the system's authorities or --tls-ca, and its host name. */
#ifndef CLI_REMOTE_H
#define CLI_REMOTE_H

#include <stdbool.h>
#include <stddef.h>

#include <stdio.h>

#include "cli_opts.h"
#include "dealscore.h"

typedef struct cli_remote cli_remote;

/* Where and how to reach the service, and what to ask of it. */
typedef struct cli_remote_options {
    const char *server; /* HOST:PORT */
    const char *op;     /* "score", "explain", "actions", "questions" or "check" */
    const char *format; /* op explain's: "text", "ansi", "markdown"; NULL: the result */
    const char *policy; /* the server's policy to score with; NULL: its default */
    bool tls;
    const char *tls_ca;     /* PEM file of the authorities to trust; NULL: the system's */
    const char *token_file; /* the token on its first line, sent with every request */
} cli_remote_options;

/* The options of a command run with --server, from the shared ones: --policy
 * NAME picks the server's policy. What only a local run can honour (--model,
 * --as-of, the budgets, --policy-field, NAME=FILE or two --policy) is a usage
 * error: printed, -1. */
int cli_remote_options_from(const cli_shared *sh, const char *command, const char *op,
                            cli_remote_options *o);

/* Splits HOST:PORT ([v6]:PORT; :PORT is localhost here) into host and port.
 * Returns 0, or -1 when it is not of that form. */
int cli_remote_address(const char *arg, char *host, size_t hostlen, char *port, size_t portlen);

/* Connects (host names resolved; TLS when asked), checks the server answers and
 * has the policy asked for. NULL with err set when it cannot. */
cli_remote *cli_remote_open(const cli_remote_options *o, char *err, size_t errlen);
void cli_remote_close(cli_remote *r); /* NULL is a no-op */

/* Scores one deal's text on the server: *line (len *line_len, no newline) is the
 * answer line and *result the result, typed (valid until the next call). Returns
 * 0, or -1 when the server is gone: *result is then an error result saying so. */
int cli_remote_score(cli_remote *r, const char *text, size_t len, const char *where,
                     const char **line, size_t *line_len, dealscore_result *result);

/* Sends {"op":OP,MEMBERS} (MEMBERS: the caller's JSON object members, len
 * bytes) with the policy and token added, and reads its answer: *line (len
 * *line_len, no newline), valid until the next call. Returns 0, or -1 when the
 * connection ended (cli_remote_message says so). */
int cli_remote_call(cli_remote *r, const char *op, const char *members, size_t len,
                    const char **line, size_t *line_len);

/* Writes len bytes as a JSON string (a deal as it was read: NUL bytes and
 * bytes that are not JSON included, for the service to score as they are). */
void cli_json_bytes(FILE *f, const char *s, size_t len);

/* Of the latest answer: the report of an explain with a format (NULL when the
 * answer has none: an error), and whether the deal has contact dates but no
 * as_of (the server's engine counted it undated). */
const char *cli_remote_report(const cli_remote *r);
bool cli_remote_undated(const cli_remote *r);
/* Of the latest check answer: the size of the server's Lua state, bytes. */
double cli_remote_lua_memory(const cli_remote *r);

/* The server's policy `name` (NULL: its default), from op policies: label and
 * file, and whether it has an actions() of its own. -1 when there is none. */
int cli_remote_policy(cli_remote *r, const char *name, char *label, size_t label_len, char *file,
                      size_t file_len, bool *custom_actions);
/* Why the latest call failed. */
const char *cli_remote_message(const cli_remote *r);

#endif
