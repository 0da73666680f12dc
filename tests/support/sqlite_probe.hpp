// Reading a server's database file directly, to check what it made durable.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace switchboard::test {

// Every row of `sql` as text columns (NULL reads as "").
std::vector<std::vector<std::string>> sqlite_rows(const std::filesystem::path& db, const std::string& sql);
std::string sqlite_value(const std::filesystem::path& db, const std::string& sql);
// Runs a script (several statements), e.g. a fixture.
void sqlite_script(const std::filesystem::path& db, const std::string& sql);

}  // namespace switchboard::test
