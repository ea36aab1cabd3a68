/* test-finder-server.c: the finder's HTTP endpoints, --root and the TCP line server
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "fb-demo-lean.h"
#include "fb-demo-server.h"
#include "fb-file-root.h"
#include "fb-line-server.h"
#include "fb-test-utils.h"

#define DEADLINE 30.0
#define DASHES "──────────────────────────────────────────────────────────────────"

static FbIndex *unicode_index;

static FbIndex *
get_unicode (void)
{
  if (unicode_index == NULL)
    {
      g_autoptr(GError) error = NULL;

      unicode_index = fb_index_new_unicode (NULL, 32, 0x110000, &error);
      g_assert_no_error (error);
    }
  return unicode_index;
}

/* ---- a blocking client on its own thread, while the main loop serves ---- */

typedef struct
{
  guint       port;
  GBytes     *request;
  gboolean    close_early;   /* hang up after the first bytes of the answer */
  gboolean    half_close;    /* end the input after the request */
  gboolean    done;
  GByteArray *answer;
  gboolean    reset;         /* the server dropped the connection */
} Exchange;

static gpointer
exchange_worker (gpointer data)
{
  Exchange *exchange = data;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, exchange->port);
  gsize length;
  const char *request = g_bytes_get_data (exchange->request, &length);
  gsize sent = 0;
  char buffer[16384];

  g_socket_set_timeout (socket, (guint) DEADLINE);
  exchange->answer = g_byte_array_new ();
  if (!g_socket_connect (socket, address, NULL, NULL))
    goto out;
  while (sent < length)
    {
      gssize n = g_socket_send (socket, request + sent, length - sent, NULL, NULL);

      if (n <= 0)
        {
          exchange->reset = TRUE;
          break;
        }
      sent += (gsize) n;
    }
  /* Our end of input, as `printf … | nc` gives. */
  if (exchange->half_close && !exchange->reset)
    g_socket_shutdown (socket, FALSE, TRUE, NULL);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      if (n < 0)
        exchange->reset = TRUE;
      if (n <= 0)
        break;
      g_byte_array_append (exchange->answer, (guint8 *) buffer, (guint) n);
      if (exchange->close_early)
        break;
    }

out:
  g_socket_close (socket, NULL);
  g_atomic_int_set (&exchange->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

/* Sends @request to 127.0.0.1:@port and returns all it got back, NUL-ended. */
static char *
exchange_full (guint        port,
               const char  *request,
               gsize        length,
               gboolean     close_early,
               gboolean    *reset)
{
  /* libsoup takes a half-closed connection for a closed one: HTTP/1.0
   * requests end with the server's close instead. */
  gboolean half_close = !g_str_has_prefix (request, "GET ");
  Exchange exchange = { port, g_bytes_new (request, length), close_early, half_close, FALSE,
                        NULL, FALSE };
  GThread *thread = g_thread_new ("client", exchange_worker, &exchange);

  CU_ASSERT_TRUE (fb_test_wait_flag (&exchange.done, DEADLINE));
  g_thread_join (thread);
  g_bytes_unref (exchange.request);
  if (reset != NULL)
    *reset = exchange.reset;
  g_byte_array_append (exchange.answer, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (exchange.answer, FALSE);
}

static char *
exchange_text (guint       port,
               const char *request)
{
  return exchange_full (port, request, strlen (request), FALSE, NULL);
}

/* GET @path over HTTP/1.0; returns the body, sets the status and headers. */
static char *
http_get (guint        port,
          const char  *path,
          guint       *status,
          char       **headers)
{
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
  g_autofree char *answer = exchange_text (port, request);
  const char *end = strstr (answer, "\r\n\r\n");

  *status = 0;
  if (end == NULL || sscanf (answer, "HTTP/1.%*d %u", status) != 1)
    return g_strdup ("");
  if (headers != NULL)
    *headers = g_strndup (answer, (gsize) (end - answer));
  return g_strdup (end + 4);
}

static FbDemoServer *
start_server (const char *root)
{
  g_autoptr(GError) error = NULL;
  FbDemoServer *server = fb_demo_server_new ();

  fb_demo_server_set_root (server, root);
  /* As serve runs it: searches on the lean path, the rest through libsoup. */
  fb_demo_server_set_lean_searches (server, TRUE);
  CU_ASSERT_TRUE (fb_demo_server_listen (server, 0, &error));
  g_assert_no_error (error);
  return server;
}

/* ---- HTTP ---- */

static void
test_finder_http_search_is_the_book_json (void)
{
  g_autoptr(FbDemoServer) server = start_server (NULL);
  guint port = fb_demo_server_get_port (server);
  guint status = 0;
  g_autofree char *headers = NULL;
  g_autofree char *dollar = http_get (port, "/search?q=dollar%20sign", &status, &headers);
  guint none_status = 0;
  g_autofree char *none = http_get (port, "/search?q=brillig", &none_status, NULL);
  guint empty_status = 0;
  g_autofree char *empty = http_get (port, "/search", &empty_status, NULL);
  guint cat_status = 0;
  g_autofree char *cats = http_get (port, "/search?q=CAT+face", &cat_status, NULL);
  guint quote_status = 0;
  g_autofree char *quote = http_get (port, "/search?q=quotation%20mark%20reverse%20solidus",
                                     &quote_status, NULL);

  CU_ASSERT_EQUAL (status, 200);
  CU_ASSERT_PTR_NOT_NULL (strstr (headers, "Content-Type: application/json"));
  /* Sorted by character: $ first, then the dollar signs elsewhere. */
  CU_ASSERT_TRUE (g_str_has_prefix (dollar, "[{\"char\":\"$\",\"name\":\"DOLLAR SIGN\"},"
                                            "{\"char\":\"﹩\",\"name\":\"SMALL DOLLAR SIGN\"}"));
  CU_ASSERT_EQUAL (none_status, 200);
  CU_ASSERT_STRING_EQUAL (none, "[]");
  CU_ASSERT_EQUAL (empty_status, 200);
  CU_ASSERT_STRING_EQUAL (empty, "[]");
  CU_ASSERT_EQUAL (cat_status, 200);
  CU_ASSERT_TRUE (g_str_has_prefix (cats, "[{\"char\":\"🐱\",\"name\":\"CAT FACE\"},"
                                          "{\"char\":\"😸\",\"name\":\"GRINNING CAT FACE WITH "
                                          "SMILING EYES\"},"));
  CU_ASSERT_TRUE (g_str_has_suffix (cats, "{\"char\":\"🙀\",\"name\":\"WEARY CAT FACE\"}]"));
  CU_ASSERT_EQUAL (quote_status, 200);
  CU_ASSERT_STRING_EQUAL (quote, "[]");
}

static void
test_finder_http_escapes_json (void)
{
  g_autoptr(FbDemoServer) server = start_server (NULL);
  guint status = 0;
  g_autofree char *body = NULL;

  fb_demo_server_set_index (server, get_unicode ());
  body = http_get (fb_demo_server_get_port (server), "/search?q=reverse%20solidus", &status,
                   NULL);
  CU_ASSERT_EQUAL (status, 200);
  CU_ASSERT_TRUE (g_str_has_prefix (body, "[{\"char\":\"\\\\\",\"name\":\"REVERSE SOLIDUS\"}"));

  g_free (body);
  body = http_get (fb_demo_server_get_port (server), "/search?q=quotation%20mark", &status,
                   NULL);
  CU_ASSERT_TRUE (g_str_has_prefix (body, "[{\"char\":\"\\\"\",\"name\":\"QUOTATION MARK\"}"));
}

static void
test_finder_http_survives_hang_up_and_a_flood (void)
{
  g_autoptr(FbDemoServer) server = start_server (NULL);
  guint port = fb_demo_server_get_port (server);
  const char *cjk = "GET /search?q=cjk HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  gsize size = 1024 * 1024;
  g_autofree char *flood = g_malloc (size);
  g_autofree char *partial = NULL;
  g_autofree char *flooded = NULL;
  g_autofree char *after = NULL;
  guint status = 0;

  fb_demo_server_set_index (server, get_unicode ());
  /* Several MB of JSON; the client reads one chunk and hangs up. */
  partial = exchange_full (port, cjk, strlen (cjk), TRUE, NULL);
  CU_ASSERT_TRUE (g_str_has_prefix (partial, "HTTP/1.1 200 OK\r\n"));
  /* A request line of 1 MiB without a line end: refused or dropped. */
  memcpy (flood, "GET /", 5);
  memset (flood + 5, 'x', size - 5);
  flooded = exchange_full (port, flood, size, FALSE, NULL);
  CU_ASSERT_TRUE (flooded[0] == '\0' || g_str_has_prefix (flooded, "HTTP/1.1 400")
                  || g_str_has_prefix (flooded, "HTTP/1.1 414"));
  after = http_get (port, "/search?q=small%20dollar", &status, NULL);
  CU_ASSERT_EQUAL (status, 200);
  CU_ASSERT_STRING_EQUAL (after, "[{\"char\":\"﹩\",\"name\":\"SMALL DOLLAR SIGN\"}]");
}

static void
test_finder_http_lean_path_hands_over_mid_connection (void)
{
  g_autoptr(FbDemoServer) server = start_server (NULL);
  const char *requests =
    "GET /search?q=small+dollar HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    "GET /flags/search?q=%E4%B8%AD%E5%9B%BD HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    "GET /finder HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  g_autofree char *answer = NULL;
  const char *second;
  const char *third;

  fb_demo_server_set_index (server, get_unicode ());
  /* Two searches answered on the lean path, then the page by libsoup on
   * the same connection, in order. */
  answer = exchange_text (fb_demo_server_get_port (server), requests);
  CU_ASSERT_TRUE (g_str_has_prefix (answer, "HTTP/1.1 200 OK\r\n"));
  CU_ASSERT_PTR_NOT_NULL (strstr (answer, "\r\nContent-Length: 43\r\n\r\n"
                                          "[{\"char\":\"﹩\",\"name\":\"SMALL DOLLAR SIGN\"}]"
                                          "HTTP/1.1 200 OK\r\n"));
  second = strstr (answer, "[{\"code\":\"CN\"");
  third = strstr (answer, "<!DOCTYPE html>");
  CU_ASSERT_PTR_NOT_NULL (second);
  CU_ASSERT_PTR_NOT_NULL (third);
  CU_ASSERT_TRUE (second != NULL && third != NULL && second < third);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 3);
}

static void
test_finder_http_lean_path_finishes_after_end_of_input (void)
{
  g_autoptr(FbDemoServer) server = start_server (NULL);
  const char *request = "GET /search?q=cjk HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  Exchange exchange = { fb_demo_server_get_port (server),
                        g_bytes_new_static (request, strlen (request)), FALSE, TRUE, FALSE,
                        NULL, FALSE };
  GThread *thread;
  const char *head_end;
  guint64 length = 0;

  fb_demo_server_set_index (server, get_unicode ());
  /* Several MB of answer, and the client's end of input right after the
   * request: the whole answer still goes out, then the connection closes. */
  thread = g_thread_new ("client", exchange_worker, &exchange);
  CU_ASSERT_TRUE (fb_test_wait_flag (&exchange.done, DEADLINE));
  g_thread_join (thread);
  g_bytes_unref (exchange.request);
  g_byte_array_append (exchange.answer, (const guint8 *) "", 1);
  head_end = strstr ((const char *) exchange.answer->data, "\r\n\r\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL (head_end);
  CU_ASSERT_EQUAL (sscanf (strstr ((const char *) exchange.answer->data, "Content-Length: "),
                           "Content-Length: %" G_GUINT64_FORMAT, &length), 1);
  CU_ASSERT_TRUE (length > 1000000);
  CU_ASSERT_EQUAL ((guint64) (exchange.answer->len - 1
                              - (guint) (head_end + 4 - (const char *) exchange.answer->data)),
                   length);
  CU_ASSERT_TRUE (g_str_has_suffix ((const char *) exchange.answer->data, "}]"));
  g_byte_array_unref (exchange.answer);
}

static void
test_finder_http_lean_parse (void)
{
  struct {
    const char *head;
    gboolean    taken;
    FbIndexCorpus corpus;
    const char *q;
    gboolean    http_1_0;
    gboolean    keep_alive;
  } cases[] = {
    { "GET /search?q=cat%20face HTTP/1.1\r\nHost: a\r\n\r\n", TRUE,
      FB_INDEX_CORPUS_UNICODE, "cat face", FALSE, TRUE },
    { "GET /search?x=1&q=a+b&q=c%2Bd HTTP/1.1\r\nhost: a\r\nCONNECTION: Close\r\n\r\n", TRUE,
      FB_INDEX_CORPUS_UNICODE, "c+d", FALSE, FALSE },
    { "GET /flags/search HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", TRUE,
      FB_INDEX_CORPUS_CATALOG, "", TRUE, TRUE },
    { "GET /search?q=a HTTP/1.0\r\n\r\n", TRUE, FB_INDEX_CORPUS_UNICODE, "a", TRUE, FALSE },
    /* libsoup's: no Host in 1.1, a body, a bad escape, other paths and methods. */
    { "GET /search?q=a HTTP/1.1\r\n\r\n", FALSE, 0, NULL, FALSE, FALSE },
    { "GET /search?q=a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n", FALSE, 0, NULL,
      FALSE, FALSE },
    { "GET /search?q=a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", FALSE, 0,
      NULL, FALSE, FALSE },
    { "GET /search?q=%zz HTTP/1.1\r\nHost: a\r\n\r\n", FALSE, 0, NULL, FALSE, FALSE },
    { "GET /search?q=<b> HTTP/1.1\r\nHost: a\r\n\r\n", FALSE, 0, NULL, FALSE, FALSE },
    { "GET /searchx?q=a HTTP/1.1\r\nHost: a\r\n\r\n", FALSE, 0, NULL, FALSE, FALSE },
    { "GET /./search?q=a HTTP/1.1\r\nHost: a\r\n\r\n", FALSE, 0, NULL, FALSE, FALSE },
    { "HEAD /search?q=a HTTP/1.1\r\nHost: a\r\n\r\n", FALSE, 0, NULL, FALSE, FALSE },
    { "GET /search?q=a HTTP/2.0\r\nHost: a\r\n\r\n", FALSE, 0, NULL, FALSE, FALSE },
    { "GET /search?q=a HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", FALSE, 0, NULL, FALSE, FALSE },
    { "GET /search?q=a HTTP/1.0\r\n", FALSE, 0, NULL, FALSE, FALSE },
    { "GET /", FALSE, 0, NULL, FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FbIndexCorpus corpus = 99;
      g_autofree char *q = NULL;
      gboolean http_1_0 = FALSE;
      gboolean keep_alive = FALSE;
      gboolean taken = _fb_demo_lean_parse (cases[i].head, strlen (cases[i].head), &corpus, &q,
                                            &http_1_0, &keep_alive);

      CU_ASSERT_EQUAL (taken, cases[i].taken);
      if (taken != cases[i].taken)
        g_printerr ("\ncase %u: %s\n", i, cases[i].head);
      if (!cases[i].taken || !taken)
        continue;
      CU_ASSERT_EQUAL (corpus, cases[i].corpus);
      CU_ASSERT_STRING_EQUAL (q, cases[i].q);
      CU_ASSERT_EQUAL (http_1_0, cases[i].http_1_0);
      CU_ASSERT_EQUAL (keep_alive, cases[i].keep_alive);
    }
}

static void
test_finder_http_flags_search_and_page (void)
{
  g_autoptr(FbDemoServer) server = start_server (NULL);
  guint port = fb_demo_server_get_port (server);
  guint status = 0;
  guint page_status = 0;
  g_autofree char *headers = NULL;
  g_autofree char *china = http_get (port, "/flags/search?q=%E4%B8%AD%E5%9B%BD", &status, NULL);
  g_autofree char *page = http_get (port, "/", &page_status, &headers);

  CU_ASSERT_EQUAL (status, 200);
  CU_ASSERT_STRING_EQUAL (china, "[{\"code\":\"CN\",\"flag\":\"🇨🇳\",\"name\":\"China\"}]");
  CU_ASSERT_EQUAL (page_status, 200);
  CU_ASSERT_PTR_NOT_NULL (strstr (headers, "Content-Type: text/html; charset=utf-8"));
  CU_ASSERT_TRUE (g_str_has_prefix (page, "<!DOCTYPE html>"));
  CU_ASSERT_PTR_NOT_NULL (strstr (page, "<input id=\"query\" type=\"search\" name=\"q\""));
  CU_ASSERT_PTR_NOT_NULL (strstr (page, "fetch(corpus.value + '?q=' + encodeURIComponent(q))"));
  CU_ASSERT_PTR_NOT_NULL (strstr (page, "<option value=\"/search\">"));
  CU_ASSERT_PTR_NOT_NULL (strstr (page, "textContent"));
  /* Self-contained: nothing loaded from elsewhere. */
  CU_ASSERT_PTR_NULL (strstr (page, "src="));
  CU_ASSERT_PTR_NULL (strstr (page, "href="));
  CU_ASSERT_PTR_NULL (strstr (page, "@import"));
  CU_ASSERT_PTR_NULL (strstr (page, "url("));
  CU_ASSERT_PTR_NULL (strstr (page, "innerHTML"));
}

static void
logged_cb (FbDemoServer *server,
           const char   *line,
           GPtrArray    *lines)
{
  g_ptr_array_add (lines, g_strdup (line));
}

static gboolean
has_one_line (gpointer data)
{
  return ((GPtrArray *) data)->len == 1;
}

static void
test_finder_http_logs_requests_and_delays_search (void)
{
  g_autoptr(FbDemoServer) server = start_server (NULL);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  guint status = 0;
  g_autofree char *body = NULL;
  gint64 start;

  fb_demo_server_set_index (server, get_unicode ());
  fb_demo_server_set_delay (server, 0.2, 0.2);
  g_signal_connect (server, "request-logged", G_CALLBACK (logged_cb), lines);
  start = g_get_monotonic_time ();
  body = http_get (fb_demo_server_get_port (server), "/search?q=dollar", &status, NULL);

  CU_ASSERT_EQUAL (status, 200);
  CU_ASSERT_TRUE (g_str_has_prefix (body, "[{\"char\":\"$\""));
  /* The delay is a lower bound, as in slow_server.py. */
  CU_ASSERT_TRUE (g_get_monotonic_time () - start >= 200000);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (has_one_line, lines, DEADLINE));
  CU_ASSERT_STRING_EQUAL (g_ptr_array_index (lines, 0),
                          "127.0.0.1 \"GET /search?q=dollar HTTP/1.0\" 200");
}

/* ---- --root ---- */

static char *
make_root (char **outside)
{
  g_autofree char *top = fb_test_make_tmpdir ();
  char *root = g_build_filename (top, "root", NULL);
  g_autofree char *sub = g_build_filename (root, "sub", NULL);
  g_autofree char *file = g_build_filename (root, "a.txt", NULL);
  g_autofree char *gif = g_build_filename (sub, "x.gif", NULL);
  g_autofree char *secret = g_build_filename (top, "secret.txt", NULL);
  g_autofree char *out_link = g_build_filename (root, "out", NULL);
  g_autofree char *out_dir_link = g_build_filename (root, "up", NULL);
  g_autofree char *in_link = g_build_filename (root, "in.txt", NULL);

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "hello\n", -1, NULL));
  g_assert_true (g_file_set_contents (gif, "GIF89a", -1, NULL));
  g_assert_true (g_file_set_contents (secret, "secret\n", -1, NULL));
  g_assert_cmpint (symlink (secret, out_link), ==, 0);
  g_assert_cmpint (symlink ("..", out_dir_link), ==, 0);
  g_assert_cmpint (symlink ("a.txt", in_link), ==, 0);
  *outside = g_steal_pointer (&top);
  return root;
}

static void
test_finder_root_serves_files_folders_and_listings (void)
{
  g_autofree char *top = NULL;
  g_autofree char *root = make_root (&top);
  g_autoptr(FbDemoServer) server = start_server (root);
  guint port = fb_demo_server_get_port (server);
  guint status = 0;
  g_autofree char *headers = NULL;
  g_autofree char *file = http_get (port, "/a.txt", &status, NULL);
  guint gif_status = 0;
  g_autofree char *gif_headers = NULL;
  g_autofree char *gif = http_get (port, "/sub/x.gif", &gif_status, &gif_headers);
  guint folder_status = 0;
  g_autofree char *folder_headers = NULL;
  g_autofree char *folder = http_get (port, "/sub", &folder_status, &folder_headers);
  guint listing_status = 0;
  g_autofree char *listing = http_get (port, "/", &listing_status, NULL);
  guint link_status = 0;
  g_autofree char *link = http_get (port, "/in.txt", &link_status, NULL);
  guint search_status = 0;
  g_autofree char *search = http_get (port, "/flags/search?q=cn", &search_status, NULL);

  CU_ASSERT_EQUAL (status, 200);
  CU_ASSERT_STRING_EQUAL (file, "hello\n");
  CU_ASSERT_EQUAL (gif_status, 200);
  CU_ASSERT_STRING_EQUAL (gif, "GIF89a");
  CU_ASSERT_PTR_NOT_NULL (strstr (gif_headers, "Content-Type: image/gif"));
  CU_ASSERT_EQUAL (folder_status, 301);
  CU_ASSERT_PTR_NOT_NULL (strstr (folder_headers, "Location: /sub/"));
  CU_ASSERT_EQUAL (listing_status, 200);
  CU_ASSERT_PTR_NOT_NULL (strstr (listing, "<li><a href=\"a.txt\">a.txt</a></li>"));
  CU_ASSERT_PTR_NOT_NULL (strstr (listing, "<li><a href=\"sub/\">sub/</a></li>"));
  CU_ASSERT_EQUAL (link_status, 200);
  CU_ASSERT_STRING_EQUAL (link, "hello\n");
  CU_ASSERT_EQUAL (search_status, 200);
  CU_ASSERT_STRING_EQUAL (search, "[{\"code\":\"CN\",\"flag\":\"🇨🇳\",\"name\":\"China\"}]");
  fb_test_rm_rf (top);
}

static void
test_finder_root_never_escapes (void)
{
  g_autofree char *top = NULL;
  g_autofree char *root = make_root (&top);
  g_autoptr(FbDemoServer) server = start_server (root);
  guint port = fb_demo_server_get_port (server);
  const char *paths[] = {
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/sub/../../secret.txt",
    "/sub/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
    "/out", "/up/secret.txt", "/up/root/a.txt", "/a.txt%00", "/%252e%252e/secret.txt", NULL
  };

  for (guint i = 0; paths[i] != NULL; i++)
    {
      guint status = 0;
      g_autofree char *body = http_get (port, paths[i], &status, NULL);

      /* libsoup itself answers 400 to an encoded slash or NUL. */
      CU_ASSERT_TRUE (status == 404 || status == 400);
      CU_ASSERT_PTR_NULL (strstr (body, "secret"));
      if (status != 404 && status != 400)
        g_printerr ("\n%s: %u %s\n", paths[i], status, body);
    }
  fb_test_rm_rf (top);
}

static void
test_finder_root_answer_rules_directly (void)
{
  g_autofree char *top = NULL;
  g_autofree char *root = make_root (&top);
  const char *refused[] = { "..", "/..", "/./a.txt", "/sub/%2e/x.gif", "/a%2ftxt", "/out",
                            "/up/secret.txt", NULL };

  for (guint i = 0; refused[i] != NULL; i++)
    {
      g_autoptr(FbFileAnswer) answer = _fb_file_root_answer (root, refused[i]);

      CU_ASSERT_EQUAL (answer->status, 404);
    }
  {
    g_autoptr(FbFileAnswer) answer = _fb_file_root_answer (root, "/sub//x.gif");

    CU_ASSERT_EQUAL (answer->status, 200);
    CU_ASSERT_STRING_EQUAL (answer->content_type, "image/gif");
  }
  fb_test_rm_rf (top);
}

/* ---- TCP ---- */

static FbLineServer *
start_line_server (void)
{
  g_autoptr(GError) error = NULL;
  FbLineServer *server = fb_line_server_new (get_unicode ());

  CU_ASSERT_TRUE (fb_line_server_listen (server, "127.0.0.1", 0, 128, &error));
  g_assert_no_error (error);
  return server;
}

static void
stop_line_server (FbLineServer *server)
{
  fb_line_server_stop (server);
  /* Each session ends in its own callback. */
  fb_test_spin (0.05);
  CU_ASSERT_EQUAL (fb_line_server_get_n_clients (server), 0);
  g_object_unref (server);
}

static void
query_cb (FbLineServer *server,
          const char   *peer,
          const char   *query,
          GPtrArray    *log)
{
  g_ptr_array_add (log, g_strdup_printf ("From %s: %s", peer, query));
}

static void
answered_cb (FbLineServer *server,
             const char   *peer,
             guint         n,
             GPtrArray    *log)
{
  g_ptr_array_add (log, g_strdup_printf ("To %s: %u results.", peer, n));
}

static void
test_finder_tcp_session_is_the_book_protocol (void)
{
  FbLineServer *server = start_line_server ();
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *answer = NULL;

  g_signal_connect (server, "query", G_CALLBACK (query_cb), log);
  g_signal_connect (server, "answered", G_CALLBACK (answered_cb), log);
  answer = exchange_text (fb_line_server_get_port (server),
                          "dollar Small\r\n\r\nbrillig\n\x03\nnever answered\n");

  CU_ASSERT_STRING_EQUAL (answer,
    "?> U+FE69\t﹩\tSMALL DOLLAR SIGN\r\n"
    DASHES " 1 found\r\n"
    "?> ?> " DASHES " 0 found\r\n"
    "?> ");
  CU_ASSERT_EQUAL_FATAL (log->len, 6);
  CU_ASSERT_TRUE (g_regex_match_simple ("^From \\('127\\.0\\.0\\.1', [0-9]+\\): 'dollar Small'$",
                                        g_ptr_array_index (log, 0), 0, 0));
  CU_ASSERT_TRUE (g_regex_match_simple ("^To \\('127\\.0\\.0\\.1', [0-9]+\\): 1 results\\.$",
                                        g_ptr_array_index (log, 1), 0, 0));
  CU_ASSERT_TRUE (g_str_has_suffix (g_ptr_array_index (log, 2), ": ''"));
  CU_ASSERT_TRUE (g_str_has_suffix (g_ptr_array_index (log, 3), ": 'brillig'"));
  CU_ASSERT_TRUE (g_str_has_suffix (g_ptr_array_index (log, 4), ": 0 results."));
  CU_ASSERT_TRUE (g_str_has_suffix (g_ptr_array_index (log, 5), ": '\\x03'"));
  stop_line_server (server);
}

static void
test_finder_tcp_eof_and_bad_bytes_end_the_session (void)
{
  FbLineServer *server = start_line_server ();
  guint port = fb_line_server_get_port (server);
  g_autofree char *eof = exchange_text (port, "capital a");
  g_autofree char *latin1 = exchange_text (port, "caf\xe9\nsign\n");
  g_autofree char *nul = exchange_full (port, "a\0b\nsign\n", 9, FALSE, NULL);

  /* A last line without a line end is not a query (readline saw EOF). */
  CU_ASSERT_STRING_EQUAL (eof, "?> ");
  CU_ASSERT_STRING_EQUAL (latin1, "?> ");
  CU_ASSERT_STRING_EQUAL (nul, "?> ");
  stop_line_server (server);
}

static gboolean
no_clients (gpointer data)
{
  return fb_line_server_get_n_clients (data) == 0;
}

static void
test_finder_tcp_survives_hang_up_mid_answer (void)
{
  FbLineServer *server = start_line_server ();
  guint port = fb_line_server_get_port (server);
  g_autofree char *partial = NULL;
  g_autofree char *after = NULL;

  /* About 5 MB of answer; the client reads one chunk and hangs up. */
  partial = exchange_full (port, "cjk\n", 4, TRUE, NULL);
  CU_ASSERT_TRUE (g_str_has_prefix (partial, "?> "));
  /* The server writes on until the kernel reports the hang-up. */
  CU_ASSERT_TRUE (fb_test_wait_until (no_clients, server, DEADLINE));
  after = exchange_text (port, "small dollar\n");
  CU_ASSERT_STRING_EQUAL (after, "?> U+FE69\t﹩\tSMALL DOLLAR SIGN\r\n"
                                 DASHES " 1 found\r\n?> ");
  stop_line_server (server);
}

static void
test_finder_tcp_bounds_a_line_without_end (void)
{
  FbLineServer *server = start_line_server ();
  guint port = fb_line_server_get_port (server);
  gsize size = 1024 * 1024;
  g_autofree char *flood = g_malloc (size);
  g_autofree char *answer = NULL;
  g_autofree char *after = NULL;
  gboolean reset = FALSE;

  memset (flood, 'x', size);
  answer = exchange_full (port, flood, size, FALSE, &reset);
  /* Dropped after the prompt: nothing else was answered. */
  CU_ASSERT_STRING_EQUAL (answer, "?> ");
  after = exchange_text (port, "capital a\n");
  CU_ASSERT_TRUE (g_str_has_prefix (after, "?> U+0041\tA\tLATIN CAPITAL LETTER A\r\n"));
  stop_line_server (server);
}

static void
failed_cb (FbLineServer *server,
           const char   *peer,
           GPtrArray    *log)
{
  g_ptr_array_add (log, g_strdup_printf ("To %s: error 418.", peer));
}

static void
test_finder_tcp_error_rate_answers_an_error_line (void)
{
  FbLineServer *server = start_line_server ();
  guint port = fb_line_server_get_port (server);
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *failing = NULL;
  g_autofree char *after = NULL;

  g_signal_connect (server, "failed", G_CALLBACK (failed_cb), log);
  g_signal_connect (server, "answered", G_CALLBACK (answered_cb), log);
  fb_line_server_set_error_rate (server, 1.0);
  /* Each query gets the error line and the prompt; the session goes on
   * (the empty line still asks again, the third query is read too). */
  failing = exchange_text (port, "cat face\n\nsmall dollar\n");
  CU_ASSERT_STRING_EQUAL (failing,
    "?> " DASHES " error 418: I'm a Teapot (ask again)\r\n"
    "?> ?> " DASHES " error 418: I'm a Teapot (ask again)\r\n"
    "?> ");
  CU_ASSERT_EQUAL_FATAL (log->len, 2);
  CU_ASSERT_TRUE (g_regex_match_simple ("^To \\('127\\.0\\.0\\.1', [0-9]+\\): error 418\\.$",
                                        g_ptr_array_index (log, 0), 0, 0));
  fb_line_server_set_error_rate (server, 0.0);
  after = exchange_text (port, "small dollar\n");
  CU_ASSERT_STRING_EQUAL (after, "?> U+FE69\t﹩\tSMALL DOLLAR SIGN\r\n"
                                 DASHES " 1 found\r\n?> ");
  CU_ASSERT_EQUAL (log->len, 3);
  stop_line_server (server);
}

static void
test_finder_tcp_delay_waits_without_blocking (void)
{
  FbLineServer *server = start_line_server ();
  guint port = fb_line_server_get_port (server);
  const char *request = "small dollar\n";
  Exchange slow = { port, g_bytes_new_static (request, strlen (request)), FALSE, TRUE, FALSE,
                    NULL, FALSE };
  gint64 start = g_get_monotonic_time ();
  GThread *thread;
  g_autofree char *prompt = NULL;
  g_autofree char *answer = NULL;

  fb_line_server_set_delay (server, 1.0, 1.0);
  thread = g_thread_new ("slow client", exchange_worker, &slow);
  /* While the first answer waits its second, another client is served: an
   * empty line is no answer, so it is not delayed. */
  prompt = exchange_text (port, "\n");
  CU_ASSERT_STRING_EQUAL (prompt, "?> ?> ");
  CU_ASSERT_FALSE (g_atomic_int_get (&slow.done));
  CU_ASSERT_TRUE (fb_test_wait_flag (&slow.done, DEADLINE));
  g_thread_join (thread);
  g_bytes_unref (slow.request);
  /* The server never answers before the delay is over. */
  CU_ASSERT_TRUE (g_get_monotonic_time () - start >= G_USEC_PER_SEC);
  g_byte_array_append (slow.answer, (const guint8 *) "", 1);
  answer = (char *) g_byte_array_free (slow.answer, FALSE);
  CU_ASSERT_STRING_EQUAL (answer, "?> U+FE69\t﹩\tSMALL DOLLAR SIGN\r\n"
                                  DASHES " 1 found\r\n?> ");
  stop_line_server (server);
}

static void
test_finder_free_shared (void)
{
  g_clear_pointer (&unicode_index, fb_index_unref);
}

static const FbTestCase tests[] = {
  FB_TEST (test_finder_http_search_is_the_book_json),
  FB_TEST (test_finder_http_escapes_json),
  FB_TEST (test_finder_http_flags_search_and_page),
  FB_TEST (test_finder_http_lean_path_hands_over_mid_connection),
  FB_TEST (test_finder_http_lean_parse),
  FB_TEST (test_finder_http_lean_path_finishes_after_end_of_input),
  FB_TEST (test_finder_http_survives_hang_up_and_a_flood),
  FB_TEST (test_finder_http_logs_requests_and_delays_search),
  FB_TEST (test_finder_root_serves_files_folders_and_listings),
  FB_TEST (test_finder_root_never_escapes),
  FB_TEST (test_finder_root_answer_rules_directly),
  FB_TEST (test_finder_tcp_session_is_the_book_protocol),
  FB_TEST (test_finder_tcp_eof_and_bad_bytes_end_the_session),
  FB_TEST (test_finder_tcp_survives_hang_up_mid_answer),
  FB_TEST (test_finder_tcp_bounds_a_line_without_end),
  FB_TEST (test_finder_tcp_error_rate_answers_an_error_line),
  FB_TEST (test_finder_tcp_delay_waits_without_blocking),
  FB_TEST (test_finder_free_shared),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "finder-server", tests);
}
