/* dealscore_text.h: writing untrusted text (names, titles, ids from a CRM) for people.
 *
 * A stakeholder's name can hold anything a CRM accepts: escape sequences that
 * repaint a terminal, newlines that forge report lines, right-to-left overrides
 * that reorder what is shown, bytes that are not UTF-8. Everything the reports
 * print from a deal goes through dealscore_text_safe() first (explain in lib/, map and
 * diff in the CLI), which shows such
 * characters as visible escapes (\x1b, \u{202e}) instead of obeying them. */
#ifndef DEALSCORE_TEXT_H
#define DEALSCORE_TEXT_H

#include <stdbool.h>

#include "ds_buf.h"

enum dealscore_text_mode {
    DEALSCORE_TEXT_PLAIN,    /* terminal or pipe */
    DEALSCORE_TEXT_MARKDOWN, /* also escapes Markdown's punctuation, | included (tables) */
    DEALSCORE_TEXT_DOT       /* inside a Graphviz "quoted string": escapes " and \ */
};

/* Appends s (NULL appends nothing) made safe for mode. */
void dealscore_text_safe(ds_buf *b, const char *s, int mode);
/* Columns a (safe, UTF-8) string takes: one per code point. */
int dealscore_text_width(const char *s, int len);
/* Appends s made safe, cut to at most width columns (ending in "~" when cut) and
 * padded with spaces to width. */
void dealscore_text_cell(ds_buf *b, const char *s, int width, int mode);
/* Appends n copies of s. */
void dealscore_text_repeat(ds_buf *b, const char *s, int n);

/* ANSI colours, or "" when colour is off. */
typedef struct dealscore_colours {
    const char *reset, *bold, *dim, *red, *green, *yellow, *cyan;
} dealscore_colours;
/* Colour when on is true; colour is for terminals only (the front end decides:
 * dealscore_explain_style.colour). */
dealscore_colours dealscore_text_colours(bool on);

#endif
