/* cli_output.c: temporary file and rename; see cli_output.h. */
#define _GNU_SOURCE /* realpath, mkstemp with a path */
#include "cli_output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_output_open(cli_output *o, const char *command, const char *target) {
    memset(o, 0, sizeof *o);
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
    /* the mode the file would have had: the old one, or 0666 less the umask */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
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
    if (rc == 0 && o->tmp && rename(o->tmp, o->path) != 0) rc = -1, e = errno;
    if (rc < 0) {
        fprintf(stderr, "dealscore %s: writing %s: %s; it is left as it was\n", command, o->target,
                strerror(e));
        if (o->tmp) unlink(o->tmp);
    }
    release(o);
    return rc;
}

void cli_output_abort(cli_output *o) {
    if (!o->f) return;
    fclose(o->f);
    if (o->tmp) unlink(o->tmp);
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
