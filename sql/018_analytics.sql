-- 018_analytics.sql - remediation velocity reads the findings fixed inside
-- its window through this index, not the history.
CREATE INDEX vulnerabilities_fixed_at ON vulnerabilities (fixed_at) WHERE fixed_at IS NOT NULL;
