/* fb-job-details.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "fb-job.h"

G_BEGIN_DECLS

#define FB_TYPE_JOB_DETAILS (fb_job_details_get_type ())

G_DECLARE_FINAL_TYPE (FbJobDetails, fb_job_details, FB, JOB_DETAILS, GtkWidget)

/* One job in full: its state and whole reason, addresses, file, where the
 * entry came from, and when it entered each phase. Follows the job live. */
GtkWidget  *fb_job_details_new      (void);
FbJob      *fb_job_details_get_job  (FbJobDetails *self);
void        fb_job_details_set_job  (FbJobDetails *self,
                                     FbJob        *job);
/* The value shown for @field ("state", "reason", "url", "saved", "source",
 * "size", "phases"), or NULL when that row is hidden. */
const char *fb_job_details_get_text (FbJobDetails *self,
                                     const char   *field);

G_END_DECLS
