// Agents loading their conversation list (GET /conversations, the newest
// 50) over and over, each on a connection of its own, on a thread of their
// own: what consoles (re)connecting cost a server, and the webhooks it
// takes meanwhile.
#pragma once

#include "histogram.hpp"
#include "options.hpp"

#include <atomic>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>

namespace switchboard::load {

class list_readers {
public:
    // Logs in as the admin (--admin-password) and starts `readers` loops,
    // each loading a list every `every_seconds` (0: as soon as the last is
    // in), which stop after `max_loads` lists in all, or at stop(). Returns
    // once they have started; throws if the login failed.
    list_readers(const options& o, std::size_t readers, double every_seconds,
                 std::uint64_t max_loads = UINT64_MAX);
    ~list_readers();
    list_readers(const list_readers&) = delete;
    list_readers& operator=(const list_readers&) = delete;

    // Stops the loops after the lists they are loading, and waits for them.
    // The figures below are final after it, or after wait().
    void stop();
    // Waits for `max_loads` lists.
    void wait();

    histogram latency;  // each list, from its request to its whole answer
    std::uint64_t loads = 0, errors = 0;
    std::string failure;  // why the first reader (or the login) stopped, if one did

private:
    void failed(std::exception_ptr e);

    const options& o_;
    std::size_t readers_;
    std::uint64_t wanted_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace switchboard::load
