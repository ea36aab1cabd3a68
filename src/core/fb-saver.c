/* fb-saver.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-saver"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fb-filename.h"
#include "fb-saver.h"
#include "fb-turn.h"

#define MAX_NUMBERED 10000

struct _FbPartFile
{
  char      *directory;
  char      *name;       /* the name asked for */
  char      *part_path;  /* set once the .part file exists */
  GPtrArray *pending;    /* GBytes* not yet handed to a worker */
  gsize      buffered;
  guint64    size;       /* bytes appended since creation or the last restart */
  guint64    written;    /* bytes in the file (the worker's; read after an operation) */
  guint64    adopt_size; /* an adopted file: where it continues */
  FbPartFileWrittenFunc written_func;
  gpointer   written_data;
  int        fd;
  gboolean   adopting;   /* part_path is an adopted file, not opened yet */
  gboolean   overwrite;
  gboolean   truncate;   /* the next operation empties the file first */
  gboolean   busy;       /* a worker owns fd and the paths */
};

typedef struct _DoneSource DoneSource;
typedef struct _OpData OpData;

typedef void (*DiskFunc) (OpData *op);

struct _OpData
{
  FbPartFile *self;
  GPtrArray  *chunks;
  char       *final_name;
  DiskFunc    func;
  char       *line;     /* commits: the path they publish under, see join_line */
  DoneSource *done;     /* where the result goes back */
  GError     *error;    /* results, written by the writer thread */
  char       *path;
  gboolean    truncate; /* empty the file before writing (a restart) */
};

/* Disk work runs on a small pool of writer threads of our own, and the
 * results come back to each main context in batches: one wake-up for
 * all that finished since it last looked. g_task_run_in_thread costs a
 * GIO pool hand-off and a main-context wake-up per operation, which was
 * most of the kernel time in a run of 1000 small files. */
struct _DoneSource
{
  GSource    source;
  GQueue     done;        /* GTask*, under writer_lock */
  gboolean   scheduled;   /* under writer_lock */
  GPtrArray *outgoing;    /* GTask* for the writers, under writer_lock */
};

/* The hand-off goes the other way in batches too: what one turn of the
 * main loop asks for goes to the writers in at most N_WRITERS pieces of
 * at least BATCH_MIN tasks, so 100 downloads at a time wake a writer a
 * few times per turn, not once per file, and a slow disk still sees
 * several files written at once. */
#define N_WRITERS 4
#define BATCH_MIN 8
#define WRITE_IOV 64

static GMutex       writer_lock;
static GThreadPool *writer_pool;
static GHashTable  *done_sources;  /* GMainContext* → DoneSource* (a reference) */
/* Commits publish in the order they were asked for, per final path: its key
 * is there while one commit for it is on a writer, with the GTask*s that wait
 * behind it. So which of two same-named files gets NAME and which NAME (1)
 * never depends on which writer is faster, even when the run no longer holds
 * the slot of a file being saved. Under writer_lock. The key is the path
 * asked for: a literal "x (1).gif" still races with the second "x.gif" for
 * that name (both stay whole; only who gets it is open). */
static GHashTable  *commit_lines;  /* path → GQueue* */

static void complete_op (GTask *task);

static void
op_data_free (OpData *op)
{
  g_clear_pointer (&op->chunks, g_ptr_array_unref);
  g_clear_error (&op->error);
  g_free (op->path);
  g_free (op->final_name);
  g_free (op->line);
  g_free (op);
}

FbPartFile *
fb_part_file_new (const char *directory,
                  const char *name,
                  gboolean    overwrite)
{
  FbPartFile *self;

  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (name != NULL && *name != '\0' && strchr (name, '/') == NULL, NULL);

  self = g_new0 (FbPartFile, 1);
  self->directory = g_strdup (directory);
  self->name = g_strdup (name);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->overwrite = overwrite;
  self->fd = -1;
  return self;
}

void
fb_part_file_free (FbPartFile *self)
{
  if (self == NULL)
    return;

  /* The owner aborts or commits first; this is the last line of defence
   * against a stray .part file. */
  g_assert (!self->busy);
  if (self->fd >= 0)
    close (self->fd);
  if (self->part_path != NULL)
    g_unlink (self->part_path);
  g_ptr_array_unref (self->pending);
  g_free (self->directory);
  g_free (self->name);
  g_free (self->part_path);
  g_free (self);
}

void
fb_part_file_keep (FbPartFile *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->busy);

  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  g_clear_pointer (&self->part_path, g_free);
}

gsize
fb_part_file_get_buffered (FbPartFile *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->buffered;
}

void
fb_part_file_append (FbPartFile *self,
                     GBytes     *bytes)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (bytes != NULL);

  if (g_bytes_get_size (bytes) == 0)
    return;
  g_ptr_array_add (self->pending, g_bytes_ref (bytes));
  self->buffered += g_bytes_get_size (bytes);
  self->size += g_bytes_get_size (bytes);
}

static GPtrArray *
steal_pending (FbPartFile *self)
{
  GPtrArray *chunks = g_steal_pointer (&self->pending);

  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->buffered = 0;
  return chunks;
}

guint64
fb_part_file_get_size (FbPartFile *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->size;
}

void
fb_part_file_adopt (FbPartFile *self,
                    const char *part_path,
                    guint64     size)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (part_path != NULL);
  g_return_if_fail (!self->busy && self->fd < 0 && self->part_path == NULL && self->size == 0);

  self->part_path = g_strdup (part_path);
  self->adopting = TRUE;
  self->adopt_size = size;
  self->size = size;
  self->written = size;
}

void
fb_part_file_set_written_func (FbPartFile            *self,
                               FbPartFileWrittenFunc  func,
                               gpointer               user_data)
{
  g_return_if_fail (self != NULL);

  self->written_func = func;
  self->written_data = user_data;
}

void
fb_part_file_restart (FbPartFile *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_unref (steal_pending (self));
  self->size = 0;
  self->truncate = TRUE;
}

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               format, display, g_strerror (saved_errno));
}

/* "NAME.part", unless that is longer than a file name may be: then a
 * shortened NAME (cut on a character boundary) keeps it unique with n. */
static char *
part_name_for (const char *candidate,
               guint       n)
{
  gsize len = strlen (candidate);
  const char *end;

  if (len + strlen (".part") <= FB_FILENAME_MAX_BYTES)
    return g_strconcat (candidate, ".part", NULL);

  end = candidate + 200;
  while (end > candidate && (*end & 0xc0) == 0x80)
    end--;
  return g_strdup_printf ("%.*s~%u.part", (int) (end - candidate), candidate, n);
}

/* Worker side. Only the worker that owns the operation touches fd and paths. */

/* An adopted file is opened where the journal says it is, and only if it
 * is still a regular file there (no symbolic link is followed) holding at
 * least the bytes it continues from; anything after them goes. */
static gboolean
open_adopted (FbPartFile  *self,
              GError     **error)
{
  g_autofree char *path = g_steal_pointer (&self->part_path);
  g_autofree char *display = g_filename_display_name (path);
  int fd = g_open (path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0);
  struct stat st;

  self->adopting = FALSE;
  if (fd < 0)
    {
      /* Translators: “%s” is a file, the second %s the system's reason. */
      set_errno_error (error, errno, _("Cannot continue “%s”: %s"), path);
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size < self->adopt_size)
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   /* Translators: “%s” is a partial file left by an earlier run */
                   _("Cannot continue “%s”: it is not the file the journal recorded"), display);
      return FALSE;
    }
  if (((guint64) st.st_size > self->adopt_size && ftruncate (fd, self->adopt_size) != 0)
      || lseek (fd, self->adopt_size, SEEK_SET) < 0)
    {
      int saved_errno = errno;

      close (fd);
      set_errno_error (error, saved_errno, _("Cannot continue “%s”: %s"), path);
      return FALSE;
    }
  self->fd = fd;
  self->part_path = g_steal_pointer (&path);
  self->written = self->adopt_size;
  return TRUE;
}

static gboolean
ensure_open (FbPartFile  *self,
             GError     **error)
{
  gboolean made_folder = FALSE;

  if (self->fd >= 0)
    return TRUE;
  if (self->adopting)
    return open_adopted (self, error);

  /* No look before each step: the O_EXCL open and, later, link() are what
   * keep every existing file whole; a taken name just moves to "NAME (n)". */
  for (guint n = 0; n < MAX_NUMBERED; n++)
    {
      g_autofree char *candidate = fb_filename_numbered (self->name, n);
      g_autofree char *part_name = part_name_for (candidate, n);
      g_autofree char *part_path = g_build_filename (self->directory, part_name, NULL);
      int fd;

      fd = g_open (part_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0 && (errno == ENOENT || errno == ENOTDIR) && !made_folder)
        {
          made_folder = TRUE;
          if (g_mkdir_with_parents (self->directory, 0755) != 0)
            {
              /* Translators: “%s” is a folder, the second %s the system's reason. */
              set_errno_error (error, errno, _("Cannot create the folder “%s”: %s"), self->directory);
              return FALSE;
            }
          n--;
          continue;
        }
      if (fd < 0 && errno == EEXIST)
        continue;
      if (fd < 0)
        {
          /* Translators: “%s” is a file, the second %s the system's reason. */
          set_errno_error (error, errno, _("Cannot create “%s”: %s"), part_path);
          return FALSE;
        }

      self->fd = fd;
      self->part_path = g_steal_pointer (&part_path);
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("No free name for “%s” in “%s”"), self->name, self->directory);
  return FALSE;
}

/* One writev () for up to WRITE_IOV chunks (a flush holds about four of
 * 64 KiB): fewer system calls than a write () each. */
static gboolean
write_chunks (FbPartFile  *self,
              GPtrArray   *chunks,
              GError     **error)
{
  struct iovec iov[WRITE_IOV];
  guint next = 0;

  while (chunks != NULL && next < chunks->len)
    {
      guint n = 0;
      gssize written;

      for (guint i = next; i < chunks->len && n < G_N_ELEMENTS (iov); i++, n++)
        {
          gsize size;

          iov[n].iov_base = (gpointer) g_bytes_get_data (chunks->pdata[i], &size);
          iov[n].iov_len = size;
        }
      written = writev (self->fd, iov, (int) n);
      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          set_errno_error (error, errno, _("Cannot write “%s”: %s"), self->part_path);
          return FALSE;
        }
      self->written += (guint64) written;
      /* Whole chunks written leave the batch; a chunk cut short goes on
       * from where the kernel stopped. */
      for (guint i = 0; i < n && written > 0; i++)
        {
          if ((gsize) written >= iov[i].iov_len)
            {
              written -= (gssize) iov[i].iov_len;
              next++;
              continue;
            }
          {
            GBytes *rest = g_bytes_new_from_bytes (chunks->pdata[next], (gsize) written,
                                                   iov[i].iov_len - (gsize) written);

            g_bytes_unref (chunks->pdata[next]);
            chunks->pdata[next] = rest;
            written = 0;
          }
        }
    }
  return TRUE;
}

/* Gives the complete .part file a final name without ever replacing a
 * file that is there (unless overwrite): renameat2 (RENAME_NOREPLACE), or
 * link(), fails with EEXIST. */
static char *
publish (FbPartFile  *self,
         const char  *final_name,
         GError     **error)
{
  const char *base = final_name != NULL ? final_name : self->name;

  /* From NAME itself every time: the .part file's number only says which
   * temporary names were taken (a stale NAME.part must not move the
   * result to NAME (1), nor, with overwrite, replace NAME (1)). */
  for (guint n = 0; n < MAX_NUMBERED; n++)
    {
      g_autofree char *candidate = fb_filename_numbered (base, n);
      g_autofree char *final_path = g_build_filename (self->directory, candidate, NULL);

      if (self->overwrite)
        {
          if (g_rename (self->part_path, final_path) == 0)
            goto done;
          set_errno_error (error, errno, _("Cannot rename to “%s”: %s"), final_path);
          return NULL;
        }

      /* One call where the file system can rename without replacing
       * (ext4, xfs, btrfs, tmpfs); a hard link and an unlink where it
       * cannot. The pair cost about 1 µs more per file on tmpfs. */
      if (renameat2 (AT_FDCWD, self->part_path, AT_FDCWD, final_path, RENAME_NOREPLACE) == 0)
        goto done;
      if (errno == EEXIST)
        continue;
      if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP || errno == EOPNOTSUPP)
        {
          if (link (self->part_path, final_path) == 0)
            {
              g_unlink (self->part_path);
              goto done;
            }
          if (errno == EEXIST)
            continue;
        }
      set_errno_error (error, errno, _("Cannot save “%s”: %s"), final_path);
      return NULL;

    done:
      g_clear_pointer (&self->part_path, g_free);
      return g_steal_pointer (&final_path);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("No free name for “%s” in “%s”"), base, self->directory);
  return NULL;
}

/* A restart: what an earlier attempt wrote goes, the file stays. */
static gboolean
truncate_if_asked (OpData *op)
{
  FbPartFile *self = op->self;

  if (!op->truncate || self->fd < 0)
    return TRUE;
  if (ftruncate (self->fd, 0) != 0 || lseek (self->fd, 0, SEEK_SET) != 0)
    {
      set_errno_error (&op->error, errno, _("Cannot write “%s”: %s"), self->part_path);
      return FALSE;
    }
  self->written = 0;
  return TRUE;
}

static void
flush_work (OpData *op)
{
  /* Opened first: an adopted file a restart empties is opened before. */
  if (ensure_open (op->self, &op->error) && truncate_if_asked (op))
    write_chunks (op->self, op->chunks, &op->error);
}

static void
commit_work (OpData *op)
{
  FbPartFile *self = op->self;

  if (!ensure_open (self, &op->error) || !truncate_if_asked (op)
      || !write_chunks (self, op->chunks, &op->error))
    return;

  if (close (self->fd) != 0)
    {
      self->fd = -1;
      set_errno_error (&op->error, errno, _("Cannot write “%s”: %s"), self->part_path);
      return;
    }
  self->fd = -1;
  op->path = publish (self, op->final_name, &op->error);
}

static void
abort_work (OpData *op)
{
  FbPartFile *self = op->self;

  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  if (self->part_path != NULL)
    g_unlink (self->part_path);
  g_clear_pointer (&self->part_path, g_free);
}

/* Under writer_lock: the source dispatches at the loop's next turn. One
 * wake-up serves everything that arrives before then. */
static void
arm_done_source (DoneSource *done)
{
  if (done->scheduled)
    return;
  done->scheduled = TRUE;
  g_source_set_ready_time (&done->source, 0);
}

/* @data: a GPtrArray of GTask*, all from one main context. */
static void
writer_thread (gpointer data,
               gpointer user_data)
{
  g_autoptr(GPtrArray) batch = data;

  for (guint i = 0; i < batch->len; i++)
    {
      GTask *task = g_ptr_array_index (batch, i);
      OpData *op = g_task_get_task_data (task);
      DoneSource *done = op->done;

      op->func (op);

      /* Each result goes back as soon as it is there, so a slow file does
       * not hold up the rest of its batch; one wake-up covers all that
       * arrive before the main loop looks. Only the lock protects @done
       * from here: the main thread may complete the task once queued. */
      g_mutex_lock (&writer_lock);
      g_queue_push_tail (&done->done, task);
      arm_done_source (done);
      g_mutex_unlock (&writer_lock);
    }
}

/* The tasks asked for since the last turn go to the writers. */
static void
hand_off (GPtrArray *outgoing)
{
  guint n_batches = CLAMP (outgoing->len / BATCH_MIN, 1, N_WRITERS);

  if (n_batches == 1)
    {
      g_thread_pool_push (writer_pool, outgoing, NULL);
      return;
    }
  for (guint b = 0; b < n_batches; b++)
    {
      GPtrArray *batch = g_ptr_array_sized_new (outgoing->len / n_batches + 1);

      for (guint i = b; i < outgoing->len; i += n_batches)
        g_ptr_array_add (batch, g_ptr_array_index (outgoing, i));
      g_thread_pool_push (writer_pool, batch, NULL);
    }
  g_ptr_array_unref (outgoing);
}

static gboolean
done_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  DoneSource *done = (DoneSource *) source;
  GPtrArray *outgoing = NULL;
  GQueue batch;
  GTask *task;

  /* Under the lock: a commit let out of its line by another context's
   * dispatch is appended from that thread (leave_line). */
  g_mutex_lock (&writer_lock);
  if (done->outgoing->len > 0)
    {
      outgoing = done->outgoing;
      done->outgoing = g_ptr_array_new ();
    }
  batch = done->done;
  g_queue_init (&done->done);
  done->scheduled = FALSE;
  g_source_set_ready_time (source, -1);
  g_mutex_unlock (&writer_lock);

  if (outgoing != NULL)
    hand_off (outgoing);
  while (batch.length > 0)
    {
      if (!fb_turn_grant ())
        {
          /* The rest go first in the next iteration, after a frame. */
          g_mutex_lock (&writer_lock);
          while ((task = g_queue_pop_tail (&batch)) != NULL)
            g_queue_push_head (&done->done, task);
          arm_done_source (done);
          g_mutex_unlock (&writer_lock);
          break;
        }
      task = g_queue_pop_head (&batch);
      complete_op (task);
      g_object_unref (task);
    }
  return G_SOURCE_CONTINUE;
}

static void
done_finalize (GSource *source)
{
  DoneSource *done = (DoneSource *) source;

  /* Empty: every task holds its owner's main context, and so this source. */
  g_ptr_array_unref (done->outgoing);
}

static GSourceFuncs done_funcs = { NULL, NULL, done_dispatch, done_finalize, NULL, NULL };

static void
run_on_writer (GTask    *task,
               DiskFunc  func)
{
  OpData *op = g_task_get_task_data (task);
  GMainContext *context = g_task_get_context (task);
  DoneSource *done;

  op->func = func;
  g_mutex_lock (&writer_lock);
  if (writer_pool == NULL)
    {
      writer_pool = g_thread_pool_new (writer_thread, NULL, N_WRITERS, FALSE, NULL);
      done_sources = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_source_unref);
    }
  done = g_hash_table_lookup (done_sources, context);
  if (done == NULL || g_source_is_destroyed (&done->source))
    {
      /* One per main context, for the life of the process (a destroyed
       * context takes its source with it; a new one gets a new source). */
      done = (DoneSource *) g_source_new (&done_funcs, sizeof (DoneSource));
      g_queue_init (&done->done);
      done->outgoing = g_ptr_array_new ();
      g_source_set_name (&done->source, "[fetchboard] finished disk work");
      g_source_attach (&done->source, context);
      g_hash_table_replace (done_sources, context, done);
    }
  op->done = done;

  /* A flush leaves at once, alone: one large write of a body still being
   * read, which the reader goes on filling meanwhile. Held to the end of
   * the turn, it left only once the reader had stopped (its socket dry or
   * MAX_BUFFERED ahead of the disk, every 4 MiB of a fast download), and
   * reading and writing took turns instead of overlapping: 126 waits of
   * about a millisecond for a 512 MiB file. */
  if (func == flush_work)
    {
      GPtrArray *alone = g_ptr_array_new ();

      g_ptr_array_add (alone, g_object_ref (task));
      g_mutex_unlock (&writer_lock);
      g_thread_pool_push (writer_pool, alone, NULL);
      return;
    }
  /* The batch's reference; completion on the main thread drops it. The
   * batch leaves when the source next dispatches, at the end of this turn
   * of the loop. */
  g_ptr_array_add (done->outgoing, g_object_ref (task));
  if (done->outgoing->len == 1)
    arm_done_source (done);
  g_mutex_unlock (&writer_lock);
}

/* TRUE when the commit can go to a writer now; otherwise it waits in line. */
static gboolean
join_line (GTask *task)
{
  OpData *op = g_task_get_task_data (task);
  GQueue *line;
  gboolean first;

  g_mutex_lock (&writer_lock);
  if (commit_lines == NULL)
    commit_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_queue_free);
  line = g_hash_table_lookup (commit_lines, op->line);
  first = line == NULL;
  if (first)
    g_hash_table_insert (commit_lines, g_strdup (op->line), g_queue_new ());
  else
    g_queue_push_tail (line, g_object_ref (task));
  g_mutex_unlock (&writer_lock);
  return first;
}

/* A commit is done: the next one in its line goes to a writer. */
static void
leave_line (OpData *op)
{
  GTask *next;

  g_mutex_lock (&writer_lock);
  next = g_queue_pop_head (g_hash_table_lookup (commit_lines, op->line));
  if (next == NULL)
    g_hash_table_remove (commit_lines, op->line);
  g_mutex_unlock (&writer_lock);
  if (next != NULL)
    {
      run_on_writer (next, commit_work);
      g_object_unref (next);
    }
}

static void
complete_op (GTask *task)
{
  OpData *op = g_task_get_task_data (task);

  if (op->line != NULL)
    leave_line (op);
  if (op->error != NULL)
    g_task_return_error (task, g_steal_pointer (&op->error));
  else if (op->func == commit_work)
    g_task_return_pointer (task, g_steal_pointer (&op->path), g_free);
  else
    g_task_return_boolean (task, TRUE);
}

static GTask *
start_op (FbPartFile          *self,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  OpData *op = g_new0 (OpData, 1);

  g_assert (!self->busy);
  self->busy = TRUE;
  op->self = self;
  op->chunks = steal_pending (self);
  op->truncate = self->truncate;
  self->truncate = FALSE;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_data_free);
  /* Disk work is not interrupted half-way: the result always reflects
   * what happened on disk, and abort cleans up after a cancel. */
  g_task_set_check_cancellable (task, FALSE);
  return task;
}

static void
end_op (FbPartFile   *self,
        GAsyncResult *result)
{
  g_assert (self->busy);
  self->busy = FALSE;
}

void
fb_part_file_flush_async (FbPartFile          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self != NULL);

  task = start_op (self, fb_part_file_flush_async, cancellable, callback, user_data);
  run_on_writer (task, flush_work);
}

gboolean
fb_part_file_flush_finish (FbPartFile    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_part_file_flush_async, FALSE);

  end_op (self, result);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (self->written_func != NULL && self->part_path != NULL)
    self->written_func (self, self->part_path, self->written, self->written_data);
  return TRUE;
}

void
fb_part_file_commit_async (FbPartFile          *self,
                           const char          *final_name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpData *op;

  g_return_if_fail (self != NULL);
  g_return_if_fail (final_name == NULL || (*final_name != '\0' && strchr (final_name, '/') == NULL));

  task = start_op (self, fb_part_file_commit_async, cancellable, callback, user_data);
  op = g_task_get_task_data (task);
  op->final_name = g_strdup (final_name);
  op->line = g_build_filename (self->directory, final_name != NULL ? final_name : self->name, NULL);
  if (join_line (task))
    run_on_writer (task, commit_work);
}

char *
fb_part_file_commit_finish (FbPartFile    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_part_file_commit_async, NULL);

  end_op (self, result);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
fb_part_file_abort_async (FbPartFile          *self,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self != NULL);

  task = start_op (self, fb_part_file_abort_async, NULL, callback, user_data);
  g_clear_pointer (&((OpData *) g_task_get_task_data (task))->chunks, g_ptr_array_unref);
  if (self->fd < 0 && self->part_path == NULL)
    {
      /* Nothing reached the disk: no need for a thread. */
      g_task_return_boolean (task, TRUE);
      return;
    }
  run_on_writer (task, abort_work);
}

void
fb_part_file_abort_finish (FbPartFile   *self,
                           GAsyncResult *result)
{
  g_return_if_fail (g_task_is_valid (result, NULL));
  g_return_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_part_file_abort_async);

  end_op (self, result);
  g_task_propagate_boolean (G_TASK (result), NULL);
}
