// What the console derives from events rather than fetching. The server sends
// `conversation.updated` only for changes a conversation's new messages do
// not show; a message's own `message.created` moves its preview, its unread
// count and its time.

const previewChars = 160;  // the server's last_message preview, in code points

// The conversation `c` with message `m` as its newest, or `c` itself when it
// has counted `m` already (events and REST replies can cross).
export function withMessage(c, m) {
  if (c.last_message && c.last_message.seq >= m.seq) return c;
  return {
    ...c,
    last_message: { text: Array.from(m.text).slice(0, previewChars).join(''), sender: m.sender, seq: m.seq },
    unread: c.unread + (m.sender === 'user' ? 1 : 0),
    updated_at: m.timestamp,
    // As the server counts activity: a message from either side; the bot's
    // own notices (queue moves, system notes) and agents' private notes leave it.
    last_activity_at: m.sender === 'bot' || m.type === 'note' ? c.last_activity_at : m.timestamp,
  };
}
