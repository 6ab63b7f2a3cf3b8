-- 055_audit_target.sql - an incident's page shows who acknowledged and
-- resolved it, from the audit rows of that incident (incident_detail()):
-- they are found by their target, not by a scan of the log.
CREATE INDEX audit_log_target ON audit_log (target, at) WHERE target IS NOT NULL;
