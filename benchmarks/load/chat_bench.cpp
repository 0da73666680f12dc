// Threads: the caller's thread runs the users (webhook requests); the agents'
// thread runs the measuring socket, the agents' replies and the outbound
// receiver; the drain thread runs the other agent sockets, which only read.
// A message's send time crosses from the users' thread to the agents' thread
// through an atomic; everything else of a phase belongs to the agents' thread
// (the caller reaches it by posting there).
#include "chat_bench.hpp"

#include "http.hpp"
#include "server_process.hpp"
#include "webhook_users.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <charconv>
#include <deque>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

namespace switchboard::load {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;
using tcp = net::ip::tcp;
constexpr auto tuple = net::as_tuple(net::use_awaitable);

namespace {

// Runs f on the io_context's thread and returns its result to the caller.
template <class F>
auto run_on(net::io_context& ioc, F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    net::post(ioc, [&task] { task(); });
    return result.get();
}

struct phase_state {
    phase_state(int n, std::uint64_t count) : number(n), total(count), sent_ns(count), acked(count), pushed(count) {}
    int number;
    std::uint64_t total;
    std::vector<std::atomic<std::int64_t>> sent_ns;  // scheduled send time; written by the users' thread
    std::vector<std::uint8_t> acked;                 // users' thread, read by the agents' once it is done
    std::vector<std::uint8_t> pushed;
    histogram push, delivery;
    std::unordered_map<std::string, clock_type::time_point> replies_sent;  // reply text → when it was sent
    std::uint64_t replies_delivered = 0, reply_errors = 0;
};

struct reply_job {
    std::string phone, text, token;
};

std::string resume_frame(std::uint64_t after) {
    return json::serialize(json::object{{"type", "resume"}, {"after", after}});
}

std::uint64_t seq_of(const json::value& v) {
    auto* o = v.if_object();
    auto* s = o ? o->if_contains("seq") : nullptr;
    return s && s->is_uint64() ? s->as_uint64() : s && s->is_int64() ? static_cast<std::uint64_t>(s->as_int64()) : 0;
}

}  // namespace

struct chat_bench::impl {
    explicit impl(options& opt)
        : o(opt), agents_ioc(1), drain_ioc(1), agents_work(agents_ioc.get_executor()),
          drain_work(drain_ioc.get_executor()), receiver(agents_ioc, {net::ip::make_address("127.0.0.1"), 0}),
          replies_wake(agents_ioc, clock_type::time_point::max()) {
        net::co_spawn(agents_ioc, receiver_loop(), net::detached);
        if (!o.spawn.empty()) {
            server = std::make_unique<server_process>(o, receiver.local_endpoint().port());
            o.port = server->port();
        }
        agents_thread = std::thread([this] { agents_ioc.run(); });
        drain_thread = std::thread([this] { drain_ioc.run(); });
    }

    ~impl() {
        stopping = true;
        agents_ioc.stop();
        drain_ioc.stop();
        agents_thread.join();
        drain_thread.join();
    }

    options& o;
    net::io_context agents_ioc, drain_ioc;
    net::executor_work_guard<net::io_context::executor_type> agents_work, drain_work;
    tcp::acceptor receiver;
    std::unique_ptr<server_process> server;
    std::thread agents_thread, drain_thread;
    std::vector<std::string> tokens;  // agent a has the chats of users u with u mod agents == a
    std::atomic<std::size_t> sockets_ready{0};
    std::atomic<std::uint64_t> socket_drops{0};
    std::atomic<bool> stopping{false};
    int phases_started = 0;

    // The agents' thread only.
    phase_state* current = nullptr;
    std::deque<reply_job> replies;
    net::steady_timer replies_wake;  // never expires: cancel_one() wakes one idle reply worker

    const std::string& token_of_user(std::uint64_t u) const { return tokens[u % tokens.size()]; }
    std::string message_prefix() const { return "M" + o.run_id + "-"; }

    // ---- the outbound receiver: agents' replies arriving at the user's channel ----

    void delivered(const std::string& body, clock_type::time_point now) {
        boost::system::error_code ec;
        auto v = json::parse(body, ec);
        if (ec || !current || !v.is_object()) return;
        auto* text = v.as_object().if_contains("text");
        if (!text || !text->is_string()) return;
        auto it = current->replies_sent.find(std::string(text->as_string()));
        if (it == current->replies_sent.end()) return;
        current->delivery.record(micros(now - it->second));
        current->replies_sent.erase(it);
        ++current->replies_delivered;
    }

    net::awaitable<void> receiver_session(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        for (;;) {
            bhttp::request<bhttp::string_body> req;
            auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, tuple);
            if (ec) co_return;
            delivered(req.body(), clock_type::now());
            bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
            res.body() = "{}";
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            auto [wec, wn] = co_await bhttp::async_write(stream, res, tuple);
            if (wec) co_return;
        }
    }

    net::awaitable<void> receiver_loop() {
        for (;;) {
            auto [ec, socket] = co_await receiver.async_accept(tuple);
            if (ec) co_return;
            net::co_spawn(agents_ioc, receiver_session(std::move(socket)), net::detached);
        }
    }

    // ---- agents' sockets ----

    // A measured user message arrived at the agent: record its latency and maybe answer it.
    void pushed(const std::string& text, const std::string& phone, clock_type::time_point now) {
        auto prefix = message_prefix();
        if (!current || text.rfind(prefix, 0) != 0) return;
        int phase = 0;
        std::uint64_t i = 0;
        auto* p = text.data() + prefix.size();
        auto* end = text.data() + text.size();
        auto r1 = std::from_chars(p, end, phase);
        if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != '-') return;
        auto r2 = std::from_chars(r1.ptr + 1, end, i);
        if (r2.ec != std::errc() || phase != current->number || i >= current->total || current->pushed[i]) return;
        current->pushed[i] = 1;
        auto sent = current->sent_ns[i].load(std::memory_order_acquire);
        if (sent != 0) current->push.record(micros(now - clock_type::time_point(clock_type::duration(sent))));
        if (o.reply_every && i % o.reply_every == 0) {
            auto reply = "R" + o.run_id + "-" + std::to_string(phase) + "-" + std::to_string(i);
            current->replies_sent[reply] = clock_type::now();
            replies.push_back({phone, std::move(reply), token_of_user(user_of_phone(phone))});
            replies_wake.cancel_one();
        }
    }

    void events(const std::string& frame, clock_type::time_point now, std::uint64_t& last_seq) {
        boost::system::error_code ec;
        auto v = json::parse(frame, ec);
        if (ec) return;
        auto one = [&](const json::value& e) {
            last_seq = std::max(last_seq, seq_of(e));
            auto* event = e.if_object();
            if (!event) return;
            auto* type = event->if_contains("type");
            auto* data = event->if_contains("data");
            if (!type || !type->is_string() || type->as_string() != "message.created" || !data || !data->is_object())
                return;
            auto& d = data->as_object();
            auto* sender = d.if_contains("sender");
            auto* text = d.if_contains("text");
            auto* phone = event->if_contains("conversation");
            if (!sender || !sender->is_string() || sender->as_string() != "user" || !text || !text->is_string() ||
                !phone || !phone->is_string())
                return;
            pushed(std::string(text->as_string()), std::string(phone->as_string()), now);
        };
        if (v.is_array())
            for (auto& e : v.as_array()) one(e);
        else
            one(v);
    }

    // One agent's /ws. A socket the server closes reconnects and resumes after
    // the last event it saw, as the console does; only `measure` parses events.
    net::awaitable<void> agent_socket(std::size_t agent, bool measure) {
        std::uint64_t last_seq = 0;
        bool first = true;
        while (!stopping) {
            auto ex = co_await net::this_coro::executor;
            tcp::resolver resolver(ex);
            auto eps = co_await resolver.async_resolve(o.host, o.port, net::use_awaitable);
            websocket::stream<beast::tcp_stream> ws(ex);
            co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
            beast::get_lowest_layer(ws).expires_never();
            auto target = "/ws?token=" + tokens[agent];
            co_await ws.async_handshake(o.host, target, net::use_awaitable);
            beast::flat_buffer buffer;
            co_await ws.async_read(buffer, net::use_awaitable);
            auto hello_seq = seq_of(json::parse(beast::buffers_to_string(buffer.data())));
            buffer.consume(buffer.size());
            if (first || !measure) last_seq = hello_seq;
            auto resume = resume_frame(last_seq);
            co_await ws.async_write(net::buffer(resume), net::use_awaitable);
            if (first) ++sockets_ready;
            first = false;
            for (;;) {
                auto [ec, n] = co_await ws.async_read(buffer, tuple);
                if (ec) break;
                if (measure) events(beast::buffers_to_string(buffer.data()), clock_type::now(), last_seq);
                buffer.consume(buffer.size());
            }
            if (!stopping) ++socket_drops;
        }
    }

    // ---- agents' replies, over a few keep-alive connections ----

    void reply_refused(const std::string& text) {
        if (!current) return;
        current->replies_sent.erase(text);
        ++current->reply_errors;
    }

    net::awaitable<void> reply_worker() {
        std::unique_ptr<http_conn> c;
        for (;;) {
            while (replies.empty()) {
                co_await replies_wake.async_wait(tuple);
                if (stopping) co_return;
            }
            auto job = std::move(replies.front());
            replies.pop_front();
            auto target = "/conversations/" + job.phone + "/chat-support/send";
            auto body = text_body(job.text);
            bool ok = false;
            try {
                if (!c) c = co_await connect(o);
                auto res = co_await request(*c, o, bhttp::verb::post, target, body, job.token);
                ok = res.result_int() == 201;
            } catch (const std::exception&) {
                c.reset();  // reconnect for the next one
            }
            if (!ok) reply_refused(job.text);
        }
    }

    // ---- setup ----

    net::awaitable<void> log_in_agents() {
        auto c = co_await connect(o);
        auto admin_login = credentials_body("admin", o.admin_password);
        auto login = co_await request(*c, o, bhttp::verb::post, "/auth/login", admin_login, {});
        if (login.result_int() != 200) throw std::runtime_error("admin login failed: " + login.body());
        auto admin = std::string(json::parse(login.body()).at("token").as_string());
        // Admin takes no chats, so that every chat goes to a load agent.
        co_await request(*c, o, bhttp::verb::patch, "/agents/admin", R"({"available":false})", admin);
        for (std::size_t a = 0; a < o.agents; ++a) {
            auto name = "load" + o.run_id + "-" + std::to_string(a);
            auto creds = credentials_body(name, "load-password");
            auto made = co_await request(*c, o, bhttp::verb::post, "/agents", creds, admin);
            if (made.result_int() != 201) throw std::runtime_error("cannot create agent " + name + ": " + made.body());
            auto res = co_await request(*c, o, bhttp::verb::post, "/auth/login", creds, {});
            if (res.result_int() != 200) throw std::runtime_error("agent login failed: " + res.body());
            tokens.push_back(std::string(json::parse(res.body()).at("token").as_string()));
        }
    }

    // Opening 10,000 chats queues as many "you're now chatting" notices; a
    // reply must not be timed while it waits behind one (the outbox keeps
    // each conversation in order).
    net::awaitable<void> wait_for_outbox() {
        auto c = co_await connect(o);
        net::steady_timer pause(co_await net::this_coro::executor);
        for (int i = 0; i < 1200; ++i) {
            auto res = co_await request(*c, o, bhttp::verb::get, "/metrics", {}, {});
            const std::string gauge = "\nswitchboard_outbox_pending ";
            auto at = res.body().find(gauge);
            if (at == std::string::npos) co_return;  // not a Switchboard that says: nothing to wait for
            if (res.body().compare(at + gauge.size(), 2, "0\n") == 0) co_return;
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(net::use_awaitable);
        }
        throw std::runtime_error("the server's outbox did not drain within 60 s of opening the chats");
    }

    net::awaitable<void> open_chats(std::size_t slot, std::size_t workers) {
        auto c = co_await connect(o);
        for (std::uint64_t u = slot; u < o.users; u += workers) {
            auto target = "/conversations/" + phone_of(u, o) + "/chat-support/start";
            auto res = co_await request(*c, o, bhttp::verb::post, target, "{}", token_of_user(u));
            if (res.result_int() != 200)
                throw std::runtime_error("cannot open the chat with " + phone_of(u, o) + ": " + res.body());
        }
    }
};

chat_bench::chat_bench(options& o) : impl_(std::make_unique<impl>(o)) {}
chat_bench::~chat_bench() = default;

long long chat_bench::server_rss_kb() const { return impl_->server ? rss_kb(impl_->server->pid()) : -1; }

void chat_bench::setup() {
    auto& b = *impl_;
    webhook_load hello;
    hello.count = b.o.users;
    hello.connections = b.o.connections;
    hello.text_of = [](std::uint64_t) { return std::string("hi"); };
    hello.id_of = [&](std::uint64_t i) { return "S" + b.o.run_id + "-" + std::to_string(i); };
    run_webhook_load(b.o, hello);
    if (hello.errors) throw std::runtime_error(std::to_string(hello.errors) + " of the users' first messages were refused");

    net::io_context ioc(1);
    std::exception_ptr failed;
    auto note = [&](std::exception_ptr e) {
        if (e && !failed) failed = e;
    };
    net::co_spawn(ioc, b.log_in_agents(), note);
    ioc.run();
    if (failed) std::rethrow_exception(failed);
    auto workers = std::min<std::size_t>(b.o.connections, 16);
    for (std::size_t w = 0; w < workers; ++w) net::co_spawn(ioc, b.open_chats(w, workers), note);
    ioc.restart();
    ioc.run();
    if (failed) std::rethrow_exception(failed);
    net::co_spawn(ioc, b.wait_for_outbox(), note);
    ioc.restart();
    ioc.run();
    if (failed) std::rethrow_exception(failed);

    for (std::size_t a = 0; a < b.tokens.size(); ++a)
        net::co_spawn(a == 0 ? b.agents_ioc : b.drain_ioc, b.agent_socket(a, a == 0), net::detached);
    for (std::size_t w = 0; w < std::min<std::size_t>(b.tokens.size(), 8); ++w)
        net::co_spawn(b.agents_ioc, b.reply_worker(), net::detached);
    // Bounded wait for every socket to have said hello and asked to resume.
    for (int i = 0; i < 3000 && b.sockets_ready < b.tokens.size(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (b.sockets_ready < b.tokens.size()) throw std::runtime_error("agent sockets did not connect within 30 s");
}

phase_result chat_bench::run_phase(double rate, double seconds) {
    auto& b = *impl_;
    auto total = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(rate * seconds));
    auto phase = std::make_unique<phase_state>(++b.phases_started, total);
    auto drops_before = b.socket_drops.load();
    run_on(b.agents_ioc, [&] { b.current = phase.get(); });

    webhook_load users;
    users.count = total;
    users.connections = b.o.connections;
    users.rate = rate;
    users.start = clock_type::now();
    // An overloaded run still ends: nothing is sent later than twice its length.
    users.stop_at = users.start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(2 * seconds + 1));
    auto prefix = b.message_prefix() + std::to_string(phase->number) + "-";
    auto id_prefix = "P" + b.o.run_id + "-" + std::to_string(phase->number) + "-";
    users.text_of = [&](std::uint64_t i) { return prefix + std::to_string(i); };
    users.id_of = [&](std::uint64_t i) { return id_prefix + std::to_string(i); };
    users.on_send = [&](std::uint64_t i, clock_type::time_point at) {
        phase->sent_ns[i].store(at.time_since_epoch().count(), std::memory_order_release);
    };
    users.on_ack = [&](std::uint64_t i) { phase->acked[i] = 1; };
    std::exception_ptr failed;
    try {
        run_webhook_load(b.o, users);
    } catch (...) {
        failed = std::current_exception();
    }
    auto sent_until = clock_type::now();

    // Wait (bounded) for the last pushes and deliveries.
    auto missing = [&] {
        std::uint64_t n = phase->replies_sent.size();
        for (std::uint64_t i = 0; i < phase->total; ++i) n += phase->acked[i] && !phase->pushed[i];
        return n;
    };
    auto grace_end = clock_type::now() + std::chrono::seconds(10);
    while (run_on(b.agents_ioc, missing) > 0 && clock_type::now() < grace_end)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));

    phase_result r = run_on(b.agents_ioc, [&] {
        phase_result out;
        for (std::uint64_t i = 0; i < phase->total; ++i)
            if (phase->acked[i]) {
                ++out.messages;
                out.lost_pushes += !phase->pushed[i];
            }
        out.lost_replies = phase->replies_sent.size();
        out.replies_delivered = phase->replies_delivered;
        out.errors = phase->reply_errors;
        out.push = phase->push;
        out.delivery = phase->delivery;
        b.current = nullptr;
        return out;
    });
    if (failed) std::rethrow_exception(failed);
    r.rate = rate;
    r.seconds = std::chrono::duration<double>(sent_until - users.start).count();
    r.errors += users.errors;
    r.ack = users.ack;
    r.socket_drops = b.socket_drops.load() - drops_before;
    return r;
}

}  // namespace switchboard::load
