-- Open vulnerabilities by severity: a fixed one no longer counts.
CREATE OR REPLACE FUNCTION vulnerabilities_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE d jsonb;
BEGIN
    EXECUTE stats_deltas_sql(TG_OP, 'tenant_id, severity, fixed_at', 'fixed_at IS NULL', $f$
        'vuln_critical', coalesce(sum(n) FILTER (WHERE severity = 'critical'), 0),
        'vuln_high', coalesce(sum(n) FILTER (WHERE severity = 'high'), 0),
        'vuln_medium', coalesce(sum(n) FILTER (WHERE severity = 'medium'), 0),
        'vuln_low', coalesce(sum(n) FILTER (WHERE severity = 'low'), 0)$f$) INTO d;
    PERFORM stats_apply(d) WHERE d IS NOT NULL;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION vulnerabilities_stats() FROM PUBLIC;
