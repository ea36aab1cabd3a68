/* fb-job-cell.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "fb-job.h"

G_BEGIN_DECLS

typedef enum
{
  FB_JOB_COLUMN_NAME,
  FB_JOB_COLUMN_KIND,
  FB_JOB_COLUMN_STATE,
  FB_JOB_COLUMN_PROGRESS,
  FB_JOB_COLUMN_SIZE,
  FB_JOB_COLUMN_SPEED,
  FB_JOB_COLUMN_ELAPSED,
  FB_JOB_COLUMN_MESSAGE,
} FbJobColumn;

#define FB_TYPE_JOB_COLUMN (fb_job_column_get_type ())
GType fb_job_column_get_type (void);

#define FB_TYPE_JOB_CELL (fb_job_cell_get_type ())

G_DECLARE_FINAL_TYPE (FbJobCell, fb_job_cell, FB, JOB_CELL, GtkWidget)

/* One cell of the jobs view. It exists only for visible rows and is reused
 * for other jobs as the view scrolls; the job's notifications only mark it
 * dirty, and it redraws at most once a frame (time-dependent columns of
 * running jobs also refresh a few times a second). */
GtkWidget   *fb_job_cell_new           (FbJobColumn  column);
FbJob       *fb_job_cell_get_job       (FbJobCell   *self);
void         fb_job_cell_set_job       (FbJobCell   *self,
                                        FbJob       *job);
FbJobColumn  fb_job_cell_get_column    (FbJobCell   *self);
guint        fb_job_cell_get_position  (FbJobCell   *self);
void         fb_job_cell_set_position  (FbJobCell   *self,
                                        guint        position);
/* The text shown (name, state, size, …); NULL for the progress column. */
const char  *fb_job_cell_get_text      (FbJobCell   *self);
/* The text as last drawn: a long URL with the middle of its path left out. */
const char  *fb_job_cell_get_shown_text (FbJobCell  *self);
/* The fraction the progress column's bar shows; -1 while it pulses, and for
 * the other columns. */
double       fb_job_cell_get_fraction  (FbJobCell   *self);

G_END_DECLS
