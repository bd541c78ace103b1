-- Up Migration

-- Why each email was sent, in Vietnamese, written once by the email activity when its outbox row is created
-- ("nhắc hạn tự động 7 ngày trước hạn 08/03/2027", "gia hạn đến 28/02/2027 — operator: …"). The unit's timeline
-- reads every email and its reason from this one table. NULL for emails written before this column existed: the
-- timeline derives their reason from the email's key, as it did before.
ALTER TABLE emails ADD COLUMN reason text;

-- Down Migration
ALTER TABLE emails DROP COLUMN reason;
