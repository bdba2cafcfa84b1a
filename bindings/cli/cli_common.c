/* cli_common.c: finding bundled files, loading the model and the policy. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

int cli_policy_add(cli_policy_args *a, const char *spec) {
    char err[256];
    if (dsl_config_add(&a->config, spec, err, sizeof err) == 0) return 0;
    fprintf(stderr, "dealscore: --policy %s\n", err);
    return -1;
}

/* A count with an optional k/M/G suffix (--policy-instructions 5M). */
static bool parse_count(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    double unit = *end == 'k' ? 1e3 : *end == 'M' ? 1e6 : *end == 'G' ? 1e9 : 1;
    if (unit != 1) end++;
    if (errno || end == s || *end || !(v >= 0) || v * unit > 1e15) return false;
    *out = v * unit;
    return true;
}

int cli_policy_option(cli_policy_args *a, int c, const char *arg) {
    switch (c) {
    case 'p':
        return cli_policy_add(a, arg) < 0 ? -1 : 1;
    case CLI_OPT_POLICY_FIELD:
        a->field = arg;
        return 1;
    case CLI_OPT_POLICY_INSTRUCTIONS:
        a->instructions = arg;
        return 1;
    case CLI_OPT_POLICY_MEMORY:
        a->memory = arg;
        return 1;
    default:
        return 0;
    }
}

int cli_policy_finish(cli_policy_args *a, const ds_params *params) {
    static char bundled[PATH_MAX];
    dsl_config *c = &a->config;
    bool named = false, has_default = false;
    for (int i = 0; i < c->n; i++) {
        if (strcmp(c->policies[i].name, "default") == 0)
            has_default = true;
        else
            named = true;
    }
    if (!has_default) {
        cli_bundled(bundled, sizeof bundled, "scripts/default.lua");
        if (dsl_config_add(c, bundled, NULL, 0) < 0) return -1;
    }
    c->field = a->field ? a->field : named ? "policy" : NULL;
    char err[256];
    if (dsl_limits_from_model(&c->limits, params, err, sizeof err) < 0) {
        fprintf(stderr, "dealscore: %s\n", err);
        return -1;
    }
    double v;
    if (a->instructions) {
        if (!parse_count(a->instructions, &v)) {
            fprintf(stderr,
                    "dealscore: --policy-instructions takes a count (e.g. 5000000 or 5M, "
                    "0 for no limit), not '%s'\n",
                    a->instructions);
            return -1;
        }
        c->limits.instructions = (long long)v;
    }
    if (a->memory) {
        if (!parse_count(a->memory, &v) || v > 1e6) {
            fprintf(stderr,
                    "dealscore: --policy-memory takes megabytes (0 for no limit), not "
                    "'%s'\n",
                    a->memory);
            return -1;
        }
        c->limits.memory = (size_t)(v * 1048576.0);
    }
    return 0;
}

dsl_policies *cli_open_policies(const dsl_config *c, const ds_params *params) {
    char err[1024];
    dsl_policies *set = dsl_policies_open(c, params, err, sizeof err);
    if (!set) fprintf(stderr, "dealscore: policy: %s\n", err);
    return set;
}

int cli_parse_count(const char *s) {
    char *end;
    long v = strtol(s, &end, 10);
    return (*s && !*end && v >= 0 && v <= 1000) ? (int)v : -1;
}

int cli_parse_as_of(const char *command, const char *arg, int *day) {
    char today[16];
    if (strcmp(arg, "today") == 0) {
        time_t now = time(NULL);
        struct tm tm;
        if (localtime_r(&now, &tm) && strftime(today, sizeof today, "%Y-%m-%d", &tm)) arg = today;
    }
    if (ds_date_parse(arg, day)) return 0;
    fprintf(stderr, "dealscore %s: --as-of takes a date YYYY-MM-DD or 'today', not '%s'\n", command,
            arg);
    return -1;
}

void cli_note_undated(const char *command, long undated) {
    if (undated <= 0) return;
    fprintf(stderr,
            "dealscore %s: %ld deal%s contact dates but no as_of, so staleness was not judged "
            "(nothing decays, no stale: warning); give --as-of today or --as-of YYYY-MM-DD, or "
            "an as_of in each deal\n",
            command, undated, undated == 1 ? " has" : "s have");
}
