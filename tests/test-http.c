/* test-http.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lean HTTP/1.1 client: its parser fed whole, byte by byte and in odd
 * splits, and its connection pool against a raw server on 127.0.0.1 that
 * counts connections (keep-alive reuse, stale connections, close).
 */

#include "config.h"

#include <string.h>

#include "fb-http.h"
#include "fb-test-fetch.h"
#include "fb-test-utils.h"

#define WAIT_SECONDS 10.0

/* ---- the parser ---- */

typedef struct
{
  GByteArray       *body;
  guint             heads;
  gboolean          done;
  GError           *error;
} Parsed;

/* Feeds @text to @parser in pieces of @step bytes (0: all at once), keeping
 * what it did not consume as a connection would, until DONE or ERROR. */
static void
feed_in_steps (FbHttpParser *parser,
               const char   *text,
               gsize         size,
               gsize         step,
               Parsed       *out)
{
  GByteArray *pending = g_byte_array_new ();
  gsize offered = 0;

  memset (out, 0, sizeof *out);
  out->body = g_byte_array_new ();
  while (!out->done && out->error == NULL)
    {
      gsize consumed = 0;
      const guint8 *body = NULL;
      gsize body_size = 0;
      FbHttpParseResult result;

      result = fb_http_parser_feed (parser, pending->data, pending->len, &consumed, &body,
                                    &body_size, &out->error);
      if (result == FB_HTTP_PARSE_BODY)
        g_byte_array_append (out->body, body, (guint) body_size);
      g_byte_array_remove_range (pending, 0, (guint) consumed);
      switch (result)
        {
        case FB_HTTP_PARSE_HEAD:
          out->heads++;
          break;
        case FB_HTTP_PARSE_DONE:
          out->done = TRUE;
          break;
        case FB_HTTP_PARSE_NEED_MORE:
          if (offered == size)
            {
              if (fb_http_parser_feed_eof (parser, &out->error) == FB_HTTP_PARSE_DONE)
                out->done = TRUE;
              break;
            }
          {
            gsize n = step == 0 ? size - offered : MIN (step, size - offered);

            g_byte_array_append (pending, (const guint8 *) text + offered, (guint) n);
            offered += n;
          }
          break;
        case FB_HTTP_PARSE_BODY:
        case FB_HTTP_PARSE_ERROR:
        default:
          break;
        }
    }
  g_byte_array_unref (pending);
}

static void
parsed_clear (Parsed *parsed)
{
  g_byte_array_unref (parsed->body);
  g_clear_error (&parsed->error);
}

static void
test_http_parser_reads_status_line (void)
{
  const char *text = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy";
  g_autoptr(GError) error = NULL;
  FbHttpParser *parser = fb_http_parser_new ();
  Parsed parsed;

  feed_in_steps (parser, text, strlen (text), 0, &parsed);
  CU_ASSERT_PTR_NULL (parsed.error);
  CU_ASSERT_TRUE (parsed.done);
  CU_ASSERT_EQUAL (parsed.heads, 1);
  CU_ASSERT_EQUAL (fb_http_parser_get_status (parser), 503);
  CU_ASSERT_EQUAL (fb_http_parser_get_minor (parser), 1);
  CU_ASSERT_STRING_EQUAL (fb_http_parser_get_reason (parser), "Service Unavailable");
  CU_ASSERT_EQUAL (fb_http_parser_get_content_length (parser), 4);
  CU_ASSERT_TRUE (fb_http_parser_get_keep_alive (parser));
  CU_ASSERT_EQUAL (parsed.body->len, 4);
  CU_ASSERT_TRUE (memcmp (parsed.body->data, "busy", 4) == 0);
  parsed_clear (&parsed);

  /* An empty reason, and an interim 100 Continue skipped. */
  fb_http_parser_reset (parser);
  text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 418\r\nContent-Length: 0\r\n\r\n";
  feed_in_steps (parser, text, strlen (text), 0, &parsed);
  CU_ASSERT_TRUE (parsed.done);
  CU_ASSERT_EQUAL (parsed.heads, 1);
  CU_ASSERT_EQUAL (fb_http_parser_get_status (parser), 418);
  CU_ASSERT_STRING_EQUAL (fb_http_parser_get_reason (parser), "");
  parsed_clear (&parsed);

  /* Not HTTP/1.x: an error, not a guess. */
  for (guint i = 0; i < 4; i++)
    {
      const char *bad[] = { "HTTP/2 200 OK\r\n\r\n", "ICY 200 OK\r\n\r\n",
                            "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n" };

      fb_http_parser_reset (parser);
      feed_in_steps (parser, bad[i], strlen (bad[i]), 0, &parsed);
      CU_ASSERT_TRUE (g_error_matches (parsed.error, FB_HTTP_ERROR, FB_HTTP_ERROR_PARSE));
      CU_ASSERT_FALSE (parsed.done);
      parsed_clear (&parsed);
    }
  fb_http_parser_free (parser);
}

static void
test_http_parser_headers_are_case_insensitive (void)
{
  const char *text = "HTTP/1.0 302 Found\r\n"
                     "location:   /next?x=1  \r\n"
                     "CONNECTION: Keep-Alive\r\n"
                     "content-LENGTH: 3\r\n"
                     "X-Empty:\r\n"
                     "\r\n"
                     "abc";
  FbHttpParser *parser = fb_http_parser_new ();
  Parsed parsed;

  feed_in_steps (parser, text, strlen (text), 0, &parsed);
  CU_ASSERT_PTR_NULL (parsed.error);
  CU_ASSERT_EQUAL (fb_http_parser_get_minor (parser), 0);
  CU_ASSERT_STRING_EQUAL (fb_http_parser_get_header (parser, "Location"), "/next?x=1");
  CU_ASSERT_STRING_EQUAL (fb_http_parser_get_header (parser, "x-empty"), "");
  CU_ASSERT_PTR_NULL (fb_http_parser_get_header (parser, "Set-Cookie"));
  CU_ASSERT_EQUAL (fb_http_parser_get_content_length (parser), 3);
  /* HTTP/1.0 stays open only when it says keep-alive. */
  CU_ASSERT_TRUE (fb_http_parser_get_keep_alive (parser));
  parsed_clear (&parsed);

  fb_http_parser_reset (parser);
  text = "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nz";
  feed_in_steps (parser, text, strlen (text), 0, &parsed);
  CU_ASSERT_FALSE (fb_http_parser_get_keep_alive (parser));
  parsed_clear (&parsed);

  fb_http_parser_reset (parser);
  text = "HTTP/1.1 200 OK\r\nConnection: Upgrade, close\r\nContent-Length: 1\r\n\r\nz";
  feed_in_steps (parser, text, strlen (text), 0, &parsed);
  CU_ASSERT_FALSE (fb_http_parser_get_keep_alive (parser));
  parsed_clear (&parsed);

  /* Obsolete line folding is refused (RFC 9112 5.2). */
  fb_http_parser_reset (parser);
  text = "HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nContent-Length: 0\r\n\r\n";
  feed_in_steps (parser, text, strlen (text), 0, &parsed);
  CU_ASSERT_TRUE (g_error_matches (parsed.error, FB_HTTP_ERROR, FB_HTTP_ERROR_PARSE));
  CU_ASSERT_STRING_EQUAL (parsed.error->message, "Folded header line");
  parsed_clear (&parsed);

  /* Two different lengths: no way to know where the body ends. */
  fb_http_parser_reset (parser);
  text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n";
  feed_in_steps (parser, text, strlen (text), 0, &parsed);
  CU_ASSERT_TRUE (g_error_matches (parsed.error, FB_HTTP_ERROR, FB_HTTP_ERROR_PARSE));
  parsed_clear (&parsed);
  fb_http_parser_free (parser);
}

static void
test_http_parser_chunked_in_any_split (void)
{
  /* Extensions, upper-case hex, a trailer: "Hello, chunked world!" */
  const char *text = "HTTP/1.1 200 OK\r\n"
                     "Transfer-Encoding: identity, Chunked\r\n"
                     "Content-Length: 999\r\n"
                     "\r\n"
                     "7;name=value\r\nHello, \r\n"
                     "8\r\nchunked \r\n"
                     "A \r\nworld!1234\r\n"
                     "0\r\n"
                     "X-Checksum: 42\r\n"
                     "\r\n";
  const char *expected = "Hello, chunked world!1234";
  const gsize steps[] = { 0, 1, 2, 3, 5, 7, 13, 64 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      FbHttpParser *parser = fb_http_parser_new ();
      Parsed parsed;

      feed_in_steps (parser, text, strlen (text), steps[i], &parsed);
      if (parsed.error != NULL)
        g_printerr ("\nstep %zu: %s\n", steps[i], parsed.error->message);
      CU_ASSERT_PTR_NULL (parsed.error);
      CU_ASSERT_TRUE (parsed.done);
      CU_ASSERT_TRUE (fb_http_parser_get_chunked (parser));
      CU_ASSERT_EQUAL (fb_http_parser_get_content_length (parser), -1);
      CU_ASSERT_EQUAL (parsed.body->len, strlen (expected));
      CU_ASSERT_TRUE (parsed.body->len == strlen (expected) &&
                      memcmp (parsed.body->data, expected, parsed.body->len) == 0);
      CU_ASSERT_TRUE (fb_http_parser_get_keep_alive (parser));
      parsed_clear (&parsed);
      fb_http_parser_free (parser);
    }
}

/* A body in a transfer coding other than chunked cannot be stored as the
 * server stores it, nor can its end be known: an error that names it. */
static void
test_http_parser_refuses_other_transfer_codings (void)
{
  const char *codings[] = { "gzip, chunked", "xchunked", "chunked, gzip", "gzip",
                            "chunked, chunked", "" };

  for (guint i = 0; i < G_N_ELEMENTS (codings); i++)
    {
      g_autofree char *text = g_strdup_printf ("HTTP/1.1 200 OK\r\nTransfer-Encoding: %s\r\n"
                                               "\r\n5\r\nhello\r\n0\r\n\r\n", codings[i]);
      g_autofree char *message = g_strdup_printf ("Transfer-Encoding “%s” is not supported",
                                                  codings[i]);
      FbHttpParser *parser = fb_http_parser_new ();
      Parsed parsed;

      feed_in_steps (parser, text, strlen (text), 0, &parsed);
      CU_ASSERT_FALSE (parsed.done);
      CU_ASSERT_TRUE (g_error_matches (parsed.error, FB_HTTP_ERROR, FB_HTTP_ERROR_PARSE));
      ASSERT_STR (parsed.error != NULL ? parsed.error->message : NULL, message);
      CU_ASSERT_EQUAL (parsed.body->len, 0);
      parsed_clear (&parsed);
      fb_http_parser_free (parser);
    }
}

/* A value from the server that is not UTF-8 reaches the message as valid
 * text (found by fuzz/fuzz-http-parser). */
static void
test_http_parser_error_message_is_utf8 (void)
{
  static const char text[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: x\xff\xfey\r\n\r\n";
  FbHttpParser *parser = fb_http_parser_new ();
  Parsed parsed;

  feed_in_steps (parser, text, strlen (text), 0, &parsed);
  CU_ASSERT_TRUE_FATAL (parsed.error != NULL);
  CU_ASSERT_TRUE (g_utf8_validate (parsed.error->message, -1, NULL));
  ASSERT_STR (parsed.error->message,
              "Transfer-Encoding “x\xef\xbf\xbd\xef\xbf\xbdy” is not supported");
  parsed_clear (&parsed);
  fb_http_parser_free (parser);
}

static void
test_http_parser_rejects_bad_chunks (void)
{
  const char *bad[] = {
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      FbHttpParser *parser = fb_http_parser_new ();
      Parsed parsed;

      feed_in_steps (parser, bad[i], strlen (bad[i]), 3, &parsed);
      CU_ASSERT_TRUE (g_error_matches (parsed.error, FB_HTTP_ERROR, FB_HTTP_ERROR_PARSE));
      CU_ASSERT_FALSE (parsed.done);
      parsed_clear (&parsed);
      fb_http_parser_free (parser);
    }

  /* Cut off inside a chunk: the body did not end. */
  {
    const char *cut = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc";
    FbHttpParser *parser = fb_http_parser_new ();
    Parsed parsed;

    feed_in_steps (parser, cut, strlen (cut), 0, &parsed);
    CU_ASSERT_TRUE (g_error_matches (parsed.error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT));
    CU_ASSERT_EQUAL (parsed.body->len, 3);
    parsed_clear (&parsed);
    fb_http_parser_free (parser);
  }
}

static void
test_http_parser_body_until_close (void)
{
  const char *text = "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nall of it";
  FbHttpParser *parser = fb_http_parser_new ();
  Parsed parsed;

  feed_in_steps (parser, text, strlen (text), 4, &parsed);
  CU_ASSERT_PTR_NULL (parsed.error);
  CU_ASSERT_TRUE (parsed.done);
  CU_ASSERT_EQUAL (fb_http_parser_get_content_length (parser), -1);
  CU_ASSERT_FALSE (fb_http_parser_get_keep_alive (parser));
  CU_ASSERT_EQUAL (parsed.body->len, 9);
  CU_ASSERT_TRUE (memcmp (parsed.body->data, "all of it", 9) == 0);
  parsed_clear (&parsed);
  fb_http_parser_free (parser);
}

static void
test_http_parser_rejects_oversized_head (void)
{
  GString *text = g_string_new ("HTTP/1.1 200 OK\r\n");
  FbHttpParser *parser = fb_http_parser_new ();
  Parsed parsed;

  while (text->len <= FB_HTTP_MAX_HEAD)
    g_string_append (text, "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
  g_string_append (text, "\r\n");
  feed_in_steps (parser, text->str, text->len, 4096, &parsed);
  CU_ASSERT_TRUE (g_error_matches (parsed.error, FB_HTTP_ERROR, FB_HTTP_ERROR_TOO_LARGE));
  CU_ASSERT_STRING_EQUAL (parsed.error->message, "Response head larger than 64 KiB");
  CU_ASSERT_FALSE (parsed.done);
  parsed_clear (&parsed);
  fb_http_parser_free (parser);
  g_string_free (text, TRUE);
}

/* ---- a raw server that counts connections ---- */

typedef struct
{
  GSocketListener *listener;
  GCancellable    *cancel;
  GPtrArray       *conns;      /* RawConn* */
  guint16          port;
  guint            accepted;
  guint            requests;
} RawServer;

typedef struct
{
  RawServer         *server;
  GSocketConnection *connection;
  GString           *request;
  guint8             buf[4096];
  GBytes            *reply;
  gboolean           close_after;
  gboolean           closed;
} RawConn;

static void raw_read (RawConn *conn);

static void
raw_close (RawConn *conn)
{
  if (conn->closed)
    return;
  conn->closed = TRUE;
  g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
}

static void
raw_conn_free (gpointer data)
{
  RawConn *conn = data;

  raw_close (conn);
  g_object_unref (conn->connection);
  g_string_free (conn->request, TRUE);
  g_clear_pointer (&conn->reply, g_bytes_unref);
  g_free (conn);
}

static void
raw_written_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RawConn *conn = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    return;
  g_clear_pointer (&conn->reply, g_bytes_unref);
  if (conn->close_after)
    raw_close (conn);
  else
    raw_read (conn);
}

/* /ka/N: keep-alive, Content-Length N; /close/N: says Connection: close;
 * /drop/N: keep-alive in words, closed right after (a stale connection);
 * /http10/N: HTTP/1.0, no length, body until close; /chunked/N: chunks of
 * odd sizes and a trailer. Bodies are fb_test_body (N). */
static void
raw_answer (RawConn *conn)
{
  const char *line = conn->request->str;
  char path[256] = "";
  guint size = 0;
  g_autoptr(GBytes) body = NULL;
  GString *reply = g_string_new (NULL);
  const guint8 *bytes;

  conn->server->requests++;
  if (sscanf (line, "GET %255s HTTP/1.1", path) != 1)
    g_strlcpy (path, "/", sizeof path);
  size = (guint) g_ascii_strtoull (strrchr (path, '/') + 1, NULL, 10);
  body = fb_test_body (size);
  bytes = g_bytes_get_data (body, NULL);

  if (g_str_has_prefix (path, "/chunked/"))
    {
      gsize offset = 0;
      gsize piece = 1;

      g_string_append (reply, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
      while (offset < size)
        {
          gsize n = MIN (piece, size - offset);

          g_string_append_printf (reply, "%zx\r\n", n);
          g_string_append_len (reply, (const char *) bytes + offset, (gssize) n);
          g_string_append (reply, "\r\n");
          offset += n;
          piece = piece * 3 + 7;
          if (piece > 70000)
            piece = 1;
        }
      g_string_append (reply, "0\r\nX-Trailer: yes\r\n\r\n");
    }
  else if (g_str_has_prefix (path, "/http10/"))
    {
      g_string_append (reply, "HTTP/1.0 200 OK\r\nServer: raw\r\n\r\n");
      g_string_append_len (reply, (const char *) bytes, size);
      conn->close_after = TRUE;
    }
  else
    {
      gboolean says_close = g_str_has_prefix (path, "/close/");

      g_string_append_printf (reply, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n%s\r\n", size,
                              says_close ? "Connection: close\r\n" : "");
      g_string_append_len (reply, (const char *) bytes, size);
      conn->close_after = says_close || g_str_has_prefix (path, "/drop/");
    }

  g_string_truncate (conn->request, 0);
  conn->reply = g_string_free_to_bytes (reply);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (conn->connection)),
                                   g_bytes_get_data (conn->reply, NULL),
                                   g_bytes_get_size (conn->reply), G_PRIORITY_DEFAULT,
                                   conn->server->cancel, raw_written_cb, conn);
}

static void
raw_read_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RawConn *conn = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n <= 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        raw_close (conn);
      return;
    }
  g_string_append_len (conn->request, (const char *) conn->buf, n);
  if (strstr (conn->request->str, "\r\n\r\n") != NULL)
    raw_answer (conn);
  else
    raw_read (conn);
}

static void
raw_read (RawConn *conn)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (conn->connection)),
                             conn->buf, sizeof conn->buf, G_PRIORITY_DEFAULT,
                             conn->server->cancel, raw_read_cb, conn);
}

static void
raw_accepted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RawServer *server = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  RawConn *conn;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  if (connection == NULL)
    return;
  conn = g_new0 (RawConn, 1);
  conn->server = server;
  conn->connection = connection;
  conn->request = g_string_new (NULL);
  g_ptr_array_add (server->conns, conn);
  server->accepted++;
  raw_read (conn);
  g_socket_listener_accept_async (server->listener, server->cancel, raw_accepted_cb, server);
}

static RawServer *
raw_server_new (void)
{
  RawServer *server = g_new0 (RawServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  server->listener = g_socket_listener_new ();
  /* Room for every connection of test_http_many_connections_at_once. */
  g_socket_listener_set_backlog (server->listener, 512);
  server->cancel = g_cancellable_new ();
  server->conns = g_ptr_array_new_with_free_func (raw_conn_free);
  g_socket_listener_add_address (server->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_listener_accept_async (server->listener, server->cancel, raw_accepted_cb, server);
  return server;
}

static void
raw_server_free (RawServer *server)
{
  g_cancellable_cancel (server->cancel);
  /* Let the cancelled operations return before their data goes. */
  fb_test_spin (0.05);
  g_socket_listener_close (server->listener);
  g_object_unref (server->listener);
  g_ptr_array_unref (server->conns);
  g_object_unref (server->cancel);
  g_free (server);
}

/* ---- requests through the pool ---- */

/* GETs @path from @server and waits for the end; the body is in @fetch. */
static void
fetch_url (FbHttpPool            *pool,
           const char            *url,
           const FbHttpCallbacks *callbacks,
           FbTestFetch                 *fetch)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  memset (fetch, 0, sizeof *fetch);
  fetch->body = g_byte_array_new ();
  fb_http_request_send (fb_http_request_new (pool, uri, 20, callbacks, fetch));
  CU_ASSERT_TRUE (fb_test_wait_flag (&fetch->done, WAIT_SECONDS));
}

static void
fetch_path (FbHttpPool *pool,
            RawServer  *server,
            const char *path,
            FbTestFetch      *fetch)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", server->port, path);

  fetch_url (pool, url, &fb_test_fetch_callbacks, fetch);
}

static void
test_http_keep_alive_reuses_one_connection (void)
{
  RawServer *server = raw_server_new ();
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *path = g_strdup_printf ("/ka/%u", 100 + i * 37);
      FbTestFetch fetch;

      fetch_path (pool, server, path, &fetch);
      CU_ASSERT_PTR_NULL (fetch.error);
      CU_ASSERT_EQUAL (fetch.status, 200);
      CU_ASSERT_TRUE (fb_test_fetch_body_matches (&fetch, 100 + i * 37));
      fb_test_fetch_clear (&fetch);
    }
  CU_ASSERT_EQUAL (server->requests, 20);
  CU_ASSERT_EQUAL (server->accepted, 1);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_connects (pool), 1);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_idle (pool), 1);
  fb_http_pool_unref (pool);
  raw_server_free (server);
}

/* The next request starts inside the previous one's done callback, before
 * the main loop could notice the server closed the idle connection. */
typedef struct
{
  FbHttpPool *pool;
  RawServer  *server;
  GUri       *uri;
  guint       left;
  guint       ok;
  gboolean    failed;
  gboolean    done;
  GByteArray *body;
} Chain;

static void chain_next (Chain *chain);

static void
chain_body_cb (FbHttpRequest *request,
               const guint8  *data,
               gsize          size,
               gpointer       user_data)
{
  Chain *chain = user_data;

  g_byte_array_append (chain->body, data, (guint) size);
}

static void
chain_done_cb (FbHttpRequest *request,
               const GError  *error,
               gpointer       user_data)
{
  Chain *chain = user_data;

  fb_http_request_free (request);
  if (error != NULL)
    {
      g_printerr ("\nchain: %s\n", error->message);
      chain->failed = TRUE;
      chain->done = TRUE;
      return;
    }
  if (chain->body->len == 500)
    chain->ok++;
  g_byte_array_set_size (chain->body, 0);
  chain_next (chain);
}

static void
chain_response_cb (FbHttpRequest *request,
                   gpointer       user_data)
{
  CU_ASSERT_EQUAL (fb_http_request_get_status (request), 200);
}

static const FbHttpCallbacks chain_callbacks = {
  NULL, chain_response_cb, chain_body_cb, chain_done_cb,
};

static void
chain_next (Chain *chain)
{
  FbHttpRequest *request;

  if (chain->left == 0)
    {
      chain->done = TRUE;
      return;
    }
  chain->left--;
  request = fb_http_request_new (chain->pool, chain->uri, 20, &chain_callbacks, chain);
  fb_http_request_send (request);
}

static void
test_http_stale_connection_is_retried_once (void)
{
  RawServer *server = raw_server_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/drop/500", server->port);
  Chain chain = { 0 };

  chain.pool = fb_http_pool_new ("Fetchboard/test");
  chain.server = server;
  chain.uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  chain.left = 5;
  chain.body = g_byte_array_new ();
  chain_next (&chain);
  CU_ASSERT_TRUE (fb_test_wait_flag (&chain.done, WAIT_SECONDS));
  CU_ASSERT_FALSE (chain.failed);
  CU_ASSERT_EQUAL (chain.ok, 5);
  /* Every answer came on a connection of its own. */
  CU_ASSERT_EQUAL (server->requests, 5);
  CU_ASSERT_EQUAL (server->accepted, 5);

  /* A connection found closed while idle is dropped, not reused. */
  fb_test_spin (0.1);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_idle (chain.pool), 0);

  g_byte_array_unref (chain.body);
  g_uri_unref (chain.uri);
  fb_http_pool_unref (chain.pool);
  raw_server_free (server);
}

/* ---- stray bytes on an idle connection ---- */

/* A blocking server on its own thread: the first connection gets "hello",
 * then, 30 ms later and unasked, a whole second response ("EVIL"); any
 * later connection gets "GOOD". */
typedef struct
{
  GSocket *listener;
  guint16  port;
  guint    accepted;
} StrayServer;

static void
stray_answer (GSocket    *socket,
              const char *reply)
{
  char buf[4096];
  GString *request = g_string_new (NULL);

  while (strstr (request->str, "\r\n\r\n") == NULL)
    {
      gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);

      if (n <= 0)
        break;
      g_string_append_len (request, buf, n);
    }
  g_string_free (request, TRUE);
  g_socket_send (socket, reply, strlen (reply), NULL, NULL);
}

static gpointer
stray_server_thread (gpointer data)
{
  StrayServer *server = data;
  g_autoptr(GSocket) first = g_socket_accept (server->listener, NULL, NULL);
  g_autoptr(GSocket) second = NULL;

  if (first == NULL)
    return NULL;
  server->accepted++;
  stray_answer (first, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  g_usleep (30 * 1000);
  g_socket_send (first, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL", 42, NULL, NULL);
  second = g_socket_accept (server->listener, NULL, NULL);
  if (second == NULL)
    return NULL;
  server->accepted++;
  stray_answer (second, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nGOOD");
  g_usleep (50 * 1000);
  return NULL;
}

typedef struct
{
  FbHttpPool *pool;
  GUri       *uri;
  FbTestFetch       fetches[2];
} Stray;

static void
stray_send (Stray *stray,
            guint  i)
{
  FbHttpRequest *request = fb_http_request_new (stray->pool, stray->uri, 20, &fb_test_fetch_callbacks,
                                                &stray->fetches[i]);

  stray->fetches[i].body = g_byte_array_new ();
  fb_http_request_send (request);
}

/* Busy, as a main thread laying out a frame: the stray answer comes in
 * meanwhile, and the main loop has not polled since. */
static void
stray_send_second (gpointer data)
{
  g_usleep (150 * 1000);
  stray_send (data, 1);
}

/* Bytes a server sends unasked on a kept connection are never read as the
 * next request's answer, even when they came while the main loop was busy
 * and the next request takes the connection before the loop polls again. */
static void
test_http_stray_bytes_on_idle_connection_are_not_an_answer (void)
{
  StrayServer server = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;
  GThread *thread;
  Stray stray = { 0 };

  server.listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  CU_ASSERT_TRUE_FATAL (g_socket_bind (server.listener, address, TRUE, NULL) &&
                        g_socket_listen (server.listener, NULL));
  bound = g_socket_get_local_address (server.listener, NULL);
  server.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  thread = g_thread_new ("stray-server", stray_server_thread, &server);

  url = g_strdup_printf ("http://127.0.0.1:%u/x", server.port);
  stray.pool = fb_http_pool_new ("Fetchboard/test");
  stray.uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  stray.fetches[0].then = stray_send_second;
  stray.fetches[0].then_data = &stray;
  stray_send (&stray, 0);
  CU_ASSERT_TRUE (fb_test_wait_flag (&stray.fetches[1].done, WAIT_SECONDS));

  CU_ASSERT_PTR_NULL (stray.fetches[0].error);
  CU_ASSERT_EQUAL (stray.fetches[0].body->len, 5);
  CU_ASSERT_PTR_NULL (stray.fetches[1].error);
  CU_ASSERT_EQUAL (stray.fetches[1].body->len, 4);
  if (stray.fetches[1].body->len == 4)
    CU_ASSERT_EQUAL (memcmp (stray.fetches[1].body->data, "GOOD", 4), 0);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_connects (stray.pool), 2);

  if (fb_http_pool_get_n_connects (stray.pool) < 2)
    {
      /* The server still waits for a second connection: give it one. */
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) unblock =
        g_socket_client_connect_to_host (client, "127.0.0.1", server.port, NULL, NULL);
    }
  g_thread_join (thread);
  CU_ASSERT_EQUAL (server.accepted, 2);
  for (guint i = 0; i < 2; i++)
    if (stray.fetches[i].body != NULL)
      fb_test_fetch_clear (&stray.fetches[i]);
  g_uri_unref (stray.uri);
  fb_http_pool_unref (stray.pool);
  g_socket_close (server.listener, NULL);
  g_object_unref (server.listener);
}

static void
test_http_connection_close_is_not_reused (void)
{
  RawServer *server = raw_server_new ();
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");

  for (guint i = 0; i < 3; i++)
    {
      FbTestFetch fetch;

      fetch_path (pool, server, "/close/700", &fetch);
      CU_ASSERT_PTR_NULL (fetch.error);
      CU_ASSERT_TRUE (fb_test_fetch_body_matches (&fetch, 700));
      fb_test_fetch_clear (&fetch);
    }
  CU_ASSERT_EQUAL (server->accepted, 3);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_connects (pool), 3);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_idle (pool), 0);
  fb_http_pool_unref (pool);
  raw_server_free (server);
}

static void
test_http_http10_body_runs_until_close (void)
{
  RawServer *server = raw_server_new ();
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");

  for (guint i = 0; i < 2; i++)
    {
      FbTestFetch fetch;

      fetch_path (pool, server, "/http10/12345", &fetch);
      CU_ASSERT_PTR_NULL (fetch.error);
      CU_ASSERT_EQUAL (fetch.status, 200);
      CU_ASSERT_TRUE (fb_test_fetch_body_matches (&fetch, 12345));
      fb_test_fetch_clear (&fetch);
    }
  CU_ASSERT_EQUAL (server->accepted, 2);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_idle (pool), 0);
  fb_http_pool_unref (pool);
  raw_server_free (server);
}

static void
test_http_large_chunked_body_is_byte_identical (void)
{
  RawServer *server = raw_server_new ();
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");
  FbTestFetch fetch;

  fetch_path (pool, server, "/chunked/5242880", &fetch);
  CU_ASSERT_PTR_NULL (fetch.error);
  CU_ASSERT_EQUAL (fetch.status, 200);
  CU_ASSERT_EQUAL (fetch.body->len, 5242880);
  CU_ASSERT_TRUE (fb_test_fetch_body_matches (&fetch, 5242880));
  fb_test_fetch_clear (&fetch);

  /* The connection survives a chunked body (trailer and all). */
  fetch_path (pool, server, "/chunked/10", &fetch);
  CU_ASSERT_TRUE (fb_test_fetch_body_matches (&fetch, 10));
  fb_test_fetch_clear (&fetch);
  CU_ASSERT_EQUAL (server->accepted, 1);
  fb_http_pool_unref (pool);
  raw_server_free (server);
}

/* A reader that stops after each piece of body and goes on from an idle,
 * as the downloader does behind a slow disk: what the connection has read
 * meanwhile waits in its buffer and must come out whole and in order,
 * even when nothing more arrives on the socket to wake it. */
typedef struct
{
  FbTestFetch          fetch;        /* first: the fetch callbacks take a Paced */
  FbHttpRequest *request;
  guint          resume_id;
  guint          pauses;
} Paced;

static gboolean
paced_resume_cb (gpointer data)
{
  Paced *paced = data;

  paced->resume_id = 0;
  fb_http_request_resume (paced->request);
  return G_SOURCE_REMOVE;
}

static void
paced_body_cb (FbHttpRequest *request,
               const guint8  *data,
               gsize          size,
               gpointer       user_data)
{
  Paced *paced = user_data;

  fb_test_fetch_body_cb (request, data, size, &paced->fetch);
  if (paced->resume_id == 0)
    {
      fb_http_request_pause (request);
      paced->pauses++;
      paced->resume_id = g_idle_add (paced_resume_cb, paced);
    }
}

static void
paced_done_cb (FbHttpRequest *request,
               const GError  *error,
               gpointer       user_data)
{
  Paced *paced = user_data;

  g_clear_handle_id (&paced->resume_id, g_source_remove);
  fb_test_fetch_done_cb (request, error, &paced->fetch);
}

static const FbHttpCallbacks paced_callbacks = {
  NULL, fb_test_fetch_response_cb, paced_body_cb, paced_done_cb,
};

static void
test_http_paused_reader_gets_every_byte_in_order (void)
{
  RawServer *server = raw_server_new ();
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");
  /* 20,000 bytes in small chunks fit in one read: after the first pause
   * only the buffer holds the rest. */
  static const guint sizes[] = { 20000, 300000 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/chunked/%u", server->port,
                                              sizes[i]);
      g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
      Paced paced = { 0 };

      paced.fetch.body = g_byte_array_new ();
      paced.request = fb_http_request_new (pool, uri, 20, &paced_callbacks, &paced);
      fb_http_request_send (paced.request);
      CU_ASSERT_TRUE (fb_test_wait_flag (&paced.fetch.done, WAIT_SECONDS));
      CU_ASSERT_PTR_NULL (paced.fetch.error);
      CU_ASSERT_EQUAL (paced.fetch.status, 200);
      CU_ASSERT_TRUE (fb_test_fetch_body_matches (&paced.fetch, sizes[i]));
      CU_ASSERT_TRUE (paced.pauses > 5);
      fb_test_fetch_clear (&paced.fetch);
    }
  fb_http_pool_unref (pool);
  raw_server_free (server);
}

/* Many GETs at once: fetch i asks for /ka/(first + i * step). */
static void
batch_send (FbTestBatch           *batch,
            FbHttpPool            *pool,
            RawServer             *server,
            const FbHttpCallbacks *callbacks)
{
  g_autofree char *base = g_strdup_printf ("http://127.0.0.1:%u/ka", server->port);

  fb_test_batch_send (batch, pool, base, callbacks);
}

/* More connections ready at once than one main-loop iteration serves
 * (POLL_BATCH): every answer still arrives whole, on its own request. */
static void
test_http_many_connections_at_once (void)
{
  RawServer *server = raw_server_new ();
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");
  FbTestFetch items[400];
  FbTestBatch batch = { items, G_N_ELEMENTS (items), 1000, 13 };
  guint ok;

  batch_send (&batch, pool, server, &fb_test_fetch_callbacks);
  ok = fb_test_batch_wait (&batch, WAIT_SECONDS);
  CU_ASSERT_EQUAL (ok, batch.n);
  CU_ASSERT_EQUAL (server->requests, batch.n);
  /* A fetch still running would write into freed memory: leave them all
   * to the leak checker then. */
  if (ok == batch.n)
    {
      fb_test_batch_clear (&batch);
      fb_http_pool_unref (pool);
    }
  raw_server_free (server);
}

/* Pause and resume inside the response callback while body bytes are
 * buffered: the connection is queued as due, then finishes its response in
 * the same read and goes idle. The due entry must not close it. */
static void
toggle_response_cb (FbHttpRequest *request,
                    gpointer       user_data)
{
  FbTestFetch *fetch = user_data;

  fetch->status = fb_http_request_get_status (request);
  fb_http_request_pause (request);
  fb_http_request_resume (request);
}

static const FbHttpCallbacks toggle_callbacks = {
  NULL, toggle_response_cb, fb_test_fetch_body_cb, fb_test_fetch_done_cb,
};

static void
test_http_resume_in_callback_keeps_the_connection (void)
{
  RawServer *server = raw_server_new ();
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/ka/500", server->port);
  FbTestFetch fetch;

  fetch_url (pool, url, &toggle_callbacks, &fetch);
  CU_ASSERT_PTR_NULL (fetch.error);
  CU_ASSERT_TRUE (fb_test_fetch_body_matches (&fetch, 500));
  fb_test_fetch_clear (&fetch);
  fb_test_spin (0.05);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_idle (pool), 1);
  fetch_path (pool, server, "/ka/300", &fetch);
  CU_ASSERT_TRUE (fb_test_fetch_body_matches (&fetch, 300));
  fb_test_fetch_clear (&fetch);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_connects (pool), 1);
  fb_http_pool_unref (pool);
  raw_server_free (server);
}

/* The pool's last ref goes while its requests run: the last of them
 * frees it inside a done callback (poller_dispatch on the stack), with
 * other connections idle and others still running. */
enum { N_LAST = 40 };

static void
test_http_pool_dropped_while_requests_run (void)
{
  RawServer *server = raw_server_new ();
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");
  FbTestFetch items[N_LAST];
  FbTestBatch batch = { items, N_LAST, 100, 1 };

  batch_send (&batch, pool, server, &fb_test_fetch_callbacks);
  fb_http_pool_unref (pool);   /* the requests hold the rest */
  CU_ASSERT_EQUAL (fb_test_batch_wait (&batch, WAIT_SECONDS), N_LAST);
  fb_test_spin (0.05);
  fb_test_batch_clear (&batch);
  raw_server_free (server);
}

/* One request's done callback frees every other request still running:
 * their connections may have events later in the same batch. Then the
 * pool goes in the same callback. */
typedef struct
{
  FbHttpRequest *requests[N_LAST];
  gboolean       done[N_LAST];
  FbHttpPool    *pool;
  gboolean       killed;
  guint          port;
  FbTestFetch          fresh[10];
} Cull;

static Cull *the_cull;

static void
cull_body_cb (FbHttpRequest *request,
              const guint8  *data,
              gsize          size,
              gpointer       user_data)
{
}

static void
cull_response_cb (FbHttpRequest *request,
                  gpointer       user_data)
{
}

static void
cull_done_cb (FbHttpRequest *request,
              const GError  *error,
              gpointer       user_data)
{
  Cull *m = the_cull;
  guint self = GPOINTER_TO_UINT (user_data);

  m->done[self] = TRUE;
  fb_http_request_free (request);
  m->requests[self] = NULL;
  if (!m->killed)
    {
      m->killed = TRUE;
      for (guint i = 0; i < N_LAST; i++)
        if (m->requests[i] != NULL)
          {
            fb_http_request_free (m->requests[i]);
            m->requests[i] = NULL;
            m->done[i] = TRUE;
          }
      /* New sockets now take the numbers of the ones just closed, whose
       * events may still be in this batch. */
      for (guint i = 0; i < 10; i++)
        {
          g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/ka/%u", m->port, 50 + i);
          g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

          m->fresh[i].body = g_byte_array_new ();
          fb_http_request_send (fb_http_request_new (m->pool, uri, 20, &fb_test_fetch_callbacks,
                                                     &m->fresh[i]));
        }
      fb_http_pool_unref (g_steal_pointer (&m->pool));
    }
}

static const FbHttpCallbacks cull_callbacks = {
  NULL, cull_response_cb, cull_body_cb, cull_done_cb,
};

static gboolean
cull_over (gpointer data)
{
  Cull *m = data;

  for (guint i = 0; i < N_LAST; i++)
    if (!m->done[i])
      return FALSE;
  for (guint i = 0; i < 10; i++)
    if (!m->fresh[i].done)
      return FALSE;
  return TRUE;
}

static void
test_http_callback_frees_other_requests (void)
{
  RawServer *server = raw_server_new ();
  Cull m = { 0 };

  the_cull = &m;
  m.port = server->port;
  m.pool = fb_http_pool_new ("Fetchboard/test");
  for (guint i = 0; i < N_LAST; i++)
    {
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/ka/%u", server->port,
                                              200000 + i);
      g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

      m.requests[i] = fb_http_request_new (m.pool, uri, 20, &cull_callbacks,
                                           GUINT_TO_POINTER (i));
    }
  for (guint i = 0; i < N_LAST; i++)
    fb_http_request_send (m.requests[i]);
  CU_ASSERT_TRUE (fb_test_wait_until (cull_over, &m, WAIT_SECONDS));
  fb_test_spin (0.1);
  for (guint i = 0; i < 10; i++)
    {
      CU_ASSERT_PTR_NULL (m.fresh[i].error);
      CU_ASSERT_TRUE (fb_test_fetch_body_matches (&m.fresh[i], 50 + i));
      fb_test_fetch_clear (&m.fresh[i]);
    }
  raw_server_free (server);
}

/* A callback that runs the main loop (a nested loop, as a modal dialog
 * would): the outer batch goes on afterwards. */
static guint nested_depth;

static void
nested_done_cb (FbHttpRequest *request,
                const GError  *error,
                gpointer       user_data)
{
  FbTestFetch *fetch = user_data;

  fb_test_fetch_done_cb (request, error, fetch);
  if (nested_depth < 3u)
    {
      nested_depth++;
      for (guint i = 0; i < 20; i++)
        g_main_context_iteration (NULL, FALSE);
      nested_depth--;
    }
}

static const FbHttpCallbacks nested_callbacks = {
  NULL, fb_test_fetch_response_cb, fb_test_fetch_body_cb, nested_done_cb,
};

static void
test_http_nested_main_loop_keeps_connections (void)
{
  RawServer *server = raw_server_new ();
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");
  FbTestFetch items[N_LAST];
  FbTestBatch batch = { items, N_LAST, 1000, 1 };

  for (guint round = 0; round < 2; round++)
    {
      batch_send (&batch, pool, server, &nested_callbacks);
      CU_ASSERT_EQUAL (fb_test_batch_wait (&batch, WAIT_SECONDS), N_LAST);
      fb_test_batch_clear (&batch);
      fb_test_spin (0.05);
      /* Every connection is back in the pool, none closed for a stale event. */
      CU_ASSERT_EQUAL (fb_http_pool_get_n_idle (pool), N_LAST);
    }
  fb_http_pool_unref (pool);
  raw_server_free (server);
}

static void
test_http_refused_connection_reports_refused (void)
{
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/x", fb_test_refused_port ());
  FbTestFetch fetch;

  fetch_url (pool, url, &fb_test_fetch_callbacks, &fetch);
  CU_ASSERT_TRUE (g_error_matches (fetch.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED));
  CU_ASSERT_EQUAL (fetch.status, 0);
  fb_test_fetch_clear (&fetch);
  fb_http_pool_unref (pool);
}

static const FbTestCase tests[] = {
  FB_TEST (test_http_parser_reads_status_line),
  FB_TEST (test_http_parser_headers_are_case_insensitive),
  FB_TEST (test_http_parser_chunked_in_any_split),
  FB_TEST (test_http_parser_error_message_is_utf8),
  FB_TEST (test_http_parser_refuses_other_transfer_codings),
  FB_TEST (test_http_parser_rejects_bad_chunks),
  FB_TEST (test_http_parser_body_until_close),
  FB_TEST (test_http_parser_rejects_oversized_head),
  FB_TEST (test_http_keep_alive_reuses_one_connection),
  FB_TEST (test_http_stale_connection_is_retried_once),
  FB_TEST (test_http_stray_bytes_on_idle_connection_are_not_an_answer),
  FB_TEST (test_http_connection_close_is_not_reused),
  FB_TEST (test_http_http10_body_runs_until_close),
  FB_TEST (test_http_large_chunked_body_is_byte_identical),
  FB_TEST (test_http_paused_reader_gets_every_byte_in_order),
  FB_TEST (test_http_many_connections_at_once),
  FB_TEST (test_http_resume_in_callback_keeps_the_connection),
  FB_TEST (test_http_pool_dropped_while_requests_run),
  FB_TEST (test_http_callback_frees_other_requests),
  FB_TEST (test_http_nested_main_loop_keeps_connections),
  FB_TEST (test_http_refused_connection_reports_refused),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "http", tests);
}
