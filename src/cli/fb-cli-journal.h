/* fb-cli-journal.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-journal.h"

G_BEGIN_DECLS

/* Opens @path (NULL: the user's journal), printing why when it cannot be
 * used (then NULL: a run goes on unrecorded) and any file set aside. */
FbJournal *fb_cli_journal_open      (const char  *path,
                                     gboolean     for_reading);
/* The same for a run, the disk work on a thread: the lists are read
 * meanwhile. */
void       fb_cli_journal_open_async  (const char          *path,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
FbJournal *fb_cli_journal_open_finish (GAsyncResult        *result);
/* What makes "the same command": the command, the folder and the inputs. */
char      *fb_cli_journal_identity  (const char  *command,
                                     const char  *destination,
                                     FbJob      **jobs,
                                     guint        n_jobs);
/* `fetchboard-cli history`: one line per run. */
int        fb_cli_history           (const char  *journal_path);
/* `fetchboard-cli export RUN`: @run_text is a number or "last"; @output
 * NULL or "-" for standard output. */
int        fb_cli_export            (const char  *journal_path,
                                     const char  *run_text,
                                     const char  *format_text,
                                     const char  *output);

G_END_DECLS
