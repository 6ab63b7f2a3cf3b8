-- The triggers on billing_breakdown that run billing_frozen(): a closed
-- month's breakdown is never rewritten (it goes only with its statement).
-- requires: billing_frozen
CREATE OR REPLACE TRIGGER billing_breakdown_frozen BEFORE UPDATE OR DELETE ON billing_breakdown
    FOR EACH ROW EXECUTE FUNCTION billing_frozen();
