/* fb-journal.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-types.h"
#include "fb-run.h"

G_BEGIN_DECLS

/* The phases the journal (and its exports) keep a time for, in their
 * columns' order; the waits between attempts and for a host are not kept,
 * and connecting's column covers the TLS handshake and the first byte's wait. */
G_GNUC_UNUSED static const FbJobPhase fb_journal_phases[] = {
  FB_JOB_PHASE_QUEUED, FB_JOB_PHASE_WAITING, FB_JOB_PHASE_RESOLVING, FB_JOB_PHASE_CONNECTING,
  FB_JOB_PHASE_TRANSFERRING, FB_JOB_PHASE_SAVING, FB_JOB_PHASE_DONE,
};

#define FB_JOURNAL_SCHEMA_VERSION 1

#define FB_JOURNAL_ERROR (fb_journal_error_quark ())

typedef enum
{
  FB_JOURNAL_ERROR_LOCKED,    /* another instance holds it */
  FB_JOURNAL_ERROR_FAILED,    /* could not be opened, created or written */
  FB_JOURNAL_ERROR_NOT_FOUND, /* no such run */
} FbJournalError;

/* A run as the journal holds it; times are wall-clock µs (0 = never). */
typedef struct
{
  gint64  id;
  gint64  created;
  gint64  ended;
  char   *kind;        /* "download", "probe", "catalog", "mixed" */
  char   *identity;    /* what makes "the same command" (may be NULL) */
  char   *destination;
  char   *settings;    /* a JSON object */
  guint   n_total;
  guint   n_ok;
  guint   n_not_found;
  guint   n_error;
  guint   n_cancelled;
  guint   n_pending;
} FbJournalRun;

/* One job row; phase times are wall-clock µs (0 = never entered). */
typedef struct
{
  gint64      run_id;
  guint       index;
  FbJobKind   kind;
  char       *input;
  char       *source;
  guint       source_line;
  FbJobState  state;
  guint       http_status;
  guint64     bytes_received;
  gint64      bytes_expected;
  char       *validator;
  guint       attempts;
  gint64      phase_time[FB_JOB_N_PHASES];
  char       *message;
  char       *error;
  char       *saved_path;
  char       *part_path;
} FbJournalJob;

/* A change of the run's limit, for the timeline. */
typedef struct
{
  gint64 time;
  guint  limit;
} FbJournalLimit;

#define FB_TYPE_JOURNAL (fb_journal_get_type ())

G_DECLARE_FINAL_TYPE (FbJournal, fb_journal, FB, JOURNAL, GObject)

GQuark        fb_journal_error_quark        (void);

/* g_get_user_state_dir ()/fetchboard/journal.sqlite */
char         *fb_journal_default_path       (void);

/* Opens (or creates, mode 0600) the journal and takes it for this process.
 * A file that cannot be a journal (corrupt, or from a newer version) is
 * renamed aside, never deleted, and a new one is started: get_notice says
 * so. Fails with FB_JOURNAL_ERROR_LOCKED when another instance has it.
 * Blocks on the disk: call it before the main loop runs, or through
 * open_async. */
FbJournal    *fb_journal_open               (const char          *path,
                                             GError             **error);
void          fb_journal_open_async         (const char          *path,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
FbJournal    *fb_journal_open_finish        (GAsyncResult        *result,
                                             GError             **error);
const char   *fb_journal_get_path           (FbJournal           *self);
/* Why the file found was set aside, and where it went; NULL if it was not. */
const char   *fb_journal_get_notice         (FbJournal           *self);
/* After a failed write (disk full…) the journal stops writing and emits
 * "write-failed" once; runs go on without it. */
const GError *fb_journal_get_write_error    (FbJournal           *self);

/* Records @run from now on (its jobs, their final states, its end) as a
 * new run; returns its id. @identity and @settings_json may be NULL. */
gint64        fb_journal_track_run          (FbJournal           *self,
                                             FbRun               *run,
                                             const char          *kind,
                                             const char          *identity,
                                             const char          *settings_json);
/* As track_run, for a run rebuilt from @run_id's rows: the jobs already in
 * @run are rows 0…n-1 (not written again until they finish). */
void          fb_journal_continue_run       (FbJournal           *self,
                                             FbRun               *run,
                                             gint64               run_id);
/* The id @run is recorded under, 0 when it is not. */
gint64        fb_journal_get_run_id         (FbJournal           *self,
                                             FbRun               *run);
/* Stops recording @run (its rows stay). */
void          fb_journal_untrack_run        (FbJournal           *self,
                                             FbRun               *run);

/* Completes once everything queued so far is on disk. */
void          fb_journal_flush_async        (FbJournal           *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      fb_journal_flush_finish       (FbJournal           *self,
                                             GAsyncResult        *result,
                                             GError             **error);
/* Writes what is queued and stops the writer (blocks: for the end of a
 * program). Reads still work after it; the file is let go at finalize. */
void          fb_journal_close              (FbJournal           *self);

/* Reads see what the writer has committed. They block on the disk: the
 * window calls them from a thread (see fb_journal_load_run_async). */
GPtrArray    *fb_journal_list_runs          (FbJournal           *self,
                                             GError             **error);
FbJournalRun *fb_journal_get_run            (FbJournal           *self,
                                             gint64               run_id,
                                             GError             **error);
GPtrArray    *fb_journal_list_jobs          (FbJournal           *self,
                                             gint64               run_id,
                                             GError             **error);
GArray       *fb_journal_list_limits        (FbJournal           *self,
                                             gint64               run_id,
                                             GError             **error);
/* The newest run with @identity that has not ended, or 0. */
gint64        fb_journal_find_unended       (FbJournal           *self,
                                             const char          *identity,
                                             GError             **error);
/* The newest run with jobs that has not ended, or 0 (also on error). */
gint64        fb_journal_find_newest_unended (FbJournal         *self,
                                              GError           **error);
/* Every row that saved a file into @destination, newest last: input →
 * FbJournalJob (owned by the table). */
GHashTable   *fb_journal_list_saved         (FbJournal           *self,
                                             const char          *destination,
                                             GError             **error);
/* Queued like every write. Deleting a run keeps its files. */
void          fb_journal_delete_run         (FbJournal           *self,
                                             gint64               run_id);
/* Deletes every run that has ended. */
void          fb_journal_clear_history      (FbJournal           *self);

void          fb_journal_run_free           (FbJournalRun        *run);
void          fb_journal_job_free           (FbJournalJob        *job);

/* Is @row's saved file still there with the size recorded? */
gboolean      fb_journal_job_is_verified    (const FbJournalJob  *row);
/* A job as @row left it: a final row gives a final job (one whose file has
 * gone ends as an error, "file missing"); others come back queued. Checks
 * the disk. */
FbJob        *fb_journal_job_restore        (const FbJournalJob  *row);

/* The run's settings (limit, timeouts, destination, base URL, naming) as
 * JSON, and back onto a run. */
char         *fb_journal_settings_from_run  (FbRun               *run);
void          fb_journal_settings_apply     (const char          *settings_json,
                                             FbRun               *run);

/* Crash truth for a run about to continue: removes every NAME.part in its
 * destination made since it was created that no unfinished row keeps for a
 * resume. Returns how many went. */
guint         fb_journal_remove_stray_parts (const FbJournalRun  *run,
                                             GPtrArray           *jobs);

/* For a command run again with a journal: adds @jobs to @run and records
 * it. If the journal holds an unfinished run with @identity and the same
 * jobs, that run continues (its OK and not-found jobs stay final, the rest
 * run again); otherwise a new run is recorded. Either way a job whose file
 * the journal saw saved in the run's destination, still there with its
 * size, comes back final instead of being fetched again. Returns the run
 * id (0 with @error set); @n_done says how many came back final. Blocks on
 * the disk. */
gint64        fb_journal_add_jobs           (FbJournal           *self,
                                             FbRun               *run,
                                             FbJob              **jobs,
                                             guint                n_jobs,
                                             const char          *identity,
                                             guint               *n_done,
                                             GError             **error);

/* Rebuilds run @run_id (settings, jobs as restore gives them, stray parts
 * removed) and records it again; it is not started. Blocks on the disk. */
FbRun        *fb_journal_restore_run        (FbJournal           *self,
                                             gint64               run_id,
                                             GError             **error);
/* restore_run with the disk work on a thread. The run comes back (and is
 * recorded) as soon as its first jobs are built; the rest are added to it
 * on the caller's thread, a slice per turn of its main loop, below drawing,
 * until fb_run_get_total () reaches the journal's count. A run started
 * before then goes on with the jobs that come. Stray parts are removed
 * last, sparing any made after the restore began. */
void          fb_journal_restore_run_async  (FbJournal           *self,
                                             gint64               run_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
FbRun        *fb_journal_restore_run_finish (FbJournal           *self,
                                             GAsyncResult        *result,
                                             GError             **error);

const char   *fb_journal_state_to_string    (FbJobState           state);
const char   *fb_journal_kind_to_string     (FbJobKind            kind);
const char   *fb_journal_phase_to_string    (FbJobPhase           phase);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbJournalRun, fb_journal_run_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbJournalJob, fb_journal_job_free)

G_END_DECLS
