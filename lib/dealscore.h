/* dealscore.h: the public API of libdealscore, the deal scoring engine.
 *
 * One header, in the manner of cJSON.h and uv.h: everything a program embedding
 * dealscore needs (the CLI, the service, the Lua module and the Python binding
 * are such programs) and nothing of the engine's inside. A deal goes in as JSON
 * bytes; a typed result comes out, which a front end reads field by field or
 * writes as the JSON line `dealscore score` prints.
 *
 *     dealscore_model *m = dealscore_model_load(NULL, err, sizeof err);
 *     dealscore_options o;
 *     dealscore_options_init(&o);
 *     dealscore_engine *e = dealscore_engine_new(m, &o, err, sizeof err);
 *     const dealscore_result *r = dealscore_score(e, text, len, "deals.jsonl:1");
 *     if (r->error.code) ... else printf("%s %.1f\n", r->verdict, r->viability);
 *     dealscore_engine_free(e);
 *     dealscore_model_free(m);
 *
 * Names. Every public name starts with dealscore_ (types, functions) or
 * DEALSCORE_ (constants); the engine's internal modules keep their own prefixes
 * (ds_ for core/, dsl_ for the Lua policy runtime) and are not part of this API.
 * One type per object: dealscore_model (parameters, shared), dealscore_engine
 * (policies and scratch memory, one per thread), dealscore_result (what one deal
 * scored to, owned by its engine). Functions are named object_verb.
 *
 * Ownership and lifetime, object by object:
 *   - dealscore_model: made by dealscore_model_load/_parse, freed by the caller
 *     with dealscore_model_free, after every engine made from it is freed. It is
 *     read-only once loaded: any number of threads may share one.
 *   - dealscore_options: plain data the caller owns; read (strings included) only
 *     during dealscore_engine_new, so it may be freed or reused after it.
 *   - dealscore_engine: made by dealscore_engine_new, freed by the caller with
 *     dealscore_engine_free. It holds its own Lua state per policy and its own
 *     deal memory, so it is used by ONE thread at a time; a program scoring on N
 *     threads makes N engines from the same model and options.
 *   - dealscore_result: returned by dealscore_score, owned by the engine: every
 *     pointer in it (strings, arrays) stays valid until the next dealscore_score,
 *     dealscore_reject or dealscore_engine_free on the same engine. Never NULL:
 *     a deal that cannot be scored is a result whose error.code is set. Copy what
 *     must outlive the next call.
 *   - Text returned by dealscore_result_json belongs to the engine, with the same
 *     lifetime as the result. Text returned by dealscore_error_json is malloc'd
 *     and belongs to the caller (free()).
 *
 * Misuse: every function checks its pointers; a NULL engine or model is refused
 * with an error (or NULL, or a result-less return), never a crash. */
#ifndef DEALSCORE_H
#define DEALSCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* DS_API marks what the shared library exports; the build compiles with
 * -fvisibility=hidden, so everything else stays inside. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define DS_API __attribute__((visibility("default")))
#else
#define DS_API
#endif

#define DEALSCORE_VERSION "0.1.0"

/* ---- the model: parameters of the scores (models/default.json) ---- */

typedef struct dealscore_model dealscore_model;

/* Loads a model file; NULL loads the bundled models/default.json (under
 * $DEALSCORE_HOME, else where the library was built or installed). Returns
 * NULL with a message naming the file and key in err. */
DS_API dealscore_model *dealscore_model_load(const char *path, char *err, size_t errlen);
/* The same from JSON text; `source` names it in messages. */
DS_API dealscore_model *dealscore_model_parse(const char *text, size_t len, const char *source,
                                              char *err, size_t errlen);
DS_API void dealscore_model_free(dealscore_model *m); /* NULL is a no-op */
/* "name@version", as results name the model; "" for NULL. */
DS_API const char *dealscore_model_label(const dealscore_model *m);

/* ---- engine options ---- */

/* What a result holds besides the scores (dealscore_options.flags). */
enum {
    DEALSCORE_EXPLAIN = 1,     /* factors of every score and the stakeholders' graph values */
    DEALSCORE_ACTIONS = 2,     /* next best actions, re-scored (docs/actions.md) */
    DEALSCORE_QUESTIONS = 4,   /* the questions that would move the verdict (docs/questions.md) */
    DEALSCORE_PROPOSALS = 8,   /* the policy's own actions() as it returned them */
    DEALSCORE_UNIQUE_IDS = 16, /* an id scored before by this engine is a duplicate_id error */
    /* with QUESTIONS: every answer decided by the policy, whatever it costs; without
     * it at most as many policy runs as next best actions make (docs/questions.md) */
    DEALSCORE_QUESTIONS_EXACT = 32
};

#define DEALSCORE_MAX_POLICIES 32
/* Memory one deal may use unless deal_memory says otherwise (256 MiB). */
#define DEALSCORE_DEAL_MEMORY_DEFAULT ((size_t)256 << 20)

typedef struct dealscore_options {
    /* Policy files, each with the name a deal gives in policy_field (NULL:
     * "default"; names are 1-63 bytes without spaces, '=' or ','; a repeated name
     * replaces the earlier file). Without a file named "default", the bundled
     * scripts/default.lua is the default policy. */
    struct {
        const char *name, *path;
    } policies[DEALSCORE_MAX_POLICIES];
    int n_policies;
    /* The deal key naming its policy; NULL: "policy" when named policies are
     * given, else deals cannot pick one. */
    const char *policy_field;
    /* Budgets per policy call and per Lua state: < 0 the model's runtime section
     * (instruction_budget, memory_limit_mb), 0 no limit. */
    long long instructions;
    long long memory_bytes;
    size_t deal_memory; /* bytes per deal; 0: DEALSCORE_DEAL_MEMORY_DEFAULT */
    /* Judge deals without an as_of at this date ("YYYY-MM-DD"); NULL: not at all. */
    const char *as_of;
    unsigned flags;    /* DEALSCORE_EXPLAIN | ... */
    int max_actions;   /* with DEALSCORE_ACTIONS: how many; < 0 the model's */
    int max_questions; /* with DEALSCORE_QUESTIONS: how many; < 0 the model's */
} dealscore_options;

/* No policy file (the bundled default), the model's budgets and counts, no flags. */
DS_API void dealscore_options_init(dealscore_options *o);
/* Appends a policy file named `name` (NULL: "default"); neither is copied.
 * Returns -1 with a message when the list is full or path is NULL. */
DS_API int dealscore_options_policy(dealscore_options *o, const char *name, const char *path,
                                    char *err, size_t errlen);

/* ---- the engine: a model's policies and one deal's memory ---- */

typedef struct dealscore_engine dealscore_engine;

/* Opens every policy of o (each compiled, its init(model) run once, in a sandbox
 * under the budgets). Returns NULL with "file:line: message" in err when a policy
 * does not load or an option is wrong. The model must outlive the engine. */
DS_API dealscore_engine *dealscore_engine_new(const dealscore_model *m, const dealscore_options *o,
                                              char *err, size_t errlen);
DS_API void dealscore_engine_free(dealscore_engine *e); /* NULL is a no-op */
/* Changes what the next results hold (DEALSCORE_* flags; ACTIONS and QUESTIONS
 * take the counts given at dealscore_engine_new). Returns -1 with a message when
 * the model's actions or questions section is broken. */
DS_API int dealscore_engine_set_flags(dealscore_engine *e, unsigned flags, char *err,
                                      size_t errlen);
DS_API unsigned dealscore_engine_flags(const dealscore_engine *e);
/* Judges deals without an as_of at `date` ("YYYY-MM-DD"; NULL: not at all) from
 * the next deal on. Returns -1 when date is not one. */
DS_API int dealscore_engine_set_as_of(dealscore_engine *e, const char *date);
/* Scores every deal with the policy named `name` whatever the deal names (a
 * request's choice in the service); NULL goes back to the deal's own choice.
 * Returns -1 when no policy has that name. */
DS_API int dealscore_engine_use_policy(dealscore_engine *e, const char *name);
/* "name@version" of the policy called `name` (NULL: the default one), or NULL. */
DS_API const char *dealscore_engine_policy_label(const dealscore_engine *e, const char *name);
/* Whether that policy has an actions() function of its own. */
DS_API bool dealscore_engine_policy_has_actions(const dealscore_engine *e, const char *name);
/* "default, it_first, ..." for messages. */
DS_API void dealscore_engine_policy_names(const dealscore_engine *e, char *out, size_t len);
/* Bytes held by the engine's Lua states. */
DS_API size_t dealscore_engine_lua_memory(const dealscore_engine *e);
/* Bytes one deal may use (its text included): a reader need not hold a longer
 * deal in memory to learn that it is too large. */
DS_API size_t dealscore_engine_deal_memory(const dealscore_engine *e);
/* Deals scored so far that have contact dates but no as_of, so staleness was not
 * judged: a front end says so once. */
DS_API long dealscore_engine_undated(const dealscore_engine *e);
/* Forgets the ids seen (DEALSCORE_UNIQUE_IDS): a new batch begins. */
DS_API void dealscore_engine_new_batch(dealscore_engine *e);

/* ---- results ---- */

enum {
    DEALSCORE_CAPABILITY_ROI,
    DEALSCORE_STRATEGIC_ROI,
    DEALSCORE_MEASURABLE_ROI,
    DEALSCORE_IT_RESISTANCE,
    DEALSCORE_USER_THREAT,
    DEALSCORE_NSCORES
};
/* "capability_roi", ... as results name them; NULL out of range. */
DS_API const char *dealscore_score_name(int score);

/* Why a deal has no scores. code is NULL when it has. */
typedef struct dealscore_error {
    const char *code;    /* "bad_json", "bad_type", "policy_error", ... (docs/errors) */
    const char *message; /* for a person: names the input position and what to do */
    const char *path;    /* JSON path in the deal: "$.stakeholders[2].stance", or "$" */
    const char *where;   /* the position the caller gave dealscore_score, or "" */
    long line;           /* its line number when `where` reads "NAME:LINE...", else 0 */
} dealscore_error;

/* One additive part of a score: the factors of a score sum to it. */
typedef struct dealscore_factor {
    const char *factor;      /* a stable name, e.g. "champion_conviction" */
    double effect;           /* written to four decimals */
    const char *stakeholder; /* the stakeholder's id, or NULL */
    const char *detail;      /* never NULL */
} dealscore_factor;

typedef struct dealscore_inferred {
    const char *field, *source; /* "function", "title: VP Data" */
} dealscore_inferred;

typedef struct dealscore_stakeholder {
    const char *id, *name, *title; /* name and title may be NULL */
    double effective_influence, predicted_stance;
    int n_inferred; /* fields the input marked as inferred */
    const dealscore_inferred *inferred;
} dealscore_stakeholder;

/* A next best action and what it gains in viability. */
typedef struct dealscore_action {
    const char *action; /* "convince:okafor:capability" */
    const char *target; /* stakeholder id(s), comma separated, or NULL */
    double gain;
} dealscore_action;

/* An action as the policy's actions() proposed it (DEALSCORE_PROPOSALS). */
typedef struct dealscore_proposal {
    const char *action, *target; /* target may be NULL */
    const char *patch;           /* JSON object text */
} dealscore_proposal;

/* A question whose answer would move viability: the answers at the two ends of
 * the field's range, the worse one first. */
typedef struct dealscore_question {
    const char *field;       /* JSON path of the answer: "$.stakeholders[2].stance" */
    const char *stakeholder; /* id, or NULL for a solution field */
    const char *question;    /* in words a seller acts on */
    double low, high, swing; /* viabilities the two answers give, and the difference */
    const char *verdicts[2];
    const char *answers[2]; /* JSON text of each answer: a number, a boolean or an object */
} dealscore_question;

typedef struct dealscore_result {
    const char *id;        /* the deal's id; NULL when it has none readable */
    dealscore_error error; /* error.code set: nothing below is filled */
    bool validated;        /* the deal passed validation (its id counts as seen) */
    const char *policy;    /* "name@version" */
    const char *model;     /* "name@version" */
    double scores[DEALSCORE_NSCORES];
    double viability;
    bool has_win_probability; /* the model is calibrated for this policy */
    double win_probability;
    bool overridden; /* viability came from the deal's override */
    double computed_viability;
    const char *verdict; /* "pursue", "shape", "at_risk", "walk_away", "insufficient_data" */
    int n_reasons, n_warnings;
    const char *const *reasons;
    const char *const *warnings;
    double coverage; /* 0..1: share of the counted fields the input gave */
    unsigned flags;  /* which of the parts below are filled (DEALSCORE_*) */
    /* DEALSCORE_EXPLAIN */
    int n_factors[DEALSCORE_NSCORES];
    const dealscore_factor *factors[DEALSCORE_NSCORES];
    int n_viability_factors; /* the policy's own, often 0 */
    const dealscore_factor *viability_factors;
    int n_stakeholders;
    const dealscore_stakeholder *stakeholders;
    /* DEALSCORE_ACTIONS */
    int n_actions;
    const dealscore_action *actions;
    /* DEALSCORE_QUESTIONS */
    int n_questions;
    const dealscore_question *questions;
    /* DEALSCORE_PROPOSALS (also filled with DEALSCORE_ACTIONS) */
    int n_proposals;
    const dealscore_proposal *proposals;
} dealscore_result;

/* Scores one deal, JSON text of len bytes (need not be NUL-terminated). `where`
 * names its position for messages ("deals.jsonl:17"; NULL: ""). Returns the
 * result, owned by the engine (see the top of this file); NULL only for a NULL
 * engine. */
DS_API const dealscore_result *dealscore_score(dealscore_engine *e, const char *text, size_t len,
                                               const char *where);
/* An error result for input that never became a deal (a line over the size
 * limit, a broken array): id null, path "$". Owned as dealscore_score's. */
DS_API const dealscore_result *dealscore_reject(dealscore_engine *e, const char *code,
                                                const char *message);

/* The result as the JSON line `dealscore score` writes (no newline): key order
 * and rounding of docs/output.md. Owned by the engine, valid as the result is;
 * NULL when r is NULL, not this engine's latest result, or out of memory. */
DS_API const char *dealscore_result_json(dealscore_engine *e, const dealscore_result *r,
                                         size_t *len);
/* {"id":ID,"error":{"code","message","path"}} for an error made by the caller
 * (ID NULL: null). malloc'd, NUL-terminated; the caller frees it. NULL when out
 * of memory or err/err->code is NULL. */
DS_API char *dealscore_error_json(const char *id, const dealscore_error *err, size_t *len);

/* ---- explain: a scored deal as a report a person reads ---- */

enum { DEALSCORE_EXPLAIN_TEXT, DEALSCORE_EXPLAIN_MARKDOWN };
typedef struct dealscore_explain_style {
    int format;  /* DEALSCORE_EXPLAIN_TEXT or DEALSCORE_EXPLAIN_MARKDOWN */
    bool colour; /* ANSI colours and Unicode bars, for a terminal (never in Markdown) */
} dealscore_explain_style;

/* The report `dealscore explain` prints for r, the engine's latest result, which
 * must be scored: the scores with bars, the verdict and its reasons, each
 * score's largest factors in words naming the stakeholders, warnings with what
 * to do, the stakeholders, the next best actions and the questions the result
 * holds (an engine with DEALSCORE_ACTIONS and DEALSCORE_QUESTIONS gives them).
 * Every string from the deal is made safe to print (no escape sequence reaches
 * a terminal). malloc'd, NUL-terminated, the caller frees it; NULL for an error
 * result, a result not the engine's latest, or out of memory. */
DS_API char *dealscore_explain(dealscore_engine *e, const dealscore_result *r,
                               const dealscore_explain_style *style, size_t *len);

/* ---- reading deals: JSONL or JSON arrays, one deal's text at a time ----
 *
 * A stream is JSONL (one deal per line, blank lines skipped) or one JSON array of
 * deals; the first byte that is not whitespace (after a UTF-8 BOM) decides. What
 * follows the array's closing ']' is read as JSONL, so `cat export.json
 * more.jsonl` works and nothing after an array is lost; a later line that is an
 * array is one bad deal (bad_type), as in a JSONL file. Neither form is read
 * whole: memory holds one deal at a time.
 *
 * Broken input costs the broken part only. An array is broken when a line ends
 * inside a string (JSON strings cannot hold a raw line break), when an element is
 * followed by anything but ',' or ']', when an element is missing (`[1,,2]`,
 * `[1,]`), or when the input ends before its ']'. The element being read is then
 * rejected (bad_json, naming its line), and reading goes on from the line after
 * the one where that element started, salvaging deals line by line: a line that
 * begins with '{' is read as a deal (a ',' or ']' ending it is taken as the
 * array's punctuation), the other lines are taken as the rest of the broken array
 * and skipped. So a deal on its own line after a broken array is never lost, a
 * one-deal-per-line array recovers after its broken element, and the work stays
 * linear in the input. A deal longer than the limit is skipped without being held
 * in memory and rejected (too_large). */

/* Called for each deal's text; `where` is "FILE:LINE" (or "FILE:LINE element N"),
 * valid during the call. Return non-zero to stop reading. */
typedef int (*dealscore_deal_fn)(void *ctx, const char *text, size_t len, const char *where);
/* Called for input that is not a deal: code is "bad_json" or "too_large", the
 * message starts with "FILE:LINE". Return non-zero to stop reading. */
typedef int (*dealscore_reject_fn)(void *ctx, const char *code, const char *message);

/* Plain data the caller owns. */
typedef struct dealscore_input {
    dealscore_deal_fn deal;
    dealscore_reject_fn reject;
    void *ctx;
    size_t max_deal_bytes; /* longest deal text accepted (dealscore_engine_deal_memory); 0: any */
} dealscore_input;

/* Reads every item of one stream (`name` for messages: "deals.jsonl", "<stdin>").
 * Returns 0, or -1 on a read error (errno set). The stream stays the caller's. */
DS_API int dealscore_input_read(FILE *f, const char *name, const dealscore_input *in);
/* The same without a limit; rejected input reaches fn as an empty text with the
 * reason as `where`. */
DS_API int dealscore_read_deals(FILE *f, const char *name, dealscore_deal_fn fn, void *ctx);

/* ---- diff: what changed between two exports of a pipeline ----
 *
 * `dealscore diff OLD NEW` and the service's diff operation. Each side is a list
 * of texts: deals (scored with the engine given to dealscore_diff_new) or result
 * lines of `dealscore score` (with --explain they carry stakeholders), told apart
 * by their keys. Deals are matched by id. Per deal: each score and the verdict,
 * stakeholders who appeared, left or moved in stance, warnings that are new or
 * resolved (stale:<id>, expectation_gap:<id> for a deal's stakeholder whose
 * expectation_gap reaches the model's policy.expectation_gap_min, ...).
 *
 *     dealscore_diff *d = dealscore_diff_new(engine, 0.1);
 *     dealscore_diff_add(d, DEALSCORE_DIFF_OLD, text, len, "old.jsonl:3", NULL); ...
 *     dealscore_diff_add(d, DEALSCORE_DIFF_NEW, text, len, "new.jsonl:3", NULL); ...
 *     for (const dealscore_diff_change *c; (c = dealscore_diff_next(d));)
 *         puts(dealscore_diff_json(d, c, NULL));
 *     dealscore_diff_free(d);
 *
 * Ownership and lifetime:
 *   - dealscore_diff: made by dealscore_diff_new, freed by the caller with
 *     dealscore_diff_free, before the engine it was given. It scores deals with
 *     that engine (use neither from two threads at once) and holds a copy of
 *     everything it compares (so memory grows with both sides).
 *   - dealscore_diff_deal and the strings and arrays in it: owned by the diff,
 *     valid until dealscore_diff_free.
 *   - dealscore_diff_change and its arrays: owned by the diff, valid until the next
 *     dealscore_diff_next (the deals it points to live on).
 *   - Text returned by dealscore_diff_json / _text / _summary: owned by the diff,
 *     NUL-terminated, valid until the next call of any of the three or
 *     dealscore_diff_next.
 * The engine's flags are the caller's: a diff needs none (DEALSCORE_EXPLAIN only
 * costs time), and DEALSCORE_UNIQUE_IDS would refuse each id on its second side. */

typedef struct dealscore_diff dealscore_diff;

enum { DEALSCORE_DIFF_OLD, DEALSCORE_DIFF_NEW }; /* the two sides */

typedef struct dealscore_diff_person {
    const char *id;
    const char *name, *title; /* NULL when unknown (always so from result lines) */
    bool has_stance;          /* the stated stance is known (deals only) */
    bool has_predicted_stance;
    double stance, predicted_stance;
} dealscore_diff_person;

/* One deal as one side has it. */
typedef struct dealscore_diff_deal {
    const char *id;            /* NULL when the deal has none (then it is not compared) */
    const char *error;         /* its error code, NULL when scored */
    const char *error_message; /* with error: the message, when known; else NULL */
    const char *verdict;       /* NULL with error */
    double scores[DEALSCORE_NSCORES];
    double viability;
    double coverage;             /* < 0 when the side does not say (a result line without it) */
    int n_warnings;              /* its warnings, plus expectation_gap:<id> (deals) or */
    const char *const *warnings; /* "expectation_gap" (a result line's reason) */
    bool has_stakeholders;       /* false for a result line without stakeholders */
    int n_stakeholders;
    const dealscore_diff_person *stakeholders;
} dealscore_diff_deal;

/* What dealscore_diff_add did with a text. */
enum {
    DEALSCORE_DIFF_KEPT,     /* kept for comparing (it may still be an error result) */
    DEALSCORE_DIFF_NO_ID,    /* read, but without an id it matches nothing: dropped */
    DEALSCORE_DIFF_REPEATED, /* its id was given before on that side: the first is kept */
    DEALSCORE_DIFF_NO_MEMORY = -1,
    DEALSCORE_DIFF_REFUSED = -2 /* NULL diff or text, a wrong side, or comparing has begun */
};

/* Reads one text of side `which` (DEALSCORE_DIFF_OLD or _NEW): a result line as
 * it is, anything else scored as a deal (`where` as for dealscore_score). *deal
 * (when deal is not NULL) is what was read, also for NO_ID and REPEATED (an error
 * result has deal->error set: a caller counts it as a deal that failed); NULL
 * for NO_MEMORY and REFUSED. Returns one of the values above. */
DS_API int dealscore_diff_add(dealscore_diff *d, int which, const char *text, size_t len,
                              const char *where, const dealscore_diff_deal **deal);

/* A stance (stated or predicted) counts as moved when it changed by at least
 * min_move (0..2; `dealscore diff` uses 0.1). NULL when e is NULL, min_move is
 * negative or out of memory. */
DS_API dealscore_diff *dealscore_diff_new(dealscore_engine *e, double min_move);
DS_API void dealscore_diff_free(dealscore_diff *d); /* NULL is a no-op */

enum { /* dealscore_diff_change.change */
       DEALSCORE_DIFF_CHANGED,
       DEALSCORE_DIFF_UNCHANGED,
       DEALSCORE_DIFF_ADDED,
       DEALSCORE_DIFF_REMOVED
};
/* "changed", "unchanged", "added", "removed"; NULL out of range. */
DS_API const char *dealscore_diff_change_name(int change);

typedef struct dealscore_diff_move {
    const dealscore_diff_person *before, *after; /* OLD's and NEW's (C++ reserves `new`) */
} dealscore_diff_move;

/* One deal's comparison. Scores, viability and coverage are compared as results
 * print them (one and four decimals). */
typedef struct dealscore_diff_change {
    const char *id;
    int change;                        /* DEALSCORE_DIFF_CHANGED ... */
    const dealscore_diff_deal *before; /* OLD's deal, NULL when added */
    const dealscore_diff_deal *after;  /* NEW's deal, NULL when removed */
    bool coverage_changed;
    /* Filled when both sides are scored; the stakeholder lists when both sides
     * have stakeholders. Each list in the order of the side it is taken from. */
    int n_appeared, n_left, n_moved, n_new_warnings, n_resolved_warnings;
    const dealscore_diff_person *const *appeared; /* in NEW only */
    const dealscore_diff_person *const *left;     /* in OLD only */
    const dealscore_diff_move *moved;             /* stance moved by min_move or more */
    const char *const *new_warnings;              /* in NEW only */
    const char *const *resolved_warnings;         /* in OLD only */
} dealscore_diff_change;

/* The next change: NEW's deals in their order (changed, unchanged or added),
 * then the deals only OLD has (removed) in OLD's order; NULL at the end (or out
 * of memory). The first call ends adding. */
DS_API const dealscore_diff_change *dealscore_diff_next(dealscore_diff *d);

typedef struct dealscore_diff_counts {
    long changed, unchanged, added, removed;
} dealscore_diff_counts;
/* The changes handed out so far, by kind. */
DS_API dealscore_diff_counts dealscore_diff_count(const dealscore_diff *d);

/* The change as the JSON line `dealscore diff` writes (no newline; the keys
 * `dealscore diff --help` and README.md describe). NULL when c is not d's latest change or out of
 * memory. */
DS_API const char *dealscore_diff_json(dealscore_diff *d, const dealscore_diff_change *c,
                                       size_t *len);
/* The change as `dealscore diff --format text` writes it for a person: lines
 * naming what changed, stakeholders' names made safe to print; "" for an
 * unchanged deal. NULL as for dealscore_diff_json. */
DS_API const char *dealscore_diff_text(dealscore_diff *d, const dealscore_diff_change *c,
                                       size_t *len);
/* The closing line of the text form: "\nN deals in NEW: ... removed\n". */
DS_API const char *dealscore_diff_summary(dealscore_diff *d, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
