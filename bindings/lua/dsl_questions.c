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
} base_state;

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

static int answer(base_state *b, ds_question *q, int end, ds_arena *a, ds_error *err) {
    ds_arena_mark mark = ds_arena_mark_now(a);
    ds_deal copy;
    ds_analysis an;
    ds_outcome o = *b->outcome;
    int rc = ds_question_apply(b->an->deal, q, end, a, &copy);
    if (rc < 0) ds_error_set(err, "out_of_memory", "$", "deal too large for questions");
    if (rc > 0) {
        rc = ds_analyse_derived(&an, &copy, b->an, q->touch, a, err);
        if (rc == 0 && !(same_scores(&an, b->an) && dsl_view_same(b->L, &b->reads, &an, b->an)))
            rc = dsl_policy_decide(b->policy, &an, a, &o, err);
    }
    if (rc == 0) {
        q->viability[end] = computed_viability(&o);
        q->verdict[end] = o.verdict; /* a static string (dsl_policy.c) */
    }
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

int dsl_questions_rank(dsl_policy *p, ds_analysis *base, ds_outcome *out,
                       const ds_question_settings *settings, int max, ds_arena *a, ds_error *err) {
    ds_question *items = NULL;
    int n = ds_question_list(base->deal, base->params, a, &items);
    if (n >= 0)
        n = ds_question_prune(items, n, base->deal, base->graph.effective, settings->max_candidates,
                              a);
    if (n < 0) {
        ds_error_set(err, "out_of_memory", "$", "deal too large for questions");
        return -1;
    }
    base_state b = {p, dsl_policy_state(p), base, out, {0}};
    if (n > 0 && track(&b, a, err) < 0) return -1;
    for (int i = 0; i < n; i++) {
        for (int end = 0; end < 2; end++)
            if (answer(&b, &items[i], end, a, err) < 0) return -1;
        items[i].swing = fabs(items[i].viability[1] - items[i].viability[0]);
    }
    out->questions = items;
    out->n_questions = ds_question_rank(items, n, settings->min_swing, max);
    return 0;
}
