/* test-tls-database.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FbTlsDatabase answers with the trust it wraps, remembers a good verdict
 * only for the same chain, host and purpose, and never a bad one.
 */

#include "config.h"

#include "fb-test-utils.h"
#include "fb-tls-database.h"

static GTlsCertificateFlags
verify (GTlsDatabase *database,
        const char   *host)
{
  g_autofree char *path = fb_test_cert_path ("server.pem");
  g_autoptr(GTlsCertificate) chain = g_tls_certificate_new_from_file (path, NULL);
  g_autoptr(GSocketConnectable) identity = g_network_address_new (host, 443);

  g_assert_nonnull (chain);
  return g_tls_database_verify_chain (database, chain, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                      identity, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, NULL);
}

static void
test_tls_database_trusts_its_file_alone (void)
{
  g_autofree char *ca = fb_test_cert_path ("ca.pem");
  g_autofree char *other = fb_test_cert_path ("other-ca.pem");
  g_autoptr(GTlsDatabase) trusting = fb_tls_database_new_for_file (ca, NULL);
  g_autoptr(GTlsDatabase) stranger = fb_tls_database_new_for_file (other, NULL);

  CU_ASSERT_PTR_NOT_NULL_FATAL (trusting);
  CU_ASSERT_PTR_NOT_NULL_FATAL (stranger);
  /* Twice each: the second answer may come from the remembered verdict. */
  for (guint i = 0; i < 2; i++)
    {
      CU_ASSERT_EQUAL (verify (trusting, "127.0.0.1"), 0);
      CU_ASSERT_EQUAL (verify (trusting, "localhost"), 0);
      CU_ASSERT_EQUAL (verify (trusting, "example.com"), G_TLS_CERTIFICATE_BAD_IDENTITY);
      CU_ASSERT_TRUE (verify (stranger, "127.0.0.1") & G_TLS_CERTIFICATE_UNKNOWN_CA);
    }
}

static void
test_tls_database_refuses_a_file_without_certificates (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = fb_test_cert_path ("server-key.pem");
  g_autoptr(GTlsDatabase) database = fb_tls_database_new_for_file (key, &error);

  CU_ASSERT_PTR_NULL (database);
  CU_ASSERT_PTR_NOT_NULL (error);
  g_clear_error (&error);
  database = fb_tls_database_new_for_file ("/nonexistent/ca.pem", &error);
  CU_ASSERT_PTR_NULL (database);
  CU_ASSERT_TRUE (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT));
}

static const FbTestCase tests[] = {
  FB_TEST (test_tls_database_trusts_its_file_alone),
  FB_TEST (test_tls_database_refuses_a_file_without_certificates),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "tls-database", tests);
}
