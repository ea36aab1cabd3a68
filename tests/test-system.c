/* test-system.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fb-system.h"
#include "fb-test-utils.h"

/* The kernel's size of this process's descriptor table. */
static guint
fd_table_size (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "\nFDSize:");
  return line != NULL ? (guint) g_ascii_strtoull (line + strlen ("\nFDSize:"), NULL, 10) : 0;
}

static guint
n_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_system_reserve_fds_grows_table_and_keeps_fds (void)
{
  struct rlimit limit;
  struct stat before, after;
  guint n_open;
  int kept;

  fb_system_raise_fd_limit ();
  CU_ASSERT_EQUAL_FATAL (getrlimit (RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < 3000)
    {
      g_test_message ("soft limit %lu: too low to test", (unsigned long) limit.rlim_cur);
      return;
    }

  /* An open descriptor right where the reservation reaches stays as it is. */
  kept = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  CU_ASSERT_FATAL (kept >= 0);
  CU_ASSERT_EQUAL_FATAL (dup2 (kept, 2999), 2999);
  close (kept);
  CU_ASSERT_EQUAL_FATAL (fstat (2999, &before), 0);
  n_open = n_open_fds ();

  CU_ASSERT_EQUAL (fb_system_reserve_fds (3000), 3000);
  CU_ASSERT_TRUE (fd_table_size () >= 3000);
  CU_ASSERT_EQUAL (n_open_fds (), n_open);
  CU_ASSERT_EQUAL_FATAL (fstat (2999, &after), 0);
  CU_ASSERT_EQUAL (before.st_ino, after.st_ino);
  CU_ASSERT_EQUAL (before.st_dev, after.st_dev);
  close (2999);
}

static void
test_system_reserve_fds_stops_at_soft_limit (void)
{
  struct rlimit saved, lowered;
  guint n_open = n_open_fds ();

  CU_ASSERT_EQUAL_FATAL (getrlimit (RLIMIT_NOFILE, &saved), 0);
  lowered = saved;
  lowered.rlim_cur = 200;
  CU_ASSERT_EQUAL_FATAL (setrlimit (RLIMIT_NOFILE, &lowered), 0);

  CU_ASSERT_EQUAL (fb_system_reserve_fds (1u << 20), 200);
  CU_ASSERT_EQUAL (fb_system_reserve_fds (0), 0);
  CU_ASSERT_EQUAL (n_open_fds (), n_open);

  CU_ASSERT_EQUAL (setrlimit (RLIMIT_NOFILE, &saved), 0);
}

static int main_nice;

static int
own_nice (void)
{
  errno = 0;
  return getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
}

static void
record_nice (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  g_task_return_int (task, own_nice ());
}

/* GTask's threads (TLS handshakes, file saves) come from GLib's shared
 * pool, whose spawner main () made at background priority; the main
 * thread keeps its own. */
static void
test_system_worker_pool_runs_in_the_background (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  int worker_nice;

  g_task_run_in_thread_sync (task, record_nice);
  worker_nice = (int) g_task_propagate_int (task, NULL);
  CU_ASSERT_TRUE (worker_nice >= FB_SYSTEM_BACKGROUND_NICE);
  CU_ASSERT_EQUAL (own_nice (), main_nice);
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    FB_TEST (test_system_reserve_fds_grows_table_and_keeps_fds),
    FB_TEST (test_system_reserve_fds_stops_at_soft_limit),
    FB_TEST (test_system_worker_pool_runs_in_the_background),
    { NULL, NULL },
  };

  /* As the window's main () does, before any other pool. */
  main_nice = own_nice ();
  fb_system_background_worker_pool ();
  return fb_test_main (argc, argv, "system", tests);
}
