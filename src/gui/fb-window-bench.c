/* fb-window-bench.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What bench/window-stall.sh reads and sets in a window: the stall meter
 * (FETCHBOARD_STALL_LOG) and the view the window opens in
 * (FETCHBOARD_BENCH_VIEW). Nothing here runs unless they are set.
 */

#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include "fb-window-private.h"

/* The stall meter */

static void
stall_begin_now (FbWindow *self)
{
  const char *env = g_getenv ("FETCHBOARD_STALL_LOG");

  if (env == NULL || *env == '\0' || g_str_equal (env, "0") || self->stall_meter != NULL)
    return;
  self->stall_meter = fb_stall_meter_new (NULL);
  self->stall_cpu_start = fb_stall_meter_thread_cpu_time ();
  self->stall_wall_start = g_get_monotonic_time ();
  fb_stall_meter_set_verbose (self->stall_meter,
                              g_str_equal (env, "verbose") || g_str_equal (env, "sizes"));
  if (g_str_equal (env, "verbose") || g_str_equal (env, "sizes"))
    self->frame_trace = fb_frame_trace_new (g_get_monotonic_time (), g_str_equal (env, "sizes"));
}

void
_fb_window_stall_end (FbWindow   *self,
                      const char *when)
{
  if (self->stall_meter == NULL)
    return;

  g_clear_pointer (&self->frame_trace, fb_frame_trace_free);
  g_printerr ("fetchboard: longest main-loop stall %s: %.1f ms (%u over 16.7 ms; "
              "busiest gap %.1f ms of CPU; main thread %.0f ms of CPU in %.2f s)\n",
              when, fb_stall_meter_get_worst (self->stall_meter) / 1000.0,
              fb_stall_meter_get_n_over_frame (self->stall_meter),
              fb_stall_meter_get_worst_cpu (self->stall_meter) / 1000.0,
              (fb_stall_meter_thread_cpu_time () - self->stall_cpu_start) / 1000.0,
              (g_get_monotonic_time () - self->stall_wall_start) / 1e6);
  g_clear_pointer (&self->stall_meter, fb_stall_meter_free);
}

/* With FETCHBOARD_STALL_LOG=1, the run's longest main-loop stall is
 * measured from the window's first frame on: creating the window and
 * compiling its shaders are not part of any run. */
void
_fb_window_stall_begin (FbWindow *self)
{
  if (self->painted)
    stall_begin_now (self);
  else
    self->stall_wanted = TRUE;
}

void
_fb_window_stall_painted (FbWindow *self)
{
  if (self->stall_wanted)
    stall_begin_now (self);
  self->stall_wanted = FALSE;
}

/* For bench/window-stall.sh: FETCHBOARD_BENCH_VIEW="sort=state filter=active
 * details" opens the window in that view, to measure the stalls a person
 * would see there. */
void
_fb_window_apply_bench_view (FbWindow *self)
{
  const char *view = g_getenv ("FETCHBOARD_BENCH_VIEW");
  g_auto(GStrv) words = NULL;

  if (view == NULL || *view == '\0')
    return;
  words = g_strsplit_set (view, " ,", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_str_has_prefix (words[i], "sort="))
        {
          g_autoptr(GEnumClass) columns = g_type_class_ref (FB_TYPE_JOB_COLUMN);
          GEnumValue *column = g_enum_get_value_by_nick (columns, words[i] + 5);

          if (column != NULL)
            fb_job_list_sort_by (self->job_list, column->value, FALSE);
        }
      else if (g_str_has_prefix (words[i], "filter="))
        fb_window_set_filter (self, words[i] + 7);
      else if (g_str_equal (words[i], "details"))
        g_object_set (self, "show-details", TRUE, NULL);
      else if (g_str_equal (words[i], "waterfall"))
        g_object_set (self, "show-waterfall", TRUE, NULL);
      else if (g_str_equal (words[i], "hosts"))
        g_object_set (self, "show-hosts", TRUE, NULL);
      else if (g_str_equal (words[i], "switch"))
        fb_job_list_bench_switches (self->job_list);
    }
}
