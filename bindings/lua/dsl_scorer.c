/* dsl_scorer.c: one deal end to end: JSON text in, one result line out.
 *
 * parse (into the deal's arena) -> decode and validate -> batch id check ->
 * analyse (graph and core scores) -> policy -> result JSON. Every failure becomes
 * an error result for this deal only; the arena is reset before the next one. The
 * CLI and the server both score through here. */
#include <stdio.h>
#include <string.h>

#include "ds_idset.h"
#include "ds_json.h"
#include "dsl.h"

void dsl_scorer_init(dsl_scorer *s, const ds_params *params, dsl_policy *policy) {
    memset(s, 0, sizeof *s);
    s->params = params;
    s->policy = policy;
    s->default_as_of = DS_NO_DATE;
    ds_arena_init(&s->arena, 64 * 1024);
    s->arena.limit = DSL_DEAL_MEMORY_DEFAULT;
    ds_buf_init(&s->out);
}

void dsl_scorer_free(dsl_scorer *s) {
    ds_arena_free(&s->arena);
    ds_buf_free(&s->out);
}

/* The deal's id when it has a string one, for error results. */
static const char *id_of(const cJSON *json) {
    const cJSON *id = cJSON_IsObject(json) ? cJSON_GetObjectItemCaseSensitive(json, "id") : NULL;
    return cJSON_IsString(id) ? id->valuestring : NULL;
}

static int fail(dsl_scorer *s, const char *id, const ds_error *err) {
    ds_result_write_error(&s->out, id, err);
    return 1;
}

/* Any refused allocation makes the deal an out_of_memory error, whatever the code
 * that saw it made of it: a NULL in the parser looks like bad JSON, and a missing
 * warning or reason would be a silently incomplete result. */
static int out_of_memory(dsl_scorer *s, const char *id, const char *where, size_t limit) {
    ds_error err;
    ds_error_set(&err, "out_of_memory", "$",
                 "%s: deal needs more memory than the limit of %zu MiB per deal", where,
                 limit >> 20);
    ds_buf_clear(&s->out);
    return fail(s, id, &err);
}

static int run(dsl_scorer *s, const char *text, size_t len, const char *where, size_t limit) {
    ds_error err = {0};
    ds_deal deal;
    ds_analysis an;
    ds_outcome outcome;
    ds_arena_reset(&s->arena);
    ds_buf_clear(&s->out);
    size_t at = 0;
    cJSON *json = ds_json_parse(&s->arena, text, len, &at);
    if (s->arena.exhausted) return out_of_memory(s, NULL, where, limit);
    if (!json) {
        ds_error_set(&err, "bad_json", "$", "%s: not valid JSON (at byte %zu)", where, at + 1);
        return fail(s, NULL, &err);
    }
    int rc = ds_deal_decode(json, s->params, s->default_as_of, &s->arena, &deal, &err);
    if (s->arena.exhausted) return out_of_memory(s, id_of(json), where, limit);
    if (rc < 0) return fail(s, id_of(json), &err);
    if (s->seen && ds_idset_add(s->seen, ds_idset_hash(deal.id))) {
        ds_error_set(&err, "duplicate_id", "$.id",
                     "%s: deal id \"%.60s\" was already scored in this batch", where, deal.id);
        return fail(s, deal.id, &err);
    }
    rc = ds_analyse(&an, &deal, s->params, &s->arena, &err) < 0 ||
         dsl_policy_decide(s->policy, &an, &s->arena, &outcome, &err) < 0;
    if (s->arena.exhausted) return out_of_memory(s, deal.id, where, limit);
    if (rc) return fail(s, deal.id, &err);
    ds_result_write(&s->out, &an, &outcome, s->flags);
    if (s->arena.exhausted || s->out.failed) return out_of_memory(s, deal.id, where, limit);
    return 0;
}

/* The deal's text counts against its limit: the arena gets what the text leaves. */
int dsl_scorer_run(dsl_scorer *s, const char *text, size_t len, const char *where) {
    size_t limit = s->arena.limit;
    if (limit) s->arena.limit = len < limit ? limit - len : 1;
    int rc = run(s, text, len, where, limit);
    s->arena.limit = limit;
    return rc;
}

int dsl_scorer_reject(dsl_scorer *s, const char *code, const char *message) {
    ds_error err;
    ds_error_set(&err, code, "$", "%s", message);
    ds_buf_clear(&s->out);
    return fail(s, NULL, &err);
}
