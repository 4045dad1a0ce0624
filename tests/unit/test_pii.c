/* Citizens' personal data: the mainland formats, masks, the data key file,
 * encryption and the keyed hash. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/pii.h"

static void set_key(void)
{
    unsigned char k[32];
    for (int i = 0; i < 32; i++)
        k[i] = (unsigned char)i;
    pii_key_set(k);
}

Test(pii, phones)
{
    char n[PII_PHONE_MAX + 1];
    cr_assert(pii_phone_ok("13800138000", n));
    cr_assert_str_eq(n, "13800138000");
    cr_assert(pii_phone_ok("138 0013 8000", n));
    cr_assert_str_eq(n, "13800138000");
    cr_assert(pii_phone_ok("010-62345678", n));
    cr_assert_str_eq(n, "010-62345678");
    cr_assert(pii_phone_ok("01062345678", n));
    cr_assert_str_eq(n, "010-62345678");
    cr_assert(pii_phone_ok("0591-8765432", n));
    cr_assert_str_eq(n, "0591-8765432");
    cr_assert(pii_phone_ok("059187654321", n));
    cr_assert_str_eq(n, "0591-87654321");
    const char *bad[] = {"",
                         "1380013800",
                         "138001380001",
                         "12800138000",
                         "23800138000",
                         "010-1234567",
                         "0591-123456",
                         "00-12345678",
                         "138-0013-8000",
                         "1380013800a",
                         "+8613800138000",
                         NULL};
    for (int i = 0; bad[i]; i++)
        cr_assert_not(pii_phone_ok(bad[i], n), "%s", bad[i]);
    cr_assert_not(pii_phone_ok(NULL, n));
}

Test(pii, id_numbers)
{
    char n[PII_ID_LEN + 1];
    cr_assert(pii_id_ok("11010519491231002X", n));
    cr_assert(pii_id_ok("11010519491231002x", n));
    cr_assert_str_eq(n, "11010519491231002X");
    cr_assert_not(pii_id_ok("110105194912310021", n), "wrong check character");
    cr_assert_not(pii_id_ok("11010519491331002X", n), "month 13");
    cr_assert_not(pii_id_ok("1101051949123100", n), "too short");
    cr_assert_not(pii_id_ok("01010519491231002X", n), "area code 0");
}

Test(pii, org_codes)
{
    char n[PII_ORG_CODE_LEN + 1];
    cr_assert(pii_org_code_ok("91350100M000100Y43", n));
    cr_assert(pii_org_code_ok("91350100m000100y43", n));
    cr_assert_str_eq(n, "91350100M000100Y43");
    cr_assert_not(pii_org_code_ok("91350100M000100Y44", n), "wrong check character");
    cr_assert_not(pii_org_code_ok("91350100I000100Y43", n), "I is not in the alphabet");
    cr_assert_not(pii_org_code_ok("91350100M000100Y4", n));
}

Test(pii, masks)
{
    char m[PII_MASK_MAX];
    pii_mask_phone("13800138000", m);
    cr_assert_str_eq(m, "138****8000");
    pii_mask_phone("0591-87654321", m);
    cr_assert_str_eq(m, "0591-****4321");
    pii_mask_id("11010519491231002X", m);
    cr_assert_str_eq(m, "110105********002X");
}

Test(pii, encrypt_roundtrip_and_tamper)
{
    char enc[PII_ENC_MAX], enc2[PII_ENC_MAX], out[64];
    set_key();
    cr_assert_eq(pii_encrypt("13800138000", enc), 0);
    cr_assert_null(strstr(enc, "13800138000"));
    cr_assert_eq(pii_encrypt("13800138000", enc2), 0);
    cr_assert_str_neq(enc, enc2, "a fresh nonce each time");
    cr_assert_eq(pii_decrypt(enc, out, sizeof(out)), 0);
    cr_assert_str_eq(out, "13800138000");
    enc[60] = enc[60] == 'a' ? 'b' : 'a';
    cr_assert_eq(pii_decrypt(enc, out, sizeof(out)), ERR_INVALID, "a changed byte is refused");
    char h1[PII_HASH_HEX], h2[PII_HASH_HEX], plain[CRYPTO_SHA256_HEX];
    cr_assert_eq(pii_hash("13800138000", h1), 0);
    cr_assert_eq(pii_hash("13800138000", h2), 0);
    cr_assert_str_eq(h1, h2, "the hash is stable for lookups");
    crypto_sha256_hex("13800138000", 11, plain);
    cr_assert_str_neq(h1, plain, "keyed, not a plain SHA-256 anyone can recompute");
}

Test(pii, key_file)
{
    char dir[] = "/tmp/ck-pii-XXXXXX", path[64], err[256], enc[PII_ENC_MAX], out[32];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/k.key", dir);
    cr_assert_eq(pii_key_load(path, 0, err, sizeof(err)), ERR_IO, "missing and not created");
    cr_assert_eq(pii_key_load(path, 1, err, sizeof(err)), 0, "%s", err);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "only the owner reads the key");
    cr_assert_eq(pii_encrypt("13800138000", enc), 0);
    cr_assert_eq(pii_key_load(path, 1, err, sizeof(err)), 0, "the same file loads again");
    cr_assert_eq(pii_decrypt(enc, out, sizeof(out)), 0);
    set_key();
    cr_assert_eq(pii_decrypt(enc, out, sizeof(out)), ERR_INVALID, "another key cannot read it");
    FILE *f = fopen(path, "w");
    fputs("not a key\n", f);
    fclose(f);
    cr_assert_eq(pii_key_load(path, 1, err, sizeof(err)), ERR_INVALID);
    unlink(path);
    rmdir(dir);
}
