/* fb-waterfall.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-waterfall"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fb-format.h"
#include "fb-frame-phase.h"
#include "fb-job.h"
#include "fb-waterfall.h"

#define ROW_HEIGHT      16
#define BAR_HEIGHT      8
#define AXIS_HEIGHT     20
#define LEGEND_LINE     16
#define LEGEND_SWATCH   10
#define LEGEND_GAP      12
#define MAX_SPANS       64
#define NAME_WIDTH      130
#define REDRAW_MS       200     /* a running run's bars grow this often */
#define MAX_ZOOM        512.0

struct _FbWaterfall
{
  GtkWidget      parent_instance;

  /* Owned */
  GListModel    *jobs;
  GtkAdjustment *rows;        /* value: first row in view; page: rows in view */
  GtkWidget     *scrollbar;

  gint64         origin;      /* earliest queue time seen, monotonic µs */
  gint64         end;         /* latest final time seen */
  double         zoom;
  double         pan;         /* 0..1: where the visible window starts */
  guint          redraw_id;
  guint          n_drawn;
  guint          idle_ticks;
  int            legend_height;
  gboolean       live;        /* the last frame had jobs still going */
  gboolean       jobs_came;   /* new jobs wait for the next redraw */
};

G_DEFINE_FINAL_TYPE (FbWaterfall, fb_waterfall, GTK_TYPE_WIDGET)

/* Colours of the phases, as in a browser's network panel: waits grey or
 * pale, the network's steps in colour. */
static const GdkRGBA phase_colors[FB_JOB_N_PHASES] = {
  [FB_JOB_PHASE_QUEUED] = { 0.75f, 0.75f, 0.75f, 0.5f },
  [FB_JOB_PHASE_WAITING] = { 0.60f, 0.60f, 0.60f, 0.7f },
  [FB_JOB_PHASE_HOST_WAIT] = { 0.80f, 0.65f, 0.35f, 0.8f },
  [FB_JOB_PHASE_RETRY_WAIT] = { 0.88f, 0.11f, 0.14f, 0.6f },
  [FB_JOB_PHASE_RESOLVING] = { 0.57f, 0.25f, 0.67f, 1 },
  [FB_JOB_PHASE_CONNECTING] = { 0.95f, 0.55f, 0.10f, 1 },
  [FB_JOB_PHASE_TLS] = { 0.75f, 0.38f, 0.00f, 1 },
  [FB_JOB_PHASE_FIRST_BYTE] = { 0.00f, 0.66f, 0.76f, 0.75f },
  [FB_JOB_PHASE_TRANSFERRING] = { 0.21f, 0.52f, 0.89f, 1 },
  [FB_JOB_PHASE_SAVING] = { 0.18f, 0.76f, 0.49f, 1 },
};

/* The legend's order: a job's phases as they come. */
static const FbJobPhase legend_phases[] = {
  FB_JOB_PHASE_QUEUED, FB_JOB_PHASE_WAITING, FB_JOB_PHASE_HOST_WAIT, FB_JOB_PHASE_RESOLVING,
  FB_JOB_PHASE_CONNECTING, FB_JOB_PHASE_TLS, FB_JOB_PHASE_FIRST_BYTE,
  FB_JOB_PHASE_TRANSFERRING, FB_JOB_PHASE_SAVING, FB_JOB_PHASE_RETRY_WAIT,
};

static gint64
queued_time (FbJob *job)
{
  gint64 t = fb_job_get_phase_time (job, FB_JOB_PHASE_QUEUED);

  return t != 0 ? t : fb_job_get_phase_time (job, FB_JOB_PHASE_WAITING);
}

static void
note_job (FbWaterfall *self,
          FbJob       *job)
{
  gint64 start = queued_time (job);
  gint64 done = fb_job_get_phase_time (job, FB_JOB_PHASE_DONE);

  if (start != 0 && (self->origin == 0 || start < self->origin))
    self->origin = start;
  self->end = MAX (self->end, done);
}

static void
update_rows (FbWaterfall *self)
{
  guint n = self->jobs != NULL ? g_list_model_get_n_items (self->jobs) : 0;
  double page = MAX (1.0, (gtk_widget_get_height (GTK_WIDGET (self)) - AXIS_HEIGHT -
                           self->legend_height) / (double) ROW_HEIGHT);

  gtk_adjustment_configure (self->rows, MIN (gtk_adjustment_get_value (self->rows),
                                             MAX (0.0, n - page)),
                            0, n, 1, page, page);
}

static gboolean redraw_cb (gpointer user_data);

static void
jobs_changed_cb (GListModel  *jobs,
                 guint        position,
                 guint        removed,
                 guint        added,
                 FbWaterfall *self)
{
  /* Only the jobs that came: a whole pass over 100,000 would stall. */
  for (guint i = position; i < position + added && i < position + 4096; i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (jobs, i);

      note_job (self, job);
    }
  update_rows (self);
  /* Drawn at the next redraw, brought forward to the list's next frames. */
  self->jobs_came = TRUE;
  if (self->redraw_id != 0)
    {
      g_source_remove (self->redraw_id);
      self->redraw_id = g_timeout_add (fb_frame_phase_wait (g_get_monotonic_time (),
                                                            FB_FRAME_PHASE_LIST),
                                       redraw_cb, self);
    }
  else
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
append_text (FbWaterfall   *self,
             GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             const char    *text,
             float          x,
             float          y,
             int            max_width)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  if (max_width > 0 && strstr (text, "://") != NULL)
    {
      /* A URL keeps its host and file name. */
      g_autofree char *fitted = fb_format_url_to_fit (layout, text, max_width);

      pango_layout_set_text (layout, fitted, -1);
    }
  if (max_width > 0)
    {
      pango_layout_set_width (layout, max_width * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
    }
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* The phases' colours and names, in lines under the bars; returns the
 * height they take at @width (and draws them when @snapshot is given). */
static int
legend (FbWaterfall   *self,
        GtkSnapshot   *snapshot,
        float          width,
        float          top,
        const GdkRGBA *fg)
{
  float x = 4;
  int lines = 1;

  for (guint i = 0; i < G_N_ELEMENTS (legend_phases); i++)
    {
      FbJobPhase p = legend_phases[i];
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                                      fb_format_phase (p));
      PangoAttrList *attrs = pango_attr_list_new ();
      int text_width;
      float item;

      pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
      pango_layout_get_pixel_size (layout, &text_width, NULL);
      item = LEGEND_SWATCH + 4 + text_width;
      if (x > 4 && x + item > width - 4)
        {
          x = 4;
          lines++;
        }
      if (snapshot != NULL)
        {
          float y = top + (lines - 1) * LEGEND_LINE + 2;

          gtk_snapshot_append_color (snapshot, &phase_colors[p],
                                     &GRAPHENE_RECT_INIT (x, y + (LEGEND_LINE - LEGEND_SWATCH) / 2.0f,
                                                          LEGEND_SWATCH, LEGEND_SWATCH));
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + LEGEND_SWATCH + 4, y));
          gtk_snapshot_append_layout (snapshot, layout, fg);
          gtk_snapshot_restore (snapshot);
        }
      x += item + LEGEND_GAP;
    }
  return lines * LEGEND_LINE + 4;
}

static void
fb_waterfall_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  FbWaterfall *self = FB_WATERFALL (widget);
  float width = gtk_widget_get_width (widget) - gtk_widget_get_width (self->scrollbar);
  float height = gtk_widget_get_height (widget);
  float plot_x = NAME_WIDTH;
  float plot_width = MAX (1.0f, width - plot_x - 4);
  guint n = self->jobs != NULL ? g_list_model_get_n_items (self->jobs) : 0;
  guint first = (guint) gtk_adjustment_get_value (self->rows);
  guint last = MIN (n, first + (guint) ((height - AXIS_HEIGHT - self->legend_height) /
                                        ROW_HEIGHT) + 1);
  gint64 now = g_get_monotonic_time ();
  gint64 span;
  gint64 window_start;
  gint64 window_span;
  GdkRGBA fg;
  GdkRGBA dim;
  GdkRGBA grid;
  gboolean live = FALSE;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  dim = fg;
  dim.alpha = 0.6f;
  grid = fg;
  grid.alpha = 0.12f;

  /* The rows in view only: this is what keeps 100,000 jobs cheap. */
  for (guint i = first; i < last; i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (self->jobs, i);

      note_job (self, job);
      live |= !fb_job_is_final (job) && queued_time (job) != 0;
    }
  self->live = live;
  if (live || self->end == 0)
    self->end = MAX (self->end, now);
  span = MAX (self->end - self->origin, G_USEC_PER_SEC / 10);
  window_span = (gint64) (span / self->zoom);
  window_start = self->origin + (gint64) (self->pan * (span - window_span));

  /* The time axis, in steps of a quarter of what is in view. */
  for (guint t = 0; t <= 4; t++)
    {
      float x = plot_x + plot_width * t / 4.0f;
      g_autofree char *label = fb_format_duration (window_start - self->origin + window_span * t / 4);
      g_autofree char *text = g_strdup_printf ("+%s", label);

      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (x, AXIS_HEIGHT, 1,
                                                      height - AXIS_HEIGHT - self->legend_height));
      append_text (self, snapshot, &dim, text, MIN (x + 2, width - 60), 2, 0);
    }

  self->n_drawn = 0;
  for (guint i = first; i < last; i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (self->jobs, i);
      g_autofree char *name = fb_format_job_name (job);
      float y = AXIS_HEIGHT + (i - first) * ROW_HEIGHT;

      FbJobSpan spans[MAX_SPANS];
      guint n_spans;

      append_text (self, snapshot, &fg, name, 4, y, NAME_WIDTH - 8);
      n_spans = MIN (fb_job_get_spans (job, now, spans, MAX_SPANS), MAX_SPANS);
      for (guint k = 0; k < n_spans; k++)
        {
          float x0 = plot_x + plot_width * (float) (spans[k].start - window_start) / (float) window_span;
          float x1 = plot_x + plot_width * (float) (spans[k].end - window_start) / (float) window_span;

          x0 = MAX (x0, plot_x);
          x1 = MIN (x1, plot_x + plot_width);
          if (x1 - x0 < 1 && x1 >= plot_x && x0 <= plot_x + plot_width)
            x1 = x0 + 1;
          if (x1 > x0)
            gtk_snapshot_append_color (snapshot, &phase_colors[spans[k].phase],
                                       &GRAPHENE_RECT_INIT (x0, y + (ROW_HEIGHT - BAR_HEIGHT) / 2.0f,
                                                            x1 - x0, BAR_HEIGHT));
        }
      self->n_drawn++;
    }

  legend (self, snapshot, width, height - self->legend_height, &fg);
}

/* Bars of running jobs grow: redrawn five times a second while any row in
 * view is going, once a second otherwise (a retry may start one again),
 * in the frames the list would change in (see fb-frame-phase.h). */
static gboolean
redraw_cb (gpointer user_data)
{
  FbWaterfall *self = user_data;
  guint wait = fb_frame_phase_wait (g_get_monotonic_time (), FB_FRAME_PHASE_LIST);

  if (wait == 0)
    {
      if (self->live || self->jobs_came || ++self->idle_ticks % 5 == 0)
        gtk_widget_queue_draw (GTK_WIDGET (self));
      self->jobs_came = FALSE;
      wait = REDRAW_MS;
    }
  self->redraw_id = g_timeout_add (wait, redraw_cb, self);
  return G_SOURCE_REMOVE;
}

static void
fb_waterfall_map (GtkWidget *widget)
{
  FbWaterfall *self = FB_WATERFALL (widget);

  GTK_WIDGET_CLASS (fb_waterfall_parent_class)->map (widget);
  if (self->redraw_id == 0)
    self->redraw_id = g_timeout_add (REDRAW_MS, redraw_cb, self);
}

static void
fb_waterfall_unmap (GtkWidget *widget)
{
  FbWaterfall *self = FB_WATERFALL (widget);

  g_clear_handle_id (&self->redraw_id, g_source_remove);
  GTK_WIDGET_CLASS (fb_waterfall_parent_class)->unmap (widget);
}

static void
fb_waterfall_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  /* Narrow enough for a phone-sized window; the legend then takes more lines. */
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? NAME_WIDTH + 120
             : AXIS_HEIGHT + 4 * ROW_HEIGHT + 4 * LEGEND_LINE;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 400;
}

static void
fb_waterfall_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  FbWaterfall *self = FB_WATERFALL (widget);
  int bar_width;

  gtk_widget_measure (self->scrollbar, GTK_ORIENTATION_HORIZONTAL, -1, &bar_width, NULL, NULL, NULL);
  self->legend_height = legend (self, NULL, width, 0, NULL);
  gtk_widget_allocate (self->scrollbar, bar_width,
                       MAX (0, height - AXIS_HEIGHT - self->legend_height), -1,
                       gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (width - bar_width,
                                                                             AXIS_HEIGHT)));
  update_rows (self);
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           FbWaterfall              *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (state & GDK_CONTROL_MASK)
    fb_waterfall_set_zoom (self, self->zoom * (dy < 0 ? 1.25 : 0.8));
  else if ((state & GDK_SHIFT_MASK) || dx != 0)
    {
      self->pan = CLAMP (self->pan + (dx != 0 ? dx : dy) * 0.05 / self->zoom, 0.0, 1.0);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  else
    gtk_adjustment_set_value (self->rows, gtk_adjustment_get_value (self->rows) + dy * 3);
  return TRUE;
}

static gboolean
key_cb (GtkEventControllerKey *controller,
        guint                  keyval,
        guint                  keycode,
        GdkModifierType        state,
        FbWaterfall           *self)
{
  switch (keyval)
    {
    case GDK_KEY_plus:
    case GDK_KEY_KP_Add:
    case GDK_KEY_equal:
      fb_waterfall_set_zoom (self, self->zoom * 1.25);
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      fb_waterfall_set_zoom (self, self->zoom * 0.8);
      return TRUE;
    case GDK_KEY_Left:
    case GDK_KEY_Right:
      self->pan = CLAMP (self->pan + (keyval == GDK_KEY_Left ? -0.1 : 0.1) / self->zoom, 0.0, 1.0);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_Down:
    case GDK_KEY_Page_Up:
    case GDK_KEY_Page_Down:
      {
        double step = keyval == GDK_KEY_Up || keyval == GDK_KEY_Down
                      ? 1 : gtk_adjustment_get_page_size (self->rows);
        double sign = keyval == GDK_KEY_Up || keyval == GDK_KEY_Page_Up ? -1 : 1;

        gtk_adjustment_set_value (self->rows, gtk_adjustment_get_value (self->rows) + sign * step);
        return TRUE;
      }
    default:
      return FALSE;
    }
}

static void
fb_waterfall_dispose (GObject *object)
{
  FbWaterfall *self = FB_WATERFALL (object);

  fb_waterfall_set_jobs (self, NULL);
  g_clear_handle_id (&self->redraw_id, g_source_remove);
  g_clear_pointer (&self->scrollbar, gtk_widget_unparent);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (fb_waterfall_parent_class)->dispose (object);
}

static void
fb_waterfall_class_init (FbWaterfallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fb_waterfall_dispose;
  widget_class->snapshot = fb_waterfall_snapshot;
  widget_class->measure = fb_waterfall_measure;
  widget_class->size_allocate = fb_waterfall_size_allocate;
  widget_class->map = fb_waterfall_map;
  widget_class->unmap = fb_waterfall_unmap;
  gtk_widget_class_set_css_name (widget_class, "fbwaterfall");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fb_waterfall_init (FbWaterfall *self)
{
  GtkEventController *controller;

  self->zoom = 1.0;
  self->rows = g_object_ref_sink (gtk_adjustment_new (0, 0, 0, 1, 10, 10));
  g_signal_connect_swapped (self->rows, "value-changed", G_CALLBACK (gtk_widget_queue_draw), self);
  self->scrollbar = gtk_scrollbar_new (GTK_ORIENTATION_VERTICAL, self->rows);
  gtk_widget_set_parent (self->scrollbar, GTK_WIDGET (self));
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Waterfall: each job's phases over time"), -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               _("Each bar is a job from queued to done, coloured by phase as "
                                 "the legend says. Ctrl+scroll or + and − zoom, Shift+scroll "
                                 "or ← and → move in time."));
}

GtkWidget *
fb_waterfall_new (void)
{
  return g_object_new (FB_TYPE_WATERFALL, NULL);
}

void
fb_waterfall_set_jobs (FbWaterfall *self,
                       GListModel  *jobs)
{
  g_return_if_fail (FB_IS_WATERFALL (self));
  g_return_if_fail (jobs == NULL || G_IS_LIST_MODEL (jobs));

  if (self->jobs == jobs)
    return;
  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_func (self->jobs, jobs_changed_cb, self);
  g_set_object (&self->jobs, jobs);
  self->origin = 0;
  self->end = 0;
  if (jobs != NULL)
    {
      g_signal_connect (jobs, "items-changed", G_CALLBACK (jobs_changed_cb), self);
      jobs_changed_cb (jobs, 0, 0, g_list_model_get_n_items (jobs), self);
    }
  update_rows (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
fb_waterfall_get_n_drawn (FbWaterfall *self)
{
  g_return_val_if_fail (FB_IS_WATERFALL (self), 0);

  return self->n_drawn;
}

double
fb_waterfall_get_zoom (FbWaterfall *self)
{
  g_return_val_if_fail (FB_IS_WATERFALL (self), 1.0);

  return self->zoom;
}

void
fb_waterfall_set_zoom (FbWaterfall *self,
                       double       zoom)
{
  g_return_if_fail (FB_IS_WATERFALL (self));

  zoom = CLAMP (zoom, 1.0, MAX_ZOOM);
  if (zoom == self->zoom)
    return;
  self->zoom = zoom;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
