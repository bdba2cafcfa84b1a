/* dealscore_result.c: the typed result of one deal, and its JSON at the edge.
 *
 * After a run, the scorer holds the decoded deal, the analysis and the policy's
 * outcome (or the error). The result points into them and into the deal's arena,
 * converting only what a front end cannot read directly (stakeholder indexes
 * become ids, a question's words and answers become text), and only for the
 * parts asked for. The JSON line is the scorer's, written by core/ds_result.c
 * with the key order and rounding of docs/output.md: one writer, so a result
 * read field by field and its JSON line never disagree. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore_internal.h"
#include "ds_json.h"

/* the inferred fields are handed over as the core keeps them */
/* one rounding rule: the line's (core/ds_result.c) and the typed readers' */
_Static_assert(DEALSCORE_DECIMALS_SCORE == DS_DECIMALS_SCORE &&
                   DEALSCORE_DECIMALS_GAIN == DS_DECIMALS_GAIN &&
                   DEALSCORE_DECIMALS_SHARE == DS_DECIMALS_SHARE,
               "the public decimals are the writer's");
_Static_assert(sizeof(dealscore_key_note) == sizeof(ds_key_note) &&
                   offsetof(dealscore_key_note, field) == offsetof(ds_key_note, field) &&
                   DEALSCORE_KEY_NOTES_MAX == DS_KEY_NOTES_MAX,
               "dealscore_key_note mirrors ds_key_note");
_Static_assert(sizeof(dealscore_inferred) == sizeof(ds_inferred) &&
                   offsetof(dealscore_inferred, source) == offsetof(ds_inferred, source),
               "dealscore_inferred mirrors ds_inferred");

/* The line number in a position the input reader wrote ("deals.jsonl:17",
 * "deals.jsonl:17 element 3") or the service ("line 17"), else 0. */
static long line_of(const char *where) {
    const char *digits = NULL;
    if (strncmp(where, "line ", 5) == 0) digits = where + 5;
    for (const char *p = strchr(where, ':'); !digits && p; p = strchr(p + 1, ':')) {
        const char *q = p + 1;
        while (*q >= '0' && *q <= '9') q++;
        if (q > p + 1 && (*q == '\0' || *q == ' ')) digits = p + 1;
    }
    if (!digits || *digits < '0' || *digits > '9') return 0;
    return strtol(digits, NULL, 10);
}

static const dealscore_factor *factors(ds_arena *a, const ds_deal *d, const ds_factor *f, int n) {
    if (n == 0) return NULL;
    dealscore_factor *out = ds_arena_alloc_raw(a, (size_t)n * sizeof *out);
    if (!out) return NULL;
    for (int i = 0; i < n; i++)
        out[i] =
            (dealscore_factor){f[i].factor, f[i].effect,
                               f[i].stakeholder >= 0 ? d->stakeholders[f[i].stakeholder].id : NULL,
                               f[i].detail ? f[i].detail : ""};
    return out;
}

static int fill_explain(dealscore_result *r, const dealscore_parts *s) {
    const ds_analysis *an = s->analysis;
    const ds_deal *d = an->deal;
    ds_arena *a = s->arena;
    for (int k = 0; k < DS_NSCORES; k++) {
        r->n_factors[k] = an->scores[k].n_factors;
        r->factors[k] = factors(a, d, an->scores[k].factors, an->scores[k].n_factors);
        if (r->n_factors[k] && !r->factors[k]) return -1;
    }
    r->n_viability_factors = s->outcome->n_factors;
    r->viability_factors = factors(a, d, s->outcome->factors, s->outcome->n_factors);
    if (r->n_viability_factors && !r->viability_factors) return -1;
    r->n_stakeholders = d->n_stakeholders;
    if (d->n_stakeholders == 0) return 0;
    dealscore_stakeholder *p = ds_arena_alloc_raw(a, (size_t)d->n_stakeholders * sizeof *p);
    if (!p) return -1;
    for (int i = 0; i < d->n_stakeholders; i++) {
        const ds_stakeholder *h = &d->stakeholders[i];
        p[i] = (dealscore_stakeholder){h->id,
                                       h->name,
                                       h->title,
                                       an->graph.effective[i],
                                       an->graph.predicted[i],
                                       h->n_inferred,
                                       (const dealscore_inferred *)h->inferred,
                                       (h->has_influence ? 0u : DEALSCORE_DEFAULTED_INFLUENCE) |
                                           (h->has_stance ? 0u : DEALSCORE_DEFAULTED_STANCE)};
    }
    r->stakeholders = p;
    return 0;
}

static int fill_actions(dealscore_result *r, const dealscore_parts *s) {
    const ds_outcome *o = s->outcome;
    r->n_actions = o->n_actions;
    if (o->n_actions == 0) return 0;
    dealscore_action *p = ds_arena_alloc_raw(s->arena, (size_t)o->n_actions * sizeof *p);
    if (!p) return -1;
    for (int i = 0; i < o->n_actions; i++)
        p[i] = (dealscore_action){o->actions[i].name, o->actions[i].target, o->actions[i].gain};
    r->actions = p;
    return 0;
}

/* The text b holds, copied into the arena (NULL when either ran out). */
static const char *arena_text(ds_arena *a, ds_buf *b) {
    ds_buf_putc(b, '\0');
    return b->failed ? NULL : ds_arena_strdup(a, b->data);
}

static int fill_questions(dealscore_result *r, const dealscore_parts *s) {
    const ds_outcome *o = s->outcome;
    const ds_deal *d = s->analysis->deal;
    r->n_questions = o->n_questions;
    if (o->n_questions == 0) return 0;
    dealscore_question *p = ds_arena_alloc(s->arena, (size_t)o->n_questions * sizeof *p);
    if (!p) return -1;
    ds_buf b;
    ds_buf_init(&b);
    int rc = 0;
    for (int i = 0; i < o->n_questions && rc == 0; i++) {
        const ds_question *q = &o->questions[i];
        int lo = ds_question_worse_end(q), hi = 1 - lo;
        char path[64];
        ds_question_path(q, path, sizeof path);
        p[i].field = ds_arena_strdup(s->arena, path);
        p[i].stakeholder = q->who >= 0 ? d->stakeholders[q->who].id : NULL;
        ds_buf_clear(&b);
        ds_question_write_words(&b, d, q);
        p[i].question = arena_text(s->arena, &b);
        p[i].low = q->viability[lo];
        p[i].high = q->viability[hi];
        p[i].swing = q->swing;
        p[i].verdicts[0] = q->verdict[lo];
        p[i].verdicts[1] = q->verdict[hi];
        for (int end = 0; end < 2; end++) {
            ds_buf_clear(&b);
            ds_question_write_answer(&b, d, q, end ? hi : lo);
            p[i].answers[end] = arena_text(s->arena, &b);
            if (!p[i].answers[end]) rc = -1;
        }
        if (!p[i].field || !p[i].question) rc = -1;
    }
    ds_buf_free(&b);
    r->questions = p;
    return rc;
}

static int fill_proposals(dealscore_result *r, const dealscore_parts *s) {
    r->n_proposals = s->n_proposals;
    if (s->n_proposals == 0) return 0;
    dealscore_proposal *p = ds_arena_alloc_raw(s->arena, (size_t)s->n_proposals * sizeof *p);
    if (!p) return -1;
    for (int i = 0; i < s->n_proposals; i++)
        p[i] = (dealscore_proposal){s->proposals[i].action, s->proposals[i].target,
                                    s->proposals[i].patch};
    r->proposals = p;
    return 0;
}

int dealscore_result_from(dealscore_result *r, const dealscore_parts *s, unsigned flags) {
    const ds_analysis *an = s->analysis;
    const ds_outcome *o = s->outcome;
    r->id = an->deal->id;
    r->policy = o->policy;
    r->model = an->params->label;
    for (int k = 0; k < DS_NSCORES; k++) r->scores[k] = an->scores[k].value;
    r->viability = o->viability;
    r->has_win_probability =
        ds_params_win_probability(an->params, o->policy, o->viability, &r->win_probability);
    r->overridden = o->overridden;
    r->computed_viability = o->computed_viability;
    r->verdict = o->verdict;
    r->n_reasons = o->n_reasons;
    r->reasons = o->reasons;
    r->n_warnings = an->n_warnings;
    r->warnings = an->warnings;
    r->coverage = an->coverage;
    r->n_key_notes = an->deal->n_key_notes;
    r->key_notes = (const dealscore_key_note *)an->deal->key_notes;
    r->flags = flags;
    unsigned f = flags;
    return (!(f & DEALSCORE_EXPLAIN) || fill_explain(r, s) == 0) &&
                   (!(f & DEALSCORE_ACTIONS) || fill_actions(r, s) == 0) &&
                   (!(f & DEALSCORE_QUESTIONS) || fill_questions(r, s) == 0) &&
                   (!(f & (DEALSCORE_PROPOSALS | DEALSCORE_ACTIONS)) || fill_proposals(r, s) == 0)
               ? 0
               : -1;
}

static void fill_error(dealscore_engine *e, dealscore_result *r, const char *where) {
    dsl_scorer *s = &e->scorer;
    r->id = s->error_id;
    r->error.code = s->error.code;
    r->error.message = s->error.message;
    r->error.path = s->error.path;
    r->error.where = where;
    r->error.line = line_of(where);
    if (s->validated) { /* the deal was read: its key notes hold */
        r->n_key_notes = s->deal.n_key_notes;
        r->key_notes = (const dealscore_key_note *)s->deal.key_notes;
    }
}

int dealscore_result_fill(dealscore_engine *e, int rc, const char *where) {
    dsl_scorer *s = &e->scorer;
    dealscore_result *r = &e->result;
    memset(r, 0, sizeof *r);
    r->validated = s->validated;
    const char *copy = ds_arena_strdup(&s->arena, where);
    if (rc == 0) {
        dealscore_parts parts = {&s->analysis, &s->outcome, &s->arena, s->actions, s->n_actions};
        if (copy && dealscore_result_from(r, &parts, e->flags) == 0) return 0;
        /* the result would be incomplete: the deal is out of memory, as the
         * scorer would have said had its own writing run out */
        ds_error_set(&s->error, "out_of_memory", "$",
                     "%.120s: deal needs more memory than the limit of %zu MiB per deal", where,
                     s->arena.limit >> 20);
        s->error_id = s->deal.id;
        s->scored = false;
        ds_buf_clear(&s->out);
        ds_result_write_error(&s->out, s->error_id, &s->error);
        memset(r, 0, sizeof *r);
        r->validated = s->validated;
    }
    fill_error(e, r, copy ? copy : "");
    return rc == 0 ? -1 : 0;
}

const char *dealscore_result_json(dealscore_engine *e, const dealscore_result *r, size_t *len) {
    if (!e || !r || r != &e->result || e->scorer.out.failed) return NULL;
    if (len) *len = e->scorer.out.len;
    /* the scorer's buffer is not NUL-terminated: give it one past the end */
    ds_buf *out = &e->scorer.out;
    ds_buf_putc(out, '\0');
    if (out->failed) return NULL;
    out->len--;
    return out->data;
}

dealscore_error dealscore_duplicate_error(const char *id, const char *where, char *message,
                                          size_t len) {
    ds_error err;
    dsl_scorer_duplicate_error(&err, id ? id : "", where ? where : "", NULL);
    if (message && len) snprintf(message, len, "%s", err.message);
    return (dealscore_error){.code = err.code, /* static, as every error code */
                             .message = message && len ? message : "",
                             .path = "$.id", /* err.path, which is err's own */
                             .where = where ? where : "",
                             .line = where ? line_of(where) : 0};
}

struct dealscore_ids {
    ds_seen seen;
};

dealscore_ids *dealscore_ids_new(void) {
    dealscore_ids *ids = malloc(sizeof *ids);
    if (ids) ds_seen_init(&ids->seen);
    return ids;
}

void dealscore_ids_free(dealscore_ids *ids) {
    if (!ids) return;
    ds_seen_free(&ids->seen);
    free(ids);
}

int dealscore_ids_add(dealscore_ids *ids, const char *id, const char *where, dealscore_error *dup,
                      char *message, size_t len) {
    if (!ids || !id || !dup) return -1;
    ds_seen_first first;
    int rc = ds_seen_add(&ids->seen, id, where, &first);
    if (rc != 1) return rc;
    ds_error err;
    dsl_scorer_duplicate_error(&err, id, where ? where : "", &first);
    if (message && len) snprintf(message, len, "%s", err.message);
    *dup = (dealscore_error){.code = err.code,
                             .message = message && len ? message : "",
                             .path = "$.id",
                             .where = where ? where : "",
                             .line = where ? line_of(where) : 0};
    return 1;
}

char *dealscore_error_json(const char *id, const dealscore_error *err, size_t *len) {
    if (!err || !err->code) return NULL;
    ds_error e = {.code = err->code};
    snprintf(e.message, sizeof e.message, "%s", err->message ? err->message : "");
    snprintf(e.path, sizeof e.path, "%s", err->path ? err->path : "$");
    ds_buf b;
    ds_buf_init(&b);
    ds_result_write_error(&b, id, &e);
    return ds_buf_take(&b, len);
}

dealscore_error dealscore_error_make(const char *code, const char *path, const char *message,
                                     char *buf, size_t len) {
    _Static_assert(sizeof(((ds_error *)0)->message) == DEALSCORE_MESSAGE_MAX, "one message size");
    ds_error e;
    ds_error_set(&e, code, "$", "%s", message ? message : ""); /* cut and scrubbed */
    if (buf && len) {
        snprintf(buf, len, "%s", e.message);
        ds_utf8_scrub(buf); /* a shorter buffer may cut a character too */
    }
    return (dealscore_error){.code = code,
                             .message = buf && len ? buf : "",
                             .path = path ? path : "$",
                             .where = "",
                             .line = 0};
}

/* ---- a result that outlives the engine's next call ---- */

/* Copies a result into one block: a first pass (base NULL) measures, the
 * second copies, taking the same pieces in the same order. */
typedef struct copier {
    char *base; /* NULL while measuring */
    size_t size;
} copier;

static void *take(copier *c, size_t n, size_t align) {
    c->size = (c->size + align - 1) & ~(align - 1);
    void *p = c->base ? c->base + c->size : NULL;
    c->size += n;
    return p;
}

static const char *copy_str(copier *c, const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *p = take(c, n, 1);
    if (p) memcpy(p, s, n);
    return p;
}

static const char *const *copy_strs(copier *c, const char *const *s, int n) {
    const char **out = take(c, sizeof *out * (size_t)n, _Alignof(const char *));
    for (int i = 0; i < n; i++) {
        const char *x = copy_str(c, s[i]);
        if (out) out[i] = x;
    }
    return out;
}

static const dealscore_factor *copy_factors(copier *c, const dealscore_factor *f, int n) {
    dealscore_factor *out = take(c, sizeof *out * (size_t)n, _Alignof(dealscore_factor));
    for (int i = 0; i < n; i++) {
        dealscore_factor x = {copy_str(c, f[i].factor), f[i].effect, copy_str(c, f[i].stakeholder),
                              copy_str(c, f[i].detail)};
        if (out) out[i] = x;
    }
    return out;
}

static const dealscore_stakeholder *copy_people(copier *c, const dealscore_stakeholder *p, int n) {
    dealscore_stakeholder *out = take(c, sizeof *out * (size_t)n, _Alignof(dealscore_stakeholder));
    for (int i = 0; i < n; i++) {
        dealscore_stakeholder x = p[i];
        x.id = copy_str(c, p[i].id);
        x.name = copy_str(c, p[i].name);
        x.title = copy_str(c, p[i].title);
        dealscore_inferred *inf =
            take(c, sizeof *inf * (size_t)p[i].n_inferred, _Alignof(dealscore_inferred));
        for (int k = 0; k < p[i].n_inferred; k++) {
            dealscore_inferred y = {copy_str(c, p[i].inferred[k].field),
                                    copy_str(c, p[i].inferred[k].source)};
            if (inf) inf[k] = y;
        }
        x.inferred = inf;
        if (out) out[i] = x;
    }
    return out;
}

static const dealscore_action *copy_actions(copier *c, const dealscore_action *a, int n) {
    dealscore_action *out = take(c, sizeof *out * (size_t)n, _Alignof(dealscore_action));
    for (int i = 0; i < n; i++) {
        dealscore_action x = {copy_str(c, a[i].action), copy_str(c, a[i].target), a[i].gain};
        if (out) out[i] = x;
    }
    return out;
}

static const dealscore_question *copy_questions(copier *c, const dealscore_question *q, int n) {
    dealscore_question *out = take(c, sizeof *out * (size_t)n, _Alignof(dealscore_question));
    for (int i = 0; i < n; i++) {
        dealscore_question x = q[i];
        x.field = copy_str(c, q[i].field);
        x.stakeholder = copy_str(c, q[i].stakeholder);
        x.question = copy_str(c, q[i].question);
        for (int k = 0; k < 2; k++) {
            x.verdicts[k] = copy_str(c, q[i].verdicts[k]);
            x.answers[k] = copy_str(c, q[i].answers[k]);
        }
        if (out) out[i] = x;
    }
    return out;
}

static const dealscore_proposal *copy_proposals(copier *c, const dealscore_proposal *p, int n) {
    dealscore_proposal *out = take(c, sizeof *out * (size_t)n, _Alignof(dealscore_proposal));
    for (int i = 0; i < n; i++) {
        dealscore_proposal x = {copy_str(c, p[i].action), copy_str(c, p[i].target),
                                copy_str(c, p[i].patch)};
        if (out) out[i] = x;
    }
    return out;
}

static const dealscore_key_note *copy_key_notes(copier *c, const dealscore_key_note *k, int n) {
    dealscore_key_note *out = take(c, sizeof *out * (size_t)n, _Alignof(dealscore_key_note));
    for (int i = 0; i < n; i++) {
        dealscore_key_note x = {copy_str(c, k[i].path), copy_str(c, k[i].field)};
        if (out) out[i] = x;
    }
    return out;
}

/* Every pointer of r copied into c; the scalars as they are. */
static void copy_result(copier *c, dealscore_result *out, const dealscore_result *r) {
    *out = *r;
    out->id = copy_str(c, r->id);
    out->error.code = copy_str(c, r->error.code);
    out->error.message = copy_str(c, r->error.message);
    out->error.path = copy_str(c, r->error.path);
    out->error.where = copy_str(c, r->error.where);
    out->policy = copy_str(c, r->policy);
    out->model = copy_str(c, r->model);
    out->verdict = copy_str(c, r->verdict);
    out->reasons = copy_strs(c, r->reasons, r->n_reasons);
    out->warnings = copy_strs(c, r->warnings, r->n_warnings);
    for (int k = 0; k < DEALSCORE_NSCORES; k++)
        out->factors[k] = copy_factors(c, r->factors[k], r->n_factors[k]);
    out->viability_factors = copy_factors(c, r->viability_factors, r->n_viability_factors);
    out->stakeholders = copy_people(c, r->stakeholders, r->n_stakeholders);
    out->actions = copy_actions(c, r->actions, r->n_actions);
    out->questions = copy_questions(c, r->questions, r->n_questions);
    out->proposals = copy_proposals(c, r->proposals, r->n_proposals);
    out->key_notes = copy_key_notes(c, r->key_notes, r->n_key_notes);
}

dealscore_result *dealscore_result_copy(const dealscore_result *r) {
    if (!r) return NULL;
    dealscore_result scratch;
    copier c = {NULL, sizeof scratch};
    copy_result(&c, &scratch, r);
    dealscore_result *out = malloc(c.size);
    if (!out) return NULL;
    c = (copier){(char *)out, sizeof *out};
    copy_result(&c, out, r);
    return out;
}

void dealscore_result_free(dealscore_result *copy) {
    free(copy);
}

double dealscore_round(double v, int decimals) {
    return isfinite(v) && decimals >= 0 && decimals <= 9 ? ds_round(v, decimals) : v;
}

int dealscore_number_text(double v, int decimals, char *out, size_t len) {
    if (decimals < 0 || decimals > 9) {
        if (out && len) out[0] = '\0';
        return -1;
    }
    char fast[DS_NUMBER_TEXT_MAX];
    int n = ds_number_text_fast(fast, v, decimals);
    if (n && out && (size_t)n < len) { /* the common case: no printf */
        memcpy(out, fast, (size_t)n + 1);
        return n;
    }
    if (n) return snprintf(out, len, "%s", fast);
    if (!isfinite(v)) return snprintf(out, len, "null");
    return snprintf(out, len, "%.*f", decimals, ds_round(v, decimals));
}
