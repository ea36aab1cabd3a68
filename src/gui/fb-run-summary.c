/* fb-run-summary.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-run-summary"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-format.h"
#include "fb-run-summary.h"

#define LIVE_INTERVAL (G_USEC_PER_SEC / 4)
/* Counters change with every finished job: with a thousand jobs at once
 * that is every frame, and each new text lays the whole window out again
 * (a third of each frame's CPU in a 10,000-job run). Ten times a second
 * reads as live, as tqdm's does; the state at the end shows at once. */
#define BUSY_INTERVAL (G_USEC_PER_SEC / 10)

struct _FbRunSummary
{
  GtkWidget       parent_instance;

  GtkWidget      *box;
  GtkFlowBox     *counters;
  GtkProgressBar *progress_bar;
  GtkLabel       *progress_label;
  GtkLabel       *ok_label;
  GtkLabel       *not_found_label;
  GtkLabel       *error_label;
  GtkLabel       *cancelled_label;
  GtkLabel       *elapsed_label;
  GtkLabel       *throughput_label;
  GtkLabel       *semaphore_label;

  FbRun          *run;
  gulong          notify_id;
  guint           tick_id;
  gint64          last_refresh;

  guint           dirty : 1;
};

G_DEFINE_FINAL_TYPE (FbRunSummary, fb_run_summary, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RUN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_label (GtkLabel   *label,
           const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

static void
set_count (GtkLabel   *label,
           guint       count,
           const char *text)
{
  GtkWidget *counter = gtk_widget_get_parent (GTK_WIDGET (label));

  set_label (label, text);
  /* Zero counters fade so the ones that matter stand out. */
  gtk_widget_set_opacity (counter, count > 0 ? 1.0 : 0.55);
}

static void
refresh (FbRunSummary *self)
{
  FbRun *run = self->run;
  guint total;
  guint finished;
  guint cancelled;
  guint completed;
  guint active;
  guint limit;
  guint n;
  gint64 elapsed;
  double seconds;
  g_autofree char *n_total = NULL;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;

  if (run == NULL)
    return;

  total = fb_run_get_total (run);
  finished = fb_run_get_n_finished (run);
  cancelled = fb_run_get_n_cancelled (run);
  completed = finished - cancelled;
  n_total = fb_format_count (total);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? finished / (double) total : 0.0);
  if (cancelled > 0)
    {
      g_autofree char *n_completed = fb_format_count (completed);
      g_autofree char *n_cancelled = fb_format_count (cancelled);

      /* Translators: overall progress of a run with cancelled jobs,
       * “4,322 of 10,000 finished, 5,678 cancelled” */
      text = g_strdup_printf (ngettext ("%s of %s finished, %s cancelled",
                                        "%s of %s finished, %s cancelled", total),
                              n_completed, n_total, n_cancelled);
    }
  else
    {
      g_autofree char *n_finished = fb_format_count (finished);

      /* Translators: overall progress of a run, “12 of 200 finished” */
      text = g_strdup_printf (ngettext ("%s of %s finished", "%s of %s finished", total),
                              n_finished, n_total);
    }
  set_label (self->progress_label, text);
  g_clear_pointer (&text, g_free);

  n = fb_run_get_n_ok (run);
  count = fb_format_count (n);
  text = g_strdup_printf (ngettext ("%s OK", "%s OK", n), count);
  set_count (self->ok_label, n, text);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&count, g_free);

  n = fb_run_get_n_not_found (run);
  count = fb_format_count (n);
  text = g_strdup_printf (ngettext ("%s not found", "%s not found", n), count);
  set_count (self->not_found_label, n, text);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&count, g_free);

  n = fb_run_get_n_error (run);
  count = fb_format_count (n);
  text = g_strdup_printf (ngettext ("%s error", "%s errors", n), count);
  set_count (self->error_label, n, text);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&count, g_free);

  count = fb_format_count (cancelled);
  text = g_strdup_printf (ngettext ("%s cancelled", "%s cancelled", cancelled), count);
  set_count (self->cancelled_label, cancelled, text);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&count, g_free);

  /* Elapsed covers every period the run ran (a retry adds one), so the
   * rates below are over the same time as the jobs they count. */
  elapsed = fb_run_get_elapsed (run);
  if (elapsed > 0 && fb_run_get_running (run) && completed > 0 && finished < total)
    {
      g_autofree char *duration = fb_format_duration (elapsed);
      /* The rest at the rate so far: a guess, and it says so. */
      gint64 left = (gint64) ((double) elapsed * (total - finished) / completed);
      g_autofree char *eta = fb_format_duration (left);

      /* Translators: how long the run has been going, then a guess of what is left */
      text = g_strdup_printf (_("Elapsed %s, about %s left"), duration, eta);
    }
  else if (elapsed > 0)
    {
      g_autofree char *duration = fb_format_duration (elapsed);
      /* Translators: how long the run has been going */
      text = g_strdup_printf (_("Elapsed %s"), duration);
    }
  else
    text = g_strdup (_("Not started"));
  set_label (self->elapsed_label, text);
  g_clear_pointer (&text, g_free);

  /* Cancelled jobs are not work done: they count in no rate. */
  seconds = elapsed / (double) G_USEC_PER_SEC;
  if (seconds > 0.05)
    {
      g_autofree char *speed = fb_format_speed (fb_run_get_bytes_received (run) / seconds);

      g_autofree char *received = g_format_size (fb_run_get_bytes_received (run));

      /* Translators: throughput: a transfer rate, then finished jobs per
       * second, then all the bytes received */
      text = g_strdup_printf (_("%s · %.1f jobs/s · %s in all"), *speed != '\0' ? speed : "0 B/s",
                              completed / seconds, received);
    }
  else
    text = g_strdup ("");
  set_label (self->throughput_label, text);
  g_clear_pointer (&text, g_free);

  active = fb_run_get_active (run);
  limit = fb_run_get_max_concurrency (run);
  if ((fb_run_get_running (run) || elapsed > 0) && active > limit)
    /* Translators: the semaphore after the limit was lowered: jobs holding
     * a slot, the new limit, how many of them finish above it, jobs waiting */
    text = g_strdup_printf (ngettext ("Active %u of %u (%u finishing above the new limit), "
                                      "waiting %u",
                                      "Active %u of %u (%u finishing above the new limit), "
                                      "waiting %u", active - limit),
                            active, limit, active - limit, fb_run_get_waiting (run));
  else if (fb_run_get_running (run) || elapsed > 0)
    /* Translators: the semaphore: jobs holding a slot, the limit, jobs waiting for a slot */
    text = g_strdup_printf (_("Active %u of %u, waiting %u"), active, limit,
                            fb_run_get_waiting (run));
  else
    /* Translators: before the run starts: how many jobs at most will run at once */
    text = g_strdup_printf (_("Up to %u at once"), limit);
  set_label (self->semaphore_label, text);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  FbRunSummary *self = FB_RUN_SUMMARY (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  gboolean live = self->run != NULL && fb_run_get_running (self->run);
  gint64 since = now - self->last_refresh;

  if ((self->dirty && (!live || since >= BUSY_INTERVAL)) || (live && since >= LIVE_INTERVAL))
    {
      refresh (self);
      self->dirty = FALSE;
      self->last_refresh = now;
    }

  if (!live)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
run_notify_cb (FbRun        *run,
               GParamSpec   *pspec,
               FbRunSummary *self)
{
  self->dirty = TRUE;
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static void
fb_run_summary_dispose (GObject *object)
{
  FbRunSummary *self = FB_RUN_SUMMARY (object);

  fb_run_summary_set_run (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), FB_TYPE_RUN_SUMMARY);

  G_OBJECT_CLASS (fb_run_summary_parent_class)->dispose (object);
}

static void
fb_run_summary_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FbRunSummary *self = FB_RUN_SUMMARY (object);

  switch (prop_id)
    {
    case PROP_RUN:
      g_value_set_object (value, self->run);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_run_summary_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  FbRunSummary *self = FB_RUN_SUMMARY (object);

  switch (prop_id)
    {
    case PROP_RUN:
      fb_run_summary_set_run (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_run_summary_class_init (FbRunSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fb_run_summary_dispose;
  object_class->get_property = fb_run_summary_get_property;
  object_class->set_property = fb_run_summary_set_property;

  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL,
                         FB_TYPE_RUN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fetchboard/Fetchboard/fb-run-summary.ui");
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, box);
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, counters);
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, progress_label);
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, ok_label);
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, not_found_label);
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, error_label);
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, cancelled_label);
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, elapsed_label);
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, throughput_label);
  gtk_widget_class_bind_template_child (widget_class, FbRunSummary, semaphore_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "fbrunsummary");
}

static void
fb_run_summary_init (FbRunSummary *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The counters wrap on a narrow window; they are text, not stops for Tab. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->counters));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);
}

GtkWidget *
fb_run_summary_new (void)
{
  return g_object_new (FB_TYPE_RUN_SUMMARY, NULL);
}

FbRun *
fb_run_summary_get_run (FbRunSummary *self)
{
  g_return_val_if_fail (FB_IS_RUN_SUMMARY (self), NULL);

  return self->run;
}

void
fb_run_summary_set_run (FbRunSummary *self,
                        FbRun        *run)
{
  g_return_if_fail (FB_IS_RUN_SUMMARY (self));
  g_return_if_fail (run == NULL || FB_IS_RUN (run));

  if (self->run == run)
    return;

  if (self->run != NULL)
    {
      g_clear_signal_handler (&self->notify_id, self->run);
      g_clear_object (&self->run);
    }
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }

  if (run != NULL)
    {
      self->run = g_object_ref (run);
      self->notify_id = g_signal_connect (run, "notify", G_CALLBACK (run_notify_cb), self);
      refresh (self);
      self->dirty = FALSE;
      if (fb_run_get_running (run))
        run_notify_cb (run, NULL, self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
}

const char *
fb_run_summary_get_text (FbRunSummary *self,
                         const char   *part)
{
  static const struct { const char *name; gsize offset; } parts[] = {
    { "progress", G_STRUCT_OFFSET (FbRunSummary, progress_label) },
    { "ok", G_STRUCT_OFFSET (FbRunSummary, ok_label) },
    { "not-found", G_STRUCT_OFFSET (FbRunSummary, not_found_label) },
    { "error", G_STRUCT_OFFSET (FbRunSummary, error_label) },
    { "cancelled", G_STRUCT_OFFSET (FbRunSummary, cancelled_label) },
    { "elapsed", G_STRUCT_OFFSET (FbRunSummary, elapsed_label) },
    { "throughput", G_STRUCT_OFFSET (FbRunSummary, throughput_label) },
    { "semaphore", G_STRUCT_OFFSET (FbRunSummary, semaphore_label) },
  };

  g_return_val_if_fail (FB_IS_RUN_SUMMARY (self), NULL);
  g_return_val_if_fail (part != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (g_str_equal (parts[i].name, part))
      return gtk_label_get_label (G_STRUCT_MEMBER (GtkLabel *, self, parts[i].offset));

  g_return_val_if_reached (NULL);
}

double
fb_run_summary_get_fraction (FbRunSummary *self)
{
  g_return_val_if_fail (FB_IS_RUN_SUMMARY (self), 0.0);

  return gtk_progress_bar_get_fraction (self->progress_bar);
}
