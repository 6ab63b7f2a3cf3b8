-- 046_team_status_answer.sql - the answer of a status change is what the
-- change did (issue 17, finding 4).
--
-- sql/004's team_set_status() returned FOUND after its DELETE of the
-- user's sessions, not after the UPDATE of the user: disabling a user who
-- had no live session changed the account, then answered "nothing
-- changed" (409, no audit row), and the change was committed anyway. Now
-- the result is the UPDATE's: true exactly when the status changed, and
-- the caller writes the audit row in the same transaction.
--
-- And an account belongs to the person, not to one tenant (finding 2):
-- a tenant may disable or re-enable an account only when every tenant the
-- person belongs to is one the caller sees (their own organisation); a
-- person who also belongs elsewhere is refused ('other_tenants': remove
-- them from the team instead; the operator disables accounts with
-- `ctl user-status`). An account the operator disabled stays disabled
-- until the operator enables it (users.disabled_by_operator): no tenant
-- path re-enables it.
ALTER TABLE users ADD COLUMN disabled_by_operator boolean NOT NULL DEFAULT false;

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
           AND NOT EXISTS (SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id
                            WHERE o.tenant_id = m.tenant_id AND o.role = m.role AND o.user_id <> p_user
                              AND u.status = 'active')) THEN
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
