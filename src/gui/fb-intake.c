/* fb-intake.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-intake"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-intake.h"
#include "fb-list-parser.h"
#include "fb-settings.h"

struct _FbIntake
{
  GObject          parent_instance;

  /* Owned */
  GSettings       *settings;
  GCancellable    *cancellable;
  FbRun           *run;
  GQueue           pending;     /* FbInput* waiting for their turn */

  /* Borrowed */
  GtkWindow       *parent;      /* owns the intake */
  FbPreviewDialog *preview;     /* weak */

  guint            ready : 1;
  guint            started : 1;
  guint            closed : 1;
};

G_DEFINE_FINAL_TYPE (FbIntake, fb_intake, G_TYPE_OBJECT)

enum {
  APPLY,
  TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void present_input (FbIntake *self,
                           FbInput  *input,
                           gboolean  from_queue);

static void
toast (FbIntake   *self,
       const char *message)
{
  g_signal_emit (self, signals[TOAST], 0, message);
}

static gboolean
apply (FbIntake *self,
       FbInput  *input,
       gboolean  start)
{
  gboolean applied = FALSE;

  g_signal_emit (self, signals[APPLY], 0, input, start, &applied);
  return applied;
}

static gboolean
run_is_running (FbIntake *self)
{
  return self->run != NULL && fb_run_get_running (self->run);
}

static const char *
run_base_url (FbIntake *self)
{
  const char *url = self->run != NULL ? fb_run_get_base_url (self->run) : NULL;

  return url != NULL && *url != '\0' ? url : NULL;
}

static char *
dup_catalog_source (FbIntake *self)
{
  g_autofree char *setting = g_settings_get_string (self->settings, "base-url");

  if (self->started && run_base_url (self) != NULL)
    return g_strdup (run_base_url (self));
  if (*setting != '\0')
    return g_steal_pointer (&setting);
  return g_strdup (_("the built-in demo server"));
}

static gboolean
present_next_cb (gpointer user_data)
{
  FbIntake *self = user_data;
  FbInput *next;

  /* One at a time while each opens a preview; all at once otherwise. */
  while (self->preview == NULL && self->ready &&
         (next = g_queue_pop_head (&self->pending)) != NULL)
    present_input (self, next, TRUE);
  return G_SOURCE_REMOVE;
}

/* Lists that waited (for the first frame, or for a preview to close) are
 * shown from an idle, not from inside the callback that freed the way; at
 * the default priority, since a window busy drawing every frame (a list
 * growing into view) would starve a lower one. */
static void
present_pending_later (FbIntake *self)
{
  if (!g_queue_is_empty (&self->pending))
    g_idle_add_full (G_PRIORITY_DEFAULT, present_next_cb, g_object_ref (self),
                     g_object_unref);
}

static void
preview_response_cb (FbPreviewDialog *dialog,
                     const char      *response,
                     FbIntake        *self)
{
  FbInput *input = fb_preview_dialog_get_input (dialog);

  g_clear_weak_pointer (&self->preview);

  if (g_str_equal (response, "start"))
    apply (self, input, TRUE);
  else if (g_str_equal (response, "add"))
    apply (self, input, FALSE);

  present_pending_later (self);
}

/* @from_queue: @input comes from the queue, ahead of what is left there. */
static void
present_input (FbIntake *self,
               FbInput  *input,
               gboolean  from_queue)
{
  g_autofree char *destination = NULL;
  g_autofree char *catalog = NULL;
  FbPreviewDialog *dialog;
  guint n_entries = fb_input_get_n_entries (input);
  guint n_rejected = fb_input_get_n_rejected (input);

  if (self->closed)
    {
      fb_input_free (input);
      return;
    }

  if (n_entries == 0 && n_rejected == 0 && fb_input_get_n_duplicates (input) == 0)
    {
      toast (self, _("The list is empty"));
      fb_input_free (input);
      return;
    }

  /* Lists given at start wait for the window's first frame: the window
   * shows at once, and the list grows into it a few rows per frame. Lists
   * are shown in the order they came. */
  if (self->preview != NULL || !self->ready ||
      (!from_queue && !g_queue_is_empty (&self->pending)))
    {
      if (from_queue)
        g_queue_push_head (&self->pending, input);
      else
        g_queue_push_tail (&self->pending, input);
      return;
    }

  /* Appending to the run on screen: what it already has is a duplicate. */
  if (self->run != NULL && !(self->started && !fb_run_get_running (self->run)))
    {
      fb_input_skip_known (input, fb_run_get_jobs (self->run));
      n_entries = fb_input_get_n_entries (input);
    }

  if (n_entries > 0 && g_settings_get_boolean (self->settings, "start-after-drop"))
    {
      g_autofree char *message = NULL;

      if (apply (self, input, TRUE))
        {
          if (n_rejected > 0)
            message = g_strdup_printf (ngettext ("%u job added, %u line rejected",
                                                 "%u jobs added, %u lines rejected", n_entries),
                                       n_entries, n_rejected);
          else
            message = g_strdup_printf (ngettext ("%u job added", "%u jobs added", n_entries),
                                       n_entries);
          toast (self, message);
        }
      fb_input_free (input);
      return;
    }

  destination = self->run != NULL && self->started
                ? g_strdup (fb_run_get_destination (self->run))
                : fb_settings_dup_destination (self->settings);
  catalog = dup_catalog_source (self);
  dialog = fb_preview_dialog_new (self->parent, input, destination, catalog,
                                  run_is_running (self),
                                  self->run != NULL && self->started &&
                                  !fb_run_get_running (self->run));
  g_set_weak_pointer (&self->preview, dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (preview_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Files */

typedef struct
{
  FbListResult *result;
  char         *name;
  char         *error;
} Slot;

typedef struct
{
  FbIntake *intake;
  GArray   *slots;     /* Slot, in the order the files came */
  GString  *links;     /* non-file URIs of a URI list: URLs to download */
  guint     pending;
} Load;

static void
slot_clear (gpointer data)
{
  Slot *slot = data;

  g_clear_pointer (&slot->result, fb_list_result_free);
  g_clear_pointer (&slot->name, g_free);
  g_clear_pointer (&slot->error, g_free);
}

static void
load_free (Load *load)
{
  g_clear_object (&load->intake);
  g_clear_pointer (&load->slots, g_array_unref);
  if (load->links != NULL)
    g_string_free (load->links, TRUE);
  g_free (load);
}

static void
load_finish (Load *load)
{
  FbInput *input = fb_input_new ();

  for (guint i = 0; i < load->slots->len; i++)
    {
      Slot *slot = &g_array_index (load->slots, Slot, i);

      if (slot->result != NULL)
        fb_input_add_result (input, g_steal_pointer (&slot->result));
      else
        fb_input_add_failure (input, slot->name, slot->error);
    }
  if (load->links->len > 0)
    fb_input_add_result (input, fb_list_parse (_("dropped links"), load->links->str,
                                               (gssize) load->links->len));

  present_input (load->intake, input, FALSE);
  load_free (load);
}

typedef struct
{
  Load  *load;
  guint  index;
} SlotRef;

static void
parse_file_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SlotRef *ref = user_data;
  Load *load = ref->load;
  Slot *slot = &g_array_index (load->slots, Slot, ref->index);
  g_autoptr(GError) error = NULL;

  g_free (ref);
  slot->result = fb_list_parse_file_finish (G_FILE (object), result, &error);
  if (slot->result == NULL)
    slot->error = g_strdup (error->message);

  if (--load->pending > 0)
    return;
  if (g_cancellable_is_cancelled (load->intake->cancellable))
    load_free (load);
  else
    load_finish (load);
}

static gboolean
is_local (GFile *file)
{
  return g_file_is_native (file) || g_file_has_uri_scheme (file, "file");
}

void
fb_intake_open_files (FbIntake  *self,
                      GFile    **files,
                      guint      n_files)
{
  Load *load;

  g_return_if_fail (FB_IS_INTAKE (self));
  g_return_if_fail (files != NULL || n_files == 0);

  load = g_new0 (Load, 1);
  load->intake = g_object_ref (self);
  load->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  g_array_set_clear_func (load->slots, slot_clear);
  load->links = g_string_new (NULL);

  for (guint i = 0; i < n_files; i++)
    {
      GFile *file = files[i];

      if (is_local (file))
        {
          Slot slot = { NULL, g_file_get_basename (file), NULL };

          g_array_append_val (load->slots, slot);
        }
      else
        {
          /* A link dragged from a browser: the URL itself is the entry. */
          g_autofree char *uri = g_file_get_uri (file);

          g_string_append_printf (load->links, "%s\n", uri);
        }
    }

  load->pending = load->slots->len;
  if (load->pending == 0)
    {
      load_finish (load);
      return;
    }

  for (guint i = 0, slot = 0; i < n_files; i++)
    {
      SlotRef *ref;

      if (!is_local (files[i]))
        continue;
      ref = g_new (SlotRef, 1);
      ref->load = load;
      ref->index = slot++;
      fb_list_parse_file_async (files[i], self->cancellable, parse_file_cb, ref);
    }
}

/* Text */

static void
parse_text_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  char **text_and_source = task_data;

  g_task_return_pointer (task, fb_list_parse (text_and_source[1], text_and_source[0], -1),
                         (GDestroyNotify) fb_list_result_free);
}

static void
parse_text_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  FbIntake *self = FB_INTAKE (object);
  FbListResult *parsed = g_task_propagate_pointer (G_TASK (result), NULL);
  FbInput *input;

  if (parsed == NULL)
    return;
  input = fb_input_new ();
  fb_input_add_result (input, parsed);
  present_input (self, input, FALSE);
}

void
fb_intake_add_text (FbIntake   *self,
                    const char *text,
                    const char *source)
{
  g_autoptr(GTask) task = NULL;
  char **data;

  g_return_if_fail (FB_IS_INTAKE (self));
  g_return_if_fail (text != NULL);

  /* A pasted list may be long: it is parsed on a worker thread. */
  data = g_new0 (char *, 3);
  data[0] = g_strdup (text);
  data[1] = g_strdup (source != NULL ? source : _("pasted text"));
  task = g_task_new (self, self->cancellable, parse_text_cb, NULL);
  g_task_set_source_tag (task, fb_intake_add_text);
  g_task_set_task_data (task, data, (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, parse_text_worker);
}

gboolean
fb_intake_drop_value (FbIntake     *self,
                      const GValue *value)
{
  g_return_val_if_fail (FB_IS_INTAKE (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *list = gdk_file_list_get_files (g_value_get_boxed (value));
      g_autoptr(GPtrArray) files = g_ptr_array_new ();

      for (GSList *l = list; l != NULL; l = l->next)
        g_ptr_array_add (files, l->data);
      g_slist_free (list);
      if (files->len == 0)
        return FALSE;
      fb_intake_open_files (self, (GFile **) files->pdata, files->len);
      return TRUE;
    }

  if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL)
    {
      fb_intake_add_text (self, g_value_get_string (value), _("dropped text"));
      return TRUE;
    }

  return FALSE;
}

/* GObject */

static void
fb_intake_dispose (GObject *object)
{
  FbIntake *self = FB_INTAKE (object);

  fb_intake_close (self);
  g_clear_object (&self->run);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (fb_intake_parent_class)->dispose (object);
}

static void
fb_intake_class_init (FbIntakeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_intake_dispose;

  signals[APPLY] =
    g_signal_new ("apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_first_wins, NULL, NULL,
                  G_TYPE_BOOLEAN, 2, G_TYPE_POINTER, G_TYPE_BOOLEAN);
  signals[TOAST] =
    g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
fb_intake_init (FbIntake *self)
{
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->pending);
}

FbIntake *
fb_intake_new (GtkWindow *parent,
               GSettings *settings)
{
  FbIntake *self;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (FB_TYPE_INTAKE, NULL);
  self->parent = parent;
  self->settings = g_object_ref (settings);
  return self;
}

void
fb_intake_set_ready (FbIntake *self,
                     gboolean  ready)
{
  g_return_if_fail (FB_IS_INTAKE (self));

  ready = !!ready;
  if (self->ready == ready)
    return;
  self->ready = ready;
  if (ready)
    present_pending_later (self);
}

void
fb_intake_set_run (FbIntake *self,
                   FbRun    *run,
                   gboolean  started)
{
  g_return_if_fail (FB_IS_INTAKE (self));
  g_return_if_fail (run == NULL || FB_IS_RUN (run));

  g_set_object (&self->run, run);
  self->started = !!started;
}

void
fb_intake_close (FbIntake *self)
{
  FbInput *input;

  g_return_if_fail (FB_IS_INTAKE (self));

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  while ((input = g_queue_pop_head (&self->pending)) != NULL)
    fb_input_free (input);
  g_clear_weak_pointer (&self->preview);
}

FbPreviewDialog *
fb_intake_get_preview (FbIntake *self)
{
  g_return_val_if_fail (FB_IS_INTAKE (self), NULL);

  return self->preview;
}
