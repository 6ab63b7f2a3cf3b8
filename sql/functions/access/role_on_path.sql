-- The role of a user on a tenant (NULL: none, the tenant is not theirs),
-- from the tenant's path (ancestors: root first, the tenant last) and the
-- user's memberships and assignments: the nearest membership on the path
-- other than MSSP Analyst, else MSSP Analyst on the root for the root
-- itself or a tenant at or below an assigned one. (tenant_role() applies it to
-- the user's user_access row.)
CREATE OR REPLACE FUNCTION role_on_path(p_ancestors bigint[], p_tenants bigint[], p_roles text[], p_assigned bigint[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    i int;
    pos int;
    best int := 0;
    r text;
    analyst boolean := false;
BEGIN
    FOR i IN 1 .. coalesce(cardinality(p_tenants), 0) LOOP
        IF p_roles[i] = 'mssp_analyst' THEN
            analyst := analyst OR p_tenants[i] = p_ancestors[1];
        ELSE
            pos := array_position(p_ancestors, p_tenants[i]);
            IF pos > best THEN
                best := pos;
                r := p_roles[i];
            END IF;
        END IF;
    END LOOP;
    IF r IS NULL AND analyst AND (cardinality(p_ancestors) = 1 OR p_ancestors && p_assigned) THEN
        r := 'mssp_analyst';
    END IF;
    RETURN r;
END $$;
