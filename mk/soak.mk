# mk/soak.mk - the portal for a long while under mixed traffic, then under
# faults (issue #23): tests/soak/soak.py starts its own stack (with a read
# replica and a real SMTP sink), runs wrk over the dashboards, the live
# feed, actions (SLA changes, password resets, PDF reports) and a probe,
# samples the workers' memory and open files, injects the faults one by
# one, and proves nothing was lost or sent twice. Not part of make test
# (its short cousins are tests/http/faults_*.py).
#
#   make soak    SOAK_MINUTES (30), SOAK_FLAGS (e.g. --no-faults) are passed
#                through; the report goes to tests/out/soak.md

SOAK_MINUTES ?= 30
SOAK_FLAGS ?=

.PHONY: soak

soak: all
	tests/soak/soak.py --minutes $(SOAK_MINUTES) $(SOAK_FLAGS)
