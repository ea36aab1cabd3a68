/* fb-window.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "fb-demo-host.h"
#include "fb-host-view.h"
#include "fb-job-details.h"
#include "fb-job-list.h"
#include "fb-preview-dialog.h"
#include "fb-run-summary.h"
#include "fb-run.h"
#include "fb-waterfall.h"

G_BEGIN_DECLS

#define FB_TYPE_WINDOW (fb_window_get_type ())

G_DECLARE_FINAL_TYPE (FbWindow, fb_window, FB, WINDOW, AdwApplicationWindow)

/* @demo_host: where the demo and catalog jobs find the built-in demo
 * server (shared by the application's windows), or NULL for one of its own. */
FbWindow        *fb_window_new                  (GtkApplication *application,
                                                 FbDemoHost     *demo_host);

/* What the GtkDropTarget's ::drop does with a GdkFileList or a string:
 * read it, then show the preview (or start at once, by preference). */
gboolean         fb_window_drop_value           (FbWindow      *self,
                                                 const GValue  *value);
/* Text files with one entry a line, read off the main thread. */
void             fb_window_open_files           (FbWindow      *self,
                                                 GFile        **files,
                                                 guint          n_files);
/* @source names the text in messages ("pasted text"). */
void             fb_window_add_text             (FbWindow      *self,
                                                 const char    *text,
                                                 const char    *source);
/* Queues the 20 most populous countries' flags and a few codes that do not
 * exist against the built-in demo server, and starts. */
void             fb_window_start_demo           (FbWindow      *self);

/* The run shown, or NULL before the first list. */
FbRun           *fb_window_get_run              (FbWindow      *self);
/* A run brought back from the journal: shown as it was, not started. */
void             fb_window_show_run             (FbWindow      *self,
                                                 FbRun         *run);
/* A message in the window's banner (the journal's troubles). */
void             fb_window_show_notice          (FbWindow      *self,
                                                 const char    *message);
/* The question asked before a running run is cancelled or closed, or NULL. */
AdwMessageDialog *fb_window_get_confirmation    (FbWindow      *self);
/* The preview waiting for an answer, or NULL. */
FbPreviewDialog *fb_window_get_preview          (FbWindow      *self);
/* The run-level problem shown in the bar, or NULL when the bar is hidden. */
const char      *fb_window_get_trouble          (FbWindow      *self);
FbRunSummary    *fb_window_get_summary          (FbWindow      *self);
FbJobList       *fb_window_get_job_list         (FbWindow      *self);
/* "wide", "medium" or "narrow": the layout the window's width chose. */
const char      *fb_window_get_width_class      (FbWindow      *self);
/* The waterfall (win.show-waterfall shows it in place of the list). */
FbWaterfall     *fb_window_get_waterfall        (FbWindow      *self);
/* The host view (win.show-hosts, F7, shows it in place of the list). */
FbHostView      *fb_window_get_host_view        (FbWindow      *self);
/* The details pane (win.show-details shows it). */
FbJobDetails    *fb_window_get_details          (FbWindow      *self);
GtkColumnView   *fb_window_get_column_view      (FbWindow      *self);
GtkSpinButton   *fb_window_get_concurrency_spin (FbWindow      *self);
/* "empty" or "jobs" */
const char      *fb_window_get_page             (FbWindow      *self);
/* The run's state under the title: "Running", "Finished", "Cancelled", … */
const char      *fb_window_get_status           (FbWindow      *self);
/* "all", "active", "failed" or "done" */
const char      *fb_window_get_filter           (FbWindow      *self);
void             fb_window_set_filter           (FbWindow      *self,
                                                 const char    *filter);

G_END_DECLS
