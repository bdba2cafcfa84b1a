/* dsl_scorer.c: one deal end to end: JSON text in, one result line out.
 *
 * parse (into the deal's arena) -> decode and validate -> batch id check (when
 * the caller gives a set; a multi-threaded caller checks ids in input order
 * itself, from `validated` and `deal_id`) -> analyse (graph and core scores) ->
 * pick the policy -> policy -> next best actions and questions (when asked) ->
 * result JSON. Every failure becomes an error result for this deal only; the
 * arena is reset before the next one. The CLI and the server both score through
 * here; each worker thread owns one scorer and its policy set. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ds_json.h"
#include "dsl.h"

void dsl_scorer_init(dsl_scorer *s, const ds_params *params, dsl_policies *policies) {
    memset(s, 0, sizeof *s);
    s->params = params;
    s->policies = policies;
    s->default_as_of = DS_NO_DATE;
    ds_arena_init(&s->arena, 64 * 1024);
    s->arena.limit = DSL_DEAL_MEMORY_DEFAULT;
    ds_buf_init(&s->out);
}

int dsl_scorer_open(dsl_scorer *s, const ds_params *params, const dsl_config *c, char *err,
                    size_t errlen) {
    dsl_policies *set = dsl_policies_open(c, params, err, errlen);
    if (!set) return -1;
    dsl_scorer_init(s, params, set);
    s->owns_policies = true;
    return 0;
}

int dsl_scorer_enable_actions(dsl_scorer *s, int max, char *err, size_t errlen) {
    if (ds_action_settings_load(&s->action_settings, s->params, err, errlen) < 0) return -1;
    s->max_actions = max < 0 ? s->action_settings.max_actions : max;
    s->flags |= DS_OUT_ACTIONS;
    return 0;
}

int dsl_scorer_enable_questions(dsl_scorer *s, int max, char *err, size_t errlen) {
    if (ds_question_settings_load(&s->question_settings, s->params, err, errlen) < 0) return -1;
    s->max_questions = max < 0 ? s->question_settings.max_questions : max;
    s->flags |= DS_OUT_QUESTIONS;
    return 0;
}

void dsl_scorer_free(dsl_scorer *s) {
    if (s->owns_policies) dsl_policies_close(s->policies);
    ds_arena_free(&s->arena);
    ds_buf_free(&s->out);
}

/* The deal's id when it has a string or whole-number one, for error results
 * (a number is written as its decimal text, as validation reads it). */
static const char *id_of(dsl_scorer *s, const cJSON *json) {
    const cJSON *id = cJSON_IsObject(json) ? cJSON_GetObjectItemCaseSensitive(json, "id") : NULL;
    if (cJSON_IsString(id)) return id->valuestring;
    if (cJSON_IsNumber(id) && id->valuedouble == floor(id->valuedouble) &&
        fabs(id->valuedouble) <= 9007199254740992.0)
        return ds_arena_printf(&s->arena, "%.0f", id->valuedouble == 0 ? 0.0 : id->valuedouble);
    return NULL;
}

/* A validation error names the input it is in ("deals.jsonl:17: $.amount ..."). */
static void name_input(ds_error *err, const char *where) {
    if (!where || !*where || strncmp(err->message, where, strlen(where)) == 0) return;
    char message[sizeof err->message];
    size_t n = strlen(where);
    if (n > 120) n = 120;
    snprintf(message, sizeof message, "%.*s: %.200s", (int)n, where, err->message);
    memcpy(err->message, message, sizeof message);
}

static int fail(dsl_scorer *s, const char *id, const ds_error *err) {
    s->error_id = id;
    if (err != &s->error) s->error = *err;
    ds_result_write_error(&s->out, id, err);
    return 1;
}

void dsl_scorer_duplicate_error(ds_error *err, const char *id, const char *where,
                                const ds_seen_first *first) {
    memset(err, 0, sizeof *err);
    char at[300] = "";
    size_t n = first && first->file ? strlen(first->file) : 0;
    if (first && first->line > 0 && first->file &&
        (strncmp(where, first->file, n) != 0 || where[n] != ':'))
        snprintf(at, sizeof at, " (first at %.200s:%ld)", first->file, first->line);
    else if (first && first->line > 0)
        snprintf(at, sizeof at, " (first on line %ld)", first->line);
    ds_error_set(err, "duplicate_id", "$.id",
                 "%s: deal id \"%.60s\" was already scored in this batch%s", where, id, at);
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

/* The policy the deal names in the configured field, or the default one. */
static dsl_policy *pick_policy(dsl_scorer *s, const ds_deal *deal, const char *where,
                               ds_error *err) {
    if (s->policy) return s->policy;
    const char *field = dsl_policies_field(s->policies);
    const cJSON *named = field ? cJSON_GetObjectItemCaseSensitive(deal->json, field) : NULL;
    if (!named || cJSON_IsNull(named)) return dsl_policies_get(s->policies, NULL);
    if (!cJSON_IsString(named)) {
        ds_error_set(err, "bad_type", "$.policy", "%s: %s names a policy: a string", where, field);
        snprintf(err->path, sizeof err->path, "$.%s", field);
        return NULL;
    }
    dsl_policy *p = dsl_policies_get(s->policies, named->valuestring);
    if (!p) {
        char names[160];
        dsl_policies_names(s->policies, names, sizeof names);
        ds_error_set(err, "unknown_policy", "$", "%s: no policy named \"%.60s\" (policies: %s)",
                     where, named->valuestring, names);
        snprintf(err->path, sizeof err->path, "$.%s", field);
    }
    return p;
}

/* The policy's verdict, then its custom actions: through the actions engine
 * (every action re-scored) with DS_OUT_ACTIONS, else only read when asked; then
 * the questions with DS_OUT_QUESTIONS. */
static int decide(dsl_scorer *s, dsl_policy *policy, ds_error *err) {
    ds_analysis *an = &s->analysis;
    if (s->table.L)
        return dsl_policy_decide_table(s->table.L, s->table.index, s->table.source, an, &s->arena,
                                       &s->outcome, err);
    dsl_policy_explain(policy, s->flags & DS_OUT_EXPLAIN); /* factors only when shown */
    if (dsl_policy_decide(policy, an, &s->arena, &s->outcome, err) < 0) return -1;
    int rc = 0;
    if (s->flags & DS_OUT_ACTIONS)
        rc = dsl_actions_rank(policy, an, &s->outcome, &s->action_settings, s->max_actions,
                              &s->arena, &s->actions, &s->n_actions, err);
    else if (s->want_actions)
        rc = dsl_policy_actions(policy, an, &s->arena, &s->actions, &s->n_actions, err);
    if (rc == 0 && (s->flags & DS_OUT_QUESTIONS))
        rc = dsl_questions_rank(policy, an, &s->outcome, &s->question_settings, s->max_questions,
                                s->questions_exact, &s->arena, err);
    return rc;
}

static int run(dsl_scorer *s, const char *text, size_t len, const char *where, size_t limit) {
    ds_error err = {0};
    ds_deal *deal = &s->deal;
    s->scored = false;
    ds_arena_reset(&s->arena);
    ds_buf_clear(&s->out);
    s->actions = NULL;
    s->n_actions = 0;
    s->validated = false;
    s->deal_id = NULL;
    s->error_id = NULL;
    s->error.code = NULL;
    size_t at = 0;
    cJSON *json = ds_json_parse(&s->arena, text, len, &at);
    if (s->arena.exhausted) return out_of_memory(s, NULL, where, limit);
    if (!json) {
        char why[300];
        ds_json_describe_error(text, len, at, why, sizeof why);
        ds_error_set(&err, "bad_json", "$", "%s: %s", where, why);
        /* a deal whose only fault is its encoding still says which it is */
        bool utf8 = ds_utf8_invalid_at(text, len) < len;
        return fail(s, utf8 ? ds_json_salvage_id(&s->arena, text, len) : NULL, &err);
    }
    int rc = ds_deal_decode(json, s->params, s->default_as_of, &s->arena, deal, &err);
    if (s->arena.exhausted) return out_of_memory(s, id_of(s, json), where, limit);
    if (rc < 0) {
        name_input(&err, where);
        return fail(s, id_of(s, json), &err);
    }
    s->validated = true;
    s->deal_id = deal->id;
    if (ds_deal_undated_contacts(deal)) s->undated++;
    ds_seen_first first;
    if (s->seen && ds_seen_add(s->seen, deal->id, where, &first) == 1) {
        dsl_scorer_duplicate_error(&s->error, deal->id, where, &first);
        ds_buf_clear(&s->out);
        return fail(s, deal->id, &s->error);
    }
    dsl_policy *policy = pick_policy(s, deal, where, &err);
    rc = !policy || ds_analyse(&s->analysis, deal, s->params, &s->arena, &err) < 0 ||
         decide(s, policy, &err) < 0;
    if (s->arena.exhausted) return out_of_memory(s, deal->id, where, limit);
    if (rc) {
        name_input(&err, where);
        return fail(s, deal->id, &err);
    }
    ds_result_write(&s->out, &s->analysis, &s->outcome, s->flags);
    if (s->arena.exhausted || s->out.failed) return out_of_memory(s, deal->id, where, limit);
    s->scored = true;
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
