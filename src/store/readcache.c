/* readcache.c - the per-connection cache of derived read results (db.h).
 *
 * A small open table of key -> copied value. Everything is dropped when the
 * connection's data version moves (another connection committed) or when the
 * byte budget is exceeded. One connection belongs to one thread, so no locks.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"
#include "store/db_impl.h"

#define CACHE_SLOTS 256 /* power of two */
#define CACHE_KEY 64

struct cache_entry {
    char key[CACHE_KEY];
    void *val;
    size_t len;
};

static atomic_ulong commit_generation;
static atomic_ulong auth_generation;

void db_note_auth_change(struct db *db)
{
    if (db)
        db->auth_changed = 1;
}

void db_auth_committed(struct db *db)
{
    if (db && db->auth_changed) {
        db->auth_changed = 0;
        atomic_fetch_add(&auth_generation, 1);
    }
}

unsigned long db_auth_generation(void)
{
    return atomic_load(&auth_generation);
}

void db_note_commit(void)
{
    atomic_fetch_add(&commit_generation, 1);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct readcache {
    int64_t version;
    unsigned long generation; /* commit_generation when last checked */
    int64_t checked_ms;       /* when the database was last asked */
    int valid;
    size_t bytes;
    int count;
    struct cache_entry slots[CACHE_SLOTS];
};

static void cache_clear(struct readcache *c)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(c->slots[i].val);
        c->slots[i].val = NULL;
        c->slots[i].key[0] = '\0';
    }
    c->bytes = 0;
    c->count = 0;
}

void db_cache_free(struct db *db)
{
    if (!db->cache)
        return;
    cache_clear(db->cache);
    free(db->cache);
    db->cache = NULL;
}

void db_cache_sync(struct db *db)
{
    if (!db->ops->data_version)
        return;
    if (!db->cache) {
        db->cache = calloc(1, sizeof(*db->cache));
        if (!db->cache)
            return;
    }
    int64_t v = 0;
    struct readcache *c = db->cache;
    unsigned long gen = atomic_load(&commit_generation);
    int64_t now = now_ms();
    /* nothing committed in this process and asked the database recently:
     * the cache stands without a statement */
    if (c->valid && gen == c->generation && now - c->checked_ms < DB_CACHE_RECHECK_MS)
        return;
    c->generation = gen;
    c->checked_ms = now;
    if (db->ops->data_version(db, &v) < 0) {
        cache_clear(c);
        c->valid = 0;
        return;
    }
    if (!c->valid || v != c->version)
        cache_clear(c);
    c->version = v;
    c->valid = 1;
}

static unsigned slot_of(const char *key)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 16777619u;
    return h & (CACHE_SLOTS - 1);
}

static struct cache_entry *find(struct readcache *c, const char *key, int for_insert)
{
    unsigned i = slot_of(key);
    for (int probe = 0; probe < CACHE_SLOTS; probe++, i = (i + 1) & (CACHE_SLOTS - 1)) {
        struct cache_entry *e = &c->slots[i];
        if (!e->val)
            return for_insert ? e : NULL;
        if (strcmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

void db_cache_request(struct db *db)
{
    db->cache_pending = 1;
}

static void sync_pending(struct db *db)
{
    if (db->cache_pending) {
        db->cache_pending = 0;
        db_cache_sync(db);
    }
}

const void *db_cache_get(struct db *db, const char *key, size_t *len)
{
    sync_pending(db);
    struct readcache *c = db->cache;
    if (!c || !c->valid || strlen(key) >= CACHE_KEY)
        return NULL;
    struct cache_entry *e = find(c, key, 0);
    if (!e)
        return NULL;
    *len = e->len;
    return e->val;
}

void db_cache_put(struct db *db, const char *key, const void *val, size_t len)
{
    sync_pending(db);
    struct readcache *c = db->cache;
    if (!c || !c->valid || strlen(key) >= CACHE_KEY || len > DB_CACHE_MAX_BYTES / 4)
        return;
    if (c->bytes + len > DB_CACHE_MAX_BYTES || c->count >= CACHE_SLOTS / 2)
        cache_clear(c);
    struct cache_entry *e = find(c, key, 1);
    if (!e)
        return;
    void *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    if (len)
        memcpy(copy, val, len);
    if (e->val) {
        c->bytes -= e->len;
        free(e->val);
        c->count--;
    }
    memcpy(e->key, key, strlen(key) + 1);
    e->val = copy;
    e->len = len;
    c->bytes += len;
    c->count++;
}
