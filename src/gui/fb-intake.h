/* fb-intake.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "fb-input.h"
#include "fb-preview-dialog.h"
#include "fb-run.h"

G_BEGIN_DECLS

#define FB_TYPE_INTAKE (fb_intake_get_type ())

G_DECLARE_FINAL_TYPE (FbIntake, fb_intake, FB, INTAKE, GObject)

/* Where lists come in: files, pasted or dropped text, read and parsed off
 * the main thread, then shown in a preview over @parent (or applied at
 * once, by preference), one list at a time and in the order they came.
 * What to do with a list is the holder's: the ::apply signal
 * (FbInput *input, gboolean start) returns TRUE when the jobs went in;
 * ::toast (const char *message) has a note for the person. */
FbIntake        *fb_intake_new         (GtkWindow    *parent,
                                        GSettings    *settings);
/* The holder can take a list now (it has drawn, and no list is still
 * going in); lists that waited are shown from an idle. */
void             fb_intake_set_ready   (FbIntake     *self,
                                        gboolean      ready);
/* The run lists would go to: new jobs that it already has are dropped
 * while it is running or not yet @started; a finished run is replaced. */
void             fb_intake_set_run     (FbIntake     *self,
                                        FbRun        *run,
                                        gboolean      started);
/* Lists still waiting are dropped, and later ones too (the window goes). */
void             fb_intake_close       (FbIntake     *self);
gboolean         fb_intake_drop_value  (FbIntake     *self,
                                        const GValue *value);
void             fb_intake_open_files  (FbIntake     *self,
                                        GFile       **files,
                                        guint         n_files);
void             fb_intake_add_text    (FbIntake     *self,
                                        const char   *text,
                                        const char   *source);
/* The preview waiting for an answer, or NULL. */
FbPreviewDialog *fb_intake_get_preview (FbIntake     *self);

G_END_DECLS
