/* dsl_bounded.c: the library functions a policy reaches, with bounded work.
 *
 * The count hook never fires inside a C function, and the memory cap never
 * trips while nothing is allocated, so a library function that loops without
 * allocating (string.rep of "" a huge number of times, table.insert over a
 * __len of 2^62, the pattern matcher backtracking) would run to its end with
 * no budget to stop it. Each such function is replaced, in the real library
 * tables before they are hidden, by a wrapper that works out what the call may
 * cost and charges it to the budget BEFORE the stock function runs
 * (dsl_sandbox_charge: one unit is about one VM instruction, a byte scanned or
 * copied DSL_BYTES_PER_UNIT^-1 of one). Work that allocates is charged by the
 * allocator itself. docs/reliability.md lists every function with its bound.
 *
 * Patterns: the stock matcher backtracks, and its worst case grows as a power
 * of the subject's length. No matcher code is copied here; instead each call
 * is given a worst-case bound worked out from the pattern and the subject:
 *
 *   starts x (items + n x (%b and back-references) + 1) x prod(k_i)
 *
 * where `starts` is the number of start positions the function tries (1 when
 * anchored), `items` the pattern's items, n the subject's length, and k_i, for
 * each item with a quantifier, the number of ways it can match at one place:
 * 2 for `?`, and for `*`, `+` and `-` the longest run of subject bytes its
 * class matches, plus 2. A call whose bound is over what is left of the
 * budget is refused before it starts (policy_timeout, naming the function and
 * the bound); one within it runs, and is charged the bound, or for find and
 * match, the bound of the start positions actually tried. */
#define _GNU_SOURCE /* memmem: glibc's is the two-way algorithm, linear time */
#include <ctype.h>
#include <lauxlib.h>
#include <lualib.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "dsl.h"

#define UNIT ((double)DSL_BYTES_PER_UNIT)

/* Calls the stock function (upvalue 1) with the stack as it is, and leaves
 * only its results, as lua_call would. It runs in this very call, not as a
 * call of its own: Lua names a function in an error by the code that called
 * it, so the stock function's errors then name what the policy called ("bad
 * argument #2 to 'format'"), where a call from here would read '?'. */
static int stock(lua_State *L) {
    int n = lua_tocfunction(L, lua_upvalueindex(1))(L);
    int below = lua_gettop(L) - n;
    if (below > 0) {
        lua_rotate(L, 1, -below);
        lua_settop(L, n);
    }
    return n;
}

/* ---- numbers written as text ---- */

/* glibc's printf writes a double exactly, with big-number arithmetic whose cost
 * grows with the decimal exponent and the precision: "%.14g" of 1.5 takes 2,100
 * machine instructions, of 1e308 7,100, "%.99f" of 1e308 121,000 (callgrind,
 * glibc 2.36). A VM instruction takes 5 to 20, so a policy turning numbers into
 * text in a loop (tostring, table.concat, string.format, a number where a
 * string is expected) did seconds of work on a budget that allows tenths.
 * Conversions are charged a model of those counts, fitted from above, at
 * IR_PER_UNIT machine instructions a unit. */
#define IR_PER_UNIT 20.0

/* Units to write the double v with conversion conv (e, f, g or a; the upper
 * cases alike) at precision prec. */
static double float_units(double v, int conv, int prec) {
    conv = tolower(conv);
    if (!isfinite(v)) return 500 / IR_PER_UNIT;
    if (conv == 'a') return (1300 + 10.0 * prec) / IR_PER_UNIT;
    double a = fabs(v);
    double e = a == 0 ? 0 : fabs(floor(log10(a))); /* 0..324 */
    double ir = 2000 + 80.0 * prec;
    if (conv == 'f')
        ir += a >= 1 ? 165 * e + 0.75 * e * e : 5 * e; /* every digit before the point */
    else
        ir += a >= 1 ? e * (40.0 + prec) : e * (10 + prec / 2.0);
    return ir / IR_PER_UNIT;
}

/* An integer's text: one snprintf("%lld"). */
#define INTEGER_UNITS (600 / IR_PER_UNIT)

/* Units to turn the value at idx into text as Lua does for a number ("%.14g"
 * or an integer); 0 for a string or anything else. */
static double number_units(lua_State *L, int idx) {
    if (lua_type(L, idx) != LUA_TNUMBER) return 0;
    if (lua_isinteger(L, idx)) return INTEGER_UNITS;
    return float_units(lua_tonumber(L, idx), 'g', 14);
}

/* A number where a string is expected is converted to text in the call:
 * upvalue 2 holds the bits of the arguments that are strings (bit k for
 * argument k), and this returns the units of those that are numbers. */
static double coerced(lua_State *L) {
    lua_Integer mask = lua_tointeger(L, lua_upvalueindex(2));
    double units = 0;
    for (int k = 1; mask >> k; k++)
        if ((mask >> k) & 1) units += number_units(L, k);
    return units;
}

/* A string index as the string library reads it (negative counts from the
 * end), clamped to 1..len+1 for a start and 0..len for an end. */
static lua_Integer start_index(lua_Integer pos, size_t len) {
    if (pos > 0) return pos;
    if (pos == 0 || pos < -(lua_Integer)len) return 1;
    return (lua_Integer)len + pos + 1;
}

static lua_Integer end_index(lua_Integer pos, size_t len) {
    if (pos > (lua_Integer)len) return (lua_Integer)len;
    if (pos >= 0) return pos;
    if (pos < -(lua_Integer)len) return 0;
    return (lua_Integer)len + pos + 1;
}

/* The number of integers i..j (0 when j < i), without overflow. */
static double range(lua_Integer i, lua_Integer j) {
    return j < i ? 0 : (double)((lua_Unsigned)j - (lua_Unsigned)i) + 1;
}

/* ---- charged by argument ---- */

/* Functions whose work is one step per argument (string.char, utf8.char,
 * math.min, math.max, select, table.pack): a varargs call can pass up to a
 * million values. */
static int per_argument(lua_State *L) {
    dsl_sandbox_charge(L, lua_gettop(L));
    return stock(L);
}

/* Functions whose only unseen work is a number argument converted to text
 * (string.len, string.sub). */
static int per_coercion(lua_State *L) {
    double units = coerced(L);
    if (units > 0) dsl_sandbox_charge(L, units);
    return stock(L);
}

/* Functions whose work grows with the length of their string arguments and
 * that may allocate nothing (tonumber, utf8.len, string.upper, lower,
 * reverse; rawequal, which compares two long strings byte by byte). */
static int per_byte(lua_State *L) {
    double units = 1 + lua_gettop(L) + coerced(L);
    for (int i = 1; i <= lua_gettop(L); i++)
        if (lua_type(L, i) == LUA_TSTRING) units += (double)lua_rawlen(L, i) / UNIT;
    dsl_sandbox_charge(L, units);
    return stock(L);
}

/* Functions driven by a format (string.pack, packsize, unpack): each byte of
 * the format counts as an instruction, the other string arguments per byte,
 * and a number argument as if written as text (pack's "z" and "s" options
 * take numbers as strings). */
static int per_format(lua_State *L) {
    double units = 1 + lua_gettop(L) + coerced(L);
    if (lua_type(L, 1) == LUA_TSTRING) units += (double)lua_rawlen(L, 1);
    for (int i = 2; i <= lua_gettop(L); i++)
        if (lua_type(L, i) == LUA_TSTRING)
            units += (double)lua_rawlen(L, i) / UNIT;
        else
            units += number_units(L, i);
    dsl_sandbox_charge(L, units);
    return stock(L);
}

/* The strftime of one conversion of os.date ("%c": 2,700 machine
 * instructions; callgrind, glibc 2.36). */
#define DATE_CONVERSION_UNITS (3000 / IR_PER_UNIT)

/* os.date(format [, time]): a unit per byte of the format, and a strftime per
 * conversion. */
static int b_date(lua_State *L) {
    double units = 1 + lua_gettop(L) + coerced(L);
    if (lua_type(L, 1) == LUA_TSTRING) {
        size_t l;
        const char *f = lua_tolstring(L, 1, &l);
        units += (double)l;
        for (const char *c = f; (c = memchr(c, '%', l - (size_t)(c - f))); c++)
            units += DATE_CONVERSION_UNITS;
    }
    dsl_sandbox_charge(L, units);
    return stock(L);
}

/* os.time(table): mktime, which reads the time zone's file status on every
 * call (a system call). */
#define MKTIME_UNITS (5000 / IR_PER_UNIT)

static int b_time(lua_State *L) {
    if (!lua_isnoneornil(L, 1)) dsl_sandbox_charge(L, MKTIME_UNITS);
    return stock(L);
}

/* tostring(v): a number's text (the rest is O(1), or Lua for __tostring, or a
 * "table: 0x..." of one snprintf). */
static int b_tostring(lua_State *L) {
    int t = lua_type(L, 1);
    double units = t == LUA_TNUMBER                                         ? number_units(L, 1)
                   : t == LUA_TSTRING || t == LUA_TNIL || t == LUA_TBOOLEAN ? 0
                                                                            : INTEGER_UNITS;
    if (units > 0) dsl_sandbox_charge(L, units);
    return stock(L);
}

/* ---- string.format ---- */

/* Control bytes that %q writes with an snprintf each ("\%d"). */
static double control_bytes(const char *s, size_t l) {
    double n = 0;
    for (size_t i = 0; i < l; i++) n += iscntrl((unsigned char)s[i]) != 0;
    return n;
}

/* Units of one conversion of string.format, for argument arg (which the
 * stock function checks: a missing or wrong one raises its error there). */
static double conversion_units(lua_State *L, int arg, int conv, int prec) {
    if (arg > lua_gettop(L)) return 1;
    int t = lua_type(L, arg);
    switch (conv) {
    case 'a':
    case 'A':
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
        return t == LUA_TNUMBER ? float_units(lua_tonumber(L, arg), conv, prec < 0 ? 6 : prec) : 1;
    case 's':
        return t == LUA_TNUMBER ? number_units(L, arg) : t == LUA_TSTRING ? 0 : INTEGER_UNITS;
    case 'q':
        if (t == LUA_TSTRING) {
            size_t l;
            const char *s = lua_tolstring(L, arg, &l);
            return (double)l / UNIT + control_bytes(s, l) * INTEGER_UNITS;
        }
        return t == LUA_TNUMBER && !lua_isinteger(L, arg) ? float_units(0, 'a', 0) : INTEGER_UNITS;
    default: /* integers, characters, pointers: one snprintf */
        return INTEGER_UNITS;
    }
}

/* string.format(fmt, ...): a unit per byte of the format, the string
 * arguments per byte, and each conversion as worked out above from its
 * conversion, precision and argument. The format is read as the stock
 * function reads it: %[flags][width][.precision]conversion. */
static int b_format(lua_State *L) {
    double units = 1 + lua_gettop(L) + coerced(L);
    size_t l = 0;
    const char *f = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &l) : "";
    units += (double)l;
    for (int i = 2; i <= lua_gettop(L); i++)
        if (lua_type(L, i) == LUA_TSTRING) units += (double)lua_rawlen(L, i) / UNIT;
    int arg = 1;
    for (size_t i = 0; i < l; i++) {
        if (f[i] != '%') continue;
        if (++i < l && f[i] == '%') continue;
        while (i < l && f[i] && strchr("-+ #0", f[i])) i++;
        while (i < l && isdigit((unsigned char)f[i])) i++;
        int prec = -1;
        if (i < l && f[i] == '.')
            for (prec = 0, i++; i < l && isdigit((unsigned char)f[i]); i++)
                prec = prec < 1000 ? prec * 10 + (f[i] - '0') : prec;
        if (i < l) units += conversion_units(L, ++arg, (unsigned char)f[i], prec);
    }
    dsl_sandbox_charge(L, units);
    return stock(L);
}

/* ---- string ---- */

/* string.rep(s, n [, sep]): n copies, even of "" (which allocates nothing). */
static int b_rep(lua_State *L) {
    double units = coerced(L);
    if (units > 0) dsl_sandbox_charge(L, units);
    size_t l, lsep;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (n > 0) {
        double total = (double)n * (double)l + (double)(n - 1) * (double)lsep;
        if (total > (double)dsl_sandbox_memory_left(L)) return dsl_sandbox_refuse_memory(L);
        dsl_sandbox_charge(L, (double)n / 4); /* measured: 2 to 3 ns a copy, even of "" */
    }
    return stock(L);
}

/* string.byte(s [, i [, j]]) and utf8.codepoint: one value per byte. */
static int b_byte(lua_State *L) {
    double units = 1 + coerced(L);
    size_t l;
    luaL_checklstring(L, 1, &l);
    lua_Integer i = start_index(luaL_optinteger(L, 2, 1), l);
    lua_Integer j = end_index(luaL_optinteger(L, 3, i), l);
    dsl_sandbox_charge(L, units + range(i, j));
    return stock(L);
}

/* ---- patterns ---- */

static bool has_specials(const char *p, size_t l) {
    for (size_t i = 0; i < l; i++)
        if (strchr("^$*+?.([%-", p[i]) && p[i]) return true;
    return false;
}

/* Whether byte c is in the class %x (x a letter of the manual's list). Returns
 * -1 when x names no class (then %x is the character x itself). */
static int in_class(int x, unsigned char c) {
    int r;
    switch (tolower(x)) {
    case 'a':
        r = isalpha(c);
        break;
    case 'c':
        r = iscntrl(c);
        break;
    case 'd':
        r = isdigit(c);
        break;
    case 'g':
        r = isgraph(c);
        break;
    case 'l':
        r = islower(c);
        break;
    case 'p':
        r = ispunct(c);
        break;
    case 's':
        r = isspace(c);
        break;
    case 'u':
        r = isupper(c);
        break;
    case 'w':
        r = isalnum(c);
        break;
    case 'x':
        r = isxdigit(c);
        break;
    default:
        return -1;
    }
    r = r != 0;
    return isupper(x) ? !r : r;
}

/* Marks in `set` the bytes of the class %x. */
static void mark_escape(bool set[256], int x) {
    for (int c = 0; c < 256; c++)
        if (in_class(x, (unsigned char)c) == 1 || (in_class(x, 0) < 0 && c == x)) set[c] = true;
}

/* Reads the single-character class at p[*i] (., %x, [set] or a character)
 * into `set` and moves *i past it. A set that does not end is taken as every
 * byte: the stock matcher rejects it anyway, and the bound stays a bound. */
static void read_class(const char *p, size_t lp, size_t *i, bool set[256]) {
    memset(set, 0, 256);
    size_t k = *i;
    if (p[k] == '.') {
        memset(set, 1, 256);
        *i = k + 1;
        return;
    }
    if (p[k] == '%') {
        if (k + 1 < lp) mark_escape(set, (unsigned char)p[k + 1]);
        *i = k + 2 < lp ? k + 2 : lp;
        return;
    }
    if (p[k] != '[') {
        set[(unsigned char)p[k]] = true;
        *i = k + 1;
        return;
    }
    k++;
    bool negate = k < lp && p[k] == '^';
    if (negate) k++;
    size_t first = k;
    while (k < lp && (p[k] != ']' || k == first)) {
        unsigned char c = (unsigned char)p[k];
        if (c == '%' && k + 1 < lp) {
            mark_escape(set, (unsigned char)p[k + 1]);
            k += 2;
        } else if (k + 2 < lp && p[k + 1] == '-' && p[k + 2] != ']') {
            for (int x = c; x <= (unsigned char)p[k + 2]; x++) set[x] = true;
            k += 3;
        } else {
            set[c] = true;
            k++;
        }
    }
    if (k >= lp) { /* no closing ']' */
        memset(set, 1, 256);
        *i = lp;
        return;
    }
    if (negate)
        for (int c = 0; c < 256; c++) set[c] = !set[c];
    *i = k + 1;
}

/* The longest run of subject bytes in `set`. */
static double longest_run(const bool set[256], const char *s, size_t ls) {
    size_t best = 0, run = 0;
    for (size_t i = 0; i < ls; i++) {
        run = set[(unsigned char)s[i]] ? run + 1 : 0;
        if (run > best) best = run;
    }
    return (double)best;
}

/* Worst-case steps of matching p (without its anchor) at ONE start position
 * of s. Charges its own scans of the subject. */
static double per_start(lua_State *L, const char *p, size_t lp, const char *s, size_t ls) {
    double items = 1, scans = 0, product = 1;
    bool set[256];
    size_t i = 0;
    while (i < lp) {
        items++;
        char c = p[i];
        if (c == '(' || c == ')' || (c == '$' && i + 1 == lp)) {
            i++;
            continue;
        }
        if (c == '%' && i + 1 < lp && (p[i + 1] == 'b' || isdigit((unsigned char)p[i + 1]))) {
            scans++; /* %bxy and %1: a scan of the subject, once per place */
            i += p[i + 1] == 'b' ? 4 : 2;
            continue;
        }
        if (c == '%' && i + 1 < lp && p[i + 1] == 'f') { /* %f[set]: one comparison */
            i += 2;
            if (i < lp) read_class(p, lp, &i, set);
            continue;
        }
        read_class(p, lp, &i, set);
        char q = i < lp ? p[i] : '\0';
        if (q == '?') {
            product *= 2;
            i++;
        } else if (q == '*' || q == '+' || q == '-') {
            dsl_sandbox_charge(L, (double)ls / UNIT);
            product *= longest_run(set, s, ls) + 2;
            i++;
        }
    }
    return (items + scans * (double)ls) * product;
}

enum { FIND, MATCH, GMATCH, GSUB };
static const char *const pattern_names[] = {"string.find", "string.match", "string.gmatch",
                                            "string.gsub"};

/* Refuses a call whose worst case is over what the budget has left. */
static void check_bound(lua_State *L, int fn, double bound, size_t ls) {
    if (bound > dsl_sandbox_budget_left(L))
        dsl_sandbox_over_budget(
            L, "was refused %s: a pattern bound of %.3g steps on %zu bytes, over the budget left",
            pattern_names[fn], bound, ls);
}

/* find and match without specials (or find with plain): memmem, linear in
 * the subject, charged for the bytes it went through. */
static int find_plain(lua_State *L, const char *s, size_t ls, const char *p, size_t lp,
                      lua_Integer init, bool match) {
    const char *hit = memmem(s + init - 1, ls - (size_t)(init - 1), p, lp);
    size_t through = (hit ? (size_t)(hit - s) + lp : ls) - (size_t)(init - 1);
    dsl_sandbox_charge(L, 1 + (double)through / UNIT);
    if (!hit) {
        luaL_pushfail(L);
        return 1;
    }
    if (match) {
        lua_pushlstring(L, hit, lp);
        return 1;
    }
    lua_pushinteger(L, hit - s + 1);
    lua_pushinteger(L, hit - s + (lua_Integer)lp);
    return 2;
}

/* string.find and string.match: the stock find (upvalue 1) does the work for
 * both, as it reports where the match started, so the call is charged for the
 * start positions it actually tried. */
static int find_or_match(lua_State *L, bool match) {
    double units = coerced(L);
    if (units > 0) dsl_sandbox_charge(L, units);
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    lua_Integer init = start_index(luaL_optinteger(L, 3, 1), ls);
    if ((size_t)init > ls + 1) {
        luaL_pushfail(L);
        return 1;
    }
    if ((!match && lua_toboolean(L, 4)) || !has_specials(p, lp))
        return find_plain(L, s, ls, p, lp, init, match);
    bool anchored = lp > 0 && p[0] == '^';
    double one = per_start(L, p + anchored, lp - anchored, s, ls);
    double starts = anchored ? 1 : (double)(ls - (size_t)init) + 2;
    check_bound(L, match ? MATCH : FIND, starts * one, ls);
    lua_settop(L, 3);
    int n = stock(L);
    if (n < 2) { /* no match: every start was tried */
        dsl_sandbox_charge(L, starts * one);
        return n;
    }
    lua_Integer first = lua_tointeger(L, 1), last = lua_tointeger(L, 2);
    dsl_sandbox_charge(L, (anchored ? 1 : range(init, first)) * one);
    if (!match) return n;
    if (n > 2) return n - 2; /* the captures */
    lua_pushlstring(L, s + first - 1, (size_t)(last - first + 1));
    return 1;
}

static int b_find(lua_State *L) {
    return find_or_match(L, false);
}

static int b_match(lua_State *L) {
    return find_or_match(L, true);
}

/* string.gsub(s, pattern, repl [, n]): tries every position (twice, around
 * empty matches), and copies a string repl once per match. Charged its bound. */
static int b_gsub(lua_State *L) {
    double units = coerced(L);
    if (units > 0) dsl_sandbox_charge(L, units);
    size_t ls, lp, lr = 0;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    if (lua_type(L, 3) == LUA_TSTRING || lua_type(L, 3) == LUA_TNUMBER)
        luaL_checklstring(L, 3, &lr);
    bool anchored = lp > 0 && p[0] == '^';
    double starts = anchored ? 1 : 2 * ((double)ls + 1);
    double bound = starts * (per_start(L, p + anchored, lp - anchored, s, ls) + (double)lr / UNIT);
    check_bound(L, GSUB, bound, ls);
    dsl_sandbox_charge(L, bound);
    return stock(L);
}

/* The iterator of string.gmatch, wrapped: its work was charged when gmatch
 * was called, so it only runs within that same call (a deal's iterator kept
 * for the next deal would run uncharged). */
static int gmatch_step(lua_State *L) {
    if ((unsigned long long)lua_tointeger(L, lua_upvalueindex(2)) != dsl_sandbox_serial(L))
        return luaL_error(L, "string.gmatch: iterator used after the call that made it");
    lua_settop(L, 0);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_call(L, 0, LUA_MULTRET);
    return lua_gettop(L);
}

/* string.gmatch(s, pattern [, init]): '^' is not an anchor here. */
static int b_gmatch(lua_State *L) {
    double units = coerced(L);
    if (units > 0) dsl_sandbox_charge(L, units);
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    lua_Integer init = start_index(luaL_optinteger(L, 3, 1), ls);
    double starts = (size_t)init > ls + 1 ? 1 : 2 * ((double)(ls - (size_t)init) + 2);
    double bound = starts * per_start(L, p, lp, s, ls);
    check_bound(L, GMATCH, bound, ls);
    dsl_sandbox_charge(L, bound);
    stock(L);
    lua_settop(L, 1); /* the stock iterator */
    lua_pushinteger(L, (lua_Integer)dsl_sandbox_serial(L));
    lua_pushcclosure(L, gmatch_step, 2);
    return 1;
}

/* ---- utf8 ---- */

/* The iterator of utf8.codes, wrapped: a step skips continuation bytes, as
 * many as there are, so it is charged for the bytes it went through. */
static int codes_step(lua_State *L) {
    size_t l;
    luaL_checklstring(L, 1, &l);
    lua_Integer from = luaL_checkinteger(L, 2);
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 2, LUA_MULTRET);
    lua_Integer to = lua_gettop(L) >= 1 ? lua_tointeger(L, 1) : (lua_Integer)l;
    dsl_sandbox_charge(L, 1 + range(from, to) / UNIT);
    return lua_gettop(L);
}

static int b_codes(lua_State *L) {
    double units = coerced(L);
    if (units > 0) dsl_sandbox_charge(L, units);
    int n = stock(L);
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, codes_step, 1);
    lua_replace(L, 1);
    return n;
}

/* utf8.offset(s, n [, i]): charged for the bytes between i and where it
 * stopped. */
static int b_offset(lua_State *L) {
    double units = coerced(L);
    if (units > 0) dsl_sandbox_charge(L, units);
    size_t l;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    lua_Integer i = start_index(luaL_optinteger(L, 3, n >= 0 ? 1 : (lua_Integer)l + 1), l);
    int results = stock(L);
    lua_Integer to = lua_isinteger(L, 1) ? lua_tointeger(L, 1) : (n >= 0 ? (lua_Integer)l : 1);
    dsl_sandbox_charge(L, 1 + (to > i ? range(i, to) : range(to, i)) / UNIT);
    return results;
}

/* ---- table ---- */

/* The length of the table argument, read once (a __len may answer
 * differently every time it is asked). */
static lua_Integer length_once(lua_State *L, int idx) {
    luaL_checktype(L, idx, LUA_TTABLE);
    return luaL_len(L, idx);
}

/* The numbers among t[i..j] (t at index 1), which the stock concat writes as
 * text. A slot empty in the table itself may come from __index, so it is
 * charged as the costliest number. Called once the range was charged: it is
 * within the budget. */
static double element_units(lua_State *L, lua_Integer i, double count) {
    bool index = luaL_getmetafield(L, 1, "__index") != LUA_TNIL;
    if (index) lua_pop(L, 1);
    double units = 0;
    for (lua_Unsigned k = 0; k < (lua_Unsigned)count; k++) {
        int t = lua_rawgeti(L, 1, (lua_Integer)((lua_Unsigned)i + k));
        if (t == LUA_TNUMBER)
            units += number_units(L, -1);
        else if (t == LUA_TNIL && index)
            units += float_units(DBL_MAX, 'g', 14);
        lua_pop(L, 1);
    }
    return units;
}

static int b_concat(lua_State *L) {
    double units = coerced(L);
    lua_Integer n = length_once(L, 1);
    size_t lsep;
    luaL_optlstring(L, 2, "", &lsep);
    lua_Integer i = luaL_optinteger(L, 3, 1);
    lua_Integer j = luaL_opt(L, luaL_checkinteger, 4, n);
    dsl_sandbox_charge(L, units + range(i, j) * (1 + (double)lsep / UNIT));
    units = element_units(L, i, range(i, j));
    if (units > 0) dsl_sandbox_charge(L, units);
    lua_settop(L, 2);
    if (lua_isnil(L, 2)) {
        lua_pushliteral(L, "");
        lua_replace(L, 2);
    }
    lua_pushinteger(L, i);
    lua_pushinteger(L, j); /* the stock concat asks __len again, and ignores it */
    return stock(L);
}

static int b_unpack(lua_State *L) {
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer j = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
    dsl_sandbox_charge(L, 1 + range(i, j));
    lua_settop(L, 1);
    lua_pushinteger(L, i);
    lua_pushinteger(L, j);
    return stock(L);
}

/* table.move(a1, f, e, t [, a2]): e - f + 1 moves. */
static int b_move(lua_State *L) {
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    dsl_sandbox_charge(L, 1 + range(f, e));
    return stock(L);
}

/* table.insert(t, [pos,] v), written here: the stock one reads __len itself. */
static int b_insert(lua_State *L) {
    lua_Integer e = length_once(L, 1);
    if (e < LUA_MAXINTEGER) e++; /* the first empty slot */
    lua_Integer pos = e;
    switch (lua_gettop(L)) {
    case 2:
        break;
    case 3:
        pos = luaL_checkinteger(L, 2);
        luaL_argcheck(L, pos >= 1 && pos <= e, 2, "position out of bounds");
        dsl_sandbox_charge(L, range(pos, e));
        for (lua_Integer k = e; k > pos; k--) {
            lua_geti(L, 1, k - 1);
            lua_seti(L, 1, k);
        }
        break;
    default:
        return luaL_error(L, "wrong number of arguments to 'insert'");
    }
    lua_seti(L, 1, pos);
    return 0;
}

/* table.remove(t [, pos]), written here for the same reason. */
static int b_remove(lua_State *L) {
    lua_Integer size = length_once(L, 1);
    lua_Integer pos = luaL_optinteger(L, 2, size);
    if (pos != size) /* a position given: 1..size + 1 */
        luaL_argcheck(L, pos >= 1 && (size == LUA_MAXINTEGER || pos <= size + 1), 2,
                      "position out of bounds");
    lua_geti(L, 1, pos); /* the result */
    if (pos < size) dsl_sandbox_charge(L, range(pos, size));
    for (; pos < size; pos++) {
        lua_geti(L, 1, pos + 1);
        lua_seti(L, 1, pos);
    }
    lua_pushnil(L);
    lua_seti(L, 1, pos);
    return 1;
}

/* table.sort(t [, comp]): n log n comparisons of a length read once; the stock
 * sort reads __len again, so a table with __len is refused. */
static int b_sort(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (luaL_getmetafield(L, 1, "__len") != LUA_TNIL)
        return luaL_error(L, "table.sort: a table with a __len metamethod (sort a plain list)");
    double n = (double)lua_rawlen(L, 1);
    dsl_sandbox_charge(L, 1 + n + 2 * n * log2(n + 1));
    return stock(L);
}

/* ---- strings in arithmetic ---- */

/* A string operand of an arithmetic operator is turned into a number by the
 * strings' metamethods (`s + 0`): a scan and a strtod of all of it, 1.3 ns a
 * byte (21 ms for 16 MB of digits), in one VM instruction. Charged a unit a
 * byte. */
static int b_arith(lua_State *L) {
    double units = 1;
    for (int i = 1; i <= lua_gettop(L); i++)
        if (lua_type(L, i) == LUA_TSTRING) units += (double)lua_rawlen(L, i);
    dsl_sandbox_charge(L, units);
    return stock(L);
}

static void wrap_string_arithmetic(lua_State *L) {
    static const char *const events[] = {"__add", "__sub",  "__mul", "__mod", "__pow",
                                         "__div", "__idiv", "__unm", NULL};
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    for (int i = 0; events[i]; i++) {
        if (lua_getfield(L, -1, events[i]) != LUA_TFUNCTION) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushinteger(L, 0);
        lua_pushcclosure(L, b_arith, 2);
        lua_setfield(L, -2, events[i]);
    }
    lua_pop(L, 2);
}

/* ---- installing ---- */

typedef struct wrapper {
    const char *library, *name;
    lua_CFunction fn;
    int strings; /* bit k: argument k is a string (a number there becomes text) */
} wrapper;

#define S1 (1 << 1)
#define S2 (1 << 2)
#define S3 (1 << 3)

static const wrapper wrappers[] = {
    {LUA_STRLIBNAME, "rep", b_rep, S1 | S3},
    {LUA_STRLIBNAME, "byte", b_byte, S1},
    {LUA_STRLIBNAME, "char", per_argument, 0},
    {LUA_STRLIBNAME, "format", b_format, S1},
    {LUA_STRLIBNAME, "upper", per_byte, S1},
    {LUA_STRLIBNAME, "lower", per_byte, S1},
    {LUA_STRLIBNAME, "reverse", per_byte, S1},
    {LUA_STRLIBNAME, "pack", per_format, S1},
    {LUA_STRLIBNAME, "packsize", per_format, S1},
    {LUA_STRLIBNAME, "unpack", per_format, S1},
    {LUA_STRLIBNAME, "gmatch", b_gmatch, S1 | S2},
    {LUA_STRLIBNAME, "gsub", b_gsub, S1 | S2 | S3},
    {LUA_TABLIBNAME, "concat", b_concat, S2},
    {LUA_TABLIBNAME, "unpack", b_unpack, 0},
    {LUA_TABLIBNAME, "move", b_move, 0},
    {LUA_TABLIBNAME, "insert", b_insert, 0},
    {LUA_TABLIBNAME, "remove", b_remove, 0},
    {LUA_TABLIBNAME, "sort", b_sort, 0},
    {LUA_TABLIBNAME, "pack", per_argument, 0},
    {LUA_UTF8LIBNAME, "char", per_argument, 0},
    {LUA_UTF8LIBNAME, "codepoint", b_byte, S1},
    {LUA_UTF8LIBNAME, "len", per_byte, S1},
    {LUA_UTF8LIBNAME, "codes", b_codes, S1},
    {LUA_UTF8LIBNAME, "offset", b_offset, S1},
    {LUA_MATHLIBNAME, "min", per_argument, 0},
    {LUA_MATHLIBNAME, "max", per_argument, 0},
    {LUA_OSLIBNAME, "date", b_date, S1},
    {NULL, "select", per_argument, 0},
    {NULL, "tonumber", per_byte, 0},
    {LUA_STRLIBNAME, "len", per_coercion, S1},
    {LUA_STRLIBNAME, "sub", per_coercion, S1},
    {LUA_OSLIBNAME, "time", b_time, 0},
    {NULL, "tostring", b_tostring, 0},
    {NULL, "rawequal", per_byte, 0},
    {NULL, NULL, NULL, 0},
};

void dsl_bounded_install(lua_State *L) {
    for (const wrapper *w = wrappers; w->name; w++) {
        if (w->library)
            lua_getglobal(L, w->library);
        else
            lua_pushglobaltable(L);
        lua_getfield(L, -1, w->name);
        lua_pushinteger(L, w->strings);
        lua_pushcclosure(L, w->fn, 2);
        lua_setfield(L, -2, w->name);
        lua_pop(L, 1);
    }
    /* find and match both run on the stock find, which says where it matched */
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_getfield(L, -1, "find");
    lua_pushvalue(L, -1);
    lua_pushinteger(L, S1 | S2);
    lua_pushcclosure(L, b_find, 2);
    lua_setfield(L, -3, "find");
    lua_pushinteger(L, S1 | S2);
    lua_pushcclosure(L, b_match, 2);
    lua_setfield(L, -2, "match");
    lua_pop(L, 1);
    wrap_string_arithmetic(L);
}
