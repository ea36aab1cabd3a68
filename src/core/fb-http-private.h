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
/* https: the TLS session that new connections to one host resume (per
 * pool key). A full handshake parses the server's certificates and checks
 * their signatures; a resumed one skips that, and under TLS 1.2 the key
 * exchange as well. A burst of connections to a new host would all start
 * full handshakes before any had a session to share: the first goes
 * alone (the leader) and the others wait for its session, a few ms on
 * loopback, a round trip or two further away. Direct connections only:
 * glib-networking names a session by the socket's peer address. */
typedef struct
{
  GTlsConnection *source;    /* a connection whose session new ones resume */
  Conn           *leader;    /* the first handshake, while it runs */
  Conn           *pending;   /* TLS 1.3: the leader, until its first read brings the ticket */
  GQueue          waiting;   /* Conn* whose handshake waits for the leader */
  GSource        *cap;       /* how long they wait for the leader, or its TLS 1.3 ticket */
  gint64          leader_wait_us;
  guint           leader_waits;
  char           *key;
  FbHttpPool     *pool;      /* borrowed */
} TlsSession;

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
  GList          session_link; /* in its TlsSession's waiting queue */
  gint64         handshake_started;
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
  gboolean       in_session; /* its handshake goes through a TlsSession */
  gboolean       ticket_pending; /* TLS 1.3: the session's pending leader */
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
  GHashTable *sessions;      /* key → TlsSession* (https) */
  GData      *qdata;
  guint       n_connects;
  guint       n_idle;
  guint       n_tls_shared;
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
/* https, a direct connection: its handshake starts now, resuming the
 * host's session, or once the host's first handshake has one. */
void      _fb_http_pool_start_tls       (FbHttpPool *pool,
                                         Conn       *conn);
/* Its handshake ended (@ok: it succeeded). */
void      _fb_http_pool_tls_handshaked  (FbHttpPool *pool,
                                         Conn       *conn,
                                         gboolean    ok);
/* TLS 1.3: the connection read for the first time since its handshake,
 * which took any session ticket the server had sent. */
void      _fb_http_pool_tls_read        (FbHttpPool *pool,
                                         Conn       *conn);
/* In fb-http.c: starts conn->tls's handshake. */
void      _fb_http_conn_start_handshake (Conn       *conn);
/* In fb-http.c: what the connection's state asks for, @condition from
 * its fd (0 when it was due: see _fb_http_conn_schedule). */
void      _fb_http_conn_dispatch (Conn          *conn,
                                  GIOCondition   condition);

G_END_DECLS
