// /ws against the real server: auth and Origin, hello, every event type from
// the action that causes it, consecutive seqs, resume, typing, who views
// what, slow clients.
#include "api_session.hpp"
#include "http_client.hpp"
#include "metrics_probe.hpp"
#include "server_process.hpp"
#include "receiver.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <csignal>
#include <thread>
#include <vector>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::string ws_target(const api_client& c) { return "/ws?token=" + c.token; }

std::uint64_t seq_of(const json::object& e) { return e.at("seq").to_number<std::uint64_t>(); }

// Reads events until one of `type` arrives, checking that seqs are consecutive.
json::object expect_event(ws_client& ws, std::uint64_t& last_seq, const std::string& type) {
    for (;;) {
        auto e = ws.next();
        if (e.at("type").as_string() == "typing") continue;
        BOOST_REQUIRE(e.contains("seq"));
        BOOST_TEST(seq_of(e) == last_seq + 1, "seq " << seq_of(e) << " after " << last_seq);
        last_seq = seq_of(e);
        if (e.at("type").as_string() == type) return e;
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(websocket)

BOOST_AUTO_TEST_CASE(upgrade_needs_a_session_and_an_allowed_origin) {
    server_process server;
    auto admin = admin_client(server);
    auto p = server.port();
    BOOST_TEST(ws_client::try_upgrade(p, "/ws") == 401u);
    BOOST_TEST(ws_client::try_upgrade(p, "/ws?token=bogus") == 401u);
    BOOST_TEST(ws_client::try_upgrade(p, ws_target(admin), {{"Origin", "https://evil.example"}}) == 403u);
    BOOST_TEST(ws_client::try_upgrade(p, "/ws", {{"Cookie", "switchboard_session=" + admin.token},
                                                 {"Origin", "http://127.0.0.1:" + std::to_string(p)}}) == 101u);
    BOOST_TEST(ws_client::try_upgrade(p, ws_target(admin)) == 101u);  // no Origin: not a browser
    BOOST_TEST(http_request(p, "GET", ws_target(admin)).status == 426u);  // plain GET
}

BOOST_AUTO_TEST_CASE(allowed_origins_flag) {
    server_process server({"--allowed-origins", "https://console.example.com"});
    auto admin = admin_client(server);
    BOOST_TEST(ws_client::try_upgrade(server.port(), ws_target(admin), {{"Origin", "https://console.example.com"}}) == 101u);
    BOOST_TEST(ws_client::try_upgrade(server.port(), ws_target(admin),
                                      {{"Origin", "http://127.0.0.1:" + std::to_string(server.port())}}) == 403u);
}

BOOST_AUTO_TEST_CASE(hello_then_every_event_type_from_its_cause) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto p = server.port();
    user_says(p, "1555", "hi");  // events before the socket: hello must count them

    ws_client ws(p, ws_target(admin));
    auto hello = ws.next();
    BOOST_TEST(hello.at("type").as_string() == "hello");
    std::uint64_t last = hello.at("seq").to_number<std::uint64_t>();
    BOOST_TEST(last >= 3u);  // presence of admin + the message events

    // The admin's own connection shows up as presence.
    auto presence = expect_event(ws, last, "agent.presence");
    BOOST_TEST(presence.at("data").at("agent").as_string() == "admin");
    BOOST_TEST(presence.at("data").at("online").as_bool());

    user_says(p, "1555", "support");
    auto created = expect_event(ws, last, "message.created");
    BOOST_TEST(created.at("conversation").as_string() == "1555");
    BOOST_TEST(created.at("data").at("text").as_string() == "support");
    BOOST_TEST(created.at("data").at("sender").as_string() == "user");
    BOOST_TEST(!created.at("at").as_string().empty());
    expect_event(ws, last, "message.created");  // the bot's answer
    auto started = expect_event(ws, last, "chat.started");
    auto queued = expect_event(ws, last, "chat.queued");  // right after chat.started
    BOOST_TEST(seq_of(queued) == seq_of(started) + 1);
    BOOST_TEST(queued.at("data").at("position").as_int64() == 1);
    expect_event(ws, last, "conversation.updated");

    admin.json("POST", "/conversations/1555/chat-support/start");
    auto assigned = expect_event(ws, last, "chat.assigned");
    BOOST_TEST(assigned.at("data").at("agent").as_string() == "admin");

    admin.json("POST", "/conversations/1555/chat-support/send", R"({"text":"hello","client_id":"opt-1"})", 201);
    auto mine = expect_event(ws, last, "message.created");  // an agent's own actions come back too
    while (mine.at("data").at("sender").as_string() != "admin") mine = expect_event(ws, last, "message.created");
    BOOST_TEST(mine.at("data").at("client_id").as_string() == "opt-1");

    admin.json("POST", "/conversations/1555/chat-support/transfer", R"({"to":"bob"})");
    auto moved = expect_event(ws, last, "chat.transferred");
    BOOST_TEST(moved.at("data").at("from").as_string() == "admin");
    BOOST_TEST(moved.at("data").at("to").as_string() == "bob");

    bob.json("POST", "/conversations/1555/chat-support/end");
    auto ended = expect_event(ws, last, "chat.ended");
    BOOST_TEST(ended.at("data").at("reason").as_string() == "agent");

    {
        ws_client bob_ws(p, ws_target(bob));
        auto bob_online = expect_event(ws, last, "agent.presence");
        BOOST_TEST(bob_online.at("data").at("agent").as_string() == "bob");
    }
    auto bob_offline = expect_event(ws, last, "agent.presence");
    BOOST_TEST(!bob_offline.at("data").at("online").as_bool());
}

// A waiting conversation's object names its place in the queue in every
// event about it, not only in the events of joining and moving up.
BOOST_AUTO_TEST_CASE(a_waiting_chat_keeps_its_queue_position_in_conversation_events) {
    server_process server;
    auto admin = admin_client(server);
    auto p = server.port();
    user_says(p, "1555", "support");
    user_says(p, "1666", "support");
    ws_client ws(p, ws_target(admin));
    std::uint64_t last = ws.next().at("seq").to_number<std::uint64_t>();

    // An agent reads it.
    auto read = admin.json("POST", "/conversations/1666/read", R"({"up_to":1})");
    BOOST_TEST(read.at("queue_position").as_int64() == 2);
    auto after_read = expect_event(ws, last, "conversation.updated");
    BOOST_TEST(after_read.at("data").at("unread").as_int64() == 0);
    BOOST_TEST(after_read.at("data").at("queue_position").as_int64() == 2);

    // The user's message changes it beyond what the message shows (a new name).
    auto res = http_request(p, "POST", "/webhook", R"({"from":"1666","text":"still there?","name":"Ann"})");
    BOOST_REQUIRE(res.status == 200u);
    auto renamed = expect_event(ws, last, "conversation.updated");
    BOOST_TEST(renamed.at("data").at("name").as_string() == "Ann");
    BOOST_TEST(renamed.at("data").at("queue_position").as_int64() == 2);

    // Once the first in line is claimed, it is first.
    admin.json("POST", "/conversations/1555/chat-support/start");
    auto moved = admin.json("POST", "/conversations/1666/read", R"({"up_to":99})");
    BOOST_TEST(moved.at("queue_position").as_int64() == 1);
}

// Availability is what automatic routing asks: every console hears of it.
// A new password closes the sockets of the sessions it ended.
BOOST_AUTO_TEST_CASE(availability_is_pushed_and_a_new_password_closes_ended_sessions_sockets) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto p = server.port();
    ws_client ws(p, ws_target(admin));
    std::uint64_t last = ws.next().at("seq").to_number<std::uint64_t>();
    expect_event(ws, last, "agent.presence");  // admin online

    admin.json("PATCH", "/agents/bob", R"({"available":false})");
    auto away = expect_event(ws, last, "agent.presence");
    BOOST_TEST(away.at("data").at("agent").as_string() == "bob");
    BOOST_TEST(!away.at("data").at("available").as_bool());
    BOOST_TEST(!away.at("data").at("online").as_bool());
    admin.json("PATCH", "/agents/bob", R"({"max_chats":4})");  // not presence: no event
    bob.json("PATCH", "/agents/bob", R"({"available":true})");
    auto back = expect_event(ws, last, "agent.presence");
    BOOST_TEST(back.at("data").at("available").as_bool());
    BOOST_TEST(back.at("seq").to_number<std::uint64_t>() == away.at("seq").to_number<std::uint64_t>() + 1);

    api_client bob_elsewhere{p, login(p, "bob", "secret-bob")};
    ws_client bob_ws(p, ws_target(bob));
    ws_client elsewhere_ws(p, ws_target(bob_elsewhere));
    BOOST_TEST(expect_event(ws, last, "agent.presence").at("data").at("online").as_bool());
    bob.json("POST", "/auth/password", R"({"current_password":"secret-bob","new_password":"new-secret-1"})");
    auto code = elsewhere_ws.wait_close();
    BOOST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 1008u);
    BOOST_TEST(ws_client::try_upgrade(p, ws_target(bob_elsewhere)) == 401u);
    // Logging out closes that session's socket the same way.
    api_client bob_third{p, login(p, "bob", "new-secret-1")};
    ws_client third_ws(p, ws_target(bob_third));
    bob_third.json("POST", "/auth/logout");
    code = third_ws.wait_close();
    BOOST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 1008u);
    // The socket of the session that made the change goes on.
    admin.json("PATCH", "/agents/bob", R"({"available":false})");
    auto seen = bob_ws.next_of_type("agent.presence");
    while (!seen.at("data").as_object().contains("available")) seen = bob_ws.next_of_type("agent.presence");
    BOOST_TEST(!seen.at("data").at("available").as_bool());
}

// A session that runs out takes its socket with it: nobody reads on past it.
BOOST_AUTO_TEST_CASE(a_socket_closes_when_its_session_expires) {
    server_process server({"--session-ttl", "2", "--admin-password", known_admin_password});
    auto p = server.port();
    auto admin = known_admin(p);
    ws_client ws(p, ws_target(admin));
    BOOST_TEST(ws.next().at("type").as_string() == "hello");
    auto code = ws.wait_close(std::chrono::seconds(10));
    BOOST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 1008u);
    BOOST_TEST(admin.call("GET", "/me").status == 401u);  // ended for REST too
}

BOOST_AUTO_TEST_CASE(message_status_events_follow_whatsapp_statuses) {
    receiver graph({200, R"({"messages":[{"id":"wamid.out-1"}]})", {}});
    server_process server({"--wa-api-base", graph.url()});
    auto admin = admin_client(server);
    ws_client ws(server.port(), ws_target(admin));
    std::uint64_t last = ws.next().at("seq").to_number<std::uint64_t>();
    auto payload = R"({"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"42"},
        "messages":[{"from":"15551234","id":"wamid.in-1","type":"text","text":{"body":"hi"}}]}}]}]})";
    BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", payload).status == 200u);
    auto sent = expect_event(ws, last, "message.status");  // the menu, accepted by the API
    BOOST_TEST(sent.at("data").at("status").as_string() == "sent");
    auto read = R"({"entry":[{"changes":[{"value":{"statuses":[{"id":"wamid.out-1","status":"read","recipient_id":"15551234"}]}}]}]})";
    BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", read).status == 200u);
    auto status = expect_event(ws, last, "message.status");
    BOOST_TEST(status.at("data").at("status").as_string() == "read");
    BOOST_TEST(status.at("data").at("seq").as_int64() == 2);
}

BOOST_AUTO_TEST_CASE(typing_goes_to_others_only_and_has_no_seq) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    ws_client a(server.port(), ws_target(admin));
    ws_client b(server.port(), ws_target(bob));
    a.next_of_type("hello");
    b.next_of_type("hello");
    a.send(R"({"type":"typing","conversation":"1555","on":true})");
    auto t = b.next_of_type("typing");
    BOOST_TEST(!t.contains("seq"));
    BOOST_TEST(t.at("conversation").as_string() == "1555");
    BOOST_TEST(t.at("data").at("agent").as_string() == "admin");
    BOOST_TEST(t.at("data").at("on").as_bool());
    // Not echoed: the next thing admin's socket sees is an event caused later.
    user_says(server.port(), "1777", "hi");
    for (;;) {
        auto e = a.next();
        BOOST_TEST(e.at("type").as_string() != "typing");
        if (e.at("type").as_string() == "message.created") break;
    }
}

namespace {

json::object next_viewers(ws_client& ws) { return ws.next_of_type("viewers"); }

std::vector<std::string> agents_of(const json::object& viewers) {
    std::vector<std::string> out;
    for (auto& a : viewers.at("data").at("agents").as_array()) out.emplace_back(a.as_string());
    return out;
}

}  // namespace

// Intercom's collision detection: every console is told who has which
// conversation open, once per agent (a second tab of theirs changes nothing),
// and a closed socket leaves it.
BOOST_AUTO_TEST_CASE(every_console_is_told_who_views_a_conversation) {
    server_process server;
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    ws_client a(server.port(), ws_target(admin));
    auto b = std::make_unique<ws_client>(server.port(), ws_target(bob));
    BOOST_TEST(a.next_of_type("hello").at("viewers").as_object().empty());
    b->next_of_type("hello");

    a.send(R"({"type":"viewing","conversation":"+1555"})");
    auto seen = next_viewers(*b);
    BOOST_TEST(!seen.contains("seq"));
    BOOST_TEST(seen.at("conversation").as_string() == "1555");
    BOOST_TEST(agents_of(seen) == std::vector<std::string>{"admin"});
    BOOST_TEST(agents_of(next_viewers(a)) == std::vector<std::string>{"admin"});  // its own too: another tab's

    b->send(R"({"type":"viewing","conversation":"1555"})");
    BOOST_TEST(agents_of(next_viewers(a)) == (std::vector<std::string>{"admin", "bob"}));
    BOOST_TEST(agents_of(next_viewers(*b)) == (std::vector<std::string>{"admin", "bob"}));

    // A new console learns it from its hello.
    ws_client a2(server.port(), ws_target(admin));
    auto hello = a2.next_of_type("hello");
    BOOST_TEST(json::serialize(hello.at("viewers")) == R"({"1555":["admin","bob"]})");
    // The admin's second tab on it, then off it: the admin is there all along.
    a2.send(R"({"type":"viewing","conversation":"1555"})");
    a2.send(R"({"type":"viewing","conversation":null})");
    a2.send(R"({"type":"ping"})");  // a socket's frames are handled in order: with the pong, those two were
    a2.next_of_type("pong");
    // The first tab moves on: bob's console hears that next, and nothing of the second tab's.
    a.send(R"({"type":"viewing","conversation":"1777"})");
    auto left = next_viewers(*b);
    BOOST_TEST(left.at("conversation").as_string() == "1555");
    BOOST_TEST(agents_of(left) == std::vector<std::string>{"bob"});
    auto opened = next_viewers(*b);
    BOOST_TEST(opened.at("conversation").as_string() == "1777");
    BOOST_TEST(agents_of(opened) == std::vector<std::string>{"admin"});

    // Bob's console closes: he has left 1555.
    next_viewers(a);
    next_viewers(a);
    b.reset();
    auto gone = next_viewers(a);
    BOOST_TEST(gone.at("conversation").as_string() == "1555");
    BOOST_TEST(agents_of(gone).empty());
    ws_client a3(server.port(), ws_target(admin));
    BOOST_TEST(json::serialize(a3.next_of_type("hello").at("viewers")) == R"({"1777":["admin"]})");
}

// Frames that are not ours change nothing, are counted as rejections, and
// leave the socket as it was. A resume "after" -1 used to end the socket
// without a close frame: converting it to a seq threw.
BOOST_AUTO_TEST_CASE(frames_that_are_not_ours_are_counted_and_the_socket_goes_on) {
    server_process server;
    auto admin = admin_client(server);
    ws_client ws(server.port(), ws_target(admin));
    auto last = seq_of(ws.next_of_type("hello"));
    const std::vector<std::string> not_ours{
        "not json",
        "[1,2]",
        R"({"no":"type"})",
        R"({"type":"dance"})",
        R"({"type":"resume"})",
        R"({"type":"resume","after":-1})",
        R"({"type":"resume","after":1.5})",
        R"({"type":"typing","on":true})",
        R"({"type":"viewing"})",
        R"({"type":"viewing","conversation":"not a phone"})",
        R"({"type":"viewing","conversation":1555})",
    };
    for (auto& frame : not_ours) ws.send(frame);
    ws.send_binary(R"({"type":"resume","after":0})");
    const std::string series = R"(switchboard_rejections_total{reason="ws_frame"})";
    BOOST_TEST(wait_for_metric(server.port(), series, 12) == 12);
    // Still open, and still live.
    user_says(server.port(), "1555", "still there?");
    auto e = expect_event(ws, last, "message.created");
    BOOST_TEST(e.at("data").at("text").as_string() == "still there?");
    BOOST_TEST(read_metric(server.port(), series) == 12);
}

BOOST_AUTO_TEST_CASE(resume_after_a_disconnect_misses_nothing) {
    server_process server;
    auto admin = admin_client(server);
    std::uint64_t last;
    {
        ws_client ws(server.port(), ws_target(admin));
        last = ws.next().at("seq").to_number<std::uint64_t>();
        user_says(server.port(), "1555", "one");
        while (last < 3) last = seq_of(ws.next_of_type("message.created"));
        ws.drop();
    }
    for (int i = 0; i < 20; ++i) user_says(server.port(), "1555", "while away " + std::to_string(i));
    ws_client ws(server.port(), ws_target(admin));
    auto hello = ws.next();
    auto latest = hello.at("seq").to_number<std::uint64_t>();
    BOOST_TEST(latest > last + 40);
    ws.send(R"({"type":"resume","after":)" + std::to_string(last) + "}");
    std::uint64_t seen = last;
    while (seen < latest) {
        auto e = ws.next();
        if (!e.contains("seq")) continue;
        BOOST_TEST(seq_of(e) == seen + 1);
        seen = seq_of(e);
    }
    user_says(server.port(), "1555", "live again");  // and live events carry on after the backlog
    for (;;) {
        auto e = ws.next();
        if (!e.contains("seq")) continue;
        BOOST_TEST(seq_of(e) == seen + 1);
        seen = seq_of(e);
        if (e.at("type").as_string() == "message.created" && e.at("data").at("text").as_string() == "live again") break;
    }
}

BOOST_AUTO_TEST_CASE(resume_from_the_stored_log_after_a_restart_and_resync_beyond_it) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    std::uint64_t before;
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        ws_client ws(server.port(), ws_target(admin));
        before = ws.next().at("seq").to_number<std::uint64_t>();
        for (int i = 0; i < 5; ++i) user_says(server.port(), "1555", "m" + std::to_string(i));
        server.send_signal(SIGTERM);
        BOOST_TEST(ws.wait_close().value_or(0) == 1001u);  // going away
        BOOST_TEST(server.wait_exit(5s).value_or(-1) == 0);
    }
    server_process server(args);
    auto admin = known_admin(server.port());
    ws_client ws(server.port(), ws_target(admin));
    auto latest = ws.next().at("seq").to_number<std::uint64_t>();
    BOOST_TEST(latest >= before + 10);  // numbering continues after the restart (the user's and the bot's messages)
    ws.send(R"({"type":"resume","after":)" + std::to_string(before) + "}");
    std::uint64_t seen = before;
    while (seen < latest) {
        auto e = ws.next();
        BOOST_TEST(seq_of(e) == seen + 1);
        seen = seq_of(e);
    }

    ws_client lost(server.port(), ws_target(admin));
    auto hello = lost.next();
    lost.send(R"({"type":"resume","after":)" + std::to_string(hello.at("seq").to_number<std::uint64_t>() + 1000) + "}");
    BOOST_TEST(lost.next_of_type("resync").at("type").as_string() == "resync");
}

// A backlog past the lag bound would get the socket closed as too far behind
// while it caught up, and the console would come back to resume from about
// the same place. Such a resume is answered with resync (the console
// reloads over REST), and the socket goes on live; one within the bound is
// replayed as before.
BOOST_AUTO_TEST_CASE(a_resume_further_behind_than_the_lag_bound_is_answered_with_resync) {
    server_process server({"--ws-max-lag", "50"});
    auto admin = admin_client(server);
    auto away_for = [&](int messages) {
        std::uint64_t left_at;
        {
            ws_client ws(server.port(), ws_target(admin));
            left_at = ws.next().at("seq").to_number<std::uint64_t>();
            ws.drop();
        }
        for (int i = 0; i < messages; ++i) user_says(server.port(), "1666", "while away " + std::to_string(i));
        return left_at;
    };

    auto near = away_for(10);  // 20 events: within the bound
    ws_client replayed(server.port(), ws_target(admin));
    auto latest = replayed.next().at("seq").to_number<std::uint64_t>();
    BOOST_TEST(latest - near < 50u);
    replayed.send(R"({"type":"resume","after":)" + std::to_string(near) + "}");
    auto first = replayed.next();
    BOOST_TEST(first.at("type").as_string() != "resync");
    BOOST_TEST(seq_of(first) == near + 1);

    auto far = away_for(40);  // 80 events: past it
    ws_client resynced(server.port(), ws_target(admin));
    latest = resynced.next().at("seq").to_number<std::uint64_t>();
    BOOST_TEST(latest - far > 50u);
    resynced.send(R"({"type":"resume","after":)" + std::to_string(far) + "}");
    auto answer = resynced.next();
    BOOST_TEST(answer.at("type").as_string() == "resync");
    BOOST_TEST(answer.at("seq").to_number<std::uint64_t>() == latest);
    user_says(server.port(), "1666", "live again");
    auto live = resynced.next_of_type("message.created");
    BOOST_TEST(seq_of(live) == latest + 1);
    BOOST_TEST(live.at("data").at("text").as_string() == "live again");
}

BOOST_AUTO_TEST_CASE(a_client_that_stops_reading_is_closed_and_slows_nobody) {
    server_process server({"--ws-max-lag", "3000"});
    auto admin = admin_client(server);
    ws_client reader(server.port(), ws_target(admin));
    ws_client stalled(server.port(), ws_target(admin), {}, true);  // tiny receive buffer, never read
    std::uint64_t seen = reader.next().at("seq").to_number<std::uint64_t>();

    // The reading client reads on its own thread, checking order, while the load goes on.
    std::atomic<bool> done{false};
    std::atomic<bool> in_order{true};
    std::atomic<std::uint64_t> reader_seen{seen};
    std::thread consumer([&] {
        try {
            for (;;) {
                auto next = reader.try_next(200ms);
                if (!next) {
                    if (done && reader_seen >= read_metric(server.port(), "switchboard_events_total")) break;
                    continue;
                }
                auto& e = *next;
                if (!e.contains("seq")) continue;
                if (seq_of(e) != reader_seen + 1) {
                    BOOST_TEST_MESSAGE("out of order: " << seq_of(e) << " after " << reader_seen);
                    in_order = false;
                }
                reader_seen = seq_of(e);
            }
        } catch (const std::exception& e) {
            BOOST_TEST_MESSAGE("reader stopped: " << e.what() << " at " << reader_seen << " of "
                                                  << read_metric(server.port(), "switchboard_events_total"));
            in_order = false;
        }
    });
    // Two events a message at least (the user's and the bot's), well past the stalled socket's lag bound.
    constexpr int messages = 2300;
    for (int i = 0; i < messages; ++i)
        user_says(server.port(), std::to_string(20000 + i % 100), "load " + std::to_string(i));
    done = true;
    consumer.join();
    BOOST_TEST(in_order.load());
    BOOST_TEST(reader_seen.load() >= 2u * messages);

    wait_for_metric(server.port(), R"(switchboard_ws_closed_total{reason="slow"})", 1);
    auto code = stalled.wait_close();
    BOOST_TEST(code.has_value());
    BOOST_TEST((*code == 1013u || *code == 1006u || *code == 1008u));
    BOOST_TEST(wait_for_metric_at_most(server.port(), "switchboard_ws_connections", 1) == 1);
}

// The console's heartbeat: a ping is answered with a pong, whatever else
// the socket carries, and takes no seq.
BOOST_AUTO_TEST_CASE(a_ping_is_answered_with_a_pong) {
    server_process server;
    auto admin = admin_client(server);
    ws_client ws(server.port(), ws_target(admin));
    BOOST_TEST(ws.next().at("type").as_string() == "hello");
    ws.send(R"({"type":"ping"})");
    auto pong = ws.next_of_type("pong");
    BOOST_TEST(!pong.contains("seq"));
}

// An agent whose socket goes silent (a laptop asleep, a network gone: here a
// client that upgrades and then never reads, so never answers the server's
// ping) is closed after --ws-idle-timeout and shown offline to everyone else.
BOOST_AUTO_TEST_CASE(a_silent_socket_is_closed_and_its_agent_shown_offline) {
    server_process server({"--ws-idle-timeout", "2"});
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto p = server.port();
    ws_client ws(p, ws_target(admin));
    auto last = seq_of(ws.next_of_type("hello"));  // hello carries the latest seq
    test_connection silent(p);  // a bare upgrade, then nothing: ws_client would answer pings
    silent.send_raw("GET " + ws_target(bob) +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    BOOST_REQUIRE(silent.read_response().status == 101u);
    auto online = expect_event(ws, last, "agent.presence");
    while (online.at("data").at("agent").as_string() != "bob") online = expect_event(ws, last, "agent.presence");
    BOOST_TEST(online.at("data").at("online").as_bool());
    // The admin's socket reads, so it answers the pings and stays.
    auto offline = expect_event(ws, last, "agent.presence");
    BOOST_TEST(offline.at("data").at("agent").as_string() == "bob");
    BOOST_TEST(!offline.at("data").at("online").as_bool());
}

// A socket that is to be closed while a write to it is in flight (a client
// slow to read, a large frame) gets its close frame after that write, so the
// console learns why (1008: the session ended, back to the login form)
// rather than seeing the connection drop (1006) and reconnecting for ever.
BOOST_AUTO_TEST_CASE(a_socket_closed_in_the_middle_of_a_write_still_gets_its_close_code) {
    server_process server;
    auto admin = admin_client(server);
    auto p = server.port();
    ws_client stalled(p, ws_target(admin), {}, /*tiny_buffer=*/true);
    stalled.send(R"({"type":"ping"})");  // said something: its events flow at once
    // About 4 MB of events, far more than the socket buffers hold between
    // the server and a client that reads nothing: its write is left in flight.
    std::string big(4000, 'x');
    for (int i = 0; i < 1000; ++i)
        BOOST_REQUIRE(http_request(p, "POST", "/webhook", R"({"from":"1555","text":")" + big + R"("})").status == 200u);
    admin.json("POST", "/auth/logout");
    stalled.start_reading();
    auto code = stalled.wait_close();
    BOOST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 1008u);
}

BOOST_AUTO_TEST_SUITE_END()
