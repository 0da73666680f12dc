#include "list_readers.hpp"

#include "http.hpp"
#include "webhook_users.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <future>
#include <stdexcept>

namespace switchboard::load {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

list_readers::list_readers(const options& o, std::size_t readers, double every_seconds, std::uint64_t max_loads)
    : o_(o), readers_(readers), wanted_(max_loads) {
    auto every = std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(every_seconds));
    std::promise<void> started;
    auto ready = started.get_future();
    thread_ = std::thread([this, &started, every] {
        net::io_context ioc(1);
        // Open loop when paced: each list is timed from when it was due, so
        // a list that waits behind a slow one counts its wait.
        auto loop = [this, every](std::string token, clock_type::time_point due) -> net::awaitable<void> {
            auto c = co_await connect(o_);
            net::steady_timer pace(co_await net::this_coro::executor);
            while (!stopping_.load(std::memory_order_relaxed) && loads + errors < wanted_) {
                if (every.count() > 0) {
                    pace.expires_at(due);
                    co_await pace.async_wait(net::use_awaitable);
                } else {
                    due = clock_type::now();
                }
                auto sent = due;
                due += every;
                auto res = co_await request(*c, o_, bhttp::verb::get, "/conversations", {}, token);
                if (res.result_int() == 200) {
                    latency.record(micros(clock_type::now() - sent));
                    ++loads;
                } else {
                    ++errors;
                }
            }
        };
        auto start = [&]() -> net::awaitable<void> {
            auto c = co_await connect(o_);
            auto creds = credentials_body("admin", o_.admin_password);
            auto login = co_await request(*c, o_, bhttp::verb::post, "/auth/login", creds, {});
            if (login.result_int() != 200) throw std::runtime_error("admin login failed: " + login.body());
            auto token = std::string(boost::json::parse(login.body()).at("token").as_string());
            // Spread over the interval, as consoles that connected at different times.
            auto t0 = clock_type::now();
            for (std::size_t i = 0; i < readers_; ++i) {
                auto due = t0 + every * static_cast<long>(i) / static_cast<long>(readers_);
                net::co_spawn(ioc, loop(token, due), [this](std::exception_ptr e) { failed(e); });
            }
        };
        net::co_spawn(ioc, start(), [&started](std::exception_ptr e) {
            if (e)
                started.set_exception(e);
            else
                started.set_value();
        });
        ioc.run();
    });
    try {
        ready.get();
    } catch (...) {
        thread_.join();
        throw;
    }
}

// A reader whose connection broke stops; the run goes on without it.
void list_readers::failed(std::exception_ptr e) {
    if (!e) return;
    ++errors;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        if (failure.empty()) failure = x.what();
    }
}

void list_readers::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

void list_readers::wait() {
    if (thread_.joinable()) thread_.join();
}

list_readers::~list_readers() { stop(); }

}  // namespace switchboard::load
