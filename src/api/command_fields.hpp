// What the conversation commands read from a body, read alike by a
// conversation's own route and by the bulk route, so that a value one
// refuses the other refuses in the same words. Each throws field_error
// naming its field. Internal to src/api.
#pragma once

#include "request_helpers.hpp"

#include <optional>
#include <string>
#include <variant>

namespace switchboard::api {

// An agent's text (a reply, a note, a closing message): 4096 characters at most.
inline constexpr std::size_t max_text_chars = 4096;

// `label` at the end of `labels` unless it is there already: labels as
// typed, each once.
void add_label_once(std::vector<std::string>& labels, std::string label);
// "labels": an array of labels, each as label_from keeps it and once, at
// most max_labels. Required.
std::vector<std::string> labels_field(const boost::json::object& o, std::string_view key = "labels");
// Labels typed in one text, commas or semicolons between (a query's
// labels=vip,news; a CSV cell): each as label_from keeps it, once, in the
// order typed, blanks skipped; at most max_labels. Throws field_error
// naming `field`, its message after `where` ("line 3: "), for one that is
// no label, or for more than max_labels.
std::vector<std::string> labels_in_text(std::string_view typed, const std::string& field, const std::string& where = {});
// Whether `text`, trimmed, is an attribute's value: 1 to max_attribute_chars
// characters of UTF-8 on one line. An API request's and an imported file's.
bool is_attribute_value(std::string_view text);
// Whether a detail cannot be named `key`: the contacts' file has a column
// so named.
bool is_contact_column(std::string_view key);
// "attributes": {"email":"ana@example.com",…}, keys as attribute_key_from
// keeps them, each once; values trimmed, 1 to max_attribute_chars
// characters on one line; at most max_attributes. Required.
std::vector<std::pair<std::string, std::string>> attributes_field(const boost::json::object& o);
// "priority": none, low, medium, high or urgent.
chat::conv_priority priority_field(const boost::json::object& o);
// "until": an ISO-8601 UTC time in the future and within a year,
// "next_reply" (chat::until_next_reply) or null (nullopt: awake now).
// Required.
std::optional<timestamp> snooze_until_field(const boost::json::object& o);
// The word for a snooze the user's next message ends, as "until" takes it.
inline constexpr std::string_view next_reply_keyword = "next_reply";
// The active agent named `name`, whom a chat can be handed to, or why
// there is none ("no agent named x", "x is deactivated").
std::variant<auth::agent, std::string> assignable_agent(api_context& ctx, const std::string& name);
// `key`: an array of at most `most` usernames of agents there are (of
// active ones, when `active_only`), each kept once, in the order given;
// `too_many` is the refusal past `most`. Required.
std::vector<std::string> usernames_field(api_context& ctx, const boost::json::object& o, std::string_view key,
                                         std::size_t most, const std::string& too_many, bool active_only);
// `key`: an active agent's username (assignable_agent). Required.
auth::agent active_agent_field(api_context& ctx, const boost::json::object& o, std::string_view key);
// "to": an active agent, whom a chat is transferred to.
inline auth::agent transfer_target_field(api_context& ctx, const boost::json::object& o) {
    return active_agent_field(ctx, o, "to");
}
// "team": the name of a team there is (a name as typed: `Billing team` is
// billing-team), or null for none (""). Required.
std::string team_field(api_context& ctx, const boost::json::object& o);
// A team named so, or why there is none ("no team named billing").
std::optional<std::string> missing_team(api_context& ctx, const std::string& name);
// "message": an optional closing message.
std::string closing_message_field(const boost::json::object& o);
// One label as typed (label_from's form), or nullopt when it is none.
std::optional<std::string> label_value(const boost::json::value& v);
// A command's answer: the conversation as the command left it, with its
// place in the queue if it is still waiting there (only the queue knows it).
boost::asio::awaitable<boost::json::object> conversation_after(api_context& ctx, const chat::conversation& c);

// Why label_value refused one.
inline constexpr std::string_view label_rule = "a label is 1 to 32 characters of a-z, 0-9, - and _ (spaces become -)";

}  // namespace switchboard::api
