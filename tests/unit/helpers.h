/* helpers.h: shared fixtures for the unit tests.
 *
 * The default model loaded once; a deal decoded (and analysed) from a JSON string
 * in an arena of its own; a seeded PRNG and a generator of random valid deals for
 * property tests. Assertions inside the helpers fail the calling cmocka test. */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "ds_core.h"

/* The default model (models/default.json), loaded on first use. */
const ds_params *h_params(void);

typedef struct h_deal {
    ds_arena arena;
    ds_deal deal;
    ds_analysis an;
    ds_error err;
} h_deal;

/* Parses and decodes; returns ds_deal_decode's result (0 or -1 with h->err).
 * The JSON must parse. h_free() must follow either way. */
int h_decode_as_of(h_deal *h, const char *json, int default_as_of);
int h_decode(h_deal *h, const char *json);
/* Decodes and analyses; the deal must be valid. */
void h_analyse(h_deal *h, const char *json);
void h_free(h_deal *h);

/* Fails the test unless |actual - expected| <= eps (cmocka 1.1 compares floats
 * only). */
void h_assert_near(double actual, double expected, double eps, const char *what, const char *file,
                   int line);
#define assert_near(actual, expected, eps)                                                         \
    h_assert_near((actual), (expected), (eps), #actual, __FILE__, __LINE__)

/* Index of a stakeholder by id; fails the test when there is none. */
int h_index(const h_deal *h, const char *id);
/* Days since 1970-01-01 of a valid "YYYY-MM-DD". */
int h_day(const char *date);

/* A factor of a score by name (and stakeholder index, or -1 for any); NULL when
 * the score has none. */
const ds_factor *h_factor(const ds_score *s, const char *name, int stakeholder);
bool h_has_warning(const ds_analysis *an, const char *w);

/* splitmix64 */
typedef struct h_rng {
    uint64_t state;
} h_rng;

uint64_t h_rng_next(h_rng *r);
double h_rng_unit(h_rng *r);           /* [0, 1) */
int h_rng_below(h_rng *r, int n);      /* [0, n) */
bool h_rng_chance(h_rng *r, double p); /* true with probability p */

/* A random valid deal as JSON (caller frees with ds_buf_free): 0-8 stakeholders
 * of varied functions, levels and roles; relationships of all five types; dates
 * around as_of; optional fields present or not. */
void h_random_deal(h_rng *r, int n, ds_buf *out);

#endif
