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

#include "fb-deadline.h"
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
  GMainContext     *context;    /* where the held answers' deadlines run */
  FbDemoLeanAnswer  answer;
  FbDemoLeanGet     get;
  FbDemoLeanDone    done;
  FbDemoLeanHandedOver handed_over;
  gpointer          user_data;
  char             *server_line;  /* libsoup's Server header, as it sends it */
  char              date[64];   /* the Date header's value, once a second */
  gint64            date_second;
  int               epoll_fd;
  gboolean          listening;
  gboolean          freeing;    /* no callbacks any more */
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
  gboolean    input_ended;   /* the client shut its side: no more delays */
  /* An answer held back by the delay: the connection reads nothing more
   * meanwhile (libsoup reads a connection's next request only after the
   * answer), and is watched for a hang-up only. */
  gboolean    holding;
  gboolean    held_http_1_0;
  gboolean    held_keep_alive;
  FbDemoLeanReply held;
  FbDeadline *delay;         /* while holding: when the answer goes; one
                              * source for every held answer (fb-deadline.h) */
};

static void conn_release (Conn *conn);

static void
delay_over_cb (gpointer user_data)
{
  conn_release (user_data);
}

static void
conn_free (Conn *conn)
{
  if (conn->holding)
    {
      /* Hung up (or the server stops) during the delay: nothing is sent. */
      g_bytes_unref (conn->held.body);
      conn->holding = FALSE;
      if (!conn->lean->freeing)
        conn->lean->done (conn->lean->user_data);
    }
  g_clear_pointer (&conn->delay, fb_deadline_free);
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
               && g_ascii_xdigit_value (text[i + 1]) >= 0
               && g_ascii_xdigit_value (text[i + 2]) >= 0)
        {
          out[n++] = (char) (g_ascii_xdigit_value (text[i + 1]) * 16
                             + g_ascii_xdigit_value (text[i + 2]));
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
      if (c == '%' && i + 2 < length && g_ascii_xdigit_value (target[i + 1]) >= 0
          && g_ascii_xdigit_value (target[i + 2]) >= 0)
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

/* A path that libsoup's GUri hands the handler unchanged: no escapes, no
 * empty or dot segments. */
static gboolean
plain_path (const char *path,
            gsize       length)
{
  if (length == 0 || path[0] != '/')
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = path[i];

      if (!g_ascii_isalnum (c) && strchr ("-._~!$&'()*+,;=:@/", c) == NULL)
        return FALSE;
      if (c == '/')
        {
          gsize next = i + 1;
          gsize segment = next;

          while (segment < length && path[segment] != '/')
            segment++;
          segment -= next;
          if ((segment == 0 && next < length)
              || (segment == 1 && path[next] == '.')
              || (segment == 2 && path[next] == '.' && path[next + 1] == '.'))
            return FALSE;
        }
    }
  return TRUE;
}

/* A Host value GUri takes as it is. */
static gboolean
plain_host (const char *value,
            gsize       length)
{
  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (value[i]) && strchr ("-._:[]", value[i]) == NULL)
      return FALSE;
  return TRUE;
}

typedef enum
{
  HEAD_SEARCH,
  HEAD_GET,
} HeadKind;

typedef struct
{
  HeadKind      kind;
  FbIndexCorpus corpus;       /* searches */
  char         *q;            /* searches, decoded */
  char         *path;         /* other GETs */
  gboolean      http_1_0;
  gboolean      keep_alive;   /* what the request asks */
} Head;

static void
head_clear (Head *h)
{
  g_clear_pointer (&h->q, g_free);
  g_clear_pointer (&h->path, g_free);
}

/* FALSE when the request is not one the lean path may take. */
static gboolean
parse_head (const char *head,
            gsize       length,
            Head       *h)
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
  gboolean says_close = FALSE;
  gboolean says_keep_alive = FALSE;
  const char *line;

  memset (h, 0, sizeof *h);
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
    h->http_1_0 = FALSE;
  else if (strncmp (space, " HTTP/1.0", 9) == 0)
    h->http_1_0 = TRUE;
  else
    return FALSE;

  mark = memchr (target, '?', (gsize) (space - target));
  path_length = (gsize) ((mark != NULL ? mark : space) - target);
  if (path_length == strlen ("/search") && strncmp (target, "/search", path_length) == 0)
    {
      h->kind = HEAD_SEARCH;
      h->corpus = FB_INDEX_CORPUS_UNICODE;
    }
  else if (path_length == strlen ("/flags/search")
           && strncmp (target, "/flags/search", path_length) == 0)
    {
      h->kind = HEAD_SEARCH;
      h->corpus = FB_INDEX_CORPUS_CATALOG;
    }
  else if (plain_path (target, path_length))
    h->kind = HEAD_GET;
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
        {
          const char *value_end = next;

          while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t'))
            value_end--;
          /* One plain Host, or libsoup decides (it may answer 400). */
          if (has_host || !plain_host (value, (gsize) (value_end - value)))
            return FALSE;
          has_host = TRUE;
        }
      else if (IS ("Connection"))
        {
          if (token_in (value, (gsize) (next - value), "close"))
            says_close = TRUE;
          else if (token_in (value, (gsize) (next - value), "keep-alive"))
            says_keep_alive = TRUE;
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
  if (!ended || (!h->http_1_0 && !has_host))
    return FALSE;
  h->keep_alive = !says_close && (says_keep_alive || !h->http_1_0);

  if (h->kind == HEAD_GET)
    {
      h->path = g_strndup (target, path_length);
      return TRUE;
    }

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
              g_free (h->q);
              h->q = form_decode (eq + 1, (gsize) (pair_end - eq - 1));
            }
        }
      pair = amp != NULL ? amp + 1 : NULL;
    }
  if (h->q == NULL)
    h->q = g_strdup ("");
  return TRUE;
}

gboolean
_fb_demo_lean_parse (const char     *head,
                     gsize           length,
                     FbIndexCorpus  *corpus,
                     char          **q,
                     gboolean       *http_1_0,
                     gboolean       *keep_alive)
{
  Head h;

  g_return_val_if_fail (head != NULL && corpus != NULL && q != NULL, FALSE);

  *q = NULL;
  if (!parse_head (head, length, &h) || h.kind != HEAD_SEARCH)
    {
      head_clear (&h);
      return FALSE;
    }
  *corpus = h.corpus;
  *q = g_steal_pointer (&h.q);
  *http_1_0 = h.http_1_0;
  *keep_alive = h.keep_alive;
  head_clear (&h);
  return TRUE;
}

gboolean
_fb_demo_lean_parse_get (const char  *head,
                         gsize        length,
                         char       **path,
                         gboolean    *keep_alive)
{
  Head h;

  g_return_val_if_fail (head != NULL && path != NULL && keep_alive != NULL, FALSE);

  *path = NULL;
  if (!parse_head (head, length, &h) || h.kind != HEAD_GET)
    {
      head_clear (&h);
      return FALSE;
    }
  *path = g_steal_pointer (&h.path);
  /* libsoup keeps an HTTP/1.0 connection only when its answer says so,
   * which the demo server's answers never do. */
  *keep_alive = h.keep_alive && !h.http_1_0;
  head_clear (&h);
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
  /* During a delay only the client's end of input matters (a hang-up),
   * not a pipelined request behind the held one. */
  if (conn->holding && !conn->input_ended)
    events |= EPOLLRDHUP;
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
  remote = g_socket_get_remote_address (socket, NULL);
  if (remote == NULL)
    {
      /* The client is gone already (reset): nothing to hand over. */
      g_socket_close (socket, NULL);
      return;
    }
  connection = g_socket_connection_factory_create_connection (socket);
  if (!soup_server_accept_iostream (lean->server, G_IO_STREAM (connection), lean->local, remote,
                                    &error))
    {
      g_debug ("libsoup refused a connection: %s", error->message);
      return;
    }
  lean->handed_over (lean->user_data, socket);
}

/* The answer as libsoup 3.2 writes it for the demo server's handler:
 * Server, Date, Content-Type, Content-Length; no Connection header (an
 * HTTP/1.0 connection or one whose request said close ends after it). */
static void
append_reply (Conn            *conn,
              FbDemoLeanReply *reply,
              gboolean         http_1_0,
              gboolean         keep_alive)
{
  FbDemoLean *lean = conn->lean;
  gsize size = g_bytes_get_size (reply->body);

  g_string_append_printf (conn->out,
                          "HTTP/1.%d %u %s\r\n"
                          "%s"
                          "Date: %s\r\n"
                          "Content-Type: %s\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "\r\n",
                          http_1_0 ? 0 : 1, reply->status,
                          reply->reason != NULL ? reply->reason
                                                : soup_status_get_phrase (reply->status),
                          lean->server_line, http_date (lean), reply->content_type, size);
  g_string_append_len (conn->out, g_bytes_get_data (reply->body, NULL), (gssize) size);
  g_clear_pointer (&reply->body, g_bytes_unref);
  if (!keep_alive)
    conn->close_after = TRUE;
  lean->done (lean->user_data);
}

static void conn_step (Conn *conn);

/* The delay is over, or the client ended its input: the held answer goes
 * out, and the connection reads its next request. */
static void
conn_release (Conn *conn)
{
  fb_deadline_set (conn->delay, -1);
  conn->holding = FALSE;
  append_reply (conn, &conn->held, conn->held_http_1_0, conn->held_keep_alive);
  conn_step (conn);
}

/* Answers the requests the socket holds, up to REQUESTS_PER_STEP. */
static void
conn_step (Conn *conn)
{
  FbDemoLean *lean = conn->lean;
  char head[HEAD_MAX];

  if (!conn_flush (conn))
    return;
  if (conn->out->len > 0 || conn->holding)
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
      g_autoptr(GBytes) json = NULL;
      FbDemoLeanReply reply = { 0 };
      Head h = { 0 };
      gboolean taken;
      gboolean keep_alive;
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
      if (blank == NULL && conn->input_ended)
        {
          /* Cut short by the end of input: it can never be whole. */
          conn->close_after = TRUE;
          break;
        }
      length = blank != NULL ? (gsize) (blank + 4 - head) : 0;
      taken = blank != NULL && parse_head (head, length, &h);
      if (taken && h.kind == HEAD_SEARCH)
        taken = (json = lean->answer (lean->user_data, h.corpus, h.q)) != NULL;
      else if (taken)
        taken = lean->get (lean->user_data, h.path, &reply);
      keep_alive = h.keep_alive;
      if (taken && h.kind == HEAD_GET)
        {
          /* The handler never sets Connection: Keep-Alive, so libsoup
           * ends every HTTP/1.0 connection after its answer. */
          keep_alive = keep_alive && !h.http_1_0;
        }
      head_clear (&h);
      if (!taken)
        {
          conn->hand_over = TRUE;
          break;
        }

      /* Consumes exactly this request: the next stays for the next peek. */
      if (recv (conn->fd, head, length, MSG_DONTWAIT) != (ssize_t) length)
        {
          if (json == NULL)
            {
              /* Counted in flight: it ends here. */
              g_clear_pointer (&reply.body, g_bytes_unref);
              lean->done (lean->user_data);
            }
          conn_close (conn);
          return;
        }
      if (json == NULL && reply.delay_ms > 0 && !conn->input_ended)
        {
          conn->holding = TRUE;
          conn->held = reply;
          conn->held_http_1_0 = h.http_1_0;
          conn->held_keep_alive = keep_alive;
          if (conn->delay == NULL)
            conn->delay = fb_deadline_new (lean->context, delay_over_cb, conn);
          fb_deadline_set_in_ms (conn->delay, reply.delay_ms);
          break;
        }
      if (json == NULL)
        {
          append_reply (conn, &reply, h.http_1_0, keep_alive);
          if (!keep_alive)
            break;
          continue;
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
                              h.http_1_0 ? 0 : 1, http_date (lean), size,
                              !keep_alive ? (h.http_1_0 ? "" : "Connection: close\r\n")
                                          : (h.http_1_0 ? "Connection: Keep-Alive\r\n" : ""));
      g_string_append_len (conn->out, g_bytes_get_data (json, NULL), (gssize) size);
      if (!keep_alive)
        {
          conn->close_after = TRUE;
          break;
        }
    }

  if (!conn_flush (conn))
    return;
  if (conn->out->len == 0 && conn->close_after && !conn->holding)
    {
      conn_close (conn);
      return;
    }
  if (conn->out->len == 0 && conn->hand_over)
    {
      hand_over (conn);
      return;
    }
  conn_watch (conn, conn->out->len == 0 && !conn->close_after && !conn->hand_over
                    && !conn->holding);
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
          else if (conn->holding && (events[i].events & (EPOLLRDHUP | EPOLLHUP)))
            {
              /* As libsoup's hang-up watch: the client ended its input
               * during the delay, so the answer goes now (and nowhere, if
               * it closed altogether); so do the rest without a delay. */
              conn->input_ended = TRUE;
              conn_release (conn);
            }
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
                   FbDemoLeanGet     get,
                   FbDemoLeanDone    done,
                   FbDemoLeanHandedOver handed_over,
                   gpointer          user_data)
{
  struct epoll_event event = { .events = EPOLLIN, .data.ptr = NULL };
  g_autofree char *header = NULL;
  FbDemoLean *lean;
  int epoll_fd;

  g_return_val_if_fail (G_IS_SOCKET (listener), NULL);
  g_return_val_if_fail (SOUP_IS_SERVER (server), NULL);
  g_return_val_if_fail (answer != NULL && get != NULL && done != NULL, NULL);
  g_return_val_if_fail (handed_over != NULL, NULL);

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
  lean->context = context;
  lean->answer = answer;
  lean->get = get;
  lean->done = done;
  lean->handed_over = handed_over;
  /* "fetchboard-demo libsoup/3.2.x": the header ends in a space, and
   * libsoup adds its own name and version. */
  g_object_get (server, "server-header", &header, NULL);
  lean->server_line = header != NULL ? g_strdup_printf ("Server: %s\r\n", header) : g_strdup ("");
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

  lean->freeing = TRUE;
  g_source_destroy (lean->source);
  g_source_unref (lean->source);
  g_hash_table_unref (lean->conns);
  g_free (lean->server_line);
  g_socket_close (lean->listener, NULL);
  g_object_unref (lean->listener);
  g_clear_object (&lean->local);
  g_object_unref (lean->server);
  close (lean->epoll_fd);
  g_free (lean);
}
