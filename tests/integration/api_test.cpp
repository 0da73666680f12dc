// The agents' REST API against the real server: auth, every route's success
// and refusals, and what reaches the user.
#include "api_session.hpp"
#include "http_client.hpp"
#include "metrics_probe.hpp"
#include "receiver.hpp"
#include "server_process.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include "switchboard/core/time.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// The phones a list answers, in its order.
std::vector<std::string> listed(const api_client& agent, const std::string& query) {
    std::vector<std::string> out;
    auto page = agent.json("GET", "/conversations" + query);
    for (auto& c : page.at("conversations").as_array()) out.push_back(std::string(c.at("phone").as_string()));
    return out;
}

// A server on `dir` with three users who wrote (Ann "hi", Ben "support",
// Cai `third_says`), admin and bob logged in, and admin's socket past its
// hello: the events from here on reach it.
struct three_users {
    server_process server;
    api_client admin, bob;
    ws_client ws;
    three_users(const temp_dir& dir, std::array<std::string, 3> phones, const std::string& third_says)
        : server({"--data", dir.path().string()}),
          admin(admin_client(server)),
          bob(agent_client(admin, "bob")),
          ws(after_they_wrote(server.port(), phones, third_says), "/ws?token=" + admin.token) {
        ws.next_of_type("hello");
    }

    // The users write before the socket opens: their events are not its.
    static unsigned short after_they_wrote(unsigned short port, const std::array<std::string, 3>& phones,
                                           const std::string& third_says) {
        user_says(port, phones[0], "hi", "Ann");
        user_says(port, phones[1], "support", "Ben");
        user_says(port, phones[2], third_says, "Cai");
        return port;
    }
};

// `before` on three users' server on disk, then `after` as bob on a server
// started again on the same data: what an agent set outlives a restart.
template <class Before, class After>
void across_restart(std::array<std::string, 3> phones, const std::string& third_says, Before before, After after) {
    temp_dir dir;
    std::string token;
    {
        three_users t(dir, std::move(phones), third_says);
        token = t.bob.token;
        before(t);
        t.server.send_signal(SIGTERM);
        t.server.wait_exit(5s);
    }
    server_process server({"--data", dir.path().string()});
    after(api_client{server.port(), token});
}

// The next note in `phone` that `ws` gets: an automation test's last rule
// ("Zz seen") notes, so every rule before it has run.
json::object seen_in(ws_client& ws, const std::string& phone) {
    for (;;) {
        auto e = ws.next_of_type("message.created");
        if (e.at("conversation").as_string() == phone && e.at("data").at("type").as_string() == "note") return e;
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(api)

BOOST_AUTO_TEST_CASE(login_logout_cookie_and_me) {
    server_process server;
    auto password = printed_admin_password(server);
    auto res = http_request(server.port(), "POST", "/auth/login", R"({"username":"admin","password":")" + password + R"("})");
    BOOST_TEST(res.status == 200u);
    auto body = json::parse(res.body);
    auto token = std::string(body.at("token").as_string());
    BOOST_TEST(token.size() == 64u);  // 256 bits, hex
    BOOST_TEST(body.at("agent").at("role").as_string() == "admin");
    auto cookie = res.header("set-cookie");
    BOOST_TEST(cookie.find("switchboard_session=" + token) == 0u);
    BOOST_TEST(cookie.find("HttpOnly") != std::string::npos);
    BOOST_TEST(cookie.find("SameSite=Strict") != std::string::npos);
    BOOST_TEST(cookie.find("Secure") == std::string::npos);  // plain HTTP here
    auto tls = http_request(server.port(), "POST", "/auth/login",
                            R"({"username":"admin","password":")" + password + R"("})", {{"X-Forwarded-Proto", "https"}});
    BOOST_TEST(tls.header("set-cookie").find("; Secure") != std::string::npos);

    auto me = http_request(server.port(), "GET", "/me", {}, {{"Cookie", "a=b; switchboard_session=" + token}});
    BOOST_TEST(me.status == 200u);
    BOOST_TEST(json::parse(me.body).at("agent").at("username").as_string() == "admin");
    BOOST_TEST(http_request(server.port(), "GET", "/me", {}, {{"Authorization", "Bearer " + token}}).status == 200u);

    BOOST_TEST(http_request(server.port(), "POST", "/auth/logout", {}, {{"Authorization", "Bearer " + token}}).status == 200u);
    BOOST_TEST(http_request(server.port(), "GET", "/me", {}, {{"Authorization", "Bearer " + token}}).status == 401u);
}

BOOST_AUTO_TEST_CASE(bad_logins_are_refused_then_rate_limited) {
    server_process server;
    auto password = printed_admin_password(server);
    auto attempt = [&](const std::string& pw) {
        return http_request(server.port(), "POST", "/auth/login", R"({"username":"admin","password":")" + pw + R"("})");
    };
    BOOST_TEST(attempt("wrong").status == 401u);
    // A malformed one names what is wrong.
    auto malformed = [&](const std::string& body) {
        return refused_field(http_request(server.port(), "POST", "/auth/login", body));
    };
    BOOST_TEST(malformed(R"({"username":"admin"})") == "password");
    BOOST_TEST(malformed(R"({"password":"wrong"})") == "username");
    BOOST_TEST(malformed(R"({"username":7,"password":"wrong"})") == "username");
    BOOST_TEST(malformed(R"({"username":"admin","password":null})") == "password");
    BOOST_TEST(malformed("nope") == "body");
    BOOST_TEST(malformed("[]") == "body");
    for (int i = 0; i < 4; ++i) attempt("wrong");
    auto limited = attempt(password);  // even the right password waits now
    BOOST_TEST(limited.status == 429u);
    BOOST_TEST(std::stoi(limited.header("retry-after")) >= 1);
    BOOST_TEST(error_code(limited) == "too_many_attempts");
}

// Behind a reverse proxy every login comes from the proxy's address: the
// limit is per client, as the trusted proxy names it, so one client's
// guesses do not lock the whole team out. A client's own X-Forwarded-For,
// sent straight to the server, is not believed.
BOOST_AUTO_TEST_CASE(behind_a_trusted_proxy_logins_are_limited_per_client) {
    auto guess_five_times = [](unsigned short port, const std::string& client) {
        for (int i = 0; i < 5; ++i)  // another username each time: the address alone is limited
            http_request(port, "POST", "/auth/login",
                         R"({"username":"guess-)" + std::to_string(i) + R"(","password":"wrong-password"})",
                         {{"X-Forwarded-For", client}});
    };
    auto bob_logs_in = [](unsigned short port, const std::string& forwarded) {
        return http_request(port, "POST", "/auth/login", R"({"username":"bob","password":"secret-bob"})",
                            {{"X-Forwarded-For", forwarded}})
            .status;
    };
    {
        server_process server({"--trusted-proxies", "10.0.0.1, 127.0.0.1"});
        auto admin = admin_client(server);
        agent_client(admin, "bob");
        auto p = server.port();
        guess_five_times(p, "198.51.100.7, 203.0.113.5");  // the proxy appended the last one
        BOOST_TEST(bob_logs_in(p, "203.0.113.5") == 429u);   // the guesser's address waits
        BOOST_TEST(bob_logs_in(p, "203.0.113.6") == 200u);   // everyone else's does not
        BOOST_TEST(bob_logs_in(p, "not an address") == 200u);  // the proxy's own, then
    }
    {
        server_process server;  // no proxy trusted: the header is the client's word
        auto admin = admin_client(server);
        agent_client(admin, "bob");
        auto p = server.port();
        guess_five_times(p, "203.0.113.5");
        BOOST_TEST(bob_logs_in(p, "203.0.113.6") == 429u);
    }
    auto bad = run_binary({"--trusted-proxies", "10.0.0.1,proxy.local"});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(bad.err.find("'proxy.local' is not an IP address") != std::string::npos, bad.err);
}

// Password hashes take their turns on one thread (a login is a fraction of
// a second of it). Each answer must leave when its own hash is done: a
// result that queued behind the hashes started meanwhile had every one of
// eight logins answered when the last was done. And an account change that
// hashes nothing (a new display name) must not wait behind them at all.
BOOST_AUTO_TEST_CASE(logins_at_once_are_answered_as_each_is_checked) {
    server_process server;
    auto password = printed_admin_password(server);
    auto admin = admin_client(server);
    constexpr int logins = 8;
    std::vector<std::chrono::steady_clock::duration> answered;
    std::vector<unsigned> status;
    std::mutex m;
    std::condition_variable one_answered;
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> clients;
    for (int i = 0; i < logins; ++i)
        clients.emplace_back([&] {
            auto s = http_request(server.port(), "POST", "/auth/login",
                                  R"({"username":"admin","password":")" + password + R"("})")
                         .status;
            std::lock_guard lock(m);
            status.push_back(s);
            answered.push_back(std::chrono::steady_clock::now() - start);
            one_answered.notify_all();
        });
    {
        // By the first answer, the server has the other logins' hashes to do.
        std::unique_lock lock(m);
        one_answered.wait(lock, [&] { return !answered.empty(); });
    }
    auto renamed = admin.call("PATCH", "/agents/admin", R"({"display_name":"The Boss"})");
    auto renamed_at = std::chrono::steady_clock::now() - start;
    for (auto& t : clients) t.join();
    BOOST_TEST(renamed.status == 200u);
    for (auto s : status) BOOST_TEST(s == 200u);
    std::sort(answered.begin(), answered.end());
    // Not a speed: how the answers spread over the hashes' turns. Taken one
    // by one, the first comes after about an eighth of the time; all at the
    // end, after nearly all of it.
    auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
    auto first = seconds(answered.front()), last = seconds(answered.back());
    BOOST_TEST(first < last / 2, "first answer after " << first << " s, last after " << last << " s");
    BOOST_TEST(seconds(renamed_at) < last, "renamed after " << seconds(renamed_at) << " s, last login after " << last << " s");
}

BOOST_AUTO_TEST_CASE(every_route_needs_auth_first_even_for_unknown_phones) {
    server_process server;
    for (auto [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/conversations"},
             {"GET", "/conversations/999"},
             {"GET", "/conversations/999/messages"},
             {"POST", "/conversations/999/chat-support/start"},
             {"POST", "/conversations/999/chat-support/send"},
             {"POST", "/conversations/999/chat-support/end"},
             {"POST", "/conversations/999/chat-support/transfer"},
             {"POST", "/conversations/999/chat-support/return"},
             {"POST", "/conversations/999/chat-support/send-template"},
             {"GET", "/whatsapp/templates"},
             {"POST", "/conversations/999/read"},
             {"POST", "/conversations/999/unread"},
             {"PUT", "/conversations/999/labels"},
             {"PUT", "/conversations/999/priority"},
             {"PUT", "/conversations/999/attributes"},
             {"POST", "/conversations/999/notes"},
             {"PUT", "/conversations/999/blocked"},
             {"PUT", "/conversations/999/muted"},
             {"PUT", "/conversations/999/name"},
             {"GET", "/conversations/999/transcript"},
             {"GET", "/queue"},
             {"GET", "/agents"},
             {"POST", "/agents"},
             {"PATCH", "/agents/admin"},
             {"GET", "/me"},
             {"POST", "/auth/logout"},
             {"POST", "/auth/password"},
             {"GET", "/auth/tokens"},
             {"POST", "/auth/tokens"},
             {"DELETE", "/auth/tokens/0123456789abcdef"},
             {"POST", "/auth/two-factor/setup"},
             {"GET", "/auth/two-factor/qr.svg"},
             {"POST", "/auth/two-factor/enable"},
             {"POST", "/auth/two-factor/disable"},
             {"POST", "/auth/two-factor/recovery-codes"},
             {"GET", "/settings/security"},
             {"PUT", "/settings/security"},
             {"GET", "/reports/summary"},
             {"GET", "/export"},
             {"GET", "/canned-responses"},
             {"POST", "/canned-responses"},
             {"PATCH", "/canned-responses/hours"},
             {"DELETE", "/canned-responses/hours"}}) {
        BOOST_TEST_INFO(method << " " << target);
        auto res = http_request(server.port(), method, target, "{}", {{"Authorization", "Bearer not-a-token"}});
        BOOST_TEST(res.status == 401u);
        BOOST_TEST(error_code(res) == "unauthorized");
    }
}

BOOST_AUTO_TEST_CASE(a_chat_from_queue_to_rating) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    BOOST_TEST(server.stderr_text().find("no --outbound-url") == std::string::npos);  // it has one
    auto admin = admin_client(server);
    auto p = server.port();
    user_says(p, "15550001", "support", "John");

    auto list = admin.json("GET", "/conversations?filter=queued");
    BOOST_REQUIRE(list.at("conversations").as_array().size() == 1u);
    auto& c = list.at("conversations").as_array()[0];
    BOOST_TEST(c.at("queue_position").as_int64() == 1);
    BOOST_TEST(c.at("is_chat_support").as_bool());
    BOOST_TEST(c.at("assignee").is_null());
    BOOST_TEST(c.at("name").as_string() == "John");
    auto queue = admin.json("GET", "/queue");
    BOOST_TEST(queue.at("queue").as_array().at(0).at("phone").as_string() == "15550001");
    BOOST_TEST(queue.at("queue").as_array().at(0).at("waiting_seconds").as_int64() >= 0);

    auto started = admin.json("POST", "/conversations/15550001/chat-support/start");
    BOOST_TEST(started.at("assignee").as_string() == "admin");
    BOOST_TEST(started.at("queue_position").is_null());
    BOOST_TEST(admin.json("GET", "/queue").at("queue").as_array().empty());
    auto told = outbound.wait_for(1);  // "You're now chatting with …"
    BOOST_TEST(std::string(json::parse(told[0].body).at("text").as_string()).find("Administrator") != std::string::npos);

    auto sent = admin.json("POST", "/conversations/15550001/chat-support/send", R"({"text":"Hi John","client_id":"tmp-1"})", 201);
    BOOST_TEST(sent.at("sender").as_string() == "admin");
    BOOST_TEST(sent.at("agent").as_string() == "admin");
    BOOST_TEST(sent.at("client_id").as_string() == "tmp-1");
    BOOST_TEST(sent.at("seq").as_int64() == 4);
    BOOST_TEST(sent.at("status").as_string() == "received");  // queued for --outbound-url
    auto delivered = json::parse(outbound.wait_for(2)[1].body);
    BOOST_TEST(delivered.at("to").as_string() == "15550001");
    BOOST_TEST(delivered.at("text").as_string() == "Hi John");
    BOOST_TEST(delivered.at("id").as_string() == sent.at("id").as_string());

    auto reply = user_says(p, "15550001", "thanks!");
    BOOST_TEST(reply.at("state").as_string() == "CHAT_SUPPORT_ACTIVE");

    auto ended = admin.json("POST", "/conversations/15550001/chat-support/end", R"({"message":"Glad to help"})");
    BOOST_TEST(ended.at("state").as_string() == "RATING");
    BOOST_TEST(!ended.at("in_chat_support").as_bool());
    BOOST_TEST(ended.at("chat_start_time").is_null());
    BOOST_TEST(ended.at("assignee").is_null());
    auto after_end = outbound.wait_for(4);
    BOOST_TEST(json::parse(after_end[2].body).at("text").as_string() == "Glad to help");
    BOOST_TEST(std::string(json::parse(after_end[3].body).at("text").as_string()).find("Chat support session ended") != std::string::npos);
    BOOST_TEST(user_says(p, "15550001", "5").at("state").as_string() == "IDLE");

    auto history = admin.json("GET", "/conversations/15550001");
    auto& msgs = history.at("messages").as_array();
    auto rated = std::find_if(msgs.begin(), msgs.end(), [](auto& m) { return m.at("text").as_string() == "5"; });
    BOOST_REQUIRE(rated != msgs.end());
    BOOST_TEST(rated->at("type").as_string() == "rating");  // shown as the user's score, not a bare 5
    BOOST_TEST(msgs.back().at("type").as_string() == "text");  // the bot's thanks
    auto txt = admin.call("GET", "/conversations/15550001/transcript").body;
    BOOST_TEST(txt.find(": 5 (rating of the chat, of 5)\n") != std::string::npos, txt);
    BOOST_TEST(msgs.front().at("seq").as_int64() == 1);
    bool closing_stored = false;
    for (auto& m : msgs)
        closing_stored |= m.at("sender").as_string() == "admin" && m.at("text").as_string() == "Glad to help";
    BOOST_TEST(closing_stored);
}

// Quotes on the plain webhook, both ways, by the ids its endpoint knows: an
// agent's reply names what it quotes to --outbound-url as "reply_to" (the
// user's own id for their message, ours for what we POSTed or the bot
// answered), and a user's message may name one as "reply_to" too.
BOOST_AUTO_TEST_CASE(quotes_go_both_ways_on_the_plain_webhook) {
    temp_dir dir;
    for (std::string data : {std::string(":memory:"), dir.path().string()}) {
        BOOST_TEST_CONTEXT("--data " << data) {
            receiver outbound;
            server_process server({"--data", data, "--outbound-url", outbound.url()});
            auto admin = admin_client(server);
            auto p = server.port();
            auto user_posts = [&](const std::string& body) { return http_request(p, "POST", "/webhook", body); };
            BOOST_REQUIRE(user_posts(R"({"from":"15550002","text":"support","id":"their-7"})").status == 200u);
            admin.json("POST", "/conversations/15550002/chat-support/start");
            outbound.wait_for(1);  // "You're now chatting with …"
            auto send = [&](const std::string& text, std::int64_t quoting) {
                auto sent = admin.json("POST", "/conversations/15550002/chat-support/send",
                                       R"({"text":")" + text + R"(","reply_to":)" + std::to_string(quoting) + "}", 201);
                BOOST_TEST(sent.at("reply_to").as_int64() == quoting);
                return sent;
            };
            auto posted = [&](std::size_t n) { return json::parse(outbound.wait_for(n)[n - 1].body); };
            auto newest = [&](std::size_t n) {
                return admin.json("GET", "/conversations/15550002/messages?limit=" + std::to_string(n)).at("messages");
            };

            send("About your request", 1);  // the user's "support", seq 1
            BOOST_TEST(posted(2).at("reply_to").as_string() == "their-7");
            auto plain = admin.json("POST", "/conversations/15550002/chat-support/send", R"({"text":"One moment"})", 201);
            BOOST_TEST(!posted(3).as_object().contains("reply_to"));  // quoting nothing
            BOOST_TEST(posted(3).at("id") == plain.at("id"));
            send("As I said", plain.at("seq").as_int64());
            BOOST_TEST(posted(4).at("reply_to") == plain.at("id"));
            // The user's message sent without an id, and the bot's answer, go by ours.
            BOOST_REQUIRE(user_posts(R"({"from":"15550002","text":"still here"})").status == 200u);
            auto last_two = newest(2);
            BOOST_TEST_REQUIRE(last_two.at(0).at("text").as_string() == "still here");
            send("Good", last_two.at(0).at("seq").as_int64());
            BOOST_TEST(posted(5).at("reply_to") == last_two.at(0).at("id"));
            send("As the bot said", last_two.at(1).at("seq").as_int64());
            BOOST_TEST(posted(6).at("reply_to") == last_two.at(1).at("id"));

            // The user answers our "One moment" by the id we POSTed it with,
            // then their own first message by theirs; an id that names
            // nothing is kept without the quote.
            auto quoted_by_user = [&](const std::string& text, const json::value& quoting) {
                json::object body{{"from", "15550002"}, {"text", text}, {"reply_to", quoting}};
                BOOST_REQUIRE(user_posts(json::serialize(body)).status == 200u);
                auto m = newest(2).at(0);  // then the bot's acknowledgement
                BOOST_TEST_REQUIRE(m.at("text").as_string() == text);
                return m;
            };
            BOOST_TEST(quoted_by_user("how long?", plain.at("id")).at("reply_to") == plain.at("seq"));
            BOOST_TEST(quoted_by_user("as I asked", json::value("their-7")).at("reply_to").as_int64() == 1);
            BOOST_TEST(!quoted_by_user("this one", json::value("nobody-knows")).as_object().contains("reply_to"));

            // A reply_to that is not an id is refused, naming it, and nothing is kept.
            auto before = newest(1);
            auto too_long = R"(,"reply_to":")" + std::string(257, 'a') + R"(")";
            for (std::string bad : {std::string(R"(,"reply_to":5)"), std::string(R"(,"reply_to":"")"),
                                    std::string(R"(,"reply_to":{"id":"x"})"), too_long}) {
                auto res = user_posts(R"({"from":"15550002","text":"x")" + bad + "}");
                BOOST_TEST(res.status == 400u, bad);
                BOOST_TEST(res.body.find(R"("field":"reply_to")") != std::string::npos, res.body);
            }
            BOOST_TEST(newest(1) == before);
        }
    }
}

// A private note is for the agents: any of them may leave one, in any
// state; it is never sent, is no answer and no activity, and says what it is
// in a transcript.
BOOST_AUTO_TEST_CASE(private_notes_stay_with_the_agents) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    user_says(p, "1555", "support", "Ann");
    bob.json("POST", "/conversations/1555/chat-support/start");
    auto before = admin.json("GET", "/conversations/1555");

    auto note = admin.json("POST", "/conversations/1555/notes", R"({"text":"VIP: be quick","client_id":"n-1"})", 201);
    BOOST_TEST(note.at("type").as_string() == "note");
    BOOST_TEST(note.at("sender").as_string() == "admin");
    BOOST_TEST(note.at("agent").as_string() == "admin");  // not the chat's agent: anyone may leave one
    BOOST_TEST(note.at("client_id").as_string() == "n-1");
    auto after = admin.json("GET", "/conversations/1555");
    BOOST_TEST(after.at("unread").as_int64() == before.at("unread").as_int64());
    BOOST_TEST(after.at("last_message") == before.at("last_message"));  // the user never sees it
    BOOST_TEST(after.at("last_activity_at").as_string() == before.at("last_activity_at").as_string());
    BOOST_TEST(after.at("messages").as_array().back().at("text").as_string() == "VIP: be quick");
    auto report = admin.json("GET", "/reports/summary");
    BOOST_TEST(report.at("overall").at("first_response_seconds").at("count").as_int64() == 0);  // a note is no answer

    // The reply after it reaches the user; the note never did.
    bob.json("POST", "/conversations/1555/chat-support/send", R"({"text":"On it"})", 201);
    outbound.wait_for_text("1555", "On it");
    for (auto& r : outbound.requests()) BOOST_TEST(r.body.find("VIP") == std::string::npos, r.body);

    // In any state: after the chat, too.
    bob.json("POST", "/conversations/1555/chat-support/end");
    bob.json("POST", "/conversations/1555/notes", R"({"text":"Follow up on Monday"})", 201);
    auto txt = http_request(p, "GET", "/conversations/1555/transcript?format=txt", {},
                            {{"Authorization", "Bearer " + admin.token}});
    BOOST_TEST(txt.body.find("Agent admin (private note): VIP: be quick") != std::string::npos, txt.body);
    BOOST_TEST(txt.body.find("Agent bob: On it") != std::string::npos);

    BOOST_TEST(admin.call("POST", "/conversations/1999/notes", R"({"text":"x"})").status == 404u);
    for (auto body : {R"({"text":""})", R"({"text":"  \t "})"}) {
        auto empty = admin.call("POST", "/conversations/1555/notes", body);
        BOOST_TEST(empty.status == 400u);
        BOOST_TEST(json::parse(empty.body).at("error").at("field").as_string() == "text");
    }
}

BOOST_AUTO_TEST_CASE(with_no_outbound_url_messages_for_a_plain_user_are_marked_failed) {
    server_process server;  // no --outbound-url
    BOOST_TEST(server.stderr_text().find("no --outbound-url") != std::string::npos);
    auto admin = admin_client(server);
    user_says(server.port(), "15550001", "support");
    admin.json("POST", "/conversations/15550001/chat-support/start");
    auto sent = admin.json("POST", "/conversations/15550001/chat-support/send", R"({"text":"Hi"})", 201);
    BOOST_TEST(sent.at("status").as_string() == "failed");
    BOOST_TEST(sent.at("error").as_string().find("no --outbound-url is set") != std::string::npos);  // why, for the agent

    auto msgs = admin.json("GET", "/conversations/15550001").at("messages").as_array();
    BOOST_REQUIRE(msgs.size() == 4u);  // support, its answer, "now chatting with", Hi
    BOOST_TEST(msgs[1].at("status").as_string() == "sent");  // the webhook's own answer reached the user
    BOOST_TEST(msgs[2].at("sender").as_string() == "bot");
    BOOST_TEST(msgs[2].at("status").as_string() == "failed");
    BOOST_TEST(msgs[3].at("status").as_string() == "failed");
    // A transcript read later says the user never got it.
    auto txt = admin.call("GET", "/conversations/15550001/transcript").body;
    BOOST_TEST(txt.find("Agent admin: Hi [not delivered: no --outbound-url is set") != std::string::npos, txt);
    BOOST_TEST(txt.find("15550001: support\n") != std::string::npos, txt);
}

BOOST_AUTO_TEST_CASE(command_refusals) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto p = server.port();
    user_says(p, "1555", "hello");

    BOOST_TEST(admin.call("POST", "/conversations/999/chat-support/start").status == 404u);
    BOOST_TEST(admin.call("POST", "/conversations/not-a-phone/chat-support/start").status == 404u);
    auto not_active = admin.call("POST", "/conversations/1555/chat-support/send", R"({"text":"hi"})");
    BOOST_TEST(not_active.status == 409u);
    BOOST_TEST(admin.call("POST", "/conversations/1555/chat-support/end").status == 409u);

    // An agent may open a chat with an idle user.
    auto opened = bob.json("POST", "/conversations/1555/chat-support/start");
    BOOST_TEST(opened.at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(opened.at("assignee").as_string() == "bob");
    BOOST_TEST(bob.json("POST", "/conversations/1555/chat-support/start").at("assignee").as_string() == "bob");
    BOOST_TEST(admin.call("POST", "/conversations/1555/chat-support/start").status == 409u);
    BOOST_TEST(admin.call("POST", "/conversations/1555/chat-support/send", R"({"text":"not mine"})").status == 409u);

    for (auto body : {R"({})", R"({"text":""})", R"({"text":5})", "garbage", R"({"text":"ok","client_id":7})"}) {
        BOOST_TEST_INFO(body);
        auto r = bob.call("POST", "/conversations/1555/chat-support/send", body);
        BOOST_TEST(r.status == 400u);
    }
    BOOST_TEST(bob.call("POST", "/conversations/1555/chat-support/send", R"({"text":")" + std::string(4097, 'x') + R"("})").status == 400u);
    BOOST_TEST(bob.call("POST", "/conversations/1555/read", R"({"up_to":"x"})").status == 400u);
    BOOST_TEST(bob.call("POST", "/conversations/1555/chat-support/transfer", R"({"to":"nobody"})").status == 400u);
    BOOST_TEST(bob.call("GET", "/conversations?filter=weird").status == 400u);
    BOOST_TEST(bob.call("GET", "/conversations?limit=0").status == 400u);
    BOOST_TEST(bob.call("GET", "/conversations?cursor=zzz").status == 400u);
    BOOST_TEST(bob.call("GET", "/conversations/1555/transcript?format=pdf").status == 400u);

    // Transfer: bob hands over to admin; afterwards bob may not send.
    auto moved = bob.json("POST", "/conversations/1555/chat-support/transfer", R"({"to":"admin"})");
    BOOST_TEST(moved.at("assignee").as_string() == "admin");
    BOOST_TEST(bob.call("POST", "/conversations/1555/chat-support/send", R"({"text":"hi"})").status == 409u);
    BOOST_TEST(bob.call("POST", "/conversations/1555/chat-support/transfer", R"({"to":"bob"})").status == 403u);
    BOOST_TEST(bob.call("POST", "/conversations/1555/chat-support/end").status == 403u);
    BOOST_TEST(admin.call("POST", "/conversations/1555/chat-support/end").status == 200u);
}

// An agent who cannot take a chat on hands it back to the head of the
// queue, for whoever is free; the user is not told.
BOOST_AUTO_TEST_CASE(an_agent_returns_a_chat_to_the_head_of_the_queue) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto cat = agent_client(admin, "cat");
    auto p = server.port();
    user_says(p, "1201", "support", "Ann");
    user_says(p, "1202", "support", "Ben");
    bob.json("POST", "/conversations/1201/chat-support/start");
    outbound.wait_for_text("1201", "You're now chatting");
    auto told_ann = [&] {
        std::vector<std::string> texts;
        for (auto& r : outbound.requests())
            if (auto m = json::parse(r.body); m.at("to").as_string() == "1201") texts.emplace_back(m.at("text").as_string());
        return texts;
    };
    auto told = told_ann().size();
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");  // events from here on reach it

    auto c = bob.json("POST", "/conversations/1201/chat-support/return");
    BOOST_TEST(c.at("assignee").is_null());
    BOOST_TEST(c.at("queue_position").as_int64() == 1);
    BOOST_TEST(c.at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
    auto note = ws.next_of_type("message.created");
    BOOST_TEST(note.at("data").at("type").as_string() == "system");
    BOOST_TEST(note.at("data").at("text").as_string() == "Back to the queue: bob returned it");
    auto queued = ws.next_of_type("chat.queued");
    BOOST_TEST(queued.at("conversation").as_string() == "1201");
    BOOST_TEST(queued.at("data").at("position").as_int64() == 1);
    auto queue = admin.json("GET", "/queue").at("queue").as_array();
    BOOST_TEST_REQUIRE(queue.size() == 2u);
    BOOST_TEST(queue[0].at("phone").as_string() == "1201");  // ahead of Ben, who came later
    BOOST_TEST(queue[1].at("phone").as_string() == "1202");
    BOOST_TEST(bob.call("POST", "/conversations/1201/chat-support/send", R"({"text":"hi"})").status == 409u);

    // Refused, and nothing changes.
    auto refused = [&](const api_client& who, const std::string& phone, unsigned status, const std::string& words) {
        auto r = who.call("POST", "/conversations/" + phone + "/chat-support/return");
        BOOST_TEST(r.status == status, r.body);
        BOOST_TEST(r.body.find(words) != std::string::npos, r.body);
    };
    refused(bob, "1201", 409, "waiting in the queue already");
    BOOST_TEST(cat.json("POST", "/conversations/1201/chat-support/start").at("assignee").as_string() == "cat");
    refused(bob, "1201", 403, "only cat or an admin");
    user_says(p, "1203", "hi", "Cai");
    refused(admin, "1203", 409, "no chat is active");
    refused(admin, "1999", 404, "1999");
    BOOST_TEST(admin.json("GET", "/conversations/1201").at("assignee").as_string() == "cat");

    // An admin returns anyone's.
    admin.json("POST", "/conversations/1201/chat-support/return");
    auto history = admin.json("GET", "/conversations/1201").at("messages").as_array();
    BOOST_TEST(history.back().at("text").as_string() == "Back to the queue: admin returned it from cat");
    // The user heard of the claims, and of nothing else.
    outbound.wait_for_text("1201", "You're now chatting with cat");
    BOOST_TEST(told_ann().size() == told + 1);
}

BOOST_AUTO_TEST_CASE(lists_filter_search_and_page_without_overlap) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto p = server.port();
    user_says(p, "1001", "hi", "Alice Archer");
    user_says(p, "1002", "support", "Bruno");
    user_says(p, "1003", "support", "Carla");
    user_says(p, "1004", "my order 77 is late", "Dmitri");
    user_says(p, "1005", "hi", "Eve");
    bob.json("POST", "/conversations/1003/chat-support/start");

    auto count = [&](const api_client& who, const std::string& query) {
        return who.json("GET", "/conversations" + query).at("conversations").as_array().size();
    };
    BOOST_TEST(count(admin, "") == 5u);
    BOOST_TEST(count(admin, "?filter=active") == 2u);
    BOOST_TEST(count(admin, "?filter=queued") == 1u);
    BOOST_TEST(count(bob, "?filter=mine") == 1u);
    BOOST_TEST(count(admin, "?filter=mine") == 0u);
    BOOST_TEST(count(admin, "?q=archer") == 1u);     // by name, any case
    BOOST_TEST(count(admin, "?q=1004") == 1u);       // by phone
    BOOST_TEST(count(admin, "?q=order%2077") == 1u); // by message text
    BOOST_TEST(count(admin, "?q=nothing-like-this") == 0u);
    // The bot's menu, in every conversation, names "register"; nobody wrote it.
    BOOST_TEST(count(admin, "?q=register") == 0u);

    // Newest activity first (ties, within a millisecond, by phone); the claim is the latest activity.
    auto all = admin.json("GET", "/conversations").at("conversations").as_array();
    for (std::size_t i = 1; i < all.size(); ++i) {
        auto prev = all[i - 1].at("updated_at").as_string(), cur = all[i].at("updated_at").as_string();
        BOOST_TEST((prev > cur || (prev == cur && all[i - 1].at("phone").as_string() < all[i].at("phone").as_string())));
    }
    auto claimed = admin.json("GET", "/conversations/1003").at("updated_at").as_string();
    BOOST_TEST(all[0].at("updated_at").as_string() == claimed);

    std::set<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
        auto page = admin.json("GET", "/conversations?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
        for (auto& c : page.at("conversations").as_array())
            BOOST_TEST(seen.insert(std::string(c.at("phone").as_string())).second);
        cursor = page.at("next_cursor").is_null() ? "" : std::string(page.at("next_cursor").as_string());
        ++pages;
    } while (!cursor.empty() && pages < 10);
    BOOST_TEST(seen.size() == 5u);
    BOOST_TEST(pages == 3);

    // Every answer counts each filter whole, whatever its page shows.
    auto counts = bob.json("GET", "/conversations?limit=1&filter=queued").at("counts");
    BOOST_TEST(counts.at("all").as_int64() == 5);
    BOOST_TEST(counts.at("active").as_int64() == 2);
    BOOST_TEST(counts.at("queued").as_int64() == 1);
    BOOST_TEST(counts.at("mine").as_int64() == 1);
    BOOST_TEST(admin.json("GET", "/conversations?q=archer").at("counts").at("mine").as_int64() == 0);
}

// A conversation found by its messages' text names its newest message that
// matched ("match"), for a console to show and open the chat at; one found
// by its name alone has none.
BOOST_AUTO_TEST_CASE(a_search_by_message_text_names_the_newest_match) {
    temp_dir dir;
    for (std::string data : {std::string(":memory:"), dir.path().string()}) {
        server_process server({"--data", data});
        auto admin = admin_client(server);
        auto p = server.port();
        user_says(p, "1101", "my order 77 is late", "Ann");
        user_says(p, "1101", "ORDER 77 again?");
        user_says(p, "1101", "thanks");
        user_says(p, "1102", "hello", "Order Desk");
        auto found = [&](const std::string& query) {
            std::map<std::string, json::value> by_phone;
            auto page = admin.json("GET", "/conversations" + query);
            for (auto& c : page.at("conversations").as_array())
                by_phone[std::string(c.at("phone").as_string())] = c;
            return by_phone;
        };
        auto hits = found("?q=order%2077");
        BOOST_TEST_REQUIRE(hits.size() == 1u, data);
        auto& match = hits.at("1101").at("match");
        BOOST_TEST(match.at("seq").as_int64() == 3);  // the newest of the two
        BOOST_TEST(match.at("text").as_string() == "ORDER 77 again?");
        BOOST_TEST(match.at("sender").as_string() == "user");
        hits = found("?q=order");
        BOOST_TEST_REQUIRE(hits.size() == 2u, data);
        BOOST_TEST(hits.at("1101").at("match").at("seq").as_int64() == 3);
        BOOST_TEST(!hits.at("1102").as_object().contains("match"));  // by its name
        for (auto& [phone, c] : found(""))
            BOOST_TEST(!c.as_object().contains("match"), phone);
    }
}

// Any agent files a conversation under labels, which every list and socket
// shows, a list filters by, a restart keeps, and which move nothing else.
// Any agent marks how urgent a conversation is (Chatwoot's priority): every
// console hears it, the list filters by it, and it outlives a restart.
BOOST_AUTO_TEST_CASE(a_priority_marks_a_conversation_and_filters_the_list) {
    across_restart({"1201", "1202", "1203"}, "hi", [&](three_users& t) {
        auto& [server, admin, bob, ws] = t;
        auto p = server.port();
        auto newest = admin.json("GET", "/conversations").at("conversations").at(0).at("phone").as_string();
        BOOST_TEST(admin.json("GET", "/conversations/1201").at("priority").as_string() == "none");

        auto c = bob.json("PUT", "/conversations/1201/priority", R"({"priority":"urgent"})");
        BOOST_TEST(c.at("priority").as_string() == "urgent");
        auto event = ws.next_of_type("conversation.updated");
        BOOST_TEST(event.at("data").at("phone").as_string() == "1201");
        BOOST_TEST(event.at("data").at("priority").as_string() == "urgent");
        admin.json("PUT", "/conversations/1202/priority", R"({"priority":"high"})");
        admin.json("PUT", "/conversations/1203/priority", R"({"priority":"urgent"})");
        admin.json("PUT", "/conversations/1203/priority", R"({"priority":"low"})");

        auto phones = [&](const std::string& query) { return listed(admin, query); };
        BOOST_TEST(phones("?priority=urgent") == std::vector<std::string>{"1201"});
        BOOST_TEST(phones("?priority=high&filter=queued") == std::vector<std::string>{"1202"});
        BOOST_TEST(phones("?priority=low&q=Cai") == std::vector<std::string>{"1203"});
        BOOST_TEST(phones("?priority=medium").empty());
        BOOST_TEST(phones("").at(0) == newest);  // marking is no activity

        // order=priority: the most urgent first, a page at a time; the
        // cursor carries the priority, and each order takes only its own.
        BOOST_TEST(phones("?order=priority") == (std::vector<std::string>{"1201", "1202", "1203"}));
        BOOST_TEST(phones("?order=priority&filter=queued") == std::vector<std::string>{"1202"});
        auto first_page = admin.json("GET", "/conversations?order=priority&limit=2");
        auto cursor = std::string(first_page.at("next_cursor").as_string());
        BOOST_TEST(cursor.starts_with("p3_"), cursor);
        BOOST_TEST(phones("?order=priority&limit=2&cursor=" + cursor) == std::vector<std::string>{"1203"});
        auto by_activity = std::string(admin.json("GET", "/conversations?limit=1").at("next_cursor").as_string());
        for (const std::string& query : {"?cursor=" + cursor, "?order=priority&cursor=" + by_activity,
                                          std::string("?order=priority&cursor=p5_1_1201")}) {
            auto r = admin.call("GET", "/conversations" + query);
            BOOST_TEST(r.status == 400u, query);
            BOOST_TEST(r.body.find(R"("field":"cursor")") != std::string::npos, r.body);
        }
        BOOST_TEST(admin.call("GET", "/conversations?order=urgency").body.find(R"("field":"order")") !=
                   std::string::npos);

        for (auto body : {R"({"priority":"critical"})", R"({"priority":3})", R"({})", R"({"priority":"URGENT"})"}) {
            auto r = bob.call("PUT", "/conversations/1202/priority", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(r.body.find(R"("field":"priority")") != std::string::npos, r.body);
        }
        BOOST_TEST(admin.json("GET", "/conversations/1202").at("priority").as_string() == "high");  // unchanged
        BOOST_TEST(admin.call("GET", "/conversations?priority=top").status == 400u);
        BOOST_TEST(admin.call("GET", "/conversations?filter=queued&order=queue&priority=high").status == 400u);
        BOOST_TEST(bob.call("PUT", "/conversations/1999/priority", R"({"priority":"low"})").status == 404u);
        BOOST_TEST(http_request(p, "PUT", "/conversations/1201/priority", R"({"priority":"low"})").status == 401u);

        user_says(p, "1201", "hello?");  // the user writes again: the mark stays
        BOOST_TEST(admin.json("GET", "/conversations/1201").at("priority").as_string() == "urgent");
    }, [&](const api_client& admin) {  // the session outlives the restart
        BOOST_TEST(admin.json("GET", "/conversations/1201").at("priority").as_string() == "urgent");
        BOOST_TEST(admin.json("GET", "/conversations/1203").at("priority").as_string() == "low");
    });
}

// Teams, as Chatwoot's: admins write them and everyone reads them; any
// agent files a conversation under one, by hand, by a macro or in bulk; the
// list filters by team; a team deleted takes its conversations with it out
// of it, and a macro naming it is kept and refused; all of it outlives a
// restart.
BOOST_AUTO_TEST_CASE(teams_group_agents_and_file_conversations) {
    std::string to_tech;
    across_restart({"1601", "1602", "1603"}, "hi", [&](three_users& t) {
        auto& [server, admin, bob, ws] = t;
        auto p = server.port();
        auto newest = admin.json("GET", "/conversations").at("conversations").at(0).at("phone").as_string();
        BOOST_TEST(bob.json("GET", "/teams").at("teams").as_array().empty());
        BOOST_TEST(admin.json("GET", "/conversations/1601").at("team").is_null());

        auto made = admin.call("PUT", "/teams/Billing",
                               R"({"description":" Refunds and invoices ","members":["bob","admin","bob"]})");
        BOOST_TEST(made.status == 201u);
        auto billing = json::parse(made.body);
        BOOST_TEST(billing.at("name").as_string() == "billing");
        BOOST_TEST(billing.at("description").as_string() == "Refunds and invoices");
        BOOST_TEST(json::serialize(billing.at("members")) == R"(["admin","bob"])");
        BOOST_TEST(billing.at("updated_by").as_string() == "admin");
        auto announced = ws.next_of_type("teams.updated");
        BOOST_TEST(announced.at("data").at("teams").at(0).at("name").as_string() == "billing");
        auto replaced = admin.call("PUT", "/teams/billing", R"({"description":"Refunds and invoices","members":["bob"]})");
        BOOST_TEST(replaced.status == 200u);
        BOOST_TEST(json::serialize(json::parse(replaced.body).at("members")) == R"(["bob"])");
        admin.json("PUT", "/teams/tech", R"({"members":[]})", 201);

        BOOST_TEST(bob.call("PUT", "/teams/sales", R"({"members":[]})").status == 403u);
        for (auto [path, body, field] : std::initializer_list<std::array<std::string, 3>>{
                 {"x", R"({"members":["nobody"]})", "members"},
                 {"x", R"({"members":"bob"})", "members"},
                 {"x", R"({"members":[3]})", "members"},
                 {"x", R"({})", "members"},
                 {"x", R"({"members":[],"description":"a\nb"})", "description"},
                 {"x", R"({"members":[],"description":")" + std::string(201, 'd') + R"("})", "description"},
                 {"x", R"({"members":[],"lead":"bob"})", "lead"},
                 {"none", R"({"members":[]})", "name"},
                 {"a!b", R"({"members":[]})", "name"}}) {
            auto r = admin.call("PUT", "/teams/" + path, body);
            BOOST_TEST(r.status == 400u, path + " " + body);
            BOOST_TEST(r.body.find(R"("field":")" + field + "\"") != std::string::npos, body + " → " + r.body);
        }
        auto teams = bob.json("GET", "/teams").at("teams").as_array();
        BOOST_TEST_REQUIRE(teams.size() == 2u);  // by name; nothing refused was made
        BOOST_TEST(teams.at(1).at("name").as_string() == "tech");
        // At most 50: one more is refused, and changing one there is is not.
        for (int i = 3; i <= 50; ++i) admin.json("PUT", "/teams/t" + std::to_string(i), R"({"members":[]})", 201);
        BOOST_TEST(admin.call("PUT", "/teams/t51", R"({"members":[]})").status == 409u);
        admin.json("PUT", "/teams/t50", R"({"members":["bob"]})");
        for (int i = 3; i <= 50; ++i) admin.json("DELETE", "/teams/t" + std::to_string(i));

        auto c = bob.json("PUT", "/conversations/1601/team", R"({"team":"Billing"})");
        BOOST_TEST(c.at("team").as_string() == "billing");
        auto event = ws.next_of_type("conversation.updated");
        BOOST_TEST(event.at("data").at("phone").as_string() == "1601");
        BOOST_TEST(event.at("data").at("team").as_string() == "billing");
        admin.json("PUT", "/conversations/1602/team", R"({"team":"tech"})");
        for (auto body : {R"({"team":"sales"})", R"({"team":3})", R"({})", R"({"team":"a!b"})"}) {
            auto r = bob.call("PUT", "/conversations/1603/team", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(r.body.find(R"("field":"team")") != std::string::npos, r.body);
        }
        BOOST_TEST(admin.json("GET", "/conversations/1603").at("team").is_null());  // unchanged
        BOOST_TEST(bob.call("PUT", "/conversations/1999/team", R"({"team":"tech"})").status == 404u);
        BOOST_TEST(http_request(p, "PUT", "/conversations/1601/team", R"({"team":"tech"})").status == 401u);

        auto phones = [&](const std::string& query) { return listed(admin, query); };
        BOOST_TEST(phones("?team=billing") == std::vector<std::string>{"1601"});
        BOOST_TEST(phones("?team=Tech&filter=queued") == std::vector<std::string>{"1602"});
        BOOST_TEST(phones("?team=none") == std::vector<std::string>{"1603"});
        BOOST_TEST(phones("?team=billing&q=Cai").empty());
        BOOST_TEST(phones("").at(0) == newest);  // filing is no activity
        BOOST_TEST(admin.call("GET", "/conversations?team=a!b").body.find(R"("field":"team")") != std::string::npos);
        BOOST_TEST(admin.call("GET", "/conversations?filter=queued&order=queue&team=tech").status == 400u);
        BOOST_TEST(admin.json("GET", "/queue").at("queue").at(0).at("team").as_string() == "tech");

        // A macro files under a team, and a bulk action under none.
        auto macro = admin.json("POST", "/macros", R"({"name":"To billing","actions":[{"action":"team","team":"Billing"}]})", 201);
        BOOST_TEST(json::serialize(macro.at("actions")) == R"([{"action":"team","team":"billing"}])");
        auto no_team = admin.call("POST", "/macros", R"({"name":"x","actions":[{"action":"team","team":"sales"}]})");
        BOOST_TEST(no_team.status == 400u);
        BOOST_TEST(no_team.body.find("action 1: no team named sales") != std::string::npos, no_team.body);
        auto ran = bob.json("POST", "/conversations/1603/macros/" + std::string(macro.at("id").as_string()));
        BOOST_TEST(ran.at("team").as_string() == "billing");
        auto txt = admin.call("GET", "/conversations/1603/transcript?format=txt").body;
        BOOST_TEST(txt.starts_with("Conversation with Cai (1603)\nTeam: billing\n\n"), txt);
        auto bulk = bob.json("POST", "/conversations/bulk", R"({"action":"team","team":null,"phones":["1603"]})");
        BOOST_TEST(bulk.at("results").at(0).at("conversation").at("team").is_null());

        // A team deleted: its conversations are under none, each heard of.
        to_tech = std::string(admin.json("POST", "/macros", R"({"name":"To tech","actions":[{"action":"team","team":"tech"}]})",
                                         201).at("id").as_string());
        BOOST_TEST(bob.call("DELETE", "/teams/tech").status == 403u);
        auto deleted = admin.json("DELETE", "/teams/tech");
        BOOST_TEST(deleted.at("deleted").as_string() == "tech");
        BOOST_TEST(deleted.at("conversations").as_int64() == 1);
        BOOST_TEST(ws.next_of_type("teams.updated").at("data").at("teams").as_array().size() == 1u);
        auto left = ws.next_of_type("conversation.updated");
        BOOST_TEST(left.at("data").at("phone").as_string() == "1602");
        BOOST_TEST(left.at("data").at("team").is_null());
        BOOST_TEST(admin.call("DELETE", "/teams/tech").status == 404u);
        auto r = bob.call("POST", "/conversations/1602/macros/" + to_tech);
        BOOST_TEST(r.status == 409u);
        BOOST_TEST(r.body.find("To tech, action 1 of 1 (team): no team named tech") != std::string::npos, r.body);
    }, [&](const api_client& bob) {  // the session outlives the restart
        auto teams = bob.json("GET", "/teams").at("teams").as_array();
        BOOST_TEST_REQUIRE(teams.size() == 1u);
        BOOST_TEST(teams.at(0).at("description").as_string() == "Refunds and invoices");
        BOOST_TEST(json::serialize(teams.at(0).at("members")) == R"(["bob"])");
        BOOST_TEST(bob.json("GET", "/conversations/1601").at("team").as_string() == "billing");
        BOOST_TEST(bob.json("GET", "/conversations/1602").at("team").is_null());
        // The macro naming the team gone is kept, and refused when run.
        BOOST_TEST(bob.call("POST", "/conversations/1602/macros/" + to_tech).status == 409u);
    });
}

// The audit log, as Chatwoot's: each change to the team's accounts and
// settings, and each login, failed ones too, with who did it; newest
// first, a page at a time, for admins; kept across a restart; never a
// password or a token.
// In memory each write is answered at once: deleting a team thousands of
// conversations are filed under walks them all without the stack growing
// under it (it overflowed at a few thousand).
BOOST_AUTO_TEST_CASE(a_team_thousands_of_conversations_are_filed_under_is_deleted_in_memory) {
    server_process server;
    auto admin = admin_client(server);
    admin.json("PUT", "/teams/billing", R"({"members":["admin"]})", 201);
    constexpr int count = 5000;
    act_in_bulk(admin, users_write(server.port(), count, 16000000), {{"action", "team"}, {"team", "billing"}});
    auto deleted = admin.json("DELETE", "/teams/billing");
    BOOST_TEST(deleted.at("conversations").as_int64() == count);
    BOOST_TEST(admin.json("GET", "/conversations/16004999").at("team").is_null());
}

BOOST_AUTO_TEST_CASE(the_audit_log_keeps_who_changed_the_accounts_and_settings) {
    temp_dir dir;
    std::vector<std::string> args{"--data", dir.path().string()};
    std::string token;
    auto actions = [](const api_client& admin, const std::string& query) {
        std::vector<std::string> out;
        auto page = admin.json("GET", "/audit-log" + query);
        for (auto& e : page.at("entries").as_array()) out.push_back(std::string(e.at("action").as_string()));
        return out;
    };
    {
        server_process server(args);
        auto admin = admin_client(server);
        token = admin.token;
        auto p = server.port();
        auto bob = agent_client(admin, "bob");  // agent.created, then bob's session.login
        BOOST_TEST(http_request(p, "POST", "/auth/login", R"({"username":"bob","password":"not-his-password"})").status ==
                   401u);
        admin.json("PATCH", "/agents/bob", R"({"role":"admin","max_chats":3,"password":"a-new-secret-9"})");
        admin.json("PATCH", "/agents/bob", R"({"role":"agent"})");
        bob = api_client{p, login(p, "bob", "a-new-secret-9")};
        bob.json("PATCH", "/agents/bob", R"({"available":false})");  // presence, not an account change: not kept
        auto made = bob.json("POST", "/auth/tokens", R"({"name":"CRM sync"})", 201);
        bob.json("DELETE", "/auth/tokens/" + std::string(made.at("id").as_string()));
        auto macro = admin.json("POST", "/macros", R"({"name":"Close","actions":[{"action":"end"}]})", 201);
        admin.json("DELETE", "/macros/" + std::string(macro.at("id").as_string()));
        admin.json("POST", "/canned-responses", R"({"shortcut":"hours","text":"9 to 5"})", 201);
        admin.json("PUT", "/sla", R"({"first_reply_minutes":5})");
        admin.json("PUT", "/teams/billing", R"({"members":["bob"]})", 201);
        admin.json("DELETE", "/teams/billing");
        bob.json("POST", "/auth/logout");

        BOOST_TEST(actions(admin, "") ==
                   (std::vector<std::string>{"session.logout", "team.deleted", "team.created", "sla.updated",
                                             "saved_reply.created", "macro.deleted", "macro.created", "token.revoked",
                                             "token.created", "session.login", "agent.updated", "agent.updated",
                                             "session.login_failed", "session.login", "agent.created",
                                             "session.login"}));
        auto page = admin.json("GET", "/audit-log?limit=3");
        auto& first = page.at("entries").at(0);
        BOOST_TEST(first.at("actor").as_string() == "bob");
        BOOST_TEST(first.at("target").is_null());
        auto entries = admin.json("GET", "/audit-log").at("entries").as_array();
        auto find = [&](const std::string& action) {
            return *std::find_if(entries.begin(), entries.end(), [&](auto& e) { return e.at("action").as_string() == action; });
        };
        auto promoted = entries.at(11);  // the first agent.updated
        BOOST_TEST(promoted.at("actor").as_string() == "admin");
        BOOST_TEST(promoted.at("target").as_string() == "bob");
        BOOST_TEST(json::serialize(promoted.at("details")) == R"({"role":"admin","max_chats":3,"password_set":true})");
        auto failed = find("session.login_failed");
        BOOST_TEST(failed.at("actor").as_string() == "bob");
        BOOST_TEST(failed.at("details").at("address").as_string() == "127.0.0.1");
        BOOST_TEST(find("team.deleted").at("target").as_string() == "billing");
        BOOST_TEST(find("token.created").at("details").at("name").as_string() == "CRM sync");
        BOOST_TEST(find("macro.deleted").at("details").at("name").as_string() == "Close");
        BOOST_TEST(find("sla.updated").at("details").at("first_reply_minutes").as_int64() == 5);
        auto all = admin.call("GET", "/audit-log?limit=200").body;
        BOOST_TEST(all.find("a-new-secret-9") == std::string::npos);
        BOOST_TEST(all.find("not-his-password") == std::string::npos);
        BOOST_TEST(all.find(std::string(made.at("token").as_string())) == std::string::npos);

        // A page at a time, newest first: next_before is where the next starts.
        auto next = page.at("next_before").as_int64();
        BOOST_TEST(next == page.at("entries").at(2).at("id").as_int64());
        BOOST_TEST(actions(admin, "?limit=3&before=" + std::to_string(next)) ==
                   (std::vector<std::string>{"sla.updated", "saved_reply.created", "macro.deleted"}));
        BOOST_TEST(admin.json("GET", "/audit-log?before=2").at("next_before").is_null());

        // All of it as CSV, newest first, one row an entry, for a spreadsheet.
        auto csv_lines = [&](const std::string& query) {
            auto r = admin.call("GET", "/audit-log?format=csv" + query);
            BOOST_TEST(r.status == 200u);
            BOOST_TEST(r.header("content-type").find("text/csv") == 0u);
            BOOST_TEST(r.header("content-disposition").find("audit-log.csv") != std::string::npos);
            std::vector<std::string> lines;
            for (std::size_t at = 0, end; (end = r.body.find("\r\n", at)) != std::string::npos; at = end + 2)
                lines.push_back(r.body.substr(at, end - at));
            return lines;
        };
        auto csv = csv_lines("");
        BOOST_REQUIRE(csv.size() == entries.size() + 1);
        BOOST_TEST(csv[0] == "id,at,actor,action,target,details");
        auto& newest = entries.at(0);
        BOOST_TEST(csv[1].starts_with(std::to_string(newest.at("id").as_int64()) + "," +
                                      std::string(newest.at("at").as_string()) + "," +
                                      std::string(newest.at("actor").as_string()) + "," +
                                      std::string(newest.at("action").as_string()) + ","));
        BOOST_TEST(csv[12] == std::to_string(promoted.at("id").as_int64()) + "," +
                                  std::string(promoted.at("at").as_string()) +
                                  R"(,admin,agent.updated,bob,"{""role"":""admin"",""max_chats"":3,""password_set"":true}")");
        BOOST_TEST(csv_lines("&before=" + std::to_string(next)).size() == entries.size() - 3 + 1);  // older than the third
        BOOST_TEST(error_code(admin.call("GET", "/audit-log?format=xml")) == "invalid_field");
        for (auto query : {"?limit=0", "?limit=201", "?before=x"}) {
            auto r = admin.call("GET", std::string("/audit-log") + query);
            BOOST_TEST(r.status == 400u, query);
        }
        auto agent = agent_client(admin, "cai");
        BOOST_TEST(agent.call("GET", "/audit-log").status == 403u);
        BOOST_TEST(agent.call("GET", "/audit-log?format=csv").status == 403u);
        BOOST_TEST(http_request(p, "GET", "/audit-log").status == 401u);
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server(args);
    api_client admin{server.port(), token};
    auto kept = actions(admin, "?limit=2");
    BOOST_TEST(kept == (std::vector<std::string>{"session.login", "agent.created"}));  // cai's, before the restart
}

// The CSV streams a thousand entries at a time: past the first thousand,
// every entry comes once, newest first.
BOOST_AUTO_TEST_CASE(the_audit_log_as_csv_has_every_entry_past_its_first_thousand) {
    server_process server;
    auto admin = admin_client(server);
    constexpr int changes = 1005;
    for (int i = 1; i <= changes; ++i)
        admin.json("PUT", "/sla", R"({"first_reply_minutes":)" + std::to_string(i) + "}");
    auto r = admin.call("GET", "/audit-log?format=csv");
    BOOST_REQUIRE(r.status == 200u);
    std::vector<std::int64_t> ids;
    std::size_t lines = 0;
    for (std::size_t at = 0, end; (end = r.body.find("\r\n", at)) != std::string::npos; at = end + 2, ++lines)
        if (lines > 0) ids.push_back(std::stoll(r.body.substr(at, r.body.find(',', at) - at)));
    // Each change, and the admin's login before them.
    BOOST_TEST(ids.size() == std::size_t{changes + 1});
    // Newest first, each once: every id below the one before it, down to the first.
    BOOST_TEST((std::adjacent_find(ids.begin(), ids.end(), [](auto a, auto b) { return a <= b; }) == ids.end()));
    BOOST_TEST(ids.back() == 1);
}

// Any agent notes what the team knows of a user (Chatwoot's contact
// attributes): every console hears it, a search finds it, and it outlives
// a restart.
BOOST_AUTO_TEST_CASE(attributes_describe_the_user_and_a_search_finds_them) {
    across_restart({"1301", "1302", "1303"}, "hi", [&](three_users& t) {
        auto& [server, admin, bob, ws] = t;
        auto p = server.port();
        auto newest = admin.json("GET", "/conversations").at("conversations").at(0).at("phone").as_string();
        BOOST_TEST(json::serialize(admin.json("GET", "/conversations/1301").at("attributes")) == "{}");

        auto c = bob.json("PUT", "/conversations/1301/attributes",
                          R"({"attributes":{"Email":" ana@example.com ","Order id":"A-77 💬"}})");
        BOOST_TEST(json::serialize(c.at("attributes")) == R"({"email":"ana@example.com","order_id":"A-77 💬"})");
        auto event = ws.next_of_type("conversation.updated");
        BOOST_TEST(event.at("data").at("phone").as_string() == "1301");
        BOOST_TEST(event.at("data").at("attributes").at("email").as_string() == "ana@example.com");

        auto phones = [&](const std::string& query) { return listed(admin, query); };
        BOOST_TEST(phones("?q=example.com") == std::vector<std::string>{"1301"});
        BOOST_TEST(phones("?q=a-77") == std::vector<std::string>{"1301"});  // any case
        BOOST_TEST(phones("").at(0) == newest);                              // noting is no activity

        std::string too_many = R"({"attributes":{)";
        for (int i = 0; i <= 20; ++i) too_many += (i ? "," : "") + std::string("\"k") + std::to_string(i) + R"(":"v")";
        too_many += "}}";
        for (auto body : {std::string(R"({"attributes":["email"]})"), std::string(R"({})"),
                          std::string(R"({"attributes":{"e-mail!":"x"}})"), std::string(R"({"attributes":{"plan":3}})"),
                          std::string(R"({"attributes":{"plan":"  "}})"), std::string(R"({"attributes":{"plan":"a\nb"}})"),
                          R"({"attributes":{"plan":")" + std::string(257, 'x') + R"("}})",
                          std::string(R"({"attributes":{"Email":"a","email":"b"}})"), too_many,
                          std::string(R"({"attributes":{"Channel":"sms"}})")}) {  // a column of the contacts' file
            auto r = bob.call("PUT", "/conversations/1301/attributes", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(r.body.find(R"("field":"attributes")") != std::string::npos, r.body);
        }
        BOOST_TEST(admin.json("GET", "/conversations/1301").at("attributes").as_object().size() == 2u);  // unchanged
        BOOST_TEST(bob.call("PUT", "/conversations/1999/attributes", R"({"attributes":{}})").status == 404u);
        BOOST_TEST(http_request(p, "PUT", "/conversations/1301/attributes", R"({"attributes":{}})").status == 401u);

        bob.json("PUT", "/conversations/1302/attributes", R"({"attributes":{"plan":"gold"}})");
        auto cleared = bob.json("PUT", "/conversations/1302/attributes", R"({"attributes":{}})");
        BOOST_TEST(json::serialize(cleared.at("attributes")) == "{}");
        auto txt = admin.call("GET", "/conversations/1301/transcript?format=txt").body;
        BOOST_TEST(txt.starts_with("Conversation with Ann (1301)\nemail: ana@example.com\norder_id: A-77 💬\n\n"), txt);
        user_says(p, "1301", "hello?");  // the user writes again: the attributes stay
        BOOST_TEST(admin.json("GET", "/conversations/1301").at("attributes").at("order_id").as_string() == "A-77 💬");
    }, [&](const api_client& admin) {  // the session outlives the restart
        BOOST_TEST(json::serialize(admin.json("GET", "/conversations/1301").at("attributes")) ==
                   R"({"email":"ana@example.com","order_id":"A-77 💬"})");
        BOOST_TEST(json::serialize(admin.json("GET", "/conversations/1302").at("attributes")) == "{}");
    });
}

BOOST_AUTO_TEST_CASE(labels_file_a_conversation_and_filter_the_list) {
    std::string before;
    across_restart({"1101", "1102", "1103"}, "my card was charged twice", [&](three_users& t) {
        auto& [server, admin, bob, ws] = t;
        auto p = server.port();
        before = admin.json("GET", "/conversations").at("conversations").at(0).at("phone").as_string();

        auto c = bob.json("PUT", "/conversations/1101/labels", R"({"labels":["Billing"," VIP  customer ","billing"]})");
        BOOST_TEST(json::serialize(c.at("labels")) == R"(["billing","vip-customer"])");
        auto event = ws.next_of_type("conversation.updated");
        BOOST_TEST(event.at("data").at("phone").as_string() == "1101");
        BOOST_TEST(json::serialize(event.at("data").at("labels")) == R"(["billing","vip-customer"])");
        admin.json("PUT", "/conversations/1103/labels", R"({"labels":["billing"]})");
        BOOST_TEST(json::serialize(admin.json("GET", "/conversations/1102").at("labels")) == "[]");

        auto phones = [&](const std::string& query) { return listed(admin, query); };
        BOOST_TEST(phones("?label=billing") == (std::vector<std::string>{"1103", "1101"}));
        BOOST_TEST(phones("?label=BILLING") == (std::vector<std::string>{"1103", "1101"}));  // as typed
        BOOST_TEST(phones("?label=vip-customer") == std::vector<std::string>{"1101"});
        BOOST_TEST(phones("?label=billing&q=card") == std::vector<std::string>{"1103"});
        BOOST_TEST(phones("?q=VIP") == std::vector<std::string>{"1101"});  // a search finds a label too
        BOOST_TEST(phones("?label=billing&filter=queued").empty());
        BOOST_TEST(phones("?label=nothing").empty());
        // Filing is no activity: the newest conversation is still the newest.
        BOOST_TEST(phones("").at(0) == before);

        auto refused = [&](const std::string& body, const std::string& words) {
            auto r = bob.call("PUT", "/conversations/1102/labels", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(r.body.find(words) != std::string::npos, r.body);
        };
        refused(R"({"labels":"billing"})", "array");
        refused(R"({})", "array");
        refused(R"({"labels":[""]})", "1 to 32 characters");
        refused(R"({"labels":["a/b"]})", "1 to 32 characters");
        refused(R"({"labels":["café"]})", "1 to 32 characters");
        refused(R"({"labels":[")" + std::string(33, 'x') + R"("]})", "1 to 32 characters");
        refused(R"({"labels":[7]})", "1 to 32 characters");
        refused(R"({"labels":["1","2","3","4","5","6","7","8","9","10","11"]})", "at most 10");
        BOOST_TEST(json::serialize(admin.json("GET", "/conversations/1102").at("labels")) == "[]");
        BOOST_TEST(admin.call("GET", "/conversations?label=a%2Fb").status == 400u);
        BOOST_TEST(bob.call("PUT", "/conversations/1999/labels", R"({"labels":["x"]})").status == 404u);
        BOOST_TEST(http_request(p, "PUT", "/conversations/1101/labels", R"({"labels":[]})").status == 401u);

        // Transcripts carry them: the text one in its head, the JSON one in its conversation.
        auto txt = admin.call("GET", "/conversations/1101/transcript?format=txt").body;
        BOOST_TEST(txt.starts_with("Conversation with Ann (1101)\nLabels: billing, vip-customer\n\n"), txt);
        auto whole = json::parse(admin.call("GET", "/conversations/1101/transcript?format=json").body);
        BOOST_TEST(json::serialize(whole.at("labels")) == R"(["billing","vip-customer"])");
        BOOST_TEST(admin.call("GET", "/conversations/1102/transcript?format=txt").body.starts_with(
            "Conversation with Ben (1102)\n\n"));

        // The user writes again: the labels stay.
        user_says(p, "1101", "thanks");
        BOOST_TEST(json::serialize(admin.json("GET", "/conversations/1101").at("labels")) ==
                   R"(["billing","vip-customer"])");
    }, [&](const api_client& admin) {  // the session outlives the restart
        BOOST_TEST(json::serialize(admin.json("GET", "/conversations/1101").at("labels")) == R"(["billing","vip-customer"])");
        auto cleared = admin.json("PUT", "/conversations/1101/labels", R"({"labels":[]})");
        BOOST_TEST(json::serialize(cleared.at("labels")) == "[]");
        BOOST_TEST(admin.json("GET", "/conversations?label=billing").at("conversations").as_array().size() == 1u);
    });
}

// Blocking a user ends their chat without a word to them, and from then on
// what they write is acknowledged and dropped: no reply, nothing kept, no
// event, no chat. A restart keeps it; unblocking lets them in again.
BOOST_AUTO_TEST_CASE(a_blocked_user_is_acknowledged_and_heard_no_more) {
    temp_dir dir;
    receiver outbound;
    std::string token;
    std::size_t told = 0;
    auto blocked_total = [](unsigned short port) {
        return metric_value(http_request(port, "GET", "/metrics").body, "switchboard_messages_blocked_total");
    };
    {
        server_process server({"--data", dir.path().string(), "--outbound-url", outbound.url()});
        auto admin = admin_client(server);
        auto bob = agent_client(admin, "bob");
        token = admin.token;
        auto p = server.port();
        user_says(p, "1301", "support", "Ann");
        bob.json("POST", "/conversations/1301/chat-support/start");
        outbound.wait_for_text("1301", "You're now chatting");
        told = outbound.requests().size();
        ws_client ws(p, "/ws?token=" + admin.token);
        ws.next_of_type("hello");  // events from here on reach it

        auto c = bob.json("PUT", "/conversations/1301/blocked", R"({"blocked":true})");
        BOOST_TEST(c.at("blocked").as_bool());
        BOOST_TEST(c.at("state").as_string() == "IDLE");  // not RATING: a blocked user is not asked
        BOOST_TEST(!c.at("is_chat_support").as_bool());
        BOOST_TEST(c.at("assignee").is_null());
        auto ended = ws.next_of_type("chat.ended");
        BOOST_TEST(ended.at("data").at("reason").as_string() == "blocked");
        BOOST_TEST(ended.at("data").at("agent").as_string() == "bob");
        auto note = ws.next_of_type("message.created");
        BOOST_TEST(note.at("data").at("type").as_string() == "system");
        BOOST_TEST(note.at("data").at("text").as_string() == "Blocked by bob");
        BOOST_TEST(ws.next_of_type("conversation.updated").at("data").at("blocked").as_bool());
        auto last_seq = note.at("data").at("seq").as_int64();

        // Acknowledged as ever, answered with nothing, and nothing kept.
        auto answer = user_says(p, "1301", "hello? anyone?");
        BOOST_TEST(json::serialize(answer) == R"({"replies":[],"state":"IDLE"})");
        BOOST_TEST(user_says(p, "1301", "support").at("replies").as_array().empty());
        BOOST_TEST(blocked_total(p) == 2.0);
        auto after = admin.json("GET", "/conversations/1301");
        BOOST_TEST(after.at("messages").as_array().back().at("seq").as_int64() == last_seq);
        BOOST_TEST(after.at("unread").as_int64() == c.at("unread").as_int64());
        BOOST_TEST(admin.json("GET", "/queue").at("queue").as_array().empty());

        // No chat with them; a note for the team still goes.
        auto r = bob.call("POST", "/conversations/1301/chat-support/start");
        BOOST_TEST(r.status == 409u);
        BOOST_TEST(r.body.find("1301 is blocked") != std::string::npos, r.body);
        BOOST_TEST(bob.call("POST", "/conversations/1301/chat-support/send", R"({"text":"hi"})").status == 409u);
        bob.json("POST", "/conversations/1301/notes", R"({"text":"spam, blocked"})", 201);
        // Again: nothing to do.
        BOOST_TEST(admin.json("PUT", "/conversations/1301/blocked", R"({"blocked":true})").at("blocked").as_bool());

        auto refused = [&](const std::string& body) {
            auto res = bob.call("PUT", "/conversations/1302/blocked", body);
            BOOST_TEST(res.status == 400u, body);
            BOOST_TEST(res.body.find("blocked must be true or false") != std::string::npos, res.body);
        };
        user_says(p, "1302", "hi", "Ben");
        refused(R"({})");
        refused(R"({"blocked":"yes"})");
        refused(R"({"blocked":1})");
        BOOST_TEST(!admin.json("GET", "/conversations/1302").at("blocked").as_bool());
        BOOST_TEST(bob.call("PUT", "/conversations/1999/blocked", R"({"blocked":true})").status == 404u);
        BOOST_TEST(http_request(p, "PUT", "/conversations/1302/blocked", R"({"blocked":true})").status == 401u);
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server({"--data", dir.path().string(), "--outbound-url", outbound.url()});
    api_client admin({server.port(), token});
    auto p = server.port();
    BOOST_TEST(admin.json("GET", "/conversations/1301").at("blocked").as_bool());
    // The blocked are listed apart (and still among all).
    auto blocked_list = [&] { return admin.json("GET", "/conversations?filter=blocked"); };
    auto listed = blocked_list();
    BOOST_TEST_REQUIRE(listed.at("conversations").as_array().size() == 1u);
    BOOST_TEST(listed.at("conversations").as_array()[0].at("phone").as_string() == "1301");
    BOOST_TEST(listed.at("counts").at("blocked").as_int64() == 1);
    BOOST_TEST(listed.at("counts").at("all").as_int64() == 2);
    BOOST_TEST(user_says(p, "1301", "still here").at("replies").as_array().empty());
    BOOST_TEST(blocked_total(p) == 1.0);

    auto c = admin.json("PUT", "/conversations/1301/blocked", R"({"blocked":false})");
    BOOST_TEST(!c.at("blocked").as_bool());
    auto history = admin.json("GET", "/conversations/1301").at("messages").as_array();
    BOOST_TEST(history.back().at("text").as_string() == "Unblocked by admin");
    BOOST_TEST(blocked_list().at("conversations").as_array().empty());
    BOOST_TEST(blocked_list().at("counts").at("blocked").as_int64() == 0);
    auto answer = user_says(p, "1301", "support");
    BOOST_TEST(answer.at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(admin.json("GET", "/queue").at("queue").as_array().size() == 1u);

    // The user heard of the two chats, and nothing of the block between them
    // (the outbox keeps a user's messages in order).
    admin.json("POST", "/conversations/1301/chat-support/start");
    auto sent = outbound.wait_for(told + 1);
    std::vector<std::string> texts;
    for (auto& r : sent) texts.emplace_back(json::parse(r.body).at("text").as_string());
    BOOST_TEST_REQUIRE(texts.size() == 2u);
    BOOST_TEST(texts[0].find("You're now chatting with bob") != std::string::npos, texts[0]);
    BOOST_TEST(texts[1].find("You're now chatting with Administrator") != std::string::npos, texts[1]);
}

namespace {

std::string snooze_body(std::chrono::system_clock::duration from_now) {
    return R"({"until":")" + switchboard::to_iso8601(std::chrono::system_clock::now() + from_now) + R"("})";
}

}  // namespace

// Chatwoot's snooze: the chat's agent puts it aside until a time. It leaves
// the active and mine lists for the snoozed one, outlives a restart, and is
// back when the user writes, when an agent wakes it, and when it ends or
// changes hands; what is refused changes nothing.
BOOST_AUTO_TEST_CASE(a_snoozed_chat_is_put_aside_until_the_user_writes) {
    std::string until;
    across_restart({"1401", "1402", "1403"}, "support", [&](three_users& t) {
        auto& [server, admin, bob, ws] = t;
        auto p = server.port();
        bob.json("POST", "/conversations/1402/chat-support/start");
        bob.json("POST", "/conversations/1403/chat-support/start");
        ws.next_of_type("chat.assigned");
        ws.next_of_type("chat.assigned");
        BOOST_TEST(bob.json("GET", "/conversations/1402").at("snoozed_until").is_null());

        auto c = bob.json("PUT", "/conversations/1402/snooze", snooze_body(std::chrono::hours(20)));
        BOOST_TEST_REQUIRE(c.at("snoozed_until").is_string());
        until = std::string(c.at("snoozed_until").as_string());
        BOOST_TEST(c.at("is_chat_support").as_bool());  // still bob's live chat
        BOOST_TEST(c.at("assignee").as_string() == "bob");
        auto note = ws.next_of_type("message.created").at("data");
        BOOST_TEST(note.at("type").as_string() == "system");
        BOOST_TEST(note.at("text").as_string() == "Snoozed by bob until " + until.substr(0, 10) + " " +
                                                       until.substr(11, 5) + " UTC");
        auto updated = ws.next_of_type("conversation.updated").at("data");
        BOOST_TEST(updated.at("phone").as_string() == "1402");
        BOOST_TEST(updated.at("snoozed_until").as_string() == until);

        // Put aside: out of the chats to work on, listed apart and counted.
        BOOST_TEST(listed(bob, "?filter=mine") == std::vector<std::string>{"1403"});
        BOOST_TEST(listed(bob, "?filter=active") == std::vector<std::string>{"1403"});
        BOOST_TEST(listed(bob, "?filter=snoozed") == std::vector<std::string>{"1402"});
        BOOST_TEST(listed(bob, "?filter=snoozed&q=Ben") == std::vector<std::string>{"1402"});
        BOOST_TEST(listed(bob, "").size() == 3u);
        auto counts = bob.json("GET", "/conversations").at("counts");
        BOOST_TEST(counts.at("snoozed").as_int64() == 1);
        BOOST_TEST(counts.at("active").as_int64() == 1);
        BOOST_TEST(counts.at("mine").as_int64() == 1);

        // Refused, and nothing changes.
        auto carl = agent_client(admin, "carl");
        for (auto body : {R"({})", R"({"until":5})", R"({"until":"tomorrow"})", R"({"until":"2026-12-05 09:00"})",
                          R"({"until":"2020-01-01T00:00:00Z"})", R"({"until":"2099-01-01T00:00:00Z"})"}) {
            auto r = bob.call("PUT", "/conversations/1403/snooze", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(r.body.find(R"("field":"until")") != std::string::npos, r.body);
        }
        auto r = carl.call("PUT", "/conversations/1402/snooze", R"({"until":null})");
        BOOST_TEST(r.status == 403u);
        BOOST_TEST(r.body.find("only bob or an admin") != std::string::npos, r.body);
        BOOST_TEST(carl.call("PUT", "/conversations/1403/snooze", snooze_body(std::chrono::hours(1))).status == 403u);
        user_says(p, "1404", "support", "Dee");  // waiting in the queue: no agent's to put aside
        r = bob.call("PUT", "/conversations/1404/snooze", snooze_body(std::chrono::hours(1)));
        BOOST_TEST(r.status == 409u);
        BOOST_TEST(r.body.find("only a live chat that an agent has") != std::string::npos, r.body);
        BOOST_TEST(bob.call("PUT", "/conversations/1401/snooze", snooze_body(std::chrono::hours(1))).status == 409u);
        BOOST_TEST(bob.call("PUT", "/conversations/1999/snooze", R"({"until":null})").status == 404u);
        BOOST_TEST(http_request(p, "PUT", "/conversations/1403/snooze", snooze_body(std::chrono::hours(1))).status ==
                   401u);
        BOOST_TEST(bob.json("GET", "/conversations/1402").at("snoozed_until").as_string() == until);
        for (auto phone : {"1401", "1403", "1404"})
            BOOST_TEST(bob.json("GET", std::string("/conversations/") + phone).at("snoozed_until").is_null(), phone);
        // Waking what is awake: nothing to do.
        BOOST_TEST(bob.json("PUT", "/conversations/1403/snooze", R"({"until":null})").at("snoozed_until").is_null());
    }, [&](const api_client& bob) {
        auto p = bob.port;
        BOOST_TEST(bob.json("GET", "/conversations/1402").at("snoozed_until").as_string() == until);
        BOOST_TEST(listed(bob, "?filter=snoozed") == std::vector<std::string>{"1402"});
        BOOST_TEST(listed(bob, "?filter=mine") == std::vector<std::string>{"1403"});
        ws_client ws(p, "/ws?token=" + bob.token);
        ws.next_of_type("hello");

        // The user writes: back in front of bob, at the top of the list.
        user_says(p, "1402", "any news?");
        auto woke = ws.next_of_type("conversation.updated").at("data");
        BOOST_TEST(woke.at("phone").as_string() == "1402");
        BOOST_TEST(woke.at("snoozed_until").is_null());
        BOOST_TEST(listed(bob, "?filter=mine").at(0) == "1402");
        BOOST_TEST(listed(bob, "?filter=snoozed").empty());
        BOOST_TEST(bob.json("GET", "/conversations").at("counts").at("snoozed").as_int64() == 0);

        // bob wakes it himself; then it is snoozed and passed on, or ended.
        bob.json("PUT", "/conversations/1402/snooze", snooze_body(std::chrono::hours(1)));
        auto c = bob.json("PUT", "/conversations/1402/snooze", R"({"until":null})");
        BOOST_TEST(c.at("snoozed_until").is_null());
        auto history = bob.json("GET", "/conversations/1402").at("messages").as_array();
        BOOST_TEST(history.back().at("text").as_string() == "Unsnoozed by bob");
        BOOST_TEST(listed(bob, "").at(0) == "1402");  // waking is activity

        bob.json("PUT", "/conversations/1402/snooze", snooze_body(std::chrono::hours(1)));
        c = bob.json("POST", "/conversations/1402/chat-support/transfer", R"({"to":"admin"})");
        BOOST_TEST(c.at("snoozed_until").is_null());  // the new agent finds it awake
        bob.json("PUT", "/conversations/1403/snooze", snooze_body(std::chrono::hours(1)));
        c = bob.json("POST", "/conversations/1403/chat-support/return");
        BOOST_TEST(c.at("snoozed_until").is_null());
        bob.json("POST", "/conversations/1403/chat-support/start");
        bob.json("PUT", "/conversations/1403/snooze", snooze_body(std::chrono::hours(1)));
        c = bob.json("POST", "/conversations/1403/chat-support/end");
        BOOST_TEST(c.at("snoozed_until").is_null());
        BOOST_TEST(listed(bob, "?filter=snoozed").empty());
    });
}

// Chatwoot's "until next reply": a snooze with no time, which only the
// user's next message (or an agent) ends. It is `snoozed` with no
// `snoozed_until`, and outlives a restart.
BOOST_AUTO_TEST_CASE(a_chat_snoozed_until_the_user_replies_waits_for_them) {
    across_restart({"1451", "1452", "1453"}, "support", [&](three_users& t) {
        auto& [server, admin, bob, ws] = t;
        bob.json("POST", "/conversations/1452/chat-support/start");
        ws.next_of_type("chat.assigned");
        auto awake = bob.json("GET", "/conversations/1452");
        BOOST_TEST(!awake.at("snoozed").as_bool());

        auto c = bob.json("PUT", "/conversations/1452/snooze", R"({"until":"next_reply"})");
        BOOST_TEST(c.at("snoozed").as_bool());
        BOOST_TEST(c.at("snoozed_until").is_null());
        BOOST_TEST(c.at("assignee").as_string() == "bob");
        auto note = ws.next_of_type("message.created").at("data");
        while (note.at("type").as_string() != "system") note = ws.next_of_type("message.created").at("data");
        BOOST_TEST(note.at("text").as_string() == "Snoozed by bob until the user replies");
        auto updated = ws.next_of_type("conversation.updated").at("data");
        BOOST_TEST(updated.at("snoozed").as_bool());
        BOOST_TEST(updated.at("snoozed_until").is_null());
        BOOST_TEST(listed(bob, "?filter=snoozed") == std::vector<std::string>{"1452"});
        BOOST_TEST(listed(bob, "?filter=mine").empty());

        for (auto body : {R"({"until":"Next_Reply"})", R"({"until":"next reply"})", R"({"until":true})"}) {
            auto r = bob.call("PUT", "/conversations/1452/snooze", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(r.body.find("next_reply") != std::string::npos, r.body);
        }
        BOOST_TEST(bob.json("GET", "/conversations/1452").at("snoozed").as_bool());
    }, [&](const api_client& bob) {
        auto p = bob.port;
        auto c = bob.json("GET", "/conversations/1452");
        BOOST_TEST(c.at("snoozed").as_bool());
        BOOST_TEST(c.at("snoozed_until").is_null());
        BOOST_TEST(listed(bob, "?filter=snoozed") == std::vector<std::string>{"1452"});
        ws_client ws(p, "/ws?token=" + bob.token);
        ws.next_of_type("hello");

        user_says(p, "1452", "here is my order number");
        auto woke = ws.next_of_type("conversation.updated").at("data");
        BOOST_TEST(woke.at("phone").as_string() == "1452");
        BOOST_TEST(!woke.at("snoozed").as_bool());
        BOOST_TEST(listed(bob, "?filter=mine") == std::vector<std::string>{"1452"});
        BOOST_TEST(listed(bob, "?filter=snoozed").empty());
    });
}

// Chats whose user waits for an answer, longest first, page by page: an
// agent's reply takes one off, the user's next message puts it back at the
// end, and the wait outlives a restart.
BOOST_AUTO_TEST_CASE(the_waiting_list_shows_who_waits_longest_for_an_answer) {
    std::string ben_waits_since;
    across_restart({"1461", "1462", "1463"}, "support", [&](three_users& t) {
        auto& bob = t.bob;
        const std::string longest = "?filter=waiting&order=waiting";
        BOOST_TEST(listed(bob, longest) == (std::vector<std::string>{"1462", "1463"}));
        auto first = bob.json("GET", "/conversations" + longest + "&limit=1");
        BOOST_TEST(first.at("counts").at("waiting").as_int64() == 2);
        auto row = first.at("conversations").at(0);
        BOOST_TEST(row.at("waiting_since") == row.at("chat_start_time"));  // since their `support`
        auto cursor = std::string(first.at("next_cursor").as_string());
        BOOST_TEST(cursor.starts_with("w"));
        auto second = bob.json("GET", "/conversations" + longest + "&limit=1&cursor=" + cursor);
        BOOST_TEST(second.at("conversations").at(0).at("phone").as_string() == "1463");
        BOOST_TEST(second.at("next_cursor").is_null());
        BOOST_TEST(bob.json("GET", "/conversations/1461").at("waiting_since").is_null());  // no chat

        auto wrong_order = bob.call("GET", "/conversations?order=waiting");
        BOOST_TEST(wrong_order.status == 400u);
        BOOST_TEST(error_code(wrong_order) == "invalid_field");
        BOOST_TEST(wrong_order.body.find("filter=waiting") != std::string::npos, wrong_order.body);
        auto wrong_cursor = bob.call("GET", "/conversations" + longest + "&cursor=" + cursor.substr(1));
        BOOST_TEST(wrong_cursor.status == 400u);
        BOOST_TEST(wrong_cursor.body.find("cursor") != std::string::npos, wrong_cursor.body);

        bob.json("POST", "/conversations/1462/chat-support/start");
        bob.json("POST", "/conversations/1462/chat-support/send", R"({"text":"Hi Ben, on it"})", 201);
        BOOST_TEST(bob.json("GET", "/conversations/1462").at("waiting_since").is_null());
        BOOST_TEST(listed(bob, longest) == std::vector<std::string>{"1463"});
        BOOST_TEST(listed(bob, "?filter=waiting") == std::vector<std::string>{"1463"});

        user_says(bob.port, "1462", "thanks, it is order 7");
        auto ben = bob.json("GET", "/conversations/1462");
        ben_waits_since = std::string(ben.at("waiting_since").as_string());
        BOOST_TEST(ben_waits_since == std::string(ben.at("last_activity_at").as_string()));
        BOOST_TEST(listed(bob, longest) == (std::vector<std::string>{"1463", "1462"}));
    }, [&](const api_client& bob) {
        BOOST_TEST(listed(bob, "?filter=waiting&order=waiting") == (std::vector<std::string>{"1463", "1462"}));
        BOOST_TEST(bob.json("GET", "/conversations/1462").at("waiting_since").as_string() == ben_waits_since);
    });
}

// The team's reply-time targets: any agent reads them, an admin sets them,
// every console hears of it, a bad value changes nothing, and they outlive
// a restart. A chat's first_reply_at says which target applies.
BOOST_AUTO_TEST_CASE(an_admin_sets_the_reply_time_targets_that_every_console_reads) {
    across_restart({"1481", "1482", "1483"}, "hi", [&](three_users& t) {
        auto& [server, admin, bob, ws] = t;
        BOOST_TEST(bob.json("GET", "/sla") == json::parse(
                       R"({"first_reply_minutes":null,"next_reply_minutes":null,"resolution_minutes":null,)"
                       R"("only_during_business_hours":false})"));
        BOOST_TEST(bob.call("PUT", "/sla", R"({"first_reply_minutes":5})").status == 403u);

        auto set = admin.json("PUT", "/sla", R"({"first_reply_minutes":5,"next_reply_minutes":15,"resolution_minutes":240})");
        BOOST_TEST(set == json::parse(R"({"first_reply_minutes":5,"next_reply_minutes":15,"resolution_minutes":240,)"
                                      R"("only_during_business_hours":false})"));
        auto heard = ws.next_of_type("sla.updated");
        BOOST_TEST(heard.at("data") == set);
        BOOST_TEST(heard.at("conversation").as_string() == "");
        BOOST_TEST(bob.json("GET", "/sla") == set);

        for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
                 {R"({"first_reply_minutes":0})", "first_reply_minutes"},
                 {R"({"first_reply_minutes":10081})", "first_reply_minutes"},
                 {R"({"next_reply_minutes":2.5})", "next_reply_minutes"},
                 {R"({"next_reply_minutes":"15"})", "next_reply_minutes"},
                 {R"({"resolution_minutes":0})", "resolution_minutes"},
                 {R"({"first_reply":5})", "first_reply"},
                 {R"({"first_reply_minutes":5,"only_during_business_hours":"yes"})", "only_during_business_hours"},
                 // This server has no --business-hours: every minute counts.
                 {R"({"first_reply_minutes":5,"only_during_business_hours":true})", "only_during_business_hours"}}) {
            auto r = admin.call("PUT", "/sla", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(json::parse(r.body).at("error").at("field").as_string() == field, r.body);
        }
        BOOST_TEST(bob.json("GET", "/sla") == set);  // unchanged

        // No first reply yet: the first target applies; then the next one.
        user_says(bob.port, "1482", "support");
        bob.json("POST", "/conversations/1482/chat-support/start");
        BOOST_TEST(bob.json("GET", "/conversations/1482").at("first_reply_at").is_null());
        auto reply = bob.json("POST", "/conversations/1482/chat-support/send", R"({"text":"Hello Ben"})", 201);
        BOOST_TEST(bob.json("GET", "/conversations/1482").at("first_reply_at") == reply.at("timestamp"));
        bob.json("POST", "/conversations/1482/chat-support/send", R"({"text":"Anything else?"})", 201);
        BOOST_TEST(bob.json("GET", "/conversations/1482").at("first_reply_at") == reply.at("timestamp"));
        admin.json("PUT", "/sla", R"({"next_reply_minutes":30})");
    }, [&](const api_client& bob) {
        BOOST_TEST(bob.json("GET", "/sla") == json::parse(
                       R"({"first_reply_minutes":null,"next_reply_minutes":30,"resolution_minutes":null,)"
                       R"("only_during_business_hours":false})"));
    });
}

// A user who waited past the team's target while the server was down is
// reported when it starts: chat.sla_missed goes to the consoles, and the
// automations on `sla_missed` act on the chat, those for another target
// (`target`) not. A chat within its target is left alone.
BOOST_AUTO_TEST_CASE(a_wait_past_the_reply_target_is_reported_and_automations_act_on_it) {
    temp_dir dir;
    auto db = dir.path() / "switchboard.db";
    std::string token;
    {
        server_process server({"--data", dir.path().string()});
        auto admin = admin_client(server);
        admin.json("PUT", "/sla", R"({"first_reply_minutes":5})");
        admin.json("POST", "/automations",
                   R"({"name":"Late","event":"sla_missed","actions":[{"action":"label","label":"late"},)"
                   R"({"action":"priority","priority":"urgent"},{"action":"note","text":"Past the target"}]})", 201);
        // Named to run first: had it run, its label would be in before Late's note.
        auto unresolved = admin.json("POST", "/automations",
                                     R"({"name":"Escalate unresolved","event":"sla_missed","target":"resolution",)"
                                     R"("actions":[{"action":"label","label":"unresolved"}]})", 201);
        BOOST_TEST(unresolved.at("target").as_string() == "resolution");
        // For billing's chats alone, and for those under no team: Ann's is billing's.
        admin.json("PUT", "/teams/billing", R"({"members":[]})", 201);
        admin.json("POST", "/automations",
                   R"({"name":"Billing late","event":"sla_missed","team":"billing","actions":[{"action":"label","label":"late-billing"}]})",
                   201);
        admin.json("POST", "/automations",
                   R"({"name":"A late one unfiled","event":"sla_missed","team":"none","actions":[{"action":"label","label":"unfiled"}]})",
                   201);
        for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
                 {R"({"name":"x","event":"sla_missed","contains":["late"],"actions":[{"action":"read"}]})", "contains"},
                 {R"({"name":"x","event":"sla_missed","target":"late","actions":[{"action":"read"}]})", "target"},
                 {R"({"name":"x","event":"user_message","target":"resolution","actions":[{"action":"read"}]})", "target"}}) {
            auto r = admin.call("POST", "/automations", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(json::parse(r.body).at("error").at("field").as_string() == field, r.body);
        }
        user_says(server.port(), "1491", "support", "Ann");
        user_says(server.port(), "1492", "support", "Ben");
        admin.json("PUT", "/conversations/1491/team", R"({"team":"billing"})");
        token = admin.token;
        server.send_signal(SIGTERM);
        BOOST_REQUIRE(server.wait_exit(std::chrono::seconds(5)).value_or(-1) == 0);
    }
    // Ann has waited ten minutes.
    sqlite_script(db, "UPDATE chats SET waiting_since = waiting_since - 600000 WHERE phone = '1491'");
    server_process server({"--data", dir.path().string()});
    api_client admin{server.port(), token};
    ws_client ws(server.port(), "/ws?token=" + token);
    ws.next_of_type("hello");
    ws.send(R"({"type":"resume","after":0})");  // whether it came before this socket or after
    auto missed = ws.next_of_type("chat.sla_missed");
    BOOST_TEST(missed.at("conversation").as_string() == "1491");
    auto& d = missed.at("data").as_object();
    BOOST_TEST(d.at("target").as_string() == "first_reply");
    BOOST_TEST(d.at("target_minutes") == 5);
    BOOST_TEST(d.at("agent").is_null());
    auto ann = admin.json("GET", "/conversations/1491");
    BOOST_TEST(d.at("waiting_since") == ann.at("waiting_since"));
    BOOST_TEST(d.at("ticket") == ann.at("support_ticket_id"));
    for (;;) {  // the rule's last action: the ones before it are done
        auto e = ws.next_of_type("message.created");
        if (e.at("conversation").as_string() == "1491" && e.at("data").at("type").as_string() == "note") {
            BOOST_TEST(e.at("data").at("text").as_string() == "Past the target");
            break;
        }
    }
    ann = admin.json("GET", "/conversations/1491");
    BOOST_TEST(json::serialize(ann.at("labels")) == R"(["late","late-billing"])");
    BOOST_TEST(ann.at("priority").as_string() == "urgent");
    BOOST_TEST(admin.json("GET", "/conversations/1492").at("labels").as_array().empty());  // within its target
    BOOST_TEST(read_metric(server.port(), "switchboard_reply_targets_missed_total") == 1);
    BOOST_TEST(read_metric(server.port(), "switchboard_automations_run_total") == 2);
}

// A snoozed chat's idle timeout waits for it: the chat wakes when its time
// comes (a note says so), and only then does the timeout count again.
BOOST_AUTO_TEST_CASE(a_snoozed_chat_wakes_when_its_time_comes_and_the_idle_timeout_waits) {
    server_process server({"--idle-timeout", "2"});
    auto admin = admin_client(server);
    auto p = server.port();
    user_says(p, "1501", "support", "Ann");
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    // Beside it, a chat snoozed until its user replies: no time wakes it.
    user_says(p, "1502", "support", "Bo");
    admin.json("POST", "/conversations/1502/chat-support/start");
    admin.json("PUT", "/conversations/1502/snooze", R"({"until":"next_reply"})");
    BOOST_TEST(ws.next_of_type("chat.assigned").at("conversation").as_string() == "1502");
    BOOST_TEST(ws.next_of_type("message.created").at("data").at("text").as_string() ==
               "Snoozed by admin until the user replies");
    ws.next_of_type("conversation.updated");
    admin.json("POST", "/conversations/1501/chat-support/start");
    // Past the chat's idle timeout (2 s from the claim).
    auto c = admin.json("PUT", "/conversations/1501/snooze", snooze_body(std::chrono::milliseconds(3500)));
    auto until = switchboard::parse_iso8601(c.at("snoozed_until").as_string());
    BOOST_TEST_REQUIRE(until.has_value());
    ws.next_of_type("chat.assigned");
    BOOST_TEST(ws.next_of_type("message.created").at("data").at("text").as_string().starts_with("Snoozed by admin"));
    ws.next_of_type("conversation.updated");

    // Next: its wake-up, not the end of the chat.
    auto note = ws.next(std::chrono::seconds(10));
    BOOST_TEST_REQUIRE(note.at("type").as_string() == "message.created", json::serialize(note));
    BOOST_TEST(note.at("data").at("text").as_string() == "Snooze ended");
    auto woke_at = switchboard::parse_iso8601(note.at("at").as_string());
    BOOST_TEST((woke_at >= until));
    auto woke = ws.next();
    BOOST_TEST_REQUIRE(woke.at("type").as_string() == "conversation.updated");
    BOOST_TEST(woke.at("data").at("snoozed_until").is_null());
    BOOST_TEST(woke.at("data").at("is_chat_support").as_bool());
    BOOST_TEST(listed(admin, "?filter=mine") == std::vector<std::string>{"1501"});

    // Then the idle timeout, counted from the wake.
    auto ended = ws.next_of_type("chat.ended", std::chrono::seconds(10));
    BOOST_TEST(ended.at("conversation").as_string() == "1501");
    BOOST_TEST(ended.at("data").at("reason").as_string() == "timeout");
    auto ended_at = switchboard::parse_iso8601(ended.at("at").as_string());
    BOOST_TEST((*ended_at - *woke_at >= std::chrono::seconds(2)));

    // The sweeps that woke 1501 and then ended it passed 1502 by, idle for
    // longer than either: it sleeps on, still admin's live chat.
    auto sleeping = admin.json("GET", "/conversations/1502");
    BOOST_TEST(sleeping.at("snoozed").as_bool());
    BOOST_TEST(sleeping.at("chat_support_active").as_bool());
    BOOST_TEST(sleeping.at("assignee").as_string() == "admin");
    user_says(p, "1502", "sorry, I was out");
    for (;;) {
        auto e = ws.next_of_type("conversation.updated");
        if (e.at("conversation").as_string() != "1502") continue;
        BOOST_TEST(!e.at("data").at("snoozed").as_bool());
        break;
    }
}

// Chatwoot's bulk actions: one command for the conversations an agent
// picked. Each goes as its own route would take it, under the same rules;
// one refused stops none of the others, and the answer says what each
// became or why not. A body refused as a whole changes nothing.
BOOST_AUTO_TEST_CASE(a_bulk_action_commands_each_conversation_and_answers_for_each) {
    server_process server;
    auto p = server.port();
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto carol = agent_client(admin, "carol");
    for (auto phone : {"2001", "2002", "2003"}) user_says(p, phone, "support");
    user_says(p, "2004", "hi");
    carol.json("POST", "/conversations/2003/chat-support/start");
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");

    // Each result by phone: its status, and its conversation or its error.
    auto bulk = [&](const api_client& who, const std::string& body) {
        auto answer = who.json("POST", "/conversations/bulk", body);
        std::map<std::string, json::object> by_phone;
        for (auto& r : answer.at("results").as_array())
            by_phone[std::string(r.at("phone").as_string())] = r.as_object();
        return std::make_pair(answer, by_phone);
    };
    auto status = [](const json::object& r) { return r.at("status").as_int64(); };

    // Refused as a whole, naming the field: nothing is done to any.
    auto refused = [&](const std::string& body, const std::string& field) {
        auto r = bob.call("POST", "/conversations/bulk", body);
        BOOST_TEST(r.status == 400u, body);
        BOOST_TEST(r.body.find(R"("field":")" + field + "\"") != std::string::npos, body + " → " + r.body);
    };
    std::string too_many = R"({"action":"read","phones":[)";
    for (int i = 0; i <= 200; ++i) too_many += (i ? "," : "") + std::string("\"3") + std::to_string(1000 + i) + "\"";
    too_many += "]}";
    refused(R"({"action":"assign","to":"bob"})", "phones");
    refused(R"({"action":"assign","to":"bob","phones":[]})", "phones");
    refused(too_many, "phones");
    refused(R"({"action":"assign","to":"bob","phones":["2001","not a phone"]})", "phones");
    refused(R"({"action":"assign","to":"bob","phones":["2001",2002]})", "phones");
    refused(R"({"action":"assign","to":"bob","phones":["+2001","2001"]})", "phones");
    refused(R"({"phones":["2001"]})", "action");
    refused(R"({"action":"resolve","phones":["2001"]})", "action");
    refused(R"({"action":"assign","phones":["2001"]})", "to");
    refused(R"({"action":"assign","to":"nobody","phones":["2001"]})", "to");
    refused(R"({"action":"priority","priority":"critical","phones":["2001"]})", "priority");
    refused(R"({"action":"snooze","until":"2020-01-01T00:00:00Z","phones":["2001"]})", "until");
    refused(R"({"action":"label","label":"a/b","phones":["2001"]})", "label");
    refused(R"({"action":"unlabel","phones":["2001"]})", "label");
    refused(R"({"action":"send","text":"hello all","phones":["2001"]})", "action");  // no broadcasts
    refused(R"({"action":"note","text":"  ","phones":["2001"]})", "text");
    refused("[1,2]", "body");
    auto untouched = admin.json("GET", "/conversations/2001");
    BOOST_TEST(untouched.at("queue_position").as_int64() == 1);
    BOOST_TEST(untouched.at("priority").as_string() == "none");
    BOOST_TEST(http_request(p, "POST", "/conversations/bulk", R"({"action":"read","phones":["2001"]})").status == 401u);

    // Assign: bob takes both queued chats; carol's is not his to take, 2004
    // has no chat, and nobody has written from 2005.
    auto [assigned, a] = bulk(bob, R"({"action":"assign","to":"bob","phones":["+2001","2002","2003","2004","2005"]})");
    BOOST_TEST(assigned.at("succeeded").as_int64() == 2);
    BOOST_TEST(assigned.at("failed").as_int64() == 3);
    BOOST_TEST(assigned.at("results").at(0).at("phone").as_string() == "2001");  // in the order asked
    for (auto phone : {"2001", "2002"}) {
        BOOST_TEST(status(a[phone]) == 200, phone);
        BOOST_TEST(a[phone].at("conversation").at("assignee").as_string() == "bob", phone);
        BOOST_TEST(ws.next_of_type("chat.transferred").at("data").at("phone").as_string() == phone);
    }
    BOOST_TEST(status(a["2003"]) == 403);
    BOOST_TEST(a["2003"].at("error").at("code").as_string() == "forbidden");
    BOOST_TEST(status(a["2004"]) == 409);
    BOOST_TEST(a["2004"].at("error").at("message").as_string() == "no chat is active with 2004");
    BOOST_TEST(status(a["2005"]) == 404);
    BOOST_TEST(admin.json("GET", "/conversations/2003").at("assignee").as_string() == "carol");
    BOOST_TEST(admin.json("GET", "/queue").at("total").as_int64() == 0);

    // Labels: one put on or taken off, the others kept; at most ten.
    bob.json("PUT", "/conversations/2003/labels", R"({"labels":["vip"]})");
    bob.json("PUT", "/conversations/2004/labels", R"({"labels":["1","2","3","4","5","6","7","8","9","10"]})");
    auto [labelled, l] = bulk(bob, R"({"action":"label","label":"Billing","phones":["2001","2003","2004"]})");
    BOOST_TEST(json::serialize(l["2001"].at("conversation").at("labels")) == R"(["billing"])");
    BOOST_TEST(json::serialize(l["2003"].at("conversation").at("labels")) == R"(["billing","vip"])");
    BOOST_TEST(status(l["2004"]) == 409);
    BOOST_TEST(admin.json("GET", "/conversations/2004").at("labels").as_array().size() == 10u);
    BOOST_TEST(listed(admin, "?label=billing") == (std::vector<std::string>{"2001", "2003"}));
    auto [unlabelled, u] = bulk(bob, R"({"action":"unlabel","label":"billing","phones":["2003"]})");
    BOOST_TEST(json::serialize(u["2003"].at("conversation").at("labels")) == R"(["vip"])");

    // Priority, by any agent, in any state.
    auto [urgent, pr] = bulk(bob, R"({"action":"priority","priority":"urgent","phones":["2002","2003","2004"]})");
    BOOST_TEST(urgent.at("succeeded").as_int64() == 3);
    BOOST_TEST(listed(admin, "?priority=urgent").size() == 3u);

    // A private note in each.
    auto [noted, n] = bulk(bob, R"({"action":"note","text":"Outage on 3 Dec","phones":["2003","2004"]})");
    BOOST_TEST(noted.at("succeeded").as_int64() == 2);
    // Past the filings' lines, the first note: 2003's.
    BOOST_TEST(seen_in(ws, "2003").at("data").at("text").as_string() == "Outage on 3 Dec");

    // Read: each read to its newest message.
    BOOST_TEST(admin.json("GET", "/conversations/2002").at("unread").as_int64() > 0);
    auto [read, rd] = bulk(bob, R"({"action":"read","phones":["2001","2002"]})");
    BOOST_TEST(rd["2001"].at("conversation").at("unread").as_int64() == 0);
    BOOST_TEST(admin.json("GET", "/conversations/2002").at("unread").as_int64() == 0);

    // Snooze: bob's own two; carol's is not his to put aside.
    auto [snoozed, sn] = bulk(bob, R"({"action":"snooze","phones":["2001","2002","2003"],"until":")" +
                                       switchboard::to_iso8601(std::chrono::system_clock::now() + 20h) + "\"}");
    BOOST_TEST(sn["2001"].at("conversation").at("snoozed_until").is_string());
    BOOST_TEST(status(sn["2003"]) == 403);
    auto asleep = listed(bob, "?filter=snoozed");
    std::sort(asleep.begin(), asleep.end());
    BOOST_TEST(asleep == (std::vector<std::string>{"2001", "2002"}));
    auto [for_hours, fh] = bulk(bob, R"({"action":"snooze","hours":2,"phones":["2001"]})");  // or for so long
    auto woken_at = switchboard::parse_iso8601(fh["2001"].at("conversation").at("snoozed_until").as_string());
    BOOST_TEST_REQUIRE(woken_at.has_value());
    BOOST_TEST(std::chrono::abs(*woken_at - (std::chrono::system_clock::now() + 2h)) < 1min);
    refused(R"({"action":"snooze","hours":0,"phones":["2001"]})", "hours");
    auto [until_reply, ur] = bulk(bob, R"({"action":"snooze","until":"next_reply","phones":["2001"]})");
    BOOST_TEST(ur["2001"].at("conversation").at("snoozed").as_bool());
    BOOST_TEST(ur["2001"].at("conversation").at("snoozed_until").is_null());

    // Return: to the head of the queue, with its place in the answer.
    auto [returned, rt] = bulk(bob, R"({"action":"return","phones":["2002"]})");
    BOOST_TEST(rt["2002"].at("conversation").at("queue_position").as_int64() == 1);
    BOOST_TEST(rt["2002"].at("conversation").at("assignee").is_null());

    // End: an admin ends any; bob only his own and those in the queue.
    auto [bobs_end, be] = bulk(bob, R"({"action":"end","phones":["2003"]})");
    BOOST_TEST(status(be["2003"]) == 403);
    auto [ended, e] = bulk(admin, R"({"action":"end","message":"Closing old chats","phones":["2001","2002","2003","2004"]})");
    BOOST_TEST(ended.at("succeeded").as_int64() == 3);
    for (auto phone : {"2001", "2002", "2003"})
        BOOST_TEST(!e[phone].at("conversation").at("is_chat_support").as_bool(), phone);
    BOOST_TEST(status(e["2004"]) == 409);
    auto history = admin.json("GET", "/conversations/2003").at("messages").as_array();
    BOOST_TEST(std::any_of(history.begin(), history.end(), [](auto& m) { return m.at("text").as_string() == "Closing old chats"; }));
    BOOST_TEST(admin.json("GET", "/conversations").at("counts").at("active").as_int64() == 0);
}

// Chatwoot's automation rules: a macro's actions that run by themselves
// when a user writes (words in the message, a channel) or a chat joins the
// queue, each rule in turn by name, as the agent `automation`. A refused
// action stops its rule alone. They outlive a restart.
BOOST_AUTO_TEST_CASE(automations_act_on_what_users_write_and_on_chats_joining_the_queue) {
    std::string refunds;
    across_restart({"3101", "3102", "3103"}, "hi", [&](three_users& t) {
        auto& [server, admin, bob, ws] = t;
        auto p = server.port();
        auto rule = [&](const std::string& body) { return admin.json("POST", "/automations", body, 201); };
        auto made = rule(R"({"name":"Refunds","event":"user_message","contains":[" Refund","MONEY back "],)"
                         R"("actions":[{"action":"label","label":"billing"},{"action":"priority","priority":"high"}]})");
        refunds = std::string(made.at("id").as_string());
        BOOST_TEST(json::serialize(made.at("contains")) == R"(["refund","money back"])");
        BOOST_TEST(made.at("channel").is_null());
        BOOST_TEST(made.at("enabled").as_bool());
        rule(R"({"name":"Chargebacks","event":"user_message","contains":["chargeback"],"actions":[{"action":"label","label":"disputes"}]})");
        rule(R"({"name":"Assign urgent","event":"user_message","contains":["urgent"],"actions":[{"action":"assign","to":"bob"}]})");
        rule(R"({"name":"WhatsApp only","event":"user_message","channel":"whatsapp","actions":[{"action":"label","label":"wa"}]})");
        rule(R"({"name":"Switched off","event":"user_message","enabled":false,"actions":[{"action":"label","label":"off"}]})");
        rule(R"({"name":"New chats","event":"chat_queued","actions":[{"action":"label","label":"new-chat"}]})");
        rule(R"({"name":"Zz seen","event":"user_message","actions":[{"action":"note","text":"Seen by automation"}]})");
        // Conditions on the conversation's team: billing's alone, or those under none.
        admin.json("PUT", "/teams/billing", R"({"members":["bob"]})", 201);
        auto billing = rule(R"({"name":"Billing team","event":"user_message","team":"Billing",)"
                            R"("actions":[{"action":"label","label":"team-billing"}]})");
        BOOST_TEST(billing.at("team").as_string() == "billing");
        BOOST_TEST(made.at("team").is_null());  // any
        auto unfiled = rule(R"({"name":"Unfiled disputes","event":"user_message","team":"none","contains":["chargeback"],)"
                            R"("actions":[{"action":"label","label":"unfiled"}]})");
        BOOST_TEST(unfiled.at("team").as_string() == "none");

        // Refused, and nothing is made.
        auto refused = [&](const std::string& body, const std::string& field) {
            auto r = admin.call("POST", "/automations", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(r.body.find(R"("field":")" + field + "\"") != std::string::npos, body + " → " + r.body);
        };
        std::string read = R"("actions":[{"action":"read"}])";
        refused(R"({"name":"x",)" + read + "}", "event");
        refused(R"({"name":"x","event":"chat_ended",)" + read + "}", "event");
        refused(R"({"name":"x","event":"chat_queued","contains":["refund"],)" + read + "}", "contains");
        refused(R"({"name":"x","event":"user_message","contains":"refund",)" + read + "}", "contains");
        refused(R"({"name":"x","event":"user_message","contains":["  "],)" + read + "}", "contains");
        refused(R"({"name":"x","event":"user_message","contains":[")" + std::string(65, 'w') + R"("],)" + read + "}", "contains");
        refused(R"({"name":"x","event":"user_message","channel":"sms",)" + read + "}", "channel");
        refused(R"({"name":"x","event":"user_message","enabled":"yes",)" + read + "}", "enabled");
        refused(R"({"name":"x","event":"user_message","team":"support",)" + read + "}", "team");  // no such team
        refused(R"({"name":"x","event":"user_message","team":7,)" + read + "}", "team");
        refused(R"({"name":"x","event":"user_message"})", "actions");
        refused(R"({"name":"x","event":"user_message","actions":[{"action":"assign","to":"nobody"}]})", "actions");
        refused(R"({"name":"x","event":"user_message","actions":[{"action":"read"},{"action":"send","text":"Hi"}]})", "actions");
        BOOST_TEST(admin.call("POST", "/automations", R"({"name":"REFUNDS","event":"user_message",)" + read + "}").status == 409u);
        BOOST_TEST(bob.call("POST", "/automations", R"({"name":"y","event":"user_message",)" + read + "}").status == 403u);
        BOOST_TEST(bob.json("GET", "/automations").at("automations").as_array().size() == 9u);  // everyone reads them
        BOOST_TEST(admin.call("POST", "/agents", R"({"username":"automation","password":"long-enough"})").status == 400u);

        // Ben's chat, under billing: the words are found in any case; only the rules that match act.
        admin.json("PUT", "/conversations/3102/team", R"({"team":"billing"})");
        admin.json("POST", "/conversations/3102/chat-support/start");
        user_says(p, "3102", "I want my Money Back, now");
        auto note = seen_in(ws, "3102");
        BOOST_TEST(note.at("data").at("text").as_string() == "Seen by automation");
        BOOST_TEST(note.at("data").at("agent").as_string() == "automation");
        auto c = admin.json("GET", "/conversations/3102");
        BOOST_TEST(json::serialize(c.at("labels")) == R"(["billing","team-billing"])");
        BOOST_TEST(c.at("priority").as_string() == "high");

        // A chat joins the queue: its rules act too.
        user_says(p, "3104", "support", "Dee");
        seen_in(ws, "3104");
        BOOST_TEST(json::serialize(admin.json("GET", "/conversations/3104").at("labels")) == R"(["new-chat"])");

        // Switched off by a change: the refund rule no longer acts.
        auto off = admin.json("PATCH", "/automations/" + refunds, R"({"enabled":false})");
        BOOST_TEST(!off.at("enabled").as_bool());
        BOOST_TEST(json::serialize(off.at("contains")) == R"(["refund","money back"])");  // the rest kept
        BOOST_TEST(admin.call("PATCH", "/automations/" + refunds, R"({"event":"chat_queued"})").status == 400u);
        user_says(p, "3103", "a refund, please");
        seen_in(ws, "3103");
        BOOST_TEST(json::serialize(admin.json("GET", "/conversations/3103").at("labels")) == "[]");
    }, [&](const api_client& bob) {
        auto p = bob.port;
        BOOST_TEST(bob.json("GET", "/automations").at("automations").as_array().size() == 9u);
        ws_client ws(p, "/ws?token=" + bob.token);
        ws.next_of_type("hello");
        // Ann has no chat to assign: that rule is refused and stops; the others act.
        user_says(p, "3101", "URGENT: a chargeback");
        seen_in(ws, "3101");
        auto c = bob.json("GET", "/conversations/3101");
        BOOST_TEST(json::serialize(c.at("labels")) == R"(["disputes","unfiled"])");  // under no team
        BOOST_TEST(c.at("assignee").is_null());
        // Counted, on this server since its start: the refused rule and those
        // before the last (whose own count may follow its note).
        BOOST_TEST(read_metric(p, "switchboard_automations_stopped_total") == 1.0);
        BOOST_TEST(read_metric(p, "switchboard_automations_run_total") >= 1.0);
    });
}

// Chatwoot's conversation conditions on an automation: the conversation's
// priority, a label it has, and whether an agent has its chat, each as the
// step leaves it. Kept across a restart.
BOOST_AUTO_TEST_CASE(automations_act_only_on_conversations_of_a_priority_a_label_or_an_assignee) {
    auto labels_of = [](const api_client& c, const std::string& phone) {
        return json::serialize(c.json("GET", "/conversations/" + phone).at("labels"));
    };
    std::string vips;
    across_restart({"3201", "3202", "3203"}, "hi", [&](three_users& t) {
        auto& [server, admin, bob, ws] = t;
        auto p = server.port();
        auto rule = [&](const std::string& body) { return admin.json("POST", "/automations", body, 201); };
        auto made = rule(R"({"name":"Urgent VIPs","event":"user_message","priority":"urgent","label":" VIP ",)"
                         R"("actions":[{"action":"label","label":"escalate"}]})");
        vips = std::string(made.at("id").as_string());
        BOOST_TEST(made.at("priority") == "urgent");
        BOOST_TEST(made.at("label") == "vip");
        BOOST_TEST(made.at("assigned").is_null());
        auto nobodys = rule(R"({"name":"Nobody's","event":"user_message","assigned":false,)"
                            R"("actions":[{"action":"label","label":"unassigned"}]})");
        BOOST_TEST(nobodys.at("assigned") == false);
        BOOST_TEST(nobodys.at("priority").is_null());
        BOOST_TEST(nobodys.at("label").is_null());
        rule(R"({"name":"Held","event":"user_message","assigned":true,"actions":[{"action":"label","label":"held"}]})");
        rule(R"({"name":"Zz seen","event":"user_message","actions":[{"action":"note","text":"Seen"}]})");

        std::string read = R"("actions":[{"action":"read"}])";
        for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
                 {R"({"name":"x","event":"user_message","priority":"critical",)" + read + "}", "priority"},
                 {R"({"name":"x","event":"user_message","priority":3,)" + read + "}", "priority"},
                 {R"({"name":"x","event":"user_message","label":"not a label!",)" + read + "}", "label"},
                 {R"({"name":"x","event":"user_message","assigned":"yes",)" + read + "}", "assigned"}}) {
            auto r = admin.call("POST", "/automations", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(r.body.find(R"("field":")" + field + "\"") != std::string::npos, body + " → " + r.body);
        }
        BOOST_TEST(admin.json("GET", "/automations").at("automations").as_array().size() == 4u);

        // Ann: urgent and a VIP, nobody's. Ben: urgent, in the chat the admin took.
        // Cai: a VIP of high priority.
        admin.json("PUT", "/conversations/3201/priority", R"({"priority":"urgent"})");
        admin.json("PUT", "/conversations/3201/labels", R"({"labels":["vip"]})");
        admin.json("PUT", "/conversations/3202/priority", R"({"priority":"urgent"})");
        admin.json("POST", "/conversations/3202/chat-support/start");
        admin.json("PUT", "/conversations/3203/priority", R"({"priority":"high"})");
        admin.json("PUT", "/conversations/3203/labels", R"({"labels":["vip"]})");
        for (auto phone : {"3201", "3202", "3203"}) {
            user_says(p, phone, "hello?");
            seen_in(ws, phone);
        }
        BOOST_TEST(labels_of(admin, "3201") == R"(["escalate","unassigned","vip"])");
        BOOST_TEST(labels_of(admin, "3202") == R"(["held"])");
        BOOST_TEST(labels_of(admin, "3203") == R"(["unassigned","vip"])");
    }, [&](const api_client& bob) {
        auto p = bob.port;
        auto stored = bob.json("GET", "/automations");  // named: a range-for over its member would outlive it
        for (auto& a : stored.at("automations").as_array())
            if (a.at("id").as_string() == vips) {
                BOOST_TEST(a.at("priority") == "urgent");
                BOOST_TEST(a.at("label") == "vip");
                BOOST_TEST(a.at("assigned").is_null());
            }
        ws_client ws(p, "/ws?token=" + bob.token);
        ws.next_of_type("hello");
        bob.json("PUT", "/conversations/3203/priority", R"({"priority":"urgent"})");
        user_says(p, "3203", "still there?");
        seen_in(ws, "3203");
        BOOST_TEST(labels_of(bob, "3203") == R"(["escalate","unassigned","vip"])");
    });
}

// Macros, as Chatwoot's: admins write a named list of actions, which any
// agent runs on a conversation in one click, or on many in a bulk action.
// The actions go in order, each under its own route's rules; the first one
// refused stops the macro and says which it was, those before staying done.
// They outlive a restart, and an agent a macro names leaving the team does
// not lose the macro.
BOOST_AUTO_TEST_CASE(a_macro_runs_its_actions_in_order_and_stops_at_the_first_refused) {
    temp_dir dir;
    std::string escalate, welcome, token;
    {
        server_process server({"--data", dir.path().string()});
        auto p = server.port();
        auto admin = admin_client(server);
        auto bob = agent_client(admin, "bob");
        agent_client(admin, "carol");
        user_says(p, "2101", "support");
        user_says(p, "2102", "support", "Ben Stone");
        user_says(p, "2103", "hi");
        ws_client ws(p, "/ws?token=" + admin.token);
        ws.next_of_type("hello");

        // Admins write them: everyone else reads and runs them.
        std::string billing = R"({"name":" Billing escalation ","actions":[{"action":"label","label":"Billing"},)"
                              R"({"action":"priority","priority":"high"},{"action":"note","text":" Escalated to billing "},)"
                              R"({"action":"assign","to":"carol"}]})";
        BOOST_TEST(bob.call("POST", "/macros", billing).status == 403u);
        auto made = admin.json("POST", "/macros", billing, 201);
        escalate = std::string(made.at("id").as_string());
        BOOST_TEST(made.at("name").as_string() == "Billing escalation");
        BOOST_TEST(json::serialize(made.at("actions")) ==
                   R"([{"action":"label","label":"billing"},{"action":"priority","priority":"high"},)"
                   R"({"action":"note","text":"Escalated to billing"},{"action":"assign","to":"carol"}])");
        welcome = std::string(admin.json("POST", "/macros",
            R"({"name":"A welcome","actions":[{"action":"send","text":"Hello {first_name}, {agent} is on it. {order}"},{"action":"snooze","hours":4}]})",
            201).at("id").as_string());

        auto refused = [&](const std::string& body, const std::string& field, const std::string& words) {
            auto r = admin.call("POST", "/macros", body);
            BOOST_TEST(r.status == 400u, body);
            BOOST_TEST(r.body.find(R"("field":")" + field + "\"") != std::string::npos, body + " → " + r.body);
            BOOST_TEST(r.body.find(words) != std::string::npos, body + " → " + r.body);
        };
        std::string eleven = R"({"name":"x","actions":[)";
        for (int i = 0; i < 11; ++i) eleven += (i ? "," : "") + std::string(R"({"action":"read"})");
        eleven += "]}";
        refused(R"({"actions":[{"action":"read"}]})", "name", "name is required");
        refused(R"({"name":"  ","actions":[{"action":"read"}]})", "name", "blank");
        refused(R"({"name":")" + std::string(65, 'x') + R"(","actions":[{"action":"read"}]})", "name", "64");
        refused(R"({"name":"x"})", "actions", "1 to 10 actions");
        refused(R"({"name":"x","actions":[]})", "actions", "1 to 10 actions");
        refused(eleven, "actions", "1 to 10 actions");
        refused(R"({"name":"x","actions":["read"]})", "actions", "action 1: must be an object");
        refused(R"({"name":"x","actions":[{"action":"read"},{"action":"resolve"}]})", "actions", "action 2: action must be");
        refused(R"({"name":"x","actions":[{"action":"assign","to":"nobody"}]})", "actions", "action 1: no agent named nobody");
        refused(R"({"name":"x","actions":[{"action":"label","label":"a/b"}]})", "actions", "action 1: a label is");
        refused(R"({"name":"x","actions":[{"action":"send","text":""}]})", "actions", "action 1: text");
        refused(R"({"name":"x","actions":[{"action":"snooze","until":"2030-01-01T00:00:00Z"}]})", "actions",
                "action 1: a macro snoozes for hours");
        refused(R"({"name":"x","actions":[{"action":"snooze","hours":0}]})", "actions", "action 1: hours must be a whole number");
        refused(R"({"name":"x","actions":[{"action":"macro","macro":")" + welcome + R"("}]})", "actions", "action 1: action must be");
        // A macro's snooze may wait for the user's reply: no time of day to go stale.
        auto waits = admin.json("POST", "/macros", R"({"name":"Wait","actions":[{"action":"snooze","until":"next_reply"}]})", 201);
        BOOST_TEST(json::serialize(waits.at("actions")) == R"([{"action":"snooze","until":"next_reply"}])");
        admin.json("DELETE", "/macros/" + std::string(waits.at("id").as_string()));
        BOOST_TEST(admin.call("POST", "/macros", R"({"name":"BILLING ESCALATION","actions":[{"action":"read"}]})").status == 409u);
        auto listed_macros = bob.json("GET", "/macros").at("macros").as_array();
        BOOST_TEST_REQUIRE(listed_macros.size() == 2u);  // by name; nothing refused was made
        BOOST_TEST(listed_macros.at(0).at("name").as_string() == "A welcome");

        // Bob escalates a queued chat: every action, in order, as if bob gave each.
        auto c = bob.json("POST", "/conversations/2101/macros/" + escalate);
        BOOST_TEST(c.at("assignee").as_string() == "carol");
        BOOST_TEST(json::serialize(c.at("labels")) == R"(["billing"])");
        BOOST_TEST(c.at("priority").as_string() == "high");
        // Each filing leaves its line in the history, signed by bob, before the note.
        BOOST_TEST(ws.next_of_type("message.created").at("data").at("text").as_string() == "Label billing added by bob");
        BOOST_TEST(ws.next_of_type("message.created").at("data").at("text").as_string() == "Priority set to high by bob");
        BOOST_TEST(ws.next_of_type("message.created").at("data").at("text").as_string() == "Escalated to billing");
        BOOST_TEST(ws.next_of_type("chat.transferred").at("data").at("to").as_string() == "carol");

        // His own chat: the reply goes to the user, then the chat sleeps for four hours.
        bob.json("POST", "/conversations/2102/chat-support/start");
        auto w = bob.json("POST", "/conversations/2102/macros/" + welcome);
        auto until = switchboard::parse_iso8601(w.at("snoozed_until").as_string());
        BOOST_TEST_REQUIRE(until.has_value());
        BOOST_TEST(std::chrono::abs(*until - (std::chrono::system_clock::now() + 4h)) < 1min);
        auto history = admin.json("GET", "/conversations/2102").at("messages").as_array();
        BOOST_TEST(std::any_of(history.begin(), history.end(), [](auto& m) {
            return m.at("text").as_string() == "Hello Ben, bob Display is on it. {order}" && m.at("agent").as_string() == "bob";
        }));

        // The first action refused stops it and is named; those before stay done.
        auto r = bob.call("POST", "/conversations/2103/macros/" + escalate);
        BOOST_TEST(r.status == 409u);
        BOOST_TEST(r.body.find("Billing escalation, action 4 of 4 (assign): no chat is active with 2103") != std::string::npos, r.body);
        auto after = admin.json("GET", "/conversations/2103");
        BOOST_TEST(json::serialize(after.at("labels")) == R"(["billing"])");
        BOOST_TEST(after.at("priority").as_string() == "high");
        r = bob.call("POST", "/conversations/2101/macros/" + welcome);  // carol's chat, not bob's
        BOOST_TEST(r.status == 409u);
        BOOST_TEST(r.body.find("A welcome, action 1 of 2 (send): ") != std::string::npos, r.body);
        BOOST_TEST(bob.call("POST", "/conversations/2101/macros/mac_none").status == 404u);
        BOOST_TEST(bob.call("POST", "/conversations/2999/macros/" + welcome).status == 404u);
        BOOST_TEST(http_request(p, "POST", "/conversations/2101/macros/" + welcome, "").status == 401u);

        // In a bulk action: each conversation runs the whole macro, or says where it stopped.
        auto bulk = admin.json("POST", "/conversations/bulk",
                               R"({"action":"macro","macro":")" + escalate + R"(","phones":["2102","2103"]})");
        BOOST_TEST(bulk.at("results").at(0).at("conversation").at("assignee").as_string() == "carol");
        BOOST_TEST(bulk.at("results").at(1).at("status").as_int64() == 409);
        auto no_macro = admin.call("POST", "/conversations/bulk", R"({"action":"macro","macro":"mac_none","phones":["2102"]})");
        BOOST_TEST(no_macro.status == 400u);
        BOOST_TEST(no_macro.body.find(R"("field":"macro")") != std::string::npos, no_macro.body);

        // Changed by an admin: its name, its actions, or both.
        BOOST_TEST(bob.call("PATCH", "/macros/" + welcome, R"({"name":"Hi"})").status == 403u);
        auto renamed = admin.json("PATCH", "/macros/" + welcome, R"({"name":"Welcome"})");
        BOOST_TEST(renamed.at("name").as_string() == "Welcome");
        BOOST_TEST(renamed.at("actions").as_array().size() == 2u);
        BOOST_TEST(admin.call("PATCH", "/macros/" + welcome, R"({"name":"billing escalation"})").status == 409u);
        BOOST_TEST(admin.call("PATCH", "/macros/" + welcome, R"({"actions":[]})").status == 400u);
        BOOST_TEST(admin.call("PATCH", "/macros/mac_none", R"({"name":"y"})").status == 404u);
        BOOST_TEST(bob.json("GET", "/macros").at("macros").at(1).at("name").as_string() == "Welcome");
        auto gone = admin.json("POST", "/macros", R"({"name":"Gone soon","actions":[{"action":"read"}]})", 201);
        auto gone_id = std::string(gone.at("id").as_string());
        BOOST_TEST(bob.call("DELETE", "/macros/" + gone_id).status == 403u);
        BOOST_TEST(admin.json("DELETE", "/macros/" + gone_id).at("deleted").as_string() == gone_id);
        BOOST_TEST(admin.call("DELETE", "/macros/" + gone_id).status == 404u);

        // Carol leaves: the macro that hands chats to her is kept, and refused when run.
        admin.json("PATCH", "/agents/carol", R"({"active":false})");
        user_says(p, "2104", "support");
        r = bob.call("POST", "/conversations/2104/macros/" + escalate);
        BOOST_TEST(r.status == 409u);
        BOOST_TEST(r.body.find("action 4 of 4 (assign): carol is deactivated") != std::string::npos, r.body);
        token = bob.token;
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server({"--data", dir.path().string()});
    api_client bob{server.port(), token};
    auto kept = bob.json("GET", "/macros").at("macros").as_array();
    BOOST_TEST_REQUIRE(kept.size() == 2u);
    BOOST_TEST(kept.at(0).at("name").as_string() == "Billing escalation");
    BOOST_TEST(kept.at(0).at("actions").at(3).at("to").as_string() == "carol");
    BOOST_TEST(kept.at(1).at("actions").at(1).at("hours").as_int64() == 4);
    user_says(server.port(), "2105", "support");
    bob.json("POST", "/conversations/2105/chat-support/start");
    BOOST_TEST(bob.json("POST", "/conversations/2105/macros/" + welcome).at("snoozed_until").is_string());
}

// An agent names the user: kept as if they had registered it, so the bot
// greets them by it and the name their app sends no longer replaces it.
BOOST_AUTO_TEST_CASE(an_agent_names_the_user) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto p = server.port();
    user_says(p, "1401", "hi", "jd_1987");
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");  // events from here on reach it
    auto before = admin.json("GET", "/conversations").at("conversations").at(0).at("last_activity_at");

    auto c = bob.json("PUT", "/conversations/1401/name", R"({"name":"  Jane Doe "})");
    BOOST_TEST(c.at("name").as_string() == "Jane Doe");
    BOOST_TEST(c.at("registered").as_bool());
    BOOST_TEST(c.at("last_activity_at") == before);  // no activity
    auto note = ws.next_of_type("message.created");
    BOOST_TEST(note.at("data").at("type").as_string() == "system");
    BOOST_TEST(note.at("data").at("text").as_string() == "Renamed from jd_1987 to Jane Doe by bob");
    BOOST_TEST(ws.next_of_type("conversation.updated").at("data").at("name").as_string() == "Jane Doe");

    // The app's name no longer replaces it, and the bot greets them by it.
    auto reply = user_says(p, "1401", "hello", "jd_1987");
    BOOST_TEST(std::string(reply.at("replies").at(0).at("text").as_string()).find("Hi Jane Doe!") != std::string::npos,
               reply);
    BOOST_TEST(admin.json("GET", "/conversations/1401").at("name").as_string() == "Jane Doe");
    BOOST_TEST(admin.json("GET", "/conversations?q=jane").at("conversations").as_array().size() == 1u);

    auto refused = [&](const std::string& body, const std::string& words) {
        auto r = bob.call("PUT", "/conversations/1401/name", body);
        BOOST_TEST(r.status == 400u, body);
        BOOST_TEST(r.body.find(words) != std::string::npos, r.body);
    };
    refused(R"({})", "name is required");
    refused(R"({"name":"   "})", "name must not be blank");
    refused(R"({"name":7})", "name must be a string");
    refused(R"({"name":")" + std::string(65, 'x') + R"("})", "name must be 1 to 64 characters");
    BOOST_TEST(admin.json("GET", "/conversations/1401").at("name").as_string() == "Jane Doe");
    BOOST_TEST(bob.call("PUT", "/conversations/1999/name", R"({"name":"X"})").status == 404u);
    BOOST_TEST(http_request(p, "PUT", "/conversations/1401/name", R"({"name":"X"})").status == 401u);
}

// Newest activity first puts the back of a long queue on the first page;
// order=queue lists it from the head, in pages that neither overlap nor skip
// while chats leave it.
BOOST_AUTO_TEST_CASE(the_queue_is_listed_from_its_head_a_page_at_a_time) {
    server_process server;
    auto admin = admin_client(server);
    auto p = server.port();
    for (int i = 1; i <= 5; ++i) user_says(p, "200" + std::to_string(i), "support");
    user_says(p, "2001", "is anyone there?");  // the head is now the newest activity but one

    auto page = [&](const std::string& cursor) {
        return admin.json("GET", "/conversations?filter=queued&order=queue&limit=2" +
                                     (cursor.empty() ? "" : "&cursor=" + cursor));
    };
    auto phones = [](const json::value& pg) {
        std::vector<std::string> out;
        for (auto& c : pg.at("conversations").as_array()) out.emplace_back(c.at("phone").as_string());
        return out;
    };
    auto first = page("");
    BOOST_TEST(phones(first) == (std::vector<std::string>{"2001", "2002"}), boost::test_tools::per_element());
    BOOST_TEST(first.at("conversations").as_array()[1].at("queue_position").as_int64() == 2);
    BOOST_TEST(first.at("counts").at("queued").as_int64() == 5);

    admin.json("POST", "/conversations/2002/chat-support/start");  // read already
    admin.json("POST", "/conversations/2004/chat-support/start");  // not read yet
    auto second = page(std::string(first.at("next_cursor").as_string()));
    BOOST_TEST(phones(second) == (std::vector<std::string>{"2003", "2005"}), boost::test_tools::per_element());
    BOOST_TEST(second.at("conversations").as_array()[0].at("queue_position").as_int64() == 2);
    BOOST_TEST(second.at("conversations").as_array()[1].at("queue_position").as_int64() == 3);
    BOOST_TEST(second.at("next_cursor").is_null());
    BOOST_TEST(second.at("counts").at("queued").as_int64() == 3);

    // GET /queue: the whole of it, or its head, and how many wait.
    auto whole = admin.json("GET", "/queue");
    BOOST_TEST(whole.at("queue").as_array().size() == 3u);
    BOOST_TEST(whole.at("total").as_int64() == 3);
    auto head = admin.json("GET", "/queue?limit=2");
    BOOST_TEST_REQUIRE(head.at("queue").as_array().size() == 2u);
    BOOST_TEST(head.at("queue").as_array()[1].at("phone").as_string() == "2003");
    BOOST_TEST(head.at("queue").as_array()[1].at("position").as_int64() == 2);
    BOOST_TEST(head.at("total").as_int64() == 3);

    // Bad input is refused with the field named.
    for (auto target : {"/queue?limit=0", "/queue?limit=1001", "/queue?limit=x", "/conversations?order=queue", "/conversations?filter=queued&order=queue&q=200",
                        "/conversations?order=oldest", "/conversations?filter=queued&order=queue&cursor=1_2001",
                        "/conversations?filter=queued&order=queue&cursor=queue_x", "/conversations?cursor=queue_3"}) {
        BOOST_TEST_INFO(target);
        auto r = admin.call("GET", target);
        BOOST_TEST(r.status == 400u);
        BOOST_TEST(r.body.find("\"field\"") != std::string::npos);
    }
}

// A search, report or transcript waits its turn on the scan thread; one
// whose client has closed the connection by then is not run (an agent
// typing a search sends one after another, and the console drops the
// earlier ones). Here the client's FIN arrives with its request.
BOOST_AUTO_TEST_CASE(a_scan_whose_client_has_gone_is_not_run) {
    server_process server;
    auto admin = admin_client(server);
    user_says(server.port(), "1555", "my parcel 43 is late", "Ann");
    auto gone_count = [&] {
        return metric_value(http_request(server.port(), "GET", "/metrics").body,
                            "switchboard_rejections_total{reason=\"client_gone\"}");
    };
    BOOST_TEST(gone_count() <= 0);

    int gone = 0;
    for (std::string target : {"/conversations?q=parcel", "/reports/summary", "/conversations/1555/transcript"}) {
        test_connection c(server.port());
        c.send_raw_and_finish("GET " + target + " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + admin.token +
                              "\r\n\r\n");
        BOOST_TEST(c.read_response().status == 499u, target);
        BOOST_TEST(gone_count() == ++gone, target);
    }
    // A client that stays gets its answer: the same search finds Ann, also
    // when its next request is already waiting behind it (pipelined).
    auto found = admin.json("GET", "/conversations?q=parcel").at("conversations").as_array();
    BOOST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].at("phone").as_string() == "1555");
    test_connection pipelined(server.port());
    pipelined.send_raw("GET /conversations?q=parcel HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + admin.token +
                       "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    auto first = pipelined.read_response();
    BOOST_TEST(first.status == 200u);
    BOOST_TEST(json::parse(first.body).at("conversations").as_array().size() == 1u);
    BOOST_TEST(pipelined.read_response().status == 200u);
    BOOST_TEST(gone_count() == gone);
}

BOOST_AUTO_TEST_CASE(history_pages_by_seq) {
    server_process server;
    auto admin = admin_client(server);
    for (int i = 0; i < 30; ++i) user_says(server.port(), "1555", "message " + std::to_string(i));
    auto one = admin.json("GET", "/conversations/1555");
    auto& latest = one.at("messages").as_array();
    BOOST_TEST(latest.size() == 50u);
    BOOST_TEST(latest.front().at("seq").as_int64() == 11);
    BOOST_TEST(latest.back().at("seq").as_int64() == 60);
    auto older = admin.json("GET", "/conversations/1555/messages?before=11&limit=5").at("messages").as_array();
    BOOST_TEST(older.size() == 5u);
    BOOST_TEST(older.front().at("seq").as_int64() == 6);
    BOOST_TEST(older.back().at("seq").as_int64() == 10);
    BOOST_TEST(admin.call("GET", "/conversations/1555/messages?before=x").status == 400u);
    BOOST_TEST(admin.call("GET", "/conversations/1999/messages").status == 404u);
}

BOOST_AUTO_TEST_CASE(read_marks_clear_unread) {
    server_process server;
    auto admin = admin_client(server);
    for (int i = 0; i < 3; ++i) user_says(server.port(), "1555", "hi " + std::to_string(i));
    auto fresh = admin.json("GET", "/conversations/1555");
    BOOST_TEST(fresh.at("unread").as_int64() == 3);
    BOOST_TEST(fresh.at("read_seq").as_int64() == 0);  // the user's are 1, 3 and 5: all after it
    auto some = admin.json("POST", "/conversations/1555/read", R"({"up_to":3})");
    BOOST_TEST(some.at("unread").as_int64() == 1);
    BOOST_TEST(some.at("read_seq").as_int64() == 3);
    auto all = admin.json("POST", "/conversations/1555/read", R"({"up_to":6})");
    BOOST_TEST(all.at("unread").as_int64() == 0);
    BOOST_TEST(all.at("read_seq").as_int64() == 6);
    auto back = admin.json("POST", "/conversations/1555/read", R"({"up_to":2})");  // reads nothing it had not
    BOOST_TEST(back.at("unread").as_int64() == 0);
    BOOST_TEST(back.at("read_seq").as_int64() == 6);
}

// "Mark as unread" (Chatwoot's): the user's newest message counts as unread
// again, for every agent; reading is no activity, and neither is this.
BOOST_AUTO_TEST_CASE(an_agent_marks_a_conversation_unread_again) {
    server_process server;
    auto admin = admin_client(server);
    auto p = server.port();
    for (int i = 0; i < 3; ++i) user_says(p, "1555", "hi " + std::to_string(i));  // the user's at seq 1, 3 and 5
    user_says(p, "1666", "hello");
    BOOST_TEST(admin.json("POST", "/conversations/1555/read", R"({"up_to":6})").at("unread").as_int64() == 0);
    auto order = listed(admin, "");
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");

    auto c = admin.json("POST", "/conversations/1555/unread");
    BOOST_TEST(c.at("unread").as_int64() == 1);
    BOOST_TEST(c.at("read_seq").as_int64() == 4);  // just before the user's newest, seq 5
    auto event = ws.next_of_type("conversation.updated");
    BOOST_TEST(event.at("data").at("phone").as_string() == "1555");
    BOOST_TEST(event.at("data").at("unread").as_int64() == 1);
    BOOST_TEST(admin.json("POST", "/conversations/1555/unread").at("unread").as_int64() == 1);  // unread already
    BOOST_TEST(listed(admin, "") == order);  // no activity
    user_says(p, "1555", "still there?");
    BOOST_TEST(admin.json("GET", "/conversations/1555").at("unread").as_int64() == 2);
    // Read again, it is read as ever.
    BOOST_TEST(admin.json("POST", "/conversations/1555/read", R"({"up_to":8})").at("unread").as_int64() == 0);

    // The user's newest message is found behind 60 of the agent's (a
    // conversation's page is 50): their "hello", seq 1.
    admin.json("POST", "/conversations/1666/chat-support/start");
    for (int i = 0; i < 60; ++i)
        admin.json("POST", "/conversations/1666/chat-support/send", R"({"text":"line )" + std::to_string(i) + R"("})", 201);
    BOOST_TEST(admin.json("POST", "/conversations/1666/read", R"({"up_to":70})").at("unread").as_int64() == 0);
    BOOST_TEST(admin.json("POST", "/conversations/1666/unread").at("unread").as_int64() == 1);
    BOOST_TEST(admin.call("POST", "/conversations/1999/unread").status == 404u);
}

// The detail says when the user last wrote, however far back in the history
// that is: a console holds a WhatsApp reply past the 24-hour window by it.
BOOST_AUTO_TEST_CASE(the_detail_says_when_the_user_last_wrote) {
    server_process server;
    auto admin = admin_client(server);
    auto p = server.port();
    auto newest_messages = [&] { return admin.json("GET", "/conversations/1777/messages?limit=2").at("messages"); };
    user_says(p, "1777", "hello");
    auto hello = admin.json("GET", "/conversations/1777/messages?before=2&limit=1").at("messages").at(0);
    BOOST_TEST(hello.at("text").as_string() == "hello");
    BOOST_TEST(admin.json("GET", "/conversations/1777").at("last_user_message_at") == hello.at("timestamp"));

    // Behind 60 of the agent's, none of the user's is on the detail's page.
    admin.json("POST", "/conversations/1777/chat-support/start");
    for (int i = 0; i < 60; ++i)
        admin.json("POST", "/conversations/1777/chat-support/send", R"({"text":"line )" + std::to_string(i) + R"("})", 201);
    auto detail = admin.json("GET", "/conversations/1777");
    for (auto& m : detail.at("messages").as_array()) BOOST_TEST(m.at("sender").as_string() != "user");
    BOOST_TEST(detail.at("last_user_message_at") == hello.at("timestamp"));

    user_says(p, "1777", "thanks");
    auto thanks = newest_messages().at(0);  // then the bot's acknowledgement
    BOOST_TEST(thanks.at("text").as_string() == "thanks");
    BOOST_TEST(admin.json("GET", "/conversations/1777").at("last_user_message_at") == thanks.at("timestamp"));
    // An agent's answer after it leaves it as it is.
    admin.json("POST", "/conversations/1777/chat-support/send", R"({"text":"you are welcome"})", 201);
    BOOST_TEST(newest_messages().at(1).at("sender").as_string() == "admin");
    BOOST_TEST(admin.json("GET", "/conversations/1777").at("last_user_message_at") == thanks.at("timestamp"));
}

// The list is newest activity first: the last message or change of the
// chat. An agent reading a conversation is neither, so it stays in its place.
BOOST_AUTO_TEST_CASE(reading_does_not_move_a_conversation_up_the_list) {
    server_process server;
    auto admin = admin_client(server);
    user_says(server.port(), "1555", "hello");
    // Times are in milliseconds: 1666's activity must be later than 1555's, not tied with it.
    auto first = admin.json("GET", "/conversations/1555").at("last_activity_at");
    do user_says(server.port(), "1666", "hello");
    while (admin.json("GET", "/conversations/1666").at("last_activity_at") == first);
    auto phones = [&] {
        std::vector<std::string> out;
        auto list = admin.json("GET", "/conversations");
        for (auto& c : list.at("conversations").as_array()) out.emplace_back(c.at("phone").as_string());
        return out;
    };
    BOOST_TEST(phones() == (std::vector<std::string>{"1666", "1555"}));
    auto before = admin.json("GET", "/conversations/1555");
    auto read = admin.json("POST", "/conversations/1555/read", R"({"up_to":2})");
    BOOST_TEST(read.at("updated_at") != before.at("updated_at"));  // the object changed
    BOOST_TEST(read.at("last_activity_at") == before.at("last_activity_at"));  // nobody said anything
    BOOST_TEST(phones() == (std::vector<std::string>{"1666", "1555"}));
    // The cursor pages by the same order.
    auto page = admin.json("GET", "/conversations?limit=1");
    BOOST_TEST(page.at("conversations").as_array().at(0).at("phone").as_string() == "1666");
    auto rest = admin.json("GET", "/conversations?limit=1&cursor=" + std::string(page.at("next_cursor").as_string()));
    BOOST_TEST(rest.at("conversations").as_array().at(0).at("phone").as_string() == "1555");
    BOOST_TEST(rest.at("next_cursor").is_null());
    // A message is activity: it moves up.
    user_says(server.port(), "1555", "again");
    BOOST_TEST(phones() == (std::vector<std::string>{"1555", "1666"}));
}

// A conversation's preview is the newest message the user or an agent wrote
// to the chat. In a chat the bot answers every message with the same
// acknowledgement, and that was all an agent saw of each row.
BOOST_AUTO_TEST_CASE(the_preview_is_what_the_user_or_an_agent_said_last) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto admin = admin_client(server);
    auto preview = [&] { return admin.json("GET", "/conversations/1555").at("last_message"); };
    auto listed = [&] {
        return admin.json("GET", "/conversations").at("conversations").as_array().at(0).at("last_message");
    };
    user_says(server.port(), "1555", "hi");  // 1, and the menu 2
    BOOST_TEST(preview() == json::parse(R"({"text":"hi","type":"text","sender":"user","seq":1})"));
    user_says(server.port(), "1555", "support");             // 3, and where it is in the queue 4
    user_says(server.port(), "1555", "where is my order?");  // 5, acknowledged at 6
    BOOST_TEST(preview() == json::parse(R"({"text":"where is my order?","type":"text","sender":"user","seq":5})"));
    BOOST_TEST(listed() == preview());
    admin.json("POST", "/conversations/1555/chat-support/start");  // 7: the bot names the agent
    auto messages = admin.json("GET", "/conversations/1555").at("messages").as_array();
    BOOST_TEST(messages.back().at("sender").as_string() == "bot");
    BOOST_TEST(messages.back().at("seq").as_int64() == 7);
    BOOST_TEST(preview() == json::parse(R"({"text":"where is my order?","type":"text","sender":"user","seq":5})"));
    admin.json("POST", "/conversations/1555/chat-support/send", R"({"text":"On it"})", 201);
    BOOST_TEST(preview() == json::parse(R"({"text":"On it","type":"text","sender":"admin","seq":8})"));
    BOOST_TEST(listed() == preview());
}

BOOST_AUTO_TEST_CASE(reading_a_whatsapp_chat_sends_metas_mark_as_read) {
    receiver graph;
    server_process server({"--wa-api-base", graph.url()});
    auto admin = admin_client(server);
    auto payload = R"({"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"42"},
        "messages":[{"from":"15551234","id":"wamid.user-1","type":"text","text":{"body":"hi"}}]}}]}]})";
    BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", payload).status == 200u);
    graph.wait_for(1);  // the menu
    admin.json("POST", "/conversations/15551234/read", R"({"up_to":1})");
    auto sent = graph.wait_for(2);
    auto body = json::parse(sent[1].body);
    BOOST_TEST(sent[1].target == "/42/messages");
    BOOST_TEST(body.at("status").as_string() == "read");
    BOOST_TEST(body.at("message_id").as_string() == "wamid.user-1");
}

BOOST_AUTO_TEST_CASE(transcripts_in_three_formats) {
    server_process server;
    auto admin = admin_client(server);
    user_says(server.port(), "1555", "support", "Ann");
    user_says(server.port(), "1555", "a \"quoted\", comma\nline");
    for (auto formula : {"=HYPERLINK(1)", "+1", "-1", "@SUM(1)", "\tcmd"}) user_says(server.port(), "1555", formula);
    auto txt = admin.call("GET", "/conversations/1555/transcript");
    BOOST_TEST(txt.status == 200u);
    BOOST_TEST(txt.header("content-type").starts_with("text/plain"));
    BOOST_TEST(txt.header("content-disposition").find("conversation-1555.txt") != std::string::npos);
    BOOST_TEST(txt.body.find("Ann: support") != std::string::npos);
    auto csv = admin.call("GET", "/conversations/1555/transcript?format=csv");
    BOOST_TEST(csv.body.starts_with("conversation,seq,timestamp,sender,agent,type,status,text\r\n"));
    BOOST_TEST(csv.body.find("\"a \"\"quoted\"\", comma\nline\"") != std::string::npos);
    // What a spreadsheet would run as a formula is opened with a quote; the JSON keeps the text as written.
    for (auto formula : {",'=HYPERLINK(1)\r\n", ",'+1\r\n", ",'-1\r\n", ",'@SUM(1)\r\n", ",'\tcmd\r\n"})
        BOOST_TEST(csv.body.find(formula) != std::string::npos, formula);
    auto j = admin.json("GET", "/conversations/1555/transcript?format=json");
    BOOST_TEST(j.at("messages").as_array().size() == 14u);
    BOOST_TEST(j.at("messages").as_array()[4].at("text").as_string() == "=HYPERLINK(1)");
    BOOST_TEST(admin.call("GET", "/conversations/1999/transcript").status == 404u);
}

// A transcript is streamed a page at a time (500 messages), so memory holds
// a page however long the conversation: 1,200 messages and more, in every
// format, whole and in order across the pages.
BOOST_AUTO_TEST_CASE(a_long_transcript_is_streamed_whole_in_every_format) {
    server_process server;
    auto admin = admin_client(server);
    constexpr int said = 600;  // each answered by the bot: 1,200 messages
    for (int i = 1; i <= said; ++i) user_says(server.port(), "1777", "line " + std::to_string(i), "Lin");
    auto newest = admin.json("GET", "/conversations/1777/messages?limit=1").at("messages").as_array();
    auto last_seq = newest.at(0).at("seq").to_number<std::uint64_t>();
    BOOST_TEST(last_seq >= 2u * said);

    auto txt = admin.call("GET", "/conversations/1777/transcript");
    BOOST_TEST(txt.status == 200u);
    BOOST_TEST(txt.header("transfer-encoding") == "chunked");
    BOOST_TEST(txt.body.starts_with("Conversation with Lin (1777)\n\n"));
    std::size_t at = 0, lines = 0;
    for (int i = 1; i <= said; ++i) {
        auto next = txt.body.find("] Lin: line " + std::to_string(i) + "\n", at);
        BOOST_TEST_REQUIRE(next != std::string::npos, "line " << i);
        at = next + 1;
    }
    for (char c : txt.body) lines += c == '\n';
    BOOST_TEST(lines == last_seq + 2);  // the heading and its blank line

    auto csv = admin.call("GET", "/conversations/1777/transcript?format=csv");
    BOOST_TEST(csv.header("transfer-encoding") == "chunked");
    std::size_t rows = 0;
    for (std::size_t p = 0; (p = csv.body.find("\r\n", p)) != std::string::npos; p += 2) ++rows;
    BOOST_TEST(rows == last_seq + 1);  // the header row

    auto j = admin.call("GET", "/conversations/1777/transcript?format=json");
    BOOST_TEST(j.header("transfer-encoding") == "chunked");
    auto o = json::parse(j.body).as_object();
    BOOST_TEST(o.at("phone").as_string() == "1777");
    auto& messages = o.at("messages").as_array();
    BOOST_TEST(messages.size() == last_seq);
    for (std::size_t i = 0; i < messages.size(); ++i)
        BOOST_TEST(messages[i].at("seq").to_number<std::uint64_t>() == i + 1);
}

BOOST_AUTO_TEST_CASE(agents_are_managed_by_admins) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto list = bob.json("GET", "/agents").at("agents").as_array();
    BOOST_TEST(list.size() == 2u);
    for (auto& a : list) BOOST_TEST(!a.as_object().contains("password_hash"));
    // open_chats counts the live chats each agent holds, as routing does.
    for (auto phone : {"1555", "1556", "1557"}) user_says(server.port(), phone, "support");
    bob.json("POST", "/conversations/1555/chat-support/start");
    bob.json("POST", "/conversations/1556/chat-support/start");
    admin.json("POST", "/conversations/1557/chat-support/start");
    bob.json("POST", "/conversations/1556/chat-support/end");
    auto counted = admin.json("GET", "/agents");
    for (auto& a : counted.at("agents").as_array())
        BOOST_TEST(a.at("open_chats").as_int64() == 1, a.at("username").as_string());

    auto forbidden = bob.call("POST", "/agents", R"({"username":"eve","password":"long-enough","role":"admin"})");
    BOOST_TEST(forbidden.status == 403u);
    BOOST_TEST(admin.call("POST", "/agents", R"({"username":"bob","password":"long-enough"})").status == 409u);
    for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
             {R"({"password":"long-enough"})", "username"},
             {R"({"username":"Bad Name","password":"long-enough"})", "username"},
             {R"({"username":"carl","password":"short"})", "password"},
             {R"({"username":"carl","password":"long-enough","role":"boss"})", "role"},
             {"[]", "body"}}) {
        BOOST_TEST_INFO(body);
        auto r = admin.call("POST", "/agents", body);
        BOOST_TEST(r.status == 400u);
        BOOST_TEST(json::parse(r.body).at("error").at("field").as_string() == field);
    }

    auto patched = bob.json("PATCH", "/agents/bob", R"({"available":false,"max_chats":3})");
    BOOST_TEST(!patched.at("available").as_bool());
    BOOST_TEST(patched.at("max_chats").as_int64() == 3);
    BOOST_TEST(bob.call("PATCH", "/agents/admin", R"({"available":false})").status == 403u);
    BOOST_TEST(admin.call("PATCH", "/agents/nobody", R"({"available":false})").status == 404u);
    BOOST_TEST(admin.call("PATCH", "/agents/bob", R"({"max_chats":0})").status == 400u);
    BOOST_TEST(admin.call("PATCH", "/agents/bob", R"({"available":"no"})").status == 400u);
    BOOST_TEST(admin.json("PATCH", "/agents/bob", R"({"available":true})").at("available").as_bool());
}

BOOST_AUTO_TEST_CASE(names_and_roles_are_changed_by_admins_and_the_last_admin_stays) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");

    BOOST_TEST(bob.json("PATCH", "/agents/bob", R"({"display_name":"  Bob B. "})").at("display_name").as_string() ==
               "Bob B.");  // trimmed
    BOOST_TEST(admin.json("GET", "/me").at("agent").at("role").as_string() == "admin");
    auto r = bob.call("PATCH", "/agents/bob", R"({"role":"admin"})");
    BOOST_TEST(r.status == 403u);  // an agent cannot promote themselves
    BOOST_TEST(bob.json("GET", "/me").at("agent").at("role").as_string() == "agent");
    for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
             {R"({"display_name":""})", "display_name"},
             {R"({"display_name":"   "})", "display_name"},
             {R"({"display_name":")" + std::string(65, 'x') + R"("})", "display_name"},
             {R"({"display_name":7})", "display_name"},
             {R"({"role":"boss"})", "role"},
             {R"({"password":"short"})", "password"},
             {R"({})", "body"}}) {
        BOOST_TEST_INFO(body);
        auto refused = admin.call("PATCH", "/agents/bob", body);
        BOOST_TEST(refused.status == 400u);
        BOOST_TEST(json::parse(refused.body).at("error").at("field").as_string() == field);
    }
    // 64 characters of two bytes each is a name, not 128 bytes too many.
    std::string long_name;
    for (int i = 0; i < 64; ++i) long_name += "é";
    BOOST_TEST(admin.json("PATCH", "/agents/bob", R"({"display_name":")" + long_name + R"("})")
                   .at("display_name")
                   .as_string() == long_name);

    // The only admin cannot step down; once bob is admin too, they can.
    auto last = admin.call("PATCH", "/agents/admin", R"({"role":"agent"})");
    BOOST_TEST(last.status == 409u);
    BOOST_TEST(error_code(last) == "conflict");
    BOOST_TEST(admin.json("GET", "/me").at("agent").at("role").as_string() == "admin");
    BOOST_TEST(admin.json("PATCH", "/agents/bob", R"({"role":"admin"})").at("role").as_string() == "admin");
    BOOST_TEST(bob.json("POST", "/agents", R"({"username":"carl","password":"long-enough"})", 201)
                   .at("role")
                   .as_string() == "agent");
    BOOST_TEST(bob.json("PATCH", "/agents/admin", R"({"role":"agent"})").at("role").as_string() == "agent");
    BOOST_TEST(admin.call("POST", "/agents", R"({"username":"dora","password":"long-enough"})").status == 403u);
}

// Chatwoot's message signature: an agent writes their own (trimmed, lines
// kept, at most 300 characters); nobody else does, an admin neither. It is
// in their agent object, which the console signs replies from, and
// outlives a restart.
BOOST_AUTO_TEST_CASE(an_agent_writes_their_own_signature) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        auto bob = agent_client(admin, "bob");
        BOOST_TEST(bob.json("GET", "/me").at("agent").at("signature").as_string() == "");
        auto a = bob.json("PATCH", "/agents/bob", R"({"signature":"  Bob\nBilling team \n"})");
        BOOST_TEST(a.at("signature").as_string() == "Bob\nBilling team");
        auto refused = admin.call("PATCH", "/agents/bob", R"({"signature":"Not Bob"})");
        BOOST_TEST(refused.status == 403u);
        auto long_one = bob.call("PATCH", "/agents/bob", R"({"signature":")" + std::string(301, 's') + R"("})");
        BOOST_TEST(long_one.status == 400u);
        BOOST_TEST(json::parse(long_one.body).at("error").at("field").as_string() == "signature", long_one.body);
        BOOST_TEST(bob.call("PATCH", "/agents/bob", R"({"signature":7})").status == 400u);
        admin.json("PATCH", "/agents/admin", R"({"signature":"The admin"})");
        server.send_signal(SIGTERM);
        server.wait_exit(std::chrono::seconds(5));
    }
    server_process server(args);
    api_client bob{server.port(), login(server.port(), "bob", "secret-bob")};
    BOOST_TEST(bob.json("GET", "/me").at("agent").at("signature").as_string() == "Bob\nBilling team");
    auto agents = bob.json("GET", "/agents");  // named: a range-for over its member would outlive it
    for (auto& a : agents.at("agents").as_array())
        if (a.at("username") == "admin") BOOST_TEST(a.at("signature").as_string() == "The admin");
    BOOST_TEST(bob.json("PATCH", "/agents/bob", R"({"signature":null})").at("signature").as_string() == "");
}

// Two changes to one agent at once both land: neither writes back a copy
// read before the other's write.
BOOST_AUTO_TEST_CASE(changes_to_one_agent_at_once_both_land) {
    temp_dir dir;
    server_process server({"--data", dir.path().string()});
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    int lost = 0;
    for (int round = 0; round < 20; ++round) {
        admin.json("PATCH", "/agents/bob", R"({"available":true,"max_chats":5})");
        std::thread away([&] { bob.json("PATCH", "/agents/bob", R"({"available":false})"); });
        std::thread capacity([&] { admin.json("PATCH", "/agents/bob", R"({"max_chats":7})"); });
        away.join();
        capacity.join();
        auto agents = admin.json("GET", "/agents");
        for (auto& a : agents.at("agents").as_array())
            if (a.at("username").as_string() == "bob")
                lost += a.at("available").as_bool() || a.at("max_chats").as_int64() != 7;
    }
    BOOST_TEST(lost == 0);
}

BOOST_AUTO_TEST_CASE(an_agent_changes_their_password_and_their_other_sessions_end) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    api_client bob_elsewhere{server.port(), login(server.port(), "bob", "secret-bob")};

    // Not with PATCH: that would let a session left open take the account.
    BOOST_TEST(bob.call("PATCH", "/agents/bob", R"({"password":"new-secret-1"})").status == 403u);
    for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
             {R"({"new_password":"new-secret-1"})", "current_password"},
             {R"({"current_password":"secret-bob"})", "new_password"},
             {R"({"current_password":"secret-bob","new_password":"short"})", "new_password"},
             {R"({"current_password":"wrong-one","new_password":"new-secret-1"})", "current_password"}}) {
        BOOST_TEST_INFO(body);
        auto refused = bob.call("POST", "/auth/password", body);
        BOOST_TEST(refused.status == 400u);
        BOOST_TEST(json::parse(refused.body).at("error").at("field").as_string() == field);
    }
    BOOST_TEST(login(server.port(), "bob", "secret-bob").size() == 64u);  // nothing changed

    auto changed = bob.json("POST", "/auth/password", R"({"current_password":"secret-bob","new_password":"new-secret-1"})");
    BOOST_TEST(changed.at("agent").at("username").as_string() == "bob");
    BOOST_TEST(changed.at("ended_sessions").as_int64() == 2);  // the one elsewhere and the login just above
    BOOST_TEST(bob.call("GET", "/me").status == 200u);  // this session stays
    BOOST_TEST(bob_elsewhere.call("GET", "/me").status == 401u);
    BOOST_TEST(http_request(server.port(), "POST", "/auth/login", R"({"username":"bob","password":"secret-bob"})")
                   .status == 401u);
    BOOST_TEST(login(server.port(), "bob", "new-secret-1").size() == 64u);

    // Guessing the current password through a session is limited like logins.
    unsigned last = 0;
    for (int i = 0; i < 6; ++i)
        last = bob.call("POST", "/auth/password", R"({"current_password":"guess-123","new_password":"new-secret-2"})")
                   .status;
    BOOST_TEST(last == 429u);
}

BOOST_AUTO_TEST_CASE(an_admin_sets_another_agents_password_and_ends_their_sessions) {
    temp_dir dir;
    std::string bob_token;
    {
        server_process server({"--data", dir.path().string()});
        auto admin = admin_client(server);
        auto bob = agent_client(admin, "bob");
        bob_token = bob.token;
        BOOST_TEST(bob.call("PATCH", "/agents/admin", R"({"password":"taken-over-1"})").status == 403u);
        BOOST_TEST(admin.call("PATCH", "/agents/admin", R"({"password":"new-secret-1"})").status == 403u);
        auto reset = admin.json("PATCH", "/agents/bob", R"({"password":"reset-by-admin"})");
        BOOST_TEST(!reset.as_object().contains("password"));
        BOOST_TEST(bob.call("GET", "/me").status == 401u);
        BOOST_TEST(login(server.port(), "bob", "reset-by-admin").size() == 64u);
        // A later change of something else keeps the new password.
        admin.json("PATCH", "/agents/bob", R"({"available":false})");
        BOOST_TEST(login(server.port(), "bob", "reset-by-admin").size() == 64u);
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    // The ended session stays ended after a restart: it left the store too.
    server_process server({"--data", dir.path().string()});
    BOOST_TEST(api_client({server.port(), bob_token}).call("GET", "/me").status == 401u);
    BOOST_TEST(login(server.port(), "bob", "reset-by-admin").size() == 64u);
}

// Someone who leaves the team is deactivated, not deleted: the history
// keeps their name, and they can no longer get in.
BOOST_AUTO_TEST_CASE(a_deactivated_agent_cannot_log_in_and_is_kept) {
    temp_dir dir;
    server_process server({"--data", dir.path().string()});
    auto p = server.port();
    auto admin_password = printed_admin_password(server);
    api_client admin{p, login(p, "admin", admin_password)};
    auto bob = agent_client(admin, "bob");
    user_says(p, "1555", "support");
    bob.json("POST", "/conversations/1555/chat-support/start");
    bob.json("POST", "/conversations/1555/chat-support/send", R"({"text":"hello from bob"})", 201);

    BOOST_TEST(bob.call("PATCH", "/agents/bob", R"({"active":false})").status == 403u);  // not by themselves
    BOOST_TEST(admin.call("PATCH", "/agents/admin", R"({"active":false})").status == 403u);
    BOOST_TEST(admin.call("PATCH", "/agents/bob", R"({"active":"no"})").status == 400u);
    auto gone = admin.json("PATCH", "/agents/bob", R"({"active":false})");
    BOOST_TEST(!gone.at("active").as_bool());
    BOOST_TEST(bob.call("GET", "/me").status == 401u);
    BOOST_TEST(http_request(p, "POST", "/auth/login", R"({"username":"bob","password":"secret-bob"})").status == 401u);
    auto transfer = admin.call("POST", "/conversations/1555/chat-support/transfer", R"({"to":"bob"})");
    BOOST_TEST(transfer.status == 400u);
    BOOST_TEST(json::parse(transfer.body).at("error").at("field").as_string() == "to");
    // Kept: listed as inactive, their message as it was; their live chat
    // went back to the head of the queue for someone who can answer.
    auto listed = admin.json("GET", "/agents");
    bool seen = false;
    for (auto& a : listed.at("agents").as_array())
        if (a.at("username").as_string() == "bob") seen = !a.at("active").as_bool();
    BOOST_TEST(seen);
    auto conv = admin.json("GET", "/conversations/1555");
    BOOST_TEST(conv.at("assignee").is_null());
    BOOST_TEST(conv.at("queue_position").as_int64() == 1);
    BOOST_TEST(conv.at("is_chat_support").as_bool());
    bool bobs_message_kept = false;
    for (auto& m : conv.at("messages").as_array())
        bobs_message_kept |= m.at("sender").as_string() == "admin" && m.at("agent").as_string() == "bob";
    BOOST_TEST(bobs_message_kept);
    BOOST_TEST(conv.at("messages").as_array().back().at("text").as_string() ==
               "Back to the queue: bob was deactivated");
    BOOST_TEST(admin.json("GET", "/queue").at("queue").as_array().size() == 1u);

    // The team keeps an active admin, and a deactivated one does not count.
    agent_client(admin, "carol", "admin");
    admin.json("PATCH", "/agents/carol", R"({"active":false})");
    BOOST_TEST(admin.call("PATCH", "/agents/admin", R"({"role":"agent"})").status == 409u);

    // Back again, after a restart too.
    server.send_signal(SIGTERM);
    server.wait_exit(5s);
    server_process again({"--data", dir.path().string()});
    api_client admin2{again.port(), login(again.port(), "admin", admin_password)};
    BOOST_TEST(http_request(again.port(), "POST", "/auth/login", R"({"username":"bob","password":"secret-bob"})")
                   .status == 401u);
    BOOST_TEST(admin2.json("PATCH", "/agents/bob", R"({"active":true})").at("active").as_bool());
    BOOST_TEST(login(again.port(), "bob", "secret-bob").size() == 64u);
}

BOOST_AUTO_TEST_CASE(saved_replies_are_written_by_admins_read_by_everyone_and_kept) {
    temp_dir dir;
    std::string admin_password;
    {
        server_process server({"--data", dir.path().string()});
        admin_password = printed_admin_password(server);
        api_client admin{server.port(), login(server.port(), "admin", admin_password)};
        auto bob = agent_client(admin, "bob");

        auto made = admin.json("POST", "/canned-responses", R"({"shortcut":"/hours","text":"We answer 9 to 5, Monday to Friday."})", 201);
        BOOST_TEST(made.at("shortcut").as_string() == "hours");  // the slash as typed is dropped
        BOOST_TEST(made.at("updated_by").as_string() == "admin");
        admin.json("POST", "/canned-responses", R"({"shortcut":"refund","text":"Refunds take 5 days."})", 201);
        BOOST_TEST(bob.call("POST", "/canned-responses", R"({"shortcut":"mine","text":"x"})").status == 403u);
        BOOST_TEST(admin.call("POST", "/canned-responses", R"({"shortcut":"hours","text":"again"})").status == 409u);
        for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
                 {R"({"text":"no shortcut"})", "shortcut"},
                 {R"({"shortcut":"Not Ok","text":"x"})", "shortcut"},
                 {R"({"shortcut":"empty","text":""})", "text"},
                 {R"({"shortcut":"blank","text":" \n "})", "text"},
                 {R"({"shortcut":"long","text":")" + std::string(4097, 'x') + R"("})", "text"}}) {
            BOOST_TEST_INFO(body);
            auto refused = admin.call("POST", "/canned-responses", body);
            BOOST_TEST(refused.status == 400u);
            BOOST_TEST(json::parse(refused.body).at("error").at("field").as_string() == field);
        }

        auto list = bob.json("GET", "/canned-responses").at("canned_responses").as_array();
        BOOST_REQUIRE(list.size() == 2u);
        BOOST_TEST(list[0].at("shortcut").as_string() == "hours");  // by shortcut
        BOOST_TEST(list[1].at("text").as_string() == "Refunds take 5 days.");

        BOOST_TEST(bob.call("PATCH", "/canned-responses/hours", R"({"text":"x"})").status == 403u);
        auto edited = admin.json("PATCH", "/canned-responses/refund", R"({"text":"Refunds take 3 days.","shortcut":"refunds"})");
        BOOST_TEST(edited.at("shortcut").as_string() == "refunds");
        BOOST_TEST(admin.call("PATCH", "/canned-responses/refund", R"({"text":"x"})").status == 404u);
        BOOST_TEST(admin.call("PATCH", "/canned-responses/refunds", R"({"shortcut":"hours"})").status == 409u);
        BOOST_TEST(admin.call("PATCH", "/canned-responses/refunds", R"({})").status == 400u);
        admin.json("POST", "/canned-responses", R"({"shortcut":"bye","text":"Goodbye!"})", 201);
        BOOST_TEST(bob.call("DELETE", "/canned-responses/bye").status == 403u);
        BOOST_TEST(admin.json("DELETE", "/canned-responses/bye").at("deleted").as_string() == "bye");
        BOOST_TEST(admin.call("DELETE", "/canned-responses/bye").status == 404u);
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    // As they were, after a restart.
    server_process server({"--data", dir.path().string()});
    api_client admin{server.port(), login(server.port(), "admin", admin_password)};
    auto list = admin.json("GET", "/canned-responses").at("canned_responses").as_array();
    BOOST_REQUIRE(list.size() == 2u);
    BOOST_TEST(list[0].at("shortcut").as_string() == "hours");
    BOOST_TEST(list[1].at("shortcut").as_string() == "refunds");
    BOOST_TEST(list[1].at("text").as_string() == "Refunds take 3 days.");
}

BOOST_AUTO_TEST_CASE(accounts_and_sessions_survive_a_restart) {
    temp_dir dir;
    std::string bob_token;
    {
        server_process server({"--data", dir.path().string()});
        auto admin = admin_client(server);
        bob_token = agent_client(admin, "bob").token;
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server({"--data", dir.path().string()});
    BOOST_TEST(!server.wait_for_stdout("admin password: ", 300ms));  // shown on first start only
    api_client bob{server.port(), bob_token};
    BOOST_TEST(bob.json("GET", "/me").at("agent").at("username").as_string() == "bob");
    BOOST_TEST(login(server.port(), "bob", "secret-bob").size() == 64u);
}

// And an expired session is dropped, in memory and on disk, by a later
// login (at most one sweep an hour: the first login of a run is one).
BOOST_AUTO_TEST_CASE(sessions_expire_after_the_ttl) {
    temp_dir dir;
    server_process server({"--session-ttl", "1", "--admin-password", known_admin_password, "--data", dir.path().string()});
    auto admin = known_admin(server.port());
    BOOST_TEST(admin.call("GET", "/me").status == 200u);
    auto deadline = std::chrono::steady_clock::now() + 5s;
    unsigned status = 200;
    while (status == 200 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);  // polling the expiry, not synchronising
        status = admin.call("GET", "/me").status;
    }
    BOOST_TEST(status == 401u);
    auto db = dir.path() / "switchboard.db";
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM sessions") == "1");
    server.send_signal(SIGTERM);
    BOOST_TEST(server.wait_exit(10s).value_or(-1) == 0);

    // Started again: its first login sweeps the one left from before.
    server_process again({"--session-ttl", "1", "--data", dir.path().string()});
    known_admin(again.port());
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM sessions") == "1");
}

// An integration's API token: named, shown once, listed without it, good
// past the session TTL, a sweep of expired sessions and a restart, revoked
// by its own agent only; a new password ends it with the rest.
BOOST_AUTO_TEST_CASE(api_tokens_for_integrations) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    // Long enough for the steps before the expiry on a loaded machine (1 s was not, once).
    args.insert(args.end(), {"--session-ttl", "3"});
    std::string token, id;
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        admin.json("POST", "/agents", R"({"username":"bob","password":"secret-bob"})", 201);
        api_client bob{server.port(), login(server.port(), "bob", "secret-bob")};
        auto made = bob.json("POST", "/auth/tokens", R"({"name":"  CRM sync  "})", 201);
        token = made.at("token").as_string();
        id = made.at("id").as_string();
        BOOST_TEST(made.at("name").as_string() == "CRM sync");
        BOOST_TEST(token.size() == 64u);
        BOOST_TEST(id.size() == 16u);
        BOOST_TEST(token.find(id) == std::string::npos);  // the id gives nothing of the token away
        for (std::string body : std::vector<std::string>{R"({})", R"({"name":"   "})", R"({"name":7})",
                                                         R"({"name":")" + std::string(65, 'x') + R"("})"}) {
            BOOST_TEST_INFO(body);
            auto refused = bob.call("POST", "/auth/tokens", body);
            BOOST_TEST(refused.status == 400u);
            BOOST_TEST(json::parse(refused.body).at("error").at("field").as_string() == "name");
        }
        auto listed = bob.json("GET", "/auth/tokens").at("tokens").as_array();
        BOOST_TEST_REQUIRE(listed.size() == 1u);
        BOOST_TEST(listed[0].at("id").as_string() == id);
        BOOST_TEST(listed[0].at("name").as_string() == "CRM sync");
        BOOST_TEST(!listed[0].as_object().contains("token"));
        BOOST_TEST(admin.json("GET", "/auth/tokens").at("tokens").as_array().empty());  // each agent's own
        BOOST_TEST(admin.call("DELETE", "/auth/tokens/" + id).status == 404u);

        api_client integration{server.port(), token};
        BOOST_TEST(integration.json("GET", "/me").at("agent").at("username").as_string() == "bob");
        // Bob's login session runs out; the token does not.
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (bob.call("GET", "/me").status == 200u && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(100ms);  // polling the expiry, not synchronising
        BOOST_TEST(bob.call("GET", "/me").status == 401u);
        BOOST_TEST(integration.call("GET", "/conversations").status == 200u);
        server.send_signal(SIGTERM);
        BOOST_TEST(server.wait_exit(10s).value_or(-1) == 0);
    }
    server_process server(args);
    api_client bob{server.port(), login(server.port(), "bob", "secret-bob")};  // the run's first login sweeps
    api_client integration{server.port(), token};
    BOOST_TEST(integration.json("GET", "/me").at("agent").at("username").as_string() == "bob");
    BOOST_TEST(bob.json("GET", "/auth/tokens").at("tokens").as_array().size() == 1u);

    // Revoked by bob: gone at once, and its socket (an integration's, with the header) closes.
    auto second = bob.json("POST", "/auth/tokens", R"({"name":"Reports"})", 201);
    api_client reports{server.port(), std::string(second.at("token").as_string())};
    ws_client reports_ws(server.port(), "/ws", {{"Authorization", "Bearer " + reports.token}});
    reports_ws.next_of_type("hello");
    BOOST_TEST(bob.json("DELETE", "/auth/tokens/" + std::string(second.at("id").as_string())).at("revoked") ==
               second.at("id"));
    BOOST_TEST(reports.call("GET", "/me").status == 401u);
    auto code = reports_ws.wait_close();
    BOOST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 1008u);
    BOOST_TEST(bob.call("DELETE", "/auth/tokens/" + std::string(second.at("id").as_string())).status == 404u);

    // A new password: whoever had the old one may have made a token.
    auto admin = known_admin(server.port());
    admin.json("PATCH", "/agents/bob", R"({"password":"new-secret-1"})");
    BOOST_TEST(integration.call("GET", "/me").status == 401u);
    api_client bob_again{server.port(), login(server.port(), "bob", "new-secret-1")};
    BOOST_TEST(bob_again.json("GET", "/auth/tokens").at("tokens").as_array().empty());
}

// An agent has at most 20 tokens: a script that made one a run would
// otherwise pile them up for good.
BOOST_AUTO_TEST_CASE(an_agent_has_twenty_api_tokens_at_most) {
    server_process server;
    auto admin = admin_client(server);
    for (int i = 0; i < 20; ++i) admin.json("POST", "/auth/tokens", R"({"name":"run )" + std::to_string(i) + R"("})", 201);
    auto refused = admin.call("POST", "/auth/tokens", R"({"name":"one more"})");
    BOOST_TEST(refused.status == 409u);
    BOOST_TEST(refused.body.find("revoke one first") != std::string::npos, refused.body);
    BOOST_TEST(admin.json("GET", "/auth/tokens").at("tokens").as_array().size() == 20u);
}

BOOST_AUTO_TEST_CASE(admin_password_flag_sets_the_password) {
    server_process server({"--admin-password", "correct-horse-battery"});
    BOOST_TEST(login(server.port(), "admin", "correct-horse-battery").size() == 64u);
    BOOST_TEST(server.stdout_text().find("admin password") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(agent_cli)

BOOST_AUTO_TEST_CASE(add_passwd_and_list_from_the_shell) {
    temp_dir dir;
    auto data = dir.path().string();
    auto added = run_binary({"agent", "add", "carol", "--password", "carol-pass-1", "--display-name", "Carol C", "--data", data});
    BOOST_TEST(added.exit_code == 0);
    BOOST_TEST(added.out.find("added agent carol") != std::string::npos);
    BOOST_TEST(added.out.find("admin password: ") != std::string::npos);  // a new directory gets its admin too
    BOOST_TEST(run_binary({"agent", "add", "carol", "--password", "carol-pass-1", "--data", data}).exit_code == 1);
    BOOST_TEST(run_binary({"agent", "add", "dave", "--password", "short", "--data", data}).exit_code == 2);
    BOOST_TEST(run_binary({"agent", "add", "--data", data}).exit_code == 2);
    BOOST_TEST(run_binary({"agent", "frobnicate", "x", "--data", data}).exit_code == 2);
    BOOST_TEST(run_binary({"agent", "passwd", "carol", "--data", data}, {"SWITCHBOARD_AGENT_PASSWORD=carol-pass-2"}).exit_code == 0);
    auto list = run_binary({"agent", "list", "--data", data});
    BOOST_TEST(list.exit_code == 0);
    BOOST_TEST(list.out.find("carol") != std::string::npos);
    BOOST_TEST(list.out.find("Carol C") != std::string::npos);

    std::string carol_token;
    {
        server_process server({"--data", data});
        BOOST_TEST(login(server.port(), "carol", "carol-pass-2").size() == 64u);
        BOOST_TEST(http_request(server.port(), "POST", "/auth/login", R"({"username":"carol","password":"carol-pass-1"})").status == 401u);
        carol_token = login(server.port(), "carol", "carol-pass-2");
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    // A reset from the shell ends the sessions the old password opened.
    BOOST_TEST(run_binary({"agent", "passwd", "carol", "--password", "carol-pass-3", "--data", data}).exit_code == 0);
    server_process server({"--data", data});
    BOOST_TEST(api_client({server.port(), carol_token}).call("GET", "/me").status == 401u);
    BOOST_TEST(login(server.port(), "carol", "carol-pass-3").size() == 64u);
    // The audit log says the shell did it.
    auto printed = added.out.substr(added.out.find("admin password: ") + 16);
    api_client admin{server.port(), login(server.port(), "admin", printed.substr(0, printed.find(' ')))};
    auto log = admin.json("GET", "/audit-log?limit=200").at("entries").as_array();
    std::vector<std::string> by_operator;
    for (auto& e : log)
        if (e.at("actor").as_string() == "(operator)")
            by_operator.push_back(std::string(e.at("action").as_string()) + " " + std::string(e.at("target").as_string()) +
                                  " " + json::serialize(e.at("details")));
    BOOST_TEST(by_operator == (std::vector<std::string>{R"(agent.updated carol {"password_set":true})",
                                                        R"(agent.updated carol {"password_set":true})",
                                                        R"(agent.created carol {"role":"agent"})"}));
}

// A running server holds its agents' sessions in memory, so a password set
// from the shell beside it would leave the old password's sessions open.
// passwd is refused while the server runs and changes nothing; add and list
// go ahead beside it.
BOOST_AUTO_TEST_CASE(passwd_waits_for_the_server_to_stop) {
    temp_dir dir;
    auto data = dir.path().string();
    BOOST_TEST(run_binary({"agent", "add", "carol", "--password", "carol-pass-1", "--data", data}).exit_code == 0);
    server_process server({"--data", data});
    auto carol_token = login(server.port(), "carol", "carol-pass-1");
    auto refused = run_binary({"agent", "passwd", "carol", "--password", "carol-pass-2", "--data", data});
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(refused.err.find("is in use by another switchboard process (pid " + std::to_string(server.pid()) + ")") !=
                   std::string::npos,
               refused.err);
    BOOST_TEST(refused.err.find("PATCH /agents/carol") != std::string::npos);
    BOOST_TEST(api_client({server.port(), carol_token}).call("GET", "/me").status == 200u);
    BOOST_TEST(login(server.port(), "carol", "carol-pass-1").size() == 64u);
    BOOST_TEST(http_request(server.port(), "POST", "/auth/login", R"({"username":"carol","password":"carol-pass-2"})")
                   .status == 401u);

    BOOST_TEST(run_binary({"agent", "add", "dave", "--password", "dave-pass-1", "--data", data}).exit_code == 0);
    BOOST_TEST(login(server.port(), "dave", "dave-pass-1").size() == 64u);
    auto list = run_binary({"agent", "list", "--data", data});
    BOOST_TEST(list.exit_code == 0);
    BOOST_TEST(list.out.find("dave") != std::string::npos);
}

// A command refused for its words alone says what is missing and leaves the
// directory as it was: no database, and no admin password printed for it.
BOOST_AUTO_TEST_CASE(a_refused_command_changes_nothing) {
    temp_dir dir;
    auto data = (dir.path() / "fresh").string();
    auto no_password = run_binary({"agent", "add", "carol", "--data", data});
    BOOST_TEST(no_password.exit_code == 2);
    BOOST_TEST(no_password.err.find("--password") != std::string::npos);
    BOOST_TEST(no_password.out.find("admin password") == std::string::npos);
    BOOST_TEST(run_binary({"agent", "passwd", "carol", "--data", data}).exit_code == 2);
    BOOST_TEST(run_binary({"agent", "remove", "carol", "--data", data}).exit_code == 2);
    auto bad_role = run_binary({"agent", "add", "carol", "--password", "carol-pass-1", "--role", "boss", "--data", data});
    BOOST_TEST(bad_role.exit_code == 2);
    BOOST_TEST(bad_role.err.find("role must be admin or agent") != std::string::npos);
    auto short_password = run_binary({"agent", "add", "carol", "--password", "short", "--data", data});
    BOOST_TEST(short_password.exit_code == 2);
    BOOST_TEST(short_password.err.find("at least 8 characters") != std::string::npos);
    BOOST_TEST(!std::filesystem::exists(data));
}

BOOST_AUTO_TEST_SUITE_END()
