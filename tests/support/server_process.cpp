// posix_spawn plus a thread that drains the child's stdout, so the child can
// never block on a full pipe.
#include "server_process.hpp"

#include "temp_dir.hpp"

#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace switchboard::test {

namespace {

// The parent's environment without SWITCHBOARD_* (tests must be hermetic), plus `extra`.
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e)
        if (std::strncmp(*e, "SWITCHBOARD_", 12) != 0) env.emplace_back(*e);
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

std::vector<char*> as_argv(std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// Waits for the child with a timeout via a pidfd; reaps it.
std::optional<int> wait_child(int pid, std::chrono::milliseconds timeout) {
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
        pollfd p{pidfd, POLLIN, 0};
        int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
        ::close(pidfd);
        if (ready <= 0) return std::nullopt;
    }
    int status = 0;
    if (::waitpid(pid, &status, pidfd >= 0 ? 0 : WNOHANG) != pid) return std::nullopt;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

struct server_process::state {
    std::mutex mutex;
    std::condition_variable changed;
    std::string out;
    bool eof = false;
    int out_fd = -1;
    std::thread reader;
    temp_dir dir;  // stderr goes to a file here
    bool exited = false;
    int exit_code = -1;

    void read_loop() {
        char buf[4096];
        for (;;) {
            auto n = ::read(out_fd, buf, sizeof buf);
            std::lock_guard lock(mutex);
            if (n <= 0) {
                eof = true;
                changed.notify_all();
                return;
            }
            out.append(buf, static_cast<std::size_t>(n));
            changed.notify_all();
        }
    }
};

namespace {

int spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, int out_write_fd,
          const std::filesystem::path& err_file) {
    std::vector<std::string> argv_s{SWITCHBOARD_BINARY};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    auto env_s = child_environment(env);
    auto argv = as_argv(argv_s);
    auto envp = as_argv(env_s);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_write_fd, STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    // Nothing else of the test's: a receiver's listening socket, held open
    // in a server that outlived its test, took what the server sent there
    // and never answered, and held its exit up to the backstop.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    int pid = -1;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error(std::string("cannot start ") + argv[0] + ": " + std::strerror(rc));
    return pid;
}

}  // namespace

process_output run_binary(const std::vector<std::string>& args, const std::vector<std::string>& env,
                          std::chrono::milliseconds timeout) {
    temp_dir dir;
    auto out_file = dir.path() / "stdout", err_file = dir.path() / "stderr";
    int out_fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int pid = spawn(args, env, out_fd, err_file);
    ::close(out_fd);
    auto code = wait_child(pid, timeout);
    if (!code) {
        ::kill(pid, SIGKILL);
        wait_child(pid, std::chrono::seconds(5));
        throw std::runtime_error("switchboard did not exit within the timeout");
    }
    return {*code, read_file(out_file), read_file(err_file)};
}

server_process::server_process(std::vector<std::string> args, std::vector<std::string> env)
    : state_(std::make_shared<state>()) {
    bool has_data = false, has_port = false;
    for (auto& a : args) {
        has_data = has_data || a.starts_with("--data");
        has_port = has_port || a.starts_with("--port");
    }
    if (!has_port) args.insert(args.begin(), {"--port", "0"});
    if (!has_data) args.insert(args.end(), {"--data", ":memory:"});

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = spawn(args, env, fds[1], state_->dir.path() / "stderr");
    ::close(fds[1]);
    state_->out_fd = fds[0];
    state_->reader = std::thread([s = state_] { s->read_loop(); });

    std::unique_lock lock(state_->mutex);
    static const std::string marker = "listening on ";
    bool found = state_->changed.wait_for(lock, std::chrono::seconds(20), [&] {
        auto at = state_->out.find(marker);
        return state_->eof || (at != std::string::npos && state_->out.find('\n', at) != std::string::npos);
    });
    auto at = state_->out.find(marker);
    if (!found || at == std::string::npos) {
        lock.unlock();
        auto err = stderr_text();
        ::kill(pid_, SIGKILL);
        wait_child(pid_, std::chrono::seconds(10));
        // Joined here: no destructor runs after a throw, and the reader
        // would otherwise drop the last hold on its own std::thread, which
        // ends the test program instead of reporting this.
        state_->reader.join();
        ::close(state_->out_fd);
        throw std::runtime_error("switchboard did not report its port; stderr:\n" + err);
    }
    auto line_end = state_->out.find('\n', at);
    auto line = state_->out.substr(at + marker.size(), line_end - at - marker.size());
    port_ = static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1)));
}

server_process::~server_process() {
    if (!state_->exited) {
        ::kill(pid_, SIGKILL);
        wait_child(pid_, std::chrono::seconds(10));
    }
    if (state_->reader.joinable()) state_->reader.join();
    ::close(state_->out_fd);
}

std::string server_process::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void server_process::send_signal(int signo) { ::kill(pid_, signo); }

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout) {
    if (state_->exited) return state_->exit_code;
    auto code = wait_child(pid_, timeout);
    if (code) {
        state_->exited = true;
        state_->exit_code = *code;
    }
    return code;
}

std::string server_process::stdout_text() const {
    std::lock_guard lock(state_->mutex);
    return state_->out;
}

bool server_process::wait_for_stdout(const std::string& needle, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] {
        return state_->out.find(needle) != std::string::npos || state_->eof;
    }) && state_->out.find(needle) != std::string::npos;
}

std::string server_process::stderr_text() const { return read_file(state_->dir.path() / "stderr"); }

}  // namespace switchboard::test
