/* fb-cli-run.c: the commands that run jobs: flags, download and probe.
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <unistd.h>

#include "fb-cli.h"
#include "fb-cli-private.h"
#include "fb-cli-journal.h"
#include "fb-retry.h"
#include "fb-semaphore.h"
#include "fb-tls-database.h"
#include "fb-url.h"

void
_fb_cli_list_source_free (ListSource *source)
{
  g_free (source->name);
  g_free (source->path);
  if (source->text != NULL)
    g_string_free (source->text, TRUE);
  g_clear_pointer (&source->result, fb_list_result_free);
  g_clear_error (&source->error);
  g_free (source);
}

/* ---- the run ---- */

/* A line per finished job goes to standard output's buffer, not through
 * g_print (), which flushes each: 10,000 names probed were 10,000 writes.
 * The run's loop flushes before it waits (execute_run), so lines still come
 * out as jobs end. */
static void
print_line (const char *line)
{
  fputs (line, stdout);
  fputc ('\n', stdout);
}

static void
job_finished_cb (FbRun *run,
                 FbJob *job,
                 FbCli *cli)
{
  FbJobState state = fb_job_get_state (job);
  g_autofree char *line = NULL;

  if (cli->json)
    {
      line = fb_cli_job_to_json (job);
      print_line (line);
      return;
    }

  if (cli->command == FB_CLI_COMMAND_PROBE && !cli->quiet
      && (state == FB_JOB_STATE_OK || state == FB_JOB_STATE_NOT_FOUND))
    {
      line = fb_cli_format_probe (job, cli->verbose);
      if (cli->progress != NULL)
        fb_cli_progress_clear (cli->progress);
      print_line (line);
      return;
    }

  if (cli->verbose)
    {
      line = fb_cli_format_job (job);
      print_line (line);
    }
  else if (state == FB_JOB_STATE_ERROR)
    {
      line = fb_cli_format_job (job);
      if (cli->progress != NULL)
        fb_cli_progress_clear (cli->progress);
      /* What went to standard output before it comes first. */
      fflush (stdout);
      g_printerr ("%s\n", line);
    }
}

static void
job_retrying_cb (FbRun *run,
                 FbJob *job,
                 guint  index,
                 FbCli *cli)
{
  g_autofree char *line = NULL;

  if (!cli->verbose)
    return;
  line = fb_cli_format_retry (job, index);
  g_print ("%s\n", line);
}

static void
run_finished_cb (FbRun *run,
                 FbCli *cli)
{
  cli->run_finished = TRUE;
  g_main_context_wakeup (NULL);
}

static void
create_run (FbCli *cli,
            guint  n_jobs)
{
  guint limit = cli->max_req != UNSET_INT ? (guint) cli->max_req : FB_RUN_DEFAULT_CONCURRENCY;

  cli->run = fb_run_new ();
  fb_run_set_max_concurrency (cli->run, MAX (1, MIN (MIN (limit, FB_SEMAPHORE_MAX_LIMIT),
                                                     n_jobs)));
  if (cli->command == FB_CLI_COMMAND_PROBE)
    fb_run_set_dns_timeout (cli->run, cli->timeout != UNSET_DOUBLE
                                      ? cli->timeout : FB_RUN_DEFAULT_DNS_TIMEOUT);
  else
    fb_run_set_timeout (cli->run, cli->timeout != UNSET_DOUBLE
                                  ? cli->timeout : FB_RUN_DEFAULT_TIMEOUT);
  if (cli->output != NULL)
    fb_run_set_destination (cli->run, cli->output);
  fb_run_set_overwrite (cli->run, cli->overwrite);
  if (cli->connect_timeout != UNSET_DOUBLE)
    fb_run_set_connect_timeout (cli->run, cli->connect_timeout);
  if (cli->max_time != UNSET_DOUBLE)
    fb_run_set_max_time (cli->run, cli->max_time);
  if (cli->speed_limit > 0)
    fb_run_set_speed_limit (cli->run, (guint64) cli->speed_limit);
  if (cli->speed_time != UNSET_DOUBLE)
    fb_run_set_speed_time (cli->run, cli->speed_time);
  if (cli->retries != UNSET_INT)
    fb_run_set_retries (cli->run, (guint) cli->retries);
  if (cli->retry_delay != UNSET_DOUBLE)
    fb_run_set_retry_delay (cli->run, cli->retry_delay);
  if (cli->per_host != UNSET_INT)
    fb_run_set_per_host (cli->run, (guint) cli->per_host);
  if (cli->tls_database != NULL)
    fb_run_set_tls_database (cli->run, cli->tls_database);
  g_signal_connect (cli->run, "job-finished", G_CALLBACK (job_finished_cb), cli);
  g_signal_connect (cli->run, "job-retrying", G_CALLBACK (job_retrying_cb), cli);
  g_signal_connect (cli->run, "finished", G_CALLBACK (run_finished_cb), cli);
}

static gboolean
make_output_folder (FbCli *cli)
{
  if (cli->output == NULL)
    return TRUE;
  /* Before the run starts: nothing is waiting on the main loop yet. */
  if (g_mkdir_with_parents (cli->output, 0777) != 0)
    {
      int saved_errno = errno;

      g_printerr (_("%s: cannot create the folder “%s”: %s\n"), PROGRAM_NAME, cli->output,
                  g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static void
journal_flushed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  /* A failed write has been said by "write-failed". */
  fb_journal_flush_finish (FB_JOURNAL (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Adds the jobs, through the journal when one is asked for: a journal that
 * cannot be used is said so, and the run goes on unrecorded. */
static void
add_jobs (FbCli     *cli,
          GPtrArray *jobs)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *absolute = NULL;
  gboolean flushed = FALSE;
  guint n_done = 0;

  /* Opened while the lists were read (read_sources), or now. */
  while (cli->journal_opening)
    g_main_context_iteration (NULL, TRUE);
  if (cli->journal == NULL && !cli->journal_tried
      && (cli->journal_path != NULL || cli->continue_saved))
    cli->journal = fb_cli_journal_open (cli->journal_path, FALSE);
  if (cli->journal == NULL)
    {
      fb_run_add_jobs (cli->run, (FbJob **) jobs->pdata, jobs->len);
      return;
    }

  /* Rows name files by absolute paths, so a run continues from any folder. */
  absolute = g_canonicalize_filename (fb_run_get_destination (cli->run) != NULL
                                      ? fb_run_get_destination (cli->run) : ".", NULL);
  fb_run_set_destination (cli->run, absolute);
  identity = fb_cli_journal_identity (cli->name, fb_run_get_destination (cli->run),
                                      (FbJob **) jobs->pdata, jobs->len);
  if (fb_journal_add_jobs (cli->journal, cli->run, (FbJob **) jobs->pdata, jobs->len, identity,
                           &n_done, &error) == 0)
    {
      g_printerr (_("%s: %s; this run is not recorded\n"), PROGRAM_NAME, error->message);
      g_clear_object (&cli->journal);
      if (fb_run_get_total (cli->run) == 0)
        fb_run_add_jobs (cli->run, (FbJob **) jobs->pdata, jobs->len);
      return;
    }
  /* Every job has its row before any request: a .part file on disk then
   * always belongs to a row, and a crash cannot orphan one. Nothing else
   * is waiting on the main loop yet. */
  fb_journal_flush_async (cli->journal, NULL, journal_flushed_cb, &flushed);
  while (!flushed)
    g_main_context_iteration (NULL, TRUE);

  if (n_done > 0 && !cli->quiet && !cli->json)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "%u of %u jobs had finished before; the rest run now.\n",
                             "%u of %u jobs had finished before; the rest run now.\n", n_done),
                n_done, jobs->len);
}

static int
execute_run (FbCli *cli)
{
  guint n_error;

  if (isatty (STDERR_FILENO) && !cli->quiet && !cli->verbose && !cli->json)
    cli->progress = fb_cli_progress_new (cli->run, STDERR_FILENO, PROGRESS_INTERVAL_MS);

  fb_run_start (cli->run);
  while (!cli->run_finished)
    {
      /* Once a turn of the loop: all the lines its jobs finished in one write. */
      fflush (stdout);
      g_main_context_iteration (NULL, TRUE);
    }

  g_clear_pointer (&cli->progress, fb_cli_progress_free);
  if (cli->journal != NULL)
    fb_journal_close (cli->journal);

  if (cli->json)
    {
      g_autofree char *summary = fb_cli_summary_to_json (cli->run, cli->n_rejected);

      g_print ("%s\n", summary);
    }
  else if (!cli->quiet)
    {
      g_autofree char *summary = fb_cli_format_summary (cli->command,
                                                        fb_run_get_n_ok (cli->run),
                                                        fb_run_get_n_not_found (cli->run),
                                                        fb_run_get_n_error (cli->run),
                                                        fb_run_get_n_cancelled (cli->run),
                                                        fb_run_get_elapsed (cli->run));

      g_print ("--------------------\n%s", summary);
    }

  n_error = fb_run_get_n_error (cli->run);
  if (cli->signal_status != 0)
    return cli->signal_status;
  return n_error > 0 || cli->n_rejected > 0 ? FB_CLI_EXIT_FAILED : FB_CLI_EXIT_OK;
}

/* ---- flags ---- */

int
_fb_cli_run_flags (FbCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *base_url = NULL;
  g_auto(GStrv) codes = NULL;

  codes = fb_cli_expand_codes (cli->every, cli->all, (const char * const *) cli->args,
                               cli->limit != UNSET_INT ? (guint) cli->limit : 0, &error);
  if (codes == NULL)
    return _fb_cli_usage_error (cli, "%s", error->message);
  if (codes[0] == NULL)
    {
      g_printerr (_("%s: no country codes are known (is iso-codes installed?)\n"), PROGRAM_NAME);
      return FB_CLI_EXIT_FAILED;
    }

  if (cli->server_url != NULL)
    base_url = g_strdup (cli->server_url);
  else
    {
      cli->server = fb_demo_server_new ();
      if (!fb_demo_server_listen (cli->server, 0, &error))
        {
          g_printerr (_("%s: cannot start the demo server: %s\n"), PROGRAM_NAME, error->message);
          return FB_CLI_EXIT_FAILED;
        }
      base_url = fb_demo_server_dup_base_url (cli->server);
    }

  if (cli->output == NULL)
    cli->output = g_strdup (FLAGS_DEFAULT_OUTPUT);
  if (!make_output_folder (cli))
    return FB_CLI_EXIT_FAILED;

  for (guint i = 0; codes[i] != NULL; i++)
    g_ptr_array_add (jobs, fb_job_new (FB_JOB_KIND_CATALOG, codes[i]));

  create_run (cli, jobs->len);
  fb_run_set_base_url (cli->run, base_url);
  fb_run_set_metadata_names (cli->run, cli->metadata);
  add_jobs (cli, jobs);

  if (!cli->quiet && !cli->json)
    {
      g_autofree char *search = fb_cli_format_search ((const char * const *) codes);
      g_autofree char *connections = fb_cli_format_connections (
        fb_run_get_max_concurrency (cli->run));
      g_autofree char *shown = fb_url_for_display (base_url);

      if (g_strcmp0 (cli->server_label, "DELAY") == 0)
        g_print (_("DELAY site: %s\n"), shown);
      else if (g_strcmp0 (cli->server_label, "ERROR") == 0)
        g_print (_("ERROR site: %s\n"), shown);
      else if (g_strcmp0 (cli->server_label, "REMOTE") == 0)
        g_print (_("REMOTE site: %s\n"), shown);
      else if (cli->server_label != NULL || fb_cli_url_is_local (base_url))
        g_print (_("LOCAL site: %s\n"), shown);
      else
        g_print (_("REMOTE site: %s\n"), shown);
      g_print ("%s\n%s\n", search, connections);
    }

  return execute_run (cli);
}

/* ---- download and probe: lists ---- */

static void
source_done (ListSource *source)
{
  source->done = TRUE;
  source->cli->n_reading--;
  g_main_context_wakeup (NULL);
}

static void
parse_file_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  ListSource *source = user_data;

  source->result = fb_list_parse_file_finish (G_FILE (object), result, &source->error);
  if (source->result != NULL)
    {
      /* Messages name the file as it was typed. */
      g_free (source->result->source);
      source->result->source = g_strdup (source->name);
    }
  source_done (source);
}

static void
read_stdin_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *name = task_data;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buffer[64 * 1024];
  FbListResult *list;
  GError *error = NULL;

  for (;;)
    {
      gssize n = read (STDIN_FILENO, buffer, sizeof buffer);

      if (n == 0)
        break;
      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   "%s", g_strerror (saved_errno));
          return;
        }
      if (data->len + (gsize) n > FB_LIST_MAX_FILE_SIZE)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                                   _("the list is larger than %u MB"),
                                   FB_LIST_MAX_FILE_SIZE / (1024 * 1024));
          return;
        }
      g_byte_array_append (data, buffer, (guint) n);
    }

  /* a binary file piped in is refused as a whole, as a named one is */
  list = fb_list_parse_data (name, (const char *) data->data, data->len, FALSE, &error);
  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) fb_list_result_free);
}

static void
read_stdin_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  ListSource *source = user_data;

  source->result = g_task_propagate_pointer (G_TASK (result), &source->error);
  source_done (source);
}

static void
read_stdin_async (ListSource *source)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, read_stdin_cb, source);

  g_task_set_source_tag (task, read_stdin_async);
  g_task_set_task_data (task, g_strdup (source->name), g_free);
  g_task_run_in_thread (task, read_stdin_worker);
}

static ListSource *
add_source (FbCli      *cli,
            const char *name)
{
  ListSource *source = g_new0 (ListSource, 1);

  source->cli = cli;
  source->name = g_strdup (name);
  g_ptr_array_add (cli->sources, source);
  return source;
}

/* Returns -1 when every argument was understood, else the exit status. */
static int
collect_sources (FbCli *cli)
{
  ListSource *command_line = NULL;
  gboolean have_stdin = FALSE;

  for (guint i = 0; cli->args != NULL && cli->args[i] != NULL; i++)
    {
      const char *arg = cli->args[i];

      if (g_str_equal (arg, "-") || g_str_equal (arg, "@-"))
        {
          ListSource *source;

          if (have_stdin)
            return _fb_cli_usage_error (cli, _("standard input can be read only once"));
          have_stdin = TRUE;
          source = add_source (cli, "<stdin>");
          source->is_stdin = TRUE;
        }
      else if (arg[0] == '@')
        {
          ListSource *source;

          if (arg[1] == '\0')
            return _fb_cli_usage_error (cli, _("“@” must be followed by a file name"));
          source = add_source (cli, arg + 1);
          source->path = g_strdup (arg + 1);
        }
      else
        {
          if (command_line == NULL)
            {
              command_line = add_source (cli, _("command line"));
              command_line->text = g_string_new (NULL);
            }
          g_string_append (command_line->text, arg);
          g_string_append_c (command_line->text, '\n');
        }
    }

  if (cli->sources->len == 0)
    return _fb_cli_usage_error (cli, cli->command == FB_CLI_COMMAND_DOWNLOAD
                                 ? _("no URL given (give URLs, @FILE or - for standard input)")
                                 : _("no domain name given (give names, @FILE or - for "
                                     "standard input)"));
  return -1;
}

static void
journal_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  FbCli *cli = user_data;

  /* NULL (said why): add_jobs does not try again, the run goes unrecorded. */
  cli->journal = fb_cli_journal_open_finish (result);
  cli->journal_opening = FALSE;
  cli->journal_tried = TRUE;
}

static void
read_sources (FbCli *cli)
{
  /* The journal opens (and checks its file) on a thread meanwhile. */
  if (cli->journal_path != NULL || cli->continue_saved)
    {
      cli->journal_opening = TRUE;
      fb_cli_journal_open_async (cli->journal_path, journal_opened_cb, cli);
    }
  for (guint i = 0; i < cli->sources->len; i++)
    {
      ListSource *source = g_ptr_array_index (cli->sources, i);

      cli->n_reading++;
      if (source->text != NULL)
        {
          source->result = fb_list_parse (source->name, source->text->str,
                                          (gssize) source->text->len);
          source_done (source);
        }
      else if (source->is_stdin)
        read_stdin_async (source);
      else
        {
          g_autoptr(GFile) file = g_file_new_for_commandline_arg (source->path);

          fb_list_parse_file_async (file, cli->cancellable, parse_file_cb, source);
        }
    }

  while (cli->n_reading > 0 && cli->signal_status == 0)
    g_main_context_iteration (NULL, TRUE);
}

static const char *
mismatch_reason (FbCliCommand command,
                 FbEntryKind  kind)
{
  if (command == FB_CLI_COMMAND_DOWNLOAD)
    {
      switch (kind)
        {
        case FB_ENTRY_DOMAIN:
          return _("not a URL (looks like a domain; use probe)");
        case FB_ENTRY_CODE:
          return _("not a URL (looks like a country code; use flags)");
        case FB_ENTRY_URL:
        default:
          return NULL;
        }
    }

  switch (kind)
    {
    case FB_ENTRY_URL:
      return _("not a domain name (looks like a URL; use download)");
    case FB_ENTRY_CODE:
      /* "vm" in /etc/hosts is a host name: probe takes it as one. */
    case FB_ENTRY_DOMAIN:
    default:
      return NULL;
    }
}

/* Where an entry first appeared, for "duplicate of list.txt:3". */
typedef struct
{
  guint source;
  guint line;
} FirstSeen;

/* A note for -v: this line repeats an entry of an earlier list. */
typedef struct
{
  guint  line;
  char  *text;
} CrossNote;

static void
cross_note_clear (gpointer data)
{
  g_free (((CrossNote *) data)->text);
}

static void
print_problem (const FbListResult  *result,
               const FbListProblem *problem)
{
  g_autofree char *message = fb_list_problem_format (result, problem);

  g_printerr ("%s\n", message);
}

/* Turns what was read into jobs, reporting every line that cannot run, in
 * line order: the parser's rejected lines and the entries of the wrong kind
 * merged as they come, nothing kept per line but the jobs. Duplicates are
 * said only with -v. The lists are freed once their jobs exist. */
static void
collect_jobs (FbCli     *cli,
              GPtrArray *jobs)
{
  FbJobKind kind = cli->command == FB_CLI_COMMAND_DOWNLOAD ? FB_JOB_KIND_DOWNLOAD
                                                            : FB_JOB_KIND_PROBE;
  /* One list is de-duplicated by the parser; only more lists need a table. */
  gboolean cross = cli->sources->len > 1;
  g_autoptr(GHashTable) seen = cross ? g_hash_table_new (g_str_hash, g_str_equal) : NULL;
  g_autoptr(GArray) firsts = cross ? g_array_new (FALSE, FALSE, sizeof (FirstSeen)) : NULL;

  for (guint i = 0; i < cli->sources->len; i++)
    {
      ListSource *source = g_ptr_array_index (cli->sources, i);
      FbListResult *result = source->result;
      g_autoptr(GArray) cross_notes = NULL;
      guint next_rejected = 0;

      if (source->error != NULL)
        {
          g_printerr ("%s: %s\n", source->name, source->error->message);
          cli->n_rejected++;
          continue;
        }
      if (result->entries->len == 0 && result->rejected->len == 0 &&
          result->duplicates->len == 0)
        /* Translators: %s is a list file's name as typed, or "<stdin>"; the
         * colon after it is ASCII, as in "list.txt:3: reason" */
        g_printerr (_("%s: the list is empty: no line but blank ones and comments\n"),
                    source->name);

      if (cli->verbose && cross)
        {
          cross_notes = g_array_new (FALSE, FALSE, sizeof (CrossNote));
          g_array_set_clear_func (cross_notes, cross_note_clear);
        }
      for (guint j = 0; j < result->entries->len; j++)
        {
          FbListEntry *entry = g_ptr_array_index (result->entries, j);
          const char *reason = mismatch_reason (cli->command, entry->kind);
          FbJob *job;

          for (; next_rejected < result->rejected->len; next_rejected++)
            {
              FbListProblem *problem = g_ptr_array_index (result->rejected, next_rejected);

              if (problem->line > entry->line)
                break;
              print_problem (result, problem);
            }

          if (reason != NULL)
            {
              g_printerr ("%s:%u: %s\n", result->source, entry->line, reason);
              cli->n_rejected++;
              continue;
            }
          if (cross)
            {
              gpointer index = g_hash_table_lookup (seen, entry->text);

              if (index != NULL)
                {
                  if (cross_notes != NULL)
                    {
                      FirstSeen *first = &g_array_index (firsts, FirstSeen,
                                                         GPOINTER_TO_UINT (index) - 1);
                      ListSource *first_source = g_ptr_array_index (cli->sources, first->source);
                      /* Translators: the place of the first occurrence, "list.txt:3" */
                      g_autofree char *place = g_strdup_printf ("%s:%u", first_source->name,
                                                                first->line);
                      g_autofree char *note = g_strdup_printf (_("duplicate of %s"), place);
                      CrossNote cross_note = {
                        entry->line,
                        g_strdup_printf ("%s:%u: %s", result->source, entry->line, note),
                      };

                      g_array_append_val (cross_notes, cross_note);
                    }
                  continue;
                }
              g_array_append_val (firsts, ((FirstSeen) { i, entry->line }));
              g_hash_table_insert (seen, entry->text, GUINT_TO_POINTER (firsts->len));
            }
          if (entry->kind == FB_ENTRY_CODE)
            {
              /* The parser upper-cases codes; as a host name it reads as typed. */
              g_autofree char *host = g_ascii_strdown (entry->text, -1);

              job = fb_job_new (kind, host);
            }
          else
            job = fb_job_new (kind, entry->text);
          fb_job_set_source (job, result->source, entry->line);
          g_ptr_array_add (jobs, job);
        }
      for (; next_rejected < result->rejected->len; next_rejected++)
        print_problem (result, g_ptr_array_index (result->rejected, next_rejected));
      cli->n_rejected += result->rejected->len;

      if (cli->verbose)
        {
          /* The parser's duplicates and those of earlier lists, in line order. */
          guint k = 0;

          for (guint j = 0; j < result->duplicates->len; j++)
            {
              FbListProblem *problem = g_ptr_array_index (result->duplicates, j);

              for (; cross_notes != NULL && k < cross_notes->len; k++)
                {
                  CrossNote *note = &g_array_index (cross_notes, CrossNote, k);

                  if (note->line > problem->line)
                    break;
                  g_printerr ("%s\n", note->text);
                }
              print_problem (result, problem);
            }
          for (; cross_notes != NULL && k < cross_notes->len; k++)
            g_printerr ("%s\n", g_array_index (cross_notes, CrossNote, k).text);
        }
    }

  /* The jobs hold their own copies: a million entries need not stay twice. */
  g_clear_pointer (&seen, g_hash_table_unref);
  for (guint i = 0; i < cli->sources->len; i++)
    {
      ListSource *source = g_ptr_array_index (cli->sources, i);

      g_clear_pointer (&source->result, fb_list_result_free);
      if (source->text != NULL)
        {
          g_string_free (source->text, TRUE);
          source->text = NULL;
        }
    }
#ifdef __GLIBC__
  /* The lists were parsed on a worker thread, in a malloc arena the main
   * thread does not allocate from: give what they held back to the system
   * instead of keeping it beside the run (about 60 MB for 1,000,000 URLs). */
  malloc_trim (0);
#endif
}

int
_fb_cli_run_list (FbCli *cli)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  int status;

  status = collect_sources (cli);
  if (status >= 0)
    return status;

  read_sources (cli);
  if (cli->signal_status != 0)
    return cli->signal_status;

  collect_jobs (cli, jobs);
  if (jobs->len == 0)
    return _fb_cli_usage_error (cli, cli->command == FB_CLI_COMMAND_DOWNLOAD
                                 ? _("no valid URL to download")
                                 : _("no valid domain name to probe"));

  if (cli->command == FB_CLI_COMMAND_DOWNLOAD && !make_output_folder (cli))
    return FB_CLI_EXIT_FAILED;

  create_run (cli, jobs->len);
  add_jobs (cli, jobs);
  /* The run holds them now. */
  g_clear_pointer (&jobs, g_ptr_array_unref);
  return execute_run (cli);
}
