/* fb-window-private.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-demo-host.h"
#include "fb-input.h"
#include "fb-job-details.h"
#include "fb-intake.h"
#include "fb-job-list.h"
#include "fb-frame-trace.h"
#include "fb-stall-meter.h"
#include "fb-timeline.h"
#include "fb-waterfall.h"
#include "fb-window.h"

G_BEGIN_DECLS

struct _FbWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkAdjustment        *concurrency_adjustment;
  GtkSpinButton        *concurrency_spin;
  GtkWidget            *concurrency_box;
  GtkWidget            *destination_button;
  GtkLabel             *destination_label;
  GtkRevealer          *trouble_revealer;
  GtkLabel             *trouble_label;
  GtkButton            *trouble_button;
  GtkStack             *stack;
  GtkWidget            *demo_button;
  FbRunSummary         *summary;
  FbTimeline           *timeline;
  GtkLabel             *shown_label;
  GtkWidget            *filter_box;
  AdwSqueezer          *filter_squeezer;
  GtkStack             *list_stack;
  FbJobList            *job_list;
  FbWaterfall          *waterfall;
  FbHostView           *host_view;
  GtkRevealer          *details_revealer;
  FbJobDetails         *details;

  /* Owned references */
  GSettings            *settings;
  GCancellable         *cancellable;
  FbDemoHost           *demo_host;
  FbRun                *run;
  FbIntake             *intake;
  FbInputFeed          *feed;             /* a long list still going into the run */
  GtkFileChooserNative *chooser;
  FbStallMeter         *stall_meter;
  FbFrameTrace         *frame_trace;    /* with the meter, when verbose */
  GPtrArray            *icons;            /* the jobs page's, loaded before it shows */
  gint64                stall_cpu_start;
  gint64                stall_wall_start;

  /* Borrowed */
  AdwMessageDialog     *confirm;          /* weak: asking before a run is thrown away */

  guint                 feed_id;
  guint                 job_actions_id;
  guint                 close_timeout_id;
  gint64                last_space_check;
  guint                 n_writing_jobs;
  guint                 layout_id;
  int                   width_class;      /* WIDTH_* the layout follows */

  guint                 started : 1;
  guint                 painted : 1;
  guint                 stall_wanted : 1;
  guint                 checking_destination : 1;
  guint                 closing : 1;
  guint                 close_confirmed : 1;
};

/* fb-window.c */
void     _fb_window_show_toast     (FbWindow   *self,
                                    const char *message);
void     _fb_window_show_trouble   (FbWindow   *self,
                                    const char *message,
                                    const char *button_label,
                                    const char *action_name);
void     _fb_window_hide_trouble   (FbWindow   *self);
gboolean _fb_window_is_running     (FbWindow   *self);
void     _fb_window_update_actions (FbWindow   *self);
void     _fb_window_start_run      (FbWindow   *self);
void     _fb_window_cancel_run     (FbWindow   *self);
/* The journal records the run: closing the window stops it to be
 * continued next time, keeping its partial downloads. */
gboolean _fb_window_run_is_recorded (FbWindow  *self);
void     _fb_window_set_run        (FbWindow   *self,
                                    FbRun      *run);
void     _fb_window_mark_started   (FbWindow   *self);

/* fb-window-bench.c: for bench/window-stall.sh */
void     _fb_window_stall_begin      (FbWindow   *self);
/* the window's first frame is drawn */
void     _fb_window_stall_painted    (FbWindow   *self);
void     _fb_window_stall_end        (FbWindow   *self,
                                      const char *when);
void     _fb_window_apply_bench_view (FbWindow   *self);

/* fb-window-actions.c */
void     _fb_window_class_actions_init (GtkWidgetClass *widget_class);
void     _fb_window_actions_init       (FbWindow       *self);
void     _fb_window_update_job_actions (FbWindow       *self);
void     _fb_window_schedule_job_actions (FbWindow     *self);
void     _fb_window_open_job           (FbWindow       *self,
                                        FbJob          *job);
/* Asks before a running run is cancelled (@closing: and the window
 * closed); the answer does it. */
void     _fb_window_confirm_stop       (FbWindow       *self,
                                        gboolean        closing);

G_END_DECLS
