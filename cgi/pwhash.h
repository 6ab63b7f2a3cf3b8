/* pwhash.h - password hashing with scrypt through OpenSSL 3's EVP_KDF.
 *
 * Stored form: "scrypt$N$r$p$<salt hex>$<hash hex>", so parameters can be
 * raised later and old hashes still verify. The database compares them
 * (auth_login()): the worker derives (pw_derive), it is never given a hash. */
#ifndef PWHASH_H
#define PWHASH_H

#include <stddef.h>

#define PW_HASH_MAX 200
#define PW_MIN_LEN 10
#define PW_MAX_LEN 256

/* Hash password into out (PW_HASH_MAX bytes) with the current parameters
 * (N=2^15, r=8, p=1, 16-byte salt). 0 on success. */
int pw_hash(const char *password, char out[PW_HASH_MAX]);
/* The stored form of password under setting ("scrypt$N$r$p$<salt hex>$<key
 * bytes>", what auth_login_begin() answers: a hash without its key) into
 * out, for the database to compare (auth_login(): it never hands out a hash).
 * 0 on success, -1 for a malformed setting. */
int pw_derive(const char *password, const char *setting, char out[PW_HASH_MAX]);

#endif
