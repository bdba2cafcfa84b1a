/* test_diff_api.c: the diff comparison of the public API (dealscore_diff_*).
 *
 * OLD is the example pipeline; NEW changes it (a stakeholder leaves, one joins,
 * a stance moves, an expectation gap opens, a deal is removed and one added, a
 * bad deal and a repeated id). The API's JSON lines and text must be what
 * `dealscore diff` prints for the same files, byte for byte, and every typed
 * field must say what its JSON line says. Then the edges: result lines as input,
 * misuse. The program to compare with is argv[1]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dealscore.h"

static const char *program;

#define PIPELINE DEALSCORE_DATADIR "/models/examples/pipeline.jsonl"

typedef struct lines {
    char **text;
    int n;
} lines;

static void push(lines *l, char *text) {
    l->text = realloc(l->text, (size_t)(l->n + 1) * sizeof *l->text);
    l->text[l->n++] = text;
}

static void lines_free(lines *l) {
    for (int i = 0; i < l->n; i++) free(l->text[i]);
    free(l->text);
}

static lines read_lines(FILE *f) {
    lines l = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n') line[len - 1] = '\0';
        push(&l, strdup(line));
    }
    free(line);
    return l;
}

static cJSON *get(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static cJSON *person(cJSON *deal, const char *id) {
    cJSON *p;
    cJSON_ArrayForEach(p, get(deal, "stakeholders")) {
        if (strcmp(cJSON_GetStringValue(get(p, "id")), id) == 0) return p;
    }
    fail_msg("no stakeholder %s", id);
    return NULL;
}

/* NEW: the pipeline with changes of every kind diff reports. */
static lines changed_pipeline(const lines *old) {
    lines l = {0};
    for (int i = 0; i < old->n; i++) {
        cJSON *d = cJSON_Parse(old->text[i]);
        const char *id = cJSON_GetStringValue(get(d, "id"));
        if (strcmp(id, "LRH-2026-003") == 0) { /* removed */
            cJSON_Delete(d);
            continue;
        }
        if (strcmp(id, "NBM-2026-014") == 0) {
            cJSON_SetNumberValue(get(person(d, "marsh"), "stance"), 0.1); /* moved */
            cJSON *cto = cJSON_Parse("{\"id\":\"cto\",\"name\":\"Sam \\u001b[31mOkafor\","
                                     "\"title\":\"CTO\",\"function\":\"it\",\"level\":\"c_level\","
                                     "\"stance\":-0.4,\"influence\":0.7}");
            cJSON_AddItemToArray(get(d, "stakeholders"), cto); /* appeared */
        }
        if (strcmp(id, "TVC-2026-018") == 0) /* a new expectation gap */
            cJSON_AddNumberToObject(person(d, "moretti"), "expectation_gap", 0.7);
        push(&l, cJSON_PrintUnformatted(d));
        if (strcmp(id, "NPM-2026-016") == 0) { /* added, and given twice */
            cJSON_SetValuestring(get(d, "id"), "NEW-2026-001");
            push(&l, cJSON_PrintUnformatted(d));
            push(&l, cJSON_PrintUnformatted(d));
        }
        cJSON_Delete(d);
    }
    push(&l, strdup("{\"id\":\"BAD-1\",\"stakeholders\":3}"));
    return l;
}

static char *program_output(const char *options, const char *old, const char *new) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' diff %s '%s' '%s' 2>/dev/null", program, options, old, new);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = calloc(1, 1 << 20);
    size_t n = fread(out, 1, (1 << 20) - 1, p);
    assert_int_equal(pclose(p) >> 8, 1); /* BAD-1 and the repeated id */
    assert_true(n > 100);
    return out;
}

static void add_all(dealscore_diff *d, int side, const lines *l, int *kept, int *errors) {
    for (int i = 0; i < l->n; i++) {
        const dealscore_diff_deal *deal;
        int rc = dealscore_diff_add(d, side, l->text[i], strlen(l->text[i]), "test", &deal);
        assert_true(rc >= 0);
        assert_non_null(deal);
        *kept += rc == DEALSCORE_DIFF_KEPT;
        *errors += rc == DEALSCORE_DIFF_REPEATED || deal->error != NULL;
    }
}

static void same_ids(const dealscore_diff_person *const *p, int n, const cJSON *json) {
    assert_int_equal(n, cJSON_GetArraySize(json));
    for (int i = 0; i < n; i++)
        assert_string_equal(p[i]->id, cJSON_GetStringValue(get(cJSON_GetArrayItem(json, i), "id")));
}

static void same_strings(const char *const *s, int n, const cJSON *json) {
    assert_int_equal(n, cJSON_GetArraySize(json));
    for (int i = 0; i < n; i++)
        assert_string_equal(s[i], cJSON_GetStringValue(cJSON_GetArrayItem(json, i)));
}

/* Each typed field against the JSON line it is written as. */
static void same_change(const dealscore_diff_change *c, const char *line) {
    cJSON *j = cJSON_Parse(line);
    assert_non_null(j);
    assert_string_equal(c->id, cJSON_GetStringValue(get(j, "id")));
    assert_string_equal(dealscore_diff_change_name(c->change),
                        cJSON_GetStringValue(get(j, "change")));
    assert_true((c->before != NULL) == (c->change != DEALSCORE_DIFF_ADDED));
    assert_true((c->after != NULL) == (c->change != DEALSCORE_DIFF_REMOVED));
    if (c->before && c->after && !c->before->error && !c->after->error) {
        assert_string_equal(c->after->verdict, cJSON_GetStringValue(get(get(j, "verdict"), "new")));
        const cJSON *people = get(j, "stakeholders");
        same_ids(c->appeared, c->n_appeared, get(people, "appeared"));
        same_ids(c->left, c->n_left, get(people, "left"));
        assert_int_equal(c->n_moved, cJSON_GetArraySize(get(people, "moved")));
        same_strings(c->new_warnings, c->n_new_warnings, get(j, "new_warnings"));
        same_strings(c->resolved_warnings, c->n_resolved_warnings, get(j, "resolved_warnings"));
    }
    cJSON_Delete(j);
}

static dealscore_model *model(void) {
    char err[256];
    dealscore_model *m = dealscore_model_load(NULL, err, sizeof err);
    if (!m) fail_msg("model: %s", err);
    return m;
}

static dealscore_engine *engine(const dealscore_model *m) {
    dealscore_options o;
    dealscore_options_init(&o);
    char err[256];
    dealscore_engine *e = dealscore_engine_new(m, &o, err, sizeof err);
    if (!e) fail_msg("engine: %s", err);
    return e;
}

/* The comparison of two sides, as JSON lines or text, all in one string. */
static char *api_output(dealscore_engine *e, const lines *old, const lines *new, bool text,
                        bool check_fields) {
    dealscore_diff *d = dealscore_diff_new(e, 0.1);
    assert_non_null(d);
    int kept = 0, errors = 0;
    add_all(d, DEALSCORE_DIFF_OLD, old, &kept, &errors);
    assert_int_equal(kept, old->n);
    assert_int_equal(errors, 0);
    kept = errors = 0;
    add_all(d, DEALSCORE_DIFF_NEW, new, &kept, &errors);
    assert_int_equal(errors, 2); /* BAD-1 scored to an error; NEW-2026-001 repeated */
    char *out = calloc(1, 1 << 20);
    size_t at = 0, len;
    const dealscore_diff_change *c;
    int n = 0;
    while ((c = dealscore_diff_next(d))) {
        const char *s = text ? dealscore_diff_text(d, c, &len) : dealscore_diff_json(d, c, &len);
        assert_non_null(s);
        assert_int_equal(len, strlen(s));
        if (check_fields && !text) same_change(c, s);
        memcpy(out + at, s, len);
        at += len;
        if (!text) out[at++] = '\n';
        n++;
    }
    dealscore_diff_counts k = dealscore_diff_count(d);
    assert_int_equal(k.changed + k.unchanged + k.added + k.removed, n);
    assert_int_equal(k.added, 2); /* NEW-2026-001 and BAD-1 */
    assert_int_equal(k.removed, 1);
    assert_true(k.changed >= 2);
    if (text) {
        const char *s = dealscore_diff_summary(d, &len);
        memcpy(out + at, s, len);
    }
    /* after comparing began, nothing more is added */
    const dealscore_diff_deal *deal = (const void *)1;
    assert_int_equal(dealscore_diff_add(d, DEALSCORE_DIFF_NEW, "{}", 2, NULL, &deal),
                     DEALSCORE_DIFF_REFUSED);
    assert_null(deal);
    dealscore_diff_free(d);
    return out;
}

static void write_lines(const char *path, const lines *l) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < l->n; i++) fprintf(f, "%s\n", l->text[i]);
    fclose(f);
}

static void test_same_as_program(void **state) {
    (void)state;
    FILE *f = fopen(PIPELINE, "rb");
    assert_non_null(f);
    lines old = read_lines(f);
    fclose(f);
    lines new = changed_pipeline(&old);
    char path[] = "/tmp/test_diff_api_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_lines(path, &new);
    dealscore_model *m = model();
    dealscore_engine *e = engine(m);
    for (int text = 0; text < 2; text++) {
        char *expected = program_output(text ? "-f text" : "", PIPELINE, path);
        char *got = api_output(e, &old, &new, text, true);
        assert_string_equal(got, expected);
        free(got);
        free(expected);
    }
    unlink(path);
    lines_free(&old);
    lines_free(&new);
    dealscore_engine_free(e);
    dealscore_model_free(m);
}

/* A result line is read as it is: its scores and warnings, its stakeholders when it
 * has them, and without a name (a result has none), and an error line as an error. */
static void test_result_lines(void **state) {
    (void)state;
    dealscore_model *m = model();
    dealscore_engine *e = engine(m);
    dealscore_diff *d = dealscore_diff_new(e, 0.1);
    const char *res = "{\"id\":\"A\",\"scores\":{\"capability_roi\":1,\"viability\":42.25},"
                      "\"verdict\":\"shape\",\"warnings\":[\"stale:x\"],"
                      "\"reasons\":[\"expectation_gap\"],"
                      "\"stakeholders\":[{\"id\":\"p\",\"predicted_stance\":0.5}]}";
    const dealscore_diff_deal *deal;
    assert_int_equal(dealscore_diff_add(d, DEALSCORE_DIFF_OLD, res, strlen(res), NULL, &deal),
                     DEALSCORE_DIFF_KEPT);
    assert_string_equal(deal->verdict, "shape");
    assert_true(deal->viability == 42.25);
    assert_true(deal->coverage < 0);
    assert_int_equal(deal->n_warnings, 2);
    assert_string_equal(deal->warnings[1], "expectation_gap");
    assert_true(deal->has_stakeholders);
    assert_int_equal(deal->n_stakeholders, 1);
    assert_null(deal->stakeholders[0].name);
    assert_false(deal->stakeholders[0].has_stance);
    assert_true(deal->stakeholders[0].has_predicted_stance);
    const char *err = "{\"id\":\"A\",\"error\":{\"code\":\"bad_type\",\"message\":\"m\"}}";
    assert_int_equal(dealscore_diff_add(d, DEALSCORE_DIFF_NEW, err, strlen(err), NULL, &deal),
                     DEALSCORE_DIFF_KEPT);
    assert_string_equal(deal->error, "bad_type");
    assert_string_equal(deal->error_message, "m");
    assert_int_equal(dealscore_diff_add(d, DEALSCORE_DIFF_NEW, "{\"x\":1}", 7, "l:1", &deal),
                     DEALSCORE_DIFF_NO_ID); /* scored as a deal: no id */
    assert_non_null(deal->error);
    const dealscore_diff_change *c = dealscore_diff_next(d);
    assert_non_null(c);
    assert_int_equal(c->change, DEALSCORE_DIFF_CHANGED);
    assert_string_equal(dealscore_diff_json(d, c, NULL),
                        "{\"id\":\"A\",\"change\":\"changed\","
                        "\"error\":{\"old\":null,\"new\":\"bad_type\"}}");
    assert_null(dealscore_diff_next(d));
    assert_null(dealscore_diff_json(d, c, NULL)); /* no longer the latest */
    dealscore_diff_free(d);
    dealscore_engine_free(e);
    dealscore_model_free(m);
}

static void test_misuse(void **state) {
    (void)state;
    dealscore_model *m = model();
    dealscore_engine *e = engine(m);
    assert_null(dealscore_diff_new(NULL, 0.1));
    assert_null(dealscore_diff_new(e, -1));
    dealscore_diff_free(NULL);
    assert_null(dealscore_diff_next(NULL));
    assert_null(dealscore_diff_summary(NULL, NULL));
    assert_null(dealscore_diff_change_name(4));
    dealscore_diff_counts k = dealscore_diff_count(NULL);
    assert_int_equal(k.changed + k.unchanged + k.added + k.removed, 0);
    dealscore_diff *d = dealscore_diff_new(e, 0.1);
    assert_int_equal(dealscore_diff_add(d, 2, "{}", 2, NULL, NULL), DEALSCORE_DIFF_REFUSED);
    assert_int_equal(dealscore_diff_add(d, DEALSCORE_DIFF_OLD, NULL, 0, NULL, NULL),
                     DEALSCORE_DIFF_REFUSED);
    assert_int_equal(dealscore_diff_add(NULL, DEALSCORE_DIFF_OLD, "{}", 2, NULL, NULL),
                     DEALSCORE_DIFF_REFUSED);
    assert_null(dealscore_diff_next(d)); /* nothing on either side */
    assert_null(dealscore_diff_json(d, NULL, NULL));
    assert_null(dealscore_diff_text(d, NULL, NULL));
    dealscore_diff_free(d);
    dealscore_engine_free(e);
    dealscore_model_free(m);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_diff_api PROGRAM\n");
        return 2;
    }
    program = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_program),
        cmocka_unit_test(test_result_lines),
        cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
