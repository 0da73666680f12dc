#include "directory_lock.hpp"

#include "switchboard/store/store.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <utility>
#include <sys/file.h>
#include <unistd.h>

namespace switchboard::store {

namespace {

std::string holder_of(int fd) {
    char buf[32] = {};
    auto n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid.empty() ? "unknown" : pid;
}

}  // namespace

directory_lock::directory_lock(const std::string& dir) {
    auto path = (std::filesystem::path(dir) / "switchboard.lock").string();
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot open the data directory's lock " + path + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        auto err = errno;
        auto holder = err == EWOULDBLOCK ? holder_of(fd_) : std::string();
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK)
            throw directory_in_use("data directory " + dir + " is in use by another switchboard process (pid " + holder +
                                   ")");
        throw std::runtime_error("cannot lock the data directory's lock " + path + ": " + std::strerror(err));
    }
    // The pid is only for the message above: if it cannot be written, the
    // lock is held all the same.
    auto pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) [[maybe_unused]] auto written = ::pwrite(fd_, pid.data(), pid.size(), 0);
}

directory_lock::directory_lock(directory_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

directory_lock::~directory_lock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace switchboard::store
