/* cli_input.h: reading deals from files or stdin, one JSON text at a time.
 *
 * A file is either JSONL (one deal per line, blank lines skipped) or one JSON
 * array of deals; the first byte that is not whitespace (after a UTF-8 BOM)
 * decides. Neither is read whole: memory holds one deal at a time. */
#ifndef CLI_INPUT_H
#define CLI_INPUT_H

#include <stddef.h>
#include <stdio.h>

/* Called for each deal's text; `where` is "FILE:LINE" (or "FILE:LINE element N").
 * Return non-zero to stop reading. */
typedef int (*cli_deal_fn)(void *ctx, const char *text, size_t len, const char *where);

/* Reads every deal of one stream. Returns 0, or -1 on a read error (errno set). */
int cli_read_deals(FILE *f, const char *name, cli_deal_fn fn, void *ctx);

#endif
