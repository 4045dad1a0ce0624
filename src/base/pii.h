/* pii.h - a citizen's personal data (phone, ID number): validation of the
 * mainland formats, masks for lists, and storage protected by the server's
 * data key (DESIGN.md §4): encrypted for the few who may read it back (a
 * follow-up call needs the number), a keyed hash for lookups.
 *
 * The data key is 32 random bytes kept in a file beside the database (hex,
 * mode 0600), created on first use. Whoever holds the database without the
 * key file cannot read the phones. Call pii_key_load once at start-up, before
 * any thread uses the functions below; pii_key_set is for tests.
 */
#ifndef CK_PII_H
#define CK_PII_H

#include <stddef.h>

#define PII_PHONE_MAX 20    /* normalised: 11-digit mobile or 0AA[A]-NNNNNNN[N] */
#define PII_ID_LEN 18       /* resident ID number (GB 11643) */
#define PII_ORG_CODE_LEN 18 /* unified social credit code (GB 32100) */
#define PII_MASK_MAX 24
#define PII_ENC_MAX 176 /* hex of nonce + MAC + up to 40 bytes of text, and NUL */
#define PII_HASH_HEX 65

/* A mainland phone number: mobile 1[3-9]NNNNNNNNN (11 digits) or a landline
 * with its area code, 0AA-NNNNNNNN or 0AAA-NNNNNNN (7-8 digits; the hyphen is
 * optional on input). Spaces are dropped. On success norm gets the canonical
 * form (mobile digits; landline with one hyphen) and 1 is returned; else 0. */
int pii_phone_ok(const char *s, char norm[PII_PHONE_MAX + 1]);

/* An 18-character resident ID number: 6-digit area, a valid birth date, a
 * 3-digit sequence and the ISO 7064 MOD 11-2 check character (x taken as X).
 * norm gets it upper-cased. Returns 1 or 0. */
int pii_id_ok(const char *s, char norm[PII_ID_LEN + 1]);

/* An 18-character unified social credit code with its check character
 * (GB 32100-2015). norm gets it upper-cased. Returns 1 or 0. */
int pii_org_code_ok(const char *s, char norm[PII_ORG_CODE_LEN + 1]);

/* Masks for lists: 138****5678, 010-****5678; ID 110101********123X. */
void pii_mask_phone(const char *norm, char out[PII_MASK_MAX]);
void pii_mask_id(const char *norm, char out[PII_MASK_MAX]);

/* Load the data key from path, creating the file (0600, 32 random bytes as
 * hex) when it does not exist and create is set. Returns 0, ERR_IO (cannot
 * read or write; detail in errbuf) or ERR_INVALID (not a key file). */
int pii_key_load(const char *path, int create, char *errbuf, size_t errlen);

/* Set the key directly (tests). */
void pii_key_set(const unsigned char key[32]);

/* 1 once a key is loaded. */
int pii_key_ready(void);

/* Encrypt text (at most 40 bytes) as hex into out[PII_ENC_MAX]. Returns 0,
 * ERR_INVALID (too long) or ERR_UNAVAILABLE (no key). */
int pii_encrypt(const char *text, char out[PII_ENC_MAX]);

/* Decrypt what pii_encrypt wrote into out (outlen bytes). Returns 0,
 * ERR_INVALID (damaged, or another key) or ERR_UNAVAILABLE (no key). */
int pii_decrypt(const char *hex, char *out, size_t outlen);

/* The keyed hash (BLAKE2b-256 under a subkey of the data key) of a
 * normalised value, as hex. Returns 0 or ERR_UNAVAILABLE (no key). */
int pii_hash(const char *norm, char out[PII_HASH_HEX]);

#endif
