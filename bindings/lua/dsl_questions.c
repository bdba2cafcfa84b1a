/* dsl_questions.c: the questions that would change the verdict, answered through
 * the team's own policy.
 *
 * For one analysed deal: every question of core/ds_question.c (a field the deal
 * does not give) is answered at the low and at the high end of its range, each
 * answer on a copy of the deal; the copy is analysed (reusing what the answer
 * cannot change, as next best actions do) and decided by the same policy. The
 * swing is the difference of the two computed viabilities (before any override).
 *
 * A deal with little data has a hundred questions or more, so most of the work is
 * not done twice: an answer the deal already holds is the deal itself, and a copy
 * whose scores and every value the policy read of the deal (noted while the policy
 * decides the deal once more, dsl_view_track) are the deal's own is decided as the
 * deal was, without running the policy (dsl_view.c explains why that is exact).
 * Each copy's memory is given back to the arena before the next. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"

static double computed_viability(const ds_outcome *o) {
    return o->overridden ? o->computed_viability : o->viability;
}

typedef struct base_state {
    dsl_policy *policy;
    lua_State *L;
    ds_analysis *an;
    const ds_outcome *outcome;
    dsl_reads reads;
    const ds_question_settings *settings;
    double screen; /* the screen's viability of the deal itself */
    int analysed;  /* copies analysed so far */
} base_state;

/* Per question, what the first pass left: the ends still to be decided by a run
 * of the policy, and how far the screen estimates they move viability. */
typedef struct open_question {
    int at;             /* index in the list */
    unsigned char ends; /* bit e: end e needs a run */
    double order;       /* the screen's moves of the open ends, added up */
} open_question;

/* The error of a copy names the question: the answer is ours, so a failure is
 * out of memory or the policy's (policy_error, policy_timeout, policy_memory). */
static int question_error(const ds_question *q, ds_error *err) {
    char inner[sizeof err->message], path[64];
    snprintf(inner, sizeof inner, "%s", err->message);
    ds_question_path(q, path, sizeof path);
    ds_error_set(err, err->code ? err->code : "out_of_memory", "$", "question %s: %s", path,
                 err->code ? inner : "no memory");
    return -1;
}

static bool same_scores(const ds_analysis *a, const ds_analysis *b) {
    for (int k = 0; k < DS_NSCORES; k++)
        if (a->scores[k].value != b->scores[k].value) return false;
    return true;
}

static void decided(ds_question *q, int end, const ds_outcome *o) {
    q->viability[end] = computed_viability(o);
    q->verdict[end] = o->verdict; /* a static string (dsl_policy.c) */
}

/* Answers one end of a question where that needs no run of the policy: the answer
 * the deal holds already, or a copy whose scores and reads are the deal's own.
 * Otherwise runs the policy when run is set, or else leaves the end open, adding
 * the screen's estimate of its move to *order. Returns 1 decided, 0 open, -1 error. */
static int answer(base_state *b, ds_question *q, int end, bool run, ds_arena *a, double *order,
                  ds_error *err) {
    ds_arena_mark mark = ds_arena_mark_now(a);
    ds_deal copy;
    ds_analysis an;
    ds_outcome o = *b->outcome;
    int rc = ds_question_apply(b->an->deal, q, end, a, &copy);
    if (rc < 0) ds_error_set(err, "out_of_memory", "$", "deal too large for questions");
    if (rc > 0) {
        rc = ds_analyse_derived(&an, &copy, b->an, q->touch, a, err);
        b->analysed++;
        if (rc == 0 && !(same_scores(&an, b->an) && dsl_view_same(b->L, &b->reads, &an, b->an))) {
            if (run) {
                rc = dsl_policy_decide(b->policy, &an, a, &o, err);
            } else {
                *order += ds_question_screen_move(&an, b->an, b->screen, &b->settings->screen);
                ds_arena_release(a, mark);
                return 0;
            }
        }
    }
    if (rc == 0) decided(q, end, &o);
    ds_arena_release(a, mark);
    return rc < 0 ? question_error(q, err) : 1;
}

/* Decides an open end: the copy analysed again and decided by the policy. */
static int run_open(base_state *b, ds_question *q, int end, ds_arena *a, ds_error *err) {
    ds_arena_mark mark = ds_arena_mark_now(a);
    ds_deal copy;
    ds_analysis an;
    ds_outcome o;
    int rc = ds_question_apply(b->an->deal, q, end, a, &copy); /* 1: open ends differ */
    if (rc < 0)
        ds_error_set(err, "out_of_memory", "$", "deal too large for questions");
    else
        rc = ds_analyse_derived(&an, &copy, b->an, q->touch, a, err);
    if (rc == 0) rc = dsl_policy_decide(b->policy, &an, a, &o, err);
    if (rc == 0) decided(q, end, &o);
    ds_arena_release(a, mark);
    return rc < 0 ? question_error(q, err) : 0;
}

/* Decides the deal once more, noting what the policy reads. */
static int track(base_state *b, ds_arena *a, ds_error *err) {
    int n = b->an->deal->n_stakeholders;
    b->reads =
        (dsl_reads){0, 0, ds_arena_alloc(a, sizeof(unsigned) * (size_t)(n ? n : 1)), n, false};
    if (!b->reads.stakeholders) {
        ds_error_set(err, "out_of_memory", "$", "deal too large for questions");
        return -1;
    }
    ds_outcome again;
    dsl_view_track(b->L, &b->reads);
    int rc = dsl_policy_decide(b->policy, b->an, a, &again, err);
    dsl_view_track(b->L, NULL);
    return rc;
}

/* Larger estimated move first; ties in list order. */
static int by_screen(const void *x, const void *y) {
    const open_question *a = x, *b = y;
    if (a->order != b->order) return a->order > b->order ? -1 : 1;
    return a->at - b->at;
}

/* Spends the budget on the open questions in the order of the screen, each
 * question's open ends together (a question with one end decided is the swing
 * of its other end); a question the budget cannot pay for in full is left out.
 * Marks in keep[] the questions whose both ends are decided. */
static int spend(base_state *b, ds_question *items, open_question *open, int n_open, int budget,
                 unsigned char *keep, ds_arena *a, ds_error *err) {
    qsort(open, (size_t)n_open, sizeof *open, by_screen);
    for (int k = 0; k < n_open && budget > 0; k++) {
        int runs = (open[k].ends & 1) + (open[k].ends >> 1 & 1);
        if (runs > budget) continue;
        budget -= runs;
        for (int end = 0; end < 2; end++)
            if ((open[k].ends >> end & 1) && run_open(b, &items[open[k].at], end, a, err) < 0)
                return -1;
        keep[open[k].at] = 1;
    }
    return 0;
}

int dsl_questions_rank(dsl_policy *p, ds_analysis *base, ds_outcome *out,
                       const ds_question_settings *settings, int max, bool exact, ds_arena *a,
                       ds_error *err) {
    ds_question *items = NULL;
    int n = ds_question_list(base->deal, base->params, a, &items);
    if (n >= 0)
        n = ds_question_prune(items, n, base->deal, base->graph.effective, settings->max_candidates,
                              a);
    exact = exact || settings->exact;
    open_question *open = exact || n <= 0 ? NULL : ds_arena_alloc(a, sizeof *open * (size_t)n);
    unsigned char *keep = exact || n <= 0 ? NULL : ds_arena_alloc(a, (size_t)n);
    if (n < 0 || (!exact && n > 0 && (!open || !keep))) {
        ds_error_set(err, "out_of_memory", "$", "deal too large for questions");
        return -1;
    }
    base_state b = {p, dsl_policy_state(p), base, out, {0}, settings, 0, 0};
    if (n > 0 && track(&b, a, err) < 0) return -1;
    b.screen = ds_question_screen_viability(base, &settings->screen);
    int n_open = 0;
    for (int i = 0; i < n; i++) {
        open_question o = {i, 0, 0};
        for (int end = 0; end < 2; end++) {
            int rc = answer(&b, &items[i], end, exact, a, &o.order, err);
            if (rc < 0) return -1;
            if (rc == 0) o.ends |= (unsigned char)(1u << end);
        }
        if (o.ends) {
            open[n_open++] = o;
        } else if (keep) {
            keep[i] = 1;
        }
    }
    if (n_open) {
        int budget = ds_question_run_budget(base->deal, settings, b.analysed, a);
        if (budget < 0) {
            ds_error_set(err, "out_of_memory", "$", "deal too large for questions");
            return -1;
        }
        if (spend(&b, items, open, n_open, budget, keep, a, err) < 0) return -1;
    }
    int kept = n;
    if (keep) { /* the questions the budget left open are not asked */
        kept = 0;
        for (int i = 0; i < n; i++)
            if (keep[i]) items[kept++] = items[i];
    }
    for (int i = 0; i < kept; i++)
        items[i].swing = fabs(items[i].viability[1] - items[i].viability[0]);
    out->questions = items;
    out->n_questions = ds_question_rank(items, kept, settings->min_swing, max);
    return 0;
}
