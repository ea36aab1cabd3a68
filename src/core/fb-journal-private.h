/* fb-journal-private.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "fb-journal.h"

G_BEGIN_DECLS

/* Caps the file at @pages pages, so that tests can fill "the disk". */
void _fb_journal_set_max_pages (FbJournal *self,
                                guint      pages);

/* Records @run again as @run_id; its first jobs are @rows (their attempts
 * go on counting), or, with NULL, its jobs are all written again. */
void _fb_journal_continue_run  (FbJournal *self,
                                FbRun     *run,
                                gint64     run_id,
                                GPtrArray *rows);
/* Writes @job's row as it is now. */
void _fb_journal_put_job       (FbJournal *self,
                                FbJob     *job,
                                gint64     run_id,
                                guint      index,
                                guint      attempts);

/* fb_journal_remove_stray_parts, sparing files changed at or after @until
 * (wall-clock µs): those of jobs that started since. */
guint _fb_journal_remove_stray_parts_until (const FbJournalRun *run,
                                            GPtrArray          *jobs,
                                            gint64              until);

/* Appends @job's kind, source, line and input to an "inputs" blob. */
void _fb_journal_encode_input  (GByteArray *out,
                                FbJob      *job);

typedef gpointer (*FbJournalReadRow) (sqlite3_stmt *stmt);

/* Runs @sql on the reading connection with @text (if not NULL) bound
 * first, then @value, one element per row through @read. */
GPtrArray *_fb_journal_read_rows (FbJournal        *self,
                                  const char       *sql,
                                  FbJournalReadRow  read,
                                  GDestroyNotify    free_func,
                                  const char       *text,
                                  gint64            value,
                                  GError          **error);

typedef void (*FbJournalEachRow) (gpointer row,
                                  gpointer user_data);

/* Runs @sql with @value bound, handing each row (made by @read) to @each
 * as it is read; the reading connection is held until the last. */
gboolean   _fb_journal_read_each (FbJournal        *self,
                                  const char       *sql,
                                  FbJournalReadRow  read,
                                  FbJournalEachRow  each,
                                  gpointer          user_data,
                                  gint64            value,
                                  GError          **error);

/* A run restored in slices learns its rows' attempts as they come. */
void       _fb_journal_set_attempts (FbJournal *self,
                                     FbRun     *run,
                                     GPtrArray *rows,
                                     guint      first,
                                     guint      end);

G_END_DECLS
