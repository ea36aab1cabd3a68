/* fb-list-parser.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-types.h"

G_BEGIN_DECLS

#define FB_LIST_MAX_LINE 4096 /* bytes; longer lines are rejected as too long */

typedef struct
{
  FbEntryKind  kind;
  char        *text;  /* URL as given; domain in ASCII (punycode); code upper-case */
  guint        line;  /* 1-based */
} FbListEntry;

typedef struct
{
  guint  line;        /* 1-based */
  char  *text;        /* the line (valid UTF-8, shortened for display) */
  char  *reason;      /* translated, e.g. "unsupported scheme “ftp”" */
} FbListProblem;

typedef struct
{
  char      *source;     /* file name or "pasted text", for messages */
  GPtrArray *entries;    /* FbListEntry*, in input order, duplicates removed */
  GPtrArray *rejected;   /* FbListProblem* */
  GPtrArray *duplicates; /* FbListProblem*: reason names the first line */
  guint      n_lines;
} FbListResult;

FbListResult *fb_list_parse              (const char    *source,
                                          const char    *data,
                                          gssize         length);
void          fb_list_result_free        (FbListResult  *result);
/* Detects one already-trimmed entry; returns FALSE with a reason when rejected. */
gboolean      fb_list_classify           (const char    *text,
                                          FbEntryKind   *kind,
                                          char         **normalized,
                                          char         **reason);
/* "source:line: reason" */
char         *fb_list_problem_format     (const FbListResult  *result,
                                          const FbListProblem *problem);
/* Reads and parses a file on a worker thread. */
void          fb_list_parse_file_async   (GFile               *file,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
FbListResult *fb_list_parse_file_finish  (GFile               *file,
                                          GAsyncResult        *result,
                                          GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbListResult, fb_list_result_free)

G_END_DECLS
