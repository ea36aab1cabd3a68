/* fb-downloader.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-downloader"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "fb-downloader.h"
#include "fb-job-private.h"
#include "fb-semaphore.h"

#define READ_SIZE      (64 * 1024)
#define FLUSH_AT       (256 * 1024)   /* smaller bodies reach the disk in one step */
#define MAX_BUFFERED   (4 * 1024 * 1024)
#define MAX_DRAIN      (64 * 1024)

G_DEFINE_QUARK (fb-fetch-error-quark, fb_fetch_error)

typedef struct
{
  SoupMessage  *msg;
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
  GCancellable *cancel;     /* ours: the caller's, or the inactivity deadline */
  GCancellable *external;
  gulong        external_id;
  GSource      *deadline;
} FetchData;

static void read_next (GTask *task);

static void
fetch_data_free (FetchData *data)
{
  if (data->deadline != NULL)
    {
      g_source_destroy (data->deadline);
      g_source_unref (data->deadline);
    }
  if (data->external_id != 0)
    g_cancellable_disconnect (data->external, data->external_id);
  g_clear_object (&data->external);
  g_clear_object (&data->cancel);
  /* By id: disconnecting by data walks every handler libsoup has on it. */
  if (data->network_event_id != 0)
    g_signal_handler_disconnect (data->msg, data->network_event_id);
  g_clear_object (&data->msg);
  g_clear_object (&data->job);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->memory, g_byte_array_unref);
  g_free (data->buf);
  g_clear_error (&data->error);
  g_free (data->url);
  g_free (data);
}

SoupSession *
fb_fetch_session_new (double timeout)
{
  /* libsoup caps connections at 10 in all and 2 per host by default; the
   * semaphore must be the only limit, and idle keep-alive connections
   * count too, so leave room above the highest limit. */
  return g_object_new (SOUP_TYPE_SESSION,
                       "max-conns", 2 * FB_SEMAPHORE_MAX_LIMIT + 100,
                       "max-conns-per-host", 2 * FB_SEMAPHORE_MAX_LIMIT + 100,
                       /* Timeouts are ours, to the tenth of a second (see touch). */
                       "timeout", 0,
                       "idle-timeout", 60,
                       "user-agent", "Fetchboard/" PACKAGE_VERSION " ",
                       NULL);
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

  if (data->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TIMEOUT,
                        /* Translators: %.1f is seconds, %s a host. */
                        _("Timed out: nothing from %s for %.1f s"), host, data->timeout);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
                        _("Connection refused by %s"), host);

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
                        _("Cannot resolve %s: %s"), host, detail ? detail : _("unknown host"));

  if (error->domain == G_TLS_ERROR)
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
                        _("TLS error with %s: %s"), host, detail ? detail : _("handshake failed"));

  if (g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS))
    return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
                        _("Too many redirects (more than 20)"));

  if (error->domain == SOUP_SESSION_ERROR)
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
      return g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT,
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

static gboolean
deadline_cb (gpointer user_data)
{
  FetchData *data = user_data;

  data->timed_out = TRUE;
  g_source_set_ready_time (data->deadline, -1);
  g_cancellable_cancel (data->cancel);
  return G_SOURCE_CONTINUE;
}

/* The timeout counts time without progress (connecting, waiting for the
 * answer, or between chunks), not the whole transfer: a large file on a
 * steady connection never times out, a stalled one does. */
static void
touch (FetchData *data)
{
  if (data->deadline != NULL && !data->timed_out)
    g_source_set_ready_time (data->deadline,
                             g_get_monotonic_time () + (gint64) (data->timeout * G_USEC_PER_SEC));
}

static void
external_cancelled_cb (GCancellable *external,
                       GCancellable *cancel)
{
  g_cancellable_cancel (cancel);
}

/* Ends the task once no flush is in flight, so the caller may abort or
 * commit the part file the moment we return. */
static void
complete (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  if (data->flushing || data->reading)
    return;

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
      fail (task, error);
      return;
    }
  if (data->eof)
    complete (task);
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
      data->eof = TRUE;
      if (!hand_over (task))
        return;
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
      _fb_job_set_phase (job, FB_JOB_PHASE_RESOLVING);
      break;
    case G_SOCKET_CLIENT_CONNECTING:
      _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
      break;
    case G_SOCKET_CLIENT_RESOLVED:
    case G_SOCKET_CLIENT_CONNECTED:
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
  const char *reason;
  g_autofree char *final_url = NULL;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  data->reading = FALSE;
  touch (data);
  if (data->stream == NULL)
    {
      GError *described = describe_error (data, error);

      g_error_free (error);
      fail (task, described);
      return;
    }

  data->status = soup_message_get_status (data->msg);
  _fb_job_set_http_status (data->job, data->status);
  final_url = g_uri_to_string (soup_message_get_uri (data->msg));
  if (g_strcmp0 (final_url, data->url) != 0)
    _fb_job_set_url (data->job, final_url);

  if (!SOUP_STATUS_IS_SUCCESSFUL (data->status))
    {
      reason = soup_message_get_reason_phrase (data->msg);
      if (reason == NULL || *reason == '\0')
        reason = data->status == 418 ? "I'm a Teapot" : soup_status_get_phrase (data->status);
      if (data->status == SOUP_STATUS_NOT_FOUND)
        data->error = g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_NOT_FOUND,
                                   _("Not found (HTTP 404): %s"), final_url);
      else
        data->error = g_error_new (FB_FETCH_ERROR, FB_FETCH_ERROR_HTTP,
                                   /* Translators: the book's wording: HTTP error 418 - I'm a Teapot */
                                   _("HTTP error %u - %s"), data->status,
                                   reason ? reason : _("unknown status"));
      /* Read out a small error body so the connection can be reused. */
      data->draining = TRUE;
      data->received = 0;
      read_next (task);
      return;
    }

  headers = soup_message_get_response_headers (data->msg);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    data->expected = soup_message_headers_get_content_length (headers);
  if (data->part != NULL)
    {
      _fb_job_set_expected (data->job, data->expected);
      _fb_job_set_phase (data->job, FB_JOB_PHASE_TRANSFERRING);
    }
  if (data->part == NULL)
    data->memory = g_byte_array_sized_new (data->expected > 0
                                           ? (guint) MIN ((gsize) data->expected, data->max_memory)
                                           : 1024);
  read_next (task);
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
  const char *scheme = NULL;
  FetchData *data;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (FB_IS_JOB (job));
  g_return_if_fail (url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_fetch_async);
  data = g_new0 (FetchData, 1);
  data->job = g_object_ref (job);
  data->url = g_strdup (url);
  data->part = part;
  data->max_memory = max_memory;
  data->timeout = timeout;
  data->expected = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  _fb_job_set_url (job, url);
  scheme = g_uri_peek_scheme (url);
  /* libsoup would send an ftp:// URL as HTTP to port 21. */
  if (g_strcmp0 (scheme, "http") == 0 || g_strcmp0 (scheme, "https") == 0)
    data->msg = soup_message_new (SOUP_METHOD_GET, url);
  if (data->msg == NULL)
    {
      g_task_return_new_error (task, FB_FETCH_ERROR, FB_FETCH_ERROR_BAD_URL,
                               _("Not a valid http or https URL: %s"), url);
      return;
    }

  data->cancel = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->external = g_object_ref (cancellable);
      data->external_id = g_cancellable_connect (cancellable, G_CALLBACK (external_cancelled_cb),
                                                 data->cancel, NULL);
    }
  if (timeout > 0)
    {
      data->deadline = g_source_new (&deadline_funcs, sizeof (GSource));
      g_source_set_callback (data->deadline, deadline_cb, data, NULL);
      g_source_set_name (data->deadline, "[fetchboard] fetch deadline");
      touch (data);
      g_source_attach (data->deadline, g_task_get_context (task));
    }

  _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
  data->network_event_id = g_signal_connect (data->msg, "network-event",
                                             G_CALLBACK (network_event_cb), data);
  data->reading = TRUE;
  soup_session_send_async (session, data->msg, G_PRIORITY_DEFAULT, data->cancel,
                           send_cb, g_steal_pointer (&task));
}

GBytes *
fb_fetch_finish (GAsyncResult  *result,
                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
