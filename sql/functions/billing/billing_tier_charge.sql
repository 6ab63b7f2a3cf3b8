-- What p_qty units cost on one metric of a price book version
-- ({"mode": "graduated"|"volume", "tiers": [{"up_to": N|null, "price":
-- "1.50"}, ...]}, checked by billing_book_error()), line by line:
-- {"mode", "quantity", "lines": [{"from", "to", "units", "price",
-- "amount"}], "amount"}. Graduated: each unit at the rate of its tier;
-- volume: every unit at the rate of the tier the quantity reaches. A
-- tier's upper bound is inclusive: 100 units with a break at 100 are all
-- in the first tier. Amounts are rounded to the cent per line.
CREATE OR REPLACE FUNCTION billing_tier_charge(p_metric jsonb, p_qty numeric) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
    mode text := p_metric->>'mode';
    t jsonb;
    prev numeric := 0;
    cap numeric;
    units numeric;
    price numeric;
    amount numeric;
    total numeric := 0;
    lines jsonb := '[]';
BEGIN
    IF p_qty IS NULL OR p_qty < 0 THEN
        RAISE EXCEPTION 'billing_tier_charge: a quantity of 0 or more' USING ERRCODE = '22023';
    END IF;
    FOR t IN SELECT value FROM jsonb_array_elements(p_metric->'tiers') LOOP
        cap := (t->>'up_to')::numeric;  -- NULL: no upper bound
        price := (t->>'price')::numeric;
        IF mode = 'volume' THEN
            IF cap IS NULL OR p_qty <= cap THEN
                IF p_qty > 0 THEN
                    amount := round(p_qty * price, 2);
                    lines := lines || jsonb_build_object('from', prev + 1, 'to', cap, 'units', p_qty,
                                                         'price', price, 'amount', amount);
                    total := amount;
                END IF;
                EXIT;
            END IF;
        ELSE
            units := least(p_qty, coalesce(cap, p_qty)) - prev;
            IF units > 0 THEN
                amount := round(units * price, 2);
                lines := lines || jsonb_build_object('from', prev + 1, 'to', cap, 'units', units,
                                                     'price', price, 'amount', amount);
                total := total + amount;
            END IF;
            EXIT WHEN cap IS NULL OR p_qty <= cap;
        END IF;
        prev := cap;
    END LOOP;
    RETURN jsonb_build_object('mode', mode, 'quantity', p_qty, 'lines', lines, 'amount', total);
END $$;
REVOKE ALL ON FUNCTION billing_tier_charge(jsonb, numeric) FROM PUBLIC;
