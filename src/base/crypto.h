/* crypto.h - the few primitives we use, on libsodium. Call crypto_init once
 * before any thread starts. */
#ifndef CK_CRYPTO_H
#define CK_CRYPTO_H

#include <stddef.h>

#define CRYPTO_SHA256_HEX 65 /* 64 hex digits + NUL */
#define CRYPTO_PWHASH_LEN 128

/* Initialise libsodium. Returns 0 or ERR_IO. */
int crypto_init(void);

/* nbytes random bytes as lower-case hex into out (2*nbytes+1 bytes). */
void crypto_random_hex(char *out, size_t nbytes);

/* SHA-256 of data as lower-case hex into out[CRYPTO_SHA256_HEX]. */
void crypto_sha256_hex(const void *data, size_t len, char *out);

/* Argon2id hash of password into out[CRYPTO_PWHASH_LEN] (the encoded string).
 * Slow (tens of ms) and memory-hungry by design: never call it on an HTTP
 * polling thread. Returns 0 or ERR_NOMEM. */
int crypto_password_hash(const char *password, char *out);

/* 0 when password matches the encoded hash, ERR_UNAUTHORIZED otherwise.
 * Slow, as above. */
int crypto_password_verify(const char *hash, const char *password);

/* Constant-time equality of two NUL-terminated strings of equal length;
 * returns 1 when equal. */
int crypto_str_equal(const char *a, const char *b);

/* Wipe a buffer so the compiler cannot optimise it away. */
void crypto_wipe(void *p, size_t n);

#endif
