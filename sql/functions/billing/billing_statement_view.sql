-- A stored statement as the Billing page, its JSON twin and the CSV show
-- it: its decorated document (billing_statement_decorate(), stored when
-- it was computed) with the month's adjustments added to its total.
-- requires: billing_money
CREATE OR REPLACE FUNCTION billing_statement_view(p_account bigint, p_month date) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (
    WITH adj AS (SELECT coalesce(jsonb_agg(jsonb_build_object('id', j.id, 'amount', j.amount,
                                                              'amount_text', billing_money(j.amount), 'reason', j.reason,
                                                              'at', to_char(j.created_at, 'YYYY-MM-DD HH24:MI'))
                                           ORDER BY j.id), '[]') AS list,
                        coalesce(sum(j.amount), 0) AS total
                   FROM billing_adjustments j WHERE j.account_id = p_account AND j.month = p_month)
    SELECT s.view || jsonb_build_object(
        'adjustments', adj.list, 'adjustments_total', adj.total,
        'due', (s.document->>'total')::numeric + adj.total,
        'due_text', billing_money((s.document->>'total')::numeric + adj.total))
      FROM billing_statements s, adj
     WHERE s.account_id = p_account AND s.month = p_month);
END $$;
REVOKE ALL ON FUNCTION billing_statement_view(bigint, date) FROM PUBLIC;
