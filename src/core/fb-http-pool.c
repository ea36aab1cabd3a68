/* fb-http-pool.c: the client's connections, the pool that keeps them for
 * reuse, and the one source that polls them all (see Poller).
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-http"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <linux/tcp.h>      /* tcpi_bytes_received, which glibc's netinet/tcp.h lacks */
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fb-http-private.h"
#include "fb-turn.h"

#define POLL_BATCH      128         /* connections served per main-loop iteration, at most */
/* After a full turn the connections wait for this priority: below GTK's
 * redraw (G_PRIORITY_HIGH_IDLE + 20), so a window draws its frame first. */
#define POLL_RESUME_PRIORITY (G_PRIORITY_HIGH_IDLE + 30)
#define POLL_SIT_OUT_MS 8           /* …or this long at most */

static guint32
epoll_events (GIOCondition condition)
{
  return ((condition & G_IO_IN) ? EPOLLIN : 0) | ((condition & G_IO_OUT) ? EPOLLOUT : 0);
}

/* Nothing watched means the fd is out of the epoll set: a closed peer
 * would report HUP even with no events asked for. */
void
_fb_http_conn_watch (Conn         *conn,
                     GIOCondition  condition)
{
  struct epoll_event event = { .events = epoll_events (condition), .data.ptr = conn };
  int op;

  if (conn->watched == condition)
    return;
  if (condition == 0)
    op = EPOLL_CTL_DEL;
  else if (conn->watched == 0)
    op = EPOLL_CTL_ADD;
  else
    op = EPOLL_CTL_MOD;
  /* Fails only for a bad fd or without memory: never for ours. */
  if (epoll_ctl (conn->poller->epfd, op, conn->fd, &event) != 0)
    g_critical ("epoll_ctl (%d) on fd %d: %s", op, conn->fd, g_strerror (errno));
  conn->watched = condition;
}

/* Dispatches the connection in the next main-loop iteration whatever its
 * fd says, as for bytes already buffered. */
void
_fb_http_conn_schedule (Conn *conn)
{
  Poller *poller = conn->poller;

  if (conn->due_link.data != NULL)
    return;
  conn->due_link.data = conn;
  g_queue_push_tail_link (&poller->due, &conn->due_link);
  if (poller->resume[0] == NULL)
    g_source_set_ready_time ((GSource *) poller, 0);
}

/* ---- TLS sessions (see TlsSession) ---- */

#define TICKET_WAIT_MIN_US 1000     /* TLS 1.3: the leader's ticket is awaited this long… */
#define TICKET_WAIT_MAX_US (G_USEC_PER_SEC / 2) /* …to as long as its handshake took, at most this */
/* A leader's handshake is awaited this long and four connect times more
 * (a handshake is one or two round trips), then again as long as the
 * server has answered it (a busy machine's handshakes take 50 ms and more
 * under AddressSanitizer), LEADER_WAITS times at most: one that stalls (a
 * server slow to answer one connection, a lost packet) holds the others
 * up no longer. */
#define LEADER_WAIT_US     (100 * 1000)
#define LEADER_WAITS       10

static void
tls_session_free (gpointer data)
{
  TlsSession *session = data;

  g_assert (session->waiting.length == 0);
  if (session->cap != NULL)
    {
      g_source_destroy (session->cap);
      g_source_unref (session->cap);
    }
  g_clear_object (&session->source);
  g_free (session->key);
  g_free (session);
}

static TlsSession *
pool_session (FbHttpPool *pool,
              const char *key)
{
  TlsSession *session = g_hash_table_lookup (pool->sessions, key);

  if (session == NULL)
    {
      session = g_new0 (TlsSession, 1);
      session->key = g_strdup (key);
      session->pool = pool;
      g_queue_init (&session->waiting);
      g_hash_table_insert (pool->sessions, session->key, session);
    }
  return session;
}

/* The connection's handshake resumes the session's, when it has one.
 * glib-networking gives a fresh TLS 1.3 ticket from its cache when it
 * holds one, else the source's own (a ticket used twice: servers accept
 * that outside 0-RTT, and the connections go to the same host anyway). */
static void
session_handshake (TlsSession *session,
                   Conn       *conn)
{
  /* glib-networking names no session while GLib's test framework runs:
   * copying from one would be a critical warning. */
  if (session->source != NULL && !g_test_initialized ())
    {
      g_tls_client_connection_copy_session_state (G_TLS_CLIENT_CONNECTION (conn->tls),
                                                  G_TLS_CLIENT_CONNECTION (session->source));
      session->pool->n_tls_shared++;
    }
  _fb_http_conn_start_handshake (conn);
}

static void session_arm_cap (TlsSession *session,
                             gint64      us);

/* The waiting handshakes start, resuming the session if there is one, as
 * many as the main-loop turn's budget grants (a thousand at once would be
 * a stall of their own); the rest in the next turns. */
static void
session_release (TlsSession *session)
{
  GList *link;

  if (session->cap != NULL)
    {
      g_source_destroy (session->cap);
      g_clear_pointer (&session->cap, g_source_unref);
    }
  while (session->waiting.length > 0)
    {
      Conn *conn;

      if (!fb_turn_grant ())
        {
          /* (What is left goes next turn, whatever the leader does.) */
          session->leader_waits = LEADER_WAITS;
          session_arm_cap (session, 0);
          return;
        }
      link = g_queue_pop_head_link (&session->waiting);
      conn = link->data;
      link->data = NULL;
      session_handshake (session, conn);
    }
}

static void
session_set_source (TlsSession *session,
                    Conn       *conn)
{
  /* The newest: a server forgets sessions after a while. */
  g_set_object (&session->source, G_TLS_CONNECTION (conn->tls));
}

static void
session_ticket_taken (TlsSession *session)
{
  Conn *conn = session->pending;

  session->pending = NULL;
  conn->ticket_pending = FALSE;
  session_set_source (session, conn);
  session_release (session);
}

/* Whether the server has sent anything on the leader's connection: its
 * handshake is under way, only slow. */
static gboolean
leader_heard (Conn *conn)
{
  struct tcp_info info = { 0 };
  socklen_t len = sizeof info;

  return getsockopt (conn->fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
         len >= G_STRUCT_OFFSET (struct tcp_info, tcpi_bytes_received) +
                sizeof info.tcpi_bytes_received &&
         info.tcpi_bytes_received > 0;
}

/* The leader still in its handshake (and its server silent): the waiting
 * ones go ahead with their own. TLS 1.3: the ticket never came, the
 * session is what it is. */
static gboolean
session_cap_cb (gpointer user_data)
{
  TlsSession *session = user_data;

  g_clear_pointer (&session->cap, g_source_unref);
  if (session->pending != NULL)
    session_ticket_taken (session);
  else
    {
      if (session->leader != NULL && session->source == NULL &&
          ++session->leader_waits < LEADER_WAITS && leader_heard (session->leader))
        {
          session_arm_cap (session, session->leader_wait_us);
          return G_SOURCE_REMOVE;
        }
      if (session->leader != NULL && session->source == NULL)
        g_debug ("%s: the first TLS handshake is taking long, %u others go on without it",
                 session->key, session->waiting.length);
      session_release (session);
    }
  return G_SOURCE_REMOVE;
}

static void
session_arm_cap (TlsSession *session,
                 gint64      us)
{
  if (session->cap != NULL)
    {
      g_source_destroy (session->cap);
      g_source_unref (session->cap);
    }
  session->cap = g_timeout_source_new ((guint) (us / 1000));
  g_source_set_callback (session->cap, session_cap_cb, session, NULL);
  g_source_set_name (session->cap, "[fetchboard] TLS session wait");
  g_source_attach (session->cap, g_source_get_context ((GSource *) session->pool->poller));
}

/* A connection of the session goes: its place in it goes too. */
static void
session_forget (Conn *conn)
{
  TlsSession *session = g_hash_table_lookup (conn->pool->sessions, conn->key);

  conn->in_session = FALSE;
  if (session == NULL)
    return;
  if (conn->session_link.data != NULL)
    {
      g_queue_unlink (&session->waiting, &conn->session_link);
      conn->session_link.data = NULL;
    }
  if (session->pending == conn)
    session_ticket_taken (session);
  else if (session->leader == conn)
    {
      g_debug ("%s: the first TLS handshake went, %u others go on without it", session->key,
               session->waiting.length);
      /* Its handshake never finished: the others do their own. */
      session->leader = NULL;
      session_release (session);
    }
}

void
_fb_http_pool_start_tls (FbHttpPool *pool,
                         Conn       *conn)
{
  TlsSession *session = pool_session (pool, conn->key);

  conn->in_session = TRUE;
  if (session->source == NULL && (session->leader != NULL || session->pending != NULL))
    {
      conn->session_link.data = conn;
      g_queue_push_tail_link (&session->waiting, &conn->session_link);
      if (session->cap == NULL)
        {
          gint64 connect_us = GPOINTER_TO_SIZE (g_hash_table_lookup (pool->connect_us, conn->key));

          session->leader_wait_us = LEADER_WAIT_US + 4 * connect_us;
          session->leader_waits = 0;
          session_arm_cap (session, session->leader_wait_us);
        }
      return;
    }
  if (session->source == NULL)
    session->leader = conn;
  session_handshake (session, conn);
}

void
_fb_http_pool_tls_handshaked (FbHttpPool *pool,
                              Conn       *conn,
                              gboolean    ok)
{
  TlsSession *session = g_hash_table_lookup (pool->sessions, conn->key);
  gint64 took;

  if (session == NULL || !conn->in_session)
    return;
  if (session->leader != conn)
    {
      /* (A TLS 1.3 ticket goes to glib-networking's cache, under the name
       * every connection to the host shares: any source finds it.) */
      if (ok && (session->source == NULL ||
                 g_tls_connection_get_protocol_version (G_TLS_CONNECTION (conn->tls))
                 <= G_TLS_PROTOCOL_VERSION_TLS_1_2))
        session_set_source (session, conn);
      return;
    }
  session->leader = NULL;
  if (!ok)
    {
      session_release (session);
      return;
    }
  /* Up to TLS 1.2 the session is known when the handshake ends; a TLS 1.3
   * ticket comes after it, with or before the first answer. */
  if (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (conn->tls))
      <= G_TLS_PROTOCOL_VERSION_TLS_1_2)
    {
      session_set_source (session, conn);
      session_release (session);
      return;
    }
  session->pending = conn;
  conn->ticket_pending = TRUE;
  took = g_get_monotonic_time () - conn->handshake_started;
  session_arm_cap (session, CLAMP (took, TICKET_WAIT_MIN_US, TICKET_WAIT_MAX_US));
}

void
_fb_http_pool_tls_read (FbHttpPool *pool,
                        Conn       *conn)
{
  TlsSession *session = g_hash_table_lookup (pool->sessions, conn->key);

  if (session != NULL && session->pending == conn)
    session_ticket_taken (session);
}

void
_fb_http_conn_free (Conn *conn)
{
  Poller *poller = conn->poller;

  if (conn->idle_link != NULL)
    {
      GQueue *queue = g_hash_table_lookup (conn->pool->idle, conn->key);

      g_queue_delete_link (queue, conn->idle_link);
      conn->idle_link = NULL;
      conn->pool->n_idle--;
    }
  if (conn->due_link.data != NULL)
    {
      g_queue_unlink (&poller->due, &conn->due_link);
      conn->due_link.data = NULL;
    }
  _fb_http_conn_watch (conn, 0);
  if (conn->in_session)
    session_forget (conn);
  /* The socket first: closing a TLS connection on an open socket would
   * try to send close_notify, and could wait for room to send it. */
  g_socket_close (conn->socket, NULL);
  g_clear_object (&conn->tls);
  g_clear_object (&conn->base);
  conn->tls_in = NULL;
  conn->tls_out = NULL;
  g_clear_object (&conn->socket);
  g_clear_pointer (&conn->parser, fb_http_parser_free);
  g_clear_pointer (&conn->buf, g_free);
  g_clear_pointer (&conn->key, g_free);
  if (conn->handshake != NULL)
    {
      /* GIO's thread still holds the TLS connection; the callback frees. */
      g_cancellable_cancel (conn->handshake);
      conn->orphaned = TRUE;
      conn->dead = TRUE;
      return;
    }
  /* An event for it may still wait in the batch being dispatched. */
  if (poller->depth > 0)
    {
      conn->dead = TRUE;
      g_ptr_array_add (poller->dead, conn);
    }
  else
    g_free (conn);
}

/* An idle connection has nothing to say: bytes beyond the last response
 * (a server that sent more than its Content-Length) or a close would be
 * read as the next job's answer. */
gboolean
_fb_http_conn_is_quiet (Conn *conn)
{
  char c;
  gssize n = recv (conn->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* The socket call's result (@n, errno) as conn_recv () and conn_send ()
 * give it: EINTR asks again (-2), no data or no room is
 * G_IO_ERROR_WOULD_BLOCK. @what is the message for other errors. */
static gssize
socket_result (gssize       n,
               const char  *what,
               GError     **error)
{
  int saved = errno;

  if (n >= 0)
    return n;
  if (saved == EINTR)
    return -2;
  if (saved == EAGAIN || saved == EWOULDBLOCK)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "");
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), what, g_strerror (saved));
  return -1;
}

/* recv () or send () on the connection, through TLS for https: bytes
 * moved, 0 at the end of the stream (receiving), or -1 with @error set,
 * G_IO_ERROR_WOULD_BLOCK when the socket has nothing or no room. */
gssize
_fb_http_conn_recv (Conn    *conn,
                    guint8  *buf,
                    gsize    size,
                    GError **error)
{
  gssize n;

  if (conn->tls_in != NULL)
    return g_pollable_input_stream_read_nonblocking (conn->tls_in, buf, size, NULL, error);
  do
    n = socket_result (recv (conn->fd, buf, size, 0), _("Error receiving data: %s"), error);
  while (n == -2);
  return n;
}

gssize
_fb_http_conn_send (Conn        *conn,
                    const char  *buf,
                    gsize        size,
                    GError     **error)
{
  gssize n;

  if (conn->tls_out != NULL)
    return g_pollable_output_stream_write_nonblocking (conn->tls_out, buf, size, NULL, error);
  do
    n = socket_result (send (conn->fd, buf, size, MSG_NOSIGNAL), _("Error sending data: %s"), error);
  while (n == -2);
  return n;
}

static GIOCondition
condition_of (guint32 events)
{
  return ((events & EPOLLIN) ? G_IO_IN : 0) | ((events & EPOLLOUT) ? G_IO_OUT : 0) |
         ((events & EPOLLHUP) ? G_IO_HUP : 0) | ((events & EPOLLERR) ? G_IO_ERR : 0);
}

static void
poller_clear_resume (Poller *poller)
{
  for (guint i = 0; i < G_N_ELEMENTS (poller->resume); i++)
    if (poller->resume[i] != NULL)
      {
        g_source_destroy (poller->resume[i]);
        g_clear_pointer (&poller->resume[i], g_source_unref);
      }
}

static gboolean
poller_resume_cb (gpointer user_data)
{
  Poller *poller = user_data;

  poller_clear_resume (poller);
  g_source_modify_unix_fd ((GSource *) poller, poller->epfd_tag, G_IO_IN);
  if (poller->due.length > 0)
    g_source_set_ready_time ((GSource *) poller, 0);
  return G_SOURCE_REMOVE;
}

static GSource *
poller_resume_source (Poller  *poller,
                      GSource *source,
                      int      priority)
{
  g_source_set_priority (source, priority);
  g_source_set_callback (source, poller_resume_cb, poller, NULL);
  g_source_set_name (source, "[fetchboard] http connections, next turn");
  g_source_attach (source, g_source_get_context ((GSource *) poller));
  return source;
}

/* The budget ran out with work left: the connections sit out until
 * everything of a higher priority than POLL_RESUME_PRIORITY has run, a
 * frame above all, or for POLL_SIT_OUT_MS at most. Left ready, the epoll
 * fd would win every iteration at the default priority, and GLib
 * dispatches nothing of a lower priority while something of a higher one
 * is ready: the window would not draw until the network went quiet. The
 * cap is for the other way round: other work at the default priority
 * that never stops (a server in the same process, say) must not starve
 * the connections either. */
static void
poller_yield (Poller *poller)
{
  GSource *source = (GSource *) poller;

  if (poller->resume[0] != NULL)
    return;
  g_source_modify_unix_fd (source, poller->epfd_tag, 0);
  g_source_set_ready_time (source, -1);
  poller->resume[0] = poller_resume_source (poller, g_idle_source_new (), POLL_RESUME_PRIORITY);
  poller->resume[1] = poller_resume_source (poller, g_timeout_source_new (POLL_SIT_OUT_MS),
                                            G_PRIORITY_DEFAULT);
}

/* Serves the connections due (see _fb_http_conn_schedule), then those
 * epoll says are ready, each as the main-loop turn's budget for bursts of
 * work grants it (fb_turn_grant: shared with the run's pump, fetch cancels
 * and connection probes), then yields (poller_yield). A served connection
 * may finish a job and start the next one on the spot, TLS record and all,
 * so the budget is in time rather than in connections. */
static gboolean
poller_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  Poller *poller = (Poller *) source;
  struct epoll_event events[POLL_BATCH];
  gboolean spent = FALSE;
  int n;

  poller->depth++;
  if (g_source_get_ready_time (source) != -1)
    {
      /* Those queued again meanwhile wait for the next iteration. (A freed
       * connection has left the queue: see conn_free.) */
      guint n_due = poller->due.length;
      GList *link;

      g_source_set_ready_time (source, -1);
      while (n_due-- > 0 && poller->due.length > 0)
        {
          Conn *conn;

          if (!fb_turn_grant ())
            {
              spent = TRUE;
              break;
            }
          link = g_queue_pop_head_link (&poller->due);
          conn = link->data;
          link->data = NULL;
          _fb_http_conn_dispatch (conn, 0);
        }
      if (poller->due.length > 0)
        g_source_set_ready_time (source, 0);
    }

  /* Level-triggered: what is left past one batch, or past the budget,
   * comes again next time (epoll puts a reported fd at the back of its
   * ready list, so every connection gets its turn). */
  n = spent ? 0 : epoll_wait (poller->epfd, events, G_N_ELEMENTS (events), 0);
  for (int i = 0; i < n; i++)
    {
      Conn *conn = events[i].data.ptr;

      if (!fb_turn_grant ())
        {
          spent = TRUE;
          break;
        }
      if (!conn->dead)
        _fb_http_conn_dispatch (conn, condition_of (events[i].events));
    }
  if (spent || n == G_N_ELEMENTS (events))
    poller_yield (poller);

  if (--poller->depth == 0)
    g_ptr_array_set_size (poller->dead, 0);
  return G_SOURCE_CONTINUE;
}

static void
poller_finalize (GSource *source)
{
  Poller *poller = (Poller *) source;

  poller_clear_resume (poller);
  g_ptr_array_unref (poller->dead);
  close (poller->epfd);
}

static GSourceFuncs poller_funcs = { NULL, NULL, poller_dispatch, poller_finalize, NULL, NULL };

static Poller *
poller_new (GMainContext *context)
{
  int epfd = epoll_create1 (EPOLL_CLOEXEC);
  Poller *poller;

  if (epfd < 0)
    g_error ("epoll_create1: %s", g_strerror (errno));
  poller = (Poller *) g_source_new (&poller_funcs, sizeof (Poller));
  poller->epfd = epfd;
  poller->dead = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&poller->due);
  g_source_set_name ((GSource *) poller, "[fetchboard] http connections");
  /* GLib takes a non-recursive source's fds out of the poll set around
   * each dispatch and puts them back, waking the context (an eventfd
   * write) both times. A callback that runs a nested main loop is safe:
   * see depth, and conn_dispatch for the stale events it leaves. */
  g_source_set_can_recurse ((GSource *) poller, TRUE);
  poller->epfd_tag = g_source_add_unix_fd ((GSource *) poller, epfd, G_IO_IN);
  g_source_attach ((GSource *) poller, context);
  return poller;
}

Conn *
_fb_http_conn_new (FbHttpPool *pool,
                   const char *key,
                   GSocket    *socket)
{
  Conn *conn = g_new0 (Conn, 1);
  GMainContext *context = g_main_context_get_thread_default ();

  if (context == NULL)
    context = g_main_context_default ();
  if (pool->poller == NULL)
    pool->poller = poller_new (context);
  else if (g_source_get_context ((GSource *) pool->poller) != context)
    /* Its connections would be served by the first context only. */
    g_critical ("An FbHttpPool serves one main context: use a pool per context");
  conn->pool = pool;
  conn->poller = pool->poller;
  conn->key = g_strdup (key);
  conn->socket = socket;
  conn->fd = g_socket_get_fd (socket);
  conn->parser = fb_http_parser_new ();
  _fb_http_conn_watch (conn, G_IO_OUT);
  pool->n_connects++;
  return conn;
}

static void
idle_queue_free (gpointer queue)
{
  g_queue_free (queue);
}

FbHttpPool *
fb_http_pool_new (const char *user_agent)
{
  FbHttpPool *self = g_new0 (FbHttpPool, 1);

  g_return_val_if_fail (user_agent != NULL, NULL);

  self->ref_count = 1;
  self->user_agent = g_strdup (user_agent);
  self->idle = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, idle_queue_free);
  self->routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->connect_us = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, tls_session_free);
  g_datalist_init (&self->qdata);
  return self;
}

FbHttpPool *
fb_http_pool_ref (FbHttpPool *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
fb_http_pool_unref (FbHttpPool *self)
{
  GHashTableIter iter;
  gpointer queue;

  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_hash_table_iter_init (&iter, self->idle);
  while (g_hash_table_iter_next (&iter, NULL, &queue))
    {
      Conn *conn;

      while ((conn = g_queue_pop_head (queue)) != NULL)
        {
          conn->idle_link = NULL;
          _fb_http_conn_free (conn);
        }
    }
  g_hash_table_destroy (self->idle);
  g_hash_table_destroy (self->routes);
  g_hash_table_destroy (self->connect_us);
  g_hash_table_destroy (self->sessions);
  g_datalist_clear (&self->qdata);
  if (self->poller != NULL)
    {
      g_source_destroy ((GSource *) self->poller);
      g_source_unref ((GSource *) self->poller);
    }
  g_clear_object (&self->tls_database);
  g_free (self->user_agent);
  g_free (self);
}

void
fb_http_pool_set_tls_database (FbHttpPool   *self,
                               GTlsDatabase *database)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_set_object (&self->tls_database, database);
}

void
fb_http_pool_set_qdata (FbHttpPool     *self,
                        GQuark          quark,
                        gpointer        data,
                        GDestroyNotify  destroy)
{
  g_return_if_fail (self != NULL);
  g_datalist_id_set_data_full (&self->qdata, quark, data, destroy);
}

gpointer
fb_http_pool_get_qdata (FbHttpPool *self,
                        GQuark      quark)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_datalist_id_get_data (&self->qdata, quark);
}

guint
fb_http_pool_get_n_connects (FbHttpPool *self)
{
  return self->n_connects;
}

guint
fb_http_pool_get_n_idle (FbHttpPool *self)
{
  return self->n_idle;
}

guint
fb_http_pool_get_n_tls_shared (FbHttpPool *self)
{
  return self->n_tls_shared;
}

void
_fb_http_pool_put (FbHttpPool *pool,
                   Conn       *conn)
{
  GQueue *queue = g_hash_table_lookup (pool->idle, conn->key);

  if (queue == NULL)
    {
      queue = g_queue_new ();
      g_hash_table_insert (pool->idle, g_strdup (conn->key), queue);
    }
  conn->request = NULL;
  conn->state = CONN_IDLE;
  fb_http_parser_reset (conn->parser);
  g_queue_push_head (queue, conn);
  conn->idle_link = queue->head;
  pool->n_idle++;
  /* Readable while idle means closed (or junk): either way it goes. */
  _fb_http_conn_watch (conn, G_IO_IN);
}

Conn *
_fb_http_pool_take (FbHttpPool *pool,
                    const char *key)
{
  GQueue *queue = g_hash_table_lookup (pool->idle, key);
  Conn *conn;

  while (queue != NULL && queue->length > 0)
    {
      conn = g_queue_pop_head (queue);
      conn->idle_link = NULL;
      pool->n_idle--;

      /* The idle watch (pool_put) is not enough: bytes that came while the
       * main loop was busy, or in the same poll as the request that takes
       * this connection, have not been seen yet. One EAGAIN per reuse is
       * the price (about 1 µs). */
      if (_fb_http_conn_is_quiet (conn))
        return conn;
      _fb_http_conn_free (conn);
    }
  return NULL;
}

