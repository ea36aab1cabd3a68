/* fb-frame-trace.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-frame-trace"

#include "config.h"

#include <time.h>
#ifdef __linux__
#include <sys/resource.h>
#endif

#include "fb-frame-trace.h"

/* A frame busier than this (CPU µs) is printed. */
#define REPORT_US 4000

enum {
  PHASE_BEFORE_PAINT,
  PHASE_UPDATE,
  PHASE_LAYOUT,
  PHASE_PAINT,
  PHASE_END,          /* after-paint: what GTK does after it is little */
  N_PHASES
};

static const char * const signal_names[N_PHASES] = {
  "before-paint", "update", "layout", "paint", "after-paint",
};

static const char * const phase_names[N_PHASES - 1] = {
  "before", "ticks", "layout", "paint",
};

struct _FbFrameTrace
{
  gint64 start;
  gulong hooks[N_PHASES];
  guint  signals[N_PHASES];
  gint64 at[N_PHASES];        /* the thread's CPU time as each phase began */
  gint64 wall[N_PHASES];      /* and the monotonic time, to line up with perf */
  long   faults[N_PHASES];    /* and the thread's minor page faults so far */
  gint64 total[N_PHASES - 1];
  gint64 worst;
  guint  n_frames;
  int    phase;               /* the last phase seen in this frame, or -1 */
};

static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Minor page faults of the calling thread: memory a frame touches for the
 * first time (new buffers, new shared memory for the X server) costs a
 * fault a page, whatever the load of the machine. */
static long
thread_faults (void)
{
#ifdef __linux__
  struct rusage usage;

  if (getrusage (RUSAGE_THREAD, &usage) == 0)
    return usage.ru_minflt;
#endif
  return 0;
}

static void
frame_end (FbFrameTrace *self)
{
  gint64 busy = self->at[PHASE_END] - self->at[PHASE_BEFORE_PAINT];
  GString *line;

  self->n_frames++;
  self->worst = MAX (self->worst, busy);
  for (int i = 0; i < PHASE_END; i++)
    self->total[i] += self->at[i + 1] - self->at[i];
  if (busy < REPORT_US)
    return;

  line = g_string_new (NULL);
  g_string_append_printf (line, "frame at %.3f s (monotonic %.6f s, ticks from %.6f s, "
                          "layout from %.6f s, paint from %.6f s, ends %.6f s): "
                          "%.1f ms on the CPU (",
                          (g_get_monotonic_time () - self->start) / 1e6,
                          self->wall[PHASE_BEFORE_PAINT] / 1e6, self->wall[PHASE_UPDATE] / 1e6,
                          self->wall[PHASE_LAYOUT] / 1e6, self->wall[PHASE_PAINT] / 1e6,
                          self->wall[PHASE_END] / 1e6, busy / 1000.0);
  for (int i = 0; i < PHASE_END; i++)
    g_string_append_printf (line, "%s%s %.1f", i > 0 ? ", " : "", phase_names[i],
                            (self->at[i + 1] - self->at[i]) / 1000.0);
  g_string_append (line, ")");
  /* The wall time of each phase: beyond its CPU time, the waits (X round
   * trips, other threads and processes on the cores). */
  g_string_append_printf (line, "; %.1f ms wall (",
                          (self->wall[PHASE_END] - self->wall[PHASE_BEFORE_PAINT]) / 1000.0);
  for (int i = 0; i < PHASE_END; i++)
    g_string_append_printf (line, "%s%s %.1f", i > 0 ? ", " : "", phase_names[i],
                            (self->wall[i + 1] - self->wall[i]) / 1000.0);
  g_string_append_printf (line, "); %ld page faults (", self->faults[PHASE_END] - self->faults[PHASE_BEFORE_PAINT]);
  for (int i = 0; i < PHASE_END; i++)
    g_string_append_printf (line, "%s%s %ld", i > 0 ? ", " : "", phase_names[i],
                            self->faults[i + 1] - self->faults[i]);
  g_string_append (line, ")\n");
  g_printerr ("%s", line->str);
  g_string_free (line, TRUE);
}

static gboolean
phase_hook (GSignalInvocationHint *hint,
            guint                  n_params,
            const GValue          *params,
            gpointer               user_data)
{
  FbFrameTrace *self = user_data;
  int phase = -1;

  for (int i = 0; i < N_PHASES; i++)
    if (self->signals[i] == hint->signal_id)
      phase = i;
  if (phase < 0)
    return TRUE;

  /* Layout may run more than once in a frame: its first start counts. A
   * phase GTK skips (no layout, no paint) takes no time. */
  if (phase == PHASE_BEFORE_PAINT)
    self->phase = -1;
  if (phase <= self->phase || (phase != PHASE_BEFORE_PAINT && self->phase < 0))
    return TRUE;
  self->at[phase] = thread_cpu_time ();
  self->wall[phase] = g_get_monotonic_time ();
  self->faults[phase] = thread_faults ();
  for (int i = self->phase + 1; i < phase; i++)
    {
      self->at[i] = self->at[phase];
      self->wall[i] = self->wall[phase];
      self->faults[i] = self->faults[phase];
    }
  self->phase = phase;
  if (phase == PHASE_END)
    {
      frame_end (self);
      self->phase = -1;
    }
  return TRUE;
}

FbFrameTrace *
fb_frame_trace_new (gint64 start)
{
  FbFrameTrace *self = g_new0 (FbFrameTrace, 1);
  g_autoptr(GTypeClass) klass = g_type_class_ref (GDK_TYPE_FRAME_CLOCK);

  self->start = start;
  self->phase = -1;
  for (int i = 0; i < N_PHASES; i++)
    {
      self->signals[i] = g_signal_lookup (signal_names[i], GDK_TYPE_FRAME_CLOCK);
      self->hooks[i] = g_signal_add_emission_hook (self->signals[i], 0, phase_hook, self, NULL);
    }
  return self;
}

void
fb_frame_trace_free (FbFrameTrace *self)
{
  if (self == NULL)
    return;

  for (int i = 0; i < N_PHASES; i++)
    g_signal_remove_emission_hook (self->signals[i], self->hooks[i]);
  if (self->n_frames > 0)
    {
      GString *line = g_string_new (NULL);
      gint64 sum = 0;

      for (int i = 0; i < PHASE_END; i++)
        sum += self->total[i];
      g_string_append_printf (line, "frames: %u, busiest %.1f ms, mean %.2f ms on the CPU (",
                              self->n_frames, self->worst / 1000.0,
                              sum / 1000.0 / self->n_frames);
      for (int i = 0; i < PHASE_END; i++)
        g_string_append_printf (line, "%s%s %.2f", i > 0 ? ", " : "", phase_names[i],
                                self->total[i] / 1000.0 / self->n_frames);
      g_string_append (line, ")\n");
      g_printerr ("%s", line->str);
      g_string_free (line, TRUE);
    }
  g_free (self);
}
