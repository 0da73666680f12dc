#include "request_helpers.hpp"

#include "switchboard/core/json_text.hpp"
#include "switchboard/core/whole_number.hpp"
#include "switchboard/notify/mailer.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace switchboard::api {

std::string session_token(const http::request& req, bool allow_query) {
    auto auth = req.header("Authorization");
    if (auth.size() > 7 && http::iequals(auth.substr(0, 7), "Bearer ")) return std::string(auth.substr(7));
    auto cookies = req.header("Cookie");
    std::string_view rest = cookies;
    while (!rest.empty()) {
        auto semi = rest.find(';');
        auto pair = rest.substr(0, semi);
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == session_cookie) return std::string(pair.substr(eq + 1));
    }
    if (allow_query)
        if (auto t = req.query_param("token")) return *t;
    return {};
}

http::response not_configured(std::string why) { return http::response::error(409, "not_configured", std::move(why)); }

http::response too_many_attempts(std::chrono::seconds retry_after, std::string_view message) {
    auto r = http::response::error(429, "too_many_attempts", message);
    r.set_header("Retry-After", std::to_string(retry_after.count()));
    return r;
}

http::response json_response(unsigned status, const boost::json::value& v) {
    return http::response::json(status, json_text(v));
}

command_refusal refusal_of(chat::command_error::kind k) {
    switch (k) {
    case chat::command_error::kind::not_found: return {404, "not_found"};
    case chat::command_error::kind::conflict: return {409, "conflict"};
    case chat::command_error::kind::forbidden: return {403, "forbidden"};
    case chat::command_error::kind::exists: return {409, "conversation_exists"};
    case chat::command_error::kind::invalid: break;
    }
    return {400, "invalid"};
}

namespace {

http::response command_failure(const chat::command_error& e) {
    auto [status, code] = refusal_of(e.what_kind());
    return http::response::error(status, code, e.what());
}

boost::asio::awaitable<http::response> with_refusals_answered(boost::asio::awaitable<http::response> work);

// The wrapper's coroutine, a plain function of its arguments (no captures).
boost::asio::awaitable<http::response> run_authed(api_context& ctx, const authed_handler& h, bool admin_only,
                                                  http::request& req) {
    auto token = session_token(req, false);
    auto who = ctx.agents.authenticate(token);
    if (!who) co_return http::response::error(401, "unauthorized", "log in first: no valid session");
    if (auto held = held_for_two_factor(ctx, *who, token, req)) co_return std::move(*held);
    if (admin_only && !who->is_admin()) co_return http::response::error(403, "forbidden", "only an admin may do this");
    auto work = h(req, *who);
    auto answered = with_refusals_answered(std::move(work));
    co_return co_await std::move(answered);
}

// The handler's answer, or the one its refusal or bad input gets.
boost::asio::awaitable<http::response> with_refusals_answered(boost::asio::awaitable<http::response> work) {
    http::response res;
    try {
        res = co_await std::move(work);
    } catch (const chat::command_error& e) {
        res = command_failure(e);
    } catch (const field_error& e) {
        res = http::response::invalid_field(e.field, e.message);
    } catch (const store::unavailable& e) {
        // As the webhooks answer it: the write was not made; try again.
        res = http::response::error(503, "unavailable", std::string("not stored: ") + e.what());
        res.set_header("Retry-After", "1");
    } catch (const client_gone&) {
        // Nobody reads it; counted, as nginx's "client closed request".
        res = http::response::error(499, "client_gone", "the client closed the connection before its answer");
    } catch (const auth::agent_refusal& e) {
        res = e.what_kind() == auth::agent_refusal::kind::not_found
                  ? http::response::error(404, "not_found", e.what())
                  : http::response::error(409, "conflict", e.what());
    }
    co_return res;
}

}  // namespace

std::optional<http::response> held_for_two_factor(api_context& ctx, const auth::agent& who, std::string_view token,
                                                  const http::request& req) {
    if (who.two_factor || !ctx.agents.two_factor_required()) return std::nullopt;
    auto& path = req.path;
    bool sets_it_up = path.starts_with("/auth/two-factor/") || path == "/auth/logout" || path == "/auth/password" ||
                      (path == "/me" && req.method == http::verb::get);
    if (sets_it_up || ctx.agents.is_api_token(token)) return std::nullopt;
    return http::response::error(403, "two_factor_setup_required",
                                 "your team requires two-factor authentication: set yours up with POST "
                                 "/auth/two-factor/setup, then POST /auth/two-factor/enable");
}

bool sends_mail(const api_context& ctx) { return ctx.mailer && ctx.mailer->enabled(); }

bool mails_console_links(const api_context& ctx) { return sends_mail(ctx) && ctx.console_url; }

http::handler open_route(open_handler h) {
    return [h = std::move(h)](http::request& req) { return with_refusals_answered(h(req)); };
}

http::handler authed(api_context& ctx, authed_handler h, bool admin_only) {
    return [&ctx, h = std::move(h), admin_only](http::request& req) { return run_authed(ctx, h, admin_only, req); };
}

boost::json::object object_body(const http::request& req) {
    if (req.body.empty()) return {};
    boost::system::error_code ec;
    auto v = boost::json::parse(req.body, ec);
    if (ec) throw field_error{"body", "body is not valid JSON: " + ec.message()};
    if (!v.is_object()) throw field_error{"body", "body must be a JSON object"};
    return std::move(v.as_object());
}

namespace {

// 1 (0 when optional) to `max_chars` code points; npos: no bound.
void check_length(std::string_view key, const std::string& s, bool required, std::size_t max_chars) {
    if (max_chars == std::string::npos) return;
    auto n = chat::utf8_length(s).value_or(0);
    if ((required && n == 0) || n > max_chars)
        throw field_error{std::string(key), std::string(key) + " must be " + (required ? "1" : "0") + " to " +
                                                std::to_string(max_chars) + " characters"};
}

}  // namespace

std::string string_field(const boost::json::object& o, std::string_view key, bool required, std::size_t max_chars) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
        if (required) throw field_error{std::string(key), std::string(key) + " is required"};
        return {};
    }
    if (!v->is_string()) throw field_error{std::string(key), std::string(key) + " must be a string"};
    std::string s(v->as_string());
    check_length(key, s, required, max_chars);
    return s;
}

std::string trimmed_field(const boost::json::object& o, std::string_view key, bool required, std::size_t max_chars) {
    auto s = std::string(chat::trim(string_field(o, key, required)));
    if (s.empty() && required) throw field_error{std::string(key), std::string(key) + " must not be blank"};
    check_length(key, s, required, max_chars);
    return s;
}

report_period report_period_params(const http::request& req) {
    auto to = time_param(req, "to", std::chrono::system_clock::now());
    auto from = time_param(req, "from", to - std::chrono::hours(24 * 7));
    if (from >= to) throw field_error{"from", "from must be before to"};
    return {from, to};
}

bool one_line(std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

std::string one_line_field(const boost::json::object& o, std::string_view key, std::size_t max_chars) {
    auto s = trimmed_field(o, key, false, max_chars);
    if (!one_line(s))
        throw field_error{std::string(key), std::string(key) + " must be one line"};
    return s;
}

std::size_t limit_param(const http::request& req, std::size_t absent, std::size_t max) {
    auto l = req.query_param("limit");
    if (!l) return absent;
    auto v = parse_whole_number(*l);
    if (!v || *v == 0 || *v > max)
        throw field_error{"limit", "limit must be a whole number from 1 to " + std::to_string(max)};
    return *v;
}

std::optional<std::string> path_phone(const http::request& req) { return chat::normalize_phone(req.param("phone")); }

std::string require_phone(const http::request& req) {
    auto p = path_phone(req);
    if (!p) throw chat::command_error(chat::command_error::kind::not_found, "no conversation with that phone");
    return *p;
}

namespace {
[[noreturn]] void bad_reply_to() {
    throw field_error{"reply_to", "reply_to must be the seq of a message in this conversation (a whole number)"};
}
}  // namespace

std::uint64_t reply_to_seq(const boost::json::value* v) {
    if (!v || v->is_null()) return 0;
    if (!(v->is_uint64() || v->is_int64()) || (v->is_int64() && v->as_int64() < 1)) bad_reply_to();
    return v->is_uint64() ? v->as_uint64() : static_cast<std::uint64_t>(v->as_int64());
}

std::uint64_t reply_to_seq(const std::optional<std::string>& query) {
    if (!query || query->empty()) return 0;
    // Up to 19 digits: within a seq's range, and no sign or space for stoull to pass over.
    if (query->size() > 19 || query->find_first_not_of("0123456789") != std::string::npos) bad_reply_to();
    auto seq = std::stoull(*query);
    if (seq == 0) bad_reply_to();
    return seq;
}

boost::asio::awaitable<chat::quoted_message> quoted_message_for(api_context& ctx, const std::string& phone,
                                                                std::uint64_t seq, std::string field) {
    auto quoted = ctx.store.find_message(phone, seq);
    if (!quoted) {
        auto known = co_await ctx.engine.view(phone);
        if (!known) throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + phone);
        throw field_error{field, "no message " + std::to_string(seq) + " with " + phone + " to reply to"};
    }
    if (quoted->kind == "note" || quoted->kind == "system")
        throw field_error{field, "message " + std::to_string(seq) + " is a note for the agents, which the user never saw"};
    co_return chat::quoted_message{seq, quoted->id, quoted->channel_id};
}

timestamp time_param(const http::request& req, std::string_view name, timestamp fallback) {
    auto v = req.query_param(name);
    if (!v || v->empty()) return fallback;
    auto t = parse_iso8601(*v);
    if (!t)
        throw field_error{std::string(name),
                          std::string(name) + " must be an ISO-8601 UTC time like 2026-11-24T00:00:00Z"};
    return *t;
}

// A field a spreadsheet would read as a formula (OWASP's list of first
// characters) is opened with a quote: a user's "=HYPERLINK(…)" stays text
// in the admin's spreadsheet.
std::string csv_field(std::string_view s) {
    std::string v(s);
    if (!v.empty() && std::string_view("=+-@\t\r").find(v[0]) != std::string_view::npos) v.insert(v.begin(), '\'');
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string message_csv_row(const chat::message& m) {
    return csv_field(m.phone) + "," + std::to_string(m.seq) + "," + to_iso8601(m.at) + "," +
           std::string(chat::to_string(m.from)) + "," + csv_field(m.agent) + "," + csv_field(m.kind) + "," +
           std::string(chat::to_string(m.status)) + "," + csv_field(m.text);
}

chat::agent_ref as_ref(const auth::agent& a) { return {a.username, a.display_name, a.is_admin()}; }

boost::json::object agent_json(const auth::agent& a) {
    return {{"username", a.username},       {"display_name", a.display_name}, {"role", a.role},
            {"available", a.available},     {"max_chats", a.max_chats},       {"created_at", to_iso8601(a.created_at)},
            {"active", a.active},           {"signature", a.signature},       {"email", a.email},
            {"two_factor", a.two_factor},   {"invited", a.invited}};
}

}  // namespace switchboard::api
