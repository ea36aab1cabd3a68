/* fb-job-cell.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-job-cell"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-format.h"
#include "fb-job-cell.h"

#define PULSE_INTERVAL   (G_USEC_PER_SEC / 10)
#define ELAPSED_INTERVAL (G_USEC_PER_SEC / 10)
#define SPEED_INTERVAL   (G_USEC_PER_SEC / 2)

struct _FbJobCell
{
  GtkWidget    parent_instance;

  GtkWidget   *icon;
  GtkWidget   *label;
  GtkWidget   *bar;

  FbJob       *job;
  gulong       notify_id;
  guint        tick_id;
  gint64       last_refresh;
  guint        position;
  FbJobColumn  column;
  const char  *style;

  guint        dirty : 1;
  guint        pulsing : 1;
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

static gboolean
job_is_pulsing (FbJob *job)
{
  switch (fb_job_get_phase (job))
    {
    case FB_JOB_PHASE_RESOLVING:
    case FB_JOB_PHASE_CONNECTING:
      return !fb_job_is_final (job);
    case FB_JOB_PHASE_TRANSFERRING:
      return !fb_job_is_final (job) && fb_job_get_fraction (job) < 0;
    case FB_JOB_PHASE_QUEUED:
    case FB_JOB_PHASE_WAITING:
    case FB_JOB_PHASE_SAVING:
    case FB_JOB_PHASE_DONE:
    default:
      return FALSE;
    }
}

/* How often a column of this job must redraw without any notification, or 0. */
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
    case FB_JOB_COLUMN_NAME:
    case FB_JOB_COLUMN_KIND:
    case FB_JOB_COLUMN_STATE:
    case FB_JOB_COLUMN_SIZE:
    case FB_JOB_COLUMN_MESSAGE:
    default:
      return 0;
    }
}

static void
set_style (FbJobCell  *self,
           GtkWidget  *widget,
           const char *style)
{
  if (g_strcmp0 (self->style, style) == 0)
    return;
  if (self->style != NULL)
    gtk_widget_remove_css_class (widget, self->style);
  if (style != NULL)
    gtk_widget_add_css_class (widget, style);
  self->style = style;
}

static void
set_label (FbJobCell  *self,
           const char *text)
{
  if (g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (self->label)), text) != 0)
    gtk_inscription_set_text (GTK_INSCRIPTION (self->label), text);
}

static void
refresh_progress (FbJobCell *self,
                  gboolean   pulse)
{
  GtkProgressBar *bar = GTK_PROGRESS_BAR (self->bar);
  FbJob *job = self->job;
  FbJobState state = fb_job_get_state (job);
  double fraction = fb_job_get_fraction (job);

  if (state == FB_JOB_STATE_OK)
    fraction = 1.0;
  else if (job_is_pulsing (job))
    {
      /* The first pulse leaves the last fraction behind at once. */
      if (pulse || !self->pulsing)
        gtk_progress_bar_pulse (bar);
      self->pulsing = TRUE;
      set_style (self, self->bar, NULL);
      return;
    }
  else if (fb_job_get_phase (job) == FB_JOB_PHASE_SAVING)
    fraction = 1.0;
  else if (fraction < 0)
    fraction = 0.0;

  gtk_progress_bar_set_fraction (bar, fraction);
  self->pulsing = FALSE;
  set_style (self, self->bar, fb_job_is_final (job) ? fb_format_job_style (job) : NULL);
}

static void
refresh (FbJobCell *self,
         gboolean   pulse)
{
  FbJob *job = self->job;
  g_autofree char *text = NULL;

  if (job == NULL)
    {
      if (self->label != NULL)
        set_label (self, "");
      if (self->bar != NULL)
        gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->bar), 0.0);
      self->pulsing = FALSE;
      return;
    }

  switch (self->column)
    {
    case FB_JOB_COLUMN_NAME:
      set_label (self, fb_job_get_input (job));
      break;

    case FB_JOB_COLUMN_KIND:
      set_label (self, fb_format_kind (fb_job_get_kind (job)));
      break;

    case FB_JOB_COLUMN_STATE:
      set_label (self, fb_format_job_state (job));
      gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), fb_format_job_icon (job));
      set_style (self, GTK_WIDGET (self), fb_format_job_style (job));
      break;

    case FB_JOB_COLUMN_PROGRESS:
      refresh_progress (self, pulse);
      break;

    case FB_JOB_COLUMN_SIZE:
      text = fb_format_size (fb_job_get_bytes_received (job), fb_job_get_bytes_expected (job));
      set_label (self, text);
      break;

    case FB_JOB_COLUMN_SPEED:
      text = job_is_busy (job) || fb_job_get_state (job) == FB_JOB_STATE_OK
             ? fb_format_speed (fb_job_get_speed (job)) : g_strdup ("");
      set_label (self, text);
      break;

    case FB_JOB_COLUMN_ELAPSED:
      text = fb_job_get_elapsed (job) > 0 ? fb_format_duration (fb_job_get_elapsed (job))
                                          : g_strdup ("");
      set_label (self, text);
      break;

    case FB_JOB_COLUMN_MESSAGE:
      text = fb_format_job_message (job);
      set_label (self, text);
      set_style (self, GTK_WIDGET (self),
                 fb_job_get_state (job) == FB_JOB_STATE_ERROR ? "error" : NULL);
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

  /* Rows scrolled out of view stay alive but unmapped; they catch up when
   * they are mapped again (see fb_job_cell_map). A bar still pulsing is
   * stopped here, outside the layout that unmapped it (see
   * fb_job_cell_unmap). */
  if (!gtk_widget_get_mapped (widget))
    {
      if (self->pulsing)
        {
          gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->bar), 0.0);
          self->pulsing = FALSE;
        }
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }

  if (self->dirty || (interval > 0 && now - self->last_refresh >= interval))
    {
      refresh (self, interval > 0 && now - self->last_refresh >= interval);
      self->dirty = FALSE;
      self->last_refresh = now;
      interval = live_interval (self);
    }

  if (interval == 0)
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

  /* A bar that should pulse starts on the cell's first tick, a frame later:
   * GTK maps every new row for a moment before it hides those out of view,
   * and a pulse started then would tick on unseen (see fb_job_cell_unmap). */
  if (self->bar != NULL && live && !self->pulsing)
    {
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->bar), 0.0);
      self->dirty = TRUE;
      ensure_tick (self);
      return;
    }

  if (self->dirty || live)
    {
      refresh (self, FALSE);
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

/* GTK keeps a few hundred rows around the visible ones, unmapped. Keeping
 * them current would cost most of each frame during a busy run, so an
 * unmapped cell only remembers that it is out of date and catches up here,
 * before it is drawn again. */
static void
fb_job_cell_map (GtkWidget *widget)
{
  FbJobCell *self = FB_JOB_CELL (widget);

  GTK_WIDGET_CLASS (fb_job_cell_parent_class)->map (widget);
  catch_up (self);
}

/* A pulsing GtkProgressBar animates with a tick callback of its
 * own, mapped or not, until it is given a fraction. Rows scrolled out of view
 * while their bars pulse would keep them all ticking every frame, and the
 * window drawing 60 frames a second after the run. Giving the fraction here,
 * in the middle of the list's allocation, would queue a resize GTK does not
 * expect there, so the cell's own tick does it on the next frame. */
static void
fb_job_cell_unmap (GtkWidget *widget)
{
  FbJobCell *self = FB_JOB_CELL (widget);

  GTK_WIDGET_CLASS (fb_job_cell_parent_class)->unmap (widget);
  if (self->pulsing)
    ensure_tick (self);
  else
    stop_tick (self);
}

static gboolean
column_changes (FbJobColumn column)
{
  return column != FB_JOB_COLUMN_NAME && column != FB_JOB_COLUMN_KIND;
}

static void
build_children (FbJobCell *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  switch (self->column)
    {
    case FB_JOB_COLUMN_STATE:
      self->icon = gtk_image_new ();
      gtk_widget_set_parent (self->icon, widget);
      G_GNUC_FALLTHROUGH;
    case FB_JOB_COLUMN_NAME:
    case FB_JOB_COLUMN_KIND:
    case FB_JOB_COLUMN_SIZE:
    case FB_JOB_COLUMN_SPEED:
    case FB_JOB_COLUMN_ELAPSED:
    case FB_JOB_COLUMN_MESSAGE:
      /* An inscription's size does not follow its text, so a new text
       * costs a redraw of the cell, not a new layout of the whole list. */
      self->label = gtk_inscription_new (NULL);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (self->label), 1);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (self->label),
                                         GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      gtk_widget_set_hexpand (self->label, TRUE);
      gtk_widget_set_parent (self->label, widget);
      break;

    case FB_JOB_COLUMN_PROGRESS:
      self->bar = gtk_progress_bar_new ();
      gtk_progress_bar_set_pulse_step (GTK_PROGRESS_BAR (self->bar), 0.2);
      gtk_widget_set_hexpand (self->bar, TRUE);
      gtk_widget_set_valign (self->bar, GTK_ALIGN_CENTER);
      gtk_widget_set_margin_end (self->bar, 6);
      gtk_widget_set_parent (self->bar, widget);
      break;

    default:
      g_assert_not_reached ();
    }

  switch (self->column)
    {
    case FB_JOB_COLUMN_NAME:
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (self->label),
                                         GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE);
      break;
    case FB_JOB_COLUMN_SIZE:
    case FB_JOB_COLUMN_SPEED:
    case FB_JOB_COLUMN_ELAPSED:
      gtk_inscription_set_xalign (GTK_INSCRIPTION (self->label), 1.0);
      gtk_widget_add_css_class (self->label, "numeric");
      break;
    case FB_JOB_COLUMN_MESSAGE:
    case FB_JOB_COLUMN_STATE:
    case FB_JOB_COLUMN_KIND:
    case FB_JOB_COLUMN_PROGRESS:
    default:
      break;
    }
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
  g_clear_pointer (&self->icon, gtk_widget_unparent);
  g_clear_pointer (&self->label, gtk_widget_unparent);
  g_clear_pointer (&self->bar, gtk_widget_unparent);

  G_OBJECT_CLASS (fb_job_cell_parent_class)->dispose (object);
}

static void
fb_job_cell_constructed (GObject *object)
{
  FbJobCell *self = FB_JOB_CELL (object);

  G_OBJECT_CLASS (fb_job_cell_parent_class)->constructed (object);

  build_children (self);

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
  object_class->get_property = fb_job_cell_get_property;
  object_class->set_property = fb_job_cell_set_property;

  widget_class->map = fb_job_cell_map;
  widget_class->unmap = fb_job_cell_unmap;

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

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "fbjobcell");
}

static void
fb_job_cell_init (FbJobCell *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
  self->position = G_MAXUINT;
}

GtkWidget *
fb_job_cell_new (FbJobColumn column)
{
  return g_object_new (FB_TYPE_JOB_CELL, "column", column, NULL);
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
    {
      self->job = g_object_ref (job);
      if (column_changes (self->column))
        self->notify_id = g_signal_connect (job, "notify", G_CALLBACK (job_notify_cb), self);
    }

  if (self->bar != NULL)
    {
      g_autofree char *label = NULL;

      if (job != NULL)
        /* Translators: the accessible name of a job's progress bar */
        label = g_strdup_printf (_("Progress of %s"), fb_job_get_input (job));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label != NULL ? label : "",
                                      -1);
    }

  /* A newly bound row shows its job in the same frame; an unmapped one
   * waits until it is mapped. */
  self->dirty = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    catch_up (self);
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
fb_job_cell_get_text (FbJobCell *self)
{
  g_return_val_if_fail (FB_IS_JOB_CELL (self), NULL);

  return self->label != NULL ? gtk_inscription_get_text (GTK_INSCRIPTION (self->label)) : NULL;
}

GtkWidget *
fb_job_cell_get_progress_bar (FbJobCell *self)
{
  g_return_val_if_fail (FB_IS_JOB_CELL (self), NULL);

  return self->bar;
}
