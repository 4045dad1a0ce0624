/* staff.h - staff accounts (窗口工作人员 and the people above them), their
 * photos and their window assignments.
 *
 * An account has a login, name, badge number, post, party-member flag, role
 * (admin / leader / supervisor / staff) and a home node that sets its scope.
 * Accounts are never deleted, only deactivated. A photo is a JPEG or PNG
 * checked by its content, at most STAFF_PHOTO_MAX bytes. A staff member may be
 * assigned to windows inside the home node's subtree; an assignment ends, it
 * is not removed.
 */
#ifndef CK_STAFF_H
#define CK_STAFF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/org.h"
#include "store/db.h"

#define STAFF_LOGIN_MAX 32
#define STAFF_NAME_MAX 50
#define STAFF_BADGE_MAX 32
#define STAFF_POST_MAX 50
#define STAFF_BRANCH_MAX 100 /* party branch (党支部) name, characters */
#define STAFF_PASSWORD_MIN 8
#define STAFF_PASSWORD_MAX 128
#define STAFF_PHOTO_MAX ((size_t)512 * 1024)

struct staff {
    int64_t id;
    char login[STAFF_LOGIN_MAX + 1];
    char name[STAFF_NAME_MAX * 4 + 1];
    char badge_no[STAFF_BADGE_MAX * 4 + 1];
    char post[STAFF_POST_MAX * 4 + 1];
    int party_member;
    char role[16];
    int64_t node_id;
    char node_name[ORG_NAME_MAX * 4 + 1];
    char node_path[ACTOR_PATH_MAX];
    int has_photo;
    int active;
    int64_t created_at, updated_at;
    char party_branch[STAFF_BRANCH_MAX * 4 + 1]; /* "" none */
};

struct staff_input {
    const char *login, *name, *role, *badge_no, *post; /* badge_no/post may be NULL */
    int party_member;
    int64_t node_id;
    const char *password_hash; /* already hashed (crypto_password_hash) */
};

struct staff_patch { /* NULL / -1 / 0 = unchanged */
    const char *name, *role, *badge_no, *post;
    int party_member, active;
    int64_t node_id;
    const char *password_hash;
};

struct staff_filter {
    const char *scope; /* the caller's subtree */
    int64_t node_id;   /* 0: any; else only staff whose home lies under this node */
    const char *role;  /* NULL: any */
    int active;        /* -1: any */
    const char *q;     /* substring of name, login or badge; NULL: any */
    int64_t page, per_page;
};

struct assignment {
    int64_t id, staff_id, window_id;
    char staff_name[STAFF_NAME_MAX * 4 + 1];
    char window_name[ORG_NAME_MAX * 4 + 1];
    int is_chief;
    int64_t started_at, ended_at; /* ended_at 0 while open */
};

/* Checks of the plain fields (login syntax, role, lengths). Returns 0 or
 * ERR_INVALID naming the field in e. */
int staff_check_login(const char *login, struct err *e);
int staff_check_password(const char *password, struct err *e);

int staff_get(struct db *db, int64_t id, struct staff *out);
int staff_list(struct db *db, const struct staff_filter *f, struct arena *a, struct staff **items,
               int *n, int64_t *total);

/* Create (write transaction): the actor must be an admin whose scope holds
 * the home node (or the command line). Audited (no password in the record). */
int staff_create(struct db *db, const struct actor *who, const struct staff_input *in,
                 struct staff *out, struct err *e);
/* Set the party branch (党支部, for 党员互评 review groups) of account id
 * inside the caller's transaction: "" none, up to STAFF_BRANCH_MAX
 * characters (ERR_INVALID "party_branch"); an admin whose scope holds the
 * account (ERR_FORBIDDEN). Audited ("party_branch", "staff"). */
int staff_set_party_branch(struct db *db, const struct actor *who, int64_t id, const char *branch,
                           struct err *e);
int staff_update(struct db *db, const struct actor *who, int64_t id, const struct staff_patch *p,
                 struct staff *out, struct err *e);

/* Detect the image type of data by its magic bytes: "image/jpeg",
 * "image/png" or NULL. */
const char *staff_photo_type(const void *data, size_t len);

/* Store a photo (write transaction). data is checked by content. */
int staff_set_photo(struct db *db, const struct actor *who, int64_t id, const void *data,
                    size_t len, struct staff *out, struct err *e);

/* Read a photo into a (copy); ERR_NOTFOUND when none. */
int staff_get_photo(struct db *db, int64_t id, struct arena *a, const void **data, size_t *len,
                    const char **mime);

int staff_assignments(struct db *db, int64_t staff_id, struct arena *a, struct assignment **items,
                      int *n);
int staff_assign(struct db *db, const struct actor *who, int64_t staff_id, int64_t window_id,
                 int is_chief, struct assignment *out, struct err *e);
int staff_end_assignment(struct db *db, const struct actor *who, int64_t assignment_id,
                         struct assignment *out, struct err *e);

json_t *staff_json(const struct staff *s);
json_t *assignment_json(const struct assignment *a);

#endif
