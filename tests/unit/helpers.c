/* helpers.c: see helpers.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ds_json.h"
#include "helpers.h"

static ds_params params;
static bool loaded;

const ds_params *h_params(void) {
    if (!loaded) {
        char err[512];
        if (ds_params_load_file(&params, DEALSCORE_DATADIR "/models/default.json", err,
                                sizeof err) != 0)
            fail_msg("model: %s", err);
        ds_json_init();
        loaded = true;
    }
    return &params;
}

int h_decode_as_of(h_deal *h, const char *json, int default_as_of) {
    const ds_params *p = h_params();
    memset(h, 0, sizeof *h);
    ds_arena_init(&h->arena, 0);
    size_t at = 0;
    cJSON *parsed = ds_json_parse(&h->arena, json, strlen(json), &at);
    if (!parsed) fail_msg("test JSON does not parse at byte %zu: %s", at, json);
    return ds_deal_decode(parsed, p, default_as_of, &h->arena, &h->deal, &h->err);
}

int h_decode(h_deal *h, const char *json) {
    return h_decode_as_of(h, json, DS_NO_DATE);
}

void h_analyse(h_deal *h, const char *json) {
    if (h_decode(h, json) != 0) fail_msg("decode: %s %s in %s", h->err.code, h->err.message, json);
    if (ds_analyse(&h->an, &h->deal, h_params(), &h->arena, &h->err) != 0)
        fail_msg("analyse: %s", h->err.message);
}

void h_free(h_deal *h) {
    ds_arena_free(&h->arena);
}

void h_assert_near(double actual, double expected, double eps, const char *what, const char *file,
                   int line) {
    if (fabs(actual - expected) <= eps) return;
    print_error("%s is %.12g, expected %.12g (within %g)\n", what, actual, expected, eps);
    _fail(file, line);
}

int h_index(const h_deal *h, const char *id) {
    int i = ds_deal_find(&h->deal, id);
    if (i < 0) fail_msg("no stakeholder %s", id);
    return i;
}

int h_day(const char *date) {
    int d = 0;
    if (!ds_date_parse(date, &d)) fail_msg("bad test date %s", date);
    return d;
}

const ds_factor *h_factor(const ds_score *s, const char *name, int stakeholder) {
    for (int i = 0; i < s->n_factors; i++)
        if (strcmp(s->factors[i].factor, name) == 0 &&
            (stakeholder < 0 || s->factors[i].stakeholder == stakeholder))
            return &s->factors[i];
    return NULL;
}

bool h_has_warning(const ds_analysis *an, const char *w) {
    for (int i = 0; i < an->n_warnings; i++)
        if (strcmp(an->warnings[i], w) == 0) return true;
    return false;
}

/* ---- PRNG ---- */

uint64_t h_rng_next(h_rng *r) {
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double h_rng_unit(h_rng *r) {
    return (double)(h_rng_next(r) >> 11) * 0x1.0p-53;
}

int h_rng_below(h_rng *r, int n) {
    return (int)(h_rng_next(r) % (uint64_t)n);
}

bool h_rng_chance(h_rng *r, double p) {
    return h_rng_unit(r) < p;
}

/* ---- random deals ---- */

static const char *const functions[] = {"business", "exec",        "it",    "user",
                                        "finance",  "procurement", "legal", "other"};
static const char *const levels[] = {"c_level", "vp", "director", "head", "manager", "individual"};
static const char *const roles[] = {"economic_buyer", "champion",     "sponsor",
                                    "influencer",     "it_strategic", "it_operations",
                                    "end_user",       "blocker",      "coach"};
static const char *const types[] = {"influences", "reports_to", "trusts", "peer", "conflict"};
static const char *const stages[] = {"prospect",    "discovery",  "qualification", "proposal",
                                     "negotiation", "closed_won", "closed_lost"};

/* ,"key":value with a comma unless first; each optional field is given with p 0.7 */
typedef struct obj {
    ds_buf *b;
    bool first;
} obj;

static void key(obj *o, const char *k) {
    ds_buf_printf(o->b, "%s\"%s\":", o->first ? "" : ",", k);
    o->first = false;
}

static void num(h_rng *r, obj *o, const char *k, double lo, double hi) {
    if (!h_rng_chance(r, 0.7)) return;
    double x = lo + (hi - lo) * h_rng_unit(r);
    if (h_rng_chance(r, 0.1)) x = h_rng_chance(r, 0.5) ? lo : hi; /* the ends of the range */
    key(o, k);
    ds_buf_printf(o->b, "%.17g", x);
}

static void boolean(h_rng *r, obj *o, const char *k) {
    if (!h_rng_chance(r, 0.7)) return;
    key(o, k);
    ds_buf_puts(o->b, h_rng_chance(r, 0.5) ? "true" : "false");
}

static void date(h_rng *r, obj *o, const char *k, int around) {
    if (!h_rng_chance(r, 0.7)) return;
    char s[11];
    ds_date_format(around - 400 + h_rng_below(r, 430), s); /* some after as_of */
    key(o, k);
    ds_buf_printf(o->b, "\"%s\"", s);
}

static void random_solution(h_rng *r, ds_buf *b) {
    obj o = {b, true};
    ds_buf_puts(b, "{");
    boolean(r, &o, "for_it");
    num(r, &o, "capability", 0, 1);
    num(r, &o, "strategic", 0, 1);
    if (h_rng_chance(r, 0.7)) {
        key(&o, "measurable");
        obj m = {b, true};
        ds_buf_puts(b, "{");
        num(r, &m, "annual_benefit", 0, 500);
        num(r, &m, "cost", 1, 300);
        num(r, &m, "payback_months", 0, 60);
        num(r, &m, "confidence", 0, 1);
        ds_buf_puts(b, "}");
    }
    num(r, &o, "it_workload", -1, 1);
    boolean(r, &o, "it_burden_framed");
    num(r, &o, "it_career", 0, 1);
    num(r, &o, "in_house_alternative", 0, 1);
    num(r, &o, "data_readiness", 0, 1);
    num(r, &o, "security_risk", 0, 1);
    num(r, &o, "user_change", 0, 1);
    num(r, &o, "user_transparency", 0, 1);
    num(r, &o, "user_benefit", 0, 1);
    boolean(r, &o, "users_consulted");
    boolean(r, &o, "prototype");
    ds_buf_puts(b, "}");
}

static void random_stakeholder(h_rng *r, ds_buf *b, int i, int as_of) {
    obj o = {b, false};
    ds_buf_printf(b, "{\"id\":\"s%d\"", i);
    if (h_rng_chance(r, 0.8)) {
        key(&o, "function");
        ds_buf_printf(b, "\"%s\"", functions[h_rng_below(r, 8)]);
    }
    if (h_rng_chance(r, 0.8)) {
        key(&o, "level");
        ds_buf_printf(b, "\"%s\"", levels[h_rng_below(r, 6)]);
    }
    if (h_rng_chance(r, 0.8)) {
        key(&o, "roles");
        ds_buf_puts(b, "[");
        int n = h_rng_below(r, 3);
        for (int k = 0; k < n; k++)
            ds_buf_printf(b, "%s\"%s\"", k ? "," : "", roles[h_rng_below(r, 9)]);
        ds_buf_puts(b, "]");
    }
    boolean(r, &o, "can_buy");
    num(r, &o, "influence", 0, 1);
    num(r, &o, "stance", -1, 1);
    if (h_rng_chance(r, 0.7)) {
        key(&o, "benefits");
        obj sub = {b, true};
        ds_buf_puts(b, "{");
        num(r, &sub, "work", 0, 1);
        num(r, &sub, "career", 0, 1);
        ds_buf_puts(b, "}");
    }
    if (h_rng_chance(r, 0.7)) {
        key(&o, "convinced");
        obj sub = {b, true};
        ds_buf_puts(b, "{");
        boolean(r, &sub, "capability");
        boolean(r, &sub, "strategic");
        boolean(r, &sub, "measurable");
        ds_buf_puts(b, "}");
    }
    num(r, &o, "ai_interest", 0, 1);
    num(r, &o, "burden", 0, 1);
    num(r, &o, "credibility_threat", 0, 1);
    date(r, &o, "first_contact", as_of);
    date(r, &o, "last_contact", as_of);
    num(r, &o, "expectation_gap", 0, 1);
    ds_buf_puts(b, "}");
}

void h_random_deal(h_rng *r, int n, ds_buf *b) {
    int as_of = h_day("2024-06-30") - h_rng_below(r, 1000);
    char as_of_s[11];
    ds_date_format(as_of, as_of_s);
    ds_buf_init(b);
    ds_buf_printf(b, "{\"id\":\"deal-%d\",\"stage\":\"%s\"", n, stages[h_rng_below(r, 7)]);
    if (h_rng_chance(r, 0.8)) ds_buf_printf(b, ",\"as_of\":\"%s\"", as_of_s);
    if (h_rng_chance(r, 0.9)) {
        ds_buf_puts(b, ",\"solution\":");
        random_solution(r, b);
    }
    int people = h_rng_below(r, 9);
    ds_buf_puts(b, ",\"stakeholders\":[");
    for (int i = 0; i < people; i++) {
        if (i) ds_buf_puts(b, ",");
        random_stakeholder(r, b, i, as_of);
    }
    ds_buf_puts(b, "],\"relationships\":[");
    int links = people < 2 ? 0 : h_rng_below(r, 13);
    for (int k = 0; k < links; k++) {
        int from = h_rng_below(r, people), to = h_rng_below(r, people - 1);
        if (to >= from) to++; /* never a self relationship */
        ds_buf_printf(b, "%s{\"from\":\"s%d\",\"to\":\"s%d\",\"type\":\"%s\"", k ? "," : "", from,
                      to, types[h_rng_below(r, 5)]);
        if (h_rng_chance(r, 0.7)) ds_buf_printf(b, ",\"strength\":%.17g", h_rng_unit(r));
        ds_buf_puts(b, "}");
    }
    ds_buf_puts(b, "]");
    if (h_rng_chance(r, 0.1))
        ds_buf_printf(b, ",\"override\":{\"viability\":%.17g}", 100 * h_rng_unit(r));
    ds_buf_puts(b, "}");
}
