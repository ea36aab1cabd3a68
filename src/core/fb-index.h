/* fb-index.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The book's mojifinder index: every word of every entry's name maps to the
 * sorted set of entries that have it; a query is the intersection of its
 * words' sets. Words are upper-cased and split at anything that is not a
 * letter, digit or mark (so hyphens split words, as in the book). Entries
 * are numbered in their natural order: code points for the Unicode corpus,
 * country codes for the catalog, so sorted ids are sorted results. */
typedef enum
{
  FB_INDEX_CORPUS_UNICODE,  /* character names, from UnicodeData.txt */
  FB_INDEX_CORPUS_CATALOG,  /* countries: code, flag, names in every iso-codes language */
} FbIndexCorpus;

typedef struct _FbIndex FbIndex;

#define FB_TYPE_INDEX (fb_index_get_type ())

GType        fb_index_get_type          (void) G_GNUC_CONST;

FbIndex     *fb_index_ref               (FbIndex        *self);
void         fb_index_unref             (FbIndex        *self);

/* Where the Unicode names are read: $FETCHBOARD_UNICODE_DATA, else the
 * first of DATADIR/unicode/UnicodeData.txt and
 * /usr/share/unicode/UnicodeData.txt that exists (the last one if none). */
char        *fb_index_dup_unicode_data_path (void);

/* Synchronous builders (for threads and tests). The Unicode one indexes the
 * named characters from @start to @stop - 1, as the book's InvertedIndex
 * (start 32, stop 0x110000); @path NULL = fb_index_dup_unicode_data_path (). */
FbIndex     *fb_index_new_unicode       (const char     *path,
                                         gunichar        start,
                                         gunichar        stop,
                                         GError        **error);
/* @locale_dir NULL = iso-codes' own (every iso_3166-1.mo under it is read). */
FbIndex     *fb_index_new_catalog       (const char     *locale_dir,
                                         GError        **error);

/* Builds the whole corpus on a worker thread, once per process: later
 * calls get the same index. */
void         fb_index_load_async        (FbIndexCorpus   corpus,
                                         GCancellable   *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer        user_data);
FbIndex     *fb_index_load_finish       (GAsyncResult   *result,
                                         GError        **error);

FbIndexCorpus fb_index_get_corpus       (FbIndex        *self);
guint        fb_index_get_n_entries     (FbIndex        *self);
guint        fb_index_get_n_words       (FbIndex        *self);

/* The ids matching every word of @query, ascending; NULL with *@n_results
 * 0 when none match or @query has no word. Any bytes are accepted. */
guint       *fb_index_search            (FbIndex        *self,
                                         const char     *query,
                                         guint          *n_results);

/* The entry as text: the character, or the flag emoji ("🇨🇳"). */
const char  *fb_index_get_text          (FbIndex        *self,
                                         guint           id);
/* The Unicode name, or the English country name. */
const char  *fb_index_get_name          (FbIndex        *self,
                                         guint           id);
/* The code point (Unicode corpus), 0 for the catalog. */
gunichar     fb_index_get_code_point    (FbIndex        *self,
                                         guint           id);
/* "CN" (catalog), NULL for the Unicode corpus. */
const char  *fb_index_get_code          (FbIndex        *self,
                                         guint           id);

/* Appends the book's result line, without a line end:
 * "U+1F638<TAB>😸<TAB>GRINNING CAT FACE WITH SMILING EYES", or for the
 * catalog "CN<TAB>🇨🇳<TAB>China", with the name in the reader's language
 * when @localized. */
void         fb_index_append_line       (FbIndex        *self,
                                         guint           id,
                                         gboolean        localized,
                                         GString        *out);
/* Appends the book's status line, without a line end: 66 "─", " 3 found". */
void         fb_index_append_status     (guint           n_found,
                                         GString        *out);

/* The words of @text as the index sees them, upper-cased; for tests. */
GStrv        fb_index_tokenize          (const char     *text);

/* The regional-indicator pair for an upper-case code: "CN" → "🇨🇳". */
char        *fb_index_flag_for_code     (const char     *code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbIndex, fb_index_unref)

G_END_DECLS
