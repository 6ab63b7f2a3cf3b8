-- The tree rules live here so no client can break them: an MSSP is a root;
-- an MSP is a root or the child of an MSSP; a company is the child of an
-- MSP. That bounds depth at three. A child shares its parent's region.
CREATE OR REPLACE FUNCTION tenants_tree_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    p tenants%ROWTYPE;
BEGIN
    IF NEW.parent_id IS NULL THEN
        IF NEW.kind = 'company' THEN
            RAISE EXCEPTION 'a company must belong to an MSP' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'tenant_tree';
        END IF;
        NEW.ancestors := ARRAY[NEW.id];
    ELSE
        SELECT * INTO p FROM tenants WHERE id = NEW.parent_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'parent tenant % does not exist', NEW.parent_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF cardinality(p.ancestors) >= 3 THEN
            RAISE EXCEPTION 'the tenant tree has at most three levels (MSSP > MSP > company)'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_depth';
        END IF;
        IF NOT ((NEW.kind = 'msp' AND p.kind = 'mssp') OR (NEW.kind = 'company' AND p.kind = 'msp')) THEN
            RAISE EXCEPTION 'a % cannot be placed under a %', NEW.kind, p.kind
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_tree';
        END IF;
        IF NEW.region <> p.region THEN
            RAISE EXCEPTION 'region % does not match the parent''s region %', NEW.region, p.region
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_region';
        END IF;
        NEW.ancestors := p.ancestors || NEW.id;
        IF cardinality(NEW.ancestors) > 3 THEN
            RAISE EXCEPTION 'the tenant tree has at most three levels (MSSP > MSP > company)'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_depth';
        END IF;
    END IF;
    NEW.root_id := NEW.ancestors[1];
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION tenants_tree_check() FROM PUBLIC;
