/* cli_pipeline.h: scoring a stream of deals on worker threads, in input order.
 *
 * One reader (the caller) queues deals, N workers score them, each with its own
 * Lua state and arena, and the results are written in the order the deals were
 * queued. At most a fixed window of deals is in flight, so memory does not grow
 * with the input. The batch's duplicate deal-id check runs where results are
 * written, in input order, so the output is the same for any number of workers. */
#ifndef CLI_PIPELINE_H
#define CLI_PIPELINE_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "dealscore.h"

typedef struct score_options {
    cli_policy_args policy; /* --policy [NAME=]FILE and the budgets */
    size_t max_deal_memory; /* 0: the default */
    const char *model, *output, *as_of;
    dealscore_csv_options *csv; /* CSV input (cli_csv.h), or NULL */
    int format;                 /* cli_format */
    int jobs;                   /* worker threads */
    bool explain, quiet;
    bool progress;        /* draw the progress line on stderr */
    bool actions;         /* --actions: next best actions, computed by the worker */
    int max_actions;      /* --max-actions N, or -1: the model's */
    bool questions;       /* --questions: the questions that would change the verdict */
    int max_questions;    /* --max-questions N, or -1: the model's */
    bool questions_exact; /* --questions-exact: no policy-run budget */
    /* --server HOST:PORT: scored there (cli_remote.h; its op is set per worker) */
    const struct cli_remote_options *remote;
} score_options;

typedef struct cli_counts {
    long scored, errors;
    long undated; /* deals with contact dates but no as_of (dsl_scorer.undated) */
    /* the --server went away: no result from the deal that failed on is
     * written (stopped_message names it), later deals are dropped unscored,
     * and scored + errors count the deals written before it */
    bool stopped;
    char stopped_message[1024];
    /* "code: message" of the first few error results, one a line, for a run
     * whose results are not written (no deal scored, -o kept) */
    char first_errors[1600];
    char *key_notes; /* the run's key notes for standard error, malloc'd, or NULL */
} cli_counts;

typedef struct cli_pipeline cli_pipeline;

/* Opens one engine (policies and Lua states) per job over the model m, judging
 * deals without as_of at as_of ("YYYY-MM-DD", or "": not at all), and starts the
 * threads. Prints the error and returns NULL when a policy does not load.
 * total_bytes is the size of the input when known (for the ETA), else 0. */
cli_pipeline *cli_pipeline_start(const score_options *o, const dealscore_model *m,
                                 const char *as_of, FILE *out, long long total_bytes);
/* Queues a deal's JSON text; `where` names it for messages ("deals.jsonl:17"),
 * src_bytes is how many input bytes it stood for (for progress). Blocks while
 * the window is full. */
void cli_pipeline_put(cli_pipeline *p, const char *text, size_t len, const char *where,
                      long long src_bytes);

/* cli_pipeline_put for a deal joined from CSV rows (dealscore_csv_run): a
 * validation error inside a stakeholder or relationship then names its file and
 * line (origin), any other error the deal's own row (`where`). */
void cli_pipeline_put_joined(cli_pipeline *p, const char *text, size_t len, const char *where,
                             long long src_bytes, const dealscore_csv_origin *origin);
/* Queues a deal that is already an error (a CSV row that cannot be used). */
void cli_pipeline_put_error(cli_pipeline *p, const char *id, const dealscore_error *err,
                            long long src_bytes);
/* Waits until every result is written, stops the threads and frees everything. */
void cli_pipeline_finish(cli_pipeline *p, cli_counts *counts);

#endif
