/* fb-http.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Fetchboard's HTTP/1.1 client, for every http:// and https:// GET: main
 * thread only, one non-blocking socket per connection, all of a pool's
 * connections watched by one epoll source on the main context of its first
 * connection, keep-alive pool per host and port (and proxy). https through
 * GIO's TLS (HTTP/1.1 by ALPN); proxies from the environment or the
 * desktop (HTTP: whole URLs, or CONNECT for https; SOCKS through GProxy).
 * Responses are parsed strictly (fb-http-parser.c). */

#define FB_HTTP_ERROR (fb_http_error_quark ())

typedef enum
{
  FB_HTTP_ERROR_PARSE,       /* a response we cannot read */
  FB_HTTP_ERROR_TOO_LARGE,   /* a response head over FB_HTTP_MAX_HEAD */
  FB_HTTP_ERROR_REDIRECTS,   /* more than the allowed redirects */
  FB_HTTP_ERROR_BAD_REDIRECT, /* a Location that is not an http or https URL */
} FbHttpError;

#define FB_HTTP_MAX_HEAD (64 * 1024)

GQuark fb_http_error_quark (void);

/* ---- the response parser (incremental, no I/O) ---- */

typedef enum
{
  FB_HTTP_PARSE_NEED_MORE,   /* everything usable was consumed; feed more */
  FB_HTTP_PARSE_HEAD,        /* the head is in: see the getters */
  FB_HTTP_PARSE_BODY,        /* *body / *body_size point into the input */
  FB_HTTP_PARSE_DONE,        /* the response ended; reset for the next one */
  FB_HTTP_PARSE_ERROR,
} FbHttpParseResult;

typedef struct _FbHttpParser FbHttpParser;

FbHttpParser     *fb_http_parser_new              (void);
void              fb_http_parser_free             (FbHttpParser   *self);
void              fb_http_parser_reset            (FbHttpParser   *self);
/* Reads one step from @data: bytes it could not use yet (a partial line
 * or head) are not consumed, so the caller feeds them again with more. */
FbHttpParseResult fb_http_parser_feed             (FbHttpParser   *self,
                                                   const guint8   *data,
                                                   gsize           size,
                                                   gsize          *consumed,
                                                   const guint8  **body,
                                                   gsize          *body_size,
                                                   GError        **error);
/* The peer closed: DONE for a body that runs until close, else ERROR. */
FbHttpParseResult fb_http_parser_feed_eof         (FbHttpParser   *self,
                                                   GError        **error);
guint             fb_http_parser_get_status       (FbHttpParser   *self);
guint             fb_http_parser_get_minor        (FbHttpParser   *self);
const char       *fb_http_parser_get_reason       (FbHttpParser   *self);
/* Case-insensitive; the first of repeated fields. */
const char       *fb_http_parser_get_header       (FbHttpParser   *self,
                                                   const char     *name);
/* -1 when the body is chunked or runs until close. */
gint64            fb_http_parser_get_content_length (FbHttpParser *self);
gboolean          fb_http_parser_get_chunked      (FbHttpParser   *self);
/* Whether the connection can carry another request after this response. */
gboolean          fb_http_parser_get_keep_alive   (FbHttpParser   *self);
/* Whether the next thing the parser expects is a new response head. */
gboolean          fb_http_parser_is_idle          (FbHttpParser   *self);
/* How many of the next bytes are body and nothing else (the rest of a
 * Content-Length, of a chunk, or G_MAXSIZE for a body that runs until
 * close); 0 anywhere else. */
gsize             fb_http_parser_get_body_ahead   (FbHttpParser   *self);
/* @size bytes of body (at most the body ahead) were read elsewhere than
 * through fb_http_parser_feed (): count them as fed. */
void              fb_http_parser_take_body        (FbHttpParser   *self,
                                                   gsize           size);

/* ---- the pool and its requests ---- */

typedef struct _FbHttpPool    FbHttpPool;
typedef struct _FbHttpRequest FbHttpRequest;

typedef enum
{
  FB_HTTP_EVENT_RESOLVING,
  FB_HTTP_EVENT_CONNECTING,
  FB_HTTP_EVENT_TLS_HANDSHAKING,
  FB_HTTP_EVENT_CONNECTED,        /* a new connection is up (before any TLS) */
  FB_HTTP_EVENT_TLS_HANDSHAKED,
  FB_HTTP_EVENT_REQUEST_SENT,     /* the whole request is written: the answer is awaited */
} FbHttpEvent;

/* Any callback may free the request (fb_http_request_free). */
typedef struct
{
  void (*event)    (FbHttpRequest *request, FbHttpEvent event, gpointer user_data);
  /* The final response's head (redirects are followed inside). */
  void (*response) (FbHttpRequest *request, gpointer user_data);
  void (*body)     (FbHttpRequest *request, const guint8 *data, gsize size, gpointer user_data);
  /* The body ended (@error NULL) or the request failed. A body announced
   * with Content-Length that ends early at a clean close ends without
   * an error: the caller compares the counts. */
  void (*done)     (FbHttpRequest *request, const GError *error, gpointer user_data);
  /* Optional: where the next body bytes may be read to, *@size bytes of
   * room, or NULL. Bytes read there come to body () with @data pointing
   * at the room: a large body then goes from the socket (or TLS) to the
   * caller's buffer without a copy. */
  guint8 *(*body_room) (FbHttpRequest *request, gsize *size, gpointer user_data);
} FbHttpCallbacks;

FbHttpPool    *fb_http_pool_new               (const char            *user_agent);
FbHttpPool    *fb_http_pool_ref               (FbHttpPool            *self);
void           fb_http_pool_unref             (FbHttpPool            *self);
/* Connections opened since the pool was made (for tests and benchmarks). */
/* The trust for https (default: the system's, through FbTlsDatabase). */
void           fb_http_pool_set_tls_database  (FbHttpPool            *self,
                                               GTlsDatabase          *database);
guint          fb_http_pool_get_n_connects    (FbHttpPool            *self);
/* Data of the pool's users (the downloader's limits), as g_object_set_qdata_full. */
void           fb_http_pool_set_qdata         (FbHttpPool            *self,
                                               GQuark                 quark,
                                               gpointer               data,
                                               GDestroyNotify         destroy);
gpointer       fb_http_pool_get_qdata         (FbHttpPool            *self,
                                               GQuark                 quark);
guint          fb_http_pool_get_n_idle        (FbHttpPool            *self);
/* TLS handshakes that began with the session of an earlier one to the same
 * host (for tests and benchmarks: whether the server resumed it is its call). */
guint          fb_http_pool_get_n_tls_shared  (FbHttpPool            *self);

/* A GET of @uri (http or https, parsed with libsoup's flags), on the main
 * context of the caller; nothing happens before fb_http_request_send,
 * whose callbacks may already run (and free the request) before it returns. */
FbHttpRequest *fb_http_request_new            (FbHttpPool            *pool,
                                               GUri                  *uri,
                                               guint                  max_redirects,
                                               const FbHttpCallbacks *callbacks,
                                               gpointer               user_data);
void           fb_http_request_send           (FbHttpRequest         *self);
/* Ends the request; no callback runs after this. */
void           fb_http_request_free           (FbHttpRequest         *self);
/* Back-pressure: no body callback while paused. */
/* Asks for the body from byte @from on (Range), only if it is still the one
 * @if_range names (an ETag or a date; NULL: unconditionally). Before send. */
void           fb_http_request_set_range      (FbHttpRequest         *self,
                                               guint64                from,
                                               const char            *if_range);
/* A header of the final response, while its callbacks run (NULL if absent). */
const char    *fb_http_request_get_header     (FbHttpRequest         *self,
                                               const char            *name);
void           fb_http_request_pause          (FbHttpRequest         *self);
void           fb_http_request_resume         (FbHttpRequest         *self);
/* The URI being fetched (after redirects). */
GUri          *fb_http_request_get_uri        (FbHttpRequest         *self);
guint          fb_http_request_get_status     (FbHttpRequest         *self);
const char    *fb_http_request_get_reason     (FbHttpRequest         *self);
gint64         fb_http_request_get_content_length (FbHttpRequest     *self);
guint          fb_http_request_get_redirects  (FbHttpRequest         *self);

G_END_DECLS
