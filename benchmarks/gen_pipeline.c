/* gen_pipeline.c: writes a realistic, seeded pipeline export of any size, as
 * JSONL and as the CSV trio of dealscore's plain mapping, for benchmarks.
 *
 *   gen_pipeline [--seed N] (--deals N | --bytes SIZE[K|M|G]) [--jsonl FILE]
 *                [--csv PREFIX] [--committee small|large]
 *
 * --csv writes PREFIX-deals.csv, PREFIX-contacts.csv, PREFIX-relationships.csv
 * (models/mappings/plain.json) holding the same deals as the JSONL file. Deals
 * have stakeholders with names that need CSV quoting, a custom column, and ties
 * between them: with --committee small (the default, what the generator always
 * wrote) 3 to 12 stakeholders (7.5 on average, ~3.7 KB of JSON a deal) and
 * n - 1 + [0, n) ties; with large 16 to 28 (22 on average, ~10 KB) and
 * n + [0, 2n) ties (~44). The same seed and options give the same files. C rather
 * than Python because a benchmark input of a gigabyte must not take minutes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PEOPLE 28

static uint64_t rng_state;
static int large; /* --committee large */

static uint64_t next(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}
static double uniform(double lo, double hi) {
    return lo + (hi - lo) * (double)(next() >> 11) / 9007199254740992.0;
}
static int pick(int n) { return (int)(next() % (uint64_t)n); }
static int chance(double p) { return uniform(0, 1) < p; }

static const char *const stages[] = {"prospect", "discovery", "qualification", "proposal",
                                     "negotiation", "closed_won", "closed_lost"};
static const char *const functions[] = {"business", "exec", "it", "user",
                                        "finance", "procurement", "legal", "other"};
static const char *const levels[] = {"c_level", "vp", "director", "head", "manager", "individual"};
static const char *const roles[] = {"economic_buyer", "champion", "sponsor", "influencer",
                                    "it_strategic", "it_operations", "end_user", "blocker",
                                    "coach"};
static const char *const rel_types[] = {"influences", "reports_to", "trusts", "peer", "conflict"};
static const char *const first_names[] = {"Ana", "Bo", "Chen", "Dana", "Eli", "Fatou", "Gus",
                                          "Hana", "Ivo", "Zoë", "Søren", "Kemal"};
static const char *const last_names[] = {"Okafor", "Marsh", "Raman", "Wierzbicki", "Bello",
                                         "Kumar", "O'Neil", "Lima", "Schmidt", "Dubois"};
static const char *const titles[] = {"Chief Information Officer", "VP Operations, EMEA",
                                     "Head of Data", "IT Ops Lead", "Claims Handler",
                                     "Director \"Finance\"", "Procurement Manager", "Counsel"};
static const char *const segments[] = {"Enterprise", "Mid-Market", "Public Sector"};

typedef struct person {
    char id[16], name[64];
    const char *title, *function, *level;
    int roles[2], n_roles, can_buy;
    double influence, stance, work, career, ai, burden, threat;
    int first_day, last_day;
} person;

typedef struct tie {
    int from, to;
    const char *type;
    double strength;
} tie;

typedef struct deal {
    char id[24], name[64];
    const char *stage, *segment;
    double amount, capability, strategic, benefit, cost, confidence, workload, it_career;
    double in_house, data, security, change, transparency, user_benefit;
    int prototype, consulted, n_people, n_ties, close_day;
    person people[MAX_PEOPLE];
    tie ties[3 * MAX_PEOPLE];
} deal;

static void date(char out[32], int day) { /* day 0 = 2026-01-01, months of 28 days */
    snprintf(out, 32, "20%02d-%02d-%02d", 26 + day / 336, 1 + (day / 28) % 12, 1 + day % 28);
}

static void make_deal(deal *d, long n) {
    snprintf(d->id, sizeof d->id, "GEN-%08ld", n);
    snprintf(d->name, sizeof d->name, "Pipeline deal %ld, phase %d", n, 1 + pick(3));
    d->stage = stages[pick(7)];
    d->segment = segments[pick(3)];
    d->amount = (double)(10000 + pick(990000));
    d->capability = uniform(0, 1), d->strategic = uniform(0, 1);
    d->cost = d->amount, d->benefit = d->amount * uniform(0.5, 4);
    d->confidence = uniform(0.3, 1), d->workload = uniform(-1, 1), d->it_career = uniform(0, 1);
    d->in_house = uniform(0, 1), d->data = uniform(0, 1), d->security = uniform(0, 1);
    d->change = uniform(0, 1), d->transparency = uniform(0, 1), d->user_benefit = uniform(0, 1);
    d->prototype = chance(0.3), d->consulted = chance(0.5), d->close_day = 200 + pick(400);
    d->n_people = large ? 16 + pick(13) : 3 + pick(10);
    for (int i = 0; i < d->n_people; i++) {
        person *p = &d->people[i];
        snprintf(p->id, sizeof p->id, "p%d", i + 1);
        snprintf(p->name, sizeof p->name, "%s, %s", last_names[pick(10)], first_names[pick(12)]);
        p->title = titles[pick(8)];
        p->function = functions[pick(8)];
        p->level = levels[pick(6)];
        p->n_roles = 1 + chance(0.3);
        for (int k = 0; k < p->n_roles; k++) p->roles[k] = pick(9);
        if (p->n_roles == 2 && p->roles[0] == p->roles[1]) p->n_roles = 1;
        p->can_buy = chance(0.25);
        p->influence = uniform(0, 1), p->stance = uniform(-1, 1), p->work = uniform(0, 1);
        p->career = uniform(0, 1), p->ai = uniform(0, 1), p->burden = uniform(0, 1);
        p->threat = uniform(0, 1);
        p->first_day = pick(150), p->last_day = p->first_day + pick(150);
    }
    d->n_ties = large ? d->n_people + pick(2 * d->n_people)
                      : d->n_people - 1 + pick(d->n_people);
    for (int k = 0; k < d->n_ties; k++) {
        tie *t = &d->ties[k];
        t->from = pick(d->n_people);
        t->to = (t->from + 1 + pick(d->n_people - 1)) % d->n_people;
        t->type = rel_types[pick(5)];
        t->strength = uniform(0.1, 1);
    }
}

static void json_string(FILE *f, const char *s) {
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') putc('\\', f);
        putc(*s, f);
    }
    putc('"', f);
}

static void write_json(FILE *f, const deal *d) {
    char close[32], first[32], last[32];
    date(close, d->close_day);
    fprintf(f, "{\"id\":\"%s\",\"name\":", d->id);
    json_string(f, d->name);
    fprintf(f,
            ",\"account\":\"Account %s\",\"currency\":\"EUR\",\"stage\":\"%s\",\"amount\":%.0f,"
            "\"close_date\":\"%s\",\"as_of\":\"2026-11-15\",\"segment\":\"%s\",\"solution\":{"
            "\"capability\":%.3f,\"strategic\":%.3f,\"measurable\":{\"annual_benefit\":%.0f,"
            "\"cost\":%.0f,\"payback_months\":%d,\"confidence\":%.3f},\"it_workload\":%.3f,"
            "\"it_career\":%.3f,\"in_house_alternative\":%.3f,\"data_readiness\":%.3f,"
            "\"security_risk\":%.3f,\"user_change\":%.3f,\"user_transparency\":%.3f,"
            "\"user_benefit\":%.3f,\"users_consulted\":%s,\"prototype\":%s},\"stakeholders\":[",
            d->id + 4, d->stage, d->amount, close, d->segment, d->capability, d->strategic,
            d->benefit, d->cost, 6 + d->close_day % 18, d->confidence, d->workload, d->it_career,
            d->in_house, d->data, d->security, d->change, d->transparency, d->user_benefit,
            d->consulted ? "true" : "false", d->prototype ? "true" : "false");
    for (int i = 0; i < d->n_people; i++) {
        const person *p = &d->people[i];
        date(first, p->first_day);
        date(last, p->last_day);
        fprintf(f, "%s{\"id\":\"%s\",\"name\":", i ? "," : "", p->id);
        json_string(f, p->name);
        fputs(",\"title\":", f);
        json_string(f, p->title);
        fprintf(f, ",\"function\":\"%s\",\"level\":\"%s\",\"roles\":[", p->function, p->level);
        for (int k = 0; k < p->n_roles; k++) fprintf(f, "%s\"%s\"", k ? "," : "", roles[p->roles[k]]);
        fprintf(f,
                "],\"can_buy\":%s,\"influence\":%.3f,\"stance\":%.3f,\"benefits\":{\"work\":%.3f,"
                "\"career\":%.3f},\"ai_interest\":%.3f,\"burden\":%.3f,\"credibility_threat\":%.3f,"
                "\"first_contact\":\"%s\",\"last_contact\":\"%s\"}",
                p->can_buy ? "true" : "false", p->influence, p->stance, p->work, p->career, p->ai,
                p->burden, p->threat, first, last);
    }
    fputs("],\"relationships\":[", f);
    for (int k = 0; k < d->n_ties; k++)
        fprintf(f, "%s{\"from\":\"%s\",\"to\":\"%s\",\"type\":\"%s\",\"strength\":%.3f}",
                k ? "," : "", d->people[d->ties[k].from].id, d->people[d->ties[k].to].id,
                d->ties[k].type, d->ties[k].strength);
    fputs("]}\n", f);
}

static void csv_field(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"') putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}

static void write_csv(FILE *deals, FILE *contacts, FILE *ties, const deal *d) {
    char close[32], first[32], last[32];
    date(close, d->close_day);
    fprintf(deals, "%s,", d->id);
    csv_field(deals, d->name);
    fprintf(deals,
            ",Account %s,EUR,%s,%.0f,%s,2026-11-15,%s,%.3f,%.3f,%.0f,%.0f,%d,%.3f,%.3f,%.3f,"
            "%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%s,%s\r\n",
            d->id + 4, d->stage, d->amount, close, d->segment, d->capability, d->strategic,
            d->benefit, d->cost, 6 + d->close_day % 18, d->confidence, d->workload, d->it_career,
            d->in_house, d->data, d->security, d->change, d->transparency, d->user_benefit,
            d->consulted ? "true" : "false", d->prototype ? "true" : "false");
    for (int i = 0; i < d->n_people; i++) {
        const person *p = &d->people[i];
        date(first, p->first_day);
        date(last, p->last_day);
        fprintf(contacts, "%s,%s,", d->id, p->id);
        csv_field(contacts, p->name);
        putc(',', contacts);
        csv_field(contacts, p->title);
        fprintf(contacts, ",%s,%s,", p->function, p->level);
        for (int k = 0; k < p->n_roles; k++)
            fprintf(contacts, "%s%s", k ? ";" : "", roles[p->roles[k]]);
        fprintf(contacts, ",%s,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%s,%s\r\n",
                p->can_buy ? "true" : "false", p->influence, p->stance, p->work, p->career, p->ai,
                p->burden, p->threat, first, last);
    }
    for (int k = 0; k < d->n_ties; k++)
        fprintf(ties, "%s,%s,%s,%s,%.3f\r\n", d->id, d->people[d->ties[k].from].id,
                d->people[d->ties[k].to].id, d->ties[k].type, d->ties[k].strength);
}

static long long parse_size(const char *s) {
    char *end;
    double v = strtod(s, &end);
    long long unit = *end == 'K' || *end == 'k' ? 1LL << 10
                     : *end == 'M' || *end == 'm' ? 1LL << 20
                     : *end == 'G' || *end == 'g' ? 1LL << 30
                                                  : 1;
    return (long long)(v * (double)unit);
}

static FILE *open_out(const char *prefix, const char *suffix) {
    char path[4096];
    snprintf(path, sizeof path, "%s%s", prefix, suffix);
    FILE *f = fopen(path, "wb");
    if (!f) perror(path), exit(2);
    return f;
}

int main(int argc, char **argv) {
    long deals = -1;
    long long bytes = -1;
    const char *jsonl = NULL, *csv = NULL;
    int bad = 0;
    rng_state = 42;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seed") == 0) rng_state = strtoull(argv[i + 1], NULL, 10) * 2 + 1;
        else if (strcmp(argv[i], "--deals") == 0) deals = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--bytes") == 0) bytes = parse_size(argv[i + 1]);
        else if (strcmp(argv[i], "--jsonl") == 0) jsonl = argv[i + 1];
        else if (strcmp(argv[i], "--csv") == 0) csv = argv[i + 1];
        else if (strcmp(argv[i], "--committee") == 0) {
            large = strcmp(argv[i + 1], "large") == 0;
            bad |= !large && strcmp(argv[i + 1], "small") != 0;
        }
    }
    if (bad || (deals < 0) == (bytes < 0) || argc % 2 == 0) {
        fputs("usage: gen_pipeline [--seed N] (--deals N | --bytes SIZE[K|M|G]) [--jsonl FILE] "
              "[--csv PREFIX] [--committee small|large]\n",
              stderr);
        return 2;
    }
    FILE *out = jsonl ? fopen(jsonl, "wb") : stdout;
    if (!out) perror(jsonl), exit(2);
    FILE *cd = NULL, *cc = NULL, *cr = NULL;
    if (csv) {
        cd = open_out(csv, "-deals.csv");
        cc = open_out(csv, "-contacts.csv");
        cr = open_out(csv, "-relationships.csv");
        fputs("id,name,account,currency,stage,amount,close_date,as_of,segment,"
              "solution.capability,solution.strategic,solution.measurable.annual_benefit,"
              "solution.measurable.cost,solution.measurable.payback_months,"
              "solution.measurable.confidence,solution.it_workload,solution.it_career,"
              "solution.in_house_alternative,solution.data_readiness,solution.security_risk,"
              "solution.user_change,solution.user_transparency,solution.user_benefit,"
              "solution.users_consulted,solution.prototype\r\n",
              cd);
        fputs("deal_id,id,name,title,function,level,roles,can_buy,influence,stance,"
              "benefits.work,benefits.career,ai_interest,burden,credibility_threat,"
              "first_contact,last_contact\r\n",
              cc);
        fputs("deal_id,from,to,type,strength\r\n", cr);
    }
    static deal d;
    for (long n = 0; deals < 0 || n < deals; n++) {
        if (bytes >= 0 && ftell(out) >= bytes) break;
        make_deal(&d, n);
        write_json(out, &d);
        if (csv) write_csv(cd, cc, cr, &d);
    }
    int rc = fclose(out) != 0;
    if (csv) rc |= (fclose(cd) != 0) | (fclose(cc) != 0) | (fclose(cr) != 0);
    return rc ? 2 : 0;
}
