#include "domain/actor.h"

#include <stdio.h>
#include <string.h>

int actor_in_scope(const struct actor *a, const char *path)
{
    if (a->role == ROLE_SYSTEM)
        return 1;
    size_t n = strlen(a->scope);
    if (n == 0 || !path)
        return 0;
    return strncmp(a->scope, path, n) == 0;
}

int actor_at_root(const struct actor *a)
{
    if (a->role == ROLE_SYSTEM)
        return 1;
    int slashes = 0;
    for (const char *p = a->scope; *p; p++)
        slashes += *p == '/';
    return slashes == 2;
}

static const char *const role_names[] = {
    [ROLE_NONE] = "none",     [ROLE_ADMIN] = "admin",
    [ROLE_LEADER] = "leader", [ROLE_SUPERVISOR] = "supervisor",
    [ROLE_STAFF] = "staff",   [ROLE_DEVICE] = "device",
    [ROLE_PUBLIC] = "public", [ROLE_SYSTEM] = "system",
};

enum role role_parse(const char *name)
{
    if (!name)
        return ROLE_NONE;
    for (int r = ROLE_ADMIN; r <= ROLE_STAFF; r++)
        if (strcmp(name, role_names[r]) == 0)
            return (enum role)r;
    return ROLE_NONE;
}

const char *role_name(enum role r)
{
    if ((int)r < 0 || r > ROLE_SYSTEM)
        return "none";
    return role_names[r];
}

void actor_system(struct actor *a, const char *name)
{
    memset(a, 0, sizeof(*a));
    a->role = ROLE_SYSTEM;
    snprintf(a->name, sizeof(a->name), "%s", name);
    snprintf(a->ip, sizeof(a->ip), "local");
    snprintf(a->request_id, sizeof(a->request_id), "cli");
}
