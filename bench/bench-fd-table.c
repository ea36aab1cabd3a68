/* bench-fd-table.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why the programs call fb_system_reserve_fds () first in main (): in a
 * process with more than one thread, Linux grows the table of file
 * descriptors by waiting for an RCU grace period, on whichever thread opens
 * the descriptor that does not fit. This opens N sockets one by one on the
 * main thread, with a second thread alive, and prints the slowest socket ()
 * call and the total, first in a fresh process as the programs used to,
 * then in one whose table was grown before the thread started.
 *
 *   bench-fd-table [N] [ROUNDS]      (default 2000 sockets, 5 rounds)
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fb-system.h"

static void *
idle_thread (void *data)
{
  (void) data;
  pause ();
  return NULL;
}

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* In a child process, so each round starts from a fresh table. */
static void
one_round (int n, int reserve, double *slowest, double *total)
{
  int fds[2];
  pid_t pid;

  if (pipe (fds) != 0 || (pid = fork ()) < 0)
    exit (1);
  if (pid == 0)
    {
      pthread_t thread;
      double worst = 0, start = now_ms (), result[2];

      fb_system_raise_fd_limit ();
      if (reserve)
        fb_system_reserve_fds ((guint) n + 64);
      pthread_create (&thread, NULL, idle_thread, NULL);
      for (int i = 0; i < n; i++)
        {
          double t = now_ms ();

          if (socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) < 0)
            _exit (2);
          t = now_ms () - t;
          if (t > worst)
            worst = t;
        }
      result[0] = worst;
      result[1] = now_ms () - start;
      if (write (fds[1], result, sizeof result) != sizeof result)
        _exit (3);
      _exit (0);
    }
  close (fds[1]);
  {
    double result[2] = { -1, -1 };
    int status;

    if (read (fds[0], result, sizeof result) != sizeof result)
      fprintf (stderr, "round failed\n");
    waitpid (pid, &status, 0);
    *slowest = result[0];
    *total = result[1];
  }
  close (fds[0]);
}

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  int n = argc > 1 ? atoi (argv[1]) : 2000;
  int rounds = argc > 2 ? atoi (argv[2]) : 5;

  if (n < 1 || rounds < 1 || rounds > 100)
    {
      fprintf (stderr, "usage: bench-fd-table [N] [ROUNDS]\n");
      return 1;
    }
  printf ("%d sockets opened on the main thread with a second thread alive, %d rounds (ms)\n",
          n, rounds);
  for (int reserve = 0; reserve <= 1; reserve++)
    {
      double slowest[100], total[100];

      for (int r = 0; r < rounds; r++)
        one_round (n, reserve, &slowest[r], &total[r]);
      qsort (slowest, rounds, sizeof (double), cmp);
      qsort (total, rounds, sizeof (double), cmp);
      printf ("%-22s slowest socket (): median %6.2f, max %6.2f   all %d: median %6.2f\n",
              reserve ? "table grown first" : "table grown on demand",
              slowest[rounds / 2], slowest[rounds - 1], n, total[rounds / 2]);
    }
  return 0;
}
