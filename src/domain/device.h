/* device.h - hall displays, window evaluator tablets and ticket kiosks, bound
 * to a hall or a window, authenticated by a device token shown once. */
#ifndef CK_DEVICE_H
#define CK_DEVICE_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/org.h"
#include "store/db.h"

#define DEVICE_NAME_MAX 60
#define DEVICE_TOKEN_HEX 65

struct device {
    int64_t id;
    char kind[12];
    char name[DEVICE_NAME_MAX * 4 + 1];
    int64_t node_id;
    char node_name[ORG_NAME_MAX * 4 + 1];
    char node_path[ACTOR_PATH_MAX];
    int active;
    int64_t last_seen_at; /* 0: never */
    int64_t created_at, updated_at;
};

struct device_filter {
    const char *scope;
    int64_t node_id; /* 0: any; else devices under this node */
    const char *kind;
    int active;
    int64_t page, per_page;
};

struct device_patch {
    const char *name;
    int64_t node_id; /* 0: unchanged */
    int active;      /* -1: unchanged */
};

int device_get(struct db *db, int64_t id, struct device *out);
int device_list(struct db *db, const struct device_filter *f, struct arena *a,
                struct device **items, int *n, int64_t *total);

/* Register a device (write transaction); a new token goes to token
 * (DEVICE_TOKEN_HEX bytes), only its hash is stored. Displays and kiosks bind
 * to a hall, evaluators to a window. Audited. */
int device_create(struct db *db, const struct actor *who, const char *kind, const char *name,
                  int64_t node_id, struct device *out, char *token, struct err *e);
int device_update(struct db *db, const struct actor *who, int64_t id, const struct device_patch *p,
                  struct device *out, struct err *e);
/* Replace the token; the old one stops working at commit. */
int device_rotate(struct db *db, const struct actor *who, int64_t id, struct device *out,
                  char *token, struct err *e);
/* Record that the device was seen now (write transaction, not audited). */
int device_touch(struct db *db, int64_t id);

json_t *device_json(const struct device *d);

#endif
