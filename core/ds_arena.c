/* ds_arena.c: bump allocator in chained blocks; see ds_arena.h. */
#include "ds_arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ds_arena_block {
    ds_arena_block *next;
    size_t size, used;
    max_align_t data[]; /* aligned storage follows the header */
};

#define ALIGN_UP(n) (((n) + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1))

void ds_arena_init(ds_arena *a, size_t block_size) {
    memset(a, 0, sizeof *a);
    a->block_size = block_size ? block_size : 16384;
}

static void *refuse(ds_arena *a) {
    a->exhausted = 1;
    return NULL;
}

static ds_arena_block *new_block(ds_arena *a, size_t min) {
    size_t size = min > a->block_size ? min : a->block_size;
    if (min > SIZE_MAX / 2 || (a->limit && (size > a->limit || a->used > a->limit - size)))
        return refuse(a);
    ds_arena_block *b = malloc(sizeof *b + size);
    if (!b) return refuse(a);
    b->size = size;
    b->used = 0;
    b->next = a->head;
    a->head = b;
    a->used += size;
    return b;
}

void *ds_arena_alloc_raw(ds_arena *a, size_t size) {
    if (__builtin_expect(a->fail_countdown != 0, 0) && --a->fail_countdown == 0) return refuse(a);
    if (size > SIZE_MAX / 2) return refuse(a); /* a size computed from hostile input */
    size = ALIGN_UP(size ? size : 1);
    ds_arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        b = new_block(a, size);
        if (!b) return NULL;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    return p;
}

void *ds_arena_alloc_rest(ds_arena *a, size_t min, size_t *got) {
    void *p = ds_arena_alloc_raw(a, min);
    if (!p) return NULL;
    ds_arena_block *b = a->head; /* p is the newest allocation of the newest block */
    *got = (size_t)((char *)b->data + b->size - (char *)p);
    b->used = b->size;
    return p;
}

void *ds_arena_alloc(ds_arena *a, size_t size) {
    void *p = ds_arena_alloc_raw(a, size);
    if (p) memset(p, 0, size);
    return p;
}

char *ds_arena_strdup(ds_arena *a, const char *s) {
    size_t n = strlen(s) + 1;
    char *p = ds_arena_alloc(a, n);
    if (p) memcpy(p, s, n);
    return p;
}

char *ds_arena_printf(ds_arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *p = ds_arena_alloc(a, (size_t)n + 1);
    if (!p) return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

ds_arena_mark ds_arena_mark_now(ds_arena *a) {
    return (ds_arena_mark){a->head, a->head ? a->head->used : 0};
}

void ds_arena_release(ds_arena *a, ds_arena_mark m) {
    while (a->head && a->head != m.block) {
        ds_arena_block *next = a->head->next;
        a->used -= a->head->size;
        free(a->head);
        a->head = next;
    }
    if (a->head) a->head->used = m.used;
}

void ds_arena_reset(ds_arena *a) {
    a->exhausted = 0;
    ds_arena_block *b = a->head;
    if (!b) return;
    /* keep the oldest block: it is the ordinary size and enough for most deals */
    while (b->next) {
        ds_arena_block *next = b->next;
        a->used -= b->size;
        free(b);
        b = next;
    }
    b->used = 0;
    a->head = b;
}

void ds_arena_free(ds_arena *a) {
    ds_arena_block *b = a->head;
    while (b) {
        ds_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
    a->exhausted = 0;
}
