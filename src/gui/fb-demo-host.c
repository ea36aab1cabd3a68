/* fb-demo-host.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-demo-host"

#include "config.h"

#include "fb-demo-host.h"
#include "fb-system.h"

/* The demo server plays a remote host: it answers from a thread of its
 * own, so serving 1000 connections never competes with the window. */
typedef struct
{
  GMutex        lock;
  GCond         cond;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  FbDemoServer *server;
  GError       *error;
  double        delay_min;
  double        delay_max;
  double        error_rate;
  guint         port;
  gboolean      ready;
} Host;

struct _FbDemoHost
{
  GObject  parent_instance;

  Host    *host;

  double   delay_min;
  double   delay_max;
  double   error_rate;
  guint    port;
};

G_DEFINE_FINAL_TYPE (FbDemoHost, fb_demo_host, G_TYPE_OBJECT)

static gpointer
host_thread (gpointer data)
{
  Host *host = data;
  g_autoptr(FbDemoServer) server = NULL;
  GError *error = NULL;
  gboolean listening;

  g_main_context_push_thread_default (host->context);

  /* The demo server stands in for the far end of the network: on a machine
   * with few cores it must not take the window's turn. */
  fb_system_background_thread ();

  server = fb_demo_server_new ();
  fb_demo_server_set_delay (server, host->delay_min, host->delay_max);
  fb_demo_server_set_error_rate (server, host->error_rate);
  /* One epoll source for every connection, with the delays in its own
   * timer queue: 1000 delayed requests cost what a few do. */
  fb_demo_server_set_lean_searches (server, TRUE);
  listening = fb_demo_server_listen (server, host->port, &error);

  g_mutex_lock (&host->lock);
  host->server = listening ? server : NULL;
  host->error = error;
  host->ready = TRUE;
  g_cond_signal (&host->cond);
  g_mutex_unlock (&host->lock);

  if (listening)
    {
      g_main_loop_run (host->loop);
      fb_demo_server_stop (server);
    }

  g_main_context_pop_thread_default (host->context);
  return NULL;
}

static void
host_free (Host *host)
{
  g_main_loop_quit (host->loop);
  g_thread_join (host->thread);
  g_clear_error (&host->error);
  g_main_loop_unref (host->loop);
  g_main_context_unref (host->context);
  g_mutex_clear (&host->lock);
  g_cond_clear (&host->cond);
  g_free (host);
}

static void
fb_demo_host_dispose (GObject *object)
{
  FbDemoHost *self = FB_DEMO_HOST (object);

  g_clear_pointer (&self->host, host_free);

  G_OBJECT_CLASS (fb_demo_host_parent_class)->dispose (object);
}

static void
fb_demo_host_class_init (FbDemoHostClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = fb_demo_host_dispose;
}

static void
fb_demo_host_init (FbDemoHost *self)
{
  self->delay_min = FB_DEMO_DELAY_MIN;
  self->delay_max = FB_DEMO_DELAY_MAX;
  self->error_rate = FB_DEMO_ERROR_RATE;
}

FbDemoHost *
fb_demo_host_new (void)
{
  return g_object_new (FB_TYPE_DEMO_HOST, NULL);
}

void
fb_demo_host_set_options (FbDemoHost *self,
                          double      delay_min,
                          double      delay_max,
                          double      error_rate,
                          guint       port)
{
  g_return_if_fail (FB_IS_DEMO_HOST (self));
  g_return_if_fail (delay_min >= 0 && delay_max >= delay_min);
  g_return_if_fail (error_rate >= 0 && error_rate <= 1);

  self->delay_min = delay_min;
  self->delay_max = delay_max;
  self->error_rate = error_rate;
  self->port = port;
}

FbDemoServer *
fb_demo_host_ensure (FbDemoHost  *self,
                     GError     **error)
{
  Host *host;

  g_return_val_if_fail (FB_IS_DEMO_HOST (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->host != NULL)
    return self->host->server;

  host = g_new0 (Host, 1);
  g_mutex_init (&host->lock);
  g_cond_init (&host->cond);
  host->context = g_main_context_new ();
  host->loop = g_main_loop_new (host->context, FALSE);
  host->delay_min = self->delay_min;
  host->delay_max = self->delay_max;
  host->error_rate = self->error_rate;
  host->port = self->port;
  host->thread = g_thread_new ("fb-demo-server", host_thread, host);

  /* Binding a local socket: the wait is for the bind, not for any traffic. */
  g_mutex_lock (&host->lock);
  while (!host->ready)
    g_cond_wait (&host->cond, &host->lock);
  g_mutex_unlock (&host->lock);

  if (host->server == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&host->error));
      host_free (host);
      return NULL;
    }

  self->host = host;
  return host->server;
}

FbDemoServer *
fb_demo_host_get_server (FbDemoHost *self)
{
  g_return_val_if_fail (FB_IS_DEMO_HOST (self), NULL);

  return self->host != NULL ? self->host->server : NULL;
}

void
fb_demo_host_stop (FbDemoHost *self)
{
  g_return_if_fail (FB_IS_DEMO_HOST (self));

  g_clear_pointer (&self->host, host_free);
}
