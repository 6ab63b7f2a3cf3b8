-- 007_onboarding.sql - an MSSP asks to manage an MSP; the MSP approves or
-- rejects with a reason. Also the bell: per-user notifications.
--
-- Request lifecycle (docs/onboarding.md has the diagram):
--   pending --approve--> approved      (the MSP joins the MSSP's tree)
--   pending --reject---> rejected
--   pending --cancel---> cancelled     (by the MSSP)
--   pending --resend---> superseded    (a new pending request takes over)
--   pending --7 days---> expired       (computed on read and on decision)

CREATE TABLE msp_requests (
    id              bigserial PRIMARY KEY,
    mssp_id         bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    msp_tenant_id   bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id         bigint NOT NULL,
    email           text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled', 'superseded', 'expired')),
    token_hash      text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    expires_at      timestamptz NOT NULL,
    requested_by    bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    decided_at      timestamptz,
    decision_reason text CHECK (decision_reason IS NULL OR length(btrim(decision_reason)) BETWEEN 1 AND 1000),
    CHECK ((status IN ('approved', 'rejected')) = (decision_reason IS NOT NULL))
);
-- At most one pending request per MSP, whoever asks.
CREATE UNIQUE INDEX msp_requests_one_pending ON msp_requests (msp_tenant_id) WHERE status = 'pending';
CREATE INDEX msp_requests_mssp ON msp_requests (mssp_id, created_at DESC);

ALTER TABLE msp_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp_requests FORCE ROW LEVEL SECURITY;
-- Both sides see the request: the MSSP's people and the MSP's people.
CREATE POLICY msp_requests_visible ON msp_requests
    USING (mssp_id IN (SELECT visible_tenant_ids()) OR msp_tenant_id IN (SELECT visible_tenant_ids()));
GRANT SELECT ON msp_requests TO portal_app;

-- The status a person sees: a pending request past its expiry is expired.
CREATE FUNCTION msp_request_status(r msp_requests) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN r.status = 'pending' AND r.expires_at <= now() THEN 'expired' ELSE r.status END
$$;

CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id  bigint REFERENCES tenants(id) ON DELETE CASCADE,
    root_id    bigint,
    kind       text NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL DEFAULT '',
    link       text NOT NULL DEFAULT '/' CHECK (link ~ '^/[^/\\]'),
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_unread ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC);
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
-- Notifications belong to a person, not to a tenant: you see your own.
CREATE POLICY notifications_own ON notifications
    USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, UPDATE (read_at) ON notifications TO portal_app;

-- The people on one side of a request who act on it: the MSSP Admins
-- ('mssp') or the MSP's Owners and Admins ('msp'). Only for a request the
-- caller can see from either side.
CREATE FUNCTION request_people(p_request bigint, p_side text)
RETURNS TABLE (user_id bigint, email text, name text, tenant_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email, u.name, m.tenant_id
      FROM msp_requests q
      JOIN memberships m ON m.tenant_id = CASE p_side WHEN 'mssp' THEN q.mssp_id ELSE q.msp_tenant_id END
      JOIN users u ON u.id = m.user_id
     WHERE q.id = p_request AND u.status = 'active'
       AND m.role = ANY (CASE p_side WHEN 'mssp' THEN ARRAY['mssp_admin'] ELSE ARRAY['owner', 'admin'] END)
       AND (q.mssp_id IN (SELECT visible_tenant_ids()) OR q.msp_tenant_id IN (SELECT visible_tenant_ids()))
     ORDER BY u.id
$$;

-- Ring the bell of those people.
CREATE FUNCTION notify_request(p_request bigint, p_side text, p_kind text, p_title text, p_body text, p_link text)
RETURNS int
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH r AS (
        INSERT INTO notifications (user_id, tenant_id, root_id, kind, title, body, link)
        SELECT p.user_id, p.tenant_id, t.root_id, p_kind, left(p_title, 200), left(p_body, 2000), p_link
          FROM request_people(p_request, p_side) p JOIN tenants t ON t.id = p.tenant_id
        RETURNING 1)
    SELECT count(*)::int FROM r
$$;

-- An MSSP Admin asks to manage the MSP named p_name whose Owner has the
-- address p_email. Returns the outcome and, when created, the request.
--   not_found   no MSP of that name has an Owner with that address
--   associated  the MSP is already managed by an MSSP (this one or another)
--   pending     a pending request for that MSP exists already
--   region      the MSP is in another region than the MSSP
--   created     a new pending request
CREATE FUNCTION msp_request_create(p_mssp bigint, p_email text, p_name text, p_token_hash text, p_days int)
RETURNS TABLE (outcome text, request_id bigint, msp_id bigint, msp_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    mssp tenants%ROWTYPE;
    msp tenants%ROWTYPE;
    rid bigint;
BEGIN
    SELECT * INTO mssp FROM tenants WHERE id = p_mssp AND kind = 'mssp';
    IF NOT FOUND OR effective_role(p_mssp) IS DISTINCT FROM 'mssp_admin' THEN
        RAISE EXCEPTION 'not allowed' USING ERRCODE = '42501';
    END IF;
    SELECT t.* INTO msp FROM tenants t
     WHERE t.kind = 'msp' AND t.status = 'active' AND lower(t.name) = lower(btrim(p_name))
       AND EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE m.tenant_id = t.id AND m.role = 'owner' AND lower(u.email) = lower(btrim(p_email)))
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    IF msp.parent_id IS NOT NULL THEN
        RETURN QUERY SELECT 'associated'::text, NULL::bigint, msp.id, msp.name;
        RETURN;
    END IF;
    IF msp.region <> mssp.region THEN
        RETURN QUERY SELECT 'region'::text, NULL::bigint, msp.id, msp.name;
        RETURN;
    END IF;
    -- A pending request that has run out is expired now, making room.
    UPDATE msp_requests SET status = 'expired'
     WHERE msp_tenant_id = msp.id AND status = 'pending' AND expires_at <= now();
    IF EXISTS (SELECT 1 FROM msp_requests WHERE msp_tenant_id = msp.id AND status = 'pending') THEN
        RETURN QUERY SELECT 'pending'::text, NULL::bigint, msp.id, msp.name;
        RETURN;
    END IF;
    INSERT INTO msp_requests (mssp_id, msp_tenant_id, root_id, email, token_hash, expires_at, requested_by)
    VALUES (p_mssp, msp.id, mssp.root_id, btrim(p_email), p_token_hash, now() + make_interval(days => p_days),
            app_user_id())
    RETURNING id INTO rid;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    VALUES (p_mssp, mssp.root_id, app_user_id(), 'msp.request_created', 'tenant:' || msp.id,
            jsonb_build_object('msp', msp.name, 'email', btrim(p_email), 'request', rid));
    RETURN QUERY SELECT 'created'::text, rid, msp.id, msp.name;
END $$;

-- Cancel (p_new_token NULL) or resend (a new pending request with a new
-- token replaces the old, which becomes superseded) a pending request of
-- the caller's MSSP. Returns the new request id on resend, the old on
-- cancel, NULL when the request was no longer pending.
CREATE FUNCTION msp_request_withdraw(p_mssp bigint, p_request bigint, p_new_token text, p_days int)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r msp_requests%ROWTYPE;
    rid bigint;
BEGIN
    IF effective_role(p_mssp) IS DISTINCT FROM 'mssp_admin' THEN
        RAISE EXCEPTION 'not allowed' USING ERRCODE = '42501';
    END IF;
    UPDATE msp_requests SET status = CASE WHEN p_new_token IS NULL THEN 'cancelled' ELSE 'superseded' END
     WHERE id = p_request AND mssp_id = p_mssp AND status = 'pending' AND expires_at > now()
    RETURNING * INTO r;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF p_new_token IS NULL THEN
        INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
        VALUES (p_mssp, r.root_id, app_user_id(), 'msp.request_cancelled', 'tenant:' || r.msp_tenant_id,
                jsonb_build_object('request', r.id));
        RETURN r.id;
    END IF;
    INSERT INTO msp_requests (mssp_id, msp_tenant_id, root_id, email, token_hash, expires_at, requested_by)
    VALUES (r.mssp_id, r.msp_tenant_id, r.root_id, r.email, p_new_token, now() + make_interval(days => p_days),
            app_user_id())
    RETURNING id INTO rid;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    VALUES (p_mssp, r.root_id, app_user_id(), 'msp.request_resent', 'tenant:' || r.msp_tenant_id,
            jsonb_build_object('request', rid, 'replaces', r.id));
    RETURN rid;
END $$;

-- The request behind an emailed token, for a signed-in person of the MSP.
CREATE FUNCTION msp_request_by_token(p_token_hash text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT q.id FROM msp_requests q
     WHERE q.token_hash = p_token_hash
       AND (q.msp_tenant_id IN (SELECT visible_tenant_ids()) OR q.mssp_id IN (SELECT visible_tenant_ids()))
$$;

-- The MSP decides. Exactly one decision wins: the UPDATE takes the row
-- lock and only a pending, unexpired request matches, so a second decision
-- (another admin, the same form posted twice) finds nothing and gets
-- 'already'. On approval the MSP joins the MSSP's tree in the same
-- transaction (the tree trigger checks region and depth and moves the
-- companies along).
CREATE FUNCTION msp_request_decide(p_request bigint, p_approve boolean, p_reason text)
RETURNS TABLE (outcome text, mssp_id bigint, msp_id bigint, msp_name text, mssp_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r msp_requests%ROWTYPE;
    role text;
BEGIN
    IF p_reason IS NULL OR length(btrim(p_reason)) = 0 THEN
        RAISE EXCEPTION 'a reason is required' USING ERRCODE = 'check_violation';
    END IF;
    SELECT * INTO r FROM msp_requests WHERE id = p_request;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'request not found' USING ERRCODE = 'P0002';
    END IF;
    role := effective_role(r.msp_tenant_id);
    IF role IS NULL OR role NOT IN ('owner', 'admin') THEN
        RAISE EXCEPTION 'not allowed' USING ERRCODE = '42501';
    END IF;
    UPDATE msp_requests SET status = CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END,
                            decided_by = app_user_id(), decided_at = now(), decision_reason = p_reason
     WHERE id = p_request AND status = 'pending' AND expires_at > now()
    RETURNING * INTO r;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'already'::text, NULL::bigint, NULL::bigint, NULL::text, NULL::text;
        RETURN;
    END IF;
    IF p_approve THEN
        UPDATE tenants SET parent_id = r.mssp_id WHERE id = r.msp_tenant_id;
        UPDATE branding SET root_id = r.root_id
         WHERE tenant_id IN (SELECT id FROM tenants WHERE r.msp_tenant_id = ANY (ancestors));
    END IF;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    SELECT t.id, t.root_id, app_user_id(), CASE WHEN p_approve THEN 'msp.request_approved' ELSE 'msp.request_rejected' END,
           'request:' || r.id, jsonb_build_object('reason', p_reason, 'mssp', r.mssp_id)
      FROM tenants t WHERE t.id IN (r.msp_tenant_id, r.mssp_id);
    RETURN QUERY SELECT CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END, r.mssp_id, r.msp_tenant_id,
                        (SELECT name FROM tenants WHERE id = r.msp_tenant_id),
                        (SELECT name FROM tenants WHERE id = r.mssp_id);
END $$;

-- Requests as each side sees them, with names and the effective status.
CREATE FUNCTION msp_requests_list(p_tenant bigint)
RETURNS TABLE (id bigint, mssp_id bigint, mssp_name text, msp_id bigint, msp_name text, email text,
               status text, created_at timestamptz, expires_at timestamptz, decided_at timestamptz,
               decided_by text, reason text, companies bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT q.id, q.mssp_id, s.name, q.msp_tenant_id, m.name, q.email, msp_request_status(q), q.created_at,
           q.expires_at, q.decided_at, d.name, q.decision_reason,
           (SELECT count(*) FROM tenants c WHERE c.parent_id = q.msp_tenant_id AND c.status = 'active')
      FROM msp_requests q JOIN tenants s ON s.id = q.mssp_id JOIN tenants m ON m.id = q.msp_tenant_id
      LEFT JOIN users d ON d.id = q.decided_by
     WHERE (q.mssp_id = p_tenant OR q.msp_tenant_id = p_tenant)
       AND p_tenant IN (SELECT visible_tenant_ids())
     ORDER BY q.created_at DESC, q.id DESC
$$;

REVOKE ALL ON FUNCTION request_people(bigint, text), notify_request(bigint, text, text, text, text, text),
    msp_request_create(bigint, text, text, text, int), msp_request_withdraw(bigint, bigint, text, int),
    msp_request_by_token(text), msp_request_decide(bigint, boolean, text), msp_requests_list(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION request_people(bigint, text), notify_request(bigint, text, text, text, text, text),
    msp_request_create(bigint, text, text, text, int), msp_request_withdraw(bigint, bigint, text, int),
    msp_request_by_token(text), msp_request_decide(bigint, boolean, text), msp_requests_list(bigint),
    msp_request_status(msp_requests) TO portal_app;

-- The session lookup also returns the bell's unread count (one round trip).
DROP FUNCTION auth_session_lookup(text, int);
CREATE FUNCTION auth_session_lookup(p_token_hash text, p_idle int)
RETURNS TABLE (session_id bigint, user_id bigint, email text, name text, unread bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    s sessions%ROWTYPE;
BEGIN
    SELECT * INTO s FROM sessions WHERE token_hash = p_token_hash;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF s.expires_at < now() OR s.last_seen_at < now() - make_interval(secs => p_idle) THEN
        DELETE FROM sessions WHERE id = s.id;
        RETURN;
    END IF;
    IF s.last_seen_at < now() - interval '60 seconds' THEN
        UPDATE sessions SET last_seen_at = now() WHERE id = s.id;
    END IF;
    RETURN QUERY SELECT s.id, u.id, u.email, u.name,
                        (SELECT count(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL)
                   FROM users u WHERE u.id = s.user_id AND u.status = 'active';
END $$;
REVOKE ALL ON FUNCTION auth_session_lookup(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_session_lookup(text, int) TO portal_app;
