/* dsl_view.c: the read-only deal view that policies see.
 *
 * Policies read the deal through userdata backed by the C analysis, not through a
 * copy into Lua tables: nothing is converted that the policy does not read. A view
 * is a small userdata {generation, kind, index}. The runtime bumps the generation
 * when a deal is done, so a view kept past its deal raises an error instead of
 * reading freed memory. Field names map to small integer codes through a Lua table
 * kept as an upvalue of each kind's __index, so a lookup is one hash probe. */
#include <lauxlib.h>
#include <math.h>
#include <string.h>

#include "dsl.h"
#include "ds_fields.h"

enum kind { VIEW_DEAL, VIEW_SOLUTION, VIEW_LIST, VIEW_STAKEHOLDER, VIEW_NKINDS };

static const char *const metatable_names[VIEW_NKINDS] = {
    "dealscore.deal", "dealscore.solution", "dealscore.stakeholders", "dealscore.stakeholder"};

/* 64 bits: a view kept by a policy must never meet its generation again (32
 * bits wrap after 2^32 calls, and the view would read a freed deal). */
typedef struct view {
    unsigned long long generation;
    const void *owner; /* the state's live record: this is one of its views */
    int kind, index;
} view;

typedef struct live {
    ds_analysis *an;
    unsigned long long generation;
    dsl_reads *reads;                /* when set, every field read is noted here */
    bool explain;                    /* deal.explain */
    int metatable_refs[VIEW_NKINDS]; /* each kind's metatable in the registry */
    int deal_ref;                    /* registry: the deal view of the running call, or nil */
} live;

static live *get_live(lua_State *L) {
    return *(live **)lua_getextraspace(L);
}

/* The analysis behind a view, or a Lua error when the value is no view of this
 * kind or its deal is gone. A view is told by its size and its owner, the
 * state's live record, which no Lua code can write into a userdata (a light
 * userdata has no size); luaL_checkudata looked the metatable up by its name in
 * the registry (some 300 instructions, and a default policy call checks about
 * 25 views). */
static ds_analysis *check_view(lua_State *L, int idx, int kind, view **out) {
    live *lv = get_live(L);
    view *v = lua_touserdata(L, idx);
    if (!v || lua_rawlen(L, idx) != sizeof(view) || !lv || v->owner != lv || v->kind != kind)
        luaL_typeerror(L, idx, metatable_names[kind]);
    if (!lv->an || v->generation != lv->generation)
        luaL_error(L, "deal view used after its deal was scored");
    if (out) *out = v;
    return lv->an;
}

/* A new view; nuvalues > 0 for the deal's, whose user values keep the views
 * made during its call (cached_view). */
static void new_view(lua_State *L, int kind, int index, int nuvalues) {
    live *lv = get_live(L);
    view *v = lua_newuserdatauv(L, sizeof(view), nuvalues);
    v->generation = lv->generation;
    v->owner = lv;
    v->kind = kind;
    v->index = index;
    lua_rawgeti(L, LUA_REGISTRYINDEX, lv->metatable_refs[kind]);
    lua_setmetatable(L, -2);
}

/* Pushes the view of a stakeholder (index 0..n-1), of the solution (n) or of
 * the stakeholder list (n + 1). Within a call each is made once and kept in a
 * user value of the deal's view: a policy that lists the decision makers, the
 * champions and the blockers gets one view per stakeholder, not one per list,
 * and two views of one stakeholder are the same value (== and table keys work).
 * A later call makes new ones: a view kept past its deal stays dead. */
static void push_view(lua_State *L, int kind, int index) {
    live *lv = get_live(L);
    int slot = kind == VIEW_STAKEHOLDER ? index : kind == VIEW_SOLUTION ? -1 : -2;
    if (lua_rawgeti(L, LUA_REGISTRYINDEX, lv->deal_ref) != LUA_TUSERDATA) {
        lua_pop(L, 1); /* no call running: an uncached view */
        new_view(L, kind, index, 0);
        return;
    }
    int n = lv->an->deal->n_stakeholders, uv = (slot < 0 ? n - slot - 1 : slot) + 1;
    if (lua_getiuservalue(L, -1, uv) == LUA_TUSERDATA) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    new_view(L, kind, index, 0);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, -3, uv);
    lua_remove(L, -2);
}

static void push_date(lua_State *L, int days) {
    if (days == DS_NO_DATE) {
        lua_pushnil(L);
        return;
    }
    char s[11];
    ds_date_format(days, s);
    lua_pushstring(L, s);
}

static void push_enum(lua_State *L, const char *const *names, int i, int count) {
    if (i >= 0 && i < count)
        lua_pushstring(L, names[i]);
    else
        lua_pushnil(L);
}

/* ---- resolving stakeholders and sets from Lua arguments ---- */

static const struct {
    const char *name;
    unsigned set;
} set_names[] = {{"it", DS_SET_IT},
                 {"users", DS_SET_USERS},
                 {"decision_makers", DS_SET_DECIDERS},
                 {"key", DS_SET_KEY}};

static unsigned set_from_name(const char *s) {
    for (size_t i = 0; i < sizeof set_names / sizeof set_names[0]; i++)
        if (strcmp(set_names[i].name, s) == 0) return set_names[i].set;
    return 0;
}

/* A stakeholder argument: a stakeholder view or an id. -1 when unknown. */
static int stakeholder_arg(lua_State *L, ds_analysis *an, int idx) {
    if (lua_type(L, idx) == LUA_TSTRING) return ds_deal_find(an->deal, lua_tostring(L, idx));
    view *v;
    check_view(L, idx, VIEW_STAKEHOLDER, &v);
    return v->index;
}

/* ---- the deal ---- */

/* The deal's fields as the view names them: its keys (ds_fields.h) but the
 * override, then what the analysis adds. Codes start at 1 (0: no field) and stay
 * below 32 (reads are noted as bits). */
#define VIEW_KEY(name, key, kind) VIEW_KEY_##kind(key)
#define VIEW_KEY_ID(key) key,
#define VIEW_KEY_STRING(key) key,
#define VIEW_KEY_ENUM(key) key,
#define VIEW_KEY_NUMBER(key) key,
#define VIEW_KEY_BOOL(key) key,
#define VIEW_KEY_DATE(key) key,
#define VIEW_KEY_LIST(key) key,
#define VIEW_KEY_OBJECT(key) /* read through its own view or fields */
#define VIEW_KEY_SELECT(key)
#define VIEW_KEY_HINT(key)
#define VIEW_CODE(prefix, name, kind) VIEW_CODE_##kind(prefix##name)
#define VIEW_CODE_ID(code) code,
#define VIEW_CODE_STRING(code) code,
#define VIEW_CODE_ENUM(code) code,
#define VIEW_CODE_NUMBER(code) code,
#define VIEW_CODE_BOOL(code) code,
#define VIEW_CODE_DATE(code) code,
#define VIEW_CODE_LIST(code) code,
#define VIEW_CODE_OBJECT(code)
#define VIEW_CODE_SELECT(code)
#define VIEW_CODE_HINT(code)
#define DEAL_CODE(name, key, kind) VIEW_CODE(D_, name, kind)

enum deal_field {
    D_NONE,
    DS_DEAL_KEYS(DEAL_CODE) D_SOLUTION, /* an object, but a view of its own */
    D_PUSH_BACK,
    D_COVERAGE,
    D_OVERRIDE_VIABILITY,
    D_MODEL,
    D_WARNINGS,
    D_EXPLAIN
};

static const char *const deal_fields[] = {DS_DEAL_KEYS(VIEW_KEY) "solution",
                                          "push_back",
                                          "coverage",
                                          "override_viability",
                                          "model",
                                          "warnings",
                                          "explain",
                                          NULL};

/* deal.relationships: an array of {from, to, type, strength} (a fresh copy) */
static void push_relationships(lua_State *L, const ds_deal *d) {
    dsl_sandbox_charge(L, d->n_relationships);
    lua_createtable(L, d->n_relationships, 0);
    for (int k = 0; k < d->n_relationships; k++) {
        const ds_relationship *r = &d->relationships[k];
        lua_createtable(L, 0, 4);
        lua_pushstring(L, d->stakeholders[r->from].id);
        lua_setfield(L, -2, "from");
        lua_pushstring(L, d->stakeholders[r->to].id);
        lua_setfield(L, -2, "to");
        lua_pushstring(L, ds_rel_type_names[r->type]);
        lua_setfield(L, -2, "type");
        lua_pushnumber(L, r->strength);
        lua_setfield(L, -2, "strength");
        lua_rawseti(L, -2, k + 1);
    }
}

static int deal_field(lua_State *L, ds_analysis *an, int code) {
    const ds_deal *d = an->deal;
    switch (code) {
    case D_ID:
        lua_pushstring(L, d->id);
        break;
    case D_NAME:
        lua_pushstring(L, d->name);
        break;
    case D_ACCOUNT:
        lua_pushstring(L, d->account);
        break;
    case D_CURRENCY:
        lua_pushstring(L, d->currency);
        break;
    case D_STAGE:
        push_enum(L, ds_stage_names, d->stage, 7);
        break;
    case D_AMOUNT:
        if (d->has_amount)
            lua_pushnumber(L, d->amount);
        else
            lua_pushnil(L);
        break;
    case D_CLOSE_DATE:
        push_date(L, d->close_date);
        break;
    case D_AS_OF:
        push_date(L, d->as_of);
        break;
    case D_SOLUTION:
        push_view(L, VIEW_SOLUTION, 0);
        break;
    case D_STAKEHOLDERS:
        push_view(L, VIEW_LIST, 0);
        break;
    case D_PUSH_BACK:
        lua_pushnumber(L, an->push_back);
        break;
    case D_COVERAGE:
        lua_pushnumber(L, an->coverage);
        break;
    case D_OVERRIDE_VIABILITY:
        if (d->has_override)
            lua_pushnumber(L, d->override_viability);
        else
            lua_pushnil(L);
        break;
    case D_RELATIONSHIPS:
        push_relationships(L, d);
        break;
    case D_MODEL: /* a fresh copy: read it once in init(model) where you can */
        dsl_push_json(L, an->params->json);
        break;
    case D_WARNINGS: /* a fresh array of the core's warnings, e.g. "low_coverage" */
        lua_createtable(L, an->n_warnings, 0);
        for (int i = 0; i < an->n_warnings; i++) {
            lua_pushstring(L, an->warnings[i]);
            lua_rawseti(L, -2, i + 1);
        }
        break;
    case D_EXPLAIN: /* the result shows factors: a policy may skip them otherwise */
        lua_pushboolean(L, get_live(L)->explain);
        break;
    default:
        lua_pushnil(L);
    }
    return 1;
}

/* deal:has_warning(name) -> boolean, without building deal.warnings: the default
 * policy asks it of every deal ("low_coverage"). */
static int deal_has_warning(lua_State *L) {
    ds_analysis *an = check_view(L, 1, VIEW_DEAL, NULL);
    const char *name = luaL_checkstring(L, 2);
    bool found = false;
    for (int i = 0; i < an->n_warnings && !found; i++) found = strcmp(an->warnings[i], name) == 0;
    lua_pushboolean(L, found);
    return 1;
}

/* deal:stakeholder(id) -> view or nil */
static int deal_stakeholder(lua_State *L) {
    ds_analysis *an = check_view(L, 1, VIEW_DEAL, NULL);
    int i = ds_deal_find(an->deal, luaL_checkstring(L, 2));
    if (i < 0) return 0;
    push_view(L, VIEW_STAKEHOLDER, i);
    return 1;
}

/* deal:members("it"|"users"|"decision_makers"|"key") -> array of views */
static int deal_members(lua_State *L) {
    ds_analysis *an = check_view(L, 1, VIEW_DEAL, NULL);
    const char *name = luaL_checkstring(L, 2);
    unsigned set = set_from_name(name);
    if (!set) return luaL_error(L, "unknown set '%s' (it, users, decision_makers, key)", name);
    dsl_sandbox_charge(L, an->deal->n_stakeholders);
    int n = 0;
    for (int i = 0; i < an->deal->n_stakeholders; i++)
        n += (an->deal->stakeholders[i].sets & set) != 0;
    lua_createtable(L, n, 0);
    n = 0;
    for (int i = 0; i < an->deal->n_stakeholders; i++) {
        if (!(an->deal->stakeholders[i].sets & set)) continue;
        push_view(L, VIEW_STAKEHOLDER, i);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

/* deal:with_role(role) -> array of views */
static int deal_with_role(lua_State *L) {
    ds_analysis *an = check_view(L, 1, VIEW_DEAL, NULL);
    const char *name = luaL_checkstring(L, 2);
    int role = ds_enum_lookup(ds_role_names, name);
    if (role < 0) return luaL_error(L, "unknown role '%s'", name);
    dsl_sandbox_charge(L, an->deal->n_stakeholders);
    int n = 0;
    for (int i = 0; i < an->deal->n_stakeholders; i++)
        n += (an->deal->stakeholders[i].roles & (1u << role)) != 0;
    lua_createtable(L, n, 0);
    n = 0;
    for (int i = 0; i < an->deal->n_stakeholders; i++) {
        if (!(an->deal->stakeholders[i].roles & (1u << role))) continue;
        push_view(L, VIEW_STAKEHOLDER, i);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

/* Appends the stakeholder indexes an argument names: a stakeholder (view or
 * id), a set name, or an array of stakeholders. Returns the count, or -1 with
 * the unknown name at the top of the stack. */
static int reach_ends(lua_State *L, ds_analysis *an, int idx, int *out) {
    const ds_deal *d = an->deal;
    int n = 0;
    if (lua_type(L, idx) == LUA_TSTRING && set_from_name(lua_tostring(L, idx))) {
        unsigned set = set_from_name(lua_tostring(L, idx));
        for (int i = 0; i < d->n_stakeholders; i++)
            if (d->stakeholders[i].sets & set) out[n++] = i;
        return n;
    }
    if (lua_type(L, idx) == LUA_TTABLE) {
        lua_Integer len = luaL_len(L, idx);
        for (lua_Integer k = 1; k <= len && n < d->n_stakeholders; k++) {
            lua_geti(L, idx, k);
            int i = stakeholder_arg(L, an, lua_gettop(L));
            if (i < 0) return -1;
            lua_pop(L, 1);
            out[n++] = i;
        }
        return n;
    }
    int i = stakeholder_arg(L, an, idx);
    if (i < 0) {
        lua_pushvalue(L, idx);
        return -1;
    }
    out[n++] = i;
    return n;
}

/* The ds_set bits an argument of deal:reach names, 0 when it names no set. */
static unsigned reach_set(lua_State *L, int idx) {
    return lua_type(L, idx) == LUA_TSTRING ? set_from_name(lua_tostring(L, idx)) : 0;
}

/* The row of reach that answers deal:reach with the fewest searches, and in
 * *pick the ends to read in it: a set's row (one search for the whole set,
 * cached for the deal; the other end is then read without listing the set),
 * else one stakeholder's row, else one search from the whole `to` list. Ties
 * are symmetric, so either end may be the one searched from. *n_pick < 0: an
 * end names no stakeholder (its name on the stack); NULL otherwise: no memory. */
static const double *reach_row(lua_State *L, ds_analysis *an, int *ends, int *pick, int *n_pick) {
    ds_graph *g = &an->graph;
    int n = an->deal->n_stakeholders;
    unsigned from_set = reach_set(L, 2), to_set = reach_set(L, 3);
    int searched = to_set || !from_set ? 3 : 2, other = 5 - searched;
    *n_pick = reach_ends(L, an, other, pick);
    if (*n_pick < 0) return NULL; /* the unknown name on the stack */
    if (to_set || from_set) return ds_graph_reach_row_set(g, an->deal, to_set ? to_set : from_set);
    int n_to = reach_ends(L, an, 3, ends);
    if (n_to < 0) {
        *n_pick = -1;
        return NULL;
    }
    if (*n_pick == 1) { /* from one stakeholder: its own row, read at the `to` ends */
        int from = pick[0];
        memcpy(pick, ends, sizeof(int) * (size_t)n_to);
        *n_pick = n_to;
        return ds_graph_reach_row_one(g, from);
    }
    if (n_to == 1) return ds_graph_reach_row_one(g, ends[0]);
    unsigned char *member = (unsigned char *)(ends + n);
    memset(member, 0, (size_t)n);
    for (int b = 0; b < n_to; b++) member[ends[b]] = 1;
    return ds_graph_reach_row_group(g, member);
}

/* deal:reach(from, to): the strongest chain of ties (widest path, 0..1) from
 * any of `from` to any of `to`; each is a stakeholder (view or id), a set name
 * ("it", "users", "decision_makers", "key") or an array of stakeholders. One
 * widest-path search at most, and none when a set's row is already known, so a
 * policy asking every member's reach to the decision makers costs O(n) in all. */
static int deal_reach(lua_State *L) {
    ds_analysis *an = check_view(L, 1, VIEW_DEAL, NULL);
    int n = an->deal->n_stakeholders;
    size_t room = sizeof(int) * 2 * (size_t)(n > 0 ? n : 1) + (size_t)n;
    int *pick = lua_newuserdatauv(L, room, 0), n_pick = 0;
    const double *row = reach_row(L, an, pick + n, pick, &n_pick);
    if (n_pick < 0) return luaL_error(L, "reach: no stakeholder '%s'", luaL_tolstring(L, -1, NULL));
    if (!row) return luaL_error(L, "not enough memory");
    double r = 0;
    for (int k = 0; k < n_pick; k++) r = fmax(r, row[pick[k]]);
    lua_pushnumber(L, r);
    return 1;
}

/* deal:custom(key): any key of the deal as given, e.g. a CRM custom field. */
static int deal_custom(lua_State *L) {
    ds_analysis *an = check_view(L, 1, VIEW_DEAL, NULL);
    dsl_push_json(L, cJSON_GetObjectItemCaseSensitive(an->deal->json, luaL_checkstring(L, 2)));
    return 1;
}

/* ---- the solution ---- */

/* The solution's fields: its keys but the objects, then those of measurable. */
#define SOL_CODE(name, key, kind) VIEW_CODE(SO_, name, kind)
#define MEAS_CODE(name, key, kind) VIEW_CODE(SO_, name, kind)
enum solution_field { SO_NONE, DS_SOLUTION_KEYS(SOL_CODE) DS_MEASURABLE_KEYS(MEAS_CODE) };

static const char *const solution_fields[] = {DS_SOLUTION_KEYS(VIEW_KEY)
                                                  DS_MEASURABLE_KEYS(VIEW_KEY) NULL};

static int solution_field(lua_State *L, ds_analysis *an, int code) {
    const ds_solution *s = &an->deal->solution;
    switch (code) {
    case SO_FOR_IT:
        lua_pushboolean(L, s->for_it);
        break;
    case SO_IT_BURDEN_FRAMED:
        lua_pushboolean(L, s->it_burden_framed);
        break;
    case SO_USERS_CONSULTED:
        lua_pushboolean(L, s->users_consulted);
        break;
    case SO_PROTOTYPE:
        lua_pushboolean(L, s->prototype);
        break;
    case SO_CAPABILITY:
        lua_pushnumber(L, s->capability);
        break;
    case SO_STRATEGIC:
        lua_pushnumber(L, s->strategic);
        break;
    case SO_IT_WORKLOAD:
        lua_pushnumber(L, s->it_workload);
        break;
    case SO_IT_CAREER:
        lua_pushnumber(L, s->it_career);
        break;
    case SO_IN_HOUSE_ALTERNATIVE:
        lua_pushnumber(L, s->in_house_alternative);
        break;
    case SO_DATA_READINESS:
        lua_pushnumber(L, s->data_readiness);
        break;
    case SO_SECURITY_RISK:
        lua_pushnumber(L, s->security_risk);
        break;
    case SO_USER_CHANGE:
        lua_pushnumber(L, s->user_change);
        break;
    case SO_USER_TRANSPARENCY:
        lua_pushnumber(L, s->user_transparency);
        break;
    case SO_USER_BENEFIT:
        lua_pushnumber(L, s->user_benefit);
        break;
    case SO_ANNUAL_BENEFIT:
    case SO_COST:
    case SO_PAYBACK_MONTHS:
    case SO_CONFIDENCE: {
        const double m[] = {s->annual_benefit, s->cost, s->payback_months, s->confidence};
        if (s->has_measurable)
            lua_pushnumber(L, m[code - SO_ANNUAL_BENEFIT]);
        else
            lua_pushnil(L);
        break;
    }
    default:
        lua_pushnil(L);
    }
    return 1;
}

/* ---- a stakeholder ---- */

/* A stakeholder's fields: its keys but the objects, those of benefits and
 * convinced (as benefits_work, convinced_capability, ...), then what the
 * analysis adds. */
#define SH_CODE(name, key, kind) VIEW_CODE(S_, name, kind)
#define BENEFIT_CODE(name, key, kind) S_BENEFITS_##name,
#define CONVINCED_CODE(name, key, kind) S_CONVINCED_##name,
#define BENEFIT_KEY(name, key, kind) "benefits_" key,
#define CONVINCED_KEY(name, key, kind) "convinced_" key,
enum sh_field {
    S_NONE,
    DS_STAKEHOLDER_KEYS(SH_CODE) DS_BENEFITS_KEYS(BENEFIT_CODE) DS_CONVINCED_KEYS(CONVINCED_CODE)
        S_PREDICTED_STANCE,
    S_EFFECTIVE_INFLUENCE,
    S_ENGAGEMENT,
    S_IS_IT,
    S_IS_USER,
    S_IS_DECISION_MAKER,
    S_IS_KEY,
    S_INDEX
};

static const char *const stakeholder_fields[] = {
    DS_STAKEHOLDER_KEYS(VIEW_KEY) DS_BENEFITS_KEYS(BENEFIT_KEY)
        DS_CONVINCED_KEYS(CONVINCED_KEY) "predicted_stance",
    "effective_influence",
    "engagement",
    "is_it",
    "is_user",
    "is_decision_maker",
    "is_key",
    "index",
    NULL};

static void push_roles(lua_State *L, unsigned roles) {
    lua_newtable(L);
    int n = 0;
    for (int r = 0; r < DS_NROLES; r++)
        if (roles & (1u << r)) {
            lua_pushstring(L, ds_role_names[r]);
            lua_rawseti(L, -2, ++n);
        }
}

static int stakeholder_field(lua_State *L, ds_analysis *an, int i, int code) {
    const ds_stakeholder *s = &an->deal->stakeholders[i];
    switch (code) {
    case S_ID:
        lua_pushstring(L, s->id);
        break;
    case S_NAME:
        lua_pushstring(L, s->name);
        break;
    case S_TITLE:
        lua_pushstring(L, s->title);
        break;
    case S_FUNCTION:
        push_enum(L, ds_function_names, s->function, 8);
        break;
    case S_LEVEL:
        push_enum(L, ds_level_names, s->level, DS_LEVEL_MISSING);
        break;
    case S_ROLES:
        push_roles(L, s->roles);
        break;
    case S_CAN_BUY:
        lua_pushboolean(L, s->can_buy);
        break;
    case S_INFLUENCE:
        lua_pushnumber(L, s->influence);
        break;
    case S_STANCE:
        lua_pushnumber(L, s->stance);
        break;
    case S_BENEFITS_WORK:
        lua_pushnumber(L, s->benefit_work);
        break;
    case S_BENEFITS_CAREER:
        lua_pushnumber(L, s->benefit_career);
        break;
    case S_CONVINCED_CAPABILITY:
        lua_pushboolean(L, s->convinced[0]);
        break;
    case S_CONVINCED_STRATEGIC:
        lua_pushboolean(L, s->convinced[1]);
        break;
    case S_CONVINCED_MEASURABLE:
        lua_pushboolean(L, s->convinced[2]);
        break;
    case S_AI_INTEREST:
        lua_pushnumber(L, s->ai_interest);
        break;
    case S_BURDEN:
        lua_pushnumber(L, s->burden);
        break;
    case S_CREDIBILITY_THREAT:
        lua_pushnumber(L, s->credibility_threat);
        break;
    case S_EXPECTATION_GAP:
        lua_pushnumber(L, s->expectation_gap);
        break;
    case S_FIRST_CONTACT:
        push_date(L, s->first_contact);
        break;
    case S_LAST_CONTACT:
        push_date(L, s->last_contact);
        break;
    case S_PREDICTED_STANCE:
        lua_pushnumber(L, an->graph.predicted[i]);
        break;
    case S_EFFECTIVE_INFLUENCE:
        lua_pushnumber(L, an->graph.effective[i]);
        break;
    case S_ENGAGEMENT:
        lua_pushnumber(L, an->engagement[i]);
        break;
    case S_IS_IT:
        lua_pushboolean(L, s->sets & DS_SET_IT);
        break;
    case S_IS_USER:
        lua_pushboolean(L, s->sets & DS_SET_USERS);
        break;
    case S_IS_DECISION_MAKER:
        lua_pushboolean(L, s->sets & DS_SET_DECIDERS);
        break;
    case S_IS_KEY:
        lua_pushboolean(L, s->sets & DS_SET_KEY);
        break;
    case S_INDEX:
        lua_pushinteger(L, i + 1);
        break;
    default:
        lua_pushnil(L);
    }
    return 1;
}

/* stakeholder:has_role(role) -> boolean */
static int stakeholder_has_role(lua_State *L) {
    view *v;
    ds_analysis *an = check_view(L, 1, VIEW_STAKEHOLDER, &v);
    const char *name = luaL_checkstring(L, 2);
    int role = ds_enum_lookup(ds_role_names, name);
    if (role < 0) return luaL_error(L, "unknown role '%s'", name);
    lua_pushboolean(L, an->deal->stakeholders[v->index].roles & (1u << role));
    return 1;
}

/* stakeholder:custom(key): any key of the stakeholder as given. */
/* stakeholder:inferred(field): what the field was inferred from (a string), or nil
 * when it was given or defaulted (docs/model.md "Inferred values"). */
static int stakeholder_inferred(lua_State *L) {
    view *v;
    ds_analysis *an = check_view(L, 1, VIEW_STAKEHOLDER, &v);
    const ds_stakeholder *s = &an->deal->stakeholders[v->index];
    const char *source = ds_inferred_source(s->inferred, s->n_inferred, luaL_checkstring(L, 2));
    if (source)
        lua_pushstring(L, source);
    else
        lua_pushnil(L);
    return 1;
}

static int stakeholder_custom(lua_State *L) {
    view *v;
    ds_analysis *an = check_view(L, 1, VIEW_STAKEHOLDER, &v);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(an->deal->json, "stakeholders");
    const cJSON *s = cJSON_GetArrayItem(arr, v->index);
    dsl_push_json(L, cJSON_GetObjectItemCaseSensitive(s, luaL_checkstring(L, 2)));
    return 1;
}

/* ---- what a policy read ----
 *
 * Next best questions (dsl_questions.c) try many copies of one deal that differ
 * from it in one field. A policy is a function of what it reads: when a copy's
 * scores and every value the policy read of the deal are the same as the deal's,
 * the policy reads the same values in the same order and decides the same, so its
 * run on the copy can be skipped. Reads are noted per object as bits of field
 * codes (every code is below 32). */

static void note_read(dsl_reads *r, int kind, int index, int code) {
    unsigned bit = 1u << code;
    if (kind == VIEW_DEAL)
        r->deal |= bit;
    else if (kind == VIEW_SOLUTION)
        r->solution |= bit;
    else if (kind == VIEW_STAKEHOLDER && index < r->n)
        r->stakeholders[index] |= bit;
}

/* The methods whose answers depend only on what a question's copy shares with its
 * deal (ids, roles, sets, relationships, the JSON); any other method (one added
 * later) may read what a copy changes, and then nothing is skipped. */
static void note_method(dsl_reads *r, const char *name) {
    static const char *const shared[] = {"stakeholder", "members",  "with_role", "reach",
                                         "custom",      "has_role", NULL};
    if (strcmp(name, "has_warning") == 0) /* answers from the warnings alone */
        r->deal |= 1u << D_WARNINGS;
    else if (ds_enum_lookup(shared, name) < 0)
        r->opaque = true;
}

void dsl_view_track(lua_State *L, dsl_reads *r) {
    get_live(L)->reads = r;
}

/* Codes whose value is a view or a fresh table: they depend on what question
 * copies share with their deal (stakeholders, roles, relationships, the model). */
static bool structural(int kind, int code) {
    if (kind == VIEW_DEAL)
        return code == D_SOLUTION || code == D_STAKEHOLDERS || code == D_RELATIONSHIPS ||
               code == D_MODEL;
    return kind == VIEW_STAKEHOLDER && code == S_ROLES;
}

static int push_code(lua_State *L, ds_analysis *an, int kind, int index, int code) {
    if (kind == VIEW_DEAL) return deal_field(L, an, code);
    if (kind == VIEW_SOLUTION) return solution_field(L, an, code);
    return stakeholder_field(L, an, index, code);
}

static bool same_warnings(const ds_analysis *a, const ds_analysis *b) {
    if (a->n_warnings != b->n_warnings) return false;
    for (int i = 0; i < a->n_warnings; i++)
        if (strcmp(a->warnings[i], b->warnings[i]) != 0) return false;
    return true;
}

/* Values are compared as Lua compares them (a fresh table is never equal to
 * another: a table-valued field not handled here stops any skipping). */
static bool same_codes(lua_State *L, unsigned bits, int kind, int index, ds_analysis *a,
                       ds_analysis *b) {
    for (int code = 1; code < 32 && bits >> code; code++) {
        if (!(bits >> code & 1) || structural(kind, code)) continue;
        if (kind == VIEW_DEAL && code == D_WARNINGS) {
            if (!same_warnings(a, b)) return false;
            continue;
        }
        push_code(L, a, kind, index, code);
        push_code(L, b, kind, index, code);
        bool same = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
        if (!same) return false;
    }
    return true;
}

/* Every field of a stakeholder's view is a function of its record, its two graph
 * values and its engagement (stakeholder_field); of the solution's, of its
 * record. A question's copy changes one record: the others are compared whole,
 * not field by field through Lua (a quarter of the cost of a copy's analysis). */
static bool same_stakeholder(const ds_analysis *a, const ds_analysis *b, int i) {
    return memcmp(&a->deal->stakeholders[i], &b->deal->stakeholders[i], sizeof(ds_stakeholder)) ==
               0 &&
           a->graph.predicted[i] == b->graph.predicted[i] &&
           a->graph.effective[i] == b->graph.effective[i] && a->engagement[i] == b->engagement[i];
}

bool dsl_view_same(lua_State *L, const dsl_reads *r, ds_analysis *a, ds_analysis *b) {
    if (r->opaque || !same_codes(L, r->deal, VIEW_DEAL, 0, a, b)) return false;
    if (memcmp(&a->deal->solution, &b->deal->solution, sizeof(ds_solution)) != 0 &&
        !same_codes(L, r->solution, VIEW_SOLUTION, 0, a, b))
        return false;
    for (int i = 0; i < r->n; i++)
        if (r->stakeholders[i] && !same_stakeholder(a, b, i) &&
            !same_codes(L, r->stakeholders[i], VIEW_STAKEHOLDER, i, a, b))
            return false;
    return true;
}

/* ---- metamethods ---- */

/* __index for every kind: upvalue 1 maps names to codes or methods. */
static int view_index(lua_State *L) {
    view *v = lua_touserdata(L, 1);
    ds_analysis *an = check_view(L, 1, v->kind, NULL);
    if (v->kind == VIEW_LIST) {
        lua_Integer i = lua_tointeger(L, 2);
        if (!lua_isinteger(L, 2) || i < 1 || i > an->deal->n_stakeholders) return 0;
        push_view(L, VIEW_STAKEHOLDER, (int)i - 1);
        return 1;
    }
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TFUNCTION) {
        if (get_live(L)->reads) note_method(get_live(L)->reads, lua_tostring(L, 2));
        return 1;
    }
    int code = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (code == 0) return 0;
    dsl_reads *reads = get_live(L)->reads;
    if (reads) note_read(reads, v->kind, v->index, code);
    switch (v->kind) {
    case VIEW_DEAL:
        return deal_field(L, an, code);
    case VIEW_SOLUTION:
        return solution_field(L, an, code);
    default:
        return stakeholder_field(L, an, v->index, code);
    }
}

static int view_newindex(lua_State *L) {
    view *v = lua_touserdata(L, 1);
    return luaL_error(L, "%s is read-only (tried to set '%s')", metatable_names[v->kind],
                      luaL_tolstring(L, 2, NULL));
}

static int view_len(lua_State *L) {
    ds_analysis *an = check_view(L, 1, VIEW_LIST, NULL);
    lua_pushinteger(L, an->deal->n_stakeholders);
    return 1;
}

static int view_tostring(lua_State *L) {
    view *v = lua_touserdata(L, 1);
    ds_analysis *an = check_view(L, 1, v->kind, NULL);
    if (v->kind == VIEW_STAKEHOLDER)
        lua_pushfstring(L, "stakeholder %s", an->deal->stakeholders[v->index].id);
    else
        lua_pushfstring(L, "%s of deal %s", metatable_names[v->kind], an->deal->id);
    return 1;
}

static void register_kind(lua_State *L, int kind, const char *const *fields,
                          const luaL_Reg *methods) {
    luaL_newmetatable(L, metatable_names[kind]);
    lua_pushvalue(L, -1);
    get_live(L)->metatable_refs[kind] = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L); /* name -> code or method */
    for (int i = 0; fields && fields[i]; i++) {
        lua_pushinteger(L, i + 1);
        lua_setfield(L, -2, fields[i]);
    }
    for (; methods && methods->name; methods++) {
        lua_pushcfunction(L, methods->func);
        lua_setfield(L, -2, methods->name);
    }
    lua_pushcclosure(L, view_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, view_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, view_len);
    if (kind == VIEW_LIST)
        lua_setfield(L, -2, "__len");
    else
        lua_pop(L, 1);
    lua_pushcfunction(L, view_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "read-only view");
    lua_setfield(L, -2, "__metatable"); /* getmetatable() cannot reach the real one */
    lua_pop(L, 1);
}

void dsl_view_register(lua_State *L) {
    static const luaL_Reg deal_methods[] = {{"stakeholder", deal_stakeholder},
                                            {"members", deal_members},
                                            {"has_warning", deal_has_warning},
                                            {"with_role", deal_with_role},
                                            {"reach", deal_reach},
                                            {"custom", deal_custom},
                                            {NULL, NULL}};
    static const luaL_Reg stakeholder_methods[] = {{"has_role", stakeholder_has_role},
                                                   {"custom", stakeholder_custom},
                                                   {"inferred", stakeholder_inferred},
                                                   {NULL, NULL}};
    live *lv = lua_newuserdatauv(L, sizeof(live), 0); /* owned by the registry */
    memset(lv, 0, sizeof *lv);
    lua_setfield(L, LUA_REGISTRYINDEX, "dealscore.live");
    *(live **)lua_getextraspace(L) = lv;
    lua_pushboolean(L, 0); /* a slot of its own for the running call's deal view */
    lv->deal_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    register_kind(L, VIEW_DEAL, deal_fields, deal_methods);
    register_kind(L, VIEW_SOLUTION, solution_fields, NULL);
    register_kind(L, VIEW_LIST, NULL, NULL);
    register_kind(L, VIEW_STAKEHOLDER, stakeholder_fields, stakeholder_methods);
}

void dsl_view_push(lua_State *L, ds_analysis *an, bool explain) {
    live *lv = get_live(L);
    lv->an = an;
    lv->explain = explain;
    new_view(L, VIEW_DEAL, 0, an->deal->n_stakeholders + 2); /* push_view's cache */
    lua_pushvalue(L, -1);
    lua_rawseti(L, LUA_REGISTRYINDEX, lv->deal_ref);
}

void dsl_view_release(lua_State *L) {
    live *lv = get_live(L);
    lv->an = NULL;
    lv->generation++;
    lua_pushboolean(L, 0); /* the deal view and its cache become garbage */
    lua_rawseti(L, LUA_REGISTRYINDEX, lv->deal_ref);
}

void dsl_view_skip(lua_State *L, unsigned long long n) {
    get_live(L)->generation += n;
}
