/* dealscore_csvrows.c: libcsv with line numbers, dialects and a row limit; see
 * dealscore_csvrows.h.
 *
 * The file is decoded to UTF-8 first (iconv, glibc's), a chunk at a time. libcsv
 * does not count lines, so the text is handed to it one line at a time (split
 * at each LF): when libcsv completes a field, the current line minus the line
 * breaks inside the field is the line the field started on. Feeding line by
 * line also lets a row be measured before libcsv buffers it: a row that would
 * pass the limit is no longer fed but scanned to its end (quotes tracked) and
 * libcsv restarted after it. */
#include "dealscore_csvrows.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ds_buf.h"

void dscsv_sayf(const dscsv_say *s, int kind, const char *fmt, ...) {
    if (!s || !s->fn) return;
    char small[1024], *text = small;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof small && (text = malloc((size_t)n + 1))) /* a long column list */
        vsnprintf(text, (size_t)n + 1, fmt, again);
    va_end(again);
    s->fn(s->ctx, kind, text ? text : small);
    if (text != small) free(text);
}

void dscsv_note_bom(const dscsv_say *say, const dscsv_row *header, const char *file) {
    if (header->bom_over)
        dscsv_sayf(say, DEALSCORE_CSV_NOTE,
                   "note: %s begins with a %s byte order mark: read as %.6s, not as --encoding %s",
                   file, header->bom, header->bom, header->bom_over);
}

void dscsv_note_utf8(const dscsv_say *say, const dscsv_row *row, const char *file,
                     const char *header) {
    if (!row->utf8_over || row->utf8_field < 0 || row->utf8_field >= row->n) return;
    int i = row->utf8_field;
    const char *cell = row->field[i];
    size_t n = strnlen(cell, 61);
    if (n > 60) /* cut between characters: messages stay UTF-8 */
        for (n = 60; n > 0 && ((unsigned char)cell[n] & 0xC0) == 0x80;) n--;
    char as_named[200] = "";
    iconv_t cd = iconv_open("UTF-8", row->utf8_over);
    if (cd != (iconv_t)-1) { /* the cell as the encoding named would have read it */
        char *in = (char *)cell, *o = as_named;
        size_t inleft = n, outleft = sizeof as_named - 1;
        iconv(cd, &in, &inleft, &o, &outleft);
        *o = '\0';
        iconv_close(cd);
    }
    dscsv_sayf(say, DEALSCORE_CSV_WARNING,
               "%s:%ld column %d%s%.60s%s: '%.*s' is read as UTF-8, not as --encoding %s "
               "(which would make it '%s'): %s valid UTF-8, which %s text with letters past "
               "ASCII almost never is. The file is UTF-8: leave out --encoding for it",
               file, row->line[i], i + 1, header ? " (" : "", header ? header : "",
               header ? ")" : "", (int)n, cell, row->utf8_over, as_named,
               row->utf8_whole ? "the whole file is" : "the first 64 KiB of the input are",
               row->utf8_over);
}

/* ---- decoding ---- */

typedef struct decoder {
    FILE *f;
    iconv_t cd; /* (iconv_t)-1: the input is UTF-8 already */
    int unit;   /* bytes skipped over an invalid sequence (2 for UTF-16) */
    char raw[1 << 16];
    size_t len, at; /* raw[at..len) not yet decoded */
    bool eof;
    const char *bom_over; /* the encoding named, when a byte order mark said another */
    const char *bom;      /* the encoding the byte order mark says, or NULL */
    /* the encoding named, when the file was read as UTF-8 over it (utf8_wins) */
    const char *utf8_over;
    bool utf8_whole;   /* and the whole file was checked (else its first chunk) */
    char out[1 << 16]; /* decoded text */
} decoder;

static const iconv_t NO_ICONV = (iconv_t)-1;

static bool is_utf8_name(const char *name) {
    return !name || strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0;
}

/* glibc spells it WINDOWS-1252 and CP1252; people write both and "cp-1252" */
static iconv_t open_iconv(const char *name) {
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == NO_ICONV && strcasecmp(name, "utf-16") == 0) cd = iconv_open("UTF-8", "UTF-16LE");
    return cd;
}

bool dealscore_csv_encoding_known(const char *name) {
    if (is_utf8_name(name)) return true;
    iconv_t cd = open_iconv(name);
    if (cd == NO_ICONV) return false;
    iconv_close(cd);
    return true;
}

static void fill_raw(decoder *d) {
    if (d->at > 0) { /* keep a sequence cut by the end of the last read */
        memmove(d->raw, d->raw + d->at, d->len - d->at);
        d->len -= d->at;
        d->at = 0;
    }
    size_t n = fread(d->raw + d->len, 1, sizeof d->raw - d->len, d->f);
    d->len += n;
    if (n == 0) d->eof = true;
}

static size_t utf8_seq(const unsigned char *s, size_t n);

/* Whether an encoding reads each byte as one character, as the single-byte
 * encodings do (windows-1252, latin1, the ISO 8859 family, Mac Roman, ...): UTF-8
 * text read in one of them is mojibake ("é" read as "Ã©"). */
static bool single_byte(iconv_t cd) {
    char in[] = "\xC3\xA9", out[16], *i = in, *o = out;
    size_t inleft = 2, outleft = sizeof out;
    iconv(cd, NULL, NULL, NULL, NULL);
    bool done = iconv(cd, &i, &inleft, &o, &outleft) != (size_t)-1 && inleft == 0;
    iconv(cd, NULL, NULL, NULL, NULL);
    int chars = 0;
    for (const char *c = out; done && c < o; c++) chars += ((unsigned char)*c & 0xC0) != 0x80;
    return done && chars == 2 && (unsigned char)out[0] >= 0x80; /* two, the first not ASCII */
}

/* Checks n bytes as UTF-8 after the `*carry` bytes of a sequence the last
 * chunk cut (kept at the start of s): -1 at a byte that is not UTF-8, else the
 * number of multi-byte sequences; *carry gets the bytes of a sequence this chunk
 * cut, moved to the start of s. */
static long utf8_chunk(unsigned char *s, size_t n, size_t *carry, bool last) {
    long multi = 0;
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_seq(s + i, n - i);
        if (k == 0) {
            size_t want = s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : 2;
            if (!last && n - i < want && s[i] >= 0xC2 && s[i] <= 0xF4) { /* cut: try again */
                bool prefix = true;
                for (size_t j = i + 1; j < n; j++) prefix &= (s[j] & 0xC0) == 0x80;
                if (prefix) {
                    memmove(s, s + i, n - i);
                    *carry = n - i;
                    return multi;
                }
            }
            return -1;
        }
        multi += k > 1;
        i += k;
    }
    *carry = 0;
    return multi;
}

/* Whether the file is UTF-8 text with something past ASCII in it, so that reading
 * it in the single-byte encoding named would make mojibake of it: the bytes
 * buffered, and for a file that can seek (not a pipe) the rest of it, read once
 * and sought back. A file that says so, in every byte, is UTF-8: real
 * windows-1252 or latin1 text with accented letters is almost never valid UTF-8
 * (an accented capital followed by a symbol, every time). */
static bool utf8_throughout(decoder *d, bool *whole) {
    unsigned char *s = (unsigned char *)d->out;
    size_t carry = 0, n = d->len - d->at;
    memcpy(s, d->raw + d->at, n);
    long multi = utf8_chunk(s, n, &carry, d->eof), more = 0;
    off_t back = d->eof ? -1 : ftello(d->f);
    *whole = d->eof;
    if (multi < 0 || back < 0) return multi > 0;
    while ((n = fread(s + carry, 1, sizeof d->out - carry, d->f)) > 0) {
        if ((more = utf8_chunk(s, carry + n, &carry, false)) < 0) break;
        multi += more;
    }
    bool ok = !ferror(d->f) && feof(d->f) && carry == 0 && more >= 0;
    clearerr(d->f);
    if (fseeko(d->f, back, SEEK_SET) != 0) return false; /* cannot go back: as named */
    *whole = ok;
    return ok && multi > 0;
}

/* Reads the first bytes: a byte order mark decides the encoding (and is
 * dropped), else the one named; a file that is UTF-8 throughout, named in a
 * single-byte encoding, is read as UTF-8 (utf8_over says so). Returns -1 when
 * iconv does not know the encoding. */
static int decoder_open(decoder *d, FILE *f, const char *encoding) {
    memset(d, 0, sizeof *d);
    d->f = f;
    d->cd = NO_ICONV;
    d->unit = 1;
    fill_raw(d);
    const unsigned char *b = (const unsigned char *)d->raw;
    const char *from = is_utf8_name(encoding) ? NULL : encoding;
    bool named_utf16 = encoding && strncasecmp(encoding, "utf-16", 6) == 0;
    if (d->len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        if (from) d->bom_over = encoding;
        d->at = 3, from = NULL, d->bom = "UTF-8";
    } else if (d->len >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
        if (encoding && !named_utf16) d->bom_over = encoding;
        d->at = 2, from = d->bom = "UTF-16LE";
    } else if (d->len >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
        if (encoding && !named_utf16) d->bom_over = encoding;
        d->at = 2, from = d->bom = "UTF-16BE";
    }
    if (!from) return 0;
    if ((d->cd = open_iconv(from)) == NO_ICONV) return -1;
    if (strncasecmp(from, "utf-16", 6) == 0) d->unit = 2;
    if (!d->bom && single_byte(d->cd) && utf8_throughout(d, &d->utf8_whole)) {
        iconv_close(d->cd);
        d->cd = NO_ICONV;
        d->utf8_over = encoding;
    }
    return 0;
}

static void decoder_close(decoder *d) {
    if (d->cd != NO_ICONV) iconv_close(d->cd);
}

/* Up to cap bytes of UTF-8 into out: their number, 0 at the end. A byte the
 * encoding does not define (0x81 in windows-1252) becomes U+FFFD. */
static size_t decode(decoder *d, char *out, size_t cap) {
    for (;;) {
        if (d->at == d->len && !d->eof) fill_raw(d);
        if (d->cd == NO_ICONV) {
            size_t n = d->len - d->at < cap ? d->len - d->at : cap;
            memcpy(out, d->raw + d->at, n);
            d->at += n;
            if (n || d->eof) return n;
            continue;
        }
        char *in = d->raw + d->at, *o = out;
        size_t inleft = d->len - d->at, outleft = cap;
        size_t rc = iconv(d->cd, &in, &inleft, &o, &outleft);
        int e = errno;
        d->at = (size_t)(in - d->raw);
        size_t made = cap - outleft;
        if (rc != (size_t)-1 || e == E2BIG) {
            if (made || d->eof) return made;
            continue;
        }
        if (e == EINVAL && !d->eof) { /* a sequence cut by the buffer's end */
            if (made) return made;
            fill_raw(d);
            if (!d->eof) continue;
        }
        /* EILSEQ, or a sequence cut by the end of the file */
        if (outleft < 3) return made;
        memcpy(o, "\xEF\xBF\xBD", 3);
        d->at += d->at + (size_t)d->unit <= d->len ? (size_t)d->unit : d->len - d->at;
        return made + 3;
    }
}

/* ---- UTF-8 ---- */

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    if (s[0] < 0x80) return 1;
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || s[0] > 0xF4 || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (len == 3 && s[0] == 0xE0 && s[1] < 0xA0) return 0;  /* overlong */
    if (len == 3 && s[0] == 0xED && s[1] >= 0xA0) return 0; /* surrogate */
    if (len == 4 && s[0] == 0xF0 && s[1] < 0x90) return 0;  /* overlong */
    if (len == 4 && s[0] == 0xF4 && s[1] >= 0x90) return 0; /* past U+10FFFF */
    return len;
}

/* ---- rows ---- */

typedef struct reader {
    dscsv_row_fn fn;
    void *ctx;
    size_t max_row;
    long line;          /* the line being fed to libcsv */
    long last_row_line; /* where the last complete row ended */
    long row_line;      /* where the row being read started */
    size_t row_bytes;   /* bytes of it fed to libcsv */
    long long offset;
    ds_buf text;    /* the row's fields, each NUL-terminated */
    size_t *starts; /* offsets of the fields in text */
    long *lines;
    char **fields;
    int n, cap;
    int bad_field;
    size_t bad_byte;
    const char *bom_over, *bom;
    int nul_field;
    size_t nul_byte;
    const char *utf8_over; /* the encoding named, when read as UTF-8 over it */
    bool utf8_whole;
    bool utf8_seen; /* a field past ASCII was seen (and flagged) */
    int utf8_field; /* in this row: that field, or -1 */
    bool stop;
} reader;

static int grow(reader *r) {
    int cap = r->cap ? r->cap * 2 : 32;
    size_t *starts = realloc(r->starts, (size_t)cap * sizeof *starts);
    if (starts) r->starts = starts;
    long *lines = realloc(r->lines, (size_t)cap * sizeof *lines);
    if (lines) r->lines = lines;
    char **fields = realloc(r->fields, (size_t)cap * sizeof *fields);
    if (fields) r->fields = fields;
    if (!starts || !lines || !fields) return -1;
    r->cap = cap;
    return 0;
}

/* Appends a field's bytes, each one that is not UTF-8 replaced by U+FFFD, and
 * so is a NUL byte (it would end the cell's C string: "Nul\0Byte" read as "Nul",
 * and two ids that differ after it as one). */
static void put_text(reader *r, const unsigned char *s, size_t len) {
    size_t i = 0, clean = 0;
    while (i < len) {
        size_t k = s[i] ? utf8_seq(s + i, len - i) : 0;
        if (k) {
            if (k > 1 && r->utf8_over && !r->utf8_seen) r->utf8_seen = true, r->utf8_field = r->n;
            i += k;
            continue;
        }
        if (!s[i] && r->nul_field < 0) r->nul_field = r->n, r->nul_byte = i;
        if (s[i] && r->bad_field < 0) r->bad_field = r->n, r->bad_byte = i;
        ds_buf_add(&r->text, (const char *)s + clean, i - clean);
        ds_buf_add(&r->text, "\xEF\xBF\xBD", 3);
        clean = ++i;
    }
    ds_buf_add(&r->text, (const char *)s + clean, len - clean);
}

static void on_field(void *data, size_t len, void *arg) {
    reader *r = arg;
    if (r->stop || (r->n == r->cap && grow(r) < 0)) {
        r->stop = true;
        return;
    }
    long breaks = 0;
    const char *s = data ? data : "";
    for (const char *p = s; (p = memchr(p, '\n', len - (size_t)(p - s))); p++) breaks++;
    r->starts[r->n] = r->text.len;
    r->lines[r->n] = r->line - breaks;
    put_text(r, (const unsigned char *)s, len);
    ds_buf_putc(&r->text, '\0');
    r->n++;
}

static void hand_on(reader *r, bool too_large) {
    if (!r->stop && (r->n > 0 || too_large) && !r->text.failed) {
        for (int i = 0; i < r->n; i++) r->fields[i] = r->text.data + r->starts[i];
        long first = r->n ? r->lines[0] : r->row_line;
        dscsv_row row = {r->n,         r->fields,    r->lines,     r->offset,     too_large,
                         first,        r->bad_field, r->bad_byte,  r->bom_over,   r->bom,
                         r->nul_field, r->nul_byte,  r->utf8_over, r->utf8_whole, r->utf8_field};
        if (r->fn(r->ctx, &row)) r->stop = true;
    }
    r->last_row_line = r->line;
    r->n = 0;
    r->row_bytes = 0;
    r->bad_field = r->nul_field = r->utf8_field = -1;
    ds_buf_clear(&r->text);
}

static void on_row(int terminator, void *arg) {
    (void)terminator;
    hand_on(arg, false);
}

/* libcsv's parser states (libcsv.c): a field begun, a quote seen in a quoted one */
enum { FIELD_BEGUN = 2, FIELD_MIGHT_HAVE_ENDED = 3 };

typedef struct skipping {
    bool on;
    int quote; /* 0 outside quotes, 1 inside, 2 just after a quote inside */
} skipping;

/* Scans buf for the end of a row being skipped; the bytes after it, or -1. */
static long skip_to_row_end(skipping *k, const char *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (k->quote == 2 && c != '"') k->quote = 0;
        if (c == '"')
            k->quote = k->quote == 1 ? 2 : 1;
        else if (c == '\n' && k->quote == 0)
            return (long)(i + 1);
    }
    return -1;
}

typedef struct parser {
    struct csv_parser p;
    unsigned char delim;
    skipping skip;
} parser;

static int parser_init(parser *ps) {
    if (csv_init(&ps->p, CSV_APPEND_NULL) != 0) return -1;
    csv_set_delim(&ps->p, ps->delim);
    return 0;
}

/* The row outgrew the limit: hand on what it has, skip the rest of it. */
static int start_skipping(parser *ps, reader *r) {
    ps->skip.on = true;
    ps->skip.quote = ps->p.pstate == FIELD_MIGHT_HAVE_ENDED        ? 2
                     : ps->p.pstate == FIELD_BEGUN && ps->p.quoted ? 1
                                                                   : 0;
    csv_free(&ps->p);
    hand_on(r, true);
    return parser_init(ps);
}

/* How much libcsv's field buffer grows next: by its size (linear time for a
 * long field), but not past the row limit (memory bounded by it). */
static size_t grow_by(const struct csv_parser *p, size_t max_row) {
    size_t by = p->entry_size;
    if (max_row && p->entry_size + by > max_row + 65536)
        by = p->entry_size < max_row ? max_row + 65536 - p->entry_size : 65536;
    return by < 128 ? 128 : by;
}

/* Feeds one chunk to libcsv, a line at a time. */
static int feed(parser *ps, reader *r, const char *buf, size_t len, long long base) {
    size_t at = 0;
    while (at < len && !r->stop) {
        const char *nl = memchr(buf + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        r->offset = base + (long long)end;
        if (ps->skip.on) {
            long rest = skip_to_row_end(&ps->skip, buf + at, end - at);
            if (rest >= 0) ps->skip.on = false;
        } else {
            bool blank = end - at <= 2 && (buf[at] == '\n' || buf[at] == '\r');
            if (r->row_bytes == 0 && ps->p.pstate == 0 && !blank) r->row_line = r->line;
            if (!blank || r->row_bytes) r->row_bytes += end - at;
            if (r->max_row && r->row_bytes > r->max_row) {
                if (start_skipping(ps, r) < 0) return -1;
                continue; /* the same line, now skipped */
            }
            /* libcsv grows a field's buffer by blk_size at a time (128 bytes):
             * growing it by its own size keeps a long field linear */
            if (ps->p.entry_size > 128) csv_set_blk_size(&ps->p, grow_by(&ps->p, r->max_row));
            if (csv_parse(&ps->p, buf + at, end - at, on_field, on_row, r) != end - at) return -1;
        }
        if (nl) r->line++;
        at = end;
    }
    return 0;
}

/* The delimiter of the header line: the most frequent of , ; tab | outside
 * quotes (',' when none is there: a one-column file). */
static char sniff(const char *buf, size_t len) {
    static const char candidates[] = {',', ';', '\t', '|'};
    long count[4] = {0};
    bool quoted = false;
    for (size_t i = 0; i < len && (quoted || buf[i] != '\n'); i++) {
        if (buf[i] == '"') quoted = !quoted;
        for (int k = 0; k < 4 && !quoted; k++) count[k] += buf[i] == candidates[k];
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (count[k] > count[best]) best = k;
    return candidates[best];
}

/* Excel's first line "sep=;" (written by Excel and by tools for it, so that it
 * opens the file with that delimiter): its length with the line end, or 0. The
 * delimiter it names is taken unless one was given (given wins). */
static size_t sep_line(const char *buf, size_t n, unsigned char *delim, bool given) {
    size_t q = n > 0 && buf[0] == '"'; /* "sep=;" quoted by a tool */
    if (n < q + 5 || strncasecmp(buf + q, "sep=", 4) != 0) return 0;
    char c = buf[q + 4];
    size_t at = q + 5 + (q && q + 5 < n && buf[q + 5] == '"');
    if (c == '"' || (c != '\t' && (c < ' ' || c > '~'))) return 0; /* one ASCII character */
    if (at < n && buf[at] == '\r') at++;
    if (at < n && buf[at] != '\n') return 0;
    if (!given) *delim = (unsigned char)c;
    return at < n ? at + 1 : at;
}

char dealscore_csv_delimiter(const char *name) {
    if (strcasecmp(name, "tab") == 0 || strcmp(name, "\\t") == 0) return '\t';
    if (strlen(name) != 1 || name[0] == '"' || name[0] == '\n' || name[0] == '\r') return 0;
    return name[0];
}

int dscsv_rows(FILE *f, const dscsv_dialect *d, dscsv_row_fn fn, void *ctx, long *open_line,
               char *delimiter) {
    static const dscsv_dialect plain = {0};
    if (!d) d = &plain;
    decoder *dec = malloc(sizeof *dec);
    if (!dec) return -1;
    if (decoder_open(dec, f, d->encoding) < 0) {
        free(dec);
        return -3;
    }
    reader r = {.fn = fn,
                .ctx = ctx,
                .line = 1,
                .max_row = d->max_row_bytes,
                .bad_field = -1,
                .nul_field = -1,
                .bom_over = dec->bom_over,
                .bom = dec->bom,
                .utf8_over = dec->utf8_over,
                .utf8_whole = dec->utf8_whole,
                .utf8_field = -1};
    ds_buf_init(&r.text);
    parser ps = {.delim = (unsigned char)d->delimiter};
    char *buf = dec->out;
    long long base = 0;
    int rc = 0;
    size_t n = decode(dec, buf, sizeof dec->out);
    if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) { /* a BOM inside the encoding */
        memmove(buf, buf + 3, n - 3);
        n -= 3;
    }
    size_t hint = sep_line(buf, n, &ps.delim, d->delimiter != 0);
    if (hint) { /* the line is not a row; line numbers stay the file's */
        memmove(buf, buf + hint, n - hint);
        n -= hint;
        base += (long long)hint;
        r.line = 2;
    }
    if (!ps.delim) ps.delim = (unsigned char)sniff(buf, n);
    if (delimiter) *delimiter = (char)ps.delim;
    if (parser_init(&ps) < 0) rc = -1;
    for (; rc == 0 && !r.stop && n > 0; n = decode(dec, buf, sizeof dec->out)) {
        if (feed(&ps, &r, buf, n, base) < 0) rc = -1;
        base += (long long)n;
    }
    if (ferror(f)) rc = -1;
    /* libcsv reports a quoted field left open at the end only in its strict mode,
     * which stops at the first stray quote anywhere; its state says it as well:
     * a field begun that was quoted. A row being skipped ends with the file. */
    bool open_quote = !ps.skip.on && ps.p.quoted && ps.p.pstate == FIELD_BEGUN;
    if (rc == 0 && open_quote) { /* the unfinished row is not handed on */
        *open_line = r.last_row_line;
        rc = -2;
    } else if (rc == 0 && !r.stop && !ps.skip.on) {
        csv_fini(&ps.p, on_field, on_row, &r);
    }
    csv_free(&ps.p);
    decoder_close(dec);
    free(dec);
    ds_buf_free(&r.text);
    free(r.starts);
    free(r.lines);
    free(r.fields);
    return rc;
}
