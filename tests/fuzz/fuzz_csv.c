/* fuzz_csv.c: libFuzzer harness for the CSV import (lib/dealscore_csvrows.c,
 * lib/dealscore_mapping.c).
 *
 * The first byte picks the dialect (delimiter sniffed or ';', UTF-8 or
 * windows-1252 or UTF-16), the rest is a deals file read with the plain
 * mapping and a small row limit, so the too_large, encoding and footer paths
 * are reached. Every field handed on must be valid UTF-8 (bad bytes replaced),
 * lines must start at 1 and never go back, a too_large row must hold no more
 * than the limit, every row must become a JSON object or an error with a code
 * and a message naming the file, and nothing may be read or written out of
 * bounds (ASan) or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore_csvrows.h"
#include "dealscore_mapping.h"

enum { LIMIT = 300 };

static dscsv_mapping *mapping;

static void require(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "fuzz_csv: %s\n", what);
        abort();
    }
}

static int valid_utf8(const unsigned char *s) {
    while (*s) {
        size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
        if (!len || s[0] > 0xF4) return 0;
        for (size_t i = 1; i < len; i++)
            if ((s[i] & 0xC0) != 0x80) return 0;
        s += len;
    }
    return 1;
}

typedef struct run {
    dscsv_columns *columns;
    long last_line;
} run;

static int on_row(void *ctx, const dscsv_row *row) {
    run *r = ctx;
    require(row->first_line >= 1 && row->first_line >= r->last_line, "lines went back");
    r->last_line = row->first_line;
    size_t bytes = 0;
    for (int i = 0; i < row->n; i++) {
        require(row->line[i] >= row->first_line, "a field before its row");
        require(valid_utf8((const unsigned char *)row->field[i]), "a field is not UTF-8");
        bytes += strlen(row->field[i]);
    }
    if (row->too_large) require(bytes <= 3 * LIMIT + 16, "a too_large row holds too much");
    if (!r->columns) {
        char err[1200];
        r->columns = dscsv_columns_bind(mapping, DSCSV_DEALS, row, "fuzz.csv", err, sizeof err);
        if (!r->columns) require(strncmp(err, "fuzz.csv", 8) == 0, "a setup error names no file");
        if (r->columns) dscsv_columns_set_limit(r->columns, LIMIT);
        return !r->columns;
    }
    if (dscsv_columns_footer(r->columns, row)) return 0;
    ds_error err = {0};
    cJSON *obj = dscsv_columns_row(r->columns, row, "$", &err);
    if (obj) {
        char *text = cJSON_PrintUnformatted(obj);
        require(text && valid_utf8((const unsigned char *)text), "a deal that is not UTF-8");
        free(text);
        cJSON_Delete(obj);
    } else {
        require(err.code && strstr(err.message, "fuzz.csv"), "an error naming no file");
    }
    int count;
    char **ids = dscsv_columns_deal_ids(r->columns, row, &count);
    free(ids);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!mapping) {
        char err[800];
        mapping =
            dscsv_mapping_load(DEALSCORE_DATADIR "/models/mappings/plain.json", err, sizeof err);
        require(mapping != NULL, err);
    }
    if (size < 1) return 0;
    static const char *const encodings[] = {NULL, "windows-1252", "utf-16", NULL};
    dscsv_dialect d = {.delimiter = data[0] & 1 ? ';' : 0,
                       .encoding = encodings[(data[0] >> 1) & 3],
                       .max_row_bytes = LIMIT};
    FILE *f = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "rb");
    if (!f) return 0;
    run r = {NULL, 0};
    long open_line = 0;
    char delimiter = 0;
    int rc = dscsv_rows(f, &d, on_row, &r, &open_line, &delimiter);
    require(rc == 0 || rc == -2, "a read error on memory");
    require(delimiter != 0, "no delimiter chosen");
    fclose(f);
    dscsv_columns_free(r.columns);
    return 0;
}
