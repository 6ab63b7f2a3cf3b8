-- 011_access_fixes.sql - three holes the generated access matrix found.

-- 1. Analyst assignments count only while the person is an MSSP Analyst of
--    that MSSP: removing the membership removes the access (and the rows).
CREATE OR REPLACE FUNCTION visible_tenant_ids() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id FROM memberships m JOIN tenants t ON m.tenant_id = ANY (t.ancestors)
     WHERE m.user_id = app_user_id() AND m.role <> 'mssp_analyst'
    UNION
    SELECT m.tenant_id FROM memberships m
     WHERE m.user_id = app_user_id() AND m.role = 'mssp_analyst'
    UNION
    SELECT t.id FROM analyst_assignments a
      JOIN tenants t ON a.tenant_id = ANY (t.ancestors)
      JOIN memberships m ON m.user_id = a.user_id AND m.tenant_id = t.root_id AND m.role = 'mssp_analyst'
     WHERE a.user_id = app_user_id()
$$;

CREATE FUNCTION memberships_drop_assignments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF OLD.role = 'mssp_analyst' AND (TG_OP = 'DELETE' OR NEW.role <> 'mssp_analyst') THEN
        DELETE FROM analyst_assignments a USING tenants t
         WHERE a.user_id = OLD.user_id AND t.id = a.tenant_id AND t.root_id = OLD.tenant_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_assignments AFTER UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_drop_assignments();
DELETE FROM analyst_assignments a
 WHERE NOT EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON t.id = a.tenant_id
                    WHERE m.user_id = a.user_id AND m.tenant_id = t.root_id AND m.role = 'mssp_analyst');

-- 2. An invitation never changes the access of someone who already has it
--    (a membership on the tenant or above): that would let an inviter
--    demote people they cannot manage, since the nearest membership wins.
CREATE OR REPLACE FUNCTION team_invite(p_tenant bigint, p_email text, p_name text, p_role text, p_token_hash text,
                                       p_days int)
RETURNS TABLE (user_id bigint, is_new boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    u users%ROWTYPE;
    fresh boolean := false;
BEGIN
    IF p_tenant NOT IN (SELECT visible_tenant_ids()) THEN
        RAISE EXCEPTION 'tenant not found' USING ERRCODE = 'P0002';
    END IF;
    SELECT * INTO u FROM users WHERE lower(email) = lower(btrim(p_email));
    IF FOUND AND EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON m.tenant_id = ANY (t.ancestors)
                          WHERE t.id = p_tenant AND m.user_id = u.id) THEN
        RAISE EXCEPTION 'already_member' USING ERRCODE = 'P0001';
    END IF;
    IF NOT FOUND THEN
        INSERT INTO users (email, name, status) VALUES (btrim(p_email), btrim(p_name), 'invited') RETURNING * INTO u;
        fresh := true;
    END IF;
    INSERT INTO memberships (user_id, tenant_id, role) VALUES (u.id, p_tenant, p_role);
    INSERT INTO invitations (tenant_id, root_id, user_id, role, token_hash, invited_by, expires_at)
    SELECT p_tenant, t.root_id, u.id, p_role, p_token_hash, app_user_id(), now() + make_interval(days => p_days)
      FROM tenants t WHERE t.id = p_tenant;
    RETURN QUERY SELECT u.id, fresh;
END $$;
