#include "threads_named.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sched.h>
#include <sys/resource.h>

namespace switchboard::test {

std::vector<int> policies_of_threads_named(const std::string& name, int pid) {
    std::vector<int> policies;
    std::error_code ec;  // a process that ended has no tasks left
    auto tasks = "/proc/" + (pid ? std::to_string(pid) : std::string("self")) + "/task";
    for (auto& task : std::filesystem::directory_iterator(tasks, ec)) {
        std::ifstream comm(task.path() / "comm");
        std::string line;
        if (!std::getline(comm, line) || line != name) continue;
        auto tid = std::stoi(task.path().filename().string());
        int policy = sched_getscheduler(tid);
        if (policy < 0) continue;  // a thread that ended meanwhile
        errno = 0;
        int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
        policies.push_back(policy == SCHED_OTHER && errno == 0 ? 100 + nice : policy);
    }
    return policies;
}

}  // namespace switchboard::test
