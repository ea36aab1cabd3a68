/* bench-rusage.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark suite's stopwatch: runs a command in its own process group,
 * kills the group after a time limit, and prints one JSON object with the
 * wall time (monotonic clock), the CPU time (user and system, wait4 rusage of
 * the command and its waited-for children) and the peak resident set size.
 *
 *   bench-rusage [-t SECONDS] [-o STDOUT-FILE] [-e STDERR-FILE] -- COMMAND [ARG...]
 *
 * A small C program rather than Python, because ru_maxrss counts what the
 * process held before exec: a child forked from Python starts at Python's
 * size, one forked from this program at about a megabyte.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static double
timeval_seconds (const struct timeval *tv)
{
  return (double) tv->tv_sec + (double) tv->tv_usec / 1e6;
}

static int
redirect (const char *path,
          int         target_fd)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0)
    return -1;
  if (dup2 (fd, target_fd) < 0)
    return -1;
  close (fd);
  return 0;
}

static void
usage (const char *argv0)
{
  fprintf (stderr, "usage: %s [-t SECONDS] [-o STDOUT] [-e STDERR] -- COMMAND [ARG...]\n",
           argv0);
}

int
main (int   argc,
      char *argv[])
{
  const char *out_path = "/dev/null";
  const char *err_path = "/dev/null";
  double limit = 120.0;
  bool timed_out = false;
  sigset_t chld;
  struct rusage ru;
  double start;
  double wall;
  pid_t pid;
  int status = 0;
  int exit_code;
  int opt;

  while ((opt = getopt (argc, argv, "+t:o:e:")) != -1)
    {
      switch (opt)
        {
        case 't':
          limit = strtod (optarg, NULL);
          break;
        case 'o':
          out_path = optarg;
          break;
        case 'e':
          err_path = optarg;
          break;
        default:
          usage (argv[0]);
          return 2;
        }
    }
  if (optind >= argc || limit <= 0)
    {
      usage (argv[0]);
      return 2;
    }

  sigemptyset (&chld);
  sigaddset (&chld, SIGCHLD);
  sigprocmask (SIG_BLOCK, &chld, NULL);

  start = now_seconds ();
  pid = fork ();
  if (pid < 0)
    {
      perror ("bench-rusage: fork");
      return 1;
    }
  if (pid == 0)
    {
      int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

      sigprocmask (SIG_UNBLOCK, &chld, NULL);
      setpgid (0, 0);
      if (null_fd >= 0)
        dup2 (null_fd, STDIN_FILENO);
      if (redirect (out_path, STDOUT_FILENO) < 0 || redirect (err_path, STDERR_FILENO) < 0)
        _exit (126);
      execvp (argv[optind], &argv[optind]);
      fprintf (stderr, "bench-rusage: %s: %s\n", argv[optind], strerror (errno));
      _exit (127);
    }
  /* both sides set the group, so killpg works whoever runs first */
  setpgid (pid, pid);

  for (;;)
    {
      double left = limit - (now_seconds () - start);
      struct timespec ts;
      siginfo_t info;
      int sig;

      /* has it ended? (WNOWAIT: leave it for wait4, which gives the rusage) */
      memset (&info, 0, sizeof info);
      if (waitid (P_PID, (id_t) pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0
          && info.si_pid == pid)
        break;
      if (left <= 0)
        {
          timed_out = true;
          killpg (pid, SIGKILL);
          break;
        }
      ts.tv_sec = (time_t) left;
      ts.tv_nsec = (long) ((left - (double) ts.tv_sec) * 1e9);
      sig = sigtimedwait (&chld, NULL, &ts);
      if (sig < 0 && errno != EAGAIN && errno != EINTR)
        {
          perror ("bench-rusage: sigtimedwait");
          killpg (pid, SIGKILL);
          break;
        }
    }

  if (wait4 (pid, &status, 0, &ru) < 0)
    {
      perror ("bench-rusage: wait4");
      return 1;
    }
  wall = now_seconds () - start;
  /* whatever the command left behind in its group goes too */
  killpg (pid, SIGKILL);

  if (WIFEXITED (status))
    exit_code = WEXITSTATUS (status);
  else if (WIFSIGNALED (status))
    exit_code = -WTERMSIG (status);
  else
    exit_code = -1;

  printf ("{\"wall\": %.6f, \"user\": %.6f, \"sys\": %.6f, \"maxrss_kib\": %ld, "
          "\"rc\": %d, \"timed_out\": %s}\n",
          wall, timeval_seconds (&ru.ru_utime), timeval_seconds (&ru.ru_stime),
          ru.ru_maxrss, exit_code, timed_out ? "true" : "false");
  return 0;
}
