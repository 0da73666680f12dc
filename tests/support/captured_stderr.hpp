// What is written to stderr (the logger's lines) while one of these lives,
// for tests that count what was logged.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace switchboard::test {

class captured_stderr {
public:
    captured_stderr();
    ~captured_stderr();
    captured_stderr(const captured_stderr&) = delete;
    captured_stderr& operator=(const captured_stderr&) = delete;

    // One string a line, so far.
    std::vector<std::string> lines() const;
    // How many lines so far contain `part`.
    std::size_t count(const std::string& part) const;

private:
    std::FILE* file_;
    int saved_;
};

}  // namespace switchboard::test
