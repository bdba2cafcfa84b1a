/* cli_remote.c: one connection to `dealscore serve`; see cli_remote.h.
 *
 * A request is {"op":OP,"where":WHERE,"text":DEAL} on one line (with "policy"
 * and "format" when asked), DEAL being the deal's bytes as a JSON string: bytes
 * that are not JSON travel intact, and the server's answer to a "text" request
 * is the bare result line (or report, or check object), so its error messages,
 * byte positions and paths are those of a local run. The answer is read back
 * typed (cJSON) for the fields the table and CSV formats and check print.
 *
 * TLS is OpenSSL's over the blocking socket (the client is one thread per
 * connection): TLS 1.2 or later, the peer's certificate verified against the
 * system's authorities or --tls-ca, and its name (or IP address) against the
 * host given, as curl does. */
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

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define MAX_LIST 64            /* reasons or warnings kept for the table and CSV formats */
#define REQUEST_KEEP (1 << 20) /* a request stream grown past this is released after use */

struct cli_remote {
    int fd;
    SSL_CTX *tls_ctx; /* with --tls */
    SSL *tls;
    char op[16], format[16], policy[64];
    char token[512]; /* --token-file's, or empty */
    char server[300];
    FILE *request; /* written with open_memstream: request_data[0..request_len) */
    char *request_data;
    size_t request_len;
    char *in; /* answers read, not yet consumed */
    size_t in_len, in_cap;
    size_t line_len; /* the current answer: in[0..line_len) */
    cJSON *json;     /* the current answer, parsed */
    const char *reasons[MAX_LIST], *warnings[MAX_LIST];
    dealscore_proposal proposals[MAX_LIST];
    const char *report; /* of the latest answer, in json */
    bool undated;
    double lua_memory;
    char message[400];
};

int cli_remote_options_from(const cli_shared *sh, const char *command, const char *op,
                            cli_remote_options *o) {
    const cli_policy_args *p = &sh->policy;
    const char *local = sh->model                          ? "--model"
                        : sh->as_of                        ? "--as-of"
                        : p->instructions                  ? "--policy-instructions"
                        : p->memory                        ? "--policy-memory"
                        : p->field                         ? "--policy-field"
                        : p->given > 1                     ? "a second --policy"
                        : p->given && strchr(p->spec, '=') ? "--policy NAME=FILE"
                                                           : NULL;
    if (local) {
        fprintf(stderr,
                "dealscore %s: --server scores with the server's model, policies and budgets: "
                "%s cannot be given with it (--policy NAME picks one of the server's "
                "policies)\n",
                command, local);
        return -1;
    }
    *o = (cli_remote_options){.server = sh->server,
                              .op = op,
                              .policy = p->given ? p->spec : NULL,
                              .tls = sh->tls,
                              .tls_ca = sh->tls_ca,
                              .token_file = sh->token_file};
    return 0;
}

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

/* The last OpenSSL error in words, or what the certificate check said. */
static const char *tls_error(SSL *ssl) {
    long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    if (verify != X509_V_OK) return X509_verify_cert_error_string(verify);
    unsigned long e = ERR_get_error();
    static _Thread_local char buf[256];
    if (!e) return "the server ended the handshake (is it serving TLS?)";
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

/* TLS over the connected socket: the certificate checked against the
 * authorities and the host (a name, or an address). */
static int tls_start(cli_remote *r, const cli_remote_options *o, const char *host, char *err,
                     size_t errlen) {
    ERR_clear_error();
    if (!(r->tls_ctx = SSL_CTX_new(TLS_client_method())) ||
        !SSL_CTX_set_min_proto_version(r->tls_ctx, TLS1_2_VERSION)) {
        snprintf(err, errlen, "--tls: %s", tls_error(NULL));
        return -1;
    }
    int loaded = o->tls_ca ? SSL_CTX_load_verify_locations(r->tls_ctx, o->tls_ca, NULL)
                           : SSL_CTX_set_default_verify_paths(r->tls_ctx);
    if (!loaded) {
        snprintf(err, errlen, "--tls-ca %s: %s", o->tls_ca ? o->tls_ca : "(system)",
                 tls_error(NULL));
        return -1;
    }
    SSL_CTX_set_verify(r->tls_ctx, SSL_VERIFY_PEER, NULL);
    if (!(r->tls = SSL_new(r->tls_ctx)) || !SSL_set_fd(r->tls, r->fd)) {
        snprintf(err, errlen, "--tls: %s", tls_error(NULL));
        return -1;
    }
    unsigned char addr[16];
    bool is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
    X509_VERIFY_PARAM *param = SSL_get0_param(r->tls);
    if (is_ip ? !X509_VERIFY_PARAM_set1_ip_asc(param, host)
              : !SSL_set_tlsext_host_name(r->tls, host) || !SSL_set1_host(r->tls, host)) {
        snprintf(err, errlen, "--tls: %s", tls_error(NULL));
        return -1;
    }
    if (SSL_connect(r->tls) != 1) {
        bool verified = SSL_get_verify_result(r->tls) == X509_V_OK;
        snprintf(err, errlen, "--server %s: TLS: %s%s", o->server, tls_error(r->tls),
                 verified ? " (does the server speak TLS, serve --tls-cert?)" : "");
        return -1;
    }
    return 0;
}

static int send_all(cli_remote *r, const char *p, size_t len) {
    while (len > 0) {
        if (r->tls) {
            size_t n;
            if (SSL_write_ex(r->tls, p, len, &n) != 1) return -1;
            p += n, len -= n;
            continue;
        }
        ssize_t n = send(r->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n, len -= (size_t)n;
    }
    return 0;
}

static long receive(cli_remote *r, char *buf, size_t cap) {
    if (r->tls) {
        size_t n;
        return SSL_read_ex(r->tls, buf, cap, &n) == 1 ? (long)n : -1;
    }
    for (;;) {
        ssize_t n = recv(r->fd, buf, cap, 0);
        if (n < 0 && errno == EINTR) continue;
        return n;
    }
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
        long n = receive(r, r->in + r->in_len, r->in_cap - r->in_len);
        if (n <= 0) return -1;
        r->in_len += (size_t)n;
    }
}

/* A JSON string of len bytes (the deal as it was read, NUL bytes included):
 * quotes, backslashes and control characters escaped, every other byte as it is,
 * so the server reads back exactly these bytes. Written a run at a time. */
static void json_bytes(FILE *f, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    putc('"', f);
    size_t run = 0; /* bytes s[run..i) go out as they are */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        fwrite(s + run, 1, i - run, f);
        run = i + 1;
        if (c == '"' || c == '\\') {
            putc('\\', f);
            putc((char)c, f);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            fwrite(esc, 1, sizeof esc, f);
        }
    }
    fwrite(s + run, 1, len - run, f);
    putc('"', f);
}

/* ,"key":"value" */
static void json_member(FILE *f, const char *key, const char *value) {
    fprintf(f, ",\"%s\":", key);
    json_bytes(f, value, strlen(value));
}

/* The request stream, holding {"op":OP; NULL when out of memory. */
static FILE *request_begin(cli_remote *r, const char *op) {
    if (r->request && r->request_len > REQUEST_KEEP) { /* a huge deal's: let it go */
        fclose(r->request);
        free(r->request_data);
        r->request = NULL;
        r->request_data = NULL;
    }
    if (!r->request) {
        if (!(r->request = open_memstream(&r->request_data, &r->request_len))) return NULL;
    } else {
        clearerr(r->request);
        fseeko(r->request, 0, SEEK_SET);
    }
    fputs("{\"op\":", r->request);
    json_bytes(r->request, op, strlen(op));
    return r->request;
}

/* Ends the request ("}" and the line end) and sends it; -1 when it could not be
 * written (out of memory) or sent. */
static int request_send(cli_remote *r) {
    fputs("}\n", r->request);
    if (fflush(r->request) != 0 || ferror(r->request)) return -1;
    return send_all(r, r->request_data, r->request_len);
}

static const char *string_of(const cJSON *o, const char *key);

/* The token: the file's first line without its line end (as serve reads it). */
static int read_token(cli_remote *r, const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "--token-file %s: %s", path, strerror(errno));
        return -1;
    }
    bool got = fgets(r->token, sizeof r->token, f) != NULL;
    fclose(f);
    size_t len = got ? strlen(r->token) : 0;
    while (len > 0 && strchr("\r\n \t", r->token[len - 1])) r->token[--len] = '\0';
    if (len == 0) {
        snprintf(err, errlen, "--token-file %s: the first line is empty", path);
        return -1;
    }
    return 0;
}

/* Sends {"op":OP} (with the token) and reads the answer; -1 when the
 * connection ended. */
static int ask(cli_remote *r, const char *op) {
    FILE *f = request_begin(r, op);
    if (!f) return -1;
    if (r->token[0]) json_member(f, "token", r->token);
    return request_send(r) < 0 || read_answer(r) < 0 ? -1 : 0;
}

cli_remote *cli_remote_open(const cli_remote_options *o, char *err, size_t errlen) {
    const char *server = o->server;
    int fd = connect_to(server, err, errlen);
    if (fd < 0) return NULL;
    cli_remote *r = calloc(1, sizeof *r);
    if (!r) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->fd = fd;
    snprintf(r->op, sizeof r->op, "%s", o->op ? o->op : "score");
    snprintf(r->format, sizeof r->format, "%s", o->format ? o->format : "");
    snprintf(r->policy, sizeof r->policy, "%s", o->policy ? o->policy : "");
    snprintf(r->server, sizeof r->server, "%s", server);
    char host[256], port[16];
    cli_remote_address(server, host, sizeof host, port, sizeof port); /* checked by connect_to */
    if (o->tls && tls_start(r, o, host[0] ? host : "127.0.0.1", err, errlen) < 0) {
        cli_remote_close(r);
        return NULL;
    }
    if (o->token_file && read_token(r, o->token_file, err, errlen) < 0) {
        cli_remote_close(r);
        return NULL;
    }
    /* a ping first: a server over its connection limit, or not dealscore, says so now */
    if (ask(r, "ping") < 0) {
        snprintf(err, errlen, "--server %s: the connection closed at once%s", server,
                 r->tls ? "" : " (if the server speaks TLS, give --tls or --tls-ca)");
        cli_remote_close(r);
        return NULL;
    }
    cJSON *pong = cJSON_ParseWithLength(r->in, r->line_len);
    cJSON *error = cJSON_GetObjectItemCaseSensitive(pong, "error");
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pong, "pong"))) {
        cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "message");
        const char *code = string_of(error, "code");
        snprintf(err, errlen, "--server %s: %s%s", server,
                 cJSON_IsString(message) ? message->valuestring
                                         : "not a dealscore service (no answer to ping)",
                 code && strcmp(code, "unauthorized") == 0 ? " (give --token-file)" : "");
        cJSON_Delete(pong);
        cli_remote_close(r);
        return NULL;
    }
    cJSON_Delete(pong);
    char label[128], file[8];
    bool custom;
    if (r->policy[0] &&
        cli_remote_policy(r, r->policy, label, sizeof label, file, sizeof file, &custom) < 0) {
        snprintf(err, errlen, "--server %s: %s", server, r->message);
        cli_remote_close(r);
        return NULL;
    }
    return r;
}

void cli_remote_close(cli_remote *r) {
    if (!r) return;
    if (r->tls) SSL_shutdown(r->tls); /* close_notify: the server sees a clean end */
    SSL_free(r->tls);
    SSL_CTX_free(r->tls_ctx);
    close(r->fd);
    cJSON_Delete(r->json);
    if (r->request) fclose(r->request);
    free(r->request_data);
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

/* A check answer's "check": the policy's proposals and the Lua state's size. */
static void check_part(cli_remote *r, const cJSON *check, dealscore_result *out) {
    const cJSON *p;
    int n = 0;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(check, "proposals")) {
        if (n == MAX_LIST) break;
        const char *action = string_of(p, "action"), *patch = string_of(p, "patch");
        if (!action || !patch) continue;
        r->proposals[n++] = (dealscore_proposal){action, string_of(p, "target"), patch};
    }
    out->n_proposals = n;
    out->proposals = r->proposals;
    out->flags |= DEALSCORE_PROPOSALS;
    r->lua_memory = number_of(check, "lua_memory");
    r->undated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(check, "undated"));
}

static void typed(cli_remote *r, dealscore_result *out) {
    memset(out, 0, sizeof *out);
    cJSON_Delete(r->json);
    r->json = cJSON_ParseWithLength(r->in, r->line_len);
    r->report = NULL;
    r->undated = false;
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
    r->undated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "undated"));
    if ((r->report = string_of(j, "text"))) return; /* an explain report */
    const cJSON *check = cJSON_GetObjectItemCaseSensitive(j, "check");
    if (check) {
        check_part(r, check, out);
        j = cJSON_GetObjectItemCaseSensitive(j, "result");
    }
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
    FILE *f = request_begin(r, r->op);
    if (f) {
        if (r->format[0]) json_member(f, "format", r->format);
        if (r->policy[0]) json_member(f, "policy", r->policy);
        if (r->token[0]) json_member(f, "token", r->token);
        json_member(f, "where", where);
        fputs(",\"text\":", f);
        json_bytes(f, text, len);
    }
    if (!f || request_send(r) < 0 || read_answer(r) < 0) {
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

void cli_json_bytes(FILE *f, const char *s, size_t len) {
    json_bytes(f, s, len);
}

int cli_remote_call(cli_remote *r, const char *op, const char *members, size_t len,
                    const char **line, size_t *line_len) {
    FILE *f = request_begin(r, op);
    if (f) {
        putc(',', f);
        fwrite(members, 1, len, f);
        if (r->policy[0]) json_member(f, "policy", r->policy);
        if (r->token[0]) json_member(f, "token", r->token);
    }
    if (!f || request_send(r) < 0 || read_answer(r) < 0) {
        snprintf(r->message, sizeof r->message, "the connection to --server %s ended", r->server);
        return -1;
    }
    *line = r->in;
    *line_len = r->line_len;
    return 0;
}

const char *cli_remote_report(const cli_remote *r) {
    return r->report;
}

bool cli_remote_undated(const cli_remote *r) {
    return r->undated;
}

double cli_remote_lua_memory(const cli_remote *r) {
    return r->lua_memory;
}

int cli_remote_policy(cli_remote *r, const char *name, char *label, size_t label_len, char *file,
                      size_t file_len, bool *custom_actions) {
    if (ask(r, "policies") < 0) {
        snprintf(r->message, sizeof r->message, "the connection ended");
        return -1;
    }
    cJSON *answer = cJSON_ParseWithLength(r->in, r->line_len);
    const cJSON *p, *found = NULL;
    char names[200] = "";
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(answer, "policies")) {
        const char *n = string_of(p, "name");
        size_t used = strlen(names);
        if (n) snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", n);
        if (name ? n && strcmp(n, name) == 0
                 : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "default")))
            found = p;
    }
    int rc = -1;
    if (found && string_of(found, "label") && string_of(found, "file")) {
        snprintf(label, label_len, "%s", string_of(found, "label"));
        snprintf(file, file_len, "%s", string_of(found, "file"));
        *custom_actions = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(found, "custom_actions"));
        rc = 0;
    } else if (cJSON_GetObjectItemCaseSensitive(answer, "error")) {
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(answer, "error");
        snprintf(r->message, sizeof r->message, "op policies: %s",
                 string_of(error, "message") ? string_of(error, "message") : "refused");
    } else {
        snprintf(r->message, sizeof r->message, "the server has no policy named '%s' (it has %s)",
                 name ? name : "default", names[0] ? names : "none");
    }
    cJSON_Delete(answer);
    return rc;
}

const char *cli_remote_message(const cli_remote *r) {
    return r->message;
}
