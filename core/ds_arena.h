/* ds_arena.h: one arena per deal.
 *
 * Everything the engine allocates while decoding and scoring one deal comes from
 * an arena and is released in one place, ds_arena_reset(), when the deal is done.
 * A worker keeps its arena across deals, so after the first few deals scoring
 * allocates nothing from malloc at all. */
#ifndef DS_ARENA_H
#define DS_ARENA_H

#include <stddef.h>

typedef struct ds_arena_block ds_arena_block;

/* Where blocks come from: malloc and free unless an arena is given its own (the
 * tests' allocator, tests/unit/test_alloc.h, refuses chosen blocks; an embedder
 * may count or pool them). Called once per block, never per allocation. */
typedef struct ds_arena_allocator {
    void *(*alloc)(void *ud, size_t size); /* NULL: refused */
    void (*free)(void *ud, void *block);
    void *ud;
} ds_arena_allocator;

typedef struct ds_arena {
    ds_arena_block *head; /* current block, newest first */
    size_t block_size;    /* size of the next ordinary block */
    size_t limit;         /* bytes the arena may hold at most, 0 = no limit */
    size_t used;          /* bytes held in blocks now */
    /* Set when an allocation was refused (malloc failed or the limit was reached)
     * since the last reset: tells "out of memory" apart from other failures of
     * code that only sees a NULL, such as the JSON parser. */
    int exhausted;
    const ds_arena_allocator *allocator; /* NULL: malloc and free */
} ds_arena;

void ds_arena_init(ds_arena *a, size_t block_size);
/* Returns NULL when malloc fails or the limit would be passed. Memory is zeroed. */
void *ds_arena_alloc(ds_arena *a, size_t size);
/* The same without zeroing, for callers that initialise everything themselves. */
void *ds_arena_alloc_raw(ds_arena *a, size_t size);
/* At least min bytes (counted, limited and refused as ds_arena_alloc_raw(a, min)),
 * and with them the rest of the block they come from: *got says how many. For a
 * caller that carves many small pieces itself (cJSON's nodes while a deal is
 * parsed); what it does not use it gives back with ds_arena_release(). */
void *ds_arena_alloc_rest(ds_arena *a, size_t min, size_t *got);
char *ds_arena_strdup(ds_arena *a, const char *s);
/* head then tail, as one string (ds_arena_printf's "%s%s" without its cost) */
char *ds_arena_strcat(ds_arena *a, const char *head, const char *tail);
char *ds_arena_printf(ds_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A point to come back to: ds_arena_release() forgets everything allocated after
 * ds_arena_mark_now(), so trying many variants of one deal (next best actions)
 * needs the memory of one variant, not of all of them. Freed blocks leave `used`,
 * so the limit counts only what is held. `exhausted` stays set: an allocation a
 * variant was refused still makes the deal out of memory. */
typedef struct ds_arena_mark {
    ds_arena_block *block;
    size_t used;
} ds_arena_mark;
ds_arena_mark ds_arena_mark_now(ds_arena *a);
void ds_arena_release(ds_arena *a, ds_arena_mark m);
/* Forgets every allocation but keeps the first block for the next deal when it
 * is of the ordinary size (a deal's one huge allocation is given back); clears
 * `exhausted`. */
void ds_arena_reset(ds_arena *a);
void ds_arena_free(ds_arena *a);

#endif
