/* test-window-ui.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's other parts: preferences, the shortcuts window, opening
 * files with the default applications, a narrow window, closing, and the
 * parts' own lifetimes.
 */

#include "config.h"

#include <string.h>

#include "fb-renderer.h"
#include "fb-window-test-utils.h"

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
  /* The row comes into view from the frame after the job arrives, and a
   * one-job run can end first. */
  fb_test_wait_until (list_settled, f.window, 10);
  CU_ASSERT_EQUAL (g_list_model_get_n_items (G_LIST_MODEL (rows)), 1);
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
  /* The demo's own delays (0.3-2 s) only make the test wait. */
  fb_application_set_demo_options (app, 0.01, 0.02, 0.0, 0);
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
  fb_test_spin (0.2);
  /* The columns fill the view: the hidden ones' widths do not keep Message
   * from expanding (the header row is as wide as the columns together). */
  {
    GtkWidget *view = GTK_WIDGET (fb_window_get_column_view (f.window));
    GtkWidget *header = gtk_widget_get_first_child (view);

    CU_ASSERT_PTR_NOT_NULL_FATAL (header);
    CU_ASSERT_EQUAL (gtk_widget_get_width (header), gtk_widget_get_width (view));
  }

  fixture_teardown (&f);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", layout, NULL);
}

static gboolean
run_has_2_jobs (gpointer data)
{
  FbRun *run = fb_window_get_run (FB_WINDOW (data));

  return run != NULL && fb_run_get_total (run) == 2;
}

static gboolean
list_is_wide (gpointer data)
{
  return fb_job_list_get_compact (fb_window_get_job_list (FB_WINDOW (data))) == 0;
}

static gboolean
list_is_medium (gpointer data)
{
  return fb_job_list_get_compact (fb_window_get_job_list (FB_WINDOW (data))) == 1;
}

static int
name_width (Fixture *f)
{
  GListModel *columns = gtk_column_view_get_columns (fb_window_get_column_view (f->window));
  g_autoptr(GtkColumnViewColumn) name = g_list_model_get_item (columns, FB_JOB_COLUMN_NAME);

  return gtk_column_view_column_get_fixed_width (name);
}

/* The columns fit the view (no horizontal scrolling), and the last header,
 * Message's, is at least @message px wide (a header is its column's width
 * less its padding). */
static void
assert_columns_fit (Fixture *f,
                    int      message)
{
  GtkWidget *view = GTK_WIDGET (fb_window_get_column_view (f->window));
  GtkWidget *header = gtk_widget_get_first_child (view);

  CU_ASSERT_PTR_NOT_NULL_FATAL (header);
  CU_ASSERT_EQUAL (gtk_widget_get_width (header), gtk_widget_get_width (view));
  CU_ASSERT_TRUE (gtk_widget_get_width (gtk_widget_get_last_child (header)) >= message);
}

/* Long URLs in a 1,100 px window pushed the Message column, the one that
 * says why a job failed, past the right edge; at 1,010 px all eight columns
 * would leave the name and the reason 165 px each. The Name column leaves
 * Message room at every width, the list drops Kind, Size and Elapsed while
 * every column would leave a long name less than 200 px, and they come
 * back when there is room. Short names keep every column. */
static void
test_window_long_names_leave_room_for_the_message (void)
{
  Fixture f;
  g_autoptr(GString) text = g_string_new (NULL);

  fixture_setup (&f, 0.01, 0.02);
  g_settings_set_boolean (f.settings, "start-after-drop", TRUE);
  gtk_window_set_default_size (GTK_WINDOW (f.window), 1100, 700);
  /* nothing listens on port 9 here: each job fails at once */
  for (guint i = 0; i < 40; i++)
    g_string_append_printf (text, "http://127.0.0.1:9/downloads/releases/a-long-folder-name/"
                                  "subfolder-%u/archive-number-%u.tar.gz\n", i, i);
  drop_text (&f, text->str);
  fb_test_wait_until (run_finished, f.window, 10);
  fb_test_spin (0.3);
  /* Every column, and 200 px or more each for the name and the reason. */
  CU_ASSERT_STRING_EQUAL (fb_window_get_width_class (f.window), "wide");
  CU_ASSERT_EQUAL (fb_job_list_get_compact (fb_window_get_job_list (f.window)), 0);
  CU_ASSERT_TRUE (name_width (&f) >= 200 && name_width (&f) < 360);
  assert_columns_fit (&f, 180);

  /* Too narrow for that, still a wide window: the list drops three columns
   * and the name gets its room. */
  gtk_window_set_default_size (GTK_WINDOW (f.window), 1010, 700);
  CU_ASSERT_TRUE (fb_test_wait_until (list_is_medium, f.window, 5));
  fb_test_spin (0.3);
  CU_ASSERT_STRING_EQUAL (fb_window_get_width_class (f.window), "wide");
  CU_ASSERT_EQUAL (name_width (&f), 360);
  assert_columns_fit (&f, 180);

  gtk_window_set_default_size (GTK_WINDOW (f.window), 1700, 700);
  CU_ASSERT_TRUE (fb_test_wait_until (list_is_wide, f.window, 5));
  fb_test_spin (0.3);
  CU_ASSERT_EQUAL (name_width (&f), 360);
  assert_columns_fit (&f, 180);

  /* Two-letter codes leave room for every column at 1,000 px. */
  gtk_window_set_default_size (GTK_WINDOW (f.window), 1000, 700);
  fb_test_spin (0.3);
  drop_text (&f, "BR\nCN\n");
  CU_ASSERT_TRUE (fb_test_wait_until (run_has_2_jobs, f.window, 10));
  fb_test_wait_until (run_finished, f.window, 10);
  CU_ASSERT_TRUE (fb_test_wait_until (list_is_wide, f.window, 5));
  fb_test_spin (0.3);
  assert_columns_fit (&f, 180);

  fixture_teardown (&f);
}

static gboolean
uploads_warm (gpointer data)
{
  return fb_renderer_uploads_warm ();
}

/* With cairo on X11 (as these tests run, and as the window draws where
 * OpenGL is software), the shared memory frames are copied into is touched
 * in a worker thread once the first window maps, and kept. */
static void
test_window_x11_frames_find_touched_memory (void)
{
  Fixture f;
  GtkNative *native;

  fixture_setup (&f, 0.01, 0.02);
  fb_test_wait_until (widget_is_mapped, f.window, 5);
  native = GTK_NATIVE (f.window);
  if (!g_str_equal (G_OBJECT_TYPE_NAME (gtk_widget_get_display (GTK_WIDGET (f.window))),
                    "GdkX11Display") ||
      !GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (native)))
    {
      g_debug ("Not cairo on X11: nothing to warm up");
      fixture_teardown (&f);
      return;
    }
  CU_ASSERT_TRUE (fb_test_wait_until (uploads_warm, NULL, 10));
  /* The window still draws and runs as before. */
  fb_application_set_demo_options (app, 0.01, 0.02, 0.0, 0);
  fb_window_start_demo (f.window);
  CU_ASSERT_TRUE (fb_test_wait_until (run_finished, f.window, 30));
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

  /* A catalog address that is not http(s) is refused, and what was typed
   * stays, marked, to be mended; a good one is saved and unmarks it. */
  {
    g_autoptr(GPtrArray) entries = g_ptr_array_new ();
    g_autofree char *before = g_settings_get_string (f.settings, "base-url");
    g_autofree char *kept = NULL;
    g_autofree char *saved = NULL;
    GtkWidget *base_url;

    collect_type (GTK_WIDGET (prefs), ADW_TYPE_ENTRY_ROW, entries);
    CU_ASSERT_EQUAL_FATAL (entries->len, 1);
    base_url = g_ptr_array_index (entries, 0);
    gtk_editable_set_text (GTK_EDITABLE (base_url), "ftp://127.0.0.1/flags");
    g_signal_emit_by_name (base_url, "apply");
    ASSERT_STR (gtk_editable_get_text (GTK_EDITABLE (base_url)), "ftp://127.0.0.1/flags");
    CU_ASSERT_TRUE (gtk_widget_has_css_class (base_url, "error"));
    kept = g_settings_get_string (f.settings, "base-url");
    ASSERT_STR (kept, before);
    gtk_editable_set_text (GTK_EDITABLE (base_url), "http://127.0.0.1/flags");
    CU_ASSERT_FALSE (gtk_widget_has_css_class (base_url, "error"));
    g_signal_emit_by_name (base_url, "apply");
    saved = g_settings_get_string (f.settings, "base-url");
    ASSERT_STR (saved, "http://127.0.0.1/flags");
    g_settings_set_string (f.settings, "base-url", before);
  }

  gtk_window_destroy (prefs);
  fb_test_spin (0.1);
  CU_ASSERT_PTR_NULL (prefs);
  fixture_teardown (&f);
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

/* Tab goes on from the header bar into the body and down to the jobs: the
 * summary's counters (a flow box of text) are no stop, and no trap. GTK
 * 4.8's flow box took Tab and kept it when none of its children could
 * have it: focus stayed on the header bar's last button. */
static void
test_window_tab_reaches_the_jobs (void)
{
  Fixture f;
  GtkWidget *view;
  gboolean reached = FALSE;

  fixture_setup (&f, 0.01, 0.02);
  fb_application_set_demo_options (app, 0.01, 0.02, 0.0, 0);
  fb_window_start_demo (f.window);
  fb_test_wait_until (run_finished, f.window, 30);
  fb_test_spin (0.2);
  CU_ASSERT_TRUE (gtk_widget_get_mapped (GTK_WIDGET (fb_window_get_summary (f.window))));

  view = GTK_WIDGET (fb_window_get_column_view (f.window));
  gtk_widget_grab_focus (GTK_WIDGET (fb_window_get_concurrency_spin (f.window)));
  for (guint i = 0; i < 40 && !reached; i++)
    {
      GtkWidget *before = gtk_root_get_focus (GTK_ROOT (f.window));
      GtkWidget *after;

      gtk_widget_child_focus (GTK_WIDGET (f.window), GTK_DIR_TAB_FORWARD);
      after = gtk_root_get_focus (GTK_ROOT (f.window));
      /* Every Tab moves (the first ones inside the spin button's entry
       * and buttons), and never into the summary's counters. */
      CU_ASSERT_PTR_NOT_NULL_FATAL (after);
      CU_ASSERT_PTR_NOT_EQUAL (after, before);
      CU_ASSERT_FALSE (gtk_widget_is_ancestor (after,
                                               GTK_WIDGET (fb_window_get_summary (f.window))));
      reached = gtk_widget_is_ancestor (after, view);
    }
  CU_ASSERT_TRUE (reached);

  /* And out again: Tab does not walk the rows (the arrows do), Shift+Tab
   * goes back to the filters. */
  gtk_widget_child_focus (GTK_WIDGET (f.window), GTK_DIR_TAB_FORWARD);
  CU_ASSERT_FALSE (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f.window)), view));
  gtk_widget_child_focus (GTK_WIDGET (f.window), GTK_DIR_TAB_BACKWARD);
  CU_ASSERT_TRUE (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f.window)), view));
  gtk_widget_child_focus (GTK_WIDGET (f.window), GTK_DIR_TAB_BACKWARD);
  CU_ASSERT_FALSE (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f.window)), view));
  CU_ASSERT_TRUE (GTK_IS_TOGGLE_BUTTON (gtk_root_get_focus (GTK_ROOT (f.window))) ||
                  GTK_IS_BUTTON (gtk_root_get_focus (GTK_ROOT (f.window))));

  fixture_teardown (&f);
}

static const FbTestCase tests[] = {
  { "test_window_parts_finalize_and_notify_once", test_window_parts_finalize_and_notify_once },
  { "test_window_preferences_follow_settings", test_window_preferences_follow_settings },
  { "test_window_open_and_show_in_folder_use_default_apps",
    test_window_open_and_show_in_folder_use_default_apps },
  { "test_window_close_saves_size_and_finalizes", test_window_close_saves_size_and_finalizes },
  { "test_window_shortcuts_fit_one_page", test_window_shortcuts_fit_one_page },
  { "test_window_narrow_fits_360", test_window_narrow_fits_360 },
  { "test_window_long_names_leave_room_for_the_message",
    test_window_long_names_leave_room_for_the_message },
  { "test_window_tab_reaches_the_jobs", test_window_tab_reaches_the_jobs },
  { "test_window_x11_frames_find_touched_memory", test_window_x11_frames_find_touched_memory },
  { NULL, NULL }
};

int
main (int   argc,
      char *argv[])
{
  return fb_window_test_main (argc, argv, "window-ui", tests);
}
