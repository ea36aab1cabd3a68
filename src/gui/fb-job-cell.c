/* fb-job-cell.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-job-cell"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fb-format.h"
#include "fb-frame-phase.h"
#include "fb-job-cell.h"
#include "fb-url.h"

#define PULSE_INTERVAL   (G_USEC_PER_SEC / 10)
#define ELAPSED_INTERVAL (G_USEC_PER_SEC / 10)
#define SPEED_INTERVAL   (G_USEC_PER_SEC / 2)
#define WAIT_INTERVAL    (G_USEC_PER_SEC / 4)

/* One widget per cell, drawn by itself: a cell used to hold a GtkInscription,
 * a GtkImage or a GtkProgressBar (three more CSS nodes for the bar). GTK 4.8
 * keeps 200 rows of 8 cells alive, and every new row is styled, measured and
 * laid out in the frame that shows it, so each child widget cost time in the
 * frames that fill the list (see bench/README.md, figure 6). */

#define ICON_SIZE        16
#define ICON_SPACING     6
#define MIN_TEXT_WIDTH   12
#define BAR_HEIGHT       8
#define BAR_MIN_WIDTH    24
#define BAR_MARGIN_END   6
#define PULSE_BLOCK      0.25
#define PULSE_PERIOD     (G_USEC_PER_SEC * 8 / 5)

struct _FbJobCell
{
  GtkWidget         parent_instance;

  FbJob            *job;
  gulong            notify_id;
  guint             tick_id;
  gint64            last_refresh;
  guint             position;
  FbJobColumn       column;
  const char       *style;

  char             *text;       /* NULL until there is one; never for the bar */
  PangoLayout      *layout;     /* made when the text is first drawn */
  int               fit_width;  /* a URL's text was fitted to this width, or -1 */
  const char       *icon_name;  /* the state column's */
  GtkIconPaintable *icon;
  double            fraction;   /* the bar's, when it does not pulse */

  guint             dirty : 1;
  guint             label_stale : 1;
  guint             pulsing : 1;
  guint             layout_stale : 1;
};

G_DEFINE_ENUM_TYPE (FbJobColumn, fb_job_column,
  G_DEFINE_ENUM_VALUE (FB_JOB_COLUMN_NAME, "name"),
  G_DEFINE_ENUM_VALUE (FB_JOB_COLUMN_KIND, "kind"),
  G_DEFINE_ENUM_VALUE (FB_JOB_COLUMN_STATE, "state"),
  G_DEFINE_ENUM_VALUE (FB_JOB_COLUMN_PROGRESS, "progress"),
  G_DEFINE_ENUM_VALUE (FB_JOB_COLUMN_SIZE, "size"),
  G_DEFINE_ENUM_VALUE (FB_JOB_COLUMN_SPEED, "speed"),
  G_DEFINE_ENUM_VALUE (FB_JOB_COLUMN_ELAPSED, "elapsed"),
  G_DEFINE_ENUM_VALUE (FB_JOB_COLUMN_MESSAGE, "message"))

G_DEFINE_FINAL_TYPE (FbJobCell, fb_job_cell, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_JOB,
  PROP_COLUMN,
  PROP_POSITION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
job_is_busy (FbJob *job)
{
  FbJobPhase phase = fb_job_get_phase (job);

  return !fb_job_is_final (job) && phase != FB_JOB_PHASE_QUEUED && phase != FB_JOB_PHASE_DONE;
}

/* A waiting job's message moves by itself: its place in line, a countdown. */
static gboolean
job_is_waiting (FbJob *job)
{
  switch (fb_job_get_phase (job))
    {
    case FB_JOB_PHASE_QUEUED:
    case FB_JOB_PHASE_WAITING:
    case FB_JOB_PHASE_HOST_WAIT:
    case FB_JOB_PHASE_RETRY_WAIT:
      return !fb_job_is_final (job);
    case FB_JOB_PHASE_RESOLVING:
    case FB_JOB_PHASE_CONNECTING:
    case FB_JOB_PHASE_TLS:
    case FB_JOB_PHASE_FIRST_BYTE:
    case FB_JOB_PHASE_TRANSFERRING:
    case FB_JOB_PHASE_SAVING:
    case FB_JOB_PHASE_DONE:
    default:
      return FALSE;
    }
}

static gboolean
job_is_pulsing (FbJob *job)
{
  switch (fb_job_get_phase (job))
    {
    case FB_JOB_PHASE_RESOLVING:
    case FB_JOB_PHASE_CONNECTING:
    case FB_JOB_PHASE_TLS:
    case FB_JOB_PHASE_FIRST_BYTE:
      return !fb_job_is_final (job);
    case FB_JOB_PHASE_TRANSFERRING:
      return !fb_job_is_final (job) && fb_job_get_fraction (job) < 0;
    case FB_JOB_PHASE_QUEUED:
    case FB_JOB_PHASE_WAITING:
    case FB_JOB_PHASE_HOST_WAIT:
    case FB_JOB_PHASE_RETRY_WAIT:
    case FB_JOB_PHASE_SAVING:
    case FB_JOB_PHASE_DONE:
    default:
      return FALSE;
    }
}

/* How often a column of this job must change without any notification, or
 * 0. A pulsing bar moves every frame; the interval only keeps it ticking. */
static gint64
live_interval (FbJobCell *self)
{
  if (self->job == NULL)
    return 0;

  switch (self->column)
    {
    case FB_JOB_COLUMN_PROGRESS:
      return job_is_pulsing (self->job) ? PULSE_INTERVAL : 0;
    case FB_JOB_COLUMN_ELAPSED:
      return job_is_busy (self->job) ? ELAPSED_INTERVAL : 0;
    case FB_JOB_COLUMN_SPEED:
      return job_is_busy (self->job) ? SPEED_INTERVAL : 0;
    case FB_JOB_COLUMN_MESSAGE:
      return job_is_waiting (self->job) ? WAIT_INTERVAL : 0;
    case FB_JOB_COLUMN_NAME:
    case FB_JOB_COLUMN_KIND:
    case FB_JOB_COLUMN_STATE:
    case FB_JOB_COLUMN_SIZE:
    default:
      return 0;
    }
}

static gboolean
is_numeric (FbJobColumn column)
{
  return column == FB_JOB_COLUMN_SIZE || column == FB_JOB_COLUMN_SPEED ||
         column == FB_JOB_COLUMN_ELAPSED;
}

static void
set_style (FbJobCell  *self,
           const char *style)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (g_strcmp0 (self->style, style) == 0)
    return;
  if (self->style != NULL)
    gtk_widget_remove_css_class (widget, self->style);
  if (style != NULL)
    gtk_widget_add_css_class (widget, style);
  self->style = style;
}

/* A new text costs a redraw of the cell, never a new layout of the list:
 * the cell's size does not follow its text. */
static void
set_text (FbJobCell  *self,
          const char *text)
{
  if (g_strcmp0 (self->text, text) == 0)
    return;
  g_free (self->text);
  self->text = g_strdup (text);
  self->layout_stale = TRUE;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_icon (FbJobCell  *self,
          const char *icon_name)
{
  if (g_strcmp0 (self->icon_name, icon_name) == 0)
    return;
  self->icon_name = icon_name;
  g_clear_object (&self->icon);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_bar (FbJobCell *self,
         double     fraction,
         gboolean   pulsing)
{
  if (self->fraction == fraction && self->pulsing == !!pulsing)
    return;
  if (self->fraction != fraction && fraction >= 0)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, fraction, -1);
  self->fraction = fraction;
  self->pulsing = !!pulsing;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
refresh_progress (FbJobCell *self)
{
  FbJob *job = self->job;
  FbJobState state = fb_job_get_state (job);
  double fraction = fb_job_get_fraction (job);
  gboolean catalog = fb_job_get_kind (job) == FB_JOB_KIND_CATALOG;

  /* A lookup has no amount to show: its state says it all. */
  if (fb_job_get_kind (job) == FB_JOB_KIND_PROBE)
    {
      set_bar (self, -1.0, FALSE);
      set_style (self, NULL);
      return;
    }

  if (state == FB_JOB_STATE_OK)
    fraction = 1.0;
  else if (job_is_pulsing (job))
    {
      set_bar (self, MAX (self->fraction, 0.0), TRUE);
      set_style (self, NULL);
      return;
    }
  else if (fb_job_get_phase (job) == FB_JOB_PHASE_SAVING)
    fraction = 1.0;
  else if (fraction < 0)
    fraction = 0.0;

  /* A catalog job is its image, then its metadata: a job whose image is in
   * and waits for its metadata is half done, not done. */
  if (catalog && state != FB_JOB_STATE_OK && !fb_job_is_final (job))
    fraction = fb_job_get_phase_time (job, FB_JOB_PHASE_TRANSFERRING) != 0 &&
               fb_job_get_phase (job) == FB_JOB_PHASE_WAITING ? 0.5 : fraction * 0.5;

  set_bar (self, fraction, FALSE);
  set_style (self, fb_job_is_final (job) ? fb_format_job_style (job) : NULL);
}

static void
refresh (FbJobCell *self)
{
  FbJob *job = self->job;
  g_autofree char *text = NULL;

  if (job == NULL)
    {
      if (self->column == FB_JOB_COLUMN_PROGRESS)
        set_bar (self, 0.0, FALSE);
      else
        set_text (self, "");
      set_icon (self, NULL);
      set_style (self, NULL);
      return;
    }

  switch (self->column)
    {
    case FB_JOB_COLUMN_NAME:
      text = fb_format_job_name (job);
      set_text (self, text);
      break;

    case FB_JOB_COLUMN_KIND:
      set_text (self, fb_format_kind (fb_job_get_kind (job)));
      break;

    case FB_JOB_COLUMN_STATE:
      set_text (self, fb_format_job_state (job));
      set_icon (self, fb_format_job_icon (job));
      set_style (self, fb_format_job_style (job));
      break;

    case FB_JOB_COLUMN_PROGRESS:
      refresh_progress (self);
      break;

    case FB_JOB_COLUMN_SIZE:
      text = fb_format_size (fb_job_get_bytes_received (job), fb_job_get_bytes_expected (job));
      set_text (self, text);
      break;

    case FB_JOB_COLUMN_SPEED:
      text = fb_format_job_speed (job);
      set_text (self, text);
      break;

    case FB_JOB_COLUMN_ELAPSED:
      text = fb_job_get_elapsed (job) > 0 ? fb_format_duration (fb_job_get_elapsed (job))
                                          : g_strdup ("");
      set_text (self, text);
      break;

    case FB_JOB_COLUMN_MESSAGE:
      text = fb_format_job_message (job);
      set_text (self, text);
      set_style (self, fb_job_get_state (job) == FB_JOB_STATE_ERROR ? "error" : NULL);
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  FbJobCell *self = FB_JOB_CELL (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  gint64 interval = live_interval (self);

  /* Rows out of view stay alive but unmapped; they catch up when they are
   * mapped again (see fb_job_cell_map). */
  if (!gtk_widget_get_mapped (widget))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }

  /* Cells change in the list's own frames (see fb-frame-phase.h); a dirty
   * cell ticks on until one comes. */
  if ((self->dirty || (interval > 0 && now - self->last_refresh >= interval)) &&
      fb_frame_phase_is (clock, FB_FRAME_PHASE_LIST))
    {
      refresh (self);
      self->dirty = FALSE;
      self->last_refresh = now;
      interval = live_interval (self);
    }
  /* A pulse moves at 30 frames a second, half the bars in one frame and
   * half in the next: each bar changed in view is a rectangle GTK 4.8 must
   * redraw, and past 30 of them in a frame it redraws the whole list
   * instead (MAX_RECTS_IN_DIFF in gskrendernodeimpl.c). */
  if (self->pulsing && (gdk_frame_clock_get_frame_counter (clock) + self->position) % 2 == 0)
    gtk_widget_queue_draw (widget);

  if (interval == 0 && !self->dirty)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_tick (FbJobCell *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static void
stop_tick (FbJobCell *self)
{
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

/* A mapped cell shows its job as it is now, outside the frame-by-frame
 * refresh, and ticks while its column changes by itself. */
static void
catch_up (FbJobCell *self)
{
  gboolean live = live_interval (self) > 0;

  if (self->dirty || live)
    {
      refresh (self);
      self->dirty = FALSE;
      self->last_refresh = g_get_monotonic_time ();
    }
  if (live)
    ensure_tick (self);
  else
    stop_tick (self);
}

static void
job_notify_cb (FbJob      *job,
               GParamSpec *pspec,
               FbJobCell  *self)
{
  self->dirty = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ensure_tick (self);
}

static gboolean column_changes (FbJobColumn column);

/* What a mapped cell needs of its job besides its text: to hear of its
 * changes, and the progress bar's accessible name. An unmapped cell has
 * neither: a sorted or filtered list gives most of the 200 rows GTK keeps
 * another job at each refresh, and binding all their cells at once cost
 * most of that refresh (4-7 ms every 0.3 s). */
static void
follow_job (FbJobCell *self)
{
  if (self->job != NULL && self->notify_id == 0 && column_changes (self->column))
    self->notify_id = g_signal_connect (self->job, "notify", G_CALLBACK (job_notify_cb), self);

  if (self->column == FB_JOB_COLUMN_PROGRESS && self->label_stale)
    {
      g_autofree char *label = NULL;

      if (self->job != NULL)
        {
          g_autofree char *shown = fb_url_for_display (fb_job_get_input (self->job));

          /* Translators: the accessible name of a job's progress bar */
          label = g_strdup_printf (_("Progress of %s"), shown);
        }
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label != NULL ? label : "",
                                      -1);
      self->label_stale = FALSE;
    }
}

/* GTK keeps a few hundred rows around the visible ones, unmapped. Keeping
 * them current would cost most of each frame during a busy run, so an
 * unmapped cell only remembers that it is out of date and catches up here,
 * before it is drawn again. */
static void
fb_job_cell_map (GtkWidget *widget)
{
  FbJobCell *self = FB_JOB_CELL (widget);

  GTK_WIDGET_CLASS (fb_job_cell_parent_class)->map (widget);
  follow_job (self);
  catch_up (self);
}

/* Nothing of a cell out of view ticks, its pulse included: a busy run used
 * to leave a hundred hidden bars animating every frame (GtkProgressBar's
 * own pulse ran mapped or not). */
static void
fb_job_cell_unmap (GtkWidget *widget)
{
  FbJobCell *self = FB_JOB_CELL (widget);

  GTK_WIDGET_CLASS (fb_job_cell_parent_class)->unmap (widget);
  stop_tick (self);
  /* Out of view it no longer listens: it catches up when mapped. */
  if (self->notify_id != 0)
    {
      g_clear_signal_handler (&self->notify_id, self->job);
      self->dirty = TRUE;
    }
}

/* Drawing */

/* gtk_widget_get_color () is GTK 4.10; in 4.8 colours come from the widget's
 * style context, named ones (libadwaita's) included. */
static gboolean
lookup_color (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *color)
{
  return gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color);
}

static void
get_color (GtkWidget *widget,
           GdkRGBA   *color)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
}

/* The height of a line of text in the cell's font. Every cell of the list
 * has the same font, so it is worked out once per font and resolution. */
static int
line_height (FbJobCell *self)
{
  static PangoFontDescription *font;
  static double resolution;
  static int height;
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  const PangoFontDescription *now = pango_context_get_font_description (context);

  if (font == NULL || !pango_font_description_equal (font, now) ||
      resolution != pango_cairo_context_get_resolution (context))
    {
      g_autoptr(PangoLayout) layout = pango_layout_new (context);

      pango_layout_get_pixel_size (layout, NULL, &height);
      g_clear_pointer (&font, pango_font_description_free);
      font = pango_font_description_copy (now);
      resolution = pango_cairo_context_get_resolution (context);
    }
  return height;
}

static PangoLayout *
ensure_layout (FbJobCell *self)
{
  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
      pango_layout_set_ellipsize (self->layout, self->column == FB_JOB_COLUMN_NAME
                                                ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_END);
      if (is_numeric (self->column))
        {
          /* Figures of one width, so the numbers do not jitter as they
           * change (what the "numeric" style class does for labels). */
          g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

          pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
          pango_layout_set_attributes (self->layout, attrs);
        }
      self->layout_stale = TRUE;
    }
  if (self->layout_stale)
    {
      pango_layout_set_text (self->layout, self->text != NULL ? self->text : "", -1);
      self->layout_stale = FALSE;
      self->fit_width = -1;
    }
  return self->layout;
}

static void
append_pill (GtkSnapshot           *snapshot,
             const GdkRGBA         *color,
             const graphene_rect_t *rect)
{
  GskRoundedRect pill;

  gsk_rounded_rect_init_from_rect (&pill, rect, rect->size.height / 2.0f);
  gtk_snapshot_push_rounded_clip (snapshot, &pill);
  gtk_snapshot_append_color (snapshot, color, rect);
  gtk_snapshot_pop (snapshot);
}

/* A trough with a rounded bar, as Adwaita draws a GtkProgressBar; a pulse
 * is a block that sweeps to and fro. */
static void
snapshot_bar (FbJobCell   *self,
              GtkSnapshot *snapshot,
              int          width,
              int          height)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  float length = width - BAR_MARGIN_END;
  float y = (height - BAR_HEIGHT) / 2.0f;
  float x0 = rtl ? BAR_MARGIN_END : 0;
  float start, size;
  GdkRGBA trough, fill;

  if (length <= 0)
    return;

  /* The trough is the cell's colour, faint: grey, or red for a failed job. */
  get_color (widget, &fill);
  trough = fill;
  trough.alpha *= 0.15f;
  if (self->style == NULL)
    {
      if (!lookup_color (widget, "accent_bg_color", &fill))
        lookup_color (widget, "accent_color", &fill);
    }
  else if (g_str_equal (self->style, "dim-label"))
    fill.alpha *= 0.3f;

  append_pill (snapshot, &trough, &GRAPHENE_RECT_INIT (x0, y, length, BAR_HEIGHT));

  if (self->pulsing)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
      gint64 now = clock != NULL ? gdk_frame_clock_get_frame_time (clock) : g_get_monotonic_time ();
      /* Rows sweep out of step, as bars pulsing since their own start do. */
      gint64 offset = (gint64) (self->position % 7) * PULSE_PERIOD / 7;
      double phase = ((now + offset) % PULSE_PERIOD) / (double) PULSE_PERIOD;
      double sweep = phase < 0.5 ? 2 * phase : 2 - 2 * phase;

      size = MAX (length * PULSE_BLOCK, BAR_HEIGHT);
      start = sweep * (length - size);
    }
  else if (self->fraction > 0)
    {
      size = MIN (MAX (length * self->fraction, BAR_HEIGHT), length);
      start = 0;
    }
  else
    return;

  if (rtl)
    start = length - start - size;
  append_pill (snapshot, &fill, &GRAPHENE_RECT_INIT (x0 + start, y, size, BAR_HEIGHT));
}

/* GTK 4.8 draws a symbolic icon through a colour-matrix node, and its cairo
 * renderer draws every node of the window in every frame (only the pixels
 * are clipped to what changed): each state icon was drawn into a group and
 * recoloured pixel by pixel 60 times a second, about 1.5 ms of each frame
 * of a busy run for the 20-odd icons in view. An icon is recoloured once
 * instead, into a texture, for each set of colours, scale and theme it is
 * drawn with (a few states times a few styles), and drawn as that texture. */
static GHashTable *icon_textures;   /* key (char*) -> GdkTexture */

static GdkTexture *
icon_texture (GtkIconPaintable *icon,
              const char       *icon_name,
              const char       *theme,
              GtkTextDirection  direction,
              const GdkRGBA    *colors,
              int               scale)
{
  g_autofree char *key = NULL;
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  cairo_surface_t *surface;
  g_autoptr(GBytes) bytes = NULL;
  GdkTexture *texture;
  int size = ICON_SIZE * scale;
  int stride;

  key = g_strdup_printf ("%s %s %d %d %g,%g,%g,%g %g,%g,%g,%g %g,%g,%g,%g %g,%g,%g,%g",
                         icon_name, theme != NULL ? theme : "", direction, scale,
                         colors[0].red, colors[0].green, colors[0].blue, colors[0].alpha,
                         colors[1].red, colors[1].green, colors[1].blue, colors[1].alpha,
                         colors[2].red, colors[2].green, colors[2].blue, colors[2].alpha,
                         colors[3].red, colors[3].green, colors[3].blue, colors[3].alpha);
  if (icon_textures == NULL)
    icon_textures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  texture = g_hash_table_lookup (icon_textures, key);
  if (texture != NULL)
    return texture;

  snapshot = gtk_snapshot_new ();
  gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (icon), snapshot,
                                            size, size, colors, 4);
  node = gtk_snapshot_free_to_node (snapshot);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
  if (node != NULL)
    {
      cairo_t *cr = cairo_create (surface);

      gsk_render_node_draw (node, cr);
      cairo_destroy (cr);
    }
  cairo_surface_flush (surface);
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new (cairo_image_surface_get_data (surface), (gsize) stride * size);
  cairo_surface_destroy (surface);
  /* GDK_MEMORY_DEFAULT is cairo's ARGB32: premultiplied, native order. */
  texture = gdk_memory_texture_new (size, size, GDK_MEMORY_DEFAULT, bytes, stride);
  g_hash_table_insert (icon_textures, g_steal_pointer (&key), texture);
  return texture;
}

static void
snapshot_icon (FbJobCell   *self,
               GtkSnapshot *snapshot,
               float        x,
               int          height)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));
  g_autofree char *theme_name = gtk_icon_theme_get_theme_name (theme);
  GdkRGBA colors[4];

  if (self->icon == NULL)
    self->icon = gtk_icon_theme_lookup_icon (theme, self->icon_name, NULL, ICON_SIZE,
                                             gtk_widget_get_scale_factor (widget),
                                             gtk_widget_get_direction (widget), 0);

  /* Foreground, error, warning, success: the colours a symbolic icon has. */
  get_color (widget, &colors[0]);
  if (g_strcmp0 (self->style, "accent") == 0)
    lookup_color (widget, "accent_color", &colors[0]);
  colors[1] = colors[2] = colors[3] = colors[0];
  lookup_color (widget, "error_color", &colors[1]);
  lookup_color (widget, "warning_color", &colors[2]);
  lookup_color (widget, "success_color", &colors[3]);

  gtk_snapshot_append_texture (snapshot,
                               icon_texture (self->icon, self->icon_name, theme_name,
                                             gtk_widget_get_direction (widget), colors,
                                             gtk_widget_get_scale_factor (widget)),
                               &GRAPHENE_RECT_INIT (x, (height - ICON_SIZE) / 2.0f,
                                                    ICON_SIZE, ICON_SIZE));
}

static void
fb_job_cell_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  FbJobCell *self = FB_JOB_CELL (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int text_x = 0;
  int text_width = width;
  PangoLayout *layout;
  GdkRGBA color;
  int text_height;

  if (self->column == FB_JOB_COLUMN_PROGRESS)
    {
      /* A negative fraction: no bar at all (a probe has no amount to show). */
      if (self->fraction >= 0 || self->pulsing)
        snapshot_bar (self, snapshot, width, height);
      return;
    }

  if (self->icon_name != NULL)
    {
      snapshot_icon (self, snapshot, rtl ? width - ICON_SIZE : 0, height);
      text_width -= ICON_SIZE + ICON_SPACING;
      text_x = rtl ? 0 : ICON_SIZE + ICON_SPACING;
    }
  if (self->text == NULL || self->text[0] == '\0' || text_width <= 0)
    return;

  layout = ensure_layout (self);
  /* A URL loses the middle of its path, not its host or file name. */
  if (self->column == FB_JOB_COLUMN_NAME && self->fit_width != text_width &&
      strstr (self->text, "://") != NULL)
    {
      g_autofree char *fitted = fb_format_url_to_fit (layout, self->text, text_width);

      pango_layout_set_text (layout, fitted, -1);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
      self->fit_width = text_width;
    }
  pango_layout_set_width (layout, text_width * PANGO_SCALE);
  pango_layout_set_alignment (layout, is_numeric (self->column) != rtl ? PANGO_ALIGN_RIGHT
                                                                       : PANGO_ALIGN_LEFT);
  pango_layout_get_pixel_size (layout, NULL, &text_height);
  get_color (widget, &color);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (text_x, (height - text_height) / 2));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
fb_job_cell_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  FbJobCell *self = FB_JOB_CELL (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      if (self->column == FB_JOB_COLUMN_PROGRESS)
        *minimum = BAR_MIN_WIDTH + BAR_MARGIN_END;
      else if (self->column == FB_JOB_COLUMN_STATE)
        *minimum = ICON_SIZE + ICON_SPACING + MIN_TEXT_WIDTH;
      else
        *minimum = MIN_TEXT_WIDTH;
    }
  else if (self->column == FB_JOB_COLUMN_PROGRESS)
    *minimum = BAR_HEIGHT;
  else
    *minimum = MAX (line_height (self), self->column == FB_JOB_COLUMN_STATE ? ICON_SIZE : 0);
  *natural = *minimum;
}

/* The font, the icon theme or the text direction may have changed. */
static void
fb_job_cell_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  FbJobCell *self = FB_JOB_CELL (widget);

  GTK_WIDGET_CLASS (fb_job_cell_parent_class)->css_changed (widget, change);
  if (self->layout != NULL)
    pango_layout_context_changed (self->layout);
  self->fit_width = -1;
  g_clear_object (&self->icon);
}

static void
fb_job_cell_direction_changed (GtkWidget        *widget,
                               GtkTextDirection  previous)
{
  FbJobCell *self = FB_JOB_CELL (widget);

  GTK_WIDGET_CLASS (fb_job_cell_parent_class)->direction_changed (widget, previous);
  if (self->layout != NULL)
    pango_layout_context_changed (self->layout);
  self->fit_width = -1;
  g_clear_object (&self->icon);
  gtk_widget_queue_draw (widget);
}

static gboolean
column_changes (FbJobColumn column)
{
  return column != FB_JOB_COLUMN_NAME && column != FB_JOB_COLUMN_KIND;
}

/* Tooltips are written when asked for: setting one on every refresh would
 * cost a round trip to the display server per row. */
static gboolean
query_tooltip_cb (FbJobCell  *self,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip)
{
  g_autofree char *text = NULL;

  if (self->job == NULL)
    return FALSE;
  text = fb_format_job_tooltip (self->job);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
fb_job_cell_dispose (GObject *object)
{
  FbJobCell *self = FB_JOB_CELL (object);

  fb_job_cell_set_job (self, NULL);
  stop_tick (self);
  g_clear_object (&self->layout);
  g_clear_object (&self->icon);

  G_OBJECT_CLASS (fb_job_cell_parent_class)->dispose (object);
}

static void
fb_job_cell_finalize (GObject *object)
{
  FbJobCell *self = FB_JOB_CELL (object);

  g_free (self->text);

  G_OBJECT_CLASS (fb_job_cell_parent_class)->finalize (object);
}

static void
fb_job_cell_constructed (GObject *object)
{
  FbJobCell *self = FB_JOB_CELL (object);

  G_OBJECT_CLASS (fb_job_cell_parent_class)->constructed (object);

  if (self->column == FB_JOB_COLUMN_PROGRESS)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "progress");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                      GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 1.0,
                                      GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, 0.0,
                                      -1);
    }

  /* A failed job's reason, in full, where the person points. */
  if (self->column == FB_JOB_COLUMN_STATE || self->column == FB_JOB_COLUMN_MESSAGE ||
      self->column == FB_JOB_COLUMN_NAME)
    {
      gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
      g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
    }
}

static void
fb_job_cell_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  FbJobCell *self = FB_JOB_CELL (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    case PROP_COLUMN:
      g_value_set_enum (value, self->column);
      break;
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_job_cell_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  FbJobCell *self = FB_JOB_CELL (object);

  switch (prop_id)
    {
    case PROP_JOB:
      fb_job_cell_set_job (self, g_value_get_object (value));
      break;
    case PROP_COLUMN:
      self->column = g_value_get_enum (value);
      break;
    case PROP_POSITION:
      fb_job_cell_set_position (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_job_cell_class_init (FbJobCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = fb_job_cell_constructed;
  object_class->dispose = fb_job_cell_dispose;
  object_class->finalize = fb_job_cell_finalize;
  object_class->get_property = fb_job_cell_get_property;
  object_class->set_property = fb_job_cell_set_property;

  widget_class->map = fb_job_cell_map;
  widget_class->unmap = fb_job_cell_unmap;
  widget_class->measure = fb_job_cell_measure;
  widget_class->snapshot = fb_job_cell_snapshot;
  widget_class->css_changed = fb_job_cell_css_changed;
  widget_class->direction_changed = fb_job_cell_direction_changed;

  properties[PROP_JOB] =
    g_param_spec_object ("job", NULL, NULL,
                         FB_TYPE_JOB,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLUMN] =
    g_param_spec_enum ("column", NULL, NULL,
                       FB_TYPE_JOB_COLUMN, FB_JOB_COLUMN_NAME,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL,
                       0, G_MAXUINT, G_MAXUINT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "fbjobcell");
}

static void
fb_job_cell_init (FbJobCell *self)
{
  self->position = G_MAXUINT;
  self->fit_width = -1;
}

GtkWidget *
fb_job_cell_new (FbJobColumn column)
{
  return g_object_new (FB_TYPE_JOB_CELL,
                       "column", column,
                       "accessible-role", column == FB_JOB_COLUMN_PROGRESS
                                          ? GTK_ACCESSIBLE_ROLE_PROGRESS_BAR
                                          : GTK_ACCESSIBLE_ROLE_LABEL,
                       NULL);
}

FbJob *
fb_job_cell_get_job (FbJobCell *self)
{
  g_return_val_if_fail (FB_IS_JOB_CELL (self), NULL);

  return self->job;
}

void
fb_job_cell_set_job (FbJobCell *self,
                     FbJob     *job)
{
  g_return_if_fail (FB_IS_JOB_CELL (self));
  g_return_if_fail (job == NULL || FB_IS_JOB (job));

  if (self->job == job)
    return;

  if (self->job != NULL)
    {
      g_clear_signal_handler (&self->notify_id, self->job);
      g_clear_object (&self->job);
    }

  if (job != NULL)
    self->job = g_object_ref (job);
  self->label_stale = TRUE;

  /* A newly bound row shows its job in the same frame; an unmapped one
   * waits until it is mapped. */
  self->dirty = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      follow_job (self);
      catch_up (self);
    }
  else
    stop_tick (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB]);
}

FbJobColumn
fb_job_cell_get_column (FbJobCell *self)
{
  g_return_val_if_fail (FB_IS_JOB_CELL (self), FB_JOB_COLUMN_NAME);

  return self->column;
}

guint
fb_job_cell_get_position (FbJobCell *self)
{
  g_return_val_if_fail (FB_IS_JOB_CELL (self), G_MAXUINT);

  return self->position;
}

void
fb_job_cell_set_position (FbJobCell *self,
                          guint      position)
{
  g_return_if_fail (FB_IS_JOB_CELL (self));

  if (self->position == position)
    return;
  self->position = position;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

const char *
fb_job_cell_get_shown_text (FbJobCell *self)
{
  g_return_val_if_fail (FB_IS_JOB_CELL (self), NULL);

  return self->layout != NULL && !self->layout_stale ? pango_layout_get_text (self->layout)
                                                     : self->text;
}

const char *
fb_job_cell_get_text (FbJobCell *self)
{
  g_return_val_if_fail (FB_IS_JOB_CELL (self), NULL);

  return self->text;
}

double
fb_job_cell_get_fraction (FbJobCell *self)
{
  g_return_val_if_fail (FB_IS_JOB_CELL (self), -1.0);

  if (self->column != FB_JOB_COLUMN_PROGRESS || self->pulsing)
    return -1.0;
  return self->fraction;
}
