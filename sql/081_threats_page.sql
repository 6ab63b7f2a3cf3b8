-- 081_threats_page.sql - the threats page sorts and pages its indicators and
-- drills down from them (docs/dashboards.md, "Threat correlation"):
-- threat_correlation() takes the order and the page, and says how many
-- there are, which customers it names (their ids) and the latest incident
-- with the indicator at one of them. Its arguments and result change,
-- which CREATE OR REPLACE refuses: the old one goes
-- (sql/functions/threats/threat_correlation.sql makes it again).
DROP FUNCTION IF EXISTS threat_correlation(bigint, int);
