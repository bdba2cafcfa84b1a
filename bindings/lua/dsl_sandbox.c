/* dsl_sandbox.c: the Lua state policies run in, and the budgets of each call.
 *
 * Policies are code written by revenue-operations teams and run inside the
 * batch and the server, so a policy must not be able to read files, hang a
 * worker, eat its memory, or change what another policy sees. This file builds
 * that state on stock Lua 5.4, without patches:
 *
 *  - Libraries: base (without dofile, loadfile, collectgarbage, warn; load takes
 *    text chunks only; rawset and setmetatable refuse protected tables and __gc),
 *    string (without dump), table, math, utf8, and os.time/clock/date.
 *  - Every library table a policy can name is a read-only proxy; the strings'
 *    metatable is hidden behind __metatable, so the real tables are unreachable.
 *  - Each policy file (and each module it requires) runs in its own environment:
 *    reading an undefined global and assigning any global are errors, so a
 *    typo fails loudly and policies sharing one state cannot meet. State that a
 *    policy keeps lives in its file's local variables.
 *  - require() loads only NAME.lua files from the policy's own folder.
 *  - Memory: a custom allocator counts the state's bytes and refuses to pass the
 *    cap while a call runs. The refusal is sticky until the call unwinds, so a
 *    pcall inside the policy cannot swallow it.
 *  - Time: a count hook ends a call after its instruction budget and, from then
 *    on, raises again on every instruction until the call has unwound. Lua runs
 *    an xpcall message handler for an error raised inside a hook with hooks
 *    off, so xpcall's handlers are wrapped: once the budget is spent they are
 *    skipped, and no policy code ever runs unbudgeted.
 *
 * The sandbox's bookkeeping is the allocator's user data, so any function that
 * holds the lua_State finds it with lua_getallocf(). */
#include <lauxlib.h>
#include <lualib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"

/* instructions between two runs of the hook: small enough to stop a tight loop
 * promptly, large enough to cost nothing measurable */
#define HOOK_STEP 1000

typedef struct sandbox {
    dsl_limits limits;
    size_t used;                                         /* bytes held by the state */
    size_t peak;                                         /* largest `used` seen */
    bool armed;                                          /* a budgeted call is running */
    enum { MEM_OK, MEM_REFUSED_ONCE, MEM_SPENT } memory; /* the cap, during this call */
    void *pending_ptr; /* the refused request, to recognise Lua's retry */
    size_t pending_o, pending_n;
    long long steps_left; /* hook runs left before the budget is spent */
    bool timed_out;
} sandbox;

static sandbox *sandbox_of(lua_State *L) {
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

/* ---- memory ---- */

/* Lua answers a refused allocation with one emergency collection and a retry of
 * the same request, which may pass if the collection freed enough. Anything
 * else after a refusal means Lua raised "not enough memory": from then on every
 * growth is refused until the call ends, so catching the error gains nothing. */
static bool refuse(sandbox *sb, void *ptr, size_t osize, size_t nsize) {
    if (!sb->armed || !sb->limits.memory || nsize <= osize) return false;
    bool fits = sb->used + (nsize - osize) <= sb->limits.memory;
    if (sb->memory == MEM_REFUSED_ONCE) {
        bool retry = sb->pending_ptr == ptr && sb->pending_o == osize && sb->pending_n == nsize;
        sb->memory = retry && fits ? MEM_OK : MEM_SPENT;
        return sb->memory == MEM_SPENT;
    }
    if (sb->memory == MEM_SPENT) return true;
    if (fits) return false;
    sb->memory = MEM_REFUSED_ONCE;
    sb->pending_ptr = ptr;
    sb->pending_o = osize;
    sb->pending_n = nsize;
    return true;
}

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    sandbox *sb = ud;
    if (!ptr) osize = 0; /* Lua passes the object's type here for new blocks */
    if (nsize == 0) {
        free(ptr);
        sb->used -= osize;
        return NULL;
    }
    if (refuse(sb, ptr, osize, nsize)) return NULL;
    void *p = realloc(ptr, nsize);
    if (!p) return NULL;
    sb->used += nsize - osize; /* unsigned wrap-around gives the right result */
    return p;
}

/* ---- time ---- */

static void budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    sandbox *sb = sandbox_of(L);
    if (!sb->timed_out && --sb->steps_left > 0) return;
    if (!sb->timed_out) {
        sb->timed_out = true;
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1); /* from now on, every instruction */
    }
    luaL_error(L, "policy_timeout: instruction budget of %I spent",
               (lua_Integer)sb->limits.instructions);
}

int dsl_sandbox_call(lua_State *L, int nargs, int nresults) {
    sandbox *sb = sandbox_of(L);
    sb->armed = true;
    sb->memory = MEM_OK;
    sb->timed_out = false;
    if (sb->limits.instructions > 0) {
        long long step = sb->limits.instructions < HOOK_STEP ? sb->limits.instructions : HOOK_STEP;
        sb->steps_left = (sb->limits.instructions + step - 1) / step;
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, (int)step);
    }
    int rc = lua_pcall(L, nargs, nresults, 0);
    lua_sethook(L, NULL, 0, 0);
    sb->armed = false;
    int outcome = rc == LUA_OK ? DSL_CALL_OK : DSL_CALL_ERROR;
    if (sb->timed_out)
        outcome = DSL_CALL_TIMEOUT;
    else if (sb->memory != MEM_OK || rc == LUA_ERRMEM)
        outcome = DSL_CALL_MEMORY;
    if (outcome == DSL_CALL_MEMORY) lua_gc(L, LUA_GCCOLLECT); /* give the next call room */
    sb->memory = MEM_OK;
    sb->timed_out = false;
    return outcome;
}

size_t dsl_sandbox_memory(lua_State *L) {
    return sandbox_of(L)->used;
}

const dsl_limits *dsl_sandbox_limits(lua_State *L) {
    return &sandbox_of(L)->limits;
}

/* ---- protected tables ---- */

#define PROTECTED "dealscore.protected" /* registry: weak set of read-only tables */
#define BASE "dealscore.base"           /* registry: the real globals */
#define ENV_MT "dealscore.env"          /* registry: metatable of environments' own names */

static bool is_protected(lua_State *L, int idx) {
    lua_getfield(L, LUA_REGISTRYINDEX, PROTECTED);
    lua_pushvalue(L, idx);
    bool yes = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    return yes;
}

static void mark_protected(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    lua_getfield(L, LUA_REGISTRYINDEX, PROTECTED);
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

/* error raised at the policy's line (level 1: the Lua code that called us) */
static int error_at_caller(lua_State *L, const char *fmt, const char *what) {
    luaL_where(L, 1);
    lua_pushfstring(L, fmt, what);
    lua_concat(L, 2);
    return lua_error(L);
}

static int refuse_library_write(lua_State *L) {
    return error_at_caller(L, "libraries are read-only (tried to set '%s')",
                           luaL_tolstring(L, 2, NULL));
}

static int refuse_global_write(lua_State *L) {
    return error_at_caller(L,
                           "assignment to global '%s': globals are read-only, use a local "
                           "(see docs/policies.md, keeping state)",
                           luaL_tolstring(L, 2, NULL));
}

static int refuse_global_read(lua_State *L) {
    return error_at_caller(L, "undefined global '%s'", luaL_tolstring(L, 2, NULL));
}

static int safe_rawset(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (is_protected(L, 1)) return error_at_caller(L, "rawset: %s is read-only", "this table");
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

/* setmetatable without finalizers: a __gc could run at any time, outside any
 * budget. Protected tables already refuse through __metatable. */
static int safe_setmetatable(lua_State *L) {
    lua_pushliteral(L, "__gc");
    if (lua_type(L, 2) == LUA_TTABLE && lua_rawget(L, 2) != LUA_TNIL)
        return error_at_caller(L, "setmetatable: %s are not allowed in policies",
                               "__gc metamethods");
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

/* The message handler of safe_xpcall: the policy's handler (upvalue 1), except
 * for the budget's own error. That one is raised inside the count hook, where
 * Lua has turned hooks off: a handler run from there would run without a budget
 * (an endless loop in it would never end), so the error goes on unhandled. */
static int budgeted_handler(lua_State *L) {
    if (sandbox_of(L)->timed_out) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* xpcall(f, handler, ...) with the handler wrapped by budgeted_handler. */
static int safe_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, budgeted_handler, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the original xpcall */
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* load(chunk [, name [, mode [, env]]]): text only; without env the chunk sees
 * the caller's environment (upvalue 2), never the real globals. */
static int safe_load(lua_State *L) {
    lua_settop(L, 4);
    const char *mode = lua_tostring(L, 3);
    if (mode && !strchr(mode, 't'))
        return error_at_caller(L, "load: %s", "policies load text chunks only");
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    bool own_env = lua_isnone(L, 4) || lua_isnil(L, 4);
    if (own_env) {
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_replace(L, 4);
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the original load */
    lua_insert(L, 1);
    lua_call(L, 4, LUA_MULTRET);
    return lua_gettop(L);
}

/* print(...) on stderr, prefixed, so policy debugging never mixes with results */
static int safe_print(lua_State *L) {
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "policy: ");
    for (int i = 1; i <= n; i++) {
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
        if (i < n) luaL_addchar(&b, '\t');
    }
    luaL_addchar(&b, '\n');
    luaL_pushresult(&b);
    fputs(lua_tostring(L, -1), stderr);
    return 0;
}

/* Replaces global `name` by a read-only proxy of it. */
static void protect_library(lua_State *L, const char *name) {
    lua_getglobal(L, name);
    lua_newtable(L); /* the proxy */
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, refuse_library_write);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    mark_protected(L, -1);
    lua_setglobal(L, name);
    lua_pop(L, 1);
}

static void open_libraries(lua_State *L) {
    static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},
                                    {LUA_TABLIBNAME, luaopen_table},
                                    {LUA_STRLIBNAME, luaopen_string},
                                    {LUA_MATHLIBNAME, luaopen_math},
                                    {LUA_UTF8LIBNAME, luaopen_utf8},
                                    {LUA_OSLIBNAME, luaopen_os},
                                    {NULL, NULL}};
    for (const luaL_Reg *lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    /* the loaded-libraries table holds the real tables: nothing may reach it */
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    /* os: only the clock and the calendar */
    lua_getglobal(L, LUA_OSLIBNAME);
    lua_createtable(L, 0, 3);
    static const char *const os_keep[] = {"time", "clock", "date", NULL};
    for (int i = 0; os_keep[i]; i++) {
        lua_getfield(L, -2, os_keep[i]);
        lua_setfield(L, -2, os_keep[i]);
    }
    lua_setglobal(L, LUA_OSLIBNAME);
    lua_pop(L, 1);
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    /* reproducible runs: math.random starts from the same seed in every state */
    lua_getglobal(L, LUA_MATHLIBNAME);
    lua_getfield(L, -1, "randomseed");
    lua_pushinteger(L, 42);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    static const char *const removed[] = {"dofile", "loadfile", "collectgarbage", "warn", "require",
                                          "_G",     NULL};
    for (int i = 0; removed[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
}

static void install_safe_functions(lua_State *L) {
    lua_pushcfunction(L, safe_print);
    lua_setglobal(L, "print");
    lua_pushcfunction(L, safe_rawset);
    lua_setglobal(L, "rawset");
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, safe_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
    lua_getglobal(L, "xpcall");
    lua_pushcclosure(L, safe_xpcall, 1);
    lua_setglobal(L, "xpcall");
    /* the original load stays only as an upvalue of each environment's load */
    lua_getglobal(L, "load");
    lua_setfield(L, LUA_REGISTRYINDEX, "dealscore.load");
    lua_pushnil(L);
    lua_setglobal(L, "load");
}

/* The strings' metatable: its __index is the real string library, so hide it. */
static void protect_string_metatable(lua_State *L) {
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
}

static void protect_globals(lua_State *L) {
    static const char *const libraries[] = {LUA_STRLIBNAME,  LUA_TABLIBNAME, LUA_MATHLIBNAME,
                                            LUA_UTF8LIBNAME, LUA_OSLIBNAME,  NULL};
    for (int i = 0; libraries[i]; i++) protect_library(L, libraries[i]);
    lua_pushglobaltable(L);
    lua_createtable(L, 0, 3);
    lua_pushcfunction(L, refuse_global_read);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, refuse_global_write);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    mark_protected(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, BASE);
    /* an environment's own names fall through to the base */
    lua_createtable(L, 0, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, BASE);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setfield(L, LUA_REGISTRYINDEX, ENV_MT);
}

/* Only reached through a bug in dealscore: every policy call is protected. */
static int panic(lua_State *L) {
    fprintf(stderr, "dealscore: unprotected Lua error: %s\n", lua_tostring(L, -1));
    return 0; /* Lua aborts */
}

lua_State *dsl_sandbox_open(const dsl_limits *limits) {
    sandbox *sb = calloc(1, sizeof *sb);
    if (!sb) return NULL;
    sb->limits = *limits;
    lua_State *L = lua_newstate(sandbox_alloc, sb);
    if (!L) {
        free(sb);
        return NULL;
    }
    lua_atpanic(L, panic);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, PROTECTED);
    open_libraries(L);
    install_safe_functions(L);
    protect_string_metatable(L);
    protect_globals(L);
    dsl_view_register(L);
    return L;
}

void dsl_sandbox_close(lua_State *L) {
    if (!L) return;
    sandbox *sb = sandbox_of(L);
    lua_close(L);
    free(sb);
}

/* ---- environments and require ---- */

static int env_require(lua_State *L);

/* Pushes a new environment whose require() loads from the folder `dir` and
 * caches in `loaded` (both stack indexes). The environment itself stays empty,
 * so every assignment reaches __newindex; its own names (_G, load, require) and
 * then the base are found through __index. */
static void push_env(lua_State *L, int dir, int loaded) {
    dir = lua_absindex(L, dir);
    loaded = lua_absindex(L, loaded);
    lua_newtable(L);
    int env = lua_gettop(L);
    lua_createtable(L, 0, 3); /* own names */
    int own = env + 1;
    lua_pushvalue(L, env);
    lua_setfield(L, own, "_G");
    lua_getfield(L, LUA_REGISTRYINDEX, "dealscore.load");
    lua_pushvalue(L, env);
    lua_pushcclosure(L, safe_load, 2);
    lua_setfield(L, own, "load");
    lua_pushvalue(L, dir);
    lua_pushvalue(L, loaded);
    lua_pushcclosure(L, env_require, 2);
    lua_setfield(L, own, "require");
    lua_getfield(L, LUA_REGISTRYINDEX, ENV_MT);
    lua_setmetatable(L, own); /* own -> base */
    lua_createtable(L, 0, 3); /* the environment's metatable */
    lua_pushvalue(L, own);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, refuse_global_write);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, env);
    lua_pop(L, 1); /* own */
    mark_protected(L, env);
}

void dsl_sandbox_push_env(lua_State *L, const char *dir) {
    lua_pushstring(L, dir);
    lua_newtable(L);
    push_env(L, -2, -1);
    lua_replace(L, -3);
    lua_pop(L, 1);
}

static char *read_whole_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    ds_buf b;
    ds_buf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ds_buf_add(&b, chunk, n);
    bool bad = ferror(f) || b.failed;
    fclose(f);
    if (bad) {
        ds_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return b.data ? b.data : calloc(1, 1);
}

int dsl_sandbox_load(lua_State *L, const char *path, int env) {
    env = lua_absindex(L, env);
    size_t len = 0;
    char *text = read_whole_file(path, &len);
    if (!text) {
        lua_pushfstring(L, "%s: cannot read the file", path);
        return -1;
    }
    lua_pushfstring(L, "@%s", path);
    int rc = luaL_loadbufferx(L, text, len, lua_tostring(L, -1), "t");
    free(text);
    lua_remove(L, -2);
    if (rc != LUA_OK) return -1;
    lua_pushvalue(L, env);
    lua_setupvalue(L, -2, 1); /* _ENV */
    return 0;
}

static bool valid_module_name(const char *s) {
    if (!*s || *s == '.') return false;
    for (const char *c = s; *c; c++) {
        bool word = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
        if (!word && !(*c == '.' && c[1] && c[1] != '.')) return false;
    }
    return true;
}

/* require(name): NAME.lua (dots are folders) from the policy's folder only, run
 * once per policy in an environment of its own. */
static int env_require(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    lua_pushvalue(L, 1);
    int cached = lua_rawget(L, lua_upvalueindex(2));
    if (cached == LUA_TBOOLEAN && !lua_toboolean(L, -1))
        return luaL_error(L, "require '%s': circular require", name);
    if (cached != LUA_TNIL) return 1;
    lua_pop(L, 1);
    if (!valid_module_name(name))
        return luaL_error(L,
                          "require '%s': names are letters, digits, _ and - with dots "
                          "for folders; only modules of the policy's own folder load",
                          name);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, lua_tostring(L, lua_upvalueindex(1)));
    luaL_addchar(&b, '/');
    for (const char *c = name; *c; c++) luaL_addchar(&b, *c == '.' ? '/' : *c);
    luaL_addstring(&b, ".lua");
    luaL_pushresult(&b);
    const char *path = lua_tostring(L, -1); /* index 2 */
    lua_pushvalue(L, 1);
    lua_pushboolean(L, 0);
    lua_rawset(L, lua_upvalueindex(2)); /* loading */
    push_env(L, lua_upvalueindex(1), lua_upvalueindex(2));
    if (dsl_sandbox_load(L, path, -1) < 0) {
        lua_pushvalue(L, 1);
        lua_pushnil(L);
        lua_rawset(L, lua_upvalueindex(2));
        return lua_error(L);
    }
    lua_pushvalue(L, 1);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) { /* forget the marker, pass the error on */
        lua_pushvalue(L, 1);
        lua_pushnil(L);
        lua_rawset(L, lua_upvalueindex(2));
        return lua_error(L);
    }
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -2);
    lua_rawset(L, lua_upvalueindex(2));
    return 1;
}
