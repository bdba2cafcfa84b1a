/* test_action.c: the action catalogue, copies and ranking of core/ds_action.c
 * (the arena marks they rely on are tested in test_arena.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ds_core.h"
#include "ds_json.h"

static const char deal_json[] =
    "{\"id\":\"d\",\"as_of\":\"2026-01-01\",\"solution\":{\"users_consulted\":true},"
    "\"stakeholders\":["
    "{\"id\":\"buyer\",\"can_buy\":true,\"stance\":0.9,\"convinced\":{\"capability\":true}},"
    "{\"id\":\"champ\",\"roles\":[\"champion\"]},"
    "{\"id\":\"it_b\",\"function\":\"it\",\"ai_interest\":0.8,\"stance\":0.1},"
    "{\"id\":\"it_a\",\"function\":\"it\",\"ai_interest\":0.8,\"stance\":0.1,"
    "\"inferred\":{\"stance\":\"Contact Role\"}},"
    "{\"id\":\"fan\",\"function\":\"it\",\"ai_interest\":0.9,\"stance\":0.7},"
    "{\"id\":\"user\",\"function\":\"user\"}],"
    "\"relationships\":[{\"from\":\"champ\",\"to\":\"buyer\",\"type\":\"trusts\"}]}";

typedef struct fixture {
    ds_params params;
    ds_arena arena;
    ds_deal deal;
    ds_action_settings settings;
} fixture;

static int setup(void **state) {
    static fixture f;
    char err[256];
    ds_json_init();
    assert_int_equal(
        ds_params_load_file(&f.params, DEALSCORE_DATADIR "/models/default.json", err, sizeof err),
        0);
    assert_int_equal(ds_action_settings_load(&f.settings, &f.params, err, sizeof err), 0);
    ds_arena_init(&f.arena, 4096);
    size_t at;
    cJSON *json = ds_json_parse(&f.arena, deal_json, strlen(deal_json), &at);
    ds_error e = {0};
    assert_non_null(json);
    assert_int_equal(ds_deal_decode(json, &f.params, DS_NO_DATE, &f.arena, &f.deal, &e), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    ds_arena_free(&f->arena);
    ds_params_free(&f->params);
    return 0;
}

static const ds_action *named(const ds_action *acts, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(acts[i].name, name) == 0) return &acts[i];
    return NULL;
}

static void catalogue_offers_what_changes_something(void **state) {
    fixture *f = *state;
    ds_action *acts;
    int n = ds_action_catalogue(&f->deal, &f->settings, &f->arena, &acts);
    assert_true(n > 0);
    assert_null(named(acts, n, "convince:buyer:capability")); /* already convinced */
    assert_non_null(named(acts, n, "convince:buyer:strategic"));
    assert_non_null(named(acts, n, "convince:champ:capability"));
    assert_null(named(acts, n, "convince:user:capability")); /* not key */
    assert_null(named(acts, n, "recruit_it_champion:fan"));  /* already one */
    assert_non_null(named(acts, n, "recruit_it_champion:it_a"));
    assert_null(named(acts, n, "consult_users")); /* consulted */
    assert_non_null(named(acts, n, "prototype"));
    assert_non_null(named(acts, n, "engage_buyer:buyer"));
    /* relate: the best IT candidate is fan (ai_interest 0.9), once per decision maker */
    const ds_action *relate = named(acts, n, "relate:fan:buyer");
    assert_non_null(relate);
    assert_string_equal(relate->target, "fan,buyer");
    assert_int_equal(relate->touch, DS_TOUCH_GRAPH);
}

static void best_it_breaks_ties_by_stance_then_id(void **state) {
    fixture *f = *state;
    ds_deal d = f->deal;
    ds_stakeholder people[6];
    memcpy(people, d.stakeholders, sizeof people);
    d.stakeholders = people;
    people[4].ai_interest = 0.8; /* fan now ties on interest, wins on stance */
    assert_string_equal(d.stakeholders[ds_action_best_it(&d)].id, "fan");
    people[4].stance = 0.1; /* three-way tie: the smallest id */
    assert_string_equal(d.stakeholders[ds_action_best_it(&d)].id, "fan");
    people[4].ai_interest = 0.5;
    assert_string_equal(d.stakeholders[ds_action_best_it(&d)].id, "it_a");
}

static void apply_changes_a_copy_only(void **state) {
    fixture *f = *state;
    ds_action *acts;
    int n = ds_action_catalogue(&f->deal, &f->settings, &f->arena, &acts);
    const ds_action *engage = named(acts, n, "engage_buyer:buyer");
    ds_deal copy;
    ds_error e = {0};
    assert_int_equal(
        ds_action_apply(&f->deal, engage, &f->settings, &f->params, &f->arena, &copy, &e), 0);
    assert_true(copy.stakeholders[0].stance == 1.0); /* 0.9 + 0.3, capped */
    assert_true(f->deal.stakeholders[0].stance == 0.9);
    assert_int_equal(copy.coverage_given, f->deal.coverage_given); /* stance was given */

    const ds_action *champ = named(acts, n, "convince:champ:strategic");
    assert_int_equal(
        ds_action_apply(&f->deal, champ, &f->settings, &f->params, &f->arena, &copy, &e), 0);
    assert_true(copy.stakeholders[1].convinced[DS_STRATEGIC_CASE]);
    assert_false(f->deal.stakeholders[1].convinced[DS_STRATEGIC_CASE]);
    assert_int_equal(copy.coverage_given, f->deal.coverage_given + 1); /* now given */

    /* it_a's stance was inferred: recruiting it makes it given; ai_interest was */
    const ds_action *recruit = named(acts, n, "recruit_it_champion:it_a");
    assert_int_equal(
        ds_action_apply(&f->deal, recruit, &f->settings, &f->params, &f->arena, &copy, &e), 0);
    assert_int_equal(copy.coverage_given, f->deal.coverage_given + 1);

    const ds_action *relate = named(acts, n, "relate:fan:buyer");
    assert_int_equal(
        ds_action_apply(&f->deal, relate, &f->settings, &f->params, &f->arena, &copy, &e), 0);
    assert_int_equal(copy.n_relationships, f->deal.n_relationships + 1);
    assert_int_equal(copy.relationships[1].type, DS_REL_TRUSTS);
    assert_true(copy.relationships[1].strength == 0.8);
    assert_int_equal(f->deal.n_relationships, 1);
}

static void derived_analysis_equals_a_fresh_one(void **state) {
    fixture *f = *state;
    ds_action *acts;
    int n = ds_action_catalogue(&f->deal, &f->settings, &f->arena, &acts);
    ds_analysis base;
    ds_error e = {0};
    assert_int_equal(ds_analyse(&base, &f->deal, &f->params, &f->arena, &e), 0);
    for (int i = 0; i < n; i++) {
        ds_deal copy;
        ds_analysis fresh, derived;
        assert_int_equal(
            ds_action_apply(&f->deal, &acts[i], &f->settings, &f->params, &f->arena, &copy, &e), 0);
        assert_int_equal(ds_analyse(&fresh, &copy, &f->params, &f->arena, &e), 0);
        assert_int_equal(ds_analyse_derived(&derived, &copy, &base, acts[i].touch, &f->arena, &e),
                         0);
        for (int k = 0; k < DS_NSCORES; k++)
            assert_true(fresh.scores[k].value == derived.scores[k].value);
        for (int s = 0; s < copy.n_stakeholders; s++)
            assert_true(fresh.graph.predicted[s] == derived.graph.predicted[s]);
    }
}

static void rank_best_first_ties_by_name_above_min_gain(void **state) {
    (void)state;
    ds_action acts[5] = {{.name = "b", .gain = 2.0},
                         {.name = "a", .gain = 2.0},
                         {.name = "c", .gain = 0.05},
                         {.name = "d", .gain = 7.5},
                         {.name = "e", .gain = -1}};
    assert_int_equal(ds_action_rank(acts, 5, 0.05, 10), 3);
    assert_string_equal(acts[0].name, "d");
    assert_string_equal(acts[1].name, "a");
    assert_string_equal(acts[2].name, "b");
    assert_int_equal(ds_action_rank(acts, 5, 0.05, 2), 2);
}

/* Past max_candidates, the actions about the solution stay, then those about
 * the most influential stakeholders (for relate, the decision maker's), ties in
 * catalogue order; what is kept stays in catalogue order. */
static void prune_keeps_solution_then_most_influential(void **state) {
    (void)state;
    ds_arena a;
    ds_arena_init(&a, 0);
    ds_action items[6] = {
        {.name = "convince:x", .kind = DS_ACT_CONVINCE, .who = 0, .other = -1},
        {.name = "relate:t:y", .kind = DS_ACT_RELATE, .who = 0, .other = 1},
        {.name = "prototype", .kind = DS_ACT_PROTOTYPE, .who = -1, .other = -1},
        {.name = "engage:z", .kind = DS_ACT_ENGAGE_BUYER, .who = 2, .other = -1},
        {.name = "engage:w", .kind = DS_ACT_ENGAGE_BUYER, .who = 3, .other = -1},
        {.name = "convince:y", .kind = DS_ACT_CONVINCE, .who = 1, .other = -1},
    };
    double weight[4] = {0.1, 0.9, 0.5, 0.5};
    assert_int_equal(ds_action_prune(items, 6, weight, 6, &a), 6);
    assert_int_equal(ds_action_prune(items, 6, weight, 4, &a), 4);
    static const char *const kept[] = {"relate:t:y", "prototype", "engage:z", "convince:y"};
    for (int i = 0; i < 4; i++) assert_string_equal(items[i].name, kept[i]);
    assert_int_equal(ds_action_prune(items, 4, weight, 1, &a), 1);
    assert_string_equal(items[0].name, "prototype");
    ds_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_offers_what_changes_something),
        cmocka_unit_test(best_it_breaks_ties_by_stance_then_id),
        cmocka_unit_test(apply_changes_a_copy_only),
        cmocka_unit_test(derived_analysis_equals_a_fresh_one),
        cmocka_unit_test(rank_best_first_ties_by_name_above_min_gain),
        cmocka_unit_test(prune_keeps_solution_then_most_influential),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
