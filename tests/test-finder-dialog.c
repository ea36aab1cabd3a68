/* test-finder-dialog.c: Find Flags, alone and from the window
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fb-finder-dialog.h"
#include "fb-window-test-utils.h"

static gboolean
dialog_loaded (gpointer data)
{
  return fb_finder_dialog_is_loaded (data);
}

static char *
listed_codes (FbFinderDialog *dialog)
{
  GListModel *results = fb_finder_dialog_get_results (dialog);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (results, i);

      g_string_append_printf (out, i > 0 ? " %s" : "%s", gtk_string_object_get_string (item));
    }
  return g_string_free (out, FALSE);
}

static void
download_cb (FbFinderDialog     *dialog,
             const char * const *codes,
             char              **out)
{
  g_free (*out);
  *out = g_strjoinv (" ", (char **) codes);
}

static void
test_finder_dialog_searches_every_language (void)
{
  FbFinderDialog *dialog = fb_finder_dialog_new (NULL);
  GtkSelectionModel *selection = fb_finder_dialog_get_selection (dialog);
  GListModel *results = fb_finder_dialog_get_results (dialog);
  g_autofree char *downloaded = NULL;
  g_autofree char *chinese = NULL;
  g_autofree char *korea = NULL;
  g_autofree char *none = NULL;

  g_object_ref_sink (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (dialog_loaded, dialog, 30));
  /* Nothing typed: every country, to browse. */
  CU_ASSERT_EQUAL (g_list_model_get_n_items (results), 249);

  fb_finder_dialog_set_query (dialog, "中国");
  chinese = listed_codes (dialog);
  CU_ASSERT_STRING_EQUAL (chinese, "CN");

  fb_finder_dialog_set_query (dialog, "Korea");
  korea = listed_codes (dialog);
  CU_ASSERT_STRING_EQUAL (korea, "KP KR");

  /* Nothing selected: Download does nothing. */
  g_signal_connect (dialog, "download", G_CALLBACK (download_cb), &downloaded);
  fb_finder_dialog_download (dialog);
  CU_ASSERT_PTR_NULL (downloaded);

  gtk_selection_model_select_all (selection);
  fb_finder_dialog_download (dialog);
  CU_ASSERT_STRING_EQUAL (downloaded, "KP KR");

  fb_finder_dialog_set_query (dialog, "brillig");
  none = listed_codes (dialog);
  CU_ASSERT_STRING_EQUAL (none, "");

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

static FbFinderDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (FB_IS_FINDER_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return FB_FINDER_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog () != NULL;
}

static void
test_finder_dialog_download_adds_catalog_jobs_to_the_run (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.fetchboard.Fetchboard");
  g_autoptr(FbDemoServer) server = fb_demo_server_new ();
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *base_url = NULL;
  g_autofree char *flag_path = NULL;
  FbFinderDialog *dialog;
  FbWindow *window;
  FbRun *run;
  GListModel *jobs;

  CU_ASSERT_TRUE_FATAL (fb_demo_server_listen (server, 0, NULL));
  base_url = fb_demo_server_dup_base_url (server);
  g_settings_set_string (settings, "destination", dir);
  g_settings_set_string (settings, "base-url", base_url);

  window = fb_window_new (GTK_APPLICATION (app), fb_application_get_demo_host (app));
  gtk_window_present (GTK_WINDOW (window));
  fb_test_wait_until (widget_is_mapped, window, 5);
  /* Lists wait for the window's first frame (the index is already loaded
   * here, so the download would come before it). */
  fb_test_spin (0.3);
  CU_ASSERT_STRING_EQUAL (fb_window_get_page (window), "empty");

  CU_ASSERT_TRUE (gtk_widget_activate_action (GTK_WIDGET (window), "win.find-flags", NULL));
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (dialog_shown, NULL, 5));
  dialog = find_dialog ();
  CU_ASSERT_PTR_EQUAL (gtk_window_get_transient_for (GTK_WINDOW (dialog)), GTK_WINDOW (window));
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (dialog_loaded, dialog, 30));

  fb_finder_dialog_set_query (dialog, "brasil");
  gtk_selection_model_select_all (fb_finder_dialog_get_selection (dialog));
  fb_finder_dialog_download (dialog);

  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (run_finished, window, 30));
  run = fb_window_get_run (window);
  jobs = fb_run_get_jobs (run);
  CU_ASSERT_EQUAL_FATAL (g_list_model_get_n_items (jobs), 1);
  {
    g_autoptr(FbJob) job = g_list_model_get_item (jobs, 0);

    CU_ASSERT_EQUAL (fb_job_get_kind (job), FB_JOB_KIND_CATALOG);
    CU_ASSERT_STRING_EQUAL (fb_job_get_input (job), "BR");
    CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
    /* Saved under the metadata's country name, in the chosen folder. */
    flag_path = g_build_filename (dir, "Brazil.gif", NULL);
    CU_ASSERT_STRING_EQUAL (fb_job_get_saved_path (job), flag_path);
    CU_ASSERT_TRUE (g_file_test (flag_path, G_FILE_TEST_IS_REGULAR));
  }
  CU_ASSERT_EQUAL (fb_run_get_n_ok (run), 1);
  CU_ASSERT_STRING_EQUAL (fb_window_get_page (window), "jobs");

  gtk_window_destroy (GTK_WINDOW (window));
  fb_test_spin (0.3);
  fb_demo_server_stop (server);
  g_settings_reset (settings, "destination");
  g_settings_reset (settings, "base-url");
  fb_test_rm_rf (dir);
}

static const FbTestCase tests[] = {
  FB_TEST (test_finder_dialog_searches_every_language),
  FB_TEST (test_finder_dialog_download_adds_catalog_jobs_to_the_run),
  { NULL, NULL }
};

/* The shared main gives each test binary an empty journal, settings and
 * default applications of its own, never the user's. */
int
main (int   argc,
      char *argv[])
{
  return fb_window_test_main (argc, argv, "finder-dialog", tests);
}
