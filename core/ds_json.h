/* ds_json.h: parsing deals with cJSON into the deal's arena.
 *
 * cJSON allocates every node with malloc. While ds_json_parse() runs, cJSON's
 * allocation hooks draw from the calling thread's deal arena instead, so a parsed
 * deal is released with the rest of the deal by ds_arena_reset() (never with
 * cJSON_Delete). Outside ds_json_parse() the hooks fall through to malloc/free. */
#ifndef DS_JSON_H
#define DS_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "ds_arena.h"

/* Installs the hooks; call once before any thread parses. */
void ds_json_init(void);
/* Parses exactly one JSON value (whitespace around it allowed). Returns NULL on a
 * syntax error, with *error_offset set to the byte where parsing stopped. */
cJSON *ds_json_parse(ds_arena *a, const char *text, size_t len, size_t *error_offset);
/* Why text[0..len) is not one JSON value, after ds_json_parse() failed at byte
 * `at` (0-based), as "not valid JSON (at byte N)" or, when the byte there is
 * not UTF-8, "not valid JSON: byte N is not UTF-8 (0xFC) ...", naming the line
 * when the text spans lines; into out (len bytes). */
void ds_json_describe_error(const char *text, size_t len, size_t at, char *out, size_t outlen);
/* The deal's id, when text is an object whose only fault is bytes that are not
 * UTF-8 and whose id is readable (a string of valid UTF-8 or a whole number):
 * the row of a Latin-1 deal still says which deal it is. In the arena; NULL
 * otherwise. */
const char *ds_json_salvage_id(ds_arena *a, const char *text, size_t len);
/* Offset of the first byte of s[0..len) that is not well-formed UTF-8, or len. */
size_t ds_utf8_invalid_at(const char *s, size_t len);
/* Drops, in place, every byte of the string s that is not well-formed UTF-8:
 * what a cut through a character leaves ("%.40s" of a name, a full buffer), so
 * a message quoting input stays valid UTF-8 and so valid JSON text. */
void ds_utf8_scrub(char *s);

#endif
