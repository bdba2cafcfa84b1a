/* cli_text.h: writing untrusted text (names, titles, ids from a CRM) for people.
 *
 * A stakeholder's name can hold anything a CRM accepts: escape sequences that
 * repaint a terminal, newlines that forge report lines, right-to-left overrides
 * that reorder what is shown, bytes that are not UTF-8. Everything the reports
 * print from a deal goes through cli_text_safe() first, which shows such
 * characters as visible escapes (\x1b, \u{202e}) instead of obeying them. */
#ifndef CLI_TEXT_H
#define CLI_TEXT_H

#include <stdbool.h>

#include "ds_buf.h"

enum cli_text_mode {
    CLI_TEXT_PLAIN,    /* terminal or pipe */
    CLI_TEXT_MARKDOWN, /* also escapes Markdown's punctuation, | included (tables) */
    CLI_TEXT_DOT       /* inside a Graphviz "quoted string": escapes " and \ */
};

/* Appends s (NULL appends nothing) made safe for mode. */
void cli_text_safe(ds_buf *b, const char *s, int mode);
/* Columns a (safe, UTF-8) string takes: one per code point. */
int cli_text_width(const char *s, int len);
/* Appends s made safe, cut to at most width columns (ending in "~" when cut) and
 * padded with spaces to width. */
void cli_text_cell(ds_buf *b, const char *s, int width, int mode);
/* Appends n copies of s. */
void cli_text_repeat(ds_buf *b, const char *s, int n);

/* ANSI colours, or "" when colour is off. */
typedef struct cli_colours {
    const char *reset, *bold, *dim, *red, *green, *yellow, *cyan;
} cli_colours;
/* Colour when on is true; colour is for terminals only (the caller decides with
 * cli_text_want_colour). */
cli_colours cli_text_colours(bool on);
/* true when stdout is a terminal, NO_COLOR is unset and TERM is not "dumb". */
bool cli_text_want_colour(void);

#endif
