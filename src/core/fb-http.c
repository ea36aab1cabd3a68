/* fb-http.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-http"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fb-http-private.h"
#include "fb-http-proxy.h"
#include "fb-tls-database.h"
#include "fb-turn.h"

#define READ_BUF        (32 * 1024)
#define MAX_SKIP        (64 * 1024) /* a redirect's body we read past to keep the connection */
#define URI_FLAGS       (G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_PATH | \
                         G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_ENCODED_FRAGMENT | \
                         G_URI_FLAGS_SCHEME_NORMALIZE)

struct _FbHttpRequest
{
  FbHttpPool            *pool;
  const FbHttpCallbacks *callbacks;
  gpointer               user_data;
  GUri                  *uri;
  char                  *key;
  char                  *host;
  char                  *out;
  gsize                  out_len;
  gsize                  out_sent;
  Conn                  *conn;
  GCancellable          *cancel;      /* resolver and proxy lookups */
  GList                 *addresses;   /* GInetSocketAddress* to try */
  GList                 *next_address;
  GError                *connect_error;
  char                  *reason;
  GSource               *probe;       /* a new connection's check (see probe_cb) */
  gint64                 connect_started;
  guint                  reconnects;
  char                  *extra;       /* more request header lines (Range, If-Range) */
  char                  *authorization; /* Basic, from the URL's user:password */
  GUri                  *proxy;       /* NULL: direct */
  char                  *proxy_authorization; /* Basic, from the proxy's user:password */
  char                  *conn_key;    /* the pool's key: key, or key and proxy */
  char                  *auth_key;    /* …for this host:port alone */
  gint64                 content_length;
  guint64                skipped;
  guint                  ref_count;
  guint                  redirects;
  guint                  max_redirects;
  guint                  status;
  int                    port;
  gboolean               tls;
  gboolean               tunnel;      /* through the proxy by CONNECT or SOCKS */
  gboolean               in_callback;
  gboolean               freed;
  gboolean               paused;
  gboolean               retried;
  gboolean               redirecting;
};

static void conn_process     (Conn          *conn);
static void request_connected (FbHttpRequest *self);
static void request_connect  (FbHttpRequest *self,
                              gboolean       fresh);
static void request_send     (FbHttpRequest *self);
static void connect_next     (FbHttpRequest *self);
static gboolean emit_event   (FbHttpRequest *self,
                              FbHttpEvent    event);
static void request_clear_probe (FbHttpRequest *self);
static void request_arm_probe   (FbHttpRequest *self,
                                 gint64         after_us);

void
_fb_http_conn_dispatch (Conn         *conn,
                        GIOCondition  condition)
{
  FbHttpRequest *request = conn->request;

  if (request == NULL)
    {
      /* An idle connection: the server closed it or sent junk. Or the
       * event is stale: the connection was busy when it was queued (a due
       * entry, or a batch that a nested main loop served first). */
      if (!_fb_http_conn_is_quiet (conn))
        _fb_http_conn_free (conn);
      return;
    }

  switch (conn->state)
    {
    case CONN_CONNECTING:
      if (condition != 0)
        {
          g_autoptr(GError) error = NULL;

          if (!g_socket_check_connect_result (conn->socket, &error))
            {
              g_clear_error (&request->connect_error);
              request->connect_error = g_steal_pointer (&error);
              request->conn = NULL;
              _fb_http_conn_free (conn);
              connect_next (request);
              return;
            }
          request_connected (request);
        }
      break;
    case CONN_SENDING:
      request_send (request);
      break;
    case CONN_READING:
      conn_process (conn);
      break;
    case CONN_IDLE:
    default:
      g_assert_not_reached ();
    }
}

/* ---- requests ---- */

static FbHttpRequest *
request_ref (FbHttpRequest *self)
{
  self->ref_count++;
  return self;
}

static void
request_unref (FbHttpRequest *self)
{
  if (--self->ref_count > 0)
    return;
  g_assert (self->conn == NULL);
  g_assert (self->probe == NULL);
  g_clear_object (&self->cancel);
  g_list_free_full (self->addresses, g_object_unref);
  g_clear_error (&self->connect_error);
  g_uri_unref (self->uri);
  g_free (self->key);
  g_free (self->host);
  g_free (self->out);
  g_free (self->reason);
  g_free (self->extra);
  g_free (self->authorization);
  g_free (self->auth_key);
  g_clear_pointer (&self->proxy, g_uri_unref);
  g_free (self->proxy_authorization);
  g_free (self->conn_key);
  fb_http_pool_unref (self->pool);
  g_free (self);
}

/* Drops the connection and any lookup; the memory goes with the last ref. */
static void
request_teardown (FbHttpRequest *self)
{
  request_clear_probe (self);
  if (self->conn != NULL)
    {
      self->conn->request = NULL;
      _fb_http_conn_free (self->conn);
      self->conn = NULL;
    }
  if (self->cancel != NULL)
    g_cancellable_cancel (self->cancel);
  request_unref (self);
}

/* For lookups only: most requests never need one. */
static GCancellable *
request_get_cancellable (FbHttpRequest *self)
{
  if (self->cancel == NULL)
    self->cancel = g_cancellable_new ();
  return self->cancel;
}

void
fb_http_request_free (FbHttpRequest *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (!self->freed);

  self->freed = TRUE;
  if (!self->in_callback)
    request_teardown (self);
}

/* Each call_* runs a callback and returns FALSE when the request was
 * freed in it (and is gone now: the caller must not touch it or its
 * connection). */
static gboolean
request_check_freed (FbHttpRequest *self)
{
  self->in_callback = FALSE;
  if (!self->freed)
    return TRUE;
  request_teardown (self);
  return FALSE;
}

static gboolean
call_response (FbHttpRequest *self)
{
  self->in_callback = TRUE;
  self->callbacks->response (self, self->user_data);
  return request_check_freed (self);
}

static gboolean
call_body (FbHttpRequest *self,
           const guint8  *data,
           gsize          size)
{
  self->in_callback = TRUE;
  self->callbacks->body (self, data, size, self->user_data);
  return request_check_freed (self);
}

static gboolean
call_done (FbHttpRequest *self,
           const GError  *error)
{
  self->in_callback = TRUE;
  self->callbacks->done (self, error, self->user_data);
  return request_check_freed (self);
}

static void
request_fail (FbHttpRequest *self,
              GError        *error)
{
  request_clear_probe (self);
  if (self->conn != NULL)
    {
      self->conn->request = NULL;
      _fb_http_conn_free (self->conn);
      self->conn = NULL;
    }
  call_done (self, error);
  g_error_free (error);
}

static gboolean
emit_event (FbHttpRequest *self,
            FbHttpEvent    event)
{
  if (self->callbacks->event == NULL)
    return TRUE;
  self->in_callback = TRUE;
  self->callbacks->event (self, event, self->user_data);
  return request_check_freed (self);
}

/* The decimal digits of @port, without printf. */
static const char *
format_port (char buf[8],
             int  port)
{
  char *p = buf + 7;

  *p = '\0';
  do
    {
      *--p = (char) ('0' + port % 10);
      port /= 10;
    }
  while (port > 0 && p > buf);
  return p;
}

static void
build_request (FbHttpRequest *self)
{
  const char *path = g_uri_get_path (self->uri);
  const char *query = g_uri_get_query (self->uri);
  gboolean v6 = strchr (self->host, ':') != NULL;
  char port[8];
  const char *port_text = format_port (port, self->port);
  gboolean with_port = g_uri_get_port (self->uri) > 0 && self->port != (self->tls ? 443 : 80);

  /* Credentials go to the host they were given for, never across a
   * redirect to another one. */
  gboolean auth = self->authorization != NULL && g_strcmp0 (self->auth_key, self->key) == 0;
  /* Through an HTTP proxy without a tunnel, the target is the whole URL. */
  gboolean absolute = self->proxy != NULL && !self->tunnel;

  g_free (self->out);
  self->out = g_strconcat ("GET ",
                           absolute ? "http://" : "", absolute && v6 ? "[" : "",
                           absolute ? self->host : "", absolute && v6 ? "]" : "",
                           absolute && with_port ? ":" : "", absolute && with_port ? port_text : "",
                           *path != '\0' ? path : "/",
                           query != NULL ? "?" : "", query != NULL ? query : "",
                           " HTTP/1.1\r\nHost: ", v6 ? "[" : "", self->host, v6 ? "]" : "",
                           with_port ? ":" : "", with_port ? port_text : "",
                           "\r\nUser-Agent: ", self->pool->user_agent,
                           "\r\nAccept: */*\r\n",
                           auth ? "Authorization: " : "", auth ? self->authorization : "",
                           auth ? "\r\n" : "",
                           self->extra != NULL ? self->extra : "",
                           absolute && self->proxy_authorization != NULL
                           ? "Proxy-Authorization: " : "",
                           absolute && self->proxy_authorization != NULL
                           ? self->proxy_authorization : "",
                           absolute && self->proxy_authorization != NULL ? "\r\n" : "",
                           "Connection: keep-alive\r\n\r\n", NULL);
  self->out_len = strlen (self->out);
  self->out_sent = 0;
}

static gboolean
set_target (FbHttpRequest  *self,
            GUri           *uri)
{
  const char *host = g_uri_get_host (uri);

  const char *scheme = g_uri_get_scheme (uri);
  gboolean tls = g_strcmp0 (scheme, "https") == 0;

  if ((!tls && g_strcmp0 (scheme, "http") != 0) || host == NULL || *host == '\0')
    return FALSE;
  if (self->uri != uri)
    {
      g_uri_unref (self->uri);
      self->uri = g_uri_ref (uri);
    }
  g_free (self->host);
  self->host = g_strdup (host);
  self->tls = tls;
  self->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (tls ? 443 : 80);
  {
    char port[8];

    g_free (self->key);
    self->key = g_strconcat (tls ? "https://" : "", self->host, ":",
                             format_port (port, self->port), NULL);
  }
  build_request (self);
  return TRUE;
}

/* Whether a reused connection died before answering: that is the race
 * every keep-alive client has with the server's idle timeout, and a GET
 * may be sent again (once, on a new connection). */
static gboolean
request_retry_stale (FbHttpRequest *self)
{
  Conn *conn = self->conn;

  if (conn == NULL || conn->n_responses == 0 || conn->got_bytes || self->retried)
    return FALSE;
  self->retried = TRUE;
  conn->request = NULL;
  _fb_http_conn_free (conn);
  self->conn = NULL;
  request_connect (self, TRUE);
  return TRUE;
}

static void
request_send (FbHttpRequest *self)
{
  Conn *conn = self->conn;

  conn->state = CONN_SENDING;
  while (self->out_sent < self->out_len)
    {
      GError *error = NULL;
      gssize n = _fb_http_conn_send (conn, self->out + self->out_sent, self->out_len - self->out_sent,
                            &error);

      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_error_free (error);
              _fb_http_conn_watch (conn, G_IO_OUT);
              return;
            }
          if (request_retry_stale (self))
            {
              g_error_free (error);
              return;
            }
          request_fail (self, error);
          return;
        }
      self->out_sent += (gsize) n;
    }
  conn->state = CONN_READING;
  conn->got_bytes = FALSE;
  if (!emit_event (self, FB_HTTP_EVENT_REQUEST_SENT))
    return;
  _fb_http_conn_watch (conn, self->paused ? 0 : G_IO_IN);
}

/* Where the socket goes: the proxy, if there is one, else the host. */
static const char *
connect_host (FbHttpRequest *self)
{
  return self->proxy != NULL ? g_uri_get_host (self->proxy) : self->host;
}

static guint16
connect_port (FbHttpRequest *self)
{
  if (self->proxy == NULL)
    return (guint16) self->port;
  return (guint16) (g_uri_get_port (self->proxy) > 0 ? g_uri_get_port (self->proxy) : 1080);
}

/* "Basic base64(user:password)" from a URL's user information, or NULL. */
static char *
basic_credentials (GUri *uri)
{
  const char *user = g_uri_get_user (uri);
  g_autofree char *pair = NULL;
  g_autofree char *unescaped = NULL;
  g_autofree char *encoded = NULL;

  if (user == NULL || *user == '\0')
    return NULL;
  pair = g_strconcat (user, ":", g_uri_get_password (uri) != NULL ? g_uri_get_password (uri) : "",
                      NULL);
  unescaped = g_uri_unescape_string (pair, NULL);
  if (unescaped == NULL)
    unescaped = g_strdup (pair);
  encoded = g_base64_encode ((const guchar *) unescaped, strlen (unescaped));
  return g_strconcat ("Basic ", encoded, NULL);
}

static GTlsDatabase *
pool_get_tls_database (FbHttpPool *pool)
{
  if (pool->tls_database == NULL)
    {
      GTlsDatabase *system = fb_tls_database_get_system ();

      if (system != NULL)
        pool->tls_database = g_object_ref (system);
    }
  return pool->tls_database;
}

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Conn *conn = user_data;
  GError *error = NULL;
  gboolean ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  g_clear_object (&conn->handshake);
  if (conn->orphaned)
    {
      g_clear_error (&error);
      g_free (conn);
      return;
    }
  _fb_http_pool_tls_handshaked (conn->pool, conn, ok);
  if (!ok)
    {
      request_fail (conn->request, error);
      return;
    }
  conn->tls_in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (conn->tls));
  conn->tls_out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (conn->tls));
  if (emit_event (conn->request, FB_HTTP_EVENT_TLS_HANDSHAKED))
    request_send (conn->request);
}

/* https: a TLS client over the connected socket (or the tunnel through a
 * proxy, @base), offering HTTP/1.1 alone (ALPN); the handshake runs on
 * GIO's threads and the connection is not watched meanwhile. A direct
 * connection resumes the host's TLS session (see TlsSession). */
static gboolean
conn_start_tls (Conn           *conn,
                FbHttpRequest  *self,
                GIOStream      *base,
                GError        **error)
{
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_autoptr(GIOStream) plain = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  const char *protocols[] = { "http/1.1", NULL };

  if (!g_tls_backend_supports_tls (backend))
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE,
                           _("TLS support is not available (is glib-networking installed?)"));
      return FALSE;
    }
  plain = base != NULL ? g_object_ref (base)
                       : G_IO_STREAM (g_socket_connection_factory_create_connection (conn->socket));
  identity = g_network_address_new (self->host, (guint16) self->port);
  conn->tls = g_initable_new (g_tls_backend_get_client_connection_type (backend), NULL, error,
                              "base-io-stream", plain,
                              "server-identity", identity,
                              "database", pool_get_tls_database (self->pool),
                              "require-close-notify", FALSE,
                              NULL);
  if (conn->tls == NULL)
    return FALSE;
  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (conn->tls), protocols);
  _fb_http_conn_watch (conn, 0);
  if (base == NULL)
    _fb_http_pool_start_tls (self->pool, conn);
  else
    _fb_http_conn_start_handshake (conn);
  return TRUE;
}

void
_fb_http_conn_start_handshake (Conn *conn)
{
  conn->handshake = g_cancellable_new ();
  conn->handshake_started = g_get_monotonic_time ();
  g_tls_connection_handshake_async (G_TLS_CONNECTION (conn->tls), G_PRIORITY_DEFAULT,
                                    conn->handshake, handshake_cb, conn);
}

/* The way to the host is open (directly, or through the proxy's tunnel):
 * send, after a TLS handshake for https. */
static void
request_through (FbHttpRequest *self,
                 GIOStream     *base)
{
  GError *error = NULL;

  if (!self->tls)
    {
      request_send (self);
      return;
    }
  if (!emit_event (self, FB_HTTP_EVENT_TLS_HANDSHAKING))
    return;
  if (!conn_start_tls (self->conn, self, base, &error))
    request_fail (self, error);
}

static void
tunnel_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Conn *conn = user_data;
  GError *error = NULL;
  g_autoptr(GIOStream) stream = g_proxy_connect_finish (G_PROXY (source), result, &error);

  g_clear_object (&conn->handshake);
  if (conn->orphaned)
    {
      g_clear_error (&error);
      g_free (conn);
      return;
    }
  if (stream == NULL)
    {
      request_fail (conn->request, error);
      return;
    }
  /* The same socket, now carrying the host's bytes. */
  g_set_object (&conn->base, stream);
  request_through (conn->request, stream);
}

/* CONNECT through an HTTP proxy, or SOCKS: GIO's GProxy for the
 * proxy's scheme speaks to it over the connected socket. */
static gboolean
conn_start_tunnel (Conn           *conn,
                   FbHttpRequest  *self,
                   GError        **error)
{
  /* GNOME's settings say "socks" for "any SOCKS": version 5 covers it. */
  const char *scheme = g_strcmp0 (g_uri_get_scheme (self->proxy), "socks") == 0
                       ? "socks5" : g_uri_get_scheme (self->proxy);
  g_autoptr(GProxy) proxy = g_proxy_get_default_for_protocol (scheme);
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GSocketConnection) base = NULL;
  g_autoptr(GProxyAddress) address = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;

  if (proxy == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Proxies of the kind “%s” are not supported"), scheme);
      return FALSE;
    }
  remote = g_socket_get_remote_address (conn->socket, error);
  if (remote == NULL)
    return FALSE;
  if (g_uri_get_user (self->proxy) != NULL)
    user = g_uri_unescape_string (g_uri_get_user (self->proxy), NULL);
  if (g_uri_get_password (self->proxy) != NULL)
    password = g_uri_unescape_string (g_uri_get_password (self->proxy), NULL);
  address = G_PROXY_ADDRESS (g_proxy_address_new (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)),
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)),
      scheme, self->host, (guint16) self->port, user, password));
  base = g_socket_connection_factory_create_connection (conn->socket);
  conn->handshake = g_cancellable_new ();
  _fb_http_conn_watch (conn, 0);
  g_proxy_connect_async (proxy, G_IO_STREAM (base), address, conn->handshake, tunnel_cb, conn);
  return TRUE;
}

/* The TCP connection is up. */
/* ---- a connection burst must not fail a request ----
 *
 * A server whose listen queue is full drops a new connection's SYN, or
 * (once the queue had room for the SYN but not for the connection) the
 * handshake's last ACK and then whatever we send. The kernel tries again
 * after 1, 3, 7 s, every connection dropped in one burst in the same
 * burst. So a new connection whose SYN is unanswered three times longer
 * than the host's fastest connect (at least 100 ms), or whose first bytes
 * the kernel had to send again, unacknowledged, is dropped and opened
 * again after a random pause that spreads the burst out. */

#define PROBE_MIN_US        (100 * 1000)
#define MAX_RECONNECTS      20
#define RECONNECT_JITTER_MS 50

static void
request_clear_probe (FbHttpRequest *self)
{
  if (self->probe == NULL)
    return;
  g_source_destroy (self->probe);
  g_clear_pointer (&self->probe, g_source_unref);
}

static void
request_set_probe (FbHttpRequest *self,
                   guint          ms,
                   GSourceFunc    func)
{
  request_clear_probe (self);
  self->probe = g_timeout_source_new (ms);
  g_source_set_callback (self->probe, func, self, NULL);
  g_source_set_name (self->probe, "[fetchboard] connection probe");
  g_source_attach (self->probe, g_source_get_context ((GSource *) self->pool->poller));
}

static gboolean
reconnect_cb (gpointer user_data)
{
  FbHttpRequest *self = user_data;

  /* Hundreds of connections dropped in one burst open again over several
   * main-loop turns (fb-turn.h). */
  if (!fb_turn_grant ())
    {
      request_set_probe (self, 1, reconnect_cb);
      return G_SOURCE_REMOVE;
    }
  g_clear_pointer (&self->probe, g_source_unref);
  self->out_sent = 0;
  self->next_address = self->addresses;
  connect_next (self);
  return G_SOURCE_REMOVE;
}

static gboolean
probe_cb (gpointer user_data)
{
  FbHttpRequest *self = user_data;
  Conn *conn = self->conn;
  struct tcp_info info;
  socklen_t len = sizeof info;
  gboolean stuck = FALSE;

  g_clear_pointer (&self->probe, g_source_unref);
  if (conn == NULL || conn->got_bytes || conn->n_responses > 0 || self->addresses == NULL ||
      getsockopt (conn->fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
    return G_SOURCE_REMOVE;
  if (info.tcpi_state == TCP_SYN_SENT)
    {
      gsize fastest = GPOINTER_TO_SIZE (g_hash_table_lookup (self->pool->connect_us,
                                                             self->conn_key));
      gint64 waited = g_get_monotonic_time () - self->connect_started;

      /* Until one connection to the host tells how long connecting takes
       * there, the kernel's own retransmits go on. */
      if (fastest == 0 || waited < 3 * (gint64) fastest)
        {
          request_arm_probe (self, fastest == 0 ? PROBE_MIN_US : 3 * (gint64) fastest - waited);
          return G_SOURCE_REMOVE;
        }
      stuck = TRUE;
    }
  else if (info.tcpi_state == TCP_ESTABLISHED && info.tcpi_unacked > 0)
    {
      /* An ACK may be late (a delayed one, or one that rides on an answer
       * a busy proxy has not sent yet); a segment the kernel had to send
       * again was dropped. */
      if (info.tcpi_retransmits == 0)
        {
          request_arm_probe (self, PROBE_MIN_US);
          return G_SOURCE_REMOVE;
        }
      stuck = TRUE;
    }
  if (!stuck)
    return G_SOURCE_REMOVE;
  if (!fb_turn_grant ())
    {
      /* Closing hundreds of sockets is for several turns, too. */
      request_set_probe (self, 1, probe_cb);
      return G_SOURCE_REMOVE;
    }

  g_debug ("%s: connection %s (state %u, %u unacknowledged) opened again", self->key,
           info.tcpi_state == TCP_SYN_SENT ? "never answered" : "never served",
           (guint) info.tcpi_state, (guint) info.tcpi_unacked);
  self->reconnects++;
  conn->request = NULL;
  _fb_http_conn_free (conn);
  self->conn = NULL;
  request_set_probe (self, (guint) g_random_int_range (0, RECONNECT_JITTER_MS + 1), reconnect_cb);
  return G_SOURCE_REMOVE;
}

static void
request_arm_probe (FbHttpRequest *self,
                   gint64         after_us)
{
  if (self->reconnects >= MAX_RECONNECTS || self->addresses == NULL)
    return;
  request_set_probe (self, (guint) MIN (after_us / 1000, (gint64) G_MAXUINT), probe_cb);
}

static void
request_connected (FbHttpRequest *self)
{
  GError *error = NULL;
  gint64 took = MAX (1, g_get_monotonic_time () - self->connect_started);
  gpointer fastest = g_hash_table_lookup (self->pool->connect_us, self->conn_key);
  struct tcp_info info;
  socklen_t len = sizeof info;
  gint64 rtt = 0;

  if (fastest == NULL || took < (gint64) GPOINTER_TO_SIZE (fastest))
    g_hash_table_insert (self->pool->connect_us, g_strdup (self->conn_key),
                         GSIZE_TO_POINTER ((gsize) took));
  /* Whatever goes first (a TLS hello, a tunnel's request, the request)
   * is looked at after four round trips (see probe_cb). */
  if (getsockopt (self->conn->fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0)
    rtt = info.tcpi_rtt;
  request_arm_probe (self, MAX (PROBE_MIN_US, 4 * rtt));
  if (!emit_event (self, FB_HTTP_EVENT_CONNECTED))
    return;

  if (self->tunnel)
    {
      if (!conn_start_tunnel (self->conn, self, &error))
        request_fail (self, error);
      return;
    }
  request_through (self, NULL);
}

static void
connect_next (FbHttpRequest *self)
{
  GSocketAddress *address;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  Conn *conn;

  if (self->next_address == NULL)
    {
      GError *last = self->connect_error != NULL
                     ? g_steal_pointer (&self->connect_error)
                     : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("No address to connect to"));

      request_fail (self, last);
      return;
    }
  address = self->next_address->data;
  self->next_address = self->next_address->next;

  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  if (socket == NULL)
    {
      g_clear_error (&self->connect_error);
      self->connect_error = g_steal_pointer (&error);
      connect_next (self);
      return;
    }
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  conn = _fb_http_conn_new (self->pool, self->conn_key, g_steal_pointer (&socket));
  conn->request = self;
  conn->state = CONN_CONNECTING;
  self->conn = conn;
  if (!emit_event (self, FB_HTTP_EVENT_CONNECTING))
    return;
  self->connect_started = g_get_monotonic_time ();
  if (g_socket_connect (conn->socket, address, NULL, &error))
    {
      request_connected (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      gpointer fastest = g_hash_table_lookup (self->pool->connect_us, self->conn_key);

      _fb_http_conn_watch (conn, G_IO_OUT);
      /* A host that connects in 50 µs does not take 100 ms without a
       * reason: its listen queue overflowed and dropped our SYN. */
      request_arm_probe (self, MAX (PROBE_MIN_US, 3 * (gint64) GPOINTER_TO_SIZE (fastest)));
      return;
    }
  g_clear_error (&self->connect_error);
  self->connect_error = g_steal_pointer (&error);
  conn->request = NULL;
  _fb_http_conn_free (conn);
  self->conn = NULL;
  connect_next (self);
}

static void
resolved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  FbHttpRequest *self = user_data;
  GError *error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);

  if (self->freed)
    {
      g_resolver_free_addresses (addresses);
      g_clear_error (&error);
      request_unref (self);
      return;
    }
  if (addresses == NULL)
    {
      request_fail (self, error);
      request_unref (self);
      return;
    }
  g_list_free_full (self->addresses, g_object_unref);
  self->addresses = NULL;
  for (GList *l = addresses; l != NULL; l = l->next)
    self->addresses = g_list_prepend (self->addresses,
                                      g_inet_socket_address_new (l->data, connect_port (self)));
  self->addresses = g_list_reverse (self->addresses);
  self->next_address = self->addresses;
  g_resolver_free_addresses (addresses);
  connect_next (self);
  request_unref (self);
}

static void
open_connection (FbHttpRequest *self)
{
  const char *host = connect_host (self);
  g_autoptr(GInetAddress) numeric = g_inet_address_new_from_string (host);

  g_clear_error (&self->connect_error);
  g_list_free_full (self->addresses, g_object_unref);
  self->addresses = NULL;
  if (numeric != NULL)
    {
      self->addresses = g_list_prepend (NULL, g_inet_socket_address_new (numeric,
                                                                         connect_port (self)));
      self->next_address = self->addresses;
      connect_next (self);
      return;
    }
  if (!emit_event (self, FB_HTTP_EVENT_RESOLVING))
    return;
  {
    g_autoptr(GResolver) resolver = g_resolver_get_default ();

    g_resolver_lookup_by_name_async (resolver, host, request_get_cancellable (self), resolved_cb,
                                     request_ref (self));
  }
}

/* Takes the way @route says (the cached answer for this host):
 * "direct://" or a proxy's URI. */
static void
request_route (FbHttpRequest *self,
               const char    *route,
               gboolean       fresh)
{
  Conn *conn;

  g_clear_pointer (&self->proxy, g_uri_unref);
  g_clear_pointer (&self->proxy_authorization, g_free);
  self->tunnel = FALSE;
  if (!g_str_equal (route, "direct://"))
    {
      const char *scheme;

      self->proxy = g_uri_parse (route, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);
      scheme = self->proxy != NULL ? g_uri_get_scheme (self->proxy) : NULL;
      if (self->proxy == NULL || g_uri_get_host (self->proxy) == NULL
          || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "socks") != 0
              && g_strcmp0 (scheme, "socks4") != 0 && g_strcmp0 (scheme, "socks4a") != 0
              && g_strcmp0 (scheme, "socks5") != 0))
        {
          request_fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                           _("The proxy “%s” is not an http:// or socks:// proxy"),
                                           route));
          return;
        }
      /* An HTTP proxy takes plain http as whole URLs; https (and anything
       * through SOCKS) goes through a tunnel to the host. */
      self->tunnel = self->tls || g_strcmp0 (scheme, "http") != 0;
      if (!self->tunnel)
        self->proxy_authorization = basic_credentials (self->proxy);
    }
  g_free (self->conn_key);
  self->conn_key = self->proxy == NULL ? g_strdup (self->key)
                   : self->tunnel ? g_strconcat (route, " ", self->key, NULL)
                   : g_strdup (route);
  build_request (self);

  conn = fresh ? NULL : _fb_http_pool_take (self->pool, self->conn_key);
  if (conn != NULL)
    {
      conn->request = self;
      self->conn = conn;
      request_send (self);
      return;
    }
  open_connection (self);
}

static void
proxy_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  FbHttpRequest *self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) proxies = g_proxy_resolver_lookup_finish (G_PROXY_RESOLVER (source), result,
                                                          &error);

  if (self->freed)
    {
      request_unref (self);
      return;
    }
  if (proxies == NULL || proxies[0] == NULL)
    {
      request_fail (self, error != NULL ? g_steal_pointer (&error)
                                        : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                               _("No proxy answer")));
      request_unref (self);
      return;
    }
  g_hash_table_insert (self->pool->routes, g_strdup (self->key), g_strdup (proxies[0]));
  request_route (self, proxies[0], FALSE);
  request_unref (self);
}

/* The way to the host: the environment's proxy variables if any are set
 * (as curl reads them), else the desktop's settings (GProxyResolver, the
 * same as libsoup and GNOME's apps ask), once per host. Loopback hosts
 * skip the desktop's resolver, which would load its modules (libproxy,
 * GSettings) for nothing, a few milliseconds a run: GNOME's default
 * ignore-hosts has them, as Firefox and Chrome do. */
static void
request_connect (FbHttpRequest *self,
                 gboolean       fresh)
{
  const char *route = g_hash_table_lookup (self->pool->routes, self->key);

  /* From the start on a new connection (a retry sent it all once). */
  self->out_sent = 0;
  if (route == NULL)
    {
      char *from_env = fb_http_proxy_from_env (self->tls ? "https" : "http", self->host);

      if (from_env == NULL && !fb_http_host_is_loopback (self->host))
        {
          char port[8];
          gboolean v6 = strchr (self->host, ':') != NULL;
          g_autofree char *target = g_strconcat (self->tls ? "https://" : "http://",
                                                 v6 ? "[" : "", self->host, v6 ? "]" : "", ":",
                                                 format_port (port, self->port), "/", NULL);

          g_proxy_resolver_lookup_async (g_proxy_resolver_get_default (), target,
                                         request_get_cancellable (self),
                                         proxy_cb, request_ref (self));
          return;
        }
      route = from_env != NULL ? from_env : g_strdup ("direct://");
      g_hash_table_insert (self->pool->routes, g_strdup (self->key), (char *) route);
    }
  request_route (self, route, fresh);
}

/* The response ended cleanly: keep the connection if it can be reused. */
static void
request_release_conn (FbHttpRequest *self)
{
  Conn *conn = self->conn;

  self->conn = NULL;
  conn->n_responses++;
  if (fb_http_parser_get_keep_alive (conn->parser) && conn->start == conn->end && !conn->doomed)
    {
      conn->start = conn->end = 0;
      _fb_http_pool_put (self->pool, conn);
    }
  else
    {
      conn->request = NULL;
      _fb_http_conn_free (conn);
    }
}

static void
request_follow (FbHttpRequest *self)
{
  g_autoptr(GUri) next = NULL;
  const char *location = fb_http_parser_get_header (self->conn->parser, "Location");

  next = g_uri_parse_relative (self->uri, location, URI_FLAGS, NULL);
  request_release_conn (self);
  self->redirects++;
  self->redirecting = FALSE;
  self->skipped = 0;
  self->retried = FALSE;
  /* request_head () let only http and https through. */
  if (!set_target (self, next))
    g_assert_not_reached ();
  request_connect (self, FALSE);
}

static gboolean
is_redirect (guint status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* A head arrived. Returns FALSE when the request is gone or moved on. */
static gboolean
request_head (FbHttpRequest *self)
{
  FbHttpParser *parser = self->conn->parser;
  guint status = fb_http_parser_get_status (parser);
  const char *location = fb_http_parser_get_header (parser, "Location");

  if (is_redirect (status) && location != NULL)
    {
      g_autoptr(GUri) next = g_uri_parse_relative (self->uri, location, URI_FLAGS, NULL);
      const char *scheme = next != NULL ? g_uri_get_scheme (next) : NULL;
      const char *host = next != NULL ? g_uri_get_host (next) : NULL;

      /* Only to http and https, never to ftp://, file:// or the like, which
       * would have been asked for over HTTP on another port. */
      if (next == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
          || host == NULL || *host == '\0')
        {
          /* The server's bytes: valid UTF-8 before they reach a message. */
          g_autofree char *shown = g_utf8_make_valid (location, -1);

          request_fail (self, g_error_new (FB_HTTP_ERROR, FB_HTTP_ERROR_BAD_REDIRECT,
                                           _("Redirected to “%s”, which is not an http or https URL"),
                                           shown));
          return FALSE;
        }
      if (self->redirects >= self->max_redirects)
        {
          request_fail (self, g_error_new (FB_HTTP_ERROR, FB_HTTP_ERROR_REDIRECTS,
                                           _("Too many redirects (more than %u)"),
                                           self->max_redirects));
          return FALSE;
        }
      self->redirecting = TRUE;
      return TRUE;
    }

  self->status = status;
  g_free (self->reason);
  self->reason = g_strdup (fb_http_parser_get_reason (parser));
  self->content_length = fb_http_parser_get_content_length (parser);
  return call_response (self);
}

static void
request_done (FbHttpRequest *self)
{
  if (self->redirecting)
    {
      request_follow (self);
      return;
    }
  request_release_conn (self);
  call_done (self, NULL);
}

static void
conn_eof (Conn *conn)
{
  FbHttpRequest *self = conn->request;
  FbHttpParser *parser = conn->parser;
  GError *error = NULL;

  if (request_retry_stale (self))
    return;
  if (parser->state == STATE_BODY_LENGTH && !self->redirecting && !parser->keep_alive)
    {
      /* The server said it would close: a short body, as libsoup has it
       * (the caller sees fewer bytes than announced). On a connection
       * meant to stay open the same close is a lost connection. */
      self->conn = NULL;
      conn->request = NULL;
      _fb_http_conn_free (conn);
      call_done (self, NULL);
      return;
    }
  if (fb_http_parser_feed_eof (parser, &error) == FB_HTTP_PARSE_DONE)
    {
      if (self->redirecting)
        {
          request_follow (self);
          return;
        }
      self->conn = NULL;
      conn->request = NULL;
      _fb_http_conn_free (conn);
      call_done (self, NULL);
      return;
    }
  request_fail (self, error);
}

/* Reads what is there and runs the parser over it. */
static void
conn_process (Conn *conn)
{
  FbHttpRequest *self = conn->request;
  gboolean short_read = FALSE;
  guint8 *room;
  gsize room_size = 0;

  for (;;)
    {
      gsize consumed = 0;
      const guint8 *body = NULL;
      gsize body_size = 0;
      GError *error = NULL;
      FbHttpParseResult result;

      if (conn->start < conn->end || fb_http_parser_is_idle (conn->parser) == FALSE)
        {
          if (self->paused && conn->parser->state != STATE_HEAD &&
              conn->parser->state != STATE_DONE)
            {
              _fb_http_conn_watch (conn, 0);
              return;
            }
          result = fb_http_parser_feed (conn->parser, conn->buf + conn->start,
                                        conn->end - conn->start, &consumed, &body, &body_size,
                                        &error);
          conn->start += consumed;
          if (conn->start == conn->end)
            conn->start = conn->end = 0;
          switch (result)
            {
            case FB_HTTP_PARSE_HEAD:
              if (!request_head (self))
                return;
              continue;
            case FB_HTTP_PARSE_BODY:
              if (self->redirecting)
                {
                  self->skipped += body_size;
                  if (self->skipped > MAX_SKIP)
                    {
                      /* Cheaper to open a new connection than to read it all. */
                      conn->doomed = TRUE;
                      request_follow (self);
                      return;
                    }
                  continue;
                }
              if (!call_body (self, body, body_size))
                return;
              continue;
            case FB_HTTP_PARSE_DONE:
              request_done (self);
              return;
            case FB_HTTP_PARSE_ERROR:
              request_fail (self, error);
              return;
            case FB_HTTP_PARSE_NEED_MORE:
            default:
              break;
            }
        }

      /* The socket had less than we asked for: poll rather than read EAGAIN. */
      if (short_read)
        {
          _fb_http_conn_watch (conn, G_IO_IN);
          return;
        }

      /* Body and nothing else comes next: it goes straight to the caller's
       * buffer, if it offers one, without a copy through ours. */
      room = NULL;
      if (conn->start == conn->end && !self->redirecting && !self->paused &&
          self->callbacks->body_room != NULL &&
          (room_size = fb_http_parser_get_body_ahead (conn->parser)) > 0)
        {
          gsize ahead = room_size;

          room = self->callbacks->body_room (self, &room_size, self->user_data);
          room_size = MIN (room_size, ahead);
        }

      /* Room to read: compact, and grow only for a head that does not fit. */
      if (room == NULL && conn->start > 0 && conn->end == conn->buf_size)
        {
          memmove (conn->buf, conn->buf + conn->start, conn->end - conn->start);
          conn->end -= conn->start;
          conn->start = 0;
        }
      if (room != NULL)
        ;
      else if (conn->buf == NULL)
        {
          conn->buf_size = READ_BUF;
          conn->buf = g_malloc (conn->buf_size);
        }
      else if (conn->end == conn->buf_size)
        {
          conn->buf_size *= 2;
          conn->buf = g_realloc (conn->buf, conn->buf_size);
        }

      {
        GError *read_error = NULL;
        guint8 *to = room != NULL ? room : conn->buf + conn->end;
        gsize want = room != NULL ? room_size : conn->buf_size - conn->end;
        gssize n = _fb_http_conn_recv (conn, to, want, &read_error);

        if (G_UNLIKELY (conn->ticket_pending))
          _fb_http_pool_tls_read (conn->pool, conn);
        if (n > 0)
          {
            /* TLS hands over one record at a time: short reads say nothing
             * about the socket, so it reads on until it would block (and
             * leaves nothing decrypted behind for a poll that never comes). */
            short_read = conn->tls == NULL && (gsize) n < want;
            conn->got_bytes = TRUE;
            if (room != NULL)
              {
                fb_http_parser_take_body (conn->parser, (gsize) n);
                if (!call_body (self, room, (gsize) n))
                  return;
              }
            else
              conn->end += (gsize) n;
            continue;
          }
        if (n == 0)
          {
            conn_eof (conn);
            return;
          }
        if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
          {
            g_error_free (read_error);
            _fb_http_conn_watch (conn, G_IO_IN);
            return;
          }
        if (request_retry_stale (self))
          {
            g_error_free (read_error);
            return;
          }
        request_fail (self, read_error);
        return;
      }
    }
}

FbHttpRequest *
fb_http_request_new (FbHttpPool            *pool,
                       GUri                  *uri,
                       guint                  max_redirects,
                       const FbHttpCallbacks *callbacks,
                       gpointer               user_data)
{
  FbHttpRequest *self;

  g_return_val_if_fail (pool != NULL, NULL);
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (callbacks != NULL && callbacks->done != NULL, NULL);

  self = g_new0 (FbHttpRequest, 1);
  self->ref_count = 1;
  self->pool = fb_http_pool_ref (pool);
  self->callbacks = callbacks;
  self->user_data = user_data;
  self->uri = g_uri_ref (uri);
  self->max_redirects = max_redirects;
  self->content_length = -1;
  self->authorization = basic_credentials (uri);
  if (!set_target (self, uri))
    {
      request_unref (self);
      g_return_val_if_reached (NULL);
    }
  self->auth_key = g_strdup (self->key);
  build_request (self);
  return self;
}

void
fb_http_request_send (FbHttpRequest *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->conn == NULL && !self->freed);

  /* The callbacks may free the request while it starts. */
  request_ref (self);
  request_connect (self, FALSE);
  request_unref (self);
}

void
fb_http_request_set_range (FbHttpRequest *self,
                           guint64        from,
                           const char    *if_range)
{
  char digits[24];

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->conn == NULL);

  g_clear_pointer (&self->extra, g_free);
  /* A validator comes from a server's header: one line, or none at all. */
  if (if_range != NULL && strpbrk (if_range, "\r\n") != NULL)
    if_range = NULL;
  if (from > 0)
    {
      g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, from);
      self->extra = g_strconcat ("Range: bytes=", digits, "-\r\n",
                                 if_range != NULL ? "If-Range: " : "",
                                 if_range != NULL ? if_range : "",
                                 if_range != NULL ? "\r\n" : "", NULL);
    }
  build_request (self);
}

const char *
fb_http_request_get_header (FbHttpRequest *self,
                            const char    *name)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->conn == NULL)
    return NULL;
  return fb_http_parser_get_header (self->conn->parser, name);
}

void
fb_http_request_pause (FbHttpRequest *self)
{
  g_return_if_fail (self != NULL);

  self->paused = TRUE;
}

void
fb_http_request_resume (FbHttpRequest *self)
{
  g_return_if_fail (self != NULL);

  if (!self->paused)
    return;
  self->paused = FALSE;
  if (self->conn != NULL && self->conn->state == CONN_READING)
    {
      _fb_http_conn_watch (self->conn, G_IO_IN);
      /* Bytes already buffered (by us, or decrypted by TLS) are handed
       * over from the main loop. */
      if (self->conn->start < self->conn->end || self->conn->tls != NULL)
        _fb_http_conn_schedule (self->conn);
    }
}

GUri *
fb_http_request_get_uri (FbHttpRequest *self)
{
  return self->uri;
}

guint
fb_http_request_get_status (FbHttpRequest *self)
{
  return self->status;
}

const char *
fb_http_request_get_reason (FbHttpRequest *self)
{
  return self->reason;
}

gint64
fb_http_request_get_content_length (FbHttpRequest *self)
{
  return self->content_length;
}

guint
fb_http_request_get_redirects (FbHttpRequest *self)
{
  return self->redirects;
}
