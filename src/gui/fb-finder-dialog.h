/* fb-finder-dialog.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FB_TYPE_FINDER_DIALOG (fb_finder_dialog_get_type ())

G_DECLARE_FINAL_TYPE (FbFinderDialog, fb_finder_dialog, FB, FINDER_DIALOG, AdwWindow)

/* "Find Flags": a search over the flag catalog (codes, flags, country names
 * in every language iso-codes has), showing each country's flag and its
 * name in the user's language. Select any number, then Download emits
 * "download" with their codes (a NULL-terminated array, sorted) and closes. */
FbFinderDialog *fb_finder_dialog_new          (GtkWindow      *parent);
/* Runs the query as typing in the search entry does. */
void            fb_finder_dialog_set_query    (FbFinderDialog *self,
                                               const char     *query);
/* The codes listed now, in order ("CN"); for tests. */
GListModel     *fb_finder_dialog_get_results  (FbFinderDialog *self);
GtkSelectionModel *fb_finder_dialog_get_selection (FbFinderDialog *self);
/* Whether the catalog index is ready. */
gboolean        fb_finder_dialog_is_loaded    (FbFinderDialog *self);
/* Emits "download" with the selected codes, as the button does. */
void            fb_finder_dialog_download     (FbFinderDialog *self);

G_END_DECLS
