/* fb-session.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "fb-demo-host.h"
#include "fb-journal.h"

G_BEGIN_DECLS

#define FB_TYPE_SESSION (fb_session_get_type ())

G_DECLARE_FINAL_TYPE (FbSession, fb_session, FB, SESSION, GObject)

/* The application's one journal: opened (off the main thread) at startup,
 * it records every run the windows make (their "run-added" signal), brings the newest unfinished run
 * back into the first window, and serves the History window and Export.
 * Adds app.history and app.export to @app. */
FbSession  *fb_session_new           (GtkApplication *app,
                                      FbDemoHost     *demo_host);
/* NULL while it opens, or when it could not be used (see get_notice). */
FbJournal  *fb_session_get_journal   (FbSession     *self);
const char *fb_session_get_notice    (FbSession     *self);
/* Records a new run (once the journal is open, if it is not yet). */
void        fb_session_track_run     (FbSession     *self,
                                      FbRun         *run);
/* The run is going away without ending (the window closes): it stays
 * unfinished in the journal, to come back next time. */
void        fb_session_release_run   (FbSession     *self,
                                      FbRun         *run);
/* Whether the journal records @run: a quit then stops it with
 * fb_run_suspend, keeping its partial downloads for the next start. */
gboolean    fb_session_records_run   (FbSession     *self,
                                      FbRun         *run);
/* Asks where, then writes run @run_id as JSON, CSV or SVG. */
void        fb_session_export        (FbSession     *self,
                                      GtkWindow     *parent,
                                      gint64         run_id);
/* Brings run @run_id back into the application's window, paused. */
void        fb_session_reopen        (FbSession     *self,
                                      gint64         run_id);
/* Writes what is queued and stops the writer (at shutdown). */
void        fb_session_close         (FbSession     *self);

G_END_DECLS
