-- 078_dashboard_docs_children.sql - a kept dashboard no longer keeps its
-- table's rows as rows (issue #23; docs/performance.md, "Session 41").
-- Since sql/076 no page reads them: the first page is first_page, any
-- other page of the kept rows their lines (lines) in an order kept with
-- them (orders). dashboard_doc_build() makes all three from the rows it
-- reads and keeps nothing else of them.
ALTER TABLE dashboard_docs DROP COLUMN children;
