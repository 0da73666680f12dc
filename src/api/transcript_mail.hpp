// The conversation as the user saw it, e-mailed to them (Chatwoot's "Send
// transcript"): POST /conversations/{phone}/transcript/email, and a
// macro's `transcript` action. Internal to src/api.
#pragma once

#include "request_helpers.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace switchboard::api {

// Why a transcript is not sent, the route's and the macro step's alike.
inline constexpr std::string_view mail_not_set_up = "e-mail is not set up: the server needs --smtp-url and --smtp-from";
inline constexpr std::string_view mail_queue_full = "too many mails wait to be sent: try again in a minute";

struct transcript_mailed {
    std::string to;
    std::size_t messages = 0;  // the user's, the bot's and the agents' that reached them
    bool queued = false;       // false: the mailer's queue was full, and nothing is sent
};

// To `to`, or to the `email` among the user's details when it is empty;
// audited as `by`'s. field_error naming `to` for no address or a bad one;
// command_error for no conversation, or nothing the user has seen yet.
// The caller checks first that the server sends mail (sends_mail).
boost::asio::awaitable<transcript_mailed> mail_transcript(api_context& ctx, std::string phone, std::string to,
                                                          std::string by);

}  // namespace switchboard::api
