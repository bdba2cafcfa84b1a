/* cli_common.c: finding bundled files, loading the model and the policy. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef DEALSCORE_DATADIR
#define DEALSCORE_DATADIR "."
#endif

static bool has_model(const char *dir) {
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/models/default.json", dir);
    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

const char *cli_home(void) {
    static char home[PATH_MAX];
    if (home[0]) return home;
    const char *env = getenv("DEALSCORE_HOME");
    if (env && *env) {
        snprintf(home, sizeof home, "%s", env);
        return home;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            int len = snprintf(home, sizeof home, "%s/..", exe);
            if (len > 0 && (size_t)len < sizeof home && has_model(home)) return home;
        }
    }
    snprintf(home, sizeof home, "%s", DEALSCORE_DATADIR);
    return home;
}

void cli_bundled(char *out, size_t len, const char *relative) {
    int n = snprintf(out, len, "%s/%s", cli_home(), relative);
    if (n < 0 || (size_t)n >= len) out[0] = '\0'; /* too long: fails to open, with its name */
}

int cli_load_model(ds_params *params, const char *path) {
    char bundled[PATH_MAX], err[512];
    if (!path) {
        cli_bundled(bundled, sizeof bundled, "models/default.json");
        path = bundled;
    }
    if (ds_params_load_file(params, path, err, sizeof err) < 0) {
        fprintf(stderr, "dealscore: %s\n", err);
        return -1;
    }
    return 0;
}

dsl_policy *cli_open_policy(const char *path, const ds_params *params) {
    char bundled[PATH_MAX], err[1024];
    if (!path) {
        cli_bundled(bundled, sizeof bundled, "scripts/default.lua");
        path = bundled;
    }
    dsl_policy *policy = dsl_policy_open(path, params, err, sizeof err);
    if (!policy) fprintf(stderr, "dealscore: policy: %s\n", err);
    return policy;
}

int cli_parse_count(const char *s) {
    char *end;
    long v = strtol(s, &end, 10);
    return (*s && !*end && v >= 0 && v <= 1000) ? (int)v : -1;
}
