/* bench-restore.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How long the window takes to come back with a big unfinished run, and
 * what it costs in memory. With XDG_STATE_HOME holding a journal (see
 * bench/journal-restore.py), starts the application as `fetchboard` does
 * and prints, from the start of main ():
 *   window   the first frame of the window
 *   shown    the first frame that shows the restored run (its first jobs
 *            and counts: the rest go in a slice per turn of the main loop)
 *   restored the first frame that shows all of it (N jobs)
 *   rss      VmHWM (peak resident set) once the run is shown
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fb-application.h"
#include "fb-window.h"

static gint64 t0;
static gint64 window_us;
static gint64 shown_us;
static gint64 restored_us;
static guint expected;
static gboolean done;

static FbWindow *
find_window (FbApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (FB_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static long
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  FbApplication *app = user_data;
  FbWindow *window = find_window (app);
  FbRun *run = window != NULL ? fb_window_get_run (window) : NULL;

  if (window_us == 0)
    window_us = g_get_monotonic_time () - t0;
  if (shown_us == 0 && run != NULL && fb_run_get_total (run) > 0)
    shown_us = g_get_monotonic_time () - t0;
  if (restored_us == 0 && run != NULL && fb_run_get_total (run) == expected)
    {
      restored_us = g_get_monotonic_time () - t0;
      done = TRUE;
    }
}

static gboolean
watch_cb (gpointer user_data)
{
  FbApplication *app = user_data;
  FbWindow *window = find_window (app);
  GdkFrameClock *clock;

  if (window == NULL || !gtk_widget_get_realized (GTK_WIDGET (window)))
    return G_SOURCE_CONTINUE;
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), app);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FbApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  t0 = g_get_monotonic_time ();
  if (argc != 2)
    {
      g_printerr ("usage: bench-restore N_JOBS (with XDG_STATE_HOME set)\n");
      return 2;
    }
  expected = (guint) g_ascii_strtoull (argv[1], NULL, 10);
  if (!gtk_init_check ())
    {
      g_printerr ("bench-restore: no display\n");
      return 77;
    }

  app = fb_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("bench-restore: %s\n", error->message);
      return 1;
    }
  g_application_hold (G_APPLICATION (app));
  g_application_activate (G_APPLICATION (app));
  g_idle_add (watch_cb, app);

  deadline = t0 + 60 * G_USEC_PER_SEC;
  while (!done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  printf ("window %.1f ms\nshown %.1f ms\nrestored %.1f ms (%u jobs)\nrss %.1f MiB\n",
          window_us / 1000.0, shown_us / 1000.0, restored_us / 1000.0, expected,
          peak_rss_kib () / 1024.0);
  g_application_release (G_APPLICATION (app));
  return done ? 0 : 1;
}
