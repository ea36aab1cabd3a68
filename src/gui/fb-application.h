/* fb-application.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "fb-demo-host.h"
#include "fb-settings.h"

G_BEGIN_DECLS

#define FB_TYPE_APPLICATION (fb_application_get_type ())

G_DECLARE_FINAL_TYPE (FbApplication, fb_application, FB, APPLICATION, AdwApplication)

typedef struct _FbSession FbSession;

FbApplication *fb_application_new                (const char        *application_id,
                                                  GApplicationFlags  flags);
GSettings     *fb_application_get_settings       (FbApplication     *self);
/* The journal's owner; NULL before startup. */
FbSession     *fb_application_get_session        (FbApplication     *self);
/* Knobs for the built-in demo server; they apply when it starts. */
void           fb_application_set_demo_options   (FbApplication     *self,
                                                  double             delay_min,
                                                  double             delay_max,
                                                  double             error_rate,
                                                  guint              port);
/* The built-in demo server's keeper, handed to each window. */
FbDemoHost    *fb_application_get_demo_host      (FbApplication     *self);
/* The demo server, or NULL when no window has started it. */
FbDemoServer  *fb_application_get_demo_server    (FbApplication     *self);

G_END_DECLS
