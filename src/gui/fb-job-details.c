/* fb-job-details.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-job-details"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-format.h"
#include "fb-job-details.h"
#include "fb-url.h"

/* A job changes many times a second: the pane follows it this often. */
#define REFRESH_INTERVAL_MS 250

typedef struct
{
  const char *field;
  const char *title;
} Field;

static const Field fields[] = {
  { "name", N_("Entry") },
  { "state", N_("State") },
  { "reason", N_("Reason") },
  { "url", N_("URL") },
  { "addresses", N_("Addresses") },
  { "saved", N_("Saved as") },
  { "size", N_("Size") },
  { "source", N_("From") },
  { "phases", N_("Phases") },
};

struct _FbJobDetails
{
  GtkWidget  parent_instance;

  /* Template widgets */
  GtkStack  *stack;
  GtkGrid   *grid;

  /* Owned */
  FbJob     *job;
  GtkLabel  *titles[G_N_ELEMENTS (fields)];
  GtkLabel  *values[G_N_ELEMENTS (fields)];

  guint      refresh_id;
};

G_DEFINE_FINAL_TYPE (FbJobDetails, fb_job_details, GTK_TYPE_WIDGET)

static void
set_field (FbJobDetails *self,
           guint         index,
           const char   *text)
{
  gboolean shown = text != NULL && *text != '\0';

  gtk_widget_set_visible (GTK_WIDGET (self->titles[index]), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->values[index]), shown);
  if (shown && g_strcmp0 (gtk_label_get_label (self->values[index]), text) != 0)
    gtk_label_set_label (self->values[index], text);
}

/* Each phase the job went through, in the order of time (a retry's
 * back-off and the next attempt's phases too): when it began, counted
 * from the first (its place in the queue), and how long it lasted. */
static char *
format_phases (FbJob *job)
{
  GString *text = g_string_new (NULL);
  FbJobSpan spans[64];
  guint n = MIN (fb_job_get_spans (job, g_get_monotonic_time (), spans, G_N_ELEMENTS (spans)),
                 G_N_ELEMENTS (spans));

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *at = fb_format_duration_exact (spans[i].start - spans[0].start);
      g_autofree char *lasted = fb_format_duration_exact (spans[i].end - spans[i].start);

      /* Translators: a phase of a job, when it began after the first, how long it took */
      g_string_append_printf (text, _("%s: from +%s, %s"), fb_format_phase (spans[i].phase),
                              at, lasted);
      g_string_append_c (text, '\n');
    }
  if (text->len > 0)
    g_string_truncate (text, text->len - 1);
  return g_string_free (text, FALSE);
}

static gboolean refresh_cb (gpointer user_data);

static void
refresh (FbJobDetails *self)
{
  FbJob *job = self->job;
  g_autofree char *reason = NULL;
  g_autofree char *source = NULL;
  g_autofree char *size = NULL;
  g_autofree char *phases = NULL;
  g_autofree char *name = NULL;
  g_autofree char *url = NULL;

  if (job == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "none");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "job");

  name = fb_format_job_name (job);
  reason = fb_format_job_reason (job);
  /* A URL's password is never shown. */
  url = fb_job_get_kind (job) != FB_JOB_KIND_PROBE ? fb_url_for_display (fb_job_get_url (job)) : NULL;
  if (fb_job_get_source (job) != NULL)
    /* Translators: where a list entry came from: file name and line number */
    source = g_strdup_printf (_("%s, line %u"), fb_job_get_source (job),
                              fb_job_get_source_line (job));
  if (fb_job_get_kind (job) != FB_JOB_KIND_PROBE)
    size = fb_format_size (fb_job_get_bytes_received (job), fb_job_get_bytes_expected (job));
  phases = format_phases (job);

  set_field (self, 0, name);
  set_field (self, 1, fb_format_job_state (job));
  set_field (self, 2, reason);
  set_field (self, 3, url);
  set_field (self, 4, fb_job_get_addresses (job));
  set_field (self, 5, fb_job_get_saved_path (job));
  set_field (self, 6, size);
  set_field (self, 7, source);
  set_field (self, 8, phases);

  /* A job going on changes by itself (its place in line, a countdown, its
   * phases' lengths): the pane follows it a few times a second. */
  if (!fb_job_is_final (job) && self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
}

static gboolean
refresh_cb (gpointer user_data)
{
  FbJobDetails *self = user_data;

  self->refresh_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static void
job_notify_cb (FbJobDetails *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
}

static void
fb_job_details_dispose (GObject *object)
{
  FbJobDetails *self = FB_JOB_DETAILS (object);

  fb_job_details_set_job (self, NULL);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), FB_TYPE_JOB_DETAILS);

  G_OBJECT_CLASS (fb_job_details_parent_class)->dispose (object);
}

static void
fb_job_details_class_init (FbJobDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fb_job_details_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fetchboard/Fetchboard/fb-job-details.ui");
  gtk_widget_class_bind_template_child (widget_class, FbJobDetails, stack);
  gtk_widget_class_bind_template_child (widget_class, FbJobDetails, grid);
  gtk_widget_class_set_css_name (widget_class, "fbjobdetails");
}

static void
fb_job_details_init (FbJobDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      GtkWidget *title = gtk_label_new (_(fields[i].title));
      GtkWidget *value = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (title), 1.0);
      gtk_label_set_yalign (GTK_LABEL (title), 0.0);
      gtk_widget_add_css_class (title, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (value), 0.0);
      gtk_label_set_wrap (GTK_LABEL (value), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_widget_set_hexpand (value, TRUE);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL, -1);
      gtk_grid_attach (self->grid, title, 0, (int) i, 1, 1);
      gtk_grid_attach (self->grid, value, 1, (int) i, 1, 1);
      self->titles[i] = GTK_LABEL (title);
      self->values[i] = GTK_LABEL (value);
    }
  refresh (self);
}

GtkWidget *
fb_job_details_new (void)
{
  return g_object_new (FB_TYPE_JOB_DETAILS, NULL);
}

FbJob *
fb_job_details_get_job (FbJobDetails *self)
{
  g_return_val_if_fail (FB_IS_JOB_DETAILS (self), NULL);

  return self->job;
}

void
fb_job_details_set_job (FbJobDetails *self,
                        FbJob        *job)
{
  g_return_if_fail (FB_IS_JOB_DETAILS (self));
  g_return_if_fail (job == NULL || FB_IS_JOB (job));

  if (self->job == job)
    return;
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_func (self->job, job_notify_cb, self);
  g_set_object (&self->job, job);
  if (job != NULL)
    g_signal_connect_swapped (job, "notify", G_CALLBACK (job_notify_cb), self);
  refresh (self);
}

const char *
fb_job_details_get_text (FbJobDetails *self,
                         const char   *field)
{
  g_return_val_if_fail (FB_IS_JOB_DETAILS (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (fields[i].field, field))
      return gtk_widget_get_visible (GTK_WIDGET (self->values[i]))
             ? gtk_label_get_label (self->values[i]) : NULL;
  return NULL;
}
