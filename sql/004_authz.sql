-- 004_authz.sql - roles per tenant, team management and invitations.

-- Invitations: a single-use link (token stored as SHA-256) to set a
-- password and join a tenant with a role.
CREATE TABLE invitations (
    id          bigserial PRIMARY KEY,
    tenant_id   bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id     bigint NOT NULL,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        text NOT NULL,
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    invited_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz
);
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
GRANT SELECT ON invitations TO portal_app;

GRANT USAGE ON SEQUENCE invitations_id_seq TO portal_app;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   effective_role, team_members, analyst_assignments_of,
--   invitations_visible, team_invite, invitation_lookup, invitation_accept,
--   team_set_status, memberships_keep_owner, memberships_last_owner.
