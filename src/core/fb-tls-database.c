/* fb-tls-database.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-tls-database"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "fb-tls-database.h"

#define VERIFIED_FOR_US  (60 * G_USEC_PER_SEC)  /* how long a verdict is taken again */
#define MAX_VERIFIED     256

struct _FbTlsDatabase
{
  GTlsDatabase  parent_instance;

  GTlsDatabase *inner;
  GMutex        lock;       /* verify_chain runs on GIO's threads and the main one */
  GHashTable   *verified;   /* key (chain, identity, purpose) → Verdict* */
};

typedef struct
{
  GTlsCertificateFlags flags;
  gint64               until;   /* monotonic */
} Verdict;

G_DEFINE_FINAL_TYPE (FbTlsDatabase, fb_tls_database, G_TYPE_TLS_DATABASE)

/* The chain's certificates (DER, hashed), the identity and the purpose. */
static char *
verdict_key (GTlsCertificate    *chain,
             const char         *purpose,
             GSocketConnectable *identity,
             GTlsDatabaseVerifyFlags flags)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *who = identity != NULL ? g_socket_connectable_to_string (identity) : NULL;

  for (GTlsCertificate *c = chain; c != NULL; c = g_tls_certificate_get_issuer (c))
    {
      g_autoptr(GByteArray) der = NULL;

      g_object_get (c, "certificate", &der, NULL);
      if (der == NULL)
        return NULL;
      g_checksum_update (sum, der->data, der->len);
    }
  return g_strdup_printf ("%s %s %s %u", g_checksum_get_string (sum), who != NULL ? who : "",
                          purpose, (guint) flags);
}

/* glib-networking 2.74 verifies the chain again, on the thread that
 * finishes the handshake (the main one), for every session it resumes:
 * an ECDSA or RSA check per connection, a long main-loop stall when a
 * thousand connections come up at once. The same chain for the same host
 * gets the same verdict for a minute instead; a chain that failed is
 * never remembered. */
static GTlsCertificateFlags
fb_tls_database_verify_chain (GTlsDatabase             *database,
                              GTlsCertificate          *chain,
                              const char               *purpose,
                              GSocketConnectable       *identity,
                              GTlsInteraction          *interaction,
                              GTlsDatabaseVerifyFlags   flags,
                              GCancellable             *cancellable,
                              GError                  **error)
{
  FbTlsDatabase *self = FB_TLS_DATABASE (database);
  g_autofree char *key = verdict_key (chain, purpose, identity, flags);
  GTlsCertificateFlags result;
  gint64 now = g_get_monotonic_time ();

  if (key != NULL)
    {
      Verdict *verdict;

      g_mutex_lock (&self->lock);
      verdict = g_hash_table_lookup (self->verified, key);
      if (verdict != NULL && verdict->until > now)
        {
          result = verdict->flags;
          g_mutex_unlock (&self->lock);
          return result;
        }
      g_mutex_unlock (&self->lock);
    }

  result = g_tls_database_verify_chain (self->inner, chain, purpose, identity, interaction,
                                        flags, cancellable, error);
  if (key != NULL && result == 0)
    {
      Verdict *verdict = g_new (Verdict, 1);

      verdict->flags = result;
      verdict->until = now + VERIFIED_FOR_US;
      g_mutex_lock (&self->lock);
      if (g_hash_table_size (self->verified) >= MAX_VERIFIED)
        g_hash_table_remove_all (self->verified);
      g_hash_table_replace (self->verified, g_steal_pointer (&key), verdict);
      g_mutex_unlock (&self->lock);
    }
  return result;
}

static char *
fb_tls_database_create_certificate_handle (GTlsDatabase    *database,
                                           GTlsCertificate *certificate)
{
  return g_tls_database_create_certificate_handle (FB_TLS_DATABASE (database)->inner,
                                                   certificate);
}

static GTlsCertificate *
fb_tls_database_lookup_certificate_for_handle (GTlsDatabase             *database,
                                               const char               *handle,
                                               GTlsInteraction          *interaction,
                                               GTlsDatabaseLookupFlags   flags,
                                               GCancellable             *cancellable,
                                               GError                  **error)
{
  return g_tls_database_lookup_certificate_for_handle (FB_TLS_DATABASE (database)->inner,
                                                       handle, interaction, flags,
                                                       cancellable, error);
}

static GTlsCertificate *
fb_tls_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                           GTlsCertificate          *certificate,
                                           GTlsInteraction          *interaction,
                                           GTlsDatabaseLookupFlags   flags,
                                           GCancellable             *cancellable,
                                           GError                  **error)
{
  return g_tls_database_lookup_certificate_issuer (FB_TLS_DATABASE (database)->inner,
                                                   certificate, interaction, flags,
                                                   cancellable, error);
}

static GList *
fb_tls_database_lookup_certificates_issued_by (GTlsDatabase             *database,
                                               GByteArray               *issuer_raw_dn,
                                               GTlsInteraction          *interaction,
                                               GTlsDatabaseLookupFlags   flags,
                                               GCancellable             *cancellable,
                                               GError                  **error)
{
  return g_tls_database_lookup_certificates_issued_by (FB_TLS_DATABASE (database)->inner,
                                                       issuer_raw_dn, interaction, flags,
                                                       cancellable, error);
}

static void
fb_tls_database_finalize (GObject *object)
{
  FbTlsDatabase *self = FB_TLS_DATABASE (object);

  g_clear_object (&self->inner);
  g_hash_table_destroy (self->verified);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (fb_tls_database_parent_class)->finalize (object);
}

static void
fb_tls_database_class_init (FbTlsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = fb_tls_database_finalize;
  database_class->verify_chain = fb_tls_database_verify_chain;
  database_class->create_certificate_handle = fb_tls_database_create_certificate_handle;
  database_class->lookup_certificate_for_handle = fb_tls_database_lookup_certificate_for_handle;
  database_class->lookup_certificate_issuer = fb_tls_database_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = fb_tls_database_lookup_certificates_issued_by;
}

static void
fb_tls_database_init (FbTlsDatabase *self)
{
  g_mutex_init (&self->lock);
  self->verified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

GTlsDatabase *
fb_tls_database_new (GTlsDatabase *inner)
{
  FbTlsDatabase *self;

  g_return_val_if_fail (G_IS_TLS_DATABASE (inner), NULL);

  self = g_object_new (FB_TYPE_TLS_DATABASE, NULL);
  self->inner = g_object_ref (inner);
  return G_TLS_DATABASE (self);
}

/* SSL_CERT_FILE, as OpenSSL, curl and Python read it, names a PEM file
 * to trust instead of the system's store (a company CA, a test's). */
static gpointer
make_system (gpointer unused)
{
  const char *file = g_getenv ("SSL_CERT_FILE");
  g_autoptr(GTlsDatabase) inner = NULL;

  if (file != NULL && *file != '\0')
    {
      g_autoptr(GError) error = NULL;
      GTlsDatabase *database = fb_tls_database_new_for_file (file, &error);

      if (database != NULL)
        return database;
      g_warning ("SSL_CERT_FILE=%s: %s; using the system's trust store", file, error->message);
    }
  inner = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  return inner != NULL ? fb_tls_database_new (inner) : NULL;
}

static GOnce system_once = G_ONCE_INIT;

GTlsDatabase *
fb_tls_database_get_system (void)
{
  return g_once (&system_once, make_system, NULL);
}

static gpointer
preload_thread (gpointer unused)
{
  fb_tls_database_get_system ();
  return NULL;
}

void
fb_tls_database_preload (void)
{
  g_thread_unref (g_thread_new ("fb-tls-preload", preload_thread, NULL));
}

GTlsDatabase *
fb_tls_database_new_for_file (const char  *ca_file,
                              GError     **error)
{
  g_autoptr(GTlsDatabase) inner = NULL;
  g_autofree char *absolute = NULL;
  g_autolist(GTlsCertificate) certificates = NULL;

  g_return_val_if_fail (ca_file != NULL, NULL);

  /* GIO's file database wants an absolute path; and an empty or foreign
   * file would otherwise only show as every server's certificate failing. */
  absolute = g_canonicalize_filename (ca_file, NULL);
  certificates = g_tls_certificate_list_new_from_file (absolute, error);
  if (certificates == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                             _("no PEM certificate in the file"));
      return NULL;
    }
  inner = g_tls_file_database_new (absolute, error);
  if (inner == NULL)
    return NULL;
  return fb_tls_database_new (inner);
}
