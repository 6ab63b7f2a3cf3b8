-- A stored statement as the Billing page, its JSON twin and the CSV show
-- it: the document with each amount also as text (billing_money()), each
-- metric's label, each tier's range, and the month's adjustments added
-- to its total.
-- requires: billing_money
CREATE OR REPLACE FUNCTION billing_statement_view(p_account bigint, p_month date) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = public, pg_temp
-- No JIT: the planner prices each jsonb_array_elements() at 100 rows, so a
-- statement of a few lines looks costly, and compiling it took 0.6 s.
SET jit = off AS $$
    WITH s AS (SELECT * FROM billing_statements s WHERE s.account_id = p_account AND s.month = p_month),
    adj AS (SELECT coalesce(jsonb_agg(jsonb_build_object('id', j.id, 'amount', j.amount,
                                                         'amount_text', billing_money(j.amount), 'reason', j.reason,
                                                         'at', to_char(j.created_at, 'YYYY-MM-DD HH24:MI'))
                                      ORDER BY j.id), '[]') AS list,
                   coalesce(sum(j.amount), 0) AS total
              FROM billing_adjustments j WHERE j.account_id = p_account AND j.month = p_month)
    SELECT s.document || jsonb_build_object(
        'computed_at_text', to_char(s.computed_at, 'YYYY-MM-DD HH24:MI'),
        'usage_text', billing_money((s.document->>'usage')::numeric),
        'minimum_text', billing_money((s.document->>'minimum')::numeric),
        'topup_text', billing_money((s.document->>'topup')::numeric),
        'adjustments', adj.list, 'adjustments_total', adj.total,
        'due', (s.document->>'total')::numeric + adj.total,
        'due_text', billing_money((s.document->>'total')::numeric + adj.total),
        'parts', coalesce((
            SELECT jsonb_agg(p || jsonb_build_object(
                'minimum_text', billing_money((p->>'minimum')::numeric),
                'minimum_full_month_text', billing_money((p->>'minimum_full_month')::numeric),
                'usage_text', billing_money((p->>'usage')::numeric),
                'prorated', (p->>'fraction')::numeric < 1,
                'metrics', coalesce((
                    SELECT jsonb_agg(mt || jsonb_build_object(
                        'label', CASE mt->>'metric' WHEN 'tenants' THEN 'Companies' WHEN 'agents' THEN 'Agents'
                                                    WHEN 'probes' THEN 'Probes' ELSE 'Gateways' END,
                        'amount_text', billing_money((mt->>'amount')::numeric),
                        'full_month_text', billing_money((mt->>'full_month')::numeric),
                        'lines', coalesce((
                            SELECT jsonb_agg(l || jsonb_build_object(
                                'range', CASE WHEN jsonb_typeof(l->'to') = 'number'
                                              THEN format('%s–%s', l->>'from', l->>'to')
                                              ELSE format('%s and above', l->>'from') END,
                                'price_text', billing_money((l->>'price')::numeric),
                                'amount_text', billing_money((l->>'amount')::numeric)) ORDER BY lo)
                              FROM jsonb_array_elements(mt->'lines') WITH ORDINALITY AS x(l, lo)), '[]'))
                        ORDER BY mo)
                      FROM jsonb_array_elements(p->'metrics') WITH ORDINALITY AS y(mt, mo)), '[]'))
                ORDER BY po)
              FROM jsonb_array_elements(s.document->'parts') WITH ORDINALITY AS z(p, po)), '[]'))
      FROM s, adj
$$;
REVOKE ALL ON FUNCTION billing_statement_view(bigint, date) FROM PUBLIC;
