/* loadgen.c: a load generator for `dealscore serve` (C, libuv, one thread).
 *
 *     loadgen -p PORT [-c CONNECTIONS] [-P DEPTH] [-n REQUESTS] [--ping] [--http] [FILE]
 *
 * Opens CONNECTIONS connections to 127.0.0.1:PORT; each keeps DEPTH requests in
 * flight (DEPTH 1: no pipelining), sending the lines of FILE in turn (each
 * connection starts at its own place in the file) or, with --ping, {"op":"ping"}.
 * With --http the same requests go as HTTP/1.1 on keep-alive connections:
 * POST /v1/score with the deal as the body (or GET /v1/ping), pipelined to
 * DEPTH; an answer is a whole response (headers, then Content-Length bytes),
 * and an error is a status other than 200.
 * The run is closed-loop: a connection sends its next request when an answer
 * comes back. Prints one line of figures:
 *     requests=N seconds=S rps=R p50_us=A p99_us=B p999_us=C max_us=D errors=E
 * Latency is measured per request, from the write that carried it to the read
 * that completed its answer line. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct line {
    char *text; /* with its newline */
    size_t len;
} line;

typedef struct conn {
    uv_tcp_t tcp;
    uv_connect_t connect;
    size_t next_line;
    int in_flight;
    uint64_t *sent_at; /* ring of DEPTH send times */
    int ring_head;
    char tail[16]; /* last bytes of the previous read, for an error marker split in two */
    size_t tail_len;
    char *rbuf;
    /* --http: the response being read */
    char head[2048];
    size_t head_len;
    long body_left; /* bytes of its body still to come; -1: reading its head */
} conn;

static struct {
    const char *host;
    int port, connections, depth;
    long total;
    line *lines;
    size_t n_lines;
    conn *conns;
    long sent, answered, errors;
    uint64_t *latencies; /* ns, one per answered request */
    uint64_t started, finished;
    int connected;
    uv_loop_t *loop;
    bool http;
} g = {.host = "127.0.0.1", .connections = 1, .depth = 1, .total = 100000};

static const char error_marker[] = "\"error\":{";

static void die(const char *what, int rc) {
    fprintf(stderr, "loadgen: %s: %s\n", what, rc ? uv_strerror(rc) : "failed");
    exit(2);
}

static void on_written(uv_write_t *req, int status) {
    if (status < 0) die("write", status);
    free(req);
}

/* Tops the connection up to DEPTH requests in flight with one write. */
static void fill(conn *c) {
    int room = g.depth - c->in_flight;
    if (room <= 0 || g.sent >= g.total) return;
    if (room > g.total - g.sent) room = (int)(g.total - g.sent);
    uv_buf_t bufs[room];
    uint64_t now = uv_hrtime();
    for (int i = 0; i < room; i++) {
        line *l = &g.lines[c->next_line];
        c->next_line = (c->next_line + 1) % g.n_lines;
        bufs[i] = uv_buf_init(l->text, (unsigned)l->len);
        c->sent_at[(c->ring_head + c->in_flight + i) % g.depth] = now;
    }
    c->in_flight += room;
    g.sent += room;
    uv_write_t *req = malloc(sizeof *req);
    int rc = uv_write(req, (uv_stream_t *)&c->tcp, bufs, (unsigned)room, on_written);
    if (rc < 0) die("write", rc);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    (void)suggested;
    conn *c = h->data;
    *buf = uv_buf_init(c->rbuf, 1 << 16);
}

static void count_errors(conn *c, const char *data, size_t len) {
    /* the marker may start in the previous read's last bytes */
    char joined[sizeof c->tail + sizeof error_marker];
    size_t head = len < sizeof error_marker - 1 ? len : sizeof error_marker - 2;
    memcpy(joined, c->tail, c->tail_len);
    memcpy(joined + c->tail_len, data, head);
    const char *p = data, *end = data + len;
    if (memmem(joined, c->tail_len + head, error_marker, sizeof error_marker - 1)) g.errors++;
    while ((p = memmem(p, (size_t)(end - p), error_marker, sizeof error_marker - 1))) {
        g.errors++;
        p++;
    }
    c->tail_len = len < sizeof error_marker - 2 ? len : sizeof error_marker - 2;
    memcpy(c->tail, end - c->tail_len, c->tail_len);
}

static void finish(void) {
    g.finished = uv_hrtime();
    for (int i = 0; i < g.connections; i++) uv_close((uv_handle_t *)&g.conns[i].tcp, NULL);
}

static void answered(conn *c, uint64_t now) {
    if (c->in_flight == 0) die("an answer nobody asked for", 0);
    g.latencies[g.answered++] = now - c->sent_at[c->ring_head];
    c->ring_head = (c->ring_head + 1) % g.depth;
    c->in_flight--;
}

/* HTTP responses in the bytes read: a head up to its blank line, then its body. */
static void read_http(conn *c, const char *p, const char *end, uint64_t now) {
    while (p < end) {
        if (c->body_left > 0) {
            long n = end - p < c->body_left ? (long)(end - p) : c->body_left;
            p += n;
            if ((c->body_left -= n) == 0) c->body_left = -1, answered(c, now);
            continue;
        }
        size_t n = (size_t)(end - p);
        if (n > sizeof c->head - 1 - c->head_len) n = sizeof c->head - 1 - c->head_len;
        memcpy(c->head + c->head_len, p, n);
        c->head[c->head_len + n] = '\0';
        char *blank = strstr(c->head, "\r\n\r\n");
        if (!blank) {
            if (c->head_len + n == sizeof c->head - 1) die("a response head too long", 0);
            c->head_len += n;
            p += n;
            continue;
        }
        size_t head_end = (size_t)(blank + 4 - c->head);
        p += head_end - c->head_len; /* the bytes of this read that were head */
        if (strncmp(c->head, "HTTP/1.1 200", 12) != 0) g.errors++;
        char *cl = strcasestr(c->head, "\r\nContent-Length:");
        if (!cl) die("a response without Content-Length", 0);
        c->body_left = strtol(cl + 17, NULL, 10);
        c->head_len = 0;
        if (c->body_left == 0) c->body_left = -1, answered(c, now);
    }
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
    conn *c = s->data;
    if (nread == 0) return;
    if (nread < 0) die("the server closed a connection", (int)nread);
    uint64_t now = uv_hrtime();
    const char *p = buf->base, *end = buf->base + nread;
    if (g.http) {
        read_http(c, p, end, now);
    } else {
        count_errors(c, buf->base, (size_t)nread);
        while ((p = memchr(p, '\n', (size_t)(end - p)))) {
            p++;
            answered(c, now);
        }
    }
    if (g.answered == g.total) {
        finish();
        return;
    }
    fill(c);
}

static void on_connect(uv_connect_t *req, int status) {
    if (status < 0) die("connect", status);
    conn *c = req->data;
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (++g.connected < g.connections) return;
    g.started = uv_hrtime(); /* every connection is up: go */
    for (int i = 0; i < g.connections; i++) fill(&g.conns[i]);
}

static void read_lines(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    char *text = NULL;
    size_t cap = 0, n_cap = 0;
    ssize_t len;
    while ((len = getline(&text, &cap, f)) > 0) {
        if (len == 1) continue;
        if (g.n_lines == n_cap) {
            n_cap = n_cap ? n_cap * 2 : 1024;
            g.lines = realloc(g.lines, n_cap * sizeof *g.lines);
        }
        if (text[len - 1] != '\n') text[len++] = '\n'; /* getline left room for the NUL */
        g.lines[g.n_lines++] = (line){strndup(text, (size_t)len), (size_t)len};
    }
    free(text);
    fclose(f);
    if (g.n_lines == 0) die("no request lines in the file", 0);
}

/* Each request line becomes an HTTP request: the deal as a POST body, or a GET
 * of /v1/ping. */
static void as_http(bool ping) {
    for (size_t i = 0; i < g.n_lines; i++) {
        line *l = &g.lines[i];
        size_t body = l->len - 1; /* without its newline */
        char head[160];
        int n = ping ? snprintf(head, sizeof head, "GET /v1/ping HTTP/1.1\r\nHost: b\r\n\r\n")
                     : snprintf(head, sizeof head,
                                "POST /v1/score HTTP/1.1\r\nHost: b\r\nContent-Type: "
                                "application/json\r\nContent-Length: %zu\r\n\r\n",
                                body);
        char *text = malloc((size_t)n + (ping ? 0 : body));
        memcpy(text, head, (size_t)n);
        if (!ping) memcpy(text + n, l->text, body);
        *l = (line){text, (size_t)n + (ping ? 0 : body)};
    }
}

static int by_value(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_us(double q) {
    size_t i = (size_t)(q * (double)(g.answered - 1));
    return (double)g.latencies[i] / 1000.0;
}

static void usage(void) {
    fputs("usage: loadgen -p PORT [-c CONNECTIONS] [-P DEPTH] [-n REQUESTS] [--ping] [--http] "
          "[FILE]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv) {
    const char *file = NULL;
    bool ping = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--ping") == 0)
            ping = true;
        else if (strcmp(a, "--http") == 0)
            g.http = true;
        else if (a[0] == '-' && i + 1 < argc && strchr("pcPn", a[1]) && a[2] == '\0') {
            long v = strtol(argv[++i], NULL, 10);
            if (v <= 0) usage();
            if (a[1] == 'p') g.port = (int)v;
            if (a[1] == 'c') g.connections = (int)v;
            if (a[1] == 'P') g.depth = (int)v;
            if (a[1] == 'n') g.total = v;
        } else if (a[0] != '-' && !file)
            file = a;
        else
            usage();
    }
    if (!g.port || (!file && !ping)) usage();
    if (ping) {
        static char ping_line[] = "{\"op\":\"ping\"}\n";
        static line one = {ping_line, sizeof ping_line - 1};
        g.lines = &one;
        g.n_lines = 1;
    } else {
        read_lines(file);
    }
    if (g.http) as_http(ping);
    g.loop = uv_default_loop();
    g.latencies = malloc(sizeof *g.latencies * (size_t)g.total);
    g.conns = calloc((size_t)g.connections, sizeof *g.conns);
    struct sockaddr_in addr;
    uv_ip4_addr(g.host, g.port, &addr);
    for (int i = 0; i < g.connections; i++) {
        conn *c = &g.conns[i];
        c->sent_at = calloc((size_t)g.depth, sizeof *c->sent_at);
        c->rbuf = malloc(1 << 16);
        c->body_left = -1;
        c->next_line = (size_t)i * g.n_lines / (size_t)g.connections;
        uv_tcp_init(g.loop, &c->tcp);
        c->tcp.data = c;
        c->connect.data = c;
        int rc = uv_tcp_connect(&c->connect, &c->tcp, (struct sockaddr *)&addr, on_connect);
        if (rc < 0) die("connect", rc);
    }
    uv_run(g.loop, UV_RUN_DEFAULT);
    double seconds = (double)(g.finished - g.started) / 1e9;
    qsort(g.latencies, (size_t)g.answered, sizeof *g.latencies, by_value);
    printf("requests=%ld seconds=%.3f rps=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f "
           "max_us=%.1f errors=%ld\n",
           g.answered, seconds, (double)g.answered / seconds, percentile_us(0.5),
           percentile_us(0.99), percentile_us(0.999), percentile_us(1.0), g.errors);
    return 0;
}
