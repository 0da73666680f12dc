// Command-line and environment configuration (SPEC §1). Every flag has an
// environment twin SWITCHBOARD_<FLAG>, the flag winning when both are given.
#pragma once

#include "switchboard/chat/business_hours.hpp"
#include "switchboard/core/log.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::app {

struct config {
    unsigned short port = 8080;
    std::string bind = "127.0.0.1";
    std::string data = "./data";  // a directory, or ":memory:"
    std::uint64_t data_max_mb = 0;    // refuse writes past this database size; 0: no limit
    bool search_index = true;         // keep search.db, an index of message text, beside the database
    std::size_t group_commit_max = 0;  // 0: the store's default; 1: one commit per write
    unsigned threads = 0;         // 0: one per core
    std::string web_root;         // default: the console shipped beside the source
    std::size_t max_body = 64 * 1024;
    unsigned header_timeout = 10;     // seconds
    unsigned keepalive_timeout = 60;  // seconds
    unsigned body_timeout = 30;       // seconds for a request's body, once its headers are in
    unsigned write_timeout = 30;      // seconds for an answer, or a streamed answer's chunk, to be taken
    unsigned idle_timeout = 1800;  // seconds without a message before a conversation returns to IDLE
    std::string bot_texts;         // JSON file overriding the bot's texts
    std::string business_hours;    // "mon-fri 09:00-17:30, …" in `timezone`; empty: always open
    std::string timezone;          // IANA zone of business_hours; empty: UTC
    std::string days_off;          // "2026-12-25, 2027-01-01": dates the business hours skip
    // The three above, read once by parse_config; null: always open.
    std::shared_ptr<const chat::business_hours> hours;
    std::string outbound_url;      // plain-webhook users' messages are POSTed here
    std::string wa_verify_token;
    std::string wa_app_secret;
    std::string wa_token;
    std::string wa_api_base = "https://graph.facebook.com/v21.0";
    std::string wa_business_account_id;  // whose approved templates agents send
    std::string wa_phone_number_id;      // the business number conversations agents open come from
    // E-mail to agents who are away: the SMTP server, its login, the sender,
    // and the console's address that the mails link to.
    std::string smtp_url, smtp_user, smtp_password, smtp_from;
    std::string public_url;  // empty: the address the server listens on
    bool wa_buttons = false;  // the bot's keywords as reply buttons (interactive messages), not text alone
    std::string events_url;     // every event is POSTed here too, for integrations; empty: nowhere
    std::string events_secret;  // signs what goes to events_url
    std::vector<std::string> events_types;  // what goes to events_url; empty: every type
    unsigned outbox_max_backoff = 60;  // seconds
    unsigned outbound_connections = 16;
    std::uint64_t max_media = 16u << 20;  // WhatsApp files passed on to agents
    unsigned max_uploads = 8;             // agents' files read or held at once, each up to max_media
    std::string outbound_ca_file;  // extra CA certificates for https destinations
    std::string admin_password;         // sets admin's password; on first start a random one is printed otherwise
    unsigned session_ttl = 43200;       // seconds a login lasts
    std::string allowed_origins;        // comma-separated origins allowed to open /ws; empty: same host
    // Reverse proxies (addresses, as the server sees them connect) whose
    // X-Forwarded-For names the client: logins are limited per client.
    std::vector<std::string> trusted_proxies;
    unsigned event_retention = 86400;   // seconds of events kept for WebSocket resume
    std::size_t ws_max_lag = 8192;      // events an agent socket may fall behind before it is closed
    unsigned ws_idle_timeout = 60;      // seconds an agent socket may stay silent (pings included) before it is closed
    std::string routing = "manual";     // manual | round-robin | least-busy
    unsigned reassign_after = 0;        // seconds an assigned chat may go unanswered; 0: never
    unsigned campaign_rate = 50;        // messages a second a campaign sends at most; 0: no limit
    log::level log_level = log::level::info;
    log::format log_format = log::format::text;
};

struct parse_result {
    enum class action { run, help, version, error } what = action::run;
    std::string message;  // usage text, version line or the error
    config cfg;
};

// A comma-separated flag's items, each trimmed of spaces, empty ones left out.
std::vector<std::string> comma_list(std::string_view list);

// `args` excludes the program name; `environment` holds "NAME=value" entries.
parse_result parse_config(const std::vector<std::string>& args, const std::vector<std::string>& environment);

std::string_view version();

}  // namespace switchboard::app
