/* dsl_convert.c: JSON to Lua and back.
 *
 * cJSON values become Lua values for the model and the deals' custom fields;
 * Lua tables become JSON text for the patches of custom actions and for the
 * dealscore Lua module, whose callers hand deals over as tables. */
#include "dsl.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>

void dsl_push_json(lua_State *L, const cJSON *v) {
    luaL_checkstack(L, 4, "JSON too deep");
    if (!v || cJSON_IsNull(v)) {
        lua_pushnil(L);
    } else if (cJSON_IsBool(v)) {
        lua_pushboolean(L, cJSON_IsTrue(v));
    } else if (cJSON_IsNumber(v)) {
        lua_pushnumber(L, v->valuedouble);
    } else if (cJSON_IsString(v)) {
        lua_pushstring(L, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        lua_createtable(L, cJSON_GetArraySize(v), 0);
        int i = 1;
        for (const cJSON *c = v->child; c; c = c->next) {
            dsl_push_json(L, c);
            lua_rawseti(L, -2, i++);
        }
    } else if (cJSON_IsObject(v)) {
        lua_createtable(L, 0, 8);
        for (const cJSON *c = v->child; c; c = c->next) {
            dsl_push_json(L, c);
            lua_setfield(L, -2, c->string);
        }
    } else {
        lua_pushnil(L);
    }
}

/* ---- Lua to JSON ---- */

static int fail(char *err, size_t errlen, const char *what) {
    snprintf(err, errlen, "%s", what);
    return -1;
}

/* true when the table's keys are exactly 1..n (n may be 0) */
static bool is_array(lua_State *L, int idx, lua_Integer *n) {
    *n = (lua_Integer)lua_rawlen(L, idx);
    lua_Integer count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        count++;
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > *n) {
            lua_pop(L, 1);
            return false;
        }
    }
    return count == *n;
}

static int write_value(lua_State *L, int idx, ds_buf *b, int depth, char *err, size_t errlen);

static int write_table(lua_State *L, int idx, ds_buf *b, int depth, char *err, size_t errlen) {
    lua_Integer n;
    if (is_array(L, idx, &n) && (n > 0 || lua_getmetatable(L, idx) == 0)) {
        ds_buf_putc(b, '[');
        for (lua_Integer i = 1; i <= n; i++) {
            if (i > 1) ds_buf_putc(b, ',');
            lua_rawgeti(L, idx, i);
            int rc = write_value(L, lua_gettop(L), b, depth + 1, err, errlen);
            lua_pop(L, 1);
            if (rc < 0) return -1;
        }
        ds_buf_putc(b, ']');
        return 0;
    }
    ds_buf_putc(b, '{');
    bool first = true;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            lua_pop(L, 2);
            return fail(err, errlen,
                        "a table mixing list items and keys, or a key that is not a string");
        }
        if (!first) ds_buf_putc(b, ',');
        first = false;
        ds_buf_json_string(b, lua_tostring(L, -2));
        ds_buf_putc(b, ':');
        if (write_value(L, lua_gettop(L), b, depth + 1, err, errlen) < 0) {
            lua_pop(L, 2);
            return -1;
        }
        lua_pop(L, 1);
    }
    ds_buf_putc(b, '}');
    return 0;
}

static int write_value(lua_State *L, int idx, ds_buf *b, int depth, char *err, size_t errlen) {
    if (depth > 64) return fail(err, errlen, "tables nested deeper than 64");
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        ds_buf_puts(b, "null");
        return 0;
    case LUA_TBOOLEAN:
        ds_buf_puts(b, lua_toboolean(L, idx) ? "true" : "false");
        return 0;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            ds_buf_printf(b, "%lld", (long long)lua_tointeger(L, idx));
        } else {
            double v = lua_tonumber(L, idx);
            if (!isfinite(v)) return fail(err, errlen, "a number that is not finite");
            ds_buf_printf(b, "%.17g", v);
        }
        return 0;
    case LUA_TSTRING:
        ds_buf_json_string(b, lua_tostring(L, idx));
        return 0;
    case LUA_TTABLE: {
        luaL_checkstack(L, 6, "tables nested too deep");
        int top = lua_gettop(L);
        int rc = write_table(L, lua_absindex(L, idx), b, depth, err, errlen);
        lua_settop(L, top);
        return rc;
    }
    default:
        snprintf(err, errlen, "a %s value (only tables, strings, numbers and booleans)",
                 luaL_typename(L, idx));
        return -1;
    }
}

int dsl_write_json(lua_State *L, int idx, ds_buf *b, char *err, size_t errlen) {
    return write_value(L, lua_absindex(L, idx), b, 0, err, errlen);
}
