// POST /auth/login, POST /auth/logout, POST /auth/password, GET /me,
// /auth/password-reset: a forgotten password's mail and its link,
// /auth/tokens: an agent's API tokens, and /auth/two-factor: their
// two-factor authentication.
#include "account_notice.hpp"
#include "audit.hpp"
#include "request_helpers.hpp"

#include "switchboard/auth/agents.hpp"
#include "switchboard/auth/qr_svg.hpp"
#include "switchboard/auth/two_factor.hpp"
#include "switchboard/notify/mailer.hpp"
#include "switchboard/ws/hub.hpp"

namespace switchboard::api {

namespace {

bool over_tls(const http::request& req) {
    return req.secure || http::iequals(req.header("X-Forwarded-Proto"), "https");
}

std::string cookie(const http::request& req, std::string_view token, std::chrono::seconds max_age) {
    return std::string(session_cookie) + "=" + std::string(token) + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
           std::to_string(max_age.count()) + (over_tls(req) ? "; Secure" : "");
}

boost::asio::awaitable<http::response> login(api_context& ctx, http::request& req) {
    auto o = object_body(req);
    auto username = string_field(o, "username", true);
    auto password = string_field(o, "password", true);
    auto second_factor = string_field(o, "code", false);
    auto result = co_await ctx.agents.login(username, password, second_factor, req.remote_address);
    using outcome = auth::agents_service::login_result::outcome;
    // A refused one past the limit is not kept: the limit is there for floods.
    if (result.what == outcome::rate_limited)
        co_return too_many_attempts(result.retry_after, "too many failed logins: try again later");
    if (result.what == outcome::code_required)
        co_return http::response::error(401, "two_factor_required",
                                        "this account asks for a code from its authenticator app, or a recovery code");
    boost::json::object from{{"address", req.remote_address}};
    if (result.what != outcome::ok) {
        bool code_wrong = result.what == outcome::wrong_code;
        if (code_wrong) from["reason"] = "code";
        auto audited = audit(ctx, username.substr(0, 64), "session.login_failed", "", std::move(from));
        co_await std::move(audited);
        auto refused = code_wrong ? http::response::error(401, "invalid_code", "wrong or used authentication code")
                                  : http::response::error(401, "invalid_credentials", "wrong username or password");
        co_return refused;
    }
    if (result.used_recovery_code) {
        from["recovery_code"] = true;
        from["recovery_codes_left"] = result.who.recovery_codes_left;
        tell_account_owner(ctx, result.who,
                           "A recovery code was used to log in; " + std::to_string(result.who.recovery_codes_left) +
                               " are left",
                           req);
    }
    auto audited = audit(ctx, result.who.username, "session.login", "", std::move(from));
    co_await std::move(audited);
    auto res = json_response(200, {{"token", result.token}, {"agent", agent_json(result.who)}});
    res.set_header("Set-Cookie", cookie(req, result.token, ctx.agents.session_ttl()));
    res.set_header("Cache-Control", "no-store");
    co_return res;
}

// An agent's own new password: the current one first. Every other session
// of the agent ends (their sockets close); this one stays.
boost::asio::awaitable<http::response> change_password(api_context& ctx, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    auto current = string_field(o, "current_password", true);
    auto next = string_field(o, "new_password", true);
    if (auto why = auth::validate_password(next); !why.empty())
        throw field_error{"new_password", "new_" + why};  // "password must be …"
    auto result =
        co_await ctx.agents.change_own_password(who.username, current, next, session_token(req, false), req.remote_address);
    using outcome = auth::agents_service::password_change::outcome;
    if (result.what == outcome::rate_limited)
        co_return too_many_attempts(result.retry_after, "too many wrong passwords: try again later");
    if (result.what == outcome::wrong_password)
        throw field_error{"current_password", "current_password is not your password"};
    ctx.hub.end_sessions(result.ended_sessions);
    tell_account_owner(ctx, who, "Your password was changed", req);
    auto audited = audit(ctx, who.username, "agent.password_changed", who.username,
                         {{"ended_sessions", result.ended_sessions.size()}});
    co_await std::move(audited);
    co_return json_response(200, {{"agent", agent_json(who)}, {"ended_sessions", result.ended_sessions.size()}});
}

// "Forgot your password?" {"login": username or e-mail address}: a link
// to choose a new one goes to the agent's address. The answer is the same
// whether or not there is such an agent, so it tells nobody who has an
// account; only the limit on how many are asked for answers otherwise.
boost::asio::awaitable<http::response> ask_for_password_mail(api_context& ctx, http::request& req) {
    auto o = object_body(req);
    auto login = trimmed_field(o, "login", true, 254);
    if (!mails_console_links(ctx))
        co_return http::response::error(503, "email_not_configured",
                                        "this server sends no e-mail: ask an admin to set a new password for you");
    auto asked = ctx.agents.password_reset_link(login, req.remote_address);
    if (asked.retry_after.count() > 0)
        co_return too_many_attempts(asked.retry_after, "too many password mails asked for: try again later");
    // Audited either way, as a failed login is: admins see who is asked
    // about, and an answer for an account takes as long as one for none.
    std::string who = login.substr(0, 64);
    if (auto& link = asked.link) {
        auto url = notify::console_link(*ctx.console_url, "password=" + link->token);
        ctx.mailer->send(notify::password_reset_mail(link->who.email, link->who.display_name, link->who.username, url));
        who = link->who.username;
    }
    auto audited = audit(ctx, who, "agent.password_mail_asked", who,
                         {{"address", req.remote_address}, {"mailed", asked.link.has_value()}});
    co_await std::move(audited);
    co_return json_response(202, {{"status", "if an agent has that username or e-mail address, a link to choose a "
                                              "new password is on its way to their address"}});
}

// {"token", "password"}: the password a mailed link chooses, a forgotten
// one's or an invited agent's first. Every session of the agent ends.
boost::asio::awaitable<http::response> set_password_by_link(api_context& ctx, http::request& req) {
    auto o = object_body(req);
    auto token = string_field(o, "token", true, 512);
    auto password = string_field(o, "password", true);
    if (auto why = auth::validate_password(password); !why.empty()) throw field_error{"password", why};
    auto used = co_await ctx.agents.set_password_by_link(token, password);
    if (!used)
        co_return http::response::error(400, "invalid_link",
                                        "this link has expired, has been used, or its password changed since: ask "
                                        "for a new one");
    ctx.hub.end_sessions(used->ended_sessions);
    bool invitation = used->purpose == auth::link_purpose::invitation;
    if (!invitation) tell_account_owner(ctx, used->who, "Your password was changed, from a link mailed to you", req);
    std::string action = invitation ? "agent.invitation_accepted" : "agent.password_reset";  // named: GCC 12
    auto audited =
        audit(ctx, used->who.username, action, used->who.username, {{"ended_sessions", used->ended_sessions.size()}});
    co_await std::move(audited);
    co_return json_response(200, {{"agent", agent_json(used->who)}, {"purpose", invitation ? "invitation" : "reset"}});
}

boost::json::object token_json(const auth::agents_service::api_token& t) {
    return {{"id", t.id}, {"name", t.name}, {"created_at", to_iso8601(t.created_at)}};
}

// {"name"} → 201 with the token, shown this once.
boost::asio::awaitable<http::response> create_token(api_context& ctx, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    auto name = trimmed_field(o, "name", true, 64);
    auto made = co_await ctx.agents.create_api_token(who.username, name);
    auto audited = audit(ctx, who.username, "token.created", made.about.id, {{"name", made.about.name}});
    co_await std::move(audited);
    auto body = token_json(made.about);
    body["token"] = made.token;
    auto res = json_response(201, std::move(body));
    res.set_header("Cache-Control", "no-store");
    co_return res;
}

boost::asio::awaitable<http::response> list_tokens(api_context& ctx, http::request&, const auth::agent& who) {
    boost::json::array list;
    for (auto& t : ctx.agents.api_tokens(who.username)) list.push_back(token_json(t));
    co_return json_response(200, {{"tokens", std::move(list)}});
}

// Only the caller's own: an admin ends another agent's by a new password or deactivation.
boost::asio::awaitable<http::response> revoke_token(api_context& ctx, http::request& req, const auth::agent& who) {
    std::string id(req.param("id"));
    auto hash = co_await ctx.agents.revoke_api_token(who.username, id);
    if (!hash) throw chat::command_error(chat::command_error::kind::not_found, "you have no API token " + id);
    ctx.hub.end_sessions({*hash});  // a socket opened with it closes too
    auto audited = audit(ctx, who.username, "token.revoked", id);
    co_await std::move(audited);
    co_return json_response(200, {{"revoked", id}});
}

// The agent's own record, with what only they see of it.
boost::json::object own_agent_json(const auth::agent& a) {
    auto o = agent_json(a);
    if (a.two_factor) o["recovery_codes_left"] = a.recovery_codes_left;
    return o;
}

// A refused two-factor change as the API answers it; none when it was done.
void refuse_two_factor(const auth::agents_service::two_factor_result& r) {
    using outcome = auth::agents_service::two_factor_result::outcome;
    using kind = chat::command_error::kind;
    switch (r.what) {
        case outcome::done: return;
        case outcome::wrong_password: throw field_error{"password", "password is not your password"};
        case outcome::wrong_code: throw field_error{"code", "code is wrong or used: give the app's current code, or a recovery code"};
        case outcome::already_on: throw chat::command_error(kind::conflict, "two-factor authentication is on already");
        case outcome::not_on: throw chat::command_error(kind::conflict, "two-factor authentication is off");
        case outcome::not_begun:
            throw chat::command_error(kind::conflict, "begin with POST /auth/two-factor/setup, then enable with its code");
        case outcome::required_by_team:
            throw chat::command_error(kind::conflict,
                                      "your team requires two-factor authentication: it stays on while it does");
        case outcome::rate_limited: break;
    }
}

http::response two_factor_answer(const auth::agents_service::two_factor_result& r, boost::json::object body) {
    if (r.what == auth::agents_service::two_factor_result::outcome::rate_limited)
        return too_many_attempts(r.retry_after, "too many wrong passwords or codes: try again later");
    refuse_two_factor(r);
    body["agent"] = own_agent_json(r.who);
    if (!r.recovery_codes.empty()) {
        boost::json::array codes;
        for (auto& c : r.recovery_codes) codes.emplace_back(c);
        body["recovery_codes"] = std::move(codes);
    }
    auto res = json_response(200, std::move(body));
    res.set_header("Cache-Control", "no-store");  // a secret or recovery codes
    return res;
}

constexpr std::string_view issuer = "Switchboard";

// {"password"} → a new secret, pending until enable gets a code made from it.
boost::asio::awaitable<http::response> begin_two_factor(api_context& ctx, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    auto password = string_field(o, "password", true);
    auto r = co_await ctx.agents.begin_two_factor(who.username, password, req.remote_address);
    boost::json::object body;
    if (r.what == auth::agents_service::two_factor_result::outcome::done) {
        body["secret"] = r.secret;
        body["otpauth_uri"] = auth::two_factor::otpauth_uri(issuer, who.username, r.secret);
        body["qr"] = "/auth/two-factor/qr.svg";
    }
    co_return two_factor_answer(r, std::move(body));
}

// The pending secret's otpauth URI as a QR code, for the app to scan.
boost::asio::awaitable<http::response> two_factor_qr(api_context& ctx, http::request&, const auth::agent& who) {
    auto secret = ctx.agents.pending_two_factor_secret(who.username);
    if (!secret)
        throw chat::command_error(chat::command_error::kind::not_found,
                                  "no two-factor set-up is under way: begin with POST /auth/two-factor/setup");
    auto res = http::response::text(200, auth::qr_svg(auth::two_factor::otpauth_uri(issuer, who.username, *secret)),
                                    "image/svg+xml");
    res.set_header("Cache-Control", "no-store");
    co_return res;
}

// A change's audit entry, when it was done, and its answer.
// Done: audited, and the agent told by mail (`notice`).
boost::asio::awaitable<http::response> two_factor_changed(api_context& ctx, const http::request& req,
                                                          const auth::agent& who,
                                                          auth::agents_service::two_factor_result r,
                                                          std::string action, std::string notice) {
    if (r.what == auth::agents_service::two_factor_result::outcome::done) {
        auto audited = audit(ctx, who.username, std::move(action), who.username);
        co_await std::move(audited);
        tell_account_owner(ctx, r.who, notice, req);
    }
    co_return two_factor_answer(r, {});
}

boost::asio::awaitable<http::response> enable_two_factor(api_context& ctx, http::request& req, const auth::agent& who) {
    auto code = string_field(object_body(req), "code", true);
    auto r = co_await ctx.agents.enable_two_factor(who.username, code, req.remote_address);
    auto answer = two_factor_changed(ctx, req, who, std::move(r), "agent.two_factor_enabled",
                                     "Two-factor authentication was turned on");
    co_return co_await std::move(answer);
}

boost::asio::awaitable<http::response> disable_two_factor(api_context& ctx, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    auto password = string_field(o, "password", true);
    auto code = string_field(o, "code", true);
    auto r = co_await ctx.agents.disable_two_factor(who.username, password, code, req.remote_address);
    auto answer = two_factor_changed(ctx, req, who, std::move(r), "agent.two_factor_disabled",
                                     "Your two-factor authentication was turned off");
    co_return co_await std::move(answer);
}

boost::asio::awaitable<http::response> renew_recovery_codes(api_context& ctx, http::request& req, const auth::agent& who) {
    auto code = string_field(object_body(req), "code", true);
    auto r = co_await ctx.agents.new_recovery_codes(who.username, code, req.remote_address);
    auto answer = two_factor_changed(ctx, req, who, std::move(r), "agent.recovery_codes_renewed",
                                     "New recovery codes were made, and the old ones no longer work");
    co_return co_await std::move(answer);
}

}  // namespace

void add_auth_routes(http::router& routes, api_context& ctx) {
    routes.add(http::verb::post, "/auth/login", open_route([&ctx](http::request& req) { return login(ctx, req); }));

    routes.add(http::verb::post, "/auth/logout",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) -> boost::asio::awaitable<http::response> {
                   auto token = session_token(req, false);
                   co_await ctx.agents.logout(token);
                   ctx.hub.end_sessions({auth::sha256_hex(token)});  // its sockets stop hearing too
                   auto audited = audit(ctx, who.username, "session.logout", "");
                   co_await std::move(audited);
                   auto res = json_response(200, {{"status", "logged out"}});
                   res.set_header("Set-Cookie", cookie(req, "", std::chrono::seconds(0)));
                   co_return res;
               }));

    routes.add(http::verb::post, "/auth/password",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return change_password(ctx, req, who); }));
    routes.add(http::verb::post, "/auth/password-reset",
               open_route([&ctx](http::request& req) { return ask_for_password_mail(ctx, req); }));
    routes.add(http::verb::post, "/auth/password-reset/confirm",
               open_route([&ctx](http::request& req) { return set_password_by_link(ctx, req); }));

    routes.add(http::verb::get, "/auth/tokens",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return list_tokens(ctx, req, who); }));
    routes.add(http::verb::post, "/auth/tokens",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return create_token(ctx, req, who); }));
    routes.add(http::verb::delete_, "/auth/tokens/{id}",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return revoke_token(ctx, req, who); }));

    routes.add(http::verb::post, "/auth/two-factor/setup",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return begin_two_factor(ctx, req, who); }));
    routes.add(http::verb::get, "/auth/two-factor/qr.svg",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return two_factor_qr(ctx, req, who); }));
    routes.add(http::verb::post, "/auth/two-factor/enable",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return enable_two_factor(ctx, req, who); }));
    routes.add(http::verb::post, "/auth/two-factor/disable",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return disable_two_factor(ctx, req, who); }));
    routes.add(http::verb::post, "/auth/two-factor/recovery-codes",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return renew_recovery_codes(ctx, req, who); }));

    routes.add(http::verb::get, "/me",
               authed(ctx, [&ctx](http::request&, const auth::agent& who) -> boost::asio::awaitable<http::response> {
                   co_return json_response(200, {{"agent", own_agent_json(who)},
                                                 {"new_conversation_channels", opening_channels(ctx)},
                                                 {"campaign_channels", campaign_channels(ctx)},
                                                 {"import_channels", import_channels(ctx)},
                                                 {"email_notifications", sends_mail(ctx)},
                                                 {"team_requires_two_factor", ctx.agents.two_factor_required()}});
               }));
}

}  // namespace switchboard::api
