/* bench-rcvbuf-preload.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An LD_PRELOAD shim for the benchmark's dnsmasq: every UDP socket it opens
 * gets a receive buffer of FBBENCH_RCVBUF bytes (default 4 MiB, capped by
 * net.core.rmem_max). dnsmasq has no option for it, and with its default
 * buffer (net.core.rmem_default, 208 KiB) a burst of 200 queries (100
 * concurrent getaddrinfo calls, A + AAAA each) overflows it: the kernel drops
 * a query and glibc's resolver retries only after 5 s, which measures the
 * test server, not the client.
 *
 *   LD_PRELOAD=bench-rcvbuf-preload.so dnsmasq …
 */

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/socket.h>

typedef int (*SocketFunc) (int domain, int type, int protocol);

int
socket (int domain,
        int type,
        int protocol)
{
  static SocketFunc real_socket;
  const char *env;
  int size = 4 * 1024 * 1024;
  int fd;

  if (real_socket == NULL)
    real_socket = (SocketFunc) dlsym (RTLD_NEXT, "socket");
  fd = real_socket (domain, type, protocol);

  if (fd >= 0 && (type & 0xff) == SOCK_DGRAM)
    {
      env = getenv ("FBBENCH_RCVBUF");
      if (env != NULL && atoi (env) > 0)
        size = atoi (env);
      /* best effort: the benchmark checks the outcome (no 5 s stalls) */
      (void) setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }

  return fd;
}
