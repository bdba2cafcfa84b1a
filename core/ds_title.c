/* ds_title.c: function and level from titles by a rules table; see ds_title.h.
 *
 * The core depends on libc and cJSON only, so the folding of titles is done
 * here: ASCII case, and the accented letters of the Latin-1 Supplement and Latin
 * Extended-A blocks (every Western and Central European language) to their base
 * letters. Other scripts are compared byte for byte, which is what a rule written
 * in the same script needs. Matching is word by word: each word of a title is
 * looked up among the phrases that start with it (sorted, by binary search),
 * and the few phrases that start with a wildcard are tried at every word
 * (benchmarks/README.md: under 10 microseconds a stakeholder row, marks
 * included, against 44 for trying every phrase everywhere). */
#include "ds_title.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_buf.h"
#include "ds_deal.h"

#define MAX_WORDS 48  /* of a title; the rest is ignored */
#define MAX_PHRASE 8  /* words of a phrase */
#define MAX_GAP 4     /* words a "*" stands for, at most */
#define TEXT_MAX 1024 /* bytes of a folded title */

enum word_kind { W_LITERAL, W_PREFIX, W_SUFFIX, W_GAP };

typedef struct phrase {
    char *words[MAX_PHRASE]; /* without their '*' */
    size_t lens[MAX_PHRASE];
    enum word_kind kinds[MAX_PHRASE];
    int n, literals, rule;
} phrase;

typedef struct rule {
    int function, level; /* -1: the rule does not say */
    int table;           /* tables added later win */
    bool wherever;       /* its phrases settle what it says wherever they are */
    bool ignore;         /* a title with one of its phrases is not read at all */
} rule;

struct ds_titles {
    rule *rules;
    int n_rules, cap_rules, tables;
    phrase *phrases;
    int n_phrases, cap_phrases;
    /* the index, rebuilt by every add: phrases whose first word is literal,
     * sorted by it, then the others (a wildcard first), tried at every word */
    int *order, n_literal;
};

/* ---- folding ---- */

/* U+00C0..U+017F to ASCII; "" for the two signs (multiplication, division),
 * which separate words. */
static const char *const latin[192] = {
    /* C0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c",
    "e",           "e", "e",  "e",  "i", "i", "i",  "i",
    /* D0 */ "d",  "n", "o",  "o",  "o", "o", "o",  "",
    "o",           "u", "u",  "u",  "u", "y", "th", "ss",
    /* E0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c",
    "e",           "e", "e",  "e",  "i", "i", "i",  "i",
    /* F0 */ "d",  "n", "o",  "o",  "o", "o", "o",  "",
    "o",           "u", "u",  "u",  "u", "y", "th", "y",
    /* 100 */ "a", "a", "a",  "a",  "a", "a", "c",  "c",
    "c",           "c", "c",  "c",  "c", "c", "d",  "d",
    /* 110 */ "d", "d", "e",  "e",  "e", "e", "e",  "e",
    "e",           "e", "e",  "e",  "g", "g", "g",  "g",
    /* 120 */ "g", "g", "g",  "g",  "h", "h", "h",  "h",
    "i",           "i", "i",  "i",  "i", "i", "i",  "i",
    /* 130 */ "i", "i", "ij", "ij", "j", "j", "k",  "k",
    "k",           "l", "l",  "l",  "l", "l", "l",  "l",
    /* 140 */ "l", "l", "l",  "n",  "n", "n", "n",  "n",
    "n",           "n", "n",  "n",  "o", "o", "o",  "o",
    /* 150 */ "o", "o", "oe", "oe", "r", "r", "r",  "r",
    "r",           "r", "s",  "s",  "s", "s", "s",  "s",
    /* 160 */ "s", "s", "t",  "t",  "t", "t", "t",  "t",
    "u",           "u", "u",  "u",  "u", "u", "u",  "u",
    /* 170 */ "u", "u", "u",  "u",  "w", "w", "y",  "y",
    "y",           "z", "z",  "z",  "z", "z", "z",  "s"};

typedef struct folder {
    char *out;
    size_t len, cap;
    bool in_word;
    int segment; /* letters since the word began or since a dropped dot */
} folder;

static void put(folder *f, const char *s, size_t n) {
    if (!f->in_word && f->len && f->len + 1 < f->cap) f->out[f->len++] = ' ';
    for (size_t i = 0; i < n && f->len + 1 < f->cap; i++) f->out[f->len++] = s[i];
    f->in_word = true;
    f->segment++;
}

static void word_break(folder *f) {
    f->in_word = false;
    f->segment = 0;
}

/* The length of the UTF-8 sequence starting at s (1 for a stray byte). */
static size_t utf8_len(const unsigned char *s) {
    size_t n = *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : *s >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 1;
    return n;
}

static size_t fold(const char *text, char *out, size_t outlen, bool star) {
    folder f = {out, 0, outlen, false, 0};
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        unsigned char c = *s;
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (star && c == '*')) {
            put(&f, (const char *)s++, 1);
        } else if (c >= 'A' && c <= 'Z') {
            char lower = (char)(c - 'A' + 'a');
            put(&f, &lower, 1), s++;
        } else if (c == '.' && f.in_word && f.segment == 1) {
            f.segment = 0, s++; /* C.E.O. reads as ceo; "Sr.Dir" as two words */
        } else if (c < 0x80) {
            word_break(&f), s++;
        } else {
            size_t n = utf8_len(s);
            unsigned cp = n == 2 ? (unsigned)(s[0] & 0x1F) << 6 | (s[1] & 0x3F) : 0;
            if (n == 2 && cp >= 0xC0 && cp < 0x180 && latin[cp - 0xC0][0])
                put(&f, latin[cp - 0xC0], strlen(latin[cp - 0xC0]));
            else if ((n == 2 && cp < 0xC0) || (n == 2 && cp < 0x180) ||
                     (n == 3 && s[0] == 0xE2 && (s[1] == 0x80 || s[1] == 0x81)))
                word_break(&f); /* no-break space, signs, dashes, curly quotes */
            else
                put(&f, (const char *)s, n); /* another script: as it is */
            s += n;
        }
    }
    if (f.cap) f.out[f.len] = '\0';
    return f.len;
}

size_t ds_title_fold(const char *text, char *out, size_t outlen) {
    return fold(text, out, outlen, false);
}

/* Splits a folded text into words, in place. */
static int split(char *text, char **words, int max) {
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(text, " ", &save); w && n < max; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    return n;
}

/* ---- loading ---- */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

ds_titles *ds_titles_new(void) {
    return calloc(1, sizeof(ds_titles));
}

static void drop_phrases(ds_titles *t) {
    for (int i = 0; i < t->n_phrases; i++)
        for (int k = 0; k < t->phrases[i].n; k++) free(t->phrases[i].words[k]);
    t->n_phrases = 0;
    t->n_rules = 0;
}

void ds_titles_free(ds_titles *t) {
    if (!t) return;
    drop_phrases(t);
    free(t->phrases);
    free(t->rules);
    free(t->order);
    free(t);
}

static bool grow(void **items, int *cap, int need, size_t size) {
    if (need <= *cap) return true;
    int c = *cap ? *cap * 2 : 64;
    while (c < need) c *= 2;
    void *p = realloc(*items, (size_t)c * size);
    if (!p) return false;
    *items = p;
    *cap = c;
    return true;
}

static int add_phrase(ds_titles *t, const char *text, int rule, const char *where, char *err,
                      size_t errlen) {
    char folded[TEXT_MAX];
    char *words[MAX_PHRASE + 1];
    fold(text, folded, sizeof folded, true);
    int n = split(folded, words, MAX_PHRASE + 1);
    if (n == 0) return fail(err, errlen, "%s: \"%s\" has no words", where, text);
    if (n > MAX_PHRASE)
        return fail(err, errlen, "%s: \"%s\" has more than %d words", where, text, MAX_PHRASE);
    if (!grow((void **)&t->phrases, &t->cap_phrases, t->n_phrases + 1, sizeof(phrase)))
        return fail(err, errlen, "out of memory");
    phrase *p = &t->phrases[t->n_phrases];
    memset(p, 0, sizeof *p);
    p->rule = rule;
    for (int k = 0; k < n; k++) {
        char *w = words[k];
        size_t len = strlen(w);
        enum word_kind kind = W_LITERAL;
        if (strcmp(w, "*") == 0) {
            if (k == 0 || k == n - 1)
                return fail(err, errlen, "%s: \"%s\": a \"*\" word must stand between two words",
                            where, text);
            kind = W_GAP, w++, len = 0;
        } else if (w[0] == '*') {
            kind = W_SUFFIX, w++, len--;
        } else if (w[len - 1] == '*') {
            kind = W_PREFIX, w[--len] = '\0';
        }
        if (strchr(w, '*'))
            return fail(err, errlen, "%s: \"%s\": \"*\" only at the start or end of a word", where,
                        text);
        p->kinds[k] = kind;
        p->lens[k] = len;
        p->literals += kind == W_LITERAL;
        if (!(p->words[k] = strdup(w))) {
            p->n = k;
            return fail(err, errlen, "out of memory");
        }
        p->n = k + 1;
    }
    t->n_phrases++;
    return 0;
}

static int enum_value(const cJSON *v, const char *const *names, const char *where, int *out,
                      char *err, size_t errlen) {
    if (!v) return 0;
    int i = cJSON_IsString(v) ? ds_enum_lookup(names, v->valuestring) : -1;
    if (i < 0) {
        ds_buf allowed;
        ds_buf_init(&allowed);
        for (int k = 0; names[k]; k++) ds_buf_printf(&allowed, "%s%s", k ? ", " : "", names[k]);
        fail(err, errlen, "%s: must be one of %s", where, allowed.data);
        ds_buf_free(&allowed);
        return -1;
    }
    *out = i;
    return 0;
}

static int add_rule(ds_titles *t, const cJSON *r, int index, char *err, size_t errlen) {
    char where[64];
    snprintf(where, sizeof where, "rules[%d]", index);
    if (!cJSON_IsObject(r)) return fail(err, errlen, "%s: must be an object", where);
    static const char *const keys[] = {"match",    "function", "level", "why",
                                       "wherever", "ignore",   NULL};
    const cJSON *item;
    cJSON_ArrayForEach(item, r) if (ds_enum_lookup(keys, item->string) < 0) return fail(
        err, errlen,
        "%s.%s: unknown key (rules take match, function, level, wherever, ignore, why)", where,
        item->string);
    rule rl = {-1, -1, t->tables, false, false};
    static const char *const flags[] = {"wherever", "ignore"};
    for (int k = 0; k < 2; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, flags[k]);
        if (v && !cJSON_IsBool(v))
            return fail(err, errlen, "%s.%s: must be true or false", where, flags[k]);
        if (k == 0) rl.wherever = cJSON_IsTrue(v);
        if (k == 1) rl.ignore = cJSON_IsTrue(v);
    }
    char at[96];
    snprintf(at, sizeof at, "%s.function", where);
    if (enum_value(cJSON_GetObjectItemCaseSensitive(r, "function"), ds_function_names, at,
                   &rl.function, err, errlen) < 0)
        return -1;
    snprintf(at, sizeof at, "%s.level", where);
    if (enum_value(cJSON_GetObjectItemCaseSensitive(r, "level"), ds_level_names, at, &rl.level, err,
                   errlen) < 0)
        return -1;
    if (rl.ignore && (rl.function >= 0 || rl.level >= 0 || rl.wherever))
        return fail(err, errlen, "%s: an ignore rule names no function, level or wherever", where);
    if (!rl.ignore && rl.function < 0 && rl.level < 0)
        return fail(err, errlen, "%s: names neither a function nor a level (nor ignore)", where);
    const cJSON *match = cJSON_GetObjectItemCaseSensitive(r, "match");
    if (!cJSON_IsArray(match) || cJSON_GetArraySize(match) == 0)
        return fail(err, errlen, "%s.match: must be a list of phrases", where);
    if (!grow((void **)&t->rules, &t->cap_rules, t->n_rules + 1, sizeof(rule)))
        return fail(err, errlen, "out of memory");
    t->rules[t->n_rules] = rl;
    int k = 0;
    cJSON_ArrayForEach(item, match) {
        snprintf(at, sizeof at, "%s.match[%d]", where, k++);
        if (!cJSON_IsString(item)) return fail(err, errlen, "%s: must be a string", at);
        if (add_phrase(t, item->valuestring, t->n_rules, at, err, errlen) < 0) return -1;
    }
    t->n_rules++;
    return 0;
}

typedef struct keyed {
    const char *word;
    int index;
} keyed;

static int by_first_word(const void *a, const void *b) {
    const keyed *ka = a, *kb = b;
    int c = strcmp(ka->word, kb->word);
    return c ? c : ka->index - kb->index;
}

static int build_index(ds_titles *t) {
    size_t n = (size_t)(t->n_phrases ? t->n_phrases : 1);
    int *order = realloc(t->order, n * sizeof *order);
    keyed *keys = malloc(n * sizeof *keys);
    if (order) t->order = order;
    if (!order || !keys) {
        free(keys);
        return -1;
    }
    int lit = 0, other = t->n_phrases;
    for (int i = 0; i < t->n_phrases; i++) {
        if (t->phrases[i].kinds[0] == W_LITERAL)
            keys[lit++] = (keyed){t->phrases[i].words[0], i};
        else
            order[--other] = i;
    }
    qsort(keys, (size_t)lit, sizeof *keys, by_first_word);
    for (int i = 0; i < lit; i++) order[i] = keys[i].index;
    t->n_literal = lit;
    free(keys);
    return 0;
}

static int add_rules(ds_titles *t, const cJSON *rules, char *err, size_t errlen) {
    int rules0 = t->n_rules, phrases0 = t->n_phrases, i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, rules) {
        if (add_rule(t, item, i++, err, errlen) < 0) { /* all or nothing */
            for (int p = phrases0; p < t->n_phrases; p++)
                for (int k = 0; k < t->phrases[p].n; k++) free(t->phrases[p].words[k]);
            t->n_phrases = phrases0;
            t->n_rules = rules0;
            return -1;
        }
    }
    t->tables++;
    return build_index(t) < 0 ? fail(err, errlen, "out of memory") : 0;
}

int ds_titles_add(ds_titles *t, const cJSON *table, char *err, size_t errlen) {
    if (!cJSON_IsObject(table)) return fail(err, errlen, "a title table must be a JSON object");
    static const char *const keys[] = {"name", "description", "rules", "replace", NULL};
    const cJSON *item;
    cJSON_ArrayForEach(item, table) if (ds_enum_lookup(keys, item->string) < 0) return fail(
        err, errlen, "%s: unknown key (a table takes name, description, rules, replace)",
        item->string);
    const cJSON *replace = cJSON_GetObjectItemCaseSensitive(table, "replace");
    if (replace && !cJSON_IsBool(replace)) return fail(err, errlen, "replace: must be a boolean");
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(table, "rules");
    if (!cJSON_IsArray(rules)) return fail(err, errlen, "rules: must be a list");
    if (!cJSON_IsTrue(replace)) return add_rules(t, rules, err, errlen);
    /* replace: the new table alone, and only once it has loaded */
    ds_titles *fresh = ds_titles_new();
    if (!fresh) return fail(err, errlen, "out of memory");
    fresh->tables = t->tables;
    if (add_rules(fresh, rules, err, errlen) < 0) {
        ds_titles_free(fresh);
        return -1;
    }
    ds_titles old = *t;
    *t = *fresh;
    *fresh = old;
    ds_titles_free(fresh);
    return 0;
}

int ds_titles_add_file(ds_titles *t, const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, errlen, "%s: %s", path, strerror(errno));
    ds_buf text;
    ds_buf_init(&text);
    ds_buf_read_file(&text, f);
    fclose(f);
    cJSON *json = cJSON_Parse(text.data);
    ds_buf_free(&text);
    char inner[400];
    int rc = json ? ds_titles_add(t, json, inner, sizeof inner)
                  : fail(inner, sizeof inner, "not valid JSON");
    cJSON_Delete(json);
    if (rc < 0) fail(err, errlen, "%s: %s", path, inner);
    return rc;
}

/* ---- matching ---- */

static bool word_matches(const phrase *p, int k, const char *w, size_t len) {
    switch (p->kinds[k]) {
    case W_PREFIX:
        return len >= p->lens[k] && memcmp(w, p->words[k], p->lens[k]) == 0;
    case W_SUFFIX:
        return len >= p->lens[k] && memcmp(w + len - p->lens[k], p->words[k], p->lens[k]) == 0;
    default:
        return strcmp(w, p->words[k]) == 0;
    }
}

/* The end (exclusive) of a match of p's words from k on at word i, or -1. A gap
 * takes as few words as it can. */
static int match_from(const phrase *p, int k, char *const *words, const size_t *lens, int n,
                      int i) {
    if (k == p->n) return i;
    if (p->kinds[k] == W_GAP) {
        for (int g = 1; g <= MAX_GAP && i + g <= n; g++) {
            int end = match_from(p, k + 1, words, lens, n, i + g);
            if (end >= 0) return end;
        }
        return -1;
    }
    if (i >= n || !word_matches(p, k, words[i], lens[i])) return -1;
    return match_from(p, k + 1, words, lens, n, i + 1);
}

/* The first of the literal-first phrases of the index whose first word is w. */
static int first_with(const ds_titles *t, const char *w) {
    int lo = 0, hi = t->n_literal;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (strcmp(t->phrases[t->order[mid]].words[0], w) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct candidate {
    int start, len, literals, chars, table, rule;
    bool gap, inside; /* a phrase with a "*" word; inside a longer literal phrase */
    bool wherever;    /* of a "wherever" rule: before any other */
} candidate;

static bool better(const candidate *a, const candidate *b) {
    if (b->rule < 0) return true;
    if (a->wherever != b->wherever) return a->wherever;
    if (a->start != b->start) return a->start < b->start;
    if (a->len != b->len) return a->len > b->len;
    if (a->literals != b->literals) return a->literals > b->literals;
    if (a->chars != b->chars) return a->chars > b->chars;
    if (a->table != b->table) return a->table > b->table;
    return a->rule < b->rule;
}

#define MAX_MATCHES 256

/* Adds the match of phrase i at word at, if it matches there. */
static void try_phrase(const ds_titles *t, int i, char *const *words, const size_t *lens, int n,
                       int at, candidate *found, int *count) {
    const phrase *p = &t->phrases[i];
    int end = match_from(p, 0, words, lens, n, at);
    if (end < 0 || *count == MAX_MATCHES) return;
    const rule *r = &t->rules[p->rule];
    candidate c = {at,      end - at,           p->literals, 0,          r->table,
                   p->rule, p->literals < p->n, false,       r->wherever};
    for (int k = 0; k < p->n; k++) c.chars += (int)p->lens[k];
    found[(*count)++] = c;
}

ds_title_guess ds_titles_match(const ds_titles *t, const char *text) {
    ds_title_guess g = {-1, -1};
    if (!t || !text) return g;
    char folded[TEXT_MAX];
    char *words[MAX_WORDS];
    fold(text, folded, sizeof folded, false);
    int n = split(folded, words, MAX_WORDS);
    size_t lens[MAX_WORDS];
    for (int i = 0; i < n; i++) lens[i] = strlen(words[i]);
    candidate found[MAX_MATCHES];
    int count = 0;
    for (int at = 0; at < n; at++) {
        /* the phrases starting with this word, then those starting with a wildcard */
        for (int j = first_with(t, words[at]); j < t->n_literal; j++) {
            if (strcmp(t->phrases[t->order[j]].words[0], words[at]) != 0) break;
            try_phrase(t, t->order[j], words, lens, n, at, found, &count);
        }
        for (int j = t->n_literal; j < t->n_phrases; j++)
            try_phrase(t, t->order[j], words, lens, n, at, found, &count);
    }
    /* The words of a longer phrase read as that phrase only: the "president" of
     * "vice president" says nothing. Phrases with a "*" word cover nothing. */
    for (int i = 0; i < count; i++)
        for (int j = 0; j < count && !found[i].inside; j++)
            if (!found[j].gap && found[j].len > found[i].len && found[j].start <= found[i].start &&
                found[j].start + found[j].len >= found[i].start + found[i].len)
                found[i].inside = true;
    candidate best_f = {.rule = -1}, best_l = {.rule = -1};
    for (int i = 0; i < count; i++) {
        const candidate *c = &found[i];
        const rule *r = &t->rules[c->rule];
        if (c->inside) continue;
        if (r->ignore) return (ds_title_guess){-1, -1}; /* "Former CFO" holds no office */
        if (r->function >= 0 && better(c, &best_f)) best_f = *c, g.function = r->function;
        if (r->level >= 0 && better(c, &best_l)) best_l = *c, g.level = r->level;
    }
    return g;
}

/* ---- stakeholders ---- */

/* The length of at most max bytes of s that does not cut a UTF-8 character. */
static size_t utf8_prefix(const char *s, size_t max) {
    size_t n = strlen(s);
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
    return max;
}

static void record(cJSON *s, const char *field, const char *from, const char *text) {
    cJSON *inferred = cJSON_GetObjectItemCaseSensitive(s, "inferred");
    if (!inferred) inferred = cJSON_AddObjectToObject(s, "inferred");
    if (!cJSON_IsObject(inferred)) return; /* the input's own "inferred" is not ours to fix */
    char source[200];
    size_t n = utf8_prefix(text, 120);
    snprintf(source, sizeof source, "%s \"%.*s%s\"", from, (int)n, text, text[n] ? "..." : "");
    cJSON_DeleteItemFromObjectCaseSensitive(inferred, field);
    cJSON_AddStringToObject(inferred, field, source);
}

int ds_titles_infer(const ds_titles *t, cJSON *s) {
    if (!t || !cJSON_IsObject(s)) return 0;
    bool need_function = !cJSON_GetObjectItemCaseSensitive(s, "function");
    bool need_level = !cJSON_GetObjectItemCaseSensitive(s, "level");
    int set = 0;
    const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "title"));
    if (title && (need_function || need_level)) {
        ds_title_guess g = ds_titles_match(t, title);
        if (need_function && g.function >= 0) {
            cJSON_AddStringToObject(s, "function", ds_function_names[g.function]);
            record(s, "function", "title", title);
            need_function = false, set++;
        }
        if (need_level && g.level >= 0) {
            cJSON_AddStringToObject(s, "level", ds_level_names[g.level]);
            record(s, "level", "title", title);
            set++;
        }
    }
    const char *dept = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "department"));
    if (dept && need_function) {
        ds_title_guess g = ds_titles_match(t, dept);
        if (g.function >= 0) {
            cJSON_AddStringToObject(s, "function", ds_function_names[g.function]);
            record(s, "function", "department", dept);
            set++;
        }
    }
    return set;
}
