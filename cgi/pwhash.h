/* pwhash.h - password hashing with scrypt through OpenSSL 3's EVP_KDF.
 *
 * Stored form: "scrypt$N$r$p$<salt hex>$<hash hex>", so parameters can be
 * raised later and old hashes still verify (pw_needs_rehash tells). */
#ifndef PWHASH_H
#define PWHASH_H

#include <stddef.h>

#define PW_HASH_MAX 200
#define PW_MIN_LEN 10
#define PW_MAX_LEN 256

/* Hash password into out (PW_HASH_MAX bytes) with the current parameters
 * (N=2^15, r=8, p=1, 16-byte salt). 0 on success. */
int pw_hash(const char *password, char out[PW_HASH_MAX]);
/* 1 if password matches stored, 0 otherwise (also for malformed stored). */
int pw_verify(const char *password, const char *stored);
/* 1 if stored uses weaker parameters than the current ones. */
int pw_needs_rehash(const char *stored);

#endif
