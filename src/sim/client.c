#include "sim/client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_CSRF_MAX 128
#define SIM_ANSWER_MAX ((size_t)8 * 1024 * 1024)

struct sim_client {
    CURL *h;
    char base[256];
    char csrf[SIM_CSRF_MAX];
};

struct answer {
    char *p;
    size_t n, cap;
    int too_large;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *user)
{
    struct answer *a = user;
    size_t n = size * nmemb;
    if (a->n + n + 1 > SIM_ANSWER_MAX) {
        a->too_large = 1;
        return 0;
    }
    if (a->n + n + 1 > a->cap) {
        size_t cap = a->cap ? a->cap : 4096;
        while (cap < a->n + n + 1)
            cap *= 2;
        char *p = realloc(a->p, cap);
        if (!p)
            return 0;
        a->p = p;
        a->cap = cap;
    }
    memcpy(a->p + a->n, ptr, n);
    a->n += n;
    a->p[a->n] = '\0';
    return n;
}

struct sim_client *sim_client_new(const char *base)
{
    struct sim_client *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->h = curl_easy_init();
    if (!c->h) {
        free(c);
        return NULL;
    }
    snprintf(c->base, sizeof(c->base), "%s", base);
    size_t n = strlen(c->base);
    while (n > 0 && c->base[n - 1] == '/')
        c->base[--n] = '\0';
    curl_easy_setopt(c->h, CURLOPT_COOKIEFILE, ""); /* an in-memory cookie jar */
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data);
    return c;
}

void sim_client_free(struct sim_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->h);
    free(c);
}

long sim_request(struct sim_client *c, const char *method, const char *path, json_t *body,
                 json_t **out, char *errbuf, size_t errlen)
{
    char url[1024], csrf[SIM_CSRF_MAX + 32];
    struct answer a = {0};
    struct curl_slist *hdr = NULL;
    char *text = NULL;
    if (out)
        *out = NULL;
    snprintf(url, sizeof(url), "%s%s", c->base, path);
    curl_easy_setopt(c->h, CURLOPT_URL, url);
    curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, &a);
    hdr = curl_slist_append(hdr, "Accept: application/json");
    if (c->csrf[0]) {
        snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", c->csrf);
        hdr = curl_slist_append(hdr, csrf);
    }
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, NULL);
    } else {
        text = body ? json_dumps(body, JSON_COMPACT) : strdup("{}");
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, text ? text : "{}");
    }
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hdr);
    CURLcode cc = curl_easy_perform(c->h);
    long status = -1;
    if (cc != CURLE_OK) {
        snprintf(errbuf, errlen, "%s %s: %s", method, url, curl_easy_strerror(cc));
    } else {
        curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
        errbuf[0] = '\0';
        if (a.n > 0) {
            json_error_t je;
            json_t *j = json_loadb(a.p, a.n, 0, &je);
            json_t *e = json_object_get(json_object_get(j, "error"), "message");
            if (status >= 400)
                snprintf(errbuf, errlen, "%s %s: %ld %s", method, path, status,
                         json_is_string(e) ? json_string_value(e) : "");
            if (out)
                *out = j;
            else
                json_decref(j);
        } else if (status >= 400) {
            snprintf(errbuf, errlen, "%s %s: %ld", method, path, status);
        }
    }
    /* reset the per-request options */
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(hdr);
    free(text);
    free(a.p);
    return status;
}

long sim_login(struct sim_client *c, const char *login, const char *password, char *errbuf,
               size_t errlen)
{
    json_t *body = json_pack("{s:s, s:s}", "login", login, "password", password), *out = NULL;
    if (!body) {
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    c->csrf[0] = '\0';
    long st = sim_request(c, "POST", "/api/auth/login", body, &out, errbuf, errlen);
    json_decref(body);
    const char *t = json_string_value(json_object_get(out, "csrf_token"));
    if (st == 200 && t)
        snprintf(c->csrf, sizeof(c->csrf), "%s", t);
    else if (st == 200) {
        st = -1;
        snprintf(errbuf, errlen, "login %s: no csrf_token in the answer", login);
    }
    json_decref(out);
    return st;
}
