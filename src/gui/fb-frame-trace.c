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
/* Widgets whose size changed, printed a frame at most (the rest counted). */
#define SIZES_PRINTED 8

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
  GHashTable *sizes;          /* with sizes: widget → its width and height at the last frame */
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

/* A widget is a key of the table as long as it was there at the last frame;
 * one freed and another made at its address since looks resized, not new. */
static void
walk_sizes (GtkWidget  *widget,
            GHashTable *before,
            GHashTable *now,
            gboolean    parent_changed,
            GString    *out,
            guint      *n_changed,
            guint      *n_printed)
{
  guint32 size = ((guint32) gtk_widget_get_width (widget) << 16) |
                 ((guint32) gtk_widget_get_height (widget) & 0xffff);
  gpointer old = NULL;
  gboolean known = g_hash_table_lookup_extended (before, widget, NULL, &old);
  gboolean changed = gtk_widget_get_mapped (widget) && (!known || GPOINTER_TO_UINT (old) != size);

  g_hash_table_insert (now, widget, GUINT_TO_POINTER (size));
  if (changed)
    {
      (*n_changed)++;
      /* The outermost widgets that changed: their insides follow them. */
      if (!parent_changed && (*n_printed)++ < SIZES_PRINTED)
        {
          g_string_append_printf (out, "  %s (%s) %ux%u", G_OBJECT_TYPE_NAME (widget),
                                  gtk_widget_get_css_name (widget), size >> 16, size & 0xffff);
          if (known)
            g_string_append_printf (out, ", was %ux%u\n",
                                    GPOINTER_TO_UINT (old) >> 16, GPOINTER_TO_UINT (old) & 0xffff);
          else
            g_string_append (out, ", new\n");
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk_sizes (child, before, now, changed, out, n_changed, n_printed);
}

/* FETCHBOARD_STALL_LOG=sizes: which widgets a frame gave a new size. A size
 * that changes lays out (and often draws) all that is around it again; the
 * walk itself costs about 0.5 ms a frame for the 4,000 widgets of a busy
 * window, so figures are not measured with it. */
static void
report_sizes (FbFrameTrace *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GHashTable *now = g_hash_table_new (NULL, NULL);
  GString *out = g_string_new (NULL);
  guint n_changed = 0;
  guint n_printed = 0;
  gboolean first = g_hash_table_size (self->sizes) == 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      walk_sizes (toplevel, self->sizes, now, FALSE, out, &n_changed, &n_printed);
    }
  g_hash_table_unref (self->sizes);
  self->sizes = now;
  if (n_changed > 0 && !first)
    g_printerr ("sizes at %.3f s: %u widgets changed size (%u shown)\n%s",
                (g_get_monotonic_time () - self->start) / 1e6, n_changed,
                MIN (n_printed, SIZES_PRINTED), out->str);
  g_string_free (out, TRUE);
}

static void
frame_end (FbFrameTrace *self)
{
  gint64 busy = self->at[PHASE_END] - self->at[PHASE_BEFORE_PAINT];
  GString *line;

  if (self->sizes != NULL)
    report_sizes (self);

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
fb_frame_trace_new (gint64   start,
                    gboolean sizes)
{
  FbFrameTrace *self = g_new0 (FbFrameTrace, 1);
  g_autoptr(GTypeClass) klass = g_type_class_ref (GDK_TYPE_FRAME_CLOCK);

  self->start = start;
  self->phase = -1;
  if (sizes)
    {
      /* The sizes before the first frame traced, to compare it with. */
      self->sizes = g_hash_table_new (NULL, NULL);
      report_sizes (self);
    }
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
  g_clear_pointer (&self->sizes, g_hash_table_unref);
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
