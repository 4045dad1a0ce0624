#include "base/crypto.h"

#include <sodium.h>
#include <string.h>

#include "base/err.h"

int crypto_init(void)
{
    return sodium_init() < 0 ? ERR_IO : 0;
}

void crypto_random_hex(char *out, size_t nbytes)
{
    unsigned char buf[64];
    while (nbytes > 0) {
        size_t n = nbytes < sizeof(buf) ? nbytes : sizeof(buf);
        randombytes_buf(buf, n);
        sodium_bin2hex(out, n * 2 + 1, buf, n);
        out += n * 2;
        nbytes -= n;
    }
    sodium_memzero(buf, sizeof(buf));
}

void crypto_sha256_hex(const void *data, size_t len, char *out)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, CRYPTO_SHA256_HEX, h, sizeof(h));
}

int crypto_password_hash(const char *password, char *out)
{
    _Static_assert(CRYPTO_PWHASH_LEN >= crypto_pwhash_STRBYTES, "hash buffer too small");
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ERR_NOMEM;
    return 0;
}

int crypto_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : ERR_UNAUTHORIZED;
}

int crypto_str_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    return sodium_memcmp(a, b, la) == 0;
}

void crypto_wipe(void *p, size_t n)
{
    sodium_memzero(p, n);
}
