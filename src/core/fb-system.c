/* fb-system.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-system"

#include "config.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fb-system.h"

GSocket *
fb_system_listen_loopback (guint    port,
                           int      backlog,
                           GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  g_return_val_if_fail (port <= G_MAXUINT16, NULL);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, (guint16) port);
  if (!g_socket_bind (socket, address, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, backlog);
  if (!g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

GSocket *
fb_system_listen_address (const char  *address,
                          guint        port,
                          int          backlog,
                          GError     **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) local = NULL;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (port <= G_MAXUINT16, NULL);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an IP address", address);
      return NULL;
    }
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  local = g_inet_socket_address_new (inet, (guint16) port);
  if (!g_socket_bind (socket, local, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, backlog);
  if (!g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

guint64
fb_system_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 0;
  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        getrlimit (RLIMIT_NOFILE, &limit);
    }
  return (guint64) limit.rlim_cur;
}

guint
fb_system_reserve_fds (guint n)
{
  struct rlimit limit;
  int source;
  int high;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      n > limit.rlim_cur)
    n = (guint) limit.rlim_cur;
  n = MIN (n, (guint) G_MAXINT);
  if (n == 0)
    return 0;

  /* A descriptor numbered n - 1 or above makes the table that long; the
   * kernel never shrinks it. F_DUPFD takes the first free number from
   * there, so no open descriptor is touched. */
  source = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (source < 0)
    return 0;
  high = fcntl (source, F_DUPFD_CLOEXEC, (int) n - 1);
  if (high >= 0)
    close (high);
  close (source);
  return high >= 0 ? n : 0;
}

void
fb_system_background_thread (void)
{
#ifdef __linux__
  /* PRIO_PROCESS with a thread id sets that thread's nice on Linux.
   * Failing leaves it as it was: it only gives way less. */
  (void) setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), FB_SYSTEM_BACKGROUND_NICE);
#endif
}

static void
no_work (gpointer data,
         gpointer user_data)
{
}

static gpointer
start_pool_spawner (gpointer data)
{
  GThreadPool *pool;

  fb_system_background_thread ();
  pool = g_thread_pool_new (no_work, NULL, 1, FALSE, NULL);
  if (pool != NULL)
    g_thread_pool_free (pool, TRUE, FALSE);
  return NULL;
}

void
fb_system_background_worker_pool (void)
{
  g_thread_join (g_thread_new ("fb-pool-start", start_pool_spawner, NULL));
}
