/* cli_input.h: reading deals from files or stdin, one JSON text at a time.
 *
 * A stream is JSONL (one deal per line, blank lines skipped) or one JSON array of
 * deals; the first byte that is not whitespace (after a UTF-8 BOM) decides. What
 * follows the array's closing ']' is read as JSONL, so `cat export.json
 * more.jsonl` works and nothing after an array is lost; a later line that is an
 * array is one bad deal (bad_type), as in a JSONL file. Neither form is read
 * whole: memory holds one deal at a time.
 *
 * Broken input costs the broken part only. An array is broken when a line ends
 * inside a string (JSON strings cannot hold a raw line break), when an element is
 * followed by anything but ',' or ']', when an element is missing (`[1,,2]`,
 * `[1,]`), or when the input ends before its ']'. The element being read is then
 * rejected (bad_json, naming its line), and reading goes on from the line after
 * the one where that element started, salvaging deals line by line: a line that
 * begins with '{' is read as a deal (a ',' or ']' ending it is taken as the
 * array's punctuation), the other lines are taken as the rest of the broken array
 * and skipped. So a deal on its own line after a broken array is never lost, a
 * one-deal-per-line array recovers after its broken element, and the work stays
 * linear in the input. A deal longer than the limit is skipped without being held
 * in memory and rejected (too_large). */
#ifndef CLI_INPUT_H
#define CLI_INPUT_H

#include <stddef.h>
#include <stdio.h>

/* Called for each deal's text; `where` is "FILE:LINE" (or "FILE:LINE element N").
 * Return non-zero to stop reading. */
typedef int (*cli_deal_fn)(void *ctx, const char *text, size_t len, const char *where);
/* Called for input that is not a deal: code is "bad_json" or "too_large", the
 * message starts with "FILE:LINE". Return non-zero to stop reading. */
typedef int (*cli_reject_fn)(void *ctx, const char *code, const char *message);

typedef struct cli_input {
    cli_deal_fn deal;
    cli_reject_fn reject;
    void *ctx;
    size_t max_deal_bytes; /* longest deal text accepted; 0 = no limit */
} cli_input;

/* Reads every item of one stream. Returns 0, or -1 on a read error (errno set). */
int cli_input_read(FILE *f, const char *name, const cli_input *in);

/* The same without a limit; rejected input reaches fn as an empty text with the
 * reason as `where`. */
int cli_read_deals(FILE *f, const char *name, cli_deal_fn fn, void *ctx);

#endif
