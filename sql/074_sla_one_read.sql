-- 074_sla_one_read.sql - the SLA page reads the window's incidents once
-- (docs/performance.md, "Session 39"): sla_report() returns the
-- customers' rows and their compliance per severity (sla/sla_report.sql),
-- which sla_compliance() returned from a second read. Its columns change,
-- so the old one goes with sla_compliance(); the definition file makes it
-- again.
DROP FUNCTION IF EXISTS sla_compliance(bigint, int, int);
DROP FUNCTION IF EXISTS sla_report(bigint, int, int);
