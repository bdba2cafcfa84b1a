/* srv_log.c: one line per event on stderr, with a UTC timestamp and a level.
 *
 * Each line is formatted whole and written with one write(2), so lines from
 * different threads never interleave, and a log collector can split on newlines:
 *     2026-11-23T19:50:47.123Z info listening on 127.0.0.1:7411 (2 workers) */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "srv.h"

int srv_log_level = SRV_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug", NULL};

int srv_log_parse_level(const char *name) {
    for (int i = 0; level_names[i]; i++)
        if (strcmp(name, level_names[i]) == 0) return i;
    return -1;
}

void srv_log(int level, const char *fmt, ...) {
    if (level > srv_log_level) return;
    char line[1024];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(line + n, sizeof line - n, ".%03ldZ %s ", ts.tv_nsec / 1000000,
                          level_names[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    n = m < 0 ? n : (n + (size_t)m < sizeof line - 1 ? n + (size_t)m : sizeof line - 2);
    for (size_t i = 0; i < n; i++) /* one event, one line */
        if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
    line[n++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, n);
    (void)ignored;
}
