-- A tenant's ten most frequent open CVEs (by count, then name), as
-- sorting all of its cve_open rows would give; inlined into its callers.
CREATE OR REPLACE FUNCTION cve_top(p_tenant bigint) RETURNS TABLE (cve text, open bigint)
LANGUAGE sql STABLE AS $$
    SELECT o.cve, o.open FROM cve_open o
     WHERE o.tenant_id = p_tenant
       AND o.band >= coalesce((SELECT b.band FROM cve_open b WHERE b.tenant_id = p_tenant AND b.band IS NOT NULL
                                ORDER BY b.band DESC OFFSET 9 LIMIT 1), 0)
     ORDER BY o.open DESC, o.cve LIMIT 10
$$;
REVOKE ALL ON FUNCTION cve_top(bigint) FROM PUBLIC;
