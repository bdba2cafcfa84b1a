/* dspy_module.c: `dealscore._native`, the CPython extension under `import dealscore`.
 *
 * The C API rather than cffi: the GIL is released exactly around the scoring
 * loop (Py_BEGIN_ALLOW_THREADS), a batch of deals crosses into C once rather
 * than once per call through a foreign-function layer, and the module is built
 * by CMake from python3-dev's headers with the rest of the tree: no build step
 * that needs setuptools or a download. The Python side (dealscore/__init__.py)
 * turns dicts, DataFrames and files into JSON texts and results into objects.
 *
 * Threads: an Engine holds the model and the policy configuration (read-only,
 * shared) and a pool of engine states, each with its own Lua states and deal
 * memory. A Batch takes one state out of the pool for its life, so two threads
 * scoring at once always score on two states, never one; states go back to the
 * pool, not to a thread, so a thread that ends leaves nothing behind. The pool
 * is only touched with the GIL held. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dspy_engine.h"
#include "dspy_result.h"

static PyObject *SetupError;

/* ---- Engine ---- */

typedef struct {
    PyObject_HEAD dspy_shared *shared;
    dspy_engine **idle; /* the pool */
    Py_ssize_t n_idle, cap_idle;
    long undated; /* from states freed or returned */
} EngineObject;

static void Engine_dealloc(EngineObject *self) {
    for (Py_ssize_t i = 0; i < self->n_idle; i++) dspy_engine_free(self->idle[i]);
    free(self->idle);
    dspy_shared_close(self->shared);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* A state from the pool, or a new one (policies compiled without the GIL).
 * NULL with SetupError raised when a policy does not load. */
static dspy_engine *engine_take(EngineObject *self) {
    if (self->n_idle > 0) return self->idle[--self->n_idle];
    char err[1024];
    dspy_engine *e;
    Py_BEGIN_ALLOW_THREADS e = dspy_engine_new(self->shared, err, sizeof err);
    Py_END_ALLOW_THREADS if (!e) PyErr_Format(SetupError, "policy: %s", err);
    return e;
}

static void engine_give(EngineObject *self, dspy_engine *e) {
    if (self->n_idle == self->cap_idle) {
        Py_ssize_t cap = self->cap_idle ? self->cap_idle * 2 : 4;
        dspy_engine **idle = realloc(self->idle, (size_t)cap * sizeof *idle);
        if (!idle) { /* keep going without it: the next batch opens another */
            dspy_engine_free(e);
            return;
        }
        self->idle = idle;
        self->cap_idle = cap;
    }
    self->idle[self->n_idle++] = e;
}

/* Policies from a sequence of (name or None, path) pairs. The UTF-8 texts live
 * as long as the str objects, which `seq` keeps until the setup is copied. */
static int read_policies(PyObject *seq, dspy_setup *s) {
    if (seq == Py_None) return 0;
    PyObject *fast = PySequence_Fast(seq, "policies must be a sequence of (name, path) pairs");
    if (!fast) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    if (n > DSPY_MAX_POLICIES) {
        PyErr_Format(SetupError, "policies: at most %d policies", DSPY_MAX_POLICIES);
        Py_DECREF(fast);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name, *path;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(fast, i), "OO", &name, &path) ||
            (name != Py_None && !(s->names[i] = PyUnicode_AsUTF8(name))) ||
            !(s->paths[i] = PyUnicode_AsUTF8(path))) {
            Py_DECREF(fast);
            return -1;
        }
        s->n_policies++;
    }
    Py_DECREF(fast);
    return 0;
}

static int Engine_init(EngineObject *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"model",     "policies",    "policy_field", "instructions",
                            "memory_mb", "deal_memory", "as_of",        NULL};
    dspy_setup s = {.instructions = -1, .memory_mb = -1};
    PyObject *policies = Py_None;
    Py_ssize_t deal_memory = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|zOzLLnz", names, &s.model, &policies,
                                     &s.policy_field, &s.instructions, &s.memory_mb, &deal_memory,
                                     &s.as_of))
        return -1;
    if (self->shared) {
        PyErr_SetString(PyExc_RuntimeError, "Engine is already initialised");
        return -1;
    }
    s.deal_memory = (size_t)deal_memory;
    if (read_policies(policies, &s) < 0) return -1;
    char err[1024];
    if (!(self->shared = dspy_shared_open(&s, err, sizeof err))) {
        PyErr_SetString(SetupError, err);
        return -1;
    }
    /* one state now: a policy that does not load is a setup error here, not later */
    dspy_engine *e = engine_take(self);
    if (!e) return -1;
    engine_give(self, e);
    return 0;
}

static PyObject *Engine_model(EngineObject *self, void *closure) {
    (void)closure;
    if (!self->shared) Py_RETURN_NONE;
    return PyUnicode_FromString(dspy_shared_model(self->shared));
}

static PyObject *Engine_states(EngineObject *self, void *closure) {
    (void)closure;
    return PyLong_FromSsize_t(self->n_idle);
}

static PyObject *Engine_batch(EngineObject *self, PyObject *args, PyObject *kw);

static PyMethodDef Engine_methods[] = {
    {"batch", (PyCFunction)(void (*)(void))Engine_batch, METH_VARARGS | METH_KEYWORDS,
     "batch(flags=0, max_actions=-1, max_questions=-1, report=0): a Batch on one engine state"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Engine_getset[] = {
    {"model", (getter)Engine_model, NULL, "the model's name@version", NULL},
    {"idle_states", (getter)Engine_states, NULL, "engine states waiting in the pool", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject EngineType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "dealscore._native.Engine",
    .tp_basicsize = sizeof(EngineObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The model and policies, and a pool of engine states (one per thread at once).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Engine_init,
    .tp_dealloc = (destructor)Engine_dealloc,
    .tp_methods = Engine_methods,
    .tp_getset = Engine_getset,
};

/* ---- Batch: one engine state, one duplicate-id scope ---- */

typedef struct {
    PyObject_HEAD EngineObject *engine;
    dspy_engine *state; /* NULL once closed */
    int busy;           /* scoring, with the GIL released */
    int report;         /* DSPY_REPORT_*: each result's report too */
    long undated_at_start;
} BatchObject;

static void batch_release(BatchObject *self) {
    if (!self->state) return;
    engine_give(self->engine, self->state);
    self->state = NULL;
}

static void Batch_dealloc(BatchObject *self) {
    batch_release(self);
    Py_XDECREF(self->engine);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject BatchType;

static PyObject *Engine_batch(EngineObject *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"flags", "max_actions", "max_questions", "report", NULL};
    unsigned flags = 0;
    int max_actions = -1, max_questions = -1, report = DSPY_REPORT_NONE;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Iiii", names, &flags, &max_actions, &max_questions,
                                     &report))
        return NULL;
    if (!self->shared) {
        PyErr_SetString(PyExc_RuntimeError, "Engine is not initialised");
        return NULL;
    }
    dspy_engine *e = engine_take(self);
    if (!e) return NULL;
    char err[512];
    if (dspy_engine_begin(e, flags, max_actions, max_questions, report, err, sizeof err) < 0) {
        engine_give(self, e);
        PyErr_SetString(SetupError, err);
        return NULL;
    }
    BatchObject *b = PyObject_New(BatchObject, &BatchType);
    if (!b) {
        engine_give(self, e);
        return NULL;
    }
    Py_INCREF(self);
    b->engine = self;
    b->state = e;
    b->busy = 0;
    b->report = report;
    b->undated_at_start = dspy_engine_undated(e);
    return (PyObject *)b;
}

/* What the deals of one call scored to, copied out of the engine while the GIL
 * is released: the lines back to back, and where each one ends; with `typed`,
 * each line's typed result too (dspy_engine_copy). */
typedef struct {
    char *text;
    size_t len, cap;
    size_t *ends;
    unsigned char *failed;
    void **typed;
} lines;

/* The typed results not handed to Python. */
static void typed_free(lines *l, size_t n) {
    for (size_t i = 0; l->typed && i < n; i++) dspy_result_free(l->typed[i]);
    free(l->typed);
    l->typed = NULL;
}

static int lines_add(lines *l, const char *s, size_t n) {
    if (n == 0) return 0; /* "" where (a CSV row that is no deal): memcpy to NULL is undefined */
    if (l->len + n > l->cap) {
        size_t cap = l->cap ? l->cap : 4096;
        while (cap < l->len + n) cap *= 2;
        char *text = realloc(l->text, cap);
        if (!text) return -1;
        l->text = text;
        l->cap = cap;
    }
    memcpy(l->text + l->len, s, n);
    l->len += n;
    return 0;
}

/* The report of the deal just scored into reports (its `failed` marks that
 * there is one). -1 when out of memory. */
static int add_report(dspy_engine *e, Py_ssize_t i, lines *reports) {
    size_t len;
    char *text = dspy_engine_report(e, &len);
    int rc = text ? lines_add(reports, text, len) : 0;
    free(text);
    reports->failed[i] = text != NULL;
    reports->ends[i] = reports->len;
    return rc;
}

/* Scores n deals without the GIL, with their reports when `reports` is not
 * NULL. -1 when out of memory. */
static int score_all(dspy_engine *e, Py_ssize_t n, const char **texts, const Py_ssize_t *lens,
                     const char **wheres, lines *out, lines *reports) {
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *json;
        size_t len;
        out->failed[i] =
            (unsigned char)dspy_engine_score(e, texts[i], (size_t)lens[i], wheres[i], &json, &len);
        if (lines_add(out, json, len) < 0 ||
            (out->typed && dspy_engine_copy(e, &out->typed[i]) < 0))
            return -1;
        out->ends[i] = out->len;
        if (reports && add_report(e, i, reports) < 0) return -1;
    }
    return 0;
}

/* The text between start and end as str (None when absent). surrogateescape: a
 * byte that is not UTF-8 (the engine quoting a cut input text) survives, and
 * writing the line back with it gives the same bytes. */
static PyObject *text_of(const lines *l, size_t start, size_t end, int present) {
    if (!present) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(l->text + start, (Py_ssize_t)(end - start), "surrogateescape");
}

/* [(line, failed, report or None), ...], with l->typed (line, failed, report or
 * None, typed result or None): the typed results go to the capsules (l->typed[i]
 * NULL once handed over). */
static PyObject *results_list(lines *l, const lines *reports, Py_ssize_t n) {
    PyObject *list = PyList_New(n);
    size_t start = 0, report_start = 0;
    for (Py_ssize_t i = 0; list && i < n; i++) {
        PyObject *line = text_of(l, start, l->ends[i], 1);
        PyObject *report =
            reports ? text_of(reports, report_start, reports->ends[i], reports->failed[i])
                    : text_of(l, 0, 0, 0);
        PyObject *typed = l->typed ? dspy_result_capsule(l->typed[i]) : NULL;
        if (l->typed) l->typed[i] = NULL; /* the capsule's now, or freed */
        PyObject *item = NULL, *failed = l->failed[i] ? Py_True : Py_False;
        if (line && report && typed) /* "N": the tuple takes them, or releases them */
            item = Py_BuildValue("(NONN)", line, failed, report, typed);
        else if (line && report && !l->typed)
            item = Py_BuildValue("(NON)", line, failed, report);
        else {
            Py_XDECREF(line);
            Py_XDECREF(report);
            Py_XDECREF(typed);
        }
        if (!item) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, item);
        start = l->ends[i];
        if (reports) report_start = reports->ends[i];
    }
    return list;
}

/* Pointers into the bytes of `texts` and the UTF-8 of `wheres` (both tuples,
 * which keep them alive and cannot change while the GIL is released). */
static int collect(PyObject *texts, PyObject *wheres, Py_ssize_t n, const char **t,
                   Py_ssize_t *lens, const char **w) {
    for (Py_ssize_t i = 0; i < n; i++) {
        char *data;
        if (PyBytes_AsStringAndSize(PyTuple_GET_ITEM(texts, i), &data, &lens[i]) < 0) return -1;
        t[i] = data;
        if (!(w[i] = PyUnicode_AsUTF8(PyTuple_GET_ITEM(wheres, i)))) return -1;
    }
    return 0;
}

static PyObject *Batch_score(BatchObject *self, PyObject *args) {
    PyObject *texts_in, *wheres_in;
    int want_typed = 0;
    if (!PyArg_ParseTuple(args, "OO|p", &texts_in, &wheres_in, &want_typed)) return NULL;
    if (!self->state) {
        PyErr_SetString(PyExc_ValueError, "the batch is closed");
        return NULL;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "a Batch is used by one thread at a time (each thread takes its own)");
        return NULL;
    }
    PyObject *texts = PySequence_Tuple(texts_in), *wheres = PySequence_Tuple(wheres_in);
    PyObject *result = NULL;
    Py_ssize_t n = texts ? PyTuple_GET_SIZE(texts) : 0;
    if (!texts || !wheres) goto done;
    if (PyTuple_GET_SIZE(wheres) != n) {
        PyErr_SetString(PyExc_ValueError, "texts and wheres differ in length");
        goto done;
    }
    const char **t = PyMem_Calloc((size_t)n + 1, sizeof *t);
    const char **w = PyMem_Calloc((size_t)n + 1, sizeof *w);
    Py_ssize_t *lens = PyMem_Calloc((size_t)n + 1, sizeof *lens);
    lines out = {.ends = PyMem_Calloc((size_t)n + 1, sizeof(size_t)),
                 .failed = PyMem_Calloc((size_t)n + 1, 1),
                 .typed = want_typed ? calloc((size_t)n + 1, sizeof(void *)) : NULL};
    lines reports = {.ends = self->report ? PyMem_Calloc((size_t)n + 1, sizeof(size_t)) : NULL,
                     .failed = self->report ? PyMem_Calloc((size_t)n + 1, 1) : NULL};
    lines *rep = self->report ? &reports : NULL;
    if (!t || !w || !lens || !out.ends || !out.failed || (want_typed && !out.typed) ||
        (rep && (!rep->ends || !rep->failed))) {
        PyErr_NoMemory();
    } else if (collect(texts, wheres, n, t, lens, w) == 0) {
        int rc;
        self->busy = 1;
        Py_BEGIN_ALLOW_THREADS rc = score_all(self->state, n, t, lens, w, &out, rep);
        Py_END_ALLOW_THREADS self->busy = 0;
        result = rc < 0 ? PyErr_NoMemory() : results_list(&out, rep, n);
    }
    PyMem_Free(t);
    PyMem_Free(w);
    PyMem_Free(lens);
    PyMem_Free(out.ends);
    PyMem_Free(out.failed);
    typed_free(&out, (size_t)n);
    free(out.text);
    PyMem_Free(reports.ends);
    PyMem_Free(reports.failed);
    free(reports.text);
done:
    Py_XDECREF(texts);
    Py_XDECREF(wheres);
    return result;
}

/* ---- a whole file, read by the library's reader ---- */

/* The results of a file, gathered without the GIL: lines, reports and wheres
 * back to back, each with its items' ends (a `lines` each, grown together). */
typedef struct {
    lines text, reports, wheres;
    size_t n, cap;
    dspy_engine *e;
    int want_report, want_typed, oom;
} gathered;

static int grow(gathered *g) {
    size_t cap = g->cap ? g->cap * 2 : 1024;
    lines *all[] = {&g->text, &g->reports, &g->wheres};
    for (int k = 0; k < 3; k++) {
        size_t *ends = realloc(all[k]->ends, cap * sizeof *ends);
        if (ends) all[k]->ends = ends;
        unsigned char *flags = ends ? realloc(all[k]->failed, cap) : NULL;
        if (flags) all[k]->failed = flags;
        if (!ends || !flags) return -1;
    }
    if (g->want_typed) {
        void **typed = realloc(g->text.typed, cap * sizeof *typed);
        if (!typed) return -1;
        g->text.typed = typed;
    }
    g->cap = cap;
    return 0;
}

static int on_result(void *ctx, const char *json, size_t len, int failed, const char *where) {
    gathered *g = ctx;
    if (g->n == g->cap && grow(g) < 0) return g->oom = 1;
    size_t i = g->n;
    g->text.failed[i] = (unsigned char)failed;
    g->wheres.failed[i] = 1;
    if (g->want_typed && dspy_engine_copy(g->e, &g->text.typed[i]) < 0) return g->oom = 1;
    if (lines_add(&g->text, json, len) < 0 || lines_add(&g->wheres, where, strlen(where)) < 0 ||
        (g->want_report && add_report(g->e, (Py_ssize_t)i, &g->reports) < 0)) {
        if (g->want_typed) dspy_result_free(g->text.typed[i]);
        return g->oom = 1;
    }
    if (!g->want_report) {
        g->reports.failed[i] = 0;
        g->reports.ends[i] = g->reports.len;
    }
    g->text.ends[i] = g->text.len;
    g->wheres.ends[i] = g->wheres.len;
    g->n++;
    return 0;
}

/* [(line, failed, report or None, where), ...], with want_typed (..., where,
 * typed result or None) */
static PyObject *gathered_list(gathered *g) {
    PyObject *list = PyList_New((Py_ssize_t)g->n);
    PyObject *pairs = list ? results_list(&g->text, &g->reports, (Py_ssize_t)g->n) : NULL;
    size_t start = 0;
    for (size_t i = 0; pairs && i < g->n; i++) {
        PyObject *pair = PyList_GET_ITEM(pairs, i);
        PyObject *where = text_of(&g->wheres, start, g->wheres.ends[i], 1);
        PyObject *item = NULL;
        if (where && g->want_typed)
            item = Py_BuildValue("(OOONO)", PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1),
                                 PyTuple_GET_ITEM(pair, 2), where, PyTuple_GET_ITEM(pair, 3));
        else if (where)
            item = Py_BuildValue("(OOON)", PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1),
                                 PyTuple_GET_ITEM(pair, 2), where);
        if (!item) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
        start = g->wheres.ends[i];
    }
    if (!pairs) Py_CLEAR(list);
    Py_XDECREF(pairs);
    return list;
}

static PyObject *Batch_score_file(BatchObject *self, PyObject *args) {
    PyObject *path_obj;
    int want_typed = 0;
    if (!PyArg_ParseTuple(args, "O&|p", PyUnicode_FSConverter, &path_obj, &want_typed)) return NULL;
    const char *path = PyBytes_AS_STRING(path_obj);
    PyObject *result = NULL;
    FILE *f = NULL;
    if (!self->state || self->busy) {
        PyErr_SetString(self->state ? PyExc_RuntimeError : PyExc_ValueError,
                        self->state ? "a Batch is used by one thread at a time"
                                    : "the batch is closed");
    } else if (!(f = fopen(path, "rb"))) {
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path_obj);
    } else {
        gathered g = {.e = self->state,
                      .want_report = self->report != DSPY_REPORT_NONE,
                      .want_typed = want_typed};
        int rc, err;
        self->busy = 1;
        Py_BEGIN_ALLOW_THREADS rc = dspy_engine_score_file(self->state, f, path, on_result, &g);
        err = errno;
        fclose(f);
        Py_END_ALLOW_THREADS self->busy = 0;
        if (g.oom)
            PyErr_NoMemory();
        else if (rc < 0)
            errno = err, PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path_obj);
        else
            result = gathered_list(&g);
        typed_free(&g.text, g.n);
        lines *all[] = {&g.text, &g.reports, &g.wheres};
        for (int k = 0; k < 3; k++) {
            free(all[k]->text);
            free(all[k]->ends);
            free(all[k]->failed);
        }
    }
    Py_DECREF(path_obj);
    return result;
}

/* ---- a CRM export, through the library's CSV import ---- */

/* The import's messages, gathered without the GIL: "kind\ttext" each. */
typedef struct {
    gathered g;
    lines messages;
    size_t n_messages, cap_messages;
} csv_gathered;

static void on_message(void *ctx, const char *kind, const char *text) {
    csv_gathered *c = ctx;
    lines *m = &c->messages;
    if (c->n_messages == c->cap_messages) {
        size_t cap = c->cap_messages ? c->cap_messages * 2 : 64;
        size_t *ends = realloc(m->ends, cap * sizeof *ends);
        if (!ends) {
            c->g.oom = 1;
            return;
        }
        m->ends = ends;
        c->cap_messages = cap;
    }
    if (lines_add(m, kind, strlen(kind)) < 0 || lines_add(m, "\t", 1) < 0 ||
        lines_add(m, text, strlen(text)) < 0) {
        c->g.oom = 1;
        return;
    }
    m->ends[c->n_messages++] = m->len;
}

/* [(kind, text), ...] */
static PyObject *messages_list(const csv_gathered *c) {
    PyObject *list = PyList_New((Py_ssize_t)c->n_messages);
    size_t start = 0;
    for (size_t i = 0; list && i < c->n_messages; i++) {
        const char *s = c->messages.text + start,
                   *tab = memchr(s, '\t', c->messages.ends[i] - start);
        PyObject *item = Py_BuildValue(
            "(s#N)", s, (Py_ssize_t)(tab - s),
            text_of(&c->messages, (size_t)(tab + 1 - c->messages.text), c->messages.ends[i], 1));
        if (!item) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
        start = c->messages.ends[i];
    }
    return list;
}

static PyObject *Batch_score_csv(BatchObject *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"deals",     "stakeholders", "relationships", "contacts",
                            "titles",    "mapping",      "encoding",      "date_format",
                            "delimiter", "decimal",      "thousands",     "typed",
                            NULL};
    dspy_csv c = {0};
    int want_typed = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|zzzzzzzzzzp", names, &c.deals, &c.stakeholders,
                                     &c.relationships, &c.contacts, &c.titles, &c.mapping,
                                     &c.encoding, &c.date_format, &c.delimiter, &c.decimal,
                                     &c.thousands, &want_typed))
        return NULL;
    if (!self->state || self->busy) {
        PyErr_SetString(self->state ? PyExc_RuntimeError : PyExc_ValueError,
                        self->state ? "a Batch is used by one thread at a time"
                                    : "the batch is closed");
        return NULL;
    }
    csv_gathered cg = {.g = {.e = self->state,
                             .want_report = self->report != DSPY_REPORT_NONE,
                             .want_typed = want_typed}};
    char err[600] = "";
    int rc;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS rc =
        dspy_engine_score_csv(self->state, &c, on_result, on_message, &cg, err, sizeof err);
    Py_END_ALLOW_THREADS self->busy = 0;
    PyObject *result = NULL;
    if (cg.g.oom) {
        PyErr_NoMemory();
    } else if (rc == -2) {
        PyErr_SetString(SetupError, err);
    } else {
        PyObject *items = gathered_list(&cg.g), *messages = items ? messages_list(&cg) : NULL;
        if (messages)
            result = Py_BuildValue("(NNO)", items, messages, rc < 0 ? Py_False : Py_True);
        else
            Py_XDECREF(items);
    }
    typed_free(&cg.g.text, cg.g.n);
    lines *all[] = {&cg.g.text, &cg.g.reports, &cg.g.wheres, &cg.messages};
    for (int k = 0; k < 4; k++) {
        free(all[k]->text);
        free(all[k]->ends);
        free(all[k]->failed);
    }
    return result;
}

static PyObject *Batch_close(BatchObject *self, PyObject *unused) {
    (void)unused;
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the batch is scoring in another thread");
        return NULL;
    }
    batch_release(self);
    Py_RETURN_NONE;
}

/* Deals of this batch with contact dates but no as_of. */
static PyObject *Batch_undated(BatchObject *self, void *closure) {
    (void)closure;
    if (!self->state) return PyLong_FromLong(0);
    return PyLong_FromLong(dspy_engine_undated(self->state) - self->undated_at_start);
}

static PyMethodDef Batch_methods[] = {
    {"score", (PyCFunction)Batch_score, METH_VARARGS,
     "score(texts, wheres, typed=False): [(json_line, failed, report[, typed]), ...] for JSON "
     "texts (bytes), the GIL released; typed: each result's typed copy too (result_data)"},
    {"score_file", (PyCFunction)Batch_score_file, METH_VARARGS,
     "score_file(path, typed=False): [(json_line, failed, report, where[, typed]), ...] for a "
     "JSONL or JSON array "
     "file, read as dealscore score reads it, the GIL released"},
    {"score_csv", (PyCFunction)(void (*)(void))Batch_score_csv, METH_VARARGS | METH_KEYWORDS,
     "score_csv(deals, stakeholders=None, ...): ([(json_line, failed, report, where), ...], "
     "[(kind, message), ...], completed) for a CRM export joined as dealscore score --csv "
     "joins it, the GIL released"},
    {"close", (PyCFunction)Batch_close, METH_NOARGS, "gives the engine state back to the pool"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Batch_getset[] = {
    {"undated", (getter)Batch_undated, NULL, "deals with contact dates but no as_of", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject BatchType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "dealscore._native.Batch",
    .tp_basicsize = sizeof(BatchObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Deals scored on one engine state; an id seen twice is a duplicate_id error.",
    .tp_dealloc = (destructor)Batch_dealloc,
    .tp_methods = Batch_methods,
    .tp_getset = Batch_getset,
};

/* ---- the module ---- */

/* error_json(id, code, message, path): an error line as the engine writes one */
static PyObject *module_error_json(PyObject *self, PyObject *args) {
    (void)self;
    const char *id, *code, *message, *path;
    if (!PyArg_ParseTuple(args, "zsss", &id, &code, &message, &path)) return NULL;
    size_t len;
    char *json = dspy_error_json(id, code, message, path, &len);
    if (!json) return PyErr_NoMemory();
    PyObject *line = PyUnicode_DecodeUTF8(json, (Py_ssize_t)len, "surrogateescape");
    free(json);
    return line;
}

static PyMethodDef module_methods[] = {
    {"error_json", module_error_json, METH_VARARGS,
     "error_json(id, code, message, path): the error line of a deal the engine never saw"},
    {"result_data", dspy_result_data, METH_O,
     "result_data(typed): the dict of a typed result, as json.loads reads its line"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, .m_name = "dealscore._native",
    .m_doc = "dealscore's engine for Python; use it through `import dealscore`.", .m_size = -1,
    .m_methods = module_methods};

PyMODINIT_FUNC PyInit__native(void) {
    if (PyType_Ready(&EngineType) < 0 || PyType_Ready(&BatchType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    SetupError = PyErr_NewExceptionWithDoc(
        "dealscore.SetupError",
        "A model, policy or option that keeps the engine from scoring at all.", PyExc_ValueError,
        NULL);
    Py_INCREF(&EngineType);
    if (!SetupError || PyModule_AddObject(m, "SetupError", SetupError) < 0 ||
        PyModule_AddObject(m, "Engine", (PyObject *)&EngineType) < 0 ||
        PyModule_AddIntConstant(m, "EXPLAIN", DSPY_EXPLAIN) < 0 ||
        PyModule_AddIntConstant(m, "ACTIONS", DSPY_ACTIONS) < 0 ||
        PyModule_AddIntConstant(m, "QUESTIONS", DSPY_QUESTIONS) < 0 ||
        PyModule_AddIntConstant(m, "REPORT_TEXT", DSPY_REPORT_TEXT) < 0 ||
        PyModule_AddIntConstant(m, "REPORT_MARKDOWN", DSPY_REPORT_MARKDOWN) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
