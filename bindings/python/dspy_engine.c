/* dspy_engine.c: the Python binding's engine calls (dspy_engine.h) over the
 * public engine API of lib/dealscore.h, and nothing else of the engine: the
 * model is one dealscore_model shared by every thread, each dspy_engine one
 * dealscore_engine. This is the only file of bindings/python that calls the
 * engine; the CPython side (dspy_module.c) sees only dspy_engine.h. */
#include "dspy_engine.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore.h"

struct dspy_shared {
    dealscore_model *model;
    dealscore_options options;          /* its strings point into the copies below */
    char *specs[DSPY_MAX_POLICIES + 1]; /* the policies; the last: the bundled default */
    char *field, *as_of;
    char home[PATH_MAX];
};

struct dspy_engine {
    const dspy_shared *sh;
    dealscore_engine *engine;
    int max_actions, max_questions; /* the counts it was opened with */
};

/* Bundled files: under $DEALSCORE_HOME when set, else the home the binding was
 * given (the tree it was built from, or where it was installed). */
static void set_home(dspy_shared *sh, const char *home) {
    const char *env = getenv("DEALSCORE_HOME");
    if (env && *env) home = env;
    snprintf(sh->home, sizeof sh->home, "%s", home ? home : ".");
}

/* Whether a policy spec names the default policy: "FILE", or "default=FILE"
 * ('=' after a '/' is part of the file name, as --policy reads it). */
static int names_default(const char *spec) {
    const char *eq = strchr(spec, '=');
    if (eq && memchr(spec, '/', (size_t)(eq - spec))) eq = NULL;
    return !eq || (eq - spec == 7 && strncmp(spec, "default", 7) == 0);
}

static char *copy(const char *s, char *err, size_t errlen) {
    char *c = s ? strdup(s) : NULL;
    if (s && !c) snprintf(err, errlen, "out of memory");
    return c;
}

void dspy_shared_close(dspy_shared *sh) {
    if (!sh) return;
    dealscore_model_free(sh->model);
    for (int i = 0; i <= DSPY_MAX_POLICIES; i++) free(sh->specs[i]);
    free(sh->field);
    free(sh->as_of);
    free(sh);
}

/* The options every engine is opened with: the policies (the bundled default
 * added unless one is the default), the field, the budgets and the date. */
static int set_options(dspy_shared *sh, const dspy_setup *s, char *err, size_t errlen) {
    dealscore_options *o = &sh->options;
    dealscore_options_init(o);
    int has_default = 0;
    for (int i = 0; i < s->n_policies; i++) {
        if (!(sh->specs[i] = copy(s->policies[i], err, errlen)) ||
            dealscore_options_policy(o, sh->specs[i], err, errlen) < 0)
            return -1;
        has_default |= names_default(s->policies[i]);
    }
    if (!has_default) {
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/scripts/default.lua", sh->home);
        if (!(sh->specs[DSPY_MAX_POLICIES] = copy(path, err, errlen)) ||
            dealscore_options_policy(o, sh->specs[DSPY_MAX_POLICIES], err, errlen) < 0)
            return -1;
    }
    if ((s->policy_field && !(sh->field = copy(s->policy_field, err, errlen))) ||
        (s->as_of && !(sh->as_of = copy(s->as_of, err, errlen))))
        return -1;
    o->policy_field = sh->field;
    o->as_of = sh->as_of;
    o->instructions = s->instructions;
    if (s->memory_mb > 1000000) {
        snprintf(err, errlen, "policy_memory takes megabytes up to 1000000, not %lld",
                 s->memory_mb);
        return -1;
    }
    o->memory_bytes = s->memory_mb < 0 ? -1 : s->memory_mb << 20;
    o->deal_memory = s->deal_memory;
    return 0;
}

dspy_shared *dspy_shared_open(const dspy_setup *s, char *err, size_t errlen) {
    if (s->n_policies > DSPY_MAX_POLICIES) {
        snprintf(err, errlen, "at most %d policies", DSPY_MAX_POLICIES);
        return NULL;
    }
    dspy_shared *sh = calloc(1, sizeof *sh);
    if (!sh) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    set_home(sh, s->home);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/models/default.json", sh->home);
    if (!(sh->model = dealscore_model_load(s->model ? s->model : path, err, errlen)) ||
        set_options(sh, s, err, errlen) < 0) {
        dspy_shared_close(sh);
        return NULL;
    }
    return sh;
}

const char *dspy_shared_model(const dspy_shared *sh) {
    return dealscore_model_label(sh->model);
}

/* A dealscore_engine with the shared options and these counts. */
static dealscore_engine *open_engine(const dspy_shared *sh, int max_actions, int max_questions,
                                     char *err, size_t errlen) {
    dealscore_options o = sh->options;
    o.max_actions = max_actions;
    o.max_questions = max_questions;
    return dealscore_engine_new(sh->model, &o, err, errlen);
}

dspy_engine *dspy_engine_new(const dspy_shared *sh, char *err, size_t errlen) {
    dspy_engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->sh = sh;
    e->max_actions = e->max_questions = -1;
    if (!(e->engine = open_engine(sh, -1, -1, err, errlen))) {
        free(e);
        return NULL;
    }
    return e;
}

void dspy_engine_free(dspy_engine *e) {
    if (!e) return;
    dealscore_engine_free(e->engine);
    free(e);
}

int dspy_engine_begin(dspy_engine *e, unsigned flags, int max_actions, int max_questions, char *err,
                      size_t errlen) {
    /* the counts are fixed when an engine opens: other counts, another engine */
    if (((flags & DSPY_ACTIONS) && max_actions != e->max_actions) ||
        ((flags & DSPY_QUESTIONS) && max_questions != e->max_questions)) {
        int a = flags & DSPY_ACTIONS ? max_actions : e->max_actions;
        int q = flags & DSPY_QUESTIONS ? max_questions : e->max_questions;
        dealscore_engine *other = open_engine(e->sh, a, q, err, errlen);
        if (!other) return -1;
        dealscore_engine_free(e->engine);
        e->engine = other;
        e->max_actions = a;
        e->max_questions = q;
    }
    unsigned api = DEALSCORE_UNIQUE_IDS | (flags & DSPY_EXPLAIN ? DEALSCORE_EXPLAIN : 0) |
                   (flags & DSPY_ACTIONS ? DEALSCORE_ACTIONS : 0) |
                   (flags & DSPY_QUESTIONS ? DEALSCORE_QUESTIONS : 0);
    if (dealscore_engine_set_flags(e->engine, api, err, errlen) < 0) return -1;
    dealscore_engine_new_batch(e->engine);
    return 0;
}

int dspy_engine_score(dspy_engine *e, const char *text, size_t len, const char *where,
                      const char **json, size_t *json_len) {
    const dealscore_result *r = dealscore_score(e->engine, text, len, where);
    *json = dealscore_result_json(e->engine, r, json_len);
    if (!*json) { /* out of memory writing it: an error line the caller can print */
        *json = "{\"id\":null,\"error\":{\"code\":\"out_of_memory\",\"message\":\"no memory "
                "for the result\",\"path\":\"$\"}}";
        *json_len = strlen(*json);
        return 1;
    }
    return r->error.code != NULL;
}

long dspy_engine_undated(const dspy_engine *e) {
    return dealscore_engine_undated(e->engine);
}
