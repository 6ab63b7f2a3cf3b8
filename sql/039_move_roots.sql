-- 039_move_roots.sql - every row that keeps its tenant's root follows a
-- move.
--
-- The only move is an MSP joining an MSSP (sql/013: a tenant leaves no
-- parent). tenants_move_stats() then gives the subtree's inventory,
-- incidents, API keys and rollups their new root, and the approval its
-- branding (sql/007). The other tables that keep a root_id beside their
-- tenant_id kept the MSP's own: the audit log, the mail outbox,
-- notifications, invitations, SLA targets and branding logos. Nothing
-- reads them by root today (their policies and readers go by tenant), but
-- a column that says the wrong root is a trap for the next reader.

-- The rows of MSPs that joined before this migration.
-- A backfill: nothing to do on an empty database, where the function it
-- calls is defined later (sql/functions, after every migration).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM tenants) THEN
        PERFORM roots_follow(NULL);
    END IF;
END $$;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   roots_follow, tenants_move_roots.
