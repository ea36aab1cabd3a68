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

  f->window = fb_window_new (app);
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
  assert_cell (&f, FB_JOB_COLUMN_MESSAGE, "BR", "Brazil — saved as Brazil.gif");
  assert_cell (&f, FB_JOB_COLUMN_MESSAGE, "JP", "Japan — saved as Japan.gif");

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

static guint
shown_rows_after_filter (Fixture    *f,
                         const char *filter)
{
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.filter", "s", filter);
  return n_rows (f);
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
  CU_ASSERT_EQUAL (shown_rows_after_filter (&f, "done"), 4);
  CU_ASSERT_EQUAL (shown_rows_after_filter (&f, "all"), 4);

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

  /* Lowering it takes effect as slots come back. */
  gtk_spin_button_set_value (spin, 2);
  CU_ASSERT_EQUAL (fb_run_get_active (run), 10);
  w.active = 2;
  w.finished = 10;
  fb_test_wait_until (active_is, &w, 8);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), 10);
  assert_summary (&f, "semaphore", "Active 2 of 2, waiting 18");

  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.cancel", NULL);
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

  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.cancel", NULL);
  fb_test_wait_until (run_finished, f.window, 10);

  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (run), 12);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), 12);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ".part"), 0);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.dir, ""), 0);
  assert_summary (&f, "cancelled", "12 cancelled");
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

static const FbTestCase tests[] = {
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
