/* fb-format.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <pango/pango.h>

#include "fb-job.h"
#include "fb-run.h"

G_BEGIN_DECLS

/* How the window presents jobs and runs; every string is translated. */
char       *fb_format_duration     (gint64      usec);
/* To the microsecond for short ones: "412 µs", "12.3 ms", "1.204 s". */
char       *fb_format_duration_exact (gint64    usec);
char       *fb_format_speed        (double      bytes_per_second);
/* "12.3 kB", "12.3 kB of 40.0 kB"; "" before the first byte. */
char       *fb_format_size         (guint64     received,
                                    gint64      expected);
const char *fb_format_kind         (FbJobKind   kind);
/* "Waiting", "Downloading", "Found", "Not found", "Error", … */
const char *fb_format_job_state    (FbJob      *job);
const char *fb_format_job_icon     (FbJob      *job);
/* A style class for the state: "success", "warning", "error", "dim-label" or NULL. */
const char *fb_format_job_style    (FbJob      *job);
/* What the message column shows: reason, addresses and lookup time, country. */
char       *fb_format_job_message  (FbJob      *job);
/* Why a job that has not started waits: "12th in line", "Waiting for
 * example.com:443: 2 of 2 at once", "example.com:443 asked to wait until
 * 09:12:30 (Retry-After, 12 s)", "retry 2 of 3 in 4 s: HTTP 503"; NULL
 * when it does not wait. Changes with time (@now, monotonic µs). */
char       *fb_format_job_wait     (FbJob      *job,
                                    gint64      now);
/* "1st in line", "12th in line" */
char       *fb_format_queue_place  (guint       place);
/* What the Name column shows: the entry; for a catalog job, the country's
 * name in the user's language too ("BR · Brasil"). */
char       *fb_format_job_name     (FbJob      *job);
/* "Waiting for a slot", "Looking up the host", … */
const char *fb_format_phase        (FbJobPhase  phase);
/* Bytes over the job's whole time with a slot (Elapsed), as a rate; ""
 * while it waits or when it moved no bytes. */
char       *fb_format_job_speed    (FbJob      *job);
/* Bytes per second over the job's whole time with a slot; 0 without. */
double      fb_format_job_rate     (FbJob      *job);
/* The state and the full reason, each said once. */
char       *fb_format_job_reason   (FbJob      *job);
/* The row's tooltip: state, full message and where the entry came from. */
char       *fb_format_job_tooltip  (FbJob      *job);
/* "18 OK, 2 not found, 1 error, 0 cancelled" */
char       *fb_format_run_counts   (FbRun      *run);
/* "10,000": grouped as the locale groups digits. */
char       *fb_format_count        (guint       n);
/* "~/Downloads/Fetchboard" */
char       *fb_format_path         (const char *path);

/* @url as it fits @width pixels in @layout's font: whole, or with the
 * middle of its path left out ("https://example.com/a/…/file.gif"), so
 * the host and the file name stay; the layout's width and ellipsizing
 * are reset. A new string. */
char       *fb_format_url_to_fit   (PangoLayout *layout,
                                    const char  *url,
                                    int          width);

G_END_DECLS
