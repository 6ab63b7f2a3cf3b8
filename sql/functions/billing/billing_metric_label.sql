-- A billing metric's name as people read it.
CREATE OR REPLACE FUNCTION billing_metric_label(p_metric text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT CASE p_metric WHEN 'tenants' THEN 'Companies' WHEN 'agents' THEN 'Agents' WHEN 'probes' THEN 'Probes'
                         WHEN 'gateways' THEN 'Gateways' END
$$;
REVOKE ALL ON FUNCTION billing_metric_label(text) FROM PUBLIC;
