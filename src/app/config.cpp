// Flag parsing with Boost.Program_options; environment twins are read as a
// second, lower-priority command line.
#include "switchboard/app/config.hpp"

#include "switchboard/auth/agents.hpp"
#include "switchboard/events/event.hpp"
#include "switchboard/notify/mailer.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>

#include <algorithm>
#include <sstream>
#include <thread>
#include <utility>

#ifndef SWITCHBOARD_VERSION
#define SWITCHBOARD_VERSION "0.0.0"
#endif
#ifndef SWITCHBOARD_DEFAULT_WEB_ROOT
#define SWITCHBOARD_DEFAULT_WEB_ROOT "web"
#endif

namespace switchboard::app {

namespace po = boost::program_options;

std::string_view version() { return SWITCHBOARD_VERSION; }

namespace {

constexpr std::string_view env_prefix = "SWITCHBOARD_";
// More io threads than this is a typing mistake, not a machine.
constexpr unsigned max_threads = 256;

// Flags read as text first, and checked and converted into the config after.
struct text_flags {
    std::string log_level, log_format, trusted_proxies, events_types;
};

po::options_description describe(config& c, text_flags& t) {
    po::options_description d("Usage: switchboard [options]\n       switchboard agent add|passwd|list … "
                              "(switchboard agent --help)\n       switchboard backup --to FILE [--data DIR] "
                              "(switchboard backup --help)\n       switchboard restore --from FILE [--data DIR] "
                              "(switchboard restore --help)\n\nOptions (each also read from SWITCHBOARD_<FLAG>, "
                              "e.g. SWITCHBOARD_MAX_BODY)");
    // clang-format off
    d.add_options()
        ("help", "print this help and exit")
        ("version", "print the version and exit")
        ("port", po::value(&c.port)->default_value(c.port), "TCP port; 0 picks a free one")
        ("bind", po::value(&c.bind)->default_value(c.bind), "address to listen on")
        ("data", po::value(&c.data)->default_value(c.data), "data directory, or :memory:")
        ("data-max-mb", po::value(&c.data_max_mb)->default_value(c.data_max_mb), "refuse writes past this size in MiB of the database and its search index together (webhooks get 503); 0 = no limit")
        ("search-index", po::value(&c.search_index)->default_value(c.search_index), "keep an index of message text for searches (search.db beside the database, some 40 bytes a message); false: searches read every message")
        ("group-commit-max", po::value(&c.group_commit_max)->default_value(c.group_commit_max), "most writes per transaction; 1 = one commit per write (for comparison); 0 = default")
        ("threads", po::value(&c.threads)->default_value(c.threads), "I/O threads; 0 = one per core")
        ("web-root", po::value(&c.web_root)->default_value(SWITCHBOARD_DEFAULT_WEB_ROOT), "directory of the console's static files")
        ("max-body", po::value(&c.max_body)->default_value(c.max_body), "largest request body in bytes")
        ("header-timeout", po::value(&c.header_timeout)->default_value(c.header_timeout), "seconds for a request's headers to arrive")
        ("keepalive-timeout", po::value(&c.keepalive_timeout)->default_value(c.keepalive_timeout), "seconds an idle keep-alive connection stays open")
        ("body-timeout", po::value(&c.body_timeout)->default_value(c.body_timeout), "seconds for a request's body to arrive once its headers have")
        ("write-timeout", po::value(&c.write_timeout)->default_value(c.write_timeout), "seconds a client may go without taking any of an answer before it is dropped")
        ("idle-timeout", po::value(&c.idle_timeout)->default_value(c.idle_timeout), "seconds without a message before a conversation returns to IDLE (an open chat ends; a snoozed one waits until it wakes)")
        ("bot-texts", po::value(&c.bot_texts), "JSON file overriding the bot's texts")
        ("business-hours", po::value(&c.business_hours), "when the team answers, e.g. \"mon-fri 09:00-17:30, sat 10:00-14:00\"; a user asking for support outside them is told when it is back (default: always)")
        ("timezone", po::value(&c.timezone), "IANA time zone of --business-hours, e.g. Europe/Berlin (default: UTC)")
        ("days-off", po::value(&c.days_off), "dates --business-hours do not open on (holidays), YYYY-MM-DD, comma-separated")
        ("outbound-url", po::value(&c.outbound_url), "URL that receives messages for plain-webhook users")
        ("wa-verify-token", po::value(&c.wa_verify_token), "WhatsApp webhook verification token")
        ("wa-app-secret", po::value(&c.wa_app_secret), "WhatsApp app secret: X-Hub-Signature-256 is checked when set")
        ("wa-token", po::value(&c.wa_token), "WhatsApp Cloud API access token")
        ("wa-api-base", po::value(&c.wa_api_base)->default_value(c.wa_api_base), "WhatsApp Cloud API base URL")
        ("wa-buttons", po::value(&c.wa_buttons)->default_value(c.wa_buttons),
         "true: the bot's menu goes to WhatsApp users with reply buttons for its keywords, and the rating question with a list of the scores (interactive messages); false: as text, as SPEC has it")
        ("wa-business-account-id", po::value(&c.wa_business_account_id),
         "WhatsApp Business Account id: agents send its approved message templates (to reach a user past the 24-hour window)")
        ("wa-phone-number-id", po::value(&c.wa_phone_number_id),
         "WhatsApp business number id that conversations agents open with users who have not written come from")
        ("smtp-url", po::value(&c.smtp_url),
         "SMTP server that e-mails agents their notifications while no console of theirs is open: smtp://host:587 (STARTTLS) or smtps://host:465")
        ("smtp-user", po::value(&c.smtp_user), "login at --smtp-url (then only over TLS)")
        ("smtp-password", po::value(&c.smtp_password), "password of --smtp-user (SWITCHBOARD_SMTP_PASSWORD keeps it off the command line)")
        ("smtp-from", po::value(&c.smtp_from), "sender of those e-mails: \"Switchboard <support@example.com>\"")
        ("public-url", po::value(&c.public_url),
         "the console's address as agents reach it (https://support.example.com/), which e-mails link to (default: the address the server listens on)")
        ("events-url", po::value(&c.events_url), "URL that every event agents get is POSTed to as well, in order, for integrations")
        ("events-types", po::value(&t.events_types), "comma-separated event types --events-url gets (default: all)")
        ("events-secret", po::value(&c.events_secret), "key that signs what goes to --events-url (X-Switchboard-Signature: sha256=<HMAC>)")
        ("max-media", po::value(&c.max_media)->default_value(c.max_media), "largest WhatsApp media file in bytes passed on to agents")
        ("max-uploads", po::value(&c.max_uploads)->default_value(c.max_uploads),
         "agents' files (up to --max-media each, held in memory) read or sent on at once; one more is answered 503")
        ("outbox-max-backoff", po::value(&c.outbox_max_backoff)->default_value(c.outbox_max_backoff), "longest wait in seconds between delivery retries")
        ("outbound-ca-file", po::value(&c.outbound_ca_file), "PEM file of extra CA certificates to trust for https destinations")
        ("outbound-connections", po::value(&c.outbound_connections)->default_value(c.outbound_connections), "connections per outbound host")
        ("admin-password", po::value(&c.admin_password), "password for the admin account (set on every start when given)")
        ("session-ttl", po::value(&c.session_ttl)->default_value(c.session_ttl), "seconds a login lasts")
        ("allowed-origins", po::value(&c.allowed_origins), "comma-separated origins allowed to open /ws (default: the server's own host)")
        ("trusted-proxies", po::value(&t.trusted_proxies), "comma-separated addresses of reverse proxies whose X-Forwarded-For names the client (default: none)")
        ("event-retention", po::value(&c.event_retention)->default_value(c.event_retention), "seconds of events kept for WebSocket resume")
        ("ws-max-lag", po::value(&c.ws_max_lag)->default_value(c.ws_max_lag), "events an agent socket may fall behind before it is closed with 1013")
        ("ws-idle-timeout", po::value(&c.ws_idle_timeout)->default_value(c.ws_idle_timeout), "seconds an agent socket may go without a frame (it is pinged halfway) before it is closed and its agent shown offline")
        ("routing", po::value(&c.routing)->default_value(c.routing), "manual | round-robin | least-busy")
        ("reassign-after", po::value(&c.reassign_after)->default_value(c.reassign_after), "seconds an assigned chat may go unanswered before it returns to the head of the queue (a snoozed one counts from its wake); 0 = never")
        ("campaign-rate", po::value(&c.campaign_rate)->default_value(c.campaign_rate), "messages a second a campaign sends at most, so that live chats' replies, which share the outbox, do not wait behind it (WhatsApp starts a number at 80 a second); 0 = no limit")
        ("log-level", po::value(&t.log_level)->default_value("info"), "debug | info | warn | error")
        ("log-format", po::value(&t.log_format)->default_value("text"), "text | json");
    // clang-format on
    return d;
}

// SWITCHBOARD_MAX_BODY=1024 → --max-body=1024, for flags that exist.
std::vector<std::string> environment_as_flags(const std::vector<std::string>& environment,
                                              const po::options_description& d) {
    std::vector<std::string> flags;
    for (auto& entry : environment) {
        if (!entry.starts_with(env_prefix)) continue;
        auto eq = entry.find('=');
        if (eq == std::string::npos) continue;
        std::string name = entry.substr(env_prefix.size(), eq - env_prefix.size());
        for (auto& ch : name) ch = ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (name == "help" || name == "version") continue;
        if (!d.find_nothrow(name, false)) continue;
        flags.push_back("--" + name + "=" + entry.substr(eq + 1));
    }
    return flags;
}

// Boost's conversion reads "-1" as the largest unsigned value: --threads -1
// would start four billion threads, --port -1 listen on 65535. Every number
// flag here is unsigned, so a value with a minus sign is refused by name.
void refuse_negative_numbers(const po::parsed_options& parsed) {
    for (auto& o : parsed.options) {
        if (o.value.empty() || !o.value.front().starts_with('-')) continue;
        auto* d = parsed.description->find_nothrow(o.string_key, false);
        if (!d) continue;
        auto* s = d->semantic().get();
        if (dynamic_cast<const po::typed_value<unsigned short>*>(s) || dynamic_cast<const po::typed_value<unsigned>*>(s) ||
            dynamic_cast<const po::typed_value<unsigned long>*>(s) ||
            dynamic_cast<const po::typed_value<unsigned long long>*>(s))
            throw po::error("--" + o.string_key + " must be a whole number from 0 up, not '" + o.value.front() + "'");
    }
}

po::parsed_options parse_checked(po::command_line_parser& parser) {
    auto parsed = parser.run();
    refuse_negative_numbers(parsed);
    return parsed;
}

}  // namespace

std::vector<std::string> comma_list(std::string_view list) {
    std::vector<std::string> out;
    for (std::size_t start = 0; start <= list.size();) {
        auto comma = std::min(list.find(',', start), list.size());
        auto item = list.substr(start, comma - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        start = comma + 1;
    }
    return out;
}

parse_result parse_config(const std::vector<std::string>& args, const std::vector<std::string>& environment) {
    parse_result out;
    text_flags t;
    auto desc = describe(out.cfg, t);
    try {
        po::variables_map vm;
        po::store(parse_checked(po::command_line_parser(args).options(desc)), vm);
        if (vm.count("help")) {
            std::ostringstream usage;
            usage << desc;
            out.what = parse_result::action::help;
            out.message = usage.str();
            return out;
        }
        if (vm.count("version")) {
            out.what = parse_result::action::version;
            out.message = "switchboard " + std::string(version());
            return out;
        }
        po::store(parse_checked(po::command_line_parser(environment_as_flags(environment, desc)).options(desc)), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        out.what = parse_result::action::error;
        out.message = e.what();
        return out;
    }

    auto fail = [&](std::string message) {
        out.what = parse_result::action::error;
        out.message = std::move(message);
        return out;
    };
    auto level = log::level_from_string(t.log_level);
    if (!level) return fail("--log-level must be debug, info, warn or error, not '" + t.log_level + "'");
    auto format = log::format_from_string(t.log_format);
    if (!format) return fail("--log-format must be text or json, not '" + t.log_format + "'");
    out.cfg.log_level = *level;
    out.cfg.log_format = *format;
    if (out.cfg.max_body == 0) return fail("--max-body must be at least 1");
    if (out.cfg.max_media == 0) return fail("--max-media must be at least 1");
    if (out.cfg.max_uploads == 0) return fail("--max-uploads must be at least 1");
    // Durations are whole seconds, and none may be zero.
    const std::pair<const char*, unsigned> durations[] = {
        {"--header-timeout", out.cfg.header_timeout}, {"--keepalive-timeout", out.cfg.keepalive_timeout},
        {"--body-timeout", out.cfg.body_timeout},     {"--write-timeout", out.cfg.write_timeout},
        {"--session-ttl", out.cfg.session_ttl},       {"--idle-timeout", out.cfg.idle_timeout},
        {"--outbox-max-backoff", out.cfg.outbox_max_backoff}, {"--ws-idle-timeout", out.cfg.ws_idle_timeout}};
    for (auto [flag, seconds] : durations)
        if (seconds == 0) return fail(std::string(flag) + " must be at least 1 second");
    if (out.cfg.routing != "manual" && out.cfg.routing != "round-robin" && out.cfg.routing != "least-busy")
        return fail("--routing must be manual, round-robin or least-busy, not '" + out.cfg.routing + "'");
    if (out.cfg.ws_max_lag == 0) return fail("--ws-max-lag must be at least 1");
    if (out.cfg.outbound_connections == 0) return fail("--outbound-connections must be at least 1");
    for (auto* url : {&out.cfg.outbound_url, &out.cfg.wa_api_base, &out.cfg.events_url})
        if (!url->empty() && !url->starts_with("http://") && !url->starts_with("https://"))
            return fail("'" + *url + "' is not an http:// or https:// URL");
    // It goes into the send API's path ({base}/{id}/messages), as Meta's ids are: digits.
    if (auto& id = out.cfg.wa_phone_number_id;
        !id.empty() && (id.size() > 32 || !std::all_of(id.begin(), id.end(), [](char ch) { return ch >= '0' && ch <= '9'; })))
        return fail("--wa-phone-number-id must be the number's id in Meta's WhatsApp Manager, 1 to 32 digits, not '" + id + "'");
    if (!out.cfg.smtp_url.empty() && !out.cfg.smtp_url.starts_with("smtp://") && !out.cfg.smtp_url.starts_with("smtps://"))
        return fail("--smtp-url must be smtp://host:port or smtps://host:port, not '" + out.cfg.smtp_url + "'");
    if (!out.cfg.smtp_url.empty() && !auth::validate_email(notify::bare_address(out.cfg.smtp_from)).empty())
        return fail("--smtp-url needs --smtp-from, the sender's address: \"Switchboard <support@example.com>\"");
    for (auto* flag : {&out.cfg.smtp_user, &out.cfg.smtp_password, &out.cfg.smtp_from})
        if (!flag->empty() && out.cfg.smtp_url.empty())
            return fail("--smtp-user, --smtp-password and --smtp-from go with --smtp-url, which is not set");
    if (!out.cfg.public_url.empty() && !out.cfg.public_url.starts_with("http://") && !out.cfg.public_url.starts_with("https://"))
        return fail("--public-url must be an http:// or https:// address, not '" + out.cfg.public_url + "'");
    if (!out.cfg.events_secret.empty() && out.cfg.events_url.empty())
        return fail("--events-secret signs what goes to --events-url, which is not set");
    for (auto& type : comma_list(t.events_types)) {
        auto& known = events::kept_event_types;
        if (std::find(std::begin(known), std::end(known), type) == std::end(known))
            return fail("--events-types: '" + type + "' is not an event type (message.created, chat.started, …)");
        out.cfg.events_types.push_back(type);
    }
    if (!out.cfg.events_types.empty() && out.cfg.events_url.empty())
        return fail("--events-types chooses what goes to --events-url, which is not set");
    if (!out.cfg.timezone.empty() && out.cfg.business_hours.empty())
        return fail("--timezone is the zone of --business-hours, which is not set");
    if (!out.cfg.days_off.empty() && out.cfg.business_hours.empty())
        return fail("--days-off are days without --business-hours, which is not set");
    if (!out.cfg.business_hours.empty()) {
        try {
            auto zone = out.cfg.timezone.empty() ? std::string("UTC") : out.cfg.timezone;
            out.cfg.hours = std::make_shared<const chat::business_hours>(
                chat::business_hours::parse(out.cfg.business_hours, zone, out.cfg.days_off));
        } catch (const std::invalid_argument& e) {
            return fail(e.what());
        }
    }
    if (out.cfg.threads > max_threads)
        return fail("--threads must be from 0 (one per core) to " + std::to_string(max_threads));
    if (out.cfg.threads == 0) out.cfg.threads = std::max(1u, std::thread::hardware_concurrency());
    if (out.cfg.data.empty()) return fail("--data must name a directory or :memory:");
    // Each in the one form the connection compares it in (::1, not 0:0:…:1).
    for (auto& item : comma_list(t.trusted_proxies)) {
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(item, ec);
        if (ec) return fail("--trusted-proxies: '" + item + "' is not an IP address");
        out.cfg.trusted_proxies.push_back(address.to_string());
    }
    return out;
}

}  // namespace switchboard::app
