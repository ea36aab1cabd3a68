/* test-window-list.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The job list, its cells, filter and sort, the job actions and the
 * waterfall, in the real window under a headless X server.
 */

#include "config.h"

#include <string.h>

#include "fb-fixed-label.h"
#include "fb-frame-phase.h"
#include "fb-window-test-utils.h"

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
    GListModel *rows = fb_job_list_get_shown (fb_window_get_job_list (f.window));

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

/* The rows keep their places while jobs move (GTK 4.8 would make a new
 * row for a job that moved); the selection goes with the job. A header's
 * sort reaches the list's own order, and the list in the view is the
 * order, row by row. */
static void
test_window_selection_follows_job_when_sorted (void)
{
  Fixture f;
  GtkColumnView *view;
  GtkSelectionModel *rows;
  FbJobList *list;
  g_autoptr(GtkColumnViewColumn) name = NULL;
  g_autoptr(GPtrArray) selected = NULL;
  const char *by_name[] = { "BR", "IN", "QX", "ZB" };

  fixture_setup (&f, 0.01, 0.02);
  drop_text (&f, "BR\nQX\nZB\nIN\n");
  fb_preview_dialog_respond (wait_preview (&f), "start");
  fb_test_wait_until (run_finished, f.window, 20);
  fb_test_wait_until (four_rows_shown, &f, 5);
  fb_test_wait_until (list_settled, f.window, 5);

  view = fb_window_get_column_view (f.window);
  rows = gtk_column_view_get_model (view);
  list = fb_window_get_job_list (f.window);
  /* IN, the fourth row. */
  CU_ASSERT_TRUE (gtk_selection_model_select_item (rows, 3, TRUE));
  name = g_list_model_get_item (gtk_column_view_get_columns (view), FB_JOB_COLUMN_NAME);
  gtk_column_view_sort_by_column (view, name, GTK_SORT_ASCENDING);
  fb_test_wait_until (list_settled, f.window, 5);
  CU_ASSERT_TRUE (fb_job_list_is_sorted (list));

  CU_ASSERT_EQUAL_FATAL (g_list_model_get_n_items (G_LIST_MODEL (rows)), 4);
  for (guint i = 0; i < G_N_ELEMENTS (by_name); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (fb_job_list_get_shown (list), i);

      CU_ASSERT_STRING_EQUAL (fb_job_get_input (job), by_name[i]);
    }
  /* IN went from the fourth row to the second, and its selection too. */
  CU_ASSERT_FALSE (gtk_selection_model_is_selected (rows, 3));
  CU_ASSERT_TRUE (gtk_selection_model_is_selected (rows, 1));
  selected = fb_job_list_dup_selected (list);
  CU_ASSERT_EQUAL_FATAL (selected->len, 1);
  CU_ASSERT_STRING_EQUAL (fb_job_get_input (g_ptr_array_index (selected, 0)), "IN");
  g_clear_pointer (&selected, g_ptr_array_unref);

  /* Descending, by a second click on the header. */
  gtk_column_view_sort_by_column (view, name, GTK_SORT_DESCENDING);
  fb_test_wait_until (list_settled, f.window, 5);
  for (guint i = 0; i < G_N_ELEMENTS (by_name); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (fb_job_list_get_shown (list),
                                                    G_N_ELEMENTS (by_name) - 1 - i);

      CU_ASSERT_STRING_EQUAL (fb_job_get_input (job), by_name[i]);
    }
  CU_ASSERT_TRUE (gtk_selection_model_is_selected (rows, 2));

  /* The failed filter: the selected job is not in it, the rows shrink. */
  CU_ASSERT_EQUAL (shown_rows_after_filter (&f, "failed"), 2);
  selected = fb_job_list_dup_selected (list);
  CU_ASSERT_EQUAL (selected->len, 0);

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
static gboolean
some_rows_shown (gpointer data)
{
  return n_rows (data) > 0;
}

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
  /* The frame that shows the jobs arrive adds no row (fb-job-list.c,
   * fb_job_list_reveal_gradually ()); the rows come in the frames after. */
  CU_ASSERT_EQUAL (n_rows (&f), 0);
  fb_test_wait_until (some_rows_shown, &f, 10);
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
  GListModel *model = fb_job_list_get_shown (fb_window_get_job_list (f->window));

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

  /* Rows come into view from the frame after the jobs arrive, and a short
   * run can end first. */
  fb_test_wait_until (list_settled, f->window, 10);
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

/* A box that counts how often it is measured: only a resize queued inside
 * it (or a new width given to it) makes GTK measure it again. */
static guint n_box_measures;

static void
count_measure (GtkWidget      *widget,
               GtkOrientation  orientation,
               int             for_size,
               int            *minimum,
               int            *natural,
               int            *minimum_baseline,
               int            *natural_baseline)
{
  n_box_measures++;
  gtk_widget_measure (gtk_widget_get_first_child (widget), orientation, for_size,
                      minimum, natural, NULL, NULL);
}

static void
allocate_child (GtkWidget *widget,
                int        width,
                int        height,
                int        baseline)
{
  gtk_widget_allocate (gtk_widget_get_first_child (widget), width, height, -1, NULL);
}

static gboolean
run_done (gpointer data)
{
  FbRun *run = data;

  return !fb_run_get_running (run) && fb_run_get_n_finished (run) == fb_run_get_total (run);
}

/* Its numbers change ten times a second while a run goes; each new text is
 * a redraw. The summary took its size when the run arrived and keeps it:
 * nothing in it asks for a new layout of the window, from the run's start
 * to its end (the bar's first finished job included: Adwaita's empty bar
 * used to change its height). */
static void
test_window_summary_keeps_its_size (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autoptr(FbRun) run = fb_run_new ();
  g_autofree char *dir = fb_test_make_tmpdir ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *summary = fb_run_summary_new ();
  int width, height;

  gtk_widget_set_layout_manager (box, gtk_custom_layout_new (NULL, count_measure, allocate_child));
  gtk_box_append (GTK_BOX (box), summary);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 200);

  /* 120 jobs of 60 ms, 8 at a time: about a second of changing numbers. */
  fb_run_set_max_concurrency (run, 8);
  fb_run_set_destination (run, dir);
  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *path = g_strdup_printf ("/hold?ms=60&size=%u", 100 + i * 37);
      g_autofree char *url = fb_test_server_url (server, path);
      g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);

      fb_run_add_job (run, job);
    }
  fb_run_summary_set_run (FB_RUN_SUMMARY (summary), run);
  gtk_window_present (GTK_WINDOW (window));
  fb_test_wait_until (widget_is_mapped, summary, 10);
  fb_test_spin (0.3);
  width = gtk_widget_get_width (summary);
  height = gtk_widget_get_height (summary);
  CU_ASSERT_TRUE (width > 0 && height > 0);

  n_box_measures = 0;
  fb_run_start (run);
  CU_ASSERT_TRUE (fb_test_wait_until (run_done, run, 30));
  /* The end's texts (no "left", the last rates) are drawn too. */
  fb_test_spin (0.5);

  CU_ASSERT_STRING_EQUAL (fb_run_summary_get_text (FB_RUN_SUMMARY (summary), "progress"),
                          "120 of 120 finished");
  CU_ASSERT_STRING_EQUAL (fb_run_summary_get_text (FB_RUN_SUMMARY (summary), "ok"), "120 OK");
  CU_ASSERT_EQUAL (n_box_measures, 0);
  CU_ASSERT_EQUAL (gtk_widget_get_width (summary), width);
  CU_ASSERT_EQUAL (gtk_widget_get_height (summary), height);

  gtk_window_destroy (GTK_WINDOW (window));
  fb_test_rm_rf (dir);
}

static int
natural_width (GtkWidget *widget)
{
  int minimum, natural;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  CU_ASSERT_EQUAL (minimum, natural);
  return natural;
}

/* A label asks for its widest sample's width, whatever digits it shows; a
 * longer text than any sample grows it, and it keeps that width until its
 * samples change. */
static void
test_window_fixed_label_reserves_its_samples (void)
{
  GtkWidget *label = g_object_ref_sink (fb_fixed_label_new ());
  const char *samples[] = { "10 OK", NULL };
  const char *other_samples[] = { "10 OK", "99 OK", NULL };
  int reserved, grown;

  fb_fixed_label_set_samples (FB_FIXED_LABEL (label), samples);
  reserved = natural_width (label);
  CU_ASSERT_TRUE (reserved > 0);

  fb_fixed_label_set_text (FB_FIXED_LABEL (label), "1 OK");
  CU_ASSERT_EQUAL (natural_width (label), reserved);
  fb_fixed_label_set_text (FB_FIXED_LABEL (label), "47 OK");
  CU_ASSERT_EQUAL (natural_width (label), reserved);
  CU_ASSERT_STRING_EQUAL (fb_fixed_label_get_text (FB_FIXED_LABEL (label)), "47 OK");

  fb_fixed_label_set_text (FB_FIXED_LABEL (label), "12,345,678 OK");
  grown = natural_width (label);
  CU_ASSERT_TRUE (grown > reserved);
  fb_fixed_label_set_text (FB_FIXED_LABEL (label), "3 OK");
  CU_ASSERT_EQUAL (natural_width (label), grown);
  /* The same samples again change nothing; new ones start over. */
  fb_fixed_label_set_samples (FB_FIXED_LABEL (label), samples);
  CU_ASSERT_EQUAL (natural_width (label), grown);
  fb_fixed_label_set_samples (FB_FIXED_LABEL (label), other_samples);
  CU_ASSERT_EQUAL (natural_width (label), reserved);
  CU_ASSERT_STRING_EQUAL (fb_fixed_label_get_text (FB_FIXED_LABEL (label)), "3 OK");

  g_object_unref (label);
}

/* A change made from a timeout waits for its part's half of the period,
 * and for no longer: it shows in a frame of that half, with a frame of it
 * still to come, and the two halves never overlap. */
static void
test_window_frame_phases_alternate (void)
{
  const gint64 period = FB_FRAME_PHASE_PERIOD_US;
  const gint64 base = 1000 * period;  /* any monotonic time far from 0 */

  for (gint64 at = 0; at < 2 * period; at += 1000)
    {
      gint64 now = base + at;
      guint list = fb_frame_phase_wait (now, FB_FRAME_PHASE_LIST);
      guint summary = fb_frame_phase_wait (now, FB_FRAME_PHASE_SUMMARY);
      gint64 in_period = at % period;

      /* A frame (1/60 s) before a half ends, a change waits for the next. */
      CU_ASSERT_EQUAL (list == 0, in_period < period / 2 - G_USEC_PER_SEC / 60);
      CU_ASSERT_EQUAL (summary == 0,
                       in_period >= period / 2 && in_period < period - G_USEC_PER_SEC / 60);
      CU_ASSERT_FALSE (list == 0 && summary == 0);
      /* A wait ends where its half begins (to the millisecond it rounds up to). */
      if (list > 0)
        {
          CU_ASSERT_TRUE ((now + list * 1000) % period < 1000);
          CU_ASSERT_TRUE (list * 1000 <= period);
        }
      if (summary > 0)
        {
          CU_ASSERT_TRUE ((now + summary * 1000 - period / 2) % period < 1000);
          CU_ASSERT_TRUE (summary * 1000 <= period);
        }
    }
}

static const FbTestCase tests[] = {
  { "test_window_frame_phases_alternate", test_window_frame_phases_alternate },
  { "test_window_summary_keeps_its_size", test_window_summary_keeps_its_size },
  { "test_window_fixed_label_reserves_its_samples", test_window_fixed_label_reserves_its_samples },
  { "test_window_cell_and_summary_notify_only_on_change",
    test_window_cell_and_summary_notify_only_on_change },
  { "test_window_filter_shows_failed_and_done", test_window_filter_shows_failed_and_done },
  { "test_window_selection_follows_job_when_sorted", test_window_selection_follows_job_when_sorted },
  { "test_window_long_list_grows_into_view", test_window_long_list_grows_into_view },
  { "test_window_catalog_metadata_round_is_named", test_window_catalog_metadata_round_is_named },
  { "test_window_hidden_pulsing_bar_lets_window_idle",
    test_window_hidden_pulsing_bar_lets_window_idle },
  { "test_window_cells_show_their_job", test_window_cells_show_their_job },
  { "test_window_job_actions_follow_job_state", test_window_job_actions_follow_job_state },
  { "test_window_focus_selects_row", test_window_focus_selects_row },
  { "test_window_waterfall_draws_rows_in_view", test_window_waterfall_draws_rows_in_view },
  { NULL, NULL }
};

int
main (int   argc,
      char *argv[])
{
  return fb_window_test_main (argc, argv, "window-list", tests);
}
