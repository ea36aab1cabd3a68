/* fb-demo-lean.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-demo-lean"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fb-demo-lean.h"

#define HEAD_MAX          8192   /* a longer head goes to libsoup */
#define REQUESTS_PER_STEP 16     /* pipelined requests answered in one go */
#define EVENTS_PER_WAIT   64
#define ACCEPTS_PER_EVENT 16
/* As the line server: one source, at most this much work per turn. */
#define TURN_BUDGET_US    2000

typedef struct _Conn Conn;

typedef struct
{
  GSource     source;
  FbDemoLean *lean;
} LeanSource;

struct _FbDemoLean
{
  SoupServer       *server;
  GSocket          *listener;
  GSocketAddress   *local;
  GSource          *source;
  GHashTable       *conns;      /* Conn → itself, owned */
  FbDemoLeanAnswer  answer;
  FbDemoLeanHandedOver handed_over;
  gpointer          user_data;
  char              date[64];   /* the Date header's value, once a second */
  gint64            date_second;
  int               epoll_fd;
  gboolean          listening;
};

struct _Conn
{
  FbDemoLean *lean;
  int         fd;
  GString    *out;
  gsize       out_sent;
  guint32     events;
  gboolean    close_after;   /* Connection: close, or the input ended */
  gboolean    hand_over;     /* to libsoup once the output is out */
};

static void
conn_free (Conn *conn)
{
  if (conn->fd >= 0)
    {
      if (conn->lean->epoll_fd >= 0)
        epoll_ctl (conn->lean->epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
      close (conn->fd);
    }
  g_string_free (conn->out, TRUE);
  g_free (conn);
}

static void
conn_close (Conn *conn)
{
  FbDemoLean *lean = conn->lean;

  g_hash_table_remove (lean->conns, conn);
  /* One closed makes room when the process ran out of descriptors. */
  if (!lean->listening && lean->epoll_fd >= 0)
    {
      struct epoll_event event = { .events = EPOLLIN, .data.ptr = NULL };

      lean->listening = epoll_ctl (lean->epoll_fd, EPOLL_CTL_ADD,
                                   g_socket_get_fd (lean->listener), &event) == 0;
    }
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* soup_form_decode () for one value: '+' is a space, %XX a byte. */
static char *
form_decode (const char *text,
             gsize       length)
{
  char *out = g_malloc (length + 1);
  gsize n = 0;

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '+')
        out[n++] = ' ';
      else if (text[i] == '%' && i + 2 < length
               && hex_value (text[i + 1]) >= 0 && hex_value (text[i + 2]) >= 0)
        {
          out[n++] = (char) (hex_value (text[i + 1]) * 16 + hex_value (text[i + 2]));
          i += 2;
        }
      else
        out[n++] = text[i];
    }
  out[n] = '\0';
  return out;
}

/* What GUri takes unchanged in a path and query; anything else (and a
 * '%' without two hex digits) goes to libsoup, which decides. */
static gboolean
plain_target (const char *target,
              gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      char c = target[i];

      if (g_ascii_isalnum (c) || strchr ("-._~!$&'()*+,;=:@/?", c) != NULL)
        continue;
      if (c == '%' && i + 2 < length && hex_value (target[i + 1]) >= 0
          && hex_value (target[i + 2]) >= 0)
        {
          i += 2;
          continue;
        }
      return FALSE;
    }
  return TRUE;
}

static gboolean
token_in (const char *value,
          gsize       length,
          const char *token)
{
  g_autofree char *copy = g_ascii_strdown (value, (gssize) length);
  g_auto(GStrv) parts = g_strsplit (copy, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (g_strstrip (parts[i]), token))
      return TRUE;
  return FALSE;
}

gboolean
_fb_demo_lean_parse (const char     *head,
                     gsize           length,
                     FbIndexCorpus  *corpus,
                     char          **q,
                     gboolean       *http_1_0,
                     gboolean       *keep_alive)
{
  const char *end;
  const char *line_end;
  const char *target;
  const char *space;
  const char *mark;
  const char *query = NULL;
  gsize path_length;
  gboolean has_host = FALSE;
  gboolean ended = FALSE;
  const char *line;

  g_return_val_if_fail (head != NULL && corpus != NULL && q != NULL, FALSE);

  *q = NULL;
  end = head + length;
  line_end = g_strstr_len (head, (gssize) length, "\r\n");
  target = head + 4;
  if (length < 5 || strncmp (head, "GET /", 5) != 0 || line_end == NULL)
    return FALSE;
  space = memchr (target, ' ', (gsize) (line_end - target));
  if (space == NULL || !plain_target (target, (gsize) (space - target)))
    return FALSE;
  if ((gsize) (line_end - space) != 9)
    return FALSE;
  if (strncmp (space, " HTTP/1.1", 9) == 0)
    *http_1_0 = FALSE;
  else if (strncmp (space, " HTTP/1.0", 9) == 0)
    *http_1_0 = TRUE;
  else
    return FALSE;
  *keep_alive = !*http_1_0;

  mark = memchr (target, '?', (gsize) (space - target));
  path_length = (gsize) ((mark != NULL ? mark : space) - target);
  if (path_length == strlen ("/search") && strncmp (target, "/search", path_length) == 0)
    *corpus = FB_INDEX_CORPUS_UNICODE;
  else if (path_length == strlen ("/flags/search")
           && strncmp (target, "/flags/search", path_length) == 0)
    *corpus = FB_INDEX_CORPUS_CATALOG;
  else
    return FALSE;
  if (mark != NULL)
    query = mark + 1;

  /* Headers: only those that change how the request is read or answered. */
  for (line = line_end + 2; line < end; )
    {
      const char *next = g_strstr_len (line, end - line, "\r\n");
      const char *colon;
      const char *value;
      gsize name_length;

      if (next == NULL)
        return FALSE;
      if (next == line)
        {
          ended = TRUE;
          break;
        }
      colon = memchr (line, ':', (gsize) (next - line));
      if (colon == NULL || line[0] == ' ' || line[0] == '\t')
        return FALSE;
      name_length = (gsize) (colon - line);
      value = colon + 1;
      while (value < next && (*value == ' ' || *value == '\t'))
        value++;
#define IS(name) (name_length == strlen (name) && g_ascii_strncasecmp (line, name, name_length) == 0)
      if (IS ("Host"))
        has_host = TRUE;
      else if (IS ("Connection"))
        {
          if (token_in (value, (gsize) (next - value), "close"))
            *keep_alive = FALSE;
          else if (token_in (value, (gsize) (next - value), "keep-alive"))
            *keep_alive = TRUE;
        }
      else if (IS ("Content-Length"))
        {
          if (next - value != 1 || *value != '0')
            return FALSE;
        }
      else if (IS ("Transfer-Encoding") || IS ("Expect") || IS ("Upgrade"))
        return FALSE;
#undef IS
      line = next + 2;
    }
  /* The head ends with an empty line, and HTTP/1.1 needs a Host. */
  if (!ended || (!*http_1_0 && !has_host))
    return FALSE;

  /* soup_form_decode (): pairs without '=' are skipped, the last q wins. */
  for (const char *pair = query; pair != NULL && pair < space; )
    {
      const char *amp = memchr (pair, '&', (gsize) (space - pair));
      const char *pair_end = amp != NULL ? amp : space;
      const char *eq = memchr (pair, '=', (gsize) (pair_end - pair));

      if (eq != NULL)
        {
          g_autofree char *name = form_decode (pair, (gsize) (eq - pair));

          if (g_str_equal (name, "q"))
            {
              g_free (*q);
              *q = form_decode (eq + 1, (gsize) (pair_end - eq - 1));
            }
        }
      pair = amp != NULL ? amp + 1 : NULL;
    }
  if (*q == NULL)
    *q = g_strdup ("");
  return TRUE;
}

static const char *
http_date (FbDemoLean *lean)
{
  gint64 second = g_get_real_time () / G_USEC_PER_SEC;

  if (second != lean->date_second)
    {
      g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (second);
      /* Not g_date_time_format (): %a and %b follow the locale. */
      static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
      static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                      "Sep", "Oct", "Nov", "Dec" };

      g_snprintf (lean->date, sizeof lean->date, "%s, %02d %s %d %02d:%02d:%02d GMT",
                  days[g_date_time_get_day_of_week (now) - 1],
                  g_date_time_get_day_of_month (now), months[g_date_time_get_month (now) - 1],
                  g_date_time_get_year (now), g_date_time_get_hour (now),
                  g_date_time_get_minute (now), g_date_time_get_second (now));
      lean->date_second = second;
    }
  return lean->date;
}

static void
conn_watch (Conn     *conn,
            gboolean  want_read)
{
  guint32 events = 0;

  if (conn->out_sent < conn->out->len)
    events |= EPOLLOUT;
  if (want_read)
    events |= EPOLLIN;
  if (events != conn->events)
    {
      struct epoll_event event = { .events = events, .data.ptr = conn };

      epoll_ctl (conn->lean->epoll_fd, EPOLL_CTL_MOD, conn->fd, &event);
      conn->events = events;
    }
}

/* FALSE when the connection is gone (and freed). */
static gboolean
conn_flush (Conn *conn)
{
  while (conn->out_sent < conn->out->len)
    {
      ssize_t n = send (conn->fd, conn->out->str + conn->out_sent,
                        conn->out->len - conn->out_sent, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n <= 0)
        {
          conn_close (conn);
          return FALSE;
        }
      conn->out_sent += (gsize) n;
    }
  g_string_truncate (conn->out, 0);
  conn->out_sent = 0;
  return TRUE;
}

/* The connection, its next request unread, goes to libsoup. */
static void
hand_over (Conn *conn)
{
  FbDemoLean *lean = conn->lean;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  int fd = conn->fd;

  epoll_ctl (lean->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
  conn->fd = -1;
  conn_close (conn);

  socket = g_socket_new_from_fd (fd, &error);
  if (socket == NULL)
    {
      g_debug ("cannot hand a connection over: %s", error->message);
      close (fd);
      return;
    }
  connection = g_socket_connection_factory_create_connection (socket);
  remote = g_socket_get_remote_address (socket, NULL);
  if (!soup_server_accept_iostream (lean->server, G_IO_STREAM (connection), lean->local, remote,
                                    &error))
    {
      g_debug ("libsoup refused a connection: %s", error->message);
      return;
    }
  lean->handed_over (lean->user_data, socket);
}

/* Answers the requests the socket holds, up to REQUESTS_PER_STEP. */
static void
conn_step (Conn *conn)
{
  FbDemoLean *lean = conn->lean;
  char head[HEAD_MAX];

  if (!conn_flush (conn))
    return;
  if (conn->out->len > 0)
    {
      conn_watch (conn, FALSE);
      return;
    }
  if (conn->close_after)
    {
      conn_close (conn);
      return;
    }
  if (conn->hand_over)
    {
      hand_over (conn);
      return;
    }

  for (guint i = 0; i < REQUESTS_PER_STEP; i++)
    {
      ssize_t n = recv (conn->fd, head, sizeof head, MSG_PEEK | MSG_DONTWAIT);
      const char *blank;
      g_autofree char *q = NULL;
      g_autoptr(GBytes) json = NULL;
      FbIndexCorpus corpus;
      gboolean http_1_0 = FALSE;
      gboolean keep_alive = FALSE;
      gsize length;
      gsize size;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (n < 0)
        {
          conn_close (conn);
          return;
        }
      if (n == 0)
        {
          /* The end of input: what was answered still goes out. */
          conn->close_after = TRUE;
          break;
        }

      blank = g_strstr_len (head, n, "\r\n\r\n");
      length = blank != NULL ? (gsize) (blank + 4 - head) : 0;
      if (blank == NULL
          || !_fb_demo_lean_parse (head, length, &corpus, &q, &http_1_0, &keep_alive)
          || (json = lean->answer (lean->user_data, corpus, q)) == NULL)
        {
          conn->hand_over = TRUE;
          break;
        }

      /* Consumes exactly this request: the next stays for the next peek. */
      if (recv (conn->fd, head, length, MSG_DONTWAIT) != (ssize_t) length)
        {
          conn_close (conn);
          return;
        }
      size = g_bytes_get_size (json);
      g_string_append_printf (conn->out,
                              "HTTP/1.%d 200 OK\r\n"
                              "Server: fetchboard-demo\r\n"
                              "Date: %s\r\n"
                              "Content-Type: application/json\r\n"
                              "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                              "%s"
                              "\r\n",
                              http_1_0 ? 0 : 1, http_date (lean), size,
                              !keep_alive ? (http_1_0 ? "" : "Connection: close\r\n")
                                          : (http_1_0 ? "Connection: Keep-Alive\r\n" : ""));
      g_string_append_len (conn->out, g_bytes_get_data (json, NULL), (gssize) size);
      if (!keep_alive)
        {
          conn->close_after = TRUE;
          break;
        }
    }

  if (!conn_flush (conn))
    return;
  if (conn->out->len == 0 && conn->close_after)
    {
      conn_close (conn);
      return;
    }
  if (conn->out->len == 0 && conn->hand_over)
    {
      hand_over (conn);
      return;
    }
  conn_watch (conn, conn->out->len == 0 && !conn->close_after && !conn->hand_over);
}

static void
accept_conns (FbDemoLean *lean)
{
  int listen_fd = g_socket_get_fd (lean->listener);

  for (guint i = 0; i < ACCEPTS_PER_EVENT; i++)
    {
      struct epoll_event event = { .events = EPOLLIN };
      int one = 1;
      Conn *conn;
      int fd = accept4 (listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            {
              g_warning ("cannot accept a connection: %s", g_strerror (errno));
              epoll_ctl (lean->epoll_fd, EPOLL_CTL_DEL, listen_fd, NULL);
              lean->listening = FALSE;
            }
          return;
        }
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      conn = g_new0 (Conn, 1);
      conn->lean = lean;
      conn->fd = fd;
      conn->out = g_string_sized_new (512);
      conn->events = EPOLLIN;
      event.data.ptr = conn;
      if (epoll_ctl (lean->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0)
        {
          conn_free (conn);
          continue;
        }
      g_hash_table_add (lean->conns, conn);
    }
}

static gboolean
lean_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  FbDemoLean *lean = ((LeanSource *) source)->lean;
  gint64 deadline = g_get_monotonic_time () + TURN_BUDGET_US;

  while (g_get_monotonic_time () < deadline)
    {
      struct epoll_event events[EVENTS_PER_WAIT];
      int n = epoll_wait (lean->epoll_fd, events, G_N_ELEMENTS (events), 0);
      int i;

      /* Level-triggered: what is left over is reported again. */
      for (i = 0; i < n; i++)
        {
          Conn *conn = events[i].data.ptr;

          if (conn == NULL)
            accept_conns (lean);
          else if (events[i].events & EPOLLERR)
            conn_close (conn);
          else
            conn_step (conn);
          if (g_get_monotonic_time () >= deadline)
            break;
        }
      if (n < (int) G_N_ELEMENTS (events))
        break;
    }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs lean_funcs = {
  .dispatch = lean_dispatch,
};

FbDemoLean *
_fb_demo_lean_new (GSocket          *listener,
                   SoupServer       *server,
                   GMainContext     *context,
                   FbDemoLeanAnswer  answer,
                   FbDemoLeanHandedOver handed_over,
                   gpointer          user_data)
{
  struct epoll_event event = { .events = EPOLLIN, .data.ptr = NULL };
  FbDemoLean *lean;
  int epoll_fd;

  g_return_val_if_fail (G_IS_SOCKET (listener), NULL);
  g_return_val_if_fail (SOUP_IS_SERVER (server), NULL);
  g_return_val_if_fail (answer != NULL && handed_over != NULL, NULL);

  epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (epoll_fd < 0)
    return NULL;
  if (epoll_ctl (epoll_fd, EPOLL_CTL_ADD, g_socket_get_fd (listener), &event) != 0)
    {
      close (epoll_fd);
      return NULL;
    }

  lean = g_new0 (FbDemoLean, 1);
  lean->server = g_object_ref (server);
  lean->listener = g_object_ref (listener);
  lean->local = g_socket_get_local_address (listener, NULL);
  lean->conns = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) conn_free, NULL);
  lean->answer = answer;
  lean->handed_over = handed_over;
  lean->user_data = user_data;
  lean->epoll_fd = epoll_fd;
  lean->listening = TRUE;
  lean->date_second = -1;
  lean->source = g_source_new (&lean_funcs, sizeof (LeanSource));
  ((LeanSource *) lean->source)->lean = lean;
  g_source_set_name (lean->source, "[fetchboard] demo server, lean path");
  g_source_add_unix_fd (lean->source, epoll_fd, G_IO_IN);
  g_source_attach (lean->source, context);
  return lean;
}

void
_fb_demo_lean_free (FbDemoLean *lean)
{
  if (lean == NULL)
    return;

  g_source_destroy (lean->source);
  g_source_unref (lean->source);
  g_hash_table_unref (lean->conns);
  g_socket_close (lean->listener, NULL);
  g_object_unref (lean->listener);
  g_clear_object (&lean->local);
  g_object_unref (lean->server);
  close (lean->epoll_fd);
  g_free (lean);
}
