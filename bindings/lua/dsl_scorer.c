/* dsl_scorer.c: one deal end to end: JSON text in, one result line out.
 *
 * parse (into the deal's arena) -> decode and validate -> batch id check (when
 * the caller gives a set; a multi-threaded caller checks ids in input order
 * itself, from `validated` and `deal_id`) -> analyse (graph and core scores) ->
 * policy -> result JSON. Every failure becomes an error result for this deal
 * only; the arena is reset before the next one. The CLI and the server both
 * score through here. */
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

void dsl_scorer_write_duplicate(ds_buf *out, const char *id, const char *where) {
    ds_error err = {0};
    ds_error_set(&err, "duplicate_id", "$.id",
                 "%s: deal id \"%.60s\" was already scored in this batch", where, id);
    ds_buf_clear(out);
    ds_result_write_error(out, id, &err);
}

int dsl_scorer_run(dsl_scorer *s, const char *text, size_t len, const char *where) {
    ds_error err = {0};
    ds_deal deal;
    ds_analysis an;
    ds_outcome outcome;
    ds_arena_reset(&s->arena);
    ds_buf_clear(&s->out);
    s->validated = false;
    s->deal_id = NULL;
    size_t at = 0;
    cJSON *json = ds_json_parse(&s->arena, text, len, &at);
    if (!json) {
        ds_error_set(&err, "bad_json", "$", "%s: not valid JSON (at byte %zu)", where, at + 1);
        return fail(s, NULL, &err);
    }
    if (ds_deal_decode(json, s->params, s->default_as_of, &s->arena, &deal, &err) < 0)
        return fail(s, id_of(json), &err);
    s->validated = true;
    s->deal_id = deal.id;
    if (s->seen && ds_idset_add(s->seen, ds_idset_hash(deal.id))) {
        dsl_scorer_write_duplicate(&s->out, deal.id, where);
        return 1;
    }
    if (ds_analyse(&an, &deal, s->params, &s->arena, &err) < 0 ||
        dsl_policy_decide(s->policy, &an, &s->arena, &outcome, &err) < 0)
        return fail(s, deal.id, &err);
    ds_result_write(&s->out, &an, &outcome, s->flags);
    return 0;
}
