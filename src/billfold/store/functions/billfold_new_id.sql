-- billfold.ids.new_id in SQL, for rows a function decides to write on its own (notices):
-- the prefix, '_', and a lower-case ULID (48-bit milliseconds, 80 random bits taken from
-- gen_random_uuid() around its version and variant bits), so it sorts and reads like any id.
CREATE OR REPLACE FUNCTION billfold_new_id(p_prefix text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    v_alphabet constant text := '0123456789abcdefghjkmnpqrstvwxyz';
    v_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
    v_uuid bytea := uuid_send(gen_random_uuid());
    v_bits bit(80);
    v_out text := '';
BEGIN
    v_bits := ('x' || encode(substring(v_uuid FROM 1 FOR 6) || substring(v_uuid FROM 10 FOR 4),
                             'hex'))::bit(80);
    FOR i IN REVERSE 9 .. 0 LOOP
        v_out := v_out || substr(v_alphabet, ((v_ms >> (5 * i)) & 31)::int + 1, 1);
    END LOOP;
    FOR i IN 0 .. 15 LOOP
        v_out := v_out || substr(v_alphabet, substring(v_bits FROM 5 * i + 1 FOR 5)::int + 1, 1);
    END LOOP;
    RETURN p_prefix || '_' || v_out;
END
$fn$;
