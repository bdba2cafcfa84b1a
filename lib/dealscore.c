/* dealscore.c: the model, the options and the engine of the public API
 * (dealscore.h).
 *
 * An engine is a dsl_scorer (bindings/lua: the one-deal pipeline) with its own
 * policy set, opened from plain options so that a front end needs neither the
 * policy runtime's config nor the core's parameters. The typed result is filled
 * in dealscore_result.c. */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore_internal.h"
#include "ds_home.h"
#include "ds_json.h"

const char *dealscore_home(void) {
    return ds_home(); /* core/ds_home.h: $DEALSCORE_HOME, the installed tree, the build's */
}

/* ---- the model ---- */

dealscore_model *dealscore_model_load(const char *path, char *err, size_t errlen) {
    char bundled[PATH_MAX];
    if (!path) {
        snprintf(bundled, sizeof bundled, "%s/models/default.json", dealscore_home());
        path = bundled;
    }
    dealscore_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    if (ds_params_load_file(&m->own, path, err, errlen) < 0) {
        free(m);
        return NULL;
    }
    m->params = &m->own;
    return m;
}

dealscore_model *dealscore_model_parse(const char *text, size_t len, const char *source, char *err,
                                       size_t errlen) {
    if (!source) source = "model";
    dealscore_model *m = calloc(1, sizeof *m);
    char *copy = text ? malloc(len + 1) : NULL; /* ds_params_load reads a C string */
    if (!m || !copy) {
        snprintf(err, errlen, "%s: %s", source, text ? "out of memory" : "no text");
        free(m);
        free(copy);
        return NULL;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    int rc = ds_params_load(&m->own, copy, source, err, errlen);
    free(copy);
    if (rc < 0) {
        free(m);
        return NULL;
    }
    m->params = &m->own;
    return m;
}

void dealscore_model_free(dealscore_model *m) {
    if (!m || m->params != &m->own) return; /* borrowed ones are the caller's */
    ds_params_free(&m->own);
    free(m);
}

const char *dealscore_model_label(const dealscore_model *m) {
    return m ? m->params->label : "";
}

/* The model's own parameters, which a front end may still change (not a
 * borrowed model's: those are the front end's). */
static ds_params *own_params(dealscore_model *m, char *err, size_t errlen) {
    if (m && m->params == &m->own) return &m->own;
    snprintf(err, errlen, "%s", m ? "a borrowed model cannot be changed" : "no model");
    return NULL;
}

int dealscore_model_budgets(const dealscore_model *m, long long *instructions,
                            long long *memory_bytes, char *err, size_t errlen) {
    if (!m) {
        snprintf(err, errlen, "no model");
        return -1;
    }
    dsl_limits l;
    if (dsl_limits_from_model(&l, m->params, err, errlen) < 0) return -1;
    if (instructions) *instructions = l.instructions;
    if (memory_bytes) *memory_bytes = (long long)l.memory;
    return 0;
}

int dealscore_model_set_budgets(dealscore_model *m, long long instructions, long long memory_bytes,
                                char *err, size_t errlen) {
    ds_params *p = own_params(m, err, errlen);
    dsl_limits l;
    if (!p || dsl_limits_from_model(&l, p, err, errlen) < 0) return -1;
    if (instructions < 0 && memory_bytes < 0) return 0;
    if (instructions >= 0) l.instructions = instructions;
    if (memory_bytes >= 0) l.memory = (size_t)memory_bytes;
    cJSON *runtime = cJSON_GetObjectItemCaseSensitive(p->json, "runtime");
    if (!runtime) runtime = cJSON_AddObjectToObject(p->json, "runtime");
    cJSON_DeleteItemFromObjectCaseSensitive(runtime, "instruction_budget");
    cJSON_DeleteItemFromObjectCaseSensitive(runtime, "memory_limit_mb");
    if (!cJSON_AddNumberToObject(runtime, "instruction_budget", (double)l.instructions) ||
        !cJSON_AddNumberToObject(runtime, "memory_limit_mb", (double)l.memory / 1048576.0)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int dealscore_model_check(const dealscore_model *m, unsigned flags, char *err, size_t errlen) {
    if (!m) {
        snprintf(err, errlen, "no model");
        return -1;
    }
    ds_action_settings actions;
    ds_question_settings questions;
    if ((flags & DEALSCORE_ACTIONS) &&
        ds_action_settings_load(&actions, m->params, err, errlen) < 0)
        return -1;
    if ((flags & DEALSCORE_QUESTIONS) &&
        ds_question_settings_load(&questions, m->params, err, errlen) < 0)
        return -1;
    return 0;
}

dealscore_model *dealscore_model_borrow(dealscore_model *m, const ds_params *params) {
    memset(m, 0, sizeof *m);
    m->params = params;
    return m;
}

const ds_params *dealscore_model_params(const dealscore_model *m) {
    return m->params;
}

/* ---- options ---- */

void dealscore_options_init(dealscore_options *o) {
    memset(o, 0, sizeof *o);
    o->instructions = -1;
    o->memory_bytes = -1;
    o->max_actions = -1;
    o->max_questions = -1;
}

int dealscore_options_policy(dealscore_options *o, const char *name, const char *path, char *err,
                             size_t errlen) {
    if (!o || !path || !*path) {
        snprintf(err, errlen, "a policy needs a file");
        return -1;
    }
    if (o->n_policies < 0 || o->n_policies >= DEALSCORE_MAX_POLICIES) {
        snprintf(err, errlen, "at most %d policies", DEALSCORE_MAX_POLICIES);
        return -1;
    }
    o->policies[o->n_policies].name = name;
    o->policies[o->n_policies++].path = path;
    return 0;
}

_Static_assert(DEALSCORE_POLICY_NAME == DSL_POLICY_NAME, "one policy name size");

int dealscore_policy_spec(const char *spec, const char *lone, char name[DEALSCORE_POLICY_NAME],
                          const char **path, char *err, size_t errlen) {
    if (!spec || !name || !path) {
        snprintf(err, errlen, "no policy given");
        return -1;
    }
    return dsl_policy_spec(spec, lone, name, path, err, errlen);
}

bool dealscore_date_valid(const char *date) {
    int day;
    return date && ds_date_parse(date, &day);
}

/* The policy runtime's config from the options: the files, the bundled default
 * when no file is the default, the deal field, the budgets. */
static int make_config(dealscore_engine *e, const dealscore_options *o, dsl_config *c, char *err,
                       size_t errlen) {
    memset(c, 0, sizeof *c);
    if (o->n_policies < 0 || o->n_policies > DEALSCORE_MAX_POLICIES) {
        snprintf(err, errlen, "n_policies %d is not in 0..%d", o->n_policies,
                 DEALSCORE_MAX_POLICIES);
        return -1;
    }
    bool named = false, has_default = false;
    for (int i = 0; i < o->n_policies; i++) {
        const char *name = o->policies[i].name ? o->policies[i].name : "default";
        if (dsl_config_put(c, name, o->policies[i].path, err, errlen) < 0) return -1;
        if (strcmp(name, "default") == 0)
            has_default = true;
        else
            named = true;
    }
    if (!has_default && !(o->first_is_default && o->n_policies > 0)) {
        snprintf(e->default_policy, sizeof e->default_policy, "%s/scripts/default.lua",
                 dealscore_home());
        if (dsl_config_put(c, "default", e->default_policy, err, errlen) < 0) return -1;
    }
    c->field = o->policy_field ? o->policy_field : named ? "policy" : NULL;
    if (dsl_limits_from_model(&c->limits, e->params, err, errlen) < 0) return -1;
    if (o->instructions >= 0) c->limits.instructions = o->instructions;
    if (o->memory_bytes >= 0) c->limits.memory = (size_t)o->memory_bytes;
    return 0;
}

/* ---- the engine ---- */

dealscore_engine *dealscore_engine_new(const dealscore_model *m, const dealscore_options *o,
                                       char *err, size_t errlen) {
    dealscore_options defaults;
    if (!o) {
        dealscore_options_init(&defaults);
        o = &defaults;
    }
    if (!m) {
        snprintf(err, errlen, "no model");
        return NULL;
    }
    int as_of = DS_NO_DATE;
    if (o->as_of && !ds_date_parse(o->as_of, &as_of)) {
        snprintf(err, errlen, "as_of takes a date YYYY-MM-DD, not '%.40s'", o->as_of);
        return NULL;
    }
    dealscore_engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->params = m->params; /* a borrowed model may go once the engine is made */
    static pthread_once_t hooks = PTHREAD_ONCE_INIT;
    pthread_once(&hooks, ds_json_init); /* engines may be made on several threads */
    dsl_config c;
    if (make_config(e, o, &c, err, errlen) < 0 ||
        dsl_scorer_open(&e->scorer, m->params, &c, err, errlen) < 0) {
        free(e);
        return NULL;
    }
    ds_seen_init(&e->seen);
    e->scorer.default_as_of = as_of;
    if (o->deal_memory) e->scorer.arena.limit = o->deal_memory;
    e->max_actions = o->max_actions;
    e->max_questions = o->max_questions;
    if (dealscore_engine_set_flags(e, o->flags, err, errlen) < 0) {
        dealscore_engine_free(e);
        return NULL;
    }
    return e;
}

void dealscore_set_print(void (*fn)(const char *policy, const char *line)) {
    dsl_sandbox_set_print(fn);
}

void dealscore_engine_free(dealscore_engine *e) {
    if (!e) return;
    dsl_scorer_free(&e->scorer);
    ds_seen_free(&e->seen);
    key_tally_free(&e->keys);
    free(e);
}

int dealscore_engine_set_flags(dealscore_engine *e, unsigned flags, char *err, size_t errlen) {
    if (!e) {
        snprintf(err, errlen, "no engine");
        return -1;
    }
    dsl_scorer *s = &e->scorer;
    s->flags = flags & DEALSCORE_EXPLAIN ? DS_OUT_EXPLAIN : 0;
    if ((flags & DEALSCORE_ACTIONS) &&
        dsl_scorer_enable_actions(s, e->max_actions, err, errlen) < 0) {
        s->flags = e->flags & DEALSCORE_EXPLAIN ? DS_OUT_EXPLAIN : 0;
        return -1;
    }
    if ((flags & DEALSCORE_QUESTIONS) &&
        dsl_scorer_enable_questions(s, e->max_questions, err, errlen) < 0) {
        s->flags = e->flags & DEALSCORE_EXPLAIN ? DS_OUT_EXPLAIN : 0;
        return -1;
    }
    s->want_actions = (flags & DEALSCORE_PROPOSALS) != 0;
    s->questions_exact = (flags & DEALSCORE_QUESTIONS_EXACT) != 0;
    s->seen = flags & DEALSCORE_UNIQUE_IDS ? &e->seen : NULL;
    e->flags = flags;
    return 0;
}

unsigned dealscore_engine_flags(const dealscore_engine *e) {
    return e ? e->flags : 0;
}

int dealscore_engine_set_as_of(dealscore_engine *e, const char *date) {
    int day = DS_NO_DATE;
    if (!e || (date && !ds_date_parse(date, &day))) return -1;
    e->scorer.default_as_of = day;
    return 0;
}

int dealscore_engine_use_policy(dealscore_engine *e, const char *name) {
    if (!e) return -1;
    if (!name) {
        e->scorer.policy = NULL;
        return 0;
    }
    dsl_policy *p = dsl_policies_get(e->scorer.policies, name);
    if (!p) return -1;
    e->scorer.policy = p;
    return 0;
}

const char *dealscore_engine_policy_label(const dealscore_engine *e, const char *name) {
    dsl_policy *p = e ? dsl_policies_get(e->scorer.policies, name) : NULL;
    return p ? dsl_policy_label(p) : NULL;
}

bool dealscore_engine_policy_has_actions(const dealscore_engine *e, const char *name) {
    dsl_policy *p = e ? dsl_policies_get(e->scorer.policies, name) : NULL;
    return p && dsl_policy_has_actions(p);
}

void dealscore_engine_policy_names(const dealscore_engine *e, char *out, size_t len) {
    if (!e) {
        if (len) out[0] = '\0';
        return;
    }
    dsl_policies_names(e->scorer.policies, out, len);
}

size_t dealscore_engine_lua_memory(const dealscore_engine *e) {
    return e ? dsl_policies_memory(e->scorer.policies) : 0;
}

size_t dealscore_engine_deal_memory(const dealscore_engine *e) {
    return e ? e->scorer.arena.limit : 0;
}

long dealscore_engine_undated(const dealscore_engine *e) {
    return e ? e->scorer.undated : 0;
}

void dealscore_engine_new_batch(dealscore_engine *e) {
    if (!e) return;
    ds_seen_free(&e->seen);
    ds_seen_init(&e->seen);
}

dsl_scorer *dealscore_engine_scorer(dealscore_engine *e) {
    return &e->scorer;
}

/* ---- scoring ---- */

const dealscore_result *dealscore_score(dealscore_engine *e, const char *text, size_t len,
                                        const char *where) {
    if (!e) return NULL;
    if (!where) where = "";
    if (!text) len = 0;
    int rc = dsl_scorer_run(&e->scorer, text ? text : "", len, where);
    dealscore_result_fill(e, rc, where);
    if (e->result.n_key_notes) key_tally_add(&e->keys, &e->result);
    return &e->result;
}

const dealscore_result *dealscore_score_table(dealscore_engine *e, lua_State *L, int policy,
                                              const char *source, const char *text, size_t len,
                                              const char *where) {
    if (!e || !L) return NULL;
    dsl_scorer *s = &e->scorer;
    s->table = (dsl_policy_table){L, lua_absindex(L, policy), source ? source : "policy table"};
    const dealscore_result *r = dealscore_score(e, text, len, where);
    s->table.L = NULL;
    return r;
}

const dealscore_result *dealscore_reject(dealscore_engine *e, const char *code,
                                         const char *message) {
    if (!e) return NULL;
    dsl_scorer *s = &e->scorer;
    ds_arena_reset(&s->arena);
    s->scored = s->validated = false;
    s->deal_id = NULL;
    s->n_actions = 0;
    s->actions = NULL;
    dsl_scorer_reject(s, code ? code : "bad_input", message ? message : "");
    dealscore_result_fill(e, 1, "");
    return &e->result;
}

const char *dealscore_score_name(int score) {
    return score >= 0 && score < DEALSCORE_NSCORES ? ds_score_names[score] : NULL;
}
