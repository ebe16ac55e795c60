-- +goose Up
-- One name per dialect: card binding's credentials, settings and nonces
-- were stored as 'card_binding' while its surface (references, webhooks,
-- exports) is 'cardbinding'. Its sealed secrets stay bound to the old
-- label (merchant.dialectAAD), so nothing is re-sealed.
UPDATE dialect_credentials SET dialect = 'cardbinding' WHERE dialect = 'card_binding';
UPDATE dialect_settings SET dialect = 'cardbinding' WHERE dialect = 'card_binding';
UPDATE dialect_nonces SET dialect = 'cardbinding' WHERE dialect = 'card_binding';

-- +goose Down
UPDATE dialect_credentials SET dialect = 'card_binding' WHERE dialect = 'cardbinding';
UPDATE dialect_settings SET dialect = 'card_binding' WHERE dialect = 'cardbinding';
UPDATE dialect_nonces SET dialect = 'card_binding' WHERE dialect = 'cardbinding';
