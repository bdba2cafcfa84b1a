/* srv_policies.c: the set of named policies one worker scores with.
 *
 * Each worker opens its own set (a Lua state is never shared between threads).
 * Opening is all or nothing, which is what makes a reload safe: the new set is
 * built beside the old one and swapped in only when every policy loaded.
 *
 * This is the one place that knows how policies are opened: one engine of the
 * public API (lib/dealscore.h: its policies in one sandboxed Lua state, with
 * the model's budgets, and its own deal memory) per worker and generation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_int.h"

/* Why the engine cannot give `flag` (its model lacks the section): written into
 * why as "op NAME needs ...: model key ...", or left empty when it can. */
static void check_flag(dealscore_engine *e, unsigned flag, const char *what, char *why,
                       size_t len) {
    char err[256];
    why[0] = '\0';
    if (dealscore_engine_set_flags(e, flag, err, sizeof err) < 0) snprintf(why, len, what, err);
    dealscore_engine_set_flags(e, 0, err, sizeof err); /* 0 needs no section: never fails */
}

srv_policyset *srv_policies_open(const srv_policy_spec *specs, int n, const dealscore_model *model,
                                 unsigned generation, char *err, size_t errlen) {
    dealscore_options o;
    dealscore_options_init(&o);
    o.first_is_default = 1; /* only the policies it was given: the first is the default */
    for (int i = 0; i < n; i++)
        if (dealscore_options_policy(&o, specs[i].name, specs[i].file, err, errlen) < 0)
            return NULL;
    srv_policyset *set = calloc(1, sizeof *set + (size_t)n * sizeof set->items[0]);
    if (!set) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    set->generation = generation;
    if (!(set->engine = dealscore_engine_new(model, &o, err, errlen))) {
        free(set);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        srv_policy *p = &set->items[i];
        snprintf(p->name, sizeof p->name, "%s", specs[i].name);
        snprintf(p->file, sizeof p->file, "%s", specs[i].file);
        if (strcmp(p->name, "default") == 0) set->default_index = i;
    }
    set->n = n;
    set->current = -1;
    /* the actions and questions ops need the model's sections; without them
     * the op is unsupported and every other op works */
    check_flag(set->engine, DEALSCORE_ACTIONS, "op actions needs the model's actions section: %s",
               set->actions_error, sizeof set->actions_error);
    check_flag(set->engine, DEALSCORE_QUESTIONS,
               "op questions needs a valid questions section in the model: %s",
               set->questions_error, sizeof set->questions_error);
    return set;
}

void srv_policies_close(srv_policyset *set) {
    if (!set) return;
    dealscore_engine_free(set->engine);
    free(set);
}

srv_policy *srv_policies_find(srv_policyset *set, const char *name, size_t len) {
    if (!name || len == 0) return &set->items[set->default_index];
    for (int i = 0; i < set->n; i++)
        if (strlen(set->items[i].name) == len && memcmp(set->items[i].name, name, len) == 0)
            return &set->items[i];
    return NULL;
}

int srv_policies_use(srv_policyset *set, const srv_policy *p, unsigned flags) {
    int index = (int)(p - set->items);
    if (index != set->current) {
        if (dealscore_engine_use_policy(set->engine, p->name) < 0) return -1;
        set->current = index;
    }
    char err[256];
    if (dealscore_engine_flags(set->engine) != flags &&
        dealscore_engine_set_flags(set->engine, flags, err, sizeof err) < 0)
        return -1;
    return 0;
}

void srv_policies_write(ds_buf *b, const srv_policyset *set) {
    ds_buf_putc(b, '[');
    for (int i = 0; i < set->n; i++) {
        const srv_policy *p = &set->items[i];
        const char *label = dealscore_engine_policy_label(set->engine, p->name);
        ds_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        ds_buf_json_string(b, p->name);
        ds_buf_puts(b, ",\"label\":");
        ds_buf_json_string(b, label ? label : "");
        ds_buf_puts(b, ",\"file\":");
        ds_buf_json_string(b, p->file);
        ds_buf_puts(b, i == set->default_index ? ",\"default\":true" : ",\"default\":false");
        ds_buf_puts(b, dealscore_engine_policy_has_actions(set->engine, p->name)
                           ? ",\"custom_actions\":true}"
                           : ",\"custom_actions\":false}");
    }
    ds_buf_putc(b, ']');
}
