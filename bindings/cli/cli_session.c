/* cli_session.c: model, policy and scorer for the per-deal commands; see cli_session.h. */
#include "cli_session.h"

#include <errno.h>
#include <string.h>

#include "cli_input.h"
#include "ds_json.h"

int cli_session_open(cli_session *s, const char *command, const cli_session_options *o) {
    memset(s, 0, sizeof *s);
    s->command = command;
    int as_of = DS_NO_DATE;
    if (o->as_of && !ds_date_parse(o->as_of, &as_of)) {
        fprintf(stderr, "dealscore %s: --as-of takes a date YYYY-MM-DD, not '%s'\n", command,
                o->as_of);
        return -1;
    }
    if (cli_load_model(&s->params, o->model) < 0) return -1;
    ds_json_init();
    if (!(s->policy = cli_open_policy(o->policy, &s->params))) {
        ds_params_free(&s->params);
        return -1;
    }
    dsl_scorer_init(&s->scorer, &s->params, s->policy);
    s->scorer.default_as_of = as_of;
    s->scorer.flags = DS_OUT_EXPLAIN;
    ds_idset_init(&s->seen);
    s->scorer.seen = &s->seen;
    s->open = true;
    char err[512];
    if (o->actions && dsl_scorer_enable_actions(&s->scorer, o->max_actions, err, sizeof err) < 0) {
        fprintf(stderr, "dealscore %s: %s\n", command, err);
        cli_session_close(s);
        return -1;
    }
    return 0;
}

void cli_session_close(cli_session *s) {
    if (!s->open) return;
    dsl_scorer_free(&s->scorer);
    ds_idset_free(&s->seen);
    dsl_policy_close(s->policy);
    ds_params_free(&s->params);
    s->open = false;
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
    dsl_scorer_run(&r->s->scorer, text, len, where);
    if (r->id) {
        const char *got = r->s->scorer.scored ? r->s->scorer.deal.id : NULL;
        if (!got) {
            /* an error line: its id, if any, is in the result text */
            cJSON *line = cJSON_Parse(r->s->scorer.out.data);
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(line, "id");
            bool same = cJSON_IsString(id) && strcmp(id->valuestring, r->id) == 0;
            cJSON_Delete(line);
            if (!same) return 0;
        } else if (strcmp(got, r->id) != 0) {
            return 0;
        }
    }
    r->count++;
    return r->fn(r->s, r->ctx, where);
}

long cli_session_each(cli_session *s, const char *path, const char *id, cli_session_fn fn,
                      void *ctx) {
    each_run r = {s, id, id ? strlen(id) : 0, fn, ctx, 0};
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "dealscore %s: %s: %s\n", s->command, path, strerror(errno));
        return -1;
    }
    int rc = cli_read_deals(f, is_stdin ? "<stdin>" : path, on_deal, &r);
    if (rc < 0)
        fprintf(stderr, "dealscore %s: %s: read error: %s\n", s->command, path, strerror(errno));
    if (!is_stdin) fclose(f);
    return rc < 0 ? -1 : r.count;
}
