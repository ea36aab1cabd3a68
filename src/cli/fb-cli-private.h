/* fb-cli-private.h: what the files of fetchboard-cli share.
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-cli.h"
#include "fb-cli-progress.h"
#include "fb-demo-server.h"
#include "fb-journal.h"
#include "fb-list-parser.h"
#include "fb-run.h"
#include "fb-stall-meter.h"

G_BEGIN_DECLS

#define PROGRAM_NAME         "fetchboard-cli"
#define PROGRESS_INTERVAL_MS 100 /* at most ten redraws a second */
#define UNSET_INT            G_MININT
#define UNSET_DOUBLE         (-G_MAXDOUBLE)
#define DEFAULT_SERVE_PORT   8000 /* the book's local server */
#define DEFAULT_BACKLOG      1024 /* the kernel caps it at net.core.somaxconn */
#define FLAGS_DEFAULT_OUTPUT "downloaded"

typedef struct _FbCli FbCli;

/* One place entries come from, kept in argument order. */
typedef struct
{
  FbCli        *cli;
  char         *name;      /* as typed, for messages */
  char         *path;      /* @FILE, or NULL */
  GString      *text;      /* command-line entries, one a line */
  gboolean      is_stdin;
  gboolean      done;
  FbListResult *result;
  GError       *error;
} ListSource;

typedef struct
{
  FbCli *cli;
  int    signum;
  guint  id;
} SignalWatch;

struct _FbCli
{
  FbCliCommand   command;
  const char    *name;

  /* options */
  int            max_req;
  int            limit;
  double         timeout;
  double         connect_timeout;
  double         max_time;
  double         speed_time;
  gint64         speed_limit;
  double         retry_delay;
  int            retries;
  int            per_host;
  char          *output;
  char          *server_url;
  char          *server_label;  /* -s LOCAL|REMOTE|DELAY|ERROR, upper-case */
  char          *cacert;
  char          *delay;
  double         error_rate;
  int            port;
  int            tcp_port;
  int            backlog;
  char          *bind;
  char          *root;
  char         **args;
  gboolean       verbose;
  gboolean       quiet;
  gboolean       json;
  gboolean       overwrite;
  gboolean       all;
  gboolean       every;
  gboolean       metadata;
  gboolean       catalog;
  char          *journal_path;
  char          *format;
  gboolean       continue_saved;

  /* state */
  GCancellable  *cancellable;
  FbRun         *run;
  FbJournal     *journal;
  gboolean       journal_opening; /* fb_cli_journal_open_async under way */
  gboolean       journal_tried;   /* it ended (journal may be NULL) */
  GTlsDatabase  *tls_database;  /* from --cacert */
  FbDemoServer  *server;
  FbCliProgress *progress;
  FbStallMeter  *stall;
  GPtrArray     *sources;
  guint          n_reading;
  guint          n_rejected;
  SignalWatch    watches[3];    /* SIGHUP, SIGINT, SIGTERM */
  guint          quit_id;       /* SIGQUIT, through quit_pipe */
  int            signal_status; /* 128 + the first signal's number, 0 if none */
  gboolean       hurried;
  gboolean       run_finished;
};

void _fb_cli_list_source_free (ListSource *source);
/* Prints the usage error for @cli's command; returns FB_CLI_EXIT_USAGE. */
int  _fb_cli_usage_error      (FbCli      *cli,
                               const char *format,
                               ...) G_GNUC_PRINTF (2, 3);
/* flags; download and probe (lists of entries). Return the exit status. */
int  _fb_cli_run_flags        (FbCli      *cli);
int  _fb_cli_run_list         (FbCli      *cli);

G_END_DECLS
