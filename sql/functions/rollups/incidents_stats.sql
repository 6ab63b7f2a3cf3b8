-- Open incidents, and open critical ones.
CREATE OR REPLACE FUNCTION incidents_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE d jsonb;
BEGIN
    EXECUTE stats_deltas_sql(TG_OP, 'tenant_id, severity, closed_at', 'closed_at IS NULL', $f$
        'incidents_open', sum(n),
        'incidents_open_critical', coalesce(sum(n) FILTER (WHERE severity = 'critical'), 0)$f$) INTO d;
    PERFORM stats_apply(d) WHERE d IS NOT NULL;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION incidents_stats() FROM PUBLIC;
