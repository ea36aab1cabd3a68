/* bench-job-order.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The job list's order without the window: N jobs as in the middle of a
 * run (a tenth under way in every phase, four tenths finished each way,
 * the rest waiting), in the thread's CPU time, medians of ROUNDS:
 *
 * - a refresh, sorted by State with the Active filter on, when M of the
 *   jobs under way finished and M waiting ones started: FbJobOrder with
 *   every move its own signals, with one batch, and with the default
 *   choice; then the rows (FbJobRows) following. Against it, in the same
 *   rounds, what the list did before: GtkFilterListModel and
 *   GtkSortListModel with an expression sorter, told the filter and the
 *   sorter changed;
 * - switching the filter or the sort (every column), the order and the
 *   rows, against GTK's models again.
 *
 *   meson compile -C build bench/bench-job-order && build/bench/bench-job-order 10000 700 9
 */

#include "config.h"

#include <gtk/gtk.h>
#include <stdlib.h>
#include <time.h>

#include "fb-job-order.h"
#include "fb-job-private.h"
#include "fb-job-rows.h"

static gint64
cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
median_ms (GArray *samples)
{
  g_array_sort (samples, compare_gint64);
  return g_array_index (samples, gint64, samples->len / 2) / 1000.0;
}

static const FbJobPhase active_phases[] = {
  FB_JOB_PHASE_RESOLVING, FB_JOB_PHASE_CONNECTING, FB_JOB_PHASE_FIRST_BYTE,
  FB_JOB_PHASE_TRANSFERRING, FB_JOB_PHASE_SAVING,
};

static GListStore *
make_jobs (guint n,
           GRand *rand)
{
  static const FbJobState finals[] = {
    FB_JOB_STATE_OK, FB_JOB_STATE_NOT_FOUND, FB_JOB_STATE_ERROR, FB_JOB_STATE_NOT_FOUND,
  };
  GListStore *store = g_list_store_new (FB_TYPE_JOB);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:8000/flags/%c%c/%c%c.gif?n=%u",
                                              'a' + i % 26, 'a' + i / 26 % 26,
                                              'a' + i % 26, 'a' + i / 26 % 26, i);
      g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);
      guint r = g_rand_int_range (rand, 0, 10);

      if (r == 0)
        {
          _fb_job_set_phase (job, active_phases[g_rand_int_range (rand, 0, G_N_ELEMENTS (active_phases))]);
          _fb_job_set_received (job, g_rand_int_range (rand, 0, 5000));
        }
      else if (r <= 4)
        _fb_job_finish (job, finals[g_rand_int_range (rand, 0, G_N_ELEMENTS (finals))], NULL);
      else
        _fb_job_set_phase (job, FB_JOB_PHASE_WAITING);
      g_list_store_append (store, job);
    }
  return store;
}

/* @m jobs under way finish and @m waiting ones start. */
static void
churn (GListModel *jobs,
       guint       m,
       GRand      *rand)
{
  guint n = g_list_model_get_n_items (jobs);
  guint finished = 0;
  guint started = 0;

  for (guint tries = 0; tries < 50 * n && (finished < m || started < m); tries++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (jobs, g_rand_int_range (rand, 0, n));
      FbJobPhase phase = fb_job_get_phase (job);

      if (fb_job_is_final (job))
        continue;
      if (phase == FB_JOB_PHASE_WAITING && started < m)
        {
          _fb_job_set_phase (job, active_phases[g_rand_int_range (rand, 0, G_N_ELEMENTS (active_phases))]);
          started++;
        }
      else if (phase != FB_JOB_PHASE_WAITING && finished < m)
        {
          _fb_job_finish (job, g_rand_boolean (rand) ? FB_JOB_STATE_OK : FB_JOB_STATE_NOT_FOUND, NULL);
          finished++;
        }
    }
}

/* What the list used before: GTK's models, an expression sorter. */

static guint
state_key (FbJob *job)
{
  if (fb_job_is_final (job))
    return FB_JOB_N_PHASES + fb_job_get_state (job);
  return fb_job_get_phase (job);
}

static gboolean
active_filter (gpointer item,
               gpointer data)
{
  return fb_job_filter_accepts (FB_JOB_FILTER_ACTIVE, item);
}

static gint64
gtk_refresh (GtkFilterListModel *filter_model,
             GtkSortListModel   *sort_model,
             GtkFilter          *filter,
             GtkSorter          *sorter)
{
  gint64 start = cpu_usec ();

  gtk_filter_changed (filter, GTK_FILTER_CHANGE_DIFFERENT);
  gtk_sorter_changed (sorter, GTK_SORTER_CHANGE_DIFFERENT);
  /* Both were incremental in the window: all of it ran anyway, in steps. */
  while (gtk_filter_list_model_get_pending (filter_model) > 0 ||
         gtk_sort_list_model_get_pending (sort_model) > 0)
    g_main_context_iteration (NULL, FALSE);
  return cpu_usec () - start;
}

static void
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
print_row (const char *what,
           GArray     *samples)
{
  g_print ("  %-52s %8.2f ms\n", what, median_ms (samples));
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 10000;
  guint m = argc > 2 ? (guint) atoi (argv[2]) : 700;
  guint rounds = argc > 3 ? (guint) atoi (argv[3]) : 9;
  static const guint modes[] = { G_MAXUINT, 0, 64 };
  static const char * const mode_names[] = {
    "order, one move at a time", "order, one batch", "order, default (batch past 64)",
  };
  static const char * const column_names[] = {
    "name", "kind", "state", "progress", "size", "speed", "elapsed", "message",
  };
  GArray *refresh[G_N_ELEMENTS (modes)];
  GArray *rows_sync = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *gtk_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *sort_times[G_N_ELEMENTS (column_names) + 1];

  GArray *filter_times[FB_JOB_FILTER_DONE + 1];
  GArray *gtk_sort_time = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    refresh[i] = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < G_N_ELEMENTS (sort_times); i++)
    sort_times[i] = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < G_N_ELEMENTS (filter_times); i++)
    filter_times[i] = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint round = 0; round < rounds; round++)
    {
      /* Refreshes, each mode on the same changes (a fresh copy each). */
      for (guint k = 0; k < G_N_ELEMENTS (modes); k++)
        {
          g_autoptr(GRand) jobs_rand = g_rand_new_with_seed (round);
          g_autoptr(GListStore) jobs = make_jobs (n, jobs_rand);
          g_autoptr(FbJobOrder) order = fb_job_order_new ();
          g_autoptr(FbJobRows) rows = NULL;
          g_autoptr(FbJobChanges) changes = NULL;
          g_autoptr(GPtrArray) changed = NULL;
          gint64 start;

          fb_job_order_set_batch_from (order, modes[k]);
          fb_job_order_set_jobs (order, G_LIST_MODEL (jobs));
          fb_job_order_set_sort (order, FB_JOB_COLUMN_STATE, FALSE);
          fb_job_order_set_filter (order, FB_JOB_FILTER_ACTIVE);
          rows = fb_job_rows_new (G_LIST_MODEL (order));
          changes = fb_job_changes_new ();
          churn (G_LIST_MODEL (jobs), m, jobs_rand);
          changed = fb_job_changes_take (changes);

          start = cpu_usec ();
          fb_job_order_update (order, changed);
          g_array_append_vals (refresh[k], (gint64[]) { cpu_usec () - start }, 1);
          start = cpu_usec ();
          fb_job_rows_sync (rows);
          if (k == G_N_ELEMENTS (modes) - 1)
            g_array_append_vals (rows_sync, (gint64[]) { cpu_usec () - start }, 1);
        }

      /* The same refresh through GTK's models. */
      {
        g_autoptr(GRand) jobs_rand = g_rand_new_with_seed (round);
        g_autoptr(GListStore) jobs = make_jobs (n, jobs_rand);
        GtkCustomFilter *filter = gtk_custom_filter_new (active_filter, NULL, NULL);
        GtkExpression *key = gtk_cclosure_expression_new (G_TYPE_UINT, NULL, 0, NULL,
                                                          G_CALLBACK (state_key), NULL, NULL);
        GtkNumericSorter *sorter = gtk_numeric_sorter_new (key);
        g_autoptr(GtkFilterListModel) filter_model =
          gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (jobs)), GTK_FILTER (filter));
        g_autoptr(GtkSortListModel) sort_model =
          gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (filter_model)),
                                   g_object_ref (GTK_SORTER (sorter)));

        gtk_filter_list_model_set_incremental (filter_model, TRUE);
        gtk_sort_list_model_set_incremental (sort_model, TRUE);
        gtk_refresh (filter_model, sort_model, GTK_FILTER (filter), GTK_SORTER (sorter));
        churn (G_LIST_MODEL (jobs), m, jobs_rand);
        g_array_append_vals (gtk_times, (gint64[]) {
          gtk_refresh (filter_model, sort_model, GTK_FILTER (filter), GTK_SORTER (sorter)) }, 1);

        /* A switch of the sort on the unfiltered list, as GTK did it. */
        gtk_filter_list_model_set_filter (filter_model, NULL);
        {
          gint64 start = cpu_usec ();

          gtk_sorter_changed (GTK_SORTER (sorter), GTK_SORTER_CHANGE_DIFFERENT);
          while (gtk_sort_list_model_get_pending (sort_model) > 0)
            g_main_context_iteration (NULL, FALSE);
          g_array_append_vals (gtk_sort_time, (gint64[]) { cpu_usec () - start }, 1);
        }
        g_object_unref (sorter);
      }

      /* Switches: every sort from the list's order, then every filter. */
      {
        g_autoptr(GRand) jobs_rand = g_rand_new_with_seed (round);
        g_autoptr(GListStore) jobs = make_jobs (n, jobs_rand);
        g_autoptr(FbJobOrder) order = fb_job_order_new ();
        g_autoptr(FbJobRows) rows = NULL;

        fb_job_order_set_jobs (order, G_LIST_MODEL (jobs));
        rows = fb_job_rows_new (G_LIST_MODEL (order));
        /* As in the window: the names' keys are made ahead, a slice every
         * 10 ms (0.1-0.2 s for 10,000); a second is plenty. */
        {
          gboolean waited = FALSE;

          g_timeout_add_once (1000, set_flag, &waited);
          while (!waited)
            g_main_context_iteration (NULL, TRUE);
        }
        for (int column = 0; column <= FB_JOB_COLUMN_MESSAGE + 1; column++)
          {
            int to = column <= FB_JOB_COLUMN_MESSAGE ? column : FB_JOB_ORDER_ORIGINAL;
            gint64 start = cpu_usec ();

            fb_job_order_set_sort (order, to, FALSE);
            fb_job_rows_sync (rows);
            g_array_append_vals (sort_times[column], (gint64[]) { cpu_usec () - start }, 1);
          }
        fb_job_order_set_sort (order, FB_JOB_COLUMN_STATE, FALSE);
        fb_job_rows_sync (rows);
        for (int filter = FB_JOB_FILTER_ACTIVE; filter <= FB_JOB_FILTER_DONE + 1; filter++)
          {
            FbJobFilter to = filter <= FB_JOB_FILTER_DONE ? (FbJobFilter) filter : FB_JOB_FILTER_ALL;
            gint64 start = cpu_usec ();

            fb_job_order_set_filter (order, to);
            fb_job_rows_sync (rows);
            g_array_append_vals (filter_times[to], (gint64[]) { cpu_usec () - start }, 1);
          }
      }
    }

  g_print ("job list order, %u jobs, %u finish and %u start per refresh, CPU ms, median of %u\n",
           n, m, m, rounds);
  g_print ("refresh, sorted by State, Active filter on:\n");
  for (guint k = 0; k < G_N_ELEMENTS (modes); k++)
    print_row (mode_names[k], refresh[k]);
  print_row ("rows following (after the default)", rows_sync);
  print_row ("GTK's filter and sort models (before)", gtk_times);
  g_print ("switches (order and rows):\n");
  for (guint column = 0; column < G_N_ELEMENTS (sort_times); column++)
    {
      g_autofree char *what = g_strdup_printf ("sort by %s",
                                               column < G_N_ELEMENTS (column_names)
                                               ? column_names[column] : "the list's order");
      print_row (what, sort_times[column]);
    }
  print_row ("GTK's sort model, by State (before)", gtk_sort_time);
  {
    static const char * const filter_names[] = { "all", "active", "failed", "done" };

    for (guint f = 0; f < G_N_ELEMENTS (filter_times); f++)
      {
        g_autofree char *what = g_strdup_printf ("filter %s (sorted by State)", filter_names[f]);

        print_row (what, filter_times[f]);
      }
  }
  return 0;
}
