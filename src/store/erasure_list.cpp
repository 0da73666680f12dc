#include "erasure_list.hpp"

#include "sync_path.hpp"

#include "switchboard/core/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace switchboard::store {

namespace {

std::runtime_error failure(const std::string& what, const std::string& file) {
    return std::runtime_error(what + " " + file + ": " + std::strerror(errno));
}

}  // namespace

erasure_list::erasure_list(std::string dir)
    : dir_(std::move(dir)), file_((std::filesystem::path(dir_) / "erasures").string()) {}

void erasure_list::append(const erasure& e) const {
    auto line = to_iso8601(e.at) + '\t' + e.phone + '\t' + e.by + '\n';
    bool created = !std::filesystem::exists(file_);
    int fd = ::open(file_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw failure("cannot open the list of erasures", file_);
    // A line a crash cut short is ended first, or this one would be read as
    // its rest; and with one tab too many, or it might read as whole.
    char last = '\n';
    if (auto size = ::lseek(fd, 0, SEEK_END); size > 0 && ::pread(fd, &last, 1, size - 1) == 1 && last != '\n')
        line.insert(0, "\t\n");
    // One write of a short line with O_APPEND: never interleaved; a crash
    // may cut it short, which read() passes over.
    auto written = ::write(fd, line.data(), line.size());
    bool synced = written == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    auto error = errno;
    ::close(fd);
    errno = error;
    if (!synced) throw failure("cannot record the erasure in", file_);
    if (created) sync_path(dir_);  // its entry in the directory, too
}

std::vector<erasure> erasure_list::read() const {
    std::vector<erasure> out;
    std::ifstream in(file_);
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        auto tab1 = line.find('\t');
        auto tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
        auto at = tab2 == std::string::npos ? std::nullopt : parse_iso8601(std::string_view(line).substr(0, tab1));
        // The last line without a newline was cut short.
        if (!at || tab2 == tab1 + 1 || tab2 + 1 == line.size() || line.find('\t', tab2 + 1) != std::string::npos ||
            in.eof()) {
            log::warn("a line of the list of erasures does not read; passed over",
                      {{"file", file_}, {"line", std::to_string(number)}});
            continue;
        }
        out.push_back({line.substr(tab1 + 1, tab2 - tab1 - 1), *at, line.substr(tab2 + 1)});
    }
    return out;
}

}  // namespace switchboard::store
