/* ds_nearkey.c: near-miss keys; see ds_nearkey.h. Runs for unknown keys only,
 * on short strings: a fold, a length filter, then a bounded edit distance. */
#include "ds_nearkey.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define FOLD_MAX 64 /* longer keys name no field (the longest is 20 bytes) */

/* key lower-cased without separators into out; its length, or -1 when too long */
static int fold(const char *key, char *out) {
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        unsigned char c = *p;
        if (c == '_' || c == '-' || c == ' ' || c == '.') continue;
        if (n == FOLD_MAX) return -1;
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[n] = '\0';
    return n;
}

static int min3(int a, int b, int c) {
    int m = a < b ? a : b;
    return m < c ? m : c;
}

/* Optimal string alignment distance of a and b, or limit + 1 once it must
 * exceed limit. Three rows of at most FOLD_MAX + 1 cells. */
static int distance(const char *a, int la, const char *b, int lb, int limit) {
    if (la - lb > limit || lb - la > limit) return limit + 1;
    int rows[3][FOLD_MAX + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (int j = 0; j <= lb; j++) prev[j] = j;
    for (int i = 1; i <= la; i++) {
        cur[0] = i;
        int best = cur[0];
        for (int j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < cur[j])
                cur[j] = prev2[j - 2] + 1;
            if (cur[j] < best) best = cur[j];
        }
        if (best > limit) return limit + 1;
        int *t = prev2;
        prev2 = prev, prev = cur, cur = t;
    }
    return prev[lb];
}

/* a bit per byte value mod 32: a set of letters, for a bound on the distance */
static unsigned letters(const char *s, int n) {
    unsigned m = 0;
    for (int i = 0; i < n; i++) m |= 1u << (s[i] & 31);
    return m;
}

static int popcount(unsigned m) {
    return __builtin_popcount(m);
}

static bool plural_of(const char *a, int la, const char *b, int lb) {
    return la == lb + 1 && a[lb] == 's' && memcmp(a, b, (size_t)lb) == 0;
}

void ds_nearkey_prepare(ds_nearkey_set *s, const char *const *names, int count) {
    memset(s, 0, sizeof *s);
    s->names = names;
    s->count = count < DS_NEARKEY_MAX ? count : DS_NEARKEY_MAX;
    for (int i = 0; i < s->count; i++) {
        char f[FOLD_MAX + 1];
        int n = fold(names[i], f);
        if (n <= 0 || n >= DS_NEARKEY_LEN) continue; /* len 0: never matched */
        memcpy(s->folded[i], f, (size_t)n + 1);
        s->len[i] = (unsigned char)n;
        s->letters[i] = letters(f, n);
    }
}

const char *ds_near_key(const ds_nearkey_set *s, const char *key) {
    char k[FOLD_MAX + 1];
    int lk = fold(key, k);
    if (lk <= 0) return NULL;
    const char *best = NULL;
    int best_d = 3;
    unsigned kl = letters(k, lk);
    for (int i = 0; i < s->count; i++) {
        int ln = s->len[i], limit = ln >= 9 ? 2 : 1;
        const char *n = s->folded[i];
        if (ln == 0 || lk - ln > limit || ln - lk > limit) continue; /* the common case */
        int d = 3;
        if (lk == ln && memcmp(k, n, (size_t)lk) == 0)
            d = 0;
        else if (plural_of(k, lk, n, ln) || plural_of(n, ln, k, lk))
            d = 1;
        else if (ln >= 6 && popcount(kl & ~s->letters[i]) <= limit &&
                 popcount(s->letters[i] & ~kl) <= limit)
            /* each edit takes at most one letter away and brings one: a key
             * with more letters the name lacks (or the reverse) is further */
            d = distance(k, lk, n, ln, limit);
        if (d <= limit && d < best_d) best = s->names[i], best_d = d;
    }
    return best;
}
