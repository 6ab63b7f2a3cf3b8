-- A price book version from the operator (ctl billing price-book FILE):
-- the book is made when its name is new; a version applies from its day
-- until the next version's. A version may not start in a month already
-- closed for an account on the book (a closed month never changes);
-- one saved again for the same day replaces it. Its id; raises 22023
-- with what is wrong (billing_book_error()).
-- requires: billing_book_error
CREATE OR REPLACE FUNCTION billing_book_save(p_doc jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
    err text := billing_book_error(p_doc);
    book bigint;
    closed_to date;
    id bigint;
BEGIN
    IF err IS NOT NULL THEN
        RAISE EXCEPTION '%', err USING ERRCODE = '22023';
    END IF;
    INSERT INTO price_books (name) VALUES (btrim(p_doc->>'name')) ON CONFLICT (name) DO NOTHING;
    SELECT b.id INTO book FROM price_books b WHERE b.name = btrim(p_doc->>'name') FOR UPDATE;
    SELECT max(s.month + interval '1 month' - interval '1 day')::date INTO closed_to
      FROM billing_statements s JOIN billing_accounts a ON a.tenant_id = s.account_id
     WHERE a.book_id = book AND s.closed;
    IF closed_to IS NOT NULL AND (p_doc->>'from')::date <= closed_to THEN
        RAISE EXCEPTION 'from: % is in a month already closed (up to %); prices apply from % at the earliest.',
            p_doc->>'from', closed_to, closed_to + 1 USING ERRCODE = '22023';
    END IF;
    INSERT INTO price_book_versions AS v (book_id, effective_from, currency, metering, minimum, metrics)
    VALUES (book, (p_doc->>'from')::date, p_doc->>'currency', p_doc->>'metering',
            coalesce((p_doc->>'minimum')::numeric, 0), p_doc->'metrics')
    ON CONFLICT (book_id, effective_from) DO UPDATE
       SET currency = excluded.currency, metering = excluded.metering, minimum = excluded.minimum,
           metrics = excluded.metrics, created_at = now()
    RETURNING v.id INTO id;
    -- The cached pages of the accounts on the book lapse (page_cache.c).
    PERFORM stats_touch(ARRAY(SELECT a.tenant_id FROM billing_accounts a WHERE a.book_id = book));
    RETURN id;
END $$;
REVOKE ALL ON FUNCTION billing_book_save(jsonb) FROM PUBLIC;
