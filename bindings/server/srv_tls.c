/* srv_tls.c: TLS for the service's connections, OpenSSL over memory BIOs.
 *
 * libuv owns the sockets; OpenSSL never touches them. Ciphertext read from a
 * socket is written into the connection's read BIO and decrypted with SSL_read
 * into the same input buffer plaintext connections read into, so framing, HTTP
 * detection and everything above see plaintext either way. Plaintext answers
 * go through SSL_write into the write BIO, whose bytes are what srv_conn.c
 * hands to the socket. Handshakes need nothing more: what SSL_read makes
 * OpenSSL want to send lands in the write BIO and leaves with the next flush.
 *
 * Why OpenSSL rather than GnuTLS (both in Debian 12): its memory BIOs are the
 * documented way to run TLS under an event loop that owns the socket (libuv's
 * own users do this), `openssl` is the tool operators make certificates with
 * (and the tests do), and OpenSSL 3's Apache-2.0 licence sits with ours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "srv_int.h"

struct srv_tls {
    SSL *ssl;
    BIO *in, *out; /* ciphertext from the client; ciphertext for it */
};

static void last_error(char *err, size_t errlen, const char *what, const char *path) {
    unsigned long e = ERR_get_error();
    char why[256] = "unknown error";
    if (e) ERR_error_string_n(e, why, sizeof why);
    snprintf(err, errlen, "%s %s: %s", what, path, why);
    ERR_clear_error();
}

void *srv_tls_context(const char *cert, const char *key, char *err, size_t errlen) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        last_error(err, errlen, "TLS:", "context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        last_error(err, errlen, "--tls-cert", cert);
    } else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
            snprintf(err, errlen, "--tls-key %s is not the key of --tls-cert %s", key, cert);
            ERR_clear_error();
        } else {
            last_error(err, errlen, "--tls-key", key);
        }
    } else if (SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(err, errlen, "--tls-key %s is not the key of --tls-cert %s", key, cert);
    } else {
        return ctx;
    }
    SSL_CTX_free(ctx);
    return NULL;
}

void srv_tls_context_free(void *ctx) {
    SSL_CTX_free(ctx);
}

srv_tls *srv_tls_new(void *ctx) {
    srv_tls *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->ssl = SSL_new(ctx);
    t->in = BIO_new(BIO_s_mem());
    t->out = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->in || !t->out) {
        SSL_free(t->ssl);
        BIO_free(t->in);
        BIO_free(t->out);
        free(t);
        ERR_clear_error();
        return NULL;
    }
    BIO_set_mem_eof_return(t->in, -1);  /* empty means "wait for more", not the end */
    SSL_set_bio(t->ssl, t->in, t->out); /* the SSL owns them now */
    SSL_set_accept_state(t->ssl);
    return t;
}

void srv_tls_free(srv_tls *t) {
    if (!t) return;
    SSL_free(t->ssl);
    free(t);
}

int srv_tls_feed(srv_tls *t, const char *data, size_t len) {
    return BIO_write(t->in, data, (int)len) == (int)len ? 0 : -1;
}

/* Plaintext out of what was fed: returns the bytes put at buf (0: none until
 * more is fed), or -1 when the connection must end (a failed handshake, an
 * attack, the client's close_notify). */
long srv_tls_read(srv_tls *t, char *buf, size_t cap) {
    int n = SSL_read(t->ssl, buf, (int)(cap > 1 << 30 ? 1 << 30 : cap));
    if (n > 0) return n;
    int e = SSL_get_error(t->ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    if (e == SSL_ERROR_SSL) {
        char why[256];
        ERR_error_string_n(ERR_peek_error(), why, sizeof why);
        srv_log(SRV_LOG_DEBUG, "TLS: %s", why);
    }
    ERR_clear_error();
    return -1;
}

int srv_tls_write(srv_tls *t, const char *data, size_t len) {
    while (len > 0) {
        int n = SSL_write(t->ssl, data, (int)(len > 1 << 30 ? 1 << 30 : len));
        if (n <= 0) {
            ERR_clear_error();
            return -1; /* before the handshake's end nothing can be written: never here */
        }
        data += n, len -= (size_t)n;
    }
    return 0;
}

void srv_tls_close_notify(srv_tls *t) {
    if (SSL_is_init_finished(t->ssl)) SSL_shutdown(t->ssl);
    ERR_clear_error();
}

size_t srv_tls_pending(srv_tls *t) {
    return (size_t)BIO_ctrl_pending(t->out);
}

void srv_tls_take(srv_tls *t, ds_buf *out) {
    char chunk[16384];
    int n;
    while ((n = BIO_read(t->out, chunk, sizeof chunk)) > 0) ds_buf_add(out, chunk, (size_t)n);
}

bool srv_tls_ready(const srv_tls *t) {
    return SSL_is_init_finished(t->ssl);
}
