/* fb-run-schedule.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Who starts next: the queue takes free slots in order (one pending
 * acquire waits for the whole queue), and a job whose host is at its
 * per-host limit or held by Retry-After waits in that host's queue,
 * without a slot, until the host lets it in.
 */

#define G_LOG_DOMAIN "fb-run"

#include "config.h"

#include "fb-hosts.h"
#include "fb-job-private.h"
#include "fb-run-private.h"
#include "fb-turn.h"

#define PUMP_BATCH 64

/* Queued probes whose names the prober is told while the run waits for
 * slots (fb_prober_look_ahead). */
#define LOOK_AHEAD 64

/* ---- the queue: jobs take slots in the order they were added ---- */

static FbJob *
peek_next (FbRun *self)
{
  FbJob *job;

  /* A job cancelled while queued leaves the queue at once; this only
   * guards the order of operations in fb_run_cancel. */
  while ((job = g_queue_peek_head (&self->queue)) != NULL && fb_job_is_final (job))
    g_object_unref (_fb_run_queue_pop (self));
  return job;
}

/* While every slot is taken, the prober learns the names of the next
 * queued probes: a resolver thread that finishes a lookup asks the next
 * name at once, instead of sleeping until the main loop has handed the
 * slot on and woken it. The count is only a guess at which jobs were
 * announced (a retry put back at the head shifts it): a name announced
 * twice or not at all costs a lookup or a wake-up, never an answer. */
static void
look_ahead (FbRun *self)
{
  guint depth;
  FbJob *job;

  if (self->prober == NULL || !self->acquiring || !self->running)
    return;
  depth = MIN (fb_semaphore_get_limit (self->semaphore), LOOK_AHEAD);
  while (self->n_ahead < depth && (job = g_queue_peek_nth (&self->queue, self->n_ahead)) != NULL)
    {
      self->n_ahead++;
      if (fb_job_get_kind (job) == FB_JOB_KIND_PROBE && !fb_job_is_final (job))
        fb_prober_look_ahead (self->prober, fb_job_get_input (job));
    }
}

static void
take_next (FbRun *self)
{
  FbJob *job = _fb_run_queue_pop (self);

  if (self->n_ahead > 0)
    self->n_ahead--;
  _fb_run_set_waiting (self, self->n_waiting - 1);
  _fb_run_start_job (self, job);
  g_object_unref (job);
  look_ahead (self);
}

static void
pump_acquired_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(FbRun) self = user_data;

  self->acquiring = FALSE;
  if (!fb_semaphore_acquire_finish (FB_SEMAPHORE (source), result, NULL))
    return;

  while (self->running && peek_next (self) != NULL && _fb_run_host_blocks_head (self))
    ;
  if (!self->running || peek_next (self) == NULL)
    {
      fb_semaphore_release (self->semaphore);
      return;
    }
  take_next (self);
  _fb_run_pump (self);
}

/* Starts queued jobs while slots are free; otherwise one waits in the
 * semaphore on behalf of the whole queue, so 100,000 queued jobs cost a
 * pointer each, not a pending operation each. */
static gboolean
pump_idle_cb (gpointer user_data)
{
  FbRun *self = user_data;

  self->pump_idle = 0;
  _fb_run_pump (self);
  return G_SOURCE_REMOVE;
}

void
_fb_run_pump (FbRun *self)
{
  guint started = 0;

  while (self->running && peek_next (self) != NULL)
    {
      /* Starting 1000 jobs takes ~20 ms: do it in bites, so a window
       * sharing the main loop still gets its frames. */
      if (started++ == PUMP_BATCH)
        {
          if (self->pump_idle == 0)
            self->pump_idle = g_idle_add_full (G_PRIORITY_DEFAULT, pump_idle_cb, self, NULL);
          return;
        }
      if (_fb_run_host_blocks_head (self))
        continue;
      /* A burst of freed slots (a thousand timeouts due at once) starts
       * its jobs over several turns. */
      if (!fb_turn_grant ())
        {
          if (self->pump_idle == 0)
            self->pump_idle = g_idle_add_full (G_PRIORITY_DEFAULT, pump_idle_cb, self, NULL);
          return;
        }
      if (!fb_semaphore_try_acquire (self->semaphore))
        {
          if (!self->acquiring)
            {
              self->acquiring = TRUE;
              fb_semaphore_acquire_async (self->semaphore, self->pump_cancel,
                                          pump_acquired_cb, g_object_ref (self));
            }
          look_ahead (self);
          return;
        }
      take_next (self);
    }
}

/* A job gives back its slot while the run waits in the semaphore for the
 * next one, with no one else waiting there: the semaphore would hand the
 * slot straight back to the run, so the next queued job takes it here,
 * without the release, the waiter's task and its cancel source (a
 * round of them per job when jobs are short: a probe of 10,000 names).
 * Returns FALSE when the slot must go back to the semaphore. */
gboolean
_fb_run_pass_slot (FbRun *self)
{
  FbSemaphore *semaphore = self->semaphore;

  if (!self->acquiring || fb_semaphore_get_waiting (semaphore) != 1 ||
      fb_semaphore_get_active (semaphore) > fb_semaphore_get_limit (semaphore))
    return FALSE;
  while (self->running && peek_next (self) != NULL && _fb_run_host_blocks_head (self))
    ;
  if (!self->running || peek_next (self) == NULL || !fb_turn_grant ())
    return FALSE;
  take_next (self);
  return TRUE;
}

void
_fb_run_enqueue (FbRun *self,
                 FbJob *job)
{
  _fb_run_queue_push (self, g_object_ref (job), FALSE);
  if (self->running)
    _fb_job_set_phase (job, FB_JOB_PHASE_WAITING);
}

/* ---- hosts: the per-host limit and Retry-After holds ---- */

/* Hosts are tracked only when something depends on them: a per-host
 * limit, or retries (holds, and whether a host ever answered). */
gboolean
_fb_run_tracks_hosts (FbRun *self)
{
  return fb_hosts_get_limit (self->hosts) > 0 || self->retries > 0;
}

char *
_fb_run_job_host_key (FbRun *self,
                      FbJob *job)
{
  switch (fb_job_get_kind (job))
    {
    case FB_JOB_KIND_DOWNLOAD:
      return fb_hosts_key (fb_job_get_input (job));
    case FB_JOB_KIND_CATALOG:
      return self->base_url != NULL ? fb_hosts_key (self->base_url) : NULL;
    case FB_JOB_KIND_PROBE:
    default:
      return NULL;
    }
}

static void arm_hold_timer (FbRun  *self,
                            gint64  until);

/* The head of the queue may not start on its host now: it waits in the
 * host's own queue, without a slot, and says so. */
gboolean
_fb_run_host_blocks_head (FbRun *self)
{
  FbJob *job = g_queue_peek_head (&self->queue);
  g_autofree char *key = NULL;
  gint64 until = 0;

  if (!fb_hosts_is_gating (self->hosts))
    return FALSE;
  key = _fb_run_job_host_key (self, job);
  if (key == NULL || fb_hosts_can_enter (self->hosts, key, g_get_monotonic_time (), &until))
    return FALSE;
  fb_hosts_push_waiter (self->hosts, key, _fb_run_queue_pop (self));
  _fb_job_wait_for_host (job, self->places, key);
  _fb_job_set_phase (job, FB_JOB_PHASE_HOST_WAIT);
  if (until != 0)
    arm_hold_timer (self, until);
  return TRUE;
}

/* Jobs that may now start on @key go back to the head of the queue, in
 * their order; the pump checks each again as it takes it. */
void
_fb_run_host_wake (FbRun      *self,
                   const char *key)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new ();
  gint64 now = g_get_monotonic_time ();
  guint limit = fb_hosts_get_limit (self->hosts);
  guint active = fb_hosts_get_active (self->hosts, key);
  guint room;
  gint64 until = 0;
  FbJob *job;

  if (!fb_hosts_can_enter (self->hosts, key, now, &until))
    {
      if (until != 0 && fb_hosts_get_n_waiters (self->hosts, key) > 0)
        arm_hold_timer (self, until);
      return;
    }
  room = limit == 0 ? G_MAXUINT : limit - active;
  while (ready->len < room && (job = fb_hosts_pop_waiter (self->hosts, key)) != NULL)
    g_ptr_array_add (ready, job);
  for (guint i = ready->len; i > 0; i--)
    {
      job = ready->pdata[i - 1];
      _fb_job_wait_for_host (job, self->places, NULL);
      _fb_run_queue_push (self, job, TRUE);
      _fb_job_set_phase (job, FB_JOB_PHASE_WAITING);
    }
}

void
_fb_run_host_leave (Runner *runner)
{
  FbRun *self = runner->run;
  g_autofree char *key = g_steal_pointer (&runner->host);
  g_autofree char *stat_key = g_steal_pointer (&runner->stat_host);

  if (stat_key != NULL)
    fb_hosts_count (self->hosts, stat_key, FB_HOSTS_ACTIVE, -1);
  if (key == NULL)
    return;
  if (fb_job_get_http_status (runner->job) != 0)
    fb_hosts_set_answered (self->hosts, key);
  fb_hosts_leave (self->hosts, key);
  _fb_run_host_wake (self, key);
}

void
_fb_run_host_enter (Runner *runner)
{
  FbRun *self = runner->run;

  g_assert (runner->host == NULL);
  g_assert (runner->stat_host == NULL);
  runner->stat_host = _fb_run_job_host_key (self, runner->job);
  if (runner->stat_host != NULL)
    fb_hosts_count (self->hosts, runner->stat_host, FB_HOSTS_ACTIVE, 1);
  if (!_fb_run_tracks_hosts (self))
    return;
  runner->host = _fb_run_job_host_key (self, runner->job);
  if (runner->host != NULL)
    fb_hosts_enter (self->hosts, runner->host);
}

static gboolean
hold_timer_cb (gpointer user_data)
{
  FbRun *self = user_data;
  g_autoptr(GPtrArray) keys = NULL;

  g_clear_pointer (&self->hold_timer, g_source_unref);
  /* Every host with waiters: those whose hold is over wake, the others
   * arm the timer again for their own end. */
  keys = fb_hosts_get_waiting_keys (self->hosts);
  for (guint i = 0; i < keys->len; i++)
    _fb_run_host_wake (self, keys->pdata[i]);
  _fb_run_pump (self);
  return G_SOURCE_REMOVE;
}

static void
arm_hold_timer (FbRun  *self,
                gint64  until)
{
  if (self->hold_timer != NULL && g_source_get_ready_time (self->hold_timer) <= until)
    return;
  if (self->hold_timer != NULL)
    {
      g_source_destroy (self->hold_timer);
      g_source_unref (self->hold_timer);
    }
  self->hold_timer = g_timeout_source_new (0);
  g_source_set_ready_time (self->hold_timer, until);
  g_source_set_callback (self->hold_timer, hold_timer_cb, self, NULL);
  g_source_set_name (self->hold_timer, "[fetchboard] host hold");
  g_source_attach (self->hold_timer, NULL);
}
