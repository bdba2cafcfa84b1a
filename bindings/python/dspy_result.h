/* dspy_result.h: typed results (lib/dealscore.h) as Python objects; see
 * dspy_result.c. */
#ifndef DSPY_RESULT_H
#define DSPY_RESULT_H

#include <Python.h>

/* A capsule owning a copy from dspy_engine_copy (freed with the capsule); None
 * for NULL. The copy is freed when the capsule cannot be made. */
PyObject *dspy_result_capsule(void *copy);
/* result_data(capsule): the dict of the result, as json.loads reads its line. */
PyObject *dspy_result_data(PyObject *self, PyObject *capsule);

#endif
