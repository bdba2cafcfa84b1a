/* ds_deal.h: the deal model (SCORING.md section 1) and its decoding from JSON.
 *
 * ds_deal_decode() validates a parsed deal completely and fills a ds_deal whose
 * optional fields already hold their defaults. Everything it allocates comes from
 * the deal's arena. The first error found (in the order docs/model.md gives) is
 * reported with its code and a JSON path, so a CRM admin can find the bad cell. */
#ifndef DS_DEAL_H
#define DS_DEAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "ds_arena.h"
#include "ds_model.h"

enum ds_stage {
    DS_STAGE_NONE = -1,
    DS_STAGE_PROSPECT,
    DS_STAGE_DISCOVERY,
    DS_STAGE_QUALIFICATION,
    DS_STAGE_PROPOSAL,
    DS_STAGE_NEGOTIATION,
    DS_STAGE_CLOSED_WON,
    DS_STAGE_CLOSED_LOST
};

enum ds_function {
    DS_FN_NONE = -1,
    DS_FN_BUSINESS,
    DS_FN_EXEC,
    DS_FN_IT,
    DS_FN_USER,
    DS_FN_FINANCE,
    DS_FN_PROCUREMENT,
    DS_FN_LEGAL,
    DS_FN_OTHER
};

/* roles are bits */
enum ds_role {
    DS_ROLE_ECONOMIC_BUYER = 1 << 0,
    DS_ROLE_CHAMPION = 1 << 1,
    DS_ROLE_SPONSOR = 1 << 2,
    DS_ROLE_INFLUENCER = 1 << 3,
    DS_ROLE_IT_STRATEGIC = 1 << 4,
    DS_ROLE_IT_OPERATIONS = 1 << 5,
    DS_ROLE_END_USER = 1 << 6,
    DS_ROLE_BLOCKER = 1 << 7,
    DS_ROLE_COACH = 1 << 8,
};
#define DS_NROLES 9

enum ds_rel_type {
    DS_REL_INFLUENCES,
    DS_REL_REPORTS_TO,
    DS_REL_TRUSTS,
    DS_REL_PEER,
    DS_REL_CONFLICT
};

enum ds_conviction { DS_CAPABILITY_CASE, DS_STRATEGIC_CASE, DS_MEASURABLE_CASE };

/* the sets of SCORING.md section 1, as bits on each stakeholder */
enum ds_set { DS_SET_IT = 1, DS_SET_USERS = 2, DS_SET_DECIDERS = 4, DS_SET_KEY = 8 };

/* A field whose value was inferred rather than given, e.g. a function read from a
 * title by a CSV mapping: its value is used, but it counts as defaulted in
 * coverage (docs/model.md "Inferred values"). */
typedef struct ds_inferred {
    const char *field;  /* "function", "benefits.work", "measurable.cost", ... */
    const char *source; /* what it was inferred from, as the input says */
} ds_inferred;

typedef struct ds_stakeholder {
    const char *id, *name, *title; /* name and title may be NULL */
    int function, level;           /* -1 / DS_LEVEL_MISSING when not given */
    unsigned roles;                /* ds_role bits */
    unsigned sets;                 /* ds_set bits, derived */
    bool can_buy;
    bool has_influence, has_stance; /* given (or marked inferred), not the defaults */
    double influence, stance, benefit_work, benefit_career;
    bool convinced[3];
    double ai_interest, burden, credibility_threat, expectation_gap;
    int first_contact, last_contact; /* day numbers or DS_NO_DATE */
    int given;                       /* defaultable fields given (for coverage) */
    int n_inferred;                  /* fields the input marks as inferred */
    const ds_inferred *inferred;
} ds_stakeholder;

typedef struct ds_relationship {
    int from, to; /* stakeholder indexes */
    int type;     /* ds_rel_type */
    double strength;
} ds_relationship;

typedef struct ds_solution {
    bool for_it, it_burden_framed, users_consulted, prototype;
    double capability, strategic, it_workload, it_career, in_house_alternative;
    double data_readiness, security_risk, user_change, user_transparency, user_benefit;
    bool has_measurable, has_cost, has_payback;
    double annual_benefit, cost, payback_months, confidence;
    int given; /* defaultable fields given (for coverage) */
    int n_inferred;
    const ds_inferred *inferred;
} ds_solution;

/* A key in an object the decoder reads that it did not read as given: one that
 * is no field but looks like one (a near miss, core/ds_nearkey.h), or one given
 * again in the same object (the last is read, the earlier dropped from the
 * tree). Not part of the result: front ends report them beside it
 * (docs/model.md "Unknown and repeated keys"). */
typedef struct ds_key_note {
    const char *path;  /* "$.stakeholders[0].Stance" */
    const char *field; /* a near miss: the field it resembles; NULL: a repeated key */
} ds_key_note;
#define DS_KEY_NOTES_MAX 64 /* kept a deal; the first ones, in document order */

typedef struct ds_deal {
    const char *id, *name, *account, *currency;
    int stage;                 /* ds_stage */
    const char *unknown_stage; /* a stage that is none of ds_stage_names, or NULL */
    double amount;
    bool has_amount;
    int close_date, as_of; /* day numbers or DS_NO_DATE */
    ds_solution solution;
    int n_stakeholders, n_relationships;
    ds_stakeholder *stakeholders;
    ds_relationship *relationships;
    bool has_override;
    double override_viability;
    int coverage_given, coverage_total;
    const cJSON *json; /* the deal as parsed, for policies' custom fields; not owned */
    int n_key_notes;
    ds_key_note *key_notes;
} ds_deal;

#define DS_COVERAGE_SOLUTION 18
#define DS_COVERAGE_STAKEHOLDER 10

typedef struct ds_error {
    const char *code;   /* "bad_type", ... (static string) */
    char message[1024]; /* a CSV row's error names each of its bad cells */
    char path[256];
} ds_error;

/* Decodes a parsed deal. default_as_of (DS_NO_DATE for none) applies when the deal
 * has no as_of. Of a key repeated in an object the decoder reads, the last is
 * read and the earlier ones are dropped from json, so every later reader (a
 * policy's view of custom fields too) sees what the decoder read. Returns 0, or
 * -1 with err filled. */
int ds_deal_decode(cJSON *json, const ds_params *p, int default_as_of, ds_arena *a, ds_deal *deal,
                   ds_error *err);

/* Sets an error; message is printf-style. */
void ds_error_set(ds_error *err, const char *code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* True when the deal has contact dates (first_contact or last_contact) but no
 * as_of (neither its own nor a default): staleness cannot be judged, nothing
 * decays, no stale:<id> warning can appear. A front end says so once per run. */
bool ds_deal_undated_contacts(const ds_deal *deal);

/* index of the stakeholder with this id, or -1 */
int ds_deal_find(const ds_deal *deal, const char *id);

/* The source a field was inferred from ("benefits.work", ...), or NULL when the
 * field was not marked as inferred. */
const char *ds_inferred_source(const ds_inferred *list, int n, const char *field);

/* Fields that may be marked as inferred, NULL-terminated: every stakeholder field
 * but id, name and title; every solution field (measurable ones as
 * "measurable.cost"). */
extern const char *const ds_stakeholder_inferable[];
extern const char *const ds_solution_inferable[];

/* The fields counted in coverage, NULL-terminated: ds_stakeholder_counted per
 * stakeholder (10), and every field of ds_solution_inferable (18). */
extern const char *const ds_stakeholder_counted[];

/* True when the input gave this counted field ("stance", "benefits.work", or for
 * stakeholder -1 a solution field such as "measurable.cost") and did not mark it
 * inferred: what coverage counts as given. */
bool ds_deal_given(const ds_deal *deal, int stakeholder, const char *field);

/* names for enums, for policies and output */
extern const char *const ds_stage_names[];
extern const char *const ds_function_names[];
extern const char *const ds_level_names[];
extern const char *const ds_role_names[];
extern const char *const ds_rel_type_names[];
int ds_enum_lookup(const char *const *names, const char *s);

#endif
