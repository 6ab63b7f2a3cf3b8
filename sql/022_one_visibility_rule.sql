-- 022_one_visibility_rule.sql - visible_tenant_ids() (the set the policies
-- of the raw tables use) computed from the same scope as the tenants
-- policy and the dashboard reads (sql/021: app_scope(), app_exact(),
-- scope_sees()), instead of restating the membership, analyst and API-key
-- rules a second time: one definition of who sees what.

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   visible_tenant_ids.
