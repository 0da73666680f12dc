// POST /webhook against the real server: the conversation flow, validation,
// idempotency, concurrency, outbound delivery and the idle timeout.
#include "api_session.hpp"
#include "http_client.hpp"
#include "metrics_probe.hpp"
#include "receiver.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include "switchboard/core/time.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <atomic>
#include <thread>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// Hours of 10:00-11:00 UTC three days from today: closed whenever a test
// runs, and "on <that day>" even if midnight passes meanwhile.
struct closed_hours {
    std::string spec, day, day_name;
    std::chrono::system_clock::time_point opens;
};

closed_hours closed_until_in_three_days() {
    using namespace std::chrono;
    const char* short_days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    const char* day_names[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    auto day = floor<days>(system_clock::now()) + days{3};
    auto weekday = std::chrono::weekday(day).c_encoding();
    return {std::string(short_days[weekday]) + " 10:00-11:00", short_days[weekday], day_names[weekday],
            sys_days(day) + hours{10}};
}

struct answer {
    unsigned status;
    json::value body;
    std::string text() const {  // all replies, one per line
        std::string out;
        for (auto& r : body.at("replies").as_array()) out += std::string(r.at("text").as_string()) + "\n";
        return out;
    }
    std::string state() const { return std::string(body.at("state").as_string()); }
};

answer post(unsigned short port, const json::value& body) {
    auto res = http_request(port, "POST", "/webhook", json::serialize(body));
    return {res.status, json::parse(res.body)};
}

answer say(unsigned short port, const std::string& from, const std::string& text) {
    return post(port, {{"from", from}, {"text", text}});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plain_webhook)

BOOST_AUTO_TEST_CASE(a_whole_conversation_through_the_bot) {
    server_process server;
    auto p = server.port();
    auto menu = say(p, "+15550001", "hello");
    BOOST_TEST(menu.status == 200u);
    BOOST_TEST(menu.state() == "IDLE");
    BOOST_TEST(menu.text().find("support") != std::string::npos);
    BOOST_TEST(menu.text().find("register") != std::string::npos);

    BOOST_TEST(say(p, "15550001", "register").state() == "REGISTERING");
    auto hi = say(p, "15550001", "John");
    BOOST_TEST(hi.state() == "IDLE");
    BOOST_TEST(hi.text().find("Hi John!") != std::string::npos);
    BOOST_TEST(say(p, "15550001", "anything").text().find("Hi John!") != std::string::npos);

    auto support = say(p, "15550001", "support");
    BOOST_TEST(support.state() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(support.text().find("1") != std::string::npos);  // first in the queue

    auto chat = say(p, "15550001", "end");  // not a keyword: goes to the agents
    BOOST_TEST(chat.state() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(chat.text().find("✓ Your message has been sent to support") != std::string::npos);

    auto ended = say(p, "15550001", "  Quit CHAT ");
    BOOST_TEST(ended.state() == "RATING");
    BOOST_TEST(ended.text().find("Chat support session ended") != std::string::npos);

    auto rated = say(p, "15550001", "5");
    BOOST_TEST(rated.state() == "IDLE");
    BOOST_TEST(rated.text().find("Thanks") != std::string::npos);

    auto m = http_request(p, "GET", "/metrics").body;
    BOOST_TEST(metric_value(m, "switchboard_chats_opened_total") == 1);
    BOOST_TEST(metric_value(m, "switchboard_chats_closed_total") == 1);
    BOOST_TEST(metric_value(m, "switchboard_messages_received_total") == 8);
}

BOOST_AUTO_TEST_CASE(queue_positions_count_up) {
    server_process server;
    BOOST_TEST(say(server.port(), "1001", "support").text().find("number 1 ") != std::string::npos);
    BOOST_TEST(say(server.port(), "1002", "support").text().find("number 2 ") != std::string::npos);
    BOOST_TEST(say(server.port(), "1003", "support").text().find("number 3 ") != std::string::npos);
    BOOST_TEST(say(server.port(), "1002", "done").state() == "RATING");
    BOOST_TEST(say(server.port(), "1004", "support").text().find("number 3 ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_input_is_400_naming_the_field_and_changes_nothing) {
    server_process server;
    auto p = server.port();
    struct bad_case {
        std::string body, field;
    };
    std::string too_long;
    for (int i = 0; i < 4097; ++i) too_long += "é";
    std::vector<bad_case> cases = {
        {"not json", "body"},
        {"[1,2]", "body"},
        {R"({"text":"hi"})", "from"},
        {R"({"from":15550001,"text":"hi"})", "from"},
        {R"({"from":"abc","text":"hi"})", "from"},
        {R"({"from":"++1555","text":"hi"})", "from"},
        {R"({"from":")" + std::string(33, '1') + R"(","text":"hi"})", "from"},
        {R"({"from":"1555"})", "text"},
        {R"({"from":"1555","text":""})", "text"},
        {R"({"from":"1555","text":7})", "text"},
        {R"({"from":"1555","text":")" + too_long + R"("})", "text"},
        {R"({"from":"1555","text":"hi","id":5})", "id"},
        {R"({"from":"1555","text":"hi","name":["x"]})", "name"},
        {R"({"from":"1555","text":"hi"} x)", "body"},
        {R"("text")", "body"},
        {R"({"from":"1555","text":{"text":"hi"}})", "text"},
        {R"({"from":"1555","text":null})", "text"},
        {R"({"from":"1555","text":"hi","id":true})", "id"},
    };
    for (auto& c : cases) {
        BOOST_TEST_INFO("body " << c.body.substr(0, 80));
        auto res = http_request(p, "POST", "/webhook", c.body);
        BOOST_TEST(res.status == 400u);
        auto err = json::parse(res.body).at("error");
        BOOST_TEST(err.at("field").as_string() == c.field);
        BOOST_TEST(!err.at("message").as_string().empty());
    }
    auto m = http_request(p, "GET", "/metrics").body;
    BOOST_TEST(metric_value(m, "switchboard_messages_received_total") == 0);
    BOOST_TEST(metric_value(m, R"(switchboard_rejections_total{reason="invalid_field"})") == double(cases.size()));
}

// Escapes decode in every field; keys of our own names nested elsewhere,
// and keys we do not know, are ignored.
BOOST_AUTO_TEST_CASE(fields_decode_escapes_and_ignore_everything_else) {
    server_process server;
    auto raw = [&](const std::string& body) {
        auto res = http_request(server.port(), "POST", "/webhook", body);
        BOOST_TEST(res.status == 200u);
        return answer{res.status, json::parse(res.body)};
    };
    auto registering = raw(R"({"meta":{"text":7,"from":[1]},"from":"15550\u0030","text":"  \u0052EGISTER\t","id":null})");
    BOOST_TEST(registering.state() == "REGISTERING");
    auto named = raw(R"({"from":"155500","list":["from","text"],"text":"Zo\u00eb \"Z\"","name":"ignored"})");
    BOOST_TEST(named.state() == "IDLE");
    BOOST_TEST(named.text().find("Hi Zoë \"Z\"!") != std::string::npos, named.text());
}

BOOST_AUTO_TEST_CASE(text_is_limited_in_characters_not_bytes) {
    server_process server;
    std::string max;
    for (int i = 0; i < 4096; ++i) max += "💬";  // 16 KiB of bytes, 4096 characters
    auto ok = post(server.port(), {{"from", "1555"}, {"text", max}});
    BOOST_TEST(ok.status == 200u);
}

BOOST_AUTO_TEST_CASE(the_same_id_twice_is_processed_once_with_the_first_answer) {
    server_process server;
    auto p = server.port();
    auto first = http_request(p, "POST", "/webhook", R"({"from":"1555","text":"support","id":"m-1"})");
    auto again = http_request(p, "POST", "/webhook", R"({"from":"1555","text":"support","id":"m-1"})");
    BOOST_TEST(first.status == 200u);
    BOOST_TEST(again.status == 200u);
    BOOST_TEST(again.body == first.body);
    // A different text under the same id is still the same message.
    auto third = http_request(p, "POST", "/webhook", R"({"from":"1555","text":"hello","id":"m-1"})");
    BOOST_TEST(third.body == first.body);
    auto m = http_request(p, "GET", "/metrics").body;
    BOOST_TEST(metric_value(m, "switchboard_messages_received_total") == 1);
    BOOST_TEST(metric_value(m, "switchboard_messages_duplicate_total") == 2);
    BOOST_TEST(metric_value(m, "switchboard_chats_opened_total") == 1);
}

BOOST_AUTO_TEST_CASE(concurrent_first_messages_from_one_number_make_one_conversation) {
    server_process server;
    constexpr int threads = 8, per_thread = 10;
    std::vector<std::thread> pool;
    std::atomic<int> ok{0};
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto res = http_request(server.port(), "POST", "/webhook",
                                        R"({"from":"15557777","text":"hi","id":"c-)" + std::to_string(t) + "-" +
                                            std::to_string(i) + R"("})");
                if (res.status == 200) ++ok;
            }
        });
    for (auto& th : pool) th.join();
    BOOST_TEST(ok.load() == threads * per_thread);
    auto m = http_request(server.port(), "GET", "/metrics").body;
    BOOST_TEST(metric_value(m, "switchboard_conversations") == 1);
    BOOST_TEST(metric_value(m, "switchboard_messages_received_total") == threads * per_thread);
}

// The bot offers the keywords a user may tap with the reply that names them
// (the menu's, the ratings'), as a web widget shows them as buttons; the
// last reply carries them, `text` being what the user sends back.
BOOST_AUTO_TEST_CASE(the_answer_offers_the_keywords_a_user_may_tap) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url() + "/inbox"});
    auto p = server.port();
    auto choices = [](const answer& a) {
        auto& replies = a.body.at("replies").as_array();
        auto* offered = replies.back().as_object().if_contains("choices");
        for (std::size_t i = 0; i + 1 < replies.size(); ++i) BOOST_TEST(!replies[i].as_object().contains("choices"));
        return offered ? json::serialize(*offered) : std::string("none");
    };
    BOOST_TEST(choices(say(p, "1601", "hi")) ==
               R"([{"text":"support","title":"Support"},{"text":"register","title":"Register"}])");
    BOOST_TEST(choices(say(p, "1601", "register")) == "none");  // asked for a name: nothing to tap
    BOOST_TEST(choices(say(p, "1601", "Ana")) == R"([{"text":"support","title":"Support"}])");  // registered
    BOOST_TEST(choices(say(p, "1601", "support")) == "none");
    BOOST_TEST(choices(say(p, "1601", "hello?")) == "none");
    auto ended = say(p, "1601", "exit");
    BOOST_TEST(choices(ended) == R"([{"text":"1","title":"1 ★"},{"text":"2","title":"2 ★★"},{"text":"3","title":"3 ★★★"},)"
                                 R"({"text":"4","title":"4 ★★★★"},{"text":"5","title":"5 ★★★★★"}])");
    auto rated = say(p, "1601", "4");
    BOOST_TEST(rated.body.at("replies").as_array().size() == 1u);
    BOOST_TEST(choices(rated) == R"([{"text":"support","title":"Support"}])");  // with the menu after the thanks

    // An agent's end reaches the user through --outbound-url, the ratings with it.
    auto admin = admin_client(server);
    say(p, "1602", "support");
    admin.json("POST", "/conversations/1602/chat-support/start");
    admin.json("POST", "/conversations/1602/chat-support/end", "{}");
    outbound.wait_for_text("1602", "Chat support session ended");
    json::value asked;
    for (auto& r : outbound.requests())
        if (r.body.find("Chat support session ended") != std::string::npos) asked = json::parse(r.body);
    BOOST_TEST(asked.at("choices").as_array().size() == 5u);
    BOOST_TEST(asked.at("choices").at(4).at("text").as_string() == "5");

    // Titles an operator gives, and none where they leave one empty.
    temp_dir dir;
    auto file = dir.path() / "texts.json";
    std::ofstream(file) << R"({"button_support": "Hablar con alguien", "button_register": "", "button_rate": ""})";
    server_process spanish({"--bot-texts", file.string()});
    BOOST_TEST(choices(say(spanish.port(), "1603", "hola")) == R"([{"text":"support","title":"Hablar con alguien"}])");
    say(spanish.port(), "1603", "support");
    BOOST_TEST(choices(say(spanish.port(), "1603", "exit")) == "none");
}

// The agents see what the bot offered the user to tap, with its message:
// in the conversation, in the console's event, in the transcript, and
// after a restart.
BOOST_AUTO_TEST_CASE(the_bots_message_keeps_the_choices_it_offered_for_the_agents) {
    temp_dir dir;
    const std::string menu = R"([{"text":"support","title":"Support"},{"text":"register","title":"Register"}])";
    std::string token;
    {
        server_process server({"--data", dir.path().string()});
        auto p = server.port();
        auto admin = admin_client(server);
        token = admin.token;
        ws_client ws(p, "/ws?token=" + admin.token);
        auto hi = say(p, "1604", "hi");
        BOOST_TEST(json::serialize(hi.body.at("replies").as_array().back().at("choices")) == menu);
        auto user = ws.next_of_type("message.created");
        BOOST_TEST(!user.at("data").as_object().contains("choices"));
        auto bot = ws.next_of_type("message.created");
        BOOST_TEST(bot.at("data").at("sender").as_string() == "bot");
        BOOST_TEST(json::serialize(bot.at("data").at("choices")) == menu);

        say(p, "1604", "support");
        auto ended = say(p, "1604", "exit");
        auto messages = admin.json("GET", "/conversations/1604").at("messages").as_array();
        BOOST_TEST(json::serialize(messages.back().at("choices")) ==
                   json::serialize(ended.body.at("replies").as_array().back().at("choices")));
        BOOST_TEST(!messages.at(3).as_object().contains("choices"));  // "connecting": none

        auto txt = admin.call("GET", "/conversations/1604/transcript?format=txt").body;
        BOOST_TEST(txt.find("Bot: Welcome! Reply *support*") != std::string::npos, txt);
        BOOST_TEST(txt.find(" [choices: Support | Register]\n") != std::string::npos, txt);
        BOOST_TEST(txt.find(" [choices: 1 ★ | 2 ★★ | 3 ★★★ | 4 ★★★★ | 5 ★★★★★]\n") != std::string::npos, txt);
        auto as_json = json::parse(admin.call("GET", "/conversations/1604/transcript?format=json").body);
        BOOST_TEST(json::serialize(as_json.at("messages").at(1).at("choices")) == menu);
    }
    server_process again({"--data", dir.path().string()});
    api_client admin{again.port(), token};
    auto messages = admin.json("GET", "/conversations/1604").at("messages").as_array();
    BOOST_TEST(json::serialize(messages.at(1).at("choices")) == menu);
    BOOST_TEST(messages.back().at("choices").as_array().size() == 5u);
}

BOOST_AUTO_TEST_CASE(bot_texts_come_from_a_file) {
    temp_dir dir;
    auto file = dir.path() / "texts.json";
    std::ofstream(file) << R"({"menu_unregistered": "Bienvenido. Escribe support o register."})";
    server_process server({"--bot-texts", file.string()});
    BOOST_TEST(say(server.port(), "1555", "hola").text() == "Bienvenido. Escribe support o register.\n");
}

// A user who asks for support while no agent is online and available is
// told so in the same reply, and keeps their place.
BOOST_AUTO_TEST_CASE(a_user_asking_for_support_hears_when_nobody_is_there_to_answer) {
    const std::string connecting = "Connecting you to support… You are number ";
    const std::string offline = "No one from our team is online right now.";
    {
        server_process server;
        auto admin = admin_client(server);
        auto p = server.port();
        auto nobody = say(p, "1301", "support");
        BOOST_TEST(nobody.state() == "CHAT_SUPPORT_ACTIVE");
        BOOST_TEST(nobody.text().starts_with(connecting + "1 in the queue.\n\n" + offline), nobody.text());
        ws_client ws(p, "/ws?token=" + admin.token);
        ws.next_of_type("hello");  // admin is online, and available
        auto answered = say(p, "1302", "support");
        BOOST_TEST(answered.text() == connecting + "2 in the queue.\n", answered.text());
        admin.json("PATCH", "/agents/admin", R"({"available":false})");
        BOOST_TEST(say(p, "1303", "support").text().find(offline) != std::string::npos);  // online, but away
    }
    // An operator who would rather not say it leaves the text empty.
    temp_dir dir;
    auto file = dir.path() / "texts.json";
    std::ofstream(file) << R"({"support_offline": ""})";
    server_process quiet({"--bot-texts", file.string()});
    BOOST_TEST(say(quiet.port(), "1301", "support").text() == connecting + "1 in the queue.\n");
}

// Outside business hours a user asking for support is told when the team is
// back, whoever is online, and still joins the queue; agents read the same
// from GET /business-hours.
BOOST_AUTO_TEST_CASE(a_user_asking_for_support_outside_business_hours_hears_when_the_team_is_back) {
    const std::string connecting = "Connecting you to support… You are number 1 in the queue.\n";
    auto hours = closed_until_in_three_days();
    {
        server_process server({"--business-hours", hours.spec});
        auto admin = admin_client(server);
        auto p = server.port();
        ws_client ws(p, "/ws?token=" + admin.token);
        ws.next_of_type("hello");  // someone is online and available: it is closed all the same

        auto asked = say(p, "1401", "support");
        BOOST_TEST(asked.state() == "CHAT_SUPPORT_ACTIVE");
        BOOST_TEST(asked.text() == connecting + "\nWe're away right now and back on " + hours.day_name +
                                       " at 10:00 UTC. You keep your place, and we'll answer here then.\n",
                   asked.text());
        BOOST_TEST(admin.json("GET", "/queue").at("total").to_number<int>() == 1);

        auto shown = admin.json("GET", "/business-hours").as_object();
        BOOST_TEST(shown.at("configured").as_bool());
        BOOST_TEST(shown.at("timezone").as_string() == "UTC");
        BOOST_TEST(json::serialize(shown.at("hours")) ==
                   R"([{"day":")" + hours.day + R"(","open":"10:00","close":"11:00"}])");
        BOOST_TEST(!shown.at("open_now").as_bool());
        BOOST_TEST(shown.at("opens_at").as_string() == switchboard::to_iso8601(hours.opens));
        BOOST_TEST(shown.at("closes_at").is_null());
        BOOST_TEST(http_request(p, "GET", "/business-hours").status == 401u);
    }
    {
        // Within the hours (every day, round the clock, in Berlin) nothing is
        // added while an agent can answer, and the offline note when none can.
        server_process server({"--business-hours", "mon-sun 00:00-24:00", "--timezone", "Europe/Berlin",
                               "--days-off", "2099-12-25,2099-01-01"});
        auto admin = admin_client(server);
        auto p = server.port();
        BOOST_TEST(say(p, "1402", "support").text().find("No one from our team is online right now.") !=
                   std::string::npos);
        ws_client ws(p, "/ws?token=" + admin.token);
        ws.next_of_type("hello");
        BOOST_TEST(say(p, "1403", "support").text() == "Connecting you to support… You are number 2 in the queue.\n");
        auto shown = admin.json("GET", "/business-hours").as_object();
        BOOST_TEST(shown.at("open_now").as_bool());
        BOOST_TEST(shown.at("opens_at").is_null());
        BOOST_TEST(shown.at("closes_at").as_string() == "2098-12-31T23:00:00.000Z");  // new year's day, in Berlin
        BOOST_TEST(json::serialize(shown.at("days_off")) == R"(["2099-01-01","2099-12-25"])");
    }
    server_process always;  // no --business-hours: always open
    auto shown = admin_client(always).json("GET", "/business-hours");
    BOOST_TEST(json::serialize(shown) == R"({"configured":false,"timezone":null,"hours":[],"days_off":[],"open_now":true,)"
                                         R"("opens_at":null,"closes_at":null})");
}

// Outside business hours a chat waiting in the queue keeps its place, as
// its user was told: its idle timeout counts only time within them. A
// conversation out of the queue still falls idle by the wall clock.
BOOST_AUTO_TEST_CASE(a_chat_waiting_outside_business_hours_keeps_its_place_past_the_idle_timeout) {
    server_process server({"--business-hours", closed_until_in_three_days().spec, "--idle-timeout", "1"});
    auto p = server.port();
    BOOST_TEST(say(p, "1501", "support").state() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(say(p, "1502", "register").state() == "REGISTERING");  // idle a moment after the chat
    wait_for_metric(p, "switchboard_conversations_expired_total", 1);
    auto admin = admin_client(server);
    BOOST_TEST(admin.json("GET", "/conversations/1501").at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(admin.json("GET", "/conversations/1502").at("state").as_string() == "IDLE");
    BOOST_TEST(admin.json("GET", "/queue").at("total").to_number<int>() == 1);
    BOOST_TEST(read_metric(p, "switchboard_conversations_expired_total") == 1);
    BOOST_TEST(read_metric(p, "switchboard_chats_closed_total") == 0);
}

BOOST_AUTO_TEST_CASE(a_malformed_bot_texts_file_stops_start_up) {
    temp_dir dir;
    auto file = dir.path() / "texts.json";
    std::ofstream(file) << R"({"menu_unregistered": )";
    auto out = run_binary({"--port", "0", "--data", ":memory:", "--bot-texts", file.string()});
    BOOST_TEST(out.exit_code == 1);
    BOOST_TEST(out.err.find("texts.json is not valid JSON") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_button_title_longer_than_whatsapp_takes_stops_start_up) {
    temp_dir dir;
    auto file = dir.path() / "texts.json";
    std::ofstream(file) << R"({"button_support": "Talk to a person on our team"})";
    auto out = run_binary({"--port", "0", "--data", ":memory:", "--bot-texts", file.string()});
    BOOST_TEST(out.exit_code == 1);
    BOOST_TEST(out.err.find("'button_support' must be at most 20 characters") != std::string::npos, out.err);
}

BOOST_AUTO_TEST_CASE(idle_timeout_ends_the_chat_and_tells_the_user) {
    receiver outbound;
    server_process server({"--idle-timeout", "1", "--outbound-url", outbound.url() + "/inbox"});
    BOOST_TEST(say(server.port(), "1555", "support").state() == "CHAT_SUPPORT_ACTIVE");
    auto got = outbound.wait_for(1);  // the notice, pushed to the user's endpoint
    auto msg = json::parse(got[0].body);
    BOOST_TEST(got[0].target == "/inbox");
    BOOST_TEST(msg.at("to").as_string() == "1555");
    BOOST_TEST(std::string(msg.at("text").as_string()).find("inactivity") != std::string::npos);
    BOOST_TEST(!msg.at("id").as_string().empty());
    BOOST_TEST(read_metric(server.port(), "switchboard_chats_closed_total") == 1);
    BOOST_TEST(say(server.port(), "1555", "hi").state() == "IDLE");
}

BOOST_AUTO_TEST_CASE(idle_timeout_returns_registering_to_idle) {
    server_process server({"--idle-timeout", "1"});
    BOOST_TEST(say(server.port(), "1555", "register").state() == "REGISTERING");
    wait_for_metric(server.port(), "switchboard_conversations_expired_total", 1);
    auto after = say(server.port(), "1555", "Bob");  // no longer taken as a name
    BOOST_TEST(after.state() == "IDLE");
    BOOST_TEST(after.text().find("Hi Bob") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
