-- 011_access_fixes.sql - three holes the generated access matrix found.

DELETE FROM analyst_assignments a
 WHERE NOT EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON t.id = a.tenant_id
                    WHERE m.user_id = a.user_id AND m.tenant_id = t.root_id AND m.role = 'mssp_analyst');

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   visible_tenant_ids, memberships_drop_assignments,
--   memberships_assignments, team_invite.
