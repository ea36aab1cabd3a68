/* fb-http.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-http"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fb-http.h"

#define MAX_FIELDS      128
#define MAX_LINE        4096        /* a chunk-size or trailer line */
#define READ_BUF        (32 * 1024)
#define MAX_SKIP        (64 * 1024) /* a redirect's body we read past to keep the connection */
#define POLL_BATCH      128         /* connections served per main-loop iteration, at most */
#define URI_FLAGS       (G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_PATH | \
                         G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_ENCODED_FRAGMENT | \
                         G_URI_FLAGS_SCHEME_NORMALIZE)

G_DEFINE_QUARK (fb-http-error-quark, fb_http_error)

/* ---- the parser ---- */

typedef enum
{
  STATE_HEAD,
  STATE_BODY_LENGTH,
  STATE_BODY_EOF,
  STATE_CHUNK_SIZE,
  STATE_CHUNK_DATA,
  STATE_CHUNK_CRLF,
  STATE_TRAILERS,
  STATE_DONE,
  STATE_FAILED,
} ParserState;

typedef struct
{
  const char *name;
  const char *value;
} Field;

struct _FbHttpParser
{
  ParserState state;
  char       *head;             /* a copy of the head, split in place */
  Field       fields[MAX_FIELDS];
  guint       n_fields;
  const char *reason;
  guint       status;
  guint       minor;
  gint64      content_length;
  guint64     remaining;        /* of the body or of the current chunk */
  gsize       trailer_bytes;
  gboolean    chunked;
  gboolean    keep_alive;
};

FbHttpParser *
fb_http_parser_new (void)
{
  FbHttpParser *self = g_new0 (FbHttpParser, 1);

  fb_http_parser_reset (self);
  return self;
}

void
fb_http_parser_free (FbHttpParser *self)
{
  if (self == NULL)
    return;
  g_free (self->head);
  g_free (self);
}

void
fb_http_parser_reset (FbHttpParser *self)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->head, g_free);
  self->state = STATE_HEAD;
  self->n_fields = 0;
  self->reason = NULL;
  self->status = 0;
  self->minor = 0;
  self->content_length = -1;
  self->remaining = 0;
  self->trailer_bytes = 0;
  self->chunked = FALSE;
  self->keep_alive = FALSE;
}

static FbHttpParseResult
parse_error (FbHttpParser  *self,
             GError       **error,
             gint           code,
             const char    *message)
{
  self->state = STATE_FAILED;
  g_set_error_literal (error, FB_HTTP_ERROR, code, message);
  return FB_HTTP_PARSE_ERROR;
}

static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || strchr ("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Whether the comma-separated @list holds @token (case-insensitive). */
static gboolean
list_has_token (const char *list,
                const char *token)
{
  gsize len = strlen (token);
  const char *p = list;

  while (*p != '\0')
    {
      const char *end;

      while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
      end = p;
      while (*end != '\0' && *end != ',')
        end++;
      {
        const char *last = end;

        while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
          last--;
        if ((gsize) (last - p) == len && g_ascii_strncasecmp (p, token, len) == 0)
          return TRUE;
      }
      p = end;
    }
  return FALSE;
}

/* The last coding in a Transfer-Encoding list is "chunked". */
static gboolean
ends_with_chunked (const char *list)
{
  const char *last = strrchr (list, ',');
  const char *p = last != NULL ? last + 1 : list;
  gsize len;

  while (*p == ' ' || *p == '\t')
    p++;
  len = strlen (p);
  while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
    len--;
  return len == 7 && g_ascii_strncasecmp (p, "chunked", 7) == 0;
}

static gboolean
parse_decimal (const char *text,
               gint64     *value)
{
  guint64 v = 0;

  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) || v > (G_MAXINT64 - 9) / 10)
        return FALSE;
      v = v * 10 + (guint64) (*p - '0');
    }
  *value = (gint64) v;
  return TRUE;
}

/* Splits the head (status line and fields) that @head holds, NUL-terminated. */
static FbHttpParseResult
parse_head (FbHttpParser  *self,
            GError       **error)
{
  char *line = self->head;
  char *next;
  const char *connection = NULL;
  const char *transfer = NULL;
  gboolean has_length = FALSE;
  gint64 length = -1;
  char *p;

  next = strchr (line, '\n');
  g_assert (next != NULL);
  *next++ = '\0';
  if (next - line >= 2 && next[-2] == '\r')
    next[-2] = '\0';

  /* HTTP/1.x SP 3DIGIT [SP reason] */
  if (strncmp (line, "HTTP/1.", 7) != 0 || !g_ascii_isdigit (line[7]) || line[8] != ' ' ||
      !g_ascii_isdigit (line[9]) || !g_ascii_isdigit (line[10]) || !g_ascii_isdigit (line[11]) ||
      (line[12] != ' ' && line[12] != '\0'))
    return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Bad status line"));
  self->minor = (guint) (line[7] - '0');
  self->status = (guint) ((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
  self->reason = line[12] == ' ' ? line + 13 : line + 12;

  self->n_fields = 0;
  for (line = next; *line != '\0'; line = next)
    {
      char *colon;
      char *value;
      char *end;

      next = strchr (line, '\n');
      g_assert (next != NULL);
      *next++ = '\0';
      if (next - line >= 2 && next[-2] == '\r')
        next[-2] = '\0';
      if (*line == '\0')
        break;
      if (*line == ' ' || *line == '\t')
        return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Folded header line"));
      colon = strchr (line, ':');
      if (colon == NULL || colon == line)
        return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Bad header line"));
      for (p = line; p < colon; p++)
        if (!is_token_char (*p))
          return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Bad header name"));
      *colon = '\0';
      value = colon + 1;
      while (*value == ' ' || *value == '\t')
        value++;
      end = value + strlen (value);
      while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
      if (self->n_fields == MAX_FIELDS)
        return parse_error (self, error, FB_HTTP_ERROR_TOO_LARGE, _("Too many header lines"));
      self->fields[self->n_fields].name = line;
      self->fields[self->n_fields].value = value;
      self->n_fields++;

      /* By length first: most fields are none of these three. */
      if (colon - line == 14 && g_ascii_strcasecmp (line, "Content-Length") == 0)
        {
          gint64 v;

          if (!parse_decimal (value, &v) || (has_length && v != length))
            return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Bad Content-Length"));
          has_length = TRUE;
          length = v;
        }
      else if (colon - line == 17 && g_ascii_strcasecmp (line, "Transfer-Encoding") == 0)
        transfer = value;
      else if (colon - line == 10 && g_ascii_strcasecmp (line, "Connection") == 0 &&
               connection == NULL)
        connection = value;
    }

  if (connection != NULL && list_has_token (connection, "close"))
    self->keep_alive = FALSE;
  else if (self->minor >= 1)
    self->keep_alive = TRUE;
  else
    self->keep_alive = connection != NULL && list_has_token (connection, "keep-alive");

  if (self->status == 204 || self->status == 304)
    {
      self->state = STATE_DONE;
      self->content_length = 0;
    }
  else if (transfer != NULL)
    {
      /* Transfer-Encoding wins over Content-Length (RFC 9112 6.3). */
      self->chunked = ends_with_chunked (transfer);
      if (self->chunked)
        self->state = STATE_CHUNK_SIZE;
      else
        {
          self->state = STATE_BODY_EOF;
          self->keep_alive = FALSE;
        }
    }
  else if (has_length)
    {
      self->content_length = length;
      self->remaining = (guint64) length;
      self->state = length > 0 ? STATE_BODY_LENGTH : STATE_DONE;
    }
  else
    {
      self->state = STATE_BODY_EOF;
      self->keep_alive = FALSE;
    }
  return FB_HTTP_PARSE_HEAD;
}

/* The end of the head: the byte after its empty line, or 0. */
static gsize
find_head_end (const guint8 *data,
               gsize         size)
{
  const guint8 *p = data;
  const guint8 *end = data + size;

  while (p < end)
    {
      const guint8 *nl = memchr (p, '\n', (gsize) (end - p));

      if (nl == NULL)
        return 0;
      if (nl + 1 < end && nl[1] == '\n')
        return (gsize) (nl + 2 - data);
      if (nl + 2 < end && nl[1] == '\r' && nl[2] == '\n')
        return (gsize) (nl + 3 - data);
      p = nl + 1;
    }
  return 0;
}

/* A whole line (through its \n) at @data, or 0 when it is not all there. */
static gsize
find_line (const guint8 *data,
           gsize         size)
{
  const guint8 *nl = memchr (data, '\n', size);

  return nl != NULL ? (gsize) (nl + 1 - data) : 0;
}

static FbHttpParseResult
parse_chunk_size (FbHttpParser  *self,
                  const guint8  *data,
                  gsize          len,
                  GError       **error)
{
  guint64 size = 0;
  gsize i = 0;

  for (; i < len && g_ascii_isxdigit (data[i]); i++)
    {
      if (size > (G_MAXINT64 >> 4))
        return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Chunk size too large"));
      size = (size << 4) | (guint64) g_ascii_xdigit_value (data[i]);
    }
  if (i == 0)
    return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Bad chunk size"));
  while (i < len && (data[i] == ' ' || data[i] == '\t'))
    i++;
  if (data[i] != ';' && data[i] != '\r' && data[i] != '\n')
    return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Bad chunk size"));
  if (size == 0)
    self->state = STATE_TRAILERS;
  else
    {
      self->remaining = size;
      self->state = STATE_CHUNK_DATA;
    }
  return FB_HTTP_PARSE_NEED_MORE;
}

FbHttpParseResult
fb_http_parser_feed (FbHttpParser   *self,
                     const guint8   *data,
                     gsize           size,
                     gsize          *consumed,
                     const guint8  **body,
                     gsize          *body_size,
                     GError        **error)
{
  gsize used = 0;

  g_return_val_if_fail (self != NULL, FB_HTTP_PARSE_ERROR);
  g_return_val_if_fail (consumed != NULL && body != NULL && body_size != NULL,
                        FB_HTTP_PARSE_ERROR);

  *consumed = 0;
  *body = NULL;
  *body_size = 0;

  for (;;)
    {
      const guint8 *p = data + used;
      gsize left = size - used;
      gsize n;
      FbHttpParseResult result;

      switch (self->state)
        {
        case STATE_HEAD:
          /* Empty lines before a status line are allowed (RFC 9112 2.2). */
          while (left > 0 && (*p == '\r' || *p == '\n'))
            {
              p++;
              left--;
              used++;
            }
          n = find_head_end (p, MIN (left, (gsize) FB_HTTP_MAX_HEAD));
          if (n == 0)
            {
              *consumed = used;
              if (left >= FB_HTTP_MAX_HEAD)
                return parse_error (self, error, FB_HTTP_ERROR_TOO_LARGE,
                                    _("Response head larger than 64 KiB"));
              return FB_HTTP_PARSE_NEED_MORE;
            }
          g_free (self->head);
          self->head = g_strndup ((const char *) p, n);
          if (strlen (self->head) != n)
            return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("NUL byte in response head"));
          used += n;
          *consumed = used;
          result = parse_head (self, error);
          if (result != FB_HTTP_PARSE_HEAD)
            return result;
          if (self->status >= 100 && self->status < 200)
            {
              if (self->status == 101)
                return parse_error (self, error, FB_HTTP_ERROR_PARSE,
                                    _("Unexpected protocol switch"));
              /* An interim answer (100 Continue, 103 Early Hints): the real one follows. */
              fb_http_parser_reset (self);
              continue;
            }
          return FB_HTTP_PARSE_HEAD;

        case STATE_BODY_LENGTH:
        case STATE_CHUNK_DATA:
          *consumed = used;
          if (left == 0)
            return FB_HTTP_PARSE_NEED_MORE;
          n = (gsize) MIN ((guint64) left, self->remaining);
          self->remaining -= n;
          if (self->remaining == 0)
            self->state = self->state == STATE_BODY_LENGTH ? STATE_DONE : STATE_CHUNK_CRLF;
          *body = p;
          *body_size = n;
          *consumed = used + n;
          return FB_HTTP_PARSE_BODY;

        case STATE_BODY_EOF:
          *consumed = size;
          if (left == 0)
            return FB_HTTP_PARSE_NEED_MORE;
          *body = p;
          *body_size = left;
          return FB_HTTP_PARSE_BODY;

        case STATE_CHUNK_SIZE:
          n = find_line (p, MIN (left, (gsize) MAX_LINE));
          if (n == 0)
            {
              *consumed = used;
              if (left >= MAX_LINE)
                return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Chunk size line too long"));
              return FB_HTTP_PARSE_NEED_MORE;
            }
          if (parse_chunk_size (self, p, n, error) == FB_HTTP_PARSE_ERROR)
            {
              *consumed = used;
              return FB_HTTP_PARSE_ERROR;
            }
          used += n;
          break;

        case STATE_CHUNK_CRLF:
          *consumed = used;
          if (left == 0 || (left == 1 && *p == '\r'))
            return FB_HTTP_PARSE_NEED_MORE;
          if (*p == '\n')
            used += 1;
          else if (p[0] == '\r' && p[1] == '\n')
            used += 2;
          else
            return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Chunk not followed by CRLF"));
          self->state = STATE_CHUNK_SIZE;
          break;

        case STATE_TRAILERS:
          n = find_line (p, MIN (left, (gsize) MAX_LINE));
          if (n == 0)
            {
              *consumed = used;
              if (left >= MAX_LINE)
                return parse_error (self, error, FB_HTTP_ERROR_PARSE, _("Trailer line too long"));
              return FB_HTTP_PARSE_NEED_MORE;
            }
          used += n;
          self->trailer_bytes += n;
          if (self->trailer_bytes > FB_HTTP_MAX_HEAD)
            {
              *consumed = used;
              return parse_error (self, error, FB_HTTP_ERROR_TOO_LARGE,
                                  _("Trailers larger than 64 KiB"));
            }
          if (n == 1 || (n == 2 && p[0] == '\r'))
            self->state = STATE_DONE;
          break;

        case STATE_DONE:
          *consumed = used;
          return FB_HTTP_PARSE_DONE;

        case STATE_FAILED:
        default:
          *consumed = used;
          return parse_error (self, error, FB_HTTP_ERROR_PARSE, "Parser used after an error");
        }
    }
}

FbHttpParseResult
fb_http_parser_feed_eof (FbHttpParser  *self,
                         GError       **error)
{
  g_return_val_if_fail (self != NULL, FB_HTTP_PARSE_ERROR);

  if (self->state == STATE_BODY_EOF || self->state == STATE_DONE)
    {
      self->state = STATE_DONE;
      return FB_HTTP_PARSE_DONE;
    }
  self->state = STATE_FAILED;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                       _("Connection terminated unexpectedly"));
  return FB_HTTP_PARSE_ERROR;
}

guint
fb_http_parser_get_status (FbHttpParser *self)
{
  return self->status;
}

guint
fb_http_parser_get_minor (FbHttpParser *self)
{
  return self->minor;
}

const char *
fb_http_parser_get_reason (FbHttpParser *self)
{
  return self->reason;
}

const char *
fb_http_parser_get_header (FbHttpParser *self,
                           const char   *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->n_fields; i++)
    if (g_ascii_strcasecmp (self->fields[i].name, name) == 0)
      return self->fields[i].value;
  return NULL;
}

gint64
fb_http_parser_get_content_length (FbHttpParser *self)
{
  return self->chunked ? -1 : self->content_length;
}

gboolean
fb_http_parser_get_chunked (FbHttpParser *self)
{
  return self->chunked;
}

gboolean
fb_http_parser_get_keep_alive (FbHttpParser *self)
{
  return self->keep_alive;
}

gboolean
fb_http_parser_is_idle (FbHttpParser *self)
{
  return self->state == STATE_HEAD && self->head == NULL;
}

/* ---- connections and the pool ---- */

typedef struct _Conn Conn;

typedef enum
{
  CONN_CONNECTING,
  CONN_SENDING,
  CONN_READING,
  CONN_IDLE,
} ConnState;

/* One source per pool watches all its connections through an epoll set.
 * A source per connection made every main-loop iteration walk and poll
 * every connection: at 1,000 connections that was half of the window's
 * main thread (poll, then GLib's prepare, query and check over each
 * source). Now an iteration polls one fd and hears only about the
 * connections that are ready. */
typedef struct
{
  GSource    source;
  int        epfd;
  GQueue     due;            /* Conn* to dispatch without waiting for their fd */
  GPtrArray *dead;           /* Conn* freed while dispatching, released after */
  guint      depth;          /* nested dispatches */
} Poller;

struct _Conn
{
  FbHttpPool    *pool;       /* borrowed: a pool outlives its connections */
  FbHttpRequest *request;    /* the request it serves, NULL while idle */
  char          *key;
  GSocket       *socket;
  Poller        *poller;     /* borrowed from the pool */
  GList          due_link;   /* in poller->due while queued */
  FbHttpParser  *parser;
  GList         *idle_link;  /* in the pool's queue for key */
  GIOCondition   watched;
  guint8        *buf;
  gsize          buf_size;
  gsize          start;
  gsize          end;
  guint          n_responses;
  ConnState      state;
  int            fd;
  gboolean       got_bytes;  /* for the current request */
  gboolean       doomed;     /* not to be reused */
  gboolean       dead;       /* freed during a dispatch: its memory waits */
};

struct _FbHttpPool
{
  gint        ref_count;
  char       *user_agent;
  GHashTable *idle;          /* key → GQueue* of Conn*, most recent first */
  GHashTable *direct;        /* key → key: no proxy for it */
  GHashTable *connect_us;    /* key → fastest connect seen (µs), for the probe */
  Poller     *poller;        /* made with the first connection */
  guint       n_connects;
  guint       n_idle;
};

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
  char                  *extra;       /* header lines of the caller's */
  GSource               *probe;       /* a new connection's check (see probe_cb) */
  gint64                 connect_started;
  guint                  reconnects;
  char                  *reason;
  gint64                 content_length;
  guint64                skipped;
  guint                  ref_count;
  guint                  redirects;
  guint                  max_redirects;
  guint                  status;
  int                    port;
  gboolean               in_callback;
  gboolean               freed;
  gboolean               paused;
  gboolean               retried;
  gboolean               redirecting;
};

static void conn_process     (Conn          *conn);
static void request_connect  (FbHttpRequest *self,
                              gboolean       fresh);
static void request_send     (FbHttpRequest *self);
static void connect_next     (FbHttpRequest *self);
static gboolean emit_event (FbHttpRequest *self,
                            FbHttpEvent    event);
static void connected      (FbHttpRequest *self);
static void request_clear_probe (FbHttpRequest *self);
static void request_arm_probe   (FbHttpRequest *self,
                                 gint64         after_us);

static guint32
epoll_events (GIOCondition condition)
{
  return ((condition & G_IO_IN) ? EPOLLIN : 0) | ((condition & G_IO_OUT) ? EPOLLOUT : 0);
}

/* Nothing watched means the fd is out of the epoll set: a closed peer
 * would report HUP even with no events asked for. */
static void
conn_watch (Conn         *conn,
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
static void
conn_schedule (Conn *conn)
{
  Poller *poller = conn->poller;

  if (conn->due_link.data != NULL)
    return;
  conn->due_link.data = conn;
  g_queue_push_tail_link (&poller->due, &conn->due_link);
  g_source_set_ready_time ((GSource *) poller, 0);
}

static void
conn_free (Conn *conn)
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
  conn_watch (conn, 0);
  g_socket_close (conn->socket, NULL);
  g_clear_object (&conn->socket);
  g_clear_pointer (&conn->parser, fb_http_parser_free);
  g_clear_pointer (&conn->buf, g_free);
  g_clear_pointer (&conn->key, g_free);
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
static gboolean
conn_is_quiet (Conn *conn)
{
  char c;
  gssize n = recv (conn->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

static void
conn_dispatch (Conn         *conn,
               GIOCondition  condition)
{
  FbHttpRequest *request = conn->request;

  if (request == NULL)
    {
      /* An idle connection: the server closed it or sent junk. Or the
       * event is stale: the connection was busy when it was queued (a due
       * entry, or a batch that a nested main loop served first). */
      if (!conn_is_quiet (conn))
        conn_free (conn);
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
              conn_free (conn);
              connect_next (request);
              return;
            }
          connected (request);
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

static GIOCondition
condition_of (guint32 events)
{
  return ((events & EPOLLIN) ? G_IO_IN : 0) | ((events & EPOLLOUT) ? G_IO_OUT : 0) |
         ((events & EPOLLHUP) ? G_IO_HUP : 0) | ((events & EPOLLERR) ? G_IO_ERR : 0);
}

static gboolean
poller_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  Poller *poller = (Poller *) source;
  struct epoll_event events[POLL_BATCH];
  int n;

  poller->depth++;
  if (g_source_get_ready_time (source) != -1)
    {
      /* Those queued again meanwhile wait for the next iteration. (A freed
       * connection has left the queue: see conn_free.) */
      guint n_due = poller->due.length;
      GList *link;

      g_source_set_ready_time (source, -1);
      while (n_due-- > 0 && (link = g_queue_pop_head_link (&poller->due)) != NULL)
        {
          Conn *conn = link->data;

          link->data = NULL;
          conn_dispatch (conn, 0);
        }
    }

  /* Level-triggered: what is left past one batch comes in the next
   * iteration, after whatever else is ready. */
  n = epoll_wait (poller->epfd, events, G_N_ELEMENTS (events), 0);
  for (int i = 0; i < n; i++)
    {
      Conn *conn = events[i].data.ptr;

      if (!conn->dead)
        conn_dispatch (conn, condition_of (events[i].events));
    }

  if (--poller->depth == 0)
    g_ptr_array_set_size (poller->dead, 0);
  return G_SOURCE_CONTINUE;
}

static void
poller_finalize (GSource *source)
{
  Poller *poller = (Poller *) source;

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
  g_source_add_unix_fd ((GSource *) poller, epfd, G_IO_IN);
  g_source_attach ((GSource *) poller, context);
  return poller;
}

static Conn *
conn_new (FbHttpPool *pool,
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
  conn_watch (conn, G_IO_OUT);
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
  self->direct = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->connect_us = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
          conn_free (conn);
        }
    }
  g_hash_table_destroy (self->idle);
  g_hash_table_destroy (self->direct);
  g_hash_table_destroy (self->connect_us);
  if (self->poller != NULL)
    {
      g_source_destroy ((GSource *) self->poller);
      g_source_unref ((GSource *) self->poller);
    }
  g_free (self->user_agent);
  g_free (self);
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

static void
pool_put (FbHttpPool *pool,
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
  conn_watch (conn, G_IO_IN);
}

static Conn *
pool_take (FbHttpPool *pool,
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
      if (conn_is_quiet (conn))
        return conn;
      conn_free (conn);
    }
  return NULL;
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
  g_free (self->extra);
  g_free (self->reason);
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
      conn_free (self->conn);
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
      conn_free (self->conn);
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
  gboolean with_port = g_uri_get_port (self->uri) > 0 && self->port != 80;

  g_free (self->out);
  self->out = g_strconcat ("GET ", *path != '\0' ? path : "/",
                           query != NULL ? "?" : "", query != NULL ? query : "",
                           " HTTP/1.1\r\nHost: ", v6 ? "[" : "", self->host, v6 ? "]" : "",
                           with_port ? ":" : "", with_port ? port_text : "",
                           "\r\nUser-Agent: ", self->pool->user_agent,
                           "\r\nAccept: */*\r\nConnection: keep-alive\r\n",
                           self->extra != NULL ? self->extra : "", "\r\n", NULL);
  self->out_len = strlen (self->out);
  self->out_sent = 0;
}

static gboolean
set_target (FbHttpRequest  *self,
            GUri           *uri)
{
  const char *host = g_uri_get_host (uri);

  if (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 || host == NULL || *host == '\0')
    return FALSE;
  if (self->uri != uri)
    {
      g_uri_unref (self->uri);
      self->uri = g_uri_ref (uri);
    }
  g_free (self->host);
  self->host = g_strdup (host);
  self->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 80;
  {
    char port[8];

    g_free (self->key);
    self->key = g_strconcat (self->host, ":", format_port (port, self->port), NULL);
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
  conn_free (conn);
  self->conn = NULL;
  request_connect (self, TRUE);
  return TRUE;
}

/* ---- a connection burst must not fail a request ----
 *
 * A server whose listen queue is full drops a new connection's SYN, or
 * (once the queue had room for the SYN but not for the connection) the
 * handshake's last ACK and then our request. The kernel tries again after
 * 1, 3, 7 s, and every connection dropped in one burst tries again in the
 * same burst. So a new connection that has not connected long after the
 * host's fastest connect, or whose request the server has not acknowledged
 * after four round trips, is dropped and opened again, after a random
 * pause that spreads the burst out. */

#define PROBE_MIN_US    (100 * 1000)
#define MAX_RECONNECTS  20
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
  gboolean stuck = FALSE;

  g_clear_pointer (&self->probe, g_source_unref);
  if (conn == NULL || conn->got_bytes || conn->n_responses > 0 || self->addresses == NULL)
    return G_SOURCE_REMOVE;
  if (conn->state == CONN_CONNECTING)
    {
      gsize fastest = GPOINTER_TO_SIZE (g_hash_table_lookup (self->pool->connect_us, self->key));
      gint64 waited = g_get_monotonic_time () - self->connect_started;

      /* Until one connection to the host tells how long connecting takes
       * there, the kernel's own retransmits go on. */
      struct tcp_info info;
      socklen_t len = sizeof info;

      if (fastest == 0 || waited < 3 * (gint64) fastest)
        {
          request_arm_probe (self, fastest == 0 ? PROBE_MIN_US : 3 * (gint64) fastest - waited);
          return G_SOURCE_REMOVE;
        }
      /* Only a SYN still unanswered: a connect the kernel finished waits
       * in the poller behind a busy main loop. */
      stuck = getsockopt (conn->fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
              info.tcpi_state == TCP_SYN_SENT;
    }
  else if (conn->state == CONN_READING)
    {
      struct tcp_info info;
      socklen_t len = sizeof info;

      stuck = getsockopt (conn->fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
              info.tcpi_unacked > 0;
    }
  if (!stuck)
    return G_SOURCE_REMOVE;

  self->reconnects++;
  conn->request = NULL;
  conn_free (conn);
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
connected (FbHttpRequest *self)
{
  gint64 took = MAX (1, g_get_monotonic_time () - self->connect_started);
  gpointer fastest = g_hash_table_lookup (self->pool->connect_us, self->key);

  request_clear_probe (self);
  if (fastest == NULL || took < (gint64) GPOINTER_TO_SIZE (fastest))
    g_hash_table_insert (self->pool->connect_us, g_strdup (self->key),
                         GSIZE_TO_POINTER ((gsize) took));
  if (emit_event (self, FB_HTTP_EVENT_CONNECTED))
    request_send (self);
}

static void
request_send (FbHttpRequest *self)
{
  Conn *conn = self->conn;

  conn->state = CONN_SENDING;
  while (self->out_sent < self->out_len)
    {
      gssize n = send (conn->fd, self->out + self->out_sent, self->out_len - self->out_sent,
                       MSG_NOSIGNAL);

      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          if (saved == EAGAIN || saved == EWOULDBLOCK)
            {
              conn_watch (conn, G_IO_OUT);
              return;
            }
          if (request_retry_stale (self))
            return;
          request_fail (self, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                           _("Error sending data: %s"), g_strerror (saved)));
          return;
        }
      self->out_sent += (gsize) n;
    }
  conn->state = CONN_READING;
  conn->got_bytes = FALSE;
  conn_watch (conn, self->paused ? 0 : G_IO_IN);
  if (conn->n_responses == 0)
    {
      struct tcp_info info;
      socklen_t len = sizeof info;
      gint64 rtt = 0;

      if (getsockopt (conn->fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0)
        rtt = info.tcpi_rtt;
      request_arm_probe (self, MAX (PROBE_MIN_US, 4 * rtt));
    }
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

  conn = conn_new (self->pool, self->key, g_steal_pointer (&socket));
  conn->request = self;
  conn->state = CONN_CONNECTING;
  self->conn = conn;
  if (!emit_event (self, FB_HTTP_EVENT_CONNECTING))
    return;
  self->connect_started = g_get_monotonic_time ();
  if (g_socket_connect (conn->socket, address, NULL, &error))
    {
      connected (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      gpointer fastest = g_hash_table_lookup (self->pool->connect_us, self->key);

      conn_watch (conn, G_IO_OUT);
      /* A host that connects in 50 µs does not take 100 ms without a
       * reason: its listen queue overflowed and dropped our SYN. */
      request_arm_probe (self, MAX (PROBE_MIN_US,
                                    3 * (gint64) GPOINTER_TO_SIZE (fastest)));
      return;
    }
  g_clear_error (&self->connect_error);
  self->connect_error = g_steal_pointer (&error);
  conn->request = NULL;
  conn_free (conn);
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
                                      g_inet_socket_address_new (l->data, (guint16) self->port));
  self->addresses = g_list_reverse (self->addresses);
  self->next_address = self->addresses;
  g_resolver_free_addresses (addresses);
  connect_next (self);
  request_unref (self);
}

static void
open_connection (FbHttpRequest *self)
{
  g_autoptr(GInetAddress) numeric = g_inet_address_new_from_string (self->host);

  g_clear_error (&self->connect_error);
  g_list_free_full (self->addresses, g_object_unref);
  self->addresses = NULL;
  if (numeric != NULL)
    {
      self->addresses = g_list_prepend (NULL, g_inet_socket_address_new (numeric,
                                                                         (guint16) self->port));
      self->next_address = self->addresses;
      connect_next (self);
      return;
    }
  if (!emit_event (self, FB_HTTP_EVENT_RESOLVING))
    return;
  {
    g_autoptr(GResolver) resolver = g_resolver_get_default ();

    g_resolver_lookup_by_name_async (resolver, self->host, request_get_cancellable (self), resolved_cb,
                                     request_ref (self));
  }
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
  if (proxies == NULL || proxies[0] == NULL || g_strcmp0 (proxies[0], "direct://") != 0)
    {
      /* Through a proxy (or unknown): libsoup's business. */
      request_fail (self, g_error_new_literal (FB_HTTP_ERROR, FB_HTTP_ERROR_FALLBACK,
                                               "A proxy is configured"));
      request_unref (self);
      return;
    }
  g_hash_table_add (self->pool->direct, g_strdup (self->key));
  open_connection (self);
  request_unref (self);
}

/* Loopback never goes through a proxy, as in Firefox and Chrome, and as
 * GNOME's default ignore-hosts says: asking the desktop's resolver would load
 * its modules (libproxy, GSettings) for nothing, a few milliseconds a run. */
static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) numeric = g_inet_address_new_from_string (host);
  gsize len = strlen (host);

  if (numeric != NULL)
    return g_inet_address_get_is_loopback (numeric);
  if (len > 0 && host[len - 1] == '.')
    len--;
  return (len == 9 && g_ascii_strncasecmp (host, "localhost", 9) == 0)
         || (len > 10 && g_ascii_strncasecmp (host + len - 10, ".localhost", 10) == 0);
}

static void
request_connect (FbHttpRequest *self,
                 gboolean       fresh)
{
  Conn *conn = fresh ? NULL : pool_take (self->pool, self->key);

  /* From the start on a new connection (a retry sent it all once). */
  self->out_sent = 0;
  if (conn != NULL)
    {
      conn->request = self;
      self->conn = conn;
      request_send (self);
      return;
    }
  if (!g_hash_table_contains (self->pool->direct, self->key))
    {
      if (!host_is_loopback (self->host))
        {
          g_autofree char *target = g_strdup_printf ("http://%s/", self->key);

          g_proxy_resolver_lookup_async (g_proxy_resolver_get_default (), target,
                                         request_get_cancellable (self),
                                         proxy_cb, request_ref (self));
          return;
        }
      g_hash_table_add (self->pool->direct, g_strdup (self->key));
    }
  open_connection (self);
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
      pool_put (self->pool, conn);
    }
  else
    {
      conn->request = NULL;
      conn_free (conn);
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
  if (!set_target (self, next))
    {
      /* https or another scheme: libsoup carries on from here. */
      g_uri_unref (self->uri);
      self->uri = g_steal_pointer (&next);
      call_done (self, &(GError) { FB_HTTP_ERROR, FB_HTTP_ERROR_FALLBACK, (char *) "redirect" });
      return;
    }
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

      if (next != NULL)
        {
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
      conn_free (conn);
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
      conn_free (conn);
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
              conn_watch (conn, 0);
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
          conn_watch (conn, G_IO_IN);
          return;
        }

      /* Room to read: compact, and grow only for a head that does not fit. */
      if (conn->start > 0 && conn->end == conn->buf_size)
        {
          memmove (conn->buf, conn->buf + conn->start, conn->end - conn->start);
          conn->end -= conn->start;
          conn->start = 0;
        }
      if (conn->buf == NULL)
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
        gssize n = recv (conn->fd, conn->buf + conn->end, conn->buf_size - conn->end, 0);

        if (n > 0)
          {
            short_read = (gsize) n < conn->buf_size - conn->end;
            conn->end += (gsize) n;
            conn->got_bytes = TRUE;
            continue;
          }
        if (n == 0)
          {
            conn_eof (conn);
            return;
          }
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          if (saved == EAGAIN || saved == EWOULDBLOCK)
            {
              conn_watch (conn, G_IO_IN);
              return;
            }
          if (request_retry_stale (self))
            return;
          request_fail (self, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                           _("Error receiving data: %s"), g_strerror (saved)));
          return;
        }
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
  if (!set_target (self, uri))
    {
      request_unref (self);
      g_return_val_if_reached (NULL);
    }
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
      conn_watch (self->conn, G_IO_IN);
      /* Bytes already buffered are handed over from the main loop. */
      if (self->conn->start < self->conn->end)
        conn_schedule (self->conn);
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

void
fb_http_request_set_headers (FbHttpRequest *self,
                             const char    *lines)
{
  g_return_if_fail (self != NULL);

  g_free (self->extra);
  self->extra = g_strdup (lines);
  build_request (self);
}

const char *
fb_http_request_get_header (FbHttpRequest *self,
                            const char    *name)
{
  if (self->conn == NULL)
    return NULL;
  return fb_http_parser_get_header (self->conn->parser, name);
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
