// An asynchronous counting semaphore for coroutines that all run on one
// strand: waiters queue in FIFO order and are woken by cancelling their timer
// (a signal, not a mutex). With a capacity of 1 it gives an actor one command
// at a time, even across the awaits inside a command.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <list>
#include <memory>
#include <utility>

namespace switchboard {

class strand_semaphore {
public:
    explicit strand_semaphore(std::size_t capacity) : available_(capacity) {}

    // The uncontended case without a coroutine frame: most commands find
    // their actor idle.
    bool try_acquire() {
        if (available_ == 0 || !waiters_.empty()) return false;
        --available_;
        return true;
    }

    boost::asio::awaitable<void> acquire() {
        if (available_ > 0 && waiters_.empty()) {
            --available_;
            co_return;
        }
        auto timer = std::make_shared<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor,
                                                                 boost::asio::steady_timer::time_point::max());
        waiters_.push_back(timer);
        // Cancelled by release(): the permit is handed over, not returned to the pool.
        co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }

    void release() {
        if (waiters_.empty()) {
            ++available_;
            return;
        }
        auto next = std::move(waiters_.front());
        waiters_.pop_front();
        next->cancel();
    }

    std::size_t waiting() const { return waiters_.size(); }

private:
    std::size_t available_;
    std::list<std::shared_ptr<boost::asio::steady_timer>> waiters_;  // a list: empty costs no allocation
};

// Releases on scope exit, exceptions included, unless released earlier or
// moved on (into a completion that releases it later).
class semaphore_permit {
public:
    explicit semaphore_permit(strand_semaphore& s) : s_(&s) {}
    semaphore_permit(semaphore_permit&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
    semaphore_permit(const semaphore_permit&) = delete;
    semaphore_permit& operator=(const semaphore_permit&) = delete;
    semaphore_permit& operator=(semaphore_permit&&) = delete;
    ~semaphore_permit() { release(); }
    void release() {
        if (s_) std::exchange(s_, nullptr)->release();
    }

private:
    strand_semaphore* s_;
};

}  // namespace switchboard
