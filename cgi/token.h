/* token.h - random tokens, digests and constant-time comparison. */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>

#define TOK_BYTES 32            /* 256-bit tokens */
#define TOK_HEX (TOK_BYTES * 2) /* hex characters */

/* Fill out[0..2*nbytes] with lowercase hex of nbytes from RAND_bytes, NUL
 * terminated (out must hold 2*nbytes+1). 0 on success, -1 on RNG failure. */
int tok_random_hex(char *out, size_t nbytes);
/* Hex SHA-256 of s[0..n) into out[65]. */
void tok_sha256_hex(const void *s, size_t n, char out[65]);
/* Hex HMAC-SHA-256 of msg under key into out[65]. */
void tok_hmac_hex(const char *key, size_t keylen, const char *msg, size_t msglen, char out[65]);
/* Constant-time equality of two NUL-terminated strings (length leaks only). */
int tok_equal(const char *a, const char *b);
/* The masked form of a hex token (lowercase, at most 2*TOK_BYTES
 * characters): a fresh random pad of the token's length, then the token's
 * bytes XOR the pad, both in hex, into out (twice the token's length, plus
 * the NUL: out_size must hold it). Every call gives another string for the
 * same token, so a page that shows it has no stable secret in its bytes
 * (BREACH; docs/architecture.md). 0 on success, -1 on a token that is not
 * hex, a short out, or RNG failure. */
int tok_mask_hex(const char *hex, char *out, size_t out_size);
/* 1 if masked, as tok_mask_hex() made it, unmasks to the hex token hex; the
 * comparison is constant-time in the contents (CRYPTO_memcmp). */
int tok_masked_equal(const char *masked, const char *hex);
/* 1 if s is exactly n lowercase hex characters. */
int tok_is_hex(const char *s, size_t n);
/* Release the algorithms the digests fetched (at process exit, so leak
 * checkers see nothing held). */
void tok_free(void);
/* Overwrite n bytes at p in a way the compiler cannot drop. */
void tok_wipe(void *p, size_t n);

#endif
