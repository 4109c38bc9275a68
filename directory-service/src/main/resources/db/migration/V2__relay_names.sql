-- A relay's public name (adjective-color-noun), given by the main server at claim time; the
-- tunnel broker serves {name}.{domain} for the relay that holds it.
ALTER TABLE relays ADD COLUMN name VARCHAR(63) UNIQUE;
