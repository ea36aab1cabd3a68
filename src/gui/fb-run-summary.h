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
/* The text a part shows now: "progress", "ok", "not-found", "error",
 * "cancelled", "elapsed", "throughput" or "semaphore". */
const char *fb_run_summary_get_text   (FbRunSummary *self,
                                       const char   *part);
double      fb_run_summary_get_fraction (FbRunSummary *self);

G_END_DECLS
