// run_apart (src/core/run_apart.hpp): the job runs on the other executor
// while the caller's io thread stays free, and the result or the exception
// comes back on the caller's executor.
#include "../../src/core/run_apart.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;

namespace {

// A bound for a failure only: a held job waits this long before giving up.
constexpr auto failure_bound = std::chrono::seconds(10);

struct outcome {
    std::optional<std::string> value;
    std::string error;
    bool resumed_on_io_thread = false;
};

template <class Job>
net::awaitable<void> await_apart(net::thread_pool& apart, Job job, net::io_context& ioc, outcome& out) {
    try {
        out.value = co_await switchboard::run_apart(apart.get_executor(), job);
    } catch (const std::exception& e) {
        out.error = e.what();
    }
    out.resumed_on_io_thread = ioc.get_executor().running_in_this_thread();
}

// A caller as a route is one: on its own strand, with a job that owns what
// it reads (here a string), then on to another strand with the answer.
net::awaitable<void> one_caller(net::thread_pool& apart, net::strand<net::io_context::executor_type> other, int n,
                                std::atomic<int>& right) {
    auto query = "a query long enough to be on the heap, number " + std::to_string(n);
    auto job = [query] { return std::vector<std::string>(50, query); };
    auto answer = co_await switchboard::run_apart(apart.get_executor(), job);
    auto seen = co_await net::co_spawn(
        other, [&answer]() -> net::awaitable<std::size_t> { co_return answer.size(); }, net::use_awaitable);
    if (seen == 50 && answer.back() == query) ++right;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_apart_suite)

// One io thread: while the job is held, the io thread must still run the
// handler that lets it go. Run inline, the job would wait out the bound.
BOOST_AUTO_TEST_CASE(the_io_thread_goes_on_while_the_job_runs) {
    net::io_context ioc(1);
    net::thread_pool apart(1);
    std::promise<void> go;
    auto released = go.get_future();
    std::promise<void> job_started;
    auto started = job_started.get_future();
    bool job_on_io_thread = true;
    outcome out;
    auto job = [&]() -> std::string {
        job_on_io_thread = ioc.get_executor().running_in_this_thread();
        job_started.set_value();
        return released.wait_for(failure_bound) == std::future_status::ready ? "released" : "held out";
    };
    net::co_spawn(ioc, await_apart(apart, job, ioc, out), net::detached);
    // Posted after the coroutine, so it runs once the job has been handed over.
    net::post(ioc, [&] {
        started.wait_for(failure_bound);
        go.set_value();
    });
    ioc.run();
    apart.join();
    BOOST_TEST(!job_on_io_thread);
    BOOST_TEST(out.error == "");
    BOOST_TEST(out.value.value_or("none") == "released");
    BOOST_TEST(out.resumed_on_io_thread);
}

BOOST_AUTO_TEST_CASE(an_exception_comes_back_to_the_caller) {
    net::io_context ioc(1);
    net::thread_pool apart(1);
    outcome out;
    auto job = []() -> std::string { throw std::runtime_error("the scan failed: disk I/O error"); };
    net::co_spawn(ioc, await_apart(apart, job, ioc, out), net::detached);
    ioc.run();
    apart.join();
    BOOST_TEST(!out.value.has_value());
    BOOST_TEST(out.error == "the scan failed: disk I/O error");
    BOOST_TEST(out.resumed_on_io_thread);
}

// Hundreds of callers at once from two io threads, each job owning a
// string. Built with the job as a temporary inside the co_await (a lambda
// taken by value), GCC 12 freed each string twice and this crashed.
BOOST_AUTO_TEST_CASE(callers_at_once_each_get_their_own_answer) {
    constexpr int callers = 300;
    net::io_context ioc(2);
    net::thread_pool apart(1);
    auto other = net::make_strand(ioc.get_executor());
    std::atomic<int> right{0};
    for (int n = 0; n < callers; ++n)
        net::co_spawn(net::make_strand(ioc.get_executor()), one_caller(apart, other, n, right), net::detached);
    std::thread second([&] { ioc.run(); });
    ioc.run();
    second.join();
    apart.join();
    BOOST_TEST(right.load() == callers);
}

BOOST_AUTO_TEST_SUITE_END()
