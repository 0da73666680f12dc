// One command for a conversation, as a JSON object names it
// ({"action":"label","label":"billing"}): what a bulk action gives each
// conversation picked, and each step of a macro. Read and checked whole
// before anything is done; run as the agent who gives it, under the rules
// of the conversation's own route. Internal to src/api.
#pragma once

#include "request_helpers.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace switchboard::api {

struct conversation_command {
    std::string action;  // assign, return, end, snooze, read, priority, label, unlabel, team, follow, unfollow, mute, unmute, note, send, transcript
    std::string agent;   // assign: whom to; (un)follow: who, or empty for whoever gives it
    // end: the closing message (may be empty); note, send: the text;
    // (un)label: the label; team: the team's name, empty for none;
    // transcript: the address, empty for the user's `email` detail
    std::string text;
    chat::conv_priority priority{};
    std::optional<timestamp> until;  // snooze: until then; none, with no `for_hours`: awake now
    std::chrono::hours for_hours{0};  // snooze: for so long from when it runs
};

// Who gives the commands: a bulk action gives no message to users (one text
// to 200 users at once is a broadcast), and a macro, kept to run later,
// snoozes for a number of hours rather than until a time.
enum class command_use { bulk, macro };

// A reply's {name} and {first_name} (the user's, "there" when the bot has
// none), and {agent} (the agent's name), filled in as the console fills a
// saved reply's; anything else in braces stays as written.
std::string fill_placeholders(std::string_view text, std::string_view user_name, std::string_view agent_name);

// field_error naming the field that is wrong.
conversation_command read_command(api_context& ctx, const boost::json::object& o, command_use use);
// As read_command reads it back.
boost::json::object command_json(const conversation_command& c);
// command_error as the conversation's own route refuses it; the
// conversation as the command left it.
boost::asio::awaitable<chat::conversation> run_command(api_context& ctx, std::string phone,
                                                       const conversation_command& c, const auth::agent& who);

}  // namespace switchboard::api
