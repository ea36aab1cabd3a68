/* fb-fixed-label.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-fixed-label"

#include "config.h"

#include <math.h>

#include "fb-fixed-label.h"

/* GTK 4.8's GtkLabel queues a resize on every new text, even one of the
 * same width (gtk_label_recalculate), and a resize that reaches the window
 * measures the whole window again in the next frame, under X11 through
 * GdkToplevel's compute-size. The run summary's numbers change ten times a
 * second during a run; drawn by this widget they cost a redraw of the
 * summary only. */

struct _FbFixedLabel
{
  GtkWidget    parent_instance;

  char        *text;
  char       **samples;
  PangoLayout *layout;        /* the text's, made when first needed */
  float        xalign;

  int          text_width;    /* the text's size in the layout, or -1 */
  int          text_height;
  int          reserve_width; /* the widest sample's, or -1 when stale */
  int          reserve_height;
  int          grown_width;   /* the widest text shown beyond the samples */
  int          grown_height;
};

G_DEFINE_FINAL_TYPE (FbFixedLabel, fb_fixed_label, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_XALIGN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The widget's font (its CSS, "heading" and the like, set it on the
 * widget's Pango context), with figures of one width. */
static PangoLayout *
make_layout (FbFixedLabel *self)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  return layout;
}

static PangoLayout *
ensure_layout (FbFixedLabel *self)
{
  if (self->layout == NULL)
    {
      self->layout = make_layout (self);
      pango_layout_set_text (self->layout, self->text != NULL ? self->text : "", -1);
      self->text_width = -1;
    }
  if (self->text_width < 0)
    pango_layout_get_pixel_size (self->layout, &self->text_width, &self->text_height);
  return self->layout;
}

static void
ensure_reserve (FbFixedLabel *self)
{
  g_autoptr(PangoLayout) probe = NULL;

  if (self->reserve_width >= 0)
    return;

  probe = make_layout (self);
  /* An empty line still has a height: the font's. */
  pango_layout_set_text (probe, "", 0);
  pango_layout_get_pixel_size (probe, &self->reserve_width, &self->reserve_height);
  for (guint i = 0; self->samples != NULL && self->samples[i] != NULL; i++)
    {
      g_autofree char *sample = g_strdup (self->samples[i]);
      int width, height;

      /* Tabular figures are all as wide as 0. */
      for (char *c = sample; *c != '\0'; c++)
        if (g_ascii_isdigit (*c))
          *c = '0';
      pango_layout_set_text (probe, sample, -1);
      pango_layout_get_pixel_size (probe, &width, &height);
      self->reserve_width = MAX (self->reserve_width, width);
      self->reserve_height = MAX (self->reserve_height, height);
    }

  /* What shows now counts too: a font change may have made it wider. */
  ensure_layout (self);
  self->grown_width = self->text_width > self->reserve_width ? self->text_width : 0;
  self->grown_height = self->text_height > self->reserve_height ? self->text_height : 0;
}

/* Everything the size depends on is to be worked out again: the font, the
 * resolution or the samples changed. */
static void
reset (FbFixedLabel *self)
{
  g_clear_object (&self->layout);
  self->text_width = -1;
  self->reserve_width = -1;
}

const char *
fb_fixed_label_get_text (FbFixedLabel *self)
{
  g_return_val_if_fail (FB_IS_FIXED_LABEL (self), NULL);

  return self->text != NULL ? self->text : "";
}

void
fb_fixed_label_set_text (FbFixedLabel *self,
                         const char   *text)
{
  g_return_if_fail (FB_IS_FIXED_LABEL (self));

  if (text == NULL)
    text = "";
  if (g_strcmp0 (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);

  if (self->layout != NULL)
    {
      /* Measured whole, not as a narrow window last cut it. */
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_NONE);
      pango_layout_set_width (self->layout, -1);
      pango_layout_set_text (self->layout, text, -1);
      self->text_width = -1;
    }
  /* Stale sizes were queued for a resize when they went stale; worked out
   * again now, they count this text. */
  ensure_reserve (self);
  ensure_layout (self);

  if (self->text_width > MAX (self->reserve_width, self->grown_width) ||
      self->text_height > MAX (self->reserve_height, self->grown_height))
    {
      /* Wider than every sample: it grows, once, rather than cut it. */
      self->grown_width = MAX (self->grown_width, self->text_width);
      self->grown_height = MAX (self->grown_height, self->text_height);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  else
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
fb_fixed_label_set_samples (FbFixedLabel       *self,
                            const char * const *samples)
{
  g_return_if_fail (FB_IS_FIXED_LABEL (self));

  if (self->samples != NULL && samples != NULL &&
      g_strv_equal ((const char * const *) self->samples, samples))
    return;
  if (self->samples == NULL && (samples == NULL || samples[0] == NULL))
    return;

  g_strfreev (self->samples);
  self->samples = g_strdupv ((char **) samples);
  self->reserve_width = -1;
  self->grown_width = 0;
  self->grown_height = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

float
fb_fixed_label_get_xalign (FbFixedLabel *self)
{
  g_return_val_if_fail (FB_IS_FIXED_LABEL (self), 0.5f);

  return self->xalign;
}

void
fb_fixed_label_set_xalign (FbFixedLabel *self,
                           float         xalign)
{
  g_return_if_fail (FB_IS_FIXED_LABEL (self));

  xalign = CLAMP (xalign, 0.0f, 1.0f);
  if (self->xalign == xalign)
    return;
  self->xalign = xalign;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_XALIGN]);
}

static void
fb_fixed_label_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  FbFixedLabel *self = FB_FIXED_LABEL (widget);

  ensure_reserve (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = MAX (self->reserve_width, self->grown_width);
  else
    *minimum = MAX (self->reserve_height, self->grown_height);
  *natural = *minimum;
}

static void
fb_fixed_label_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  FbFixedLabel *self = FB_FIXED_LABEL (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  float xalign = self->xalign;
  PangoLayout *layout;
  GdkRGBA color;

  if (self->text == NULL || self->text[0] == '\0' || width <= 0)
    return;

  layout = ensure_layout (self);
  if (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL)
    xalign = 1.0f - xalign;
  /* Only a window narrower than the label's request cuts the text. */
  if (self->text_width > width)
    {
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_width (layout, width * PANGO_SCALE);
    }
  else if (pango_layout_get_width (layout) != -1)
    {
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_NONE);
      pango_layout_set_width (layout, -1);
    }

  /* gtk_widget_get_color () is GTK 4.10. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (floorf (MAX (width - self->text_width, 0) * xalign),
                                                floorf ((height - self->text_height) / 2.0f)));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
fb_fixed_label_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  FbFixedLabel *self = FB_FIXED_LABEL (widget);

  /* Chaining up queues the resize when the font changed. */
  GTK_WIDGET_CLASS (fb_fixed_label_parent_class)->css_changed (widget, change);
  reset (self);
}

static void
fb_fixed_label_system_setting_changed (GtkWidget        *widget,
                                       GtkSystemSetting  setting)
{
  FbFixedLabel *self = FB_FIXED_LABEL (widget);

  GTK_WIDGET_CLASS (fb_fixed_label_parent_class)->system_setting_changed (widget, setting);
  reset (self);
  gtk_widget_queue_resize (widget);
}

static void
fb_fixed_label_direction_changed (GtkWidget        *widget,
                                  GtkTextDirection  previous)
{
  FbFixedLabel *self = FB_FIXED_LABEL (widget);

  GTK_WIDGET_CLASS (fb_fixed_label_parent_class)->direction_changed (widget, previous);
  reset (self);
  gtk_widget_queue_resize (widget);
}

static void
fb_fixed_label_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FbFixedLabel *self = FB_FIXED_LABEL (object);

  switch (prop_id)
    {
    case PROP_XALIGN:
      g_value_set_float (value, self->xalign);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_fixed_label_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  FbFixedLabel *self = FB_FIXED_LABEL (object);

  switch (prop_id)
    {
    case PROP_XALIGN:
      fb_fixed_label_set_xalign (self, g_value_get_float (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_fixed_label_dispose (GObject *object)
{
  FbFixedLabel *self = FB_FIXED_LABEL (object);

  g_clear_object (&self->layout);

  G_OBJECT_CLASS (fb_fixed_label_parent_class)->dispose (object);
}

static void
fb_fixed_label_finalize (GObject *object)
{
  FbFixedLabel *self = FB_FIXED_LABEL (object);

  g_free (self->text);
  g_strfreev (self->samples);

  G_OBJECT_CLASS (fb_fixed_label_parent_class)->finalize (object);
}

static void
fb_fixed_label_class_init (FbFixedLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fb_fixed_label_dispose;
  object_class->finalize = fb_fixed_label_finalize;
  object_class->get_property = fb_fixed_label_get_property;
  object_class->set_property = fb_fixed_label_set_property;

  widget_class->measure = fb_fixed_label_measure;
  widget_class->snapshot = fb_fixed_label_snapshot;
  widget_class->css_changed = fb_fixed_label_css_changed;
  widget_class->system_setting_changed = fb_fixed_label_system_setting_changed;
  widget_class->direction_changed = fb_fixed_label_direction_changed;

  properties[PROP_XALIGN] =
    g_param_spec_float ("xalign", NULL, NULL, 0.0f, 1.0f, 0.5f,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* It reads as, and is styled as, a label. */
  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
fb_fixed_label_init (FbFixedLabel *self)
{
  self->xalign = 0.5f;
  self->text_width = -1;
  self->reserve_width = -1;
}

GtkWidget *
fb_fixed_label_new (void)
{
  return g_object_new (FB_TYPE_FIXED_LABEL, NULL);
}
