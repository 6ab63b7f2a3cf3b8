/* fuzz_dns.c - libFuzzer target for cgi/dns.c's answer parser: any bytes a
 * resolver (or anyone who can reach the portal's UDP port first) sends
 * back. The first byte picks the text looked for, so matches are reached
 * too. */
#include <stddef.h>
#include <stdint.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const wants[] = {"mssp-portal-verify=0123456789abcdef0123456789abcdef", "", "a",
	                                    "mssp-portal-verify="};

	if (size < 1)
		return 0;
	(void)dns_txt_answer_has(data + 1, size - 1, wants[data[0] & 3]);
	return 0;
}
