/* fb-test-utils.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-test-utils"

#include "config.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "fb-system.h"
#include "fb-test-utils.h"

int
fb_test_main (int               argc,
              char            **argv,
              const char       *suite_name,
              const FbTestCase *tests)
{
  CU_pSuite suite;
  const char *only = argc > 1 ? argv[1] : NULL;
  unsigned int failures;
  unsigned int run;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 1;

  suite = CU_add_suite (suite_name, NULL, NULL);
  for (const FbTestCase *t = tests; t->name != NULL; t++)
    {
      if (only != NULL && strstr (t->name, only) == NULL)
        continue;
      CU_add_test (suite, t->name, t->func);
    }

  CU_basic_set_mode (CU_BRM_VERBOSE);
  CU_basic_run_tests ();
  failures = CU_get_number_of_failures () + CU_get_number_of_tests_failed ();
  run = CU_get_number_of_tests_run ();
  CU_cleanup_registry ();

  if (run == 0)
    {
      g_printerr ("no test ran\n");
      return 1;
    }
  return failures == 0 ? 0 : 1;
}

gboolean
fb_test_wait_until (gboolean (*predicate) (gpointer data),
                    gpointer   data,
                    double     seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          CU_FAIL ("timed out waiting for the main loop");
          return FALSE;
        }
      g_main_context_iteration (NULL, FALSE) || (g_usleep (200), TRUE);
    }
  return TRUE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(const gboolean *) data;
}

gboolean
fb_test_wait_flag (const gboolean *flag,
                   double          seconds)
{
  return fb_test_wait_until (flag_is_set, (gpointer) flag, seconds);
}

void
fb_test_spin (double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (200), TRUE);
}

char *
fb_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("fetchboard-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

guint
fb_test_count_open_sockets (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:"))
        n++;
    }
  return n;
}

GSocket *
fb_test_connect_loopback (guint16 port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  return socket;
}

gboolean
fb_test_open_sockets_are (gpointer n)
{
  return fb_test_count_open_sockets () == GPOINTER_TO_UINT (n);
}

void
fb_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;
  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          fb_test_rm_rf (child);
        }
    }
  g_remove (path);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

GStrv
fb_test_list_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

void
fb_test_assert_dir (const char         *dir,
                    const char * const *names)
{
  g_auto(GStrv) found = fb_test_list_dir (dir);
  g_autofree char *found_text = g_strjoinv ("|", found);
  g_autofree char *expected_text = g_strjoinv ("|", (GStrv) names);

  ASSERT_STR (found_text, expected_text);
}

guint
fb_test_count_suffix (const char *path,
                      const char *suffix)
{
  g_auto(GStrv) names = fb_test_list_dir (path);
  guint n = 0;

  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_suffix (names[i], suffix))
      n++;
  return n;
}

guint
fb_test_refused_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  /* Bound but never listening: connections to it are refused. */
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

GBytes *
fb_test_body (gsize size)
{
  return fb_test_body_variant (size, 0);
}

GBytes *
fb_test_body_variant (gsize size,
                      guint variant)
{
  guint8 *data = g_malloc (size + 1);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 31 + 7 + variant * 101) & 0xff);
  return g_bytes_new_take (data, size);
}

/* ---- the test server ---- */

struct _FbTestServer
{
  SoupServer *server;
  char       *base;
  const char *scheme;
  GPtrArray  *paused;     /* SoupServerMessage* held by /stall */
  GHashTable *timers;     /* GSource* → NULL */
  GPtrArray  *held;       /* GIOStream* kept open by /partial */
  GHashTable *flaky;      /* /flaky NAME → requests so far */
  GHashTable *ranged;     /* /ranged NAME → GString of the Range headers seen */
  FbTestProxy *proxy;     /* FETCHBOARD_TEST_PROXY=1: the one the environment names */
  GCancellable *writes;   /* the async writes of /partial */
  guint       pending_writes;
  guint       in_flight;
  guint       peak;
  guint       requests;
};

typedef struct
{
  FbTestServer      *server;
  SoupServerMessage *msg;
  GSource           *source;
  gsize              size;
} HoldData;

static void
set_nodelay (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    FbTestServer      *self)
{
  set_nodelay (msg);
  self->requests++;
  self->in_flight++;
  self->peak = MAX (self->peak, self->in_flight);
}

static void
request_done_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 FbTestServer      *self)
{
  if (self->in_flight > 0)
    self->in_flight--;
}

static gsize
query_size (GHashTable *query,
            const char *key,
            gsize       fallback)
{
  const char *value = query != NULL ? g_hash_table_lookup (query, key) : NULL;

  return value != NULL ? (gsize) g_ascii_strtoull (value, NULL, 10) : fallback;
}

static void
respond_body (SoupServerMessage *msg,
              gsize              size)
{
  g_autoptr(GBytes) body = fb_test_body (size);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (size > 0)
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "application/octet-stream", NULL);
}

static gboolean
hold_done_cb (gpointer user_data)
{
  HoldData *hold = user_data;

  respond_body (hold->msg, hold->size);
  soup_server_message_unpause (hold->msg);
  g_hash_table_remove (hold->server->timers, hold->source);
  return G_SOURCE_REMOVE;
}

static void
hold_free (gpointer user_data)
{
  HoldData *hold = user_data;

  g_object_unref (hold->msg);
  g_free (hold);
}

static void
hold_message (FbTestServer      *self,
              SoupServerMessage *msg,
              guint              ms,
              gsize              size)
{
  HoldData *hold = g_new0 (HoldData, 1);

  hold->server = self;
  hold->msg = g_object_ref (msg);
  hold->size = size;
  hold->source = g_timeout_source_new (ms);
  g_source_set_callback (hold->source, hold_done_cb, hold, hold_free);
  g_hash_table_add (self->timers, hold->source);
  g_source_attach (hold->source, NULL);
  soup_server_message_pause (msg);
}

static void
write_raw_and_close (SoupServerMessage *msg,
                     const char        *head,
                     gsize              body_bytes,
                     gboolean           reset)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);
  GOutputStream *out = g_io_stream_get_output_stream (stream);
  g_autoptr(GBytes) body = fb_test_body (body_bytes);

  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, g_bytes_get_data (body, NULL), body_bytes, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  if (reset && G_IS_SOCKET_CONNECTION (stream))
    {
      GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
      struct linger lin = { 1, 0 };

      setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
    }
  g_io_stream_close (stream, NULL, NULL);
}

static void
partial_written_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  FbTestServer *self = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  self->pending_writes--;
}

/* Announces @size bytes, sends @sent of them, then keeps the connection
 * open and silent: the client holds a partial body for as long as it waits. */
static void
write_partial (FbTestServer      *self,
               SoupServerMessage *msg,
               gsize              size,
               gsize              sent,
               const char        *extra_headers)
{
  GIOStream *stream = soup_server_message_steal_connection (msg);
  GOutputStream *out = g_io_stream_get_output_stream (stream);
  g_autoptr(GBytes) body = fb_test_body (sent);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %" G_GSIZE_FORMAT
                                           "\r\n%s\r\n", size, extra_headers);
  GByteArray *all = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;

  g_byte_array_append (all, (const guint8 *) head, strlen (head));
  g_byte_array_append (all, g_bytes_get_data (body, NULL), sent);
  bytes = g_byte_array_free_to_bytes (all);
  g_ptr_array_add (self->held, stream);
  self->pending_writes++;
  /* Asynchronous: the client reads on this same main loop. */
  g_output_stream_write_all_async (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, self->writes, partial_written_cb, self);
  g_object_set_data_full (G_OBJECT (out), "fb-test-partial", g_steal_pointer (&bytes),
                          (GDestroyNotify) g_bytes_unref);
}

static void
fb_test_string_free (gpointer string)
{
  g_string_free (string, TRUE);
}

/* /ranged/NAME: a body that honours Range and If-Range, see the header. */
static void
respond_ranged (FbTestServer      *self,
                SoupServerMessage *msg,
                const char        *name,
                GHashTable        *query)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *range = soup_message_headers_get_one (request, "Range");
  const char *if_range = soup_message_headers_get_one (request, "If-Range");
  GString *seen = g_hash_table_lookup (self->ranged, name);
  gsize size = query_size (query, "size", 1000);
  gboolean first = seen == NULL;
  gboolean changed = !first && query != NULL && g_hash_table_contains (query, "change");
  const char *etag = changed ? "\"v2\"" : "\"v1\"";
  g_autoptr(GBytes) body = fb_test_body_variant (size, changed ? 2 : 0);
  guint64 from = 0;

  if (seen == NULL)
    {
      seen = g_string_new (NULL);
      g_hash_table_insert (self->ranged, g_strdup (name), seen);
    }
  else
    g_string_append_c (seen, ',');
  g_string_append (seen, range != NULL ? range : "-");

  if (first && query_size (query, "hold", 0) > 0)
    {
      /* A transfer that stops half-way and stays open (as a process
       * killed in the middle of the body last saw it). */
      write_partial (self, msg, size, query_size (query, "hold", 0), "ETag: \"v1\"\r\n");
      return;
    }
  if (first && query_size (query, "cut", 0) > 0)
    {
      /* A transfer that breaks half-way: the connection is reset. */
      g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
                                               "ETag: \"v1\"\r\n\r\n", size);

      write_raw_and_close (msg, head, query_size (query, "cut", 0), TRUE);
      return;
    }

  if (query == NULL || !g_hash_table_contains (query, "novalidator"))
    soup_message_headers_replace (headers, "ETag", etag);
  if (range != NULL && g_str_has_prefix (range, "bytes=") && g_str_has_suffix (range, "-")
      && (if_range == NULL || g_str_equal (if_range, etag))
      && (query == NULL || !g_hash_table_contains (query, "noranges")))
    from = g_ascii_strtoull (range + strlen ("bytes="), NULL, 10);
  if (from > 0 && from < size)
    {
      g_autofree char *content_range = NULL;
      /* ?badrange: a range that starts elsewhere than asked. */
      guint64 start = query != NULL && g_hash_table_contains (query, "badrange") ? from / 2 : from;

      content_range = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%zu/%zu", start, size - 1, size);
      soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
      soup_message_headers_replace (headers, "Content-Range", content_range);
      soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_COPY,
                                (const guint8 *) g_bytes_get_data (body, NULL) + start,
                                size - start);
      return;
    }
  /* SoupServer would cut a 200 to the Range itself, If-Range or not. */
  soup_message_headers_remove (request, "Range");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

const char *
fb_test_server_get_ranges (FbTestServer *self,
                           const char   *name)
{
  GString *seen = g_hash_table_lookup (self->ranged, name);

  return seen != NULL ? seen->str : "";
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  FbTestServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (g_str_has_prefix (path, "/file/"))
    {
      guint delay = (guint) query_size (query, "delay", 0);

      if (delay > 0)
        hold_message (self, msg, delay, query_size (query, "size", 1000));
      else
        respond_body (msg, query_size (query, "size", 1000));
    }
  else if (g_str_equal (path, "/hold"))
    hold_message (self, msg, (guint) query_size (query, "ms", 100), query_size (query, "size", 100));
  else if (g_str_has_prefix (path, "/status/"))
    {
      guint status = (guint) g_ascii_strtoull (path + strlen ("/status/"), NULL, 10);
      const char *reason = query != NULL ? g_hash_table_lookup (query, "reason") : NULL;

      soup_server_message_set_status (msg, status, reason);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "status\n", 7);
    }
  else if (g_str_has_prefix (path, "/ranged/"))
    respond_ranged (self, msg, path + strlen ("/ranged/"), query);
  else if (g_str_equal (path, "/stall"))
    {
      g_ptr_array_add (self->paused, g_object_ref (msg));
      soup_server_message_pause (msg);
    }
  else if (g_str_equal (path, "/drop"))
    write_raw_and_close (msg, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", 1000, TRUE);
  else if (g_str_equal (path, "/short"))
    write_raw_and_close (msg, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n",
                         2000, FALSE);
  else if (g_str_equal (path, "/partial"))
    write_partial (self, msg, query_size (query, "size", 1000000),
                   query_size (query, "sent", 500000), "");
  else if (g_str_has_prefix (path, "/flaky/"))
    {
      const char *name = path + strlen ("/flaky/");
      guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (self->flaky, name));

      g_hash_table_insert (self->flaky, g_strdup (name), GUINT_TO_POINTER (seen + 1));
      if (seen < query_size (query, "fail", 1))
        {
          guint after = query_size (query, "after", 0);

          soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
          soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "busy\n", 5);
          if (after > 0)
            {
              g_autofree char *value = g_strdup_printf ("%u", after);

              soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                            "Retry-After", value);
            }
        }
      else
        respond_body (msg, query_size (query, "size", 1000));
    }
  else if (g_str_has_prefix (path, "/redirect/"))
    {
      guint n = (guint) g_ascii_strtoull (path + strlen ("/redirect/"), NULL, 10);
      g_autofree char *next = n > 0 ? g_strdup_printf ("/redirect/%u", n - 1)
                                    : g_strdup ("/file/redirected.bin?size=321");

      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, next);
    }
  else if (g_str_equal (path, "/loop"))
    soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, "/loop");
  else if (g_str_equal (path, "/chunked"))
    {
      g_autoptr(GBytes) body = fb_test_body (query_size (query, "size", 1000));

      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
      soup_message_body_complete (soup_server_message_get_response_body (msg));
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

gboolean
fb_test_tls (void)
{
  return g_strcmp0 (g_getenv ("FETCHBOARD_TEST_TLS"), "1") == 0;
}

char *
fb_test_cert_path (const char *name)
{
  const char *build = g_getenv ("FETCHBOARD_BUILD_ROOT");

  g_assert_nonnull (build);
  return g_build_filename (build, "tests", name, NULL);
}

/* ---- a forward proxy for the tests' proxied runs ---- */

struct _FbTestProxy
{
  GSocketService *service;
  GSocketClient  *client;
  char           *url;
  GCancellable   *cancel;   /* cancelled when it goes: its connections' reads end */
  guint           tunnels;
  guint           forwarded;
};

/* A connection still reading its head when the proxy goes (the test that
 * made it is over) must not touch the proxy: it holds the cancellable. */
typedef struct
{
  FbTestProxy  *proxy;      /* not to be touched once cancel is cancelled */
  GCancellable *cancel;
  GIOStream    *downstream;
  GString     *head;
  char        *first;     /* what goes upstream first: the rewritten head */
} ProxyConn;

static void
proxy_conn_free (ProxyConn *pc)
{
  g_clear_object (&pc->cancel);
  g_clear_object (&pc->downstream);
  g_string_free (pc->head, TRUE);
  g_free (pc->first);
  g_free (pc);
}

static void
proxy_spliced_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

static void
proxy_splice (GIOStream *a,
              GIOStream *b)
{
  g_io_stream_splice_async (a, b, G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, proxy_spliced_cb, NULL);
}

static void
proxy_upstream_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ProxyConn *pc = user_data;
  g_autoptr(GSocketConnection) upstream = g_socket_client_connect_to_host_finish (
      G_SOCKET_CLIENT (source), result, NULL);
  GOutputStream *out;

  if (upstream == NULL)
    {
      const char *refused = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";

      g_output_stream_write_all (g_io_stream_get_output_stream (pc->downstream), refused,
                                 strlen (refused), NULL, NULL, NULL);
      proxy_conn_free (pc);
      return;
    }
  if (pc->first != NULL)
    out = g_io_stream_get_output_stream (G_IO_STREAM (upstream));
  else
    {
      const char *ok = "HTTP/1.1 200 Connection established\r\n\r\n";

      out = g_io_stream_get_output_stream (pc->downstream);
      pc->first = g_strdup (ok);
    }
  /* Small and on loopback: written at once. */
  g_output_stream_write_all (out, pc->first, strlen (pc->first), NULL, NULL, NULL);
  proxy_splice (pc->downstream, G_IO_STREAM (upstream));
  proxy_conn_free (pc);
}

/* The request head is in: CONNECT host:port, or GET http://host:port/path. */
static void
proxy_route (ProxyConn *pc)
{
  char *line_end = strstr (pc->head->str, "\r\n");
  g_auto(GStrv) words = NULL;
  g_autofree char *line = NULL;

  g_assert (line_end != NULL);
  line = g_strndup (pc->head->str, (gsize) (line_end - pc->head->str));
  words = g_strsplit (line, " ", 3);
  if (g_strv_length (words) == 3 && g_str_equal (words[0], "CONNECT"))
    {
      pc->proxy->tunnels++;
      g_socket_client_connect_to_host_async (pc->proxy->client, words[1], 443, NULL,
                                             proxy_upstream_cb, pc);
      return;
    }
  if (g_strv_length (words) == 3 && g_str_has_prefix (words[1], "http://"))
    {
      g_autoptr(GUri) uri = g_uri_parse (words[1], G_URI_FLAGS_ENCODED, NULL);
      g_autofree char *target = NULL;

      g_assert_nonnull (uri);
      target = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri) > 0
                                                                ? g_uri_get_port (uri) : 80);
      /* Origin-form upstream, the rest of the head as it came. */
      pc->first = g_strconcat (words[0], " ", *g_uri_get_path (uri) ? g_uri_get_path (uri) : "/",
                               g_uri_get_query (uri) ? "?" : "",
                               g_uri_get_query (uri) ? g_uri_get_query (uri) : "",
                               " ", words[2], line_end, NULL);
      pc->proxy->forwarded++;
      g_socket_client_connect_to_host_async (pc->proxy->client, target, 80, NULL,
                                             proxy_upstream_cb, pc);
      return;
    }
  proxy_conn_free (pc);
}

static void
proxy_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ProxyConn *pc = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0 || g_cancellable_is_cancelled (pc->cancel))
    {
      proxy_conn_free (pc);
      return;
    }
  g_string_append_len (pc->head, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));
  if (strstr (pc->head->str, "\r\n\r\n") == NULL)
    {
      /* One byte at a time: nothing past the head is taken from the
       * stream, so the splice carries the rest. */
      g_input_stream_read_bytes_async (G_INPUT_STREAM (source), 1, G_PRIORITY_DEFAULT,
                                       pc->cancel, proxy_read_cb, pc);
      return;
    }
  proxy_route (pc);
}

static gboolean
proxy_incoming_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source,
                   gpointer           user_data)
{
  ProxyConn *pc = g_new0 (ProxyConn, 1);

  pc->proxy = user_data;
  pc->cancel = g_object_ref (pc->proxy->cancel);
  pc->downstream = g_object_ref (G_IO_STREAM (connection));
  pc->head = g_string_new (NULL);
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (pc->downstream), 1,
                                   G_PRIORITY_DEFAULT, pc->cancel, proxy_read_cb, pc);
  return TRUE;
}

FbTestProxy *
fb_test_proxy_new (void)
{
  FbTestProxy *self = g_new0 (FbTestProxy, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = fb_system_listen_loopback (0, 1024, &error);
  g_autoptr(GSocketAddress) address = NULL;

  g_assert_no_error (error);
  self->service = g_socket_service_new ();
  self->cancel = g_cancellable_new ();
  self->client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (self->client, FALSE);
  g_socket_listener_add_socket (G_SOCKET_LISTENER (self->service), socket, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (self->service, "incoming", G_CALLBACK (proxy_incoming_cb), self);
  address = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  self->url = g_strdup_printf ("http://127.0.0.1:%u",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
  return self;
}

void
fb_test_proxy_free (FbTestProxy *self)
{
  if (self == NULL)
    return;
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_signal_handlers_disconnect_by_data (self->service, self);
  g_cancellable_cancel (self->cancel);
  g_clear_object (&self->cancel);
  g_clear_object (&self->service);
  g_clear_object (&self->client);
  g_free (self->url);
  g_free (self);
}

const char *
fb_test_proxy_get_url (FbTestProxy *self)
{
  return self->url;
}

guint
fb_test_proxy_get_tunnels (FbTestProxy *self)
{
  return self->tunnels;
}

guint
fb_test_proxy_get_forwarded (FbTestProxy *self)
{
  return self->forwarded;
}

/* FETCHBOARD_TEST_PROXY=1: every test server comes with a proxy that the
 * environment names, as a user's http_proxy and https_proxy would. */
FbTestProxy *
fb_test_proxy_for_env (void)
{
  FbTestProxy *proxy;

  if (g_strcmp0 (g_getenv ("FETCHBOARD_TEST_PROXY"), "1") != 0)
    return NULL;
  proxy = fb_test_proxy_new ();
  g_setenv ("http_proxy", proxy->url, TRUE);
  g_setenv ("https_proxy", proxy->url, TRUE);
  g_unsetenv ("no_proxy");
  g_unsetenv ("NO_PROXY");
  return proxy;
}

FbTestServer *
fb_test_server_new (void)
{
  g_autoptr(GError) error = NULL;
  FbTestServer *self = g_new0 (FbTestServer, 1);
  GSList *uris;

  self->server = soup_server_new ("server-header", "fetchboard-test ", NULL);
  self->paused = g_ptr_array_new_with_free_func (g_object_unref);
  self->timers = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) g_source_destroy, NULL);
  self->held = g_ptr_array_new_with_free_func (g_object_unref);
  self->flaky = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->ranged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, fb_test_string_free);
  self->proxy = fb_test_proxy_for_env ();
  self->writes = g_cancellable_new ();
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_done_cb), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (request_done_cb), self);
  {
    g_autoptr(GSocket) socket = fb_system_listen_loopback (0, 1024, &error);
    gboolean tls = fb_test_tls ();

    g_assert_no_error (error);
    if (tls)
      {
        g_autofree char *cert = fb_test_cert_path ("server.pem");
        g_autofree char *key = fb_test_cert_path ("server-key.pem");
        g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files (cert, key,
                                                                                  &error);

        g_assert_no_error (error);
        soup_server_set_tls_certificate (self->server, certificate);
      }
    soup_server_listen_socket (self->server, socket, tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &error);
    g_assert_no_error (error);
    self->scheme = tls ? "https" : "http";
  }

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->base = g_strdup_printf ("%s://127.0.0.1:%d", self->scheme, g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return self;
}

static gboolean
no_pending_writes (gpointer data)
{
  return ((FbTestServer *) data)->pending_writes == 0;
}

void
fb_test_server_free (FbTestServer *self)
{
  if (self == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->server, self);
  g_hash_table_destroy (self->timers);
  /* Unfinished /partial writes end (cancelled) before their streams go. */
  g_cancellable_cancel (self->writes);
  fb_test_wait_until (no_pending_writes, self, 5);
  for (guint i = 0; i < self->held->len; i++)
    g_io_stream_close (self->held->pdata[i], NULL, NULL);
  g_ptr_array_free (self->held, TRUE);
  g_hash_table_destroy (self->flaky);
  g_hash_table_destroy (self->ranged);
  g_clear_pointer (&self->proxy, fb_test_proxy_free);
  g_object_unref (self->writes);
  soup_server_disconnect (self->server);
  g_ptr_array_free (self->paused, TRUE);
  g_object_unref (self->server);
  g_free (self->base);
  g_free (self);
}

char *
fb_test_server_url (FbTestServer *self,
                    const char   *path)
{
  return g_strconcat (self->base, path, NULL);
}

guint
fb_test_server_get_in_flight (FbTestServer *self)
{
  return self->in_flight;
}

guint
fb_test_server_get_peak (FbTestServer *self)
{
  return self->peak;
}

guint
fb_test_server_get_requests (FbTestServer *self)
{
  return self->requests;
}

void
fb_test_server_reset_counts (FbTestServer *self)
{
  self->peak = self->in_flight;
  self->requests = 0;
}

static gboolean
demo_in_flight_is (gpointer data)
{
  gpointer *args = data;

  return fb_demo_server_get_in_flight (args[0]) == GPOINTER_TO_UINT (args[1]);
}

gboolean
fb_test_wait_demo_in_flight (FbDemoServer *server,
                             guint         wanted,
                             double        seconds)
{
  gpointer args[2] = { server, GUINT_TO_POINTER (wanted) };

  return fb_test_wait_until (demo_in_flight_is, args, seconds);
}
