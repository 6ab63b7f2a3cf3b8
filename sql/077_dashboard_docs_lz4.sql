-- 077_dashboard_docs_lz4.sql - a kept dashboard's large values compressed
-- with lz4 instead of pglz (issue #23; docs/performance.md, "Session 41").
-- The rows are rebuilt after ingest batches (about 20 a second under the
-- live feed at L), and pglz's compression was 2.6 % of the feed's
-- PostgreSQL time: with lz4 a rebuild costs 2.2-2.9 ms instead of 3.2-4.2
-- for an MSP of 100 companies, 3.8-3.9 instead of 4.9-6.2 for an MSSP of
-- 200 MSPs; reading them back costs the same. Values already kept stay as
-- they are until their row is built again. PostgreSQL 15 as Debian builds
-- it has lz4 (--with-lz4).
ALTER TABLE dashboard_docs ALTER COLUMN board SET COMPRESSION lz4, ALTER COLUMN children SET COMPRESSION lz4,
                           ALTER COLUMN lines SET COMPRESSION lz4, ALTER COLUMN first_page SET COMPRESSION lz4,
                           ALTER COLUMN orders SET COMPRESSION lz4;
