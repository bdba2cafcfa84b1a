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
 *   - dealscore_result_copy: a copy of a result that outlives the engine's next
 *     call, one malloc'd block the caller frees with dealscore_result_free; any
 *     thread may read it.
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
/* The policy budgets of the model's runtime section (instruction_budget per
 * call; memory_limit_mb per Lua state, here in bytes), or the defaults (10M
 * instructions, 64 MiB) where it gives none: what an engine uses when its
 * options leave a budget < 0. 0 is no limit. Returns -1 with a message naming
 * the model key when the section is broken (every engine would refuse it). */
DS_API int dealscore_model_budgets(const dealscore_model *m, long long *instructions,
                                   long long *memory_bytes, char *err, size_t errlen);
/* Writes budgets over the model's runtime section, both keys (< 0: that one
 * stays the model's), for engines that take their budgets from the model (the
 * service's workers, reloads included); both < 0 changes nothing. Only while no
 * engine is made from m: a model is read-only once shared. Returns -1 with a
 * message when the section is broken or out of memory. */
DS_API int dealscore_model_set_budgets(dealscore_model *m, long long instructions,
                                       long long memory_bytes, char *err, size_t errlen);
/* Checks the sections of the model that `flags` need (DEALSCORE_ACTIONS: actions,
 * DEALSCORE_QUESTIONS: questions) as an engine with those flags reads them, so a
 * front end can refuse a broken model once, before it opens engines. Returns -1
 * with a message naming the model key. */
DS_API int dealscore_model_check(const dealscore_model *m, unsigned flags, char *err,
                                 size_t errlen);
/* The folder bundled files are read from (models/default.json,
 * scripts/default.lua, models/mappings/): $DEALSCORE_HOME; else share/dealscore
 * of the installed tree the library or program is in; else the folder above a
 * program whose models/ holds default.json; else the source tree it was built
 * from. Static text; the environment is read on every call. */
DS_API const char *dealscore_home(void);

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
    /* Nonzero: without a file named "default", the first file is the default
     * policy and the bundled scripts/default.lua is not loaded (dealscore serve:
     * a service loads only the policies it is given). */
    int first_is_default;
} dealscore_options;

/* No policy file (the bundled default), the model's budgets and counts, no flags. */
DS_API void dealscore_options_init(dealscore_options *o);
/* Appends a policy file named `name` (NULL: "default"); neither is copied.
 * Returns -1 with a message when the list is full or path is NULL. */
DS_API int dealscore_options_policy(dealscore_options *o, const char *name, const char *path,
                                    char *err, size_t errlen);
/* Bytes of a policy name with its NUL. */
#define DEALSCORE_POLICY_NAME 64
/* Reads a policy given as text, as `dealscore --policy` and the service take it:
 * NAME=FILE, or FILE alone (a '/' before the '=' makes it all a path) named
 * `lone`, or after the file when lone is NULL (its base name up to the first
 * '.': it_first.lua is it_first). The name (1-63 bytes without spaces, '=' or
 * ',') is written into name; *path points into spec. Returns -1 with a message
 * quoting spec when it is not one. */
DS_API int dealscore_policy_spec(const char *spec, const char *lone,
                                 char name[DEALSCORE_POLICY_NAME], const char **path, char *err,
                                 size_t errlen);
/* Whether date is a day "YYYY-MM-DD" of the calendar, as dealscore_options.as_of,
 * dealscore_engine_set_as_of and deals' as_of take it. */
DS_API bool dealscore_date_valid(const char *date);

/* ---- the engine: a model's policies and one deal's memory ---- */

typedef struct dealscore_engine dealscore_engine;

/* Opens every policy of o (each compiled, its init(model) run once, in a sandbox
 * under the budgets). Returns NULL with "file:line: message" in err when a policy
 * does not load or an option is wrong. The model must outlive the engine. */
DS_API dealscore_engine *dealscore_engine_new(const dealscore_model *m, const dealscore_options *o,
                                              char *err, size_t errlen);
DS_API void dealscore_engine_free(dealscore_engine *e); /* NULL is a no-op */
/* Where policies' print() lines go, for every engine of the process: fn(the
 * policy's name, the line, cleaned of control bytes and bad UTF-8), called
 * from the scoring thread; NULL (the default) writes "policy: LINE" on
 * standard error. Set it before engines score. A call of a policy prints at
 * most 100 lines or 64 KB, then one line saying how many more were dropped. */
DS_API void dealscore_set_print(void (*fn)(const char *policy, const char *line));
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
/* What the key notes of the deals the engines scored so far come to, as lines a
 * front end prints once at the end of a run (standard error), each starting
 * with `prefix` (e.g. "dealscore score: "): one line per key path with its
 * array indexes left out, with the number of deals that have it:
 *   note: 12 deals have $.stakeholders[].Stance, which dealscore does not read;
 *   did you mean "stance"?
 * malloc'd, the caller frees it; NULL when there is nothing to say (or out of
 * memory). Several engines (one per thread) are counted together. */
DS_API char *dealscore_engines_key_notes(dealscore_engine *const *engines, int n,
                                         const char *prefix);

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
    /* DEALSCORE_DEFAULTED_*: the values the input did not give (nor mark
     * inferred), the model's defaults standing in (the JSON's "defaulted") */
    unsigned defaulted;
} dealscore_stakeholder;
#define DEALSCORE_DEFAULTED_INFLUENCE 1
#define DEALSCORE_DEFAULTED_STANCE 2

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

/* A key of the deal that was not read as written (docs/model.md "Unknown and
 * repeated keys"): a key that is no field but looks like one ("Stance",
 * "capabilty": its field took the model's default), or a key repeated in one
 * object (the last is read). Beside the result, never in its JSON line: the
 * scores are what the input says. */
#define DEALSCORE_KEY_NOTES_MAX 64
typedef struct dealscore_key_note {
    const char *path;  /* "$.stakeholders[0].Stance", the key as written */
    const char *field; /* the field it resembles ("stance"); NULL: a repeated key */
} dealscore_key_note;

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
    /* Always, for a deal that passed validation: at most DEALSCORE_KEY_NOTES_MAX,
     * the first read (an object's own keys before those of the objects in it). */
    int n_key_notes;
    const dealscore_key_note *key_notes;
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
/* The decimals the JSON line writes each number of a result with (docs/output.md). */
#define DEALSCORE_DECIMALS_SCORE 1 /* scores, viability, computed_viability, question low/high */
#define DEALSCORE_DECIMALS_GAIN 2  /* an action's gain, a question's swing */
#define DEALSCORE_DECIMALS_SHARE 4 /* coverage, win_probability, factor effects, */
                                   /* effective_influence, predicted_stance */

/* v as the JSON line writes it with `decimals` decimals (0..9), as a double:
 * exactly the number a JSON reader gets back from the line. The typed fields
 * hold the engine's full values; a front end that shows or hands them on as the
 * line does rounds each with this and its DEALSCORE_DECIMALS_* (the Python
 * binding's Result.data, the Lua module's result tables), so all agree with the
 * line. NaN and infinities (written null) come back as they are. */
DS_API double dealscore_round(double v, int decimals);
/* v with `decimals` decimals (0..9) as the JSON line writes it ("72.5", "0.0",
 * never "-0.0"; "null" for NaN and infinities), into out (len bytes,
 * NUL-terminated, cut when short, as snprintf). Returns the length of the whole
 * text (40 bytes hold any number within +-10^15), or -1 for decimals outside
 * 0..9. For a front end writing numbers as the line does (CSV), without
 * printf's cost. */
DS_API int dealscore_number_text(double v, int decimals, char *out, size_t len);

/* The engine's exact fast path for reading a decimal number: when s starts with
 * one that converts exactly without strtod's multi-precision arithmetic
 * (-?D+(.D+)?([eE][+-]?D+)?, at most 2^53 as digits, the power of ten within
 * 10^22, the locale's radix '.', nothing after it that strtod would read on),
 * sets *out and *end (NULL allowed) exactly as strtod would and returns true;
 * otherwise returns false and touches nothing, for strtod to convert. cJSON
 * reads every number of a deal with strtod, and glibc's was an eighth of a
 * scoring: a program may put this in front of strtod (the dealscore program
 * does, bindings/cli/cli_strtod.c); the library itself never replaces libc's. */
DS_API bool dealscore_number_fast(const char *s, char **end, double *out);
/* The same for a caller that knows the locale's radix is '.' (a program in the
 * C locale): without asking nl_langinfo. */
DS_API bool dealscore_number_fast_c(const char *s, char **end, double *out);

/* A copy of r, every string and array it points to included, in one malloc'd
 * block that outlives the engine's next call: freed with dealscore_result_free.
 * NULL when r is NULL or out of memory. */
DS_API dealscore_result *dealscore_result_copy(const dealscore_result *r);
DS_API void dealscore_result_free(dealscore_result *copy); /* NULL is a no-op */

/* The duplicate_id error (path "$.id") for a deal whose id `id` came before,
 * named at `where`, without the place the id came first (dealscore_ids_add
 * below says it, as an engine with DEALSCORE_UNIQUE_IDS does). The message is
 * written into message (len bytes); the other strings are static. */
DS_API dealscore_error dealscore_duplicate_error(const char *id, const char *where, char *message,
                                                 size_t len);

/* ---- deal ids across a batch: the duplicate_id check of a front end ----
 *
 * A front end scoring a batch on several engines (`dealscore score --jobs N`, a
 * service's batch) checks ids itself, in input order, with one set: each
 * validated deal's id is added with where it was read, and a repeated id gets
 * the duplicate_id error naming both places. The set keeps a 64-bit hash and
 * the first place per id (not the id): about 32 bytes an id. One thread at a
 * time. */
typedef struct dealscore_ids dealscore_ids;

DS_API dealscore_ids *dealscore_ids_new(void);      /* NULL when out of memory */
DS_API void dealscore_ids_free(dealscore_ids *ids); /* NULL is a no-op */
/* Adds the id of a deal read at `where` ("FILE:LINE", as given to
 * dealscore_score). Returns 0 when the id is new; 1 when it was added before:
 * then *dup is the duplicate_id error an engine with DEALSCORE_UNIQUE_IDS gives,
 * its message (written into message, len bytes) naming the line (and file, when
 * another) where the id was first read, its other strings static or `where`;
 * -1 when out of memory or a pointer is NULL (the id is not added). */
DS_API int dealscore_ids_add(dealscore_ids *ids, const char *id, const char *where,
                             dealscore_error *dup, char *message, size_t len);

/* {"id":ID,"error":{"code","message","path"}} for an error made by the caller
 * (ID NULL: null). malloc'd, NUL-terminated; the caller frees it. NULL when out
 * of memory or err/err->code is NULL. */
DS_API char *dealscore_error_json(const char *id, const dealscore_error *err, size_t *len);
/* The longest message of an error result, its NUL included. */
#define DEALSCORE_MESSAGE_MAX 1024
/* An error made by the caller as the engine makes its own (input that never
 * became a deal, read by the front end itself): message cut to what an error
 * result's message holds (DEALSCORE_MESSAGE_MAX) or to len bytes, never inside a
 * character, written into buf. code and path (NULL: "$") are not copied. */
DS_API dealscore_error dealscore_error_make(const char *code, const char *path, const char *message,
                                            char *buf, size_t len);

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
 * A stream is JSONL (one deal per line, blank lines skipped; a deal that opens
 * its object on a line and goes on over lines that start with a blank or a
 * closing bracket, as `jq .` and json.dumps(indent=2) write it, is one deal,
 * named at its first line) or one JSON array of
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
 * the deal's stage, amount and close date (deals only), stakeholders who
 * appeared, left or moved in stance, warnings that are new or
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
    /* The deal's own fields a seller tracks (deals only: a result line does not
     * carry them): stage and close date ("YYYY-MM-DD") NULL when not given. */
    const char *stage;
    bool has_amount;
    double amount;
    const char *close_date;
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
    /* The deal's own fields that changed, when both sides are scored deals and
     * give the field on both (a deal that went closed_lost, an amount cut, a close
     * date that slipped): each makes the deal changed, whatever its scores did. */
    bool stage_changed, amount_changed, close_date_changed;
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

/* ---- backtest: policies measured on the outcomes of closed deals ----
 *
 * `dealscore backtest`: how well each policy's viability separates won from lost
 * deals (ROC AUC with a bootstrap interval, the paired difference to the first
 * policy), how good a win probability derived from it is (Brier score, log loss,
 * a reliability table), which rules and factors fire among won and among lost
 * deals, and --calibrate's held-out fit. docs/backtest.md defines every figure.
 *
 *     dealscore_backtest_options o;
 *     dealscore_backtest_options_init(&o);
 *     dealscore_backtest *b = dealscore_backtest_new(model, &o, 1);
 *     dealscore_backtest_name(b, 0, "default", dealscore_engine_policy_label(e, NULL));
 *     for each deal text:
 *         int oc = dealscore_backtest_outcome(b, text, len);
 *         if (oc == DEALSCORE_OUTCOME_WON || oc == DEALSCORE_OUTCOME_LOST)
 *             dealscore_backtest_add(b, 0, dealscore_score(e, text, len, where), oc);
 *     dealscore_backtest_policy_stats st;
 *     dealscore_backtest_stats(b, 0, &st);
 *     dealscore_backtest_free(b);
 *
 * The engines are the caller's: one per policy, with DEALSCORE_EXPLAIN (rules and
 * factors are counted from the result) and the same model as the backtest.
 *
 * Ownership and lifetime:
 *   - dealscore_backtest: made by dealscore_backtest_new, freed by the caller with
 *     dealscore_backtest_free, before the model. One thread at a time. It holds
 *     one viability per measured deal and policy, and the rules and factors seen.
 *   - dealscore_backtest_options: the caller's; read during dealscore_backtest_new
 *     only, except the strings (outcome_field, won, lost), which must outlive
 *     the backtest.
 *   - dealscore_backtest_policy_stats and dealscore_backtest_calibration: the
 *     caller's structs; the arrays and names in them belong to the backtest and
 *     stay valid until the next _stats / _calibrate on the same policy, the next
 *     _add, or dealscore_backtest_free.
 *   - Text of dealscore_backtest_model_json: malloc'd, the caller frees it. */

typedef struct dealscore_backtest dealscore_backtest;

#define DEALSCORE_BACKTEST_MAX_VALUES 16
/* Won and lost deals --calibrate needs at the least (each), or it follows noise. */
#define DEALSCORE_BACKTEST_MIN_CLASS 40

typedef struct dealscore_backtest_options {
    /* The deal field holding the outcome (a dotted path reaches inside objects)
     * and its values meaning won and lost, compared as text ignoring case (true,
     * false and numbers by their JSON text). */
    const char *outcome_field;
    const char *won[DEALSCORE_BACKTEST_MAX_VALUES], *lost[DEALSCORE_BACKTEST_MAX_VALUES];
    int n_won, n_lost;
    /* Deals a policy gives insufficient_data are counted apart unless true. */
    bool measure_insufficient;
    int bootstrap;           /* resamples for the AUC intervals; 0: none */
    unsigned long long seed; /* of the bootstrap and the held-out split */
    int bins;                /* rows of the reliability tables, 2..100 */
    double holdout;          /* share held out to check a calibration, (0, 1) */
} dealscore_backtest_options;

/* Field "stage", won "closed_won", lost "closed_lost", 2000 resamples, seed 1,
 * 10 bins, holdout 0.3. */
DS_API void dealscore_backtest_options_init(dealscore_backtest_options *o);

/* A backtest of n_policies policies (1..32) under the model (whose calibration,
 * when it has one for a policy, gives that policy's win probability). NULL with
 * a message in err for a bad option. */
DS_API dealscore_backtest *dealscore_backtest_new(const dealscore_model *m,
                                                  const dealscore_backtest_options *o,
                                                  int n_policies, char *err, size_t errlen);
DS_API void dealscore_backtest_free(dealscore_backtest *b); /* NULL is a no-op */
/* Names policy i (0..n_policies-1) for the statistics: the name a person gave
 * it and the "name@version" its engine reports (the model's calibration is
 * looked up by it). Both are copied. Returns -1 for a bad i. */
DS_API int dealscore_backtest_name(dealscore_backtest *b, int i, const char *name,
                                   const char *label);

enum {                               /* a deal's outcome */
       DEALSCORE_OUTCOME_UNREADABLE, /* not JSON: nothing can be read */
       DEALSCORE_OUTCOME_NONE,       /* no outcome field */
       DEALSCORE_OUTCOME_OPEN,       /* another value: still open */
       DEALSCORE_OUTCOME_WON,
       DEALSCORE_OUTCOME_LOST
};
/* Reads a deal's outcome and counts it (read, and closed / open / no outcome /
 * unreadable). A closed deal is then to be given to dealscore_backtest_add once
 * per policy, before the next deal's outcome is read. */
DS_API int dealscore_backtest_outcome(dealscore_backtest *b, const char *text, size_t len);
/* Counts input that never became a deal (a CSV row that cannot be read) as read
 * and unreadable. */
DS_API void dealscore_backtest_unreadable(dealscore_backtest *b);

enum { /* what dealscore_backtest_add did */
       DEALSCORE_BACKTEST_MEASURED,
       DEALSCORE_BACKTEST_APART, /* insufficient_data, counted apart (not measured) */
       DEALSCORE_BACKTEST_ERROR, /* an error result (or no finite viability): the policy's error */
       DEALSCORE_BACKTEST_NO_MEMORY /* counted as the policy's error too */
};
/* Measures policy i's result r for the closed deal whose outcome was read last
 * (outcome: DEALSCORE_OUTCOME_WON or _LOST): its viability as results print it,
 * the rules (reasons) and factors (non-zero effects) that fired. */
DS_API int dealscore_backtest_add(dealscore_backtest *b, int i, const dealscore_result *r,
                                  int outcome);

typedef struct dealscore_backtest_counts {
    long read, closed, open, no_outcome, unreadable;
} dealscore_backtest_counts;
DS_API dealscore_backtest_counts dealscore_backtest_count(const dealscore_backtest *b);

/* One row of a reliability table: deals ranked by viability into bins of
 * near-equal size (tied viabilities share a bin, so a bin may be empty: n 0). */
typedef struct dealscore_backtest_bin {
    size_t n, won;
    double viability_lo, viability_hi; /* the range of viabilities in the bin */
    double mean_p;                     /* mean win probability */
    double rate, rate_lo, rate_hi;     /* observed win rate, Wilson 95% interval */
} dealscore_backtest_bin;

/* A rule (a reason) or a factor ("score.factor") and how often it fired. */
typedef struct dealscore_backtest_feature {
    const char *name;
    bool is_rule;
    long fired_won, fired_lost; /* deals, each counted once */
    double win_rate;            /* among the deals it fired in; NaN when none */
    double lift;                /* win_rate over the overall win rate; NaN when undefined */
    double p_value;             /* two-sided Fisher exact test */
} dealscore_backtest_feature;

enum {                                 /* where a policy's win probability came from */
       DEALSCORE_PROBABILITY_NONE,     /* no deal measured */
       DEALSCORE_PROBABILITY_MODEL,    /* the model's calibration for this policy */
       DEALSCORE_PROBABILITY_IN_SAMPLE /* a Platt fit on the same deals (optimistic) */
};

/* Figures not defined (too few deals, no bootstrap) are NaN. */
typedef struct dealscore_backtest_policy_stats {
    const char *name, *label;
    long won, lost, errors;                    /* measured won and lost deals; errors */
    long insufficient_won, insufficient_lost;  /* given insufficient_data */
    size_t measured;                           /* won + lost */
    double auc, auc_lo, auc_hi, auc_se;        /* bootstrap 95% interval, Hanley-McNeil error */
    size_t paired;                             /* deals the first policy measured too */
    double auc_diff, auc_diff_lo, auc_diff_hi; /* AUC minus the first policy's there (NaN for it) */
    int probability;                           /* DEALSCORE_PROBABILITY_* */
    double platt_a, platt_b;                   /* the in-sample fit: p = 1/(1+exp(-(a v + b))) */
    double win_rate, brier, brier_base, log_loss;
    int n_bins;
    const dealscore_backtest_bin *bins;
    int n_features; /* rules first, then factors, each by name */
    const dealscore_backtest_feature *features;
} dealscore_backtest_policy_stats;

/* The statistics of policy i. Returns -1 for a bad i or out of memory. */
DS_API int dealscore_backtest_stats(dealscore_backtest *b, int i,
                                    dealscore_backtest_policy_stats *st);

/* --calibrate: a win probability fitted to policy i's viability. */
typedef struct dealscore_backtest_calibration {
    bool refused; /* fewer than DEALSCORE_BACKTEST_MIN_CLASS won or lost */
    double a, b;  /* fitted on every measured deal */
    size_t fitted_on, won, lost;
    size_t train, test, test_won; /* the held-out check: fitted on train, measured on test */
    double auc, auc_lo, auc_hi, brier, brier_base, log_loss, mean_p, rate, rate_lo, rate_hi;
    int n_bins;
    const dealscore_backtest_bin *bins;
} dealscore_backtest_calibration;

/* Fits policy i's calibration and checks it on a held-out part. Returns -1 for a
 * bad i or out of memory; a refusal is a return of 0 with c->refused. */
DS_API int dealscore_backtest_calibrate(dealscore_backtest *b, int i,
                                        dealscore_backtest_calibration *c);
/* The model's JSON text (pretty-printed, no final newline) with c as its
 * "calibration" section for policy i, to be used as --model. malloc'd; NULL
 * when out of memory or c is refused. */
DS_API char *dealscore_backtest_model_json(const dealscore_backtest *b, int i,
                                           const dealscore_backtest_calibration *c);

/* ---- CSV import: deals from CRM exports (lib/dealscore_csv.c; docs/csv.md) ----
 *
 * A deals file (one row per deal), optionally a stakeholders file (one row per
 * stakeholder of a deal: contact roles), a relationships file and a contacts file
 * (joined to the stakeholder rows on the contact id), read through a mapping
 * (models/mappings/NAME.json: salesforce, salesforce_api, hubspot,
 * hubspot_associations, plain) that names the columns and translates values,
 * are joined into one deal's JSON text per deal row: exactly the text
 * `dealscore convert` writes, to be scored with dealscore_score. The
 * stakeholders and relationships files are indexed first (memory grows with
 * them); the deals file is then streamed, one row in memory at a time.
 *
 * RFC 4180 and what tools write on top of it: quoted fields with delimiters,
 * quotes and line breaks, CRLF or LF, `,` `;` tab or `|` (sniffed from the
 * header unless given), UTF-8 with or without a byte order mark, UTF-16 with a
 * BOM, or an encoding iconv knows (windows-1252, latin1) when named. A byte
 * order mark wins over a named encoding (the file says what it is), and a note
 * says so.
 *
 * Ownership: dealscore_csv_options is plain data the caller owns, copied by
 * dealscore_csv_open; the strings it points to (file names, mapping, encoding)
 * are NOT copied and must stay valid until dealscore_csv_close (the origins
 * handed to the sink point to them). A dealscore_csv is made by
 * dealscore_csv_open and freed by the caller with dealscore_csv_close; one
 * thread at a time; it is read once by dealscore_csv_run. Texts, origins and
 * errors passed to callbacks are valid during the call only.
 *
 * Messages: what a person should know (setup errors, rows that cannot be used,
 * rows skipped, and notes: the columns found, the columns a mapping reads that
 * an export lacks) reach options.message one line at a time, no trailing
 * newline, naming file and line; the library prints nothing. */

enum {
    DEALSCORE_CSV_ERROR,   /* a setup error, or a row of a file that cannot be used */
    DEALSCORE_CSV_WARNING, /* rows skipped on purpose: a report footer, rows of deals
                              not in the deals file */
    DEALSCORE_CSV_NOTE     /* informational (the columns found or lacking, the summary
                              of footer lines, a byte order mark): a quiet front end
                              may drop these */
};
typedef void (*dealscore_csv_message_fn)(void *ctx, int kind, const char *text);

typedef struct dealscore_csv_options {
    const char *deals; /* the deals file; "-": standard input (left open) */
    const char *stakeholders, *relationships, *contacts; /* NULL: none */
    const char *titles;   /* title rules over models/titles.json (docs/csv.md), or NULL */
    const char *mapping;  /* NULL: plain; a bare name: models/mappings/NAME.json; else a path */
    char delimiter;       /* , ; \t |; 0: sniffed from the header line */
    const char *encoding; /* NULL: UTF-8; else a name iconv knows (dealscore_csv_encoding_known) */
    char decimal, thousands; /* number format; 0: the mapping's */
    const char *date_format; /* e.g. "DD.MM.YYYY"; NULL: the mapping's */
    /* The memory one deal may use (dealscore_engine_deal_memory): a row may take a
     * quarter of it; a longer one is skipped without being held (too_large). 0: no limit. */
    size_t max_deal_memory;
    bool verbose;                     /* the column report even when every mapped column is there */
    dealscore_csv_message_fn message; /* NULL: messages are dropped */
    void *message_ctx;
} dealscore_csv_options;

/* Where a joined deal's parts came from, so an error inside a stakeholder or
 * relationship can name its own file and line. */
typedef struct dealscore_csv_origin {
    const char *id;                                     /* the deal row's id */
    const char *stakeholders, *relationships;           /* the options' file names */
    const long *stakeholder_lines, *relationship_lines; /* line of $.stakeholders[i], ... */
    int n_stakeholders, n_relationships;
} dealscore_csv_origin;

/* Where the deals go. Both functions are required; return non-zero to stop. */
typedef struct dealscore_csv_sink {
    /* a joined deal's JSON text (not NUL-terminated); where is "deals.csv:17";
     * src_bytes the bytes of the deals file it stood for (for progress) */
    int (*deal)(void *ctx, const char *text, size_t len, const char *where, long long src_bytes,
                const dealscore_csv_origin *origin);
    /* a deal row that cannot be a deal: its id (NULL when it has none) and why
     * (code bad_type, bad_date, bad_csv, too_large, bad_encoding, missing_field, ...;
     * the message names file, line and column) */
    int (*error)(void *ctx, const char *id, const dealscore_error *err, long long src_bytes);
    void *ctx;
} dealscore_csv_sink;

/* What a run found besides the deals. */
typedef struct dealscore_csv_counts {
    long row_errors; /* rows of the files that could not be used */
    long orphans;    /* stakeholder/relationship rows of deals not in the deals file */
    long footers;    /* report footers and empty rows skipped */
    long merged;     /* stakeholder rows merged into an earlier one (two roles) */
} dealscore_csv_counts;

typedef struct dealscore_csv dealscore_csv;

/* Every field zero: plain mapping, UTF-8, sniffed delimiter, no limit. */
DS_API void dealscore_csv_options_init(dealscore_csv_options *o);
/* Loads and checks the mapping, reads the contacts file, indexes the
 * stakeholders and relationships files and opens the deals file. NULL on a setup
 * error (unreadable file, bad mapping, a header without the deal id column),
 * said through o->message. */
DS_API dealscore_csv *dealscore_csv_open(const dealscore_csv_options *o);
/* Size in bytes of the deals file when it is a regular file, else 0. */
DS_API long long dealscore_csv_size(const dealscore_csv *c);
/* Streams the deals file into the sink, rows in file order. counts (may be NULL)
 * gets what was skipped. Returns 0, or -1 on a read or setup error (said). */
DS_API int dealscore_csv_run(dealscore_csv *c, const dealscore_csv_sink *sink,
                             dealscore_csv_counts *counts);
DS_API void dealscore_csv_close(dealscore_csv *c); /* NULL is a no-op */
/* Open, run and close, into the callbacks of a deal reader (dealscore_input:
 * max_deal_bytes is not used, o->max_deal_memory is): a row that cannot be a
 * deal reaches in->reject with its code and the message "deal \"ID\": ...".
 * Adds to *counts (may be NULL). Returns 0, or -1 on a setup or read error. */
DS_API int dealscore_csv_read(const dealscore_csv_options *o, const dealscore_input *in,
                              dealscore_csv_counts *counts);

/* For the result of scoring a joined deal (the sink's text, with dealscore_score):
 * an error whose path points into a stakeholder or relationship gets that row's
 * file and line after its message ("... got 1.5 (contacts.csv:4)"), one whose
 * message does not name the deal row gets `where`, one without a readable id the
 * deal row's id, as `dealscore score --csv` writes them. The located result goes
 * to *out, its message into buf (len bytes), other pointers stay r's; returns out,
 * or r itself when it stands as it is (scored, or already naming its row). Write
 * an error result from it with dealscore_error_json (it is not the engine's). */
DS_API const dealscore_result *dealscore_csv_locate(const dealscore_result *r,
                                                    const dealscore_csv_origin *origin,
                                                    const char *where, dealscore_result *out,
                                                    char *buf, size_t len);

/* Whether iconv reads the encoding `name` ("windows-1252", "latin1", "utf-16"). */
DS_API bool dealscore_csv_encoding_known(const char *name);
/* The delimiter an option names: one character, or "tab"; 0 when it is not one
 * (a quote or a line break). */
DS_API char dealscore_csv_delimiter(const char *name);
/* Whether a date format is made of YYYY, M or MM, D or DD (once each) and
 * separators: "DD.MM.YYYY", "M/D/YYYY". */
DS_API bool dealscore_csv_date_format_ok(const char *fmt);

/* ---- the stakeholder map: a scored deal as a Graphviz graph (lib/dealscore_map.c) ---- */

/* The DOT text `dealscore map` prints for r, the engine's latest result, which
 * must be scored: nodes coloured by predicted stance and sized by effective
 * influence, decision makers as boxes, champions with a thick border, IT and
 * users grouped, edges by relationship type, the strongest champion-to-buyer path
 * highlighted; every string from the deal made safe for DOT. malloc'd,
 * NUL-terminated, the caller frees it; NULL for an error result, a result not
 * the engine's latest, or out of memory. */
DS_API char *dealscore_map_dot(dealscore_engine *e, const dealscore_result *r, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
