/* cli_opts.c: the shared command line: numbers, policies, and the option loop
 * every command runs; see cli_opts.h. */
#include "cli_opts.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- numbers ---- */

/* The multiplier of a suffix the flags allow, 0 when c is not one, 1 for none. */
static double suffix(char c, unsigned flags) {
    if (c == '\0') return 1;
    if (flags & CLI_NUM_SI) return c == 'k' ? 1e3 : c == 'M' ? 1e6 : c == 'G' ? 1e9 : 0;
    if (flags & CLI_NUM_BYTES) {
        c = (char)(c | 0x20); /* either case */
        return c == 'k' ? 0x1p10 : c == 'm' ? 0x1p20 : c == 'g' ? 0x1p30 : 0;
    }
    return 0;
}

/* The scanner under both entry points: digits (with a fraction and exponent
 * unless CLI_NUM_INTEGER), then an optional suffix. long double holds every
 * 64-bit integer exactly. */
static bool scan(const char *s, unsigned flags, long double *out) {
    char *end;
    errno = 0;
    long double v;
    if (flags & CLI_NUM_INTEGER) {
        if (*s < '0' || *s > '9') return false;
        v = (long double)strtoull(s, &end, 10);
    } else {
        if (*s == '-' || *s == '+' || *s == ' ' || *s == '\0') return false;
        v = strtold(s, &end);
    }
    if (errno || end == s || !isfinite(v)) return false;
    double unit = suffix(*end, flags);
    if (unit == 0 || (*end && end[1])) return false;
    *out = v * unit;
    return true;
}

bool cli_number(const char *s, unsigned flags, double min, double max, double *out) {
    long double v;
    if (!scan(s, flags, &v) || !(v >= min && v <= max)) return false;
    *out = (double)v;
    return true;
}

bool cli_number_u64(const char *s, uint64_t *out) {
    long double v;
    if (!scan(s, CLI_NUM_INTEGER, &v) || v > (long double)UINT64_MAX) return false;
    *out = (uint64_t)v;
    return true;
}

int cli_bad_value(const char *command, const char *option, const char *want, const char *value) {
    fprintf(stderr, "dealscore %s: %s takes %s, not '%s'\n", command, option, want, value);
    return -1;
}

int cli_parse_count(const char *s) {
    double v;
    return cli_number(s, CLI_NUM_INTEGER, 0, 1000, &v) ? (int)v : -1;
}

size_t cli_parse_size(const char *s) {
    double v;
    if (!cli_number(s, CLI_NUM_INTEGER | CLI_NUM_BYTES, 0x1p20, (double)(SIZE_MAX >> 1), &v))
        return 0; /* under the 1 MiB a deal needs to be read at all */
    return (size_t)v;
}

/* ---- policies ---- */

int cli_policy_add(cli_policy_args *a, const char *command, const char *spec) {
    char name[DEALSCORE_POLICY_NAME], err[256];
    const char *path;
    if (dealscore_policy_spec(spec, a->name_from_file ? NULL : "default", name, &path, err,
                              sizeof err) < 0) {
        fprintf(stderr, "dealscore %s: --policy %s\n", command, err);
        return -1;
    }
    int i = 0;
    while (i < a->n && strcmp(a->policies[i].name, name) != 0) i++;
    if (i < a->n && a->unique) {
        fprintf(stderr, "dealscore %s: --policy: the name '%s' is given twice\n", command, name);
        return -1;
    }
    if (i == DEALSCORE_MAX_POLICIES) {
        fprintf(stderr, "dealscore %s: --policy: at most %d policies\n", command,
                DEALSCORE_MAX_POLICIES);
        return -1;
    }
    if (i == a->n) snprintf(a->policies[a->n++].name, sizeof a->policies[0].name, "%s", name);
    a->policies[i].path = path;
    return 0;
}

/* The budgets of the options (< 0 where the model's apply), after the model's
 * runtime section is checked: its error first, as every engine would refuse it. */
static int budgets(cli_policy_args *a, const char *command, const dealscore_model *m) {
    char err[256];
    if (dealscore_model_budgets(m, NULL, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "dealscore %s: %s\n", command, err);
        return -1;
    }
    double v;
    a->max_instructions = a->max_memory = -1;
    if (a->instructions) {
        if (!cli_number(a->instructions, CLI_NUM_SI, 0, 1e15, &v))
            return cli_bad_value(command, "--policy-instructions",
                                 "a count (e.g. 5000000 or 5M, 0 for no limit)", a->instructions);
        a->max_instructions = (long long)v;
    }
    if (a->memory) {
        if (!cli_number(a->memory, CLI_NUM_SI, 0, 1e6, &v))
            return cli_bad_value(command, "--policy-memory", "megabytes (0 for no limit)",
                                 a->memory);
        a->max_memory = (long long)(size_t)(v * 1048576.0);
    }
    return 0;
}

int cli_policy_to_model(cli_policy_args *a, const char *command, dealscore_model *m) {
    char err[256];
    if (budgets(a, command, m) < 0) return -1;
    if (dealscore_model_set_budgets(m, a->max_instructions, a->max_memory, err, sizeof err) < 0) {
        fprintf(stderr, "dealscore %s: %s\n", command, err);
        return -1;
    }
    return 0;
}

int cli_policy_finish(cli_policy_args *a, const char *command, const dealscore_model *m) {
    static char bundled[PATH_MAX];
    bool named = false, has_default = false;
    for (int i = 0; i < a->n; i++) {
        if (strcmp(a->policies[i].name, "default") == 0)
            has_default = true;
        else
            named = true;
    }
    if (!has_default && !(a->name_from_file && a->n)) {
        if (a->n == DEALSCORE_MAX_POLICIES) {
            fprintf(stderr, "dealscore %s: --policy: at most %d policies\n", command,
                    DEALSCORE_MAX_POLICIES);
            return -1;
        }
        cli_bundled(bundled, sizeof bundled, "scripts/default.lua");
        snprintf(a->policies[a->n].name, sizeof a->policies[0].name, "default");
        a->policies[a->n++].path = bundled;
    }
    a->policy_field = a->field ? a->field : named ? "policy" : NULL;
    return budgets(a, command, m);
}

void cli_policy_options(const cli_policy_args *a, dealscore_options *o) {
    dealscore_options_init(o);
    for (int i = 0; i < a->n; i++) {
        o->policies[i].name = a->policies[i].name;
        o->policies[i].path = a->policies[i].path;
    }
    o->n_policies = a->n;
    o->policy_field = a->policy_field;
    o->instructions = a->max_instructions;
    o->memory_bytes = a->max_memory;
}

/* ---- the option loop ---- */

enum {
    OPT_AS_OF = 1000,
    OPT_POLICY_FIELD,
    OPT_POLICY_INSTRUCTIONS,
    OPT_POLICY_MEMORY,
    OPT_SERVER,
    OPT_TLS,
    OPT_TLS_CA,
    OPT_TOKEN_FILE,
};

/* clang-format off */
static const struct {
    unsigned bit;
    const char *shortopt;
    struct option opt;
} shared[] = {
    {CLI_SH_MODEL, "m:", {"model", required_argument, NULL, 'm'}},
    {CLI_SH_AS_OF, "", {"as-of", required_argument, NULL, OPT_AS_OF}},
    {CLI_SH_POLICY, "p:", {"policy", required_argument, NULL, 'p'}},
    {CLI_SH_POLICY_FIELD, "", {"policy-field", required_argument, NULL, OPT_POLICY_FIELD}},
    {CLI_SH_BUDGETS, "", {"policy-instructions", required_argument, NULL, OPT_POLICY_INSTRUCTIONS}},
    {CLI_SH_BUDGETS, "", {"policy-memory", required_argument, NULL, OPT_POLICY_MEMORY}},
    {CLI_SH_JOBS, "j:", {"jobs", required_argument, NULL, 'j'}},
    {CLI_SH_FORMAT, "f:", {"format", required_argument, NULL, 'f'}},
    {CLI_SH_OUTPUT, "o:", {"output", required_argument, NULL, 'o'}},
    {CLI_SH_QUIET, "q", {"quiet", no_argument, NULL, 'q'}},
    {CLI_SH_SERVER, "", {"server", required_argument, NULL, OPT_SERVER}},
    {CLI_SH_SERVER, "", {"tls", no_argument, NULL, OPT_TLS}},
    {CLI_SH_SERVER, "", {"tls-ca", required_argument, NULL, OPT_TLS_CA}},
    {CLI_SH_SERVER, "", {"token-file", required_argument, NULL, OPT_TOKEN_FILE}},
};
static const struct option csv_options[] = {CLI_CSV_LONGOPTS};
/* clang-format on */

#define N_SHARED (sizeof shared / sizeof shared[0])
#define N_CSV (sizeof csv_options / sizeof csv_options[0])
#define MAX_OPTIONS 96

/* "jsonl, table or csv": the format names without their aliases */
static void formats_said(const cli_format_name *f, char *out, size_t len) {
    size_t n = 0, used = 0;
    for (size_t i = 0; f[i].name; i++)
        if (i == 0 || f[i].value != f[i - 1].value) n++;
    out[0] = '\0';
    for (size_t i = 0, k = 0; f[i].name; i++) {
        if (i > 0 && f[i].value == f[i - 1].value) continue;
        k++;
        const char *sep = k == 1 ? "" : k == n ? " or " : ", ";
        int w = snprintf(out + used, len - used, "%s%s", sep, f[i].name);
        if (w < 0 || (size_t)w >= len - used) return;
        used += (size_t)w;
    }
}

static int take_format(const cli_spec *spec, cli_shared *sh, const char *arg) {
    for (size_t i = 0; spec->formats[i].name; i++) {
        if (strcmp(spec->formats[i].name, arg) == 0) {
            sh->format = spec->formats[i].value;
            return 1;
        }
    }
    char said[128];
    formats_said(spec->formats, said, sizeof said);
    return cli_bad_value(spec->name, "--format", said, arg);
}

/* A file option given twice would silently drop the first file. */
static int set_once(const char *command, const char **slot, const char *name, const char *value) {
    if (*slot) {
        fprintf(stderr, "dealscore %s: %s given twice ('%s' and '%s'); give it once\n", command,
                name, *slot, value);
        return -1;
    }
    *slot = value;
    return 1;
}

/* 1 when c is a shared option (taken), 0 when not, -1 when its value is bad. */
static int take_shared(const cli_spec *spec, cli_shared *sh, int c, const char *arg) {
    double v;
    switch (c) {
    case 'm':
        return set_once(spec->name, &sh->model, "--model", arg);
    case OPT_AS_OF:
        sh->as_of = arg;
        return 1;
    case 'p':
        sh->policy.given++;
        sh->policy.spec = arg;
        return cli_policy_add(&sh->policy, spec->name, arg) < 0 ? -1 : 1;
    case OPT_POLICY_FIELD:
        sh->policy.field = arg;
        return 1;
    case OPT_POLICY_INSTRUCTIONS:
        sh->policy.instructions = arg;
        return 1;
    case OPT_POLICY_MEMORY:
        sh->policy.memory = arg;
        return 1;
    case 'j':
        if (!cli_number(arg, CLI_NUM_INTEGER, 1, CLI_MAX_JOBS, &v))
            return cli_bad_value(spec->name, "--jobs", "a number from 1 to 256", arg);
        sh->jobs = (int)v;
        return 1;
    case 'f':
        return take_format(spec, sh, arg);
    case 'o':
        return set_once(spec->name, &sh->output, "--output", arg);
    case 'q':
        sh->quiet = true;
        return 1;
    case OPT_SERVER:
        return set_once(spec->name, &sh->server, "--server", arg);
    case OPT_TLS:
        sh->tls = true;
        return 1;
    case OPT_TLS_CA:
        sh->tls = true;
        return set_once(spec->name, &sh->tls_ca, "--tls-ca", arg);
    case OPT_TOKEN_FILE:
        return set_once(spec->name, &sh->token_file, "--token-file", arg);
    default:
        return cli_csv_option(&sh->csv, spec->name, c, arg);
    }
}

/* The getopt tables: the command's own options, then the shared ones it takes. */
static void tables(const cli_spec *spec, struct option *longopts, char *shortopts, size_t len) {
    size_t n = 0;
    snprintf(shortopts, len, "%sh", spec->shortopts ? spec->shortopts : "");
    for (size_t i = 0; spec->longopts && spec->longopts[i].name && n < MAX_OPTIONS - 1; i++)
        longopts[n++] = spec->longopts[i];
    longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    for (size_t i = 0; i < N_SHARED; i++) {
        if (!(spec->shared & shared[i].bit) || n >= MAX_OPTIONS - 1) continue;
        longopts[n++] = shared[i].opt;
        size_t used = strlen(shortopts);
        snprintf(shortopts + used, len - used, "%s", shared[i].shortopt);
    }
    for (size_t i = 0; (spec->shared & CLI_SH_CSV) && i < N_CSV && n < MAX_OPTIONS - 1; i++)
        longopts[n++] = csv_options[i];
    longopts[n] = (struct option){NULL, 0, NULL, 0};
}

int cli_parse(const cli_spec *spec, int argc, char **argv, cli_shared *sh) {
    struct option longopts[MAX_OPTIONS];
    char shortopts[128];
    tables(spec, longopts, shortopts, sizeof shortopts);
    cli_policy_args rules = sh->policy; /* name_from_file, unique */
    *sh = (cli_shared){.format = spec->formats ? spec->formats[0].value : 0};
    sh->policy.name_from_file = rules.name_from_file;
    sh->policy.unique = rules.unique;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(spec->usage, stdout);
            exit(CLI_OK);
        }
        if (c == '?') {
            fputs(spec->usage, stderr);
            return -1;
        }
        int taken = take_shared(spec, sh, c, optarg);
        if (taken < 0 || (!taken && (!spec->own || spec->own(spec->ctx, c, optarg) < 0))) return -1;
    }
    if (sh->as_of && cli_parse_as_of(spec->name, sh->as_of, sh->as_of_day) < 0) return -1;
    /* `-o -` is standard output, as an input `-` is standard input (not ./-) */
    if (sh->output && strcmp(sh->output, "-") == 0) sh->output = NULL;
    if ((sh->tls || sh->token_file) && !sh->server) {
        fprintf(stderr, "dealscore %s: --tls, --tls-ca and --token-file go with --server\n",
                spec->name);
        return -1;
    }
    return 0;
}
