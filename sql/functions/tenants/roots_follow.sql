-- Give the rows of those tables below p_subtree (NULL: everywhere) their
-- tenant's root.
CREATE OR REPLACE FUNCTION roots_follow(p_subtree bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['audit_log', 'mail_outbox', 'notifications', 'invitations', 'sla_targets',
                               'branding_logos', 'plans', 'plan_sections', 'plan_shares', 'config_overrides',
                               'config_history'] LOOP
        EXECUTE format('UPDATE %I x SET root_id = t.root_id FROM tenants t'
                       ' WHERE t.id = x.tenant_id AND ($1 IS NULL OR $1 = ANY (t.ancestors))'
                       '   AND x.root_id IS DISTINCT FROM t.root_id', tbl) USING p_subtree;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION roots_follow(bigint) FROM PUBLIC;
