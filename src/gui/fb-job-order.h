/* fb-job-order.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-job.h"
#include "fb-job-cell.h"

G_BEGIN_DECLS

typedef enum
{
  FB_JOB_FILTER_ALL,
  FB_JOB_FILTER_ACTIVE,     /* resolving, connecting, … saving: under way */
  FB_JOB_FILTER_FAILED,     /* error or not found */
  FB_JOB_FILTER_DONE,       /* any final state */
} FbJobFilter;

/* The sort "column" of the order the jobs were added in. */
#define FB_JOB_ORDER_ORIGINAL (-1)

#define FB_TYPE_JOB_ORDER (fb_job_order_get_type ())

G_DECLARE_FINAL_TYPE (FbJobOrder, fb_job_order, FB, JOB_ORDER, GObject)

/* The jobs a list shows (a GListModel of FbJob): those of @jobs that pass
 * the filter, sorted by one column's key, ties in the order of @jobs.
 *
 * Each job's key is kept from when it was last looked at, so the order
 * is always a sort of those keys. fb_job_order_update () looks again at
 * the jobs that changed (and, for the progress, size, speed and elapsed
 * keys, which move while a job runs, at every job under way) and moves
 * only those whose key or filter changed: "items-changed" (p, 1, 0) where
 * one left, (q, 0, 1) where it landed; when many move at once, one signal
 * over the span that changed. Setting the sort or the filter sorts once and
 * emits one signal over the whole list. */
FbJobOrder  *fb_job_order_new            (void);
/* @jobs: a GListModel of FbJob, or NULL. Appends are merged in; any other
 * change to @jobs orders the whole list again. */
void         fb_job_order_set_jobs       (FbJobOrder  *self,
                                          GListModel  *jobs);
/* @column: an FbJobColumn, or FB_JOB_ORDER_ORIGINAL. */
void         fb_job_order_set_sort       (FbJobOrder  *self,
                                          int          column,
                                          gboolean     descending);
int          fb_job_order_get_sort_column (FbJobOrder *self);
gboolean     fb_job_order_get_descending (FbJobOrder  *self);
void         fb_job_order_set_filter     (FbJobOrder  *self,
                                          FbJobFilter  filter);
FbJobFilter  fb_job_order_get_filter     (FbJobOrder  *self);
/* Whether a change of a job's phase or state may move or hide it (sorted,
 * or filtered): without, fb_job_order_update () has nothing to do. */
gboolean     fb_job_order_follows_jobs   (FbJobOrder  *self);
/* Looks again at @changed (FbJob*; jobs not in the list are skipped) and,
 * when the key moves with time, at the jobs under way. Returns how many
 * jobs moved, came or went. */
guint        fb_job_order_update         (FbJobOrder  *self,
                                          GPtrArray   *changed);
/* Where @job is shown (O(log n)), or G_MAXUINT when it is not. */
guint        fb_job_order_find           (FbJobOrder  *self,
                                          FbJob       *job);
/* More jobs than this moving in one update go as one signal over the span
 * they changed (default: see fb-job-order.c); for the benchmarks. */
void         fb_job_order_set_batch_from (FbJobOrder  *self,
                                          guint        n_moves);
/* Compares two jobs by @column's key now, as a sorter would (ties: 0). */
int          fb_job_order_compare_jobs   (int          column,
                                          FbJob       *a,
                                          FbJob       *b);
gboolean     fb_job_filter_accepts       (FbJobFilter  filter,
                                          FbJob       *job);

G_END_DECLS
