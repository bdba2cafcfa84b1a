/* ds_arena.c: bump allocator in chained blocks; see ds_arena.h. */
#include "ds_arena.h"

#include "ds_assert.h"

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

static void *block_alloc(ds_arena *a, size_t size) {
    return a->allocator ? a->allocator->alloc(a->allocator->ud, size) : malloc(size);
}

static void block_free(ds_arena *a, ds_arena_block *b) {
    DS_ASSERT(a->used >= b->size);
    a->used -= b->size;
    if (a->allocator)
        a->allocator->free(a->allocator->ud, b);
    else
        free(b);
}

/* The bytes held in blocks are what `used` says (walks the chain: assertions only). */
static int used_matches(const ds_arena *a) {
    size_t sum = 0;
    for (const ds_arena_block *b = a->head; b; b = b->next) sum += b->size;
    return sum == a->used;
}

/* Whether the mark's block is in the chain (or the mark is of an empty arena). */
static int holds_mark(const ds_arena *a, ds_arena_mark m) {
    for (const ds_arena_block *b = a->head; b; b = b->next)
        if (b == m.block) return m.used <= b->used;
    return m.block == NULL;
}

static ds_arena_block *new_block(ds_arena *a, size_t min) {
    size_t size = min > a->block_size ? min : a->block_size;
    if (min > SIZE_MAX / 2 || (a->limit && (size > a->limit || a->used > a->limit - size)))
        return refuse(a);
    ds_arena_block *b = block_alloc(a, sizeof *b + size);
    if (!b) return refuse(a);
    b->size = size;
    b->used = 0;
    b->next = a->head;
    a->head = b;
    a->used += size;
    DS_ASSERT(!a->limit || a->used <= a->limit);
    return b;
}

void *ds_arena_alloc_raw(ds_arena *a, size_t size) {
    if (size > SIZE_MAX / 2) return refuse(a); /* a size computed from hostile input */
    size = ALIGN_UP(size ? size : 1);
    ds_arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        b = new_block(a, size);
        if (!b) return NULL;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    DS_ASSERT(b->used <= b->size);
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

char *ds_arena_strcat(ds_arena *a, const char *head, const char *tail) {
    size_t h = strlen(head), t = strlen(tail) + 1;
    char *p = ds_arena_alloc_raw(a, h + t);
    if (p) {
        memcpy(p, head, h);
        memcpy(p + h, tail, t);
    }
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
    DS_ASSERT(holds_mark(a, m)); /* a mark of this arena, not released past already */
    while (a->head && a->head != m.block) {
        ds_arena_block *next = a->head->next;
        block_free(a, a->head);
        a->head = next;
    }
    if (a->head) a->head->used = m.used;
    DS_ASSERT(used_matches(a));
}

void ds_arena_reset(ds_arena *a) {
    a->exhausted = 0;
    ds_arena_block *b = a->head;
    if (!b) return;
    /* keep the oldest block when it is of the ordinary size: enough for most deals */
    while (b->next) {
        ds_arena_block *next = b->next;
        block_free(a, b);
        b = next;
    }
    if (b->size != a->block_size) {
        block_free(a, b);
        b = NULL;
    } else {
        b->used = 0;
    }
    a->head = b;
    DS_ASSERT(used_matches(a));
}

void ds_arena_free(ds_arena *a) {
    ds_arena_block *b = a->head;
    while (b) {
        ds_arena_block *next = b->next;
        block_free(a, b);
        b = next;
    }
    DS_ASSERT(a->used == 0);
    a->head = NULL;
    a->used = 0;
    a->exhausted = 0;
}
