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
// `queue_position` is not part of the record: the queue knows it.
boost::json::object to_json(const conversation& c, std::optional<std::size_t> queue_position);
// The plain webhook's answer: {"replies":[{"text":…}],"state":…}.
std::string webhook_answer(const std::vector<std::string>& replies, conv_state state);

}  // namespace switchboard::chat
