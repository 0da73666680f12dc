// A latency histogram in fixed memory: log-linear buckets (32 per power of
// two, so about 3% resolution) over microseconds, HDR-style.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace switchboard::load {

class histogram {
public:
    void record(std::uint64_t micros) {
        ++counts_[index(micros)];
        ++total_;
        if (micros > max_) max_ = micros;
        sum_ += micros;
    }

    void merge(const histogram& o) {
        for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
        total_ += o.total_;
        sum_ += o.sum_;
        if (o.max_ > max_) max_ = o.max_;
    }

    // The value at quantile q (0..1), as the upper edge of its bucket.
    std::uint64_t quantile(double q) const {
        if (total_ == 0) return 0;
        auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < counts_.size(); ++i) {
            seen += counts_[i];
            if (seen >= rank) return std::min(upper_edge(i), max_);
        }
        return max_;
    }

    std::uint64_t count() const { return total_; }
    std::uint64_t max() const { return max_; }
    double mean() const { return total_ ? static_cast<double>(sum_) / static_cast<double>(total_) : 0; }

private:
    static constexpr int sub_bits = 5;  // 32 buckets per power of two
    static constexpr std::size_t sub = 1u << sub_bits;

    static std::size_t index(std::uint64_t v) {
        if (v < sub) return static_cast<std::size_t>(v);
        int e = std::bit_width(v) - 1;  // v in [2^e, 2^(e+1))
        auto mantissa = (v >> (e - sub_bits)) & (sub - 1);
        return static_cast<std::size_t>((e - sub_bits + 1) * static_cast<int>(sub)) + mantissa;
    }
    static std::uint64_t upper_edge(std::size_t i) {
        if (i < sub) return i;
        auto e = static_cast<int>(i / sub) + sub_bits - 1;
        auto mantissa = i % sub;
        return ((sub + mantissa + 1) << (e - sub_bits)) - 1;
    }

    std::array<std::uint64_t, (64 - sub_bits + 1) * sub> counts_{};
    std::uint64_t total_ = 0, max_ = 0, sum_ = 0;
};

}  // namespace switchboard::load
