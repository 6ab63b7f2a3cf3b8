-- The one tenant at the top of what a viewer with scope sc and exact
-- tenants ex sees (tenant_picks(), tenant_pick_counts()): a tenant of sc,
-- active, with every other tenant of sc below it, when ex is empty. NULL
-- for anyone else: several tops, or an MSSP Analyst's exact tenants.
-- (PL/pgSQL, not SQL: a SQL function its callers cannot inline is planned
-- again at every call, 0.5 ms.)
CREATE OR REPLACE FUNCTION tenant_pick_top(sc bigint[], ex bigint[]) RETURNS tenants
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t tenants%ROWTYPE;
BEGIN
    IF cardinality(ex) > 0 THEN
        RETURN NULL;
    END IF;
    SELECT x.* INTO t FROM tenants x
     WHERE x.id = ANY (sc) AND x.status = 'active'
       AND NOT EXISTS (SELECT 1 FROM tenants u WHERE u.id = ANY (sc) AND NOT x.id = ANY (u.ancestors));
    RETURN t;
END $$;
REVOKE ALL ON FUNCTION tenant_pick_top(bigint[], bigint[]) FROM PUBLIC;
