/* fb-stall-meter.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-stall-meter"

#include "config.h"

#include "fb-stall-meter.h"

#include <time.h>

#define INTERVAL_MS 5
/* One frame at 60 Hz. */
#define FRAME_US    16667

struct _FbStallMeter
{
  GSource *source;
  gint64   start;
  gint64   last;
  gint64   worst;
  gint64   last_cpu;
  gint64   worst_cpu;
  gint64   cpu_checked;   /* the thread's CPU time when the last poll returned */
  gint64   worst_busy;
  GSource *turns;
  guint    n_over_frame;
  guint    verbose : 1;
  guint    checked : 1;
};

typedef struct
{
  GSource       source;
  FbStallMeter *meter;
} TurnSource;

/* CPU time of the calling thread, in µs. */
gint64
fb_stall_meter_thread_cpu_time (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
tick_cb (gpointer user_data)
{
  FbStallMeter *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = fb_stall_meter_thread_cpu_time ();
  gint64 late = now - self->last - INTERVAL_MS * 1000;

  if (late > self->worst)
    self->worst = late;
  /* The main loop's own work in that gap, whatever else the machine ran. */
  if (late > 0 && cpu - self->last_cpu > self->worst_cpu)
    self->worst_cpu = cpu - self->last_cpu;
  self->last_cpu = cpu;
  if (late > FRAME_US)
    {
      self->n_over_frame++;
      if (self->verbose)
        g_printerr ("stall at %.3f s (monotonic %.6f s): %.1f ms\n",
                    (now - self->start) / 1e6, now / 1e6, late / 1000.0);
    }
  self->last = now;
  return G_SOURCE_CONTINUE;
}

/* A turn of the loop is what it dispatches between the end of one poll
 * (every source's check) and the next prepare; the CPU time the thread
 * used in one turn is the loop's own work, without the time it waited for
 * a core. Highest priority, so that it is always prepared and checked. */
static gboolean
turn_prepare (GSource *source,
              gint    *timeout)
{
  FbStallMeter *self = ((TurnSource *) source)->meter;

  if (self->checked)
    {
      gint64 busy = fb_stall_meter_thread_cpu_time () - self->cpu_checked;

      if (busy > self->worst_busy)
        self->worst_busy = busy;
      if (busy > FRAME_US / 4 && self->verbose)
        g_printerr ("busy turn at %.3f s: %.1f ms on the CPU\n",
                    (g_get_monotonic_time () - self->start) / 1e6, busy / 1000.0);
      self->checked = FALSE;
    }
  *timeout = -1;
  return FALSE;
}

static gboolean
turn_check (GSource *source)
{
  FbStallMeter *self = ((TurnSource *) source)->meter;

  self->cpu_checked = fb_stall_meter_thread_cpu_time ();
  self->checked = TRUE;
  return FALSE;
}

static GSourceFuncs turn_funcs = {
  .prepare = turn_prepare,
  .check = turn_check,
};

FbStallMeter *
fb_stall_meter_new (GMainContext *context)
{
  FbStallMeter *self = g_new0 (FbStallMeter, 1);

  /* High priority: it runs as soon as the loop gets back to polling, so a
   * late tick means the loop was busy, not that others went first. */
  self->source = g_timeout_source_new (INTERVAL_MS);
  g_source_set_priority (self->source, G_PRIORITY_HIGH);
  g_source_set_name (self->source, "[fetchboard] stall meter");
  g_source_set_callback (self->source, tick_cb, self, NULL);
  self->last = self->start = g_get_monotonic_time ();
  self->last_cpu = fb_stall_meter_thread_cpu_time ();
  g_source_attach (self->source, context);
  self->turns = g_source_new (&turn_funcs, sizeof (TurnSource));
  ((TurnSource *) self->turns)->meter = self;
  g_source_set_priority (self->turns, G_PRIORITY_HIGH - 100);
  g_source_set_name (self->turns, "[fetchboard] stall meter turns");
  g_source_attach (self->turns, context);
  return self;
}

gint64
fb_stall_meter_get_worst (FbStallMeter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return MAX (0, self->worst);
}

gint64
fb_stall_meter_get_worst_cpu (FbStallMeter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->worst_cpu;
}

gint64
fb_stall_meter_get_worst_busy (FbStallMeter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return MAX (0, self->worst_busy);
}

guint
fb_stall_meter_get_n_over_frame (FbStallMeter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_over_frame;
}

void
fb_stall_meter_set_verbose (FbStallMeter *self,
                            gboolean      verbose)
{
  g_return_if_fail (self != NULL);
  self->verbose = !!verbose;
}

void
fb_stall_meter_free (FbStallMeter *self)
{
  if (self == NULL)
    return;
  g_source_destroy (self->source);
  g_source_unref (self->source);
  g_source_destroy (self->turns);
  g_source_unref (self->turns);
  g_free (self);
}
