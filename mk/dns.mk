# mk/dns.mk - the DNS answer parser (cgi/dns.c): its libFuzzer target. The
# unit tests (tests/unit/test_dns.c) run with the others; the lookups run
# against a real dnsmasq in tests/http/test_hosts.py.
#
#   make fuzz-dns    libFuzzer for FUZZ_SECONDS (default 60) seconds

.PHONY: fuzz-dns
build/fuzz/fuzz_dns: cgi/dns.c cgi/dns.h tests/fuzz/fuzz_dns.c | deps
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined cgi/dns.c tests/fuzz/fuzz_dns.c -lresolv -o $@

fuzz-dns: build/fuzz/fuzz_dns
	$(call fuzz_run,dns,-max_len=4096)

FUZZ_TARGETS += fuzz-dns
