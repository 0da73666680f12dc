#include "switchboard/chat/conversation.hpp"

#include "switchboard/chat/business_hours.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>

namespace switchboard::chat {

namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<E>(i);
    return std::nullopt;
}

constexpr std::array<std::string_view, 4> state_names{"IDLE", "REGISTERING", "CHAT_SUPPORT_ACTIVE", "RATING"};
constexpr std::array<std::string_view, 3> sender_names{"user", "admin", "bot"};
constexpr std::array<std::string_view, 5> status_names{"received", "sent", "delivered", "read", "failed"};
constexpr std::array<std::string_view, 2> channel_names{"plain", "whatsapp"};
constexpr std::array<std::string_view, 5> priority_names{"none", "low", "medium", "high", "urgent"};

}  // namespace

std::string_view to_string(conv_state s) { return state_names[static_cast<std::size_t>(s)]; }
std::string_view to_string(sender s) { return sender_names[static_cast<std::size_t>(s)]; }
std::string_view to_string(message_status s) { return status_names[static_cast<std::size_t>(s)]; }
std::string_view to_string(channel c) { return channel_names[static_cast<std::size_t>(c)]; }
std::string_view to_string(conv_priority p) { return priority_names[static_cast<std::size_t>(p)]; }

bool is_media_kind(std::string_view kind) {
    return std::find(media_kinds.begin(), media_kinds.end(), kind) != media_kinds.end();
}

bool is_media_id(std::string_view id) {
    auto token_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'; };
    return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), token_char);
}

std::string checked_mime_type(std::string mime_type) {
    auto printable = [](char c) { return c >= 0x20 && c < 0x7f; };
    if (mime_type.empty() || mime_type.size() > 127 || !std::all_of(mime_type.begin(), mime_type.end(), printable))
        return "application/octet-stream";
    return mime_type;
}

namespace {

// Trimmed, lower case, each run of white space inside as `space_as`; 1 to
// 32 characters of a-z, 0-9, `-` and `_`.
std::optional<std::string> token_from(std::string_view typed, char space_as) {
    constexpr std::size_t max_label_chars = 32;
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!typed.empty() && space(typed.front())) typed.remove_prefix(1);
    while (!typed.empty() && space(typed.back())) typed.remove_suffix(1);
    std::string out;
    for (char c : typed) {
        if (space(c)) {
            if (out.empty() || out.back() != space_as) out.push_back(space_as);
            continue;
        }
        auto lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!(std::isalnum(static_cast<unsigned char>(lower)) || lower == '-' || lower == '_') ||
            static_cast<unsigned char>(c) >= 0x80)
            return std::nullopt;
        out.push_back(lower);
    }
    if (out.empty() || out.size() > max_label_chars) return std::nullopt;
    return out;
}

}  // namespace

std::optional<std::string> label_from(std::string_view typed) { return token_from(typed, '-'); }

std::optional<std::string> attribute_key_from(std::string_view typed) { return token_from(typed, '_'); }

std::optional<std::string> why_agent_cannot_send(const conversation& c, std::string_view agent,
                                                 std::string_view whatsapp_only) {
    if (!c.chat_support_active) return "no chat is active with " + c.phone;
    if (c.assignee != agent) return c.assignee.empty() ? "start the chat before sending" : "the chat is assigned to " + c.assignee;
    if (!whatsapp_only.empty() && c.via != channel::whatsapp)
        return std::string(whatsapp_only) + " can be sent only to WhatsApp users";
    return std::nullopt;
}

std::string checked_filename(std::string filename) {
    constexpr std::size_t max_filename_chars = 255;
    std::erase_if(filename, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    return utf8_prefix(filename, max_filename_chars);
}
std::optional<conv_state> conv_state_from_string(std::string_view s) { return lookup<conv_state>(state_names, s); }
std::optional<sender> sender_from_string(std::string_view s) { return lookup<sender>(sender_names, s); }
std::optional<message_status> message_status_from_string(std::string_view s) {
    return lookup<message_status>(status_names, s);
}
std::optional<channel> channel_from_string(std::string_view s) { return lookup<channel>(channel_names, s); }
std::optional<conv_priority> conv_priority_from_string(std::string_view s) {
    return lookup<conv_priority>(priority_names, s);
}

bool status_may_advance(message_status current, message_status next) {
    if (current == message_status::failed) return false;
    if (next == message_status::failed) return current == message_status::received || current == message_status::sent;
    return static_cast<int>(next) > static_cast<int>(current);
}

std::optional<std::string> normalize_phone(std::string_view raw) {
    if (!raw.empty() && raw.front() == '+') raw.remove_prefix(1);
    if (raw.empty() || raw.size() > 32) return std::nullopt;
    for (char c : raw)
        if (c < '0' || c > '9') return std::nullopt;
    return std::string(raw);
}

std::optional<std::size_t> utf8_length(std::string_view s) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) return std::nullopt;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return std::nullopt;
        i += len;
        ++count;
    }
    return count;
}

std::string_view utf8_prefix_view(std::string_view s, std::size_t n) {
    if (s.size() <= n) return s;  // no more characters than bytes: all of it
    std::size_t i = 0;
    for (std::size_t count = 0; i < s.size() && count < n; ++count) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
        i = std::min(s.size(), i + len);
    }
    return s.substr(0, i);
}

std::string utf8_prefix(std::string_view s, std::size_t n) { return std::string(utf8_prefix_view(s, n)); }

void set_preview(conversation& c, const message& m) {
    c.last_message.assign(utf8_prefix_view(m.text, last_message_preview_chars));  // in the string's own room
    c.last_message_kind = m.kind;
    c.last_sender = m.from;
    c.last_message_seq = m.seq;
}

void apply_newest_messages(conversation& c, const message& newest, const message* preview,
                           std::uint32_t user_messages) {
    c.last_seq = newest.seq;
    if (preview) set_preview(c, *preview);
    c.updated_at = newest.at;
    c.last_activity = newest.at;
    c.unread += user_messages;
}

namespace {

timestamp due_after(timestamp since, std::int64_t minutes, const reply_targets& t, const business_hours* hours) {
    std::chrono::minutes allowed{minutes};
    return t.only_during_business_hours && hours ? hours->after_open_seconds(since, allowed) : since + allowed;
}

}  // namespace

std::optional<reply_deadline> reply_due(const conversation& c, const reply_targets& t, const business_hours* hours) {
    auto since = waiting_since(c);
    if (!since || c.snoozed_until) return std::nullopt;
    bool first = !first_reply_at(c);
    auto minutes = first ? t.first_reply_minutes : t.next_reply_minutes;
    if (!minutes) return std::nullopt;
    return reply_deadline{first ? "first_reply" : "next_reply", *minutes, due_after(*since, *minutes, t, hours)};
}

std::optional<reply_deadline> resolution_due(const conversation& c, const reply_targets& t,
                                             const business_hours* hours) {
    if (!c.chat || c.chat->closed_at || !t.resolution_minutes) return std::nullopt;
    return reply_deadline{"resolution", *t.resolution_minutes,
                          due_after(c.chat->opened_at, *t.resolution_minutes, t, hours)};
}

missed_targets targets_missed(const conversation& c, const reply_targets& t, const business_hours* hours,
                              timestamp now) {
    missed_targets out;
    if (!c.chat) return out;
    // The wall clock's due time first: it is never later than the team's,
    // and most chats are not due by it.
    auto past = [&](auto due_on) -> std::optional<reply_deadline> {
        auto due = due_on(nullptr);
        if (!due || due->due > now) return std::nullopt;
        if (!t.only_during_business_hours || !hours) return due;
        due = due_on(hours);
        return due->due <= now ? due : std::nullopt;
    };
    if (c.chat->target_missed_for != c.chat->waiting_since)
        out.reply = past([&](const business_hours* h) { return reply_due(c, t, h); });
    if (!c.chat->resolution_missed)
        out.resolution = past([&](const business_hours* h) { return resolution_due(c, t, h); });
    return out;
}

bool implied_by_messages(const conversation& before, const conversation& after, const std::vector<message>& added) {
    auto stored_alone = [](const conversation& c) {
        return std::tie(c.phone, c.name, c.registered, c.state, c.in_chat_support, c.chat_support_active,
                        c.chat_start_time, c.support_ticket_id, c.assignee, c.queued_at, c.rated_ticket_id,
                        c.rated_agent, c.via, c.wa_phone_number_id, c.read_seq, c.undelivered, c.created_at, c.labels,
                        c.participants, c.blocked, c.muted, c.priority, c.team, c.attributes, c.snoozed_until);
    };
    auto implied = [](const conversation& c) {
        return std::tie(c.last_seq, c.unread, c.last_message, c.last_message_kind, c.last_sender, c.last_message_seq,
                        c.updated_at, c.last_activity);
    };
    if (stored_alone(before) != stored_alone(after)) return false;
    const message* newest = nullptr;
    const message* preview = nullptr;
    std::uint32_t users = 0;
    // Kept with the chat, not the row; the messages move it.
    auto clock = answer_clock_of(before);
    for (auto& m : added) {
        if (m.seq <= before.last_seq) continue;  // an update of an older message implies nothing
        if (m.seq != (newest ? newest->seq : before.last_seq) + 1) return false;
        newest = &m;
        if (m.from == sender::user) ++users;
        if (moves_preview(m)) preview = &m;
        if (after.chat) clock = after_message(clock, m);
    }
    if (clock != answer_clock_of(after)) return false;
    if (!newest) return implied(before) == implied(after);
    bool preview_implied =
        preview ? after.last_message_seq == preview->seq && after.last_sender == preview->from &&
                      after.last_message == utf8_prefix_view(preview->text, last_message_preview_chars) &&
                      after.last_message_kind == preview->kind
                : after.last_message_seq == before.last_message_seq && after.last_sender == before.last_sender &&
                      after.last_message == before.last_message && after.last_message_kind == before.last_message_kind;
    return preview_implied && after.last_seq == newest->seq && after.unread == before.unread + users &&
           after.updated_at == newest->at && after.last_activity == newest->at;
}

}  // namespace switchboard::chat
