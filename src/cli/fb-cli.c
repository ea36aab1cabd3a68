/* fb-cli.c
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
#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fb-cli.h"
#include "fb-cli-private.h"
#include "fb-cli-journal.h"
#include "fb-cli-progress.h"
#include "fb-demo-server.h"
#include "fb-list-parser.h"
#include "fb-retry.h"
#include "fb-run.h"
#include "fb-semaphore.h"
#include "fb-stall-meter.h"
#include "fb-tls-database.h"
#include "fb-url.h"

static const struct
{
  const char   *name;
  FbCliCommand  command;
  const char   *parameters;
  const char   *summary;
} commands[] = {
  { "flags", FB_CLI_COMMAND_FLAGS, N_("[CC…]"),
    N_("Download flags for country codes. Default: top 20 countries by population.") },
  { "download", FB_CLI_COMMAND_DOWNLOAD, N_("[URL|@FILE|-…]"),
    N_("Download the files of a list of URLs.") },
  { "probe", FB_CLI_COMMAND_PROBE, N_("[DOMAIN|@FILE|-…]"),
    N_("Resolve a list of domain names and say which exist.") },
  { "serve", FB_CLI_COMMAND_SERVE, "",
    N_("Serve the flag data set on 127.0.0.1 until Ctrl+C, like the book’s slow_server.py.") },
  { "find", FB_CLI_COMMAND_FIND, N_("WORD…"),
    N_("Find Unicode characters, or countries with --catalog, whose names have every WORD.") },
  { "history", FB_CLI_COMMAND_HISTORY, "",
    N_("List the runs the journal holds.") },
  { "export", FB_CLI_COMMAND_EXPORT, N_("RUN"),
    N_("Write a run from the journal as JSON, CSV or an SVG timeline.") },
};

static FbCli *
fb_cli_new (FbCliCommand  command,
            const char   *name)
{
  FbCli *cli = g_new0 (FbCli, 1);

  cli->command = command;
  cli->name = name;
  cli->max_req = UNSET_INT;
  cli->limit = UNSET_INT;
  cli->timeout = UNSET_DOUBLE;
  cli->connect_timeout = UNSET_DOUBLE;
  cli->max_time = UNSET_DOUBLE;
  cli->speed_time = UNSET_DOUBLE;
  cli->retry_delay = UNSET_DOUBLE;
  cli->speed_limit = -1;
  cli->retries = UNSET_INT;
  cli->per_host = UNSET_INT;
  cli->port = DEFAULT_SERVE_PORT;
  cli->tcp_port = UNSET_INT;
  cli->backlog = DEFAULT_BACKLOG;
  cli->cancellable = g_cancellable_new ();
  cli->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) _fb_cli_list_source_free);
  return cli;
}

static void unwatch_signals (FbCli *cli);

/* A finished run is left to the process's end, still reachable from here
 * (so no leak checker counts it): freeing its jobs one by one, 9 ms for
 * 10,000 names, was a tail after the last answer that only one core
 * worked on. */
static FbRun *finished_run;

static void
fb_cli_free (FbCli *cli)
{
  unwatch_signals (cli);
  g_clear_pointer (&cli->progress, fb_cli_progress_free);
  if (cli->run != NULL)
    g_signal_handlers_disconnect_by_data (cli->run, cli);
  if (cli->run != NULL && cli->run_finished && finished_run == NULL)
    finished_run = g_steal_pointer (&cli->run);
  g_clear_object (&cli->run);
  /* Stopped while the lists were read: the journal still opening is let go. */
  while (cli->journal_opening)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&cli->journal);
  if (cli->server != NULL)
    fb_demo_server_stop (cli->server);
  g_clear_object (&cli->server);
  g_clear_pointer (&cli->stall, fb_stall_meter_free);
  g_clear_pointer (&cli->sources, g_ptr_array_unref);
  g_clear_object (&cli->cancellable);
  g_free (cli->output);
  g_free (cli->server_url);
  g_free (cli->server_label);
  g_free (cli->cacert);
  g_clear_object (&cli->tls_database);
  g_free (cli->delay);
  g_free (cli->bind);
  g_free (cli->root);
  g_free (cli->journal_path);
  g_free (cli->format);
  g_strfreev (cli->args);
  g_free (cli);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbCli, fb_cli_free)

/* ---- usage ---- */

static const char *
command_parameters (FbCliCommand command)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (commands[i].command == command)
      return commands[i].parameters;
  g_return_val_if_reached ("");
}

static int
usage_error (const char *command_name,
             const char *parameters,
             const char *format,
             ...) G_GNUC_PRINTF (3, 4);

static int
usage_error (const char *command_name,
             const char *parameters,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr (_("*** Usage error: %s\n"), message);
  if (command_name != NULL)
    {
      /* Translators: the program and command, then its arguments */
      g_printerr (_("Usage: %s %s [OPTION…] %s\n"), PROGRAM_NAME, command_name,
                  _(parameters));
      g_printerr (_("Run “%s %s --help” to see every option.\n"), PROGRAM_NAME, command_name);
    }
  else
    {
      g_printerr (_("Usage: %s COMMAND [OPTION…]\n"), PROGRAM_NAME);
      g_printerr (_("Run “%s --help” to see the commands.\n"), PROGRAM_NAME);
    }
  return FB_CLI_EXIT_USAGE;
}

int
_fb_cli_usage_error (FbCli      *cli,
                     const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  return usage_error (cli->name, command_parameters (cli->command), "%s", message);
}

static const GOptionEntry version_entries[] = {
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
  { NULL }
};

static char *
main_help (void)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GString) description = g_string_new (NULL);

  g_string_append (description, _("Commands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (description, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  g_string_append_c (description, '\n');
  g_string_append_printf (description,
                          _("Run “%s COMMAND --help” to see the options of a command.\n"),
                          PROGRAM_NAME);
  g_string_append (description,
                   _("Exit status: 0 when no job ended in error (not found is not an error),\n"
                     "1 when one did or input was rejected, 2 for usage errors, 130 after\n"
                     "Ctrl+C, 128 + N after signal N (SIGHUP 129, SIGQUIT 131, SIGTERM 143);\n"
                     "every job is cancelled and its partial file removed first (with --journal\n"
                     "or --continue the partial files stay, and the same command continues them).\n"));

  g_set_prgname (PROGRAM_NAME);
  context = g_option_context_new (_("COMMAND [ARG…]"));
  g_option_context_add_main_entries (context, version_entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Run many network jobs at once, headless: flag downloads, "
                                  "URL downloads and DNS probes."));
  g_option_context_set_description (context, description->str);
  return g_option_context_get_help (context, TRUE, NULL);
}

/* ---- options ---- */

static char *
command_description (FbCliCommand command)
{
  switch (command)
    {
    case FB_CLI_COMMAND_FLAGS:
      return g_strdup (_("CC is a country code (BR) or its first letter (B for BA…BZ), in any case.\n"
               "-e beats -a beats CC arguments; the codes are de-duplicated and sorted, then\n"
               "cut by -l. Each code fetches {server}/{cc}/{cc}.gif (and metadata.json with\n"
               "--metadata); files are saved in ./downloaded as CC.gif, or under the\n"
               "country name with --metadata. Without -s a demo server is started inside\n"
               "the program and used.\n\n"
               "Exit status: 0 when no flag ended in error (not found is not an error), 1 when\n"
               "one did, 2 for usage errors, 130 after Ctrl+C."));
    case FB_CLI_COMMAND_DOWNLOAD:
      return g_strdup (_("Each argument is a URL, @FILE (a list, one URL a line; .csv and .tsv: the\n"
               "first column) or - (the list on standard input). Lines that are not URLs\n"
               "are reported as FILE:LINE: REASON and the rest still runs. Files are saved\n"
               "under the last segment of the URL's path, in the current folder unless -o\n"
               "is given; an existing file is kept and the new one gets a number unless\n"
               "--overwrite is given.\n\n"
               "Exit status: 0 when no download ended in error (not found is not an error),\n"
               "1 when one did or a line was rejected, 2 for usage errors or when no valid\n"
               "URL remains, 130 after Ctrl+C."));
    case FB_CLI_COMMAND_PROBE:
      return g_strdup (_("Each argument is a domain name, @FILE (a list, one name a line) or - (the\n"
               "list on standard input). Results are printed as they complete: “+ name” when\n"
               "the name resolves, “  name” when it does not.\n\n"
               "Exit status: 0 when no lookup ended in error (not found is not an error),\n"
               "1 when one did (a timeout, say) or a line was rejected, 2 for usage errors\n"
               "or when no valid name remains, 130 after Ctrl+C."));
    case FB_CLI_COMMAND_SERVE:
      return g_strconcat (
        _("Serves /flags/{cc}/{cc}.gif and /flags/{cc}/metadata.json for every ISO 3166\n"
          "country; unknown codes get 404. Each answer waits a random time in the\n"
          "--delay range, and fails with 418 I'm a Teapot with probability\n"
          "--error-rate. Stop it with Ctrl+C (exit status 0)."),
        "\n\n",
        _("The finder, as the book's web_mojifinder: GET /search?q=WORDS answers\n"
          "[{\"char\": …, \"name\": …}] in JSON, GET /flags/search?q=WORDS the matching\n"
          "countries, GET / a search page. With --root DIR the files of DIR are served\n"
          "instead of the flags (no path leads out of DIR) and the page moves to\n"
          "/finder. --tcp-port adds the book's tcp_mojifinder line protocol."), NULL);
    case FB_CLI_COMMAND_FIND:
      return g_strdup (_("Prints each character whose Unicode name has every WORD (in any case;\n"
               "hyphens split words), sorted by code point, as U+1F638<TAB>😸<TAB>NAME,\n"
               "then a line of 66 “─” and the count, like the book’s mojifinder. With\n"
               "--catalog it searches the flag catalog instead: codes, flags and country\n"
               "names in every language iso-codes has, printed as CODE<TAB>FLAG<TAB>NAME.\n"
               "The names come from Unicode’s UnicodeData.txt (Debian’s unicode-data\n"
               "package, or the file FETCHBOARD_UNICODE_DATA names).\n\n"
               "Exit status: 0 after a search (even one that finds nothing), 1 when the\n"
               "names cannot be read, 2 for usage errors."));
    case FB_CLI_COMMAND_HISTORY:
      return g_strdup (_("Lists every run of the journal (the user’s, or --journal FILE): its number,\n"
               "date, kind and how its jobs ended. Runs are recorded by the window, and by\n"
               "flags, download and probe when given --journal or --continue."));
    case FB_CLI_COMMAND_EXPORT:
      return g_strdup (_("RUN is a number from “history”, or “last”. JSON and CSV have one entry per\n"
               "job with every field of the journal; SVG draws the run’s timeline (jobs\n"
               "active and the limit over time, and when each job ended, by result)."));
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
add_entry (GArray       *entries,
           const char   *long_name,
           char          short_name,
           int           flags,
           GOptionArg    arg,
           gpointer      data,
           const char   *description,
           const char   *arg_description)
{
  GOptionEntry entry = { long_name, short_name, flags, arg, data, description, arg_description };

  g_array_append_val (entries, entry);
}

/* Numbers from the command line: the whole text must be a number in range,
 * so "1e13", "nan", "inf", "-1" or "5x" end as a usage error that names the
 * option and what it allows, before any of them reaches a timer. */
static gboolean
parse_int_arg (const char  *text,
               gint64       min,
               gint64       max,
               int         *out)
{
  gint64 value;
  char *end = NULL;

  if (text == NULL || *text == '\0' || g_ascii_isspace (*text))
    return FALSE;
  errno = 0;
  value = g_ascii_strtoll (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
    return FALSE;
  *out = (int) value;
  return TRUE;
}

static gboolean
parse_double_arg (const char *text,
                  double      min,
                  double      max,
                  double     *out)
{
  double value;
  char *end = NULL;

  if (text == NULL || *text == '\0' || g_ascii_isspace (*text))
    return FALSE;
  value = g_ascii_strtod (text, &end);
  /* NaN fails both comparisons; infinities fail one. */
  if (end == text || *end != '\0' || !(value >= min && value <= max))
    return FALSE;
  *out = value;
  return TRUE;
}

static gboolean
max_req_cb (const char  *name,
            const char  *value,
            gpointer     data,
            GError     **error)
{
  FbCli *cli = data;

  if (parse_int_arg (value, FB_SEMAPHORE_MIN_LIMIT, FB_SEMAPHORE_MAX_LIMIT, &cli->max_req))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--max-req N must be from %d to %d"),
               FB_SEMAPHORE_MIN_LIMIT, FB_SEMAPHORE_MAX_LIMIT);
  return FALSE;
}

static gboolean
limit_cb (const char  *name,
          const char  *value,
          gpointer     data,
          GError     **error)
{
  FbCli *cli = data;

  if (parse_int_arg (value, 1, G_MAXINT, &cli->limit))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--limit N must be a whole number from 1 to %d"), G_MAXINT);
  return FALSE;
}

static gboolean
timeout_cb (const char  *name,
            const char  *value,
            gpointer     data,
            GError     **error)
{
  FbCli *cli = data;

  if (parse_double_arg (value, FB_RUN_MIN_TIMEOUT, FB_RUN_MAX_TIMEOUT, &cli->timeout))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--timeout SECONDS must be from %g to %g"),
               FB_RUN_MIN_TIMEOUT, FB_RUN_MAX_TIMEOUT);
  return FALSE;
}

static gboolean
port_cb (const char  *name,
         const char  *value,
         gpointer     data,
         GError     **error)
{
  FbCli *cli = data;

  if (parse_int_arg (value, 0, G_MAXUINT16, &cli->port))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--port N must be from 0 to 65535"));
  return FALSE;
}

static gboolean
error_rate_cb (const char  *name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  FbCli *cli = data;

  if (parse_double_arg (value, 0.0, 1.0, &cli->error_rate))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--error-rate P must be from 0 to 1"));
  return FALSE;
}

static GArray *
command_entries (FbCli *cli)
{
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  gboolean flags = cli->command == FB_CLI_COMMAND_FLAGS;
  gboolean probe = cli->command == FB_CLI_COMMAND_PROBE;

  if (cli->command == FB_CLI_COMMAND_FIND)
    {
      add_entry (entries, "catalog", 0, 0, G_OPTION_ARG_NONE, &cli->catalog,
                 N_("Search the flag catalog (countries) instead of Unicode"), NULL);
      add_entry (entries, G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli->args,
                 NULL, NULL);
      return entries;
    }

  if (cli->command == FB_CLI_COMMAND_SERVE)
    {
      add_entry (entries, "delay", 0, 0, G_OPTION_ARG_STRING, &cli->delay,
                 N_("Wait MIN seconds, or a random time from MIN to MAX, before each answer "
                    "(default 0)"), N_("MIN[-MAX]"));
      add_entry (entries, "error-rate", 0, 0, G_OPTION_ARG_CALLBACK, error_rate_cb,
                 N_("Answer 418 I'm a Teapot with probability P, 0 to 1 (default 0)"),
                 N_("P"));
      add_entry (entries, "port", 0, 0, G_OPTION_ARG_CALLBACK, port_cb,
                 N_("Listen for HTTP on port N; 0 picks a free port (default 8000)"), N_("N"));
      add_entry (entries, "bind", 0, 0, G_OPTION_ARG_STRING, &cli->bind,
                 N_("Listen on this IP address (default 127.0.0.1)"), N_("ADDR"));
      add_entry (entries, "backlog", 0, 0, G_OPTION_ARG_INT, &cli->backlog,
                 N_("Queue at most N connections not yet accepted (default 1024)"), N_("N"));
      add_entry (entries, "root", 0, 0, G_OPTION_ARG_FILENAME, &cli->root,
                 N_("Serve the files of DIR instead of the built-in flags"), N_("DIR"));
      add_entry (entries, "tcp-port", 0, 0, G_OPTION_ARG_INT, &cli->tcp_port,
                 N_("Also serve the finder's line protocol on TCP port N (the book uses 2323)"),
                 N_("N"));
      add_entry (entries, "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli->verbose,
                 N_("Log each request and each finder query"), NULL);
      add_entry (entries, G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cli->args,
                 NULL, NULL);
      return entries;
    }

  add_entry (entries, "journal", 0, 0, G_OPTION_ARG_FILENAME, &cli->journal_path,
             cli->command == FB_CLI_COMMAND_HISTORY || cli->command == FB_CLI_COMMAND_EXPORT
             ? N_("Read the journal FILE (default: the user’s, as the window keeps it)")
             : N_("Record the run in FILE; the same command run again continues it"),
             N_("FILE"));
  if (cli->command == FB_CLI_COMMAND_HISTORY || cli->command == FB_CLI_COMMAND_EXPORT)
    {
      if (cli->command == FB_CLI_COMMAND_EXPORT)
        {
          add_entry (entries, "format", 'f', 0, G_OPTION_ARG_STRING, &cli->format,
                     N_("json, csv or svg (default json)"), N_("FORMAT"));
          add_entry (entries, "output", 'o', 0, G_OPTION_ARG_FILENAME, &cli->output,
                     N_("Write to FILE (default: standard output)"), N_("FILE"));
        }
      add_entry (entries, G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cli->args,
                 NULL, NULL);
      return entries;
    }
  add_entry (entries, "continue", 'c', 0, G_OPTION_ARG_NONE, &cli->continue_saved,
             N_("Skip files the journal saw saved that are still whole, and continue an "
                "unfinished run of the same command (uses the user’s journal without "
                "--journal)"), NULL);

  if (flags)
    {
      add_entry (entries, "all", 'a', 0, G_OPTION_ARG_NONE, &cli->all,
                 N_("Get all available flags (AD to ZW)"), NULL);
      add_entry (entries, "every", 'e', 0, G_OPTION_ARG_NONE, &cli->every,
                 N_("Get flags for every possible code (AA…ZZ)"), NULL);
      add_entry (entries, "limit", 'l', 0, G_OPTION_ARG_CALLBACK, limit_cb,
                 N_("Limit to N first codes"), N_("N"));
    }
  add_entry (entries, "max-req", 'm', 0, G_OPTION_ARG_CALLBACK, max_req_cb,
             N_("Maximum concurrent requests, 1 to 1000 (default 5)"), N_("N"));
  /* The book's spelling. */
  add_entry (entries, "max_req", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_CALLBACK, max_req_cb,
             NULL, NULL);
  if (flags)
    add_entry (entries, "server", 's', 0, G_OPTION_ARG_STRING, &cli->server_url,
               N_("Flag server: LOCAL, REMOTE, DELAY, ERROR (the book’s labels) or a base "
                  "URL (default: start a demo server)"), N_("LABEL|URL"));
  if (!probe)
    add_entry (entries, "output", 'o', 0, G_OPTION_ARG_FILENAME, &cli->output,
               flags ? N_("Save the flags in DIR (default “downloaded”)")
                     : N_("Save the files in DIR (default: the current folder)"), N_("DIR"));
  if (flags)
    add_entry (entries, "metadata", 0, 0, G_OPTION_ARG_NONE, &cli->metadata,
               N_("Save flags under the country name in metadata.json (flags3)"),
               NULL);
  add_entry (entries, "timeout", 0, 0, G_OPTION_ARG_CALLBACK, timeout_cb,
             probe ? N_("Give up on a lookup after SECONDS (default 5)")
                   : N_("Give up on a request after SECONDS (default 3.1)"), N_("SECONDS"));
  if (!probe)
    {
      add_entry (entries, "cacert", 0, 0, G_OPTION_ARG_FILENAME, &cli->cacert,
                 N_("Trust only the certificates in FILE (PEM) for https, instead of the system’s"),
                 N_("FILE"));
      add_entry (entries, "connect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &cli->connect_timeout,
                 N_("Give up on resolving and connecting after SECONDS (default 10)"),
                 N_("SECONDS"));
      add_entry (entries, "max-time", 0, 0, G_OPTION_ARG_DOUBLE, &cli->max_time,
                 N_("Give up on a request after SECONDS in all (default: no limit)"),
                 N_("SECONDS"));
      add_entry (entries, "speed-limit", 0, 0, G_OPTION_ARG_INT64, &cli->speed_limit,
                 N_("Give up on a body slower than BYTES per second over --speed-time "
                    "(default: no limit)"), N_("BYTES"));
      add_entry (entries, "speed-time", 0, 0, G_OPTION_ARG_DOUBLE, &cli->speed_time,
                 N_("The window --speed-limit is measured over (default 30)"), N_("SECONDS"));
      add_entry (entries, "per-host", 0, 0, G_OPTION_ARG_INT, &cli->per_host,
                 N_("At most N requests at once to one host; 0 for no limit (default 0)"),
                 N_("N"));
    }
  add_entry (entries, "retries", 0, 0, G_OPTION_ARG_INT, &cli->retries,
             N_("Try a job again up to N times after a timeout, a lost connection or "
                "HTTP 408, 429, 502, 503, 504 (default 0)"), N_("N"));
  add_entry (entries, "retry-delay", 0, 0, G_OPTION_ARG_DOUBLE, &cli->retry_delay,
             N_("Wait about SECONDS before the first retry, twice as long before each next "
                "(default 1)"), N_("SECONDS"));
  if (!probe)
    add_entry (entries, "overwrite", 0, 0, G_OPTION_ARG_NONE, &cli->overwrite,
               N_("Replace files that already exist"), NULL);
  add_entry (entries, "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli->verbose,
             N_("Print a line per finished job instead of the progress bar"), NULL);
  add_entry (entries, "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli->quiet,
             N_("Print nothing but errors"), NULL);
  add_entry (entries, "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
             N_("Print a JSON object per finished job, then a summary"), NULL);
  add_entry (entries, G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cli->args,
             NULL, NULL);
  return entries;
}

/* Returns -1 when the options are good, else the exit status. */
static int
parse_options (FbCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GArray) entries = command_entries (cli);
  g_autoptr(GError) error = NULL;
  GOptionGroup *group;
  g_autofree char *prgname = g_strdup_printf ("%s %s", PROGRAM_NAME, cli->name);
  g_autofree char *description = NULL;
  g_auto(GStrv) strv = g_new0 (char *, argc + 1);

  for (int i = 0; i < argc; i++)
    strv[i] = g_strdup (argv[i]);
  g_set_prgname (prgname);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (commands[i].command == cli->command)
      {
        context = g_option_context_new (_(commands[i].parameters));
        g_option_context_set_summary (context, _(commands[i].summary));
      }
  description = command_description (cli->command);
  g_option_context_set_description (context, description);
  /* A group of our own, so that the number callbacks get @cli. */
  group = g_option_group_new (NULL, NULL, NULL, cli, NULL);
  g_option_group_add_entries (group, (GOptionEntry *) (gpointer) entries->data);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (context, group);

  if (!g_option_context_parse_strv (context, &strv, &error))
    return _fb_cli_usage_error (cli, "%s", error->message);

  if (cli->verbose + cli->quiet + cli->json > 1)
    return _fb_cli_usage_error (cli, _("-v, -q and --json cannot be combined"));
  if (cli->connect_timeout != UNSET_DOUBLE
      && !(cli->connect_timeout > 0 && cli->connect_timeout <= FB_RUN_MAX_SECONDS))
    return _fb_cli_usage_error (cli, _("--connect-timeout SECONDS must be more than 0 and at most %.0f"),
                            FB_RUN_MAX_SECONDS);
  if (cli->max_time != UNSET_DOUBLE
      && !(cli->max_time > 0 && cli->max_time <= FB_RUN_MAX_SECONDS))
    return _fb_cli_usage_error (cli, _("--max-time SECONDS must be more than 0 and at most %.0f"),
                            FB_RUN_MAX_SECONDS);
  if (cli->speed_time != UNSET_DOUBLE
      && !(cli->speed_time > 0 && cli->speed_time <= FB_RUN_MAX_SECONDS))
    return _fb_cli_usage_error (cli, _("--speed-time SECONDS must be more than 0 and at most %.0f"),
                            FB_RUN_MAX_SECONDS);
  if (cli->speed_limit < -1 || cli->speed_limit == 0)
    return _fb_cli_usage_error (cli, _("--speed-limit BYTES must be at least 1"));
  if (cli->retry_delay != UNSET_DOUBLE
      && !(cli->retry_delay >= 0 && cli->retry_delay <= FB_RETRY_MAX_DELAY))
    return _fb_cli_usage_error (cli, _("--retry-delay SECONDS must be from 0 to %.0f"),
                            FB_RETRY_MAX_DELAY);
  if (cli->retries != UNSET_INT && (cli->retries < 0 || cli->retries > FB_RETRY_MAX_RETRIES))
    return _fb_cli_usage_error (cli, _("--retries N must be from 0 to %d"), FB_RETRY_MAX_RETRIES);
  if (cli->per_host != UNSET_INT && (cli->per_host < 0 || cli->per_host > FB_SEMAPHORE_MAX_LIMIT))
    return _fb_cli_usage_error (cli, _("--per-host N must be from 0 to %d"), FB_SEMAPHORE_MAX_LIMIT);

  if (cli->command == FB_CLI_COMMAND_FIND && (cli->args == NULL || cli->args[0] == NULL))
    return _fb_cli_usage_error (cli, _("no word given (give one or more words to look for)"));
  if (cli->command == FB_CLI_COMMAND_HISTORY || cli->command == FB_CLI_COMMAND_EXPORT)
    {
      guint n_args = cli->args != NULL ? g_strv_length (cli->args) : 0;
      guint max_args = cli->command == FB_CLI_COMMAND_EXPORT ? 1 : 0;

      if (n_args > max_args)
        return _fb_cli_usage_error (cli, _("unexpected argument “%s”"), cli->args[max_args]);
    }

  if (cli->command == FB_CLI_COMMAND_SERVE)
    {
      if (cli->args != NULL && cli->args[0] != NULL)
        return _fb_cli_usage_error (cli, _("unexpected argument “%s”"), cli->args[0]);
      if (cli->tcp_port != UNSET_INT && (cli->tcp_port < 0 || cli->tcp_port > G_MAXUINT16))
        return _fb_cli_usage_error (cli, _("--tcp-port N must be from 0 to 65535"));
      if (cli->backlog < 1 || cli->backlog > 65535)
        return _fb_cli_usage_error (cli, _("--backlog N must be from 1 to 65535"));
      if (cli->bind != NULL && !g_hostname_is_ip_address (cli->bind))
        return _fb_cli_usage_error (cli, _("--bind ADDR must be an IP address, not “%s”"),
                                cli->bind);
      if (cli->root != NULL && !g_file_test (cli->root, G_FILE_TEST_IS_DIR))
        return _fb_cli_usage_error (cli, _("--root DIR must be a folder: “%s”"), cli->root);
    }

  if (cli->server_url != NULL && fb_cli_server_for_label (cli->server_url) != NULL)
    {
      cli->server_label = g_ascii_strup (cli->server_url, -1);
      g_free (cli->server_url);
      cli->server_url = g_strdup (fb_cli_server_for_label (cli->server_label));
    }
  if (cli->cacert != NULL)
    {
      g_autoptr(GError) tls_error = NULL;

      cli->tls_database = fb_tls_database_new_for_file (cli->cacert, &tls_error);
      if (cli->tls_database == NULL)
        return _fb_cli_usage_error (cli, _("--cacert: cannot read certificates from “%s”: %s"),
                                cli->cacert, tls_error->message);
    }

  if (cli->server_url != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (cli->server_url, G_URI_FLAGS_NONE, NULL);
      g_autofree char *shown = fb_url_for_display (cli->server_url);
      gsize length = strlen (cli->server_url);

      if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0'
          || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
              && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
        return _fb_cli_usage_error (cli, _("--server URL must be an http:// or https:// URL, "
                                       "not “%s”"), shown);
      /* The engine appends "/{cc}/…". */
      while (length > 0 && cli->server_url[length - 1] == '/')
        cli->server_url[--length] = '\0';
    }

  return -1;
}

/* ---- signals ---- */

/* SIGHUP (a closed terminal or ssh session), SIGINT (Ctrl+C), SIGQUIT
 * (Ctrl+\) and SIGTERM all end the run as a clean cancel: every job ends,
 * every .part file is removed (kept, flushed, when the run is recorded in
 * a journal: the same command continues it), the summary is printed, and the status is
 * 128 + the signal's number (130 for Ctrl+C), as a shell reports it. A
 * second signal never skips the clean-up. g_unix_signal_add () refuses
 * SIGQUIT, so it comes through a pipe written by a plain handler. (GIO
 * ignores SIGPIPE for its sockets: a closed standard output does not stop
 * the downloads.) */

static int quit_pipe[2] = { -1, -1 };

static void
quit_handler (int signum)
{
  int saved_errno = errno;
  char byte = (char) signum;

  if (write (quit_pipe[1], &byte, 1) < 0)
    {
      /* The pipe is full: a signal is already waiting to be read. */
    }
  errno = saved_errno;
}

static void
handle_signal (FbCli *cli,
               int    signum)
{
  if (cli->signal_status != 0)
    {
      /* Already cancelling: what is left is removing partial files and
       * closing connections, which must finish. */
      if (!cli->hurried)
        {
          cli->hurried = TRUE;
          if (cli->progress != NULL)
            fb_cli_progress_clear (cli->progress);
          g_printerr (_("%s: cancelling; removing partial files first…\n"), PROGRAM_NAME);
        }
      return;
    }

  cli->signal_status = 128 + signum;
  g_cancellable_cancel (cli->cancellable);
  /* A recorded run stops to be continued: the same command run again
   * resumes its partial files with Range. */
  if (cli->run != NULL && !cli->run_finished && cli->journal != NULL)
    fb_run_suspend (cli->run);
  else if (cli->run != NULL && !cli->run_finished)
    fb_run_cancel (cli->run);
  g_main_context_wakeup (NULL);
}

static gboolean
signal_cb (gpointer user_data)
{
  SignalWatch *watch = user_data;

  handle_signal (watch->cli, watch->signum);
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_pipe_cb (int          fd,
              GIOCondition condition,
              gpointer     user_data)
{
  char bytes[16];
  gssize n;

  while ((n = read (fd, bytes, sizeof bytes)) > 0)
    for (gssize i = 0; i < n; i++)
      handle_signal (user_data, bytes[i]);
  return G_SOURCE_CONTINUE;
}

static void
watch_signals (FbCli *cli)
{
  static const int signals[] = { SIGHUP, SIGINT, SIGTERM };
  struct sigaction action = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      cli->watches[i].cli = cli;
      cli->watches[i].signum = signals[i];
      cli->watches[i].id = g_unix_signal_add (signals[i], signal_cb, &cli->watches[i]);
    }

  if (quit_pipe[0] < 0 && pipe2 (quit_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    return;
  cli->quit_id = g_unix_fd_add (quit_pipe[0], G_IO_IN, quit_pipe_cb, cli);
  action.sa_handler = quit_handler;
  sigemptyset (&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction (SIGQUIT, &action, NULL);
}

static void
unwatch_signals (FbCli *cli)
{
  struct sigaction action = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (cli->watches); i++)
    g_clear_handle_id (&cli->watches[i].id, g_source_remove);
  if (cli->quit_id != 0)
    {
      action.sa_handler = SIG_DFL;
      sigemptyset (&action.sa_mask);
      sigaction (SIGQUIT, &action, NULL);
      g_clear_handle_id (&cli->quit_id, g_source_remove);
    }
}

/* ---- serve ---- */

static int
run_serve (FbCli *cli)
{
  g_autoptr(GError) error = NULL;
  FbCliServeOptions options = { 0, };

  if (cli->delay != NULL
      && !fb_demo_server_parse_delay (cli->delay, &options.delay_min, &options.delay_max,
                                      &error))
    return _fb_cli_usage_error (cli, _("--delay: %s"), error->message);

  options.address = cli->bind != NULL ? cli->bind : "127.0.0.1";
  options.port = (guint) cli->port;
  options.tcp_port = cli->tcp_port != UNSET_INT ? cli->tcp_port : -1;
  options.backlog = cli->backlog;
  options.root = cli->root;
  options.error_rate = cli->error_rate;
  options.verbose = cli->verbose;
  return fb_cli_serve (&options, &cli->signal_status, &cli->stall);
}

/* ---- main ---- */

static int
run_command (FbCli  *cli,
             int     argc,
             char  **argv)
{
  int status;

  status = parse_options (cli, argc, argv);
  if (status >= 0)
    return status;

  /* serve measures from the moment it listens: building the indexes
   * before that keeps both cores busy, which is not a main-loop stall. */
  if (cli->command != FB_CLI_COMMAND_SERVE)
    cli->stall = fb_cli_stall_meter_from_env ();
  watch_signals (cli);

  switch (cli->command)
    {
    case FB_CLI_COMMAND_FLAGS:
      status = _fb_cli_run_flags (cli);
      break;
    case FB_CLI_COMMAND_DOWNLOAD:
    case FB_CLI_COMMAND_PROBE:
      status = _fb_cli_run_list (cli);
      break;
    case FB_CLI_COMMAND_SERVE:
      status = run_serve (cli);
      break;
    case FB_CLI_COMMAND_FIND:
      status = fb_cli_find (cli->catalog, (const char * const *) cli->args, &cli->signal_status);
      break;
    case FB_CLI_COMMAND_HISTORY:
      status = fb_cli_history (cli->journal_path);
      break;
    case FB_CLI_COMMAND_EXPORT:
      status = fb_cli_export (cli->journal_path, cli->args != NULL ? cli->args[0] : NULL,
                              cli->format, cli->output);
      break;
    default:
      g_assert_not_reached ();
    }

  if (cli->stall != NULL)
    {
      g_printerr (_("longest main-loop stall: %.1f ms\n"),
                  fb_stall_meter_get_worst (cli->stall) / 1000.0);
      g_printerr (_("longest main-loop turn on the CPU: %.1f ms\n"),
                  fb_stall_meter_get_worst_busy (cli->stall) / 1000.0);
    }
  return status;
}

int
fb_cli_main (int    argc,
             char **argv)
{
  g_autoptr(FbCli) cli = NULL;
  const char *name;

  if (argc < 2)
    return usage_error (NULL, NULL, _("no command given"));

  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "-?")
      || g_str_equal (name, "--help-all") || (g_str_equal (name, "help") && argc == 2))
    {
      g_autofree char *help = main_help ();

      g_print ("%s", help);
      return FB_CLI_EXIT_OK;
    }
  if (g_str_equal (name, "--version"))
    {
      g_print ("%s %s\n", PROGRAM_NAME, PACKAGE_VERSION);
      return FB_CLI_EXIT_OK;
    }
  if (g_str_equal (name, "help"))
    {
      /* "help flags" is "flags --help". */
      char *help_argv[] = { argv[0], argv[2], (char *) "--help", NULL };

      return fb_cli_main (3, help_argv);
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (name, commands[i].name))
      cli = fb_cli_new (commands[i].command, commands[i].name);

  if (cli == NULL)
    {
      if (name[0] == '-')
        return usage_error (NULL, NULL, _("unknown option “%s” (options go after the command)"),
                            name);
      return usage_error (NULL, NULL, _("unknown command “%s”"), name);
    }

  return run_command (cli, argc - 1, argv + 1);
}
