// An agent told by e-mail of a change to their account's security, as
// GitHub and Google tell theirs: a change they did not make is how they
// learn that someone else is in their account. Internal to src/api.
#pragma once

#include "request_helpers.hpp"

#include <string_view>

namespace switchboard::api {

// Mails `a`, where the server sends e-mail and they have an address, that
// `what` happened ("Your password was changed"), now, asked from `req`'s
// client. Queued for the mailer: the answer never waits for it.
void tell_account_owner(api_context& ctx, const auth::agent& a, std::string_view what, const http::request& req);

}  // namespace switchboard::api
