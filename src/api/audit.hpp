// The audit log, as Chatwoot's: who did what to the team's accounts and
// settings, and when (a login, a failed one, an agent's new role, a macro
// changed, a team deleted). Each change records it once done (the routes,
// and the macros' book for macros and automations); GET /audit-log lists
// it for admins, newest first.
// Internal to src/api.
#pragma once

#include "request_helpers.hpp"

#include <string>
#include <string_view>

namespace switchboard::api {

// Records that `actor` did `action` to `target`, with `details` (never a
// password or a token). Awaited, so the entry is kept by the time the
// route answers; a store that refuses it is logged, and the change it
// records stands. Callers name the call, then await it: GCC 12 mishandles
// temporaries (a literal's array, a braced object) inside co_await.
// Every argument by value: the coroutine keeps its own copies.
boost::asio::awaitable<void> audit(api_context& ctx, std::string actor, std::string action, std::string target,
                                   boost::json::object details = {});

// A setting's item saved (a label, a team, a custom attribute): audited as
// `<noun>.created` or `<noun>.updated` with `details`, then answered with
// `about`, 201 for one made.
boost::asio::awaitable<http::response> audited_save(api_context& ctx, std::string actor, std::string noun, bool created,
                                                    std::string target, boost::json::object details,
                                                    boost::json::object about);
// One deleted: audited as `<noun>.deleted`, then answered {"deleted":target}.
boost::asio::awaitable<http::response> audited_delete(api_context& ctx, std::string actor, std::string noun,
                                                      std::string target);

}  // namespace switchboard::api
