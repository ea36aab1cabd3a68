/* fb-system.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Raises the soft limit on open files to the hard limit: 1000 concurrent
 * jobs need about 1000 sockets (twice that with the demo server in the
 * same process), and desktop sessions often start at 1024. Returns the
 * soft limit now in force. */
guint64 fb_system_raise_fd_limit (void);

/* Grows this process's table of file descriptors to hold @n of them (at
 * most the soft limit) and returns that number, or 0 if it could not.
 * Linux grows the table when an fd number first passes its end, and while
 * other threads share it, it then waits for an RCU grace period: 10-30 ms
 * on the main thread, once for each doubling as 1,000 sockets open. Call
 * it first in main (), before there are threads, and no run pays that. */
guint   fb_system_reserve_fds    (guint n);
/* Background threads (GLib's worker pool: TLS handshakes, file saves; the
 * built-in demo server) give way to the thread that draws the window when
 * the cores are busy: nice FB_SYSTEM_BACKGROUND_NICE on Linux, where nice
 * is a thread's own and the threads it starts inherit it; elsewhere
 * nothing. Lowers the calling thread; failing leaves it as it was. */
#define FB_SYSTEM_BACKGROUND_NICE 10
void    fb_system_background_thread      (void);
/* GLib starts every thread of its shared worker pool from one spawner
 * thread, made with the first shared pool and inheriting that caller's
 * priority: called first in main (), this makes the spawner from a
 * background thread, and so every worker is one. */
void    fb_system_background_worker_pool (void);
/* What the programs reserve: 1,000 jobs at once (the most the settings
 * allow), each with a socket and a file being saved, and as many again
 * for the demo server's side in the window's process. */
#define FB_SYSTEM_RESERVED_FDS 4096

/* A TCP socket listening on 127.0.0.1:@port (0 = any free port) with an
 * accept queue of @backlog. SoupServer's own listener keeps GSocket's
 * default of 10, which drops bursts of connects: the client then waits
 * 1 s to retry, and in-flight counts and timings lie. */
GSocket *fb_system_listen_loopback (guint    port,
                                    int      backlog,
                                    GError **error);

/* The same on any local address ("127.0.0.1", "::1", "0.0.0.0"). */
GSocket *fb_system_listen_address  (const char *address,
                                    guint       port,
                                    int         backlog,
                                    GError    **error);

G_END_DECLS
