/* fb-prober.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-prober"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "fb-prober.h"

enum { LOOKUP_QUEUED, LOOKUP_RUNNING, LOOKUP_ABANDONED };

/* A lookup with no answer after this long is asked a second time, in
 * parallel, and the first answer wins. The C library waits 5 s before it
 * sends a lost UDP query again, as long as the default timeout: without
 * this, one lost packet was one name reported as unanswered. */
#define HEDGE_MS 1000

/* Shared with worker threads and lookups that outlive the prober. */
typedef struct
{
  gatomicrefcount  ref;
  GThreadPool     *pool;
  guint            limit;
  guint            stuck;     /* abandoned lookups still in getaddrinfo (main thread) */
  gint             running;   /* atomic */
  gint             peak;      /* atomic */
  /* Finished lookups come back in batches: one wake-up of the main loop
   * for all that finished since it last looked, not one each. */
  GMutex           lock;
  GQueue           done;      /* Lookup*, under lock */
  GSource         *done_source;
  gboolean         scheduled; /* under lock */
} Shared;

struct _FbProber
{
  Shared *shared;
};

typedef struct _Lookup Lookup;

struct _Lookup
{
  gatomicrefcount  ref;
  Shared          *shared;
  GMainContext    *context;
  char            *name;
  GTask           *task;          /* main thread; NULL once answered */
  GSource         *timeout_source;
  GSource         *cancel_source;
  GSource         *hedge_source;
  Lookup          *twin;          /* the second ask (owned), main thread */
  Lookup          *primary;       /* a twin's first ask (borrowed: it outlives the twin's answer) */
  GStrv            addresses;     /* written by the worker before it posts */
  int              gai_error;
  int              saved_errno;
  gboolean         ran;           /* the worker called getaddrinfo */
  gint             state;         /* atomic LOOKUP_* */
};

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref);
  return shared;
}

static void
shared_unref (Shared *shared)
{
  if (g_atomic_ref_count_dec (&shared->ref))
    {
      /* Queued lookups still run (and skip their work); nothing blocks here. */
      g_thread_pool_free (shared->pool, FALSE, FALSE);
      g_source_destroy (shared->done_source);
      g_source_unref (shared->done_source);
      g_mutex_clear (&shared->lock);
      g_free (shared);
    }
}

static void
update_max_threads (Shared *shared)
{
  g_thread_pool_set_max_threads (shared->pool, (int) (shared->limit + shared->stuck), NULL);
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Main thread only. */
static void
lookup_unref (Lookup *lookup)
{
  if (!g_atomic_ref_count_dec (&lookup->ref))
    return;
  g_assert (lookup->task == NULL);
  clear_source (&lookup->timeout_source);
  clear_source (&lookup->cancel_source);
  clear_source (&lookup->hedge_source);
  g_clear_pointer (&lookup->twin, lookup_unref);
  g_strfreev (lookup->addresses);
  g_main_context_unref (lookup->context);
  shared_unref (lookup->shared);
  g_free (lookup->name);
  g_free (lookup);
}

static GTask *
lookup_take_task (Lookup *lookup)
{
  clear_source (&lookup->timeout_source);
  clear_source (&lookup->cancel_source);
  clear_source (&lookup->hedge_source);
  return g_steal_pointer (&lookup->task);
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

static void
lookup_done (Lookup *lookup)
{
  g_autoptr(GTask) task = NULL;

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
  if (lookup->primary != NULL)
    {
      task = lookup_take_task (lookup->primary);
      lookup_abandon (lookup->primary);
    }
  else
    {
      task = lookup_take_task (lookup);
      if (lookup->twin != NULL)
        lookup_abandon (lookup->twin);
    }
  if (task == NULL)
    return;

  if (lookup->gai_error == 0)
    {
      g_task_return_pointer (task, g_steal_pointer (&lookup->addresses), (GDestroyNotify) g_strfreev);
      return;
    }

  switch (lookup->gai_error)
    {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
    case EAI_FAIL:
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                               "%s", gai_strerror (lookup->gai_error));
      break;
    case EAI_AGAIN:
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE,
                               "%s", gai_strerror (lookup->gai_error));
      break;
    case EAI_SYSTEM:
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_INTERNAL,
                               "%s", g_strerror (lookup->saved_errno));
      break;
    default:
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_INTERNAL,
                               "%s", gai_strerror (lookup->gai_error));
      break;
    }
}

static gboolean
done_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  Shared *shared = *(Shared **) (source + 1);
  GQueue batch = G_QUEUE_INIT;
  Lookup *lookup;

  g_mutex_lock (&shared->lock);
  batch = shared->done;
  g_queue_init (&shared->done);
  shared->scheduled = FALSE;
  g_source_set_ready_time (source, -1);
  g_mutex_unlock (&shared->lock);

  /* The batch's lookups keep @shared alive until the last one goes. */
  while ((lookup = g_queue_pop_head (&batch)) != NULL)
    {
      lookup_done (lookup);
      lookup_unref (lookup);
    }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs done_funcs = { NULL, NULL, done_dispatch, NULL, NULL, NULL };

static GStrv
collect_addresses (const struct addrinfo *list)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next)
    {
      g_autoptr(GSocketAddress) address = g_socket_address_new_from_native (ai->ai_addr, ai->ai_addrlen);
      char *text;

      if (!G_IS_INET_SOCKET_ADDRESS (address))
        continue;
      text = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
      if (g_hash_table_contains (seen, text))
        {
          g_free (text);
          continue;
        }
      g_strv_builder_add (builder, text);
      g_hash_table_add (seen, text);
    }
  return g_strv_builder_end (builder);
}

static void
lookup_worker (gpointer data,
               gpointer user_data)
{
  Lookup *lookup = data;
  Shared *shared = lookup->shared;

  if (g_atomic_int_compare_and_exchange (&lookup->state, LOOKUP_QUEUED, LOOKUP_RUNNING))
    {
      struct addrinfo hints = { 0 };
      struct addrinfo *list = NULL;
      int running = g_atomic_int_add (&shared->running, 1) + 1;
      int peak;

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
          lookup->addresses = collect_addresses (list);
          freeaddrinfo (list);
        }
      g_atomic_int_add (&shared->running, -1);
    }

  /* Posted even when abandoned: the main thread owns the bookkeeping
   * (and the last reference). Nothing here touches @shared after the
   * lock is released, since the main thread may then free it. */
  g_mutex_lock (&shared->lock);
  g_queue_push_tail (&shared->done, lookup);
  if (!shared->scheduled)
    {
      shared->scheduled = TRUE;
      g_source_set_ready_time (shared->done_source, 0);
    }
  g_mutex_unlock (&shared->lock);
}

static gboolean
lookup_timeout_cb (gpointer user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GTask) task = lookup_take_task (lookup);
  double seconds = g_task_get_task_data (task) ? *(double *) g_task_get_task_data (task) : 0;

  lookup_abandon (lookup);
  if (lookup->twin != NULL)
    lookup_abandon (lookup->twin);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           /* Translators: %.1f is seconds */
                           _("No answer from the resolver within %.1f s"), seconds);
  return G_SOURCE_REMOVE;
}

static gboolean
lookup_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GTask) task = lookup_take_task (lookup);

  lookup_abandon (lookup);
  if (lookup->twin != NULL)
    lookup_abandon (lookup->twin);
  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

static Lookup *
lookup_new (Shared       *shared,
            GMainContext *context,
            const char   *name)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  g_atomic_ref_count_init (&lookup->ref);
  lookup->shared = shared_ref (shared);
  lookup->context = g_main_context_ref (context);
  lookup->name = g_strdup (name);
  return lookup;
}

/* No answer yet: ask again on a thread beyond the limit (the first ask
 * still holds its own), so a lost packet costs a second, not an error. */
static gboolean
lookup_hedge_cb (gpointer user_data)
{
  Lookup *lookup = user_data;
  Lookup *twin;

  g_clear_pointer (&lookup->hedge_source, g_source_unref);
  twin = lookup_new (lookup->shared, lookup->context, lookup->name);
  twin->primary = lookup;
  g_atomic_ref_count_inc (&twin->ref);
  lookup->twin = twin;
  lookup->shared->stuck++;
  update_max_threads (lookup->shared);
  g_thread_pool_push (lookup->shared->pool, twin, NULL);
  return G_SOURCE_REMOVE;
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

  self->shared = g_new0 (Shared, 1);
  g_atomic_ref_count_init (&self->shared->ref);
  self->shared->limit = MAX (1, max_threads);
  self->shared->pool = g_thread_pool_new (lookup_worker, NULL, (int) self->shared->limit, FALSE, NULL);
  g_mutex_init (&self->shared->lock);
  g_queue_init (&self->shared->done);
  self->shared->done_source = g_source_new (&done_funcs, sizeof (GSource) + sizeof (Shared *));
  *(Shared **) (self->shared->done_source + 1) = self->shared;
  g_source_set_name (self->shared->done_source, "[fetchboard] finished lookups");
  g_source_attach (self->shared->done_source, g_main_context_get_thread_default ());
  return self;
}

void
fb_prober_free (FbProber *self)
{
  if (self == NULL)
    return;
  shared_unref (self->shared);
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

void
fb_prober_lookup_async (FbProber            *self,
                        const char          *name,
                        double               timeout,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *ascii = NULL;
  double *seconds;
  Lookup *lookup;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_prober_lookup_async);
  seconds = g_new (double, 1);
  *seconds = timeout;
  g_task_set_task_data (task, seconds, g_free);

  if (g_task_return_error_if_cancelled (task))
    return;

  ascii = g_hostname_to_ascii (name);
  if (ascii == NULL || *ascii == '\0')
    {
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                               _("“%s” is not a valid host name"), name);
      return;
    }
  if (is_reserved_invalid (ascii))
    {
      /* RFC 6761 §6.4: resolvers may answer .invalid at once, and should;
       * asking costs a thread and, on some machines, a 5 s stall. */
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                               _("Name or service not known (.invalid names never exist)"));
      return;
    }

  lookup = lookup_new (self->shared, g_task_get_context (task), ascii);
  lookup->task = g_steal_pointer (&task);

  if (timeout > 0)
    {
      /* 4294968 s is more milliseconds than a guint holds: clamp, never wrap. */
      guint ms = timeout * 1000.0 >= (double) G_MAXUINT ? G_MAXUINT : (guint) (timeout * 1000.0);

      lookup->timeout_source = g_timeout_source_new (ms);
      g_source_set_callback (lookup->timeout_source, lookup_timeout_cb, lookup, NULL);
      g_source_attach (lookup->timeout_source, lookup->context);
    }
  if (timeout <= 0 || timeout * 1000 > HEDGE_MS)
    {
      lookup->hedge_source = g_timeout_source_new (HEDGE_MS);
      g_source_set_callback (lookup->hedge_source, lookup_hedge_cb, lookup, NULL);
      g_source_attach (lookup->hedge_source, lookup->context);
    }
  if (cancellable != NULL)
    {
      lookup->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (lookup->cancel_source, G_SOURCE_FUNC (lookup_cancelled_cb), lookup, NULL);
      g_source_attach (lookup->cancel_source, lookup->context);
    }

  /* The pool's reference; the worker hands it back to the main thread. */
  g_thread_pool_push (self->shared->pool, lookup, NULL);
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
