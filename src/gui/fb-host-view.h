/* fb-host-view.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "fb-run.h"

G_BEGIN_DECLS

#define FB_TYPE_HOST_VIEW (fb_host_view_get_type ())

G_DECLARE_FINAL_TYPE (FbHostView, fb_host_view, FB, HOST_VIEW, GtkWidget)

/* One row per host of a run: its jobs active, waiting, done and failed,
 * bytes per second, the per-host limit and any Retry-After hold. It reads
 * the run's counts four times a second while it is shown (never per
 * event), and nothing while hidden. */
GtkWidget  *fb_host_view_new          (void);
void        fb_host_view_set_run      (FbHostView *self,
                                       FbRun      *run);
/* Reads the run now (the tests' way of not waiting for the timer). */
void        fb_host_view_refresh      (FbHostView *self);
guint       fb_host_view_get_n_hosts  (FbHostView *self);
/* The row of @host ("host:port"): its title and subtitle, or NULL. */
const char *fb_host_view_get_summary  (FbHostView *self,
                                       const char *host);

G_END_DECLS
