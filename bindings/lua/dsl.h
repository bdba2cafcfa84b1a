/* dsl.h: the Lua 5.4 policy runtime, the one header of bindings/lua.
 *
 * A policy is a Lua file that returns a table:
 *
 *     return { name = "default", version = 1,
 *              init = function(model) ... end,            -- optional
 *              score = function(deal, scores) ... end }   -- required
 *
 * score() receives a read-only view of the deal (dsl_view.c) and the five core
 * scores, and returns { viability = 0..100, verdict = "pursue"|"shape"|"at_risk"|
 * "walk_away"|"insufficient_data", reasons = {...} }. Policies run in a sandbox (dsl_sandbox.c)
 * under an instruction budget and a memory cap. A policy set (dsl_policies) holds every policy a
 * worker may need in one lua_State: one set per worker thread, never shared. The contract and the
 * deal view's API: docs/policies.md. */
#ifndef DSL_H
#define DSL_H

#include <lua.h>
#include <stdbool.h>
#include <stddef.h>

#include "ds_core.h"

typedef struct dsl_policy dsl_policy;
typedef struct dsl_policies dsl_policies;

/* ---- budgets (dsl_sandbox.c) ---- */

/* Per call: Lua VM instructions (0 = no limit). Per Lua state: bytes (0 = no
 * limit). Defaults apply when the model has no "runtime" section. */
typedef struct dsl_limits {
    long long instructions;
    size_t memory;
} dsl_limits;

#define DSL_DEFAULT_INSTRUCTIONS 10000000LL
/* A call also ends (policy_timeout) when it has used more CPU time than its
 * instructions take at 250 ns each, plus a second: about 100 times what they
 * take, so only VM operations that are slow by themselves meet it (seconds of
 * comparing two 16 MB strings, say). Checked by the count hook, so within a
 * thousand instructions. */
#define DSL_NS_PER_INSTRUCTION 250.0
#define DSL_DEADLINE_MIN_NS 1000000000LL
/* And, well before that, when it has used more CPU time than its work so far
 * takes: 0.25 s, plus 50 ns for each unit of the budget it has spent, 500 ns
 * for each allocation and 1 ns for each byte allocated, some ten times what
 * each takes. So a call that runs an operation no charge sees, over and over,
 * ends in about 0.4 s (docs/reliability.md). */
#define DSL_RATE_GRACE_NS 250e6
#define DSL_RATE_NS_PER_UNIT 50.0
#define DSL_RATE_NS_PER_ALLOC 500.0
#define DSL_RATE_NS_PER_BYTE 1.0
#define DSL_DEFAULT_MEMORY_MB 64

/* Reads the model's "runtime" section (instruction_budget, memory_limit_mb) over
 * the defaults. Returns -1 with a message naming the key. */
int dsl_limits_from_model(dsl_limits *l, const ds_params *params, char *err, size_t errlen);

/* ---- the sandbox (dsl_sandbox.c) ---- */

/* A new sandboxed state (see dsl_sandbox.c for what policies may use), with the
 * deal view registered. NULL when out of memory. */
lua_State *dsl_sandbox_open(const dsl_limits *limits);
void dsl_sandbox_close(lua_State *L);
/* Pushes a fresh environment (the globals of one policy file) whose require()
 * loads modules from `dir` only. */
void dsl_sandbox_push_env(lua_State *L, const char *dir);
/* Loads a text chunk from a file with the environment at env_idx as its
 * globals. Pushes the function (0) or a message with file:line (-1). */
int dsl_sandbox_load(lua_State *L, const char *path, int env_idx);

enum { DSL_CALL_OK, DSL_CALL_ERROR, DSL_CALL_TIMEOUT, DSL_CALL_MEMORY };
/* lua_pcall under the instruction budget and the memory cap. Returns one of
 * DSL_CALL_*; the error value is on the stack as with lua_pcall. After a memory
 * error the state is collected and usable again. */
int dsl_sandbox_call(lua_State *L, int nargs, int nresults);

/* Where print() lines go: fn(policy name, cleaned line), called from the
 * worker's thread, or NULL for "policy: LINE" on stderr (the default). Set
 * once, before any policy runs (the service logs them as its own lines). A
 * call prints at most 100 lines or 64 KB, then one line saying how many more
 * were suppressed. */
typedef void (*dsl_print_fn)(const char *policy, const char *line);
void dsl_sandbox_set_print(dsl_print_fn fn);
/* The policy's name, for its print lines. */
void dsl_sandbox_set_name(lua_State *L, const char *name);
size_t dsl_sandbox_memory(lua_State *L);
const dsl_limits *dsl_sandbox_limits(lua_State *L);
/* Charges `units` of work done in C (one unit is about one VM instruction) to
 * the running call's instruction budget, BEFORE the work is done: raises the
 * budget's error when the budget cannot pay. No-op outside a sandbox, outside a
 * call, or without an instruction limit. */
void dsl_sandbox_charge(lua_State *L, double units);
/* Units the running call may still spend (INFINITY without a budget). */
double dsl_sandbox_budget_left(lua_State *L);
/* Spends the budget at once and raises its error, recording why (printf
 * format) for the deal's message: for work whose worst case is over what is
 * left, refused before it starts. */
int dsl_sandbox_over_budget(lua_State *L, const char *fmt, ...);
/* Why the last call's budget was refused at once, or "". */
const char *dsl_sandbox_why(lua_State *L);
/* Bytes of memory the running call may still allocate (SIZE_MAX without a cap). */
size_t dsl_sandbox_memory_left(lua_State *L);
/* Raises the memory cap's error (policy_memory) before an allocation that
 * cannot fit. */
int dsl_sandbox_refuse_memory(lua_State *L);
/* Which call is running: a number that changes with every dsl_sandbox_call(). */
unsigned long long dsl_sandbox_serial(lua_State *L);
/* Reseeds math.random (the policy's own generator) with `seed`. */
void dsl_sandbox_seed(lua_State *L, unsigned long long seed);

/* ---- bounded library functions (dsl_bounded.c) ---- */

/* Replaces, in the real library tables, every function whose work is not
 * bounded by the budget or the cap by one that charges its work first
 * (docs/reliability.md has the table, function by function). */
void dsl_bounded_install(lua_State *L);
/* Units of work per byte scanned or converted by C code, and per byte
 * allocated (measured: an instruction takes about 2 ns, a byte of toupper 0.5
 * ns, a byte of a 1 MB concatenation 0.03 ns, a small table 50 ns). */
#define DSL_BYTES_PER_UNIT 8
#define DSL_ALLOC_BYTES_PER_UNIT 64

/* ---- policy sets (dsl_policy.c) ---- */

/* What a worker needs to open its own policy set: named policy files, the
 * budgets, and the deal field that picks a policy. Plain data, shared read-only
 * between threads; each worker calls dsl_policies_open() with it. */
#define DSL_MAX_POLICIES 32
#define DSL_POLICY_NAME 64 /* bytes of a policy name with its NUL */
typedef struct dsl_config {
    int n;
    struct {
        char name[DSL_POLICY_NAME]; /* as deals name it; "default" when none is named */
        const char *path;           /* not copied */
    } policies[DSL_MAX_POLICIES];
    dsl_limits limits;
    /* the deal key naming a policy, or NULL when deals cannot pick one */
    const char *field;
} dsl_config;

/* The one parser of a policy argument: NAME=FILE, or FILE (a '/' before the '='
 * makes it all a path) named `lone`, or, when lone is NULL, after the file (its
 * base name up to the first '.'). NAME: 1-63 bytes without spaces, '=' or ','.
 * Returns -1 with a message when malformed. */
int dsl_policy_spec(const char *spec, const char *lone, char name[DSL_POLICY_NAME],
                    const char **path, char *err, size_t errlen);
/* Adds NAME=FILE or FILE (named "default"); a repeated name replaces the first.
 * Returns -1 with a message when the set is full or NAME is empty. */
int dsl_config_add(dsl_config *c, const char *spec, char *err, size_t errlen);
/* Adds the file `path` (not copied) named `name`: a name is 1-63 bytes without
 * spaces, '=' or ','; a repeated name replaces the earlier file. Returns -1 with
 * a message when the name or file is missing or the set is full. */
int dsl_config_put(dsl_config *c, const char *name, const char *path, char *err, size_t errlen);

/* Opens every policy of the config, each in a sandboxed Lua state of its own
 * (its own memory cap): each file is compiled and its init(model) run once,
 * and everything read from the policy's table is read inside the budgets. Returns NULL with
 * "file:line: message" in err when any policy fails; nothing is left open then. Used by one thread
 * at a time: each worker opens its own set. To reload, open a new set from the same config and
 * close the old one only when the new one opened. */
dsl_policies *dsl_policies_open(const dsl_config *c, const ds_params *params, char *err,
                                size_t errlen);
void dsl_policies_close(dsl_policies *set);
/* Bytes held by the policies' Lua states (each policy has its own). */
size_t dsl_policies_memory(const dsl_policies *set);
/* The policy's own sandboxed state. */
lua_State *dsl_policy_state(dsl_policy *p);
/* The policy named `name`, the default one for NULL, or NULL when unknown. */
dsl_policy *dsl_policies_get(dsl_policies *set, const char *name);
/* "default, it_first, ..." for messages */
void dsl_policies_names(const dsl_policies *set, char *out, size_t len);
const char *dsl_policies_field(const dsl_policies *set);

/* One policy file in a set of its own, with the model's budgets. */
dsl_policy *dsl_policy_open(const char *path, const ds_params *params, char *err, size_t errlen);
void dsl_policy_close(dsl_policy *p); /* only for dsl_policy_open()'s policies */
/* The set a policy belongs to: a scorer for dsl_policy_open()'s one policy. */
dsl_policies *dsl_policy_set(dsl_policy *p);
const char *dsl_policy_label(const dsl_policy *p); /* "name@version" */
const char *dsl_policy_path(const dsl_policy *p);
bool dsl_policy_has_actions(const dsl_policy *p);

/* Runs the policy on an analysed deal. Strings in the outcome live in the arena.
 * Returns 0, or -1 with err set: policy_error (message with file:line),
 * policy_timeout or policy_memory. */
int dsl_policy_decide(dsl_policy *p, ds_analysis *an, ds_arena *a, ds_outcome *out, ds_error *err);

/* Whether the results of the coming calls are explained: policies read it as
 * deal.explain, and may leave out their factors when it is false (the runtime
 * reads factors whenever a policy returns them). True until told otherwise; a
 * front end sets it for each deal, before every call the deal makes (verdict,
 * actions, questions), so that all of them see the same value. */
void dsl_policy_explain(dsl_policy *p, bool explain);

/* Runs score() of the policy table at stack index `policy` directly in L, with
 * no sandbox and no budgets: for the dealscore Lua module, where a test hands
 * over its own table. `source` names the policy in messages. */
int dsl_policy_decide_table(lua_State *L, int policy, const char *source, ds_analysis *an,
                            ds_arena *a, ds_outcome *out, ds_error *err);

/* A custom next-best action proposed by the policy's actions(deal, scores)
 * (SCORING.md section 6, docs/policies.md): a name, an optional target, and a
 * patch to apply to a copy of the deal, as JSON text: {"solution": {...},
 * "stakeholders": {"<id>": {...}}, "relationships": [{"from", "to", "type",
 * "strength"}], "add_stakeholders": [{...}], "deal": {...}}. */
typedef struct dsl_action {
    const char *action, *target; /* target may be NULL */
    const char *patch;           /* JSON object text */
} dsl_action;

/* Calls actions(deal, scores) under the budgets and checks its shape. *n is 0
 * when the policy has no actions(). Returns 0, or -1 with err set as for
 * dsl_policy_decide(). */
int dsl_policy_actions(dsl_policy *p, ds_analysis *an, ds_arena *a, dsl_action **out, int *n,
                       ds_error *err);

/* ---- next best actions (dsl_actions.c) ---- */

/* Applies every catalogue action (core/ds_action.h) and every action of the
 * policy's actions() to copies of the analysed deal, re-analyses each copy and
 * decides it with the same policy, and puts the best (gain above
 * settings->min_gain, at most max) into out->actions. The policy's own actions,
 * as it returned them, go to *custom and *n_custom. Memory for the copies is
 * given back as it goes. Returns 0, or -1 with err set (policy_error names the
 * action; policy_timeout and policy_memory as for dsl_policy_decide()). */
int dsl_actions_rank(dsl_policy *p, ds_analysis *base, ds_outcome *out,
                     const ds_action_settings *settings, int max, ds_arena *a, dsl_action **custom,
                     int *n_custom, ds_error *err);

/* ---- questions (dsl_questions.c) ---- */

/* Answers every question of core/ds_question.h at both ends of its range, each
 * answer on a copy of the analysed deal re-analysed and decided by the same
 * policy, and puts the largest swings in viability (above settings->min_swing,
 * at most max) into out->questions. Returns 0, or -1 with err set (the message
 * names the question; policy errors as for dsl_policy_decide()). */
int dsl_questions_rank(dsl_policy *p, ds_analysis *base, ds_outcome *out,
                       const ds_question_settings *settings, int max, bool exact, ds_arena *a,
                       ds_error *err);

/* ---- the deal view (dsl_view.c) ---- */

/* What a policy read of the deal view: field codes per object, as bits. */
typedef struct dsl_reads {
    unsigned deal, solution;
    unsigned *stakeholders; /* n entries, zeroed by the caller */
    int n;
    bool opaque; /* called a method that may read what a copy changes */
} dsl_reads;

/* Notes every field the policy reads through the view into r from now on (NULL:
 * stop). */
void dsl_view_track(lua_State *L, dsl_reads *r);
/* Whether every field r noted reads the same on the analyses a and b, two
 * versions of one deal with the same stakeholders, roles, relationships and JSON
 * (what the view's methods read), such as a deal and a question's copy of it.
 * A deterministic policy that saw the same scores decides both alike. */
bool dsl_view_same(lua_State *L, const dsl_reads *r, ds_analysis *a, ds_analysis *b);

/* Registers the view's metatables in L. */
void dsl_view_register(lua_State *L);
/* Pushes a view of the deal being decided; views stay valid until
 * dsl_view_release() and raise an error afterwards. */
void dsl_view_push(lua_State *L, ds_analysis *an, bool explain);
void dsl_view_release(lua_State *L);
/* For tests: moves the generation on as if n more deals had been decided. */
void dsl_view_skip(lua_State *L, unsigned long long n);

/* ---- JSON to Lua (dsl_convert.c) ---- */

/* Pushes a cJSON value as Lua values (objects and arrays as tables, null as nil). */
void dsl_push_json(lua_State *L, const cJSON *v);

/* ---- scoring one deal end to end (dsl_scorer.c) ---- */

/* Memory one deal may use while it is parsed, decoded, analysed and written,
 * unless the caller sets scorer.arena.limit. Far above any real buying committee
 * (most deals need under 1 MiB; the graph is quadratic in committee size: 1,000
 * stakeholders need about 20 MiB, 2,000 about 70 MiB), and low enough that a
 * hostile or broken input cannot take the machine. Over it: out_of_memory. */
#define DSL_DEAL_MEMORY_DEFAULT ((size_t)256 << 20)

/* A policy table in a caller's Lua state that decides instead of the scorer's
 * policies (the Lua module's; dsl_policy_decide_table). */
typedef struct dsl_policy_table {
    lua_State *L; /* NULL: none */
    int index;    /* absolute */
    const char *source;
} dsl_policy_table;

typedef struct dsl_scorer {
    const ds_params *params;
    dsl_policies *policies;
    bool owns_policies;     /* opened by dsl_scorer_open() */
    dsl_policy *policy;     /* when set, scores every deal with it instead of picking one
                               by the deal's policy field (the service names it per request) */
    dsl_policy_table table; /* when set, decides instead of any policy (no actions, questions) */
    ds_arena arena;
    ds_buf out;     /* the last result line, without newline */
    unsigned flags; /* DS_OUT_* */
    int default_as_of;
    struct ds_seen *seen; /* deal ids seen in this batch, or NULL for no check */
    /* With DS_OUT_ACTIONS (dsl_scorer_enable_actions): the model's actions
     * section and how many actions to report. */
    ds_action_settings action_settings;
    int max_actions;
    bool want_actions;   /* also ask the policy for its custom actions */
    dsl_action *actions; /* the last deal's custom actions (arena) */
    int n_actions;
    /* With DS_OUT_QUESTIONS (dsl_scorer_enable_questions): the model's questions
     * section and how many questions to report. */
    ds_question_settings question_settings;
    int max_questions;
    bool questions_exact; /* every answer through the policy, whatever it costs */
    /* After a run: whether the deal passed validation (so its id takes part in the
     * batch's duplicate check) and its id (in the arena, valid until the next run).
     * A multi-threaded caller leaves seen NULL and checks ids in input order. */
    bool validated;
    const char *deal_id;
    /* Whether the last deal was scored; then its deal, analysis and outcome are
     * valid until the next run (explain, map and diff read them). */
    bool scored;
    ds_deal deal;
    ds_analysis analysis;
    ds_outcome outcome;
    /* valid deals run so far that have contact dates but no as_of, so were not
     * judged for staleness (ds_deal_undated_contacts): front ends say so once */
    long undated;
    /* After a run that returned 1: the error result's id (NULL for none) and
     * error, valid until the next run (the engine API's typed result). */
    const char *error_id;
    ds_error error;
} dsl_scorer;

void dsl_scorer_init(dsl_scorer *s, const ds_params *params, dsl_policies *policies);
/* A scorer with its own policy set, for one worker thread. Returns -1 with err
 * set when a policy does not load. */
int dsl_scorer_open(dsl_scorer *s, const ds_params *params, const dsl_config *c, char *err,
                    size_t errlen);
/* Turns next best actions on (max < 0: the model's max_actions). Returns -1 with
 * a message naming the model key when the actions section is broken. */
int dsl_scorer_enable_actions(dsl_scorer *s, int max, char *err, size_t errlen);
/* Turns questions on (max < 0: the model's max_questions). Returns -1 with a
 * message naming the model key when the questions section is broken. */
int dsl_scorer_enable_questions(dsl_scorer *s, int max, char *err, size_t errlen);
void dsl_scorer_free(dsl_scorer *s);
/* Scores one JSON text into s->out. `where` names the input position for
 * messages ("deals.jsonl:17"). Returns 0 for a result, 1 for an error result. */
int dsl_scorer_run(dsl_scorer *s, const char *text, size_t len, const char *where);
/* Writes an error result for input that never became a deal (a line over the size
 * limit, a broken array): {"id":null,"error":{code, message, "path":"$"}}.
 * Returns 1, like dsl_scorer_run for an error. */
int dsl_scorer_reject(dsl_scorer *s, const char *code, const char *message);

/* ---- JSON from Lua (dsl_convert.c) ---- */

/* Writes the Lua value at idx as JSON. Tables with keys 1..n are arrays, other
 * tables objects with string keys. Returns -1 with a message in err otherwise. */
int dsl_write_json(lua_State *L, int idx, ds_buf *b, char *err, size_t errlen);
/* The same with limits, for what a policy returns: at most `max` bytes (0: no
 * limit); with `plain`, tables with a metatable and strings that are not UTF-8
 * or hold a NUL byte are errors. Charges its work to the sandbox's budget. */
typedef struct dsl_json_opts {
    size_t max;
    bool plain;
} dsl_json_opts;
int dsl_write_json_opts(lua_State *L, int idx, ds_buf *b, const dsl_json_opts *opts, char *err,
                        size_t errlen);

/* ---- text a policy wrote, for messages and logs (dsl_convert.c) ---- */

/* Copies s[0..len) into dst (NUL-terminated, cut at a character boundary with
 * "..." when it does not fit) as one line of valid UTF-8: line breaks become
 * \n and \r, other control characters but tab and bytes that are not UTF-8
 * \xNN. */
void dsl_text_clean(char *dst, size_t size, const char *s, size_t len);
/* The duplicate_id error of a deal id already scored in this batch, read at
 * `where`; first (may be NULL) says where the id was read first, and the
 * message names that line too. */
void dsl_scorer_duplicate_error(ds_error *err, const char *id, const char *where,
                                const ds_seen_first *first);

#endif
