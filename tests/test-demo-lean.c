/* test-demo-lean.c: the demo server's lean path answers the catalog as
 * libsoup's handler does, delays and errors included
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include <libsoup/soup.h>

#include "fb-demo-lean.h"
#include "fb-demo-server.h"
#include "fb-gif.h"
#include "fb-test-utils.h"

static FbDemoServer *
start_server (gboolean lean)
{
  g_autoptr(GError) error = NULL;
  FbDemoServer *server = fb_demo_server_new ();

  fb_demo_server_set_lean_searches (server, lean);
  fb_demo_server_listen (server, 0, &error);
  g_assert_no_error (error);
  return server;
}

static GSocket *
connect_raw (FbDemoServer *server)
{
  GSocket *socket = fb_test_connect_loopback ((guint16) fb_demo_server_get_port (server));

  g_socket_set_blocking (socket, FALSE);
  return socket;
}

static void
send_text (GSocket    *socket,
           const char *text)
{
  CU_ASSERT_EQUAL (g_socket_send (socket, text, strlen (text), NULL, NULL),
                   (gssize) strlen (text));
}

/* What a client has read from one connection. */
typedef struct
{
  GSocket    *socket;
  GByteArray *data;
  gboolean    eof;
  gboolean    head_only;  /* answers to HEAD: Content-Length without a body */
} Reader;

static void
reader_init (Reader  *reader,
             GSocket *socket)
{
  memset (reader, 0, sizeof *reader);
  reader->socket = socket;
  reader->data = g_byte_array_new ();
}

static void
reader_clear (Reader *reader)
{
  g_byte_array_unref (reader->data);
}

static void
reader_pull (Reader *reader)
{
  char buffer[16384];
  gssize n;

  while (!reader->eof
         && (n = g_socket_receive (reader->socket, buffer, sizeof buffer, NULL, NULL)) != -1)
    {
      if (n == 0)
        reader->eof = TRUE;
      else
        g_byte_array_append (reader->data, (const guint8 *) buffer, (guint) n);
    }
}

/* The length of the first whole answer in what was read, or 0. */
static gsize
first_answer_length (Reader *reader)
{
  const char *text = (const char *) reader->data->data;
  const char *end = reader->data->len > 0 ? g_strstr_len (text, reader->data->len, "\r\n\r\n")
                                          : NULL;
  g_autofree char *head = NULL;
  const char *length;
  gsize total;

  if (end == NULL)
    return 0;
  total = (gsize) (end + 4 - text);
  head = g_strndup (text, total);
  length = strstr (head, "\r\nContent-Length: ");
  if (length != NULL && !reader->head_only)
    total += g_ascii_strtoull (length + strlen ("\r\nContent-Length: "), NULL, 10);
  return total <= reader->data->len ? total : 0;
}

static gboolean
has_answer (gpointer data)
{
  Reader *reader = data;

  reader_pull (reader);
  return first_answer_length (reader) > 0;
}

static gboolean
has_eof (gpointer data)
{
  Reader *reader = data;

  reader_pull (reader);
  return reader->eof;
}

/* Takes the next whole answer (waiting for it), with its Date line cut
 * out (the one header that changes by the second); NULL if none came. */
static GBytes *
next_answer (Reader *reader)
{
  gsize length;
  const char *date;
  GByteArray *answer;

  if (!fb_test_wait_until (has_answer, reader, 5.0))
    return NULL;
  length = first_answer_length (reader);
  answer = g_byte_array_new ();
  g_byte_array_append (answer, reader->data->data, (guint) length);
  g_byte_array_remove_range (reader->data, 0, (guint) length);

  date = g_strstr_len ((const char *) answer->data, length, "\r\nDate: ");
  if (date != NULL)
    {
      gsize from = (gsize) (date + 2 - (const char *) answer->data);
      const char *eol = strstr (date + 2, "\r\n");

      g_byte_array_remove_range (answer, (guint) from,
                                 (guint) (eol + 2 - (const char *) answer->data - from));
    }
  return g_byte_array_free_to_bytes (answer);
}

static GBytes *
expected_answer (const char *status_line,
                 const char *content_type,
                 GBytes     *body)
{
  g_autofree char *head =
    g_strdup_printf ("%s\r\nServer: fetchboard-demo libsoup/%u.%u.%u\r\n"
                     "Content-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                     status_line, soup_get_major_version (), soup_get_minor_version (),
                     soup_get_micro_version (), content_type, g_bytes_get_size (body));
  GByteArray *answer = g_byte_array_new ();

  g_byte_array_append (answer, (const guint8 *) head, (guint) strlen (head));
  g_byte_array_append (answer, g_bytes_get_data (body, NULL), (guint) g_bytes_get_size (body));
  return g_byte_array_free_to_bytes (answer);
}

static void
assert_bytes_equal (GBytes *got,
                    GBytes *wanted)
{
  gboolean equal = got != NULL && wanted != NULL && g_bytes_equal (got, wanted);

  CU_ASSERT_TRUE (equal);
  if (!equal && got != NULL)
    g_printerr ("\ngot (%" G_GSIZE_FORMAT " bytes): %.*s\n", g_bytes_get_size (got),
                (int) MIN (g_bytes_get_size (got), 200), (const char *) g_bytes_get_data (got, NULL));
}

/* One request on a fresh connection; returns its answer. */
static GBytes *
ask (FbDemoServer *server,
     const char   *request,
     gboolean      head_only)
{
  g_autoptr(GSocket) socket = connect_raw (server);
  Reader reader;
  GBytes *answer;

  reader_init (&reader, socket);
  reader.head_only = head_only;
  send_text (socket, request);
  answer = next_answer (&reader);
  reader_clear (&reader);
  return answer;
}

static gboolean
requests_reach (gpointer data)
{
  gpointer *args = data;

  return fb_demo_server_get_requests (args[0]) >= GPOINTER_TO_UINT (args[1]);
}

/* ---- tests ---- */

static void
test_demo_lean_answers_exact_bytes (void)
{
  g_autoptr(FbDemoServer) server = start_server (TRUE);
  g_autoptr(GBytes) gif = fb_gif_generate_flag ("BR");
  g_autoptr(GBytes) metadata = g_bytes_new_static (
    "{\"tld_cc\":\".br\",\"iso_cc\":\"BR\",\"country\":\"Brazil\",\"gec_cc\":\"BR\"}", 63);
  g_autoptr(GBytes) not_found = g_bytes_new_static ("Not Found\n", 10);
  g_autoptr(GBytes) want_gif = expected_answer ("HTTP/1.1 200 OK", "image/gif", gif);
  g_autoptr(GBytes) want_metadata = expected_answer ("HTTP/1.0 200 OK", "application/json",
                                                     metadata);
  g_autoptr(GBytes) want_404 = expected_answer ("HTTP/1.1 404 Not Found", "text/plain",
                                                not_found);
  g_autoptr(GBytes) got_gif = NULL;
  g_autoptr(GBytes) got_metadata = NULL;
  g_autoptr(GBytes) got_404 = NULL;
  g_autoptr(GBytes) got_other_404 = NULL;

  got_gif = ask (server, "GET /flags/br/br.gif HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", FALSE);
  assert_bytes_equal (got_gif, want_gif);
  got_metadata = ask (server, "GET /flags/br/metadata.json HTTP/1.0\r\n\r\n", FALSE);
  assert_bytes_equal (got_metadata, want_metadata);
  /* A code the server does not serve, with a query as the bench sends. */
  got_404 = ask (server, "GET /flags/zz/zz.gif?n=7 HTTP/1.1\r\nHost: a\r\n\r\n", FALSE);
  assert_bytes_equal (got_404, want_404);
  got_other_404 = ask (server, "GET /favicon.ico HTTP/1.1\r\nHost: a\r\n\r\n", FALSE);
  assert_bytes_equal (got_other_404, want_404);

  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 4);
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 1.0));
  CU_ASSERT_EQUAL (fb_demo_server_get_peak_in_flight (server), 1);
}

static void
test_demo_lean_answers_teapot_at_rate_one (void)
{
  g_autoptr(FbDemoServer) server = start_server (TRUE);
  g_autoptr(GBytes) teapot = g_bytes_new_static ("I'm a Teapot\n", 13);
  g_autoptr(GBytes) want = expected_answer ("HTTP/1.1 418 I'm a Teapot", "text/plain", teapot);

  fb_demo_server_set_error_rate (server, 1.0);
  /* The roll comes before the route: a served code and an unserved one. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) got = ask (server, i == 0
                                   ? "GET /flags/br/br.gif HTTP/1.1\r\nHost: a\r\n\r\n"
                                   : "GET /flags/zz/zz.gif HTTP/1.1\r\nHost: a\r\n\r\n", FALSE);

      assert_bytes_equal (got, want);
    }
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 2);
}

/* The same requests to libsoup's path and the lean path: the same bytes
 * (but for the Date), whichever path answers. */
static void
test_demo_lean_answers_as_libsoup (void)
{
  static const struct { const char *request; gboolean head_only; } cases[] = {
    { "GET /flags/jp/jp.gif HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", FALSE },
    { "GET /flags/ci/metadata.json?x=1 HTTP/1.1\r\nhost: a\r\n\r\n", FALSE },
    { "GET /flags/gb/metadata.json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", FALSE },
    { "GET /flags/BR/BR.gif HTTP/1.1\r\nHost: a\r\n\r\n", FALSE },
    { "GET /flags/br/ HTTP/1.1\r\nHost: a\r\n\r\n", FALSE },
    { "GET /flags HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", FALSE },
    /* Through libsoup on the lean server too: */
    { "GET /flags/../flags/br/br.gif HTTP/1.1\r\nHost: a\r\n\r\n", FALSE },
    { "GET /flags/%62r/br.gif HTTP/1.1\r\nHost: a\r\n\r\n", FALSE },
    { "HEAD /flags/br/br.gif HTTP/1.1\r\nHost: a\r\n\r\n", TRUE },
    { "POST /flags/br/br.gif HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", FALSE },
    { "GET /flags/br/br.gif HTTP/1.1\r\n\r\n", FALSE },
  };
  g_autoptr(FbDemoServer) libsoup = start_server (FALSE);
  g_autoptr(FbDemoServer) lean = start_server (TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) wanted = ask (libsoup, cases[i].request, cases[i].head_only);
      g_autoptr(GBytes) got = ask (lean, cases[i].request, cases[i].head_only);

      CU_ASSERT_PTR_NOT_NULL (wanted);
      assert_bytes_equal (got, wanted);
      if (got == NULL || wanted == NULL || !g_bytes_equal (got, wanted))
        g_printerr ("case %u: %s\n", i, cases[i].request);
    }
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (lean), fb_demo_server_get_requests (libsoup));
}

static gboolean
mark_time_cb (gpointer data)
{
  *(gint64 *) data = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static void
test_demo_lean_delay_holds_the_answer (void)
{
  g_autoptr(FbDemoServer) server = start_server (TRUE);
  g_autoptr(GSocket) socket = connect_raw (server);
  g_autoptr(GBytes) gif = fb_gif_generate_flag ("FR");
  g_autoptr(GBytes) want = expected_answer ("HTTP/1.1 200 OK", "image/gif", gif);
  g_autoptr(GBytes) got = NULL;
  gpointer args[2] = { server, GUINT_TO_POINTER (1) };
  gint64 timer_at = 0;
  gint64 answered_at;
  Reader reader;

  reader_init (&reader, socket);
  fb_demo_server_set_delay (server, 0.4, 0.4);
  send_text (socket, "GET /flags/fr/fr.gif HTTP/1.1\r\nHost: a\r\n\r\n");
  CU_ASSERT_TRUE (fb_test_wait_until (requests_reach, args, 2.0));
  /* Taken and held: in flight, nothing sent yet. */
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), 1);
  g_timeout_add (100, mark_time_cb, &timer_at);
  reader_pull (&reader);
  CU_ASSERT_EQUAL (reader.data->len, 0);

  got = next_answer (&reader);
  answered_at = g_get_monotonic_time ();
  assert_bytes_equal (got, want);
  /* The loop ran meanwhile, and the other timer came first. */
  CU_ASSERT_TRUE (timer_at != 0 && timer_at < answered_at);
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 1.0));
  CU_ASSERT_EQUAL (fb_demo_server_get_peak_in_flight (server), 1);
  reader_clear (&reader);
}

typedef struct
{
  Reader  *readers;
  guint    n;
  gboolean done[12];
  guint    n_done;
  guint    held_before_each[12];  /* in flight when each answer was read */
  FbDemoServer *server;
} Many;

static gboolean
many_done (gpointer data)
{
  Many *many = data;

  for (guint i = 0; i < many->n; i++)
    if (!many->done[i] && has_answer (&many->readers[i]))
      {
        many->done[i] = TRUE;
        many->held_before_each[many->n_done++] = fb_demo_server_get_in_flight (many->server);
      }
  return many->n_done == many->n;
}

static void
test_demo_lean_holds_many_at_once (void)
{
  g_autoptr(FbDemoServer) server = start_server (TRUE);
  g_autoptr(GBytes) metadata = g_bytes_new_static (
    "{\"tld_cc\":\".de\",\"iso_cc\":\"DE\",\"country\":\"Germany\",\"gec_cc\":\"DE\"}", 64);
  g_autoptr(GBytes) want = expected_answer ("HTTP/1.1 200 OK", "application/json", metadata);
  GSocket *sockets[12];
  Reader readers[12];
  Many many = { readers, G_N_ELEMENTS (readers), { 0 }, 0, { 0 }, server };
  gpointer args[2] = { server, GUINT_TO_POINTER (G_N_ELEMENTS (sockets)) };

  /* Twelve connections, each held for a random 0.2–0.6 s: all in flight
   * at once in the one timer queue, then every answer exact. */
  fb_demo_server_set_delay (server, 0.2, 0.6);
  for (guint i = 0; i < G_N_ELEMENTS (sockets); i++)
    {
      sockets[i] = connect_raw (server);
      reader_init (&readers[i], sockets[i]);
      send_text (sockets[i], "GET /flags/de/metadata.json HTTP/1.1\r\nHost: a\r\n\r\n");
    }
  CU_ASSERT_TRUE (fb_test_wait_until (requests_reach, args, 2.0));
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), G_N_ELEMENTS (sockets));
  CU_ASSERT_EQUAL (fb_demo_server_get_peak_in_flight (server), G_N_ELEMENTS (sockets));

  CU_ASSERT_TRUE (fb_test_wait_until (many_done, &many, 5.0));
  /* Each answer counted down before the client read it. */
  for (guint i = 0; i < many.n_done; i++)
    CU_ASSERT_TRUE (many.held_before_each[i] <= G_N_ELEMENTS (sockets) - 1 - i);
  for (guint i = 0; i < G_N_ELEMENTS (sockets); i++)
    {
      g_autoptr(GBytes) got = next_answer (&readers[i]);

      assert_bytes_equal (got, want);
      reader_clear (&readers[i]);
      g_object_unref (sockets[i]);
    }
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 1.0));
}

static void
test_demo_lean_client_hangs_up_during_delay (void)
{
  g_autoptr(FbDemoServer) server = start_server (TRUE);
  gpointer args[2] = { server, GUINT_TO_POINTER (2) };
  guint baseline = fb_test_count_open_sockets ();
  GSocket *first = connect_raw (server);
  GSocket *second = connect_raw (server);

  fb_demo_server_set_delay (server, 1.5, 1.5);
  send_text (first, "GET /flags/br/br.gif HTTP/1.1\r\nHost: a\r\n\r\n");
  /* Bytes of a next request wait behind the held one, unread. */
  send_text (second, "GET /flags/us/us.gif HTTP/1.1\r\nHost: a\r\n\r\n"
                     "GET /flags/us/us.gif HTTP/1.1\r\nHo");
  CU_ASSERT_TRUE (fb_test_wait_until (requests_reach, args, 2.0));
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), 2);

  g_object_unref (first);   /* closes it */
  g_object_unref (second);
  /* Well before the delay is over: the counters come down and both
   * connections close. */
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 0.8));
  CU_ASSERT_TRUE (fb_test_wait_until (fb_test_open_sockets_are, GUINT_TO_POINTER (baseline), 0.8));
  /* Past the delay nothing fires on what is gone. */
  fb_test_spin (1.0);
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), 0);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 2);
  CU_ASSERT_EQUAL (fb_test_count_open_sockets (), baseline);
}

static void
test_demo_lean_half_close_answers_at_once (void)
{
  g_autoptr(FbDemoServer) server = start_server (TRUE);
  g_autoptr(GSocket) socket = connect_raw (server);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  gint64 start;
  Reader reader;

  /* As libsoup's hang-up watch: a client that ends its input during a
   * delay gets the answers at once, then the connection closes. */
  reader_init (&reader, socket);
  fb_demo_server_set_delay (server, 30.0, 30.0);
  send_text (socket, "GET /flags/br/br.gif HTTP/1.1\r\nHost: a\r\n\r\n"
                     "GET /flags/zz/zz.gif HTTP/1.1\r\nHost: a\r\n\r\n");
  start = g_get_monotonic_time ();
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  first = next_answer (&reader);
  second = next_answer (&reader);
  CU_ASSERT_TRUE (first != NULL && g_str_has_prefix (g_bytes_get_data (first, NULL),
                                                     "HTTP/1.1 200 OK\r\n"));
  CU_ASSERT_TRUE (second != NULL && g_str_has_prefix (g_bytes_get_data (second, NULL),
                                                      "HTTP/1.1 404 Not Found\r\n"));
  CU_ASSERT_TRUE (fb_test_wait_until (has_eof, &reader, 5.0));
  CU_ASSERT (g_get_monotonic_time () - start < 10 * G_USEC_PER_SEC);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 2);
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 1.0));
  reader_clear (&reader);
}

static void
test_demo_lean_keeps_alive_and_pipelines (void)
{
  g_autoptr(FbDemoServer) server = start_server (TRUE);
  g_autoptr(GSocket) socket = connect_raw (server);
  g_autoptr(GBytes) gif = fb_gif_generate_flag ("CN");
  g_autoptr(GBytes) not_found = g_bytes_new_static ("Not Found\n", 10);
  g_autoptr(GBytes) want_gif = expected_answer ("HTTP/1.1 200 OK", "image/gif", gif);
  g_autoptr(GBytes) want_404 = expected_answer ("HTTP/1.1 404 Not Found", "text/plain",
                                                not_found);
  Reader reader;

  reader_init (&reader, socket);
  fb_demo_server_set_delay (server, 0.1, 0.2);
  /* One after the other on one connection. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) got = NULL;

      send_text (socket, "GET /flags/cn/cn.gif HTTP/1.1\r\nHost: a\r\n\r\n");
      got = next_answer (&reader);
      assert_bytes_equal (got, want_gif);
    }
  CU_ASSERT_FALSE (reader.eof);

  /* Three pipelined in one write: answered in order, one held at a time
   * (libsoup reads the next request after the answer). */
  send_text (socket, "GET /flags/cn/cn.gif HTTP/1.1\r\nHost: a\r\n\r\n"
                     "GET /flags/qq/qq.gif HTTP/1.1\r\nHost: a\r\n\r\n"
                     "GET /flags/cn/cn.gif HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) got = next_answer (&reader);

      assert_bytes_equal (got, i == 1 ? want_404 : want_gif);
    }
  CU_ASSERT_TRUE (fb_test_wait_until (has_eof, &reader, 2.0));
  CU_ASSERT_EQUAL (reader.data->len, 0);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 6);
  CU_ASSERT_EQUAL (fb_demo_server_get_peak_in_flight (server), 1);
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 1.0));
  reader_clear (&reader);
}

static void
test_demo_lean_waits_for_a_whole_head (void)
{
  static const char * const parts[] = {
    "GET /flags/br/br.g", "if HTTP/1.1\r\nHo", "st: a\r\n", "\r", "\nGET /flags/br/metadata.json HTTP/1.1\r\n",
  };
  g_autoptr(FbDemoServer) server = start_server (TRUE);
  g_autoptr(GSocket) socket = connect_raw (server);
  g_autoptr(GBytes) gif = fb_gif_generate_flag ("BR");
  g_autoptr(GBytes) want_gif = expected_answer ("HTTP/1.1 200 OK", "image/gif", gif);
  g_autoptr(GBytes) got_gif = NULL;
  g_autoptr(GBytes) got_metadata = NULL;
  Reader reader;

  reader_init (&reader, socket);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      send_text (socket, parts[i]);
      fb_test_spin (0.05);
      /* Nothing is taken before its head's empty line. */
      CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), i < 4 ? 0 : 1);
    }
  got_gif = next_answer (&reader);
  assert_bytes_equal (got_gif, want_gif);
  fb_test_spin (0.05);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 1);
  send_text (socket, "Host: a\r\n\r\n");
  got_metadata = next_answer (&reader);
  CU_ASSERT_TRUE (got_metadata != NULL
                  && g_str_has_prefix (g_bytes_get_data (got_metadata, NULL), "HTTP/1.1 200 OK\r\n"));
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 2);
  reader_clear (&reader);
}

static void
test_demo_lean_hands_over_mid_connection (void)
{
  g_autoptr(FbDemoServer) server = start_server (TRUE);
  g_autoptr(GSocket) socket = connect_raw (server);
  g_autoptr(GBytes) gif = fb_gif_generate_flag ("IN");
  g_autoptr(GBytes) want_gif = expected_answer ("HTTP/1.1 200 OK", "image/gif", gif);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) head = NULL;
  g_autoptr(GBytes) last = NULL;
  Reader reader;

  /* A GIF on the lean path, then HEAD (libsoup takes the connection),
   * then a GIF again, now from libsoup: the same bytes. */
  reader_init (&reader, socket);
  fb_demo_server_set_delay (server, 0.05, 0.05);
  send_text (socket, "GET /flags/in/in.gif HTTP/1.1\r\nHost: a\r\n\r\n");
  first = next_answer (&reader);
  assert_bytes_equal (first, want_gif);
  send_text (socket, "HEAD /flags/in/in.gif HTTP/1.1\r\nHost: a\r\n\r\n");
  reader.head_only = TRUE;
  head = next_answer (&reader);
  reader.head_only = FALSE;
  CU_ASSERT_TRUE (head != NULL && g_bytes_get_size (head) + g_bytes_get_size (gif)
                                  == g_bytes_get_size (want_gif));
  send_text (socket, "GET /flags/in/in.gif HTTP/1.1\r\nHost: a\r\n\r\n");
  last = next_answer (&reader);
  assert_bytes_equal (last, want_gif);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 3);
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 1.0));
  reader_clear (&reader);
}

static void
test_demo_lean_parse_get (void)
{
  static const struct { const char *head; const char *path; gboolean keep_alive; } cases[] = {
    { "GET /flags/br/br.gif HTTP/1.1\r\nHost: a\r\n\r\n", "/flags/br/br.gif", TRUE },
    { "GET /flags/br/br.gif?n=1 HTTP/1.1\r\nHost: 127.0.0.1:8001\r\n\r\n", "/flags/br/br.gif", TRUE },
    { "GET /flags/br/metadata.json HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
      "/flags/br/metadata.json", FALSE },
    /* libsoup never keeps an HTTP/1.0 connection for the demo's answers. */
    { "GET /a.b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "/a.b", FALSE },
    { "GET /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", "/x",
      FALSE },
    /* Not plain, or not a GET it may take: libsoup decides. */
    { "GET /flags/../flags/br/br.gif HTTP/1.1\r\nHost: a\r\n\r\n", NULL, FALSE },
    { "GET /flags/./br.gif HTTP/1.1\r\nHost: a\r\n\r\n", NULL, FALSE },
    { "GET /flags/.. HTTP/1.1\r\nHost: a\r\n\r\n", NULL, FALSE },
    { "GET //flags HTTP/1.1\r\nHost: a\r\n\r\n", NULL, FALSE },
    { "GET /flags/%62r HTTP/1.1\r\nHost: a\r\n\r\n", NULL, FALSE },
    { "GET /flags/br/br.gif#x HTTP/1.1\r\nHost: a\r\n\r\n", NULL, FALSE },
    { "GET /x HTTP/1.1\r\nHost: a b\r\n\r\n", NULL, FALSE },
    { "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", NULL, FALSE },
    { "GET /x HTTP/1.1\r\nHost:\r\n\r\n", NULL, FALSE },
    { "GET /x HTTP/1.1\r\n\r\n", NULL, FALSE },
    { "HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n", NULL, FALSE },
    { "GET /search?q=a HTTP/1.1\r\nHost: a\r\n\r\n", NULL, FALSE },
    { "GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n", NULL, FALSE },
    { "GET /x HTTP/1.1\r\nHost: a\r\n", NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = NULL;
      gboolean keep_alive = !cases[i].keep_alive;
      gboolean taken = _fb_demo_lean_parse_get (cases[i].head, strlen (cases[i].head), &path,
                                                &keep_alive);

      CU_ASSERT_EQUAL (taken, cases[i].path != NULL);
      if (taken != (cases[i].path != NULL))
        g_printerr ("\ncase %u: %s\n", i, cases[i].head);
      if (!taken || cases[i].path == NULL)
        continue;
      CU_ASSERT_STRING_EQUAL (path, cases[i].path);
      CU_ASSERT_EQUAL (keep_alive, cases[i].keep_alive);
    }
}

static void
test_demo_lean_stop_drops_held_answers (void)
{
  g_autoptr(FbDemoServer) server = start_server (TRUE);
  g_autoptr(GSocket) socket = connect_raw (server);
  gpointer args[2] = { server, GUINT_TO_POINTER (1) };
  Reader reader;

  reader_init (&reader, socket);
  fb_demo_server_set_delay (server, 5.0, 5.0);
  send_text (socket, "GET /flags/br/br.gif HTTP/1.1\r\nHost: a\r\n\r\n");
  CU_ASSERT_TRUE (fb_test_wait_until (requests_reach, args, 2.0));
  fb_demo_server_stop (server);
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), 0);
  CU_ASSERT_TRUE (fb_test_wait_until (has_eof, &reader, 2.0));
  CU_ASSERT_EQUAL (reader.data->len, 0);
  reader_clear (&reader);
}

static const FbTestCase tests[] = {
  FB_TEST (test_demo_lean_answers_exact_bytes),
  FB_TEST (test_demo_lean_answers_teapot_at_rate_one),
  FB_TEST (test_demo_lean_answers_as_libsoup),
  FB_TEST (test_demo_lean_delay_holds_the_answer),
  FB_TEST (test_demo_lean_holds_many_at_once),
  FB_TEST (test_demo_lean_client_hangs_up_during_delay),
  FB_TEST (test_demo_lean_half_close_answers_at_once),
  FB_TEST (test_demo_lean_keeps_alive_and_pipelines),
  FB_TEST (test_demo_lean_waits_for_a_whole_head),
  FB_TEST (test_demo_lean_hands_over_mid_connection),
  FB_TEST (test_demo_lean_parse_get),
  FB_TEST (test_demo_lean_stop_drops_held_answers),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "demo-lean", tests);
}
