/* srv_policies.c: the set of named policies one worker scores with.
 *
 * Each worker opens its own set (a Lua state is never shared between threads).
 * Opening is all or nothing, which is what makes a reload safe: the new set is
 * built beside the old one and swapped in only when every policy loaded.
 *
 * This is the one place that knows how policies are opened: one dsl_policies
 * set (one sandboxed Lua state, with the model's budgets) per worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_int.h"

srv_policyset *srv_policies_open(const srv_policy_spec *specs, int n, const ds_params *params,
                                 unsigned generation, char *err, size_t errlen) {
    dsl_config config = {.n = n};
    if (n > DSL_MAX_POLICIES) {
        snprintf(err, errlen, "at most %d policies", DSL_MAX_POLICIES);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        snprintf(config.policies[i].name, sizeof config.policies[i].name, "%s", specs[i].name);
        config.policies[i].path = specs[i].file;
    }
    if (dsl_limits_from_model(&config.limits, params, err, errlen) < 0) return NULL;
    srv_policyset *set = calloc(1, sizeof *set + (size_t)n * sizeof set->items[0]);
    if (!set) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    set->generation = generation;
    if (!(set->lua = dsl_policies_open(&config, params, err, errlen))) {
        free(set);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        srv_policy *p = &set->items[i];
        snprintf(p->name, sizeof p->name, "%s", specs[i].name);
        snprintf(p->file, sizeof p->file, "%s", specs[i].file);
        p->policy = dsl_policies_get(set->lua, specs[i].name);
        if (strcmp(p->name, "default") == 0) set->default_index = i;
    }
    set->n = n;
    return set;
}

void srv_policies_close(srv_policyset *set) {
    if (!set) return;
    dsl_policies_close(set->lua);
    free(set);
}

srv_policy *srv_policies_find(srv_policyset *set, const char *name, size_t len) {
    if (!name || len == 0) return &set->items[set->default_index];
    for (int i = 0; i < set->n; i++)
        if (strlen(set->items[i].name) == len && memcmp(set->items[i].name, name, len) == 0)
            return &set->items[i];
    return NULL;
}

void srv_policies_write(ds_buf *b, const srv_policyset *set) {
    ds_buf_putc(b, '[');
    for (int i = 0; i < set->n; i++) {
        const srv_policy *p = &set->items[i];
        ds_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        ds_buf_json_string(b, p->name);
        ds_buf_puts(b, ",\"label\":");
        ds_buf_json_string(b, dsl_policy_label(p->policy));
        ds_buf_puts(b, ",\"file\":");
        ds_buf_json_string(b, p->file);
        ds_buf_puts(b, i == set->default_index ? ",\"default\":true}" : ",\"default\":false}");
    }
    ds_buf_putc(b, ']');
}
