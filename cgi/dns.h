/* dns.h - the one DNS question the portal asks: does a name hold a given
 * TXT record? (a tenant proving it controls its portal host name,
 * branding_host_verify()).
 *
 * The resolver is PORTAL_DNS_RESOLVER ("IPv4" or "IPv4:port"), else the
 * system's (/etc/resolv.conf). A lookup waits at most DNS_TIMEOUT_SECONDS
 * for one attempt: a dead resolver costs a worker that long, never more. */
#ifndef DNS_H
#define DNS_H

#include <stddef.h>

#define DNS_TIMEOUT_SECONDS 2

enum dns_txt {
	DNS_TXT_FOUND,  /* a TXT record of name is exactly the text */
	DNS_TXT_ABSENT, /* the resolver answered: no such name, no TXT, or none with the text */
	DNS_TXT_FAILED  /* no answer (timeout, refused, SERVFAIL, a bad resolver setting) */
};

/* Ask resolver (NULL or "": the system's) for the TXT records of name;
 * does one of them read exactly text (its character-strings joined)? On
 * DNS_TXT_FAILED, why in err (a short phrase, NUL-terminated). */
enum dns_txt dns_txt_has(const char *resolver, const char *name, const char *text, char *err, size_t errlen);

/* The answer part of dns_txt_has: does the DNS message msg[0..len) (bytes
 * from the network, trusted for nothing) carry in its answer section a TXT
 * record that reads exactly text? DNS_TXT_FAILED: not a parsable message. */
enum dns_txt dns_txt_answer_has(const unsigned char *msg, size_t len, const char *text);

/* "a.b.c.d" or "a.b.c.d:port" (port 1-65535, default 53): 1 and the parts,
 * else 0. */
int dns_resolver_parse(const char *s, unsigned char addr[4], unsigned *port);

#endif
