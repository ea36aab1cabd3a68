/* test-window.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drives the real window under a headless X server: drops, the preview,
 * runs against in-process servers, the semaphore, cancel, trouble,
 * confirmations and the notification at the end of a run.
 */

#include "config.h"

#include <string.h>

#include "fb-window-test-utils.h"

static gboolean
six_rows_shown (gpointer data)
{
  return n_rows (data) == 6;
}

static void
test_window_file_drop_previews_then_runs (void)
{
  Fixture f;
  g_autofree char *lists = NULL;
  g_autofree char *path = NULL;
  g_autofree char *download = NULL;
  g_autofree char *contents = NULL;
  const char *paths[2] = { NULL, NULL };
  FbPreviewDialog *preview;
  FbInput *input;
  FbRun *run;
  FbJobCell *cell;

  fixture_setup (&f, 0.01, 0.05);
  lists = fb_test_make_tmpdir ();
  download = fb_demo_server_dup_base_url (f.server);
  contents = g_strdup_printf ("# flags and names\nBR\njp\nbr\nQX\nftp://example.com/x\n"
                              "%s/de/de.gif\nlocalhost\nnothing.invalid\n", download);
  path = write_file (lists, "list.txt", contents);
  paths[0] = path;

  CU_ASSERT_STRING_EQUAL (fb_window_get_page (f.window), "empty");
  drop_files (&f, paths);
  preview = wait_preview (&f);
  CU_ASSERT_PTR_NOT_NULL_FATAL (preview);

  /* Nothing runs before the person confirms. */
  CU_ASSERT_PTR_NULL (fb_window_get_run (f.window));
  input = fb_preview_dialog_get_input (preview);
  CU_ASSERT_EQUAL (fb_input_get_n_entries (input), 6);
  CU_ASSERT_EQUAL (fb_input_get_n_duplicates (input), 1);
  CU_ASSERT_EQUAL (fb_input_get_n_rejected (input), 1);
  CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_heading (preview), "Add 6 Jobs?");
  CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_kind_title (preview, FB_ENTRY_DOMAIN),
                          "2 domains to probe");
  CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_kind_title (preview, FB_ENTRY_URL),
                          "1 URL to download");
  CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_kind_title (preview, FB_ENTRY_CODE),
                          "3 country codes for the flag catalog");
  {
    const char *subtitle = NULL;

    CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_problems (preview, NULL, &subtitle),
                            "1 line rejected");
    CU_ASSERT_STRING_EQUAL (subtitle, "Lines that are not a domain, a URL or a country code");
  }

  fb_preview_dialog_respond (preview, "start");
  CU_ASSERT_PTR_NULL (fb_window_get_preview (f.window));
  CU_ASSERT_STRING_EQUAL (fb_window_get_page (f.window), "jobs");
  fb_test_wait_until (run_finished, f.window, 20);

  run = fb_window_get_run (f.window);
  CU_ASSERT_EQUAL (fb_run_get_total (run), 6);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run), 4);
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (run), 2);
  CU_ASSERT_EQUAL (fb_run_get_n_error (run), 0);
  /* The rows come into view a few a frame, and a short run can end first
   * (under AddressSanitizer, beside the other window tests). */
  fb_test_wait_until (six_rows_shown, &f, 10);
  CU_ASSERT_EQUAL (n_rows (&f), 6);

  assert_summary (&f, "progress", "6 of 6 finished");
  assert_summary (&f, "ok", "4 OK");
  assert_summary (&f, "not-found", "2 not found");
  assert_summary (&f, "error", "0 errors");
  assert_summary (&f, "cancelled", "0 cancelled");
  CU_ASSERT_DOUBLE_EQUAL (fb_run_summary_get_fraction (fb_window_get_summary (f.window)), 1.0, 1e-9);

  assert_cell (&f, FB_JOB_COLUMN_STATE, "BR", "Saved");
  assert_cell (&f, FB_JOB_COLUMN_STATE, "QX", "Not found");
  assert_cell (&f, FB_JOB_COLUMN_STATE, "localhost", "Found");
  assert_cell (&f, FB_JOB_COLUMN_STATE, "nothing.invalid", "Not found");
  assert_cell (&f, FB_JOB_COLUMN_KIND, "localhost", "Probe");
  assert_cell (&f, FB_JOB_COLUMN_MESSAGE, "BR", "Saved as Brazil.gif");
  assert_cell (&f, FB_JOB_COLUMN_MESSAGE, "JP", "Saved as Japan.gif");
  /* The country's name, not only "BR", in the Name column. */
  assert_cell (&f, FB_JOB_COLUMN_NAME, "BR", "BR · Brazil");

  /* A probe that resolved names its addresses and the lookup time. */
  cell = find_cell (&f, FB_JOB_COLUMN_MESSAGE, "localhost");
  CU_ASSERT_PTR_NOT_NULL_FATAL (cell);
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_job_cell_get_text (cell), "(lookup "));
  CU_ASSERT_TRUE (strstr (fb_job_cell_get_text (cell), "127.0.0.1") != NULL ||
                  strstr (fb_job_cell_get_text (cell), "::1") != NULL);

  CU_ASSERT_TRUE (file_exists (f.dir, "Brazil.gif"));
  CU_ASSERT_TRUE (file_exists (f.dir, "Japan.gif"));
  CU_ASSERT_TRUE (file_exists (f.dir, "de.gif"));
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".part"), 0);

  fb_test_rm_rf (lists);
  fixture_teardown (&f);
}

static void
test_window_drop_while_running_appends (void)
{
  Fixture f;
  FbRun *run;
  FbPreviewDialog *preview;

  fixture_setup (&f, 0.4, 0.4);
  drop_text (&f, "BR\nJP\nIN\n");
  fb_preview_dialog_respond (wait_preview (&f), "start");
  fb_test_wait_until (run_running, f.window, 5);
  run = fb_window_get_run (f.window);

  drop_text (&f, "CN\nUS\nbr\n");
  preview = wait_preview (&f);
  CU_ASSERT_PTR_NOT_NULL_FATAL (preview);
  /* BR is in the run already: a duplicate, not a second download. */
  CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_heading (preview), "Add 2 Jobs?");
  CU_ASSERT_EQUAL (fb_input_get_n_duplicates (fb_preview_dialog_get_input (preview)), 1);
  fb_preview_dialog_respond (preview, "add");

  /* The same run grows; the new jobs start without another Start. */
  CU_ASSERT_PTR_EQUAL (fb_window_get_run (f.window), run);
  CU_ASSERT_EQUAL (fb_run_get_total (run), 5);
  fb_test_wait_until (run_finished, f.window, 20);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run), 5);
  assert_summary (&f, "progress", "5 of 5 finished");
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".gif"), 5);

  fixture_teardown (&f);
}

typedef struct
{
  FbRun *run;
  guint  active;
  guint  finished;
} ActiveWait;

/* Counts pass through other values on the way: wait for both at once. */
static gboolean
active_is (gpointer data)
{
  ActiveWait *w = data;

  return fb_run_get_active (w->run) == w->active && fb_run_get_n_finished (w->run) == w->finished;
}

typedef struct
{
  FbDemoServer *server;
  guint         in_flight;
} ServerWait;

static gboolean
server_in_flight_is (gpointer data)
{
  ServerWait *w = data;

  return fb_demo_server_get_in_flight (w->server) == w->in_flight;
}

static void
test_window_limit_change_moves_active_count (void)
{
  Fixture f;
  g_autoptr(GString) codes = g_string_new (NULL);
  const FbCountry *countries;
  guint n_countries = 0;
  GtkSpinButton *spin;
  ServerWait s;
  ActiveWait w;
  FbRun *run;

  fixture_setup (&f, 2.0, 2.0);
  g_settings_set_boolean (f.settings, "metadata-names", FALSE);
  g_settings_set_uint (f.settings, "concurrent-jobs", 3);
  countries = fb_countries_get_all (&n_countries);
  CU_ASSERT_TRUE_FATAL (n_countries >= 30);
  for (guint i = 0; i < 30; i++)
    g_string_append_printf (codes, "%s\n", countries[i].code);

  spin = fb_window_get_concurrency_spin (f.window);
  CU_ASSERT_DOUBLE_EQUAL (gtk_spin_button_get_value (spin), 3, 0.1);
  drop_text (&f, codes->str);
  fb_preview_dialog_respond (wait_preview (&f), "start");
  fb_test_wait_until (run_running, f.window, 5);
  run = fb_window_get_run (f.window);

  w.run = run;
  w.active = 3;
  w.finished = 0;
  fb_test_wait_until (active_is, &w, 5);
  assert_summary (&f, "semaphore", "Active 3 of 3, waiting 27");
  s.server = f.server;
  s.in_flight = 3;
  fb_test_wait_until (server_in_flight_is, &s, 5);
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (f.server), 3);

  /* Raising the limit in the header starts seven more at once. */
  gtk_spin_button_set_value (spin, 10);
  CU_ASSERT_EQUAL (fb_run_get_max_concurrency (run), 10);
  CU_ASSERT_EQUAL (g_settings_get_uint (f.settings, "concurrent-jobs"), 10);
  w.active = 10;
  fb_test_wait_until (active_is, &w, 5);
  assert_summary (&f, "semaphore", "Active 10 of 10, waiting 20");
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), 0);
  s.in_flight = 10;
  fb_test_wait_until (server_in_flight_is, &s, 5);
  CU_ASSERT_EQUAL (fb_demo_server_get_peak_in_flight (f.server), 10);

  /* Lowering it takes effect as slots come back; meanwhile the summary
   * says why more than the limit are active. */
  gtk_spin_button_set_value (spin, 2);
  CU_ASSERT_EQUAL (fb_run_get_active (run), 10);
  assert_summary (&f, "semaphore",
                  "Active 10 of 2 (8 finishing above the new limit), waiting 20");
  w.active = 2;
  w.finished = 10;
  fb_test_wait_until (active_is, &w, 8);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), 10);
  assert_summary (&f, "semaphore", "Active 2 of 2, waiting 18");
  /* With 10 of 30 done, the summary guesses what is left. */
  fb_test_wait_until (summary_has_eta, &f, 5);
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_run_summary_get_text (fb_window_get_summary (f.window),
                                                           "elapsed"), " left"));

  cancel_run (&f);
  fb_test_wait_until (run_finished, f.window, 10);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run), 10);
  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (run), 20);
  ASSERT_STR (fb_window_get_status (f.window), "Finished, some jobs cancelled");

  fixture_teardown (&f);
}

static gboolean
has_part_file (gpointer data)
{
  return fb_test_count_suffix (data, ".part") >= 4;
}

static void
test_window_cancel_ends_every_job_cancelled (void)
{
  Fixture f;
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autoptr(GString) urls = g_string_new (NULL);
  g_autoptr(FbJob) first = NULL;
  FbRun *run;

  fixture_setup (&f, 0.01, 0.02);
  g_settings_set_uint (f.settings, "concurrent-jobs", 4);
  g_settings_set_double (f.settings, "timeout", 60.0);
  /* Bodies that stop half-way, past the downloader's first flush (256 KiB):
   * each job holds a .part file until it is cancelled. */
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *path = g_strdup_printf ("/partial?size=1000000&sent=300000&n=%u", i);
      g_autofree char *url = fb_test_server_url (server, path);

      g_string_append_printf (urls, "%s\n", url);
    }

  drop_text (&f, urls->str);
  fb_preview_dialog_respond (wait_preview (&f), "start");
  fb_test_wait_until (has_part_file, f.dir, 10);
  run = fb_window_get_run (f.window);
  CU_ASSERT_EQUAL (fb_run_get_active (run), 4);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), 0);
  /* Long enough for the summary to show rates (from 50 ms on). */
  fb_test_spin (0.1);

  cancel_run (&f);
  fb_test_wait_until (run_finished, f.window, 10);

  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (run), 12);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), 12);
  /* Not "Finished, some jobs cancelled": every one was. */
  ASSERT_STR (fb_window_get_status (f.window), "Cancelled");
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".part"), 0);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ""), 0);
  assert_summary (&f, "cancelled", "12 cancelled");
  /* Cancelled jobs are not "finished" work, and count in no rate. */
  assert_summary (&f, "progress", "0 of 12 finished, 12 cancelled");
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_run_summary_get_text (fb_window_get_summary (f.window),
                                                          "throughput"), " · 0.0 jobs/s · "));
  assert_summary (&f, "semaphore", "Active 0 of 4, waiting 0");
  first = g_list_model_get_item (fb_run_get_jobs (run), 0);
  assert_cell (&f, FB_JOB_COLUMN_STATE, fb_job_get_input (first), "Cancelled");

  fixture_teardown (&f);
}

static gboolean
trouble_shown (gpointer data)
{
  return fb_window_get_trouble (FB_WINDOW (data)) != NULL;
}

static void
test_window_unwritable_destination_shows_trouble (void)
{
  Fixture f;
  g_autofree char *blocker = NULL;
  g_autofree char *inside = NULL;
  FbRun *run;

  fixture_setup (&f, 0.01, 0.02);
  blocker = write_file (f.dir, "not-a-folder", "x");
  inside = g_build_filename (blocker, "flags", NULL);
  g_settings_set_string (f.settings, "destination", inside);

  drop_text (&f, "BR\n");
  fb_preview_dialog_respond (wait_preview (&f), "start");
  fb_test_wait_until (trouble_shown, f.window, 5);
  run = fb_window_get_run (f.window);
  CU_ASSERT_PTR_NOT_NULL_FATAL (fb_window_get_trouble (f.window));
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_window_get_trouble (f.window), "cannot be saved"));
  CU_ASSERT_FALSE (fb_run_get_running (run));
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), 0);

  /* Choosing a usable folder clears the bar; Start then runs. */
  g_settings_set_string (f.settings, "destination", f.dir);
  CU_ASSERT_PTR_NULL (fb_window_get_trouble (f.window));
  CU_ASSERT_STRING_EQUAL (fb_run_get_destination (run), f.dir);
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.start", NULL);
  fb_test_wait_until (run_finished, f.window, 10);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run), 1);
  CU_ASSERT_TRUE (file_exists (f.dir, "Brazil.gif"));

  fixture_teardown (&f);
}

static void
test_window_demo_port_taken_shows_trouble (void)
{
  Fixture f;
  g_autoptr(FbDemoServer) squatter = fb_demo_server_new ();
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, 0.01, 0.02);
  CU_ASSERT_TRUE_FATAL (fb_demo_server_listen (squatter, 0, &error));
  CU_ASSERT_PTR_NULL_FATAL (fb_application_get_demo_server (app));
  fb_application_set_demo_options (app, 0.01, 0.02, 0.0, fb_demo_server_get_port (squatter));

  fb_window_start_demo (f.window);
  CU_ASSERT_PTR_NOT_NULL_FATAL (fb_window_get_trouble (f.window));
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_window_get_trouble (f.window), "demo server could not start"));
  CU_ASSERT_PTR_NULL (fb_window_get_run (f.window));
  CU_ASSERT_PTR_NULL (fb_application_get_demo_server (app));

  fb_demo_server_stop (squatter);
  fb_application_set_demo_options (app, 0.01, 0.02, 0.0, 0);
  fixture_teardown (&f);
}

static void
test_window_demo_shows_every_outcome (void)
{
  Fixture f;
  FbRun *run;

  fixture_setup (&f, 0.01, 0.02);
  fb_application_set_demo_options (app, 0.01, 0.05, 0.0, 0);

  fb_window_start_demo (f.window);
  run = fb_window_get_run (f.window);
  CU_ASSERT_PTR_NOT_NULL_FATAL (run);
  CU_ASSERT_EQUAL (fb_run_get_total (run), 23);
  fb_test_wait_until (run_finished, f.window, 30);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run), 20);
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (run), 3);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".gif"), 20);
  assert_summary (&f, "progress", "23 of 23 finished");

  /* The Name column grows from its 120 px to fit the longest name ("CD ·
   * Congo, The Democratic Republic of the"), within bounds. */
  {
    g_autoptr(GtkColumnViewColumn) name =
      g_list_model_get_item (gtk_column_view_get_columns (fb_window_get_column_view (f.window)), 0);
    int width = gtk_column_view_column_get_fixed_width (name);

    CU_ASSERT_TRUE (width > 120 && width <= 360);
  }

  fixture_teardown (&f);
}

static void
test_window_start_after_drop_skips_preview (void)
{
  Fixture f;

  fixture_setup (&f, 0.01, 0.02);
  g_settings_set_boolean (f.settings, "start-after-drop", TRUE);
  drop_text (&f, "BR\nnot a domain\n");
  fb_test_wait_until (run_finished, f.window, 10);
  CU_ASSERT_PTR_NULL (fb_window_get_preview (f.window));
  CU_ASSERT_EQUAL (fb_run_get_n_ok (fb_window_get_run (f.window)), 1);
  CU_ASSERT_EQUAL (fb_run_get_total (fb_window_get_run (f.window)), 1);

  fixture_teardown (&f);
}

static void
test_window_cancelled_preview_runs_nothing (void)
{
  Fixture f;

  fixture_setup (&f, 0.01, 0.02);
  drop_text (&f, "BR\nJP\n");
  fb_preview_dialog_respond (wait_preview (&f), "cancel");
  fb_test_spin (0.2);
  CU_ASSERT_PTR_NULL (fb_window_get_run (f.window));
  CU_ASSERT_STRING_EQUAL (fb_window_get_page (f.window), "empty");
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (f.server), 0);

  fixture_teardown (&f);
}

static gboolean
window_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
no_confirmation (gpointer data)
{
  return fb_window_get_confirmation (FB_WINDOW (data)) == NULL;
}

/* Typing a limit, then Escape to back out, cancelled 5,678 of 10,000 jobs:
 * Escape in the limit reverts the text; elsewhere it asks, and "Keep
 * Running" (also the dialog's Escape and Enter) keeps every job. */
static void
test_window_escape_and_close_ask_before_stopping (void)
{
  Fixture f;
  GtkSpinButton *spin;
  AdwMessageDialog *dialog;
  FbRun *run;
  FbWindow *window;

  fixture_setup (&f, 5.0, 5.0);
  g_settings_set_uint (f.settings, "concurrent-jobs", 2);
  drop_text (&f, "BR\nJP\nIN\nCN\n");
  fb_preview_dialog_respond (wait_preview (&f), "start");
  fb_test_wait_until (run_running, f.window, 5);
  run = fb_window_get_run (f.window);

  spin = fb_window_get_concurrency_spin (f.window);
  gtk_widget_grab_focus (GTK_WIDGET (spin));
  gtk_editable_set_text (GTK_EDITABLE (spin), "250");
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.escape", NULL);
  CU_ASSERT_STRING_EQUAL (gtk_editable_get_text (GTK_EDITABLE (spin)), "2");
  CU_ASSERT_PTR_NULL (fb_window_get_confirmation (f.window));
  CU_ASSERT_EQUAL (fb_run_get_max_concurrency (run), 2);
  CU_ASSERT_TRUE (fb_run_get_running (run));
  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (run), 0);

  /* Away from a text field, Escape asks; keeping the run changes nothing. */
  gtk_widget_grab_focus (GTK_WIDGET (fb_window_get_column_view (f.window)));
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.escape", NULL);
  dialog = fb_window_get_confirmation (f.window);
  CU_ASSERT_PTR_NOT_NULL_FATAL (dialog);
  CU_ASSERT_STRING_EQUAL (adw_message_dialog_get_body (dialog),
                          "4 of 4 jobs have not finished. Stopping cancels them; "
                          "what has finished stays.");
  adw_message_dialog_response (dialog, "keep");
  fb_test_wait_until (no_confirmation, f.window, 5);
  CU_ASSERT_TRUE (fb_run_get_running (run));
  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (run), 0);

  /* Closing (the close button, Ctrl+W, Ctrl+Q) asks too. */
  gtk_window_close (GTK_WINDOW (f.window));
  dialog = fb_window_get_confirmation (f.window);
  CU_ASSERT_PTR_NOT_NULL_FATAL (dialog);
  CU_ASSERT_STRING_EQUAL (adw_message_dialog_get_heading (dialog), "Stop the Run and Close?");
  CU_ASSERT_TRUE (gtk_widget_get_visible (GTK_WIDGET (f.window)));
  adw_message_dialog_response (dialog, "keep");
  fb_test_wait_until (no_confirmation, f.window, 5);
  CU_ASSERT_TRUE (gtk_widget_get_visible (GTK_WIDGET (f.window)));
  CU_ASSERT_TRUE (fb_run_get_running (run));

  /* Stop and Close cancels every unfinished job, then the window goes. */
  window = g_steal_pointer (&f.window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_object_ref (run);
  gtk_window_close (GTK_WINDOW (window));
  adw_message_dialog_response (fb_window_get_confirmation (window), "close");
  fb_test_wait_until (window_gone, &window, 10);
  CU_ASSERT_PTR_NULL (window);
  CU_ASSERT_FALSE (fb_run_get_running (run));
  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (run), 4);
  g_object_unref (run);

  fixture_teardown (&f);
}

/* Ctrl+V, Enter runs what was pasted: the preview's focus and default are
 * Start (Add to Run while a run goes on). */
static void
test_window_preview_enter_starts (void)
{
  Fixture f;
  FbPreviewDialog *preview;

  fixture_setup (&f, 0.01, 0.02);
  drop_text (&f, "BR\nJP\n");
  preview = wait_preview (&f);
  CU_ASSERT_TRUE (gtk_widget_has_css_class (gtk_window_get_default_widget (GTK_WINDOW (preview)),
                                            "suggested-action"));
  CU_ASSERT_PTR_EQUAL (gtk_window_get_focus (GTK_WINDOW (preview)),
                       gtk_window_get_default_widget (GTK_WINDOW (preview)));
  CU_ASSERT_STRING_EQUAL (gtk_button_get_label (GTK_BUTTON (gtk_window_get_focus (GTK_WINDOW (preview)))),
                          "_Start");
  gtk_widget_activate (gtk_window_get_focus (GTK_WINDOW (preview)));
  fb_test_wait_until (run_finished, f.window, 10);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (fb_window_get_run (f.window)), 2);

  /* A list after a finished run makes a new run, and says so. */
  drop_text (&f, "CN\nUS\n");
  preview = wait_preview (&f);
  CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_heading (preview), "Start a New Run with 2 Jobs?");
  fb_preview_dialog_respond (preview, "cancel");
  fb_test_spin (0.1);

  /* A file that is not there is not "lines rejected", and nothing "runs
   * anyway". */
  {
    g_autofree char *path = g_build_filename (f.dir, "no-such-list.txt", NULL);
    g_autoptr(GFile) missing = g_file_new_for_path (path);
    const char *description = "unset";
    const char *subtitle = NULL;

    fb_window_open_files (f.window, &missing, 1);
    preview = wait_preview (&f);
    CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_heading (preview), "Nothing to Run");
    CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_problems (preview, &description, &subtitle),
                            "1 file could not be read");
    CU_ASSERT_STRING_EQUAL (description != NULL ? description : "", "");
    CU_ASSERT_STRING_EQUAL (subtitle, "Missing, unreadable, or not a text list");
    fb_preview_dialog_respond (preview, "cancel");
    fb_test_spin (0.1);
  }

  /* Nor is a binary file opened by mistake: it is one file that could not
   * be read, with the line that gave it away, not lines of invalid UTF-8. */
  {
    static const char data[] = "GIF89a\n\x01\x00\xff\n\x80\n";
    g_autofree char *path = g_build_filename (f.dir, "flag.gif", NULL);
    g_autoptr(GFile) binary = g_file_new_for_path (path);
    g_autoptr(GPtrArray) lines = NULL;
    const char *description = "unset";
    const char *subtitle = NULL;

    CU_ASSERT_TRUE_FATAL (g_file_set_contents (path, data, sizeof data - 1, NULL));
    fb_window_open_files (f.window, &binary, 1);
    preview = wait_preview (&f);
    CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_heading (preview), "Nothing to Run");
    CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_problems (preview, &description, &subtitle),
                            "1 file could not be read");
    CU_ASSERT_STRING_EQUAL (subtitle, "Missing, unreadable, or not a text list");
    lines = fb_input_list_rejected (fb_preview_dialog_get_input (preview), 0);
    CU_ASSERT_EQUAL_FATAL (lines->len, 1);
    CU_ASSERT_STRING_EQUAL (g_ptr_array_index (lines, 0),
                            "flag.gif: not a text list: line 2 holds a NUL byte "
                            "(a binary file, or text not in UTF-8)");
    fb_preview_dialog_respond (preview, "cancel");
    fb_test_spin (0.1);
  }

  fixture_teardown (&f);
}

static gboolean
run_has_4501_jobs (gpointer data)
{
  Fixture *f = data;

  return fb_window_get_run (f->window) != NULL &&
         fb_run_get_total (fb_window_get_run (f->window)) == 4501;
}

static const char *
nth_input (Fixture *f,
           guint    n)
{
  g_autoptr(FbJob) job = g_list_model_get_item (fb_run_get_jobs (fb_window_get_run (f->window)), n);

  return job != NULL ? fb_job_get_input (job) : NULL;
}

/* A long list goes into the run a slice per turn of the main loop, in its
 * order; a list dropped meanwhile waits for it, so its duplicates of the
 * first are still found. */
static void
test_window_long_list_goes_in_slices (void)
{
  Fixture f;
  g_autoptr(GString) text = g_string_new (NULL);

  fixture_setup (&f, 0.01, 0.02);
  for (guint i = 0; i < 4500; i++)
    g_string_append_printf (text, "http://127.0.0.1:9/slices/file-%u.gif\n", i);
  /* Previews of long lists, and the slices, are slow under AddressSanitizer
   * on a busy machine: 1.5 s alone here. */
  drop_text (&f, text->str);
  fb_preview_dialog_respond (wait_preview_for (&f, 30), "add");
  CU_ASSERT_TRUE (fb_run_get_total (fb_window_get_run (f.window)) < 4500);

  drop_text (&f, "http://127.0.0.1:9/slices/file-4499.gif\n"
                 "http://127.0.0.1:9/slices/extra.gif\n");
  fb_preview_dialog_respond (wait_preview_for (&f, 30), "add");
  CU_ASSERT_TRUE (fb_test_wait_until (run_has_4501_jobs, &f, 30));
  CU_ASSERT_STRING_EQUAL (nth_input (&f, 0), "http://127.0.0.1:9/slices/file-0.gif");
  CU_ASSERT_STRING_EQUAL (nth_input (&f, 2000), "http://127.0.0.1:9/slices/file-2000.gif");
  CU_ASSERT_STRING_EQUAL (nth_input (&f, 4499), "http://127.0.0.1:9/slices/file-4499.gif");
  CU_ASSERT_STRING_EQUAL (nth_input (&f, 4500), "http://127.0.0.1:9/slices/extra.gif");

  fixture_teardown (&f);
}

/* A stand-in for the desktop's notification server, on the test's own
 * session bus: it keeps the summary and body of each Notify call. */
typedef struct
{
  GString *received;
  guint    next_id;
} FakeNotifier;

static const char notifier_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "</interface></node>";

static void
notifier_method_cb (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *path,
                    const char            *interface,
                    const char            *method,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  FakeNotifier *notifier = user_data;

  if (g_str_equal (method, "Notify"))
    {
      const char *summary, *body;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_string_append_printf (notifier->received, "%s|%s\n", summary, body);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", ++notifier->next_id));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
notified (gpointer data)
{
  FakeNotifier *notifier = data;

  return notifier->received->len > 0;
}

static gboolean
window_inactive (gpointer data)
{
  return !gtk_window_is_active (GTK_WINDOW (data));
}

/* A run that ends while the window is not focused says so in a
 * notification, with its counts. */
static void
test_window_finish_notifies_when_not_focused (void)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (app));
  static const GDBusInterfaceVTable vtable = { notifier_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = NULL;
  FakeNotifier notifier = { g_string_new (NULL), 0 };
  GtkWidget *other;
  Fixture f;
  guint object_id;
  guint name_id;

  if (bus == NULL)
    {
      /* ./run.sh test runs the suite under dbus-run-session. */
      g_printerr ("(no session bus: not checked) ");
      g_string_free (notifier.received, TRUE);
      return;
    }
  info = g_dbus_node_info_new_for_xml (notifier_xml, NULL);
  object_id = g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                 info->interfaces[0], &vtable, &notifier,
                                                 NULL, NULL);
  name_id = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                          G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);

  fixture_setup (&f, 0.3, 0.4);
  g_settings_set_boolean (f.settings, "start-after-drop", TRUE);

  /* Another window has the focus before the run starts. */
  other = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (other));
  fb_test_wait_until (window_inactive, f.window, 5);
  if (gtk_window_is_active (GTK_WINDOW (f.window)))
    g_printerr ("(the window kept the focus: not checked) ");
  else
    {
      drop_text (&f, "BR\nJP\n");
      fb_test_wait_until (run_finished, f.window, 10);
      fb_test_wait_until (notified, &notifier, 10);
      /* One notification: the title, then the counts and the time taken. */
      CU_ASSERT_TRUE (g_str_has_prefix (notifier.received->str,
                                        "Run finished|2 OK, 0 not found, 0 errors, 0 cancelled in "));
      CU_ASSERT_TRUE (g_str_has_suffix (notifier.received->str, ".\n"));
      CU_ASSERT_PTR_EQUAL (strchr (notifier.received->str, '\n'),
                           notifier.received->str + notifier.received->len - 1);
    }

  gtk_window_destroy (GTK_WINDOW (other));
  fixture_teardown (&f);
  g_bus_unown_name (name_id);
  g_dbus_connection_unregister_object (bus, object_id);
  g_string_free (notifier.received, TRUE);
}

static const FbTestCase tests[] = {
  { "test_window_file_drop_previews_then_runs", test_window_file_drop_previews_then_runs },
  { "test_window_drop_while_running_appends", test_window_drop_while_running_appends },
  { "test_window_limit_change_moves_active_count", test_window_limit_change_moves_active_count },
  { "test_window_cancel_ends_every_job_cancelled", test_window_cancel_ends_every_job_cancelled },
  { "test_window_unwritable_destination_shows_trouble",
    test_window_unwritable_destination_shows_trouble },
  { "test_window_demo_port_taken_shows_trouble", test_window_demo_port_taken_shows_trouble },
  { "test_window_demo_shows_every_outcome", test_window_demo_shows_every_outcome },
  { "test_window_start_after_drop_skips_preview", test_window_start_after_drop_skips_preview },
  { "test_window_cancelled_preview_runs_nothing", test_window_cancelled_preview_runs_nothing },
  { "test_window_long_list_goes_in_slices", test_window_long_list_goes_in_slices },
  { "test_window_finish_notifies_when_not_focused", test_window_finish_notifies_when_not_focused },
  { "test_window_escape_and_close_ask_before_stopping",
    test_window_escape_and_close_ask_before_stopping },
  { "test_window_preview_enter_starts", test_window_preview_enter_starts },
  { NULL, NULL }
};

int
main (int   argc,
      char *argv[])
{
  return fb_window_test_main (argc, argv, "window", tests);
}
