-- When a schedule of p_cadence runs next after p_after: 06:00 UTC on the
-- first day of a month (monthly) or on a Monday (weekly).
CREATE OR REPLACE FUNCTION report_next_run(p_cadence text, p_after timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN b > p_after THEN b ELSE b + CASE p_cadence WHEN 'monthly' THEN interval '1 month'
                                                                ELSE interval '7 days' END END
      FROM (SELECT (date_trunc(CASE p_cadence WHEN 'monthly' THEN 'month' ELSE 'week' END,
                               p_after AT TIME ZONE 'UTC') + interval '6 hours') AT TIME ZONE 'UTC' AS b) x
$$;
REVOKE ALL ON FUNCTION report_next_run(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_next_run(text, timestamptz) TO portal_app;
