-- Changes the rollup counters do not carry bump tenant_stats.version too
-- (stats_touch), so a cached dashboard is never served after them:
-- findings written to the series only (one already fixed when reported),
-- a tenant renamed or moved (the tables and breadcrumbs show names), a
-- request to an MSP created or decided.
CREATE OR REPLACE FUNCTION vulnerabilities_touch() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM stats_touch(ARRAY(SELECT DISTINCT tenant_id FROM old_rows ORDER BY 1));
    ELSE
        PERFORM stats_touch(ARRAY(SELECT DISTINCT tenant_id FROM new_rows ORDER BY 1));
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION vulnerabilities_touch() FROM PUBLIC;
