/* fb-journal.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-journal"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fb-journal-private.h"
#include "fb-job-private.h"

/* The writer applies each group as it comes, in one transaction committed
 * BATCH_US after its first group (a barrier, the end or a .part's first
 * row at once): a group that follows closely shares its commit. */
#define BATCH_US  (25 * 1000)
#define BATCH_MAX 8192
/* The main thread hands records over in groups, at most this often: one
 * wake-up of the writer per group, not per record. Each wake-up finds the
 * writer's (SQLite's) working set cold, so fewer and larger groups cost it
 * less; a .part's first row goes sooner (HAND_OVER_SOON_MS). */
#define HAND_OVER_MS      100
#define HAND_OVER_SOON_MS 25
#define HAND_OVER_MAX 1024
/* Row writes are carved from blocks of this size (or one of their own if
 * larger), handed over with their group, from a slab of SLAB_BLOCKS mapped
 * at open that the writer gives back to be carved again: no malloc and
 * free across threads (under the arena's lock), no block faulted in again
 * after glibc gave it back to the system, no sweep of the heap at exit.
 * Past the slab, blocks are allocated and freed one by one. */
#define BLOCK_SIZE    (32 * 1024)
#define SLAB_BLOCKS   64
/* A running download's .part is recorded when it is first written, then
 * after every PART_BYTES more on disk or PART_US, whichever comes first. */
#define PART_BYTES (256 * 1024)
#define PART_US    G_USEC_PER_SEC

/* One write, queued by the main thread for the writer thread. */
typedef enum
{
  OP_RUN_INSERT,
  OP_RUN_REOPEN,
  OP_RUN_END,
  OP_JOB_PUT,
  OP_INPUTS,
  OP_LIMIT,
  OP_RUN_DELETE,
  OP_CLEAR,
  OP_MAX_PAGES,
  OP_BARRIER,
  OP_QUIT,
  OP_FREE_BLOCKS, /* after the ops of its group: the blocks they live in */
} OpKind;

typedef struct
{
  OpKind        kind;
  gint64        run_id;
  gint64        time;
  guint         value;
  FbJournalRun *run;
  FbJournalJob *job;     /* right after the op (job_op) */
  GBytes       *inputs;
  GTask        *task;
  GPtrArray    *blocks;   /* OP_FREE_BLOCKS: the slab's blocks, given back */
  GPtrArray    *big;      /* OP_FREE_BLOCKS: the others, freed */
  gboolean      in_block; /* carved from a block: not freed alone */
  gboolean      urgent;   /* a .part's first row: committed at once */
} Op;

/* A run being recorded. */
typedef struct
{
  FbJournal  *journal;
  FbRun      *run;
  gint64      run_id;
  GArray     *attempts; /* guint per row */
  GHashTable *parts;    /* FbJob* → PartMark*, running downloads with a .part */
  GPtrArray  *dirty;    /* FbJob* (the run's) whose PartMark waits for its row */
  guint       n_existing;
} Tracked;

/* A running download's .part: what the journal last recorded of it, and
 * what is on disk now. */
typedef struct
{
  char    *path;
  guint64  on_disk;
  guint64  bytes;      /* recorded (or about to be) */
  gint64   time;
  gboolean dirty;      /* its row is written at the next hand-over */
  gboolean recorded;   /* it has had a row: a .part without one is removed */
} PartMark;

struct _FbJournal
{
  GObject       parent_instance;

  GMainContext *context;
  GAsyncQueue  *ops;        /* GPtrArray* of Op*, in order */
  GPtrArray    *pending;    /* Op*, not handed over yet (main thread) */
  GPtrArray    *blocks;     /* the slab's blocks the pending row writes live in */
  GPtrArray    *big;        /* the others (allocated), and rows too large */
  guint8       *block;      /* the one being carved (in blocks or big) */
  gsize         block_used;
  guint8       *slab;       /* SLAB_BLOCKS blocks, mapped */
  GAsyncQueue  *spare;      /* the slab's blocks not in use */
  GSource      *hand_over_source;
  gint64        hand_over_due; /* monotonic µs */
  GThread      *writer;
  sqlite3      *wdb;        /* the writer thread's */
  sqlite3_stmt *put_job;    /* the writer thread's, prepared on first use */
  sqlite3      *rdb;        /* reads, under read_lock */
  GMutex        read_lock;
  GMutex        error_lock;
  GError       *write_error;
  GPtrArray    *tracked;    /* Tracked* */
  char         *path;
  char         *notice;
  gint64        next_run_id;
  gint64        mono_offset; /* wall-clock µs - monotonic µs */
  int           lock_fd;

  guint         failed : 1;  /* writer side: stop writing */
  guint         closed : 1;
};

G_DEFINE_FINAL_TYPE (FbJournal, fb_journal, G_TYPE_OBJECT)

enum {
  WRITE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define JOB_COLUMNS \
  "run_id, idx, kind, input, source, source_line, state, http_status, bytes_received, " \
  "bytes_expected, validator, attempts, t_queued, t_waiting, t_resolving, t_connecting, " \
  "t_transferring, t_saving, t_done, message, error, saved_path, part_path"

G_DEFINE_QUARK (fb-journal-error-quark, fb_journal_error)

static void
op_free (Op *op)
{
  g_clear_pointer (&op->run, fb_journal_run_free);
  g_clear_pointer (&op->inputs, g_bytes_unref);
  g_clear_object (&op->task);
  g_clear_pointer (&op->blocks, g_ptr_array_unref);
  g_clear_pointer (&op->big, g_ptr_array_unref);
  if (!op->in_block)
    g_free (op);
}

/* @size bytes, zeroed, for a row write handed over with the pending ops. */
static gpointer
block_alloc (FbJournal *self,
             gsize      size)
{
  guint8 *block;

  size = (size + 15) & ~(gsize) 15;
  if (size > BLOCK_SIZE)
    {
      block = g_malloc0 (size);
      g_ptr_array_add (self->big, block);
      return block;
    }
  if (self->block == NULL || self->block_used + size > BLOCK_SIZE)
    {
      self->block = g_async_queue_try_pop (self->spare);
      if (self->block != NULL)
        g_ptr_array_add (self->blocks, self->block);
      else
        g_ptr_array_add (self->big, self->block = g_malloc (BLOCK_SIZE));
      self->block_used = 0;
    }
  block = self->block + self->block_used;
  self->block_used += size;
  memset (block, 0, size);
  return block;
}

static void collect_parts (FbJournal *self);

static void
hand_over (FbJournal *self)
{
  collect_parts (self);
  if (self->hand_over_source != NULL)
    {
      g_source_destroy (self->hand_over_source);
      g_clear_pointer (&self->hand_over_source, g_source_unref);
    }
  if (self->pending->len == 0)
    return;
  if (self->blocks->len > 0 || self->big->len > 0)
    {
      Op *op = g_new0 (Op, 1);
      guint last = self->pending->len - 1;
      OpKind kind = ((Op *) self->pending->pdata[last])->kind;

      /* After every op that lives in the blocks, before a closing barrier
       * (the writer looks for it last in the group). */
      op->kind = OP_FREE_BLOCKS;
      op->blocks = g_steal_pointer (&self->blocks);
      self->blocks = g_ptr_array_new ();
      op->big = g_steal_pointer (&self->big);
      self->big = g_ptr_array_new_with_free_func (g_free);
      self->block = NULL;
      if (kind == OP_BARRIER || kind == OP_QUIT)
        g_ptr_array_insert (self->pending, (int) last, op);
      else
        g_ptr_array_add (self->pending, op);
    }
  g_async_queue_push (self->ops, g_steal_pointer (&self->pending));
  self->pending = g_ptr_array_new ();
}

static gboolean
hand_over_cb (gpointer user_data)
{
  hand_over (user_data);
  return G_SOURCE_REMOVE;
}

static void
schedule_hand_over (FbJournal *self,
                    gboolean   soon)
{
  gint64 due = g_get_monotonic_time () + (soon ? HAND_OVER_SOON_MS : HAND_OVER_MS) * 1000;

  if (self->hand_over_source != NULL)
    {
      if (self->hand_over_due <= due)
        return;
      g_source_destroy (self->hand_over_source);
      g_clear_pointer (&self->hand_over_source, g_source_unref);
    }
  self->hand_over_due = due;
  self->hand_over_source = g_timeout_source_new (soon ? HAND_OVER_SOON_MS : HAND_OVER_MS);
  g_source_set_callback (self->hand_over_source, hand_over_cb, self, NULL);
  g_source_attach (self->hand_over_source, self->context);
}

static void
queue_op (FbJournal *self,
          Op        *op)
{
  if (self->closed)
    {
      op_free (op);
      return;
    }
  /* A barrier covers the part rows waiting for the next hand-over too. */
  if (op->kind == OP_BARRIER || op->kind == OP_QUIT)
    collect_parts (self);
  g_ptr_array_add (self->pending, op);
  if (op->kind == OP_BARRIER || op->kind == OP_QUIT || self->pending->len >= HAND_OVER_MAX)
    hand_over (self);
  else
    schedule_hand_over (self, FALSE);
}

static Op *
op_new (OpKind kind,
        gint64 run_id)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->run_id = run_id;
  return op;
}

static gint64
to_wall (FbJournal *self,
         gint64     mono)
{
  return mono == 0 ? 0 : mono + self->mono_offset;
}

/* Copies what a string needs into @next, moving it on; NULL stays NULL. */
static char *
pack (char       **next,
      const char  *text,
      gsize        length)
{
  char *copy = *next;

  if (text == NULL)
    return NULL;
  memcpy (copy, text, length);
  *next += length;
  return copy;
}

/* A row write of @job as it is now, with @part_path (may be NULL) as its
 * .part. The op, the row and its strings are one block: one allocation on
 * the main thread and one free on the writer's, not eight. */
static Op *
job_op (FbJournal  *self,
        FbJob      *job,
        gint64      run_id,
        guint       index,
        guint       attempts,
        const char *part_path)
{
  const GError *error = fb_job_get_error (job);
  const char *etag = fb_job_get_etag (job);
  const char *texts[7];
  gsize lengths[7];
  gsize total = sizeof (Op) + sizeof (FbJournalJob);
  FbJournalJob *row;
  char *next;
  Op *op;

  texts[0] = fb_job_get_input (job);
  texts[1] = fb_job_get_source (job);
  /* What a resume would ask If-Range with: a strong ETag, else the date. */
  texts[2] = etag != NULL && !(etag[0] == 'W' && etag[1] == '/') ? etag
             : fb_job_get_last_modified (job);
  texts[3] = fb_job_get_message (job);
  texts[4] = error != NULL ? error->message : NULL;
  texts[5] = fb_job_get_saved_path (job);
  texts[6] = part_path;
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      lengths[i] = texts[i] != NULL ? strlen (texts[i]) + 1 : 0;
      total += lengths[i];
    }

  op = block_alloc (self, total);
  op->in_block = TRUE;
  op->kind = OP_JOB_PUT;
  op->run_id = run_id;
  row = op->job = (FbJournalJob *) (op + 1);
  next = (char *) (row + 1);
  row->run_id = run_id;
  row->index = index;
  row->kind = fb_job_get_kind (job);
  row->input = pack (&next, texts[0], lengths[0]);
  row->source = pack (&next, texts[1], lengths[1]);
  row->source_line = fb_job_get_source_line (job);
  row->state = fb_job_get_state (job);
  row->http_status = fb_job_get_http_status (job);
  row->bytes_received = fb_job_get_bytes_received (job);
  row->bytes_expected = fb_job_get_bytes_expected (job);
  row->validator = pack (&next, texts[2], lengths[2]);
  row->attempts = attempts;
  for (guint i = 0; i < G_N_ELEMENTS (fb_journal_phases); i++)
    row->phase_time[fb_journal_phases[i]] =
      to_wall (self, fb_job_get_phase_time (job, fb_journal_phases[i]));
  row->message = pack (&next, texts[3], lengths[3]);
  row->error = pack (&next, texts[4], lengths[4]);
  row->saved_path = pack (&next, texts[5], lengths[5]);
  row->part_path = pack (&next, texts[6], lengths[6]);
  return op;
}

/* ---- the writer thread ---- */

/* For a text that outlives the statement's step: no copy. */
static int
bind_static (sqlite3_stmt *stmt,
             int           column,
             const char   *text)
{
  if (text == NULL)
    return sqlite3_bind_null (stmt, column);
  return sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
}

static int
write_job (FbJournal          *self,
           const FbJournalJob *row)
{
  static const char sql[] =
    "INSERT OR REPLACE INTO jobs (" JOB_COLUMNS ") VALUES "
    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  sqlite3_stmt *stmt;
  int c = 1;
  int rc;

  /* The one statement of almost every record: prepared once. */
  if (self->put_job == NULL)
    {
      rc = sqlite3_prepare_v3 (self->wdb, sql, -1, SQLITE_PREPARE_PERSISTENT, &self->put_job,
                               NULL);
      if (rc != SQLITE_OK)
        return rc;
    }
  stmt = self->put_job;
  sqlite3_bind_int64 (stmt, c++, row->run_id);
  sqlite3_bind_int64 (stmt, c++, row->index);
  bind_static (stmt, c++, fb_journal_kind_to_string (row->kind));
  bind_static (stmt, c++, row->input);
  bind_static (stmt, c++, row->source);
  sqlite3_bind_int64 (stmt, c++, row->source_line);
  bind_static (stmt, c++, fb_journal_state_to_string (row->state));
  sqlite3_bind_int64 (stmt, c++, row->http_status);
  sqlite3_bind_int64 (stmt, c++, (gint64) row->bytes_received);
  sqlite3_bind_int64 (stmt, c++, row->bytes_expected);
  bind_static (stmt, c++, row->validator);
  sqlite3_bind_int64 (stmt, c++, row->attempts);
  for (guint i = 0; i < G_N_ELEMENTS (fb_journal_phases); i++)
    sqlite3_bind_int64 (stmt, c++, row->phase_time[fb_journal_phases[i]]);
  bind_static (stmt, c++, row->message);
  bind_static (stmt, c++, row->error);
  bind_static (stmt, c++, row->saved_path);
  bind_static (stmt, c++, row->part_path);
  /* Every column is bound again for the next row: reset is enough. */
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
apply_op (FbJournal *self,
          Op        *op)
{
  sqlite3 *db = self->wdb;

  switch (op->kind)
    {
    case OP_RUN_INSERT:
      return _fb_journal_write_run (db, op->run);
    case OP_RUN_REOPEN:
      return _fb_journal_exec (db, "UPDATE runs SET ended = 0 WHERE id = ?", op->run_id);
    case OP_RUN_END:
      return _fb_journal_exec (db, "UPDATE runs SET ended = ? WHERE id = ?", op->time, op->run_id);
    case OP_JOB_PUT:
      return write_job (self, op->job);
    case OP_INPUTS:
      return _fb_journal_write_inputs (db, op->run_id, op->value, op->time, op->inputs);
    case OP_LIMIT:
      return _fb_journal_exec (db, "INSERT INTO limits (run_id, time, value) VALUES (?,?,?)",
                        op->run_id, op->time, (gint64) op->value);
    case OP_RUN_DELETE:
      return _fb_journal_delete_runs (db, op->run_id);
    case OP_CLEAR:
      return _fb_journal_delete_runs (db, 0);
    case OP_MAX_PAGES:
      {
        g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %u", op->value);

        return _fb_journal_exec (db, sql);
      }
    case OP_BARRIER:
    case OP_QUIT:
    case OP_FREE_BLOCKS:
      return SQLITE_OK;
    default:
      g_assert_not_reached ();
    }
}

/* Never g_main_context_invoke (): with the main thread between two
 * iterations it would run @func here, on the writer thread. */
static void
on_main (FbJournal      *self,
         GSourceFunc     func,
         gpointer        data,
         GDestroyNotify  notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

typedef struct
{
  GTask  *task;
  GError *error;
} Completion;

/* The task (and the reference to the journal it holds) is let go on the
 * main thread: the last one let go on the writer thread would join it. */
static gboolean
complete_cb (gpointer user_data)
{
  Completion *completion = user_data;

  if (completion->error != NULL)
    g_task_return_error (completion->task, completion->error);
  else
    g_task_return_boolean (completion->task, TRUE);
  g_object_unref (completion->task);
  g_free (completion);
  return G_SOURCE_REMOVE;
}

static gboolean
emit_write_failed_cb (gpointer user_data)
{
  FbJournal *self = user_data;

  g_signal_emit (self, signals[WRITE_FAILED], 0);
  return G_SOURCE_REMOVE;
}

static void
writer_fail (FbJournal  *self,
             int         rc)
{
  GError *error;

  self->failed = TRUE;
  error = g_error_new (FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_FAILED,
                       _("The journal %s could not be written (%s); "
                         "runs go on without it"),
                       self->path, sqlite3_errstr (rc));
  g_mutex_lock (&self->error_lock);
  self->write_error = error;
  g_mutex_unlock (&self->error_lock);
  on_main (self, emit_write_failed_cb, g_object_ref (self), g_object_unref);
}

/* Applies @group's writes to the open transaction (begun with the first),
 * unless a write has failed. */
static void
apply_group (FbJournal *self,
             GPtrArray *group,
             gboolean  *in_transaction)
{
  int rc = SQLITE_OK;

  for (guint i = 0; i < group->len && !self->failed; i++)
    {
      Op *op = group->pdata[i];

      if (op->kind == OP_BARRIER || op->kind == OP_QUIT || op->kind == OP_FREE_BLOCKS)
        continue;
      if (!*in_transaction)
        {
          rc = sqlite3_exec (self->wdb, "BEGIN IMMEDIATE", NULL, NULL, NULL);
          if (rc != SQLITE_OK)
            break;
          *in_transaction = TRUE;
        }
      rc = apply_op (self, op);
      if (rc != SQLITE_OK)
        break;
    }
  if (rc != SQLITE_OK)
    {
      if (*in_transaction)
        sqlite3_exec (self->wdb, "ROLLBACK", NULL, NULL, NULL);
      *in_transaction = FALSE;
      writer_fail (self, rc);
    }
}

/* Commits what @batch applied, then completes its flushes. */
static gboolean
end_batch (FbJournal *self,
           GPtrArray *batch,
           gboolean   in_transaction)
{
  gboolean quit = FALSE;

  if (in_transaction && !self->failed)
    {
      int rc = sqlite3_exec (self->wdb, "COMMIT", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        {
          sqlite3_exec (self->wdb, "ROLLBACK", NULL, NULL, NULL);
          writer_fail (self, rc);
        }
    }

  for (guint i = 0; i < batch->len; i++)
    {
      Op *op = batch->pdata[i];
      Completion *completion;

      if (op->kind == OP_QUIT)
        quit = TRUE;
      if (op->task == NULL)
        continue;
      completion = g_new0 (Completion, 1);
      completion->task = g_steal_pointer (&op->task);
      if (self->failed)
        {
          g_mutex_lock (&self->error_lock);
          completion->error = g_error_copy (self->write_error);
          g_mutex_unlock (&self->error_lock);
        }
      on_main (self, complete_cb, completion, NULL);
    }
  return !quit;
}

/* Frees @batch's ops, then gives the slab's blocks they lived in back to
 * the main thread. */
static void
give_back_blocks (FbJournal *self,
                  GPtrArray *batch)
{
  g_autoptr(GPtrArray) blocks = g_ptr_array_new ();

  for (guint i = 0; i < batch->len; i++)
    {
      Op *op = batch->pdata[i];

      if (op->kind == OP_FREE_BLOCKS && op->blocks != NULL)
        g_ptr_array_extend_and_steal (blocks, g_steal_pointer (&op->blocks));
    }
  g_ptr_array_set_size (batch, 0);
  for (guint i = 0; i < blocks->len; i++)
    g_async_queue_push (self->spare, blocks->pdata[i]);
}

static gpointer
writer_thread (gpointer data)
{
  FbJournal *self = data;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) op_free);
  gboolean go_on = TRUE;

  while (go_on)
    {
      GPtrArray *group = g_async_queue_pop (self->ops);
      gint64 deadline = g_get_monotonic_time () + BATCH_US;
      gboolean in_transaction = FALSE;

      for (;;)
        {
          OpKind last = ((Op *) group->pdata[group->len - 1])->kind;
          gboolean urgent = FALSE;
          gint64 left;

          apply_group (self, group, &in_transaction);
          for (guint i = 0; i < group->len && !urgent; i++)
            urgent = ((Op *) group->pdata[i])->urgent;
          g_ptr_array_extend_and_steal (batch, group);
          if (last == OP_BARRIER || last == OP_QUIT || urgent || batch->len >= BATCH_MAX)
            break;
          left = deadline - g_get_monotonic_time ();
          group = left > 0 ? g_async_queue_timeout_pop (self->ops, left)
                           : g_async_queue_try_pop (self->ops);
          if (group == NULL)
            break;
        }
      go_on = end_batch (self, batch, in_transaction);
      give_back_blocks (self, batch);
    }
  return NULL;
}

/* ---- opening (the file's checks: fb-journal-file.c) ---- */

static FbJournal *
journal_open (const char    *path,
              GMainContext  *context,
              GError       **error)
{
  g_autoptr(FbJournal) self = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *why = NULL;
  sqlite3 *db = NULL;
  FbJournalDbCheck check;
  int rc;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_FAILED,
                   _("The journal’s folder %s cannot be created: %s"), dir,
                   g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (FB_TYPE_JOURNAL, NULL);
  self->path = g_strdup (path);
  self->context = g_main_context_ref (context);
  self->lock_fd = _fb_journal_lock_file (path, FALSE, error);
  if (self->lock_fd < 0)
    return NULL;

  db = _fb_journal_open_connection (path, error);
  if (db == NULL)
    return NULL;
  check = _fb_journal_check_db (db, &why);
  if (check == FB_JOURNAL_DB_BAD)
    {
      g_autofree char *aside = NULL;

      sqlite3_close (db);
      db = NULL;
      aside = _fb_journal_set_aside (path, error);
      if (aside == NULL)
        return NULL;
      /* Translators: the journal's path, why it was unusable, where it went */
      self->notice = g_strdup_printf (_("The journal %s could not be used (%s); it was kept "
                                        "as %s and a new journal was started"),
                                      path, why, aside);
      close (self->lock_fd);
      self->lock_fd = _fb_journal_lock_file (path, TRUE, error);
      if (self->lock_fd < 0)
        return NULL;
      g_clear_pointer (&why, g_free);
      db = _fb_journal_open_connection (path, error);
      if (db == NULL)
        return NULL;
      check = _fb_journal_check_db (db, &why);
    }
  if (check != FB_JOURNAL_DB_OK)
    {
      g_set_error (error, FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_FAILED,
                   _("The journal %s cannot be used: %s"), path, why);
      sqlite3_close (db);
      return NULL;
    }
  self->wdb = db;
  sqlite3_exec (db, "PRAGMA cache_size = -16384;", NULL, NULL, NULL);

  self->next_run_id = _fb_journal_query_int (db, "SELECT coalesce(max(id), 0) FROM runs", &rc) + 1;
  if (rc != SQLITE_OK)
    {
      _fb_journal_set_sqlite_error (error, db, path, rc);
      return NULL;
    }

  self->rdb = _fb_journal_open_connection (path, error);
  if (self->rdb == NULL)
    return NULL;

  /* Faulted in here, on the opening thread, not while rows are carved. */
  self->slab = mmap (NULL, SLAB_BLOCKS * BLOCK_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (self->slab == MAP_FAILED)
    self->slab = NULL;
  for (guint i = 0; self->slab != NULL && i < SLAB_BLOCKS; i++)
    g_async_queue_push (self->spare, self->slab + i * BLOCK_SIZE);
  self->writer = g_thread_new ("fb-journal", writer_thread, self);
  return g_steal_pointer (&self);
}

char *
fb_journal_default_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "fetchboard", "journal.sqlite", NULL);
}

FbJournal *
fb_journal_open (const char  *path,
                 GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return journal_open (path, g_main_context_get_thread_default ()
                             ? g_main_context_get_thread_default ()
                             : g_main_context_default (), error);
}

static void
open_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  FbJournal *self = journal_open (task_data, g_task_get_context (task), &error);

  if (self == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, self, g_object_unref);
}

void
fb_journal_open_async (const char          *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_journal_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_worker);
}

FbJournal *
fb_journal_open_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
fb_journal_get_path (FbJournal *self)
{
  g_return_val_if_fail (FB_IS_JOURNAL (self), NULL);
  return self->path;
}

const char *
fb_journal_get_notice (FbJournal *self)
{
  g_return_val_if_fail (FB_IS_JOURNAL (self), NULL);
  return self->notice;
}

const GError *
fb_journal_get_write_error (FbJournal *self)
{
  const GError *error;

  g_return_val_if_fail (FB_IS_JOURNAL (self), NULL);

  g_mutex_lock (&self->error_lock);
  error = self->write_error;
  g_mutex_unlock (&self->error_lock);
  return error;
}

void
_fb_journal_set_max_pages (FbJournal *self,
                           guint      pages)
{
  Op *op;

  g_return_if_fail (FB_IS_JOURNAL (self));

  op = op_new (OP_MAX_PAGES, 0);
  op->value = pages;
  queue_op (self, op);
}

/* ---- tracking runs ---- */

static void
tracked_free (Tracked *tracked)
{
  g_signal_handlers_disconnect_by_data (fb_run_get_jobs (tracked->run), tracked);
  g_signal_handlers_disconnect_by_data (tracked->run, tracked);
  g_object_unref (tracked->run);
  g_array_unref (tracked->attempts);
  g_clear_pointer (&tracked->parts, g_hash_table_unref);
  g_clear_pointer (&tracked->dirty, g_ptr_array_unref);
  g_free (tracked);
}

static void
part_mark_free (PartMark *mark)
{
  g_free (mark->path);
  g_free (mark);
}

static void
put_job (Tracked *tracked,
         FbJob   *job,
         guint    index)
{
  queue_op (tracked->journal,
            job_op (tracked->journal, job, tracked->run_id, index,
                    g_array_index (tracked->attempts, guint, index), NULL));
}

static void
jobs_changed_cb (GListModel *model,
                 guint       position,
                 guint       removed,
                 guint       added,
                 Tracked    *tracked)
{
  g_autoptr(GByteArray) inputs = NULL;
  guint first = MAX (position, tracked->n_existing);
  Op *op;

  /* Runs only ever grow at the end. */
  g_return_if_fail (removed == 0);

  /* One small record for the whole batch: the writer stores it as a blob,
   * so 10,000 jobs added cost one row, not 10,000. */
  if (position + added > first)
    inputs = g_byte_array_sized_new ((position + added - first) * 64);
  if (position + added > tracked->attempts->len)
    g_array_set_size (tracked->attempts, position + added);
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (model, i);

      if (i < first)
        continue;
      _fb_journal_encode_input (inputs, job);
      /* A job that is final already (skipped as saved) has its row now. */
      if (fb_job_is_final (job))
        put_job (tracked, job, i);
    }
  if (inputs == NULL)
    return;
  op = op_new (OP_INPUTS, tracked->run_id);
  op->value = first;
  op->time = position + added - first;
  op->inputs = g_byte_array_free_to_bytes (g_steal_pointer (&inputs));
  queue_op (tracked->journal, op);
}

/* A row for @job as still to be done, with the .part it keeps (if any):
 * what a later process continues. */
static Op *
unfinished_op (Tracked    *tracked,
               FbJob      *job,
               guint       index,
               const char *part_path,
               guint64     bytes)
{
  Op *op = job_op (tracked->journal, job, tracked->run_id, index,
                   g_array_index (tracked->attempts, guint, index), part_path);

  op->job->state = FB_JOB_STATE_PENDING;
  if (part_path != NULL)
    op->job->bytes_received = bytes;
  return op;
}

static void
job_finished_cb (FbRun   *run,
                 FbJob   *job,
                 Tracked *tracked)
{
  guint index = _fb_job_get_position (job);
  PartMark *mark = NULL;

  g_return_if_fail (index > 0 && index <= tracked->attempts->len);
  index--;
  if (tracked->parts != NULL)
    mark = g_hash_table_lookup (tracked->parts, job);

  /* Stopped by a quit (fb_run_suspend), not cancelled: the row stays
   * unfinished, keeping the .part the download left, so the next start
   * continues it. A restored job that had not started yet keeps the part
   * it was given. */
  if (fb_run_get_suspended (run) && fb_job_get_state (job) == FB_JOB_STATE_CANCELLED)
    {
      guint64 size = 0;
      const char *resume = _fb_job_peek_resume_part (job, &size);

      queue_op (tracked->journal,
                unfinished_op (tracked, job, index, mark != NULL ? mark->path : resume,
                               mark != NULL ? mark->on_disk : size));
      if (mark != NULL)
        g_hash_table_remove (tracked->parts, job);
      return;
    }

  g_array_index (tracked->attempts, guint, index)++;
  if (mark != NULL)
    g_hash_table_remove (tracked->parts, job);
  put_job (tracked, job, index);
}

/* A running download's .part, its size and the validators: what a resume
 * after a crash needs. Only marked here; the row is made at the next
 * hand-over (collect_parts), so a download that is written and finishes
 * within one hand-over (almost every small file) costs its final row only. */
static void
part_written_cb (FbRun      *run,
                 FbJob      *job,
                 const char *part_path,
                 guint64     written,
                 Tracked    *tracked)
{
  gint64 now;
  PartMark *mark;

  if (fb_job_is_final (job))
    return;
  if (tracked->parts == NULL)
    {
      tracked->parts = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) part_mark_free);
      tracked->dirty = g_ptr_array_new ();
    }
  mark = g_hash_table_lookup (tracked->parts, job);
  if (mark == NULL)
    {
      mark = g_new0 (PartMark, 1);
      g_hash_table_insert (tracked->parts, job, mark);
    }
  if (g_strcmp0 (mark->path, part_path) != 0)
    {
      g_free (mark->path);
      mark->path = g_strdup (part_path);
    }
  mark->on_disk = written;
  if (mark->dirty)
    return;
  now = g_get_monotonic_time ();
  if (mark->time != 0 && written >= mark->bytes && written - mark->bytes < PART_BYTES
      && now - mark->time < PART_US)
    return;
  mark->time = now;
  mark->dirty = TRUE;
  g_ptr_array_add (tracked->dirty, job);
  schedule_hand_over (tracked->journal, !mark->recorded);
}

/* The part rows marked since the last hand-over, of jobs still running,
 * go to the end of what is pending. */
static void
collect_parts (FbJournal *self)
{
  if (self->closed)
    return;
  for (guint t = 0; t < self->tracked->len; t++)
    {
      Tracked *tracked = self->tracked->pdata[t];

      for (guint i = 0; tracked->dirty != NULL && i < tracked->dirty->len; i++)
        {
          FbJob *job = tracked->dirty->pdata[i];
          PartMark *mark = g_hash_table_lookup (tracked->parts, job);
          guint index;
          Op *op;

          if (mark == NULL || !mark->dirty)
            continue;
          mark->dirty = FALSE;
          mark->bytes = mark->on_disk;
          index = _fb_job_get_position (job);
          if (index == 0 || index > tracked->attempts->len || fb_job_is_final (job))
            continue;
          op = unfinished_op (tracked, job, index - 1, mark->path, mark->on_disk);
          /* Until its first row is committed, a crash would remove the
           * .part (and what it holds would be fetched again). */
          op->urgent = !mark->recorded;
          mark->recorded = TRUE;
          g_ptr_array_add (self->pending, op);
        }
      if (tracked->dirty != NULL)
        g_ptr_array_set_size (tracked->dirty, 0);
    }
}

static void
run_finished_cb (FbRun   *run,
                 Tracked *tracked)
{
  Op *op;

  /* A run stopped by a quit has not ended: it comes back next time. */
  if (fb_run_get_suspended (run))
    return;
  op = op_new (OP_RUN_END, tracked->run_id);

  op->time = g_get_real_time ();
  queue_op (tracked->journal, op);
}

static void
put_limit (Tracked *tracked)
{
  Op *op = op_new (OP_LIMIT, tracked->run_id);

  op->time = g_get_real_time ();
  op->value = fb_run_get_max_concurrency (tracked->run);
  queue_op (tracked->journal, op);
}

static void
limit_changed_cb (FbRun      *run,
                  GParamSpec *pspec,
                  Tracked    *tracked)
{
  put_limit (tracked);
}

static void
running_changed_cb (FbRun      *run,
                    GParamSpec *pspec,
                    Tracked    *tracked)
{
  /* A run that ended and starts again (a retry) is open again. */
  if (fb_run_get_running (run))
    queue_op (tracked->journal, op_new (OP_RUN_REOPEN, tracked->run_id));
}

static Tracked *
track (FbJournal  *self,
       FbRun      *run,
       gint64      run_id,
       GPtrArray  *rows)
{
  GListModel *jobs = fb_run_get_jobs (run);
  Tracked *tracked = g_new0 (Tracked, 1);
  guint n = g_list_model_get_n_items (jobs);

  tracked->journal = self;
  tracked->run = g_object_ref (run);
  tracked->run_id = run_id;
  tracked->attempts = g_array_new (FALSE, TRUE, sizeof (guint));
  /* A restored run may get its jobs after this, in slices: the rows say
   * how many it has. */
  tracked->n_existing = rows != NULL ? MAX (n, rows->len) : 0;
  g_array_set_size (tracked->attempts, MAX (n, tracked->n_existing));
  /* Only the rows of jobs already here: the others may still be changing
   * (see _fb_journal_set_attempts). */
  for (guint i = 0; rows != NULL && i < MIN (n, rows->len); i++)
    g_array_index (tracked->attempts, guint, i) = ((FbJournalJob *) rows->pdata[i])->attempts;
  g_ptr_array_add (self->tracked, tracked);

  g_signal_connect (jobs, "items-changed", G_CALLBACK (jobs_changed_cb), tracked);
  g_signal_connect (run, "job-finished", G_CALLBACK (job_finished_cb), tracked);
  g_signal_connect (run, "part-written", G_CALLBACK (part_written_cb), tracked);
  g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), tracked);
  g_signal_connect (run, "notify::max-concurrency", G_CALLBACK (limit_changed_cb), tracked);
  g_signal_connect (run, "notify::running", G_CALLBACK (running_changed_cb), tracked);
  jobs_changed_cb (jobs, 0, 0, n, tracked);
  put_limit (tracked);
  return tracked;
}

gint64
fb_journal_get_run_id (FbJournal *self,
                       FbRun     *run)
{
  g_return_val_if_fail (FB_IS_JOURNAL (self), 0);

  for (guint i = 0; i < self->tracked->len; i++)
    if (((Tracked *) self->tracked->pdata[i])->run == run)
      return ((Tracked *) self->tracked->pdata[i])->run_id;
  return 0;
}

gint64
fb_journal_track_run (FbJournal  *self,
                      FbRun      *run,
                      const char *kind,
                      const char *identity,
                      const char *settings_json)
{
  FbJournalRun *row;
  g_autofree char *settings = NULL;
  Op *op;

  g_return_val_if_fail (FB_IS_JOURNAL (self), 0);
  g_return_val_if_fail (FB_IS_RUN (run), 0);

  if (settings_json == NULL)
    settings_json = settings = fb_journal_settings_from_run (run);

  row = g_new0 (FbJournalRun, 1);
  row->id = self->next_run_id++;
  row->created = g_get_real_time ();
  row->kind = g_strdup (kind != NULL ? kind : _fb_journal_run_kind (run));

  row->identity = g_strdup (identity);
  row->destination = g_strdup (fb_run_get_destination (run));
  row->settings = g_strdup (settings_json);
  op = op_new (OP_RUN_INSERT, row->id);
  op->run = row;
  queue_op (self, op);
  return track (self, run, op->run_id, NULL)->run_id;
}

void
_fb_journal_continue_run (FbJournal *self,
                          FbRun     *run,
                          gint64     run_id,
                          GPtrArray *rows)
{
  queue_op (self, op_new (OP_RUN_REOPEN, run_id));
  track (self, run, run_id, rows);
}

void
fb_journal_continue_run (FbJournal *self,
                         FbRun     *run,
                         gint64     run_id)
{
  g_autoptr(GPtrArray) none = NULL;

  g_return_if_fail (FB_IS_JOURNAL (self));
  g_return_if_fail (FB_IS_RUN (run));
  g_return_if_fail (run_id > 0);

  none = g_ptr_array_new ();
  _fb_journal_continue_run (self, run, run_id, none);
}

void
fb_journal_untrack_run (FbJournal *self,
                        FbRun     *run)
{
  g_return_if_fail (FB_IS_JOURNAL (self));

  for (guint i = 0; i < self->tracked->len; i++)
    if (((Tracked *) self->tracked->pdata[i])->run == run)
      {
        g_ptr_array_remove_index (self->tracked, i);
        return;
      }
}

void
_fb_journal_put_job (FbJournal *self,
                     FbJob     *job,
                     gint64     run_id,
                     guint      index,
                     guint      attempts)
{
  queue_op (self, job_op (self, job, run_id, index, attempts, NULL));
}

/* ---- flush and close ---- */

void
fb_journal_flush_async (FbJournal           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (FB_IS_JOURNAL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_journal_flush_async);
  if (self->closed)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  op = op_new (OP_BARRIER, 0);
  op->task = g_steal_pointer (&task);
  queue_op (self, op);
}

gboolean
fb_journal_flush_finish (FbJournal     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
fb_journal_close (FbJournal *self)
{
  g_return_if_fail (FB_IS_JOURNAL (self));

  if (self->closed)
    return;
  collect_parts (self);
  g_ptr_array_set_size (self->tracked, 0);
  queue_op (self, op_new (OP_QUIT, 0));
  self->closed = TRUE;
  g_thread_join (g_steal_pointer (&self->writer));
  g_clear_pointer (&self->put_job, sqlite3_finalize);
  /* Checkpoints the WAL into the file. */
  sqlite3_close (self->wdb);
  self->wdb = NULL;
}

/* ---- reading ---- */

/* Under read_lock: the reading connection, opened again if it was let go. */
static gboolean
open_reader (FbJournal  *self,
             GError    **error)
{
  if (self->rdb == NULL)
    self->rdb = _fb_journal_open_connection (self->path, error);
  return self->rdb != NULL;
}

void
_fb_journal_release_reader (FbJournal *self)
{
  g_mutex_lock (&self->read_lock);
  g_clear_pointer (&self->rdb, sqlite3_close);
  g_mutex_unlock (&self->read_lock);
}

/* Runs @sql with @text (if not NULL) bound first, then the gint64s, one
 * row each through @read. */
GPtrArray *
_fb_journal_read_rows (FbJournal       *self,
                       const char      *sql,
                       FbJournalReadRow read,
                       GDestroyNotify   free_func,
                       const char      *text,
                       gint64           value,
                       GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_mutex_lock (&self->read_lock);
  if (!open_reader (self, error))
    {
      g_mutex_unlock (&self->read_lock);
      return NULL;
    }
  rc = sqlite3_prepare_v2 (self->rdb, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      int c = 1;

      if (text != NULL)
        _fb_journal_bind_text (stmt, c++, text);
      if (c <= sqlite3_bind_parameter_count (stmt))
        sqlite3_bind_int64 (stmt, c, value);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (rows, read (stmt));
    }
  if (rc != SQLITE_DONE)
    {
      _fb_journal_set_sqlite_error (error, self->rdb, self->path, rc);
      g_clear_pointer (&rows, g_ptr_array_unref);
    }
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->read_lock);
  return g_steal_pointer (&rows);
}

gboolean
_fb_journal_read_each (FbJournal        *self,
                       const char       *sql,
                       FbJournalReadRow  read,
                       FbJournalEachRow  each,
                       gpointer          user_data,
                       gint64            value,
                       GError          **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_mutex_lock (&self->read_lock);
  if (!open_reader (self, error))
    {
      g_mutex_unlock (&self->read_lock);
      return FALSE;
    }
  rc = sqlite3_prepare_v2 (self->rdb, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, value);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        each (read (stmt), user_data);
    }
  if (rc != SQLITE_DONE)
    _fb_journal_set_sqlite_error (error, self->rdb, self->path, rc);
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->read_lock);
  return rc == SQLITE_DONE;
}

void
_fb_journal_set_attempts (FbJournal *self,
                          FbRun     *run,
                          GPtrArray *rows,
                          guint      first,
                          guint      end)
{
  for (guint t = 0; t < self->tracked->len; t++)
    {
      Tracked *tracked = self->tracked->pdata[t];

      if (tracked->run != run)
        continue;
      for (guint i = first; i < MIN (end, MIN (rows->len, tracked->attempts->len)); i++)
        g_array_index (tracked->attempts, guint, i) = ((FbJournalJob *) rows->pdata[i])->attempts;
      return;
    }
}

void
fb_journal_delete_run (FbJournal *self,
                       gint64     run_id)
{
  g_return_if_fail (FB_IS_JOURNAL (self));

  /* A run being recorded stops being recorded: no row outlives its run. */
  for (guint i = self->tracked->len; i > 0; i--)
    if (((Tracked *) self->tracked->pdata[i - 1])->run_id == run_id)
      g_ptr_array_remove_index (self->tracked, i - 1);
  queue_op (self, op_new (OP_RUN_DELETE, run_id));
}

void
fb_journal_clear_history (FbJournal *self)
{
  g_return_if_fail (FB_IS_JOURNAL (self));

  /* Runs that have ended go with their rows; the rest stay recorded. */
  for (guint i = self->tracked->len; i > 0; i--)
    {
      FbRun *run = ((Tracked *) self->tracked->pdata[i - 1])->run;

      if (!fb_run_get_running (run) && fb_run_get_elapsed (run) > 0)
        g_ptr_array_remove_index (self->tracked, i - 1);
    }
  queue_op (self, op_new (OP_CLEAR, 0));
}

/* ---- GObject ---- */

static void
fb_journal_dispose (GObject *object)
{
  FbJournal *self = FB_JOURNAL (object);

  if (self->writer != NULL)
    fb_journal_close (self);
  g_clear_pointer (&self->tracked, g_ptr_array_unref);

  G_OBJECT_CLASS (fb_journal_parent_class)->dispose (object);
}

static void
fb_journal_finalize (GObject *object)
{
  FbJournal *self = FB_JOURNAL (object);
  GPtrArray *group;

  while ((group = g_async_queue_try_pop (self->ops)) != NULL)
    {
      g_ptr_array_foreach (group, (GFunc) op_free, NULL);
      g_ptr_array_unref (group);
    }
  g_async_queue_unref (self->ops);
  g_ptr_array_foreach (self->pending, (GFunc) op_free, NULL);
  g_ptr_array_unref (self->pending);
  g_ptr_array_unref (self->blocks);
  g_ptr_array_unref (self->big);
  g_async_queue_unref (self->spare);
  if (self->slab != NULL)
    munmap (self->slab, SLAB_BLOCKS * BLOCK_SIZE);
  sqlite3_close (self->wdb);
  sqlite3_close (self->rdb);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_clear_error (&self->write_error);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->read_lock);
  g_mutex_clear (&self->error_lock);
  g_free (self->path);
  g_free (self->notice);

  G_OBJECT_CLASS (fb_journal_parent_class)->finalize (object);
}

static void
fb_journal_class_init (FbJournalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_journal_dispose;
  object_class->finalize = fb_journal_finalize;

  /* Emitted once, on the thread that opened the journal. */
  signals[WRITE_FAILED] =
    g_signal_new ("write-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
fb_journal_init (FbJournal *self)
{
  self->ops = g_async_queue_new ();
  self->pending = g_ptr_array_new ();
  self->blocks = g_ptr_array_new ();
  self->big = g_ptr_array_new_with_free_func (g_free);
  self->spare = g_async_queue_new ();
  self->tracked = g_ptr_array_new_with_free_func ((GDestroyNotify) tracked_free);
  self->lock_fd = -1;
  self->mono_offset = g_get_real_time () - g_get_monotonic_time ();
  g_mutex_init (&self->read_lock);
  g_mutex_init (&self->error_lock);
}
