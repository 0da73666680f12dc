// Runs the real switchboard binary as a child process, the way a user does,
// and finds its port from the `listening on` line.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::test {

struct process_output {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs to completion (for --help, --version, bad flags); kills it after `timeout`.
process_output run_binary(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

class server_process {
public:
    // Starts `switchboard --port 0 ARGS…` (with `--data :memory:` unless ARGS
    // name --data) and waits for its `listening on` line.
    explicit server_process(std::vector<std::string> args = {}, std::vector<std::string> env = {});
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    unsigned short port() const { return port_; }
    int pid() const { return pid_; }
    std::string base_url() const;

    void send_signal(int signo);
    // The exit code, or nullopt if the process is still running after `timeout`.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    std::string stdout_text() const;
    // Blocks until stdout contains `needle`; false after `timeout`.
    bool wait_for_stdout(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::string stderr_text() const;

private:
    struct state;
    std::shared_ptr<state> state_;
    int pid_ = -1;
    unsigned short port_ = 0;
};

}  // namespace switchboard::test
