/* fb-format.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-format"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fb-countries.h"
#include "fb-format.h"
#include "fb-url.h"

char *
fb_format_duration (gint64 usec)
{
  gint64 seconds;

  if (usec < 0)
    usec = 0;
  if (usec < G_USEC_PER_SEC)
    /* Translators: a duration in milliseconds */
    return g_strdup_printf (_("%u ms"), (guint) (usec / 1000));
  if (usec < 10 * G_USEC_PER_SEC)
    /* Translators: a duration in seconds, one decimal */
    return g_strdup_printf (_("%.1f s"), usec / (double) G_USEC_PER_SEC);

  seconds = usec / G_USEC_PER_SEC;
  if (seconds < 60)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_("%u s"), (guint) seconds);
  if (seconds < 3600)
    return g_strdup_printf ("%u:%02u", (guint) (seconds / 60), (guint) (seconds % 60));
  return g_strdup_printf ("%u:%02u:%02u", (guint) (seconds / 3600),
                          (guint) (seconds / 60 % 60), (guint) (seconds % 60));
}

char *
fb_format_duration_exact (gint64 usec)
{
  if (usec < 0)
    usec = 0;
  if (usec < 1000)
    /* Translators: a duration in microseconds */
    return g_strdup_printf (_("%u µs"), (guint) usec);
  if (usec < G_USEC_PER_SEC)
    /* Translators: a duration in milliseconds, one decimal */
    return g_strdup_printf (_("%.1f ms"), usec / 1000.0);
  if (usec < 60 * G_USEC_PER_SEC)
    /* Translators: a duration in seconds, three decimals */
    return g_strdup_printf (_("%.3f s"), usec / (double) G_USEC_PER_SEC);
  return fb_format_duration (usec);
}

char *
fb_format_speed (double bytes_per_second)
{
  g_autofree char *size = NULL;

  if (bytes_per_second <= 0)
    return g_strdup ("");
  size = g_format_size ((guint64) bytes_per_second);
  /* Translators: a transfer rate, %s is a size such as “1.2 MB” */
  return g_strdup_printf (_("%s/s"), size);
}

char *
fb_format_size (guint64 received,
                gint64  expected)
{
  g_autofree char *got = NULL;
  g_autofree char *total = NULL;

  if (received == 0 && expected <= 0)
    return g_strdup ("");
  got = g_format_size (received);
  if (expected < 0 || (guint64) expected == received)
    return g_steal_pointer (&got);
  total = g_format_size ((guint64) expected);
  /* Translators: bytes received “of” the expected size, e.g. “12 kB of 40 kB” */
  return g_strdup_printf (_("%s of %s"), got, total);
}

const char *
fb_format_kind (FbJobKind kind)
{
  switch (kind)
    {
    case FB_JOB_KIND_PROBE:
      return C_("job kind", "Probe");
    case FB_JOB_KIND_DOWNLOAD:
      return C_("job kind", "Download");
    case FB_JOB_KIND_CATALOG:
      return C_("job kind", "Catalog");
    default:
      return "";
    }
}

const char *
fb_format_job_state (FbJob *job)
{
  gboolean metadata;

  switch (fb_job_get_state (job))
    {
    case FB_JOB_STATE_OK:
      if (fb_job_get_kind (job) == FB_JOB_KIND_PROBE)
        return C_("job state", "Found");
      return C_("job state", "Saved");
    case FB_JOB_STATE_NOT_FOUND:
      return C_("job state", "Not found");
    case FB_JOB_STATE_ERROR:
      return C_("job state", "Error");
    case FB_JOB_STATE_CANCELLED:
      return C_("job state", "Cancelled");
    case FB_JOB_STATE_PENDING:
    default:
      break;
    }

  /* A catalog job goes round again, image in hand, for its metadata. */
  metadata = fb_job_get_kind (job) == FB_JOB_KIND_CATALOG && fb_job_get_bytes_received (job) > 0;

  switch (fb_job_get_phase (job))
    {
    case FB_JOB_PHASE_QUEUED:
      return C_("job state", "Queued");
    case FB_JOB_PHASE_WAITING:
      if (metadata)
        return C_("job state", "Waiting (metadata)");
      return C_("job state", "Waiting");
    case FB_JOB_PHASE_HOST_WAIT:
      return C_("job state", "Waiting for host");
    case FB_JOB_PHASE_RETRY_WAIT:
      return C_("job state", "Waiting to retry");
    case FB_JOB_PHASE_RESOLVING:
      return C_("job state", "Resolving");
    case FB_JOB_PHASE_CONNECTING:
    case FB_JOB_PHASE_TLS:
      if (metadata)
        return C_("job state", "Connecting (metadata)");
      return C_("job state", "Connecting");
    case FB_JOB_PHASE_FIRST_BYTE:
      if (metadata)
        return C_("job state", "Requested (metadata)");
      return C_("job state", "Requested");
    case FB_JOB_PHASE_TRANSFERRING:
      if (metadata)
        return C_("job state", "Downloading (metadata)");
      return C_("job state", "Downloading");
    case FB_JOB_PHASE_SAVING:
      return C_("job state", "Saving");
    case FB_JOB_PHASE_DONE:
    default:
      return C_("job state", "Finished");
    }
}

const char *
fb_format_job_icon (FbJob *job)
{
  switch (fb_job_get_state (job))
    {
    case FB_JOB_STATE_OK:
      return "emblem-ok-symbolic";
    case FB_JOB_STATE_NOT_FOUND:
      return "action-unavailable-symbolic";
    case FB_JOB_STATE_ERROR:
      return "dialog-error-symbolic";
    case FB_JOB_STATE_CANCELLED:
      return "process-stop-symbolic";
    case FB_JOB_STATE_PENDING:
    default:
      break;
    }

  switch (fb_job_get_phase (job))
    {
    case FB_JOB_PHASE_QUEUED:
      return "view-list-symbolic";
    case FB_JOB_PHASE_WAITING:
    case FB_JOB_PHASE_HOST_WAIT:
    case FB_JOB_PHASE_RETRY_WAIT:
      return "preferences-system-time-symbolic";
    case FB_JOB_PHASE_RESOLVING:
      return "network-server-symbolic";
    case FB_JOB_PHASE_CONNECTING:
    case FB_JOB_PHASE_TLS:
    case FB_JOB_PHASE_FIRST_BYTE:
      return "network-transmit-symbolic";
    case FB_JOB_PHASE_TRANSFERRING:
      return "go-down-symbolic";
    case FB_JOB_PHASE_SAVING:
      return "document-save-symbolic";
    case FB_JOB_PHASE_DONE:
    default:
      return "emblem-default-symbolic";
    }
}

const char *
fb_format_job_style (FbJob *job)
{
  switch (fb_job_get_state (job))
    {
    case FB_JOB_STATE_OK:
      return "success";
    case FB_JOB_STATE_NOT_FOUND:
      return "warning";
    case FB_JOB_STATE_ERROR:
      return "error";
    case FB_JOB_STATE_CANCELLED:
      return "dim-label";
    case FB_JOB_STATE_PENDING:
    default:
      break;
    }

  switch (fb_job_get_phase (job))
    {
    case FB_JOB_PHASE_QUEUED:
    case FB_JOB_PHASE_WAITING:
    case FB_JOB_PHASE_HOST_WAIT:
    case FB_JOB_PHASE_RETRY_WAIT:
      return "dim-label";
    case FB_JOB_PHASE_RESOLVING:
    case FB_JOB_PHASE_CONNECTING:
    case FB_JOB_PHASE_TLS:
    case FB_JOB_PHASE_FIRST_BYTE:
    case FB_JOB_PHASE_TRANSFERRING:
    case FB_JOB_PHASE_SAVING:
      return "accent";
    case FB_JOB_PHASE_DONE:
    default:
      return NULL;
    }
}

static gint64
lookup_time (FbJob *job)
{
  gint64 start = fb_job_get_phase_time (job, FB_JOB_PHASE_RESOLVING);
  gint64 end = fb_job_get_phase_time (job, FB_JOB_PHASE_DONE);

  if (start == 0 || end < start)
    return -1;
  return end - start;
}

char *
fb_format_queue_place (guint place)
{
  g_autofree char *n = fb_format_count (place);

  /* English ordinals; other languages translate each the same way. */
  if (place % 10 == 1 && place % 100 != 11)
    /* Translators: a job's place in the queue, "1st in line"; %s is a number */
    return g_strdup_printf (C_("queue place", "%sst in line"), n);
  if (place % 10 == 2 && place % 100 != 12)
    /* Translators: a job's place in the queue, "2nd in line"; %s is a number */
    return g_strdup_printf (C_("queue place", "%snd in line"), n);
  if (place % 10 == 3 && place % 100 != 13)
    /* Translators: a job's place in the queue, "3rd in line"; %s is a number */
    return g_strdup_printf (C_("queue place", "%srd in line"), n);
  /* Translators: a job's place in the queue, "12th in line"; %s is a number */
  return g_strdup_printf (C_("queue place", "%sth in line"), n);
}

/* Whole seconds still to wait, rounded up: a countdown never shows 0 s
 * while it waits. */
static guint
seconds_left (gint64 until,
              gint64 now)
{
  return until > now ? (guint) ((until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
}

char *
fb_format_job_wait (FbJob  *job,
                    gint64  now)
{
  const char *host;
  guint active;
  guint limit;
  gint64 hold_until;
  guint place;

  g_return_val_if_fail (FB_IS_JOB (job), NULL);

  if (fb_job_is_final (job))
    return NULL;

  switch (fb_job_get_phase (job))
    {
    case FB_JOB_PHASE_QUEUED:
    case FB_JOB_PHASE_WAITING:
      place = fb_job_get_queue_place (job);
      return place > 0 ? fb_format_queue_place (place) : NULL;

    case FB_JOB_PHASE_HOST_WAIT:
      if (!fb_job_get_host_wait (job, &host, &active, &limit, &hold_until))
        return NULL;
      if (hold_until > now)
        {
          /* The hold's end on the wall clock, as a person reads it. */
          g_autoptr(GDateTime) wall = g_date_time_new_now_local ();
          g_autoptr(GDateTime) end = g_date_time_add (wall, hold_until - now);
          g_autofree char *clock = g_date_time_format (end, "%X");

          /* Translators: a host answered Retry-After; "%s" the host, then the
           * time of day it may be asked again, then the seconds left */
          return g_strdup_printf (_("%s asked to wait until %s (Retry-After, %u s)"), host, clock,
                                  seconds_left (hold_until, now));
        }
      if (limit > 0)
        /* Translators: a job waits for its host: the host, then how many of
         * its jobs run and the per-host limit */
        return g_strdup_printf (_("Waiting for %s: %u of %u at once"), host, active, limit);
      /* Translators: a job waits for its host */
      return g_strdup_printf (_("Waiting for %s"), host);

    case FB_JOB_PHASE_RETRY_WAIT:
      if (fb_job_get_n_retries (job) > 0)
        {
          const FbJobRetry *retry = fb_job_get_retry (job, fb_job_get_n_retries (job) - 1);
          gint64 due = retry->at + (gint64) (retry->wait * G_USEC_PER_SEC);

          /* Translators: "retry 2 of 3 in 4 s: connection lost"; a countdown */
          return g_strdup_printf (_("retry %u of %u in %u s: %s"), retry->number, retry->max,
                                  seconds_left (due, now), retry->reason);
        }
      return NULL;

    case FB_JOB_PHASE_RESOLVING:
    case FB_JOB_PHASE_CONNECTING:
    case FB_JOB_PHASE_TLS:
    case FB_JOB_PHASE_FIRST_BYTE:
    case FB_JOB_PHASE_TRANSFERRING:
    case FB_JOB_PHASE_SAVING:
    case FB_JOB_PHASE_DONE:
    default:
      return NULL;
    }
}

char *
fb_format_job_message (FbJob *job)
{
  const char *message = fb_job_get_message (job);
  FbJobState state = fb_job_get_state (job);

  if (message == NULL)
    message = "";

  /* Not started yet, or between two attempts: why it waits. */
  if (state == FB_JOB_STATE_PENDING)
    {
      char *wait = fb_format_job_wait (job, g_get_monotonic_time ());

      if (wait != NULL)
        return wait;
    }

  switch (fb_job_get_kind (job))
    {
    case FB_JOB_KIND_PROBE:
      if (state == FB_JOB_STATE_OK || state == FB_JOB_STATE_NOT_FOUND)
        {
          const char *addresses = fb_job_get_addresses (job);
          gint64 usec = lookup_time (job);
          g_autofree char *took = usec >= 0 ? fb_format_duration (usec) : NULL;
          const char *what = state == FB_JOB_STATE_OK && addresses != NULL && *addresses != '\0'
                             ? addresses : message;

          if (took != NULL)
            /* Translators: a probe result, then how long the lookup took */
            return g_strdup_printf (_("%s (lookup %s)"), what, took);
          return g_strdup (what);
        }
      break;

    case FB_JOB_KIND_CATALOG:
      if (state == FB_JOB_STATE_OK && fb_job_get_saved_path (job) != NULL)
        {
          g_autofree char *base = g_path_get_basename (fb_job_get_saved_path (job));

          /* Translators: the file a flag was saved as */
          return g_strdup_printf (_("Saved as %s"), base);
        }
      break;

    case FB_JOB_KIND_DOWNLOAD:
    default:
      break;
    }

  return g_strdup (message);
}

/* The state and the full reason, each said once: the reason often names
 * the state and the status already ("Not found (HTTP 404): URL"). */
char *
fb_format_job_reason (FbJob *job)
{
  g_autofree char *message = fb_format_job_message (job);
  const char *state = fb_format_job_state (job);
  guint status = fb_job_get_http_status (job);
  g_autofree char *status_text = NULL;
  GString *text = g_string_new (NULL);

  if (status != 0)
    status_text = g_strdup_printf ("%u", status);

  if (*message != '\0' && g_ascii_strncasecmp (message, state, strlen (state)) == 0)
    g_string_append (text, message);
  else
    {
      g_string_append (text, state);
      if (status_text != NULL && strstr (message, status_text) == NULL)
        /* Translators: the HTTP status code of the last response */
        g_string_append_printf (text, _(" (HTTP %u)"), status);
      if (*message != '\0')
        g_string_append_printf (text, ": %s", message);
    }
  return g_string_free (text, FALSE);
}

char *
fb_format_job_tooltip (FbJob *job)
{
  g_autofree char *reason = fb_format_job_reason (job);
  g_autofree char *input = fb_url_for_display (fb_job_get_input (job));
  g_autofree char *url = fb_url_for_display (fb_job_get_url (job));
  GString *text = g_string_new (input);

  g_string_append_printf (text, "\n%s", reason);
  /* A reason that names a URL (a failed metadata.json) says which one. */
  if (url != NULL && g_strcmp0 (url, input) != 0 && strstr (reason, "://") == NULL)
    g_string_append_printf (text, "\n%s", url);
  for (guint i = 0; i < fb_job_get_n_retries (job); i++)
    {
      g_autofree char *retry = fb_job_retry_to_string (fb_job_get_retry (job, i));

      g_string_append_printf (text, "\n%s", retry);
    }
  if (fb_job_get_source (job) != NULL)
    /* Translators: where a list entry came from: file name and line number */
    g_string_append_printf (text, _("\nFrom %s, line %u"), fb_job_get_source (job),
                            fb_job_get_source_line (job));
  return g_string_free (text, FALSE);
}

char *
fb_format_run_counts (FbRun *run)
{
  guint ok = fb_run_get_n_ok (run);
  guint not_found = fb_run_get_n_not_found (run);
  guint errors = fb_run_get_n_error (run);
  guint cancelled = fb_run_get_n_cancelled (run);
  g_autofree char *ok_text = g_strdup_printf (ngettext ("%u OK", "%u OK", ok), ok);
  g_autofree char *nf_text = g_strdup_printf (ngettext ("%u not found", "%u not found",
                                                        not_found), not_found);
  g_autofree char *err_text = g_strdup_printf (ngettext ("%u error", "%u errors", errors),
                                               errors);
  g_autofree char *can_text = g_strdup_printf (ngettext ("%u cancelled", "%u cancelled",
                                                         cancelled), cancelled);

  return g_strjoin (", ", ok_text, nf_text, err_text, can_text, NULL);
}

char *
fb_format_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize len = strlen (home);

  if (path == NULL)
    return g_strdup ("");
  if (len > 1 && g_str_has_prefix (path, home) && (path[len] == '/' || path[len] == '\0'))
    return g_strconcat ("~", path + len, NULL);
  return g_strdup (path);
}

char *
fb_format_count (guint n)
{
  /* glibc's printf groups digits by LC_NUMERIC with the ' flag. */
  return g_strdup_printf ("%'u", n);
}

static const char *
country_name (FbJob *job)
{
  const FbCountry *country = fb_countries_lookup (fb_job_get_input (job));

  if (country != NULL)
    return fb_countries_display_name (country);
  return fb_job_get_country (job);
}

char *
fb_format_job_name (FbJob *job)
{
  const char *name = NULL;

  g_return_val_if_fail (FB_IS_JOB (job), NULL);

  if (fb_job_get_kind (job) == FB_JOB_KIND_CATALOG)
    name = country_name (job);
  /* A URL's password is never shown. */
  if (name == NULL)
    return fb_url_for_display (fb_job_get_input (job));
  /* Translators: a country code, then the country's name: “BR · Brazil” */
  return g_strdup_printf (_("%s · %s"), fb_job_get_input (job), name);
}

const char *
fb_format_phase (FbJobPhase phase)
{
  switch (phase)
    {
    case FB_JOB_PHASE_QUEUED:
      return _("Queued");
    case FB_JOB_PHASE_WAITING:
      return _("Waiting for a slot");
    case FB_JOB_PHASE_HOST_WAIT:
      return _("Waiting for its host");
    case FB_JOB_PHASE_RETRY_WAIT:
      return _("Waiting to retry");
    case FB_JOB_PHASE_RESOLVING:
      return _("Looking up the host");
    case FB_JOB_PHASE_CONNECTING:
      return _("Connecting");
    case FB_JOB_PHASE_TLS:
      return _("TLS handshake");
    case FB_JOB_PHASE_FIRST_BYTE:
      return _("Waiting for the first byte");
    case FB_JOB_PHASE_TRANSFERRING:
      return _("Transferring");
    case FB_JOB_PHASE_SAVING:
      return _("Saving");
    case FB_JOB_PHASE_DONE:
    default:
      return _("Done");
    }
}

double
fb_format_job_rate (FbJob *job)
{
  gint64 elapsed = fb_job_get_elapsed (job);

  if (elapsed <= 0 || fb_job_get_bytes_received (job) == 0)
    return 0.0;
  return fb_job_get_bytes_received (job) * (double) G_USEC_PER_SEC / (double) elapsed;
}

char *
fb_format_job_speed (FbJob *job)
{
  FbJobPhase phase = fb_job_get_phase (job);

  /* Over the whole time with a slot, as Elapsed shows it: 3.0 kB in 922 ms
   * is 3.3 kB/s, not the 692.9 kB/s of its last few milliseconds. */
  if (fb_job_get_state (job) == FB_JOB_STATE_OK ||
      (!fb_job_is_final (job) && (phase == FB_JOB_PHASE_TRANSFERRING ||
                                  phase == FB_JOB_PHASE_SAVING)))
    return fb_format_speed (fb_format_job_rate (job));
  return g_strdup ("");
}

static int
text_width (PangoLayout *layout,
            const char  *text)
{
  int width;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

char *
fb_format_url_to_fit (PangoLayout *layout,
                      const char  *url,
                      int          width)
{
  const char *host;
  const char *path;
  const char *last;
  g_autofree char *prefix = NULL;
  g_autofree char *best = NULL;
  g_auto(GStrv) segments = NULL;
  guint n_segments;

  g_return_val_if_fail (PANGO_IS_LAYOUT (layout), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  pango_layout_set_width (layout, -1);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_NONE);
  if (text_width (layout, url) <= width || (host = strstr (url, "://")) == NULL)
    return g_strdup (url);
  host += 3;
  path = strchr (host, '/');
  last = path != NULL ? strrchr (path, '/') : NULL;
  if (path == NULL || last == path)
    return g_strdup (url);

  /* scheme://host/…/file, then with as many of the first folders as fit;
   * without the scheme when even that is too long. */
  prefix = g_strndup (url, path - url);
  best = g_strconcat (prefix, "/…", last, NULL);
  if (text_width (layout, best) > width)
    {
      g_autofree char *bare = g_strndup (host, path - host);

      g_free (best);
      best = g_strconcat (bare, "/…", last, NULL);
      return g_steal_pointer (&best);
    }
  segments = g_strsplit (path + 1, "/", -1);
  n_segments = g_strv_length (segments);
  for (guint n = 1; n + 1 < n_segments; n++)
    {
      GString *text = g_string_new (prefix);

      for (guint i = 0; i < n; i++)
        g_string_append_printf (text, "/%s", segments[i]);
      g_string_append_printf (text, "/…%s", last);
      if (text_width (layout, text->str) > width)
        {
          g_string_free (text, TRUE);
          break;
        }
      g_free (best);
      best = g_string_free (text, FALSE);
    }
  return g_steal_pointer (&best);
}
