// The chat room's webhook (scripts/chat/room.ts): every message said in a
// room is POSTed as JSON to WEBHOOK_URL, an HTTP service of yours (a bot, an
// archive, a moderation queue). It is off while WEBHOOK_URL is empty: set it
// and save, and the running server picks the change up. Restrict where
// fetch may go with -fetch-allow (docs/scripts.md).
export const WEBHOOK_URL: string = "";

/** How long the webhook may take before the message is acknowledged anyway. */
const TIMEOUT_MS = 2000;

/**
 * Posts one message to the webhook. A failure is logged, never thrown: the
 * message has been stored and delivered already.
 */
export async function notify(message: object): Promise<void> {
  if (!WEBHOOK_URL) {
    return;
  }
  try {
    const res = await fetch(WEBHOOK_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) {
      console.warn("chat webhook answered %d", res.status);
    }
  } catch (err) {
    console.warn("chat webhook failed: %s", String(err));
  }
}
