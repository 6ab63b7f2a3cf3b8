-- The list's severity order: critical first.
-- needed-by: 031_finding_pages.sql
CREATE OR REPLACE FUNCTION severity_weight(text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE $1 WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 END
$$;
