-- 066_billing_positions.sql - a statement's breakdown paged by position
-- (docs/billing.md, "Cost"): each row keeps its place in each order the
-- Billing page offers, computed with the breakdown, so a page is a range
-- of one index however deep it is (OFFSET walked every row before it: 21
-- ms for page 400 at size L against 5 ms for page 1).
ALTER TABLE billing_breakdown
    ADD COLUMN pos_amount int, ADD COLUMN pos_name int, ADD COLUMN pos_agents int, ADD COLUMN pos_probes int,
    ADD COLUMN pos_gateways int;

-- The rows stored before: their places, closed months included (placing
-- them changes nothing a statement says; the freezing trigger is off for
-- this statement only).
ALTER TABLE billing_breakdown DISABLE TRIGGER USER;
UPDATE billing_breakdown b
   SET pos_amount = x.pa, pos_name = x.pn, pos_agents = x.pg, pos_probes = x.pp, pos_gateways = x.pw
  FROM (SELECT account_id, month, tenant_id,
               row_number() OVER (PARTITION BY account_id, month ORDER BY amount, tenant_id) AS pa,
               row_number() OVER (PARTITION BY account_id, month ORDER BY lower(tenant_name), tenant_id) AS pn,
               row_number() OVER (PARTITION BY account_id, month ORDER BY agents, tenant_id) AS pg,
               row_number() OVER (PARTITION BY account_id, month ORDER BY probes, tenant_id) AS pp,
               row_number() OVER (PARTITION BY account_id, month ORDER BY gateways, tenant_id) AS pw
          FROM billing_breakdown) x
 WHERE (b.account_id, b.month, b.tenant_id) = (x.account_id, x.month, x.tenant_id);
ALTER TABLE billing_breakdown ENABLE TRIGGER USER;
ALTER TABLE billing_breakdown
    ALTER COLUMN pos_amount SET NOT NULL, ALTER COLUMN pos_name SET NOT NULL, ALTER COLUMN pos_agents SET NOT NULL,
    ALTER COLUMN pos_probes SET NOT NULL, ALTER COLUMN pos_gateways SET NOT NULL;

DROP INDEX billing_breakdown_amount, billing_breakdown_name, billing_breakdown_agents, billing_breakdown_probes,
    billing_breakdown_gateways;
CREATE INDEX billing_breakdown_amount ON billing_breakdown (account_id, month, pos_amount);
CREATE INDEX billing_breakdown_name ON billing_breakdown (account_id, month, pos_name);
CREATE INDEX billing_breakdown_agents ON billing_breakdown (account_id, month, pos_agents);
CREATE INDEX billing_breakdown_probes ON billing_breakdown (account_id, month, pos_probes);
CREATE INDEX billing_breakdown_gateways ON billing_breakdown (account_id, month, pos_gateways);
