// The conversation list's parameters (GET /conversations), read and
// checked in one place: from a request's query, and from a saved view's
// query, which is checked when it is saved so that it always lists.
// Internal to src/api.
#pragma once

#include "switchboard/chat/engine.hpp"

#include <boost/json/object.hpp>

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::api {

struct api_context;

// The parameters that say what the list holds and in which order; a saved
// view keeps these, and a page's `cursor` and `limit` come with each request.
inline constexpr std::array<std::string_view, 9> list_param_names{"filter",   "order", "q",        "label",    "priority",
                                                                  "team",     "assignee", "channel", "attribute"};

struct list_params {
    bool queue_order = false;  // order=queue: the queue from its head
    std::string order_name = "activity";
    chat::list_query::only filter = chat::list_query::only::all;
    chat::list_query::order by = chat::list_query::order::activity;
    std::string q;  // in lower case; empty: no search
    std::optional<std::string> label;
    std::optional<chat::conv_priority> priority;
    std::optional<std::string> team;      // "": under no team
    std::optional<std::string> assignee;  // whose chats: an agent's username
    std::optional<chat::channel> via;     // which channel the user writes on (Chatwoot's inbox)
    // ?attribute=plan:Gold: the users with that detail (a custom attribute's,
    // as Chatwoot's filter), its value matched in any case; the value as typed.
    std::optional<std::pair<std::string, std::string>> attribute;
    // Whether any of label, priority, team, assignee, channel and attribute
    // narrows the list, and whether the conversation passes those that do.
    bool narrows() const { return label || priority || team || assignee || via || attribute; }
    bool passes(const chat::conversation& c) const;
};

// ?channel= of the list and of the contacts: whatsapp or plain; field_error
// naming `channel` for anything else.
chat::channel channel_param(std::string_view typed);

// Whether `q` (in lower case) is in the user's name, phone, labels or
// details: what a search of the list finds beside the messages' text, and
// a search of the contacts finds.
bool person_matches(const chat::conversation& c, std::string_view q);

// ?attribute=key:value of the list and of the contacts: a detail's key as
// PUT …/attributes keys it and a value; field_error naming `attribute` else.
std::pair<std::string, std::string> attribute_param(std::string_view typed);

// Whether the user has the detail `key` of `value`, in any case (`gold` is
// `Gold`): the list's and the contacts' ?attribute= and an automation's condition.
bool has_detail(const chat::conversation& c, std::string_view key, std::string_view value);

// A parameter's value by its name; nullopt when not given.
using param_lookup = std::function<std::optional<std::string>(std::string_view)>;
// The parameters in a saved view's query ({"filter":"active",…}), which it holds.
param_lookup params_in(boost::json::object query);

// field_error naming the parameter that does not read, or the rule two of
// them break together.
list_params read_list_params(api_context& ctx, const param_lookup& get);

}  // namespace switchboard::api
