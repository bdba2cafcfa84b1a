/* cli_diff.c: `dealscore diff OLD NEW`, what changed between two pipeline exports.
 *
 * Stakeholder management is tracking: the gap between what was asked and what is
 * now wanted. Each side is a deal export (scored here, with the same model and
 * policy) or a result export of `dealscore score`; a line is recognised by its
 * keys, so both kinds may even be mixed. Deals are matched by id. Per deal: the
 * change of each score and of the verdict, stakeholders who appeared, left or
 * moved in stance, and warnings that are new (stale contacts, expectation gaps)
 * or resolved. Deals on one side only are added or removed. Output is JSONL, one
 * line per deal, NEW's order first, then the removed deals in OLD's order.
 *
 * The comparison and its JSON and text are the library's (dealscore_diff in
 * lib/dealscore.h, which the service's diff operation uses too); this file reads
 * the two files, reports what could not be read and prints. With --server the
 * deals read here go to the service's diff op in one request, each named as a
 * local run names it, and what it answers is printed as a local run prints. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "dealscore.h"
#include "cli_session.h"

static const char usage[] =
    "usage: dealscore diff [OPTIONS] OLD NEW\n"
    "\n"
    "Compares two exports of the same pipeline, deal by deal (matched by id). Each file\n"
    "is a deal export (JSONL or a JSON array; scored here with the model and policy) or\n"
    "the results of `dealscore score` (with --explain, results also carry stakeholders).\n"
    "For each deal: the change of every score and of the verdict, stakeholders who\n"
    "appeared, left or moved in stance, and warnings that are new or resolved: stale\n"
    "contacts (stale:<id>), expectation gaps (expectation_gap:<id>, from deal exports:\n"
    "a stakeholder whose expectation_gap reaches the policy's expectation_gap_min),\n"
    "unmapped IT or users; from deal exports, the deal's own stage, amount and close\n"
    "date when they moved (\"deal\": a deal gone closed_lost, a cut amount, a slipped\n"
    "close date is changed even when its scores held). Deals in one file only are\n"
    "listed as added or removed.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT    jsonl (default: one JSON object per deal) or text (changes\n"
    "                      only, for a person)\n"
    "      --min-move X    smallest change of stated or predicted stance that counts as\n"
    "                      a move (default 0.1)\n"
    "  -h, --help          this text\n"
    "\n"
    "scoring options for deal exports, as for dealscore score:\n" CLI_SESSION_HELP CLI_HELP_SERVER
    "                      (the two files travel in one request: together they must\n"
    "                      fit the server's --max-line)\n"
    "  OLD and NEW CSV deals are joined with the same --stakeholders and --contacts\n"
    "  files: to compare two nights each with its own contacts, `dealscore convert`\n"
    "  each night to JSONL and diff those (docs/csv.md).\n"
    "\n"
    "exit status: 0 compared, 1 some deals could not be scored or read (they are listed\n"
    "with their error), or OLD or NEW holds no deal (nothing is compared then: every\n"
    "deal would show as added or removed), 2 usage or setup error.\n";

/* What a local run says on standard error, kept with --server until the
 * service's notes can be put in its place: before the deal `at` of `side`. */
typedef struct said {
    int side;
    long at;
    char *text;
} said;

/* Text written with open_memstream: data[0..len) once flushed. */
typedef struct stream {
    FILE *f;
    char *data;
    size_t len;
} stream;

/* --server: the two sides as the request's arrays, and what to say in order. */
typedef struct remote_diff {
    stream side[2], where[2]; /* JSON arrays being written, without the closing ] */
    char **wheres[2];         /* each deal's name, to place the service's notes */
    long n[2], cap[2];
    said *said;
    long n_said, cap_said;
} remote_diff;

typedef struct diff_run {
    cli_session *session;
    remote_diff *remote; /* with --server */
    dealscore_diff *diff;
    int side; /* DEALSCORE_DIFF_OLD or _NEW, being read */
    double min_move;
    bool text;
    long errors;
    long lines[2]; /* deal lines read on each side (DEALSCORE_DIFF_OLD, _NEW) */
} diff_run;

static int stream_open(stream *s) {
    s->f = open_memstream(&s->data, &s->len);
    return s->f ? 0 : -1;
}

static void stream_close(stream *s) {
    if (s->f) fclose(s->f);
    free(s->data);
    *s = (stream){0};
}

static int keep_said(remote_diff *rd, int side, long at, const char *text) {
    if (rd->n_said == rd->cap_said) {
        long cap = rd->cap_said ? rd->cap_said * 2 : 16;
        said *grown = realloc(rd->said, sizeof *grown * (size_t)cap);
        if (!grown) return -1;
        rd->said = grown;
        rd->cap_said = cap;
    }
    char *copy = strdup(text);
    if (!copy) return -1;
    rd->said[rd->n_said++] = (said){side, at, copy};
    return 0;
}

/* --server: the deal's bytes (as a JSON string: any bytes travel intact, as
 * `score --server` sends them) and its name, for the request. */
static int add_remote(diff_run *r, const char *text, size_t len, const char *where) {
    remote_diff *rd = r->remote;
    int side = r->side == DEALSCORE_DIFF_NEW;
    long n = r->lines[side] - 1;
    if (n == rd->cap[side]) {
        long cap = rd->cap[side] ? rd->cap[side] * 2 : 64;
        char **grown = realloc(rd->wheres[side], sizeof *grown * (size_t)cap);
        if (!grown) return -1;
        rd->wheres[side] = grown;
        rd->cap[side] = cap;
    }
    if (!(rd->wheres[side][n] = strdup(where))) return -1;
    rd->n[side] = n + 1;
    putc(n ? ',' : '[', rd->side[side].f);
    cli_json_bytes(rd->side[side].f, text, len);
    putc(n ? ',' : '[', rd->where[side].f);
    cli_json_bytes(rd->where[side].f, where, strlen(where));
    return ferror(rd->side[side].f) || ferror(rd->where[side].f) ? -1 : 0;
}

static int on_line(void *ctx, const char *text, size_t len, const char *where) {
    diff_run *r = ctx;
    if (r->remote) {
        r->lines[r->side == DEALSCORE_DIFF_NEW]++;
        if (add_remote(r, text, len, where) == 0) return 0;
        fprintf(stderr, "dealscore diff: out of memory\n");
        return 1;
    }
    const dealscore_diff_deal *deal;
    r->lines[r->side == DEALSCORE_DIFF_NEW]++;
    int rc = dealscore_diff_add(r->diff, r->side, text, len, where, &deal);
    if (rc < 0) {
        fprintf(stderr, "dealscore diff: out of memory\n");
        return 1;
    }
    if (deal->error) {
        r->errors++;
        fprintf(stderr, "dealscore diff: %s: deal %s cannot be scored (%s)\n", where,
                deal->id ? deal->id : "without an id", deal->error);
    }
    if (rc == DEALSCORE_DIFF_REPEATED) {
        r->errors++;
        fprintf(stderr,
                "dealscore diff: %s: deal id %s repeats an earlier one: the first is kept\n", where,
                deal->id);
    }
    return 0;
}

/* Input that never became a deal (too long, broken JSON): it has no id to match. */
static int on_reject(void *ctx, const char *code, const char *message) {
    diff_run *r = ctx;
    r->errors++;
    if (!r->remote) {
        fprintf(stderr, "dealscore diff: %s (%s)\n", message, code);
        return 0;
    }
    char text[1024]; /* said later, in its place among the service's notes */
    snprintf(text, sizeof text, "%s (%s)", message, code);
    int side = r->side == DEALSCORE_DIFF_NEW;
    if (keep_said(r->remote, side, r->lines[side], text) == 0) return 0;
    fprintf(stderr, "dealscore diff: out of memory\n");
    return 1;
}

/* --server, when the service is not asked (or fails): what was said while
 * reading, said now. */
static void say_kept(diff_run *r) {
    for (long k = 0; r->remote && k < r->remote->n_said; k++) {
        fprintf(stderr, "dealscore diff: %s\n", r->remote->said[k].text);
        free(r->remote->said[k].text);
    }
    if (r->remote) r->remote->n_said = 0;
}

static int read_side(diff_run *r, int side, const char *path) {
    r->side = side;
    int rc = cli_session_read(r->session, path, on_line, on_reject, r);
    if (rc < 0) say_kept(r);
    return rc;
}

/* Prints each change as it comes (a deal at a time), in the format asked for. */
static int print_changes(diff_run *r) {
    const dealscore_diff_change *c;
    while ((c = dealscore_diff_next(r->diff))) {
        size_t len;
        const char *out =
            r->text ? dealscore_diff_text(r->diff, c, &len) : dealscore_diff_json(r->diff, c, &len);
        if (!out) break;
        fwrite(out, 1, len, stdout);
        if (!r->text) putchar('\n');
    }
    if (r->text) {
        size_t len;
        const char *out = dealscore_diff_summary(r->diff, &len);
        if (out) fwrite(out, 1, len, stdout);
    }
    return 0;
}

/* A side without a deal (an empty export, a header only) would list every deal
 * of the other as added or removed: a broken export, not a change. */
static int no_deals(diff_run *r, const char *old, const char *new) {
    say_kept(r);
    for (int i = 0; i < 2; i++)
        if (!r->lines[i])
            fprintf(stderr,
                    "dealscore diff: %s %s holds no deal (an empty export, a header only, or "
                    "no usable row): nothing compared\n",
                    i ? "NEW" : "OLD", i ? new : old);
    return CLI_DEAL_ERRORS;
}

/* ---- --server ---- */

/* The service's notes, each "WHERE: ..." of one deal in the order sent, put
 * back among what was said while reading: standard error as a local run's. */
static void say_in_order(diff_run *r, const cJSON *notes) {
    remote_diff *rd = r->remote;
    const cJSON *note = notes ? notes->child : NULL;
    long k = 0;
    for (int side = 0; side < 2; side++) {
        for (long at = 0; at <= r->lines[side]; at++) {
            for (; k < rd->n_said && rd->said[k].side == side && rd->said[k].at == at; k++)
                fprintf(stderr, "dealscore diff: %s\n", rd->said[k].text);
            if (at == r->lines[side]) break;
            const char *where = rd->wheres[side][at];
            size_t wl = strlen(where);
            while (cJSON_IsString(note) && strncmp(note->valuestring, where, wl) == 0 &&
                   strncmp(note->valuestring + wl, ": ", 2) == 0) {
                fprintf(stderr, "dealscore diff: %s\n", note->valuestring);
                r->errors++;
                note = note->next;
            }
        }
    }
    for (; note; note = note->next) { /* none are left; never lost if they were */
        fprintf(stderr, "dealscore diff: %s\n", cJSON_IsString(note) ? note->valuestring : "?");
        r->errors++;
    }
    for (k = 0; k < rd->n_said; k++) free(rd->said[k].text); /* all said */
    rd->n_said = 0;
}

/* One request with both sides; prints what it answers (the changes only when
 * asked: with a side without deals, a local run still scores the other and
 * says what it says, but compares nothing). CLI_OK, or CLI_USAGE when the
 * service refused or went away (said why). */
static int diff_remote(diff_run *r, const char *server, bool changes) {
    remote_diff *rd = r->remote;
    stream req = {0};
    bool ok = (req.f = open_memstream(&req.data, &req.len)) != NULL;
    if (ok)
        fprintf(req.f, "\"format\":\"%s\",\"min_move\":%.17g", r->text ? "text" : "jsonl",
                r->min_move);
    static const char *const names[2] = {"old", "new"};
    for (int side = 0; ok && side < 2; side++) {
        ok = fflush(rd->side[side].f) == 0 && fflush(rd->where[side].f) == 0;
        const char *open = rd->n[side] ? "" : "["; /* no deal: nothing was written */
        fprintf(req.f, ",\"%s\":%s", names[side], open);
        fwrite(rd->side[side].data, 1, rd->side[side].len, req.f);
        fprintf(req.f, "],\"%s_where\":%s", names[side], open);
        fwrite(rd->where[side].data, 1, rd->where[side].len, req.f);
        putc(']', req.f);
    }
    ok = ok && fflush(req.f) == 0 && !ferror(req.f);
    const char *line;
    size_t len;
    cJSON *answer = NULL;
    if (!ok) {
        fprintf(stderr, "dealscore diff: out of memory\n");
    } else if (cli_remote_call(r->session->remote, "diff", req.data, req.len, &line, &len) < 0) {
        fprintf(stderr, "dealscore diff: %s\n", cli_remote_message(r->session->remote));
    } else {
        answer = cJSON_ParseWithLength(line, len);
    }
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(answer, "text");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(answer, "error");
    int rc = CLI_USAGE;
    if (!cJSON_IsString(text)) say_kept(r);
    if (cJSON_IsString(text)) {
        const cJSON *undated = cJSON_GetObjectItemCaseSensitive(answer, "undated");
        if (cJSON_IsNumber(undated)) r->session->undated += (long)undated->valuedouble;
        say_in_order(r, cJSON_GetObjectItemCaseSensitive(answer, "notes"));
        if (changes) fputs(text->valuestring, stdout);
        rc = CLI_OK;
    } else if (answer) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "message");
        fprintf(stderr, "dealscore diff: --server %s: %s (%s)%s\n", server,
                cJSON_IsString(message) ? message->valuestring : "an answer without a message",
                cJSON_IsString(code) ? code->valuestring : "?",
                cJSON_IsString(code) && strcmp(code->valuestring, "line_too_long") == 0
                    ? ": OLD and NEW travel in one request line; raise the server's --max-line "
                      "or diff locally"
                    : "");
    }
    cJSON_Delete(answer);
    stream_close(&req);
    return rc;
}

static void remote_free(remote_diff *rd) {
    for (int side = 0; side < 2; side++) {
        stream_close(&rd->side[side]);
        stream_close(&rd->where[side]);
        for (long i = 0; i < rd->n[side]; i++) free(rd->wheres[side][i]);
        free(rd->wheres[side]);
    }
    for (long k = 0; k < rd->n_said; k++) free(rd->said[k].text);
    free(rd->said);
}

static int diff_option(void *ctx, int c, const char *arg) {
    diff_run *r = ctx;
    if (c != 'v' || cli_number(arg, 0, 0, 2, &r->min_move)) return 0;
    return cli_bad_value("diff", "--min-move", "a number 0..2", arg);
}

static const cli_format_name formats[] = {{"jsonl", 0}, {"text", 1}, {NULL, 0}};

int cli_diff(int argc, char **argv) {
    static const struct option longopts[] = {{"min-move", required_argument, NULL, 'v'},
                                             {NULL, 0, NULL, 0}};
    cli_session_options so = {.max_actions = -1};
    diff_run r = {.min_move = 0.1};
    const cli_spec spec = {.name = "diff",
                           .usage = usage,
                           .shared = CLI_SESSION_SHARED | CLI_SH_FORMAT | CLI_SH_SERVER,
                           .formats = formats,
                           .longopts = longopts,
                           .own = diff_option,
                           .ctx = &r};
    if (cli_session_parse(&spec, 2, "two files, OLD and NEW", argc, argv, &so) < 0)
        return CLI_USAGE;
    r.text = so.sh.format == 1;
    if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0) {
        fprintf(stderr, "dealscore diff: only one of OLD and NEW can be standard input\n");
        return CLI_USAGE;
    }
    cli_session s;
    remote_diff rd = {0};
    if (so.sh.server) {
        if (cli_session_open_remote(&s, "diff", &so, "diff", NULL) < 0) return CLI_USAGE;
        r.remote = &rd;
        for (int side = 0; side < 2; side++)
            if (stream_open(&rd.side[side]) < 0 || stream_open(&rd.where[side]) < 0) {
                fprintf(stderr, "dealscore diff: out of memory\n");
                remote_free(&rd);
                cli_session_close(&s);
                return CLI_USAGE;
            }
    } else if (cli_session_open(&s, "diff", &so) < 0) {
        return CLI_USAGE;
    } else { /* ids repeat across the two sides, each side checks its own; no explain */
        dealscore_engine_set_flags(s.engine, 0, NULL, 0);
    }
    r.session = &s;
    r.diff = r.remote ? NULL : dealscore_diff_new(s.engine, r.min_move);
    if (!r.remote && !r.diff) {
        fprintf(stderr, "dealscore diff: out of memory\n");
        cli_session_close(&s);
        return CLI_USAGE;
    }
    int rc = CLI_OK;
    if (read_side(&r, DEALSCORE_DIFF_OLD, argv[optind]) < 0 ||
        read_side(&r, DEALSCORE_DIFF_NEW, argv[optind + 1]) < 0)
        rc = CLI_USAGE;
    else if (!r.lines[0] || !r.lines[1]) {
        int asked =
            r.remote && (r.lines[0] || r.lines[1]) ? diff_remote(&r, so.sh.server, false) : CLI_OK;
        rc = no_deals(&r, argv[optind], argv[optind + 1]);
        if (asked != CLI_OK) rc = asked;
    } else if (r.remote)
        rc = diff_remote(&r, so.sh.server, true);
    else
        print_changes(&r);
    if (r.remote) remote_free(&rd);
    if (rc == CLI_OK && r.errors) rc = CLI_DEAL_ERRORS;
    if (fflush(stdout) != 0) rc = CLI_USAGE;
    dealscore_diff_free(r.diff);
    cli_session_close(&s);
    return rc;
}
