/* fb-run-summary.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "fb-run.h"

G_BEGIN_DECLS

#define FB_TYPE_RUN_SUMMARY (fb_run_summary_get_type ())

G_DECLARE_FINAL_TYPE (FbRunSummary, fb_run_summary, FB, RUN_SUMMARY, GtkWidget)

/* Overall progress, counters, elapsed time, throughput and the semaphore
 * ("active M of LIMIT, waiting N") of one run, redrawn at most once a frame. */
GtkWidget  *fb_run_summary_new        (void);
FbRun      *fb_run_summary_get_run    (FbRunSummary *self);
void        fb_run_summary_set_run    (FbRunSummary *self,
                                       FbRun        *run);
/* The run will have @total jobs: a list goes in a slice per turn of the
 * main loop, and the texts are sized for all of it at once, so the summary
 * is not laid out again (with every row under it redrawn) as the slices
 * arrive. A run that grows past it is sized again, as always. */
void        fb_run_summary_expect_total (FbRunSummary *self,
                                         guint         total);
/* The text a part shows now: "progress", "ok", "not-found", "error",
 * "cancelled", "elapsed", "throughput" or "semaphore". */
const char *fb_run_summary_get_text   (FbRunSummary *self,
                                       const char   *part);
double      fb_run_summary_get_fraction (FbRunSummary *self);

G_END_DECLS
