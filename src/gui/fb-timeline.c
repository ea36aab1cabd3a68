/* fb-timeline.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fb-format.h"
#include "fb-frame-phase.h"
#include "fb-timeline.h"

#define SLICE_US     (G_USEC_PER_SEC / 10)
#define MAX_SLICES   4096   /* past this, neighbours merge: the width stays bounded */
#define MIN_HEIGHT   104
#define AXIS_HEIGHT  16     /* the time axis's labels under the plot */
#define HEADER_HEIGHT 16    /* the scale's label and the legend, above the plot */
#define LEGEND_WIDTH 520    /* narrower, the legend stays in the tooltip */
/* While a run goes, the plot is drawn again this often (a slice is 0.1 s);
 * the counts are still sampled every frame, so no peak is missed. Drawn
 * every frame, the timeline and the repaint of its area were about a tenth
 * of the window's main-thread time in a busy run (perf). */
#define REDRAW_US    (G_USEC_PER_SEC / 10)

/* A label's layout, kept while the label is drawn frame after frame. */
typedef struct
{
  PangoLayout *layout;
  int          width;
  guint        drawn;   /* the snapshot that last drew it */
} Label;

typedef struct
{
  guint16 active;     /* most slots held during the slice */
  guint16 limit;
  guint   ended[4];   /* ok, not found, error, cancelled */
} Slice;

struct _FbTimeline
{
  GtkWidget  parent_instance;

  FbRun     *run;
  GArray    *slices;       /* Slice */
  gint64     slice_us;     /* grows as slices merge */
  gint64     started_at;   /* monotonic µs of slice 0 (moved on past idle time) */
  gint64     stopped_at;   /* when the run last stopped, 0 while it runs */
  guint      last_counts[4];
  guint      tick_id;
  guint      peak_active;
  guint      max_ended;    /* tallest stacked bar, for the scale */
  gint64     drawn_at;     /* frame time of the last redraw while running */
  GHashTable *labels;      /* text -> Label */
  guint      labels_serial; /* the Pango context's, when the labels were made */
  guint      n_snapshots;
  gulong     running_id;
  gulong     active_id;
};

G_DEFINE_FINAL_TYPE (FbTimeline, fb_timeline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RUN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
read_counts (FbRun *run,
             guint  counts[4])
{
  counts[0] = fb_run_get_n_ok (run);
  counts[1] = fb_run_get_n_not_found (run);
  counts[2] = fb_run_get_n_error (run);
  counts[3] = fb_run_get_n_cancelled (run);
}

static void
merge_slices (FbTimeline *self)
{
  guint n = self->slices->len / 2;

  for (guint i = 0; i < n; i++)
    {
      Slice *a = &g_array_index (self->slices, Slice, 2 * i);
      Slice *b = &g_array_index (self->slices, Slice, 2 * i + 1);
      Slice merged = *a;

      merged.active = MAX (a->active, b->active);
      merged.limit = MAX (a->limit, b->limit);
      for (guint s = 0; s < 4; s++)
        merged.ended[s] = a->ended[s] + b->ended[s];
      g_array_index (self->slices, Slice, i) = merged;
    }
  if (self->slices->len % 2 == 1)
    g_array_index (self->slices, Slice, n) = g_array_index (self->slices, Slice, self->slices->len - 1);
  g_array_set_size (self->slices, n + self->slices->len % 2);
  self->slice_us *= 2;

  self->max_ended = 0;
  for (guint i = 0; i < self->slices->len; i++)
    {
      Slice *s = &g_array_index (self->slices, Slice, i);
      self->max_ended = MAX (self->max_ended, s->ended[0] + s->ended[1] + s->ended[2] + s->ended[3]);
    }
}

static Slice *
current_slice (FbTimeline *self,
               gint64      now)
{
  guint index;

  if (self->started_at == 0)
    self->started_at = now;
  index = (guint) ((now - self->started_at) / self->slice_us);
  while (index >= MAX_SLICES)
    {
      merge_slices (self);
      index = (guint) ((now - self->started_at) / self->slice_us);
    }
  while (self->slices->len <= index)
    {
      Slice empty = { 0 };

      g_array_append_val (self->slices, empty);
    }
  return &g_array_index (self->slices, Slice, index);
}

static void
sample (FbTimeline *self)
{
  gint64 now = g_get_monotonic_time ();
  Slice *slice;
  guint counts[4];
  guint total = 0;
  guint active;

  if (self->run == NULL)
    return;

  slice = current_slice (self, now);
  active = fb_run_get_active (self->run);
  slice->active = (guint16) MAX (slice->active, MIN (active, G_MAXUINT16));
  slice->limit = (guint16) MAX (slice->limit, fb_run_get_max_concurrency (self->run));
  self->peak_active = MAX (self->peak_active, active);

  read_counts (self->run, counts);
  for (guint s = 0; s < 4; s++)
    {
      /* A retry lowers a counter: nothing ended then. */
      if (counts[s] > self->last_counts[s])
        slice->ended[s] += counts[s] - self->last_counts[s];
      self->last_counts[s] = counts[s];
      total += slice->ended[s];
    }
  self->max_ended = MAX (self->max_ended, total);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  FbTimeline *self = FB_TIMELINE (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  sample (self);
  if (now - self->drawn_at >= REDRAW_US && fb_frame_phase_is (clock, FB_FRAME_PHASE_SUMMARY))
    {
      self->drawn_at = now;
      gtk_widget_queue_draw (widget);
    }
  if (self->run == NULL || !fb_run_get_running (self->run))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
update_accessible (FbTimeline *self)
{
  g_autofree char *label = NULL;

  /* Translators: a summary of the concurrency timeline for screen readers */
  label = g_strdup_printf (_("Timeline: at most %u jobs active at once"), self->peak_active);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
running_changed_cb (FbTimeline *self)
{
  if (self->run != NULL && fb_run_get_running (self->run))
    {
      /* A run started again (a retry) continues where it stopped: the
       * time between is not part of its active period. */
      if (self->stopped_at != 0 && self->started_at != 0)
        self->started_at += g_get_monotonic_time () - self->stopped_at;
      self->stopped_at = 0;
      if (self->tick_id == 0)
        self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
    }
  else
    {
      /* The last counts land in the final slice. */
      sample (self);
      if (self->started_at != 0)
        self->stopped_at = g_get_monotonic_time ();
      update_accessible (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
active_changed_cb (FbTimeline *self)
{
  /* Between frames the count can rise and fall again: keep the peak. */
  Slice *slice;
  guint active = fb_run_get_active (self->run);

  if (!fb_run_get_running (self->run))
    return;
  slice = current_slice (self, g_get_monotonic_time ());
  slice->active = (guint16) MAX (slice->active, MIN (active, G_MAXUINT16));
  self->peak_active = MAX (self->peak_active, active);
}

static void
label_free (gpointer data)
{
  Label *label = data;

  g_object_unref (label->layout);
  g_free (label);
}

static gboolean
label_is_stale (gpointer key,
                gpointer value,
                gpointer user_data)
{
  return ((Label *) value)->drawn != GPOINTER_TO_UINT (user_data);
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             float          x,
             float          y,
             float          width,
             float          height)
{
  if (width <= 0 || height <= 0)
    return;
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, width, height));
}

static void
path_rect (cairo_t *cr,
           float    x,
           float    y,
           float    width,
           float    height)
{
  if (width > 0 && height > 0)
    cairo_rectangle (cr, x, y, width, height);
}

static void
fill_path (cairo_t       *cr,
           const GdkRGBA *color)
{
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill (cr);
}

static PangoLayout *
small_layout (FbTimeline *self,
              const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

/* Labels are laid out once and kept while they are drawn (see
 * fb_timeline_snapshot). */
static Label *
label_get (FbTimeline *self,
           const char *text)
{
  Label *label = g_hash_table_lookup (self->labels, text);

  if (label == NULL)
    {
      label = g_new0 (Label, 1);
      label->layout = small_layout (self, text);
      pango_layout_get_pixel_size (label->layout, &label->width, NULL);
      g_hash_table_insert (self->labels, g_strdup (text), label);
    }
  label->drawn = self->n_snapshots;
  return label;
}

static int
text_width (FbTimeline *self,
            const char *text)
{
  return label_get (self, text)->width;
}

static void
append_text (FbTimeline    *self,
             GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             const char    *text,
             float          x,
             float          y,
             float          align)   /* 0 left, 0.5 centre, 1 right of x */
{
  Label *label = label_get (self, text);

  x = CLAMP (x - align * label->width, 0.0f,
             MAX (0.0f, gtk_widget_get_width (GTK_WIDGET (self)) - label->width));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, label->layout, color);
  gtk_snapshot_restore (snapshot);
}

/* The top of the scale: the most active or the highest limit, with
 * headroom so a run that fills every slot still shows its limit line. */
static guint
scale_top (FbTimeline *self)
{
  guint top = 1;

  for (guint i = 0; i < self->slices->len; i++)
    {
      Slice *s = &g_array_index (self->slices, Slice, i);

      top = MAX (top, MAX (s->active, s->limit));
    }
  return top + MAX (1u, top / 8);
}

/* Heights go with the square root of the count: raised from 5 to 50 in
 * the middle of a run, the first part still stands a third of the height
 * instead of a tenth, and the grid lines at each limit say what it reads. */
static double
level (guint  value,
       guint  top)
{
  return top > 0 ? sqrt (MIN (value, top) / (double) top) : 0.0;
}

static void
snapshot_plot (FbTimeline  *self,
               GtkSnapshot *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget) - AXIS_HEIGHT;
  /* The lanes (jobs active) run from lanes_top to lanes_bottom; the
   * header above them holds the labels, so no label covers the plot. */
  float lanes_top = HEADER_HEIGHT;
  float lanes_height = (height - lanes_top) * 0.62f;
  float lanes_bottom = lanes_top + lanes_height;
  float bars_top = lanes_bottom + 4;
  float bars_height = height - bars_top;
  guint scale_active = 1;
  GdkRGBA fg;
  GdkRGBA dim;
  GdkRGBA area, limit_color, grid;
  static const GdkRGBA state_colors[4] = {
    { 0.18f, 0.76f, 0.49f, 1 },  /* ok: success green */
    { 0.90f, 0.65f, 0.04f, 1 },  /* not found: warning amber */
    { 0.88f, 0.11f, 0.14f, 1 },  /* error: destructive red */
    { 0.60f, 0.60f, 0.60f, 1 },  /* cancelled: grey */
  };
  guint n = self->slices->len;
  gboolean live = self->run != NULL && fb_run_get_running (self->run);
  guint span;
  float slot;

  /* gtk_widget_get_color () is GTK 4.10; the style context is ours. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  area = (GdkRGBA) { 0.21f, 0.52f, 0.89f, 0.55f };
  limit_color = fg;
  limit_color.alpha = 0.7f;
  grid = fg;
  grid.alpha = 0.12f;
  dim = fg;
  dim.alpha = 0.6f;

  append_rect (snapshot, &grid, 0, lanes_bottom, width, 1);
  append_rect (snapshot, &grid, 0, height, width, 1);
  if (n == 0)
    return;

  scale_active = scale_top (self);

  /* A labelled grid line at each limit the run had (the first few). */
  {
    guint limits[4];
    guint n_limits = 0;

    for (guint i = 0; i < n && n_limits < G_N_ELEMENTS (limits); i++)
      {
        guint value = g_array_index (self->slices, Slice, i).limit;
        gboolean seen = value == 0;

        for (guint k = 0; k < n_limits && !seen; k++)
          seen = limits[k] == value;
        if (!seen)
          limits[n_limits++] = value;
      }
    for (guint k = 0; k < n_limits; k++)
      {
        float y = lanes_bottom - lanes_height * (float) level (limits[k], scale_active);
        g_autofree char *label = g_strdup_printf ("%u", limits[k]);

        append_rect (snapshot, &grid, 0, y, width, 1);
        /* At the right end, just under its line: the scale's own label and
         * the legend are in the header above. */
        append_text (self, snapshot, &dim, label, width - 2, y, 1);
      }
  }

  /* While it runs, slices fill the width as the run goes on (a short run
   * does not stretch into a few fat bars); once it ends, its active period
   * fills the whole width. */
  span = live ? MAX (n, 60) : n;
  slot = width / (float) span;

  /* The bars are one cairo node, a path per colour, not six colour nodes
   * a slice: GTK 4.8's cairo renderer draws every node of the window in
   * every frame, whatever changed, and a 13 s run had 800 of them here (a
   * long one up to six times MAX_SLICES). The lanes and bars do not
   * overlap, and within a lane the limit goes over the area, as before. */
  {
    cairo_t *cr = gtk_snapshot_append_cairo (snapshot,
                                             &GRAPHENE_RECT_INIT (0, lanes_top, width,
                                                                  MAX (1.0f, height - lanes_top)));

    for (guint i = 0; i < n; i++)
      {
        Slice *s = &g_array_index (self->slices, Slice, i);
        float h = lanes_height * (float) level (s->active, scale_active);

        path_rect (cr, slot * (float) i, lanes_bottom - h, MAX (slot, 1.0f), h);
      }
    fill_path (cr, &area);

    for (guint i = 0; i < n; i++)
      {
        Slice *s = &g_array_index (self->slices, Slice, i);
        float x = slot * (float) i;
        float limit_y = lanes_bottom - lanes_height * (float) level (s->limit, scale_active);

        if (s->limit > 0)
          path_rect (cr, x, MAX (lanes_top, limit_y - 1), MAX (slot, 1.0f), 2);
        /* A limit change is marked where it happened (its label below). */
        if (i > 0 && s->limit > 0 && g_array_index (self->slices, Slice, i - 1).limit > 0 &&
            s->limit != g_array_index (self->slices, Slice, i - 1).limit)
          path_rect (cr, x, lanes_top, 1, lanes_height);
      }
    fill_path (cr, &limit_color);

    for (guint st = 0; st < 4 && self->max_ended > 0; st++)
      {
        for (guint i = 0; i < n; i++)
          {
            Slice *s = &g_array_index (self->slices, Slice, i);
            float y = bars_top + bars_height;

            for (guint below = 0; below <= st; below++)
              y -= bars_height * (float) s->ended[below] / (float) self->max_ended;
            path_rect (cr, slot * (float) i, y, MAX (slot - 1, 1.0f),
                       bars_height * (float) s->ended[st] / (float) self->max_ended);
          }
        fill_path (cr, &state_colors[st]);
      }
    cairo_destroy (cr);
  }

  /* Each limit change, with the new limit. */
  for (guint i = 1; i < n; i++)
    {
      Slice *s = &g_array_index (self->slices, Slice, i);
      guint before = g_array_index (self->slices, Slice, i - 1).limit;

      if (s->limit > 0 && before > 0 && s->limit != before)
        {
          float limit_y = lanes_bottom - lanes_height * (float) level (s->limit, scale_active);
          g_autofree char *mark = g_strdup_printf ("%u", s->limit);

          append_text (self, snapshot, &fg, mark, slot * (float) i + 3,
                       MAX (lanes_top, limit_y - 16), 0);
        }
    }

  /* Axes: the most jobs that were active at once (the scale's top is a
   * little above it, and above the highest limit: not a count to show),
   * the time under the plot. */
  {
    g_autofree char *top = NULL;
    g_autofree char *end = NULL;
    g_autofree char *mid = NULL;
    g_autofree char *zero = NULL;
    g_autofree char *peak = fb_format_count (self->peak_active);

    /* Translators: above the timeline's plot: the most jobs that were
     * active at once in the run; %s is that count, digits grouped */
    top = g_strdup_printf (ngettext ("at most %s active", "at most %s active", self->peak_active),
                           peak);
    append_text (self, snapshot, &dim, top, 2, 0, 0);
    zero = g_strdup_printf (_("%u s"), 0u);
    append_text (self, snapshot, &dim, zero, 0, height + 1, 0);
    mid = fb_format_duration ((gint64) span * self->slice_us / 2);
    append_text (self, snapshot, &dim, mid, width / 2, height + 1, 0.5f);
    end = fb_format_duration ((gint64) span * self->slice_us);
    append_text (self, snapshot, &dim, end, width, height + 1, 1);
  }

  /* The legend, top right, where there is room for it beside the scale:
   * each entry a swatch and its word, spaced by the words' own widths so
   * longer translations do not run into each other. */
  if (width >= LEGEND_WIDTH)
    {
      static const char *names[] = { N_("OK"), N_("not found"), N_("error"), N_("cancelled") };
      const char *words[6] = { _("active"), _("limit") };
      const GdkRGBA *colors[6] = { &area, &limit_color };
      const float gap = 12, swatch = 13;
      float x = width;

      for (guint st = 0; st < 4; st++)
        {
          words[st + 2] = _(names[st]);
          colors[st + 2] = &state_colors[st];
        }
      for (guint i = 0; i < G_N_ELEMENTS (words); i++)
        x -= swatch + text_width (self, words[i]) + (i > 0 ? gap : 0);
      for (guint i = 0; i < G_N_ELEMENTS (words); i++)
        {
          if (colors[i] == &limit_color)
            append_rect (snapshot, colors[i], x, 6, 10, 2);
          else
            append_rect (snapshot, colors[i], x, 3, 8, 8);
          append_text (self, snapshot, &fg, words[i], x + swatch, 0, 0);
          x += swatch + text_width (self, words[i]) + gap;
        }
    }
}

/* Labels are laid out once and kept while they are drawn; a new font or
 * resolution (the Pango context's serial) makes them again. */
static void
fb_timeline_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  FbTimeline *self = FB_TIMELINE (widget);
  guint serial = pango_context_get_serial (gtk_widget_get_pango_context (widget));

  if (serial != self->labels_serial)
    {
      g_hash_table_remove_all (self->labels);
      self->labels_serial = serial;
    }
  self->n_snapshots++;
  snapshot_plot (self, snapshot);
  g_hash_table_foreach_remove (self->labels, label_is_stale, GUINT_TO_POINTER (self->n_snapshots));
}

static void
fb_timeline_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = *natural = MIN_HEIGHT;
  else
    {
      *minimum = 120;
      *natural = 600;
    }
}

static void
disconnect_run (FbTimeline *self)
{
  if (self->run == NULL)
    return;
  g_clear_signal_handler (&self->running_id, self->run);
  g_clear_signal_handler (&self->active_id, self->run);
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  g_clear_object (&self->run);
}

FbRun *
fb_timeline_get_run (FbTimeline *self)
{
  g_return_val_if_fail (FB_IS_TIMELINE (self), NULL);
  return self->run;
}

void
fb_timeline_set_run (FbTimeline *self,
                     FbRun      *run)
{
  g_return_if_fail (FB_IS_TIMELINE (self));
  g_return_if_fail (!run || FB_IS_RUN (run));

  if (self->run == run)
    return;

  disconnect_run (self);
  g_array_set_size (self->slices, 0);
  self->slice_us = SLICE_US;
  self->started_at = 0;
  self->stopped_at = 0;
  self->peak_active = 0;
  self->max_ended = 0;
  memset (self->last_counts, 0, sizeof self->last_counts);

  if (run != NULL)
    {
      self->run = g_object_ref (run);
      read_counts (run, self->last_counts);
      self->running_id = g_signal_connect_swapped (run, "notify::running",
                                                   G_CALLBACK (running_changed_cb), self);
      self->active_id = g_signal_connect_swapped (run, "notify::active",
                                                  G_CALLBACK (active_changed_cb), self);
      running_changed_cb (self);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
}

guint
fb_timeline_get_n_slices (FbTimeline *self)
{
  g_return_val_if_fail (FB_IS_TIMELINE (self), 0);
  return self->slices->len;
}

guint
fb_timeline_get_peak_active (FbTimeline *self)
{
  g_return_val_if_fail (FB_IS_TIMELINE (self), 0);
  return self->peak_active;
}

static void
fb_timeline_dispose (GObject *object)
{
  FbTimeline *self = FB_TIMELINE (object);

  disconnect_run (self);
  G_OBJECT_CLASS (fb_timeline_parent_class)->dispose (object);
}

static void
fb_timeline_finalize (GObject *object)
{
  FbTimeline *self = FB_TIMELINE (object);

  g_array_unref (self->slices);
  g_hash_table_unref (self->labels);
  G_OBJECT_CLASS (fb_timeline_parent_class)->finalize (object);
}

static void
fb_timeline_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  FbTimeline *self = FB_TIMELINE (object);

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
fb_timeline_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  FbTimeline *self = FB_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_RUN:
      fb_timeline_set_run (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_timeline_class_init (FbTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fb_timeline_dispose;
  object_class->finalize = fb_timeline_finalize;
  object_class->get_property = fb_timeline_get_property;
  object_class->set_property = fb_timeline_set_property;
  widget_class->snapshot = fb_timeline_snapshot;
  widget_class->measure = fb_timeline_measure;

  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL, FB_TYPE_RUN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "fbtimeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fb_timeline_init (FbTimeline *self)
{
  self->slices = g_array_new (FALSE, TRUE, sizeof (Slice));
  self->slice_us = SLICE_US;
  self->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, label_free);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               _("Blue: jobs holding a slot; line: the limit; "
                                 "bars: jobs ending (green OK, amber not found, red error, grey cancelled)"));
}

GtkWidget *
fb_timeline_new (void)
{
  return g_object_new (FB_TYPE_TIMELINE, NULL);
}

double
fb_timeline_get_level (FbTimeline *self,
                       guint       active)
{
  g_return_val_if_fail (FB_IS_TIMELINE (self), 0.0);
  return level (active, scale_top (self));
}
