-- What differs between two documents of a section, field by field, for
-- people to read (the plan page's history and overrides, the preview):
-- [{field, before, after}] with the fields' JSON text, or for a list
-- {field, added: [...], removed: [...]} of its entries' JSON text. A
-- missing document (NULL) compares as an empty object.
CREATE OR REPLACE FUNCTION config_diff(p_before jsonb, p_after jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce(jsonb_agg(d ORDER BY d->>'field'), '[]')
      FROM (SELECT CASE
                WHEN jsonb_typeof(b.v) = 'array' AND jsonb_typeof(a.v) = 'array' THEN jsonb_build_object(
                    'field', k.k,
                    'added', (SELECT coalesce(jsonb_agg(x::text), '[]') FROM jsonb_array_elements(a.v) x
                               WHERE NOT b.v @> jsonb_build_array(x)),
                    'removed', (SELECT coalesce(jsonb_agg(x::text), '[]') FROM jsonb_array_elements(b.v) x
                                 WHERE NOT a.v @> jsonb_build_array(x)))
                ELSE jsonb_build_object('field', k.k, 'before', b.v::text, 'after', a.v::text)
            END AS d
              FROM (SELECT jsonb_object_keys(coalesce(p_before, '{}')) UNION
                    SELECT jsonb_object_keys(coalesce(p_after, '{}'))) k(k)
             CROSS JOIN LATERAL (SELECT coalesce(p_before, '{}')->k.k) b(v)
             CROSS JOIN LATERAL (SELECT coalesce(p_after, '{}')->k.k) a(v)
             WHERE b.v IS DISTINCT FROM a.v) x
$$;
GRANT EXECUTE ON FUNCTION config_diff(jsonb, jsonb) TO portal_app;
