/* fb-demo-server.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-demo-server"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "fb-countries.h"
#include "fb-demo-lean.h"
#include "fb-demo-search.h"
#include "fb-demo-server.h"
#include "fb-file-root.h"
#include "fb-index.h"
#include "fb-system.h"
#include "fb-gif.h"

/* GSocket's default backlog is 10; a catalog run opens up to 1000
 * connections at once, and a short queue turns them into SYN retries
 * (a one-second stall each). The kernel caps it at net.core.somaxconn. */
#define LISTEN_BACKLOG 1024
#define MAX_DELAY_SECONDS 3600.0
#define FLAGS_PREFIX "/flags/"

struct _FbDemoServer
{
  GObject       parent_instance;

  SoupServer   *server;
  FbDemoLean   *lean;      /* accepts every connection; hands most to server */
  GMainContext *context;
  GRand        *rand;
  GHashTable   *codes;     /* upper-case code → itself; NULL = every ISO code */
  GHashTable   *cache;     /* packed code → CodeEntry */
  GHashTable   *active;    /* SoupServerMessage (ref) → Pending, or NULL when not delayed */
  GHashTable   *connections; /* GSocket → Connection, every socket that carried a request */
  GSource      *sweep;
  GCancellable *cancellable;
  char         *root;       /* --root: a folder served like python -m http.server */
  char         *address;    /* where it listens */
  FbIndex      *indexes[2]; /* by FbIndexCorpus, once loaded */
  GPtrArray    *waiting[2]; /* SoupServerMessage refs that wait for that index */
  GHashTable   *answers[2]; /* query → GBytes of JSON, the last few hundred asked */

  double        delay_min;
  double        delay_max;
  double        error_rate;
  guint         port;
  guint         in_flight;
  guint         peak_in_flight;
  guint         requests;
  gboolean      lean_searches;
};

G_DEFINE_FINAL_TYPE (FbDemoServer, fb_demo_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DELAY_MIN,
  PROP_DELAY_MAX,
  PROP_ERROR_RATE,
  PROP_PORT,
  PROP_IN_FLIGHT,
  PROP_PEAK_IN_FLIGHT,
  PROP_REQUESTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  REQUEST_LOGGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  GBytes *gif;
  GBytes *metadata;
} CodeEntry;

/* A request held back by the delay knob or by a body still being made
 * (an index loading, a file being read): it is answered when every hold is
 * done; the socket watch notices a client that hangs up first. */
typedef struct
{
  FbDemoServer      *self;
  SoupServerMessage *msg;
  GSource           *timer;
  GSource           *watch;
  guint              holds;
} Pending;

/* libsoup 3.2 forgets a kept-alive connection when the client closes it
 * while idle: nothing polls or closes its socket again, so each one would
 * hold a file descriptor until the server stops. The sweep closes those. */
typedef struct
{
  GSocket *socket;
  guint    active;   /* requests on it between the handler and their end */
} Connection;

#define SWEEP_INTERVAL_SECONDS 1

static void
code_entry_free (gpointer data)
{
  CodeEntry *entry = data;

  g_clear_pointer (&entry->gif, g_bytes_unref);
  g_clear_pointer (&entry->metadata, g_bytes_unref);
  g_free (entry);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
connection_free (gpointer data)
{
  Connection *connection = data;

  g_object_unref (connection->socket);
  g_free (connection);
}

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  if (pending == NULL)
    return;
  clear_source (&pending->timer);
  clear_source (&pending->watch);
  g_clear_object (&pending->msg);
  g_free (pending);
}

static void
set_counter (FbDemoServer *self,
             guint        *counter,
             guint         value,
             guint         prop_id)
{
  if (*counter == value)
    return;
  *counter = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

typedef enum
{
  PEER_QUIET,
  PEER_SENT_DATA,
  PEER_GONE,
} PeerState;

/* Looks at a socket libsoup is not reading from right now. */
static PeerState
peek_peer (GSocket *socket)
{
  char byte;
  gssize n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  if (n > 0)
    return PEER_SENT_DATA;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return PEER_QUIET;
  return PEER_GONE;  /* EOF or reset */
}

/* Answers a delayed request now: forgets the timer and watch, then lets
 * libsoup write the response that the handler already set. The message
 * stays active until libsoup reports its end. */
static void
pending_release (Pending *pending)
{
  FbDemoServer *self = pending->self;
  g_autoptr(SoupServerMessage) msg = g_object_ref (pending->msg);

  g_hash_table_insert (self->active, g_object_ref (msg), NULL);
  soup_server_message_unpause (msg);
}

static gboolean
pending_timeout_cb (gpointer user_data)
{
  Pending *pending = user_data;

  g_clear_pointer (&pending->timer, g_source_unref);
  if (--pending->holds == 0)
    pending_release (pending);
  return G_SOURCE_REMOVE;
}

/* A body that was being made is set: answer if nothing else holds it. The
 * request may have ended meanwhile (client gone, server stopped). */
static void
hold_done (FbDemoServer      *self,
           SoupServerMessage *msg)
{
  Pending *pending = g_hash_table_lookup (self->active, msg);

  if (pending != NULL && --pending->holds == 0)
    pending_release (pending);
}

/* Whether a held request still waits for its body. */
static gboolean
is_held (FbDemoServer      *self,
         SoupServerMessage *msg)
{
  return g_hash_table_lookup (self->active, msg) != NULL;
}

static gboolean
pending_socket_cb (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  Pending *pending = user_data;

  switch (peek_peer (socket))
    {
    case PEER_QUIET:
      return G_SOURCE_CONTINUE;

    case PEER_SENT_DATA:
      /* A pipelined request, not a hang-up: stop watching (the socket
       * stays readable) and let the timer answer as usual. */
      g_clear_pointer (&pending->watch, g_source_unref);
      return G_SOURCE_REMOVE;

    case PEER_GONE:
    default:
      /* Answering now ends the request (the write fails or goes nowhere)
       * and drops the timer. */
      g_debug ("client hung up during a delay");
      g_clear_pointer (&pending->watch, g_source_unref);
      pending_release (pending);
      return G_SOURCE_REMOVE;
    }
}

static Pending *
hold_message (FbDemoServer      *self,
              SoupServerMessage *msg,
              GSocket           *socket,
              guint              delay_ms,
              guint              holds)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->self = self;
  pending->msg = g_object_ref (msg);
  pending->holds = holds;
  if (delay_ms > 0)
    {
      pending->timer = g_timeout_source_new (delay_ms);
      g_source_set_callback (pending->timer, pending_timeout_cb, pending, NULL);
      g_source_attach (pending->timer, self->context);
      pending->holds++;
    }

  if (socket != NULL)
    {
      pending->watch = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (pending->watch, G_SOURCE_FUNC (pending_socket_cb), pending, NULL);
      g_source_attach (pending->watch, self->context);
    }

  soup_server_message_pause (msg);
  return pending;
}

static gboolean
sweep_connections_cb (gpointer user_data)
{
  FbDemoServer *self = user_data;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Connection *connection = value;

      if (g_socket_is_closed (connection->socket))
        g_hash_table_iter_remove (&iter);
      else if (connection->active == 0 && peek_peer (connection->socket) == PEER_GONE)
        {
          /* Idle and hung up: only the leak holds it. libsoup closes it
           * again on stop, which GSocket ignores. */
          g_socket_close (connection->socket, NULL);
          g_hash_table_iter_remove (&iter);
        }
    }

  if (g_hash_table_size (self->connections) > 0)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->sweep, g_source_unref);
  return G_SOURCE_REMOVE;
}

static Connection *
track_connection (FbDemoServer *self,
                  GSocket      *socket)
{
  Connection *connection = g_hash_table_lookup (self->connections, socket);

  if (connection == NULL)
    {
      /* Once per connection, not per request: keep-alive reuses it. */
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      connection = g_new0 (Connection, 1);
      connection->socket = g_object_ref (socket);
      g_hash_table_insert (self->connections, socket, connection);

      if (self->sweep == NULL)
        {
          self->sweep = g_timeout_source_new_seconds (SWEEP_INTERVAL_SECONDS);
          g_source_set_callback (self->sweep, sweep_connections_cb, self, NULL);
          g_source_attach (self->sweep, self->context);
        }
    }
  return connection;
}

static void
track_request (FbDemoServer      *self,
               SoupServerMessage *msg,
               GSocket           *socket)
{
  set_counter (self, &self->requests, self->requests + 1, PROP_REQUESTS);
  set_counter (self, &self->in_flight, self->in_flight + 1, PROP_IN_FLIGHT);
  if (self->in_flight > self->peak_in_flight)
    set_counter (self, &self->peak_in_flight, self->in_flight, PROP_PEAK_IN_FLIGHT);

  if (socket == NULL)
    return;

  track_connection (self, socket)->active++;
}

/* A connection the lean path gave libsoup: its requests have no socket,
 * but the sweep still closes it once idle and hung up. */
static void
handed_over_cb (gpointer  user_data,
                GSocket  *socket)
{
  track_connection (user_data, socket);
}

/* "request-finished" and "request-aborted". Only requests that reached the
 * handler count: libsoup 3.2 also reports a message for every accepted
 * connection, before (and whether or not) a request arrives on it. */
static void
request_done_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 FbDemoServer      *self)
{
  GSocket *socket;
  Connection *connection;

  if (!g_hash_table_contains (self->active, msg))
    return;

  if (g_signal_has_handler_pending (self, signals[REQUEST_LOGGED], 0, FALSE))
    {
      GUri *uri = soup_server_message_get_uri (msg);
      const char *query = g_uri_get_query (uri);
      const char *host = soup_server_message_get_remote_host (msg);
      g_autofree char *line = NULL;

      /* python -m http.server's line, without the date. */
      line = g_strdup_printf ("%s \"%s %s%s%s HTTP/1.%d\" %u", host != NULL ? host : "-",
                              soup_server_message_get_method (msg), g_uri_get_path (uri),
                              query != NULL ? "?" : "", query != NULL ? query : "",
                              soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0
                              ? 0 : 1,
                              soup_server_message_get_status (msg));
      g_signal_emit (self, signals[REQUEST_LOGGED], 0, line);
    }

  socket = soup_server_message_get_socket (msg);
  connection = socket != NULL ? g_hash_table_lookup (self->connections, socket) : NULL;
  if (connection != NULL && connection->active > 0)
    connection->active--;

  /* An aborted request may still be waiting for its timer; removing it
   * drops the timer, as it must never be unpaused now. */
  g_hash_table_remove (self->active, msg);
  if (self->in_flight > 0)
    set_counter (self, &self->in_flight, self->in_flight - 1, PROP_IN_FLIGHT);
}

static char *
escape_non_ascii (const char *json)
{
  GString *out = g_string_sized_new (strlen (json) + 16);

  for (const char *p = json; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x80)
        g_string_append_c (out, (char) c);
      else if (c < 0x10000)
        g_string_append_printf (out, "\\u%04x", c);
      else
        {
          c -= 0x10000;
          g_string_append_printf (out, "\\u%04x\\u%04x", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
        }
    }
  return g_string_free (out, FALSE);
}

/* {"tld_cc":".br","iso_cc":"BR","country":"Brazil","gec_cc":"BR"}, ASCII
 * with \u escapes like the book's data set. */
static GBytes *
build_metadata (const char *code)
{
  const FbCountry *country = fb_countries_lookup (code);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *lower = g_ascii_strdown (code, -1);
  g_autofree char *tld = g_str_equal (code, "GB") ? g_strdup (".uk") : g_strconcat (".", lower, NULL);
  g_autofree char *text = NULL;
  char *escaped;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tld_cc");
  json_builder_add_string_value (builder, tld);
  json_builder_set_member_name (builder, "iso_cc");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "country");
  json_builder_add_string_value (builder, country != NULL ? country->name : code);
  json_builder_set_member_name (builder, "gec_cc");
  json_builder_add_string_value (builder, code);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  escaped = escape_non_ascii (text);
  return g_bytes_new_take (escaped, strlen (escaped));
}

static gboolean
serves_code (FbDemoServer *self,
             const char   *code)
{
  if (self->codes != NULL)
    return g_hash_table_contains (self->codes, code);
  return fb_countries_lookup (code) != NULL;
}

/* Returns the cached body for /flags/{cc}/{cc}.gif or /flags/{cc}/metadata.json,
 * or NULL (404). */
static GBytes *
lookup_body (FbDemoServer  *self,
             const char    *path,
             const char   **content_type)
{
  const char *rest;
  char code[3];
  gboolean want_gif;
  gpointer key;
  CodeEntry *entry;

  if (!g_str_has_prefix (path, FLAGS_PREFIX))
    return NULL;
  rest = path + strlen (FLAGS_PREFIX);

  /* Lower case only, like the book's files on disk. */
  if (!g_ascii_islower (rest[0]) || !g_ascii_islower (rest[1]) || rest[2] != '/')
    return NULL;
  if (rest[3] == rest[0] && rest[4] == rest[1] && strcmp (rest + 5, ".gif") == 0)
    want_gif = TRUE;
  else if (strcmp (rest + 3, "metadata.json") == 0)
    want_gif = FALSE;
  else
    return NULL;

  code[0] = g_ascii_toupper (rest[0]);
  code[1] = g_ascii_toupper (rest[1]);
  code[2] = '\0';
  if (!serves_code (self, code))
    return NULL;

  key = GUINT_TO_POINTER (((guint) (guchar) code[0] << 8) | (guchar) code[1]);
  entry = g_hash_table_lookup (self->cache, key);
  if (entry == NULL)
    {
      entry = g_new0 (CodeEntry, 1);
      g_hash_table_insert (self->cache, key, entry);
    }

  if (want_gif)
    {
      if (entry->gif == NULL)
        entry->gif = fb_gif_generate_flag (code);
      *content_type = "image/gif";
      return entry->gif;
    }

  if (entry->metadata == NULL)
    entry->metadata = build_metadata (code);
  *content_type = "application/json";
  return entry->metadata;
}

static void
set_body (SoupServerMessage *msg,
          guint              status,
          const char        *content_type,
          GBytes            *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Content-Type", content_type);
  if (g_bytes_get_size (body) > 0)
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

#define MAX_CACHED_ANSWERS 256

/* The JSON for @q, kept: benchmarks and pages ask the same few queries
 * again and again (up to MAX_CACHED_ANSWERS per corpus, then it starts
 * over). Borrowed. */
static GBytes *
cached_answer (FbDemoServer *self,
               FbIndex      *index,
               const char   *q)
{
  FbIndexCorpus corpus = fb_index_get_corpus (index);
  GBytes *json;

  if (self->answers[corpus] == NULL)
    self->answers[corpus] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                   (GDestroyNotify) g_bytes_unref);
  json = g_hash_table_lookup (self->answers[corpus], q);
  if (json == NULL)
    {
      if (g_hash_table_size (self->answers[corpus]) >= MAX_CACHED_ANSWERS)
        g_hash_table_remove_all (self->answers[corpus]);
      json = _fb_demo_search_json (index, q);
      g_hash_table_insert (self->answers[corpus], g_strdup (q), json);
    }
  return json;
}

static void
answer_search (FbDemoServer      *self,
               SoupServerMessage *msg,
               FbIndex           *index,
               GHashTable        *query)
{
  const char *q = query != NULL ? g_hash_table_lookup (query, "q") : NULL;

  set_body (msg, SOUP_STATUS_OK, "application/json",
            cached_answer (self, index, q != NULL ? q : ""));
}

/* The lean path asks whether it may answer a search itself: not when
 * libsoup's side has something to add (a delay, an error roll, a log). */
static GBytes *
lean_answer_cb (gpointer       user_data,
                FbIndexCorpus  corpus,
                const char    *q)
{
  FbDemoServer *self = user_data;

  if (self->indexes[corpus] == NULL || self->delay_max > 0.0 || self->error_rate > 0.0
      || g_signal_has_handler_pending (self, signals[REQUEST_LOGGED], 0, FALSE))
    return NULL;
  /* Answered at once: in flight for no time. */
  set_counter (self, &self->requests, self->requests + 1, PROP_REQUESTS);
  if (self->peak_in_flight == 0)
    set_counter (self, &self->peak_in_flight, 1, PROP_PEAK_IN_FLIGHT);
  return g_bytes_ref (cached_answer (self, self->indexes[corpus], q));
}

static guint pick_delay_ms (FbDemoServer *self);

/* The lean path asks whether it may answer a GET of @path itself: as
 * handler_cb and route () would, with the same draws from self->rand
 * (the delay, then the error roll) and the same counters; not when
 * libsoup's side has more to do (a root folder, a page, a log). */
static gboolean
lean_get_cb (gpointer         user_data,
             const char      *path,
             FbDemoLeanReply *reply)
{
  static const char teapot[] = "I'm a Teapot\n";
  static const char not_found[] = "Not Found\n";
  FbDemoServer *self = user_data;
  const char *content_type = NULL;
  GBytes *body;

  if (self->root != NULL || g_str_equal (path, "/") || g_str_equal (path, "/finder")
      || g_signal_has_handler_pending (self, signals[REQUEST_LOGGED], 0, FALSE))
    return FALSE;

  track_request (self, NULL, NULL);
  reply->delay_ms = pick_delay_ms (self);
  reply->reason = NULL;
  if (self->error_rate > 0.0 && g_rand_double (self->rand) < self->error_rate)
    {
      reply->status = 418;
      reply->reason = "I'm a Teapot";
      reply->content_type = "text/plain";
      reply->body = g_bytes_new_static (teapot, strlen (teapot));
    }
  else if ((body = lookup_body (self, path, &content_type)) != NULL)
    {
      reply->status = SOUP_STATUS_OK;
      reply->content_type = content_type;
      reply->body = g_bytes_ref (body);
    }
  else
    {
      reply->status = SOUP_STATUS_NOT_FOUND;
      reply->content_type = "text/plain";
      reply->body = g_bytes_new_static (not_found, strlen (not_found));
    }
  return TRUE;
}

/* A request lean_get_cb took has ended (answered, or its client gone). */
static void
lean_done_cb (gpointer user_data)
{
  FbDemoServer *self = user_data;

  if (self->in_flight > 0)
    set_counter (self, &self->in_flight, self->in_flight - 1, PROP_IN_FLIGHT);
}

typedef struct
{
  FbDemoServer      *self;
  SoupServerMessage *msg;
  GHashTable        *query;
} Waiting;

static void
waiting_free (gpointer data)
{
  Waiting *waiting = data;

  g_object_unref (waiting->msg);
  g_clear_pointer (&waiting->query, g_hash_table_unref);
  g_free (waiting);
}

typedef struct
{
  FbDemoServer  *self;
  FbIndexCorpus  corpus;
} IndexLoad;

static void
index_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  IndexLoad *load = user_data;
  g_autoptr(FbDemoServer) self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(FbIndex) index = fb_index_load_finish (result, &error);
  g_autoptr(GPtrArray) waiting = NULL;
  FbIndexCorpus corpus = load->corpus;

  g_free (load);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (index != NULL && self->indexes[corpus] == NULL)
    self->indexes[corpus] = fb_index_ref (index);

  waiting = g_steal_pointer (&self->waiting[corpus]);
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    {
      Waiting *entry = g_ptr_array_index (waiting, i);

      if (!is_held (self, entry->msg))
        continue;
      if (index != NULL)
        answer_search (self, entry->msg, index, entry->query);
      else
        {
          g_autoptr(GBytes) text = g_bytes_new (error->message, strlen (error->message));

          g_message ("%s", error->message);
          set_body (entry->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                    text);
        }
      hold_done (self, entry->msg);
    }
}

/* Answers now, or returns TRUE when the answer waits for the index. */
static gboolean
route_search (FbDemoServer      *self,
              SoupServerMessage *msg,
              FbIndexCorpus      corpus,
              GHashTable        *query)
{
  Waiting *waiting;

  if (self->indexes[corpus] != NULL)
    {
      answer_search (self, msg, self->indexes[corpus], query);
      return FALSE;
    }

  if (self->waiting[corpus] == NULL)
    {
      IndexLoad *load = g_new0 (IndexLoad, 1);

      load->self = g_object_ref (self);
      load->corpus = corpus;
      self->waiting[corpus] = g_ptr_array_new_with_free_func (waiting_free);
      fb_index_load_async (corpus, self->cancellable, index_loaded_cb, load);
    }
  waiting = g_new0 (Waiting, 1);
  waiting->msg = g_object_ref (msg);
  waiting->query = query != NULL ? g_hash_table_ref (query) : NULL;
  g_ptr_array_add (self->waiting[corpus], waiting);
  return TRUE;
}

typedef struct
{
  FbDemoServer      *self;
  SoupServerMessage *msg;
} FileRead;

static void
file_answer_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  FileRead *read = user_data;
  g_autoptr(FbDemoServer) self = read->self;
  g_autoptr(SoupServerMessage) msg = read->msg;
  g_autoptr(FbFileAnswer) answer = _fb_file_root_answer_finish (result, NULL);

  g_free (read);
  if (answer == NULL || !is_held (self, msg))
    return;
  set_body (msg, answer->status, answer->content_type, answer->body);
  if (answer->location != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location",
                                  answer->location);
  hold_done (self, msg);
}

/* Sets the answer to GET @path, or returns TRUE when it comes later. */
static gboolean
route (FbDemoServer      *self,
       SoupServerMessage *msg,
       const char        *path,
       GHashTable        *query)
{
  const char *content_type = NULL;
  GBytes *body;

  if (g_str_equal (path, "/search"))
    return route_search (self, msg, FB_INDEX_CORPUS_UNICODE, query);
  if (g_str_equal (path, "/flags/search"))
    return route_search (self, msg, FB_INDEX_CORPUS_CATALOG, query);
  if (g_str_equal (path, "/finder") || (self->root == NULL && g_str_equal (path, "/")))
    {
      g_autoptr(GBytes) page = _fb_demo_search_page ();

      set_body (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", page);
      return FALSE;
    }

  if (self->root != NULL)
    {
      FileRead *read = g_new0 (FileRead, 1);

      read->self = g_object_ref (self);
      read->msg = g_object_ref (msg);
      _fb_file_root_answer_async (self->root, path, self->cancellable, file_answer_cb, read);
      return TRUE;
    }

  if ((body = lookup_body (self, path, &content_type)) != NULL)
    {
      set_body (msg, SOUP_STATUS_OK, content_type, body);
      return FALSE;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
                                    "Not Found\n", strlen ("Not Found\n"));
  return FALSE;
}

static guint
pick_delay_ms (FbDemoServer *self)
{
  double seconds = self->delay_min;

  if (self->delay_max > self->delay_min)
    seconds = g_rand_double_range (self->rand, self->delay_min, self->delay_max);
  return (guint) (seconds * 1000.0 + 0.5);
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  FbDemoServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  GSocket *socket = soup_server_message_get_socket (msg);
  Pending *pending = NULL;
  guint delay_ms;
  guint holds = 0;

  track_request (self, msg, socket);

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (headers, "Allow", "GET, HEAD");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      g_hash_table_insert (self->active, g_object_ref (msg), NULL);
      return;
    }

  /* Like slow_server.py: every request waits, then the error roll decides
   * between 418 and the file (or 404). */
  delay_ms = pick_delay_ms (self);

  if (self->error_rate > 0.0 && g_rand_double (self->rand) < self->error_rate)
    {
      soup_server_message_set_status (msg, 418, "I'm a Teapot");
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
                                        "I'm a Teapot\n", strlen ("I'm a Teapot\n"));
    }
  else if (route (self, msg, path, query))
    holds++;

  if (delay_ms > 0 || holds > 0)
    pending = hold_message (self, msg, socket, delay_ms, holds);
  g_hash_table_insert (self->active, g_object_ref (msg), pending);
}

static void
fb_demo_server_dispose (GObject *object)
{
  FbDemoServer *self = FB_DEMO_SERVER (object);

  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (self->waiting); i++)
    g_clear_pointer (&self->waiting[i], g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->indexes); i++)
    {
      g_clear_pointer (&self->indexes[i], fb_index_unref);
      g_clear_pointer (&self->answers[i], g_hash_table_unref);
    }
  if (self->active != NULL)
    g_hash_table_remove_all (self->active);
  if (self->server != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->server, self);
      g_clear_pointer (&self->lean, _fb_demo_lean_free);
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
  if (self->connections != NULL)
    g_hash_table_remove_all (self->connections);
  clear_source (&self->sweep);

  G_OBJECT_CLASS (fb_demo_server_parent_class)->dispose (object);
}

static void
fb_demo_server_finalize (GObject *object)
{
  FbDemoServer *self = FB_DEMO_SERVER (object);

  g_clear_pointer (&self->active, g_hash_table_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->codes, g_hash_table_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_free (self->root);
  g_free (self->address);

  G_OBJECT_CLASS (fb_demo_server_parent_class)->finalize (object);
}

static void
fb_demo_server_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FbDemoServer *self = FB_DEMO_SERVER (object);

  switch (prop_id)
    {
    case PROP_DELAY_MIN:
      g_value_set_double (value, self->delay_min);
      break;
    case PROP_DELAY_MAX:
      g_value_set_double (value, self->delay_max);
      break;
    case PROP_ERROR_RATE:
      g_value_set_double (value, self->error_rate);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_IN_FLIGHT:
      g_value_set_uint (value, self->in_flight);
      break;
    case PROP_PEAK_IN_FLIGHT:
      g_value_set_uint (value, self->peak_in_flight);
      break;
    case PROP_REQUESTS:
      g_value_set_uint (value, self->requests);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_demo_server_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  FbDemoServer *self = FB_DEMO_SERVER (object);

  switch (prop_id)
    {
    case PROP_DELAY_MIN:
      fb_demo_server_set_delay (self, g_value_get_double (value), MAX (self->delay_max,
                                                                      g_value_get_double (value)));
      break;
    case PROP_DELAY_MAX:
      fb_demo_server_set_delay (self, MIN (self->delay_min, g_value_get_double (value)),
                                g_value_get_double (value));
      break;
    case PROP_ERROR_RATE:
      fb_demo_server_set_error_rate (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_demo_server_class_init (FbDemoServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_demo_server_dispose;
  object_class->finalize = fb_demo_server_finalize;
  object_class->get_property = fb_demo_server_get_property;
  object_class->set_property = fb_demo_server_set_property;

  properties[PROP_DELAY_MIN] =
    g_param_spec_double ("delay-min", NULL, NULL, 0.0, MAX_DELAY_SECONDS, 0.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DELAY_MAX] =
    g_param_spec_double ("delay-max", NULL, NULL, 0.0, MAX_DELAY_SECONDS, 0.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_RATE] =
    g_param_spec_double ("error-rate", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_IN_FLIGHT] =
    g_param_spec_uint ("in-flight", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PEAK_IN_FLIGHT] =
    g_param_spec_uint ("peak-in-flight", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_REQUESTS] =
    g_param_spec_uint ("requests", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A line per answered request, for -v: ADDR "GET /path?q HTTP/1.1" STATUS */
  signals[REQUEST_LOGGED] =
    g_signal_new ("request-logged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
fb_demo_server_init (FbDemoServer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->rand = g_rand_new ();
  self->cancellable = g_cancellable_new ();
  self->cache = g_hash_table_new_full (NULL, NULL, NULL, code_entry_free);
  self->active = g_hash_table_new_full (NULL, NULL, g_object_unref, pending_free);
  self->connections = g_hash_table_new_full (NULL, NULL, NULL, connection_free);
  self->server = soup_server_new ("server-header", "fetchboard-demo ", NULL);

  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_done_cb), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (request_done_cb), self);
}

FbDemoServer *
fb_demo_server_new (void)
{
  return g_object_new (FB_TYPE_DEMO_SERVER, NULL);
}

void
fb_demo_server_set_delay (FbDemoServer *self,
                          double        min_seconds,
                          double        max_seconds)
{
  g_return_if_fail (FB_IS_DEMO_SERVER (self));
  g_return_if_fail (min_seconds >= 0.0 && min_seconds <= MAX_DELAY_SECONDS);
  g_return_if_fail (max_seconds >= min_seconds && max_seconds <= MAX_DELAY_SECONDS);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->delay_min != min_seconds)
    {
      self->delay_min = min_seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELAY_MIN]);
    }
  if (self->delay_max != max_seconds)
    {
      self->delay_max = max_seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELAY_MAX]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
fb_demo_server_set_error_rate (FbDemoServer *self,
                               double        rate)
{
  g_return_if_fail (FB_IS_DEMO_SERVER (self));
  g_return_if_fail (rate >= 0.0 && rate <= 1.0);

  if (self->error_rate == rate)
    return;
  self->error_rate = rate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_RATE]);
}

void
fb_demo_server_set_codes (FbDemoServer       *self,
                          const char * const *codes)
{
  g_return_if_fail (FB_IS_DEMO_SERVER (self));

  g_clear_pointer (&self->codes, g_hash_table_unref);
  if (codes == NULL)
    return;

  self->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; codes[i] != NULL; i++)
    {
      const char *code = codes[i];

      if (!g_ascii_isupper (code[0]) || !g_ascii_isupper (code[1]) || code[2] != '\0')
        {
          g_critical ("%s: “%s” is not an upper-case two-letter code", G_STRFUNC, code);
          continue;
        }
      g_hash_table_add (self->codes, g_strdup (code));
    }
}

gboolean
fb_demo_server_listen (FbDemoServer  *self,
                       guint          port,
                       GError       **error)
{
  return fb_demo_server_listen_full (self, "127.0.0.1", port, LISTEN_BACKLOG, error);
}

gboolean
fb_demo_server_listen_full (FbDemoServer  *self,
                            const char    *address,
                            guint          port,
                            int            backlog,
                            GError       **error)
{
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) socket = NULL;

  g_return_val_if_fail (FB_IS_DEMO_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (backlog > 0, FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->port != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("The demo server already listens on port %u"), self->port);
      return FALSE;
    }

  /* The socket is made here rather than by soup_server_listen_local () so
   * that it gets the accept queue asked for. */
  socket = fb_system_listen_address (address, port, backlog, error);
  if (socket == NULL)
    return FALSE;

  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return FALSE;

  if (self->lean_searches)
    {
      g_autoptr(GSocket) spare = NULL;

      /* libsoup keeps a connection alive only while it has a listener of
       * its own (soup-server.c, request_finished): it gets one on a spare
       * port of the same address, which nobody is told about. */
      spare = fb_system_listen_address (address, 0, 1, error);
      if (spare == NULL || !soup_server_listen_socket (self->server, spare, 0, error))
        return FALSE;
      /* Searches are answered without libsoup's per-request objects; every
       * other request goes to libsoup on its connection. */
      self->lean = _fb_demo_lean_new (socket, self->server, self->context, lean_answer_cb,
                                      lean_get_cb, lean_done_cb, handed_over_cb, self);
      if (self->lean == NULL)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "epoll: %s",
                       g_strerror (saved));
          return FALSE;
        }
    }
  else if (!soup_server_listen_socket (self->server, socket, 0, error))
    return FALSE;

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_free (self->address);
  self->address = g_strdup (address);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  return TRUE;
}

void
fb_demo_server_set_lean_searches (FbDemoServer *self,
                                  gboolean      lean)
{
  g_return_if_fail (FB_IS_DEMO_SERVER (self));
  g_return_if_fail (self->port == 0);

  self->lean_searches = !!lean;
}

void
fb_demo_server_stop (FbDemoServer *self)
{
  g_return_if_fail (FB_IS_DEMO_SERVER (self));

  /* Drop the timers first: the disconnect below closes the held requests'
   * connections, and nothing may unpause them afterwards. libsoup tears
   * those requests down without "request-aborted", hence the reset. */
  g_hash_table_remove_all (self->active);
  g_clear_pointer (&self->lean, _fb_demo_lean_free);
  soup_server_disconnect (self->server);
  g_hash_table_remove_all (self->connections);
  clear_source (&self->sweep);
  set_counter (self, &self->in_flight, 0, PROP_IN_FLIGHT);

  if (self->port != 0)
    {
      self->port = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
    }
}

guint
fb_demo_server_get_port (FbDemoServer *self)
{
  g_return_val_if_fail (FB_IS_DEMO_SERVER (self), 0);

  return self->port;
}

char *
fb_demo_server_dup_base_url (FbDemoServer *self)
{
  g_return_val_if_fail (FB_IS_DEMO_SERVER (self), NULL);
  g_return_val_if_fail (self->port != 0, NULL);

  if (self->address == NULL || g_str_equal (self->address, "0.0.0.0"))
    return g_strdup_printf ("http://127.0.0.1:%u/flags", self->port);
  if (g_str_equal (self->address, "::"))
    return g_strdup_printf ("http://[::1]:%u/flags", self->port);
  if (strchr (self->address, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u/flags", self->address, self->port);
  return g_strdup_printf ("http://%s:%u/flags", self->address, self->port);
}

void
fb_demo_server_set_root (FbDemoServer *self,
                         const char   *root)
{
  g_return_if_fail (FB_IS_DEMO_SERVER (self));

  g_free (self->root);
  self->root = g_strdup (root);
}

void
fb_demo_server_set_index (FbDemoServer *self,
                          FbIndex      *index)
{
  FbIndexCorpus corpus;

  g_return_if_fail (FB_IS_DEMO_SERVER (self));
  g_return_if_fail (index != NULL);

  corpus = fb_index_get_corpus (index);
  g_clear_pointer (&self->indexes[corpus], fb_index_unref);
  g_clear_pointer (&self->answers[corpus], g_hash_table_unref);
  self->indexes[corpus] = fb_index_ref (index);
}

guint
fb_demo_server_get_in_flight (FbDemoServer *self)
{
  g_return_val_if_fail (FB_IS_DEMO_SERVER (self), 0);

  return self->in_flight;
}

guint
fb_demo_server_get_peak_in_flight (FbDemoServer *self)
{
  g_return_val_if_fail (FB_IS_DEMO_SERVER (self), 0);

  return self->peak_in_flight;
}

guint
fb_demo_server_get_requests (FbDemoServer *self)
{
  g_return_val_if_fail (FB_IS_DEMO_SERVER (self), 0);

  return self->requests;
}

static gboolean
parse_seconds (const char  *text,
               const char **end,
               double      *seconds)
{
  gsize span = strspn (text, "0123456789.");
  char *stop = NULL;
  double value;

  /* Plain decimals only: g_ascii_strtod would also take "0x10", "inf"
   * and leading blanks. */
  if (span == 0)
    return FALSE;

  value = g_ascii_strtod (text, &stop);
  if (stop != text + span || !isfinite (value) || value < 0.0 || value > MAX_DELAY_SECONDS)
    return FALSE;

  *seconds = value;
  *end = stop;
  return TRUE;
}

gboolean
fb_demo_server_parse_delay (const char  *text,
                            double      *min_seconds,
                            double      *max_seconds,
                            GError     **error)
{
  const char *end = NULL;
  double low = 0.0;
  double high;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_seconds (text, &end, &low))
    goto invalid;
  high = low;
  if (*end == '-' && !parse_seconds (end + 1, &end, &high))
    goto invalid;
  if (*end != '\0')
    goto invalid;

  if (high < low)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid delay “%s”: the first number must not exceed the second"), text);
      return FALSE;
    }

  if (min_seconds != NULL)
    *min_seconds = low;
  if (max_seconds != NULL)
    *max_seconds = high;
  return TRUE;

invalid:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("Invalid delay “%s”: expected seconds from 0 to %.0f, like 0.5 or 0.5-5"),
               text, MAX_DELAY_SECONDS);
  return FALSE;
}
