/* parse_only.c: reads JSONL and parses each line with cJSON, nothing else: the
 * ceiling for any scorer that takes JSON input. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : stdin;
    if (!f) return 2;
    char *line = NULL;
    size_t cap = 0;
    long n = 0, bad = 0;
    while (getline(&line, &cap, f) >= 0) {
        cJSON *json = cJSON_Parse(line);
        if (json) n++;
        else bad++;
        cJSON_Delete(json);
    }
    free(line);
    printf("%ld parsed, %ld bad\n", n, bad);
    return 0;
}
