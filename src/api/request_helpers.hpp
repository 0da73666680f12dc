// What every API handler needs: the caller's identity, JSON bodies, and
// errors mapped to statuses. Internal to src/api.
#pragma once

#include "switchboard/api/routes.hpp"
#include "switchboard/auth/agents.hpp"
#include "switchboard/chat/engine.hpp"
#include "switchboard/http/router.hpp"

#include "../core/run_apart.hpp"

#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <variant>

namespace switchboard::api {

inline constexpr std::string_view session_cookie = "switchboard_session";

// The session token from `Authorization: Bearer …`, the cookie, or (for
// WebSocket upgrades, which browsers cannot give headers) `?token=`.
std::string session_token(const http::request& req, bool allow_query);

// Input that names its field: becomes 400 invalid_field.
struct field_error {
    std::string field, message;
};

// How a refused command is answered: its status and error code.
struct command_refusal {
    unsigned status;
    std::string_view code;
};
command_refusal refusal_of(chat::command_error::kind k);

using authed_handler = std::function<boost::asio::awaitable<http::response>(http::request&, const auth::agent&)>;
// 401 without a live session; command_error, auth::agent_refusal and bad input mapped to 4xx.
http::handler authed(api_context& ctx, authed_handler h, bool admin_only = false);

// Whether the server sends e-mail (--smtp-url); and mail with links to the
// console in it, which needs where the console is too.
bool sends_mail(const api_context& ctx);
bool mails_console_links(const api_context& ctx);

// A route for anyone, logged in or not (a forgotten password's): its
// refusals and bad input are answered as `authed` answers them.
using open_handler = std::function<boost::asio::awaitable<http::response>(http::request&)>;
http::handler open_route(open_handler h);

// The team requires two-factor authentication and `who` has none: a login's
// session may then only set it up (/auth/two-factor/…), read GET /me,
// change its password or log out; an API token, a script's, acts on. The
// 403 to answer, or none. `authed` asks it, and so does /ws.
std::optional<http::response> held_for_two_factor(api_context& ctx, const auth::agent& who, std::string_view token,
                                                  const http::request& req);

// The body as a JSON object; field_error("body", why) otherwise.
boost::json::object object_body(const http::request& req);
// A string field: field_error when required and missing, not a string, or
// outside 1 (0 when optional) to `max_chars` characters.
std::string string_field(const boost::json::object& o, std::string_view key, bool required,
                         std::size_t max_chars = std::string::npos);
// string_field with white space trimmed off both ends first: names and texts
// a person typed, where a required one that is only white space is blank.
std::string trimmed_field(const boost::json::object& o, std::string_view key, bool required,
                          std::size_t max_chars = std::string::npos);
// Whether `text` has no line break nor any other control character.
bool one_line(std::string_view text);
// trimmed_field that must be one line: a description shown in a list.
std::string one_line_field(const boost::json::object& o, std::string_view key, std::size_t max_chars);
// The phone in the path, `+` dropped; nullopt when it is not a phone number.
std::optional<std::string> path_phone(const http::request& req);
// path_phone, or 404 not_found when it is not a phone number.
std::string require_phone(const http::request& req);

chat::agent_ref as_ref(const auth::agent& a);
// The channels an agent may open a conversation on (POST /conversations):
// "whatsapp", "plain", or none, as GET /me tells the console.
boost::json::array opening_channels(const api_context& ctx);
// The channels a campaign may go out on (POST /campaigns): "whatsapp" where
// templates can be read, "plain" with --outbound-url.
boost::json::array campaign_channels(const api_context& ctx);
// The channels contacts may be imported on (POST /contacts/import), as GET /me says.
boost::json::array import_channels(const api_context& ctx);
http::response json_response(unsigned status, const boost::json::value& v);
// 409 not_configured: what the server lacks for the request, and the flag that gives it.
http::response not_configured(std::string why);
// 429 too_many_attempts past the failed-login limit, with when to try again (Retry-After).
http::response too_many_attempts(std::chrono::seconds retry_after, std::string_view message);
boost::json::object agent_json(const auth::agent& a);

// The message with `seq` that an agent's reply quotes: one the user saw
// (theirs, the bot's or an agent's; not a note). field_error naming
// `field` when there is none such, 404 when there is no conversation.
boost::asio::awaitable<chat::quoted_message> quoted_message_for(api_context& ctx, const std::string& phone,
                                                                std::uint64_t seq, std::string field);
// A reply's `reply_to`, from the body or the query: a seq from 1, or 0 when absent.
std::uint64_t reply_to_seq(const boost::json::value* v);
std::uint64_t reply_to_seq(const std::optional<std::string>& query);

// ?limit=: 1 to `max`, or `absent` when not given; field_error otherwise.
std::size_t limit_param(const http::request& req, std::size_t absent, std::size_t max);

// An ISO-8601 UTC query parameter, `fallback` when absent; field_error when malformed.
timestamp time_param(const http::request& req, std::string_view name, timestamp fallback);
// A report's period, `from=`/`to=`: by default the 7 days up to now;
// field_error naming `from` when it is not before `to`.
struct report_period {
    timestamp from, to;
};
report_period report_period_params(const http::request& req);

// A read through a history (a text search, a report's chats and ratings,
// an export's page, a transcript) and its rendering run on the scans'
// thread: on a large history they take seconds, which an io thread must
// not spend while webhooks and sockets wait for it. The SQLite store reads
// the history scans through a connection of their own, so they do not hold
// up its point reads either. `s` is a named local of the caller's
// (run_apart.hpp says why).
template <class Scan>
boost::asio::awaitable<std::invoke_result_t<Scan&>> scan(api_context& ctx, Scan& s) {
    return run_apart(ctx.scans.get_executor(), s);
}

// The client left before its scan's turn came: the scan is not run (a
// search typed over, a report closed), and the answer is 499.
struct client_gone {};

// A scan for the request `req`, skipped if its client has gone by its
// turn: scans queue one behind another, and an agent typing a search
// sends several, of which the console keeps the last.
template <class Scan>
boost::asio::awaitable<std::invoke_result_t<Scan&>> scan(api_context& ctx, const http::request& req, Scan& s) {
    auto unless_gone = [&] {
        if (req.client_gone()) throw client_gone{};
        return s();
    };
    co_return co_await run_apart(ctx.scans.get_executor(), unless_gone);
}

// An answer streamed a part at a time (exports, transcripts, the audit
// log's CSV): each part is
// read and rendered as a scan, so memory holds one part however long the
// answer, and other scans (an agent's search) take turns between parts.
// `next` keeps its own place and returns nullopt after the last part; it is
// a named object of the caller's that outlives the stream.
template <class Next>
boost::asio::awaitable<void> stream_scanned(api_context& ctx, http::body_writer& out, Next& next) {
    for (;;) {
        auto part = co_await scan(ctx, next);
        if (!part) co_return;
        if (part->empty()) continue;
        bool written = co_await out.write(std::move(*part));  // named: see stream_transcript
        if (!written) co_return;  // the client left
    }
}

// stream_scanned over `next`, which the coroutine's frame owns while it runs.
template <class Next>
boost::asio::awaitable<void> stream_owned(api_context& ctx, std::shared_ptr<Next> next, http::body_writer& out) {
    co_await stream_scanned(ctx, out, *next);
}

// A response's `stream` that writes `next`'s parts (stream_scanned). A plain
// function builds the callback: no coroutine lambdas inside coroutines.
template <class Next>
std::function<boost::asio::awaitable<void>(http::body_writer&)> scanned_body(api_context& ctx,
                                                                             std::shared_ptr<Next> next) {
    return [&ctx, next](http::body_writer& out) { return stream_owned(ctx, next, out); };
}

// A CSV field (RFC 4180 quoting), with spreadsheet formulas defused.
std::string csv_field(std::string_view s);
// One message as a CSV row (without the line end), for transcripts and exports.
std::string message_csv_row(const chat::message& m);
inline constexpr std::string_view message_csv_header = "conversation,seq,timestamp,sender,agent,type,status,text";



}  // namespace switchboard::api
