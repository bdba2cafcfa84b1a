/* dspy_engine.c: the Python binding's engine calls (dspy_engine.h), made over
 * the policy runtime's one-deal pipeline (dsl_scorer), the way the CLI's
 * workers use it. This is the only file of bindings/python that knows the
 * engine's internals: when the public API of lib/dealscore.h is installed,
 * it is rewritten over that API and nothing else of the binding changes. */
#include "dspy_engine.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ds_idset.h"
#include "ds_json.h"
#include "dsl.h"

#ifndef DEALSCORE_DATADIR
#define DEALSCORE_DATADIR "."
#endif

struct dspy_shared {
    ds_params params;
    dsl_config config;
    char *specs[DSPY_MAX_POLICIES + 1]; /* the config's paths point into these */
    char *field;
    int as_of;
    size_t deal_memory;
};

struct dspy_engine {
    const dspy_shared *sh;
    dsl_scorer scorer;
    ds_idset seen;
};

/* Bundled files (the default model and policy): under $DEALSCORE_HOME when set,
 * else under the home the binding was given (the tree it was built from, or
 * where it was installed). */
static void bundled(char *out, size_t len, const char *home, const char *relative) {
    const char *env = getenv("DEALSCORE_HOME");
    if (env && *env) home = env;
    int n = snprintf(out, len, "%s/%s", home ? home : DEALSCORE_DATADIR, relative);
    if (n < 0 || (size_t)n >= len) out[0] = '\0';
}

static pthread_once_t json_once = PTHREAD_ONCE_INIT;

void dspy_shared_close(dspy_shared *sh) {
    if (!sh) return;
    ds_params_free(&sh->params);
    for (int i = 0; i <= DSPY_MAX_POLICIES; i++) free(sh->specs[i]);
    free(sh->field);
    free(sh);
}

/* The policy files, the bundled default one unless "default" is named, and
 * the field that picks a policy, as `dealscore score` reads --policy. */
static int add_policies(dspy_shared *sh, const dspy_setup *s, char *err, size_t errlen) {
    dsl_config *c = &sh->config;
    bool named = false;
    for (int i = 0; i < s->n_policies; i++) {
        if (!(sh->specs[i] = strdup(s->policies[i]))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        char why[256];
        if (dsl_config_add(c, sh->specs[i], why, sizeof why) < 0) {
            snprintf(err, errlen, "policies: %s", why);
            return -1;
        }
    }
    bool has_default = false;
    for (int i = 0; i < c->n; i++) {
        if (strcmp(c->policies[i].name, "default") == 0)
            has_default = true;
        else
            named = true;
    }
    if (!has_default) {
        char path[PATH_MAX];
        bundled(path, sizeof path, s->home, "scripts/default.lua");
        if (!(sh->specs[DSPY_MAX_POLICIES] = strdup(path)) ||
            dsl_config_add(c, sh->specs[DSPY_MAX_POLICIES], err, errlen) < 0) {
            snprintf(err, errlen, "too many policies");
            return -1;
        }
    }
    if (s->policy_field && !(sh->field = strdup(s->policy_field))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->field = sh->field ? sh->field : named ? "policy" : NULL;
    return 0;
}

static int set_limits(dspy_shared *sh, const dspy_setup *s, char *err, size_t errlen) {
    dsl_limits *l = &sh->config.limits;
    if (dsl_limits_from_model(l, &sh->params, err, errlen) < 0) return -1;
    if (s->instructions >= 0) l->instructions = s->instructions;
    if (s->memory_mb > 1000000) {
        snprintf(err, errlen, "policy_memory takes megabytes up to 1000000, not %lld",
                 s->memory_mb);
        return -1;
    }
    if (s->memory_mb >= 0) l->memory = (size_t)s->memory_mb << 20;
    return 0;
}

dspy_shared *dspy_shared_open(const dspy_setup *s, char *err, size_t errlen) {
    pthread_once(&json_once, ds_json_init);
    if (s->n_policies > DSPY_MAX_POLICIES) {
        snprintf(err, errlen, "at most %d policies", DSPY_MAX_POLICIES);
        return NULL;
    }
    dspy_shared *sh = calloc(1, sizeof *sh);
    if (!sh) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sh->as_of = DS_NO_DATE;
    sh->deal_memory = s->deal_memory;
    if (s->as_of && !ds_date_parse(s->as_of, &sh->as_of)) {
        snprintf(err, errlen, "as_of takes a date YYYY-MM-DD, not '%s'", s->as_of);
        free(sh);
        return NULL;
    }
    char path[PATH_MAX];
    if (!s->model) bundled(path, sizeof path, s->home, "models/default.json");
    if (ds_params_load_file(&sh->params, s->model ? s->model : path, err, errlen) < 0) {
        free(sh);
        return NULL;
    }
    if (add_policies(sh, s, err, errlen) < 0 || set_limits(sh, s, err, errlen) < 0) {
        dspy_shared_close(sh);
        return NULL;
    }
    return sh;
}

const char *dspy_shared_model(const dspy_shared *sh) {
    return sh->params.label;
}

dspy_engine *dspy_engine_new(const dspy_shared *sh, char *err, size_t errlen) {
    dspy_engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->sh = sh;
    if (dsl_scorer_open(&e->scorer, &sh->params, &sh->config, err, errlen) < 0) {
        free(e);
        return NULL;
    }
    e->scorer.default_as_of = sh->as_of;
    if (sh->deal_memory) e->scorer.arena.limit = sh->deal_memory;
    ds_idset_init(&e->seen);
    e->scorer.seen = &e->seen;
    return e;
}

void dspy_engine_free(dspy_engine *e) {
    if (!e) return;
    dsl_scorer_free(&e->scorer);
    ds_idset_free(&e->seen);
    free(e);
}

int dspy_engine_begin(dspy_engine *e, unsigned flags, int max_actions, int max_questions, char *err,
                      size_t errlen) {
    dsl_scorer *s = &e->scorer;
    s->flags = flags & DSPY_EXPLAIN ? DS_OUT_EXPLAIN : 0;
    if (flags & DSPY_ACTIONS && dsl_scorer_enable_actions(s, max_actions, err, errlen) < 0)
        return -1;
    if (flags & DSPY_QUESTIONS && dsl_scorer_enable_questions(s, max_questions, err, errlen) < 0)
        return -1;
    ds_idset_free(&e->seen);
    ds_idset_init(&e->seen);
    return 0;
}

int dspy_engine_score(dspy_engine *e, const char *text, size_t len, const char *where,
                      const char **json, size_t *json_len) {
    int rc = dsl_scorer_run(&e->scorer, text, len, where);
    *json = e->scorer.out.data ? e->scorer.out.data : "";
    *json_len = e->scorer.out.len;
    return rc;
}

long dspy_engine_undated(const dspy_engine *e) {
    return e->scorer.undated;
}
