/* cli_diff.c: `dealscore diff OLD NEW`, what changed between two pipeline exports.
 *
 * Stakeholder management is tracking: the gap between what was asked and what is
 * now wanted. Each side is a deal export (scored here, with the same model and
 * policy) or a result export of `dealscore score`; a line is recognised by its
 * keys, so both kinds may even be mixed. Deals are matched by id. Per deal: the
 * change of each score and of the verdict, stakeholders who appeared, left or
 * moved in stance, and warnings that are new (stale contacts, expectation gaps)
 * or resolved. Deals on one side only are added or removed. Output is JSONL, one
 * line per deal, NEW's order first, then the removed deals in OLD's order. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dealscore.h"
#include "cli_session.h"
#include "dealscore_internal.h"
#include "dealscore_text.h"
#include "ds_idset.h"

static const char usage[] =
    "usage: dealscore diff [OPTIONS] OLD NEW\n"
    "\n"
    "Compares two exports of the same pipeline, deal by deal (matched by id). Each file\n"
    "is a deal export (JSONL or a JSON array; scored here with the model and policy) or\n"
    "the results of `dealscore score` (with --explain, results also carry stakeholders).\n"
    "For each deal: the change of every score and of the verdict, stakeholders who\n"
    "appeared, left or moved in stance, and warnings that are new or resolved: stale\n"
    "contacts (stale:<id>), expectation gaps (expectation_gap:<id>, from deal exports:\n"
    "a stakeholder whose expectation_gap reaches the policy's expectation_gap_min),\n"
    "unmapped IT or users. Deals in one file only are listed as added or removed.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT    jsonl (default: one JSON object per deal) or text (changes\n"
    "                      only, for a person)\n"
    "      --min-move X    smallest change of stated or predicted stance that counts as\n"
    "                      a move (default 0.1)\n"
    "  -h, --help          this text\n"
    "\n"
    "scoring options for deal exports, as for dealscore score:\n" CLI_SESSION_HELP
    "  OLD and NEW CSV deals are joined with the same --stakeholders and --contacts\n"
    "  files: to compare two nights each with its own contacts, `dealscore convert`\n"
    "  each night to JSONL and diff those (docs/csv.md).\n"
    "\n"
    "exit status: 0 compared, 1 some deals could not be scored or read (they are listed\n"
    "with their error), 2 usage or setup error.\n";

#define NSCORES (DS_NSCORES + 1) /* the five core scores and viability */
static const char *const score_keys[NSCORES] = {"capability_roi", "strategic_roi", "measurable_roi",
                                                "it_resistance",  "user_threat",   "viability"};

typedef struct person {
    const char *id, *name, *title;
    bool has_stance, has_predicted;
    double stance, predicted;
} person;

typedef struct snapshot {
    const char *id;
    const char *error; /* error code, or NULL when scored */
    const char *verdict;
    double scores[NSCORES];
    double coverage; /* -1 when a result line has none */
    int n_warnings, n_people;
    const char **warnings;
    person *people;
    bool has_people, matched;
} snapshot;

typedef struct side {
    const char *path;
    ds_arena arena; /* everything of this side's snapshots */
    ds_idset ids;   /* ids seen: a repeated id keeps its first deal */
    snapshot **list;
    long n, cap;
    snapshot **sorted; /* by id, for matching */
    long errors;
} side;

typedef struct diff_run {
    cli_session *session;
    side *current;
    double min_move, gap_min;
    bool text;
    long changed, unchanged, added, removed;
    ds_buf out;
} diff_run;

/* ---- reading a side ---- */

static const char *keep(side *s, const char *str) {
    return str ? ds_arena_strdup(&s->arena, str) : NULL;
}

static bool add_snapshot(side *s, snapshot *snap) {
    if (s->n == s->cap) {
        long cap = s->cap ? 2 * s->cap : 256;
        snapshot **list = realloc(s->list, sizeof *list * (size_t)cap);
        if (!list) return false;
        s->list = list;
        s->cap = cap;
    }
    s->list[s->n++] = snap;
    return true;
}

static snapshot *new_snapshot(side *s, const char *id) {
    snapshot *snap = ds_arena_alloc(&s->arena, sizeof *snap);
    if (!snap) return NULL;
    snap->id = keep(s, id);
    return snap;
}

/* A deal scored here: scores, warnings plus expectation gaps, stakeholders. */
static snapshot *from_deal(diff_run *r, side *s) {
    const dsl_scorer *sc = dealscore_engine_scorer(r->session->engine);
    const ds_deal *d = &sc->deal;
    const ds_analysis *an = &sc->analysis;
    snapshot *snap = new_snapshot(s, d->id);
    if (!snap) return NULL;
    for (int k = 0; k < DS_NSCORES; k++) snap->scores[k] = an->scores[k].value;
    snap->scores[DS_NSCORES] = sc->outcome.viability;
    snap->verdict = keep(s, sc->outcome.verdict);
    snap->coverage = an->coverage;
    snap->warnings = ds_arena_alloc(
        &s->arena, sizeof(char *) * (size_t)(an->n_warnings + d->n_stakeholders + 1));
    snap->people = ds_arena_alloc(&s->arena, sizeof(person) * (size_t)(d->n_stakeholders + 1));
    if (!snap->warnings || !snap->people) return NULL;
    for (int i = 0; i < an->n_warnings; i++)
        snap->warnings[snap->n_warnings++] = keep(s, an->warnings[i]);
    snap->has_people = true;
    for (int i = 0; i < d->n_stakeholders; i++) {
        const ds_stakeholder *p = &d->stakeholders[i];
        if (p->expectation_gap >= r->gap_min)
            snap->warnings[snap->n_warnings++] =
                ds_arena_printf(&s->arena, "expectation_gap:%s", p->id);
        snap->people[snap->n_people++] =
            (person){keep(s, p->id), keep(s, p->name), keep(s, p->title),     true,
                     true,           p->stance,        an->graph.predicted[i]};
    }
    return snap;
}

static const char *string_in(const cJSON *obj, const char *key) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* A result line of `dealscore score`. */
static snapshot *from_result(side *s, const cJSON *json) {
    snapshot *snap = new_snapshot(s, string_in(json, "id"));
    if (!snap) return NULL;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(json, "error");
    if (error) {
        snap->error = keep(s, string_in(error, "code"));
        if (!snap->error) snap->error = "error";
        return snap;
    }
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(json, "scores");
    for (int k = 0; k < NSCORES; k++)
        snap->scores[k] =
            cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(scores, score_keys[k]));
    snap->verdict = keep(s, string_in(json, "verdict"));
    const cJSON *coverage = cJSON_GetObjectItemCaseSensitive(json, "coverage");
    snap->coverage = cJSON_IsNumber(coverage) ? coverage->valuedouble : -1;
    const cJSON *warnings = cJSON_GetObjectItemCaseSensitive(json, "warnings");
    const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(json, "reasons");
    const cJSON *people = cJSON_GetObjectItemCaseSensitive(json, "stakeholders");
    int n = cJSON_GetArraySize(warnings) + 1, m = cJSON_GetArraySize(people);
    snap->warnings = ds_arena_alloc(&s->arena, sizeof(char *) * (size_t)n);
    snap->people = ds_arena_alloc(&s->arena, sizeof(person) * (size_t)(m + 1));
    if (!snap->warnings || !snap->people) return NULL;
    for (const cJSON *w = warnings ? warnings->child : NULL; w; w = w->next)
        if (cJSON_IsString(w)) snap->warnings[snap->n_warnings++] = keep(s, w->valuestring);
    for (const cJSON *x = reasons ? reasons->child : NULL; x; x = x->next)
        if (cJSON_IsString(x) && strcmp(x->valuestring, "expectation_gap") == 0)
            snap->warnings[snap->n_warnings++] = "expectation_gap";
    snap->has_people = cJSON_IsArray(people);
    for (const cJSON *p = snap->has_people ? people->child : NULL; p; p = p->next) {
        const char *id = string_in(p, "id");
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(p, "predicted_stance");
        if (id)
            snap->people[snap->n_people++] = (person){
                keep(s, id), NULL, NULL, false, cJSON_IsNumber(x), 0, cJSON_GetNumberValue(x)};
    }
    return snap;
}

/* A result line has the keys only `dealscore score` writes. */
static bool is_result(const cJSON *json) {
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(json, "error");
    if (cJSON_IsObject(error) && cJSON_GetObjectItemCaseSensitive(error, "code")) return true;
    return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(json, "scores")) &&
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(json, "verdict"));
}

static int on_line(void *ctx, const char *text, size_t len, const char *where) {
    diff_run *r = ctx;
    side *s = r->current;
    cJSON *json = cJSON_ParseWithLength(text, len);
    snapshot *snap = NULL;
    if (json && is_result(json)) {
        snap = from_result(s, json);
    } else {
        const dealscore_result *res = dealscore_score(r->session->engine, text, len, where);
        if (!res->error.code) {
            snap = from_deal(r, s);
        } else if ((snap = new_snapshot(s, res->id))) {
            snap->error = keep(s, res->error.code);
        }
    }
    cJSON_Delete(json);
    if (!snap) {
        fprintf(stderr, "dealscore diff: out of memory\n");
        return 1;
    }
    if (snap->error) {
        s->errors++;
        fprintf(stderr, "dealscore diff: %s: deal %s cannot be scored (%s)\n", where,
                snap->id ? snap->id : "without an id", snap->error);
    }
    if (!snap->id) return 0; /* nothing to match it with */
    if (ds_idset_add(&s->ids, ds_idset_hash(snap->id))) {
        s->errors++;
        fprintf(stderr,
                "dealscore diff: %s: deal id %s repeats an earlier one: the first is kept\n", where,
                snap->id);
        return 0;
    }
    return add_snapshot(s, snap) ? 0 : 1;
}

static int by_id(const void *a, const void *b) {
    const snapshot *x = *(snapshot *const *)a, *y = *(snapshot *const *)b;
    return strcmp(x->id, y->id);
}

/* Input that never became a deal (too long, broken JSON): it has no id to match. */
static int on_reject(void *ctx, const char *code, const char *message) {
    diff_run *r = ctx;
    r->current->errors++;
    fprintf(stderr, "dealscore diff: %s (%s)\n", message, code);
    return 0;
}

static int read_side(diff_run *r, side *s) {
    r->current = s;
    return cli_session_read(r->session, s->path, on_line, on_reject, r);
}

/* ---- comparing ---- */

static snapshot *find(side *s, const char *id) {
    snapshot key = {.id = id}, *k = &key;
    snapshot **hit = bsearch(&k, s->sorted, (size_t)s->n, sizeof *s->sorted, by_id);
    return hit ? *hit : NULL;
}

static const person *find_person(const snapshot *s, const char *id) {
    for (int i = 0; i < s->n_people; i++)
        if (strcmp(s->people[i].id, id) == 0) return &s->people[i];
    return NULL;
}

static bool has_warning(const snapshot *s, const char *w) {
    for (int i = 0; i < s->n_warnings; i++)
        if (strcmp(s->warnings[i], w) == 0) return true;
    return false;
}

static bool moved(const diff_run *r, const person *a, const person *b) {
    return (a->has_stance && b->has_stance && fabs(b->stance - a->stance) >= r->min_move) ||
           (a->has_predicted && b->has_predicted &&
            fabs(b->predicted - a->predicted) >= r->min_move);
}

/* ---- JSONL output ---- */

static void json_pair_number(ds_buf *b, const char *key, double old, double new, int decimals) {
    ds_buf_printf(b, "\"%s\":{\"old\":", key);
    ds_buf_json_number(b, old, decimals);
    ds_buf_puts(b, ",\"new\":");
    ds_buf_json_number(b, new, decimals);
    ds_buf_puts(b, ",\"change\":");
    ds_buf_json_number(b, ds_round(new, decimals) - ds_round(old, decimals), decimals);
    ds_buf_putc(b, '}');
}

static void json_person(ds_buf *b, const person *p) {
    ds_buf_puts(b, "{\"id\":");
    ds_buf_json_string(b, p->id);
    if (p->name) {
        ds_buf_puts(b, ",\"name\":");
        ds_buf_json_string(b, p->name);
    }
    ds_buf_putc(b, '}');
}

static void json_people_only_in(ds_buf *b, const snapshot *in, const snapshot *not_in) {
    ds_buf_putc(b, '[');
    int n = 0;
    for (int i = 0; i < in->n_people; i++) {
        if (find_person(not_in, in->people[i].id)) continue;
        if (n++) ds_buf_putc(b, ',');
        json_person(b, &in->people[i]);
    }
    ds_buf_putc(b, ']');
}

static void json_moved(diff_run *r, ds_buf *b, const snapshot *o, const snapshot *n) {
    ds_buf_putc(b, '[');
    int count = 0;
    for (int i = 0; i < n->n_people; i++) {
        const person *a = find_person(o, n->people[i].id), *p = &n->people[i];
        if (!a || !moved(r, a, p)) continue;
        if (count++) ds_buf_putc(b, ',');
        json_person(b, p);
        b->len--; /* reopen the person object for the stances */
        if (a->has_stance && p->has_stance) {
            ds_buf_putc(b, ',');
            json_pair_number(b, "stance", a->stance, p->stance, 2);
        }
        if (a->has_predicted && p->has_predicted) {
            ds_buf_putc(b, ',');
            json_pair_number(b, "predicted_stance", a->predicted, p->predicted, 2);
        }
        ds_buf_putc(b, '}');
    }
    ds_buf_putc(b, ']');
}

static void json_warnings_only_in(ds_buf *b, const snapshot *in, const snapshot *not_in) {
    ds_buf_putc(b, '[');
    int n = 0;
    for (int i = 0; i < in->n_warnings; i++) {
        if (has_warning(not_in, in->warnings[i])) continue;
        if (n++) ds_buf_putc(b, ',');
        ds_buf_json_string(b, in->warnings[i]);
    }
    ds_buf_putc(b, ']');
}

/* Coverage is compared at the four decimals results print; a side without it
 * (an old result line) compares as unchanged. */
static bool coverage_changed(const snapshot *o, const snapshot *n) {
    return o->coverage >= 0 && n->coverage >= 0 &&
           ds_round(o->coverage, 4) != ds_round(n->coverage, 4);
}

static bool insufficient(const snapshot *s) {
    return s->verdict && strcmp(s->verdict, "insufficient_data") == 0;
}

/* Counts what differs; 0 means unchanged. */
static int differences(diff_run *r, const snapshot *o, const snapshot *n) {
    if (o->error || n->error) return !(o->error && n->error && strcmp(o->error, n->error) == 0);
    int count = strcmp(o->verdict ? o->verdict : "", n->verdict ? n->verdict : "") != 0;
    for (int k = 0; k < NSCORES; k++)
        count += ds_round(o->scores[k], 1) != ds_round(n->scores[k], 1);
    count += coverage_changed(o, n);
    for (int i = 0; i < o->n_warnings; i++) count += !has_warning(n, o->warnings[i]);
    for (int i = 0; i < n->n_warnings; i++) count += !has_warning(o, n->warnings[i]);
    if (o->has_people && n->has_people) {
        for (int i = 0; i < o->n_people; i++) count += !find_person(n, o->people[i].id);
        for (int i = 0; i < n->n_people; i++) {
            const person *a = find_person(o, n->people[i].id);
            count += !a || moved(r, a, &n->people[i]);
        }
    }
    return count;
}

static void json_side(ds_buf *b, const char *key, const snapshot *s) {
    ds_buf_printf(b, ",\"%s\":{", key);
    if (s->error) {
        ds_buf_puts(b, "\"error\":");
        ds_buf_json_string(b, s->error);
    } else {
        ds_buf_puts(b, "\"viability\":");
        ds_buf_json_number(b, s->scores[DS_NSCORES], 1);
        ds_buf_puts(b, ",\"verdict\":");
        ds_buf_json_string(b, s->verdict);
    }
    ds_buf_putc(b, '}');
}

static void json_compare(diff_run *r, ds_buf *b, const snapshot *o, const snapshot *n) {
    bool same = differences(r, o, n) == 0;
    ds_buf_puts(b, "{\"id\":");
    ds_buf_json_string(b, n->id);
    ds_buf_printf(b, ",\"change\":\"%s\"", same ? "unchanged" : "changed");
    if (o->error || n->error) {
        ds_buf_puts(b, ",\"error\":{\"old\":");
        ds_buf_json_string(b, o->error);
        ds_buf_puts(b, ",\"new\":");
        ds_buf_json_string(b, n->error);
        ds_buf_puts(b, "}}");
        return;
    }
    ds_buf_puts(b, ",\"verdict\":{\"old\":");
    ds_buf_json_string(b, o->verdict);
    ds_buf_puts(b, ",\"new\":");
    ds_buf_json_string(b, n->verdict);
    ds_buf_puts(b, "},\"scores\":{");
    for (int k = 0; k < NSCORES; k++) {
        if (k) ds_buf_putc(b, ',');
        json_pair_number(b, score_keys[k], o->scores[k], n->scores[k], 1);
    }
    ds_buf_putc(b, '}');
    if (o->coverage >= 0 && n->coverage >= 0) {
        ds_buf_putc(b, ',');
        json_pair_number(b, "coverage", o->coverage, n->coverage, 4);
    }
    if (o->has_people && n->has_people) {
        ds_buf_puts(b, ",\"stakeholders\":{\"appeared\":");
        json_people_only_in(b, n, o);
        ds_buf_puts(b, ",\"left\":");
        json_people_only_in(b, o, n);
        ds_buf_puts(b, ",\"moved\":");
        json_moved(r, b, o, n);
        ds_buf_putc(b, '}');
    }
    ds_buf_puts(b, ",\"new_warnings\":");
    json_warnings_only_in(b, n, o);
    ds_buf_puts(b, ",\"resolved_warnings\":");
    json_warnings_only_in(b, o, n);
    ds_buf_putc(b, '}');
}

/* ---- text output ---- */

static void text_person(ds_buf *b, const person *p) {
    dealscore_text_safe(b, p->name ? p->name : p->id, DEALSCORE_TEXT_PLAIN);
    if (p->title) {
        ds_buf_puts(b, " (");
        dealscore_text_safe(b, p->title, DEALSCORE_TEXT_PLAIN);
        ds_buf_putc(b, ')');
    }
}

static void text_people(ds_buf *b, const char *label, const snapshot *in, const snapshot *not_in) {
    int n = 0;
    for (int i = 0; i < in->n_people; i++) {
        if (find_person(not_in, in->people[i].id)) continue;
        ds_buf_puts(b, n++ ? ", " : label);
        text_person(b, &in->people[i]);
    }
    if (n) ds_buf_putc(b, '\n');
}

static void text_warnings(ds_buf *b, const char *label, const snapshot *in,
                          const snapshot *not_in) {
    int n = 0;
    for (int i = 0; i < in->n_warnings; i++) {
        if (has_warning(not_in, in->warnings[i])) continue;
        ds_buf_puts(b, n++ ? ", " : label);
        dealscore_text_safe(b, in->warnings[i], DEALSCORE_TEXT_PLAIN);
    }
    if (n) ds_buf_putc(b, '\n');
}

/* Coverage, and what a verdict change to or from insufficient_data means: the
 * deal was not judged better or worse, what is known about it changed. */
static void text_coverage(ds_buf *b, const snapshot *o, const snapshot *n) {
    bool was = insufficient(o), is = insufficient(n);
    if (!coverage_changed(o, n) && was == is) return;
    ds_buf_puts(b, "  coverage");
    if (o->coverage >= 0 && n->coverage >= 0)
        ds_buf_printf(b, " %.0f%% -> %.0f%%", 100 * o->coverage, 100 * n->coverage);
    if (was && !is)
        ds_buf_puts(b, ": enough is known now to judge it");
    else if (is && !was)
        ds_buf_puts(b, ": too little is known now to judge it; the old verdict no longer holds");
    ds_buf_putc(b, '\n');
}

static void text_compare(diff_run *r, ds_buf *b, const snapshot *o, const snapshot *n) {
    ds_buf_puts(b, "\n");
    dealscore_text_safe(b, n->id, DEALSCORE_TEXT_PLAIN);
    if (o->error || n->error) {
        ds_buf_printf(b, ": error %s -> %s\n", o->error ? o->error : "none",
                      n->error ? n->error : "none");
        return;
    }
    double vo = ds_round(o->scores[DS_NSCORES], 1), vn = ds_round(n->scores[DS_NSCORES], 1);
    ds_buf_printf(b, ": viability %.1f -> %.1f (%+.1f), %s%s%s\n", vo, vn, vn - vo, o->verdict,
                  strcmp(o->verdict, n->verdict) ? " -> " : "",
                  strcmp(o->verdict, n->verdict) ? n->verdict : "");
    text_coverage(b, o, n);
    for (int k = 0; k < DS_NSCORES; k++) {
        double a = ds_round(o->scores[k], 1), c = ds_round(n->scores[k], 1);
        if (a != c) ds_buf_printf(b, "  %s %.1f -> %.1f (%+.1f)\n", score_keys[k], a, c, c - a);
    }
    if (o->has_people && n->has_people) {
        text_people(b, "  appeared: ", n, o);
        text_people(b, "  left: ", o, n);
        for (int i = 0; i < n->n_people; i++) {
            const person *a = find_person(o, n->people[i].id), *p = &n->people[i];
            if (!a || !moved(r, a, p)) continue;
            ds_buf_puts(b, "  moved: ");
            text_person(b, p);
            if (a->has_stance && p->has_stance)
                ds_buf_printf(b, ", stance %+.2f -> %+.2f", a->stance, p->stance);
            if (a->has_predicted && p->has_predicted)
                ds_buf_printf(b, ", predicted %+.2f -> %+.2f", a->predicted, p->predicted);
            ds_buf_putc(b, '\n');
        }
    }
    text_warnings(b, "  new warnings: ", n, o);
    text_warnings(b, "  resolved: ", o, n);
}

static void one_side_only(diff_run *r, const snapshot *s, bool added) {
    ds_buf *b = &r->out;
    if (r->text) {
        ds_buf_puts(b, added ? "\nadded: " : "\nremoved: ");
        dealscore_text_safe(b, s->id, DEALSCORE_TEXT_PLAIN);
        if (s->error)
            ds_buf_printf(b, " (error %s)\n", s->error);
        else
            ds_buf_printf(b, " (viability %.1f, %s)\n", ds_round(s->scores[DS_NSCORES], 1),
                          s->verdict);
        return;
    }
    ds_buf_puts(b, "{\"id\":");
    ds_buf_json_string(b, s->id);
    ds_buf_printf(b, ",\"change\":\"%s\"", added ? "added" : "removed");
    json_side(b, added ? "new" : "old", s);
    ds_buf_puts(b, "}\n");
}

static void flush(diff_run *r) {
    fwrite(r->out.data, 1, r->out.len, stdout);
    ds_buf_clear(&r->out);
}

static void compare(diff_run *r, side *old, side *new) {
    old->sorted = malloc(sizeof(snapshot *) * (size_t)(old->n ? old->n : 1));
    if (!old->sorted) return;
    memcpy(old->sorted, old->list, sizeof(snapshot *) * (size_t)old->n);
    qsort(old->sorted, (size_t)old->n, sizeof *old->sorted, by_id);
    for (long i = 0; i < new->n; i++) {
        snapshot *n = new->list[i], *o = find(old, n->id);
        if (!o) {
            r->added++;
            one_side_only(r, n, true);
        } else {
            o->matched = true;
            bool same = differences(r, o, n) == 0;
            r->changed += !same;
            r->unchanged += same;
            if (r->text && !same)
                text_compare(r, &r->out, o, n);
            else if (!r->text) {
                json_compare(r, &r->out, o, n);
                ds_buf_putc(&r->out, '\n');
            }
        }
        flush(r);
    }
    for (long i = 0; i < old->n; i++) {
        if (old->list[i]->matched) continue;
        r->removed++;
        one_side_only(r, old->list[i], false);
        flush(r);
    }
    if (r->text)
        printf("\n%ld deals in NEW: %ld changed, %ld unchanged, %ld added; %ld removed\n",
               r->changed + r->unchanged + r->added, r->changed, r->unchanged, r->added,
               r->removed);
}

/* ---- the command ---- */

static double gap_min(const ds_params *p) {
    const cJSON *policy = cJSON_GetObjectItemCaseSensitive(p->json, "policy");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(policy, "expectation_gap_min");
    return cJSON_IsNumber(v) ? v->valuedouble : 0.5;
}

static void side_init(side *s, const char *path) {
    memset(s, 0, sizeof *s);
    s->path = path;
    ds_arena_init(&s->arena, 64 * 1024);
    ds_idset_init(&s->ids);
}

static void side_free(side *s) {
    ds_arena_free(&s->arena);
    ds_idset_free(&s->ids);
    free(s->list);
    free(s->sorted);
}

static int diff_option(void *ctx, int c, const char *arg) {
    diff_run *r = ctx;
    if (c != 'v' || cli_number(arg, 0, 0, 2, &r->min_move)) return 0;
    return cli_bad_value("diff", "--min-move", "a number 0..2", arg);
}

static const cli_format_name formats[] = {{"jsonl", 0}, {"text", 1}, {NULL, 0}};

int cli_diff(int argc, char **argv) {
    static const struct option longopts[] = {{"min-move", required_argument, NULL, 'v'},
                                             {NULL, 0, NULL, 0}};
    cli_session_options so = {.max_actions = -1};
    diff_run r = {.min_move = 0.1};
    const cli_spec spec = {.name = "diff",
                           .usage = usage,
                           .shared = CLI_SESSION_SHARED | CLI_SH_FORMAT,
                           .formats = formats,
                           .longopts = longopts,
                           .own = diff_option,
                           .ctx = &r};
    if (cli_session_parse(&spec, 2, "two files, OLD and NEW", argc, argv, &so) < 0)
        return CLI_USAGE;
    r.text = so.sh.format == 1;
    if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0) {
        fprintf(stderr, "dealscore diff: only one of OLD and NEW can be standard input\n");
        return CLI_USAGE;
    }
    cli_session s;
    if (cli_session_open(&s, "diff", &so) < 0) return CLI_USAGE;
    /* ids repeat across the two sides, each side checks its own; no explain */
    dealscore_engine_set_flags(s.engine, 0, NULL, 0);
    r.session = &s;
    r.gap_min = gap_min(&s.params);
    ds_buf_init(&r.out);
    side old, new;
    side_init(&old, argv[optind]);
    side_init(&new, argv[optind + 1]);
    int rc = CLI_OK;
    if (read_side(&r, &old) < 0 || read_side(&r, &new) < 0)
        rc = CLI_USAGE;
    else
        compare(&r, &old, &new);
    if (rc == CLI_OK && (old.errors || new.errors)) rc = CLI_DEAL_ERRORS;
    if (fflush(stdout) != 0) rc = CLI_USAGE;
    ds_buf_free(&r.out);
    side_free(&old);
    side_free(&new);
    cli_session_close(&s);
    return rc;
}
