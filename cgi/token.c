/* token.c - random tokens, digests and constant-time comparison. */
#include "token.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int tok_random_hex(char *out, size_t nbytes)
{
	unsigned char raw[64];

	if (nbytes > sizeof(raw) || RAND_bytes(raw, (int)nbytes) != 1)
		return -1;
	to_hex(raw, nbytes, out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

/* The algorithms, fetched once per process: EVP_sha256() and HMAC() look
 * them up in the provider store at every call (OpenSSL 3), which was a
 * visible share of a cached page's CPU. tok_free() releases them. */
static EVP_MD *sha256;
static EVP_MAC_CTX *hmac_sha256; /* a keyless template, duplicated per use */

static const EVP_MD *sha256_md(void)
{
	if (sha256 == NULL)
		sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	return sha256;
}

static EVP_MAC_CTX *hmac_template(void)
{
	EVP_MAC *mac;
	OSSL_PARAM params[2];

	if (hmac_sha256 != NULL)
		return hmac_sha256;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	hmac_sha256 = mac ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac); /* the context keeps its own reference */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (hmac_sha256 != NULL && EVP_MAC_CTX_set_params(hmac_sha256, params) != 1) {
		EVP_MAC_CTX_free(hmac_sha256);
		hmac_sha256 = NULL;
	}
	return hmac_sha256;
}

/* A digest that cannot be computed (the provider is missing: a broken
 * installation) must not pass for any value: abort. */
static void crypto_failed(const char *what)
{
	fprintf(stderr, "token: %s failed\n", what);
	abort();
}

void tok_sha256_hex(const void *s, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	const EVP_MD *alg = sha256_md();

	if (alg == NULL || EVP_Digest(s, n, md, &len, alg, NULL) != 1 || len != 32)
		crypto_failed("SHA-256");
	to_hex(md, 32, out);
}

void tok_hmac_hex(const char *key, size_t keylen, const char *msg, size_t msglen, char out[65])
{
	unsigned char md[32];
	size_t len = 0;
	EVP_MAC_CTX *t = hmac_template(), *c = t ? EVP_MAC_CTX_dup(t) : NULL;

	if (c == NULL || EVP_MAC_init(c, (const unsigned char *)key, keylen, NULL) != 1 ||
	    EVP_MAC_update(c, (const unsigned char *)msg, msglen) != 1 || EVP_MAC_final(c, md, &len, sizeof(md)) != 1 ||
	    len != 32)
		crypto_failed("HMAC-SHA-256");
	EVP_MAC_CTX_free(c);
	to_hex(md, 32, out);
}

void tok_free(void)
{
	EVP_MD_free(sha256);
	sha256 = NULL;
	EVP_MAC_CTX_free(hmac_sha256);
	hmac_sha256 = NULL;
}

int tok_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n != strlen(b))
		return 0;
	return CRYPTO_memcmp(a, b, n) == 0;
}

int tok_is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

/* The value of a lowercase hex digit, without a branch on it (the token's
 * digits are secret): '0'-'9' are 0x30-0x39, 'a'-'f' 0x61-0x66. */
static int hex_digit(char c)
{
	return (c & 0xf) + 9 * ((unsigned char)c >> 6);
}

/* n bytes from 2n lowercase hex characters (checked by the caller). */
static void from_hex(const char *in, size_t n, unsigned char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (unsigned char)(hex_digit(in[2 * i]) << 4 | hex_digit(in[2 * i + 1]));
}

/* The masks' pads come from RAND_bytes() a kilobyte at a time: a call of
 * its own for each page's 32 bytes cost a worker 3 % of a dashboard view
 * (the DRBG's fork check and lock each time), one for 1 kB costs about as
 * much as for 32. A pad is sent with the token it masks, so it is no
 * secret; each is handed out once and wiped from the pool. A forked child
 * starts with an empty pool (pthread_atfork()), so no two processes hand
 * out the same pads. */
static unsigned char pad_pool[1024];
static size_t pad_left; /* the pool's unused bytes, at its end */
static int pad_fork_set;

static void pad_pool_drop(void)
{
	OPENSSL_cleanse(pad_pool, sizeof(pad_pool));
	pad_left = 0;
}

static int pad_bytes(unsigned char *out, size_t n)
{
	unsigned char *p;

	if (!pad_fork_set) {
		if (pthread_atfork(NULL, NULL, pad_pool_drop) != 0)
			return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
		pad_fork_set = 1;
	}
	if (n > sizeof(pad_pool))
		return -1;
	if (pad_left < n) {
		if (RAND_bytes(pad_pool, (int)sizeof(pad_pool)) != 1) {
			pad_pool_drop();
			return -1;
		}
		pad_left = sizeof(pad_pool);
	}
	p = pad_pool + sizeof(pad_pool) - pad_left;
	memcpy(out, p, n);
	OPENSSL_cleanse(p, n);
	pad_left -= n;
	return 0;
}

int tok_mask_hex(const char *hex, char *out, size_t out_size)
{
	unsigned char raw[TOK_BYTES], pad[TOK_BYTES];
	size_t len = strlen(hex), n = len / 2, i;

	if (len % 2 != 0 || n > TOK_BYTES || !tok_is_hex(hex, len) || out_size < 4 * n + 1 || pad_bytes(pad, n) != 0)
		return -1;
	from_hex(hex, n, raw);
	for (i = 0; i < n; i++)
		raw[i] ^= pad[i];
	to_hex(pad, n, out);
	to_hex(raw, n, out + 2 * n);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(pad, sizeof(pad));
	return 0;
}

int tok_masked_equal(const char *masked, const char *hex)
{
	unsigned char want[TOK_BYTES], pad[TOK_BYTES], got[TOK_BYTES];
	size_t len = strlen(hex), n = len / 2, i;
	int same;

	if (len % 2 != 0 || n > TOK_BYTES || !tok_is_hex(hex, len) || !tok_is_hex(masked, 4 * n))
		return 0;
	from_hex(hex, n, want);
	from_hex(masked, n, pad);
	from_hex(masked + 2 * n, n, got);
	for (i = 0; i < n; i++)
		got[i] ^= pad[i];
	same = n > 0 && CRYPTO_memcmp(got, want, n) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	OPENSSL_cleanse(got, sizeof(got));
	return same;
}

void tok_wipe(void *p, size_t n) { OPENSSL_cleanse(p, n); }
