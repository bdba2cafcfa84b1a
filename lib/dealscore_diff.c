/* dealscore_diff.c: what changed between two exports of a pipeline (dealscore.h,
 * "diff").
 *
 * Stakeholder management is tracking: the gap between what was asked and what is
 * now wanted. Each side is a deal export (scored with the caller's engine) or a
 * result export of `dealscore score`; a line is recognised by its keys, so both
 * kinds may even be mixed. Deals are matched by id. Per deal: the change of each
 * score and of the verdict, of the deal's stage, amount and close date (what a
 * seller reads a nightly diff for, and what every CRM export has; a result line
 * does not carry them), stakeholders who appeared, left or moved in stance,
 * and warnings that are new (stale contacts, expectation gaps) or resolved. Deals
 * on one side only are added or removed. Changes come out in NEW's order first,
 * then the removed deals in OLD's order, each typed (dealscore_diff_change) and
 * written as the JSON line or the text `dealscore diff` prints: `dealscore diff`
 * and the service's diff operation print the same bytes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore_internal.h"
#include "ds_idset.h"
#include "dealscore_text.h"
#include "ds_json.h"

#define NSCORES (DS_NSCORES + 1) /* the five core scores and viability */
static const char *const score_keys[NSCORES] = {"capability_roi", "strategic_roi", "measurable_roi",
                                                "it_resistance",  "user_threat",   "viability"};

typedef struct side {
    ds_idset ids; /* ids seen: a repeated id keeps its first deal */
    dealscore_diff_deal **list;
    long n, cap;
    dealscore_diff_deal **sorted; /* by id, for matching (OLD only) */
    bool *matched;                /* per sorted deal (OLD only) */
} side;

struct dealscore_diff {
    dealscore_engine *engine;
    double min_move, gap_min;
    ds_arena arena; /* every deal of both sides */
    side sides[2];
    /* iterating */
    bool started;
    long next_new, next_old;
    dealscore_diff_counts counts;
    dealscore_diff_change change;
    ds_buf lists; /* the change's arrays */
    ds_buf out;   /* the latest text written */
};

/* ---- reading a side ---- */

static const char *keep(dealscore_diff *d, const char *str) {
    return str ? ds_arena_strdup(&d->arena, str) : NULL;
}

static dealscore_diff_deal *new_deal(dealscore_diff *d, const char *id) {
    dealscore_diff_deal *deal = ds_arena_alloc(&d->arena, sizeof *deal);
    if (!deal) return NULL;
    deal->id = keep(d, id);
    return deal;
}

/* The deal's stage, amount and close date, as given. */
static void deal_fields(dealscore_diff *d, dealscore_diff_deal *deal, const ds_deal *dl) {
    deal->stage = dl->unknown_stage            ? keep(d, dl->unknown_stage)
                  : dl->stage != DS_STAGE_NONE ? ds_stage_names[dl->stage]
                                               : NULL;
    deal->has_amount = dl->has_amount;
    deal->amount = dl->amount;
    if (dl->close_date != DS_NO_DATE) {
        char day[11];
        ds_date_format(dl->close_date, day);
        deal->close_date = keep(d, day);
    }
}

/* A deal scored here: scores, warnings plus expectation gaps, stakeholders. */
static dealscore_diff_deal *from_deal(dealscore_diff *d) {
    const dsl_scorer *sc = dealscore_engine_scorer(d->engine);
    const ds_deal *dl = &sc->deal;
    const ds_analysis *an = &sc->analysis;
    dealscore_diff_deal *deal = new_deal(d, dl->id);
    if (!deal) return NULL;
    for (int k = 0; k < DS_NSCORES; k++) deal->scores[k] = an->scores[k].value;
    deal->viability = sc->outcome.viability;
    deal->verdict = keep(d, sc->outcome.verdict);
    deal->coverage = an->coverage;
    const char **warnings = ds_arena_alloc(
        &d->arena, sizeof(char *) * (size_t)(an->n_warnings + dl->n_stakeholders + 1));
    dealscore_diff_person *people =
        ds_arena_alloc(&d->arena, sizeof *people * (size_t)(dl->n_stakeholders + 1));
    if (!warnings || !people) return NULL;
    for (int i = 0; i < an->n_warnings; i++)
        warnings[deal->n_warnings++] = keep(d, an->warnings[i]);
    deal->has_stakeholders = true;
    for (int i = 0; i < dl->n_stakeholders; i++) {
        const ds_stakeholder *p = &dl->stakeholders[i];
        if (p->expectation_gap >= d->gap_min)
            warnings[deal->n_warnings++] = ds_arena_printf(&d->arena, "expectation_gap:%s", p->id);
        people[deal->n_stakeholders++] =
            (dealscore_diff_person){keep(d, p->id), keep(d, p->name), keep(d, p->title),     true,
                                    true,           p->stance,        an->graph.predicted[i]};
    }
    deal->warnings = warnings;
    deal->stakeholders = people;
    deal_fields(d, deal, dl);
    return deal;
}

static const char *string_in(const cJSON *obj, const char *key) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static dealscore_diff_deal *from_result_parts(dealscore_diff *d, dealscore_diff_deal *deal,
                                              const cJSON *json) {
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(json, "scores");
    for (int k = 0; k < NSCORES; k++) {
        double v = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(scores, score_keys[k]));
        *(k < DS_NSCORES ? &deal->scores[k] : &deal->viability) = v;
    }
    deal->verdict = keep(d, string_in(json, "verdict"));
    const cJSON *coverage = cJSON_GetObjectItemCaseSensitive(json, "coverage");
    deal->coverage = cJSON_IsNumber(coverage) ? coverage->valuedouble : -1;
    const cJSON *warnings = cJSON_GetObjectItemCaseSensitive(json, "warnings");
    const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(json, "reasons");
    const cJSON *people = cJSON_GetObjectItemCaseSensitive(json, "stakeholders");
    int n = cJSON_GetArraySize(warnings) + 1, m = cJSON_GetArraySize(people);
    const char **w = ds_arena_alloc(&d->arena, sizeof(char *) * (size_t)n);
    dealscore_diff_person *p = ds_arena_alloc(&d->arena, sizeof *p * (size_t)(m + 1));
    if (!w || !p) return NULL;
    for (const cJSON *x = warnings ? warnings->child : NULL; x; x = x->next)
        if (cJSON_IsString(x)) w[deal->n_warnings++] = keep(d, x->valuestring);
    for (const cJSON *x = reasons ? reasons->child : NULL; x; x = x->next)
        if (cJSON_IsString(x) && strcmp(x->valuestring, "expectation_gap") == 0)
            w[deal->n_warnings++] = "expectation_gap";
    deal->has_stakeholders = cJSON_IsArray(people);
    for (const cJSON *x = deal->has_stakeholders ? people->child : NULL; x; x = x->next) {
        const char *id = string_in(x, "id");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, "predicted_stance");
        if (id)
            p[deal->n_stakeholders++] = (dealscore_diff_person){
                keep(d, id), NULL, NULL, false, cJSON_IsNumber(v), 0, cJSON_GetNumberValue(v)};
    }
    deal->warnings = w;
    deal->stakeholders = p;
    return deal;
}

/* A result line of `dealscore score`. */
static dealscore_diff_deal *from_result(dealscore_diff *d, const cJSON *json) {
    dealscore_diff_deal *deal = new_deal(d, string_in(json, "id"));
    if (!deal) return NULL;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(json, "error");
    if (!error) return from_result_parts(d, deal, json);
    deal->error = keep(d, string_in(error, "code"));
    if (!deal->error) deal->error = "error";
    deal->error_message = keep(d, string_in(error, "message"));
    return deal;
}

/* A result line has the keys only `dealscore score` writes. */
static bool is_result(const cJSON *json) {
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(json, "error");
    if (cJSON_IsObject(error) && cJSON_GetObjectItemCaseSensitive(error, "code")) return true;
    return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(json, "scores")) &&
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(json, "verdict"));
}

static dealscore_diff_deal *read_deal(dealscore_diff *d, const char *text, size_t len,
                                      const char *where) {
    cJSON *json = cJSON_ParseWithLength(text, len);
    dealscore_diff_deal *deal = NULL;
    if (json && is_result(json)) {
        deal = from_result(d, json);
    } else {
        const dealscore_result *res = dealscore_score(d->engine, text, len, where);
        if (!res->error.code) {
            deal = from_deal(d);
        } else if ((deal = new_deal(d, res->id))) {
            deal->error = keep(d, res->error.code);
            deal->error_message = keep(d, res->error.message);
        }
    }
    cJSON_Delete(json);
    return deal;
}

static bool append(side *s, dealscore_diff_deal *deal) {
    if (s->n == s->cap) {
        long cap = s->cap ? 2 * s->cap : 256;
        dealscore_diff_deal **list = realloc(s->list, sizeof *list * (size_t)cap);
        if (!list) return false;
        s->list = list;
        s->cap = cap;
    }
    s->list[s->n++] = deal;
    return true;
}

int dealscore_diff_add(dealscore_diff *d, int which, const char *text, size_t len,
                       const char *where, const dealscore_diff_deal **out) {
    if (out) *out = NULL;
    if (!d || !text || d->started || (which != DEALSCORE_DIFF_OLD && which != DEALSCORE_DIFF_NEW))
        return DEALSCORE_DIFF_REFUSED;
    dealscore_diff_deal *deal = read_deal(d, text, len, where ? where : "");
    if (!deal) return DEALSCORE_DIFF_NO_MEMORY;
    if (out) *out = deal;
    side *s = &d->sides[which];
    if (!deal->id) return DEALSCORE_DIFF_NO_ID; /* nothing to match it with */
    if (ds_idset_add(&s->ids, ds_idset_hash(deal->id))) return DEALSCORE_DIFF_REPEATED;
    return append(s, deal) ? DEALSCORE_DIFF_KEPT : DEALSCORE_DIFF_NO_MEMORY;
}

/* ---- the object ---- */

static double gap_min(const ds_params *p) {
    const cJSON *policy = cJSON_GetObjectItemCaseSensitive(p->json, "policy");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(policy, "expectation_gap_min");
    return cJSON_IsNumber(v) ? v->valuedouble : 0.5;
}

dealscore_diff *dealscore_diff_new(dealscore_engine *e, double min_move) {
    if (!e || !(min_move >= 0)) return NULL;
    dealscore_diff *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->engine = e;
    d->min_move = min_move;
    d->gap_min = gap_min(e->params);
    ds_arena_init(&d->arena, 64 * 1024);
    for (int i = 0; i < 2; i++) ds_idset_init(&d->sides[i].ids);
    ds_buf_init(&d->lists);
    ds_buf_init(&d->out);
    return d;
}

void dealscore_diff_free(dealscore_diff *d) {
    if (!d) return;
    ds_arena_free(&d->arena);
    for (int i = 0; i < 2; i++) {
        ds_idset_free(&d->sides[i].ids);
        free(d->sides[i].list);
        free(d->sides[i].sorted);
        free(d->sides[i].matched);
    }
    ds_buf_free(&d->lists);
    ds_buf_free(&d->out);
    free(d);
}

/* ---- comparing ---- */

static int by_id(const void *a, const void *b) {
    const dealscore_diff_deal *x = *(dealscore_diff_deal *const *)a,
                              *y = *(dealscore_diff_deal *const *)b;
    return strcmp(x->id, y->id);
}

static long find(const side *s, const char *id) {
    dealscore_diff_deal key = {.id = id}, *k = &key;
    dealscore_diff_deal **hit = bsearch(&k, s->sorted, (size_t)s->n, sizeof *s->sorted, by_id);
    return hit ? hit - s->sorted : -1;
}

static const dealscore_diff_person *find_person(const dealscore_diff_deal *s, const char *id) {
    for (int i = 0; i < s->n_stakeholders; i++)
        if (strcmp(s->stakeholders[i].id, id) == 0) return &s->stakeholders[i];
    return NULL;
}

static bool has_warning(const dealscore_diff_deal *s, const char *w) {
    for (int i = 0; i < s->n_warnings; i++)
        if (strcmp(s->warnings[i], w) == 0) return true;
    return false;
}

static bool moved(const dealscore_diff *d, const dealscore_diff_person *a,
                  const dealscore_diff_person *b) {
    return (a->has_stance && b->has_stance && fabs(b->stance - a->stance) >= d->min_move) ||
           (a->has_predicted_stance && b->has_predicted_stance &&
            fabs(b->predicted_stance - a->predicted_stance) >= d->min_move);
}

static double score_of(const dealscore_diff_deal *s, int k) {
    return k < DS_NSCORES ? s->scores[k] : s->viability;
}

/* Coverage is compared at the four decimals results print; a side without it
 * (an old result line) compares as unchanged. */
static bool coverage_changed(const dealscore_diff_deal *o, const dealscore_diff_deal *n) {
    return o->coverage >= 0 && n->coverage >= 0 &&
           ds_round(o->coverage, 4) != ds_round(n->coverage, 4);
}

/* Days from one "YYYY-MM-DD" to another (both as deal_fields wrote them). */
static int days_between(const char *from, const char *to) {
    int a = 0, z = 0;
    ds_date_parse(from, &a);
    ds_date_parse(to, &z);
    return z - a;
}

static bool strings_differ(const char *a, const char *b) {
    return a && b && strcmp(a, b) != 0;
}

/* The deal's own fields that changed (both sides give them). */
static void deal_changes(const dealscore_diff_deal *o, const dealscore_diff_deal *n,
                         dealscore_diff_change *c) {
    if (o->error || n->error) return;
    c->stage_changed = strings_differ(o->stage, n->stage);
    c->amount_changed = o->has_amount && n->has_amount && o->amount != n->amount;
    c->close_date_changed = strings_differ(o->close_date, n->close_date);
}

/* Counts what differs; 0 means unchanged. */
static int differences(const dealscore_diff *d, const dealscore_diff_deal *o,
                       const dealscore_diff_deal *n) {
    if (o->error || n->error) return !(o->error && n->error && strcmp(o->error, n->error) == 0);
    int count = strcmp(o->verdict ? o->verdict : "", n->verdict ? n->verdict : "") != 0;
    for (int k = 0; k < NSCORES; k++)
        count += ds_round(score_of(o, k), 1) != ds_round(score_of(n, k), 1);
    count += coverage_changed(o, n);
    for (int i = 0; i < o->n_warnings; i++) count += !has_warning(n, o->warnings[i]);
    for (int i = 0; i < n->n_warnings; i++) count += !has_warning(o, n->warnings[i]);
    if (o->has_stakeholders && n->has_stakeholders) {
        for (int i = 0; i < o->n_stakeholders; i++) count += !find_person(n, o->stakeholders[i].id);
        for (int i = 0; i < n->n_stakeholders; i++) {
            const dealscore_diff_person *a = find_person(o, n->stakeholders[i].id);
            count += !a || moved(d, a, &n->stakeholders[i]);
        }
    }
    return count;
}

/* The change's lists go into d->lists one after another; pointers are set once
 * the buffer no longer moves. Offsets are kept meanwhile. */
typedef struct lists_at {
    size_t appeared, left, moved, new_warnings, resolved;
} lists_at;

static size_t put_people(ds_buf *b, const dealscore_diff_deal *in,
                         const dealscore_diff_deal *not_in, int *n) {
    size_t at = b->len;
    for (int i = 0; i < in->n_stakeholders; i++) {
        const dealscore_diff_person *p = &in->stakeholders[i];
        if (find_person(not_in, p->id)) continue;
        ds_buf_add(b, (const char *)&p, sizeof p);
        (*n)++;
    }
    return at;
}

static size_t put_warnings(ds_buf *b, const dealscore_diff_deal *in,
                           const dealscore_diff_deal *not_in, int *n) {
    size_t at = b->len;
    for (int i = 0; i < in->n_warnings; i++) {
        if (has_warning(not_in, in->warnings[i])) continue;
        ds_buf_add(b, (const char *)&in->warnings[i], sizeof in->warnings[i]);
        (*n)++;
    }
    return at;
}

static size_t put_moves(const dealscore_diff *d, ds_buf *b, const dealscore_diff_deal *o,
                        const dealscore_diff_deal *n, int *count) {
    size_t at = b->len;
    for (int i = 0; i < n->n_stakeholders; i++) {
        dealscore_diff_move m = {find_person(o, n->stakeholders[i].id), &n->stakeholders[i]};
        if (!m.before || !moved(d, m.before, m.after)) continue;
        ds_buf_add(b, (const char *)&m, sizeof m);
        (*count)++;
    }
    return at;
}

/* Fills the lists of a matched pair; -1 when out of memory. */
static int fill_lists(dealscore_diff *d, dealscore_diff_change *c) {
    const dealscore_diff_deal *o = c->before, *n = c->after;
    ds_buf *b = &d->lists;
    ds_buf_clear(b);
    lists_at at = {0};
    if (!o->error && !n->error) {
        if (o->has_stakeholders && n->has_stakeholders) {
            at.appeared = put_people(b, n, o, &c->n_appeared);
            at.left = put_people(b, o, n, &c->n_left);
            at.moved = put_moves(d, b, o, n, &c->n_moved);
        }
        at.new_warnings = put_warnings(b, n, o, &c->n_new_warnings);
        at.resolved = put_warnings(b, o, n, &c->n_resolved_warnings);
    }
    if (b->failed) return -1;
    if (!b->data) return 0; /* every list empty */
    c->appeared = (const dealscore_diff_person *const *)(b->data + at.appeared);
    c->left = (const dealscore_diff_person *const *)(b->data + at.left);
    c->moved = (const dealscore_diff_move *)(b->data + at.moved);
    c->new_warnings = (const char *const *)(b->data + at.new_warnings);
    c->resolved_warnings = (const char *const *)(b->data + at.resolved);
    return 0;
}

static int start(dealscore_diff *d) {
    side *old = &d->sides[DEALSCORE_DIFF_OLD];
    size_t n = (size_t)(old->n ? old->n : 1);
    old->sorted = malloc(sizeof *old->sorted * n);
    old->matched = calloc(n, sizeof *old->matched);
    if (!old->sorted || !old->matched) return -1;
    if (old->n) memcpy(old->sorted, old->list, sizeof *old->sorted * (size_t)old->n);
    qsort(old->sorted, (size_t)old->n, sizeof *old->sorted, by_id);
    d->started = true;
    return 0;
}

const dealscore_diff_change *dealscore_diff_next(dealscore_diff *d) {
    if (!d || (!d->started && start(d) < 0)) return NULL;
    side *old = &d->sides[DEALSCORE_DIFF_OLD], *new = &d->sides[DEALSCORE_DIFF_NEW];
    dealscore_diff_change *c = &d->change;
    memset(c, 0, sizeof *c);
    if (d->next_new < new->n) {
        c->after = new->list[d->next_new++];
        c->id = c->after->id;
        long at = find(old, c->id);
        if (at < 0) {
            c->change = DEALSCORE_DIFF_ADDED;
            d->counts.added++;
            return c;
        }
        old->matched[at] = true;
        c->before = old->sorted[at];
        deal_changes(c->before, c->after, c);
        c->change = differences(d, c->before, c->after) || c->stage_changed || c->amount_changed ||
                            c->close_date_changed
                        ? DEALSCORE_DIFF_CHANGED
                        : DEALSCORE_DIFF_UNCHANGED;
        c->coverage_changed =
            !c->before->error && !c->after->error && coverage_changed(c->before, c->after);
        *(c->change == DEALSCORE_DIFF_CHANGED ? &d->counts.changed : &d->counts.unchanged) += 1;
        return fill_lists(d, c) == 0 ? c : NULL;
    }
    while (d->next_old < old->n) {
        dealscore_diff_deal *o = old->list[d->next_old++];
        if (old->matched[find(old, o->id)]) continue;
        c->before = o;
        c->id = o->id;
        c->change = DEALSCORE_DIFF_REMOVED;
        d->counts.removed++;
        return c;
    }
    return NULL;
}

dealscore_diff_counts dealscore_diff_count(const dealscore_diff *d) {
    dealscore_diff_counts none = {0};
    return d ? d->counts : none;
}

/* ---- JSON ---- */

static void json_pair_number(ds_buf *b, const char *key, double old, double new, int decimals) {
    ds_buf_printf(b, "\"%s\":{\"old\":", key);
    ds_buf_json_number(b, old, decimals);
    ds_buf_puts(b, ",\"new\":");
    ds_buf_json_number(b, new, decimals);
    ds_buf_puts(b, ",\"change\":");
    ds_buf_json_number(b, ds_round(new, decimals) - ds_round(old, decimals), decimals);
    ds_buf_putc(b, '}');
}

static void json_person(ds_buf *b, const dealscore_diff_person *p, bool close) {
    ds_buf_puts(b, "{\"id\":");
    ds_buf_json_string(b, p->id);
    if (p->name) {
        ds_buf_puts(b, ",\"name\":");
        ds_buf_json_string(b, p->name);
    }
    if (close) ds_buf_putc(b, '}');
}

static void json_people(ds_buf *b, const dealscore_diff_person *const *p, int n) {
    ds_buf_putc(b, '[');
    for (int i = 0; i < n; i++) {
        if (i) ds_buf_putc(b, ',');
        json_person(b, p[i], true);
    }
    ds_buf_putc(b, ']');
}

static void json_moved(ds_buf *b, const dealscore_diff_change *c) {
    ds_buf_putc(b, '[');
    for (int i = 0; i < c->n_moved; i++) {
        const dealscore_diff_person *a = c->moved[i].before, *p = c->moved[i].after;
        if (i) ds_buf_putc(b, ',');
        json_person(b, p, false); /* open for the stances */
        if (a->has_stance && p->has_stance) {
            ds_buf_putc(b, ',');
            json_pair_number(b, "stance", a->stance, p->stance, 2);
        }
        if (a->has_predicted_stance && p->has_predicted_stance) {
            ds_buf_putc(b, ',');
            json_pair_number(b, "predicted_stance", a->predicted_stance, p->predicted_stance, 2);
        }
        ds_buf_putc(b, '}');
    }
    ds_buf_putc(b, ']');
}

static void json_strings(ds_buf *b, const char *const *s, int n) {
    ds_buf_putc(b, '[');
    for (int i = 0; i < n; i++) {
        if (i) ds_buf_putc(b, ',');
        ds_buf_json_string(b, s[i]);
    }
    ds_buf_putc(b, ']');
}

static void json_side(ds_buf *b, const char *key, const dealscore_diff_deal *s) {
    ds_buf_printf(b, ",\"%s\":{", key);
    if (s->error) {
        ds_buf_puts(b, "\"error\":");
        ds_buf_json_string(b, s->error);
    } else {
        ds_buf_puts(b, "\"viability\":");
        ds_buf_json_number(b, s->viability, 1);
        ds_buf_puts(b, ",\"verdict\":");
        ds_buf_json_string(b, s->verdict);
    }
    ds_buf_putc(b, '}');
}

static void json_pair_string(ds_buf *b, const char *key, const char *old, const char *new) {
    ds_buf_printf(b, "\"%s\":{\"old\":", key);
    ds_buf_json_string(b, old);
    ds_buf_puts(b, ",\"new\":");
    ds_buf_json_string(b, new);
}

/* "deal": the deal's own fields that changed, only when one did (so the lines
 * of deals whose fields held are as before). An amount is written as given
 * (%.15g: no rounding to a score's decimals; amounts are finite, validated); a
 * close date says by how many days it moved (positive: it slipped). */
static void json_deal_fields(ds_buf *b, const dealscore_diff_change *c) {
    const dealscore_diff_deal *o = c->before, *n = c->after;
    if (!c->stage_changed && !c->amount_changed && !c->close_date_changed) return;
    ds_buf_puts(b, ",\"deal\":{");
    const char *sep = "";
    if (c->stage_changed) {
        json_pair_string(b, "stage", o->stage, n->stage);
        ds_buf_putc(b, '}');
        sep = ",";
    }
    if (c->amount_changed) {
        ds_buf_printf(b, "%s\"amount\":{\"old\":%.15g,\"new\":%.15g,\"change\":%.15g}", sep,
                      o->amount, n->amount, n->amount - o->amount);
        sep = ",";
    }
    if (c->close_date_changed) {
        ds_buf_puts(b, sep);
        json_pair_string(b, "close_date", o->close_date, n->close_date);
        ds_buf_printf(b, ",\"days\":%d}", days_between(o->close_date, n->close_date));
    }
    ds_buf_putc(b, '}');
}

static void json_compare(ds_buf *b, const dealscore_diff_change *c) {
    const dealscore_diff_deal *o = c->before, *n = c->after;
    if (o->error || n->error) {
        ds_buf_puts(b, ",\"error\":{\"old\":");
        ds_buf_json_string(b, o->error);
        ds_buf_puts(b, ",\"new\":");
        ds_buf_json_string(b, n->error);
        ds_buf_putc(b, '}');
        return;
    }
    ds_buf_puts(b, ",\"verdict\":{\"old\":");
    ds_buf_json_string(b, o->verdict);
    ds_buf_puts(b, ",\"new\":");
    ds_buf_json_string(b, n->verdict);
    ds_buf_puts(b, "},\"scores\":{");
    for (int k = 0; k < NSCORES; k++) {
        if (k) ds_buf_putc(b, ',');
        json_pair_number(b, score_keys[k], score_of(o, k), score_of(n, k), 1);
    }
    ds_buf_putc(b, '}');
    if (o->coverage >= 0 && n->coverage >= 0) {
        ds_buf_putc(b, ',');
        json_pair_number(b, "coverage", o->coverage, n->coverage, 4);
    }
    if (o->has_stakeholders && n->has_stakeholders) {
        ds_buf_puts(b, ",\"stakeholders\":{\"appeared\":");
        json_people(b, c->appeared, c->n_appeared);
        ds_buf_puts(b, ",\"left\":");
        json_people(b, c->left, c->n_left);
        ds_buf_puts(b, ",\"moved\":");
        json_moved(b, c);
        ds_buf_putc(b, '}');
    }
    ds_buf_puts(b, ",\"new_warnings\":");
    json_strings(b, c->new_warnings, c->n_new_warnings);
    ds_buf_puts(b, ",\"resolved_warnings\":");
    json_strings(b, c->resolved_warnings, c->n_resolved_warnings);
    json_deal_fields(b, c);
}

static const char *const change_names[] = {"changed", "unchanged", "added", "removed"};

const char *dealscore_diff_change_name(int change) {
    return change >= 0 && change < 4 ? change_names[change] : NULL;
}

static const char *done(ds_buf *b, size_t *len) {
    ds_buf_putc(b, '\0');
    if (b->failed) return NULL;
    b->len--;
    if (len) *len = b->len;
    return b->data;
}

const char *dealscore_diff_json(dealscore_diff *d, const dealscore_diff_change *c, size_t *len) {
    if (!d || c != &d->change || !c->id) return NULL;
    ds_buf *b = &d->out;
    ds_buf_clear(b);
    ds_buf_puts(b, "{\"id\":");
    ds_buf_json_string(b, c->id);
    ds_buf_printf(b, ",\"change\":\"%s\"", change_names[c->change]);
    if (c->change == DEALSCORE_DIFF_ADDED)
        json_side(b, "new", c->after);
    else if (c->change == DEALSCORE_DIFF_REMOVED)
        json_side(b, "old", c->before);
    else
        json_compare(b, c);
    ds_buf_putc(b, '}');
    return done(b, len);
}

/* ---- text ---- */

static void text_person(ds_buf *b, const dealscore_diff_person *p) {
    dealscore_text_safe(b, p->name ? p->name : p->id, DEALSCORE_TEXT_PLAIN);
    if (p->title) {
        ds_buf_puts(b, " (");
        dealscore_text_safe(b, p->title, DEALSCORE_TEXT_PLAIN);
        ds_buf_putc(b, ')');
    }
}

static void text_people(ds_buf *b, const char *label, const dealscore_diff_person *const *p,
                        int n) {
    for (int i = 0; i < n; i++) {
        ds_buf_puts(b, i ? ", " : label);
        text_person(b, p[i]);
    }
    if (n) ds_buf_putc(b, '\n');
}

static void text_warnings(ds_buf *b, const char *label, const char *const *w, int n) {
    for (int i = 0; i < n; i++) {
        ds_buf_puts(b, i ? ", " : label);
        dealscore_text_safe(b, w[i], DEALSCORE_TEXT_PLAIN);
    }
    if (n) ds_buf_putc(b, '\n');
}

static bool insufficient(const dealscore_diff_deal *s) {
    return s->verdict && strcmp(s->verdict, "insufficient_data") == 0;
}

/* Coverage, and what a verdict change to or from insufficient_data means: the
 * deal was not judged better or worse, what is known about it changed. */
static void text_coverage(ds_buf *b, const dealscore_diff_change *c) {
    const dealscore_diff_deal *o = c->before, *n = c->after;
    bool was = insufficient(o), is = insufficient(n);
    if (!c->coverage_changed && was == is) return;
    ds_buf_puts(b, "  coverage");
    if (o->coverage >= 0 && n->coverage >= 0)
        ds_buf_printf(b, " %.0f%% -> %.0f%%", 100 * o->coverage, 100 * n->coverage);
    if (was && !is)
        ds_buf_puts(b, ": enough is known now to judge it");
    else if (is && !was)
        ds_buf_puts(b, ": too little is known now to judge it; the old verdict no longer holds");
    ds_buf_putc(b, '\n');
}

static void text_moved(ds_buf *b, const dealscore_diff_change *c) {
    for (int i = 0; i < c->n_moved; i++) {
        const dealscore_diff_person *a = c->moved[i].before, *p = c->moved[i].after;
        ds_buf_puts(b, "  moved: ");
        text_person(b, p);
        if (a->has_stance && p->has_stance)
            ds_buf_printf(b, ", stance %+.2f -> %+.2f", a->stance, p->stance);
        if (a->has_predicted_stance && p->has_predicted_stance)
            ds_buf_printf(b, ", predicted %+.2f -> %+.2f", a->predicted_stance,
                          p->predicted_stance);
        ds_buf_putc(b, '\n');
    }
}

static void text_deal_fields(ds_buf *b, const dealscore_diff_change *c) {
    const dealscore_diff_deal *o = c->before, *n = c->after;
    if (c->stage_changed) {
        ds_buf_puts(b, "  stage ");
        dealscore_text_safe(b, o->stage, DEALSCORE_TEXT_PLAIN);
        ds_buf_puts(b, " -> ");
        dealscore_text_safe(b, n->stage, DEALSCORE_TEXT_PLAIN);
        ds_buf_putc(b, '\n');
    }
    if (c->amount_changed) ds_buf_printf(b, "  amount %.15g -> %.15g\n", o->amount, n->amount);
    if (c->close_date_changed) {
        int days = days_between(o->close_date, n->close_date);
        ds_buf_printf(b, "  close date %s -> %s (%s %d days)\n", o->close_date, n->close_date,
                      days > 0 ? "slipped" : "pulled in", days > 0 ? days : -days);
    }
}

static void text_compare(ds_buf *b, const dealscore_diff_change *c) {
    const dealscore_diff_deal *o = c->before, *n = c->after;
    ds_buf_puts(b, "\n");
    dealscore_text_safe(b, c->id, DEALSCORE_TEXT_PLAIN);
    if (o->error || n->error) {
        ds_buf_printf(b, ": error %s -> %s\n", o->error ? o->error : "none",
                      n->error ? n->error : "none");
        return;
    }
    double vo = ds_round(o->viability, 1), vn = ds_round(n->viability, 1);
    bool verdict_changed = strcmp(o->verdict, n->verdict) != 0;
    ds_buf_printf(b, ": viability %.1f -> %.1f (%+.1f), %s%s%s\n", vo, vn, vn - vo, o->verdict,
                  verdict_changed ? " -> " : "", verdict_changed ? n->verdict : "");
    text_coverage(b, c);
    for (int k = 0; k < DS_NSCORES; k++) {
        double a = ds_round(o->scores[k], 1), x = ds_round(n->scores[k], 1);
        if (a != x) ds_buf_printf(b, "  %s %.1f -> %.1f (%+.1f)\n", score_keys[k], a, x, x - a);
    }
    if (o->has_stakeholders && n->has_stakeholders) {
        text_people(b, "  appeared: ", c->appeared, c->n_appeared);
        text_people(b, "  left: ", c->left, c->n_left);
        text_moved(b, c);
    }
    text_warnings(b, "  new warnings: ", c->new_warnings, c->n_new_warnings);
    text_warnings(b, "  resolved: ", c->resolved_warnings, c->n_resolved_warnings);
    text_deal_fields(b, c);
}

static void text_one_side(ds_buf *b, const dealscore_diff_change *c) {
    bool added = c->change == DEALSCORE_DIFF_ADDED;
    const dealscore_diff_deal *s = added ? c->after : c->before;
    ds_buf_puts(b, added ? "\nadded: " : "\nremoved: ");
    dealscore_text_safe(b, c->id, DEALSCORE_TEXT_PLAIN);
    if (s->error)
        ds_buf_printf(b, " (error %s)\n", s->error);
    else
        ds_buf_printf(b, " (viability %.1f, %s)\n", ds_round(s->viability, 1), s->verdict);
}

const char *dealscore_diff_text(dealscore_diff *d, const dealscore_diff_change *c, size_t *len) {
    if (!d || c != &d->change || !c->id) return NULL;
    ds_buf *b = &d->out;
    ds_buf_clear(b);
    if (c->change == DEALSCORE_DIFF_ADDED || c->change == DEALSCORE_DIFF_REMOVED)
        text_one_side(b, c);
    else if (c->change == DEALSCORE_DIFF_CHANGED)
        text_compare(b, c);
    return done(b, len);
}

const char *dealscore_diff_summary(dealscore_diff *d, size_t *len) {
    if (!d) return NULL;
    const dealscore_diff_counts *n = &d->counts;
    ds_buf *b = &d->out;
    ds_buf_clear(b);
    ds_buf_printf(b, "\n%ld deals in NEW: %ld changed, %ld unchanged, %ld added; %ld removed\n",
                  n->changed + n->unchanged + n->added, n->changed, n->unchanged, n->added,
                  n->removed);
    return done(b, len);
}
