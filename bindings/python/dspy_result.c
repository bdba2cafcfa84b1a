/* dspy_result.c: a typed result (lib/dealscore.h) as the Python dict its JSON
 * line reads as.
 *
 * Result.data comes from the engine's typed fields, not from parsing the line
 * the engine wrote: the same keys in the same order, each number rounded by the
 * library's rule (dealscore_round with the DEALSCORE_DECIMALS_* of its field),
 * which gives exactly the float json.loads reads from the line. A copy of the
 * typed result (dealscore_result_copy, made while scoring without the GIL) is
 * kept in a capsule until the dict is first asked for. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore.h"
#include "dspy_result.h"

static const char capsule_name[] = "dealscore.result";

/* Text from the engine as json.loads gives it from the line: U+0000, kept in
 * the engine's strings as the bytes C0 80, is "\0" again. */
static PyObject *py_text(const char *s) {
    if (!s) Py_RETURN_NONE;
    size_t len = strlen(s);
    if (!strstr(s, "\xc0\x80")) return PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "surrogateescape");
    char *copy = malloc(len + 1);
    if (!copy) return PyErr_NoMemory();
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        bool nul = (unsigned char)s[i] == 0xc0 && (unsigned char)s[i + 1] == 0x80;
        copy[n++] = nul ? '\0' : s[i];
        i += nul;
    }
    PyObject *text = PyUnicode_DecodeUTF8(copy, (Py_ssize_t)n, "surrogateescape");
    free(copy);
    return text;
}

/* The number the line writes for v, as json.loads reads it (None for null). */
static PyObject *py_number(double v, int decimals) {
    if (!isfinite(v)) Py_RETURN_NONE;
    return PyFloat_FromDouble(dealscore_round(v, decimals));
}

/* d[key] = value, taking value's reference; -1 when value is NULL or on failure. */
static int put(PyObject *d, const char *key, PyObject *value) {
    if (!value) return -1;
    int rc = PyDict_SetItemString(d, key, value);
    Py_DECREF(value);
    return rc;
}

/* A list of n items made by item(i, ctx); NULL on failure. */
static PyObject *py_list(int n, PyObject *(*item)(int, const void *), const void *ctx) {
    PyObject *list = PyList_New(n);
    for (int i = 0; list && i < n; i++) {
        PyObject *x = item(i, ctx);
        if (!x)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, i, x);
    }
    return list;
}

static PyObject *string_at(int i, const void *ctx) {
    return py_text(((const char *const *)ctx)[i]);
}

static PyObject *factor_at(int i, const void *ctx) {
    const dealscore_factor *f = &((const dealscore_factor *)ctx)[i];
    PyObject *d = PyDict_New();
    if (!d || put(d, "factor", py_text(f->factor)) < 0 ||
        put(d, "effect", py_number(f->effect, DEALSCORE_DECIMALS_SHARE)) < 0 ||
        (f->stakeholder && put(d, "stakeholder", py_text(f->stakeholder)) < 0) ||
        put(d, "detail", py_text(f->detail)) < 0)
        Py_CLEAR(d);
    return d;
}

/* ["influence", "stance"]: the values the input did not give, as the line has them */
static PyObject *py_defaulted(unsigned defaulted) {
    static const char *const names[] = {"influence", "stance"};
    PyObject *l = PyList_New(0);
    for (int k = 0; l && k < 2; k++) {
        if (!(defaulted & (1u << k))) continue; /* DEALSCORE_DEFAULTED_INFLUENCE, _STANCE */
        PyObject *name = PyUnicode_FromString(names[k]);
        if (!name || PyList_Append(l, name) < 0) Py_CLEAR(l);
        Py_XDECREF(name);
    }
    return l;
}

static PyObject *py_inferred(const dealscore_stakeholder *p) {
    PyObject *d = PyDict_New();
    for (int k = 0; d && k < p->n_inferred; k++) {
        PyObject *key = py_text(p->inferred[k].field), *value = py_text(p->inferred[k].source);
        if (!key || !value || PyDict_SetItem(d, key, value) < 0) Py_CLEAR(d);
        Py_XDECREF(key);
        Py_XDECREF(value);
    }
    return d;
}

static PyObject *stakeholder_at(int i, const void *ctx) {
    const dealscore_stakeholder *p = &((const dealscore_stakeholder *)ctx)[i];
    PyObject *d = PyDict_New();
    if (!d || put(d, "id", py_text(p->id)) < 0 ||
        put(d, "effective_influence", py_number(p->effective_influence, DEALSCORE_DECIMALS_SHARE)) <
            0 ||
        put(d, "predicted_stance", py_number(p->predicted_stance, DEALSCORE_DECIMALS_SHARE)) < 0 ||
        (p->n_inferred && put(d, "inferred", py_inferred(p)) < 0) ||
        (p->defaulted && put(d, "defaulted", py_defaulted(p->defaulted)) < 0))
        Py_CLEAR(d);
    return d;
}

static PyObject *action_at(int i, const void *ctx) {
    const dealscore_action *a = &((const dealscore_action *)ctx)[i];
    PyObject *d = PyDict_New();
    if (!d || put(d, "action", py_text(a->action)) < 0 ||
        put(d, "target", py_text(a->target)) < 0 ||
        put(d, "gain", py_number(a->gain, DEALSCORE_DECIMALS_GAIN)) < 0)
        Py_CLEAR(d);
    return d;
}

/* An answer is JSON text (a number, a boolean or an object: the patch that
 * answers the question); json.loads reads it as it reads the line. */
static PyObject *py_answers(const dealscore_question *q) {
    PyObject *json = PyImport_ImportModule("json");
    PyObject *list = json ? PyList_New(2) : NULL;
    for (int k = 0; list && k < 2; k++) {
        PyObject *x = PyObject_CallMethod(json, "loads", "s", q->answers[k]);
        if (!x)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, k, x);
    }
    Py_XDECREF(json);
    return list;
}

static PyObject *question_at(int i, const void *ctx) {
    const dealscore_question *q = &((const dealscore_question *)ctx)[i];
    PyObject *d = PyDict_New();
    if (!d || put(d, "field", py_text(q->field)) < 0 ||
        put(d, "stakeholder", py_text(q->stakeholder)) < 0 ||
        put(d, "question", py_text(q->question)) < 0 ||
        put(d, "low", py_number(q->low, DEALSCORE_DECIMALS_SCORE)) < 0 ||
        put(d, "high", py_number(q->high, DEALSCORE_DECIMALS_SCORE)) < 0 ||
        put(d, "swing", py_number(q->swing, DEALSCORE_DECIMALS_GAIN)) < 0 ||
        put(d, "verdicts", py_list(2, string_at, q->verdicts)) < 0 ||
        put(d, "answers", py_answers(q)) < 0)
        Py_CLEAR(d);
    return d;
}

static PyObject *py_error(const dealscore_error *e) {
    PyObject *d = PyDict_New();
    if (!d || put(d, "code", py_text(e->code)) < 0 || put(d, "message", py_text(e->message)) < 0 ||
        put(d, "path", py_text(e->path)) < 0)
        Py_CLEAR(d);
    return d;
}

static PyObject *py_scores(const dealscore_result *r) {
    PyObject *d = PyDict_New();
    for (int k = 0; d && k < DEALSCORE_NSCORES; k++)
        if (put(d, dealscore_score_name(k), py_number(r->scores[k], DEALSCORE_DECIMALS_SCORE)) < 0)
            Py_CLEAR(d);
    if (d &&
        (put(d, "viability", py_number(r->viability, DEALSCORE_DECIMALS_SCORE)) < 0 ||
         (r->has_win_probability &&
          put(d, "win_probability", py_number(r->win_probability, DEALSCORE_DECIMALS_SHARE)) < 0) ||
         (r->overridden && put(d, "computed_viability",
                               py_number(r->computed_viability, DEALSCORE_DECIMALS_SCORE)) < 0)))
        Py_CLEAR(d);
    return d;
}

static PyObject *py_factors(const dealscore_result *r) {
    PyObject *d = PyDict_New();
    for (int k = 0; d && k < DEALSCORE_NSCORES; k++)
        if (put(d, dealscore_score_name(k), py_list(r->n_factors[k], factor_at, r->factors[k])) < 0)
            Py_CLEAR(d);
    if (d && r->n_viability_factors &&
        put(d, "viability", py_list(r->n_viability_factors, factor_at, r->viability_factors)) < 0)
        Py_CLEAR(d);
    return d;
}

/* The parts the engine was asked for (the line has them in this order). */
static int put_parts(PyObject *d, const dealscore_result *r) {
    if (r->flags & DEALSCORE_EXPLAIN) {
        if (put(d, "factors", py_factors(r)) < 0 ||
            put(d, "stakeholders", py_list(r->n_stakeholders, stakeholder_at, r->stakeholders)) < 0)
            return -1;
    }
    if ((r->flags & DEALSCORE_ACTIONS) &&
        put(d, "actions", py_list(r->n_actions, action_at, r->actions)) < 0)
        return -1;
    if ((r->flags & DEALSCORE_QUESTIONS) &&
        put(d, "questions", py_list(r->n_questions, question_at, r->questions)) < 0)
        return -1;
    return 0;
}

static PyObject *dspy_result_dict(const dealscore_result *r) {
    PyObject *d = PyDict_New();
    if (!d || put(d, "id", py_text(r->id)) < 0) goto fail;
    if (r->error.code) {
        if (put(d, "error", py_error(&r->error)) < 0) goto fail;
        return d;
    }
    if (put(d, "policy", py_text(r->policy)) < 0 || put(d, "model", py_text(r->model)) < 0 ||
        put(d, "scores", py_scores(r)) < 0 || put(d, "verdict", py_text(r->verdict)) < 0 ||
        put(d, "reasons", py_list(r->n_reasons, string_at, r->reasons)) < 0 ||
        put(d, "warnings", py_list(r->n_warnings, string_at, r->warnings)) < 0 ||
        put(d, "coverage", py_number(r->coverage, DEALSCORE_DECIMALS_SHARE)) < 0 ||
        put_parts(d, r) < 0)
        goto fail;
    return d;
fail:
    Py_XDECREF(d);
    return NULL;
}

static void capsule_free(PyObject *capsule) {
    dealscore_result_free(PyCapsule_GetPointer(capsule, capsule_name));
}

PyObject *dspy_result_capsule(void *copy) {
    if (!copy) Py_RETURN_NONE;
    PyObject *c = PyCapsule_New(copy, capsule_name, capsule_free);
    if (!c) dealscore_result_free(copy);
    return c;
}

PyObject *dspy_result_data(PyObject *self, PyObject *capsule) {
    (void)self;
    const dealscore_result *r = PyCapsule_GetPointer(capsule, capsule_name);
    return r ? dspy_result_dict(r) : NULL;
}
