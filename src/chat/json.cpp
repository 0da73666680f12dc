#include "switchboard/chat/json.hpp"

#include "switchboard/chat/bot.hpp"
#include "switchboard/core/json_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstring>

namespace switchboard::chat {

boost::json::value optional_time(const std::optional<timestamp>& t) {
    if (!t) return nullptr;
    return boost::json::value(to_iso8601(*t));
}
boost::json::value optional_text(const std::string& s) {
    if (s.empty()) return nullptr;
    return boost::json::value(s);
}

std::string attachment_url(const message& m) {
    return "/conversations/" + m.phone + "/messages/" + std::to_string(m.seq) + "/media";
}

boost::json::object to_json(const message& m) {
    boost::json::object o;
    o["id"] = m.id;
    o["conversation"] = m.phone;
    o["seq"] = m.seq;
    o["sender"] = to_string(m.from);
    o["agent"] = optional_text(m.agent);
    o["text"] = m.text;
    o["type"] = m.kind;
    o["timestamp"] = to_iso8601(m.at);
    o["status"] = to_string(m.status);
    if (!m.client_id.empty()) o["client_id"] = m.client_id;
    if (!m.error.empty()) o["error"] = m.error;
    if (m.reply_to) o["reply_to"] = m.reply_to;
    if (is_deleted_note(m)) o["deleted"] = true;
    if (was_edited(m)) o["edited_at"] = to_iso8601(m.edited_at);
    if (m.media) {
        boost::json::object a{{"mime_type", m.media->mime_type}};
        if (!m.media->filename.empty()) a["filename"] = m.media->filename;
        a["url"] = attachment_url(m);
        o["attachment"] = std::move(a);
    }
    if (m.choices) o["choices"] = boost::json::parse(*m.choices);
    return o;
}

boost::json::object to_json(const conversation& c, std::optional<std::size_t> queue_position) {
    boost::json::object o;
    o["phone"] = c.phone;
    o["name"] = c.name;
    o["registered"] = c.registered;
    o["state"] = to_string(c.state);
    o["is_chat_support"] = c.chat_support_active;
    o["in_chat_support"] = c.in_chat_support;
    o["chat_support_active"] = c.chat_support_active;
    o["chat_start_time"] = optional_time(c.chat_start_time);
    o["support_ticket_id"] = optional_text(c.support_ticket_id);
    o["assignee"] = optional_text(c.assignee);
    o["queue_position"] = queue_position ? boost::json::value(*queue_position) : boost::json::value(nullptr);
    o["queued_at"] = optional_time(c.queued_at);
    o["channel"] = to_string(c.via);
    o["unread"] = c.unread;
    o["read_seq"] = c.read_seq;
    o["undelivered"] = c.undelivered;
    if (c.last_message_seq == 0)
        o["last_message"] = nullptr;
    else
        o["last_message"] = {{"text", c.last_message},
                             {"type", c.last_message_kind},
                             {"sender", to_string(c.last_sender)},
                             {"seq", c.last_message_seq}};
    boost::json::array labels;
    for (auto& l : c.labels) labels.emplace_back(l);
    o["labels"] = std::move(labels);
    o["participants"] = boost::json::array(c.participants.begin(), c.participants.end());
    o["blocked"] = c.blocked;
    o["muted"] = c.muted;
    o["priority"] = to_string(c.priority);
    o["team"] = optional_text(c.team);
    o["snoozed"] = c.snoozed_until.has_value();
    o["snoozed_until"] = optional_time(snooze_wake_time(c));
    o["waiting_since"] = optional_time(waiting_since(c));
    o["first_reply_at"] = optional_time(first_reply_at(c));
    boost::json::object attributes;
    for (auto& [k, v] : c.attributes) attributes[k] = v;
    o["attributes"] = std::move(attributes);
    o["created_at"] = to_iso8601(c.created_at);
    o["updated_at"] = to_iso8601(c.updated_at);
    o["last_activity_at"] = to_iso8601(c.last_activity);
    return o;
}

namespace {

std::size_t decimal_digits(std::uint64_t v) {
    std::size_t n = 1;
    for (; v >= 10; v /= 10) ++n;
    return n;
}

// Three writers with one interface, so that each record's fields are listed
// once (write_message, write_conversation): `sizer` counts the bytes a record
// takes when none of its strings needs escaping, `room_writer` then writes
// them into room made for exactly that, with no size check per append, and
// `string_writer` appends with escaping, for the rare record that needs it.
// Keys are this file's own literals: plain ASCII, never escaped.
struct sizer {
    std::size_t n = 1;  // the opening brace
    bool first = true;
    void key(std::string_view k) {
        n += k.size() + 3 + (first ? 0 : 1);  // the quotes, the colon and the comma
        first = false;
    }
    void lit(std::string_view s) { n += s.size(); }
    void string(std::string_view s) { n += s.size() + 2; }
    void name(std::string_view s) { string(s); }
    void number(std::uint64_t v) { n += decimal_digits(v); }
    void time(timestamp) { n += iso8601_chars + 2; }
    void done() { ++n; }
};

struct room_writer {
    char* p;
    bool first = true;
    explicit room_writer(char* at) : p(at) { *p++ = '{'; }
    void copy(std::string_view s) {
        if (!s.empty()) std::memcpy(p, s.data(), s.size());
        p += s.size();
    }
    void key(std::string_view k) {
        if (!first) *p++ = ',';
        first = false;
        *p++ = '"';
        copy(k);
        *p++ = '"';
        *p++ = ':';
    }
    void lit(std::string_view s) { copy(s); }
    void string(std::string_view s) {
        *p++ = '"';
        copy(s);
        *p++ = '"';
    }
    void name(std::string_view s) { string(s); }
    void number(std::uint64_t v) { p = std::to_chars(p, p + 20, v).ptr; }
    void time(timestamp t) {
        *p++ = '"';
        p = write_iso8601(p, t);
        *p++ = '"';
    }
    void done() { *p++ = '}'; }
};

struct string_writer {
    std::string& out;
    bool first = true;
    explicit string_writer(std::string& to) : out(to) { out += '{'; }
    // One append per key: keys are this file's literals, all short.
    void key(std::string_view k) {
        assert(k.size() <= 40);
        char buf[48];
        std::size_t n = 0;
        if (!first) buf[n++] = ',';
        first = false;
        buf[n++] = '"';
        std::memcpy(buf + n, k.data(), k.size());
        n += k.size();
        buf[n++] = '"';
        buf[n++] = ':';
        out.append(buf, n);
    }
    void lit(std::string_view s) { out += s; }
    void string(std::string_view s) { append_json_string(out, s); }
    // A name of ours (a state, a sender, a status): never needs escaping.
    void name(std::string_view s) { append_json_quoted(out, s); }
    void number(std::uint64_t v) {
        char buf[24];
        auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
        out.append(buf, end);
    }
    void time(timestamp t) {
        out += '"';
        append_iso8601(out, t);
        out += '"';
    }
    void done() { out += '}'; }
};

template <class W>
void str(W& w, std::string_view k, std::string_view v) {
    w.key(k);
    w.string(v);
}
template <class W>
void name(W& w, std::string_view k, std::string_view v) {
    w.key(k);
    w.name(v);
}
template <class W>
void str_or_null(W& w, std::string_view k, std::string_view v) {
    w.key(k);
    if (v.empty()) w.lit("null");
    else w.string(v);
}
template <class W>
void num(W& w, std::string_view k, std::uint64_t v) {
    w.key(k);
    w.number(v);
}
template <class W>
void boolean(W& w, std::string_view k, bool v) {
    w.key(k);
    w.lit(v ? "true" : "false");
}
template <class W>
void time(W& w, std::string_view k, timestamp t) {
    w.key(k);
    w.time(t);
}
template <class W>
void time_or_null(W& w, std::string_view k, const std::optional<timestamp>& t) {
    w.key(k);
    if (t) w.time(*t);
    else w.lit("null");
}

template <class W>
void strings(W& w, std::string_view k, const std::vector<std::string>& v) {
    w.key(k);
    w.lit("[");
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) w.lit(",");
        w.string(v[i]);
    }
    w.lit("]");
}

template <class W>
void write_message(W& w, const message& m) {
    str(w, "id", m.id);
    str(w, "conversation", m.phone);
    num(w, "seq", m.seq);
    name(w, "sender", to_string(m.from));
    str_or_null(w, "agent", m.agent);
    str(w, "text", m.text);
    str(w, "type", m.kind);
    time(w, "timestamp", m.at);
    name(w, "status", to_string(m.status));
    if (!m.client_id.empty()) str(w, "client_id", m.client_id);
    if (!m.error.empty()) str(w, "error", m.error);
    if (m.reply_to) num(w, "reply_to", m.reply_to);
    if (is_deleted_note(m)) boolean(w, "deleted", true);
    if (was_edited(m)) time(w, "edited_at", m.edited_at);
    if (m.media) {
        w.key("attachment");
        w.lit("{\"mime_type\":");
        w.string(m.media->mime_type);
        if (!m.media->filename.empty()) {
            w.lit(",\"filename\":");
            w.string(m.media->filename);
        }
        w.lit(",\"url\":");
        w.string(attachment_url(m));
        w.lit("}");
    }
    // JSON already: only a list of choices is kept (kept_choices).
    if (m.choices) {
        w.key("choices");
        w.lit(*m.choices);
    }
    w.done();
}

template <class W>
void write_conversation(W& w, const conversation& c, std::optional<std::size_t> queue_position) {
    str(w, "phone", c.phone);
    str(w, "name", c.name);
    boolean(w, "registered", c.registered);
    name(w, "state", to_string(c.state));
    boolean(w, "is_chat_support", c.chat_support_active);
    boolean(w, "in_chat_support", c.in_chat_support);
    boolean(w, "chat_support_active", c.chat_support_active);
    time_or_null(w, "chat_start_time", c.chat_start_time);
    str_or_null(w, "support_ticket_id", c.support_ticket_id);
    str_or_null(w, "assignee", c.assignee);
    w.key("queue_position");
    if (queue_position) w.number(*queue_position);
    else w.lit("null");
    time_or_null(w, "queued_at", c.queued_at);
    name(w, "channel", to_string(c.via));
    num(w, "unread", c.unread);
    num(w, "read_seq", c.read_seq);
    num(w, "undelivered", c.undelivered);
    w.key("last_message");
    if (c.last_message_seq == 0) {
        w.lit("null");
    } else {
        w.lit("{\"text\":");
        w.string(c.last_message);
        w.lit(",\"type\":");
        w.string(c.last_message_kind);
        w.lit(",\"sender\":");
        w.name(to_string(c.last_sender));
        w.lit(",\"seq\":");
        w.number(c.last_message_seq);
        w.lit("}");
    }
    strings(w, "labels", c.labels);
    strings(w, "participants", c.participants);
    boolean(w, "blocked", c.blocked);
    boolean(w, "muted", c.muted);
    w.key("priority");
    w.name(to_string(c.priority));
    str_or_null(w, "team", c.team);
    boolean(w, "snoozed", c.snoozed_until.has_value());
    time_or_null(w, "snoozed_until", snooze_wake_time(c));
    time_or_null(w, "waiting_since", waiting_since(c));
    time_or_null(w, "first_reply_at", first_reply_at(c));
    w.key("attributes");
    w.lit("{");
    for (std::size_t i = 0; i < c.attributes.size(); ++i) {
        if (i) w.lit(",");
        w.string(c.attributes[i].first);
        w.lit(":");
        w.string(c.attributes[i].second);
    }
    w.lit("}");
    time(w, "created_at", c.created_at);
    time(w, "updated_at", c.updated_at);
    time(w, "last_activity_at", c.last_activity);
    w.done();
}

template <class... Texts>
bool none_needs_escape(const Texts&... texts) {
    return (!needs_json_escape(texts) && ...);
}

// The fields of a record, for any of the three writers.
auto fields_of(const message& m) {
    return [&m](auto& w) { write_message(w, m); };
}
auto fields_of(const conversation& c, std::optional<std::size_t> queue_position) {
    return [&c, queue_position](auto& w) { write_conversation(w, c, queue_position); };
}

template <class Fields>
std::size_t size_of(Fields fields) {
    sizer size;
    fields(size);
    return size.n;
}

// `plain`: no string of the record needs escaping (nearly always). It is
// then written into room made for it: one resize instead of an append, and
// its capacity check, per field. The public writers below are flattened,
// each field's writer inlined, so that a key's copy is a store or two of a
// known length. The record is sized here although the step has just sized
// it to reserve room: trusting a size from outside would let a wrong one
// write past the room. Sizing again costs about 50 instructions a record.
template <class Fields>
void append_record(std::string& out, Fields fields, bool plain) {
    if (!plain) {
        string_writer w(out);
        return fields(w);
    }
    auto at = out.size();
    out.resize(at + size_of(fields));
    room_writer w(out.data() + at);
    fields(w);
    assert(w.p == out.data() + out.size());
}

}  // namespace

[[gnu::flatten]] std::size_t message_json_size(const message& m) { return size_of(fields_of(m)); }

[[gnu::flatten]] std::size_t conversation_json_size(const conversation& c, std::optional<std::size_t> queue_position) {
    return size_of(fields_of(c, queue_position));
}

[[gnu::flatten]] void append_message_json(std::string& out, const message& m) {
    append_record(out, fields_of(m),
                  none_needs_escape(m.id, m.phone, m.agent, m.text, m.kind, m.client_id, m.error) &&
                      (!m.media || none_needs_escape(m.media->mime_type, m.media->filename)));
}

[[gnu::flatten]] void append_conversation_json(std::string& out, const conversation& c,
                                               std::optional<std::size_t> queue_position) {
    append_record(out, fields_of(c, queue_position),
                  none_needs_escape(c.phone, c.name, c.support_ticket_id, c.assignee, c.last_message,
                                    c.last_message_kind, c.team) &&
                      std::none_of(c.labels.begin(), c.labels.end(), needs_json_escape) &&
                      std::none_of(c.participants.begin(), c.participants.end(), needs_json_escape) &&
                      std::none_of(c.attributes.begin(), c.attributes.end(),
                                   [](auto& a) { return needs_json_escape(a.first) || needs_json_escape(a.second); }));
}

std::string message_json(const message& m) {
    std::string out;
    out.reserve(384);
    append_message_json(out, m);
    return out;
}

std::string conversation_json(const conversation& c, std::optional<std::size_t> queue_position) {
    std::string out;
    out.reserve(512);
    append_conversation_json(out, c, queue_position);
    return out;
}

std::string webhook_answer(const std::vector<std::string>& replies, const bot_choices* offered, conv_state state) {
    std::size_t size = 64;
    for (auto& r : replies) size += r.size() + 16;
    std::string out;
    out.reserve(size);
    out += "{\"replies\":[";
    for (std::size_t i = 0; i < replies.size(); ++i) {
        out += i ? ",{\"text\":" : "{\"text\":";
        append_json_string(out, replies[i]);
        if (offered && i + 1 == replies.size()) {
            out += ",\"choices\":";
            out += offered->json;
        }
        out += '}';
    }
    out += "],\"state\":";
    append_json_string(out, to_string(state));
    out += '}';
    return out;
}

}  // namespace switchboard::chat
