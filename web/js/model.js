// What the console derives from events rather than fetching. The server sends
// `conversation.updated` only for changes a conversation's new messages do
// not show; a message's own `message.created` moves its preview, its unread
// count and its time.

// How the console names a user: the name they or an agent gave, else their number.
export const userName = (c) => c.name || `+${c.phone}`;

// How the console names a conversation's channel (`whatsapp`, `plain`).
export const channelName = (channel) => (channel === 'whatsapp' ? 'WhatsApp' : 'Webhook');

const previewChars = 160;  // the server's last_message preview, in code points

// The conversation `c` with message `m` as its newest, or `c` itself when it
// has counted `m` already (events and REST replies can cross). As on the
// server, the preview is the newest message the user or an agent wrote to
// the chat: the bot's replies and private notes leave it. Only those can be
// newer than the preview, and they count no unread, so taking one twice
// changes nothing.
// How a message moves the wait in an open chat, as the server keeps
// waiting_since (docs/api.md): the user's first message since an agent's
// answer starts it (a reaction or a notice asks for none), an agent's
// message to them ends it (a private note does not), and the chat's first
// such message is its first_reply_at.
const answers = (m) => m.sender === 'admin' && m.type !== 'note';

function waitAfter(c, m) {
  if (answers(m)) return null;
  const asks = m.sender === 'user' && m.type !== 'reaction' && m.type !== 'system';
  if (asks && c.support_ticket_id && !c.waiting_since) return m.timestamp;
  return c.waiting_since ?? null;
}

// Whether the chat's user waits for an agent's answer now: a snoozed chat
// is put aside, and waits on nobody's list.
export const waitsForAnswer = (c) => Boolean(c?.waiting_since) && !c.snoozed;

// Whether the user has the detail `attribute` names ('plan:Gold'), its
// value in any case, as the server's ?attribute=: the list's Detail filter
// and the Contacts'.
export function hasDetail(c, attribute) {
  const colon = attribute.indexOf(':');
  const have = c.attributes?.[attribute.slice(0, colon)];
  return have !== undefined && have.toLowerCase() === attribute.slice(colon + 1).toLowerCase();
}

export function withMessage(c, m) {
  if (c.last_message && c.last_message.seq >= m.seq) return c;
  const movesPreview = m.sender !== 'bot' && m.type !== 'note';
  return {
    ...c,
    last_message: movesPreview
      ? { text: Array.from(m.text).slice(0, previewChars).join(''), type: m.type, sender: m.sender, seq: m.seq }
      : c.last_message,
    unread: c.unread + (m.sender === 'user' ? 1 : 0),
    updated_at: m.timestamp > c.updated_at ? m.timestamp : c.updated_at,  // ISO-8601 UTC, same width
    // As the server counts activity: a message from either side; the bot's
    // own notices (queue moves, system notes) and agents' private notes leave it.
    last_activity_at: m.sender === 'bot' || m.type === 'note' ? c.last_activity_at : m.timestamp,
    waiting_since: waitAfter(c, m),
    first_reply_at: c.first_reply_at ?? (answers(m) && c.support_ticket_id ? m.timestamp : null),
  };
}

// A user's score of a chat (1 to 5) as five stars, that many filled.
export const stars = (score) => '★'.repeat(score) + '☆'.repeat(5 - score);

// Whether `text` names `username` as @username: on its own, not inside a
// longer name or an e-mail address (eve@example.com names nobody). Any
// case; a full stop after it ends the sentence, not the name.
export function mentions(text, username) {
  const name = username.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`(^|[^\\w.@-])@${name}(?![\\w@-]|\\.\\w)`, 'i').test(text);
}
