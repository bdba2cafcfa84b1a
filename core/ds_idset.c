/* ds_idset.c: open addressing over 64-bit id hashes; see ds_idset.h. */
#include "ds_idset.h"

#include <stdlib.h>
#include <string.h>

void ds_idset_init(ds_idset *s) {
    memset(s, 0, sizeof *s);
}

void ds_idset_free(ds_idset *s) {
    free(s->slots);
    memset(s, 0, sizeof *s);
}

uint64_t ds_idset_hash(const char *id) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a, then a splitmix64 finish */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h ? h : 1;
}

static bool grow(ds_idset *s) {
    size_t cap = s->slots ? (s->mask + 1) * 2 : 1024;
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; s->slots && i <= s->mask; i++) {
        if (!s->slots[i]) continue;
        size_t j = s->slots[i] & (cap - 1);
        while (slots[j]) j = (j + 1) & (cap - 1);
        slots[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = slots;
    s->mask = cap - 1;
    return true;
}

bool ds_idset_add(ds_idset *s, uint64_t hash) {
    if ((!s->slots || (s->count + 1) * 2 > s->mask + 1) && !grow(s)) return false;
    size_t j = hash & s->mask;
    for (; s->slots[j]; j = (j + 1) & s->mask)
        if (s->slots[j] == hash) return true;
    s->slots[j] = hash;
    s->count++;
    return false;
}
