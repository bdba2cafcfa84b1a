/* ds_home.c: finding the bundled data folder; see ds_home.h.
 *
 * The binary's own path comes from dladdr() on a function of this file: it
 * names the shared object (libdealscore.so, the Lua module) or the program the
 * code was linked into, which is what makes an installed tree relocatable. */
#define _GNU_SOURCE /* dladdr */
#include "ds_home.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DEALSCORE_DATADIR
#define DEALSCORE_DATADIR "."
#endif
#ifndef DEALSCORE_INSTALL_DATADIR
#define DEALSCORE_INSTALL_DATADIR "/usr/local/share/dealscore"
#endif

static char found[PATH_MAX];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static bool holds_model(const char *dir) {
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/models/default.json", dir);
    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

/* Cuts the last component of dir ("/a/b" -> "/a"); false at the root. */
static bool up(char *dir) {
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return false;
    *slash = '\0';
    return true;
}

/* share/dealscore under an ancestor of the binary, or the folder above a
 * program beside models/. */
static bool near_binary(void) {
    Dl_info info;
    char dir[PATH_MAX], real[PATH_MAX], candidate[PATH_MAX];
    if (!dladdr((void *)near_binary, &info) || !info.dli_fname) return false;
    const char *self = info.dli_fname;
    /* the main program is named as it was run; /proc/self/exe is its real path */
    ssize_t n = readlink("/proc/self/exe", real, sizeof real - 1);
    if (!strchr(self, '/') && n > 0) {
        real[n] = '\0';
        self = real;
    } else if (realpath(self, real)) {
        self = real;
    }
    snprintf(dir, sizeof dir, "%s", self);
    for (int level = 0; level < 6 && up(dir); level++) {
        int len = snprintf(candidate, sizeof candidate, "%s/share/dealscore", dir);
        if (len > 0 && (size_t)len < sizeof candidate && holds_model(candidate)) {
            snprintf(found, sizeof found, "%s", candidate);
            return true;
        }
        if (level == 1 && holds_model(dir)) { /* prog/bin/.. beside models/ */
            snprintf(found, sizeof found, "%s", dir);
            return true;
        }
    }
    return false;
}

static void look(void) {
    if (near_binary()) return;
    const char *dir = holds_model(DEALSCORE_DATADIR)           ? DEALSCORE_DATADIR
                      : holds_model(DEALSCORE_INSTALL_DATADIR) ? DEALSCORE_INSTALL_DATADIR
                                                               : DEALSCORE_DATADIR;
    snprintf(found, sizeof found, "%s", dir);
}

const char *ds_home(void) {
    const char *env = getenv("DEALSCORE_HOME");
    if (env && *env) return env;
    pthread_once(&once, look);
    return found;
}
