-- 0 and the running totals of an array: a[i] + ... + a[j] is
-- s[j + 1] - s[i], without reading the array.
-- needed-by: 037_incident_fortnight.sql
CREATE OR REPLACE FUNCTION prefix_sums(a int[]) RETURNS int[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[0] || ARRAY(SELECT sum(v) OVER (ORDER BY k)::int FROM unnest(a) WITH ORDINALITY AS x(v, k) ORDER BY k)
$$;
