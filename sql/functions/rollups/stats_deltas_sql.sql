-- The statement that sums the deltas per tenant into stats_apply()'s
-- argument: p_fields (jsonb_build_object() pairs over the delta rows r,
-- after 'tenant_id') of the rows delta_rows(p_op, p_cols) that meet
-- p_where. All three are constants of the calling trigger.
-- requires: delta_rows
CREATE OR REPLACE FUNCTION stats_deltas_sql(p_op text, p_cols text, p_where text, p_fields text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format('SELECT jsonb_agg(g) FROM (SELECT jsonb_build_object(''tenant_id'', tenant_id, %s) AS g'
                  ' FROM (%s) r WHERE %s GROUP BY tenant_id) x', p_fields, delta_rows(p_op, p_cols), p_where)
$$;
REVOKE ALL ON FUNCTION stats_deltas_sql(text, text, text, text) FROM PUBLIC;
