// co_await run_apart(executor, job): job() on that executor's thread, its
// result (or exception) back on the caller's executor. For blocking work,
// a store scan, that must not hold up an io thread and all it serves.
//
// `job` is the caller's own, a named local that outlives the co_await. GCC
// 12 destroys an aggregate temporary (a lambda's closure, a braced struct)
// twice when it sits in a co_await's expression: a lambda that captured a
// string by value freed it twice, once on each thread. So the job is taken
// by reference and reaches the other thread as a pointer.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <type_traits>
#include <utility>

namespace switchboard {

template <class Executor, class Job>
boost::asio::awaitable<std::invoke_result_t<Job&>> run_apart(Executor ex, Job& job) {
    using result = std::invoke_result_t<Job&>;
    namespace net = boost::asio;
    auto initiate = [ex](auto handler, Job* job) {
        // The caller's context keeps running until the answer is back.
        auto work = net::make_work_guard(net::get_associated_executor(handler));
        net::post(ex, [handler = std::move(handler), job, work = std::move(work)]() mutable {
            std::exception_ptr failed;
            result value{};
            try {
                value = (*job)();
            } catch (...) {
                failed = std::current_exception();
            }
            net::dispatch(work.get_executor(), [handler = std::move(handler), failed, value = std::move(value)]() mutable {
                std::move(handler)(failed, std::move(value));
            });
        });
    };
    return net::async_initiate<decltype(net::use_awaitable), void(std::exception_ptr, result)>(
        std::move(initiate), net::use_awaitable, &job);
}

}  // namespace switchboard
