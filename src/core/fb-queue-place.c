/* fb-queue-place.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-queue-place"

#include "config.h"

#include <string.h>

#include "fb-queue-place.h"

/* One end of the deque: entries numbered 1, 2, … as they join; a Fenwick
 * tree counts those still in line up to any number. */
typedef struct
{
  guint8  *present;   /* [1..used] */
  guint32 *tree;      /* [1..capacity] */
  guint    used;
  guint    capacity;
  guint    n_present;
} End;

struct _FbQueuePlaces
{
  gint ref_count;
  End  head;          /* joined at the head: a later number is nearer the front */
  End  tail;          /* joined at the tail: an earlier number is nearer the front */
  FbHosts *hosts;
};

static void
end_add (End   *end,
         guint  index,
         int    delta)
{
  for (; index <= end->capacity; index += index & -index)
    end->tree[index] += delta;
}

/* Entries 1..index still in line. */
static guint
end_prefix (End   *end,
            guint  index)
{
  guint sum = 0;

  for (index = MIN (index, end->capacity); index > 0; index -= index & -index)
    sum += end->tree[index];
  return sum;
}

/* A tree cannot grow in place (its last node covers the whole range):
 * a bigger one is built from the flags in O(n). */
static void
end_grow (End *end)
{
  guint capacity = MAX (1024u, end->capacity * 2);

  end->present = g_realloc (end->present, capacity + 1);
  memset (end->present + end->used + 1, 0, capacity - end->used);
  g_free (end->tree);
  end->tree = g_new0 (guint32, capacity + 1);
  end->capacity = capacity;
  for (guint i = 1; i <= capacity; i++)
    {
      guint parent = i + (i & -i);

      end->tree[i] += i <= end->used ? end->present[i] : 0;
      if (parent <= capacity)
        end->tree[parent] += end->tree[i];
    }
}

static guint
end_join (End *end)
{
  g_assert (end->used < G_MAXUINT32 >> 1);
  if (end->used == end->capacity)
    end_grow (end);
  end->used++;
  end->present[end->used] = 1;
  end->n_present++;
  end_add (end, end->used, 1);
  return end->used;
}

static void
end_leave (End   *end,
           guint  index)
{
  if (index == 0 || index > end->used || !end->present[index])
    return;
  end->present[index] = 0;
  end->n_present--;
  end_add (end, index, -1);
}

FbQueuePlaces *
fb_queue_places_new (void)
{
  FbQueuePlaces *self = g_new0 (FbQueuePlaces, 1);

  self->ref_count = 1;
  return self;
}

FbQueuePlaces *
fb_queue_places_ref (FbQueuePlaces *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
fb_queue_places_unref (FbQueuePlaces *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_free (self->head.present);
  g_free (self->head.tree);
  g_free (self->tail.present);
  g_free (self->tail.tree);
  g_free (self);
}

/* Tickets: the entry's number, shifted, with the low bit for its end. */
guint32
fb_queue_places_join (FbQueuePlaces *self,
                      gboolean       at_head)
{
  g_return_val_if_fail (self != NULL, 0);

  if (at_head)
    return (end_join (&self->head) << 1) | 1;
  return end_join (&self->tail) << 1;
}

void
fb_queue_places_leave (FbQueuePlaces *self,
                       guint32        ticket)
{
  g_return_if_fail (self != NULL);

  end_leave ((ticket & 1) ? &self->head : &self->tail, (guint) (ticket >> 1));
}

guint
fb_queue_places_get (FbQueuePlaces *self,
                     guint32        ticket)
{
  guint index = (guint) (ticket >> 1);

  g_return_val_if_fail (self != NULL, 0);

  if (ticket & 1)
    {
      if (index == 0 || index > self->head.used || !self->head.present[index])
        return 0;
      /* Those that joined the head after it are before it. */
      return self->head.n_present - end_prefix (&self->head, index - 1);
    }
  if (index == 0 || index > self->tail.used || !self->tail.present[index])
    return 0;
  return self->head.n_present + end_prefix (&self->tail, index);
}

guint
fb_queue_places_get_length (FbQueuePlaces *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->head.n_present + self->tail.n_present;
}

void
fb_queue_places_set_hosts (FbQueuePlaces *self,
                           FbHosts       *hosts)
{
  g_return_if_fail (self != NULL);
  self->hosts = hosts;
}

FbHosts *
fb_queue_places_get_hosts (FbQueuePlaces *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->hosts;
}
