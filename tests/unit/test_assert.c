/* test_assert.c: DS_ASSERT stops a build with assertions at a broken invariant.
 *
 * In sanitizer and fuzz builds (DS_ASSERTIONS), a mark of one arena released in
 * another, or released twice past, aborts with the file, line and condition,
 * instead of freeing blocks that are not the arena's. Elsewhere the checks
 * compile to nothing and this test is skipped, saying so. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ds_arena.h"
#include "ds_assert.h"

static int failures;

/* Runs fn in a child with stderr into a pipe: whether it died of SIGABRT with
 * `said` in its message. */
static void expect_abort(const char *name, void (*fn)(void), const char *said) {
    int fd[2];
    if (pipe(fd) != 0) abort();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        fn();
        _exit(0);
    }
    close(fd[1]);
    char out[4096] = {0};
    size_t len = 0;
    ssize_t n;
    while (len < sizeof out - 1 && (n = read(fd[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)n;
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    bool aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    if (!aborted || !strstr(out, said) || !strstr(out, "assertion failed")) {
        printf("FAIL %s: %s, said: %s\n", name, aborted ? "aborted" : "did not abort", out);
        failures++;
    } else {
        printf("ok   %s\n", name);
    }
}

static void foreign_mark(void) {
    ds_arena a, b;
    ds_arena_init(&a, 64);
    ds_arena_init(&b, 64);
    ds_arena_alloc(&a, 8);
    ds_arena_alloc(&b, 8);
    ds_arena_mark m = ds_arena_mark_now(&b);
    ds_arena_alloc(&a, 100);
    ds_arena_release(&a, m); /* b's block is not in a's chain */
}

static void mark_released_past(void) {
    ds_arena a;
    ds_arena_init(&a, 64);
    ds_arena_alloc(&a, 8);
    ds_arena_mark outer = ds_arena_mark_now(&a);
    ds_arena_alloc(&a, 100);
    ds_arena_mark inner = ds_arena_mark_now(&a);
    ds_arena_alloc(&a, 100);
    ds_arena_release(&a, outer);
    ds_arena_release(&a, inner); /* its block was freed by the first release */
}

static void direct(void) {
    int capacity = 4, n = 5;
    DS_ASSERT(n <= capacity);
}

int main(void) {
#ifndef DS_ASSERTIONS
    printf("SKIPPED: DS_ASSERT is compiled in sanitizer and fuzz builds only (make asan)\n");
    return 77;
#endif
    expect_abort("DS_ASSERT names the condition", direct, "n <= capacity");
    expect_abort("a mark of another arena", foreign_mark, "holds_mark");
    expect_abort("a mark released past", mark_released_past, "holds_mark");
    return failures ? 1 : 0;
}
