/* csv_convert.c: a program of a user of the installed libdealscore that reads a
 * CRM export through the public CSV import (dealscore_csv_* of dealscore.h).
 *
 * Built by tests/e2e/test_install.sh against the installed library alone
 * (`pkg-config --cflags --libs dealscore`, shared and static: libcsv comes from
 * Libs.private), it joins the files as `dealscore convert` does and writes each
 * deal's JSON text as a line, the import's messages as "dealscore: TEXT" and each
 * row that cannot be a deal as "row error: ID CODE PATH" on standard error, so the
 * test compares it with the program byte for byte. With -s it scores each deal
 * instead and writes the result's JSON line.
 *
 * usage: csv_convert [-s] MAPPING DEALS [STAKEHOLDERS [CONTACTS]] */
#include <dealscore.h>
#include <stdio.h>
#include <string.h>

typedef struct run {
    dealscore_engine *engine; /* -s: score, else write the deal's text */
    long deals, errors;
} run;

static void message(void *ctx, int kind, const char *text) {
    (void)ctx, (void)kind;
    fprintf(stderr, "dealscore: %s\n", text);
}

static int on_deal(void *ctx, const char *text, size_t len, const char *where, long long bytes,
                   const dealscore_csv_origin *origin) {
    (void)bytes, (void)origin;
    run *r = ctx;
    r->deals++;
    if (!r->engine) {
        fwrite(text, 1, len, stdout);
    } else {
        const dealscore_result *res = dealscore_score(r->engine, text, len, where);
        size_t n = 0;
        const char *json = dealscore_result_json(r->engine, res, &n);
        if (json) fwrite(json, 1, n, stdout);
    }
    fputc('\n', stdout);
    return 0;
}

static int on_error(void *ctx, const char *id, const dealscore_error *err, long long bytes) {
    (void)bytes;
    run *r = ctx;
    r->errors++;
    fprintf(stderr, "row error: %s %s %s\n", id ? id : "-", err->code, err->path);
    return 0;
}

int main(int argc, char **argv) {
    int s = argc > 1 && strcmp(argv[1], "-s") == 0;
    if (argc < 3 + s || argc > 5 + s) {
        fprintf(stderr, "usage: csv_convert [-s] MAPPING DEALS [STAKEHOLDERS [CONTACTS]]\n");
        return 2;
    }
    char **a = argv + 1 + s;
    int n = argc - 1 - s;
    dealscore_csv_options o;
    dealscore_csv_options_init(&o);
    o.mapping = a[0];
    o.deals = a[1];
    o.stakeholders = n > 2 ? a[2] : NULL;
    o.contacts = n > 3 ? a[3] : NULL;
    o.max_deal_memory = DEALSCORE_DEAL_MEMORY_DEFAULT;
    o.message = message;
    run r = {0};
    dealscore_model *m = NULL;
    if (s) {
        char err[1024];
        dealscore_options eo;
        dealscore_options_init(&eo);
        eo.as_of = "2026-06-30";
        if (!(m = dealscore_model_load(NULL, err, sizeof err)) ||
            !(r.engine = dealscore_engine_new(m, &eo, err, sizeof err))) {
            fprintf(stderr, "csv_convert: %s\n", err);
            dealscore_model_free(m);
            return 2;
        }
    }
    dealscore_csv *csv = dealscore_csv_open(&o);
    dealscore_csv_sink sink = {on_deal, on_error, &r};
    dealscore_csv_counts counts;
    int rc = csv ? dealscore_csv_run(csv, &sink, &counts) : -1;
    dealscore_csv_close(csv);
    dealscore_engine_free(r.engine);
    dealscore_model_free(m);
    if (rc < 0) return 2;
    fprintf(stderr, "%ld deals, %ld rows could not be deals, %ld merged, %ld footers\n", r.deals,
            r.errors, counts.merged, counts.footers);
    return r.errors || counts.row_errors ? 1 : 0;
}
