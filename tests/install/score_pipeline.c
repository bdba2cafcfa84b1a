/* score_pipeline.c: a program of a user of the installed libdealscore.
 *
 * Built by tests/e2e/test_install.sh against the installed library alone
 * (`pkg-config --cflags --libs dealscore`), it scores a JSONL file deal by deal
 * through the public API (lib/dealscore.h) and writes each result as the JSON line
 * `dealscore score` writes, so the two can be compared byte for byte. With -t it
 * writes, instead, a few typed fields of each result (id, verdict, viability,
 * reasons, or the error's code and path), to show they are read without JSON. */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <dealscore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void typed(const dealscore_result *r) {
    if (r->error.code) {
        printf("%s error %s %s\n", r->id ? r->id : "-", r->error.code, r->error.path);
        return;
    }
    printf("%s %s %.1f", r->id, r->verdict, r->viability);
    for (int i = 0; i < r->n_reasons; i++) printf(" %s", r->reasons[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    int t = argc > 2 && strcmp(argv[1], "-t") == 0;
    if (argc != 2 + t) {
        fprintf(stderr, "usage: score_pipeline [-t] FILE.jsonl\n");
        return 2;
    }
    const char *path = argv[1 + t];
    char err[1024];
    dealscore_model *m = dealscore_model_load(NULL, err, sizeof err); /* the installed one */
    if (!m) {
        fprintf(stderr, "score_pipeline: %s\n", err);
        return 2;
    }
    dealscore_options o;
    dealscore_options_init(&o);
    o.flags = DEALSCORE_UNIQUE_IDS; /* as `dealscore score` checks a batch */
    dealscore_engine *e = dealscore_engine_new(m, &o, err, sizeof err);
    FILE *f = e ? fopen(path, "rb") : NULL;
    if (!f) {
        fprintf(stderr, "score_pipeline: %s\n", e ? path : err);
        dealscore_engine_free(e);
        dealscore_model_free(m);
        return 2;
    }
    char *line = NULL, where[4096];
    size_t cap = 0;
    ssize_t len;
    long n = 0, errors = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        n++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (len == 0) continue;
        snprintf(where, sizeof where, "%s:%ld", path, n);
        const dealscore_result *r = dealscore_score(e, line, (size_t)len, where);
        errors += r->error.code != NULL;
        if (t)
            typed(r);
        else
            printf("%s\n", dealscore_result_json(e, r, NULL));
    }
    free(line);
    fclose(f);
    fprintf(stderr, "score_pipeline: %ld lines, %ld errors, model %s\n", n, errors,
            dealscore_model_label(m));
    dealscore_engine_free(e);
    dealscore_model_free(m);
    return errors ? 1 : 0;
}
