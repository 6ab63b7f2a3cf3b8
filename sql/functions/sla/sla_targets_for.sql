
CREATE OR REPLACE FUNCTION sla_targets_for(p_tenants bigint[])
RETURNS TABLE (tenant_id bigint, severity text, ack_minutes int, resolve_minutes int, source_id bigint,
               source_name text)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT t.id, d.severity, coalesce(x.ack_minutes, d.ack), coalesce(x.resolve_minutes, d.res),
           x.tenant_id, x.name
      FROM public.tenants t
      CROSS JOIN (VALUES ('critical', 15, 240), ('high', 60, 1440), ('medium', 240, 4320), ('low', 1440, 10080))
           AS d(severity, ack, res)
      LEFT JOIN LATERAL (
        SELECT s.ack_minutes, s.resolve_minutes, s.tenant_id, a.name
          FROM public.sla_targets s JOIN public.tenants a ON a.id = s.tenant_id
         WHERE s.tenant_id = ANY (t.ancestors) AND s.severity = d.severity
         ORDER BY array_position(t.ancestors, s.tenant_id) DESC LIMIT 1) x ON true
     WHERE t.id = ANY (p_tenants);
END;
REVOKE ALL ON FUNCTION sla_targets_for(bigint[]) FROM PUBLIC;
