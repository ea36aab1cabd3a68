/* fb-queue-place.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "fb-hosts.h"

G_BEGIN_DECLS

/* Places in a run's queue, a deque: jobs join at the tail (in the order
 * they were added) or at the head (a retry, a job its host let go), and
 * leave from anywhere (a cancel). Each has a ticket; its place is counted
 * in O(log n) with two Fenwick trees of tickets still in line, so a list
 * can show "12th in line" on every visible row without a walk of the
 * queue. Refcounted: a queued job keeps its run's places alive. */
typedef struct _FbQueuePlaces FbQueuePlaces;

FbQueuePlaces *fb_queue_places_new        (void);
FbQueuePlaces *fb_queue_places_ref        (FbQueuePlaces *self);
void           fb_queue_places_unref      (FbQueuePlaces *self);

/* Returns the new entry's ticket (never 0; up to 2^31 entries an end). */
guint32        fb_queue_places_join       (FbQueuePlaces *self,
                                           gboolean       at_head);
void           fb_queue_places_leave      (FbQueuePlaces *self,
                                           guint32        ticket);
/* 1 for the head; 0 for a ticket no longer in line. */
guint          fb_queue_places_get        (FbQueuePlaces *self,
                                           guint32        ticket);
guint          fb_queue_places_get_length (FbQueuePlaces *self);
/* The run's hosts (borrowed; the run clears it before it frees them), for
 * a job that waits for its host to tell its limit and hold. */
void           fb_queue_places_set_hosts  (FbQueuePlaces *self,
                                           FbHosts       *hosts);
FbHosts       *fb_queue_places_get_hosts  (FbQueuePlaces *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbQueuePlaces, fb_queue_places_unref)

G_END_DECLS
