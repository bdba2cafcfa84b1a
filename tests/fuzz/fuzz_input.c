/* fuzz_input.c: libFuzzer harness for the deal stream reader (dealscore_input.c).
 *
 * The input is a whole stream: JSONL, an array, or anything. The reader must
 * hand out texts that lie within the limit and within the input's size, report
 * positions that name the stream, end on every input (no hang: libFuzzer's
 * timeout), and never read or write out of bounds (ASan). The limit is small so
 * the too_large paths are reached. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore.h"

enum { LIMIT = 200 };

typedef struct tally {
    size_t input, bytes;
    unsigned long items;
} tally;

static void require(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "fuzz_input: %s\n", what);
        abort();
    }
}

static int on_deal(void *ctx, const char *text, size_t len, const char *where) {
    tally *t = ctx;
    require(len <= LIMIT, "deal text over the limit");
    require(text[len] == '\0', "deal text not terminated");
    volatile char sum = 0;
    for (size_t i = 0; i < len; i++) sum ^= text[i]; /* every byte readable */
    (void)sum;
    require(strncmp(where, "fuzz:", 5) == 0, "position does not name the stream");
    t->bytes += len;
    t->items++;
    return 0;
}

static int on_reject(void *ctx, const char *code, const char *message) {
    tally *t = ctx;
    require(!strcmp(code, "bad_json") || !strcmp(code, "too_large"), "unknown reject code");
    require(strncmp(message, "fuzz:", 5) == 0, "reject does not name the stream");
    t->items++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f) return 0;
    tally t = {.input = size};
    dealscore_input in = {.deal = on_deal, .reject = on_reject, .ctx = &t, .max_deal_bytes = LIMIT};
    require(dealscore_input_read(f, "fuzz", &in) == 0, "read error on a memory stream");
    fclose(f);
    /* each input byte is in one deal text at most */
    require(t.bytes <= size, "more deal text than input");
    require(t.items <= size, "more items than input bytes");
    return 0;
}
