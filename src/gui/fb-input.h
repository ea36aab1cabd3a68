/* fb-input.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "fb-job.h"
#include "fb-list-parser.h"
#include "fb-run.h"

G_BEGIN_DECLS

/* What one drop, paste or open brought in: the parsed lists of one or more
 * sources, with entries repeated across sources counted as duplicates. */
typedef struct _FbInput FbInput;

FbInput    *fb_input_new               (void);
void        fb_input_free              (FbInput      *self);
/* Takes @result. */
void        fb_input_add_result        (FbInput      *self,
                                        FbListResult *result);
/* A source that could not be read at all ("notes.pdf: not a text file"). */
void        fb_input_add_failure       (FbInput      *self,
                                        const char   *source,
                                        const char   *reason);
guint       fb_input_get_n_sources     (FbInput      *self);
guint       fb_input_get_n_entries     (FbInput      *self);
guint       fb_input_count_kind        (FbInput      *self,
                                        FbEntryKind   kind);
guint       fb_input_get_n_duplicates  (FbInput      *self);
guint       fb_input_get_n_rejected    (FbInput      *self);
/* Of those, files that could not be read at all (missing, not text). */
guint       fb_input_get_n_unreadable  (FbInput      *self);
/* "source:line: reason" lines, at most @max (0 = all). */
GPtrArray  *fb_input_list_rejected     (FbInput      *self,
                                        guint         max);
GPtrArray  *fb_input_list_duplicates   (FbInput      *self,
                                        guint         max);
/* "list.txt", "list.txt and pasted text", "a.txt, b.txt and 3 more" */
char       *fb_input_describe_sources  (FbInput      *self);
/* Counts entries that are already jobs of @jobs as duplicates. */
void        fb_input_skip_known        (FbInput      *self,
                                        GListModel   *jobs);
/* Appends one job per kept entry, each knowing its source and line, a
 * slice at a time: a window adding 100,000 jobs in one go would not draw
 * for a tenth of a second. The feed keeps what it needs of @input, which
 * may be freed at once. */
typedef struct _FbInputFeed FbInputFeed;

FbInputFeed *fb_input_feed_new         (FbInput      *input);
/* Appends up to @max_jobs more jobs to @run; TRUE once all are in. */
gboolean     fb_input_feed_next        (FbInputFeed  *self,
                                        FbRun        *run,
                                        guint         max_jobs);
void         fb_input_feed_free        (FbInputFeed  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbInput, fb_input_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbInputFeed, fb_input_feed_free)

G_END_DECLS
