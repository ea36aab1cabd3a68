/* fb-cli-journal.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-cli"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "fb-cli.h"
#include "fb-cli-journal.h"
#include "fb-export.h"
#include "fb-journal.h"

#define PROGRAM_NAME "fetchboard-cli"

static void
write_failed_cb (FbJournal *journal,
                 gpointer   user_data)
{
  g_printerr ("%s: %s\n", PROGRAM_NAME, fb_journal_get_write_error (journal)->message);
}

/* Says why @journal (NULL) could not be opened, or what was set aside. */
static FbJournal *
opened (FbJournal    *journal,
        const GError *error,
        gboolean      for_reading)
{
  if (journal == NULL)
    {
      if (for_reading)
        g_printerr ("%s: %s\n", PROGRAM_NAME, error->message);
      else
        /* Translators: the reason the journal cannot be used comes first */
        g_printerr (_("%s: %s; this run is not recorded\n"), PROGRAM_NAME, error->message);
      return NULL;
    }
  if (fb_journal_get_notice (journal) != NULL)
    g_printerr ("%s: %s\n", PROGRAM_NAME, fb_journal_get_notice (journal));
  g_signal_connect (journal, "write-failed", G_CALLBACK (write_failed_cb), NULL);
  return journal;
}

FbJournal *
fb_cli_journal_open (const char *path,
                     gboolean    for_reading)
{
  g_autofree char *default_path = NULL;
  g_autoptr(GError) error = NULL;
  FbJournal *journal;

  if (path == NULL)
    path = default_path = fb_journal_default_path ();
  journal = fb_journal_open (path, &error);
  return opened (journal, error, for_reading);
}

void
fb_cli_journal_open_async (const char          *path,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autofree char *default_path = NULL;

  if (path == NULL)
    path = default_path = fb_journal_default_path ();
  fb_journal_open_async (path, NULL, callback, user_data);
}

FbJournal *
fb_cli_journal_open_finish (GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  FbJournal *journal = fb_journal_open_finish (result, &error);

  return opened (journal, error, FALSE);
}

char *
fb_cli_journal_identity (const char  *command,
                         const char  *destination,
                         FbJob      **jobs,
                         guint        n_jobs)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *absolute = NULL;

  for (guint i = 0; i < n_jobs; i++)
    {
      const char *input = fb_job_get_input (jobs[i]);

      g_checksum_update (checksum, (const guchar *) input, strlen (input) + 1);
    }
  absolute = g_canonicalize_filename (destination != NULL ? destination : ".", NULL);
  return g_strdup_printf ("%s\n%s\n%s", command, absolute, g_checksum_get_string (checksum));
}

/* ---- history ---- */

int
fb_cli_history (const char *journal_path)
{
  g_autoptr(FbJournal) journal = fb_cli_journal_open (journal_path, TRUE);
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;

  if (journal == NULL)
    return FB_CLI_EXIT_FAILED;
  runs = fb_journal_list_runs (journal, &error);
  if (runs == NULL)
    {
      g_printerr ("%s: %s\n", PROGRAM_NAME, error->message);
      return FB_CLI_EXIT_FAILED;
    }

  /* Translators: column heads of "fetchboard-cli history"; keep the widths */
  g_print ("%s\n", _("   RUN  DATE              KIND       JOBS     OK  NOT FOUND  ERROR  "
                     "CANCELLED  UNFINISHED"));
  for (guint i = 0; i < runs->len; i++)
    {
      const FbJournalRun *run = runs->pdata[i];
      g_autoptr(GDateTime) created = g_date_time_new_from_unix_local (run->created
                                                                      / G_USEC_PER_SEC);
      g_autofree char *date = g_date_time_format (created, "%Y-%m-%d %H:%M");

      g_print ("%6" G_GINT64_FORMAT "  %-16s  %-8s %6u %6u %10u %6u %10u %11u\n", run->id, date,
               run->kind, run->n_total, run->n_ok, run->n_not_found, run->n_error,
               run->n_cancelled, run->n_pending);
    }
  return FB_CLI_EXIT_OK;
}

/* ---- export ---- */

int
fb_cli_export (const char *journal_path,
               const char *run_text,
               const char *format_text,
               const char *output)
{
  g_autoptr(FbJournal) journal = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  FbExportFormat format = FB_EXPORT_JSON;
  gint64 run_id = 0;
  char *end = NULL;

  if (format_text != NULL && !fb_export_format_from_string (format_text, &format))
    {
      g_printerr (_("%s: --format must be json, csv or svg, not “%s”\n"), PROGRAM_NAME,
                  format_text);
      return FB_CLI_EXIT_USAGE;
    }
  if (run_text == NULL)
    {
      g_printerr (_("%s: which run? Give its number (see “%s history”) or “last”\n"),
                  PROGRAM_NAME, PROGRAM_NAME);
      return FB_CLI_EXIT_USAGE;
    }
  if (g_strcmp0 (run_text, "last") != 0)
    {
      run_id = g_ascii_strtoll (run_text, &end, 10);
      if (end == run_text || *end != '\0' || run_id <= 0)
        {
          g_printerr (_("%s: “%s” is not a run number\n"), PROGRAM_NAME, run_text);
          return FB_CLI_EXIT_USAGE;
        }
    }

  journal = fb_cli_journal_open (journal_path, TRUE);
  if (journal == NULL)
    return FB_CLI_EXIT_FAILED;
  if (run_id == 0)
    {
      g_autoptr(GPtrArray) runs = fb_journal_list_runs (journal, &error);

      if (runs != NULL && runs->len > 0)
        run_id = ((FbJournalRun *) runs->pdata[runs->len - 1])->id;
      else if (runs != NULL)
        {
          g_printerr (_("%s: the journal holds no run\n"), PROGRAM_NAME);
          return FB_CLI_EXIT_FAILED;
        }
    }
  if (run_id > 0)
    text = fb_export_run (journal, run_id, format, &error);
  if (text == NULL)
    {
      g_printerr ("%s: %s\n", PROGRAM_NAME, error->message);
      return FB_CLI_EXIT_FAILED;
    }

  if (output == NULL || g_str_equal (output, "-"))
    {
      fputs (text, stdout);
      return fflush (stdout) == 0 ? FB_CLI_EXIT_OK : FB_CLI_EXIT_FAILED;
    }
  if (!g_file_set_contents (output, text, -1, &error))
    {
      g_printerr ("%s: %s\n", PROGRAM_NAME, error->message);
      return FB_CLI_EXIT_FAILED;
    }
  return FB_CLI_EXIT_OK;
}
