#include "server_process.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace switchboard::load {

server_process::server_process(const options& o, unsigned short receiver_port) {
    std::vector<std::string> args{o.spawn, "--port", "0", "--admin-password", o.admin_password, "--log-level", "warn"};
    if (receiver_port)
        args.insert(args.end(), {"--outbound-url", "http://127.0.0.1:" + std::to_string(receiver_port) + "/inbox"});
    if (!data_arg(o)) args.insert(args.end(), {"--data", ":memory:"});
    args.insert(args.end(), o.server_args.begin(), o.server_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("cannot make a pipe for the server's output");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        throw std::runtime_error("cannot start " + o.spawn);
    }
    std::string out;
    char buf[512];
    for (;;) {
        auto at = out.find("listening on ");
        if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
            auto line = out.substr(at, out.find('\n', at) - at);
            port_ = line.substr(line.rfind(':') + 1);
            break;
        }
        auto n = read(fds[0], buf, sizeof buf);
        if (n <= 0) {
            close(fds[0]);
            throw std::runtime_error(o.spawn + " exited before saying which port it listens on");
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    // Keep draining its stdout so that the server never blocks on it.
    std::thread([fd = fds[0]] {
        char b[512];
        while (read(fd, b, sizeof b) > 0) {
        }
        close(fd);
    }).detach();
}

std::optional<std::string> data_arg(const options& o) {
    auto it = std::find(o.server_args.begin(), o.server_args.end(), "--data");
    if (it == o.server_args.end()) return std::nullopt;
    return std::next(it) == o.server_args.end() ? std::string() : *std::next(it);
}

server_process::~server_process() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
}

std::optional<process_usage> read_usage(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    // The command name, field 2, may hold spaces and parentheses: count from its end.
    auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(close + 1));
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
    // f[0] is field 3 (state): minflt is field 10, utime 14, stime 15.
    if (f.size() < 13) return std::nullopt;
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    process_usage u;
    u.minor_faults = std::stoull(f[7]);
    u.user_seconds = static_cast<double>(std::stoull(f[11])) / tick;
    u.system_seconds = static_cast<double>(std::stoull(f[12])) / tick;
    // Per thread only: the process's own status counts its first thread's.
    std::error_code ec;
    for (auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream status(task.path() / "status");
        std::string field;
        while (std::getline(status, field))
            if (field.rfind("voluntary_ctxt_switches:", 0) == 0) u.sleeps += std::stoull(field.substr(24));
    }
    return u;
}

process_usage own_usage() {
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return {seconds(r.ru_utime), seconds(r.ru_stime), static_cast<unsigned long long>(r.ru_minflt),
            static_cast<unsigned long long>(r.ru_nvcsw)};
}

std::optional<machine_usage> read_machine_usage() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    // user nice system idle iowait irq softirq steal (guest time is in user already)
    unsigned long long f[8] = {};
    if (!(in >> cpu) || cpu != "cpu") return std::nullopt;
    for (auto& v : f)
        if (!(in >> v)) return std::nullopt;
    return machine_usage{f[0] + f[1] + f[2] + f[5] + f[6], f[3] + f[4], f[7]};
}

long long rss_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
    return -1;
}

}  // namespace switchboard::load
