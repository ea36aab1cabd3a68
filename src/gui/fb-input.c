/* fb-input.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-input"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-input.h"

struct _FbInput
{
  GPtrArray  *results;      /* FbListResult* */
  GPtrArray  *kept;         /* per result, GPtrArray of its FbListEntry* not seen before */
  guint       n_entries;
  GPtrArray  *cross_dups;   /* char*: "source:line: reason" for repeats across sources */
  GPtrArray  *failures;     /* char*: "source: reason" */
  GHashTable *seen;         /* "K:text" → "source:line" (owned strings) */
  guint       n_kind[3];
  guint       n_dup_in_sources;
  guint       n_rejected;
};

FbInput *
fb_input_new (void)
{
  FbInput *self = g_new0 (FbInput, 1);

  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_list_result_free);
  self->kept = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->cross_dups = g_ptr_array_new_with_free_func (g_free);
  self->failures = g_ptr_array_new_with_free_func (g_free);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
fb_input_free (FbInput *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->kept, g_ptr_array_unref);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->cross_dups, g_ptr_array_unref);
  g_clear_pointer (&self->failures, g_ptr_array_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_free (self);
}

void
fb_input_add_result (FbInput      *self,
                     FbListResult *result)
{
  GPtrArray *kept;

  g_return_if_fail (self != NULL);
  g_return_if_fail (result != NULL);

  kept = g_ptr_array_sized_new (result->entries->len);
  g_ptr_array_add (self->results, result);
  g_ptr_array_add (self->kept, kept);

  for (guint i = 0; i < result->entries->len; i++)
    {
      FbListEntry *entry = g_ptr_array_index (result->entries, i);
      char *key = g_strdup_printf ("%d:%s", entry->kind, entry->text);
      const char *first = g_hash_table_lookup (self->seen, key);

      if (first != NULL)
        {
          /* Translators: source:line: then where the same entry came first */
          g_ptr_array_add (self->cross_dups,
                           g_strdup_printf (_("%s:%u: same as %s"), result->source, entry->line,
                                            first));
          g_free (key);
          continue;
        }

      g_hash_table_insert (self->seen, key,
                           g_strdup_printf ("%s:%u", result->source, entry->line));
      g_ptr_array_add (kept, entry);
      self->n_entries++;
      if ((guint) entry->kind < G_N_ELEMENTS (self->n_kind))
        self->n_kind[entry->kind]++;
    }

  self->n_dup_in_sources += result->duplicates->len;
  self->n_rejected += result->rejected->len;
}

void
fb_input_add_failure (FbInput    *self,
                      const char *source,
                      const char *reason)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_add (self->failures, g_strdup_printf ("%s: %s", source, reason));
}

guint
fb_input_get_n_sources (FbInput *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->results->len + self->failures->len;
}

guint
fb_input_get_n_entries (FbInput *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_entries;
}

guint
fb_input_count_kind (FbInput     *self,
                     FbEntryKind  kind)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (self->n_kind), 0);

  return self->n_kind[kind];
}

guint
fb_input_get_n_duplicates (FbInput *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_dup_in_sources + self->cross_dups->len;
}

guint
fb_input_get_n_unreadable (FbInput *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->failures->len;
}

guint
fb_input_get_n_rejected (FbInput *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_rejected + self->failures->len;
}

static GPtrArray *
list_problems (FbInput   *self,
               gboolean   rejected,
               guint      max)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *extra = rejected ? self->failures : self->cross_dups;

  if (max == 0)
    max = G_MAXUINT;

  for (guint i = 0; i < extra->len && lines->len < max; i++)
    g_ptr_array_add (lines, g_strdup (g_ptr_array_index (extra, i)));

  for (guint r = 0; r < self->results->len && lines->len < max; r++)
    {
      FbListResult *result = g_ptr_array_index (self->results, r);
      GPtrArray *problems = rejected ? result->rejected : result->duplicates;

      for (guint i = 0; i < problems->len && lines->len < max; i++)
        {
          const FbListProblem *problem = g_ptr_array_index (problems, i);
          g_autofree char *where = fb_list_problem_format (result, problem);

          if (problem->text != NULL && *problem->text != '\0')
            /* Translators: “list.txt:3: reason”, then the line itself */
            g_ptr_array_add (lines, g_strdup_printf (_("%s — “%s”"), where, problem->text));
          else
            g_ptr_array_add (lines, g_steal_pointer (&where));
        }
    }

  return lines;
}

GPtrArray *
fb_input_list_rejected (FbInput *self,
                        guint    max)
{
  g_return_val_if_fail (self != NULL, NULL);

  return list_problems (self, TRUE, max);
}

GPtrArray *
fb_input_list_duplicates (FbInput *self,
                          guint    max)
{
  g_return_val_if_fail (self != NULL, NULL);

  return list_problems (self, FALSE, max);
}

char *
fb_input_describe_sources (FbInput *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->results->len; i++)
    g_ptr_array_add (names, ((FbListResult *) g_ptr_array_index (self->results, i))->source);

  switch (names->len)
    {
    case 0:
      return g_strdup ("");
    case 1:
      return g_strdup (g_ptr_array_index (names, 0));
    case 2:
      /* Translators: two list sources, e.g. “list.txt and pasted text” */
      return g_strdup_printf (_("%s and %s"), (char *) g_ptr_array_index (names, 0),
                              (char *) g_ptr_array_index (names, 1));
    default:
      /* Translators: “a.txt, b.txt and 3 more” */
      return g_strdup_printf (ngettext ("%s, %s and %u more", "%s, %s and %u more",
                                        names->len - 2),
                              (char *) g_ptr_array_index (names, 0),
                              (char *) g_ptr_array_index (names, 1), names->len - 2);
    }
}

void
fb_input_skip_known (FbInput    *self,
                     GListModel *jobs)
{
  g_autoptr(GHashTable) known = NULL;
  guint n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (G_IS_LIST_MODEL (jobs));

  n = g_list_model_get_n_items (jobs);
  if (n == 0 || self->n_entries == 0)
    return;

  /* Entries are normalized as job inputs are, and a URL, a domain and a
   * code never share a text: the text alone identifies a job. */
  known = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      FbJob *job = g_list_model_get_item (jobs, i);

      g_hash_table_insert (known, (gpointer) fb_job_get_input (job), job);
    }

  for (guint r = 0; r < self->kept->len; r++)
    {
      FbListResult *result = g_ptr_array_index (self->results, r);
      GPtrArray *kept = g_ptr_array_index (self->kept, r);

      for (guint i = 0; i < kept->len;)
        {
          FbListEntry *entry = g_ptr_array_index (kept, i);

          if (!g_hash_table_contains (known, entry->text))
            {
              i++;
              continue;
            }
          /* Translators: source:line: an entry the run already has */
          g_ptr_array_add (self->cross_dups,
                           g_strdup_printf (_("%s:%u: already in the run"), result->source,
                                            entry->line));
          if ((guint) entry->kind < G_N_ELEMENTS (self->n_kind))
            self->n_kind[entry->kind]--;
          self->n_entries--;
          g_ptr_array_remove_index (kept, i);
        }
    }
}

struct _FbInputFeed
{
  GPtrArray *results;  /* the input's, shared */
  GPtrArray *kept;
  guint      result;   /* where the next job comes from */
  guint      entry;
};

FbInputFeed *
fb_input_feed_new (FbInput *input)
{
  FbInputFeed *self;

  g_return_val_if_fail (input != NULL, NULL);

  self = g_new0 (FbInputFeed, 1);
  self->results = g_ptr_array_ref (input->results);
  self->kept = g_ptr_array_ref (input->kept);
  return self;
}

gboolean
fb_input_feed_next (FbInputFeed *self,
                    FbRun       *run,
                    guint        max_jobs)
{
  g_return_val_if_fail (self != NULL, TRUE);
  g_return_val_if_fail (FB_IS_RUN (run), TRUE);
  g_return_val_if_fail (max_jobs > 0, TRUE);

  while (self->result < self->results->len && max_jobs > 0)
    {
      FbListResult view = *(FbListResult *) g_ptr_array_index (self->results, self->result);
      GPtrArray *kept = g_ptr_array_index (self->kept, self->result);
      guint n = MIN (kept->len - self->entry, max_jobs);

      /* The same list, less the entries an earlier source already had,
       * from where the last slice ended. */
      if (n > 0)
        {
          g_autoptr(GPtrArray) slice = g_ptr_array_sized_new (n);

          for (guint i = 0; i < n; i++)
            g_ptr_array_add (slice, g_ptr_array_index (kept, self->entry + i));
          view.entries = slice;
          fb_run_add_list (run, &view);
          self->entry += n;
          max_jobs -= n;
        }
      if (self->entry == kept->len)
        {
          self->result++;
          self->entry = 0;
        }
    }
  return self->result == self->results->len;
}

void
fb_input_feed_free (FbInputFeed *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->results);
  g_ptr_array_unref (self->kept);
  g_free (self);
}
