/* cli_score.c: `dealscore score`, batch scoring of deal streams.
 *
 * Reads JSONL or JSON arrays from files or stdin, scores each deal through the
 * model and the policy, and writes one result line per deal in input order. Bad
 * deals become error lines; the batch goes on. A summary goes to stderr. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_input.h"
#include "ds_idset.h"
#include "ds_json.h"

static const char usage[] =
    "usage: dealscore score [OPTIONS] [FILE ...]\n"
    "\n"
    "Scores every deal of the pipeline exports FILE ... (JSONL, one deal per line, or a\n"
    "JSON array of deals, which JSONL may follow; '-' or no FILE reads standard input)\n"
    "and writes one JSON result per deal, in input order. A deal that cannot be scored\n"
    "gets an error line naming the code, the JSON path and the input line; the other\n"
    "deals are scored. A broken array (a missing comma or bracket, a line break in a\n"
    "string, the input ending early) gives one bad_json line for the broken element;\n"
    "the deals on the lines after it are still read, a line starting with '{' each.\n"
    "\n"
    "options:\n"
    "  -m, --model FILE    model parameters (default: models/default.json)\n" CLI_POLICY_HELP
    "  -e, --explain       add each score's factors, effective influence and\n"
    "                      predicted stance per stakeholder\n"
    "      --as-of DATE    judge deals without an as_of at DATE (YYYY-MM-DD)\n"
    "  -f, --format FMT    jsonl (default) or table (deal, viability, verdict, reason)\n"
    "  -o, --output FILE   write results to FILE instead of standard output\n"
    "  -q, --quiet         no summary on standard error\n"
    "      --max-deal-memory SIZE\n"
    "                      memory one deal may use, its text included (default\n"
    "                      256M; suffixes K, M, G). A longer deal line is skipped\n"
    "                      with a too_large error, a deal that needs more memory\n"
    "                      (a huge committee) gets an out_of_memory error\n"
    "  -h, --help          this text\n"
    "\n"
    "exit status: 0 every deal scored, 1 some deals had errors, 2 usage or setup error\n"
    "(an unreadable file, a bad model or a policy that does not load).\n"
    "\n"
    "A policy that runs past its instruction budget or its memory cap ends that deal\n"
    "with a policy_timeout or policy_memory error; the next deal is scored normally.\n"
    "Writing policies: docs/policies.md; trying one: dealscore check POLICY.\n";

typedef struct score_run {
    dsl_scorer scorer;
    FILE *out;
    bool table, quiet;
    long scored, errors;
} score_run;

static void print_table_header(FILE *out) {
    fprintf(out, "%-28s %9s  %-9s  %s\n", "deal", "viability", "verdict", "main reason");
}

/* One table row from a result line (parsed back: the table is for people). */
static void print_table_row(FILE *out, const char *line) {
    cJSON *r = cJSON_Parse(line);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(r, "error");
    const char *name = cJSON_IsString(id) ? id->valuestring : "(no id)";
    if (error) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
        const cJSON *path = cJSON_GetObjectItemCaseSensitive(error, "path");
        fprintf(out, "%-28.28s %9s  %-9s  %s at %s\n", name, "-", "error",
                cJSON_GetStringValue(code), cJSON_GetStringValue(path));
    } else {
        const cJSON *scores = cJSON_GetObjectItemCaseSensitive(r, "scores");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(scores, "viability");
        const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(r, "verdict");
        const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(r, "reasons");
        const cJSON *reason = cJSON_GetArrayItem(reasons, 0);
        fprintf(out, "%-28.28s %9.1f  %-9s  %s\n", name, cJSON_GetNumberValue(v),
                cJSON_GetStringValue(verdict), reason ? cJSON_GetStringValue(reason) : "-");
    }
    cJSON_Delete(r);
}

static void write_result(score_run *run, int rc) {
    run->scored += rc == 0;
    run->errors += rc != 0;
    if (run->table) {
        print_table_row(run->out, run->scorer.out.data);
    } else {
        fwrite(run->scorer.out.data, 1, run->scorer.out.len, run->out);
        putc('\n', run->out);
    }
}

static int on_deal(void *ctx, const char *text, size_t len, const char *where) {
    score_run *run = ctx;
    write_result(run, dsl_scorer_run(&run->scorer, text, len, where));
    return 0;
}

static int on_reject(void *ctx, const char *code, const char *message) {
    score_run *run = ctx;
    write_result(run, dsl_scorer_reject(&run->scorer, code, message));
    return 0;
}

static int read_input(score_run *run, const char *path) {
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "dealscore: %s: %s\n", path, strerror(errno));
        return -1;
    }
    cli_input in = {.deal = on_deal,
                    .reject = on_reject,
                    .ctx = run,
                    .max_deal_bytes = run->scorer.arena.limit};
    int rc = cli_input_read(f, is_stdin ? "<stdin>" : path, &in);
    if (rc < 0) fprintf(stderr, "dealscore: %s: read error: %s\n", path, strerror(errno));
    if (!is_stdin) fclose(f);
    return rc;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct score_options {
    cli_policy_args policy;
    const char *model, *output, *as_of;
    bool explain, table, quiet;
    size_t max_deal_memory;
} score_options;

/* "256M", "1G", "65536": a size in bytes with an optional binary suffix; 0 when
 * it is not one, or under the 1 MiB a deal needs to be read at all. */
static size_t parse_size(const char *s) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-') return 0;
    int shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10;
    if (*end == 'M' || *end == 'm') shift = 20;
    if (*end == 'G' || *end == 'g') shift = 30;
    if (shift) end++;
    if (*end || n > (SIZE_MAX >> 1) >> shift) return 0;
    size_t bytes = (size_t)n << shift;
    return bytes < ((size_t)1 << 20) ? 0 : bytes;
}

static int parse_options(int argc, char **argv, score_options *o) {
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"model", required_argument, NULL, 'm'},
        {"explain", no_argument, NULL, 'e'},
        {"as-of", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"max-deal-memory", required_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'},
        {"policy-field", required_argument, NULL, CLI_OPT_POLICY_FIELD},
        {"policy-instructions", required_argument, NULL, CLI_OPT_POLICY_INSTRUCTIONS},
        {"policy-memory", required_argument, NULL, CLI_OPT_POLICY_MEMORY},
        {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:m:ef:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (cli_policy_add(&o->policy, optarg) < 0) return -1;
            break;
        case CLI_OPT_POLICY_FIELD:
            o->policy.field = optarg;
            break;
        case CLI_OPT_POLICY_INSTRUCTIONS:
            o->policy.instructions = optarg;
            break;
        case CLI_OPT_POLICY_MEMORY:
            o->policy.memory = optarg;
            break;
        case 'm':
            o->model = optarg;
            break;
        case 'e':
            o->explain = true;
            break;
        case 'a':
            o->as_of = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'M':
            if (!(o->max_deal_memory = parse_size(optarg))) {
                fprintf(stderr,
                        "dealscore score: --max-deal-memory takes a size of 1M or more "
                        "(e.g. 512M), not '%s'\n",
                        optarg);
                return -1;
            }
            break;
        case 'f':
            if (strcmp(optarg, "table") == 0)
                o->table = true;
            else if (strcmp(optarg, "jsonl") != 0) {
                fprintf(stderr, "dealscore score: --format takes jsonl or table, not '%s'\n",
                        optarg);
                return -1;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            exit(CLI_OK);
        default:
            fputs(usage, stderr);
            return -1;
        }
    }
    return 0;
}

static void summary(const score_run *run, double seconds) {
    if (run->quiet) return;
    long total = run->scored + run->errors;
    fprintf(stderr, "dealscore: %ld deals, %ld scored, %ld errors in %.2f s (%.0f deals/s)\n",
            total, run->scored, run->errors, seconds, seconds > 0 ? total / seconds : 0.0);
}

int cli_score(int argc, char **argv) {
    score_options o = {0};
    if (parse_options(argc, argv, &o) < 0) return CLI_USAGE;
    int as_of = DS_NO_DATE;
    if (o.as_of && !ds_date_parse(o.as_of, &as_of)) {
        fprintf(stderr, "dealscore score: --as-of takes a date YYYY-MM-DD, not '%s'\n", o.as_of);
        return CLI_USAGE;
    }
    ds_params params;
    if (cli_load_model(&params, o.model) < 0) return CLI_USAGE;
    ds_json_init();
    dsl_policies *policies = NULL;
    if (cli_policy_finish(&o.policy, &params) < 0 ||
        !(policies = cli_open_policies(&o.policy.config, &params))) {
        ds_params_free(&params);
        return CLI_USAGE;
    }
    score_run run = {.table = o.table, .quiet = o.quiet, .out = stdout};
    if (o.output && !(run.out = fopen(o.output, "wb"))) {
        fprintf(stderr, "dealscore score: %s: %s\n", o.output, strerror(errno));
        dsl_policies_close(policies);
        ds_params_free(&params);
        return CLI_USAGE;
    }
    static char outbuf[1 << 16];
    setvbuf(run.out, outbuf, _IOFBF, sizeof outbuf);
    ds_idset seen;
    ds_idset_init(&seen);
    dsl_scorer_init(&run.scorer, &params, policies);
    run.scorer.default_as_of = as_of;
    run.scorer.flags = o.explain ? DS_OUT_EXPLAIN : 0;
    run.scorer.seen = &seen;
    if (o.max_deal_memory) run.scorer.arena.limit = o.max_deal_memory;
    if (run.table) print_table_header(run.out);
    double start = now_seconds();
    int failed = 0;
    if (optind >= argc) failed |= read_input(&run, "-") < 0;
    for (int i = optind; i < argc; i++) failed |= read_input(&run, argv[i]) < 0;
    if (fflush(run.out) != 0 || (o.output && fclose(run.out) != 0)) {
        fprintf(stderr, "dealscore score: writing results: %s\n", strerror(errno));
        failed = 1;
    }
    summary(&run, now_seconds() - start);
    dsl_scorer_free(&run.scorer);
    ds_idset_free(&seen);
    dsl_policies_close(policies);
    ds_params_free(&params);
    if (failed) return CLI_USAGE;
    return run.errors ? CLI_DEAL_ERRORS : CLI_OK;
}
