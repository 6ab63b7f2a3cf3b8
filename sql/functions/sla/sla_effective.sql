-- The effective targets of a tenant per severity, with where each comes from.
-- requires: sla_targets_for, tenant_visible
CREATE OR REPLACE FUNCTION sla_effective(p_tenant bigint)
RETURNS TABLE (severity text, ack_minutes int, resolve_minutes int, source_id bigint, source_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT e.severity, e.ack_minutes, e.resolve_minutes, e.source_id, e.source_name
      FROM sla_targets_for(ARRAY[p_tenant]) e
     WHERE (SELECT tenant_visible(p_tenant))
     ORDER BY array_position(ARRAY['critical','high','medium','low'], e.severity)
$$;
REVOKE ALL ON FUNCTION sla_effective(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sla_effective(bigint) TO portal_app;
