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
 *    on, raises again on every instruction until the call has unwound. Work in
 *    C is charged to the same budget (dsl_sandbox_charge, dsl_bounded.c, and
 *    the allocator). What neither sees, a VM instruction that is slow by
 *    itself (comparing two 16 MB strings, passing a million varargs), meets a
 *    CPU-time allowance the hook also checks: far above what the budget's
 *    instructions take (DSL_NS_PER_INSTRUCTION), so only such work meets it. Lua runs
 *    an xpcall message handler for an error raised inside a hook with hooks
 *    off, so xpcall's handlers are wrapped: once the budget is spent they are
 *    skipped, and no policy code ever runs unbudgeted.
 *
 * The sandbox's bookkeeping is the allocator's user data, so any function that
 * holds the lua_State finds it with lua_getallocf(). */
#include <lauxlib.h>
#include <fcntl.h>
#include <lualib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"

/* instructions between two runs of the hook: small enough to stop a tight loop
 * promptly, large enough to cost nothing measurable. The budget's cost is not
 * here: stock Lua 5.4 traps every VM instruction while a count hook is set,
 * whatever its count (1,000 or 1,000,000 measure the same; benchmarks/README.md) */
#define HOOK_STEP 1000

/* But one VM instruction can take long where the state holds big blocks:
 * `s + 0` or `for i = 1, s` turns a 30 MB string of digits into a number (40
 * ms), `a < b` compares two long strings, `next` walks a sparse array, a call
 * copies a million varargs. A thousand of those between two runs of the hook
 * was 40 s before the CPU-time checks below could see them. So the hook runs
 * every COUNT_BYTES / big instructions, where `big` is the bytes the state
 * holds in blocks of BIG_BLOCK or more: every 1,000 while that is 64 KB or
 * less (the default policy's state holds 42 KB in all, none in such blocks),
 * every 2 at 30 MB, every one at 64 MB. */
#define BIG_BLOCK (64 * 1024)
#define COUNT_BYTES (64.0 * 1024 * 1024)

/* Small blocks (see the allocator): classes of 16 bytes up to SMALL_MAX, and at
 * most SMALL_KEEP freed blocks kept in each (139 KB a state at most; not counted
 * against the memory cap, which counts what Lua holds). */
#define SMALL_MAX 256
#define SMALL_CLASSES (SMALL_MAX / 16)
#define SMALL_KEEP 64

struct small {
    struct small *next;
};

typedef struct sandbox {
    dsl_limits limits;
    size_t used;                                         /* bytes held by the state */
    size_t peak;                                         /* largest `used` seen */
    bool armed;                                          /* a budgeted call is running */
    enum { MEM_OK, MEM_REFUSED_ONCE, MEM_SPENT } memory; /* the cap, during this call */
    void *pending_ptr; /* the refused request, to recognise Lua's retry */
    size_t pending_o, pending_n;
    double left;        /* units of the budget left (instructions, C work charged) */
    double total;       /* units of the budget at the call's start */
    int count;          /* instructions between two runs of the hook */
    size_t big;         /* bytes held in blocks of BIG_BLOCK or more */
    double allocs;      /* allocations in this call, and their bytes: the */
    double alloc_bytes; /* CPU time the call may spend (out_of_time) */
    bool timed_out;
    unsigned long long serial; /* calls made, for dsl_sandbox_serial() */
    char why[200];             /* what spent the budget at once, for messages */
    long long allowance;       /* ns of CPU time the call may use (DSL_NS_PER_INSTRUCTION) */
    long long cpu_started;     /* the thread's CPU clock at the hook's first run */
    long long deadline;        /* CLOCK_MONOTONIC_COARSE: before it, no need to look */
    lua_State *L;              /* the main thread, for the allocator's charges */
    char name[64];             /* the policy's name, for its print lines */
    int print_lines;           /* print lines written in this call */
    size_t print_bytes;        /* and their bytes */
    long long print_dropped;   /* print lines suppressed in this call */
    struct small *kept[SMALL_CLASSES]; /* freed small blocks, by size class */
    int n_kept[SMALL_CLASSES];
} sandbox;

static sandbox *sandbox_of(lua_State *L) {
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

/* ---- memory ---- */

static void spend_budget(sandbox *sb, lua_State *L);

/* Growing memory is work (the bytes are written, and the collector walks them
 * later), and a Lua operator can do it in one instruction (`..` on a long
 * string): the allocator charges it to the budget. It cannot raise an error,
 * so when that spends the budget, the hook is set to fire on the very next
 * instruction. */
static void charge_allocation(sandbox *sb, size_t bytes) {
    if (!sb->armed || sb->limits.instructions <= 0 || sb->timed_out || !sb->L) return;
    sb->allocs++;
    sb->alloc_bytes += (double)bytes;
    sb->left -= (double)bytes / DSL_ALLOC_BYTES_PER_UNIT;
    if (sb->left <= 0) spend_budget(sb, sb->L);
}

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

/* Small blocks. A policy call makes and drops some 80 small objects a deal (its
 * tables, closures, views), and the collector frees them in bursts that overflow
 * glibc's per-thread cache (7 blocks a size): each then cost a full free() and
 * a malloc() later, a sixth of a default policy call. The state keeps a few
 * freed blocks of each 16-byte class on lists of its own instead (a Lua state
 * is used by one thread at a time). A small block's room is at least its
 * class's size: it is made that size, and shrinking keeps the larger block. */
static bool is_small(size_t n) {
    return n - 1 < SMALL_MAX; /* 1..SMALL_MAX; 0 wraps around */
}

static size_t class_of(size_t n) {
    return (n - 1) >> 4;
}

static void *small_take(sandbox *sb, size_t n) {
    size_t c = class_of(n);
    struct small *b = sb->kept[c];
    if (!b) return malloc((c + 1) << 4);
    sb->kept[c] = b->next;
    sb->n_kept[c]--;
    return b;
}

static void small_give(sandbox *sb, void *p, size_t n) {
    size_t c = class_of(n);
    if (sb->n_kept[c] >= SMALL_KEEP) {
        free(p);
        return;
    }
    struct small *b = p;
    b->next = sb->kept[c];
    sb->kept[c] = b;
    sb->n_kept[c]++;
}

static void small_drop_all(sandbox *sb) {
    for (int c = 0; c < SMALL_CLASSES; c++)
        while (sb->kept[c]) {
            struct small *b = sb->kept[c];
            sb->kept[c] = b->next;
            free(b);
        }
}

/* realloc with Lua's sizes (osize 0 for a new block), through the small lists */
static void *block_resize(sandbox *sb, void *ptr, size_t osize, size_t nsize) {
    bool small_old = ptr && is_small(osize), small_new = is_small(nsize);
    if (!ptr) return small_new ? small_take(sb, nsize) : malloc(nsize);
    if (!small_old) /* a big block shrunk to a small one keeps its class's room */
        return realloc(ptr, small_new ? (class_of(nsize) + 1) << 4 : nsize);
    if (small_new && class_of(nsize) <= class_of(osize)) return ptr; /* room enough */
    void *p = small_new ? small_take(sb, nsize) : malloc(nsize);
    if (!p) return NULL;
    memcpy(p, ptr, osize < nsize ? osize : nsize);
    small_give(sb, ptr, osize);
    return p;
}

static void big_blocks(sandbox *sb, size_t osize, size_t nsize);

/* Lua hashes an integer key by its remainder modulo 2^k - 1 (a float key by
 * its bits), for a table of 2^k slots, so keys chosen to fall in one slot make
 * each insertion walk a chain as long as the table. Inserting them one by one
 * is many instructions, which the CPU-time check ends; but growing the table
 * moves every key into the new slots in ONE instruction, n^2 / 2 steps: 1.3 s
 * at 2^16 slots, 5.5 s at 2^17, minutes at 2^19 (12 MB, well within the cap),
 * which nothing can stop. So the runtime refuses, within a call, the slots of
 * a table larger than MAX_SLOTS: a new block that is no object (Lua passes
 * no type) of 2^k Lua slots (NODE_BYTES each, 5.4's Node), which no other
 * block of the state is (the array part of a table made with exactly 3 x
 * 2^(k-1) values, 196,608 or more, would be refused too). A table still holds any number of values
 * at 1..n. */
#define NODE_BYTES 24
#define MAX_SLOTS (1 << 16)

static bool too_many_slots(sandbox *sb, size_t nsize) {
    size_t slots = nsize / NODE_BYTES;
    if (nsize % NODE_BYTES || (slots & (slots - 1)) || !sb->armed) return false;
    snprintf(sb->why, sizeof sb->why,
             "made a table of more than %d keys outside 1..n (keys chosen to collide would "
             "stall the worker as it grows)",
             MAX_SLOTS);
    sb->memory = MEM_SPENT;
    return true;
}

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    sandbox *sb = ud;
    bool untyped = !ptr && osize == 0; /* a new block that is no object: a vector */
    if (!ptr) osize = 0;               /* Lua passes the object's type here for new blocks */
    if (nsize == 0) {
        if (ptr && is_small(osize))
            small_give(sb, ptr, osize);
        else
            free(ptr);
        sb->used -= osize;
        if (osize >= BIG_BLOCK) sb->big -= osize;
        return NULL;
    }
    if (refuse(sb, ptr, osize, nsize)) return NULL;
    if (untyped && nsize > (size_t)MAX_SLOTS * NODE_BYTES && too_many_slots(sb, nsize)) return NULL;
    void *p = block_resize(sb, ptr, osize, nsize);
    if (!p) return NULL;
    sb->used += nsize - osize; /* unsigned wrap-around gives the right result */
    if ((osize | nsize) >= BIG_BLOCK) big_blocks(sb, osize, nsize);
    if (nsize > osize) charge_allocation(sb, nsize - osize);
    return p;
}

/* ---- time ---- */

static void budget_hook(lua_State *L, lua_Debug *ar);

/* The hook's count for the blocks the state holds (BIG_BLOCK), and no more
 * than the budget left: the hook runs when the budget is spent, to the
 * instruction. */
static int wanted_count(const sandbox *sb) {
    double c = (double)sb->big * HOOK_STEP <= COUNT_BYTES ? HOOK_STEP
                                                          : floor(COUNT_BYTES / (double)sb->big);
    if (c > ceil(sb->left)) c = ceil(sb->left);
    return c < 1 ? 1 : (int)c;
}

static void set_count(sandbox *sb, lua_State *L, int count) {
    sb->count = count;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, count);
}

/* A block of BIG_BLOCK bytes or more was made, grown, shrunk or freed. A call
 * that makes one runs the hook more often from its next instruction on (the
 * count already run since the hook's last run is forgotten: fewer than a
 * hook's count, once for each halving of it). */
static void big_blocks(sandbox *sb, size_t osize, size_t nsize) {
    if (osize >= BIG_BLOCK) sb->big -= osize;
    if (nsize >= BIG_BLOCK) sb->big += nsize;
    if (nsize <= osize || !sb->armed || sb->timed_out || sb->limits.instructions <= 0) return;
    int count = wanted_count(sb);
    if (count * 2 <= sb->count) set_count(sb, sb->L, count);
}

/* The budget is spent: from now on the hook fires on every instruction. */
static void spend_budget(sandbox *sb, lua_State *L) {
    sb->left = 0;
    if (sb->timed_out) return;
    sb->timed_out = true;
    set_count(sb, L, 1);
}

static int budget_error(lua_State *L) {
    return luaL_error(L, "policy_timeout: instruction budget of %I spent",
                      (lua_Integer)sandbox_of(L)->limits.instructions);
}

static long long clock_ns(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Builds with AddressSanitizer run policies some 3 times slower, and valgrind
 * some 50 times: the CPU time a unit of work may take grows with them. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif

static double slowness(void) {
#ifdef RUNNING_ON_VALGRIND
    if (RUNNING_ON_VALGRIND) return 50;
#endif
#ifdef SANITIZED
    return 4;
#else
    return 1;
#endif
}

/* The CPU time (ns) the call may have used by now: a grace, and then a time
 * for each unit of work the budget counted and each allocation (with its
 * bytes), far above what they take (DSL_RATE_*); never more than the
 * allowance. Work that takes longer is work no charge sees, a VM operation slow
 * by itself, over and over: `x .. ""` of a float (0.7 us, as one instruction),
 * comparing long strings, a chain of 2,000 __index tables. */
static double time_allowed(const sandbox *sb) {
    double ns = DSL_RATE_GRACE_NS + DSL_RATE_NS_PER_UNIT * (sb->total - sb->left) +
                DSL_RATE_NS_PER_ALLOC * sb->allocs + DSL_RATE_NS_PER_BYTE * sb->alloc_bytes;
    ns *= slowness();
    return ns < (double)sb->allowance ? ns : (double)sb->allowance;
}

/* Whether the call has used more CPU time than its work allows
 * (time_allowed): CPU time of this thread, so a loaded machine does not end
 * honest calls. The CPU clock costs a system call, so the hook reads the
 * coarse wall clock (no system call) and asks the CPU clock only once the wall
 * clock says the time allowed may be gone. */
static bool out_of_time(sandbox *sb) {
    long long now = clock_ns(CLOCK_MONOTONIC_COARSE);
    if (sb->deadline == 0) { /* the hook's first run: most calls end before it */
        sb->cpu_started = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        sb->deadline = now + (long long)time_allowed(sb);
        return false;
    }
    if (now < sb->deadline) return false;
    double used = (double)(clock_ns(CLOCK_THREAD_CPUTIME_ID) - sb->cpu_started);
    double allowed = time_allowed(sb);
    if (used >= allowed) {
        snprintf(sb->why, sizeof sb->why,
                 "used %.2f s of CPU time on %.0f units of its budget: slower than the budget "
                 "allows (an operation no instruction count sees, over and over)",
                 used / 1e9, sb->total - sb->left);
        return true;
    }
    /* the wall clock runs at least as fast as this thread's CPU clock */
    sb->deadline = now + (long long)fmax(allowed - used, 2e6);
    return false;
}

static void budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    sandbox *sb = sandbox_of(L);
    if (!sb->timed_out && (sb->left -= sb->count) > 0) {
        if (!out_of_time(sb)) {
            int count = wanted_count(sb);
            if (count != sb->count) set_count(sb, L, count);
            return;
        }
    }
    spend_budget(sb, L);
    budget_error(L);
}

static bool is_sandbox(lua_State *L) {
    void *ud;
    return lua_getallocf(L, &ud) == sandbox_alloc;
}

void dsl_sandbox_charge(lua_State *L, double units) {
    if (!is_sandbox(L)) return;
    sandbox *sb = sandbox_of(L);
    if (!sb->armed || sb->limits.instructions <= 0) return;
    if (sb->timed_out) budget_error(L);
    sb->left -= units;
    if (sb->left <= 0) {
        spend_budget(sb, L);
        budget_error(L);
    }
}

double dsl_sandbox_budget_left(lua_State *L) {
    if (!is_sandbox(L)) return INFINITY;
    sandbox *sb = sandbox_of(L);
    if (!sb->armed || sb->limits.instructions <= 0) return INFINITY;
    if (sb->timed_out) return 0;
    /* the instructions run since the hook last fired are unknown: count them
     * as a whole count */
    double left = sb->left - sb->count;
    return left > 0 ? left : 0;
}

int dsl_sandbox_over_budget(lua_State *L, const char *fmt, ...) {
    sandbox *sb = sandbox_of(L);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sb->why, sizeof sb->why, fmt, ap);
    va_end(ap);
    spend_budget(sb, L);
    return budget_error(L);
}

const char *dsl_sandbox_why(lua_State *L) {
    return sandbox_of(L)->why;
}

size_t dsl_sandbox_memory_left(lua_State *L) {
    if (!is_sandbox(L)) return SIZE_MAX;
    sandbox *sb = sandbox_of(L);
    if (!sb->armed || !sb->limits.memory) return SIZE_MAX;
    return sb->used < sb->limits.memory ? sb->limits.memory - sb->used : 0;
}

int dsl_sandbox_refuse_memory(lua_State *L) {
    lua_pushliteral(L, "not enough memory");
    if (is_sandbox(L) && sandbox_of(L)->armed) sandbox_of(L)->memory = MEM_SPENT;
    return lua_error(L);
}

unsigned long long dsl_sandbox_serial(lua_State *L) {
    return is_sandbox(L) ? sandbox_of(L)->serial : 0;
}

void dsl_sandbox_seed(lua_State *L, unsigned long long seed) {
    lua_getfield(L, LUA_REGISTRYINDEX, "dealscore.randomseed");
    lua_pushinteger(L, (lua_Integer)(seed >> 1));
    lua_pushinteger(L, (lua_Integer)(seed & 0xffffffffu));
    lua_call(L, 2, 0);
}

/* What one print() writes at most, and what the prints of one call write at
 * most: print is for debugging, and a policy that prints megabytes per deal
 * would drown the log it shares with the service (a loop of 5 KB prints wrote
 * 258 MB a deal). Past the call's lines, prints are dropped, counted, and one
 * line says how many when the call ends. */
#define PRINT_MAX 4096
#define PRINT_LINES 100
#define PRINT_BYTES (64 * 1024)

static dsl_print_fn print_sink; /* NULL: "policy: LINE" on stderr */

void dsl_sandbox_set_print(dsl_print_fn fn) {
    print_sink = fn;
}

void dsl_sandbox_set_name(lua_State *L, const char *name) {
    snprintf(sandbox_of(L)->name, sizeof sandbox_of(L)->name, "%s", name);
}

static void print_line(const sandbox *sb, const char *line) {
    if (print_sink)
        print_sink(sb->name, line);
    else
        fprintf(stderr, "policy: %s\n", line);
}

int dsl_sandbox_call(lua_State *L, int nargs, int nresults) {
    sandbox *sb = sandbox_of(L);
    sb->armed = true;
    sb->memory = MEM_OK;
    sb->timed_out = false;
    sb->serial++;
    sb->why[0] = '\0';
    sb->left = 0;
    sb->print_lines = 0;
    sb->print_bytes = 0;
    sb->print_dropped = 0;
    if (sb->limits.instructions > 0) {
        sb->total = sb->left = (double)sb->limits.instructions;
        sb->allocs = sb->alloc_bytes = 0;
        sb->allowance = DSL_DEADLINE_MIN_NS +
                        (long long)((double)sb->limits.instructions * DSL_NS_PER_INSTRUCTION);
        sb->deadline = 0; /* the clocks are read from the hook's first run on */
        set_count(sb, L, wanted_count(sb));
    }
    int rc = lua_pcall(L, nargs, nresults, 0);
    lua_sethook(L, NULL, 0, 0);
    sb->armed = false;
    if (sb->print_dropped) {
        char note[160];
        snprintf(note, sizeof note,
                 "%lld more lines suppressed (at most %d lines or %d KB of print a call)",
                 sb->print_dropped, PRINT_LINES, PRINT_BYTES / 1024);
        print_line(sb, note);
    }
    int outcome = rc == LUA_OK ? DSL_CALL_OK : DSL_CALL_ERROR;
    if (sb->timed_out)
        outcome = DSL_CALL_TIMEOUT;
    else if (sb->memory != MEM_OK || rc == LUA_ERRMEM)
        outcome = DSL_CALL_MEMORY;
    /* give the next call the room this one had: a call cut short may leave up to
     * the memory cap in garbage, which the generational collector would carry
     * into the next call's minor collections */
    if (outcome != DSL_CALL_OK) lua_gc(L, LUA_GCCOLLECT);
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
    return lua_tocfunction(L, lua_upvalueindex(1))(L); /* in this call: errors name it */
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

/* Units a byte of source costs the compiler, which reads it all, allocating
 * little: 28 MB of "do end " took 0.35 to 0.6 s, some 50 machine
 * instructions a byte (a unit is 5 to 20). */
#define LOAD_UNITS_PER_BYTE 2

/* The reader of load(function): each piece it returns is compiled, however
 * few instructions the policy's reader took to return it (the same long
 * string again and again), so each is charged by its length. */
static int charged_reader(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_call(L, 0, 1);
    if (lua_type(L, -1) == LUA_TSTRING)
        dsl_sandbox_charge(L, (double)lua_rawlen(L, -1) * LOAD_UNITS_PER_BYTE);
    return 1;
}

/* load(chunk [, name [, mode [, env]]]): text only; without env the chunk sees
 * the caller's environment (upvalue 2), never the real globals. */
static int safe_load(lua_State *L) {
    lua_settop(L, 4);
    if (lua_type(L, 1) == LUA_TSTRING)
        dsl_sandbox_charge(L, 1 + (double)lua_rawlen(L, 1) * LOAD_UNITS_PER_BYTE);
    if (lua_type(L, 1) == LUA_TFUNCTION) {
        lua_pushvalue(L, 1);
        lua_pushcclosure(L, charged_reader, 1);
        lua_replace(L, 1);
    }
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
    /* the original load, run in this call so that its errors name 'load' */
    int n = lua_tocfunction(L, lua_upvalueindex(1))(L);
    lua_rotate(L, 1, n);
    lua_settop(L, n);
    return n;
}

/* print(...) on stderr, prefixed, so policy debugging never mixes with results.
 * The line is cleaned (dsl_text_clean): a deal name with a newline in it cannot
 * start a line of its own that reads like the service's log. */
static int safe_print(lua_State *L) {
    sandbox *sb = sandbox_of(L);
    if (sb->print_lines >= PRINT_LINES || sb->print_bytes >= PRINT_BYTES) {
        sb->print_dropped++; /* before any work: a dropped print costs nothing */
        return 0;
    }
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
        if (i < n) luaL_addchar(&b, '\t');
        if (luaL_bufflen(&b) > PRINT_MAX) break;
    }
    luaL_pushresult(&b);
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    char line[PRINT_MAX + 64];
    dsl_text_clean(line, sizeof line, text, len);
    sb->print_lines++;
    sb->print_bytes += strlen(line);
    print_line(sb, line);
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

/* The loaded-libraries table, which Lua searches to name a function that C
 * called (pcall(string.format, ...) failing: "bad argument #2 to
 * 'string.format'", not '?'), holds the libraries as policies see them: the
 * real tables but os, and the base functions. It is in the registry, which
 * no policy reaches. */
static void name_functions(lua_State *L) {
    static const char *const names[] = {LUA_STRLIBNAME,  LUA_TABLIBNAME, LUA_MATHLIBNAME,
                                        LUA_UTF8LIBNAME, LUA_OSLIBNAME,  NULL};
    lua_createtable(L, 0, 6);
    for (int i = 0; names[i]; i++) {
        lua_getglobal(L, names[i]);
        lua_setfield(L, -2, names[i]);
    }
    lua_pushglobaltable(L);
    lua_setfield(L, -2, LUA_GNAME);
    lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
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
    dsl_bounded_install(L);
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
    /* reproducible runs: math.random starts from the same seed in every state,
     * and each deal reseeds it from its id (dsl_sandbox_seed) */
    lua_getglobal(L, LUA_MATHLIBNAME);
    lua_getfield(L, -1, "randomseed");
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "dealscore.randomseed");
    lua_pushinteger(L, 42);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    static const char *const removed[] = {"dofile", "loadfile", "collectgarbage", "warn", "require",
                                          "_G",     NULL};
    for (int i = 0; removed[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
    name_functions(L);
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
    sb->L = L;
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
    /* a policy call makes short-lived tables and views and keeps nothing: the
     * generational collector frees them without walking the long-lived state
     * (the libraries, the policy's code and its model) every cycle */
    lua_gc(L, LUA_GCGEN, 0, 0);
    return L;
}

void dsl_sandbox_close(lua_State *L) {
    if (!L) return;
    sandbox *sb = sandbox_of(L);
    lua_close(L);
    small_drop_all(sb);
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

/* Reads a policy file or module: a regular file only (a symlink to /dev/zero,
 * a fifo or a folder would read without end or block), no larger than the
 * memory the call may still use. Returns NULL with *why set. */
static char *read_whole_file(lua_State *L, const char *path, size_t *len, const char **why) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    *why = "cannot read the file";
    if (fd < 0) return NULL;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        close(fd);
        return NULL;
    }
    if ((unsigned long long)st.st_size > dsl_sandbox_memory_left(L)) {
        *why = "larger than the policy's memory cap";
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap + 1, f) : 0;
    bool bad = !buf || ferror(f) || n > cap; /* it grew while read: refuse */
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int dsl_sandbox_load(lua_State *L, const char *path, int env) {
    env = lua_absindex(L, env);
    size_t len = 0;
    const char *why;
    lua_pushfstring(L, "@%s", path); /* before the text is held: this may raise */
    char *text = read_whole_file(L, path, &len, &why);
    if (!text) {
        lua_pop(L, 1);
        lua_pushfstring(L, "%s: %s", path, why);
        return -1;
    }
    int rc = luaL_loadbufferx(L, text, len, lua_tostring(L, -1), "t");
    free(text);
    lua_remove(L, -2);
    /* read and compiled: bounded by the cap, then charged */
    dsl_sandbox_charge(L, (double)len / DSL_BYTES_PER_UNIT);
    if (rc != LUA_OK) return -1;
    lua_pushvalue(L, env);
    lua_setupvalue(L, -2, 1); /* _ENV */
    return 0;
}

/* The whole name is checked, to its length: a NUL byte in it ("a\0b") would
 * end the file's path early, and load a.lua for a name that is not a's. */
static bool valid_module_name(const char *s, size_t len) {
    if (!len || *s == '.' || strlen(s) != len) return false;
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
    size_t len;
    const char *name = luaL_checklstring(L, 1, &len);
    lua_settop(L, 1);
    lua_pushvalue(L, 1);
    int cached = lua_rawget(L, lua_upvalueindex(2));
    if (cached == LUA_TBOOLEAN && !lua_toboolean(L, -1))
        return luaL_error(L, "require '%s': circular require", name);
    if (cached != LUA_TNIL) return 1;
    lua_pop(L, 1);
    if (!valid_module_name(name, len)) {
        char shown[128];
        dsl_text_clean(shown, sizeof shown, name, len); /* a NUL shows as \x00 */
        return luaL_error(L,
                          "require '%s': names are letters, digits, _ and - with dots "
                          "for folders; only modules of the policy's own folder load",
                          shown);
    }
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
