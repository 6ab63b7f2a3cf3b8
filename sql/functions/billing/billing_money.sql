-- An amount as a statement shows it: thousands grouped, two decimals
-- ("12,345.60"); a unit price keeps up to four ("0.0125"), at least two.
CREATE OR REPLACE FUNCTION billing_money(p numeric) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN p IS NULL THEN NULL
                WHEN p = round(p, 2) THEN to_char(p, 'FM999,999,999,999,990.00')
                ELSE rtrim(to_char(p, 'FM999,999,999,999,990.0000'), '0') END
$$;
REVOKE ALL ON FUNCTION billing_money(numeric) FROM PUBLIC;
