-- 007_onboarding.sql - an MSSP asks to manage an MSP; the MSP approves or
-- rejects with a reason. Also the bell: per-user notifications.
--
-- Request lifecycle (docs/onboarding.md has the diagram):
--   pending --approve--> approved      (the MSP joins the MSSP's tree)
--   pending --reject---> rejected
--   pending --cancel---> cancelled     (by the MSSP)
--   pending --resend---> superseded    (a new pending request takes over)
--   pending --7 days---> expired       (computed on read and on decision)

CREATE TABLE msp_requests (
    id              bigserial PRIMARY KEY,
    mssp_id         bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    msp_tenant_id   bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id         bigint NOT NULL,
    email           text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled', 'superseded', 'expired')),
    token_hash      text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    expires_at      timestamptz NOT NULL,
    requested_by    bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    decided_at      timestamptz,
    decision_reason text CHECK (decision_reason IS NULL OR length(btrim(decision_reason)) BETWEEN 1 AND 1000),
    CHECK ((status IN ('approved', 'rejected')) = (decision_reason IS NOT NULL))
);
-- At most one pending request per MSP, whoever asks.
CREATE UNIQUE INDEX msp_requests_one_pending ON msp_requests (msp_tenant_id) WHERE status = 'pending';
CREATE INDEX msp_requests_mssp ON msp_requests (mssp_id, created_at DESC);

ALTER TABLE msp_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp_requests FORCE ROW LEVEL SECURITY;
GRANT SELECT ON msp_requests TO portal_app;

CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id  bigint REFERENCES tenants(id) ON DELETE CASCADE,
    root_id    bigint,
    kind       text NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL DEFAULT '',
    link       text NOT NULL DEFAULT '/' CHECK (link ~ '^/[^/\\]'),
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_unread ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC);
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
GRANT SELECT, UPDATE (read_at) ON notifications TO portal_app;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   msp_requests_visible, msp_request_status, notifications_own,
--   request_people, notify_request, msp_request_create, msp_request_withdraw,
--   msp_request_by_token, msp_request_decide, msp_requests_list,
--   auth_session_lookup.
