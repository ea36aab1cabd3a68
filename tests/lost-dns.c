/* lost-dns.c: an LD_PRELOAD shim for the DNS hedge test. The first
 * getaddrinfo () of a name under .lost.test waits 3 s, as the C library
 * does when a UDP answer is lost (it asks again after its 5 s timeout);
 * every later one answers 127.0.0.1 at once. Other names go to the real
 * getaddrinfo ().
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dlfcn.h>
#include <netdb.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char seen[64][256];
static unsigned n_seen;

static int
first_time (const char *name)
{
  int first = 1;

  pthread_mutex_lock (&lock);
  for (unsigned i = 0; i < n_seen; i++)
    if (strcmp (seen[i], name) == 0)
      first = 0;
  if (first && n_seen < 64)
    {
      strncpy (seen[n_seen], name, sizeof seen[0] - 1);
      n_seen++;
    }
  pthread_mutex_unlock (&lock);
  return first;
}

int
getaddrinfo (const char             *node,
             const char             *service,
             const struct addrinfo  *hints,
             struct addrinfo       **res)
{
  static int (*real) (const char *, const char *, const struct addrinfo *, struct addrinfo **);
  size_t len = node != NULL ? strlen (node) : 0;

  if (real == NULL)
    real = (int (*) (const char *, const char *, const struct addrinfo *, struct addrinfo **))
           dlsym (RTLD_NEXT, "getaddrinfo");
  if (len > strlen (".lost.test") && strcmp (node + len - strlen (".lost.test"), ".lost.test") == 0)
    {
      if (first_time (node))
        sleep (3);
      return real ("127.0.0.1", service, hints, res);
    }
  return real (node, service, hints, res);
}
