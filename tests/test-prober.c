/* test-prober.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Host-name lookups, with FbProber directly and as probe jobs of a run.
 * Only "localhost" and names under ".invalid" (RFC 6761) are looked up:
 * never a real name through the machine's resolver.
 */

#include "config.h"

#include <netdb.h>
#include <string.h>

#include "fb-prober.h"
#include "fb-run.h"
#include "fb-semaphore.h"
#include "fb-test-utils.h"

#define WAIT_SECONDS 10.0


/* One lookup's outcome. */
typedef struct
{
  FbProber *prober;
  GStrv     addresses;
  GError   *error;
  guint     n_callbacks;
  gboolean  done;
} Lookup;

static void
lookup_clear (Lookup *lookup)
{
  g_clear_pointer (&lookup->addresses, g_strfreev);
  g_clear_error (&lookup->error);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lookup *lookup = user_data;

  CU_ASSERT_PTR_NULL (source);
  lookup->n_callbacks++;
  lookup_clear (lookup);
  lookup->addresses = fb_prober_lookup_finish (lookup->prober, result, &lookup->error);
  /* Exactly one of them. */
  CU_ASSERT_TRUE ((lookup->addresses == NULL) != (lookup->error == NULL));
  lookup->done = TRUE;
}

static gboolean
has_loopback (const char * const *addresses)
{
  return addresses != NULL &&
         (g_strv_contains (addresses, "127.0.0.1") || g_strv_contains (addresses, "::1"));
}

static gboolean
all_unique (const char * const *addresses)
{
  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    for (guint j = i + 1; addresses[j] != NULL; j++)
      if (g_str_equal (addresses[i], addresses[j]))
        return FALSE;
  return TRUE;
}

static void
lookup_one (FbProber     *prober,
            const char   *name,
            double        timeout,
            GCancellable *cancellable,
            Lookup       *lookup)
{
  memset (lookup, 0, sizeof *lookup);
  lookup->prober = prober;
  fb_prober_lookup_async (prober, name, timeout, cancellable, lookup_cb, lookup);
}

static gboolean
prober_idle (gpointer data)
{
  return fb_prober_get_running (data) == 0;
}

/* ---- FbProber ---- */

static void
test_prober_localhost_has_loopback_address (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (4);
  Lookup lookup;

  lookup_one (prober, "localhost", 5.0, NULL, &lookup);
  /* Never answered synchronously. */
  CU_ASSERT_FALSE (lookup.done);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookup.done, WAIT_SECONDS));

  CU_ASSERT_PTR_NULL (lookup.error);
  CU_ASSERT_TRUE (has_loopback ((const char * const *) lookup.addresses));
  CU_ASSERT_TRUE (all_unique ((const char * const *) lookup.addresses));
  CU_ASSERT_EQUAL (lookup.n_callbacks, 1);
  CU_ASSERT_TRUE (fb_prober_get_peak_running (prober) >= 1);
  CU_ASSERT_TRUE (fb_test_wait_until (prober_idle, prober, WAIT_SECONDS));
  lookup_clear (&lookup);
}

static void
test_prober_invalid_name_is_not_found (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (4);
  Lookup lookup;

  lookup_one (prober, "nothere.invalid", 5.0, NULL, &lookup);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookup.done, WAIT_SECONDS));

  CU_ASSERT_PTR_NULL (lookup.addresses);
  CU_ASSERT_TRUE (g_error_matches (lookup.error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND));
  /* Answered without asking the resolver (RFC 6761), in its words. */
  ASSERT_STR (lookup.error ? lookup.error->message : NULL,
              "Name or service not known (.invalid names never exist)");
  lookup_clear (&lookup);
}

static void
test_prober_idn_name_is_converted (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (4);
  Lookup lookup;

  lookup_one (prober, "bücher.invalid", 5.0, NULL, &lookup);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookup.done, WAIT_SECONDS));

  CU_ASSERT_TRUE (g_error_matches (lookup.error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND));
  lookup_clear (&lookup);
}

static void
test_prober_empty_name_is_not_found (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (4);
  Lookup lookup;

  lookup_one (prober, "", 5.0, NULL, &lookup);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookup.done, WAIT_SECONDS));

  CU_ASSERT_TRUE (g_error_matches (lookup.error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND));
  ASSERT_STR (lookup.error ? lookup.error->message : NULL, "“” is not a valid host name");
  CU_ASSERT_EQUAL (fb_prober_get_peak_running (prober), 0);
  lookup_clear (&lookup);
}

static void
test_prober_cancel_returns_cancelled_once (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (2);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Lookup lookups[6];

  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    lookup_one (prober, "localhost", 5.0, cancellable, &lookups[i]);
  g_cancellable_cancel (cancellable);

  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookups[i].done, WAIT_SECONDS));
    }
  /* Late answers from the threads change nothing. */
  CU_ASSERT_TRUE (fb_test_wait_until (prober_idle, prober, WAIT_SECONDS));
  fb_test_spin (0.05);
  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      CU_ASSERT_EQUAL (lookups[i].n_callbacks, 1);
      CU_ASSERT_TRUE (g_error_matches (lookups[i].error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
      lookup_clear (&lookups[i]);
    }
}

static void
test_prober_cancelled_before_start (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (2);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Lookup lookup;

  g_cancellable_cancel (cancellable);
  lookup_one (prober, "localhost", 5.0, cancellable, &lookup);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookup.done, WAIT_SECONDS));

  CU_ASSERT_TRUE (g_error_matches (lookup.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  CU_ASSERT_EQUAL (fb_prober_get_peak_running (prober), 0);
  lookup_clear (&lookup);
}

static void
test_prober_tiny_timeout_times_out_or_answers (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (2);
  Lookup lookups[8];

  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    lookup_one (prober, "localhost", 0.000001, NULL, &lookups[i]);
  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookups[i].done, WAIT_SECONDS));
    }
  CU_ASSERT_TRUE (fb_test_wait_until (prober_idle, prober, WAIT_SECONDS));
  fb_test_spin (0.05);

  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      CU_ASSERT_EQUAL (lookups[i].n_callbacks, 1);
      if (lookups[i].error != NULL)
        {
          CU_ASSERT_TRUE (g_error_matches (lookups[i].error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
          ASSERT_STR (lookups[i].error->message, "No answer from the resolver within 0.0 s");
        }
      else
        {
          CU_ASSERT_TRUE (has_loopback ((const char * const *) lookups[i].addresses));
        }
      lookup_clear (&lookups[i]);
    }
  /* Which of the two wins is a race (the threads may answer before the
   * main loop runs the deadline); either way each lookup ends once. */

  /* The abandoned lookups gave their threads back: a normal one works. */
  {
    Lookup after;

    lookup_one (prober, "localhost", 5.0, NULL, &after);
    CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&after.done, WAIT_SECONDS));
    CU_ASSERT_TRUE (has_loopback ((const char * const *) after.addresses));
    lookup_clear (&after);
  }
}

/* Lowering the limit ends threads (sleeping ones now, busy ones when they
 * finish) and raising it starts more: no lookup is lost either way. */
static void
test_prober_limit_changes_under_way_lose_nothing (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (4);
  Lookup lookups[40];
  guint n_done = 0;

  /* A timeout under the hedge's second: no second ask starts a thread, so
   * only the pool's own threads can answer ("localhost" takes microseconds). */
  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    lookup_one (prober, "localhost", 0.95, NULL, &lookups[i]);
  fb_prober_set_max_threads (prober, 1);
  for (guint i = 0; i < 10; i++)
    CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookups[i].done, WAIT_SECONDS));
  fb_prober_set_max_threads (prober, 8);
  fb_prober_set_max_threads (prober, 2);
  fb_prober_set_max_threads (prober, 6);
  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookups[i].done, WAIT_SECONDS));
      CU_ASSERT_EQUAL (lookups[i].n_callbacks, 1);
      if (has_loopback ((const char * const *) lookups[i].addresses))
        n_done++;
      lookup_clear (&lookups[i]);
    }
  CU_ASSERT_EQUAL (n_done, G_N_ELEMENTS (lookups));
  CU_ASSERT_TRUE (fb_test_wait_until (prober_idle, prober, WAIT_SECONDS));
}

static void
test_prober_peak_stays_within_thread_limit (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (8);
  Lookup lookups[50];

  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* "localhost" comes from /etc/hosts in microseconds, so on a busy
   * machine one round may well run on one thread at a time; rounds go on
   * (for at most 5 s) until two lookups have overlapped. */
  for (guint round = 0;
       round < 2000 && fb_prober_get_peak_running (prober) <= 1 &&
       g_get_monotonic_time () < deadline;
       round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
        lookup_one (prober, "localhost", 5.0, NULL, &lookups[i]);
      for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
        {
          CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookups[i].done, WAIT_SECONDS));
          CU_ASSERT_TRUE (has_loopback ((const char * const *) lookups[i].addresses));
          lookup_clear (&lookups[i]);
        }
      CU_ASSERT_TRUE (fb_prober_get_peak_running (prober) <= 8);
    }

  if (fb_prober_get_peak_running (prober) <= 1 || fb_prober_get_peak_running (prober) > 8)
    g_printerr ("\npeak %u\n", fb_prober_get_peak_running (prober));
  CU_ASSERT_TRUE (fb_prober_get_peak_running (prober) <= 8);
  CU_ASSERT_TRUE (fb_prober_get_peak_running (prober) > 1);
  CU_ASSERT_TRUE (fb_test_wait_until (prober_idle, prober, WAIT_SECONDS));
}

static void
test_prober_lowered_limit_holds (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (8);
  Lookup lookups[30];

  fb_prober_set_max_threads (prober, 1);
  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    lookup_one (prober, "localhost", 5.0, NULL, &lookups[i]);
  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookups[i].done, WAIT_SECONDS));
      CU_ASSERT_PTR_NULL (lookups[i].error);
      lookup_clear (&lookups[i]);
    }
  CU_ASSERT_EQUAL (fb_prober_get_peak_running (prober), 1);
}

static void
test_prober_freed_with_lookups_in_flight (void)
{
  FbProber *prober = fb_prober_new (2);
  Lookup lookups[10];

  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    lookup_one (prober, "localhost", 5.0, NULL, &lookups[i]);
  fb_prober_free (prober);
  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    lookups[i].prober = NULL;

  /* The lookups outlive the prober and still answer, each once. */
  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookups[i].done, WAIT_SECONDS));
      CU_ASSERT_EQUAL (lookups[i].n_callbacks, 1);
      lookup_clear (&lookups[i]);
    }
  fb_test_spin (0.05);
}

/* Names announced ahead are answered once each, through the lookup that
 * asks for them, whether their thread is done or still at it; never
 * synchronously; and never more at once than the limit. */
static void
test_prober_look_ahead_answers_each_once (void)
{
  g_autoptr(FbProber) prober = fb_prober_new (2);
  Lookup lookups[8];

  for (guint i = 0; i < 6; i++)
    fb_prober_look_ahead (prober, "localhost");
  CU_ASSERT_EQUAL (fb_prober_get_n_ahead (prober), 6);
  /* Half of them answered before they are asked for, half maybe not. */
  CU_ASSERT_TRUE (fb_test_wait_until (prober_idle, prober, WAIT_SECONDS));
  for (guint i = 0; i < 3; i++)
    lookup_one (prober, "localhost", 5.0, NULL, &lookups[i]);
  for (guint i = 0; i < 3; i++)
    fb_prober_look_ahead (prober, "localhost");
  for (guint i = 3; i < G_N_ELEMENTS (lookups); i++)
    lookup_one (prober, "localhost", 5.0, NULL, &lookups[i]);
  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    CU_ASSERT_FALSE (lookups[i].done);
  /* 6 + 3 announced, 8 asked for: one is left. */
  CU_ASSERT_EQUAL (fb_prober_get_n_ahead (prober), 1);

  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookups[i].done, WAIT_SECONDS));
  CU_ASSERT_TRUE (fb_test_wait_until (prober_idle, prober, WAIT_SECONDS));
  fb_test_spin (0.05);
  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      CU_ASSERT_EQUAL (lookups[i].n_callbacks, 1);
      CU_ASSERT_PTR_NULL (lookups[i].error);
      CU_ASSERT_TRUE (has_loopback ((const char * const *) lookups[i].addresses));
      lookup_clear (&lookups[i]);
    }
  CU_ASSERT_TRUE (fb_prober_get_peak_running (prober) <= 2);
  CU_ASSERT_EQUAL (fb_prober_get_n_ahead (prober), 1);
}

/* A name never asked for gives no callback and goes with the prober;
 * names that would be answered at once are not announced; too many
 * announced keep only the newest. */
static void
test_prober_look_ahead_never_asked (void)
{
  FbProber *prober = fb_prober_new (2);
  Lookup lookup;

  fb_prober_look_ahead (prober, "nothere.invalid");
  fb_prober_look_ahead (prober, "");
  CU_ASSERT_EQUAL (fb_prober_get_n_ahead (prober), 0);
  CU_ASSERT_EQUAL (fb_prober_get_peak_running (prober), 0);

  for (guint i = 0; i < FB_PROBER_AHEAD_MAX + 10; i++)
    fb_prober_look_ahead (prober, "localhost");
  CU_ASSERT_EQUAL (fb_prober_get_n_ahead (prober), FB_PROBER_AHEAD_MAX);
  fb_prober_forget_ahead (prober);
  CU_ASSERT_EQUAL (fb_prober_get_n_ahead (prober), 0);

  /* A name announced after the others were dropped still answers. */
  fb_prober_look_ahead (prober, "localhost");
  lookup_one (prober, "localhost", 5.0, NULL, &lookup);
  CU_ASSERT_EQUAL (fb_prober_get_n_ahead (prober), 0);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&lookup.done, WAIT_SECONDS));
  CU_ASSERT_TRUE (has_loopback ((const char * const *) lookup.addresses));
  lookup_clear (&lookup);

  /* Freed with announced names in flight: nothing is reported, nothing
   * leaks (the sanitizer build). */
  for (guint i = 0; i < 20; i++)
    fb_prober_look_ahead (prober, "localhost");
  fb_prober_free (prober);
  fb_test_spin (0.1);
  CU_ASSERT_EQUAL (lookup.n_callbacks, 1);
}

/* ---- probe jobs in a run ---- */

typedef struct
{
  FbRun   *run;
  char    *dir;
  guint    active_at_finish;
  gboolean finished;
} Fixture;

static void
finished_cb (FbRun   *run,
             Fixture *fx)
{
  fx->active_at_finish = fb_run_get_active (run);
  fx->finished = TRUE;
}

static void
fixture_init (Fixture *fx)
{
  memset (fx, 0, sizeof *fx);
  fx->dir = fb_test_make_tmpdir ();
  fx->run = fb_run_new ();
  fb_run_set_destination (fx->run, fx->dir);
  g_signal_connect (fx->run, "finished", G_CALLBACK (finished_cb), fx);
}

static void
fixture_clear (Fixture *fx)
{
  gpointer weak = fx->run;
  g_auto(GStrv) names = fb_test_list_dir (fx->dir);

  /* Probes never write a file. */
  CU_ASSERT_EQUAL (g_strv_length (names), 0);
  g_signal_handlers_disconnect_by_data (fx->run, fx);
  g_object_add_weak_pointer (G_OBJECT (fx->run), &weak);
  g_object_unref (fx->run);
  /* A cancelled wait in the semaphore returns on the next iteration. */
  fb_test_spin (0.05);
  CU_ASSERT_PTR_NULL (weak);
  /* A run kept alive elsewhere must not write into this frame later. */
  if (weak != NULL)
    g_object_remove_weak_pointer (weak, &weak);
  fb_test_rm_rf (fx->dir);
  g_free (fx->dir);
}

static FbJob *
add_name (Fixture    *fx,
          const char *name)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_PROBE, name);

  fb_run_add_job (fx->run, job);
  return job;
}

static void
test_prober_run_probes_report_each_outcome (void)
{
  Fixture fx;
  FbJob *local;
  FbJob *missing;
  FbJob *idn;
  g_auto(GStrv) addresses = NULL;

  fixture_init (&fx);
  local = add_name (&fx, "localhost");
  missing = add_name (&fx, "nothere.invalid");
  idn = add_name (&fx, "bücher.invalid");
  fb_run_start (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));

  CU_ASSERT_EQUAL (fb_job_get_state (local), FB_JOB_STATE_OK);
  addresses = g_strsplit (fb_job_get_addresses (local) ? fb_job_get_addresses (local) : "",
                          ", ", -1);
  CU_ASSERT_TRUE (has_loopback ((const char * const *) addresses));
  /* The message of a probe is its addresses. */
  ASSERT_STR (fb_job_get_message (local), fb_job_get_addresses (local));
  CU_ASSERT_TRUE (fb_job_get_phase_time (local, FB_JOB_PHASE_RESOLVING) > 0);
  CU_ASSERT_EQUAL (fb_job_get_phase_time (local, FB_JOB_PHASE_CONNECTING), 0);
  CU_ASSERT_PTR_NULL (fb_job_get_url (local));

  CU_ASSERT_EQUAL (fb_job_get_state (missing), FB_JOB_STATE_NOT_FOUND);
  ASSERT_STR (fb_job_get_message (missing), "Name or service not known (.invalid names never exist)");
  CU_ASSERT_PTR_NULL (fb_job_get_addresses (missing));
  CU_ASSERT_EQUAL (fb_job_get_state (idn), FB_JOB_STATE_NOT_FOUND);
  /* Shown as typed. */
  ASSERT_STR (fb_job_get_input (idn), "bücher.invalid");

  CU_ASSERT_EQUAL (fb_run_get_n_ok (fx.run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (fx.run), 2);
  CU_ASSERT_EQUAL (fb_run_get_n_error (fx.run), 0);
  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (fx.run), 0);
  CU_ASSERT_EQUAL (fb_run_get_bytes_received (fx.run), 0);
  fixture_clear (&fx);
}

static void
test_prober_run_cancel_ends_probes_cancelled (void)
{
  Fixture fx;
  guint n = 40;

  fixture_init (&fx);
  fb_run_set_max_concurrency (fx.run, 4);
  for (guint i = 0; i < n; i++)
    add_name (&fx, "localhost");
  fb_run_start (fx.run);
  fb_run_cancel (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));

  /* Cancelled before any answer could reach the main loop: all of them. */
  CU_ASSERT_EQUAL (fb_run_get_n_finished (fx.run), n);
  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (fx.run), n);
  CU_ASSERT_EQUAL (fb_run_get_active (fx.run), 0);
  fixture_clear (&fx);
  /* Abandoned lookups return to a main loop that still runs. */
  fb_test_spin (0.1);
}

static void
test_prober_run_cancel_leaves_no_slot_held (void)
{
  Fixture fx;
  FbJob *running;
  FbJob *queued;

  /* One probe holds the only slot; the run waits in the semaphore for the
   * second. Cancel: the first returns its slot while the run's own wait is
   * being cancelled; that slot must not stay taken once "finished" says
   * that all is over. */
  fixture_init (&fx);
  fb_run_set_max_concurrency (fx.run, 1);
  running = add_name (&fx, "localhost");
  queued = add_name (&fx, "localhost");
  fb_run_start (fx.run);
  fb_run_cancel (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));

  CU_ASSERT_EQUAL (fb_job_get_state (running), FB_JOB_STATE_CANCELLED);
  CU_ASSERT_EQUAL (fb_job_get_state (queued), FB_JOB_STATE_CANCELLED);
  CU_ASSERT_EQUAL (fx.active_at_finish, 0);
  CU_ASSERT_EQUAL (fb_run_get_active (fx.run), 0);
  CU_ASSERT_EQUAL (fb_semaphore_get_waiting (fb_run_get_semaphore (fx.run)), 0);
  fixture_clear (&fx);
  fb_test_spin (0.1);
}

static void
test_prober_run_tiny_dns_timeout_is_one_final_state (void)
{
  Fixture fx;
  guint n = 10;

  fixture_init (&fx);
  fb_run_set_dns_timeout (fx.run, 0.000001);
  fb_run_set_max_concurrency (fx.run, 2);
  for (guint i = 0; i < n; i++)
    add_name (&fx, "localhost");
  fb_run_start (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (fb_run_get_jobs (fx.run), i);

      if (fb_job_get_state (job) == FB_JOB_STATE_ERROR)
        {
          ASSERT_STR (fb_job_get_message (job), "No answer from the resolver within 0.0 s");
        }
      else
        {
          CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
        }
    }
  CU_ASSERT_EQUAL (fb_run_get_n_ok (fx.run) + fb_run_get_n_error (fx.run), n);
  fixture_clear (&fx);
  fb_test_spin (0.1);
}

typedef struct
{
  GHashTable *reported;  /* FbJob* → times "job-finished" came */
  guint       n_reports;
  gboolean    all_final;
} Reports;

static void
job_finished_cb (FbRun   *run,
                 FbJob   *job,
                 Reports *reports)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (reports->reported, job));

  g_hash_table_insert (reports->reported, job, GUINT_TO_POINTER (n + 1));
  reports->n_reports++;
  if (!fb_job_is_final (job))
    reports->all_final = FALSE;
}

/* Enough names that the prober works ahead of the queue and the main loop
 * takes answers in batches: every job is reported once, in its final
 * state, with the right outcome; the limit holds. */
static void
test_prober_run_many_probes_each_reported_once (void)
{
  Fixture fx;
  Reports reports = { g_hash_table_new (NULL, NULL), 0, TRUE };
  guint n = 600;
  guint limit = 32;

  fixture_init (&fx);
  g_signal_connect (fx.run, "job-finished", G_CALLBACK (job_finished_cb), &reports);
  fb_run_set_max_concurrency (fx.run, limit);
  for (guint i = 0; i < n; i++)
    add_name (&fx, i % 10 == 9 ? "nothere.invalid" : "localhost");
  fb_run_start (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, 3 * WAIT_SECONDS));

  CU_ASSERT_EQUAL (reports.n_reports, n);
  CU_ASSERT_EQUAL (g_hash_table_size (reports.reported), n);
  CU_ASSERT_TRUE (reports.all_final);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (fb_run_get_jobs (fx.run), i);
      g_auto(GStrv) addresses = NULL;

      CU_ASSERT_EQUAL (GPOINTER_TO_UINT (g_hash_table_lookup (reports.reported, job)), 1);
      if (i % 10 == 9)
        {
          CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_NOT_FOUND);
          continue;
        }
      CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
      addresses = g_strsplit (fb_job_get_addresses (job) ? fb_job_get_addresses (job) : "", ", ", -1);
      CU_ASSERT_TRUE (has_loopback ((const char * const *) addresses));
    }
  CU_ASSERT_EQUAL (fb_run_get_n_ok (fx.run), n - n / 10);
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (fx.run), n / 10);
  CU_ASSERT_TRUE (fb_semaphore_get_peak (fb_run_get_semaphore (fx.run)) <= limit);
  CU_ASSERT_EQUAL (fb_run_get_active (fx.run), 0);
  g_signal_handlers_disconnect_by_data (fx.run, &reports);
  g_hash_table_unref (reports.reported);
  fixture_clear (&fx);
}

static gboolean
reported_some (gpointer data)
{
  return ((Reports *) data)->n_reports >= 20;
}

/* Cancelled while names are being looked up ahead of their jobs: every
 * job ends once, the queued ones cancelled, and no slot stays taken. */
static void
test_prober_run_cancel_with_names_ahead (void)
{
  Fixture fx;
  Reports reports = { g_hash_table_new (NULL, NULL), 0, TRUE };
  guint n = 300;

  fixture_init (&fx);
  g_signal_connect (fx.run, "job-finished", G_CALLBACK (job_finished_cb), &reports);
  fb_run_set_max_concurrency (fx.run, 8);
  for (guint i = 0; i < n; i++)
    add_name (&fx, "localhost");
  fb_run_start (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (reported_some, &reports, WAIT_SECONDS));
  fb_run_cancel (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));

  CU_ASSERT_EQUAL (reports.n_reports, n);
  CU_ASSERT_EQUAL (g_hash_table_size (reports.reported), n);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (fx.run), n);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (fx.run) + fb_run_get_n_cancelled (fx.run), n);
  CU_ASSERT_TRUE (fb_run_get_n_cancelled (fx.run) > 0);
  CU_ASSERT_EQUAL (fb_run_get_active (fx.run), 0);
  g_signal_handlers_disconnect_by_data (fx.run, &reports);
  g_hash_table_unref (reports.reported);
  fixture_clear (&fx);
  fb_test_spin (0.1);
}

static void
test_prober_run_retry_probe (void)
{
  Fixture fx;
  FbJob *job;

  fixture_init (&fx);
  job = add_name (&fx, "nothere.invalid");
  fb_run_start (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (fx.run), 1);

  fx.finished = FALSE;
  CU_ASSERT_TRUE (fb_run_retry_job (fx.run, job));
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (fx.run), 0);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (fx.run), 0);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_NOT_FOUND);
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (fx.run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (fx.run), 1);
  fixture_clear (&fx);
}

static const FbTestCase tests[] = {
  FB_TEST (test_prober_localhost_has_loopback_address),
  FB_TEST (test_prober_invalid_name_is_not_found),
  FB_TEST (test_prober_idn_name_is_converted),
  FB_TEST (test_prober_empty_name_is_not_found),
  FB_TEST (test_prober_cancel_returns_cancelled_once),
  FB_TEST (test_prober_cancelled_before_start),
  FB_TEST (test_prober_tiny_timeout_times_out_or_answers),
  FB_TEST (test_prober_peak_stays_within_thread_limit),
  FB_TEST (test_prober_limit_changes_under_way_lose_nothing),
  FB_TEST (test_prober_lowered_limit_holds),
  FB_TEST (test_prober_freed_with_lookups_in_flight),
  FB_TEST (test_prober_look_ahead_answers_each_once),
  FB_TEST (test_prober_look_ahead_never_asked),
  FB_TEST (test_prober_run_probes_report_each_outcome),
  FB_TEST (test_prober_run_cancel_ends_probes_cancelled),
  FB_TEST (test_prober_run_cancel_leaves_no_slot_held),
  FB_TEST (test_prober_run_tiny_dns_timeout_is_one_final_state),
  FB_TEST (test_prober_run_retry_probe),
  FB_TEST (test_prober_run_many_probes_each_reported_once),
  FB_TEST (test_prober_run_cancel_with_names_ahead),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  /* The resolver of a machine without outside DNS sometimes loses a query
   * to a name under .invalid and retries after 5 s (a dns-timeout of its
   * own); retry after 1 s instead so that a lost packet cannot pass for a
   * timeout of the prober. */
  g_setenv ("RES_OPTIONS", "timeout:1 attempts:3", TRUE);
  return fb_test_main (argc, argv, "prober", tests);
}
