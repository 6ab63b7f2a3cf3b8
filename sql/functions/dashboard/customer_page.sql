-- The customers the viewer may see at or below p_tenant: total, and the
-- ids (all of them in name order up to 200, else page p_page of 50).
-- NULL ids when the viewer may not see the tenant.
CREATE OR REPLACE FUNCTION customer_page(p_tenant bigint, p_page int, OUT ids bigint[], OUT total bigint,
                                         OUT paged boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    skip int := (greatest(p_page, 1) - 1) * 50;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    IF t.ancestors && sc AND t.kind <> 'company' THEN
        -- The whole subtree: the rollup's count, the page from the index.
        total := coalesce((SELECT s.companies FROM tenant_stats s WHERE s.tenant_id = t.id), 0);
        paged := total > 200;
        IF NOT paged THEN
            skip := 0;
        END IF;
        IF t.kind = 'mssp' THEN
            ids := ARRAY(SELECT c.id FROM tenants c
                          WHERE c.root_id = t.id AND c.kind = 'company' AND c.status = 'active'
                          ORDER BY lower(c.name), c.id OFFSET skip LIMIT CASE WHEN paged THEN 50 END);
        ELSE
            ids := ARRAY(SELECT c.id FROM tenants c
                          WHERE c.parent_id = t.id AND c.status = 'active' AND c.kind = 'company'
                          ORDER BY lower(c.name), c.id OFFSET skip LIMIT CASE WHEN paged THEN 50 END);
        END IF;
        RETURN;
    END IF;
    -- All of them in name order (one read), then the page.
    ids := ARRAY(SELECT c.id FROM tenants c
                  WHERE c.ancestors @> ARRAY[t.id] AND c.kind = 'company' AND c.status = 'active'
                    AND scope_sees(c.ancestors, c.id, sc, ex)
                  ORDER BY lower(c.name), c.id);
    total := cardinality(ids);
    paged := total > 200;
    IF paged THEN
        ids := ids[skip + 1 : skip + 50];
    END IF;
END $$;
REVOKE ALL ON FUNCTION customer_page(bigint, int) FROM PUBLIC;
