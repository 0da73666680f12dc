// Erasing a user (Chatwoot's contact deletion; the GDPR's right to
// erasure), as DELETE /conversations/{phone} and the bulk action `delete`
// both do it. Internal to src/api.
#pragma once

#include "request_helpers.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace switchboard::api {

// Erases the conversation with `phone` and all that is kept of it, as
// `who` (an admin: the caller checks), and records it in the audit log by
// phone and message count. The answer, as DELETE /conversations/{phone}
// gives it: {"deleted":phone,"messages":n}. command_error not_found for
// none. By value: the coroutine keeps its own copies.
boost::asio::awaitable<boost::json::object> erase_conversation(api_context& ctx, std::string phone, auth::agent who);

}  // namespace switchboard::api
