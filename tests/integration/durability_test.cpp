// The SQLite store under the real server: restarts, kill -9, a full disk and
// a database from the first schema.
#include "api_session.hpp"
#include "http_client.hpp"
#include "metrics_probe.hpp"
#include "receiver.hpp"
#include "server_process.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include "switchboard/core/time.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/hmac.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

json::value say(unsigned short port, const std::string& from, const std::string& text, const std::string& id = {}) {
    json::object body{{"from", from}, {"text", text}};
    if (!id.empty()) body["id"] = id;
    auto res = http_request(port, "POST", "/webhook", json::serialize(body));
    BOOST_REQUIRE_MESSAGE(res.status == 200u, "webhook answered " << res.status << ": " << res.body);
    return json::parse(res.body);
}

std::string state_of(const json::value& answer) { return std::string(answer.at("state").as_string()); }
std::string reply_of(const json::value& answer) {
    return std::string(answer.at("replies").as_array().at(0).at("text").as_string());
}

void stop(server_process& s) {
    s.send_signal(SIGTERM);
    BOOST_REQUIRE(s.wait_exit(5s).value_or(-1) == 0);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The events an endpoint took (answered 2xx), in the order it took them,
// once one of them is `wanted`: waits for each next request until then.
std::vector<json::object> events_taken_until(receiver& endpoint,
                                             const std::function<bool(const json::object&)>& wanted) {
    for (std::size_t n = 1;; ++n) {
        std::vector<json::object> taken;
        for (auto& r : endpoint.wait_for(n))
            if (r.answered / 100 == 2) {
                auto batch = json::parse(r.body);  // named: a loop over a temporary's member would dangle
                for (auto& e : batch.at("events").as_array()) taken.push_back(e.as_object());
            }
        if (std::any_of(taken.begin(), taken.end(), wanted)) return taken;
    }
}

std::function<bool(const json::object&)> event_of(std::string type, std::string phone, std::string text = {}) {
    return [=](const json::object& e) {
        if (e.at("type").as_string() != type || e.at("conversation").as_string() != phone) return false;
        return text.empty() || e.at("data").at("text").as_string() == text;
    };
}

std::string hmac_hex(const std::string& key, const std::string& data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), mac, &len);
    std::string hex;
    for (unsigned i = 0; i < len; ++i) {
        char b[3];
        std::snprintf(b, sizeof b, "%02x", mac[i]);
        hex += b;
    }
    return hex;
}

std::uint64_t seq_of(const json::object& e) { return e.at("seq").to_number<std::uint64_t>(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(durability)

// Every event agents get goes to --events-url as well, signed and in seq
// order. A batch the endpoint refuses comes again from the same event; what
// happens while it is down follows once it is back, across a restart, and
// what it took is never sent again.
BOOST_AUTO_TEST_CASE(the_event_webhook_gets_every_event_in_order_across_outages_and_restarts) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    args.insert(args.end(), {"--events-url", "", "--events-secret", "s3cret"});
    std::uint64_t last_taken = 0;
    unsigned short endpoint_port = 0;
    {
        receiver endpoint;
        endpoint_port = endpoint.port();
        endpoint.script({{503, "{}", {}}, {503, "{}", {}}});
        args[5] = endpoint.url() + "/hooks";
        server_process server(args);
        auto p = server.port();
        say(p, "2001", "support");
        auto taken = events_taken_until(endpoint, event_of("chat.queued", "2001"));
        auto sent = endpoint.requests();
        BOOST_TEST_REQUIRE(sent.size() >= 3u);
        BOOST_TEST(sent[0].answered == 503u);
        BOOST_TEST(sent[1].answered == 503u);
        // Refused twice, then taken: from the same first event each time.
        auto first_of = [](const received_request& r) {
            return seq_of(json::parse(r.body).at("events").as_array().at(0).as_object());
        };
        BOOST_TEST(first_of(sent[1]) == first_of(sent[0]));
        BOOST_TEST(first_of(sent[2]) == first_of(sent[0]));
        for (auto& r : sent) {
            BOOST_TEST(r.method == "POST");
            BOOST_TEST(r.target == "/hooks");
            BOOST_TEST(r.content_type == "application/json");
            BOOST_TEST(r.signature == "sha256=" + hmac_hex("s3cret", r.body));
        }
        // Each event once, in order, as agents get it.
        for (std::size_t i = 1; i < taken.size(); ++i) BOOST_TEST(seq_of(taken[i]) == seq_of(taken[i - 1]) + 1);
        BOOST_TEST(std::any_of(taken.begin(), taken.end(), event_of("message.created", "2001", "support")));
        BOOST_TEST(std::any_of(taken.begin(), taken.end(), event_of("chat.started", "2001")));
        last_taken = seq_of(taken.back());
        BOOST_TEST(metric_value(http_request(p, "GET", "/metrics").body, "switchboard_event_webhook_failures_total") ==
                   2.0);
        server.send_signal(SIGTERM);
        BOOST_TEST(server.wait_exit(5s).value_or(-1) == 0);
    }
    {
        // The endpoint is down: events made meanwhile wait in the log, but
        // a user's erased meanwhile, which go as placeholders.
        server_process server(args);
        say(server.port(), "2002", "made while the endpoint was down");
        say(server.port(), "2004", "my order 4242 is late");
        known_admin(server.port()).json("DELETE", "/conversations/2004");
        server.send_signal(SIGTERM);
        BOOST_TEST(server.wait_exit(5s).value_or(-1) == 0);
    }
    receiver endpoint({200, "{}", {}}, endpoint_port);
    server_process server(args);
    say(server.port(), "2003", "after the restart");
    auto taken = events_taken_until(endpoint, event_of("message.created", "2003", "after the restart"));
    BOOST_TEST_REQUIRE(!taken.empty());
    BOOST_TEST(seq_of(taken.front()) == last_taken + 1);  // nothing it took again, nothing missed
    for (std::size_t i = 1; i < taken.size(); ++i) BOOST_TEST(seq_of(taken[i]) == seq_of(taken[i - 1]) + 1);
    BOOST_TEST(std::any_of(taken.begin(), taken.end(),
                           event_of("message.created", "2002", "made while the endpoint was down")));
    BOOST_TEST(std::any_of(taken.begin(), taken.end(), event_of("conversation.deleted", "2004")));
    BOOST_TEST(std::any_of(taken.begin(), taken.end(), event_of("erased", "")));
    for (auto& e : taken) {
        BOOST_TEST(json::serialize(e).find("4242") == std::string::npos, json::serialize(e));
        if (e.at("conversation").as_string() == "2004") BOOST_TEST(e.at("type").as_string() == "conversation.deleted");
    }

    auto bad = run_binary({"--events-url", "ftp://example.test/hooks"});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(bad.err.find("'ftp://example.test/hooks' is not an http:// or https:// URL") != std::string::npos,
               bad.err);
    auto unsigned_only = run_binary({"--events-secret", "s3cret"});
    BOOST_TEST(unsigned_only.exit_code == 2);
    BOOST_TEST(unsigned_only.err.find("--events-url") != std::string::npos, unsigned_only.err);
}

// An endpoint that answers 413 gets half as many events a POST, from the
// same event, down to one; an event it refuses alone is skipped (it could
// never go, and would hold back all after it), counted, and the rest go.
BOOST_AUTO_TEST_CASE(an_event_webhook_too_small_for_a_batch_gets_smaller_ones) {
    receiver endpoint;
    endpoint.script({{413, "{}", {}}, {413, "{}", {}}, {413, "{}", {}}});
    server_process server({"--events-url", endpoint.url() + "/hooks"});
    auto p = server.port();
    say(p, "2101", "support");  // one step: its events are stored together
    auto taken = events_taken_until(endpoint, event_of("chat.queued", "2101"));
    auto sent = endpoint.requests();
    auto events_in = [&](std::size_t i) {
        auto batch = json::parse(sent.at(i).body);
        return batch.at("events").as_array();
    };
    BOOST_TEST_REQUIRE(events_in(0).size() >= 4u);
    auto first = seq_of(events_in(0)[0].as_object());
    BOOST_TEST(events_in(1).size() == events_in(0).size() / 2);
    BOOST_TEST(seq_of(events_in(1)[0].as_object()) == first);
    BOOST_TEST(events_in(2).size() == 1u);
    BOOST_TEST(seq_of(events_in(2)[0].as_object()) == first);
    // Refused alone: skipped; the next one on goes, a POST each from then on.
    BOOST_TEST(seq_of(events_in(3)[0].as_object()) == first + 1);
    BOOST_TEST(events_in(3).size() == 1u);
    BOOST_TEST(sent[3].answered == 200u);
    BOOST_TEST(seq_of(taken.front()) == first + 1);
    for (std::size_t i = 1; i < taken.size(); ++i) BOOST_TEST(seq_of(taken[i]) == seq_of(taken[i - 1]) + 1);
    BOOST_TEST(read_metric(p, "switchboard_event_webhook_skipped_total") == 1.0);

    // Taken at one a POST fifty times, the batch doubles: one large event
    // does not leave the endpoint a POST per event for good.
    for (int i = 0; i < 60; ++i) say(p, std::to_string(2200000 + i), "hello");
    taken = events_taken_until(endpoint, event_of("message.created", "2200059", "hello"));
    sent = endpoint.requests();
    std::size_t grown = 0;
    for (std::size_t i = 3; i < sent.size() && !grown; ++i)
        if (events_in(i).size() > 1) grown = i;
    BOOST_TEST_REQUIRE(grown > 0u);
    BOOST_TEST(grown == 3u + 50u);  // the fifty at one event each, then two
    BOOST_TEST(events_in(grown).size() == 2u);
    for (std::size_t i = 3; i < sent.size(); ++i) BOOST_TEST(sent[i].answered == 200u);
    for (std::size_t i = 1; i < taken.size(); ++i) BOOST_TEST(seq_of(taken[i]) == seq_of(taken[i - 1]) + 1);
}

// --events-types: only the types chosen go, in order; the rest are passed by.
BOOST_AUTO_TEST_CASE(an_event_webhook_gets_only_the_types_it_chose) {
    receiver endpoint;
    server_process server({"--events-url", endpoint.url() + "/hooks", "--events-types", "chat.started, chat.ended"});
    auto p = server.port();
    say(p, "2201", "support");
    say(p, "2201", "a message in the chat");
    say(p, "2201", "exit");
    auto taken = events_taken_until(endpoint, event_of("chat.ended", "2201"));
    BOOST_TEST_REQUIRE(taken.size() == 2u);
    BOOST_TEST(taken[0].at("type").as_string() == "chat.started");
    BOOST_TEST(taken[1].at("type").as_string() == "chat.ended");
    BOOST_TEST(seq_of(taken[1]) > seq_of(taken[0]) + 1);  // the events between were passed by

    auto bad = run_binary({"--events-url", "http://127.0.0.1:9/hooks", "--events-types", "chat.started,typing"});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(bad.err.find("'typing' is not an event type") != std::string::npos, bad.err);
    auto alone = run_binary({"--events-types", "chat.started"});
    BOOST_TEST(alone.exit_code == 2);
    BOOST_TEST(alone.err.find("--events-url") != std::string::npos, alone.err);
}

BOOST_AUTO_TEST_CASE(a_restart_keeps_every_conversation_where_it_was) {
    temp_dir dir;
    auto data = dir.path().string();
    std::string first_answer;
    {
        server_process server({"--data", data});
        auto p = server.port();
        say(p, "1001", "register");
        say(p, "1001", "John");
        say(p, "1002", "support");
        first_answer = json::serialize(say(p, "1003", "support", "dup-1"));
        say(p, "1004", "register");  // left half-way through registration
        say(p, "1005", "support");
        say(p, "1005", "close");  // left waiting for a rating
        stop(server);
    }
    BOOST_TEST(std::filesystem::exists(dir.path() / "switchboard.db"));
    server_process server({"--data", data});
    auto p = server.port();
    BOOST_TEST(reply_of(say(p, "1001", "hi")).find("Hi John!") != std::string::npos);   // name and registration
    BOOST_TEST(state_of(say(p, "1002", "still there?")) == "CHAT_SUPPORT_ACTIVE");       // open chats stay open
    BOOST_TEST(reply_of(say(p, "1006", "support")).find("number 3 ") != std::string::npos);  // the queue is back
    auto again = http_request(p, "POST", "/webhook", R"({"from":"1003","text":"support","id":"dup-1"})");
    BOOST_TEST(again.body == first_answer);  // deduplication outlives the process
    BOOST_TEST(state_of(say(p, "1004", "Ada")) == "IDLE");
    BOOST_TEST(reply_of(say(p, "1004", "hi")).find("Hi Ada!") != std::string::npos);
    BOOST_TEST(state_of(say(p, "1005", "4")) == "IDLE");
    stop(server);
    auto rows = sqlite_rows(dir.path() / "switchboard.db", "SELECT phone, score FROM ratings");
    BOOST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0][0] == "1005");
    BOOST_TEST(rows[0][1] == "4");
    // Sequence numbers continue: no message was overwritten.
    BOOST_TEST(sqlite_value(dir.path() / "switchboard.db", "SELECT count(*) FROM messages WHERE phone = '1002'") == "4");
    BOOST_TEST(sqlite_value(dir.path() / "switchboard.db", "SELECT max(seq) FROM messages WHERE phone = '1002'") == "4");
}

BOOST_AUTO_TEST_CASE(kill_9_under_load_loses_nothing_that_was_acknowledged) {
    temp_dir dir;
    auto data = dir.path().string();
    std::mutex mutex;
    std::vector<std::pair<std::string, std::string>> acked;  // (from, id)
    {
        server_process server({"--data", data});
        auto port = server.port();
        std::atomic<bool> killed{false};
        std::atomic<int> count{0};
        std::vector<std::thread> clients;
        for (int t = 0; t < 8; ++t)
            clients.emplace_back([&, t] {
                for (int i = 0; i < 2000 && !killed; ++i) {
                    auto from = std::to_string(2000000 + t * 100 + i % 50);  // 400 conversations
                    auto id = "k-" + std::to_string(t) + "-" + std::to_string(i);
                    try {
                        auto res = http_request(port, "POST", "/webhook",
                                                R"({"from":")" + from + R"(","text":"message )" + id + R"(","id":")" +
                                                    id + R"("})");
                        if (res.status != 200) continue;
                        std::lock_guard lock(mutex);
                        acked.emplace_back(from, id);
                        ++count;
                    } catch (const std::exception&) {
                        // the server died under this request: not acknowledged
                    }
                }
            });
        while (count < 3000) std::this_thread::yield();  // well into sustained group commits
        server.send_signal(SIGKILL);
        killed = true;
        for (auto& c : clients) c.join();
        BOOST_TEST(server.wait_exit(5s).value_or(-1) == 128 + SIGKILL);
    }
    BOOST_TEST_MESSAGE(acked.size() << " messages acknowledged before the kill");
    {
        server_process server({"--data", data});  // the store opens cleanly after the crash
        BOOST_TEST(http_request(server.port(), "GET", "/healthz").status == 200u);
        stop(server);
    }
    std::set<std::pair<std::string, std::string>> stored;
    for (auto& row : sqlite_rows(dir.path() / "switchboard.db",
                                 "SELECT phone, channel_id FROM messages WHERE sender = 'user'"))
        stored.emplace(row[0], row[1]);
    std::size_t missing = 0;
    for (auto& a : acked)
        if (!stored.count(a)) ++missing;
    BOOST_TEST(missing == 0u);
}

BOOST_AUTO_TEST_CASE(the_outbox_delivers_after_a_crash) {
    temp_dir dir;
    unsigned short graph_port;
    {
        receiver probe;
        graph_port = probe.port();  // closed again: the API is down
    }
    auto base = "http://127.0.0.1:" + std::to_string(graph_port);
    {
        server_process server({"--data", dir.path().string(), "--wa-api-base", base});
        auto payload = R"({"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"777"},
            "messages":[{"from":"15551234","id":"wamid.crash-1","type":"text","text":{"body":"support"}}]}}]}]})";
        BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", payload).status == 200u);
        wait_for_metric(server.port(), "switchboard_outbox_retries_total", 1);
        server.send_signal(SIGKILL);
        server.wait_exit(5s);
    }
    receiver graph({200, R"({"messages":[{"id":"wamid.after-crash"}]})", {}}, graph_port);
    server_process server({"--data", dir.path().string(), "--wa-api-base", base});
    auto sent = graph.wait_for(1);
    BOOST_TEST(sent[0].target == "/777/messages");
    BOOST_TEST(std::string(json::parse(sent[0].body).at("text").at("body").as_string()).find("queue") !=
               std::string::npos);
    wait_for_metric(server.port(), "switchboard_outbox_accepted_total", 1);
    stop(server);
    BOOST_TEST(sqlite_value(dir.path() / "switchboard.db", "SELECT count(*) FROM outbox") == "0");
    BOOST_TEST(sqlite_value(dir.path() / "switchboard.db",
                            "SELECT status || ' ' || channel_id FROM messages WHERE sender = 'bot'") ==
               "sent wamid.after-crash");
}

// A failed message, its reason and the conversation's count of them survive
// a kill -9: the step that counts it writes the conversation's row (the
// steps that only add messages leave it to be caught up at start).
BOOST_AUTO_TEST_CASE(a_failure_and_its_count_survive_a_crash) {
    temp_dir dir;
    receiver graph({400, R"({"error":{"message":"(#131026) Message undeliverable","code":131026}})", {}});
    auto payload = R"({"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"777"},
        "messages":[{"from":"15551234","id":"wamid.fail-1","type":"text","text":{"body":"hello"}}]}}]}]})";
    {
        server_process server({"--data", dir.path().string(), "--wa-api-base", graph.url()});
        BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", payload).status == 200u);
        wait_for_metric(server.port(), "switchboard_outbox_failed_total", 1);
        server.send_signal(SIGKILL);
        server.wait_exit(5s);
    }
    server_process server({"--data", dir.path().string(), "--wa-api-base", graph.url(), "--admin-password",
                           "a-password-for-the-restart"});
    api_client admin{server.port(), login(server.port(), "admin", "a-password-for-the-restart")};
    auto c = admin.json("GET", "/conversations/15551234");
    BOOST_TEST(c.at("undelivered").as_int64() == 1);
    BOOST_TEST(c.at("messages").as_array().at(1).at("error").as_string() ==
               "HTTP 400: (#131026) Message undeliverable");
}

// An agent's command the store refuses is a 503 to retry, as for webhooks,
// and a saved reply, a view or a label it refused is not listed as saved.
BOOST_AUTO_TEST_CASE(a_full_disk_leaves_saved_replies_as_stored) {
    temp_dir dir;
    server_process server({"--data", dir.path().string(), "--data-max-mb", "1"});
    auto p = server.port();
    auto admin = admin_client(server);
    admin.json("POST", "/canned-responses", R"({"shortcut":"hours","text":"9 to 5"})", 201);
    std::string big(4000, 'x');
    http_result res;
    for (int i = 0; i < 2000; ++i) {
        res = http_request(p, "POST", "/webhook",
                           R"({"from":"1555","text":")" + big + R"(","id":"fill-)" + std::to_string(i) + R"("})");
        if (res.status != 200) break;
    }
    BOOST_REQUIRE(res.status == 503u);
    // Pages freed here and there may still take a reply or two: add until one is refused.
    std::size_t saved = 1;
    http_result refused;
    for (; saved < 1000; ++saved) {
        refused = admin.call("POST", "/canned-responses",
                             R"({"shortcut":"r)" + std::to_string(saved) + R"(","text":")" + big + R"("})");
        if (refused.status != 201) break;
    }
    BOOST_REQUIRE(refused.status == 503u);
    BOOST_TEST(refused.header("retry-after") == "1");
    auto list = admin.json("GET", "/canned-responses").at("canned_responses").as_array();
    BOOST_TEST(list.size() == saved);  // the refused one is not among them
    for (auto& r : list) BOOST_TEST(r.at("shortcut").as_string() != "r" + std::to_string(saved));
    BOOST_TEST(list[0].at("text").as_string() == "9 to 5");

    // Likewise an agent's saved views (each agent's kept whole, as one setting).
    std::string search(200, 'q');
    std::size_t views = 0;
    for (; views < 50; ++views) {
        refused = admin.call("POST", "/views", R"({"name":"v)" + std::to_string(views) + R"(","query":{"q":")" + search + R"("}})");
        if (refused.status != 201) break;
    }
    BOOST_REQUIRE(refused.status == 503u);
    auto kept = admin.json("GET", "/views").at("views").as_array();
    BOOST_TEST(kept.size() == views);
    for (auto& v : kept) BOOST_TEST(v.at("name").as_string() != "v" + std::to_string(views));

    // And the label catalog (kept whole, as one setting, as the teams are).
    std::string description(200, 'd');
    std::size_t labels = 0;
    for (; labels < 200; ++labels) {
        refused = admin.call("PUT", "/labels/l" + std::to_string(labels), R"({"description":")" + description + R"("})");
        if (refused.status != 201) break;
    }
    BOOST_REQUIRE(refused.status == 503u);
    auto catalog = admin.json("GET", "/labels").at("labels").as_array();
    BOOST_TEST(catalog.size() == labels);
    for (auto& l : catalog) BOOST_TEST(l.at("name").as_string() != "l" + std::to_string(labels));
}

BOOST_AUTO_TEST_CASE(a_full_disk_answers_503_and_writes_nothing_half_way) {
    temp_dir dir;
    server_process server({"--data", dir.path().string(), "--data-max-mb", "1"});
    auto p = server.port();
    std::string big(4000, 'x');
    int i = 0;
    http_result res;
    for (; i < 2000; ++i) {
        res = http_request(p, "POST", "/webhook",
                           R"({"from":"1555","text":")" + big + R"(","id":"full-)" + std::to_string(i) + R"("})");
        if (res.status != 200) break;
    }
    BOOST_REQUIRE(res.status == 503u);
    BOOST_TEST(res.header("retry-after") == "1");
    BOOST_TEST(res.body.find(R"("code":"unavailable")") != std::string::npos);
    BOOST_TEST(http_request(p, "GET", "/healthz").status == 200u);
    // The provider retries: still refused, and still not half-written.
    BOOST_TEST(http_request(p, "POST", "/webhook",
                            R"({"from":"1555","text":")" + big + R"(","id":"full-)" + std::to_string(i) + R"("})")
                   .status == 503u);
    stop(server);
    auto db = dir.path() / "switchboard.db";
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM messages WHERE channel_id = 'full-" + std::to_string(i) + "'") == "0");
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM messages WHERE sender = 'user'") == std::to_string(i));
    BOOST_TEST(sqlite_value(db, "SELECT max(seq) FROM messages WHERE phone = '1555'") == std::to_string(2 * i));
    // The conversation row may lag its messages (restoring replays them), by
    // a bounded number of messages.
    auto row_seq = std::stoi(sqlite_value(db, "SELECT last_seq FROM conversations WHERE phone = '1555'"));
    BOOST_TEST(row_seq <= 2 * i);
    BOOST_TEST(row_seq > 2 * i - 32);
}

// A refused write changes nothing anyone can see: a number whose first
// message the store refused has no conversation, in a list, by its number or
// in the metrics. And a store that refuses every write says so once, then
// at most once every ten seconds, not once a webhook.
BOOST_AUTO_TEST_CASE(a_full_disk_neither_shows_refused_conversations_nor_floods_the_log) {
    temp_dir dir;
    server_process server({"--data", dir.path().string(), "--data-max-mb", "1"});
    auto p = server.port();
    std::string big(4000, 'x');
    http_result res;
    for (int i = 0; i < 2000 && res.status != 503u; ++i)
        res = http_request(p, "POST", "/webhook",
                           R"({"from":"1555","text":")" + big + R"(","id":"fill-)" + std::to_string(i) + R"("})");
    BOOST_REQUIRE(res.status == 503u);

    auto refused_from = std::chrono::steady_clock::now();
    constexpr int refused = 200;
    for (int i = 0; i < refused; ++i) {
        auto from = "1666" + std::to_string(i);
        BOOST_REQUIRE(http_request(p, "POST", "/webhook", R"({"from":")" + from + R"(","text":")" + big + R"("})")
                          .status == 503u);
    }
    auto refusing = std::chrono::steady_clock::now() - refused_from;

    auto admin = admin_client(server);
    BOOST_TEST(admin.call("GET", "/conversations/16660").status == 404u);
    auto list = admin.json("GET", "/conversations?limit=100").at("conversations").as_array();
    BOOST_REQUIRE(list.size() == 1u);
    BOOST_TEST(list[0].at("phone").as_string() == "1555");
    BOOST_TEST(read_metric(p, "switchboard_conversations") == 1.0);

    auto log = server.stderr_text();
    std::size_t lines = 0;
    for (auto at = log.find("store write failed"); at != std::string::npos; at = log.find("store write failed", at + 1))
        ++lines;
    // The first, then one each ten seconds at most (and one the filling may
    // have started before the refusals above).
    auto allowed = 2 + static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(refusing).count() / 10);
    BOOST_TEST(lines >= 1u);
    BOOST_TEST(lines <= allowed, lines << " lines for " << refused << " refused writes");
}

// Schema 30 keeps since when each open chat's user waits. A database from
// before it gets that from the messages: the user's oldest message since the
// chat opened and since the agents' latest answer, a reaction left out.
BOOST_AUTO_TEST_CASE(the_chats_open_at_the_upgrade_to_schema_30_learn_who_waits) {
    temp_dir dir;
    auto db = dir.path() / "switchboard.db";
    std::string asked_again, opened_alone, token;
    {
        server_process server({"--data", dir.path().string()});
        auto p = server.port();
        auto admin = admin_client(server);
        say(p, "1471", "support");
        admin.json("POST", "/conversations/1471/chat-support/start");
        auto hello = admin.json("POST", "/conversations/1471/chat-support/send", R"({"text":"Hello"})", 201);
        // The user answers in a later millisecond, as people do: the upgrade
        // tells what came after the answer by its time alone.
        auto answered = *switchboard::parse_iso8601(hello.at("timestamp").as_string());
        while (std::chrono::system_clock::now() <= answered + std::chrono::milliseconds(1)) std::this_thread::yield();
        say(p, "1471", "my order is late");
        say(p, "1471", "order 7");
        say(p, "1472", "support");
        say(p, "1473", "support");
        admin.json("POST", "/conversations/1473/chat-support/start");
        admin.json("POST", "/conversations/1473/chat-support/send", R"({"text":"Hi"})", 201);
        asked_again = std::string(admin.json("GET", "/conversations/1471").at("waiting_since").as_string());
        opened_alone = std::string(admin.json("GET", "/conversations/1472").at("chat_start_time").as_string());
        auto john = admin.json("GET", "/conversations/1471");
        for (auto& m : john.at("messages").as_array())
            if (m.at("text") == "my order is late") BOOST_TEST(m.at("timestamp").as_string() == asked_again);
        token = admin.token;
        stop(server);
    }
    // As the build before schema 30 left it.
    sqlite_script(db, "UPDATE conversations SET channel = 'whatsapp' WHERE phone = '1472'; " + schema_back_to(29));
    server_process server({"--data", dir.path().string()});
    api_client admin{server.port(), token};
    BOOST_TEST(admin.json("GET", "/conversations/1471").at("waiting_since").as_string() == asked_again);
    BOOST_TEST(admin.json("GET", "/conversations/1472").at("waiting_since").as_string() == opened_alone);
    BOOST_TEST(admin.json("GET", "/conversations/1473").at("waiting_since").is_null());
    // Schema 42: each chat learns where it began, the user's `support`.
    for (std::string phone : {"1472", "1473"}) {
        auto chats = admin.json("GET", "/conversations/" + phone + "/chats");
        auto seq = chats.at("chats").at(0).at("first_seq").to_number<std::uint64_t>();
        auto page = admin.json("GET", "/conversations/" + phone + "/messages?limit=1&before=" + std::to_string(seq + 1));
        BOOST_TEST(page.at("messages").at(0).at("text") == "support");
        BOOST_TEST(page.at("messages").at(0).at("seq").to_number<std::uint64_t>() == seq);
    }
    // Schema 43: each chat counts under its conversation's channel.
    auto channels = admin.json("GET", "/reports/summary").at("channels").as_array();
    BOOST_TEST_REQUIRE(channels.size() == 2u, json::serialize(channels));
    BOOST_TEST(channels[0].at("channel").as_string() == "plain");
    BOOST_TEST(channels[0].at("chats_opened").as_int64() == 2);
    BOOST_TEST(channels[1].at("channel").as_string() == "whatsapp");
    BOOST_TEST(channels[1].at("chats_opened").as_int64() == 1);
    BOOST_TEST(std::stoi(sqlite_value(db, "PRAGMA user_version")) == switchboard::store::schema_version());
}

BOOST_AUTO_TEST_CASE(a_database_from_the_first_schema_is_migrated_and_kept) {
    temp_dir dir;
    auto db = dir.path() / "switchboard.db";
    sqlite_script(db, read_text(std::string(SWITCHBOARD_TEST_DATA) + "/schema-v1.sql"));
    server_process server({"--data", dir.path().string()});
    auto p = server.port();
    // v16: the preview's seq, which was the row's last seq until then.
    auto admin = admin_client(server);
    BOOST_TEST(admin.json("GET", "/conversations/15550001").at("last_message") ==
               boost::json::parse(R"({"text":"I need help","type":"text","sender":"user","seq":4})"));
    BOOST_TEST(admin.json("GET", "/conversations/15550002").at("last_message").is_null());  // no message yet
    auto answer = say(p, "15550001", "are you there?");
    BOOST_TEST(state_of(answer) == "CHAT_SUPPORT_ACTIVE");  // the open chat from v1
    BOOST_TEST(reply_of(say(p, "15550002", "hi")).find("Hi Ada!") != std::string::npos);
    BOOST_TEST(reply_of(say(p, "15550003", "support")).find("number 2 ") != std::string::npos);
    auto dup = http_request(p, "POST", "/webhook", R"({"from":"15550001","text":"I need help","id":"v1-b"})");
    BOOST_TEST(dup.body.find("sent to support") != std::string::npos);
    // A key stored now goes in its message's row (v12), and is found there.
    auto fresh = http_request(p, "POST", "/webhook", R"({"from":"15550004","text":"hello","id":"v12-a"})");
    auto retried = http_request(p, "POST", "/webhook", R"({"from":"15550004","text":"hello","id":"v12-a"})");
    BOOST_TEST(retried.body == fresh.body);
    stop(server);
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM messages WHERE dedupe_key = 'plain:v12-a'") == "1");
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM messages WHERE phone = '15550004'") == "2");  // once, not twice
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM dedupe WHERE key = 'plain:v12-a'") == "0");
    BOOST_TEST(sqlite_value(db, "SELECT max(seq) FROM messages WHERE phone = '15550001'") == "6");
    BOOST_TEST(std::stoi(sqlite_value(db, "PRAGMA user_version")) == switchboard::store::schema_version());
    BOOST_TEST(sqlite_value(db, "SELECT active FROM agents WHERE username = 'admin'") == "1");  // v13
    // v7: the dedupe keys are a rowid table with no index (rows append); v1's
    // keys came along (v12 leaves them there), and the duplicate above was
    // found among them.
    BOOST_TEST(sqlite_value(db, "SELECT sql FROM sqlite_master WHERE name = 'dedupe'").find("WITHOUT ROWID") == std::string::npos);
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'dedupe' AND type = 'index'") == "0");
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM dedupe WHERE key = 'plain:v1-b'") == "1");
    // v6: messages are a rowid table (rows append); v8: with no (phone, seq)
    // index, which the store keeps in memory (the reads below go through it);
    // v10: and no UNIQUE(id); v11: and no index by time, which the store
    // also keeps in memory (exports go through it).
    auto messages_sql = sqlite_value(db, "SELECT sql FROM sqlite_master WHERE name = 'messages'");
    BOOST_TEST(messages_sql.find("WITHOUT ROWID") == std::string::npos);
    BOOST_TEST(messages_sql.find("PRIMARY KEY") == std::string::npos);
    BOOST_TEST(messages_sql.find("UNIQUE") == std::string::npos);
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'messages' AND type = 'index'") ==
               "1");  // by channel id
    // v9: the event log in blocks.
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM sqlite_master WHERE name = 'events'") == "0");
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM sqlite_master WHERE name = 'event_blocks'") == "1");
    BOOST_TEST(sqlite_value(db, "SELECT group_concat(text, '|') FROM (SELECT text FROM messages WHERE phone = "
                                "'15550001' AND seq <= 2 ORDER BY seq)") ==
               "support|Connecting you to support… You are number 1 in the queue.");
}

BOOST_AUTO_TEST_CASE(unusable_data_is_a_clear_start_up_error) {
    temp_dir dir;
    std::ofstream(dir.path() / "switchboard.db") << std::string(4096, 'z');
    auto corrupt = run_binary({"--port", "0", "--data", dir.path().string()});
    BOOST_TEST(corrupt.exit_code == 1);
    BOOST_TEST(corrupt.err.find("switchboard.db") != std::string::npos);
    BOOST_TEST(corrupt.err.find("not a database") != std::string::npos);
}

// `switchboard backup` while webhooks keep coming: the copy holds every
// webhook acknowledged before it began and checks out. `switchboard
// restore` puts it back once the server is stopped, keeping the database it
// replaces, and the server then has what the copy held.
BOOST_AUTO_TEST_CASE(a_backup_taken_while_the_server_writes_restores_whole) {
    temp_dir dir;
    auto data = (dir.path() / "data").string();
    auto copy = (dir.path() / "copy.db").string();
    auto webhook = [](unsigned short port, int user) {
        return http_request(port, "POST", "/webhook", R"({"from":")" + std::to_string(14000 + user) + R"(","text":"support"})");
    };
    constexpr int before = 50;
    {
        server_process server({"--data", data});
        auto p = server.port();
        for (int i = 0; i < before; ++i) BOOST_TEST_REQUIRE(webhook(p, i).status == 200u);
        std::atomic<bool> stop{false};
        std::atomic<int> during{0};
        std::thread writer([&] {
            for (int i = before; !stop && i < before + 5000; ++i)
                if (webhook(p, i).status == 200u) ++during;
        });
        while (during < 10) std::this_thread::yield();  // the server is writing
        auto out = run_binary({"backup", "--data", data, "--to", copy});
        stop = true;
        writer.join();
        BOOST_TEST(out.exit_code == 0, out.err);
        BOOST_TEST(out.out.find("backed up " + data + "/switchboard.db to " + copy) != std::string::npos, out.out);

        // Refused, and nothing written.
        auto size = std::filesystem::file_size(copy);
        auto again = run_binary({"backup", "--data", data, "--to", copy});
        BOOST_TEST(again.exit_code == 1);
        BOOST_TEST(again.err.find("exists already") != std::string::npos, again.err);
        BOOST_TEST(std::filesystem::file_size(copy) == size);
        auto nothing = run_binary({"backup", "--data", (dir.path() / "empty").string(), "--to", copy + "2"});
        BOOST_TEST(nothing.exit_code == 1);
        BOOST_TEST(nothing.err.find("no database to back up") != std::string::npos, nothing.err);
        BOOST_TEST(!std::filesystem::exists(dir.path() / "empty"));
        BOOST_TEST(!std::filesystem::exists(copy + "2"));
        BOOST_TEST(run_binary({"backup", "--data", data}).exit_code == 2);  // no --to
        BOOST_TEST(run_binary({"backup", "--data", ":memory:", "--to", copy + "3"}).exit_code == 2);

        BOOST_TEST(webhook(p, 9999).status == 200u);  // after the backup: not in it
        auto running = run_binary({"restore", "--data", data, "--from", copy});
        BOOST_TEST(running.exit_code == 1);
        BOOST_TEST(running.err.find("stop it first") != std::string::npos, running.err);
    }
    auto garbage = (dir.path() / "garbage.db").string();
    std::ofstream(garbage) << std::string(8192, 'g');
    auto refused = run_binary({"restore", "--data", data, "--from", garbage});
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(refused.err.find("cannot restore " + garbage) != std::string::npos, refused.err);
    auto db = data + "/switchboard.db";
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM conversations WHERE phone = '23999'") == "1");  // untouched

    BOOST_TEST(std::filesystem::exists(data + "/search.db"));  // the server's search index
    auto restored = run_binary({"restore", "--data", data, "--from", copy});
    BOOST_TEST_REQUIRE(restored.exit_code == 0, restored.err);
    BOOST_TEST(!std::filesystem::exists(data + "/search.db"));  // made from the database replaced
    auto aside = restored.out.substr(restored.out.find("the database it replaced is now ") + 32);
    aside.erase(aside.find('\n'));
    BOOST_TEST(aside.starts_with(db + ".replaced-"), aside);
    BOOST_TEST(sqlite_value(aside, "SELECT count(*) FROM conversations WHERE phone = '23999'") == "1");  // kept
    BOOST_TEST(!std::filesystem::exists(db + "-wal"));
    BOOST_TEST(!std::filesystem::exists(db + ".restoring"));
    server_process server({"--data", data, "--admin-password", "restored-pw-1"});
    api_client admin{server.port(), login(server.port(), "admin", "restored-pw-1")};
    for (int i = 0; i < before; ++i) {
        auto c = admin.json("GET", "/conversations/" + std::to_string(14000 + i));
        BOOST_TEST(c.at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
        BOOST_TEST(c.at("messages").as_array().size() == 2u);
    }
    auto counted = admin.json("GET", "/conversations?limit=1").at("counts").at("all").as_int64();
    BOOST_TEST(counted >= before);
    BOOST_TEST(admin.call("GET", "/conversations/23999").status == 404u);  // written after the backup
    BOOST_TEST(webhook(server.port(), 0).status == 200u);  // and it takes new ones
}

// A backup is a copy of the database alone: put back, it holds the users
// erased after it was taken. The server erases them again as it starts (the
// list of erasures beside the database says who and when), and audits it;
// a user who wrote again after their erasure is new, and stays.
BOOST_AUTO_TEST_CASE(users_erased_after_a_backup_are_erased_again_when_it_is_put_back) {
    temp_dir dir;
    auto data = dir.path() / "data";
    auto before_erasures = (dir.path() / "before.db").string();
    auto after_return = (dir.path() / "after.db").string();
    auto backup = [&](const std::string& to) {
        auto out = run_binary({"backup", "--data", data.string(), "--to", to});
        BOOST_TEST_REQUIRE(out.exit_code == 0, out.err);
    };
    auto restore = [&](const std::string& from) {
        auto out = run_binary({"restore", "--data", data.string(), "--from", from});
        BOOST_TEST_REQUIRE(out.exit_code == 0, out.err);
    };
    auto erased_again = [](const api_client& admin) {
        std::vector<json::object> entries;
        auto audit = admin.json("GET", "/audit-log");
        for (auto& e : audit.at("entries").as_array())
            if (e.at("action") == "conversation.deleted_again") entries.push_back(e.as_object());
        return entries;
    };
    auto first_text = [](const api_client& admin, const std::string& phone) {
        return std::string(admin.json("GET", "/conversations/" + phone).at("messages").at(0).at("text").as_string());
    };
    {
        server_process server(kept_in(data));
        auto p = server.port();
        auto admin = known_admin(p);
        user_says(p, "15550101", "my order 4242 is late", "Ana");
        user_says(p, "15550102", "hello", "Ben");
        user_says(p, "15550103", "hi", "Cy");
        // A reply Ben's agent scheduled, which the backup holds too.
        user_says(p, "15550102", "support");
        admin.json("POST", "/conversations/15550102/chat-support/start");
        admin.json("POST", "/conversations/15550102/scheduled",
                   R"({"text":"About your order","send_at":")" +
                       switchboard::to_iso8601(std::chrono::system_clock::now() + std::chrono::hours(1)) + "\"}",
                   201);
        backup(before_erasures);
        admin.json("DELETE", "/conversations/15550101");
        admin.json("DELETE", "/conversations/15550102");
        user_says(p, "15550102", "back again");  // Ben anew
        backup(after_return);
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    std::ifstream listed(data / "erasures");
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(listed, line)) lines.push_back(line);
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    BOOST_TEST(lines[0].find("\t15550101\tadmin") != std::string::npos, lines[0]);

    restore(before_erasures);
    {
        server_process server(kept_in(data));
        auto admin = known_admin(server.port());
        BOOST_TEST(admin.call("GET", "/conversations/15550101").status == 404u);
        BOOST_TEST(admin.call("GET", "/conversations/15550102").status == 404u);  // his return came after this backup
        BOOST_TEST(first_text(admin, "15550103") == "hi");
        BOOST_TEST(admin.json("GET", "/conversations?q=4242").at("conversations").as_array().empty());
        BOOST_TEST(admin.json("GET", "/conversations/15550102/scheduled") == json::parse(R"({"scheduled":[]})"));
        // The backup's event log held their events: placeholders now, but for the erasures' own.
        auto resumed = resumed_from_start(server.port(), admin.token);
        BOOST_TEST(std::any_of(resumed.begin(), resumed.end(), [](auto& e) { return e.at("type") == "erased"; }));
        for (auto& e : resumed) {
            BOOST_TEST(json::serialize(e).find("4242") == std::string::npos, json::serialize(e));
            BOOST_TEST(e.at("conversation") != "15550101");
            BOOST_TEST(e.at("conversation") != "15550102");
        }
        auto audit = erased_again(admin);
        BOOST_TEST_REQUIRE(audit.size() == 2u);
        BOOST_TEST(audit[0].at("target").as_string() == "15550102");
        BOOST_TEST(audit[1].at("target").as_string() == "15550101");
        BOOST_TEST(audit[1].at("actor").as_string() == "admin");
        BOOST_TEST(audit[1].at("details").at("messages").as_int64() == 2);
        BOOST_TEST(audit[1].at("details").at("deleted_at").as_string().size() == 24u);
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    BOOST_TEST(sqlite_value(data / "switchboard.db", "SELECT count(*) FROM messages WHERE text LIKE '%4242%'") == "0");

    restore(after_return);
    server_process server(kept_in(data));
    auto admin = known_admin(server.port());
    BOOST_TEST(admin.call("GET", "/conversations/15550101").status == 404u);
    BOOST_TEST(first_text(admin, "15550102") == "back again");
    BOOST_TEST(erased_again(admin).empty());
    std::ifstream relisted(data / "erasures");
    std::size_t count = 0;
    while (std::getline(relisted, line)) ++count;
    BOOST_TEST(count == 2u);  // erasing again lists nothing more
}

BOOST_AUTO_TEST_SUITE_END()
