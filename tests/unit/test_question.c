/* test_question.c: the questions of core/ds_question.c: which fields are asked
 * about, the answers' copies (and that the analysis derived for them equals a
 * fresh one), the measurable case's ends, the JSON written, and ranking. The
 * questions answered through a policy are tested end to end
 * (tests/e2e/test_questions.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

/* buyer gives every counted field; champ gives only stance; it_guy gives none;
 * the solution gives everything but capability, it_career and two measurable
 * parts. */
static const char deal_json[] =
    "{\"id\":\"q\",\"amount\":200000,\"solution\":{\"for_it\":false,\"strategic\":0.7,"
    "\"measurable\":{\"annual_benefit\":150000,\"confidence\":0.8},\"it_workload\":0.2,"
    "\"it_burden_framed\":false,\"in_house_alternative\":0.3,\"data_readiness\":0.6,"
    "\"security_risk\":0.3,\"user_change\":0.4,\"user_transparency\":0.2,\"user_benefit\":0.6,"
    "\"users_consulted\":false,\"prototype\":false},"
    "\"stakeholders\":["
    "{\"id\":\"buyer\",\"name\":\"Jo Buyer\",\"title\":\"CFO\",\"level\":\"c_level\","
    "\"can_buy\":true,\"influence\":0.8,\"stance\":0.4,\"benefits\":{\"work\":0.5,\"career\":0.4},"
    "\"convinced\":{\"capability\":true,\"strategic\":false,\"measurable\":true},"
    "\"ai_interest\":0.5,\"burden\":0.2,\"credibility_threat\":0},"
    "{\"id\":\"champ\",\"level\":\"vp\",\"roles\":[\"champion\"],\"stance\":0.6},"
    "{\"id\":\"it_guy\",\"function\":\"it\",\"level\":\"head\"},"
    "{\"id\":\"user\",\"function\":\"user\",\"level\":\"individual\"}],"
    "\"relationships\":[{\"from\":\"champ\",\"to\":\"buyer\",\"type\":\"trusts\",\"strength\":0.7},"
    "{\"from\":\"it_guy\",\"to\":\"champ\",\"type\":\"peer\"},"
    "{\"from\":\"user\",\"to\":\"it_guy\",\"type\":\"influences\",\"strength\":0.4}]}";

static int count_for(const ds_question *qs, int n, int who) {
    int k = 0;
    for (int i = 0; i < n; i++) k += qs[i].who == who;
    return k;
}

static const ds_question *find(const ds_question *qs, int n, int who, int field) {
    for (int i = 0; i < n; i++)
        if (qs[i].who == who && qs[i].field == field) return &qs[i];
    return NULL;
}

static void asks_about_what_is_not_given(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, deal_json);
    ds_question *qs;
    int n = ds_question_list(&h.deal, h_params(), &h.arena, &qs);
    assert_int_equal(count_for(qs, n, h_index(&h, "buyer")), 0);
    assert_int_equal(count_for(qs, n, h_index(&h, "champ")), DS_Q_FOR_IT - 1);
    assert_null(find(qs, n, h_index(&h, "champ"), DS_Q_STANCE));
    assert_int_equal(count_for(qs, n, h_index(&h, "it_guy")), DS_Q_FOR_IT);
    /* the solution: capability, it_career, and the measurable case as one question */
    assert_int_equal(count_for(qs, n, -1), 3);
    assert_non_null(find(qs, n, -1, DS_Q_CAPABILITY));
    assert_non_null(find(qs, n, -1, DS_Q_IT_CAREER));
    const ds_question *m = find(qs, n, -1, DS_Q_MEASURABLE);
    assert_non_null(m);
    assert_int_equal(m->parts, DS_Q_COST | DS_Q_PAYBACK_MONTHS);
    assert_string_equal(m->before, "Find out the measurable case (cost, payback)");
    assert_int_equal(n, 3 + (DS_Q_FOR_IT - 1) + 2 * DS_Q_FOR_IT);
    h_free(&h);
}

/* An inferred value is a guess (a stance read from a Contact Role): worth asking. */
static void inferred_values_are_asked_about(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"i\",\"solution\":{\"capability\":0.5,\"measurable\":"
                  "{\"annual_benefit\":1,\"cost\":1,\"payback_months\":1,\"confidence\":1},"
                  "\"inferred\":{\"capability\":\"Metrics\",\"measurable.cost\":\"Amount\"}},"
                  "\"stakeholders\":[{\"id\":\"a\",\"stance\":0.5,\"influence\":0.5,"
                  "\"inferred\":{\"stance\":\"Contact Role\"}}]}");
    ds_question *qs;
    int n = ds_question_list(&h.deal, h_params(), &h.arena, &qs);
    assert_non_null(find(qs, n, 0, DS_Q_STANCE));
    assert_null(find(qs, n, 0, DS_Q_INFLUENCE));
    assert_non_null(find(qs, n, -1, DS_Q_CAPABILITY));
    assert_int_equal(find(qs, n, -1, DS_Q_MEASURABLE)->parts, DS_Q_COST);
    h_free(&h);
}

static void words_and_paths(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, deal_json);
    ds_question *qs;
    int n = ds_question_list(&h.deal, h_params(), &h.arena, &qs);
    char path[64];
    ds_question_path(find(qs, n, 2, DS_Q_BENEFIT_WORK), path, sizeof path);
    assert_string_equal(path, "$.stakeholders[2].benefits.work");
    ds_question_path(find(qs, n, -1, DS_Q_MEASURABLE), path, sizeof path);
    assert_string_equal(path, "$.solution.measurable");
    ds_buf b;
    ds_buf_init(&b);
    ds_question_write_words(&b, &h.deal, find(qs, n, 1, DS_Q_INFLUENCE));
    ds_buf_putc(&b, '\0');
    assert_string_equal(b.data, "Find out how much say champ has in the decision");
    ds_buf_clear(&b);
    ds_question_write_words(&b, &h.deal, find(qs, n, -1, DS_Q_CAPABILITY));
    ds_buf_putc(&b, '\0');
    assert_string_equal(b.data, "Find out how strong the case for the new capability is");
    ds_buf_clear(&b);
    ds_question_write_answer(&b, &h.deal, find(qs, n, 1, DS_Q_CONVINCED_STRATEGIC), 1);
    ds_question_write_answer(&b, &h.deal, find(qs, n, 1, DS_Q_INFLUENCE), 0);
    ds_question_write_answer(&b, &h.deal, find(qs, n, 2, DS_Q_STANCE), 0);
    ds_buf_putc(&b, '\0');
    assert_string_equal(b.data, "true0-1");
    ds_buf_free(&b);
    h_free(&h);
}

/* Both ends of every question: the copy differs from the deal in that field only,
 * the deal itself is untouched, coverage stays, and the analysis derived from the
 * deal's equals a fresh one (the touch levels are right). */
static void copies_change_one_field_and_derive_exactly(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, deal_json);
    ds_question *qs;
    int n = ds_question_list(&h.deal, h_params(), &h.arena, &qs);
    size_t size = sizeof(ds_stakeholder) * (size_t)h.deal.n_stakeholders;
    ds_stakeholder *before = ds_arena_alloc(&h.arena, size);
    memcpy(before, h.deal.stakeholders, size);
    ds_solution sol = h.deal.solution;
    int changed = 0;
    for (int i = 0; i < n; i++) {
        for (int end = 0; end < 2; end++) {
            ds_deal copy;
            int rc = ds_question_apply(&h.deal, &qs[i], end, &h.arena, &copy);
            assert_true(rc >= 0);
            changed += rc;
            assert_memory_equal(h.deal.stakeholders, before, size);
            assert_memory_equal(&h.deal.solution, &sol, sizeof sol);
            assert_int_equal(copy.coverage_given, h.deal.coverage_given);
            for (int s = 0; s < h.deal.n_stakeholders; s++)
                if (s != qs[i].who)
                    assert_memory_equal(&copy.stakeholders[s], &before[s], sizeof before[s]);
            if (qs[i].who >= 0) assert_memory_equal(&copy.solution, &sol, sizeof sol);
            ds_analysis derived, fresh;
            ds_error err = {0};
            assert_int_equal(
                ds_analyse_derived(&derived, &copy, &h.an, qs[i].touch, &h.arena, &err), 0);
            assert_int_equal(ds_analyse(&fresh, &copy, h_params(), &h.arena, &err), 0);
            for (int k = 0; k < DS_NSCORES; k++)
                assert_near(derived.scores[k].value, fresh.scores[k].value, 1e-9);
            for (int s = 0; s < copy.n_stakeholders; s++) {
                assert_near(derived.graph.predicted[s], fresh.graph.predicted[s], 1e-9);
                assert_near(derived.graph.effective[s], fresh.graph.effective[s], 1e-12);
                assert_true(derived.engagement[s] == fresh.engagement[s]); /* the deal's */
            }
            assert_int_equal(derived.n_warnings, fresh.n_warnings);
            for (int w = 0; w < fresh.n_warnings; w++)
                assert_string_equal(derived.warnings[w], fresh.warnings[w]);
        }
    }
    /* an answer the deal holds already (benefits 0, convinced false...) is no copy */
    assert_true(changed < 2 * n);
    assert_true(changed > n);
    h_free(&h);
}

static void answer_equal_to_the_deal_is_the_deal(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, deal_json);
    ds_question *qs;
    int n = ds_question_list(&h.deal, h_params(), &h.arena, &qs);
    ds_deal copy;
    /* champ's benefits.work defaults to 0, the low end */
    const ds_question *q = find(qs, n, 1, DS_Q_BENEFIT_WORK);
    assert_int_equal(ds_question_apply(&h.deal, q, 0, &h.arena, &copy), 0);
    assert_int_equal(ds_question_apply(&h.deal, q, 1, &h.arena, &copy), 1);
    assert_near(copy.stakeholders[1].benefit_work, 1, 0);
    /* stance defaults to 0, inside the range: both ends change it */
    q = find(qs, n, 2, DS_Q_STANCE);
    assert_int_equal(ds_question_apply(&h.deal, q, 0, &h.arena, &copy), 1);
    assert_near(copy.stakeholders[2].stance, -1, 0);
    h_free(&h);
}

/* The measurable case: cost and payback are not given. Low: break even over the
 * horizon (cost = benefit x horizon, r = 0) and five times the payback limit; high:
 * a cost of a tenth of the benefit and a payback at the limit. */
static void measurable_ends(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, deal_json);
    const ds_params *p = h_params();
    ds_question *qs;
    int n = ds_question_list(&h.deal, p, &h.arena, &qs);
    const ds_question *q = find(qs, n, -1, DS_Q_MEASURABLE);
    assert_near(h.an.scores[DS_MEASURABLE_ROI].value, 0, 0); /* no cost: m = 0 */
    double c = h.an.conviction[DS_MEASURABLE_CASE];
    for (int end = 0; end < 2; end++) {
        ds_deal copy;
        ds_analysis an;
        ds_error err = {0};
        assert_int_equal(ds_question_apply(&h.deal, q, end, &h.arena, &copy), 1);
        assert_int_equal(ds_analyse(&an, &copy, p, &h.arena, &err), 0);
        double cost = end ? 15000 : 150000 * p->horizon_years;
        double r = (150000 * p->horizon_years - cost) / cost;
        double g = r > 0 ? r / (1 + r) : 0;
        double payback = end ? p->payback_limit_months : 5 * p->payback_limit_months;
        double m = 0.8 * g * fmin(1, p->payback_limit_months / payback);
        assert_near(an.scores[DS_MEASURABLE_ROI].value,
                    100 * m * (p->meas_base + p->meas_conviction * c), 1e-9);
    }
    ds_buf b;
    ds_buf_init(&b);
    ds_question_write_answer(&b, &h.deal, q, 0);
    ds_buf_putc(&b, ' ');
    ds_question_write_answer(&b, &h.deal, q, 1);
    ds_buf_putc(&b, '\0');
    assert_string_equal(b.data, "{\"cost\":450000,\"payback_months\":120} "
                                "{\"cost\":15000,\"payback_months\":24}");
    ds_buf_free(&b);
    h_free(&h);
}

/* With neither benefit nor cost given, the cost is the deal's amount. */
static void measurable_without_numbers_costs_the_amount(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, "{\"id\":\"m\",\"amount\":80000,\"stakeholders\":[{\"id\":\"a\"}]}");
    ds_question *qs;
    int n = ds_question_list(&h.deal, h_params(), &h.arena, &qs);
    const ds_question *q = find(qs, n, -1, DS_Q_MEASURABLE);
    assert_non_null(q);
    assert_int_equal(q->parts, 15u);
    ds_buf b;
    ds_buf_init(&b);
    ds_question_write_answer(&b, &h.deal, q, 1);
    ds_buf_putc(&b, '\0');
    assert_string_equal(b.data, "{\"annual_benefit\":800000,\"cost\":80000,"
                                "\"payback_months\":24,\"confidence\":1}");
    ds_buf_free(&b);
    h_free(&h);
}

static void rank_by_swing(void **state) {
    (void)state;
    ds_question qs[5] = {
        {.field = DS_Q_STANCE, .who = 2, .swing = 3.004},
        {.field = DS_Q_CAPABILITY, .who = -1, .swing = 12.5},
        {.field = DS_Q_INFLUENCE, .who = 2, .swing = 3.001},
        {.field = DS_Q_BURDEN, .who = 0, .swing = 0.05}, /* not above min_swing */
        {.field = DS_Q_PROTOTYPE, .who = -1, .swing = 0.2},
    };
    int kept = ds_question_rank(qs, 5, 0.05, 10);
    assert_int_equal(kept, 4);
    assert_int_equal(qs[0].field, DS_Q_CAPABILITY);
    assert_int_equal(qs[1].field, DS_Q_INFLUENCE); /* 3.00 both, as written: list order */
    assert_int_equal(qs[2].field, DS_Q_STANCE);
    assert_int_equal(qs[3].field, DS_Q_PROTOTYPE);
    assert_int_equal(ds_question_rank(qs, 5, 0.05, 2), 2);
}

/* Past max_candidates, the questions about the solution stay, then those about
 * decision makers, then other key stakeholders, then the rest, each by effective
 * influence, ties in list order; what is kept stays in list order. */
static void prune_keeps_solution_deciders_key_then_influence(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 0);
    ds_stakeholder people[4] = {
        {.sets = 0}, {.sets = DS_SET_KEY}, {.sets = DS_SET_DECIDERS | DS_SET_KEY}, {.sets = 0}};
    ds_deal d = {.stakeholders = people, .n_stakeholders = 4};
    double weight[4] = {0.9, 0.1, 0.05, 0.4};
    ds_question qs[7] = {
        {.field = DS_Q_STANCE, .who = 0},      {.field = DS_Q_STANCE, .who = 3},
        {.field = DS_Q_INFLUENCE, .who = 1},   {.field = DS_Q_PROTOTYPE, .who = -1},
        {.field = DS_Q_BURDEN, .who = 0},      {.field = DS_Q_BENEFIT_WORK, .who = 2},
        {.field = DS_Q_CAPABILITY, .who = -1},
    };
    assert_int_equal(ds_question_prune(qs, 7, &d, weight, 7, &a), 7);
    assert_int_equal(ds_question_prune(qs, 7, &d, weight, 5, &a), 5);
    /* solution x2, the decider (2), the key person (1), then person 0 (0.9) before 3 */
    static const int who[5] = {0, 1, -1, 2, -1};
    static const int field[5] = {DS_Q_STANCE, DS_Q_INFLUENCE, DS_Q_PROTOTYPE, DS_Q_BENEFIT_WORK,
                                 DS_Q_CAPABILITY};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(qs[i].who, who[i]);
        assert_int_equal(qs[i].field, field[i]);
    }
    assert_int_equal(ds_question_prune(qs, 5, &d, weight, 2, &a), 2);
    assert_int_equal(qs[0].field, DS_Q_PROTOTYPE);
    assert_int_equal(qs[1].field, DS_Q_CAPABILITY);
    ds_arena_free(&a);
}

static void settings_are_optional(void **state) {
    (void)state;
    ds_params p;
    char err[256];
    assert_int_equal(
        ds_params_load_file(&p, DEALSCORE_DATADIR "/models/default.json", err, sizeof err), 0);
    ds_question_settings s;
    cJSON_DeleteItemFromObjectCaseSensitive(p.json, "questions");
    assert_int_equal(ds_question_settings_load(&s, &p, err, sizeof err), 0);
    assert_int_equal(s.max_questions, DS_QUESTION_MAX);
    assert_int_equal(s.max_candidates, DS_QUESTION_MAX_CANDIDATES);
    cJSON *q = cJSON_AddObjectToObject(p.json, "questions");
    cJSON_AddNumberToObject(q, "max_candidates", 7);
    assert_int_equal(ds_question_settings_load(&s, &p, err, sizeof err), 0);
    assert_int_equal(s.max_candidates, 7);
    cJSON_ReplaceItemInObjectCaseSensitive(q, "max_candidates", cJSON_CreateNumber(-1));
    assert_int_equal(ds_question_settings_load(&s, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "questions.max_candidates"));
    cJSON_DeleteItemFromObjectCaseSensitive(q, "max_candidates");
    cJSON_AddStringToObject(q, "max_questions", "five");
    assert_int_equal(ds_question_settings_load(&s, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "questions.max_questions"));
    ds_params_free(&p);
}

/* The budget: the actions' catalogue of the deal, less the run that notes the
 * reads and a run per DS_QUESTION_ANALYSES_PER_RUN copies analysed, at least
 * DS_QUESTION_MIN_RUNS; and the settings that turn it off. */
static void run_budget_is_what_actions_spend(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, deal_json);
    ds_question_settings s;
    char err[256];
    assert_int_equal(ds_question_settings_load(&s, h_params(), err, sizeof err), 0);
    assert_false(s.exact);
    ds_action *acts;
    int n = ds_action_catalogue(&h.deal, &s.actions, &h.arena, &acts);
    assert_true(n > DS_QUESTION_MIN_RUNS + 2);
    assert_int_equal(ds_question_run_budget(&h.deal, &s, 0, &h.arena), n - 1);
    assert_int_equal(ds_question_run_budget(&h.deal, &s, 1, &h.arena), n - 2);
    assert_int_equal(
        ds_question_run_budget(&h.deal, &s, DS_QUESTION_ANALYSES_PER_RUN + 1, &h.arena), n - 3);
    assert_int_equal(ds_question_run_budget(&h.deal, &s, 1000, &h.arena), DS_QUESTION_MIN_RUNS);
    s.actions.max_candidates = 2; /* the actions' own bound */
    assert_int_equal(ds_question_run_budget(&h.deal, &s, 0, &h.arena), DS_QUESTION_MIN_RUNS);
    h_free(&h);

    ds_params p;
    assert_int_equal(
        ds_params_load_file(&p, DEALSCORE_DATADIR "/models/default.json", err, sizeof err), 0);
    cJSON *q = cJSON_GetObjectItemCaseSensitive(p.json, "questions");
    cJSON_AddTrueToObject(q, "exact");
    assert_int_equal(ds_question_settings_load(&s, &p, err, sizeof err), 0);
    assert_true(s.exact);
    cJSON_ReplaceItemInObjectCaseSensitive(q, "exact", cJSON_CreateNumber(1));
    assert_int_equal(ds_question_settings_load(&s, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "questions.exact"));
    cJSON_DeleteItemFromObjectCaseSensitive(q, "exact");
    cJSON_DeleteItemFromObjectCaseSensitive(p.json, "actions"); /* the budget needs it */
    assert_int_equal(ds_question_settings_load(&s, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "actions."));
    ds_params_free(&p);
}

/* The screen: SCORING.md's viability before its rules, from the core scores; an
 * answer that moves a score moves the estimate, one that moves none counts as a
 * rule's tenth of the deal's. */
static void screen_estimates_from_core_scores(void **state) {
    (void)state;
    h_deal h;
    h_analyse(&h, deal_json);
    ds_question_settings s;
    char err[256];
    assert_int_equal(ds_question_settings_load(&s, h_params(), err, sizeof err), 0);
    const ds_score *sc = h.an.scores;
    double value = 0.35 * sc[DS_CAPABILITY_ROI].value + 0.35 * sc[DS_STRATEGIC_ROI].value +
                   0.30 * sc[DS_MEASURABLE_ROI].value;
    double friction = 0.6 * sc[DS_IT_RESISTANCE].value + 0.4 * sc[DS_USER_THREAT].value;
    double v = value * (1 - 0.5 * friction / 100) * (0.6 + 0.25 * h.an.push_back);
    double base = ds_question_screen_viability(&h.an, &s.screen);
    assert_near(base, v, 1e-9);
    assert_true(base > 0);
    ds_question *qs;
    int n = ds_question_list(&h.deal, h_params(), &h.arena, &qs);
    const ds_question *cap = find(qs, n, -1, DS_Q_CAPABILITY);
    const ds_question *ai = find(qs, n, h_index(&h, "user"), DS_Q_AI_INTEREST);
    assert_non_null(cap);
    assert_non_null(ai);
    ds_deal copy;
    ds_analysis an;
    ds_error e = {0};
    assert_int_equal(ds_question_apply(&h.deal, cap, 1, &h.arena, &copy), 1);
    assert_int_equal(ds_analyse_derived(&an, &copy, &h.an, cap->touch, &h.arena, &e), 0);
    double move = ds_question_screen_move(&an, &h.an, base, &s.screen);
    assert_near(move, ds_question_screen_viability(&an, &s.screen) - base, 1e-9);
    assert_true(move > DS_QUESTION_SCREEN_RULE * base); /* the case counts most */
    /* a user's interest in AI moves no core score: a rule's share, if any rule reads it */
    assert_int_equal(ds_question_apply(&h.deal, ai, 1, &h.arena, &copy), 1);
    assert_int_equal(ds_analyse_derived(&an, &copy, &h.an, ai->touch, &h.arena, &e), 0);
    for (int k = 0; k < DS_NSCORES; k++) assert_true(an.scores[k].value == h.an.scores[k].value);
    assert_near(ds_question_screen_move(&an, &h.an, base, &s.screen),
                DS_QUESTION_SCREEN_RULE * base, 1e-12);
    h_free(&h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(asks_about_what_is_not_given),
        cmocka_unit_test(inferred_values_are_asked_about),
        cmocka_unit_test(words_and_paths),
        cmocka_unit_test(copies_change_one_field_and_derive_exactly),
        cmocka_unit_test(answer_equal_to_the_deal_is_the_deal),
        cmocka_unit_test(measurable_ends),
        cmocka_unit_test(measurable_without_numbers_costs_the_amount),
        cmocka_unit_test(rank_by_swing),
        cmocka_unit_test(prune_keeps_solution_deciders_key_then_influence),
        cmocka_unit_test(settings_are_optional),
        cmocka_unit_test(run_budget_is_what_actions_spend),
        cmocka_unit_test(screen_estimates_from_core_scores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
