/* cli_output.c: temporary file and rename; see cli_output.h.
 *
 * SIGINT, SIGTERM and SIGHUP (Ctrl-C, timeout(1), systemctl stop) would leave
 * the temporary file of partial results behind, hidden beside the output and
 * never removed. While one is open, a handler removes it, says so and ends the
 * process by the same signal (so the shell sees 128 + N). It only unlinks a
 * path prepared when the file was opened and writes a prepared message: both
 * async-signal-safe. A signal ignored when the run started (nohup, a
 * background job of a script) stays ignored. */
#define _GNU_SOURCE /* realpath, mkstemp with a path */
#include "cli_output.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- removing the temporary files on a signal ---- */

#define ARMED_MAX 4 /* outputs open at once (backtest: the report and -o) */
static const int end_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_END_SIGNALS (int)(sizeof end_signals / sizeof end_signals[0])

static struct {
    volatile sig_atomic_t armed;
    char tmp[PATH_MAX + 64];
    char note[PATH_MAX + 128]; /* "dealscore CMD: interrupted; FILE is left as it was\n" */
    size_t note_len;
} armed[ARMED_MAX];
static bool handlers_set;

static void on_end_signal(int sig) {
    int e = errno;
    for (int i = 0; i < ARMED_MAX; i++) {
        if (!armed[i].armed) continue;
        armed[i].armed = 0;
        unlink(armed[i].tmp);
        ssize_t n = write(STDERR_FILENO, armed[i].note, armed[i].note_len);
        (void)n; /* nothing to be done about a lost message */
    }
    errno = e;
    signal(sig, SIG_DFL); /* the signal is blocked in its handler: it ends us on return */
    raise(sig);
}

static void set_handlers(void) {
    if (handlers_set) return;
    handlers_set = true;
    struct sigaction sa = {.sa_handler = on_end_signal}, old;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < N_END_SIGNALS; i++) sigaddset(&sa.sa_mask, end_signals[i]);
    for (int i = 0; i < N_END_SIGNALS; i++)
        if (sigaction(end_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(end_signals[i], &sa, NULL);
}

/* Blocks (or unblocks) the end signals in this thread, around a change of `armed`. */
static void block_end_signals(bool block, sigset_t *old) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < N_END_SIGNALS; i++) sigaddset(&set, end_signals[i]);
    pthread_sigmask(block ? SIG_BLOCK : SIG_SETMASK, block ? &set : old, block ? old : NULL);
}

static int arm(const char *command, const char *target, const char *tmp) {
    if (strlen(tmp) >= sizeof armed[0].tmp) return -1; /* not removed on a signal: rare */
    sigset_t old;
    block_end_signals(true, &old);
    int slot = -1;
    for (int i = 0; i < ARMED_MAX && slot < 0; i++)
        if (!armed[i].armed) slot = i;
    if (slot >= 0) {
        snprintf(armed[slot].tmp, sizeof armed[slot].tmp, "%s", tmp);
        int n = snprintf(armed[slot].note, sizeof armed[slot].note,
                         "\ndealscore %s: interrupted; %s is left as it was\n", command, target);
        armed[slot].note_len = n < 0                                 ? 0
                               : (size_t)n < sizeof armed[slot].note ? (size_t)n
                                                                     : sizeof armed[slot].note - 1;
        armed[slot].armed = 1;
        set_handlers();
    }
    block_end_signals(false, &old);
    return slot;
}

static void disarm(cli_output *o) {
    if (o->armed < 0) return;
    armed[o->armed].armed = 0;
    o->armed = -1;
}

/* ---- the output ---- */

/* Gives the temporary file the replaced file's group (as install and sed -i do);
 * says so when that is not allowed (the user is not in that group). */
static void keep_group(int fd, const char *command, const char *target, gid_t gid) {
    struct stat now;
    if (fstat(fd, &now) == 0 && now.st_gid == gid) return;
    if (fchown(fd, (uid_t)-1, gid) == 0) return;
    const char *why = strerror(errno);
    struct group *g = getgrgid(gid);
    fprintf(stderr, "dealscore %s: warning: %s: its group %s%s%ld%s cannot be kept (%s)\n", command,
            target, g ? g->gr_name : "", g ? " (" : "", (long)gid, g ? ")" : "", why);
}

int cli_output_open(cli_output *o, const char *command, const char *target) {
    memset(o, 0, sizeof *o);
    o->armed = -1;
    o->target = target;
    struct stat st;
    bool exists = stat(target, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) { /* a device or FIFO: cannot be replaced */
        if (!(o->f = fopen(target, "wb"))) goto fail;
        return 0;
    }
    /* a symlink is kept: its target is the file replaced */
    o->path = exists ? realpath(target, NULL) : strdup(target);
    if (!o->path) goto fail;
    size_t n = strlen(o->path);
    o->tmp = malloc(n + 32);
    if (!o->tmp) goto fail;
    const char *slash = strrchr(o->path, '/');
    int dir = slash ? (int)(slash - o->path + 1) : 0;
    sprintf(o->tmp, "%.*s.%s.tmp-XXXXXX", dir, o->path, o->path + dir);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        free(o->tmp);
        o->tmp = NULL;
        goto fail;
    }
    o->armed = arm(command, target, o->tmp);
    /* the group of the file replaced, where we may give it (a loader reading the
     * results as that group keeps reading them); then its mode, as chown may
     * clear set-id bits. A new file: 0666 less the umask. */
    if (exists) keep_group(fd, command, target, st.st_gid);
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        disarm(o);
        errno = e;
        goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "dealscore %s: %s: %s\n", command, target, strerror(errno));
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return -1;
}

static void release(cli_output *o) {
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    o->f = NULL;
}

int cli_output_commit(cli_output *o, const char *command) {
    int rc = fflush(o->f) == 0 && (!o->tmp || fsync(fileno(o->f)) == 0) ? 0 : -1;
    int e = errno;
    if (fclose(o->f) != 0 && rc == 0) rc = -1, e = errno;
    o->f = NULL;
    /* the rename and the disarming as one step for a signal: it never removes
     * the file it renamed, nor leaves a temporary file it did not rename */
    sigset_t old;
    block_end_signals(true, &old);
    if (rc == 0 && o->tmp && rename(o->tmp, o->path) != 0) rc = -1, e = errno;
    if (rc < 0 && o->tmp) unlink(o->tmp);
    disarm(o);
    block_end_signals(false, &old);
    if (rc < 0) {
        fprintf(stderr, "dealscore %s: writing %s: %s; it is left as it was\n", command, o->target,
                strerror(e));
    }
    release(o);
    return rc;
}

void cli_output_abort(cli_output *o) {
    if (!o->f) return;
    fclose(o->f);
    if (o->tmp) unlink(o->tmp);
    disarm(o);
    release(o);
}

/* The file an output (NULL: standard output) or an input ("-": standard input)
 * is, when it is one that reading and writing at once would destroy or never
 * finish: a regular file or a pipe. A terminal, /dev/null or a socket is read
 * and written at once by design. */
static bool stat_of(const char *name, bool output, struct stat *st) {
    int rc = !name                               ? fstat(STDOUT_FILENO, st)
             : !output && strcmp(name, "-") == 0 ? fstat(STDIN_FILENO, st)
                                                 : stat(name, st);
    return rc == 0 && (S_ISREG(st->st_mode) || S_ISFIFO(st->st_mode));
}

bool cli_same_file(const char *output, const char *input) {
    struct stat a, b;
    return stat_of(output, true, &a) && stat_of(input, false, &b) && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

int cli_output_check(const char *command, const char *output, const char *const *inputs, int n) {
    for (int i = 0; i < n; i++) {
        if (!inputs[i] || !cli_same_file(output, inputs[i])) continue;
        struct stat st;
        stat_of(output, true, &st);
        const char *out = output ? output : "standard output";
        const char *in = strcmp(inputs[i], "-") == 0 ? "standard input" : inputs[i];
        if (S_ISFIFO(st.st_mode))
            fprintf(stderr,
                    "dealscore %s: %s is the pipe being read (%s): the output would be read "
                    "back as input and the run would never end. Write to another file or to "
                    "standard output.\n",
                    command, out, in);
        else
            fprintf(stderr,
                    "dealscore %s: %s is also an input (%s); writing it would destroy what "
                    "is being read. Write to another file and rename it.\n",
                    command, out, in);
        return -1;
    }
    return 0;
}
