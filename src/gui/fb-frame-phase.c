/* fb-frame-phase.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fb-frame-phase.h"

#define HALF_US  (FB_FRAME_PHASE_PERIOD_US / 2)
#define FRAME_US (G_USEC_PER_SEC / 60)

/* How long ago, at the monotonic time NOW, PHASE last began: it lasts
 * while this is under half a period. */
static gint64
since_begun (gint64       now,
             FbFramePhase phase)
{
  return (now - (gint64) phase * HALF_US) % FB_FRAME_PHASE_PERIOD_US;
}

gboolean
fb_frame_phase_is (GdkFrameClock *clock,
                   FbFramePhase   phase)
{
  return since_begun (gdk_frame_clock_get_frame_time (clock), phase) < HALF_US;
}

guint
fb_frame_phase_wait (gint64       now,
                     FbFramePhase phase)
{
  gint64 since = since_begun (now, phase);

  /* A frame of it is still to come. */
  if (since < HALF_US - FRAME_US)
    return 0;
  return (guint) ((FB_FRAME_PHASE_PERIOD_US - since + 999) / 1000);
}
