// Wires configuration, routes and the HTTP server into a running process.
#pragma once

#include "switchboard/app/config.hpp"

namespace switchboard::app {

// Runs until SIGINT/SIGTERM; returns the process exit code.
int run_server(const config& cfg);

}  // namespace switchboard::app
