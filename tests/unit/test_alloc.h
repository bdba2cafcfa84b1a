/* test_alloc.h: the tests' allocator, which refuses the allocation asked for.
 *
 * As Lua's test suite runs the interpreter over an allocator that fails on
 * purpose (ltests.c), this one is compiled into the tests only: the production
 * arena (core/ds_arena.c) knows nothing of fault injection, it only takes its
 * blocks from an allocator (ds_arena_allocator). Installed on an arena, it makes
 * every arena allocation take a block of its own (block size 1), so that counting
 * blocks counts allocations, and refuses the one that brings the countdown to
 * zero, as if memory had run out there. */
#ifndef TEST_ALLOC_H
#define TEST_ALLOC_H

#include "ds_arena.h"

typedef struct test_alloc {
    ds_arena_allocator allocator;
    /* when nonzero, counted down per block; the block that brings it to zero is
     * refused (then it stays zero: only that one) */
    unsigned long countdown;
    unsigned long blocks; /* blocks handed out, in all */
} test_alloc;

/* Gives the arena t's blocks; frees what the arena holds first, so that the
 * first allocation after it is counted too. */
void test_alloc_install(test_alloc *t, ds_arena *a);
/* Back to malloc, ordinary blocks of block_size. */
void test_alloc_remove(test_alloc *t, ds_arena *a, size_t block_size);

#endif
