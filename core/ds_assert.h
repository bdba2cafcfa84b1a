/* ds_assert.h: internal invariants, checked in sanitizer and fuzz builds.
 *
 * As Lua's lua_assert: DS_ASSERT(c) aborts with the file, line and condition when
 * c is false, in builds made with DS_ASSERTIONS (CMake turns it on with
 * DEALSCORE_SANITIZE and DEALSCORE_FUZZ, so `make asan`, the fuzzers and
 * `make reliability` check them); elsewhere it compiles to nothing and c is not
 * evaluated. For what the engine itself guarantees (a score is the sum of its
 * factors, an array is within its capacity, an arena mark belongs to its arena),
 * never for input, which is checked and reported as an error. */
#ifndef DS_ASSERT_H
#define DS_ASSERT_H

#ifdef DS_ASSERTIONS
#define DS_ASSERT(c) ((c) ? (void)0 : ds_assert_fail(#c, __FILE__, __LINE__, __func__))
#else
#define DS_ASSERT(c) ((void)sizeof(!(c))) /* not evaluated; its names count as used */
#endif

/* Prints "dealscore: FILE:LINE: FUNC: assertion failed: COND" and aborts. */
_Noreturn void ds_assert_fail(const char *cond, const char *file, int line, const char *func);

#endif
