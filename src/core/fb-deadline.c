/* fb-deadline.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-deadline"

#include "config.h"

#include "fb-deadline.h"

#define NOT_IN_HEAP G_MAXUINT

/* The one source of a context: a binary heap of the deadlines that are set,
 * earliest first, and the source's ready time is the earliest's. */
typedef struct
{
  GSource       source;
  GMainContext *context;
  GPtrArray    *heap;
  guint         n_deadlines;  /* set or not; the wheel goes with the last */
} Wheel;

struct _FbDeadline
{
  Wheel          *wheel;
  FbDeadlineFunc  func;
  gpointer        user_data;
  gint64          ready_time;
  guint           index;      /* in the heap, or NOT_IN_HEAP */
};

static GMutex      wheels_lock;
static GHashTable *wheels;    /* GMainContext * -> Wheel * */

/* The heap */

static inline FbDeadline *
heap_at (Wheel *wheel,
         guint  i)
{
  return g_ptr_array_index (wheel->heap, i);
}

static inline void
heap_put (Wheel      *wheel,
          guint       i,
          FbDeadline *deadline)
{
  wheel->heap->pdata[i] = deadline;
  deadline->index = i;
}

static void
sift_up (Wheel *wheel,
         guint  i)
{
  FbDeadline *deadline = heap_at (wheel, i);

  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (heap_at (wheel, parent)->ready_time <= deadline->ready_time)
        break;
      heap_put (wheel, i, heap_at (wheel, parent));
      i = parent;
    }
  heap_put (wheel, i, deadline);
}

static void
sift_down (Wheel *wheel,
           guint  i)
{
  FbDeadline *deadline = heap_at (wheel, i);
  guint n = wheel->heap->len;

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= n)
        break;
      if (child + 1 < n && heap_at (wheel, child + 1)->ready_time < heap_at (wheel, child)->ready_time)
        child++;
      if (deadline->ready_time <= heap_at (wheel, child)->ready_time)
        break;
      heap_put (wheel, i, heap_at (wheel, child));
      i = child;
    }
  heap_put (wheel, i, deadline);
}

static void
heap_remove (Wheel      *wheel,
             FbDeadline *deadline)
{
  guint i = deadline->index;
  FbDeadline *last;

  g_assert (i < wheel->heap->len && heap_at (wheel, i) == deadline);

  last = g_ptr_array_steal_index_fast (wheel->heap, wheel->heap->len - 1);
  deadline->index = NOT_IN_HEAP;
  if (last == deadline)
    return;
  heap_put (wheel, i, last);
  if (i > 0 && heap_at (wheel, (i - 1) / 2)->ready_time > last->ready_time)
    sift_up (wheel, i);
  else
    sift_down (wheel, i);
}

/* The source wakes for the earliest deadline only: setting a later one
 * (what a new fetch does) neither moves its ready time nor wakes the loop. */
static void
wheel_update (Wheel *wheel)
{
  gint64 ready_time = wheel->heap->len > 0 ? heap_at (wheel, 0)->ready_time : -1;

  if (g_source_get_ready_time (&wheel->source) != ready_time)
    g_source_set_ready_time (&wheel->source, ready_time);
}

/* The source */

static gboolean
wheel_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  Wheel *wheel = (Wheel *) source;
  gint64 now = g_source_get_time (source);
  /* A function that sets its deadline in the past again runs in the next
   * iteration, not in a loop here. */
  guint budget = wheel->heap->len;

  while (budget-- > 0 && wheel->heap->len > 0 && !g_source_is_destroyed (source))
    {
      FbDeadline *deadline = heap_at (wheel, 0);

      if (deadline->ready_time > now)
        break;
      heap_remove (wheel, deadline);
      deadline->ready_time = -1;
      deadline->func (deadline->user_data);
    }
  if (!g_source_is_destroyed (source))
    wheel_update (wheel);
  return G_SOURCE_CONTINUE;
}

static void
wheel_finalize (GSource *source)
{
  Wheel *wheel = (Wheel *) source;

  g_ptr_array_unref (wheel->heap);
  g_main_context_unref (wheel->context);
}

static GSourceFuncs wheel_funcs = { NULL, NULL, wheel_dispatch, wheel_finalize, NULL, NULL };

static Wheel *
wheel_acquire (GMainContext *context)
{
  Wheel *wheel;

  g_mutex_lock (&wheels_lock);
  if (wheels == NULL)
    wheels = g_hash_table_new (NULL, NULL);
  wheel = g_hash_table_lookup (wheels, context);
  if (wheel == NULL)
    {
      wheel = (Wheel *) g_source_new (&wheel_funcs, sizeof (Wheel));
      wheel->context = g_main_context_ref (context);
      wheel->heap = g_ptr_array_new ();
      g_source_set_name (&wheel->source, "[fetchboard] deadlines");
      g_source_attach (&wheel->source, context);
      g_hash_table_insert (wheels, context, wheel);
    }
  wheel->n_deadlines++;
  g_mutex_unlock (&wheels_lock);
  return wheel;
}

static void
wheel_release (Wheel *wheel)
{
  gboolean last;

  g_mutex_lock (&wheels_lock);
  last = --wheel->n_deadlines == 0;
  if (last)
    g_hash_table_remove (wheels, wheel->context);
  g_mutex_unlock (&wheels_lock);
  if (last)
    {
      g_source_destroy (&wheel->source);
      g_source_unref (&wheel->source);
    }
}

/* Public */

FbDeadline *
fb_deadline_new (GMainContext   *context,
                 FbDeadlineFunc  func,
                 gpointer        user_data)
{
  FbDeadline *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (FbDeadline, 1);
  self->wheel = wheel_acquire (context != NULL ? context : g_main_context_default ());
  self->func = func;
  self->user_data = user_data;
  self->ready_time = -1;
  self->index = NOT_IN_HEAP;
  return self;
}

void
fb_deadline_set (FbDeadline *self,
                 gint64      ready_time)
{
  Wheel *wheel;

  g_return_if_fail (self != NULL);

  wheel = self->wheel;
  if (ready_time < 0)
    ready_time = -1;
  if (self->ready_time == ready_time)
    return;

  self->ready_time = ready_time;
  if (ready_time < 0)
    {
      if (self->index != NOT_IN_HEAP)
        heap_remove (wheel, self);
    }
  else if (self->index == NOT_IN_HEAP)
    {
      g_ptr_array_add (wheel->heap, self);
      sift_up (wheel, wheel->heap->len - 1);
    }
  else
    {
      guint i = self->index;

      if (i > 0 && heap_at (wheel, (i - 1) / 2)->ready_time > ready_time)
        sift_up (wheel, i);
      else
        sift_down (wheel, i);
    }
  wheel_update (wheel);
}

void
fb_deadline_set_in_ms (FbDeadline *self,
                       guint       ms)
{
  g_return_if_fail (self != NULL);

  fb_deadline_set (self, g_get_monotonic_time () + (gint64) ms * 1000);
}

gint64
fb_deadline_get (FbDeadline *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->ready_time;
}

void
fb_deadline_free (FbDeadline *self)
{
  Wheel *wheel;

  if (self == NULL)
    return;

  wheel = self->wheel;
  if (self->index != NOT_IN_HEAP)
    {
      heap_remove (wheel, self);
      wheel_update (wheel);
    }
  g_free (self);
  wheel_release (wheel);
}

guint
fb_deadline_count_for_test (GMainContext *context)
{
  Wheel *wheel;
  guint n;

  g_mutex_lock (&wheels_lock);
  wheel = wheels != NULL ? g_hash_table_lookup (wheels,
                                                context != NULL ? context
                                                                : g_main_context_default ())
                         : NULL;
  n = wheel != NULL ? wheel->n_deadlines : 0;
  g_mutex_unlock (&wheels_lock);
  return n;
}
