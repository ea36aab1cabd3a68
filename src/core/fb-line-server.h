/* fb-line-server.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-index.h"

G_BEGIN_DECLS

#define FB_TYPE_LINE_SERVER (fb_line_server_get_type ())

G_DECLARE_FINAL_TYPE (FbLineServer, fb_line_server, FB, LINE_SERVER, GObject)

/* The book's tcp_mojifinder on the main loop (GSocketService): each client
 * gets the prompt "?> ", and each line it sends is a query answered with
 * the book's lines (CRLF), then 66 "─" and " N found", then the prompt
 * again. An empty line asks again; a line starting with a control
 * character, a line that is not UTF-8, or the end of input closes the
 * session. Every client is served at once, none blocks another: long
 * answers go out in slices, and a line longer than 4 KiB closes that
 * client. Signals, for -v: "query" (peer, text) and "answered" (peer, n),
 * peer as the book prints it: ('127.0.0.1', 57166). */
FbLineServer *fb_line_server_new          (FbIndex       *index);
gboolean      fb_line_server_listen       (FbLineServer  *self,
                                           const char    *address,
                                           guint          port,
                                           int            backlog,
                                           GError       **error);
/* Closes the listener and every session. */
void          fb_line_server_stop         (FbLineServer  *self);
guint         fb_line_server_get_port     (FbLineServer  *self);
guint         fb_line_server_get_n_clients (FbLineServer *self);

#define FB_LINE_SERVER_MAX_LINE 4096

G_END_DECLS
