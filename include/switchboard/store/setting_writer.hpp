// A setting kept whole, as one value (a list an admin edits: the macros,
// the teams), written through after each change. Its owner changes the
// list in memory under its own lock, then saves. Saves may finish out of
// the order their values were taken in; one that finishes after a newer one
// wrote an older value is written again, so the store ends with the newest.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace switchboard::store {

class store;

class setting_writer {
public:
    setting_writer(store& db, std::string key) : db_(db), key_(std::move(key)) {}

    // Under the owner's lock, after each change.
    void changed() { ++version_; }

    // `snapshot` runs under `lock` and gives the value to write. A write the
    // store refuses runs `reload` (the owner reads the store's value back,
    // so a refused change is no change) and is rethrown.
    boost::asio::awaitable<void> save(std::mutex& lock, std::function<std::string()> snapshot,
                                      std::function<void()> reload);

private:
    store& db_;
    std::string key_;
    std::uint64_t version_ = 0, newest_saved_ = 0;  // under the owner's lock
};

}  // namespace switchboard::store
