// `switchboard backup --to FILE`: a consistent copy of the database, taken
// while the server runs; `switchboard restore --from FILE`: one put back,
// while it does not.
#pragma once

#include <string>
#include <vector>

namespace switchboard::app {

// `args` follow the word `backup`; returns the exit code.
int run_backup_cli(const std::vector<std::string>& args, const std::vector<std::string>& environment);
// `args` follow the word `restore`; returns the exit code.
int run_restore_cli(const std::vector<std::string>& args, const std::vector<std::string>& environment);

}  // namespace switchboard::app
