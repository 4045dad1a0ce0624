/* sqlprof - a per-statement SQL profile of a running server, for finding where a bench
 * case's time goes (not part of `make bench`). Build with `make build/bench/sqlprof.so`
 * and preload it:
 *
 *   SQLPROF_OUT=/tmp/sql LD_PRELOAD=build/bench/sqlprof.so build/chuangkou serve ...
 *
 * A constructor registers, through sqlite3_auto_extension, a hook run on every SQLite
 * connection the process opens; the hook installs an SQLITE_TRACE_PROFILE callback that
 * adds each finished statement's run time to a table keyed by its SQL text and the kind
 * of connection (w = read-write: the writer; r = read-only: the HTTP threads).
 *
 * kill -USR2 PID asks for the table: it is written to $SQLPROF_OUT (default
 * /tmp/sqlprof.txt) by the next statement any thread runs (so send a request, e.g.
 * GET /healthz, after the signal) and then zeroed, so signal once after a warm-up and
 * once after the measured run. At exit the table goes to $SQLPROF_OUT.exit. One line
 * per statement: "w|r<TAB>calls<TAB>nanoseconds<TAB>sql".
 *
 * SQLite measures a statement's time with the VFS clock, in whole milliseconds on
 * Linux: one statement reads 0 or 1 ms, so only sums over thousands of calls mean
 * anything. The callback takes a mutex: expect a few per cent less throughput.
 */
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQLPROF_SLOTS 4096

struct sqlprof_entry {
    uint64_t hash;
    char readonly;
    char *sql; /* owned; NULL: free slot */
    uint64_t calls, ns;
};

static struct sqlprof_entry table[SQLPROF_SLOTS];
static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t dump_wanted;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* write the table to $SQLPROF_OUT + suffix and zero the counters */
static void dump(const char *suffix)
{
    const char *out = getenv("SQLPROF_OUT");
    char path[1024];
    if (snprintf(path, sizeof(path), "%s%s", out && *out ? out : "/tmp/sqlprof.txt", suffix) >=
        (int)sizeof(path))
        return;
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    pthread_mutex_lock(&table_mu);
    for (int i = 0; i < SQLPROF_SLOTS; i++) {
        if (table[i].sql && table[i].calls)
            fprintf(f, "%c\t%llu\t%llu\t%s\n", table[i].readonly ? 'r' : 'w',
                    (unsigned long long)table[i].calls, (unsigned long long)table[i].ns,
                    table[i].sql);
        table[i].calls = table[i].ns = 0;
    }
    pthread_mutex_unlock(&table_mu);
    fclose(f);
}

static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx;
    if (type != SQLITE_TRACE_PROFILE)
        return 0;
    sqlite3_stmt *st = p;
    const char *sql = sqlite3_sql(st);
    if (!sql)
        return 0;
    char ro = (char)(sqlite3_db_readonly(sqlite3_db_handle(st), "main") == 1);
    uint64_t h = fnv1a(sql) ^ (uint64_t)ro;
    uint64_t ns = (uint64_t) * (const sqlite3_int64 *)x;
    pthread_mutex_lock(&table_mu);
    unsigned i = (unsigned)(h % SQLPROF_SLOTS);
    for (int probe = 0; probe < SQLPROF_SLOTS; probe++, i = (i + 1) % SQLPROF_SLOTS) {
        struct sqlprof_entry *e = &table[i];
        if (!e->sql) {
            e->sql = strdup(sql);
            if (!e->sql)
                break;
            e->hash = h;
            e->readonly = ro;
        }
        if (e->hash == h && e->readonly == ro) {
            e->calls++;
            e->ns += ns;
            break;
        }
    }
    pthread_mutex_unlock(&table_mu);
    if (dump_wanted) {
        dump_wanted = 0;
        dump("");
    }
    return 0;
}

static int on_open(sqlite3 *h, char **err, const struct sqlite3_api_routines *api)
{
    (void)err;
    (void)api;
    sqlite3_trace_v2(h, SQLITE_TRACE_PROFILE, on_trace, NULL);
    return SQLITE_OK;
}

static void on_usr2(int sig)
{
    (void)sig;
    dump_wanted = 1;
}

__attribute__((constructor)) static void sqlprof_start(void)
{
    sqlite3_auto_extension((void (*)(void))on_open);
    signal(SIGUSR2, on_usr2);
}

__attribute__((destructor)) static void sqlprof_stop(void)
{
    dump(".exit");
}
