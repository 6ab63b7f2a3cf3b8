-- 064_billing.sql - billing (issue #21; docs/billing.md): what an MSSP (or
-- a standalone MSP) is billed for its tenants and agents, metered every
-- day from the data, priced on the operator's price books, frozen when a
-- month closes.

-- When an asset was last reported (its UTC day): the activity window
-- counts an asset only while it reports. Written at most once a day per
-- asset (ingest_assets()), so a live feed does not rewrite every row.
ALTER TABLE assets ADD COLUMN last_seen_on date NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date;

-- Price books: the operator's (ctl billing price-book); not a tenant's.
-- A book has versions, each applying from its day until the next one.
CREATE TABLE price_books (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE price_book_versions (
    id             bigserial PRIMARY KEY,
    book_id        bigint NOT NULL REFERENCES price_books(id) ON DELETE CASCADE,
    effective_from date NOT NULL,
    currency       text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    metering       text NOT NULL CHECK (metering IN ('max', 'average', 'last')),
    minimum        numeric(14, 2) NOT NULL DEFAULT 0 CHECK (minimum >= 0),
    -- {"agents": {"mode": "graduated"|"volume", "tiers": [{"up_to": 100, "price": "2.00"},
    --  ..., {"up_to": null, "price": "1.00"}]}, ...}: billing_book_error() checks it.
    metrics        jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (book_id, effective_from)
);

-- The accounts billed: a top-level tenant (an MSSP, a standalone MSP), its
-- book, the time zone its days and months are counted in, the activity
-- window, and the first day billed.
CREATE TABLE billing_accounts (
    tenant_id     bigint PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    root_id       bigint NOT NULL CHECK (root_id = tenant_id),
    book_id       bigint NOT NULL REFERENCES price_books(id),
    time_zone     text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64),
    activity_days int NOT NULL DEFAULT 30 CHECK (activity_days BETWEEN 1 AND 365),
    starts_on     date NOT NULL,
    assigned_at   timestamptz NOT NULL DEFAULT now()
);

-- The daily snapshots: per account, day and tenant, what it counted. No
-- foreign key to the tenant: a company deleted later keeps its days, with
-- the names it had.
CREATE TABLE billing_snapshots (
    account_id  bigint NOT NULL REFERENCES billing_accounts(tenant_id) ON DELETE CASCADE,
    root_id     bigint NOT NULL,
    day         date NOT NULL,
    tenant_id   bigint NOT NULL,
    tenant_name text NOT NULL,
    tenant_kind text NOT NULL,
    msp_id      bigint,
    msp_name    text,
    tenants     int NOT NULL DEFAULT 0 CHECK (tenants IN (0, 1)),
    agents      int NOT NULL DEFAULT 0 CHECK (agents >= 0),
    probes      int NOT NULL DEFAULT 0 CHECK (probes >= 0),
    gateways    int NOT NULL DEFAULT 0 CHECK (gateways >= 0),
    PRIMARY KEY (account_id, day, tenant_id)
);
-- The days taken: final once taken after the day ended (in the account's
-- time zone); today's is taken again at every run.
CREATE TABLE billing_days (
    account_id bigint NOT NULL REFERENCES billing_accounts(tenant_id) ON DELETE CASCADE,
    root_id    bigint NOT NULL,
    day        date NOT NULL,
    final      boolean NOT NULL,
    taken_at   timestamptz NOT NULL DEFAULT now(),
    tenants    int NOT NULL DEFAULT 0,
    agents     int NOT NULL DEFAULT 0,
    probes     int NOT NULL DEFAULT 0,
    gateways   int NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, day)
);

-- A month's statement: the open month's is computed again at every run;
-- a closed one is frozen (billing_statements_frozen refuses to change it)
-- with the snapshots and the prices it used.
CREATE TABLE billing_statements (
    account_id  bigint NOT NULL REFERENCES billing_accounts(tenant_id) ON DELETE CASCADE,
    root_id     bigint NOT NULL,
    month       date NOT NULL CHECK (extract(day FROM month) = 1),
    closed      boolean NOT NULL DEFAULT false,
    document    jsonb NOT NULL,
    view        jsonb NOT NULL DEFAULT '{}', -- the document as the page shows it (billing_statement_decorate())
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, month)
);
-- Who drives the cost: per tenant of a statement, its quantities and its
-- share of the charge.
CREATE TABLE billing_breakdown (
    account_id  bigint NOT NULL,
    root_id     bigint NOT NULL,
    month       date NOT NULL,
    tenant_id   bigint NOT NULL,
    tenant_name text NOT NULL,
    tenant_kind text NOT NULL,
    msp_id      bigint,
    msp_name    text,
    days        int NOT NULL,
    tenants     numeric(12, 2) NOT NULL,
    agents      numeric(12, 2) NOT NULL,
    probes      numeric(12, 2) NOT NULL,
    gateways    numeric(12, 2) NOT NULL,
    amount      numeric(14, 2) NOT NULL,
    PRIMARY KEY (account_id, month, tenant_id),
    FOREIGN KEY (account_id, month) REFERENCES billing_statements(account_id, month) ON DELETE CASCADE
);
-- The page reads 25 rows in each order it offers from an index (its cost
-- grows with the rows on screen, not with the tenants billed).
CREATE INDEX billing_breakdown_amount ON billing_breakdown (account_id, month, amount, tenant_id);
CREATE INDEX billing_breakdown_name ON billing_breakdown (account_id, month, lower(tenant_name), tenant_id);
CREATE INDEX billing_breakdown_agents ON billing_breakdown (account_id, month, agents, tenant_id);
CREATE INDEX billing_breakdown_probes ON billing_breakdown (account_id, month, probes, tenant_id);
CREATE INDEX billing_breakdown_gateways ON billing_breakdown (account_id, month, gateways, tenant_id);
-- One MSP's tenants (a few hundred at most), sorted after they are read.
CREATE INDEX billing_breakdown_msp ON billing_breakdown (account_id, month, msp_id);

-- Adjustments to a closed month: a new line with a reason, by the
-- operator (ctl billing adjust), audited.
CREATE TABLE billing_adjustments (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL,
    root_id    bigint NOT NULL,
    month      date NOT NULL,
    amount     numeric(14, 2) NOT NULL CHECK (amount <> 0),
    reason     text NOT NULL CHECK (length(btrim(reason)) BETWEEN 3 AND 500),
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (account_id, month) REFERENCES billing_statements(account_id, month) ON DELETE CASCADE
);
CREATE INDEX billing_adjustments_month ON billing_adjustments (account_id, month);

ALTER TABLE billing_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE billing_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_snapshots FORCE ROW LEVEL SECURITY;
ALTER TABLE billing_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_days FORCE ROW LEVEL SECURITY;
ALTER TABLE billing_statements ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_statements FORCE ROW LEVEL SECURITY;
ALTER TABLE billing_breakdown ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_breakdown FORCE ROW LEVEL SECURITY;
ALTER TABLE billing_adjustments ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_adjustments FORCE ROW LEVEL SECURITY;
-- No grant to portal_app or portal_reporter on any of them: the pages
-- read through billing_page() and billing_export(), the reporter runs
-- billing_run(), the operator's ctl writes as the owner.
