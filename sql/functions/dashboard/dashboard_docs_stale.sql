-- requires: dashboard_doc_lapsed, dashboard_lag
-- The kept dashboards (dashboard_docs, sql/068) that an ingest batch
-- through an API key of tenant p_tenant may have made stale: those of the
-- key's tenant and its ancestors, and of its MSPs when it is an MSSP, that
-- lapsed (dashboard_doc_lapsed()) or are behind their tenant's version. An ingest
-- transaction does not build them at its commit (ingest_assets() and its
-- siblings set portal.docs_later, which dashboard_doc_keep() reads): the
-- build would hold the tree's rollup rows locked while it runs, so the
-- batches into one tree would wait for each other's dashboards. The API
-- worker, once it has answered the batch (dashboard_docs_refresh() in
-- cgi/pages/dashboard.c), rebuilds each with dashboard_doc_refresh(), one
-- transaction each; until then the page computes what it shows, as for
-- any stale row, or with a lag serves the row behind (dashboard_page()).
-- With a lag, a row behind but built in the last half of it is left to a
-- later batch: under a live feed each is rebuilt about twice a lag, not
-- after every batch (about 7 ms a batch for Northwind's at size L), and
-- still served; if no batch comes, the first view once it is older than
-- the lag rebuilds it (dashboard_page()'s "stale").
CREATE OR REPLACE FUNCTION dashboard_docs_stale(p_tenant bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    -- The tenants by their index (ancestors: the key's row; MSPs: its
    -- children), then their rows by key: never a scan of tenant_stats,
    -- 30 MB at size L and read at every batch.
    SELECT s.tenant_id
      FROM tenants k
     CROSS JOIN LATERAL (SELECT a.id FROM unnest(k.ancestors) a(id)
                         UNION
                         SELECT c.id FROM tenants c WHERE c.parent_id = k.id AND c.kind <> 'company') m
      JOIN tenant_stats s ON s.tenant_id = m.id
      LEFT JOIN dashboard_docs d ON d.tenant_id = s.tenant_id
     WHERE k.id = p_tenant AND NOT s.is_company
       AND (dashboard_doc_lapsed(d)
            OR d.version <> s.version
               AND NOT (dashboard_lag() > 0 AND d.built_at > now() - make_interval(secs => dashboard_lag()) / 2))
     ORDER BY s.tenant_id
$$;
REVOKE ALL ON FUNCTION dashboard_docs_stale(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dashboard_docs_stale(bigint) TO portal_app;
