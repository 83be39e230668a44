-- The chat room's history (scripts/chat/room.ts): every message said, kept
-- for chat.room.history. Plain SQL that SQLite and PostgreSQL both accept.
CREATE TABLE chat_messages (
  room   TEXT      NOT NULL,
  sender TEXT      NOT NULL,
  body   TEXT      NOT NULL,
  at     TIMESTAMP NOT NULL
);
CREATE INDEX chat_messages_room_at ON chat_messages (room, at);
