// switchboard-load: drives a Switchboard (or the bare ceiling) over loopback
// and reports throughput and latency as a table line and one JSON line.
//
//   switchboard-load --url http://127.0.0.1:8080 [--connections 64]
//                    [--conversations 10000] [--requests 100000 | --duration 10]
//                    [--rate 0] [--label NAME]
//
// --rate 0 is closed-loop (each connection sends as soon as it has an
// answer); --rate R is open-loop at R requests/s in total, with latency
// measured from each request's scheduled time, so queueing counts.
#include "histogram.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;
using namespace switchboard::load;

namespace {

struct options {
    std::string host = "127.0.0.1";
    std::string port = "8080";
    std::string label = "switchboard";
    std::size_t connections = 64;
    std::uint64_t conversations = 10000;
    std::uint64_t requests = 0;  // 0: run for `duration`
    double duration = 10;
    double rate = 0;
    std::string run_id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
};

struct shared_state {
    options opt;
    std::atomic<std::uint64_t> next{0};
    std::atomic<std::uint64_t> errors{0};
    clock_type::time_point start, deadline;
    std::vector<histogram> per_connection;
};

bool parse(int argc, char** argv, options& o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--url") {
            auto rest = v.substr(v.find("://") + 3);
            auto colon = rest.find(':');
            o.host = rest.substr(0, colon);
            o.port = colon == std::string::npos ? "80" : rest.substr(colon + 1, rest.find('/', colon) - colon - 1);
        } else if (k == "--connections") o.connections = std::stoul(v);
        else if (k == "--conversations") o.conversations = std::stoull(v);
        else if (k == "--requests") o.requests = std::stoull(v);
        else if (k == "--duration") o.duration = std::stod(v);
        else if (k == "--rate") o.rate = std::stod(v);
        else if (k == "--label") o.label = v;
        else return false;
    }
    return o.connections > 0 && o.conversations > 0;
}

net::awaitable<void> connection_loop(shared_state& s, std::size_t slot) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    auto endpoints = co_await resolver.async_resolve(s.opt.host, s.opt.port, net::use_awaitable);
    beast::tcp_stream stream(ex);
    co_await stream.async_connect(endpoints, net::use_awaitable);
    stream.socket().set_option(tcp::no_delay(true));
    beast::flat_buffer buffer;
    auto& hist = s.per_connection[slot];
    net::steady_timer pace(ex);

    for (;;) {
        auto i = s.next.fetch_add(1);
        if (s.opt.requests ? i >= s.opt.requests : clock_type::now() >= s.deadline) break;
        auto scheduled = clock_type::now();
        if (s.opt.rate > 0) {
            scheduled = s.start + std::chrono::duration_cast<clock_type::duration>(
                                      std::chrono::duration<double>(static_cast<double>(i) / s.opt.rate));
            if (scheduled > clock_type::now()) {
                pace.expires_at(scheduled);
                co_await pace.async_wait(net::use_awaitable);
            }
        }
        auto phone = std::to_string(4000000000ull + i % s.opt.conversations);
        bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/webhook", 11};
        req.set(bhttp::field::host, s.opt.host);
        req.set(bhttp::field::content_type, "application/json");
        req.body() = R"({"from":")" + phone + R"(","text":"load message )" + std::to_string(i) + R"(","id":"L)" +
                     s.opt.run_id + "-" + std::to_string(i) + R"("})";
        req.prepare_payload();
        stream.expires_after(std::chrono::seconds(30));
        co_await bhttp::async_write(stream, req, net::use_awaitable);
        bhttp::response<bhttp::string_body> res;
        co_await bhttp::async_read(stream, buffer, res, net::use_awaitable);
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - scheduled).count();
        hist.record(static_cast<std::uint64_t>(micros));
        if (res.result_int() != 200) ++s.errors;
    }
}

}  // namespace

int main(int argc, char** argv) {
    shared_state s;
    if (!parse(argc, argv, s.opt)) {
        std::cerr << "usage: switchboard-load --url http://HOST:PORT [--connections N] [--conversations N]\n"
                     "                        [--requests N | --duration S] [--rate R] [--label NAME]\n";
        return 2;
    }
    s.per_connection.resize(s.opt.connections);
    net::io_context ioc(1);
    s.start = clock_type::now();
    s.deadline = s.start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s.opt.duration));
    std::atomic<std::size_t> failed_connections{0};
    for (std::size_t c = 0; c < s.opt.connections; ++c)
        net::co_spawn(ioc, connection_loop(s, c), [&](std::exception_ptr e) {
            if (!e) return;
            ++failed_connections;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::cerr << "connection failed: " << ex.what() << "\n";
            }
        });
    ioc.run();
    double seconds = std::chrono::duration<double>(clock_type::now() - s.start).count();

    histogram all;
    for (auto& h : s.per_connection) all.merge(h);
    double throughput = static_cast<double>(all.count()) / seconds;
    auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };

    std::printf("%-28s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  max %7.2f ms  errors %llu\n",
                s.opt.label.c_str(), throughput, ms(all.quantile(0.5)), ms(all.quantile(0.99)),
                ms(all.quantile(0.999)), ms(all.max()), static_cast<unsigned long long>(s.errors.load()));
    boost::json::object j{{"label", s.opt.label},
                          {"mode", "ingest"},
                          {"connections", s.opt.connections},
                          {"conversations", s.opt.conversations},
                          {"rate", s.opt.rate},
                          {"requests", all.count()},
                          {"errors", s.errors.load() + failed_connections.load()},
                          {"seconds", seconds},
                          {"throughput", throughput},
                          {"p50_ms", ms(all.quantile(0.5))},
                          {"p90_ms", ms(all.quantile(0.9))},
                          {"p99_ms", ms(all.quantile(0.99))},
                          {"p999_ms", ms(all.quantile(0.999))},
                          {"max_ms", ms(all.max())}};
    std::cout << boost::json::serialize(j) << std::endl;
    return s.errors || failed_connections ? 1 : 0;
}
