/* fb-downloader.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-downloader"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "fb-downloader.h"
#include "fb-http.h"
#include "fb-job-private.h"
#include "fb-semaphore.h"

#define READ_SIZE      (64 * 1024)
#define FLUSH_AT       (256 * 1024)   /* smaller bodies reach the disk in one step */
#define MAX_BUFFERED   (4 * 1024 * 1024)
#define MAX_DRAIN      (64 * 1024)
#define MAX_REDIRECTS  20             /* libsoup's limit, and its message */

G_DEFINE_QUARK (fb-fetch-error-quark, fb_fetch_error)

static GQuark
fb_fetch_limits_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("fb-fetch-limits");
  return quark;
}

typedef enum
{
  DEADLINE_NONE,
  DEADLINE_READ,
  DEADLINE_CONNECT,
  DEADLINE_TOTAL,
  DEADLINE_SPEED,
} DeadlineKind;

static GQuark
fb_fetch_http_pool_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("fb-fetch-http-pool");
  return quark;
}

typedef struct
{
  SoupSession  *session;
  SoupMessage  *msg;
  FbHttpRequest *http;      /* the lean client's request, for http:// */
  FbJob        *job;
  GInputStream *stream;
  FbPartFile   *part;      /* borrowed: the caller keeps it until we return */
  GByteArray   *memory;
  guint8       *buf;        /* the chunk being read into; handed over when full */
  gsize         buf_size;
  gsize         buf_filled;
  gulong        network_event_id;
  GError       *error;     /* held while a flush finishes */
  char         *url;
  double        timeout;
  gsize         max_memory;
  gint64        expected;
  guint64       received;
  guint         status;
  gboolean      flushing;
  gboolean      reading;
  gboolean      eof;
  gboolean      draining;
  gboolean      timed_out;
  gboolean      connecting;     /* resolving or connecting: the connect timeout applies */
  DeadlineKind  expired;
  FbFetchLimits limits;
  gint64        started;        /* monotonic µs */
  gint64        window_start;   /* the speed check's window, from the response on */
  guint64       window_bytes;
  GCancellable *send_cancel;    /* libsoup: this send only (a dropped connection is sent again) */
  gulong        send_cancel_id;
  GSocket      *probe_socket;
  GSource      *probe;
  gint64        connect_started;
  guint         reconnects;
  gboolean      restarting;
  guint64       resume_from;    /* bytes the part held: asked for the rest with Range */
  char         *validator;      /* the If-Range sent */
  gboolean      resumed;        /* a 206 for exactly that rest */
  gboolean      returned;
  gboolean      lean;       /* through fb-http.c: a cancel is acted on from an idle */
  GTask        *task;       /* borrowed: the task this is the data of */
  GSource      *cancel_idle;
  GCancellable *cancel;     /* ours: the caller's, or the inactivity deadline */
  GCancellable *external;
  gulong        external_id;
  GSource      *deadline;
  gint64        last_progress;  /* monotonic µs; the deadline re-arms from it */
} FetchData;

static void read_next              (GTask     *task);
static gboolean hand_over          (GTask     *task);
static void lean_schedule_cancel   (FetchData *data);

static void
fetch_data_free (FetchData *data)
{
  g_clear_pointer (&data->http, fb_http_request_free);
  if (data->cancel_idle != NULL)
    {
      g_source_destroy (data->cancel_idle);
      g_source_unref (data->cancel_idle);
    }
  if (data->deadline != NULL)
    {
      g_source_destroy (data->deadline);
      g_source_unref (data->deadline);
    }
  if (data->external_id != 0)
    g_cancellable_disconnect (data->external, data->external_id);
  g_clear_object (&data->external);
  if (data->send_cancel_id != 0)
    g_cancellable_disconnect (data->cancel, data->send_cancel_id);
  g_clear_object (&data->send_cancel);
  g_clear_object (&data->probe_socket);
  if (data->probe != NULL)
    {
      g_source_destroy (data->probe);
      g_source_unref (data->probe);
    }
  g_clear_object (&data->cancel);
  /* By id: disconnecting by data walks every handler libsoup has on it. */
  if (data->network_event_id != 0)
    g_signal_handler_disconnect (data->msg, data->network_event_id);
  g_clear_object (&data->msg);
  g_clear_object (&data->session);
  g_clear_object (&data->job);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->memory, g_byte_array_unref);
  g_free (data->buf);
  g_clear_error (&data->error);
  g_free (data->url);
  g_free (data->validator);
  g_free (data);
}

/* FETCHBOARD_HTTP=soup sends everything through libsoup, =lean forces the
 * lean client for http:// even with a proxy in the environment. */
static gboolean
lean_wanted (void)
{
  const char *choice = g_getenv ("FETCHBOARD_HTTP");
  const char *proxy_vars[] = { "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY" };

  if (g_strcmp0 (choice, "soup") == 0)
    return FALSE;
  if (g_strcmp0 (choice, "lean") == 0)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (proxy_vars); i++)
    {
      const char *value = g_getenv (proxy_vars[i]);

      if (value != NULL && *value != '\0')
        return FALSE;
    }
  return TRUE;
}

SoupSession *
fb_fetch_session_new (double timeout)
{
  SoupSession *session;

  /* libsoup caps connections at 10 in all and 2 per host by default; the
   * semaphore must be the only limit, and idle keep-alive connections
   * count too, so leave room above the highest limit. */
  session = g_object_new (SOUP_TYPE_SESSION,
                       "max-conns", 2 * FB_SEMAPHORE_MAX_LIMIT + 100,
                       "max-conns-per-host", 2 * FB_SEMAPHORE_MAX_LIMIT + 100,
                       /* Timeouts are ours, to the tenth of a second (see touch). */
                       "timeout", 0,
                       "idle-timeout", 60,
                       "user-agent", "Fetchboard/" PACKAGE_VERSION " ",
                       NULL);
  /* The lean client's connections live as long as the session. */
  if (lean_wanted ())
    g_object_set_qdata_full (G_OBJECT (session), fb_fetch_http_pool_quark (),
                             fb_http_pool_new ("Fetchboard/" PACKAGE_VERSION),
                             (GDestroyNotify) fb_http_pool_unref);
  return session;
}

void
fb_fetch_session_set_limits (SoupSession         *session,
                             const FbFetchLimits *limits)
{
  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (limits != NULL);

  g_object_set_qdata_full (G_OBJECT (session), fb_fetch_limits_quark (),
                           g_memdup2 (limits, sizeof *limits), g_free);
}

static char *
host_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (url);
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup (g_uri_get_host (uri));
}

/* Turns whatever libsoup or GIO said into one FB_FETCH_ERROR whose
 * message says which failure it was (never empty, unlike the book's). */
static GError *
describe_error (FetchData    *data,
                const GError *error)
{
  g_autofree char *host = host_of (data->url);
  const char *detail = error->message != NULL && *error->message != '\0' ? error->message : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !data->timed_out)
    return g_error_copy (error);

  if (data->expired == DEADLINE_CONNECT)
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TIMEOUT,
                        /* Translators: %s is a host, %.1f seconds. */
                        _("Timed out: no connection to %s within %.1f s"),
                        host, data->limits.connect_timeout);
  if (data->expired == DEADLINE_TOTAL)
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TIMEOUT,
                        /* Translators: %.1f is seconds, %s a host. */
                        _("Timed out: more than %.1f s in all with %s"),
                        data->limits.max_time, host);
  if (data->expired == DEADLINE_SPEED)
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TIMEOUT,
                        /* Translators: "Too slow: under 1000 bytes/s from HOST for 10.0 s" */
                        _("Too slow: under %" PRIu64 " bytes/s from %s for %.1f s"),
                        data->limits.speed_limit, host, data->limits.speed_time);
  if (data->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TIMEOUT,
                        /* Translators: %.1f is seconds, %s a host. */
                        _("Timed out: nothing from %s for %.1f s"), host, data->timeout);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_REFUSED,
                        _("Connection refused by %s"), host);

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
                        _("Cannot resolve %s: %s"), host, detail ? detail : _("unknown host"));

  if (error->domain == G_TLS_ERROR)
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
                        _("TLS error with %s: %s"), host, detail ? detail : _("handshake failed"));

  if (g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS) ||
      g_error_matches (error, FB_HTTP_ERROR, FB_HTTP_ERROR_REDIRECTS))
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
                        _("Too many redirects (more than 20)"));

  if (error->domain == SOUP_SESSION_ERROR || error->domain == FB_HTTP_ERROR)
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
                        _("Bad response from %s: %s"), host, detail ? detail : _("unreadable"));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
      (error->domain == G_IO_ERROR && data->status != 0))
    {
      if (data->expected >= 0)
        return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_SHORT_BODY,
                            _("Connection to %s lost after %" PRIu64 " of %" PRId64 " bytes: %s"),
                            host, data->received, data->expected,
                            detail ? detail : _("closed"));
      return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_LOST,
                          _("Connection to %s lost after %" PRIu64 " bytes: %s"),
                          host, data->received, detail ? detail : _("closed"));
    }

  return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
                      _("Network error with %s: %s"), host,
                      detail ? detail : g_quark_to_string (error->domain));
}

static gboolean
deadline_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs deadline_funcs = { NULL, NULL, deadline_dispatch, NULL, NULL, NULL };

static gint64
seconds_us (double seconds)
{
  return (gint64) (seconds * G_USEC_PER_SEC);
}

/* Which limit is due first, and when. */
static DeadlineKind
next_deadline (FetchData *data,
               gint64    *due)
{
  DeadlineKind kind = DEADLINE_NONE;
  double idle = data->timeout;

  *due = G_MAXINT64;
  if (data->connecting && data->limits.connect_timeout > 0)
    {
      idle = data->limits.connect_timeout;
      kind = DEADLINE_CONNECT;
    }
  else if (idle > 0)
    kind = DEADLINE_READ;
  if (kind != DEADLINE_NONE)
    *due = data->last_progress + seconds_us (idle);
  if (data->limits.max_time > 0 && data->started + seconds_us (data->limits.max_time) < *due)
    {
      *due = data->started + seconds_us (data->limits.max_time);
      kind = DEADLINE_TOTAL;
    }
  if (data->limits.speed_limit > 0 && data->window_start != 0 &&
      data->window_start + seconds_us (data->limits.speed_time) < *due)
    {
      *due = data->window_start + seconds_us (data->limits.speed_time);
      kind = DEADLINE_SPEED;
    }
  return kind;
}

static gboolean
deadline_cb (gpointer user_data)
{
  FetchData *data = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 due;
  DeadlineKind kind = next_deadline (data, &due);

  if (kind == DEADLINE_SPEED && due <= now)
    {
      double seconds = (double) (now - data->window_start) / G_USEC_PER_SEC;

      /* A window fast enough on average opens the next one. */
      if ((double) (data->received - data->window_bytes) >= data->limits.speed_limit * seconds)
        {
          data->window_start = now;
          data->window_bytes = data->received;
          kind = next_deadline (data, &due);
        }
    }
  if (due > now)
    {
      g_source_set_ready_time (data->deadline, due == G_MAXINT64 ? -1 : due);
      return G_SOURCE_CONTINUE;
    }
  data->expired = kind;
  data->timed_out = TRUE;
  g_source_set_ready_time (data->deadline, -1);
  g_cancellable_cancel (data->cancel);
  if (data->lean)
    lean_schedule_cancel (data);
  return G_SOURCE_CONTINUE;
}

/* The timeout counts time without progress (connecting, waiting for the
 * answer, or between chunks), not the whole transfer: a large file on a
 * steady connection never times out, a stalled one does. Progress only
 * notes the time: moving the source's ready time would wake the main
 * context (an eventfd write) on every chunk; the deadline re-arms itself
 * from the last progress when it comes due. */
static void
touch (FetchData *data)
{
  data->last_progress = g_get_monotonic_time ();
}

/* The head arrived: connecting is over, and the speed window opens. */
static void
response_started (FetchData *data)
{
  data->connecting = FALSE;
  if (data->limits.speed_limit > 0 && data->window_start == 0)
    {
      data->window_start = g_get_monotonic_time ();
      data->window_bytes = data->received;
    }
}

static void
external_cancelled_cb (GCancellable *external,
                       FetchData    *data)
{
  g_cancellable_cancel (data->cancel);
  if (data->lean)
    lean_schedule_cancel (data);
}

/* ---- resume: the rest of a part file, never a spliced one ---- */

/* "bytes START-END/TOTAL" (TOTAL may be "*"): whether it is the rest from
 * @from on, @length bytes long when that is known. */
static gboolean
content_range_is_rest (const char *value,
                       guint64     from,
                       gint64      length)
{
  guint64 start;
  guint64 end;
  char *p;

  if (value == NULL || g_ascii_strncasecmp (value, "bytes ", 6) != 0)
    return FALSE;
  p = (char *) value + 6;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  start = g_ascii_strtoull (p, &p, 10);
  if (*p++ != '-' || !g_ascii_isdigit (*p))
    return FALSE;
  end = g_ascii_strtoull (p, &p, 10);
  if (*p++ != '/' || end < start || start != from)
    return FALSE;
  if (*p != '*' && (!g_ascii_isdigit (*p) || g_ascii_strtoull (p, NULL, 10) != end + 1))
    return FALSE;
  return length < 0 || (guint64) length == end - start + 1;
}

/* The part holds bytes: ask for the rest, if there is a validator to make
 * sure it is the rest of the same body; else start over. */
static char *
resume_prepare (FetchData *data)
{
  const char *validator;

  if (data->part == NULL || fb_part_file_get_size (data->part) == 0)
    return NULL;
  validator = _fb_job_get_validator (data->job);
  if (validator == NULL)
    {
      fb_part_file_restart (data->part);
      return NULL;
    }
  data->resume_from = fb_part_file_get_size (data->part);
  data->validator = g_strdup (validator);
  return g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-", data->resume_from);
}

static void
resume_add_soup_headers (FetchData *data)
{
  g_autofree char *range = NULL;
  SoupMessageHeaders *headers;

  if (data->resume_from == 0)
    return;
  range = g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-", data->resume_from);
  headers = soup_message_get_request_headers (data->msg);
  soup_message_headers_replace (headers, "Range", range);
  soup_message_headers_replace (headers, "If-Range", data->validator);
}

/* A 2xx head arrived. A 206 for exactly the rest appends to the part; a
 * 200 (the validator changed, or the server ignores ranges) empties it
 * first; any other 206 cannot be used, and the next attempt starts from
 * zero. Records the body's validator for the next resume. */
static GError *
resume_check (FetchData  *data,
              const char *content_range,
              const char *etag,
              const char *last_modified)
{
  if (data->part == NULL)
    return NULL;
  if (etag != NULL && !g_str_has_prefix (etag, "W/"))
    _fb_job_set_validator (data->job, etag);
  else
    _fb_job_set_validator (data->job, last_modified);
  if (data->resume_from == 0)
    return NULL;
  if (data->status == SOUP_STATUS_PARTIAL_CONTENT &&
      content_range_is_rest (content_range, data->resume_from, data->expected))
    {
      data->resumed = TRUE;
      _fb_job_add_received (data->job, data->resume_from);
      return NULL;
    }
  fb_part_file_restart (data->part);
  if (data->status == SOUP_STATUS_OK)
    return NULL;
  {
    g_autofree char *host = host_of (data->url);

    _fb_job_set_validator (data->job, NULL);
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_LOST,
                        /* Translators: %s is a host, then the header's value */
                        _("Asked %s for the rest of a file and got another part: %s"), host,
                        content_range != NULL ? content_range : "-");
  }
}

/* The book's classes: 404 is "not found", any other status >= 400 an
 * error named by its status and reason phrase. */
static GError *
status_error (guint       status,
              const char *reason,
              const char *url)
{
  if (status == SOUP_STATUS_NOT_FOUND)
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_NOT_FOUND,
                        _("Not found (HTTP 404): %s"), url);

  if (reason == NULL || *reason == '\0')
    reason = status == 418 ? "I'm a Teapot" : soup_status_get_phrase (status);
  return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_HTTP,
                      /* Translators: the book's wording: HTTP error 418 - I'm a Teapot */
                      _("HTTP error %u - %s"), status, reason ? reason : _("unknown status"));
}

/* Ends the task once no flush is in flight, so the caller may abort or
 * commit the part file the moment we return. */
static void
complete (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  if (data->flushing || data->reading || data->returned)
    return;
  data->returned = TRUE;

  if (data->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      g_object_unref (task);
      return;
    }

  if (data->memory != NULL)
    g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&data->memory)),
                           (GDestroyNotify) g_bytes_unref);
  else
    g_task_return_pointer (task, g_bytes_new_static ("", 0), (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

static void
fail (GTask        *task,
      GError       *error)
{
  FetchData *data = g_task_get_task_data (task);

  /* What arrived stays in the part, so a retry asks for the rest from
   * exactly there (the run removes the part after a final error). */
  if (data->part != NULL && data->memory == NULL && !data->draining && !data->reading &&
      data->error == NULL && SOUP_STATUS_IS_SUCCESSFUL (data->status) && data->buf_filled > 0)
    hand_over (task);
  if (data->error == NULL)
    data->error = error;
  else
    g_error_free (error);
  data->eof = TRUE;
  complete (task);
}

static void
flush_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->flushing = FALSE;
  if (!fb_part_file_flush_finish (data->part, result, &error))
    {
      /* The disk failed: stop the transfer now rather than read the rest
       * (or sit paused until the timeout) for nothing. */
      if (data->http != NULL)
        {
          g_clear_pointer (&data->http, fb_http_request_free);
          data->reading = FALSE;
        }
      else
        g_cancellable_cancel (data->cancel);
      fail (task, error);
      return;
    }
  /* Waiting for a slow disk is progress too, not network silence. */
  touch (data);
  if (data->eof)
    complete (task);
  else if (data->http != NULL)
    fb_http_request_resume (data->http);
  else if (!data->reading)
    read_next (task);
}

static void
maybe_flush (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  if (data->part == NULL || data->flushing)
    return;
  if (fb_part_file_get_buffered (data->part) < FLUSH_AT)
    return;
  data->flushing = TRUE;
  fb_part_file_flush_async (data->part, data->cancel, flush_cb, task);
}

/* Hands the filled part of the read buffer to the part file (without a
 * copy) or to the in-memory body. */
static gboolean
hand_over (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  if (data->buf_filled == 0)
    return TRUE;

  if (data->memory != NULL)
    {
      if (data->memory->len + data->buf_filled > data->max_memory)
        {
          fail (task, g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TOO_LARGE,
                                   _("Response too large (more than %zu bytes)"),
                                   data->max_memory));
          return FALSE;
        }
      g_byte_array_append (data->memory, data->buf, (guint) data->buf_filled);
    }
  else
    {
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&data->buf), data->buf_filled);

      fb_part_file_append (data->part, bytes);
    }
  data->buf_filled = 0;
  return TRUE;
}

/* The body ended, on either HTTP path: its last bytes go out, and a body
 * shorter than its Content-Length is an error. */
static void
end_of_body (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  data->eof = TRUE;
  if (!hand_over (task))
    return;
  if (data->part != NULL)
    _fb_job_set_expected (data->job, (data->expected >= 0 ? data->expected : (gint64) data->received) +
                                     (gint64) (data->resumed ? data->resume_from : 0));
  if (data->expected >= 0 && data->received < (guint64) data->expected)
    {
      g_autofree char *host = host_of (data->url);

      fail (task, g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_SHORT_BODY,
                               _("Body from %s ended after %" PRIu64 " of %" PRId64 " bytes"),
                               host, data->received, data->expected));
      return;
    }
  complete (task);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize size = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  data->reading = FALSE;
  if (size < 0)
    {
      GError *described = describe_error (data, error);

      g_error_free (error);
      fail (task, described);
      return;
    }
  if (data->eof)
    {
      /* A flush failed while we were reading. */
      complete (task);
      return;
    }

  touch (data);
  if (data->draining)
    {
      data->received += (gsize) size;
      if (size == 0 || data->received > MAX_DRAIN)
        {
          data->eof = TRUE;
          complete (task);
        }
      else
        read_next (task);
      return;
    }

  if (size == 0)
    {
      end_of_body (task);
      return;
    }

  data->received += (gsize) size;
  data->buf_filled += (gsize) size;
  if (data->part != NULL)
    _fb_job_add_received (data->job, (gsize) size);

  if (data->buf_filled == data->buf_size)
    {
      if (!hand_over (task))
        return;
      if (data->part != NULL)
        {
          maybe_flush (task);
          /* Back-pressure: do not read far ahead of a slow disk. */
          if (data->flushing && fb_part_file_get_buffered (data->part) >= MAX_BUFFERED)
            return;
        }
    }

  read_next (task);
}

/* Reads straight into a buffer sized to what is still to come, so a small
 * body costs one allocation of its own size and no copy on its way to the
 * disk (g_input_stream_read_bytes would allocate 64 KiB and shrink it). */
static void
read_next (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  if (data->buf == NULL)
    {
      if (data->draining)
        data->buf_size = 4096;
      else if (data->expected >= 0 && (guint64) data->expected >= data->received)
        data->buf_size = (gsize) MIN ((guint64) READ_SIZE, (guint64) data->expected - data->received + 1);
      else
        data->buf_size = READ_SIZE;
      data->buf = g_malloc (data->buf_size);
      data->buf_filled = 0;
    }

  data->reading = TRUE;
  g_input_stream_read_async (data->stream, data->buf + data->buf_filled,
                             data->draining ? data->buf_size : data->buf_size - data->buf_filled,
                             G_PRIORITY_DEFAULT, data->cancel, read_cb, task);
}

/* ---- libsoup: a connection burst must not fail a request ----
 *
 * The lean client's rule (fb-http.c), for the connections libsoup opens:
 * one still connecting three times longer than the host's fastest connect,
 * or whose first bytes the server has not acknowledged after four round
 * trips, was dropped by a full listen queue; the message is sent again
 * on a new connection after a random pause of up to 50 ms. */

#define PROBE_MIN_US         (100 * 1000)
#define MAX_RECONNECTS       20
#define RECONNECT_JITTER_MS  50

static GQuark
fb_fetch_connect_times_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("fb-fetch-connect-times");
  return quark;
}

/* host → fastest connect seen (µs), per session. */
static GHashTable *
connect_times (SoupSession *session)
{
  GHashTable *table = g_object_get_qdata (G_OBJECT (session), fb_fetch_connect_times_quark ());

  if (table == NULL)
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_object_set_qdata_full (G_OBJECT (session), fb_fetch_connect_times_quark (), table,
                               (GDestroyNotify) g_hash_table_unref);
    }
  return table;
}

static void start_soup (GTask *task);

static void
probe_set (FetchData   *data,
           gint64       after_us,
           GSourceFunc  func)
{
  if (data->probe != NULL)
    {
      g_source_destroy (data->probe);
      g_source_unref (data->probe);
    }
  data->probe = g_timeout_source_new ((guint) MIN (after_us / 1000, (gint64) G_MAXUINT));
  g_source_set_callback (data->probe, func, data, NULL);
  g_source_set_name (data->probe, "[fetchboard] connection probe");
  g_source_attach (data->probe, g_task_get_context (data->task));
}

static gboolean
resend_cb (gpointer user_data)
{
  FetchData *data = user_data;

  g_clear_pointer (&data->probe, g_source_unref);
  start_soup (data->task);
  return G_SOURCE_REMOVE;
}

static gboolean
probe_cb (gpointer user_data)
{
  FetchData *data = user_data;
  gboolean stuck = FALSE;

  g_clear_pointer (&data->probe, g_source_unref);
  if (data->stream != NULL || data->status != 0 || data->probe_socket == NULL ||
      data->reconnects >= MAX_RECONNECTS || g_cancellable_is_cancelled (data->cancel))
    return G_SOURCE_REMOVE;
  if (data->connecting)
    {
      g_autofree char *host = host_of (data->url);
      gint64 fastest = GPOINTER_TO_SIZE (g_hash_table_lookup (connect_times (data->session), host));
      gint64 waited = g_get_monotonic_time () - data->connect_started;

      struct tcp_info info;
      socklen_t len = sizeof info;

      if (fastest == 0 || waited < 3 * fastest)
        {
          probe_set (data, fastest == 0 ? PROBE_MIN_US : 3 * fastest - waited, probe_cb);
          return G_SOURCE_REMOVE;
        }
      /* Only a SYN still unanswered: a connect the kernel finished waits
       * for a busy main loop. */
      stuck = getsockopt (g_socket_get_fd (data->probe_socket), IPPROTO_TCP, TCP_INFO,
                          &info, &len) == 0 && info.tcpi_state == TCP_SYN_SENT;
    }
  else
    {
      struct tcp_info info;
      socklen_t len = sizeof info;

      stuck = getsockopt (g_socket_get_fd (data->probe_socket), IPPROTO_TCP, TCP_INFO,
                          &info, &len) == 0 && info.tcpi_unacked > 0;
    }
  if (stuck)
    {
      data->reconnects++;
      data->restarting = TRUE;
      g_cancellable_cancel (data->send_cancel);
    }
  return G_SOURCE_REMOVE;
}

static void
probe_connecting (FetchData *data,
                  GIOStream *connection)
{
  g_autofree char *host = host_of (data->url);
  gint64 fastest = GPOINTER_TO_SIZE (g_hash_table_lookup (connect_times (data->session), host));

  g_clear_object (&data->probe_socket);
  if (G_IS_SOCKET_CONNECTION (connection))
    data->probe_socket = g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)));
  data->connect_started = g_get_monotonic_time ();
  probe_set (data, MAX (PROBE_MIN_US, 3 * fastest), probe_cb);
}

static void
probe_connected (FetchData *data)
{
  g_autofree char *host = host_of (data->url);
  GHashTable *table = connect_times (data->session);
  gint64 took = MAX (1, g_get_monotonic_time () - data->connect_started);
  gint64 fastest = GPOINTER_TO_SIZE (g_hash_table_lookup (table, host));
  struct tcp_info info;
  socklen_t len = sizeof info;
  gint64 rtt = 0;

  if (data->connect_started == 0 || data->probe_socket == NULL)
    return;
  if (fastest == 0 || took < fastest)
    g_hash_table_insert (table, g_steal_pointer (&host), GSIZE_TO_POINTER ((gsize) took));
  if (getsockopt (g_socket_get_fd (data->probe_socket), IPPROTO_TCP, TCP_INFO, &info, &len) == 0)
    rtt = info.tcpi_rtt;
  probe_set (data, MAX (PROBE_MIN_US, 4 * rtt), probe_cb);
}

static void
send_cancel_cb (GCancellable *cancel,
                FetchData    *data)
{
  g_cancellable_cancel (data->send_cancel);
}

static void
network_event_cb (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  FetchData          *data)
{
  FbJob *job = data->job;

  touch (data);
  switch (event)
    {
    case G_SOCKET_CLIENT_RESOLVING:
      data->connecting = TRUE;
      _fb_job_set_phase (job, FB_JOB_PHASE_RESOLVING);
      break;
    case G_SOCKET_CLIENT_CONNECTING:
      data->connecting = TRUE;
      _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
      probe_connecting (data, connection);
      break;
    case G_SOCKET_CLIENT_CONNECTED:
      data->connecting = FALSE;
      probe_connected (data);
      break;
    case G_SOCKET_CLIENT_RESOLVED:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
    case G_SOCKET_CLIENT_COMPLETE:
    default:
      break;
    }
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;
  SoupMessageHeaders *headers;
  g_autofree char *final_url = NULL;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  touch (data);
  if (data->stream == NULL && data->restarting)
    {
      data->restarting = FALSE;
      g_clear_error (&error);
      g_clear_object (&data->probe_socket);
      probe_set (data, (gint64) g_random_int_range (0, RECONNECT_JITTER_MS + 1) * 1000, resend_cb);
      return;
    }
  data->reading = FALSE;
  if (data->stream == NULL)
    {
      GError *described = describe_error (data, error);

      g_error_free (error);
      fail (task, described);
      return;
    }

  response_started (data);
  data->status = soup_message_get_status (data->msg);
  _fb_job_set_http_status (data->job, data->status);
  final_url = g_uri_to_string (soup_message_get_uri (data->msg));
  if (data->part != NULL && g_strcmp0 (final_url, data->url) != 0)
    _fb_job_set_url (data->job, final_url);

  if (!SOUP_STATUS_IS_SUCCESSFUL (data->status))
    {
      data->error = status_error (data->status, soup_message_get_reason_phrase (data->msg),
                                  final_url);
      _fb_job_set_retry_after (data->job,
                               soup_message_headers_get_one (soup_message_get_response_headers (data->msg),
                                                             "Retry-After"));
      /* Read out a small error body so the connection can be reused. */
      data->draining = TRUE;
      data->received = 0;
      read_next (task);
      return;
    }

  headers = soup_message_get_response_headers (data->msg);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    data->expected = soup_message_headers_get_content_length (headers);
  {
    GError *unusable = resume_check (data, soup_message_headers_get_one (headers, "Content-Range"),
                                     soup_message_headers_get_one (headers, "ETag"),
                                     soup_message_headers_get_one (headers, "Last-Modified"));

    if (unusable != NULL)
      {
        fail (task, unusable);
        return;
      }
  }
  if (data->part != NULL)
    {
      _fb_job_set_expected (data->job, data->expected < 0 ? -1
                                       : data->expected + (gint64) (data->resumed ? data->resume_from : 0));
      _fb_job_set_phase (data->job, FB_JOB_PHASE_TRANSFERRING);
    }
  if (data->part == NULL)
    data->memory = g_byte_array_sized_new (data->expected > 0
                                           ? (guint) MIN ((gsize) data->expected, data->max_memory)
                                           : 1024);
  read_next (task);
}


/* ---- http:// through the lean client (fb-http.c) ---- */

static void
start_soup (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  if (data->network_event_id == 0)
    data->network_event_id = g_signal_connect (data->msg, "network-event",
                                               G_CALLBACK (network_event_cb), data);
  g_clear_object (&data->send_cancel);
  data->send_cancel = g_cancellable_new ();
  if (data->send_cancel_id == 0)
    data->send_cancel_id = g_cancellable_connect (data->cancel, G_CALLBACK (send_cancel_cb),
                                                  data, NULL);
  else if (g_cancellable_is_cancelled (data->cancel))
    g_cancellable_cancel (data->send_cancel);
  data->reading = TRUE;
  soup_session_send_async (data->session, data->msg, G_PRIORITY_DEFAULT, data->send_cancel,
                           send_cb, task);
}

static void
lean_event_cb (FbHttpRequest *request,
               FbHttpEvent    event,
               gpointer       user_data)
{
  FetchData *data = g_task_get_task_data (user_data);

  touch (data);
  switch (event)
    {
    case FB_HTTP_EVENT_RESOLVING:
      data->connecting = TRUE;
      _fb_job_set_phase (data->job, FB_JOB_PHASE_RESOLVING);
      break;
    case FB_HTTP_EVENT_CONNECTING:
      data->connecting = TRUE;
      _fb_job_set_phase (data->job, FB_JOB_PHASE_CONNECTING);
      break;
    case FB_HTTP_EVENT_CONNECTED:
      data->connecting = FALSE;
      break;
    default:
      break;
    }
}

static void
lean_response_cb (FbHttpRequest *request,
                  gpointer       user_data)
{
  GTask *task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autofree char *final_url = NULL;

  if (g_cancellable_is_cancelled (data->cancel))
    return;
  touch (data);
  response_started (data);
  data->status = fb_http_request_get_status (request);
  _fb_job_set_http_status (data->job, data->status);
  if (fb_http_request_get_redirects (request) > 0)
    {
      final_url = g_uri_to_string (fb_http_request_get_uri (request));
      if (data->part != NULL)
        _fb_job_set_url (data->job, final_url);
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (data->status))
    {
      if (final_url == NULL)
        final_url = g_uri_to_string (fb_http_request_get_uri (request));
      data->error = status_error (data->status, fb_http_request_get_reason (request), final_url);
      _fb_job_set_retry_after (data->job, fb_http_request_get_header (request, "Retry-After"));
      data->draining = TRUE;
      data->received = 0;
      return;
    }

  data->expected = fb_http_request_get_content_length (request);
  {
    GError *unusable = resume_check (data, fb_http_request_get_header (request, "Content-Range"),
                                     fb_http_request_get_header (request, "ETag"),
                                     fb_http_request_get_header (request, "Last-Modified"));

    if (unusable != NULL)
      {
        g_clear_pointer (&data->http, fb_http_request_free);
        data->reading = FALSE;
        fail (task, unusable);
        return;
      }
  }
  if (data->part != NULL)
    {
      _fb_job_set_expected (data->job, data->expected < 0 ? -1
                                       : data->expected + (gint64) (data->resumed ? data->resume_from : 0));
      _fb_job_set_phase (data->job, FB_JOB_PHASE_TRANSFERRING);
    }
  else
    data->memory = g_byte_array_sized_new (data->expected > 0
                                           ? (guint) MIN ((gsize) data->expected, data->max_memory)
                                           : 1024);
}

static void
lean_body_cb (FbHttpRequest *request,
              const guint8  *bytes,
              gsize          size,
              gpointer       user_data)
{
  GTask *task = user_data;
  FetchData *data = g_task_get_task_data (task);

  if (g_cancellable_is_cancelled (data->cancel))
    {
      /* The idle that acts on it comes next; read nothing more meanwhile. */
      fb_http_request_pause (request);
      return;
    }
  touch (data);
  if (data->draining)
    {
      data->received += size;
      if (data->received > MAX_DRAIN)
        {
          g_clear_pointer (&data->http, fb_http_request_free);
          data->reading = FALSE;
          data->eof = TRUE;
          complete (task);
        }
      return;
    }

  if (data->memory != NULL)
    {
      data->received += size;
      if (data->memory->len + size > data->max_memory)
        {
          g_clear_pointer (&data->http, fb_http_request_free);
          data->reading = FALSE;
          fail (task, g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TOO_LARGE,
                                   _("Response too large (more than %zu bytes)"),
                                   data->max_memory));
          return;
        }
      g_byte_array_append (data->memory, bytes, (guint) size);
      return;
    }

  _fb_job_add_received (data->job, size);
  while (size > 0)
    {
      gsize n;

      if (data->buf == NULL)
        {
          /* Sized to the body, so a small one costs one allocation of its
           * own size and no copy on its way to the disk. */
          if (data->expected >= 0 && (guint64) data->expected > data->received)
            data->buf_size = (gsize) MIN ((guint64) READ_SIZE, (guint64) data->expected - data->received);
          else
            data->buf_size = READ_SIZE;
          data->buf = g_malloc (data->buf_size);
          data->buf_filled = 0;
        }
      n = MIN (size, data->buf_size - data->buf_filled);
      memcpy (data->buf + data->buf_filled, bytes, n);
      data->buf_filled += n;
      data->received += n;
      bytes += n;
      size -= n;
      if (data->buf_filled == data->buf_size)
        {
          hand_over (task);
          maybe_flush (task);
        }
    }
  /* Back-pressure: do not read far ahead of a slow disk. */
  if (data->flushing && fb_part_file_get_buffered (data->part) >= MAX_BUFFERED)
    fb_http_request_pause (request);
}

static void
lean_done_cb (FbHttpRequest *request,
              const GError  *error,
              gpointer       user_data)
{
  GTask *task = user_data;
  FetchData *data = g_task_get_task_data (task);

  if (g_cancellable_is_cancelled (data->cancel))
    return;
  touch (data);

  if (g_error_matches (error, FB_HTTP_ERROR, FB_HTTP_ERROR_FALLBACK))
    {
      /* A redirect to https, or a proxy: libsoup takes it from here. */
      g_autofree char *url = g_uri_to_string (fb_http_request_get_uri (request));

      g_clear_pointer (&data->http, fb_http_request_free);
      data->lean = FALSE;
      data->msg = soup_message_new (SOUP_METHOD_GET, url);
      if (data->msg == NULL)
        {
          data->reading = FALSE;
          fail (task, g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_BAD_URL,
                                   _("Not a valid http or https URL: %s"), url));
          return;
        }
      resume_add_soup_headers (data);
      start_soup (task);
      return;
    }

  g_clear_pointer (&data->http, fb_http_request_free);
  data->reading = FALSE;
  if (error != NULL)
    {
      fail (task, describe_error (data, error));
      return;
    }

  if (data->draining)
    {
      data->eof = TRUE;
      complete (task);
      return;
    }
  end_of_body (task);
}

static const FbHttpCallbacks lean_callbacks = {
  lean_event_cb,
  lean_response_cb,
  lean_body_cb,
  lean_done_cb,
};

/* A cancel (the caller's or the deadline's) is acted on from the main
 * loop, never inside whatever code cancelled. */
static gboolean
lean_cancel_idle_cb (gpointer user_data)
{
  FetchData *data = user_data;
  GTask *task = data->task;
  GError *cancelled = NULL;

  g_clear_pointer (&data->cancel_idle, g_source_unref);
  if (data->http == NULL || data->returned)
    return G_SOURCE_REMOVE;
  g_clear_pointer (&data->http, fb_http_request_free);
  data->reading = FALSE;
  g_cancellable_set_error_if_cancelled (data->cancel, &cancelled);
  g_assert (cancelled != NULL);
  fail (task, describe_error (data, cancelled));
  g_error_free (cancelled);
  return G_SOURCE_REMOVE;
}

static void
lean_schedule_cancel (FetchData *data)
{
  if (data->cancel_idle != NULL || data->returned)
    return;
  data->cancel_idle = g_idle_source_new ();
  g_source_set_priority (data->cancel_idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (data->cancel_idle, lean_cancel_idle_cb, data, NULL);
  g_source_set_name (data->cancel_idle, "[fetchboard] fetch cancel");
  g_source_attach (data->cancel_idle, g_task_get_context (data->task));
}

/* The lean client takes plain http:// URLs, unless the session has none. */
static GUri *
lean_uri (SoupSession *session,
          const char  *url,
          FbHttpPool **pool)
{
  GUri *uri;
  const char *host;

  *pool = g_object_get_qdata (G_OBJECT (session), fb_fetch_http_pool_quark ());
  if (*pool == NULL)
    return NULL;
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    return NULL;
  host = g_uri_get_host (uri);
  if (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 || host == NULL || *host == '\0')
    {
      g_uri_unref (uri);
      return NULL;
    }
  return uri;
}

void
fb_fetch_async (SoupSession         *session,
                FbJob               *job,
                const char          *url,
                FbPartFile          *part,
                gsize                max_memory,
                double               timeout,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme = NULL;
  FbHttpPool *pool = NULL;
  const FbFetchLimits *limits;
  g_autofree char *range = NULL;
  FetchData *data;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (FB_IS_JOB (job));
  g_return_if_fail (url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_fetch_async);
  data = g_new0 (FetchData, 1);
  data->session = g_object_ref (session);
  data->job = g_object_ref (job);
  data->url = g_strdup (url);
  data->part = part;
  data->max_memory = max_memory;
  data->timeout = timeout;
  data->expected = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  /* The job's URL is its body's: a side request (metadata.json) does not
   * replace what "Copy URL" gives. */
  if (part != NULL)
    _fb_job_set_url (job, url);
  scheme = g_uri_peek_scheme (url);
  if (g_strcmp0 (scheme, "http") == 0)
    uri = lean_uri (session, url, &pool);
  /* libsoup would send an ftp:// URL as HTTP to port 21. */
  if (uri == NULL && (g_strcmp0 (scheme, "http") == 0 || g_strcmp0 (scheme, "https") == 0))
    data->msg = soup_message_new (SOUP_METHOD_GET, url);
  if (data->msg == NULL && uri == NULL)
    {
      g_task_return_new_error (task, FB_FETCH_ERROR, FB_FETCH_ERROR_BAD_URL,
                               _("Not a valid http or https URL: %s"), url);
      return;
    }

  data->task = task;
  data->lean = uri != NULL;
  data->cancel = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->external = g_object_ref (cancellable);
      data->external_id = g_cancellable_connect (cancellable, G_CALLBACK (external_cancelled_cb),
                                                 data, NULL);
    }
  limits = g_object_get_qdata (G_OBJECT (session), fb_fetch_limits_quark ());
  if (limits != NULL)
    data->limits = *limits;
  data->started = g_get_monotonic_time ();
  if (timeout > 0 || data->limits.connect_timeout > 0 || data->limits.max_time > 0 ||
      data->limits.speed_limit > 0)
    {
      gint64 due;

      data->deadline = g_source_new (&deadline_funcs, sizeof (GSource));
      g_source_set_callback (data->deadline, deadline_cb, data, NULL);
      g_source_set_name (data->deadline, "[fetchboard] fetch deadline");
      touch (data);
      next_deadline (data, &due);
      g_source_set_ready_time (data->deadline, due == G_MAXINT64 ? -1 : due);
      g_source_attach (data->deadline, g_task_get_context (task));
    }

  _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
  range = resume_prepare (data);
  if (uri != NULL)
    {
      GTask *owned = g_steal_pointer (&task);

      data->reading = TRUE;
      data->http = fb_http_request_new (pool, uri, MAX_REDIRECTS, &lean_callbacks, owned);
      if (range != NULL)
        {
          g_autofree char *lines = g_strdup_printf ("Range: %s\r\nIf-Range: %s\r\n", range,
                                                    data->validator);

          fb_http_request_set_headers (data->http, lines);
        }
      if (g_cancellable_is_cancelled (data->cancel))
        {
          lean_schedule_cancel (data);
          return;
        }
      /* The callbacks may end the task (and free data) before this returns. */
      fb_http_request_send (data->http);
      return;
    }
  resume_add_soup_headers (data);
  start_soup (g_steal_pointer (&task));
}

GBytes *
fb_fetch_finish (GAsyncResult  *result,
                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
