/* test-session.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window brings back a run that a crash left unfinished: finished jobs
 * stay finished (never fetched again), the rest wait, paused, for Start.
 */

#include "config.h"

#include <string.h>

#include "fb-application.h"
#include "fb-history-page.h"
#include "fb-input.h"
#include "fb-journal.h"
#include "fb-preview-dialog.h"
#include "fb-session.h"
#include "fb-test-utils.h"
#include "fb-window.h"

static FbApplication *app;
static FbTestServer *server;
static FbJournal *holder; /* "locked": another owner of the journal */
static char *dir;
/* The 1 MiB download the crash cut after 640 KiB, and what its .part held. */
#define BIG_SIZE (1024 * 1024)
#define BIG_HOLD (640 * 1024)
static char *big_part;
static GBytes *big_part_bytes;

static FbWindow *
find_window (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (FB_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static gboolean
restored (gpointer data)
{
  FbWindow *window = find_window ();

  return window != NULL && fb_window_get_run (window) != NULL
         && fb_run_get_total (fb_window_get_run (window)) == 4;
}

static gboolean
run_ended (gpointer data)
{
  FbRun *run = data;

  return fb_run_get_n_finished (run) == fb_run_get_total (run) && !fb_run_get_running (run);
}

/* After the journal's own handler: the row for this size is queued. */
static void
part_written_cb (FbRun      *run,
                 FbJob      *job,
                 const char *part_path,
                 guint64     written,
                 gpointer    user_data)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (part_path, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, written);
  g_free (big_part);
  big_part = g_strdup (part_path);
  g_clear_pointer (&big_part_bytes, g_bytes_unref);
  big_part_bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
}

static gboolean
crash_point (gpointer data)
{
  return fb_run_get_n_ok (data) == 2 && big_part_bytes != NULL;
}

static void
flushed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  fb_journal_flush_finish (FB_JOURNAL (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* What a crash leaves: two files saved and recorded, a third under way,
 * a fourth half-way through its body, its .part on disk. */
static void
crash_a_run (void)
{
  g_autofree char *path = fb_journal_default_path ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FbJournal) journal = fb_journal_open (path, &error);
  g_autoptr(FbRun) run = fb_run_new ();
  g_autofree char *big = g_strdup_printf ("/ranged/big.bin?size=%d&hold=%d", BIG_SIZE, BIG_HOLD);
  const char *paths[] = { "/file/a.bin?size=100", "/file/b.bin?size=200", "/stall", big };
  gboolean flushed = FALSE;

  g_assert_no_error (error);
  g_mkdir_with_parents (out, 0700);
  fb_run_set_destination (run, out);
  /* Long enough for the crash to come before the held body times out. */
  fb_run_set_timeout (run, 3);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = fb_test_server_url (server, paths[i]);
      g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);

      fb_run_add_job (run, job);
    }
  fb_journal_track_run (journal, run, NULL, NULL, NULL);
  g_signal_connect (run, "part-written", G_CALLBACK (part_written_cb), NULL);
  fb_run_start (run);
  g_assert_true (fb_test_wait_until (crash_point, run, 10));
  fb_journal_flush_async (journal, NULL, flushed_cb, &flushed);
  g_assert_true (fb_test_wait_flag (&flushed, 10));
  fb_journal_close (journal);
  fb_run_cancel (run);
  fb_test_spin (0.1);
  /* The cancel removed the .part; a crash would have left it. */
  g_assert_false (g_file_test (big_part, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_set_contents (big_part, g_bytes_get_data (big_part_bytes, NULL),
                                      g_bytes_get_size (big_part_bytes), NULL));
}

static void
test_session_restores_an_unfinished_run_paused (void)
{
  FbWindow *window;
  FbRun *run;
  g_autoptr(FbJob) first = NULL;
  g_autoptr(FbJob) third = NULL;
  g_autofree char *saved = g_build_filename (dir, "out", "a.bin", NULL);

  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (restored, NULL, 10));
  window = find_window ();
  run = fb_window_get_run (window);
  ASSERT_STR (fb_window_get_page (window), "jobs");
  CU_ASSERT_FALSE (fb_run_get_running (run));
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run), 2);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), 2);
  first = g_list_model_get_item (fb_run_get_jobs (run), 0);
  third = g_list_model_get_item (fb_run_get_jobs (run), 2);
  CU_ASSERT_EQUAL (fb_job_get_state (first), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_saved_path (first), saved);
  CU_ASSERT_EQUAL (fb_job_get_state (third), FB_JOB_STATE_PENDING);
  CU_ASSERT_EQUAL (fb_job_get_phase (third), FB_JOB_PHASE_QUEUED);
  /* Paused: nothing is asked for until the person resumes. */
  fb_test_server_reset_counts (server);
  fb_test_spin (0.3);
  CU_ASSERT_EQUAL (fb_test_server_get_requests (server), 0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  CU_ASSERT_TRUE (fb_test_wait_until (run_ended, run, 20));
  ASSERT_COUNTS (run, 3, 0, 1, 0);
  /* Only the unfinished jobs went to the server. */
  CU_ASSERT_EQUAL (fb_test_server_get_requests (server), 2);
}

/* The download the crash cut continued its .part: the second request asked
 * for the rest from where the part ended, and the file is whole. */
static void
test_session_restored_download_continues_its_part (void)
{
  g_autofree char *saved = g_build_filename (dir, "out", "big.bin", NULL);
  g_autofree char *expected = g_strdup_printf ("-,bytes=%" G_GSIZE_FORMAT "-",
                                               g_bytes_get_size (big_part_bytes));
  g_autoptr(GBytes) body = fb_test_body (BIG_SIZE);
  g_autofree char *contents = NULL;
  gsize length = 0;

  CU_ASSERT_TRUE (g_bytes_get_size (big_part_bytes) >= 256 * 1024);
  CU_ASSERT_TRUE (g_bytes_get_size (big_part_bytes) <= BIG_HOLD);
  ASSERT_STR (fb_test_server_get_ranges (server, "big.bin"), expected);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (saved, &contents, &length, NULL));
  CU_ASSERT_EQUAL (length, BIG_SIZE);
  CU_ASSERT_TRUE (length == BIG_SIZE
                  && memcmp (contents, g_bytes_get_data (body, NULL), length) == 0);
  CU_ASSERT_FALSE (g_file_test (big_part, G_FILE_TEST_EXISTS));
}

static gboolean
history_listed (gpointer data)
{
  return fb_history_page_get_n_runs (data) == 1;
}

static void
test_session_history_lists_the_run (void)
{
  FbSession *session = fb_application_get_session (app);
  FbHistoryPage *page = g_object_ref_sink (fb_history_page_new (fb_session_get_journal (session)));

  CU_ASSERT_TRUE (fb_test_wait_until (history_listed, page, 10));
  g_object_unref (page);
}

static gboolean
transferring (gpointer data)
{
  return fb_job_get_phase (data) >= FB_JOB_PHASE_CONNECTING;
}

static gboolean
no_window (gpointer data)
{
  return find_window () == NULL;
}

/* Closing the window mid-run is a quit, not a cancel: the run stays
 * unfinished in the journal, to come back next time. */
static void
test_session_quit_mid_run_leaves_it_unfinished (void)
{
  FbSession *session = fb_application_get_session (app);
  FbJournal *journal = fb_session_get_journal (session);
  FbWindow *window = find_window ();
  g_autofree char *url = fb_test_server_url (server, "/stall");
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);
  g_autoptr(FbRun) run = fb_run_new ();
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gboolean flushed = FALSE;
  gint64 id;

  CU_ASSERT_PTR_NOT_NULL_FATAL (journal);
  fb_run_set_destination (run, dir);
  fb_run_set_timeout (run, 30);
  fb_run_add_job (run, job);
  fb_session_track_run (session, run);
  id = fb_journal_get_run_id (journal, run);
  CU_ASSERT_TRUE (id > 0);
  fb_window_show_run (window, run);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  CU_ASSERT_TRUE (fb_test_wait_until (transferring, job, 10));

  /* The window asks before it stops a running run; the person says stop. */
  gtk_window_close (GTK_WINDOW (window));
  CU_ASSERT_PTR_NOT_NULL_FATAL (fb_window_get_confirmation (window));
  adw_message_dialog_response (fb_window_get_confirmation (window), "close");
  CU_ASSERT_TRUE (fb_test_wait_until (no_window, NULL, 10));
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_CANCELLED);
  fb_journal_flush_async (journal, NULL, flushed_cb, &flushed);
  CU_ASSERT_TRUE (fb_test_wait_flag (&flushed, 10));

  runs = fb_journal_list_runs (journal, &error);
  for (guint i = 0; runs != NULL && i < runs->len; i++)
    if (((FbJournalRun *) runs->pdata[i])->id == id)
      {
        CU_ASSERT_EQUAL (((FbJournalRun *) runs->pdata[i])->ended, 0);
        CU_ASSERT_EQUAL (((FbJournalRun *) runs->pdata[i])->n_pending, 1);
      }
  rows = fb_journal_list_jobs (journal, id, &error);
  CU_ASSERT_EQUAL (rows->len, 1);
  CU_ASSERT_EQUAL (((FbJournalJob *) rows->pdata[0])->state, FB_JOB_STATE_PENDING);
}

static gboolean
trouble_shown (gpointer data)
{
  return fb_window_get_trouble (data) != NULL;
}

static FbWindow *
window_with_trouble (void)
{
  FbWindow *window = fb_window_new (GTK_APPLICATION (app), fb_application_get_demo_host (app));

  gtk_window_present (GTK_WINDOW (window));
  CU_ASSERT_TRUE (fb_test_wait_until (trouble_shown, window, 10));
  return window;
}

/* FB_TEST_SESSION=corrupt: the journal is not a database. */
static void
test_session_corrupt_journal_is_set_aside (void)
{
  FbWindow *window = window_with_trouble ();
  g_autofree char *state = g_build_filename (dir, "fetchboard", NULL);
  g_auto(GStrv) names = fb_test_list_dir (state);
  g_autofree char *aside = NULL;
  g_autofree char *contents = NULL;

  CU_ASSERT_PTR_NOT_NULL (strstr (fb_window_get_trouble (window), "could not be used"));
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_window_get_trouble (window), "journal.sqlite.bad-"));
  CU_ASSERT_PTR_NOT_NULL (fb_session_get_journal (fb_application_get_session (app)));
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], "journal.sqlite.bad-"))
      aside = g_build_filename (state, names[i], NULL);
  CU_ASSERT_TRUE (aside != NULL && g_file_get_contents (aside, &contents, NULL, NULL));
  ASSERT_STR (contents, "not a journal");
}

/* FB_TEST_SESSION=locked: another instance holds the journal. */
static void
test_session_locked_journal_goes_unrecorded (void)
{
  FbWindow *window = window_with_trouble ();

  CU_ASSERT_PTR_NOT_NULL (strstr (fb_window_get_trouble (window),
                                  "in use by another Fetchboard. Runs are not recorded"));
  CU_ASSERT_PTR_NULL (fb_session_get_journal (fb_application_get_session (app)));
  /* The window works all the same. */
  ASSERT_STR (fb_window_get_page (window), "empty");
}

/* FB_TEST_SESSION=remote: this process is the primary instance of a
 * unique application; a second one, started with a list, hands the list
 * to it through GApplication and exits: one window, one journal owner. */
#define REMOTE_APP_ID APP_ID ".SessionTest"

static gboolean
preview_shown (gpointer data)
{
  return fb_window_get_preview (data) != NULL;
}

static void
child_exited_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static char *self_path;

static void
test_session_second_instance_hands_its_list_over (void)
{
  g_autofree char *list = g_build_filename (dir, "second.txt", NULL);
  g_autofree char *url_a = fb_test_server_url (server, "/file/x.bin?size=10");
  g_autofree char *url_b = fb_test_server_url (server, "/file/y.bin?size=10");
  g_autofree char *text = g_strdup_printf ("%s\n%s\n", url_a, url_b);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  FbSession *session = fb_application_get_session (app);
  FbWindow *window;
  gboolean exited = FALSE;

  CU_ASSERT_TRUE_FATAL (g_file_set_contents (list, text, -1, NULL));
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "FB_TEST_SESSION", "child", TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_path, list, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (child, NULL, child_exited_cb, &exited);
  /* The primary answers the second one's D-Bus call on this loop. */
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&exited, 30));
  CU_ASSERT_TRUE (g_subprocess_get_if_exited (child));
  CU_ASSERT_EQUAL (g_subprocess_get_exit_status (child), 0);

  CU_ASSERT_TRUE_FATAL (fb_test_wait_until ((GSourceFunc) find_window, NULL, 10));
  window = find_window ();
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (preview_shown, window, 10));
  CU_ASSERT_EQUAL (fb_input_get_n_entries (fb_preview_dialog_get_input (
                     fb_window_get_preview (window))), 2);
  /* This instance kept the journal; the second never opened it. */
  CU_ASSERT_PTR_NOT_NULL (fb_session_get_journal (session));
  CU_ASSERT_EQUAL (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), 1);
}

/* FB_TEST_SESSION=quit: a child process (quit-child) runs the application
 * with the 1 MiB download held after 640 KiB, and quits it mid-body with
 * app.quit (Ctrl+Q) and the window's "Stop and Close": a quit, not a
 * cancel. This process then starts the application again. */
static gboolean
job_received_all_sent (gpointer data)
{
  return fb_job_get_bytes_received (data) >= BIG_HOLD;
}

/* fb_test_wait_until without CUnit (the child runs no suite). */
static gboolean
child_wait (GSourceFunc predicate,
            gpointer    data,
            double      seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE) || (g_usleep (200), TRUE);
    }
  return TRUE;
}

static int
quit_child (void)
{
  const char *url = g_getenv ("FB_TEST_URL");
  const char *out = g_getenv ("FB_TEST_OUT");
  g_autoptr(FbRun) run = fb_run_new ();
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);
  g_autoptr(GError) error = NULL;
  FbSession *session;
  FbWindow *window;

  if (!gtk_init_check ())
    return 77;
  app = fb_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    return 3;
  session = fb_application_get_session (app);
  g_application_activate (G_APPLICATION (app));
  window = find_window ();
  if (window == NULL || !child_wait ((GSourceFunc) fb_session_get_journal, session, 10))
    return 4;

  g_mkdir_with_parents (out, 0700);
  fb_run_set_destination (run, out);
  fb_run_set_timeout (run, 30);
  fb_run_add_job (run, job);
  fb_session_track_run (session, run);
  fb_window_show_run (window, run);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  /* Every byte the server sent is in: what the quit must keep. */
  if (!child_wait (job_received_all_sent, job, 20))
    return 5;

  /* Ctrl+Q: the window asks first; the person says stop and close. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  if (fb_window_get_confirmation (window) == NULL)
    return 6;
  adw_message_dialog_response (fb_window_get_confirmation (window), "close");
  if (!child_wait (no_window, NULL, 10))
    return 7;
  /* What g_application_run () does once the last window went: the
   * application shuts down, and the journal closes with it. */
  G_APPLICATION_GET_CLASS (app)->shutdown (G_APPLICATION (app));
  g_clear_object (&app);
  return fb_job_get_state (job) == FB_JOB_STATE_CANCELLED ? 0 : 8;
}

static void
quit_a_run (void)
{
  g_autofree char *big = g_strdup_printf ("/ranged/big.bin?size=%d&hold=%d", BIG_SIZE, BIG_HOLD);
  g_autofree char *url = fb_test_server_url (server, big);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exited = FALSE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "FB_TEST_SESSION", "quit-child", TRUE);
  g_subprocess_launcher_setenv (launcher, "FB_TEST_URL", url, TRUE);
  g_subprocess_launcher_setenv (launcher, "FB_TEST_OUT", out, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (child, NULL, child_exited_cb, &exited);
  /* This loop serves the child's requests. */
  g_assert_true (fb_test_wait_flag (&exited, 60));
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  big_part = g_build_filename (out, "big.bin.part", NULL);
}

static gboolean
restored_one (gpointer data)
{
  FbWindow *window = find_window ();

  return window != NULL && fb_window_get_run (window) != NULL
         && fb_run_get_total (fb_window_get_run (window)) == 1;
}

/* After the quit: the .part holds every byte received, and the journal
 * says the job is unfinished, with that part, its size and the ETag; the
 * run has not ended, and it came back paused. */
static void
test_session_quit_kept_the_part_and_its_row (void)
{
  FbJournal *journal;
  g_autoptr(GBytes) body = fb_test_body (BIG_SIZE);
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  FbRun *run;
  FbJournalJob *row;

  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (restored_one, NULL, 10));
  run = fb_window_get_run (find_window ());
  CU_ASSERT_FALSE (fb_run_get_running (run));
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), 0);

  CU_ASSERT_TRUE_FATAL (g_file_get_contents (big_part, &contents, &length, NULL));
  CU_ASSERT_EQUAL (length, BIG_HOLD);
  CU_ASSERT_TRUE (length == BIG_HOLD
                  && memcmp (contents, g_bytes_get_data (body, NULL), length) == 0);

  journal = fb_session_get_journal (fb_application_get_session (app));
  CU_ASSERT_PTR_NOT_NULL_FATAL (journal);
  runs = fb_journal_list_runs (journal, &error);
  g_assert_no_error (error);
  CU_ASSERT_EQUAL_FATAL (runs->len, 1);
  CU_ASSERT_EQUAL (((FbJournalRun *) runs->pdata[0])->ended, 0);
  CU_ASSERT_EQUAL (((FbJournalRun *) runs->pdata[0])->n_cancelled, 0);
  CU_ASSERT_EQUAL (((FbJournalRun *) runs->pdata[0])->n_pending, 1);
  rows = fb_journal_list_jobs (journal, ((FbJournalRun *) runs->pdata[0])->id, &error);
  g_assert_no_error (error);
  CU_ASSERT_EQUAL_FATAL (rows->len, 1);
  row = rows->pdata[0];
  CU_ASSERT_EQUAL (row->state, FB_JOB_STATE_PENDING);
  ASSERT_STR (row->part_path, big_part);
  CU_ASSERT_EQUAL (row->bytes_received, BIG_HOLD);
  ASSERT_STR (row->validator, "\"v1\"");
}

/* Resumed, the download asks for the rest with Range from the part's end
 * and the file is byte-identical to the body. */
static void
test_session_quit_part_continues_with_range (void)
{
  FbWindow *window = find_window ();
  FbRun *run = fb_window_get_run (window);
  g_autofree char *saved = g_build_filename (dir, "out", "big.bin", NULL);
  g_autofree char *expected = g_strdup_printf ("-,bytes=%d-", BIG_HOLD);
  g_autoptr(GBytes) body = fb_test_body (BIG_SIZE);
  g_autofree char *contents = NULL;
  gsize length = 0;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (run_ended, run, 20));
  ASSERT_COUNTS (run, 1, 0, 0, 0);
  ASSERT_STR (fb_test_server_get_ranges (server, "big.bin"), expected);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (saved, &contents, &length, NULL));
  CU_ASSERT_EQUAL (length, BIG_SIZE);
  CU_ASSERT_TRUE (length == BIG_SIZE
                  && memcmp (contents, g_bytes_get_data (body, NULL), length) == 0);
  CU_ASSERT_FALSE (g_file_test (big_part, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  static const FbTestCase tests[] = {
    FB_TEST (test_session_restores_an_unfinished_run_paused),
    FB_TEST (test_session_restored_download_continues_its_part),
    FB_TEST (test_session_history_lists_the_run),
    FB_TEST (test_session_quit_mid_run_leaves_it_unfinished),
    { NULL, NULL },
  };
  static const FbTestCase corrupt_tests[] = {
    FB_TEST (test_session_corrupt_journal_is_set_aside),
    { NULL, NULL },
  };
  static const FbTestCase locked_tests[] = {
    FB_TEST (test_session_locked_journal_goes_unrecorded),
    { NULL, NULL },
  };
  static const FbTestCase quit_tests[] = {
    FB_TEST (test_session_quit_kept_the_part_and_its_row),
    FB_TEST (test_session_quit_part_continues_with_range),
    { NULL, NULL },
  };
  static const FbTestCase remote_tests[] = {
    FB_TEST (test_session_second_instance_hands_its_list_over),
    { NULL, NULL },
  };
  const char *mode = g_getenv ("FB_TEST_SESSION");
  g_autoptr(GError) error = NULL;
  int status;

  if (g_strcmp0 (mode, "child") == 0)
    {
      /* The second instance: it must find the first and hand over its list. */
      app = fb_application_new (REMOTE_APP_ID, G_APPLICATION_DEFAULT_FLAGS);
      if (!g_application_register (G_APPLICATION (app), NULL, &error)
          || !g_application_get_is_remote (G_APPLICATION (app)))
        return 3;
      status = g_application_run (G_APPLICATION (app), argc, argv);
      g_clear_object (&app);
      return status;
    }
  if (g_strcmp0 (mode, "quit-child") == 0)
    return quit_child ();
  if (g_strcmp0 (mode, "remote") == 0 && g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_printerr ("test-session: no session bus, skipped\n");
      return 77;
    }
  self_path = g_canonicalize_filename (argv[0], NULL);

  dir = fb_test_make_tmpdir ();
  g_setenv ("XDG_STATE_HOME", dir, TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("test-session: no display, skipped\n");
      return 77;
    }

  server = fb_test_server_new ();
  if (g_strcmp0 (mode, "corrupt") == 0)
    {
      g_autofree char *path = fb_journal_default_path ();
      g_autofree char *folder = g_path_get_dirname (path);

      g_mkdir_with_parents (folder, 0700);
      g_assert_true (g_file_set_contents (path, "not a journal", -1, NULL));
    }
  else if (g_strcmp0 (mode, "locked") == 0)
    {
      g_autofree char *path = fb_journal_default_path ();

      holder = fb_journal_open (path, &error);
      g_assert_no_error (error);
    }
  else if (g_strcmp0 (mode, "quit") == 0)
    quit_a_run ();
  else if (g_strcmp0 (mode, "remote") != 0)
    crash_a_run ();

  app = fb_application_new (g_strcmp0 (mode, "remote") == 0 ? REMOTE_APP_ID : APP_ID,
                            g_strcmp0 (mode, "remote") == 0 ? G_APPLICATION_DEFAULT_FLAGS
                                                             : G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("test-session: %s\n", error->message);
      return 1;
    }
  g_application_hold (G_APPLICATION (app));

  if (g_strcmp0 (mode, "corrupt") == 0)
    status = fb_test_main (argc, argv, "session-corrupt", corrupt_tests);
  else if (g_strcmp0 (mode, "locked") == 0)
    status = fb_test_main (argc, argv, "session-locked", locked_tests);
  else if (g_strcmp0 (mode, "remote") == 0)
    status = fb_test_main (argc, argv, "session-remote", remote_tests);
  else if (g_strcmp0 (mode, "quit") == 0)
    status = fb_test_main (argc, argv, "session-quit", quit_tests);
  else
    status = fb_test_main (argc, argv, "session", tests);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL;
       l = gtk_application_get_windows (GTK_APPLICATION (app)))
    gtk_window_destroy (l->data);
  fb_test_spin (0.2);
  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  fb_test_server_free (server);
  g_clear_object (&holder);
  g_clear_pointer (&big_part_bytes, g_bytes_unref);
  g_free (big_part);
  fb_test_rm_rf (dir);
  g_free (dir);
  g_free (self_path);
  return status;
}
