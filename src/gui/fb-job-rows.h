/* fb-job-rows.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-job.h"

G_BEGIN_DECLS

#define FB_TYPE_JOB_ROW (fb_job_row_get_type ())

G_DECLARE_FINAL_TYPE (FbJobRow, fb_job_row, FB, JOB_ROW, GObject)

/* One place in the job list, and the job it shows now ("job", notifies;
 * NULL for a blank row at the end, see fb_job_rows_trim ()). */
FbJob     *fb_job_row_get_job     (FbJobRow   *self);

#define FB_TYPE_JOB_ROWS (fb_job_rows_get_type ())

G_DECLARE_FINAL_TYPE (FbJobRows, fb_job_rows, FB, JOB_ROWS, GObject)

/* The places of a list of jobs (a GListModel of FbJobRow over one of
 * FbJob): when jobs move, the rows stay and the jobs they show change.
 *
 * GTK 4.8's list views keep a row widget for an item only while the item
 * stays in the model: a job that moved, or a new job at a row's place, got
 * a new row (its eight cells made and bound: 60-110 ms for the 200 rows
 * GTK keeps, when most of a sorted, filtered list changed). Here rows come
 * and go only at the end, when the list's length changes; a row's cells
 * follow its "job".
 *
 * Changes of @jobs are followed at the next fb_job_rows_sync (), or in an
 * idle before the next frame.
 *
 * When the list gets shorter, removing the rows GTK made widgets for cost
 * as much again (about 50 ms for 200 rows, all at once): the rows past the
 * jobs go blank instead, up to FB_JOB_ROWS_KEEP_BLANK of them (about the
 * rows GTK keeps), and fb_job_rows_trim () removes them a few at a time. */
#define FB_JOB_ROWS_KEEP_BLANK 200

FbJobRows *fb_job_rows_new        (GListModel *jobs);
void       fb_job_rows_sync       (FbJobRows  *self);
/* Blank rows at the end, still to be trimmed. */
guint      fb_job_rows_get_n_blank (FbJobRows *self);
/* Removes up to @max blank rows; returns how many are left. */
guint      fb_job_rows_trim       (FbJobRows  *self,
                                   guint       max);

G_END_DECLS
