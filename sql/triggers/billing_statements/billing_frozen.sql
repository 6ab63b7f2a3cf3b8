-- The triggers on billing_statements that run billing_frozen(): a closed
-- month's statement is never rewritten.
-- requires: billing_frozen
CREATE OR REPLACE TRIGGER billing_statements_frozen BEFORE UPDATE ON billing_statements
    FOR EACH ROW EXECUTE FUNCTION billing_frozen();
