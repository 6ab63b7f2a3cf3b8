/* test_dns.c - cgi/dns.c: the answer parser on well-formed, truncated and
 * lying messages (lengths past the end), and the resolver setting. The
 * lookups themselves run against a real dnsmasq in tests/http/test_hosts.py. */
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "tap.h"

#define WANT "mssp-portal-verify=0123456789abcdef0123456789abcdef"

/* A response to "_v.a.example TXT" with one answer whose RDATA is rd. */
static size_t answer(unsigned char *m, const unsigned char *rd, size_t rdlen, unsigned type)
{
	static const unsigned char head[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
	static const unsigned char q[] = {2, '_', 'v', 1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 16, 0, 1};
	size_t n = 0;

	memcpy(m + n, head, sizeof(head));
	n += sizeof(head);
	memcpy(m + n, q, sizeof(q));
	n += sizeof(q);
	m[n++] = 0xc0; /* the name: a pointer to the question's */
	m[n++] = 12;
	m[n++] = 0;
	m[n++] = (unsigned char)type;
	m[n++] = 0;
	m[n++] = 1; /* IN */
	m[n++] = 0;
	m[n++] = 0;
	m[n++] = 1;
	m[n++] = 0; /* TTL */
	m[n++] = (unsigned char)(rdlen >> 8);
	m[n++] = (unsigned char)rdlen;
	memcpy(m + n, rd, rdlen);
	return n + rdlen;
}

/* RDATA of one character-string s, or of s split in two at cut. */
static size_t txt(unsigned char *rd, const char *s, size_t cut)
{
	size_t l = strlen(s), n = 0;

	if (cut == 0 || cut >= l) {
		rd[n++] = (unsigned char)l;
		memcpy(rd + n, s, l);
		return n + l;
	}
	rd[n++] = (unsigned char)cut;
	memcpy(rd + n, s, cut);
	n += cut;
	rd[n++] = (unsigned char)(l - cut);
	memcpy(rd + n, s + cut, l - cut);
	return n + l - cut;
}

int main(void)
{
	unsigned char m[1024], rd[512];
	unsigned char addr[4];
	unsigned port;
	size_t n, rl;

	rl = txt(rd, WANT, 0);
	n = answer(m, rd, rl, 16);
	TAP_OK(dns_txt_answer_has(m, n, WANT) == DNS_TXT_FOUND, "the exact TXT text is found");
	TAP_OK(dns_txt_answer_has(m, n, WANT "0") == DNS_TXT_ABSENT, "a longer wanted text is not");
	TAP_OK(dns_txt_answer_has(m, n, "mssp-portal-verify=0123") == DNS_TXT_ABSENT, "a prefix of the record is not");
	rl = txt(rd, WANT, 20);
	n = answer(m, rd, rl, 16);
	TAP_OK(dns_txt_answer_has(m, n, WANT) == DNS_TXT_FOUND, "character-strings are joined");
	n = answer(m, rd, rl, 5);
	TAP_OK(dns_txt_answer_has(m, n, WANT) == DNS_TXT_ABSENT, "a CNAME record is not a TXT record");
	rl = txt(rd, WANT, 0);
	rd[0] = (unsigned char)(rl); /* the string claims one byte more than the RDATA holds */
	n = answer(m, rd, rl, 16);
	TAP_OK(dns_txt_answer_has(m, n, WANT) == DNS_TXT_ABSENT, "a string longer than its RDATA is refused");
	rd[0] = 255;
	TAP_OK(dns_txt_answer_has(m, n, WANT) == DNS_TXT_ABSENT, "a length of 255 in a short RDATA is refused");
	rd[0] = (unsigned char)(rl - 1);
	n = answer(m, rd, rl, 16);
	{
		int found = 0;
		for (size_t cut = 0; cut < n; cut++) {
			unsigned char *c = malloc(cut ? cut : 1); /* exactly cut bytes: ASan sees any read past them */
			memcpy(c, m, cut);
			found |= dns_txt_answer_has(c, cut, WANT) == DNS_TXT_FOUND;
			free(c);
		}
		TAP_OK(!found, "a message cut anywhere is never found, nor read past");
	}
	{
		/* An RDLENGTH past the message's end. */
		n = answer(m, rd, rl, 16);
		m[n - rl - 1] = 0xff;
		TAP_OK(dns_txt_answer_has(m, n, WANT) == DNS_TXT_FAILED, "an RDLENGTH past the end: not parsable");
	}
	TAP_OK(dns_txt_answer_has(m, 0, WANT) == DNS_TXT_FAILED, "an empty message: not parsable");

	TAP_OK(dns_resolver_parse("127.0.0.1", addr, &port) && port == 53 && addr[0] == 127 && addr[3] == 1,
	       "an address alone: port 53");
	TAP_OK(dns_resolver_parse("10.1.2.3:5353", addr, &port) && port == 5353 && addr[1] == 1, "address:port");
	TAP_OK(!dns_resolver_parse("256.0.0.1", addr, &port), "an octet over 255 is refused");
	TAP_OK(!dns_resolver_parse("1.2.3", addr, &port), "three octets are refused");
	TAP_OK(!dns_resolver_parse("1.2.3.4:0", addr, &port), "port 0 is refused");
	TAP_OK(!dns_resolver_parse("1.2.3.4:65536", addr, &port), "port 65536 is refused");
	TAP_OK(!dns_resolver_parse("1.2.3.4:53x", addr, &port), "trailing bytes are refused");
	TAP_OK(!dns_resolver_parse("::1", addr, &port), "IPv6 is refused (not supported)");
	TAP_OK(!dns_resolver_parse("01.2.3.4", addr, &port), "a leading zero is refused");
	{
		char err[160];
		TAP_OK(dns_txt_has("nonsense", "x.example", WANT, err, sizeof(err)) == DNS_TXT_FAILED &&
		           strstr(err, "PORTAL_DNS_RESOLVER") != NULL,
		       "a bad resolver setting fails with its name");
	}
	return tap_done();
}
