/* fb-cli-progress.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-cli-progress"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fb-cli-progress.h"

#define BAR_MAX_WIDTH 40
#define BAR_MIN_WIDTH 5

struct _FbCliProgress
{
  FbRun    *run;
  guint     timeout_id;
  int       fd;
  gboolean  unicode;
  gboolean  shown;
};

char *
fb_cli_progress_format_time (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  if (seconds >= 3600)
    return g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600),
                            (int) (seconds / 60 % 60), (int) (seconds % 60));
  return g_strdup_printf ("%02d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

static void
append_bar (GString  *line,
            double    fraction,
            guint     width,
            gboolean  unicode)
{
  /* Eighths of a cell, as tqdm draws them. */
  static const char * const partial[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
  guint eighths = (guint) (CLAMP (fraction, 0.0, 1.0) * width * 8);
  guint full = eighths / 8;
  guint used = full;

  for (guint i = 0; i < full; i++)
    g_string_append (line, unicode ? "█" : "#");
  if (full < width && eighths % 8 != 0 && unicode)
    {
      g_string_append (line, partial[eighths % 8]);
      used++;
    }
  for (guint i = used; i < width; i++)
    g_string_append_c (line, unicode ? ' ' : '-');
}

char *
fb_cli_progress_format (guint     done,
                        guint     total,
                        gint64    elapsed_us,
                        guint     width,
                        gboolean  unicode)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *percent = NULL;
  g_autofree char *suffix = NULL;
  g_autofree char *elapsed = NULL;
  g_autofree char *eta = NULL;
  g_autofree char *rate = NULL;
  double fraction = total > 0 ? (double) MIN (done, total) / total : 0.0;
  double seconds = elapsed_us / (double) G_USEC_PER_SEC;
  glong budget;

  elapsed = fb_cli_progress_format_time (elapsed_us / G_USEC_PER_SEC);
  if (done > 0 && seconds > 0)
    {
      double per_second = done / seconds;

      /* Translators: a rate, jobs finished per second */
      rate = g_strdup_printf (_("%.1f/s"), per_second);
      eta = fb_cli_progress_format_time ((gint64) ((total - MIN (done, total)) / per_second + 0.5));
    }
  else
    {
      /* Translators: a rate that is not known yet */
      rate = g_strdup (_("?/s"));
      eta = g_strdup ("?");
    }

  percent = g_strdup_printf ("%3d%%", (int) (fraction * 100));
  suffix = g_strdup_printf ("%u/%u [%s<%s, %s]", done, total, elapsed, eta, rate);

  /* Stay off the last column so the terminal never wraps the line. */
  budget = (glong) width - 1 - g_utf8_strlen (percent, -1) - g_utf8_strlen (suffix, -1) - 3;
  g_string_append (line, percent);
  if (budget >= BAR_MIN_WIDTH)
    {
      g_string_append_c (line, '|');
      append_bar (line, fraction, (guint) MIN (budget, BAR_MAX_WIDTH), unicode);
      g_string_append (line, "| ");
    }
  else
    g_string_append_c (line, ' ');
  g_string_append (line, suffix);

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static guint
terminal_width (int fd)
{
  struct winsize size;
  const char *columns;

  if (ioctl (fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  columns = g_getenv ("COLUMNS");
  if (columns != NULL && atoi (columns) > 0)
    return (guint) atoi (columns);
  return 80;
}

static void
write_all (int         fd,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      gssize written = write (fd, data, length);

      if (written <= 0)
        return;
      data += written;
      length -= (gsize) written;
    }
}

static void
draw (FbCliProgress *self)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  text = fb_cli_progress_format (fb_run_get_n_finished (self->run),
                                 fb_run_get_total (self->run),
                                 fb_run_get_elapsed (self->run),
                                 terminal_width (self->fd),
                                 self->unicode);
  /* Carriage return, the line, then erase what a longer previous line left. */
  line = g_strdup_printf ("\r%s\033[K", text);
  fflush (stdout);
  write_all (self->fd, line, strlen (line));
  self->shown = TRUE;
}

static gboolean
tick_cb (gpointer user_data)
{
  draw (user_data);
  return G_SOURCE_CONTINUE;
}

FbCliProgress *
fb_cli_progress_new (FbRun *run,
                     int    fd,
                     guint  interval_ms)
{
  FbCliProgress *self;

  g_return_val_if_fail (FB_IS_RUN (run), NULL);
  g_return_val_if_fail (interval_ms > 0, NULL);

  self = g_new0 (FbCliProgress, 1);
  self->run = g_object_ref (run);
  self->fd = fd;
  self->unicode = g_get_charset (NULL);
  self->timeout_id = g_timeout_add (interval_ms, tick_cb, self);
  g_source_set_name_by_id (self->timeout_id, "[fetchboard-cli] progress");
  return self;
}

void
fb_cli_progress_clear (FbCliProgress *self)
{
  g_return_if_fail (self != NULL);

  if (!self->shown)
    return;
  write_all (self->fd, "\r\033[K", strlen ("\r\033[K"));
  self->shown = FALSE;
}

void
fb_cli_progress_free (FbCliProgress *self)
{
  if (self == NULL)
    return;
  fb_cli_progress_clear (self);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_object (&self->run);
  g_free (self);
}
