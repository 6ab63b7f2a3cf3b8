-- 083_incidents_indicator_covering.sql - an executive report counts the
-- other customers that saw an indicator from the indicator's index alone
-- (docs/reports.md, "What is left"; docs/performance.md, "Session 45").
-- report_document() counts, for each indicator of the period's incidents,
-- the other tenants of the tree with an incident of it in the period: at L
-- a company's report read 318,000 incidents' rows for one indicator (443
-- ms an indicator, 0.6-1.0 s a report). With the tree and the tenant in
-- the index, an index-only scan: 52 ms. The index is the same one with the
-- two columns included: the threats' and an incident's page read it as
-- before; an included column turns off B-tree deduplication, so it takes
-- 68 MB at L instead of 7.8 (its entries repeat (indicator, opening) in the
-- seed's bursts). Built while the table is locked against writes (2 s at L).
DROP INDEX IF EXISTS incidents_indicator;
CREATE INDEX incidents_indicator ON incidents (indicator, opened_at) INCLUDE (root_id, tenant_id)
    WHERE indicator IS NOT NULL;
