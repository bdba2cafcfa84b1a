/* cli_common.c: finding bundled files, loading the model, opening policies. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ds_home.h"

const char *cli_home(void) {
    return ds_home(); /* core/ds_home.h: $DEALSCORE_HOME, the installed tree, the build's */
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

dsl_policies *cli_open_policies(const dsl_config *c, const ds_params *params) {
    char err[1024];
    dsl_policies *set = dsl_policies_open(c, params, err, sizeof err);
    if (!set) fprintf(stderr, "dealscore: policy: %s\n", err);
    return set;
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

void cli_note_keys(const char *command, dealscore_engine *const *engines, int n) {
    char prefix[64];
    snprintf(prefix, sizeof prefix, "dealscore %s: ", command);
    char *notes = dealscore_engines_key_notes(engines, n, prefix);
    if (notes) fputs(notes, stderr);
    free(notes);
}

void cli_note_no_deals(const char *command, const char *verb, const char *output) {
    fprintf(stderr,
            "dealscore %s: no deal to %s (an empty input, a header only, or no usable "
            "row)%s%s%s\n",
            command, verb, output ? "; " : "", output ? output : "",
            output ? " is left as it was" : "");
}
