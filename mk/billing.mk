# mk/billing.mk - billing at scale (issue #21, "Performance"): the billing
# job and the Billing page at size L against the minimal libfcgi + libpq
# responder (tests/bench/billing.sh; docs/billing.md, "Measured").
#
#   make bench-billing      BENCH_SIZE (L), BENCH_RUNS (5), BENCH_SECONDS
#                           (10), BENCH_CONNS (32) are passed through

.PHONY: bench-billing

bench-billing: all build/bench/minimal
	tests/bench/billing.sh

BENCH_TARGETS += bench-billing
