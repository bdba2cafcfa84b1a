/* cli_remote.c: one connection to `dealscore serve`; see cli_remote.h.
 *
 * A request is {"op":OP,"where":WHERE,"text":DEAL} on one line, DEAL being the
 * deal's bytes as a JSON string: bytes that are not JSON travel intact, and the
 * server's answer to a "text" request is the bare result line, so its error
 * messages, byte positions and paths are those of a local run. The answer is
 * read back typed (cJSON) only for the table and CSV formats' fields. */
#include "cli_remote.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ds_core.h"

#define MAX_LIST 64 /* reasons or warnings kept for the table and CSV formats */

struct cli_remote {
    int fd;
    char op[16];
    char server[300];
    ds_buf request;
    char *in; /* answers read, not yet consumed */
    size_t in_len, in_cap;
    size_t line_len; /* the current answer: in[0..line_len) */
    cJSON *json;     /* the current answer, parsed */
    const char *reasons[MAX_LIST], *warnings[MAX_LIST];
    char message[400];
};

int cli_remote_address(const char *arg, char *host, size_t hostlen, char *port, size_t portlen) {
    const char *colon = strrchr(arg, ':');
    if (!colon || !colon[1] || strlen(colon + 1) >= portlen) return -1;
    size_t len = (size_t)(colon - arg);
    const char *h = arg;
    if (len >= 2 && h[0] == '[' && h[len - 1] == ']') h++, len -= 2;
    if (len >= hostlen || (len && memchr(h, ':', len) && arg[0] != '[')) return -1;
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9') return -1;
    if (atol(colon + 1) > 65535) return -1;
    memcpy(host, h, len);
    host[len] = '\0';
    snprintf(port, portlen, "%s", colon + 1);
    return 0;
}

static int connect_to(const char *server, char *err, size_t errlen) {
    char host[256], port[16];
    if (cli_remote_address(server, host, sizeof host, port, sizeof port) < 0) {
        snprintf(err, errlen, "--server takes HOST:PORT (or [IPv6]:PORT, or :PORT), not '%s'",
                 server);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *list;
    int rc = getaddrinfo(host[0] ? host : "127.0.0.1", port, &hints, &list);
    if (rc != 0) {
        snprintf(err, errlen, "--server %s: %s", server, gai_strerror(rc));
        return -1;
    }
    int fd = -1, why = 0;
    for (struct addrinfo *a = list; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
            why = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    if (fd < 0) {
        snprintf(err, errlen, "--server %s: cannot connect: %s", server, strerror(why));
        return -1;
    }
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    return fd;
}

static int send_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n, len -= (size_t)n;
    }
    return 0;
}

/* Drops the answer read last and reads the next one; -1 when the connection
 * ended first. */
static int read_answer(cli_remote *r) {
    if (r->line_len) {
        memmove(r->in, r->in + r->line_len + 1, r->in_len - r->line_len - 1);
        r->in_len -= r->line_len + 1;
        r->line_len = 0;
    }
    size_t scanned = 0;
    for (;;) {
        char *nl = r->in_len > scanned ? memchr(r->in + scanned, '\n', r->in_len - scanned) : NULL;
        if (nl) {
            r->line_len = (size_t)(nl - r->in);
            return 0;
        }
        scanned = r->in_len;
        if (r->in_cap - r->in_len < 65536) {
            char *grown = realloc(r->in, r->in_cap + 65536);
            if (!grown) return -1;
            r->in = grown;
            r->in_cap += 65536;
        }
        ssize_t n = recv(r->fd, r->in + r->in_len, r->in_cap - r->in_len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        r->in_len += (size_t)n;
    }
}

/* A JSON string of len bytes (the deal as it was read, NUL bytes included). */
static void json_bytes(ds_buf *b, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    ds_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            ds_buf_putc(b, '\\');
            ds_buf_putc(b, (char)c);
        } else if (c < 0x20) {
            char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            ds_buf_puts(b, esc);
        } else {
            ds_buf_putc(b, (char)c);
        }
    }
    ds_buf_putc(b, '"');
}

cli_remote *cli_remote_open(const char *server, const char *op, char *err, size_t errlen) {
    int fd = connect_to(server, err, errlen);
    if (fd < 0) return NULL;
    cli_remote *r = calloc(1, sizeof *r);
    if (!r) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->fd = fd;
    snprintf(r->op, sizeof r->op, "%s", op);
    snprintf(r->server, sizeof r->server, "%s", server);
    ds_buf_init(&r->request);
    /* a ping first: a server over its connection limit, or not dealscore, says so now */
    static const char ping[] = "{\"op\":\"ping\"}\n";
    if (send_all(fd, ping, sizeof ping - 1) < 0 || read_answer(r) < 0) {
        snprintf(err, errlen, "--server %s: the connection closed at once", server);
        cli_remote_close(r);
        return NULL;
    }
    cJSON *pong = cJSON_ParseWithLength(r->in, r->line_len);
    cJSON *error = cJSON_GetObjectItemCaseSensitive(pong, "error");
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pong, "pong"))) {
        cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "message");
        snprintf(err, errlen, "--server %s: %s", server,
                 cJSON_IsString(message) ? message->valuestring
                                         : "not a dealscore service (no answer to ping)");
        cJSON_Delete(pong);
        cli_remote_close(r);
        return NULL;
    }
    cJSON_Delete(pong);
    return r;
}

void cli_remote_close(cli_remote *r) {
    if (!r) return;
    close(r->fd);
    cJSON_Delete(r->json);
    ds_buf_free(&r->request);
    free(r->in);
    free(r);
}

/* ---- the answer, typed ---- */

static const char *string_of(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double number_of(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int list_of(const cJSON *o, const char *key, const char **out) {
    int n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(o, key)) {
        if (n < MAX_LIST && cJSON_IsString(item)) out[n++] = item->valuestring;
    }
    return n;
}

/* The error codes the engine gives after a deal passed validation: its id then
 * counts for the batch's duplicate check, as in a local run. */
static bool after_validation(const char *code, const char *path) {
    static const char *const codes[] = {"policy_error", "policy_timeout", "policy_memory",
                                        "unknown_policy", "duplicate_id"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(code, codes[i]) == 0) return true;
    return strcmp(code, "bad_type") == 0 && path && strcmp(path, "$.policy") == 0;
}

static void typed(cli_remote *r, dealscore_result *out) {
    memset(out, 0, sizeof *out);
    cJSON_Delete(r->json);
    r->json = cJSON_ParseWithLength(r->in, r->line_len);
    const cJSON *j = r->json;
    out->id = string_of(j, "id");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (error || !j) {
        out->error.code = error ? string_of(error, "code") : "bad_answer";
        out->error.message =
            error ? string_of(error, "message") : "the server's answer is not JSON";
        out->error.path = error ? string_of(error, "path") : "$";
        out->error.where = "";
        if (!out->error.code) out->error.code = "bad_answer";
        out->validated = after_validation(out->error.code, out->error.path);
        return;
    }
    out->validated = true;
    out->policy = string_of(j, "policy");
    out->model = string_of(j, "model");
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(j, "scores");
    for (int k = 0; k < DEALSCORE_NSCORES; k++)
        out->scores[k] = number_of(scores, dealscore_score_name(k));
    out->viability = number_of(scores, "viability");
    out->has_win_probability = cJSON_GetObjectItemCaseSensitive(j, "win_probability") != NULL;
    out->win_probability = number_of(j, "win_probability");
    out->verdict = string_of(j, "verdict");
    out->n_reasons = list_of(j, "reasons", r->reasons);
    out->n_warnings = list_of(j, "warnings", r->warnings);
    out->reasons = r->reasons;
    out->warnings = r->warnings;
    out->coverage = number_of(j, "coverage");
}

int cli_remote_score(cli_remote *r, const char *text, size_t len, const char *where,
                     const char **line, size_t *line_len, dealscore_result *result) {
    ds_buf *b = &r->request;
    ds_buf_clear(b);
    ds_buf_puts(b, "{\"op\":");
    ds_buf_json_string(b, r->op);
    ds_buf_puts(b, ",\"where\":");
    ds_buf_json_string(b, where);
    ds_buf_puts(b, ",\"text\":");
    json_bytes(b, text, len);
    ds_buf_puts(b, "}\n");
    if (b->failed || send_all(r->fd, b->data, b->len) < 0 || read_answer(r) < 0) {
        memset(result, 0, sizeof *result);
        snprintf(r->message, sizeof r->message, "%s: the connection to --server %s ended", where,
                 r->server);
        result->error = (dealscore_error){
            .code = "server_gone", .message = r->message, .path = "$", .where = ""};
        *line = NULL;
        *line_len = 0;
        return -1;
    }
    *line = r->in;
    *line_len = r->line_len;
    typed(r, result);
    return 0;
}
