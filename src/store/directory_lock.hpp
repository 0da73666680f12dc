// The data directory's lock, DIR/switchboard.lock, held with flock() by the
// process that writes conversations there. A server keeps each
// conversation's state in its actor's memory, so a second server on the same
// directory would number messages of its own and write over the first's. The
// kernel drops the lock when its holder exits, however it exits: a crash
// leaves no stale lock behind.
#pragma once

#include <string>

namespace switchboard::store {

class directory_lock {
public:
    // Takes the lock, or throws directory_in_use naming the holder's pid.
    explicit directory_lock(const std::string& dir);
    directory_lock(directory_lock&& other) noexcept;
    directory_lock& operator=(directory_lock&&) = delete;
    directory_lock(const directory_lock&) = delete;
    ~directory_lock();

private:
    int fd_ = -1;
};

}  // namespace switchboard::store
