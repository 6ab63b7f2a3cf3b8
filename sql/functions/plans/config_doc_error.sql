-- Why a section's document is refused (NULL: it is valid): the one
-- validator of configuration documents, whoever writes them (the plan and
-- override pages, the API, the demo seed). A document is an object with
-- exactly the section's keys (docs/plans.md, "Sections"); lists are
-- bounded, texts are short, addresses parse. The answer names the field
-- ("rules[3].action: ...").
CREATE OR REPLACE FUNCTION config_doc_error(p_section text, p_doc jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
    keys text[];
    want text[];
    e jsonb;
    i int;
    cats constant text[] := ARRAY['adult', 'anonymizers', 'crypto_mining', 'finance', 'gambling', 'games',
                                  'government', 'health', 'malware', 'p2p', 'phishing', 'social_media', 'streaming'];
    -- A text field of e: present, a string, 1..max characters.
    err text;
BEGIN
    IF p_doc IS NULL OR jsonb_typeof(p_doc) <> 'object' THEN
        RETURN 'the section must be a JSON object';
    END IF;
    IF length(p_doc::text) > 65536 THEN
        RETURN 'the section is larger than 64 KiB';
    END IF;
    want := CASE p_section
        WHEN 'access_policy' THEN ARRAY['rules']
        WHEN 'threat_prevention' THEN ARRAY['anti_bot', 'antivirus', 'exceptions', 'ips', 'profile']
        WHEN 'url_filtering' THEN ARRAY['blocked_categories', 'custom_allowed', 'custom_blocked']
        WHEN 'ssl_inspection' THEN ARRAY['bypass_categories', 'enabled']
        WHEN 'vuln_scanning' THEN ARRAY['excluded_ranges', 'intensity', 'schedule']
        WHEN 'agent_updates' THEN ARRAY['ring', 'window_day', 'window_hours', 'window_start']
        WHEN 'vpn' THEN ARRAY['enabled', 'peers']
        WHEN 'local_network' THEN ARRAY['dns_servers', 'lan_ranges']
        WHEN 'notifications' THEN ARRAY['emails', 'min_severity']
    END;
    IF want IS NULL THEN
        RETURN format('unknown section %s', left(p_section, 40));
    END IF;
    SELECT array_agg(k ORDER BY k) INTO keys FROM jsonb_object_keys(p_doc) k;
    IF keys IS DISTINCT FROM want THEN
        RETURN format('the section has the fields %s', array_to_string(want, ', '));
    END IF;

    IF p_section = 'access_policy' THEN
        IF jsonb_typeof(p_doc->'rules') <> 'array' OR jsonb_array_length(p_doc->'rules') > 500 THEN
            RETURN 'rules: a list of at most 500 rules';
        END IF;
        FOR i IN 0 .. jsonb_array_length(p_doc->'rules') - 1 LOOP
            e := p_doc->'rules'->i;
            IF jsonb_typeof(e) <> 'object' OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k)
                   IS DISTINCT FROM ARRAY['action', 'destination', 'log', 'name', 'service', 'source'] THEN
                RETURN format('rules[%s]: a rule has name, source, destination, service, action and log', i + 1);
            END IF;
            err := CASE
                WHEN jsonb_typeof(e->'name') <> 'string' OR length(btrim(e->>'name')) NOT BETWEEN 1 AND 80
                    THEN 'name: 1 to 80 characters'
                WHEN jsonb_typeof(e->'source') <> 'string' OR length(btrim(e->>'source')) NOT BETWEEN 1 AND 200
                    THEN 'source: 1 to 200 characters'
                WHEN jsonb_typeof(e->'destination') <> 'string' OR length(btrim(e->>'destination')) NOT BETWEEN 1 AND 200
                    THEN 'destination: 1 to 200 characters'
                WHEN jsonb_typeof(e->'service') <> 'string' OR length(btrim(e->>'service')) NOT BETWEEN 1 AND 100
                    THEN 'service: 1 to 100 characters'
                WHEN jsonb_typeof(e->'action') <> 'string' OR e->>'action' NOT IN ('accept', 'drop', 'reject')
                    THEN 'action: accept, drop or reject'
                WHEN jsonb_typeof(e->'log') <> 'boolean' THEN 'log: true or false'
            END;
            IF err IS NOT NULL THEN
                RETURN format('rules[%s].%s', i + 1, err);
            END IF;
        END LOOP;
    ELSIF p_section = 'threat_prevention' THEN
        IF jsonb_typeof(p_doc->'ips') <> 'string' OR p_doc->>'ips' NOT IN ('off', 'detect', 'prevent') THEN
            RETURN 'ips: off, detect or prevent';
        ELSIF jsonb_typeof(p_doc->'profile') <> 'string' OR p_doc->>'profile' NOT IN ('basic', 'optimized', 'strict') THEN
            RETURN 'profile: basic, optimized or strict';
        ELSIF jsonb_typeof(p_doc->'antivirus') <> 'boolean' THEN
            RETURN 'antivirus: true or false';
        ELSIF jsonb_typeof(p_doc->'anti_bot') <> 'boolean' THEN
            RETURN 'anti_bot: true or false';
        ELSIF jsonb_typeof(p_doc->'exceptions') <> 'array' OR jsonb_array_length(p_doc->'exceptions') > 200 THEN
            RETURN 'exceptions: a list of at most 200 exceptions';
        END IF;
        FOR i IN 0 .. jsonb_array_length(p_doc->'exceptions') - 1 LOOP
            e := p_doc->'exceptions'->i;
            IF jsonb_typeof(e) <> 'object' OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k)
                   IS DISTINCT FROM ARRAY['name', 'protection', 'target']
               OR jsonb_typeof(e->'name') <> 'string' OR length(btrim(e->>'name')) NOT BETWEEN 1 AND 80
               OR jsonb_typeof(e->'target') <> 'string' OR length(btrim(e->>'target')) NOT BETWEEN 1 AND 200
               OR jsonb_typeof(e->'protection') <> 'string' OR length(btrim(e->>'protection')) NOT BETWEEN 1 AND 100 THEN
                RETURN format('exceptions[%s]: name (1 to 80 characters), target (1 to 200) and protection (1 to 100)', i + 1);
            END IF;
        END LOOP;
    ELSIF p_section = 'url_filtering' THEN
        IF jsonb_typeof(p_doc->'blocked_categories') <> 'array'
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_doc->'blocked_categories') c
                       WHERE jsonb_typeof(c) <> 'string' OR NOT (c #>> '{}') = ANY (cats)) THEN
            RETURN format('blocked_categories: a list of %s', array_to_string(cats, ', '));
        END IF;
        FOREACH err IN ARRAY ARRAY['custom_blocked', 'custom_allowed'] LOOP
            IF jsonb_typeof(p_doc->err) <> 'array' OR jsonb_array_length(p_doc->err) > 1000
               OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_doc->err) c
                           WHERE jsonb_typeof(c) <> 'string'
                              OR (c #>> '{}') !~ '^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$'
                              OR length(c #>> '{}') > 253) THEN
                RETURN format('%s: at most 1,000 host names in lower case (www.example.com, *.example.com)', err);
            END IF;
        END LOOP;
    ELSIF p_section = 'ssl_inspection' THEN
        IF jsonb_typeof(p_doc->'enabled') <> 'boolean' THEN
            RETURN 'enabled: true or false';
        ELSIF jsonb_typeof(p_doc->'bypass_categories') <> 'array'
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_doc->'bypass_categories') c
                       WHERE jsonb_typeof(c) <> 'string' OR NOT (c #>> '{}') = ANY (cats)) THEN
            RETURN format('bypass_categories: a list of %s', array_to_string(cats, ', '));
        END IF;
    ELSIF p_section = 'vuln_scanning' THEN
        IF jsonb_typeof(p_doc->'schedule') <> 'string' OR p_doc->>'schedule' NOT IN ('daily', 'weekly', 'monthly') THEN
            RETURN 'schedule: daily, weekly or monthly';
        ELSIF jsonb_typeof(p_doc->'intensity') <> 'string' OR p_doc->>'intensity' NOT IN ('light', 'normal', 'aggressive') THEN
            RETURN 'intensity: light, normal or aggressive';
        END IF;
        err := config_cidrs_error(p_doc->'excluded_ranges', 100);
        IF err IS NOT NULL THEN
            RETURN 'excluded_ranges: ' || err;
        END IF;
    ELSIF p_section = 'agent_updates' THEN
        IF jsonb_typeof(p_doc->'ring') <> 'string' OR p_doc->>'ring' NOT IN ('early', 'broad', 'pinned') THEN
            RETURN 'ring: early, broad or pinned';
        ELSIF jsonb_typeof(p_doc->'window_day') <> 'string'
              OR p_doc->>'window_day' NOT IN ('any', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun') THEN
            RETURN 'window_day: any, mon, tue, wed, thu, fri, sat or sun';
        ELSIF jsonb_typeof(p_doc->'window_start') <> 'string' OR p_doc->>'window_start' !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' THEN
            RETURN 'window_start: a time of day, HH:MM (UTC)';
        ELSIF jsonb_typeof(p_doc->'window_hours') <> 'number' OR (p_doc->>'window_hours') !~ '^[0-9]+$'
              OR (p_doc->>'window_hours')::numeric NOT BETWEEN 1 AND 12 THEN
            RETURN 'window_hours: a whole number of hours, 1 to 12';
        END IF;
    ELSIF p_section = 'vpn' THEN
        IF jsonb_typeof(p_doc->'enabled') <> 'boolean' THEN
            RETURN 'enabled: true or false';
        ELSIF jsonb_typeof(p_doc->'peers') <> 'array' OR jsonb_array_length(p_doc->'peers') > 50 THEN
            RETURN 'peers: a list of at most 50 peers';
        END IF;
        FOR i IN 0 .. jsonb_array_length(p_doc->'peers') - 1 LOOP
            e := p_doc->'peers'->i;
            IF jsonb_typeof(e) <> 'object' OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k)
                   IS DISTINCT FROM ARRAY['address', 'name', 'networks']
               OR jsonb_typeof(e->'name') <> 'string' OR length(btrim(e->>'name')) NOT BETWEEN 1 AND 80
               OR jsonb_typeof(e->'address') <> 'string' OR length(btrim(e->>'address')) NOT BETWEEN 1 AND 253 THEN
                RETURN format('peers[%s]: name (1 to 80 characters), address (a host name or address) and networks', i + 1);
            END IF;
            err := config_cidrs_error(e->'networks', 50);
            IF err IS NOT NULL THEN
                RETURN format('peers[%s].networks: %s', i + 1, err);
            END IF;
        END LOOP;
    ELSIF p_section = 'local_network' THEN
        err := config_cidrs_error(p_doc->'lan_ranges', 100);
        IF err IS NOT NULL THEN
            RETURN 'lan_ranges: ' || err;
        END IF;
        err := config_cidrs_error(p_doc->'dns_servers', 8);
        IF err IS NOT NULL THEN
            RETURN 'dns_servers: ' || err;
        END IF;
    ELSIF p_section = 'notifications' THEN
        IF jsonb_typeof(p_doc->'min_severity') <> 'string'
           OR p_doc->>'min_severity' NOT IN ('critical', 'high', 'medium', 'low') THEN
            RETURN 'min_severity: critical, high, medium or low';
        ELSIF jsonb_typeof(p_doc->'emails') <> 'array' OR jsonb_array_length(p_doc->'emails') > 20
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_doc->'emails') c
                       WHERE jsonb_typeof(c) <> 'string' OR length(c #>> '{}') > 320
                          OR (c #>> '{}') !~ '^[^@\s<>,;"()\[\]\\]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$') THEN
            RETURN 'emails: at most 20 email addresses';
        END IF;
    END IF;
    RETURN NULL;
END $$;
GRANT EXECUTE ON FUNCTION config_doc_error(text, jsonb) TO portal_app;
