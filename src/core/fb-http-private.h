/* fb-http-private.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-http.h"

G_BEGIN_DECLS

#define FB_HTTP_MAX_FIELDS 128

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
  Field       fields[FB_HTTP_MAX_FIELDS];
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

/* ---- the client's connections and their pool (fb-http-pool.c) ---- */

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
  gpointer   epfd_tag;
  GSource   *resume[2];      /* while its turn is given up: see poller_yield */
  guint      depth;          /* nested dispatches */
} Poller;

struct _Conn
{
  FbHttpPool    *pool;       /* borrowed: a pool outlives its connections */
  FbHttpRequest *request;    /* the request it serves, NULL while idle */
  char          *key;
  GSocket       *socket;
  GIOStream     *base;       /* through a tunnel (CONNECT, SOCKS): its stream */
  GIOStream     *tls;        /* https: the GTlsClientConnection over socket */
  GPollableInputStream  *tls_in;   /* borrowed from tls */
  GPollableOutputStream *tls_out;  /* borrowed from tls */
  GCancellable  *handshake;  /* while a TLS handshake or a tunnel is being set up */
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
  gboolean       orphaned;   /* freed during a handshake: its callback frees it */
};

struct _FbHttpPool
{
  gint        ref_count;
  char       *user_agent;
  GHashTable *idle;          /* key → GQueue* of Conn*, most recent first */
  GHashTable *routes;        /* key → "direct://" or the proxy it goes through */
  Poller     *poller;        /* made with the first connection */
  GTlsDatabase *tls_database; /* NULL: the system's, made on the first https request */
  GHashTable *connect_us;    /* key → fastest connect seen (µs), for the probe */
  GData      *qdata;
  guint       n_connects;
  guint       n_idle;
};

void      _fb_http_conn_watch    (Conn          *conn,
                                  GIOCondition   condition);
/* Dispatches the connection in the next main-loop iteration whatever its
 * fd says, as for bytes already buffered. */
void      _fb_http_conn_schedule (Conn          *conn);
void      _fb_http_conn_free     (Conn          *conn);
gboolean  _fb_http_conn_is_quiet (Conn          *conn);
gssize    _fb_http_conn_recv     (Conn          *conn,
                                  guint8        *buf,
                                  gsize          size,
                                  GError       **error);
gssize    _fb_http_conn_send     (Conn          *conn,
                                  const char    *buf,
                                  gsize          size,
                                  GError       **error);
Conn     *_fb_http_conn_new      (FbHttpPool    *pool,
                                  const char    *key,
                                  GSocket       *socket);
void      _fb_http_pool_put      (FbHttpPool    *pool,
                                  Conn          *conn);
Conn     *_fb_http_pool_take     (FbHttpPool    *pool,
                                  const char    *key);
/* In fb-http.c: what the connection's state asks for, @condition from
 * its fd (0 when it was due: see _fb_http_conn_schedule). */
void      _fb_http_conn_dispatch (Conn          *conn,
                                  GIOCondition   condition);

G_END_DECLS
