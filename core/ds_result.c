/* ds_result.c: writes result lines; see ds_result.h. */
#include "ds_result.h"

static void write_factors(ds_buf *b, const ds_deal *d, const ds_factor *f, int n) {
    ds_buf_putc(b, '[');
    for (int i = 0; i < n; i++) {
        ds_buf_puts(b, i ? ",{\"factor\":" : "{\"factor\":");
        ds_buf_json_string(b, f[i].factor);
        ds_buf_puts(b, ",\"effect\":");
        ds_buf_json_number(b, f[i].effect, DS_DECIMALS_SHARE);
        if (f[i].stakeholder >= 0) {
            ds_buf_puts(b, ",\"stakeholder\":");
            ds_buf_json_string(b, d->stakeholders[f[i].stakeholder].id);
        }
        ds_buf_puts(b, ",\"detail\":");
        ds_buf_json_string(b, f[i].detail ? f[i].detail : "");
        ds_buf_putc(b, '}');
    }
    ds_buf_putc(b, ']');
}

static void write_strings(ds_buf *b, const char *const *s, int n) {
    ds_buf_putc(b, '[');
    for (int i = 0; i < n; i++) {
        if (i) ds_buf_putc(b, ',');
        ds_buf_json_string(b, s[i]);
    }
    ds_buf_putc(b, ']');
}

/* ,"inferred":{"field":"source",...} when the input marked fields as inferred */
static void write_inferred(ds_buf *b, const ds_stakeholder *s) {
    if (s->n_inferred == 0) return;
    ds_buf_puts(b, ",\"inferred\":{");
    for (int k = 0; k < s->n_inferred; k++) {
        if (k) ds_buf_putc(b, ',');
        ds_buf_json_string(b, s->inferred[k].field);
        ds_buf_putc(b, ':');
        ds_buf_json_string(b, s->inferred[k].source);
    }
    ds_buf_putc(b, '}');
}

/* ,"defaulted":["influence","stance"]: which of the two values the graph starts
 * from the input did not give (nor mark inferred), so the model's defaults
 * stand in: effective_influence and predicted_stance are then no reading of
 * the person (docs/model.md "Defaulted values"). Only when there are any. */
static void write_defaulted(ds_buf *b, const ds_stakeholder *s) {
    if (s->has_influence && s->has_stance) return;
    ds_buf_puts(b, ",\"defaulted\":[");
    if (!s->has_influence) ds_buf_puts(b, s->has_stance ? "\"influence\"" : "\"influence\",");
    if (!s->has_stance) ds_buf_puts(b, "\"stance\"");
    ds_buf_putc(b, ']');
}

static void write_explain(ds_buf *b, const ds_analysis *an, const ds_outcome *o) {
    const ds_deal *d = an->deal;
    ds_buf_puts(b, ",\"factors\":{");
    for (int k = 0; k < DS_NSCORES; k++) {
        if (k) ds_buf_putc(b, ',');
        ds_buf_json_string(b, ds_score_names[k]);
        ds_buf_putc(b, ':');
        write_factors(b, d, an->scores[k].factors, an->scores[k].n_factors);
    }
    if (o->n_factors) {
        ds_buf_puts(b, ",\"viability\":");
        write_factors(b, d, o->factors, o->n_factors);
    }
    ds_buf_puts(b, "},\"stakeholders\":[");
    for (int i = 0; i < d->n_stakeholders; i++) {
        ds_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
        ds_buf_json_string(b, d->stakeholders[i].id);
        ds_buf_puts(b, ",\"effective_influence\":");
        ds_buf_json_number(b, an->graph.effective[i], DS_DECIMALS_SHARE);
        ds_buf_puts(b, ",\"predicted_stance\":");
        ds_buf_json_number(b, an->graph.predicted[i], DS_DECIMALS_SHARE);
        write_inferred(b, &d->stakeholders[i]);
        write_defaulted(b, &d->stakeholders[i]);
        ds_buf_putc(b, '}');
    }
    ds_buf_putc(b, ']');
}

/* "actions":[{"action","target","gain"}]: gains to two decimals, so that the
 * smallest reported gain (above min_gain, 0.05) shows as what it is. */
static void write_actions(ds_buf *b, const ds_outcome *o) {
    ds_buf_puts(b, ",\"actions\":[");
    for (int i = 0; i < o->n_actions; i++) {
        ds_buf_puts(b, i ? ",{\"action\":" : "{\"action\":");
        ds_buf_json_string(b, o->actions[i].name);
        ds_buf_puts(b, ",\"target\":");
        ds_buf_json_string(b, o->actions[i].target);
        ds_buf_puts(b, ",\"gain\":");
        ds_buf_json_number(b, o->actions[i].gain, DS_DECIMALS_GAIN);
        ds_buf_putc(b, '}');
    }
    ds_buf_putc(b, ']');
}

/* "questions":[{"field","stakeholder","question","low","high","swing","verdicts",
 * "answers"}]: low and high are the viabilities the two answers give (one decimal,
 * as scores), verdicts and answers in the same order; the swing has two decimals,
 * as gains do (docs/questions.md). */
static void write_questions(ds_buf *b, const ds_deal *d, const ds_outcome *o) {
    ds_buf words;
    ds_buf_init(&words);
    ds_buf_puts(b, ",\"questions\":[");
    for (int i = 0; i < o->n_questions; i++) {
        const ds_question *q = &o->questions[i];
        int lo = ds_question_worse_end(q), hi = 1 - lo;
        ds_buf_puts(b, i ? ",{\"field\":" : "{\"field\":");
        char path[64];
        ds_question_path(q, path, sizeof path);
        ds_buf_json_string(b, path);
        ds_buf_puts(b, ",\"stakeholder\":");
        ds_buf_json_string(b, q->who >= 0 ? d->stakeholders[q->who].id : NULL);
        ds_buf_puts(b, ",\"question\":");
        ds_buf_clear(&words);
        ds_question_write_words(&words, d, q);
        ds_buf_putc(&words, '\0');
        ds_buf_json_string(b, words.failed ? "" : words.data);
        if (words.failed) b->failed = true;
        ds_buf_puts(b, ",\"low\":");
        ds_buf_json_number(b, q->viability[lo], DS_DECIMALS_SCORE);
        ds_buf_puts(b, ",\"high\":");
        ds_buf_json_number(b, q->viability[hi], DS_DECIMALS_SCORE);
        ds_buf_puts(b, ",\"swing\":");
        ds_buf_json_number(b, q->swing, DS_DECIMALS_GAIN);
        ds_buf_puts(b, ",\"verdicts\":[");
        ds_buf_json_string(b, q->verdict[lo]);
        ds_buf_putc(b, ',');
        ds_buf_json_string(b, q->verdict[hi]);
        ds_buf_puts(b, "],\"answers\":[");
        ds_question_write_answer(b, d, q, lo);
        ds_buf_putc(b, ',');
        ds_question_write_answer(b, d, q, hi);
        ds_buf_puts(b, "]}");
    }
    ds_buf_putc(b, ']');
    ds_buf_free(&words);
}

void ds_result_write(ds_buf *b, const ds_analysis *an, const ds_outcome *o, unsigned flags) {
    ds_buf_puts(b, "{\"id\":");
    ds_buf_json_string(b, an->deal->id);
    ds_buf_puts(b, ",\"policy\":");
    ds_buf_json_string(b, o->policy);
    ds_buf_puts(b, ",\"model\":");
    ds_buf_json_string(b, an->params->label);
    ds_buf_puts(b, ",\"scores\":{");
    for (int k = 0; k < DS_NSCORES; k++) {
        if (k) ds_buf_putc(b, ',');
        ds_buf_json_string(b, ds_score_names[k]);
        ds_buf_putc(b, ':');
        ds_buf_json_number(b, an->scores[k].value, DS_DECIMALS_SCORE);
    }
    ds_buf_puts(b, ",\"viability\":");
    ds_buf_json_number(b, o->viability, DS_DECIMALS_SCORE);
    double win;
    if (ds_params_win_probability(an->params, o->policy, o->viability, &win)) {
        ds_buf_puts(b, ",\"win_probability\":");
        ds_buf_json_number(b, win, DS_DECIMALS_SHARE);
    }
    if (o->overridden) {
        ds_buf_puts(b, ",\"computed_viability\":");
        ds_buf_json_number(b, o->computed_viability, DS_DECIMALS_SCORE);
    }
    ds_buf_puts(b, "},\"verdict\":");
    ds_buf_json_string(b, o->verdict);
    ds_buf_puts(b, ",\"reasons\":");
    write_strings(b, o->reasons, o->n_reasons);
    ds_buf_puts(b, ",\"warnings\":");
    write_strings(b, an->warnings, an->n_warnings);
    ds_buf_puts(b, ",\"coverage\":");
    ds_buf_json_number(b, an->coverage, DS_DECIMALS_SHARE);
    if (flags & DS_OUT_EXPLAIN) write_explain(b, an, o);
    if (flags & DS_OUT_ACTIONS) write_actions(b, o);
    if (flags & DS_OUT_QUESTIONS) write_questions(b, an->deal, o);
    ds_buf_putc(b, '}');
}

void ds_result_write_error(ds_buf *b, const char *id, const ds_error *err) {
    ds_buf_puts(b, "{\"id\":");
    ds_buf_json_string(b, id);
    ds_buf_puts(b, ",\"error\":{\"code\":");
    ds_buf_json_string(b, err->code);
    ds_buf_puts(b, ",\"message\":");
    ds_buf_json_string(b, err->message);
    ds_buf_puts(b, ",\"path\":");
    ds_buf_json_string(b, err->path);
    ds_buf_puts(b, "}}");
}
