/* test-faults.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fault matrix: one table of hostile or broken answers, each written
 * byte for byte by a raw server, and for each exactly one outcome, one
 * message, and a folder that holds the body byte for byte or nothing at
 * all (no .part left). tests/meson.build runs it on every path a URL can
 * take: http and https (FETCHBOARD_TEST_TLS=1), each directly and through
 * a proxy (FETCHBOARD_TEST_PROXY=1: whole URLs for http, CONNECT for https).
 */

#include "config.h"

#include <string.h>

#include "fb-run.h"
#include "fb-system.h"
#include "fb-test-utils.h"

#define WAIT_SECONDS 60.0

typedef enum
{
  OK,
  NOT_FOUND,
  ERROR,
} Outcome;

typedef struct
{
  const char *name;
  const char *head;      /* written as it is; "%s" → this server's scheme://host:port */
  gsize       body;      /* then this many bytes of fb_test_body () */
  const char *tail;      /* then this, if not NULL */
  Outcome     outcome;
  const char *message;   /* "%s" → host:port; NULL: the saved-as message is not checked */
  gssize      saved;     /* OK: the file holds fb_test_body (saved), or -1: @tail alone */
  gsize       tail_len;  /* @tail's length, where it holds NUL bytes (0: strlen) */
} Fault;

#define CHUNK_64K "10000\r\n"

static const Fault faults[] = {
  { "whole",
    "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", 5000, NULL,
    OK, NULL, 5000 },
  { "chunked-whole",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" CHUNK_64K, 65536,
    "\r\n0\r\n\r\n", OK, NULL, 65536 },
  { "chunked-cut-before-last-chunk",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" CHUNK_64K, 65536, "\r\n",
    ERROR, "Connection to %s lost after 65536 bytes: Connection terminated unexpectedly", 0 },
  { "chunked-cut-inside-chunk",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" CHUNK_64K, 1000, NULL,
    ERROR, "Connection to %s lost after 1000 bytes: Connection terminated unexpectedly", 0 },
  { "chunk-size-overflows",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n", 0, NULL,
    ERROR, "Bad response from %s: Chunk size too large", 0 },
  { "chunk-size-negative",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-6\r\nhello!\r\n0\r\n\r\n", 0, NULL,
    ERROR, "Bad response from %s: Bad chunk size", 0 },
  { "chunk-size-0x",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x6\r\nhello!\r\n0\r\n\r\n", 0, NULL,
    ERROR, "Bad response from %s: Bad chunk size", 0 },
  { "chunk-without-crlf",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello!6\r\nhello!\r\n0\r\n\r\n",
    0, NULL, ERROR, "Bad response from %s: Chunk not followed by CRLF", 0 },
  { "two-content-lengths",
    "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 7\r\n\r\nhello!!", 0, NULL,
    ERROR, "Bad response from %s: Bad Content-Length", 0 },
  { "content-length-negative",
    "HTTP/1.1 200 OK\r\nContent-Length: -6\r\n\r\nhello!", 0, NULL,
    ERROR, "Bad response from %s: Bad Content-Length", 0 },
  { "content-length-empty",
    "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nhello!", 0, NULL,
    ERROR, "Bad response from %s: Bad Content-Length", 0 },
  { "content-length-plus",
    "HTTP/1.1 200 OK\r\nContent-Length: +6\r\n\r\nhello!", 0, NULL,
    ERROR, "Bad response from %s: Bad Content-Length", 0 },
  { "content-length-2^63",
    "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\nhello!", 0, NULL,
    ERROR, "Bad response from %s: Bad Content-Length", 0 },
  { "folded-header",
    "HTTP/1.1 200 OK\r\nX-Long: a\r\n b\r\nContent-Length: 6\r\n\r\nhello!", 0, NULL,
    ERROR, "Bad response from %s: Folded header line", 0 },
  { "header-without-colon",
    "HTTP/1.1 200 OK\r\nContent-Length 6\r\n\r\nhello!", 0, NULL,
    ERROR, "Bad response from %s: Bad header line", 0 },
  { "bad-status-line",
    "HTTP/1.1 2OO OK\r\nContent-Length: 6\r\n\r\nhello!", 0, NULL,
    ERROR, "Bad response from %s: Bad status line", 0 },
  { "transfer-encoding-gzip-chunked",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n6\r\nhello!\r\n0\r\n\r\n",
    0, NULL, ERROR, "Bad response from %s: Transfer-Encoding “gzip, chunked” is not supported",
    0 },
  { "transfer-encoding-unknown",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\nhello!", 0, NULL,
    ERROR, "Bad response from %s: Transfer-Encoding “xchunked” is not supported", 0 },
  { "body-shorter-than-content-length",
    "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n", 2000, NULL,
    ERROR, "Body from %s ended after 2000 of 5000 bytes", 0 },
  { "body-longer-than-content-length",
    "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n", 4000, NULL,
    OK, NULL, 3000 },
  /* A download manager saves what the server stores: a .tar.gz sent with
   * Content-Encoding: gzip stays gzip, on every path. */
  { "content-encoding-gzip-kept",
    "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 26\r\n\r\n", 0,
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x57\x04\x00"
    "\x2d\xfb\x41\xb6\x06\x00\x00\x00",
    OK, NULL, -1, 26 },
  { "too-many-headers",
    NULL, 0, NULL, ERROR, "Bad response from %s: Too many header lines", 0 },
  { "not-found",
    "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope", 0, NULL,
    NOT_FOUND, "Not found (HTTP 404): %s/f.bin", 0 },
  { "redirect-to-ftp",
    "HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1:21/f.bin\r\nContent-Length: 0\r\n\r\n",
    0, NULL, ERROR, "Redirected to “ftp://127.0.0.1:21/f.bin”, which is not an http or https URL",
    0 },
  { "redirect-to-file",
    "HTTP/1.1 301 Moved\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n",
    0, NULL, ERROR, "Redirected to “file:///etc/passwd”, which is not an http or https URL", 0 },
  { "empty-answer",
    "", 0, NULL, ERROR, "Connection to %s lost after 0 bytes: Connection terminated unexpectedly", 0 },
};

/* ---- a raw server: every connection gets the current fault's bytes ---- */

typedef struct
{
  GSocketService  *service;
  GTlsCertificate *certificate;   /* https */
  GBytes          *answer;
  guint            stream_mib;    /* > 0: after answer, this many MiB of fb_test_body (1 MiB) */
  char            *base;          /* scheme://127.0.0.1:PORT */
  char            *host;          /* 127.0.0.1:PORT */
  FbTestProxy     *proxy;         /* FETCHBOARD_TEST_PROXY=1 */
} RawServer;

static void
raw_written_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GIOStream *stream = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  /* Closing the TLS stream sends close_notify: the bytes end cleanly. */
  g_io_stream_close (stream, NULL, NULL);
  g_object_unref (stream);
}

/* A body made on the fly, a MiB at a time, never held whole. */
typedef struct
{
  GIOStream *stream;
  GBytes    *chunk;
  guint      left;
} StreamData;

static void
stream_next_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  StreamData *sd = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL)
      || sd->left == 0)
    {
      g_io_stream_close (sd->stream, NULL, NULL);
      g_object_unref (sd->stream);
      g_bytes_unref (sd->chunk);
      g_free (sd);
      return;
    }
  sd->left--;
  g_output_stream_write_all_async (G_OUTPUT_STREAM (source), g_bytes_get_data (sd->chunk, NULL),
                                   g_bytes_get_size (sd->chunk), G_PRIORITY_DEFAULT, NULL,
                                   stream_next_cb, sd);
}

/* Reads the request head (to its empty line) before answering, so the
 * answer never races the request. */
static void
raw_read_head_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RawServer *server = g_object_get_data (G_OBJECT (user_data), "raw-server");
  GIOStream *stream = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              NULL);
  GString *seen = g_object_get_data (G_OBJECT (stream), "raw-head");

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      g_object_unref (stream);
      return;
    }
  g_string_append_len (seen, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));
  if (strstr (seen->str, "\r\n\r\n") == NULL)
    {
      g_input_stream_read_bytes_async (g_io_stream_get_input_stream (stream), 4096,
                                       G_PRIORITY_DEFAULT, NULL, raw_read_head_cb, stream);
      return;
    }
  if (server->stream_mib > 0)
    {
      StreamData *sd = g_new0 (StreamData, 1);

      sd->stream = stream;
      sd->left = server->stream_mib;
      sd->chunk = fb_test_body (1024 * 1024);
      g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                       g_bytes_get_data (server->answer, NULL),
                                       g_bytes_get_size (server->answer), G_PRIORITY_DEFAULT,
                                       NULL, stream_next_cb, sd);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (server->answer, NULL),
                                   g_bytes_get_size (server->answer), G_PRIORITY_DEFAULT, NULL,
                                   raw_written_cb, stream);
}

static void
gstring_free (GString *string)
{
  g_string_free (string, TRUE);
}

static void
raw_start (RawServer *server,
           GIOStream *stream)
{
  g_object_set_data (G_OBJECT (stream), "raw-server", server);
  g_object_set_data_full (G_OBJECT (stream), "raw-head", g_string_new (NULL),
                          (GDestroyNotify) gstring_free);
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (stream), 4096,
                                   G_PRIORITY_DEFAULT, NULL, raw_read_head_cb, stream);
}

static void
raw_handshake_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RawServer *server = user_data;
  GIOStream *stream = G_IO_STREAM (source);

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (stream), result, NULL))
    {
      g_object_unref (stream);
      return;
    }
  raw_start (server, stream);
}

static gboolean
raw_incoming_cb (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source,
                 gpointer           user_data)
{
  RawServer *server = user_data;
  GIOStream *tls;

  if (server->certificate == NULL)
    {
      raw_start (server, g_object_ref (G_IO_STREAM (connection)));
      return TRUE;
    }
  tls = g_tls_server_connection_new (G_IO_STREAM (connection), server->certificate, NULL);
  g_assert_nonnull (tls);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                    raw_handshake_cb, server);
  return TRUE;
}

static RawServer *
raw_server_new (void)
{
  RawServer *server = g_new0 (RawServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = fb_system_listen_loopback (0, 128, &error);
  g_autoptr(GSocketAddress) address = NULL;

  g_assert_no_error (error);
  if (fb_test_tls ())
    {
      g_autofree char *cert = fb_test_cert_path ("server.pem");
      g_autofree char *key = fb_test_cert_path ("server-key.pem");

      server->certificate = g_tls_certificate_new_from_files (cert, key, &error);
      g_assert_no_error (error);
    }
  server->service = g_socket_service_new ();
  g_socket_listener_add_socket (G_SOCKET_LISTENER (server->service), socket, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (server->service, "incoming", G_CALLBACK (raw_incoming_cb), server);
  address = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  server->host = g_strdup_printf ("127.0.0.1:%u",
                                  g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
  server->base = g_strdup_printf ("%s://%s", fb_test_tls () ? "https" : "http", server->host);
  server->proxy = fb_test_proxy_for_env ();
  return server;
}

static void
raw_server_free (RawServer *server)
{
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_signal_handlers_disconnect_by_data (server->service, server);
  g_clear_object (&server->service);
  g_clear_object (&server->certificate);
  g_clear_pointer (&server->proxy, fb_test_proxy_free);
  g_clear_pointer (&server->answer, g_bytes_unref);
  g_free (server->base);
  g_free (server->host);
  g_free (server);
}

static GBytes *
answer_for (const Fault *fault)
{
  GString *answer = g_string_new (NULL);

  if (fault->head == NULL)
    {
      /* too-many-headers: one more than the parser's 128 */
      g_string_append (answer, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n");
      for (guint i = 0; i < 128; i++)
        g_string_append_printf (answer, "X-Header-%u: %u\r\n", i, i);
      g_string_append (answer, "\r\nhello!");
    }
  else
    g_string_append (answer, fault->head);
  if (fault->body > 0)
    {
      g_autoptr(GBytes) body = fb_test_body (fault->body);

      g_string_append_len (answer, g_bytes_get_data (body, NULL), (gssize) fault->body);
    }
  if (fault->tail != NULL)
    g_string_append_len (answer, fault->tail,
                         (gssize) (fault->tail_len > 0 ? fault->tail_len : strlen (fault->tail)));
  return g_string_free_to_bytes (answer);
}

/* ---- the matrix ---- */

static void
finished_cb (FbRun    *run,
             gboolean *finished)
{
  *finished = TRUE;
}

static void
check_fault (RawServer   *server,
             const Fault *fault)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *url = g_strconcat (server->base, "/f.bin", NULL);
  g_autoptr(FbRun) run = fb_run_new ();
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);
  g_auto(GStrv) names = NULL;
  gboolean finished = FALSE;
  FbJobState expected_state = fault->outcome == OK ? FB_JOB_STATE_OK
                              : fault->outcome == NOT_FOUND ? FB_JOB_STATE_NOT_FOUND
                              : FB_JOB_STATE_ERROR;

  guint through_proxy = server->proxy == NULL ? 0
                        : fb_test_tls () ? fb_test_proxy_get_tunnels (server->proxy)
                        : fb_test_proxy_get_forwarded (server->proxy);

  g_clear_pointer (&server->answer, g_bytes_unref);
  server->answer = answer_for (fault);
  fb_run_set_destination (run, dir);
  /* No answer here stalls: a long timeout keeps slow (sanitizer) runs honest. */
  fb_run_set_timeout (run, 30.0);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), &finished);
  fb_run_add_job (run, job);
  fb_run_start (run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&finished, WAIT_SECONDS));
  /* Proxied: each answer went through the proxy (a tunnel per https
   * request, a forwarded request for http), none around it. */
  if (server->proxy != NULL)
    CU_ASSERT_EQUAL (fb_test_tls () ? fb_test_proxy_get_tunnels (server->proxy)
                                    : fb_test_proxy_get_forwarded (server->proxy),
                     through_proxy + 1);

  if (fb_job_get_state (job) != expected_state)
    g_printerr ("\n%s: state %s, message “%s”\n", fault->name,
                fb_job_state_to_string (fb_job_get_state (job)), fb_job_get_message (job));
  CU_ASSERT_EQUAL (fb_job_get_state (job), expected_state);
  if (fault->message != NULL)
    {
      g_autofree char *message = g_strdup_printf (fault->message,
                                                  fault->outcome == NOT_FOUND ? server->base
                                                                              : server->host);

      if (g_strcmp0 (fb_job_get_message (job), message) != 0)
        g_printerr ("\n%s: ", fault->name);
      ASSERT_STR (fb_job_get_message (job), message);
    }

  names = fb_test_list_dir (dir);
  if (fault->outcome == OK)
    {
      g_autofree char *path = g_build_filename (dir, "f.bin", NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_autoptr(GBytes) expected = fault->saved >= 0
                                   ? fb_test_body ((gsize) fault->saved)
                                   : g_bytes_new_static (fault->tail, fault->tail_len);

      CU_ASSERT_EQUAL (g_strv_length (names), 1);
      CU_ASSERT_TRUE_FATAL (g_file_get_contents (path, &contents, &length, NULL));
      CU_ASSERT_TRUE (length == g_bytes_get_size (expected)
                      && memcmp (contents, g_bytes_get_data (expected, NULL), length) == 0);
    }
  else
    {
      /* Nothing saved, no .part left behind. */
      if (g_strv_length (names) != 0)
        g_printerr ("\n%s: left %s\n", fault->name, names[0]);
      CU_ASSERT_EQUAL (g_strv_length (names), 0);
    }
  fb_test_rm_rf (dir);
}

static void
test_faults_one_outcome_per_answer (void)
{
  RawServer *server = raw_server_new ();

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    check_fault (server, &faults[i]);
  raw_server_free (server);
}

/* Peak resident memory so far (VmHWM), in KiB. */
static guint64
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmHWM:");
  return line != NULL ? g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10) : 0;
}

/* A body far larger than any buffer streams to the disk: the process's
 * peak memory grows by a few buffers, not by the body (without
 * AddressSanitizer, whose quarantine keeps freed buffers on purpose). */
static void
test_faults_large_body_streams_in_bounded_memory (void)
{
#if defined (__SANITIZE_ADDRESS__)
  const guint mib = 16;   /* memory safety only: AddressSanitizer is ~20 times slower */
#else
  const guint mib = 96;
#endif
  RawServer *server = raw_server_new ();
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *url = g_strconcat (server->base, "/big.bin", NULL);
  g_autofree char *path = g_build_filename (dir, "big.bin", NULL);
  g_autoptr(FbRun) run = fb_run_new ();
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);
  g_autoptr(GBytes) chunk = fb_test_body (1024 * 1024);
  g_autoptr(GFileInputStream) in = NULL;
  g_autofree guint8 *read_back = g_malloc (1024 * 1024);
  gboolean finished = FALSE;
  guint64 before;

  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
                                           mib * 1024 * 1024);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  server->answer = g_bytes_new (head, strlen (head));
  server->stream_mib = mib;
  fb_run_set_destination (run, dir);
  fb_run_set_timeout (run, 10.0);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), &finished);
  fb_run_add_job (run, job);
  before = peak_rss_kib ();
  (void) before;
  fb_run_start (run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&finished, 120.0));

  ASSERT_STR (fb_job_get_message (job), "Saved as big.bin");
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), (guint64) mib * 1024 * 1024);
  in = g_file_read (file, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (in);
  for (guint i = 0; i < mib; i++)
    {
      gsize got = 0;

      g_input_stream_read_all (G_INPUT_STREAM (in), read_back, 1024 * 1024, &got, NULL, NULL);
      CU_ASSERT_EQUAL (got, 1024 * 1024);
      if (got != 1024 * 1024 || memcmp (read_back, g_bytes_get_data (chunk, NULL), got) != 0)
        {
          CU_FAIL ("the saved body differs");
          break;
        }
    }
#if !defined (__SANITIZE_ADDRESS__)
  guint64 grown = peak_rss_kib () - before;

  if (grown >= 32 * 1024)
    g_printerr ("\npeak memory grew by %" G_GUINT64_FORMAT " KiB for a %u MiB body\n", grown, mib);
  CU_ASSERT_TRUE (grown < 32 * 1024);
#endif
  g_clear_object (&in);
  fb_test_rm_rf (dir);
  raw_server_free (server);
}

static const FbTestCase tests[] = {
  FB_TEST (test_faults_one_outcome_per_answer),
  FB_TEST (test_faults_large_body_streams_in_bounded_memory),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "faults", tests);
}
