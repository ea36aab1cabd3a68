/* fb-run-attempt.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One job under way (a Runner): it starts its attempt with a slot held,
 * gives the slot back, ends in a final state with its partial file cleaned
 * up first, or waits out a back-off and goes back to the queue for another
 * attempt.
 */

#define G_LOG_DOMAIN "fb-run"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "fb-job-private.h"
#include "fb-retry.h"
#include "fb-run-private.h"

/* ---- runners: one job under way ---- */

static Runner *
runner_new (FbRun *self,
            FbJob *job)
{
  Runner *runner = g_hash_table_lookup (self->runners, job);

  if (runner != NULL)
    {
      /* The next attempt of a job that is waiting to be retried. */
      g_assert (runner->queued);
      runner->queued = FALSE;
      runner->holds_slot = TRUE;
      return runner;
    }
  runner = g_new0 (Runner, 1);
  runner->run = g_object_ref (self);
  runner->job = g_object_ref (job);
  /* A probe is cancelled through the prober: a cancellable of its own
   * (a GObject made and freed a job, 10,000 a second) only if it waits
   * for a retry. */
  if (fb_job_get_kind (job) != FB_JOB_KIND_PROBE)
    runner->cancel = g_object_ref (_fb_job_get_cancellable (job));
  runner->holds_slot = TRUE;
  g_hash_table_insert (self->runners, job, runner);
  return runner;
}

void
_fb_run_runner_release_slot (Runner *runner)
{
  if (!runner->holds_slot)
    return;
  runner->holds_slot = FALSE;
  if (_fb_run_pass_slot (runner->run))
    return;
  fb_semaphore_release (runner->run->semaphore);
  /* The slot may go straight to the next queued job. */
  _fb_run_pump (runner->run);
}

static GCancellable *
runner_get_cancel (Runner *runner)
{
  if (runner->cancel == NULL)
    {
      runner->cancel = g_object_ref (_fb_job_get_cancellable (runner->job));
      if (runner->cancelled)
        g_cancellable_cancel (runner->cancel);
    }
  return runner->cancel;
}

static gboolean
runner_is_cancelled (Runner *runner)
{
  return runner->cancelled || g_cancellable_is_cancelled (runner->cancel);
}

void
_fb_run_runner_cancel (Runner *runner)
{
  runner->cancelled = TRUE;
  /* The lookup first: it only posts, while the cancellable's handlers may
   * run anything. */
  if (runner->lookup != NULL)
    fb_prober_cancel (runner->run->prober, runner->lookup);
  if (runner->cancel != NULL)
    g_cancellable_cancel (runner->cancel);
}

/* Ends the attempt: the slot goes back first, then the final state. */
void
_fb_run_runner_finish (Runner     *runner,
                       FbJobState  state,
                       const char *message)
{
  FbRun *self = runner->run;

  g_assert (runner->part == NULL);
  g_assert (runner->retry_timer == NULL);
  _fb_run_runner_release_slot (runner);
  if (runner->loose_save)
    self->n_loose_saves--;
  _fb_run_host_leave (runner);
  g_hash_table_steal (self->runners, runner->job);
  _fb_run_finish_job (self, runner->job, state, message);

  g_clear_error (&runner->error);
  g_free (runner->final_name);
  g_clear_object (&runner->cancel);
  g_object_unref (runner->job);
  g_free (runner);
  _fb_run_pump (self);
  g_object_unref (self);
}

static FbJobState
state_for_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FB_JOB_STATE_CANCELLED;
  if (g_error_matches (error, FB_FETCH_ERROR, FB_FETCH_ERROR_NOT_FOUND) ||
      g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    return FB_JOB_STATE_NOT_FOUND;
  return FB_JOB_STATE_ERROR;
}

static void
runner_fail (Runner       *runner,
             const GError *error)
{
  FbJobState state = state_for_error (error);

  if (state != FB_JOB_STATE_CANCELLED)
    _fb_job_set_error (runner->job, error);
  _fb_run_runner_finish (runner, state,
                         state == FB_JOB_STATE_CANCELLED ? _("Cancelled") : error->message);
}

static void
abort_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Runner *runner = user_data;
  g_autoptr(GError) error = g_steal_pointer (&runner->error);

  fb_part_file_abort_finish (runner->part, result);
  g_clear_pointer (&runner->part, fb_part_file_free);
  runner_fail (runner, error);
}

static gboolean maybe_retry (Runner *runner,
                             GError *error);

/* A suspended run's download: what it wrote is on disk, the file stays. */
static void
keep_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Runner *runner = user_data;
  g_autoptr(GError) error = g_steal_pointer (&runner->error);

  /* A failed write still leaves a prefix of the body: it is kept all the
   * same, and a later process continues from its size. */
  fb_part_file_flush_finish (runner->part, result, NULL);
  fb_part_file_keep (runner->part);
  g_clear_pointer (&runner->part, fb_part_file_free);
  runner_fail (runner, error);
}

static gboolean
keeps_part (Runner       *runner,
            const GError *error)
{
  return runner->run->suspended && runner->part != NULL
         && fb_job_get_kind (runner->job) == FB_JOB_KIND_DOWNLOAD
         && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         && fb_part_file_get_size (runner->part) > 0;
}

/* An error or a cancel: the partial file goes before the final state is
 * reported, so nothing half-written is ever left behind a final job. A
 * transient failure with retries left waits and goes again instead. A
 * download stopped by fb_run_suspend keeps its part, flushed. */
void
_fb_run_runner_fail_and_clean (Runner *runner,
                               GError *error)
{
  if (maybe_retry (runner, error))
    return;
  if (runner->part == NULL)
    {
      runner_fail (runner, error);
      g_error_free (error);
      return;
    }
  runner->error = error;
  if (keeps_part (runner, error))
    fb_part_file_flush_async (runner->part, NULL, keep_cb, runner);
  else
    fb_part_file_abort_async (runner->part, abort_cb, runner);
}

static void
commit_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Runner *runner = user_data;
  GError *error = NULL;
  g_autofree char *path = fb_part_file_commit_finish (runner->part, result, &error);
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;

  if (path == NULL)
    {
      _fb_run_runner_fail_and_clean (runner, error);
      return;
    }

  g_clear_pointer (&runner->part, fb_part_file_free);
  _fb_job_set_saved_path (runner->job, path);
  name = g_path_get_basename (path);
  /* Translators: %s is a file name */
  message = g_strdup_printf (_("Saved as %s"), name);
  _fb_run_runner_finish (runner, FB_JOB_STATE_OK, message);
}

void
_fb_run_runner_commit (Runner *runner)
{
  _fb_job_set_phase (runner->job, FB_JOB_PHASE_SAVING);
  fb_part_file_commit_async (runner->part, runner->final_name, NULL, commit_cb, runner);
}

/* Called with a slot held for @job. */
void
_fb_run_start_job (FbRun *self,
                   FbJob *job)
{
  Runner *runner = runner_new (self, job);

  _fb_run_host_enter (runner);
  switch (fb_job_get_kind (job))
    {
    case FB_JOB_KIND_PROBE:
      _fb_run_start_probe (runner);
      break;
    case FB_JOB_KIND_DOWNLOAD:
      _fb_run_start_download (runner);
      break;
    case FB_JOB_KIND_CATALOG:
      _fb_run_start_catalog (runner);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- retries ---- */

static void
retry_detach (Runner *runner)
{
  if (runner->cancel_id != 0)
    g_cancellable_disconnect (runner->cancel, runner->cancel_id);
  runner->cancel_id = 0;
  if (runner->retry_timer != NULL)
    {
      g_source_destroy (runner->retry_timer);
      g_clear_pointer (&runner->retry_timer, g_source_unref);
    }
}

static gboolean
retry_timer_cb (gpointer user_data)
{
  Runner *runner = user_data;
  FbRun *self = runner->run;

  retry_detach (runner);
  if (runner_is_cancelled (runner))
    {
      _fb_run_runner_fail_and_clean (runner, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                  _("Cancelled")));
      return G_SOURCE_REMOVE;
    }
  /* At the head: a job under way goes on before the ones not yet started. */
  _fb_job_begin_attempt (runner->job);
  runner->queued = TRUE;
  _fb_run_queue_push (self, g_object_ref (runner->job), TRUE);
  _fb_job_set_phase (runner->job, FB_JOB_PHASE_WAITING);
  _fb_run_set_waiting (self, self->n_waiting + 1);
  _fb_run_pump (self);
  return G_SOURCE_REMOVE;
}

/* A cancel during the back-off ends the wait now (from the timer, not
 * inside whatever code cancelled). */
static void
retry_cancelled_cb (GCancellable *cancellable,
                    Runner       *runner)
{
  if (runner->retry_timer != NULL)
    g_source_set_ready_time (runner->retry_timer, 0);
}

static void
retry_wait (Runner *runner,
            double  wait)
{
  runner->retry_timer = g_timeout_source_new ((guint) MIN (wait * 1000, (double) G_MAXUINT));
  g_source_set_callback (runner->retry_timer, retry_timer_cb, runner, NULL);
  g_source_set_name (runner->retry_timer, "[fetchboard] retry back-off");
  g_source_attach (runner->retry_timer, NULL);
  runner->cancel_id = g_cancellable_connect (runner_get_cancel (runner),
                                             G_CALLBACK (retry_cancelled_cb), runner, NULL);
}

static void
retry_abort_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Runner *runner = user_data;

  fb_part_file_abort_finish (runner->part, result);
  g_clear_pointer (&runner->part, fb_part_file_free);
  retry_wait (runner, runner->retry_wait_s);
}

/* Decides on a retry for a failed attempt; TRUE when one is under way
 * (and @error was taken). */
static gboolean
maybe_retry (Runner *runner,
             GError *error)
{
  FbRun *self = runner->run;
  FbJob *job = runner->job;
  guint status = fb_job_get_http_status (job);
  guint n = fb_job_get_n_retries (job);
  g_autofree char *reason = NULL;
  g_autoptr(GDateTime) now = NULL;
  double wait;
  double after;

  if (self->retries == 0 || n >= self->retries || runner_is_cancelled (runner))
    return FALSE;
  if (runner->host != NULL && status != 0)
    fb_hosts_set_answered (self->hosts, runner->host);
  if (!fb_retry_is_transient (error, status,
                              runner->host != NULL &&
                              fb_hosts_get_answered (self->hosts, runner->host)))
    return FALSE;

  wait = fb_retry_backoff (n + 1, self->retry_delay, NULL);
  if ((status == 429 || status == 503) &&
      (now = g_date_time_new_now_utc ()) != NULL &&
      fb_retry_parse_retry_after (_fb_job_get_retry_after (job), now, &after))
    {
      /* The server named its time: every job to it waits, not only this one. */
      wait = MAX (wait, after);
      if (runner->host != NULL)
        fb_hosts_hold (self->hosts, runner->host,
                       g_get_monotonic_time () + (gint64) (after * G_USEC_PER_SEC));
    }
  reason = fb_retry_describe (error, status);
  g_error_free (error);

  _fb_run_runner_release_slot (runner);
  if (runner->loose_save)
    {
      runner->loose_save = FALSE;
      self->n_loose_saves--;
    }
  _fb_run_host_leave (runner);
  _fb_job_add_retry (job, self->retries, wait, reason);
  _fb_job_set_phase (job, FB_JOB_PHASE_RETRY_WAIT);
  _fb_run_emit_job_retrying (self, job, n);

  runner->retry_timer = NULL;
  if (runner->part != NULL && fb_job_get_kind (job) == FB_JOB_KIND_CATALOG)
    {
      /* A catalog job starts over: its part may hold a whole image already. */
      runner->retry_wait_s = wait;
      fb_part_file_abort_async (runner->part, retry_abort_cb, runner);
      return TRUE;
    }
  /* A download keeps NAME.part: the next attempt asks for the rest. */
  retry_wait (runner, wait);
  return TRUE;
}
