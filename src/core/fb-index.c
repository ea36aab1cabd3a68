/* fb-index.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-index"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "fb-countries.h"
#include "fb-index.h"

#define DEFAULT_UNICODE_DATA "/usr/share/unicode/UnicodeData.txt"
#define ISO_3166_MO          "iso_3166-1.mo"
#define MAX_WORD_BYTES       256   /* longer words are cut, in names and queries alike */
#define MAX_MO_SIZE          (16 * 1024 * 1024)

typedef struct
{
  guint32 code_point;
  guint32 name;        /* offset in names */
  char    text[9];     /* one character, or a flag (two regional indicators) */
  char    code[3];
} Entry;

struct _FbIndex
{
  gatomicrefcount  ref_count;
  FbIndexCorpus    corpus;
  GArray          *entries;     /* Entry, ascending */
  GString         *names;       /* NUL-separated */
  GStringChunk    *word_chunk;
  GHashTable      *words;       /* word → word number + 1 */
  guint32         *offsets;     /* n_words + 1: word w owns postings[offsets[w]..offsets[w+1]] */
  guint32         *postings;
  guint            n_words;
};

G_DEFINE_BOXED_TYPE (FbIndex, fb_index, fb_index_ref, fb_index_unref)

typedef struct
{
  guint32 word;
  guint32 id;
} Pair;

typedef struct
{
  FbIndex *index;
  GArray  *pairs;      /* Pair */
  GArray  *last_id;    /* guint32 per word: the last entry that got it */
  GString *scratch;
  guint32  max_id;
  gboolean monotonic;  /* ids were added in ascending order */
} Builder;

static FbIndex *
index_new (FbIndexCorpus corpus)
{
  FbIndex *self = g_new0 (FbIndex, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->corpus = corpus;
  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  self->names = g_string_sized_new (4096);
  self->word_chunk = g_string_chunk_new (64 * 1024);
  self->words = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

FbIndex *
fb_index_ref (FbIndex *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
fb_index_unref (FbIndex *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->entries);
  g_string_free (self->names, TRUE);
  g_hash_table_unref (self->words);
  g_string_chunk_free (self->word_chunk);
  g_free (self->offsets);
  g_free (self->postings);
  g_free (self);
}

/* ---- words ---- */

static inline gboolean
is_word_char (gunichar c)
{
  if (c < 0x80)
    return g_ascii_isalnum ((char) c);
  /* Regional indicators make a flag one word: "🇨🇳" finds CN. */
  if (c >= 0x1F1E6 && c <= 0x1F1FF)
    return TRUE;
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

/* Calls @func for each upper-cased word of @text (valid UTF-8). */
static void
foreach_word (const char *text,
              GString    *scratch,
              void      (*func) (const char *word, gpointer data),
              gpointer    data)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *start;
      gboolean ascii = TRUE;

      while (*p != '\0')
        {
          gunichar c = (guchar) *p < 0x80 ? (guchar) *p : g_utf8_get_char (p);

          if (is_word_char (c))
            break;
          p = g_utf8_next_char (p);
        }
      if (*p == '\0')
        break;

      start = p;
      while (*p != '\0')
        {
          gunichar c = (guchar) *p < 0x80 ? (guchar) *p : g_utf8_get_char (p);

          if (!is_word_char (c))
            break;
          ascii = ascii && c < 0x80;
          p = g_utf8_next_char (p);
        }

      g_string_truncate (scratch, 0);
      if (ascii)
        {
          gsize length = MIN ((gsize) (p - start), (gsize) MAX_WORD_BYTES);

          g_string_append_len (scratch, start, (gssize) length);
          for (gsize i = 0; i < length; i++)
            scratch->str[i] = g_ascii_toupper (scratch->str[i]);
        }
      else
        {
          g_autofree char *upper = g_utf8_strup (start, p - start);
          gsize length = strlen (upper);

          if (length > MAX_WORD_BYTES)
            {
              /* Cut at a character boundary. */
              const char *end = g_utf8_find_prev_char (upper, upper + MAX_WORD_BYTES + 1);

              length = end != NULL ? (gsize) (end - upper) : 0;
            }
          g_string_append_len (scratch, upper, (gssize) length);
        }
      if (scratch->len > 0)
        func (scratch->str, data);
    }
}

static void
collect_word_cb (const char *word,
                 gpointer    data)
{
  g_ptr_array_add (data, g_strdup (word));
}

GStrv
fb_index_tokenize (const char *text)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autoptr(GString) scratch = g_string_new (NULL);
  g_autofree char *valid = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  foreach_word (text, scratch, collect_word_cb, words);
  g_ptr_array_add (words, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&words), FALSE);
}

char *
fb_index_flag_for_code (const char *code)
{
  char text[9];
  int n;

  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (g_ascii_isupper (code[0]) && g_ascii_isupper (code[1]), NULL);

  n = g_unichar_to_utf8 (0x1F1E6 + (code[0] - 'A'), text);
  n += g_unichar_to_utf8 (0x1F1E6 + (code[1] - 'A'), text + n);
  text[n] = '\0';
  return g_strdup (text);
}

/* ---- building ---- */

static void
builder_init (Builder       *builder,
              FbIndexCorpus  corpus)
{
  builder->index = index_new (corpus);
  builder->pairs = g_array_sized_new (FALSE, FALSE, sizeof (Pair), 1024);
  builder->last_id = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 1024);
  builder->scratch = g_string_sized_new (MAX_WORD_BYTES * 4);
  builder->monotonic = TRUE;
}

static void
builder_clear (Builder *builder)
{
  g_clear_pointer (&builder->index, fb_index_unref);
  g_clear_pointer (&builder->pairs, g_array_unref);
  g_clear_pointer (&builder->last_id, g_array_unref);
  if (builder->scratch != NULL)
    g_string_free (g_steal_pointer (&builder->scratch), TRUE);
}

typedef struct
{
  Builder *builder;
  guint32  id;
} AddWord;

static void
add_word_cb (const char *word,
             gpointer    data)
{
  AddWord *add = data;
  Builder *builder = add->builder;
  FbIndex *index = builder->index;
  gpointer value = g_hash_table_lookup (index->words, word);
  guint32 number;
  Pair pair;

  if (value == NULL)
    {
      char *key = g_string_chunk_insert (index->word_chunk, word);
      guint32 none = G_MAXUINT32;

      number = index->n_words++;
      g_hash_table_insert (index->words, key, GUINT_TO_POINTER (number + 1));
      g_array_append_val (builder->last_id, none);
    }
  else
    number = GPOINTER_TO_UINT (value) - 1;

  /* A word twice in one name ("SIGN … SIGN") counts once. */
  if (g_array_index (builder->last_id, guint32, number) == add->id)
    return;
  g_array_index (builder->last_id, guint32, number) = add->id;

  if (add->id < builder->max_id)
    builder->monotonic = FALSE;
  builder->max_id = MAX (builder->max_id, add->id);
  pair.word = number;
  pair.id = add->id;
  g_array_append_val (builder->pairs, pair);
}

static void
builder_add_words (Builder    *builder,
                   guint32     id,
                   const char *text)
{
  AddWord add = { builder, id };

  foreach_word (text, builder->scratch, add_word_cb, &add);
}

static int
compare_pairs (const void *a,
               const void *b)
{
  const Pair *pa = a;
  const Pair *pb = b;

  if (pa->word != pb->word)
    return pa->word < pb->word ? -1 : 1;
  return pa->id < pb->id ? -1 : pa->id > pb->id;
}

/* Turns the (word, id) pairs into one array of postings, each word's ids
 * ascending: a counting sort by word keeps ids in the order they came. */
static FbIndex *
builder_finish (Builder *builder)
{
  FbIndex *index = builder->index;
  GArray *pairs = builder->pairs;
  guint32 *fill;
  guint32 n = 0;

  if (!builder->monotonic)
    {
      guint out = 0;

      g_array_sort (pairs, compare_pairs);
      for (guint i = 0; i < pairs->len; i++)
        {
          Pair *pair = &g_array_index (pairs, Pair, i);

          if (out > 0 && memcmp (pair, &g_array_index (pairs, Pair, out - 1), sizeof *pair) == 0)
            continue;
          g_array_index (pairs, Pair, out++) = *pair;
        }
      g_array_set_size (pairs, out);
    }

  index->offsets = g_new0 (guint32, index->n_words + 1);
  index->postings = g_new (guint32, MAX (pairs->len, 1));
  for (guint i = 0; i < pairs->len; i++)
    index->offsets[g_array_index (pairs, Pair, i).word + 1]++;
  for (guint w = 0; w < index->n_words; w++)
    {
      guint32 count = index->offsets[w + 1];

      index->offsets[w] = n;
      n += count;
    }
  index->offsets[index->n_words] = n;

  fill = g_new (guint32, MAX (index->n_words, 1));
  memcpy (fill, index->offsets, index->n_words * sizeof (guint32));
  for (guint i = 0; i < pairs->len; i++)
    {
      const Pair *pair = &g_array_index (pairs, Pair, i);

      index->postings[fill[pair->word]++] = pair->id;
    }
  g_free (fill);

  builder->index = NULL;
  builder_clear (builder);
  return index;
}

static guint32
add_entry (FbIndex    *index,
           guint32     code_point,
           const char *name,
           gssize      name_length,
           const char *text,
           const char *code)
{
  Entry entry = { 0, };

  entry.code_point = code_point;
  entry.name = (guint32) index->names->len;
  g_string_append_len (index->names, name, name_length);
  g_string_append_c (index->names, '\0');
  g_strlcpy (entry.text, text, sizeof entry.text);
  if (code != NULL)
    g_strlcpy (entry.code, code, sizeof entry.code);
  g_array_append_val (index->entries, entry);
  return index->entries->len - 1;
}

/* ---- the Unicode corpus ---- */

static const char * const jamo_l[] = {
  "G", "GG", "N", "D", "DD", "R", "M", "B", "BB", "S", "SS", "", "J", "JJ", "C", "K", "T",
  "P", "H",
};
static const char * const jamo_v[] = {
  "A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O", "WA", "WAE", "OE", "YO", "U", "WEO",
  "WE", "WI", "YU", "EU", "YI", "I",
};
static const char * const jamo_t[] = {
  "", "G", "GG", "GS", "N", "NJ", "NH", "D", "L", "LG", "LM", "LB", "LS", "LT", "LP", "LH",
  "M", "B", "BS", "S", "SS", "NG", "J", "C", "K", "T", "P", "H",
};

/* The names Unicode derives instead of listing (chapter 4.8 of the
 * standard), as Python's unicodedata.name () gives them; NULL for ranges
 * without names (surrogates, private use). */
static char *
derived_name (const char *range_label,
              gunichar    c)
{
  if (g_str_has_prefix (range_label, "<CJK Ideograph"))
    return g_strdup_printf ("CJK UNIFIED IDEOGRAPH-%04X", c);
  if (g_str_has_prefix (range_label, "<Tangut Ideograph"))
    return g_strdup_printf ("TANGUT IDEOGRAPH-%04X", c);
  if (g_str_has_prefix (range_label, "<Hangul Syllable") && c >= 0xAC00 && c < 0xAC00 + 11172)
    {
      guint s = c - 0xAC00;

      return g_strconcat ("HANGUL SYLLABLE ", jamo_l[s / 588], jamo_v[(s % 588) / 28],
                          jamo_t[s % 28], NULL);
    }
  return NULL;
}

static void
add_character (Builder    *builder,
               gunichar    c,
               const char *name,
               gssize      name_length)
{
  char text[8];
  guint32 id;
  int n = g_unichar_to_utf8 (c, text);

  text[n] = '\0';
  id = add_entry (builder->index, c, name, name_length, text, NULL);
  builder_add_words (builder, id, builder->index->names->str
                                  + g_array_index (builder->index->entries, Entry, id).name);
}

static gboolean
parse_unicode_data (Builder     *builder,
                    const char  *data,
                    gsize        length,
                    gunichar     start,
                    gunichar     stop)
{
  const char *p = data;
  const char *end = data + length;
  gunichar range_first = G_MAXUINT32;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', (gsize) (end - p));
      const char *semi;
      const char *name;
      const char *name_end;
      char *stop_hex = NULL;
      guint64 c;

      if (eol == NULL)
        eol = end;
      semi = memchr (p, ';', (gsize) (eol - p));
      if (semi == NULL)
        {
          p = eol + 1;
          continue;
        }
      c = g_ascii_strtoull (p, &stop_hex, 16);
      name = semi + 1;
      name_end = memchr (name, ';', (gsize) (eol - name));
      if (stop_hex != semi || name_end == NULL || c > 0x10FFFF)
        {
          p = eol + 1;
          continue;
        }

      if (name[0] == '<')
        {
          g_autofree char *label = g_strndup (name, (gsize) (name_end - name));

          if (g_str_has_suffix (label, ", First>"))
            range_first = (gunichar) c;
          else if (g_str_has_suffix (label, ", Last>") && range_first != G_MAXUINT32)
            {
              for (gunichar u = MAX (range_first, start); u <= (gunichar) c && u < stop; u++)
                {
                  g_autofree char *derived = derived_name (label, u);

                  if (derived == NULL)
                    break;
                  add_character (builder, u, derived, -1);
                }
              range_first = G_MAXUINT32;
            }
          /* "<control>" has no name, as in unicodedata.name (). */
        }
      else if (c >= start && c < stop)
        add_character (builder, (gunichar) c, name, name_end - name);

      p = eol + 1;
    }

  return TRUE;
}

char *
fb_index_dup_unicode_data_path (void)
{
  const char *env = g_getenv ("FETCHBOARD_UNICODE_DATA");
  g_autofree char *ours = g_build_filename (DATADIR, "unicode", "UnicodeData.txt", NULL);

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  if (g_file_test (ours, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&ours);
  return g_strdup (DEFAULT_UNICODE_DATA);
}

FbIndex *
fb_index_new_unicode (const char  *path,
                      gunichar     start,
                      gunichar     stop,
                      GError     **error)
{
  g_autofree char *default_path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  Builder builder = { 0, };
  gsize length = 0;

  g_return_val_if_fail (start <= stop, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path == NULL)
    path = default_path = fb_index_dup_unicode_data_path ();

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Cannot read the Unicode character names: %s (install Debian’s "
                     "unicode-data package, or set FETCHBOARD_UNICODE_DATA to a "
                     "UnicodeData.txt)"), local_error->message);
      return NULL;
    }

  builder_init (&builder, FB_INDEX_CORPUS_UNICODE);
  parse_unicode_data (&builder, data, length, start, stop);
  if (builder.index->entries->len == 0 && start < stop)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Cannot read the Unicode character names: %s has none"), path);
      builder_clear (&builder);
      return NULL;
    }
  return builder_finish (&builder);
}

/* ---- the catalog corpus ---- */

static inline guint32
read_u32 (const guint8 *p,
          gboolean      swap)
{
  guint32 value;

  memcpy (&value, p, sizeof value);
  return swap ? GUINT32_SWAP_LE_BE (value) : value;
}

/* Adds the words of each translation whose original is a country name.
 * A .mo file is: magic, revision, N, offset of N (length, offset) pairs for
 * the originals, the same for the translations. Anything out of bounds
 * ends the file. */
static void
add_mo_translations (Builder      *builder,
                     GHashTable   *by_name,
                     const guint8 *data,
                     gsize         length)
{
  gboolean swap;
  guint32 n;
  guint32 originals;
  guint32 translations;

  if (length < 20)
    return;
  if (read_u32 (data, FALSE) == 0x950412de)
    swap = FALSE;
  else if (read_u32 (data, TRUE) == 0x950412de)
    swap = TRUE;
  else
    return;

  n = read_u32 (data + 8, swap);
  originals = read_u32 (data + 12, swap);
  translations = read_u32 (data + 16, swap);
  if (n > length / 8 || originals > length - (gsize) n * 8
      || translations > length - (gsize) n * 8)
    return;

  for (guint32 i = 0; i < n; i++)
    {
      guint32 o_length = read_u32 (data + originals + i * 8, swap);
      guint32 o_offset = read_u32 (data + originals + i * 8 + 4, swap);
      guint32 t_length = read_u32 (data + translations + i * 8, swap);
      guint32 t_offset = read_u32 (data + translations + i * 8 + 4, swap);
      g_autofree char *original = NULL;
      g_autofree char *translation = NULL;
      gpointer value;

      if (o_offset > length || o_length > length - o_offset
          || t_offset > length || t_length > length - t_offset)
        return;
      if (o_length == 0 || t_length == 0)
        continue;

      original = g_strndup ((const char *) data + o_offset, o_length);
      value = g_hash_table_lookup (by_name, original);
      if (value == NULL)
        continue;
      translation = g_strndup ((const char *) data + t_offset, t_length);
      if (!g_utf8_validate (translation, -1, NULL))
        continue;
      builder_add_words (builder, GPOINTER_TO_UINT (value) - 1, translation);
    }
}

FbIndex *
fb_index_new_catalog (const char  *locale_dir,
                      GError     **error)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GDir) dir = NULL;
  const FbCountry *countries;
  Builder builder = { 0, };
  guint n_countries = 0;
  const char *language;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  countries = fb_countries_get_all (&n_countries);
  if (n_countries == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No country is known (is iso-codes installed?)"));
      return NULL;
    }

  builder_init (&builder, FB_INDEX_CORPUS_CATALOG);
  for (guint i = 0; i < n_countries; i++)
    {
      g_autofree char *flag = fb_index_flag_for_code (countries[i].code);
      guint32 id = add_entry (builder.index, 0, countries[i].name, -1, flag, countries[i].code);

      builder_add_words (&builder, id, countries[i].code);
      builder_add_words (&builder, id, flag);
      builder_add_words (&builder, id, countries[i].name);
      g_hash_table_insert (by_name, countries[i].name, GUINT_TO_POINTER (id + 1));
    }

  if (locale_dir == NULL)
    locale_dir = ISO_CODES_LOCALEDIR;
  /* A missing folder only means English names alone. */
  dir = g_dir_open (locale_dir, 0, NULL);
  while (dir != NULL && (language = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (locale_dir, language, "LC_MESSAGES",
                                                ISO_3166_MO, NULL);
      g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);

      if (file == NULL || g_mapped_file_get_length (file) > MAX_MO_SIZE)
        continue;
      add_mo_translations (&builder, by_name,
                           (const guint8 *) g_mapped_file_get_contents (file),
                           g_mapped_file_get_length (file));
    }

  return builder_finish (&builder);
}

/* ---- the shared indexes ---- */

static GMutex   shared_lock;
static FbIndex *shared[2];

static void
load_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  FbIndexCorpus corpus = GPOINTER_TO_INT (task_data);
  GError *error = NULL;
  FbIndex *index;

  if (corpus == FB_INDEX_CORPUS_UNICODE)
    index = fb_index_new_unicode (NULL, 32, 0x110000, &error);
  else
    index = fb_index_new_catalog (NULL, &error);
  if (index == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_mutex_lock (&shared_lock);
  if (shared[corpus] == NULL)
    shared[corpus] = fb_index_ref (index);
  else
    {
      /* Another load won the race: everyone shares the first one. */
      fb_index_unref (index);
      index = fb_index_ref (shared[corpus]);
    }
  g_mutex_unlock (&shared_lock);
  g_task_return_pointer (task, index, (GDestroyNotify) fb_index_unref);
}

void
fb_index_load_async (FbIndexCorpus        corpus,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FbIndex *index = NULL;

  g_return_if_fail (corpus == FB_INDEX_CORPUS_UNICODE || corpus == FB_INDEX_CORPUS_CATALOG);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_index_load_async);
  g_task_set_task_data (task, GINT_TO_POINTER (corpus), NULL);

  g_mutex_lock (&shared_lock);
  if (shared[corpus] != NULL)
    index = fb_index_ref (shared[corpus]);
  g_mutex_unlock (&shared_lock);

  if (index != NULL)
    g_task_return_pointer (task, index, (GDestroyNotify) fb_index_unref);
  else
    g_task_run_in_thread (task, load_worker);
}

FbIndex *
fb_index_load_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_index_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- queries ---- */

FbIndexCorpus
fb_index_get_corpus (FbIndex *self)
{
  g_return_val_if_fail (self != NULL, FB_INDEX_CORPUS_UNICODE);

  return self->corpus;
}

guint
fb_index_get_n_entries (FbIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->entries->len;
}

guint
fb_index_get_n_words (FbIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_words;
}

typedef struct
{
  FbIndex *index;
  GArray  *lists;    /* Posting */
  gboolean missing;  /* a word no entry has */
} Query;

typedef struct
{
  const guint32 *ids;
  guint32        n;
} Posting;

static void
query_word_cb (const char *word,
               gpointer    data)
{
  Query *query = data;
  gpointer value;
  guint32 w;
  Posting posting;

  if (query->missing)
    return;
  value = g_hash_table_lookup (query->index->words, word);
  if (value == NULL)
    {
      query->missing = TRUE;
      return;
    }
  w = GPOINTER_TO_UINT (value) - 1;
  posting.ids = query->index->postings + query->index->offsets[w];
  posting.n = query->index->offsets[w + 1] - query->index->offsets[w];
  g_array_append_val (query->lists, posting);
}

static int
compare_postings (const void *a,
                  const void *b)
{
  const Posting *pa = a;
  const Posting *pb = b;

  return pa->n < pb->n ? -1 : pa->n > pb->n;
}

static gboolean
posting_contains (const Posting *posting,
                  guint32        id,
                  guint32       *from)
{
  guint32 low = *from;
  guint32 high = posting->n;

  while (low < high)
    {
      guint32 mid = low + (high - low) / 2;

      if (posting->ids[mid] < id)
        low = mid + 1;
      else
        high = mid;
    }
  *from = low;
  return low < posting->n && posting->ids[low] == id;
}

guint *
fb_index_search (FbIndex    *self,
                 const char *query_text,
                 guint      *n_results)
{
  g_autoptr(GString) scratch = NULL;
  g_autofree char *valid = NULL;
  Query query = { self, NULL, FALSE };
  guint *results = NULL;
  guint n = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (query_text != NULL, NULL);
  g_return_val_if_fail (n_results != NULL, NULL);

  *n_results = 0;
  if (!g_utf8_validate (query_text, -1, NULL))
    query_text = valid = g_utf8_make_valid (query_text, -1);

  scratch = g_string_sized_new (64);
  query.lists = g_array_new (FALSE, FALSE, sizeof (Posting));
  foreach_word (query_text, scratch, query_word_cb, &query);

  if (!query.missing && query.lists->len > 0)
    {
      Posting *lists = (Posting *) (gpointer) query.lists->data;
      guint32 *from = g_new0 (guint32, query.lists->len);

      /* The shortest set first: each of its ids is looked for in the
       * others, whose search start only moves forward. */
      qsort (lists, query.lists->len, sizeof (Posting), compare_postings);
      results = g_new (guint, MAX (lists[0].n, 1));
      for (guint32 i = 0; i < lists[0].n; i++)
        {
          guint32 id = lists[0].ids[i];
          gboolean everywhere = TRUE;

          for (guint j = 1; j < query.lists->len && everywhere; j++)
            everywhere = posting_contains (&lists[j], id, &from[j]);
          if (everywhere)
            results[n++] = id;
        }
      g_free (from);
    }

  g_array_unref (query.lists);
  if (n == 0)
    {
      g_clear_pointer (&results, g_free);
      return NULL;
    }
  *n_results = n;
  return results;
}

const char *
fb_index_get_text (FbIndex *self,
                   guint    id)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id < self->entries->len, NULL);

  return g_array_index (self->entries, Entry, id).text;
}

const char *
fb_index_get_name (FbIndex *self,
                   guint    id)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id < self->entries->len, NULL);

  return self->names->str + g_array_index (self->entries, Entry, id).name;
}

gunichar
fb_index_get_code_point (FbIndex *self,
                         guint    id)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (id < self->entries->len, 0);

  return g_array_index (self->entries, Entry, id).code_point;
}

const char *
fb_index_get_code (FbIndex *self,
                   guint    id)
{
  const Entry *entry;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id < self->entries->len, NULL);

  entry = &g_array_index (self->entries, Entry, id);
  return entry->code[0] != '\0' ? entry->code : NULL;
}

void
fb_index_append_line (FbIndex  *self,
                      guint     id,
                      gboolean  localized,
                      GString  *out)
{
  const Entry *entry;

  g_return_if_fail (self != NULL);
  g_return_if_fail (id < self->entries->len);
  g_return_if_fail (out != NULL);

  entry = &g_array_index (self->entries, Entry, id);
  if (self->corpus == FB_INDEX_CORPUS_UNICODE)
    {
      g_string_append_printf (out, "U+%04X\t%s\t%s", entry->code_point, entry->text,
                              self->names->str + entry->name);
      return;
    }

  g_string_append_printf (out, "%s\t%s\t", entry->code, entry->text);
  if (localized)
    {
      const FbCountry *country = fb_countries_lookup (entry->code);

      g_string_append (out, country != NULL ? fb_countries_display_name (country)
                                            : self->names->str + entry->name);
    }
  else
    g_string_append (out, self->names->str + entry->name);
}

void
fb_index_append_status (guint    n_found,
                        GString *out)
{
  g_return_if_fail (out != NULL);

  for (guint i = 0; i < 66; i++)
    g_string_append (out, "\u2500");
  g_string_append_printf (out, " %u found", n_found);
}
