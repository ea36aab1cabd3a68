/* fb-deadline.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A timer that is not a GSource of its own. Every deadline of a main
 * context shares one source that keeps them in a heap and wakes at the
 * earliest: a run at concurrency 1000 has a deadline per fetch, and GLib
 * looks at every attached source twice in every iteration of the loop
 * (prepare and check), which had cost the window's main thread about a
 * fifth of its time (with the connection probes, which stay GSources).
 * One dispatch calls every deadline that is due, in time order.
 *
 * A deadline belongs to the thread that runs its context: it is made, set
 * and freed there, and its function runs there. */

typedef struct _FbDeadline FbDeadline;

/* Called once when the deadline comes due; the deadline is then unset. The
 * function may set it again or free it (and may make, set or free others). */
typedef void (*FbDeadlineFunc) (gpointer user_data);

FbDeadline *fb_deadline_new            (GMainContext   *context,
                                        FbDeadlineFunc  func,
                                        gpointer        user_data);
/* When to call the function, on the monotonic clock (µs), or -1: never.
 * A time already past calls it in the next iteration of the loop. */
void        fb_deadline_set            (FbDeadline     *self,
                                        gint64          ready_time);
/* fb_deadline_set (self, now + ms). */
void        fb_deadline_set_in_ms      (FbDeadline     *self,
                                        guint           ms);
gint64      fb_deadline_get            (FbDeadline     *self);
void        fb_deadline_free           (FbDeadline     *self);

/* How many deadlines share the context's source, set or not (for tests). */
guint       fb_deadline_count_for_test (GMainContext   *context);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbDeadline, fb_deadline_free)

G_END_DECLS
