/* fb-export.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-journal.h"

G_BEGIN_DECLS

typedef enum
{
  FB_EXPORT_JSON,
  FB_EXPORT_CSV,
  FB_EXPORT_SVG,
} FbExportFormat;

/* "json", "csv", "svg"; FALSE for anything else. */
gboolean  fb_export_format_from_string (const char          *text,
                                        FbExportFormat      *format);
/* The file-name extension, without the dot. */
const char *fb_export_format_extension (FbExportFormat       format);

/* One object: the run, then one object per job with every journal field. */
char     *fb_export_json               (const FbJournalRun  *run,
                                        GPtrArray           *jobs);
/* RFC 4180: a header line, then one line per job (CRLF). */
char     *fb_export_csv                (const FbJournalRun  *run,
                                        GPtrArray           *jobs);
/* The run's timeline: jobs active over time, the limit over time, and
 * when each job ended, by result; both axes labelled. */
char     *fb_export_svg                (const FbJournalRun  *run,
                                        GPtrArray           *jobs,
                                        GArray              *limits);
/* Reads run @run_id from @journal and writes it in @format. Blocks on the disk. */
char     *fb_export_run                (FbJournal           *journal,
                                        gint64               run_id,
                                        FbExportFormat       format,
                                        GError             **error);
/* "2026-12-03T05:16:44.123456Z"; NULL for 0. */
char     *fb_export_format_time        (gint64               wall_us);

G_END_DECLS
