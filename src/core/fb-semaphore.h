/* fb-semaphore.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-types.h"

G_BEGIN_DECLS

#define FB_SEMAPHORE_MIN_LIMIT 1
#define FB_SEMAPHORE_MAX_LIMIT 1000

#define FB_TYPE_SEMAPHORE (fb_semaphore_get_type ())

G_DECLARE_FINAL_TYPE (FbSemaphore, fb_semaphore, FB, SEMAPHORE, GObject)

/* An asynchronous counting semaphore on the thread-default main context:
 * FIFO, cancellable waits, a limit that can change while slots are held. */
FbSemaphore *fb_semaphore_new          (guint                limit);
guint        fb_semaphore_get_limit    (FbSemaphore         *self);
/* Raising wakes waiters at once; lowering takes effect as slots come back. */
void         fb_semaphore_set_limit    (FbSemaphore         *self,
                                        guint                limit);
guint        fb_semaphore_get_active   (FbSemaphore         *self);
guint        fb_semaphore_get_waiting  (FbSemaphore         *self);
/* Highest number of slots held at once since creation. */
guint        fb_semaphore_get_peak     (FbSemaphore         *self);
void         fb_semaphore_acquire_async  (FbSemaphore         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean     fb_semaphore_acquire_finish (FbSemaphore         *self,
                                          GAsyncResult        *result,
                                          GError             **error);
/* Takes a slot at once if one is free and nobody waits before us. */
gboolean     fb_semaphore_try_acquire  (FbSemaphore         *self);
/* Returns a slot. Releasing a slot that was never acquired is a programming
 * error: it is reported with g_critical, ignored, and FALSE is returned. */
gboolean     fb_semaphore_release      (FbSemaphore         *self);

G_END_DECLS
