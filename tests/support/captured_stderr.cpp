#include "captured_stderr.hpp"

#include <stdexcept>
#include <unistd.h>

namespace switchboard::test {

captured_stderr::captured_stderr() : file_(std::tmpfile()), saved_(::dup(STDERR_FILENO)) {
    if (!file_ || saved_ < 0 || ::dup2(::fileno(file_), STDERR_FILENO) < 0)
        throw std::runtime_error("cannot capture stderr");
}

captured_stderr::~captured_stderr() {
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    std::fclose(file_);
}

std::vector<std::string> captured_stderr::lines() const {
    std::vector<std::string> out;
    std::fflush(stderr);
    std::rewind(file_);
    char buf[4096];
    while (std::fgets(buf, sizeof buf, file_)) out.emplace_back(buf);
    return out;
}

std::size_t captured_stderr::count(const std::string& part) const {
    std::size_t n = 0;
    for (auto& line : lines())
        if (line.find(part) != std::string::npos) ++n;
    return n;
}

}  // namespace switchboard::test
