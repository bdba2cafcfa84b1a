/* ds_title.h: a stakeholder's function and level read from a job title or a
 * department, by a table of rules (models/titles.json, docs/csv.md).
 *
 * A CRM records titles ("VP, IT Infrastructure", "IT-Leiter", "DSI") but rarely
 * the function and seniority the model needs; a seller reads them off the title.
 * This is that reading, as data a team can extend: each rule lists phrases and
 * the function and/or level they mean. Titles and phrases are folded the same
 * way (lower case, accents dropped, punctuation between words ignored) and a
 * phrase matches whole words. Front ends (the CSV import, a service) call
 * ds_titles_infer() on a stakeholder object; what it sets is recorded in the
 * stakeholder's "inferred" object, so coverage and explain can tell it from
 * what the CRM said. */
#ifndef DS_TITLE_H
#define DS_TITLE_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct ds_titles ds_titles;

ds_titles *ds_titles_new(void);
void ds_titles_free(ds_titles *t);

/* Adds the rules of a table ({"rules": [{"match": [...], "function": ...,
 * "level": ...}], "replace": bool}). Rules added by a later call win over
 * earlier ones where both match the same words; "replace": true drops the rules
 * loaded before. Returns 0, or -1 with a message naming the key. */
int ds_titles_add(ds_titles *t, const cJSON *table, char *err, size_t errlen);
/* Reads a table from a JSON file and adds it; the message names the file. */
int ds_titles_add_file(ds_titles *t, const char *path, char *err, size_t errlen);

typedef struct ds_title_guess {
    int function; /* index in ds_function_names, or -1 when no rule says */
    int level;    /* index in ds_level_names, or -1 */
} ds_title_guess;

/* What the rules read from one title or department. For each of function and
 * level, the matching phrase that starts first in the text wins; at the same
 * start the one covering more words, then the one with more literal words (no
 * wildcard), then the later table, then the earlier rule. */
ds_title_guess ds_titles_match(const ds_titles *t, const char *text);

/* Fills a stakeholder object's missing "function" and "level" from its "title",
 * then its "department" (function only), and records each in its "inferred"
 * object: {"function": "title \"VP, IT Infrastructure\""}. A field already
 * present is never changed. Returns the number of fields set. */
int ds_titles_infer(const ds_titles *t, cJSON *stakeholder);

/* Folds text as the matcher sees it: lower-case ASCII words separated by one
 * space (accented Latin letters to their base letter, ß to ss, dots inside
 * words dropped). Returns the length written (truncated to outlen - 1). */
size_t ds_title_fold(const char *text, char *out, size_t outlen);

#endif
