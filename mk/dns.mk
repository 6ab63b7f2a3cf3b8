# mk/dns.mk - the DNS answer parser (cgi/dns.c): its libFuzzer target. The
# unit tests (tests/unit/test_dns.c) run with the others; the lookups run
# against a real dnsmasq in tests/http/test_hosts.py.
#
#   make fuzz-dns    libFuzzer for FUZZ_SECONDS (default 60) seconds

FUZZ_SECONDS ?= 60
DNS_FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Icgi -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
                  -Wstrict-prototypes -g -O1

.PHONY: fuzz-dns
build/fuzz/fuzz_dns: cgi/dns.c cgi/dns.h tests/fuzz/fuzz_dns.c | deps
	@mkdir -p $(dir $@)
	clang $(DNS_FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined cgi/dns.c tests/fuzz/fuzz_dns.c -lresolv -o $@

# The fuzzer adds to its corpus, so it runs over a copy of the seeds.
fuzz-dns: build/fuzz/fuzz_dns
	rm -rf build/fuzz/dns_corpus
	mkdir -p build/fuzz/dns_corpus
	cp tests/fuzz/dns_corpus/* build/fuzz/dns_corpus/
	build/fuzz/fuzz_dns -max_total_time=$(FUZZ_SECONDS) -timeout=5 -max_len=4096 build/fuzz/dns_corpus

FUZZ_TARGETS += fuzz-dns
