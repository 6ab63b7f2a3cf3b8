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

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   user_access_refresh, app_scope, app_exact, my_memberships,
--   request_people, memberships_keep_owner, team_set_status, team_members,
--   team_invitations, team_invitation_revoke, team_invitation_renew,
--   account_memberships, membership_leave, account_invitations,
--   account_invitation_answer.
