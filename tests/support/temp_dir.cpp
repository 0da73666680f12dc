#include "temp_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace switchboard::test {

temp_dir::temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "switchboard-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace switchboard::test
