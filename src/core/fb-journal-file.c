/* fb-journal-file.c: the journal's file, before a journal uses it: its
 * schema, the checks that tell a journal from a corrupt or newer file,
 * setting such a file aside, the lock that gives it one owner; and what
 * its rows hold: the names of states, kinds and phases, the records, the
 * inputs' encoding.
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
#include <sqlite3.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fb-journal-private.h"

static const char schema_sql[] =
  "CREATE TABLE runs ("
  "  id INTEGER PRIMARY KEY,"
  "  created INTEGER NOT NULL,"
  "  ended INTEGER NOT NULL DEFAULT 0,"
  "  kind TEXT,"
  "  identity TEXT,"
  "  destination TEXT,"
  "  settings TEXT);"
  "CREATE TABLE jobs ("
  "  run_id INTEGER NOT NULL,"
  "  idx INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  input TEXT NOT NULL,"
  "  source TEXT,"
  "  source_line INTEGER NOT NULL DEFAULT 0,"
  "  state TEXT NOT NULL,"
  "  http_status INTEGER NOT NULL DEFAULT 0,"
  "  bytes_received INTEGER NOT NULL DEFAULT 0,"
  "  bytes_expected INTEGER NOT NULL DEFAULT -1,"
  "  validator TEXT,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  t_queued INTEGER NOT NULL DEFAULT 0,"
  "  t_waiting INTEGER NOT NULL DEFAULT 0,"
  "  t_resolving INTEGER NOT NULL DEFAULT 0,"
  "  t_connecting INTEGER NOT NULL DEFAULT 0,"
  "  t_transferring INTEGER NOT NULL DEFAULT 0,"
  "  t_saving INTEGER NOT NULL DEFAULT 0,"
  "  t_done INTEGER NOT NULL DEFAULT 0,"
  "  message TEXT,"
  "  error TEXT,"
  "  saved_path TEXT,"
  "  part_path TEXT,"
  "  PRIMARY KEY (run_id, idx)) WITHOUT ROWID;"
  /* What each job was asked to do, a blob per batch of jobs added: a job
   * gets its row in "jobs" only once it has ended. */
  "CREATE TABLE inputs ("
  "  run_id INTEGER NOT NULL,"
  "  first INTEGER NOT NULL,"
  "  count INTEGER NOT NULL,"
  "  data BLOB NOT NULL,"
  "  PRIMARY KEY (run_id, first)) WITHOUT ROWID;"
  "CREATE TABLE limits ("
  "  run_id INTEGER NOT NULL,"
  "  time INTEGER NOT NULL,"
  "  value INTEGER NOT NULL);"
  "CREATE INDEX limits_run ON limits (run_id, time);";


void
_fb_journal_set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  const char  *path,
                  int          rc)
{
  g_set_error (error, FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_FAILED,
               _("The journal %s cannot be used: %s"), path,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

gint64
_fb_journal_query_int (sqlite3    *db,
           const char *sql,
           int        *rc_out)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = 0;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          value = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  *rc_out = rc;
  return value;
}


FbJournalDbCheck
_fb_journal_check_db (sqlite3  *db,
          char    **why)
{
  sqlite3_stmt *stmt = NULL;
  gint64 version;
  int rc;

  sqlite3_busy_timeout (db, 5000);
  version = _fb_journal_query_int (db, "PRAGMA user_version", &rc);
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
    {
      *why = g_strdup (sqlite3_errstr (rc));
      return FB_JOURNAL_DB_BAD;
    }
  if (rc != SQLITE_OK)
    {
      *why = g_strdup (sqlite3_errmsg (db));
      return FB_JOURNAL_DB_FAILED;
    }
  if (version > FB_JOURNAL_SCHEMA_VERSION)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, version);

      *why = g_strdup_printf (_("it was written by a newer version of Fetchboard "
                                "(journal version %s)"), number);
      return FB_JOURNAL_DB_BAD;
    }

  rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
        {
          *why = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          sqlite3_finalize (stmt);
          return FB_JOURNAL_DB_BAD;
        }
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
    {
      *why = g_strdup (sqlite3_errstr (rc));
      return FB_JOURNAL_DB_BAD;
    }

  if (version == 0)
    {
      /* A new file: its schema, in one transaction. */
      g_autofree char *sql = g_strdup_printf ("BEGIN; %s PRAGMA user_version = %d; COMMIT;",
                                              schema_sql, FB_JOURNAL_SCHEMA_VERSION);

      if (_fb_journal_query_int (db, "SELECT count(*) FROM sqlite_master", &rc) > 0
          && rc == SQLITE_OK)
        {
          *why = g_strdup (_("it holds tables that are not a journal’s"));
          return FB_JOURNAL_DB_BAD;
        }
      rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          *why = g_strdup (sqlite3_errmsg (db));
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ? FB_JOURNAL_DB_BAD
                                                          : FB_JOURNAL_DB_FAILED;
        }
    }

  rc = sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                     NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      *why = g_strdup (sqlite3_errmsg (db));
      return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ? FB_JOURNAL_DB_BAD
                                                          : FB_JOURNAL_DB_FAILED;
    }
  return FB_JOURNAL_DB_OK;
}

int
_fb_journal_lock_file (const char  *path,
           gboolean     exclusive_create,
           GError     **error)
{
  int flags = O_RDWR | O_CREAT | O_CLOEXEC | (exclusive_create ? O_EXCL : 0);
  int fd = g_open (path, flags, 0600);
  int saved_errno;

  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_FAILED,
                   _("The journal %s cannot be opened: %s"), path, g_strerror (saved_errno));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      saved_errno = errno;
      close (fd);
      if (saved_errno == EWOULDBLOCK)
        g_set_error (error, FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_LOCKED,
                     _("The journal %s is in use by another Fetchboard"), path);
      else
        g_set_error (error, FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_FAILED,
                     _("The journal %s cannot be locked: %s"), path, g_strerror (saved_errno));
      return -1;
    }
  return fd;
}

/* The file and its -wal and -shm go aside together, under a name that says when. */
char *
_fb_journal_set_aside (const char  *path,
           GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *aside = NULL;
  static const char *const extras[] = { "-wal", "-shm" };

  for (guint n = 0; n < 1000; n++)
    {
      g_free (aside);
      aside = n == 0 ? g_strdup_printf ("%s.bad-%s", path, stamp)
                     : g_strdup_printf ("%s.bad-%s-%u", path, stamp, n);
      if (!g_file_test (aside, G_FILE_TEST_EXISTS))
        break;
    }
  if (g_rename (path, aside) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_FAILED,
                   _("The journal %s cannot be read, nor set aside: %s"), path,
                   g_strerror (saved_errno));
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (extras); i++)
    {
      g_autofree char *from = g_strconcat (path, extras[i], NULL);
      g_autofree char *to = g_strconcat (aside, extras[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS))
        g_rename (from, to);
    }
  return g_steal_pointer (&aside);
}

sqlite3 *
_fb_journal_open_connection (const char  *path,
                 GError     **error)
{
  sqlite3 *db = NULL;
  /* No mutex of SQLite's own on each call: the writer's connection is
   * used by one thread at a time (opening, then the writer thread), the
   * reading one under FbJournal's read_lock. */
  int rc = sqlite3_open_v2 (path, &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);

  if (rc != SQLITE_OK)
    {
      _fb_journal_set_sqlite_error (error, db, path, rc);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  /* The WAL is folded into the file by the writer's own checkpoints as it
   * grows (on its thread), not by the program on its way out. */
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  return db;
}

/* ---- what the rows hold ---- */

static const char *const state_names[] = {
  [FB_JOB_STATE_PENDING] = "pending",
  [FB_JOB_STATE_OK] = "ok",
  [FB_JOB_STATE_NOT_FOUND] = "not-found",
  [FB_JOB_STATE_ERROR] = "error",
  [FB_JOB_STATE_CANCELLED] = "cancelled",
};

static const char *const kind_names[] = {
  [FB_JOB_KIND_PROBE] = "probe",
  [FB_JOB_KIND_DOWNLOAD] = "download",
  [FB_JOB_KIND_CATALOG] = "catalog",
};

static const char *const phase_names[] = {
  [FB_JOB_PHASE_QUEUED] = "queued",
  [FB_JOB_PHASE_WAITING] = "waiting",
  [FB_JOB_PHASE_HOST_WAIT] = "host-wait",
  [FB_JOB_PHASE_RETRY_WAIT] = "retry-wait",
  [FB_JOB_PHASE_RESOLVING] = "resolving",
  [FB_JOB_PHASE_CONNECTING] = "connecting",
  [FB_JOB_PHASE_TLS] = "tls",
  [FB_JOB_PHASE_FIRST_BYTE] = "first-byte",
  [FB_JOB_PHASE_TRANSFERRING] = "transferring",
  [FB_JOB_PHASE_SAVING] = "saving",
  [FB_JOB_PHASE_DONE] = "done",
};

/* ---- names ---- */

const char *
fb_journal_state_to_string (FbJobState state)
{
  g_return_val_if_fail (state <= FB_JOB_STATE_CANCELLED, "");
  return state_names[state];
}

const char *
fb_journal_kind_to_string (FbJobKind kind)
{
  g_return_val_if_fail (kind <= FB_JOB_KIND_CATALOG, "");
  return kind_names[kind];
}

const char *
fb_journal_phase_to_string (FbJobPhase phase)
{
  g_return_val_if_fail (phase < FB_JOB_N_PHASES, "");
  return phase_names[phase];
}

/* ---- records ---- */

void
fb_journal_run_free (FbJournalRun *run)
{
  if (run == NULL)
    return;
  g_free (run->kind);
  g_free (run->identity);
  g_free (run->destination);
  g_free (run->settings);
  g_free (run);
}

void
fb_journal_job_free (FbJournalJob *job)
{
  if (job == NULL)
    return;
  g_free (job->input);
  g_free (job->source);
  g_free (job->validator);
  g_free (job->message);
  g_free (job->error);
  g_free (job->saved_path);
  g_free (job->part_path);
  g_free (job);
}

/* kind, source, line, input: each NUL-terminated. */
void
_fb_journal_encode_input (GByteArray *out,
                          FbJob      *job)
{
  const char *source = fb_job_get_source (job);
  const char *input = fb_job_get_input (job);
  gsize source_length = source != NULL ? strlen (source) : 0;
  gsize input_length = strlen (input) + 1;
  char digits[16];
  char *line = digits + sizeof digits - 1;
  guint number = fb_job_get_source_line (job);
  gsize line_length;
  guint start = out->len;
  guint8 *p;

  /* The line in decimal, by hand: g_snprintf () costs more than the rest. */
  *line = '\0';
  do
    *--line = (char) ('0' + number % 10);
  while ((number /= 10) > 0);
  line_length = (gsize) (digits + sizeof digits - line);

  /* One growth of the array, then plain copies: 10,000 jobs at a time. */
  g_byte_array_set_size (out, start + 2 + source_length + 1 + line_length + input_length);
  p = out->data + start;
  *p++ = '0' + fb_job_get_kind (job);
  *p++ = '\0';
  if (source_length > 0)
    memcpy (p, source, source_length);
  p += source_length;
  *p++ = '\0';
  memcpy (p, line, line_length);
  p += line_length;
  memcpy (p, input, input_length);
}

const char *
_fb_journal_jobs_kind (FbJob **jobs,
                       guint   n_jobs)
{
  for (guint i = 1; i < n_jobs; i++)
    if (fb_job_get_kind (jobs[i]) != fb_job_get_kind (jobs[0]))
      return "mixed";
  return n_jobs > 0 ? fb_journal_kind_to_string (fb_job_get_kind (jobs[0])) : NULL;
}

const char *
_fb_journal_run_kind (FbRun *run)
{
  GListModel *jobs = fb_run_get_jobs (run);
  guint n = g_list_model_get_n_items (jobs);
  g_autoptr(GPtrArray) all = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (all, g_list_model_get_item (jobs, i));
  return _fb_journal_jobs_kind ((FbJob **) all->pdata, all->len);
}

/* ---- the writer's statements (besides the job rows of fb-journal.c) ---- */

int
_fb_journal_bind_text (sqlite3_stmt *stmt,
                       int           column,
                       const char   *text)
{
  if (text == NULL)
    return sqlite3_bind_null (stmt, column);
  return sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
}

static int
step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int
_fb_journal_exec (sqlite3    *db,
                  const char *sql,
                  ...)
{
  sqlite3_stmt *stmt = NULL;
  va_list args;
  int rc;
  int n;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  n = sqlite3_bind_parameter_count (stmt);
  va_start (args, sql);
  for (int i = 1; i <= n; i++)
    sqlite3_bind_int64 (stmt, i, va_arg (args, gint64));
  va_end (args);
  rc = step_done (stmt);
  sqlite3_finalize (stmt);
  return rc;
}

int
_fb_journal_write_run (sqlite3            *db,
                       const FbJournalRun *run)
{
  static const char sql[] =
    "INSERT OR REPLACE INTO runs (id, created, ended, kind, identity, destination, settings) "
    "VALUES (?,?,?,?,?,?,?)";
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, run->id);
  sqlite3_bind_int64 (stmt, 2, run->created);
  sqlite3_bind_int64 (stmt, 3, run->ended);
  _fb_journal_bind_text (stmt, 4, run->kind);
  _fb_journal_bind_text (stmt, 5, run->identity);
  _fb_journal_bind_text (stmt, 6, run->destination);
  _fb_journal_bind_text (stmt, 7, run->settings);
  rc = step_done (stmt);
  sqlite3_finalize (stmt);
  return rc;
}

int
_fb_journal_write_inputs (sqlite3 *db,
                          gint64   run_id,
                          guint    first,
                          gint64   count,
                          GBytes  *inputs)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO inputs (run_id, first, count, data) "
                               "VALUES (?,?,?,?)", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, first);
  sqlite3_bind_int64 (stmt, 3, count);
  sqlite3_bind_blob (stmt, 4, g_bytes_get_data (inputs, NULL), (int) g_bytes_get_size (inputs),
                     SQLITE_STATIC);
  rc = step_done (stmt);
  sqlite3_finalize (stmt);
  return rc;
}

int
_fb_journal_delete_runs (sqlite3 *db,
                         gint64   run_id)
{
  static const char *const tables[] = { "jobs", "inputs", "limits" };
  int rc = SQLITE_OK;

  for (guint i = 0; rc == SQLITE_OK && i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = NULL;

      if (run_id > 0)
        sql = g_strdup_printf ("DELETE FROM %s WHERE run_id = ?", tables[i]);
      else
        sql = g_strdup_printf ("DELETE FROM %s WHERE run_id IN "
                               "(SELECT id FROM runs WHERE ended != 0)", tables[i]);
      rc = _fb_journal_exec (db, sql, run_id);
    }
  if (rc == SQLITE_OK)
    rc = run_id > 0 ? _fb_journal_exec (db, "DELETE FROM runs WHERE id = ?", run_id)
                    : _fb_journal_exec (db, "DELETE FROM runs WHERE ended != 0");
  return rc;
}
