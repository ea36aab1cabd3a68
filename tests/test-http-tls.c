/* test-http-tls.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lean HTTP/1.1 client over TLS: connections to one host share the
 * first one's TLS session, and waiting for it never holds them up for good.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "fb-http.h"
#include "fb-test-fetch.h"
#include "fb-test-utils.h"
#include "fb-tls-database.h"

#define WAIT_SECONDS 10.0

/* ---- https: one TLS session per host ---- */

/* A SoupServer over TLS with the test certificate: /N answers N bytes of
 * fb_test_body. */
static void
tls_handler_cb (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  g_autoptr(GBytes) body = fb_test_body ((gsize) g_ascii_strtoull (path + 1, NULL, 10));

  soup_server_message_set_status (msg, 200, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

static SoupServer *
tls_server_new (guint *port)
{
  g_autofree char *cert = fb_test_cert_path ("server.pem");
  g_autofree char *key = fb_test_cert_path ("server-key.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files (cert, key, &error);
  SoupServer *server = soup_server_new ("tls-certificate", certificate, NULL);
  GSList *uris;

  g_assert_no_error (error);
  soup_server_add_handler (server, NULL, tls_handler_cb, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  *port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}

static FbHttpPool *
tls_pool_new (void)
{
  g_autofree char *ca = fb_test_cert_path ("ca.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = fb_tls_database_new_for_file (ca, &error);
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/test");

  g_assert_no_error (error);
  fb_http_pool_set_tls_database (pool, database);
  return pool;
}

/* A burst of https requests to a new host: the first handshake goes
 * alone, and every other connection begins with its session. */
static void
test_http_tls_burst_shares_one_session (void)
{
  guint port;
  SoupServer *server = tls_server_new (&port);
  FbHttpPool *pool = tls_pool_new ();
  FbTestFetch items[8];
  FbTestBatch batch = { items, G_N_ELEMENTS (items), 1000, 7 };
  g_autofree char *base = NULL;

  base = g_strdup_printf ("https://127.0.0.1:%u", port);
  fb_test_batch_send (&batch, pool, base, &fb_test_fetch_callbacks);
  CU_ASSERT_EQUAL (fb_test_batch_wait (&batch, WAIT_SECONDS), batch.n);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_connects (pool), batch.n);
  CU_ASSERT_EQUAL (fb_http_pool_get_n_tls_shared (pool), batch.n - 1);
  fb_test_batch_clear (&batch);
  fb_http_pool_unref (pool);
  g_object_unref (server);
}

typedef struct
{
  FbTestBatch         *batch;
  FbHttpRequest *requests[4];
  int            first;      /* the first to start its handshake, -1 before */
  gboolean       dropped;
} DropLeader;

static DropLeader drop_leader;

/* When the second request starts its handshake, the first one's (the
 * leader's) is under way or just done: that request goes. */
static void
drop_leader_event_cb (FbHttpRequest *request,
                      FbHttpEvent    event,
                      gpointer       user_data)
{
  FbTestFetch *fetch = user_data;
  int index = (int) (fetch - drop_leader.batch->items);

  if (event != FB_HTTP_EVENT_TLS_HANDSHAKING)
    return;
  if (drop_leader.first < 0)
    {
      drop_leader.first = index;
      return;
    }
  if (drop_leader.dropped)
    return;
  drop_leader.dropped = TRUE;
  fb_http_request_free (drop_leader.requests[drop_leader.first]);
  drop_leader.batch->items[drop_leader.first].done = TRUE;
}

static const FbHttpCallbacks drop_leader_callbacks = {
  drop_leader_event_cb, fb_test_fetch_response_cb, fb_test_fetch_body_cb, fb_test_fetch_done_cb,
};

/* The first handshake's request is freed while the others wait for its
 * session: they do not wait forever, each gets its whole answer. */
static void
test_http_tls_leader_dropped_others_finish (void)
{
  guint port;
  SoupServer *server = tls_server_new (&port);
  FbHttpPool *pool = tls_pool_new ();
  FbTestFetch items[4];
  FbTestBatch batch = { items, G_N_ELEMENTS (items), 2000, 3 };
  guint ok = 0;

  drop_leader = (DropLeader) { &batch, { NULL }, -1, FALSE };
  for (guint i = 0; i < batch.n; i++)
    {
      g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/%u", port, 2000 + i * 3);
      g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

      memset (&items[i], 0, sizeof items[i]);
      items[i].body = g_byte_array_new ();
      drop_leader.requests[i] = fb_http_request_new (pool, uri, 20, &drop_leader_callbacks,
                                                     &items[i]);
    }
  for (guint i = 0; i < batch.n; i++)
    fb_http_request_send (drop_leader.requests[i]);
  CU_ASSERT_TRUE (fb_test_wait_until (fb_test_batch_done, &batch, WAIT_SECONDS));
  CU_ASSERT_TRUE (drop_leader.dropped);
  for (guint i = 0; i < batch.n; i++)
    if ((int) i != drop_leader.first && items[i].error == NULL && items[i].status == 200 &&
        fb_test_fetch_body_matches (&items[i], 2000 + i * 3))
      ok++;
  CU_ASSERT_EQUAL (ok, batch.n - 1);
  fb_test_batch_clear (&batch);
  fb_http_pool_unref (pool);
  g_object_unref (server);
}

/* A server that takes connections and never says a word, counting those
 * that sent it something (a TLS client hello). */
typedef struct
{
  GSocketService *service;
  GPtrArray      *conns;
  GCancellable   *cancel;
  guint           port;
  guint           spoke;
  char            byte;
} SilentServer;

static void
silent_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SilentServer *server = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n > 0)
    server->spoke++;
}

static gboolean
silent_incoming_cb (GSocketService    *service,
                    GSocketConnection *connection,
                    GObject           *source,
                    gpointer           user_data)
{
  SilentServer *server = user_data;

  g_ptr_array_add (server->conns, g_object_ref (connection));
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                             &server->byte, 1, G_PRIORITY_DEFAULT, server->cancel,
                             silent_read_cb, server);
  return TRUE;
}

static gboolean
silent_all_spoke (gpointer data)
{
  SilentServer *server = data;

  return server->conns->len == 4 && server->spoke == 4;
}

/* The first handshake to a host never ends (the server is silent): the
 * connections waiting for its session do not wait for it forever, each
 * starts a handshake of its own. */
static void
test_http_tls_stalled_leader_does_not_hold_others (void)
{
  SilentServer server = { 0 };
  FbHttpPool *pool = tls_pool_new ();
  g_autoptr(GError) error = NULL;
  FbHttpRequest *requests[4];

  server.service = g_socket_service_new ();
  server.conns = g_ptr_array_new_with_free_func (g_object_unref);
  server.cancel = g_cancellable_new ();
  server.port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (server.service), NULL,
                                                     &error);
  g_assert_no_error (error);
  g_signal_connect (server.service, "incoming", G_CALLBACK (silent_incoming_cb), &server);
  g_socket_service_start (server.service);

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/%u", server.port, i);
      g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

      requests[i] = fb_http_request_new (pool, uri, 20, &fb_test_fetch_callbacks, NULL);
      fb_http_request_send (requests[i]);
    }
  CU_ASSERT_TRUE (fb_test_wait_until (silent_all_spoke, &server, WAIT_SECONDS));
  CU_ASSERT_EQUAL (fb_http_pool_get_n_tls_shared (pool), 0);
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    fb_http_request_free (requests[i]);
  fb_http_pool_unref (pool);
  g_cancellable_cancel (server.cancel);
  fb_test_spin (0.05);
  g_socket_service_stop (server.service);
  g_socket_listener_close (G_SOCKET_LISTENER (server.service));
  g_object_unref (server.service);
  g_ptr_array_unref (server.conns);
  g_object_unref (server.cancel);
}

static const FbTestCase tests[] = {
  FB_TEST (test_http_tls_burst_shares_one_session),
  FB_TEST (test_http_tls_leader_dropped_others_finish),
  FB_TEST (test_http_tls_stalled_leader_does_not_hold_others),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "http-tls", tests);
}
