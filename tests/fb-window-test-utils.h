/* fb-window-test-utils.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the window's test executables share: the application, a window on
 * a demo server of its own, and waits for what the window shows.
 */

#pragma once

#include <adwaita.h>

#include "fb-application.h"
#include "fb-countries.h"
#include "fb-demo-server.h"
#include "fb-format.h"
#include "fb-job-cell.h"
#include "fb-job-private.h"
#include "fb-preferences-window.h"
#include "fb-test-utils.h"
#include "fb-window.h"

G_BEGIN_DECLS

/* The application every test window belongs to (made in
 * fb_window_test_main). */
extern FbApplication *app;
/* What the default application for GIFs and folders was asked to open,
 * one line each (see fb_window_test_main). */
extern char *opened_path;

typedef struct
{
  FbWindow     *window;
  FbDemoServer *server;
  FbTestServer *test_server;   /* NULL unless a test makes one */
  GSettings    *settings;
  char         *dir;
} Fixture;

typedef struct
{
  FbWindow   *window;
  const char *part;
  const char *expected;
} SummaryWait;

typedef struct
{
  Fixture     *fixture;
  FbJobColumn  column;
  const char  *input;
  const char  *expected;
} CellWait;

void reset_settings (GSettings *settings);

gboolean widget_is_mapped (gpointer data);

void fixture_setup (Fixture *f,
                    double   delay_min,
                    double   delay_max);

void fixture_teardown (Fixture *f);

gboolean preview_shown (gpointer data);

FbPreviewDialog *wait_preview_for (Fixture *f,
                                   double   seconds);

FbPreviewDialog *wait_preview (Fixture *f);

gboolean run_finished (gpointer data);

gboolean run_running (gpointer data);

void cancel_run (Fixture *f);

void drop_text (Fixture    *f,
                const char *text);

void drop_files (Fixture     *f,
                 const char **paths);

gboolean summary_shows (gpointer data);

gboolean summary_has_eta (gpointer data);

void assert_summary (Fixture    *f,
                     const char *part,
                     const char *expected);

void collect_cells (GtkWidget   *widget,
                    FbJobColumn  column,
                    GPtrArray   *cells);

FbJobCell *find_cell (Fixture     *f,
                      FbJobColumn  column,
                      const char  *input);

gboolean cell_shows (gpointer data);

void assert_cell (Fixture     *f,
                  FbJobColumn  column,
                  const char  *input,
                  const char  *expected);

guint n_rows (Fixture *f);

char *write_file (const char *dir,
                  const char *name,
                  const char *contents);

gboolean file_exists (const char *dir,
                      const char *name);

gboolean list_settled (gpointer data);

gint64 frames_in (GtkWidget *widget,
                  double     seconds);

void count_notify_cb (GObject    *object,
                      GParamSpec *pspec,
                      guint      *count);

/* Runs @tests in a process of their own, after it set up a default
 * application of its own, a display and the application. */
int fb_window_test_main (int               argc,
                         char            **argv,
                         const char       *suite_name,
                         const FbTestCase *tests);

G_END_DECLS
