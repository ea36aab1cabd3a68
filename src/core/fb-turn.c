/* fb-turn.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-turn"

#include "config.h"

#include "fb-turn.h"

/* A source that never dispatches: GLib calls its check () once per
 * iteration, right after poll, which is when the turn's work begins. */
typedef struct
{
  GSource source;
  gint64  start;
  guint   n_grants;
} TurnSource;

static gboolean
turn_prepare (GSource *source,
              gint    *timeout)
{
  *timeout = -1;
  return FALSE;
}

static gboolean
turn_check (GSource *source)
{
  TurnSource *turn = (TurnSource *) source;

  turn->start = g_get_monotonic_time ();
  turn->n_grants = 0;
  return FALSE;
}

static GSourceFuncs turn_funcs = { turn_prepare, turn_check, NULL, NULL, NULL, NULL };

static void
turn_source_drop (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

/* One source per thread, on the context the thread last asked about. */
static GPrivate turn_private = G_PRIVATE_INIT (turn_source_drop);

static TurnSource *
turn_source (void)
{
  GMainContext *context = g_main_context_get_thread_default ();
  GSource *source = g_private_get (&turn_private);

  if (context == NULL)
    context = g_main_context_default ();
  if (source != NULL && !g_source_is_destroyed (source) &&
      g_source_get_context (source) == context)
    return (TurnSource *) source;

  source = g_source_new (&turn_funcs, sizeof (TurnSource));
  /* High priority: its check () runs in every iteration but those where
   * something more urgent than G_PRIORITY_HIGH is ready. */
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_name (source, "[fetchboard] turn budget");
  g_source_attach (source, context);
  g_private_replace (&turn_private, source);
  return (TurnSource *) source;
}

gboolean
fb_turn_grant (void)
{
  TurnSource *turn = turn_source ();
  gint64 now = g_get_monotonic_time ();

  /* A source made in the middle of a turn starts counting now. */
  if (turn->start == 0)
    turn->start = now;
  if (turn->n_grants < FB_TURN_MIN_GRANTS || now - turn->start < FB_TURN_BUDGET_US)
    {
      turn->n_grants++;
      return TRUE;
    }
  return FALSE;
}
