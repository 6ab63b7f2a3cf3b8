/* pwhash.c - scrypt password hashes. */
#include "pwhash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define PW_N 32768ULL
#define PW_R 8U
#define PW_P 1U
#define PW_SALT 16
#define PW_OUT 32

static int scrypt(const char *pw, const unsigned char *salt, size_t saltlen, uint64_t n, uint32_t r,
                  uint32_t p, unsigned char *out, size_t outlen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[6], *q = params;
	int ret = -1;

	if (kdf == NULL)
		goto out;
	ctx = EVP_KDF_CTX_new(kdf);
	if (ctx == NULL)
		goto out;
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pw, strlen(pw));
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	*q = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, outlen, params) == 1)
		ret = 0;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ret;
}

static void hex(const unsigned char *in, size_t n, char *out)
{
	size_t i;
	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

static int unhex(const char *s, size_t n, unsigned char *out)
{
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

int pw_hash(const char *password, char out[PW_HASH_MAX])
{
	unsigned char salt[PW_SALT], dk[PW_OUT];
	char salt_hex[2 * PW_SALT + 1], dk_hex[2 * PW_OUT + 1];
	int ret = -1;

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	if (scrypt(password, salt, sizeof(salt), PW_N, PW_R, PW_P, dk, sizeof(dk)) != 0)
		goto out;
	hex(salt, sizeof(salt), salt_hex);
	hex(dk, sizeof(dk), dk_hex);
	snprintf(out, PW_HASH_MAX, "scrypt$%llu$%u$%u$%s$%s", PW_N, PW_R, PW_P, salt_hex, dk_hex);
	ret = 0;
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	return ret;
}

int pw_derive(const char *password, const char *setting, char out[PW_HASH_MAX])
{
	unsigned long long n;
	unsigned r, p, keylen;
	char salt_hex[129];
	unsigned char salt[64], dk[64];
	size_t saltlen;
	int end = 0, ret = -1;

	if (setting == NULL ||
	    sscanf(setting, "scrypt$%llu$%u$%u$%128[0-9a-f]$%u%n", &n, &r, &p, salt_hex, &keylen, &end) != 5 ||
	    setting[end] != '\0')
		return -1;
	if (n < 1024 || n > (1ULL << 22) || (n & (n - 1)) != 0 || r < 1 || r > 32 || p < 1 || p > 16 ||
	    keylen < 16 || keylen > sizeof(dk))
		return -1;
	saltlen = strlen(salt_hex) / 2;
	if (saltlen < 8 || strlen(salt_hex) % 2 != 0 || unhex(salt_hex, saltlen, salt) != 0)
		return -1;
	if (scrypt(password, salt, saltlen, n, r, p, dk, keylen) == 0) {
		char dk_hex[2 * sizeof(dk) + 1];
		hex(dk, keylen, dk_hex);
		if ((size_t)snprintf(out, PW_HASH_MAX, "scrypt$%llu$%u$%u$%s$%s", n, r, p, salt_hex, dk_hex) < PW_HASH_MAX)
			ret = 0;
		OPENSSL_cleanse(dk_hex, sizeof(dk_hex));
	}
	OPENSSL_cleanse(dk, sizeof(dk));
	return ret;
}
