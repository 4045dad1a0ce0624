/* test_crypto.c - hashing, random tokens and passwords (base/crypto.c). */
#include <criterion/criterion.h>

#include <string.h>

#include "base/crypto.h"
#include "base/err.h"

static void init(void)
{
    cr_assert_eq(crypto_init(), 0);
}

TestSuite(crypto, .init = init);

Test(crypto, sha256_known_vectors)
{
    char out[CRYPTO_SHA256_HEX];
    crypto_sha256_hex("abc", 3, out);
    cr_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    crypto_sha256_hex("", 0, out);
    cr_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    crypto_sha256_hex(m, strlen(m), out);
    cr_assert_str_eq(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(crypto, sha256_covers_embedded_nul)
{
    char a[CRYPTO_SHA256_HEX], b[CRYPTO_SHA256_HEX];
    crypto_sha256_hex("a\0b", 3, a);
    crypto_sha256_hex("a\0c", 3, b);
    cr_assert_str_neq(a, b);
}

static void check_hex(const char *s, size_t want_len)
{
    cr_assert_eq(strlen(s), want_len, "length %zu, want %zu", strlen(s), want_len);
    for (size_t i = 0; i < want_len; i++)
        cr_assert((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'), "byte %zu is '%c'",
                  i, s[i]);
}

Test(crypto, random_hex_length_and_charset)
{
    static const size_t sizes[] = {1, 4, 16, 32, 63, 64, 65, 100, 200};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        size_t n = sizes[k];
        char buf[512];
        memset(buf, 'Z', sizeof(buf));
        crypto_random_hex(buf, n);
        check_hex(buf, 2 * n);
        cr_assert_eq(buf[2 * n + 1], 'Z', "n=%zu: wrote past 2n+1 bytes", n);
    }
}

Test(crypto, random_hex_differs)
{
    char a[65], b[65];
    crypto_random_hex(a, 32);
    crypto_random_hex(b, 32);
    cr_assert_str_neq(a, b);
}

Test(crypto, password_round_trip)
{
    char hash[CRYPTO_PWHASH_LEN];
    cr_assert_eq(crypto_password_hash("correct horse 电池", hash), 0);
    cr_assert_eq(strncmp(hash, "$argon2id$", 10), 0, "%s", hash);
    cr_assert_lt(strlen(hash), CRYPTO_PWHASH_LEN);
    cr_assert_null(strstr(hash, "correct"));
    cr_assert_eq(crypto_password_verify(hash, "correct horse 电池"), 0);
    cr_assert_eq(crypto_password_verify(hash, "correct horse 电"), ERR_UNAUTHORIZED);
    cr_assert_eq(crypto_password_verify(hash, "Correct horse 电池"), ERR_UNAUTHORIZED);
    cr_assert_eq(crypto_password_verify(hash, ""), ERR_UNAUTHORIZED);
}

Test(crypto, password_hash_is_salted)
{
    char h1[CRYPTO_PWHASH_LEN], h2[CRYPTO_PWHASH_LEN];
    cr_assert_eq(crypto_password_hash("same password", h1), 0);
    cr_assert_eq(crypto_password_hash("same password", h2), 0);
    cr_assert_str_neq(h1, h2);
    cr_assert_eq(crypto_password_verify(h2, "same password"), 0);
}

Test(crypto, verify_garbage_hash)
{
    cr_assert_eq(crypto_password_verify("", "x"), ERR_UNAUTHORIZED);
    cr_assert_eq(crypto_password_verify("not a hash", "x"), ERR_UNAUTHORIZED);
    cr_assert_eq(crypto_password_verify("$argon2id$v=19$m=1,t=1,p=1$$", "x"), ERR_UNAUTHORIZED);
}

Test(crypto, str_equal)
{
    cr_assert_eq(crypto_str_equal("abc", "abc"), 1);
    cr_assert_eq(crypto_str_equal("", ""), 1);
    cr_assert_eq(crypto_str_equal("abc", "abd"), 0);
    cr_assert_eq(crypto_str_equal("abc", "ab"), 0);
    cr_assert_eq(crypto_str_equal("ab", "abc"), 0);
    cr_assert_eq(crypto_str_equal("", "a"), 0);
    cr_assert_eq(crypto_str_equal("Abc", "abc"), 0);
}

Test(crypto, wipe)
{
    char secret[32];
    memset(secret, 's', sizeof(secret));
    crypto_wipe(secret, sizeof(secret));
    for (size_t i = 0; i < sizeof(secret); i++)
        cr_assert_eq(secret[i], 0);
}
