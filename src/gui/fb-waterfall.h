/* fb-waterfall.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FB_TYPE_WATERFALL (fb_waterfall_get_type ())

G_DECLARE_FINAL_TYPE (FbWaterfall, fb_waterfall, FB, WATERFALL, GtkWidget)

/* A browser-network-panel view of a run: one bar per job, from the time it
 * was queued to its final state, split by phase (waiting for a slot, DNS,
 * connecting and waiting for the answer, transfer, save), on a labelled
 * time axis. Only the rows in view are drawn, so 100,000 jobs cost what 40
 * do; Ctrl+scroll (or +/-) zooms the time axis. The rows follow @jobs, a
 * GListModel of FbJob (the job list's sorted, filtered model). */
GtkWidget *fb_waterfall_new        (void);
void       fb_waterfall_set_jobs   (FbWaterfall *self,
                                    GListModel  *jobs);
/* Rows the last frame drew (for the tests: never the whole list). */
guint      fb_waterfall_get_n_drawn (FbWaterfall *self);
/* Time-axis zoom: 1 shows the whole run, 2 half of it, … */
double     fb_waterfall_get_zoom   (FbWaterfall *self);
void       fb_waterfall_set_zoom   (FbWaterfall *self,
                                    double       zoom);

G_END_DECLS
