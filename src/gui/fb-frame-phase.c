/* fb-frame-phase.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fb-frame-phase.h"

#define HALF_US  (FB_FRAME_PHASE_PERIOD_US / 2)
#define FRAME_US (G_USEC_PER_SEC / 60)

gboolean
fb_frame_phase_is (GdkFrameClock *clock,
                   FbFramePhase   phase)
{
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  return (FbFramePhase) ((now / HALF_US) % 2) == phase;
}

guint
fb_frame_phase_wait (gint64       now,
                     FbFramePhase phase)
{
  /* How long ago PHASE last began. */
  gint64 since = (now - (gint64) phase * HALF_US) % FB_FRAME_PHASE_PERIOD_US;

  /* A frame of it is still to come. */
  if (since < HALF_US - FRAME_US)
    return 0;
  return (guint) ((FB_FRAME_PHASE_PERIOD_US - since + 999) / 1000);
}
