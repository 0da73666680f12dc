// shared_result (src/core/shared_result.hpp): the one doing the work gives
// its result to everyone waiting, or its fallback when the work throws, and
// is forgotten either way.
#include "../../src/core/shared_result.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace net = boost::asio;
using switchboard::shared_result;

namespace {

struct run_outcome {
    std::optional<int> worker_got;
    std::string worker_error;
    std::optional<int> waiter_got;
    bool forgotten = false;
};

// A worker whose work waits for `gate`, then returns 7 or throws; a waiter
// that asks while it waits; then the gate opens.
run_outcome run(bool work_throws) {
    net::io_context ioc;
    auto strand = net::make_strand(ioc);
    net::steady_timer gate(strand, net::steady_timer::time_point::max());
    auto result = std::make_shared<shared_result<int>>(strand);
    bool under_way = true;
    run_outcome out;
    // A waiter never answered would leave run() waiting forever: a bound
    // for that failure only.
    net::steady_timer bound(ioc, std::chrono::seconds(10));
    bound.async_wait([&](boost::system::error_code ec) {
        if (!ec) ioc.stop();
    });

    auto work = [&]() -> net::awaitable<int> {
        co_await gate.async_wait(net::as_tuple(net::use_awaitable));
        if (work_throws) throw std::runtime_error("the fetch failed");
        co_return 7;
    };
    auto worker = [&]() -> net::awaitable<void> {
        try {
            auto forget = [&] { under_way = false; };
            auto settled = result->settle(work, -1, forget);
            out.worker_got = co_await std::move(settled);
        } catch (const std::exception& e) {
            out.worker_error = e.what();
        }
    };
    auto waiter = [&]() -> net::awaitable<void> {
        out.waiter_got = co_await result->wait();
        bound.cancel();
    };
    net::co_spawn(strand, worker, net::detached);
    net::co_spawn(strand, waiter, net::detached);
    net::post(strand, [&] { gate.cancel(); });  // after both are waiting: handlers run in the order posted
    ioc.run();
    out.forgotten = !under_way;
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(shared_result_suite)

BOOST_AUTO_TEST_CASE(everyone_waiting_hears_the_one_result) {
    auto out = run(false);
    BOOST_TEST(out.worker_got.value_or(0) == 7);
    BOOST_TEST(out.waiter_got.value_or(0) == 7);
    BOOST_TEST(out.forgotten);
}

BOOST_AUTO_TEST_CASE(work_that_throws_gives_the_fallback_and_the_worker_the_exception) {
    auto out = run(true);
    BOOST_TEST(!out.worker_got.has_value());
    BOOST_TEST(out.worker_error == "the fetch failed");
    BOOST_TEST(out.waiter_got.value_or(0) == -1);
    BOOST_TEST(out.forgotten);
}

BOOST_AUTO_TEST_SUITE_END()
