/* fb-frame-phase.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The two parts of the window that change by themselves during a busy run:
 * the job list's cells, and the run's summary and timeline above them.
 * Changed in the same frame, they are one damaged rectangle from the top of
 * the summary to the bottom of the list, which GTK 4.8's cairo renderer
 * allocates, clears and copies to the X server whole. Each part changes in
 * its own half of every FB_FRAME_PHASE_PERIOD_US instead, so a frame
 * redraws one of them, and neither waits more than half a period. */
typedef enum {
  FB_FRAME_PHASE_LIST,
  FB_FRAME_PHASE_SUMMARY,
} FbFramePhase;

#define FB_FRAME_PHASE_PERIOD_US (G_USEC_PER_SEC / 10)

/* Whether the frame CLOCK is drawing belongs to PHASE. */
gboolean fb_frame_phase_is   (GdkFrameClock *clock,
                              FbFramePhase   phase);
/* For a change made between frames (from a timeout): the milliseconds from
 * the monotonic time NOW until PHASE next begins, or 0 while a frame of it
 * is still to come, so that the frame the change shows in is one of
 * PHASE's. */
guint    fb_frame_phase_wait (gint64         now,
                              FbFramePhase   phase);

G_END_DECLS
