// What every store shares: the coroutine form of a write.
#include "switchboard/store/store.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace switchboard::store {

namespace net = boost::asio;

net::awaitable<void> store::write(write_batch batch) {
    // The initiation captures only `this`: GCC 12 copies coroutine
    // parameters bitwise, which a closure holding owners would not survive.
    co_await net::async_initiate<const net::use_awaitable_t<>, void(std::exception_ptr)>(
        [this](write_done done, write_batch b) { async_write(std::move(b), std::move(done)); }, net::use_awaitable,
        std::move(batch));
    if (answering_deep()) {
        auto ex = co_await net::this_coro::executor;
        co_await net::post(ex, net::use_awaitable);
    }
}

}  // namespace switchboard::store
