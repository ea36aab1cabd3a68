/* test-job.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fb-enums.h"
#include "fb-job-private.h"
#include "fb-run.h"
#include "fb-semaphore.h"
#include "fb-test-utils.h"


typedef struct
{
  GHashTable *counts;  /* property name → count */
} NotifyLog;

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           NotifyLog  *log)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (log->counts, pspec->name));

  g_hash_table_insert (log->counts, (gpointer) pspec->name, GUINT_TO_POINTER (n + 1));
}

static void
notify_log_init (NotifyLog *log,
                 gpointer   object)
{
  log->counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_signal_connect (object, "notify", G_CALLBACK (notify_cb), log);
}

static guint
notify_count (NotifyLog  *log,
              const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (log->counts, name));
}

static guint
notify_total (NotifyLog *log)
{
  GHashTableIter iter;
  gpointer value;
  guint total = 0;

  g_hash_table_iter_init (&iter, log->counts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    total += GPOINTER_TO_UINT (value);
  return total;
}

static void
notify_log_reset (NotifyLog *log)
{
  g_hash_table_remove_all (log->counts);
}

static void
notify_log_clear (NotifyLog *log,
                  gpointer   object)
{
  g_signal_handlers_disconnect_by_data (object, log);
  g_clear_pointer (&log->counts, g_hash_table_unref);
}

static void
test_job_is_finalized (void)
{
  FbJob *job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/x.bin");
  FbJob *final_job = fb_job_new (FB_JOB_KIND_PROBE, "localhost");
  GCancellable *cancellable;
  gpointer weak = job;
  gpointer weak_final = final_job;
  gpointer weak_cancellable;

  g_object_add_weak_pointer (G_OBJECT (job), &weak);
  g_object_add_weak_pointer (G_OBJECT (final_job), &weak_final);

  /* A job that owns a cancellable (under way) cancels and drops it. */
  cancellable = _fb_job_get_cancellable (job);
  weak_cancellable = cancellable;
  g_object_add_weak_pointer (G_OBJECT (cancellable), &weak_cancellable);
  _fb_job_set_url (job, "http://127.0.0.1/x.bin");

  CU_ASSERT_TRUE (_fb_job_finish (final_job, FB_JOB_STATE_OK, "::1"));

  g_object_unref (job);
  g_object_unref (final_job);
  CU_ASSERT_PTR_NULL (weak);
  CU_ASSERT_PTR_NULL (weak_final);
  CU_ASSERT_PTR_NULL (weak_cancellable);
}

static void
test_job_cancellable_is_cancelled_on_dispose (void)
{
  FbJob *job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/x.bin");
  g_autoptr(GCancellable) cancellable = g_object_ref (_fb_job_get_cancellable (job));

  CU_ASSERT_PTR_EQUAL (_fb_job_get_cancellable (job), cancellable);
  CU_ASSERT_FALSE (g_cancellable_is_cancelled (cancellable));
  g_object_unref (job);
  CU_ASSERT_TRUE (g_cancellable_is_cancelled (cancellable));
}

static void
test_job_run_is_finalized (void)
{
  FbRun *run = fb_run_new ();
  FbJob *job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/x.bin");
  FbSemaphore *semaphore = fb_run_get_semaphore (run);
  GListModel *jobs = fb_run_get_jobs (run);
  gpointer weak_run = run;
  gpointer weak_job = job;
  gpointer weak_semaphore = semaphore;
  gpointer weak_jobs = jobs;

  g_object_add_weak_pointer (G_OBJECT (run), &weak_run);
  g_object_add_weak_pointer (G_OBJECT (job), &weak_job);
  g_object_add_weak_pointer (G_OBJECT (semaphore), &weak_semaphore);
  g_object_add_weak_pointer (G_OBJECT (jobs), &weak_jobs);

  fb_run_add_job (run, job);
  g_object_unref (job);
  CU_ASSERT_PTR_NOT_NULL (weak_job);
  CU_ASSERT_EQUAL (fb_run_get_total (run), 1);

  g_object_unref (run);
  CU_ASSERT_PTR_NULL (weak_run);
  CU_ASSERT_PTR_NULL (weak_job);
  CU_ASSERT_PTR_NULL (weak_semaphore);
  CU_ASSERT_PTR_NULL (weak_jobs);
}

static void
test_job_construct_properties_round_trip (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_CATALOG, "br");
  g_autofree char *input = NULL;
  FbJobKind kind = FB_JOB_KIND_PROBE;

  g_object_get (job, "kind", &kind, "input", &input, NULL);
  CU_ASSERT_EQUAL (kind, FB_JOB_KIND_CATALOG);
  ASSERT_STR (input, "br");
  CU_ASSERT_EQUAL (fb_job_get_kind (job), FB_JOB_KIND_CATALOG);
  ASSERT_STR (fb_job_get_input (job), "br");
}

static void
test_job_new_has_empty_results (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/a");
  gboolean final = TRUE;
  double fraction = 0;
  gint64 expected = 0;

  CU_ASSERT_EQUAL (fb_job_get_phase (job), FB_JOB_PHASE_QUEUED);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_PENDING);
  CU_ASSERT_FALSE (fb_job_is_final (job));
  CU_ASSERT_PTR_NULL (fb_job_get_url (job));
  CU_ASSERT_PTR_NULL (fb_job_get_message (job));
  CU_ASSERT_PTR_NULL (fb_job_get_saved_path (job));
  CU_ASSERT_PTR_NULL (fb_job_get_addresses (job));
  CU_ASSERT_PTR_NULL (fb_job_get_country (job));
  CU_ASSERT_PTR_NULL (fb_job_get_source (job));
  CU_ASSERT_EQUAL (fb_job_get_source_line (job), 0);
  CU_ASSERT_EQUAL (fb_job_get_http_status (job), 0);
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), 0);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (job), -1);
  CU_ASSERT_EQUAL (fb_job_get_elapsed (job), 0);
  CU_ASSERT_EQUAL (fb_job_get_speed (job), 0.0);
  /* Created = queued: that phase has a time, the later ones do not. */
  CU_ASSERT_TRUE (fb_job_get_phase_time (job, FB_JOB_PHASE_QUEUED) > 0);
  for (FbJobPhase p = FB_JOB_PHASE_WAITING; p < FB_JOB_N_PHASES; p++)
    CU_ASSERT_EQUAL (fb_job_get_phase_time (job, p), 0);

  g_object_get (job, "final", &final, "fraction", &fraction, "bytes-expected", &expected, NULL);
  CU_ASSERT_FALSE (final);
  CU_ASSERT_EQUAL (fraction, -1.0);
  CU_ASSERT_EQUAL (expected, -1);
}

static void
test_job_source_round_trips (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_PROBE, "example.invalid");
  g_autofree char *source = NULL;
  guint line = 0;

  fb_job_set_source (job, "list.txt", 12);
  ASSERT_STR (fb_job_get_source (job), "list.txt");
  CU_ASSERT_EQUAL (fb_job_get_source_line (job), 12);

  g_object_get (job, "source", &source, "source-line", &line, NULL);
  ASSERT_STR (source, "list.txt");
  CU_ASSERT_EQUAL (line, 12);

  g_object_set (job, "source", "other.txt", "source-line", 40u, NULL);
  ASSERT_STR (fb_job_get_source (job), "other.txt");
  CU_ASSERT_EQUAL (fb_job_get_source_line (job), 40);

  /* Typed entries have no source. */
  fb_job_set_source (job, NULL, 0);
  CU_ASSERT_PTR_NULL (fb_job_get_source (job));
  CU_ASSERT_EQUAL (fb_job_get_source_line (job), 0);
}

static void
test_job_source_notifies_only_on_change (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_PROBE, "example.invalid");
  NotifyLog log;

  notify_log_init (&log, job);

  fb_job_set_source (job, "list.txt", 3);
  CU_ASSERT_EQUAL (notify_count (&log, "source"), 1);
  CU_ASSERT_EQUAL (notify_count (&log, "source-line"), 1);
  CU_ASSERT_EQUAL (notify_total (&log), 2);

  notify_log_reset (&log);
  fb_job_set_source (job, "list.txt", 3);
  g_object_set (job, "source", "list.txt", "source-line", 3u, NULL);
  CU_ASSERT_EQUAL (notify_total (&log), 0);

  fb_job_set_source (job, "list.txt", 4);
  CU_ASSERT_EQUAL (notify_count (&log, "source"), 0);
  CU_ASSERT_EQUAL (notify_count (&log, "source-line"), 1);

  notify_log_reset (&log);
  g_object_set (job, "source", "b.txt", NULL);
  CU_ASSERT_EQUAL (notify_count (&log, "source"), 1);
  CU_ASSERT_EQUAL (notify_total (&log), 1);

  notify_log_clear (&log, job);
}

static void
test_job_engine_setters_notify_only_on_change (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/a");
  NotifyLog log;

  notify_log_init (&log, job);

  _fb_job_set_url (job, "http://127.0.0.1/a");
  _fb_job_set_url (job, "http://127.0.0.1/a");
  CU_ASSERT_EQUAL (notify_count (&log, "url"), 1);

  _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
  _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
  CU_ASSERT_EQUAL (notify_count (&log, "phase"), 1);

  _fb_job_set_http_status (job, 200);
  _fb_job_set_http_status (job, 200);
  CU_ASSERT_EQUAL (notify_count (&log, "http-status"), 1);

  _fb_job_set_expected (job, 100);
  _fb_job_set_expected (job, 100);
  CU_ASSERT_EQUAL (notify_count (&log, "bytes-expected"), 1);
  CU_ASSERT_EQUAL (notify_count (&log, "fraction"), 1);

  _fb_job_set_addresses (job, "127.0.0.1");
  _fb_job_set_addresses (job, "127.0.0.1");
  CU_ASSERT_EQUAL (notify_count (&log, "addresses"), 1);

  _fb_job_set_country (job, "Brazil");
  _fb_job_set_country (job, "Brazil");
  CU_ASSERT_EQUAL (notify_count (&log, "country"), 1);

  _fb_job_set_saved_path (job, "/tmp/a");
  _fb_job_set_saved_path (job, "/tmp/a");
  CU_ASSERT_EQUAL (notify_count (&log, "saved-path"), 1);

  /* Nothing received, nothing said. */
  notify_log_reset (&log);
  _fb_job_add_received (job, 0);
  CU_ASSERT_EQUAL (notify_total (&log), 0);

  notify_log_clear (&log, job);
}

static void
test_job_finish_notifies_once_and_is_final (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/a");
  NotifyLog log;

  _fb_job_set_phase (job, FB_JOB_PHASE_TRANSFERRING);
  notify_log_init (&log, job);

  CU_ASSERT_TRUE (_fb_job_finish (job, FB_JOB_STATE_ERROR,
                                  "HTTP error 500 - Internal Server Error"));
  CU_ASSERT_EQUAL (notify_count (&log, "state"), 1);
  CU_ASSERT_EQUAL (notify_count (&log, "final"), 1);
  CU_ASSERT_EQUAL (notify_count (&log, "message"), 1);
  CU_ASSERT_EQUAL (notify_count (&log, "phase"), 1);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  CU_ASSERT_EQUAL (fb_job_get_phase (job), FB_JOB_PHASE_DONE);
  CU_ASSERT_TRUE (fb_job_is_final (job));
  ASSERT_STR (fb_job_get_message (job), "HTTP error 500 - Internal Server Error");
  CU_ASSERT_TRUE (fb_job_get_phase_time (job, FB_JOB_PHASE_DONE) >=
                  fb_job_get_phase_time (job, FB_JOB_PHASE_TRANSFERRING));

  /* The one final state cannot be replaced. */
  notify_log_reset (&log);
  CU_ASSERT_FALSE (_fb_job_finish (job, FB_JOB_STATE_OK, "Saved as a"));
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_STR (fb_job_get_message (job), "HTTP error 500 - Internal Server Error");
  CU_ASSERT_EQUAL (notify_total (&log), 0);

  notify_log_clear (&log, job);
}

static void
test_job_reset_clears_results (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_CATALOG, "br");
  gint64 before;

  fb_job_set_source (job, "codes.txt", 2);
  _fb_job_get_cancellable (job);
  _fb_job_set_phase (job, FB_JOB_PHASE_WAITING);
  _fb_job_set_phase (job, FB_JOB_PHASE_TRANSFERRING);
  _fb_job_set_http_status (job, 200);
  _fb_job_set_expected (job, 10);
  _fb_job_add_received (job, 10);
  _fb_job_set_country (job, "Brazil");
  _fb_job_set_saved_path (job, "/tmp/Brazil.gif");
  CU_ASSERT_TRUE (_fb_job_finish (job, FB_JOB_STATE_OK, "Saved as Brazil.gif"));

  before = g_get_monotonic_time ();
  _fb_job_reset (job);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_PENDING);
  CU_ASSERT_EQUAL (fb_job_get_phase (job), FB_JOB_PHASE_QUEUED);
  CU_ASSERT_FALSE (fb_job_is_final (job));
  CU_ASSERT_PTR_NULL (fb_job_get_message (job));
  CU_ASSERT_PTR_NULL (fb_job_get_saved_path (job));
  CU_ASSERT_PTR_NULL (fb_job_get_country (job));
  CU_ASSERT_EQUAL (fb_job_get_http_status (job), 0);
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), 0);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (job), -1);
  CU_ASSERT_EQUAL (fb_job_get_fraction (job), -1.0);
  CU_ASSERT_EQUAL (fb_job_get_elapsed (job), 0);
  /* Back in the queue now, as a new job would be; no later phase yet. */
  CU_ASSERT_TRUE (fb_job_get_phase_time (job, FB_JOB_PHASE_QUEUED) >= before);
  for (FbJobPhase p = FB_JOB_PHASE_WAITING; p < FB_JOB_N_PHASES; p++)
    CU_ASSERT_EQUAL (fb_job_get_phase_time (job, p), 0);
  /* Where it came from stays. */
  ASSERT_STR (fb_job_get_source (job), "codes.txt");
  CU_ASSERT_EQUAL (fb_job_get_source_line (job), 2);
  /* A new attempt gets a fresh cancellable. */
  CU_ASSERT_PTR_NOT_NULL (_fb_job_get_cancellable (job));
  CU_ASSERT_FALSE (g_cancellable_is_cancelled (_fb_job_get_cancellable (job)));
}

static void
test_job_fraction_is_minus_one_while_size_unknown (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/a");
  g_autoptr(FbJob) empty = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/empty");
  g_autoptr(FbJob) failed = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/b");
  double fraction = 0;

  _fb_job_add_received (job, 500);
  CU_ASSERT_EQUAL (fb_job_get_fraction (job), -1.0);
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), 500);

  _fb_job_set_expected (job, 2000);
  CU_ASSERT_DOUBLE_EQUAL (fb_job_get_fraction (job), 0.25, 1e-9);
  g_object_get (job, "fraction", &fraction, NULL);
  CU_ASSERT_DOUBLE_EQUAL (fraction, 0.25, 1e-9);

  /* A server that sends more than it announced does not push past 1. */
  _fb_job_add_received (job, 2000);
  CU_ASSERT_EQUAL (fb_job_get_fraction (job), 1.0);

  _fb_job_set_expected (job, -1);
  CU_ASSERT_EQUAL (fb_job_get_fraction (job), -1.0);

  /* A zero-length body: unknown until done, then complete. */
  _fb_job_set_expected (empty, 0);
  CU_ASSERT_EQUAL (fb_job_get_fraction (empty), -1.0);
  CU_ASSERT_TRUE (_fb_job_finish (empty, FB_JOB_STATE_OK, "Saved as empty"));
  CU_ASSERT_EQUAL (fb_job_get_fraction (empty), 1.0);

  /* A failed job keeps the fraction it reached. */
  _fb_job_set_expected (failed, 400);
  _fb_job_add_received (failed, 100);
  CU_ASSERT_TRUE (_fb_job_finish (failed, FB_JOB_STATE_ERROR, "lost"));
  CU_ASSERT_DOUBLE_EQUAL (fb_job_get_fraction (failed), 0.25, 1e-9);
}

static void
test_job_progress_notifies_are_coalesced (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/a");
  NotifyLog log;
  gint64 start;
  gint64 elapsed;
  guint64 received = 0;

  notify_log_init (&log, job);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 20000; i++)
    _fb_job_add_received (job, 1);
  elapsed = g_get_monotonic_time () - start;

  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), 20000);
  /* The first chunk notifies at once; then at most one per 16 ms. */
  CU_ASSERT_TRUE (notify_count (&log, "bytes-received") >= 1);
  CU_ASSERT_TRUE (notify_count (&log, "bytes-received") <= 2 + elapsed / 16000);
  CU_ASSERT_EQUAL (notify_count (&log, "fraction"), notify_count (&log, "bytes-received"));

  /* The final state always reports the last count. */
  notify_log_reset (&log);
  CU_ASSERT_TRUE (_fb_job_finish (job, FB_JOB_STATE_OK, "Saved as a"));
  CU_ASSERT_EQUAL (notify_count (&log, "bytes-received"), 1);
  g_object_get (job, "bytes-received", &received, NULL);
  CU_ASSERT_EQUAL (received, 20000);

  notify_log_clear (&log, job);
}

static void
test_job_elapsed_starts_when_job_leaves_queue (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1/a");
  gint64 frozen;

  _fb_job_set_phase (job, FB_JOB_PHASE_WAITING);
  g_usleep (2000);
  /* Waiting for a slot is not the job's own time. */
  CU_ASSERT_EQUAL (fb_job_get_elapsed (job), 0);

  _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
  g_usleep (2000);
  CU_ASSERT_TRUE (fb_job_get_elapsed (job) >= 2000);

  _fb_job_set_phase (job, FB_JOB_PHASE_TRANSFERRING);
  _fb_job_add_received (job, 1000);
  g_usleep (1000);
  CU_ASSERT_TRUE (fb_job_get_speed (job) > 0);

  CU_ASSERT_TRUE (_fb_job_finish (job, FB_JOB_STATE_OK, "Saved as a"));
  frozen = fb_job_get_elapsed (job);
  CU_ASSERT_EQUAL (frozen, fb_job_get_phase_time (job, FB_JOB_PHASE_DONE) -
                           fb_job_get_phase_time (job, FB_JOB_PHASE_CONNECTING));
  g_usleep (2000);
  CU_ASSERT_EQUAL (fb_job_get_elapsed (job), frozen);
  CU_ASSERT_DOUBLE_EQUAL (fb_job_get_speed (job),
                          1000.0 * G_USEC_PER_SEC /
                          (double) (fb_job_get_phase_time (job, FB_JOB_PHASE_DONE) -
                                    fb_job_get_phase_time (job, FB_JOB_PHASE_TRANSFERRING)),
                          1e-6);
}

/* The phases in the order of time, a retry's back-off and the second
 * attempt included, though each phase's first entry is all the job keeps
 * for a job that never retried. */
static void
test_job_spans_follow_time_across_a_retry (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://h/a");
  const FbJobPhase first[] = {
    FB_JOB_PHASE_QUEUED, FB_JOB_PHASE_WAITING, FB_JOB_PHASE_CONNECTING, FB_JOB_PHASE_TLS,
    FB_JOB_PHASE_FIRST_BYTE,
  };
  const FbJobPhase expected[] = {
    FB_JOB_PHASE_QUEUED, FB_JOB_PHASE_WAITING, FB_JOB_PHASE_CONNECTING, FB_JOB_PHASE_TLS,
    FB_JOB_PHASE_FIRST_BYTE, FB_JOB_PHASE_RETRY_WAIT, FB_JOB_PHASE_WAITING,
    FB_JOB_PHASE_CONNECTING, FB_JOB_PHASE_FIRST_BYTE, FB_JOB_PHASE_TRANSFERRING,
    FB_JOB_PHASE_SAVING,
  };
  FbJobSpan spans[16];
  guint n;

  for (guint i = 1; i < G_N_ELEMENTS (first); i++)
    {
      g_usleep (1000);
      _fb_job_set_phase (job, first[i]);
    }
  g_usleep (1000);
  /* Before any retry: first entries only, in time order, the last going on. */
  n = fb_job_get_spans (job, g_get_monotonic_time (), spans, G_N_ELEMENTS (spans));
  CU_ASSERT_EQUAL_FATAL (n, G_N_ELEMENTS (first));
  for (guint i = 0; i < n; i++)
    {
      CU_ASSERT_EQUAL (spans[i].phase, first[i]);
      CU_ASSERT_TRUE (spans[i].end > spans[i].start);
      if (i > 0)
        CU_ASSERT_EQUAL (spans[i].start, spans[i - 1].end);
    }

  _fb_job_add_retry (job, 3, 0.002, "HTTP 503");
  CU_ASSERT_TRUE (fb_job_get_retry (job, 0)->at > fb_job_get_phase_time (job, FB_JOB_PHASE_FIRST_BYTE));
  for (guint i = 5; i < G_N_ELEMENTS (expected); i++)
    {
      _fb_job_set_phase (job, expected[i]);
      g_usleep (1000);
    }
  CU_ASSERT_TRUE (_fb_job_finish (job, FB_JOB_STATE_OK, "saved"));

  n = fb_job_get_spans (job, g_get_monotonic_time () + G_USEC_PER_SEC, spans, G_N_ELEMENTS (spans));
  CU_ASSERT_EQUAL_FATAL (n, G_N_ELEMENTS (expected));
  for (guint i = 0; i < n; i++)
    {
      CU_ASSERT_EQUAL (spans[i].phase, expected[i]);
      if (i > 0)
        CU_ASSERT_EQUAL (spans[i].start, spans[i - 1].end);
    }
  /* A final job's last phase ends with it, not at the time asked. */
  CU_ASSERT_EQUAL (spans[n - 1].end, fb_job_get_phase_time (job, FB_JOB_PHASE_DONE));
  /* Fewer slots than spans: the count still says how many there are. */
  CU_ASSERT_EQUAL (fb_job_get_spans (job, 0, spans, 2), G_N_ELEMENTS (expected));
}

static void
test_job_enum_strings_are_exact (void)
{
  ASSERT_STR (fb_job_kind_to_string (FB_JOB_KIND_PROBE), "Probe");
  ASSERT_STR (fb_job_kind_to_string (FB_JOB_KIND_DOWNLOAD), "Download");
  ASSERT_STR (fb_job_kind_to_string (FB_JOB_KIND_CATALOG), "Catalog");
  ASSERT_STR (fb_job_kind_to_string ((FbJobKind) 99), "");

  ASSERT_STR (fb_job_phase_to_string (FB_JOB_PHASE_QUEUED), "Queued");
  ASSERT_STR (fb_job_phase_to_string (FB_JOB_PHASE_WAITING), "Waiting for a slot");
  ASSERT_STR (fb_job_phase_to_string (FB_JOB_PHASE_RESOLVING), "Resolving");
  ASSERT_STR (fb_job_phase_to_string (FB_JOB_PHASE_CONNECTING), "Connecting");
  ASSERT_STR (fb_job_phase_to_string (FB_JOB_PHASE_TLS), "TLS handshake");
  ASSERT_STR (fb_job_phase_to_string (FB_JOB_PHASE_FIRST_BYTE), "Waiting for the first byte");
  ASSERT_STR (fb_job_phase_to_string (FB_JOB_PHASE_TRANSFERRING), "Transferring");
  ASSERT_STR (fb_job_phase_to_string (FB_JOB_PHASE_SAVING), "Saving");
  ASSERT_STR (fb_job_phase_to_string (FB_JOB_PHASE_DONE), "Done");
  ASSERT_STR (fb_job_phase_to_string ((FbJobPhase) 99), "");

  ASSERT_STR (fb_job_state_to_string (FB_JOB_STATE_PENDING), "Pending");
  ASSERT_STR (fb_job_state_to_string (FB_JOB_STATE_OK), "OK");
  ASSERT_STR (fb_job_state_to_string (FB_JOB_STATE_NOT_FOUND), "Not found");
  ASSERT_STR (fb_job_state_to_string (FB_JOB_STATE_ERROR), "Error");
  ASSERT_STR (fb_job_state_to_string (FB_JOB_STATE_CANCELLED), "Cancelled");
  ASSERT_STR (fb_job_state_to_string ((FbJobState) 99), "");
}

static void
test_job_enum_types_have_every_value (void)
{
  g_autoptr(GEnumClass) kinds = g_type_class_ref (FB_TYPE_JOB_KIND);
  g_autoptr(GEnumClass) phases = g_type_class_ref (FB_TYPE_JOB_PHASE);
  g_autoptr(GEnumClass) states = g_type_class_ref (FB_TYPE_JOB_STATE);

  CU_ASSERT_EQUAL (kinds->n_values, 3);
  CU_ASSERT_EQUAL (phases->n_values, FB_JOB_N_PHASES);
  CU_ASSERT_EQUAL (states->n_values, 5);
  ASSERT_STR (g_enum_get_value (states, FB_JOB_STATE_NOT_FOUND)->value_nick, "not-found");
  ASSERT_STR (g_enum_get_value (phases, FB_JOB_PHASE_TRANSFERRING)->value_nick, "transferring");
  ASSERT_STR (g_enum_get_value (phases, FB_JOB_PHASE_TLS)->value_nick, "tls");
  ASSERT_STR (g_enum_get_value (phases, FB_JOB_PHASE_FIRST_BYTE)->value_nick, "first-byte");
  ASSERT_STR (g_enum_get_value (kinds, FB_JOB_KIND_CATALOG)->value_nick, "catalog");
}

static void
test_job_bitfields_hold_every_value (void)
{
  /* kind, phase and state live in 4-bit fields. */
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_CATALOG, "zw");

  for (FbJobPhase p = FB_JOB_PHASE_QUEUED; p <= FB_JOB_PHASE_SAVING; p++)
    {
      _fb_job_set_phase (job, p);
      CU_ASSERT_EQUAL (fb_job_get_phase (job), p);
    }
  CU_ASSERT_EQUAL (fb_job_get_kind (job), FB_JOB_KIND_CATALOG);
  CU_ASSERT_TRUE (_fb_job_finish (job, FB_JOB_STATE_CANCELLED, "Cancelled"));
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_CANCELLED);
  CU_ASSERT_EQUAL (fb_job_get_phase (job), FB_JOB_PHASE_DONE);
}

/* Phase times: exact microseconds for 35 minutes, then milliseconds. */
static void
test_job_phase_offsets_round_trip (void)
{
  static const gint64 exact[] = { 0, 1, 999, 1000000, G_GINT64_CONSTANT (2147483646) };

  CU_ASSERT_EQUAL (_fb_job_decode_offset (0), -1);
  for (guint i = 0; i < G_N_ELEMENTS (exact); i++)
    {
      guint32 offset = _fb_job_encode_offset (exact[i]);

      CU_ASSERT_NOT_EQUAL (offset, 0);
      CU_ASSERT_EQUAL (_fb_job_decode_offset (offset), exact[i]);
    }
  /* From 2^31 - 1 µs on: milliseconds, rounded down. */
  CU_ASSERT_EQUAL (_fb_job_decode_offset (_fb_job_encode_offset (G_GINT64_CONSTANT (2147483647))),
                   G_GINT64_CONSTANT (2147483000));
  CU_ASSERT_EQUAL (_fb_job_decode_offset (_fb_job_encode_offset (G_GINT64_CONSTANT (3600123456))),
                   G_GINT64_CONSTANT (3600123000));
  /* 24 days and more saturate; a clock going back counts as 0. */
  CU_ASSERT_EQUAL (_fb_job_decode_offset (_fb_job_encode_offset (G_GINT64_CONSTANT (1) << 50)),
                   (gint64) 0x7fffffff * 1000);
  CU_ASSERT_EQUAL (_fb_job_decode_offset (_fb_job_encode_offset (-5)), 0);
}

/* A million jobs that failed the same way share one message, and a job's
 * message and its error's are one string. */
static void
test_job_messages_are_shared (void)
{
  g_autoptr(FbJob) a = fb_job_new (FB_JOB_KIND_PROBE, "a.invalid");
  g_autoptr(FbJob) b = fb_job_new (FB_JOB_KIND_PROBE, "b.invalid");
  g_autoptr(GError) error = g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                                                 "Name or service not known");
  g_autofree char *copy = g_strdup (error->message);

  _fb_job_set_error (a, error);
  _fb_job_set_error (b, error);
  CU_ASSERT_TRUE (_fb_job_finish (a, FB_JOB_STATE_NOT_FOUND, error->message));
  CU_ASSERT_TRUE (_fb_job_finish (b, FB_JOB_STATE_NOT_FOUND, copy));
  CU_ASSERT_STRING_EQUAL (fb_job_get_message (a), "Name or service not known");
  CU_ASSERT_PTR_EQUAL (fb_job_get_message (a), fb_job_get_message (b));
  CU_ASSERT_PTR_NOT_EQUAL (fb_job_get_message (a), error->message);
  /* The GError is built when asked for, with the class and the same text. */
  CU_ASSERT_TRUE (g_error_matches (fb_job_get_error (a), G_RESOLVER_ERROR,
                                   G_RESOLVER_ERROR_NOT_FOUND));
  CU_ASSERT_STRING_EQUAL (fb_job_get_error (a)->message, "Name or service not known");
  CU_ASSERT_PTR_EQUAL (fb_job_get_error (a), fb_job_get_error (a));

  /* A reset forgets both; the other job keeps its message. */
  _fb_job_reset (a);
  CU_ASSERT_PTR_NULL (fb_job_get_message (a));
  CU_ASSERT_PTR_NULL (fb_job_get_error (a));
  CU_ASSERT_STRING_EQUAL (fb_job_get_message (b), "Name or service not known");
}

/* The URL requested is the input in most jobs: kept once, read the same. */
static void
test_job_url_same_as_input (void)
{
  static const char input[] = "http://h/a.bin";
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, input);
  g_autofree char *property = NULL;
  NotifyLog log;

  notify_log_init (&log, job);
  CU_ASSERT_PTR_NULL (fb_job_get_url (job));
  _fb_job_set_url (job, input);
  CU_ASSERT_PTR_EQUAL (fb_job_get_url (job), fb_job_get_input (job));
  _fb_job_set_url (job, "http://h/a.bin");
  CU_ASSERT_EQUAL (notify_count (&log, "url"), 1);
  _fb_job_set_url (job, "http://other/b.bin");
  CU_ASSERT_STRING_EQUAL (fb_job_get_url (job), "http://other/b.bin");
  g_object_get (job, "url", &property, NULL);
  CU_ASSERT_STRING_EQUAL (property, "http://other/b.bin");
  _fb_job_set_url (job, input);
  CU_ASSERT_STRING_EQUAL (fb_job_get_url (job), input);
  _fb_job_set_url (job, NULL);
  CU_ASSERT_PTR_NULL (fb_job_get_url (job));
  CU_ASSERT_EQUAL (notify_count (&log, "url"), 4);
  notify_log_clear (&log, job);
}

/* Jobs of one list share its (interned) name. */
static void
test_job_source_is_shared (void)
{
  g_autoptr(FbJob) a = fb_job_new (FB_JOB_KIND_PROBE, "a.example");
  g_autoptr(FbJob) b = fb_job_new (FB_JOB_KIND_PROBE, "b.example");
  g_autofree char *name = g_strdup ("list.txt");

  fb_job_set_source (a, name, 1);
  fb_job_set_source (b, "list.txt", 2);
  g_clear_pointer (&name, g_free);
  CU_ASSERT_STRING_EQUAL (fb_job_get_source (a), "list.txt");
  CU_ASSERT_PTR_EQUAL (fb_job_get_source (a), fb_job_get_source (b));
  CU_ASSERT_EQUAL (fb_job_get_source_line (b), 2);
}

/* A watcher gets each job whose phase or state changed once per take, in
 * the order of their first change; progress alone is no change. */
static void
test_job_changes_name_each_changed_job_once (void)
{
  g_autoptr(FbJob) a = fb_job_new (FB_JOB_KIND_PROBE, "a.example");
  g_autoptr(FbJob) b = fb_job_new (FB_JOB_KIND_PROBE, "b.example");
  g_autoptr(FbJob) c = fb_job_new (FB_JOB_KIND_PROBE, "c.example");
  g_autoptr(FbJobChanges) changes = NULL;
  g_autoptr(FbJobChanges) other = NULL;
  g_autoptr(GPtrArray) taken = NULL;

  /* Before any watcher: nobody is told, later watchers start empty. */
  _fb_job_set_phase (a, FB_JOB_PHASE_WAITING);
  changes = fb_job_changes_new ();
  CU_ASSERT_EQUAL (fb_job_changes_get_pending (changes), 0);

  _fb_job_set_phase (b, FB_JOB_PHASE_RESOLVING);
  _fb_job_set_phase (a, FB_JOB_PHASE_RESOLVING);
  _fb_job_set_phase (b, FB_JOB_PHASE_CONNECTING);
  _fb_job_set_received (c, 100);           /* progress: not a change */
  _fb_job_set_phase (b, FB_JOB_PHASE_CONNECTING);   /* the same phase: none */
  CU_ASSERT_EQUAL (fb_job_changes_get_pending (changes), 2);
  taken = fb_job_changes_take (changes);
  CU_ASSERT_EQUAL_FATAL (taken->len, 2);
  CU_ASSERT_PTR_EQUAL (g_ptr_array_index (taken, 0), b);
  CU_ASSERT_PTR_EQUAL (g_ptr_array_index (taken, 1), a);
  g_clear_pointer (&taken, g_ptr_array_unref);
  CU_ASSERT_EQUAL (fb_job_changes_get_pending (changes), 0);

  /* Finishing and resetting are changes; two watchers see them both. */
  other = fb_job_changes_new ();
  CU_ASSERT_TRUE (_fb_job_finish (a, FB_JOB_STATE_OK, NULL));
  _fb_job_reset (c);
  taken = fb_job_changes_take (changes);
  CU_ASSERT_EQUAL_FATAL (taken->len, 2);
  CU_ASSERT_PTR_EQUAL (g_ptr_array_index (taken, 0), a);
  CU_ASSERT_PTR_EQUAL (g_ptr_array_index (taken, 1), c);
  g_clear_pointer (&taken, g_ptr_array_unref);
  CU_ASSERT_EQUAL (fb_job_changes_get_pending (other), 2);

  /* A freed watcher is told nothing more; the other still is. */
  g_clear_pointer (&changes, fb_job_changes_free);
  _fb_job_set_phase (b, FB_JOB_PHASE_TRANSFERRING);
  taken = fb_job_changes_take (other);
  CU_ASSERT_EQUAL_FATAL (taken->len, 3);
  CU_ASSERT_PTR_EQUAL (g_ptr_array_index (taken, 2), b);
}

static const FbTestCase tests[] = {
  FB_TEST (test_job_is_finalized),
  FB_TEST (test_job_cancellable_is_cancelled_on_dispose),
  FB_TEST (test_job_run_is_finalized),
  FB_TEST (test_job_construct_properties_round_trip),
  FB_TEST (test_job_new_has_empty_results),
  FB_TEST (test_job_source_round_trips),
  FB_TEST (test_job_source_notifies_only_on_change),
  FB_TEST (test_job_engine_setters_notify_only_on_change),
  FB_TEST (test_job_finish_notifies_once_and_is_final),
  FB_TEST (test_job_reset_clears_results),
  FB_TEST (test_job_fraction_is_minus_one_while_size_unknown),
  FB_TEST (test_job_progress_notifies_are_coalesced),
  FB_TEST (test_job_elapsed_starts_when_job_leaves_queue),
  FB_TEST (test_job_enum_strings_are_exact),
  FB_TEST (test_job_spans_follow_time_across_a_retry),
  FB_TEST (test_job_enum_types_have_every_value),
  FB_TEST (test_job_bitfields_hold_every_value),
  FB_TEST (test_job_phase_offsets_round_trip),
  FB_TEST (test_job_messages_are_shared),
  FB_TEST (test_job_source_is_shared),
  FB_TEST (test_job_url_same_as_input),
  FB_TEST (test_job_changes_name_each_changed_job_once),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "job", tests);
}
