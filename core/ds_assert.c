/* ds_assert.c: the failure of a DS_ASSERT; see ds_assert.h. */
#include "ds_assert.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void ds_assert_fail(const char *cond, const char *file, int line, const char *func) {
    fprintf(stderr, "dealscore: %s:%d: %s: assertion failed: %s\n", file, line, func, cond);
    fflush(stderr);
    abort();
}
