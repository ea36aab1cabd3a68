/* fb-history-page.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "fb-journal.h"

G_BEGIN_DECLS

#define FB_TYPE_HISTORY_PAGE (fb_history_page_get_type ())

G_DECLARE_FINAL_TYPE (FbHistoryPage, fb_history_page, FB, HISTORY_PAGE, GtkBox)

/* Every run of @journal (none when NULL), newest first: its date and
 * summary, with Reopen and Export… (signals "reopen" and "export", with the
 * run's journal id), Delete (files are kept) and Clear History. */
FbHistoryPage *fb_history_page_new        (FbJournal     *journal);
/* Reads the journal again (off the main thread). */
void           fb_history_page_refresh    (FbHistoryPage *self);
/* Rows shown, for tests. */
guint          fb_history_page_get_n_runs (FbHistoryPage *self);

G_END_DECLS
