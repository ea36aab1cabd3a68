/* bench-queue-place.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What "12th in line" costs on the rows in view: a run of N queued
 * download jobs (not started), then, in turns, 40 rows' places from
 * fb_job_get_queue_place () (two Fenwick trees) and the same 40 places by
 * a walk of the run's queue (g_queue_index on a copy), the O(n) way the
 * row would otherwise have. Also the time of fb_run_add_jobs () for the N
 * jobs (each gets its ticket), and the host view's reads of the run: the
 * first counts every job's host once, the later ones cost per host.
 *
 *   meson compile -C build bench/bench-queue-place && build/bench/bench-queue-place 100000 9
 */

#include "config.h"

#include <stdlib.h>

#include "fb-hosts.h"
#include "fb-run.h"

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
median_us (GArray *samples)
{
  g_array_sort (samples, compare_gint64);
  return (double) g_array_index (samples, gint64, samples->len / 2);
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  guint rounds = argc > 2 ? (guint) atoi (argv[2]) : 9;
  g_autoptr(GArray) add_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) tree_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) walk_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) first_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) again_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint64 check = 0;

  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr(FbRun) run = fb_run_new ();
      g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
      GQueue queue = G_QUEUE_INIT;
      gint64 t0;
      gint64 t1;

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *url = g_strdup_printf ("http://host%u.test/files/%u.bin", i % 50, i);

          g_ptr_array_add (jobs, fb_job_new (FB_JOB_KIND_DOWNLOAD, url));
          g_queue_push_tail (&queue, jobs->pdata[i]);
        }
      t0 = g_get_monotonic_time ();
      fb_run_add_jobs (run, (FbJob **) jobs->pdata, jobs->len);
      t1 = g_get_monotonic_time ();
      g_array_append_val (add_times, (gint64) { t1 - t0 });

      /* The host view's first read counts every job's host once; later
       * reads cost what the hosts do, not the jobs. */
      {
        g_autoptr(GArray) first = NULL;
        g_autoptr(GArray) again = NULL;

        t0 = g_get_monotonic_time ();
        first = fb_run_dup_host_stats (run);
        t1 = g_get_monotonic_time ();
        g_array_append_val (first_times, (gint64) { t1 - t0 });
        t0 = g_get_monotonic_time ();
        again = fb_run_dup_host_stats (run);
        t1 = g_get_monotonic_time ();
        g_array_append_val (again_times, (gint64) { t1 - t0 });
        check += first->len + again->len;
      }

      /* 40 rows in view, in the middle of the queue: A (tree), B (walk), in turns. */
      for (guint turn = 0; turn < 2; turn++)
        {
          gboolean tree = (turn + r) % 2 == 0;
          gint64 elapsed;

          t0 = g_get_monotonic_time ();
          for (guint row = 0; row < 40; row++)
            {
              FbJob *job = jobs->pdata[n / 2 + row];

              check += tree ? fb_job_get_queue_place (job)
                            : (guint) g_queue_index (&queue, job) + 1;
            }
          elapsed = g_get_monotonic_time () - t0;
          g_array_append_val (tree ? tree_times : walk_times, elapsed);
        }
      g_queue_clear (&queue);
      fb_run_cancel (run);
    }

  g_print ("jobs: %u, rounds: %u (check %" G_GUINT64_FORMAT ")\n", n, rounds, check);
  g_print ("fb_run_add_jobs: median %.1f ms\n", median_us (add_times) / 1000.0);
  g_print ("host view, first read (counts every job once): median %.1f ms\n",
           median_us (first_times) / 1000.0);
  g_print ("host view, each later read (50 hosts): median %.1f us\n", median_us (again_times));
  g_print ("40 places, Fenwick trees: median %.1f us\n", median_us (tree_times));
  g_print ("40 places, walking the queue: median %.1f us\n", median_us (walk_times));
  g_print ("ratio walk/trees: %.0f\n", median_us (walk_times) / MAX (median_us (tree_times), 1.0));
  return 0;
}
