/* cli_common.c: finding bundled files, loading the model, --as-of, the notes
 * several commands print. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

void cli_bundled(char *out, size_t len, const char *relative) {
    int n = snprintf(out, len, "%s/%s", dealscore_home(), relative);
    if (n < 0 || (size_t)n >= len) out[0] = '\0'; /* too long: fails to open, with its name */
}

dealscore_model *cli_load_model(const char *path) {
    char err[512];
    dealscore_model *m = dealscore_model_load(path, err, sizeof err);
    if (!m) fprintf(stderr, "dealscore: %s\n", err);
    return m;
}

int cli_parse_as_of(const char *command, const char *arg, char day[11]) {
    char today[16];
    if (strcmp(arg, "today") == 0) {
        time_t now = time(NULL);
        struct tm tm;
        if (localtime_r(&now, &tm) && strftime(today, sizeof today, "%Y-%m-%d", &tm)) arg = today;
    }
    if (dealscore_date_valid(arg)) {
        memcpy(day, arg, 10);
        day[10] = '\0';
        return 0;
    }
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
