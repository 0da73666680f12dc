// switchboard-load: drives a Switchboard (or the bare ceiling) over loopback
// and reports what users and agents would feel, as a table line and one JSON
// line per run.
//
//   switchboard-load --mode ingest|chat|scale (--url http://127.0.0.1:PORT | --spawn BINARY [--server-arg ARG]…)
//     [--connections 64] [--users 10000] [--agents 20] [--rate 0] [--duration 10] [--requests N]
//     [--reply-every 10] [--admin-password PW] [--label NAME]
//
// ingest: webhook load only; --rate 0 is closed-loop, --rate R open-loop (latency from each request's
//         scheduled time, so queueing counts).
// chat:   users open chats with `support`, agents log in, hold /ws and claim them; then users write at
//         an open-loop total rate R while agents answer every Nth message through chat-support/send to
//         this tool's own outbound receiver. Measures webhook ack, user → agent push and agent →
//         outbound delivery latency, and counts lost messages (acknowledged but never pushed or
//         delivered). Needs --spawn (the tool sets --outbound-url) or a server whose --outbound-url
//         points at --receiver-port.
// scale:  opens --users conversations and reports resident memory per conversation (needs --spawn).
//
// Exit code 1 when anything was lost or failed.
#include "histogram.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

extern char** environ;

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;
using switchboard::load::histogram;
constexpr auto tuple = net::as_tuple(net::use_awaitable);

namespace {

struct options {
    std::string mode = "ingest";
    std::string host = "127.0.0.1", port;
    std::string spawn;
    std::vector<std::string> server_args;
    std::string label;
    std::string admin_password = "load-test-admin-password";
    std::size_t connections = 64, agents = 20, reply_every = 10;
    std::uint64_t users = 10000, requests = 0;
    double rate = 0, duration = 10;
    std::string run_id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000000);
};

bool parse(int argc, char** argv, options& o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--url") {
            auto rest = v.substr(v.find("://") + 3);
            auto colon = rest.find(':');
            o.host = rest.substr(0, colon);
            o.port = colon == std::string::npos ? "80" : rest.substr(colon + 1, rest.find('/', colon) - colon - 1);
        } else if (k == "--mode") o.mode = v;
        else if (k == "--spawn") o.spawn = v;
        else if (k == "--server-arg") o.server_args.push_back(v);
        else if (k == "--label") o.label = v;
        else if (k == "--admin-password") o.admin_password = v;
        else if (k == "--connections") o.connections = std::stoul(v);
        else if (k == "--agents") o.agents = std::stoul(v);
        else if (k == "--reply-every") o.reply_every = std::stoul(v);
        else if (k == "--users" || k == "--conversations") o.users = std::stoull(v);
        else if (k == "--requests") o.requests = std::stoull(v);
        else if (k == "--rate") o.rate = std::stod(v);
        else if (k == "--duration") o.duration = std::stod(v);
        else return false;
    }
    if (o.label.empty()) o.label = o.mode;
    return (o.mode == "ingest" || o.mode == "chat" || o.mode == "scale") && o.connections > 0 && o.users > 0 &&
           (!o.port.empty() || !o.spawn.empty()) && !(o.mode == "scale" && o.spawn.empty());
}

// ---- the server, when this tool starts it -------------------------------------------------------

struct spawned_server {
    pid_t pid = -1;
    std::string port;
    ~spawned_server() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
    }
};

void start_server(const options& o, unsigned short receiver_port, spawned_server& s) {
    std::vector<std::string> args{o.spawn, "--port", "0", "--admin-password", o.admin_password,
                                  "--log-level", "warn", "--outbound-url",
                                  "http://127.0.0.1:" + std::to_string(receiver_port) + "/inbox"};
    if (std::find(o.server_args.begin(), o.server_args.end(), "--data") == o.server_args.end())
        args.insert(args.end(), {"--data", ":memory:"});
    args.insert(args.end(), o.server_args.begin(), o.server_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    if (posix_spawn(&s.pid, argv[0], &fa, nullptr, argv.data(), environ) != 0)
        throw std::runtime_error("cannot start " + o.spawn);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    std::string out;
    char buf[512];
    while (out.find('\n', out.find("listening on ")) == std::string::npos || out.find("listening on ") == std::string::npos) {
        auto n = read(fds[0], buf, sizeof buf);
        if (n <= 0) throw std::runtime_error("the server did not report its port");
        out.append(buf, static_cast<std::size_t>(n));
    }
    auto at = out.find("listening on ");
    auto line = out.substr(at, out.find('\n', at) - at);
    s.port = line.substr(line.rfind(':') + 1);
    // Keep draining stdout so the server never blocks on it.
    std::thread([fd = fds[0]] {
        char b[512];
        while (read(fd, b, sizeof b) > 0) {
        }
        close(fd);
    }).detach();
}

long long rss_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
    return -1;
}

// ---- shared state of a run ----------------------------------------------------------------------

struct run_state {
    options opt;
    clock_type::time_point start, deadline;
    std::atomic<std::uint64_t> next{0};
    std::uint64_t errors = 0;
    histogram ack, push, delivery;
    // chat mode
    std::vector<clock_type::time_point> sent_at;  // by message index
    std::vector<bool> acked, pushed;
    std::unordered_map<std::string, clock_type::time_point> replies_sent;  // reply text → send time
    std::uint64_t replies_delivered = 0, reply_errors = 0;
    std::uint64_t socket_drops = 0;  // agent sockets the server closed during the run
    std::vector<std::string> owner;  // phone index → agent token that has it
    std::map<std::string, std::string> tokens;  // agent → token
    bool measuring = false;
};

std::string phone_of(std::uint64_t i, const options& o) { return std::to_string(4000000000ull + i % o.users); }

// ---- HTTP ---------------------------------------------------------------------------------------

struct http_conn {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    explicit http_conn(net::any_io_executor ex) : stream(ex) {}
};

net::awaitable<std::unique_ptr<http_conn>> connect(const options& o) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    auto eps = co_await resolver.async_resolve(o.host, o.port, net::use_awaitable);
    auto c = std::make_unique<http_conn>(ex);
    co_await c->stream.async_connect(eps, net::use_awaitable);
    c->stream.socket().set_option(tcp::no_delay(true));
    co_return c;
}

net::awaitable<bhttp::response<bhttp::string_body>> request(http_conn& c, const options& o, bhttp::verb verb,
                                                            const std::string& target, const std::string& body,
                                                            const std::string& token) {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, o.host);
    req.set(bhttp::field::content_type, "application/json");
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
    req.body() = body;
    req.prepare_payload();
    c.stream.expires_after(std::chrono::seconds(30));
    co_await bhttp::async_write(c.stream, req, net::use_awaitable);
    bhttp::response<bhttp::string_body> res;
    co_await bhttp::async_read(c.stream, c.buffer, res, net::use_awaitable);
    co_return res;
}

std::string webhook_body(const std::string& from, const std::string& text, const std::string& id) {
    return json::serialize(json::object{{"from", from}, {"text", text}, {"id", id}});
}

// One webhook worker: messages i ≡ slot (mod connections), at their scheduled times.
net::awaitable<void> webhook_worker(run_state& s, std::size_t slot, std::uint64_t count, bool paced,
                                    std::function<std::string(std::uint64_t)> text_of) {
    auto c = co_await connect(s.opt);
    net::steady_timer pace(co_await net::this_coro::executor);
    for (std::uint64_t i = slot; i < count; i += s.opt.connections) {
        auto scheduled = clock_type::now();
        if (paced && s.opt.rate > 0) {
            scheduled = s.start + std::chrono::duration_cast<clock_type::duration>(
                                      std::chrono::duration<double>(static_cast<double>(i) / s.opt.rate));
            if (scheduled > s.deadline) break;
            if (scheduled > clock_type::now()) {
                pace.expires_at(scheduled);
                co_await pace.async_wait(net::use_awaitable);
            }
        } else if (paced && clock_type::now() > s.deadline) {
            break;
        }
        // Setup and measured messages must not share ids: the server would take them as retries.
        auto body = webhook_body(phone_of(i, s.opt), text_of(i), (paced ? "L" : "S") + s.opt.run_id + "-" + std::to_string(i));
        if (i < s.sent_at.size()) s.sent_at[i] = scheduled;
        auto res = co_await request(*c, s.opt, bhttp::verb::post, "/webhook", body, {});
        auto done = clock_type::now();
        if (res.result_int() != 200) {
            ++s.errors;
            continue;
        }
        if (paced) s.ack.record(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(done - scheduled).count()));
        if (i < s.acked.size()) s.acked[i] = true;
    }
}

// ---- the outbound receiver ----------------------------------------------------------------------

net::awaitable<void> receiver_session(run_state& s, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        bhttp::request<bhttp::string_body> req;
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, tuple);
        if (ec) co_return;
        auto now = clock_type::now();
        boost::system::error_code jec;
        auto v = json::parse(req.body(), jec);
        if (!jec && v.is_object() && v.as_object().contains("text")) {
            std::string text(v.at("text").as_string());
            if (auto it = s.replies_sent.find(text); it != s.replies_sent.end()) {
                s.delivery.record(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - it->second).count()));
                s.replies_sent.erase(it);
                ++s.replies_delivered;
            }
        }
        bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
        res.body() = "{}";
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await bhttp::async_write(stream, res, tuple);
        if (wec) co_return;
    }
}

net::awaitable<void> receiver_loop(run_state& s, tcp::acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(tuple);
        if (ec) co_return;
        net::co_spawn(acceptor.get_executor(), receiver_session(s, std::move(socket)), net::detached);
    }
}

// ---- agents -------------------------------------------------------------------------------------

// JSON bodies built in plain functions: GCC 12 rejects braced JSON inside coroutines.
std::string credentials_body(const std::string& user, const std::string& password) {
    return json::serialize(json::object{{"username", user}, {"password", password}});
}
std::string text_body(const std::string& text) { return json::serialize(json::object{{"text", text}}); }

net::awaitable<void> send_reply(run_state& s, std::string phone, std::string reply) {
    auto c = co_await connect(s.opt);
    auto res = co_await request(*c, s.opt, bhttp::verb::post, "/conversations/" + phone + "/chat-support/send",
                                text_body(reply), s.owner[std::stoull(phone) - 4000000000ull]);
    if (res.result_int() != 201) {
        ++s.reply_errors;
        if (getenv("LOAD_DEBUG") && s.reply_errors < 5) std::cerr << "reply refused: " << res.result_int() << " " << res.body() << "\n";
    }
}

// Every agent socket receives every event; one of them (`measure`) parses them
// for latency and replies, the others only drain, so the tool stays cheaper than the server.
net::awaitable<void> agent_socket(run_state& s, std::string token, bool* stop, bool measure) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    auto eps = co_await resolver.async_resolve(s.opt.host, s.opt.port, net::use_awaitable);
    websocket::stream<beast::tcp_stream> ws(ex);
    co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
    co_await ws.async_handshake(s.opt.host, "/ws?token=" + token, net::use_awaitable);
    beast::flat_buffer buffer;
    auto prefix = "M" + s.opt.run_id + "-";
    while (!*stop) {
        auto [ec, n] = co_await ws.async_read(buffer, tuple);
        if (ec) {
            if (!*stop) ++s.socket_drops;
            co_return;
        }
        if (!measure) {
            buffer.consume(buffer.size());
            continue;
        }
        auto now = clock_type::now();
        auto v = json::parse(beast::buffers_to_string(buffer.data()));
        buffer.consume(buffer.size());
        auto handle = [&](const json::value& e) {
            if (!e.is_object() || e.at("type").as_string() != "message.created") return;
            auto& d = e.at("data");
            if (d.at("sender").as_string() != "user") return;
            std::string text(d.at("text").as_string());
            if (text.rfind(prefix, 0) != 0) return;
            auto i = std::stoull(text.substr(prefix.size()));
            if (i >= s.pushed.size() || s.pushed[i]) return;
            s.pushed[i] = true;
            s.push.record(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - s.sent_at[i]).count()));
            if (s.opt.reply_every && i % s.opt.reply_every == 0) {
                auto reply = "R" + s.opt.run_id + "-" + std::to_string(i);
                s.replies_sent[reply] = clock_type::now();
                net::co_spawn(ws.get_executor(), send_reply(s, phone_of(i, s.opt), reply), net::detached);
            }
        };
        if (v.is_array())
            for (auto& e : v.as_array()) handle(e);
        else
            handle(v);
    }
    co_await ws.async_close(websocket::close_code::normal, tuple);
}

net::awaitable<void> chat_setup(run_state& s) {
    auto c = co_await connect(s.opt);
    auto admin_login = credentials_body("admin", s.opt.admin_password);
    auto login = co_await request(*c, s.opt, bhttp::verb::post, "/auth/login", admin_login, {});
    if (login.result_int() != 200) throw std::runtime_error("admin login failed: " + login.body());
    auto admin = std::string(json::parse(login.body()).at("token").as_string());
    co_await request(*c, s.opt, bhttp::verb::patch, "/agents/admin", R"({"available":false})", admin);
    std::vector<std::string> tokens;
    for (std::size_t a = 0; a < s.opt.agents; ++a) {
        auto name = "load" + s.opt.run_id + "-" + std::to_string(a);
        auto creds = credentials_body(name, "load-password");
        co_await request(*c, s.opt, bhttp::verb::post, "/agents", creds, admin);
        auto res = co_await request(*c, s.opt, bhttp::verb::post, "/auth/login", creds, {});
        tokens.push_back(std::string(json::parse(res.body()).at("token").as_string()));
    }
    s.owner.resize(s.opt.users);
    for (std::uint64_t u = 0; u < s.opt.users; ++u) s.owner[u] = tokens[u % tokens.size()];
    s.tokens.clear();
    for (std::size_t a = 0; a < tokens.size(); ++a) s.tokens[std::to_string(a)] = tokens[a];
}

net::awaitable<void> claim_worker(run_state& s, std::size_t slot, std::size_t workers) {
    auto c = co_await connect(s.opt);
    for (std::uint64_t u = slot; u < s.opt.users; u += workers) {
        auto res = co_await request(*c, s.opt, bhttp::verb::post,
                                    "/conversations/" + phone_of(u, s.opt) + "/chat-support/start", "{}", s.owner[u]);
        if (res.result_int() != 200) ++s.errors;
    }
}

// Runs n coroutines to completion (the receiver keeps the io_context busy forever,
// so this counts its own instead of waiting for run() to return).
template <class F>
void run_all(net::io_context& ioc, std::size_t n, F make) {
    std::exception_ptr failed;
    std::size_t done = 0;
    for (std::size_t i = 0; i < n; ++i)
        net::co_spawn(ioc, make(i), [&](std::exception_ptr e) {
            if (e && !failed) failed = e;
            ++done;
        });
    ioc.restart();
    while (done < n) ioc.run_one();
    if (failed) std::rethrow_exception(failed);
}

double ms(std::uint64_t us) { return static_cast<double>(us) / 1000.0; }

json::object hist_json(const histogram& h) {
    return {{"count", h.count()}, {"p50_ms", ms(h.quantile(0.5))}, {"p90_ms", ms(h.quantile(0.9))},
            {"p99_ms", ms(h.quantile(0.99))}, {"max_ms", ms(h.max())}};
}

}  // namespace

int main(int argc, char** argv) {
    run_state s;
    if (!parse(argc, argv, s.opt)) {
        std::cerr << "usage: switchboard-load --mode ingest|chat|scale (--url http://HOST:PORT | --spawn BINARY)\n"
                     "       [--server-arg ARG]… [--connections N] [--users N] [--agents N] [--rate R]\n"
                     "       [--duration S] [--requests N] [--reply-every N] [--label NAME]\n";
        return 2;
    }
    auto& o = s.opt;
    net::io_context ioc(1);
    tcp::acceptor receiver(ioc, {net::ip::make_address("127.0.0.1"), 0});
    net::co_spawn(ioc, receiver_loop(s, receiver), net::detached);
    spawned_server server;
    try {
        if (!o.spawn.empty()) {
            start_server(o, receiver.local_endpoint().port(), server);
            o.port = server.port;
        }
        json::object out{{"label", o.label}, {"mode", o.mode}, {"connections", o.connections}, {"users", o.users}};
        bool lost_anything = false;

        if (o.mode == "scale") {
            auto before = rss_kb(server.pid);
            run_all(ioc, o.connections, [&](std::size_t slot) {
                return webhook_worker(s, slot, o.users, false, [](std::uint64_t) { return std::string("hi"); });
            });
            auto after = rss_kb(server.pid);
            double per = static_cast<double>(after - before) * 1024.0 / static_cast<double>(o.users);
            out["rss_before_kb"] = before;
            out["rss_after_kb"] = after;
            out["bytes_per_conversation"] = per;
            out["errors"] = s.errors;
            std::printf("%-30s %llu conversations  RSS %lld → %lld kB  %.0f bytes per conversation  errors %llu\n",
                        o.label.c_str(), static_cast<unsigned long long>(o.users), before, after, per,
                        static_cast<unsigned long long>(s.errors));
        } else if (o.mode == "ingest") {
            std::uint64_t count = o.requests ? o.requests : UINT64_MAX;
            s.start = clock_type::now();
            s.deadline = s.start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.duration));
            if (o.requests) s.deadline = clock_type::time_point::max();
            run_all(ioc, o.connections, [&](std::size_t slot) {
                return webhook_worker(s, slot, count, true, [&](std::uint64_t i) { return "load message " + std::to_string(i); });
            });
            double secs = std::chrono::duration<double>(clock_type::now() - s.start).count();
            double tput = static_cast<double>(s.ack.count()) / secs;
            out["rate"] = o.rate;
            out["requests"] = s.ack.count();
            out["errors"] = s.errors;
            out["seconds"] = secs;
            out["throughput"] = tput;
            out["p50_ms"] = ms(s.ack.quantile(0.5));
            out["p90_ms"] = ms(s.ack.quantile(0.9));
            out["p99_ms"] = ms(s.ack.quantile(0.99));
            out["p999_ms"] = ms(s.ack.quantile(0.999));
            out["max_ms"] = ms(s.ack.max());
            std::printf("%-30s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  errors %llu\n", o.label.c_str(),
                        tput, ms(s.ack.quantile(0.5)), ms(s.ack.quantile(0.99)), ms(s.ack.max()),
                        static_cast<unsigned long long>(s.errors));
        } else {  // chat
            // Setup: every user writes once, agents log in and open a chat with each (not through the
            // queue, whose position notices would swamp the setup of 10,000 chats).
            run_all(ioc, o.connections, [&](std::size_t slot) {
                return webhook_worker(s, slot, o.users, false, [](std::uint64_t) { return std::string("hi"); });
            });
            s.next = 0;
            run_all(ioc, 1, [&](std::size_t) { return chat_setup(s); });
            auto claimers = std::min<std::size_t>(o.connections, 16);
            run_all(ioc, claimers, [&](std::size_t slot) { return claim_worker(s, slot, claimers); });
            std::uint64_t setup_errors = s.errors;

            // Measure: open-loop user messages; agents watch /ws and answer.
            auto rate = o.rate > 0 ? o.rate : 1000;
            std::uint64_t total = static_cast<std::uint64_t>(rate * o.duration);
            s.sent_at.assign(total, {});
            s.acked.assign(total, false);
            s.pushed.assign(total, false);
            bool stop = false;
            bool first = true;
            for (auto& [_, token] : s.tokens) {
                net::co_spawn(ioc, agent_socket(s, token, &stop, first), net::detached);
                first = false;
            }
            // Let the sockets say hello before the clock starts.
            net::steady_timer settle(ioc, std::chrono::milliseconds(500));
            settle.async_wait([](auto) {});
            ioc.restart();
            ioc.run_for(std::chrono::milliseconds(600));
            o.rate = rate;
            s.start = clock_type::now();
            s.deadline = s.start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.duration + 1));
            s.errors = 0;
            std::exception_ptr failed;
            for (std::size_t c = 0; c < o.connections; ++c)
                net::co_spawn(ioc, webhook_worker(s, c, total, true, [&](std::uint64_t i) { return "M" + o.run_id + "-" + std::to_string(i); }),
                              [&](std::exception_ptr e) { if (e && !failed) failed = e; });
            // Run until every acknowledged message was pushed and every reply delivered, or a grace period ends.
            auto grace_end = s.deadline + std::chrono::seconds(5);
            for (;;) {
                ioc.restart();
                ioc.run_for(std::chrono::milliseconds(100));
                bool all_sent = true;
                std::uint64_t acked = 0, pushed = 0;
                for (std::uint64_t i = 0; i < total; ++i) {
                    acked += s.acked[i];
                    pushed += s.pushed[i] && s.acked[i];
                }
                all_sent = acked + s.errors >= total || clock_type::now() > s.deadline;
                if (failed) break;
                if (all_sent && pushed == acked && s.replies_sent.empty()) break;
                if (clock_type::now() > grace_end) break;
            }
            stop = true;
            if (failed) std::rethrow_exception(failed);
            std::uint64_t acked = 0, lost_push = 0;
            for (std::uint64_t i = 0; i < total; ++i)
                if (s.acked[i]) {
                    ++acked;
                    if (!s.pushed[i]) ++lost_push;
                }
            auto lost_replies = s.replies_sent.size();
            if (getenv("LOAD_DEBUG"))
                for (std::uint64_t i = 0, shown = 0; i < total && shown < 10; ++i)
                    if (s.acked[i] && !s.pushed[i]) { std::cerr << "lost push " << i << "\n"; ++shown; }
            lost_anything = lost_push || lost_replies;
            double secs = std::chrono::duration<double>(clock_type::now() - s.start).count();
            out["agents"] = o.agents;
            out["rate"] = rate;
            out["messages"] = acked;
            out["errors"] = s.errors + setup_errors + s.reply_errors;
            out["webhook_ack"] = hist_json(s.ack);
            out["push_user_to_agent"] = hist_json(s.push);
            out["delivery_agent_to_outbound"] = hist_json(s.delivery);
            out["replies_delivered"] = s.replies_delivered;
            out["lost_pushes"] = lost_push;
            out["lost_replies"] = lost_replies;
            out["agent_sockets_dropped"] = s.socket_drops;
            if (server.pid > 0) out["server_rss_kb"] = rss_kb(server.pid);
            std::printf("%-30s %llu msgs at %.0f/s  ack p99 %.2f ms  push p50 %.2f p99 %.2f ms  delivery p99 %.2f ms  "
                        "lost %llu+%zu  errors %llu  (%.1fs)\n",
                        o.label.c_str(), static_cast<unsigned long long>(acked), rate, ms(s.ack.quantile(0.99)),
                        ms(s.push.quantile(0.5)), ms(s.push.quantile(0.99)), ms(s.delivery.quantile(0.99)),
                        static_cast<unsigned long long>(lost_push), lost_replies,
                        static_cast<unsigned long long>(s.errors + setup_errors + s.reply_errors), secs);
        }
        std::cout << json::serialize(out) << std::endl;
        auto errors = out.at("errors").to_number<std::uint64_t>();
        return lost_anything || errors ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << "switchboard-load: " << e.what() << "\n";
        return 1;
    }
}
