/* fuzz_score.c: libFuzzer harness for one deal end to end.
 *
 * The input is one deal's text, scored the way `dealscore score` scores a line:
 * parse into the arena, decode and validate, analyse (graph and the five scores),
 * the default Lua policy, the result with --explain (and one run in eight with
 * --questions, every field not given answered on copies). Whatever the input, the
 * output must be one valid JSON object, a result or an error; sanitizers catch
 * the rest. Every other run sets a small arena limit, so the out_of_memory paths
 * are fuzzed as well. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ds_json.h"
#include "dsl.h"

static ds_params params;
static dsl_policy *policy;
static dsl_scorer scorer;

static void start(void) {
    char err[1024];
    if (ds_params_load_file(&params, DEALSCORE_DATADIR "/models/default.json", err, sizeof err)) {
        fprintf(stderr, "fuzz_score: %s\n", err);
        abort();
    }
    ds_json_init();
    policy = dsl_policy_open(DEALSCORE_DATADIR "/scripts/default.lua", &params, err, sizeof err);
    if (!policy) {
        fprintf(stderr, "fuzz_score: %s\n", err);
        abort();
    }
    dsl_scorer_init(&scorer, &params, dsl_policy_set(policy));
    if (dsl_scorer_enable_questions(&scorer, -1, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_score: %s\n", err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static unsigned long runs;
    if (!policy) start();
    /* one run in four with a limit most deals fit in and large committees do not */
    scorer.arena.limit = runs % 4 == 0 ? (size_t)1 << 20 : DSL_DEAL_MEMORY_DEFAULT;
    scorer.flags = runs++ % 8 == 1 ? DS_OUT_EXPLAIN | DS_OUT_QUESTIONS : DS_OUT_EXPLAIN;
    dsl_scorer_run(&scorer, (const char *)data, size, "fuzz");
    cJSON *out = cJSON_ParseWithLength(scorer.out.data, scorer.out.len);
    if (!out || !cJSON_IsObject(out)) {
        fprintf(stderr, "fuzz_score: output is not a JSON object: %.300s\n", scorer.out.data);
        abort();
    }
    cJSON_Delete(out);
    return 0;
}
