/* dspy_engine.h: what the Python binding needs of the engine, in one place.
 *
 * The CPython side (dspy_module.c) talks to the engine only through these few
 * functions, made in dspy_engine.c over the public API of lib/dealscore.h: a
 * change of that API changes one file of the binding. A dspy_shared is the model and the policy
 * configuration, read-only once opened and shared by every thread; a dspy_engine is one thread's
 * engine (its own Lua states and deal memory), used by one thread at a time. */
#ifndef DSPY_ENGINE_H
#define DSPY_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DSPY_MAX_POLICIES 32

/* What the Python Engine(...) was given. Strings are read during
 * dspy_shared_open only (they are copied). */
typedef struct dspy_setup {
    const char *model;                    /* NULL: the bundled models/default.json */
    const char *names[DSPY_MAX_POLICIES]; /* NULL: "default" */
    const char *paths[DSPY_MAX_POLICIES];
    int n_policies;
    const char *policy_field; /* NULL: "policy" when named policies are given */
    long long instructions;   /* < 0: the model's runtime section; 0 no limit */
    long long memory_mb;      /* < 0: the model's runtime section; 0 no limit */
    size_t deal_memory;       /* bytes one deal may use; 0: the default */
    const char *as_of;        /* "YYYY-MM-DD" or NULL */
} dspy_setup;

/* What results hold besides the scores. */
enum { DSPY_EXPLAIN = 1, DSPY_ACTIONS = 2, DSPY_QUESTIONS = 4 };
/* What dspy_engine_report writes: the report `dealscore explain` prints, as
 * text or as Markdown. */
enum { DSPY_REPORT_NONE, DSPY_REPORT_TEXT, DSPY_REPORT_MARKDOWN };

typedef struct dspy_shared dspy_shared;
typedef struct dspy_engine dspy_engine;

/* Loads the model and checks the policy configuration; NULL with a message
 * naming the file or option in err. */
dspy_shared *dspy_shared_open(const dspy_setup *setup, char *err, size_t errlen);
void dspy_shared_close(dspy_shared *sh); /* after every engine made from it is freed */
/* "name@version" of the model */
const char *dspy_shared_model(const dspy_shared *sh);

/* One thread's engine: every policy compiled and its init() run. NULL with
 * "file:line: message" in err when a policy does not load. */
dspy_engine *dspy_engine_new(const dspy_shared *sh, char *err, size_t errlen);
void dspy_engine_free(dspy_engine *e);
/* Sets what the next results hold (DSPY_*), with at most max_actions actions
 * and max_questions questions (< 0: the model's counts), and begins a new
 * batch: a deal id already scored in the batch is a duplicate_id error, as in
 * `dealscore score`. -1 with a message naming the model key when its actions
 * or questions section is broken. */
int dspy_engine_begin(dspy_engine *e, unsigned flags, int max_actions, int max_questions,
                      int report, char *err, size_t errlen);

/* Scores one deal of len bytes of JSON text. `where` names it in messages
 * ("deals.jsonl:17"). *json (*json_len bytes, no newline) is the line
 * `dealscore score` writes for it, valid until the next call on this engine.
 * Returns 0 for a scored deal, 1 for an error result. */
int dspy_engine_score(dspy_engine *e, const char *text, size_t len, const char *where,
                      const char **json, size_t *json_len);
/* The report of the last deal scored (DSPY_REPORT_* given to begin), malloc'd,
 * the caller frees it; NULL for an error result, without a report, or when out
 * of memory. */
char *dspy_engine_report(dspy_engine *e, size_t *len);

/* The error line of a deal that never reached the engine (a Python value
 * with no JSON form): {"id":ID,"error":{"code","message","path"}}, ID NULL
 * giving null. malloc'd (the caller frees it), *len its length; NULL when out
 * of memory. */
char *dspy_error_json(const char *id, const char *code, const char *message, const char *path,
                      size_t *len);

/* Called per result of dspy_engine_score_file, in input order: the line (as
 * dspy_engine_score gives it), whether it is an error, and where the deal was
 * ("FILE:LINE", "" for input that never became a deal). Non-zero stops. */
typedef int (*dspy_result_fn)(void *ctx, const char *json, size_t len, int failed,
                              const char *where);
/* Reads the stream f (JSONL or JSON arrays, as `dealscore score` reads a file;
 * `name` for messages) and scores every deal, input that is not a deal (a
 * broken array, a line over the deal memory) giving its error line as the
 * program does. Returns 0, or -1 on a read error (errno set). */
int dspy_engine_score_file(dspy_engine *e, FILE *f, const char *name, dspy_result_fn fn, void *ctx);

/* The typed result of the deal scored last (dspy_engine_score, or a reject of
 * dspy_engine_score_file), copied so that it outlives the engine's next call
 * (dealscore_result_copy), into *copy: freed by dspy_result_free, or handed to
 * dspy_result_capsule (dspy_result.h). *copy is NULL when the line is the
 * binding's own (the engine ran out of memory writing it). Returns -1 when out
 * of memory. */
int dspy_engine_copy(dspy_engine *e, void **copy);
void dspy_result_free(void *copy);

/* A CRM export, as Engine.score_csv names it (dealscore_csv_options of
 * lib/dealscore.h; docs/csv.md). Strings are the caller's, read during the call. */
typedef struct dspy_csv {
    const char *deals, *stakeholders, *relationships, *contacts, *titles, *mapping;
    const char *encoding, *date_format;
    const char *delimiter, *decimal, *thousands; /* one character (delimiter: or "tab"), or NULL */
} dspy_csv;
/* A message of the import: kind "error", "warning" or "note", and its text. */
typedef void (*dspy_message_fn)(void *ctx, const char *kind, const char *text);
/* Joins the files and scores every deal as `dealscore score --csv` does, results
 * to fn in the order of the deals file (where "deals.csv:LINE"; "" for a row
 * that could not be a deal), messages to msg. Returns 0; -1 on a setup or read
 * error (said through msg); -2 for an option that is not one, with the message
 * in err. */
int dspy_engine_score_csv(dspy_engine *e, const dspy_csv *c, dspy_result_fn fn, dspy_message_fn msg,
                          void *ctx, char *err, size_t errlen);

/* Deals scored so far that had contact dates but no as_of. */
long dspy_engine_undated(const dspy_engine *e);

#endif
