-- The statement's rows as signed deltas, for EXECUTE in a statement-level
-- trigger that names its transition tables new_rows and old_rows: p_cols
-- (a select list, a constant of the caller's) of each new row with n = 1
-- and of each old row with n = -1.
CREATE OR REPLACE FUNCTION delta_rows(p_op text, p_cols text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE p_op
        WHEN 'INSERT' THEN format('SELECT %s, 1 AS n FROM new_rows', p_cols)
        WHEN 'DELETE' THEN format('SELECT %s, -1 AS n FROM old_rows', p_cols)
        ELSE format('SELECT %1$s, 1 AS n FROM new_rows UNION ALL SELECT %1$s, -1 AS n FROM old_rows', p_cols) END
$$;
REVOKE ALL ON FUNCTION delta_rows(text, text) FROM PUBLIC;
