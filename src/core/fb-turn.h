/* fb-turn.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Work that comes in bursts (a thousand read timeouts due in the same
 * millisecond, each freeing a slot that starts the next job) is done a few
 * milliseconds per main-loop turn: the turn ends, and a window sharing the
 * loop gets its input and frames in between. */

/* How long one turn may spend on such work, counted from the moment the
 * loop woke from poll. */
#define FB_TURN_BUDGET_US 4000
/* How many pieces a turn may always do, however long it has run: whatever
 * else keeps the loop busy, deferred work still moves. */
#define FB_TURN_MIN_GRANTS 8

/* TRUE when the calling thread's main-loop turn (on its thread-default
 * context) may do one more piece of bursty work; the caller then does it,
 * or leaves it for a later turn (an idle that stays ready). */
gboolean fb_turn_grant (void);

G_END_DECLS
