/* fb-frame-phase.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fb-frame-phase.h"

gboolean
fb_frame_phase_is (GdkFrameClock *clock,
                   FbFramePhase   phase)
{
  gint64 half = FB_FRAME_PHASE_PERIOD_US / 2;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  return (FbFramePhase) ((now / half) % 2) == phase;
}
