/* actor.h - who is doing something, and the one scope check.
 *
 * Every read and write is limited to the actor's org subtree: the materialised
 * path of the actor's home node and everything under it. actor_in_scope is the
 * single place that decides it; the api layer (reads) and the domain modules
 * (writes, inside their transaction) both call it.
 */
#ifndef CK_ACTOR_H
#define CK_ACTOR_H

#include <stdint.h>

enum role {
    ROLE_NONE = 0,
    ROLE_ADMIN,
    ROLE_LEADER,
    ROLE_SUPERVISOR,
    ROLE_STAFF,
    ROLE_DEVICE,
    ROLE_PUBLIC,
    ROLE_SYSTEM /* the command line: unrestricted */
};

#define ACTOR_PATH_MAX 256

struct actor {
    enum role role;
    int64_t staff_id;           /* 0 unless a staff account */
    int64_t device_id;          /* 0 unless a device */
    int64_t node_id;            /* home node; 0 for ROLE_SYSTEM */
    char scope[ACTOR_PATH_MAX]; /* home node path, e.g. "/1/4/"; "" for ROLE_SYSTEM */
    char name[80];              /* login or device name, for the audit log */
    char ip[48];
    char request_id[24];
};

/* 1 when the node with materialised path `path` lies in the actor's subtree
 * (ROLE_SYSTEM: always), 0 otherwise. */
int actor_in_scope(const struct actor *a, const char *path);

/* 1 when the actor's home is a root node (its scope is the whole tree it
 * belongs to: "/<id>/"), or the command line. */
int actor_at_root(const struct actor *a);

/* The role from its name ("admin", "leader", ...); ROLE_NONE if unknown. Only
 * the four account roles are accepted. */
enum role role_parse(const char *name);

/* The role's name; static storage. */
const char *role_name(enum role r);

/* A command-line actor (ROLE_SYSTEM) named name. */
void actor_system(struct actor *a, const char *name);

#endif
