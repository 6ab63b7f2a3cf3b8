-- The executive report of p_tenant over the days p_from to p_to (UTC,
-- both included; at most 366 days), as a viewer with the scope p_scope,
-- p_exact may see it (app_scope(), app_exact(): report_executive(); the
-- tenant itself: ctl report, the operator's) (docs/reports.md, "What a
-- report says"): every figure over the tenant and the tenants below it
-- the viewer sees (a company: itself), against
-- the period of the same length just before. For an MSSP or MSP it also
-- ranks its customers (companies). NULL when the viewer may not see the
-- tenant or the period is not one.
--
-- It reads the rows of the tenants in scope (assets, vulnerabilities and
-- incidents by tenant), not the rollups: a report's figures are as of its
-- period's end, which the rollups (now) do not keep. Other customers are
-- only counted (threats seen elsewhere), never named.
-- requires: scope_sees, sla_targets_for, severity_weight
CREATE OR REPLACE FUNCTION report_document(p_tenant bigint, p_from date, p_to date, p_scope bigint[],
                                           p_exact bigint[]) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0 SET work_mem = '32MB'
    SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    sc bigint[] := p_scope;
    ex bigint[] := p_exact;
    t tenants%ROWTYPE;
    tids bigint[];
    t0 timestamptz;  -- the period: [t0, t1)
    t1 timestamptz;
    p0 timestamptz;  -- the period before: [p0, t0)
    risk_now bigint;
    risk_before bigint;
    coverage jsonb;
    vulns jsonb;
    incidents jsonb;
    threats jsonb;
    customers jsonb;
    recs jsonb := '[]';
    v record;
BEGIN
    IF p_from IS NULL OR p_to IS NULL OR p_to < p_from OR p_to - p_from > 365 THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant AND x.status = 'active';
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN NULL;
    END IF;
    tids := ARRAY(SELECT x.id FROM tenants x WHERE x.ancestors @> ARRAY[t.id] AND x.status = 'active'
                                               AND scope_sees(x.ancestors, x.id, sc, ex));
    t0 := p_from::timestamp AT TIME ZONE 'UTC';
    t1 := (p_to + 1)::timestamp AT TIME ZONE 'UTC';
    p0 := t0 - (t1 - t0);

    -- The risk score (docs/dashboards.md: 10 x open critical incidents + 3
    -- x other open incidents + open critical vulnerabilities) at the end of
    -- each period.
    SELECT sum(CASE WHEN i.opened_at < t1 AND (i.closed_at IS NULL OR i.closed_at >= t1)
                    THEN CASE WHEN i.severity = 'critical' THEN 10 ELSE 3 END ELSE 0 END),
           sum(CASE WHEN i.opened_at < t0 AND (i.closed_at IS NULL OR i.closed_at >= t0)
                    THEN CASE WHEN i.severity = 'critical' THEN 10 ELSE 3 END ELSE 0 END)
      INTO risk_now, risk_before
      FROM incidents i WHERE i.tenant_id = ANY (tids) AND i.opened_at < t1;
    -- (The critical vulnerabilities open at the end and at the start are
    -- added below, from the vulnerabilities' figures.)

    -- Coverage: the assets by kind at the end, and those new in the period.
    SELECT jsonb_object_agg(k.kind, jsonb_build_object(
               'total', coalesce(a.total, 0), 'new', coalesce(a.added, 0)) ORDER BY k.n)
      INTO coverage
      FROM unnest(ARRAY['probe', 'agent', 'gateway', 'discovered', 'external']) WITH ORDINALITY AS k(kind, n)
      LEFT JOIN (SELECT x.kind, count(*) AS total, count(*) FILTER (WHERE x.created_at >= t0) AS added
                   FROM assets x WHERE x.tenant_id = ANY (tids) AND x.created_at < t1 GROUP BY x.kind) a
        ON a.kind = k.kind;

    -- Vulnerabilities: opened, fixed, open at the end by severity; the
    -- open ones by age; the median days to fix of those fixed; the top CVEs.
    -- The rows are read once for the counts, by severity and CVE (an
    -- aggregate that hashes: no sort of the period's rows), which then add
    -- up by severity and by CVE; the median reads those fixed in the
    -- period only; the assets are counted for the top ten CVEs only.
    WITH g AS MATERIALIZED (
        SELECT x.severity, x.cve,
               count(*) FILTER (WHERE x.first_seen >= t0) AS opened,
               count(*) FILTER (WHERE x.fixed_at >= t0 AND x.fixed_at < t1) AS fixed,
               count(*) FILTER (WHERE x.fixed_at IS NULL OR x.fixed_at >= t1) AS open_end,
               count(*) FILTER (WHERE x.first_seen < t0 AND (x.fixed_at IS NULL OR x.fixed_at >= t0)) AS open_start,
               count(*) FILTER (WHERE (x.fixed_at IS NULL OR x.fixed_at >= t1)
                                  AND x.first_seen < t1 - interval '30 days') AS over_30,
               count(*) FILTER (WHERE (x.fixed_at IS NULL OR x.fixed_at >= t1)
                                  AND x.first_seen < t1 - interval '60 days') AS over_60,
               count(*) FILTER (WHERE (x.fixed_at IS NULL OR x.fixed_at >= t1)
                                  AND x.first_seen < t1 - interval '90 days') AS over_90
          FROM vulnerabilities x
         WHERE x.tenant_id = ANY (tids) AND x.first_seen < t1 AND (x.fixed_at IS NULL OR x.fixed_at >= p0)
         GROUP BY x.severity, x.cve)
    SELECT jsonb_build_object(
        'by_severity', (SELECT jsonb_agg(jsonb_build_object(
                            'severity', s.sev, 'opened', coalesce(b.opened, 0), 'fixed', coalesce(b.fixed, 0),
                            'open_end', coalesce(b.open_end, 0), 'open_start', coalesce(b.open_start, 0),
                            'median_days_to_fix', m.median_days, 'over_30', coalesce(b.over_30, 0),
                            'over_60', coalesce(b.over_60, 0), 'over_90', coalesce(b.over_90, 0)) ORDER BY s.n)
                          FROM unnest(ARRAY['critical', 'high', 'medium', 'low']) WITH ORDINALITY AS s(sev, n)
                          LEFT JOIN (
                            SELECT g.severity, sum(g.opened) AS opened, sum(g.fixed) AS fixed,
                                   sum(g.open_end) AS open_end, sum(g.open_start) AS open_start,
                                   sum(g.over_30) AS over_30, sum(g.over_60) AS over_60, sum(g.over_90) AS over_90
                              FROM g GROUP BY g.severity) b ON b.severity = s.sev
                          LEFT JOIN (
                            SELECT x.severity,
                                   round((percentile_cont(0.5) WITHIN GROUP (ORDER BY
                                       extract(epoch FROM x.fixed_at - x.first_seen) / 86400))::numeric, 1) AS median_days
                              FROM vulnerabilities x
                             WHERE x.tenant_id = ANY (tids) AND x.fixed_at >= t0 AND x.fixed_at < t1
                               AND x.fixed_at >= x.first_seen
                             GROUP BY x.severity) m ON m.severity = s.sev),
        'top_cves', (SELECT coalesce(jsonb_agg(jsonb_build_object('cve', c.cve, 'severity', c.severity, 'open', c.open,
                                                                  'assets', d.assets)
                                               ORDER BY c.open DESC, c.cve), '[]')
                       FROM (SELECT g.cve, sum(g.open_end) AS open,
                                    (array_agg(g.severity ORDER BY severity_weight(g.severity) DESC)
                                         FILTER (WHERE g.open_end > 0))[1] AS severity
                               FROM g GROUP BY g.cve HAVING sum(g.open_end) > 0
                              ORDER BY sum(g.open_end) DESC, g.cve LIMIT 10) c
                       CROSS JOIN LATERAL (
                             SELECT count(DISTINCT x.asset_id) AS assets
                               FROM vulnerabilities x
                              WHERE x.cve = c.cve AND x.root_id = t.root_id AND x.tenant_id = ANY (tids)
                                AND x.first_seen < t1 AND (x.fixed_at IS NULL OR x.fixed_at >= t1)) d),
        'critical_old_assets', (SELECT count(DISTINCT x.asset_id) FROM vulnerabilities x
                                 WHERE x.tenant_id = ANY (tids) AND x.severity = 'critical'
                                   AND x.first_seen < t1 - interval '30 days'
                                   AND (x.fixed_at IS NULL OR x.fixed_at >= t1)))
      INTO vulns;
    SELECT coalesce(risk_now, 0) + (e.value->>'open_end')::bigint, coalesce(risk_before, 0) + (e.value->>'open_start')::bigint
      INTO risk_now, risk_before
      FROM jsonb_array_elements(vulns->'by_severity') e WHERE e.value->>'severity' = 'critical';

    -- Incidents opened in the period: by severity, opened and resolved,
    -- the minutes to acknowledge and resolve (mean, 90th percentile), and
    -- the SLA judged at the period's end against each tenant's targets
    -- (sla_targets_for()): met within target; due when acknowledged
    -- (resolved), or its target passed by the end unacknowledged
    -- (unresolved).
    SELECT jsonb_build_object(
        'by_severity', (SELECT jsonb_agg(jsonb_build_object(
                            'severity', s.sev, 'opened', coalesce(b.opened, 0), 'resolved', coalesce(b.resolved, 0),
                            'open_end', coalesce(o.open_end, 0),
                            'ack_mean', b.ack_mean, 'ack_p90', b.ack_p90, 'resolve_mean', b.res_mean,
                            'resolve_p90', b.res_p90,
                            'ack_met', coalesce(b.ack_met, 0), 'ack_due', coalesce(b.ack_due, 0),
                            'resolve_met', coalesce(b.res_met, 0), 'resolve_due', coalesce(b.res_due, 0))
                            ORDER BY s.n)
                          FROM unnest(ARRAY['critical', 'high', 'medium', 'low']) WITH ORDINALITY AS s(sev, n)
                          LEFT JOIN (
                            SELECT j.severity, count(*) AS opened,
                                   count(*) FILTER (WHERE j.closed_at < t1) AS resolved,
                                   round(avg(j.ack_min) FILTER (WHERE j.acknowledged_at < t1)) AS ack_mean,
                                   round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.ack_min)
                                         FILTER (WHERE j.acknowledged_at < t1))::numeric) AS ack_p90,
                                   round(avg(j.res_min) FILTER (WHERE j.closed_at < t1)) AS res_mean,
                                   round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.res_min)
                                         FILTER (WHERE j.closed_at < t1))::numeric) AS res_p90,
                                   count(*) FILTER (WHERE j.acknowledged_at < t1 AND j.ack_min <= j.ack_target) AS ack_met,
                                   count(*) FILTER (WHERE j.acknowledged_at < t1
                                                       OR j.opened_at + make_interval(mins => j.ack_target) < t1) AS ack_due,
                                   count(*) FILTER (WHERE j.closed_at < t1 AND j.res_min <= j.res_target) AS res_met,
                                   count(*) FILTER (WHERE j.closed_at < t1
                                                       OR j.opened_at + make_interval(mins => j.res_target) < t1) AS res_due
                              FROM (SELECT i.severity, i.opened_at, i.acknowledged_at, i.closed_at,
                                           e.ack_minutes AS ack_target, e.resolve_minutes AS res_target,
                                           extract(epoch FROM i.acknowledged_at - i.opened_at) / 60 AS ack_min,
                                           extract(epoch FROM i.closed_at - i.opened_at) / 60 AS res_min
                                      FROM incidents i
                                      JOIN sla_targets_for(tids) e ON e.tenant_id = i.tenant_id AND e.severity = i.severity
                                     WHERE i.tenant_id = ANY (tids) AND i.opened_at >= t0 AND i.opened_at < t1) j
                             GROUP BY j.severity) b ON b.severity = s.sev
                          LEFT JOIN (
                            SELECT i.severity, count(*) AS open_end FROM incidents i
                             WHERE i.tenant_id = ANY (tids) AND i.opened_at < t1 AND (i.closed_at IS NULL OR i.closed_at >= t1)
                             GROUP BY i.severity) o ON o.severity = s.sev),
        'serious', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'id', z.id, 'tenant_id', z.tenant_id, 'customer', z.customer, 'severity', z.severity,
                               'title', z.title, 'opened_at', to_char(z.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                               'status', CASE WHEN z.closed_at < t1 THEN 'resolved'
                                              WHEN z.acknowledged_at < t1 THEN 'acknowledged' ELSE 'new' END,
                               'note', CASE WHEN z.closed_at < t1 THEN z.resolution_note END)
                               ORDER BY severity_weight(z.severity) DESC, z.opened_at, z.id), '[]')
                      FROM (SELECT i.*, c.name AS customer FROM incidents i JOIN tenants c ON c.id = i.tenant_id
                             WHERE i.tenant_id = ANY (tids) AND i.opened_at >= t0 AND i.opened_at < t1
                             ORDER BY severity_weight(i.severity) DESC, i.opened_at, i.id LIMIT 5) z))
      INTO incidents;

    -- Threats: the indicators of the period's incidents here, with how
    -- many of the tenants in scope saw them and how many others of the same
    -- provider's tree saw them in the period (counted, never named).
    SELECT coalesce(jsonb_agg(jsonb_build_object('indicator', w.indicator, 'kind', w.kind, 'incidents', w.n,
                                                 'customers', w.customers, 'elsewhere', w.elsewhere)
                              ORDER BY w.elsewhere DESC, w.n DESC, w.indicator), '[]')
      INTO threats
      FROM (SELECT i.indicator, min(i.indicator_kind) AS kind, count(*) AS n, count(DISTINCT i.tenant_id) AS customers,
                   (SELECT count(DISTINCT o.tenant_id) FROM incidents o
                     WHERE o.indicator = i.indicator AND o.opened_at >= t0 AND o.opened_at < t1
                       AND o.root_id = t.root_id AND NOT (o.tenant_id = ANY (tids))) AS elsewhere
              FROM incidents i
             WHERE i.tenant_id = ANY (tids) AND i.opened_at >= t0 AND i.opened_at < t1 AND i.indicator IS NOT NULL
             GROUP BY i.indicator ORDER BY 5 DESC, 3 DESC, 1 LIMIT 10) w;

    -- The customers (an MSSP's or MSP's report), ranked by risk at the end.
    IF t.kind <> 'company' THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'risk', c.risk_end,
                                                     'risk_before', c.risk_start, 'critical_open', c.crit_open,
                                                     'resolve_met', c.res_met, 'resolve_due', c.res_due)
                                  ORDER BY c.risk_end DESC, lower(c.name), c.id), '[]')
          INTO customers
          FROM (SELECT c.id, c.name,
                       coalesce(ir.r_end, 0) + coalesce(vr.v_end, 0) AS risk_end,
                       coalesce(ir.r_start, 0) + coalesce(vr.v_start, 0) AS risk_start,
                       coalesce(vr.v_end, 0) AS crit_open, coalesce(ir.res_met, 0) AS res_met,
                       coalesce(ir.res_due, 0) AS res_due
                  FROM tenants c
                  LEFT JOIN (
                    SELECT i.tenant_id,
                           sum(CASE WHEN i.closed_at IS NULL OR i.closed_at >= t1
                                    THEN CASE WHEN i.severity = 'critical' THEN 10 ELSE 3 END ELSE 0 END) AS r_end,
                           sum(CASE WHEN i.opened_at < t0 AND (i.closed_at IS NULL OR i.closed_at >= t0)
                                    THEN CASE WHEN i.severity = 'critical' THEN 10 ELSE 3 END ELSE 0 END) AS r_start,
                           count(*) FILTER (WHERE i.opened_at >= t0 AND i.closed_at < t1
                                              AND i.closed_at - i.opened_at <= make_interval(mins => e.resolve_minutes))
                               AS res_met,
                           count(*) FILTER (WHERE i.opened_at >= t0
                                              AND (i.closed_at < t1
                                                   OR i.opened_at + make_interval(mins => e.resolve_minutes) < t1))
                               AS res_due
                      FROM incidents i
                      JOIN sla_targets_for(tids) e ON e.tenant_id = i.tenant_id AND e.severity = i.severity
                     WHERE i.tenant_id = ANY (tids) AND i.opened_at < t1
                     GROUP BY i.tenant_id) ir ON ir.tenant_id = c.id
                  LEFT JOIN (
                    SELECT x.tenant_id,
                           count(*) FILTER (WHERE x.fixed_at IS NULL OR x.fixed_at >= t1) AS v_end,
                           count(*) FILTER (WHERE x.first_seen < t0 AND (x.fixed_at IS NULL OR x.fixed_at >= t0)) AS v_start
                      FROM vulnerabilities x
                     WHERE x.tenant_id = ANY (tids) AND x.severity = 'critical' AND x.first_seen < t1
                     GROUP BY x.tenant_id) vr ON vr.tenant_id = c.id
                 WHERE c.id = ANY (tids) AND c.kind = 'company') c;
    END IF;

    -- Recommendations, from the figures above.
    SELECT e.value AS b INTO v FROM jsonb_array_elements(vulns->'by_severity') e WHERE e.value->>'severity' = 'critical';
    IF (v.b->>'over_30')::bigint > 0 THEN
        recs := recs || jsonb_build_array(format(
            '%s critical vulnerabilit%s open over 30 days on %s asset%s: patch %s first.',
            v.b->>'over_30', CASE WHEN (v.b->>'over_30')::bigint = 1 THEN 'y' ELSE 'ies' END,
            vulns->>'critical_old_assets', CASE WHEN (vulns->>'critical_old_assets')::bigint = 1 THEN '' ELSE 's' END,
            CASE WHEN (v.b->>'over_30')::bigint = 1 THEN 'it' ELSE 'them' END));
    END IF;
    IF (v.b->>'median_days_to_fix')::numeric > 7 THEN
        recs := recs || jsonb_build_array(format(
            'Critical vulnerabilities took a median of %s days to fix; aim for 7 or fewer.', v.b->>'median_days_to_fix'));
    END IF;
    FOR v IN SELECT e.value AS b FROM jsonb_array_elements(incidents->'by_severity') e
              WHERE (e.value->>'ack_due')::bigint > 0
                AND (e.value->>'ack_met')::numeric / (e.value->>'ack_due')::numeric < 0.9 LOOP
        recs := recs || jsonb_build_array(format(
            '%s incidents were acknowledged within target %s%% of the time (%s of %s): review the on-call cover for them.',
            initcap(v.b->>'severity'), floor(100 * (v.b->>'ack_met')::numeric / (v.b->>'ack_due')::numeric),
            v.b->>'ack_met', v.b->>'ack_due'));
    END LOOP;
    SELECT e.value AS b INTO v FROM jsonb_array_elements(incidents->'by_severity') e WHERE e.value->>'severity' = 'critical';
    IF (v.b->>'open_end')::bigint > 0 THEN
        recs := recs || jsonb_build_array(format('%s critical incident%s still open at the end of the period.',
                                                 v.b->>'open_end',
                                                 CASE WHEN (v.b->>'open_end')::bigint = 1 THEN ' was' ELSE 's were' END));
    END IF;
    IF (coverage->'probe'->>'total')::bigint + (coverage->'agent'->>'total')::bigint
       + (coverage->'gateway'->>'total')::bigint = 0 THEN
        recs := recs || jsonb_build_array('No probe, agent or gateway reports here: deploy one to see this network.');
    END IF;
    IF risk_now > risk_before THEN
        recs := recs || jsonb_build_array(format('The risk score rose from %s to %s over the period.', risk_before,
                                                 risk_now));
    END IF;

    RETURN jsonb_build_object(
        'tenant', jsonb_build_object('id', t.id, 'name', t.name, 'kind', t.kind),
        'period', jsonb_build_object('from', p_from, 'to', p_to, 'days', p_to - p_from + 1,
                                     'before_from', p_from - (p_to - p_from + 1), 'before_to', p_from - 1),
        'tenants', cardinality(tids),
        'risk', jsonb_build_object('now', risk_now, 'before', risk_before, 'change', risk_now - risk_before),
        'coverage', coverage,
        'vulnerabilities', vulns,
        'incidents', incidents,
        'threats', threats,
        'customers', customers,
        'recommendations', recs);
END $$;
REVOKE ALL ON FUNCTION report_document(bigint, date, date, bigint[], bigint[]) FROM PUBLIC;
