#include "switchboard/chat/json.hpp"

#include "switchboard/core/json_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <cassert>
#include <charconv>
#include <cstring>

namespace switchboard::chat {

namespace {
boost::json::value optional_time(const std::optional<timestamp>& t) {
    if (!t) return nullptr;
    return boost::json::value(to_iso8601(*t));
}
boost::json::value optional_text(const std::string& s) {
    if (s.empty()) return nullptr;
    return boost::json::value(s);
}
}  // namespace

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
    if (c.last_seq == 0)
        o["last_message"] = nullptr;
    else
        o["last_message"] = {{"text", c.last_message}, {"sender", to_string(c.last_sender)}, {"seq", c.last_seq}};
    o["created_at"] = to_iso8601(c.created_at);
    o["updated_at"] = to_iso8601(c.updated_at);
    return o;
}

namespace {

// Field writers: `"key":value` with the comma handled by the caller's order.
// Keys are this file's own literals: plain ASCII, never escaped.
struct writer {
    std::string& out;
    bool first = true;
    explicit writer(std::string& to) : out(to) { out += '{'; }
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
    void number(std::uint64_t v) {
        char buf[24];
        auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
        out.append(buf, end);
    }
    void str(std::string_view k, std::string_view v) { key(k), append_json_string(out, v); }
    // A name of ours (a state, a sender, a status): never needs escaping.
    void name(std::string_view k, std::string_view v) { key(k), append_json_quoted(out, v); }
    void str_or_null(std::string_view k, const std::string& v) {
        key(k);
        if (v.empty()) out += "null";
        else append_json_string(out, v);
    }
    void num(std::string_view k, std::uint64_t v) { key(k), number(v); }
    void boolean(std::string_view k, bool v) { key(k), out += v ? "true" : "false"; }
    // ISO-8601 needs no escaping.
    void time(std::string_view k, timestamp t) {
        key(k);
        out += '"';
        append_iso8601(out, t);
        out += '"';
    }
    void time_or_null(std::string_view k, const std::optional<timestamp>& t) {
        if (t) return time(k, *t);
        key(k);
        out += "null";
    }
    void done() { out += '}'; }
};

}  // namespace

void append_message_json(std::string& out, const message& m) {
    writer w(out);
    w.str("id", m.id);
    w.str("conversation", m.phone);
    w.num("seq", m.seq);
    w.name("sender", to_string(m.from));
    w.str_or_null("agent", m.agent);
    w.str("text", m.text);
    w.str("type", m.kind);
    w.time("timestamp", m.at);
    w.name("status", to_string(m.status));
    if (!m.client_id.empty()) w.str("client_id", m.client_id);
    w.done();
}

void append_conversation_json(std::string& out, const conversation& c, std::optional<std::size_t> queue_position) {
    writer w(out);
    w.str("phone", c.phone);
    w.str("name", c.name);
    w.boolean("registered", c.registered);
    w.name("state", to_string(c.state));
    w.boolean("is_chat_support", c.chat_support_active);
    w.boolean("in_chat_support", c.in_chat_support);
    w.boolean("chat_support_active", c.chat_support_active);
    w.time_or_null("chat_start_time", c.chat_start_time);
    w.str_or_null("support_ticket_id", c.support_ticket_id);
    w.str_or_null("assignee", c.assignee);
    w.key("queue_position");
    if (queue_position) w.number(*queue_position);
    else w.out += "null";
    w.time_or_null("queued_at", c.queued_at);
    w.name("channel", to_string(c.via));
    w.num("unread", c.unread);
    w.key("last_message");
    if (c.last_seq == 0) {
        w.out += "null";
    } else {
        w.out += "{\"text\":";
        append_json_string(w.out, c.last_message);
        w.out += ",\"sender\":";
        append_json_string(w.out, to_string(c.last_sender));
        w.out += ",\"seq\":";
        w.number(c.last_seq);
        w.out += '}';
    }
    w.time("created_at", c.created_at);
    w.time("updated_at", c.updated_at);
    w.done();
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

std::string webhook_answer(const std::vector<std::string>& replies, conv_state state) {
    std::size_t size = 64;
    for (auto& r : replies) size += r.size() + 16;
    std::string out;
    out.reserve(size);
    out += "{\"replies\":[";
    for (std::size_t i = 0; i < replies.size(); ++i) {
        out += i ? ",{\"text\":" : "{\"text\":";
        append_json_string(out, replies[i]);
        out += '}';
    }
    out += "],\"state\":";
    append_json_string(out, to_string(state));
    out += '}';
    return out;
}

}  // namespace switchboard::chat
