/* fb-destination.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Below this much free space, failed writes are reported as a full disk. */
#define FB_DESTINATION_FULL_BYTES (1024 * 1024)

/* Makes @path (and its parents) if needed and checks that files can be
 * written there, off the main thread. */
void     fb_destination_check_async      (const char           *path,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean fb_destination_check_finish     (GAsyncResult         *result,
                                          GError              **error);
/* The folder the check was about. */
const char *fb_destination_check_get_path (GAsyncResult        *result);

/* How many bytes are free on the disk that holds @path. */
void     fb_destination_query_free_async (const char           *path,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean fb_destination_query_free_finish (GAsyncResult        *result,
                                           guint64             *free_bytes,
                                           GError             **error);

G_END_DECLS
