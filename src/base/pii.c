#include "base/pii.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/err.h"

#define PII_TEXT_MAX 40

static unsigned char g_key[crypto_secretbox_KEYBYTES];
static unsigned char g_hash_key[crypto_generichash_KEYBYTES];
static int g_ready;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

int pii_phone_ok(const char *s, char norm[PII_PHONE_MAX + 1])
{
    char d[PII_PHONE_MAX + 1];
    size_t n = 0;
    int hyphens = 0;
    if (!s)
        return 0;
    for (; *s; s++) {
        if (*s == ' ')
            continue;
        if (*s == '-') {
            if (++hyphens > 1)
                return 0;
            continue;
        }
        if (!is_digit(*s) || n >= PII_PHONE_MAX)
            return 0;
        d[n++] = *s;
    }
    d[n] = '\0';
    if (n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && !hyphens) {
        memcpy(norm, d, n + 1);
        return 1;
    }
    if (d[0] != '0' || d[1] == '0')
        return 0;
    /* 0AA + 8 digits (010, 020-029) or 0AAA + 7-8 digits */
    size_t area = (d[1] == '1' || d[1] == '2') ? 3 : 4;
    size_t local = n - area;
    if (n <= area || local < 7 || local > 8 || (area == 3 && local != 8))
        return 0;
    memcpy(norm, d, area);
    norm[area] = '-';
    memcpy(norm + area + 1, d + area, local + 1);
    return 1;
}

int pii_id_ok(const char *s, char norm[PII_ID_LEN + 1])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    if (!s || strlen(s) != PII_ID_LEN || !all_digits(s, 17))
        return 0;
    char last = s[17] == 'x' ? 'X' : s[17];
    if (!is_digit(last) && last != 'X')
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s[i] - '0') * w[i];
    if (check[sum % 11] != last || s[0] == '0')
        return 0;
    char date[11];
    snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", s + 6, s + 10, s + 12);
    int32_t dn;
    int year = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
    if (date_parse(date, &dn) < 0 || year < 1900)
        return 0;
    memcpy(norm, s, 17);
    norm[17] = last;
    norm[18] = '\0';
    return 1;
}

int pii_org_code_ok(const char *s, char norm[PII_ORG_CODE_LEN + 1])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    if (!s || strlen(s) != PII_ORG_CODE_LEN)
        return 0;
    int sum = 0, v[PII_ORG_CODE_LEN];
    for (int i = 0; i < PII_ORG_CODE_LEN; i++) {
        char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
        const char *p = c ? strchr(alphabet, c) : NULL;
        if (!p)
            return 0;
        v[i] = (int)(p - alphabet);
        norm[i] = c;
    }
    norm[PII_ORG_CODE_LEN] = '\0';
    for (int i = 0; i < 17; i++)
        sum += v[i] * w[i];
    int c = (31 - sum % 31) % 31;
    return v[17] == c;
}

void pii_mask_phone(const char *norm, char out[PII_MASK_MAX])
{
    size_t n = strlen(norm);
    if (n < 8) {
        snprintf(out, PII_MASK_MAX, "****");
        return;
    }
    const char *hy = strchr(norm, '-');
    if (hy)
        snprintf(out, PII_MASK_MAX, "%.*s-****%s", (int)(hy - norm), norm, norm + n - 4);
    else
        snprintf(out, PII_MASK_MAX, "%.3s****%s", norm, norm + n - 4);
}

void pii_mask_id(const char *norm, char out[PII_MASK_MAX])
{
    size_t n = strlen(norm);
    if (n < 10) {
        snprintf(out, PII_MASK_MAX, "****");
        return;
    }
    snprintf(out, PII_MASK_MAX, "%.6s********%s", norm, norm + n - 4);
}

static void derive(void)
{
    /* a separate key for hashing, so a hash never reveals the cipher key */
    crypto_generichash(g_hash_key, sizeof(g_hash_key), (const unsigned char *)"chuangkou-pii-hash",
                       18, g_key, sizeof(g_key));
    g_ready = 1;
}

void pii_key_set(const unsigned char key[32])
{
    memcpy(g_key, key, sizeof(g_key));
    derive();
}

int pii_key_ready(void)
{
    return g_ready;
}

int pii_key_load(const char *path, int create, char *errbuf, size_t errlen)
{
    char hex[2 * sizeof(g_key) + 2];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        unsigned char k[sizeof(g_key)];
        randombytes_buf(k, sizeof(k));
        sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
        sodium_memzero(k, sizeof(k));
        size_t len = strlen(hex);
        hex[len++] = '\n';
        int wfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (wfd >= 0) {
            ssize_t w = write(wfd, hex, len);
            int bad = w != (ssize_t)len || fsync(wfd) != 0;
            close(wfd);
            if (bad) {
                unlink(path);
                snprintf(errbuf, errlen, "cannot write the data key file %s", path);
                return ERR_IO;
            }
        } else if (errno != EEXIST) {
            snprintf(errbuf, errlen, "cannot create the data key file %s: %s", path,
                     strerror(errno));
            return ERR_IO;
        }
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        snprintf(errbuf, errlen, "cannot read the data key file %s: %s", path, strerror(errno));
        return ERR_IO;
    }
    ssize_t n = read(fd, hex, sizeof(hex) - 1);
    close(fd);
    if (n < (ssize_t)(2 * sizeof(g_key))) {
        snprintf(errbuf, errlen, "%s is not a data key file (64 hex digits)", path);
        return ERR_INVALID;
    }
    hex[n] = '\0';
    unsigned char k[sizeof(g_key)];
    size_t klen = 0;
    if (sodium_hex2bin(k, sizeof(k), hex, (size_t)n, "\n", &klen, NULL) != 0 || klen != sizeof(k)) {
        sodium_memzero(hex, sizeof(hex));
        snprintf(errbuf, errlen, "%s is not a data key file (64 hex digits)", path);
        return ERR_INVALID;
    }
    sodium_memzero(hex, sizeof(hex));
    pii_key_set(k);
    sodium_memzero(k, sizeof(k));
    return 0;
}

int pii_encrypt(const char *text, char out[PII_ENC_MAX])
{
    unsigned char buf[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PII_TEXT_MAX];
    size_t len = strlen(text);
    _Static_assert(2 * sizeof(buf) + 1 <= PII_ENC_MAX, "PII_ENC_MAX too small");
    if (!g_ready)
        return ERR_UNAVAILABLE;
    if (len > PII_TEXT_MAX)
        return ERR_INVALID;
    randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, (const unsigned char *)text, len, buf,
                          g_key);
    size_t total = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    sodium_bin2hex(out, PII_ENC_MAX, buf, total);
    return 0;
}

int pii_decrypt(const char *hex, char *out, size_t outlen)
{
    unsigned char buf[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PII_TEXT_MAX];
    unsigned char plain[PII_TEXT_MAX + 1];
    size_t len = 0;
    if (!g_ready)
        return ERR_UNAVAILABLE;
    if (!hex || sodium_hex2bin(buf, sizeof(buf), hex, strlen(hex), NULL, &len, NULL) != 0 ||
        len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return ERR_INVALID;
    size_t clen = len - crypto_secretbox_NONCEBYTES;
    size_t plen = clen - crypto_secretbox_MACBYTES;
    if (plen + 1 > outlen ||
        crypto_secretbox_open_easy(plain, buf + crypto_secretbox_NONCEBYTES, clen, buf, g_key) != 0)
        return ERR_INVALID;
    memcpy(out, plain, plen);
    out[plen] = '\0';
    sodium_memzero(plain, sizeof(plain));
    return 0;
}

int pii_hash(const char *norm, char out[PII_HASH_HEX])
{
    unsigned char h[32];
    if (!g_ready)
        return ERR_UNAVAILABLE;
    crypto_generichash(h, sizeof(h), (const unsigned char *)norm, strlen(norm), g_hash_key,
                       sizeof(g_hash_key));
    sodium_bin2hex(out, PII_HASH_HEX, h, sizeof(h));
    return 0;
}
