-- 051_memberships.sql - memberships, not accounts (issue 17, finding 2).
--
-- A tenant's Owners and Admins manage *memberships* in their tenant: what
-- they do there changes nothing the person can do elsewhere.
--
-- * A membership has a status: active or suspended. A suspended membership
--   gives no role anywhere (neither on its tenant nor below it): the role
--   rule (user_access, so role_on_path() and request_context()), the
--   visibility rule (app_scope(), app_exact(), so visible_tenant_ids() and
--   every policy), the header's list (my_memberships()) and the people
--   told of MSP requests (request_people()) read active memberships only.
--   The person keeps their account, their sessions and their other
--   memberships; resuming gives the role back. A status change rewrites
--   the person's user_access row (its trigger), which notifies the
--   workers' context cache (sql/043), so a cached context drops at once.
-- * A tenant keeps at least one active Owner (MSSP Admin): suspending the
--   last one is refused like removing it (memberships_keep_owner()).
-- * The person sees their own memberships (account_memberships()), may
--   leave one (membership_leave(), audited in that tenant), and sees,
--   accepts or declines the invitations addressed to them.
-- * The tenant's Owners and Admins see its pending invitations
--   (team_invitations()), revoke one (the token stops working) or send it
--   again with a new token (the old one dies).
ALTER TABLE memberships
    ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    ADD COLUMN suspended_at timestamptz,
    ADD CONSTRAINT memberships_suspended_at CHECK ((status = 'suspended') = (suspended_at IS NOT NULL));
ALTER TABLE invitations ADD COLUMN sent_at timestamptz;
UPDATE invitations SET sent_at = created_at;
ALTER TABLE invitations ALTER COLUMN sent_at SET NOT NULL, ALTER COLUMN sent_at SET DEFAULT now();

-- ------------------------------------------------------------ the rules
-- sql/026's, over active memberships only.
CREATE OR REPLACE FUNCTION user_access_refresh(p_user bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO user_access (user_id, tenants, roles, assigned, scope)
    SELECT u.id, coalesce(m.tenants, '{}'), coalesce(m.roles, '{}'), coalesce(a.assigned, '{}'),
           coalesce(m.scope, '') || ';' || coalesce(array_to_string(a.assigned, ','), '')
      FROM users u
      CROSS JOIN LATERAL (SELECT array_agg(x.tenant_id ORDER BY x.tenant_id) AS tenants,
                                 array_agg(x.role ORDER BY x.tenant_id) AS roles,
                                 string_agg(x.tenant_id || ':' || x.role, ',' ORDER BY x.tenant_id) AS scope
                            FROM memberships x WHERE x.user_id = u.id AND x.status = 'active') m
      CROSS JOIN LATERAL (SELECT array_agg(y.tenant_id ORDER BY y.tenant_id) AS assigned
                            FROM analyst_assignments y WHERE y.user_id = u.id) a
     WHERE u.id = p_user
    ON CONFLICT (user_id) DO UPDATE
       SET tenants = EXCLUDED.tenants, roles = EXCLUDED.roles, assigned = EXCLUDED.assigned,
           scope = EXCLUDED.scope;
END $$;
REVOKE ALL ON FUNCTION user_access_refresh(bigint) FROM PUBLIC;

-- sql/021's, over active memberships only. An MSSP Analyst whose
-- membership is suspended keeps their assignments (resuming restores
-- them) but they reach nothing meanwhile.
CREATE OR REPLACE FUNCTION app_scope() RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r bigint[];
BEGIN
    SELECT coalesce(array_agg(x), '{}') INTO r FROM (
        SELECT m.tenant_id AS x FROM memberships m
         WHERE m.user_id = app_user_id() AND m.role <> 'mssp_analyst' AND m.status = 'active'
        UNION
        SELECT a.tenant_id FROM analyst_assignments a
          JOIN tenants t ON t.id = a.tenant_id
          JOIN memberships m ON m.user_id = a.user_id AND m.tenant_id = t.root_id AND m.role = 'mssp_analyst'
                            AND m.status = 'active'
         WHERE a.user_id = app_user_id()
        UNION
        SELECT nullif(current_setting('app.api_tenant', true), '')::bigint) s
     WHERE x IS NOT NULL;
    RETURN r;
END $$;

CREATE OR REPLACE FUNCTION app_exact() RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r bigint[];
BEGIN
    SELECT coalesce(array_agg(m.tenant_id), '{}') INTO r FROM memberships m
     WHERE m.user_id = app_user_id() AND m.role = 'mssp_analyst' AND m.status = 'active';
    RETURN r;
END $$;

-- The header's tenants and the home page: where the user has a role.
CREATE OR REPLACE FUNCTION my_memberships()
RETURNS TABLE (tenant_id bigint, tenant_name text, kind text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, t.name, t.kind, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.user_id = app_user_id() AND m.status = 'active'
     ORDER BY array_position(ARRAY['mssp','msp','company'], t.kind), t.name
$$;

-- sql/007's: the people who act on an MSP request, through an active
-- membership.
CREATE OR REPLACE FUNCTION request_people(p_request bigint, p_side text)
RETURNS TABLE (user_id bigint, email text, name text, tenant_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email, u.name, m.tenant_id
      FROM msp_requests q
      JOIN memberships m ON m.tenant_id = CASE p_side WHEN 'mssp' THEN q.mssp_id ELSE q.msp_tenant_id END
      JOIN users u ON u.id = m.user_id
     WHERE q.id = p_request AND u.status = 'active' AND m.status = 'active'
       AND m.role = ANY (CASE p_side WHEN 'mssp' THEN ARRAY['mssp_admin'] ELSE ARRAY['owner', 'admin'] END)
       AND (q.mssp_id IN (SELECT visible_tenant_ids()) OR q.msp_tenant_id IN (SELECT visible_tenant_ids()))
     ORDER BY u.id
$$;

-- sql/004's: a tenant keeps at least one active Owner (MSSP Admin), an
-- active membership of an active account; suspending the last one is
-- refused like removing it or changing its role.
CREATE OR REPLACE FUNCTION memberships_keep_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    top text;
BEGIN
    IF OLD.role NOT IN ('owner', 'mssp_admin') OR OLD.status <> 'active' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.role = OLD.role AND NEW.status = 'active' THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
        RETURN NULL; -- the tenant itself is being deleted
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE m.tenant_id = OLD.tenant_id AND m.role = OLD.role AND m.status = 'active'
                      AND u.status = 'active') THEN
        top := CASE OLD.role WHEN 'owner' THEN 'Owner' ELSE 'MSSP Admin' END;
        RAISE EXCEPTION 'a tenant must keep at least one active %', top
            USING ERRCODE = 'check_violation', CONSTRAINT = 'last_owner';
    END IF;
    RETURN NULL;
END $$;

-- sql/046's, with the Owner rule over active memberships.
CREATE OR REPLACE FUNCTION team_set_status(p_tenant bigint, p_user bigint, p_status text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    changed boolean;
BEGIN
    IF p_tenant NOT IN (SELECT visible_tenant_ids()) OR p_status NOT IN ('active', 'disabled')
       OR NOT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = p_tenant AND user_id = p_user) THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM users WHERE id = p_user AND disabled_by_operator) THEN
        RAISE EXCEPTION 'operator_disabled' USING ERRCODE = 'P0001';
    END IF;
    IF EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = p_user
                AND m.tenant_id NOT IN (SELECT visible_tenant_ids())) THEN
        RAISE EXCEPTION 'other_tenants' USING ERRCODE = 'P0001';
    END IF;
    IF p_status = 'disabled' AND EXISTS (
        SELECT 1 FROM memberships m WHERE m.user_id = p_user AND m.role IN ('owner', 'mssp_admin')
           AND m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id
                            WHERE o.tenant_id = m.tenant_id AND o.role = m.role AND o.user_id <> p_user
                              AND o.status = 'active' AND u.status = 'active')) THEN
        RAISE EXCEPTION 'a tenant must keep at least one active Owner'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'last_owner';
    END IF;
    UPDATE users SET status = p_status WHERE id = p_user AND status NOT IN ('invited', p_status);
    changed := FOUND;
    IF changed AND p_status = 'disabled' THEN
        DELETE FROM sessions WHERE user_id = p_user;
    END IF;
    RETURN changed;
END $$;

-- ------------------------------------------------------------ the team
-- sql/004's, with the membership's status and since when, and whether the
-- account is this tenant's to disable (every membership of the person is
-- on a tenant the caller sees: sql/046's rule; the page offers "Disable
-- account" only then) and whether the operator disabled it.
DROP FUNCTION team_members(bigint);
CREATE FUNCTION team_members(p_tenant bigint)
RETURNS TABLE (user_id bigint, email text, name text, status text, role text, created_at timestamptz,
               membership_status text, account_ours boolean, operator_disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email, u.name, u.status, m.role, m.created_at, m.status,
           NOT EXISTS (SELECT 1 FROM memberships o WHERE o.user_id = u.id
                        AND o.tenant_id NOT IN (SELECT visible_tenant_ids())),
           u.disabled_by_operator
      FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.tenant_id = p_tenant AND p_tenant IN (SELECT visible_tenant_ids())
     ORDER BY array_position(ARRAY['mssp_admin','owner','admin','mssp_analyst','analyst','viewer'], m.role), lower(u.name)
$$;
REVOKE ALL ON FUNCTION team_members(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION team_members(bigint) TO portal_app;

-- The invitations of a tenant (that tenant only, not below) nobody has
-- accepted yet, expired ones included (they may be sent again). The
-- address is the one the tenant typed; nothing else of the person shows.
CREATE FUNCTION team_invitations(p_tenant bigint)
RETURNS TABLE (invitation_id bigint, email text, role text, invited_by text, sent_at timestamptz,
               expires_at timestamptz, expired boolean, total bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.id, u.email, i.role, coalesce(b.name, ''), i.sent_at, i.expires_at, i.expires_at <= now(),
           count(*) OVER ()
      FROM invitations i JOIN users u ON u.id = i.user_id LEFT JOIN users b ON b.id = i.invited_by
     WHERE i.tenant_id = p_tenant AND i.accepted_at IS NULL AND p_tenant IN (SELECT visible_tenant_ids())
     ORDER BY i.sent_at DESC, i.id DESC
$$;

-- Withdraw a tenant's pending invitation: its link stops working at once.
-- An account this invitation made (not yet able to sign in) also loses
-- the membership it was listed with, unless another pending invitation of
-- the tenant is for it. Returns the address and the role (no row: no such
-- pending invitation of that tenant).
CREATE FUNCTION team_invitation_revoke(p_tenant bigint, p_invitation bigint)
RETURNS TABLE (email text, role text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    i invitations%ROWTYPE;
BEGIN
    IF p_tenant NOT IN (SELECT visible_tenant_ids()) THEN
        RETURN;
    END IF;
    DELETE FROM invitations x WHERE x.id = p_invitation AND x.tenant_id = p_tenant AND x.accepted_at IS NULL
    RETURNING * INTO i;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    DELETE FROM memberships m USING users u
     WHERE m.user_id = i.user_id AND m.tenant_id = p_tenant AND u.id = m.user_id AND u.status = 'invited'
       AND NOT EXISTS (SELECT 1 FROM invitations x WHERE x.user_id = i.user_id AND x.tenant_id = p_tenant
                          AND x.accepted_at IS NULL);
    RETURN QUERY SELECT u.email, i.role FROM users u WHERE u.id = i.user_id;
END $$;

-- Send a tenant's pending invitation again: a new token (the old link dies)
-- and a new expiry. Returns what the mail needs (no row: no such pending
-- invitation of that tenant).
CREATE FUNCTION team_invitation_renew(p_tenant bigint, p_invitation bigint, p_token_hash text, p_days int)
RETURNS TABLE (email text, name text, role text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_tenant NOT IN (SELECT visible_tenant_ids()) THEN
        RETURN;
    END IF;
    RETURN QUERY
    UPDATE invitations i SET token_hash = p_token_hash, sent_at = now(),
                             expires_at = now() + make_interval(days => p_days)
      FROM users u
     WHERE i.id = p_invitation AND i.tenant_id = p_tenant AND i.accepted_at IS NULL AND u.id = i.user_id
    RETURNING u.email, u.name, i.role;
END $$;

-- ------------------------------------------------------------ the person
-- The signed-in user's own memberships, suspended ones and those on
-- archived tenants included (they may leave them), with whether they are
-- the last active Owner (MSSP Admin) there, who cannot leave.
CREATE FUNCTION account_memberships()
RETURNS TABLE (tenant_id bigint, tenant_name text, kind text, tenant_active boolean, role text, status text,
               since timestamptz, last_owner boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, t.name, t.kind, t.status = 'active', m.role, m.status, m.created_at,
           m.role IN ('owner', 'mssp_admin') AND m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id
                            WHERE o.tenant_id = m.tenant_id AND o.role = m.role AND o.user_id <> m.user_id
                              AND o.status = 'active' AND u.status = 'active')
      FROM memberships m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.user_id = app_user_id()
     ORDER BY array_position(ARRAY['mssp','msp','company'], t.kind), lower(t.name), t.id
$$;

-- Leave one of one's own memberships, with its audit row in that tenant
-- (the caller may no longer see the tenant afterwards, or did not while
-- suspended, so the row is written here). The last active Owner is
-- refused by memberships_keep_owner() (check_violation). Returns the
-- tenant's name; NULL when the user has no membership there.
CREATE FUNCTION membership_leave(p_tenant bigint, p_ip text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m memberships%ROWTYPE;
    t tenants%ROWTYPE;
BEGIN
    DELETE FROM memberships x WHERE x.user_id = app_user_id() AND x.tenant_id = p_tenant RETURNING * INTO m;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, ip, details)
    VALUES (t.id, t.root_id, m.user_id, 'team.left', 'user:' || m.user_id, left(p_ip, 64),
            jsonb_build_object('role', m.role, 'status', m.status));
    RETURN t.name;
END $$;

-- The invitations addressed to the signed-in user that they may still
-- accept (no address: it is theirs).
CREATE FUNCTION account_invitations()
RETURNS TABLE (invitation_id bigint, tenant_name text, kind text, role text, invited_by text, sent_at timestamptz,
               expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.id, t.name, t.kind, i.role, coalesce(b.name, ''), i.sent_at, i.expires_at
      FROM invitations i JOIN tenants t ON t.id = i.tenant_id AND t.status = 'active'
      LEFT JOIN users b ON b.id = i.invited_by
     WHERE i.user_id = app_user_id() AND i.accepted_at IS NULL AND i.expires_at > now()
     ORDER BY i.sent_at DESC, i.id DESC
$$;

-- Accept (p_accept) or decline one of them, signed in: the same effect as
-- accepting through the emailed link (sql/049: never changes access the
-- person already has on the tenant or above), or the invitation is gone.
-- Audited in the inviting tenant. Returns the tenant's id; NULL when there
-- is no such invitation of the user's.
CREATE FUNCTION account_invitation_answer(p_invitation bigint, p_accept boolean, p_ip text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    i invitations%ROWTYPE;
BEGIN
    SELECT * INTO i FROM invitations x
     WHERE x.id = p_invitation AND x.user_id = app_user_id() AND x.accepted_at IS NULL AND x.expires_at > now()
       AND EXISTS (SELECT 1 FROM users u WHERE u.id = x.user_id AND u.status = 'active')
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF p_accept THEN
        UPDATE invitations SET accepted_at = now() WHERE id = i.id;
        IF NOT EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON m.tenant_id = ANY (t.ancestors)
                        WHERE t.id = i.tenant_id AND m.user_id = i.user_id) THEN
            INSERT INTO memberships (user_id, tenant_id, role) VALUES (i.user_id, i.tenant_id, i.role);
        END IF;
    ELSE
        DELETE FROM invitations WHERE id = i.id;
    END IF;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, ip, details)
    VALUES (i.tenant_id, i.root_id, i.user_id, CASE WHEN p_accept THEN 'team.invite_accepted'
                                                    ELSE 'team.invite_declined' END,
            'user:' || i.user_id, left(p_ip, 64), jsonb_build_object('role', i.role));
    RETURN i.tenant_id;
END $$;

REVOKE ALL ON FUNCTION team_invitations(bigint), team_invitation_revoke(bigint, bigint),
    team_invitation_renew(bigint, bigint, text, int), account_memberships(), membership_leave(bigint, text),
    account_invitations(), account_invitation_answer(bigint, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION team_invitations(bigint), team_invitation_revoke(bigint, bigint),
    team_invitation_renew(bigint, bigint, text, int), account_memberships(), membership_leave(bigint, text),
    account_invitations(), account_invitation_answer(bigint, boolean, text) TO portal_app;
