/* bench-prober-idle.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the prober's resolver threads hold once a list is done: looks up
 * the names of FILE (at most 2,000) on a pool of THREADS, then prints the
 * sockets the process has open when the last answer came, 0.3 s later and
 * 1.8 s later. A busy thread keeps its resolver's socket to the name server
 * (RES_STAYOPEN); one idle for a second closes it, so the last count must
 * be 0. Run it where the names go to a name server (bench/polite.sh dns's
 * namespace):
 *
 *   ip netns exec NS build/bench/bench-prober-idle FILE [THREADS]
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fb-prober.h"

static guint n_done;

static void
answered (char    *addresses,
          GError  *error,
          gpointer user_data)
{
  g_free (addresses);
  g_clear_error (&error);
  n_done++;
}

static guint
count_sockets (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *entry;
  guint n = 0;

  if (dir == NULL)
    return 0;
  while ((entry = readdir (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/fd/%s", entry->d_name);
      char target[256];
      ssize_t len = readlink (path, target, sizeof target - 1);

      if (len > 0)
        {
          target[len] = '\0';
          if (g_str_has_prefix (target, "socket:"))
            n++;
        }
    }
  closedir (dir);
  return n;
}

static gboolean
quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
wait_ms (GMainLoop *loop,
         guint      ms)
{
  g_timeout_add (ms, quit_cb, loop);
  g_main_loop_run (loop);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *text = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;
  guint threads = argc > 2 ? (guint) strtoul (argv[2], NULL, 10) : 50;
  FbProber *prober;
  guint n = 0;

  if (argc < 2 || threads == 0)
    {
      fprintf (stderr, "usage: %s FILE [THREADS]\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[1], &text, NULL, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  names = g_strsplit (text, "\n", -1);
  prober = fb_prober_new (threads);
  for (guint i = 0; names[i] != NULL && n < 2000; i++)
    if (names[i][0] != '\0')
      {
        fb_prober_lookup (prober, names[i], 5.0, answered, NULL);
        n++;
      }
  while (n_done < n)
    g_main_context_iteration (NULL, TRUE);
  printf ("%u names on %u threads; sockets open at the last answer: %u", n, threads,
          count_sockets ());
  wait_ms (loop, 300);
  printf (", 0.3 s later: %u", count_sockets ());
  wait_ms (loop, 1500);
  printf (", 1.8 s later: %u\n", count_sockets ());
  fb_prober_free (prober);
  return 0;
}
