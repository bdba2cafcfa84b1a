/* test_csv_api.c: the CSV import and the stakeholder map of the public API
 * (lib/dealscore.h: dealscore_csv_*, dealscore_map_dot).
 *
 * What a program embedding the library meets beyond what `dealscore convert`
 * shows (tests/e2e, tests/install/csv_convert.c): the sink stopping the run,
 * counts, a row that cannot be a deal, the origin of a joined deal's rows and an
 * error located in them, every message with its kind, the option checks, and
 * misuse with NULL refused without a crash. The map: the DOT text of a scored
 * deal equals `dealscore map`'s (argv[1] is the program), refused for an error
 * result and for a result that is not the engine's latest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dealscore.h"

static const char *program;
static char dir[] = "/tmp/dealscore-csvapi-XXXXXX";

static const char *write_file(const char *name, const char *text) {
    static char paths[8][256];
    static int n;
    char *path = paths[n++ % 8];
    snprintf(path, 256, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

typedef struct said {
    int n[3]; /* by kind */
    char text[4096];
} said;

static void on_message(void *ctx, int kind, const char *text) {
    said *s = ctx;
    assert_true(kind >= DEALSCORE_CSV_ERROR && kind <= DEALSCORE_CSV_NOTE);
    assert_null(strchr(text, '\n')); /* one line, no newline */
    s->n[kind]++;
    size_t at = strlen(s->text);
    snprintf(s->text + at, sizeof s->text - at, "%d %s\n", kind, text);
}

typedef struct sink_run {
    int deals, errors, stop_after;
    char last_text[2048], last_where[256], error_code[32], error_id[32], origin_id[32];
    dealscore_csv_origin origin;
    long lines[4];
    dealscore_engine *engine; /* score each deal and locate its error */
    char located[256];
} sink_run;

static int on_deal(void *ctx, const char *text, size_t len, const char *where, long long bytes,
                   const dealscore_csv_origin *origin) {
    sink_run *r = ctx;
    assert_true(bytes > 0);
    snprintf(r->last_text, sizeof r->last_text, "%.*s", (int)len, text);
    snprintf(r->last_where, sizeof r->last_where, "%s", where);
    r->origin = *origin; /* valid during the call: its strings copied */
    snprintf(r->origin_id, sizeof r->origin_id, "%s", origin->id);
    for (int i = 0; i < origin->n_stakeholders && i < 4; i++)
        r->lines[i] = origin->stakeholder_lines[i];
    if (r->engine) {
        const dealscore_result *res = dealscore_score(r->engine, text, len, where);
        dealscore_result out;
        char buf[256];
        const dealscore_result *loc =
            dealscore_csv_locate(res, origin, where, &out, buf, sizeof buf);
        if (res->error.code) snprintf(r->located, sizeof r->located, "%s", loc->error.message);
    }
    return ++r->deals == r->stop_after;
}

static int on_error(void *ctx, const char *id, const dealscore_error *err, long long bytes) {
    (void)bytes;
    sink_run *r = ctx;
    r->errors++;
    snprintf(r->error_code, sizeof r->error_code, "%s", err->code);
    snprintf(r->error_id, sizeof r->error_id, "%s", id ? id : "(null)");
    assert_non_null(err->message);
    assert_non_null(err->path);
    return 0;
}

static void the_trio_through_the_api(void **state) {
    (void)state;
    const char *deals = write_file("deals.csv", "id,name,amount\nD1,One,100\nD2,Two,x\n"
                                                "D3,Three,300\n");
    const char *people = write_file("people.csv", "deal_id,id,name,influence\n"
                                                  "D1,p1,Ann,0.5\nD3,p3,Cy,0.2\nD3,p4,Di,1.5\n"
                                                  "D9,p9,Zed,0.1\n");
    dealscore_csv_options o;
    dealscore_csv_options_init(&o);
    said s = {0};
    o.deals = deals;
    o.stakeholders = people;
    o.message = on_message;
    o.message_ctx = &s;
    dealscore_csv *c = dealscore_csv_open(&o);
    assert_non_null(c);
    assert_int_equal(dealscore_csv_size(c), 48);
    char err[256];
    dealscore_model *m = dealscore_model_load(NULL, err, sizeof err);
    assert_non_null(m);
    dealscore_options eo;
    dealscore_options_init(&eo);
    dealscore_engine *e = dealscore_engine_new(m, &eo, err, sizeof err);
    assert_non_null(e);
    sink_run r = {.engine = e};
    dealscore_csv_sink sink = {on_deal, on_error, &r};
    dealscore_csv_counts counts;
    assert_int_equal(dealscore_csv_run(c, &sink, &counts), 0);
    dealscore_csv_close(c);
    /* D1 and D3 are deals; D2's amount is not a number: an error row */
    assert_int_equal(r.deals, 2);
    assert_int_equal(r.errors, 1);
    assert_string_equal(r.error_code, "bad_type");
    assert_string_equal(r.error_id, "D2");
    /* D3: its row, its two stakeholders and the lines they came from */
    assert_non_null(strstr(r.last_text, "\"id\":\"D3\""));
    assert_non_null(strstr(r.last_where, "deals.csv:4"));
    assert_string_equal(r.origin_id, "D3");
    assert_string_equal(r.origin.stakeholders, people);
    assert_int_equal(r.origin.n_stakeholders, 2);
    assert_int_equal(r.lines[0], 3);
    assert_int_equal(r.lines[1], 4);
    /* Di's influence 1.5: the error names people.csv line 4 */
    char want[300];
    snprintf(want, sizeof want, "got 1.5 (%.60s:4)", people);
    assert_non_null(strstr(r.located, want));
    /* D9 is not in the deals file: a warning, counted; the columns: notes */
    assert_int_equal(counts.orphans, 1);
    assert_int_equal(counts.row_errors, 0);
    assert_int_equal(s.n[DEALSCORE_CSV_WARNING], 1);
    snprintf(want, sizeof want, "\n1 %s:5: deal \"D9\" is not in", people);
    assert_non_null(strstr(s.text, want));
    assert_true(s.n[DEALSCORE_CSV_NOTE] >= 1);
    assert_int_equal(s.n[DEALSCORE_CSV_ERROR], 0);
    dealscore_engine_free(e);
    dealscore_model_free(m);
}

static void the_sink_stops_the_run(void **state) {
    (void)state;
    const char *deals = write_file("three.csv", "id\nA\nB\nC\n");
    dealscore_csv_options o;
    dealscore_csv_options_init(&o);
    o.deals = deals;
    dealscore_csv *c = dealscore_csv_open(&o); /* messages dropped: no callback */
    assert_non_null(c);
    sink_run r = {.stop_after = 2};
    dealscore_csv_sink sink = {on_deal, on_error, &r};
    assert_int_equal(dealscore_csv_run(c, &sink, NULL), 0);
    assert_int_equal(r.deals, 2);
    dealscore_csv_close(c);
}

static void setup_errors_are_said(void **state) {
    (void)state;
    dealscore_csv_options o;
    dealscore_csv_options_init(&o);
    said s = {0};
    o.message = on_message;
    o.message_ctx = &s;
    assert_null(dealscore_csv_open(&o)); /* no deals file */
    assert_non_null(strstr(s.text, "0 no deals file given"));
    o.deals = write_file("ok.csv", "id\nA\n");
    o.mapping = "no_such_mapping";
    assert_null(dealscore_csv_open(&o));
    assert_non_null(strstr(s.text, "no_such_mapping.json"));
    o.mapping = NULL;
    o.deals = write_file("noid.csv", "name\nA\n");
    dealscore_csv *c = dealscore_csv_open(&o);
    assert_non_null(c); /* the deals header is read by run */
    sink_run r = {0};
    dealscore_csv_sink sink = {on_deal, on_error, &r};
    assert_int_equal(dealscore_csv_run(c, &sink, NULL), -1);
    assert_non_null(strstr(s.text, "no column \"id\""));
    dealscore_csv_close(c);
    assert_int_equal(r.deals + r.errors, 0);
    assert_true(s.n[DEALSCORE_CSV_ERROR] >= 3);
}

static void option_checks(void **state) {
    (void)state;
    assert_true(dealscore_csv_encoding_known("windows-1252"));
    assert_true(dealscore_csv_encoding_known("utf-16"));
    assert_false(dealscore_csv_encoding_known("no-such-encoding"));
    assert_int_equal(dealscore_csv_delimiter("tab"), '\t');
    assert_int_equal(dealscore_csv_delimiter(";"), ';');
    assert_int_equal(dealscore_csv_delimiter("\""), 0);
    assert_int_equal(dealscore_csv_delimiter("ab"), 0);
    assert_true(dealscore_csv_date_format_ok("DD.MM.YYYY"));
    assert_true(dealscore_csv_date_format_ok("M/D/YYYY"));
    assert_false(dealscore_csv_date_format_ok("YY"));
    assert_false(dealscore_csv_date_format_ok("DD.DD.YYYY"));
}

typedef struct input_run {
    int deals, rejects;
    char message[400];
} input_run;

static int in_deal(void *ctx, const char *text, size_t len, const char *where) {
    (void)text, (void)len, (void)where;
    ((input_run *)ctx)->deals++;
    return 0;
}

static int in_reject(void *ctx, const char *code, const char *message) {
    input_run *r = ctx;
    r->rejects++;
    snprintf(r->message, sizeof r->message, "%s %s", code, message);
    return 0;
}

static void read_into_an_input(void **state) {
    (void)state;
    dealscore_csv_options o;
    dealscore_csv_options_init(&o);
    o.deals = write_file("in.csv", "id,amount\nA,1\nB,x\nC,3\n");
    input_run r = {0};
    dealscore_input in = {.deal = in_deal, .reject = in_reject, .ctx = &r};
    dealscore_csv_counts counts = {.footers = 5}; /* added to */
    assert_int_equal(dealscore_csv_read(&o, &in, &counts), 0);
    assert_int_equal(r.deals, 2);
    assert_int_equal(r.rejects, 1);
    assert_non_null(strstr(r.message, "bad_type deal \"B\": "));
    assert_int_equal(counts.footers, 5);
    dealscore_input no_deal = {.reject = in_reject, .ctx = &r};
    assert_int_equal(dealscore_csv_read(&o, &no_deal, NULL), -1);
}

static void misuse_is_refused(void **state) {
    (void)state;
    assert_null(dealscore_csv_open(NULL));
    dealscore_csv_close(NULL);
    assert_int_equal(dealscore_csv_size(NULL), 0);
    dealscore_csv_options_init(NULL);
    assert_int_equal(dealscore_csv_run(NULL, NULL, NULL), -1);
    dealscore_csv_options o;
    dealscore_csv_options_init(&o);
    o.deals = write_file("m.csv", "id\nA\n");
    dealscore_csv *c = dealscore_csv_open(&o);
    assert_non_null(c);
    dealscore_csv_sink half = {on_deal, NULL, NULL};
    assert_int_equal(dealscore_csv_run(c, &half, NULL), -1);
    assert_int_equal(dealscore_csv_run(c, NULL, NULL), -1);
    dealscore_csv_close(c);
    assert_int_equal(dealscore_csv_read(&o, NULL, NULL), -1);
    dealscore_result r = {0};
    dealscore_result out;
    char buf[64];
    assert_ptr_equal(dealscore_csv_locate(&r, NULL, "x", &out, buf, sizeof buf), &r);
    assert_null(dealscore_csv_locate(NULL, NULL, NULL, NULL, NULL, 0));
    assert_null(dealscore_map_dot(NULL, NULL, NULL));
}

/* What the program prints for `map --id ID FILE`. */
static char *program_map(const char *id, const char *file) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' map --id '%s' '%s'", program, id, file);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *text = calloc(1, 1 << 20);
    size_t n = fread(text, 1, (1 << 20) - 1, p);
    text[n] = '\0';
    assert_int_equal(pclose(p) >> 8, 0);
    return text;
}

static void the_map_is_the_programs(void **state) {
    (void)state;
    const char *file = DEALSCORE_DATADIR "/models/examples/pipeline.jsonl";
    FILE *f = fopen(file, "rb");
    assert_non_null(f);
    char err[256], line[1 << 16];
    dealscore_model *m = dealscore_model_load(NULL, err, sizeof err);
    dealscore_options o;
    dealscore_options_init(&o);
    dealscore_engine *e = dealscore_engine_new(m, &o, err, sizeof err);
    assert_non_null(e);
    int drawn = 0;
    for (int n = 1; fgets(line, sizeof line, f); n++) {
        char where[300];
        snprintf(where, sizeof where, "%s:%d", file, n);
        const dealscore_result *r = dealscore_score(e, line, strlen(line), where);
        if (r->error.code || drawn == 3) continue;
        drawn++;
        size_t len = 0;
        char *dot = dealscore_map_dot(e, r, &len);
        assert_non_null(dot);
        assert_int_equal(strlen(dot), len);
        char *expected = program_map(r->id, file);
        assert_string_equal(dot, expected);
        free(expected);
        free(dot);
        dealscore_result copy = *r; /* not the engine's latest */
        assert_null(dealscore_map_dot(e, &copy, NULL));
    }
    assert_int_equal(drawn, 3);
    fclose(f);
    const dealscore_result *bad = dealscore_score(e, "{\"id\":1", 7, "x:1");
    assert_non_null(bad->error.code);
    assert_null(dealscore_map_dot(e, bad, NULL));
    dealscore_engine_free(e);
    dealscore_model_free(m);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_csv_api DEALSCORE\n");
        return 2;
    }
    program = argv[1];
    if (!mkdtemp(dir)) return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_trio_through_the_api), cmocka_unit_test(the_sink_stops_the_run),
        cmocka_unit_test(setup_errors_are_said),    cmocka_unit_test(option_checks),
        cmocka_unit_test(read_into_an_input),       cmocka_unit_test(misuse_is_refused),
        cmocka_unit_test(the_map_is_the_programs),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "test_csv_api: could not remove %s\n", dir);
    return failed != 0;
}
