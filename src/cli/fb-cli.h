/* fb-cli.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-run.h"

G_BEGIN_DECLS

typedef enum
{
  FB_CLI_COMMAND_FLAGS,
  FB_CLI_COMMAND_DOWNLOAD,
  FB_CLI_COMMAND_PROBE,
  FB_CLI_COMMAND_SERVE,
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
 * @every (AA..ZZ) beats @all (ISO codes) beats @args; de-duplicated, sorted,
 * cut to @limit (0 = no limit); no code at all = the 20 most populous. */
GStrv     fb_cli_expand_codes            (gboolean             every,
                                          gboolean             all,
                                          const char * const  *args,
                                          guint                limit,
                                          GError             **error);
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
char     *fb_cli_summary_to_json         (FbRun               *run,
                                          guint                n_rejected);

const char *fb_cli_state_to_string       (FbJobState           state);
const char *fb_cli_kind_to_string        (FbJobKind            kind);

G_END_DECLS
