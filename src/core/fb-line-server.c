/* fb-line-server.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-line-server"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fb-line-server.h"
#include "fb-system.h"

#define PROMPT            "?> "
#define READ_SIZE         16384
#define LINES_PER_SLICE   256      /* one unit of a long answer */
#define OUT_LOW_WATER     65536    /* the next slice waits until less is unsent */
#define EVENTS_PER_WAIT   64
#define ACCEPTS_PER_EVENT 16
/* One source serves every client: the listener and all client sockets sit
 * in one epoll set, and each dispatch does at most this much work (ready
 * sockets, then queries and answer slices, round robin), then gives the
 * main loop back. When a thousand clients ask at once, the loop still
 * turns every few ms, whatever the machine's load. */
#define TURN_BUDGET_US    2000

typedef struct _Client Client;

typedef struct
{
  GSource       source;
  FbLineServer *server;   /* borrowed: the server destroys the source first */
} LineSource;

struct _FbLineServer
{
  GObject    parent_instance;

  FbIndex   *index;
  GSocket   *listener;
  GSource   *source;
  gpointer   epoll_tag;
  GHashTable *clients;    /* Client → itself, owned */
  GQueue     runnable;    /* Client with work that waits for no socket, each once */
  GSequence *delayed;     /* Client by due time (--delay) */
  GRand     *rand;
  double     delay_min;
  double     delay_max;
  double     error_rate;
  int        epoll_fd;
  guint      port;
  guint      listening : 1;   /* the listener is in the epoll set */
};

G_DEFINE_FINAL_TYPE (FbLineServer, fb_line_server, G_TYPE_OBJECT)

enum {
  QUERY,
  ANSWERED,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _Client
{
  FbLineServer  *server;     /* borrowed */
  int            fd;
  char          *peer;
  GByteArray    *in;         /* received, not yet taken as lines */
  GString       *out;        /* queued for the socket */
  gsize          out_sent;
  guint         *ids;        /* the answer being written */
  guint          n_ids;
  guint          next;
  gint64         due;        /* a delayed answer waits until then; 0: not delayed */
  GSequenceIter *due_iter;
  GList          link;       /* in FbLineServer.runnable */
  guint32        events;     /* what the epoll set watches for it */
  guint          runnable : 1;
  guint          answering : 1;
  guint          failing : 1;   /* the answer is the drawn error */
  guint          eof : 1;       /* no more input */
  guint          closing : 1;   /* close once the output is out */
};

static void
client_free (Client *client)
{
  FbLineServer *server = client->server;

  if (client->runnable)
    g_queue_unlink (&server->runnable, &client->link);
  if (client->due_iter != NULL)
    g_sequence_remove (client->due_iter);
  if (server->epoll_fd >= 0)
    epoll_ctl (server->epoll_fd, EPOLL_CTL_DEL, client->fd, NULL);
  close (client->fd);
  g_byte_array_unref (client->in);
  g_string_free (client->out, TRUE);
  g_free (client->ids);
  g_free (client->peer);
  g_free (client);
}

static void
client_close (Client *client)
{
  FbLineServer *self = client->server;

  g_hash_table_remove (self->clients, client);
  /* A client closed makes room for the next when the process ran out of
   * descriptors. */
  if (!self->listening && self->listener != NULL && self->epoll_fd >= 0)
    {
      struct epoll_event event = { .events = EPOLLIN, .data.ptr = NULL };

      if (epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, g_socket_get_fd (self->listener),
                     &event) == 0)
        self->listening = TRUE;
    }
}

static void
make_runnable (Client *client)
{
  if (client->runnable)
    return;
  client->runnable = TRUE;
  client->link.data = client;
  g_queue_push_tail_link (&client->server->runnable, &client->link);
}

static gint
compare_due (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  const Client *x = a;
  const Client *y = b;

  if (x->due != y->due)
    return x->due < y->due ? -1 : 1;
  return x < y ? -1 : (x > y ? 1 : 0);
}

/* Watches the socket for what the client waits for: room to write while
 * output is queued, input while it has nothing else to do. */
static void
client_watch (Client *client,
              gboolean want_read)
{
  guint32 events = 0;

  if (client->out_sent < client->out->len)
    events |= EPOLLOUT;
  if (want_read)
    events |= EPOLLIN;
  if (events != client->events)
    {
      struct epoll_event event = { .events = events, .data.ptr = client };

      epoll_ctl (client->server->epoll_fd, EPOLL_CTL_MOD, client->fd, &event);
      client->events = events;
    }
}

/* Sends what is queued without waiting. FALSE when the client is gone (a
 * hang-up mid-answer ends here) and has been freed. */
static gboolean
client_flush (Client *client)
{
  while (client->out_sent < client->out->len)
    {
      ssize_t n = send (client->fd, client->out->str + client->out_sent,
                        client->out->len - client->out_sent, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n <= 0)
        {
          client_close (client);
          return FALSE;
        }
      client->out_sent += (gsize) n;
    }
  g_string_truncate (client->out, 0);
  client->out_sent = 0;
  return TRUE;
}

static char *
python_repr (const char *text)
{
  GString *out = g_string_new ("'");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, '\\');
      if ((guchar) *p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

/* Starts the answer to @line, which is NUL-terminated and free of NULs.
 * Returns FALSE when the line ends the session. */
static gboolean
handle_line (Client *client,
             char   *line)
{
  FbLineServer *self = client->server;
  g_autofree char *repr = NULL;
  double seconds = self->delay_min;

  if (!g_utf8_validate (line, -1, NULL))
    return FALSE;
  g_strstrip (line);
  repr = python_repr (line);
  g_signal_emit (self, signals[QUERY], 0, client->peer, repr);
  if (line[0] == '\0')
    {
      g_string_append (client->out, PROMPT);
      return TRUE;
    }
  if ((guchar) line[0] < 32 || line[0] == 0x7f)
    return FALSE;

  /* Like slow_server.py and the HTTP side: every answer waits, then the
   * error roll decides between the error line and the results. */
  if (self->delay_max > self->delay_min)
    seconds = g_rand_double_range (self->rand, self->delay_min, self->delay_max);
  client->failing = self->error_rate > 0.0 && g_rand_double (self->rand) < self->error_rate;
  if (!client->failing)
    client->ids = fb_index_search (self->index, line, &client->n_ids);
  client->next = 0;
  client->answering = TRUE;
  if (seconds > 0.0)
    {
      client->due = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC + 0.5);
      client->due_iter = g_sequence_insert_sorted (self->delayed, client, compare_due, NULL);
    }
  return TRUE;
}

/* The next slice of the answer; the last one ends with the status line and
 * the prompt. */
static void
write_answer (Client *client)
{
  FbLineServer *self = client->server;
  guint end = MIN (client->next + LINES_PER_SLICE, client->n_ids);

  if (client->failing)
    {
      g_string_append (client->out, FB_LINE_SERVER_ERROR_LINE "\r\n" PROMPT);
      client->answering = client->failing = FALSE;
      g_signal_emit (self, signals[FAILED], 0, client->peer);
      return;
    }
  for (; client->next < end; client->next++)
    {
      fb_index_append_line (self->index, client->ids[client->next], FALSE, client->out);
      g_string_append (client->out, "\r\n");
    }
  if (client->next == client->n_ids)
    {
      fb_index_append_status (client->n_ids, client->out);
      g_string_append (client->out, "\r\n" PROMPT);
      client->answering = FALSE;
      g_signal_emit (self, signals[ANSWERED], 0, client->peer, client->n_ids);
      g_clear_pointer (&client->ids, g_free);
      client->n_ids = client->next = 0;
    }
}

/* One unit of work for @client (a query, or a slice of its answer), then
 * its output goes out as far as the socket takes it. A client with more
 * to do goes to the back of the runnable queue; one that waits for its
 * socket is watched for it. May free @client. */
static void
client_step (Client *client)
{
  gboolean want_read = FALSE;
  guint8 *newline;

  if (!client_flush (client))
    return;

  if (client->due > 0)
    ;  /* a delayed answer: woken by the timer */
  else if (client->answering)
    {
      if (client->out->len - client->out_sent < OUT_LOW_WATER)
        {
          write_answer (client);
          if (!client_flush (client))
            return;
          /* Done: the next line may be waiting already. */
          if (!client->answering || client->out->len - client->out_sent < OUT_LOW_WATER)
            make_runnable (client);
        }
    }
  else if (client->closing)
    {
      if (client->out->len == 0)
        {
          client_close (client);
          return;
        }
    }
  else if (client->in->len > 0
           && (newline = memchr (client->in->data, '\n', client->in->len)) != NULL)
    {
      gsize length = (gsize) (newline - client->in->data);
      g_autofree char *line = g_strndup ((const char *) client->in->data, length);

      g_byte_array_remove_range (client->in, 0, (guint) length + 1);
      /* A NUL inside the line is a control character too. */
      if (strlen (line) != length || !handle_line (client, line))
        client->closing = TRUE;
      make_runnable (client);
    }
  else if (client->in->len > FB_LINE_SERVER_MAX_LINE)
    {
      g_debug ("%s sent %u bytes without a line end", client->peer, client->in->len);
      client->closing = TRUE;
      make_runnable (client);
    }
  else if (client->eof)
    {
      /* A last line without a line end is not a query (readline saw EOF). */
      client->closing = TRUE;
      make_runnable (client);
    }
  else
    want_read = TRUE;

  client_watch (client, want_read);
}

/* One read of what the socket holds. FALSE when the client has been freed. */
static gboolean
client_read (Client *client)
{
  guint8 buffer[READ_SIZE];
  ssize_t n;

  do
    n = recv (client->fd, buffer, sizeof buffer, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return TRUE;
  if (n < 0)
    {
      client_close (client);
      return FALSE;
    }
  if (n == 0)
    client->eof = TRUE;
  else
    g_byte_array_append (client->in, buffer, (guint) n);
  return TRUE;
}

static char *
format_peer (const struct sockaddr_storage *address)
{
  char host[INET6_ADDRSTRLEN] = "?";
  guint port = 0;

  if (address->ss_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) address;

      inet_ntop (AF_INET, &in->sin_addr, host, sizeof host);
      port = ntohs (in->sin_port);
    }
  else if (address->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) address;

      inet_ntop (AF_INET6, &in6->sin6_addr, host, sizeof host);
      port = ntohs (in6->sin6_port);
    }
  return g_strdup_printf ("('%s', %u)", host, port);
}

static void
accept_clients (FbLineServer *self)
{
  int listen_fd = g_socket_get_fd (self->listener);

  for (guint i = 0; i < ACCEPTS_PER_EVENT; i++)
    {
      struct sockaddr_storage address;
      socklen_t length = sizeof address;
      struct epoll_event event = { .events = 0 };
      int one = 1;
      Client *client;
      int fd = accept4 (listen_fd, (struct sockaddr *) &address, &length,
                        SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            {
              /* Waits for a client to close rather than spin on the listener. */
              g_warning ("cannot accept a client: %s", g_strerror (errno));
              epoll_ctl (self->epoll_fd, EPOLL_CTL_DEL, listen_fd, NULL);
              self->listening = FALSE;
            }
          return;
        }

      client = g_new0 (Client, 1);
      client->server = self;
      client->fd = fd;
      client->peer = format_peer (&address);
      client->in = g_byte_array_new ();
      client->out = g_string_new (PROMPT);
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      event.data.ptr = client;
      if (epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0)
        {
          g_warning ("cannot watch a client: %s", g_strerror (errno));
          client_free (client);
          continue;
        }
      g_hash_table_add (self->clients, client);
      client_step (client);
    }
}

static void
handle_event (FbLineServer             *self,
              const struct epoll_event *event)
{
  Client *client = event->data.ptr;

  if (client == NULL)
    {
      accept_clients (self);
      return;
    }
  /* An error or both directions shut (a reset, a hang-up mid-answer):
   * nothing more can reach the client. */
  if (event->events & (EPOLLERR | EPOLLHUP))
    {
      client_close (client);
      return;
    }
  if ((event->events & EPOLLIN) && !client_read (client))
    return;
  client_step (client);
}

static gboolean
line_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  g_autoptr(FbLineServer) self = g_object_ref (((LineSource *) source)->server);
  gint64 now = g_get_monotonic_time ();
  gint64 deadline = now + TURN_BUDGET_US;
  guint n_carried = self->runnable.length;
  GSequenceIter *first;

  /* Answers whose delay is over. */
  while (!g_sequence_is_empty (self->delayed)
         && ((Client *) g_sequence_get (first = g_sequence_get_begin_iter (self->delayed)))->due
            <= now)
    {
      Client *client = g_sequence_get (first);

      g_sequence_remove (first);
      client->due_iter = NULL;
      client->due = 0;
      make_runnable (client);
      n_carried++;
    }

  /* Work carried over from the last turn, round robin: each client does one
   * unit and, with more to do, queues again behind the others. */
  for (; n_carried > 0 && self->runnable.head != NULL && self->epoll_fd >= 0; n_carried--)
    {
      Client *client = self->runnable.head->data;

      g_queue_unlink (&self->runnable, &client->link);
      client->runnable = FALSE;
      client_step (client);
      if (g_get_monotonic_time () >= deadline)
        break;
    }

  /* Ready sockets; a full batch may leave more, which epoll reports next turn. */
  while (self->epoll_fd >= 0 && g_get_monotonic_time () < deadline)
    {
      struct epoll_event events[EVENTS_PER_WAIT];
      int n = epoll_wait (self->epoll_fd, events, G_N_ELEMENTS (events), 0);

      int i;

      /* Events left over are reported again: the set is level-triggered. */
      for (i = 0; i < n && self->epoll_fd >= 0; i++)
        {
          handle_event (self, &events[i]);
          if (g_get_monotonic_time () >= deadline)
            break;
        }
      if (n < (int) G_N_ELEMENTS (events))
        break;
    }

  if (self->runnable.head != NULL)
    g_source_set_ready_time (source, 0);
  else if (!g_sequence_is_empty (self->delayed))
    g_source_set_ready_time (source,
                             ((Client *) g_sequence_get (
                                g_sequence_get_begin_iter (self->delayed)))->due);
  else
    g_source_set_ready_time (source, -1);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs line_source_funcs = {
  .dispatch = line_source_dispatch,
};

static void
close_everything (FbLineServer *self)
{
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  g_hash_table_remove_all (self->clients);
  if (self->listener != NULL)
    {
      g_socket_close (self->listener, NULL);
      g_clear_object (&self->listener);
    }
  if (self->epoll_fd >= 0)
    {
      close (self->epoll_fd);
      self->epoll_fd = -1;
    }
  self->listening = FALSE;
  self->port = 0;
}

static void
fb_line_server_dispose (GObject *object)
{
  FbLineServer *self = FB_LINE_SERVER (object);

  close_everything (self);
  g_clear_pointer (&self->index, fb_index_unref);

  G_OBJECT_CLASS (fb_line_server_parent_class)->dispose (object);
}

static void
fb_line_server_finalize (GObject *object)
{
  FbLineServer *self = FB_LINE_SERVER (object);

  g_hash_table_unref (self->clients);
  g_sequence_free (self->delayed);
  g_rand_free (self->rand);

  G_OBJECT_CLASS (fb_line_server_parent_class)->finalize (object);
}

static void
fb_line_server_class_init (FbLineServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_line_server_dispose;
  object_class->finalize = fb_line_server_finalize;

  signals[QUERY] =
    g_signal_new ("query", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[ANSWERED] =
    g_signal_new ("answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
fb_line_server_init (FbLineServer *self)
{
  self->clients = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) client_free, NULL);
  self->delayed = g_sequence_new (NULL);
  self->rand = g_rand_new ();
  self->epoll_fd = -1;
}

FbLineServer *
fb_line_server_new (FbIndex *index)
{
  FbLineServer *self;

  g_return_val_if_fail (index != NULL, NULL);

  self = g_object_new (FB_TYPE_LINE_SERVER, NULL);
  self->index = fb_index_ref (index);
  return self;
}

void
fb_line_server_set_delay (FbLineServer *self,
                          double        min_seconds,
                          double        max_seconds)
{
  g_return_if_fail (FB_IS_LINE_SERVER (self));
  g_return_if_fail (min_seconds >= 0.0 && max_seconds >= min_seconds);

  self->delay_min = min_seconds;
  self->delay_max = max_seconds;
}

void
fb_line_server_set_error_rate (FbLineServer *self,
                               double        rate)
{
  g_return_if_fail (FB_IS_LINE_SERVER (self));
  g_return_if_fail (rate >= 0.0 && rate <= 1.0);

  self->error_rate = rate;
}

gboolean
fb_line_server_listen (FbLineServer  *self,
                       const char    *address,
                       guint          port,
                       int            backlog,
                       GError       **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  struct epoll_event event = { .events = EPOLLIN, .data.ptr = NULL };
  int epoll_fd;

  g_return_val_if_fail (FB_IS_LINE_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (self->listener == NULL, FALSE);

  socket = fb_system_listen_address (address, port, backlog, error);
  if (socket == NULL)
    return FALSE;
  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return FALSE;

  epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (epoll_fd < 0 || epoll_ctl (epoll_fd, EPOLL_CTL_ADD, g_socket_get_fd (socket), &event) != 0)
    {
      int saved = errno;

      if (epoll_fd >= 0)
        close (epoll_fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "epoll: %s",
                   g_strerror (saved));
      return FALSE;
    }

  self->epoll_fd = epoll_fd;
  self->listener = g_steal_pointer (&socket);
  self->listening = TRUE;
  self->source = g_source_new (&line_source_funcs, sizeof (LineSource));
  ((LineSource *) self->source)->server = self;
  g_source_set_name (self->source, "[fetchboard] line server");
  self->epoll_tag = g_source_add_unix_fd (self->source, epoll_fd, G_IO_IN);
  g_source_attach (self->source, NULL);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return TRUE;
}

void
fb_line_server_stop (FbLineServer *self)
{
  g_return_if_fail (FB_IS_LINE_SERVER (self));

  close_everything (self);
}

guint
fb_line_server_get_port (FbLineServer *self)
{
  g_return_val_if_fail (FB_IS_LINE_SERVER (self), 0);

  return self->port;
}

guint
fb_line_server_get_n_clients (FbLineServer *self)
{
  g_return_val_if_fail (FB_IS_LINE_SERVER (self), 0);

  return g_hash_table_size (self->clients);
}
