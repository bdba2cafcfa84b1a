/* dspy_engine.c: the Python binding's engine calls (dspy_engine.h) over the
 * public engine API of lib/dealscore.h, and nothing else of the engine: the
 * model is one dealscore_model shared by every thread, each dspy_engine one
 * dealscore_engine. This is the only file of bindings/python that calls the
 * engine; the CPython side (dspy_module.c) sees only dspy_engine.h. */
#include "dspy_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore.h"

struct dspy_shared {
    dealscore_model *model;
    dealscore_options options; /* its strings point into the copies below */
    char *strings[2 * DSPY_MAX_POLICIES + 2];
    int n_strings;
};

struct dspy_engine {
    const dspy_shared *sh;
    dealscore_engine *engine;
    int max_actions, max_questions; /* the counts it was opened with */
    int report;                     /* DSPY_REPORT_* */
    const dealscore_result *last;
    /* the typed result of the line handed over last (NULL: a line of the
     * binding's own, when memory ran out writing the engine's) */
    const dealscore_result *typed;
};

/* A copy the shared setup keeps (NULL stays NULL); -1 when out of memory. */
static int keep(dspy_shared *sh, const char *s, const char **out, char *err, size_t errlen) {
    *out = NULL;
    if (!s) return 0;
    char *c = strdup(s);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sh->strings[sh->n_strings++] = c;
    *out = c;
    return 0;
}

void dspy_shared_close(dspy_shared *sh) {
    if (!sh) return;
    dealscore_model_free(sh->model);
    for (int i = 0; i < sh->n_strings; i++) free(sh->strings[i]);
    free(sh);
}

/* The options every engine is opened with: the policies, the field, the
 * budgets and the date (the library adds the bundled default policy). */
static int set_options(dspy_shared *sh, const dspy_setup *s, char *err, size_t errlen) {
    dealscore_options *o = &sh->options;
    dealscore_options_init(o);
    for (int i = 0; i < s->n_policies; i++) {
        const char *name, *path;
        if (keep(sh, s->names[i], &name, err, errlen) < 0 ||
            keep(sh, s->paths[i], &path, err, errlen) < 0 ||
            dealscore_options_policy(o, name, path, err, errlen) < 0)
            return -1;
    }
    if (keep(sh, s->policy_field, &o->policy_field, err, errlen) < 0 ||
        keep(sh, s->as_of, &o->as_of, err, errlen) < 0)
        return -1;
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
    /* NULL: the bundled model, found as the program finds it ($DEALSCORE_HOME,
     * the installed share/dealscore, the source tree of the build) */
    if (!(sh->model = dealscore_model_load(s->model, err, errlen)) ||
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

int dspy_engine_begin(dspy_engine *e, unsigned flags, int max_actions, int max_questions,
                      int report, char *err, size_t errlen) {
    e->report = report;
    e->last = NULL;
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
    const dealscore_result *r = e->last = dealscore_score(e->engine, text, len, where);
    *json = dealscore_result_json(e->engine, r, json_len);
    e->typed = *json ? r : NULL;
    if (!*json) { /* out of memory writing it: an error line the caller can print */
        *json = "{\"id\":null,\"error\":{\"code\":\"out_of_memory\",\"message\":\"no memory "
                "for the result\",\"path\":\"$\"}}";
        *json_len = strlen(*json);
        return 1;
    }
    return r->error.code != NULL;
}

char *dspy_error_json(const char *id, const char *code, const char *message, const char *path,
                      size_t *len) {
    dealscore_error err = {.code = code, .message = message, .path = path, .where = ""};
    return dealscore_error_json(id, &err, len);
}

char *dspy_engine_report(dspy_engine *e, size_t *len) {
    if (e->report == DSPY_REPORT_NONE || !e->last || e->last->error.code) return NULL;
    dealscore_explain_style style = {.format = e->report == DSPY_REPORT_MARKDOWN
                                                   ? DEALSCORE_EXPLAIN_MARKDOWN
                                                   : DEALSCORE_EXPLAIN_TEXT};
    return dealscore_explain(e->engine, e->last, &style, len);
}

/* ---- files, through the library's reader ---- */

typedef struct file_run {
    dspy_engine *e;
    dspy_result_fn fn;
    void *ctx;
} file_run;

static int on_deal(void *ctx, const char *text, size_t len, const char *where) {
    file_run *run = ctx;
    const char *json;
    size_t json_len;
    int failed = dspy_engine_score(run->e, text, len, where, &json, &json_len);
    return run->fn(run->ctx, json, json_len, failed, where);
}

static int on_reject(void *ctx, const char *code, const char *message) {
    file_run *run = ctx;
    const dealscore_result *r = run->e->last = dealscore_reject(run->e->engine, code, message);
    size_t len;
    const char *json = dealscore_result_json(run->e->engine, r, &len);
    run->e->typed = json ? r : NULL;
    if (!json) {
        json = "{\"id\":null,\"error\":{\"code\":\"out_of_memory\",\"message\":\"no memory "
               "for the result\",\"path\":\"$\"}}";
        len = strlen(json);
    }
    return run->fn(run->ctx, json, len, 1, "");
}

int dspy_engine_score_file(dspy_engine *e, FILE *f, const char *name, dspy_result_fn fn,
                           void *ctx) {
    file_run run = {e, fn, ctx};
    dealscore_input in = {.deal = on_deal,
                          .reject = on_reject,
                          .ctx = &run,
                          .max_deal_bytes = dealscore_engine_deal_memory(e->engine)};
    return dealscore_input_read(f, name, &in);
}

int dspy_engine_copy(dspy_engine *e, void **copy) {
    *copy = NULL;
    if (!e->typed) return 0;
    *copy = dealscore_result_copy(e->typed);
    return *copy ? 0 : -1;
}

void dspy_result_free(void *copy) {
    dealscore_result_free(copy);
}

/* ---- CRM exports, through the library's CSV import ---- */

typedef struct csv_run {
    dspy_engine *e;
    dspy_result_fn fn;
    dspy_message_fn msg;
    void *ctx;
} csv_run;

static const char out_of_memory[] = "{\"id\":null,\"error\":{\"code\":\"out_of_memory\","
                                    "\"message\":\"no memory for the result\",\"path\":\"$\"}}";

/* A joined deal scored; an error inside one of its rows named as the program names it. */
static int on_csv_deal(void *ctx, const char *text, size_t len, const char *where, long long bytes,
                       const dealscore_csv_origin *origin) {
    (void)bytes;
    csv_run *run = ctx;
    const char *json;
    size_t json_len;
    int failed = dspy_engine_score(run->e, text, len, where, &json, &json_len);
    dealscore_result located;
    char message[256]; /* as the program's */
    const dealscore_result *r = failed ? dealscore_csv_locate(run->e->last, origin, where, &located,
                                                              message, sizeof message)
                                       : NULL;
    if (!r || r == run->e->last) return run->fn(run->ctx, json, json_len, failed, where);
    char *own = dealscore_error_json(r->id, &r->error, &json_len);
    run->e->typed = own ? r : NULL; /* the located result, as its line says */
    int stop = run->fn(run->ctx, own ? own : out_of_memory, own ? json_len : strlen(out_of_memory),
                       1, where);
    free(own);
    return stop;
}

/* A deal row that cannot be a deal. */
static int on_csv_error(void *ctx, const char *id, const dealscore_error *err, long long bytes) {
    (void)bytes;
    csv_run *run = ctx;
    run->e->last = NULL; /* no report */
    size_t len;
    char *json = dealscore_error_json(id, err, &len);
    /* typed as its line says it: the line holds message and path whole when they fit
     * the writer's fields (ds_error's 256 bytes), as they do from the import */
    dealscore_result typed = {.id = id, .error = *err};
    bool whole = err->message && err->path && strlen(err->message) < 256 && strlen(err->path) < 256;
    run->e->typed = json && whole ? &typed : NULL;
    int stop =
        run->fn(run->ctx, json ? json : out_of_memory, json ? len : strlen(out_of_memory), 1, "");
    free(json);
    return stop;
}

static void on_csv_message(void *ctx, int kind, const char *text) {
    csv_run *run = ctx;
    run->msg(run->ctx,
             kind == DEALSCORE_CSV_ERROR     ? "error"
             : kind == DEALSCORE_CSV_WARNING ? "warning"
                                             : "note",
             text);
}

/* One character of an option (NULL: 0); -1 when it is none of `allowed`. */
static int csv_char(const char *name, const char *v, const char *allowed, char *out, char *err,
                    size_t errlen) {
    *out = 0;
    if (!v) return 0;
    char c = dealscore_csv_delimiter(v);
    if (!c || !strchr(allowed, c)) {
        snprintf(err, errlen, "%s takes one of %s, not '%s'", name,
                 strcmp(name, "delimiter") == 0 ? ", ; tab |" : allowed, v);
        return -1;
    }
    *out = c;
    return 0;
}

/* The library's options from the binding's, checked as the program checks them. */
static int csv_options(const dspy_csv *c, dealscore_csv_options *o, char *err, size_t errlen) {
    *o = (dealscore_csv_options){.deals = c->deals,
                                 .stakeholders = c->stakeholders,
                                 .relationships = c->relationships,
                                 .contacts = c->contacts,
                                 .titles = c->titles,
                                 .mapping = c->mapping,
                                 .encoding = c->encoding,
                                 .date_format = c->date_format};
    if (csv_char("delimiter", c->delimiter, ",;\t|", &o->delimiter, err, errlen) < 0 ||
        csv_char("decimal", c->decimal, ".,", &o->decimal, err, errlen) < 0 ||
        csv_char("thousands", c->thousands, ",. '", &o->thousands, err, errlen) < 0)
        return -1;
    if (o->decimal && o->decimal == o->thousands) {
        snprintf(err, errlen, "decimal and thousands are the same character");
        return -1;
    }
    if (c->encoding && !dealscore_csv_encoding_known(c->encoding)) {
        snprintf(err, errlen,
                 "encoding: iconv does not know '%s' (try windows-1252, latin1, utf-16)",
                 c->encoding);
        return -1;
    }
    if (c->date_format && !dealscore_csv_date_format_ok(c->date_format)) {
        snprintf(err, errlen,
                 "date_format: '%s' is not a date format (YYYY, M or MM, D or DD, once each, "
                 "and separators: DD.MM.YYYY, M/D/YYYY)",
                 c->date_format);
        return -1;
    }
    return 0;
}

int dspy_engine_score_csv(dspy_engine *e, const dspy_csv *c, dspy_result_fn fn, dspy_message_fn msg,
                          void *ctx, char *err, size_t errlen) {
    dealscore_csv_options o;
    if (csv_options(c, &o, err, errlen) < 0) return -2;
    csv_run run = {e, fn, msg, ctx};
    o.max_deal_memory = dealscore_engine_deal_memory(e->engine);
    o.message = on_csv_message;
    o.message_ctx = &run;
    dealscore_csv *csv = dealscore_csv_open(&o);
    if (!csv) return -1;
    dealscore_csv_sink sink = {on_csv_deal, on_csv_error, &run};
    int rc = dealscore_csv_run(csv, &sink, NULL);
    dealscore_csv_close(csv);
    return rc < 0 ? -1 : 0;
}

long dspy_engine_undated(const dspy_engine *e) {
    return dealscore_engine_undated(e->engine);
}
