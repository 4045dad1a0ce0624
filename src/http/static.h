/* static.h - files from the web root (web/dist) with types, caching headers
 * and no way out of the root. */
#ifndef CK_STATIC_H
#define CK_STATIC_H

#include "http/req.h"

/* Answer r (GET/HEAD) from root: "/" is index.html; hashed files under
 * /assets/ are cached for a year, everything else revalidates (ETag).
 * Paths with "." or ".." segments, backslashes or control bytes get 404.
 * Returns REQ_DONE. */
int static_serve(struct req *r, const char *root);

/* 1 when path (already URL-decoded) is safe to join to the root. */
int static_path_ok(const char *path);

#endif
