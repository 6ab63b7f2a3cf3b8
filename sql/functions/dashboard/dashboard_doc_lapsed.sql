-- Whether a kept dashboard row (dashboard_docs, sql/068) has lapsed
-- whatever its version: there is none, its hour is not this hour, or a
-- pending request it shows has expired (valid_until). The one rule of
-- dashboard_page() (which serves a row that has not lapsed and is of the
-- tenant's version, and asks for a rebuild of one that lapsed),
-- dashboard_doc_build() (which skips a row that has not lapsed and is of
-- the version) and dashboard_docs_stale().
CREATE OR REPLACE FUNCTION dashboard_doc_lapsed(d dashboard_docs) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT d.tenant_id IS NULL OR d.hour <> date_trunc('hour', now(), 'UTC')
           OR coalesce(d.valid_until <= now(), false)
$$;
REVOKE ALL ON FUNCTION dashboard_doc_lapsed(dashboard_docs) FROM PUBLIC;
