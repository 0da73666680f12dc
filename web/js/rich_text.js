// A message's text as WhatsApp shows it, *bold*, _italic_, ~struck~ and
// ```monospace```, with its web links made links: the bot's menu says
// *support*, and users paste tracking links. Nodes only, never HTML, so
// whatever a user sends stays text.
import { h } from './dom.js';

// A link runs to the next space; punctuation that ends a sentence is not part of it.
const LINK = /\bhttps?:\/\/[^\s<>"]+/;
const LINK_TAIL = /[.,!?:;'")\]]+$/;
// A marker opens after a space or punctuation (not inside snake_case) and
// before a non-space, and closes after a non-space, before a space or
// punctuation, on the same line. A span is at most 200 characters: an
// unclosed marker is looked past that far, not to the end of 4,096.
const STYLE = /(^|[\s([{"'.,!?:;-])(```|\*|_|~)(?=\S)([^\n]{0,199}?\S)\2(?=$|[\s)\]}"'.,!?:;-])/;
const TAGS = { '*': 'strong', _: 'em', '~': 's', '```': 'code' };

function linkOf(found) {
  let url = found.replace(LINK_TAIL, '');
  // A parenthesis the link opened closes it: (…/Tree_(graph)) keeps its own.
  const open = (u) => u.split('(').length - u.split(')').length;
  while (found[url.length] === ')' && open(url) > 0) url += ')';
  return url;
}

export function richText(text) {
  const nodes = [];
  let rest = text;
  while (rest) {
    const link = LINK.exec(rest);
    const style = STYLE.exec(rest);
    const styleAt = style ? style.index + style[1].length : Infinity;
    if (link && link.index <= styleAt) {
      const url = linkOf(link[0]);
      if (link.index) nodes.push(rest.slice(0, link.index));
      nodes.push(h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: url }));
      rest = rest.slice(link.index + url.length);
    } else if (style) {
      if (styleAt) nodes.push(rest.slice(0, styleAt));
      const [, , marker, inner] = style;
      // Monospace is taken as written; the others may hold the rest.
      nodes.push(marker === '```' ? h('code', { text: inner }) : h(TAGS[marker], {}, richText(inner)));
      rest = rest.slice(style.index + style[0].length);
    } else {
      nodes.push(rest);
      rest = '';
    }
  }
  return nodes;
}

// Marks each place `words` is found (any case) in `root`'s text, as <mark>
// elements around parts of its text nodes: a search's words in the message
// it found. Text stays text.
export function markWords(root, words) {
  const needle = words.toLowerCase();
  if (!needle) return root;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
  for (const node of nodes) {
    const text = node.data;
    const lower = text.toLowerCase();
    let at = lower.indexOf(needle);
    if (at < 0) continue;
    const parts = [];
    let from = 0;
    for (; at >= 0; at = lower.indexOf(needle, from)) {
      parts.push(text.slice(from, at), h('mark', { text: text.slice(at, at + needle.length) }));
      from = at + needle.length;
    }
    parts.push(text.slice(from));
    node.replaceWith(...parts);
  }
  return root;
}
