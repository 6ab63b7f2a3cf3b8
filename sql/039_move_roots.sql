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

-- Give the rows of those tables below p_subtree (NULL: everywhere) their
-- tenant's root.
CREATE FUNCTION roots_follow(p_subtree bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['audit_log', 'mail_outbox', 'notifications', 'invitations', 'sla_targets',
                               'branding_logos'] LOOP
        EXECUTE format('UPDATE %I x SET root_id = t.root_id FROM tenants t'
                       ' WHERE t.id = x.tenant_id AND ($1 IS NULL OR $1 = ANY (t.ancestors))'
                       '   AND x.root_id IS DISTINCT FROM t.root_id', tbl) USING p_subtree;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION roots_follow(bigint) FROM PUBLIC;

CREATE FUNCTION tenants_move_roots() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        PERFORM roots_follow(NEW.id);   -- (tenants_move, run first, gave the subtree its root)
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tenants_move_roots AFTER UPDATE OF parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_move_roots();

-- The rows of MSPs that joined before this migration.
SELECT roots_follow(NULL);
