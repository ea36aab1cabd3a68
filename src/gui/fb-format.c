/* fb-format.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-format"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

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
      if (metadata)
        return C_("job state", "Connecting (metadata)");
      return C_("job state", "Connecting");
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
fb_format_job_message (FbJob *job)
{
  const char *message = fb_job_get_message (job);
  FbJobState state = fb_job_get_state (job);

  if (message == NULL)
    message = "";

  /* Between two attempts: which retry, when, and why. */
  if (state == FB_JOB_STATE_PENDING && fb_job_get_phase (job) == FB_JOB_PHASE_RETRY_WAIT &&
      fb_job_get_n_retries (job) > 0)
    return fb_job_retry_to_string (fb_job_get_retry (job, fb_job_get_n_retries (job) - 1));

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
      if (state == FB_JOB_STATE_OK && fb_job_get_country (job) != NULL)
        {
          const char *saved = fb_job_get_saved_path (job);
          g_autofree char *base = saved != NULL ? g_path_get_basename (saved) : NULL;

          if (base != NULL)
            /* Translators: a country name, then the file it was saved as */
            return g_strdup_printf (_("%s — saved as %s"), fb_job_get_country (job), base);
          return g_strdup (fb_job_get_country (job));
        }
      break;

    case FB_JOB_KIND_DOWNLOAD:
    default:
      break;
    }

  return g_strdup (message);
}

char *
fb_format_job_tooltip (FbJob *job)
{
  g_autofree char *message = fb_format_job_message (job);
  g_autofree char *input = fb_url_for_display (fb_job_get_input (job));
  g_autofree char *url = fb_url_for_display (fb_job_get_url (job));
  GString *text = g_string_new (input);

  g_string_append_printf (text, "\n%s", fb_format_job_state (job));
  if (fb_job_get_http_status (job) != 0)
    /* Translators: the HTTP status code of the last response */
    g_string_append_printf (text, _(" (HTTP %u)"), fb_job_get_http_status (job));
  if (*message != '\0')
    g_string_append_printf (text, ": %s", message);
  if (url != NULL && g_strcmp0 (url, input) != 0)
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
