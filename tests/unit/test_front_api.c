/* test_front_api.c: what a front end needs of lib/dealscore.h besides scoring,
 * so that it never reaches into the engine's internals: the model's policy
 * budgets (read, checked, overridden for engines that take them from the
 * model), the check of the sections a flag needs, the policy argument parser,
 * the date check of an as_of, the data folder, and errors a front end makes
 * itself as the engine makes its own. */
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

#define MODEL DEALSCORE_DATADIR "/models/default.json"
#define PIPELINE DEALSCORE_DATADIR "/models/examples/pipeline.jsonl"

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *text = NULL;
    size_t cap = 0;
    *len = 0;
    for (size_t got;
         (text = realloc(text, cap += 65536)) && (got = fread(text + *len, 1, cap - *len, f)) > 0;)
        *len += got;
    fclose(f);
    assert_non_null(text);
    return text;
}

/* The default model with `key` set to the JSON value `value` (NULL: removed). */
static dealscore_model *model_with(const char *key, const char *value, char *err, size_t errlen) {
    size_t len;
    char *text = read_all(MODEL, &len);
    cJSON *json = cJSON_ParseWithLength(text, len);
    free(text);
    assert_non_null(json);
    cJSON_DeleteItemFromObjectCaseSensitive(json, key);
    if (value) cJSON_AddItemToObject(json, key, cJSON_Parse(value));
    char *out = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    dealscore_model *m = dealscore_model_parse(out, strlen(out), "test model", err, errlen);
    free(out);
    return m;
}

static void test_budgets(void **state) {
    (void)state;
    char err[256];
    long long ins = 0, mem = 0;
    dealscore_model *m = dealscore_model_load(MODEL, err, sizeof err);
    assert_non_null(m);
    assert_int_equal(dealscore_model_budgets(m, &ins, &mem, err, sizeof err), 0);
    assert_int_equal(ins, 10000000); /* models/default.json's runtime section */
    assert_int_equal(mem, 64LL << 20);
    dealscore_model_free(m);

    /* no runtime section: the defaults */
    m = model_with("runtime", NULL, err, sizeof err);
    assert_non_null(m);
    assert_int_equal(dealscore_model_budgets(m, &ins, &mem, err, sizeof err), 0);
    assert_int_equal(ins, 10000000);
    assert_int_equal(mem, 64LL << 20);
    dealscore_model_free(m);

    /* a broken section is named by its key, and refused by engines as well */
    m = model_with("runtime", "{\"instruction_budget\": \"many\"}", err, sizeof err);
    assert_non_null(m);
    assert_int_equal(dealscore_model_budgets(m, &ins, &mem, err, sizeof err), -1);
    assert_non_null(strstr(err, "runtime.instruction_budget"));
    assert_null(strstr(err, "--")); /* the library names model keys, not a program's options */
    dealscore_options o;
    dealscore_options_init(&o);
    assert_null(dealscore_engine_new(m, &o, err, sizeof err));
    assert_non_null(strstr(err, "runtime.instruction_budget"));
    assert_int_equal(dealscore_model_set_budgets(m, 1, 1, err, sizeof err), -1);
    dealscore_model_free(m);
    assert_int_equal(dealscore_model_budgets(NULL, &ins, &mem, err, sizeof err), -1);
}

/* The first deal of the example pipeline. */
static char *first_deal(size_t *len) {
    size_t all;
    char *text = read_all(PIPELINE, &all);
    char *nl = memchr(text, '\n', all);
    *len = nl ? (size_t)(nl - text) : all;
    return text;
}

static void test_set_budgets(void **state) {
    (void)state;
    char err[256];
    long long ins, mem;
    dealscore_model *m = dealscore_model_load(MODEL, err, sizeof err);
    assert_non_null(m);
    /* both < 0: nothing changes */
    assert_int_equal(dealscore_model_set_budgets(m, -1, -1, err, sizeof err), 0);
    assert_int_equal(dealscore_model_budgets(m, &ins, &mem, err, sizeof err), 0);
    assert_int_equal(ins, 10000000);
    /* one given: the other stays the model's */
    assert_int_equal(dealscore_model_set_budgets(m, 1000, -1, err, sizeof err), 0);
    assert_int_equal(dealscore_model_budgets(m, &ins, &mem, err, sizeof err), 0);
    assert_int_equal(ins, 1000);
    assert_int_equal(mem, 64LL << 20);
    /* an engine taking its budget from the model runs out of 1000 instructions
     * already in the default policy's init(model) */
    dealscore_options o;
    dealscore_options_init(&o);
    assert_null(dealscore_engine_new(m, &o, err, sizeof err));
    assert_non_null(strstr(err, "instruction budget"));
    /* 100000 let a policy load; one whose score() never ends runs out of them */
    assert_int_equal(dealscore_model_set_budgets(m, 100000, -1, err, sizeof err), 0);
    char spin[] = "/tmp/test_front_api_XXXXXX.lua";
    int fd = mkstemps(spin, 4);
    assert_true(fd >= 0);
    const char *lua = "return {name = 'spin', version = 1,\n"
                      "        score = function(deal, scores) while true do end end}\n";
    assert_int_equal(write(fd, lua, strlen(lua)), (ssize_t)strlen(lua));
    close(fd);
    assert_int_equal(dealscore_options_policy(&o, NULL, spin, err, sizeof err), 0);
    dealscore_engine *e = dealscore_engine_new(m, &o, err, sizeof err);
    unlink(spin);
    if (!e) fail_msg("engine: %s", err);
    size_t len;
    char *deal = first_deal(&len);
    const dealscore_result *r = dealscore_score(e, deal, len, "pipeline.jsonl:1");
    assert_non_null(r->error.code);
    assert_string_equal(r->error.code, "policy_timeout");
    dealscore_engine_free(e);
    dealscore_options_init(&o); /* the bundled default policy again */
    /* and with no limit (0), the same deal is scored */
    assert_int_equal(dealscore_model_set_budgets(m, 0, 32LL << 20, err, sizeof err), 0);
    assert_int_equal(dealscore_model_budgets(m, &ins, &mem, err, sizeof err), 0);
    assert_int_equal(ins, 0);
    assert_int_equal(mem, 32LL << 20);
    e = dealscore_engine_new(m, &o, err, sizeof err);
    assert_non_null(e);
    r = dealscore_score(e, deal, len, "pipeline.jsonl:1");
    assert_null(r->error.code);
    dealscore_engine_free(e);
    free(deal);
    dealscore_model_free(m);
}

static void test_model_check(void **state) {
    (void)state;
    char err[256];
    dealscore_model *m = dealscore_model_load(MODEL, err, sizeof err);
    assert_non_null(m);
    assert_int_equal(
        dealscore_model_check(m, DEALSCORE_ACTIONS | DEALSCORE_QUESTIONS, err, sizeof err), 0);
    dealscore_model_free(m);
    m = model_with("actions", "{\"max_actions\": -3}", err, sizeof err);
    assert_non_null(m);
    assert_int_equal(dealscore_model_check(m, 0, err, sizeof err), 0); /* not needed */
    assert_int_equal(dealscore_model_check(m, DEALSCORE_ACTIONS, err, sizeof err), -1);
    assert_non_null(strstr(err, "actions"));
    /* the same message an engine with the flag gives */
    char engine_err[256];
    dealscore_options o;
    dealscore_options_init(&o);
    o.flags = DEALSCORE_ACTIONS;
    assert_null(dealscore_engine_new(m, &o, engine_err, sizeof engine_err));
    assert_string_equal(err, engine_err);
    dealscore_model_free(m);
    m = model_with("questions", "{\"max_questions\": -1}", err, sizeof err);
    assert_non_null(m);
    assert_int_equal(dealscore_model_check(m, DEALSCORE_ACTIONS, err, sizeof err), 0);
    assert_int_equal(dealscore_model_check(m, DEALSCORE_QUESTIONS, err, sizeof err), -1);
    assert_non_null(strstr(err, "questions"));
    dealscore_model_free(m);
    assert_int_equal(dealscore_model_check(NULL, 0, err, sizeof err), -1);
}

static void spec_ok(const char *spec, const char *lone, const char *name, const char *path) {
    char got[DEALSCORE_POLICY_NAME], err[256];
    const char *file = NULL;
    if (dealscore_policy_spec(spec, lone, got, &file, err, sizeof err) < 0)
        fail_msg("%s: %s", spec, err);
    assert_string_equal(got, name);
    assert_string_equal(file, path);
}

static void test_policy_spec(void **state) {
    (void)state;
    spec_ok("gold=g.lua", "default", "gold", "g.lua");
    spec_ok("a.lua", "default", "default", "a.lua");
    spec_ok("dir/x=y.lua", "default", "default", "dir/x=y.lua"); /* a '/' before '=': a path */
    spec_ok("policies/it_first.lua", NULL, "it_first", "policies/it_first.lua");
    char name[DEALSCORE_POLICY_NAME], err[256];
    const char *path;
    const char *bad[] = {"=x.lua", "a b=x.lua", "gold=", "a,b=x.lua"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(dealscore_policy_spec(bad[i], "default", name, &path, err, sizeof err),
                         -1);
        assert_non_null(strstr(err, bad[i])); /* the message quotes what was given */
    }
    char longname[100];
    memset(longname, 'n', 64);
    snprintf(longname + 64, sizeof longname - 64, "=x.lua");
    assert_int_equal(dealscore_policy_spec(longname, NULL, name, &path, err, sizeof err), -1);
    assert_int_equal(dealscore_policy_spec(NULL, NULL, name, &path, err, sizeof err), -1);
}

static void test_dates_and_home(void **state) {
    (void)state;
    assert_true(dealscore_date_valid("2026-06-30"));
    assert_true(dealscore_date_valid("2024-02-29"));
    assert_false(dealscore_date_valid("2026-02-29")); /* not a leap year */
    assert_false(dealscore_date_valid("2026-6-30"));
    assert_false(dealscore_date_valid("2026-06-30 "));
    assert_false(dealscore_date_valid("today"));
    assert_false(dealscore_date_valid(""));
    assert_false(dealscore_date_valid(NULL));
    /* the data folder holds the bundled model and policy */
    char path[4096];
    snprintf(path, sizeof path, "%s/models/default.json", dealscore_home());
    assert_int_equal(access(path, R_OK), 0);
    snprintf(path, sizeof path, "%s/scripts/default.lua", dealscore_home());
    assert_int_equal(access(path, R_OK), 0);
}

static bool valid_utf8(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : 3;
        if (*p >= 0x80 && (*p & 0xf8) == 0xf8) return false;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xc0) != 0x80) return false;
    }
    return true;
}

/* A message of n bytes of two-byte characters (é) from its first byte. */
static char *accents(size_t n) {
    char *m = malloc(n + 1);
    assert_non_null(m);
    for (size_t i = 0; i + 1 < n; i += 2) {
        m[i] = (char)0xc3;
        m[i + 1] = (char)0xa9;
    }
    m[n & ~(size_t)1] = '\0';
    return m;
}

static void test_error_make(void **state) {
    (void)state;
    char small[256], buf[DEALSCORE_MESSAGE_MAX];
    dealscore_error e =
        dealscore_error_make("too_large", NULL, "deals.jsonl:3: too long", buf, sizeof buf);
    assert_string_equal(e.code, "too_large");
    assert_string_equal(e.path, "$");
    assert_string_equal(e.message, "deals.jsonl:3: too long");
    assert_string_equal(e.where, "");
    /* a long message is cut where an error result's is, never inside a
     * character: 1023 bytes cut the 512th é */
    char *message = accents(3000);
    e = dealscore_error_make("bad_json", "$.x", message, buf, sizeof buf);
    assert_string_equal(e.path, "$.x");
    assert_int_equal(strlen(e.message), 1022);
    assert_true(valid_utf8(e.message));
    assert_memory_equal(e.message, message, 1022);
    /* and where a shorter buffer cuts it: 255 bytes cut the 128th */
    e = dealscore_error_make("bad_json", NULL, message, small, sizeof small);
    assert_int_equal(strlen(e.message), 254);
    assert_true(valid_utf8(e.message));
    /* as the caller writes it: the error line of the engine's own errors */
    char *json = dealscore_error_json(NULL, &e, NULL);
    assert_non_null(json);
    cJSON *parsed = cJSON_Parse(json);
    assert_non_null(parsed);
    cJSON *err = cJSON_GetObjectItemCaseSensitive(parsed, "error");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(err, "code")->valuestring, "bad_json");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(err, "path")->valuestring, "$");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(err, "message")->valuestring, e.message);
    cJSON_Delete(parsed);
    free(json);
    free(message);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budgets),        cmocka_unit_test(test_set_budgets),
        cmocka_unit_test(test_model_check),    cmocka_unit_test(test_policy_spec),
        cmocka_unit_test(test_dates_and_home), cmocka_unit_test(test_error_make),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
