/* cli_backtest.c: `dealscore backtest`, policies measured on the team's closed deals.
 *
 * Reads deals like `score` does, keeps the closed ones (won or lost, by the stage
 * or by a field and values the user maps), scores each with every policy given
 * (with explain, so factors can be counted), and hands each result to the
 * library's backtest (dealscore_backtest: outcomes, measurements, statistics),
 * whose figures cli_backtest_report.c prints. Open deals are counted and ignored;
 * a deal a policy cannot score is counted as that policy's error and named on
 * stderr. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cli_backtest.h"
#include "cli_engine.h"
#include "dealscore.h"
#include "cli_output.h"

static const char usage[] =
    "usage: dealscore backtest [OPTIONS] FILE ...\n"
    "\n"
    "Measures scoring policies against the outcomes of closed deals. Every deal of\n"
    "FILE ... (JSONL or a JSON array; '-' reads standard input) whose outcome is won\n"
    "or lost is scored with each policy; open deals are counted and ignored. For each\n"
    "policy, side by side: won and lost deals, ROC AUC of viability with a seeded\n"
    "bootstrap 95% interval, Brier score and log loss of the win probability, a\n"
    "reliability table (viability deciles against the observed win rate), and for\n"
    "each rule and factor how often it fires among won and lost deals and its lift.\n"
    "See docs/backtest.md for how to read the report.\n"
    "\n"
    "options:\n"
    "  -p, --policy NAME=FILE  a policy to measure, named NAME in the report; repeat\n"
    "                          to compare (default: default=scripts/default.lua);\n"
    "                          FILE alone is named after the file (it_first.lua:\n"
    "                          it_first)\n"
    "      --policy-instructions N\n"
    "                          Lua instructions a policy may run per deal (model:\n"
    "                          runtime.instruction_budget; k/M/G suffixes; 0 = no\n"
    "                          limit); past it the deal is the policy's error\n"
    "      --policy-memory MB  memory cap of each policy's Lua state (model:\n"
    "                          runtime.memory_limit_mb; 0 = no limit)\n"
    "  -m, --model FILE        model parameters (default: models/default.json); when\n"
    "                          it has a calibration for a policy, that calibration\n"
    "                          gives the win probability, else an in-sample Platt fit\n"
    "      --outcome-field F   the deal field holding the outcome (default: stage;\n"
    "                          a dotted path such as crm.status reaches inside objects)\n"
    "      --won VALUE         a value of that field meaning won (default:\n"
    "                          closed_won); repeat for several\n"
    "      --lost VALUE        a value meaning lost (default: closed_lost)\n"
    "      --as-of DATE        judge deals without an as_of at DATE (YYYY-MM-DD, or today)\n"
    "      --measure-insufficient\n"
    "                          measure deals given insufficient_data (too little known\n"
    "                          to judge) by their viability too; by default they are\n"
    "                          counted apart and kept out of every statistic\n"
    "      --calibrate OUT     fit win probability = 1/(1+exp(-(a viability + b))) on\n"
    "                          the closed deals, report it on a held-out part, and\n"
    "                          write OUT: the model with a \"calibration\" section,\n"
    "                          for --model ('-': standard output, the report then\n"
    "                          needs -o FILE); needs 40 won and 40 lost deals\n"
    "      --calibrate-policy NAME\n"
    "                          the policy to calibrate (default: the first)\n"
    "      --holdout SHARE     share of deals held out to check the calibration\n"
    "                          (default 0.3)\n"
    "      --bootstrap N       bootstrap resamples for the AUC interval (default\n"
    "                          2000; 0 skips the interval)\n"
    "      --seed N            seed of the bootstrap and the split (default 1)\n"
    "      --bins N            reliability table rows (default 10: deciles)\n"
    "  -f, --format FMT        text (default) or json\n"
    "  -o, --output FILE       write the report to FILE ('-': standard output)\n"
    "  -q, --quiet             do not name each deal error, nor deals without as_of,\n"
    "                          nor a CSV export's columns, on standard error\n"
    "  -h, --help              this text\n"
    "\n"
    "CSV deals (FILE ending in .csv or .tsv, or --csv FILE; see docs/csv.md):\n" CLI_CSV_HELP "\n"
    "exit status: 0 every closed deal scored, 1 some deals had errors, or there was\n"
    "nothing to measure (no deal read, or a policy judged no won or lost deal: -o FILE\n"
    "is then left as it was), 2 usage or setup error (a bad option, an unreadable\n"
    "file, a bad model or policy, deals read but none closed, or --calibrate refused\n"
    "for too few won or lost deals).\n";

/* ---- options ---- */

enum {
    OPT_OUTCOME_FIELD = 256,
    OPT_WON,
    OPT_LOST,
    OPT_AS_OF,
    OPT_CALIBRATE,
    OPT_CALIBRATE_POLICY,
    OPT_HOLDOUT,
    OPT_BOOTSTRAP,
    OPT_SEED,
    OPT_BINS,
    OPT_MEASURE_INSUFFICIENT
};

static int bad_option(const char *option, const char *value, const char *want) {
    fprintf(stderr, "dealscore backtest: %s takes %s, not '%s'\n", option, want, value);
    return -1;
}

static int add_value(const char **list, int *n, const char *option, const char *value) {
    if (*n >= DEALSCORE_BACKTEST_MAX_VALUES) return bad_option(option, value, "at most 16 values");
    list[(*n)++] = value;
    return 0;
}

static int parse_number_option(int c, const char *arg, dealscore_backtest_options *o) {
    double v;
    uint64_t seed;
    switch (c) {
    case OPT_HOLDOUT:
        if (!cli_number(arg, 0, 0, 1, &v) || v <= 0 || v >= 1)
            return bad_option("--holdout", arg, "a share between 0 and 1 (e.g. 0.3)");
        o->holdout = v;
        return 0;
    case OPT_BOOTSTRAP:
        if (!cli_number(arg, CLI_NUM_INTEGER, 0, 1000000, &v))
            return bad_option("--bootstrap", arg, "a count from 0 to 1000000");
        o->bootstrap = (int)v;
        return 0;
    case OPT_SEED:
        if (!cli_number_u64(arg, &seed)) return bad_option("--seed", arg, "a non-negative integer");
        o->seed = seed;
        return 0;
    default: /* OPT_BINS */
        if (!cli_number(arg, CLI_NUM_INTEGER, 2, 100, &v))
            return bad_option("--bins", arg, "a count from 2 to 100");
        o->bins = (int)v;
        return 0;
    }
}

/* The options of backtest alone; the shared ones are cli_parse()'s. */
static int parse_option(void *ctx, int c, const char *arg) {
    bt_options *o = &((bt_run *)ctx)->opt;
    dealscore_backtest_options *m = &o->measure;
    switch (c) {
    case OPT_OUTCOME_FIELD:
        m->outcome_field = arg;
        return 0;
    case OPT_WON:
        return add_value(m->won, &m->n_won, "--won", arg);
    case OPT_LOST:
        return add_value(m->lost, &m->n_lost, "--lost", arg);
    case OPT_MEASURE_INSUFFICIENT:
        m->measure_insufficient = true;
        return 0;
    case OPT_CALIBRATE:
        o->calibrate = arg;
        return 0;
    case OPT_CALIBRATE_POLICY:
        o->calibrate_policy = arg;
        return 0;
    default: /* OPT_HOLDOUT, OPT_BOOTSTRAP, OPT_SEED, OPT_BINS */
        return parse_number_option(c, arg, m);
    }
}

static const cli_format_name formats[] = {{"text", 0}, {"json", 1}, {NULL, 0}};

/* The policies to measure, from --policy (each FILE alone named after itself). */
static int take_policies(bt_run *run, const cli_policy_args *a) {
    if (a->n > BT_MAX_POLICIES) {
        fprintf(stderr, "dealscore backtest: --policy: at most %d policies in one run\n",
                BT_MAX_POLICIES);
        return -1;
    }
    for (int i = 0; i < a->n; i++) {
        snprintf(run->policies[i].name, sizeof run->policies[i].name, "%s", a->policies[i].name);
        run->policies[i].path = a->policies[i].path;
    }
    run->n_policies = a->n;
    run->opt.instructions = a->instructions;
    run->opt.memory = a->memory;
    return 0;
}

/* Neither the report nor --calibrate's model may be one of the files read. */
static int check_outputs(const bt_options *o, int argc, char **argv) {
    const char *files[256] = {o->csv.stakeholders, o->csv.relationships, o->csv.contacts};
    int n = 3;
    for (int i = optind; i < argc && n < 256; i++) files[n++] = argv[i];
    if (cli_output_check("backtest", o->output, files, n) < 0) return -1;
    if (!o->calibrate) return 0;
    bool to_stdout = strcmp(o->calibrate, "-") == 0; /* as -o - is */
    if (to_stdout && !o->output) {
        fputs("dealscore backtest: --calibrate - writes the model on standard output, where the "
              "report goes too: give the report a file (-o FILE)\n",
              stderr);
        return -1;
    }
    return cli_output_check("backtest", to_stdout ? NULL : o->calibrate, files, n);
}

static int parse_options(int argc, char **argv, bt_run *run, cli_shared *sh) {
    static const struct option longopts[] = {
        {"outcome-field", required_argument, NULL, OPT_OUTCOME_FIELD},
        {"won", required_argument, NULL, OPT_WON},
        {"lost", required_argument, NULL, OPT_LOST},
        {"measure-insufficient", no_argument, NULL, OPT_MEASURE_INSUFFICIENT},
        {"calibrate", required_argument, NULL, OPT_CALIBRATE},
        {"calibrate-policy", required_argument, NULL, OPT_CALIBRATE_POLICY},
        {"holdout", required_argument, NULL, OPT_HOLDOUT},
        {"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
        {"seed", required_argument, NULL, OPT_SEED},
        {"bins", required_argument, NULL, OPT_BINS},
        {NULL, 0, NULL, 0}};
    const cli_spec spec = {.name = "backtest",
                           .usage = usage,
                           .shared = CLI_SH_MODEL | CLI_SH_AS_OF | CLI_SH_POLICY | CLI_SH_BUDGETS |
                                     CLI_SH_FORMAT | CLI_SH_OUTPUT | CLI_SH_QUIET | CLI_SH_CSV,
                           .formats = formats,
                           .longopts = longopts,
                           .own = parse_option,
                           .ctx = run};
    bt_options *o = &run->opt;
    *o = (bt_options){0};
    dealscore_backtest_options *m = &o->measure;
    dealscore_backtest_options_init(m);
    m->n_won = m->n_lost = 0; /* the defaults unless --won / --lost are given */
    sh->policy.name_from_file = true;
    sh->policy.unique = true;
    if (cli_parse(&spec, argc, argv, sh) < 0 || take_policies(run, &sh->policy) < 0) return -1;
    o->model = sh->model;
    o->as_of = sh->as_of_day;
    o->json = sh->format == 1;
    o->output = sh->output;
    o->quiet = sh->quiet;
    o->csv = sh->csv;
    if (!m->n_won) m->won[m->n_won++] = "closed_won";
    if (!m->n_lost) m->lost[m->n_lost++] = "closed_lost";
    for (int i = 0; i < m->n_won; i++)
        for (int j = 0; j < m->n_lost; j++)
            if (strcasecmp(m->lost[j], m->won[i]) == 0)
                return bad_option("--won", m->won[i], "a value that --lost does not also name");
    if (!run->n_policies) {
        snprintf(run->policies[0].name, sizeof run->policies[0].name, "default");
        run->n_policies = 1;
    }
    if (o->calibrate_policy && !bt_find_policy(run, o->calibrate_policy))
        return bad_option("--calibrate-policy", o->calibrate_policy, "the NAME of a --policy");
    if (o->csv.deals && optind > 1) argv[--optind] = (char *)o->csv.deals; /* the first file */
    if (cli_csv_finish(&o->csv, "backtest", optind < argc ? argv[optind] : NULL) < 0) return -1;
    cli_csv_messages(&o->csv, o->quiet); /* -q: no notes on a CSV export's columns */
    if (optind >= argc) {
        fprintf(stderr,
                "dealscore backtest: name the deal files to measure on ('-' for "
                "standard input)\n\n%s",
                usage);
        return -1;
    }
    return check_outputs(o, argc, argv);
}

/* ---- policies ---- */

bt_policy *bt_find_policy(bt_run *run, const char *name) {
    for (int i = 0; i < run->n_policies; i++)
        if (strcmp(run->policies[i].name, name) == 0) return &run->policies[i];
    return NULL;
}

/* The one place a policy is opened (and its scorer set up), so that policy sets
 * can take over here. */
static int open_policy(bt_policy *bp, const bt_options *o, const dealscore_model *m) {
    cli_policy_args args = {.instructions = o->instructions, .memory = o->memory};
    if (bp->path) { /* FILE as given: its NAME is the report's, not the policy set's */
        args.n = 1;
        snprintf(args.policies[0].name, sizeof args.policies[0].name, "default");
        args.policies[0].path = bp->path;
    }
    if (cli_policy_finish(&args, "backtest", m) < 0) return -1;
    /* factors, to count which ones fire */
    bp->engine = cli_engine_open(NULL, &args, m, o->as_of, DEALSCORE_EXPLAIN | DEALSCORE_UNIQUE_IDS,
                                 0, 0, 0);
    if (!bp->engine) return -1;
    bp->label = dealscore_engine_policy_label(bp->engine, NULL);
    return 0;
}

static void close_policy(bt_policy *bp) {
    if (!bp->engine) return;
    dealscore_engine_free(bp->engine); /* and the policy set it opened */
    bp->engine = NULL;
}

/* ---- measuring ---- */

static void show_error(bt_run *run, const char *who, const char *where, const char *line) {
    if (run->opt.quiet) return;
    if (++run->errors_shown > 20) {
        if (run->errors_shown == 21)
            fprintf(stderr, "dealscore backtest: more errors not shown (see the count in the "
                            "report; score the file with dealscore score to list them all)\n");
        return;
    }
    fprintf(stderr, "dealscore backtest: %s: %s%s%s\n", where, who ? who : "", who ? ": " : "",
            line);
}

/* "deal ID: CODE at PATH: MESSAGE" for an error result */
static void describe_error(const dealscore_result *r, char *buf, size_t len) {
    const dealscore_error *e = &r->error;
    snprintf(buf, len, "deal %s: %s at %s: %s", r->id ? r->id : "(no id)",
             e->code ? e->code : "error", e->code ? e->path : "$", e->code ? e->message : "");
}

static void score_with(bt_run *run, int i, const char *text, size_t len, const char *where,
                       int outcome) {
    bt_policy *bp = &run->policies[i];
    const dealscore_result *r = dealscore_score(bp->engine, text, len, where);
    char who[96], what[1024];
    snprintf(who, sizeof who, "policy %s", bp->name);
    int rc = dealscore_backtest_add(run->measured, i, r, outcome);
    if (rc >= 0 && rc < 4) bp->added[rc]++;
    run->errors += rc == DEALSCORE_BACKTEST_ERROR || rc == DEALSCORE_BACKTEST_NO_MEMORY;
    if (rc == DEALSCORE_BACKTEST_ERROR) {
        describe_error(r, what, sizeof what);
        show_error(run, who, where, what);
    } else if (rc == DEALSCORE_BACKTEST_NO_MEMORY) {
        show_error(run, who, where, "out of memory");
    }
}

static int on_deal(void *ctx, const char *text, size_t len, const char *where) {
    bt_run *run = ctx;
    int o = dealscore_backtest_outcome(run->measured, text, len);
    if (o == DEALSCORE_OUTCOME_UNREADABLE)
        show_error(run, NULL, where, "not valid JSON: no outcome can be read (deal skipped)");
    if (o != DEALSCORE_OUTCOME_WON && o != DEALSCORE_OUTCOME_LOST) return 0;
    for (int i = 0; i < run->n_policies; i++) score_with(run, i, text, len, where, o);
    return 0;
}

/* A CSV row that cannot be a deal: no outcome can be read from it. */
static int on_csv_reject(void *ctx, const char *code, const char *message) {
    bt_run *run = ctx;
    dealscore_backtest_unreadable(run->measured);
    char where[600];
    snprintf(where, sizeof where, "%s (%s)", message, code);
    show_error(run, NULL, where, "no outcome can be read (deal skipped)");
    return 0;
}

static int read_input(bt_run *run, const char *path) {
    if (cli_csv_wanted(&run->opt.csv, path)) {
        dealscore_input in = {.deal = on_deal, .reject = on_csv_reject, .ctx = run};
        return cli_csv_read(&run->opt.csv, path, DEALSCORE_DEAL_MEMORY_DEFAULT, &in, NULL);
    }
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "dealscore backtest: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = dealscore_read_deals(f, is_stdin ? "<stdin>" : path, on_deal, run);
    if (rc < 0) fprintf(stderr, "dealscore backtest: %s: read error: %s\n", path, strerror(errno));
    if (!is_stdin) fclose(f);
    return rc;
}

/* ---- the command ---- */

/* Whether a policy judged no won or lost deal (each was insufficient_data, or
 * its error): its figures are all empty, said here as the reason for exit 1. */
static bool judged_none(const bt_run *run) {
    bool none = false;
    long closed = dealscore_backtest_count(run->measured).closed;
    for (int i = 0; i < run->n_policies; i++) {
        const bt_policy *bp = &run->policies[i];
        if (bp->added[DEALSCORE_BACKTEST_MEASURED] > 0) continue;
        long apart = bp->added[DEALSCORE_BACKTEST_APART];
        long errors = bp->added[DEALSCORE_BACKTEST_ERROR] + bp->added[DEALSCORE_BACKTEST_NO_MEMORY];
        none = true;
        fprintf(stderr,
                "dealscore backtest: policy %s judged no won or lost deal: of %ld closed, %ld "
                "%s insufficient_data (kept apart unless --measure-insufficient) and %ld %s "
                "errors; nothing measured%s%s%s\n",
                bp->name, closed, apart, apart == 1 ? "was" : "were", errors,
                errors == 1 ? "was an" : "were", run->opt.output ? "; " : "",
                run->opt.output ? run->opt.output : "",
                run->opt.output ? " is left as it was" : "");
    }
    return none;
}

/* The library's backtest over the policies, each named as the report names it. */
static int start_measuring(bt_run *run, const dealscore_model *model) {
    char err[256];
    run->measured =
        dealscore_backtest_new(model, &run->opt.measure, run->n_policies, err, sizeof err);
    if (!run->measured) {
        fprintf(stderr, "dealscore %s\n", err);
        return -1;
    }
    for (int i = 0; i < run->n_policies; i++)
        if (dealscore_backtest_name(run->measured, i, run->policies[i].name,
                                    run->policies[i].label) < 0) {
            fprintf(stderr, "dealscore backtest: out of memory\n");
            return -1;
        }
    return 0;
}

static int run_backtest(bt_run *run, int argc, char **argv) {
    for (int i = 0; i < run->n_policies; i++)
        if (open_policy(&run->policies[i], &run->opt, run->model) < 0) return CLI_USAGE;
    if (start_measuring(run, run->model) < 0) return CLI_USAGE;
    cli_output output = {0};
    FILE *out = stdout;
    if (run->opt.output) {
        if (cli_output_open(&output, "backtest", run->opt.output) < 0) return CLI_USAGE;
        out = output.f;
    }
    int failed = 0;
    for (int i = optind; i < argc; i++) failed |= read_input(run, argv[i]) < 0;
    /* an empty export: no report at all */
    bool empty = !failed && dealscore_backtest_count(run->measured).read == 0;
    int rc = failed ? CLI_USAGE : empty ? CLI_DEAL_ERRORS : bt_report(run, out);
    bool none = empty || (rc == CLI_OK && judged_none(run));
    if (empty) cli_note_no_deals("backtest", "measure", run->opt.output);
    if (!run->opt.quiet) /* every policy scores the same deals: the first one's count */
        cli_note_undated("backtest", dealscore_engine_undated(run->policies[0].engine));
    if (run->opt.output) { /* the report replaces FILE only when it was written whole */
        if (rc == CLI_USAGE || none)
            cli_output_abort(&output);
        else if (cli_output_commit(&output, "backtest") < 0)
            rc = CLI_USAGE;
    } else if (fflush(out) != 0) {
        fprintf(stderr, "dealscore backtest: writing the report: %s\n", strerror(errno));
        rc = CLI_USAGE;
    }
    if (rc != CLI_OK || none) return rc == CLI_USAGE ? rc : CLI_DEAL_ERRORS;
    long errors = dealscore_backtest_count(run->measured).unreadable + run->errors;
    return errors ? CLI_DEAL_ERRORS : CLI_OK;
}

int cli_backtest(int argc, char **argv) {
    bt_policy policies[BT_MAX_POLICIES];
    memset(policies, 0, sizeof policies);
    bt_run run = {.policies = policies};
    static cli_shared sh; /* the CSV options live as long as the run */
    if (parse_options(argc, argv, &run, &sh) < 0) return CLI_USAGE;
    dealscore_model *model = cli_load_model(run.opt.model);
    if (!model) return CLI_USAGE;
    run.model = model;
    int rc = run_backtest(&run, argc, argv);
    for (int i = 0; i < run.n_policies; i++) close_policy(&policies[i]);
    dealscore_backtest_free(run.measured);
    dealscore_model_free(model);
    return rc;
}
