/* dealscore_explain.c: a deal's score as a report a person reads (the text of
 * `dealscore explain`, dealscore_explain() in lib/dealscore.h).
 *
 * The six scores with bars, the verdict and the reasons, each score's largest
 * factors in plain words naming the stakeholders, warnings with what to do, the
 * stakeholder table, the next best actions and the questions whose answers would
 * move the verdict most (first, for a deal too little is known about). Colour
 * only on a terminal; plain
 * text when piped; Markdown for a deal review document. Every string from the
 * deal goes through dealscore_text_safe(): a name cannot repaint the terminal. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore_internal.h"
#include "dealscore_text.h"

enum { FORMAT_TEXT = DEALSCORE_EXPLAIN_TEXT, FORMAT_MARKDOWN = DEALSCORE_EXPLAIN_MARKDOWN };

typedef struct report {
    ds_buf *b;
    int format, mode; /* FORMAT_*, DEALSCORE_TEXT_* */
    dealscore_colours c;
    bool unicode;
    const ds_analysis *an;
    const ds_deal *d;
    const ds_outcome *o;
} report;

static const char *const score_titles[DS_NSCORES] = {
    "Capability ROI", "Strategic ROI", "Measurable ROI", "IT resistance", "User threat"};

/* ---- small pieces ---- */

static void text(report *r, const char *s) {
    dealscore_text_safe(r->b, s, r->mode);
}

/* "Name (Title)", the name alone, or the id when there is no name. */
static void person(report *r, int i) {
    const ds_stakeholder *s = &r->d->stakeholders[i];
    text(r, s->name ? s->name : s->id);
    if (s->title) {
        ds_buf_puts(r->b, " (");
        text(r, s->title);
        ds_buf_putc(r->b, ')');
    }
}

static void heading(report *r, const char *title) {
    if (r->format == FORMAT_MARKDOWN)
        ds_buf_printf(r->b, "\n### %s\n\n", title);
    else
        ds_buf_printf(r->b, "\n%s%s%s\n", r->c.bold, title, r->c.reset);
}

static void bullet(report *r) {
    ds_buf_puts(r->b, r->format == FORMAT_MARKDOWN ? "- " : "  ");
}

/* Sentence case for a detail string: the first letter upper case. */
static void sentence(report *r, const char *s) {
    if (!s || !*s) return;
    char first[2] = {s[0] >= 'a' && s[0] <= 'z' ? (char)(s[0] - 'a' + 'A') : s[0], 0};
    text(r, first);
    text(r, s + 1);
}

/* good is true for scores where higher is better */
static const char *score_colour(const report *r, double v, bool good) {
    double x = good ? v : 100 - v;
    return x >= 70 ? r->c.green : x >= 50 ? r->c.cyan : x >= 30 ? r->c.yellow : r->c.red;
}

static const char *verdict_colour(const report *r, const char *verdict) {
    if (strcmp(verdict, "pursue") == 0) return r->c.green;
    if (strcmp(verdict, "shape") == 0) return r->c.cyan;
    if (strcmp(verdict, "at_risk") == 0) return r->c.yellow;
    if (strcmp(verdict, "insufficient_data") == 0) return r->c.dim;
    return r->c.red;
}

static void bar(report *r, double v, const char *colour) {
    int filled = (int)lround(fmax(0, fmin(100, v)) / 5);
    ds_buf_puts(r->b, r->unicode ? "" : "[");
    ds_buf_puts(r->b, colour);
    dealscore_text_repeat(r->b, r->unicode ? "\u2588" : "#", filled);
    ds_buf_puts(r->b, r->c.reset);
    ds_buf_puts(r->b, r->c.dim);
    dealscore_text_repeat(r->b, r->unicode ? "\u2591" : ".", 20 - filled);
    ds_buf_puts(r->b, r->c.reset);
    ds_buf_puts(r->b, r->unicode ? "" : "]");
}

/* ---- header and scores ---- */

static void header(report *r) {
    const ds_deal *d = r->d;
    if (r->format == FORMAT_MARKDOWN) ds_buf_puts(r->b, "## ");
    ds_buf_puts(r->b, r->c.bold);
    text(r, d->name ? d->name : d->id);
    ds_buf_puts(r->b, r->c.reset);
    if (d->name) {
        ds_buf_puts(r->b, " (");
        text(r, d->id);
        ds_buf_putc(r->b, ')');
    }
    ds_buf_puts(r->b, "\n");
    if (r->format == FORMAT_MARKDOWN) ds_buf_puts(r->b, "\n");
    const char *sep = "";
    if (d->account) {
        text(r, d->account);
        sep = " | ";
    }
    if (d->stage >= 0) ds_buf_printf(r->b, "%s%s", sep, ds_stage_names[d->stage]), sep = " | ";
    if (d->has_amount) {
        ds_buf_printf(r->b, "%s", sep);
        if (d->currency) text(r, d->currency), ds_buf_putc(r->b, ' ');
        ds_buf_printf(r->b, "%.0f", d->amount);
        sep = " | ";
    }
    char date[11];
    if (d->close_date != DS_NO_DATE) {
        ds_date_format(d->close_date, date);
        ds_buf_printf(r->b, "%scloses %s", sep, date), sep = " | ";
    }
    if (d->as_of != DS_NO_DATE) {
        ds_date_format(d->as_of, date);
        ds_buf_printf(r->b, "%sas of %s", sep, date), sep = " | ";
    }
    ds_buf_printf(r->b, "%scoverage %.0f%%\n", sep, 100 * r->an->coverage);
}

static void score_line(report *r, const char *title, double v, bool good) {
    const char *colour = score_colour(r, v, good);
    if (r->format == FORMAT_MARKDOWN) {
        ds_buf_printf(r->b, "| %s | %.1f | `", title, ds_round(v, 1));
        bar(r, v, "");
        ds_buf_printf(r->b, "` | %s |\n", good ? "" : "lower is better");
        return;
    }
    ds_buf_printf(r->b, "  %-15s %s%5.1f%s  ", title, colour, ds_round(v, 1), r->c.reset);
    bar(r, v, colour);
    ds_buf_printf(r->b, "%s\n", good ? "" : "  lower is better");
}

static void scores(report *r) {
    ds_buf_puts(r->b, "\n");
    if (r->format == FORMAT_MARKDOWN)
        ds_buf_puts(r->b, "| score | value | | |\n|---|---:|---|---|\n");
    score_line(r, "Viability", r->o->viability, true);
    for (int k = 0; k < DS_NSCORES; k++)
        score_line(r, score_titles[k], r->an->scores[k].value, k < DS_IT_RESISTANCE);
}

/* ---- verdict and reasons ---- */

static const struct {
    const char *reason, *words;
} reason_words[] = {
    {"no_buyer", "nobody mapped can buy: find the economic buyer and sell to them"},
    {"no_champion", "nobody champions it: find someone in the business to sell it with you"},
    {"short_term_case", "the champions are convinced only by short-term numbers: make the "
                        "capability and strategic case, or IT's rebuttals can turn the tide"},
    {"no_direct_benefit", "the buyers gain nothing directly: show what it does for their work "
                          "and their career"},
    {"blocker", "an influential blocker is against it: meet their concerns, or win over those "
                "they listen to"},
    {"expectation_gap", "what a buyer now wants has drifted from what was agreed: confirm the "
                        "scope again"},
    {"prototype", "a working prototype exists"},
    {"override", "a person's judgement replaced the computed viability"},
};

static const ds_factor *viability_factor(const report *r, const char *name) {
    for (int i = 0; i < r->o->n_factors; i++)
        if (strcmp(r->o->factors[i].factor, name) == 0) return &r->o->factors[i];
    return NULL;
}

/* Who overrode the viability and why, from the deal's override.by and .reason. */
static void override_note(report *r) {
    const cJSON *ov = r->d->json ? cJSON_GetObjectItemCaseSensitive(r->d->json, "override") : NULL;
    const char *by = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ov, "by"));
    const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ov, "reason"));
    if (!r->o->overridden || (!by && !why)) return;
    ds_buf_puts(r->b, r->format == FORMAT_MARKDOWN ? "\nOverride" : "  override");
    if (by) ds_buf_puts(r->b, " by "), text(r, by);
    if (why) ds_buf_puts(r->b, ": "), text(r, why);
    ds_buf_putc(r->b, '\n');
}

static void too_little_known(report *r);

/* The default policy's no_direct_benefit fires on the buyers' work and career
 * benefits; when no buyer's were given it is the defaults (0) speaking. */
static bool buyers_benefits_unknown(const report *r) {
    bool buyers = false;
    for (int i = 0; i < r->d->n_stakeholders; i++) {
        if (!(r->d->stakeholders[i].sets & DS_SET_DECIDERS)) continue;
        buyers = true;
        if (ds_deal_given(r->d, i, "benefits.work") || ds_deal_given(r->d, i, "benefits.career"))
            return false;
    }
    return buyers;
}

static void verdict(report *r) {
    const ds_outcome *o = r->o;
    ds_buf_printf(r->b, "\n%sVerdict: %s%s%s%s (viability %.1f", r->format ? "**" : "",
                  verdict_colour(r, o->verdict), r->c.bold, o->verdict, r->c.reset,
                  ds_round(o->viability, 1));
    if (o->overridden)
        ds_buf_printf(r->b, "; %.1f computed before the override",
                      ds_round(o->computed_viability, 1));
    ds_buf_printf(r->b, ")%s\n", r->format ? "**" : "");
    override_note(r);
    too_little_known(r);
    /* The questions that would change the verdict (what to find out first) belong
     * here, leading the report of a deal like this, before the policy's reasons. */
    if (o->n_reasons == 0) return;
    heading(r, "Why");
    for (int i = 0; i < o->n_reasons; i++) {
        const char *words = NULL;
        for (size_t k = 0; k < sizeof reason_words / sizeof reason_words[0]; k++)
            if (strcmp(reason_words[k].reason, o->reasons[i]) == 0) words = reason_words[k].words;
        const ds_factor *f = viability_factor(r, o->reasons[i]);
        bullet(r);
        text(r, o->reasons[i]);
        ds_buf_puts(r->b, ": ");
        text(r, words ? words : f && f->detail ? f->detail : "a rule of the policy");
        if (strcmp(o->reasons[i], "no_direct_benefit") == 0 && buyers_benefits_unknown(r))
            ds_buf_puts(r->b, " (assumed: the buyers' benefits.work, benefits.career not given)");
        if (f) ds_buf_printf(r->b, " (%+.1f)", f->effect);
        ds_buf_putc(r->b, '\n');
    }
}

/* ---- too little known ---- */

static bool has_warning(const report *r, const char *w) {
    for (int i = 0; i < r->an->n_warnings; i++)
        if (strcmp(r->an->warnings[i], w) == 0) return true;
    return false;
}

/* " (Tom Baker, Ann Lee)": the people the input does not give field for. */
static void who_lacks(report *r, const char *field) {
    const char *sep = " (";
    for (int i = 0; i < r->d->n_stakeholders; i++) {
        if (ds_deal_given(r->d, i, field)) continue;
        const ds_stakeholder *s = &r->d->stakeholders[i];
        ds_buf_puts(r->b, sep);
        text(r, s->name ? s->name : s->id);
        sep = ", ";
    }
    ds_buf_putc(r->b, ')');
}

/* The counted fields nobody gave, grouped by how many stakeholders lack each:
 * "not known for any of the 3 people: influence, stance, ...". */
static void unknown_people(report *r) {
    const ds_deal *d = r->d;
    int missing[16] = {0}, n_fields = 0;
    for (; ds_stakeholder_counted[n_fields] && n_fields < 16; n_fields++)
        for (int i = 0; i < d->n_stakeholders; i++)
            missing[n_fields] += !ds_deal_given(d, i, ds_stakeholder_counted[n_fields]);
    for (int count = d->n_stakeholders; count > 0; count--) {
        int listed = 0;
        for (int k = 0; k < n_fields; k++) {
            if (missing[k] != count) continue;
            if (listed++ == 0) {
                bullet(r);
                if (count == 1 && d->n_stakeholders == 1)
                    ds_buf_puts(r->b, "not known for the only person: ");
                else if (count == d->n_stakeholders)
                    ds_buf_printf(r->b, "not known for any of the %d people: ", count);
                else
                    ds_buf_printf(r->b, "not known for %d of the %d people: ", count,
                                  d->n_stakeholders);
            } else {
                ds_buf_puts(r->b, ", ");
            }
            ds_buf_puts(r->b, ds_stakeholder_counted[k]);
            if (count < d->n_stakeholders && count <= 3) who_lacks(r, ds_stakeholder_counted[k]);
        }
        if (listed) ds_buf_putc(r->b, '\n');
    }
}

static void unknown_solution(report *r) {
    int listed = 0;
    for (int k = 0; ds_solution_inferable[k]; k++) {
        if (ds_deal_given(r->d, -1, ds_solution_inferable[k])) continue;
        if (listed++ == 0) {
            bullet(r);
            ds_buf_puts(r->b, "not known about the solution: ");
        } else {
            ds_buf_puts(r->b, ", ");
        }
        ds_buf_puts(r->b, ds_solution_inferable[k]);
    }
    if (listed) ds_buf_putc(r->b, '\n');
}

/* A deal with the warning low_coverage: say plainly that too little is known to
 * judge it, how much is known, and what is not. This leads the report, right after
 * the verdict, because nothing below it can be trusted much. */
static void too_little_known(report *r) {
    if (!has_warning(r, "low_coverage")) return;
    const ds_deal *d = r->d;
    heading(r, "Too little is known to judge this deal");
    bullet(r);
    ds_buf_printf(r->b,
                  "coverage %.0f%%: %d of the %d facts the model weighs were given, the "
                  "model needs %.0f%%; the rest are defaults\n",
                  100 * r->an->coverage, d->coverage_given, d->coverage_total,
                  100 * r->an->params->coverage_min);
    bullet(r);
    if (r->o->overridden)
        ds_buf_printf(r->b,
                      "viability %.1f was computed from those defaults; the verdict comes from "
                      "the override, a person's judgement\n",
                      ds_round(r->o->computed_viability, 1));
    else
        ds_buf_printf(r->b,
                      "viability %.1f is computed from those defaults: it is not a verdict, "
                      "find out more before judging\n",
                      ds_round(r->o->viability, 1));
    unknown_people(r);
    unknown_solution(r);
}

/* ---- factors in plain words ---- */

static const struct {
    const char *factor, *words;
} person_words[] = {
    {"convinced_capability", "is convinced of the capability case"},
    {"convinced_strategic", "is convinced of the strategic case"},
    {"convinced_measurable", "is convinced of the measurable case"},
    {"executive_sponsor", "is an executive in favour"},
    {"credibility_threat", "fears for IT's credibility"},
    {"it_overload", "is already overloaded, and the solution adds work"},
    {"data_security_concern", "is concerned about data readiness and security"},
    {"it_opposition", "is predicted to oppose"},
    {"it_champion", "champions it inside IT, close to the buyer"},
    {"it_first", "(IT) was approached before anyone who can buy"},
    {"it_strategic_first", "(IT's strategic leadership) was approached first"},
    {"no_user_benefit", "sees little in it for them"},
    {"user_opposition", "is predicted to oppose"},
    {"user_champion", "speaks for it among the users"},
};

/* Factors that state what the input may not have said: the stakeholder's and the
 * solution's fields a factor's size comes from. When none of them was given, the
 * sentence is the model's default speaking, and says so ("fears for IT's
 * credibility (assumed: credibility_threat not given)"): a vanilla CRM export
 * never says who fears what. */
static const struct {
    const char *factor, *person, *solution[2];
} assumed_from[] = {
    {"credibility_threat", "credibility_threat", {NULL, NULL}},
    {"it_overload", "burden", {NULL, NULL}},
    {"data_security_concern", NULL, {"data_readiness", "security_risk"}},
    {"transparency", NULL, {"user_transparency", NULL}},
    {"daily_work_change", NULL, {"user_change", NULL}},
    {"no_user_benefit", "benefits.work", {"user_benefit", NULL}},
};

static void assumed(report *r, const ds_factor *f) {
    for (size_t k = 0; k < sizeof assumed_from / sizeof assumed_from[0]; k++) {
        if (strcmp(assumed_from[k].factor, f->factor) != 0) continue;
        const char *person = f->stakeholder >= 0 ? assumed_from[k].person : NULL;
        const char *fields[3] = {person, assumed_from[k].solution[0], assumed_from[k].solution[1]};
        int n = 0;
        for (int i = 0; i < 3; i++) {
            if (!fields[i]) continue;
            if (ds_deal_given(r->d, i == 0 ? f->stakeholder : -1, fields[i])) return;
            n++;
        }
        if (n == 0) return;
        ds_buf_puts(r->b, " (assumed: ");
        for (int i = 0, listed = 0; i < 3; i++) {
            if (!fields[i]) continue;
            if (listed++) ds_buf_puts(r->b, ", ");
            text(r, fields[i]);
        }
        ds_buf_puts(r->b, " not given)");
        return;
    }
}

static void factor_words(report *r, const ds_factor *f) {
    bullet(r);
    if (r->format == FORMAT_TEXT) ds_buf_puts(r->b, "  ");
    if (f->stakeholder >= 0 && f->stakeholder < r->d->n_stakeholders) {
        const char *words = NULL;
        for (size_t k = 0; k < sizeof person_words / sizeof person_words[0]; k++)
            if (strcmp(person_words[k].factor, f->factor) == 0) words = person_words[k].words;
        person(r, f->stakeholder);
        ds_buf_putc(r->b, ' ');
        text(r, words ? words : f->detail);
    } else {
        sentence(r, f->detail && *f->detail ? f->detail : f->factor);
    }
    assumed(r, f);
    ds_buf_printf(r->b, ": %+.1f\n", f->effect);
}

/* The n largest factors by size, largest first (stable for equal sizes). */
static void largest(report *r, const ds_factor *f, int n_factors, int n) {
    bool used[64] = {0};
    int limit = n_factors < 64 ? n_factors : 64;
    for (int k = 0; k < n; k++) {
        int best = -1;
        for (int i = 0; i < limit; i++)
            if (!used[i] && fabs(f[i].effect) >= 0.05 &&
                (best < 0 || fabs(f[i].effect) > fabs(f[best].effect)))
                best = i;
        if (best < 0) return;
        used[best] = true;
        factor_words(r, &f[best]);
    }
}

static void factors(report *r) {
    heading(r, "What moves each score");
    const char *open = r->format == FORMAT_MARKDOWN ? "**" : "  ";
    const char *close = r->format == FORMAT_MARKDOWN ? "**\n\n" : "\n";
    if (r->o->n_factors) {
        ds_buf_printf(r->b, "%sViability %.1f%s", open, ds_round(r->o->viability, 1), close);
        largest(r, r->o->factors, r->o->n_factors, 4);
    }
    for (int k = 0; k < DS_NSCORES; k++) {
        const ds_score *s = &r->an->scores[k];
        if (r->format == FORMAT_MARKDOWN) ds_buf_putc(r->b, '\n');
        ds_buf_printf(r->b, "%s%s %.1f%s", open, score_titles[k], ds_round(s->value, 1), close);
        largest(r, s->factors, s->n_factors, 3);
    }
}

/* ---- warnings ---- */

static void warning(report *r, const char *w) {
    bullet(r);
    ds_buf_printf(r->b, "%s", r->format == FORMAT_MARKDOWN ? "**" : r->c.yellow);
    text(r, w);
    ds_buf_printf(r->b, "%s: ", r->format == FORMAT_MARKDOWN ? "**" : r->c.reset);
    int who = strncmp(w, "stale:", 6) == 0 ? ds_deal_find(r->d, w + 6) : -1;
    if (who >= 0) {
        person(r, who);
        ds_buf_printf(r->b,
                      " was last contacted %d days ago and conviction fades: meet them, "
                      "and check what they want now\n",
                      r->d->as_of - r->d->stakeholders[who].last_contact);
    } else if (strcmp(w, "it_unmapped") == 0) {
        ds_buf_puts(r->b, "no IT stakeholder is mapped: find who owns data and security in "
                          "IT, and who could champion it there\n");
    } else if (strcmp(w, "low_coverage") == 0) {
        ds_buf_printf(r->b,
                      "only %.0f%% of what the model weighs is known (it needs %.0f%%): "
                      "find out where the people stand and what the case is (see above)\n",
                      100 * r->an->coverage, 100 * r->an->params->coverage_min);
    } else if (strcmp(w, "users_unmapped") == 0) {
        ds_buf_puts(r->b, "no users are mapped: meet the people who will use it and show them "
                          "what is in it for them\n");
    } else {
        ds_buf_puts(r->b, "see docs/model.md\n");
    }
}

static void warnings(report *r) {
    if (r->an->n_warnings == 0) return;
    heading(r, "Warnings");
    for (int i = 0; i < r->an->n_warnings; i++) warning(r, r->an->warnings[i]);
}

/* ---- stakeholders ---- */

static void roles_of(const ds_stakeholder *s, char *out, size_t len) {
    out[0] = '\0';
    size_t used = 0;
    if (s->can_buy && !(s->roles & DS_ROLE_ECONOMIC_BUYER))
        used += (size_t)snprintf(out + used, len - used, "can_buy");
    for (int k = 0; k < DS_NROLES && used < len; k++)
        if (s->roles & (1u << k))
            used +=
                (size_t)snprintf(out + used, len - used, "%s%s", used ? "," : "", ds_role_names[k]);
    if (!out[0] && s->function >= 0) snprintf(out, len, "(%s)", ds_function_names[s->function]);
}

/* Under the table, when a value in it stands on the model's defaults: the
 * input never said how influential someone is or where they stand (F10). */
static void defaulted_legend(report *r) {
    int influence = 0, stance = 0;
    for (int i = 0; i < r->d->n_stakeholders; i++) {
        influence += !r->d->stakeholders[i].has_influence;
        stance += !r->d->stakeholders[i].has_stance;
    }
    if (!influence && !stance) return;
    bool md = r->format == FORMAT_MARKDOWN;
    ds_buf_puts(r->b, md ? "\n" : "  ");
    ds_buf_printf(r->b,
                  "%s? stance not given; %s from the model's defaults, not the input "
                  "(influence %.2f, stance %+.2f)%s\n",
                  md ? "" : r->c.dim, md ? "\\*" : "*", r->an->params->d_influence,
                  r->an->params->d_stance, md ? "" : r->c.reset);
}

static void stakeholders(report *r) {
    if (r->d->n_stakeholders == 0) return;
    heading(r, "Stakeholders");
    bool md = r->format == FORMAT_MARKDOWN;
    if (md)
        ds_buf_puts(r->b, "| name | title | roles | influence | stance | predicted |\n"
                          "|---|---|---|---:|---:|---:|\n");
    else
        ds_buf_printf(r->b, "  %s%-22s %-26s %-26s %9s %7s %9s%s\n", r->c.dim, "name", "title",
                      "roles", "influence", "stance", "predicted", r->c.reset);
    for (int i = 0; i < r->d->n_stakeholders; i++) {
        const ds_stakeholder *s = &r->d->stakeholders[i];
        char roles[160];
        roles_of(s, roles, sizeof roles);
        double x = r->an->graph.predicted[i];
        const char *colour = x > 0.2 ? r->c.green : x < -0.2 ? r->c.red : "";
        if (md) {
            ds_buf_puts(r->b, "| ");
            text(r, s->name ? s->name : s->id);
            ds_buf_puts(r->b, " | ");
            text(r, s->title);
            ds_buf_puts(r->b, " | ");
            text(r, roles);
            ds_buf_printf(r->b, " | %.2f%s | ", r->an->graph.effective[i],
                          s->has_influence ? "" : "\\*");
            if (s->has_stance)
                ds_buf_printf(r->b, "%+.2f | %+.2f |\n", s->stance, x);
            else
                ds_buf_printf(r->b, "? | %+.2f\\* |\n", x);
            continue;
        }
        ds_buf_puts(r->b, "  ");
        dealscore_text_cell(r->b, s->name ? s->name : s->id, 22, r->mode);
        ds_buf_putc(r->b, ' ');
        dealscore_text_cell(r->b, s->title, 26, r->mode);
        ds_buf_putc(r->b, ' ');
        dealscore_text_cell(r->b, roles, 26, r->mode);
        /* a mark takes no column of its own: without one the row is as it was */
        char influence[24], stance[24], predicted[24];
        snprintf(influence, sizeof influence, "%.2f%s", r->an->graph.effective[i],
                 s->has_influence ? "" : "*");
        snprintf(stance, sizeof stance, s->has_stance ? "%+.2f" : "?", s->stance);
        snprintf(predicted, sizeof predicted, "%+.2f%s", x, s->has_stance ? "" : "*");
        ds_buf_printf(r->b, " %9s %7s %s%9s%s\n", influence, stance, colour, predicted, r->c.reset);
    }
    defaulted_legend(r);
}

/* ---- inferred values ---- */

/* A field's value as words: "function it", "last_contact 2024-03-02", "stance +0.40". */
static void inferred_value(report *r, const ds_stakeholder *s, const char *field) {
    char date[11];
    int day = strcmp(field, "first_contact") == 0  ? s->first_contact
              : strcmp(field, "last_contact") == 0 ? s->last_contact
                                                   : DS_NO_DATE;
    ds_buf_puts(r->b, field);
    if (strcmp(field, "function") == 0 && s->function >= 0)
        ds_buf_printf(r->b, " %s", ds_function_names[s->function]);
    else if (strcmp(field, "level") == 0 && s->level >= 0 && s->level < DS_LEVEL_MISSING)
        ds_buf_printf(r->b, " %s", ds_level_names[s->level]);
    else if (day != DS_NO_DATE)
        ds_date_format(day, date), ds_buf_printf(r->b, " %s", date);
    else if (strcmp(field, "stance") == 0)
        ds_buf_printf(r->b, " %+.2f", s->stance);
}

static void inferred_from(report *r, const char *source) {
    if (!source[0]) {
        ds_buf_puts(r->b, " (inferred)");
        return;
    }
    ds_buf_puts(r->b, " (inferred from ");
    text(r, source);
    ds_buf_putc(r->b, ')');
}

/* Which values a mapping inferred rather than read, and from what: they are used,
 * but count as unknown in coverage. */
static void inferred(report *r) {
    const ds_solution *sol = &r->d->solution;
    bool any = sol->n_inferred > 0;
    for (int i = 0; i < r->d->n_stakeholders; i++) any |= r->d->stakeholders[i].n_inferred > 0;
    if (!any) return;
    heading(r, "Inferred, not given (used, but not counted in coverage)");
    for (int i = 0; i < r->d->n_stakeholders; i++) {
        const ds_stakeholder *s = &r->d->stakeholders[i];
        if (s->n_inferred == 0) continue;
        bullet(r);
        person(r, i);
        ds_buf_puts(r->b, ": ");
        for (int k = 0; k < s->n_inferred; k++) {
            if (k) ds_buf_puts(r->b, ", ");
            inferred_value(r, s, s->inferred[k].field);
            inferred_from(r, s->inferred[k].source);
        }
        ds_buf_putc(r->b, '\n');
    }
    if (sol->n_inferred == 0) return;
    bullet(r);
    ds_buf_puts(r->b, "solution: ");
    for (int k = 0; k < sol->n_inferred; k++) {
        if (k) ds_buf_puts(r->b, ", ");
        ds_buf_puts(r->b, sol->inferred[k].field);
        inferred_from(r, sol->inferred[k].source);
    }
    ds_buf_putc(r->b, '\n');
}

/* ---- actions ---- */

static void action_words(report *r, const ds_action *a) {
    static const char *const aspects[3] = {"capability", "strategic", "measurable"};
    switch (a->kind) {
    case DS_ACT_CONVINCE:
        ds_buf_puts(r->b, "Convince ");
        person(r, a->who);
        ds_buf_printf(r->b, " of the %s case", aspects[a->aspect]);
        break;
    case DS_ACT_RECRUIT_IT_CHAMPION:
        ds_buf_puts(r->b, "Recruit ");
        person(r, a->who);
        ds_buf_puts(r->b, " as IT champion");
        break;
    case DS_ACT_RELATE:
        ds_buf_puts(r->b, "Bring ");
        person(r, a->who);
        ds_buf_puts(r->b, " close to ");
        person(r, a->other);
        break;
    case DS_ACT_FRAME_IT_WORKLOAD:
        ds_buf_puts(r->b, "Pitch it to IT as taking work off IT");
        break;
    case DS_ACT_CONSULT_USERS:
        ds_buf_puts(r->b, "Involve the users before the purchase");
        break;
    case DS_ACT_ENGAGE_BUYER:
        ds_buf_puts(r->b, "Engage ");
        person(r, a->who);
        ds_buf_puts(r->b, ", who can buy");
        break;
    case DS_ACT_PROTOTYPE:
        ds_buf_puts(r->b, "Build a working prototype with the business");
        break;
    default:
        ds_buf_puts(r->b, "Policy action ");
        text(r, a->name);
        if (a->target) {
            ds_buf_puts(r->b, " for ");
            text(r, a->target);
        }
    }
}

static void actions(report *r) {
    heading(r, "Next best actions");
    if (r->o->n_actions == 0) {
        bullet(r);
        ds_buf_puts(r->b, "none of the catalogue's actions raises viability by more than the "
                          "model's min_gain\n");
        return;
    }
    bool md = r->format == FORMAT_MARKDOWN;
    if (md) ds_buf_puts(r->b, "| gain | action | |\n|---:|---|---|\n");
    for (int i = 0; i < r->o->n_actions; i++) {
        const ds_action *a = &r->o->actions[i];
        if (md) {
            ds_buf_printf(r->b, "| %+.2f | ", a->gain);
            action_words(r, a);
            ds_buf_puts(r->b, " | ");
            text(r, a->name);
            ds_buf_puts(r->b, " |\n");
            continue;
        }
        ds_buf_printf(r->b, "  %s%+6.2f%s  ", r->c.green, a->gain, r->c.reset);
        action_words(r, a);
        ds_buf_printf(r->b, "  %s[", r->c.dim);
        text(r, a->name);
        ds_buf_printf(r->b, "]%s\n", r->c.reset);
    }
}

/* ---- questions ---- */

static void question_words(report *r, const ds_question *q) {
    text(r, q->before);
    if (q->who >= 0) person(r, q->who);
    text(r, q->after);
}

static void questions(report *r) {
    heading(r, "What to find out");
    const ds_outcome *o = r->o;
    if (o->n_questions == 0) {
        bullet(r);
        ds_buf_puts(r->b, "nothing the deal leaves out would move viability by more than the "
                          "model's min_swing\n");
        return;
    }
    bool md = r->format == FORMAT_MARKDOWN;
    if (md) ds_buf_puts(r->b, "| swing | question | viability | verdict |\n|---:|---|---|---|\n");
    for (int i = 0; i < o->n_questions; i++) {
        const ds_question *q = &o->questions[i];
        int lo = ds_question_worse_end(q), hi = 1 - lo;
        double low = ds_round(q->viability[lo], 1), high = ds_round(q->viability[hi], 1);
        bool same = strcmp(q->verdict[lo], q->verdict[hi]) == 0;
        if (md) {
            ds_buf_printf(r->b, "| %.2f | ", q->swing);
            question_words(r, q);
            ds_buf_printf(r->b, " | %.1f to %.1f | %s%s%s |\n", low, high, q->verdict[lo],
                          same ? "" : " to ", same ? "" : q->verdict[hi]);
            continue;
        }
        ds_buf_printf(r->b, "  %s%6.2f%s  ", r->c.cyan, q->swing, r->c.reset);
        question_words(r, q);
        ds_buf_printf(r->b, ": viability %.1f to %.1f", low, high);
        if (!same)
            ds_buf_printf(r->b, ", %s%s to %s%s", r->c.bold, q->verdict[lo], q->verdict[hi],
                          r->c.reset);
        ds_buf_putc(r->b, '\n');
    }
}

/* ---- the report ---- */

char *dealscore_explain(dealscore_engine *e, const dealscore_result *res,
                        const dealscore_explain_style *style, size_t *len) {
    if (!e || !res || res != &e->result || res->error.code || !style) return NULL;
    bool markdown = style->format == DEALSCORE_EXPLAIN_MARKDOWN;
    bool colour = style->colour && !markdown;
    ds_buf b;
    ds_buf_init(&b);
    /* the sentences read the decoded deal and the analysis behind the result */
    const dsl_scorer *sc = &e->scorer;
    report rep = {&b,
                  markdown ? FORMAT_MARKDOWN : FORMAT_TEXT,
                  markdown ? DEALSCORE_TEXT_MARKDOWN : DEALSCORE_TEXT_PLAIN,
                  dealscore_text_colours(colour),
                  colour,
                  &sc->analysis,
                  &sc->deal,
                  &sc->outcome};
    report *r = &rep;
    header(r);
    scores(r);
    verdict(r); /* with what is not known, for a deal with low_coverage */
    /* too little is known to judge it: what to find out comes before anything else */
    bool first = has_warning(r, "low_coverage");
    if (first) questions(r);
    factors(r);
    warnings(r);
    stakeholders(r);
    inferred(r);
    actions(r);
    if (!first) questions(r);
    return ds_buf_take(&b, len);
}
