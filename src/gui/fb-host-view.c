/* fb-host-view.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-host-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "fb-format.h"
#include "fb-hosts.h"
#include "fb-host-view.h"

/* Counts change with every job: the view reads them this often, at most. */
#define REFRESH_INTERVAL_MS 250
/* Bytes per second over this long, so the figure does not jitter. */
#define RATE_WINDOW         G_USEC_PER_SEC

typedef struct
{
  char        *key;
  AdwActionRow *row;        /* borrowed: the list owns it */
  char        *summary;
  guint64      last_bytes;
  gint64       last_time;
  double       rate;
} Row;

struct _FbHostView
{
  GtkWidget   parent_instance;

  /* Template widgets */
  GtkStack   *stack;
  GtkListBox *list;

  /* Owned */
  FbRun      *run;
  GPtrArray  *rows;         /* Row*, in the order of the list */

  guint       refresh_id;
};

G_DEFINE_FINAL_TYPE (FbHostView, fb_host_view, GTK_TYPE_WIDGET)

static void
row_free (Row *row)
{
  g_free (row->key);
  g_free (row->summary);
  g_free (row);
}

static void
clear_rows (FbHostView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_ptr_array_set_size (self->rows, 0);
}

static Row *
find_row (FbHostView *self,
          const char *key,
          guint      *index)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = self->rows->pdata[i];

      if (g_str_equal (row->key, key))
        {
          if (index != NULL)
            *index = i;
          return row;
        }
    }
  return NULL;
}

static char *
format_summary (const FbHostStats *stats,
                double             rate,
                gint64             now)
{
  guint total = stats->counts[FB_HOSTS_TOTAL];
  guint active = stats->counts[FB_HOSTS_ACTIVE];
  guint ok = stats->counts[FB_HOSTS_OK];
  guint failed = stats->counts[FB_HOSTS_FAILED];
  guint cancelled = stats->counts[FB_HOSTS_CANCELLED];
  guint finished = ok + failed + cancelled;
  guint waiting = total > active + finished ? total - active - finished : 0;
  g_autofree char *speed = fb_format_speed (rate);
  GString *text = g_string_new (NULL);

  /* Translators: a host's jobs: under way, waiting, saved, failed */
  g_string_append_printf (text, _("%u active · %u waiting · %u done · %u failed"),
                          active, waiting, ok, failed);
  if (cancelled > 0)
    /* Translators: appended to a host's counts */
    g_string_append_printf (text, _(" · %u cancelled"), cancelled);
  g_string_append_c (text, '\n');
  g_string_append (text, *speed != '\0' ? speed : _("idle"));
  if (stats->limit > 0)
    /* Translators: the per-host limit, appended to a host's speed */
    g_string_append_printf (text, _(" · at most %u at once"), stats->limit);
  if (stats->hold_until > now)
    {
      g_autoptr(GDateTime) wall = g_date_time_new_now_local ();
      g_autoptr(GDateTime) end = g_date_time_add (wall, stats->hold_until - now);
      g_autofree char *clock = g_date_time_format (end, "%X");
      guint left = (guint) ((stats->hold_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

      /* Translators: the host asked (Retry-After) to be left alone until a
       * time of day; then the seconds left */
      g_string_append_printf (text, _(" · held until %s (Retry-After, %u s)"), clock, left);
    }
  return g_string_free (text, FALSE);
}

void
fb_host_view_refresh (FbHostView *self)
{
  g_autoptr(GArray) stats = NULL;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (FB_IS_HOST_VIEW (self));

  if (self->run == NULL)
    {
      clear_rows (self);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  stats = fb_run_dup_host_stats (self->run);
  /* Hosts come sorted and only ever join a run: a row is added where it
   * belongs, the others are updated in place. */
  for (guint i = 0; i < stats->len; i++)
    {
      const FbHostStats *host = &g_array_index (stats, FbHostStats, i);
      guint at;
      Row *row = find_row (self, host->key, &at);
      g_autofree char *summary = NULL;

      if (row == NULL)
        {
          row = g_new0 (Row, 1);
          row->key = g_strdup (host->key);
          row->row = ADW_ACTION_ROW (adw_action_row_new ());
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), host->key);
          adw_action_row_set_subtitle_lines (row->row, 0);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->row), FALSE);
          at = MIN (i, self->rows->len);
          g_ptr_array_insert (self->rows, (int) at, row);
          gtk_list_box_insert (self->list, GTK_WIDGET (row->row), (int) at);
          row->last_bytes = host->bytes;
          row->last_time = now;
        }
      else if (now - row->last_time >= RATE_WINDOW)
        {
          row->rate = (host->bytes - MIN (host->bytes, row->last_bytes)) * (double) G_USEC_PER_SEC /
                      (double) (now - row->last_time);
          row->last_bytes = host->bytes;
          row->last_time = now;
        }

      summary = format_summary (host, row->rate, now);
      if (g_strcmp0 (summary, row->summary) != 0)
        {
          g_free (row->summary);
          row->summary = g_steal_pointer (&summary);
          adw_action_row_set_subtitle (row->row, row->summary);
        }
    }
  gtk_stack_set_visible_child_name (self->stack, self->rows->len > 0 ? "hosts" : "empty");
}

static gboolean
refresh_cb (gpointer user_data)
{
  fb_host_view_refresh (FB_HOST_VIEW (user_data));
  return G_SOURCE_CONTINUE;
}

static void
fb_host_view_map (GtkWidget *widget)
{
  FbHostView *self = FB_HOST_VIEW (widget);

  GTK_WIDGET_CLASS (fb_host_view_parent_class)->map (widget);
  fb_host_view_refresh (self);
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
}

static void
fb_host_view_unmap (GtkWidget *widget)
{
  FbHostView *self = FB_HOST_VIEW (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  GTK_WIDGET_CLASS (fb_host_view_parent_class)->unmap (widget);
}

static void
fb_host_view_dispose (GObject *object)
{
  FbHostView *self = FB_HOST_VIEW (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->run);
  gtk_widget_dispose_template (GTK_WIDGET (self), FB_TYPE_HOST_VIEW);

  G_OBJECT_CLASS (fb_host_view_parent_class)->dispose (object);
}

static void
fb_host_view_finalize (GObject *object)
{
  FbHostView *self = FB_HOST_VIEW (object);

  g_ptr_array_unref (self->rows);

  G_OBJECT_CLASS (fb_host_view_parent_class)->finalize (object);
}

static void
fb_host_view_class_init (FbHostViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fb_host_view_dispose;
  object_class->finalize = fb_host_view_finalize;
  widget_class->map = fb_host_view_map;
  widget_class->unmap = fb_host_view_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fetchboard/Fetchboard/fb-host-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FbHostView, stack);
  gtk_widget_class_bind_template_child (widget_class, FbHostView, list);
  gtk_widget_class_set_css_name (widget_class, "fbhostview");
}

static void
fb_host_view_init (FbHostView *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
fb_host_view_new (void)
{
  return g_object_new (FB_TYPE_HOST_VIEW, NULL);
}

void
fb_host_view_set_run (FbHostView *self,
                      FbRun      *run)
{
  g_return_if_fail (FB_IS_HOST_VIEW (self));
  g_return_if_fail (run == NULL || FB_IS_RUN (run));

  if (self->run == run)
    return;
  g_set_object (&self->run, run);
  clear_rows (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    fb_host_view_refresh (self);
  else
    gtk_stack_set_visible_child_name (self->stack, "empty");
}

guint
fb_host_view_get_n_hosts (FbHostView *self)
{
  g_return_val_if_fail (FB_IS_HOST_VIEW (self), 0);

  return self->rows->len;
}

const char *
fb_host_view_get_summary (FbHostView *self,
                          const char *host)
{
  Row *row;

  g_return_val_if_fail (FB_IS_HOST_VIEW (self), NULL);
  g_return_val_if_fail (host != NULL, NULL);

  row = find_row (self, host, NULL);
  return row != NULL ? row->summary : NULL;
}
