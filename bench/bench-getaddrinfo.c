/* bench-getaddrinfo.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The DNS peer of the benchmark suite: resolves every name of a file (one a
 * line) with the C library's getaddrinfo from a fixed number of threads, the
 * way a thread-pool resolver does (AF_UNSPEC, SOCK_STREAM, no flags: an A and
 * an AAAA query per name, as Fetchboard's prober and Python's asyncio ask),
 * then prints one line per name:
 *   "+ NAME FIRST-IPV4-OR-IPV6-ADDRESS" or "- NAME ERROR-TEXT".
 *
 *   bench-getaddrinfo [-a] [-s] [-t THREADS] FILE
 *
 * -s: each thread keeps its resolver's UDP socket between lookups
 * (RES_STAYOPEN), as Fetchboard's prober threads do: the floor for the same
 * resolver setting. Without it, the C library's default (a socket opened,
 * connected and closed for each lookup).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct
{
  char *name;
  char  answer[INET6_ADDRSTRLEN];
  int   status; /* 0, or a getaddrinfo error code */
} Lookup;

/* -a: AI_ADDRCONFIG, as GLib's own threaded resolver passes it (then glibc
 * asks for AAAA only when the machine has a non-loopback IPv6 address) */
static int use_addrconfig;

/* -s: RES_STAYOPEN on each thread's resolver state. */
static int stay_open;

typedef struct
{
  Lookup        *lookups;
  size_t         n_lookups;
  atomic_size_t  next;
} Work;

static void
resolve_one (Lookup *lookup)
{
  struct addrinfo hints;
  struct addrinfo *res = NULL;

  memset (&hints, 0, sizeof hints);
  hints.ai_flags = use_addrconfig ? AI_ADDRCONFIG : 0;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;

  lookup->status = getaddrinfo (lookup->name, NULL, &hints, &res);
  if (lookup->status != 0)
    return;

  /* the first IPv4 answer if any, like a "connect to the first" client */
  for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
    {
      if (ai->ai_family == AF_INET)
        {
          const struct sockaddr_in *sin = (const struct sockaddr_in *) ai->ai_addr;

          inet_ntop (AF_INET, &sin->sin_addr, lookup->answer, sizeof lookup->answer);
          break;
        }
      if (ai->ai_family == AF_INET6 && lookup->answer[0] == '\0')
        {
          const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) ai->ai_addr;

          inet_ntop (AF_INET6, &sin6->sin6_addr, lookup->answer, sizeof lookup->answer);
        }
    }
  freeaddrinfo (res);
}

static void *
resolve_worker (void *data)
{
  Work *work = data;

  if (stay_open && res_init () == 0)
    _res.options |= RES_STAYOPEN;
  for (;;)
    {
      size_t i = atomic_fetch_add (&work->next, 1);

      if (i >= work->n_lookups)
        break;
      resolve_one (&work->lookups[i]);
    }

  return NULL;
}

static int
read_names (const char  *path,
            Lookup     **lookups_out,
            size_t      *n_out)
{
  FILE *f = fopen (path, "r");
  char *line = NULL;
  size_t cap = 0;
  size_t n = 0;
  size_t alloc = 1024;
  Lookup *lookups;
  ssize_t len;

  if (f == NULL)
    {
      fprintf (stderr, "bench-getaddrinfo: %s: %s\n", path, strerror (errno));
      return -1;
    }

  lookups = calloc (alloc, sizeof *lookups);
  while ((len = getline (&line, &cap, f)) >= 0)
    {
      while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
        line[--len] = '\0';
      if (len == 0 || line[0] == '#')
        continue;
      if (n == alloc)
        {
          alloc *= 2;
          lookups = realloc (lookups, alloc * sizeof *lookups);
          memset (lookups + n, 0, (alloc - n) * sizeof *lookups);
        }
      lookups[n++].name = strdup (line);
    }
  free (line);
  fclose (f);

  *lookups_out = lookups;
  *n_out = n;
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  Work work;
  pthread_t *threads;
  long n_threads = 100;
  int opt;
  int n_found = 0;

  while ((opt = getopt (argc, argv, "ast:")) != -1)
    {
      switch (opt)
        {
        case 'a':
          use_addrconfig = 1;
          break;
        case 's':
          stay_open = 1;
          break;
        case 't':
          n_threads = strtol (optarg, NULL, 10);
          break;
        default:
          fprintf (stderr, "usage: %s [-a] [-s] [-t THREADS] FILE\n", argv[0]);
          return 2;
        }
    }
  if (optind != argc - 1 || n_threads < 1 || n_threads > 10000)
    {
      fprintf (stderr, "usage: %s [-a] [-s] [-t THREADS] FILE\n", argv[0]);
      return 2;
    }

  memset (&work, 0, sizeof work);
  if (read_names (argv[optind], &work.lookups, &work.n_lookups) < 0)
    return 1;
  atomic_init (&work.next, 0);

  if ((size_t) n_threads > work.n_lookups)
    n_threads = work.n_lookups > 0 ? (long) work.n_lookups : 1;

  threads = calloc (n_threads, sizeof *threads);
  for (long i = 0; i < n_threads; i++)
    {
      int err = pthread_create (&threads[i], NULL, resolve_worker, &work);

      if (err != 0)
        {
          fprintf (stderr, "bench-getaddrinfo: pthread_create: %s\n", strerror (err));
          return 1;
        }
    }
  for (long i = 0; i < n_threads; i++)
    pthread_join (threads[i], NULL);

  for (size_t i = 0; i < work.n_lookups; i++)
    {
      const Lookup *l = &work.lookups[i];

      if (l->status == 0)
        {
          n_found++;
          printf ("+ %s %s\n", l->name, l->answer);
        }
      else
        printf ("- %s %s\n", l->name, gai_strerror (l->status));
      free (l->name);
    }
  fprintf (stderr, "bench-getaddrinfo: %zu names, %d found, %ld threads\n",
           work.n_lookups, n_found, n_threads);

  free (work.lookups);
  free (threads);
  return 0;
}
