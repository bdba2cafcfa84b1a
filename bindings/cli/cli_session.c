/* cli_session.c: model, policy set and scorer for the per-deal commands; see
 * cli_session.h. */
#include "cli_session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ds_json.h"

int cli_session_parse(const cli_spec *spec, int files, const char *files_said, int argc,
                      char **argv, cli_session_options *o) {
    if (cli_parse(spec, argc, argv, &o->sh) < 0) return -1;
    cli_csv_options *csv = &o->sh.csv;
    /* --csv FILE stands for the first file operand */
    if (csv->deals && argc - optind == files - 1 && optind > 1) argv[--optind] = (char *)csv->deals;
    if (cli_csv_finish(csv, spec->name, optind < argc ? argv[optind] : NULL) < 0) return -1;
    if (argc - optind != files) {
        fprintf(stderr, "dealscore %s: give %s\n\n%s", spec->name, files_said, spec->usage);
        return -1;
    }
    return 0;
}

static int open_scorer(cli_session *s, cli_session_options *o, int as_of) {
    if (cli_policy_finish(&o->sh.policy, s->command, &s->params) < 0) return -1;
    char err[1024];
    if (dsl_scorer_open(&s->scorer, &s->params, &o->sh.policy.config, err, sizeof err) < 0) {
        fprintf(stderr, "dealscore %s: policy: %s\n", s->command, err);
        return -1;
    }
    s->scorer.default_as_of = as_of;
    s->scorer.flags = DS_OUT_EXPLAIN;
    ds_idset_init(&s->seen);
    s->scorer.seen = &s->seen;
    s->open = true;
    if (o->actions && dsl_scorer_enable_actions(&s->scorer, o->max_actions, err, sizeof err) < 0) {
        fprintf(stderr, "dealscore %s: %s\n", s->command, err);
        return -1;
    }
    if (o->questions &&
        dsl_scorer_enable_questions(&s->scorer, o->max_questions, err, sizeof err) < 0) {
        fprintf(stderr, "dealscore %s: %s\n", s->command, err);
        return -1;
    }
    return 0;
}

int cli_session_open(cli_session *s, const char *command, cli_session_options *o) {
    memset(s, 0, sizeof *s);
    s->command = command;
    s->csv = &o->sh.csv;
    s->quiet = o->sh.quiet;
    if (cli_load_model(&s->params, o->sh.model) < 0) return -1;
    ds_json_init();
    if (open_scorer(s, o, o->sh.as_of_day) < 0) {
        if (s->open)
            cli_session_close(s);
        else
            ds_params_free(&s->params);
        return -1;
    }
    return 0;
}

void cli_session_close(cli_session *s) {
    if (!s->open) return;
    if (!s->quiet) cli_note_undated(s->command, s->scorer.undated);
    dsl_scorer_free(&s->scorer); /* and its policy set */
    ds_idset_free(&s->seen);
    ds_params_free(&s->params);
    s->open = false;
}

int cli_session_read(cli_session *s, const char *path, cli_deal_fn deal, cli_reject_fn reject,
                     void *ctx) {
    /* a deal's text counts against its memory limit (dsl_scorer_run) */
    cli_input in = {
        .deal = deal, .reject = reject, .ctx = ctx, .max_deal_bytes = s->scorer.arena.limit};
    if (cli_csv_wanted(s->csv, path))
        return cli_csv_read(s->csv, s->command, path, s->scorer.arena.limit, &in, &s->rows);
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "dealscore %s: %s: %s\n", s->command, path, strerror(errno));
        return -1;
    }
    int rc = cli_input_read(f, is_stdin ? "<stdin>" : path, &in);
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
    dsl_scorer *sc = &r->s->scorer;
    dsl_scorer_run(sc, text, len, where);
    /* a deal that passed validation has its id even when scoring it failed */
    if (r->id && !(sc->validated && strcmp(sc->deal_id, r->id) == 0)) {
        if (sc->validated) return 0;
        /* an invalid deal: its id, if any, is in the error line */
        cJSON *line = cJSON_Parse(sc->out.data);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(line, "id");
        bool same = cJSON_IsString(id) && strcmp(id->valuestring, r->id) == 0;
        cJSON_Delete(line);
        if (!same) return 0;
    }
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
