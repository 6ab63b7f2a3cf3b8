-- Assets by kind.
CREATE OR REPLACE FUNCTION assets_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE d jsonb;
BEGIN
    EXECUTE stats_deltas_sql(TG_OP, 'tenant_id, kind', 'true', $f$
        'probes', coalesce(sum(n) FILTER (WHERE kind = 'probe'), 0),
        'agents', coalesce(sum(n) FILTER (WHERE kind = 'agent'), 0),
        'gateways', coalesce(sum(n) FILTER (WHERE kind = 'gateway'), 0),
        'discovered', coalesce(sum(n) FILTER (WHERE kind = 'discovered'), 0),
        'external', coalesce(sum(n) FILTER (WHERE kind = 'external'), 0)$f$) INTO d;
    PERFORM stats_apply(d) WHERE d IS NOT NULL;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION assets_stats() FROM PUBLIC;
