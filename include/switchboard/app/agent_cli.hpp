// `switchboard agent add|passwd|list`: managing agents from the shell.
#pragma once

#include <string>
#include <vector>

namespace switchboard::app {

// `args` follow the word `agent`; returns the exit code.
int run_agent_cli(const std::vector<std::string>& args, const std::vector<std::string>& environment);

}  // namespace switchboard::app
