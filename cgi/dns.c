/* dns.c - TXT lookups through glibc's resolver (see dns.h). */
#include "dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest TXT text compared: anything longer is not the one we look for. */
#define DNS_TXT_MAX 1024
/* Largest DNS message (a TCP answer after a truncated UDP one). */
#define DNS_MSG_MAX 65535

int dns_resolver_parse(const char *s, unsigned char addr[4], unsigned *port)
{
	const char *p = s;
	unsigned long v;

	if (s == NULL)
		return 0;
	for (int i = 0; i < 4; i++) {
		size_t n = 0;
		v = 0;
		while (p[n] >= '0' && p[n] <= '9' && n < 4)
			v = v * 10 + (unsigned long)(p[n++] - '0');
		if (n == 0 || n > 3 || v > 255 || (n > 1 && p[0] == '0'))
			return 0;
		addr[i] = (unsigned char)v;
		p += n;
		if (i < 3) {
			if (*p != '.')
				return 0;
			p++;
		}
	}
	*port = 53;
	if (*p == '\0')
		return 1;
	if (*p != ':')
		return 0;
	p++;
	v = 0;
	for (size_t n = 0; p[n] != '\0'; n++) {
		if (p[n] < '0' || p[n] > '9' || n >= 5)
			return 0;
		v = v * 10 + (unsigned long)(p[n] - '0');
	}
	if (v < 1 || v > 65535 || p[0] == '0')
		return 0;
	*port = (unsigned)v;
	return 1;
}

/* One TXT record's RDATA: its character-strings (a length byte, then that
 * many bytes) joined; does it read exactly text? Malformed: no. */
static int txt_is(const unsigned char *rd, size_t rdlen, const char *text)
{
	char joined[DNS_TXT_MAX];
	size_t jn = 0, i = 0, tl = strlen(text);

	while (i < rdlen) {
		size_t l = rd[i++];
		if (l > rdlen - i || l > sizeof(joined) - jn)
			return 0;
		memcpy(joined + jn, rd + i, l);
		jn += l;
		i += l;
	}
	return jn == tl && memcmp(joined, text, tl) == 0;
}

enum dns_txt dns_txt_answer_has(const unsigned char *msg, size_t len, const char *text)
{
	ns_msg m;
	int count;

	if (msg == NULL || len == 0 || len > DNS_MSG_MAX || ns_initparse(msg, (int)len, &m) < 0)
		return DNS_TXT_FAILED;
	count = ns_msg_count(m, ns_s_an);
	for (int i = 0; i < count; i++) {
		ns_rr rr;
		if (ns_parserr(&m, ns_s_an, i, &rr) < 0)
			return DNS_TXT_FAILED;
		if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in)
			continue; /* a CNAME on the way, say */
		if (txt_is(ns_rr_rdata(rr), ns_rr_rdlen(rr), text))
			return DNS_TXT_FOUND;
	}
	return DNS_TXT_ABSENT;
}

enum dns_txt dns_txt_has(const char *resolver, const char *name, const char *text, char *err, size_t errlen)
{
	struct __res_state st;
	unsigned char *ans;
	unsigned char addr[4];
	unsigned port = 53;
	enum dns_txt r;
	int n, herr;

	if (errlen > 0)
		err[0] = '\0';
	if (resolver != NULL && *resolver != '\0' && !dns_resolver_parse(resolver, addr, &port)) {
		snprintf(err, errlen, "PORTAL_DNS_RESOLVER is not an IPv4 address with an optional :port");
		return DNS_TXT_FAILED;
	}
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0) {
		snprintf(err, errlen, "the resolver could not be set up");
		return DNS_TXT_FAILED;
	}
	if (resolver != NULL && *resolver != '\0') {
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)port);
		memcpy(&sin.sin_addr, addr, 4);
		st.nsaddr_list[0] = sin; /* sin_family set: glibc uses it over any IPv6 one from resolv.conf */
		st.nscount = 1;
	}
	st.retrans = DNS_TIMEOUT_SECONDS;
	st.retry = 1;
	ans = malloc(DNS_MSG_MAX);
	if (ans == NULL) {
		res_nclose(&st);
		snprintf(err, errlen, "out of memory");
		return DNS_TXT_FAILED;
	}
	n = res_nquery(&st, name, ns_c_in, ns_t_txt, ans, DNS_MSG_MAX);
	herr = st.res_h_errno;
	res_nclose(&st);
	if (n < 0) {
		free(ans);
		if (herr == HOST_NOT_FOUND || herr == NO_DATA)
			return DNS_TXT_ABSENT;
		snprintf(err, errlen, "%s",
		         herr == TRY_AGAIN ? "the DNS resolver did not answer"
		                           : "the DNS resolver answered with an error");
		return DNS_TXT_FAILED;
	}
	/* glibc returns the answer's full length even when it did not fit. */
	r = dns_txt_answer_has(ans, (size_t)n < DNS_MSG_MAX ? (size_t)n : DNS_MSG_MAX, text);
	free(ans);
	if (r == DNS_TXT_FAILED)
		snprintf(err, errlen, "the DNS answer could not be read");
	return r;
}
