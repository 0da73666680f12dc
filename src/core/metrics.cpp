// Registry storage and the Prometheus text format.
#include "switchboard/core/metrics.hpp"

#include <cmath>
#include <charconv>
#include <stdexcept>
#include <string>

namespace switchboard::metrics {

namespace {

void atomic_add(std::atomic<double>& a, double d) {
    double cur = a.load(std::memory_order_relaxed);
    while (!a.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
    }
}

std::string escape_label_value(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out.push_back(c);
    }
    return out;
}

std::string render_labels(const labels& l) {
    if (l.empty()) return {};
    std::string out = "{";
    for (std::size_t i = 0; i < l.size(); ++i) {
        if (i) out += ',';
        out += l[i].first + "=\"" + escape_label_value(l[i].second) + '"';
    }
    return out + '}';
}

// `{a="1"}` + `le="0.5"` → `{a="1",le="0.5"}`
std::string with_label(const std::string& rendered, const std::string& extra) {
    if (rendered.empty()) return '{' + extra + '}';
    return rendered.substr(0, rendered.size() - 1) + ',' + extra + '}';
}

std::string format_number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
    return std::string(buf, end);
}

}  // namespace

void gauge::add(double d) { atomic_add(value_, d); }

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void histogram::observe(double v) {
    std::size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    atomic_add(sum_, v);
}

std::vector<std::uint64_t> histogram::cumulative_counts() const {
    std::vector<std::uint64_t> out(bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        out[i] = running;
    }
    return out;
}

registry::family& registry::family_for(std::string_view name, std::string_view help, kind type) {
    auto it = families_.find(name);
    if (it == families_.end()) it = families_.emplace(std::string(name), family{type, std::string(help), {}, {}, {}}).first;
    if (it->second.type != type) throw std::logic_error("metric " + std::string(name) + " registered with two types");
    return it->second;
}

counter& registry::get_counter(std::string_view name, std::string_view help, const labels& l) {
    std::lock_guard lock(mutex_);
    auto& slot = family_for(name, help, kind::counter).counters[render_labels(l)];
    if (!slot) slot = std::make_unique<counter>();
    return *slot;
}

gauge& registry::get_gauge(std::string_view name, std::string_view help, const labels& l) {
    std::lock_guard lock(mutex_);
    auto& slot = family_for(name, help, kind::gauge).gauges[render_labels(l)];
    if (!slot) slot = std::make_unique<gauge>();
    return *slot;
}

histogram& registry::get_histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                                   const labels& l) {
    std::lock_guard lock(mutex_);
    auto& slot = family_for(name, help, kind::histogram).histograms[render_labels(l)];
    if (!slot) slot = std::make_unique<histogram>(std::move(bounds));
    return *slot;
}

std::string registry::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (auto& [name, f] : families_) {
        static constexpr const char* type_names[] = {"counter", "gauge", "histogram"};
        out += "# HELP " + name + ' ' + f.help + '\n';
        out += "# TYPE " + name + ' ' + type_names[static_cast<int>(f.type)] + '\n';
        for (auto& [l, c] : f.counters) out += name + l + ' ' + std::to_string(c->value()) + '\n';
        for (auto& [l, g] : f.gauges) out += name + l + ' ' + format_number(g->value()) + '\n';
        for (auto& [l, h] : f.histograms) {
            auto counts = h->cumulative_counts();
            for (std::size_t i = 0; i < h->bounds().size(); ++i)
                out += name + "_bucket" + with_label(l, "le=\"" + format_number(h->bounds()[i]) + '"') + ' ' +
                       std::to_string(counts[i]) + '\n';
            out += name + "_bucket" + with_label(l, "le=\"+Inf\"") + ' ' + std::to_string(counts.back()) + '\n';
            out += name + "_sum" + l + ' ' + format_number(h->sum()) + '\n';
            out += name + "_count" + l + ' ' + std::to_string(counts.back()) + '\n';
        }
    }
    return out;
}

std::optional<double> sample_value(std::string_view text, std::string_view series) {
    for (std::size_t at = 0; (at = text.find(series, at)) != std::string_view::npos; at += series.size()) {
        auto end = at + series.size();
        if ((at == 0 || text[at - 1] == '\n') && end < text.size() && text[end] == ' ')
            return std::stod(std::string(text.substr(end + 1, text.find('\n', end) - end - 1)));
    }
    return std::nullopt;
}

counter& rejections(registry& r, std::string_view reason) {
    return r.get_counter("switchboard_rejections_total", "Requests rejected, by reason", {{"reason", std::string(reason)}});
}

std::vector<double> latency_buckets() {
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace switchboard::metrics
