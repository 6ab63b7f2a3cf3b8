-- What is wrong with a price book version as ctl billing price-book reads
-- it (docs/billing.md, "Price books"), or NULL:
-- {"name": "Standard", "from": "2026-11-01", "currency": "EUR",
--  "metering": "max"|"average"|"last", "minimum": "500.00",
--  "metrics": {"tenants"|"agents"|"probes"|"gateways":
--              {"mode": "graduated"|"volume",
--               "tiers": [{"up_to": 100, "price": "2.00"}, {"up_to": null, "price": "1.50"}]}}}
CREATE OR REPLACE FUNCTION billing_book_error(p_doc jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
    k text;
    m jsonb;
    t jsonb;
    i int;
    n int;
    prev numeric;
BEGIN
    IF jsonb_typeof(p_doc) IS DISTINCT FROM 'object' THEN
        RETURN 'A price book is a JSON object.';
    END IF;
    FOR k IN SELECT jsonb_object_keys(p_doc) LOOP
        IF k NOT IN ('name', 'from', 'currency', 'metering', 'minimum', 'metrics') THEN
            RETURN format('Unknown field "%s": a price book has name, from, currency, metering, minimum and metrics.', k);
        END IF;
    END LOOP;
    IF length(btrim(coalesce(p_doc->>'name', ''))) NOT BETWEEN 1 AND 120 THEN
        RETURN 'name: 1 to 120 characters.';
    END IF;
    IF coalesce(p_doc->>'from', '') !~ '^\d{4}-\d{2}-\d{2}$' THEN
        RETURN 'from: the first day the prices apply, as YYYY-MM-DD.';
    END IF;
    BEGIN
        PERFORM (p_doc->>'from')::date;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
        RETURN 'from: the first day the prices apply, as YYYY-MM-DD.';
    END;
    IF coalesce(p_doc->>'currency', '') !~ '^[A-Z]{3}$' THEN
        RETURN 'currency: an ISO 4217 code such as EUR or USD.';
    END IF;
    IF coalesce(p_doc->>'metering', '') NOT IN ('max', 'average', 'last') THEN
        RETURN 'metering: max (the highest daily count of the month), average or last (the last day''s).';
    END IF;
    IF p_doc ? 'minimum' AND coalesce(p_doc->>'minimum', '') !~ '^\d{1,10}(\.\d{1,2})?$' THEN
        RETURN 'minimum: the committed minimum of a month, such as 500.00 (0 or more, at most 2 decimals).';
    END IF;
    IF jsonb_typeof(p_doc->'metrics') IS DISTINCT FROM 'object' OR p_doc->'metrics' = '{}' THEN
        RETURN 'metrics: at least one of tenants, agents, probes, gateways, each with a mode and tiers.';
    END IF;
    FOR k, m IN SELECT key, value FROM jsonb_each(p_doc->'metrics') LOOP
        IF k NOT IN ('tenants', 'agents', 'probes', 'gateways') THEN
            RETURN format('metrics: "%s" is not a metric; the metrics are tenants, agents, probes and gateways.', k);
        END IF;
        IF jsonb_typeof(m) IS DISTINCT FROM 'object' OR coalesce(m->>'mode', '') NOT IN ('graduated', 'volume') THEN
            RETURN format('metrics.%s.mode: graduated (each unit at the rate of its tier) or volume (all units at the rate of the tier reached).', k);
        END IF;
        IF jsonb_typeof(m->'tiers') IS DISTINCT FROM 'array' OR jsonb_array_length(m->'tiers') NOT BETWEEN 1 AND 20 THEN
            RETURN format('metrics.%s.tiers: 1 to 20 tiers.', k);
        END IF;
        n := jsonb_array_length(m->'tiers');
        prev := 0;
        FOR i IN 0 .. n - 1 LOOP
            t := m->'tiers'->i;
            IF jsonb_typeof(t) IS DISTINCT FROM 'object' OR coalesce(t->>'price', '') !~ '^\d{1,10}(\.\d{1,4})?$' THEN
                RETURN format('metrics.%s.tiers[%s].price: a unit price such as 1.50 (0 or more, at most 4 decimals).', k, i);
            END IF;
            IF i = n - 1 THEN
                IF jsonb_typeof(t->'up_to') IS DISTINCT FROM 'null' AND t ? 'up_to' THEN
                    RETURN format('metrics.%s.tiers[%s].up_to: the last tier has no upper bound (null).', k, i);
                END IF;
            ELSIF jsonb_typeof(t->'up_to') IS DISTINCT FROM 'number' OR (t->>'up_to') !~ '^\d{1,9}$'
                  OR (t->>'up_to')::numeric <= prev THEN
                RETURN format('metrics.%s.tiers[%s].up_to: a whole number of units above the tier before (%s).', k, i, prev);
            ELSE
                prev := (t->>'up_to')::numeric;
            END IF;
        END LOOP;
    END LOOP;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION billing_book_error(jsonb) FROM PUBLIC;
