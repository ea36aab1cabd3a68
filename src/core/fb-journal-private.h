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

/* A run's kind ("download", "probe", "mixed"), or NULL while it is empty. */
const char *_fb_journal_run_kind  (FbRun  *run);
const char *_fb_journal_jobs_kind (FbJob **jobs,
                                   guint   n_jobs);

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

/* Closes the reading connection until the next read needs it: its pages
 * are freed now, while a run's memory is young, not at the end of it
 * (glibc then sweeps every small chunk the run freed, ~5 ms on 10,000 jobs). */
void       _fb_journal_release_reader (FbJournal *self);

/* A run restored in slices learns its rows' attempts as they come. */
void       _fb_journal_set_attempts (FbJournal *self,
                                     FbRun     *run,
                                     GPtrArray *rows,
                                     guint      first,
                                     guint      end);

/* fb-journal-file.c */
typedef enum
{
  FB_JOURNAL_DB_OK,
  FB_JOURNAL_DB_BAD,    /* not a journal we can read: set it aside */
  FB_JOURNAL_DB_FAILED, /* could not be opened or written at all */
} FbJournalDbCheck;

void             _fb_journal_set_sqlite_error (GError     **error,
                                               sqlite3     *db,
                                               const char  *path,
                                               int          rc);
gint64           _fb_journal_query_int        (sqlite3     *db,
                                               const char  *sql,
                                               int         *rc_out);
/* Checks (and, for a new file, creates) the schema, then WAL mode. */
FbJournalDbCheck _fb_journal_check_db         (sqlite3     *db,
                                               char       **why);
/* Opens @path (mode 0600) and takes its lock; -1 with @error set. */
int              _fb_journal_lock_file        (const char  *path,
                                               gboolean     exclusive_create,
                                               GError     **error);
/* Renames @path (and its -wal, -shm) to PATH.bad-DATE; returns that. */
char            *_fb_journal_set_aside        (const char  *path,
                                               GError     **error);
sqlite3         *_fb_journal_open_connection  (const char  *path,
                                               GError     **error);

/* The writer's statements (fb-journal-file.c): SQLite codes. */
int _fb_journal_bind_text    (sqlite3_stmt       *stmt,
                              int                 column,
                              const char         *text);
/* Runs @sql with each of its parameters bound to a gint64 argument. */
int _fb_journal_exec         (sqlite3            *db,
                              const char         *sql,
                              ...);
int _fb_journal_write_run    (sqlite3            *db,
                              const FbJournalRun *run);
int _fb_journal_write_inputs (sqlite3            *db,
                              gint64              run_id,
                              guint               first,
                              gint64              count,
                              GBytes             *inputs);
/* Deletes run @run_id with its rows, or, with 0, every run that ended. */
int _fb_journal_delete_runs  (sqlite3            *db,
                              gint64              run_id);

G_END_DECLS
