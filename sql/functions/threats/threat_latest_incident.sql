-- requires: app_scope, app_exact, scope_sees
-- Where the threats page drills down to (cgi/pages/threats.c): the latest
-- incident with p_indicator at the customer p_tenant, when the viewer may
-- see that customer; NULL otherwise (or when it has none). The customer's
-- latest opening with the indicator is kept in indicator_customers; the
-- incident is looked up at that opening through the incidents_indicator
-- index, not among the customer's history. Read when someone follows the
-- link, not for each link of the page: an indicator and opening shared by
-- many incidents (a seeded tree has 220 at one instant) made 100 probes
-- cost 30 ms of the page's 40.
CREATE OR REPLACE FUNCTION threat_latest_incident(p_tenant bigint, p_indicator text) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t tenants%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, app_scope(), app_exact()) THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT i.id
              FROM indicator_customers x
              JOIN incidents i ON i.indicator = x.indicator AND i.opened_at = x.last_at AND i.tenant_id = x.tenant_id
             WHERE x.root_id = t.root_id AND x.indicator = p_indicator AND x.tenant_id = t.id
             ORDER BY i.id DESC LIMIT 1);
END $$;
REVOKE ALL ON FUNCTION threat_latest_incident(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION threat_latest_incident(bigint, text) TO portal_app;
