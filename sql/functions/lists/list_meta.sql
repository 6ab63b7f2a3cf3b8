-- A page's total and cursors, for the JSON of a list: p_total exact (from
-- the rollups), else p_counted up to 1,000 ("more" beyond); next / prev
-- the cursors of the pages after and before.
CREATE OR REPLACE FUNCTION list_meta(p_ids bigint[], p_has_prev boolean, p_has_next boolean, p_total bigint, p_counted bigint)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'total', coalesce(p_total, least(p_counted, 1000)), 'more', p_total IS NULL AND p_counted > 1000,
        'prev', CASE WHEN p_has_prev AND cardinality(p_ids) > 0 THEN p_ids[1] END,
        'next', CASE WHEN p_has_next AND cardinality(p_ids) > 0 THEN p_ids[cardinality(p_ids)] END))
$$;
