-- A closed month never changes (docs/billing.md, "Freezing"): its
-- statement and breakdown refuse to be rewritten, even by the owner. An
-- adjustment is a line of its own (billing_adjust()). Rows go only with
-- their account.
CREATE OR REPLACE FUNCTION billing_frozen() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'billing_statements' THEN
        -- Its view may be made again (billing_statement_decorate(): how it
        -- is shown), never what it says.
        IF OLD.closed AND (NEW.account_id, NEW.month, NEW.closed, NEW.document, NEW.computed_at)
                          IS DISTINCT FROM (OLD.account_id, OLD.month, OLD.closed, OLD.document, OLD.computed_at) THEN
            RAISE EXCEPTION 'The statement of % for % is closed: add an adjustment instead.', OLD.account_id,
                OLD.month USING ERRCODE = '55000';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM billing_statements s
                    WHERE s.account_id = OLD.account_id AND s.month = OLD.month AND s.closed) THEN
        RAISE EXCEPTION 'The statement of % for % is closed: add an adjustment instead.', OLD.account_id, OLD.month
            USING ERRCODE = '55000';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
REVOKE ALL ON FUNCTION billing_frozen() FROM PUBLIC;
