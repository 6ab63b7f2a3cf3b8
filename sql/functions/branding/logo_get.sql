-- A logo for serving, before anyone signs in: only by id and the start of
-- its hash (the versioned URL), so ids cannot be walked without the hash.
CREATE OR REPLACE FUNCTION logo_get(p_id bigint, p_sha12 text)
RETURNS TABLE (content_type text, bytes bytea, sha256 text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT l.content_type, l.bytes, l.sha256 FROM branding_logos l
     WHERE l.id = p_id AND left(l.sha256, 12) = p_sha12 AND length(p_sha12) = 12
$$;
REVOKE ALL ON FUNCTION logo_get(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION logo_get(bigint, text) TO portal_app;
GRANT EXECUTE ON FUNCTION logo_get(bigint, text) TO portal_reporter;
