-- Computes an account's statement of the month starting p_month from its
-- daily snapshots and price book (docs/billing.md, "The statement") and
-- stores it with its breakdown; p_close freezes it. A closed statement is
-- never computed again: its document is returned as it was.
--
-- The month is cut where a price book version starts: each part is priced
-- by its version, on the quantities of its own days (the metering rule:
-- the highest daily count, the average rounded up, or the last day's),
-- and charged for its share of the month's days (the days before the
-- account's first billed day, and after its last when it has ended, are
-- not charged). The committed minimum is
-- shared out the same way; when the usage is below it, a top-up line
-- makes up the difference. An open month is charged as if today's
-- quantities and prices held to its end. Each tenant's share of a
-- metric's charge is its share of the unit-days of that part.
-- requires: billing_tier_charge, billing_statement_decorate
CREATE OR REPLACE FUNCTION billing_statement_compute(p_account bigint, p_month date, p_close boolean) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp
-- No JIT: the planner prices each jsonb_array_elements() at 100 rows, so a
-- statement of a few lines looks costly, and compiling it took 0.6 s.
SET jit = off AS $$
DECLARE
    a billing_accounts;
    acct tenants;
    st billing_statements;
    m_start date := date_trunc('month', p_month)::date;
    m_end date := (date_trunc('month', p_month) + interval '1 month' - interval '1 day')::date;
    month_days int;
    today date;
    first_day date;
    last_day date;
    seg record;
    met text;
    metrics text[] := ARRAY['tenants', 'agents', 'probes', 'gateways'];
    q numeric;
    how text;
    qday date;
    charge jsonb;
    amount numeric;
    seg_amount numeric;
    seg_min numeric;
    frac numeric;
    segs jsonb := '[]';
    alloc jsonb := '[]';
    mlines jsonb;
    seg_alloc jsonb;
    usage numeric := 0;
    minimum numeric := 0;
    topup numeric;
    currency text;
    metering text;
    ndays int;
    doc jsonb;
BEGIN
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_account;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO st FROM billing_statements s WHERE s.account_id = p_account AND s.month = m_start FOR UPDATE;
    IF FOUND AND st.closed THEN
        RETURN st.document;
    END IF;
    SELECT * INTO acct FROM tenants WHERE id = p_account;
    today := (now() AT TIME ZONE a.time_zone)::date;
    month_days := m_end - m_start + 1;
    first_day := greatest(m_start, a.starts_on);
    last_day := least(m_end, today, a.ends_on); -- least() passes over a NULL
    IF p_close AND today <= least(m_end, a.ends_on) THEN
        RAISE EXCEPTION 'The month of % has not ended in %.', m_start, a.time_zone USING ERRCODE = '22023';
    END IF;
    -- The parts: each version in effect in the month (one starting after
    -- today is not in effect yet).
    FOR seg IN
        WITH v AS (
            SELECT v.*, lead(v.effective_from) OVER (ORDER BY v.effective_from) AS next_from
              FROM price_book_versions v
             WHERE v.book_id = a.book_id AND v.effective_from <= least(m_end, greatest(today, m_start), a.ends_on))
        SELECT v.*, greatest(v.effective_from, first_day) AS s_from,
               least(coalesce(v.next_from - 1, m_end), m_end, a.ends_on) AS s_to
          FROM v
         WHERE coalesce(v.next_from - 1, m_end) >= first_day AND first_day <= least(m_end, a.ends_on)
         ORDER BY v.effective_from
    LOOP
        currency := seg.currency;
        metering := seg.metering;
        frac := round((seg.s_to - seg.s_from + 1)::numeric / month_days, 6);
        SELECT count(*) INTO ndays FROM billing_days b
         WHERE b.account_id = p_account AND b.day BETWEEN seg.s_from AND least(seg.s_to, last_day);
        mlines := '[]';
        seg_alloc := jsonb_build_object('s_from', seg.s_from, 's_to', least(seg.s_to, last_day));
        seg_amount := 0;
        FOREACH met IN ARRAY metrics LOOP
            CONTINUE WHEN NOT seg.metrics ? met;
            -- The quantity by the metering rule, and the day it comes from.
            EXECUTE format($q$
                SELECT %1$s, %2$s FROM (
                  SELECT b.%3$I AS n, b.day FROM billing_days b
                   WHERE b.account_id = $1 AND b.day BETWEEN $2 AND $3) x$q$,
                CASE seg.metering WHEN 'max' THEN 'coalesce(max(n), 0)'
                                  WHEN 'average' THEN 'coalesce(ceil(avg(n)), 0)'
                                  ELSE 'coalesce((array_agg(n ORDER BY day DESC))[1], 0)' END,
                CASE seg.metering WHEN 'max' THEN '(array_agg(day ORDER BY n DESC, day))[1]'
                                  WHEN 'average' THEN 'NULL::date'
                                  ELSE 'max(day)' END,
                met)
              INTO q, qday USING p_account, seg.s_from, least(seg.s_to, last_day);
            how := CASE seg.metering
                WHEN 'max' THEN CASE WHEN qday IS NULL THEN 'no day counted yet'
                                     ELSE format('the highest daily count, on %s', qday) END
                WHEN 'average' THEN format('the average of %s daily counts, rounded up', ndays)
                ELSE CASE WHEN qday IS NULL THEN 'no day counted yet' ELSE format('the count of %s', qday) END END;
            charge := billing_tier_charge(seg.metrics->met, q);
            amount := round((charge->>'amount')::numeric * frac, 2);
            seg_amount := seg_amount + amount;
            mlines := mlines || jsonb_build_object('metric', met, 'quantity', q, 'how', how,
                                                   'mode', seg.metrics->met->>'mode', 'lines', charge->'lines',
                                                   'full_month', charge->'amount', 'amount', amount);
            seg_alloc := seg_alloc || jsonb_build_object('a_' || met, amount);
        END LOOP;
        seg_min := round(seg.minimum * frac, 2);
        usage := usage + seg_amount;
        minimum := minimum + seg_min;
        segs := segs || jsonb_build_object(
            'from', seg.s_from, 'to', seg.s_to, 'days', seg.s_to - seg.s_from + 1, 'month_days', month_days,
            'fraction', frac, 'book', (SELECT name FROM price_books WHERE id = a.book_id),
            'effective_from', seg.effective_from, 'currency', seg.currency, 'metering', seg.metering,
            'minimum_full_month', seg.minimum, 'minimum', seg_min, 'metrics', mlines, 'usage', seg_amount);
        alloc := alloc || seg_alloc;
    END LOOP;
    topup := greatest(minimum - usage, 0);
    SELECT count(*) INTO ndays FROM billing_days b WHERE b.account_id = p_account AND b.day BETWEEN first_day AND last_day;
    doc := jsonb_build_object(
        'account', jsonb_build_object('id', acct.id, 'name', acct.name, 'kind', acct.kind),
        'month', to_char(m_start, 'YYYY-MM'), 'from', m_start, 'to', m_end, 'first_day', first_day,
        'days_counted', ndays, 'month_days', month_days, 'time_zone', a.time_zone,
        'activity_days', a.activity_days, 'closed', p_close, 'computed_at', now(),
        'currency', currency, 'metering', metering, 'parts', segs,
        'usage', usage, 'minimum', minimum, 'topup', topup, 'total', usage + topup,
        'daily', coalesce((SELECT jsonb_agg(jsonb_build_object('day', b.day, 'tenants', b.tenants, 'agents', b.agents,
                                                               'probes', b.probes, 'gateways', b.gateways)
                                            ORDER BY b.day)
                             FROM billing_days b WHERE b.account_id = p_account AND b.day BETWEEN m_start AND m_end),
                          '[]'));
    INSERT INTO billing_statements AS s (account_id, root_id, month, closed, document, computed_at)
    VALUES (p_account, p_account, m_start, false, doc, now())
    ON CONFLICT (account_id, month) DO UPDATE
       SET closed = excluded.closed, document = excluded.document, computed_at = excluded.computed_at;
    DELETE FROM billing_breakdown WHERE account_id = p_account AND month = m_start;
    INSERT INTO billing_breakdown (account_id, root_id, month, tenant_id, tenant_name, tenant_kind, msp_id, msp_name,
                                   days, tenants, agents, probes, gateways, amount, pos_amount, pos_name, pos_agents,
                                   pos_probes, pos_gateways)
    WITH parts AS (
        SELECT * FROM jsonb_to_recordset(alloc) AS x(s_from date, s_to date, a_tenants numeric, a_agents numeric,
                                                     a_probes numeric, a_gateways numeric)),
    s AS (
        SELECT * FROM billing_snapshots s WHERE s.account_id = p_account AND s.day BETWEEN first_day AND last_day),
    ud AS (
        SELECT s.tenant_id, parts.s_from, sum(s.tenants) AS t, sum(s.agents) AS ag, sum(s.probes) AS pr,
               sum(s.gateways) AS gw
          FROM s JOIN parts ON s.day BETWEEN parts.s_from AND parts.s_to GROUP BY 1, 2),
    tot AS (
        SELECT ud.s_from, sum(t) AS t, sum(ag) AS ag, sum(pr) AS pr, sum(gw) AS gw FROM ud GROUP BY 1),
    share AS (
        SELECT ud.tenant_id,
               sum(coalesce(ud.t / nullif(tot.t, 0) * parts.a_tenants, 0)
                   + coalesce(ud.ag / nullif(tot.ag, 0) * parts.a_agents, 0)
                   + coalesce(ud.pr / nullif(tot.pr, 0) * parts.a_probes, 0)
                   + coalesce(ud.gw / nullif(tot.gw, 0) * parts.a_gateways, 0)) AS amount
          FROM ud JOIN tot USING (s_from) JOIN parts USING (s_from) GROUP BY 1),
    qty AS (
        SELECT s.tenant_id, (array_agg(s.tenant_name ORDER BY s.day DESC))[1] AS tenant_name,
               (array_agg(s.tenant_kind ORDER BY s.day DESC))[1] AS tenant_kind,
               (array_agg(s.msp_id ORDER BY s.day DESC))[1] AS msp_id,
               (array_agg(s.msp_name ORDER BY s.day DESC))[1] AS msp_name, count(*) AS days,
               CASE coalesce(metering, 'max')
                   WHEN 'max' THEN max(s.tenants) WHEN 'average' THEN round(sum(s.tenants)::numeric / greatest(ndays, 1), 2)
                   ELSE coalesce(sum(s.tenants) FILTER (WHERE s.day = last_day), 0) END AS tenants,
               CASE coalesce(metering, 'max')
                   WHEN 'max' THEN max(s.agents) WHEN 'average' THEN round(sum(s.agents)::numeric / greatest(ndays, 1), 2)
                   ELSE coalesce(sum(s.agents) FILTER (WHERE s.day = last_day), 0) END AS agents,
               CASE coalesce(metering, 'max')
                   WHEN 'max' THEN max(s.probes) WHEN 'average' THEN round(sum(s.probes)::numeric / greatest(ndays, 1), 2)
                   ELSE coalesce(sum(s.probes) FILTER (WHERE s.day = last_day), 0) END AS probes,
               CASE coalesce(metering, 'max')
                   WHEN 'max' THEN max(s.gateways) WHEN 'average' THEN round(sum(s.gateways)::numeric / greatest(ndays, 1), 2)
                   ELSE coalesce(sum(s.gateways) FILTER (WHERE s.day = last_day), 0) END AS gateways
          FROM s GROUP BY s.tenant_id)
    SELECT p_account, p_account, m_start, qt.tenant_id, qt.tenant_name, qt.tenant_kind, qt.msp_id, qt.msp_name, qt.days,
           qt.tenants, qt.agents, qt.probes, qt.gateways, round(coalesce(share.amount, 0), 2),
           -- each row's place in each order the page offers (it pages by them)
           row_number() OVER (ORDER BY round(coalesce(share.amount, 0), 2), qt.tenant_id),
           row_number() OVER (ORDER BY lower(qt.tenant_name), qt.tenant_id),
           row_number() OVER (ORDER BY qt.agents, qt.tenant_id), row_number() OVER (ORDER BY qt.probes, qt.tenant_id),
           row_number() OVER (ORDER BY qt.gateways, qt.tenant_id)
      FROM qty qt LEFT JOIN share USING (tenant_id);
    -- What the page shows of the breakdown as a whole, stored with it: the
    -- tenants counted and the sums per MSP (the page reads them, not the
    -- rows).
    doc := doc || jsonb_build_object(
        'tenants_counted', (SELECT count(*) FROM billing_breakdown b WHERE b.account_id = p_account AND b.month = m_start),
        'by_msp', (SELECT coalesce(jsonb_agg(x ORDER BY x.amount DESC, x.name), '[]') FROM (
            SELECT b.msp_id AS id, coalesce(max(b.msp_name), 'Direct customers') AS name, count(*) AS tenants,
                   count(*) FILTER (WHERE b.tenant_kind = 'company') AS companies,
                   sum(b.agents) AS agents, sum(b.probes) AS probes, sum(b.gateways) AS gateways,
                   sum(b.amount) AS amount
              FROM billing_breakdown b WHERE b.account_id = p_account AND b.month = m_start
             GROUP BY b.msp_id) x));
    UPDATE billing_statements s SET document = doc, view = billing_statement_decorate(doc), closed = p_close
     WHERE s.account_id = p_account AND s.month = m_start;
    RETURN doc;
END $$;
REVOKE ALL ON FUNCTION billing_statement_compute(bigint, date, boolean) FROM PUBLIC;
