// One thread produces batches and a second consumes them, a few queued at
// most: for work that splits into reading and filing (index_scan.cpp, the
// search index).
// Whichever side throws first ends both, and the call rethrows it; an
// exception left to escape the second thread would end the process instead.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <utility>

namespace switchboard::store {

namespace detail {

// Thrown to the producer when the consumer has stopped: it unwinds the
// producer's loop, and the consumer's own exception is the one rethrown.
struct consumer_stopped {};

template <class Batch>
class batch_queue {
public:
    explicit batch_queue(std::size_t queued_max) : queued_max_(queued_max) {}

    void push(Batch b) {
        std::unique_lock lock(mutex_);
        room_.wait(lock, [&] { return stopped_ || queue_.size() < queued_max_; });
        if (stopped_) throw consumer_stopped{};
        queue_.push_back(std::move(b));
        ready_.notify_one();
    }
    void finish() {
        std::lock_guard lock(mutex_);
        finished_ = true;
        ready_.notify_one();
    }
    void stop() {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        room_.notify_one();
    }
    // False once finished and drained.
    bool pop(Batch& out) {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return finished_ || !queue_.empty(); });
        if (queue_.empty()) return false;
        out = std::move(queue_.front());
        queue_.pop_front();
        room_.notify_one();
        return true;
    }

private:
    const std::size_t queued_max_;
    std::mutex mutex_;
    std::condition_variable ready_, room_;
    std::deque<Batch> queue_;
    bool finished_ = false;
    bool stopped_ = false;
};

}  // namespace detail

// Calls produce(emit) on this thread, where emit(Batch&&) queues a batch
// (waiting while `queued_max` are queued), and consume(Batch&) on a thread
// named `consumer_name` for each batch in order. Returns once every batch
// is consumed; throws what either side threw, the consumer's first.
template <class Batch, class Produce, class Consume>
void run_batch_pipeline(const char* consumer_name, std::size_t queued_max, Produce&& produce, Consume&& consume) {
    detail::batch_queue<Batch> queue(queued_max);
    std::exception_ptr consumer_error;
    std::thread consumer([&] {
        pthread_setname_np(pthread_self(), consumer_name);
        try {
            Batch b;
            while (queue.pop(b)) consume(b);
        } catch (...) {
            consumer_error = std::current_exception();
            queue.stop();
        }
    });
    std::exception_ptr producer_error;
    try {
        produce([&](Batch&& b) { queue.push(std::move(b)); });
    } catch (const detail::consumer_stopped&) {
        // The consumer's exception, set before it stopped the queue, is rethrown below.
    } catch (...) {
        producer_error = std::current_exception();
    }
    queue.finish();
    consumer.join();
    if (consumer_error) std::rethrow_exception(consumer_error);
    if (producer_error) std::rethrow_exception(producer_error);
}

}  // namespace switchboard::store
