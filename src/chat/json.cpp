#include "switchboard/chat/json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

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

std::string webhook_answer(const std::vector<std::string>& replies, conv_state state) {
    boost::json::array list;
    for (auto& r : replies) list.push_back(boost::json::object{{"text", r}});
    boost::json::object o;
    o["replies"] = std::move(list);
    o["state"] = to_string(state);
    return boost::json::serialize(o);
}

}  // namespace switchboard::chat
