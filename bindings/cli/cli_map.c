/* cli_map.c: `dealscore map`, the stakeholder map of one deal as Graphviz DOT.
 *
 * The drawing is the library's (dealscore_map_dot, lib/dealscore_map.c); this
 * command picks the deal, and --format svg pipes the DOT through Graphviz's dot
 * when it is installed. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_format.h"
#include "cli_session.h"
#include "dealscore.h"

static const char usage[] =
    "usage: dealscore map [OPTIONS] FILE\n"
    "\n"
    "Draws the stakeholder map of a deal of FILE (JSONL or a JSON array; '-' reads\n"
    "standard input) as a Graphviz graph: nodes coloured by predicted stance (green for,\n"
    "red against) and sized by effective influence, decision makers as boxes, champions\n"
    "with a thick blue border, IT and users grouped, edges by relationship type with\n"
    "conflict in red, and the strongest champion-to-buyer path in orange.\n"
    "\n"
    "options:\n"
    "  -i, --id ID         the deal to draw (needed when FILE holds several)\n"
    "  -f, --format FMT    dot (default) or svg (runs Graphviz's dot)\n"
    "  -h, --help          this text\n"
    "\n"
    "scoring options, as for dealscore score:\n" CLI_SESSION_HELP "\n"
    "To get a picture: dealscore map --id ID deals.jsonl | dot -Tpng -o map.png\n"
    "\n"
    "exit status: 0 drawn, 1 the deal cannot be scored or no deal has the id, 2 usage or\n"
    "setup error (also: --format svg without Graphviz installed).\n";

typedef struct map_run {
    char *dot; /* the map (dealscore_map_dot), malloc'd */
    size_t len;
    long deals;
    bool error;
} map_run;

static int map_one(cli_session *s, void *ctx, const char *where) {
    map_run *r = ctx;
    if (++r->deals > 1) return 1; /* the caller says to choose one with --id */
    if (s->result->error.code) {
        r->error = true;
        cli_print_unscored(stderr, "map", where, &s->result->error);
        return 0;
    }
    size_t len;
    char *dot = dealscore_map_dot(s->engine, s->result, &len);
    if (!dot) {
        r->error = true;
        fprintf(stderr, "dealscore map: %s: out of memory drawing the map\n", where);
        return 0;
    }
    free(r->dot);
    r->dot = dot, r->len = len;
    return 0;
}

/* Graphviz's dot on the PATH? */
static bool have_dot(void) {
    const char *path = getenv("PATH");
    char file[4096];
    while (path && *path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && n < sizeof file - 5) {
            snprintf(file, sizeof file, "%.*s/dot", (int)n, path);
            if (access(file, X_OK) == 0) return true;
        }
        path += n + (path[n] == ':');
    }
    return false;
}

static int write_svg(const char *text, size_t len) {
    fflush(stdout);
    FILE *dot = popen("dot -Tsvg", "w");
    if (!dot) {
        perror("dealscore map: running dot");
        return CLI_USAGE;
    }
    fwrite(text, 1, len, dot);
    int status = pclose(dot);
    if (status != 0) {
        fprintf(stderr, "dealscore map: dot failed (status %d)\n", status);
        return CLI_USAGE;
    }
    return CLI_OK;
}

typedef struct map_options {
    cli_session_options session;
    const char *id;
    bool svg;
} map_options;

static int map_option(void *ctx, int c, const char *arg) {
    map_options *o = ctx;
    if (c == 'i') o->id = arg;
    return 0;
}

static const cli_format_name formats[] = {{"dot", 0}, {"svg", 1}, {NULL, 0}};

int cli_map(int argc, char **argv) {
    static const struct option longopts[] = {{"id", required_argument, NULL, 'i'},
                                             {NULL, 0, NULL, 0}};
    map_options o = {.session = {.max_actions = -1}};
    const cli_spec spec = {.name = "map",
                           .usage = usage,
                           .shared = CLI_SESSION_SHARED | CLI_SH_FORMAT,
                           .formats = formats,
                           .shortopts = "i:",
                           .longopts = longopts,
                           .own = map_option,
                           .ctx = &o};
    if (cli_session_parse(&spec, 1, "one FILE", argc, argv, &o.session) < 0) return CLI_USAGE;
    o.svg = o.session.sh.format == 1;
    if (o.svg && !have_dot()) {
        fprintf(stderr, "dealscore map: --format svg needs Graphviz's dot, which is not "
                        "installed.\nInstall the graphviz package (Debian: sudo apt-get install "
                        "graphviz), or use --format dot and render the graph elsewhere.\n");
        return CLI_USAGE;
    }
    cli_session s;
    if (cli_session_open(&s, "map", &o.session) < 0) return CLI_USAGE;
    map_run r = {NULL, 0, 0, false};
    long n = cli_session_each(&s, argv[optind], o.id, map_one, &r);
    int rc = CLI_OK;
    if (n < 0) {
        rc = CLI_USAGE;
    } else if (r.deals > 1) {
        fprintf(stderr, "dealscore map: %s holds several deals: choose one with --id\n",
                argv[optind]);
        rc = CLI_USAGE;
    } else if (r.deals == 0) {
        if (o.id)
            fprintf(stderr, "dealscore map: no deal with id '%s' in %s\n", o.id, argv[optind]);
        else
            fprintf(stderr, "dealscore map: %s holds no deal\n", argv[optind]);
        rc = CLI_DEAL_ERRORS;
    } else if (r.error || s.rejected) {
        rc = CLI_DEAL_ERRORS;
    } else if (o.svg) {
        rc = write_svg(r.dot, r.len);
    } else {
        fwrite(r.dot, 1, r.len, stdout);
    }
    free(r.dot);
    cli_session_close(&s);
    return rc;
}
