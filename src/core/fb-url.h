/* fb-url.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @text with the password of every URL in it shown as "***"
 * ("http://user:***@host/"), for output, messages and the window; jobs keep
 * the real URL for their requests. Text without one comes back as a copy;
 * NULL as NULL. */
char     *fb_url_for_display         (const char  *text);
/* Whether fb_url_for_display () would change @text. */
gboolean  fb_url_has_password        (const char  *text);

G_END_DECLS
