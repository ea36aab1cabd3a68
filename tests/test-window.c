/* test-window.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drives the real window under a headless X server: drops, the preview,
 * runs against in-process servers, the semaphore, cancel, trouble.
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "fb-application.h"
#include "fb-countries.h"
#include "fb-demo-server.h"
#include "fb-format.h"
#include "fb-job-private.h"
#include "fb-job-cell.h"
#include "fb-preferences-window.h"
#include "fb-test-utils.h"
#include "fb-window.h"

static FbApplication *app;

typedef struct
{
  FbWindow     *window;
  FbDemoServer *server;
  GSettings    *settings;
  char         *dir;
} Fixture;

static void
reset_settings (GSettings *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
fixture_setup (Fixture *f,
               double   delay_min,
               double   delay_max)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;

  memset (f, 0, sizeof *f);
  f->settings = g_settings_new (FB_SETTINGS_SCHEMA);
  reset_settings (f->settings);
  f->dir = fb_test_make_tmpdir ();
  g_settings_set_string (f->settings, "destination", f->dir);

  f->server = fb_demo_server_new ();
  fb_demo_server_set_delay (f->server, delay_min, delay_max);
  fb_demo_server_set_error_rate (f->server, 0.0);
  CU_ASSERT_TRUE_FATAL (fb_demo_server_listen (f->server, 0, &error));
  base_url = fb_demo_server_dup_base_url (f->server);
  g_settings_set_string (f->settings, "base-url", base_url);

  f->window = fb_window_new (GTK_APPLICATION (app), fb_application_get_demo_host (app));
  gtk_window_present (GTK_WINDOW (f->window));
  fb_test_wait_until (widget_is_mapped, f->window, 5);
}

static void
fixture_teardown (Fixture *f)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  /* Cancelled jobs clean up on the thread pool before the folder goes. */
  fb_test_spin (0.3);
  fb_demo_server_stop (f->server);
  g_clear_object (&f->server);
  fb_test_rm_rf (f->dir);
  g_clear_pointer (&f->dir, g_free);
  reset_settings (f->settings);
  g_clear_object (&f->settings);
}

static gboolean
preview_shown (gpointer data)
{
  return fb_window_get_preview (FB_WINDOW (data)) != NULL;
}

static FbPreviewDialog *
wait_preview_for (Fixture *f,
                  double   seconds)
{
  fb_test_wait_until (preview_shown, f->window, seconds);
  return fb_window_get_preview (f->window);
}

static FbPreviewDialog *
wait_preview (Fixture *f)
{
  return wait_preview_for (f, 5);
}

static gboolean
run_finished (gpointer data)
{
  FbRun *run = fb_window_get_run (FB_WINDOW (data));

  return run != NULL && !fb_run_get_running (run) && fb_run_get_total (run) > 0 &&
         fb_run_get_n_finished (run) == fb_run_get_total (run);
}

static gboolean
run_running (gpointer data)
{
  FbRun *run = fb_window_get_run (FB_WINDOW (data));

  return run != NULL && fb_run_get_running (run);
}

/* Cancel as a person does: the window asks first, and the run goes on
 * until the answer. */
static void
cancel_run (Fixture *f)
{
  AdwMessageDialog *dialog;
  FbRun *run = fb_window_get_run (f->window);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.cancel", NULL);
  dialog = fb_window_get_confirmation (f->window);
  CU_ASSERT_PTR_NOT_NULL_FATAL (dialog);
  CU_ASSERT_STRING_EQUAL (adw_message_dialog_get_heading (dialog), "Cancel the Run?");
  CU_ASSERT_STRING_EQUAL (adw_message_dialog_get_default_response (dialog), "keep");
  CU_ASSERT_TRUE (fb_run_get_running (run));
  adw_message_dialog_response (dialog, "cancel-run");
}

static void
drop_text (Fixture    *f,
           const char *text)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, text);
  CU_ASSERT_TRUE (fb_window_drop_value (f->window, &value));
  g_value_unset (&value);
}

static void
drop_files (Fixture     *f,
            const char **paths)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  GValue value = G_VALUE_INIT;

  for (guint i = 0; paths[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_for_path (paths[i]));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array ((GFile **) files->pdata, files->len));
  CU_ASSERT_TRUE (fb_window_drop_value (f->window, &value));
  g_value_unset (&value);
}

typedef struct
{
  FbWindow   *window;
  const char *part;
  const char *expected;
} SummaryWait;

static gboolean
summary_shows (gpointer data)
{
  SummaryWait *w = data;

  return g_strcmp0 (fb_run_summary_get_text (fb_window_get_summary (w->window), w->part),
                    w->expected) == 0;
}

/* The summary redraws on the frame clock: wait for the frame, then compare. */
static gboolean
summary_has_eta (gpointer data)
{
  Fixture *f = data;

  return strstr (fb_run_summary_get_text (fb_window_get_summary (f->window), "elapsed"),
                 ", about ") != NULL;
}

static void
assert_summary (Fixture    *f,
                const char *part,
                const char *expected)
{
  SummaryWait w = { f->window, part, expected };

  fb_test_wait_until (summary_shows, &w, 5);
  CU_ASSERT_STRING_EQUAL (fb_run_summary_get_text (fb_window_get_summary (f->window), part),
                          expected);
}

static void
collect_cells (GtkWidget   *widget,
               FbJobColumn  column,
               GPtrArray   *cells)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (FB_IS_JOB_CELL (child))
        {
          /* Rows out of view are kept unmapped and catch up when shown. */
          if (gtk_widget_get_mapped (child) &&
              fb_job_cell_get_column (FB_JOB_CELL (child)) == column &&
              fb_job_cell_get_job (FB_JOB_CELL (child)) != NULL)
            g_ptr_array_add (cells, child);
        }
      else
        collect_cells (child, column, cells);
    }
}

/* The widget showing @column of the job for @input, among the rows on screen. */
static FbJobCell *
find_cell (Fixture     *f,
           FbJobColumn  column,
           const char  *input)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  collect_cells (GTK_WIDGET (fb_window_get_column_view (f->window)), column, cells);
  for (guint i = 0; i < cells->len; i++)
    {
      FbJobCell *cell = g_ptr_array_index (cells, i);

      if (g_strcmp0 (fb_job_get_input (fb_job_cell_get_job (cell)), input) == 0)
        return cell;
    }
  return NULL;
}

typedef struct
{
  Fixture     *fixture;
  FbJobColumn  column;
  const char  *input;
  const char  *expected;
} CellWait;

static gboolean
cell_shows (gpointer data)
{
  CellWait *w = data;
  FbJobCell *cell = find_cell (w->fixture, w->column, w->input);

  return cell != NULL && g_strcmp0 (fb_job_cell_get_text (cell), w->expected) == 0;
}

static void
assert_cell (Fixture     *f,
             FbJobColumn  column,
             const char  *input,
             const char  *expected)
{
  CellWait w = { f, column, input, expected };
  FbJobCell *cell;

  fb_test_wait_until (cell_shows, &w, 5);
  cell = find_cell (f, column, input);
  CU_ASSERT_PTR_NOT_NULL_FATAL (cell);
  CU_ASSERT_STRING_EQUAL (fb_job_cell_get_text (cell), expected);
}

static guint
n_rows (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (fb_window_get_column_view (f->window))));
}

static char *
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static gboolean
file_exists (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* ---- tests ---- */

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

  fb_preview_dialog_respond (preview, "start");
  CU_ASSERT_PTR_NULL (fb_window_get_preview (f.window));
  CU_ASSERT_STRING_EQUAL (fb_window_get_page (f.window), "jobs");
  fb_test_wait_until (run_finished, f.window, 20);

  run = fb_window_get_run (f.window);
  CU_ASSERT_EQUAL (fb_run_get_total (run), 6);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run), 4);
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (run), 2);
  CU_ASSERT_EQUAL (fb_run_get_n_error (run), 0);
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

/* Filtering and sorting go in steps between frames. */
static gboolean
list_settled (gpointer data)
{
  return fb_job_list_get_pending (fb_window_get_job_list (FB_WINDOW (data))) == 0;
}

static guint
shown_rows_after_filter (Fixture    *f,
                         const char *filter)
{
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.filter", "s", filter);
  fb_test_wait_until (list_settled, f->window, 5);
  return n_rows (f);
}

static gboolean
four_rows_shown (gpointer data)
{
  return n_rows (data) == 4;
}

static void
test_window_filter_shows_failed_and_done (void)
{
  Fixture f;

  fixture_setup (&f, 0.01, 0.02);
  drop_text (&f, "BR\nQX\nZB\nIN\n");
  fb_preview_dialog_respond (wait_preview (&f), "start");
  fb_test_wait_until (run_finished, f.window, 20);

  CU_ASSERT_EQUAL (shown_rows_after_filter (&f, "failed"), 2);
  CU_ASSERT_STRING_EQUAL (fb_window_get_filter (f.window), "failed");
  CU_ASSERT_EQUAL (shown_rows_after_filter (&f, "active"), 0);
  /* An empty filter says so instead of showing a blank list. */
  CU_ASSERT_STRING_EQUAL (fb_job_list_get_empty_title (fb_window_get_job_list (f.window)),
                          "No Active Jobs");
  CU_ASSERT_EQUAL (shown_rows_after_filter (&f, "done"), 4);
  CU_ASSERT_PTR_NULL (fb_job_list_get_empty_title (fb_window_get_job_list (f.window)));
  CU_ASSERT_EQUAL (shown_rows_after_filter (&f, "all"), 4);

  /* Sorted by State (not found before OK), then back to the order of the
   * list: once sorted, the original order could not be had again. */
  {
    GtkColumnView *view = fb_window_get_column_view (f.window);
    g_autoptr(GtkColumnViewColumn) state = g_list_model_get_item (gtk_column_view_get_columns (view), 2);
    const char *sorted[] = { "QX", "ZB", "BR", "IN" };
    const char *original[] = { "BR", "QX", "ZB", "IN" };
    GListModel *rows = G_LIST_MODEL (gtk_column_view_get_model (view));

    fb_test_wait_until (four_rows_shown, &f, 5);
    gtk_column_view_sort_by_column (view, state, GTK_SORT_DESCENDING);
    fb_test_wait_until (list_settled, f.window, 5);
    CU_ASSERT_EQUAL_FATAL (n_rows (&f), 4);
    for (guint i = 0; i < G_N_ELEMENTS (sorted); i++)
      {
        g_autoptr(FbJob) job = g_list_model_get_item (rows, i);

        CU_ASSERT_STRING_EQUAL (fb_job_get_input (job), sorted[i]);
      }
    gtk_widget_activate_action (GTK_WIDGET (f.window), "win.original-order", NULL);
    fb_test_wait_until (list_settled, f.window, 5);
    CU_ASSERT_EQUAL_FATAL (n_rows (&f), 4);
    for (guint i = 0; i < G_N_ELEMENTS (original); i++)
      {
        g_autoptr(FbJob) job = g_list_model_get_item (rows, i);

        CU_ASSERT_STRING_EQUAL (fb_job_get_input (job), original[i]);
      }
  }

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

static gboolean
all_300_rows_shown (gpointer data)
{
  return n_rows (data) == 300;
}

/* A long list dropped on a short one grows into view a few rows per frame
 * (GTK would otherwise make its 200 rows in one block), and all of it gets
 * there. */
static void
test_window_long_list_grows_into_view (void)
{
  Fixture f;
  g_autoptr(GString) text = g_string_new (NULL);
  guint first;

  fixture_setup (&f, 0.01, 0.02);
  for (guint i = 0; i < 300; i++)
    g_string_append_printf (text, "http://127.0.0.1:9/list/file-%u.gif\n", i);
  drop_text (&f, text->str);
  fb_preview_dialog_respond (wait_preview (&f), "add");
  first = n_rows (&f);
  CU_ASSERT (first > 0 && first < 300);
  /* About 230 frames (see REVEAL_STEP); slow under AddressSanitizer. */
  fb_test_wait_until (all_300_rows_shown, &f, 60);
  CU_ASSERT_EQUAL (n_rows (&f), 300);
  CU_ASSERT_EQUAL (fb_run_get_total (fb_window_get_run (f.window)), 300);
  assert_cell (&f, FB_JOB_COLUMN_NAME, "http://127.0.0.1:9/list/file-0.gif",
               "http://127.0.0.1:9/list/file-0.gif");

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

/* The default application for GIFs and folders, set up in main (): it
 * appends what it is asked to open to this file, one line each. */
static char *opened_path;

static gboolean
opened_contains (gpointer data)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (opened_path, &contents, NULL, NULL) &&
         strstr (contents, data) != NULL;
}

static gboolean
bus_name_listed (GDBusConnection *bus,
                 const char      *method,
                 const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **names = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", method, NULL,
                                       G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, 2000,
                                       NULL, NULL);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(^a&s)", &names);
  return g_strv_contains (names, name);
}

/* A file manager running, or one the bus would start for the call. */
static gboolean
file_manager_on_bus (void)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (app));
  const char *name = "org.freedesktop.FileManager1";

  return bus != NULL && (bus_name_listed (bus, "ListNames", name) ||
                         bus_name_listed (bus, "ListActivatableNames", name));
}

/* "Open" hands the saved file to its default application, and "Show in
 * folder" its folder (when no file manager answers on the bus). */
static void
test_window_open_and_show_in_folder_use_default_apps (void)
{
  Fixture f;
  FbJob *job;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *folder_path = NULL;
  GtkSelectionModel *rows;

  fixture_setup (&f, 0.01, 0.02);
  g_settings_set_boolean (f.settings, "start-after-drop", TRUE);
  drop_text (&f, "BR\n");
  fb_test_wait_until (run_finished, f.window, 10);
  job = g_list_model_get_item (fb_run_get_jobs (fb_window_get_run (f.window)), 0);
  g_object_unref (job);   /* the run keeps it */
  CU_ASSERT_PTR_NOT_NULL_FATAL (fb_job_get_saved_path (job));
  file = g_file_new_for_path (fb_job_get_saved_path (job));
  folder = g_file_get_parent (file);
  folder_path = g_file_get_path (folder);

  rows = gtk_column_view_get_model (fb_window_get_column_view (f.window));
  CU_ASSERT_TRUE (gtk_selection_model_select_item (rows, 0, TRUE));
  gtk_widget_activate_action (GTK_WIDGET (f.window), "job.open", NULL);
  /* GIO hands a local file to a "%u" application by its path. */
  fb_test_wait_until (opened_contains, (gpointer) fb_job_get_saved_path (job), 10);
  CU_ASSERT_TRUE (opened_contains ((gpointer) fb_job_get_saved_path (job)));

  if (!file_manager_on_bus ())
    {
      g_autofree char *line = g_strconcat (folder_path, "\n", NULL);

      gtk_widget_activate_action (GTK_WIDGET (f.window), "job.show-in-folder", NULL);
      fb_test_wait_until (opened_contains, line, 10);
      CU_ASSERT_TRUE (opened_contains (line));
    }

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

/* A catalog job goes round twice; its second round says it is the
 * metadata, so it does not look as if it started over. */
static void
test_window_catalog_metadata_round_is_named (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_CATALOG, "BR");

  _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
  CU_ASSERT_STRING_EQUAL (fb_format_job_state (job), "Connecting");
  _fb_job_set_phase (job, FB_JOB_PHASE_TRANSFERRING);
  _fb_job_add_received (job, 1200);
  _fb_job_set_phase (job, FB_JOB_PHASE_WAITING);
  CU_ASSERT_STRING_EQUAL (fb_format_job_state (job), "Waiting (metadata)");
  _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
  CU_ASSERT_STRING_EQUAL (fb_format_job_state (job), "Connecting (metadata)");
  _fb_job_set_phase (job, FB_JOB_PHASE_TRANSFERRING);
  CU_ASSERT_STRING_EQUAL (fb_format_job_state (job), "Downloading (metadata)");
}

static gint64
frames_in (GtkWidget *widget,
           double     seconds)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 before = gdk_frame_clock_get_frame_counter (clock);

  fb_test_spin (seconds);
  return gdk_frame_clock_get_frame_counter (clock) - before;
}

/* A connecting job's bar pulses while it is seen. Once its row is out of
 * view (unmapped), nothing of it may keep the window drawing: GTK maps new
 * rows before it hides those out of view, and a busy run once left a hundred
 * hidden bars ticking every frame until the window closed. */
static void
test_window_hidden_pulsing_bar_lets_window_idle (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1:9/a.gif");
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *cell = fb_job_cell_new (FB_JOB_COLUMN_PROGRESS);

  gtk_widget_set_size_request (cell, 120, -1);
  gtk_box_append (GTK_BOX (box), cell);
  gtk_box_append (GTK_BOX (box), gtk_label_new ("idle"));
  gtk_window_set_child (GTK_WINDOW (window), box);
  _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
  fb_job_cell_set_job (FB_JOB_CELL (cell), job);
  gtk_window_present (GTK_WINDOW (window));
  fb_test_wait_until (widget_is_mapped, cell, 5);

  /* Seen: it animates, so frames keep coming (about 60 a second). */
  CU_ASSERT_TRUE (frames_in (window, 0.3) >= 5);
  CU_ASSERT_DOUBLE_EQUAL (fb_job_cell_get_fraction (FB_JOB_CELL (cell)), -1.0, 1e-9);

  /* Hidden while it still pulses: after a frame or two to settle, the
   * window draws nothing more. */
  gtk_widget_set_visible (cell, FALSE);
  fb_test_spin (0.1);
  CU_ASSERT_TRUE (frames_in (window, 0.3) <= 1);

  /* Seen again, it pulses again. */
  gtk_widget_set_visible (cell, TRUE);
  fb_test_spin (0.1);
  CU_ASSERT_TRUE (frames_in (window, 0.3) >= 5);

  gtk_window_destroy (GTK_WINDOW (window));
  fb_test_spin (0.05);
}

static gboolean
cell_fraction_is (gpointer data)
{
  GtkWidget **cell = data;
  double want = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (*cell), "want")) / 100.0;

  return fb_job_cell_get_fraction (FB_JOB_CELL (*cell)) == want;
}

/* Each cell draws its job itself: what it shows follows the job, in every
 * column, and drawing it in either text direction neither fails nor warns. */
static void
test_window_cells_show_their_job (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1:9/flags/br/br.gif");
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *cells[FB_JOB_COLUMN_MESSAGE + 1];
  GtkWidget *bar;

  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      cells[i] = fb_job_cell_new (i);
      gtk_widget_set_size_request (cells[i], 160, -1);
      gtk_box_append (GTK_BOX (box), cells[i]);
      fb_job_cell_set_job (FB_JOB_CELL (cells[i]), job);
    }
  bar = cells[FB_JOB_COLUMN_PROGRESS];
  gtk_window_set_child (GTK_WINDOW (window), box);
  _fb_job_set_phase (job, FB_JOB_PHASE_TRANSFERRING);
  _fb_job_set_expected (job, 400);
  _fb_job_add_received (job, 100);
  gtk_window_present (GTK_WINDOW (window));
  fb_test_wait_until (widget_is_mapped, bar, 5);

  g_object_set_data (G_OBJECT (bar), "want", GINT_TO_POINTER (25));
  CU_ASSERT_TRUE (fb_test_wait_until (cell_fraction_is, &bar, 5));
  CU_ASSERT_STRING_EQUAL (fb_job_cell_get_text (FB_JOB_CELL (cells[FB_JOB_COLUMN_NAME])),
                          "http://127.0.0.1:9/flags/br/br.gif");
  CU_ASSERT_PTR_NULL (fb_job_cell_get_text (FB_JOB_CELL (bar)));
  CU_ASSERT_DOUBLE_EQUAL (fb_job_cell_get_fraction (FB_JOB_CELL (cells[FB_JOB_COLUMN_SIZE])),
                          -1.0, 1e-9);
  CU_ASSERT_TRUE (frames_in (window, 0.2) >= 1);
  CU_ASSERT_TRUE (gtk_widget_get_height (cells[FB_JOB_COLUMN_STATE]) >= 16);
  CU_ASSERT_TRUE (gtk_widget_get_height (cells[FB_JOB_COLUMN_NAME]) >= 10);

  _fb_job_finish (job, FB_JOB_STATE_OK, NULL);
  g_object_set_data (G_OBJECT (bar), "want", GINT_TO_POINTER (100));
  CU_ASSERT_TRUE (fb_test_wait_until (cell_fraction_is, &bar, 5));
  CU_ASSERT_TRUE (gtk_widget_has_css_class (bar, "success"));
  CU_ASSERT_TRUE (gtk_widget_has_css_class (cells[FB_JOB_COLUMN_STATE], "success"));
  CU_ASSERT_STRING_EQUAL (fb_job_cell_get_text (FB_JOB_CELL (cells[FB_JOB_COLUMN_STATE])),
                          fb_format_job_state (job));

  /* Right to left: the icon and the bar's fill change sides. */
  gtk_widget_set_direction (box, GTK_TEXT_DIR_RTL);
  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    gtk_widget_set_direction (cells[i], GTK_TEXT_DIR_RTL);
  gtk_widget_queue_draw (window);
  CU_ASSERT_TRUE (frames_in (window, 0.2) >= 1);

  /* A catalog job whose image is in and that waits for its metadata is
   * half done, not a full bar; a probe has no bar at all. */
  {
    g_autoptr(FbJob) catalog = fb_job_new (FB_JOB_KIND_CATALOG, "BR");
    g_autoptr(FbJob) probe = fb_job_new (FB_JOB_KIND_PROBE, "localhost");
    g_autofree char *speed = NULL;

    _fb_job_set_phase (catalog, FB_JOB_PHASE_TRANSFERRING);
    _fb_job_set_expected (catalog, 100);
    _fb_job_add_received (catalog, 100);
    _fb_job_set_phase (catalog, FB_JOB_PHASE_WAITING);
    fb_job_cell_set_job (FB_JOB_CELL (bar), catalog);
    g_object_set_data (G_OBJECT (bar), "want", GINT_TO_POINTER (50));
    CU_ASSERT_TRUE (fb_test_wait_until (cell_fraction_is, &bar, 5));
    speed = fb_format_job_speed (catalog);
    CU_ASSERT_STRING_EQUAL (speed, "");

    fb_job_cell_set_job (FB_JOB_CELL (bar), probe);
    g_object_set_data (G_OBJECT (bar), "want", GINT_TO_POINTER (-100));
    CU_ASSERT_TRUE (fb_test_wait_until (cell_fraction_is, &bar, 5));
    fb_job_cell_set_job (FB_JOB_CELL (bar), NULL);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  fb_test_spin (0.05);
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

    fb_window_open_files (f.window, &missing, 1);
    preview = wait_preview (&f);
    CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_heading (preview), "Nothing to Run");
    CU_ASSERT_STRING_EQUAL (fb_preview_dialog_get_problems (preview, &description),
                            "1 file could not be read");
    CU_ASSERT_STRING_EQUAL (description != NULL ? description : "", "");
    fb_preview_dialog_respond (preview, "cancel");
    fb_test_spin (0.1);
  }

  fixture_teardown (&f);
}

/* A button for @action inside the job list: its sensitivity is the
 * action's enabled state, as in the job menu. */
static GtkWidget *
action_probe (Fixture    *f,
              const char *action)
{
  GtkWidget *button = gtk_button_new ();

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_visible (button, FALSE);
  gtk_widget_set_parent (button, GTK_WIDGET (fb_window_get_column_view (f->window)));
  return button;
}

static gboolean
enabled (GtkWidget *probe)
{
  return gtk_widget_get_sensitive (probe);
}

static guint
row_of (Fixture    *f,
        const char *suffix)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (fb_window_get_column_view (f->window)));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (model, i);

      if (g_str_has_suffix (fb_job_get_input (job), suffix))
        return i;
    }
  CU_FAIL ("no such row");
  return 0;
}

static void
select_row (Fixture    *f,
            const char *suffix)
{
  GtkSelectionModel *model = gtk_column_view_get_model (fb_window_get_column_view (f->window));

  gtk_selection_model_select_item (model, row_of (f, suffix), TRUE);
  fb_test_spin (0.05);
}

/* Open File was enabled on a failed job ("Nothing was saved"), Retry on a
 * job that succeeded; Retry Failed Jobs retries errors, not "not found". */
static void
test_window_job_actions_follow_job_state (void)
{
  Fixture f;
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autofree char *ok_url = fb_test_server_url (server, "/file/ok.bin?size=100");
  g_autofree char *missing_url = fb_test_server_url (server, "/status/404");
  g_autofree char *broken_url = fb_test_server_url (server, "/status/500");
  g_autofree char *text = g_strdup_printf ("%s\n%s\n%s\n", ok_url, missing_url, broken_url);
  GtkWidget *open, *show, *cancel, *retry, *copy, *retry_failed;
  g_autofree char *expected = NULL;
  g_autofree char *tooltip = NULL;
  FbJobDetails *details;
  FbJob *job;
  gint64 first_elapsed;
  FbRun *run;

  fixture_setup (&f, 0.01, 0.02);
  open = action_probe (&f, "job.open");
  show = action_probe (&f, "job.show-in-folder");
  cancel = action_probe (&f, "job.cancel");
  retry = action_probe (&f, "job.retry");
  copy = action_probe (&f, "job.copy-url");
  retry_failed = action_probe (&f, "win.retry-failed");

  drop_text (&f, text);
  fb_preview_dialog_respond (wait_preview (&f), "start");
  fb_test_wait_until (run_finished, f.window, 10);
  run = fb_window_get_run (f.window);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_error (run), 1);
  fb_test_spin (0.05);
  CU_ASSERT_FALSE (enabled (open));
  CU_ASSERT_FALSE (enabled (copy));
  CU_ASSERT_TRUE (enabled (retry_failed));

  select_row (&f, "ok.bin?size=100");
  CU_ASSERT_TRUE (enabled (open));
  CU_ASSERT_TRUE (enabled (show));
  CU_ASSERT_TRUE (enabled (copy));
  CU_ASSERT_FALSE (enabled (cancel));
  CU_ASSERT_FALSE (enabled (retry));

  select_row (&f, "/status/500");
  /* The details pane has the whole reason, once. */
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-details", NULL);
  details = fb_window_get_details (f.window);
  CU_ASSERT_STRING_EQUAL (fb_job_details_get_text (details, "state"), "Error");
  CU_ASSERT_STRING_EQUAL (fb_job_details_get_text (details, "reason"),
                          "Error: HTTP error 500 - Internal Server Error");
  CU_ASSERT_STRING_EQUAL (fb_job_details_get_text (details, "url"), broken_url);
  CU_ASSERT_PTR_NULL (fb_job_details_get_text (details, "saved"));
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_job_details_get_text (details, "phases"),
                                  "Waiting for a slot: from +"));

  select_row (&f, "/status/404");
  job = fb_job_details_get_job (details);
  CU_ASSERT_PTR_NOT_NULL_FATAL (job);
  expected = g_strdup_printf ("Not found (HTTP 404): %s", missing_url);
  CU_ASSERT_STRING_EQUAL (fb_job_details_get_text (details, "reason"), expected);
  /* The tooltip says it once too (it said "Not found (HTTP 404): Not
   * found (HTTP 404): URL", then the URL again). */
  tooltip = fb_format_job_tooltip (job);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s\nNot found (HTTP 404): %s\nFrom dropped text, line 2",
                              missing_url, missing_url);
  CU_ASSERT_STRING_EQUAL (tooltip, expected);
  CU_ASSERT_FALSE (enabled (open));
  CU_ASSERT_FALSE (enabled (show));
  CU_ASSERT_TRUE (enabled (copy));
  CU_ASSERT_FALSE (enabled (cancel));
  CU_ASSERT_TRUE (enabled (retry));

  /* Only the error goes again; it fails again, the rest stays. Elapsed
   * keeps the first period, so the rate is over every finished job. */
  first_elapsed = fb_run_get_elapsed (run);
  CU_ASSERT_TRUE (first_elapsed > 0);
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.retry-failed", NULL);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), 2);
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (run), 1);
  fb_test_wait_until (run_finished, f.window, 10);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_not_found (run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_error (run), 1);
  CU_ASSERT_TRUE (fb_run_get_elapsed (run) > first_elapsed);
  assert_summary (&f, "progress", "3 of 3 finished");

  for (GtkWidget *probe = gtk_widget_get_first_child (GTK_WIDGET (fb_window_get_column_view (f.window)));
       probe != NULL;)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (probe);

      if (GTK_IS_BUTTON (probe))
        gtk_widget_unparent (probe);
      probe = next;
    }
  fixture_teardown (&f);
}

static gboolean
two_rows_shown (gpointer data)
{
  return n_rows (data) == 2;
}

/* Tab onto a row with nothing selected selects it, so Delete and the menu
 * key act on it. */
static void
test_window_focus_selects_row (void)
{
  Fixture f;
  GtkColumnView *view;
  GtkSelectionModel *model;
  GtkBitset *set;

  fixture_setup (&f, 0.01, 0.02);
  drop_text (&f, "BR\nJP\n");
  fb_preview_dialog_respond (wait_preview (&f), "add");
  view = fb_window_get_column_view (f.window);
  model = gtk_column_view_get_model (view);
  fb_test_wait_until (two_rows_shown, &f, 5);
  /* The rows are made at the next frame. */
  fb_test_spin (0.2);
  gtk_selection_model_unselect_all (model);
  gtk_widget_grab_focus (GTK_WIDGET (fb_window_get_concurrency_spin (f.window)));
  fb_test_spin (0.05);
  gtk_widget_child_focus (GTK_WIDGET (view), GTK_DIR_TAB_FORWARD);
  fb_test_spin (0.05);
  set = gtk_selection_model_get_selection (model);
  CU_ASSERT_EQUAL (gtk_bitset_get_size (set), 1);
  gtk_bitset_unref (set);

  fixture_teardown (&f);
}

static void
find_type (GtkWidget *widget,
           GType      type,
           GPtrArray *found)
{
  if (g_type_is_a (G_OBJECT_TYPE (widget), type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    find_type (child, type, found);
}

/* The shortcuts window fits on one page (it split onto two), lists Retry
 * Failed Jobs, and opens without GTK's "reported min width -3" warning. */
static void
test_window_shortcuts_fit_one_page (void)
{
  Fixture f;
  g_autoptr(GPtrArray) stacks = g_ptr_array_new ();
  g_autoptr(GPtrArray) shortcuts = g_ptr_array_new ();
  GtkWindow *help;
  gboolean has_retry_failed = FALSE;
  guint n_pages = 0;

  fixture_setup (&f, 0.01, 0.02);
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-help-overlay", NULL);
  help = GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f.window)));
  CU_ASSERT_PTR_NOT_NULL_FATAL (help);
  fb_test_wait_until (widget_is_mapped, help, 5);
  fb_test_spin (0.1);

  find_type (GTK_WIDGET (help), GTK_TYPE_SHORTCUTS_SECTION, stacks);
  CU_ASSERT_EQUAL_FATAL (stacks->len, 1);
  for (GtkWidget *child = gtk_widget_get_first_child (g_ptr_array_index (stacks, 0));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_STACK (child))
      {
        g_autoptr(GListModel) pages = G_LIST_MODEL (gtk_stack_get_pages (GTK_STACK (child)));

        n_pages = g_list_model_get_n_items (pages);
      }
  CU_ASSERT_EQUAL (n_pages, 1);

  find_type (GTK_WIDGET (help), GTK_TYPE_SHORTCUTS_SHORTCUT, shortcuts);
  for (guint i = 0; i < shortcuts->len; i++)
    {
      g_autofree char *title = NULL;

      g_object_get (g_ptr_array_index (shortcuts, i), "title", &title, NULL);
      has_retry_failed |= g_strcmp0 (title, "Retry the failed jobs") == 0;
    }
  CU_ASSERT_TRUE (has_retry_failed);
  gtk_window_destroy (help);

  fixture_teardown (&f);
}

static gboolean
window_is_narrow (gpointer data)
{
  return g_str_equal (fb_window_get_width_class (FB_WINDOW (data)), "narrow");
}

/* The window could not get narrower than 710-873 px: at 360 px it fits,
 * with the columns a narrow window can do without hidden. */
static void
test_window_narrow_fits_360 (void)
{
  Fixture f;
  GListModel *columns;
  g_autofree char *layout = NULL;

  /* GNOME's own title buttons (GTK's default adds two more under Xvfb). */
  g_object_get (gtk_settings_get_default (), "gtk-decoration-layout", &layout, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  fixture_setup (&f, 0.01, 0.02);
  fb_window_start_demo (f.window);
  CU_ASSERT_STRING_EQUAL (fb_window_get_width_class (f.window), "wide");
  gtk_window_set_default_size (GTK_WINDOW (f.window), 360, 700);
  fb_test_wait_until (window_is_narrow, f.window, 5);
  fb_test_spin (0.2);
  CU_ASSERT_TRUE (gtk_widget_get_width (GTK_WIDGET (f.window)) <= 372);
  columns = gtk_column_view_get_columns (fb_window_get_column_view (f.window));
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      gboolean wanted = i == FB_JOB_COLUMN_NAME || i == FB_JOB_COLUMN_STATE ||
                        i == FB_JOB_COLUMN_MESSAGE;

      CU_ASSERT_EQUAL (gtk_column_view_column_get_visible (column), wanted);
    }
  fb_test_wait_until (run_finished, f.window, 30);

  fixture_teardown (&f);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", layout, NULL);
}

static gboolean
waterfall_drew (gpointer data)
{
  return fb_waterfall_get_n_drawn (data) > 0;
}

/* The waterfall draws only the rows in view, follows the list's filter,
 * and zooms. */
static void
test_window_waterfall_draws_rows_in_view (void)
{
  Fixture f;
  g_autoptr(GString) urls = g_string_new (NULL);
  FbWaterfall *waterfall;
  guint drawn;

  fixture_setup (&f, 0.01, 0.02);
  for (guint i = 0; i < 300; i++)
    g_string_append_printf (urls, "http://127.0.0.1:9/wf/file-%u.gif\n", i);
  drop_text (&f, urls->str);
  fb_preview_dialog_respond (wait_preview (&f), "start");
  fb_test_wait_until (run_finished, f.window, 30);

  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-waterfall", NULL);
  waterfall = fb_window_get_waterfall (f.window);
  CU_ASSERT_TRUE (gtk_widget_get_mapped (GTK_WIDGET (waterfall)));
  fb_test_wait_until (waterfall_drew, waterfall, 30);
  drawn = fb_waterfall_get_n_drawn (waterfall);
  /* A screenful, never the 300 rows. */
  CU_ASSERT_TRUE (drawn > 5 && drawn < 100);

  /* Filtered to what is active (none now), it draws no row. */
  fb_window_set_filter (f.window, "active");
  fb_test_wait_until (list_settled, f.window, 30);
  gtk_widget_queue_draw (GTK_WIDGET (waterfall));
  fb_test_spin (0.2);
  CU_ASSERT_EQUAL (fb_waterfall_get_n_drawn (waterfall), 0);
  fb_window_set_filter (f.window, "all");
  /* Back to 300 rows, let into view a row or two a frame: a few seconds,
   * longer under AddressSanitizer on a busy machine. */
  fb_test_wait_until (list_settled, f.window, 60);

  fb_waterfall_set_zoom (waterfall, 4.0);
  CU_ASSERT_DOUBLE_EQUAL (fb_waterfall_get_zoom (waterfall), 4.0, 1e-9);
  fb_waterfall_set_zoom (waterfall, 0.1);
  CU_ASSERT_DOUBLE_EQUAL (fb_waterfall_get_zoom (waterfall), 1.0, 1e-9);

  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-waterfall", NULL);
  CU_ASSERT_FALSE (gtk_widget_get_mapped (GTK_WIDGET (waterfall)));

  fixture_teardown (&f);
}

static void
test_window_close_saves_size_and_finalizes (void)
{
  Fixture f;
  FbWindow *window;

  fixture_setup (&f, 0.01, 0.02);
  window = g_steal_pointer (&f.window);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_close (GTK_WINDOW (window));
  fb_test_spin (0.2);
  CU_ASSERT_PTR_NULL (window);
  CU_ASSERT_EQUAL (g_settings_get_int (f.settings, "window-width"), 900);
  CU_ASSERT_EQUAL (g_settings_get_int (f.settings, "window-height"), 640);
  CU_ASSERT_FALSE (g_settings_get_boolean (f.settings, "window-maximized"));

  fixture_teardown (&f);
}

static void
collect_type (GtkWidget *widget,
              GType      type,
              GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (found, child);
      collect_type (child, type, found);
    }
}

static void
test_window_preferences_follow_settings (void)
{
  Fixture f;
  GtkWindow *prefs;
  g_autoptr(GPtrArray) spins = g_ptr_array_new ();
  g_autoptr(GPtrArray) switches = g_ptr_array_new ();
  GtkSpinButton *concurrency;
  GtkSwitch *overwrite;

  fixture_setup (&f, 0.01, 0.02);
  prefs = fb_preferences_window_new (GTK_WINDOW (f.window), f.settings);
  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  gtk_window_present (prefs);
  fb_test_wait_until (widget_is_mapped, prefs, 5);

  /* In the template's order: concurrent jobs, timeout, DNS timeout, then
   * connect timeout, longest request, slowest body, speed window, retries
   * and jobs per host. */
  collect_type (GTK_WIDGET (prefs), GTK_TYPE_SPIN_BUTTON, spins);
  collect_type (GTK_WIDGET (prefs), GTK_TYPE_SWITCH, switches);
  CU_ASSERT_EQUAL_FATAL (spins->len, 9);
  CU_ASSERT_EQUAL_FATAL (switches->len, 3);
  concurrency = g_ptr_array_index (spins, 0);
  overwrite = g_ptr_array_index (switches, 0);

  CU_ASSERT_DOUBLE_EQUAL (gtk_spin_button_get_value (concurrency), 5, 0.01);
  g_settings_set_uint (f.settings, "concurrent-jobs", 42);
  CU_ASSERT_DOUBLE_EQUAL (gtk_spin_button_get_value (concurrency), 42, 0.01);
  /* The header's spin button shows the same setting. */
  CU_ASSERT_DOUBLE_EQUAL (gtk_spin_button_get_value (fb_window_get_concurrency_spin (f.window)), 42, 0.01);

  gtk_spin_button_set_value (concurrency, 250);
  CU_ASSERT_EQUAL (g_settings_get_uint (f.settings, "concurrent-jobs"), 250);
  CU_ASSERT_DOUBLE_EQUAL (gtk_spin_button_get_value (g_ptr_array_index (spins, 1)), 3.1, 0.001);
  CU_ASSERT_DOUBLE_EQUAL (gtk_spin_button_get_value (g_ptr_array_index (spins, 3)), 10, 0.001);
  CU_ASSERT_DOUBLE_EQUAL (gtk_spin_button_get_value (g_ptr_array_index (spins, 7)), 3, 0.001);
  {
    g_autoptr(FbRun) run = fb_run_new ();

    /* A run follows the network settings while it lives. */
    fb_settings_bind_network (f.settings, run);
    CU_ASSERT_EQUAL (fb_run_get_retries (run), 3);
    gtk_spin_button_set_value (g_ptr_array_index (spins, 8), 4);
    CU_ASSERT_EQUAL (g_settings_get_uint (f.settings, "per-host"), 4);
    CU_ASSERT_EQUAL (fb_run_get_per_host (run), 4);
    g_settings_set_double (f.settings, "max-time", 120);
    CU_ASSERT_DOUBLE_EQUAL (fb_run_get_max_time (run), 120, 0.001);
    g_settings_reset (f.settings, "per-host");
    g_settings_reset (f.settings, "max-time");
  }

  CU_ASSERT_FALSE (gtk_switch_get_active (overwrite));
  gtk_switch_set_active (overwrite, TRUE);
  CU_ASSERT_TRUE (g_settings_get_boolean (f.settings, "overwrite"));

  gtk_window_destroy (prefs);
  fb_test_spin (0.1);
  CU_ASSERT_PTR_NULL (prefs);
  fixture_teardown (&f);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_window_cell_and_summary_notify_only_on_change (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_PROBE, "localhost");
  g_autoptr(FbRun) run = fb_run_new ();
  GtkWidget *cell = g_object_ref_sink (fb_job_cell_new (FB_JOB_COLUMN_PROGRESS));
  GtkWidget *summary = g_object_ref_sink (fb_run_summary_new ());
  FbJob *read_job = NULL;
  FbRun *read_run = NULL;
  guint cell_notifies = 0;
  guint summary_notifies = 0;

  g_object_add_weak_pointer (G_OBJECT (cell), (gpointer *) &cell);
  g_object_add_weak_pointer (G_OBJECT (summary), (gpointer *) &summary);
  g_signal_connect (cell, "notify::job", G_CALLBACK (count_notify_cb), &cell_notifies);
  g_signal_connect (summary, "notify::run", G_CALLBACK (count_notify_cb), &summary_notifies);

  g_object_set (cell, "job", job, NULL);
  g_object_set (cell, "job", job, NULL);
  g_object_get (cell, "job", &read_job, NULL);
  CU_ASSERT_PTR_EQUAL (read_job, job);
  g_clear_object (&read_job);
  CU_ASSERT_EQUAL (cell_notifies, 1);
  CU_ASSERT_EQUAL (fb_job_cell_get_column (FB_JOB_CELL (cell)), FB_JOB_COLUMN_PROGRESS);
  CU_ASSERT_PTR_NULL (fb_job_cell_get_text (FB_JOB_CELL (cell)));
  CU_ASSERT_DOUBLE_EQUAL (fb_job_cell_get_fraction (FB_JOB_CELL (cell)), 0.0, 1e-9);

  g_object_set (summary, "run", run, NULL);
  g_object_set (summary, "run", run, NULL);
  g_object_get (summary, "run", &read_run, NULL);
  CU_ASSERT_PTR_EQUAL (read_run, run);
  g_clear_object (&read_run);
  CU_ASSERT_EQUAL (summary_notifies, 1);
  CU_ASSERT_STRING_EQUAL (fb_run_summary_get_text (FB_RUN_SUMMARY (summary), "progress"),
                          "0 of 0 finished");
  CU_ASSERT_STRING_EQUAL (fb_run_summary_get_text (FB_RUN_SUMMARY (summary), "semaphore"),
                          "Up to 5 at once");

  /* Neither keeps what it showed alive, nor is kept alive by it. */
  g_object_unref (cell);
  g_object_unref (summary);
  CU_ASSERT_PTR_NULL (cell);
  CU_ASSERT_PTR_NULL (summary);
}

/* The split's new types go when their last reference does, and the job
 * list's filter property notifies only on change. */
static void
test_window_parts_finalize_and_notify_once (void)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1:9/a");
  GtkWidget *list = g_object_ref_sink (fb_job_list_new ());
  GtkWidget *details = g_object_ref_sink (fb_job_details_new ());
  GtkWidget *waterfall = g_object_ref_sink (fb_waterfall_new ());
  FbDemoHost *host = fb_demo_host_new ();
  g_autoptr(GListStore) jobs = g_list_store_new (FB_TYPE_JOB);
  guint notifies = 0;

  g_object_add_weak_pointer (G_OBJECT (list), (gpointer *) &list);
  g_object_add_weak_pointer (G_OBJECT (details), (gpointer *) &details);
  g_object_add_weak_pointer (G_OBJECT (waterfall), (gpointer *) &waterfall);
  g_object_add_weak_pointer (G_OBJECT (host), (gpointer *) &host);

  g_signal_connect (list, "notify::filter", G_CALLBACK (count_notify_cb), &notifies);
  fb_job_list_set_filter (FB_JOB_LIST (list), "failed");
  fb_job_list_set_filter (FB_JOB_LIST (list), "failed");
  CU_ASSERT_EQUAL (notifies, 1);
  CU_ASSERT_STRING_EQUAL (fb_job_list_get_filter (FB_JOB_LIST (list)), "failed");

  g_list_store_append (jobs, job);
  fb_job_list_set_jobs (FB_JOB_LIST (list), G_LIST_MODEL (jobs));
  fb_waterfall_set_jobs (FB_WATERFALL (waterfall), G_LIST_MODEL (jobs));
  fb_job_details_set_job (FB_JOB_DETAILS (details), job);
  CU_ASSERT_PTR_EQUAL (fb_job_details_get_job (FB_JOB_DETAILS (details)), job);
  CU_ASSERT_STRING_EQUAL (fb_job_details_get_text (FB_JOB_DETAILS (details), "name"),
                          "http://127.0.0.1:9/a");
  CU_ASSERT_PTR_NULL (fb_demo_host_get_server (host));

  g_object_unref (list);
  g_object_unref (details);
  g_object_unref (waterfall);
  g_object_unref (host);
  CU_ASSERT_PTR_NULL (list);
  CU_ASSERT_PTR_NULL (details);
  CU_ASSERT_PTR_NULL (waterfall);
  CU_ASSERT_PTR_NULL (host);
}

static const FbTestCase tests[] = {
  { "test_window_parts_finalize_and_notify_once", test_window_parts_finalize_and_notify_once },
  { "test_window_cell_and_summary_notify_only_on_change",
    test_window_cell_and_summary_notify_only_on_change },
  { "test_window_preferences_follow_settings", test_window_preferences_follow_settings },
  { "test_window_file_drop_previews_then_runs", test_window_file_drop_previews_then_runs },
  { "test_window_filter_shows_failed_and_done", test_window_filter_shows_failed_and_done },
  { "test_window_drop_while_running_appends", test_window_drop_while_running_appends },
  { "test_window_limit_change_moves_active_count", test_window_limit_change_moves_active_count },
  { "test_window_cancel_ends_every_job_cancelled", test_window_cancel_ends_every_job_cancelled },
  { "test_window_unwritable_destination_shows_trouble", test_window_unwritable_destination_shows_trouble },
  { "test_window_demo_port_taken_shows_trouble", test_window_demo_port_taken_shows_trouble },
  { "test_window_demo_shows_every_outcome", test_window_demo_shows_every_outcome },
  { "test_window_start_after_drop_skips_preview", test_window_start_after_drop_skips_preview },
  { "test_window_cancelled_preview_runs_nothing", test_window_cancelled_preview_runs_nothing },
  { "test_window_long_list_grows_into_view", test_window_long_list_grows_into_view },
  { "test_window_long_list_goes_in_slices", test_window_long_list_goes_in_slices },
  { "test_window_catalog_metadata_round_is_named", test_window_catalog_metadata_round_is_named },
  { "test_window_hidden_pulsing_bar_lets_window_idle", test_window_hidden_pulsing_bar_lets_window_idle },
  { "test_window_cells_show_their_job", test_window_cells_show_their_job },
  { "test_window_open_and_show_in_folder_use_default_apps", test_window_open_and_show_in_folder_use_default_apps },
  { "test_window_finish_notifies_when_not_focused", test_window_finish_notifies_when_not_focused },
  { "test_window_close_saves_size_and_finalizes", test_window_close_saves_size_and_finalizes },
  { "test_window_escape_and_close_ask_before_stopping",
    test_window_escape_and_close_ask_before_stopping },
  { "test_window_preview_enter_starts", test_window_preview_enter_starts },
  { "test_window_job_actions_follow_job_state", test_window_job_actions_follow_job_state },
  { "test_window_focus_selects_row", test_window_focus_selects_row },
  { "test_window_shortcuts_fit_one_page", test_window_shortcuts_fit_one_page },
  { "test_window_narrow_fits_360", test_window_narrow_fits_360 },
  { "test_window_waterfall_draws_rows_in_view", test_window_waterfall_draws_rows_in_view },
  { NULL, NULL }
};

static void
write_or_die (const char *path,
              const char *contents,
              int         mode)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, contents, -1, &error) || g_chmod (path, mode) != 0)
    g_error ("%s: %s", path, error != NULL ? error->message : g_strerror (errno));
}

static char *
set_up_default_apps (void)
{
  char *dir = fb_test_make_tmpdir ();
  g_autofree char *apps = g_build_filename (dir, "data", "applications", NULL);
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *script = g_build_filename (dir, "opener.sh", NULL);
  g_autofree char *desktop = g_build_filename (apps, "fb-test-opener.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (config, "mimeapps.list", NULL);
  g_autofree char *data_home = g_build_filename (dir, "data", NULL);
  g_autofree char *script_text = NULL;
  g_autofree char *desktop_text = NULL;

  opened_path = g_build_filename (dir, "opened.txt", NULL);
  g_mkdir_with_parents (apps, 0700);
  g_mkdir_with_parents (config, 0700);
  script_text = g_strdup_printf ("#!/bin/sh\nprintf '%%s\\n' \"$1\" >> '%s'\n", opened_path);
  write_or_die (script, script_text, 0700);
  desktop_text = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Fetchboard test opener\n"
                                  "Exec=%s %%u\nMimeType=image/gif;inode/directory;\nNoDisplay=true\n",
                                  script);
  write_or_die (desktop, desktop_text, 0600);
  write_or_die (mimeapps, "[Default Applications]\nimage/gif=fb-test-opener.desktop\n"
                          "inode/directory=fb-test-opener.desktop\n", 0600);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  /* The journal too: each test binary starts with none. */
  g_setenv ("XDG_STATE_HOME", dir, TRUE);
  return dir;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *handler_dir = NULL;
  int status;

  /* Before GIO reads the XDG folders: a default application of our own
   * for GIFs and folders, which notes each URI it is asked to open. */
  handler_dir = set_up_default_apps ();

  /* Skipped only when there is no display at all. */
  if (!gtk_init_check ())
    {
      g_printerr ("test-window: no display, skipped\n");
      return 77;
    }

  app = fb_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("test-window: %s\n", error->message);
      return 1;
    }
  /* The windows are the application's: it must not quit between tests. */
  g_application_hold (G_APPLICATION (app));

  status = fb_test_main (argc, argv, "window", tests);
  fb_test_rm_rf (handler_dir);

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return status;
}
