/* cli_csv.c: the CSV options of the commands, and the import's messages on
 * standard error; see cli_csv.h. The import is the library's (dealscore_csv_*). */
#include "cli_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int set_once(const char **slot, const char *command, const char *name, const char *v) {
    if (*slot) {
        fprintf(stderr, "dealscore %s: %s given twice ('%s' and '%s'); give it once\n", command,
                name, *slot, v);
        return -1;
    }
    *slot = v;
    return 0;
}

static int separator(char *slot, const char *command, const char *name, const char *v,
                     const char *allowed) {
    char ch = dealscore_csv_delimiter(v);
    if (!ch || !strchr(allowed, ch)) {
        fprintf(stderr, "dealscore %s: %s takes one of %s, not '%s'\n", command, name,
                strcmp(name, "--delimiter") == 0 ? ", ; tab |" : allowed, v);
        return -1;
    }
    *slot = ch;
    return 0;
}

int cli_csv_option(cli_csv_options *o, const char *command, int c, const char *arg) {
    switch (c) {
    case CLI_OPT_CSV:
        return set_once(&o->deals, command, "--csv", arg) < 0 ? -1 : 1;
    case CLI_OPT_STAKEHOLDERS:
        return set_once(&o->stakeholders, command, "--stakeholders", arg) < 0 ? -1 : 1;
    case CLI_OPT_RELATIONSHIPS:
        return set_once(&o->relationships, command, "--relationships", arg) < 0 ? -1 : 1;
    case CLI_OPT_MAPPING:
        return set_once(&o->mapping, command, "--mapping", arg) < 0 ? -1 : 1;
    case CLI_OPT_CONTACTS:
        return set_once(&o->contacts, command, "--contacts", arg) < 0 ? -1 : 1;
    case CLI_OPT_TITLES:
        return set_once(&o->titles, command, "--titles", arg) < 0 ? -1 : 1;
    case CLI_OPT_DELIMITER:
        return separator(&o->delimiter, command, "--delimiter", arg, ",;\t|") < 0 ? -1 : 1;
    case CLI_OPT_DECIMAL:
        return separator(&o->decimal, command, "--decimal", arg, ".,") < 0 ? -1 : 1;
    case CLI_OPT_THOUSANDS:
        return separator(&o->thousands, command, "--thousands", arg, ",. '") < 0 ? -1 : 1;
    case CLI_OPT_ENCODING:
        if (set_once(&o->encoding, command, "--encoding", arg) < 0) return -1;
        if (!dealscore_csv_encoding_known(arg)) {
            fprintf(stderr,
                    "dealscore %s: --encoding: iconv does not know '%s' (try windows-1252, "
                    "latin1, utf-16; `iconv -l` lists them all)\n",
                    command, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_DATE_FORMAT:
        if (set_once(&o->date_format, command, "--date-format", arg) < 0) return -1;
        if (!dealscore_csv_date_format_ok(arg)) {
            fprintf(stderr,
                    "dealscore %s: --date-format: '%s' is not a date format (YYYY, M or MM, D "
                    "or DD, once each, and separators: DD.MM.YYYY, M/D/YYYY, YYYY-MM-DD)\n",
                    command, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_VERBOSE:
        o->verbose = true;
        return 1;
    default:
        return 0;
    }
}

static bool csv_name(const char *path) {
    size_t n = path ? strlen(path) : 0;
    return n > 4 &&
           (strcasecmp(path + n - 4, ".csv") == 0 || strcasecmp(path + n - 4, ".tsv") == 0);
}

int cli_csv_finish(cli_csv_options *o, const char *command, const char *path) {
    if (!o->deals && csv_name(path)) o->deals = path;
    bool extra = o->stakeholders || o->relationships || o->mapping || o->delimiter || o->encoding ||
                 o->decimal || o->thousands || o->contacts || o->titles || o->date_format;
    if (!o->deals && extra) {
        fprintf(stderr,
                "dealscore %s: --stakeholders, --relationships, --contacts, --titles, --mapping, "
                "--delimiter, --encoding, --decimal, --thousands and --date-format go with CSV "
                "deals (--csv FILE)\n",
                command);
        return -1;
    }
    if (o->decimal && o->thousands && o->decimal == o->thousands) {
        fprintf(stderr, "dealscore %s: --decimal and --thousands are the same character\n",
                command);
        return -1;
    }
    cli_csv_messages(o, false);
    return o->deals ? 1 : 0;
}

const char *cli_csv_summary(const dealscore_csv_counts *n, char *buf, size_t len) {
    size_t at = 0;
    buf[0] = '\0';
    if (n->row_errors)
        at += (size_t)snprintf(buf + at, len - at, "%s%ld unusable CSV rows", at ? "; " : "",
                               n->row_errors);
    if (n->orphans && at < len)
        at += (size_t)snprintf(buf + at, len - at,
                               "%s%ld rows of deals not in the deals file, "
                               "ignored",
                               at ? "; " : "", n->orphans);
    if (n->merged && at < len)
        at += (size_t)snprintf(buf + at, len - at, "%s%ld contact rows merged (two roles)",
                               at ? "; " : "", n->merged);
    if (n->footers && at < len)
        at += (size_t)snprintf(buf + at, len - at, "%s%ld footer rows skipped", at ? "; " : "",
                               n->footers);
    return buf;
}

bool cli_csv_wanted(const cli_csv_options *o, const char *path) {
    return o && (o->deals || csv_name(path));
}

static const char quiet_marker; /* message_ctx of a quiet run */

static void say(void *ctx, int kind, const char *text) {
    if (kind == DEALSCORE_CSV_NOTE && ctx == &quiet_marker) return;
    fprintf(stderr, "dealscore: %s\n", text);
}

void cli_csv_messages(cli_csv_options *o, bool quiet) {
    o->message = say;
    o->message_ctx = quiet ? (void *)&quiet_marker : NULL;
}

int cli_csv_read(const cli_csv_options *o, const char *path, size_t max_deal_memory,
                 const dealscore_input *in, dealscore_csv_counts *counts) {
    cli_csv_options opts = *o;
    opts.deals = path;
    opts.max_deal_memory = max_deal_memory;
    if (!opts.message) cli_csv_messages(&opts, false);
    return dealscore_csv_read(&opts, in, counts);
}
