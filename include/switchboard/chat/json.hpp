// The JSON shapes of conversations, messages and bot answers: produced here
// and nowhere else.
#pragma once

#include "switchboard/chat/conversation.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace switchboard::chat {

boost::json::object to_json(const message& m);
// Where an agent fetches a media message's file: GET /conversations/{phone}/messages/{seq}/media.
std::string attachment_url(const message& m);
// `queue_position` is not part of the record: the queue knows it.
boost::json::object to_json(const conversation& c, std::optional<std::size_t> queue_position);
// The same two shapes written straight into a string, for the event stream,
// where building a json::object per event was the largest cost of a step.
// Equal to serialize(to_json(…)) field for field (a unit test holds them together).
std::string message_json(const message& m);
std::string conversation_json(const conversation& c, std::optional<std::size_t> queue_position);
// The same, appended to `out`: events write them straight into their envelope.
void append_message_json(std::string& out, const message& m);
void append_conversation_json(std::string& out, const conversation& c, std::optional<std::size_t> queue_position);
// The bytes those two append when no string in the record needs escaping
// (nearly always; when one does, they append more): for reserving first.
std::size_t message_json_size(const message& m);
std::size_t conversation_json_size(const conversation& c, std::optional<std::size_t> queue_position);

// The API's forms of an optional time and of a text that may be empty:
// ISO-8601 or null; the text, or null when it is empty.
boost::json::value optional_time(const std::optional<timestamp>& t);
boost::json::value optional_text(const std::string& s);

struct bot_choices;

// The plain webhook's answer: {"replies":[{"text":…}],"state":…}; the last
// reply has "choices" when the bot offers any (`offered`, or null).
std::string webhook_answer(const std::vector<std::string>& replies, const bot_choices* offered, conv_state state);

}  // namespace switchboard::chat
