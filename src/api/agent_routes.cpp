// /agents: the team, with presence; admins add agents, or invite them by
// e-mail; capacity and availability are set with PATCH.
#include "account_notice.hpp"
#include "audit.hpp"
#include "request_helpers.hpp"

#include "switchboard/core/ascii_case.hpp"
#include "switchboard/notify/mailer.hpp"
#include "switchboard/ws/hub.hpp"

#include <algorithm>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

awaitable<http::response> list_agents(api_context& ctx, http::request&, const auth::agent&) {
    auto online = ctx.hub.online();
    auto open_chats = ctx.engine.open_chats_by_agent();
    json::array list;
    for (auto& a : ctx.agents.list()) {
        auto o = agent_json(a);
        o["online"] = std::find(online.begin(), online.end(), a.username) != online.end();
        auto n = open_chats.find(a.username);
        o["open_chats"] = n == open_chats.end() ? 0u : n->second;
        list.push_back(std::move(o));
    }
    co_return json_response(200, {{"agents", std::move(list)}});
}

// A new invitation mailed to an invited agent, as Chatwoot invites one: a
// link to choose their password. The agent as it left them.
awaitable<auth::agent> mail_invitation(api_context& ctx, std::string username, const auth::agent& by) {
    auto invited = co_await ctx.agents.invite(username);
    auto url = notify::console_link(*ctx.console_url, "password=" + invited.token);
    auto& a = invited.who;
    ctx.mailer->send(notify::invitation_mail(a.email, a.display_name, a.username,
                                             by.shown_name(), url));
    auto audited = audit(ctx, by.username, "agent.invited", a.username, {{"email", a.email}});
    co_await std::move(audited);
    co_return a;
}

// With a password, the agent logs in with it; without, and with an e-mail
// address, they are invited to choose one.
awaitable<http::response> create_agent(api_context& ctx, http::request& req, const auth::agent& who) {
    auto o = object_body(req);
    auto username = string_field(o, "username", true);
    auto password = string_field(o, "password", false);
    auto role = string_field(o, "role", false);
    auto display = trimmed_field(o, "display_name", false, 64);
    auto email = trimmed_field(o, "email", false, 254);
    if (role.empty()) role = "agent";
    if (auto why = auth::validate_username(username); !why.empty()) throw field_error{"username", why};
    bool invite = password.empty();
    if (invite && email.empty())
        throw field_error{"password", "password is required, or an email to send an invitation to"};
    if (invite && !mails_console_links(ctx))
        throw field_error{"password", "password is required: this server sends no e-mail (--smtp-url), so an "
                                      "invitation cannot go"};
    if (!invite)
        if (auto why = auth::validate_password(password); !why.empty()) throw field_error{"password", why};
    if (auto why = auth::validate_role(role); !why.empty()) throw field_error{"role", why};
    if (!email.empty())
        if (auto why = auth::validate_email(email); !why.empty()) throw field_error{"email", why};
    auto a = co_await ctx.agents.create(username, password, role, display, email);
    json::object details{{"role", a.role}, {"display_name", a.display_name}};
    if (invite) details["invited"] = true;
    auto audited = audit(ctx, who.username, "agent.created", a.username, std::move(details));
    co_await std::move(audited);
    if (invite) {
        auto invited = mail_invitation(ctx, a.username, who);
        a = co_await std::move(invited);
    }
    co_return json_response(201, agent_json(a));
}

// The invitation again, for an invited agent who lost it or let it expire:
// the earlier links stop working.
awaitable<http::response> invite_again(api_context& ctx, http::request& req, const auth::agent& who) {
    std::string username(req.param("username"));
    if (!mails_console_links(ctx))
        throw chat::command_error(chat::command_error::kind::conflict,
                                  "this server sends no e-mail (--smtp-url): set a password for " + username + " instead");
    auto invited = mail_invitation(ctx, username, who);
    auto a = co_await std::move(invited);
    co_return json_response(200, agent_json(a));
}

awaitable<http::response> patch_agent(api_context& ctx, http::request& req, const auth::agent& who) {
    std::string username(req.param("username"));
    auto target = ctx.agents.find(username);
    if (!target) throw chat::command_error(chat::command_error::kind::not_found, "no agent named " + username);
    bool self = who.username == username;
    if (!who.is_admin() && !self)
        throw chat::command_error(chat::command_error::kind::forbidden, "agents may change only themselves");
    auto o = object_body(req);
    auth::agent_changes changes;
    if (auto* v = o.if_contains("available")) {
        if (!v->is_bool()) throw field_error{"available", "available must be true or false"};
        changes.available = v->as_bool();
    }
    if (auto* v = o.if_contains("max_chats")) {
        if (!v->is_int64() && !v->is_uint64()) throw field_error{"max_chats", "max_chats must be a whole number"};
        auto n = v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(v->as_uint64());
        if (n < 1 || n > 100) throw field_error{"max_chats", "max_chats must be from 1 to 100"};
        changes.max_chats = static_cast<std::uint32_t>(n);
    }
    if (o.contains("display_name")) changes.display_name = trimmed_field(o, "display_name", true, 64);
    if (o.contains("signature")) {
        // Signed in the agent's own words: not even an admin writes another's.
        if (!self) throw chat::command_error(chat::command_error::kind::forbidden, "only " + username + " may change their signature");
        changes.signature = trimmed_field(o, "signature", false, auth::max_signature_chars);  // "" or null: none
    }
    if (o.contains("email")) {  // the agent's own, or set by an admin for them
        changes.email = trimmed_field(o, "email", false, 254);  // "" or null: none
        if (!changes.email->empty())
            if (auto why = auth::validate_email(*changes.email); !why.empty()) throw field_error{"email", why};
    }
    if (o.contains("role")) {
        if (!who.is_admin()) throw chat::command_error(chat::command_error::kind::forbidden, "only an admin may change roles");
        changes.role = string_field(o, "role", true);
        if (auto why = auth::validate_role(*changes.role); !why.empty()) throw field_error{"role", why};
    }
    if (auto* v = o.if_contains("active")) {
        if (!who.is_admin()) throw chat::command_error(chat::command_error::kind::forbidden, "only an admin may deactivate agents");
        if (self) throw chat::command_error(chat::command_error::kind::forbidden, "an admin cannot deactivate themselves");
        if (!v->is_bool()) throw field_error{"active", "active must be true or false"};
        changes.active = v->as_bool();
    }
    if (o.contains("password")) {
        // One's own password changes with the current one (POST /auth/password),
        // so that a session left open cannot take the account over.
        if (!who.is_admin() || self)
            throw chat::command_error(chat::command_error::kind::forbidden,
                                      self ? "change your own password with POST /auth/password, which asks for the current one"
                                           : "only an admin may set another agent's password");
        changes.password = string_field(o, "password", true);
        if (auto why = auth::validate_password(*changes.password); !why.empty()) throw field_error{"password", why};
    }
    if (auto* v = o.if_contains("two_factor")) {
        // Turned on only by the agent, with their app (POST /auth/two-factor/…);
        // an admin turns it off for one who lost their phone and recovery codes.
        if (!v->is_bool()) throw field_error{"two_factor", "two_factor must be false"};
        if (v->as_bool())
            throw field_error{"two_factor", "two_factor is turned on only by the agent, with POST /auth/two-factor/setup"};
        if (!who.is_admin() || self)
            throw chat::command_error(chat::command_error::kind::forbidden,
                                      self ? "turn your own off with POST /auth/two-factor/disable, which asks for a code"
                                           : "only an admin may turn off another agent's two-factor authentication");
        changes.two_factor = false;
    }
    if (!changes.available && !changes.max_chats && !changes.display_name && !changes.role && !changes.active &&
        !changes.password && !changes.signature && !changes.email && !changes.two_factor)
        throw field_error{"body", "nothing to change: give available, max_chats, display_name, signature, email, role, "
                                  "active, password or two_factor"};

    bool moves_address = changes.email && ascii_lowered(*changes.email) != ascii_lowered(target->email);
    if (moves_address && self) {
        // A password link goes to this address: a session left open must not
        // send the next one elsewhere. So GitHub asks for the password too.
        auto password = string_field(o, "current_password", false);
        if (password.empty())
            throw field_error{"current_password", "current_password is required to change your e-mail address"};
        auto checked = co_await ctx.agents.check_own_password(username, password, req.remote_address);
        using outcome = auth::agents_service::password_check::outcome;
        if (checked.what == outcome::rate_limited)
            co_return too_many_attempts(checked.retry_after, "too many wrong passwords: try again later");
        if (checked.what == outcome::wrong_password)
            throw field_error{"current_password", "current_password is not your password"};
    }

    std::vector<std::string> ended;
    auto a = co_await ctx.agents.update(username, changes, &ended);
    ctx.hub.end_sessions(ended);
    auto admin = "An admin, " + who.shown_name() + ", ";
    if (changes.password) tell_account_owner(ctx, a, admin + "set a new password for your account", req);
    if (changes.two_factor) tell_account_owner(ctx, a, admin + "turned off your two-factor authentication", req);
    if (moves_address) {
        // To the address it was: the one that learns of a change its owner did not make.
        std::string what = self ? "Your e-mail address was " : admin;
        if (self) what += a.email.empty() ? "removed" : "changed to " + a.email;
        else what += a.email.empty() ? "removed your e-mail address" : "changed your e-mail address to " + a.email;
        tell_account_owner(ctx, *target, what, req);
    }
    // The account's changes; availability is presence (agent.presence), not one.
    boost::json::object changed;
    if (changes.role) changed["role"] = *changes.role;
    if (changes.active) changed["active"] = *changes.active;
    if (changes.max_chats) changed["max_chats"] = *changes.max_chats;
    if (changes.display_name) changed["display_name"] = *changes.display_name;
    if (changes.password) changed["password_set"] = true;  // never the password
    if (changes.email) changed["email"] = *changes.email;
    if (changes.two_factor) changed["two_factor"] = false;
    if (!changed.empty()) {
        auto audited = audit(ctx, who.username, "agent.updated", username, std::move(changed));
        co_await std::move(audited);
    }
    // A deactivated agent answers no more: their users wait for someone who will.
    if (changes.active && !*changes.active) co_await ctx.engine.requeue_chats_of(username);
    // Availability is presence as routing sees it: every console shows it.
    if (changes.available && *changes.available != target->available) {
        auto online = ctx.hub.online();
        ctx.hub.publish({"agent.presence",
                         "",
                         {{"agent", a.username},
                          {"online", std::find(online.begin(), online.end(), a.username) != online.end()},
                          {"available", a.available}},
                         std::chrono::system_clock::now()});
    }
    co_return json_response(200, agent_json(a));
}

}  // namespace

void add_agent_routes(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/agents", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return list_agents(ctx, r, w);
               }));
    routes.add(http::verb::post, "/agents", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return create_agent(ctx, r, w);
               }, true));
    routes.add(http::verb::post, "/agents/{username}/invitation",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return invite_again(ctx, r, w); }, true));
    routes.add(http::verb::patch, "/agents/{username}", authed(ctx, [&ctx](http::request& r, const auth::agent& w) {
                   return patch_agent(ctx, r, w);
               }));
}

}  // namespace switchboard::api
