/* fb-run.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-run"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "fb-catalog.h"
#include "fb-downloader.h"
#include "fb-filename.h"
#include "fb-hosts.h"
#include "fb-job-private.h"
#include "fb-prober.h"
#include "fb-retry.h"
#include "fb-run.h"
#include "fb-run-private.h"
#include "fb-saver.h"
#include "fb-semaphore.h"

G_DEFINE_FINAL_TYPE (FbRun, fb_run, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_JOBS,
  PROP_MAX_CONCURRENCY,
  PROP_TIMEOUT,
  PROP_DNS_TIMEOUT,
  PROP_DESTINATION,
  PROP_BASE_URL,
  PROP_OVERWRITE,
  PROP_METADATA_NAMES,
  PROP_CONNECT_TIMEOUT,
  PROP_MAX_TIME,
  PROP_SPEED_LIMIT,
  PROP_SPEED_TIME,
  PROP_RETRIES,
  PROP_RETRY_DELAY,
  PROP_PER_HOST,
  PROP_TOTAL,
  PROP_N_OK,
  PROP_N_NOT_FOUND,
  PROP_N_ERROR,
  PROP_N_CANCELLED,
  PROP_N_FINISHED,
  PROP_ACTIVE,
  PROP_WAITING,
  PROP_RUNNING,
  PROP_BYTES_RECEIVED,
  N_PROPS
};

enum {
  JOB_FINISHED,
  JOB_RETRYING,
  FINISHED,
  PART_WRITTEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const int state_props[] = {
  [FB_JOB_STATE_PENDING] = 0,
  [FB_JOB_STATE_OK] = PROP_N_OK,
  [FB_JOB_STATE_NOT_FOUND] = PROP_N_NOT_FOUND,
  [FB_JOB_STATE_ERROR] = PROP_N_ERROR,
  [FB_JOB_STATE_CANCELLED] = PROP_N_CANCELLED,
};

static void
notify (FbRun *self,
        guint  prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
_fb_run_set_waiting (FbRun *self,
                     guint  n_waiting)
{
  if (self->n_waiting == n_waiting)
    return;
  self->n_waiting = n_waiting;
  notify (self, PROP_WAITING);
}

static void
check_done (FbRun *self)
{
  /* A job with a runner is not final yet (a runner leaves the table before
   * its job's final state): no need to count the list, a walk up its
   * tree, after each of 10,000 probes. */
  if (g_hash_table_size (self->runners) > 0)
    return;
  if (fb_run_get_n_finished (self) < fb_run_get_total (self))
    return;
  if (!self->running)
    return;

  self->running = FALSE;
  self->finished_at = g_get_monotonic_time ();
  notify (self, PROP_RUNNING);
  g_signal_emit (self, signals[FINISHED], 0);
}

void
_fb_run_count_host (FbRun      *self,
                    FbJob      *job,
                    FbJobState  state,
                    int         delta)
{
  g_autofree char *key = NULL;
  FbHostsCount count;

  /* Nobody asked: a list of 100,000 URLs is not parsed for hosts. */
  if (!self->counting_hosts)
    return;
  key = _fb_run_job_host_key (self, job);
  if (key == NULL)
    return;
  switch (state)
    {
    case FB_JOB_STATE_OK:
      count = FB_HOSTS_OK;
      break;
    case FB_JOB_STATE_NOT_FOUND:
    case FB_JOB_STATE_ERROR:
      count = FB_HOSTS_FAILED;
      break;
    case FB_JOB_STATE_CANCELLED:
      count = FB_HOSTS_CANCELLED;
      break;
    case FB_JOB_STATE_PENDING:
    default:
      count = FB_HOSTS_TOTAL;
      break;
    }
  fb_hosts_count (self->hosts, key, count, delta);
  if (count != FB_HOSTS_TOTAL)
    fb_hosts_add_bytes (self->hosts, key, delta * (gint64) fb_job_get_bytes_received (job));
}

void
_fb_run_queue_push (FbRun    *self,
                    FbJob    *job,
                    gboolean  at_head)
{
  if (at_head)
    g_queue_push_head (&self->queue, job);
  else
    g_queue_push_tail (&self->queue, job);
  _fb_job_join_queue (job, self->places, at_head);
}

FbJob *
_fb_run_queue_pop (FbRun *self)
{
  FbJob *job = g_queue_pop_head (&self->queue);

  if (job != NULL)
    _fb_job_leave_queue (job);
  return job;
}

/* Every job passes here exactly once per attempt: the counters can only
 * add up to the total. */
void
_fb_run_finish_job (FbRun      *self,
                    FbJob      *job,
                    FbJobState  state,
                    const char *message)
{
  g_object_ref (job);
  if (!_fb_job_finish (job, state, message))
    {
      g_object_unref (job);
      return;
    }

  self->counts[state]++;
  self->finished_bytes += fb_job_get_bytes_received (job);
  _fb_run_count_host (self, job, state, 1);
  notify (self, state_props[state]);
  notify (self, PROP_N_FINISHED);
  notify (self, PROP_BYTES_RECEIVED);
  g_signal_emit (self, signals[JOB_FINISHED], 0, job);
  g_object_unref (job);
  check_done (self);
}

void
_fb_run_emit_job_retrying (FbRun *self,
                           FbJob *job,
                           guint  index)
{
  g_signal_emit (self, signals[JOB_RETRYING], 0, job, index);
}

void
_fb_run_emit_part_written (FbRun      *self,
                           FbJob      *job,
                           const char *part_path,
                           guint64     written)
{
  g_signal_emit (self, signals[PART_WRITTEN], 0, job, part_path, written);
}

/* ---- public API ---- */

FbRun *
fb_run_new (void)
{
  return g_object_new (FB_TYPE_RUN, NULL);
}

GListModel *
fb_run_get_jobs (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

void
fb_run_add_jobs (FbRun  *self,
                 FbJob **jobs,
                 guint   n_jobs)
{
  guint n_final[FB_JOB_STATE_CANCELLED + 1] = { 0 };
  guint n_queued = 0;
  guint first;

  g_return_if_fail (FB_IS_RUN (self));
  g_return_if_fail (n_jobs == 0 || jobs != NULL);

  if (n_jobs == 0)
    return;

  for (guint i = 0; i < n_jobs; i++)
    g_return_if_fail (FB_IS_JOB (jobs[i]));

  /* A job that is final already (brought back from a journal) is counted,
   * never queued. */
  first = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = 0; i < n_jobs; i++)
    {
      FbJobState state = fb_job_get_state (jobs[i]);

      _fb_job_set_position (jobs[i], first + i);
      _fb_run_count_host (self, jobs[i], FB_JOB_STATE_PENDING, 1);
      if (state != FB_JOB_STATE_PENDING)
        _fb_run_count_host (self, jobs[i], state, 1);
      if (state == FB_JOB_STATE_PENDING)
        {
          _fb_run_enqueue (self, jobs[i]);
          n_queued++;
          continue;
        }
      self->counts[state]++;
      self->finished_bytes += fb_job_get_bytes_received (jobs[i]);
      n_final[state]++;
    }
  g_list_store_splice (self->jobs, first, 0, (gpointer *) jobs, n_jobs);
  _fb_run_set_waiting (self, self->n_waiting + n_queued);
  notify (self, PROP_TOTAL);
  for (guint s = FB_JOB_STATE_OK; s <= FB_JOB_STATE_CANCELLED; s++)
    if (n_final[s] > 0)
      notify (self, state_props[s]);
  if (n_queued < n_jobs)
    {
      notify (self, PROP_N_FINISHED);
      notify (self, PROP_BYTES_RECEIVED);
    }
  _fb_run_pump (self);
}

void
fb_run_add_job (FbRun *self,
                FbJob *job)
{
  fb_run_add_jobs (self, &job, 1);
}

static FbJobKind
kind_for_entry (FbEntryKind kind)
{
  switch (kind)
    {
    case FB_ENTRY_URL:
      return FB_JOB_KIND_DOWNLOAD;
    case FB_ENTRY_DOMAIN:
      return FB_JOB_KIND_PROBE;
    case FB_ENTRY_CODE:
      return FB_JOB_KIND_CATALOG;
    default:
      g_assert_not_reached ();
    }
}

void
fb_run_add_list (FbRun              *self,
                 const FbListResult *list)
{
  g_autoptr(GPtrArray) jobs = NULL;

  g_return_if_fail (FB_IS_RUN (self));
  g_return_if_fail (list != NULL);

  jobs = g_ptr_array_new_full (list->entries->len, g_object_unref);
  for (guint i = 0; i < list->entries->len; i++)
    {
      const FbListEntry *entry = list->entries->pdata[i];
      FbJob *job = fb_job_new (kind_for_entry (entry->kind), entry->text);

      if (list->source != NULL)
        fb_job_set_source (job, list->source, entry->line);
      g_ptr_array_add (jobs, job);
    }
  fb_run_add_jobs (self, (FbJob **) jobs->pdata, jobs->len);
}

void
fb_run_start (FbRun *self)
{
  g_return_if_fail (FB_IS_RUN (self));

  if (self->running)
    return;

  self->running = TRUE;
  self->suspended = FALSE;
  if (self->started_at == 0 || self->finished_at != 0)
    {
      if (self->finished_at != 0)
        self->earlier_elapsed += self->finished_at - self->started_at;
      self->started_at = g_get_monotonic_time ();
      self->finished_at = 0;
    }
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    if (!fb_job_is_final (l->data))
      _fb_job_set_phase (l->data, FB_JOB_PHASE_WAITING);
  notify (self, PROP_RUNNING);
  _fb_run_pump (self);
  check_done (self);
}

/* A job taken out of a queue (the run's or its host's) ends as cancelled;
 * one between two attempts cleans its part file up first. */
static void
cancel_queued (FbRun *self,
               FbJob *job)
{
  Runner *runner;

  if (fb_job_is_final (job))
    return;
  _fb_run_set_waiting (self, self->n_waiting - 1);
  runner = g_hash_table_lookup (self->runners, job);
  if (runner != NULL && runner->queued)
    {
      runner->queued = FALSE;
      _fb_run_runner_cancel (runner);
      _fb_run_runner_fail_and_clean (runner, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                  _("Cancelled")));
      return;
    }
  _fb_run_finish_job (self, job, FB_JOB_STATE_CANCELLED, _("Cancelled"));
}

void
fb_run_cancel (FbRun *self)
{
  g_autoptr(GList) under_way = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  FbJob *job;

  g_return_if_fail (FB_IS_RUN (self));

  g_object_ref (self);
  g_cancellable_cancel (self->pump_cancel);
  g_clear_object (&self->pump_cancel);
  self->pump_cancel = g_cancellable_new ();
  self->n_ahead = 0;
  if (self->prober != NULL)
    fb_prober_forget_ahead (self->prober);

  /* Queued jobs end at once, in queue order, then those waiting for
   * their hosts. */
  while ((job = _fb_run_queue_pop (self)) != NULL)
    {
      cancel_queued (self, job);
      g_object_unref (job);
    }
  waiters = fb_hosts_take_all_waiters (self->hosts);
  for (guint i = 0; i < waiters->len; i++)
    {
      cancel_queued (self, waiters->pdata[i]);
      g_object_unref (waiters->pdata[i]);
    }

  /* Jobs under way end as cancelled when their operations return. */
  under_way = g_hash_table_get_values (self->runners);
  for (GList *l = under_way; l != NULL; l = l->next)
    _fb_run_runner_cancel (l->data);

  if (!self->running && fb_run_get_n_finished (self) == fb_run_get_total (self))
    {
      /* Cancelled before it started: still report the end. */
      self->running = TRUE;
      check_done (self);
    }
  g_object_unref (self);
}

void
fb_run_suspend (FbRun *self)
{
  g_return_if_fail (FB_IS_RUN (self));

  self->suspended = TRUE;
  fb_run_cancel (self);
}

gboolean
fb_run_get_suspended (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), FALSE);
  return self->suspended;
}

void
fb_run_cancel_job (FbRun *self,
                   FbJob *job)
{
  Runner *runner;
  GList *link;

  g_return_if_fail (FB_IS_RUN (self));
  g_return_if_fail (FB_IS_JOB (job));

  if (fb_job_is_final (job))
    return;

  runner = g_hash_table_lookup (self->runners, job);
  if (runner != NULL && !runner->queued)
    {
      _fb_run_runner_cancel (runner);
      return;
    }

  /* Still queued: it leaves the queue now, so a retry queues it once. */
  link = g_queue_find (&self->queue, job);
  if (link != NULL)
    {
      g_queue_delete_link (&self->queue, link);
      _fb_job_leave_queue (job);
    }
  else
    {
      g_autofree char *key = _fb_run_job_host_key (self, job);

      if (key == NULL || !fb_hosts_remove_waiter (self->hosts, key, job))
        return;
    }
  cancel_queued (self, job);
  g_object_unref (job);
}

gboolean
fb_run_retry_job (FbRun *self,
                  FbJob *job)
{
  FbJobState state;

  g_return_val_if_fail (FB_IS_RUN (self), FALSE);
  g_return_val_if_fail (FB_IS_JOB (job), FALSE);

  if (!fb_job_is_final (job))
    return FALSE;

  state = fb_job_get_state (job);
  _fb_run_count_host (self, job, state, -1);
  self->counts[state]--;
  self->finished_bytes -= MIN (self->finished_bytes, fb_job_get_bytes_received (job));
  _fb_job_reset (job);
  notify (self, state_props[state]);
  notify (self, PROP_N_FINISHED);
  _fb_run_enqueue (self, job);
  _fb_run_set_waiting (self, self->n_waiting + 1);
  if (self->running)
    _fb_run_pump (self);
  else
    fb_run_start (self);
  return TRUE;
}

guint
fb_run_get_max_concurrency (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return fb_semaphore_get_limit (self->semaphore);
}

void
fb_run_set_max_concurrency (FbRun *self,
                            guint  limit)
{
  g_return_if_fail (FB_IS_RUN (self));

  limit = CLAMP (limit, FB_SEMAPHORE_MIN_LIMIT, FB_SEMAPHORE_MAX_LIMIT);
  if (limit == fb_semaphore_get_limit (self->semaphore))
    return;
  if (self->prober != NULL)
    fb_prober_set_max_threads (self->prober, limit);
  /* Raising the limit hands slots to the waiting pump at once. */
  fb_semaphore_set_limit (self->semaphore, limit);
  notify (self, PROP_MAX_CONCURRENCY);
  _fb_run_pump (self);
}

double
fb_run_get_timeout (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return self->timeout;
}

void
fb_run_set_timeout (FbRun  *self,
                    double  seconds)
{
  g_return_if_fail (FB_IS_RUN (self));
  g_return_if_fail (seconds > 0 && seconds <= FB_RUN_MAX_TIMEOUT);

  if (self->timeout == seconds)
    return;
  self->timeout = seconds;
  notify (self, PROP_TIMEOUT);
}

double
fb_run_get_dns_timeout (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return self->dns_timeout;
}

void
fb_run_set_dns_timeout (FbRun  *self,
                        double  seconds)
{
  g_return_if_fail (FB_IS_RUN (self));
  g_return_if_fail (seconds > 0 && seconds <= FB_RUN_MAX_TIMEOUT);

  if (self->dns_timeout == seconds)
    return;
  self->dns_timeout = seconds;
  notify (self, PROP_DNS_TIMEOUT);
}

#define LIMIT_ACCESSORS(type, name, field, prop, check)                    \
type                                                                       \
fb_run_get_##name (FbRun *self)                                            \
{                                                                          \
  g_return_val_if_fail (FB_IS_RUN (self), 0);                              \
  return self->field;                                                      \
}                                                                          \
                                                                           \
void                                                                       \
fb_run_set_##name (FbRun *self,                                            \
                   type   value)                                           \
{                                                                          \
  g_return_if_fail (FB_IS_RUN (self));                                     \
  g_return_if_fail (check);                                                \
                                                                           \
  if (self->field == value)                                                \
    return;                                                                \
  self->field = value;                                                     \
  self->limits_changed = TRUE;                                             \
  notify (self, prop);                                                     \
}

LIMIT_ACCESSORS (double, connect_timeout, limits.connect_timeout, PROP_CONNECT_TIMEOUT,
                 value >= 0 && value <= FB_RUN_MAX_SECONDS)
LIMIT_ACCESSORS (double, max_time, limits.max_time, PROP_MAX_TIME,
                 value >= 0 && value <= FB_RUN_MAX_SECONDS)
LIMIT_ACCESSORS (guint64, speed_limit, limits.speed_limit, PROP_SPEED_LIMIT, TRUE)
LIMIT_ACCESSORS (double, speed_time, limits.speed_time, PROP_SPEED_TIME,
                 value > 0 && value <= FB_RUN_MAX_SECONDS)
LIMIT_ACCESSORS (double, retry_delay, retry_delay, PROP_RETRY_DELAY,
                 value >= 0 && value <= FB_RETRY_MAX_DELAY)

guint
fb_run_get_retries (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return self->retries;
}

void
fb_run_set_retries (FbRun *self,
                    guint  retries)
{
  g_return_if_fail (FB_IS_RUN (self));

  retries = MIN (retries, FB_RETRY_MAX_RETRIES);
  if (self->retries == retries)
    return;
  self->retries = retries;
  notify (self, PROP_RETRIES);
}

guint
fb_run_get_per_host (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return fb_hosts_get_limit (self->hosts);
}

void
fb_run_set_per_host (FbRun *self,
                     guint  limit)
{
  g_autoptr(GPtrArray) keys = NULL;

  g_return_if_fail (FB_IS_RUN (self));

  limit = MIN (limit, FB_SEMAPHORE_MAX_LIMIT);
  if (limit == fb_hosts_get_limit (self->hosts))
    return;
  /* Counting starts with the jobs that start from now on. */
  fb_hosts_set_limit (self->hosts, limit);
  keys = fb_hosts_get_waiting_keys (self->hosts);
  for (guint i = 0; i < keys->len; i++)
    _fb_run_host_wake (self, keys->pdata[i]);
  notify (self, PROP_PER_HOST);
  _fb_run_pump (self);
}

const char *
fb_run_get_destination (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), NULL);
  return self->destination;
}

void
fb_run_set_destination (FbRun      *self,
                        const char *path)
{
  g_return_if_fail (FB_IS_RUN (self));
  g_return_if_fail (path != NULL && *path != '\0');

  if (g_strcmp0 (self->destination, path) == 0)
    return;
  g_free (self->destination);
  self->destination = g_strdup (path);
  notify (self, PROP_DESTINATION);
}

void
fb_run_set_tls_database (FbRun        *self,
                         GTlsDatabase *database)
{
  g_return_if_fail (FB_IS_RUN (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_set_object (&self->tls_database, database);
  if (self->pool != NULL)
    fb_http_pool_set_tls_database (self->pool, database);
}

const char *
fb_run_get_base_url (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), NULL);
  return self->base_url;
}

void
fb_run_set_base_url (FbRun      *self,
                     const char *base_url)
{
  g_return_if_fail (FB_IS_RUN (self));

  if (base_url != NULL && *base_url == '\0')
    base_url = NULL;
  if (g_strcmp0 (self->base_url, base_url) == 0)
    return;
  g_free (self->base_url);
  self->base_url = g_strdup (base_url);
  notify (self, PROP_BASE_URL);
}

gboolean
fb_run_get_overwrite (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), FALSE);
  return self->overwrite;
}

void
fb_run_set_overwrite (FbRun    *self,
                      gboolean  overwrite)
{
  g_return_if_fail (FB_IS_RUN (self));

  overwrite = !!overwrite;
  if (self->overwrite == (guint) overwrite)
    return;
  self->overwrite = overwrite;
  notify (self, PROP_OVERWRITE);
}

gboolean
fb_run_get_metadata_names (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), FALSE);
  return self->metadata_names;
}

void
fb_run_set_metadata_names (FbRun    *self,
                           gboolean  metadata_names)
{
  g_return_if_fail (FB_IS_RUN (self));

  metadata_names = !!metadata_names;
  if (self->metadata_names == (guint) metadata_names)
    return;
  self->metadata_names = metadata_names;
  notify (self, PROP_METADATA_NAMES);
}

guint
fb_run_get_total (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
}

guint
fb_run_get_n_ok (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return self->counts[FB_JOB_STATE_OK];
}

guint
fb_run_get_n_not_found (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return self->counts[FB_JOB_STATE_NOT_FOUND];
}

guint
fb_run_get_n_error (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return self->counts[FB_JOB_STATE_ERROR];
}

guint
fb_run_get_n_cancelled (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return self->counts[FB_JOB_STATE_CANCELLED];
}

guint
fb_run_get_n_finished (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return self->counts[FB_JOB_STATE_OK] + self->counts[FB_JOB_STATE_NOT_FOUND] +
         self->counts[FB_JOB_STATE_ERROR] + self->counts[FB_JOB_STATE_CANCELLED];
}

guint
fb_run_get_active (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return fb_semaphore_get_active (self->semaphore);
}

guint
fb_run_get_waiting (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);
  return self->n_waiting;
}

gboolean
fb_run_get_running (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), FALSE);
  return self->running;
}

guint64
fb_run_get_bytes_received (FbRun *self)
{
  GHashTableIter iter;
  gpointer job;
  guint64 total;

  g_return_val_if_fail (FB_IS_RUN (self), 0);

  total = self->finished_bytes;
  g_hash_table_iter_init (&iter, self->runners);
  while (g_hash_table_iter_next (&iter, &job, NULL))
    total += fb_job_get_bytes_received (job);
  return total;
}

gint64
fb_run_get_elapsed (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), 0);

  if (self->started_at == 0)
    return 0;
  if (self->finished_at != 0)
    return self->earlier_elapsed + self->finished_at - self->started_at;
  return self->earlier_elapsed + g_get_monotonic_time () - self->started_at;
}

GArray *
fb_run_dup_host_stats (FbRun *self)
{
  GArray *stats;
  g_autoptr(GHashTable) index = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (FB_IS_RUN (self), NULL);

  if (!self->counting_hosts)
    {
      /* The first time: every job so far, once; then each as it comes. */
      GListModel *jobs = G_LIST_MODEL (self->jobs);

      self->counting_hosts = TRUE;
      for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
        {
          g_autoptr(FbJob) job = g_list_model_get_item (jobs, i);

          _fb_run_count_host (self, job, FB_JOB_STATE_PENDING, 1);
          if (fb_job_is_final (job))
            _fb_run_count_host (self, job, fb_job_get_state (job), 1);
        }
    }
  stats = fb_hosts_dup_stats (self->hosts);
  if (g_hash_table_size (self->runners) == 0)
    return stats;
  /* The bytes of jobs under way, as far as they got. */
  index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < stats->len; i++)
    g_hash_table_insert (index, g_array_index (stats, FbHostStats, i).key, GUINT_TO_POINTER (i + 1));
  g_hash_table_iter_init (&iter, self->runners);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Runner *runner = value;
      guint i;

      if (runner->stat_host == NULL)
        continue;
      i = GPOINTER_TO_UINT (g_hash_table_lookup (index, runner->stat_host));
      if (i != 0)
        g_array_index (stats, FbHostStats, i - 1).bytes += fb_job_get_bytes_received (runner->job);
    }
  return stats;
}

FbSemaphore *
fb_run_get_semaphore (FbRun *self)
{
  g_return_val_if_fail (FB_IS_RUN (self), NULL);
  return self->semaphore;
}

/* ---- GObject ---- */

static void
semaphore_active_cb (FbRun *self)
{
  notify (self, PROP_ACTIVE);
}

static void
fb_run_dispose (GObject *object)
{
  FbRun *self = FB_RUN (object);

  /* Runners hold a reference to the run, so none is left here. */
  g_assert (g_hash_table_size (self->runners) == 0);
  if (self->pump_cancel != NULL)
    g_cancellable_cancel (self->pump_cancel);
  g_clear_object (&self->pump_cancel);
  g_clear_handle_id (&self->pump_idle, g_source_remove);
  if (self->hold_timer != NULL)
    {
      g_source_destroy (self->hold_timer);
      g_clear_pointer (&self->hold_timer, g_source_unref);
    }
  g_queue_clear_full (&self->queue, g_object_unref);
  if (self->places != NULL)
    fb_queue_places_set_hosts (self->places, NULL);
  g_clear_pointer (&self->places, fb_queue_places_unref);
  g_clear_pointer (&self->hosts, fb_hosts_free);
  if (self->semaphore != NULL)
    g_signal_handlers_disconnect_by_data (self->semaphore, self);
  g_clear_object (&self->semaphore);
  g_clear_pointer (&self->pool, fb_http_pool_unref);
  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->prober, fb_prober_free);
  g_clear_object (&self->jobs);

  G_OBJECT_CLASS (fb_run_parent_class)->dispose (object);
}

static void
fb_run_finalize (GObject *object)
{
  FbRun *self = FB_RUN (object);

  g_hash_table_destroy (self->runners);
  g_free (self->destination);
  g_free (self->base_url);

  G_OBJECT_CLASS (fb_run_parent_class)->finalize (object);
}

static void
fb_run_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  FbRun *self = FB_RUN (object);

  switch (prop_id)
    {
    case PROP_JOBS:
      g_value_set_object (value, self->jobs);
      break;
    case PROP_MAX_CONCURRENCY:
      g_value_set_uint (value, fb_run_get_max_concurrency (self));
      break;
    case PROP_TIMEOUT:
      g_value_set_double (value, self->timeout);
      break;
    case PROP_DNS_TIMEOUT:
      g_value_set_double (value, self->dns_timeout);
      break;
    case PROP_DESTINATION:
      g_value_set_string (value, self->destination);
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_OVERWRITE:
      g_value_set_boolean (value, self->overwrite);
      break;
    case PROP_METADATA_NAMES:
      g_value_set_boolean (value, self->metadata_names);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_double (value, self->limits.connect_timeout);
      break;
    case PROP_MAX_TIME:
      g_value_set_double (value, self->limits.max_time);
      break;
    case PROP_SPEED_LIMIT:
      g_value_set_uint64 (value, self->limits.speed_limit);
      break;
    case PROP_SPEED_TIME:
      g_value_set_double (value, self->limits.speed_time);
      break;
    case PROP_RETRIES:
      g_value_set_uint (value, self->retries);
      break;
    case PROP_RETRY_DELAY:
      g_value_set_double (value, self->retry_delay);
      break;
    case PROP_PER_HOST:
      g_value_set_uint (value, fb_run_get_per_host (self));
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, fb_run_get_total (self));
      break;
    case PROP_N_OK:
      g_value_set_uint (value, fb_run_get_n_ok (self));
      break;
    case PROP_N_NOT_FOUND:
      g_value_set_uint (value, fb_run_get_n_not_found (self));
      break;
    case PROP_N_ERROR:
      g_value_set_uint (value, fb_run_get_n_error (self));
      break;
    case PROP_N_CANCELLED:
      g_value_set_uint (value, fb_run_get_n_cancelled (self));
      break;
    case PROP_N_FINISHED:
      g_value_set_uint (value, fb_run_get_n_finished (self));
      break;
    case PROP_ACTIVE:
      g_value_set_uint (value, fb_run_get_active (self));
      break;
    case PROP_WAITING:
      g_value_set_uint (value, self->n_waiting);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_BYTES_RECEIVED:
      g_value_set_uint64 (value, fb_run_get_bytes_received (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_run_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  FbRun *self = FB_RUN (object);

  switch (prop_id)
    {
    case PROP_MAX_CONCURRENCY:
      fb_run_set_max_concurrency (self, g_value_get_uint (value));
      break;
    case PROP_TIMEOUT:
      fb_run_set_timeout (self, g_value_get_double (value));
      break;
    case PROP_DNS_TIMEOUT:
      fb_run_set_dns_timeout (self, g_value_get_double (value));
      break;
    case PROP_DESTINATION:
      fb_run_set_destination (self, g_value_get_string (value));
      break;
    case PROP_BASE_URL:
      fb_run_set_base_url (self, g_value_get_string (value));
      break;
    case PROP_OVERWRITE:
      fb_run_set_overwrite (self, g_value_get_boolean (value));
      break;
    case PROP_METADATA_NAMES:
      fb_run_set_metadata_names (self, g_value_get_boolean (value));
      break;
    case PROP_CONNECT_TIMEOUT:
      fb_run_set_connect_timeout (self, g_value_get_double (value));
      break;
    case PROP_MAX_TIME:
      fb_run_set_max_time (self, g_value_get_double (value));
      break;
    case PROP_SPEED_LIMIT:
      fb_run_set_speed_limit (self, g_value_get_uint64 (value));
      break;
    case PROP_SPEED_TIME:
      fb_run_set_speed_time (self, g_value_get_double (value));
      break;
    case PROP_RETRIES:
      fb_run_set_retries (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_DELAY:
      fb_run_set_retry_delay (self, g_value_get_double (value));
      break;
    case PROP_PER_HOST:
      fb_run_set_per_host (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_run_class_init (FbRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = fb_run_dispose;
  object_class->finalize = fb_run_finalize;
  object_class->get_property = fb_run_get_property;
  object_class->set_property = fb_run_set_property;

  properties[PROP_JOBS] =
    g_param_spec_object ("jobs", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_CONCURRENCY] =
    g_param_spec_uint ("max-concurrency", NULL, NULL,
                       FB_SEMAPHORE_MIN_LIMIT, FB_SEMAPHORE_MAX_LIMIT,
                       FB_RUN_DEFAULT_CONCURRENCY, rw);
  properties[PROP_TIMEOUT] =
    g_param_spec_double ("timeout", NULL, NULL, 0.000001, FB_RUN_MAX_TIMEOUT, FB_RUN_DEFAULT_TIMEOUT, rw);
  properties[PROP_DNS_TIMEOUT] =
    g_param_spec_double ("dns-timeout", NULL, NULL, 0.000001, FB_RUN_MAX_TIMEOUT,
                         FB_RUN_DEFAULT_DNS_TIMEOUT, rw);
  properties[PROP_DESTINATION] = g_param_spec_string ("destination", NULL, NULL, ".", rw);
  properties[PROP_BASE_URL] = g_param_spec_string ("base-url", NULL, NULL, NULL, rw);
  properties[PROP_OVERWRITE] = g_param_spec_boolean ("overwrite", NULL, NULL, FALSE, rw);
  properties[PROP_METADATA_NAMES] =
    g_param_spec_boolean ("metadata-names", NULL, NULL, FALSE, rw);
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_double ("connect-timeout", NULL, NULL, 0, FB_RUN_MAX_SECONDS,
                         FB_RUN_DEFAULT_CONNECT_TIMEOUT, rw);
  properties[PROP_MAX_TIME] =
    g_param_spec_double ("max-time", NULL, NULL, 0, FB_RUN_MAX_SECONDS, 0, rw);
  properties[PROP_SPEED_LIMIT] =
    g_param_spec_uint64 ("speed-limit", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_SPEED_TIME] =
    g_param_spec_double ("speed-time", NULL, NULL, 0.001, FB_RUN_MAX_SECONDS,
                         FB_RUN_DEFAULT_SPEED_TIME, rw);
  properties[PROP_RETRIES] =
    g_param_spec_uint ("retries", NULL, NULL, 0, FB_RETRY_MAX_RETRIES, 0, rw);
  properties[PROP_RETRY_DELAY] =
    g_param_spec_double ("retry-delay", NULL, NULL, 0, FB_RETRY_MAX_DELAY,
                         FB_RETRY_BASE_DELAY, rw);
  properties[PROP_PER_HOST] =
    g_param_spec_uint ("per-host", NULL, NULL, 0, FB_SEMAPHORE_MAX_LIMIT, 0, rw);
  properties[PROP_TOTAL] = g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_OK] = g_param_spec_uint ("n-ok", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_NOT_FOUND] =
    g_param_spec_uint ("n-not-found", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_ERROR] = g_param_spec_uint ("n-error", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_CANCELLED] =
    g_param_spec_uint ("n-cancelled", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_FINISHED] =
    g_param_spec_uint ("n-finished", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_ACTIVE] = g_param_spec_uint ("active", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_WAITING] = g_param_spec_uint ("waiting", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_BYTES_RECEIVED] =
    g_param_spec_uint64 ("bytes-received", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* In completion order, the book's as_completed. */
  signals[JOB_FINISHED] =
    g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, FB_TYPE_JOB);
  /* An attempt failed and the job will go again (index for fb_job_get_retry). */
  signals[JOB_RETRYING] =
    g_signal_new ("job-retrying", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, FB_TYPE_JOB, G_TYPE_UINT);
  /* Every job has its final state (the book's gather). */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A download's .part file holds this many bytes now (after each write
   * to the disk): job, path, bytes. For a journal's resume. */
  signals[PART_WRITTEN] =
    g_signal_new ("part-written", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, FB_TYPE_JOB,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_UINT64);
}

static void
fb_run_init (FbRun *self)
{
  self->jobs = g_list_store_new (FB_TYPE_JOB);
  self->semaphore = fb_semaphore_new (FB_RUN_DEFAULT_CONCURRENCY);
  self->pump_cancel = g_cancellable_new ();
  self->runners = g_hash_table_new (NULL, NULL);
  self->destination = g_strdup (".");
  self->timeout = FB_RUN_DEFAULT_TIMEOUT;
  self->dns_timeout = FB_RUN_DEFAULT_DNS_TIMEOUT;
  self->retry_delay = FB_RETRY_BASE_DELAY;
  self->limits.connect_timeout = FB_RUN_DEFAULT_CONNECT_TIMEOUT;
  self->limits.speed_time = FB_RUN_DEFAULT_SPEED_TIME;
  self->hosts = fb_hosts_new (g_object_unref);
  self->places = fb_queue_places_new ();
  fb_queue_places_set_hosts (self->places, self->hosts);
  g_queue_init (&self->queue);
  g_signal_connect_swapped (self->semaphore, "notify::active",
                            G_CALLBACK (semaphore_active_cb), self);
}
