-- How to read rows below tenant t for a viewer of scope sc / ex (app_scope(),
-- app_exact()):
-- 'tenants', with tids the visible tenants at or below t (at most 200);
-- 'root', the tree's index, when t is a root the viewer sees whole; or
-- 'check', the tree's index with each row's tenant checked.
CREATE OR REPLACE FUNCTION read_plan(t tenants, sc bigint[], ex bigint[], OUT how text, OUT tids bigint[])
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF t.kind = 'company' THEN
        -- A leaf (tenants_tree_check()): itself, when the viewer may see it,
        -- without looking for tenants below it (a company's lists, the
        -- ones an analyst drills into, read their plan in a tenth of the time).
        tids := CASE WHEN scope_sees(t.ancestors, t.id, sc, ex) THEN ARRAY[t.id] ELSE '{}' END;
    ELSIF NOT (t.ancestors && sc AND (SELECT s.msps + s.companies FROM tenant_stats s WHERE s.tenant_id = t.id) >= 200) THEN
        tids := ARRAY(SELECT c.id FROM tenants c
                       WHERE c.ancestors @> ARRAY[t.id] AND scope_sees(c.ancestors, c.id, sc, ex) LIMIT 201);
    END IF;
    how := CASE WHEN cardinality(tids) <= 200 THEN 'tenants'
                WHEN t.parent_id IS NULL AND t.ancestors && sc THEN 'root' ELSE 'check' END;
    IF how <> 'tenants' THEN
        tids := NULL;
    END IF;
END $$;
REVOKE ALL ON FUNCTION read_plan(tenants, bigint[], bigint[]) FROM PUBLIC;
