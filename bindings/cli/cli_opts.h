/* cli_opts.h: the command line every command shares.
 *
 * One parser for the options several commands take (model, as-of, policy and
 * its budgets, jobs, format, output, quiet, the CSV trio): a command declares
 * which of them it takes and adds its own, and cli_parse() runs getopt_long over
 * both. One number parser (cli_number) for every numeric option, one --policy
 * parser (dealscore_policy_spec, through cli_policy_add). Messages have one shape:
 * "dealscore COMMAND: --OPTION takes WHAT, not 'VALUE'". */
#ifndef CLI_OPTS_H
#define CLI_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli_csv.h"
#include "dealscore.h"

/* ---- numbers ---- */

enum {
    CLI_NUM_INTEGER = 1, /* digits only: no fraction, no exponent, no sign */
    CLI_NUM_SI = 2,      /* k, M, G suffix: thousands (5M instructions) */
    CLI_NUM_BYTES = 4,   /* K, M, G (either case) suffix: 1024s (256M bytes) */
};

/* Parses s as a number in min..max with the CLI_NUM_* flags; false when it is
 * not one (empty, trailing text, out of range, not finite). */
bool cli_number(const char *s, unsigned flags, double min, double max, double *out);
/* The same for an exact unsigned 64-bit integer (seeds). */
bool cli_number_u64(const char *s, uint64_t *out);
/* Prints "dealscore COMMAND: OPTION takes WANT, not 'VALUE'" and returns -1. */
int cli_bad_value(const char *command, const char *option, const char *want, const char *value);

/* A count in 0..1000 (--max-actions); -1 when s is not one. */
int cli_parse_count(const char *s);
/* "256M", "1G", "65536": a size in bytes (K, M, G binary suffixes); 0 when it
 * is not one, or under the 1 MiB a deal needs. */
size_t cli_parse_size(const char *s);

/* ---- policies ---- */

/* What --policy and the budgets said. */
typedef struct cli_policy_args {
    int n; /* policies named so far: NAME and FILE each */
    struct {
        char name[DEALSCORE_POLICY_NAME];
        const char *path; /* not copied */
    } policies[DEALSCORE_MAX_POLICIES];
    const char *field, *instructions, *memory; /* as given, or NULL */
    /* cli_policy_finish: the deal field naming a policy (NULL: none), and the
     * budgets the options give (< 0: the model's) */
    const char *policy_field;
    long long max_instructions, max_memory;
    /* how a FILE without NAME= is named: "default" (NULL), or after the file
     * (backtest measures each policy under its own name) */
    bool name_from_file;
    /* a NAME given twice is an error (else the later FILE replaces the earlier) */
    bool unique;
    int given;        /* --policy options given */
    const char *spec; /* the last one as given (with --server: the server's policy's name) */
} cli_policy_args;

/* Adds one --policy argument; prints the error and returns -1 when malformed. */
int cli_policy_add(cli_policy_args *a, const char *command, const char *spec);
/* Completes the policies after the model is loaded: the bundled default when no
 * FILE replaced it (and no NAME was given with name_from_file), the deal field,
 * the budgets (the model's runtime section checked, the options read). Prints
 * the error, returns -1. */
int cli_policy_finish(cli_policy_args *a, const char *command, const dealscore_model *m);
/* The engine options of finished policy arguments: the files, the field, the
 * budgets. The strings stay a's. */
void cli_policy_options(const cli_policy_args *a, dealscore_options *o);

/* For a front end whose policies read their budgets from the model (the
 * service's workers): writes the options' budgets over the model's runtime
 * section. Prints the error and returns -1 on a bad value. */
int cli_policy_to_model(cli_policy_args *a, const char *command, dealscore_model *m);

/* ---- the options commands share ---- */

enum {
    CLI_SH_MODEL = 1 << 0,        /* -m, --model FILE */
    CLI_SH_AS_OF = 1 << 1,        /* --as-of DATE */
    CLI_SH_POLICY = 1 << 2,       /* -p, --policy [NAME=]FILE */
    CLI_SH_BUDGETS = 1 << 3,      /* --policy-instructions N, --policy-memory MB */
    CLI_SH_JOBS = 1 << 4,         /* -j, --jobs N */
    CLI_SH_FORMAT = 1 << 5,       /* -f, --format FMT (the command's formats) */
    CLI_SH_OUTPUT = 1 << 6,       /* -o, --output FILE */
    CLI_SH_QUIET = 1 << 7,        /* -q, --quiet */
    CLI_SH_CSV = 1 << 8,          /* --csv, --stakeholders, ... (cli_csv.h) */
    CLI_SH_POLICY_FIELD = 1 << 9, /* --policy-field FIELD */
    CLI_SH_SERVER = 1 << 10,      /* --server HOST:PORT, --tls, --tls-ca FILE, --token-file FILE */
};

typedef struct cli_shared {
    const char *model;  /* NULL: the bundled models/default.json */
    const char *as_of;  /* as given */
    char as_of_day[11]; /* "YYYY-MM-DD", or "" unless --as-of was given */
    cli_policy_args policy;
    int jobs;           /* 0 unless -j was given */
    int format;         /* the value of the format given, else the first's */
    const char *output; /* -o FILE, or NULL (no -o, or -o -: standard output) */
    bool quiet;
    cli_csv_options csv;
    const char *server;     /* --server HOST:PORT, or NULL: scored here */
    bool tls;               /* --tls, or implied by --tls-ca */
    const char *tls_ca;     /* --tls-ca FILE, or NULL: the system's authorities */
    const char *token_file; /* --token-file FILE: the server's token, or NULL */
} cli_shared;

/* One -f value a command accepts; aliases repeat a value. */
typedef struct cli_format_name {
    const char *name;
    int value;
} cli_format_name;

typedef struct cli_spec {
    const char *name;               /* "score", for messages */
    const char *usage;              /* the --help text */
    unsigned shared;                /* CLI_SH_* */
    const cli_format_name *formats; /* {NULL, 0}-terminated; the first is the default */
    const char *shortopts;          /* the command's own short options */
    const struct option *longopts;  /* its own long ones, {NULL}-terminated, or NULL */
    /* takes one of the command's own options: returns -1 on a bad value, with
     * the message printed */
    int (*own)(void *ctx, int c, const char *arg);
    void *ctx;
} cli_spec;

/* Parses argv into sh (zeroed here, with the policy rules kept) and the
 * command's own options through spec->own; -h prints the usage and exits 0.
 * Returns 0 with the operands at argv[optind...], or -1 on a usage error
 * (message printed). */
int cli_parse(const cli_spec *spec, int argc, char **argv, cli_shared *sh);

/* --help text of the shared options, for the commands' usage */
#define CLI_HELP_MODEL "  -m, --model FILE    model parameters (default: models/default.json)\n"
#define CLI_HELP_AS_OF                                                                             \
    "      --as-of DATE    judge deals without an as_of at DATE (YYYY-MM-DD, or today)\n"
#define CLI_HELP_BUDGETS                                                                           \
    "      --policy-instructions N\n"                                                              \
    "                      Lua instructions a policy may run per deal (model:\n"                   \
    "                      runtime.instruction_budget; k/M/G suffixes; 0 = no limit)\n"            \
    "      --policy-memory MB\n"                                                                   \
    "                      memory cap of the policies' Lua state per worker (model:\n"             \
    "                      runtime.memory_limit_mb; 0 = no limit)\n"
#define CLI_HELP_SERVER                                                                            \
    "      --server HOST:PORT\n"                                                                   \
    "                      have a running dealscore serve score the deals (host names,\n"          \
    "                      [IPv6]:PORT; :PORT is this machine): the output and exit\n"             \
    "                      status are a local run's with the server's model and\n"                 \
    "                      policies. --policy NAME picks one of the server's policies\n"           \
    "                      (dealscore serve's --policy NAME=FILE); --model, --as-of\n"             \
    "                      and the budgets are the server's\n"                                     \
    "      --tls           speak TLS to the server, checking its certificate against\n"            \
    "                      the system's authorities and the host name given\n"                     \
    "      --tls-ca FILE   trust the authorities of this PEM file instead (a\n"                    \
    "                      self-signed server certificate itself); implies --tls\n"                \
    "      --token-file FILE\n"                                                                    \
    "                      send the token of this file's first line (a server run\n"               \
    "                      with --token-all needs it)\n"
#define CLI_POLICY_HELP                                                                            \
    "  -p, --policy [NAME=]FILE\n"                                                                 \
    "                      Lua scoring policy (default: scripts/default.lua). Give\n"              \
    "                      NAME=FILE once per segment: a deal's \"policy\" field names\n"          \
    "                      the one that scores it; FILE alone replaces the default\n"              \
    "      --policy-field FIELD\n"                                                                 \
    "                      the deal key naming its policy (default: policy, read only\n"           \
    "                      when named policies are given or with this option)\n" CLI_HELP_BUDGETS

#endif
