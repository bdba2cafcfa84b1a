/* dealscore_keys.c: the key notes of a run (lib/dealscore.h, docs/model.md
 * "Unknown and repeated keys"), counted per key path with its array indexes
 * left out, so 5,000 deals whose contacts all say "Stance" make one line on
 * standard error, not 20,000. Only deals with notes get here. */
#include <stdlib.h>
#include <string.h>

#include "dealscore_internal.h"
#include "ds_buf.h"

#define KEPT_PATHS 100 /* distinct paths counted a run; the rest are summed */

/* path with every [N] written [] ("$.stakeholders[].Stance") */
static void fold_path(const char *path, char *out, size_t len) {
    size_t o = 0;
    for (const char *p = path; *p && o + 1 < len; p++) {
        out[o++] = *p;
        if (*p == '[' && p[1] >= '0' && p[1] <= '9') {
            while (p[1] >= '0' && p[1] <= '9') p++;
        }
    }
    out[o] = '\0';
}

static int find(const key_tally *t, const char *path, const char *field) {
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->items[i].path, path) == 0 && !t->items[i].field == !field) return i;
    return -1;
}

/* adds `deals` to the count of (path, field); false when out of memory */
static void count(key_tally *t, const char *path, const char *field, long deals) {
    int i = find(t, path, field);
    if (i >= 0) {
        t->items[i].deals += deals;
        return;
    }
    if (t->n == KEPT_PATHS) {
        t->more += deals;
        return;
    }
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 8;
        key_count *items = realloc(t->items, sizeof *items * (size_t)cap);
        if (!items) return; /* a note lost, the run goes on */
        t->items = items;
        t->cap = cap;
    }
    key_count c = {strdup(path), field ? strdup(field) : NULL, deals};
    if (!c.path || (field && !c.field)) {
        free(c.path);
        free(c.field);
        return;
    }
    t->items[t->n++] = c;
}

void key_tally_add(key_tally *t, const dealscore_result *r) {
    char folded[DEALSCORE_KEY_NOTES_MAX][256];
    int n = r->n_key_notes < DEALSCORE_KEY_NOTES_MAX ? r->n_key_notes : DEALSCORE_KEY_NOTES_MAX;
    for (int i = 0; i < n; i++) {
        const dealscore_key_note *k = &r->key_notes[i];
        fold_path(k->path, folded[i], sizeof folded[i]);
        bool again = false; /* a deal counts once per path */
        for (int j = 0; j < i && !again; j++)
            again = strcmp(folded[j], folded[i]) == 0 && !r->key_notes[j].field == !k->field;
        if (!again) count(t, folded[i], k->field, 1);
    }
}

void key_tally_free(key_tally *t) {
    for (int i = 0; i < t->n; i++) {
        free(t->items[i].path);
        free(t->items[i].field);
    }
    free(t->items);
    *t = (key_tally){0};
}

static void write_notes(ds_buf *b, const key_tally *t, const char *prefix) {
    for (int i = 0; i < t->n; i++) {
        const key_count *c = &t->items[i];
        bool one = c->deals == 1;
        if (c->field)
            ds_buf_printf(b,
                          "%snote: %ld deal%s %s, which dealscore does not read; did you "
                          "mean \"%s\"?\n",
                          prefix, c->deals, one ? " has" : "s have", c->path, c->field);
        else
            ds_buf_printf(b,
                          "%snote: %ld deal%s %s more than once in one object; the last "
                          "one is read (as Python's json and jq read it)\n",
                          prefix, c->deals, one ? " gives" : "s give", c->path);
    }
    if (t->more)
        ds_buf_printf(b, "%snote: %ld more deals have keys of other paths not read as written\n",
                      prefix, t->more);
}

char *dealscore_engines_key_notes(dealscore_engine *const *engines, int n, const char *prefix) {
    key_tally all = {0};
    for (int e = 0; e < n; e++) {
        if (!engines || !engines[e]) continue;
        const key_tally *t = &engines[e]->keys;
        for (int i = 0; i < t->n; i++)
            count(&all, t->items[i].path, t->items[i].field, t->items[i].deals);
        all.more += t->more;
    }
    char *text = NULL;
    if (all.n || all.more) {
        ds_buf b;
        ds_buf_init(&b);
        write_notes(&b, &all, prefix ? prefix : "");
        text = ds_buf_take(&b, NULL);
    }
    key_tally_free(&all);
    return text;
}
