# mk/config.mk - devices polling their configuration (issue 19,
# "Performance"): GET /api/v2/devices/{external_id}/config with and without
# If-None-Match at size L against the minimal libfcgi + libpq responder,
# and a plan change reaching every company (tests/bench/config.sh;
# docs/performance.md, "Devices polling their configuration").
#
#   make bench-config       BENCH_SIZE (L), BENCH_SECONDS (10),
#                           BENCH_CONNS (32) are passed through

.PHONY: bench-config

bench-config: all build/bench/minimal
	tests/bench/config.sh

BENCH_TARGETS += bench-config
