/* fb-http-parser.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The HTTP/1.x response parser of the lean client (fb-http.c): strict, so
 * that a body is complete and whole or the answer is an error.
 */

#define G_LOG_DOMAIN "fb-http"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "fb-http-private.h"

#define MAX_LINE        4096        /* a chunk-size or trailer line */

G_DEFINE_QUARK (fb-http-error-quark, fb_http_error)

/* ---- the parser ---- */

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

/* Whether a Transfer-Encoding list says "chunked" and nothing else that
 * would change the bytes ("identity" aside): a body in any other coding
 * (gzip, or a name we do not know) cannot be saved as what the server
 * stores, and reading it to the close would take it for whole. */
static gboolean
is_plain_chunked (const char *list)
{
  g_auto(GStrv) codings = g_strsplit (list, ",", -1);
  guint n_chunked = 0;

  for (guint i = 0; codings[i] != NULL; i++)
    {
      char *coding = g_strstrip (codings[i]);

      if (g_ascii_strcasecmp (coding, "chunked") == 0)
        n_chunked++;
      else if (g_ascii_strcasecmp (coding, "identity") != 0)
        return FALSE;
    }
  return n_chunked == 1;
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
      if (self->n_fields == FB_HTTP_MAX_FIELDS)
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
      if (!is_plain_chunked (transfer))
        {
          /* The server's bytes go into a message people and JSON read. */
          g_autofree char *shown = g_utf8_make_valid (transfer, -1);

          self->state = STATE_FAILED;
          g_set_error (error, FB_HTTP_ERROR, FB_HTTP_ERROR_PARSE,
                       _("Transfer-Encoding “%s” is not supported"), shown);
          return FB_HTTP_PARSE_ERROR;
        }
      self->chunked = TRUE;
      self->state = STATE_CHUNK_SIZE;
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

gsize
fb_http_parser_get_body_ahead (FbHttpParser *self)
{
  switch (self->state)
    {
    case STATE_BODY_LENGTH:
    case STATE_CHUNK_DATA:
      return (gsize) MIN (self->remaining, (guint64) G_MAXSIZE);
    case STATE_BODY_EOF:
      return G_MAXSIZE;
    case STATE_HEAD:
    case STATE_CHUNK_SIZE:
    case STATE_CHUNK_CRLF:
    case STATE_TRAILERS:
    case STATE_DONE:
    case STATE_FAILED:
    default:
      return 0;
    }
}

void
fb_http_parser_take_body (FbHttpParser *self,
                          gsize         size)
{
  g_return_if_fail (size <= fb_http_parser_get_body_ahead (self));

  if (self->state == STATE_BODY_EOF || size == 0)
    return;
  self->remaining -= size;
  if (self->remaining == 0)
    self->state = self->state == STATE_BODY_LENGTH ? STATE_DONE : STATE_CHUNK_CRLF;
}
