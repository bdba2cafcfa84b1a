/* test_alloc.c: the tests' failing allocator; see test_alloc.h. */
#include "test_alloc.h"

#include <stdlib.h>

static void *alloc(void *ud, size_t size) {
    test_alloc *t = ud;
    if (t->countdown != 0 && --t->countdown == 0) return NULL;
    t->blocks++;
    return malloc(size);
}

static void release(void *ud, void *block) {
    (void)ud;
    free(block);
}

void test_alloc_install(test_alloc *t, ds_arena *a) {
    t->allocator = (ds_arena_allocator){alloc, release, t};
    ds_arena_free(a); /* blocks from malloc go back to free */
    a->allocator = &t->allocator;
    a->block_size = 1; /* a block per allocation: every one is counted */
}

void test_alloc_remove(test_alloc *t, ds_arena *a, size_t block_size) {
    (void)t;
    ds_arena_free(a);
    a->allocator = NULL;
    a->block_size = block_size;
}
