/* fb-preview-dialog.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "fb-input.h"

G_BEGIN_DECLS

#define FB_TYPE_PREVIEW_DIALOG (fb_preview_dialog_get_type ())

G_DECLARE_FINAL_TYPE (FbPreviewDialog, fb_preview_dialog, FB, PREVIEW_DIALOG, AdwWindow)

/* Shows what a drop brought in before anything runs, and emits "response"
 * once, then closes: "cancel" (also Escape or closing), "add" (queue it, or
 * append it to the run going on) or "start" (offered while no run goes on).
 * @replaces_run: a finished run is on screen, and these jobs make a new one. */
FbPreviewDialog *fb_preview_dialog_new            (GtkWindow       *parent,
                                                   FbInput         *input,
                                                   const char      *destination,
                                                   const char      *catalog_source,
                                                   gboolean         run_active,
                                                   gboolean         replaces_run);
FbInput         *fb_preview_dialog_get_input      (FbPreviewDialog *self);
/* Answers as the buttons do. */
void             fb_preview_dialog_respond        (FbPreviewDialog *self,
                                                   const char      *response);
/* The summary shown for @kind ("3 country codes for the flag catalog"), or NULL if none. */
const char      *fb_preview_dialog_get_kind_title (FbPreviewDialog *self,
                                                   FbEntryKind      kind);
/* The rejected row's title ("3 lines rejected"), or NULL when hidden, the
 * problems' description and the rejected row's subtitle. */
const char      *fb_preview_dialog_get_problems   (FbPreviewDialog *self,
                                                   const char     **description,
                                                   const char     **subtitle);
/* The headline: "Add 7 Jobs?" */
const char      *fb_preview_dialog_get_heading    (FbPreviewDialog *self);

G_END_DECLS
