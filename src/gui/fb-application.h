/* fb-application.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "fb-demo-server.h"
#include "fb-run.h"

G_BEGIN_DECLS

#define FB_SETTINGS_SCHEMA "io.github.fetchboard.Fetchboard"

/* The demo server's knobs for `fetchboard --demo`: a first-time user sees
 * every state within seconds. */
#define FB_DEMO_DELAY_MIN  0.3
#define FB_DEMO_DELAY_MAX  2.0
#define FB_DEMO_ERROR_RATE 0.1

#define FB_TYPE_APPLICATION (fb_application_get_type ())

G_DECLARE_FINAL_TYPE (FbApplication, fb_application, FB, APPLICATION, AdwApplication)

typedef struct _FbSession FbSession;

FbApplication *fb_application_new                (const char        *application_id,
                                                  GApplicationFlags  flags);
GSettings     *fb_application_get_settings       (FbApplication     *self);
/* The journal's owner; NULL before startup. */
FbSession     *fb_application_get_session        (FbApplication     *self);
/* The destination setting, or ~/Downloads/Fetchboard when it is empty. */
char          *fb_application_dup_destination    (FbApplication     *self);
char          *fb_settings_dup_destination       (GSettings         *settings);
/* The connect and total timeouts, the speed limit, retries and the
 * per-host limit follow @settings on @run for as long as it lives. */
void           fb_settings_bind_network          (GSettings         *settings,
                                                  FbRun             *run);
/* Knobs for the built-in demo server; they apply when it starts. */
void           fb_application_set_demo_options   (FbApplication     *self,
                                                  double             delay_min,
                                                  double             delay_max,
                                                  double             error_rate,
                                                  guint              port);
/* Starts the built-in demo server on first use, on a thread of its own with
 * its own main context (it stands for a remote host); NULL with @error when
 * it cannot listen (port taken). Only its address and counters may be read
 * from other threads. */
FbDemoServer  *fb_application_ensure_demo_server (FbApplication     *self,
                                                  GError           **error);
FbDemoServer  *fb_application_get_demo_server    (FbApplication     *self);
/* With FETCHBOARD_STALL_LOG=1: measure the longest main-loop stall from
 * now until fb_application_stall_end(), which prints it. */
void           fb_application_stall_begin        (FbApplication     *self);
/* Returns the worst stall in µs, or -1 when nothing was measured. */
gint64         fb_application_stall_end          (FbApplication     *self,
                                                  const char        *when);

G_END_DECLS
