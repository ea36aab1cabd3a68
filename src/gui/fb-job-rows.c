/* fb-job-rows.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-job-rows"

#include "config.h"

#include <gtk/gtk.h>

#include "fb-job-rows.h"

struct _FbJobRow
{
  GObject  parent_instance;

  FbJob   *job;
};

G_DEFINE_FINAL_TYPE (FbJobRow, fb_job_row, G_TYPE_OBJECT)

enum {
  ROW_PROP_0,
  ROW_PROP_JOB,
  ROW_N_PROPS
};

static GParamSpec *row_properties[ROW_N_PROPS];

static void
fb_job_row_dispose (GObject *object)
{
  g_clear_object (&FB_JOB_ROW (object)->job);

  G_OBJECT_CLASS (fb_job_row_parent_class)->dispose (object);
}

static void
fb_job_row_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  switch (prop_id)
    {
    case ROW_PROP_JOB:
      g_value_set_object (value, FB_JOB_ROW (object)->job);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_job_row_class_init (FbJobRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_job_row_dispose;
  object_class->get_property = fb_job_row_get_property;

  row_properties[ROW_PROP_JOB] =
    g_param_spec_object ("job", NULL, NULL, FB_TYPE_JOB,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);
}

static void
fb_job_row_init (FbJobRow *self)
{
}

FbJob *
fb_job_row_get_job (FbJobRow *self)
{
  g_return_val_if_fail (FB_IS_JOB_ROW (self), NULL);

  return self->job;
}

/* FbJobRows */

struct _FbJobRows
{
  GObject     parent_instance;

  /* Owned */
  GListModel *jobs;
  GPtrArray  *rows;        /* FbJobRow* */

  guint       n_shown;     /* rows showing a job; those after them are blank */
  guint       dirty_from;  /* the first place that may show another job; G_MAXUINT: none */
  guint       sync_id;
};

static void fb_job_rows_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FbJobRows, fb_job_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      fb_job_rows_list_model_init))

static gboolean
sync_cb (gpointer user_data)
{
  FbJobRows *self = user_data;

  self->sync_id = 0;
  fb_job_rows_sync (self);
  return G_SOURCE_REMOVE;
}

static void
jobs_changed_cb (GListModel *jobs,
                 guint       position,
                 guint       removed,
                 guint       added,
                 FbJobRows  *self)
{
  self->dirty_from = MIN (self->dirty_from, position);
  /* Jobs added at the end (the list in its own order) show at once;
   * moves, which come in bursts, once the burst is over. */
  if (self->dirty_from >= self->n_shown)
    {
      fb_job_rows_sync (self);
      return;
    }
  /* Before the frame's layout (GDK_PRIORITY_REDRAW), after GTK's resizes. */
  if (self->sync_id == 0)
    self->sync_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 15, sync_cb, self, NULL);
}

static GType
fb_job_rows_get_item_type (GListModel *model)
{
  return FB_TYPE_JOB_ROW;
}

static guint
fb_job_rows_get_n_items (GListModel *model)
{
  return FB_JOB_ROWS (model)->rows->len;
}

static gpointer
fb_job_rows_get_item (GListModel *model,
                      guint       position)
{
  FbJobRows *self = FB_JOB_ROWS (model);

  if (position >= self->rows->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->rows, position));
}

static void
fb_job_rows_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = fb_job_rows_get_item_type;
  iface->get_n_items = fb_job_rows_get_n_items;
  iface->get_item = fb_job_rows_get_item;
}

static void
fb_job_rows_dispose (GObject *object)
{
  FbJobRows *self = FB_JOB_ROWS (object);

  g_clear_handle_id (&self->sync_id, g_source_remove);
  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_func (self->jobs, jobs_changed_cb, self);
  g_clear_object (&self->jobs);
  g_ptr_array_set_size (self->rows, 0);

  G_OBJECT_CLASS (fb_job_rows_parent_class)->dispose (object);
}

static void
fb_job_rows_finalize (GObject *object)
{
  g_ptr_array_unref (FB_JOB_ROWS (object)->rows);

  G_OBJECT_CLASS (fb_job_rows_parent_class)->finalize (object);
}

static void
fb_job_rows_class_init (FbJobRowsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_job_rows_dispose;
  object_class->finalize = fb_job_rows_finalize;
}

static void
fb_job_rows_init (FbJobRows *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->dirty_from = G_MAXUINT;
}

FbJobRows *
fb_job_rows_new (GListModel *jobs)
{
  FbJobRows *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (jobs), NULL);

  self = g_object_new (FB_TYPE_JOB_ROWS, NULL);
  self->jobs = g_object_ref (jobs);
  g_signal_connect (jobs, "items-changed", G_CALLBACK (jobs_changed_cb), self);
  jobs_changed_cb (jobs, 0, 0, g_list_model_get_n_items (jobs), self);
  fb_job_rows_sync (self);
  return self;
}

static void
row_set_job (FbJobRow *row,
             FbJob    *job)
{
  if (row->job == job)
    return;
  g_set_object (&row->job, job);
  g_object_notify_by_pspec (G_OBJECT (row), row_properties[ROW_PROP_JOB]);
}

void
fb_job_rows_sync (FbJobRows *self)
{
  guint n_jobs;
  guint n_rows;
  guint keep;

  g_return_if_fail (FB_IS_JOB_ROWS (self));

  g_clear_handle_id (&self->sync_id, g_source_remove);
  if (self->dirty_from == G_MAXUINT)
    return;

  n_jobs = g_list_model_get_n_items (self->jobs);
  n_rows = self->rows->len;
  for (guint i = self->dirty_from; i < MIN (n_jobs, n_rows); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (self->jobs, i);

      row_set_job (g_ptr_array_index (self->rows, i), job);
    }
  /* Rows past the jobs go blank first (see fb_job_rows_trim ()). */
  for (guint i = n_jobs; i < self->n_shown && i < n_rows; i++)
    row_set_job (g_ptr_array_index (self->rows, i), NULL);
  self->n_shown = n_jobs;
  self->dirty_from = G_MAXUINT;

  if (n_jobs > n_rows)
    {
      for (guint i = n_rows; i < n_jobs; i++)
        {
          FbJobRow *row = g_object_new (FB_TYPE_JOB_ROW, NULL);

          row->job = g_list_model_get_item (self->jobs, i);
          g_ptr_array_add (self->rows, row);
        }
      g_list_model_items_changed (G_LIST_MODEL (self), n_rows, 0, n_jobs - n_rows);
    }
  keep = n_jobs + FB_JOB_ROWS_KEEP_BLANK;
  if (n_rows > keep)
    {
      g_ptr_array_set_size (self->rows, keep);
      g_list_model_items_changed (G_LIST_MODEL (self), keep, n_rows - keep, 0);
    }
}

guint
fb_job_rows_get_n_blank (FbJobRows *self)
{
  g_return_val_if_fail (FB_IS_JOB_ROWS (self), 0);

  return self->rows->len - MIN (self->rows->len, self->n_shown);
}

guint
fb_job_rows_trim (FbJobRows *self,
                  guint      max)
{
  guint n_rows;
  guint n;

  g_return_val_if_fail (FB_IS_JOB_ROWS (self), 0);

  n_rows = self->rows->len;
  n = MIN (max, fb_job_rows_get_n_blank (self));
  if (n > 0)
    {
      g_ptr_array_set_size (self->rows, n_rows - n);
      g_list_model_items_changed (G_LIST_MODEL (self), n_rows - n, n, 0);
    }
  return fb_job_rows_get_n_blank (self);
}
