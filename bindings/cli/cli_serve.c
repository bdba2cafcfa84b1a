/* cli_serve.c: `dealscore serve`, the scoring service on a TCP port.
 *
 * Reads the options, loads the model and the token, and runs the service of
 * bindings/server (srv.h) until SIGTERM or SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "srv.h"

#define MAX_POLICIES DEALSCORE_MAX_POLICIES

static const char usage[] =
    "usage: dealscore serve [OPTIONS]\n"
    "\n"
    "Answers scoring requests over TCP: newline-delimited JSON, one request per line and\n"
    "one response per line, in request order on each connection (pipelining allowed),\n"
    "and HTTP/1.1 on the same port (POST /v1/score, GET /healthz, /readyz, /metrics...:\n"
    "docs/openapi.json), told apart by a connection's first bytes.\n"
    "A request is a bare deal (scored with the default policy) or an envelope\n"
    "  {\"id\": ..., \"op\": "
    "\"score\"|\"explain\"|\"actions\"|\"ping\"|\"stats\"|\"reload\"|\"policies\",\n"
    "   \"deal\": {...}, \"policy\": \"NAME\", \"token\": \"...\"}\n"
    "whose response echoes \"id\". Errors are {\"id\": ..., \"error\": {\"code\", \"message\",\n"
    "\"path\"}} and the connection stays open. The protocol: docs/protocol.md.\n"
    "\n"
    "options:\n"
    "  -l, --listen HOST:PORT   address to listen on (default 127.0.0.1:7411): an IPv4\n"
    "                           address, [IPv6] ([::1]:7411), a host name (its first\n"
    "                           address that binds), or :PORT for every IPv4 interface\n"
    "                           (0.0.0.0); port 0 picks a free port, logged at start\n"
    "  -w, --workers N, -j, --jobs N\n"
    "                           worker threads, each with its own event loop and policies\n"
    "                           (default: one per core)\n"
    "  -p, --policy NAME=FILE   a Lua policy requests can name; repeat for several. The\n"
    "                           one named default (else the first) scores bare deals.\n"
    "                           FILE alone means default=FILE (default:\n"
    "                           default=scripts/default.lua)\n"
    "  -m, --model FILE         model parameters (default: models/default.json)\n"
    "      --policy-instructions N\n"
    "                           Lua instructions a policy may run per deal (model:\n"
    "                           runtime.instruction_budget; k/M/G suffixes; 0 = no\n"
    "                           limit); past it a deal gets policy_timeout\n"
    "      --policy-memory MB   memory cap of each worker's policies (model:\n"
    "                           runtime.memory_limit_mb; 0 = no limit)\n"
    "      --max-line BYTES     longest request line; longer ones get a line_too_long\n"
    "                           error and are skipped (default 1M; suffixes K, M and G)\n"
    "      --max-connections N  connections open at once; more are refused with a\n"
    "                           too_many_connections error line (default 1024)\n"
    "      --idle-timeout S     close connections silent for S seconds; 0 never\n"
    "                           (default 60)\n"
    "      --deal-timeout S     a deal running S seconds (a policy stuck in a C call no\n"
    "                           budget stops) is answered deadline_exceeded, its\n"
    "                           worker's connections are closed and the worker\n"
    "                           replaced; 0 never (default 10)\n"
    "      --token-file FILE    the ops stats and reload need this file's first line in\n"
    "                           \"token\" (HTTP: Authorization: Bearer TOKEN) (default:\n"
    "                           no token needed)\n"
    "      --tls-cert FILE, --tls-key FILE\n"
    "                           speak TLS (1.2 or later) on every connection, both\n"
    "                           protocols: the certificate chain and its private key,\n"
    "                           PEM. Clients that do not start TLS are closed\n"
    "      --token-all          every op needs the token, not only stats and reload\n"
    "                           (/healthz, /readyz and /metrics stay open)\n"
    "      --log-level LEVEL    error, warn, info (default) or debug (one line per\n"
    "                           connection)\n"
    "      --log-format FORMAT  text (default) or json: one JSON object per line,\n"
    "                           {\"time\", \"level\", \"msg\"}\n"
    "  -h, --help               this text\n"
    "\n"
    "signals: SIGHUP reloads the policies (like the reload op: all or nothing);\n"
    "SIGTERM or SIGINT stops accepting, answers every request received, and exits 0;\n"
    "a second one exits at once with status 1.\n"
    "\n"
    "Logs go to standard error, one line per event: time, level, message.\n"
    "\n"
    "exit status: 0 stopped by a signal after answering everything, 1 stopped by a\n"
    "second signal, 2 usage or setup error (address in use, a policy that does not\n"
    "load, an unreadable token file).\n";

typedef struct serve_options {
    srv_config cfg;
    srv_policy_spec policies[MAX_POLICIES];
    char host[256];
    const char *model, *token_file;
} serve_options;

static int bad(const char *fmt, const char *arg) {
    fputs("dealscore serve: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return -1;
}

static int parse_listen(serve_options *o, const char *arg) {
    const char *colon = strrchr(arg, ':');
    if (!colon) return bad("--listen takes HOST:PORT, not '%s'", arg);
    const char *host = arg;
    size_t len = (size_t)(colon - arg);
    if (host[0] == '[' && len >= 2 && host[len - 1] == ']') host++, len -= 2;
    double port;
    if (len == 0) host = "0.0.0.0", len = 7; /* :PORT: every IPv4 interface */
    if (len >= sizeof o->host || !cli_number(colon + 1, CLI_NUM_INTEGER, 0, 65535, &port))
        return bad("--listen takes HOST:PORT with a numeric port, not '%s'", arg);
    memcpy(o->host, host, len);
    o->host[len] = '\0';
    o->cfg.host = o->host;
    o->cfg.port = (int)port;
    return 0;
}

/* An integer option in min..max (flags: CLI_NUM_BYTES for --max-line). */
static int parse_int(const char *arg, unsigned flags, const char *what, double min, double max,
                     double *out) {
    if (cli_number(arg, CLI_NUM_INTEGER | flags, min, max, out)) return 0;
    fprintf(stderr, "dealscore serve: %s takes a number from %.0f to %.0f, not '%s'\n", what, min,
            max, arg);
    return -1;
}

enum {
    MAX_LINE = 256,
    MAX_CONNECTIONS,
    IDLE_TIMEOUT,
    TOKEN_FILE,
    TOKEN_ALL,
    TLS_CERT,
    TLS_KEY,
    LOG_LEVEL,
    LOG_FORMAT,
    DEAL_TIMEOUT
};

static int serve_option(void *ctx, int c, const char *arg) {
    serve_options *o = ctx;
    double v;
    switch (c) {
    case 'l':
        return parse_listen(o, arg);
    case 'w':
        if (parse_int(arg, 0, "--workers", 1, CLI_MAX_JOBS, &v) < 0) return -1;
        o->cfg.workers = (int)v;
        return 0;
    case MAX_LINE:
        if (parse_int(arg, CLI_NUM_BYTES, "--max-line", 64, 1L << 30, &v) < 0) return -1;
        o->cfg.max_line = (size_t)v;
        return 0;
    case MAX_CONNECTIONS:
        if (parse_int(arg, 0, "--max-connections", 1, 1000000, &v) < 0) return -1;
        o->cfg.max_connections = (int)v;
        return 0;
    case DEAL_TIMEOUT:
        if (!cli_number(arg, 0, 0, 86400, &o->cfg.deal_timeout))
            return bad("--deal-timeout takes seconds (0 for never), not '%s'", arg);
        return 0;
    case IDLE_TIMEOUT:
        if (!cli_number(arg, 0, 0, 86400 * 365, &o->cfg.idle_timeout))
            return bad("--idle-timeout takes seconds (0 for never), not '%s'", arg);
        return 0;
    case TOKEN_FILE:
        o->token_file = arg;
        return 0;
    case TOKEN_ALL:
        o->cfg.token_all = true;
        return 0;
    case TLS_CERT:
        o->cfg.tls_cert = arg;
        return 0;
    case TLS_KEY:
        o->cfg.tls_key = arg;
        return 0;
    case LOG_LEVEL:
        if ((srv_log_level = srv_log_parse_level(arg)) < 0)
            return bad("--log-level takes error, warn, info or debug, not '%s'", arg);
        return 0;
    case LOG_FORMAT:
        if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0)
            return bad("--log-format takes text or json, not '%s'", arg);
        srv_log_json = strcmp(arg, "json") == 0;
        return 0;
    default:
        return -1;
    }
}

static int parse_options(int argc, char **argv, serve_options *o, cli_shared *sh) {
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"workers", required_argument, NULL, 'w'},
        {"max-line", required_argument, NULL, MAX_LINE},
        {"max-connections", required_argument, NULL, MAX_CONNECTIONS},
        {"idle-timeout", required_argument, NULL, IDLE_TIMEOUT},
        {"deal-timeout", required_argument, NULL, DEAL_TIMEOUT},
        {"token-file", required_argument, NULL, TOKEN_FILE},
        {"token-all", no_argument, NULL, TOKEN_ALL},
        {"tls-cert", required_argument, NULL, TLS_CERT},
        {"tls-key", required_argument, NULL, TLS_KEY},
        {"log-level", required_argument, NULL, LOG_LEVEL},
        {"log-format", required_argument, NULL, LOG_FORMAT},
        {NULL, 0, NULL, 0}};
    const cli_spec spec = {.name = "serve",
                           .usage = usage,
                           .shared = CLI_SH_MODEL | CLI_SH_POLICY | CLI_SH_BUDGETS | CLI_SH_JOBS,
                           .shortopts = "l:w:",
                           .longopts = longopts,
                           .own = serve_option,
                           .ctx = o};
    sh->policy.unique = true;
    if (cli_parse(&spec, argc, argv, sh) < 0) return -1;
    if (optind < argc) return bad("unexpected argument '%s'", argv[optind]);
    if (o->cfg.token_all && !o->token_file) return bad("--token-all needs --token-file%s", "");
    if (!o->cfg.tls_cert != !o->cfg.tls_key)
        return bad("--tls-cert and --tls-key go together%s", "");
    if (sh->jobs) o->cfg.workers = sh->jobs;
    o->model = sh->model;
    return 0;
}

/* The token: the file's first line without its line end. */
static char *read_token(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "dealscore serve: --token-file %s: %s\n", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077))
        srv_log(SRV_LOG_WARN, "--token-file %s can be read by other users (chmod 600 it)", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = getline(&line, &cap, f);
    fclose(f);
    /* the token is compared as a C string: a NUL would cut it short, and a
     * leading one would make it empty, letting every request through */
    if (len > 0 && memchr(line, '\0', (size_t)len)) {
        fprintf(stderr, "dealscore serve: --token-file %s: the first line holds a NUL byte\n",
                path);
        free(line);
        return NULL;
    }
    while (len > 0 && strchr("\r\n \t", line[len - 1])) line[--len] = '\0';
    if (len <= 0) {
        fprintf(stderr, "dealscore serve: --token-file %s: the first line is empty\n", path);
        free(line);
        return NULL;
    }
    return line;
}

/* The policy specs of the service from --policy (the bundled default when none
 * is named default... or given at all), and the budgets, which the workers read
 * from the model's runtime section: the options are written over it. */
static int policies(serve_options *o, cli_shared *sh, dealscore_model *m) {
    cli_policy_args *a = &sh->policy;
    if (a->n == 0 && cli_policy_finish(a, "serve", m) < 0) return -1;
    for (int i = 0; i < a->n; i++)
        o->policies[o->cfg.n_policies++] =
            (srv_policy_spec){a->policies[i].name, a->policies[i].path};
    return cli_policy_to_model(a, "serve", m);
}

static int default_workers(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > 256 ? 256 : (int)cores;
}

int cli_serve(int argc, char **argv) {
    static serve_options o; /* large; lives for the whole run */
    static cli_shared sh;   /* the policy specs point into it */
    o.cfg = (srv_config){.host = "127.0.0.1",
                         .port = 7411,
                         .workers = default_workers(),
                         .max_line = 1024 * 1024,
                         .max_connections = 1024,
                         .idle_timeout = 60,
                         .deal_timeout = 10,
                         .policies = o.policies};
    if (parse_options(argc, argv, &o, &sh) < 0) return CLI_USAGE;
    char *token = NULL;
    if (o.token_file && !(token = read_token(o.token_file))) return CLI_USAGE;
    o.cfg.token = token;
    dealscore_model *model = cli_load_model(o.model);
    if (!model) {
        free(token);
        return CLI_USAGE;
    }
    if (policies(&o, &sh, model) < 0) {
        dealscore_model_free(model);
        free(token);
        return CLI_USAGE;
    }
    o.cfg.model = model; /* the options' budgets written over its runtime section */
    int rc = srv_run(&o.cfg);
    dealscore_model_free(model);
    free(token);
    return rc == SRV_EXIT_OK ? CLI_OK : rc == SRV_EXIT_SETUP ? CLI_USAGE : rc;
}
