/* dsl_actions.c: next best actions, re-scored through the team's own policy.
 *
 * For one analysed deal: the catalogue of core/ds_action.c plus whatever the
 * policy's optional actions(deal, scores) returns. Each action is applied to a
 * copy of the deal, the copy is analysed (reusing what the action cannot change)
 * and decided by the same policy, and the gain is the computed viability (before
 * any override) minus the base deal's. Each copy's memory is given back to the
 * arena before the next, so a deal with many actions needs the memory of two
 * analyses, not of all of them. */
#include <lauxlib.h>
#include <math.h>
#include <string.h>

#include "dsl.h"

static double computed_viability(const ds_outcome *o) {
    return o->overridden ? o->computed_viability : o->viability;
}

/* ---- Lua tables to JSON (for the declarative changes of policy actions) ---- */

/* A table whose keys are exactly 1..n (n > 0) is an array; any other is an object. */
static bool is_array(lua_State *L, int idx) {
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
    if (n == 0) return false;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1)) {
            lua_pop(L, 1);
            return false;
        }
        count++;
    }
    return count == n;
}

/* Converts the value at idx; NULL with a message in why for what JSON cannot hold. */
static cJSON *to_json(lua_State *L, int idx, int depth, const char **why) {
    idx = lua_absindex(L, idx);
    if (depth > 32) return *why = "nested too deeply", NULL;
    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
        return cJSON_CreateBool(lua_toboolean(L, idx));
    case LUA_TNUMBER: {
        double v = lua_tonumber(L, idx);
        if (!isfinite(v)) return *why = "a number that is not finite", NULL;
        return cJSON_CreateNumber(v);
    }
    case LUA_TSTRING:
        return cJSON_CreateString(lua_tostring(L, idx));
    case LUA_TTABLE:
        break;
    default:
        return *why = "a value that is not a boolean, number, string or table", NULL;
    }
    luaL_checkstack(L, 4, "actions: table too deep");
    bool array = is_array(L, idx);
    cJSON *out = array ? cJSON_CreateArray() : cJSON_CreateObject();
    if (!out) return *why = "no memory", NULL;
    if (array) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, idx, i);
            cJSON *item = to_json(L, -1, depth + 1, why);
            lua_pop(L, 1);
            if (!item) return cJSON_Delete(out), NULL;
            cJSON_AddItemToArray(out, item);
        }
        return out;
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            lua_pop(L, 2);
            cJSON_Delete(out);
            return *why = "a table with keys that are not names", NULL;
        }
        cJSON *item = to_json(L, -1, depth + 1, why);
        if (!item) {
            lua_pop(L, 2);
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToObject(out, lua_tostring(L, -2), item);
        lua_pop(L, 1);
    }
    return out;
}

/* ---- reading the policy's actions() ---- */

typedef struct action_list {
    ds_action *items;
    int n, cap;
    cJSON **changes; /* owned, one per policy action */
    int n_changes;
} action_list;

static int contract(dsl_policy *p, ds_error *err, lua_Integer i, const char *what) {
    ds_error_set(err, "policy_error", "$", "%s: actions() item %lld: %s", dsl_policy_path(p),
                 (long long)i, what);
    return -1;
}

/* Reads one {action = name, target = ids, apply = {...}} at the top of the stack. */
static int read_action(dsl_policy *p, lua_Integer i, ds_arena *a, action_list *l, ds_error *err) {
    lua_State *L = dsl_policy_state(p);
    if (!lua_istable(L, -1)) return contract(p, err, i, "is not a table");
    lua_getfield(L, -1, "action");
    lua_getfield(L, -2, "target");
    lua_getfield(L, -3, "apply");
    if (lua_type(L, -3) != LUA_TSTRING || !*lua_tostring(L, -3))
        return contract(p, err, i, "has no action name (action = \"...\")");
    if (!lua_isnil(L, -2) && lua_type(L, -2) != LUA_TSTRING)
        return contract(p, err, i, "has a target that is not a string");
    if (!lua_istable(L, -1)) return contract(p, err, i, "has no apply table of changes");
    const char *name = ds_arena_strdup(a, lua_tostring(L, -3));
    const char *target = lua_isnil(L, -2) ? NULL : ds_arena_strdup(a, lua_tostring(L, -2));
    if (!name || (!target && !lua_isnil(L, -2))) {
        ds_error_set(err, "out_of_memory", "$", "no memory for actions");
        return -1;
    }
    const char *why = "no memory";
    cJSON *changes = to_json(L, -1, 0, &why);
    if (!changes) return contract(p, err, i, why);
    l->changes[l->n_changes++] = changes;
    l->items[l->n++] =
        (ds_action){name, target, DS_ACT_CUSTOM, -1, -1, -1, DS_TOUCH_GRAPH, changes, 0};
    return 0;
}

/* A policy action replaces a catalogue action of the same name. */
static void drop_replaced(action_list *l, int catalogue_n) {
    int kept = 0;
    for (int i = 0; i < l->n; i++) {
        bool replaced = false;
        for (int j = catalogue_n; i < catalogue_n && j < l->n && !replaced; j++)
            replaced = strcmp(l->items[i].name, l->items[j].name) == 0;
        if (!replaced) l->items[kept++] = l->items[i];
    }
    l->n = kept;
}

static int read_policy_actions(dsl_policy *p, ds_analysis *base, ds_arena *a, action_list *l,
                               ds_error *err) {
    int called = dsl_policy_call(p, "actions", base, err);
    if (called <= 0) return called;
    lua_State *L = dsl_policy_state(p);
    int rc = 0;
    if (lua_isnil(L, -1)) goto done;
    if (!lua_istable(L, -1)) {
        rc = contract(p, err, 0, "actions() returned something that is not a list");
        goto done;
    }
    lua_Integer n = luaL_len(L, -1);
    ds_action *grown = ds_arena_alloc(a, sizeof(ds_action) * (size_t)(l->n + n + 1));
    l->changes = ds_arena_alloc(a, sizeof(cJSON *) * (size_t)(n + 1));
    if (!grown || !l->changes) {
        ds_error_set(err, "out_of_memory", "$", "no memory for actions");
        rc = -1;
        goto done;
    }
    memcpy(grown, l->items, sizeof(ds_action) * (size_t)l->n);
    l->items = grown;
    int catalogue_n = l->n, top = lua_gettop(L);
    for (lua_Integer i = 1; i <= n && rc == 0; i++) {
        lua_geti(L, top, i);
        rc = read_action(p, i, a, l, err);
        lua_settop(L, top);
    }
    if (rc == 0) drop_replaced(l, catalogue_n);
done:
    dsl_policy_call_end(p);
    return rc;
}

/* ---- evaluating ---- */

static int action_error(dsl_policy *p, const ds_action *act, ds_error *err) {
    char inner[sizeof err->message];
    snprintf(inner, sizeof inner, "%s", err->message);
    if (strcmp(err->code, "policy_error") == 0) {
        ds_error_set(err, "policy_error", "$", "action %s: %s", act->name, inner);
    } else {
        char path[sizeof err->path];
        snprintf(path, sizeof path, "%s", err->path);
        ds_error_set(err, "policy_error", "$", "%s: action %s makes an invalid deal: %s (%s at %s)",
                     dsl_policy_path(p), act->name, inner, err->code, path);
    }
    return -1;
}

static int evaluate(dsl_policy *p, ds_analysis *base, double base_viability, ds_action *act,
                    const ds_action_settings *settings, ds_arena *a, ds_error *err) {
    ds_arena_mark mark = ds_arena_mark_now(a);
    ds_deal copy;
    ds_analysis an;
    ds_outcome o;
    int rc = ds_action_apply(base->deal, act, settings, base->params, a, &copy, err);
    if (rc == 0) rc = ds_analyse_derived(&an, &copy, base, act->touch, a, err);
    if (rc == 0) rc = dsl_policy_decide(p, &an, a, &o, err);
    if (rc == 0) act->gain = computed_viability(&o) - base_viability;
    ds_arena_release(a, mark);
    return rc < 0 ? action_error(p, act, err) : 0;
}

int dsl_actions_rank(dsl_policy *p, ds_analysis *base, ds_outcome *out,
                     const ds_action_settings *settings, int max, ds_arena *a, ds_error *err) {
    action_list l = {0};
    l.n = ds_action_catalogue(base->deal, settings, a, &l.items);
    if (l.n < 0) {
        ds_error_set(err, "out_of_memory", "$", "deal too large for actions");
        return -1;
    }
    int rc = read_policy_actions(p, base, a, &l, err);
    double base_viability = computed_viability(out);
    for (int i = 0; i < l.n && rc == 0; i++)
        rc = evaluate(p, base, base_viability, &l.items[i], settings, a, err);
    for (int i = 0; i < l.n_changes; i++) cJSON_Delete(l.changes[i]);
    if (rc < 0) return -1;
    out->actions = l.items;
    out->n_actions = ds_action_rank(l.items, l.n, settings->min_gain, max);
    return 0;
}
