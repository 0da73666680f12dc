#include "switchboard/app/config.hpp"

#include <boost/test/unit_test.hpp>

using switchboard::app::parse_config;
using action = switchboard::app::parse_result::action;

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(defaults_match_the_spec) {
    auto r = parse_config({}, {});
    BOOST_TEST((r.what == action::run));
    BOOST_TEST(r.cfg.port == 8080);
    BOOST_TEST(r.cfg.data == "./data");
    BOOST_TEST(r.cfg.max_body == 64u * 1024);
    BOOST_TEST(r.cfg.header_timeout == 10u);
    BOOST_TEST(r.cfg.keepalive_timeout == 60u);
    BOOST_TEST(r.cfg.body_timeout == 30u);
    BOOST_TEST(r.cfg.write_timeout == 30u);
    BOOST_TEST(r.cfg.threads >= 1u);
}

BOOST_AUTO_TEST_CASE(environment_twin_applies_and_the_flag_wins) {
    auto env_only = parse_config({}, {"SWITCHBOARD_MAX_BODY=1024", "SWITCHBOARD_LOG_FORMAT=json", "OTHER=1"});
    BOOST_TEST(env_only.cfg.max_body == 1024u);
    BOOST_TEST((env_only.cfg.log_format == switchboard::log::format::json));

    auto both = parse_config({"--max-body", "2048"}, {"SWITCHBOARD_MAX_BODY=1024"});
    BOOST_TEST(both.cfg.max_body == 2048u);
}

BOOST_AUTO_TEST_CASE(the_search_index_is_kept_unless_turned_off) {
    BOOST_TEST(parse_config({}, {}).cfg.search_index);
    BOOST_TEST(!parse_config({"--search-index", "false"}, {}).cfg.search_index);
    BOOST_TEST(!parse_config({}, {"SWITCHBOARD_SEARCH_INDEX=off"}).cfg.search_index);
    auto bad = parse_config({"--search-index", "maybe"}, {});
    BOOST_TEST((bad.what == action::error));
    BOOST_TEST(bad.message.find("search-index") != std::string::npos, bad.message);
}

// WhatsApp's reply buttons only when asked for: SPEC §3 sends every reply as text.
BOOST_AUTO_TEST_CASE(whatsapp_buttons_are_off_unless_turned_on) {
    BOOST_TEST(!parse_config({}, {}).cfg.wa_buttons);
    BOOST_TEST(parse_config({"--wa-buttons", "true"}, {}).cfg.wa_buttons);
    BOOST_TEST(parse_config({}, {"SWITCHBOARD_WA_BUTTONS=on"}).cfg.wa_buttons);
    auto bad = parse_config({"--wa-buttons", "maybe"}, {});
    BOOST_TEST((bad.what == action::error));
    BOOST_TEST(bad.message.find("wa-buttons") != std::string::npos, bad.message);
}

// The business number conversations agents open come from goes into the
// send API's path: Meta's id, digits, or start-up stops naming the flag.
BOOST_AUTO_TEST_CASE(the_whatsapp_number_agents_write_first_from_is_meta_s_id) {
    BOOST_TEST(parse_config({}, {}).cfg.wa_phone_number_id.empty());
    BOOST_TEST(parse_config({"--wa-phone-number-id", "106540352242922"}, {}).cfg.wa_phone_number_id == "106540352242922");
    BOOST_TEST(parse_config({}, {"SWITCHBOARD_WA_PHONE_NUMBER_ID=42"}).cfg.wa_phone_number_id == "42");
    for (std::string bad : {std::string("../me"), std::string("+15550100"), std::string(33, '1')}) {
        auto r = parse_config({"--wa-phone-number-id", bad}, {});
        BOOST_TEST((r.what == action::error), bad);
        BOOST_TEST(r.message.find("--wa-phone-number-id") != std::string::npos, r.message);
    }
}

// E-mail needs a server, and a sender to send as; its login goes with it.
BOOST_AUTO_TEST_CASE(email_needs_an_smtp_server_and_a_sender) {
    auto ok = parse_config({"--smtp-url", "smtps://mail.example.com:465", "--smtp-from", "Switchboard <support@example.com>",
                            "--smtp-user", "support", "--public-url", "https://support.example.com/"},
                           {"SWITCHBOARD_SMTP_PASSWORD=secret"});
    BOOST_TEST((ok.what == action::run), ok.message);
    BOOST_TEST(ok.cfg.smtp_password == "secret");
    const std::vector<std::pair<std::vector<std::string>, std::string>> bad{
        {{"--smtp-url", "mail.example.com:25", "--smtp-from", "a@example.com"}, "--smtp-url must be smtp://"},
        {{"--smtp-url", "smtp://mail.example.com:25"}, "--smtp-url needs --smtp-from"},
        {{"--smtp-url", "smtp://mail.example.com:25", "--smtp-from", "Switchboard"}, "--smtp-url needs --smtp-from"},
        {{"--smtp-user", "support"}, "go with --smtp-url"},
        {{"--public-url", "support.example.com"}, "--public-url must be an http:// or https://"},
    };
    for (auto& [args, words] : bad) {
        auto r = parse_config(args, {});
        BOOST_TEST((r.what == action::error), words);
        BOOST_TEST(r.message.find(words) != std::string::npos, r.message);
    }
}

// Every numbered event may be chosen for the event webhook: a missed
// target, an erasure (a CRM erases the user too), a deleted note, a
// campaign and the settings' announcements as much as a message.
BOOST_AUTO_TEST_CASE(the_event_webhook_may_choose_every_kept_event_type) {
    auto r = parse_config({"--events-url", "http://127.0.0.1:9/hooks", "--events-types",
                           "chat.sla_missed,sla.updated,teams.updated,labels.updated,message.created,"
                           "conversation.deleted,message.updated,campaign.updated,campaign.deleted"},
                          {});
    BOOST_TEST((r.what == action::run), r.message);
    BOOST_TEST(r.cfg.events_types.size() == 9u);
}

BOOST_AUTO_TEST_CASE(bad_values_are_clear_errors) {
    auto bad_port = parse_config({"--port", "notanumber"}, {});
    BOOST_TEST((bad_port.what == action::error));
    BOOST_TEST(bad_port.message.find("port") != std::string::npos);

    auto bad_level = parse_config({"--log-level", "loud"}, {});
    BOOST_TEST((bad_level.what == action::error));
    BOOST_TEST(bad_level.message.find("loud") != std::string::npos);

    auto unknown = parse_config({"--frobnicate"}, {});
    BOOST_TEST((unknown.what == action::error));
    BOOST_TEST(unknown.message.find("frobnicate") != std::string::npos);

    for (const char* flag : {"--header-timeout", "--keepalive-timeout", "--body-timeout", "--write-timeout",
                             "--session-ttl", "--idle-timeout", "--outbox-max-backoff", "--ws-idle-timeout"}) {
        auto zero = parse_config({flag, "0"}, {});
        BOOST_TEST((zero.what == action::error));
        BOOST_TEST(zero.message == std::string(flag) + " must be at least 1 second");
    }

    for (const char* flag : {"--max-body", "--max-media", "--max-uploads"}) {
        auto zero = parse_config({flag, "0"}, {});
        BOOST_TEST((zero.what == action::error));
        BOOST_TEST(zero.message == std::string(flag) + " must be at least 1");
    }
    BOOST_TEST(parse_config({}, {"SWITCHBOARD_MAX_MEDIA=1048576"}).cfg.max_media == 1048576u);

    auto bad_env = parse_config({}, {"SWITCHBOARD_PORT=99999"});
    BOOST_TEST((bad_env.what == action::error));

    // A minus sign would otherwise wrap round to the largest value (port 65535).
    for (const char* flag :
         {"--port", "--threads", "--max-body", "--idle-timeout", "--ws-max-lag", "--ws-idle-timeout", "--data-max-mb",
          "--max-media", "--max-uploads"}) {
        BOOST_TEST_INFO(flag);
        auto negative = parse_config({flag, "-1"}, {});
        BOOST_TEST((negative.what == action::error));
        BOOST_TEST(negative.message == std::string(flag) + " must be a whole number from 0 up, not '-1'");
    }
    auto negative_env = parse_config({}, {"SWITCHBOARD_THREADS=-2"});
    BOOST_TEST((negative_env.what == action::error));
    BOOST_TEST(negative_env.message.find("--threads") != std::string::npos);
    BOOST_TEST((parse_config({"--admin-password", "-starts-with-a-dash"}, {}).what == action::run));  // not a number flag
    auto too_many = parse_config({"--threads", "100000"}, {});
    BOOST_TEST((too_many.what == action::error));
    BOOST_TEST(too_many.message == "--threads must be from 0 (one per core) to 256");
}

BOOST_AUTO_TEST_CASE(business_hours_are_checked_before_start_up) {
    auto ok = parse_config({"--business-hours", "mon-fri 09:00-17:30"}, {"SWITCHBOARD_TIMEZONE=Europe/Berlin"});
    BOOST_TEST((ok.what == action::run));
    BOOST_TEST(ok.cfg.business_hours == "mon-fri 09:00-17:30");
    BOOST_REQUIRE(ok.cfg.hours);
    BOOST_TEST(ok.cfg.hours->zone_name() == "Europe/Berlin");
    BOOST_TEST(ok.cfg.hours->ranges().size() == 5u);
    BOOST_TEST(!parse_config({}, {}).cfg.hours);  // always open
    BOOST_TEST(parse_config({"--business-hours", "mon 09:00-17:00"}, {}).cfg.hours->zone_name() == "UTC");

    auto bad_hours = parse_config({"--business-hours", "mon-fri 9-5"}, {});
    BOOST_TEST((bad_hours.what == action::error));
    BOOST_TEST(bad_hours.message.starts_with("--business-hours: 'mon-fri 9-5': write the hours as HH:MM-HH:MM"),
               bad_hours.message);
    auto bad_zone = parse_config({"--business-hours", "mon 09:00-17:00", "--timezone", "Europe/Atlantis"}, {});
    BOOST_TEST((bad_zone.what == action::error));
    BOOST_TEST(bad_zone.message.starts_with("--timezone: 'Europe/Atlantis' is not a time zone"), bad_zone.message);
    auto bad_day = parse_config({"--business-hours", "mon 09:00-17:00", "--days-off", "2026-12-25,2026-13-01"}, {});
    BOOST_TEST((bad_day.what == action::error));
    BOOST_TEST(bad_day.message.starts_with("--days-off: '2026-13-01' is not a date"), bad_day.message);
    auto days_alone = parse_config({"--days-off", "2026-12-25"}, {});
    BOOST_TEST((days_alone.what == action::error));
    BOOST_TEST(days_alone.message == "--days-off are days without --business-hours, which is not set");
    auto zone_alone = parse_config({"--timezone", "Europe/Berlin"}, {});
    BOOST_TEST((zone_alone.what == action::error));
    BOOST_TEST(zone_alone.message == "--timezone is the zone of --business-hours, which is not set");
}

BOOST_AUTO_TEST_CASE(help_and_version) {
    auto help = parse_config({"--help"}, {});
    BOOST_TEST((help.what == action::help));
    BOOST_TEST(help.message.find("--max-body") != std::string::npos);
    auto version = parse_config({"--version"}, {});
    BOOST_TEST((version.what == action::version));
    BOOST_TEST(version.message.find(std::string(switchboard::app::version())) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
