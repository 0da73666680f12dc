// /campaigns: Chatwoot's one-off campaigns. Every agent reads them (a
// user's answer to one comes to whoever is there); admins make and delete
// them. The runner sends them (switchboard/api/campaigns.hpp).
#include "audit.hpp"
#include "command_fields.hpp"
#include "template_request.hpp"

#include "switchboard/channels/templates.hpp"

#include "switchboard/api/campaigns.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// How far ahead a campaign may be scheduled, as a chat may be snoozed.
constexpr auto furthest_schedule = std::chrono::hours(24 * 366);

timestamp scheduled_at_field(const json::object& o) {
    auto now = std::chrono::system_clock::now();
    auto* v = o.if_contains("scheduled_at");
    if (!v || v->is_null()) return now;
    constexpr std::string_view what = "scheduled_at must be an ISO-8601 time (2026-12-24T09:00:00Z), or null for now";
    if (!v->is_string()) throw field_error{"scheduled_at", std::string(what)};
    auto at = parse_iso8601(v->as_string());
    if (!at) throw field_error{"scheduled_at", std::string(what)};
    if (*at <= now) throw field_error{"scheduled_at", "scheduled_at must be in the future (null: now)"};
    if (*at - now > furthest_schedule) throw field_error{"scheduled_at", "a campaign is scheduled a year ahead at most"};
    return *at;
}

// The fields of `o` that make a campaign (`whole`: each required one) or
// change one (those given), into `c`, whose channel is set; a refusal that
// is no field's (a channel not set up), or nullopt.
awaitable<std::optional<http::response>> read_campaign(api_context& ctx, const json::object& o, campaign& c,
                                                       bool whole) {
    if (whole || o.contains("name")) c.name = trimmed_field(o, "name", true, 64);
    if (whole || o.contains("labels")) {
        c.labels = labels_field(o);
        if (c.labels.empty())
            throw field_error{"labels", "a campaign is for the users filed under any of its labels: name one at least"};
        std::sort(c.labels.begin(), c.labels.end());
    }
    if (o.contains("except_labels")) {
        c.except_labels = labels_field(o, "except_labels");
        std::sort(c.except_labels.begin(), c.except_labels.end());
    }
    if (whole || o.contains("scheduled_at")) c.scheduled_at = scheduled_at_field(o);

    if (c.via == chat::channel::whatsapp) {
        if (o.contains("text"))
            throw field_error{"text", "a WhatsApp campaign sends a template: WhatsApp delivers nothing else to a user "
                                      "who has not written in 24 hours"};
        if (!whole && !o.contains("template")) co_return std::nullopt;
        auto filling = template_in(ctx, o,
                                   "template is required for a WhatsApp campaign: an approved template and its "
                                   "values, as send-template takes them");
        auto filled = co_await std::move(filling);
        if (auto* refused = std::get_if<http::response>(&filled)) co_return std::move(*refused);
        c.message = std::get<chat::outgoing_template>(std::move(filled));
        auto& named = o.at("template").as_object();  // read and checked by now
        c.template_name = named.at("name").as_string();
        c.template_language = named.at("language").as_string();
    } else {
        if (o.contains("template"))
            throw field_error{"template", "templates are WhatsApp's: a plain-webhook campaign sends a text"};
        if (whole || o.contains("text")) c.message.text = string_field(o, "text", true, max_text_chars);
        if (!ctx.openings.plain)
            co_return not_configured("a campaign cannot reach plain-webhook users: the server needs --outbound-url, "
                                     "where messages for them go");
    }
    co_return std::nullopt;
}

awaitable<http::response> create_campaign(api_context& ctx, campaign_runner& runner, http::request& req,
                                          const auth::agent& who) {
    auto o = object_body(req);
    campaign c;
    auto via = chat::channel_from_string(string_field(o, "channel", true, 16));
    if (!via) throw field_error{"channel", "channel must be whatsapp or plain"};
    c.via = *via;
    c.created_by = who.username;
    c.created_by_name = who.display_name;
    c.created_at = std::chrono::system_clock::now();
    auto reading = read_campaign(ctx, o, c, true);
    if (auto refused = co_await std::move(reading)) co_return std::move(*refused);
    auto creating = runner.create(std::move(c));
    auto made = co_await std::move(creating);
    json::object details{{"name", made.name}, {"channel", chat::to_string(made.via)}};
    auto auditing = audit(ctx, who.username, "campaign.created", made.id, std::move(details));
    co_await std::move(auditing);
    co_return json_response(201, campaign_json(made));
}

// GET /campaigns/audience?channel=&labels=a,b: how many users a campaign
// made now would start with (those in a chat when their turn comes are
// passed over then). A walk of every conversation's state: a scan.
awaitable<http::response> audience(api_context& ctx, http::request& req) {
    auto via = chat::channel_from_string(req.query_param("channel").value_or(""));
    if (!via) throw field_error{"channel", "channel must be whatsapp or plain"};
    chat::campaign_audience asked{*via, labels_in_text(req.query_param("labels").value_or(""), "labels"),
                                  labels_in_text(req.query_param("except").value_or(""), "except")};
    if (asked.labels.empty())
        throw field_error{"labels", "labels names one label at least, or several with commas between"};
    std::sort(asked.labels.begin(), asked.labels.end());
    std::sort(asked.except_labels.begin(), asked.except_labels.end());
    auto count = [&ctx, asked = std::move(asked)] {
        auto q = chat::every_conversation([&](const chat::conversation& c) { return chat::in_campaign_audience(c, asked); });
        return ctx.engine.listed(q).rows.size();
    };
    auto users = co_await scan(ctx, req, count);
    co_return json_response(200, json::object{{"users", users}});
}

http::response list_campaigns(campaign_runner& runner) {
    json::array out;
    for (auto& c : runner.list()) out.emplace_back(campaign_json(c));
    return json_response(200, json::object{{"campaigns", std::move(out)}});
}

chat::command_error no_campaign(std::string_view id) {
    return chat::command_error(chat::command_error::kind::not_found, "no campaign " + std::string(id));
}

// PATCH /campaigns/{id}: a campaign not yet started, changed (Chatwoot
// edits a campaign until it goes): any of its fields but the channel.
awaitable<http::response> change_campaign(api_context& ctx, campaign_runner& runner, http::request& req,
                                          const auth::agent& who) {
    auto id = std::string(req.param("id"));
    auto o = object_body(req);
    for (auto& [key, value] : o)
        if (key != "name" && key != "labels" && key != "except_labels" && key != "text" && key != "template" &&
            key != "scheduled_at")
            throw field_error{std::string(key), std::string(key) + " is not a campaign's to change" +
                                                    (key == "channel" ? ": make a campaign on the other channel" : "")};
    auto found = runner.find(id);
    if (!found) throw no_campaign(id);
    auto c = *found;
    auto reading = read_campaign(ctx, o, c, false);
    if (auto refused = co_await std::move(reading)) co_return std::move(*refused);
    auto changing = runner.change(std::move(c));
    auto changed = co_await std::move(changing);
    json::array fields;
    for (auto& [key, value] : o) fields.emplace_back(json::string(key));
    json::object details{{"name", changed.name}, {"fields", std::move(fields)}};
    auto auditing = audit(ctx, who.username, "campaign.updated", id, std::move(details));
    co_await std::move(auditing);
    co_return json_response(200, campaign_json(changed));
}

awaitable<http::response> delete_campaign(api_context& ctx, campaign_runner& runner, http::request& req,
                                          const auth::agent& who) {
    auto id = std::string(req.param("id"));
    auto found = runner.find(id);
    if (!found) throw no_campaign(id);
    auto removing = runner.remove(id);
    if (!co_await std::move(removing)) throw no_campaign(id);
    json::object details{{"name", found->name}, {"sent", found->sent}};
    auto auditing = audit(ctx, who.username, "campaign.deleted", id, std::move(details));
    co_await std::move(auditing);
    co_return json_response(200, json::object{{"deleted", id}});
}

}  // namespace

json::array campaign_channels(const api_context& ctx) {
    json::array out;
    if (ctx.campaigns && ctx.templates.configured()) out.emplace_back(json::string("whatsapp"));
    if (ctx.campaigns && ctx.openings.plain) out.emplace_back(json::string("plain"));
    return out;
}

void add_campaign_routes(http::router& routes, api_context& ctx) {
    if (!ctx.campaigns) return;
    auto& runner = *ctx.campaigns;
    runner.attach(ctx);
    routes.add(http::verb::get, "/campaigns",
               authed(ctx, [&runner](http::request&, const auth::agent&) -> awaitable<http::response> {
                   co_return list_campaigns(runner);
               }));
    routes.add(http::verb::get, "/campaigns/audience",
               authed(ctx, [&ctx](http::request& req, const auth::agent&) { return audience(ctx, req); }));
    routes.add(http::verb::get, "/campaigns/{id}",
               authed(ctx, [&runner](http::request& req, const auth::agent&) -> awaitable<http::response> {
                   auto found = runner.find(req.param("id"));
                   if (!found) throw no_campaign(req.param("id"));
                   co_return json_response(200, campaign_json(*found));
               }));
    routes.add(http::verb::post, "/campaigns",
               authed(
                   ctx,
                   [&ctx, &runner](http::request& req, const auth::agent& who) {
                       return create_campaign(ctx, runner, req, who);
                   },
                   true));
    routes.add(http::verb::patch, "/campaigns/{id}",
               authed(
                   ctx,
                   [&ctx, &runner](http::request& req, const auth::agent& who) {
                       return change_campaign(ctx, runner, req, who);
                   },
                   true));
    routes.add(http::verb::delete_, "/campaigns/{id}",
               authed(
                   ctx,
                   [&ctx, &runner](http::request& req, const auth::agent& who) {
                       return delete_campaign(ctx, runner, req, who);
                   },
                   true));
}

}  // namespace switchboard::api
