/* test_server.c: unit tests of the service's pure parts: the validating JSON
 * scanner, telling envelopes from bare deals, the answers built around scorer
 * lines, and the latency histogram and counters behind `stats`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "srv_int.h"

static bool valid(const char *json) {
    const char *end = json + strlen(json);
    const char *after = srv_json_skip(json, end, 1);
    while (after && after < end && *after == ' ') after++;
    return after == end;
}

static void test_json_skip(void **state) {
    (void)state;
    const char *good[] = {"0",
                          "-1.5e+3",
                          "\"a\\u00e9\\n\\\"\"",
                          "true",
                          "null",
                          "[]",
                          "{}",
                          "[1, [2, {\"a\": [false]}]]",
                          " {\"k\" : \"v\" , \"n\": -0.0} "};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) assert_true(valid(good[i]));
    const char *bad[] = {
        "",   "[1,]",       "{\"a\" 1}", "\"\\x\"", "\"\\u12g4\"",   "tru",    "-",  "1.",
        "1e", "{\"a\":1,}", "[1 2]",     "\"open",  "\"tab\there\"", "{a: 1}", "nul"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_false(valid(bad[i]));
    /* nesting is bounded */
    char deep[2000];
    memset(deep, '[', 1000);
    memset(deep + 1000, ']', 1000);
    assert_null(srv_json_skip(deep, deep + sizeof deep, 1));
}

static void test_member(void **state) {
    (void)state;
    const char *obj = "{\"a\": 1, \"error\": {\"code\": \"x_y\", \"path\": \"$.q\"}}";
    srv_span v;
    assert_int_equal(srv_json_member(obj, strlen(obj), "error", &v), 0);
    assert_int_equal(v.p[0], '{');
    assert_int_equal(v.p[v.len - 1], '}');
    assert_int_equal(srv_json_member(obj, strlen(obj), "nope", &v), -1);
}

static srv_request parse_ok(const char *line) {
    srv_request rq;
    ds_error err = {0};
    assert_int_equal(srv_request_parse(line, strlen(line), &rq, &err), 0);
    return rq;
}

static const char *parse_error(const char *line, srv_request *rq) {
    static ds_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(srv_request_parse(line, strlen(line), rq, &err), -1);
    return err.code;
}

/* An id is echoed only when it reads back as sent (docs/protocol.md). */
static void test_ids(void **state) {
    (void)state;
    static const char *const good[] = {"\"plain\"",
                                       "\"\\ud800\\udc00\"",
                                       "\"\xc3\xa9\"",
                                       "-12.5e3",
                                       "123456789012345678901234567890",
                                       "null",
                                       "\"\\\\u\""};
    static const char *const bad[] = {"\"\xff\"",
                                      "\"\xc0\x80\"",
                                      "\"\xed\xa0\x80\"",
                                      "\"\\ud800\"",
                                      "\"\\udc00\"",
                                      "\"\\ud800\\u0041\"",
                                      "\"\\ud800\\\\\"",
                                      "1e999",
                                      "-1e400",
                                      "{}",
                                      "[1]",
                                      "true"};
    char line[256];
    srv_request rq;
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        snprintf(line, sizeof line, "{\"op\": \"ping\", \"id\": %s}", good[i]);
        rq = parse_ok(line);
        assert_int_equal(rq.id.len, strlen(good[i]));
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(line, sizeof line, "{\"op\": \"ping\", \"id\": %s}", bad[i]);
        assert_string_equal(parse_error(line, &rq), "bad_request");
        assert_int_equal(rq.id.len, 0); /* answered with id null */
    }
}

static void test_bare_or_envelope(void **state) {
    (void)state;
    const char *deal = "{\"id\": \"d1\", \"stakeholders\": [], \"note\": \"say \\\"op\\\"\"}";
    srv_request rq = parse_ok(deal);
    assert_false(rq.envelope);
    assert_int_equal(rq.op, SRV_OP_SCORE);
    assert_ptr_equal(rq.deal.p, deal);
    assert_int_equal(rq.deal.len, strlen(deal));

    /* broken JSON is handed on as a bare deal: the scorer names the byte */
    assert_false(parse_ok("{\"op\": \"ping\",}").envelope);
    assert_false(parse_ok("[1, 2]").envelope);

    const char *env =
        "{\"deal\": {\"id\": \"d\"}, \"id\": \"r-\\ud83d\\ude00\", \"policy\": \"strict\"}";
    rq = parse_ok(env);
    assert_true(rq.envelope);
    assert_int_equal(rq.op, SRV_OP_SCORE); /* a deal without op is scored */
    assert_int_equal(rq.deal.len, strlen("{\"id\": \"d\"}"));
    assert_int_equal(rq.id.len, strlen("\"r-\\ud83d\\ude00\""));
    assert_int_equal(rq.policy.len, 6);
    assert_memory_equal(rq.policy.p, "strict", 6);

    /* the keys are found wherever they are, among other p's and d's */
    assert_int_equal(parse_ok("{\"id\": \"pdpd\", \"pad\": \"dp\\\"op\", \"op\": \"ping\"}").op,
                     SRV_OP_PING);
    assert_true(parse_ok("{\"deal\": {}}").envelope);
    assert_true(
        parse_ok("{\"id\": 7, \"xd\": \"d\", \"dp\": 1, \"deal\": {\"id\": \"p\"}}").envelope);
    assert_false(parse_ok("{\"id\": \"d\", \"ops\": \"dea\", \"deals\": 1}").envelope);

    rq = parse_ok("{\"op\": \"explain\", \"deal\": {}, \"token\": \"t0k\"}");
    assert_int_equal(rq.op, SRV_OP_EXPLAIN);
    assert_int_equal(rq.token.len, 3);
    for (int op = 0; op < SRV_NOPS; op++) {
        char line[128];
        snprintf(line, sizeof line, "{\"op\": \"%s\", \"deal\": {}, \"old\": [], \"new\": []}",
                 srv_ops[op].name);
        assert_int_equal(parse_ok(line).op, op);
    }
}

static void test_request_errors(void **state) {
    (void)state;
    srv_request rq;
    assert_string_equal(parse_error("{\"op\": \"frob\", \"id\": 9}", &rq), "unknown_op");
    assert_int_equal(rq.id.len, 1); /* the id is still echoed */
    assert_string_equal(parse_error("{\"op\": 1}", &rq), "bad_request");
    assert_string_equal(parse_error("{\"op\": \"sc\\u006fre\"}", &rq), "bad_request");
    assert_string_equal(parse_error("{\"op\": \"score\"}", &rq), "bad_request");
    assert_string_equal(parse_error("{\"op\": \"explain\", \"deal\": [1]}", &rq), "bad_request");
    assert_string_equal(parse_error("{\"op\": \"ping\", \"policy\": null}", &rq), "bad_request");
    assert_string_equal(parse_error("{\"op\": \"stats\", \"token\": 12}", &rq), "bad_request");
    /* ops without a deal need none */
    assert_int_equal(parse_ok("{\"op\": \"ping\"}").op, SRV_OP_PING);
    /* format: op explain's answer; words only, and only for explain */
    assert_int_equal(parse_ok("{\"op\": \"explain\", \"deal\": {}, \"format\": \"text\"}").format,
                     SRV_FORMAT_TEXT);
    assert_int_equal(
        parse_ok("{\"op\": \"explain\", \"deal\": {}, \"format\": \"markdown\"}").format,
        SRV_FORMAT_MARKDOWN);
    assert_int_equal(parse_ok("{\"op\": \"score\", \"deal\": {}, \"format\": \"json\"}").format,
                     SRV_FORMAT_JSON);
    assert_int_equal(parse_ok("{\"op\": \"check\", \"deal\": {}}").op, SRV_OP_CHECK);
    /* diff: two arrays; min_move a number; format json or text */
    srv_request d = parse_ok("{\"op\": \"diff\", \"old\": [{}], \"new\": [], \"min_move\": 0.2}");
    assert_int_equal(d.op, SRV_OP_DIFF);
    assert_int_equal(d.old.len, 4);
    assert_int_equal(d.new_.len, 2);
    assert_int_equal(d.min_move.len, 3);
    assert_int_equal(
        parse_ok("{\"op\": \"diff\", \"old\": [], \"new\": [], \"format\": \"text\"}").format,
        SRV_FORMAT_TEXT);
    assert_string_equal(parse_error("{\"op\": \"diff\", \"old\": {}, \"new\": []}", &rq),
                        "bad_request");
    assert_string_equal(parse_error("{\"op\": \"diff\", \"new\": []}", &rq), "bad_request");
    assert_string_equal(
        parse_error("{\"op\": \"diff\", \"old\": [], \"new\": [], \"min_move\": \"1\"}", &rq),
        "bad_request");
    assert_string_equal(
        parse_error("{\"op\": \"diff\", \"old\": [], \"new\": [], \"format\": \"ansi\"}", &rq),
        "bad_request");
    assert_string_equal(parse_error("{\"op\": \"score\", \"deal\": {}, \"min_move\": 1}", &rq),
                        "bad_request");
    assert_string_equal(parse_error("{\"op\": \"score\", \"deal\": {}, \"format\": \"text\"}", &rq),
                        "bad_request");
    assert_string_equal(
        parse_error("{\"op\": \"explain\", \"deal\": {}, \"format\": \"te\\u0078t\"}", &rq),
        "bad_request");
    assert_string_equal(parse_error("{\"op\": \"explain\", \"deal\": {}, \"format\": 1}", &rq),
                        "bad_request");
    assert_string_equal(
        parse_error("{\"op\": \"explain\", \"deal\": {}, \"format\": \"texts\"}", &rq),
        "bad_request");
    assert_string_equal(parse_error("{\"op\": \"explain\", \"deal\": {}, \"format\": \"\"}", &rq),
                        "bad_request");
}

static void test_answers(void **state) {
    (void)state;
    ds_buf b;
    ds_buf_init(&b);
    srv_span id = {"\"r1\"", 4};
    const char *ok = "{\"id\":\"d\",\"verdict\":\"pursue\"}";
    srv_write_scored(&b, id, ok, strlen(ok), NULL);
    assert_string_equal(b.data,
                        "{\"id\":\"r1\",\"result\":{\"id\":\"d\",\"verdict\":\"pursue\"}}\n");
    ds_buf_clear(&b);
    dealscore_error bad = {
        .code = "out_of_range", .message = "m \"path\":", .path = "$.stakeholders[0].influence"};
    srv_write_scored(&b, id, NULL, 0, &bad);
    assert_string_equal(b.data,
                        "{\"id\":\"r1\",\"error\":{\"code\":\"out_of_range\",\"message\":\"m "
                        "\\\"path\\\":\",\"path\":\"$.deal.stakeholders[0].influence\"}}\n");
    ds_buf_clear(&b);
    dealscore_error root = {.code = "bad_type", .message = "x", .path = "$"};
    srv_write_scored(&b, (srv_span){NULL, 0}, NULL, 0, &root);
    assert_string_equal(b.data, "{\"id\":null,\"error\":{\"code\":\"bad_type\",\"message\":\"x\","
                                "\"path\":\"$.deal\"}}\n");
    ds_buf_clear(&b);
    srv_write_error(&b, id, "unknown_op", "$.op", "line %d: \"%s\"", 3, "x");
    assert_string_equal(b.data, "{\"id\":\"r1\",\"error\":{\"code\":\"unknown_op\",\"message\":"
                                "\"line 3: \\\"x\\\"\",\"path\":\"$.op\"}}\n");
    ds_buf_free(&b);
}

static void test_histogram(void **state) {
    (void)state;
    int last = -1;
    for (uint64_t ns = 0; ns < 5000000000ULL; ns = ns * 11 / 10 + 1) {
        int b = srv_stats_bucket(ns);
        assert_true(b >= last); /* monotonic */
        assert_true(b < SRV_HIST_BUCKETS);
        last = b;
        double mid = (double)srv_stats_bucket_mid(b);
        assert_true(mid >= (double)ns * 0.93 && mid <= (double)ns * 1.07 + 1);
    }
}

static double number_after(const char *text, const char *key) {
    const char *p = strstr(text, key);
    assert_non_null(p);
    return strtod(p + strlen(key), NULL);
}

static void test_stats_merge(void **state) {
    (void)state;
    srv_stats *w = calloc(2, sizeof *w);
    for (uint64_t us = 1; us <= 1000; us++) srv_stats_latency(&w[us % 2], us * 1000);
    srv_stats_named(&w[0].error_codes, "bad_json", 8);
    srv_stats_named(&w[1].error_codes, "bad_json", 8);
    srv_stats_named(&w[1].error_codes, "out_of_range", 12);
    srv_stats_named(&w[0].policies, "default", 7);
    srv_stats_add(&w[0].requests, 600);
    srv_stats_add(&w[1].requests, 400);
    srv_global g = {.workers = 2, .started_ns = uv_hrtime()};
    srv_stats *all[] = {&w[0], &w[1]};
    ds_buf b;
    ds_buf_init(&b);
    srv_stats_write(&b, &g, all, 2);
    assert_non_null(strstr(b.data, "\"errors\":{\"bad_json\":2,\"out_of_range\":1}"));
    assert_non_null(strstr(b.data, "\"policies\":{\"default\":1}"));
    assert_non_null(strstr(b.data, "\"requests\":{\"total\":1000,"));
    double p50 = number_after(b.data, "\"p50\":"), p99 = number_after(b.data, "\"p99\":");
    assert_true(p50 > 500 * 0.93 && p50 < 500 * 1.07);
    assert_true(p99 > 990 * 0.93 && p99 < 990 * 1.07);
    assert_true(number_after(b.data, "\"max\":") == 1000.0);
    assert_true(number_after(b.data, "\"count\":") == 1000.0);
    ds_buf_free(&b);
    free(w);
}

/* Lines split across reads, a line over the limit skipped to its newline, a
 * last line without newline. */
static void test_framing(void **state) {
    (void)state;
    srv_framer f = {0};
    size_t used, len;
    const char *in = "abc\ntoolongline\nxy";
    assert_int_equal(srv_frame_next(&f, in, 2, 5, false, &used, &len), SRV_FRAME_MORE);
    assert_int_equal(used, 0);
    assert_int_equal(srv_frame_next(&f, in, 6, 5, false, &used, &len), SRV_FRAME_LINE);
    assert_int_equal(len, 3);
    assert_int_equal(used, 4);
    /* "toolo": within the limit and no newline yet; then past it */
    assert_int_equal(srv_frame_next(&f, in + 4, 5, 5, false, &used, &len), SRV_FRAME_MORE);
    assert_int_equal(srv_frame_next(&f, in + 4, 7, 5, false, &used, &len), SRV_FRAME_TOO_LONG);
    assert_int_equal(used, 7); /* dropped: never held past the limit */
    assert_int_equal(srv_frame_next(&f, in + 11, 7, 5, false, &used, &len), SRV_FRAME_SKIP);
    assert_int_equal(used, 5); /* "line\n" */
    assert_int_equal(srv_frame_next(&f, in + 16, 2, 5, false, &used, &len), SRV_FRAME_MORE);
    assert_int_equal(srv_frame_next(&f, in + 16, 2, 5, true, &used, &len), SRV_FRAME_LINE);
    assert_int_equal(len, 2);
}

/* Quoting a client's text in a message never cuts a UTF-8 character. */
static void test_utf8_cut(void **state) {
    (void)state;
    srv_span s = {"ab\xc3\xa9"
                  "cd",
                  6};
    assert_int_equal(srv_utf8_cut(s, 10), 6);
    assert_int_equal(srv_utf8_cut(s, 4), 4);
    assert_int_equal(srv_utf8_cut(s, 3), 2);
    assert_int_equal(srv_utf8_cut(s, 2), 2);
    srv_request rq;
    ds_error err = {0};
    const char *line = "{\"op\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9\"}";
    assert_int_equal(srv_request_parse(line, strlen(line), &rq, &err), -1);
    assert_string_equal(err.code, "unknown_op");
    assert_null(strstr(err.message, "\xc3\""));
}

/* Cuts body into values, fed in pieces of `piece` bytes (as reads would bring
 * it), the way srv_http.c keeps the unconsumed rest; writes "value|value|..."
 * with TOO_LONG values as "!" into out. */
static void split_all(const char *body, size_t piece, size_t max, char *out, size_t cap) {
    srv_splitter s;
    memset(&s, 0, sizeof s);
    char held[512];
    size_t n = 0, fed = 0, total = strlen(body);
    out[0] = '\0';
    for (;;) {
        bool eof = fed == total;
        size_t used, len;
        int what = srv_split_next(&s, held, n, max, eof, &used, &len);
        if (what == SRV_FRAME_LINE) {
            strncat(out, held, len);
            strncat(out, "|", cap - strlen(out) - 1);
        } else if (what == SRV_FRAME_TOO_LONG) {
            strncat(out, "!|", cap - strlen(out) - 1);
        }
        if (what != SRV_FRAME_MORE) {
            memmove(held, held + used, n - used);
            n -= used;
            continue;
        }
        if (eof) break;
        size_t k = total - fed < piece ? total - fed : piece;
        memcpy(held + n, body + fed, k);
        n += k, fed += k;
    }
}

static void test_split(void **state) {
    (void)state;
    static const struct {
        const char *body, *values;
    } cases[] = {
        {"{\"a\": 1}", "{\"a\": 1}|"},
        {"  {\"a\": {\"b\": [1, \"}]\"]}}\n{\"c\": 2}\n",
         "{\"a\": {\"b\": [1, \"}]\"]}}|{\"c\": 2}|"},
        {"[{\"a\": 1},\n {\"b\": \"x\\\"}\"}\n]", "{\"a\": 1}|{\"b\": \"x\\\"}\"}|"},
        {"{\n  \"id\": \"p\",\n  \"x\": [1,\n 2]\n}\n",
         "{\n  \"id\": \"p\",\n  \"x\": [1,\n 2]\n}|"},
        {"[]", ""},
        {"12 true \"s\" {}", "12|true|\"s\"|{}|"},
        {"}{\"a\":1}", "}|{\"a\":1}|"},
        {"{\"a\": 1", "{\"a\": 1|"}, /* cut short: handed on, the scorer says why */
        {"{\"long\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"} {\"b\": 2}", "!|{\"b\": 2}|"},
    };
    char out[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t piece = 1; piece <= strlen(cases[i].body) + 1; piece++) {
            split_all(cases[i].body, piece, 32, out, sizeof out);
            if (strcmp(out, cases[i].values) != 0)
                fail_msg("case %zu, pieces of %zu: got [%s], want [%s]", i, piece, out,
                         cases[i].values);
        }
    /* lines of the body: each value knows where it starts */
    srv_splitter s;
    memset(&s, 0, sizeof s);
    const char *body = "\n\n{\n}\n{}";
    size_t used, len, off = 0;
    int what;
    while ((what = srv_split_next(&s, body + off, strlen(body) - off, 64, true, &used, &len)) ==
           SRV_FRAME_SKIP)
        off += used;
    assert_int_equal(what, SRV_FRAME_LINE);
    assert_int_equal(s.start_line + 1, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_utf8_cut),
        cmocka_unit_test(test_json_skip),
        cmocka_unit_test(test_member),
        cmocka_unit_test(test_bare_or_envelope),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_request_errors),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_stats_merge),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
