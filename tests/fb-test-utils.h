/* fb-test-utils.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <CUnit/CUnit.h>
#include <gio/gio.h>
#include <libsoup/soup.h>

#include "fb-demo-server.h"

G_BEGIN_DECLS

typedef struct
{
  const char *name;
  void      (*func) (void);
} FbTestCase;

/* An entry of a suite's FbTestCase table, named after its function. */
#define FB_TEST(func) { #func, func }

/* Runs one CUnit suite; returns 0 only when every test passed. */
int          fb_test_main              (int               argc,
                                        char            **argv,
                                        const char       *suite,
                                        const FbTestCase *tests);

/* Iterates the thread-default main context until *flag is TRUE or
 * @seconds pass; a timeout fails the current test. Returns *flag. */
gboolean     fb_test_wait_flag         (const gboolean   *flag,
                                        double            seconds);
/* Same, polling a predicate. */
gboolean     fb_test_wait_until        (gboolean        (*predicate) (gpointer data),
                                        gpointer          data,
                                        double            seconds);
/* Iterates for @seconds (for "nothing more happens" checks). */
void         fb_test_spin              (double            seconds);
/* This process's open sockets (/proc/self/fd), and a predicate for
 * fb_test_wait_until () that holds when there are GPOINTER_TO_UINT (@n). */
guint        fb_test_count_open_sockets (void);
/* A blocking TCP socket connected to 127.0.0.1:@port (loopback connects
 * complete in the kernel's accept queue, so this never waits on a server
 * run by the calling thread). */
GSocket     *fb_test_connect_loopback  (guint16           port);
gboolean     fb_test_open_sockets_are  (gpointer          n);
/* Waits up to @seconds until @server has @wanted requests in flight. */
gboolean     fb_test_wait_demo_in_flight (FbDemoServer   *server,
                                          guint           wanted,
                                          double          seconds);

char        *fb_test_make_tmpdir       (void);
void         fb_test_rm_rf             (const char       *path);
/* Names in @dir, sorted, NULL-terminated. */
GStrv        fb_test_list_dir          (const char       *dir);
guint        fb_test_count_suffix      (const char       *dir,
                                        const char       *suffix);
/* A port on 127.0.0.1 where nothing listens (connection refused). */
guint        fb_test_refused_port      (void);

/* A SoupServer on 127.0.0.1 (port 0) with routes for every error class:
 *   /file/NAME?size=N[&delay=MS]  N deterministic bytes (fb_test_body)
 *   /hold?ms=MS[&size=N]          answers after MS ms; counts in-flight
 *   /status/CODE[?reason=TEXT]    that status with a short body (libsoup's
 *                                 phrase unless @reason is given)
 *   /stall                        never answers (until the server goes)
 *   /drop                         Content-Length 100000, 1000 bytes, reset
 *   /short                        Content-Length 5000, 2000 bytes, clean close
 *   /partial?size=N&sent=M        Content-Length N, M bytes, then silence (open)
 *   /flaky/NAME?fail=K&size=N[&after=S]
 *                                 503 for the first K requests of NAME (with
 *                                 Retry-After: S), then N bytes
 *   /redirect/N                   302 → /redirect/N-1 … /redirect/0 → file
 *   /loop                         302 → /loop
 *   /chunked?size=N               chunked body, no Content-Length
 *   /ranged/NAME?size=N[&cut=M|&hold=M][&change=1][&noranges=1][&badrange=1][&novalidator=1]
 *                                 N bytes with ETag "v1", honouring Range and
 *                                 If-Range; cut: the first request of NAME is
 *                                 reset after M bytes; hold: the first request
 *                                 sends M bytes, then stays open and silent; change: from the second
 *                                 request on the body is another version with
 *                                 ETag "v2"; noranges: always 200; badrange:
 *                                 206 from the wrong offset; novalidator: no ETag
 */
typedef struct _FbTestServer FbTestServer;

/* FETCHBOARD_TEST_TLS=1: the suite runs again over https, its servers
 * with a certificate from tests/certs/make-certs.sh that the suite trusts
 * alone (SSL_CERT_FILE, set by tests/meson.build). */
gboolean      fb_test_tls                   (void);
/* A file of the build's test certificates (ca.pem, server.pem, …). */
char         *fb_test_cert_path             (const char   *name);

FbTestServer *fb_test_server_new            (void);
void          fb_test_server_free           (FbTestServer *self);
/* "http://127.0.0.1:PORT" (https with FETCHBOARD_TEST_TLS) + path */
char         *fb_test_server_url            (FbTestServer *self,
                                             const char   *path);
guint         fb_test_server_get_in_flight  (FbTestServer *self);
guint         fb_test_server_get_peak       (FbTestServer *self);
guint         fb_test_server_get_requests   (FbTestServer *self);
void          fb_test_server_reset_counts   (FbTestServer *self);

/* A forward proxy on 127.0.0.1: CONNECT tunnels, and absolute-form GETs
 * sent on to their host in origin form (each connection to one host: as
 * a test needs, not a general proxy). With FETCHBOARD_TEST_PROXY=1, every
 * FbTestServer starts one and points http_proxy and https_proxy at it. */
typedef struct _FbTestProxy FbTestProxy;

FbTestProxy  *fb_test_proxy_new             (void);
void          fb_test_proxy_free            (FbTestProxy  *self);
const char   *fb_test_proxy_get_url         (FbTestProxy  *self);
guint         fb_test_proxy_get_tunnels     (FbTestProxy  *self);
guint         fb_test_proxy_get_forwarded   (FbTestProxy  *self);
/* With FETCHBOARD_TEST_PROXY=1, a new proxy that http_proxy and
 * https_proxy now name; else NULL. */
FbTestProxy  *fb_test_proxy_for_env         (void);

/* The deterministic body /file serves: byte i = (i * 31 + 7) & 0xff. */
GBytes       *fb_test_body                  (gsize size);
/* Another version of it (variant 0 is fb_test_body). */
GBytes       *fb_test_body_variant          (gsize size,
                                             guint variant);
/* The Range headers /ranged/NAME was asked with, in order, comma-separated
 * ("-" for a request without one). */
const char   *fb_test_server_get_ranges     (FbTestServer *self,
                                             const char   *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbTestServer, fb_test_server_free)

/* Prints both sides when they differ, then fails the test. */
#define ASSERT_STR(actual, expected)                                              \
  G_STMT_START {                                                                  \
    const char *a_ = (actual), *e_ = (expected);                                  \
    if (g_strcmp0 (a_, e_) != 0)                                                  \
      g_printerr ("\n%s:%d: got \"%s\", expected \"%s\"\n", __FILE__, __LINE__,   \
                  a_ ? a_ : "(null)", e_ ? e_ : "(null)");                        \
    CU_ASSERT_TRUE (g_strcmp0 (a_, e_) == 0);                                     \
  } G_STMT_END

/* The run's four final counters, exactly. */
#define ASSERT_COUNTS(run, ok, not_found, error, cancelled)                      \
  G_STMT_START {                                                                  \
    CU_ASSERT_EQUAL (fb_run_get_n_ok (run), ok);                                  \
    CU_ASSERT_EQUAL (fb_run_get_n_not_found (run), not_found);                    \
    CU_ASSERT_EQUAL (fb_run_get_n_error (run), error);                            \
    CU_ASSERT_EQUAL (fb_run_get_n_cancelled (run), cancelled);                    \
    CU_ASSERT_EQUAL (fb_run_get_n_finished (run),                                 \
                     (ok) + (not_found) + (error) + (cancelled));                 \
  } G_STMT_END

/* The folder holds exactly @names (sorted, NULL-terminated). */
void          fb_test_assert_dir            (const char         *dir,
                                             const char * const *names);

#define ASSERT_DIR(fx, ...)                                      \
  G_STMT_START {                                                 \
    const char *names_[] = { __VA_ARGS__, NULL };                \
    fb_test_assert_dir ((fx)->dir, names_);                      \
  } G_STMT_END

#define ASSERT_DIR_EMPTY(fx)                                     \
  G_STMT_START {                                                 \
    const char *names_[] = { NULL };                             \
    fb_test_assert_dir ((fx)->dir, names_);                      \
  } G_STMT_END

G_END_DECLS
