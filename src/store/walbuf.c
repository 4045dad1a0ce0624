/* walbuf.c - a VFS over the default one that gathers a transaction's WAL
 * writes into one write.
 *
 * SQLite appends a commit to the WAL as two pwrite calls per page (the frame
 * header, then the page), then syncs. On a virtual machine each system call
 * costs microseconds, and a batch of counter actions writes dozens of
 * pages: the calls cost more than the copying. Here the writes to a WAL file
 * that continue where the last one ended are kept in memory and written in
 * one call at the latest when SQLite syncs, reads, truncates, asks the size
 * of, or closes the file, or when the buffer is full. SQLite publishes new
 * frames to readers (the wal-index) only after that sync, so no reader can
 * see a frame that is still in memory; and the sync that makes a commit
 * durable comes after its bytes reached the file.
 *
 * Every other file, and every other method, goes straight to the default
 * VFS.
 */
#include "store/walbuf.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Bytes gathered at most before a write. The default VFS writes at most
 * 128 KiB - 1 in one call (it masks larger sizes and reports a short write
 * as a full disk), so a gathered write stays below that: 64 KiB is sixteen
 * frames per call instead of thirty-two calls. */
#define WALBUF_CAP ((size_t)64 * 1024)

struct wb_file {
    sqlite3_file base; /* our methods */
    int is_wal;
    unsigned char *buf;
    size_t len;           /* bytes gathered */
    sqlite3_int64 offset; /* where buf[0] goes in the file */
    sqlite3_file *real;   /* the default VFS's file, right after this struct */
};

static sqlite3_vfs wb_vfs;
static sqlite3_vfs *real_vfs;
static sqlite3_io_methods wb_methods;

static int wb_flush(struct wb_file *f)
{
    if (f->len == 0)
        return SQLITE_OK;
    int rc = f->real->pMethods->xWrite(f->real, f->buf, (int)f->len, f->offset);
    f->len = 0;
    return rc;
}

static int wb_close(sqlite3_file *p)
{
    struct wb_file *f = (struct wb_file *)p;
    int rc = wb_flush(f);
    int rc2 = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    free(f->buf);
    f->buf = NULL;
    return rc != SQLITE_OK ? rc : rc2;
}

static int wb_read(sqlite3_file *p, void *out, int n, sqlite3_int64 off)
{
    struct wb_file *f = (struct wb_file *)p;
    int rc = wb_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, out, n, off);
}

static int wb_write(sqlite3_file *p, const void *data, int n, sqlite3_int64 off)
{
    struct wb_file *f = (struct wb_file *)p;
    if (!f->is_wal || n <= 0)
        return f->real->pMethods->xWrite(f->real, data, n, off);
    int rc;
    if (f->len > 0 && (off != f->offset + (sqlite3_int64)f->len || f->len + (size_t)n > WALBUF_CAP))
        if ((rc = wb_flush(f)) != SQLITE_OK)
            return rc;
    if ((size_t)n > WALBUF_CAP)
        return f->real->pMethods->xWrite(f->real, data, n, off);
    if (!f->buf) {
        f->buf = malloc(WALBUF_CAP);
        if (!f->buf)
            return f->real->pMethods->xWrite(f->real, data, n, off);
    }
    if (f->len == 0)
        f->offset = off;
    memcpy(f->buf + f->len, data, (size_t)n);
    f->len += (size_t)n;
    return SQLITE_OK;
}

static int wb_truncate(sqlite3_file *p, sqlite3_int64 size)
{
    struct wb_file *f = (struct wb_file *)p;
    int rc = wb_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int wb_sync(sqlite3_file *p, int flags)
{
    struct wb_file *f = (struct wb_file *)p;
    int rc = wb_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int wb_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
    struct wb_file *f = (struct wb_file *)p;
    int rc = wb_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int wb_lock(sqlite3_file *p, int level)
{
    struct wb_file *f = (struct wb_file *)p;
    return f->real->pMethods->xLock(f->real, level);
}

static int wb_unlock(sqlite3_file *p, int level)
{
    struct wb_file *f = (struct wb_file *)p;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int wb_check_reserved(sqlite3_file *p, int *out)
{
    struct wb_file *f = (struct wb_file *)p;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int wb_file_control(sqlite3_file *p, int op, void *arg)
{
    struct wb_file *f = (struct wb_file *)p;
    if (f->is_wal) {
        int rc = wb_flush(f); /* whatever the control does, it sees the file as written */
        if (rc != SQLITE_OK)
            return rc;
    }
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int wb_sector_size(sqlite3_file *p)
{
    struct wb_file *f = (struct wb_file *)p;
    return f->real->pMethods->xSectorSize(f->real);
}

static int wb_device_chars(sqlite3_file *p)
{
    struct wb_file *f = (struct wb_file *)p;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int wb_shm_map(sqlite3_file *p, int pg, int sz, int extend, void volatile **out)
{
    struct wb_file *f = (struct wb_file *)p;
    return f->real->pMethods->xShmMap(f->real, pg, sz, extend, out);
}

static int wb_shm_lock(sqlite3_file *p, int off, int n, int flags)
{
    struct wb_file *f = (struct wb_file *)p;
    return f->real->pMethods->xShmLock(f->real, off, n, flags);
}

static void wb_shm_barrier(sqlite3_file *p)
{
    struct wb_file *f = (struct wb_file *)p;
    f->real->pMethods->xShmBarrier(f->real);
}

static int wb_shm_unmap(sqlite3_file *p, int del)
{
    struct wb_file *f = (struct wb_file *)p;
    return f->real->pMethods->xShmUnmap(f->real, del);
}

static int wb_fetch(sqlite3_file *p, sqlite3_int64 off, int n, void **out)
{
    struct wb_file *f = (struct wb_file *)p;
    int rc = wb_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFetch(f->real, off, n, out);
}

static int wb_unfetch(sqlite3_file *p, sqlite3_int64 off, void *page)
{
    struct wb_file *f = (struct wb_file *)p;
    return f->real->pMethods->xUnfetch(f->real, off, page);
}

static int wb_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *out_flags)
{
    (void)vfs;
    struct wb_file *f = (struct wb_file *)p;
    memset(f, 0, sizeof(*f));
    f->real = (sqlite3_file *)(f + 1);
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        /* SQLite calls xClose only when pMethods is set */
        p->pMethods = NULL;
        return rc;
    }
    f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
    /* the default file's methods decide which version we offer */
    p->pMethods = f->real->pMethods ? &wb_methods : NULL;
    return SQLITE_OK;
}

static int wb_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int wb_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int wb_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int wb_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int wb_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int wb_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int wb_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}

static int wb_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static void *wb_dl_open(sqlite3_vfs *vfs, const char *path)
{
    (void)vfs;
    return real_vfs->xDlOpen(real_vfs, path);
}

static void wb_dl_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    real_vfs->xDlError(real_vfs, n, out);
}

static void (*wb_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return real_vfs->xDlSym(real_vfs, h, sym);
}

static void wb_dl_close(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    real_vfs->xDlClose(real_vfs, h);
}

static int registered;

static void wb_register(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs || real_vfs->iVersion < 2 || !real_vfs->xCurrentTimeInt64)
        return;
    wb_methods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = wb_close,
        .xRead = wb_read,
        .xWrite = wb_write,
        .xTruncate = wb_truncate,
        .xSync = wb_sync,
        .xFileSize = wb_file_size,
        .xLock = wb_lock,
        .xUnlock = wb_unlock,
        .xCheckReservedLock = wb_check_reserved,
        .xFileControl = wb_file_control,
        .xSectorSize = wb_sector_size,
        .xDeviceCharacteristics = wb_device_chars,
        .xShmMap = wb_shm_map,
        .xShmLock = wb_shm_lock,
        .xShmBarrier = wb_shm_barrier,
        .xShmUnmap = wb_shm_unmap,
        .xFetch = wb_fetch,
        .xUnfetch = wb_unfetch,
    };
    wb_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(struct wb_file) + real_vfs->szOsFile,
        .mxPathname = real_vfs->mxPathname,
        .zName = WALBUF_VFS,
        .xOpen = wb_open,
        .xDelete = wb_delete,
        .xAccess = wb_access,
        .xFullPathname = wb_full_pathname,
        .xDlOpen = wb_dl_open,
        .xDlError = wb_dl_error,
        .xDlSym = wb_dl_sym,
        .xDlClose = wb_dl_close,
        .xRandomness = wb_randomness,
        .xSleep = wb_sleep,
        .xCurrentTime = wb_current_time,
        .xGetLastError = wb_last_error,
        .xCurrentTimeInt64 = wb_current_time64,
    };
    registered = sqlite3_vfs_register(&wb_vfs, 0) == SQLITE_OK;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

const char *walbuf_vfs(void)
{
    pthread_once(&once, wb_register);
    return registered ? WALBUF_VFS : NULL;
}
