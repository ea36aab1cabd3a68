/* fb-stall-meter.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FbStallMeter FbStallMeter;

/* Measures how late the main context dispatches a 5 ms timer: the longest
 * gap is the longest main-loop stall. Enabled by FETCHBOARD_STALL_LOG=1 in
 * the programs (=verbose also prints each stall longer than a frame); tests
 * and benchmarks use it directly. */
FbStallMeter *fb_stall_meter_new              (GMainContext *context);
/* Longest stall seen, in µs (gap beyond the timer's interval). */
gint64        fb_stall_meter_get_worst        (FbStallMeter *self);
/* The most CPU time the main loop's thread spent between two ticks that
 * came late, in µs: the stall without what other processes took from it,
 * to compare builds on a busy machine. */
gint64        fb_stall_meter_get_worst_cpu    (FbStallMeter *self);
/* The longest turn of the loop (what it dispatched after one poll) in the
 * CPU time of the thread that iterates it, in µs: the loop's own work,
 * without the time the thread waited for a core on a loaded machine. */
gint64        fb_stall_meter_get_worst_busy   (FbStallMeter *self);
/* How many stalls were longer than one frame at 60 Hz. */
guint         fb_stall_meter_get_n_over_frame (FbStallMeter *self);
/* Print each stall longer than one frame as it happens. */
void          fb_stall_meter_set_verbose      (FbStallMeter *self,
                                               gboolean      verbose);
void          fb_stall_meter_free             (FbStallMeter *self);
/* The calling thread's CPU time, in µs. */
gint64        fb_stall_meter_thread_cpu_time  (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbStallMeter, fb_stall_meter_free)

G_END_DECLS
