/* fb-cli-serve.c: `fetchboard-cli serve`, the book's slow_server.py and mojifinders.
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-cli"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "fb-cli.h"
#include "fb-demo-server.h"
#include "fb-line-server.h"

#define PROGRAM_NAME "fetchboard-cli"

FbStallMeter *
fb_cli_stall_meter_from_env (void)
{
  const char *log = g_getenv ("FETCHBOARD_STALL_LOG");
  FbStallMeter *stall;

  if (g_strcmp0 (log, "1") != 0 && g_strcmp0 (log, "verbose") != 0)
    return NULL;
  stall = fb_stall_meter_new (g_main_context_default ());
  fb_stall_meter_set_verbose (stall, g_str_equal (log, "verbose"));
  return stall;
}

typedef struct
{
  FbIndex  *index;
  GError   *error;
  gboolean  done;
} IndexLoad;

static void
index_load_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  IndexLoad *load = user_data;

  load->index = fb_index_load_finish (result, &load->error);
  load->done = TRUE;
  g_main_context_wakeup (NULL);
}

static void
request_logged_cb (FbDemoServer *server,
                   const char   *line,
                   gpointer      user_data)
{
  g_printerr ("%s\n", line);
}

/* The book's tcp_mojifinder lines. */
static void
line_query_cb (FbLineServer *server,
               const char   *peer,
               const char   *query,
               gpointer      user_data)
{
  g_print (" From %s: %s\n", peer, query);
}

static void
line_failed_cb (FbLineServer *server,
                const char   *peer,
                gpointer      user_data)
{
  g_print ("   To %s: error 418.\n", peer);
}

static void
line_answered_cb (FbLineServer *server,
                  const char   *peer,
                  guint         n,
                  gpointer      user_data)
{
  g_print ("   To %s: %u results.\n", peer, n);
}

/* Loads both indexes on worker threads before listening, so that the first
 * query does not wait. Returns -1 when they are ready, else the exit status. */
static int
load_indexes (FbDemoServer  *server,
              gboolean       want_line_server,
              FbLineServer **line_server,
              const int     *stop)
{
  IndexLoad loads[2] = { { NULL, NULL, FALSE }, { NULL, NULL, FALSE } };
  int status = -1;

  fb_index_load_async (FB_INDEX_CORPUS_UNICODE, NULL, index_load_cb, &loads[0]);
  fb_index_load_async (FB_INDEX_CORPUS_CATALOG, NULL, index_load_cb, &loads[1]);
  while ((!loads[0].done || !loads[1].done) && *stop == 0)
    g_main_context_iteration (NULL, TRUE);
  if (*stop != 0)
    status = *stop;
  /* A load cut short by Ctrl+C still finishes on its thread. */
  while (!loads[0].done || !loads[1].done)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (loads) && status < 0; i++)
    if (loads[i].error != NULL)
      {
        g_printerr ("%s: %s\n", PROGRAM_NAME, loads[i].error->message);
        status = FB_CLI_EXIT_FAILED;
      }
  for (guint i = 0; i < G_N_ELEMENTS (loads); i++)
    {
      if (status < 0)
        {
          fb_demo_server_set_index (server, loads[i].index);
          if (i == 0 && want_line_server)
            *line_server = fb_line_server_new (loads[i].index);
        }
      g_clear_pointer (&loads[i].index, fb_index_unref);
      g_clear_error (&loads[i].error);
    }
  return status;
}

static void
print_opening (const FbCliServeOptions *options,
               FbDemoServer            *server,
               FbLineServer            *line_server)
{
  g_autofree char *base_url = fb_demo_server_dup_base_url (server);

  if (options->root != NULL)
    {
      /* "http://127.0.0.1:8000/flags" → "http://127.0.0.1:8000/" */
      base_url[strlen (base_url) - strlen ("flags")] = '\0';
      /* Translators: the folder, then the server's address */
      g_print (_("Serving the folder %s at %s\n"), options->root, base_url);
    }
  else
    g_print (_("Serving %s\n"), base_url);
  if (line_server != NULL)
    g_print (_("Finder (TCP line protocol) on %s port %u\n"), options->address,
             fb_line_server_get_port (line_server));
  if (options->delay_max <= 0.0)
    g_print (_("Delay: none\n"));
  else if (options->delay_min == options->delay_max)
    g_print (_("Delay: %.2f s before each answer\n"), options->delay_min);
  else
    g_print (_("Delay: a random %.2f to %.2f s before each answer\n"), options->delay_min,
             options->delay_max);
  g_print (_("Error rate: %.0f%% of answers are 418 I'm a Teapot\n"),
           options->error_rate * 100);
  g_print (_("Press Ctrl+C to stop.\n"));
}

int
fb_cli_serve (const FbCliServeOptions  *options,
              const int                *stop,
              FbStallMeter            **stall)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FbDemoServer) server = fb_demo_server_new ();
  g_autoptr(FbLineServer) line_server = NULL;
  int status;

  g_return_val_if_fail (options != NULL && options->address != NULL, FB_CLI_EXIT_USAGE);

  fb_demo_server_set_delay (server, options->delay_min, options->delay_max);
  fb_demo_server_set_error_rate (server, options->error_rate);
  fb_demo_server_set_root (server, options->root);
  /* The lean path answers searches and the flags itself, delays and
   * errors included; -v logs each request through libsoup. */
  fb_demo_server_set_lean_searches (server, !options->verbose);
  status = load_indexes (server, options->tcp_port >= 0, &line_server, stop);
  if (status >= 0)
    return status;

  if (!fb_demo_server_listen_full (server, options->address, options->port, options->backlog,
                                   &error))
    {
      g_printerr (_("%s: cannot listen on port %d: %s\n"), PROGRAM_NAME, (int) options->port,
                  error->message);
      return FB_CLI_EXIT_FAILED;
    }
  if (line_server != NULL)
    {
      fb_line_server_set_delay (line_server, options->delay_min, options->delay_max);
      fb_line_server_set_error_rate (line_server, options->error_rate);
    }
  if (line_server != NULL
      && !fb_line_server_listen (line_server, options->address, (guint) options->tcp_port,
                                 options->backlog, &error))
    {
      g_printerr (_("%s: cannot listen on port %d: %s\n"), PROGRAM_NAME, options->tcp_port,
                  error->message);
      fb_demo_server_stop (server);
      return FB_CLI_EXIT_FAILED;
    }
  if (options->verbose)
    {
      g_signal_connect (server, "request-logged", G_CALLBACK (request_logged_cb), NULL);
      if (line_server != NULL)
        {
          g_signal_connect (line_server, "query", G_CALLBACK (line_query_cb), NULL);
          g_signal_connect (line_server, "answered", G_CALLBACK (line_answered_cb), NULL);
          g_signal_connect (line_server, "failed", G_CALLBACK (line_failed_cb), NULL);
        }
    }

  /* Measured from the moment it listens: building the indexes before that
   * keeps both cores busy, which is not a main-loop stall. */
  if (stall != NULL && *stall == NULL)
    *stall = fb_cli_stall_meter_from_env ();
  print_opening (options, server, line_server);

  while (*stop == 0)
    g_main_context_iteration (NULL, TRUE);

  g_print (g_dngettext (GETTEXT_PACKAGE, "%u request served.\n", "%u requests served.\n",
                        fb_demo_server_get_requests (server)),
           fb_demo_server_get_requests (server));
  fb_demo_server_stop (server);
  if (line_server != NULL)
    {
      fb_line_server_stop (line_server);
      /* Each session ends in its own callback, then lets go of the server. */
      while (fb_line_server_get_n_clients (line_server) > 0)
        g_main_context_iteration (NULL, TRUE);
    }
  return FB_CLI_EXIT_OK;
}
