/* fb-fixed-label.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FB_TYPE_FIXED_LABEL (fb_fixed_label_get_type ())

G_DECLARE_FINAL_TYPE (FbFixedLabel, fb_fixed_label, FB, FIXED_LABEL, GtkWidget)

/* One line of text whose size does not follow the text: it asks for the
 * width of the widest of its samples (the texts it may show), so a new
 * text is a redraw, never a new layout of the window. Digits are tabular
 * (all as wide as 0), so a sample's digits need not be the ones shown. A
 * text wider than all samples still shows whole: the label then grows to
 * it, once, and keeps that width until its samples change. */
GtkWidget  *fb_fixed_label_new         (void);
const char *fb_fixed_label_get_text    (FbFixedLabel       *self);
void        fb_fixed_label_set_text    (FbFixedLabel       *self,
                                        const char         *text);
/* A NULL-terminated array; a set equal to the one held changes nothing. */
void        fb_fixed_label_set_samples (FbFixedLabel       *self,
                                        const char * const *samples);
float       fb_fixed_label_get_xalign  (FbFixedLabel       *self);
void        fb_fixed_label_set_xalign  (FbFixedLabel       *self,
                                        float               xalign);

G_END_DECLS
