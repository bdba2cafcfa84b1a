/* ds_seen.h: the deal ids of a batch and where each was first read.
 *
 * A repeated deal id is an error (duplicate_id), and the person fixing the
 * export needs both places: the line being reported and the line the id was
 * first read on. Per id the set keeps a 64-bit hash (as ds_idset.h: two ids share
 * one with a probability near n^2 / 2^65) and the first place, the file by number
 * and the line: 16 bytes an id, 32 at most with the table's free half. The file
 * names are kept once each (a batch reads a handful). */
#ifndef DS_SEEN_H
#define DS_SEEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct ds_seen {
    struct ds_seen_slot *slots;
    size_t count, mask;
    char **files; /* names the places refer to, by number (1-based) */
    size_t n_files;
} ds_seen;

/* Where an id was first read: file NULL and line 0 where the place did not say. */
typedef struct ds_seen_first {
    const char *file; /* valid until ds_seen_free */
    long line;
} ds_seen_first;

void ds_seen_init(ds_seen *s);
void ds_seen_free(ds_seen *s); /* and forgets every id: init'ed again */
/* Adds the id of a deal read at `where` ("FILE:LINE", "FILE:LINE element N",
 * "line N"; anything else gives no place). Returns 1 when the id was added
 * before, with where it was first read in *first; 0 when it is new; -1 when out
 * of memory (then the id is not added). */
int ds_seen_add(ds_seen *s, const char *id, const char *where, ds_seen_first *first);

#endif
