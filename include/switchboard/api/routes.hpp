// The agents' API (SPEC §4) and the WebSocket route (§5).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class thread_pool;
}
namespace switchboard::http {
class router;
}
namespace switchboard::chat {
class engine;
class business_hours;
}
namespace switchboard::auth {
class agents_service;
class team_roster;
}
namespace switchboard::ws {
class hub;
}
namespace switchboard::store {
class store;
}
namespace switchboard::notify {
class notification_center;
class mailer;
}
namespace switchboard::channels {
class media_fetcher;
class template_catalog;
}

namespace switchboard::api {

class automation_runner;
class campaign_runner;
class scheduled_replies;

// Where an agent may open a conversation with a user who has not written
// (POST /conversations).
struct opening_options {
    // WhatsApp: the business number it comes from (--wa-phone-number-id);
    // empty: not on WhatsApp. Its first message is a template, so templates
    // must be set up too.
    std::string wa_phone_number_id;
    bool plain = false;  // the plain webhook: --outbound-url is set
};

struct api_context {
    chat::engine& engine;
    auth::agents_service& agents;
    auth::team_roster& teams;
    ws::hub& hub;
    store::store& store;
    // Where the routes run the store's scans (api::scan); see request_helpers.hpp.
    boost::asio::thread_pool& scans;
    // Media messages' files, fetched from the provider for the agent who
    // opens one, and agents' files uploaded to it.
    channels::media_fetcher& media;
    // WhatsApp's approved templates, read from the provider.
    channels::template_catalog& templates;
    // Origins allowed to open /ws with an agent's cookie; empty: the request's own host only.
    std::vector<std::string> allowed_origins;
    // When the team answers (`--business-hours`); null: always.
    const chat::business_hours* hours = nullptr;
    // Runs the automation rules, which /automations writes; null: none run.
    automation_runner* automations = nullptr;
    // Agents' notifications, which /notifications lists and marks read.
    notify::notification_center* notifications = nullptr;
    opening_options openings = {};
    // Sends the campaigns /campaigns makes; null: no /campaigns.
    campaign_runner* campaigns = nullptr;
    // E-mail (--smtp-url): agents away get their notifications, and users
    // their conversation's transcript; the console offers the address field
    // then. Null: none.
    notify::mailer* mailer = nullptr;
    // Where agents reach the console (--public-url, else the listening
    // address): the links mails give. Never a request's Host header, which
    // whoever asks for a password mail chooses.
    const std::string* console_url = nullptr;
    // Replies agents scheduled, sent at their time; null: no /scheduled.
    scheduled_replies* scheduled = nullptr;
};

void add_auth_routes(http::router& routes, api_context& ctx);
class view_book;
// Returns the saved views, which GET /conversations?view= lists by.
std::shared_ptr<view_book> add_view_routes(http::router& routes, api_context& ctx);
class attribute_catalog;
// Returns the custom attributes, which a user's details are checked against.
std::shared_ptr<const attribute_catalog> add_attribute_routes(http::router& routes, api_context& ctx);
void add_conversation_routes(http::router& routes, api_context& ctx, std::shared_ptr<view_book> views,
                             std::shared_ptr<const attribute_catalog> attributes);
void add_new_conversation_route(http::router& routes, api_context& ctx,
                                std::shared_ptr<const attribute_catalog> attributes);
void add_participant_routes(http::router& routes, api_context& ctx);
void add_past_chats_route(http::router& routes, api_context& ctx);
class macro_book;
// Returns the macros, which bulk actions run too.
std::shared_ptr<macro_book> add_macro_routes(http::router& routes, api_context& ctx);
void add_bulk_route(http::router& routes, api_context& ctx, std::shared_ptr<macro_book> macros);
void add_automation_routes(http::router& routes, api_context& ctx);
// Starts the campaign runner too (api_context::campaigns).
void add_campaign_routes(http::router& routes, api_context& ctx);
void add_contact_import_route(http::router& routes, api_context& ctx,
                              std::shared_ptr<const attribute_catalog> attributes);
void add_contact_export_route(http::router& routes, api_context& ctx);
void add_contact_list_route(http::router& routes, api_context& ctx);
void add_conversation_delete_route(http::router& routes, api_context& ctx);
void add_agent_routes(http::router& routes, api_context& ctx);
void add_websocket_route(http::router& routes, api_context& ctx);
void add_report_routes(http::router& routes, api_context& ctx);
void add_csat_route(http::router& routes, api_context& ctx);
void add_export_routes(http::router& routes, api_context& ctx);
void add_transcript_route(http::router& routes, api_context& ctx);
void add_transcript_mail_route(http::router& routes, api_context& ctx);
void add_canned_response_routes(http::router& routes, api_context& ctx);
void add_media_route(http::router& routes, api_context& ctx);
void add_attachment_route(http::router& routes, api_context& ctx);
void add_template_routes(http::router& routes, api_context& ctx);
void add_business_hours_route(http::router& routes, api_context& ctx);
void add_sla_routes(http::router& routes, api_context& ctx);
void add_security_route(http::router& routes, api_context& ctx);
void add_team_routes(http::router& routes, api_context& ctx);
void add_label_routes(http::router& routes, api_context& ctx);
void add_audit_route(http::router& routes, api_context& ctx);
void add_notification_routes(http::router& routes, api_context& ctx);
// Starts sending the scheduled replies too (api_context::scheduled).
void add_scheduled_routes(http::router& routes, api_context& ctx);

inline void add_api_routes(http::router& routes, api_context& ctx) {
    add_auth_routes(routes, ctx);
    auto attributes = add_attribute_routes(routes, ctx);
    add_conversation_routes(routes, ctx, add_view_routes(routes, ctx), attributes);
    add_new_conversation_route(routes, ctx, attributes);
    add_conversation_delete_route(routes, ctx);
    add_participant_routes(routes, ctx);
    add_past_chats_route(routes, ctx);
    add_bulk_route(routes, ctx, add_macro_routes(routes, ctx));
    add_automation_routes(routes, ctx);
    add_campaign_routes(routes, ctx);
    add_contact_import_route(routes, ctx, attributes);
    add_contact_export_route(routes, ctx);
    add_contact_list_route(routes, ctx);
    add_agent_routes(routes, ctx);
    add_websocket_route(routes, ctx);
    add_report_routes(routes, ctx);
    add_csat_route(routes, ctx);
    add_export_routes(routes, ctx);
    add_transcript_route(routes, ctx);
    add_transcript_mail_route(routes, ctx);
    add_canned_response_routes(routes, ctx);
    add_media_route(routes, ctx);
    add_attachment_route(routes, ctx);
    add_template_routes(routes, ctx);
    add_business_hours_route(routes, ctx);
    add_sla_routes(routes, ctx);
    add_security_route(routes, ctx);
    add_team_routes(routes, ctx);
    add_label_routes(routes, ctx);
    add_audit_route(routes, ctx);
    if (ctx.notifications) add_notification_routes(routes, ctx);
    if (ctx.scheduled) add_scheduled_routes(routes, ctx);
}

}  // namespace switchboard::api
