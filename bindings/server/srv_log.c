/* srv_log.c: one line per event on stderr, with a UTC timestamp and a level.
 *
 * Each line is formatted whole and written with one write(2), so lines from
 * different threads never interleave, and a log collector can split on newlines:
 *     2026-11-23T19:50:47.123Z info listening on 127.0.0.1:7411 (2 workers)
 * or, with --log-format json, one JSON object per line:
 *     {"time":"2026-11-23T19:50:47.123Z","level":"info","msg":"listening on ..."} */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "srv.h"

int srv_log_level = SRV_LOG_INFO;
bool srv_log_json;

static const char *const level_names[] = {"error", "warn", "info", "debug", NULL};

int srv_log_parse_level(const char *name) {
    for (int i = 0; level_names[i]; i++)
        if (strcmp(name, level_names[i]) == 0) return i;
    return -1;
}

/* Copies text into out (room for at least 4 x len + 1 bytes) with every control
 * byte written as \xNN: what clients and policies write (an error message, a
 * policy's name) reaches the log, and a newline, a carriage return or a terminal
 * escape in it must not forge a line or rewrite the screen. Returns the length. */
static size_t escape_controls(char *out, const char *text, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c != 0x7f) {
            out[n++] = (char)c;
            continue;
        }
        out[n++] = '\\', out[n++] = 'x', out[n++] = hex[c >> 4], out[n++] = hex[c & 15];
    }
    return n;
}

/* The message as a JSON string's contents: quotes, backslashes and control
 * bytes escaped (out: room for 6 x len). Bytes over 0x7f pass as they are. */
static size_t escape_json(char *out, const char *text, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') {
            out[n++] = '\\', out[n++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(out + n, "\\u00", 4);
            n += 4;
            out[n++] = hex[c >> 4], out[n++] = hex[c & 15];
        } else {
            out[n++] = (char)c;
        }
    }
    return n;
}

/* Writes one line of level `level`: `text` (len bytes, at most 4 KB of it),
 * and in front the policy whose print it is, unless policy is NULL. */
static void log_line(int level, const char *policy, const char *text, size_t len) {
    char line[200 + 6 * 4096], stamp[40], who[6 * 64 + 1] = "";
    if (len > 4096) len = 4096;
    if (policy) /* a policy's name: 1 to 63 bytes, escaped as the text is */
        who[srv_log_json ? escape_json(who, policy, strnlen(policy, 63))
                         : escape_controls(who, policy, strnlen(policy, 63))] = '\0';
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t k = strftime(stamp, 24, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp + k, sizeof stamp - k, ".%03ldZ", ts.tv_nsec / 1000000);
    size_t n;
    if (srv_log_json) {
        n = (size_t)snprintf(
            line, 200 + sizeof who, "{\"time\":\"%s\",\"level\":\"%s\",%s%s%s\"msg\":\"", stamp,
            level_names[level], policy ? "\"policy\":\"" : "", who, policy ? "\"," : "");
        n += escape_json(line + n, text, len);
        line[n++] = '"', line[n++] = '}';
    } else {
        n = (size_t)snprintf(line, 200 + sizeof who, "%s %s %s%s%s", stamp, level_names[level],
                             policy ? "policy " : "", who, policy ? ": " : "");
        n += escape_controls(line + n, text, len); /* one event, one line */
    }
    line[n++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, n);
    (void)ignored;
}

void srv_log(int level, const char *fmt, ...) {
    if (level > srv_log_level) return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    log_line(level, NULL, text, m < 0 ? 0 : (size_t)m < sizeof text ? (size_t)m : sizeof text - 1);
}

/* A policy's print(): a log line of its own at level info, naming the policy
 * ({"time","level","policy","msg"} with --log-format json). */
void srv_log_policy(const char *policy, const char *line) {
    if (SRV_LOG_INFO <= srv_log_level) log_line(SRV_LOG_INFO, policy, line, strlen(line));
}
