#include "list_params.hpp"

#include "command_fields.hpp"
#include "request_helpers.hpp"

#include "switchboard/chat/conversation.hpp"
#include "switchboard/core/ascii_case.hpp"
#include "switchboard/http/message.hpp"

#include <algorithm>

namespace switchboard::api {

namespace {

chat::list_query::only filter_named(std::string_view f) {
    if (f == "all") return chat::list_query::only::all;
    if (f == "active") return chat::list_query::only::active;
    if (f == "queued") return chat::list_query::only::queued;
    if (f == "mine") return chat::list_query::only::assigned_to;
    if (f == "blocked") return chat::list_query::only::blocked;
    if (f == "snoozed") return chat::list_query::only::snoozed;
    if (f == "waiting") return chat::list_query::only::waiting;
    if (f == "following") return chat::list_query::only::followed_by;
    throw field_error{"filter", "filter must be all, active, queued, mine, waiting, snoozed, blocked or following"};
}

// ?team=: the conversations filed under that team (as typed), or `none`:
// those under no team. "" stands for none.
std::string team_named(const std::string& t) {
    if (t == "none") return {};
    auto name = chat::label_from(t);
    if (!name) throw field_error{"team", "team must be a team's name, or none"};
    return *name;
}

// ?assignee=: an agent there is, deactivated or not (their chats may not
// all have been handed on); a name nobody has is a typo, not an empty list.
std::string assignee_named(api_context& ctx, const std::string& name) {
    if (!ctx.agents.find(name)) throw field_error{"assignee", "assignee must be an agent's username; there is no " + name};
    return name;
}

}  // namespace

// A value of 1 to max_attribute_chars characters on one line.
std::pair<std::string, std::string> attribute_param(std::string_view typed) {
    auto colon = typed.find(':');
    auto key = chat::attribute_key_from(typed.substr(0, colon));
    auto value = colon == std::string_view::npos ? std::string() : std::string(chat::trim(typed.substr(colon + 1)));
    if (!key || !is_attribute_value(value))
        throw field_error{"attribute", "attribute must be a detail and its value, as plan:Gold"};
    return {std::move(*key), std::move(value)};
}

chat::channel channel_param(std::string_view typed) {
    auto via = chat::channel_from_string(typed);
    if (!via) throw field_error{"channel", "channel must be whatsapp or plain, or left out for both"};
    return *via;
}

bool list_params::passes(const chat::conversation& c) const {
    return (!label || std::binary_search(c.labels.begin(), c.labels.end(), *label)) &&
           (!priority || c.priority == *priority) && (!team || c.team == *team) &&
           (!assignee || c.assignee == *assignee) && (!via || c.via == *via) &&
           (!attribute || has_detail(c, attribute->first, attribute->second));
}

bool person_matches(const chat::conversation& c, std::string_view q) {
    auto labelled = [&](const std::string& l) { return l.find(q) != std::string::npos; };
    return contains_ignoring_case(c.name, q) || c.phone.find(q) != std::string::npos ||
           std::any_of(c.labels.begin(), c.labels.end(), labelled) ||
           std::any_of(c.attributes.begin(), c.attributes.end(),
                       [&](auto& a) { return contains_ignoring_case(a.second, q); });
}

bool has_detail(const chat::conversation& c, std::string_view key, std::string_view value) {
    return std::any_of(c.attributes.begin(), c.attributes.end(),
                       [&](auto& a) { return a.first == key && http::iequals(a.second, value); });
}

param_lookup params_in(boost::json::object query) {
    return [query = std::move(query)](std::string_view name) -> std::optional<std::string> {
        auto* v = query.if_contains(name);
        if (!v || !v->is_string()) return std::nullopt;
        return std::string(v->as_string());
    };
}

list_params read_list_params(api_context& ctx, const param_lookup& get) {
    list_params p;
    p.order_name = get("order").value_or("activity");
    p.filter = filter_named(get("filter").value_or("all"));
    p.q = ascii_lowered(get("q").value_or(""));
    if (auto l = get("label")) {
        p.label = chat::label_from(*l);
        if (!p.label) throw field_error{"label", "label must be a label: 1 to 32 characters of a-z, 0-9, - and _"};
    }
    if (auto v = get("priority")) p.priority = priority_field({{"priority", *v}});
    if (auto t = get("team")) p.team = team_named(*t);
    if (auto a = get("assignee")) p.assignee = assignee_named(ctx, *a);
    if (auto v = get("channel")) p.via = channel_param(*v);
    if (auto v = get("attribute")) p.attribute = attribute_param(*v);

    if (p.order_name == "queue") {
        if (p.filter != chat::list_query::only::queued || !p.q.empty() || p.narrows())
            throw field_error{"order", "order=queue lists the queue: use it with filter=queued and without q, label, "
                                       "priority, team, assignee, channel or attribute"};
        p.queue_order = true;
    } else if (p.order_name == "priority") {
        p.by = chat::list_query::order::priority;
    } else if (p.order_name == "waiting") {
        p.by = chat::list_query::order::waiting;
        if (p.filter != chat::list_query::only::waiting)
            throw field_error{"order", "order=waiting lists the chats that wait, longest first: use it with filter=waiting"};
    } else if (p.order_name != "activity") {
        throw field_error{"order", "order must be activity, priority, waiting or queue"};
    }
    return p;
}

}  // namespace switchboard::api
