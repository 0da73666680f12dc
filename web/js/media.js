// What a WhatsApp user sends besides text, as the console shows it: files
// in the chat (a picture, a player or a download) and in the list's
// preview, shared places and contact cards, and reactions.
import { h } from './dom.js';

// What a user sent, named where there is no caption to say what it is.
const MEDIA_NAMES = { image: 'Photo', sticker: 'Sticker', audio: 'Audio', video: 'Video', document: 'Document', location: 'Location', contacts: 'Contact' };
const MEDIA_ICONS = { image: '📷', sticker: '💟', audio: '🎵', video: '🎥', document: '📄', location: '📍', contacts: '👤' };
// What the browser is given to show in the page (the server sends anything
// else as a download): SVG, which can hold script, is not among them.
const SHOWN_IMAGE = /^image\/(jpeg|png|webp|gif)(;|$)/;

// The caption a user wrote with a file: the text without the "[image]" the
// server puts first for lists and transcripts, or a document's name after it.
export function captionOf(m) {
  let text = m.text.startsWith(`[${m.type}]`) ? m.text.slice(m.type.length + 2) : m.text;
  const name = m.attachment.filename;
  if (name && text.endsWith(name)) text = text.slice(0, -name.length);
  return text.trim();
}

// The file itself: a picture, a player or a download. One the server could
// not get from WhatsApp (Meta keeps files for 30 days) says so, with a link
// to the server's reason.
export function attachmentElement(m) {
  const { url, mime_type: type, filename } = m.attachment;
  const what = MEDIA_NAMES[m.type] ?? 'File';
  const missing = (e) => e.currentTarget.closest('.attachment').replaceChildren(
    h('span', { class: 'attachment-missing' }, `${what} could not be loaded from WhatsApp. `,
      h('a', { href: url, target: '_blank', rel: 'noopener', text: 'Why?' })));
  const caption = captionOf(m);
  if ((m.type === 'image' || m.type === 'sticker') && SHOWN_IMAGE.test(type)) {
    return h('span', { class: `attachment ${m.type}` }, h('a', { href: url, target: '_blank', rel: 'noopener', title: `Open the ${what.toLowerCase()} full size` },
      h('img', { src: url, alt: caption || what, loading: 'lazy', onerror: missing })));
  }
  if (type.startsWith('audio/')) return h('span', { class: 'attachment audio' }, h('audio', { src: url, controls: true, preload: 'none', 'aria-label': what, onerror: missing }));
  if (type.startsWith('video/')) return h('span', { class: 'attachment video' }, h('video', { src: url, controls: true, preload: 'metadata', 'aria-label': what, onerror: missing }));
  return h('span', { class: 'attachment file' }, h('a', { href: url, download: filename || '', text: `${MEDIA_ICONS.document} ${filename || what}` }));
}

// A place a user shared, which the server writes "[location] 38.980626,-131.942861
// Main Street Store, 1 Main Street": where it is, and its name and address if sent.
export function locationOf(text) {
  const found = /^\[location\] (-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)(?: ([\s\S]*))?$/.exec(text);
  if (!found) return null;
  const latitude = Number(found[1]), longitude = Number(found[2]);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { latitude, longitude, place: (found[3] ?? '').trim() };
}

// The place in the chat, with a link that shows it on a map, as a phone shows a shared location.
export function locationElement({ latitude, longitude, place }) {
  const href = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;
  return h('span', { class: 'location' },
    h('span', { class: 'text', text: `${MEDIA_ICONS.location} ${place || MEDIA_NAMES.location}` }), ' ',
    h('a', { class: 'map-link', href, target: '_blank', rel: 'noopener noreferrer', text: 'Open in a map',
      title: `${latitude}, ${longitude}` }));
}

// Contact cards a user shared, which the server writes "[contacts] Ana Lima
// +55 11 5555-0100, Bo": as their phone shows them, each name and number.
export function contactsText(text) {
  const cards = text.replace(/^\[contacts\]\s*/, '');
  return `${MEDIA_ICONS.contacts} ${cards || MEDIA_NAMES.contacts}`;
}

// A reaction, which the server writes "[reaction] 👍".
export function reactionText(text) {
  return `Reacted ${text.replace(/^\[reaction\]\s*/, '')}`;
}

// A list row's preview of a conversation's `last_message`, as chat apps
// show one: a file as an icon and its caption or what it is (the server
// writes "[image] caption"), a reaction and a rating in words.
export function previewOf({ text, type }) {
  if (type === 'rating') return `Rated the chat ${text} of 5`;
  if (type === 'reaction') return reactionText(text);
  const where = type === 'location' ? locationOf(text) : null;
  if (where) return `${MEDIA_ICONS.location} ${where.place || MEDIA_NAMES.location}`;
  if (!MEDIA_ICONS[type] || !text.startsWith(`[${type}]`)) return text;
  const rest = text.slice(type.length + 2).trim();
  return `${MEDIA_ICONS[type]} ${rest || MEDIA_NAMES[type]}`;
}
