/* fb-cli-find.c: `fetchboard-cli find`, the book's charindex main ().
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-cli"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "fb-cli.h"
#include "fb-index.h"

typedef struct
{
  FbIndex  *index;
  GError   *error;
  gboolean  done;
} Load;

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Load *load = user_data;

  load->index = fb_index_load_finish (result, &load->error);
  load->done = TRUE;
  g_main_context_wakeup (NULL);
}

char *
fb_cli_format_find (FbIndex     *index,
                    const guint *ids,
                    guint        n_ids)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (index != NULL, NULL);

  for (guint i = 0; i < n_ids; i++)
    {
      fb_index_append_line (index, ids[i], TRUE, out);
      g_string_append_c (out, '\n');
    }
  fb_index_append_status (n_ids, out);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

int
fb_cli_find (gboolean             catalog,
             const char * const  *words,
             const int           *stop)
{
  Load load = { NULL, NULL, FALSE };
  g_autofree char *query = NULL;
  g_autofree guint *ids = NULL;
  g_autofree char *text = NULL;
  guint n = 0;

  g_return_val_if_fail (words != NULL && words[0] != NULL, FB_CLI_EXIT_USAGE);

  /* The index builds on a worker thread; Ctrl+C still ends the wait. */
  fb_index_load_async (catalog ? FB_INDEX_CORPUS_CATALOG : FB_INDEX_CORPUS_UNICODE, NULL,
                       load_cb, &load);
  while (!load.done && *stop == 0)
    g_main_context_iteration (NULL, TRUE);
  if (!load.done)
    return *stop;

  if (load.index == NULL)
    {
      g_printerr ("fetchboard-cli: %s\n", load.error->message);
      g_error_free (load.error);
      return FB_CLI_EXIT_FAILED;
    }

  query = g_strjoinv (" ", (char **) words);
  ids = fb_index_search (load.index, query, &n);
  text = fb_cli_format_find (load.index, ids, n);
  g_print ("%s", text);
  fb_index_unref (load.index);
  return FB_CLI_EXIT_OK;
}
