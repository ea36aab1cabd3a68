/* fb-semaphore.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-semaphore"

#include "config.h"

#include "fb-semaphore.h"

struct _FbSemaphore
{
  GObject parent_instance;

  GQueue  waiters;  /* Waiter*, FIFO */
  guint   limit;
  guint   active;
  guint   peak;
};

typedef struct
{
  FbSemaphore *self;   /* borrowed: the semaphore outlives its waiters' tasks */
  GTask       *task;
  GSource     *cancel_source;
  GList       *link;
} Waiter;

G_DEFINE_FINAL_TYPE (FbSemaphore, fb_semaphore, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LIMIT,
  PROP_ACTIVE,
  PROP_WAITING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancel_source != NULL)
    {
      g_source_destroy (waiter->cancel_source);
      g_source_unref (waiter->cancel_source);
    }
  g_clear_object (&waiter->task);
  g_free (waiter);
}

static void
set_active (FbSemaphore *self,
            guint        active)
{
  self->active = active;
  self->peak = MAX (self->peak, active);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

/* Grants free slots to waiters in FIFO order. The state is consistent
 * before each task returns, because a callback may run re-entrantly. */
static void
dispatch (FbSemaphore *self)
{
  gboolean changed = FALSE;

  while (self->active < self->limit && !g_queue_is_empty (&self->waiters))
    {
      Waiter *waiter = g_queue_pop_head (&self->waiters);
      g_autoptr(GTask) task = g_steal_pointer (&waiter->task);

      waiter_free (waiter);
      changed = TRUE;
      /* Cancelled, but its cancel source has not run yet: the slot goes
       * to the next waiter instead of a caller that no longer wants it. */
      if (g_task_return_error_if_cancelled (task))
        continue;
      set_active (self, self->active + 1);
      g_task_return_boolean (task, TRUE);
    }

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
}

static gboolean
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter *waiter = user_data;
  FbSemaphore *self = waiter->self;
  g_autoptr(GTask) task = g_steal_pointer (&waiter->task);

  g_queue_delete_link (&self->waiters, waiter->link);
  /* Destroying our own source from its callback is allowed. */
  waiter_free (waiter);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

void
fb_semaphore_acquire_async (FbSemaphore         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Waiter *waiter;

  g_return_if_fail (FB_IS_SEMAPHORE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_semaphore_acquire_async);
  /* A slot handed over just as the caller cancels must reach the caller,
   * or it would be lost: report what really happened. */
  g_task_set_check_cancellable (task, FALSE);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (fb_semaphore_try_acquire (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  waiter = g_new0 (Waiter, 1);
  waiter->self = self;
  waiter->task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      waiter->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancel_source, G_SOURCE_FUNC (waiter_cancelled_cb),
                             waiter, NULL);
      g_source_attach (waiter->cancel_source, g_task_get_context (waiter->task));
    }
  g_queue_push_tail (&self->waiters, waiter);
  waiter->link = self->waiters.tail;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
}

gboolean
fb_semaphore_acquire_finish (FbSemaphore   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (FB_IS_SEMAPHORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
fb_semaphore_try_acquire (FbSemaphore *self)
{
  g_return_val_if_fail (FB_IS_SEMAPHORE (self), FALSE);

  if (self->active >= self->limit || !g_queue_is_empty (&self->waiters))
    return FALSE;

  set_active (self, self->active + 1);
  return TRUE;
}

gboolean
fb_semaphore_release (FbSemaphore *self)
{
  g_return_val_if_fail (FB_IS_SEMAPHORE (self), FALSE);

  if (self->active == 0)
    {
      g_critical ("fb_semaphore_release: no slot is held (released more than acquired)");
      return FALSE;
    }

  set_active (self, self->active - 1);
  dispatch (self);
  return TRUE;
}

guint
fb_semaphore_get_limit (FbSemaphore *self)
{
  g_return_val_if_fail (FB_IS_SEMAPHORE (self), 0);

  return self->limit;
}

void
fb_semaphore_set_limit (FbSemaphore *self,
                        guint        limit)
{
  g_return_if_fail (FB_IS_SEMAPHORE (self));

  limit = CLAMP (limit, FB_SEMAPHORE_MIN_LIMIT, FB_SEMAPHORE_MAX_LIMIT);
  if (self->limit == limit)
    return;

  self->limit = limit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
  dispatch (self);
}

guint
fb_semaphore_get_active (FbSemaphore *self)
{
  g_return_val_if_fail (FB_IS_SEMAPHORE (self), 0);

  return self->active;
}

guint
fb_semaphore_get_waiting (FbSemaphore *self)
{
  g_return_val_if_fail (FB_IS_SEMAPHORE (self), 0);

  return self->waiters.length;
}

guint
fb_semaphore_get_peak (FbSemaphore *self)
{
  g_return_val_if_fail (FB_IS_SEMAPHORE (self), 0);

  return self->peak;
}

static void
fb_semaphore_dispose (GObject *object)
{
  FbSemaphore *self = FB_SEMAPHORE (object);
  Waiter *waiter;

  /* Waiters hold a reference to us through their task, so this only
   * runs with waiters left if the owner forces it; fail them cleanly. */
  while ((waiter = g_queue_pop_head (&self->waiters)) != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&waiter->task);

      waiter_free (waiter);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "semaphore disposed");
    }

  G_OBJECT_CLASS (fb_semaphore_parent_class)->dispose (object);
}

static void
fb_semaphore_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FbSemaphore *self = FB_SEMAPHORE (object);

  switch (prop_id)
    {
    case PROP_LIMIT:
      g_value_set_uint (value, self->limit);
      break;
    case PROP_ACTIVE:
      g_value_set_uint (value, self->active);
      break;
    case PROP_WAITING:
      g_value_set_uint (value, self->waiters.length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_semaphore_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  FbSemaphore *self = FB_SEMAPHORE (object);

  switch (prop_id)
    {
    case PROP_LIMIT:
      fb_semaphore_set_limit (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_semaphore_class_init (FbSemaphoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_semaphore_dispose;
  object_class->get_property = fb_semaphore_get_property;
  object_class->set_property = fb_semaphore_set_property;

  properties[PROP_LIMIT] =
    g_param_spec_uint ("limit", NULL, NULL,
                       FB_SEMAPHORE_MIN_LIMIT, FB_SEMAPHORE_MAX_LIMIT, 5,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] =
    g_param_spec_uint ("active", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WAITING] =
    g_param_spec_uint ("waiting", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fb_semaphore_init (FbSemaphore *self)
{
  g_queue_init (&self->waiters);
  self->limit = 5;
}

FbSemaphore *
fb_semaphore_new (guint limit)
{
  FbSemaphore *self = g_object_new (FB_TYPE_SEMAPHORE, NULL);

  self->limit = CLAMP (limit, FB_SEMAPHORE_MIN_LIMIT, FB_SEMAPHORE_MAX_LIMIT);
  return self;
}
