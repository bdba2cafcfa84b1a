/* ds_nearkey.h: is a key the deal's decoder does not read a near miss of one it
 * does?
 *
 * Unknown keys are kept and ignored by the core (SCORING.md section 1: a CRM's
 * custom fields, read by policies), so a misspelled or differently-cased field
 * ("capabilty", "Stance") silently leaves the model's default in place. The
 * decoder asks here, for unknown keys only (a known key never pays), whether the
 * key looks like one of the object's fields, so front ends can say so outside
 * the result (docs/model.md "Unknown and repeated keys"). */
#ifndef DS_NEARKEY_H
#define DS_NEARKEY_H

#define DS_NEARKEY_MAX 32 /* names a set holds (an object has at most 19 fields) */
#define DS_NEARKEY_LEN 24 /* folded name bytes (the longest field has 20) */

/* An object's field names, folded once (ds_nearkey_prepare) so that a key is
 * compared with each at the cost of its own fold. */
typedef struct ds_nearkey_set {
    const char *const *names;
    int count;
    char folded[DS_NEARKEY_MAX][DS_NEARKEY_LEN];
    unsigned char len[DS_NEARKEY_MAX];
    unsigned letters[DS_NEARKEY_MAX]; /* which bytes (mod 32) each holds */
} ds_nearkey_set;

/* Folds names[0..count) into s; names outside the limits are never suggested. */
void ds_nearkey_prepare(ds_nearkey_set *s, const char *const *names, int count);

/* The name of s that key is a near miss of, or NULL: equal ignoring ASCII case
 * and the separators '_', '-', ' ' and '.' ("Stance", "closeDate", "Close
 * Date"); that, give or take a final 's' ("role" for "roles"); or, for a name of
 * 6 or more letters, one edit away (an insertion, a deletion, a substitution or
 * two neighbours swapped: "stnace", "capabilty"), two for a name of 9 or more.
 * Shorter names are too close to ordinary words ("state" is one edit from
 * "stage") to guess at. */
const char *ds_near_key(const ds_nearkey_set *s, const char *key);

#endif
