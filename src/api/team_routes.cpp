// GET /teams, PUT /teams/{name}, DELETE /teams/{name}: the teams a
// conversation is filed under (auth/teams.hpp). Everyone reads them,
// admins write them; every console hears of a change as `teams.updated`,
// with the whole roster. A conversation's own team is set by
// PUT /conversations/{phone}/team (conversation_routes.cpp).
#include "audit.hpp"
#include "command_fields.hpp"
#include "request_helpers.hpp"
#include "sla.hpp"

#include "switchboard/auth/teams.hpp"
#include "switchboard/chat/conversation.hpp"
#include "switchboard/ws/hub.hpp"

#include <boost/json/array.hpp>

#include <algorithm>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::array roster_json(const auth::team_roster& teams) {
    json::array out;
    for (auto& t : teams.list()) out.push_back(auth::team_json(t));
    return out;
}

void announce(api_context& ctx) {
    ctx.hub.publish({"teams.updated", "", {{"teams", roster_json(ctx.teams)}}, std::chrono::system_clock::now()});
}

// The name in the path, as typed (`Billing team` is billing-team).
std::string path_team(const http::request& req) {
    auto name = chat::label_from(req.param("name"));
    if (!name) throw field_error{"name", "a team's name is 1 to 32 characters of a-z, 0-9, - and _ (spaces become -)"};
    // ?team=none lists the conversations under no team.
    if (*name == "none") throw field_error{"name", "none stands for no team: a team needs another name"};
    return std::move(*name);
}

// "members": the usernames of agents there are, at most max_team_members.
std::vector<std::string> members_field(api_context& ctx, const json::object& o) {
    return usernames_field(ctx, o, "members", auth::max_team_members,
                           "a team has at most " + std::to_string(auth::max_team_members) + " members", false);
}

awaitable<http::response> put_team(api_context& ctx, http::request& req, const auth::agent& who) {
    auth::team t;
    t.name = path_team(req);
    auto o = object_body(req);
    for (auto& field : o)
        if (field.key() != "description" && field.key() != "members" && field.key() != "sla")
            throw field_error{std::string(field.key()),
                              "unknown field " + std::string(field.key()) + ": the fields are description, members and sla"};
    t.description = one_line_field(o, "description", auth::max_team_description_chars);
    t.members = members_field(ctx, o);
    t.own_targets = team_targets_field(o);
    t.updated_by = who.username;
    t.updated_at = std::chrono::system_clock::now();
    auto put = co_await ctx.teams.put(std::move(t));
    if (!put)
        throw chat::command_error(chat::command_error::kind::conflict,
                                  "there are " + std::to_string(auth::max_teams) + " teams already, the most there are");
    refresh_reply_policy(ctx);
    announce(ctx);
    auto about = auth::team_json(put->saved);
    json::object details{{"description", about.at("description")}, {"members", about.at("members")}};
    if (!about.at("sla").is_null()) details["sla"] = about.at("sla");  // its own targets, when it has them
    auto answering = audited_save(ctx, who.username, "team", put->created, put->saved.name, std::move(details),
                                  std::move(about));  // named: GCC 12
    co_return co_await std::move(answering);
}

// The team goes, and every conversation filed under it is under none,
// each with its conversation.updated.
awaitable<http::response> delete_team(api_context& ctx, http::request& req, const auth::agent& who) {
    auto name = path_team(req);
    bool removed = co_await ctx.teams.remove(name);
    if (!removed) throw chat::command_error(chat::command_error::kind::not_found, "no team named " + name);
    refresh_reply_policy(ctx);
    announce(ctx);
    auto filed = chat::every_conversation([&name](const chat::conversation& c) { return c.team == name; });
    auto page = ctx.engine.listed(filed);
    std::size_t moved = 0;
    for (auto& row : page.rows) {
        auto phone = row.record->phone;
        auto leaving = ctx.engine.leave_team(std::move(phone), as_ref(who), name);
        std::optional<chat::conversation> c;
        try {
            c = co_await std::move(leaving);
        } catch (const chat::command_error& e) {
            if (e.what_kind() != chat::command_error::kind::not_found) throw;  // else erased meanwhile: nothing to move
        }
        if (c && c->team.empty()) ++moved;
    }
    auto audited = audit(ctx, who.username, "team.deleted", name, {{"conversations", moved}});
    co_await std::move(audited);
    co_return json_response(200, {{"deleted", name}, {"conversations", moved}});
}

}  // namespace

void add_team_routes(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/teams",
               authed(ctx, [&ctx](http::request&, const auth::agent&) -> awaitable<http::response> {
                   co_return json_response(200, {{"teams", roster_json(ctx.teams)}});
               }));
    routes.add(http::verb::put, "/teams/{name}",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return put_team(ctx, r, w); }, true));
    routes.add(http::verb::delete_, "/teams/{name}",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return delete_team(ctx, r, w); }, true));
}

}  // namespace switchboard::api
