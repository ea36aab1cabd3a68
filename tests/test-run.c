/* test-run.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fb-downloader.h"
#include "fb-run.h"
#include "fb-semaphore.h"
#include "fb-test-utils.h"

typedef struct
{
  FbRun     *run;
  char      *dir;
  GPtrArray *finished;   /* FbJob*, completion order */
  guint      n_finished_signals;
  gboolean   done;
} Fixture;

static void
job_finished_cb (FbRun   *run,
                 FbJob   *job,
                 Fixture *f)
{
  g_ptr_array_add (f->finished, g_object_ref (job));
}

static void
finished_cb (FbRun   *run,
             Fixture *f)
{
  f->n_finished_signals++;
  f->done = TRUE;
}

static void
fixture_init (Fixture *f,
              guint    limit)
{
  f->run = fb_run_new ();
  f->dir = fb_test_make_tmpdir ();
  f->finished = g_ptr_array_new_with_free_func (g_object_unref);
  f->done = FALSE;
  f->n_finished_signals = 0;
  fb_run_set_destination (f->run, f->dir);
  fb_run_set_max_concurrency (f->run, limit);
  fb_run_set_timeout (f->run, 10);
  g_signal_connect (f->run, "job-finished", G_CALLBACK (job_finished_cb), f);
  g_signal_connect (f->run, "finished", G_CALLBACK (finished_cb), f);
}

static void
fixture_clear (Fixture *f)
{
  gpointer weak = f->run;

  g_object_add_weak_pointer (G_OBJECT (f->run), &weak);
  g_clear_object (&f->run);
  /* The run and everything it started are gone once it is released. */
  fb_test_spin (0.01);
  CU_ASSERT_PTR_NULL (weak);
  g_ptr_array_unref (f->finished);
  fb_test_rm_rf (f->dir);
  g_free (f->dir);
}

static void
add_download (Fixture      *f,
              FbTestServer *server,
              const char   *path)
{
  g_autofree char *url = fb_test_server_url (server, path);
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);

  fb_run_add_job (f->run, job);
}

static void
assert_counters_add_up (FbRun *run)
{
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run) + fb_run_get_n_not_found (run) +
                   fb_run_get_n_error (run) + fb_run_get_n_cancelled (run),
                   fb_run_get_n_finished (run));
}

static void
check_in_flight (guint limit)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  guint n_jobs = 2 * limit + 3;
  Fixture f;

  fixture_init (&f, limit);
  for (guint i = 0; i < n_jobs; i++)
    {
      /* Each answer is held long enough for the whole first wave to
       * connect, even on a loaded machine under AddressSanitizer (0.4 s
       * was too short there for 200 connects). */
      g_autofree char *path = g_strdup_printf ("/file/f%03u.bin?size=%u&delay=%u",
                                               i, 100 + i, limit >= 50 ? 1500 : 200);
      add_download (&f, server, path);
    }
  CU_ASSERT_EQUAL (fb_run_get_waiting (f.run), n_jobs);
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 60);

  /* The server saw exactly the limit at once: libsoup's own caps (10 in
   * all, 2 per host by default) are not what limits the run. */
  CU_ASSERT_EQUAL (fb_test_server_get_peak (server), limit);
  CU_ASSERT_EQUAL (fb_semaphore_get_peak (fb_run_get_semaphore (f.run)), limit);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (f.run), n_jobs);
  CU_ASSERT_EQUAL (fb_run_get_total (f.run), n_jobs);
  CU_ASSERT_EQUAL (fb_run_get_active (f.run), 0);
  CU_ASSERT_EQUAL (fb_run_get_waiting (f.run), 0);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".bin"), n_jobs);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".part"), 0);
  CU_ASSERT_EQUAL (f.n_finished_signals, 1);
  fixture_clear (&f);
}

static void
test_run_in_flight_equals_limit_1 (void)
{
  check_in_flight (1);
}

static void
test_run_in_flight_equals_limit_5 (void)
{
  check_in_flight (5);
}

static void
test_run_in_flight_equals_limit_50 (void)
{
  check_in_flight (50);
}

static void
test_run_in_flight_equals_limit_200 (void)
{
  check_in_flight (200);
}

static gboolean
in_flight_is (gpointer data)
{
  gpointer *pair = data;

  return fb_test_server_get_in_flight (pair[0]) == GPOINTER_TO_UINT (pair[1]);
}

static void
test_run_limit_changes_while_running (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  gpointer pair[2] = { server, NULL };
  Fixture f;

  fixture_init (&f, 2);
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *path = g_strdup_printf ("/file/c%02u.bin?size=10&delay=300", i);
      add_download (&f, server, path);
    }
  fb_run_start (f.run);

  pair[1] = GUINT_TO_POINTER (2);
  fb_test_wait_until (in_flight_is, pair, 5);
  CU_ASSERT_EQUAL (fb_run_get_active (f.run), 2);

  /* Raising takes effect at once. */
  fb_run_set_max_concurrency (f.run, 10);
  CU_ASSERT_EQUAL (fb_run_get_active (f.run), 10);
  pair[1] = GUINT_TO_POINTER (10);
  fb_test_wait_until (in_flight_is, pair, 5);

  /* Lowering takes effect as slots come back. */
  fb_run_set_max_concurrency (f.run, 3);
  CU_ASSERT_EQUAL (fb_run_get_max_concurrency (f.run), 3);
  pair[1] = GUINT_TO_POINTER (3);
  fb_test_wait_until (in_flight_is, pair, 5);
  fb_test_spin (0.35);
  CU_ASSERT_TRUE (fb_test_server_get_in_flight (server) <= 3);
  CU_ASSERT_TRUE (fb_run_get_active (f.run) <= 3);

  fb_run_cancel (f.run);
  fb_test_wait_flag (&f.done, 10);
  assert_counters_add_up (f.run);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (f.run), 60);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".part"), 0);
  fixture_clear (&f);
}

static void
test_run_reports_in_completion_order (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  static const char *paths[] = {
    "/file/slow.bin?size=1&delay=600",
    "/file/fast.bin?size=1&delay=50",
    "/file/mid.bin?size=1&delay=300",
  };
  Fixture f;

  fixture_init (&f, 3);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    add_download (&f, server, paths[i]);
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 10);

  CU_ASSERT_EQUAL (f.finished->len, 3);
  if (f.finished->len == 3)
    {
      CU_ASSERT_TRUE (g_str_has_suffix (fb_job_get_saved_path (f.finished->pdata[0]), "/fast.bin"));
      CU_ASSERT_TRUE (g_str_has_suffix (fb_job_get_saved_path (f.finished->pdata[1]), "/mid.bin"));
      CU_ASSERT_TRUE (g_str_has_suffix (fb_job_get_saved_path (f.finished->pdata[2]), "/slow.bin"));
    }
  fixture_clear (&f);
}

static void
test_run_counters_add_up_with_every_outcome (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  Fixture f;

  fixture_init (&f, 4);
  add_download (&f, server, "/file/ok.bin?size=10");
  add_download (&f, server, "/status/404");
  add_download (&f, server, "/status/500");
  add_download (&f, server, "/status/418");
  add_download (&f, server, "/file/late.bin?size=10&delay=3000");
  fb_run_start (f.run);
  fb_test_spin (0.4);
  fb_run_cancel (f.run);
  fb_test_wait_flag (&f.done, 10);

  CU_ASSERT_EQUAL (fb_run_get_total (f.run), 5);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (f.run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (f.run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_error (f.run), 2);
  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (f.run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (f.run), 5);
  CU_ASSERT_EQUAL (f.finished->len, 5);
  CU_ASSERT_EQUAL (f.n_finished_signals, 1);
  CU_ASSERT_FALSE (fb_run_get_running (f.run));
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".part"), 0);
  fixture_clear (&f);
}

static void
test_run_cancel_ends_queued_and_running_jobs (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  Fixture f;

  fixture_init (&f, 5);
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *path = g_strdup_printf ("/file/q%04u.bin?size=100000&delay=2000", i);
      add_download (&f, server, path);
    }
  fb_run_start (f.run);
  fb_test_spin (0.3);
  CU_ASSERT_EQUAL (fb_run_get_active (f.run), 5);
  CU_ASSERT_EQUAL (fb_run_get_waiting (f.run), 1995);
  fb_run_cancel (f.run);
  fb_test_wait_flag (&f.done, 10);
  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (f.run), 2000);
  CU_ASSERT_EQUAL (fb_run_get_waiting (f.run), 0);
  CU_ASSERT_EQUAL (fb_run_get_active (f.run), 0);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".part"), 0);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".bin"), 0);
  fixture_clear (&f);
}

static void
test_run_starts_jobs_added_while_running (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  Fixture f;

  fixture_init (&f, 2);
  add_download (&f, server, "/file/first.bin?size=10&delay=300");
  fb_run_start (f.run);
  fb_test_spin (0.05);
  add_download (&f, server, "/file/second.bin?size=10&delay=100");
  fb_test_spin (0.05);
  CU_ASSERT_EQUAL (fb_run_get_active (f.run), 2);
  fb_test_wait_flag (&f.done, 10);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (f.run), 2);
  CU_ASSERT_EQUAL (f.n_finished_signals, 1);
  fixture_clear (&f);
}

static void
test_run_retry_moves_counters (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  FbJob *job;
  Fixture f;

  fixture_init (&f, 2);
  add_download (&f, server, "/status/503");
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 10);
  CU_ASSERT_EQUAL (fb_run_get_n_error (f.run), 1);
  job = g_list_model_get_item (fb_run_get_jobs (f.run), 0);
  CU_ASSERT_STRING_EQUAL (fb_job_get_message (job), "HTTP error 503 - Service Unavailable");
  CU_ASSERT_TRUE (g_error_matches (fb_job_get_error (job), FB_FETCH_ERROR, FB_FETCH_ERROR_HTTP));

  f.done = FALSE;
  CU_ASSERT_TRUE (fb_run_retry_job (f.run, job));
  CU_ASSERT_EQUAL (fb_run_get_n_error (f.run), 0);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (f.run), 0);
  CU_ASSERT_FALSE (fb_job_is_final (job));
  CU_ASSERT_PTR_NULL (fb_job_get_error (job));
  fb_test_wait_flag (&f.done, 10);
  CU_ASSERT_EQUAL (fb_run_get_n_error (f.run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (f.run), 1);
  CU_ASSERT_EQUAL (f.n_finished_signals, 2);
  /* A third attempt; the run must be done with it before it goes. */
  f.done = FALSE;
  CU_ASSERT_FALSE (fb_run_retry_job (f.run, job) && FALSE);
  fb_test_wait_flag (&f.done, 10);
  g_object_unref (job);
  fixture_clear (&f);
}

static char *
read_file (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents;
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, NULL);
}

/* A stale NAME.part (a killed run) must not move the result to NAME (1),
 * nor make --overwrite replace an unrelated NAME (1). */
static void
test_run_stale_part_file_does_not_change_the_name (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autofree char *other = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(GBytes) body = fb_test_body (50);
  Fixture f;

  fixture_init (&f, 2);
  write_file (f.dir, "file.bin", "OLD");
  write_file (f.dir, "file.bin.part", "stale");
  write_file (f.dir, "file (1).bin", "USER'S OTHER FILE");
  fb_run_set_overwrite (f.run, TRUE);
  add_download (&f, server, "/file/file.bin?size=50");
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 10);

  CU_ASSERT_EQUAL (fb_run_get_n_ok (f.run), 1);
  other = read_file (f.dir, "file (1).bin");
  CU_ASSERT_STRING_EQUAL (other, "USER'S OTHER FILE");
  saved = read_file (f.dir, "file.bin");
  CU_ASSERT_TRUE (saved != NULL && memcmp (saved, g_bytes_get_data (body, NULL), 50) == 0);
  fixture_clear (&f);

  fixture_init (&f, 2);
  write_file (f.dir, "file.bin.part", "stale");
  add_download (&f, server, "/file/file.bin?size=50");
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 10);
  g_clear_pointer (&saved, g_free);
  saved = read_file (f.dir, "file.bin");
  CU_ASSERT_PTR_NOT_NULL (saved);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".bin"), 1);
  fixture_clear (&f);
}

static void
test_run_retry_after_queued_cancel_runs_once (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autoptr(FbJob) queued = NULL;
  g_autofree char *url = fb_test_server_url (server, "/file/b.bin?size=10");
  Fixture f;

  fixture_init (&f, 2);
  add_download (&f, server, "/file/slow1.bin?size=10&delay=400");
  add_download (&f, server, "/file/slow2.bin?size=10&delay=400");
  queued = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);
  fb_run_add_job (f.run, queued);
  fb_run_start (f.run);
  fb_test_spin (0.05);
  CU_ASSERT_EQUAL (fb_run_get_waiting (f.run), 1);
  fb_run_cancel_job (f.run, queued);
  CU_ASSERT_EQUAL (fb_job_get_state (queued), FB_JOB_STATE_CANCELLED);
  CU_ASSERT_EQUAL (fb_run_get_waiting (f.run), 0);
  CU_ASSERT_TRUE (fb_run_retry_job (f.run, queued));
  CU_ASSERT_EQUAL (fb_run_get_waiting (f.run), 1);
  fb_test_wait_flag (&f.done, 10);

  CU_ASSERT_EQUAL (fb_run_get_n_ok (f.run), 3);
  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (f.run), 0);
  CU_ASSERT_EQUAL (fb_run_get_waiting (f.run), 0);
  CU_ASSERT_EQUAL (fb_test_server_get_requests (server), 3);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".bin"), 3);
  fixture_clear (&f);
}

/* The bounds a person can choose are the same in the CLI (FB_RUN_* and
 * FB_SEMAPHORE_*), the GSettings schema and the preferences' adjustments. */
static void
assert_schema_range (GSettingsSchema *schema,
                     const char      *key,
                     double           min,
                     double           max)
{
  g_autoptr(GSettingsSchemaKey) schema_key = g_settings_schema_get_key (schema, key);
  g_autoptr(GVariant) range = g_settings_schema_key_get_range (schema_key);
  g_autoptr(GVariant) bounds = NULL;
  const char *type = NULL;
  double low;
  double high;

  g_variant_get (range, "(&sv)", &type, &bounds);
  CU_ASSERT_STRING_EQUAL (type, "range");
  if (g_variant_is_of_type (bounds, G_VARIANT_TYPE ("(dd)")))
    g_variant_get (bounds, "(dd)", &low, &high);
  else
    {
      guint32 ulow;
      guint32 uhigh;

      g_variant_get (bounds, "(uu)", &ulow, &uhigh);
      low = ulow;
      high = uhigh;
    }
  CU_ASSERT_DOUBLE_EQUAL (low, min, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL (high, max, 1e-9);
}

static void
assert_adjustment (const char *ui,
                   const char *id,
                   double      min,
                   double      max)
{
  g_autofree char *pattern = g_strdup_printf (
    "<object class=\"GtkAdjustment\" id=\"%s\">\\s*"
    "<property name=\"lower\">([0-9.]+)</property>\\s*"
    "<property name=\"upper\">([0-9.]+)</property>", id);
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *upper = NULL;

  CU_ASSERT_TRUE_FATAL (g_regex_match (regex, ui, 0, &match));
  lower = g_match_info_fetch (match, 1);
  upper = g_match_info_fetch (match, 2);
  CU_ASSERT_DOUBLE_EQUAL (g_ascii_strtod (lower, NULL), min, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL (g_ascii_strtod (upper, NULL), max, 1e-9);
}

static void
test_run_bounds_match_schema_and_preferences (void)
{
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ui_path = g_build_filename (g_getenv ("FETCHBOARD_SOURCE_ROOT"), "ui",
                                               "fb-preferences-window.ui", NULL);
  g_autofree char *ui = NULL;

  source = g_settings_schema_source_new_from_directory (g_getenv ("GSETTINGS_SCHEMA_DIR"),
                                                        NULL, TRUE, &error);
  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, "io.github.fetchboard.Fetchboard", FALSE);
  CU_ASSERT_PTR_NOT_NULL_FATAL (schema);
  assert_schema_range (schema, "timeout", FB_RUN_MIN_TIMEOUT, FB_RUN_MAX_TIMEOUT);
  assert_schema_range (schema, "dns-timeout", FB_RUN_MIN_TIMEOUT, FB_RUN_MAX_TIMEOUT);
  assert_schema_range (schema, "concurrent-jobs", FB_SEMAPHORE_MIN_LIMIT, FB_SEMAPHORE_MAX_LIMIT);

  g_file_get_contents (ui_path, &ui, NULL, &error);
  g_assert_no_error (error);
  assert_adjustment (ui, "timeout_adjustment", FB_RUN_MIN_TIMEOUT, FB_RUN_MAX_TIMEOUT);
  assert_adjustment (ui, "dns_timeout_adjustment", FB_RUN_MIN_TIMEOUT, FB_RUN_MAX_TIMEOUT);
  assert_adjustment (ui, "concurrency_adjustment", FB_SEMAPHORE_MIN_LIMIT,
                     FB_SEMAPHORE_MAX_LIMIT);

  /* The largest timeout is a real one, not a wrapped or overflowed number. */
  {
    g_autoptr(FbRun) run = fb_run_new ();

    fb_run_set_timeout (run, FB_RUN_MAX_TIMEOUT);
    fb_run_set_dns_timeout (run, FB_RUN_MAX_TIMEOUT);
    CU_ASSERT_DOUBLE_EQUAL (fb_run_get_timeout (run), FB_RUN_MAX_TIMEOUT, 0);
    CU_ASSERT_DOUBLE_EQUAL (fb_run_get_dns_timeout (run), FB_RUN_MAX_TIMEOUT, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    FB_TEST (test_run_bounds_match_schema_and_preferences),
    { "test_run_in_flight_equals_limit_1", test_run_in_flight_equals_limit_1 },
    { "test_run_in_flight_equals_limit_5", test_run_in_flight_equals_limit_5 },
    { "test_run_in_flight_equals_limit_50", test_run_in_flight_equals_limit_50 },
    { "test_run_in_flight_equals_limit_200", test_run_in_flight_equals_limit_200 },
    { "test_run_limit_changes_while_running", test_run_limit_changes_while_running },
    { "test_run_reports_in_completion_order", test_run_reports_in_completion_order },
    { "test_run_counters_add_up_with_every_outcome", test_run_counters_add_up_with_every_outcome },
    { "test_run_cancel_ends_queued_and_running_jobs", test_run_cancel_ends_queued_and_running_jobs },
    { "test_run_starts_jobs_added_while_running", test_run_starts_jobs_added_while_running },
    { "test_run_retry_moves_counters", test_run_retry_moves_counters },
    { "test_run_stale_part_file_does_not_change_the_name", test_run_stale_part_file_does_not_change_the_name },
    { "test_run_retry_after_queued_cancel_runs_once", test_run_retry_after_queued_cancel_runs_once },
    { NULL, NULL },
  };

  return fb_test_main (argc, argv, "run", tests);
}
