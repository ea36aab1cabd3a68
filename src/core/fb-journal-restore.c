/* fb-journal-restore.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-journal"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "fb-catalog.h"
#include "fb-filename.h"
#include "fb-journal-private.h"
#include "fb-job-private.h"
#include "fb-json-check.h"

#define JOB_COLUMNS \
  "run_id, idx, kind, input, source, source_line, state, http_status, bytes_received, " \
  "bytes_expected, validator, attempts, t_queued, t_waiting, t_resolving, t_connecting, " \
  "t_transferring, t_saving, t_done, message, error, saved_path, part_path"

/* One pass over a run's job rows for all four counts. */
#define RUN_COLUMNS \
  "r.id, r.created, r.ended, coalesce (r.kind, (SELECT CASE substr (i.data, 1, 1) " \
  "WHEN X'30' THEN 'probe' WHEN X'32' THEN 'catalog' ELSE 'download' END FROM inputs i " \
  "WHERE i.run_id = r.id AND i.first = 0), 'download'), r.identity, r.destination, " \
  "r.settings, (SELECT coalesce (sum (i.count), 0) FROM inputs i WHERE i.run_id = r.id), " \
  "coalesce (c.ok, 0), coalesce (c.not_found, 0), coalesce (c.error, 0), " \
  "coalesce (c.cancelled, 0)"
#define RUN_FROM \
  " FROM runs r LEFT JOIN (SELECT run_id, sum (state = 'ok') AS ok, " \
  "sum (state = 'not-found') AS not_found, sum (state = 'error') AS error, " \
  "sum (state = 'cancelled') AS cancelled FROM jobs GROUP BY run_id) c ON c.run_id = r.id "

static FbJobState
state_from_string (const char *text)
{
  for (FbJobState s = FB_JOB_STATE_PENDING; s <= FB_JOB_STATE_CANCELLED; s++)
    if (g_strcmp0 (text, fb_journal_state_to_string (s)) == 0)
      return s;
  return FB_JOB_STATE_PENDING;
}

static FbJobKind
kind_from_string (const char *text)
{
  for (FbJobKind k = FB_JOB_KIND_PROBE; k <= FB_JOB_KIND_CATALOG; k++)
    if (g_strcmp0 (text, fb_journal_kind_to_string (k)) == 0)
      return k;
  return FB_JOB_KIND_DOWNLOAD;
}

/* ---- reading ---- */

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static FbJournalRun *
read_run (sqlite3_stmt *stmt)
{
  FbJournalRun *run = g_new0 (FbJournalRun, 1);

  run->id = sqlite3_column_int64 (stmt, 0);
  run->created = sqlite3_column_int64 (stmt, 1);
  run->ended = sqlite3_column_int64 (stmt, 2);
  run->kind = column_text (stmt, 3);
  run->identity = column_text (stmt, 4);
  run->destination = column_text (stmt, 5);
  run->settings = column_text (stmt, 6);
  run->n_total = sqlite3_column_int (stmt, 7);
  run->n_ok = sqlite3_column_int (stmt, 8);
  run->n_not_found = sqlite3_column_int (stmt, 9);
  run->n_error = sqlite3_column_int (stmt, 10);
  run->n_cancelled = sqlite3_column_int (stmt, 11);
  run->n_pending = run->n_total - run->n_ok - run->n_not_found - run->n_error
                   - run->n_cancelled;
  return run;
}

static FbJournalJob *
read_job (sqlite3_stmt *stmt)
{
  FbJournalJob *job = g_new0 (FbJournalJob, 1);
  int c = 0;

  job->run_id = sqlite3_column_int64 (stmt, c++);
  job->index = sqlite3_column_int (stmt, c++);
  job->kind = kind_from_string ((const char *) sqlite3_column_text (stmt, c++));
  job->input = column_text (stmt, c++);
  job->source = column_text (stmt, c++);
  job->source_line = sqlite3_column_int (stmt, c++);
  job->state = state_from_string ((const char *) sqlite3_column_text (stmt, c++));
  job->http_status = sqlite3_column_int (stmt, c++);
  job->bytes_received = sqlite3_column_int64 (stmt, c++);
  job->bytes_expected = sqlite3_column_int64 (stmt, c++);
  job->validator = column_text (stmt, c++);
  job->attempts = sqlite3_column_int (stmt, c++);
  for (guint i = 0; i < G_N_ELEMENTS (fb_journal_phases); i++)
    job->phase_time[fb_journal_phases[i]] = sqlite3_column_int64 (stmt, c++);
  job->message = column_text (stmt, c++);
  job->error = column_text (stmt, c++);
  job->saved_path = column_text (stmt, c++);
  job->part_path = column_text (stmt, c++);
  if (job->input == NULL)
    job->input = g_strdup ("");
  return job;
}

GPtrArray *
fb_journal_list_runs (FbJournal  *self,
                      GError    **error)
{
  g_return_val_if_fail (FB_IS_JOURNAL (self), NULL);

  return _fb_journal_read_rows (self, "SELECT " RUN_COLUMNS RUN_FROM "ORDER BY r.id",
                                (FbJournalReadRow) read_run, (GDestroyNotify) fb_journal_run_free,
                                NULL, 0, error);
}

FbJournalRun *
fb_journal_get_run (FbJournal  *self,
                    gint64      run_id,
                    GError    **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (FB_IS_JOURNAL (self), NULL);

  /* Only this run's rows are counted: the join's rows for one run. */
  rows = _fb_journal_read_rows (self, "SELECT " RUN_COLUMNS " FROM runs r LEFT JOIN "
                                "(SELECT run_id, sum (state = 'ok') AS ok, sum (state = "
                                "'not-found') AS not_found, sum (state = 'error') AS error, "
                                "sum (state = 'cancelled') AS cancelled FROM jobs WHERE "
                                "run_id = ?1) c ON c.run_id = r.id WHERE r.id = ?1",
                                (FbJournalReadRow) read_run, (GDestroyNotify) fb_journal_run_free,
                                NULL, run_id, error);
  if (rows == NULL)
    return NULL;
  if (rows->len == 0)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, run_id);

      g_set_error (error, FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_NOT_FOUND,
                   /* Translators: a run's number, then the journal's path */
                   _("No run %s in the journal %s"), number,
                   fb_journal_get_path (self));
      return NULL;
    }
  return g_ptr_array_steal_index (rows, 0);
}

typedef struct
{
  guint   first;
  guint   count;
  GBytes *data;
} Inputs;

static void
inputs_free (Inputs *inputs)
{
  g_bytes_unref (inputs->data);
  g_free (inputs);
}

static gpointer
read_inputs (sqlite3_stmt *stmt)
{
  Inputs *inputs = g_new0 (Inputs, 1);

  inputs->first = sqlite3_column_int (stmt, 0);
  inputs->count = sqlite3_column_int (stmt, 1);
  inputs->data = g_bytes_new (sqlite3_column_blob (stmt, 2), sqlite3_column_bytes (stmt, 2));
  return inputs;
}

/* The rows of jobs that have not ended: kind, source, line, input, each
 * NUL-terminated (see _fb_journal_encode_input). A blob cut short stops
 * where it is cut. */
static void
decode_inputs (const Inputs *inputs,
               gint64        run_id,
               GPtrArray    *jobs)
{
  gsize size;
  const char *data = g_bytes_get_data (inputs->data, &size);
  const char *end = data + size;
  const char *p = data;

  while (jobs->len < inputs->first)
    {
      FbJournalJob *gap = g_new0 (FbJournalJob, 1);

      gap->run_id = run_id;
      gap->index = jobs->len;
      gap->input = g_strdup ("");
      gap->bytes_expected = -1;
      g_ptr_array_add (jobs, gap);
    }
  for (guint k = 0; k < inputs->count; k++)
    {
      const char *fields[4];
      FbJournalJob *row;

      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          const char *nul = p < end ? memchr (p, '\0', end - p) : NULL;

          if (nul == NULL)
            return;
          fields[f] = p;
          p = nul + 1;
        }
      row = g_new0 (FbJournalJob, 1);
      row->run_id = run_id;
      row->index = inputs->first + k;
      row->kind = CLAMP (fields[0][0] - '0', FB_JOB_KIND_PROBE, FB_JOB_KIND_CATALOG);
      row->source = fields[1][0] != '\0' ? g_strdup (fields[1]) : NULL;
      row->source_line = (guint) g_ascii_strtoull (fields[2], NULL, 10);
      row->input = g_strdup (fields[3]);
      row->state = FB_JOB_STATE_PENDING;
      row->bytes_expected = -1;
      if (row->index == jobs->len)
        g_ptr_array_add (jobs, row);
      else if (row->index < jobs->len)
        {
          fb_journal_job_free (jobs->pdata[row->index]);
          jobs->pdata[row->index] = row;
        }
      else
        fb_journal_job_free (row);
    }
}

GPtrArray *
fb_journal_list_jobs (FbJournal  *self,
                      gint64      run_id,
                      GError    **error)
{
  g_autoptr(GPtrArray) blobs = NULL;
  g_autoptr(GPtrArray) ended = NULL;
  g_autoptr(GPtrArray) jobs = NULL;

  g_return_val_if_fail (FB_IS_JOURNAL (self), NULL);

  blobs = _fb_journal_read_rows (self, "SELECT first, count, data FROM inputs WHERE run_id = ? "
                                 "ORDER BY first", read_inputs, (GDestroyNotify) inputs_free,
                                 NULL, run_id, error);
  if (blobs == NULL)
    return NULL;
  ended = _fb_journal_read_rows (self, "SELECT " JOB_COLUMNS " FROM jobs WHERE run_id = ? "
                                 "ORDER BY idx", (FbJournalReadRow) read_job, NULL, NULL, run_id,
                                 error);
  if (ended == NULL)
    return NULL;

  /* Every job as it was added, then the rows of those that ended over it. */
  jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_journal_job_free);
  for (guint i = 0; i < blobs->len; i++)
    decode_inputs (blobs->pdata[i], run_id, jobs);
  for (guint i = 0; i < ended->len; i++)
    {
      FbJournalJob *row = ended->pdata[i];

      if (row->index < jobs->len)
        {
          fb_journal_job_free (jobs->pdata[row->index]);
          jobs->pdata[row->index] = row;
        }
      else
        fb_journal_job_free (row);
    }
  return g_steal_pointer (&jobs);
}

static gpointer
read_limit (sqlite3_stmt *stmt)
{
  FbJournalLimit *limit = g_new (FbJournalLimit, 1);

  limit->time = sqlite3_column_int64 (stmt, 0);
  limit->limit = sqlite3_column_int (stmt, 1);
  return limit;
}

GArray *
fb_journal_list_limits (FbJournal  *self,
                        gint64      run_id,
                        GError    **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  GArray *limits;

  g_return_val_if_fail (FB_IS_JOURNAL (self), NULL);

  rows = _fb_journal_read_rows (self, "SELECT time, value FROM limits WHERE run_id = ? "
                                      "ORDER BY time, rowid",
                                read_limit, g_free, NULL, run_id, error);
  if (rows == NULL)
    return NULL;
  limits = g_array_sized_new (FALSE, FALSE, sizeof (FbJournalLimit), rows->len);
  for (guint i = 0; i < rows->len; i++)
    {
      const FbJournalLimit *limit = rows->pdata[i];

      /* Only changes: a continued run records its limit again. */
      if (limits->len > 0
          && g_array_index (limits, FbJournalLimit, limits->len - 1).limit == limit->limit)
        continue;
      g_array_append_vals (limits, limit, 1);
    }
  return limits;
}

gint64
fb_journal_find_unended (FbJournal   *self,
                         const char  *identity,
                         GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (FB_IS_JOURNAL (self), 0);
  g_return_val_if_fail (identity != NULL, 0);

  rows = _fb_journal_read_rows (self, "SELECT " RUN_COLUMNS RUN_FROM
                                "WHERE r.identity = ? AND r.ended = 0 ORDER BY r.id DESC LIMIT 1",
                                (FbJournalReadRow) read_run, (GDestroyNotify) fb_journal_run_free,
                                identity, 0, error);
  if (rows == NULL || rows->len == 0)
    return 0;
  return ((FbJournalRun *) rows->pdata[0])->id;
}

static gpointer
read_id (sqlite3_stmt *stmt)
{
  gint64 *id = g_new (gint64, 1);

  *id = sqlite3_column_int64 (stmt, 0);
  return id;
}

gint64
fb_journal_find_newest_unended (FbJournal  *self,
                                GError    **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (FB_IS_JOURNAL (self), 0);

  /* No counts: a run with jobs has inputs, and this reads no job row. */
  rows = _fb_journal_read_rows (self, "SELECT r.id FROM runs r WHERE r.ended = 0 AND EXISTS "
                                "(SELECT 1 FROM inputs i WHERE i.run_id = r.id AND i.count > 0) "
                                "ORDER BY r.id DESC LIMIT 1", read_id, g_free, NULL, 0, error);
  if (rows == NULL || rows->len == 0)
    return 0;
  return *(gint64 *) rows->pdata[0];
}

GHashTable *
fb_journal_list_saved (FbJournal   *self,
                       const char  *destination,
                       GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  GHashTable *saved;

  g_return_val_if_fail (FB_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (destination != NULL, NULL);

  rows = _fb_journal_read_rows (self, "SELECT " JOB_COLUMNS " FROM jobs WHERE state = 'ok' "
                                "AND saved_path IS NOT NULL AND run_id IN "
                                "(SELECT id FROM runs WHERE destination = ?) "
                                "ORDER BY run_id, idx",
                                (FbJournalReadRow) read_job, NULL, destination, 0, error);
  if (rows == NULL)
    return NULL;
  saved = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                 (GDestroyNotify) fb_journal_job_free);
  for (guint i = 0; i < rows->len; i++)
    {
      FbJournalJob *row = rows->pdata[i];

      /* The key lives in the value: drop the old pair first. */
      g_hash_table_remove (saved, row->input);
      g_hash_table_insert (saved, row->input, row);
    }
  return saved;
}


/* Bringing runs back from the journal: jobs as their rows left them, the
 * run's settings, and the disk made to agree with the rows. */


gboolean
fb_journal_job_is_verified (const FbJournalJob *row)
{
  GStatBuf st;

  g_return_val_if_fail (row != NULL, FALSE);

  if (row->state != FB_JOB_STATE_OK || row->saved_path == NULL)
    return FALSE;
  if (g_stat (row->saved_path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  return (guint64) st.st_size == row->bytes_received;
}

/* An ETag is quoted; anything else is a Last-Modified date. */
static void
set_validator (FbJob      *job,
               const char *validator)
{
  if (validator == NULL)
    return;
  if (validator[0] == '"' || g_str_has_prefix (validator, "W/"))
    _fb_job_set_validators (job, validator, NULL);
  else
    _fb_job_set_validators (job, NULL, validator);
}

/* A download that was running when its process ended, with a .part and
 * what If-Range asks with: it can continue. */
static gboolean
row_can_resume (const FbJournalJob *row)
{
  return row->state == FB_JOB_STATE_PENDING && row->kind == FB_JOB_KIND_DOWNLOAD
         && row->part_path != NULL && row->validator != NULL;
}

/* Hands @job the .part @row names, if it is still what the run left: a
 * NAME.part right in the run's folder, a regular file (a symbolic link is
 * not followed), not empty. The next attempt continues it from its size
 * with Range and If-Range; a server that answers 200 (the body changed)
 * starts it again. Returns whether it did. */
static gboolean
attach_part (const FbJournalRun *run,
             const FbJournalJob *row,
             FbJob              *job)
{
  g_autofree char *base = NULL;
  g_autofree char *expected = NULL;
  GStatBuf st;

  if (!row_can_resume (row) || fb_job_get_kind (job) != FB_JOB_KIND_DOWNLOAD)
    return FALSE;
  base = g_path_get_basename (row->part_path);
  expected = g_build_filename (run->destination != NULL ? run->destination : ".", base, NULL);
  if (!g_str_has_suffix (base, ".part") || base[0] == '.' || strcmp (expected, row->part_path) != 0)
    return FALSE;
  if (g_lstat (row->part_path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size <= 0)
    return FALSE;
  set_validator (job, row->validator);
  _fb_job_set_resume_part (job, row->part_path, (guint64) st.st_size);
  return TRUE;
}

static FbJob *
restore_job (const FbJournalJob *row,
             gint64              mono_offset)
{
  FbJob *job = fb_job_new (row->kind, row->input);
  FbJobState state = row->state;
  const char *message = row->message;
  g_autofree char *missing = NULL;

  if (row->source != NULL)
    fb_job_set_source (job, row->source, row->source_line);
  if (state == FB_JOB_STATE_PENDING || state == FB_JOB_STATE_CANCELLED)
    return job;

  if (state == FB_JOB_STATE_OK && row->saved_path != NULL
      && !g_file_test (row->saved_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *name = g_path_get_basename (row->saved_path);
      g_autoptr(GError) error = NULL;

      /* Translators: %s is a file name */
      missing = g_strdup_printf (_("File missing: %s"), name);
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, missing);
      _fb_job_set_error (job, error);
      state = FB_JOB_STATE_ERROR;
      message = missing;
    }
  else if (row->error != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, row->error);

      _fb_job_set_error (job, error);
    }
  set_validator (job, row->validator);
  _fb_job_set_http_status (job, row->http_status);
  _fb_job_set_expected (job, row->bytes_expected);
  _fb_job_add_received (job, row->bytes_received);
  if (state == FB_JOB_STATE_OK)
    _fb_job_set_saved_path (job, row->saved_path);
  for (guint p = 0; p < FB_JOB_N_PHASES; p++)
    if (row->phase_time[p] != 0)
      _fb_job_set_phase_time (job, p, row->phase_time[p] - mono_offset);
  _fb_job_finish (job, state, message);
  return job;
}

FbJob *
fb_journal_job_restore (const FbJournalJob *row)
{
  g_return_val_if_fail (row != NULL, NULL);
  return restore_job (row, g_get_real_time () - g_get_monotonic_time ());
}

guint
fb_journal_remove_stray_parts (const FbJournalRun *run,
                               GPtrArray          *jobs)
{
  g_return_val_if_fail (run != NULL, 0);

  return _fb_journal_remove_stray_parts_until (run, jobs, G_MAXINT64);
}

guint
_fb_journal_remove_stray_parts_until (const FbJournalRun *run,
                                      GPtrArray          *jobs,
                                      gint64              until)
{
  g_autoptr(GHashTable) kept = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GDir) dir = NULL;
  const char *destination;
  const char *name;
  guint removed = 0;

  g_return_val_if_fail (run != NULL, 0);

  destination = run->destination != NULL ? run->destination : ".";
  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    {
      const FbJournalJob *row = jobs->pdata[i];

      if (row_can_resume (row))
        g_hash_table_add (kept, row->part_path);
    }

  dir = g_dir_open (destination, 0, NULL);
  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!g_str_has_suffix (name, ".part"))
        continue;
      path = g_build_filename (destination, name, NULL);
      if (g_hash_table_contains (kept, path))
        continue;
      /* Only what this run may have made: nothing older than it. */
      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode)
          || (gint64) st.st_mtime * G_USEC_PER_SEC < run->created - G_USEC_PER_SEC)
        continue;
      /* …and nothing a job of the restored run made since it came back. */
      if ((gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000 >= until)
        continue;
      if (g_unlink (path) == 0)
        removed++;
    }
  return removed;
}

char *
fb_journal_settings_from_run (FbRun *run)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (FB_IS_RUN (run), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "max-concurrency");
  json_builder_add_int_value (builder, fb_run_get_max_concurrency (run));
  json_builder_set_member_name (builder, "timeout");
  json_builder_add_double_value (builder, fb_run_get_timeout (run));
  json_builder_set_member_name (builder, "dns-timeout");
  json_builder_add_double_value (builder, fb_run_get_dns_timeout (run));
  json_builder_set_member_name (builder, "destination");
  json_builder_add_string_value (builder, fb_run_get_destination (run));
  json_builder_set_member_name (builder, "base-url");
  json_builder_add_string_value (builder, fb_run_get_base_url (run));
  json_builder_set_member_name (builder, "overwrite");
  json_builder_add_boolean_value (builder, fb_run_get_overwrite (run));
  json_builder_set_member_name (builder, "metadata-names");
  json_builder_add_boolean_value (builder, fb_run_get_metadata_names (run));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

void
fb_journal_settings_apply (const char *settings_json,
                           FbRun      *run)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  g_return_if_fail (FB_IS_RUN (run));

  /* The journal is a file anyone may have edited: strict JSON only (fb-json-check.h). */
  if (settings_json == NULL || !fb_json_check (settings_json, strlen (settings_json), NULL)
      || !json_parser_load_from_data (parser, settings_json, -1, NULL))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  object = json_node_get_object (json_parser_get_root (parser));

  if (json_object_has_member (object, "max-concurrency"))
    fb_run_set_max_concurrency (run, CLAMP (json_object_get_int_member (object,
                                                                        "max-concurrency"),
                                            1, G_MAXINT));
  if (json_object_has_member (object, "timeout"))
    fb_run_set_timeout (run, json_object_get_double_member (object, "timeout"));
  if (json_object_has_member (object, "dns-timeout"))
    fb_run_set_dns_timeout (run, json_object_get_double_member (object, "dns-timeout"));
  if (json_object_has_member (object, "destination"))
    fb_run_set_destination (run, json_object_get_string_member (object, "destination"));
  if (json_object_has_member (object, "base-url"))
    fb_run_set_base_url (run, json_object_get_string_member (object, "base-url"));
  if (json_object_has_member (object, "overwrite"))
    fb_run_set_overwrite (run, json_object_get_boolean_member (object, "overwrite"));
  if (json_object_has_member (object, "metadata-names"))
    fb_run_set_metadata_names (run, json_object_get_boolean_member (object, "metadata-names"));
}

typedef struct
{
  gint64     run_id;
  FbJournalRun *run;
  GPtrArray *rows;
  GPtrArray *jobs; /* FbJob*, built from rows */
} RestoreData;

static void
restore_data_free (RestoreData *data)
{
  g_clear_pointer (&data->run, fb_journal_run_free);
  g_clear_pointer (&data->rows, g_ptr_array_unref);
  g_clear_pointer (&data->jobs, g_ptr_array_unref);
  g_free (data);
}

static gboolean
restore_load (FbJournal    *self,
              RestoreData  *data,
              GError      **error)
{
  gint64 offset = g_get_real_time () - g_get_monotonic_time ();

  data->run = fb_journal_get_run (self, data->run_id, error);
  if (data->run == NULL)
    return FALSE;
  data->rows = fb_journal_list_jobs (self, data->run_id, error);
  if (data->rows == NULL)
    return FALSE;
  fb_journal_remove_stray_parts (data->run, data->rows);
  data->jobs = g_ptr_array_new_full (data->rows->len, g_object_unref);
  for (guint i = 0; i < data->rows->len; i++)
    {
      FbJob *job = restore_job (data->rows->pdata[i], offset);

      attach_part (data->run, data->rows->pdata[i], job);
      g_ptr_array_add (data->jobs, job);
    }
  return TRUE;
}

static FbRun *
restore_build (FbJournal   *self,
               RestoreData *data)
{
  FbRun *run = fb_run_new ();

  fb_journal_settings_apply (data->run->settings, run);
  fb_run_add_jobs (run, (FbJob **) data->jobs->pdata, data->jobs->len);
  _fb_journal_continue_run (self, run, data->run_id, data->rows);
  /* Rows whose truth changed on the way back (a file gone) are written again. */
  for (guint i = 0; i < data->jobs->len; i++)
    {
      const FbJournalJob *row = data->rows->pdata[i];
      FbJob *job = data->jobs->pdata[i];

      if (fb_job_get_state (job) != row->state && fb_job_is_final (job))
        {
          _fb_journal_put_job (self, job, data->run_id, i, row->attempts);
        }
    }
  return run;
}

FbRun *
fb_journal_restore_run (FbJournal  *self,
                        gint64      run_id,
                        GError    **error)
{
  RestoreData *data;
  FbRun *run = NULL;

  g_return_val_if_fail (FB_IS_JOURNAL (self), NULL);

  data = g_new0 (RestoreData, 1);
  data->run_id = run_id;
  if (restore_load (self, data, error))
    run = restore_build (self, data);
  restore_data_free (data);
  return run;
}

/* ---- restoring on a thread, the run handed over in slices ---- */

/* The worker builds the jobs RESTORE_SLICE at a time; the main thread adds
 * one slice per turn of its loop, below drawing, so the window shows the
 * run (its first rows, its counts so far) as soon as the first slice is
 * in, and 100,000 jobs never hold a frame back. */
#define RESTORE_SLICE 2000

typedef struct
{
  gint          ref_count;
  FbJournal    *journal;
  gint64        run_id;
  GCancellable *cancellable;
  gint64        started;   /* wall-clock µs: .part files after it are not stray */

  /* Written by the worker before it hands over the first slice, then only read. */
  FbJournalRun *run_row;
  GPtrArray    *rows;

  GMutex        lock;
  GPtrArray    *ready;     /* FbJob* (references), built and not taken yet */
  GError       *error;
  gboolean      loaded;    /* every job is built (or it failed) */

  /* Main thread. */
  GSource      *source;
  GTask        *task;      /* until the run is handed back */
  FbRun        *run;
  guint         n_added;
} Restore;

static Restore *
restore_ref (Restore *restore)
{
  g_atomic_int_inc (&restore->ref_count);
  return restore;
}

static void
restore_unref (Restore *restore)
{
  if (!g_atomic_int_dec_and_test (&restore->ref_count))
    return;
  g_object_unref (restore->journal);
  g_clear_object (&restore->cancellable);
  g_clear_pointer (&restore->run_row, fb_journal_run_free);
  g_clear_pointer (&restore->rows, g_ptr_array_unref);
  g_ptr_array_foreach (restore->ready, (GFunc) g_object_unref, NULL);
  g_ptr_array_unref (restore->ready);
  g_clear_error (&restore->error);
  g_clear_object (&restore->task);
  g_clear_object (&restore->run);
  g_source_unref (restore->source);
  g_mutex_clear (&restore->lock);
  g_free (restore);
}

/* Wakes the main thread's source (from any thread). */
static void
restore_wake (Restore *restore)
{
  g_source_set_ready_time (restore->source, 0);
}

/* The run's own row, without its counts (a pass over its jobs). */
static gpointer
read_run_row (sqlite3_stmt *stmt)
{
  FbJournalRun *run = g_new0 (FbJournalRun, 1);

  run->id = sqlite3_column_int64 (stmt, 0);
  run->created = sqlite3_column_int64 (stmt, 1);
  run->ended = sqlite3_column_int64 (stmt, 2);
  run->kind = column_text (stmt, 3);
  run->identity = column_text (stmt, 4);
  run->destination = column_text (stmt, 5);
  run->settings = column_text (stmt, 6);
  return run;
}

/* The worker's side: rows come in order of index, so when one arrives
 * every row before it is complete, and whole slices below it can go. */
typedef struct
{
  Restore   *restore;
  GPtrArray *rows;
  guint      emitted;  /* rows [0, emitted) are built into jobs and handed over */
  gint64     offset;
} Stream;

static void
stream_emit (Stream *stream,
             guint   end)
{
  Restore *restore = stream->restore;

  end = MIN (end, stream->rows->len);
  while (stream->emitted < end && !g_cancellable_is_cancelled (restore->cancellable))
    {
      guint stop = MIN (stream->emitted + RESTORE_SLICE, end);
      GPtrArray *slice = g_ptr_array_new_full (stop - stream->emitted, g_object_unref);

      for (guint i = stream->emitted; i < stop; i++)
        {
          FbJob *job = restore_job (stream->rows->pdata[i], stream->offset);

          attach_part (restore->run_row, stream->rows->pdata[i], job);
          g_ptr_array_add (slice, job);
        }
      g_mutex_lock (&restore->lock);
      g_ptr_array_extend_and_steal (restore->ready, slice);
      g_mutex_unlock (&restore->lock);
      stream->emitted = stop;
      restore_wake (restore);
    }
}

static void
stream_row (gpointer data,
            gpointer user_data)
{
  FbJournalJob *row = data;
  Stream *stream = user_data;

  if (row->index >= stream->rows->len || row->index < stream->emitted)
    {
      fb_journal_job_free (row);
      return;
    }
  if (row->index >= stream->emitted + RESTORE_SLICE)
    stream_emit (stream, row->index - (row->index - stream->emitted) % RESTORE_SLICE);
  fb_journal_job_free (stream->rows->pdata[row->index]);
  stream->rows->pdata[row->index] = row;
}

static gpointer
restore_thread (gpointer data)
{
  Restore *restore = data;
  Stream stream = { restore, NULL, 0, g_get_real_time () - g_get_monotonic_time () };
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) blobs = NULL;
  GError *error = NULL;
  GPtrArray *rows = NULL;
  int nice_now;

  /* The window draws the first slice while this builds the rest: on a
   * busy machine the main thread goes first (this thread's own nice value). */
  errno = 0;
  nice_now = getpriority (PRIO_PROCESS, 0);
  if (errno == 0)
    setpriority (PRIO_PROCESS, 0, MIN (nice_now + 5, 19));

  found = _fb_journal_read_rows (restore->journal, "SELECT id, created, ended, kind, identity, "
                                 "destination, settings FROM runs WHERE id = ?", read_run_row,
                                 (GDestroyNotify) fb_journal_run_free, NULL, restore->run_id,
                                 &error);
  if (found != NULL && found->len == 0)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, restore->run_id);

      g_set_error (&error, FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_NOT_FOUND,
                   _("No run %s in the journal %s"), number,
                   fb_journal_get_path (restore->journal));
    }
  if (error == NULL)
    blobs = _fb_journal_read_rows (restore->journal, "SELECT first, count, data FROM inputs "
                                   "WHERE run_id = ? ORDER BY first", read_inputs,
                                   (GDestroyNotify) inputs_free, NULL, restore->run_id, &error);
  if (blobs != NULL)
    {
      /* Every job as it was added; the rows of those that ended go over
       * them as they are read. */
      rows = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_journal_job_free);
      for (guint i = 0; i < blobs->len; i++)
        decode_inputs (blobs->pdata[i], restore->run_id, rows);
    }
  g_mutex_lock (&restore->lock);
  restore->run_row = error == NULL ? g_ptr_array_steal_index (found, 0) : NULL;
  restore->rows = rows;
  restore->error = error;
  restore->loaded = rows == NULL;
  g_mutex_unlock (&restore->lock);
  if (rows == NULL)
    {
      restore_wake (restore);
      restore_unref (restore);
      return NULL;
    }

  stream.rows = rows;
  if (!_fb_journal_read_each (restore->journal, "SELECT " JOB_COLUMNS " FROM jobs WHERE "
                              "run_id = ? ORDER BY idx", (FbJournalReadRow) read_job,
                              stream_row, &stream, restore->run_id, &error))
    {
      /* Rows that could not be read leave their jobs queued, as added. */
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }
  stream_emit (&stream, rows->len);

  /* Last: nothing here waits for it, and a .part a started job makes
   * meanwhile is newer than the restore, so it stays. */
  if (!g_cancellable_is_cancelled (restore->cancellable))
    _fb_journal_remove_stray_parts_until (restore->run_row, rows, restore->started);
  g_mutex_lock (&restore->lock);
  restore->loaded = TRUE;
  g_mutex_unlock (&restore->lock);
  restore_wake (restore);
  restore_unref (restore);
  return NULL;
}

/* The first slice makes the run and hands it back; each turn adds one
 * more. Rows whose truth changed on the way back (a file gone) are
 * written again. */
static gboolean
restore_dispatch (GSource     *source,
                  GSourceFunc  callback,
                  gpointer     user_data)
{
  Restore *restore = user_data;
  g_autoptr(GPtrArray) slice = NULL;
  g_autoptr(GError) error = NULL;
  gboolean loaded;
  gboolean more;

  g_mutex_lock (&restore->lock);
  loaded = restore->loaded;
  error = g_steal_pointer (&restore->error);
  if (restore->ready->len > 0)
    {
      guint n = MIN (restore->ready->len, RESTORE_SLICE);

      slice = g_ptr_array_new_full (n, g_object_unref);
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (slice, restore->ready->pdata[i]);
      g_ptr_array_remove_range (restore->ready, 0, n);
      /* The slice took the references the array held. */
    }
  more = restore->ready->len > 0;
  g_mutex_unlock (&restore->lock);

  if (restore->task != NULL && g_cancellable_is_cancelled (restore->cancellable))
    {
      g_task_return_new_error (restore->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("Cancelled"));
      g_clear_object (&restore->task);
    }
  if (restore->task != NULL && error != NULL)
    {
      g_task_return_error (restore->task, g_steal_pointer (&error));
      g_clear_object (&restore->task);
    }
  if (restore->task == NULL && restore->run == NULL)
    return G_SOURCE_REMOVE;
  if (slice == NULL && !loaded)
    {
      g_source_set_ready_time (source, -1);
      return G_SOURCE_CONTINUE;
    }

  if (restore->run == NULL)
    {
      restore->run = fb_run_new ();
      fb_journal_settings_apply (restore->run_row->settings, restore->run);
    }
  if (slice != NULL)
    {
      fb_run_add_jobs (restore->run, (FbJob **) slice->pdata, slice->len);
      for (guint k = 0; k < slice->len; k++)
        {
          guint i = restore->n_added + k;
          const FbJournalJob *row = restore->rows->pdata[i];
          FbJob *job = slice->pdata[k];

          if (fb_job_get_state (job) != row->state && fb_job_is_final (job))
            _fb_journal_put_job (restore->journal, job, restore->run_id, i, row->attempts);
        }
    }
  if (restore->task != NULL)
    {
      /* Recorded from now on; the rows still to come are in the journal. */
      _fb_journal_continue_run (restore->journal, restore->run, restore->run_id, restore->rows);
      g_task_return_pointer (restore->task, g_object_ref (restore->run), g_object_unref);
      g_clear_object (&restore->task);
    }
  if (slice != NULL)
    {
      _fb_journal_set_attempts (restore->journal, restore->run, restore->rows, restore->n_added,
                                restore->n_added + slice->len);
      restore->n_added += slice->len;
      /* A run started before its last jobs came goes on with them. */
      if (!fb_run_get_running (restore->run) && fb_run_get_elapsed (restore->run) > 0
          && fb_run_get_n_finished (restore->run) < fb_run_get_total (restore->run))
        fb_run_start (restore->run);
    }
  if (!more && loaded)
    return G_SOURCE_REMOVE;
  g_source_set_ready_time (source, more ? 0 : -1);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs restore_funcs = { NULL, NULL, restore_dispatch, NULL, NULL, NULL };

void
fb_journal_restore_run_async (FbJournal           *self,
                              gint64               run_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Restore *restore;

  g_return_if_fail (FB_IS_JOURNAL (self));

  restore = g_new0 (Restore, 1);
  restore->ref_count = 1;
  restore->journal = g_object_ref (self);
  restore->run_id = run_id;
  restore->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  restore->started = g_get_real_time ();
  restore->ready = g_ptr_array_new ();
  g_mutex_init (&restore->lock);
  restore->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (restore->task, fb_journal_restore_run_async);

  restore->source = g_source_new (&restore_funcs, sizeof (GSource));
  g_source_set_name (restore->source, "[fetchboard] restore a run");
  g_source_set_priority (restore->source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (restore->source, NULL, restore, (GDestroyNotify) restore_unref);
  g_source_set_ready_time (restore->source, -1);
  /* The worker wakes it to the end: its reference goes with the last one. */
  g_source_attach (restore->source, g_task_get_context (restore->task));

  g_thread_unref (g_thread_new ("fb-restore", restore_thread, restore_ref (restore)));
}

FbRun *
fb_journal_restore_run_finish (FbJournal     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
same_inputs (GPtrArray *rows,
             FbJob    **jobs,
             guint      n_jobs)
{
  if (rows->len != n_jobs)
    return FALSE;
  for (guint i = 0; i < n_jobs; i++)
    {
      const FbJournalJob *row = rows->pdata[i];

      if (row->kind != fb_job_get_kind (jobs[i])
          || g_strcmp0 (row->input, fb_job_get_input (jobs[i])) != 0)
        return FALSE;
    }
  return TRUE;
}

/* A crash between a file's publication and its row's batch leaves a
 * whole file (only complete bodies are ever renamed) that no row names:
 * NAME, made since the run began. It is taken as the job's, instead of
 * fetching it again into "NAME (1)". */
static FbJob *
adopt_published (const FbJournalRun *run,
                 FbRun              *engine,
                 FbJob              *job,
                 GHashTable         *named,
                 gint64              offset)
{
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  FbJournalJob row = { 0 };
  GStatBuf st;

  if (fb_job_get_kind (job) == FB_JOB_KIND_DOWNLOAD)
    name = fb_filename_from_url (fb_job_get_input (job));
  else if (fb_job_get_kind (job) == FB_JOB_KIND_CATALOG && !fb_run_get_metadata_names (engine))
    name = fb_catalog_code_filename (fb_job_get_input (job));
  if (name == NULL)
    return NULL;
  path = g_build_filename (run->destination != NULL ? run->destination : ".", name, NULL);
  if (g_hash_table_contains (named, path) || g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode)
      || (gint64) st.st_mtime * G_USEC_PER_SEC < run->created - G_USEC_PER_SEC)
    return NULL;

  /* Translators: %s is a file name */
  message = g_strdup_printf (_("Saved as %s"), name);
  row.kind = fb_job_get_kind (job);
  row.input = (char *) fb_job_get_input (job);
  row.state = FB_JOB_STATE_OK;
  row.bytes_received = st.st_size;
  row.bytes_expected = st.st_size;
  row.message = message;
  row.saved_path = path;
  row.phase_time[FB_JOB_PHASE_DONE] = (gint64) st.st_mtime * G_USEC_PER_SEC;
  g_hash_table_add (named, g_strdup (path));
  return restore_job (&row, offset);
}

gint64
fb_journal_add_jobs (FbJournal   *self,
                     FbRun       *run,
                     FbJob      **jobs,
                     guint        n_jobs,
                     const char  *identity,
                     guint       *n_done,
                     GError     **error)
{
  g_autoptr(GPtrArray) final = g_ptr_array_new_full (n_jobs, g_object_unref);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) saved = NULL;
  g_autoptr(GArray) rewrite = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) local_error = NULL;
  g_autoptr(FbJournalRun) run_row = NULL;
  g_autoptr(GHashTable) named = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *destination;
  gint64 offset = g_get_real_time () - g_get_monotonic_time ();
  gint64 run_id;
  guint done = 0;

  g_return_val_if_fail (FB_IS_JOURNAL (self), 0);
  g_return_val_if_fail (FB_IS_RUN (run), 0);
  g_return_val_if_fail (identity != NULL, 0);

  destination = fb_run_get_destination (run) != NULL ? fb_run_get_destination (run) : ".";
  run_id = fb_journal_find_unended (self, identity, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }
  if (run_id > 0)
    {
      run_row = fb_journal_get_run (self, run_id, error);
      if (run_row == NULL)
        return 0;
      rows = fb_journal_list_jobs (self, run_id, error);
      if (rows == NULL)
        return 0;
      if (!same_inputs (rows, jobs, n_jobs))
        {
          run_id = 0;
          g_clear_pointer (&rows, g_ptr_array_unref);
        }
      else
        {
          fb_journal_remove_stray_parts (run_row, rows);
          for (guint i = 0; i < rows->len; i++)
            {
              const FbJournalJob *row = rows->pdata[i];

              if (row->saved_path != NULL)
                g_hash_table_add (named, g_strdup (row->saved_path));
            }
        }
    }
  saved = fb_journal_list_saved (self, destination, error);
  if (saved == NULL)
    return 0;

  for (guint i = 0; i < n_jobs; i++)
    {
      const FbJournalJob *row = rows != NULL ? rows->pdata[i] : NULL;
      const FbJournalJob *earlier = g_hash_table_size (saved) > 0
                                    ? g_hash_table_lookup (saved, fb_job_get_input (jobs[i]))
                                    : NULL;
      FbJob *job = NULL;

      /* Finished answers stay; errors and cancels run again. */
      if (row != NULL && (row->state == FB_JOB_STATE_OK || row->state == FB_JOB_STATE_NOT_FOUND))
        {
          job = restore_job (row, offset);
          if (fb_job_get_state (job) != row->state)
            g_array_append_val (rewrite, i);
        }
      else if (earlier != NULL && earlier->kind == fb_job_get_kind (jobs[i])
               && fb_journal_job_is_verified (earlier))
        {
          job = restore_job (earlier, offset);
          if (row != NULL)
            g_array_append_val (rewrite, i);
        }
      else if (row != NULL)
        {
          job = adopt_published (run_row, run, jobs[i], named, offset);
          if (job != NULL)
            g_array_append_val (rewrite, i);
          else
            attach_part (run_row, row, jobs[i]);
        }
      if (job != NULL)
        {
          if (fb_job_get_source (jobs[i]) != NULL)
            fb_job_set_source (job, fb_job_get_source (jobs[i]),
                               fb_job_get_source_line (jobs[i]));
          done++;
        }
      g_ptr_array_add (final, job != NULL ? job : g_object_ref (jobs[i]));
    }

  fb_run_add_jobs (run, (FbJob **) final->pdata, final->len);
  if (run_id > 0)
    {
      _fb_journal_continue_run (self, run, run_id, rows);
      for (guint i = 0; i < rewrite->len; i++)
        {
          guint index = g_array_index (rewrite, guint, i);

          _fb_journal_put_job (self, final->pdata[index], run_id, index,
                               ((FbJournalJob *) rows->pdata[index])->attempts);
        }
    }
  else
    run_id = fb_journal_track_run (self, run,
                                   _fb_journal_jobs_kind ((FbJob **) final->pdata, final->len),
                                   identity, NULL);
  /* Nothing is read again while the run goes on. */
  _fb_journal_release_reader (self);

  if (n_done != NULL)
    *n_done = done;
  return run_id;
}
