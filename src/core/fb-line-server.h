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
 * session. Every client is served at once from one main-loop source that
 * does a bounded amount of work per turn; none blocks another: long
 * answers go out in slices, writes never wait, and a line longer than
 * 4 KiB closes that client. Like slow_server.py, each answer can wait a
 * random delay (the loop goes on meanwhile) and fail at a given rate: the
 * client then gets FB_LINE_SERVER_ERROR_LINE and the prompt, and its
 * session goes on. Signals, for -v: "query" (peer, text), "answered"
 * (peer, n) and "failed" (peer), peer as the book prints it:
 * ('127.0.0.1', 57166). Stop the server from the main loop, not from its
 * own signal handlers. */
FbLineServer *fb_line_server_new          (FbIndex       *index);
/* Each answer waits a random MIN..MAX seconds. */
void          fb_line_server_set_delay    (FbLineServer  *self,
                                           double         min_seconds,
                                           double         max_seconds);
/* The share of answers, 0..1, that are the error line instead. */
void          fb_line_server_set_error_rate (FbLineServer *self,
                                           double         rate);
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
/* In place of the status line, then the prompt. */
#define FB_LINE_SERVER_ERROR_LINE \
  "──────────────────────────────────────────────────────────────────" \
  " error 418: I'm a Teapot (ask again)"

G_END_DECLS
