/* fb-saver.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A body on its way to the disk. Bytes go to "NAME.part" (created with
 * O_EXCL, never over anything), and only a complete body becomes "NAME",
 * by a rename (or hard link) that fails instead of replacing an existing file, so a
 * file already there is never overwritten unless overwrite is set: the
 * next free "NAME (n)" is taken. Every disk operation runs on a small
 * pool of writer threads (results come back to the caller's main context
 * in batches); one operation at a time per FbPartFile. Commits under the
 * same final name publish in the order they were asked for. */
typedef struct _FbPartFile FbPartFile;

FbPartFile *fb_part_file_new            (const char          *directory,
                                         const char          *name,
                                         gboolean             overwrite);
void        fb_part_file_free           (FbPartFile          *self);
/* Bytes queued and not yet written; they go out with the next write or commit. */
gsize       fb_part_file_get_buffered   (FbPartFile          *self);
void        fb_part_file_append         (FbPartFile          *self,
                                         GBytes              *bytes);
/* Bytes appended since creation or the last restart, written or not: where
 * a resumed transfer continues. */
guint64     fb_part_file_get_size       (FbPartFile          *self);
/* Continues @part_path, a partial file of the same body an earlier process
 * left, from its first @size bytes (what follows them is cut off): the
 * size becomes @size, so a fetch asks for the rest. Before any other
 * operation. The worker opens it without following a symbolic link and
 * fails the first write or commit if it is no longer a regular file
 * holding @size bytes. */
void        fb_part_file_adopt          (FbPartFile          *self,
                                         const char          *part_path,
                                         guint64              size);
/* Called on the caller's thread after each flush with the .part file's
 * path and how many bytes it holds: what a journal records for a resume. */
typedef void (*FbPartFileWrittenFunc)   (FbPartFile          *self,
                                         const char          *part_path,
                                         guint64              written,
                                         gpointer             user_data);
void        fb_part_file_set_written_func (FbPartFile            *self,
                                           FbPartFileWrittenFunc  func,
                                           gpointer               user_data);
/* Starts the file again from nothing (a resume the server refused): what
 * is buffered is dropped, and the next write or commit empties the file. */
void        fb_part_file_restart        (FbPartFile          *self);
/* Writes what is buffered (creating the .part file the first time). */
void        fb_part_file_flush_async    (FbPartFile          *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean    fb_part_file_flush_finish   (FbPartFile          *self,
                                         GAsyncResult        *result,
                                         GError             **error);
/* Writes the rest and gives the file its final name (@final_name, or the
 * name given at creation when NULL). Returns the path it was saved at. */
void        fb_part_file_commit_async   (FbPartFile          *self,
                                         const char          *final_name,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
char       *fb_part_file_commit_finish  (FbPartFile          *self,
                                         GAsyncResult        *result,
                                         GError             **error);
/* Closes the .part file and lets it be: free leaves it on disk, for a
 * later process to continue (fb_part_file_adopt). Flush first: what is
 * still buffered is dropped. */
void        fb_part_file_keep           (FbPartFile          *self);
/* Closes and removes the .part file, if any. Never fails visibly. */
void        fb_part_file_abort_async    (FbPartFile          *self,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
void        fb_part_file_abort_finish   (FbPartFile          *self,
                                         GAsyncResult        *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbPartFile, fb_part_file_free)

G_END_DECLS
