/* fb-timeline.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "fb-run.h"

G_BEGIN_DECLS

#define FB_TYPE_TIMELINE (fb_timeline_get_type ())

G_DECLARE_FINAL_TYPE (FbTimeline, fb_timeline, FB, TIMELINE, GtkWidget)

/* What ran when: for each slice of the run's time, how many jobs held a
 * slot (an area), the semaphore's limit (a line) and how many jobs ended
 * in each state (stacked bars). Sampled on the frame clock, so its cost
 * does not grow with the number of jobs. */
GtkWidget *fb_timeline_new          (void);
FbRun     *fb_timeline_get_run      (FbTimeline *self);
void       fb_timeline_set_run      (FbTimeline *self,
                                     FbRun      *run);
/* Slices recorded so far (for tests). */
guint      fb_timeline_get_n_slices (FbTimeline *self);
guint      fb_timeline_get_peak_active (FbTimeline *self);
/* The height @active jobs stand at, as a fraction of the lanes' (for tests). */
double     fb_timeline_get_level    (FbTimeline *self,
                                     guint       active);

G_END_DECLS
