// `switchboard backup --to FILE`: a consistent copy of the database, taken
// while the server runs.
#pragma once

#include <string>
#include <vector>

namespace switchboard::app {

// `args` follow the word `backup`; returns the exit code.
int run_backup_cli(const std::vector<std::string>& args, const std::vector<std::string>& environment);

}  // namespace switchboard::app
