/* walbuf.h - a VFS that writes each WAL commit in one system call instead
 * of two per page (see walbuf.c). */
#ifndef CK_WALBUF_H
#define CK_WALBUF_H

#define WALBUF_VFS "ck-walbuf"

/* The VFS name to open write connections with (registered on first use),
 * or NULL when it could not be set up: then use the default VFS. */
const char *walbuf_vfs(void);

#endif
