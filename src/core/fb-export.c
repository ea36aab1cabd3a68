/* fb-export.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-export"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "fb-export.h"
#include "fb-json-check.h"

/* The SVG's geometry, in pixels. */
#define SVG_WIDTH    960
#define SVG_HEIGHT   520
#define PLOT_LEFT    70
#define PLOT_RIGHT   (SVG_WIDTH - 30)
#define PLOT_TOP     50
#define PLOT_BOTTOM  340
#define STRIP_TOP    380
#define STRIP_ROW    16

static const char *const state_colours[] = {
  [FB_JOB_STATE_PENDING] = "#9a9996",
  [FB_JOB_STATE_OK] = "#26a269",
  [FB_JOB_STATE_NOT_FOUND] = "#77767b",
  [FB_JOB_STATE_ERROR] = "#c01c28",
  [FB_JOB_STATE_CANCELLED] = "#e5a50a",
};

gboolean
fb_export_format_from_string (const char     *text,
                              FbExportFormat *format)
{
  static const char *const names[] = { "json", "csv", "svg" };

  g_return_val_if_fail (format != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (text, names[i]) == 0)
      {
        *format = i;
        return TRUE;
      }
  return FALSE;
}

const char *
fb_export_format_extension (FbExportFormat format)
{
  switch (format)
    {
    case FB_EXPORT_JSON:
      return "json";
    case FB_EXPORT_CSV:
      return "csv";
    case FB_EXPORT_SVG:
      return "svg";
    default:
      g_return_val_if_reached ("");
    }
}

char *
fb_export_format_time (gint64 wall_us)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *seconds = NULL;

  if (wall_us == 0)
    return NULL;
  time = g_date_time_new_from_unix_utc (wall_us / G_USEC_PER_SEC);
  if (time == NULL)
    return NULL;
  seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%06dZ", seconds, (int) (wall_us % G_USEC_PER_SEC));
}

/* ---- JSON ---- */

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, value);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          gint64       wall_us)
{
  g_autofree char *text = fb_export_format_time (wall_us);

  add_string (builder, name, text);
}

char *
fb_export_json (const FbJournalRun *run,
                GPtrArray          *jobs)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_return_val_if_fail (run != NULL, NULL);
  g_return_val_if_fail (jobs != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "run");
  json_builder_begin_object (builder);
  add_int (builder, "id", run->id);
  add_string (builder, "kind", run->kind);
  add_time (builder, "created", run->created);
  add_time (builder, "ended", run->ended);
  add_string (builder, "destination", run->destination);
  json_builder_set_member_name (builder, "settings");
  if (run->settings != NULL && fb_json_check (run->settings, strlen (run->settings), NULL)
      && json_parser_load_from_data (parser, run->settings, -1, NULL))
    json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (builder);
  add_int (builder, "total", run->n_total);
  add_int (builder, "ok", run->n_ok);
  add_int (builder, "not_found", run->n_not_found);
  add_int (builder, "error", run->n_error);
  add_int (builder, "cancelled", run->n_cancelled);
  add_int (builder, "pending", run->n_pending);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "jobs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < jobs->len; i++)
    {
      const FbJournalJob *job = jobs->pdata[i];

      json_builder_begin_object (builder);
      add_int (builder, "index", job->index);
      add_string (builder, "kind", fb_journal_kind_to_string (job->kind));
      add_string (builder, "input", job->input);
      add_string (builder, "source", job->source);
      add_int (builder, "line", job->source_line);
      add_string (builder, "state", fb_journal_state_to_string (job->state));
      add_int (builder, "http_status", job->http_status);
      add_int (builder, "bytes_received", (gint64) job->bytes_received);
      add_int (builder, "bytes_expected", job->bytes_expected);
      add_string (builder, "validator", job->validator);
      add_int (builder, "attempts", job->attempts);
      json_builder_set_member_name (builder, "times");
      json_builder_begin_object (builder);
      for (guint p = 0; p < G_N_ELEMENTS (fb_journal_phases); p++)
        add_time (builder, fb_journal_phase_to_string (fb_journal_phases[p]),
                  job->phase_time[fb_journal_phases[p]]);
      json_builder_end_object (builder);
      add_string (builder, "message", job->message);
      add_string (builder, "error", job->error);
      add_string (builder, "saved_path", job->saved_path);
      add_string (builder, "part_path", job->part_path);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);
  return g_strconcat (text, "\n", NULL);
}

/* ---- CSV ---- */

static void
csv_field (GString    *out,
           const char *value)
{
  if (value == NULL)
    value = "";
  if (strpbrk (value, ",\"\r\n") == NULL)
    g_string_append (out, value);
  else
    {
      g_string_append_c (out, '"');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
}

static void
csv_number (GString *out,
            gint64   value)
{
  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

char *
fb_export_csv (const FbJournalRun *run,
               GPtrArray          *jobs)
{
  GString *out = g_string_new ("run,index,kind,input,source,line,state,http_status,"
                               "bytes_received,bytes_expected,validator,attempts");

  g_return_val_if_fail (run != NULL, NULL);
  g_return_val_if_fail (jobs != NULL, NULL);

  for (guint p = 0; p < G_N_ELEMENTS (fb_journal_phases); p++)
    g_string_append_printf (out, ",%s", fb_journal_phase_to_string (fb_journal_phases[p]));
  g_string_append (out, ",message,error,saved_path,part_path\r\n");

  for (guint i = 0; i < jobs->len; i++)
    {
      const FbJournalJob *job = jobs->pdata[i];

      csv_number (out, run->id);
      g_string_append_c (out, ',');
      csv_number (out, job->index);
      g_string_append_c (out, ',');
      csv_field (out, fb_journal_kind_to_string (job->kind));
      g_string_append_c (out, ',');
      csv_field (out, job->input);
      g_string_append_c (out, ',');
      csv_field (out, job->source);
      g_string_append_c (out, ',');
      csv_number (out, job->source_line);
      g_string_append_c (out, ',');
      csv_field (out, fb_journal_state_to_string (job->state));
      g_string_append_c (out, ',');
      csv_number (out, job->http_status);
      g_string_append_c (out, ',');
      csv_number (out, (gint64) job->bytes_received);
      g_string_append_c (out, ',');
      csv_number (out, job->bytes_expected);
      g_string_append_c (out, ',');
      csv_field (out, job->validator);
      g_string_append_c (out, ',');
      csv_number (out, job->attempts);
      for (guint p = 0; p < G_N_ELEMENTS (fb_journal_phases); p++)
        {
          g_autofree char *time = fb_export_format_time (job->phase_time[fb_journal_phases[p]]);

          g_string_append_c (out, ',');
          csv_field (out, time);
        }
      g_string_append_c (out, ',');
      csv_field (out, job->message);
      g_string_append_c (out, ',');
      csv_field (out, job->error);
      g_string_append_c (out, ',');
      csv_field (out, job->saved_path);
      g_string_append_c (out, ',');
      csv_field (out, job->part_path);
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

/* ---- SVG ---- */

/* Locale-independent numbers: a comma decimal point breaks SVG. */
static const char *
num (char   *buffer,
     double  value)
{
  return g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, "%.1f", value);
}

static void
svg_text (GString    *out,
          double      x,
          double      y,
          const char *anchor,
          const char *extra,
          const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  char bx[G_ASCII_DTOSTR_BUF_SIZE];
  char by[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\"%s>%s</text>\n",
                          num (bx, x), num (by, y), anchor, extra != NULL ? extra : "",
                          escaped);
}

/* A tick step of 1, 2 or 5 × 10^k that gives about @n ticks over @range. */
static double
nice_step (double range,
           guint  n)
{
  double raw = range / n;
  double magnitude = pow (10, floor (log10 (raw)));
  double fraction = raw / magnitude;

  if (fraction <= 1)
    return magnitude;
  if (fraction <= 2)
    return 2 * magnitude;
  if (fraction <= 5)
    return 5 * magnitude;
  return 10 * magnitude;
}

static gint64
job_start (const FbJournalJob *job)
{
  for (FbJobPhase p = FB_JOB_PHASE_RESOLVING; p < FB_JOB_PHASE_DONE; p++)
    if (job->phase_time[p] != 0)
      return job->phase_time[p];
  return 0;
}

typedef struct
{
  gint64 time;
  int    delta;
} Event;

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  const Event *ea = a;
  const Event *eb = b;

  if (ea->time != eb->time)
    return ea->time < eb->time ? -1 : 1;
  /* Ends before starts at the same instant: no false peak. */
  return ea->delta - eb->delta;
}

char *
fb_export_svg (const FbJournalRun *run,
               GPtrArray          *jobs,
               GArray             *limits)
{
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (Event));
  g_autoptr(GDateTime) created = NULL;
  g_autofree char *date = NULL;
  g_autofree char *title = NULL;
  g_autofree char *number = NULL;
  GString *out = g_string_new (NULL);
  char b1[G_ASCII_DTOSTR_BUF_SIZE];
  char b2[G_ASCII_DTOSTR_BUF_SIZE];
  gint64 t0 = run->created;
  gint64 t_end = MAX (run->ended, run->created);
  guint counts[FB_JOB_STATE_CANCELLED + 1] = { 0 };
  guint max_y = 1;
  guint active = 0;
  double duration;
  double x_scale;
  double y_scale;
  double step;
  const FbJobState strip_states[] = {
    FB_JOB_STATE_OK, FB_JOB_STATE_NOT_FOUND, FB_JOB_STATE_ERROR, FB_JOB_STATE_CANCELLED,
  };
  const char *strip_names[] = { _("OK"), _("Not found"), _("Error"), _("Cancelled") };

  g_return_val_if_fail (run != NULL, NULL);
  g_return_val_if_fail (jobs != NULL, NULL);

  for (guint i = 0; i < jobs->len; i++)
    {
      const FbJournalJob *job = jobs->pdata[i];
      gint64 start = job_start (job);
      gint64 done = job->phase_time[FB_JOB_PHASE_DONE];
      Event event;

      counts[job->state]++;
      if (start != 0)
        {
          t0 = MIN (t0, start);
          event.time = start;
          event.delta = 1;
          g_array_append_val (events, event);
          if (done != 0)
            {
              event.time = done;
              event.delta = -1;
              g_array_append_val (events, event);
            }
        }
      t_end = MAX (t_end, done);
    }
  g_array_sort (events, compare_events);
  for (guint i = 0; i < events->len; i++)
    {
      active += g_array_index (events, Event, i).delta;
      max_y = MAX (max_y, active);
    }
  for (guint i = 0; limits != NULL && i < limits->len; i++)
    max_y = MAX (max_y, g_array_index (limits, FbJournalLimit, i).limit);

  duration = MAX ((double) (t_end - t0) / G_USEC_PER_SEC, 0.001);
  x_scale = (PLOT_RIGHT - PLOT_LEFT) / duration;
  y_scale = (double) (PLOT_BOTTOM - PLOT_TOP) / max_y;
#define X(us) (PLOT_LEFT + ((double) ((us) - t0) / G_USEC_PER_SEC) * x_scale)
#define Y(n)  (PLOT_BOTTOM - (double) (n) * y_scale)

  created = g_date_time_new_from_unix_local (run->created / G_USEC_PER_SEC);
  date = created != NULL ? g_date_time_format (created, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
  /* Translators: run number, its kind ("download"), its date */
  number = g_strdup_printf ("%" G_GINT64_FORMAT, run->id);
  title = g_strdup_printf (_("Run %s (%s), %s"), number, run->kind, date);

  g_string_append_printf (out,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                          "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
                          "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
                          SVG_WIDTH, SVG_HEIGHT, SVG_WIDTH, SVG_HEIGHT);
  svg_text (out, SVG_WIDTH / 2.0, 24, "middle", " font-size=\"15\" font-weight=\"bold\"", title);

  /* Axes, ticks and grid. */
  g_string_append_printf (out, "<g stroke=\"#241f31\" stroke-width=\"1\">\n"
                          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
                          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n</g>\n",
                          PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT, PLOT_BOTTOM,
                          PLOT_LEFT, PLOT_TOP, PLOT_LEFT, PLOT_BOTTOM);
  step = nice_step (duration, 8);
  for (double t = 0; t <= duration + step / 1000; t += step)
    {
      double x = PLOT_LEFT + t * x_scale;
      char label[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (out, "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" "
                              "stroke=\"#deddda\"/>\n", num (b1, x), PLOT_TOP, num (b2, x),
                              PLOT_BOTTOM);
      g_ascii_formatd (label, sizeof label, step < 0.01 ? "%.3f" : step < 1 ? "%.2f" : "%.0f",
                       t);
      svg_text (out, x, PLOT_BOTTOM + 16, "middle", NULL, label);
    }
  step = MAX (1, nice_step (max_y, 5));
  for (double n = 0; n <= max_y + step / 1000; n += step)
    {
      char label[32];

      g_snprintf (label, sizeof label, "%.0f", n);
      g_string_append_printf (out, "<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\" "
                              "stroke=\"#deddda\"/>\n", PLOT_LEFT, num (b1, Y (n)), PLOT_RIGHT,
                              num (b2, Y (n)));
      svg_text (out, PLOT_LEFT - 8, Y (n) + 4, "end", NULL, label);
    }
  svg_text (out, (PLOT_LEFT + PLOT_RIGHT) / 2.0, PLOT_BOTTOM + 34, "middle", NULL,
            _("Time since the run started (s)"));
  g_string_append_printf (out, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" "
                          "transform=\"rotate(-90 18 %d)\">",
                          (PLOT_TOP + PLOT_BOTTOM) / 2, (PLOT_TOP + PLOT_BOTTOM) / 2);
  {
    g_autofree char *label = g_markup_escape_text (_("Jobs active"), -1);

    g_string_append_printf (out, "%s</text>\n", label);
  }

  /* The limit over time, as steps. */
  if (limits != NULL && limits->len > 0)
    {
      g_string_append (out, "<polyline fill=\"none\" stroke=\"#e66100\" stroke-width=\"2\" "
                            "stroke-dasharray=\"6 4\" points=\"");
      for (guint i = 0; i < limits->len; i++)
        {
          const FbJournalLimit *limit = &g_array_index (limits, FbJournalLimit, i);
          gint64 time = MAX (limit->time, t0);

          if (i > 0)
            g_string_append_printf (out, "%s,%s ", num (b1, X (time)),
                                    num (b2, Y (g_array_index (limits, FbJournalLimit,
                                                               i - 1).limit)));
          g_string_append_printf (out, "%s,%s ", num (b1, X (time)), num (b2, Y (limit->limit)));
        }
      g_string_append_printf (out, "%s,%s\"/>\n", num (b1, X (t_end)),
                              num (b2, Y (g_array_index (limits, FbJournalLimit,
                                                         limits->len - 1).limit)));
    }

  /* Jobs active, as steps. */
  g_string_append_printf (out, "<polyline fill=\"none\" stroke=\"#1c71d8\" stroke-width=\"2\" "
                          "points=\"%s,%s", num (b1, X (t0)), num (b2, Y (0)));
  active = 0;
  for (guint i = 0; i < events->len;)
    {
      gint64 time = g_array_index (events, Event, i).time;

      /* Every change at one instant makes one step. */
      g_string_append_printf (out, " %s,%s", num (b1, X (time)), num (b2, Y (active)));
      for (; i < events->len && g_array_index (events, Event, i).time == time; i++)
        active += g_array_index (events, Event, i).delta;
      g_string_append_printf (out, " %s,%s", num (b1, X (time)), num (b2, Y (active)));
    }
  if (events->len == 0 || g_array_index (events, Event, events->len - 1).time < t_end)
    g_string_append_printf (out, " %s,%s", num (b1, X (t_end)), num (b2, Y (active)));
  g_string_append (out, "\"/>\n");

  /* Results: when each job ended, one row per final state, a mark per pixel. */
  for (guint r = 0; r < G_N_ELEMENTS (strip_states); r++)
    {
      g_autofree guint8 *marked = g_new0 (guint8, SVG_WIDTH);
      g_autofree char *label = NULL;
      double y = STRIP_TOP + r * STRIP_ROW;

      /* Translators: a result and how many jobs had it, "OK: 12" */
      label = g_strdup_printf (_("%s: %u"), strip_names[r], counts[strip_states[r]]);
      svg_text (out, PLOT_LEFT - 8, y + 11, "end", " font-size=\"11\"", label);
      g_string_append_printf (out, "<g stroke=\"%s\" stroke-width=\"1\">\n",
                              state_colours[strip_states[r]]);
      for (guint i = 0; i < jobs->len; i++)
        {
          const FbJournalJob *job = jobs->pdata[i];
          gint64 done = job->phase_time[FB_JOB_PHASE_DONE];
          int x;

          if (job->state != strip_states[r] || done == 0)
            continue;
          x = CLAMP ((int) lround (X (done)), PLOT_LEFT, PLOT_RIGHT);
          if (marked[x])
            continue;
          marked[x] = 1;
          g_string_append_printf (out, "<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\"/>\n",
                                  x, num (b1, y + 2), x, num (b2, y + STRIP_ROW - 2));
        }
      g_string_append (out, "</g>\n");
    }

  /* Legend. */
  {
    double y = STRIP_TOP + G_N_ELEMENTS (strip_states) * STRIP_ROW + 30;

    g_string_append_printf (out, "<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\" "
                            "stroke=\"#1c71d8\" stroke-width=\"2\"/>\n",
                            PLOT_LEFT, num (b1, y - 4), PLOT_LEFT + 24, num (b2, y - 4));
    svg_text (out, PLOT_LEFT + 30, y, "start", NULL, _("Jobs active"));
    g_string_append_printf (out, "<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\" "
                            "stroke=\"#e66100\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n",
                            PLOT_LEFT + 200, num (b1, y - 4), PLOT_LEFT + 224, num (b2, y - 4));
    svg_text (out, PLOT_LEFT + 230, y, "start", NULL, _("Limit"));
  }
#undef X
#undef Y

  g_string_append (out, "</svg>\n");
  return g_string_free (out, FALSE);
}

char *
fb_export_run (FbJournal       *journal,
               gint64           run_id,
               FbExportFormat   format,
               GError         **error)
{
  g_autoptr(FbJournalRun) run = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GArray) limits = NULL;

  g_return_val_if_fail (FB_IS_JOURNAL (journal), NULL);

  run = fb_journal_get_run (journal, run_id, error);
  if (run == NULL)
    return NULL;
  jobs = fb_journal_list_jobs (journal, run_id, error);
  if (jobs == NULL)
    return NULL;

  switch (format)
    {
    case FB_EXPORT_JSON:
      return fb_export_json (run, jobs);
    case FB_EXPORT_CSV:
      return fb_export_csv (run, jobs);
    case FB_EXPORT_SVG:
      limits = fb_journal_list_limits (journal, run_id, error);
      if (limits == NULL)
        return NULL;
      return fb_export_svg (run, jobs, limits);
    default:
      g_return_val_if_reached (NULL);
    }
}
