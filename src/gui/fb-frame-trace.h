/* fb-frame-trace.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* With FETCHBOARD_STALL_LOG=verbose: every frame that keeps the main thread
 * busy longer than a quarter of a 60 Hz frame is printed with the CPU time
 * of each of its phases (tick callbacks, layout, snapshot and rendering),
 * so that a stall the meter reports can be told apart. With @sizes
 * (FETCHBOARD_STALL_LOG=sizes), also the outermost widgets each frame gave
 * a new size. */
typedef struct _FbFrameTrace FbFrameTrace;

FbFrameTrace *fb_frame_trace_new  (gint64        start,
                                   gboolean      sizes);
void          fb_frame_trace_free (FbFrameTrace *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbFrameTrace, fb_frame_trace_free)

G_END_DECLS
