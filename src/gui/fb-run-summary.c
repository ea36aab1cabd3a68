/* fb-run-summary.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-run-summary"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-fixed-label.h"
#include "fb-format.h"
#include "fb-frame-phase.h"
#include "fb-run-summary.h"
#include "fb-semaphore.h"

#define LIVE_INTERVAL (G_USEC_PER_SEC / 4)
/* Counters change with every finished job: with a thousand jobs at once
 * that is every frame. Ten times a second reads as live, as tqdm's does;
 * the state at the end shows at once. */
#define BUSY_INTERVAL (G_USEC_PER_SEC / 10)

/* The summary's size is decided when a run arrives and does not follow
 * its numbers: each text is an FbFixedLabel that reserves the width of the
 * widest text it may show in this run (the total job count gives the
 * digits), so a new number is a redraw. A summary that grew by a few
 * pixels, or wrapped to one more line, laid out and repainted the whole
 * job list below it (GTK 4.8 re-measures the window for any resize). */

/* Durations as fb_format_duration () writes them, one of each form, at
 * its widest: 999 ms, 9.9 s, 59 s, 59:59, 9:59:59. */
static const gint64 sample_durations[] = {
  G_GINT64_CONSTANT (999000), G_GINT64_CONSTANT (9900000), G_GINT64_CONSTANT (59000000),
  G_GINT64_CONSTANT (3599000000), G_GINT64_CONSTANT (35999000000),
};

/* Sizes as g_format_size () writes them, one of each unit, at its widest. */
static const guint64 sample_sizes[] = { 999, 999900, 999900000, G_GUINT64_CONSTANT (999900000000) };

/* Plural forms: one count of each form in the languages gettext knows. */
static const guint sample_plurals[] = { 1, 2, 5, 21 };

/* The fastest rate the throughput reserves room for, in jobs/s. */
#define SAMPLE_RATE 9999.9

typedef enum {
  COUNT_OK,
  COUNT_NOT_FOUND,
  COUNT_ERROR,
  COUNT_CANCELLED,
} Count;

struct _FbRunSummary
{
  GtkWidget       parent_instance;

  GtkWidget      *box;
  GtkFlowBox     *counters;
  GtkProgressBar *progress_bar;
  FbFixedLabel   *progress_label;
  FbFixedLabel   *ok_label;
  FbFixedLabel   *not_found_label;
  FbFixedLabel   *error_label;
  FbFixedLabel   *cancelled_label;
  FbFixedLabel   *elapsed_label;
  FbFixedLabel   *throughput_label;
  FbFixedLabel   *semaphore_label;

  FbRun          *run;
  gulong          notify_id;
  guint           tick_id;
  gint64          last_refresh;
  guint           sampled_total;  /* the total the samples are for */
  guint           expected_total; /* what the run is about to grow to */

  guint           dirty : 1;
  guint           sampled : 1;
};

G_DEFINE_FINAL_TYPE (FbRunSummary, fb_run_summary, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RUN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The texts, shared by what shows and by the samples that size it. */

static char *
progress_text (guint       total,
               const char *n_finished,
               const char *n_total,
               const char *n_cancelled)
{
  if (n_cancelled != NULL)
    /* Translators: overall progress of a run with cancelled jobs,
     * “4,322 of 10,000 finished, 5,678 cancelled” */
    return g_strdup_printf (ngettext ("%s of %s finished, %s cancelled",
                                      "%s of %s finished, %s cancelled", total),
                            n_finished, n_total, n_cancelled);
  /* Translators: overall progress of a run, “12 of 200 finished” */
  return g_strdup_printf (ngettext ("%s of %s finished", "%s of %s finished", total),
                          n_finished, n_total);
}

static char *
count_text (Count       kind,
            guint       n,
            const char *count)
{
  switch (kind)
    {
    case COUNT_OK:
      return g_strdup_printf (ngettext ("%s OK", "%s OK", n), count);
    case COUNT_NOT_FOUND:
      return g_strdup_printf (ngettext ("%s not found", "%s not found", n), count);
    case COUNT_ERROR:
      return g_strdup_printf (ngettext ("%s error", "%s errors", n), count);
    case COUNT_CANCELLED:
    default:
      return g_strdup_printf (ngettext ("%s cancelled", "%s cancelled", n), count);
    }
}

static char *
elapsed_text (const char *duration,
              const char *eta)
{
  if (duration == NULL)
    return g_strdup (_("Not started"));
  if (eta != NULL)
    /* Translators: how long the run has been going, then a guess of what is left */
    return g_strdup_printf (_("Elapsed %s, about %s left"), duration, eta);
  /* Translators: how long the run has been going */
  return g_strdup_printf (_("Elapsed %s"), duration);
}

static char *
throughput_text (const char *speed,
                 double      rate,
                 const char *received)
{
  /* Translators: throughput: a transfer rate, then finished jobs per
   * second, then all the bytes received */
  return g_strdup_printf (_("%s · %.1f jobs/s · %s in all"), *speed != '\0' ? speed : "0 B/s",
                          rate, received);
}

static char *
semaphore_text (gboolean started,
                guint    active,
                guint    limit,
                guint    waiting)
{
  if (started && active > limit)
    /* Translators: the semaphore after the limit was lowered: jobs holding
     * a slot, the new limit, how many of them finish above it, jobs waiting */
    return g_strdup_printf (ngettext ("Active %u of %u (%u finishing above the new limit), "
                                      "waiting %u",
                                      "Active %u of %u (%u finishing above the new limit), "
                                      "waiting %u", active - limit),
                            active, limit, active - limit, waiting);
  if (started)
    /* Translators: the semaphore: jobs holding a slot, the limit, jobs waiting for a slot */
    return g_strdup_printf (_("Active %u of %u, waiting %u"), active, limit, waiting);
  /* Translators: before the run starts: how many jobs at most will run at once */
  return g_strdup_printf (_("Up to %u at once"), limit);
}

static void
take_samples (FbFixedLabel *label,
              GPtrArray    *samples)
{
  g_ptr_array_add (samples, NULL);
  fb_fixed_label_set_samples (label, (const char * const *) samples->pdata);
  g_ptr_array_unref (samples);
}

/* What each text may show in a run of @total jobs, at its widest. The
 * labels' digits are tabular, so only the number of digits of a sample
 * matters. What the samples leave out (a cancel's longer progress, a
 * lowered limit's semaphore, a run of over ten hours) still shows whole:
 * its label grows once, when it first shows. */
static void
update_samples (FbRunSummary *self,
                guint         total)
{
  g_autofree char *n_total = NULL;
  const Count kinds[] = { COUNT_OK, COUNT_NOT_FOUND, COUNT_ERROR, COUNT_CANCELLED };
  FbFixedLabel *counts[] = { self->ok_label, self->not_found_label, self->error_label,
                             self->cancelled_label };
  guint limit = FB_SEMAPHORE_MAX_LIMIT;
  GPtrArray *samples;

  total = MAX (total, self->expected_total);
  if (self->sampled && self->sampled_total == total)
    return;
  self->sampled = TRUE;
  self->sampled_total = total;
  n_total = fb_format_count (total);

  samples = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (samples, progress_text (total, n_total, n_total, NULL));
  take_samples (self->progress_label, samples);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      samples = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (samples, count_text (kinds[k], total, n_total));
      for (guint i = 0; i < G_N_ELEMENTS (sample_plurals); i++)
        g_ptr_array_add (samples, count_text (kinds[k], sample_plurals[i], n_total));
      take_samples (counts[k], samples);
    }

  /* A text's width is about the sum of its parts', so the widest pair is
   * a form with itself: five samples rather than all twenty-five pairs
   * (a busy frame measures them all when the list arrives). */
  samples = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (samples, elapsed_text (NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (sample_durations); i++)
    {
      g_autofree char *duration = fb_format_duration (sample_durations[i]);

      g_ptr_array_add (samples, elapsed_text (duration, NULL));
      g_ptr_array_add (samples, elapsed_text (duration, duration));
    }
  take_samples (self->elapsed_label, samples);

  /* A rate is a size per second: the widest size makes the widest rate. */
  samples = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (sample_sizes); i++)
    {
      g_autofree char *speed = fb_format_speed (sample_sizes[i]);
      g_autofree char *received = g_format_size (sample_sizes[i]);

      g_ptr_array_add (samples, throughput_text (speed, SAMPLE_RATE, received));
    }
  take_samples (self->throughput_label, samples);

  /* Active and the limit are at most the semaphore's top; waiting, the total. */
  samples = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (samples, semaphore_text (FALSE, 0, limit, 0));
  g_ptr_array_add (samples, semaphore_text (TRUE, limit, limit, MAX (total, 1)));
  take_samples (self->semaphore_label, samples);
}

static void
set_count (FbFixedLabel *label,
           Count         kind,
           guint         n)
{
  GtkWidget *counter = gtk_widget_get_parent (GTK_WIDGET (label));
  g_autofree char *count = fb_format_count (n);
  g_autofree char *text = count_text (kind, n, count);

  fb_fixed_label_set_text (label, text);
  /* Zero counters fade so the ones that matter stand out. */
  gtk_widget_set_opacity (counter, n > 0 ? 1.0 : 0.55);
}

static void
refresh (FbRunSummary *self)
{
  FbRun *run = self->run;
  guint total;
  guint finished;
  guint cancelled;
  guint completed;
  gint64 elapsed;
  double seconds;
  g_autofree char *n_total = NULL;
  g_autofree char *text = NULL;

  if (run == NULL)
    return;

  total = fb_run_get_total (run);
  update_samples (self, total);
  finished = fb_run_get_n_finished (run);
  cancelled = fb_run_get_n_cancelled (run);
  completed = finished - cancelled;
  n_total = fb_format_count (total);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? finished / (double) total : 0.0);
  if (cancelled > 0)
    {
      g_autofree char *n_completed = fb_format_count (completed);
      g_autofree char *n_cancelled = fb_format_count (cancelled);

      text = progress_text (total, n_completed, n_total, n_cancelled);
    }
  else
    {
      g_autofree char *n_finished = fb_format_count (finished);

      text = progress_text (total, n_finished, n_total, NULL);
    }
  fb_fixed_label_set_text (self->progress_label, text);
  g_clear_pointer (&text, g_free);

  set_count (self->ok_label, COUNT_OK, fb_run_get_n_ok (run));
  set_count (self->not_found_label, COUNT_NOT_FOUND, fb_run_get_n_not_found (run));
  set_count (self->error_label, COUNT_ERROR, fb_run_get_n_error (run));
  set_count (self->cancelled_label, COUNT_CANCELLED, cancelled);

  /* Elapsed covers every period the run ran (a retry adds one), so the
   * rates below are over the same time as the jobs they count. */
  elapsed = fb_run_get_elapsed (run);
  if (elapsed > 0 && fb_run_get_running (run) && completed > 0 && finished < total)
    {
      g_autofree char *duration = fb_format_duration (elapsed);
      /* The rest at the rate so far: a guess, and it says so. */
      gint64 left = (gint64) ((double) elapsed * (total - finished) / completed);
      g_autofree char *eta = fb_format_duration (left);

      text = elapsed_text (duration, eta);
    }
  else if (elapsed > 0)
    {
      g_autofree char *duration = fb_format_duration (elapsed);

      text = elapsed_text (duration, NULL);
    }
  else
    text = elapsed_text (NULL, NULL);
  fb_fixed_label_set_text (self->elapsed_label, text);
  g_clear_pointer (&text, g_free);

  /* Cancelled jobs are not work done: they count in no rate. */
  seconds = elapsed / (double) G_USEC_PER_SEC;
  if (seconds > 0.05)
    {
      g_autofree char *speed = fb_format_speed (fb_run_get_bytes_received (run) / seconds);
      g_autofree char *received = g_format_size (fb_run_get_bytes_received (run));

      text = throughput_text (speed, completed / seconds, received);
    }
  else
    text = g_strdup ("");
  fb_fixed_label_set_text (self->throughput_label, text);
  g_clear_pointer (&text, g_free);

  text = semaphore_text (fb_run_get_running (run) || elapsed > 0, fb_run_get_active (run),
                         fb_run_get_max_concurrency (run), fb_run_get_waiting (run));
  fb_fixed_label_set_text (self->semaphore_label, text);
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

  /* A running run's numbers change in the summary's own frames (see
   * fb-frame-phase.h); a stopped one's at once. */
  if (((self->dirty && (!live || since >= BUSY_INTERVAL)) || (live && since >= LIVE_INTERVAL)) &&
      (!live || fb_frame_phase_is (clock, FB_FRAME_PHASE_SUMMARY)))
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

  g_type_ensure (FB_TYPE_FIXED_LABEL);
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

  /* The counters wrap on a narrow window; they are text, not stops for Tab.
   * Not focusable children alone would not do: GTK 4.8's flow box takes Tab,
   * finds no child to give it to, and keeps it, so focus stayed put. */
  gtk_widget_set_can_focus (GTK_WIDGET (self->counters), FALSE);
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
  FbFixedLabel *labels[] = { self->progress_label, self->ok_label, self->not_found_label,
                             self->error_label, self->cancelled_label, self->elapsed_label,
                             self->throughput_label, self->semaphore_label };

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

  /* A new run starts from its own samples: what an earlier one grew to
   * (a cancel's longer progress) is forgotten. */
  self->sampled = FALSE;
  self->expected_total = 0;
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    fb_fixed_label_set_samples (labels[i], NULL);

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
      return fb_fixed_label_get_text (G_STRUCT_MEMBER (FbFixedLabel *, self, parts[i].offset));

  g_return_val_if_reached (NULL);
}

double
fb_run_summary_get_fraction (FbRunSummary *self)
{
  g_return_val_if_fail (FB_IS_RUN_SUMMARY (self), 0.0);

  return gtk_progress_bar_get_fraction (self->progress_bar);
}

void
fb_run_summary_expect_total (FbRunSummary *self,
                             guint         total)
{
  g_return_if_fail (FB_IS_RUN_SUMMARY (self));

  /* Sized at the next refresh: in the summary's own frames (see
   * fb-frame-phase.h), not in the one that shows the new rows. */
  self->expected_total = total;
  if (self->run != NULL)
    run_notify_cb (self->run, NULL, self);
}
