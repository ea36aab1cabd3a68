/* fb-cli.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-index.h"
#include "fb-run.h"
#include "fb-stall-meter.h"

G_BEGIN_DECLS

typedef enum
{
  FB_CLI_COMMAND_FLAGS,
  FB_CLI_COMMAND_DOWNLOAD,
  FB_CLI_COMMAND_PROBE,
  FB_CLI_COMMAND_SERVE,
  FB_CLI_COMMAND_FIND,
  FB_CLI_COMMAND_HISTORY,
  FB_CLI_COMMAND_EXPORT,
} FbCliCommand;

#define FB_CLI_EXIT_OK          0   /* nothing ended in error */
#define FB_CLI_EXIT_FAILED      1   /* a job ended in error, or input was rejected */
#define FB_CLI_EXIT_USAGE       2
#define FB_CLI_EXIT_INTERRUPTED 130 /* Ctrl+C */

#define FB_CLI_MAX_LISTED_CODES 10  /* more codes are shown as "from AD to ZW" */

/* The whole program: `fetchboard-cli COMMAND [OPTION…]`; returns the exit status. */
int       fb_cli_main                    (int                  argc,
                                          char               **argv);

/* The book's expand_cc_args: one letter = its 26 codes, two letters = a code;
 * @every (AA..ZZ) beats @all (the book's 194 codes) beats @args; de-duplicated, sorted,
 * cut to @limit (0 = no limit); no code at all = the 20 most populous. */
GStrv     fb_cli_expand_codes            (gboolean             every,
                                          gboolean             all,
                                          const char * const  *args,
                                          guint                limit,
                                          GError             **error);
/* The book's -s labels: "LOCAL" (any case) → http://localhost:8000/flags,
 * DELAY 8001, ERROR 8002, REMOTE the book's site; NULL for anything else. */
const char *fb_cli_server_for_label      (const char          *label);
/* LOCAL for loopback hosts (localhost, 127.0.0.0/8, ::1), else REMOTE. */
gboolean  fb_cli_url_is_local            (const char          *url);

/* "Searching for 3 flags: BR CN US" / "… from AD to ZW" */
char     *fb_cli_format_search           (const char * const  *codes);
/* "5 concurrent connections will be used." */
char     *fb_cli_format_connections      (guint                n);
/* The lines after the 20 dashes, each ending in '\n'. */
char     *fb_cli_format_summary          (FbCliCommand         command,
                                          guint                n_ok,
                                          guint                n_not_found,
                                          guint                n_error,
                                          guint                n_cancelled,
                                          gint64               elapsed_us);
/* -v: "BR OK: saved as BR.gif", "ZB not found: URL", "XX error: HTTP error 418 …" */
char     *fb_cli_format_job              (FbJob               *job);
/* -v: "BR retry 1 of 3 in 1 s: HTTP 503" for retry @index of @job. */
char     *fb_cli_format_retry            (FbJob               *job,
                                          guint                index);
/* probe: "+ name" / "  name"; @verbose adds the addresses and the time. */
char     *fb_cli_format_probe            (FbJob               *job,
                                          gboolean             verbose);
/* --json: one line, no newline. */
char     *fb_cli_job_to_json             (FbJob               *job);
/* g_ascii_dtostr (buffer, G_ASCII_DTOSTR_BUF_SIZE, value), byte for byte. */
void      fb_cli_format_double           (char                 buffer[G_ASCII_DTOSTR_BUF_SIZE],
                                          double               value);
char     *fb_cli_summary_to_json         (FbRun               *run,
                                          guint                n_rejected);

/* find: a line per result (the book's format; catalog names in the reader's
 * language), then 66 "─" and " N found". */
char     *fb_cli_format_find             (FbIndex             *index,
                                          const guint         *ids,
                                          guint                n_ids);
/* Runs `find`; returns the exit status. Stops waiting when *@stop is set. */
int       fb_cli_find                    (gboolean             catalog,
                                          const char * const  *words,
                                          const int           *stop);

typedef struct
{
  const char *address;     /* an IP address */
  guint       port;        /* HTTP; 0 = any free port */
  int         tcp_port;    /* the line server's, 0 = any free port, -1 = none */
  int         backlog;
  const char *root;        /* a folder to serve, or NULL for the built-in flags */
  double      delay_min;
  double      delay_max;
  double      error_rate;
  gboolean    verbose;
} FbCliServeOptions;

/* Runs `serve` until *@stop is set; returns the exit status. With
 * FETCHBOARD_STALL_LOG, it sets *@stall to a meter started once it listens. */
int       fb_cli_serve                   (const FbCliServeOptions  *options,
                                          const int                *stop,
                                          FbStallMeter            **stall);
/* The stall meter FETCHBOARD_STALL_LOG=1 or =verbose asks for, or NULL. */
FbStallMeter *fb_cli_stall_meter_from_env (void);

const char *fb_cli_state_to_string       (FbJobState           state);
const char *fb_cli_kind_to_string        (FbJobKind            kind);

G_END_DECLS
