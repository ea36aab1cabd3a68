/* test-window-hosts.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the window says about waiting and hosts, driven under a headless X
 * server: a queued job's place in line, a job held by its host's limit or
 * its Retry-After, a retry's countdown, the host view, every phase in the
 * waterfall and the details, long URLs cut in the path, the timeline after
 * a raised limit, and a narrow window. The suite runs in English and again
 * in Simplified Chinese (LANGUAGE=zh_CN, see tests/meson.build).
 * FB_SCREENSHOT_DIR=DIR saves what each test sees as PNG files there.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "fb-hosts.h"
#include "fb-timeline.h"
#include "fb-window-test-utils.h"

static gboolean zh;

/* The same message in the language the suite runs in. */
#define T(english, chinese) (zh ? (chinese) : (english))

/* A window on a demo server answering after @delay, whose drops start at
 * once, and a test server for the statuses the demo server does not give. */
static void
hosts_fixture_setup (Fixture *f,
                     double   delay)
{
  fixture_setup (f, delay, delay);
  g_settings_set_boolean (f->settings, "metadata-names", FALSE);
  g_settings_set_boolean (f->settings, "start-after-drop", TRUE);
  f->test_server = fb_test_server_new ();
}

/* What the person sees, kept when FB_SCREENSHOT_DIR is set. */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("FB_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (dir == NULL || width <= 0 || height <= 0)
    return;
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strdup_printf ("%s-%s.png", name, zh ? "zh_CN" : "en");
  path = g_build_filename (dir, file, NULL);
  gdk_texture_save_to_png (texture, path);
}

/* What a test needed is seen: the rest of its slow run is cancelled rather
 * than waited for (seconds of demo delays, under ASan many more). */
static void
end_run (Fixture *f)
{
  fb_run_cancel (fb_window_get_run (f->window));
  fb_test_wait_until (run_finished, f->window, 30);
}

static FbJob *
job_at (Fixture *f,
        guint    index)
{
  g_autoptr(FbJob) job = g_list_model_get_item (fb_run_get_jobs (fb_window_get_run (f->window)),
                                                index);

  return job;   /* the run keeps it */
}

static void
find_type (GtkWidget *widget,
           GType      type,
           GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    find_type (child, type, found);
}

/* The list's cell of @column that shows @job, or NULL. */
static FbJobCell *
find_job_cell (Fixture     *f,
               FbJob       *job,
               FbJobColumn  column)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  find_type (GTK_WIDGET (fb_window_get_column_view (f->window)), FB_TYPE_JOB_CELL, cells);
  for (guint i = 0; i < cells->len; i++)
    if (fb_job_cell_get_job (cells->pdata[i]) == job &&
        fb_job_cell_get_column (cells->pdata[i]) == column &&
        gtk_widget_get_mapped (cells->pdata[i]))
      return cells->pdata[i];
  return NULL;
}

typedef struct
{
  Fixture    *f;
  FbJob      *job;
  const char *text;
} JobCellWait;

static gboolean
message_cell_shows (gpointer data)
{
  JobCellWait *w = data;
  FbJobCell *cell = find_job_cell (w->f, w->job, FB_JOB_COLUMN_MESSAGE);

  return cell != NULL && g_strcmp0 (fb_job_cell_get_text (cell), w->text) == 0;
}

static gboolean
message_cell_has_prefix (gpointer data)
{
  JobCellWait *w = data;
  FbJobCell *cell = find_job_cell (w->f, w->job, FB_JOB_COLUMN_MESSAGE);

  return cell != NULL && fb_job_cell_get_text (cell) != NULL &&
         g_str_has_prefix (fb_job_cell_get_text (cell), w->text);
}

/* @n different flags of the demo server, as URLs. */
static GString *
flag_urls (Fixture *f,
           guint    n)
{
  g_autofree char *base = fb_demo_server_dup_base_url (f->server);
  const FbCountry *countries;
  guint n_countries = 0;
  GString *urls = g_string_new (NULL);

  countries = fb_countries_get_all (&n_countries);
  g_assert (n <= n_countries);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *code = g_ascii_strdown (countries[i].code, -1);

      g_string_append_printf (urls, "%s/%s/%s.gif\n", base, code, code);
    }
  return urls;
}

typedef struct
{
  FbJobDetails *details;
  const char   *text;
} DetailsWait;

static gboolean
reason_has (gpointer data)
{
  DetailsWait *d = data;
  const char *reason = fb_job_details_get_text (d->details, "reason");

  return reason != NULL && strstr (reason, d->text) != NULL;
}

typedef struct
{
  FbJob *job;
} ActiveWait;

/* Holding its slot: out of the queue, not finished. */
static gboolean
job_active (gpointer data)
{
  ActiveWait *w = data;

  return !fb_job_is_final (w->job) && fb_job_get_queue_place (w->job) == 0 &&
         fb_job_get_phase (w->job) != FB_JOB_PHASE_QUEUED;
}

/* One at a time, 2 s each: the rest say their place in line, the list's
 * rows and the details pane alike, and move up as the line moves. */
static void
test_window_hosts_queued_rows_say_their_place (void)
{
  Fixture f;
  g_autoptr(GString) urls = NULL;
  FbJobDetails *details;
  DetailsWait d;
  ActiveWait a;
  JobCellWait w;

  hosts_fixture_setup (&f, 2.0);
  g_settings_set_uint (f.settings, "concurrent-jobs", 1);
  urls = flag_urls (&f, 6);
  drop_text (&f, urls->str);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (run_running, f.window, 30));
  details = fb_window_get_details (f.window);
  fb_job_details_set_job (details, job_at (&f, 5));

  /* The second job holds the slot: the sixth is 4th in line. */
  a.job = job_at (&f, 1);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (job_active, &a, 30));
  CU_ASSERT_EQUAL (fb_job_get_queue_place (job_at (&f, 2)), 1);
  CU_ASSERT_EQUAL (fb_job_get_queue_place (job_at (&f, 5)), 4);
  w.f = &f;
  w.job = job_at (&f, 5);
  w.text = T ("4th in line", "排第 4 位");
  CU_ASSERT_TRUE (fb_test_wait_until (message_cell_shows, &w, 30));
  w.job = job_at (&f, 2);
  w.text = T ("1st in line", "排第 1 位");
  CU_ASSERT_TRUE (fb_test_wait_until (message_cell_shows, &w, 30));
  d.details = details;
  d.text = T ("4th in line", "排第 4 位");
  CU_ASSERT_TRUE (fb_test_wait_until (reason_has, &d, 30));
  save_screenshot (GTK_WIDGET (f.window), "queue-place");

  /* The next one takes the slot: every row moves up by itself. */
  a.job = job_at (&f, 2);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (job_active, &a, 30));
  w.job = job_at (&f, 5);
  w.text = T ("3rd in line", "排第 3 位");
  CU_ASSERT_TRUE (fb_test_wait_until (message_cell_shows, &w, 30));
  w.job = job_at (&f, 3);
  w.text = T ("1st in line", "排第 1 位");
  CU_ASSERT_TRUE (fb_test_wait_until (message_cell_shows, &w, 30));
  d.text = T ("3rd in line", "排第 3 位");
  CU_ASSERT_TRUE (fb_test_wait_until (reason_has, &d, 30));

  end_run (&f);
  CU_ASSERT_EQUAL (fb_job_get_queue_place (job_at (&f, 5)), 0);
  fixture_teardown (&f);
}

/* Held by the per-host limit, a row names its host and the limit; held by
 * a Retry-After, until when; between attempts, the retry's countdown. */
static void
test_window_hosts_rows_say_why_they_wait (void)
{
  Fixture f;
  g_autoptr(GString) urls = g_string_new (NULL);
  g_autofree char *held_url = NULL;
  g_autofree char *busy_url = NULL;
  g_autofree char *host = NULL;
  g_autofree char *expected = NULL;
  JobCellWait w;

  hosts_fixture_setup (&f, 0.01);
  g_settings_set_uint (f.settings, "concurrent-jobs", 5);
  g_settings_set_uint (f.settings, "per-host", 1);
  g_settings_set_uint (f.settings, "retries", 2);
  /* The first asks to be left alone for 3 s; the second waits behind it. */
  busy_url = fb_test_server_url (f.test_server, "/flaky/busy?fail=1&size=100&after=3");
  held_url = fb_test_server_url (f.test_server, "/file/after.bin?size=100");
  g_string_append_printf (urls, "%s\n%s\n", busy_url, held_url);
  host = fb_hosts_key (busy_url);
  drop_text (&f, urls->str);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (run_running, f.window, 30));

  w.f = &f;
  w.job = job_at (&f, 1);
  /* The hold's end is a time of day: its start is what can be compared. */
  expected = g_strdup_printf (T ("%s asked to wait until ", "%s 要求等到 "), host);
  w.text = expected;
  CU_ASSERT_TRUE (fb_test_wait_until (message_cell_has_prefix, &w, 30));
  save_screenshot (GTK_WIDGET (f.window), "host-hold");

  w.job = job_at (&f, 0);
  w.text = T ("retry 1 of 2 in ", "第 1 次重试（共 2 次），");
  CU_ASSERT_TRUE (fb_test_wait_until (message_cell_has_prefix, &w, 30));
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_job_cell_get_text (find_job_cell (&f, job_at (&f, 0),
                                                                       FB_JOB_COLUMN_MESSAGE)),
                                  "HTTP 503"));
  CU_ASSERT_TRUE (fb_test_wait_until (run_finished, f.window, 120));
  CU_ASSERT_EQUAL (fb_job_get_state (job_at (&f, 0)), FB_JOB_STATE_OK);
  CU_ASSERT_EQUAL (fb_job_get_state (job_at (&f, 1)), FB_JOB_STATE_OK);
  fixture_teardown (&f);

  /* Held by the limit alone: the host and how many run of how many. */
  hosts_fixture_setup (&f, 3.0);
  g_settings_set_uint (f.settings, "concurrent-jobs", 5);
  g_settings_set_uint (f.settings, "per-host", 2);
  g_string_free (urls, TRUE);
  urls = flag_urls (&f, 4);
  drop_text (&f, urls->str);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (run_running, f.window, 30));
  g_clear_pointer (&host, g_free);
  g_clear_pointer (&expected, g_free);
  host = fb_hosts_key (fb_job_get_input (job_at (&f, 3)));
  expected = g_strdup_printf (T ("Waiting for %s: 2 of 2 at once", "等待 %s：正在进行 2 个，上限 2 个"),
                              host);
  w.job = job_at (&f, 3);
  w.text = expected;
  CU_ASSERT_TRUE (fb_test_wait_until (message_cell_shows, &w, 30));
  end_run (&f);
  fixture_teardown (&f);
}

static gboolean
window_is_narrow (gpointer data)
{
  return g_str_equal (fb_window_get_width_class (FB_WINDOW (data)), "narrow");
}

typedef struct
{
  FbHostView *view;
  const char *host;
  const char *summary;
} HostWait;

static gboolean
host_summary_starts (gpointer data)
{
  HostWait *w = data;
  const char *summary = fb_host_view_get_summary (w->view, w->host);

  return summary != NULL && g_str_has_prefix (summary, w->summary);
}

/* The host view: reached from the keyboard, one row per host with its
 * counts, its limit, and a speed while it moves bytes; at 360 px too. */
static void
test_window_hosts_view_counts_each_host (void)
{
  Fixture f;
  g_autoptr(GString) urls = NULL;
  g_autofree char *other = NULL;
  g_autofree char *demo_host = NULL;
  g_autofree char *test_host = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *limit = NULL;
  g_autofree char *layout = NULL;
  FbHostView *view;
  HostWait w;

  g_object_get (gtk_settings_get_default (), "gtk-decoration-layout", &layout, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  hosts_fixture_setup (&f, 2.0);
  g_settings_set_uint (f.settings, "concurrent-jobs", 2);
  g_settings_set_uint (f.settings, "per-host", 3);
  urls = flag_urls (&f, 6);
  other = fb_test_server_url (f.test_server, "/status/404");
  g_string_append_printf (urls, "%s\n", other);
  test_host = fb_hosts_key (other);

  view = fb_window_get_host_view (f.window);
  drop_text (&f, urls->str);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (run_running, f.window, 30));
  CU_ASSERT_FALSE (gtk_widget_get_mapped (GTK_WIDGET (view)));
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-hosts", NULL);
  CU_ASSERT_TRUE (gtk_widget_get_mapped (GTK_WIDGET (view)));
  CU_ASSERT_EQUAL (fb_host_view_get_n_hosts (view), 2);
  g_clear_pointer (&demo_host, g_free);
  demo_host = fb_hosts_key (fb_job_get_input (job_at (&f, 0)));

  /* While it runs: two under way of the demo server's six, four waiting. */
  w.view = view;
  w.host = demo_host;
  w.summary = T ("2 active · 4 waiting · 0 done · 0 failed",
                 "进行中 2 · 等待 4 · 完成 0 · 失败 0");
  CU_ASSERT_TRUE (fb_test_wait_until (host_summary_starts, &w, 30));
  save_screenshot (GTK_WIDGET (f.window), "host-view-running");

  CU_ASSERT_TRUE (fb_test_wait_until (run_finished, f.window, 120));
  limit = g_strdup_printf (T (" · at most %u at once", " · 同时最多 %u 个"), 3);
  expected = g_strdup_printf ("%s\n", T ("0 active · 0 waiting · 6 done · 0 failed",
                                         "进行中 0 · 等待 0 · 完成 6 · 失败 0"));
  w.summary = expected;
  CU_ASSERT_TRUE (fb_test_wait_until (host_summary_starts, &w, 30));
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_host_view_get_summary (view, demo_host), limit));
  w.host = test_host;
  w.summary = T ("0 active · 0 waiting · 0 done · 1 failed", "进行中 0 · 等待 0 · 完成 0 · 失败 1");
  CU_ASSERT_TRUE (fb_test_wait_until (host_summary_starts, &w, 30));
  CU_ASSERT_EQUAL (fb_host_view_get_n_hosts (view), 2);

  /* Usable narrow: the whole window fits 360 px with the view shown. */
  gtk_window_set_default_size (GTK_WINDOW (f.window), 360, 640);
  fb_test_wait_until (window_is_narrow, f.window, 30);
  fb_test_spin (0.5);
  CU_ASSERT_TRUE (gtk_widget_get_width (GTK_WIDGET (f.window)) <= 372);
  CU_ASSERT_TRUE (gtk_widget_get_width (GTK_WIDGET (view)) <= 372);
  save_screenshot (GTK_WIDGET (f.window), "host-view-narrow");

  /* The same key again goes back to the list. */
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-hosts", NULL);
  CU_ASSERT_FALSE (gtk_widget_get_mapped (GTK_WIDGET (view)));
  fixture_teardown (&f);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", layout, NULL);
}

static gboolean
has_phase (FbJob      *job,
           FbJobPhase  phase)
{
  FbJobSpan spans[32];
  guint n = MIN (fb_job_get_spans (job, g_get_monotonic_time (), spans, 32), 32);

  for (guint i = 0; i < n; i++)
    if (spans[i].phase == phase)
      return TRUE;
  return FALSE;
}

static gboolean
waterfall_drew_three (gpointer data)
{
  return fb_waterfall_get_n_drawn (data) == 3;
}

/* A job's phases in the details pane, each with its exact times; the
 * waterfall draws them; the first byte's wait is a phase of its own. */
static void
test_window_hosts_details_show_every_phase (void)
{
  Fixture f;
  g_autoptr(GString) urls = NULL;
  FbJobDetails *details;
  const char *phases;
  g_autofree char *first_byte = NULL;

  hosts_fixture_setup (&f, 0.2);
  g_settings_set_uint (f.settings, "concurrent-jobs", 1);
  urls = flag_urls (&f, 3);
  drop_text (&f, urls->str);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (run_finished, f.window, 120));

  /* The demo server waits 0.2 s before it answers: that is the first byte's wait. */
  CU_ASSERT_TRUE (has_phase (job_at (&f, 2), FB_JOB_PHASE_WAITING));
  CU_ASSERT_TRUE (has_phase (job_at (&f, 2), FB_JOB_PHASE_FIRST_BYTE));
  CU_ASSERT_TRUE (fb_job_get_phase_time (job_at (&f, 2), FB_JOB_PHASE_TRANSFERRING) -
                  fb_job_get_phase_time (job_at (&f, 2), FB_JOB_PHASE_FIRST_BYTE) >=
                  G_USEC_PER_SEC / 5);
  details = fb_window_get_details (f.window);
  fb_job_details_set_job (details, job_at (&f, 2));
  phases = fb_job_details_get_text (details, "phases");
  CU_ASSERT_PTR_NOT_NULL_FATAL (phases);
  first_byte = g_strdup (T ("Waiting for the first byte: from +", "等待首字节：自 +"));
  CU_ASSERT_PTR_NOT_NULL (strstr (phases, first_byte));
  CU_ASSERT_PTR_NOT_NULL (strstr (phases, T ("Waiting for a slot", "等待空位")));
  CU_ASSERT_PTR_NOT_NULL (strstr (phases, T ("Transferring", "正在传输")));

  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-waterfall", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-details", NULL);
  CU_ASSERT_TRUE (fb_test_wait_until (waterfall_drew_three, fb_window_get_waterfall (f.window), 30));
  save_screenshot (GTK_WIDGET (f.window), "waterfall-details");
  fixture_teardown (&f);
}

/* A long URL keeps its host and its file name; the middle of the path goes. */
static void
test_window_hosts_long_url_keeps_host_and_file (void)
{
  const char *url = "http://downloads.example.org/pub/mirrors/releases/2026/12/03/"
                    "images/amd64/netinst/very-long-folder-name/debian-12-netinst.iso";
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *cell = fb_job_cell_new (FB_JOB_COLUMN_NAME);
  const char *shown;

  gtk_widget_set_size_request (cell, 420, -1);
  gtk_window_set_child (GTK_WINDOW (window), cell);
  fb_job_cell_set_job (FB_JOB_CELL (cell), job);
  gtk_window_present (GTK_WINDOW (window));
  fb_test_wait_until (widget_is_mapped, cell, 5);
  fb_test_spin (0.2);

  shown = fb_job_cell_get_shown_text (FB_JOB_CELL (cell));
  CU_ASSERT_PTR_NOT_NULL_FATAL (shown);
  CU_ASSERT_TRUE (g_str_has_prefix (shown, "http://downloads.example.org/"));
  CU_ASSERT_TRUE (g_str_has_suffix (shown, "/…/debian-12-netinst.iso"));
  CU_ASSERT_TRUE (strlen (shown) < strlen (url));
  /* The full URL is still the cell's text (its tooltip and accessible name). */
  CU_ASSERT_STRING_EQUAL (fb_job_cell_get_text (FB_JOB_CELL (cell)), url);
  gtk_window_destroy (GTK_WINDOW (window));
  fb_test_spin (0.05);
}

static FbTimeline *
find_timeline (Fixture *f)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  find_type (GTK_WIDGET (f->window), FB_TYPE_TIMELINE, found);
  return found->len > 0 ? found->pdata[0] : NULL;
}

static gboolean
active_at_least (gpointer data)
{
  Fixture *f = data;

  return fb_run_get_active (fb_window_get_run (f->window)) >= 20;
}

/* Raised from 5 to 50 in the middle of a run, the first part still reads:
 * 5 active stands above a quarter of the height, not a tenth. */
static void
test_window_hosts_timeline_reads_after_raised_limit (void)
{
  Fixture f;
  g_autoptr(GString) urls = NULL;
  FbTimeline *timeline;

  hosts_fixture_setup (&f, 0.6);
  g_settings_set_uint (f.settings, "concurrent-jobs", 5);
  urls = flag_urls (&f, 45);
  drop_text (&f, urls->str);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (run_running, f.window, 30));
  fb_test_spin (1.0);
  gtk_spin_button_set_value (fb_window_get_concurrency_spin (f.window), 50);
  CU_ASSERT_TRUE (fb_test_wait_until (active_at_least, &f, 30));
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (run_finished, f.window, 120));
  fb_test_spin (0.2);

  timeline = find_timeline (&f);
  CU_ASSERT_PTR_NOT_NULL_FATAL (timeline);
  CU_ASSERT_TRUE (fb_timeline_get_peak_active (timeline) >= 20);
  CU_ASSERT_TRUE (fb_timeline_get_level (timeline, 5) > 0.25);
  CU_ASSERT_TRUE (fb_timeline_get_level (timeline, 50) > fb_timeline_get_level (timeline, 5));
  CU_ASSERT_TRUE (fb_timeline_get_level (timeline, 50) < 1.0);
  save_screenshot (GTK_WIDGET (f.window), "timeline-raised");
  fixture_teardown (&f);
}

/* Down to 360 px in either language (Chinese labels used to hold the
 * window at 405 px). */
static void
test_window_hosts_narrow_fits_360 (void)
{
  Fixture f;
  g_autofree char *layout = NULL;
  g_autoptr(GString) urls = NULL;

  g_object_get (gtk_settings_get_default (), "gtk-decoration-layout", &layout, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  hosts_fixture_setup (&f, 0.3);
  urls = flag_urls (&f, 10);
  drop_text (&f, urls->str);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (run_running, f.window, 30));
  gtk_window_set_default_size (GTK_WINDOW (f.window), 360, 700);
  fb_test_wait_until (window_is_narrow, f.window, 30);
  fb_test_spin (0.3);
  CU_ASSERT_TRUE (gtk_widget_get_width (GTK_WIDGET (f.window)) <= 372);
  save_screenshot (GTK_WIDGET (f.window), "narrow-list");
  fb_test_wait_until (run_finished, f.window, 120);
  fb_test_spin (0.2);
  save_screenshot (GTK_WIDGET (f.window), "narrow-finished");
  fixture_teardown (&f);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", layout, NULL);
}

static const FbTestCase tests[] = {
  { "test_window_hosts_queued_rows_say_their_place", test_window_hosts_queued_rows_say_their_place },
  { "test_window_hosts_rows_say_why_they_wait", test_window_hosts_rows_say_why_they_wait },
  { "test_window_hosts_view_counts_each_host", test_window_hosts_view_counts_each_host },
  { "test_window_hosts_details_show_every_phase", test_window_hosts_details_show_every_phase },
  { "test_window_hosts_long_url_keeps_host_and_file",
    test_window_hosts_long_url_keeps_host_and_file },
  { "test_window_hosts_timeline_reads_after_raised_limit",
    test_window_hosts_timeline_reads_after_raised_limit },
  { "test_window_hosts_narrow_fits_360", test_window_hosts_narrow_fits_360 },
  { NULL, NULL }
};

int
main (int   argc,
      char *argv[])
{
  g_autofree char *state = fb_test_make_tmpdir ();
  g_autofree char *localedir = g_build_filename (g_getenv ("FETCHBOARD_BUILD_ROOT") != NULL
                                                 ? g_getenv ("FETCHBOARD_BUILD_ROOT") : ".",
                                                 "po", NULL);
  int status;

  /* The journal: each run of the suite starts with none. */
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  zh = g_strcmp0 (g_getenv ("LANGUAGE"), "zh_CN") == 0;
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  status = fb_window_test_main (argc, argv, zh ? "window-hosts-zh" : "window-hosts", tests);
  fb_test_rm_rf (state);
  return status;
}
