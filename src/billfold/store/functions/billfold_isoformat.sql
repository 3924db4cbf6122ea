-- Python's datetime.isoformat() of an aware datetime in UTC, as billfold.codec stores it.
CREATE OR REPLACE FUNCTION billfold_isoformat(p_at timestamptz) RETURNS text
LANGUAGE sql STABLE AS $fn$
    SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN date_trunc('second', p_at) = p_at THEN ''
                   ELSE to_char(p_at AT TIME ZONE 'UTC', '.US') END
           || '+00:00'
$fn$;
