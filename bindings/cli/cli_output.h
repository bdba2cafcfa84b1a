/* cli_output.h: an output file that is never left half written.
 *
 * `-o FILE` writes into a temporary file beside FILE (same folder, so the same
 * file system) and renames it over FILE only when the run completed: a setup
 * error, a read error or a crash leaves last night's FILE as it was. An output
 * that is also one of the inputs is refused before anything is read, by device
 * and inode (not by name: `./x.jsonl`, a hard link or a symlink are the same
 * file). A FILE that exists and is not a regular file (/dev/null, a FIFO, a
 * terminal) is written directly, as it cannot be replaced. `-o -` is standard
 * output (cli_parse reads it as no -o), as input `-` is standard input.
 *
 * The replaced file's mode is kept, and its group where the user may give it
 * (else a warning). SIGINT, SIGTERM or SIGHUP while the temporary file is open
 * remove it, say "dealscore CMD: interrupted; FILE is left as it was" and end
 * the process by that signal (exit status 128 + N to a shell). */
#ifndef CLI_OUTPUT_H
#define CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

typedef struct cli_output {
    const char *target; /* as given */
    char *path;         /* the file to replace (a symlink's target), or NULL */
    char *tmp;          /* the temporary file, or NULL when writing directly */
    FILE *f;
    int armed; /* its slot for the signal handler (cli_output.c), or -1 */
} cli_output;

/* Opens the temporary file (or FILE itself, see above). Prints
 * "dealscore CMD: FILE: reason" and returns -1 on failure. */
int cli_output_open(cli_output *o, const char *command, const char *target);
/* Flushes, syncs and renames the temporary file over the target. Prints the
 * error and returns -1 (the target is then unchanged). */
int cli_output_commit(cli_output *o, const char *command);
/* Closes and removes the temporary file: the target stays as it was. */
void cli_output_abort(cli_output *o);

/* Whether output (a path, which need not exist; NULL: standard output) is the
 * same regular file or pipe as input ("-": standard input), by device and inode. */
bool cli_same_file(const char *output, const char *input);
/* Refuses an output (NULL: standard output) that is one of the n inputs (NULL
 * entries skipped; "-": standard input): "dealscore CMD: OUT is also an input
 * (IN) ..." or, for a pipe, that the run would never end. Returns -1 when
 * refused (message printed), else 0. */
int cli_output_check(const char *command, const char *output, const char *const *inputs, int n);

#endif
