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
/* Bigger files are refused by fb_list_parse_file_async() before they are read. */
#define FB_LIST_MAX_FILE_SIZE (256 * 1024 * 1024)

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

  /* private: what the entries and problems live in (fb_list_result_free) */
  GPtrArray    *arena;
  gsize         arena_used;
  GStringChunk *strings;
} FbListResult;

/* One entry per line (LF, CRLF or CR). Blank lines, lines whose first
 * non-blank character is '#' (whatever their length or encoding) and the
 * rest of a line from a '#' after white space are comments. A UTF-8 BOM at
 * the start of @data and white space around an entry are ignored. Kinds:
 * http/https URL (kept as written), host name or IP address (IDN to
 * punycode, lower case, trailing dot dropped), two letters (a country code,
 * upper case). Later repeats of an entry (URLs compared with scheme, host
 * and default port normalized, fragment ignored) go to duplicates.
 * @length -1 means NUL-terminated; @source NULL means "pasted text". */
FbListResult *fb_list_parse              (const char    *source,
                                          const char    *data,
                                          gssize         length);
/* With @first_column_only, each line is cut at its first ',', ';' or tab (a
 * field in double quotes may contain them, "" is a quote) before it is
 * classified, and a first row that is a column title ("url", "domain",
 * "host", "code", "country", …) is skipped: the first column of a CSV file. */
FbListResult *fb_list_parse_full         (const char    *source,
                                          const char    *data,
                                          gssize         length,
                                          gboolean       first_column_only);
void          fb_list_result_free        (FbListResult  *result);
/* Detects one already-trimmed entry; returns FALSE with a reason when rejected. */
gboolean      fb_list_classify           (const char    *text,
                                          FbEntryKind   *kind,
                                          char         **normalized,
                                          char         **reason);
/* A list's bytes as read from a file or a pipe. A NUL byte anywhere
 * refuses them as a whole (G_IO_ERROR_INVALID_DATA, naming the line; the
 * caller names the file), where fb_list_parse() would report its lines;
 * UTF-16 with a byte-order mark (older Notepad's "Unicode") is converted
 * and parsed, a unit that is not UTF-16 rejecting its line only, as
 * invalid UTF-8 does. fb_list_parse_file_async() reads files this way. */
FbListResult *fb_list_parse_data         (const char    *source,
                                          const char    *data,
                                          gsize          length,
                                          gboolean       first_column_only,
                                          GError       **error);
/* "source:line: reason" */
char         *fb_list_problem_format     (const FbListResult  *result,
                                          const FbListProblem *problem);
/* Reads and parses a file on a worker thread; the source is the file's
 * basename, and a name ending in ".csv" or ".tsv" selects first_column_only. */
void          fb_list_parse_file_async   (GFile               *file,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
FbListResult *fb_list_parse_file_finish  (GFile               *file,
                                          GAsyncResult        *result,
                                          GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbListResult, fb_list_result_free)

G_END_DECLS
