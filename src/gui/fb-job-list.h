/* fb-job-list.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "fb-job.h"
#include "fb-job-cell.h"

G_BEGIN_DECLS

#define FB_TYPE_JOB_LIST (fb_job_list_get_type ())

G_DECLARE_FINAL_TYPE (FbJobList, fb_job_list, FB, JOB_LIST, GtkWidget)

/* The run's jobs as a column view: its columns, sorters and filter, the
 * selection and the job menu. The job.* actions themselves belong to
 * whoever holds the list (the window); the list only pops the menu up. */
GtkWidget     *fb_job_list_new                (void);
/* @jobs: a GListModel of FbJob, or NULL. */
void           fb_job_list_set_jobs           (FbJobList  *self,
                                               GListModel *jobs);
GtkColumnView *fb_job_list_get_column_view    (FbJobList  *self);
/* "all", "active", "failed" or "done" */
const char    *fb_job_list_get_filter         (FbJobList  *self);
void           fb_job_list_set_filter         (FbJobList  *self,
                                               const char *filter);
/* How many jobs pass the filter. */
guint          fb_job_list_get_n_shown        (FbJobList  *self);
/* The selected jobs, in list order (a new array of new references). */
GPtrArray     *fb_job_list_dup_selected       (FbJobList  *self);
gboolean       fb_job_list_has_selection      (FbJobList  *self);
/* 0: every column; 1: without Kind, Size and Elapsed; 2: also without
 * Progress and Speed. At 0 the list shows 1 while every column would
 * leave too little room for the names and the messages. */
void           fb_job_list_set_compact        (FbJobList  *self,
                                               guint       level);
/* The level shown. */
guint          fb_job_list_get_compact        (FbJobList  *self);
/* The jobs as the list shows them: filtered and sorted (not revealed). */
GListModel    *fb_job_list_get_shown          (FbJobList  *self);
/* The title of the page shown instead of an empty filtered list ("No
 * Failed Jobs"), or NULL while the list shows. */
const char    *fb_job_list_get_empty_title    (FbJobList  *self);
/* Sorts by @column, as a click on its header does. */
gboolean       fb_job_list_sort_by            (FbJobList  *self,
                                               FbJobColumn column,
                                               gboolean    descending);
/* Non-zero while jobs that changed are still to be moved (a refresh is
 * due) or rows to be let into view; 0 once the list shows what it will. */
guint          fb_job_list_get_pending        (FbJobList  *self);
/* The jobs in the order they were added again, as before any sort. */
void           fb_job_list_sort_original      (FbJobList  *self);
gboolean       fb_job_list_is_sorted          (FbJobList  *self);
/* Jobs changed state: while the list is sorted or filtered, the jobs that
 * changed move to their places a few times a second, never per
 * notification. */
void           fb_job_list_schedule_refresh   (FbJobList  *self);
/* For the benchmarks: switches the filter and the sort every 0.7 s and
 * says on stderr how long each switch took. */
void           fb_job_list_bench_switches     (FbJobList  *self);
/* Called just before the list may grow by many rows at once. */
void           fb_job_list_reveal_gradually   (FbJobList  *self);

G_END_DECLS
