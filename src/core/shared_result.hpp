// One piece of work that several callers on one strand ask for at once:
// the first does it, the others wait for its result rather than do it
// again (a file an agent's player asks for range by range, a list two
// agents open together). Confined to the strand of the executor it is
// made with.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace switchboard {

template <class T>
class shared_result {
public:
    explicit shared_result(const boost::asio::any_io_executor& strand)
        : done_(strand, boost::asio::steady_timer::time_point::max()) {}

    // The result, once the one doing the work has given it.
    boost::asio::awaitable<T> wait() {
        if (!given_) co_await done_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return result_;
    }
    void give(T result) {
        result_ = std::move(result);
        given_ = true;
        done_.cancel();  // wakes every wait()
    }

    // The one doing the work: `work()`'s result, given to every wait(), or
    // `if_thrown` given when it throws, the exception going on to the caller.
    // `forget()` runs first either way, so that whoever asks after this
    // starts afresh rather than wait on a result already given.
    template <class Work, class Forget>
    boost::asio::awaitable<T> settle(Work work, T if_thrown, Forget forget) {
        T out = std::move(if_thrown);
        try {
            out = co_await work();
        } catch (...) {
            forget();
            give(out);
            throw;
        }
        forget();
        give(out);
        co_return out;
    }

private:
    boost::asio::steady_timer done_;
    T result_{};
    bool given_ = false;
};

}  // namespace switchboard
