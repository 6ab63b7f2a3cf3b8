# mk/dashboard.mk - the dashboards at scale (issue 6, "Benchmark"): the
# Global dashboard, an MSP view and the companies table sorted by critical,
# signed in as the MSSP Admin, against the minimal libfcgi + libpq responder
# and a static file of the same size, through the same nginx, at demo sizes
# S, M and L (tests/bench/dashboard.sh; docs/performance.md, "Dashboards at
# scale").
#
#   make bench-dashboard    BENCH_SIZES ("S M L"), BENCH_SECONDS (10),
#                           BENCH_CONNS ("32 64") are passed through

.PHONY: bench-dashboard

bench-dashboard: all build/bench/minimal
	tests/bench/dashboard.sh

BENCH_TARGETS += bench-dashboard
