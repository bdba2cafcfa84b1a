/* cli_pipeline.c: reader, workers and in-order writer; see cli_pipeline.h.
 *
 * Deals live in a ring of slots indexed by their sequence number modulo the
 * window. A slot goes FREE -> QUEUED (reader) -> DONE (a worker) -> FREE (the
 * writer, once every earlier deal is written). There is no writer thread: the
 * worker that finishes the deal next in line writes it and every finished deal
 * after it, so no thread wakes up per deal just to copy bytes. One mutex guards
 * the counters and slot states; scoring and writing run outside it. The reader
 * sleeps when the window is full and wakes when half of it is free. Each slot
 * keeps its buffers from deal to deal, so the steady state allocates nothing:
 * the deal's text in a block of its own, the result row in a memory stream
 * (open_memstream) the formats print into, rewound for the next deal.
 *
 * With one job there is no worker thread: the reader scores each deal itself
 * from the reader's own buffer and writes it at once. A hand-off per deal to a
 * thread on the other core cost more than the reading it overlapped (wake-ups,
 * the deal's bytes moved between caches, a copy).
 *
 * With --server, a deal the service could not answer (the connection ended)
 * stops the run: its result and every later one are dropped, not written as
 * errors, since they say nothing of the deals (cli_counts.stopped). */
#include "cli_pipeline.h"

#include <pthread.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_engine.h"
#include "cli_format.h"
#include "cli_remote.h"

#define SLOTS_PER_JOB 64
#define BUF_KEEP (1 << 20) /* a slot buffer grown past this is released after use */

enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_DONE };

/* A block of bytes kept from deal to deal, grown as needed. */
typedef struct block {
    char *data;
    size_t len, cap;
} block;

typedef struct slot {
    int state;
    block in; /* the deal's JSON text, or the id of a deal that is an error */
    /* the formatted result row: out_data[0..out_len) once out is flushed */
    FILE *out;
    char *out_data;
    size_t out_len;
    char where[640];
    bool is_error; /* queued as an error: the error_* fields are the result */
    const char *error_code;
    char error_message[1024], error_path[256]; /* as ds_error: a CSV row names each bad cell */
    bool validated, failed; /* the deal passed validation; it is an error result */
    bool gone;              /* the --server went away before answering it */
    block id;               /* the deal's id, NUL-terminated, when validated */
    long long src_bytes;
    bool joined;                 /* from CSV rows: origin and lines say where each part came from */
    dealscore_csv_origin origin; /* its line arrays point into `lines` */
    block lines;
    block row_id; /* the id of the deal row, NUL-terminated (empty: none) */
} slot;

typedef struct worker {
    struct cli_pipeline *pipeline;
    dealscore_engine *engine; /* its own policy set, Lua states and deal memory */
    cli_remote *remote;       /* or, with --server, its connection to the service */
    pthread_t thread;
    bool started;
} worker;

typedef struct progress {
    bool on; /* stderr is a terminal and not --quiet */
    long long total_bytes, done_bytes;
    double start, last;
} progress;

struct cli_pipeline {
    pthread_mutex_t lock;
    pthread_cond_t can_read, can_work;
    slot *slots;
    long window;
    long next_read, next_work, next_write; /* sequence numbers */
    bool closed;                           /* the reader has queued everything */
    bool stopped;                          /* the --server went away: drop the rest */
    int format;
    int jobs;
    worker *workers;
    bool writing;        /* a worker is writing results */
    bool reader_waiting; /* the window is full */
    int idle_workers;
    FILE *out;
    bool inline_scoring; /* one job: the reader scores and writes each deal */
    dealscore_ids *seen; /* the batch's duplicate check */
    cli_counts counts;
    progress progress;
};

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- workers ---- */

/* Every worker's engine is made here and only here: each worker has its own
 * policy set (its own Lua states) and deal arena, and computes the next best
 * actions and the questions of the deals it scores. */
static int worker_open(worker *w, const score_options *o, const dealscore_model *m,
                       const char *as_of) {
    if (o->remote) {
        char err[512];
        cli_remote_options ro = *o->remote;
        ro.op = o->explain     ? "explain"
                : o->actions   ? "actions"
                : o->questions ? "questions"
                               : "score";
        if ((w->remote = cli_remote_open(&ro, err, sizeof err))) return 0;
        fprintf(stderr, "dealscore score: %s\n", err);
        return -1;
    }
    unsigned flags = (o->explain ? DEALSCORE_EXPLAIN : 0) | (o->actions ? DEALSCORE_ACTIONS : 0) |
                     (o->questions ? DEALSCORE_QUESTIONS : 0) |
                     (o->questions_exact ? DEALSCORE_QUESTIONS_EXACT : 0);
    w->engine = cli_engine_open(NULL, &o->policy, m, as_of, flags, o->max_actions, o->max_questions,
                                o->max_deal_memory);
    return w->engine ? 0 : -1;
}

static void worker_close(worker *w) {
    dealscore_engine_free(w->engine); /* and the policy set it opened */
    w->engine = NULL;
    cli_remote_close(w->remote);
    w->remote = NULL;
}

/* Copies n bytes into b (src NULL: only makes room for them), with a NUL after
 * them (not counted). False when out of memory (b is then empty). */
static bool keep(block *b, const void *src, size_t n) {
    if (n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < n + 1) cap *= 2;
        char *data = realloc(b->data, cap);
        if (!data) {
            b->len = 0;
            return false;
        }
        b->data = data;
        b->cap = cap;
    }
    if (n && src) memcpy(b->data, src, n);
    b->data[n] = '\0';
    b->len = n;
    return true;
}

static void trim(block *b) {
    if (b->cap > BUF_KEEP) {
        free(b->data);
        *b = (block){0};
    }
    b->len = 0;
}

/* The slot's row stream, empty and ready to print into; NULL when out of memory.
 * Unlocked: one thread at a time owns a slot. */
static FILE *row_begin(slot *s) {
    if (s->out && s->out_len > BUF_KEEP) {
        fclose(s->out);
        free(s->out_data);
        s->out = NULL;
        s->out_data = NULL;
    }
    s->out_len = 0;
    if (!s->out) {
        if (!(s->out = open_memstream(&s->out_data, &s->out_len))) return NULL;
        __fsetlocking(s->out, FSETLOCKING_BYCALLER);
    } else {
        clearerr(s->out);
        fseeko(s->out, 0, SEEK_SET);
    }
    return s->out;
}

/* Makes the row printed since row_begin readable at out_data[0..out_len). A
 * stream that failed (out of memory) gives what it holds, maybe nothing. */
static void row_end(slot *s) {
    if (s->out && fflush(s->out) != 0) s->out_len = 0;
    if (!s->out) s->out_len = 0;
}

static void format_row(slot *s, int format, dealscore_engine *e, const dealscore_result *r) {
    FILE *row = row_begin(s);
    if (row) cli_format_row(row, format, e, r);
    row_end(s);
}

/* Scores a deal (text, len) into its slot: the slot's own copy, or with inline
 * scoring the reader's buffer. */
static void score_text(worker *w, slot *s, int format, const char *text, size_t len) {
    s->id.len = 0;
    s->gone = false;
    if (s->is_error) {
        dealscore_result r = {.id = s->in.len ? s->in.data : NULL,
                              .error = {.code = s->error_code,
                                        .message = s->error_message,
                                        .path = s->error_path,
                                        .where = ""}};
        format_row(s, format, NULL, &r);
        s->validated = false;
        s->failed = true;
        trim(&s->in);
        return;
    }
    dealscore_result remote_result;
    const char *line = NULL;
    size_t line_len = 0;
    const dealscore_result *r = &remote_result;
    if (w->remote)
        s->gone =
            cli_remote_score(w->remote, text, len, s->where, &line, &line_len, &remote_result) < 0;
    else
        r = dealscore_score(w->engine, text, len, s->where);
    s->failed = r->error.code != NULL;
    s->validated = r->validated;
    if (s->gone) /* "deals.jsonl:17: the connection to --server ... ended" */
        snprintf(s->error_message, sizeof s->error_message, "%s", r->error.message);
    else if (s->failed) /* kept for the first_errors of a run that writes no result */
        snprintf(s->error_message, sizeof s->error_message, "%s: %s", r->error.code,
                 r->error.message);
    if (r->validated && !keep(&s->id, r->id, strlen(r->id))) s->validated = false;
    dealscore_result located;
    char message[sizeof s->error_message];
    if (s->failed && s->joined &&
        dealscore_csv_locate(r, &s->origin, s->where, &located, message, sizeof message) != r) {
        format_row(s, format, NULL, &located);
    } else if (line && format == CLI_FORMAT_JSONL) { /* the server's line is the row */
        FILE *row = row_begin(s);
        if (row) {
            fwrite(line, 1, line_len, row);
            putc('\n', row);
        }
        row_end(s);
    } else {
        format_row(s, format, w->engine, r);
    }
    trim(&s->in);
}

/* Scores one queued deal into its slot (outside the lock). */
static void score_slot(worker *w, slot *s, int format) {
    score_text(w, s, format, s->in.data ? s->in.data : "", s->in.len);
}

/* ---- the writer ---- */

static void show_progress(cli_pipeline *p, bool final) {
    progress *g = &p->progress;
    double now = now_seconds();
    if (!g->on || (!final && now - g->last < 0.25)) return;
    g->last = now;
    long done = p->counts.scored + p->counts.errors;
    double rate = now > g->start ? done / (now - g->start) : 0;
    if (final) {
        fputs("\r\033[K", stderr); /* the summary line takes its place */
        return;
    }
    fprintf(stderr, "\r\033[Kdealscore: %ld deals, %.0f deals/s, %ld errors", done, rate,
            p->counts.errors);
    if (g->total_bytes > 0 && g->done_bytes > 0 && g->done_bytes <= g->total_bytes) {
        double seconds =
            (now - g->start) * (double)(g->total_bytes - g->done_bytes) / (double)g->done_bytes;
        fprintf(stderr, ", %.0f%%, ETA %ld:%02ld", 100.0 * g->done_bytes / g->total_bytes,
                (long)seconds / 60, (long)seconds % 60);
    }
    fflush(stderr);
}

/* The duplicate check, in input order: only deals that passed validation
 * register their id, so a malformed first copy does not block a corrected one. */
static void check_duplicate(cli_pipeline *p, slot *s) {
    char message[sizeof s->error_message];
    dealscore_error dup;
    if (!s->validated ||
        dealscore_ids_add(p->seen, s->id.data, s->where, &dup, message, sizeof message) != 1)
        return;
    dealscore_result r = {.id = s->id.data, .validated = true, .error = dup};
    format_row(s, p->format, NULL, &r);
    s->failed = true;
}

/* Keeps the first few errors' "code: message" lines (cli_counts.first_errors). */
static void note_error(cli_pipeline *p, const slot *s) {
    char *list = p->counts.first_errors;
    size_t used = strlen(list);
    if (p->counts.errors >= 5 || used + 2 >= sizeof p->counts.first_errors) return;
    if (s->is_error)
        snprintf(list + used, sizeof p->counts.first_errors - used, "%s: %s\n", s->error_code,
                 s->error_message);
    else
        snprintf(list + used, sizeof p->counts.first_errors - used, "%s\n", s->error_message);
}

/* The run stops at a deal the --server did not answer: said once, in input order. */
static void stop(cli_pipeline *p, const slot *s) {
    p->stopped = p->counts.stopped = true;
    snprintf(p->counts.stopped_message, sizeof p->counts.stopped_message, "%s", s->error_message);
}

/* Writes every finished deal that is next in input order. Called with the lock
 * held by the worker that finished the deal the writer waits for; one worker at
 * a time holds the writer's role, the others go back to scoring. */
static void write_ready(cli_pipeline *p) {
    if (p->writing) return;
    p->writing = true;
    while (p->next_write < p->next_read && p->slots[p->next_write % p->window].state == SLOT_DONE) {
        slot *s = &p->slots[p->next_write % p->window];
        if (s->gone && !p->stopped) stop(p, s);
        bool drop = p->stopped; /* set under the lock: read by the workers and reader */
        pthread_mutex_unlock(&p->lock);
        if (!drop) {
            check_duplicate(p, s);
            fwrite(s->out_data, 1, s->out_len, p->out);
            if (s->failed) note_error(p, s);
            if (s->failed)
                p->counts.errors++;
            else
                p->counts.scored++;
            p->progress.done_bytes += s->src_bytes;
            show_progress(p, false);
        }
        pthread_mutex_lock(&p->lock);
        s->state = SLOT_FREE;
        p->next_write++;
    }
    p->writing = false;
    /* the reader refills half a window at once rather than a slot at a time */
    if (p->reader_waiting && p->next_read - p->next_write <= p->window / 2)
        pthread_cond_signal(&p->can_read);
}

static void *worker_main(void *arg) {
    worker *w = arg;
    cli_pipeline *p = w->pipeline;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->next_work == p->next_read && !p->closed) {
            p->idle_workers++;
            pthread_cond_wait(&p->can_work, &p->lock);
            p->idle_workers--;
        }
        if (p->next_work == p->next_read) break; /* closed and drained */
        slot *s = &p->slots[p->next_work % p->window];
        p->next_work++;
        bool drop = p->stopped; /* the run stopped: not sent, not written */
        pthread_mutex_unlock(&p->lock);
        if (!drop) score_slot(w, s, p->format);
        pthread_mutex_lock(&p->lock);
        s->state = SLOT_DONE;
        write_ready(p);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- the reader's side ---- */

cli_pipeline *cli_pipeline_start(const score_options *o, const dealscore_model *m,
                                 const char *as_of, FILE *out, long long total_bytes) {
    cli_pipeline *p = calloc(1, sizeof *p);
    int jobs = o->jobs > 0 ? o->jobs : 1;
    p->workers = calloc((size_t)jobs, sizeof *p->workers);
    p->window = (long)jobs * SLOTS_PER_JOB;
    p->slots = calloc((size_t)p->window, sizeof *p->slots);
    if (!p->workers || !p->slots || !(p->seen = dealscore_ids_new())) {
        fprintf(stderr, "dealscore: out of memory\n");
        free(p->workers);
        free(p->slots);
        free(p);
        return NULL;
    }
    p->jobs = jobs;
    p->format = o->format;
    p->out = out;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->can_read, NULL);
    pthread_cond_init(&p->can_work, NULL);
    p->progress.on = o->progress;
    p->progress.total_bytes = total_bytes;
    p->progress.start = p->progress.last = now_seconds();
    for (int i = 0; i < jobs; i++) {
        p->workers[i].pipeline = p;
        if (worker_open(&p->workers[i], o, m, as_of) < 0) {
            cli_pipeline_finish(p, NULL);
            return NULL;
        }
    }
    if (jobs == 1) {
        p->inline_scoring = true;
        p->window = 1; /* each deal is written before the next is read: one slot */
        return p;
    }
    int started = 0;
    for (int i = 0; i < jobs; i++) {
        p->workers[i].started =
            pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) == 0;
        started += p->workers[i].started;
    }
    if (started == 0) {
        fprintf(stderr, "dealscore: cannot start worker threads\n");
        cli_pipeline_finish(p, NULL);
        return NULL;
    }
    return p;
}

/* Waits for the next slot to be free and returns it (filled by the caller, then
 * handed over by queue()), or NULL when the run stopped: the deal is dropped. */
static slot *next_free(cli_pipeline *p) {
    pthread_mutex_lock(&p->lock);
    if (p->stopped) {
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    if (p->next_read - p->next_write >= p->window) {
        p->reader_waiting = true;
        while (p->next_read - p->next_write > p->window / 2)
            pthread_cond_wait(&p->can_read, &p->lock);
        p->reader_waiting = false;
    }
    pthread_mutex_unlock(&p->lock);
    return &p->slots[p->next_read % p->window];
}

static void queue(cli_pipeline *p, slot *s) {
    pthread_mutex_lock(&p->lock);
    s->state = SLOT_QUEUED;
    p->next_read++;
    if (p->idle_workers) pthread_cond_signal(&p->can_work);
    pthread_mutex_unlock(&p->lock);
}

/* Inline scoring: the deal in the slot (its text the slot's or the reader's)
 * is scored and written before the reader goes on. No other thread runs; the
 * lock is only taken because write_ready() expects it (uncontended, it costs
 * two atomic operations). */
static void score_inline(cli_pipeline *p, slot *s, const char *text, size_t len) {
    p->next_read++;
    p->next_work++;
    score_text(&p->workers[0], s, p->format, text, len);
    pthread_mutex_lock(&p->lock);
    s->state = SLOT_DONE;
    write_ready(p);
    pthread_mutex_unlock(&p->lock);
}

/* Hands a filled slot over: scored at once inline, else queued for a worker. */
static void hand_over(cli_pipeline *p, slot *s) {
    if (p->inline_scoring)
        score_inline(p, s, s->in.data ? s->in.data : "", s->in.len);
    else
        queue(p, s);
}

/* s->where = where, cut to fit as snprintf("%s") would: once a deal, without
 * printf's machinery. */
static void copy_where(slot *s, const char *where) {
    size_t n = where ? strlen(where) : 0;
    if (n >= sizeof s->where) n = sizeof s->where - 1;
    if (n) memcpy(s->where, where, n);
    s->where[n] = '\0';
}

void cli_pipeline_put(cli_pipeline *p, const char *text, size_t len, const char *where,
                      long long src_bytes) {
    slot *s = next_free(p);
    if (!s) return;
    s->in.len = 0;
    copy_where(s, where);
    s->is_error = false;
    s->joined = false;
    s->src_bytes = src_bytes;
    if (p->inline_scoring) { /* no copy: scored before the reader's buffer moves on */
        score_inline(p, s, text ? text : "", text ? len : 0);
        return;
    }
    keep(&s->in, text, len);
    queue(p, s);
}

void cli_pipeline_put_joined(cli_pipeline *p, const char *text, size_t len, const char *where,
                             long long src_bytes, const dealscore_csv_origin *origin) {
    slot *s = next_free(p);
    if (!s) return;
    keep(&s->in, text, len);
    copy_where(s, where);
    s->is_error = false;
    s->joined = true;
    s->src_bytes = src_bytes;
    s->origin = *origin;
    bool id = origin->id && keep(&s->row_id, origin->id, strlen(origin->id));
    s->origin.id = id && s->row_id.len ? s->row_id.data : NULL;
    size_t ns = (size_t)origin->n_stakeholders, nr = (size_t)origin->n_relationships;
    /* both arrays in one block, the stakeholders' first */
    if (!keep(&s->lines, NULL, (ns + nr) * sizeof(long))) {
        s->origin.n_stakeholders = s->origin.n_relationships = 0;
    } else {
        long *lines = (long *)s->lines.data;
        if (ns) memcpy(lines, origin->stakeholder_lines, ns * sizeof(long));
        if (nr) memcpy(lines + ns, origin->relationship_lines, nr * sizeof(long));
        s->origin.stakeholder_lines = lines;
        s->origin.relationship_lines = lines + ns;
    }
    hand_over(p, s);
}

void cli_pipeline_put_error(cli_pipeline *p, const char *id, const dealscore_error *err,
                            long long src_bytes) {
    slot *s = next_free(p);
    if (!s) return;
    if (!id || !keep(&s->in, id, strlen(id))) s->in.len = 0;
    s->where[0] = '\0';
    s->is_error = true;
    s->error_code = err->code; /* a static string of the library's */
    snprintf(s->error_message, sizeof s->error_message, "%s", err->message);
    snprintf(s->error_path, sizeof s->error_path, "%s", err->path);
    s->src_bytes = src_bytes;
    hand_over(p, s);
}

void cli_pipeline_finish(cli_pipeline *p, cli_counts *counts) {
    pthread_mutex_lock(&p->lock);
    p->closed = true;
    pthread_cond_broadcast(&p->can_work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->jobs; i++)
        if (p->workers[i].started) pthread_join(p->workers[i].thread, NULL);
    dealscore_engine *engines[p->jobs > 0 ? p->jobs : 1];
    for (int i = 0; i < p->jobs; i++) {
        p->counts.undated += dealscore_engine_undated(p->workers[i].engine);
        engines[i] = p->workers[i].engine;
    }
    if (counts) {
        *counts = p->counts;
        counts->key_notes = dealscore_engines_key_notes(engines, p->jobs, "dealscore score: ");
    }
    show_progress(p, true);
    for (int i = 0; i < p->jobs; i++) worker_close(&p->workers[i]);
    for (long i = 0; i < p->window; i++) {
        slot *s = &p->slots[i];
        if (s->out) fclose(s->out);
        free(s->out_data);
        free(s->in.data);
        free(s->id.data);
        free(s->lines.data);
        free(s->row_id.data);
    }
    pthread_cond_destroy(&p->can_read);
    pthread_cond_destroy(&p->can_work);
    pthread_mutex_destroy(&p->lock);
    dealscore_ids_free(p->seen);
    free(p->workers);
    free(p->slots);
    free(p);
}
