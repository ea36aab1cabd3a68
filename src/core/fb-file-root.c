/* fb-file-root.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-demo-server"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fb-file-root.h"

#define MAX_FILE_SIZE (256 * 1024 * 1024)

void
_fb_file_answer_free (FbFileAnswer *answer)
{
  if (answer == NULL)
    return;
  g_clear_pointer (&answer->body, g_bytes_unref);
  g_free (answer->location);
  g_free (answer);
}

static FbFileAnswer *
answer_status (guint status)
{
  FbFileAnswer *answer = g_new0 (FbFileAnswer, 1);
  const char *text = status == 404 ? "Not Found\n"
                     : status == 403 ? "Forbidden\n"
                     : "Internal Server Error\n";

  answer->status = status;
  answer->content_type = "text/plain";
  answer->body = g_bytes_new_static (text, strlen (text));
  return answer;
}

/* "a/b%20c/" → "a/b c" (relative, no empty, "." or ".." segment); NULL
 * when the path cannot name something inside the root. */
static char *
relative_path (const char *path,
               gboolean   *is_folder_path)
{
  g_auto(GStrv) segments = NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (path == NULL || path[0] != '/')
    return NULL;
  *is_folder_path = g_str_has_suffix (path, "/");

  segments = g_strsplit (path + 1, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      /* NULL for "%2f" and "%00" as well as for broken escapes. */
      char *part = g_uri_unescape_segment (segments[i], NULL, "/");

      if (part == NULL)
        return NULL;
      if (part[0] == '\0')
        {
          g_free (part);
          continue;
        }
      if (g_str_equal (part, ".") || g_str_equal (part, ".."))
        {
          g_free (part);
          return NULL;
        }
      g_ptr_array_add (parts, part);
    }

  if (parts->len == 0)
    return g_strdup (".");
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("/", (char **) parts->pdata);
}

static gboolean
is_beneath (const char *root_real,
            const char *path_real)
{
  gsize n = strlen (root_real);

  return strncmp (root_real, path_real, n) == 0
         && (path_real[n] == '/' || path_real[n] == '\0' || g_str_equal (root_real, "/"));
}

/* openat2 (RESOLVE_BENEATH); where the kernel or a sandbox lacks it, the
 * resolved path must still start with the root's. */
static int
open_beneath (int         root_fd,
              const char *root_real,
              const char *relative)
{
  struct open_how how = { 0, };
  g_autofree char *joined = NULL;
  g_autofree char *real = NULL;
  int fd;

  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  fd = (int) syscall (SYS_openat2, root_fd, relative, &how, sizeof how);
  if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
    return fd;

  joined = g_build_filename (root_real, relative, NULL);
  real = realpath (joined, NULL);
  if (real == NULL)
    return -1;
  if (!is_beneath (root_real, real))
    {
      errno = EXDEV;
      return -1;
    }
  return open (real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

static const char *
guess_type (const char *name)
{
  static const struct { const char *suffix; const char *type; } types[] = {
    { ".gif", "image/gif" }, { ".png", "image/png" }, { ".jpg", "image/jpeg" },
    { ".jpeg", "image/jpeg" }, { ".svg", "image/svg+xml" }, { ".json", "application/json" },
    { ".html", "text/html; charset=utf-8" }, { ".htm", "text/html; charset=utf-8" },
    { ".txt", "text/plain; charset=utf-8" }, { ".css", "text/css" },
    { ".js", "text/javascript" }, { ".csv", "text/csv" },
  };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_has_suffix (lower, types[i].suffix))
      return types[i].type;
  return "application/octet-stream";
}

static FbFileAnswer *
read_file (int         fd,
           const char *name,
           gsize       size)
{
  FbFileAnswer *answer;
  guint8 *data;
  gsize done = 0;

  if (size > MAX_FILE_SIZE)
    return answer_status (403);

  data = g_malloc (MAX (size, 1));
  while (done < size)
    {
      gssize n = read (fd, data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += (gsize) n;
    }

  answer = g_new0 (FbFileAnswer, 1);
  answer->status = 200;
  answer->content_type = guess_type (name);
  answer->body = g_bytes_new_take (data, done);
  return answer;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static FbFileAnswer *
list_folder (int         fd,
             const char *path)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *title = g_markup_escape_text (path, -1);
  FbFileAnswer *answer;
  GString *html;
  struct dirent *entry;
  DIR *dir;
  int copy = dup (fd);

  if (copy < 0 || (dir = fdopendir (copy)) == NULL)
    {
      if (copy >= 0)
        close (copy);
      return answer_status (403);
    }
  while ((entry = readdir (dir)) != NULL)
    {
      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      g_ptr_array_add (names, g_strconcat (entry->d_name,
                                           entry->d_type == DT_DIR ? "/" : "", NULL));
    }
  closedir (dir);
  g_ptr_array_sort (names, compare_names);

  html = g_string_new (NULL);
  g_string_append_printf (html, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
                                "<title>Directory listing for %s</title>\n</head>\n<body>\n"
                                "<h1>Directory listing for %s</h1>\n<hr>\n<ul>\n",
                          title, title);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *href = g_uri_escape_string (name, "/", TRUE);
      g_autofree char *text = g_markup_escape_text (name, -1);

      g_string_append_printf (html, "<li><a href=\"%s\">%s</a></li>\n", href, text);
    }
  g_string_append (html, "</ul>\n<hr>\n</body>\n</html>\n");

  answer = g_new0 (FbFileAnswer, 1);
  answer->status = 200;
  answer->content_type = "text/html; charset=utf-8";
  answer->body = g_string_free_to_bytes (html);
  return answer;
}

FbFileAnswer *
_fb_file_root_answer (const char *root,
                      const char *path)
{
  g_autofree char *relative = NULL;
  g_autofree char *root_real = NULL;
  gboolean is_folder_path = FALSE;
  struct stat st;
  FbFileAnswer *answer;
  int root_fd;
  int fd;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  relative = relative_path (path, &is_folder_path);
  if (relative == NULL)
    return answer_status (404);

  root_real = realpath (root, NULL);
  root_fd = root_real != NULL ? open (root_real, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (root_fd < 0)
    return answer_status (500);

  fd = open_beneath (root_fd, root_real, relative);
  if (fd < 0)
    {
      int saved_errno = errno;

      close (root_fd);
      return answer_status (saved_errno == EACCES ? 403 : 404);
    }

  if (fstat (fd, &st) != 0)
    answer = answer_status (500);
  else if (S_ISREG (st.st_mode))
    answer = read_file (fd, relative, (gsize) st.st_size);
  else if (!S_ISDIR (st.st_mode))
    answer = answer_status (403);
  else if (!is_folder_path && !g_str_equal (relative, "."))
    {
      answer = g_new0 (FbFileAnswer, 1);
      answer->status = 301;
      answer->content_type = "text/plain";
      answer->body = g_bytes_new_static ("", 0);
      answer->location = g_strconcat (path, "/", NULL);
    }
  else
    {
      g_autofree char *index_path = g_build_filename (relative, "index.html", NULL);
      int index_fd = open_beneath (root_fd, root_real, index_path);

      if (index_fd >= 0 && fstat (index_fd, &st) == 0 && S_ISREG (st.st_mode))
        answer = read_file (index_fd, "index.html", (gsize) st.st_size);
      else
        answer = list_folder (fd, path);
      if (index_fd >= 0)
        close (index_fd);
    }

  close (fd);
  close (root_fd);
  return answer;
}

typedef struct
{
  char *root;
  char *path;
} Request;

static void
request_free (Request *request)
{
  g_free (request->root);
  g_free (request->path);
  g_free (request);
}

static void
answer_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Request *request = task_data;

  g_task_return_pointer (task, _fb_file_root_answer (request->root, request->path),
                         (GDestroyNotify) _fb_file_answer_free);
}

void
_fb_file_root_answer_async (const char          *root,
                            const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (root != NULL);
  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _fb_file_root_answer_async);
  request = g_new0 (Request, 1);
  request->root = g_strdup (root);
  request->path = g_strdup (path);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  g_task_run_in_thread (task, answer_worker);
}

FbFileAnswer *
_fb_file_root_answer_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
