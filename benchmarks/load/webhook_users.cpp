#include "webhook_users.hpp"

#include "http.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <boost/system/system_error.hpp>

#include <exception>

namespace switchboard::load {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

std::string phone_of(std::uint64_t i, const options& o) { return std::to_string(4000000000ull + i % o.users); }
std::uint64_t user_of_phone(const std::string& phone) { return std::stoull(phone) - 4000000000ull; }

namespace {

net::awaitable<void> webhook_worker(const options& o, webhook_load& l, std::size_t slot) {
    auto c = co_await connect(o);
    net::steady_timer pace(co_await net::this_coro::executor);
    for (std::uint64_t i = slot; i < l.count; i += l.connections) {
        auto now = clock_type::now();
        if (now > l.stop_at) break;
        auto scheduled = now;
        if (l.rate > 0) {
            scheduled = l.start + std::chrono::duration_cast<clock_type::duration>(
                                      std::chrono::duration<double>(static_cast<double>(i) / l.rate));
            if (scheduled > l.stop_at) break;
            if (scheduled > now) {
                pace.expires_at(scheduled);
                co_await pace.async_wait(net::use_awaitable);
            }
        }
        auto body = webhook_body(phone_of(i, o), l.text_of(i), l.id_of(i));
        if (l.on_send) l.on_send(i, scheduled);
        http_response res;
        try {
            if (!c) c = co_await connect(o);
            res = co_await request(*c, o, bhttp::verb::post, "/webhook", body, {});
        } catch (const boost::system::system_error& e) {
            c.reset();
            ++l.errors;
            ++l.unanswered;
            if (l.first_failure.empty()) l.first_failure = e.code().message();
            continue;
        }
        auto done = clock_type::now();
        if (res.result_int() != 200) {
            ++l.errors;
            continue;
        }
        l.ack.record(micros(done - scheduled));
        ++l.acked;
        if (l.on_ack) l.on_ack(i);
    }
}

}  // namespace

void run_webhook_load(const options& o, webhook_load& load) {
    net::io_context ioc(1);
    std::exception_ptr failed;
    for (std::size_t slot = 0; slot < load.connections; ++slot)
        net::co_spawn(ioc, webhook_worker(o, load, slot), [&](std::exception_ptr e) {
            if (e && !failed) failed = e;
        });
    ioc.run();
    if (failed) std::rethrow_exception(failed);
}

}  // namespace switchboard::load
