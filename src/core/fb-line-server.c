/* fb-line-server.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-line-server"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "fb-line-server.h"
#include "fb-system.h"

#define PROMPT          "?> "
#define READ_SIZE       4096
#define LINES_PER_SLICE 256   /* one write of a long answer */
/* Work (a query, a slice of an answer) waits in one queue that a single
 * source serves for at most this long per turn of the main loop: when a
 * thousand clients ask at once, the loop still turns every few ms. */
#define TURN_BUDGET_US  3000

struct _FbLineServer
{
  GObject           parent_instance;

  FbIndex          *index;
  GSocketService   *service;
  GHashTable       *clients;   /* Client → itself; each holds a reference on the server */
  GQueue            work;      /* Client, each at most once (Client.queued) */
  GSource          *worker;
  guint             port;
};

G_DEFINE_FINAL_TYPE (FbLineServer, fb_line_server, G_TYPE_OBJECT)

enum {
  QUERY,
  ANSWERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct _Client Client;

struct _Client
{
  FbLineServer      *server;      /* owned */
  GSocketConnection *connection;
  GCancellable      *cancellable;
  char              *peer;
  GByteArray        *pending;     /* received, not yet a whole line */
  guint8             chunk[READ_SIZE];
  GString           *out;
  guint             *ids;         /* the answer being written */
  guint              n_ids;
  guint              next;
  void             (*then) (Client *client);  /* after the write in flight */
  void             (*step) (Client *client);  /* the work it waits to do */
  GList              link;                    /* in FbLineServer.work */
  gboolean           queued;
};

static void client_next  (Client *client);
static void client_write (Client *client,
                          void  (*then) (Client *client));
static void schedule     (Client *client,
                          void  (*step) (Client *client));

static void
client_close (Client *client)
{
  FbLineServer *server = client->server;

  g_hash_table_remove (server->clients, client);
  if (client->queued)
    g_queue_unlink (&server->work, &client->link);
  g_cancellable_cancel (client->cancellable);
  /* Closing a socket does not wait; GIO's close of the stream would. */
  g_socket_close (g_socket_connection_get_socket (client->connection), NULL);
  g_object_unref (client->connection);
  g_object_unref (client->cancellable);
  g_byte_array_unref (client->pending);
  g_string_free (client->out, TRUE);
  g_free (client->ids);
  g_free (client->peer);
  g_free (client);
  g_object_unref (server);
}

static char *
format_peer (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) address = g_socket_connection_get_remote_address (connection, NULL);
  g_autofree char *host = NULL;

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("('?', 0)");
  host = g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("('%s', %u)", host,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Client *client = user_data;

  /* A client gone mid-answer ends here, its session with it. */
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL))
    {
      client_close (client);
      return;
    }
  client->then (client);
}

/* Writes client->out, then calls @then. */
static void
client_write (Client  *client,
              void   (*then) (Client *client))
{
  GOutputStream *stream = g_io_stream_get_output_stream (G_IO_STREAM (client->connection));

  /* One write is in flight per client at a time. */
  client->then = then;
  g_output_stream_write_all_async (stream, client->out->str, client->out->len,
                                   G_PRIORITY_DEFAULT, client->cancellable, write_cb, client);
}

static void write_answer (Client *client);

static void
answer_written (Client *client)
{
  if (client->next < client->n_ids)
    {
      schedule (client, write_answer);
      return;
    }
  g_signal_emit (client->server, signals[ANSWERED], 0, client->peer, client->n_ids);
  g_clear_pointer (&client->ids, g_free);
  client->n_ids = client->next = 0;
  client_next (client);
}

/* The next slice of the answer; the last one ends with the status line and
 * the prompt. */
static void
write_answer (Client *client)
{
  guint end = MIN (client->next + LINES_PER_SLICE, client->n_ids);

  g_string_truncate (client->out, 0);
  for (; client->next < end; client->next++)
    {
      fb_index_append_line (client->server->index, client->ids[client->next], FALSE,
                            client->out);
      g_string_append (client->out, "\r\n");
    }
  if (client->next == client->n_ids)
    {
      fb_index_append_status (client->n_ids, client->out);
      g_string_append (client->out, "\r\n" PROMPT);
    }
  client_write (client, answer_written);
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

/* Returns FALSE when the line ends the session. */
static gboolean
handle_line (Client *client,
             char   *line)
{
  g_autofree char *repr = NULL;

  if (!g_utf8_validate (line, -1, NULL))
    return FALSE;
  g_strstrip (line);
  repr = python_repr (line);
  g_signal_emit (client->server, signals[QUERY], 0, client->peer, repr);
  if (line[0] == '\0')
    {
      g_string_assign (client->out, PROMPT);
      client_write (client, client_next);
      return TRUE;
    }
  if ((guchar) line[0] < 32 || line[0] == 0x7f)
    return FALSE;

  client->ids = fb_index_search (client->server->index, line, &client->n_ids);
  client->next = 0;
  write_answer (client);
  return TRUE;
}

/* The step that takes the next whole line from what was received. */
static void
take_line (Client *client)
{
  guint8 *newline = memchr (client->pending->data, '\n', client->pending->len);
  gsize length = (gsize) (newline - client->pending->data);
  g_autofree char *line = g_strndup ((const char *) client->pending->data, length);

  g_byte_array_remove_range (client->pending, 0, (guint) length + 1);
  /* A NUL inside the line is a control character too. */
  if (strlen (line) != length || !handle_line (client, line))
    client_close (client);
}

static gboolean
worker_cb (gpointer user_data)
{
  FbLineServer *self = user_data;
  gint64 deadline = g_get_monotonic_time () + TURN_BUDGET_US;

  while (self->work.head != NULL && g_get_monotonic_time () < deadline)
    {
      Client *client = self->work.head->data;
      void (*step) (Client *) = client->step;

      g_queue_unlink (&self->work, &client->link);
      client->queued = FALSE;
      client->step = NULL;
      step (client);
    }

  if (self->work.head != NULL)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->worker, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
schedule (Client  *client,
          void   (*step) (Client *client))
{
  FbLineServer *self = client->server;

  g_assert (!client->queued);
  client->step = step;
  client->queued = TRUE;
  client->link.data = client;
  g_queue_push_tail_link (&self->work, &client->link);
  if (self->worker == NULL)
    {
      self->worker = g_idle_source_new ();
      g_source_set_priority (self->worker, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->worker, worker_cb, self, NULL);
      g_source_attach (self->worker, NULL);
    }
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Client *client = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0)
    {
      client_close (client);
      return;
    }
  g_byte_array_append (client->pending, client->chunk, (guint) n);
  client_next (client);
}

/* Answers the next whole line, or reads more. */
static void
client_next (Client *client)
{
  if (client->pending->len > 0
      && memchr (client->pending->data, '\n', client->pending->len) != NULL)
    {
      schedule (client, take_line);
      return;
    }

  if (client->pending->len > FB_LINE_SERVER_MAX_LINE)
    {
      g_debug ("%s sent %u bytes without a line end", client->peer, client->pending->len);
      client_close (client);
      return;
    }

  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (client->connection)),
                             client->chunk, sizeof client->chunk, G_PRIORITY_DEFAULT,
                             client->cancellable, read_cb, client);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             FbLineServer      *self)
{
  Client *client = g_new0 (Client, 1);

  client->server = g_object_ref (self);
  client->connection = g_object_ref (connection);
  client->cancellable = g_cancellable_new ();
  client->peer = format_peer (connection);
  client->pending = g_byte_array_new ();
  client->out = g_string_new (PROMPT);
  g_hash_table_add (self->clients, client);
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY,
                       1, NULL);
  client_write (client, client_next);
  return TRUE;
}

static void
fb_line_server_dispose (GObject *object)
{
  FbLineServer *self = FB_LINE_SERVER (object);

  /* Clients hold references: by now every one has closed. */
  if (self->worker != NULL)
    {
      g_source_destroy (self->worker);
      g_clear_pointer (&self->worker, g_source_unref);
    }
  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_clear_object (&self->service);
    }
  g_clear_pointer (&self->index, fb_index_unref);

  G_OBJECT_CLASS (fb_line_server_parent_class)->dispose (object);
}

static void
fb_line_server_finalize (GObject *object)
{
  FbLineServer *self = FB_LINE_SERVER (object);

  g_hash_table_unref (self->clients);

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
}

static void
fb_line_server_init (FbLineServer *self)
{
  self->clients = g_hash_table_new (NULL, NULL);
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

gboolean
fb_line_server_listen (FbLineServer  *self,
                       const char    *address,
                       guint          port,
                       int            backlog,
                       GError       **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) local = NULL;

  g_return_val_if_fail (FB_IS_LINE_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (self->service == NULL, FALSE);

  socket = fb_system_listen_address (address, port, backlog, error);
  if (socket == NULL)
    return FALSE;
  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return FALSE;

  self->service = g_socket_service_new ();
  if (!g_socket_listener_add_socket (G_SOCKET_LISTENER (self->service), socket, NULL, error))
    {
      g_clear_object (&self->service);
      return FALSE;
    }
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  g_socket_service_start (self->service);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return TRUE;
}

void
fb_line_server_stop (FbLineServer *self)
{
  g_autoptr(GList) clients = NULL;

  g_return_if_fail (FB_IS_LINE_SERVER (self));

  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
    }
  /* Each pending read or write then ends in its callback, which frees it. */
  clients = g_hash_table_get_keys (self->clients);
  for (GList *l = clients; l != NULL; l = l->next)
    g_cancellable_cancel (((Client *) l->data)->cancellable);
  self->port = 0;
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
