/* ds_seen.c: open addressing over id hashes with the first place; see ds_seen.h. */
#include "ds_seen.h"

#include <stdlib.h>
#include <string.h>

#include "ds_idset.h"

/* place: the file's number in the top 16 bits (0: none), the line below */
#define LINE_BITS 48
#define LINE_MAX_KEPT ((1ll << LINE_BITS) - 1)
#define FILES_MAX 0xffff

typedef struct ds_seen_slot {
    uint64_t hash; /* 0 = empty */
    uint64_t place;
} ds_seen_slot;

void ds_seen_init(ds_seen *s) {
    memset(s, 0, sizeof *s);
}

void ds_seen_free(ds_seen *s) {
    for (size_t i = 0; i < s->n_files; i++) free(s->files[i]);
    free(s->files);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

static int grow(ds_seen *s) {
    size_t cap = s->slots ? (s->mask + 1) * 2 : 1024;
    ds_seen_slot *slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; s->slots && i <= s->mask; i++) {
        if (!s->slots[i].hash) continue;
        size_t j = s->slots[i].hash & (cap - 1);
        while (slots[j].hash) j = (j + 1) & (cap - 1);
        slots[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = slots;
    s->mask = cap - 1;
    return 0;
}

/* The number of the file named by where[0..len), added when new; 0 when there
 * is no room or memory (the place then names the line alone). The latest file
 * is looked at first: a batch reads its files one after the other. */
static uint64_t file_number(ds_seen *s, const char *where, size_t len) {
    for (size_t i = s->n_files; i-- > 0;)
        if (strncmp(s->files[i], where, len) == 0 && s->files[i][len] == '\0') return i + 1;
    if (s->n_files >= FILES_MAX) return 0;
    char **files = realloc(s->files, (s->n_files + 1) * sizeof *files);
    if (!files) return 0;
    s->files = files;
    char *name = malloc(len + 1);
    if (!name) return 0;
    memcpy(name, where, len);
    name[len] = '\0';
    s->files[s->n_files++] = name;
    return s->n_files;
}

/* "FILE:LINE" and "FILE:LINE element N" (the first ':' followed by digits and
 * then the end or a space), "line N"; 0 for anything else. */
static uint64_t place_of(ds_seen *s, const char *where) {
    if (!where) return 0;
    const char *digits = NULL, *colon = NULL;
    if (strncmp(where, "line ", 5) == 0) digits = where + 5;
    for (const char *p = strchr(where, ':'); !digits && p; p = strchr(p + 1, ':')) {
        const char *q = p + 1;
        while (*q >= '0' && *q <= '9') q++;
        if (q > p + 1 && (*q == '\0' || *q == ' ')) digits = p + 1, colon = p;
    }
    if (!digits || *digits < '0' || *digits > '9') return 0;
    long long line = 0;
    for (; *digits >= '0' && *digits <= '9'; digits++) {
        line = line * 10 + (*digits - '0');
        if (line > LINE_MAX_KEPT) return 0;
    }
    if (line == 0) return 0;
    uint64_t file = colon ? file_number(s, where, (size_t)(colon - where)) : 0;
    return file << LINE_BITS | (uint64_t)line;
}

int ds_seen_add(ds_seen *s, const char *id, const char *where, ds_seen_first *first) {
    if ((!s->slots || (s->count + 1) * 2 > s->mask + 1) && grow(s) < 0) return -1;
    uint64_t h = ds_idset_hash(id);
    size_t j = h & s->mask;
    for (; s->slots[j].hash; j = (j + 1) & s->mask) {
        if (s->slots[j].hash != h) continue;
        uint64_t place = s->slots[j].place, file = place >> LINE_BITS;
        first->file = file ? s->files[file - 1] : NULL;
        first->line = (long)(place & (uint64_t)LINE_MAX_KEPT);
        return 1;
    }
    s->slots[j] = (ds_seen_slot){h, place_of(s, where)};
    s->count++;
    return 0;
}
