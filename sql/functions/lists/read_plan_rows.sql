-- For a 'root' or 'check' plan, the condition on the rows p_alias of the
-- tree, for a dynamic statement whose parameters are $2 the tree's root,
-- $3 the tenant on screen and $4 / $5 the viewer's scope / exact tenants.
-- requires: scope_sees
CREATE OR REPLACE FUNCTION read_plan_rows(p_how text, p_alias text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format('%1$I.root_id = $2', p_alias)
           || CASE WHEN p_how = 'check' THEN
                  format(' AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = %1$I.tenant_id'
                         ' AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0)', p_alias)
              ELSE '' END
$$;
REVOKE ALL ON FUNCTION read_plan_rows(text, text) FROM PUBLIC;
