// Why a provider refused or failed a message, in words an agent can act on:
// the console shows it next to the message.
#pragma once

#include <string>
#include <string_view>

namespace boost::json {
class object;
}

namespace switchboard::channels {

// The most of a reason kept with a message, in code points.
inline constexpr std::size_t max_error_chars = 500;
// What a failure says when its provider said nothing of why.
inline constexpr std::string_view no_reason_given = "the provider gave no reason";

// Meta's error object, as the send API answers it (`error`) and as a failed
// status carries it (`errors[]`): "(#131047) Re-engagement message: Message
// failed to send because more than 24 hours have passed…".
std::string meta_error_text(const boost::json::object& error);

// A send answered with a status that is not 2xx: Meta's error when the body
// is one, else the status and the start of the body.
std::string refusal_reason(unsigned status, std::string_view body);

// Whether Meta refused a send as too many, too fast, rather than for what it
// is: its throughput for the number (130429), for one user (131056), or the
// Graph API's rate limits (4, 80007). It answers these with 400, not 429;
// sent again later, the message goes.
bool meta_asks_to_slow_down(std::string_view body);

}  // namespace switchboard::channels
