/* fb-http.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A lean HTTP/1.1 client for plain http:// GETs: main thread only, one
 * non-blocking socket per connection, all of a pool's connections watched
 * by one epoll source on the main context of its first connection,
 * keep-alive pool per host and port. Everything else (https, proxies)
 * stays with libsoup. */

#define FB_HTTP_ERROR (fb_http_error_quark ())

typedef enum
{
  FB_HTTP_ERROR_PARSE,       /* a response we cannot read */
  FB_HTTP_ERROR_TOO_LARGE,   /* a response head over FB_HTTP_MAX_HEAD */
  FB_HTTP_ERROR_REDIRECTS,   /* more than the allowed redirects */
  FB_HTTP_ERROR_FALLBACK,    /* not ours (https redirect, proxy): see get_uri */
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

/* ---- the pool and its requests ---- */

typedef struct _FbHttpPool    FbHttpPool;
typedef struct _FbHttpRequest FbHttpRequest;

typedef enum
{
  FB_HTTP_EVENT_RESOLVING,
  FB_HTTP_EVENT_CONNECTING,
  FB_HTTP_EVENT_CONNECTED,
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
} FbHttpCallbacks;

FbHttpPool    *fb_http_pool_new               (const char            *user_agent);
FbHttpPool    *fb_http_pool_ref               (FbHttpPool            *self);
void           fb_http_pool_unref             (FbHttpPool            *self);
/* Connections opened since the pool was made (for tests and benchmarks). */
guint          fb_http_pool_get_n_connects    (FbHttpPool            *self);
guint          fb_http_pool_get_n_idle        (FbHttpPool            *self);

/* A GET of @uri (http only, parsed with libsoup's flags), on the main
 * context of the caller; nothing happens before fb_http_request_send,
 * whose callbacks may already run (and free the request) before it returns. */
FbHttpRequest *fb_http_request_new            (FbHttpPool            *pool,
                                               GUri                  *uri,
                                               guint                  max_redirects,
                                               const FbHttpCallbacks *callbacks,
                                               gpointer               user_data);
/* Extra header lines ("Name: value\r\n" each) for every request it
 * sends, redirects included; before fb_http_request_send. */
void           fb_http_request_set_headers    (FbHttpRequest         *self,
                                               const char            *lines);
void           fb_http_request_send           (FbHttpRequest         *self);
/* Ends the request; no callback runs after this. */
void           fb_http_request_free           (FbHttpRequest         *self);
/* Back-pressure: no body callback while paused. */
void           fb_http_request_pause          (FbHttpRequest         *self);
void           fb_http_request_resume         (FbHttpRequest         *self);
/* The URI being fetched (after redirects). */
GUri          *fb_http_request_get_uri        (FbHttpRequest         *self);
guint          fb_http_request_get_status     (FbHttpRequest         *self);
const char    *fb_http_request_get_reason     (FbHttpRequest         *self);
gint64         fb_http_request_get_content_length (FbHttpRequest     *self);
guint          fb_http_request_get_redirects  (FbHttpRequest         *self);
/* A header of the response head just received (in the response callback). */
const char    *fb_http_request_get_header     (FbHttpRequest         *self,
                                               const char            *name);

G_END_DECLS
