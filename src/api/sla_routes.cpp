// GET /sla, PUT /sla: the team's reply-time targets, as Chatwoot's and
// Intercom's SLAs: how long a user may wait for an agent's first answer in a
// chat, and for each answer after it, and how long a chat may stay open
// (its resolution), on the wall clock or only during the team's business
// hours. Consoles mark the chats that waited
// past them (a chat's `waiting_since` and `first_reply_at` say which target
// applies); every console hears of a change as `sla.updated`. The engine
// reports each wait past its target, and each chat open past the resolution
// target, as `chat.sla_missed`.
#include "audit.hpp"
#include "request_helpers.hpp"
#include "sla.hpp"

#include "switchboard/auth/teams.hpp"
#include "switchboard/chat/business_hours.hpp"
#include "switchboard/chat/engine.hpp"
#include "switchboard/store/store.hpp"
#include "switchboard/ws/hub.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::string_view setting_key = "sla";
constexpr std::array<std::string_view, 3> target_names{"first_reply_minutes", "next_reply_minutes",
                                                       "resolution_minutes"};
constexpr std::string_view business_hours_name = "only_during_business_hours";
constexpr std::int64_t most_minutes = 7 * 24 * 60;  // a week

// A target in minutes, or none (null or absent). `otherwise`: what else the
// field may be, for the error.
std::optional<std::int64_t> target_field(const json::object& o, std::string_view key,
                                         std::string_view otherwise = "or null for no target") {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    // Boost.JSON reads every whole number that fits as an int64; 2.5, "5"
    // and one past int64 are not.
    std::optional<std::int64_t> n;
    if (v->is_int64()) n = v->get_int64();
    if (!n || *n < 1 || *n > most_minutes)
        throw field_error{std::string(key), std::string(key) + " must be a whole number of minutes from 1 to " +
                                                std::to_string(most_minutes) + " (a week), " +
                                                std::string(otherwise)};
    return n;
}

// Absent is false, as a policy kept before it existed reads.
bool business_hours_field(const json::object& o) {
    auto* v = o.if_contains(business_hours_name);
    if (!v) return false;
    if (!v->is_bool())
        throw field_error{std::string(business_hours_name), std::string(business_hours_name) + " must be true or false"};
    return v->get_bool();
}

reply_targets targets_from(const json::object& o) {
    return {target_field(o, target_names[0]), target_field(o, target_names[1]), business_hours_field(o),
            target_field(o, target_names[2])};
}

json::object targets_json(const reply_targets& t) {
    auto minutes = [](const std::optional<std::int64_t>& m) { return m ? json::value(*m) : json::value(nullptr); };
    return {{target_names[0], minutes(t.first_reply_minutes)},
            {target_names[1], minutes(t.next_reply_minutes)},
            {target_names[2], minutes(t.resolution_minutes)},
            {business_hours_name, t.only_during_business_hours}};
}

awaitable<http::response> put_sla(api_context& ctx, http::request& req, const auth::agent& who) {
    auto body = object_body(req);
    for (auto& field : body)
        if (std::find(target_names.begin(), target_names.end(), field.key()) == target_names.end() &&
            field.key() != business_hours_name)
            throw field_error{std::string(field.key()),
                              "unknown field " + std::string(field.key()) +
                                  ": the fields are first_reply_minutes, next_reply_minutes, resolution_minutes and "
                                  "only_during_business_hours"};
    auto targets = targets_from(body);
    // Refused rather than kept to no effect: without hours every minute counts.
    if (targets.only_during_business_hours && !ctx.hours)
        throw field_error{std::string(business_hours_name),
                          "no business hours are set (--business-hours): every minute counts"};
    auto policy = targets_json(targets);
    store::write_batch b;
    b.settings_put.emplace_back(std::string(setting_key), json::serialize(policy));
    co_await ctx.store.write(std::move(b));
    refresh_reply_policy(ctx);
    ctx.hub.publish({"sla.updated", "", policy, std::chrono::system_clock::now()});
    auto audited = audit(ctx, who.username, "sla.updated", "", policy);
    co_await std::move(audited);
    co_return json_response(200, policy);
}

}  // namespace

// A kept value that no longer reads (written by hand) is no target rather
// than a broken console.
reply_targets kept_reply_targets(const store::store& db) {
    if (auto text = db.find_setting(setting_key)) {
        boost::system::error_code ec;
        auto v = json::parse(*text, ec);
        if (!ec && v.is_object()) {
            try {
                return targets_from(v.as_object());
            } catch (const field_error&) {
            }
        }
    }
    return {};
}

reply_policy reply_policy_now(api_context& ctx) {
    reply_policy p{kept_reply_targets(ctx.store), {}};
    for (auto& t : ctx.teams.list()) {
        if (!t.own_targets.any()) continue;
        auto own = p.standard;
        for (auto kind : {&reply_targets::first_reply_minutes, &reply_targets::next_reply_minutes,
                          &reply_targets::resolution_minutes})
            if (t.own_targets.*kind == reply_targets::none) own.*kind = std::nullopt;
            else if (t.own_targets.*kind) own.*kind = t.own_targets.*kind;
        p.by_team.emplace(t.name, own);
    }
    return p;
}

void refresh_reply_policy(api_context& ctx) { ctx.engine.set_reply_policy(reply_policy_now(ctx)); }

reply_targets team_targets_field(const json::object& body) {
    auto* v = body.if_contains("sla");
    if (!v || v->is_null()) return {};
    if (!v->is_object())
        throw field_error{"sla", R"(sla must be null or the team's own targets, as {"first_reply_minutes":5})"};
    const auto& o = v->as_object();
    for (auto& field : o)
        if (std::find(target_names.begin(), target_names.end(), field.key()) == target_names.end())
            throw field_error{"sla", "unknown field sla." + std::string(field.key()) +
                                         ": a team sets first_reply_minutes, next_reply_minutes and resolution_minutes"};
    // As PUT /sla reads them, but for false: none of that kind for the team.
    auto own = [&](std::string_view key) -> std::optional<std::int64_t> {
        auto* v = o.if_contains(key);
        if (v && v->is_bool() && !v->get_bool()) return reply_targets::none;
        try {
            return target_field(o, key, "null for the standard one, or false for none for this team");
        } catch (const field_error& e) {
            throw field_error{"sla." + e.field, "sla." + e.message};
        }
    };
    reply_targets t;
    t.first_reply_minutes = own(target_names[0]);
    t.next_reply_minutes = own(target_names[1]);
    t.resolution_minutes = own(target_names[2]);
    return t;
}

void add_sla_routes(http::router& routes, api_context& ctx) {
    refresh_reply_policy(ctx);  // what the engine holds open chats to
    routes.add(http::verb::get, "/sla",
               authed(ctx, [&ctx](http::request&, const auth::agent&) -> awaitable<http::response> {
                   co_return json_response(200, targets_json(kept_reply_targets(ctx.store)));
               }));
    routes.add(http::verb::put, "/sla",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return put_sla(ctx, r, w); }, true));
}

}  // namespace switchboard::api
