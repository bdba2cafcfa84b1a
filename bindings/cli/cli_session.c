/* cli_session.c: model, policy set and scorer for the per-deal commands; see
 * cli_session.h. */
#include "cli_session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_engine.h"

int cli_session_parse(const cli_spec *spec, int files, const char *files_said, int argc,
                      char **argv, cli_session_options *o) {
    if (cli_parse(spec, argc, argv, &o->sh) < 0) return -1;
    cli_csv_options *csv = &o->sh.csv;
    /* --csv FILE stands for the first file operand */
    if (csv->deals && argc - optind == files - 1 && optind > 1) argv[--optind] = (char *)csv->deals;
    if (cli_csv_finish(csv, spec->name, optind < argc ? argv[optind] : NULL) < 0) return -1;
    cli_csv_messages(csv, o->sh.quiet); /* -q: no notes on a CSV export's columns */
    if (argc - optind != files) {
        fprintf(stderr, "dealscore %s: give %s\n\n%s", spec->name, files_said, spec->usage);
        return -1;
    }
    return 0;
}

static int open_scorer(cli_session *s, cli_session_options *o) {
    if (cli_policy_finish(&o->sh.policy, s->command, s->model) < 0) return -1;
    unsigned flags = DEALSCORE_EXPLAIN | DEALSCORE_UNIQUE_IDS |
                     (o->actions ? DEALSCORE_ACTIONS : 0) |
                     (o->questions ? DEALSCORE_QUESTIONS : 0) |
                     (o->questions_exact ? DEALSCORE_QUESTIONS_EXACT : 0);
    s->engine = cli_engine_open(s->command, &o->sh.policy, s->model, o->sh.as_of_day, flags,
                                o->max_actions, o->max_questions, 0);
    if (!s->engine) return -1;
    s->open = true;
    return 0;
}

int cli_session_open(cli_session *s, const char *command, cli_session_options *o) {
    memset(s, 0, sizeof *s);
    s->command = command;
    s->csv = &o->sh.csv;
    s->quiet = o->sh.quiet;
    if (!(s->model = cli_load_model(o->sh.model))) return -1;
    if (open_scorer(s, o) < 0) {
        if (s->open)
            cli_session_close(s);
        else
            dealscore_model_free(s->model);
        return -1;
    }
    return 0;
}

int cli_session_open_remote(cli_session *s, const char *command, cli_session_options *o,
                            const char *op, const char *format) {
    memset(s, 0, sizeof *s);
    s->command = command;
    s->csv = &o->sh.csv;
    s->quiet = o->sh.quiet;
    cli_remote_options ro;
    if (cli_remote_options_from(&o->sh, command, op, &ro) < 0) return -1;
    ro.format = format;
    char err[512];
    if (!(s->remote = cli_remote_open(&ro, err, sizeof err))) {
        fprintf(stderr, "dealscore %s: %s\n", command, err);
        return -1;
    }
    if (!(s->seen = dealscore_ids_new())) {
        cli_remote_close(s->remote);
        fprintf(stderr, "dealscore %s: out of memory\n", command);
        return -1;
    }
    s->open = true;
    return 0;
}

void cli_session_close(cli_session *s) {
    if (!s->open) return;
    long undated = s->remote ? s->undated : dealscore_engine_undated(s->engine);
    if (!s->quiet) cli_note_undated(s->command, undated);
    if (!s->quiet && !s->remote) cli_note_keys(s->command, &s->engine, 1);
    if (s->remote) {
        cli_remote_close(s->remote);
        dealscore_ids_free(s->seen);
    } else {
        dealscore_engine_free(s->engine); /* and its policy set */
        dealscore_model_free(s->model);
    }
    s->open = false;
}

/* One deal on the service, with the batch's duplicate check a local engine
 * makes (DEALSCORE_UNIQUE_IDS): a validated deal whose id came before is a
 * duplicate_id error, whatever the service answered. */
static const dealscore_result *score_remote(cli_session *s, const char *text, size_t len,
                                            const char *where) {
    dealscore_result *r = &s->remote_result;
    cli_remote_score(s->remote, text, len, where, &s->line, &s->line_len, r);
    if (!r->error.code && cli_remote_undated(s->remote)) s->undated++;
    dealscore_error dup;
    if (!r->validated || !r->id ||
        dealscore_ids_add(s->seen, r->id, where, &dup, s->dup_message, sizeof s->dup_message) != 1)
        return r;
    const char *id = r->id;
    memset(r, 0, sizeof *r);
    r->id = id; /* in the answer, valid until the next call */
    r->validated = true;
    r->error = dup;
    s->line = NULL; /* the answer is not this result */
    s->line_len = 0;
    return r;
}

int cli_session_read(cli_session *s, const char *path, dealscore_deal_fn deal,
                     dealscore_reject_fn reject, void *ctx) {
    /* a deal's text counts against its memory limit (the service's: the default) */
    size_t limit =
        s->remote ? DEALSCORE_DEAL_MEMORY_DEFAULT : dealscore_engine_deal_memory(s->engine);
    dealscore_input in = {.deal = deal, .reject = reject, .ctx = ctx, .max_deal_bytes = limit};
    if (cli_csv_wanted(s->csv, path)) return cli_csv_read(s->csv, path, limit, &in, &s->rows);
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "dealscore %s: %s: %s\n", s->command, path, strerror(errno));
        return -1;
    }
    int rc = dealscore_input_read(f, is_stdin ? "<stdin>" : path, &in);
    if (rc < 0)
        fprintf(stderr, "dealscore %s: %s: read error: %s\n", s->command, path, strerror(errno));
    if (!is_stdin) fclose(f);
    return rc;
}

typedef struct each_run {
    cli_session *s;
    const char *id;
    size_t id_len;
    cli_session_fn fn;
    void *ctx;
    long count;
} each_run;

/* With --id, a deal whose text holds neither the id nor any JSON escape (through
 * which the id could be spelt differently) cannot match and is not scored. */
static bool may_match(const each_run *r, const char *text, size_t len) {
    if (!r->id || r->id_len == 0 || memchr(text, '\\', len)) return true;
    for (size_t i = 0; i + r->id_len <= len; i++)
        if (memcmp(text + i, r->id, r->id_len) == 0) return true;
    return false;
}

static int on_deal(void *ctx, const char *text, size_t len, const char *where) {
    each_run *r = ctx;
    if (!may_match(r, text, len)) return 0;
    const dealscore_result *res = r->s->result =
        r->s->remote ? score_remote(r->s, text, len, where)
                     : dealscore_score(r->s->engine, text, len, where);
    /* a deal that passed validation has its id even when scoring it failed, and
     * an invalid one when its id could be read */
    if (r->id && !(res->id && strcmp(res->id, r->id) == 0)) return 0;
    r->count++;
    return r->fn(r->s, r->ctx, where);
}

/* Input that never became a deal (too long, broken JSON): said on standard error
 * and counted, since it may have been the deal asked for. */
static int on_reject(void *ctx, const char *code, const char *message) {
    each_run *r = ctx;
    r->s->rejected++;
    fprintf(stderr, "dealscore %s: %s (%s)\n", r->s->command, message, code);
    return 0;
}

long cli_session_each(cli_session *s, const char *path, const char *id, cli_session_fn fn,
                      void *ctx) {
    each_run r = {s, id, id ? strlen(id) : 0, fn, ctx, 0};
    return cli_session_read(s, path, on_deal, on_reject, &r) < 0 ? -1 : r.count;
}
