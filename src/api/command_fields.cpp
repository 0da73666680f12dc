#include "command_fields.hpp"

#include "switchboard/auth/teams.hpp"
#include "switchboard/chat/conversation.hpp"
#include "switchboard/chat/json.hpp"
#include "switchboard/core/time.hpp"

#include <algorithm>

namespace switchboard::api {

chat::conv_priority priority_field(const boost::json::object& o) {
    auto* v = o.if_contains("priority");
    auto priority = v && v->is_string() ? chat::conv_priority_from_string(v->as_string()) : std::nullopt;
    if (!priority) throw field_error{"priority", "priority must be none, low, medium, high or urgent"};
    return *priority;
}

std::optional<timestamp> snooze_until_field(const boost::json::object& o) {
    constexpr std::string_view what = "until must be an ISO-8601 time (2026-12-05T09:00:00Z), \"next_reply\" or null";
    auto* v = o.if_contains("until");
    if (!v || !(v->is_null() || v->is_string())) throw field_error{"until", std::string(what)};
    if (v->is_null()) return std::nullopt;
    if (v->as_string() == next_reply_keyword) return chat::until_next_reply;
    auto until = parse_iso8601(v->as_string());
    if (!until) throw field_error{"until", std::string(what)};
    auto now = std::chrono::system_clock::now();
    if (*until <= now) throw field_error{"until", "until must be in the future"};
    if (*until - now > chat::max_snooze) throw field_error{"until", "a chat is snoozed for a year at most"};
    return until;
}

std::variant<auth::agent, std::string> assignable_agent(api_context& ctx, const std::string& name) {
    auto found = ctx.agents.find(name);
    if (!found) return "no agent named " + name;
    if (!found->active) return name + " is deactivated";
    return *found;
}

std::vector<std::string> usernames_field(api_context& ctx, const boost::json::object& o, std::string_view key,
                                         std::size_t most, const std::string& too_many, bool active_only) {
    auto refuse = [&](std::string why) { return field_error{std::string(key), std::move(why)}; };
    auto* v = o.if_contains(key);
    if (!v || !v->is_array()) throw refuse(std::string(key) + " must be an array of agents' usernames");
    std::vector<std::string> names;
    for (auto& n : v->as_array()) {
        if (!n.is_string()) throw refuse(std::string(key) + " must be an array of agents' usernames");
        auto name = std::string(n.as_string());
        if (std::find(names.begin(), names.end(), name) != names.end()) continue;
        // Deactivated agents are refused only when `active_only`; unknown ones always.
        auto found = assignable_agent(ctx, name);
        if (auto* why = std::get_if<std::string>(&found); why && (active_only || !ctx.agents.find(name)))
            throw refuse(std::move(*why));
        names.push_back(std::move(name));
    }
    if (names.size() > most) throw refuse(too_many);
    return names;
}

auth::agent active_agent_field(api_context& ctx, const boost::json::object& o, std::string_view key) {
    auto found = assignable_agent(ctx, string_field(o, key, true, 64));
    if (auto* why = std::get_if<std::string>(&found)) throw field_error{std::string(key), std::move(*why)};
    return std::get<auth::agent>(std::move(found));
}

std::optional<std::string> missing_team(api_context& ctx, const std::string& name) {
    if (ctx.teams.exists(name)) return std::nullopt;
    return "no team named " + name;
}

std::string team_field(api_context& ctx, const boost::json::object& o) {
    auto* v = o.if_contains("team");
    if (!v || !(v->is_null() || v->is_string()))
        throw field_error{"team", "team must be a team's name, or null for none"};
    if (v->is_null()) return {};
    auto name = chat::label_from(v->as_string());
    if (!name) throw field_error{"team", "no team named " + std::string(v->as_string())};
    if (auto why = missing_team(ctx, *name)) throw field_error{"team", std::move(*why)};
    return std::move(*name);
}

std::string closing_message_field(const boost::json::object& o) {
    return string_field(o, "message", false, max_text_chars);
}

std::optional<std::string> label_value(const boost::json::value& v) {
    return v.is_string() ? chat::label_from(v.as_string()) : std::nullopt;
}

void add_label_once(std::vector<std::string>& labels, std::string label) {
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(std::move(label));
}

namespace {

// field_error naming `field` (its message after `where`) past max_labels.
void within_max_labels(const std::vector<std::string>& labels, const std::string& field, const std::string& where) {
    if (labels.size() > chat::max_labels)
        throw field_error{field, where + "a conversation has at most " + std::to_string(chat::max_labels) + " labels"};
}

}  // namespace

std::vector<std::string> labels_field(const boost::json::object& o, std::string_view key) {
    auto field = std::string(key);
    auto* v = o.if_contains(key);
    if (!v || !v->is_array()) throw field_error{field, field + " must be an array of labels"};
    std::vector<std::string> labels;
    for (auto& l : v->as_array()) {
        auto label = label_value(l);
        if (!label) throw field_error{field, std::string(label_rule)};
        add_label_once(labels, std::move(*label));
    }
    within_max_labels(labels, field, "");
    return labels;
}

std::vector<std::string> labels_in_text(std::string_view typed, const std::string& field, const std::string& where) {
    std::vector<std::string> labels;
    std::size_t at = 0;
    while (at <= typed.size()) {
        auto end = std::min(typed.find_first_of(",;", at), typed.size());
        auto one = chat::trim(typed.substr(at, end - at));
        at = end + 1;
        if (one.empty()) continue;
        auto label = chat::label_from(one);
        if (!label) throw field_error{field, where + "\"" + std::string(one) + "\": " + std::string(label_rule)};
        add_label_once(labels, std::move(*label));
    }
    within_max_labels(labels, field, where);
    return labels;
}

bool is_attribute_value(std::string_view text) {
    auto chars = chat::utf8_length(text).value_or(0);
    return chars > 0 && chars <= chat::max_attribute_chars && one_line(text);
}

// The contacts' file has columns of these names (POST /contacts/import
// reads them, the export writes them): a detail so named would be written
// twice there, and read back as the column.
bool is_contact_column(std::string_view key) {
    return key == "phone" || key == "phone_number" || key == "name" || key == "labels" || key == "channel";
}

std::vector<std::pair<std::string, std::string>> attributes_field(const boost::json::object& o) {
    auto* v = o.if_contains("attributes");
    if (!v || !v->is_object()) throw field_error{"attributes", "attributes must be an object of names and texts"};
    if (v->as_object().size() > chat::max_attributes)
        throw field_error{"attributes",
                          "a conversation has at most " + std::to_string(chat::max_attributes) + " attributes"};
    std::vector<std::pair<std::string, std::string>> attributes;
    for (auto& [typed_key, value] : v->as_object()) {
        auto key = chat::attribute_key_from(typed_key);
        if (!key)
            throw field_error{"attributes",
                              "an attribute's name is 1 to 32 characters of a-z, 0-9, - and _ (spaces become _)"};
        if (std::any_of(attributes.begin(), attributes.end(), [&](auto& a) { return a.first == *key; }))
            throw field_error{"attributes", "the attribute " + *key + " is named twice"};
        if (is_contact_column(*key))
            throw field_error{"attributes", "an attribute cannot be named " + *key +
                                                ": the contacts' file has a column of that name"};
        auto text = value.is_string() ? std::string(chat::trim(value.as_string())) : std::string();
        if (!is_attribute_value(text))
            throw field_error{"attributes", "the attribute " + *key + " must be a text of 1 to " +
                                                std::to_string(chat::max_attribute_chars) + " characters on one line"};
        attributes.emplace_back(std::move(*key), std::move(text));
    }
    return attributes;
}

boost::asio::awaitable<boost::json::object> conversation_after(api_context& ctx, const chat::conversation& c) {
    std::optional<std::size_t> position;
    if (c.queued_at) {
        auto phone = c.phone;  // a named local: no temporaries inside co_await (GCC 12)
        if (auto v = co_await ctx.engine.view(phone)) position = v->queue_position;
    }
    co_return chat::to_json(c, position);
}

}  // namespace switchboard::api
