/* test-catalog.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Catalog jobs (flag image + metadata.json) through the public FbRun API,
 * against a small server of our own (any metadata we like, requests
 * counted per path) and against the built-in demo server.
 */

#include "config.h"

#include <string.h>

#include "fb-catalog.h"
#include "fb-json-check.h"
#include "fb-demo-server.h"
#include "fb-gif.h"
#include "fb-run.h"
#include "fb-test-utils.h"

#define WAIT_SECONDS 10.0
#define IMAGE_SIZE   1234


#define ASSERT_PREFIX(actual, prefix)                                             \
  G_STMT_START {                                                                  \
    const char *a_ = (actual), *p_ = (prefix);                                    \
    gboolean ok_ = a_ != NULL && g_str_has_prefix (a_, p_);                       \
    if (!ok_)                                                                     \
      g_printerr ("\n%s:%d: \"%s\" does not start with \"%s\"\n", __FILE__,        \
                  __LINE__, a_ ? a_ : "(null)", p_);                              \
    CU_ASSERT_TRUE (ok_);                                                         \
  } G_STMT_END


/* ---- a catalog server whose answers each test chooses ---- */

typedef struct
{
  const char *code;       /* upper case */
  const char *metadata;   /* the JSON document; NULL = 404 */
  gsize       image_size; /* 0 = 404 */
  gboolean    stall_metadata;
} Entry;

typedef struct
{
  SoupServer *server;
  char       *base;       /* http://127.0.0.1:PORT/flags */
  GHashTable *entries;    /* lower-case code → const Entry* */
  GHashTable *hits;       /* path → count */
  GPtrArray  *stalled;    /* SoupServerMessage* never answered */
} CatalogServer;

static void
catalog_handler_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  CatalogServer *self = user_data;
  guint hits = GPOINTER_TO_UINT (g_hash_table_lookup (self->hits, path));
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  const Entry *entry = NULL;

  g_hash_table_insert (self->hits, g_strdup (path), GUINT_TO_POINTER (hits + 1));

  /* "", "flags", cc, leaf */
  if (g_strv_length (parts) == 4 && g_str_equal (parts[1], "flags"))
    entry = g_hash_table_lookup (self->entries, parts[2]);

  if (entry != NULL && g_str_equal (parts[3], "metadata.json") && entry->stall_metadata)
    {
      g_ptr_array_add (self->stalled, g_object_ref (msg));
      soup_server_message_pause (msg);
      return;
    }
  if (entry != NULL && g_str_equal (parts[3], "metadata.json") && entry->metadata != NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        entry->metadata, strlen (entry->metadata));
      return;
    }
  if (entry != NULL && entry->image_size > 0)
    {
      g_autofree char *leaf = g_strconcat (parts[2], ".gif", NULL);

      if (g_str_equal (parts[3], leaf))
        {
          g_autoptr(GBytes) body = fb_test_body (entry->image_size);

          soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
          soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
          return;
        }
    }
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "nope\n", 5);
}

static CatalogServer *
catalog_server_new (const Entry *entries,
                    gsize        n_entries)
{
  g_autoptr(GError) error = NULL;
  CatalogServer *self = g_new0 (CatalogServer, 1);
  GSList *uris;

  self->server = soup_server_new (NULL, NULL);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->stalled = g_ptr_array_new_with_free_func (g_object_unref);
  for (gsize i = 0; i < n_entries; i++)
    g_hash_table_insert (self->entries, g_ascii_strdown (entries[i].code, -1),
                         (gpointer) &entries[i]);
  soup_server_add_handler (self->server, NULL, catalog_handler_cb, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (self->server);
  self->base = g_strdup_printf ("http://127.0.0.1:%d/flags", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return self;
}

static void
catalog_server_free (CatalogServer *self)
{
  soup_server_disconnect (self->server);
  g_ptr_array_unref (self->stalled);
  g_object_unref (self->server);
  g_hash_table_unref (self->entries);
  g_hash_table_unref (self->hits);
  g_free (self->base);
  g_free (self);
}

static guint
catalog_server_hits (CatalogServer *self,
                     const char    *path)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->hits, path));
}

static guint
catalog_server_total_hits (CatalogServer *self)
{
  GHashTableIter iter;
  gpointer value;
  guint total = 0;

  g_hash_table_iter_init (&iter, self->hits);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    total += GPOINTER_TO_UINT (value);
  return total;
}

/* ---- a run into an empty folder ---- */

typedef struct
{
  char    *dir;
  FbRun   *run;
  gboolean finished;
} Fixture;

static void
finished_cb (FbRun   *run,
             Fixture *fx)
{
  fx->finished = TRUE;
}

static void
fixture_init (Fixture    *fx,
              const char *base_url,
              gboolean    metadata_names)
{
  memset (fx, 0, sizeof *fx);
  fx->dir = fb_test_make_tmpdir ();
  fx->run = fb_run_new ();
  fb_run_set_destination (fx->run, fx->dir);
  fb_run_set_base_url (fx->run, base_url);
  fb_run_set_metadata_names (fx->run, metadata_names);
  g_signal_connect (fx->run, "finished", G_CALLBACK (finished_cb), fx);
}

static void
fixture_clear (Fixture *fx)
{
  gpointer weak = fx->run;

  g_signal_handlers_disconnect_by_data (fx->run, fx);
  g_object_add_weak_pointer (G_OBJECT (fx->run), &weak);
  g_object_unref (fx->run);
  CU_ASSERT_PTR_NULL (weak);
  /* A run kept alive elsewhere must not write into this frame later. */
  if (weak != NULL)
    g_object_remove_weak_pointer (weak, &weak);
  fb_test_rm_rf (fx->dir);
  g_free (fx->dir);
}

static FbJob *
add_code (Fixture    *fx,
          const char *code)
{
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_CATALOG, code);

  fb_run_add_job (fx->run, job);
  return job;
}

static gboolean
run_to_end (Fixture *fx)
{
  fx->finished = FALSE;
  fb_run_start (fx->run);
  return fb_test_wait_flag (&fx->finished, WAIT_SECONDS);
}

static GBytes *
read_file (Fixture    *fx,
           const char *name)
{
  g_autofree char *path = g_build_filename (fx->dir, name, NULL);
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    {
      g_printerr ("\nmissing file %s\n", path);
      return NULL;
    }
  return g_bytes_new_take (contents, length);
}

static void
assert_image (Fixture    *fx,
              const char *name,
              GBytes     *expected)
{
  g_autoptr(GBytes) found = read_file (fx, name);

  CU_ASSERT_PTR_NOT_NULL_FATAL (found);
  CU_ASSERT_TRUE (g_bytes_equal (found, expected));
}


static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static const Entry brazil[] = {
  { "BR", "{\"tld_cc\": \".br\", \"iso_cc\": \"BR\", \"country\": \"Brazil\", \"gec_cc\": \"BR\"}",
    IMAGE_SIZE, FALSE },
};

/* ---- against our own server ---- */

static void
test_catalog_saves_code_name_without_metadata (void)
{
  CatalogServer *server = catalog_server_new (brazil, G_N_ELEMENTS (brazil));
  g_autoptr(GBytes) image = fb_test_body (IMAGE_SIZE);
  g_autofree char *url = g_strconcat (server->base, "/br/br.gif", NULL);
  Fixture fx;
  FbJob *job;

  fixture_init (&fx, server->base, FALSE);
  job = add_code (&fx, "BR");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_message (job), "Saved as BR.gif");
  ASSERT_STR (fb_job_get_url (job), url);
  CU_ASSERT_PTR_NULL (fb_job_get_country (job));
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), IMAGE_SIZE);
  assert_image (&fx, "BR.gif", image);
  ASSERT_DIR (&fx, "BR.gif");
  /* The book's flags2: the image only, lower-case path. */
  CU_ASSERT_EQUAL (catalog_server_hits (server, "/flags/br/br.gif"), 1);
  CU_ASSERT_EQUAL (catalog_server_total_hits (server), 1);
  ASSERT_COUNTS (fx.run, 1, 0, 0, 0);
  fixture_clear (&fx);
  catalog_server_free (server);
}

static void
test_catalog_saves_country_name_from_metadata (void)
{
  CatalogServer *server = catalog_server_new (brazil, G_N_ELEMENTS (brazil));
  g_autoptr(GBytes) image = fb_test_body (IMAGE_SIZE);
  g_autofree char *image_url = g_strconcat (server->base, "/br/br.gif", NULL);
  g_autofree char *saved = NULL;
  Fixture fx;
  FbJob *job;

  /* A trailing '/' on the base is allowed. */
  g_autofree char *base = g_strconcat (server->base, "/", NULL);

  fixture_init (&fx, base, TRUE);
  job = add_code (&fx, "br");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  saved = g_build_filename (fx.dir, "Brazil.gif", NULL);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_message (job), "Saved as Brazil.gif");
  ASSERT_STR (fb_job_get_saved_path (job), saved);
  ASSERT_STR (fb_job_get_country (job), "Brazil");
  /* The job's URL and bytes are its image's, not the metadata request's. */
  ASSERT_STR (fb_job_get_url (job), image_url);
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), IMAGE_SIZE);
  assert_image (&fx, "Brazil.gif", image);
  ASSERT_DIR (&fx, "Brazil.gif");
  CU_ASSERT_EQUAL (catalog_server_hits (server, "/flags/br/br.gif"), 1);
  CU_ASSERT_EQUAL (catalog_server_hits (server, "/flags/br/metadata.json"), 1);
  CU_ASSERT_EQUAL (catalog_server_total_hits (server), 2);
  fixture_clear (&fx);
  catalog_server_free (server);
}

static void
test_catalog_untrusted_country_names_stay_inside_destination (void)
{
  static const Entry tricks[] = {
    { "AA", "{\"country\": \"../../etc/passwd\"}", 10, FALSE },
    { "AB", "{\"country\": \"/abs\"}", 11, FALSE },
    { "AC", "{\"country\": \"a/b\"}", 12, FALSE },
    { "AD", "{\"country\": \"..\"}", 13, FALSE },
    { "AE", "{\"country\": \"Bad\\u0001Na\\u007fme\\n\"}", 14, FALSE },
    { "AF", "{\"country\": \".hidden\"}", 15, FALSE },
    { "AG", "{\"country\": \"C\\u00f4te d'Ivoire\"}", 16, FALSE },
    { "AH", "{\"country\": \"Korea, North\"}", 17, FALSE },
    { "AI", "{\"country\": \"..\\\\..\\\\windows\"}", 18, FALSE },
    { "AJ", "{\"country\": \"  Spaced  Out  \"}", 19, FALSE },
    { "AK", NULL, 20, FALSE },  /* filled in below: 300 bytes */
  };
  /* In the order of the entries above. */
  const char *expected[] = {
    "etc_passwd.gif", "abs.gif", "a_b.gif", "AD.gif", "BadName.gif", "hidden.gif",
    "Côte_d'Ivoire.gif", "Korea,_North.gif", "windows.gif", "Spaced__Out.gif", NULL,
  };
  Entry entries[G_N_ELEMENTS (tricks)];
  g_autofree char *long_name = g_strnfill (300, 'x');
  g_autofree char *long_metadata = g_strdup_printf ("{\"country\": \"%s\"}", long_name);
  g_autofree char *long_expected = g_strconcat (long_name + 300 - 251, ".gif", NULL);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  CatalogServer *server;
  Fixture fx;
  FbJob *jobs[G_N_ELEMENTS (tricks)];

  memcpy (entries, tricks, sizeof tricks);
  entries[G_N_ELEMENTS (tricks) - 1].metadata = long_metadata;
  expected[G_N_ELEMENTS (tricks) - 1] = long_expected;
  server = catalog_server_new (entries, G_N_ELEMENTS (entries));

  fixture_init (&fx, server->base, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    jobs[i] = add_code (&fx, entries[i].code);
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autofree char *path = g_build_filename (fx.dir, expected[i], NULL);
      g_autoptr(GBytes) image = fb_test_body (entries[i].image_size);

      CU_ASSERT_EQUAL (fb_job_get_state (jobs[i]), FB_JOB_STATE_OK);
      ASSERT_STR (fb_job_get_saved_path (jobs[i]), path);
      assert_image (&fx, expected[i], image);
      g_ptr_array_add (sorted, (gpointer) expected[i]);
    }
  CU_ASSERT_EQUAL (strlen (long_expected), 255);

  /* Nothing anywhere else: every name is one component of the folder. */
  g_ptr_array_sort (sorted, compare_names);
  g_ptr_array_add (sorted, NULL);
  fb_test_assert_dir (fx.dir, (const char * const *) sorted->pdata);
  ASSERT_COUNTS (fx.run, G_N_ELEMENTS (entries), 0, 0, 0);
  fixture_clear (&fx);
  catalog_server_free (server);
}

static char *
metadata_url (CatalogServer *server,
              const char    *code)
{
  g_autofree char *cc = g_ascii_strdown (code, -1);

  return g_strdup_printf ("%s/%s/metadata.json", server->base, cc);
}

/* Every document that is JSON but not {"country": "non-empty text"}: one
 * error each, naming the URL and what was wrong, and no critical (the tests
 * run with G_DEBUG=fatal-criticals). */
static void
test_catalog_wrong_metadata_shapes_are_errors (void)
{
  static const struct
  {
    Entry       entry;
    const char *problem;
  } cases[] = {
    { { "EM", "{\"country\": \"\"}", 100, FALSE }, "“country” is empty" },
    { { "NC", "{\"name\": \"Nowhere\"}", 100, FALSE }, "the metadata has no “country”" },
    { { "NS", "{\"country\": 42}", 100, FALSE }, "“country” is a number, not text" },
    { { "OB", "{\"country\": {}}", 100, FALSE }, "“country” is an object, not text" },
    { { "AA", "{\"country\": [\"Brazil\"]}", 100, FALSE }, "“country” is an array, not text" },
    { { "NU", "{\"country\": null}", 100, FALSE }, "“country” is null, not text" },
    { { "BO", "{\"country\": true}", 100, FALSE }, "“country” is a boolean, not text" },
    { { "AR", "[\"Brazil\"]", 100, FALSE }, "the metadata is an array, not a JSON object" },
    { { "ST", "\"Brazil\"", 100, FALSE }, "the metadata is text, not a JSON object" },
    { { "NM", "7", 100, FALSE }, "the metadata is a number, not a JSON object" },
    { { "NL", "null", 100, FALSE }, "the metadata is null, not a JSON object" },
    { { "EE", "", 100, FALSE }, "the metadata is empty" },
    { { "WS", "  \n", 100, FALSE }, "the metadata is empty" },
  };
  Entry entries[G_N_ELEMENTS (cases)];
  CatalogServer *server;
  Fixture fx;
  FbJob *jobs[G_N_ELEMENTS (cases)];

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    entries[i] = cases[i].entry;
  server = catalog_server_new (entries, G_N_ELEMENTS (entries));
  fixture_init (&fx, server->base, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    jobs[i] = add_code (&fx, cases[i].entry.code);
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = metadata_url (server, cases[i].entry.code);
      g_autofree char *expected = g_strdup_printf ("%s: %s", url, cases[i].problem);

      CU_ASSERT_EQUAL (fb_job_get_state (jobs[i]), FB_JOB_STATE_ERROR);
      ASSERT_STR (fb_job_get_message (jobs[i]), expected);
    }
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, G_N_ELEMENTS (cases), 0);
  fixture_clear (&fx);
  catalog_server_free (server);
}

static void
test_catalog_invalid_metadata_is_error (void)
{
  static const Entry entries[] = {
    { "IJ", "{\"country\": \"Brazil\"", 100, FALSE },
  };
  CatalogServer *server = catalog_server_new (entries, G_N_ELEMENTS (entries));
  g_autofree char *url = metadata_url (server, "IJ");
  g_autofree char *prefix = g_strdup_printf ("%s: the metadata is not valid JSON: ", url);
  Fixture fx;
  FbJob *broken;

  fixture_init (&fx, server->base, TRUE);
  broken = add_code (&fx, "IJ");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (broken), FB_JOB_STATE_ERROR);
  ASSERT_PREFIX (fb_job_get_message (broken), prefix);
  ASSERT_DIR_EMPTY (&fx);
  fixture_clear (&fx);
  catalog_server_free (server);
}

/* The parser alone: an empty GBytes may hold NULL data. */
static void
test_catalog_parse_country_edge_bytes (void)
{
  static const char nul_inside[] = "{\"country\": \"Bra\0zil\"}";
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) nul = g_bytes_new_static (nul_inside, sizeof nul_inside - 1);
  g_autoptr(GBytes) good = g_bytes_new_static ("{\"country\":\"Brazil\"}", 20);
  g_autoptr(GError) error = NULL;
  g_autofree char *country = NULL;

  CU_ASSERT_PTR_NULL (g_bytes_get_data (empty, NULL));
  country = fb_catalog_parse_country (empty, "http://h/br/metadata.json", &error);
  CU_ASSERT_PTR_NULL (country);
  CU_ASSERT_TRUE (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  ASSERT_STR (error->message, "http://h/br/metadata.json: the metadata is empty");
  g_clear_error (&error);

  CU_ASSERT_PTR_NULL (fb_catalog_parse_country (NULL, "u", &error));
  ASSERT_STR (error->message, "u: the metadata is empty");
  g_clear_error (&error);

  country = fb_catalog_parse_country (nul, "u", &error);
  CU_ASSERT_PTR_NULL (country);
  CU_ASSERT_TRUE (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  ASSERT_PREFIX (error->message, "u: the metadata is not valid JSON: ");
  g_clear_error (&error);

  country = fb_catalog_parse_country (good, "u", &error);
  CU_ASSERT_PTR_NULL (error);
  ASSERT_STR (country, "Brazil");
}

/* Only strict JSON reaches json-glib 1.6, which takes "{…}{…}" or "2 {…}"
 * as valid and leaks on some invalid documents: every other document gets
 * an error that says where and what. */
static void
test_catalog_parse_country_strict_json (void)
{
  static const struct
  {
    const char *json;
    gsize       size;    /* 0: strlen */
    const char *outcome; /* the country, or the reason after "not valid JSON: " */
  } cases[] = {
    { "{\"country\":\"Brazil\"}{\"country\":\"Evil\"}", 0,
      "line 1, column 21: more than one value" },
    { "{\"country\":\"Brazil\"} [1]", 0, "line 1, column 22: more than one value" },
    { "2 {\"country\":\"Brazil\"}", 0, "line 1, column 3: more than one value" },
    { "null{\"a\":{}}", 0, "line 1, column 5: more than one value" },
    { "\"x\"{\"a\":{}}", 0, "line 1, column 4: more than one value" },
    { "[1]{\"a\":{}}", 0, "line 1, column 4: more than one value" },
    /* What json-glib 1.6 leaked 88 bytes on (a fuzzer's find). */
    { "[/[][[/][]]", 0, "line 1, column 2: unexpected “/”" },
    { "[[],[[]]", 0, "line 1, column 9: the document ends too early" },
    { "{\"country\":\"Brazil\",}", 0, "line 1, column 21: unexpected “}”" },
    { "[1,]", 0, "line 1, column 4: unexpected “]”" },
    { "{\"country\" \"Brazil\"}", 0, "line 1, column 12: unexpected “\"”" },
    { "{country:\"Brazil\"}", 0, "line 1, column 2: unexpected “c”" },
    { "{\n  \"country\": 'Brazil'\n}", 0, "line 2, column 14: unexpected “'”" },
    { "{\"country\": \"Bra\nzil\"}", 0, "line 1, column 17: unexpected U+000A" },
    { "{\"country\": \"Bra\0zil\"}", 22, "line 1, column 17: unexpected U+0000" },
    { "{\"country\": \"Bra\xffzil\"}", 0, "line 1, column 17: not UTF-8 text" },
    { "{\"country\": \"\\ud800x\"}", 0, "line 1, column 14: half of a surrogate pair" },
    { "{\"country\": \"\\udc00\"}", 0, "line 1, column 14: half of a surrogate pair" },
    { "{\"country\": \"\\x41\"}", 0, "line 1, column 15: unexpected “x”" },
    { "{\"n\": 01, \"country\": \"A\"}", 0, "line 1, column 8: unexpected “1”" },
    { "{\"n\": 1., \"country\": \"A\"}", 0, "line 1, column 9: unexpected “,”" },
    { "{\"n\": tru, \"country\": \"A\"}", 0, "line 1, column 10: unexpected “,”" },
    { "{\"country\": \"Brasília\" x}", 0, "line 1, column 24: unexpected “x”" },
    { "/* c */ {\"country\":\"Brazil\"}", 0, "line 1, column 1: unexpected “/”" },
    /* Valid: a country, whatever else the document holds. */
    { " \r\n{\"country\":\"Brazil\"} \t\n", 0, "Brazil" },
    { "{\"country\":\"a}\\\"{[\", \"x\":[{\"y\":\"]\"}]}", 0, "a}\"{[" },
    { "{\"n\":[-0.5e+3, 1E2, 0, true, false, null, {}], "
      "\"country\":\"\\u00e9\\ud83d\\ude00\"}", 0, "é😀" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize size = cases[i].size != 0 ? cases[i].size : strlen (cases[i].json);
      g_autoptr(GBytes) bytes = g_bytes_new_static (cases[i].json, size);
      g_autoptr(GError) error = NULL;
      g_autofree char *country = fb_catalog_parse_country (bytes, "u", &error);

      if (error == NULL)
        ASSERT_STR (country, cases[i].outcome);
      else
        {
          g_autofree char *expected = g_strconcat ("u: the metadata is not valid JSON: ",
                                                   cases[i].outcome, NULL);

          CU_ASSERT_PTR_NULL (country);
          CU_ASSERT_TRUE (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
          ASSERT_STR (error->message, expected);
        }
    }
}

/* Brackets nested as deep as a hostile server likes stop at a fixed depth,
 * before json-glib would recurse into them. */
static void
test_catalog_parse_country_depth (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"country\":\"Brazil\",\"x\":");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *country = NULL;
  g_autofree char *expected = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  bytes = g_bytes_new (deep->str, deep->len);
  country = fb_catalog_parse_country (bytes, "u", &error);
  CU_ASSERT_PTR_NULL (country);
  expected = g_strdup_printf ("u: the metadata is not valid JSON: line 1, column %u: "
                              "nested more than %u levels deep",
                              (guint) (strlen ("{\"country\":\"Brazil\",\"x\":")
                                       + FB_JSON_MAX_DEPTH),
                              FB_JSON_MAX_DEPTH);
  ASSERT_STR (error != NULL ? error->message : NULL, expected);
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_error (&error);
  g_clear_pointer (&country, g_free);

  /* FB_JSON_MAX_DEPTH levels are still a document. */
  g_string_truncate (deep, 0);
  g_string_append (deep, "{\"country\":\"Brazil\",\"x\":");
  for (guint i = 1; i < FB_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, '[');
  for (guint i = 1; i < FB_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  bytes = g_bytes_new (deep->str, deep->len);
  country = fb_catalog_parse_country (bytes, "u", &error);
  CU_ASSERT_PTR_NULL (error);
  ASSERT_STR (country, "Brazil");
}

static void
test_catalog_image_404_is_not_found_without_metadata_request (void)
{
  static const Entry entries[] = {
    { "ZB", "{\"country\": \"Zed\"}", 0, FALSE },
  };
  CatalogServer *server = catalog_server_new (entries, G_N_ELEMENTS (entries));
  g_autofree char *url = g_strconcat (server->base, "/zb/zb.gif", NULL);
  g_autofree char *message = g_strconcat ("Not found (HTTP 404): ", url, NULL);
  Fixture fx;
  FbJob *job;

  fixture_init (&fx, server->base, TRUE);
  job = add_code (&fx, "ZB");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_NOT_FOUND);
  ASSERT_STR (fb_job_get_message (job), message);
  CU_ASSERT_EQUAL (fb_job_get_http_status (job), 404);
  CU_ASSERT_PTR_NULL (fb_job_get_country (job));
  CU_ASSERT_EQUAL (catalog_server_hits (server, "/flags/zb/zb.gif"), 1);
  CU_ASSERT_EQUAL (catalog_server_hits (server, "/flags/zb/metadata.json"), 0);
  CU_ASSERT_EQUAL (catalog_server_total_hits (server), 1);
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 1, 0, 0);
  fixture_clear (&fx);
  catalog_server_free (server);
}

static void
test_catalog_metadata_404_is_error_and_leaves_no_file (void)
{
  /* Big enough that the image reaches the disk before the metadata fails. */
  static const Entry entries[] = {
    { "NM", NULL, 400 * 1024, FALSE },
  };
  CatalogServer *server = catalog_server_new (entries, G_N_ELEMENTS (entries));
  g_autofree char *url = g_strconcat (server->base, "/nm/metadata.json", NULL);
  g_autofree char *message = g_strconcat ("metadata.json: Not found (HTTP 404): ", url, NULL);
  Fixture fx;
  FbJob *job;

  fixture_init (&fx, server->base, TRUE);
  job = add_code (&fx, "NM");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  /* A flag without its name is the catalog's error, not a missing flag. */
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_STR (fb_job_get_message (job), message);
  CU_ASSERT_EQUAL (catalog_server_hits (server, "/flags/nm/nm.gif"), 1);
  CU_ASSERT_EQUAL (catalog_server_hits (server, "/flags/nm/metadata.json"), 1);
  CU_ASSERT_EQUAL (fb_test_count_suffix (fx.dir, ".part"), 0);
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 1, 0);
  fixture_clear (&fx);
  catalog_server_free (server);
}

static void
test_catalog_metadata_timeout_removes_part_file (void)
{
  static const Entry entries[] = {
    { "ST", "{\"country\": \"Stalled\"}", 400 * 1024, TRUE },
  };
  CatalogServer *server = catalog_server_new (entries, G_N_ELEMENTS (entries));
  g_autofree char *url = fb_catalog_metadata_url (server->base, "ST");
  g_autofree char *expected = NULL;
  Fixture fx;
  FbJob *job;

  fixture_init (&fx, server->base, TRUE);
  fb_run_set_timeout (fx.run, 0.5);
  job = add_code (&fx, "ST");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  /* The message names the metadata's URL, not the image's. */
  expected = g_strdup_printf ("metadata.json (%s): Timed out: nothing from 127.0.0.1:", url);
  ASSERT_PREFIX (fb_job_get_message (job), expected);
  CU_ASSERT_EQUAL (fb_test_count_suffix (fx.dir, ".part"), 0);
  ASSERT_DIR_EMPTY (&fx);
  fixture_clear (&fx);
  catalog_server_free (server);
}

static gboolean
part_file_exists (gpointer data)
{
  Fixture *fx = data;

  return fb_test_count_suffix (fx->dir, ".part") > 0 || fx->finished;
}

typedef struct
{
  CatalogServer *server;
  Fixture       *fx;
} MetadataWatch;

static gboolean
metadata_requested (gpointer data)
{
  MetadataWatch *watch = data;

  return catalog_server_hits (watch->server, "/flags/st/metadata.json") > 0 || watch->fx->finished;
}

static void
test_catalog_cancel_while_metadata_pending (void)
{
  static const Entry entries[] = {
    { "ST", "{\"country\": \"Stalled\"}", 400 * 1024, TRUE },
  };
  CatalogServer *server = catalog_server_new (entries, G_N_ELEMENTS (entries));
  Fixture fx;
  FbJob *job;
  MetadataWatch watch;
  g_auto(GStrv) names = NULL;

  fixture_init (&fx, server->base, TRUE);
  job = add_code (&fx, "ST");
  fb_run_start (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (part_file_exists, &fx, WAIT_SECONDS));
  names = fb_test_list_dir (fx.dir);
  /* The image streams under the code's name until the country is known. */
  ASSERT_STR (names[0], "ST.gif.part");

  /* Wait for the metadata request, then cancel the job itself. */
  watch.server = server;
  watch.fx = &fx;
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (metadata_requested, &watch, WAIT_SECONDS));
  CU_ASSERT_FALSE_FATAL (fx.finished);
  fb_run_cancel_job (fx.run, job);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_CANCELLED);
  ASSERT_STR (fb_job_get_message (job), "Cancelled");
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 0, 1);
  fixture_clear (&fx);
  catalog_server_free (server);
}

static void
test_catalog_existing_country_file_gets_numbered_name (void)
{
  CatalogServer *server = catalog_server_new (brazil, G_N_ELEMENTS (brazil));
  g_autoptr(GBytes) image = fb_test_body (IMAGE_SIZE);
  g_autofree char *mine = NULL;
  g_autofree char *contents = NULL;
  Fixture fx;
  FbJob *job;

  fixture_init (&fx, server->base, TRUE);
  mine = g_build_filename (fx.dir, "Brazil.gif", NULL);
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (mine, "mine", 4, NULL));
  job = add_code (&fx, "BR");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_message (job), "Saved as Brazil (1).gif");
  assert_image (&fx, "Brazil (1).gif", image);
  CU_ASSERT_TRUE (g_file_get_contents (mine, &contents, NULL, NULL));
  ASSERT_STR (contents, "mine");
  ASSERT_DIR (&fx, "Brazil (1).gif", "Brazil.gif");
  fixture_clear (&fx);
  catalog_server_free (server);
}

static void
test_catalog_existing_code_file_does_not_number_country_name (void)
{
  CatalogServer *server = catalog_server_new (brazil, G_N_ELEMENTS (brazil));
  g_autoptr(GBytes) image = fb_test_body (IMAGE_SIZE);
  g_autofree char *mine = NULL;
  Fixture fx;
  FbJob *job;

  /* BR.gif is taken, Brazil.gif is not: the saved name is Brazil.gif. */
  fixture_init (&fx, server->base, TRUE);
  mine = g_build_filename (fx.dir, "BR.gif", NULL);
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (mine, "mine", 4, NULL));
  job = add_code (&fx, "BR");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  ASSERT_STR (fb_job_get_message (job), "Saved as Brazil.gif");
  assert_image (&fx, "Brazil.gif", image);
  ASSERT_DIR (&fx, "BR.gif", "Brazil.gif");
  fixture_clear (&fx);
  catalog_server_free (server);
}

static void
test_catalog_without_base_url_is_error (void)
{
  Fixture fx;
  FbJob *job;

  fixture_init (&fx, NULL, FALSE);
  job = add_code (&fx, "BR");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_STR (fb_job_get_message (job), "No catalog base URL is set");
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 1, 0);
  fixture_clear (&fx);
}

/* ---- against the demo server ---- */

static FbDemoServer *
demo_new (void)
{
  g_autoptr(GError) error = NULL;
  FbDemoServer *demo = fb_demo_server_new ();

  fb_demo_server_listen (demo, 0, &error);
  g_assert_no_error (error);
  return demo;
}

static void
demo_free (FbDemoServer *demo)
{
  fb_demo_server_stop (demo);
  g_object_unref (demo);
}

static void
test_catalog_demo_code_names (void)
{
  FbDemoServer *demo = demo_new ();
  g_autofree char *base = fb_demo_server_dup_base_url (demo);
  g_autoptr(GBytes) br = fb_gif_generate_flag ("BR");
  g_autoptr(GBytes) us = fb_gif_generate_flag ("US");
  Fixture fx;
  FbJob *missing;

  fixture_init (&fx, base, FALSE);
  add_code (&fx, "BR");
  add_code (&fx, "us");
  missing = add_code (&fx, "ZZ");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  assert_image (&fx, "BR.gif", br);
  assert_image (&fx, "US.gif", us);
  CU_ASSERT_EQUAL (fb_job_get_state (missing), FB_JOB_STATE_NOT_FOUND);
  ASSERT_DIR (&fx, "BR.gif", "US.gif");
  ASSERT_COUNTS (fx.run, 2, 1, 0, 0);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (demo), 3);
  fixture_clear (&fx);
  demo_free (demo);
}

static void
test_catalog_demo_metadata_names (void)
{
  FbDemoServer *demo = demo_new ();
  g_autofree char *base = fb_demo_server_dup_base_url (demo);
  g_autoptr(GBytes) br = fb_gif_generate_flag ("BR");
  g_autoptr(GBytes) ci = fb_gif_generate_flag ("CI");
  g_autoptr(GBytes) us = fb_gif_generate_flag ("US");
  Fixture fx;
  FbJob *brazil_job;
  FbJob *ivory;

  fixture_init (&fx, base, TRUE);
  brazil_job = add_code (&fx, "BR");
  ivory = add_code (&fx, "CI");
  add_code (&fx, "US");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  ASSERT_STR (fb_job_get_country (brazil_job), "Brazil");
  ASSERT_STR (fb_job_get_message (brazil_job), "Saved as Brazil.gif");
  /* Sent as \u00f4, saved as UTF-8. */
  ASSERT_STR (fb_job_get_country (ivory), "Côte d'Ivoire");
  assert_image (&fx, "Brazil.gif", br);
  assert_image (&fx, "Côte_d'Ivoire.gif", ci);
  assert_image (&fx, "United_States.gif", us);
  ASSERT_DIR (&fx, "Brazil.gif", "Côte_d'Ivoire.gif", "United_States.gif");
  ASSERT_COUNTS (fx.run, 3, 0, 0, 0);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (demo), 6);
  fixture_clear (&fx);
  demo_free (demo);
}

static void
test_catalog_demo_teapot_is_error (void)
{
  FbDemoServer *demo = demo_new ();
  g_autofree char *base = fb_demo_server_dup_base_url (demo);
  Fixture fx;
  FbJob *job;

  fb_demo_server_set_error_rate (demo, 1.0);
  fixture_init (&fx, base, TRUE);
  job = add_code (&fx, "BR");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_STR (fb_job_get_message (job), "HTTP error 418 - I'm a Teapot");
  CU_ASSERT_EQUAL (fb_job_get_http_status (job), 418);
  ASSERT_DIR_EMPTY (&fx);
  fixture_clear (&fx);
  demo_free (demo);
}

static gboolean
cancel_run_cb (gpointer data)
{
  fb_run_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_catalog_demo_cancel_during_delay (void)
{
  FbDemoServer *demo = demo_new ();
  g_autofree char *base = fb_demo_server_dup_base_url (demo);
  const char *codes[] = { "BR", "CN", "IN", "US", "ID", "PK", "NG" };
  Fixture fx;
  gint64 started;

  fb_demo_server_set_delay (demo, 3.0, 3.0);
  fixture_init (&fx, base, TRUE);
  fb_run_set_max_concurrency (fx.run, 3);
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    add_code (&fx, codes[i]);
  g_timeout_add (200, cancel_run_cb, fx.run);
  started = g_get_monotonic_time ();
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_TRUE (g_get_monotonic_time () - started < 2 * G_USEC_PER_SEC);
  ASSERT_COUNTS (fx.run, 0, 0, 0, G_N_ELEMENTS (codes));
  CU_ASSERT_EQUAL (fb_demo_server_get_peak_in_flight (demo), 3);
  ASSERT_DIR_EMPTY (&fx);
  fixture_clear (&fx);
  demo_free (demo);
}

static void
test_catalog_demo_slot_held_per_request (void)
{
  FbDemoServer *demo = demo_new ();
  g_autofree char *base = fb_demo_server_dup_base_url (demo);
  const char *codes[] = { "BR", "CN", "IN", "US" };
  Fixture fx;

  fb_demo_server_set_delay (demo, 0.05, 0.05);
  fixture_init (&fx, base, TRUE);
  fb_run_set_max_concurrency (fx.run, 2);
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    add_code (&fx, codes[i]);
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  ASSERT_COUNTS (fx.run, 4, 0, 0, 0);
  /* Image and metadata each hold a slot: never more than the limit at the server. */
  CU_ASSERT_EQUAL (fb_demo_server_get_peak_in_flight (demo), 2);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (demo), 8);
  CU_ASSERT_EQUAL (fb_run_get_active (fx.run), 0);
  CU_ASSERT_EQUAL (fb_run_get_waiting (fx.run), 0);
  ASSERT_DIR (&fx, "Brazil.gif", "China.gif", "India.gif", "United_States.gif");
  fixture_clear (&fx);
  demo_free (demo);
}

static const FbTestCase tests[] = {
  FB_TEST (test_catalog_saves_code_name_without_metadata),
  FB_TEST (test_catalog_saves_country_name_from_metadata),
  FB_TEST (test_catalog_untrusted_country_names_stay_inside_destination),
  FB_TEST (test_catalog_wrong_metadata_shapes_are_errors),
  FB_TEST (test_catalog_invalid_metadata_is_error),
  FB_TEST (test_catalog_parse_country_edge_bytes),
  FB_TEST (test_catalog_parse_country_strict_json),
  FB_TEST (test_catalog_parse_country_depth),
  FB_TEST (test_catalog_image_404_is_not_found_without_metadata_request),
  FB_TEST (test_catalog_metadata_404_is_error_and_leaves_no_file),
  FB_TEST (test_catalog_metadata_timeout_removes_part_file),
  FB_TEST (test_catalog_cancel_while_metadata_pending),
  FB_TEST (test_catalog_existing_country_file_gets_numbered_name),
  FB_TEST (test_catalog_existing_code_file_does_not_number_country_name),
  FB_TEST (test_catalog_without_base_url_is_error),
  FB_TEST (test_catalog_demo_code_names),
  FB_TEST (test_catalog_demo_metadata_names),
  FB_TEST (test_catalog_demo_teapot_is_error),
  FB_TEST (test_catalog_demo_cancel_during_delay),
  FB_TEST (test_catalog_demo_slot_held_per_request),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "catalog", tests);
}
