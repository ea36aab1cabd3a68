/* bench-index.c: how long the finder's index takes to build and to answer.
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-index [ROUNDS [QUERIES]]: builds the whole Unicode index and the
 * catalog ROUNDS times (default 9) and prints the median and range of the
 * build times, then runs each query QUERIES times (default 10001) and
 * prints the median time of one query.
 */

#include <locale.h>
#include <stdlib.h>

#include "fb-index.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

static FbIndex *
build (FbIndexCorpus   corpus,
       guint           rounds,
       const char     *label)
{
  g_autofree double *times = g_new (double, rounds);
  FbIndex *index = NULL;
  double middle;

  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      g_clear_pointer (&index, fb_index_unref);
      index = corpus == FB_INDEX_CORPUS_UNICODE ? fb_index_new_unicode (NULL, 32, 0x110000, &error)
                                                : fb_index_new_catalog (NULL, &error);
      if (index == NULL)
        g_error ("%s", error->message);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
    }
  middle = median (times, rounds);
  g_print ("build %-8s %6u entries %7u words: median %.1f ms (min %.1f, max %.1f) of %u\n",
           label, fb_index_get_n_entries (index), fb_index_get_n_words (index),
           middle, times[0], times[rounds - 1], rounds);
  return index;
}

static void
time_query (FbIndex    *index,
            const char *query,
            guint       rounds)
{
  g_autofree double *times = g_new (double, rounds);
  guint n = 0;
  double middle;

  for (guint i = 0; i < rounds; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autofree guint *ids = NULL;

      /* A batch of 100 keeps the clock's cost and resolution out of the figure. */
      for (guint j = 0; j < 100; j++)
        {
          g_free (ids);
          ids = fb_index_search (index, query, &n);
        }
      times[i] = (g_get_monotonic_time () - start) / 100.0;
    }
  middle = median (times, rounds);
  g_print ("query %-20s %6u found: median %.2f us (max %.1f us) of %u\n",
           query, n, middle, times[rounds - 1], rounds);
}

int
main (int    argc,
      char **argv)
{
  guint rounds = argc > 1 ? (guint) atoi (argv[1]) : 9;
  guint queries = argc > 2 ? (guint) atoi (argv[2]) : 10001;
  g_autoptr(FbIndex) unicode = NULL;
  g_autoptr(FbIndex) catalog = NULL;

  setlocale (LC_ALL, "");
  rounds = MAX (rounds, 1);
  queries = MAX (queries, 1);
  unicode = build (FB_INDEX_CORPUS_UNICODE, rounds, "unicode");
  catalog = build (FB_INDEX_CORPUS_CATALOG, rounds, "catalog");

  time_query (unicode, "cat face", queries);
  time_query (unicode, "capital a", queries);
  time_query (unicode, "latin small letter", queries);
  time_query (unicode, "sign", queries);
  time_query (unicode, "cjk", queries);
  time_query (unicode, "brillig", queries);
  time_query (catalog, "china", queries);
  time_query (catalog, "中国", queries);
  time_query (catalog, "republic", queries);
  return 0;
}
