/* main.c - the command line: serve, migrate, demo, user add, org add, verify,
 * version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/board.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/pii.h"
#include "base/parse.h"
#include "base/date.h"
#include "domain/audit.h"
#include "domain/evaluation.h"
#include "domain/calendar.h"
#include "domain/catalog_io.h"
#include "domain/demo.h"
#include "domain/org.h"
#include "domain/staff.h"
#include "http/server.h"
#include "report/csv.h"
#include "sim/sim.h"
#include "store/migrate.h"
#include "version.h"

#define MAX_FLAGS 16

struct flags {
    const char *name[MAX_FLAGS];
    const char *value[MAX_FLAGS];
    int n;
    int help;
};

/* Parse "--name value" and "--name=value" pairs; only names in `allowed`
 * (space separated, with a leading and trailing space) are accepted. */
static int parse_flags(int argc, char **argv, const char *allowed, struct flags *f)
{
    memset(f, 0, sizeof(*f));
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            f->help = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "error: unexpected argument '%s'\n", a);
            return -1;
        }
        char name[64];
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (len == 0 || len + 3 > sizeof(name)) {
            fprintf(stderr, "error: bad option '%s'\n", a);
            return -1;
        }
        name[0] = ' ';
        memcpy(name + 1, a + 2, len);
        name[len + 1] = ' ';
        name[len + 2] = '\0';
        if (!strstr(allowed, name)) {
            fprintf(stderr, "error: unknown option '%s'\n", a);
            return -1;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) {
            fprintf(stderr, "error: option '%s' needs a value\n", a);
            return -1;
        }
        if (f->n >= MAX_FLAGS)
            return -1;
        f->name[f->n] = a + 2;
        f->value[f->n] = v;
        f->n++;
    }
    return 0;
}

static const char *flag(const struct flags *f, const char *name)
{
    size_t len = strlen(name);
    for (int i = f->n - 1; i >= 0; i--)
        if (strncmp(f->name[i], name, len) == 0 &&
            (f->name[i][len] == '\0' || f->name[i][len] == '='))
            return f->value[i];
    return NULL;
}

/* the database URL: --db, then CHUANGKOU_DB, then the default */
static const char *db_url(const struct flags *f)
{
    const char *v = flag(f, "db");
    if (!v)
        v = getenv("CHUANGKOU_DB");
    return v && *v ? v : "sqlite:data/chuangkou.db";
}

/* create the directory of a sqlite database file if needed */
static void ensure_sqlite_dir(const char *url)
{
    if (strncmp(url, "sqlite:", 7) != 0)
        return;
    const char *path = url + 7;
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return;
    char dir[512];
    size_t n = (size_t)(slash - path);
    if (n >= sizeof(dir))
        return;
    memcpy(dir, path, n);
    dir[n] = '\0';
    mkdir(dir, 0750);
}

/* the data key file (pii.h): serve's configuration, CHUANGKOU_KEY_FILE, or
 * beside a SQLite database file, else data/chuangkou.key */
static const char *g_key_file;

static int load_data_key(const char *url)
{
    char path[600], msg[700];
    const char *f = g_key_file && *g_key_file ? g_key_file : getenv("CHUANGKOU_KEY_FILE");
    if (f && *f)
        snprintf(path, sizeof(path), "%s", f);
    else if (strncmp(url, "sqlite:", 7) == 0 && strcmp(url + 7, ":memory:") != 0)
        snprintf(path, sizeof(path), "%s.key", url + 7);
    else {
        mkdir("data", 0750);
        snprintf(path, sizeof(path), "data/chuangkou.key");
    }
    if (pii_key_load(path, 1, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "error: %s\n", msg);
        return ERR_IO;
    }
    return 0;
}

static int open_migrated(const char *url, struct db **db)
{
    char msg[256] = "";
    ensure_sqlite_dir(url); /* the key file goes beside the database */
    if (load_data_key(url) < 0)
        return ERR_IO;
    int rc = db_open(url, 0, db, msg, sizeof(msg));
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", msg[0] ? msg : "cannot open the database");
        return rc;
    }
    int applied = 0;
    rc = migrate_apply(*db, &applied);
    if (rc < 0) {
        fprintf(stderr, "error: migration failed: %s\n", db_errmsg(*db));
        db_close(*db);
        *db = NULL;
        return rc;
    }
    if (applied)
        fprintf(stderr, "applied %d migration(s)\n", applied);
    int years = 0;
    rc = calendar_load_builtin(*db, &years);
    if (rc < 0) {
        fprintf(stderr, "error: cannot load the built-in calendars: %s\n", db_errmsg(*db));
        db_close(*db);
        *db = NULL;
        return rc;
    }
    if (years)
        fprintf(stderr, "loaded the working-day calendar for %d year(s)\n", years);
    return 0;
}

static const char USAGE[] =
    "usage: chuangkou COMMAND [OPTIONS]\n"
    "\n"
    "Chuangkou (窗口) — the platform for government service halls and service counters.\n"
    "\n"
    "commands:\n"
    "  serve     serve the web pages and the JSON API\n"
    "  migrate   create or upgrade the database schema\n"
    "  demo      fill an empty database with a demo district\n"
    "  user add  create a staff account (password from standard input)\n"
    "  org add   create an org node (the first region of a new install)\n"
    "  calendar  import working-day calendars; compute a due date\n"
    "  catalog   import or export the service catalogue (CSV, XLSX)\n"
    "  verify    check the audit log's hash chain\n"
    "  simulate  drive a live hall through the HTTP API with simulated traffic\n"
    "  version   print the version\n"
    "\n"
    "Run 'chuangkou COMMAND --help' for a command's options.\n"
    "Database URLs: sqlite:PATH (default sqlite:data/chuangkou.db) or postgresql://...\n";

static int cmd_version(void)
{
    printf("chuangkou %s\n", CK_VERSION);
    return 0;
}

static int cmd_migrate(int argc, char **argv)
{
    struct flags f;
    if (parse_flags(argc, argv, " db ", &f) < 0)
        return 2;
    if (f.help) {
        printf("usage: chuangkou migrate [--db URL]\n\n"
               "Create or upgrade the schema. Safe to run again: applied migrations are\n"
               "recorded in schema_migrations and skipped.\n");
        return 0;
    }
    struct db *db = NULL;
    if (open_migrated(db_url(&f), &db) < 0)
        return 1;
    int version = 0;
    migrate_version(db, &version);
    printf("schema version %d\n", version);
    db_close(db);
    return 0;
}

/* read one line of standard input (the password), without the newline */
static int read_password(char *buf, size_t len)
{
    if (!fgets(buf, (int)len, stdin))
        return -1;
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] != '\n' && !feof(stdin))
        return -1; /* too long */
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}

static int cmd_demo(int argc, char **argv)
{
    struct flags f;
    if (parse_flags(argc, argv, " db ", &f) < 0)
        return 2;
    if (f.help) {
        printf("usage: chuangkou demo [--db URL]\n\n"
               "Migrate, then create a demo district (示范区) with a district hall, a town\n"
               "(示范镇) with its hall, 12 windows, staff and devices, service items with\n"
               "daily appointment slots, and one finished day of simulated traffic per hall\n"
               "(walk-ins and appointments). Prints the admin login and the password shared\n"
               "by all demo accounts. Refuses a database that already has an org tree.\n");
        return 0;
    }
    struct db *db = NULL;
    if (open_migrated(db_url(&f), &db) < 0)
        return 1;
    char password[17], hash[CRYPTO_PWHASH_LEN];
    crypto_random_hex(password, 8);
    if (crypto_password_hash(password, hash) < 0) {
        db_close(db);
        return 1;
    }
    struct err e = {0};
    int rc = demo_create(db, hash, &e);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "error: %s%s%s\n", e.msg, e.field[0] ? " field=" : "", e.field);
        return 1;
    }
    printf("demo data created: 示范区 (dist) with 区政务服务中心 (hall-d, 7 windows),\n"
           "示范镇 (town) with 示范镇便民服务中心 (hall-t, 5 windows), 16 accounts, 16 devices\n");
    printf("admin login: admin\n");
    printf("password: %s\n", password);
    printf("(the same password opens the demo accounts leader, inspector, town-admin,\n"
           " d01-d07 and t01-t05)\n");
    crypto_wipe(password, sizeof(password));
    return 0;
}

static int cmd_user(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "add") != 0) {
        if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
            printf("usage: chuangkou user add --help\n");
            return 0;
        }
        fprintf(stderr, "usage: chuangkou user add --db URL --login NAME --role ROLE --org PATH\n");
        return 2;
    }
    struct flags f;
    if (parse_flags(argc - 1, argv + 1, " db login role org name badge post ", &f) < 0)
        return 2;
    if (f.help) {
        printf("usage: chuangkou user add [--db URL] --login NAME --role ROLE --org PATH\n"
               "                          [--name NAME] [--badge NO] [--post POST]\n\n"
               "Create an account. The password is read from standard input (one line,\n"
               "at least 8 characters). ROLE is admin, leader, supervisor or staff. PATH is\n"
               "the home node as codes from the root, e.g. /dist/town/hall-t.\n");
        return 0;
    }
    const char *login = flag(&f, "login"), *role = flag(&f, "role"), *org = flag(&f, "org");
    if (!login || !role || !org) {
        fprintf(stderr, "error: --login, --role and --org are required\n");
        return 2;
    }
    struct err e = {0};
    char password[STAFF_PASSWORD_MAX + 2], hash[CRYPTO_PWHASH_LEN];
    if (read_password(password, sizeof(password)) < 0) {
        fprintf(stderr, "error: give the password on standard input\n");
        return 2;
    }
    if (staff_check_login(login, &e) < 0 || staff_check_password(password, &e) < 0 ||
        role_parse(role) == ROLE_NONE) {
        crypto_wipe(password, sizeof(password));
        fprintf(stderr, "error: %s\n", e.msg[0] ? e.msg : "unknown role");
        return 2;
    }
    int rc = crypto_password_hash(password, hash);
    crypto_wipe(password, sizeof(password));
    if (rc < 0)
        return 1;
    struct db *db = NULL;
    if (open_migrated(db_url(&f), &db) < 0)
        return 1;
    struct org_node home;
    rc = org_find_by_codes(db, org, &home);
    if (rc < 0) {
        fprintf(stderr, "error: no org node at %s\n", org);
        db_close(db);
        return 1;
    }
    struct actor sys;
    actor_system(&sys, "cli");
    const char *name = flag(&f, "name");
    struct staff_input in = {
        login, name ? name : login, role, flag(&f, "badge"), flag(&f, "post"), 0, home.id, hash};
    struct staff out;
    memset(&out, 0, sizeof(out));
    rc = db_begin(db);
    if (rc == 0)
        rc = staff_create(db, &sys, &in, &out, &e);
    if (rc == 0)
        rc = db_commit(db);
    if (rc < 0)
        db_rollback(db);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", e.msg[0] ? e.msg : err_name(rc));
        return 1;
    }
    printf("created %s (%s) at %s, id %lld\n", login, role, org, (long long)out.id);
    return 0;
}

static int cmd_org(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "add") != 0) {
        fprintf(stderr, "usage: chuangkou org add --db URL --kind KIND --code CODE --name NAME "
                        "[--parent PATH]\n");
        return 2;
    }
    struct flags f;
    if (parse_flags(argc - 1, argv + 1, " db parent kind code name address phone ", &f) < 0)
        return 2;
    if (f.help) {
        printf("usage: chuangkou org add [--db URL] [--parent PATH] --kind KIND --code CODE\n"
               "                         --name NAME [--address TEXT] [--phone TEXT]\n\n"
               "Create an org node. Without --parent the node is a root region (the first\n"
               "node of a new install). KIND is region, unit, hall or window.\n");
        return 0;
    }
    const char *kind = flag(&f, "kind"), *code = flag(&f, "code"), *name = flag(&f, "name");
    if (!kind || !code || !name) {
        fprintf(stderr, "error: --kind, --code and --name are required\n");
        return 2;
    }
    struct db *db = NULL;
    if (open_migrated(db_url(&f), &db) < 0)
        return 1;
    struct org_node parent = {0}, out;
    memset(&out, 0, sizeof(out));
    const char *pp = flag(&f, "parent");
    int rc = pp ? org_find_by_codes(db, pp, &parent) : 0;
    if (rc < 0) {
        fprintf(stderr, "error: no org node at %s\n", pp);
        db_close(db);
        return 1;
    }
    struct actor sys;
    actor_system(&sys, "cli");
    struct org_input in = {parent.id, kind, code, name, flag(&f, "address"), flag(&f, "phone")};
    struct err e = {0};
    rc = db_begin(db);
    if (rc == 0)
        rc = org_create(db, &sys, &in, &out, &e);
    if (rc == 0)
        rc = db_commit(db);
    if (rc < 0)
        db_rollback(db);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", e.msg[0] ? e.msg : err_name(rc));
        return 1;
    }
    printf("created %s %s (%s), id %lld, path %s\n", kind, code, name, (long long)out.id, out.path);
    return 0;
}

static int cmd_verify(int argc, char **argv)
{
    struct flags f;
    if (parse_flags(argc, argv, " db ", &f) < 0)
        return 2;
    if (f.help) {
        printf("usage: chuangkou verify [--db URL]\n\n"
               "Recompute the hash chains of the audit log and of the evaluations (好差评)\n"
               "from their first records. Exits 0 when both are intact, 1 naming what was\n"
               "changed or removed.\n");
        return 0;
    }
    struct db *db = NULL;
    char msg[256] = "";
    if (db_open(db_url(&f), DB_OPEN_READONLY, &db, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "error: %s\n", msg);
        return 1;
    }
    int64_t checked = 0, bad = 0, echecked = 0, ebad = 0;
    int rc = audit_verify(db, stdout, &checked, &bad);
    int erc = rc < 0 && rc != ERR_CONFLICT ? 0 : eval_verify(db, stdout, &echecked, &ebad);
    db_close(db);
    if (rc == ERR_CONFLICT)
        printf("audit chain BROKEN at record %lld (%lld records intact before it)\n",
               (long long)bad, (long long)checked);
    else if (rc < 0) {
        fprintf(stderr, "error: cannot read the audit log (%s)\n", err_name(rc));
        return 1;
    }
    if (erc == 1)
        printf("evaluation chain BROKEN: %lld finding(s) in %lld records\n", (long long)ebad,
               (long long)echecked);
    else if (erc < 0) {
        fprintf(stderr, "error: cannot read the evaluations (%s)\n", err_name(erc));
        return 1;
    }
    return rc == ERR_CONFLICT || erc == 1 ? 1 : 0;
}

/* read a whole file (at most max bytes) into a malloc'd NUL-terminated buffer */
static char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int calendar_import_files(int argc, char **argv)
{
    struct flags f;
    memset(&f, 0, sizeof(f));
    const char *files[32];
    int nfiles = 0;
    /* FILE arguments mixed with --db */
    char *rest[64];
    int nrest = 0;
    for (int i = 0; i < argc && nrest < 64; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            rest[nrest++] = argv[i];
            if (!strchr(argv[i], '=') && strcmp(argv[i], "--help") != 0 && i + 1 < argc)
                rest[nrest++] = argv[++i];
        } else if (nfiles < 32) {
            files[nfiles++] = argv[i];
        }
    }
    if (parse_flags(nrest, rest, " db ", &f) < 0)
        return 2;
    if (f.help) {
        printf("usage: chuangkou calendar import [--db URL] FILE...\n\n"
               "Import working-day calendars: holiday-cn JSON files ({\"year\":…,\"days\":[…]})\n"
               "or iCalendar files (.ics, all-day events; a summary with 班 marks make-up\n"
               "working days). Each year in the files replaces that year. All files go in one\n"
               "transaction: one bad entry rejects everything, naming the file and entry.\n");
        return 0;
    }
    if (nfiles == 0) {
        fprintf(stderr, "error: name at least one file\n");
        return 2;
    }
    struct calendar_import imps[32];
    memset(imps, 0, sizeof(imps));
    int rc = 0;
    for (int i = 0; i < nfiles && rc == 0; i++) {
        size_t len = 0;
        char *text = read_file(files[i], CALENDAR_FILE_MAX, &len);
        if (!text) {
            fprintf(stderr, "error: %s: %s\n", files[i], strerror(errno));
            rc = 2;
            break;
        }
        struct err e = {0};
        size_t n = strlen(files[i]);
        int ics = (n > 4 && strcasecmp(files[i] + n - 4, ".ics") == 0) ||
                  strncmp(text, "BEGIN:VCALENDAR", 15) == 0;
        int r = ics ? calendar_parse_ics(text, len, &imps[i], &e)
                    : calendar_parse_json(text, len, &imps[i], &e);
        free(text);
        if (r < 0) {
            fprintf(stderr, "error: %s: %s%s%s\n", files[i], e.field, e.field[0] ? ": " : "",
                    e.msg);
            rc = 2;
        }
    }
    struct db *db = NULL;
    if (rc == 0 && open_migrated(db_url(&f), &db) < 0)
        rc = 1;
    if (rc == 0) {
        struct actor sys;
        actor_system(&sys, "cli");
        struct err e = {0};
        int r = db_begin(db);
        for (int i = 0; i < nfiles && r == 0; i++) {
            size_t n = strlen(files[i]);
            int ics = n > 4 && strcasecmp(files[i] + n - 4, ".ics") == 0;
            r = calendar_store_import(db, &sys, &imps[i], ics ? "ics" : "json", &e);
        }
        if (r == 0)
            r = db_commit(db);
        if (r < 0) {
            db_rollback(db);
            fprintf(stderr, "error: %s\n", e.msg[0] ? e.msg : err_name(r));
            rc = 1;
        } else {
            for (int i = 0; i < nfiles; i++)
                for (int y = 0; y < imps[i].nyears; y++)
                    printf("imported %d from %s (%d exceptions)\n", imps[i].years[y], files[i],
                           imps[i].ndays);
        }
        db_close(db);
    }
    for (int i = 0; i < nfiles; i++)
        calendar_import_free(&imps[i]);
    return rc;
}

static int calendar_due(int argc, char **argv)
{
    struct flags f;
    if (parse_flags(argc, argv, " db from workdays days ", &f) < 0)
        return 2;
    if (f.help) {
        printf("usage: chuangkou calendar due [--db URL] --from YYYY-MM-DD (--workdays N | --days "
               "N)\n\n"
               "Print the due date (YYYY-MM-DD, nothing else) of a limit of N working days (or\n"
               "natural days) counted from the day after --from. Exits 1 when the calendar\n"
               "lacks a year the count reaches (import it), 2 on bad input.\n");
        return 0;
    }
    const char *from_s = flag(&f, "from"), *wd = flag(&f, "workdays"), *nd = flag(&f, "days");
    int32_t from;
    int64_t n;
    if (!from_s || date_parse(from_s, &from) < 0) {
        fprintf(stderr, "error: --from must be a real date as YYYY-MM-DD\n");
        return 2;
    }
    if ((wd != NULL) == (nd != NULL) || parse_int64(wd ? wd : nd, 0, CALENDAR_MAX_LIMIT, &n) < 0) {
        fprintf(stderr, "error: give --workdays N or --days N (0..%d)\n", CALENDAR_MAX_LIMIT);
        return 2;
    }
    struct db *db = NULL;
    if (open_migrated(db_url(&f), &db) < 0)
        return 1;
    struct calendar *c = NULL;
    int rc = calendar_load(db, &c);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "error: cannot read the calendar (%s)\n", err_name(rc));
        return 1;
    }
    int32_t due;
    int missing = 0;
    rc = wd ? calendar_add_workdays(c, from, (int)n, &due, &missing)
            : calendar_add_days(c, from, (int)n, &due, &missing);
    free(c);
    if (rc == ERR_CALENDAR) {
        fprintf(stderr,
                "error: no working-day calendar for %d: import it with "
                "'chuangkou calendar import'\n",
                missing);
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", err_name(rc));
        return 2;
    }
    char text[DATE_TEXT];
    date_format(due, text);
    printf("%s\n", text);
    return 0;
}

static int cmd_calendar(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "import") == 0)
        return calendar_import_files(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "due") == 0)
        return calendar_due(argc - 1, argv + 1);
    FILE *out = argc >= 1 && strcmp(argv[0], "--help") == 0 ? stdout : stderr;
    fprintf(out, "usage: chuangkou calendar import [--db URL] FILE...\n"
                 "       chuangkou calendar due [--db URL] --from YYYY-MM-DD --workdays N\n");
    return out == stdout ? 0 : 2;
}

static int catalog_import_file(int argc, char **argv)
{
    struct flags f;
    const char *file = NULL;
    int skip = 0, publish = 0;
    /* the switches and FILE mixed with --db */
    char *rest[8];
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--skip-errors") == 0) {
            skip = 1;
        } else if (strcmp(argv[i], "--publish") == 0) {
            publish = 1;
        } else if (strncmp(argv[i], "-", 1) != 0) {
            if (file) {
                fprintf(stderr, "error: name one file\n");
                return 2;
            }
            file = argv[i];
        } else if (nrest < 6) {
            rest[nrest++] = argv[i];
            if (!strchr(argv[i], '=') && strcmp(argv[i], "--help") != 0 &&
                strcmp(argv[i], "-h") != 0 && i + 1 < argc)
                rest[nrest++] = argv[++i];
        } else {
            fprintf(stderr, "error: too many options\n");
            return 2;
        }
    }
    if (parse_flags(nrest, rest, " db ", &f) < 0)
        return 2;
    if (f.help) {
        printf(
            "usage: chuangkou catalog import [--db URL] [--skip-errors] [--publish] FILE.csv\n\n"
            "Import service items from a CSV file in the export's format (docs/catalog-csv.md).\n"
            "Every row is checked first; faults are listed as 'row N, FIELD: message'. With a\n"
            "fault nothing is imported, unless --skip-errors (the other rows go in). A row\n"
            "creates the item or replaces its draft; it is published when its 发布(publish)\n"
            "cell says 是, or with --publish. Exits 0 when imported, 1 otherwise.\n");
        return 0;
    }
    if (!file) {
        fprintf(stderr, "usage: chuangkou catalog import [--db URL] [--skip-errors] [--publish] "
                        "FILE.csv\n");
        return 2;
    }
    size_t len = 0;
    char *text = read_file(file, CSV_MAX_BYTES, &len);
    if (!text) {
        fprintf(stderr, "error: %s: %s\n", file, strerror(errno));
        return 2;
    }
    struct db *db = NULL;
    if (open_migrated(db_url(&f), &db) < 0) {
        free(text);
        return 1;
    }
    struct actor sys;
    actor_system(&sys, "cli");
    struct arena a = {0};
    struct catalog_import_result res;
    struct err e = {0};
    int rc = db_begin(db);
    if (rc == 0)
        rc = catalog_io_import(db, &sys, text, len, skip, publish, &a, &res, &e);
    else
        memset(&res, 0, sizeof(res));
    if (rc == 0)
        rc = db_commit(db);
    if (rc < 0)
        db_rollback(db);
    db_close(db);
    free(text);
    for (int i = 0; i < res.nerrors; i++)
        fprintf(stderr, "%s: row %d%s%s: %s\n", rc < 0 ? "error" : "skipped", res.errors[i].row,
                res.errors[i].field[0] ? ", " : "", res.errors[i].field, res.errors[i].message);
    if (res.nfaults > res.nerrors)
        fprintf(stderr, "(%d more faults not listed)\n", res.nfaults - res.nerrors);
    arena_reset(&a);
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", e.msg[0] ? e.msg : err_name(rc));
        return 1;
    }
    printf("imported %d of %d rows from %s: %d created, %d updated, %d unchanged, %d published, "
           "%d skipped\n",
           res.created + res.updated + res.unchanged, res.rows, file, res.created, res.updated,
           res.unchanged, res.published, res.skipped);
    return 0;
}

static int catalog_export_file(int argc, char **argv)
{
    struct flags f;
    if (parse_flags(argc, argv, " db format out unit ", &f) < 0)
        return 2;
    if (f.help) {
        printf("usage: chuangkou catalog export [--db URL] --format csv|xlsx --out FILE\n"
               "                                [--unit PATH]\n\n"
               "Write the active service items (each its current version, else its draft) as\n"
               "CSV (UTF-8 with a byte-order mark) or XLSX, one row per item, in the format\n"
               "'catalog import' reads (docs/catalog-csv.md). --unit limits the export to the\n"
               "items of one unit and below, named by its code path, e.g. /dist/hall-d.\n");
        return 0;
    }
    const char *format = flag(&f, "format"), *out = flag(&f, "out"), *unit = flag(&f, "unit");
    if (!format || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) || !out) {
        fprintf(stderr, "error: give --format csv|xlsx and --out FILE\n");
        return 2;
    }
    struct db *db = NULL;
    if (open_migrated(db_url(&f), &db) < 0)
        return 1;
    struct org_node node = {0};
    if (unit && org_find_by_codes(db, unit, &node) < 0) {
        fprintf(stderr, "error: no org node at %s\n", unit);
        db_close(db);
        return 1;
    }
    char *data = NULL;
    size_t len = 0;
    struct err e = {0};
    int rc = catalog_io_export(db, "", node.id,
                               strcmp(format, "xlsx") == 0 ? CATALOG_IO_XLSX : CATALOG_IO_CSV,
                               &data, &len, &e);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", e.msg[0] ? e.msg : err_name(rc));
        return 1;
    }
    FILE *fp = fopen(out, "wb");
    int ok = fp && fwrite(data, 1, len, fp) == len;
    if (fp && fclose(fp) != 0)
        ok = 0;
    free(data);
    if (!ok) {
        fprintf(stderr, "error: cannot write %s: %s\n", out, strerror(errno));
        return 1;
    }
    printf("wrote %s (%zu bytes)\n", out, len);
    return 0;
}

static int cmd_catalog(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "import") == 0)
        return catalog_import_file(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "export") == 0)
        return catalog_export_file(argc - 1, argv + 1);
    FILE *out = argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)
                    ? stdout
                    : stderr;
    fprintf(out, "usage: chuangkou catalog import [--db URL] [--skip-errors] [--publish] "
                 "FILE.csv\n"
                 "       chuangkou catalog export [--db URL] --format csv|xlsx --out FILE "
                 "[--unit PATH]\n"
                 "Run 'chuangkou catalog import --help' or 'catalog export --help' for more.\n");
    return out == stdout ? 0 : 2;
}

static int cmd_serve(int argc, char **argv)
{
    struct flags f;
    if (parse_flags(argc, argv, " config listen db web ", &f) < 0)
        return 2;
    if (f.help) {
        printf("usage: chuangkou serve [--config FILE] [--listen ADDR:PORT] [--db URL]\n"
               "                       [--web DIR]\n\n"
               "Serve the web pages and the API. Settings come from the flags, then the\n"
               "CHUANGKOU_* environment variables, then the INI file (--config or\n"
               "CHUANGKOU_CONFIG), then the defaults: listen 127.0.0.1:8080, db\n"
               "sqlite:data/chuangkou.db, web web/dist. The schema is migrated on start.\n");
        return 0;
    }
    struct config cfg;
    config_defaults(&cfg);
    const char *file = flag(&f, "config");
    if (!file)
        file = getenv("CHUANGKOU_CONFIG");
    if (file && *file) {
        int line = 0;
        int rc = config_load_file(&cfg, file, &line);
        if (rc == ERR_IO) {
            fprintf(stderr, "error: cannot read %s: %s\n", file, strerror(errno));
            return 2;
        }
        if (rc < 0) {
            fprintf(stderr, "error: %s line %d: unknown key or bad value\n", file, line);
            return 2;
        }
    }
    const char *bad = NULL;
    if (config_load_env(&cfg, &bad) < 0) {
        fprintf(stderr, "error: bad value in %s\n", bad);
        return 2;
    }
    if ((flag(&f, "listen") && config_set(&cfg, "server.listen", flag(&f, "listen")) < 0) ||
        (flag(&f, "db") && config_set(&cfg, "database.url", flag(&f, "db")) < 0) ||
        (flag(&f, "web") && config_set(&cfg, "server.web_root", flag(&f, "web")) < 0)) {
        fprintf(stderr, "error: bad --listen, --db or --web value\n");
        return 2;
    }
    log_set_level(strcmp(cfg.log_level, "debug") == 0   ? LOG_DEBUG
                  : strcmp(cfg.log_level, "warn") == 0  ? LOG_WARN
                  : strcmp(cfg.log_level, "error") == 0 ? LOG_ERROR
                                                        : LOG_INFO);
    g_key_file = cfg.key_file;
    struct db *db = NULL;
    if (open_migrated(cfg.db, &db) < 0)
        return 1;
    db_close(db);
    struct app app;
    memset(&app, 0, sizeof(app));
    app.cfg = &cfg;
    app.services_start = api_services_start;
    app.services_stop = api_services_stop;
    char msg[256] = "";
    if (writer_start(cfg.db, &app.writer, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "error: %s\n", msg);
        return 1;
    }
    size_t n = 0;
    struct route *routes = api_routes(&n);
    int rc = server_run(&app, routes, n);
    writer_stop(app.writer);
    return rc < 0 ? 1 : 0;
}

/* The password of `simulate`: from --password-file (its "password: …" line,
 * as in data/initial-admin.txt, else its first line) or CHUANGKOU_SIM_PASSWORD. */
static int sim_password_from(const char *file, char *out, size_t cap)
{
    const char *env = getenv("CHUANGKOU_SIM_PASSWORD");
    out[0] = '\0';
    if (!file) {
        snprintf(out, cap, "%s", env ? env : "");
        return out[0] ? 0 : -1;
    }
    FILE *fp = fopen(file, "r");
    char line[256], first[256] = "";
    if (!fp)
        return -1;
    while (fgets(line, sizeof(line), fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!first[0])
            snprintf(first, sizeof(first), "%s", line);
        if (strncmp(line, "password:", 9) == 0) {
            snprintf(out, cap, "%s", line + 9 + strspn(line + 9, " "));
            break;
        }
    }
    fclose(fp);
    if (!out[0])
        snprintf(out, cap, "%s", first);
    return out[0] ? 0 : -1;
}

static int cmd_simulate(int argc, char **argv)
{
    struct flags f;
    if (parse_flags(argc, argv, " url hall rate minutes login password-file seed speed ", &f) < 0)
        return 2;
    if (f.help) {
        printf("usage: chuangkou simulate --url URL --hall ID --rate N --minutes M\n"
               "       [--login L] [--password-file F] [--seed S] [--speed X]\n\n"
               "Drive a live hall through the HTTP API: issue N tickets a minute by the\n"
               "time of day (the hall day 9:00-17:00 compressed into M minutes; with\n"
               "--speed the hall clock runs X times real time and M counts hall minutes),\n"
               "and work every window with a simulation staff account (sim-h<hall>-w<id>,\n"
               "made on first use). On a working day with appointment slots open, it also\n"
               "books appointments for today (web and phone, about 10 per 100 tickets) and\n"
               "checks them in at the hall when their check-in window opens (the server's\n"
               "clock). Logs in as L (default admin) with the password from F\n"
               "(its 'password:' line, as in data/initial-admin.txt) or from the\n"
               "environment variable CHUANGKOU_SIM_PASSWORD. Stops after M minutes or on\n"
               "Ctrl-C; the windows then finish whom they hold and close.\n");
        return 0;
    }
    struct sim_options o = {0};
    int64_t hall = 0, rate = 0, minutes = 0, seed = 1, speed = 0;
    char password[256];
    o.url = flag(&f, "url");
    o.login = flag(&f, "login") ? flag(&f, "login") : "admin";
    if (!o.url || !flag(&f, "hall") || parse_int64(flag(&f, "hall"), 1, INT64_MAX, &hall) < 0 ||
        !flag(&f, "rate") || parse_int64(flag(&f, "rate"), 1, 10000, &rate) < 0 ||
        !flag(&f, "minutes") ||
        parse_int64(flag(&f, "minutes"), 1, (int64_t)24 * 60, &minutes) < 0 ||
        (flag(&f, "seed") && parse_int64(flag(&f, "seed"), 0, INT64_MAX, &seed) < 0) ||
        (flag(&f, "speed") && parse_int64(flag(&f, "speed"), 1, 10000, &speed) < 0)) {
        fprintf(stderr, "error: need --url, --hall ID, --rate 1-10000 and --minutes 1-1440 "
                        "(--seed and --speed whole numbers)\n");
        return 2;
    }
    if (sim_password_from(flag(&f, "password-file"), password, sizeof(password)) < 0) {
        fprintf(stderr, "error: no password: give --password-file F or set "
                        "CHUANGKOU_SIM_PASSWORD\n");
        return 2;
    }
    o.hall_id = hall;
    o.rate = (double)rate;
    o.minutes = (double)minutes;
    o.speed = (double)speed;
    o.password = password;
    o.seed = (uint64_t)seed;
    return sim_run(&o);
}

int main(int argc, char **argv)
{
    if (crypto_init() < 0) {
        fprintf(stderr, "error: cannot initialise libsodium\n");
        return 1;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0)
        return cmd_version();
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(argc - 2, argv + 2);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(argc - 2, argv + 2);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(argc - 2, argv + 2);
    if (strcmp(cmd, "org") == 0)
        return cmd_org(argc - 2, argv + 2);
    if (strcmp(cmd, "calendar") == 0)
        return cmd_calendar(argc - 2, argv + 2);
    if (strcmp(cmd, "catalog") == 0)
        return cmd_catalog(argc - 2, argv + 2);
    if (strcmp(cmd, "verify") == 0)
        return cmd_verify(argc - 2, argv + 2);
    if (strcmp(cmd, "simulate") == 0)
        return cmd_simulate(argc - 2, argv + 2);
    fprintf(stderr, "error: unknown command '%s'\n\n%s", cmd, USAGE);
    return 2;
}
