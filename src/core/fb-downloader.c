/* fb-downloader.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-downloader"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <libsoup/soup.h>
#include <string.h>

#include "fb-deadline.h"
#include "fb-downloader.h"
#include "fb-http.h"
#include "fb-job-private.h"
#include "fb-semaphore.h"
#include "fb-tls-database.h"
#include "fb-turn.h"

#define READ_SIZE      (64 * 1024)
#define FLUSH_AT       (256 * 1024)   /* smaller bodies reach the disk in one step */
#define MAX_BUFFERED   (4 * 1024 * 1024)
#define MAX_DRAIN      (64 * 1024)
#define MAX_REDIRECTS  20             /* libsoup's limit, and its message */

G_DEFINE_QUARK (fb-fetch-error-quark, fb_fetch_error)

typedef enum
{
  DEADLINE_NONE,
  DEADLINE_READ,
  DEADLINE_CONNECT,
  DEADLINE_TOTAL,
  DEADLINE_SPEED,
} DeadlineKind;

typedef struct
{
  FbHttpPool   *pool;
  FbHttpRequest *http;
  FbJob        *job;
  FbPartFile   *part;      /* borrowed: the caller keeps it until we return */
  GByteArray   *memory;
  guint8       *buf;        /* the chunk being read into; handed over when full */
  gsize         buf_size;
  gsize         buf_filled;
  GError       *error;     /* held while a flush finishes */
  char         *url;
  double        timeout;
  gsize         max_memory;
  gint64        expected;
  guint64       received;
  guint64       offset;     /* a resume: bytes the part already holds */
  char         *validator;  /* …and what If-Range asks with */
  guint         status;
  gboolean      flushing;
  gboolean      reading;
  gboolean      eof;
  gboolean      draining;
  gboolean      timed_out;
  gboolean      connecting;     /* resolving, connecting, TLS: the connect timeout applies */
  DeadlineKind  expired;
  FbFetchLimits limits;
  gint64        started;        /* monotonic µs */
  gint64        window_start;   /* the speed check's window, from the response on */
  guint64       window_bytes;
  gboolean      returned;
  gboolean      refetched;  /* a resume the server answered wrongly, asked again whole */
  GTask        *task;       /* borrowed: the task this is the data of */
  GSource      *cancel_idle;
  GCancellable *cancel;     /* ours: the caller's, or the inactivity deadline */
  GCancellable *external;
  gulong        external_id;
  FbDeadline   *deadline;       /* on the context's one deadline source (fb-deadline.h) */
  gint64        last_progress;  /* monotonic µs; the deadline re-arms from it */
} FetchData;

static void lean_schedule_cancel   (FetchData *data);
static void refetch_whole          (GTask     *task);
static void hand_over              (GTask     *task);

static void
fetch_data_free (FetchData *data)
{
  g_clear_pointer (&data->http, fb_http_request_free);
  if (data->cancel_idle != NULL)
    {
      g_source_destroy (data->cancel_idle);
      g_source_unref (data->cancel_idle);
    }
  g_clear_pointer (&data->deadline, fb_deadline_free);
  if (data->external_id != 0)
    g_cancellable_disconnect (data->external, data->external_id);
  g_clear_object (&data->external);
  g_clear_object (&data->cancel);
  g_clear_pointer (&data->pool, fb_http_pool_unref);
  g_clear_object (&data->job);
  g_clear_pointer (&data->memory, g_byte_array_unref);
  g_free (data->buf);
  g_clear_error (&data->error);
  g_free (data->url);
  g_free (data->validator);
  g_free (data);
}

FbHttpPool *
fb_fetch_pool_new (GTlsDatabase *database)
{
  FbHttpPool *pool = fb_http_pool_new ("Fetchboard/" PACKAGE_VERSION);

  if (database != NULL)
    fb_http_pool_set_tls_database (pool, database);
  return pool;
}

static GQuark
fb_fetch_limits_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("fb-fetch-limits");
  return quark;
}

void
fb_fetch_pool_set_limits (FbHttpPool          *pool,
                          const FbFetchLimits *limits)
{
  g_return_if_fail (pool != NULL);
  g_return_if_fail (limits != NULL);

  fb_http_pool_set_qdata (pool, fb_fetch_limits_quark (), g_memdup2 (limits, sizeof *limits),
                          g_free);
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

/* Turns whatever the HTTP client or GIO said into one FB_FETCH_ERROR whose
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

  if (g_error_matches (error, FB_HTTP_ERROR, FB_HTTP_ERROR_BAD_REDIRECT))
    return g_error_new_literal (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT, error->message);

  if (g_error_matches (error, FB_HTTP_ERROR, FB_HTTP_ERROR_REDIRECTS))
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
                        _("Too many redirects (more than 20)"));

  if (error->domain == FB_HTTP_ERROR)
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

static void
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
      fb_deadline_set (data->deadline, due == G_MAXINT64 ? -1 : due);
      return;
    }
  data->expired = kind;
  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancel);
  lean_schedule_cancel (data);
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
  lean_schedule_cancel (data);
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

  if (data->error == NULL)
    data->error = error;
  else
    g_error_free (error);
  /* What came before the failure stays in the part, for a resume. */
  if (data->part != NULL && !data->draining)
    hand_over (task);
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
      g_clear_pointer (&data->http, fb_http_request_free);
      data->reading = FALSE;
      fail (task, error);
      return;
    }
  /* Waiting for a slow disk is progress too, not network silence. */
  touch (data);
  if (data->eof)
    complete (task);
  else if (data->http != NULL)
    fb_http_request_resume (data->http);
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

/* Full-size read buffers, once written, wait here for the next ones a
 * large body needs. Each went back to malloc (from the writer thread or
 * after a flush) and came again: for a 512 MiB file glibc gave the heap
 * back to the kernel and faulted it in again, zeroed, every 4 MiB, 16 % of
 * the main thread's time (perf). As many as a flush gives back at once. */
#define SPARE_BUFFERS (MAX_BUFFERED / READ_SIZE)

G_LOCK_DEFINE_STATIC (spare);
static gpointer spare_buffers[SPARE_BUFFERS];
static guint    n_spare_buffers;

static guint8 *
read_buffer_take (void)
{
  guint8 *buf = NULL;

  G_LOCK (spare);
  if (n_spare_buffers > 0)
    buf = spare_buffers[--n_spare_buffers];
  G_UNLOCK (spare);
  return buf != NULL ? buf : g_malloc (READ_SIZE);
}

/* A GBytes' free function: any thread. */
static void
read_buffer_give_back (gpointer buf)
{
  G_LOCK (spare);
  if (n_spare_buffers < SPARE_BUFFERS)
    spare_buffers[n_spare_buffers++] = g_steal_pointer (&buf);
  G_UNLOCK (spare);
  g_free (buf);
}

/* Hands the filled part of the read buffer to the part file, without a
 * copy (a body kept in memory never uses the buffer: see lean_body_cb). */
static void
hand_over (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;

  if (data->buf_filled == 0)
    return;
  if (data->buf_size == READ_SIZE)
    bytes = g_bytes_new_with_free_func (data->buf, data->buf_filled, read_buffer_give_back,
                                        data->buf);
  else
    bytes = g_bytes_new_take (data->buf, data->buf_filled);
  data->buf = NULL;
  fb_part_file_append (data->part, bytes);
  data->buf_filled = 0;
}

/* The body ended: its last bytes go out, and a body shorter than its
 * Content-Length is an error. */
static void
end_of_body (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  data->eof = TRUE;
  hand_over (task);
  if (data->part != NULL)
    _fb_job_set_expected (data->job, data->expected >= 0 ? data->expected : (gint64) data->received);
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

/* ---- resume ---- */

/* What If-Range may carry: a strong ETag, else a Last-Modified date. */
static const char *
resume_validator (FbJob *job)
{
  const char *etag = fb_job_get_etag (job);

  if (etag != NULL && !g_str_has_prefix (etag, "W/"))
    return etag;
  return fb_job_get_last_modified (job);
}

/* A part that already holds bytes continues from there when the server
 * can say whether the body is still the same one; else it starts again. */
static void
plan_resume (FetchData *data)
{
  guint64 size = data->part != NULL ? fb_part_file_get_size (data->part) : 0;
  const char *validator;

  data->offset = 0;
  g_clear_pointer (&data->validator, g_free);
  if (size == 0)
    return;
  validator = resume_validator (data->job);
  if (validator == NULL)
    {
      fb_part_file_restart (data->part);
      _fb_job_set_received (data->job, 0);
      return;
    }
  data->offset = size;
  data->validator = g_strdup (validator);
  _fb_job_set_received (data->job, size);
}

/* "bytes FIRST-LAST/TOTAL" (TOTAL may be "*"): FALSE if it is not that. */
static gboolean
parse_content_range (const char *value,
                     guint64    *first,
                     gint64     *total)
{
  guint64 last;
  char *end;

  if (value == NULL || !g_str_has_prefix (value, "bytes "))
    return FALSE;
  value += strlen ("bytes ");
  if (!g_ascii_isdigit (*value))
    return FALSE;
  *first = g_ascii_strtoull (value, &end, 10);
  if (*end != '-' || !g_ascii_isdigit (end[1]))
    return FALSE;
  last = g_ascii_strtoull (end + 1, &end, 10);
  if (*end != '/' || last < *first)
    return FALSE;
  if (g_str_equal (end + 1, "*"))
    *total = -1;
  else
    {
      char *tail;
      guint64 n;

      if (!g_ascii_isdigit (end[1]))
        return FALSE;
      n = g_ascii_strtoull (end + 1, &tail, 10);
      if (*tail != '\0' || n <= last || n > G_MAXINT64)
        return FALSE;
      *total = (gint64) n;
    }
  return TRUE;
}

/* A 2xx response arrived for the body: records its validators and decides
 * where its bytes go. A 200 to a resume replaces what the part held (the
 * body changed, or the server ignores ranges); a 206 must continue exactly
 * where the part ends, for the same body. Returns FALSE when it cannot
 * (the caller asks again from zero): never a spliced file. @length is the
 * response's own Content-Length (-1: unknown). */
static gboolean
take_response (FetchData     *data,
               FbHttpRequest *request)
{
  guint status = fb_http_request_get_status (request);
  gint64 length = fb_http_request_get_content_length (request);
  const char *etag = fb_http_request_get_header (request, "ETag");
  guint64 first;
  gint64 total;

  if (data->part == NULL)
    {
      data->expected = length;
      return status != SOUP_STATUS_PARTIAL_CONTENT;
    }
  if (status == SOUP_STATUS_PARTIAL_CONTENT)
    {
      if (data->offset == 0
          || !parse_content_range (fb_http_request_get_header (request, "Content-Range"),
                                   &first, &total)
          || first != data->offset
          || (etag != NULL && data->validator[0] == '"' && g_strcmp0 (etag, data->validator) != 0))
        return FALSE;
      data->received = data->offset;
      data->expected = total >= 0 ? total : length >= 0 ? (gint64) data->offset + length : -1;
    }
  else
    {
      if (data->offset > 0)
        {
          fb_part_file_restart (data->part);
          _fb_job_set_received (data->job, 0);
          data->offset = 0;
        }
      data->expected = length;
    }
  _fb_job_set_validators (data->job, etag, fb_http_request_get_header (request, "Last-Modified"));
  return TRUE;
}

/* Connecting started or ended: the limit that applies changed, and a
 * connect timeout shorter than the read timeout must not wait for the
 * read timeout's due time to be noticed. */
static void
rearm_deadline (FetchData *data)
{
  gint64 due;
  gint64 armed;

  if (data->deadline == NULL)
    return;
  next_deadline (data, &due);
  armed = fb_deadline_get (data->deadline);
  if (due != G_MAXINT64 && (armed == -1 || due < armed))
    fb_deadline_set (data->deadline, due);
}

static void
lean_event_cb (FbHttpRequest *request,
               FbHttpEvent    event,
               gpointer       user_data)
{
  FetchData *data = g_task_get_task_data (user_data);
  gboolean was_connecting = data->connecting;

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
    case FB_HTTP_EVENT_TLS_HANDSHAKED:
      data->connecting = FALSE;
      break;
    case FB_HTTP_EVENT_TLS_HANDSHAKING:
      /* The handshake is part of connecting, as for curl's --connect-timeout. */
      data->connecting = TRUE;
      _fb_job_set_phase (data->job, FB_JOB_PHASE_TLS);
      break;
    case FB_HTTP_EVENT_REQUEST_SENT:
      _fb_job_set_phase (data->job, FB_JOB_PHASE_FIRST_BYTE);
      break;
    default:
      break;
    }
  if (data->connecting != was_connecting)
    rearm_deadline (data);
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

  if (data->status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && data->offset > 0)
    {
      refetch_whole (task);
      return;
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

  if (!take_response (data, request))
    {
      refetch_whole (task);
      return;
    }
  if (data->part != NULL)
    {
      _fb_job_set_expected (data->job, data->expected);
      _fb_job_set_phase (data->job, FB_JOB_PHASE_TRANSFERRING);
    }
  else
    data->memory = g_byte_array_sized_new (data->expected > 0
                                           ? (guint) MIN ((gsize) data->expected, data->max_memory)
                                           : 1024);
}

/* Sized to the body, so a small one costs one allocation of its own size
 * and no copy on its way to the disk. */
static void
ensure_buf (FetchData *data)
{
  if (data->buf != NULL)
    return;
  if (data->expected >= 0 && (guint64) data->expected > data->received)
    data->buf_size = (gsize) MIN ((guint64) READ_SIZE, (guint64) data->expected - data->received);
  else
    data->buf_size = READ_SIZE;
  data->buf = data->buf_size == READ_SIZE ? read_buffer_take () : g_malloc (data->buf_size);
  data->buf_filled = 0;
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

      ensure_buf (data);
      n = MIN (size, data->buf_size - data->buf_filled);
      /* Read in place (lean_body_room_cb): nothing to copy. */
      if (bytes != data->buf + data->buf_filled)
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

/* The read buffer's free room, for a body on its way to the part file:
 * the client reads into it, and lean_body_cb () finds the bytes there. */
static guint8 *
lean_body_room_cb (FbHttpRequest *request,
                   gsize         *size,
                   gpointer       user_data)
{
  FetchData *data = g_task_get_task_data (user_data);

  if (data->memory != NULL || data->draining || data->part == NULL ||
      g_cancellable_is_cancelled (data->cancel))
    return NULL;
  ensure_buf (data);
  *size = data->buf_size - data->buf_filled;
  return data->buf + data->buf_filled;
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
  lean_body_room_cb,
};

static void
lean_send (GTask *task,
           GUri  *uri)
{
  FetchData *data = g_task_get_task_data (task);

  data->reading = TRUE;
  data->http = fb_http_request_new (data->pool, uri, MAX_REDIRECTS, &lean_callbacks, task);
  fb_http_request_set_range (data->http, data->offset, data->validator);
  /* The callbacks may end the task (and free data) before this returns. */
  fb_http_request_send (data->http);
}

/* The server answered a resume with bytes that do not continue the part
 * (another range, another version of the body): the whole body from zero,
 * once. Called from the response's head. */
static void
refetch_whole (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);
  g_autofree char *host = host_of (data->url);

  if (data->refetched || data->part == NULL)
    {
      g_clear_pointer (&data->http, fb_http_request_free);
      data->reading = FALSE;
      fail (task, g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_HTTP,
                               _("Bad response from %s: partial content (HTTP 206) that does "
                                 "not continue the file"), host));
      return;
    }
  data->refetched = TRUE;
  fb_part_file_restart (data->part);
  _fb_job_set_received (data->job, 0);
  data->offset = 0;
  g_clear_pointer (&data->validator, g_free);
  data->received = 0;
  data->expected = -1;
  {
    g_autoptr(GUri) uri = g_uri_parse (data->url, SOUP_HTTP_URI_FLAGS, NULL);

    g_clear_pointer (&data->http, fb_http_request_free);
    lean_send (task, uri);
  }
}

/* A cancel (the caller's or the deadline's) is acted on from the main
 * loop, never inside whatever code cancelled. */
static gboolean
lean_cancel_idle_cb (gpointer user_data)
{
  FetchData *data = user_data;
  GTask *task = data->task;
  GError *cancelled = NULL;

  /* A thousand read timeouts due at once end over several turns. */
  if (data->http != NULL && !data->returned && !fb_turn_grant ())
    return G_SOURCE_CONTINUE;
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

static GUri *
http_uri (const char *url)
{
  GUri *uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (uri == NULL
      || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
      || host == NULL || *host == '\0')
    {
      g_clear_pointer (&uri, g_uri_unref);
      return NULL;
    }
  return uri;
}

void
fb_fetch_async (FbHttpPool          *pool,
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
  const FbFetchLimits *limits;
  FetchData *data;

  g_return_if_fail (pool != NULL);
  g_return_if_fail (FB_IS_JOB (job));
  g_return_if_fail (url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_fetch_async);
  data = g_new0 (FetchData, 1);
  data->pool = fb_http_pool_ref (pool);
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
  uri = http_uri (url);
  if (uri == NULL)
    {
      g_task_return_new_error (task, FB_FETCH_ERROR, FB_FETCH_ERROR_BAD_URL,
                               _("Not a valid http or https URL: %s"), url);
      return;
    }

  data->task = task;
  data->cancel = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->external = g_object_ref (cancellable);
      data->external_id = g_cancellable_connect (cancellable, G_CALLBACK (external_cancelled_cb),
                                                 data, NULL);
    }
  limits = fb_http_pool_get_qdata (pool, fb_fetch_limits_quark ());
  if (limits != NULL)
    data->limits = *limits;
  data->started = g_get_monotonic_time ();
  if (timeout > 0 || data->limits.connect_timeout > 0 || data->limits.max_time > 0 ||
      data->limits.speed_limit > 0)
    {
      gint64 due;

      data->deadline = fb_deadline_new (g_task_get_context (task), deadline_cb, data);
      touch (data);
      next_deadline (data, &due);
      fb_deadline_set (data->deadline, due == G_MAXINT64 ? -1 : due);
    }

  plan_resume (data);
  _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
  if (g_cancellable_is_cancelled (data->cancel))
    {
      /* An idle ends it: the caller hears back from the main loop. */
      data->reading = TRUE;
      data->http = fb_http_request_new (pool, uri, MAX_REDIRECTS, &lean_callbacks, task);
      g_steal_pointer (&task);
      lean_schedule_cancel (data);
      return;
    }
  lean_send (g_steal_pointer (&task), uri);
}

GBytes *
fb_fetch_finish (GAsyncResult  *result,
                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
