// The conversation and message records: what an actor owns, what the store
// keeps and what the API shows.
#pragma once

#include "switchboard/core/shared_value.hpp"
#include "switchboard/core/time.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::chat {

class business_hours;

enum class conv_state { idle, registering, chat_support_active, rating };
enum class sender { user, admin, bot };
// In delivery order: a status only ever moves forward (except to failed).
enum class message_status { received, sent, delivered, read, failed };
enum class channel { plain, whatsapp };
// How urgent the agents marked a conversation, as Chatwoot's priority.
enum class conv_priority : std::uint8_t { none, low, medium, high, urgent };

std::string_view to_string(conv_state s);  // "IDLE", "CHAT_SUPPORT_ACTIVE", …
std::string_view to_string(sender s);      // "user", "admin", "bot"
std::string_view to_string(message_status s);
std::string_view to_string(channel c);
std::string_view to_string(conv_priority p);  // "none", "low", "medium", "high", "urgent"
std::optional<conv_state> conv_state_from_string(std::string_view s);
std::optional<sender> sender_from_string(std::string_view s);
std::optional<message_status> message_status_from_string(std::string_view s);
std::optional<channel> channel_from_string(std::string_view s);
std::optional<conv_priority> conv_priority_from_string(std::string_view s);

// The key a provider's message id is taken under, once (a webhook's
// dedupe key, which answers Meta's retries). Inline: every webhook makes one.
inline std::string dedupe_key(channel via, std::string_view channel_id) {
    auto name = to_string(via);
    std::string key;
    key.reserve(name.size() + 1 + channel_id.size());
    key.append(name).append(1, ':').append(channel_id);
    return key;
}

// Whether `next` may replace `current`: forward only; `failed` only before delivery.
bool status_may_advance(message_status current, message_status next);

// A file a user or an agent sent (a WhatsApp image, audio, video, document
// or sticker). The provider keeps it; the server fetches it from there when
// an agent opens the message, so the store holds only this reference.
struct attachment {
    std::string media_id;   // the provider's id for the file
    std::string mime_type;  // as the provider gave it
    std::string filename;   // a document's name; empty for the other kinds
    bool operator==(const attachment&) const = default;
};

// The message kinds that may carry an attachment.
inline constexpr std::array<std::string_view, 5> media_kinds{"image", "audio", "video", "document", "sticker"};
bool is_media_kind(std::string_view kind);

// The three strings of an attachment come from a provider or a browser and
// go on to a URL path and to response headers, so each is checked once,
// here, wherever it came from:
// - an id is a plain token of 1 to 128 characters ([A-Za-z0-9._-]);
// - a MIME type that is empty, long or not printable ASCII becomes
//   application/octet-stream;
// - a filename loses its control characters and is cut at 255 characters.
bool is_media_id(std::string_view id);
std::string checked_mime_type(std::string mime_type);
std::string checked_filename(std::string filename);

struct message {
    std::string id;  // ours, stable across delivery retries
    std::string phone;
    std::uint64_t seq = 0;  // per conversation, from 1
    sender from = sender::user;
    std::string agent;  // username, for admin messages
    std::string text;
    std::string kind = "text";  // text, image, audio, document, location, …
    timestamp at{};
    message_status status = message_status::received;
    std::string channel_id;  // the provider's id: inbound id or the send API's wamid
    std::string client_id;   // echoed for the console's optimistic copy
    std::string error;       // why it failed, as the provider or the outbox said; empty otherwise
    // The file of a media message. Optional, not three empty strings: every
    // message is copied several times on its way, and nearly none has a file.
    std::optional<attachment> media;
    // The seq of the message this one answers, as the user's WhatsApp or
    // the agent's reply quotes it; 0 for none.
    std::uint64_t reply_to = 0;
    // When its writer last changed its words (a private note, as Intercom's
    // edited notes); the epoch for never.
    timestamp edited_at{};
    // The bot's keywords offered with it to tap, as the user was shown them
    // (a plain webhook's widget; WhatsApp's buttons with --wa-buttons): a
    // JSON array, [{"text":"support","title":"Support"}]; null for none.
    // Kept once for the process (chat::kept_choices): a bot offers a
    // handful, with most of its messages, and a message is copied several
    // times on its way.
    const std::string* choices = nullptr;
};

// A private note its writer or an admin deleted: its text gone, its place
// in the history kept. No note is written blank, so no flag is stored:
// a note without text is a deleted one.
// The text first: nearly every message has one, and the test is then one load.
inline bool is_deleted_note(const message& m) { return m.text.empty() && m.kind == "note"; }
inline bool was_edited(const message& m) { return m.edited_at != timestamp{}; }

// One support chat (a ticket) from opening to close: what reports are
// computed from. The open one rides along with its conversation.
struct chat_record {
    std::string ticket_id;
    std::string phone;
    timestamp opened_at{};
    std::string opened_by;  // user (typed support) | agent (started it)
    std::optional<timestamp> queued_at;
    std::optional<timestamp> assigned_at;  // first time an agent had it
    std::string agent;                      // the agent who has it (last one)
    std::optional<timestamp> first_response_at;
    std::optional<timestamp> last_assigned_at;  // the latest claim, transfer or automatic assignment
    std::optional<timestamp> last_response_at;  // the latest agent message
    std::optional<timestamp> closed_at;
    std::string close_reason;  // user | agent | timeout
    // When the user wrote the oldest message no agent has answered yet
    // (Intercom's "waiting since", Chatwoot's "pending response"): set by
    // the user's opening `support` and by their first message after an
    // agent's; an agent's message to them clears it. A reaction sets
    // nothing, and a private note or the bot answers nothing.
    std::optional<timestamp> waiting_since;
    // The waiting_since of the wait found past the team's reply-time target,
    // so that each wait is reported once, across restarts too.
    std::optional<timestamp> target_missed_for;
    // The user's waits that an agent's answer ended after the first reply:
    // when each began and was answered. Reports hold them to the
    // next-reply target (GET /sla), as the first reply to the first.
    std::vector<std::pair<timestamp, timestamp>> answered_waits;
    // Whether the chat was found open past the team's resolution target,
    // so that it is reported once, across restarts too.
    bool resolution_missed = false;
    // The team its conversation was filed under while it was open, last
    // (conversation::team): whose chat reports count it as. Empty: none.
    std::string team;
    // Likewise its labels (conversation::labels), sorted: reports count it
    // under each.
    std::vector<std::string> labels;
    // The seq of its first message (the user's `support`, or the first after
    // an agent opened it): where a history shows it begin. 0: not known
    // (a chat from before schema 42 that the upgrade could not place).
    std::uint64_t first_seq = 0;
    // The channel its user wrote on (conversation::via) when it opened:
    // reports count it under it, as Chatwoot's inbox reports.
    channel via = channel::plain;
};

// Memory per conversation must stay small: the last message is kept as a
// short preview, history lives in the store.
inline constexpr std::size_t last_message_preview_chars = 160;

struct conversation {
    std::string phone;
    std::string name;
    bool registered = false;
    conv_state state = conv_state::idle;
    bool in_chat_support = false;
    bool chat_support_active = false;
    std::optional<timestamp> chat_start_time;
    std::string support_ticket_id;  // empty when no chat is open
    std::string assignee;           // agent username, empty when none
    std::optional<timestamp> queued_at;
    // The chat that ended last, so a rating given in RATING is filed with it.
    std::string rated_ticket_id;
    std::string rated_agent;
    channel via = channel::plain;
    std::string wa_phone_number_id;  // WhatsApp: the business number the user wrote to
    std::uint64_t last_seq = 0;
    std::uint64_t read_seq = 0;  // agents have read user messages up to here
    std::uint32_t unread = 0;    // user messages after read_seq
    // Messages to the user that failed since an agent last read the
    // conversation: what a list shows, so a failure is seen in a chat no
    // agent has open. Reading it clears the count.
    std::uint32_t undelivered = 0;
    // The preview: the newest message the user or an agent wrote to the
    // chat. The bot's replies leave it (in a chat the bot answers every
    // message with the same acknowledgement, which is all a list would
    // show), and so do agents' private notes, which the user never sees.
    std::string last_message;
    std::string last_message_kind = "text";  // its message's type: a list shows a rating or a photo as one
    sender last_sender = sender::user;
    std::uint64_t last_message_seq = 0;  // 0: none yet
    timestamp created_at{};
    timestamp updated_at{};
    timestamp last_activity{};  // last message from either side, for the idle timeout
    // What the agents filed it under ("billing", "vip"): sorted, each once
    // (label_from), at most max_labels.
    std::vector<std::string> labels;
    // The agents who follow it (Chatwoot's participants): each hears of the
    // user's messages in their notification inbox while someone else has
    // the chat. Usernames, sorted, each once, at most max_participants.
    std::vector<std::string> participants;
    // An agent blocked the user: what they write is acknowledged and dropped
    // (no bot reply, nothing kept), and no chat can be opened with them.
    bool blocked = false;
    // An agent muted it (Chatwoot's mute): what the user writes comes in as
    // ever, but tells no follower and rings in no console.
    bool muted = false;
    conv_priority priority = conv_priority::none;
    // The team it is filed under ("billing"; label_from's form), as
    // Chatwoot's and Intercom's team inboxes: automatic routing gives it to
    // that team's members alone. Empty: none.
    std::string team;
    // What the agents know of the user ("email", "plan"), as Chatwoot's
    // contact attributes: by key, each key once (attribute_key_from), at
    // most max_attributes.
    std::vector<std::pair<std::string, std::string>> attributes;
    // Its agent put the live chat aside until then (Chatwoot's snooze): out
    // of the active and mine lists, and no idle timeout meanwhile. It wakes
    // then, when the user writes, or when an agent wakes it; a chat that
    // ends or changes hands wakes with it. Set only on an assigned live chat.
    // until_next_reply: only the user's next message (or an agent) wakes it.
    std::optional<timestamp> snoozed_until;
    // The open chat, if any: shared with the state this one was copied from
    // until a step changes it (most steps do not; it is a third of the size).
    shared_value<chat_record> chat;
};

// A conversation's labels: at most this many, each 1 to 32 characters of
// a-z, 0-9, `-` and `_`.
inline constexpr std::size_t max_labels = 10;
// A conversation's followers: at most this many, so that a user's message
// makes a bounded number of notifications.
inline constexpr std::size_t max_participants = 25;
inline bool followed_by(const conversation& c, std::string_view agent) {
    return std::binary_search(c.participants.begin(), c.participants.end(), agent);
}
// A label as an agent typed it, the way it is kept: trimmed, lower case,
// white space inside as `-` ("VIP customer" is vip-customer); nullopt when
// what is left is empty, longer than 32 characters, or has other characters.
std::optional<std::string> label_from(std::string_view typed);

// A conversation's attributes: at most this many, each key as
// attribute_key_from keeps it and each value 1 to max_attribute_chars
// characters on one line.
inline constexpr std::size_t max_attributes = 20;
inline constexpr std::size_t max_attribute_chars = 256;
// An attribute's key as typed, the way it is kept: as label_from, but with
// white space inside as `_` ("Order id" is order_id).
std::optional<std::string> attribute_key_from(std::string_view typed);

// How far ahead a chat may be snoozed.
inline constexpr std::chrono::hours max_snooze{24 * 366};

// A chat snoozed until the user writes again (Chatwoot's "until next
// reply"): a wake-up no clock reaches within max_snooze, so the idle sweep
// passes it by, every "is it snoozed" test stays one test, and the store
// keeps it as it keeps any time. 2200-01-01T00:00:00Z.
inline constexpr timestamp until_next_reply{std::chrono::milliseconds{7'258'118'400'000}};

// When a snoozed chat wakes by itself: nullopt when it is awake or waits
// for the user's next message.
inline std::optional<timestamp> snooze_wake_time(const conversation& c) {
    if (c.snoozed_until == until_next_reply) return std::nullopt;
    return c.snoozed_until;
}

// Whether no message has been written to or from the user yet: an
// imported contact, which the agents' lists leave out and POST
// /conversations opens (Chatwoot keeps contacts apart from conversations).
inline bool no_message_yet(const conversation& c) { return c.last_seq == 0; }

// The conversation of a phone nobody has heard from, as of `now`: what the
// engine starts an actor with, and what an erased one becomes again.
inline conversation new_conversation(std::string phone, timestamp now) {
    conversation c;
    c.phone = std::move(phone);
    c.created_at = c.updated_at = c.last_activity = now;
    return c;
}

// Since when the user has waited for an agent's answer in the open chat:
// nullopt without a chat, and when an agent had the last word.
inline std::optional<timestamp> waiting_since(const conversation& c) {
    return c.chat ? c.chat->waiting_since : std::nullopt;
}

// When an agent first answered the user in the open chat: nullopt without a
// chat, and before any agent has.
inline std::optional<timestamp> first_reply_at(const conversation& c) {
    return c.chat ? c.chat->first_response_at : std::nullopt;
}

// An open chat's answer clock: since when the user has waited for an
// agent's answer, and when an agent first answered.
struct answer_clock {
    std::optional<timestamp> waiting_since;
    std::optional<timestamp> first_reply_at;
    bool operator==(const answer_clock&) const = default;
};

inline answer_clock answer_clock_of(const conversation& c) {
    return {waiting_since(c), first_reply_at(c)};
}

// How a message in an open chat moves its clock, the one statement of a rule
// the actor keeps, implied_by_messages checks and clients that follow
// message events keep too (docs/api.md): the user's first message since an
// agent's answer starts the wait (a reaction or a notice asks for no
// answer); an agent's message to the user ends it (a private note does
// not), and the chat's first such message is its first reply.
inline answer_clock after_message(answer_clock t, const message& m) {
    if (m.from == sender::user && m.kind != "reaction" && m.kind != "system") {
        if (!t.waiting_since) t.waiting_since = m.at;
    } else if (m.from == sender::admin && m.kind != "note") {
        t.waiting_since.reset();
        if (!t.first_reply_at) t.first_reply_at = m.at;
    }
    return t;
}

// The team's reply-time targets (GET /sla), as Chatwoot's and Intercom's
// SLAs: minutes a user may wait for an agent's first answer in a chat, and
// for each answer after it, and minutes a chat may stay open before it is
// resolved (Chatwoot's resolution time); nullopt: no target. With
// `only_during_business_hours` (Chatwoot's policy of that name) a wait
// counts only the team's open time, so a night in the queue is not late.
struct reply_targets {
    // A team's own target of `none`: the standard's of that kind does not
    // hold the team's chats (the API's `false`). Only in a team's own.
    static constexpr std::int64_t none = 0;
    std::optional<std::int64_t> first_reply_minutes, next_reply_minutes;
    bool only_during_business_hours = false;
    std::optional<std::int64_t> resolution_minutes;
    bool any() const { return first_reply_minutes || next_reply_minutes || resolution_minutes; }
};

// The targets each conversation is held to: its team's, where the team
// sets its own (Chatwoot's SLA policies a team's chats take), else the
// standard ones (GET /sla). A team sets any of the three, or switches one
// off (reply_targets::none); those it leaves unset are the standard's, and
// `only_during_business_hours` is the standard's for every team.
struct reply_policy {
    reply_targets standard;
    std::map<std::string, reply_targets, std::less<>> by_team;  // whole: the standard's filled in
    const reply_targets& for_team(std::string_view team) const {
        auto it = team.empty() ? by_team.end() : by_team.find(team);
        return it == by_team.end() ? standard : it->second;
    }
    // Whether any conversation is held to a target, or to one of a kind
    // (&reply_targets::resolution_minutes, say).
    bool any() const {
        return standard.any() || std::any_of(by_team.begin(), by_team.end(), [](auto& t) { return t.second.any(); });
    }
    bool holds(std::optional<std::int64_t> reply_targets::*kind) const {
        return (standard.*kind).has_value() ||
               std::any_of(by_team.begin(), by_team.end(), [&](auto& t) { return (t.second.*kind).has_value(); });
    }
};

// The target a chat's current wait is held to, and when it is due: nullopt
// when the user waits for no answer, the chat is snoozed (put aside), or no
// target applies. `hours`: the team's (null when none are set), which a
// target only during business hours counts; otherwise every minute counts.
// The wall clock's due time is never later than the team's.
struct reply_deadline {
    std::string_view target;  // "first_reply", "next_reply" or "resolution", as chat.sla_missed names it
    std::int64_t minutes = 0;
    timestamp due{};
};
std::optional<reply_deadline> reply_due(const conversation& c, const reply_targets& t,
                                        const business_hours* hours);
// When the open chat is due to be resolved: nullopt without a chat or a
// resolution target. A snoozed chat counts on: it is not resolved.
std::optional<reply_deadline> resolution_due(const conversation& c, const reply_targets& t,
                                             const business_hours* hours);
// The targets a chat is past at `now` and has not been reported past yet:
// its user's current wait's, and its resolution's.
struct missed_targets {
    std::optional<reply_deadline> reply, resolution;
    bool any() const { return reply || resolution; }
};
missed_targets targets_missed(const conversation& c, const reply_targets& t, const business_hours* hours,
                              timestamp now);

// Whether a message becomes its conversation's preview.
inline bool moves_preview(const message& m) { return m.from != sender::bot && m.kind != "note"; }
void set_preview(conversation& c, const message& m);

// What a conversation's newest messages imply for it: the newest one's seq
// and times, the preview from the newest of them that moves it (`preview`,
// null when none does), and `user_messages` more unread (the
// user's among the messages since the conversation was last stored).
// A step that changes nothing else leaves the stored row alone, and
// restoring brings the row up to date through this.
void apply_newest_messages(conversation& c, const message& newest, const message* preview,
                           std::uint32_t user_messages);

// Whether `after` differs from `before` only by what `added` (this step's
// messages, oldest first) implies through apply_newest_messages.
bool implied_by_messages(const conversation& before, const conversation& after, const std::vector<message>& added);

// A conversation's key: an optional `+` (dropped) and 1 to 32 digits;
// nullopt for anything else. Every channel and route reads phones through this.
std::optional<std::string> normalize_phone(std::string_view raw);

// Unicode code points in UTF-8 text; nullopt when the bytes are not UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s);
// The first `n` code points (whole characters only).
std::string utf8_prefix(std::string_view s, std::size_t n);
std::string_view utf8_prefix_view(std::string_view s, std::size_t n);  // the same, into `s`

// Why `agent` may not send the user a message now, or nullopt when they
// may: only the agent who holds a live chat writes in it. What WhatsApp
// alone carries (`whatsapp_only`: "files", "templates") goes to WhatsApp
// users only.
std::optional<std::string> why_agent_cannot_send(const conversation& c, std::string_view agent,
                                                 std::string_view whatsapp_only = {});

}  // namespace switchboard::chat
