/* fb-prober.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-prober"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>
#include <sys/socket.h>

#include "fb-prober.h"

enum { LOOKUP_QUEUED, LOOKUP_RUNNING, LOOKUP_ABANDONED };

/* A lookup with no answer after this long is asked a second time, in
 * parallel, and the first answer wins. The C library waits 5 s before it
 * sends a lost UDP query again, as long as the default timeout: without
 * this, one lost packet was one name reported as unanswered. */
#define HEDGE_MS 1000

/* Names announced ahead of their jobs and not yet taken: the oldest goes
 * when one more comes (a name announced for a job that never asks). */
#define AHEAD_MAX FB_PROBER_AHEAD_MAX

/* While answers stream in, the main loop looks at the finished lookups
 * at least this often and is woken only by a batch of a few of them
 * (done_dispatch): each wake-up costs a system call on the thread that
 * wakes it and a sleep and a wake on the main thread. */
#define LAZY_US 1000

/* A resolver thread idle this long closes its socket to the name server
 * (resolver_keep_open). */
#define IDLE_CLOSE_US (1000 * 1000)

typedef struct _Lookup Lookup;

/* One thread of our own: it sleeps on its own condition, so handing it a
 * lookup wakes exactly it, and it is woken after the lock is let go, so it
 * does not wake only to wait for the lock (GThreadPool signals its queue's
 * condition with the queue locked). A Worker outlives its thread (it is
 * reused, freed with Shared): a late signal to it is harmless. */
typedef struct
{
  GCond    cond;
  gboolean woken;   /* under Shared.lock */
  gboolean quit;    /* under Shared.lock: end instead of taking work */
  gboolean busy;    /* under Shared.lock: a thread runs on it */
  struct _Shared *shared;
} Worker;

/* Shared with worker threads and lookups that outlive the prober. */
typedef struct _Shared
{
  gatomicrefcount  ref;
  gint             running;   /* atomic */
  gint             peak;      /* atomic */

  GMutex           lock;
  GQueue           pending;   /* Lookup* waiting for a thread */
  GQueue           ahead_pending; /* Lookup* announced ahead, for a thread with nothing pending */
  GPtrArray       *workers;   /* Worker*, every one made */
  GPtrArray       *idle;      /* Worker* asleep, last in first out */
  guint            threads;
  guint            max_threads;  /* limit + stuck */
  gboolean         closing;   /* the prober is gone: threads end once nothing is pending */
  /* Finished and cancelled lookups come back in batches: one wake-up of
   * the main loop for all that came since it last looked, not one each. */
  GQueue           done;      /* Lookup* */
  GQueue           cancelled; /* Lookup* */
  gboolean         scheduled;
  gboolean         lazy;      /* the main loop looks within LAZY_US by itself */
  guint            wake_batch; /* in lazy mode, the finished lookups that wake it sooner */
  GSource         *done_source;

  /* Main thread only. */
  GPtrArray       *to_wake;   /* Worker* chosen under the lock, signalled after it */
  GQueue           outbox;    /* Lookup* asked for while a batch is handled */
  GQueue           ahead;     /* Lookup* announced ahead, not yet asked for, oldest first */
  gboolean         in_batch;
  guint            limit;
  guint            stuck;     /* threads held beyond the limit: abandoned lookups, twins */
  GQueue           hedges;    /* Lookup* by the time of their second ask */
  GQueue           deadlines; /* Lookup* by their timeout */
  GSource         *timer_source;  /* ready at the earliest of both, or later (rechecked) */
  int              last_gai_error;
  const char      *last_gai_message;  /* gai_strerror (last_gai_error) */
} Shared;

struct _FbProber
{
  Shared *shared;
};

struct _Lookup
{
  gatomicrefcount  ref;
  Shared          *shared;
  char            *name;          /* ASCII, as asked */
  char            *given;         /* as the caller gave it: name itself when the same */
  /* Main thread; NULL once answered: the answer goes to it, once. */
  FbProberCallback callback;
  gpointer         user_data;
  GError          *early_error;   /* known before any thread (a name never asked) */
  /* Links of our own: queues handed between threads allocate nothing
   * (a GQueue node is a GSlice block, allocated on one thread and freed on
   * another, twice a lookup). */
  GList            link;          /* in the outbox, then pending (or ahead_pending), then done */
  GList            ahead_link;    /* in Shared.ahead when data != NULL (main thread) */
  GList            cancel_link;   /* in Shared.cancelled */
  GList            hedge_link;    /* in Shared.hedges when data != NULL */
  GList            deadline_link; /* in Shared.deadlines when data != NULL */
  gint64           hedge_at;
  gint64           deadline;
  double           timeout;
  Lookup          *twin;          /* the second ask (owned), main thread */
  Lookup          *primary;       /* a twin's first ask (borrowed: it outlives the twin's answer) */
  char            *addresses;     /* joined by ", "; written by the worker before it posts */
  int              gai_error;
  int              saved_errno;
  gboolean         ran;           /* the worker called getaddrinfo */
  gboolean         cancel_posted; /* under Shared.lock */
  /* Under Shared.lock: announced ahead, no one has asked for it yet (a
   * worker that finishes it keeps it out of the done queue); waiting in
   * ahead_pending; finished while ahead. */
  gboolean         ahead;
  gboolean         in_ahead_pending;
  gboolean         ahead_done;
  gboolean         in_outbox;     /* main thread */
  gint             state;         /* atomic LOOKUP_* */
};

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref);
  return shared;
}

/* The last reference may go on a worker thread, as it ends. */
static void
shared_unref (Shared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref))
    return;
  g_assert (shared->threads == 0 && g_queue_is_empty (&shared->pending));
  g_source_destroy (shared->done_source);
  g_source_unref (shared->done_source);
  g_source_destroy (shared->timer_source);
  g_source_unref (shared->timer_source);
  g_ptr_array_unref (shared->idle);
  g_ptr_array_unref (shared->to_wake);
  g_ptr_array_unref (shared->workers);
  g_mutex_clear (&shared->lock);
  g_free (shared);
}

static void
worker_free (Worker *worker)
{
  g_cond_clear (&worker->cond);
  g_free (worker);
}

/* With the lock held: whether the caller must ask the main loop to look,
 * after letting the lock go (done_dispatch clears the ready time before it
 * takes the batch, so a wake-up is never lost). */
static gboolean
schedule_locked (Shared *shared)
{
  if (shared->scheduled)
    return FALSE;
  shared->scheduled = TRUE;
  return TRUE;
}

static gboolean
same_address (const struct addrinfo *a,
              const struct addrinfo *b)
{
  if (a->ai_family != b->ai_family)
    return FALSE;
  if (a->ai_family == AF_INET)
    return memcmp (&((const struct sockaddr_in *) a->ai_addr)->sin_addr,
                   &((const struct sockaddr_in *) b->ai_addr)->sin_addr,
                   sizeof (struct in_addr)) == 0;
  return memcmp (&((const struct sockaddr_in6 *) a->ai_addr)->sin6_addr,
                 &((const struct sockaddr_in6 *) b->ai_addr)->sin6_addr,
                 sizeof (struct in6_addr)) == 0;
}

/* The addresses as text, unique, in resolver order, joined by ", ": one
 * allocation on the resolver thread (the string its job shows), where an
 * array of copies was four, each freed on the main thread in another
 * thread's arena. */
static char *
join_addresses (const struct addrinfo *list)
{
  char buffer[1024];
  gsize len = 0;
  GString *more = NULL;   /* past the buffer (a hundred addresses or so) */

  for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next)
    {
      char text[INET6_ADDRSTRLEN];
      const void *address;
      const struct addrinfo *before = list;
      gsize n;

      if (ai->ai_family == AF_INET)
        address = &((const struct sockaddr_in *) ai->ai_addr)->sin_addr;
      else if (ai->ai_family == AF_INET6)
        address = &((const struct sockaddr_in6 *) ai->ai_addr)->sin6_addr;
      else
        continue;
      while (before != ai && !same_address (before, ai))
        before = before->ai_next;
      if (before != ai)
        continue;
      if (inet_ntop (ai->ai_family, address, text, sizeof text) == NULL)
        continue;
      n = strlen (text);
      if (more == NULL && len + 2 + n < sizeof buffer)
        {
          if (len > 0)
            {
              memcpy (buffer + len, ", ", 2);
              len += 2;
            }
          memcpy (buffer + len, text, n);
          len += n;
          continue;
        }
      if (more == NULL)
        more = g_string_new_len (buffer, len);
      if (more->len > 0)
        g_string_append (more, ", ");
      g_string_append_len (more, text, n);
    }
  if (more != NULL)
    return g_string_free (more, FALSE);
  return g_strndup (buffer, len);
}

static Lookup *
pop_lookup (GQueue *queue)
{
  GList *link = g_queue_pop_head_link (queue);

  return link != NULL ? link->data : NULL;
}

static gboolean
resolve (Lookup *lookup)
{
  Shared *shared = lookup->shared;
  struct addrinfo hints = { 0 };
  struct addrinfo *list = NULL;
  int running;
  int peak;

  if (!g_atomic_int_compare_and_exchange (&lookup->state, LOOKUP_QUEUED, LOOKUP_RUNNING))
    return FALSE;

  running = g_atomic_int_add (&shared->running, 1) + 1;
  while ((peak = g_atomic_int_get (&shared->peak)) < running &&
         !g_atomic_int_compare_and_exchange (&shared->peak, peak, running))
    ;

  lookup->ran = TRUE;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  lookup->gai_error = getaddrinfo (lookup->name, NULL, &hints, &list);
  lookup->saved_errno = errno;
  if (lookup->gai_error == 0)
    {
      lookup->addresses = join_addresses (list);
      freeaddrinfo (list);
    }
  g_atomic_int_add (&shared->running, -1);
  return TRUE;
}

/* While a thread has names to look up, its resolver keeps its UDP socket
 * to the name server from one lookup to the next (RES_STAYOPEN) instead
 * of opening, connecting and closing one for each: those were a fifth of
 * getaddrinfo's CPU time on a list of names. The questions, the answers
 * and the configuration are the same (a changed resolv.conf is read again
 * as before, and then each lookup has its own socket again); a late
 * answer to an earlier question on the kept socket is told apart by its ID
 * and question and dropped, as the C library does for any stray datagram.
 * A thread with nothing to do for IDLE_CLOSE_US closes it, so an idle
 * pool holds no descriptors (closing it at each short sleep between two
 * names, a thousand times a run, gave back half the gain). _res is the
 * calling thread's own. */
static void
resolver_keep_open (void)
{
  if (res_init () == 0)
    _res.options |= RES_STAYOPEN;
}

static void
resolver_close (void)
{
  res_nclose (&_res);
}

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;
  Shared *shared = worker->shared;
  Lookup *lookup = NULL;
  Worker *next;
  gboolean wake_main = FALSE;
  gboolean resolver_open = FALSE;
  gint64 idle_until;

  g_mutex_lock (&shared->lock);
  for (;;)
    {
      if (lookup != NULL)
        {
          /* Posted even when abandoned: the main thread owns the
           * bookkeeping (and the last reference). A lookup nobody has
           * asked for yet waits in Shared.ahead for its job. */
          if (lookup->ahead)
            lookup->ahead_done = TRUE;
          else
            {
              g_queue_push_tail_link (&shared->done, &lookup->link);
              if (!shared->lazy || shared->done.length >= shared->wake_batch)
                wake_main = schedule_locked (shared) || wake_main;
            }
          lookup = NULL;
          if (shared->threads > shared->max_threads)
            {
              /* The limit went down, or a stuck lookup came back. */
              shared->threads--;
              break;
            }
        }
      lookup = pop_lookup (&shared->pending);
      if (lookup == NULL && (lookup = pop_lookup (&shared->ahead_pending)) != NULL)
        lookup->in_ahead_pending = FALSE;
      if (lookup == NULL)
        {
          if (shared->closing)
            {
              shared->threads--;
              break;
            }
          worker->woken = FALSE;
          g_ptr_array_add (shared->idle, worker);
          if (wake_main)
            {
              g_mutex_unlock (&shared->lock);
              g_source_set_ready_time (shared->done_source, 0);
              g_mutex_lock (&shared->lock);
              wake_main = FALSE;
            }
          idle_until = g_get_monotonic_time () + IDLE_CLOSE_US;
          while (!worker->woken)
            {
              if (!resolver_open)
                g_cond_wait (&worker->cond, &shared->lock);
              else if (!g_cond_wait_until (&worker->cond, &shared->lock, idle_until) &&
                       !worker->woken)
                {
                  /* Idle for a while: the socket goes (not under the lock). */
                  g_mutex_unlock (&shared->lock);
                  resolver_close ();
                  resolver_open = FALSE;
                  g_mutex_lock (&shared->lock);
                }
            }
          if (worker->quit)
            break;  /* counted out by whoever woke it */
          continue;
        }
      /* More are waiting: the next sleeper is woken from here, not by
       * the main thread, which wakes only the first of a batch. */
      next = (!g_queue_is_empty (&shared->pending) || !g_queue_is_empty (&shared->ahead_pending)) &&
             shared->idle->len > 0
             ? g_ptr_array_steal_index (shared->idle, shared->idle->len - 1) : NULL;
      if (next != NULL)
        next->woken = TRUE;
      g_mutex_unlock (&shared->lock);
      if (next != NULL)
        g_cond_signal (&next->cond);
      if (wake_main)
        g_source_set_ready_time (shared->done_source, 0);
      wake_main = FALSE;
      if (!resolver_open)
        {
          resolver_keep_open ();
          resolver_open = TRUE;
        }
      resolve (lookup);
      g_mutex_lock (&shared->lock);
    }
  worker->busy = FALSE;
  g_mutex_unlock (&shared->lock);
  if (wake_main)
    g_source_set_ready_time (shared->done_source, 0);
  if (resolver_open)
    resolver_close ();
  shared_unref (shared);
  return NULL;
}

/* Main thread: signals the workers chosen under the lock, now that it is
 * let go. */
static void
wake_chosen (Shared *shared)
{
  for (guint i = 0; i < shared->to_wake->len; i++)
    g_cond_signal (&((Worker *) shared->to_wake->pdata[i])->cond);
  g_ptr_array_set_size (shared->to_wake, 0);
}

/* With the lock held: sleeping threads beyond the limit end. */
static void
reap_locked (Shared *shared)
{
  while (shared->idle->len > 0 && (shared->closing || shared->threads > shared->max_threads))
    {
      Worker *worker = g_ptr_array_steal_index (shared->idle, shared->idle->len - 1);

      worker->quit = TRUE;
      worker->woken = TRUE;
      shared->threads--;
      g_ptr_array_add (shared->to_wake, worker);
    }
}

static gboolean
start_thread_locked (Shared *shared)
{
  g_autoptr(GError) error = NULL;
  Worker *worker = NULL;
  GThread *thread;

  for (guint i = 0; i < shared->workers->len && worker == NULL; i++)
    if (!((Worker *) shared->workers->pdata[i])->busy)
      worker = shared->workers->pdata[i];
  if (worker == NULL)
    {
      worker = g_new0 (Worker, 1);
      g_cond_init (&worker->cond);
      worker->shared = shared;
      g_ptr_array_add (shared->workers, worker);
    }
  worker->busy = TRUE;
  worker->quit = FALSE;
  worker->woken = FALSE;
  shared->threads++;
  shared_ref (shared);
  thread = g_thread_try_new ("fb-prober", worker_main, worker, &error);
  if (thread == NULL)
    {
      /* The threads there are take the lookups in turn. */
      worker->busy = FALSE;
      shared->threads--;
      g_atomic_ref_count_dec (&shared->ref);
      g_warning ("cannot start a resolver thread: %s", error->message);
      return FALSE;
    }
  g_thread_unref (thread);
  return TRUE;
}

/* With the lock held: @n pending lookups each get a sleeping thread, or a
 * new one while the limit allows; otherwise a busy thread takes them when
 * it is done. Only the first sleeper is woken here: each woken thread
 * wakes the next while lookups are pending (worker_main), so the main
 * thread makes one wake-up call a batch, not one a lookup, and is not
 * preempted by each thread it wakes. */
static void
kick_locked (Shared *shared,
             guint   n)
{
  guint sleeping = shared->idle->len;

  if (n > 0 && sleeping > 0)
    {
      Worker *worker = g_ptr_array_steal_index (shared->idle, shared->idle->len - 1);

      worker->woken = TRUE;
      g_ptr_array_add (shared->to_wake, worker);
    }
  for (guint i = MIN (n, sleeping); i < n; i++)
    if (shared->threads >= shared->max_threads || !start_thread_locked (shared))
      return;
}

static void
update_max_threads (Shared *shared)
{
  g_mutex_lock (&shared->lock);
  shared->max_threads = shared->limit + shared->stuck;
  shared->wake_batch = MAX (1, shared->limit / 8);
  /* More room: lookups that were waiting for a thread get one. */
  if (shared->threads < shared->max_threads)
    kick_locked (shared, MIN (shared->pending.length, shared->max_threads - shared->threads));
  else
    reap_locked (shared);
  g_mutex_unlock (&shared->lock);
  wake_chosen (shared);
}

/* Hands the lookups of the outbox to threads, under one lock. */
static void
submit_outbox (Shared *shared)
{
  guint n = shared->outbox.length;
  Lookup *lookup;

  if (n == 0)
    return;
  g_mutex_lock (&shared->lock);
  while ((lookup = pop_lookup (&shared->outbox)) != NULL)
    {
      lookup->in_outbox = FALSE;
      if (lookup->ahead_link.data != NULL)
        {
          lookup->ahead = TRUE;
          lookup->in_ahead_pending = TRUE;
          g_queue_push_tail_link (&shared->ahead_pending, &lookup->link);
        }
      else
        g_queue_push_tail_link (&shared->pending, &lookup->link);
    }
  kick_locked (shared, n);
  g_mutex_unlock (&shared->lock);
  wake_chosen (shared);
}

/* While a batch of answers is handled, the lookups it starts go out
 * together at its end. */
static void
submit (Lookup *lookup)
{
  Shared *shared = lookup->shared;

  lookup->in_outbox = TRUE;
  g_queue_push_tail_link (&shared->outbox, &lookup->link);
  if (!shared->in_batch)
    submit_outbox (shared);
}

/* ---- timers: the second ask and the timeout, one source for all ---- */

static void
arm_timer (Shared *shared,
           gint64  at)
{
  gint64 ready = g_source_get_ready_time (shared->timer_source);

  /* Only ever earlier: a later head is found when it fires. */
  if (ready < 0 || at < ready)
    g_source_set_ready_time (shared->timer_source, at);
}

static void
lookup_unlink_timers (Lookup *lookup)
{
  Shared *shared = lookup->shared;

  if (lookup->hedge_link.data != NULL)
    {
      g_queue_unlink (&shared->hedges, &lookup->hedge_link);
      lookup->hedge_link.data = NULL;
    }
  if (lookup->deadline_link.data != NULL)
    {
      g_queue_unlink (&shared->deadlines, &lookup->deadline_link);
      lookup->deadline_link.data = NULL;
    }
}

/* Main thread only. */
static void
lookup_unref (Lookup *lookup)
{
  if (!g_atomic_ref_count_dec (&lookup->ref))
    return;
  g_assert (lookup->callback == NULL);
  g_assert (lookup->ahead_link.data == NULL);
  lookup_unlink_timers (lookup);
  g_clear_pointer (&lookup->twin, lookup_unref);
  g_free (lookup->addresses);
  g_clear_error (&lookup->early_error);
  shared_unref (lookup->shared);
  if (lookup->given != lookup->name)
    g_free (lookup->given);
  g_free (lookup->name);
  g_free (lookup);
}

/* The caller's callback, once: NULL when it was answered already. */
static FbProberCallback
lookup_take_callback (Lookup *lookup)
{
  lookup_unlink_timers (lookup);
  return g_steal_pointer (&lookup->callback);
}

/* Gives up on a lookup whose answer no longer matters. A lookup already
 * inside getaddrinfo cannot be stopped: its thread stays busy, so the
 * pool grows by one until it returns, and the limit stays true. */
static void
lookup_abandon (Lookup *lookup)
{
  int previous = g_atomic_int_exchange (&lookup->state, LOOKUP_ABANDONED);

  if (previous == LOOKUP_RUNNING)
    {
      lookup->shared->stuck++;
      update_max_threads (lookup->shared);
    }
}

/* The error for a failed getaddrinfo. */
static GError *
lookup_error (Lookup *lookup)
{
  Shared *shared = lookup->shared;
  const char *message;
  int code;

  switch (lookup->gai_error)
    {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
    case EAI_FAIL:
      code = G_RESOLVER_ERROR_NOT_FOUND;
      break;
    case EAI_AGAIN:
      code = G_RESOLVER_ERROR_TEMPORARY_FAILURE;
      break;
    case EAI_SYSTEM:
      return g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_INTERNAL,
                                  g_strerror (lookup->saved_errno));
    default:
      code = G_RESOLVER_ERROR_INTERNAL;
      break;
    }
  /* Half the names of a list may fail the same way: the C library's
   * translated message is looked up once, not once each. */
  if (shared->last_gai_message == NULL || shared->last_gai_error != lookup->gai_error)
    {
      shared->last_gai_error = lookup->gai_error;
      shared->last_gai_message = gai_strerror (lookup->gai_error);
    }
  message = shared->last_gai_message;
  return g_error_new_literal (G_RESOLVER_ERROR, code, message);
}

static void
lookup_done (Lookup *lookup)
{
  Lookup *asker = lookup->primary != NULL ? lookup->primary : lookup;
  FbProberCallback callback;

  if (lookup->primary != NULL)
    {
      /* A twin's thread was one beyond the limit. */
      g_assert (lookup->shared->stuck > 0);
      lookup->shared->stuck--;
      update_max_threads (lookup->shared);
    }
  if (g_atomic_int_get (&lookup->state) == LOOKUP_ABANDONED)
    {
      if (lookup->ran)
        {
          /* Abandoned while running: its thread is free again. */
          g_assert (lookup->shared->stuck > 0);
          lookup->shared->stuck--;
          update_max_threads (lookup->shared);
        }
      return;
    }
  /* The first answer of the two wins; the other no longer matters. */
  callback = lookup_take_callback (asker);
  if (lookup->primary != NULL)
    lookup_abandon (lookup->primary);
  else if (lookup->twin != NULL)
    lookup_abandon (lookup->twin);
  if (callback == NULL)
    return;

  if (lookup->early_error != NULL)
    callback (NULL, g_steal_pointer (&lookup->early_error), asker->user_data);
  else if (lookup->gai_error == 0)
    callback (g_steal_pointer (&lookup->addresses), NULL, asker->user_data);
  else
    callback (NULL, lookup_error (lookup), asker->user_data);
}

static void
lookup_cancelled (Lookup *lookup)
{
  FbProberCallback callback = lookup_take_callback (lookup);

  if (callback == NULL)
    return;
  lookup_abandon (lookup);
  if (lookup->twin != NULL)
    lookup_abandon (lookup->twin);
  callback (NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled")),
            lookup->user_data);
}

static gboolean
done_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  Shared *shared = *(Shared **) (source + 1);
  GQueue batch = G_QUEUE_INIT;
  GQueue cancelled = G_QUEUE_INIT;
  GList *link;
  Lookup *lookup;
  guint n;
  gboolean lazy;
  gboolean stranded;

  /* Before the batch is taken: a lookup posted after it asks again. */
  g_source_set_ready_time (source, -1);
  g_mutex_lock (&shared->lock);
  batch = shared->done;
  g_queue_init (&shared->done);
  cancelled = shared->cancelled;
  g_queue_init (&shared->cancelled);
  shared->scheduled = FALSE;
  g_mutex_unlock (&shared->lock);
  n = batch.length + cancelled.length;

  /* The batch's lookups keep @shared alive until the last one goes, and
   * the lookups it starts do after that. */
  shared_ref (shared);
  shared->in_batch = TRUE;
  while ((link = g_queue_pop_head_link (&cancelled)) != NULL)
    {
      lookup = link->data;
      lookup_cancelled (lookup);
      lookup_unref (lookup);
    }
  while ((lookup = pop_lookup (&batch)) != NULL)
    {
      lookup_done (lookup);
      lookup_unref (lookup);
    }
  shared->in_batch = FALSE;
  submit_outbox (shared);

  /* Answers are coming in and more are under way: look again within
   * LAZY_US, woken sooner only by a batch. After a look that found
   * nothing, every answer wakes the loop again, and one that came as
   * the mode ended is not left waiting. */
  g_mutex_lock (&shared->lock);
  shared->lazy = n > 0 && (g_atomic_int_get (&shared->running) > 0 ||
                           !g_queue_is_empty (&shared->pending));
  lazy = shared->lazy;
  stranded = !lazy && !g_queue_is_empty (&shared->done) && schedule_locked (shared);
  g_mutex_unlock (&shared->lock);
  if (stranded)
    g_source_set_ready_time (source, 0);
  else if (lazy && g_source_get_ready_time (source) < 0)
    g_source_set_ready_time (source, g_source_get_time (source) + LAZY_US);
  shared_unref (shared);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs done_funcs = { NULL, NULL, done_dispatch, NULL, NULL, NULL };

/* @ascii is taken; @given is the name as the caller gave it. */
static Lookup *
lookup_new (Shared     *shared,
            char       *ascii,
            const char *given)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  g_atomic_ref_count_init (&lookup->ref);
  lookup->shared = shared_ref (shared);
  lookup->name = ascii;
  lookup->given = given == NULL || strcmp (given, ascii) == 0 ? ascii : g_strdup (given);
  lookup->link.data = lookup;
  lookup->cancel_link.data = lookup;
  return lookup;
}

/* ---- names announced ahead of their jobs ---- */

/* A lookup announced ahead is asked for: it becomes an ordinary lookup,
 * whether it still waits for a thread, runs, or has its answer already. */
static void
ahead_adopt (Shared *shared,
             Lookup *lookup)
{
  gboolean wake_main = FALSE;

  g_queue_unlink (&shared->ahead, &lookup->ahead_link);
  lookup->ahead_link.data = NULL;
  g_mutex_lock (&shared->lock);
  lookup->ahead = FALSE;
  if (lookup->ahead_done)
    {
      lookup->ahead_done = FALSE;
      g_queue_push_tail_link (&shared->done, &lookup->link);
      wake_main = schedule_locked (shared);
    }
  g_mutex_unlock (&shared->lock);
  if (wake_main)
    g_source_set_ready_time (shared->done_source, 0);
}

/* A lookup announced ahead that no job asked for: one waiting for a
 * thread or answered goes now; a running one is posted by its thread and
 * dropped by lookup_done (it has no callback). */
static void
ahead_drop (Shared *shared,
            Lookup *lookup)
{
  gboolean unref = TRUE;

  g_queue_unlink (&shared->ahead, &lookup->ahead_link);
  lookup->ahead_link.data = NULL;
  if (lookup->in_outbox)
    {
      /* Still in the outbox: not seen by any thread. */
      g_queue_unlink (&shared->outbox, &lookup->link);
      lookup->in_outbox = FALSE;
      lookup_unref (lookup);
      return;
    }
  g_mutex_lock (&shared->lock);
  if (lookup->in_ahead_pending)
    {
      lookup->in_ahead_pending = FALSE;
      g_queue_unlink (&shared->ahead_pending, &lookup->link);
    }
  else if (!lookup->ahead_done)
    unref = FALSE;
  lookup->ahead = FALSE;
  lookup->ahead_done = FALSE;
  g_mutex_unlock (&shared->lock);
  if (unref)
    lookup_unref (lookup);
}

/* The oldest lookup announced for @given (the name as its job has it:
 * no conversion to find it), or NULL. */
static Lookup *
ahead_find (Shared     *shared,
            const char *given)
{
  for (GList *l = shared->ahead.head; l != NULL; l = l->next)
    if (strcmp (((Lookup *) l->data)->given, given) == 0)
      return l->data;
  return NULL;
}

/* No answer yet: ask again on a thread beyond the limit (the first ask
 * still holds its own), so a lost packet costs a second, not an error. */
static void
lookup_hedge (Lookup *lookup)
{
  Lookup *twin = lookup_new (lookup->shared, g_strdup (lookup->name), NULL);

  twin->primary = lookup;
  g_atomic_ref_count_inc (&twin->ref);
  lookup->twin = twin;
  lookup->shared->stuck++;
  update_max_threads (lookup->shared);
  submit (twin);
}

static void
lookup_timed_out (Lookup *lookup)
{
  FbProberCallback callback = lookup_take_callback (lookup);

  lookup_abandon (lookup);
  if (lookup->twin != NULL)
    lookup_abandon (lookup->twin);
  callback (NULL, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               /* Translators: %.1f is seconds */
                               _("No answer from the resolver within %.1f s"), lookup->timeout),
            lookup->user_data);
}

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  Shared *shared = *(Shared **) (source + 1);
  gint64 now = g_source_get_time (source);
  Lookup *lookup;

  g_source_set_ready_time (source, -1);
  shared_ref (shared);
  while ((lookup = g_queue_peek_head (&shared->hedges)) != NULL && lookup->hedge_at <= now)
    {
      g_queue_unlink (&shared->hedges, &lookup->hedge_link);
      lookup->hedge_link.data = NULL;
      lookup_hedge (lookup);
    }
  while ((lookup = g_queue_peek_head (&shared->deadlines)) != NULL && lookup->deadline <= now)
    lookup_timed_out (lookup);
  if ((lookup = g_queue_peek_head (&shared->hedges)) != NULL)
    arm_timer (shared, lookup->hedge_at);
  if ((lookup = g_queue_peek_head (&shared->deadlines)) != NULL)
    arm_timer (shared, lookup->deadline);
  shared_unref (shared);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_funcs = { NULL, NULL, timer_dispatch, NULL, NULL, NULL };

/* Any thread (the one that cancels): the main thread answers the lookup
 * as cancelled, from the main loop, never inside the caller's code. */
static void
post_cancel (Lookup *lookup)
{
  Shared *shared = lookup->shared;
  gboolean wake_main = FALSE;

  g_mutex_lock (&shared->lock);
  if (!lookup->cancel_posted)
    {
      lookup->cancel_posted = TRUE;
      g_atomic_ref_count_inc (&lookup->ref);
      g_queue_push_tail_link (&shared->cancelled, &lookup->cancel_link);
      wake_main = schedule_locked (shared);
    }
  g_mutex_unlock (&shared->lock);
  if (wake_main)
    g_source_set_ready_time (shared->done_source, 0);
}

static void
insert_deadline (Shared *shared,
                 Lookup *lookup)
{
  GList *after = shared->deadlines.tail;

  /* Nearly always the latest: the same timeout, asked in order. */
  while (after != NULL && ((Lookup *) after->data)->deadline > lookup->deadline)
    after = after->prev;
  lookup->deadline_link.data = lookup;
  if (after == NULL)
    g_queue_push_head_link (&shared->deadlines, &lookup->deadline_link);
  else
    g_queue_insert_after_link (&shared->deadlines, after, &lookup->deadline_link);
}

/* g_hostname_to_ascii (name), without its work for a name that is
 * ASCII already with no capital letter (nearly every name of a list):
 * for those it gives a copy of the name itself. */
static char *
to_ascii (const char *name)
{
  for (const guchar *p = (const guchar *) name; *p != '\0'; p++)
    if (*p >= 0x80 || (*p >= 'A' && *p <= 'Z'))
      return g_hostname_to_ascii (name);
  return g_strdup (name);
}

static gboolean
is_reserved_invalid (const char *ascii)
{
  gsize len = strlen (ascii);

  while (len > 0 && ascii[len - 1] == '.')
    len--;
  if (len == strlen ("invalid"))
    return g_ascii_strncasecmp (ascii, "invalid", len) == 0;
  return len > strlen (".invalid") &&
         g_ascii_strncasecmp (ascii + len - strlen (".invalid"), ".invalid", strlen (".invalid")) == 0;
}

FbProber *
fb_prober_new (guint max_threads)
{
  FbProber *self = g_new0 (FbProber, 1);
  Shared *shared = g_new0 (Shared, 1);
  GMainContext *context = g_main_context_get_thread_default ();

  self->shared = shared;
  g_atomic_ref_count_init (&shared->ref);
  shared->limit = MAX (1, max_threads);
  shared->max_threads = shared->limit;
  shared->wake_batch = MAX (1, shared->limit / 8);
  g_mutex_init (&shared->lock);
  shared->idle = g_ptr_array_new ();
  shared->to_wake = g_ptr_array_new ();
  shared->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  g_queue_init (&shared->outbox);
  g_queue_init (&shared->pending);
  g_queue_init (&shared->ahead_pending);
  g_queue_init (&shared->ahead);
  g_queue_init (&shared->done);
  g_queue_init (&shared->cancelled);
  g_queue_init (&shared->hedges);
  g_queue_init (&shared->deadlines);
  shared->done_source = g_source_new (&done_funcs, sizeof (GSource) + sizeof (Shared *));
  *(Shared **) (shared->done_source + 1) = shared;
  g_source_set_name (shared->done_source, "[fetchboard] finished lookups");
  g_source_attach (shared->done_source, context);
  shared->timer_source = g_source_new (&timer_funcs, sizeof (GSource) + sizeof (Shared *));
  *(Shared **) (shared->timer_source + 1) = shared;
  g_source_set_name (shared->timer_source, "[fetchboard] lookup timers");
  g_source_attach (shared->timer_source, context);
  return self;
}

/* Lookups still pending run (and skip their work if abandoned); idle
 * threads end now, busy ones when nothing is left. Nothing blocks here. */
void
fb_prober_free (FbProber *self)
{
  Shared *shared;

  if (self == NULL)
    return;
  shared = self->shared;
  fb_prober_forget_ahead (self);
  g_mutex_lock (&shared->lock);
  shared->closing = TRUE;
  reap_locked (shared);
  g_mutex_unlock (&shared->lock);
  wake_chosen (shared);
  shared_unref (shared);
  g_free (self);
}

void
fb_prober_set_max_threads (FbProber *self,
                           guint     max_threads)
{
  g_return_if_fail (self != NULL);

  self->shared->limit = MAX (1, max_threads);
  update_max_threads (self->shared);
}

guint
fb_prober_get_running (FbProber *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return (guint) g_atomic_int_get (&self->shared->running);
}

guint
fb_prober_get_peak_running (FbProber *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return (guint) g_atomic_int_get (&self->shared->peak);
}

/* A name never asked: its answer comes from the main loop all the same,
 * never from inside the caller's call. */
static void
post_early (Lookup *lookup,
            GError *error)
{
  Shared *shared = lookup->shared;
  gboolean wake_main;

  lookup->early_error = error;
  g_mutex_lock (&shared->lock);
  g_queue_push_tail_link (&shared->done, &lookup->link);
  wake_main = schedule_locked (shared);
  g_mutex_unlock (&shared->lock);
  if (wake_main)
    g_source_set_ready_time (shared->done_source, 0);
}

FbProberLookup *
fb_prober_lookup (FbProber         *self,
                  const char       *name,
                  double            timeout,
                  FbProberCallback  callback,
                  gpointer          user_data)
{
  Shared *shared;
  char *ascii;
  Lookup *lookup;
  gboolean adopted;
  gint64 now;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  shared = self->shared;
  /* Announced ahead: its thread may have the answer already. */
  lookup = ahead_find (shared, name);
  adopted = lookup != NULL;
  if (adopted)
    ahead_adopt (shared, lookup);
  else
    {
      ascii = to_ascii (name);
      if (ascii == NULL || *ascii == '\0')
        {
          lookup = lookup_new (shared, ascii != NULL ? ascii : g_strdup (""), name);
          lookup->callback = callback;
          lookup->user_data = user_data;
          post_early (lookup, g_error_new (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                                           _("“%s” is not a valid host name"), name));
          return lookup;
        }
      lookup = lookup_new (shared, ascii, name);
      if (is_reserved_invalid (ascii))
        {
          /* RFC 6761 §6.4: resolvers may answer .invalid at once, and
           * should; asking costs a thread and, on some machines, a 5 s
           * stall. */
          const char *why = _("Name or service not known (.invalid names never exist)");

          lookup->callback = callback;
          lookup->user_data = user_data;
          post_early (lookup,
                      g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, why));
          return lookup;
        }
    }
  lookup->callback = callback;
  lookup->user_data = user_data;
  lookup->timeout = timeout;
  now = g_get_monotonic_time ();

  if (timeout > 0)
    {
      /* Never past gint64 (a timeout of 1e300 s is "never"). */
      lookup->deadline = now + (gint64) (MIN (timeout, 1e9) * G_USEC_PER_SEC);
      insert_deadline (shared, lookup);
      arm_timer (shared, lookup->deadline);
    }
  if (timeout <= 0 || timeout * 1000 > HEDGE_MS)
    {
      lookup->hedge_at = now + HEDGE_MS * 1000;
      lookup->hedge_link.data = lookup;
      g_queue_push_tail_link (&shared->hedges, &lookup->hedge_link);
      arm_timer (shared, lookup->hedge_at);
    }

  /* The pool's reference; the worker hands it back to the main thread. */
  if (!adopted)
    submit (lookup);
  return lookup;
}

void
fb_prober_cancel (FbProber       *self,
                  FbProberLookup *lookup)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (lookup != NULL && lookup->shared == self->shared);

  if (lookup->callback != NULL)
    post_cancel (lookup);
}

/* ---- the GIO-style call: a GTask and a GCancellable around a lookup ---- */

typedef struct
{
  GTask        *task;
  GCancellable *cancellable;
  gulong        cancel_id;
} AsyncLookup;

static void
async_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  post_cancel (user_data);
}

static void
async_done (char    *addresses,
            GError  *error,
            gpointer user_data)
{
  AsyncLookup *async = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&async->task);

  /* Never from inside the "cancelled" signal: the handler only posts. */
  if (async->cancel_id != 0)
    g_cancellable_disconnect (async->cancellable, async->cancel_id);
  g_clear_object (&async->cancellable);
  g_free (async);

  if (addresses != NULL)
    {
      /* Addresses never hold ", ". */
      g_task_return_pointer (task, g_strsplit (addresses, ", ", -1), (GDestroyNotify) g_strfreev);
      g_free (addresses);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           g_task_return_error_if_cancelled (task))
    g_error_free (error);
  else
    g_task_return_error (task, error);
}

void
fb_prober_lookup_async (FbProber            *self,
                        const char          *name,
                        double               timeout,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncLookup *async;
  Lookup *lookup;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_prober_lookup_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  async = g_new0 (AsyncLookup, 1);
  async->task = g_steal_pointer (&task);
  lookup = fb_prober_lookup (self, name, timeout, async_done, async);
  if (cancellable != NULL)
    {
      /* Called at once when it is already cancelled: it only posts. The
       * lookup outlives the connection: async_done disconnects first. */
      async->cancellable = g_object_ref (cancellable);
      async->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (async_cancelled_cb),
                                                lookup, NULL);
    }
}

void
fb_prober_look_ahead (FbProber   *self,
                      const char *name)
{
  char *ascii;
  Shared *shared;
  Lookup *lookup;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  shared = self->shared;
  ascii = to_ascii (name);
  if (ascii == NULL || *ascii == '\0' || is_reserved_invalid (ascii))
    {
      g_free (ascii);
      return;
    }
  if (shared->ahead.length >= AHEAD_MAX)
    ahead_drop (shared, g_queue_peek_head (&shared->ahead));
  lookup = lookup_new (shared, ascii, name);
  lookup->ahead_link.data = lookup;
  g_queue_push_tail_link (&shared->ahead, &lookup->ahead_link);
  submit (lookup);
}

void
fb_prober_forget_ahead (FbProber *self)
{
  Lookup *lookup;

  g_return_if_fail (self != NULL);

  while ((lookup = g_queue_peek_head (&self->shared->ahead)) != NULL)
    ahead_drop (self->shared, lookup);
}

guint
fb_prober_get_n_ahead (FbProber *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->shared->ahead.length;
}

GStrv
fb_prober_lookup_finish (FbProber      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_prober_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
