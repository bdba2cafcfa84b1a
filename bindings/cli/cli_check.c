/* cli_check.c: `dealscore check POLICY [DEALS ...]`, trying a policy before use.
 *
 * Loads the policy in the same sandbox and budgets as `score`, so a syntax error
 * shows as file:line exactly as it would in production, then scores example
 * deals with it and prints what it returned for each. Anything outside the
 * contract (a viability that is not a number in 0..100, an unknown verdict,
 * reasons that are not strings, a malformed custom action, an error, a budget
 * exceeded) makes the check fail. Deals that are themselves invalid are
 * reported but do not fail the policy. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_csv.h"
#include "cli_engine.h"
#include "cli_remote.h"
#include "dealscore.h"

static const char usage[] =
    "usage: dealscore check [OPTIONS] POLICY [DEALS ...]\n"
    "\n"
    "Loads the Lua policy POLICY in the sandbox `dealscore score` uses, reports a\n"
    "syntax or loading error with its file:line, then scores the deals of DEALS\n"
    "(JSONL or JSON arrays; default: the bundled models/examples/pipeline.jsonl) and\n"
    "prints, per deal, what the policy returned: viability, verdict, reasons and any\n"
    "custom actions. The check fails on anything outside the policy contract\n"
    "(docs/policies.md): an error raised by the policy, a viability that is not a\n"
    "number in 0..100, an unknown verdict, reasons that are not strings, a malformed\n"
    "action or one whose patch makes an invalid deal, or a budget exceeded. Deals\n"
    "that are themselves invalid are listed as input errors and do not fail the check.\n"
    "\n"
    "options:\n"
    "  -m, --model FILE    model parameters (default: models/default.json)\n"
    "      --as-of DATE    judge deals without an as_of at DATE (YYYY-MM-DD, or "
    "today)\n" CLI_HELP_BUDGETS
    "  -q, --quiet         print only problems and the summary (no notes on a CSV\n"
    "                      export's columns)\n"
    "\n"
    "CSV deals (DEALS ending in .csv or .tsv, or --csv FILE; see docs/csv.md):\n" CLI_CSV_HELP "\n"
    "a running service (POLICY is then the name of one of its policies, as its\n"
    "--policy NAME=FILE gave it; the check is made there, the report printed "
    "here):\n" CLI_HELP_SERVER "  -h, --help          this text\n"
    "\n"
    "exit status: 0 the policy kept the contract on every deal, 1 it did not (or did\n"
    "not load, or no deal could be tried: an empty file, only invalid deals), 2 usage\n"
    "error (bad option, unreadable deals, bad model).\n";

typedef struct check_run {
    dealscore_engine *engine; /* or, with --server: */
    cli_remote *remote;
    long undated; /* remote answers marked undated */
    bool quiet;
    long kept, broken, bad_input;
    const cli_csv_options *csv;
    const char *named; /* the --csv FILE, checked before the operands */
} check_run;

static void print_actions(const dealscore_result *r) {
    for (int i = 0; i < r->n_proposals; i++) {
        const dealscore_proposal *p = &r->proposals[i];
        printf("       action %s%s%s %s\n", p->action, p->target ? " -> " : "",
               p->target ? p->target : "", p->patch);
    }
}

static void print_result(const dealscore_result *r) {
    /* viability rounded as the result line has it, then printed */
    printf("ok   %-28s viability %5.1f  %-9s reasons: [", r->id,
           dealscore_round(r->viability, DEALSCORE_DECIMALS_SCORE), r->verdict);
    for (int i = 0; i < r->n_reasons; i++) printf("%s%s", i ? ", " : "", r->reasons[i]);
    printf("]\n");
}

/* Keys the deal gives that were not read as written: input problems, listed
 * even with --quiet (docs/model.md "Unknown and repeated keys"). */
static void print_key_notes(const dealscore_result *r, const char *where) {
    for (int i = 0; i < r->n_key_notes; i++) {
        const dealscore_key_note *k = &r->key_notes[i];
        if (k->field)
            printf("key  %-28s %s is not read by dealscore; did you mean \"%s\"?\n",
                   r->id ? r->id : where, k->path, k->field);
        else
            printf("key  %-28s %s is repeated in its object; the last one is read\n",
                   r->id ? r->id : where, k->path);
    }
}

static int on_deal(void *ctx, const char *text, size_t len, const char *where) {
    check_run *run = ctx;
    dealscore_result answer;
    const char *line;
    size_t line_len;
    const dealscore_result *r = &answer;
    if (run->remote) {
        cli_remote_score(run->remote, text, len, where, &line, &line_len, &answer);
        if (!answer.error.code && cli_remote_undated(run->remote)) run->undated++;
    } else {
        r = dealscore_score(run->engine, text, len, where);
    }
    const char *code = r->error.code;
    print_key_notes(r, where);
    if (!code) {
        run->kept++;
        if (!run->quiet) {
            print_result(r);
            print_actions(r);
        }
        return 0;
    }
    bool policy = strncmp(code, "policy_", 7) == 0 || strcmp(code, "unknown_policy") == 0;
    if (policy)
        run->broken++;
    else
        run->bad_input++;
    printf("%s %-28s %s: %s\n", policy ? "FAIL" : "skip", r->id ? r->id : where, code,
           r->error.message);
    return 0;
}

/* csv_named: --csv FILE was given (else a FILE.csv operand names the deals) */
static int parse_options(int argc, char **argv, cli_shared *sh, bool *csv_named) {
    const cli_spec spec = {.name = "check",
                           .usage = usage,
                           .shared = CLI_SH_MODEL | CLI_SH_AS_OF | CLI_SH_BUDGETS | CLI_SH_QUIET |
                                     CLI_SH_CSV | CLI_SH_SERVER};
    if (cli_parse(&spec, argc, argv, sh) < 0) return -1;
    if (optind >= argc) {
        fputs("dealscore check: which policy? (dealscore check POLICY [DEALS ...])\n", stderr);
        return -1;
    }
    *csv_named = sh->csv.deals != NULL;
    if (cli_csv_finish(&sh->csv, "check", optind + 1 < argc ? argv[optind + 1] : NULL) < 0)
        return -1;
    cli_csv_messages(&sh->csv, sh->quiet); /* -q: no notes on a CSV export's columns */
    return 0;
}

/* A CSV row that cannot be a deal: an input error, as an invalid deal is. */
static int on_reject(void *ctx, const char *code, const char *message) {
    check_run *run = ctx;
    run->bad_input++;
    printf("skip %-28s %s: %s\n", "(row)", code, message);
    return 0;
}

static int check_file(check_run *run, const char *path) {
    if (cli_csv_wanted(run->csv, path)) {
        dealscore_input in = {.deal = on_deal, .reject = on_reject, .ctx = run};
        return cli_csv_read(run->csv, path,
                            run->remote ? DEALSCORE_DEAL_MEMORY_DEFAULT
                                        : dealscore_engine_deal_memory(run->engine),
                            &in, NULL);
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    int rc = dealscore_read_deals(f, path, on_deal, run);
    fclose(f);
    return rc;
}

static int check_deals(check_run *run, int argc, char **argv) {
    char bundled[PATH_MAX];
    if (run->named && check_file(run, run->named) < 0) return -1;
    if (optind >= argc && !run->named) {
        cli_bundled(bundled, sizeof bundled, "models/examples/pipeline.jsonl");
        return check_file(run, bundled);
    }
    for (int i = optind; i < argc; i++)
        if (check_file(run, argv[i]) < 0) return -1;
    return 0;
}

/* What the check found. */
static void summary(const check_run *run, double lua_memory) {
    printf(
        "%ld deals: %ld within the contract, %ld outside it, %ld input errors; Lua state %.0f KB\n",
        run->kept + run->broken + run->bad_input, run->kept, run->broken, run->bad_input,
        lua_memory / 1024.0);
}

/* The exit status, after the summary and the as_of note. */
static int verdict(const check_run *run, int rc) {
    if (rc < 0) return CLI_USAGE;
    if (run->kept + run->broken == 0) {
        /* a CI step that checked nothing must not pass */
        fprintf(stderr,
                "dealscore check: the policy was tried on no deal%s; give deals it can "
                "score\n",
                run->bad_input ? " (every deal was an input error)" : " (the input holds none)");
        return CLI_DEAL_ERRORS;
    }
    return run->broken ? CLI_DEAL_ERRORS : CLI_OK;
}

/* --server: the policy called `name` on the service, tried there on the deals
 * read here; printed as a local check prints (the Lua state is the server
 * worker's, every policy of the service in it). */
static int check_remote(cli_shared *o, bool csv_named, const char *name, int argc, char **argv) {
    cli_remote_options ro;
    if (o->policy.given) {
        fputs("dealscore check: with --server, POLICY names the server's policy: no --policy\n",
              stderr);
        return CLI_USAGE;
    }
    if (cli_remote_options_from(o, "check", "check", &ro) < 0) return CLI_USAGE;
    ro.policy = name;
    char err[512], label[128], file[4096];
    bool custom = false;
    cli_remote *remote = cli_remote_open(&ro, err, sizeof err);
    if (!remote) {
        fprintf(stderr, "dealscore check: %s\n", err);
        return CLI_USAGE;
    }
    cli_remote_policy(remote, name, label, sizeof label, file, sizeof file, &custom);
    printf("policy %s (%s)%s\n", label, file, custom ? ", with custom actions" : "");
    check_run run = {.remote = remote,
                     .quiet = o->quiet,
                     .csv = &o->csv,
                     .named = csv_named ? o->csv.deals : NULL};
    int rc = check_deals(&run, argc, argv);
    summary(&run, cli_remote_lua_memory(remote));
    cli_note_undated("check", run.undated);
    cli_remote_close(remote);
    return verdict(&run, rc);
}

int cli_check(int argc, char **argv) {
    cli_shared o = {0};
    bool csv_named = false;
    if (parse_options(argc, argv, &o, &csv_named) < 0) return CLI_USAGE;
    const char *path = argv[optind++];
    if (o.server) return check_remote(&o, csv_named, path, argc, argv);
    dealscore_model *model = cli_load_model(o.model);
    if (!model) return CLI_USAGE;
    char err[256];
    if (cli_policy_add(&o.policy, "check", path) < 0 ||
        cli_policy_finish(&o.policy, "check", model) < 0) {
        dealscore_model_free(model);
        return CLI_USAGE;
    }
    check_run run = {.quiet = o.quiet, .csv = &o.csv, .named = csv_named ? o.csv.deals : NULL};
    run.engine = cli_engine_open(NULL, &o.policy, model, o.as_of_day, DEALSCORE_PROPOSALS, 0, 0, 0);
    if (!run.engine) {
        dealscore_model_free(model);
        return CLI_DEAL_ERRORS;
    }
    bool custom = dealscore_engine_policy_has_actions(run.engine, NULL);
    printf("policy %s (%s)%s\n", dealscore_engine_policy_label(run.engine, NULL), path,
           custom ? ", with custom actions" : "");
    /* custom actions go through the actions engine too: a patch that makes an
     * invalid deal fails the check as it would fail `score --actions` */
    if (custom && dealscore_engine_set_flags(run.engine, DEALSCORE_PROPOSALS | DEALSCORE_ACTIONS,
                                             err, sizeof err) < 0)
        printf("note: %s: custom actions are checked for their shape only\n", err);
    int rc = check_deals(&run, argc, argv);
    summary(&run, (double)dealscore_engine_lua_memory(run.engine));
    cli_note_undated("check", dealscore_engine_undated(run.engine));
    cli_note_keys("check", &run.engine, 1);
    dealscore_engine_free(run.engine);
    dealscore_model_free(model);
    return verdict(&run, rc);
}
