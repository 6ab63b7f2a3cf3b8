-- What stops a save of a section's document (plan_section_save(),
-- config_override_save()), given the editor's base version and what is
-- stored now (cur_*: NULL when nothing is): 'conflict' (the stored
-- version, document, by and at: somebody changed it since p_base), or
-- 'unchanged' (p_doc is what is stored); no row: the save goes on. The
-- same columns as the savers' answer.
CREATE OR REPLACE FUNCTION config_save_gate(p_base bigint, p_doc jsonb, cur_version bigint, cur_doc jsonb,
                                            cur_by bigint, cur_at timestamptz)
RETURNS TABLE (outcome text, version bigint, doc jsonb, by text, at timestamptz, message text)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT 'conflict', cur_version, cur_doc, (SELECT u.name FROM users u WHERE u.id = cur_by), cur_at, NULL::text
     WHERE p_base IS DISTINCT FROM cur_version
    UNION ALL
    SELECT 'unchanged', cur_version, cur_doc, NULL::text, cur_at, NULL::text
     WHERE p_base IS NOT DISTINCT FROM cur_version AND cur_doc = p_doc
$$;
REVOKE ALL ON FUNCTION config_save_gate(bigint, jsonb, bigint, jsonb, bigint, timestamptz) FROM PUBLIC;
