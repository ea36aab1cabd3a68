/* fb-file-root.h: the demo server's --root folder, like python -m http.server
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  guint       status;        /* 200, 301, 403, 404 or 500 */
  GBytes     *body;
  const char *content_type;  /* static */
  char       *location;      /* 301: the folder's path with a slash */
} FbFileAnswer;

void          _fb_file_answer_free        (FbFileAnswer *answer);

/* Answers GET @path (the request's path, still percent-encoded) from the
 * folder @root: a file, a folder's index.html, or a listing of the folder.
 * Nothing outside @root is ever read: ".." and "." segments (also encoded
 * as %2e%2e), encoded slashes and NUL bytes are 404, and the file is opened
 * with openat2 (RESOLVE_BENEATH), so a symbolic link that leads out of
 * @root is refused too. Blocking: runs on a worker thread through the
 * async pair. */
FbFileAnswer *_fb_file_root_answer        (const char   *root,
                                           const char   *path);
void          _fb_file_root_answer_async  (const char   *root,
                                           const char   *path,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer      user_data);
FbFileAnswer *_fb_file_root_answer_finish (GAsyncResult *result,
                                           GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbFileAnswer, _fb_file_answer_free)

G_END_DECLS
