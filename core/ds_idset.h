/* ds_idset.h: the deal ids seen in a batch, to report a repeated deal id.
 *
 * A nightly export can hold millions of deals, so the set keeps a 64-bit hash per
 * id rather than the id itself: 16 bytes a deal at most. Two different ids share a
 * hash with a probability near n^2 / 2^65 (3e-8 for a million deals). */
#ifndef DS_IDSET_H
#define DS_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ds_idset {
    uint64_t *slots; /* 0 = empty */
    size_t count, mask;
} ds_idset;

void ds_idset_init(ds_idset *s);
void ds_idset_free(ds_idset *s);
uint64_t ds_idset_hash(const char *id);
/* Adds the id's hash; returns true when it was already there. */
bool ds_idset_add(ds_idset *s, uint64_t hash);

#endif
