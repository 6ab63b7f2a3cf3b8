# mk/ingest.mk - ingest throughput: batches of 5,000 vulnerabilities posted
# to /api/v2/vulnerabilities with an API key, through nginx, against a
# private stack (tests/bench/ingest.py; see docs/performance.md "## Ingest").
#
#   make bench-ingest   BENCH_INGEST_BATCHES (20 per client),
#                       BENCH_INGEST_CLIENTS ("1,4"), PORTAL_WORKERS (4)

.PHONY: bench-ingest

bench-ingest: all
	/usr/bin/python3 tests/bench/ingest.py

BENCH_TARGETS += bench-ingest
