/* fb-cli-progress.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-run.h"

G_BEGIN_DECLS

typedef struct _FbCliProgress FbCliProgress;

/* One live line on a terminal (tqdm-like), redrawn from a GLib timeout at
 * most every @interval_ms from the run's counters. @fd must be a terminal. */
FbCliProgress *fb_cli_progress_new    (FbRun         *run,
                                       int            fd,
                                       guint          interval_ms);
/* Erases the line; the next tick draws it again (call before printing). */
void           fb_cli_progress_clear  (FbCliProgress *self);
/* Erases the line and stops redrawing. */
void           fb_cli_progress_free   (FbCliProgress *self);

/* " 45%|████▌     | 87/194 [00:01<00:01, 87.0/s]" fitted to @width columns. */
char          *fb_cli_progress_format (guint          done,
                                       guint          total,
                                       gint64         elapsed_us,
                                       guint          width,
                                       gboolean       unicode);
/* "01:05", or "1:01:05" from one hour on. */
char          *fb_cli_progress_format_time (gint64    seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbCliProgress, fb_cli_progress_free)

G_END_DECLS
