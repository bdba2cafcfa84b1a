/* test_arena.c: the per-deal bump allocator (ds_arena.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "test_alloc.h"

static bool all_zero(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

static void alloc_is_zeroed(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 1024);
    unsigned char *p = ds_arena_alloc(&a, 500);
    assert_non_null(p);
    assert_true(all_zero(p, 500));
    memset(p, 0xAB, 500);
    ds_arena_reset(&a);
    /* the same memory comes back after a reset, and must be zeroed again */
    unsigned char *q = ds_arena_alloc(&a, 500);
    assert_ptr_equal(p, q);
    assert_true(all_zero(q, 500));
    ds_arena_free(&a);
}

static void alignment(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 256);
    for (size_t size = 1; size < 300; size += 7) {
        void *p = ds_arena_alloc(&a, size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        double *d = ds_arena_alloc(&a, sizeof(double));
        assert_int_equal((uintptr_t)d % _Alignof(double), 0);
        *d = 1.5;
    }
    ds_arena_free(&a);
}

/* Allocations never overlap: each keeps its own pattern. */
static void no_overlap(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 512);
    unsigned char *ptr[200];
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(i % 37) + 1;
        ptr[i] = ds_arena_alloc(&a, n);
        assert_non_null(ptr[i]);
        memset(ptr[i], i, n);
    }
    for (int i = 0; i < 200; i++)
        for (size_t k = 0; k < (size_t)(i % 37) + 1; k++) assert_int_equal(ptr[i][k], i & 0xff);
    ds_arena_free(&a);
}

static void reset_keeps_working(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 1024);
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 100; i++) { /* many blocks' worth */
            char *p = ds_arena_alloc(&a, 100);
            assert_non_null(p);
            memset(p, 'x', 100);
        }
        assert_true(a.used > 1024);
        ds_arena_reset(&a);
        assert_int_equal(a.used, 1024); /* only the first block is kept */
        assert_int_equal(a.exhausted, 0);
    }
    char *s = ds_arena_strdup(&a, "hello");
    assert_string_equal(s, "hello");
    char *f = ds_arena_printf(&a, "%s-%d", "deal", 42);
    assert_string_equal(f, "deal-42");
    ds_arena_free(&a);
    assert_int_equal(a.used, 0);
}

static void large_allocation(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 1024);
    size_t big = (size_t)4 << 20;
    unsigned char *p = ds_arena_alloc(&a, big);
    assert_non_null(p);
    assert_true(all_zero(p, big));
    p[0] = p[big - 1] = 1;
    /* small allocations keep working after the large one */
    char *q = ds_arena_alloc(&a, 16);
    assert_non_null(q);
    assert_true(q < (char *)p || q >= (char *)p + big);
    ds_arena_free(&a);
}

static void limit_returns_null(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 1024);
    a.limit = 4096;
    assert_non_null(ds_arena_alloc(&a, 100));
    assert_null(ds_arena_alloc(&a, 8192)); /* over the limit by itself */
    assert_int_equal(a.exhausted, 1);
    assert_true(a.used <= a.limit);
    for (int i = 0; i < 100 && ds_arena_alloc(&a, 512); i++) continue; /* fill up */
    assert_true(a.used <= a.limit);
    assert_null(ds_arena_alloc(&a, 2048));
    assert_null(ds_arena_alloc(&a, SIZE_MAX)); /* absurd sizes are refused, not wrapped */
    ds_arena_reset(&a);
    assert_int_equal(a.exhausted, 0);
    assert_non_null(ds_arena_alloc(&a, 100));
    ds_arena_free(&a);
}

static void fail_countdown(void **state) {
    (void)state;
    ds_arena a;
    test_alloc t = {0};
    ds_arena_init(&a, 1024);
    test_alloc_install(&t, &a);
    t.countdown = 3;
    assert_non_null(ds_arena_alloc(&a, 8));
    assert_non_null(ds_arena_alloc(&a, 8));
    assert_null(ds_arena_alloc(&a, 8));
    assert_int_equal(a.exhausted, 1);
    assert_non_null(ds_arena_alloc(&a, 8)); /* only the one */
    assert_int_equal(t.blocks, 3);
    ds_arena_free(&a);
}

/* Blocks come from the arena's allocator and go back to it, all of them. */
static void allocator_gets_every_block_back(void **state) {
    (void)state;
    ds_arena a;
    test_alloc t = {0};
    ds_arena_init(&a, 1024);
    test_alloc_install(&t, &a);
    ds_arena_mark m = ds_arena_mark_now(&a);
    for (int i = 0; i < 10; i++) assert_non_null(ds_arena_alloc(&a, 100));
    assert_int_equal(t.blocks, 10);
    ds_arena_release(&a, m);
    assert_int_equal(a.used, 0);
    assert_non_null(ds_arena_alloc(&a, 100));
    ds_arena_reset(&a); /* a block of another size than the ordinary one is not kept */
    assert_int_equal(a.used, 0);
    assert_null(a.head);
    test_alloc_remove(&t, &a, 1024);
    assert_non_null(ds_arena_alloc(&a, 100)); /* malloc again, ordinary blocks */
    assert_int_equal(a.used, 1024);
    ds_arena_reset(&a);
    assert_int_equal(a.used, 1024); /* the ordinary block is kept for the next deal */
    ds_arena_free(&a);
}

static void release_forgets_what_came_after_the_mark(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 1024);
    char *keep = ds_arena_strdup(&a, "kept");
    ds_arena_mark m = ds_arena_mark_now(&a);
    size_t used = a.used;
    char *first = ds_arena_alloc(&a, 8);
    for (int i = 0; i < 100; i++) assert_non_null(ds_arena_alloc(&a, 900)); /* new blocks */
    assert_true(a.used > used);
    ds_arena_release(&a, m);
    assert_int_equal(a.used, used);
    assert_string_equal(keep, "kept");
    char *next = ds_arena_alloc(&a, 8); /* reuses the released room */
    assert_ptr_equal(next, first);
    ds_arena_free(&a);
}

/* Trying many variants of a deal (next best actions) releases each: the limit
 * counts what is held, so every variant gets the same room, however many. */
static void release_gives_room_back_under_the_limit(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 1024);
    a.limit = 16384;
    assert_non_null(ds_arena_alloc(&a, 100));
    ds_arena_mark m = ds_arena_mark_now(&a);
    int first = -1;
    for (int variant = 0; variant < 50; variant++) {
        int n = 0;
        while (ds_arena_alloc(&a, 700)) n++;
        assert_true(a.used <= a.limit);
        if (first < 0) first = n;
        assert_int_equal(n, first);
        assert_int_equal(a.exhausted, 1); /* stays set: the deal did run out */
        ds_arena_release(&a, m);
    }
    assert_true(first > 10);
    ds_arena_reset(&a);
    assert_int_equal(a.exhausted, 0);
    /* a refusal injected after a mark is still counted down through a release */
    test_alloc t = {0};
    test_alloc_install(&t, &a);
    m = ds_arena_mark_now(&a);
    t.countdown = 3;
    assert_non_null(ds_arena_alloc(&a, 8));
    ds_arena_release(&a, m);
    assert_non_null(ds_arena_alloc(&a, 8));
    assert_null(ds_arena_alloc(&a, 8));
    ds_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_is_zeroed),
        cmocka_unit_test(alignment),
        cmocka_unit_test(no_overlap),
        cmocka_unit_test(reset_keeps_working),
        cmocka_unit_test(large_allocation),
        cmocka_unit_test(limit_returns_null),
        cmocka_unit_test(fail_countdown),
        cmocka_unit_test(allocator_gets_every_block_back),
        cmocka_unit_test(release_forgets_what_came_after_the_mark),
        cmocka_unit_test(release_gives_room_back_under_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
