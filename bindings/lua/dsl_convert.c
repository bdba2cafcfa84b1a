/* dsl_convert.c: JSON to Lua and back.
 *
 * cJSON values become Lua values for the model and the deals' custom fields;
 * Lua tables become JSON text for the patches of custom actions and for the
 * dealscore Lua module, whose callers hand deals over as tables. */
#include "dsl.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ds_json.h"

void dsl_push_json(lua_State *L, const cJSON *v) {
    luaL_checkstack(L, 4, "JSON too deep");
    dsl_sandbox_charge(L, 1); /* a deal's custom field may be large, and read in a loop */
    if (!v || cJSON_IsNull(v)) {
        lua_pushnil(L);
    } else if (cJSON_IsBool(v)) {
        lua_pushboolean(L, cJSON_IsTrue(v));
    } else if (cJSON_IsNumber(v)) {
        lua_pushnumber(L, v->valuedouble);
    } else if (cJSON_IsString(v)) {
        size_t len = strlen(v->valuestring);
        dsl_sandbox_charge(L, (double)len / DSL_BYTES_PER_UNIT);
        lua_pushlstring(L, v->valuestring, len);
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
    dsl_sandbox_charge(L, (double)count);
    return count == *n;
}

typedef struct writer {
    ds_buf *b;
    const dsl_json_opts *opts;
    char *err;
    size_t errlen;
} writer;

/* A string of a policy's JSON, checked when the writer is strict. */
static int write_string(lua_State *L, int idx, writer *w) {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    dsl_sandbox_charge(L, 1 + (double)len / DSL_BYTES_PER_UNIT);
    if (w->opts->plain && memchr(s, '\0', len))
        return fail(w->err, w->errlen, "a string with a NUL byte");
    if (w->opts->plain && ds_utf8_invalid_at(s, len) < len)
        return fail(w->err, w->errlen, "a string that is not valid UTF-8");
    ds_buf_json_string(w->b, s);
    return 0;
}

static int write_value(lua_State *L, int idx, writer *w, int depth);

static int write_table(lua_State *L, int idx, writer *w, int depth) {
    lua_Integer n;
    if (w->opts->plain && lua_getmetatable(L, idx))
        return fail(w->err, w->errlen, "a table with a metatable");
    if (is_array(L, idx, &n) && (n > 0 || lua_getmetatable(L, idx) == 0)) {
        ds_buf_putc(w->b, '[');
        for (lua_Integer i = 1; i <= n; i++) {
            if (i > 1) ds_buf_putc(w->b, ',');
            lua_rawgeti(L, idx, i);
            int rc = write_value(L, lua_gettop(L), w, depth + 1);
            lua_pop(L, 1);
            if (rc < 0) return -1;
        }
        ds_buf_putc(w->b, ']');
        return 0;
    }
    ds_buf_putc(w->b, '{');
    bool first = true;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            lua_pop(L, 2);
            return fail(w->err, w->errlen,
                        "a table mixing list items and keys, or a key that is not a string");
        }
        if (!first) ds_buf_putc(w->b, ',');
        first = false;
        if (write_string(L, lua_gettop(L) - 1, w) < 0) return -1;
        ds_buf_putc(w->b, ':');
        if (write_value(L, lua_gettop(L), w, depth + 1) < 0) {
            lua_pop(L, 2);
            return -1;
        }
        lua_pop(L, 1);
    }
    ds_buf_putc(w->b, '}');
    return 0;
}

static int write_value(lua_State *L, int idx, writer *w, int depth) {
    if (depth > 64) return fail(w->err, w->errlen, "tables nested deeper than 64");
    /* a table may hold the same table many times over: the output, not the
     * nesting, is what can grow without end */
    if (w->opts->max && w->b->len > w->opts->max) {
        snprintf(w->err, w->errlen, "more than %zu bytes of JSON", w->opts->max);
        return -1;
    }
    dsl_sandbox_charge(L, 1);
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        ds_buf_puts(w->b, "null");
        return 0;
    case LUA_TBOOLEAN:
        ds_buf_puts(w->b, lua_toboolean(L, idx) ? "true" : "false");
        return 0;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            ds_buf_printf(w->b, "%lld", (long long)lua_tointeger(L, idx));
        } else {
            double v = lua_tonumber(L, idx);
            if (!isfinite(v)) return fail(w->err, w->errlen, "a number that is not finite");
            ds_buf_printf(w->b, "%.17g", v);
        }
        return 0;
    case LUA_TSTRING:
        return write_string(L, idx, w);
    case LUA_TTABLE: {
        luaL_checkstack(L, 6, "tables nested too deep");
        int top = lua_gettop(L);
        int rc = write_table(L, lua_absindex(L, idx), w, depth);
        lua_settop(L, top);
        return rc;
    }
    default:
        snprintf(w->err, w->errlen, "a %s value (only tables, strings, numbers and booleans)",
                 luaL_typename(L, idx));
        return -1;
    }
}

int dsl_write_json_opts(lua_State *L, int idx, ds_buf *b, const dsl_json_opts *opts, char *err,
                        size_t errlen) {
    writer w = {b, opts, err, errlen};
    return write_value(L, lua_absindex(L, idx), &w, 0);
}

int dsl_write_json(lua_State *L, int idx, ds_buf *b, char *err, size_t errlen) {
    static const dsl_json_opts loose = {0, false};
    return dsl_write_json_opts(L, idx, b, &loose, err, errlen);
}

/* ---- text a policy wrote ---- */

/* Bytes of the UTF-8 character at s (1..4), or 0 when it is not one. */
static size_t utf8_char(const char *s, size_t len) {
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (n > len) return 0;
    return ds_utf8_invalid_at(s, n) == n ? n : 0;
}

void dsl_text_clean(char *dst, size_t size, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (size == 0) return;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        char piece[5];
        size_t n = c >= 0x20 && c != 0x7f ? utf8_char(s + i, len - i) : 0, take = n ? n : 1;
        if (n) {
            memcpy(piece, s + i, n);
        } else if (c == '\t') { /* harmless in a line */
            piece[0] = '\t';
            n = 1;
        } else if (c == '\n' || c == '\r') {
            piece[0] = '\\';
            piece[1] = c == '\n' ? 'n' : 'r';
            n = 2;
        } else {
            memcpy(piece, (char[]){'\\', 'x', hex[c >> 4], hex[c & 15]}, 4);
            n = 4;
        }
        if (o + n + 4 > size) { /* each step leaves room for "..." and the NUL */
            memcpy(dst + o, "...", size >= 4 ? 3 : 0);
            o += size >= 4 ? 3 : 0;
            break;
        }
        memcpy(dst + o, piece, n);
        o += n;
        i += take;
    }
    dst[o] = '\0';
}
