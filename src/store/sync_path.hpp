// fsync of a file or a directory by its path: a file written without a sync
// of its own (VACUUM INTO, a copy) is on the disk only once synced, and a
// new file's entry only once its directory is.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace switchboard::store {

// Throws std::runtime_error naming the path and why.
inline void sync_path(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        std::string why = std::strerror(errno);
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot sync " + path.string() + ": " + why);
    }
    ::close(fd);
}

}  // namespace switchboard::store
