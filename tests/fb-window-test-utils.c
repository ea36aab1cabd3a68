/* fb-window-test-utils.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "fb-window-test-utils.h"

FbApplication *app;
char *opened_path;


void
reset_settings (GSettings *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

void
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

void
fixture_teardown (Fixture *f)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  /* Cancelled jobs clean up on the thread pool before the folder goes. */
  fb_test_spin (0.3);
  fb_demo_server_stop (f->server);
  g_clear_object (&f->server);
  g_clear_pointer (&f->test_server, fb_test_server_free);
  fb_test_rm_rf (f->dir);
  g_clear_pointer (&f->dir, g_free);
  reset_settings (f->settings);
  g_clear_object (&f->settings);
}

gboolean
preview_shown (gpointer data)
{
  return fb_window_get_preview (FB_WINDOW (data)) != NULL;
}

FbPreviewDialog *
wait_preview_for (Fixture *f,
                  double   seconds)
{
  fb_test_wait_until (preview_shown, f->window, seconds);
  return fb_window_get_preview (f->window);
}

FbPreviewDialog *
wait_preview (Fixture *f)
{
  return wait_preview_for (f, 5);
}

gboolean
run_finished (gpointer data)
{
  FbRun *run = fb_window_get_run (FB_WINDOW (data));

  return run != NULL && !fb_run_get_running (run) && fb_run_get_total (run) > 0 &&
         fb_run_get_n_finished (run) == fb_run_get_total (run);
}

gboolean
run_running (gpointer data)
{
  FbRun *run = fb_window_get_run (FB_WINDOW (data));

  return run != NULL && fb_run_get_running (run);
}

/* Cancel as a person does: the window asks first, and the run goes on
 * until the answer. */
void
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

void
drop_text (Fixture    *f,
           const char *text)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, text);
  CU_ASSERT_TRUE (fb_window_drop_value (f->window, &value));
  g_value_unset (&value);
}

void
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

gboolean
summary_shows (gpointer data)
{
  SummaryWait *w = data;

  return g_strcmp0 (fb_run_summary_get_text (fb_window_get_summary (w->window), w->part),
                    w->expected) == 0;
}

/* The summary redraws on the frame clock: wait for the frame, then compare. */
gboolean
summary_has_eta (gpointer data)
{
  Fixture *f = data;

  return strstr (fb_run_summary_get_text (fb_window_get_summary (f->window), "elapsed"),
                 ", about ") != NULL;
}

void
assert_summary (Fixture    *f,
                const char *part,
                const char *expected)
{
  SummaryWait w = { f->window, part, expected };

  fb_test_wait_until (summary_shows, &w, 5);
  CU_ASSERT_STRING_EQUAL (fb_run_summary_get_text (fb_window_get_summary (f->window), part),
                          expected);
}

void
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
FbJobCell *
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

gboolean
cell_shows (gpointer data)
{
  CellWait *w = data;
  FbJobCell *cell = find_cell (w->fixture, w->column, w->input);

  return cell != NULL && g_strcmp0 (fb_job_cell_get_text (cell), w->expected) == 0;
}

void
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

guint
n_rows (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (fb_window_get_column_view (f->window))));
}

char *
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

gboolean
file_exists (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* Filtering and sorting go in steps between frames. */
gboolean
list_settled (gpointer data)
{
  return fb_job_list_get_pending (fb_window_get_job_list (FB_WINDOW (data))) == 0;
}

gint64
frames_in (GtkWidget *widget,
           double     seconds)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 before = gdk_frame_clock_get_frame_counter (clock);

  fb_test_spin (seconds);
  return gdk_frame_clock_get_frame_counter (clock) - before;
}

void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

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
fb_window_test_main (int               argc,
                     char            **argv,
                     const char       *suite_name,
                     const FbTestCase *tests)
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
      g_printerr ("test-%s: no display, skipped\n", suite_name);
      return 77;
    }

  app = fb_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("test-%s: %s\n", suite_name, error->message);
      return 1;
    }
  /* The windows are the application's: it must not quit between tests. */
  g_application_hold (G_APPLICATION (app));

  status = fb_test_main (argc, argv, suite_name, tests);
  fb_test_rm_rf (handler_dir);

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return status;
}
