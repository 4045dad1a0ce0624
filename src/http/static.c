#include "http/static.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".mp3", "audio/mpeg"},
    {".wasm", "application/wasm"},
};

static const char *type_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return "application/octet-stream";
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcasecmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

int static_path_ok(const char *path)
{
    if (!path || path[0] != '/' || strlen(path) > 256)
        return 0;
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f || c == '\\')
            return 0;
    }
    const char *seg = path + 1;
    while (*seg) {
        size_t len = strcspn(seg, "/");
        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return 0;
        if (len == 0 && seg[0] == '/')
            return 0; /* "//" */
        seg += len;
        if (*seg == '/')
            seg++;
    }
    return 1;
}

int static_serve(struct req *r, const char *root)
{
    const char *path = r->path;
    if (!static_path_ok(path))
        return req_error(r, ERR_NOTFOUND, NULL, "no such file");
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    char full[1024];
    int n = snprintf(full, sizeof(full), "%s%s", root, path);
    if (n < 0 || (size_t)n >= sizeof(full))
        return req_error(r, ERR_NOTFOUND, NULL, "no such file");
    int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return req_error(r, ERR_NOTFOUND, NULL, "no such file");
    }
    char *etag = arena_printf(&r->arena, "\"%llx-%llx\"", (unsigned long long)st.st_size,
                              (unsigned long long)st.st_mtime);
    const char *inm = req_header_in(r, "If-None-Match");
    int immutable = strncmp(path, "/assets/", 8) == 0;
    req_header(r, "Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (etag)
        req_header(r, "ETag", etag);
    if (etag && inm && strcmp(inm, etag) == 0) {
        close(fd);
        r->status = 304;
        r->resp_type = NULL;
        return REQ_DONE;
    }
    r->status = 200;
    r->resp_type = type_for(path);
    r->resp_fd = fd;
    r->resp_fd_size = (size_t)st.st_size;
    return REQ_DONE;
}
