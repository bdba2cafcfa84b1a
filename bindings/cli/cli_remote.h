/* cli_remote.h: scoring on a running `dealscore serve` instead of locally.
 *
 * `dealscore score --server HOST:PORT` keeps everything of a local run (input
 * readers, CSV joins, the in-order writer, the duplicate check, formats, the
 * summary, exit codes) and replaces only the engine call: each pipeline worker
 * holds one connection and sends each deal's bytes as they were read, with the
 * name the local run gives it ("deals.jsonl:17"), so the server's answer is the
 * line local scoring prints (docs/protocol.md, "text" requests). */
#ifndef CLI_REMOTE_H
#define CLI_REMOTE_H

#include <stddef.h>

#include "dealscore.h"

typedef struct cli_remote cli_remote;

/* Splits HOST:PORT ([v6]:PORT; :PORT is localhost here) into host and port.
 * Returns 0, or -1 when it is not of that form. */
int cli_remote_address(const char *arg, char *host, size_t hostlen, char *port, size_t portlen);

/* Connects (host names resolved) and checks the server answers. op: "score",
 * "explain", "actions" or "questions". NULL with err set when it cannot. */
cli_remote *cli_remote_open(const char *server, const char *op, char *err, size_t errlen);
void cli_remote_close(cli_remote *r); /* NULL is a no-op */

/* Scores one deal's text on the server: *line (len *line_len, no newline) is its
 * result line and *result the same, typed (valid until the next call). Returns
 * 0, or -1 when the server is gone: *result is then an error result saying so. */
int cli_remote_score(cli_remote *r, const char *text, size_t len, const char *where,
                     const char **line, size_t *line_len, dealscore_result *result);

#endif
