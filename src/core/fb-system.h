/* fb-system.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Raises the soft limit on open files to the hard limit: 1000 concurrent
 * jobs need about 1000 sockets (twice that with the demo server in the
 * same process), and desktop sessions often start at 1024. Returns the
 * soft limit now in force. */
guint64 fb_system_raise_fd_limit (void);

G_END_DECLS
