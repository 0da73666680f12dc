// The FIFO queue of chats waiting for an agent. Shared by every conversation,
// so it is an actor of its own: all of its state lives on one strand. Each
// of its steps takes time in the logarithm of its length (tens of thousands
// wait after a broadcast), not in its length.
#pragma once

#include "switchboard/core/time.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::chat {

class support_queue {
public:
    struct entry {
        std::string phone;
        timestamp queued_at;
        std::optional<timestamp> last_notice;  // when the user was last told they moved up
    };

    explicit support_queue(boost::asio::any_io_executor strand);

    // Joins at the back (or stays where it is); returns the 1-based position.
    boost::asio::awaitable<std::size_t> join(std::string phone, timestamp queued_at);
    struct moved {
        std::string phone;
        std::size_t position;  // the new, better one
    };
    // Leaves the queue; returns the chats behind it that moved up and are due
    // a notice (none in the last minute), and marks them told.
    boost::asio::awaitable<std::vector<moved>> leave(std::string phone);
    // Back at the head (an agent did not answer in time).
    boost::asio::awaitable<void> join_front(std::string phone, timestamp queued_at);
    // A page of the queue from its head: the entries after place `after`
    // (from the head when none), at most `limit`. A place is where an entry
    // stands for good, so pages neither overlap nor skip while others leave.
    struct placed {
        std::string phone;
        timestamp queued_at;
        std::int64_t place;
        std::size_t position;
    };
    struct front_page {
        std::vector<placed> entries;
        bool more = false;
        std::size_t length = 0;  // how many wait in all
    };
    boost::asio::awaitable<front_page> front(std::optional<std::int64_t> after, std::size_t limit);
    boost::asio::awaitable<std::optional<std::size_t>> position(std::string phone);
    // The positions of these phones (nullopt for one not waiting), in one visit.
    boost::asio::awaitable<std::vector<std::optional<std::size_t>>> positions(std::vector<std::string> phones);
    // At start-up, before anything runs: entries in any order.
    void restore(std::vector<entry> entries);

    support_queue(const support_queue&) = delete;
    support_queue& operator=(const support_queue&) = delete;
    ~support_queue();

private:
    struct state;
    boost::asio::any_io_executor strand_;
    std::unique_ptr<state> state_;  // only touched on strand_
};

}  // namespace switchboard::chat
