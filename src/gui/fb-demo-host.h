/* fb-demo-host.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "fb-demo-server.h"

G_BEGIN_DECLS

/* The demo server's knobs for `fetchboard --demo`: a first-time user sees
 * every state within seconds. */
#define FB_DEMO_DELAY_MIN  0.3
#define FB_DEMO_DELAY_MAX  2.0
#define FB_DEMO_ERROR_RATE 0.1

#define FB_TYPE_DEMO_HOST (fb_demo_host_get_type ())

G_DECLARE_FINAL_TYPE (FbDemoHost, fb_demo_host, FB, DEMO_HOST, GObject)

FbDemoHost   *fb_demo_host_new         (void);
/* Knobs for the built-in demo server; they apply when it starts. */
void          fb_demo_host_set_options (FbDemoHost  *self,
                                        double       delay_min,
                                        double       delay_max,
                                        double       error_rate,
                                        guint        port);
/* Starts the built-in demo server on first use, on a thread of its own with
 * its own main context (it stands for a remote host); NULL with @error when
 * it cannot listen (port taken). Only its address and counters may be read
 * from other threads. */
FbDemoServer *fb_demo_host_ensure      (FbDemoHost  *self,
                                        GError     **error);
/* The server, or NULL when it has not started. */
FbDemoServer *fb_demo_host_get_server  (FbDemoHost  *self);
/* Stops the server and its thread; ensure() may start it again. */
void          fb_demo_host_stop        (FbDemoHost  *self);

G_END_DECLS
